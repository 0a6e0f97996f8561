//! The event store's contract, against real SQLite files.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap freely

use chrono::{TimeZone, Utc};
use daybook_domain::event::*;
use daybook_domain::{Event, Money, StreamType, VatClass};
use daybook_store::*;
use rusqlite::params;
use uuid::Uuid;

fn open(dir: &tempfile::TempDir) -> EventStore {
    EventStore::open(&dir.path().join("store.db"), &StoreOptions::default()).unwrap()
}

fn product_registered(code: &str) -> Event {
    ProductRegistered {
        code: code.into(),
        description: "Bolt".into(),
        unit_price: Money(125),
        vat_class: VatClass::Standard,
    }
    .into()
}

fn price_changed(p: i64) -> Event {
    ProductPriceChanged {
        unit_price: Money(p),
    }
    .into()
}

fn new(event: Event) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event,
    }
}

fn meta() -> Metadata {
    Metadata {
        issued_at: Utc::now(),
        user: "alice".into(),
        device: "laptop".into(),
        command_id: Uuid::now_v7(),
        causation_id: None,
        correlation_id: None,
    }
}

fn append(
    store: &mut EventStore,
    stream: Uuid,
    expected: ExpectedRevision,
    events: Vec<NewEvent>,
) -> Result<Appended, StoreError> {
    let tx = store.begin()?;
    let r = tx.append(
        stream,
        StreamType::Product,
        expected,
        events,
        &meta(),
        Utc::now(),
    )?;
    tx.commit()?;
    Ok(r)
}

#[test]
fn appends_and_reads_a_stream_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    append(
        &mut s,
        id,
        ExpectedRevision::NoStream,
        vec![new(product_registered("A")), new(price_changed(200))],
    )
    .unwrap();
    append(
        &mut s,
        id,
        ExpectedRevision::Exact(2),
        vec![new(price_changed(300))],
    )
    .unwrap();
    let events = read_stream(s.conn(), id, 0).unwrap();
    assert_eq!(
        events.iter().map(|e| e.revision).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(events[2].event, price_changed(300));
    assert_eq!(events[0].metadata.user, "alice");
    assert_eq!(read_stream(s.conn(), id, 2).unwrap().len(), 1);
    assert_eq!(
        stream_head(s.conn(), id).unwrap(),
        Some((StreamType::Product, 3))
    );
}

#[test]
fn stale_writer_gets_a_typed_conflict_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    append(
        &mut s,
        id,
        ExpectedRevision::NoStream,
        vec![new(product_registered("A"))],
    )
    .unwrap();
    let err = append(
        &mut s,
        id,
        ExpectedRevision::NoStream,
        vec![new(price_changed(1))],
    )
    .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Conflict {
            expected: ExpectedRevision::NoStream,
            actual: 1,
            ..
        }
    ));
    let err = append(
        &mut s,
        id,
        ExpectedRevision::Exact(5),
        vec![new(price_changed(1))],
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { actual: 1, .. }));
    assert_eq!(read_stream(s.conn(), id, 0).unwrap().len(), 1);
}

#[test]
fn appending_the_same_event_ids_again_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    let batch = vec![new(product_registered("A")), new(price_changed(2))];
    append(&mut s, id, ExpectedRevision::NoStream, batch.clone()).unwrap();
    let again = append(&mut s, id, ExpectedRevision::NoStream, batch.clone()).unwrap();
    assert_eq!(again, Appended::AlreadyStored);
    assert_eq!(read_all(s.conn(), 0, 100).unwrap().len(), 2);

    // A batch that is only partly stored is not a retry: refused, nothing written.
    let mixed = vec![batch[0].clone(), new(price_changed(3))];
    let err = append(&mut s, id, ExpectedRevision::Exact(2), mixed).unwrap_err();
    assert!(matches!(err, StoreError::PartialDuplicate { .. }));
    assert_eq!(read_all(s.conn(), 0, 100).unwrap().len(), 2);
}

#[test]
fn a_stream_keeps_its_type() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    append(
        &mut s,
        id,
        ExpectedRevision::NoStream,
        vec![new(product_registered("A"))],
    )
    .unwrap();
    let tx = s.begin().unwrap();
    let err = tx
        .append(
            id,
            StreamType::Customer,
            ExpectedRevision::Any,
            vec![new(CustomerUnblocked {}.into())],
            &meta(),
            Utc::now(),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::StreamTypeMismatch { .. }));
}

#[test]
fn dropped_transaction_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    {
        let tx = s.begin().unwrap();
        tx.append(
            id,
            StreamType::Product,
            ExpectedRevision::NoStream,
            vec![new(product_registered("A"))],
            &meta(),
            Utc::now(),
        )
        .unwrap();
        tx.record_outbox(Uuid::now_v7(), id, "{}", "alice", Utc::now())
            .unwrap();
        // dropped without commit
    }
    assert!(read_all(s.conn(), 0, 10).unwrap().is_empty());
    assert_eq!(outbox_count(s.conn(), OutboxStatus::Pending).unwrap(), 0);
}

