//! Backups, restores, corruption and CSV exports on real files: backups taken while
//! another thread writes, every kind of bad backup refused with nothing changed,
//! damaged stores detected on open, and exports parsed back.

use std::path::{Path, PathBuf};

use daybook_app::backup::{self, BadBackup, Thoroughness};
use daybook_app::export;
use daybook_app::query::OrderQuery;
use daybook_app::{AppError, DB_FILE, Daybook, Durability, OpenOptions};
use daybook_domain::PlaceOrder;
use daybook_domain::*;
use daybook_store::settings;
use daybook_testkit::{create_order, damage, dump, register_customer, update_product};
use tempfile::TempDir;

use crate::fixtures::{customer, order, product};

fn open(dir: &Path) -> Daybook {
    Daybook::open_dir(
        dir,
        OpenOptions {
            user: Some("alice".into()),
            device: Some("laptop".into()),
            durability: Durability::Normal,
            ..OpenOptions::default()
        },
    )
    .unwrap()
}

/// A store with two customers, two products and three orders.
fn store_with_data(dir: &Path) -> Daybook {
    let mut db = open(dir);
    let c1 = customer(&mut db, "C-1", None);
    let c2 = customer(&mut db, "C-2", Some(1_000_000));
    let p1 = product(&mut db, "P-1", 12_50, VatClass::Standard);
    let p2 = product(&mut db, "P-2", 3_99, VatClass::Reduced);
    order(&mut db, c1, &[(p1, 2), (p2, 3)]);
    order(&mut db, c2, &[(p2, 1)]);
    order(&mut db, c1, &[]);
    db
}

