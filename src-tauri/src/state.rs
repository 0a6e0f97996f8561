//! The app's managed state: the open `Daybook` (the one writer) and a separate read
//! connection, so screens' queries never wait behind a long write such as demo data.
//! Also the one mapping from `AppError` to the `ErrorBody` that crosses IPC.

use std::sync::{Mutex, MutexGuard, PoisonError};

use daybook_app::{AppError, DB_FILE, Daybook, ErrorBody, OpenOptions};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};
use uuid::Uuid;

use crate::config::Config;

/// Tauri event sent after every change, so every open screen refreshes itself.
pub const CHANGED_EVENT: &str = "daybook://changed";

/// Payload of [`CHANGED_EVENT`]: which record changed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Changed {
    /// The record written; `null` when many records changed at once (demo data).
    pub stream_id: Option<Uuid>,
    /// Event types written, in order.
    pub events: Vec<String>,
}

impl tauri_specta::Event for Changed {
    const NAME: &'static str = CHANGED_EVENT;
}

/// Tauri event with the [`Progress`] of a long write (demo data).
pub const PROGRESS_EVENT: &str = "daybook://progress";

/// Progress of a long write (demo data), sent as [`PROGRESS_EVENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Progress {
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

impl tauri_specta::Event for Progress {
    const NAME: &'static str = PROGRESS_EVENT;
}

/// What the app shows about itself (About box, status bar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The data directory in use.
    pub data_dir: String,
    /// The user recorded on new events.
    pub user: String,
    /// This device's name, recorded on new events.
    pub device: String,
    /// The account (tenant) of the local store.
    pub account_id: Uuid,
}

/// The state every command receives.
pub struct AppState {
    db: Mutex<Daybook>,
    reader: Mutex<Connection>,
    info: AppInfo,
}

impl AppState {
    /// Opens (creating if needed) the store in the configured data directory.
    pub fn open(config: &Config) -> Result<Self, AppError> {
        let options = OpenOptions {
            user: Some(config.user.clone()),
            ..OpenOptions::default()
        };
        let db = Daybook::open_dir(&config.data_dir, options)?;
        let reader = daybook_store::EventStore::open_reader(&config.data_dir.join(DB_FILE))?;
        let info = AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: config.data_dir.display().to_string(),
            user: db.identity().user.clone(),
            device: db.identity().device.clone(),
            account_id: db.account_id(),
        };
        Ok(AppState {
            db: Mutex::new(db),
            reader: Mutex::new(reader),
            info,
        })
    }

    /// The app's facts.
    pub fn info(&self) -> &AppInfo {
        &self.info
    }

    /// Runs a query on the read connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, AppError>,
    ) -> Result<T, ErrorBody> {
        f(&lock(&self.reader)).map_err(to_body)
    }

    /// Runs a write on the one `Daybook` (commands are serialised here).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Daybook) -> Result<T, AppError>,
    ) -> Result<T, ErrorBody> {
        f(&mut lock(&self.db)).map_err(to_body)
    }

    /// True when the store has no events yet (the UI then offers demo data).
    pub fn is_empty(&self) -> Result<bool, ErrorBody> {
        self.read(
            |c| Ok(c.query_row("SELECT NOT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))?),
        )
    }
}

/// A panic inside a command rolls its transaction back (the guard drops it), so
/// the data behind a poisoned lock is still consistent: carry on with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The structured error for the UI. Internal details (SQL, IO) are not in the body,
/// so they are logged here.
pub fn to_body(e: AppError) -> ErrorBody {
    let body = e.body();
    if body.code == "internal" {
        eprintln!("daybook-desktop: internal error: {e:?}");
    }
    body
}

/// Tells every window that a record changed. A failed emit (no window yet) only
/// means nobody is listening.
pub fn notify<R: Runtime>(app: &AppHandle<R>, stream_id: Option<Uuid>, events: Vec<String>) {
    if let Err(e) = app.emit(CHANGED_EVENT, Changed { stream_id, events }) {
        eprintln!("daybook-desktop: cannot emit {CHANGED_EVENT}: {e}");
    }
}

/// The event types of a record's stream, for the [`Changed`] payload of writes that
/// do not report them (duplicating an order).
pub fn stream_events(conn: &Connection, id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(daybook_store::read_stream(conn, id, 0)?
        .iter()
        .map(|e| e.event.event_type().to_string())
        .collect())
}
