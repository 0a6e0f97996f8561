//! Backups, restores, health checks and recovery of the local store file.
//!
//! - **Backup** copies the live database with SQLite's online backup API from a read
//!   connection in one step: one read transaction, so the copy is the state of one
//!   moment while the app keeps writing (WAL: readers never block the writer). The
//!   copy is written beside its destination, switched to a single self-contained file
//!   (rollback journal, no `-wal`), checked (`integrity_check`, Daybook schema, same
//!   account) and only then renamed into place.
//! - **Restore** copies the backup beside the live file, checks that copy (so what
//!   is checked is what is installed), keeps the replaced file aside
//!   (`<name>.before-restore-<time>`, never deleted) and renames the copy over the
//!   live file: a crash leaves either the old store or the new one. Stale `-wal`
//!   and `-shm` files go with the old file or away; a WAL left beside the new file
//!   would be replayed into it.
//! - **Recovery** of a damaged file moves it aside (`<name>.corrupt-<time>`) and
//!   either restores a backup or starts an empty store that keeps the sync settings
//!   it could still read, so the next sync fills it from the server.
//!
//! **Invariant:** nothing here deletes user data: replaced and damaged files are kept
//! aside, a failed check leaves the live store untouched.
//!
//! Sync after a restore: the restored outbox is the backup's. Its pending commands
//! are pushed as usual; those the server already has (pushed after the backup was
//! made) are answered as duplicates by command id, so nothing is applied twice. The
//! pull cursor is the backup's, so the next pull fetches everything the server got
//! since, including this device's own later work that reached the server. The
//! device's push sequence is moved past anything the server can have recorded for
//! the device ([`bump_device_seq`]), or every new command would be refused as stale.

mod restore;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use daybook_store::{SCHEMA_VERSION, STORE_TABLES, StoreError, settings};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::{DB_FILE, Daybook};

pub use crate::error::BadBackup;
pub use restore::{
    FreshStart, RestoreReport, bump_device_seq, replaces_data, restore_file, start_clean,
    start_fresh,
};

/// Folder of the data directory where backups go by default.
pub const BACKUP_DIR: &str = "backups";

/// What a checked Daybook store file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoreSummary {
    /// The tenant.
    pub account_id: Uuid,
    /// `PRAGMA user_version` (older versions are migrated when opened).
    pub schema_version: i64,
    /// Events in the log.
    pub events: u64,
    /// Orders in the read models.
    pub orders: u64,
    /// Commands waiting to be pushed to the server.
    pub pending_commands: u64,
    /// When the newest event's command was given.
    pub last_event_at: Option<DateTime<Utc>>,
}

/// A backup that was written and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupReport {
    /// Where it is.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// What it holds (checked after writing).
    pub summary: StoreSummary,
    /// Wall time, copy and check.
    pub millis: u64,
}

/// A backup file found in a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupFile {
    /// Full path.
    pub path: String,
    /// File name.
    pub name: String,
    /// Size.
    pub bytes: u64,
    /// Last modified.
    pub modified: Option<DateTime<Utc>>,
}

/// The result of a health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckReport {
    /// True when nothing is wrong.
    pub ok: bool,
    /// `integrity_check` (every index against its table) rather than `quick_check`.
    pub full: bool,
    /// What is wrong, at most 20 lines.
    pub problems: Vec<String>,
    /// Wall time.
    pub millis: u64,
}

/// How thoroughly to check a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thoroughness {
    /// `PRAGMA quick_check`: pages, records and b-tree structure, O(size).
    Quick,
    /// `PRAGMA integrity_check`: also every index against its table, O(size log size).
    Full,
}

const MAX_PROBLEMS: usize = 20;

pub(crate) fn now_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A fresh name beside `path`: `<name>.<tag>-<time>`, never an existing file.
pub(crate) fn aside_name(path: &Path, tag: &str, at: DateTime<Utc>) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DB_FILE.to_string());
    let stamp = at.format("%Y%m%d-%H%M%S");
    let mut candidate = path.with_file_name(format!("{name}.{tag}-{stamp}"));
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = path.with_file_name(format!("{name}.{tag}-{stamp}-{n}"));
    }
    candidate
}

pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Flushes a file's data to the disk.
pub(crate) fn fsync_file(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
pub(crate) fn fsync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The default path of a new backup: `DATA/backups/daybook-20250301-140509.sqlite3`.
pub fn default_backup_path(data_dir: &Path, at: DateTime<Utc>) -> PathBuf {
    data_dir
        .join(BACKUP_DIR)
        .join(format!("daybook-{}.sqlite3", at.format("%Y%m%d-%H%M%S")))
}

/// The backups in `dir` (`*.sqlite3` files), newest first; none if `dir` is missing.
pub fn list_backups(dir: &Path) -> Result<Vec<BackupFile>, AppError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::io("cannot list the backups", e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || path.extension().is_none_or(|e| e != "sqlite3") {
            continue;
        }
        out.push(BackupFile {
            path: path.display().to_string(),
            name: entry.file_name().to_string_lossy().into_owned(),
            bytes: meta.len(),
            modified: meta.modified().ok().map(DateTime::<Utc>::from),
        });
    }
    out.sort_by(|a, b| b.modified.cmp(&a.modified).then(b.name.cmp(&a.name)));
    Ok(out)
}

/// Reads `conn`'s integrity: `Ok(problems)` (empty when fine).
pub(crate) fn integrity(conn: &Connection, how: Thoroughness) -> rusqlite::Result<Vec<String>> {
    let sql = match how {
        Thoroughness::Quick => "PRAGMA quick_check(20)",
        Thoroughness::Full => "PRAGMA integrity_check(20)",
    };
    let mut stmt = conn.prepare(sql)?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(if rows.len() == 1 && rows[0] == "ok" {
        Vec::new()
    } else {
        rows.into_iter().take(MAX_PROBLEMS).collect()
    })
}

pub(crate) fn bad_of(e: &rusqlite::Error) -> BadBackup {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => BadBackup::NotADatabase,
        // Corrupt, or anything else SQLite cannot read in it.
        _ => BadBackup::Damaged(e.to_string()),
    }
}

/// Checks that `conn` holds an intact Daybook store and says what it holds.
/// Read-only: a store of an older schema version is accepted (migrated on open).
pub fn inspect(conn: &Connection, how: Thoroughness) -> Result<StoreSummary, BadBackup> {
    let problems = integrity(conn, how).map_err(|e| bad_of(&e))?;
    if let Some(first) = problems.first() {
        return Err(BadBackup::Damaged(first.clone()));
    }
    summarise(conn)
}

/// The schema and content checks of [`inspect`], without the integrity check.
pub(crate) fn summarise(conn: &Connection) -> Result<StoreSummary, BadBackup> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| bad_of(&e))?;
    if version > SCHEMA_VERSION {
        return Err(BadBackup::TooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        return Err(BadBackup::NotDaybook("it has no Daybook schema".into()));
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| bad_of(&e))?;
    for t in STORE_TABLES {
        if !tables.iter().any(|n| n == t) {
            return Err(BadBackup::NotDaybook(format!("table {t} is missing")));
        }
    }
    let account_id = settings::ACCOUNT_ID
        .get(conn)
        .ok()
        .flatten()
        .ok_or_else(|| BadBackup::NotDaybook("it names no account".into()))?;
    let has_orders = tables.iter().any(|n| n == "p_orders");
    let read = || -> rusqlite::Result<StoreSummary> {
        let (events, last): (i64, Option<i64>) =
            conn.query_row("SELECT count(*), max(issued_at) FROM events", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let pending: i64 = conn.query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?;
        let orders: i64 = if has_orders {
            conn.query_row("SELECT count(*) FROM p_orders", [], |r| r.get(0))?
        } else {
            0
        };
        Ok(StoreSummary {
            account_id,
            schema_version: version,
            events: events as u64,
            orders: orders as u64,
            pending_commands: pending as u64,
            last_event_at: last.map(daybook_store::from_millis),
        })
    };
    read().map_err(|e| BadBackup::NotDaybook(e.to_string()))
}

/// Opens an existing file read-write without creating it (a missing file is not an
/// empty database here).
pub(crate) fn open_existing(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Writes a checked backup of the store `src` is connected to, at `dest` (which
/// must not exist). Use a connection other than the writer's: the copy is one read
/// transaction, so writers go on meanwhile and the backup is the state of the moment
/// it started. The account must match `src`'s.
pub fn backup_from(src: &Connection, dest: &Path) -> Result<BackupReport, AppError> {
    let start = Instant::now();
    if dest.exists() {
        return Err(AppError::invalid(
            Some("path"),
            "a file with that name already exists; choose another name",
        ));
    }
    let dir = parent_of(dest);
    std::fs::create_dir_all(dir).map_err(|e| AppError::io("cannot create the backup folder", e))?;
    let tmp = sidecar(dest, &format!(".partial-{}", Uuid::now_v7().simple()));
    let result = write_backup(src, &tmp, dest);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(sidecar(&tmp, "-journal"));
    }
    let summary = result?;
    fsync_dir(dir);
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        path: dest.display().to_string(),
        bytes,
        summary,
        millis: now_ms(start),
    })
}

