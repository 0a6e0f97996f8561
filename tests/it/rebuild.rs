//! `daybook rebuild`: replaying the log gives the same read models.

use crate::support::{Book, int};

#[test]
fn rebuild_keeps_the_order_list_identical() {
    let b = Book::new();
    b.ok(&["demo", "--orders", "80", "--seed", "11"]);
    let before = b.json(&["orders", "--limit", "1000"]);
    let customers = b.json(&["customer", "list", "--limit", "1000"]);
    let products = b.json(&["product", "list", "--all", "--limit", "1000"]);
    let dashboard = b.json(&["dashboard"]);
    let stats = b.json(&["stats"]);

    let text = b.ok(&["rebuild"]);
    assert!(
        text.contains(&format!("{} events", int(&stats, "/events"))),
        "{text}"
    );
    let report = b.json(&["rebuild"]);
    assert_eq!(int(&report, "/events"), int(&stats, "/events"));

    assert_eq!(b.json(&["orders", "--limit", "1000"]), before);
    assert_eq!(b.json(&["customer", "list", "--limit", "1000"]), customers);
    assert_eq!(
        b.json(&["product", "list", "--all", "--limit", "1000"]),
        products
    );
    assert_eq!(b.json(&["dashboard"]), dashboard);
    assert_eq!(int(&b.json(&["stats"]), "/events"), int(&stats, "/events"));
}
