//! Held orders through the real `daybook`: a placement over the spending limit is held
//! (exit 0, said so), waits in `daybook approvals` (table and `--json`), is refused
//! back to draft with a reason or released to placed; the order list filters on held.

use crate::support::{int, shop, text};

#[test]
fn a_held_order_is_refused_then_released_from_the_approvals_queue() {
    let b = shop();
    b.ok(&["order", "add-line", "SO-00001", "--product", "CHAIR"]);
    assert_eq!(b.ok(&["approvals"]), "no held orders\n");
    // 149.95 + 21% VAT = 181.44 over a limit of 100.00.
    b.ok(&["customer", "limit", "C-00001", "100.00"]);
    let placed = b.ok(&["order", "place", "SO-00001"]);
    assert!(placed.contains("order SO-00001 is held"), "{placed}");

    let queue = b.json(&["approvals"]);
    assert_eq!(queue.as_array().map(Vec::len), Some(1));
    assert_eq!(text(&queue, "/0/number"), "SO-00001");
    assert_eq!(
        text(&queue, "/0/customer_name"),
        "Acme Kantoorartikelen B.V."
    );
    assert_eq!(int(&queue, "/0/amount"), 18_144);
    assert_eq!(int(&queue, "/0/limit"), 10_000);
    assert_eq!(int(&queue, "/0/open_total"), 0);
    let table = b.ok(&["approvals"]);
    assert!(
        table.contains("SO-00001") && table.contains("181.44") && table.contains("100.00"),
        "{table}"
    );
    let held = b.json(&["orders", "--status", "held"]);
    assert_eq!(int(&held, "/total"), 1);
    let shown = b.json(&["show", "SO-00001"]);
    assert_eq!(text(&shown, "/order/status"), "held");

    // A held order's lines are fixed; refusing needs a reason.
    let line = b.fails(&["order", "add-line", "SO-00001", "--product", "PEN"], 1);
    assert!(line.contains("held"), "{line}");
    let line = b.fails(&["order", "refuse", "SO-00001", "--reason", " "], 1);
    assert!(line.contains("reason is required"), "{line}");

    let refused = b.ok(&["order", "refuse", "SO-00001", "--reason", "Pay first"]);
    assert!(refused.contains("refused order SO-00001"), "{refused}");
    assert_eq!(
        text(&b.json(&["show", "SO-00001"]), "/order/status"),
        "draft"
    );
    assert_eq!(b.ok(&["approvals"]), "no held orders\n");
    // Releasing what is not held is a domain refusal (exit 1) that says why.
    let line = b.fails(&["order", "release", "SO-00001"], 1);
    assert!(line.contains("only a held order"), "{line}");

    b.ok(&["order", "place", "SO-00001"]);
    let released = b.ok(&["order", "release", "SO-00001"]);
    assert!(released.contains("released order SO-00001"), "{released}");
    let shown = b.json(&["show", "SO-00001"]);
    assert_eq!(text(&shown, "/order/status"), "placed");
    let customer = b.json(&["show", "C-00001"]);
    assert_eq!(int(&customer, "/customer/open_total"), 18_144);
    let history = b.ok(&["history", "SO-00001"]);
    for title in ["Held", "Refused", "Released"] {
        assert!(history.contains(title), "{title} in {history}");
    }
}
