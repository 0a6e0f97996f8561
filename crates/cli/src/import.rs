//! `daybook import customers|products FILE.csv [--dry-run]`: the catalogue from a
//! spreadsheet, in the columns `daybook export customers|products` writes
//! (`daybook_app::catalog_csv`). Every row is checked first; a file with any problem
//! writes nothing and lists each (line, column, what is wrong), exit code 1.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use daybook_app::catalog_csv::{CatalogKind, ImportReport};

use crate::{Ctx, InputError};

/// What the file holds.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportWhat {
    /// Customers, matched by number
    Customers,
    /// Products, matched by code
    Products,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds
    #[arg(value_enum)]
    what: ImportWhat,
    /// The CSV file (UTF-8, `,` or `;` between fields, decimal point or comma)
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Check every row and say what would change; write nothing
    #[arg(long)]
    dry_run: bool,
}

/// `daybook import customers|products FILE.csv [--dry-run]`.
pub fn import(ctx: &mut Ctx, a: &ImportArgs) -> anyhow::Result<()> {
    let kind = match a.what {
        ImportWhat::Customers => CatalogKind::Customers,
        ImportWhat::Products => CatalogKind::Products,
    };
    let file = std::fs::File::open(&a.file)
        .map_err(|e| InputError::new(format!("cannot open {}: {e}", a.file.display())))?;
    let report =
        ctx.db
            .import_catalog(kind, std::io::BufReader::new(file), a.dry_run, |_, _| {})?;
    if !report.problems.is_empty() {
        ctx.exit = Some(1);
    }
    if ctx.json {
        return ctx.out.json(&report);
    }
    say(ctx, &report, a.dry_run);
    Ok(())
}

fn say(ctx: &mut Ctx, r: &ImportReport, dry_run: bool) {
    let counts = format!(
        "{} rows: {} new, {} changed, {} unchanged",
        r.rows, r.created, r.updated, r.unchanged
    );
    for p in &r.problems {
        ctx.out.line(match &p.column {
            Some(c) => format!("line {}, {c}: {}", p.line, p.message),
            None => format!("line {}: {}", p.line, p.message),
        });
    }
    ctx.out.line(if !r.problems.is_empty() {
        format!(
            "{counts}; {} {}, so nothing was written",
            r.problems.len(),
            if r.problems.len() == 1 {
                "problem"
            } else {
                "problems"
            }
        )
    } else if dry_run {
        format!("{counts} (a dry run: nothing was written)")
    } else {
        counts
    });
}
