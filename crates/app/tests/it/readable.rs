//! History for people: every field of every event type has a label, and changes read
//! as words with names, amounts and percentages.

use daybook_app::history::{self, AsOf};
use daybook_app::readable::{label, readable_history};
use daybook_domain::*;
use daybook_testkit::change_order_line;
use uuid::Uuid;

use crate::fixtures::*;

/// Every field of every event type's current fixture (the domain keeps one per type and
/// version) has a label.
#[test]
fn every_field_of_every_event_type_has_a_label() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/fixtures/events");
    let mut seen = 0;
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Older versions are upgraded on read: only the current shape is shown.
        let mut parts = name.split('.');
        let (ty, version) = (parts.next().unwrap(), parts.next().unwrap());
        let current = Event::current_version(ty).expect("a known event type");
        if version != format!("v{current}") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut fields = Vec::new();
        collect(&value, &mut fields);
        for f in fields {
            seen += 1;
            if label(&f).is_none() {
                missing.push(format!(
                    "{}: {f}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(seen > 50, "{seen} fields");
    assert!(
        missing.is_empty(),
        "fields without a label:\n{}",
        missing.join("\n")
    );
}

fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            out.push(k.clone());
            collect(v, out);
        }
    }
}

#[test]
fn a_changed_line_reads_as_its_number_code_and_description() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 2)]);
    let line = history::state_at(db.conn(), o.0, AsOf::Revision(2))
        .unwrap()
        .state["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let line_id = LineId(Uuid::parse_str(&line).unwrap());
    db.execute(change_order_line(o, line_id, 5, Money(275)).into())
        .unwrap();
    let h = readable_history(db.conn(), o.0).unwrap();
    let last = h.last().unwrap();
    assert_eq!(last.title, "Line changed");
    let rows = last.rows.join("\n");
    assert!(rows.contains("Line 1 · BOLT"), "{rows}");
    assert!(rows.contains("Line 1 · BOLT"), "{rows}");
    assert!(rows.contains(": quantity 2 → 5"), "{rows}");
    assert!(rows.contains(": price EUR 2.50 → EUR 2.75"), "{rows}");
    assert!(
        !rows.contains("Discount"),
        "unchanged fields are not news: {rows}"
    );
    let created = &h[0].rows.join("\n");
    assert!(
        created.contains("(C-1)"),
        "the customer by name and number: {created}"
    );
    for e in &h {
        for r in &e.rows {
            assert!(!r.contains("_bp") && !r.contains(&line), "{r}");
        }
    }
}
