//! The order screen's documents (confirmation, delivery note, invoice or pro forma) as
//! PDF: saved where the user chose in the file dialog, opened in the system's viewer,
//! or attached to a new mail in the user's mail client. Rendering and writing happen
//! in `daybook_documents`; the screens' other record reads for this issue (the company,
//! a history in words, a record as it was) are here too.
//!
//! "Open" goes through tauri-plugin-opener driven from Rust (the window has no opener
//! permission): it hands the file to the desktop's default PDF viewer on every
//! platform. "Send by e-mail" runs `xdg-email --attach` (xdg-utils): `mailto:` links
//! cannot carry an attachment, and no mail server is needed.

use std::path::{Path, PathBuf};

use daybook_app::readable::{CustomerHistoryEntry, ReadableEntry};
use daybook_app::view::RecordView;
use daybook_app::{AppError, CommandOutcome};
use daybook_app::{ErrorBody, ErrorCode};
use daybook_documents::{DocumentError, DocumentKind, Saved};
use daybook_domain::{Command, Company, CompanyId, DomainError, SetCompanyLogo};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use uuid::Uuid;

use crate::files::{Chosen, DOCUMENT_DIR, FilePurpose};
use crate::ipc::{Res, to_body};
use crate::state::AppState;
use crate::sync::SyncEngine;

/// Which of an order's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum OrderDocument {
    /// The order as placed.
    Confirmation,
    /// The order as delivered.
    Delivery,
    /// The order as invoiced (a pro forma before the server numbered it).
    Invoice,
}

impl From<OrderDocument> for DocumentKind {
    fn from(d: OrderDocument) -> Self {
        match d {
            OrderDocument::Confirmation => DocumentKind::Confirmation,
            OrderDocument::Delivery => DocumentKind::Delivery,
            OrderDocument::Invoice => DocumentKind::Invoice,
        }
    }
}

/// A document written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SavedDocument {
    /// Where.
    pub path: String,
    /// "Order confirmation", "Pro forma invoice"…
    pub title: String,
    /// The order's number.
    pub order_number: String,
    /// Pages.
    pub pages: u32,
    /// Size in bytes.
    pub bytes: u32,
}

impl From<Saved> for SavedDocument {
    fn from(s: Saved) -> Self {
        SavedDocument {
            path: s.path.display().to_string(),
            title: s.title.to_string(),
            order_number: s.order_number,
            pages: u32::try_from(s.pages).unwrap_or(u32::MAX),
            bytes: u32::try_from(s.bytes).unwrap_or(u32::MAX),
        }
    }
}

/// The error contract for a document that cannot be made.
fn doc_body(e: DocumentError) -> ErrorBody {
    match e {
        DocumentError::App(app) => to_body(app),
        DocumentError::UnknownOrder(_) => {
            ErrorBody::new(ErrorCode::NotFound, "there is no such order")
        }
        e @ (DocumentError::NotYet { .. } | DocumentError::Cancelled { .. }) => {
            ErrorBody::new(ErrorCode::InvalidInput, e.to_string())
        }
        e @ DocumentError::Io { .. } => {
            log::warn!("{e}");
            ErrorBody::new(ErrorCode::IoError, e.to_string()).with_field("path")
        }
        e => {
            log::error!("a document failed: {e}");
            ErrorBody::new(ErrorCode::Internal, "the document could not be made")
        }
    }
}

/// Renders `kind` of `order_id` into `dest` on a blocking thread.
async fn save_at(
    state: &AppState,
    order_id: Uuid,
    kind: OrderDocument,
    dest: PathBuf,
) -> Res<SavedDocument> {
    state
        .read(move |r| Ok(daybook_documents::save(&r, order_id, kind.into(), &dest)))
        .await?
        .map(SavedDocument::from)
        .map_err(doc_body)
}

/// The file name a document suggests ("SO-00042-confirmation.pdf"), for the dialog.
#[tauri::command]
#[specta::specta]
pub async fn document_file_name(
    state: State<'_, AppState>,
    order_id: Uuid,
    kind: OrderDocument,
) -> Res<String> {
    state
        .read(move |r| Ok(daybook_documents::file_name(&r, order_id, kind.into())))
        .await?
        .map_err(doc_body)
}

/// Writes the document to a path chosen in the file dialog (`choose_file` with
/// purpose `pdf`) or a bare name in the data folder's `documents/`; any other path is
/// refused (`file_not_chosen`).
#[tauri::command]
#[specta::specta]
pub async fn save_document(
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    order_id: Uuid,
    kind: OrderDocument,
    path: String,
) -> Res<SavedDocument> {
    let p = PathBuf::from(path.trim());
    let p = if p.is_absolute() {
        p
    } else {
        state.data_dir().join(DOCUMENT_DIR).join(p)
    };
    let dest = chosen.permit(FilePurpose::Pdf, state.data_dir(), p)?;
    save_at(&state, order_id, kind, dest).await
}

