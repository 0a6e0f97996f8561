//! One database per account (`DIR/accounts/<id>.sqlite3`): the account's event store
//! with its read models, opened in authority mode, plus the server's own sync tables
//! in the same file. Opened on first use and kept open.
//!
//! **Architecture Invariant:** one writer per account. Every write goes through the
//! account's `Mutex<Daybook>` on a blocking thread; reads (pulls) use separate
//! read-only connections and never wait for the writer.
//!
//! **Architecture Invariant:** the account's global sequence is `events.seq` of its
//! database: `INTEGER PRIMARY KEY AUTOINCREMENT`, assigned by the single writer inside
//! its transaction. A rolled-back savepoint (a rejected command) rolls back its rows
//! and the `sqlite_sequence` counter with them, so it gives back nothing, and the
//! server never deletes events: the sequence is gap-free. In WAL mode a reader only
//! ever sees committed transactions, whole, so a follower of the sequence never
//! sees `n + 1` before `n` and never skips an event that committed late.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use daybook_app::{Daybook, OpenOptions};
use daybook_store::EventStore;
use tokio::sync::{OnceCell, broadcast};
use uuid::Uuid;

use super::pool::Pool;
use crate::error::ServerError;

/// Folder of the account databases inside the data directory.
pub const ACCOUNTS_DIR: &str = "accounts";
/// The device name the server's own store is opened with (it never executes
/// commands as itself: every pushed command carries its device's identity).
pub const SERVER_DEVICE: &str = "server";

