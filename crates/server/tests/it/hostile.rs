//! Hostile input against the real server on a real socket: malformed and oversized
//! bodies, deep nesting, wrong types, unknown fields, invalid UTF-8, forged account ids,
//! replayed requests, revoked tokens, clients sending headers or bodies very slowly
//! (slowloris), and a token hammering past its rate limit. Every answer is a clear
//! 4xx with an `ErrorBody`, nothing panics, and a well-behaved client running alongside
//! keeps succeeding throughout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use daybook_protocol::{
    MAX_BODY_BYTES, MAX_PUSH_COMMANDS, PullResponse, PushRequest, PushResponse,
};
use daybook_server::{Config, RateLimit};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::support::*;

/// The real server (`daybook_server::serve`) on a loopback port.
pub(crate) struct Server {
    addr: SocketAddr,
    pub(crate) base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

pub(crate) async fn start(f: &Fixture) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(daybook_server::serve(listener, f.state.clone(), async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        base: format!("http://{addr}"),
        stop: Some(stop),
        task,
    }
}

impl Server {
    pub(crate) async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// A well-behaved device that pushes a command and reads `/v1/me` in a loop, each
/// answer due within 5 s, until stopped.
struct GoodClient {
    stop: Arc<AtomicBool>,
    /// Requests answered so far.
    count: Arc<AtomicUsize>,
    task: JoinHandle<(usize, Vec<String>)>,
}

fn good_client(base: &str, account: Uuid, token: &str) -> GoodClient {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let (base, token, flag, counter) = (
        base.to_string(),
        token.to_string(),
        stop.clone(),
        count.clone(),
    );
    let task = tokio::spawn(async move {
        let http = daybook_testkit::http::client_builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let mut ob = Outbox::new();
        let (mut ok, mut failures) = (0, Vec::new());
        let mut n = 0;
        while !flag.load(Ordering::SeqCst) {
            n += 1;
            let body = PushRequest {
                commands: vec![ob.cmd(register_product(&format!("GOOD-{n}"), 100).1)],
            };
            let push = http
                .post(format!("{base}/v1/accounts/{account}/commands"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await;
            match push {
                Ok(r) if r.status() == 200 => match r.json::<PushResponse>().await {
                    Ok(res)
                        if matches!(
                            res.results[0].outcome,
                            daybook_protocol::PushOutcome::Accepted { .. }
                        ) =>
                    {
                        ok += 1
                    }
                    other => failures.push(format!("push {n}: {other:?}")),
                },
                Ok(r) => failures.push(format!("push {n}: {}", r.status())),
                Err(e) => failures.push(format!("push {n}: {e}")),
            }
            match http
                .get(format!("{base}/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
            {
                Ok(r) if r.status() == 200 => ok += 1,
                Ok(r) => failures.push(format!("me {n}: {}", r.status())),
                Err(e) => failures.push(format!("me {n}: {e}")),
            }
            counter.store(ok, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (ok, failures)
    });
    GoodClient { stop, count, task }
}

impl GoodClient {
    /// Stops it and asserts every one of its requests succeeded (and there were some).
    /// Waits (up to 20 s) for it to have made `at_least` requests first.
    async fn assert_unaffected(self, at_least: usize) {
        let started = Instant::now();
        while self.count.load(Ordering::SeqCst) < at_least
            && started.elapsed() < Duration::from_secs(20)
            && !self.task.is_finished()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.stop.store(true, Ordering::SeqCst);
        let (ok, failures) = self.task.await.unwrap();
        assert!(failures.is_empty(), "the good client failed: {failures:?}");
        assert!(
            ok >= at_least,
            "the good client made only {ok} requests (expected {at_least}+)"
        );
    }
}

/// Asserts a reqwest answer is this 4xx with an `ErrorBody` JSON.
async fn assert_error_body(r: reqwest::Response, status: u16, code: &str, case: &str) {
    let got = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{case}: {text}");
    assert_eq!(ct, "application/json", "{case}");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{case}: {e}"));
    assert_eq!(body["code"], code, "{case}: {text}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{case}: {text}"
    );
}

fn valid_command(seq: u64) -> Value {
    let mut ob = Outbox::new();
    ob.seq = seq - 1;
    serde_json::to_value(ob.cmd(register_product(&format!("H-{seq}"), 1).1)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_get_4xx_error_bodies_while_a_good_client_keeps_working() {
    let f = fixture().await;
    let server = start(&f).await;
    let good = good_client(&server.base, f.other_account, &f.other_token);
    let http = daybook_testkit::http::client();
    let uri = format!("{}/v1/accounts/{}/commands", server.base, f.account);

    let cmd = valid_command(1);
    let with = |path: &[&str], v: Value| {
        let mut c = cmd.clone();
        let mut at = &mut c;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        json!({ "commands": [c] }).to_string().into_bytes()
    };
    let deep = |depth: usize| {
        let mut s = "[".repeat(depth);
        s.push_str(&"]".repeat(depth));
        s
    };
    let nested_in_field = {
        let mut c = cmd.to_string();
        let at = c.find("\"user\":\"ann\"").unwrap();
        c.replace_range(
            at..at + "\"user\":\"ann\"".len(),
            &format!("\"user\":{}", deep(50_000)),
        );
        format!("{{\"commands\":[{c}]}}").into_bytes()
    };
    let tagged_deep = {
        let c = cmd.to_string();
        let at = c.find("\"command\":{").unwrap() + "\"command\":{".len();
        let mut c = c;
        c.insert_str(at, &format!("\"x\":{},", deep(100_000)));
        format!("{{\"commands\":[{c}]}}").into_bytes()
    };
    let too_many: Vec<Value> = (1..=MAX_PUSH_COMMANDS as u64 + 1)
        .map(valid_command)
        .collect();
    let mut seqs_backwards = vec![valid_command(2), valid_command(1)];
    seqs_backwards[1]["envelope"]["command"]["code"] = json!("H-other");
    let duplicate_key =
        cmd.to_string()
            .replacen("\"user\":\"ann\"", "\"user\":\"ann\",\"user\":\"eve\"", 1);

    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("not json", b"{nope".to_vec(), 400, "malformed_json"),
        ("empty", Vec::new(), 400, "malformed_json"),
        (
            "truncated",
            b"{\"commands\": [{\"device_seq\": 1".to_vec(),
            400,
            "malformed_json",
        ),
        (
            "trailing garbage",
            {
                let mut b = json!({ "commands": [cmd] }).to_string().into_bytes();
                b.extend_from_slice(b" {}");
                b
            },
            400,
            "malformed_json",
        ),
        (
            "invalid UTF-8 in a string",
            {
                let mut b = json!({ "commands": [cmd] }).to_string().into_bytes();
                let at = b.windows(3).position(|w| w == b"ann").unwrap();
                b[at] = 0xff;
                b[at + 1] = 0xfe;
                b
            },
            400,
            "malformed_json",
        ),
        (
            "lone surrogate escape",
            json!({ "commands": [cmd] })
                .to_string()
                .replacen("\"ann\"", "\"\\ud800\"", 1)
                .into_bytes(),
            400,
            "malformed_json",
        ),
        (
            "deep nesting at the top",
            deep(100_000).into_bytes(),
            422,
            "invalid_body",
        ),
        (
            "deep nesting in a field",
            nested_in_field,
            422,
            "invalid_body",
        ),
        // The command is an internally tagged enum: serde buffers the whole object
        // before it reads the tag, so this nesting is really parsed, up to serde_json's
        // recursion limit (no stack overflow).
        (
            "deep nesting buffered by the tagged command",
            tagged_deep,
            400,
            "malformed_json",
        ),
        (
            "a number where a string goes",
            with(&["user"], json!(7)),
            422,
            "invalid_body",
        ),
        (
            "a string where a number goes",
            with(&["device_seq"], json!("1")),
            422,
            "invalid_body",
        ),
        (
            "a float sequence",
            with(&["device_seq"], json!(1.5)),
            422,
            "invalid_body",
        ),
        (
            "a sequence beyond u64",
            with(&["device_seq"], json!(1e30)),
            422,
            "invalid_body",
        ),
        (
            "a sequence beyond i64",
            with(&["device_seq"], json!(u64::MAX)),
            422,
            "invalid_input",
        ),
        (
            "a string where money goes",
            with(&["envelope", "command", "unit_price"], json!("cheap")),
            422,
            "invalid_body",
        ),
        (
            "null commands",
            json!({ "commands": null }).to_string().into_bytes(),
            422,
            "invalid_body",
        ),
        (
            "unknown top-level field (forged account)",
            json!({ "commands": [cmd], "account_id": f.other_account })
                .to_string()
                .into_bytes(),
            422,
            "invalid_body",
        ),
        (
            "unknown field in a command",
            with(&["device"], json!("D9")),
            422,
            "invalid_body",
        ),
        (
            "unknown field in an envelope",
            with(&["envelope", "account_id"], json!(f.other_account)),
            422,
            "invalid_body",
        ),
        (
            "unknown field in the domain command",
            with(
                &["envelope", "command", "account_id"],
                json!(f.other_account),
            ),
            422,
            "invalid_body",
        ),
        (
            "a bad uuid",
            with(&["envelope", "command_id"], json!("../../etc/passwd")),
            422,
            "invalid_body",
        ),
        (
            "a bad time",
            with(&["envelope", "issued_at"], json!("yesterday")),
            422,
            "invalid_body",
        ),
        (
            "a duplicate key",
            format!("{{\"commands\":[{duplicate_key}]}}").into_bytes(),
            422,
            "invalid_body",
        ),
        (
            "no commands",
            json!({ "commands": [] }).to_string().into_bytes(),
            422,
            "invalid_input",
        ),
        (
            "too many commands",
            json!({ "commands": too_many }).to_string().into_bytes(),
            422,
            "invalid_input",
        ),
        (
            "sequences not increasing",
            json!({ "commands": seqs_backwards })
                .to_string()
                .into_bytes(),
            422,
            "invalid_input",
        ),
        (
            "a blank user",
            with(&["user"], json!("  ")),
            422,
            "invalid_input",
        ),
        (
            "a control character in the user",
            with(&["user"], json!("ann\u{0}")),
            422,
            "invalid_input",
        ),
        (
            "a huge user name",
            with(&["user"], json!("x".repeat(4 * 1024 * 1024))),
            422,
            "invalid_input",
        ),
    ];
    for (case, body, status, code) in cases {
        let r = http
            .post(&uri)
            .bearer_auth(&f.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_error_body(r, status, code, case).await;
    }

    // A command type the server does not know is refused alone (a newer app's
    // command: `unknown_command`), and nothing of it is applied (checked below).
    let r = http
        .post(&uri)
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body(with(&["envelope", "command", "type"], json!("DropAccount")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(
        answer["results"][0]["outcome"]["status"], "rejected",
        "{answer}"
    );
    assert_eq!(
        answer["results"][0]["outcome"]["error"]["code"], "unknown_command",
        "{answer}"
    );

    // Over the body limit, with a Content-Length: 413 before the body is read.
    let mut big = b"{\"commands\": [".to_vec();
    big.resize(MAX_BODY_BYTES + 1, b' ');
    let r = http
        .post(&uri)
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await;
    // The server may answer and close before taking the whole body; then the client
    // sees the connection end instead. Either way nothing is applied (checked below).
    if let Ok(r) = r {
        assert_error_body(r, 413, "payload_too_large", "oversized").await;
    }

    // A path naming another tenant, a non-UUID, or a traversal: the same 404.
    for account in [
        f.other_account.to_string(),
        Uuid::now_v7().to_string(),
        "..%2F..%2Fserver.sqlite3".to_string(),
        "%00".to_string(),
    ] {
        let r = http
            .post(format!("{}/v1/accounts/{account}/commands", server.base))
            .bearer_auth(&f.token)
            .json(&json!({ "commands": [cmd] }))
            .send()
            .await
            .unwrap();
        assert_error_body(r, 404, "not_found", &account).await;
    }

    // Nothing of all that was applied to A, and the good client (B) kept going.
    let page: PullResponse = http
        .get(format!(
            "{}/v1/accounts/{}/events?after=0",
            server.base, f.account
        ))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.head, 0, "no hostile push landed");
    good.assert_unaffected(10).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_push_is_answered_from_the_record_and_applies_nothing_twice() {
    let f = fixture().await;
    let server = start(&f).await;
    let http = daybook_testkit::http::client();
    let uri = format!("{}/v1/accounts/{}/commands", server.base, f.account);
    let body = json!({ "commands": [valid_command(1), valid_command(2)] }).to_string();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let r: PushResponse = http
            .post(&uri)
            .bearer_auth(&f.token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answers.push(r);
    }
    assert!(answers[0].results.iter().all(|r| !r.duplicate));
    for replay in &answers[1..] {
        assert!(replay.results.iter().all(|r| r.duplicate));
        let outcomes = |a: &PushResponse| {
            a.results
                .iter()
                .map(|r| r.outcome.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(outcomes(replay), outcomes(&answers[0]));
    }
    // The same request replayed by another tenant's token: 404, and B gets nothing.
    let r = http
        .post(&uri)
        .bearer_auth(&f.other_token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_error_body(r, 404, "not_found", "replay with B's token").await;
    assert_eq!(pull_all(&f, 100).await.head, 2, "two events, once");
    let b: PullResponse = http
        .get(format!(
            "{}/v1/accounts/{}/events",
            server.base, f.other_account
        ))
        .bearer_auth(&f.other_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(b.head, 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_at_once_and_the_accounts_other_devices_go_on() {
    let f = fixture().await;
    let stolen = f
        .state
        .create_token(f.account, "stolen laptop")
        .await
        .unwrap();
    let server = start(&f).await;
    // The account's other device keeps working throughout.
    let good = good_client(&server.base, f.account, &f.token);
    let http = daybook_testkit::http::client();
    let me = |token: String| {
        let (http, base) = (http.clone(), server.base.clone());
        async move {
            http.get(format!("{base}/v1/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(me(stolen.token.clone()).await.status(), 200);

    // Revoked by the admin command of the real binary, while the server runs.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_daybook-server"))
        .env_remove("DAYBOOK_SERVER_DATA")
        .arg("--data")
        .arg(f.sqlite().data_dir())
        .args(["token", "revoke", "--device", &stolen.device_id.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Revoking twice says so.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_daybook-server"))
        .env_remove("DAYBOOK_SERVER_DATA")
        .arg("--data")
        .arg(f.sqlite().data_dir())
        .args(["token", "revoke", "--device", &stolen.device_id.to_string()])
        .output()
        .unwrap();
    assert!(!again.status.success());

    // Every endpoint refuses the token now, with the same 401 as an unknown one.
    let unknown = format!("dbk_{}", "A".repeat(43));
    for token in [stolen.token.clone(), unknown] {
        assert_error_body(me(token.clone()).await, 401, "unauthorized", "me").await;
        let r = http
            .post(format!(
                "{}/v1/accounts/{}/commands",
                server.base, f.account
            ))
            .bearer_auth(&token)
            .json(&json!({ "commands": [valid_command(1)] }))
            .send()
            .await
            .unwrap();
        assert_error_body(r, 401, "unauthorized", "push").await;
        for path in ["events?after=0", "live"] {
            let r = http
                .get(format!("{}/v1/accounts/{}/{path}", server.base, f.account))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_error_body(r, 401, "unauthorized", path).await;
        }
    }
    // Nothing was pushed with it: every event is the good device's.
    let page = pull_all(&f, 1000).await;
    assert!(page.events.iter().all(|e| e.device == "laptop"));
    good.assert_unaffected(4).await;
    server.shutdown().await;
}

/// Reads from `s` until the server closes the connection; returns what it sent.
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut chunk)).await {
            Err(_) => return Err(String::from_utf8_lossy(&buf).into_owned()),
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(String::from_utf8_lossy(&buf).into_owned()),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sending_headers_slowly_are_cut_off_and_others_are_unaffected() {
    let f = fixture_with(Config {
        header_read_timeout: Duration::from_secs(1),
        ..unlimited()
    })
    .await;
    let server = start(&f).await;
    let good = good_client(&server.base, f.other_account, &f.other_token);
    // 50 slowloris connections: a request line, then a header byte every 200 ms.
    let mut slow = Vec::new();
    for i in 0..50 {
        let addr = server.addr;
        let token = f.token.clone();
        slow.push(tokio::spawn(async move {
            let started = Instant::now();
            let mut s = TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nX-Slow-{i}: "
            );
            s.write_all(head.as_bytes()).await.unwrap();
            // Keep dribbling until the server hangs up (or 10 s pass: a failure).
            let mut closed_by_server = false;
            while started.elapsed() < Duration::from_secs(10) {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if s.write_all(b"a").await.is_err() {
                    closed_by_server = true;
                    break;
                }
                let mut probe = [0u8; 64];
                if let Ok(Ok(0) | Err(_)) =
                    tokio::time::timeout(Duration::from_millis(1), s.read(&mut probe)).await
                {
                    closed_by_server = true;
                    break;
                }
            }
            (closed_by_server, started.elapsed())
        }));
    }
    // A client that connects and sends nothing at all.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let silent_answer = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(
        silent_answer.is_ok(),
        "a silent connection is closed by the server"
    );

    for s in slow {
        let (closed, after) = s.await.unwrap();
        assert!(
            closed,
            "a slowloris connection was still open after {after:?}"
        );
        assert!(after < Duration::from_secs(5), "cut off after {after:?}");
    }
    good.assert_unaffected(10).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_slowly_gets_408_and_others_are_unaffected() {
    // Twenty requests of one token in flight: above the default per-token share
    // (`Limits`, tested by the floods), which this test is not about.
    let f = fixture_with(Config {
        body_read_timeout: Duration::from_secs(1),
        limits: daybook_server::Limits {
            requests_per_token: 32,
            body_bytes_per_token: 64 * daybook_protocol::MAX_BODY_BYTES,
            ..daybook_server::Limits::default()
        },
        ..unlimited()
    })
    .await;
    let server = start(&f).await;
    let good = good_client(&server.base, f.other_account, &f.other_token);
    let body = json!({ "commands": [valid_command(1)] }).to_string();
    let mut slow = Vec::new();
    for _ in 0..20 {
        let (addr, token, account, body) = (server.addr, f.token.clone(), f.account, body.clone());
        slow.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /v1/accounts/{account}/commands HTTP/1.1\r\nHost: x\r\n\
                 Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n",
                body.len()
            );
            s.write_all(head.as_bytes()).await.unwrap();
            let started = Instant::now();
            // A byte every 100 ms: the whole body would take minutes.
            let (mut r, mut w) = s.into_split();
            let writer = tokio::spawn(async move {
                for b in body.as_bytes() {
                    if w.write_all(&[*b]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), r.read_to_end(&mut answer)).await;
            writer.abort();
            (
                String::from_utf8_lossy(&answer).into_owned(),
                started.elapsed(),
            )
        }));
    }
    for s in slow {
        let (answer, after) = s.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
        assert!(after < Duration::from_secs(5), "answered after {after:?}");
    }
    assert_eq!(pull_all(&f, 100).await.head, 0, "no slow push applied");
    good.assert_unaffected(10).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_hammering_past_its_limit_gets_429_and_other_tokens_do_not() {
    let f = fixture_with(Config {
        rate_limit: RateLimit {
            per_second: 5.0,
            burst: 10,
        },
        ..Config::default()
    })
    .await;
    let server = start(&f).await;
    // B's device makes well under 5 requests a second: never limited.
    let good = {
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let (base, token, flag, counter) = (
            server.base.clone(),
            f.other_token.clone(),
            stop.clone(),
            count.clone(),
        );
        let task = tokio::spawn(async move {
            let http = daybook_testkit::http::client();
            let (mut ok, mut failures) = (0, Vec::new());
            while !flag.load(Ordering::SeqCst) {
                let r = http
                    .get(format!("{base}/v1/me"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                if r.status() == 200 {
                    ok += 1;
                    counter.store(ok, Ordering::SeqCst);
                } else {
                    failures.push(r.status().to_string());
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            (ok, failures)
        });
        GoodClient { stop, count, task }
    };
    let http = daybook_testkit::http::client();
    let (mut ok, mut limited) = (0, 0);
    let started = Instant::now();
    // 200 requests as fast as they go, half of them bad bodies: all count.
    for i in 0..200 {
        let r = if i % 2 == 0 {
            http.get(format!("{}/v1/me", server.base))
                .bearer_auth(&f.token)
                .send()
                .await
                .unwrap()
        } else {
            http.post(format!(
                "{}/v1/accounts/{}/commands",
                server.base, f.account
            ))
            .bearer_auth(&f.token)
            .header("content-type", "application/json")
            .body("{nope")
            .send()
            .await
            .unwrap()
        };
        match r.status().as_u16() {
            200 | 400 => ok += 1,
            429 => {
                let retry: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry >= 1);
                assert_error_body(r, 429, "rate_limited", "hammer").await;
                limited += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // At most the burst plus what the rate refilled meanwhile got through.
    assert!(
        (ok as f64) <= 10.0 + 5.0 * secs + 1.0,
        "{ok} got through in {secs:.1} s"
    );
    assert!(limited > 0);
    tokio::time::sleep(Duration::from_secs(1)).await;
    good.assert_unaffected(3).await;
    server.shutdown().await;
}

/// Reads a live stream until it ends (`Ok(what it sent)`) or `within` passes (`Err`).
pub(crate) async fn live_until_end(
    res: &mut reqwest::Response,
    within: Duration,
) -> Result<String, String> {
    let mut seen = String::new();
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, res.chunk()).await {
            Err(_) => return Err(seen),
            Ok(Ok(None)) | Ok(Err(_)) => return Ok(seen),
            Ok(Ok(Some(c))) => seen.push_str(&String::from_utf8_lossy(&c)),
        }
    }
}

fn quick_keep_alive() -> Config {
    Config {
        keep_alive: Duration::from_millis(100),
        ..unlimited()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_ends_when_its_token_is_revoked() {
    live_stream_ends_when_its_token_is_revoked(fixture_with(quick_keep_alive()).await).await;
}

/// The same on PostgreSQL (its own registry query).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_ends_when_its_token_is_revoked_on_postgres() {
    live_stream_ends_when_its_token_is_revoked(pg_fixture_with(quick_keep_alive()).await).await;
}

async fn live_stream_ends_when_its_token_is_revoked(f: Fixture) {
    let stolen = f
        .state
        .create_token(f.account, "stolen phone")
        .await
        .unwrap();
    let server = start(&f).await;
    let http = daybook_testkit::http::client();
    let open = |token: String| {
        let (http, uri) = (
            http.clone(),
            format!("{}/v1/accounts/{}/live", server.base, f.account),
        );
        async move {
            let r = http.get(uri).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r
        }
    };
    let mut thief = open(stolen.token.clone()).await;
    let mut owner = open(f.token.clone()).await;
    // Both streams are open and flowing.
    assert!(
        live_until_end(&mut thief, Duration::from_millis(500))
            .await
            .is_err()
    );
    assert!(f.state.revoke_device(stolen.device_id).await.unwrap());
    let started = Instant::now();
    let ended = live_until_end(&mut thief, Duration::from_secs(5)).await;
    assert!(
        ended.is_ok(),
        "the revoked device's stream went on: {ended:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The owner's stream goes on, and hears the next push.
    let mut ob = Outbox::new();
    push(&f, vec![ob.cmd(register_product("AFTER", 1).1)]).await;
    let heard = live_until_end(&mut owner, Duration::from_millis(800)).await;
    let seen = heard.expect_err("the owner's stream is still open");
    assert!(seen.contains("data: {\"head\":1}"), "{seen}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let f = fixture_with(Config {
        header_read_timeout: Duration::from_secs(1),
        ..unlimited()
    })
    .await;
    let server = start(&f).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    // One answer, then nothing: the server hangs up instead of keeping it forever.
    let got = read_until_closed(&mut s, Duration::from_secs(10))
        .await
        .expect("the server closes an idle connection");
    assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    server.shutdown().await;
}
