//! Stored payloads of every schema version, old and current, from real fixture files in
//! `tests/fixtures/events/` (`<Type>.v<N>.json`, or `<Type>.v<N>.<label>.json` for more
//! than one sample of a version); and the typed errors for payloads that cannot be read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use daybook_domain::event::*;
use daybook_domain::upcast::decode;
use daybook_domain::{Currency, CustomerKind, Money, VatClass};
use uuid::Uuid;

struct Fixture {
    /// File name without `.json`, e.g. `OrderLineAdded.v1.reduced`.
    name: String,
    event_type: String,
    version: u32,
    payload: String,
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|e| e.expect("fixture entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default();
            let name = file
                .strip_suffix(".json")
                .unwrap_or_else(|| panic!("{file}: not a .json fixture"));
            let mut parts = name.splitn(3, '.');
            let event_type = parts.next().unwrap_or_default().to_string();
            let version = parts
                .next()
                .and_then(|v| v.strip_prefix('v'))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{file}: name is not <Type>.v<N>[.<label>].json"));
            Fixture {
                name: name.to_string(),
                event_type,
                version,
                payload: std::fs::read_to_string(&path).expect("readable fixture"),
            }
        })
        .collect()
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("valid uuid")
}

/// What each old fixture must upgrade to.
fn upgraded(name: &str) -> Option<Event> {
    let line = uuid("0190f5a4-2222-7d33-9b44-5566778899aa").into();
    let product = uuid("0190f5a3-1111-7c22-8a33-445566778899").into();
    Some(match name {
        "CustomerRegistered.v1" => CustomerRegistered {
            number: "C-001".into(),
            kind: CustomerKind::Organisation,
            name: "Acme BV".into(),
            vat_number: Some("NL001234567B01".into()),
            email: None,
            currency: Currency::EUR,
            spending_limit: Some(Money(250_000)),
        }
        .into(),
        "CustomerRegistered.v1.unlimited" => CustomerRegistered {
            number: "C-002".into(),
            kind: CustomerKind::Organisation,
            name: "Jansen Handel".into(),
            vat_number: None,
            email: None,
            currency: Currency::EUR,
            spending_limit: None,
        }
        .into(),
        "ProductRegistered.v1" => ProductRegistered {
            code: "P-100".into(),
            description: "Widget".into(),
            unit_price: Money(1250),
            vat_class: VatClass::Standard,
        }
        .into(),
        "ProductRegistered.v1.low" => ProductRegistered {
            code: "B-7".into(),
            description: "Cookbook".into(),
            unit_price: Money(2995),
            vat_class: VatClass::Reduced,
        }
        .into(),
        "ProductRegistered.v1.none" => ProductRegistered {
            code: "GC-50".into(),
            description: "Gift card".into(),
            unit_price: Money(5000),
            vat_class: VatClass::Zero,
        }
        .into(),
        "OrderLineAdded.v1" => OrderLineAdded {
            line_id: line,
            product_id: product,
            code: "P-100".into(),
            description: "Widget".into(),
            quantity: 3,
            unit_price: Money(1250),
            discount_bp: 1500,
            vat_class: VatClass::Standard,
            vat_rate_bp: 2100,
        }
        .into(),
        "OrderLineAdded.v1.reduced" => OrderLineAdded {
            line_id: line,
            product_id: product,
            code: "B-7".into(),
            description: "Cookbook".into(),
            quantity: 1,
            unit_price: Money(2995),
            discount_bp: 0,
            vat_class: VatClass::Reduced,
            vat_rate_bp: 900,
        }
        .into(),
        _ => return None,
    })
}

#[test]
fn old_fixtures_upgrade_to_the_expected_values() {
    let mut seen = 0;
    for f in fixtures() {
        let current = Event::current_version(&f.event_type).unwrap();
        if f.version == current {
            continue;
        }
        let expected = upgraded(&f.name)
            .unwrap_or_else(|| panic!("{}: add its expected upgrade to `upgraded`", f.name));
        let event = decode(&f.event_type, f.version, &f.payload)
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(event, expected, "{}", f.name);
        assert_eq!(event.event_type(), f.event_type);
        assert_eq!(event.schema_version(), current);
        seen += 1;
    }
    assert_eq!(seen, 7, "old fixtures checked");
}

