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
        Number    Held              By      Customer              Amount  Open  Limit
        SO-00003  2026-03-09 10:00  tester  Brouwerij Noord B.V.   16.34  0.00  10.00
        1 held order: daybook order release NUMBER, or daybook order refuse NUMBER --reason TEXT
    "#]]
    .assert_eq(&b.ok(&["approvals"]));
    expect![[r#"
        [
          {
            "id": "00000000-0000-0000-0000-000000000003",
            "number": "SO-00003",
            "customer_id": "00000000-0000-0000-0000-0000000000c1",
            "customer_name": "Brouwerij Noord B.V.",
            "customer_number": "C-00001",
            "currency": "EUR",
            "amount": 1634,
            "limit": 1000,
            "open_total": 0,
            "blocked": false,
            "held_by": "tester",
            "held_at": "2026-03-09T10:00:00Z"
          }
        ]
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
        no held orders
    "#]]
    .assert_eq(&b.ok(&["approvals"]));
    expect![[r#"
        Order SO-00003 (00000000-0000-0000-0000-000000000003): 6 changes
        #1   2026-03-03 10:00:00 UTC  tester on ci  Order created
              SO-00003 for Brouwerij Noord B.V. (C-00001), in EUR
        #2   2026-03-03 11:00:00 UTC  tester on ci  Line added
              Line 1 · 10 × PEN Ballpoint pen, blue at EUR 1.35, VAT 21%
        #3   2026-03-09 10:00:00 UTC  tester on ci  Held
              Held over the spending limit: the order (EUR 16.34) and the open orders (EUR 0.00) come to more than the limit of EUR 10.00
              Status: draft → held for a manager on 9 Mar 2026 10:00
        #4   2026-03-09 11:00:00 UTC  tester on ci  Refused
              Reason: Pay the open invoices first
              Status: held → draft on 9 Mar 2026 11:00
        #5   2026-03-09 12:00:00 UTC  tester on ci  Held
              Held over the spending limit: the order (EUR 16.34) and the open orders (EUR 0.00) come to more than the limit of EUR 10.00
              Status: draft → held for a manager on 9 Mar 2026 12:00
        #6   2026-03-09 13:00:00 UTC  tester on ci  Released
              Open orders before it: EUR 0.00
              Status: held → placed on 9 Mar 2026 13:00
    "#]]
    .assert_eq(&b.ok(&["history", "SO-00003"]));
    expect![[r#"
        exit 1
        error: the order is placed; only a held order can be released or refused
    "#]]
    .assert_eq(&seen(&b, &["order", "release", "SO-00003"]));
}
