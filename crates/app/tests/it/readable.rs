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

/// The desktop's timeline: each event in one line, newest first, with the names,
/// amounts and statuses as they were when it happened; paged like the raw timeline.
#[test]
fn the_timeline_tells_what_each_event_changed_in_one_line() {
    use daybook_app::history::TimelineFilter;
    use daybook_testkit::update_customer;

    let mut db = db();
    let c = customer(&mut db, "C-7", None);
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 2)]);
    db.execute(PlaceOrder { order_id: o }.into()).unwrap();
    db.execute(update_customer(c, "Renamed B.V.").into())
        .unwrap();

    let all = db
        .read()
        .timeline_in_words(&TimelineFilter::default())
        .unwrap();
    let lines: Vec<String> = all
        .entries
        .iter()
        .map(|l| format!("{}: {}", l.title, l.change))
        .collect();
    let text = lines.join("\n");
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("Details changed: Name: Customer C-7 → Renamed B.V."),
        "{text}"
    );
    assert!(
        lines[1].starts_with("Placed: 1 line, total EUR 6.05; Status: draft → placed on "),
        "{text}"
    );
    assert_eq!(
        lines[2],
        "Line added: Line 1 · 2 × BOLT Product BOLT at EUR 2.50, VAT 21%"
    );
    // The customer's name as it was when the order was created, not today's.
    assert!(lines[3].starts_with("Order created: SO-"), "{text}");
    assert!(
        lines[3].contains("for Customer C-7 (C-7), in EUR"),
        "{text}"
    );
    assert!(
        lines[4].starts_with("Product registered: BOLT Product BOLT at 2.50"),
        "{text}"
    );
    assert!(
        lines[5].starts_with("Customer registered: Customer C-7 (C-7)"),
        "{text}"
    );
    // The raw entry rides along (the record to open, its revision).
    assert_eq!(all.entries[1].entry.stream_id, o.0);
    assert_eq!(all.entries[1].entry.event_type, "OrderPlaced");
    assert_eq!(all.entries[1].entry.revision, 3);
    for word in ["_bp", "_id", &o.0.to_string()[..8]] {
        assert!(!text.contains(word), "{word} in:\n{text}");
    }

    // Paged as the timeline is: the second page goes on where the first stopped.
    let first = db
        .read()
        .timeline_in_words(&TimelineFilter {
            limit: Some(4),
            ..TimelineFilter::default()
        })
        .unwrap();
    assert_eq!(first.entries.len(), 4);
    let rest = db
        .read()
        .timeline_in_words(&TimelineFilter {
            limit: Some(4),
            before_seq: first.next_before,
            ..TimelineFilter::default()
        })
        .unwrap();
    let paged: Vec<String> = first
        .entries
        .iter()
        .chain(&rest.entries)
        .map(|l| format!("{}: {}", l.title, l.change))
        .collect();
    assert_eq!(paged, lines);
    assert_eq!(rest.next_before, None);
}

/// The held-order events read in words beside the customer's own changes (the
/// customer history's "with its orders" filter), in the order they happened.
#[test]
fn a_customers_history_shows_its_orders_held_refused_and_released() {
    use daybook_app::readable::customer_history_with_orders;

    let mut db = db();
    let c = customer(&mut db, "C-9", Some(100));
    let p = product(&mut db, "BOLT", 1250, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 4)]);
    db.execute(PlaceOrder { order_id: o }.into()).unwrap();
    db.execute(
        RefuseHeldOrder {
            order_id: o,
            reason: "ask for a prepayment".into(),
        }
        .into(),
    )
    .unwrap();
    db.execute(PlaceOrder { order_id: o }.into()).unwrap();
    db.execute(ReleaseOrder { order_id: o }.into()).unwrap();
    let h = customer_history_with_orders(db.conn(), c.0).unwrap();
    let told: Vec<(&str, String)> = h
        .iter()
        .filter(|e| e.order.is_some())
        .map(|e| (e.entry.title.as_str(), e.entry.rows.join("; ")))
        .collect();
    let titles: Vec<&str> = told.iter().map(|(t, _)| *t).collect();
    assert_eq!(titles, ["Held", "Refused", "Held", "Released"], "{told:?}");
    assert!(
        told[1].1.contains("Reason: ask for a prepayment"),
        "{told:?}"
    );
    assert!(told[3].1.contains("Status: held → placed on "), "{told:?}");
    assert!(told[0].1.contains("limit of EUR 1.00"), "{told:?}");
}

/// Histories name people as the account's directory knows them (kept by the sync
/// engine from the server, and at a sign-in); a login nobody named stays a login.
#[test]
fn histories_name_people_the_directory_knows_and_keep_logins_otherwise() {
    use daybook_app::history::TimelineFilter;
    use daybook_app::{Daybook, SignedIn};

    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let id = c.0;
    let who = |db: &Daybook| -> Vec<(String, Option<String>)> {
        db.read()
            .readable_history(id)
            .unwrap()
            .into_iter()
            .map(|e| (e.user, e.name))
            .collect()
    };
    assert_eq!(who(&db), [("alice".to_string(), None)]);
    db.remember_people([("alice", "Alice Jansen"), ("bob", "Bob Bakker")])
        .unwrap();
    assert_eq!(
        who(&db),
        [("alice".to_string(), Some("Alice Jansen".to_string()))]
    );
    // A sign-in adds the person; a later list renames without dropping anyone.
    db.sign_in_as(&SignedIn {
        login: "carla".into(),
        name: "Carla de Wit".into(),
        role: Role::Manager,
    })
    .unwrap();
    db.execute(daybook_testkit::update_customer(c, "Renamed").into())
        .unwrap();
    db.remember_people([("alice", "Alice de Vries")]).unwrap();
    assert_eq!(
        who(&db),
        [
            ("alice".to_string(), Some("Alice de Vries".to_string())),
            ("carla".to_string(), Some("Carla de Wit".to_string())),
        ]
    );
    let people = db.read().people().unwrap();
    assert_eq!(people.get("bob").map(String::as_str), Some("Bob Bakker"));
    // The record as it was says who by name as well.
    let view = db.read().record_view(id, Some(1)).unwrap();
    assert_eq!(
        (view.user.as_deref(), view.name.as_deref()),
        (Some("alice"), Some("Alice de Vries"))
    );
    let timeline = db
        .read()
        .timeline_in_words(&TimelineFilter::default())
        .unwrap();
    let names: Vec<Option<&str>> = timeline.entries.iter().map(|l| l.name.as_deref()).collect();
    assert_eq!(names, [Some("Carla de Wit"), Some("Alice de Vries")]);
}
