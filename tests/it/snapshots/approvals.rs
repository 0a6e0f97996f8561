//! Held orders as `daybook` prints them: the approvals queue (table and `--json`), the
//! history of a hold, a refusal, a second hold and a release, and the refusal of a
//! release of an order that is not held.

use chrono::Duration;
use daybook_domain::*;
use daybook_testkit::{Envelopes, id};
use expect_test::expect;
use serde_json::Value;

use super::*;

/// Runs `commands` through `exec --stream` at fixed times (all accepted) and pins the
/// commit times, as the shop's week does.
fn exec_at(b: &Book, at: &mut Envelopes, commands: Vec<Command>) {
    let lines: Vec<String> = commands
        .into_iter()
        .map(|c| serde_json::to_string(&at.wrap(c)).unwrap())
        .collect();
    for ack in exec_stream(b, &lines).lines() {
        let ack: Value = serde_json::from_str(ack).unwrap();
        assert_eq!(ack["ok"], Value::Bool(true), "accepted: {ack}");
    }
    let conn = rusqlite::Connection::open(b.dir().join("daybook.sqlite3")).unwrap();
    conn.execute("UPDATE events SET committed_at = issued_at", [])
        .unwrap();
}

#[test]
fn snapshots_of_the_approvals_queue_and_a_held_orders_history() {
    let b = shop_week();
    let so3 = id(SO3);
    let mut at = Envelopes::new(0x3000, start() + Duration::days(7), Duration::hours(1));
    // SO-00003 (10 pens, 16.34) of a customer whose limit drops to 10.00: held.
    exec_at(
        &b,
        &mut at,
        vec![
            SetSpendingLimit {
                customer_id: id(ACME),
                limit: Some(Money(1_000)),
            }
            .into(),
            PlaceOrder { order_id: so3 }.into(),
        ],
    );
    expect![[r#"
    "#]]
    .assert_eq(&b.ok(&["approvals"]));
    expect![[r#"
    "#]]
    .assert_eq(&b.ok(&["approvals", "--json"]));

    exec_at(
        &b,
        &mut at,
        vec![
            RefuseHeldOrder {
                order_id: so3,
                reason: "Pay the open invoices first".into(),
            }
            .into(),
            PlaceOrder { order_id: so3 }.into(),
            ReleaseOrder { order_id: so3 }.into(),
        ],
    );
    expect![[r#"
    "#]]
    .assert_eq(&b.ok(&["approvals"]));
    expect![[r#"
    "#]]
    .assert_eq(&b.ok(&["history", "SO-00003"]));
    expect![[r#"
    "#]]
    .assert_eq(&seen(&b, &["order", "release", "SO-00003"]));
}
