//! `daybook demo`: a year of data through real commands, then the lists read it.

use serde_json::Value;

use crate::support::{Book, int};

#[test]
fn demo_data_fills_the_order_list() {
    let b = Book::new();
    let report = b.json(&["demo", "--orders", "60", "--seed", "5"]);
    assert_eq!(int(&report, "/orders"), 60);
    assert_eq!(int(&report, "/customers"), 5);
    assert_eq!(int(&report, "/products"), 10);
    assert_eq!(
        int(&report, "/accepted") + int(&report, "/refused"),
        int(&report, "/commands")
    );

    let page = b.json(&["orders", "--limit", "1000"]);
    let rows = page["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 60);
    assert_eq!(int(&page, "/total"), 60);
    for row in rows {
        assert!(row["number"].as_str().is_some_and(|n| n.starts_with("SO-")));
        assert!(row["customer_name"].as_str().is_some_and(|n| !n.is_empty()));
        assert_eq!(
            int(row, "/gross"),
            int(row, "/net") + int(row, "/vat"),
            "{row}"
        );
    }

    let stats = b.json(&["stats"]);
    assert_eq!(int(&stats, "/orders"), 60);
    assert_eq!(int(&stats, "/events"), int(&report, "/events"));

    // The text list is a table with a count.
    let text = b.ok(&["orders", "--limit", "5", "--sort", "gross", "--desc"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Number"), "{text}");
    assert_eq!(lines.last(), Some(&"5 of 60 orders"), "{text}");

    // A year of history for the dashboard.
    let dash = b.json(&["dashboard"]);
    assert!(
        dash["days"].as_array().is_some_and(|d| d.len() > 10),
        "{dash}"
    );
}

/// An order held for a manager (over the spending limit) waits in the approvals queue:
/// the demo neither delivers nor invoices it, so nothing is refused for it.
#[test]
fn held_demo_orders_wait_for_a_manager_and_nothing_is_refused_for_them() {
    let b = Book::new();
    let report = b.json(&["demo", "--orders", "3000", "--seed", "5"]);
    let refusals = &report["refusals"];
    assert!(refusals.get("not_delivered").is_none(), "{refusals}");
    assert!(refusals.get("not_placed").is_none(), "{refusals}");
    let held = b.json(&["approvals"]);
    assert!(held.as_array().is_some_and(|h| !h.is_empty()), "{report}");
}

#[test]
fn demo_refuses_a_daybook_with_data_and_filters_work_on_it() {
    let b = Book::new();
    b.ok(&["demo", "--orders", "40", "--seed", "9"]);
    let line = b.fails(&["demo", "--orders", "10"], 2);
    assert!(line.contains("empty"), "{line}");

    let placed = b.json(&["orders", "--status", "placed,delivered", "--limit", "1000"]);
    for row in placed["rows"].as_array().expect("rows") {
        let s = row["status"].as_str().unwrap_or_default();
        assert!(s == "placed" || s == "delivered", "{row}");
    }
    // One customer's orders, by customer number.
    let mine = b.json(&["orders", "--customer", "C-00001", "--limit", "1000"]);
    let customer = b.json(&["show", "C-00001"]);
    let id = customer["customer"]["id"].clone();
    assert!(
        mine["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["customer_id"] == id)
    );
    assert_eq!(
        int(&mine, "/total"),
        int(&customer, "/customer/order_count")
    );
    // Sorted by gross, descending.
    let by_gross = b.json(&["orders", "--sort", "gross", "--desc", "--limit", "1000"]);
    let grosses: Vec<i64> = by_gross["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["gross"].as_i64().unwrap_or_default())
        .collect();
    assert!(grosses.windows(2).all(|w| w[0] >= w[1]), "{grosses:?}");
    // Paging.
    let second = b.json(&[
        "orders", "--sort", "number", "--offset", "10", "--limit", "5",
    ]);
    let numbers: Vec<&Value> = second["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| &r["number"])
        .collect();
    assert_eq!(numbers.len(), 5);
    assert_eq!(numbers[0], "SO-00011");
}

/// The number of events an account's server database holds.
fn server_events(server: &crate::sync::Server) -> i64 {
    let conn = rusqlite::Connection::open(server.account_db()).expect("the account's database");
    conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("events are counted")
}

/// Demo data never reaches a real account, whichever way a server is given: `--server`
/// on any command, `exec --stream`, a demo backup restored into a connected store. Each
/// is refused with the way out, and the real server receives no command.
#[test]
fn demo_data_never_reaches_a_server() {
    let server = crate::sync::Server::start();
    let url = server.url();
    let token = server.token("demo-laptop");
    let b = Book::new();
    b.ok(&["demo", "--orders", "20", "--seed", "3"]);

    for args in [
        vec!["--server", url.as_str(), "--token", token.as_str(), "sync"],
        vec![
            "--server",
            url.as_str(),
            "--token",
            token.as_str(),
            "orders",
        ],
        vec!["--server", url.as_str(), "stats"],
    ] {
        let line = b.fails(&args, 2);
        assert!(
            line.contains("demo data") && line.contains("clean store"),
            "{line}"
        );
    }
    let register = r#"{"type":"RegisterCustomer","customer_id":"0190f6c2-0000-7000-8000-000000000001","number":"C-900","name":"Acme"}"#;
    let r = b.run_with_stdin(
        &["--server", &url, "--token", &token, "exec", "--stream"],
        &format!("{register}\n"),
    );
    assert_eq!(r.code, 2, "{}{}", r.stderr, r.stdout);
    assert!(r.stderr.contains("demo data"), "{}", r.stderr);

    // A backup of the demo store, restored into a store that is connected: the demo
    // mark travels with it, and nothing is pushed.
    let backup = b.dir().join("demo-backup.sqlite3");
    b.ok(&["backup", backup.to_str().expect("a UTF-8 path")]);
    let c = Book::new();
    c.ok(&["--server", &url, "--token", &token, "sync"]);
    c.ok(&["restore", backup.to_str().expect("a UTF-8 path"), "--yes"]);
    // Whether the restore kept the connection (refused: demo data) or took the
    // backup's settings (no server), nothing is pushed; giving the server again is
    // refused.
    let r = c.run(&["sync"]);
    assert_ne!(r.code, 0, "{}{}", r.stderr, r.stdout);
    assert!(
        r.stderr.contains("demo data") || r.stderr.contains("no server configured"),
        "{}",
        r.stderr
    );
    let line = c.fails(&["--server", &url, "--token", &token, "sync"], 2);
    assert!(line.contains("demo data"), "{line}");

    assert_eq!(server_events(&server), 0, "the server received demo data");
}