/// Where "Open" and "Send by e-mail" put a document: the data folder's `documents/`.
async fn in_documents(state: &AppState, order_id: Uuid, kind: OrderDocument) -> Res<PathBuf> {
    let name = state
        .read(move |r| Ok(daybook_documents::file_name(&r, order_id, kind.into())))
        .await?
        .map_err(doc_body)?;
    Ok(state.data_dir().join(DOCUMENT_DIR).join(name))
}

/// Writes the document into the data folder's `documents/` and opens it in the
/// system's PDF viewer.
#[tauri::command]
#[specta::specta]
pub async fn open_document(
    app: AppHandle,
    state: State<'_, AppState>,
    order_id: Uuid,
    kind: OrderDocument,
) -> Res<SavedDocument> {
    use tauri_plugin_opener::OpenerExt;
    let dest = in_documents(&state, order_id, kind).await?;
    let saved = save_at(&state, order_id, kind, dest.clone()).await?;
    app.opener()
        .open_path(dest.display().to_string(), None::<&str>)
        .map_err(|e| {
            log::warn!("cannot open {}: {e}", dest.display());
            ErrorBody::new(
                ErrorCode::IoError,
                format!(
                    "no program opened the PDF; it is saved as {}",
                    dest.display()
                ),
            )
        })?;
    Ok(saved)
}

/// Writes the document into the data folder's `documents/` and opens a new mail in
/// the user's mail client with it attached (`xdg-email`).
#[tauri::command]
#[specta::specta]
pub async fn email_document(
    state: State<'_, AppState>,
    order_id: Uuid,
    kind: OrderDocument,
) -> Res<SavedDocument> {
    let dest = in_documents(&state, order_id, kind).await?;
    let saved = save_at(&state, order_id, kind, dest.clone()).await?;
    let subject = format!("{} {}", saved.title, saved.order_number);
    mail_with_attachment(&subject, &dest).map_err(|e| {
        log::warn!("xdg-email failed: {e}");
        ErrorBody::new(
            ErrorCode::IoError,
            format!(
                "no mail program could be started; the PDF is saved as {}",
                dest.display()
            ),
        )
    })?;
    Ok(saved)
}

/// Starts the mail client and does not wait for it (the user writes the mail).
fn mail_with_attachment(subject: &str, file: &Path) -> std::io::Result<()> {
    std::process::Command::new("xdg-email")
        .arg("--subject")
        .arg(subject)
        .arg("--attach")
        .arg(file)
        .spawn()
        .map(|mut child| {
            // Reaped in the background: xdg-email returns once the client has the mail.
            std::thread::spawn(move || child.wait());
        })
}

/// The company's own details as documents print them (`null` until first set).
#[tauri::command]
#[specta::specta]
pub async fn get_company(state: State<'_, AppState>) -> Res<Option<Company>> {
    state.read(|r| r.company()).await
}

/// Sets the company's logo from an image file chosen in the file dialog (`choose_file`
/// with purpose `logo`); any other path is refused (`file_not_chosen`). The file is
/// checked as the domain checks it and drawn once, so an image the PDF writer cannot
/// read is refused now rather than left out of every document later.
#[tauri::command]
#[specta::specta]
pub async fn set_company_logo(
    app: AppHandle,
    state: State<'_, AppState>,
    chosen: State<'_, Chosen>,
    sync: State<'_, SyncEngine>,
    path: String,
) -> Res<CommandOutcome> {
    let path = chosen.permit(
        FilePurpose::Logo,
        state.data_dir(),
        PathBuf::from(path.trim()),
    )?;
    let bytes = std::fs::read(&path).map_err(|e| {
        ErrorBody::new(
            ErrorCode::IoError,
            format!("cannot read {}: {e}", path.display()),
        )
        .with_field("logo")
    })?;
    let logo = daybook_documents::read_logo(&bytes)
        .map_err(|problem| to_body(AppError::Domain(DomainError::InvalidLogo { problem })))?;
    let command = Command::SetCompanyLogo(SetCompanyLogo {
        company_id: CompanyId::ACCOUNT,
        logo: Some(logo.data),
    });
    crate::commands::run(&app, &state, &sync, command).await
}

/// A record's history in words, oldest first (who, when, one row per change).
#[tauri::command]
#[specta::specta]
pub async fn readable_history(state: State<'_, AppState>, id: Uuid) -> Res<Vec<ReadableEntry>> {
    state.read(move |r| r.readable_history(id)).await
}

/// A customer's history in words with the major events of its orders beside it.
#[tauri::command]
#[specta::specta]
pub async fn customer_history_with_orders(
    state: State<'_, AppState>,
    id: Uuid,
) -> Res<Vec<CustomerHistoryEntry>> {
    state
        .read(move |r| r.customer_history_with_orders(id))
        .await
}

/// A record as it was after `revision` (the current version when `null`), labelled
/// for its read-only screen.
#[tauri::command]
#[specta::specta]
pub async fn record_view(
    state: State<'_, AppState>,
    id: Uuid,
    revision: Option<u64>,
) -> Res<RecordView> {
    state.read(move |r| r.record_view(id, revision)).await
}
