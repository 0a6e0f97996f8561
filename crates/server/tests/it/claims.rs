//! What a device claims about a command, checked by the server: its id (recorded with
//! a hash of the envelope and the device: a reused id with other content is refused,
//! and no command may derive another's event ids), its device sequence (a bounded
//! step, so one push cannot brick the device) and its time (a window around the
//! server's clock). And a store failure of one command refuses that command alone.

use chrono::{Duration, TimeZone, Utc};
use daybook_domain::*;
use daybook_protocol::{PushCommand, PushRequest, PushResponse, claims};
use daybook_server::SqliteStore;
use uuid::Uuid;

use crate::support::*;

async fn push_as(f: &Fixture, token: &str, commands: Vec<PushCommand>) -> PushResponse {
    let r = send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(token),
            Some("application/json"),
            serde_json::to_vec(&PushRequest { commands }).unwrap(),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.raw));
    r.json()
}

async fn a_reused_command_id_with_other_content_is_refused_and_a_retry_is_a_duplicate(f: Fixture) {
    let mut ob = Outbox::new();
    let first = ob.cmd(register_product("BOLT", 100).1);
    let res = push(&f, vec![first.clone()]).await;
    accepted(&res.results[0].outcome);
    let head = pull_all(&f, 1000).await.head;

    // The same id, other content (another product), from the same device.
    let mut other = ob.cmd(register_product("NUT", 100).1);
    other.envelope.command_id = first.envelope.command_id;
    let res = push(&f, vec![other.clone()]).await;
    assert_eq!(rejected(&res.results[0].outcome), "command_id_reused");
    assert!(!res.results[0].duplicate);

    // The same command byte for byte (its old sequence), from another device.
    let phone = f
        .state
        .create_token(f.account, "phone")
        .await
        .unwrap()
        .token;
    let res = push_as(&f, &phone, vec![first.clone()]).await;
    assert_eq!(rejected(&res.results[0].outcome), "command_id_reused");

    // A retry of the first, byte-identical: the recorded answer.
    let res = push(&f, vec![first.clone()]).await;
    assert!(res.results[0].duplicate);
    accepted(&res.results[0].outcome);
    // Nothing was written for the refused ones, and the device goes on.
    assert_eq!(pull_all(&f, 1000).await.head, head);
    let res = push(&f, vec![ob.cmd(register_product("WASHER", 1).1)]).await;
    accepted(&res.results[0].outcome);
}

async fn a_command_deriving_another_commands_event_ids_is_refused(f: Fixture) {
    let mut ob = Outbox::new();
    let first = ob.cmd(register_product("BOLT", 100).1);
    accepted(&push(&f, vec![first.clone()]).await.results[0].outcome);
    // Another command id that shares the bytes event ids derive from, at the same
    // time: its events would have the first's ids.
    let mut twin = ob.cmd(register_product("NUT", 100).1);
    let mut bytes = *first.envelope.command_id.as_bytes();
    bytes[0] ^= 0xFF;
    twin.envelope.command_id = Uuid::from_bytes(bytes);
    twin.envelope.issued_at = first.envelope.issued_at;
    assert_eq!(
        ids::event_id(twin.envelope.command_id, 1, 0),
        ids::event_id(first.envelope.command_id, 1, 0)
    );
    let res = push(&f, vec![twin]).await;
    assert_eq!(rejected(&res.results[0].outcome), "command_id_reused");
    let log = pull_all(&f, 1000).await;
    assert_eq!(log.events.len(), 1, "only the first command's event");
    assert_eq!(log.events[0].command_id, first.envelope.command_id);
}

