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

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use daybook_store::{SCHEMA_VERSION, STORE_TABLES, StoreError};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::{DB_FILE, Daybook, OpenOptions};

/// Folder of the data directory where backups go by default.
pub const BACKUP_DIR: &str = "backups";

pub use crate::error::BadBackup;

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

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RestoreReport {
    /// The backup restored.
    pub from: String,
    /// Where the replaced store was kept (`None` when there was none).
    pub kept_aside: Option<String>,
    /// What the store holds now.
    pub summary: StoreSummary,
    /// The last server sequence the restored store had pulled: the next sync pulls
    /// from there.
    pub sync_cursor: i64,
    /// Wall time.
    pub millis: u64,
}

/// What starting again from an empty store did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FreshStart {
    /// Where the damaged store was kept.
    pub kept_aside: Option<String>,
    /// The sync server read back from the damaged file, if it could be read: the
    /// empty store syncs with it (the token too, not shown).
    pub server: Option<String>,
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
const DEVICE_SEQ: &str = "sync.device_seq";

fn now_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A fresh name beside `path`: `<name>.<tag>-<time>`, never an existing file.
fn aside_name(path: &Path, tag: &str, at: DateTime<Utc>) -> PathBuf {
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

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Flushes a file's data to the disk.
fn fsync_file(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
fn fsync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn parent_of(path: &Path) -> &Path {
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
fn integrity(conn: &Connection, how: Thoroughness) -> rusqlite::Result<Vec<String>> {
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

fn bad_of(e: &rusqlite::Error) -> BadBackup {
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
fn summarise(conn: &Connection) -> Result<StoreSummary, BadBackup> {
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
    let account: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'account_id'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| BadBackup::NotDaybook(e.to_string()))?;
    let account_id = account
        .as_deref()
        .and_then(|s| Uuid::parse_str(s).ok())
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
fn open_existing(path: &Path) -> rusqlite::Result<Connection> {
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
    let summary = inspect(&out, Thoroughness::Full)?;
    let src_account: Option<String> = src
        .query_row("SELECT value FROM meta WHERE key = 'account_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if src_account.as_deref() != Some(summary.account_id.to_string().as_str()) {
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
    let problems = match open_existing(path) {
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

/// Facts of the live store read before it is replaced, best effort: a damaged file
/// gives what it can.
#[derive(Debug, Default)]
struct LiveFacts {
    account_id: Option<Uuid>,
    has_events: bool,
    device_seq: i64,
    readable: bool,
}

fn live_facts(path: &Path) -> LiveFacts {
    let Ok(conn) = open_existing(path) else {
        return LiveFacts::default();
    };
    let meta = |k: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            .ok()
    };
    let has_events = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))
        .ok();
    LiveFacts {
        account_id: meta("account_id").and_then(|s| Uuid::parse_str(&s).ok()),
        has_events: has_events.unwrap_or(false),
        device_seq: meta(DEVICE_SEQ).and_then(|s| s.parse().ok()).unwrap_or(0),
        readable: has_events.is_some(),
    }
}

/// What replacing the store at `data_file` would do, for a confirmation: `None`
/// when there is nothing to lose (no file, or a store without events).
pub fn replaces_data(data_file: &Path) -> Option<String> {
    if !data_file.exists() {
        return None;
    }
    let live = live_facts(data_file);
    if !live.readable {
        Some("the current store cannot be read (it is kept aside)".into())
    } else if live.has_events {
        Some("the current store holds data (it is kept aside)".into())
    } else {
        None
    }
}

/// Moves the device's push sequence past anything the server can have recorded
/// for it. A restored (older) store's counter is behind the server's, and the server
/// refuses a sequence it has passed; after a restore or a fresh start the counter
/// jumps to the current time in microseconds (or the old store's counter, if
/// higher), which no device reaches one command at a time.
pub fn bump_device_seq(conn: &Connection, at_least: i64) -> Result<(), AppError> {
    let current: i64 = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [DEVICE_SEQ], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let next = current.max(at_least).max(Utc::now().timestamp_micros());
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [DEVICE_SEQ, &next.to_string()],
    )?;
    Ok(())
}

/// Moves `path` (and its `-wal`, which may hold its last commits) to a new name
/// `<name>.<tag>-<time>` beside it, and drops its `-shm` (an index SQLite rebuilds).
/// Returns the new name, or `None` when there was no file.
fn move_aside(path: &Path, tag: &str) -> Result<Option<PathBuf>, AppError> {
    if !path.exists() {
        return Ok(None);
    }
    let aside = aside_name(path, tag, Utc::now());
    std::fs::rename(path, &aside)
        .map_err(|e| AppError::io("cannot move the current store aside", e))?;
    let wal = sidecar(path, "-wal");
    if wal.exists() {
        std::fs::rename(&wal, sidecar(&aside, "-wal"))
            .map_err(|e| AppError::io("cannot move the current store's journal aside", e))?;
    }
    let _ = std::fs::remove_file(sidecar(path, "-shm"));
    fsync_dir(parent_of(path));
    Ok(Some(aside))
}

/// Keeps the live store under a second name (`<name>.<tag>-<time>`) while it stays at
/// its own, so that renaming the replacement over it is the one step that switches:
/// a crash at any point leaves the old store or the new one at the live name. The
/// write-ahead log is folded into the file first (a checkpoint), as a replacement
/// must not inherit it. A store whose log cannot be folded (damaged) is moved aside
/// with its log instead.
fn keep_aside(path: &Path, tag: &str) -> Result<Option<PathBuf>, AppError> {
    if !path.exists() {
        return Ok(None);
    }
    let wal = sidecar(path, "-wal");
    if wal.exists() {
        // Closing the last connection after a TRUNCATE checkpoint removes the log.
        let folded =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).and_then(|c| {
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    r.get::<_, i64>(0)
                })
            });
        let empty = std::fs::metadata(&wal).map_or(true, |m| m.len() == 0);
        if !matches!(folded, Ok(0)) || !empty {
            return move_aside(path, tag);
        }
    }
    let aside = aside_name(path, tag, Utc::now());
    if std::fs::hard_link(path, &aside).is_err() {
        // A file system without hard links: the two-step move.
        return move_aside(path, tag);
    }
    fsync_dir(parent_of(path));
    // Empty by now; a replacement must not find the old store's log or index.
    let _ = std::fs::remove_file(&wal);
    let _ = std::fs::remove_file(sidecar(path, "-shm"));
    Ok(Some(aside))
}

/// Replaces the store file `data_file` by a checked copy of `backup`. No connection
/// to `data_file` may be open (use [`Daybook::restore`] on an open store). The
/// backup is checked in full first; a store holding data of another account is not
/// replaced. The replaced file is kept as `<name>.before-restore-<time>`.
pub fn restore_file(data_file: &Path, backup: &Path) -> Result<RestoreReport, AppError> {
    let start = Instant::now();
    if !backup.is_file() {
        return Err(BadBackup::Missing.into());
    }
    if data_file.exists()
        && let (Ok(a), Ok(b)) = (backup.canonicalize(), data_file.canonicalize())
        && a == b
    {
        return Err(AppError::invalid(
            Some("path"),
            "that is the store in use, not a backup",
        ));
    }
    let dir = parent_of(data_file);
    std::fs::create_dir_all(dir).map_err(|e| AppError::io("cannot create the data folder", e))?;
    let tmp = sidecar(
        data_file,
        &format!(".restoring-{}", Uuid::now_v7().simple()),
    );
    let result = prepare_restore(data_file, backup, &tmp);
    let (summary, cursor) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(sidecar(&tmp, "-journal"));
            return Err(e);
        }
    };
    let kept = keep_aside(data_file, "before-restore");
    let kept = match kept {
        Ok(k) => k,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, data_file)
        .map_err(|e| AppError::io("cannot put the restored store in place", e))?;
    fsync_dir(dir);
    Ok(RestoreReport {
        from: backup.display().to_string(),
        kept_aside: kept.map(|p| p.display().to_string()),
        summary,
        sync_cursor: cursor,
        millis: now_ms(start),
    })
}

