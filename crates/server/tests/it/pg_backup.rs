//! The PostgreSQL adapter's backup is PostgreSQL's own (README): `pg_dump -Fc` of a
//! serving database, `pg_restore` into an empty one, and a server on the restored
//! database answers every account's events and tokens as they were.

use std::process::Command;
use std::sync::Arc;

use axum::http::StatusCode;
use daybook_protocol::PullResponse;
use daybook_server::{AppState, PgOptions, PgStore, Store};

use crate::support::*;

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn events(state: &AppState, account: uuid::Uuid, token: &str) -> PullResponse {
    let r = send(state, get(&events_uri(account, 0, 5000), Some(token))).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

async fn sql(url: &str, statement: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(conn);
    client.batch_execute(statement).await.unwrap();
    drop(client);
    let _ = task.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_and_pg_restore_bring_every_account_back() {
    let f = pg_fixture().await;
    let mut ob = Outbox::new();
    let cmds = (0..5)
        .map(|i| ob.cmd(register_product(&format!("P-{i}"), 100).1))
        .collect();
    push(&f, cmds).await;
    let before = events(&f.state, f.account, &f.token).await;
    assert!(before.head >= 5);

    let url = pg_url();
    let (server, _) = url.rsplit_once('/').unwrap();
    let db = format!("daybook_restore_{}", uuid::Uuid::now_v7().simple());
    let restored_url = format!("{server}/{db}");
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("daybook.dump");
    run(Command::new("pg_dump")
        .args(["-Fc", "-f"])
        .arg(&dump)
        .args(["-d", &url]));
    sql(
        &format!("{server}/postgres"),
        &format!("CREATE DATABASE {db}"),
    )
    .await;
    run(Command::new("pg_restore")
        .args(["--no-owner", "-d", &restored_url])
        .arg(&dump));

    let options = PgOptions {
        pool_size: 2,
        cache_root: dir.path().join("caches"),
    };
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&restored_url, &options).await.unwrap());
    let state = AppState::new(store, unlimited());
    let after = events(&state, f.account, &f.token).await;
    assert_eq!(after.events.len(), before.events.len());
    assert_eq!(
        serde_json::to_value(&after.events[..before.events.len()]).unwrap(),
        serde_json::to_value(&before.events).unwrap()
    );
    let other = events(&state, f.other_account, &f.other_token).await;
    assert_eq!(other.head, 0);
    drop(state);
    sql(
        &format!("{server}/postgres"),
        &format!("DROP DATABASE {db} WITH (FORCE)"),
    )
    .await;
}
