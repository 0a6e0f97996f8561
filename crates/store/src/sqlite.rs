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

/// A read-only connection to the store file at `path` (see
/// [`EventStore::open_read_only`]). Also what `daybook check` reads a store through when
/// it cannot be opened for writing.
pub fn open_read_only_conn(path: &Path) -> Result<Connection, StoreError> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let plain = Connection::open_with_flags(path, flags).and_then(|c| {
        // Opening is lazy: the first read meets the WAL index (or fails to make one).
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(c)
    });
    let e = match plain {
        Ok(conn) => return Ok(conn),
        Err(e) if cannot_open(&e) => e,
        Err(e) => return Err(StoreError::Sqlite(e).classify()),
    };
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    match std::fs::metadata(&wal) {
        Ok(m) if m.len() > 0 => {
            return Err(StoreError::ReadOnly(format!(
                "its last changes are still in its journal ({}), which cannot be read \
                 without writing beside it",
                Path::new(&wal).display()
            )));
        }
        Ok(_) => {}
        Err(io) if io.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Err(StoreError::Sqlite(e)),
    }
    let conn = Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        .map_err(|e| StoreError::Sqlite(e).classify())?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| StoreError::Sqlite(e).classify())?;
    Ok(conn)
}

/// SQLite could not open the file or its WAL index for lack of write access (the
/// store may still be read: `open_read_only_conn`).
pub fn cannot_open(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// `file:` URI of `path` with `immutable=1`; every byte outside the unreserved set is
/// percent-encoded, so a `?`, `#` or `%` in a folder name stays part of the path.
fn immutable_uri(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().into_owned().into_bytes();
    let mut uri = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
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
    /// Opened lazily (no read until first used), so while unused it does not keep the
    /// WAL from being checkpointed and removed when the writer closes; a store on
    /// storage that cannot be written is read through [`open_read_only_conn`] instead.
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

    /// Opens the store at `path` for reading only, where its folder or file cannot be
    /// written (read-only media, a mounted backup disk, someone else's folder): nothing
    /// is created, migrated or changed, and every write is refused by SQLite
    /// ([`StoreError::ReadOnly`] after [`StoreError::classify`]).
    ///
    /// Why not a plain read-only open: a store in WAL mode needs its `-shm` file beside
    /// it, which cannot be made in a read-only folder. When no journal with unfinished
    /// changes lies beside the file, the file alone is the whole store, and SQLite is
    /// told it is immutable; when one does, reading the file alone would miss them, so
    /// the store is refused as it is.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let conn = open_read_only_conn(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(256);
        stable_plans(&conn)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| StoreError::Sqlite(e).classify())?;
        if version > crate::schema::SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: crate::schema::SCHEMA_VERSION,
            });
        }
        if version < crate::schema::SCHEMA_VERSION {
            return Err(StoreError::ReadOnly(
                "it was written by an older Daybook and must be upgraded first".into(),
            ));
        }
        crate::schema::check_schema(&conn).map_err(StoreError::classify)?;
        let account_id = settings::ACCOUNT_ID
            .get(&conn)?
            .ok_or_else(|| StoreError::FileCorrupt("the store has no account id".into()))?;
        Ok(EventStore { conn, account_id })
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

#[cfg(test)]
mod uri_tests {
    use super::immutable_uri;
    use std::path::Path;

    #[test]
    fn a_path_stays_a_path_in_the_immutable_uri() {
        assert_eq!(
            immutable_uri(Path::new("/media/usb/Q&A 100%?#/daybook.sqlite3")),
            "file:/media/usb/Q%26A%20100%25%3F%23/daybook.sqlite3?immutable=1"
        );
    }
}
