//! Restore and recovery: replacing the store file by a checked backup, or by an empty
//! store that re-syncs from the server, always keeping the replaced file aside.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use daybook_store::settings::{self, Key};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    BadBackup, StoreSummary, Thoroughness, aside_name, bad_of, fsync_dir, fsync_file, inspect,
    now_ms, open_existing, parent_of, sidecar,
};
use crate::error::AppError;
use crate::service::{Daybook, OpenOptions};

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
    /// Commands made on this device that the server never took (waiting or needing
    /// attention), as far as the damaged file could be read: they stay in the store
    /// kept aside, from where a restore brings them back.
    pub unsynced: Option<u64>,
}

/// Facts of the live store read before it is replaced, best effort: a damaged file
/// gives what it can.
#[derive(Debug, Default)]
struct LiveFacts {
    account_id: Option<Uuid>,
    has_events: bool,
    device_seq: i64,
    /// The sync server the live store is connected to.
    server: Option<String>,
    readable: bool,
}

fn live_facts(path: &Path) -> LiveFacts {
    let Ok(conn) = open_existing(path) else {
        return LiveFacts::default();
    };
    let has_events = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))
        .ok();
    LiveFacts {
        account_id: settings::ACCOUNT_ID.get(&conn).ok().flatten(),
        has_events: has_events.unwrap_or(false),
        device_seq: settings::DEVICE_SEQ.get(&conn).ok().flatten().unwrap_or(0),
        server: settings::SYNC_SERVER.get(&conn).ok().flatten(),
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
    let current = settings::DEVICE_SEQ.get(conn)?.unwrap_or(0);
    let next = current.max(at_least).max(Utc::now().timestamp_micros());
    settings::DEVICE_SEQ.set(conn, &next)?;
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
    daybook_store::private::make_private(tmp)
        .map_err(|e| AppError::io("cannot write the restored store", e))?;
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
    // The restore brings back the data, not the backup's connection: the store keeps
    // the server it has now, and no token (tokens live outside the store).
    match &live.server {
        Some(url) => settings::SYNC_SERVER.set(&conn, url)?,
        None => settings::SYNC_SERVER.clear(&conn)?,
    }
    settings::SYNC_TOKEN.clear(&conn)?;
    let cursor = settings::SYNC_CURSOR.get(&conn)?.unwrap_or(0);
    drop(conn);
    fsync_file(tmp).map_err(|e| AppError::io("cannot write the restored store", e))?;
    Ok((summary, cursor))
}

/// Moves the (damaged) store `data_file` aside and leaves an empty store in its place
/// that keeps the sync settings and device name still readable in the old file, so
/// the next sync fills it from the server. Commands the old store had not pushed
/// stay only in the file kept aside. No connection to `data_file` may be open.
pub fn start_fresh(data_file: &Path) -> Result<FreshStart, AppError> {
    let salvaged = salvage_settings(data_file);
    let unsynced = salvage_unsynced(data_file);
    let kept = move_aside(data_file, "corrupt")?;
    let db = Daybook::open(data_file, OpenOptions::default())?;
    let conn = db.conn();
    let mut server = None;
    let mut old_seq = 0;
    for (key, value) in &salvaged {
        match key {
            // The connection to the server survives (its URL, and the store's id: the
            // key of the token kept outside the store; a token an earlier build kept
            // inside, to be moved out); the device code does not, so the next sync
            // binds the fresh store again.
            Key::SyncServer | Key::SyncToken | Key::Device | Key::StoreId => {
                settings::set_raw(conn, *key, value)?;
            }
            Key::DeviceSeq => old_seq = value.parse().unwrap_or(0),
            _ => {}
        }
        if *key == Key::SyncServer {
            server = Some(value.clone());
        }
    }
    bump_device_seq(conn, old_seq)?;
    Ok(FreshStart {
        kept_aside: kept.map(|p| p.display().to_string()),
        server,
        unsynced,
    })
}

/// Moves the store `data_file` aside (tagged `demo`) and leaves an empty store in its
/// place that keeps nothing of the old one, not even its settings: the way out of a
/// store holding demo data, which is never connected. No connection to `data_file`
/// may be open.
pub fn start_clean(data_file: &Path) -> Result<FreshStart, AppError> {
    let kept = move_aside(data_file, "demo")?;
    drop(Daybook::open(data_file, OpenOptions::default())?);
    Ok(FreshStart {
        kept_aside: kept.map(|p| p.display().to_string()),
        server: None,
        unsynced: None,
    })
}

/// How many commands of a possibly damaged store never reached the server, if that
/// can be read.
fn salvage_unsynced(path: &Path) -> Option<u64> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    let counts = crate::replica::outbox_counts(&conn).ok()?;
    Some(counts.pending + counts.needs_attention)
}

/// The settings of a possibly damaged store, as far as they can be read.
fn salvage_settings(path: &Path) -> Vec<(Key, String)> {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Vec::new();
    };
    settings::all(&conn).unwrap_or_default()
}

impl Daybook {
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