fn events(db: &Daybook) -> i64 {
    db.conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

/// Files in `dir`, sorted (to see that a refused restore left nothing behind).
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The read models equal what a rebuild from the log makes.
fn assert_read_models_match_rebuild(db: &mut Daybook) {
    let before = dump::exact(db.conn());
    db.rebuild().unwrap();
    assert_eq!(before, dump::exact(db.conn()));
}

fn make_backup(db: &Daybook, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    db.backup(&path).unwrap();
    path
}

#[test]
fn a_backup_is_a_checked_single_file_of_the_same_account() {
    let tmp = TempDir::new().unwrap();
    let db = store_with_data(&tmp.path().join("data"));
    let dest = tmp.path().join("out").join("b.sqlite3");
    let report = db.backup(&dest).unwrap();
    assert_eq!(report.summary.account_id, db.account_id());
    assert_eq!(report.summary.events as i64, events(&db));
    assert_eq!(report.summary.orders, 3);
    assert_eq!(report.summary.pending_commands, events_commands(&db));
    assert_eq!(report.bytes, std::fs::metadata(&dest).unwrap().len());
    // One self-contained file: rollback journal mode in the header (bytes 18/19 = 1),
    // no -wal beside it, no partial file left.
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!((bytes[18], bytes[19]), (1, 1));
    assert_eq!(files(&tmp.path().join("out")), ["b.sqlite3"]);
    // An existing file is never overwritten.
    let err = db.backup(&dest).unwrap_err();
    assert!(matches!(err, AppError::InvalidInput { .. }), "{err:?}");
}

fn events_commands(db: &Daybook) -> u64 {
    db.conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64
}

#[test]
fn backups_taken_while_another_thread_writes_are_consistent() {
    let tmp = TempDir::new().unwrap();
    let data = tmp.path().join("data");
    let mut db = store_with_data(&data);
    let c = customer(&mut db, "C-9", None);
    let p = product(&mut db, "P-9", 1_00, VatClass::Standard);
    let writer = std::thread::spawn(move || {
        for _ in 0..60 {
            order(&mut db, c, &[(p, 1), (p, 2)]);
        }
        db
    });
    let src = daybook_store::EventStore::open_reader(&data.join(DB_FILE)).unwrap();
    let mut taken = Vec::new();
    for i in 0..8 {
        let path = tmp.path().join(format!("b{i}.sqlite3"));
        let r = backup::backup_from(&src, &path).unwrap();
        taken.push((path, r.summary.events));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let db = writer.join().unwrap();
    let total = events(&db) as u64;
    let mut counts: Vec<u64> = taken.iter().map(|(_, n)| *n).collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    counts.dedup();
    assert!(
        counts.len() > 1,
        "the writer ran during the backups: {counts:?}"
    );
    for (path, n) in taken {
        // Each backup opens as a store whose read models are exactly a rebuild of its
        // log: a whole moment, never half a command.
        let dir = tmp
            .path()
            .join(format!("open-{n}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&path, dir.join(DB_FILE)).unwrap();
        let mut b = open(&dir);
        assert_eq!(events(&b) as u64, n);
        assert!(n <= total);
        assert_read_models_match_rebuild(&mut b);
    }
}

#[test]
fn restore_brings_back_the_backup_and_keeps_the_replaced_store_aside() {
    let tmp = TempDir::new().unwrap();
    let data = tmp.path().join("data");
    let mut db = store_with_data(&data);
    let before = dump::exact(db.conn());
    let at_backup = events(&db);
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    let c = customer(&mut db, "C-LATER", None);
    order(&mut db, c, &[]);
    let later = events(&db);
    assert!(later > at_backup);

    let report = db.restore(&file).unwrap();
    assert_eq!(events(&db), at_backup);
    assert_eq!(dump::exact(db.conn()), before);
    assert_read_models_match_rebuild(&mut db);
    assert_eq!(report.summary.events as i64, at_backup);
    // The replaced store is kept, whole, with the later work in it.
    let aside = PathBuf::from(report.kept_aside.expect("kept aside"));
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("daybook.sqlite3.before-restore-")
    );
    let dir = tmp.path().join("aside");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&aside, dir.join(DB_FILE)).unwrap();
    if Path::new(&format!("{}-wal", aside.display())).exists() {
        std::fs::copy(
            format!("{}-wal", aside.display()),
            dir.join("daybook.sqlite3-wal"),
        )
        .unwrap();
    }
    assert_eq!(events(&open(&dir)), later);
    // The store goes on working after the restore, and survives a reopen.
    customer(&mut db, "C-AFTER", None);
    drop(db);
    assert_eq!(events(&open(&data)), at_backup + 1);
}

#[test]
fn a_store_left_with_its_log_by_a_crash_is_kept_whole_by_a_restore() {
    let tmp = TempDir::new().unwrap();
    let mut db = store_with_data(&tmp.path().join("live"));
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    let at_backup = events(&db);
    let c = customer(&mut db, "C-LATER", None);
    order(&mut db, c, &[]);
    let later = events(&db);
    // A crash: the file and its write-ahead log, with the latest commits only in the
    // log, and no connection to fold them in.
    let crashed = tmp.path().join("crashed");
    std::fs::create_dir_all(&crashed).unwrap();
    let live = tmp.path().join("live").join(DB_FILE);
    std::fs::copy(&live, crashed.join(DB_FILE)).unwrap();
    let wal = PathBuf::from(format!("{}-wal", live.display()));
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "commits in the log"
    );
    std::fs::copy(&wal, crashed.join("daybook.sqlite3-wal")).unwrap();
    drop(db);

    let report = backup::restore_file(&crashed.join(DB_FILE), &file).unwrap();
    // The store kept aside is whole on its own: its log was folded in before the
    // switch, so no -wal file belongs to it.
    let aside = PathBuf::from(report.kept_aside.expect("kept aside"));
    assert!(!Path::new(&format!("{}-wal", aside.display())).exists());
    let check = tmp.path().join("check");
    std::fs::create_dir_all(&check).unwrap();
    std::fs::copy(&aside, check.join(DB_FILE)).unwrap();
    assert_eq!(events(&open(&check)), later);
    // The live name holds the backup, untouched by the old log.
    assert_eq!(events(&open(&crashed)), at_backup);
}

#[test]
fn after_a_restore_pending_commands_stay_pending_and_the_device_sequence_moves_on() {
    let tmp = TempDir::new().unwrap();
    let mut db = store_with_data(&tmp.path().join("data"));
    let pending = db.read().outbox_counts().unwrap().pending;
    assert!(pending > 0);
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    // The device pushed some of its commands meanwhile: its sequence moved on.
    let sent = db.outgoing(3).unwrap();
    let last_sent = sent.last().unwrap().device_seq;
    db.restore(&file).unwrap();
    assert_eq!(db.read().outbox_counts().unwrap().pending, pending);
    // A command not yet numbered gets a number after anything this device may have
    // pushed from the replaced store, so the server does not refuse it as stale.
    let again = db.outgoing(100).unwrap();
    assert!(again.iter().all(|c| c.device_seq > last_sent), "{again:?}");
    assert!(again.windows(2).all(|w| w[0].device_seq < w[1].device_seq));
    assert_eq!(db.read().sync_cursor().unwrap(), 0);
}

/// Runs a restore of `bad` over a store with data; checks the error and that the
/// store and its folder are exactly as before.
fn refused(bad: &Path) -> AppError {
    let tmp = TempDir::new().unwrap();
    let data = tmp.path().join("data");
    let mut db = store_with_data(&data);
    let (before, n, listing) = (dump::exact(db.conn()), events(&db), files(&data));
    let err = db.restore(bad).unwrap_err();
    assert_eq!(events(&db), n);
    assert_eq!(dump::exact(db.conn()), before);
    assert_eq!(files(&data), listing, "nothing left behind");
    customer(&mut db, "C-STILL-WORKS", None);
    err
}

#[test]
fn restore_refuses_a_file_that_is_not_a_database() {
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("notes.sqlite3");
    std::fs::write(&bad, "these are my notes, not a database\n".repeat(200)).unwrap();
    let err = refused(&bad);
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::NotADatabase)),
        "{err:?}"
    );
    assert_eq!(err.body().code, "invalid_backup");
    assert_eq!(err.body().field.as_deref(), Some("path"));
}

