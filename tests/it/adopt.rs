//! A store worked in on its own, never connected, becomes an account's through the
//! real binaries: its owner signs in as the new account's admin and everything it
//! holds (manager-only work and invoices included) goes in under their name, with its
//! numbers; a store with work of its own cannot join an account that has data.

use crate::people::{PASSWORD, add_user, login};
use crate::support::{Book, int, stock, text};
use crate::sync::Server;

#[test]
fn an_owners_store_becomes_an_empty_accounts_log_with_its_numbers_under_the_admins_name() {
    let server = Server::start();
    add_user(&server, "olivia@example.com", "Olivia Owner", "admin");
    add_user(&server, "carl@example.com", "Carl Clerk", "clerk");

    // Given: a store its owner used on their own: products (a manager's), an order
    // placed, delivered and invoiced (a manager's).
    let store = stock(Book::new());
    for (product, quantity) in [("CHAIR", "2"), ("PEN", "10")] {
        store.ok(&[
            "order",
            "add-line",
            "SO-00001",
            "--product",
            product,
            "-q",
            quantity,
        ]);
    }
    store.ok(&["order", "place", "SO-00001"]);
    store.ok(&["order", "deliver", "SO-00001"]);
    let id = text(&store.json(&["show", "SO-00001"]), "/order/id").to_string();
    store.ok(&["order", "invoice", &id]);
    // A store of its own numbers its invoices; the account keeps the number.
    assert_eq!(
        int(&store.json(&["show", "SO-00001"]), "/invoice_number"),
        1
    );
    let waiting = int(&store.json(&["sync", "--status"]), "/pending");
    assert!(waiting >= 8, "{waiting} commands wait");

    // A clerk cannot bring it in: nothing kept, the owner works on.
    let r = login(&store, &server, "carl@example.com", PASSWORD);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("admin"), "{}", r.stderr);

    // When: the owner signs in as the account's admin and syncs.
    let r = login(&store, &server, "olivia@example.com", PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let olivia = store.as_user("olivia@example.com");
    olivia.ok(&["sync"]);

    // Then: all of it went in, none needs attention, and the history names her.
    let status = olivia.json(&["sync", "--status"]);
    assert_eq!(int(&status, "/pending"), 0, "{status}");
    assert_eq!(olivia.ok(&["attention"]), "nothing needs attention\n");
    let history = olivia.ok(&["history", "SO-00001"]);
    assert!(history.contains("Olivia Owner on "), "{history}");
    assert!(!history.contains(" tester "), "{history}");
    let order = olivia.json(&["show", "SO-00001"]);
    assert_eq!(text(&order, "/order/status"), "invoiced");
    assert_eq!(int(&order, "/invoice_number"), 1, "{order}");

    // A new colleague's empty store gets the same account: the same order, same number.
    let colleague = Book::new().as_user("olivia@example.com");
    assert_eq!(
        login(&colleague, &server, "olivia@example.com", PASSWORD).code,
        0
    );
    colleague.ok(&["sync"]);
    let theirs = colleague.json(&["show", "SO-00001"]);
    assert_eq!(theirs["totals"], order["totals"]);
    assert_eq!(int(&theirs, "/invoice_number"), 1);

    // A second store with work of its own cannot join the account that has data now.
    let other = Book::new();
    other.ok(&["customer", "add", "--name", "Somebody Else B.V."]);
    let r = login(&other, &server, "olivia@example.com", PASSWORD);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("needs an empty store") && r.stderr.contains("another --data directory"),
        "{}",
        r.stderr
    );
    // Nothing was kept: it is still its owner's, and works on.
    other.ok(&["customer", "add", "--name", "Another One"]);
    assert_eq!(int(&other.json(&["sync", "--status"]), "/pending"), 2);

    // Nor does a device token merge it: its first sync refuses, before anything moves.
    let token = server.token("integration");
    let r = other.run(&["--server", &server.url(), "--token", &token, "sync"]);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("needs an empty store"), "{said}");
    assert_eq!(int(&other.json(&["sync", "--status"]), "/pending"), 2);
    let theirs = colleague.json(&["customer", "list"]).to_string();
    assert!(!theirs.contains("Somebody Else"), "{theirs}");
    colleague.ok(&["sync"]);
    let theirs = colleague.json(&["customer", "list"]).to_string();
    assert!(
        !theirs.contains("Somebody Else"),
        "nothing reached the account: {theirs}"
    );
}
