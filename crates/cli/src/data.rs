//! `daybook backup`, `restore`, `check`, `recover` and `export`: the data-safety
//! commands. Restore, check and recover work on the store's file without opening it
//! as a Daybook first, so they work when it is damaged.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};
use daybook_app::backup::{self, BackupReport, Thoroughness};

use daybook_app::catalog_csv::CatalogKind;
use daybook_app::history::TimelineFilter;
use daybook_app::query::OrderQuery;
use daybook_app::{AppError, DB_FILE, Export};
use daybook_domain::OrderStatus;
use serde::Serialize;

use crate::output::{Out, time_long};
use crate::{Ctx, InputError, input, resolve};

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist) [default: DATA/backups/daybook-<time>.sqlite3]
    #[arg(value_name = "FILE", conflicts_with = "list")]
    file: Option<PathBuf>,
    /// List the backups in DATA/backups instead
    #[arg(long)]
    list: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file to restore
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Replace a store that holds data (or cannot be read); it is kept aside, never deleted
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only `quick_check` (pages and structure, about 2 s per GB) instead of the full
    /// integrity check (every index too, about 10 s per GB)
    #[arg(long)]
    quick: bool,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Confirm: move the current store aside and start an empty one
    #[arg(long)]
    yes: bool,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    /// One row per order
    Orders,
    /// One row per order line
    Lines,
    /// The account's timeline (one row per event), or with --record one record's
    /// history (one row per changed field)
    History,
    /// Every customer, in the columns `daybook import customers` reads
    Customers,
    /// Every product, in the columns `daybook import products` reads
    Products,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    what: ExportWhat,
    /// The CSV file to write (replaced if it exists) [default: stdout]
    #[arg(long, short, value_name = "FILE.csv")]
    out: Option<PathBuf>,
    /// history: only this record (id, order number, customer number or product code)
    #[arg(long, value_name = "RECORD")]
    record: Option<String>,
    /// orders, lines: only these statuses (repeat, or separate with commas)
    #[arg(long, value_parser = input::status, value_delimiter = ',', value_name = "STATUS")]
    status: Vec<OrderStatus>,
    /// Created (orders, lines) or given (history) on or after this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Created (orders, lines) or given (history) on or before this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    to: Option<NaiveDate>,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `daybook backup [FILE]`.
pub fn backup(ctx: &mut Ctx, data_dir: &Path, a: &BackupArgs) -> anyhow::Result<()> {
    if a.list {
        let list = backup::list_backups(&data_dir.join(backup::BACKUP_DIR))?;
        if ctx.json {
            return ctx.out.json(&list);
        }
        if list.is_empty() {
            ctx.out
                .line("no backups in the data directory's backups folder");
        }
        for b in list {
            let when = b.modified.map(time_long).unwrap_or_default();
            ctx.out
                .line(format!("{}  {:>10}  {when}", b.path, mb(b.bytes)));
        }
        return Ok(());
    }
    let dest = match &a.file {
        Some(f) => f.clone(),
        None => backup::default_backup_path(data_dir, Utc::now()),
    };
    let r = ctx.db.backup(&dest)?;
    print_backup(&mut ctx.out, ctx.json, &r)
}

fn print_backup(out: &mut Out, json: bool, r: &BackupReport) -> anyhow::Result<()> {
    if json {
        return out.json(r);
    }
    out.line(format!(
        "backed up {} events ({} orders, {} commands waiting to sync) to {}",
        r.summary.events, r.summary.orders, r.summary.pending_commands, r.path
    ));
    out.line(format!(
        "{}, integrity checked, in {} ms",
        mb(r.bytes),
        r.millis
    ));
    Ok(())
}

/// `daybook restore FILE`: needs no open store (it may be damaged).
pub fn restore(data_dir: &Path, json: bool, a: &RestoreArgs) -> anyhow::Result<String> {
    let file = data_dir.join(DB_FILE);
    if !a.yes
        && let Some(what) = backup::replaces_data(&file)
    {
        return Err(
            InputError::new(format!("{what}; pass --yes to replace it with the backup")).into(),
        );
    }
    let r = backup::restore_file(&file, &a.file)?;
    // Open once now: migrations and read-model catch-up run here, not in the next
    // command, and a backup this build cannot open is reported at once.
    daybook_app::Daybook::open(&file, Default::default())?;
    let mut out = Out::default();
    if json {
        out.json(&r)?;
        return Ok(out.into_string());
    }
    out.line(format!(
        "restored {} events ({} orders) from {}",
        r.summary.events, r.summary.orders, r.from
    ));
    if let Some(k) = &r.kept_aside {
        out.line(format!("the replaced store is kept as {k}"));
    }
    if r.summary.pending_commands > 0 {
        out.line(format!(
            "{} commands of the backup wait to sync; the server answers those it already has as duplicates",
            r.summary.pending_commands
        ));
    }
    Ok(out.into_string())
}

/// Whether a file can be created in `dir` (false on read-only storage or in a folder
/// of someone else's; also false if `dir` does not exist).
pub fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".daybook-write-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// A damaged store found by `check`: exit code 3 with the report printed.
#[derive(Debug)]
pub struct Damaged(pub String);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