#[test]
fn restore_refuses_a_missing_file() {
    let tmp = TempDir::new().unwrap();
    let err = refused(&tmp.path().join("nope.sqlite3"));
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::Missing)),
        "{err:?}"
    );
}

#[test]
fn restore_refuses_another_applications_database() {
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("other.sqlite3");
    let conn = rusqlite::Connection::open(&bad).unwrap();
    conn.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');")
        .unwrap();
    drop(conn);
    let err = refused(&bad);
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::NotDaybook(_))),
        "{err:?}"
    );
    // Version 1 but the tables are not ours.
    let conn = rusqlite::Connection::open(&bad).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    let err = refused(&bad);
    assert!(
        matches!(&err, AppError::BadBackup(BadBackup::NotDaybook(m)) if m.contains("events")),
        "{err:?}"
    );
}

#[test]
fn restore_refuses_a_store_of_a_newer_schema() {
    let tmp = TempDir::new().unwrap();
    let db = store_with_data(&tmp.path().join("src"));
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = refused(&file);
    assert!(
        matches!(
            err,
            AppError::BadBackup(BadBackup::TooNew { found: 99, .. })
        ),
        "{err:?}"
    );
}

#[test]
fn restore_refuses_a_truncated_backup() {
    let tmp = TempDir::new().unwrap();
    let db = store_with_data(&tmp.path().join("src"));
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(&file);
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::Damaged(_))),
        "{err:?}"
    );
}

#[test]
fn restore_refuses_a_backup_with_a_corrupt_page() {
    let tmp = TempDir::new().unwrap();
    let db = store_with_data(&tmp.path().join("src"));
    let file = make_backup(&db, tmp.path(), "b.sqlite3");
    damage::corrupt_events_page(&file);
    let err = refused(&file);
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::Damaged(_))),
        "{err:?}"
    );
}