/// Copies the backup to `tmp`, checks the copy, and prepares it for this device.
fn prepare_restore(
    data_file: &Path,
    backup: &Path,
    tmp: &Path,
) -> Result<(StoreSummary, i64), AppError> {
    std::fs::copy(backup, tmp).map_err(|e| AppError::io("cannot read the backup file", e))?;
    let conn = open_existing(tmp).map_err(|e| AppError::BadBackup(bad_of(&e)))?;
    // A backup made by a build of this app is a rollback-journal file; one copied
    // from a live store may say WAL, whose missing -wal would be fine: set it plain.
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| AppError::BadBackup(bad_of(&e)))?;
    let summary = inspect(&conn, Thoroughness::Full)?;
    let live = if data_file.exists() {
        live_facts(data_file)
    } else {
        LiveFacts::default()
    };
    if live.has_events
        && let Some(store) = live.account_id
        && store != summary.account_id
    {
        return Err(BadBackup::OtherAccount {
            backup: summary.account_id,
            store,
        }
        .into());
    }
    bump_device_seq(&conn, live.device_seq)?;
    let cursor: i64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'sync.cursor'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    drop(conn);
    fsync_file(tmp).map_err(|e| AppError::io("cannot write the restored store", e))?;
    Ok((summary, cursor))
}

