//! The Data screen's IPC commands: backups (made from a read connection while the app
//! keeps writing, listed from the data directory's `backups/`), restore, CSV exports,
//! the health check run in the background after start, and the recovery screen's
//! ways out when the store is damaged. Each is a few lines over `daybook_app::backup`
//! and `daybook_app::export`.

use std::path::{Path, PathBuf};

use chrono::Utc;
use daybook_app::backup::{
    self, BackupFile, BackupReport, CheckReport, FreshStart, RestoreReport, Thoroughness,
};
use daybook_app::export::{self, ExportKind, ExportReport};
use daybook_app::query::OrderQuery;
use daybook_app::{AppError, DB_FILE, ErrorBody};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use uuid::Uuid;

use crate::state::{AppState, notify};

type Res<T> = Result<T, ErrorBody>;

/// Folder of the data directory where exports go by default.
pub const EXPORT_DIR: &str = "exports";

/// What the Data screen (and the recovery screen) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DataStatus {
    /// The data directory.
    pub data_dir: String,
    /// Where backups go by default, and are listed from.
    pub backup_dir: String,
    /// A fresh name for the next backup (`.../backups/daybook-<time>.sqlite3`).
    pub suggested_backup: String,
    /// Where exports go by default.
    pub export_dir: String,
    /// The backups found, newest first.
    pub backups: Vec<BackupFile>,
    /// Why the store could not be opened: set while the app is in recovery mode.
    pub damaged: Option<String>,
    /// The background health check's result, once it ran.
    pub last_check: Option<CheckReport>,
}

/// A path typed by the user: a bare name goes into `dir`.
fn user_path(text: &str, dir: &Path) -> Result<PathBuf, ErrorBody> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid(Some("path"), "give a file name").body());
    }
    let p = PathBuf::from(text);
    Ok(if p.is_absolute() { p } else { dir.join(p) })
}

/// Backups, suggested names, and the store's health.
#[tauri::command]
#[specta::specta]
pub async fn data_status(state: State<'_, AppState>) -> Res<DataStatus> {
    let dir = state.data_dir();
    let backup_dir = dir.join(backup::BACKUP_DIR);
    Ok(DataStatus {
        data_dir: dir.display().to_string(),
        backup_dir: backup_dir.display().to_string(),
        suggested_backup: backup::default_backup_path(dir, Utc::now())
            .display()
            .to_string(),
        export_dir: dir.join(EXPORT_DIR).display().to_string(),
        backups: backup::list_backups(&backup_dir).map_err(|e| e.body())?,
        damaged: state.damaged(),
        last_check: state.last_check(),
    })
}

/// Writes a checked backup (a bare name goes into the backups folder) while the app
/// keeps working: the copy runs on a read connection.
#[tauri::command]
#[specta::specta]
pub async fn backup_store(state: State<'_, AppState>, path: String) -> Res<BackupReport> {
    let dest = user_path(&path, &state.data_dir().join(backup::BACKUP_DIR))?;
    state.read(|c| backup::backup_from(c, &dest))
}

/// Replaces the store by a checked backup; the replaced store is kept aside. Every
/// screen refreshes; sync goes on from the backup's cursor.
#[tauri::command]
#[specta::specta]
pub async fn restore_store(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Res<RestoreReport> {
    let file = user_path(&path, &state.data_dir().join(backup::BACKUP_DIR))?;
    let report = state.replace_store(|live| backup::restore_file(live, &file))?;
    notify(&app, None, Vec::new());
    resume_sync(&app, &state);
    Ok(report)
}

/// Recovery: moves the damaged store aside and starts an empty one that keeps the
/// sync settings still readable, so the next sync fills it from the server.
#[tauri::command]
#[specta::specta]
pub async fn start_fresh(app: AppHandle, state: State<'_, AppState>) -> Res<FreshStart> {
    let fresh = state.replace_store(backup::start_fresh)?;
    notify(&app, None, Vec::new());
    resume_sync(&app, &state);
    Ok(fresh)
}

/// Starts the sync engine if the (new) store remembers a server and none runs yet
/// (the app started in recovery mode), and wakes it: the engine reads the cursor and
/// the outbox from the store at every round, so it goes on from the restored ones.
fn resume_sync(app: &AppHandle, state: &AppState) {
    if let Ok(Some(server)) = state.write(|db| crate::sync_status::remembered(db))
        && let Err(e) = crate::sync_status::start(app, state, &server)
    {
        eprintln!("daybook-desktop: sync not started: {e}");
    }
    state.sync().wake();
}

/// Writes a CSV export (a bare name goes into the exports folder): every order, every
/// order line, the account's timeline, or one record's history (`record`).
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    state: State<'_, AppState>,
    kind: ExportKind,
    path: String,
    record: Option<Uuid>,
) -> Res<ExportReport> {
    let dest = user_path(&path, &state.data_dir().join(EXPORT_DIR))?;
    state.read(|c| {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::io("cannot create the export folder", e))?;
        }
        let file = std::fs::File::create(&dest)
            .map_err(|e| AppError::io("cannot create the export file", e))?;
        let mut w = std::io::BufWriter::new(file);
        let all = OrderQuery::default();
        let report = match (kind, record) {
            (_, Some(id)) => export::record_history_csv(c, id, &mut w)?,
            (ExportKind::Orders, None) => export::orders_csv(c, &all, &mut w)?,
            (ExportKind::Lines, None) => export::lines_csv(c, &all, &mut w)?,
            (ExportKind::Timeline, None) => export::timeline_csv(c, &Default::default(), &mut w)?,
        };
        w.into_inner()
            .map_err(|e| AppError::io("cannot write the export", e.into_error()))?
            .sync_all()
            .map_err(|e| AppError::io("cannot write the export", e))?;
        Ok(report)
    })
}

/// Runs `PRAGMA quick_check` on its own connection a few seconds after start, so a
/// damaged page is found without slowing the start (about 2 s per GB of store).
pub fn check_in_background(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(3));
        let state: State<'_, AppState> = tauri::Manager::state(&app);
        if state.damaged().is_some() {
            return;
        }
        match backup::check_file(&state.data_dir().join(DB_FILE), Thoroughness::Quick) {
            Ok(report) => {
                if !report.ok {
                    eprintln!(
                        "daybook-desktop: the store check found damage: {:?}",
                        report.problems
                    );
                }
                state.set_last_check(report);
            }
            Err(e) => eprintln!("daybook-desktop: the store check did not run: {e}"),
        }
    });
}
