//! The server takes exactly what `openapi.json` admits, at the edges the API tester
//! (`make api-check`) found: whole numbers spelled as JSON Schema allows, the 64-bit
//! bound of the pull query, and the rules of a pushed user (`USER_PATTERN`).

use axum::http::StatusCode;
use daybook_protocol::{MAX_USER_CHARS, PullResponse, PushRequest, USER_PATTERN};
use serde_json::json;

use crate::support::*;

fn push_json(f: &Fixture, body: serde_json::Value) -> axum::http::Request<axum::body::Body> {
    post(
        &commands_uri(f.account),
        Some(&f.token),
        Some("application/json"),
        body.to_string(),
    )
}

/// `2.0` and `1e2` are integers to JSON Schema: accepted wherever an integer is due
/// (here `device_seq`, an amount and a quantity); `2.5` is not and is refused.
#[tokio::test]
async fn whole_numbers_spelled_with_a_fraction_or_an_exponent_are_integers() {
    let f = fixture().await;
    let mut ob = Outbox::new();
    let (product, reg) = register_product("WHOLE", 250);
    let (customer, cust) = register_customer("C-WHOLE", None);
    let (order, create) = create_order("SO-WHOLE", customer);
    let mut body = serde_json::to_value(PushRequest {
        commands: vec![
            ob.cmd(reg),
            ob.cmd(cust),
            ob.cmd(create),
            ob.cmd(add_line(order, product, 3)),
        ],
    })
    .unwrap();
    body["commands"][0]["device_seq"] = json!(1.0);
    body["commands"][0]["envelope"]["command"]["unit_price"] = json!(250.0);
    body["commands"][3]["envelope"]["command"]["quantity"] = json!(1e2);
    let r = send(&f.state, push_json(&f, body.clone())).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let res: daybook_protocol::PushResponse = r.json();
    for result in &res.results {
        accepted(&result.outcome);
    }
    let log = pull_all(&f, 100).await;
    let line = log
        .events
        .iter()
        .find(|e| e.event_type == "OrderLineAdded")
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(line.payload.get()).unwrap();
    assert_eq!(payload["quantity"], 100);

    body["commands"][3]["device_seq"] = json!(5);
    body["commands"][3]["envelope"]["command"]["quantity"] = json!(2.5);
    let r = send(&f.state, push_json(&f, body)).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

/// `limit` is an `int64` like every count of the protocol: above the page maximum it
/// is capped, past 64 bits it is not a number the document admits (400).
#[tokio::test]
async fn the_pull_limit_is_a_64_bit_integer() {
    let f = fixture().await;
    let uri = |limit: &str| format!("/v1/accounts/{}/events?limit={limit}", f.account);
    let r = send(&f.state, get(&uri(&i64::MAX.to_string()), Some(&f.token))).await;
    assert_eq!(r.status, StatusCode::OK);
    let _: PullResponse = r.json();
    let past = (i64::MAX as u64 + 1).to_string();
    send(&f.state, get(&uri(&past), Some(&f.token)))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
}

/// The user is recorded as given, so its rules hold for the whole string: a control
/// character anywhere, or more than `MAX_USER_CHARS` characters counting the spaces
/// around, is refused; spaces around an otherwise fine name are not.
#[tokio::test]
async fn a_pushed_user_is_checked_as_it_is_recorded() {
    let f = fixture().await;
    let long = format!("{} ", "a".repeat(MAX_USER_CHARS));
    for (i, user) in ["\tann", "ann\u{85}", long.as_str(), " \u{a0} "]
        .into_iter()
        .enumerate()
    {
        let mut ob = Outbox::new();
        ob.seq = 10 + i as u64;
        let mut cmd = ob.cmd(register_product(&format!("U{i}"), 1).1);
        cmd.user = user.into();
        push_raw(
            &f,
            &PushRequest {
                commands: vec![cmd],
            },
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    }
    let mut ob = Outbox::new();
    ob.seq = 100;
    let mut cmd = ob.cmd(register_product("U-OK", 1).1);
    cmd.user = " ann ".into();
    let res = push(&f, vec![cmd]).await;
    accepted(&res.results[0].outcome);
    let log = pull_all(&f, 10).await;
    assert_eq!(log.events[0].user, " ann ");
}

/// `USER_PATTERN` (with the document's length bounds) admits exactly the users the
/// server takes.
#[tokio::test]
async fn the_user_pattern_is_the_servers_rule() {
    let pattern = regex::Regex::new(USER_PATTERN).unwrap();
    let mut users: Vec<String> = [
        "ann",
        " ann ",
        "Ann Smith",
        "\u{e9}l\u{e8}ve",
        "\u{1f600}",
        "a\u{200b}",
        "x\u{a0}y",
        "",
        " ",
        "\u{a0}",
        "\u{3000}",
        "\u{2028}",
        "\t",
        "ann\n",
        "\nann",
        "a\u{0}b",
        "a\u{7f}",
        "a\u{85}",
        "a\u{9f}",
        "\u{1680}x",
        "\u{205f}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    users.push("a".repeat(MAX_USER_CHARS));
    users.push(format!("{} ", "a".repeat(MAX_USER_CHARS)));
    let f = fixture().await;
    for (i, user) in users.iter().enumerate() {
        let documented = pattern.is_match(user) && user.chars().count() <= MAX_USER_CHARS;
        let mut ob = Outbox::new();
        ob.seq = 1 + i as u64;
        let mut cmd = ob.cmd(register_product(&format!("P{i}"), 1).1);
        cmd.user = user.clone();
        let r = push_raw(
            &f,
            &PushRequest {
                commands: vec![cmd],
            },
        )
        .await;
        assert_eq!(
            r.status == StatusCode::OK,
            documented,
            "user {user:?}: {}",
            String::from_utf8_lossy(&r.raw)
        );
    }
}
