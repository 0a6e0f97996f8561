//! `daybook-server backup FILE` and `restore FILE` (the SQLite adapter), with the real
//! binary: a backup taken while the server serves, private, restores the registry and
//! every account as they were; a bad file changes nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use daybook_protocol::PullResponse;

use crate::real::*;
use crate::support::{Outbox, register_product};

fn admin(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_daybook-server"))
        .env_remove("DAYBOOK_SERVER_DATA")
        .env_remove("DAYBOOK_DATABASE_URL")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn head(http: &reqwest::Client, server: &RealServer, t: &Tenant) -> i64 {
    let page: PullResponse = http
        .get(format!(
            "{}/v1/accounts/{}/events?after=0",
            server.base, t.account
        ))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.events.len() as i64, page.head);
    page.head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_every_account_and_a_bad_file_changes_nothing() {
    let (dir, tenants) = data_with(2).await;
    let data = dir.path().to_path_buf();
    let server = start(dir, None, &["--rate", "0"]);
    let http = daybook_testkit::http::client();
    let mut obs = [Outbox::new(), Outbox::new()];
    for (t, ob) in tenants.iter().zip(obs.iter_mut()) {
        let cmds = (0..3)
            .map(|i| ob.cmd(register_product(&format!("P-{i}"), 1).1))
            .collect();
        timed_push(&http, &server, t, cmds).await.0.unwrap();
    }
    let keep = tempfile::tempdir().unwrap();
    let file = keep.path().join("server.backup");
    let (ok, err) = admin(&data, &["backup", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("3 databases"), "{err}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is private");
    // Not over an existing file.
    let (ok, err) = admin(&data, &["backup", file.to_str().unwrap()]);
    assert!(!ok && err.contains("exists already"), "{err}");
    // A change after the backup is not in it.
    let more = vec![obs[0].cmd(register_product("LATE", 1).1)];
    timed_push(&http, &server, &tenants[0], more)
        .await
        .0
        .unwrap();
    drop(server);

    // Restored over an existing directory: the old one is kept aside.
    let restored = tempfile::TempDir::new_in(keep.path()).unwrap();
    let (ok, err) = admin(restored.path(), &["restore", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("kept in"), "{err}");
    // A damaged file: refused, and the restored data stays as it is.
    let bad = keep.path().join("bad.backup");
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes[n / 2..n / 2 + 64].fill(0x55);
    std::fs::write(&bad, bytes).unwrap();
    let before = std::fs::read(restored.path().join("server.sqlite3")).unwrap();
    for f in [bad.as_path(), keep.path().join("none").as_path()] {
        let (ok, err) = admin(restored.path(), &["restore", f.to_str().unwrap()]);
        assert!(!ok, "{err}");
        assert!(err.contains("not a usable backup"), "{err}");
    }
    assert_eq!(
        std::fs::read(restored.path().join("server.sqlite3")).unwrap(),
        before
    );

    let server = start(restored, None, &["--rate", "0"]);
    assert_eq!(
        head(&http, &server, &tenants[0]).await,
        3,
        "as at the backup"
    );
    assert_eq!(head(&http, &server, &tenants[1]).await, 3);
    println!("backup of 2 accounts restored; the tokens work");
}
