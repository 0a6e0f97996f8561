//! Daybook's documents: order confirmations, delivery notes and invoices (a pro forma
//! before the server numbered the invoice) as PDF, rendered on the device, offline.
//!
//! **Invariant:** a document is drawn from the records as they were at its moment (the
//! order just after it was placed, delivered or invoiced; the customer and the
//! company's details as of then), through the app's typed as-of reads: reprinting last
//! year's invoice gives the same document. The one later fact a document takes in is
//! a cancellation: a cancelled order's confirmation (and delivery note, when it was
//! delivered first) says "Cancelled on <date>" on every page; it has no invoice. Same input, same bytes: no dates, random ids
//! or system fonts go into the file (the fonts ship in `fonts/`).
//!
//! **Invariant:** no SQL and no database crate here; the records come through
//! [`daybook_app::Reader`].

pub mod layout;
pub mod model;
pub mod render;

use std::path::{Path, PathBuf};

use daybook_app::{AppError, Reader};
use uuid::Uuid;

pub use model::{Document, DocumentKind, Party, gather};
pub use render::{Rendered, read_logo, render};

/// Why a document cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// No order has this id.
    #[error("no order has id {0}")]
    UnknownOrder(Uuid),
    /// The order has not reached the document's moment (a draft has no confirmation,
    /// an undelivered order no delivery note).
    #[error("{}", not_yet(*kind))]
    NotYet {
        /// The document asked for.
        kind: DocumentKind,
    },
    /// The order was cancelled before it reached the document's moment (or, for an
    /// invoice, at all: an invoiced order cannot be cancelled).
    #[error("{}", cancelled(*kind))]
    Cancelled {
        /// The document asked for.
        kind: DocumentKind,
    },
    /// Reading the records failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// A shipped font cannot be read (a broken build).
    #[error("a shipped font cannot be read")]
    Font,
    /// The page size was refused (a broken build).
    #[error("the page cannot be laid out")]
    Layout,
    /// The PDF writer refused the document.
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
    /// The file could not be written (a full disk, a folder without permission).
    #[error("cannot write {path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn not_yet(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Confirmation => "the order is not placed yet: it has no confirmation",
        DocumentKind::Delivery => "the order is not delivered yet: it has no delivery note",
        DocumentKind::Invoice => "the order is not placed yet: it has no invoice",
    }
}

fn cancelled(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Confirmation => {
            "the order was cancelled before it was placed: it has no confirmation"
        }
        DocumentKind::Delivery => {
            "the order was cancelled before it was delivered: it has no delivery note"
        }
        DocumentKind::Invoice => "the order was cancelled: it has no invoice",
    }
}

/// The document of `kind` for an order, gathered as it was and rendered.
pub fn print(
    reader: &Reader<'_>,
    order_id: Uuid,
    kind: DocumentKind,
) -> Result<(Document, Rendered), DocumentError> {
    let doc = gather(reader, order_id, kind)?;
    let rendered = render(&doc)?;
    Ok((doc, rendered))
}

/// What [`save`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The file written.
    pub path: PathBuf,
    /// The document's title ("Order confirmation", "Pro forma invoice").
    pub title: &'static str,
    /// The order's number.
    pub order_number: String,
    /// Pages.
    pub pages: usize,
    /// Size of the file.
    pub bytes: usize,
}

/// The file name a document suggests ("SO-00042-confirmation.pdf"), without
/// rendering it.
pub fn file_name(
    reader: &Reader<'_>,
    order_id: Uuid,
    kind: DocumentKind,
) -> Result<String, DocumentError> {
    Ok(gather(reader, order_id, kind)?.file_name())
}

/// Renders the document and writes it to `dest` (a path the edge already checked the
/// user chose): the desktop's "Save as PDF…", "Open" and "Send by e-mail".
pub fn save(
    reader: &Reader<'_>,
    order_id: Uuid,
    kind: DocumentKind,
    dest: &Path,
) -> Result<Saved, DocumentError> {
    let (doc, rendered) = print(reader, order_id, kind)?;
    let io = |source| DocumentError::Io {
        path: dest.to_path_buf(),
        source,
    };
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(dest, &rendered.pdf).map_err(io)?;
    Ok(Saved {
        path: dest.to_path_buf(),
        title: doc.title(),
        order_number: doc.order_number,
        pages: rendered.pages,
        bytes: rendered.pdf.len(),
    })
}