#[test]
fn upgraded_fields_are_renamed_defaulted_and_converted() {
    // Spelled out for the fields each upcaster touches.
    let CustomerRegistered {
        kind,
        email,
        currency,
        spending_limit,
        ..
    } = match decode(
        "CustomerRegistered",
        1,
        r#"{"number":"C","name":"N","vat_number":null,"spending_limit_cents":100}"#,
    )
    .unwrap()
    {
        Event::CustomerRegistered(e) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(kind, CustomerKind::Organisation);
    assert_eq!(email, None);
    assert_eq!(currency, Currency::EUR);
    assert_eq!(spending_limit, Some(Money(100)));

    for (v1, class) in [
        ("high", VatClass::Standard),
        ("low", VatClass::Reduced),
        ("none", VatClass::Zero),
    ] {
        let payload = format!(r#"{{"code":"C","description":"D","price":7,"vat":"{v1}"}}"#);
        match decode("ProductRegistered", 1, &payload).unwrap() {
            Event::ProductRegistered(e) => {
                assert_eq!((e.unit_price, e.vat_class), (Money(7), class), "{v1}");
            }
            other => panic!("{other:?}"),
        }
    }

    for (pct, class, bp, rate) in [
        (0, "zero", 0, 0),
        (15, "standard", 1500, 2100),
        (100, "reduced", 10_000, 900),
    ] {
        let payload = format!(
            r#"{{"line_id":"{l}","product_id":"{l}","code":"C","description":"D","quantity":1,
                "unit_price":5,"discount_percent":{pct},"vat_class":"{class}"}}"#,
            l = Uuid::nil()
        );
        match decode("OrderLineAdded", 1, &payload).unwrap() {
            Event::OrderLineAdded(e) => {
                assert_eq!((e.discount_bp, e.vat_rate_bp), (bp, rate), "{pct}% {class}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn current_fixtures_decode_and_re_encode_to_the_same_json() {
    let mut seen = BTreeSet::new();
    for f in fixtures() {
        if Event::current_version(&f.event_type) != Some(f.version) {
            continue;
        }
        let event = decode(&f.event_type, f.version, &f.payload)
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(event.event_type(), f.event_type);
        // Same field names and values as stored: a rename without a version bump fails here.
        let stored: serde_json::Value = serde_json::from_str(&f.payload).unwrap();
        let written: serde_json::Value =
            serde_json::from_str(&event.payload_json().unwrap()).unwrap();
        assert_eq!(written, stored, "{}", f.name);
        seen.insert(f.event_type);
    }
    assert_eq!(seen.len(), Event::TYPES.len());
}

#[test]
fn there_is_a_fixture_for_every_version_of_every_event_type() {
    let have: BTreeSet<(String, u32)> = fixtures()
        .into_iter()
        .map(|f| (f.event_type, f.version))
        .collect();
    for (event_type, _, current) in Event::TYPES {
        for v in 1..=*current {
            assert!(
                have.contains(&(event_type.to_string(), v)),
                "missing fixture {event_type}.v{v}.json"
            );
        }
    }
    for (event_type, version) in &have {
        let current = Event::current_version(event_type)
            .unwrap_or_else(|| panic!("fixture for unknown type {event_type}"));
        assert!(
            (1..=current).contains(version),
            "{event_type}.v{version}: no such version"
        );
    }
}

// --- Errors ---

/// Asserts an `Upcast` error for `event_type` at `version`.
#[track_caller]
fn assert_upcast_err(event_type: &str, version: u32, payload: &str) {
    match decode(event_type, version, payload) {
        Err(EventDecodeError::Upcast {
            event_type: t,
            version: v,
            ..
        }) => assert_eq!((t.as_str(), v), (event_type, version)),
        other => panic!("expected an upcast error, got {other:?}"),
    }
}

#[test]
fn unknown_types_are_unknown_type() {
    assert!(matches!(
        decode("OrderTeleported", 1, "{}"),
        Err(EventDecodeError::UnknownType(t)) if t == "OrderTeleported"
    ));
    assert!(matches!(
        Event::from_payload("OrderTeleported", "{}"),
        Err(EventDecodeError::UnknownType(t)) if t == "OrderTeleported"
    ));
}

#[test]
fn future_versions_are_future_version() {
    assert!(matches!(
        decode("OrderPlaced", 2, r#"{"placed_at":"2024-03-01T09:30:00Z"}"#),
        Err(EventDecodeError::FutureVersion { event_type, version: 2, known: 1 })
            if event_type == "OrderPlaced"
    ));
    assert!(matches!(
        decode("CustomerRegistered", 3, "{}"),
        Err(EventDecodeError::FutureVersion {
            version: 3,
            known: 2,
            ..
        })
    ));
}

#[test]
fn a_version_without_an_upcaster_is_an_upcast_error() {
    assert_upcast_err("OrderPlaced", 0, "{}");
    assert_upcast_err("CustomerRegistered", 0, "{}");
}

#[test]
fn malformed_old_payloads_are_typed_errors() {
    // Not JSON at all.
    assert!(matches!(
        decode("ProductRegistered", 1, "{not json"),
        Err(EventDecodeError::Json(_))
    ));
    // JSON, but not an object.
    assert_upcast_err("ProductRegistered", 1, "[1, 2]");
    assert_upcast_err("ProductRegistered", 1, "null");
    // A field the upcaster needs is missing or wrong.
    assert_upcast_err("CustomerRegistered", 1, r#"{"number":"C","name":"N"}"#);
    assert_upcast_err(
        "ProductRegistered",
        1,
        r#"{"code":"C","description":"D","vat":"high"}"#,
    );
    assert_upcast_err(
        "ProductRegistered",
        1,
        r#"{"code":"C","description":"D","price":1,"vat":"medium"}"#,
    );
    assert_upcast_err(
        "ProductRegistered",
        1,
        r#"{"code":"C","description":"D","price":1}"#,
    );
    let line = |discount: &str, vat: &str| {
        format!(
            r#"{{"line_id":"{l}","product_id":"{l}","code":"C","description":"D","quantity":1,
                "unit_price":5{discount}{vat}}}"#,
            l = Uuid::nil()
        )
    };
    assert_upcast_err("OrderLineAdded", 1, &line("", r#","vat_class":"zero""#));
    assert_upcast_err(
        "OrderLineAdded",
        1,
        &line(r#","discount_percent":"ten""#, r#","vat_class":"zero""#),
    );
    assert_upcast_err(
        "OrderLineAdded",
        1,
        &line(r#","discount_percent":10"#, r#","vat_class":"high""#),
    );
    assert_upcast_err("OrderLineAdded", 1, &line(r#","discount_percent":10"#, ""));
    // A percentage whose basis points do not fit must not overflow.
    assert_upcast_err(
        "OrderLineAdded",
        1,
        &line(
            &format!(r#","discount_percent":{}"#, i64::MAX),
            r#","vat_class":"zero""#,
        ),
    );
    // Upgraded fine, but still not a valid current payload (no name).
    assert!(matches!(
        decode(
            "CustomerRegistered",
            1,
            r#"{"number":"C","spending_limit_cents":null}"#
        ),
        Err(EventDecodeError::Json(_))
    ));
}

#[test]
fn malformed_current_payloads_are_json_errors() {
    for (t, payload) in [
        ("OrderPlaced", r#"{"placed_at":"yesterday"}"#),
        ("OrderPlaced", "{}"),
        ("ProductPriceChanged", r#"{"unit_price":"12.50"}"#),
        ("ProductVatClassChanged", r#"{"vat_class":"high"}"#),
        (
            "OrderCreated",
            r#"{"number":"1","customer_id":"x","currency":"EUR","created_at":"2024-03-01T09:30:00Z"}"#,
        ),
        (
            "OrderCreated",
            r#"{"number":"1","customer_id":"00000000-0000-0000-0000-000000000000","currency":"EURO","created_at":"2024-03-01T09:30:00Z"}"#,
        ),
        ("CustomerUnblocked", "null"),
    ] {
        assert!(
            matches!(decode(t, 1, payload), Err(EventDecodeError::Json(_))),
            "{t} {payload}"
        );
    }
}