#[test]
fn restore_refuses_another_accounts_backup_over_data() {
    let tmp = TempDir::new().unwrap();
    let other = store_with_data(&tmp.path().join("other"));
    let file = make_backup(&other, tmp.path(), "other.sqlite3");
    let err = refused(&file);
    assert!(
        matches!(err, AppError::BadBackup(BadBackup::OtherAccount { .. })),
        "{err:?}"
    );
    // Into an empty store (a new machine) it is welcome.
    let mut fresh = open(&tmp.path().join("fresh"));
    fresh.restore(&file).unwrap();
    assert_eq!(fresh.account_id(), other.account_id());
    assert_eq!(events(&fresh), events(&other));
}

#[test]
fn restore_refuses_the_store_in_use() {
    let tmp = TempDir::new().unwrap();
    let data = tmp.path().join("data");
    let err = refused(&data.join(DB_FILE));
    // `refused` made its own store; naming a live store file is refused as input.
    assert!(
        matches!(
            err,
            AppError::BadBackup(BadBackup::Missing) | AppError::InvalidInput { .. }
        ),
        "{err:?}"
    );
    let mut db = store_with_data(&data);
    let live = data.join(DB_FILE);
    let err = db.restore(&live).unwrap_err();
    assert!(matches!(err, AppError::InvalidInput { .. }), "{err:?}");
}

fn damaged_store(tmp: &TempDir, damage: impl FnOnce(&Path)) -> PathBuf {
    let data = tmp.path().join("data");
    {
        let mut db = store_with_data(&data);
        db.configure_sync_for_test();
    }
    let file = data.join(DB_FILE);
    damage(&file);
    data
}

trait SyncSettings {
    fn configure_sync_for_test(&mut self);
}

impl SyncSettings for Daybook {
    fn configure_sync_for_test(&mut self) {
        self.remember_server("http://sync.example:8787").unwrap();
        // A token as an earlier build kept it, inside the store.
        self.store()
            .set_setting(settings::SYNC_TOKEN, &"dbk_secret".to_string())
            .unwrap();
        self.store().set_setting(settings::DEVICE_SEQ, &41).unwrap();
    }
}

#[test]
fn a_store_with_a_garbled_header_is_reported_corrupt_on_open() {
    let tmp = TempDir::new().unwrap();
    let data = damaged_store(&tmp, |file| {
        let mut bytes = std::fs::read(file).unwrap();
        bytes[..16].copy_from_slice(b"definitely not!!");
        std::fs::write(file, bytes).unwrap();
    });
    let err = Daybook::open_dir(&data, OpenOptions::default())
        .err()
        .expect("refused");
    assert!(err.is_corrupt(), "{err:?}");
    assert_eq!(err.body().code, "store_corrupt");
    // Nothing was created or changed by trying.
    assert_eq!(files(&data), ["daybook.sqlite3"]);
}

#[test]
fn a_store_with_a_garbled_schema_is_reported_corrupt_on_open() {
    let tmp = TempDir::new().unwrap();
    let data = damaged_store(&tmp, |file| {
        // Page 1 after the 100-byte header holds sqlite_schema.
        let mut bytes = std::fs::read(file).unwrap();
        for b in &mut bytes[100..1500] {
            *b = 0x5A;
        }
        std::fs::write(file, bytes).unwrap();
    });
    let err = Daybook::open_dir(&data, OpenOptions::default())
        .err()
        .expect("refused");
    assert!(err.is_corrupt(), "{err:?}");
}

#[test]
fn a_store_whose_tables_are_gone_is_corrupt_not_new() {
    let tmp = TempDir::new().unwrap();
    let data = damaged_store(&tmp, |file| {
        let conn = rusqlite::Connection::open(file).unwrap();
        conn.execute_batch("DROP TABLE outbox").unwrap();
    });
    let err = Daybook::open_dir(&data, OpenOptions::default())
        .err()
        .expect("refused");
    assert!(err.is_corrupt(), "{err:?}");
}