/// The server's tables in each account database: numbered migrations, applied on open
/// in one transaction and recorded in `sync_migrations` (the store's own schema has
/// `PRAGMA user_version`). Shipped ones are never edited.
const SYNC_MIGRATIONS: &[&str] = &[
    // 1: the ledger (files from before the numbering have these tables already).
    r#"
    CREATE TABLE IF NOT EXISTS sync_commands (
        command_id   BLOB    PRIMARY KEY,
        device_id    BLOB    NOT NULL,
        device_seq   INTEGER NOT NULL,
        status       TEXT    NOT NULL CHECK (status IN ('accepted', 'rejected')),
        error        TEXT,
        first_seq    INTEGER,
        last_seq     INTEGER,
        processed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS sync_devices (
        device_id BLOB    PRIMARY KEY,
        last_seq  INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 2: the hash of each recorded envelope (a reused command id with other content
    // is refused); none on rows from before.
    "ALTER TABLE sync_commands ADD COLUMN envelope_hash BLOB;",
];

/// Applies the sync tables' migrations not yet applied; refuses a file newer than
/// this build.
fn migrate_sync(conn: &rusqlite::Connection) -> Result<(), ServerError> {
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         CREATE TABLE IF NOT EXISTS sync_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at INTEGER NOT NULL
         );",
    )?;
    let result = (|| {
        let done: i64 = conn.query_row(
            "SELECT coalesce(max(version), 0) FROM sync_migrations",
            [],
            |r| r.get(0),
        )?;
        let done = usize::try_from(done).unwrap_or(0);
        if done > SYNC_MIGRATIONS.len() {
            return Err(ServerError::Corrupt(format!(
                "the account database's sync schema is version {done}, newer than this \
                 build ({}); update daybook-server",
                SYNC_MIGRATIONS.len()
            )));
        }
        for (i, sql) in SYNC_MIGRATIONS.iter().enumerate().skip(done) {
            conn.execute_batch(sql)?;
            conn.execute(
                "INSERT INTO sync_migrations (version, applied_at) VALUES (?1, ?2)",
                rusqlite::params![i as i64 + 1, chrono::Utc::now().timestamp_millis()],
            )?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            // Nothing of a failed migration stays.
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The database file of an account.
pub fn account_db_path(data_dir: &Path, account_id: Uuid) -> PathBuf {
    data_dir
        .join(ACCOUNTS_DIR)
        .join(format!("{account_id}.sqlite3"))
}

/// Opens the account's store as the authority and makes sure it is bound to the
/// account and has the sync tables.
fn open_writer(path: &Path, account_id: Uuid) -> Result<Daybook, ServerError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ServerError::Io {
            what: format!("cannot create {}", dir.display()),
            source,
        })?;
    }
    let mut db = Daybook::open(
        path,
        OpenOptions {
            authority: true,
            user: None,
            device: Some(SERVER_DEVICE.into()),
            role: daybook_domain::Role::Admin,
            ..Default::default()
        },
    )?;
    if db.account_id() != account_id {
        // A fresh file gets a random tenant id; bind it to the registry's. A file with
        // events of another tenant is someone else's data: refuse it.
        if daybook_store::head(db.conn())? != 0 {
            return Err(ServerError::Corrupt(format!(
                "{} holds events of account {}, not {account_id}",
                path.display(),
                db.account_id()
            )));
        }
        db.store().set_account_id(account_id)?;
    }
    migrate_sync(db.conn())?;
    Ok(db)
}

/// Creates an account's database (used when the account is created).
pub fn create_account_db(data_dir: &Path, account_id: Uuid) -> Result<(), ServerError> {
    open_writer(&account_db_path(data_dir, account_id), account_id).map(drop)
}

/// An open account: its single writer, its readers and its live channel.
pub struct AccountDb {
    /// The tenant.
    pub id: Uuid,
    /// Fair (first come, first served): a push that releases the writer between its
    /// transactions lets the pushes waiting meanwhile go first.
    writer: tokio::sync::Mutex<Daybook>,
    readers: Pool,
    head: AtomicI64,
    live: broadcast::Sender<i64>,
}

impl AccountDb {
    fn open(data_dir: &Path, account_id: Uuid) -> Result<Self, ServerError> {
        let path = account_db_path(data_dir, account_id);
        let db = open_writer(&path, account_id)?;
        let head = daybook_store::head(db.conn())?;
        let reader_path = path.clone();
        let (live, _) = broadcast::channel(64);
        Ok(AccountDb {
            id: account_id,
            writer: tokio::sync::Mutex::new(db),
            readers: Pool::new(4, move || Ok(EventStore::open_reader(&reader_path)?)),
            head: AtomicI64::new(head),
            live,
        })
    }

    /// Runs `f` with the account's writer (blocking: call from a blocking thread,
    /// never from async code). A panic while it was held rolled its transaction back,
    /// so the writer is as before.
    pub(crate) fn with_writer<T>(&self, f: impl FnOnce(&mut Daybook) -> T) -> T {
        let mut db = self.writer.blocking_lock();
        f(&mut db)
    }

    /// Runs `f` on a read-only connection (blocking).
    pub(crate) fn with_reader<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        self.readers.with(f)
    }

    /// The last committed sequence, as last published.
    pub fn head(&self) -> i64 {
        self.head.load(Ordering::Acquire)
    }

    /// Publishes a new head after a commit: live subscribers are told.
    pub(crate) fn publish(&self, head: i64) {
        let before = self.head.fetch_max(head, Ordering::AcqRel);
        if head > before {
            // No receiver is fine: nobody is listening.
            let _ = self.live.send(head);
        }
    }

    /// A receiver of future heads (subscribe before reading [`AccountDb::head`] so
    /// no move is missed).
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.live.subscribe()
    }
}

/// The open account databases.
pub struct Accounts {
    data_dir: PathBuf,
    open: Mutex<HashMap<Uuid, Arc<OnceCell<Arc<AccountDb>>>>>,
}

impl Accounts {
    /// Account databases under `data_dir/accounts`.
    pub fn new(data_dir: &Path) -> Self {
        Accounts {
            data_dir: data_dir.to_path_buf(),
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The account's database, opened on first use (on a blocking thread; two
    /// requests racing for the same account open it once). The caller has checked
    /// the account exists.
    pub async fn get(&self, account_id: Uuid) -> Result<Arc<AccountDb>, ServerError> {
        let cell = {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            open.entry(account_id).or_default().clone()
        };
        let dir = self.data_dir.clone();
        let db = cell
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || AccountDb::open(&dir, account_id))
                    .await
                    .map_err(|e| ServerError::Task(e.to_string()))?
                    .map(Arc::new)
            })
            .await?;
        Ok(db.clone())
    }
}
