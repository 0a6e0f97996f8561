//! A whole order's life through the friendly subcommands.

use crate::support::{int, shop, text};

#[test]
fn an_order_from_draft_to_invoice() {
    let b = shop();
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "CHAIR",
        "-q",
        "2",
        "--discount",
        "10",
    ]);
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "pen",
        "--quantity",
        "10",
    ]);
    let added = b.json(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "-q",
        "3",
        "--price",
        "4,00",
    ]);
    assert_eq!(text(&added, "/number"), "SO-00001");
    assert!(added["created"].is_string(), "the new line's id: {added}");
    b.ok(&["order", "address", "SO-00001", "Head office"]);
    b.ok(&[
        "order",
        "details",
        "SO-00001",
        "--reference",
        "PO-7781",
        "--notes",
        "Back door",
    ]);
    let placed = b.ok(&["order", "place", "SO-00001"]);
    assert!(placed.contains("placed order SO-00001"), "{placed}");

    // 2 x 149.95 - 10% = 269.91 and 10 x 1.25 = 12.50 at 21%; 3 x 4.00 = 12.00 at 9%.
    let order = b.json(&["show", "SO-00001"]);
    assert_eq!(text(&order, "/order/status"), "placed");
    assert_eq!(order["lines"].as_array().map(Vec::len), Some(3));
    assert_eq!(int(&order, "/lines/0/net"), 26991);
    assert_eq!(int(&order, "/lines/0/discount_bp"), 1000);
    assert_eq!(int(&order, "/lines/2/unit_price"), 400);
    assert_eq!(int(&order, "/totals/net"), 29441);
    // VAT per rate, rounded once: 282.41 x 21% = 59.3061 -> 59.31; 12.00 x 9% = 1.08.
    assert_eq!(int(&order, "/totals/per_rate/0/rate_bp"), 900);
    assert_eq!(int(&order, "/totals/per_rate/0/vat"), 108);
    assert_eq!(int(&order, "/totals/per_rate/1/vat"), 5931);
    assert_eq!(int(&order, "/totals/vat"), 6039);
    assert_eq!(int(&order, "/totals/gross"), 35480);
    assert_eq!(int(&order, "/order/gross"), 35480);
    assert_eq!(text(&order, "/order/customer_reference"), "PO-7781");
    assert_eq!(text(&order, "/delivery_address/city"), "Amsterdam");

    // The same order by id, and as text with right-aligned money.
    let id = text(&order, "/order/id").to_string();
    assert_eq!(b.json(&["order", "show", &id]), order);
    let shown = b.ok(&["show", "SO-00001"]);
    assert!(shown.contains("Gross (EUR)"), "{shown}");
    assert!(shown.contains("354.80"), "{shown}");

    // The customer's open total counts the placed order.
    let customer = b.json(&["customer", "show", "C-00001"]);
    assert_eq!(int(&customer, "/customer/open_total"), 35480);

    b.ok(&["order", "deliver", "SO-00001"]);
    b.ok(&["order", "invoice", &id]);
    let invoiced = b.json(&["orders", "--status", "invoiced"]);
    assert_eq!(int(&invoiced, "/total"), 1);
    assert_eq!(text(&invoiced, "/rows/0/number"), "SO-00001");
    let customer = b.json(&["customer", "show", "C-00001"]);
    assert_eq!(int(&customer, "/customer/open_total"), 0);
}

