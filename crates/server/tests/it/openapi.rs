//! `openapi.json` is generated (`daybook_server::openapi`): the committed file must be
//! exactly what the code generates (`UPDATE_EXPECT=1 cargo test -p daybook-server
//! openapi` refreshes it), and it must state the protocol's routes, fields and limits.

use chrono::Utc;
use daybook_domain::PlaceOrder;
use daybook_domain::StreamType;
use daybook_protocol::*;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

/// The committed document.
pub fn spec() -> Value {
    serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap()
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = daybook_server::openapi::document_json();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(PATH, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "{PATH} is stale: run `UPDATE_EXPECT=1 cargo test -p daybook-server openapi` and \
         commit the result"
    );
}

/// `components.schemas.<name>`.
fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let s = &spec["components"]["schemas"][name];
    assert!(s.is_object(), "schema {name} missing");
    s
}

fn assert_fields<T: Serialize>(spec: &Value, name: &str, value: &T) {
    let properties = &schema(spec, name)["properties"];
    let v = serde_json::to_value(value).unwrap();
    for key in v.as_object().unwrap().keys() {
        assert!(
            properties.get(key).is_some(),
            "openapi.json schema {name} lacks field {key}"
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
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/accounts/{account}/commands",
        "/v1/accounts/{account}/events",
        "/v1/accounts/{account}/live",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path}");
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
            schema: Some(daybook_protocol::SchemaInfo::this_build()),
            role: Some(daybook_domain::Role::Clerk),
            person: Some(daybook_protocol::PersonInfo {
                login: "anna@example.com".into(),
                name: "Anna".into(),
                role: daybook_domain::Role::Clerk,
            }),
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
            // Sent only above 1: shown here so every field is compared.
            schema_version: 2,
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
    let commands = &schema(&spec, "PushRequest")["properties"]["commands"];
    assert_eq!(commands["maxItems"], MAX_PUSH_COMMANDS);
    assert_eq!(commands["minItems"], 1);
    let user = &schema(&spec, "PushCommand")["properties"]["user"];
    assert_eq!(user["maxLength"], MAX_USER_CHARS);
    assert_eq!(user["pattern"], USER_PATTERN);
    let device_seq = &schema(&spec, "PushCommand")["properties"]["device_seq"];
    assert_eq!(device_seq["maximum"], i64::MAX);
    let events = &spec["paths"]["/v1/accounts/{account}/events"]["get"]["parameters"];
    let limit = events
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["default"], DEFAULT_PULL_LIMIT);
    assert!(
        limit["description"]
            .as_str()
            .unwrap()
            .contains(&format!("capped at {MAX_PULL_LIMIT}"))
    );
    assert_eq!(MAX_BODY_BYTES, 8 * 1024 * 1024, "the spec says 8 MiB");
}

/// Every command struct refuses unknown fields (`#[serde(deny_unknown_fields)]`), so
/// each command's schema must say so, or a tester's "valid" command with an extra
/// field would be refused (the `line_id` on `InvoiceOrder` it once found).
#[test]
fn every_command_schema_refuses_unknown_fields_and_names_its_type() {
    let spec = spec();
    let command = schema(&spec, "Command");
    let variants = command["oneOf"].as_array().expect("Command is a oneOf");
    assert_eq!(variants.len(), daybook_domain::Command::NAMES.len());
    for v in variants {
        let v = match v.get("$ref").and_then(Value::as_str) {
            Some(r) => schema(&spec, r.trim_start_matches("#/components/schemas/")),
            None => v,
        };
        assert_eq!(v["additionalProperties"], false, "{v}");
        let tag = &v["properties"]["type"]["enum"];
        let name = tag[0]
            .as_str()
            .unwrap_or_else(|| panic!("no type tag: {v}"));
        assert!(daybook_domain::Command::NAMES.contains(&name), "{name}");
        assert!(
            v["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from("type"))
        );
    }
}
