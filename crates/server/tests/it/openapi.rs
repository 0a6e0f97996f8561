//! `openapi.yaml` is hand-written: these checks catch it drifting from the protocol
//! types (a field added or renamed, a limit changed, a route missing).

use chrono::Utc;
use daybook_domain::PlaceOrder;
use daybook_domain::StreamType;
use daybook_protocol::*;
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

fn spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap()
}

/// The lines of `components.schemas.<name>`.
fn schema_block(spec: &str, name: &str) -> String {
    let start = spec
        .find(&format!("\n    {name}:\n"))
        .unwrap_or_else(|| panic!("schema {name} missing"));
    let rest = &spec[start + 1..];
    let body: Vec<&str> = rest
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("      ") || l.is_empty())
        .collect();
    body.join("\n")
}

fn assert_fields<T: Serialize>(spec: &str, name: &str, value: &T) {
    let block = schema_block(spec, name);
    let v = serde_json::to_value(value).unwrap();
    for key in v.as_object().unwrap().keys() {
        assert!(
            block.contains(&format!(" {key}:")) || block.contains(&format!("- {key}\n")),
            "openapi.yaml schema {name} lacks field {key}"
        );
    }
}

#[test]
fn the_spec_lists_every_route_and_field() {
    let spec = spec();
    for path in [
        "/healthz",
        "/readyz",
        "/v1/me",
        "/v1/accounts/{account}/commands",
        "/v1/accounts/{account}/events",
        "/v1/accounts/{account}/live",
    ] {
        assert!(spec.contains(&format!("\n  {path}:\n")), "{path}");
    }
    let id = Uuid::now_v7();
    assert_fields(
        &spec,
        "Health",
        &Health {
            status: "ok".into(),
            version: "1".into(),
        },
    );
    assert_fields(
        &spec,
        "DeviceInfo",
        &DeviceInfo {
            account_id: id,
            account_name: "a".into(),
            device_id: id,
            device_name: "d".into(),
            device_code: "D1".into(),
        },
    );
    let error = ErrorBody::new(ErrorCode::TooLong, "m")
        .with_field("f")
        .with_params(ErrorParams {
            max: Some(1),
            ..ErrorParams::default()
        });
    assert_fields(&spec, "ErrorBody", &error);
    let result = PushResult {
        command_id: id,
        device_seq: 1,
        duplicate: false,
        outcome: PushOutcome::Rejected { error },
    };
    assert_fields(&spec, "PushResult", &result);
    assert_fields(
        &spec,
        "PushCommand",
        &PushCommand {
            device_seq: 1,
            user: "u".into(),
            envelope: daybook_domain::CommandEnvelope::new(daybook_domain::Command::PlaceOrder(
                PlaceOrder {
                    order_id: daybook_domain::OrderId::new(),
                },
            )),
        },
    );
    let event = WireEvent {
        seq: 1,
        event_id: id,
        stream_id: id,
        stream_type: StreamType::Product,
        revision: 1,
        event_type: "ProductRegistered".into(),
        schema_version: 1,
        payload: RawValue::from_string("{}".into()).unwrap(),
        user: "u".into(),
        device: "d".into(),
        command_id: id,
        causation_id: None,
        correlation_id: None,
        issued_at: Utc::now(),
        committed_at: Utc::now(),
    };
    assert_fields(&spec, "WireEvent", &event);
    assert_fields(
        &spec,
        "PullResponse",
        &PullResponse {
            events: vec![event],
            head: 1,
        },
    );
    assert_fields(&spec, "LiveHead", &LiveHead { head: 1 });
}

#[test]
fn the_spec_states_the_protocols_limits() {
    let spec = spec();
    assert!(spec.contains(&format!("maxItems: {MAX_PUSH_COMMANDS}\n")));
    assert!(spec.contains(&format!("default: {DEFAULT_PULL_LIMIT} ")));
    assert!(spec.contains(&format!("capped at {MAX_PULL_LIMIT}")));
    assert_eq!(MAX_BODY_BYTES, 8 * 1024 * 1024, "the spec says 8 MiB");
}
