//! History with field-level diffs, state as of any point, and the timeline.

use chrono::{Duration, TimeZone, Utc};
use daybook_app::history::{self, AsOf, TimelineFilter};
use daybook_domain::*;
use daybook_domain::{RegisterCustomer, UpdateCustomer};
use daybook_testkit::{change_order_line, register_customer, update_customer};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::*;

#[test]
fn history_shows_who_when_and_field_changes() {
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
    db.execute(change_order_line(o, line_id, 5, Money(250)).into())
        .unwrap();
    let h = history::history(db.conn(), o.0).unwrap();
    assert_eq!(h.stream_type, StreamType::SalesOrder);
    assert_eq!(
        h.entries
            .iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["OrderCreated", "OrderLineAdded", "OrderLineChanged"]
    );
    let last = &h.entries[2];
    assert_eq!(last.user, "alice");
    assert_eq!(last.device, "laptop");
    assert_eq!(last.changes.len(), 1);
    assert_eq!(last.changes[0].path, format!("lines[{line}].quantity"));
    assert_eq!(last.changes[0].old, json!(2));
    assert_eq!(last.changes[0].new, json!(5));
    // Creation shows every field as new.
    assert!(
        h.entries[0]
            .changes
            .iter()
            .any(|c| c.path == "number" && c.old.is_null())
    );
}

#[test]
fn state_as_of_a_revision_and_a_time() {
    let mut db = db();
    let c = CustomerId::new();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let envs = [
        Command::RegisterCustomer(RegisterCustomer {
            kind: CustomerKind::Person,
            ..register_customer(c, "C-9", "Ann")
        }),
        Command::UpdateCustomer(UpdateCustomer {
            kind: CustomerKind::Person,
            ..update_customer(c, "Ann Smith")
        }),
    ];
    for (i, cmd) in envs.into_iter().enumerate() {
        db.execute_envelope(CommandEnvelope {
            command_id: Uuid::now_v7(),
            issued_at: t0 + Duration::days(i as i64),
            command: cmd,
        })
        .unwrap();
    }
    let first = history::state_at(db.conn(), c.0, AsOf::Revision(1)).unwrap();
    assert_eq!(first.state["name"], json!("Ann"));
    assert_eq!(first.revision, 1);
    let now = history::state_at(db.conn(), c.0, AsOf::Revision(99)).unwrap();
    assert_eq!(now.state["name"], json!("Ann Smith"));
    let before_all = history::state_at(
        db.conn(),
        c.0,
        AsOf::Time(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()),
    )
    .unwrap();
    assert_eq!(before_all.revision, 0);
    assert!(before_all.state.is_null());
    let unknown = history::history(db.conn(), Uuid::now_v7()).unwrap_err();
    assert!(matches!(unknown, daybook_app::AppError::UnknownRecord(_)));
}

#[test]
fn timeline_filters_and_pages_newest_first() {
    let mut db = db();
    let c = customer(&mut db, "C-1", None);
    let p = product(&mut db, "BOLT", 250, VatClass::Standard);
    order(&mut db, c, &[(p, 1), (p, 2), (p, 3)]);
    let all = history::timeline(db.conn(), &TimelineFilter::default()).unwrap();
    assert_eq!(all.entries.len(), 6);
    assert!(all.entries.windows(2).all(|w| w[0].seq > w[1].seq));
    assert_eq!(all.entries[5].label.as_deref(), Some("Customer C-1"));

    let orders = history::timeline(
        db.conn(),
        &TimelineFilter {
            stream_type: Some(StreamType::SalesOrder),
            limit: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(orders.entries.len(), 3);
    assert!(
        orders
            .entries
            .iter()
            .all(|e| e.stream_type == StreamType::SalesOrder)
    );
    let cursor = orders.next_before.expect("a second page");
    let page2 = history::timeline(
        db.conn(),
        &TimelineFilter {
            stream_type: Some(StreamType::SalesOrder),
            before_seq: Some(cursor),
            limit: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page2.entries.len(), 1);
    assert_eq!(page2.entries[0].event_type, "OrderCreated");
    assert_eq!(page2.next_before, None);

    let by_user = history::timeline(
        db.conn(),
        &TimelineFilter {
            user: Some("nobody".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(by_user.entries.is_empty());
    let by_type = history::timeline(
        db.conn(),
        &TimelineFilter {
            event_type: Some("OrderLineAdded".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_type.entries.len(), 3);
    let activity = history::activity(db.conn(), &TimelineFilter::default()).unwrap();
    assert_eq!(activity.iter().map(|d| d.events).sum::<i64>(), 6);
}