#[test]
fn a_corrupt_page_is_found_by_the_check_and_recovery_starts_fresh_keeping_sync_settings() {
    let tmp = TempDir::new().unwrap();
    let data = damaged_store(&tmp, damage::corrupt_events_page);
    let file = data.join(DB_FILE);
    for how in [Thoroughness::Quick, Thoroughness::Full] {
        let report = backup::check_file(&file, how).unwrap();
        assert!(!report.ok, "{report:?}");
        assert!(!report.problems.is_empty());
    }
    let before = std::fs::read(&file).unwrap();
    let fresh = backup::start_fresh(&file).unwrap();
    assert_eq!(fresh.server.as_deref(), Some("http://sync.example:8787"));
    // The damaged file is kept, byte for byte.
    let aside = PathBuf::from(fresh.kept_aside.unwrap());
    assert_eq!(std::fs::read(&aside).unwrap(), before);
    let mut db = open(&data);
    assert_eq!(events(&db), 0);
    assert_eq!(
        db.read().server_url().unwrap().as_deref(),
        Some("http://sync.example:8787")
    );
    // The store keeps its id, the key of its token outside the store, and a token an
    // earlier build kept inside it, still to be moved out.
    assert_eq!(
        db.read().legacy_token().unwrap().as_deref(),
        Some("dbk_secret")
    );
    let seq: i64 = db.store().setting(settings::DEVICE_SEQ).unwrap().unwrap();
    assert!(seq > 41);
    let report = backup::check_file(&file, Thoroughness::Full).unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn a_damaged_store_can_be_replaced_by_a_backup() {
    let tmp = TempDir::new().unwrap();
    let src = store_with_data(&tmp.path().join("src"));
    let file = make_backup(&src, tmp.path(), "b.sqlite3");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join(DB_FILE), vec![0xEE; 8192]).unwrap();
    assert!(backup::replaces_data(&data.join(DB_FILE)).is_some());
    let report = backup::restore_file(&data.join(DB_FILE), &file).unwrap();
    assert!(report.kept_aside.is_some());
    let mut db = open(&data);
    assert_eq!(events(&db), events(&src));
    assert_read_models_match_rebuild(&mut db);
}

#[test]
fn backups_are_listed_newest_first() {
    let tmp = TempDir::new().unwrap();
    let db = store_with_data(&tmp.path().join("data"));
    let dir = tmp.path().join("backups");
    assert!(backup::list_backups(&dir).unwrap().is_empty());
    let at = chrono::Utc::now();
    let first = backup::default_backup_path(tmp.path(), at);
    assert_eq!(first.parent().unwrap(), dir);
    db.backup(&first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = dir.join("later.sqlite3");
    db.backup(&second).unwrap();
    std::fs::write(dir.join("readme.txt"), "not a backup").unwrap();
    let listed = backup::list_backups(&dir).unwrap();
    let names: Vec<&str> = listed.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[0], "later.sqlite3");
    assert!(listed.iter().all(|b| b.bytes > 0 && b.modified.is_some()));
}