/// `daybook check`: the report on stdout; exit 3 when something is wrong.
pub fn check(data_dir: &Path, json: bool, a: &CheckArgs) -> anyhow::Result<String> {
    let how = if a.quick {
        Thoroughness::Quick
    } else {
        Thoroughness::Full
    };
    let r = backup::check_file(&data_dir.join(DB_FILE), how)?;
    let mut out = Out::default();
    if json {
        out.json(&r)?;
    } else if r.ok {
        out.line(format!(
            "ok: the store passed the {} check in {} ms",
            if r.full { "full integrity" } else { "quick" },
            r.millis
        ));
    } else {
        for p in &r.problems {
            out.line(p);
        }
    }
    if r.ok {
        Ok(out.into_string())
    } else {
        print!("{}", out.into_string());
        Err(Damaged(
            "the store is damaged: restore a backup (daybook restore FILE --yes) or start again \
             from the server (daybook recover --yes)"
                .into(),
        )
        .into())
    }
}

#[derive(Serialize)]
struct Recovered {
    kept_aside: Option<String>,
    server: Option<String>,
    unsynced: Option<u64>,
}

/// `daybook recover --yes`: the damaged store aside, an empty one in its place.
pub fn recover(data_dir: &Path, json: bool, a: &RecoverArgs) -> anyhow::Result<String> {
    if !a.yes {
        return Err(InputError::new(
            "this moves the current store aside and starts an empty one; pass --yes to do it",
        )
        .into());
    }
    let file = data_dir.join(DB_FILE);
    if !file.exists() {
        return Err(InputError::new("there is no store here to recover").into());
    }
    let r = backup::start_fresh(&file)?;
    let mut out = Out::default();
    if json {
        out.json(&Recovered {
            kept_aside: r.kept_aside,
            server: r.server,
            unsynced: r.unsynced,
        })?;
        return Ok(out.into_string());
    }
    if let Some(k) = &r.kept_aside {
        out.line(format!("the damaged store is kept as {k}"));
        match r.unsynced {
            Some(0) => out.line("every change made here had reached the server"),
            Some(n) => out.line(format!(
                "{n} {} made here never reached the server; {} in the kept store \
                 (`daybook restore {k} --yes` brings {} back)",
                if n == 1 { "change" } else { "changes" },
                if n == 1 { "it stays" } else { "they stay" },
                if n == 1 { "it" } else { "them" },
            )),
            None => out.line(
                "the kept store could not be read to count changes that never reached the \
                 server; it is kept whole",
            ),
        }
    }
    match &r.server {
        Some(s) => out.line(format!(
            "started an empty store; `daybook sync` fills it from {s}"
        )),
        None => out.line(
            "started an empty store; the sync settings could not be read: connect again with \
             `daybook --server URL --token TOKEN sync`",
        ),
    }
    Ok(out.into_string())
}

#[derive(Serialize)]
struct Exported {
    path: String,
    rows: u64,
}

/// `daybook export orders|lines|history`.
pub fn export(ctx: &mut Ctx, a: &ExportArgs) -> anyhow::Result<()> {
    if a.record.is_some() && !matches!(a.what, ExportWhat::History) {
        return Err(InputError::new("--record only goes with `export history`").into());
    }
    if !a.status.is_empty() && !matches!(a.what, ExportWhat::Orders | ExportWhat::Lines) {
        return Err(InputError::new("--status only goes with `export orders` or `lines`").into());
    }
    let record = a
        .record
        .as_deref()
        .map(|r| resolve::record(&ctx.db, r))
        .transpose()?;
    let orders = OrderQuery {
        status: a.status.clone(),
        from: a.from,
        to: a.to,
        ..OrderQuery::default()
    };
    let timeline = TimelineFilter {
        from: a.from,
        to: a.to,
        ..TimelineFilter::default()
    };
    let what = match (a.what, record) {
        (ExportWhat::Orders, _) => Export::Orders(orders),
        (ExportWhat::Lines, _) => Export::Lines(orders),
        (ExportWhat::History, Some(r)) => Export::RecordHistory(r.id()),
        (ExportWhat::History, None) => Export::Timeline(timeline),
        (ExportWhat::Customers, _) => Export::Catalog(CatalogKind::Customers),
        (ExportWhat::Products, _) => Export::Catalog(CatalogKind::Products),
    };
    let read = ctx.db.read();
    let write = |w: &mut dyn std::io::Write| read.export(&what, w);
    match &a.out {
        None => {
            let mut stdout = std::io::stdout().lock();
            match write(&mut stdout) {
                // `daybook export orders | head` is not an error.
                Err(AppError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => {
                    r?;
                }
            }
            stdout.flush().ok();
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| InputError::new(format!("cannot create {}: {e}", path.display())))?;
            let mut buf = std::io::BufWriter::new(file);
            let r = write(&mut buf)?;
            buf.into_inner()
                .map_err(|e| AppError::io("cannot write the export", e.into_error()))?
                .sync_all()
                .map_err(|e| AppError::io("cannot write the export", e))?;
            if ctx.json {
                ctx.out.json(&Exported {
                    path: path.display().to_string(),
                    rows: r.rows,
                })?;
            } else {
                ctx.out
                    .line(format!("wrote {} rows to {}", r.rows, path.display()));
            }
        }
    }
    Ok(())
}