/// Moves the (damaged) store `data_file` aside and leaves an empty store in its place
/// that keeps the sync settings and device name still readable in the old file, so
/// the next sync fills it from the server. Commands the old store had not pushed
/// stay only in the file kept aside. No connection to `data_file` may be open.
pub fn start_fresh(data_file: &Path) -> Result<FreshStart, AppError> {
    let salvaged = salvage_meta(data_file);
    let kept = move_aside(data_file, "corrupt")?;
    let db = Daybook::open(data_file, OpenOptions::default())?;
    let conn = db.conn();
    let mut server = None;
    for (k, v) in &salvaged {
        if matches!(k.as_str(), "sync.server" | "sync.token" | "device") {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [k, v],
            )?;
        }
        if k == "sync.server" {
            server = Some(v.clone());
        }
    }
    let old_seq = salvaged
        .iter()
        .find(|(k, _)| k == DEVICE_SEQ)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    bump_device_seq(conn, old_seq)?;
    Ok(FreshStart {
        kept_aside: kept.map(|p| p.display().to_string()),
        server,
    })
}

/// The `meta` rows of a possibly damaged store, as far as they can be read.
fn salvage_meta(path: &Path) -> Vec<(String, String)> {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Vec::new();
    };
    let rows = conn
        .prepare("SELECT key, value FROM meta")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        });
    rows.unwrap_or_default()
}

impl Daybook {
    /// Writes a checked backup of this store to `dest` (which must not exist), from a
    /// connection of its own, so commands may go on meanwhile on other threads.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport, AppError> {
        let path = self
            .path()
            .ok_or_else(|| AppError::invalid(None, "an in-memory store cannot be backed up"))?;
        let src = daybook_store::EventStore::open_reader(path)?;
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

    /// Replaces this store by a checked copy of `backup` and reopens it (see
    /// [`restore_file`]). Other connections to the file (read pools) must be closed
    /// before and reopened after. On a refused backup the store is reopened as it was.
    pub fn restore(&mut self, backup: &Path) -> Result<RestoreReport, AppError> {
        let path = self
            .path()
            .ok_or_else(|| AppError::invalid(None, "an in-memory store cannot be restored"))?
            .to_path_buf();
        let options = self.reopen_options();
        // Close the file: a connection left open across the rename would write the
        // old file's pages through the new file's WAL.
        self.close_for_swap()?;
        let result = restore_file(&path, backup);
        *self = Daybook::open(&path, options)?;
        result
    }
}
