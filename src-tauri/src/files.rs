//! Every file the user picks (a backup to write or restore, an export, a document's
//! PDF) is chosen in the platform's file dialog (tauri-plugin-dialog), never typed as
//! a path. The paths chosen are remembered ([`Chosen`], managed state), and the
//! commands that write or read a file refuse any other path outside the app's own
//! folders (`file_not_chosen`): a script in the window cannot make the app write
//! where the user did not say.
//!
//! Test seam: in debug builds, `DAYBOOK_E2E_DIALOG=<file>` answers every dialog with
//! that file's content (a path; empty means "cancelled"), so the end-to-end suite can
//! drive backups and exports without a native dialog it cannot click.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use chrono::Utc;
use daybook_app::backup;
use daybook_app::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};

use crate::data::EXPORT_DIR;

/// Folder of the data directory where documents (PDFs) go by default.
pub const DOCUMENT_DIR: &str = "documents";

/// Folder of the data directory a logo may be read from without a dialog.
pub const LOGO_DIR: &str = "logos";

/// Folder of the data directory an import may be read from without a dialog.
pub const IMPORT_DIR: &str = "imports";

/// Environment variable of the end-to-end tests' dialog answers (debug builds only).
pub const DIALOG_SEAM_ENV: &str = "DAYBOOK_E2E_DIALOG";

/// What a file is chosen for: decides the dialog (save or open), its folder, name and
/// filter, and which commands may then use the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FilePurpose {
    /// A backup to write.
    Backup,
    /// A backup to restore from.
    Restore,
    /// A CSV export to write.
    Export,
    /// A document (PDF) to write.
    Pdf,
    /// The company's logo (PNG or JPEG) to read.
    Logo,
    /// A CSV file of customers or products to import.
    Import,
}

impl FilePurpose {
    fn saves(self) -> bool {
        !matches!(
            self,
            FilePurpose::Restore | FilePurpose::Logo | FilePurpose::Import
        )
    }

    /// The app's own folder for this purpose: paths inside it need no dialog.
    fn folder(self, data_dir: &Path) -> PathBuf {
        data_dir.join(match self {
            FilePurpose::Backup | FilePurpose::Restore => backup::BACKUP_DIR,
            FilePurpose::Export => EXPORT_DIR,
            FilePurpose::Pdf => DOCUMENT_DIR,
            FilePurpose::Logo => LOGO_DIR,
            FilePurpose::Import => IMPORT_DIR,
        })
    }

    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            FilePurpose::Backup | FilePurpose::Restore => ("Daybook backup", &["sqlite3"]),
            FilePurpose::Export | FilePurpose::Import => ("CSV", &["csv"]),
            FilePurpose::Pdf => ("PDF", &["pdf"]),
            FilePurpose::Logo => ("Image (PNG, JPEG)", &["png", "jpg", "jpeg"]),
        }
    }

    fn default_name(self, data_dir: &Path) -> Option<String> {
        match self {
            FilePurpose::Backup => backup::default_backup_path(data_dir, Utc::now())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            FilePurpose::Restore | FilePurpose::Logo | FilePurpose::Import => None,
            FilePurpose::Export => Some(format!("export-{}.csv", Utc::now().format("%Y-%m-%d"))),
            FilePurpose::Pdf => Some("document.pdf".into()),
        }
    }
}

/// The paths the user chose in a dialog during this run, per purpose.
#[derive(Default)]
pub struct Chosen {
    paths: Mutex<HashSet<(FilePurpose, PathBuf)>>,
}

impl Chosen {
    fn remember(&self, purpose: FilePurpose, path: &Path) {
        if let Ok(mut paths) = self.paths.lock() {
            paths.insert((purpose, normal(path)));
        }
    }