async fn a_sequence_far_ahead_is_refused_and_does_not_brick_the_device(f: Fixture) {
    let mut ob = Outbox::new();
    accepted(
        &push(&f, vec![ob.cmd(register_product("BOLT", 1).1)])
            .await
            .results[0]
            .outcome,
    );
    let mut far = ob.cmd(register_product("NUT", 1).1);
    far.device_seq = i64::MAX as u64;
    let res = push(&f, vec![far]).await;
    let error = match &res.results[0].outcome {
        daybook_protocol::PushOutcome::Rejected { error } => error.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(error.code, "device_seq_too_far");
    assert_eq!(error.params.last_seq, Some(1));
    assert_eq!(error.params.max, Some(1 + claims::MAX_DEVICE_SEQ_STEP));
    // The device's next command still goes through (the refused one was not recorded).
    ob.seq = 1;
    let res = push(&f, vec![ob.cmd(register_product("WASHER", 1).1)]).await;
    accepted(&res.results[0].outcome);
    // A stale sequence says where to continue from.
    let mut stale = ob.cmd(register_product("SCREW", 1).1);
    stale.device_seq = 2;
    let res = push(&f, vec![stale]).await;
    match &res.results[0].outcome {
        daybook_protocol::PushOutcome::Rejected { error } => {
            assert_eq!(error.code, "stale_device_seq");
            assert_eq!(error.params.last_seq, Some(2));
        }
        other => panic!("{other:?}"),
    }
}

async fn a_time_outside_the_window_is_refused_and_months_offline_are_not(f: Fixture) {
    let mut ob = Outbox::new();
    let now = Utc::now();
    let mut at = |t| {
        let code = format!("P-{}", ob.seq);
        let mut c = ob.cmd(register_product(&code, 1).1);
        c.envelope.issued_at = t;
        c
    };
    let commands = vec![
        at(Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap()),
        at(now + Duration::days(2)),
        at(now - Duration::days(200)),
        at(now + Duration::hours(12)),
    ];
    let res = push(&f, commands).await;
    for i in [0, 1] {
        match &res.results[i].outcome {
            daybook_protocol::PushOutcome::Rejected { error } => {
                assert_eq!(error.code, "issued_at_out_of_range");
                let earliest = error.params.earliest.expect("earliest");
                let latest = error.params.latest.expect("latest");
                assert_eq!(earliest.timestamp_millis(), claims::ISSUED_AT_FLOOR_MS);
                assert!(latest > now && latest < now + Duration::days(2));
            }
            other => panic!("{i}: {other:?}"),
        }
    }
    accepted(&res.results[2].outcome);
    accepted(&res.results[3].outcome);
}

crate::support::contract!(
    a_reused_command_id_with_other_content_is_refused_and_a_retry_is_a_duplicate,
    a_command_deriving_another_commands_event_ids_is_refused,
    a_sequence_far_ahead_is_refused_and_does_not_brick_the_device,
    a_time_outside_the_window_is_refused_and_months_offline_are_not,
);

/// A command that fails in the store (here: a read model row the facts cannot read) is
/// refused alone (`internal`); the push's other commands commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_failure_of_one_command_refuses_that_command_alone() {
    let f = fixture().await;
    let mut ob = Outbox::new();
    let (good, reg_good) = register_customer("C-1", None);
    let (bad, reg_bad) = register_customer("C-2", None);
    let (p, reg_p) = register_product("BOLT", 100);
    let (o, create) = create_order("SO-1", bad);
    let res = push(
        &f,
        vec![
            ob.cmd(reg_good),
            ob.cmd(reg_bad),
            ob.cmd(reg_p),
            ob.cmd(create),
            ob.cmd(add_line(o, p, 1)),
        ],
    )
    .await;
    for r in &res.results {
        accepted(&r.outcome);
    }
    // The bad customer's open total can no longer be read as a number.
    let path = daybook_server::sqlite::accounts::account_db_path(f.sqlite().data_dir(), f.account);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE p_customers SET open_total = 'garbled' WHERE id = ?1",
        [bad.0],
    )
    .unwrap();
    drop(conn);
    let (o2, create2) = create_order("SO-2", good);
    let nut = ob.cmd(register_product("NUT", 1).1);
    let place = ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o }));
    let res = push(&f, vec![nut, place.clone(), ob.cmd(create2)]).await;
    accepted(&res.results[0].outcome);
    assert_eq!(rejected(&res.results[1].outcome), "internal");
    accepted(&res.results[2].outcome);
    // Recorded: a retry gets the same answer, and the rest is there.
    let retry = push(&f, vec![place]).await;
    assert!(retry.results[0].duplicate);
    let log = pull_all(&f, 1000).await;
    assert!(log.events.iter().any(|e| e.stream_id == o2.0));
}

/// Account databases from before the ledger recorded hashes get the column on open;
/// their old rows still answer retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_database_from_before_hashes_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let account = daybook_server::Store::create_account(&store, "Acme")
        .await
        .unwrap();
    let path = daybook_server::sqlite::accounts::account_db_path(dir.path(), account);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "ALTER TABLE sync_commands DROP COLUMN envelope_hash; DROP TABLE sync_migrations;",
    )
    .unwrap();
    drop(conn);
    let db = store.account(account).await.unwrap();
    drop(db);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let versions: i64 = conn
        .query_row("SELECT max(version) FROM sync_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(versions, 2);
    conn.prepare("SELECT envelope_hash FROM sync_commands")
        .unwrap();
}