fn write_backup(src: &Connection, tmp: &Path, dest: &Path) -> Result<StoreSummary, AppError> {
    // Private before SQLite writes a byte into it: a backup holds the whole business.
    daybook_store::private::create_private_file(tmp)
        .map_err(|e| AppError::io("cannot write the backup file", e))?;
    let mut out = Connection::open(tmp)
        .map_err(|e| AppError::io("cannot write the backup file", sqlite_io(e)))?;
    {
        let backup = Backup::new(src, &mut out)?;
        // All pages in one step: one read transaction on the source, so the copy is
        // consistent and never restarts however busy the writer is.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    // The copied header says WAL; a backup is one self-contained file.
    out.pragma_update(None, "journal_mode", "DELETE")?;
    // A backup never carries a device's token (a store written by an earlier build
    // may still hold one).
    settings::SYNC_TOKEN.clear(&out)?;
    let summary = inspect(&out, Thoroughness::Full)?;
    if settings::ACCOUNT_ID.get(src)? != Some(summary.account_id) {
        return Err(AppError::Store(StoreError::Corrupt(
            "the backup's account differs from the store's".into(),
        )));
    }
    drop(out);
    fsync_file(tmp).map_err(|e| AppError::io("cannot write the backup file", e))?;
    std::fs::rename(tmp, dest).map_err(|e| AppError::io("cannot write the backup file", e))?;
    Ok(summary)
}

/// An SQLite error opening a file, as the IO error a person understands.
fn sqlite_io(e: rusqlite::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A connection for [`check_file`]: read-write as usual, or read-only where the file or
/// its folder cannot be written (a healthy store on read-only storage is not damaged).
/// The outer error is a store that cannot be checked at all as it lies; the inner one
/// is what SQLite said of the file, which the check reports.
fn open_to_check(path: &Path) -> Result<rusqlite::Result<Connection>, AppError> {
    let probe = |c: Connection| {
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(c)
    };
    match open_existing(path).and_then(probe) {
        Err(e) if daybook_store::cannot_open(&e) => {
            match daybook_store::open_read_only_conn(path) {
                Ok(conn) => Ok(Ok(conn)),
                Err(StoreError::Sqlite(e)) => Ok(Err(e)),
                Err(e) => Err(AppError::Store(e)),
            }
        }
        other => Ok(other),
    }
}

/// Checks the database file at `path` without changing it (no migration, nothing
/// created). A file SQLite cannot read is a report with problems, not an error.
pub fn check_file(path: &Path, how: Thoroughness) -> Result<CheckReport, AppError> {
    let start = Instant::now();
    if !path.is_file() {
        return Err(AppError::invalid(
            Some("data"),
            "there is no Daybook store here",
        ));
    }
    let problems = match open_to_check(path)? {
        Err(e) => vec![e.to_string()],
        Ok(conn) => match integrity(&conn, how) {
            Err(e) => vec![e.to_string()],
            Ok(p) if !p.is_empty() => p,
            Ok(_) => match summarise(&conn) {
                Ok(_) => Vec::new(),
                Err(e) => vec![e.to_string()],
            },
        },
    };
    Ok(CheckReport {
        ok: problems.is_empty(),
        full: how == Thoroughness::Full,
        problems,
        millis: now_ms(start),
    })
}

impl Daybook {
    /// Writes a checked backup of this store to `dest` (which must not exist), from a
    /// connection of its own, so commands may go on meanwhile on other threads.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport, AppError> {
        let path = self
            .path()
            .ok_or_else(|| AppError::invalid(None, "an in-memory store cannot be backed up"))?;
        let src = if self.read_only() {
            daybook_store::open_read_only_conn(path)?
        } else {
            daybook_store::EventStore::open_reader(path)?
        };
        backup_from(&src, dest)
    }

    /// Checks this store's file (see [`check_file`]).
    pub fn check(&self, how: Thoroughness) -> Result<CheckReport, AppError> {
        let start = Instant::now();
        let problems = integrity(self.conn(), how).unwrap_or_else(|e| vec![e.to_string()]);
        Ok(CheckReport {
            ok: problems.is_empty(),
            full: how == Thoroughness::Full,
            problems,
            millis: now_ms(start),
        })
    }
}
