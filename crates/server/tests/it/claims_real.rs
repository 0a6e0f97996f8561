//! Findings 5 and 8 against the real binary over HTTP: a reused command id from
//! another device, and device sequences and times no server should take, are refused
//! per command with codes a client recovers from; no device is bricked.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::real::*;
use crate::support::{Outbox, register_product};

async fn push(server: &RealServer, t: &Tenant, token: &str, commands: Value) -> Value {
    let r = daybook_testkit::http::client()
        .post(server.commands_uri(t))
        .bearer_auth(token)
        .json(&json!({ "commands": commands }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn codes(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r["outcome"]["status"].as_str() {
            Some("rejected") => r["outcome"]["error"]["code"].as_str().unwrap().to_string(),
            s => s.unwrap_or("?").to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_ids_and_wild_claims_are_refused_per_command_and_brick_nothing() {
    let (dir, tenants) = data_with(1).await;
    let t = tenants[0].clone();
    let (_, second) = another_token(dir.path(), &t, "desk").await;
    let (_, third) = another_token(dir.path(), &t, "till").await;
    let server = start(dir, None, &["--rate", "0"]);
    let mut ob = Outbox::new();
    let first = serde_json::to_value(ob.cmd(register_product("A", 1).1)).unwrap();
    assert_eq!(
        codes(&push(&server, &t, &t.token, json!([first.clone()])).await),
        ["accepted"]
    );

    // Finding 5: the same id with other content from another device, and the very
    // same envelope from a third: refused (not "duplicate"), and both still pull.
    let mut other = serde_json::to_value(Outbox::new().cmd(register_product("B", 1).1)).unwrap();
    other["envelope"]["command_id"] = first["envelope"]["command_id"].clone();
    assert_eq!(
        codes(&push(&server, &t, &second, json!([other])).await),
        ["command_id_reused"]
    );
    assert_eq!(
        codes(&push(&server, &t, &third, json!([first])).await),
        ["command_id_reused"]
    );
    for token in [&second, &third] {
        let r = daybook_testkit::http::client()
            .get(format!(
                "{}/v1/accounts/{}/events?after=0",
                server.base, t.account
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        assert_eq!(page["head"], 1, "only the first command's event");
    }

    // Finding 8: a sequence at 2^63-1 and times in year 1 and far ahead are refused
    // per command; the device's next ordinary push goes through.
    let mut far = serde_json::to_value(ob.cmd(register_product("FAR", 1).1)).unwrap();
    far["device_seq"] = json!(i64::MAX);
    let mut old =
        serde_json::to_value(Outbox { seq: 1 }.cmd(register_product("OLD", 1).1)).unwrap();
    old["envelope"]["issued_at"] = json!("0001-01-01T00:00:00Z");
    let mut late =
        serde_json::to_value(Outbox { seq: 2 }.cmd(register_product("LATE", 1).1)).unwrap();
    late["envelope"]["issued_at"] = json!("+262142-12-31T23:59:59Z");
    let answer = push(&server, &t, &t.token, json!([old, late, far])).await;
    assert_eq!(
        codes(&answer),
        [
            "issued_at_out_of_range",
            "issued_at_out_of_range",
            "device_seq_too_far"
        ],
        "{answer}"
    );
    let mut next =
        serde_json::to_value(Outbox { seq: 3 }.cmd(register_product("NEXT", 1).1)).unwrap();
    next["envelope"]["command_id"] = json!(Uuid::now_v7());
    assert_eq!(
        codes(&push(&server, &t, &t.token, json!([next])).await),
        ["accepted"]
    );
}
