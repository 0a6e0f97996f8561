//! The app's managed state: the one writing `Daybook` (shared with the sync engine)
//! and a pool of read connections (`daybook_app::ReadPool`), so a screen's query never
//! waits behind a long write such as demo data, nor (mostly) behind another query.
//!
//! Store work is blocking (SQLite): [`AppState::read`] and [`AppState::write`] run it
//! on Tokio's blocking threads, so IPC commands never stall the async runtime.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use daybook_app::backup::CheckReport;
use daybook_app::{
    AppError, DB_FILE, Daybook, ErrorBody, OpenOptions, ReadPool, Reader, ServerConfig, SignedIn,
};
use daybook_sync::Credentials;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Config;
use crate::ipc::{Res, sync_error, task_failed, to_body};

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
    /// The store holds demo data (never connected to a server).
    pub demo_data: bool,
    /// The person signed in on this store, if anyone is (`daybook login` or the Sync
    /// screen's sign-in); nobody on a store that was never connected.
    pub person: Option<SignedIn>,
    /// An account's store with nobody signed in: it can be read; changes wait for a
    /// sign-in (the Sync screen).
    pub sign_in_required: bool,
}

/// Read connections: a screen fires a few queries at once (page, totals, sync badge).
const READERS: usize = 3;

/// Environment variable: when set, every IPC read and write is timed on stderr.
pub const TRACE_ENV: &str = "DAYBOOK_TRACE";

/// The state every command receives; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Arc<Mutex<Daybook>>,
    readers: ReadPool,
    info: Mutex<AppInfo>,
    trace: bool,
    opened: Instant,
    data_dir: PathBuf,
    user: String,
    /// Why the store could not be opened (damaged): the UI shows the recovery screen.
    damaged: Mutex<Option<String>>,
    /// The background check's result, once it ran.
    last_check: Mutex<Option<CheckReport>>,
}

