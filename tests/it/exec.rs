//! `daybook exec`: any domain command as JSON, from the argument or stdin.

use serde_json::json;

use crate::support::{Book, int, shop, text};

#[test]
fn exec_runs_a_json_command() {
    let b = Book::new();
    let customer = "01890a5d-ac96-774b-bcce-b302099a8057";
    let register = json!({
        "type": "RegisterCustomer",
        "customer_id": customer,
        "number": "K-1",
        "kind": "organisation",
        "name": "Exec Trading Ltd",
        "spending_limit": 100000
    });
    let outcome = b.json(&["exec", &register.to_string()]);
    assert_eq!(outcome["events"], json!(["CustomerRegistered"]));
    assert_eq!(int(&outcome, "/revision"), 1);
    let shown = b.json(&["show", "K-1"]);
    assert_eq!(text(&shown, "/customer/id"), customer);
    assert_eq!(int(&shown, "/customer/spending_limit"), 100000);

    // From stdin, as text.
    let block = json!({"type": "BlockCustomer", "customer_id": customer, "reason": "test"});
    let r = b.run_with_stdin(&["exec", "-"], &block.to_string());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("CustomerBlocked"), "{}", r.stdout);
}

#[test]
fn an_envelope_is_applied_once() {
    let b = shop();
    let order = b.json(&["show", "SO-00001"]);
    let order_id = text(&order, "/order/id");
    let product = b.json(&["show", "PEN"]);
    let envelope = json!({
        "command_id": "01890a5d-ac96-774b-bcce-b302099a8058",
        "issued_at": "2025-03-01T10:00:00Z",
        "command": {
            "type": "AddOrderLine",
            "order_id": order_id,
            "line_id": "01890a5d-ac96-774b-bcce-b302099a8059",
            "product_id": product["id"],
            "quantity": 4
        }
    })
    .to_string();
    let first = b.json(&["exec", &envelope]);
    assert_eq!(first["duplicate"], json!(false));
    let stats = b.json(&["stats"]);
    let again = b.json(&["exec", &envelope]);
    assert_eq!(again["duplicate"], json!(true));
    assert_eq!(b.json(&["stats"]), stats);
    // The envelope's time is the event's business time.
    let history = b.json(&["history", "SO-00001"]);
    let last = &history["entries"][1];
    assert_eq!(text(last, "/issued_at"), "2025-03-01T10:00:00Z");
    assert_eq!(text(last, "/user"), "tester");
    assert_eq!(text(last, "/device"), "ci");
}
