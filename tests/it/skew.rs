//! App upgrades across a fleet (version skew), with real processes over real HTTP: an
//! older and a newer build of `daybook` and `daybook-server`. The newer build is the
//! same binary acting as the next one (`DAYBOOK_NEXT_SCHEMA`, which only a build with
//! the domain's `next-schema` feature honours: `daybook_domain::schema`): one event
//! type and one command type one version up, so no second build is compiled.

use std::process::{Child, Command as Process};

use daybook_domain::schema::{PREVIEW_COMMAND, PREVIEW_EVENT, PREVIEW_VAR};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{bin, sibling_bin};
use crate::sync::{admin, rt, spawn_listening};

/// A server of the older (`next` false) or newer build on `data`, and its URL.
fn serve(data: &std::path::Path, next: bool) -> (Child, String) {
    let mut cmd = Process::new(sibling_bin("daybook-server"));
    cmd.arg("--data")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate", "0"]);
    if next {
        cmd.env(PREVIEW_VAR, "1");
    } else {
        cmd.env_remove(PREVIEW_VAR);
    }
    let (child, addr) = spawn_listening(&mut cmd);
    (child, format!("http://{addr}"))
}

fn stop(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

/// `daybook --data DIR ARGS` of the older or newer build: exit code and stdout.
fn daybook(dir: &std::path::Path, next: bool, args: &[&str]) -> (i32, String) {
    let mut c = Process::new(bin());
    c.arg("--data")
        .arg(dir)
        .args(["--user", "tester", "--device", "ci"])
        .args(args)
        .env_remove("DAYBOOK_DATA")
        .env_remove("DAYBOOK_USER")
        .env_remove("DAYBOOK_DEVICE");
    if next {
        c.env(PREVIEW_VAR, "1");
    } else {
        c.env_remove(PREVIEW_VAR);
    }
    let out = c.output().expect("daybook runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("cannot act as the next one"),
        "the binaries need the next-schema feature: build them with \
         `cargo build -p daybook-cli -p daybook-server --features daybook-domain/next-schema` \
         ({stderr})"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn ok(dir: &std::path::Path, next: bool, args: &[&str]) -> String {
    let (code, out) = daybook(dir, next, args);
    assert_eq!(code, 0, "daybook {args:?}: {out}");
    out
}

fn customers(dir: &std::path::Path, next: bool) -> Value {
    serde_json::from_str(&ok(dir, next, &["--json", "customer", "list"])).expect("JSON")
}

/// A newer device writes an event of a newer version; an older device pulls up to it,
/// stops there with "update required" (exit 6) while its own changes still reach the
/// server, and once it is replaced by the newer build it resumes by itself.
#[test]
fn an_older_client_stops_at_a_newer_event_keeps_pushing_and_resumes_once_updated() {
    let data = tempfile::tempdir().expect("a directory");
    let account = admin(data.path(), &["account", "create", "Acme"]);
    let token = |device: &str| {
        admin(
            data.path(),
            &["token", "create", "--account", &account, "--device", device],
        )
    };
    let (newer_token, older_token) = (token("newer"), token("older"));
    // The server is upgraded first.
    let (server, url) = serve(data.path(), true);
    let (newer, older) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let connect = ["--server", &url, "--token"];

    // Both devices connect first (so the numbers they give carry their codes).
    for (dir, next, token) in [(&newer, true, &newer_token), (&older, false, &older_token)] {
        let mut args = connect.to_vec();
        args.extend([token.as_str(), "sync"]);
        ok(dir.path(), next, &args);
    }
    // The newer device: a customer, then blocked (an event of the newer version).
    let early: Value = serde_json::from_str(&ok(
        newer.path(),
        true,
        &["--json", "customer", "add", "--name", "Early B.V."],
    ))
    .expect("JSON");
    let early_id = early["id"].as_str().expect("the new customer's id");
    ok(
        newer.path(),
        true,
        &["customer", "block", early_id, "--reason", "overdue"],
    );
    ok(
        newer.path(),
        true,
        &["customer", "add", "--name", "Late B.V."],
    );
    ok(newer.path(), true, &["sync"]);

    // The older device has its own change, and syncs.
    ok(
        older.path(),
        false,
        &["customer", "add", "--name", "Own B.V."],
    );
    let (code, out) = daybook(older.path(), false, &["sync"]);
    assert_eq!(code, 6, "update required: {out}");
    let status: Value =
        serde_json::from_str(&ok(older.path(), false, &["--json", "sync", "--status"])).unwrap();
    assert_eq!(
        status["pending"], 0,
        "its own change reached the server: {status}"
    );
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> = v
            .as_array()
            .or_else(|| v["rows"].as_array())
            .expect("a list")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("?").to_string())
            .collect();
        n.sort();
        n
    };
    // The events before the newer one are applied; the ones after it wait.
    assert_eq!(
        names(&customers(older.path(), false)),
        ["Early B.V.", "Own B.V."]
    );
    // It keeps working locally meanwhile.
    ok(
        older.path(),
        false,
        &["customer", "add", "--name", "Offline B.V."],
    );

    // Replaced by the newer build: it resumes by itself.
    let (code, out) = daybook(older.path(), true, &["sync"]);
    assert_eq!(code, 0, "{out}");
    let list = customers(older.path(), true);
    assert_eq!(
        names(&list),
        ["Early B.V.", "Late B.V.", "Offline B.V.", "Own B.V."]
    );
    let early = list
        .as_array()
        .or_else(|| list["rows"].as_array())
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Early B.V.")
        .cloned()
        .unwrap();
    assert_eq!(early["blocked"], true, "{early}");
    stop(server);
}

/// An older server meets a command of a newer version and one of a type it does not
/// know: it refuses those alone (`unknown_command`, with the type and the version it
/// knows), applies the rest, and takes the same command once it is upgraded; `/v1/me`
/// tells what each build knows.
#[test]
fn an_older_server_refuses_only_the_commands_it_does_not_know() {
    let data = tempfile::tempdir().expect("a directory");
    let account = admin(data.path(), &["account", "create", "Acme"]);
    let token = admin(
        data.path(),
        &[
            "token",
            "create",
            "--account",
            &account,
            "--device",
            "newer",
        ],
    );
    let (server, url) = serve(data.path(), false);
    let customer = Uuid::now_v7();
    let command = |seq: u64, id: Uuid, body: Value, version: Option<u32>| {
        let mut c = json!({
            "device_seq": seq,
            "user": "ann",
            "envelope": {
                "command_id": id,
                "issued_at": chrono::Utc::now(),
                "command": body,
            },
        });
        if let Some(v) = version {
            c["schema_version"] = json!(v);
        }
        c
    };
    let register = json!({"type": "RegisterCustomer", "customer_id": customer,
        "number": "C-1", "kind": "organisation", "name": "Acme B.V."});
    let block = json!({"type": PREVIEW_COMMAND, "customer_id": customer, "reason": "overdue"});
    let widget = json!({"type": "FrobnicateWidget", "widget": 1});
    let block_id = Uuid::now_v7();
    let push = |url: &str, commands: Vec<Value>| -> (u16, Value) {
        rt().block_on(async {
            let r = daybook_testkit::http::client()
                .post(format!("{url}/v1/accounts/{account}/commands"))
                .bearer_auth(&token)
                .json(&json!({ "commands": commands }))
                .send()
                .await
                .expect("answered");
            (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
        })
    };
    let me = |url: &str| -> Value {
        rt().block_on(async {
            daybook_testkit::http::client()
                .get(format!("{url}/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("answered")
                .json()
                .await
                .expect("JSON")
        })
    };
    assert_eq!(me(&url)["schema"]["commands"][PREVIEW_COMMAND], 1);
    assert_eq!(me(&url)["schema"]["events"][PREVIEW_EVENT], 1);
    let (status, answer) = push(
        &url,
        vec![
            command(1, Uuid::now_v7(), register.clone(), None),
            command(2, block_id, block.clone(), Some(2)),
            command(3, Uuid::now_v7(), widget, None),
        ],
    );
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results[0]["outcome"]["status"], "accepted", "{answer}");
    let refusal = &results[1]["outcome"]["error"];
    assert_eq!(refusal["code"], "unknown_command", "{answer}");
    assert_eq!(refusal["params"]["value"], PREVIEW_COMMAND);
    assert_eq!(refusal["params"]["max"], 1);
    assert_eq!(results[2]["outcome"]["error"]["code"], "unknown_command");
    assert_eq!(
        results[2]["outcome"]["error"]["params"]["value"],
        "FrobnicateWidget"
    );
    assert!(
        results[2]["outcome"]["error"]["params"]
            .get("max")
            .is_none()
    );
    stop(server);

    // Upgraded, the server takes the same command.
    let (server, url) = serve(data.path(), true);
    assert_eq!(me(&url)["schema"]["commands"][PREVIEW_COMMAND], 2);
    let (status, answer) = push(&url, vec![command(4, block_id, block, Some(2))]);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["results"][0]["outcome"]["status"], "accepted",
        "{answer}"
    );
    stop(server);
}