#[test]
fn lines_change_and_go_and_rules_are_enforced() {
    let b = shop();
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "PEN",
        "-q",
        "5",
    ]);
    b.ok(&[
        "order",
        "add-line",
        "SO-00001",
        "--product",
        "TEA",
        "-q",
        "1",
    ]);
    b.ok(&[
        "order",
        "change-line",
        "SO-00001",
        "1",
        "-q",
        "7",
        "--discount",
        "12.5",
    ]);
    b.ok(&["order", "remove-line", "SO-00001", "TEA"]);
    let order = b.json(&["show", "SO-00001"]);
    assert_eq!(order["lines"].as_array().map(Vec::len), Some(1));
    assert_eq!(int(&order, "/lines/0/quantity"), 7);
    assert_eq!(int(&order, "/lines/0/discount_bp"), 1250);

    // A spending limit below the order holds it for a manager; refused, it is a draft
    // again.
    b.ok(&["customer", "limit", "C-00001", "5.00"]);
    let line = b.ok(&["order", "place", "SO-00001"]);
    assert!(
        line.contains("held") && line.contains("spending limit"),
        "{line}"
    );
    b.ok(&["order", "refuse", "SO-00001", "--reason", "limit first"]);
    b.ok(&["customer", "limit", "C-00001", "none"]);
    // Blocked customers cannot place orders.
    b.ok(&[
        "customer",
        "block",
        "C-00001",
        "--reason",
        "Payment overdue",
    ]);
    let line = b.fails(&["order", "place", "SO-00001"], 1);
    assert!(line.contains("blocked"), "{line}");
    b.ok(&["customer", "unblock", "C-00001"]);
    b.ok(&["order", "place", "SO-00001"]);
    // No lines after placing.
    let line = b.fails(&["order", "add-line", "SO-00001", "--product", "PEN"], 1);
    assert!(line.contains("only draft orders"), "{line}");
    b.ok(&[
        "order",
        "cancel",
        "SO-00001",
        "--reason",
        "Changed their mind",
    ]);
    let line = b.fails(&["order", "cancel", "SO-00001"], 1);
    assert!(line.contains("already cancelled"), "{line}");

    // Discontinued products cannot be ordered; reinstated ones can.
    b.ok(&["product", "discontinue", "CHAIR"]);
    let copy = b.json(&["order", "duplicate", "SO-00001"]);
    let number = text(&copy, "/number").to_string();
    assert_ne!(number, "SO-00001");
    let line = b.fails(&["order", "add-line", &number, "--product", "CHAIR"], 1);
    assert!(line.contains("discontinued"), "{line}");
    let list = b.json(&["product", "list"]);
    assert_eq!(int(&list, "/total"), 2);
    let all = b.json(&["product", "list", "--all", "--search", "chair"]);
    assert_eq!(int(&all, "/total"), 1);
    b.ok(&["product", "reinstate", "CHAIR"]);
    b.ok(&["order", "add-line", &number, "--product", "CHAIR"]);
}

#[test]
fn customers_and_products_are_updated_by_number_and_code() {
    let b = shop();
    b.ok(&[
        "customer",
        "update",
        "C-00001",
        "--name",
        "Acme Office B.V.",
        "--email",
        "",
    ]);
    b.ok(&[
        "customer",
        "address-change",
        "C-00001",
        "1",
        "--street",
        "Damrak 2",
    ]);
    b.ok(&[
        "customer",
        "address-add",
        "C-00001",
        "--label",
        "Warehouse",
        "--street",
        "Havenweg 9",
        "--city",
        "Zaandam",
        "--country",
        "NL",
    ]);
    b.ok(&["customer", "address-remove", "C-00001", "warehouse"]);
    let c = b.json(&["customer", "show", "C-00001"]);
    assert_eq!(text(&c, "/customer/name"), "Acme Office B.V.");
    assert!(c["customer"]["email"].is_null(), "{c}");
    assert_eq!(text(&c, "/customer/vat_number"), "NL123456789B01");
    assert_eq!(c["addresses"].as_array().map(Vec::len), Some(1));
    assert_eq!(text(&c, "/addresses/0/street"), "Damrak 2");
    assert_eq!(text(&c, "/addresses/0/postal_code"), "1012 LG");

    b.ok(&["product", "update", "pen", "--price", "1.35"]);
    let p = b.json(&["product", "show", "PEN"]);
    assert_eq!(int(&p, "/unit_price"), 135);
    assert_eq!(text(&p, "/description"), "Ballpoint pen, blue");
    assert_eq!(text(&p, "/vat_class"), "standard");

    let second = b.json(&[
        "customer",
        "add",
        "--name",
        "Jan de Vries",
        "--kind",
        "person",
    ]);
    assert_eq!(text(&second, "/number"), "C-00002");
    let list = b.json(&["customer", "list", "--search", "vries"]);
    assert_eq!(int(&list, "/total"), 1);
    assert_eq!(text(&list, "/rows/0/kind"), "person");
}
