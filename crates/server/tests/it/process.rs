//! The real `daybook-server` binary: admin subcommands print only their result on
//! stdout; `serve` on port 0 prints the address, answers, and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daybook_protocol::{DeviceInfo, Health};
use uuid::Uuid;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_daybook-server"));
    c.env_remove("DAYBOOK_SERVER_DATA").env("RUST_LOG", "info");
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line on stdout: {stdout:?}");
    stdout.trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_creates_an_account_and_a_token_then_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let account: Uuid = run_ok(
        bin()
            .arg("--data")
            .arg(&data)
            .args(["account", "create", "Acme"]),
    )
    .parse()
    .unwrap();
    // The data dir also comes from the environment.
    let token = run_ok(
        bin()
            .env("DAYBOOK_SERVER_DATA", &data)
            .args(["token", "create", "--account", &account.to_string()])
            .args(["--device", "laptop"]),
    );
    assert!(token.starts_with("dbk_"));

    let mut child = bin()
        .arg("--data")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads the address, then keeps draining the log so the pipe never fills.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => a,
        Err(e) => {
            let _ = child.kill();
            panic!("no address: {e}");
        }
    };
    assert!(!addr.ends_with(":0"), "the real port: {addr}");
    let base = format!("http://{addr}");
    let http = daybook_testkit::http::client();
    let h: Health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h.status, "ok");
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let me: DeviceInfo = http
        .get(format!("{base}/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((me.account_id, me.device_code.as_str()), (account, "D1"));

    // SIGTERM: a graceful stop with exit code 0.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn failures_are_one_line_on_stderr_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec![
            "token",
            "create",
            "--account",
            "0190a6f0-0000-7000-8000-000000000000",
            "--device",
            "x",
        ],
        vec!["account", "create", "   "],
    ] {
        let out = bin()
            .arg("--data")
            .arg(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("daybook-server: error: "), "{stderr}");
    }
    // Bad usage is clap's exit code 2.
    let out = bin().args(["token", "create"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