    /// The path if the user chose it for `purpose`, or it lies in the app's own
    /// folder for it; `file_not_chosen` otherwise.
    pub fn permit(
        &self,
        purpose: FilePurpose,
        data_dir: &Path,
        path: PathBuf,
    ) -> Result<PathBuf, ErrorBody> {
        let p = normal(&path);
        let own = p.starts_with(normal(&purpose.folder(data_dir)));
        let chosen = self
            .paths
            .lock()
            .map(|paths| paths.contains(&(purpose, p.clone())))
            .unwrap_or(false);
        if own || chosen {
            Ok(p)
        } else {
            Err(ErrorBody::new(
                ErrorCode::FileNotChosen,
                "choose the file in the file dialog first",
            )
            .with_field("path"))
        }
    }
}

/// `path` with `.` and `..` resolved lexically (the file may not exist yet).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Opens the dialog for `purpose` (in the app's folder for it, with a suggested name)
/// and remembers the path chosen; `None` when the user cancelled.
pub async fn choose<R: Runtime>(
    app: &AppHandle<R>,
    chosen: &Chosen,
    data_dir: &Path,
    purpose: FilePurpose,
    suggested: Option<String>,
) -> Result<Option<PathBuf>, ErrorBody> {
    let folder = purpose.folder(data_dir);
    let name = suggested
        .filter(|s| !s.trim().is_empty())
        .or_else(|| purpose.default_name(data_dir));
    let picked = match seam_answer() {
        Some(answer) => answer,
        None => native_dialog(app, purpose, folder, name).await?,
    };
    if let Some(p) = &picked {
        log::info!("file chosen for {purpose:?}: {}", p.display());
        chosen.remember(purpose, p);
    }
    Ok(picked)
}

async fn native_dialog<R: Runtime>(
    app: &AppHandle<R>,
    purpose: FilePurpose,
    folder: PathBuf,
    name: Option<String>,
) -> Result<Option<PathBuf>, ErrorBody> {
    use tauri_plugin_dialog::DialogExt;
    // The folder may not exist yet: the dialog then opens in its parent.
    let _ = std::fs::create_dir_all(&folder);
    let (label, extensions) = purpose.filter();
    let mut dialog = app
        .dialog()
        .file()
        .add_filter(label, extensions)
        .set_directory(&folder);
    if let Some(name) = name {
        dialog = dialog.set_file_name(name);
    }
    let saves = purpose.saves();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        if saves {
            dialog.blocking_save_file()
        } else {
            dialog.blocking_pick_file()
        }
    })
    .await
    .map_err(|e| crate::ipc::task_failed("the file dialog", e))?;
    Ok(picked.and_then(|p| p.into_path().ok()))
}

/// The end-to-end tests' answer, when the seam is on (debug builds only).
fn seam_answer() -> Option<Option<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let file = std::env::var_os(DIALOG_SEAM_ENV)?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let text = text.trim();
    Some((!text.is_empty()).then(|| PathBuf::from(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chosen_paths_and_the_apps_own_folders_are_permitted() {
        let chosen = Chosen::default();
        let data = Path::new("/home/ann/.local/share/daybook");
        let own = data.join("backups/b.sqlite3");
        assert_eq!(
            chosen.permit(FilePurpose::Backup, data, own.clone()),
            Ok(own)
        );
        let elsewhere = PathBuf::from("/tmp/x.sqlite3");
        let refused = chosen
            .permit(FilePurpose::Backup, data, elsewhere.clone())
            .expect_err("not chosen");
        assert_eq!(refused.code, ErrorCode::FileNotChosen);
        // `..` does not climb out of the app's folder.
        let sneaky = data.join("backups/../../../../../etc/passwd");
        assert!(chosen.permit(FilePurpose::Restore, data, sneaky).is_err());

        chosen.remember(FilePurpose::Backup, &elsewhere);
        assert!(
            chosen
                .permit(FilePurpose::Backup, data, elsewhere.clone())
                .is_ok()
        );
        // Chosen for a backup is not chosen for a restore.
        assert!(
            chosen
                .permit(FilePurpose::Restore, data, elsewhere)
                .is_err()
        );
    }
}