#[test]
fn read_all_pages_by_sequence_across_streams() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    append(
        &mut s,
        a,
        ExpectedRevision::NoStream,
        vec![new(product_registered("A"))],
    )
    .unwrap();
    append(
        &mut s,
        b,
        ExpectedRevision::NoStream,
        vec![new(product_registered("B"))],
    )
    .unwrap();
    append(
        &mut s,
        a,
        ExpectedRevision::Exact(1),
        vec![new(price_changed(9))],
    )
    .unwrap();
    let all = read_all(s.conn(), 0, 100).unwrap();
    assert_eq!(
        all.iter().map(|e| e.stream_id).collect::<Vec<_>>(),
        vec![a, b, a]
    );
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let page = read_all(s.conn(), all[0].seq, 1).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].seq, all[1].seq);
}

#[test]
fn durable_settings_are_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir);
    let mode: String = s
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = s
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
}

#[test]
fn account_id_is_created_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(&dir).account_id();
    assert_eq!(open(&dir).account_id(), first);
}

#[test]
fn snapshots_replace_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = Uuid::now_v7();
    let tx = s.begin().unwrap();
    for rev in [100, 200] {
        tx.save_snapshot(&Snapshot {
            stream_id: id,
            stream_type: StreamType::Customer,
            revision: rev,
            state_version: 1,
            state: format!("{{\"rev\":{rev}}}"),
        })
        .unwrap();
    }
    tx.commit().unwrap();
    let snap = load_snapshot(s.conn(), id).unwrap().unwrap();
    assert_eq!(snap.revision, 200);
    assert_eq!(snap.state, "{\"rev\":200}");
    assert!(load_snapshot(s.conn(), Uuid::now_v7()).unwrap().is_none());
}

/// Old rows stay as written; reading upgrades them through the upcaster chain.
#[test]
fn old_schema_versions_are_upcast_on_read_and_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir);
    let id = Uuid::now_v7();
    let v1 = r#"{"code":"OLD-1","description":"Legacy bolt","price":250,"vat":"low"}"#;
    s.conn()
        .execute(
            "INSERT INTO events (event_id, account_id, stream_id, stream_type, revision,
                event_type, schema_version, payload, user_id, device_id, command_id,
                issued_at, committed_at)
             VALUES (?1, ?2, ?3, 'Product', 1, 'ProductRegistered', 1, ?4, 'bob', 'old-pc',
                ?5, ?6, ?6)",
            params![
                Uuid::now_v7(),
                s.account_id(),
                id,
                v1,
                Uuid::now_v7(),
                Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
                    .unwrap()
                    .timestamp_millis()
            ],
        )
        .unwrap();
    let events = read_stream(s.conn(), id, 0).unwrap();
    assert_eq!(events[0].stored_version, 1);
    assert_eq!(
        events[0].event,
        Event::ProductRegistered(ProductRegistered {
            code: "OLD-1".into(),
            description: "Legacy bolt".into(),
            unit_price: Money(250),
            vat_class: VatClass::Reduced,
        })
    );
    let stored: String = s
        .conn()
        .query_row(
            "SELECT payload FROM events WHERE stream_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, v1);
}

#[test]
fn an_unreadable_row_is_a_typed_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir);
    let id = Uuid::now_v7();
    s.conn()
        .execute(
            "INSERT INTO events (event_id, account_id, stream_id, stream_type, revision,
                event_type, schema_version, payload, user_id, device_id, command_id,
                issued_at, committed_at)
             VALUES (?1, ?2, ?3, 'Product', 1, 'ProductRegistered', 2, '{\"code\":', 'x', 'y', ?4,
                0, 0)",
            params![Uuid::now_v7(), s.account_id(), id, Uuid::now_v7()],
        )
        .unwrap();
    let err = read_stream(s.conn(), id, 0).unwrap_err();
    assert!(matches!(err, StoreError::Decode { .. }));
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(open(&dir));
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(c);
    let err = EventStore::open(&path, &StoreOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::TooNew { .. }));
}

#[test]
fn outbox_keeps_commands_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let tx = s.begin().unwrap();
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for id in &ids {
        tx.record_outbox(*id, Uuid::now_v7(), "{}", "alice", Utc::now())
            .unwrap();
    }
    tx.commit().unwrap();
    let pending = outbox(s.conn(), OutboxStatus::Pending, 10).unwrap();
    assert_eq!(
        pending.iter().map(|e| e.command_id).collect::<Vec<_>>(),
        ids
    );
}