#[test]
fn orders_and_lines_export_to_csv_that_parses_back() {
    let tmp = TempDir::new().unwrap();
    let mut db = open(&tmp.path().join("data"));
    let c = CustomerId::new();
    let name = "Brouwerij \"Noord\", Zoë & Co";
    db.execute(register_customer(c, "C-1", name).into())
        .unwrap();
    let p = product(&mut db, "P-1", 12_50, VatClass::Standard);
    let o = order(&mut db, c, &[(p, 3)]);
    db.execute(Command::PlaceOrder(PlaceOrder { order_id: o }))
        .unwrap();
    customer(&mut db, "C-2", None);

    let mut out = Vec::new();
    let r = export::orders_csv(db.conn(), &OrderQuery::default(), &mut out).unwrap();
    assert_eq!(r.rows, 1);
    let mut rd = csv::Reader::from_reader(out.as_slice());
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let get = |row: &csv::StringRecord, h: &str| {
        row.get(headers.iter().position(|x| x == h).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(get(&rows[0], "customer"), name);
    assert_eq!(get(&rows[0], "status"), "placed");
    assert_eq!(get(&rows[0], "net"), "37.50");
    assert_eq!(get(&rows[0], "vat"), "7.88");
    assert_eq!(get(&rows[0], "gross"), "45.38");
    assert_eq!(get(&rows[0], "sync_state"), "waiting");
    let placed = get(&rows[0], "placed_at");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&placed).is_ok(),
        "{placed}"
    );
    assert!(placed.ends_with('Z'));
    assert_eq!(get(&rows[0], "delivered_at"), "");

    let mut out = Vec::new();
    export::lines_csv(db.conn(), &OrderQuery::default(), &mut out).unwrap();
    let mut rd = csv::Reader::from_reader(out.as_slice());
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let get = |row: &csv::StringRecord, h: &str| {
        row.get(headers.iter().position(|x| x == h).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(get(&rows[0], "product_code"), "P-1");
    assert_eq!(get(&rows[0], "quantity"), "3");
    assert_eq!(get(&rows[0], "unit_price"), "12.50");
    assert_eq!(get(&rows[0], "discount_percent"), "0.00");
    assert_eq!(get(&rows[0], "vat_rate_percent"), "21.00");
    assert_eq!(get(&rows[0], "net"), "37.50");

    // Line breaks (free text only: names refuse them) are quoted and parse back.
    let notes = "Back door, \"ring twice\"\nthen wait";
    db.execute(Command::SetOrderDetails(SetOrderDetails {
        order_id: o,
        customer_reference: None,
        notes: Some(notes.into()),
        seen: None,
    }))
    .unwrap();
    let mut out = Vec::new();
    export::record_history_csv(db.conn(), o.0, &mut out).unwrap();
    let mut rd = csv::Reader::from_reader(out.as_slice());
    let new = rd
        .headers()
        .unwrap()
        .iter()
        .position(|x| x == "new")
        .unwrap();
    let cells: Vec<String> = rd.records().map(|r| r.unwrap()[new].to_string()).collect();
    assert!(cells.iter().any(|c| c == notes), "{cells:?}");
}

#[test]
fn a_large_order_list_exports_every_order_once() {
    let tmp = TempDir::new().unwrap();
    let mut db = open(&tmp.path().join("data"));
    let c = customer(&mut db, "C-1", None);
    let envs = (0..2_300).map(|i| {
        CommandEnvelope::new(create_order(OrderId::new(), &format!("SO-{i:05}"), c).into())
    });
    db.execute_batch(envs).unwrap();
    let mut out = Vec::new();
    let r = export::orders_csv(db.conn(), &OrderQuery::default(), &mut out).unwrap();
    assert_eq!(r.rows, 2_300);
    let mut numbers: Vec<String> = csv::Reader::from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 2_300);
}

#[test]
fn history_exports_field_changes_and_the_timeline_oldest_first() {
    let tmp = TempDir::new().unwrap();
    let mut db = open(&tmp.path().join("data"));
    let p = product(&mut db, "P-1", 12_50, VatClass::Standard);
    db.execute(update_product(p, "Product P-1", Money(13_75)).into())
        .unwrap();
    let mut out = Vec::new();
    export::record_history_csv(db.conn(), p.0, &mut out).unwrap();
    let mut rd = csv::Reader::from_reader(out.as_slice());
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let price: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[col("field")] == "unit_price" && &r[col("revision")] == "2")
        .collect();
    assert_eq!(price.len(), 1, "{rows:?}");
    assert_eq!(&price[0][col("old")], "1250");
    assert_eq!(&price[0][col("new")], "1375");
    assert_eq!(&price[0][col("user")], "alice");

    let mut out = Vec::new();
    let r = export::timeline_csv(db.conn(), &Default::default(), &mut out).unwrap();
    assert_eq!(r.rows, 2);
    let seqs: Vec<i64> = csv::Reader::from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    let err = export::record_history_csv(db.conn(), uuid::Uuid::now_v7(), Vec::new()).unwrap_err();
    assert!(matches!(err, AppError::UnknownRecord(_)), "{err:?}");
}