impl AppState {
    /// Opens (creating if needed) the store in the configured data directory. A
    /// damaged store does not stop the app: it opens in recovery mode
    /// ([`AppState::damaged`]) with an inert store, and the UI offers the ways out.
    pub fn open(config: &Config) -> Result<Self, AppError> {
        let start = Instant::now();
        let options = OpenOptions {
            user: Some(config.user.clone()),
            ..OpenOptions::default()
        };
        let file = config.data_dir.join(DB_FILE);
        let (db, readers, damaged) = match Daybook::open_dir(&config.data_dir, options) {
            Ok(db) => (db, ReadPool::open(&file, READERS)?, None),
            Err(e) if e.is_corrupt() => {
                eprintln!("daybook-desktop: the store is damaged: {e}");
                let pool = ReadPool::unavailable(&file, READERS)?;
                (Daybook::inert()?, pool, Some(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        let info = info_of(&db, &config.data_dir);
        let state = AppState {
            inner: Arc::new(Inner {
                db: Arc::new(Mutex::new(db)),
                readers,
                info: Mutex::new(info),
                trace: std::env::var_os(TRACE_ENV).is_some(),
                opened: Instant::now(),
                data_dir: config.data_dir.clone(),
                user: config.user.clone(),
                damaged: Mutex::new(damaged),
                last_check: Mutex::new(None),
            }),
        };
        if state.inner.trace {
            let ms = start.elapsed().as_secs_f64() * 1e3;
            eprintln!(
                "daybook-desktop: opened {} in {ms:.1} ms",
                config.data_dir.display()
            );
        }
        Ok(state)
    }

    /// The store, shared with the sync engine.
    pub fn shared(&self) -> Arc<Mutex<Daybook>> {
        self.inner.db.clone()
    }

    /// The app's facts.
    pub fn info(&self) -> AppInfo {
        lock(&self.inner.info).clone()
    }

    /// The store's owner: who commands are recorded as while nobody is signed in.
    pub fn owner(&self) -> &str {
        &self.inner.user
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The server this store syncs with, its token from the device's credentials (a
    /// token an earlier build kept in the store is moved there first).
    pub async fn server(&self) -> Res<Option<ServerConfig>> {
        let creds = Credentials::open(self.data_dir());
        self.write(move |db| Ok(creds.server(db)))
            .await?
            .map_err(sync_error)
    }

    /// Connects the store to a server: its URL in the store, its token in the device's
    /// credentials (never in the store, so no backup carries it).
    pub async fn connect(&self, server: ServerConfig) -> Res<()> {
        let creds = Credentials::open(self.data_dir());
        self.write(move |db| Ok(creds.connect(db, Some(&server.url), Some(&server.token))))
            .await?
            .map_err(sync_error)
    }

    /// Disconnects the store (sign out): forgets the server's URL and this user's token.
    pub async fn disconnect(&self) -> Res<()> {
        let creds = Credentials::open(self.data_dir());
        self.write(move |db| Ok(creds.disconnect(db)))
            .await?
            .map_err(sync_error)
    }

    /// Why the store could not be opened, while the app is in recovery mode.
    pub fn damaged(&self) -> Option<String> {
        lock(&self.inner.damaged).clone()
    }

    /// The background check's result, if it ran.
    pub fn last_check(&self) -> Option<CheckReport> {
        lock(&self.inner.last_check).clone()
    }

    /// Records the background check's result; a failed check puts the app in recovery
    /// mode on its next start only (the store open now keeps working as well as it can).
    pub fn set_last_check(&self, report: CheckReport) {
        *lock(&self.inner.last_check) = Some(report);
    }

    /// Runs a query on a read connection, on a blocking thread.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(Reader<'_>) -> Result<T, AppError> + Send + 'static,
    ) -> Res<T> {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || state.read_blocking(f))
            .await
            .map_err(|e| task_failed("a query", e))?
    }

    /// [`AppState::read`] for a caller already on a blocking thread.
    pub fn read_blocking<T>(&self, f: impl FnOnce(Reader<'_>) -> Result<T, AppError>) -> Res<T> {
        let start = Instant::now();
        let out = self.inner.readers.read(f).map_err(to_body);
        self.traced("read", start, &out);
        out
    }

    /// Runs a write on the one `Daybook` (commands are serialised here), on a
    /// blocking thread.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Daybook) -> Result<T, AppError> + Send + 'static,
    ) -> Res<T> {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || state.write_blocking(f))
            .await
            .map_err(|e| task_failed("a change", e))?
    }

    /// [`AppState::write`] for a caller already on a blocking thread.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut Daybook) -> Result<T, AppError>) -> Res<T> {
        let start = Instant::now();
        let mut db = lock(&self.inner.db);
        let out = f(&mut db).map_err(to_body);
        drop(db);
        self.traced("write", start, &out);
        out
    }

    fn traced<T>(&self, what: &str, start: Instant, out: &Result<T, ErrorBody>) {
        if self.inner.trace {
            let result = std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("?");
            log::debug!(
                "+{:.0} ms {what} {result}{} in {:.1} ms",
                self.inner.opened.elapsed().as_secs_f64() * 1e3,
                if out.is_err() { " (error)" } else { "" },
                ms(start.elapsed()),
            );
        }
    }

    /// Runs `f` on the store's file with every connection to it closed (restore, fresh
    /// start), then opens it again. Holding the writer's lock keeps commands and the
    /// sync engine out meanwhile; a connection left open across a file swap would mix
    /// the old file's pages into the new one. If `f` fails, the file is as it was and
    /// is opened again as it was (still damaged, in recovery mode).
    pub async fn replace_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Path) -> Result<T, AppError> + Send + 'static,
    ) -> Res<T> {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || state.replace_store_blocking(f))
            .await
            .map_err(|e| task_failed("replacing the store", e))?
    }

    fn replace_store_blocking<T>(&self, f: impl FnOnce(&Path) -> Result<T, AppError>) -> Res<T> {
        let file = self.inner.data_dir.join(DB_FILE);
        let mut db = lock(&self.inner.db);
        *db = Daybook::inert().map_err(to_body)?;
        let options = OpenOptions {
            user: Some(self.inner.user.clone()),
            ..OpenOptions::default()
        };
        // The writer opens (and migrates) the new file before the readers see it.
        let ((out, reopened), readers) = self
            .inner
            .readers
            .closed_while(|| (f(&file), Daybook::open(&file, options)));
        match reopened.and_then(|new| readers.map(|()| new)) {
            Ok(new) => {
                *lock(&self.inner.info) = info_of(&new, &self.inner.data_dir);
                *db = new;
                *lock(&self.inner.damaged) = None;
            }
            Err(e) => {
                log::error!("the store cannot be opened again: {e}");
                *lock(&self.inner.damaged) = Some(e.to_string());
                if out.is_ok() {
                    return Err(to_body(e));
                }
            }
        }
        out.map_err(to_body)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn info_of(db: &Daybook, data_dir: &Path) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: data_dir.display().to_string(),
        user: db.identity().user.clone(),
        device: db.identity().device.clone(),
        account_id: db.account_id(),
        demo_data: db.read().holds_demo().unwrap_or(false),
        person: db.signed_in().ok().flatten(),
        sign_in_required: db.signed_out(),
    }
}

/// A panic inside a command rolls its transaction back (the guard drops it), so
/// the data behind a poisoned lock is still consistent: carry on with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
