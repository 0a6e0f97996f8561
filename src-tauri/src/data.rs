//! The Data screen's IPC commands: backups (made from a read connection while the app
//! keeps writing, listed from the data directory's `backups/`), restore, CSV exports,
//! the health check run in the background after start, and the recovery screen's
//! ways out when the store is damaged. Each is a few lines over `daybook_app::backup`
//! and the app's reader; the file work happens there.

use std::path::{Path, PathBuf};

use chrono::Utc;
use daybook_app::backup::{
    self, BackupFile, BackupReport, CheckReport, FreshStart, RestoreReport, Thoroughness,
};
use daybook_app::catalog_csv::{CatalogKind, ImportReport};
use daybook_app::export::{ExportKind, ExportReport};
use daybook_app::history::TimelineFilter;
use daybook_app::query::OrderQuery;
use daybook_app::{AppError, DB_FILE, ErrorBody, Export};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use uuid::Uuid;

use crate::diagnostics;
use crate::events::{PROGRESS_EVENT, Progress, notify};
use crate::files::{self, Chosen, FilePurpose, IMPORT_DIR};
use crate::ipc::{Res, to_body};
use crate::state::AppState;
use crate::sync::SyncEngine;

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
    let dir = state.data_dir().to_path_buf();
    let backup_dir = dir.join(backup::BACKUP_DIR);
    let listed = backup_dir.clone();
    let backups = tauri::async_runtime::spawn_blocking(move || backup::list_backups(&listed))
        .await
        .map_err(|e| crate::ipc::task_failed("listing the backups", e))?
        .map_err(to_body)?;
    Ok(DataStatus {
        data_dir: dir.display().to_string(),
        backup_dir: backup_dir.display().to_string(),
        suggested_backup: backup::default_backup_path(&dir, Utc::now())
            .display()
            .to_string(),
        export_dir: dir.join(EXPORT_DIR).display().to_string(),
        backups,
        damaged: state.damaged(),
        last_check: state.last_check(),
    })
}

/// Opens the file dialog for `purpose` and returns the path chosen (`null` when the
/// user cancelled); the commands that then write or read it accept that path.
#[tauri::command]
#[specta::specta]
pub async fn choose_file(
    app: AppHandle,
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    purpose: FilePurpose,
    suggested_name: Option<String>,
) -> Res<Option<String>> {
    let picked = files::choose(&app, &chosen, state.data_dir(), purpose, suggested_name).await?;
    Ok(picked.map(|p| p.display().to_string()))
}

/// A path for `purpose`: a bare name goes into the app's folder; any other path must
/// have been chosen in the file dialog.
fn permitted(
    state: &AppState,
    chosen: &Chosen,
    purpose: FilePurpose,
    path: &str,
    folder: &str,
) -> Res<PathBuf> {
    let p = user_path(path, &state.data_dir().join(folder))?;
    chosen.permit(purpose, state.data_dir(), p)
}

/// Writes a checked backup (to a file chosen in the dialog, or a bare name in the
/// backups folder) while the app keeps working: the copy runs on a read connection.
#[tauri::command]
#[specta::specta]
pub async fn backup_store(
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    path: String,
) -> Res<BackupReport> {
    let dest = permitted(
        &state,
        &chosen,
        FilePurpose::Backup,
        &path,
        backup::BACKUP_DIR,
    )?;
    state.read(move |r| r.backup_to(&dest)).await
}

/// Replaces the store by a checked backup; the replaced store is kept aside. Every
/// screen refreshes; sync goes on from the backup's cursor.
#[tauri::command]
#[specta::specta]
pub async fn restore_store(
    app: AppHandle,
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    path: String,
) -> Res<RestoreReport> {
    let file = permitted(
        &state,
        &chosen,
        FilePurpose::Restore,
        &path,
        backup::BACKUP_DIR,
    )?;
    let report = state
        .replace_store(move |live| backup::restore_file(live, &file))
        .await?;
    notify(&app, None, Vec::new());
    refresh_title(&app, &state);
    resume_sync(&app, &state).await;
    Ok(report)
}

/// Recovery: moves the damaged store aside and starts an empty one that keeps the
/// sync settings still readable, so the next sync fills it from the server.
#[tauri::command]
#[specta::specta]
pub async fn start_fresh(app: AppHandle, state: State<'_, AppState>) -> Res<FreshStart> {
    let fresh = state.replace_store(backup::start_fresh).await?;
    notify(&app, None, Vec::new());
    resume_sync(&app, &state).await;
    Ok(fresh)
}

/// The way out of a demo store: moves it aside (kept, as every replaced store) and
/// starts an empty one that keeps none of the demo data, ready to be connected.
#[tauri::command]
#[specta::specta]
pub async fn start_clean(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
) -> Res<FreshStart> {
    sync.stop();
    let clean = state.replace_store(backup::start_clean).await?;
    log::info!(
        "started a clean store; the old one is kept as {:?}",
        clean.kept_aside
    );
    notify(&app, None, Vec::new());
    refresh_title(&app, &state);
    Ok(clean)
}

