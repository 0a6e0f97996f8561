//! A draft given to another customer and a draft discarded (`order customer`, `order
//! discard`): what is printed, the lists without the discarded draft, its history in
//! words, and the refusals.

use expect_test::expect;

use super::{seen, shop_week};

#[test]
fn snapshots_of_a_drafts_customer_and_discarding() {
    let b = shop_week();
    // SO-00003 is Brouwerij Noord's draft; Anna has no address, so none is left.
    expect![[r#"
        exit 0
        order SO-00003 is now for Anna de Vries
    "#]]
    .assert_eq(&seen(&b, &["order", "customer", "SO-00003", "C-00002"]));
    expect![[r#"
        exit 0
        order SO-00003 is now for Brouwerij Noord B.V.
    "#]]
    .assert_eq(&seen(&b, &["order", "customer", "SO-00003", "C-00001"]));
    // A placed order keeps its customer; a blocked customer takes no draft.
    expect![[r#"
        exit 1
        error: the order is placed; only draft orders can be changed
    "#]]
    .assert_eq(&seen(&b, &["order", "customer", "SO-00002", "C-00001"]));
    expect![[r#"
        exit 1
        error: the customer is blocked and cannot place orders
    "#]]
    .assert_eq(&seen(&b, &["order", "customer", "SO-00003", "C-00003"]));
    expect![[r#"
        exit 1
        error: the order is placed; only draft orders can be changed
    "#]]
    .assert_eq(&seen(&b, &["order", "discard", "SO-00002"]));
    expect![[r#"
        exit 0
        discarded draft order SO-00003; its history stays
    "#]]
    .assert_eq(&seen(&b, &["order", "discard", "SO-00003"]));
    expect![[r#"
        Number    Created           Customer              Status     Lines     Net    VAT   Gross  Reference
        SO-00001  2026-03-02 20:00  Brouwerij Noord B.V.  invoiced       3  433.41  89.40  522.81  PO-2026-031
        SO-00002  2026-03-03 07:00  Anna de Vries         placed         1   22.50   2.03   24.53
        SO-00004  2026-03-03 12:00  Anna de Vries         cancelled      1  149.95  31.49  181.44
        3 of 3 orders
    "#]].assert_eq(&b.ok(&["orders"]));
    expect![[r#"
        exit 1
        error: the order was discarded; it can no longer be changed
    "#]]
    .assert_eq(&seen(&b, &["order", "place", "SO-00003"]));
    // The commands above were given now: their times are masked.
    expect![[r#"
        Order SO-00003 (00000000-0000-0000-0000-000000000003): 5 changes
        #1   2026-03-03 10:00:00 UTC  tester on ci  Order created
              SO-00003 for Brouwerij Noord B.V. (C-00001), in EUR
        #2   2026-03-03 11:00:00 UTC  tester on ci  Line added
              Line 1 · 10 × PEN Ballpoint pen, blue at EUR 1.35, VAT 21%
        #3  <now>  tester on ci  Customer changed
              Customer: Brouwerij Noord B.V. (C-00001) → Anna de Vries (C-00002)
              Delivery address: none (the customer has no address)
        #4  <now>  tester on ci  Customer changed
              Customer: Anna de Vries (C-00002) → Brouwerij Noord B.V. (C-00001)
              Delivery address: Head office: Damrak 1, 1012 LG Amsterdam, NL
        #5  <now>  tester on ci  Discarded
              Status: draft → discarded on <now>"#]]
    .assert_eq(&masked(&b.ok(&["history", "SO-00003"])));
}

/// The history with the times of what was done now (entries 3 on) masked.
fn masked(history: &str) -> String {
    history
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if ["#3", "#4", "#5"].iter().any(|n| t.starts_with(n)) {
                let (n, rest) = t.split_at(2);
                let who = rest.find(" UTC").map_or(rest, |i| &rest[i + 4..]);
                format!("{n}  <now>{who}")
            } else if let Some(i) = l.find(" on ").filter(|_| l.contains("→ discarded")) {
                format!("{} on <now>", &l[..i])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_new_order_delivers_to_the_customers_first_address() {
    let b = shop_week();
    let created = b.ok(&[
        "order",
        "create",
        "--customer",
        "C-00001",
        "--number",
        "SO-00009",
    ]);
    assert!(
        created.starts_with("created order SO-00009 (id ")
            && created.trim_end().ends_with("), delivering to Head office"),
        "{created}"
    );
    let shown = b.ok(&["show", "SO-00009"]);
    assert!(
        shown.contains("deliver to   Head office: Damrak 1, 1012 LG Amsterdam, NL"),
        "{shown}"
    );
    // A customer without addresses: none.
    let created = b.ok(&[
        "order",
        "create",
        "--customer",
        "C-00002",
        "--number",
        "SO-00010",
    ]);
    assert!(created.trim_end().ends_with(')'), "{created}");
    assert!(!b.ok(&["show", "SO-00010"]).contains("deliver to"));
}
