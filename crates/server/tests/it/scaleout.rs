//! Several instances on one PostgreSQL database: live heads fan out across them, each
//! decides on the others' events, concurrent pushes through both leave a gap-free,
//! duplicate-free sequence, and instances starting together migrate once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use daybook_domain::PlaceOrder;
use daybook_domain::*;
use daybook_protocol::{PullResponse, PushCommand, PushOutcome, PushRequest, PushResponse};
use daybook_server::{AppState, PgOptions};
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::support::*;

/// A second instance on the same database as `f` (its own cache folder).
async fn second_instance() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = pg_state(&dir, unlimited()).await;
    (dir, state)
}

async fn push_via(
    state: &AppState,
    account: Uuid,
    token: &str,
    commands: Vec<PushCommand>,
) -> PushResponse {
    let r = send(
        state,
        post(
            &commands_uri(account),
            Some(token),
            Some("application/json"),
            serde_json::to_vec(&PushRequest { commands }).unwrap(),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.raw));
    r.json()
}

async fn pull_page(
    state: &AppState,
    account: Uuid,
    token: &str,
    after: i64,
    limit: usize,
) -> PullResponse {
    let r = send(state, get(&events_uri(account, after, limit), Some(token))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.raw));
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_on_one_instance_is_announced_live_on_the_other() {
    let f = pg_fixture().await;
    let (_dir, other) = second_instance().await;
    let (mut rx, head) = other.store().watch_heads(f.account).await.unwrap();
    assert_eq!(head, 0);
    let mut ob = Outbox::new();
    let (_, reg) = register_customer("C-1", None);
    push(&f, vec![ob.cmd(reg)]).await;
    let announced = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("no head announced on the other instance within 5 s")
        .unwrap();
    assert_eq!(announced, 1);
    // Another tenant's push is not announced to this account's watchers.
    let (mut other_rx, _) = other.store().watch_heads(f.other_account).await.unwrap();
    let (_, reg) = register_customer("C-2", None);
    push(&f, vec![ob.cmd(reg)]).await;
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap(),
        2
    );
    assert!(other_rx.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_decide_on_each_others_events() {
    let f = pg_fixture().await;
    let (_dir, b) = second_instance().await;
    let mut ob = Outbox::new();
    let (c, reg_c) = register_customer("C-1", Some(1000));
    let (p, reg_p) = register_product("BOLT", 600);
    let (o, create) = create_order("SO-D1-00001", c);
    // Instance A knows the customer, product and order...
    push(&f, vec![ob.cmd(reg_c), ob.cmd(reg_p), ob.cmd(create)]).await;
    // ...instance B decides on them: it must have caught up from the database.
    let res = push_via(
        &b,
        f.account,
        &f.token,
        vec![
            ob.cmd(add_line(o, p, 1)),
            ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o })),
        ],
    )
    .await;
    for r in &res.results {
        accepted(&r.outcome);
    }
    // A second order over the spending limit is held on A, which must know B's
    // placed order (726 of 1000 used): unaware of it, A would have placed it.
    let (o2, create2) = create_order("SO-D1-00002", c);
    let res = push(
        &f,
        vec![
            ob.cmd(create2),
            ob.cmd(add_line(o2, p, 1)),
            ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o2 })),
        ],
    )
    .await;
    accepted(&res.results[2].outcome);
    // Both instances serve the same log.
    let from_a = pull_all(&f, 1000).await;
    assert_eq!(
        from_a.events.last().map(|e| e.event_type.as_str()),
        Some("OrderHeld")
    );
    let from_b = pull_page(&b, f.account, &f.token, 0, 1000).await;
    assert_eq!(from_a.head, from_b.head);
    assert_eq!(
        serde_json::to_value(&from_a.events).unwrap(),
        serde_json::to_value(&from_b.events).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_through_two_instances_leave_no_gap_and_no_duplicate() {
    let f = Arc::new(pg_fixture().await);
    let (_dir, b) = second_instance().await;
    let instances = [f.state.clone(), b];
    let (devices, batches, per_batch) = (6, 8, 4);
    let mut tokens = Vec::new();
    for i in 0..devices {
        let name = format!("device-{i}");
        tokens.push(f.state.create_token(f.account, &name).await.unwrap().token);
    }
    let mut pushers = Vec::new();
    for (d, token) in tokens.into_iter().enumerate() {
        let f = f.clone();
        let instances = instances.clone();
        pushers.push(tokio::spawn(async move {
            let mut ob = Outbox::new();
            let mut ids = Vec::new();
            for batch in 0..batches {
                let commands: Vec<_> = (0..per_batch)
                    .map(|i| {
                        let (_, reg) = register_customer(&format!("C-{d}-{batch}-{i}"), None);
                        ob.cmd(reg)
                    })
                    .collect();
                ids.extend(commands.iter().map(|c| c.envelope.command_id));
                // Devices alternate instances batch by batch (a load balancer).
                let state = &instances[(d + batch) % 2];
                let res = push_via(state, f.account, &token, commands.clone()).await;
                for r in &res.results {
                    accepted(&r.outcome);
                }
                // A retry of the same batch through the other instance is answered
                // from the record and appends nothing.
                let again =
                    push_via(&instances[(d + batch + 1) % 2], f.account, &token, commands).await;
                assert!(again.results.iter().all(|r| r.duplicate));
            }
            ids
        }));
    }
    // A follower pulls from both instances while they write: every page continues
    // exactly where the previous one ended.
    let follower = {
        let f = f.clone();
        let instances = instances.clone();
        tokio::spawn(async move {
            let total = (devices * batches * per_batch) as i64;
            let mut after = 0;
            let mut turn = 0;
            while after < total {
                let page = pull_page(&instances[turn % 2], f.account, &f.token, after, 7).await;
                turn += 1;
                for e in &page.events {
                    assert_eq!(e.seq, after + 1, "a follower saw a gap");
                    after = e.seq;
                }
                assert!(page.head >= after);
                if page.events.is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            after
        })
    };
    let mut all_ids = HashSet::new();
    for p in pushers {
        for id in p.await.unwrap() {
            assert!(all_ids.insert(id));
        }
    }
    let followed = follower.await.unwrap();
    let log = pull_all(&f, 1000).await;
    let n = (devices * batches * per_batch) as i64;
    assert_eq!(log.head, n);
    assert_eq!(followed, n);
    let seqs: Vec<i64> = log.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=n).collect::<Vec<_>>());
    let commands: HashSet<Uuid> = log.events.iter().map(|e| e.command_id).collect();
    assert_eq!(commands, all_ids, "every command exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    // A database of its own, so the migrations run from nothing.
    let base = pg_url();
    let (admin, conn) = tokio_postgres::connect(&base, NoTls).await.unwrap();
    tokio::spawn(conn);
    let name = format!("daybook_migrate_{}", Uuid::now_v7().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("unexpected URL {base}"),
    };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let open = |i: usize| {
        let options = PgOptions {
            pool_size: 4,
            cache_root: dirs[i].path().to_path_buf(),
        };
        let url = url.clone();
        async move { AppState::open_postgres(&url, &options, unlimited()).await }
    };
    let (a, b) = tokio::join!(open(0), open(1));
    let (a, b) = (a.unwrap(), b.unwrap());
    let (db, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    tokio::spawn(conn);
    let applied: i64 = db
        .query_one("SELECT count(*) FROM daybook_migrations", &[])
        .await
        .unwrap()
        .get(0);
    // Each migration once (0001 to 0004), not once per instance.
    assert_eq!(applied, 4);
    // Both work.
    let id = a.create_account("Acme").await.unwrap();
    assert_eq!(b.accounts().await.unwrap()[0].id, id);
    drop((a, b, db));
    // Other sessions may linger a moment after the pools are dropped.
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let options = PgOptions {
        pool_size: 2,
        cache_root: dir.path().to_path_buf(),
    };
    let err = AppState::open_postgres("not a url", &options, unlimited())
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("bad database URL"), "{err}");
    // Nothing listens on port 1: a connection error, not a hang.
    let err = AppState::open_postgres("postgres://x@127.0.0.1:1/none", &options, unlimited())
        .await
        .err()
        .unwrap();
    assert!(!err.to_string().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_command_on_one_instance_is_answered_the_same_on_the_other() {
    let f = pg_fixture().await;
    let (_dir, b) = second_instance().await;
    let mut ob = Outbox::new();
    let (c, reg_c) = register_customer("C-1", None);
    let (p, reg_p) = register_product("BOLT", 100);
    let (o, create) = create_order("SO-1", c);
    let mut commands = vec![ob.cmd(reg_c), ob.cmd(reg_p), ob.cmd(create)];
    let bad = ob.cmd(add_line(o, p, 0));
    commands.push(bad.clone());
    let first = push(&f, commands).await;
    assert_eq!(rejected(&first.results[3].outcome), "invalid_quantity");
    let again = push_via(&b, f.account, &f.token, vec![bad]).await;
    assert!(again.results[0].duplicate);
    assert!(matches!(
        &again.results[0].outcome,
        PushOutcome::Rejected { error } if error.code == "invalid_quantity"
    ));
}
