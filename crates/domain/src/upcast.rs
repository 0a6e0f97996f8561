//! Upcasting: stored events of older schema versions are upgraded on read by a chain of
//! small functions, one per (event type, version) step. Stored rows are never rewritten.
//!
//! Fixtures of every old version live in `tests/fixtures/events/` and are decoded by
//! the tests, so a change that breaks an old payload fails the build.

use serde_json::{Map, Value};

use crate::event::{Event, EventDecodeError};

/// One upgrade step: turns a payload of `from` into one of `from + 1`.
type Step = fn(Map<String, Value>) -> Result<Map<String, Value>, String>;

/// The chain. Adding a version = bump it in `events!` and add one step here.
const STEPS: &[(&str, u32, Step)] = &[
    ("CustomerRegistered", 1, customer_registered_v1_to_v2),
    ("ProductRegistered", 1, product_registered_v1_to_v2),
    ("OrderLineAdded", 1, order_line_added_v1_to_v2),
];

/// Decodes a stored payload of any known version into the current [`Event`].
pub fn decode(event_type: &str, version: u32, payload: &str) -> Result<Event, EventDecodeError> {
    let current = Event::current_version(event_type)
        .ok_or_else(|| EventDecodeError::UnknownType(event_type.to_string()))?;
    if version == current {
        return Event::from_payload(event_type, payload);
    }
    if version > current {
        return Err(EventDecodeError::FutureVersion {
            event_type: event_type.to_string(),
            version,
            known: current,
        });
    }
    let value: Value = serde_json::from_str(payload)?;
    let upgraded = upcast(event_type, version, current, value)?;
    Event::from_value(event_type, upgraded)
}

/// Runs the chain from `version` up to `target`.
pub fn upcast(
    event_type: &str,
    mut version: u32,
    target: u32,
    payload: Value,
) -> Result<Value, EventDecodeError> {
    let err = |version: u32, reason: String| EventDecodeError::Upcast {
        event_type: event_type.to_string(),
        version,
        reason,
    };
    let Value::Object(mut map) = payload else {
        return Err(err(version, "payload is not a JSON object".into()));
    };
    while version < target {
        if crate::schema::is_preview_step(event_type, version) {
            version += 1;
            continue;
        }
        let step = STEPS
            .iter()
            .find(|(t, v, _)| *t == event_type && *v == version)
            .map(|(_, _, f)| *f)
            .ok_or_else(|| err(version, "no upcaster for this version".into()))?;
        map = step(map).map_err(|reason| err(version, reason))?;
        version += 1;
    }
    Ok(Value::Object(map))
}

fn rename(map: &mut Map<String, Value>, from: &str, to: &str) -> Result<(), String> {
    let v = map
        .remove(from)
        .ok_or_else(|| format!("field '{from}' missing"))?;
    map.insert(to.to_string(), v);
    Ok(())
}

/// v1 had no kind, e-mail or currency and called the limit `spending_limit_cents`.
fn customer_registered_v1_to_v2(mut m: Map<String, Value>) -> Result<Map<String, Value>, String> {
    rename(&mut m, "spending_limit_cents", "spending_limit")?;
    m.entry("kind").or_insert_with(|| "organisation".into());
    m.entry("email").or_insert(Value::Null);
    m.entry("currency").or_insert_with(|| "EUR".into());
    Ok(m)
}

/// v1 called the price `price` and the VAT class `vat` with values high/low/none.
fn product_registered_v1_to_v2(mut m: Map<String, Value>) -> Result<Map<String, Value>, String> {
    rename(&mut m, "price", "unit_price")?;
    let vat = m.remove("vat").ok_or("field 'vat' missing")?;
    let class = match vat.as_str() {
        Some("high") => "standard",
        Some("low") => "reduced",
        Some("none") => "zero",
        _ => return Err(format!("unknown v1 VAT class {vat}")),
    };
    m.insert("vat_class".into(), class.into());
    Ok(m)
}

/// v1 stored a whole-percent discount and did not copy the VAT rate onto the line;
/// v1 lines were written while the rates were those of [`crate::money::VatClass::rate_bp`].
fn order_line_added_v1_to_v2(mut m: Map<String, Value>) -> Result<Map<String, Value>, String> {
    let pct = m
        .remove("discount_percent")
        .and_then(|v| v.as_i64())
        .ok_or("field 'discount_percent' missing or not an integer")?;
    let bp = pct
        .checked_mul(100)
        .ok_or("field 'discount_percent' is out of range")?;
    m.insert("discount_bp".into(), bp.into());
    let class = m
        .get("vat_class")
        .and_then(|v| v.as_str())
        .and_then(crate::money::VatClass::parse)
        .ok_or("field 'vat_class' missing or unknown")?;
    m.insert("vat_rate_bp".into(), class.rate_bp().into());
    Ok(m)
}