/// The window's title: says so when the store holds demo data.
pub fn refresh_title(app: &AppHandle, state: &AppState) {
    let demo = state.read_blocking(|r| r.holds_demo()).unwrap_or(false);
    if let Some(w) = app.get_webview_window("main") {
        let title = if demo {
            "Daybook \u{2014} demo data"
        } else {
            "Daybook"
        };
        let _ = w.set_title(title);
    }
}

/// Facts for a helper (version, data directory, store, sync) and the log's last
/// lines, put on the clipboard; returned too, for the screen to show.
#[tauri::command]
#[specta::specta]
pub async fn copy_diagnostics(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
) -> Res<String> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let info = state.info();
    let stats = state.read(|r| r.stats()).await;
    let status = sync.status(&state).await;
    let facts = [
        ("version", info.version.clone()),
        (
            "platform",
            format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        ),
        ("data directory", info.data_dir.clone()),
        ("device", info.device.clone()),
        ("user", info.user.clone()),
        ("store", format!("{stats:?}")),
        ("damaged", format!("{:?}", state.damaged())),
        ("last check", format!("{:?}", state.last_check())),
        (
            "sync",
            match status {
                Ok(s) => format!(
                    "configured {}, online {}, pending {}, needs attention {}, last error {:?}",
                    s.configured,
                    s.online,
                    s.pending,
                    s.needs_attention.len(),
                    s.last_error
                ),
                Err(e) => e.message,
            },
        ),
    ];
    let dir = state.data_dir().to_path_buf();
    let text = tauri::async_runtime::spawn_blocking(move || diagnostics::report(&facts, &dir))
        .await
        .map_err(|e| crate::ipc::task_failed("collecting diagnostics", e))?;
    if let Err(e) = app.clipboard().write_text(text.clone()) {
        log::warn!("cannot copy the diagnostics to the clipboard: {e}");
    }
    Ok(text)
}

/// Starts the sync engine if the (new) store remembers a server and none runs yet
/// (the app started in recovery mode), and wakes it: the engine reads the cursor and
/// the outbox from the store at every round, so it goes on from the restored ones.
async fn resume_sync(app: &AppHandle, state: &AppState) {
    let sync = app.state::<SyncEngine>();
    if let Ok(Some(server)) = state.server().await
        && let Err(e) = sync.start(app, state, &server)
    {
        log::warn!("sync not started: {e}");
    }
    sync.wake();
}

/// Writes a CSV export (to a file chosen in the dialog, or a bare name in the exports
/// folder): every order, every order line, the account's timeline, or one record's
/// history (`record`).
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    kind: ExportKind,
    path: String,
    record: Option<Uuid>,
) -> Res<ExportReport> {
    let dest = permitted(&state, &chosen, FilePurpose::Export, &path, EXPORT_DIR)?;
    let what = match (kind, record) {
        (_, Some(id)) => Export::RecordHistory(id),
        (ExportKind::Orders, None) => Export::Orders(OrderQuery::default()),
        (ExportKind::Lines, None) => Export::Lines(OrderQuery::default()),
        (ExportKind::Timeline, None) => Export::Timeline(TimelineFilter::default()),
        (ExportKind::Customers, None) => Export::Catalog(CatalogKind::Customers),
        (ExportKind::Products, None) => Export::Catalog(CatalogKind::Products),
    };
    state.read(move |r| r.export_to_file(&what, &dest)).await
}

/// Imports customers or products from a CSV file chosen in the dialog (or in the
/// imports folder): a dry run says what would change and each row's problem; a real
/// run writes only a file without problems, reporting progress as
/// [`crate::events::PROGRESS_EVENT`].
#[tauri::command]
#[specta::specta]
pub async fn import_catalog(
    app: AppHandle,
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    kind: CatalogKind,
    path: String,
    dry_run: bool,
) -> Res<ImportReport> {
    use tauri::Emitter;
    let file = permitted(&state, &chosen, FilePurpose::Import, &path, IMPORT_DIR)?;
    let bytes =
        std::fs::read(&file).map_err(|e| AppError::io("cannot read the import file", e).body())?;
    let emitter = app.clone();
    let report = state
        .write(move |db| {
            db.import_catalog(kind, bytes.as_slice(), dry_run, |done, total| {
                // A failed emit only means no window listens.
                let _ = emitter.emit(PROGRESS_EVENT, Progress { done, total });
            })
        })
        .await?;
    if report.written {
        notify(&app, None, Vec::new());
    }
    Ok(report)
}

/// Runs `PRAGMA quick_check` on its own connection a few seconds after start, so a
/// damaged page is found without slowing the start (about 2 s per GB of store).
pub fn check_in_background(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(3));
        let state = app.state::<AppState>();
        if state.damaged().is_some() {
            return;
        }
        match backup::check_file(&state.data_dir().join(DB_FILE), Thoroughness::Quick) {
            Ok(report) => {
                if !report.ok {
                    log::error!("the store check found damage: {:?}", report.problems);
                }
                state.set_last_check(report);
            }
            Err(e) => log::warn!("the store check did not run: {e}"),
        }
    });
}
