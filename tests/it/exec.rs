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
    // Created (with the customer's first address), then the line.
    let last = &history["entries"][2];
    assert_eq!(text(last, "/issued_at"), "2025-03-01T10:00:00Z");
    assert_eq!(text(last, "/user"), "tester");
    assert_eq!(text(last, "/device"), "ci");
}

#[test]
fn exec_stream_acknowledges_each_line_after_it_commits() {
    let b = Book::new();
    let customer = "01890a5d-ac96-774b-bcce-b302099a8057";
    let register = json!({
        "type": "RegisterCustomer",
        "customer_id": customer,
        "number": "K-1",
        "kind": "organisation",
        "name": "Stream Trading Ltd"
    })
    .to_string();
    let block = json!({"type": "BlockCustomer", "customer_id": customer, "reason": "late"});
    let input = format!("{register}\nnot json\n\n{register}\n{block}\n");
    let r = b.run_with_stdin(&["exec", "--stream"], &input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let acks: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        acks.len(),
        4,
        "one line per non-blank input line: {}",
        r.stdout
    );
    assert_eq!(acks[0]["ok"], json!(true));
    assert_eq!(acks[0]["events"], json!(["CustomerRegistered"]));
    assert_eq!(acks[1]["ok"], json!(false));
    assert_eq!(acks[1]["error"]["code"], json!("invalid_input"));
    assert_eq!(acks[2]["ok"], json!(false));
    assert_eq!(acks[2]["error"]["code"], json!("already_exists"));
    assert_eq!(int(&acks[3], "/line"), 5);
    assert_eq!(acks[3]["events"], json!(["CustomerBlocked"]));
    let shown = b.json(&["show", "K-1"]);
    assert_eq!(text(&shown, "/customer/id"), customer);
    // A command JSON and --stream together are a usage error.
    b.fails(&["exec", "--stream", &register], 2);
}
