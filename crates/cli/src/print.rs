//! `daybook print`: an order's confirmation, delivery note or invoice as PDF, drawn
//! from the order as it was at that moment.

use std::path::PathBuf;

use clap::Args;
use daybook_documents::{DocumentError, DocumentKind};
use serde::Serialize;

use crate::{Ctx, InputError, resolve};

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// Order number or id
    order: String,
    /// Which document: confirmation, delivery or invoice (a pro forma before the
    /// invoice has its number)
    #[arg(long, value_name = "DOCUMENT", default_value = "confirmation")]
    document: DocumentKind,
    /// Where to write the PDF [default: from the number, e.g. SO-00042-confirmation.pdf]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Printed {
    file: PathBuf,
    document: &'static str,
    pages: usize,
    bytes: usize,
}

pub fn print(ctx: &mut Ctx, a: &PrintArgs) -> anyhow::Result<()> {
    let id = resolve::order(&ctx.db, &a.order)?;
    let (doc, rendered) = match daybook_documents::print(&ctx.db.read(), id, a.document) {
        Ok(done) => done,
        Err(DocumentError::App(e)) => return Err(e.into()),
        Err(
            e @ (DocumentError::NotYet { .. }
            | DocumentError::Cancelled { .. }
            | DocumentError::UnknownOrder(_)),
        ) => {
            return Err(InputError::new(e.to_string()).into());
        }
        Err(e) => return Err(e.into()),
    };
    let (pdf, pages) = (rendered.pdf, rendered.pages);
    let file = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(doc.file_name()));
    std::fs::write(&file, &pdf)
        .map_err(|e| InputError::new(format!("cannot write {}: {e}", file.display())))?;
    if ctx.json {
        return ctx.out.json(&Printed {
            file,
            document: a.document.as_str(),
            pages,
            bytes: pdf.len(),
        });
    }
    ctx.out.line(format!(
        "{} of order {} written to {} ({pages} page{})",
        doc.title(),
        doc.order_number,
        file.display(),
        if pages == 1 { "" } else { "s" }
    ));
    Ok(())
}
