//! The SQLite adapter: connection set-up (WAL, synchronous=FULL), appends, reads,
//! snapshots and the outbox.

use crate::error::StoreError;
use crate::schema::migrate;
use crate::settings;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use uuid::Uuid;

pub use crate::read::*;
pub use crate::tx::StoreTx;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a commit is on disk when it returns (one fsync per commit).
    /// The default: a command is acknowledged only once durable.
    #[default]
    Full,
    /// `synchronous=NORMAL`: in WAL mode a power cut may lose the last commits but
    /// never corrupts. Only for throw-away stores (tests, benchmarks of other costs).
    Normal,
}

/// How to open a store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Commit durability.
    pub durability: Durability,
}

/// An open event store. One writer connection; see `open_reader` for more readers.
pub struct EventStore {
    conn: Connection,
    account_id: Uuid,
}

pub(crate) const EVENT_COLUMNS: &str = "seq, event_id, account_id, stream_id, stream_type, revision, \
     event_type, schema_version, payload, user_id, device_id, command_id, causation_id, \
     correlation_id, issued_at, committed_at, server_seq";

fn configure(conn: &Connection, durability: Durability) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -64_000)?; // 64 MB
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    stable_plans(conn)?;
    Ok(())
}

/// SQLite (3.54) marks statements whose plan could depend on a bound value as
/// "re-prepare when rebound", and rusqlite's statement cache rebinds every use: the
/// hot reads were parsed and planned again on every call (a third of the command
/// path). With the query planner stability guarantee on, plans never depend on
/// bound values (there are no ANALYZE statistics for them to use anyway).
fn stable_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

impl EventStore {
    /// Opens (creating if needed) the store at `path` and applies migrations. A
    /// damaged file (SQLite says corrupt or not a database, or tables of its schema
    /// version are missing) is [`StoreError::FileCorrupt`]. Only the header and the
    /// schema are read here: a full check is `PRAGMA quick_check`/`integrity_check`,
    /// too slow for every start on a large store.
    ///
    /// A new file is created private to its owner (0600), an existing one is made so;
    /// an existing file of zero bytes is damage (a store is never empty on disk), not a
    /// new store.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        match std::fs::metadata(path) {
            Ok(m) if m.len() == 0 => {
                return Err(StoreError::FileCorrupt(
                    "the store file is empty (zero bytes)".into(),
                ));
            }
            Ok(_) => crate::private::make_private(path).map_err(StoreError::Io)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::private::create_private_file(path).map_err(StoreError::Io)?;
            }
            Err(e) => return Err(StoreError::Io(e)),
        }
        let conn = Connection::open(path).map_err(|e| StoreError::Sqlite(e).classify())?;
        Self::init(conn, options).map_err(StoreError::classify)
    }

    /// A private in-memory store (tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, &StoreOptions::default())
    }

    /// A second, read-only connection to the same file, for queries off the writer.
    pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(256);
        stable_plans(&conn)?;
        Ok(conn)
    }

    fn init(mut conn: Connection, options: &StoreOptions) -> Result<Self, StoreError> {
        configure(&conn, options.durability)?;
        migrate(&mut conn)?;
        crate::schema::check_schema(&conn)?;
        let account_id = match settings::ACCOUNT_ID.get(&conn)? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                settings::ACCOUNT_ID.set(&conn, &id)?;
                id
            }
        };
        Ok(EventStore { conn, account_id })
    }

    /// The tenant this local store belongs to.
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// Binds the store to another account (a device joining an existing account).
    pub fn set_account_id(&mut self, id: Uuid) -> Result<(), StoreError> {
        settings::ACCOUNT_ID.set(&self.conn, &id)?;
        self.account_id = id;
        Ok(())
    }

    /// The connection, for reads (queries, projections' read side).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: the write lock is taken up front,
    /// so two writers never deadlock on lock upgrade). Dropping it rolls back.
    pub fn begin(&mut self) -> Result<StoreTx<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(StoreTx {
            tx,
            account_id: self.account_id,
        })
    }

    /// A setting of this store.
    pub fn setting<T: settings::Value>(
        &self,
        setting: settings::Setting<T>,
    ) -> Result<Option<T>, StoreError> {
        setting.get(&self.conn)
    }

    /// Changes a setting of this store (its own transaction).
    pub fn set_setting<T: settings::Value>(
        &self,
        setting: settings::Setting<T>,
        value: &T,
    ) -> Result<(), StoreError> {
        setting.set(&self.conn, value)
    }
}
