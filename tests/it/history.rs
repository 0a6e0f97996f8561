//! History, the record as it was, and the account timeline.

use serde_json::{Value, json};

use crate::support::{Book, int, shop, text};

fn changes(entry: &Value) -> Vec<(String, Value, Value)> {
    entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap_or_default().to_string(),
                c["old"].clone(),
                c["new"].clone(),
            )
        })
        .collect()
}

#[test]
fn history_shows_field_changes_and_the_first_state() {
    let b = shop();
    b.ok(&["product", "update", "PEN", "--price", "1.35"]);
    b.as_user("bob").ok(&[
        "product",
        "update",
        "PEN",
        "--description",
        "Ballpoint pen, black",
    ]);

    let h = b.json(&["history", "PEN"]);
    assert_eq!(text(&h, "/stream_type"), "Product");
    let entries = h["entries"].as_array().expect("entries");
    let types: Vec<&str> = entries.iter().map(|e| text(e, "/event_type")).collect();
    assert_eq!(
        types,
        [
            "ProductRegistered",
            "ProductPriceChanged",
            "ProductDescriptionChanged"
        ]
    );
    assert_eq!(
        changes(&entries[1]),
        [("unit_price".to_string(), json!(125), json!(135))]
    );
    assert_eq!(
        changes(&entries[2]),
        [(
            "description".to_string(),
            json!("Ballpoint pen, blue"),
            json!("Ballpoint pen, black")
        )]
    );
    assert_eq!(text(&entries[1], "/user"), "tester");
    assert_eq!(text(&entries[2], "/user"), "bob");
    assert_eq!(int(&entries[2], "/revision"), 3);

    // As text: who, on which device, in words: old → new (amounts as amounts).
    let t = b.ok(&["history", "PEN"]);
    assert!(t.contains("tester on ci"), "{t}");
    assert!(t.contains("bob on ci"), "{t}");
    assert!(t.contains("Price: 1.25 → 1.35"), "{t}");
    assert!(!t.contains("unit_price"), "{t}");

    // The first state.
    let first = b.json(&["history", "PEN", "--as-of", "1"]);
    assert_eq!(int(&first, "/revision"), 1);
    assert_eq!(int(&first, "/state/unit_price"), 125);
    assert_eq!(text(&first, "/state/description"), "Ballpoint pen, blue");
    let t = b.ok(&["history", "PEN", "--as-of", "1"]);
    assert!(t.contains("as of revision 1"), "{t}");
    assert!(t.contains("\"unit_price\": 125"), "{t}");
    // Before it existed.
    let before = b.json(&["history", "PEN", "--as-of", "2000-01-01T00:00:00Z"]);
    assert_eq!(int(&before, "/revision"), 0);
    assert!(before["state"].is_null());
    // Now.
    let now = b.json(&["history", "PEN", "--as-of", "2999-01-01"]);
    assert_eq!(int(&now, "/revision"), 3);

    // An order's line changes are keyed by line, not position.
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "-q",
        "2",
    ]);
    b.ok(&["order", "change-line", "SO-00001", "TEA", "-q", "5"]);
    let h = b.json(&["history", "SO-00001"]);
    let last = h["entries"]
        .as_array()
        .and_then(|e| e.last())
        .expect("an entry");
    let c = changes(last);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].0.starts_with("lines[") && c[0].0.ends_with("].quantity"),
        "{c:?}"
    );
    assert_eq!((c[0].1.clone(), c[0].2.clone()), (json!(2), json!(5)));
}

#[test]
fn the_timeline_filters_by_type_event_and_user() {
    let b = shop();
    b.ok(&["order", "add-line", "SO-00001", "--product", "PEN"]);
    b.as_user("alice").ok(&["order", "place", "SO-00001"]);

    let orders = b.json(&["timeline", "--type", "SalesOrder"]);
    let entries = orders["entries"].as_array().expect("entries");
    // Created with the customer's first address as its delivery address, a line, placed.
    assert_eq!(entries.len(), 4, "{orders}");
    assert!(entries.iter().all(|e| e["stream_type"] == "SalesOrder"));
    assert!(entries.iter().all(|e| e["label"] == "SO-00001"));
    // Newest first.
    assert_eq!(text(&entries[0], "/event_type"), "OrderPlaced");

    let customers = b.json(&["timeline", "--type", "customer"]);
    assert!(
        customers["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["stream_type"] == "Customer")
    );

    let placed = b.json(&["timeline", "--event", "OrderPlaced"]);
    assert_eq!(placed["entries"].as_array().map(Vec::len), Some(1));
    let alice = b.json(&["timeline", "--user", "alice"]);
    assert_eq!(alice["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(text(&alice, "/entries/0/user"), "alice");

    // Paging with the cursor.
    let page = b.json(&["timeline", "--limit", "2"]);
    let next = int(&page, "/next_before");
    let older = b.json(&["timeline", "--limit", "2", "--before", &next.to_string()]);
    assert!(int(&older, "/entries/0/seq") < next);

    let all = b.json(&["timeline", "--limit", "1000"]);
    let stats = b.json(&["stats"]);
    assert_eq!(
        all["entries"].as_array().map(|e| e.len() as i64),
        Some(int(&stats, "/events"))
    );
    let t = Book::new().ok(&["timeline"]);
    assert!(t.contains("no events"), "{t}");
}
