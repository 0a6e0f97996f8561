//! `daybook`: the command-line client over a local Daybook. Every domain command is
//! reachable (friendly subcommands, or `exec` with the command's JSON), every read
//! model can be listed or shown, as text or `--json`.
//!
//! **Invariant:** this is an edge: it parses and prints. Business rules live in the
//! domain, reads in `daybook_app::query` and `history`; the only SQL here finds a
//! record by its number or code.

mod data;
mod demo;
mod import;
mod input;
mod output;
mod people;
mod print;
mod read;
mod resolve;
mod sync;
mod write;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use daybook_app::{AppError, DB_FILE, Daybook, OpenOptions};

use crate::output::Out;

const AFTER_HELP: &str = "\
Records are named by id or by what people call them: customer number (C-00001),
product code (KAN-0010) or order number (SO-00001). Amounts are decimal text with
at most two decimals (12.50 or 12,50), discounts percentages (10 or 12.5).

Every read command takes --json for machine-readable output.

Exit codes:
  0  success
  1  the domain refused the command (a business rule said no); nothing changed
  2  bad input or usage: unknown record, malformed JSON, amount or date; nothing changed
  3  the store failed (IO error, locked or damaged database); `check` found damage
`daybook sync` exits with the store's sync state:
  0  online: everything pushed and pulled (some changes may need attention)
  4  offline: the server cannot be reached; changes stay queued
  5  refused by the server: it answered but would not take the changes
  6  update required: the server or its data needs a newer Daybook
  7  signed out: the server no longer accepts this device's token";

/// Daybook: local-first orders, customers and products, with full history.
#[derive(Debug, Parser)]
#[command(name = "daybook", version, after_help = AFTER_HELP, max_term_width = 100)]
struct Cli {
    /// Data directory [default: the platform's, e.g. ~/.local/share/daybook]
    #[arg(
        long,
        global = true,
        env = "DAYBOOK_DATA",
        value_name = "DIR",
        help_heading = "Global options"
    )]
    data: Option<PathBuf>,

    /// Who is working, recorded on every event; give it before the subcommand
    /// [default: $USER]
    #[arg(
        long,
        env = "DAYBOOK_USER",
        value_name = "NAME",
        help_heading = "Global options"
    )]
    user: Option<String>,

    /// This device's name (recorded on every event) [default: one generated and kept]
    #[arg(
        long,
        global = true,
        env = "DAYBOOK_DEVICE",
        value_name = "NAME",
        help_heading = "Global options"
    )]
    device: Option<String>,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true, help_heading = "Global options")]
    json: bool,

    /// Sync server URL; remembered, and every write is then synced
    #[arg(
        long,
        global = true,
        env = "DAYBOOK_SERVER",
        value_name = "URL",
        help_heading = "Global options"
    )]
    server: Option<String>,

    /// This device's token on the sync server; remembered
    #[arg(
        long,
        global = true,
        env = "DAYBOOK_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        help_heading = "Global options"
    )]
    token: Option<String>,

    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Generate a year of realistic demo data (through real commands) in an empty Daybook
    Demo(demo::DemoArgs),
    /// Run any domain command given as JSON (`-` reads it from stdin)
    ///
    /// Either a command, {"type":"PlaceOrder","order_id":"..."}, or a full envelope,
    /// {"command_id":"...","issued_at":"...","command":{...}}: an envelope that was
    /// applied before is not applied again.
    ///
    /// With --stream, reads one command or envelope per line from stdin and prints
    /// one JSON line per command as soon as it is committed (or refused), until the
    /// end of the input.
    Exec {
        /// The JSON, or `-` for stdin
        #[arg(
            value_name = "JSON",
            allow_hyphen_values = true,
            required_unless_present = "stream"
        )]
        command: Option<String>,
        /// Read JSON lines from stdin; acknowledge each committed command on stdout
        #[arg(long, conflicts_with = "command")]
        stream: bool,
    },
    /// Customers: add, update, addresses, spending limit, block, list, show
    #[command(subcommand)]
    Customer(write::CustomerCmd),
    /// Products: add, update, discontinue, reinstate, list, show
    #[command(subcommand)]
    Product(write::ProductCmd),
    /// Sales orders: create, lines, address, details, place, cancel, deliver, invoice, show
    #[command(subcommand)]
    Order(write::OrderCmd),
    /// The company's own details, printed on every document: set, logo, show
    #[command(subcommand)]
    Company(write::CompanyCmd),
    /// The order list: filter, search, sort and page
    Orders(read::OrdersArgs),
    /// An order, customer or product in detail
    Show {
        /// Id, order number, customer number or product code
        record: String,
    },
    /// An order's confirmation, delivery note or invoice as PDF, as it was then
    Print(print::PrintArgs),
    /// A record's history: every change, who made it, from which device, field by field
    History(read::HistoryArgs),
    /// The account's events, newest first, filtered
    Timeline(read::TimelineArgs),
    /// Replay the event log into the read models
    Rebuild,
    /// Counts of events, records and pending commands
    Stats,
    /// Orders and revenue over a period, top customers, open work
    Dashboard(read::DashboardArgs),
    /// Held orders waiting for a manager: release or refuse them with `daybook order`
    Approvals,
    /// Sign in on this store as a person of the server's account (with --server URL the
    /// first time); your changes are then recorded as you, with your role
    Login(people::LoginArgs),
    /// Sign out; your unsynced changes are kept for your next sign-in
    Logout,
    /// Push local changes to the sync server and pull everyone else's
    Sync(sync::SyncArgs),
    /// Changes the server refused, or that no longer apply: what needs you
    Attention,
    /// Send a change that needs attention again, as it was or edited
    Retry(sync::RetryArgs),
    /// Give up on a change that needs attention
    Discard {
        /// The command id (from `daybook attention`)
        command_id: uuid::Uuid,
    },
    /// Write a checked copy of the store while it is in use (or --list the backups)
    Backup(data::BackupArgs),
    /// Replace the store by a backup, after checking it; the replaced store is kept aside
    ///
    /// Works when the current store is damaged. Commands of the backup still waiting
    /// to sync are pushed as usual (the server answers those it already has as
    /// duplicates), and the next sync pulls everything the server got since the backup.
    Restore(data::RestoreArgs),
    /// Check the store file for damage (SQLite's integrity check and the schema)
    Check(data::CheckArgs),
    /// Move a damaged store aside and start an empty one that syncs from the server
    Recover(data::RecoverArgs),
    /// Write orders, order lines, history, customers or products as CSV (UTF-8,
    /// decimal amounts, ISO-8601 UTC)
    Export(data::ExportArgs),
    /// Read customers or products from CSV (the export's columns); --dry-run checks only
    Import(import::ImportArgs),
}

/// Input that cannot be used: exit code 2, nothing changed.
#[derive(Debug)]
pub struct InputError(String);

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError(message.into())
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// What a subcommand works with.
pub struct Ctx {
    /// The data directory (the store, its backups, the device's credentials file).
    pub data_dir: PathBuf,
    pub db: Daybook,
    pub json: bool,
    pub out: Out,
    /// An exit code other than 0 for a command that succeeded but must say more
    /// (`daybook sync`: the sync state).
    pub exit: Option<u8>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match try_main(cli) {
        Ok((text, code)) => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // `daybook orders | head` is not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("error: cannot write the output: {e}");
                ExitCode::from(3)
            }
            _ => ExitCode::from(code),
        },
        Err(e) => {
            let (code, message) = describe(&e);
            eprintln!(
                "error: {}",
                daybook_domain::text::escaped(&output::one_line(&message))
            );
            ExitCode::from(code)
        }
    }
}

/// Clap's errors, on one line; help and version are printed as usual.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            eprintln!(
                "error: {} (see --help)",
                clap_message(&e.render().to_string())
            );
            ExitCode::from(2)
        }
    }
}

/// Clap's message without the usage block, on one line: "the following required
/// arguments were not provided: --product <PRODUCT>".
fn clap_message(rendered: &str) -> String {
    let mut message = String::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        if !message.is_empty() {
            message.push_str(if line.starts_with("tip:") { "; " } else { " " });
        }
        message.push_str(line.strip_prefix("error: ").unwrap_or(line));
    }
    if message.is_empty() {
        "invalid usage".into()
    } else {
        message
    }
}

/// Exit code and message for an error.
fn describe(e: &anyhow::Error) -> (u8, String) {
    if let Some(input) = e.downcast_ref::<InputError>() {
        return (2, input.to_string());
    }
    if let Some(damaged) = e.downcast_ref::<data::Damaged>() {
        return (3, damaged.to_string());
    }
    if let Some(app) = e.downcast_ref::<AppError>() {
        let body = app.body();
        let message = match &body.field {
            Some(field) => format!("{field}: {}", body.message),
            _ => body.message.clone(),
        };
        return match app {
            AppError::Domain(daybook_domain::DomainError::NotFound { .. }) => (2, message),
            AppError::Domain(_) => (1, message),
            AppError::NotFound { .. }
            | AppError::UnknownRecord(_)
            | AppError::InvalidInput { .. }
            | AppError::BadBackup(_)
            | AppError::DemoData
            | AppError::SignInRequired => (2, message),
            AppError::Io { .. } => (3, message),
            AppError::Store(_) if body.code == "conflict" => (1, message),
            // The cause (SQLite's words, table and column names) is for whoever
            // debugs, not for the person at the keyboard.
            AppError::Store(inner) if std::env::var_os("DAYBOOK_DEBUG").is_some() => {
                (3, format!("{} ({inner})", body.message))
            }
            AppError::Store(_) => (
                3,
                format!(
                    "{}; run again with DAYBOOK_DEBUG=1 for details",
                    body.message
                ),
            ),
        };
    }
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    (3, chain.join(": "))
}

fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(d) = &cli.data {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("app", "Daybook", "daybook")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| {
            InputError::new("cannot find a data directory for this user; pass --data DIR").into()
        })
}

fn try_main(cli: Cli) -> anyhow::Result<(String, u8)> {
    // The version-skew tests' "next build" (a `next-schema` build only).
    if std::env::var_os(daybook_domain::schema::PREVIEW_VAR).is_some()
        && !daybook_domain::schema::preview()
    {
        anyhow::bail!(
            "{} is set, but this build cannot act as the next one (build it with \
             --features daybook-domain/next-schema)",
            daybook_domain::schema::PREVIEW_VAR
        );
    }
    let dir = data_dir(&cli)?;
    // These work on the file itself: the store may be damaged.
    match &cli.command {
        Cmd::Restore(a) => return data::restore(&dir, cli.json, a).map(|t| (t, 0)),
        Cmd::Check(a) => return data::check(&dir, cli.json, a).map(|t| (t, 0)),
        Cmd::Recover(a) => return data::recover(&dir, cli.json, a).map(|t| (t, 0)),
        _ => {}
    }
    let owner = std::env::var("USER")
        .ok()
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|u| !u.trim().is_empty());
    let user = cli.user.clone().or_else(|| owner.clone());
    let options = OpenOptions {
        user,
        device: cli.device.clone(),
        ..OpenOptions::default()
    };
    // What can be done with a store on storage that cannot be written (a read-only
    // disk, a mounted backup): look, print, export and back up.
    let reads_only = matches!(
        cli.command,
        Cmd::Orders(_)
            | Cmd::Show { .. }
            | Cmd::Print(_)
            | Cmd::History(_)
            | Cmd::Timeline(_)
            | Cmd::Stats
            | Cmd::Dashboard(_)
            | Cmd::Attention
            | Cmd::Backup(_)
            | Cmd::Export(_)
    );
    let db = match Daybook::open_dir(&dir, options.clone()) {
        Ok(db) => db,
        Err(_) if reads_only && dir.join(DB_FILE).is_file() && !data::writable(&dir) => {
            Daybook::open_read_only(&dir.join(DB_FILE), options).map_err(|e| open_error(e, &dir))?
        }
        Err(_) if dir.join(DB_FILE).is_file() && !data::writable(&dir) => {
            return Err(InputError::new(format!(
                "the Daybook in {} is on storage that cannot be written: it can be looked at \
                 (orders, show, history, print, export, backup), not changed",
                dir.display()
            ))
            .into());
        }
        Err(e) => return Err(open_error(e, &dir)),
    };
    // With a person signed in, the user is that person: `--user` cannot name another.
    if let (Some(given), Some(person)) = (&cli.user, db.signed_in()?)
        && given.trim() != person.login
    {
        return Err(InputError::new(format!(
            "{} is signed in on this store, so changes are recorded as them; --user cannot \
             name someone else (sign out first: daybook logout)",
            person.name
        ))
        .into());
    }
    if !matches!(cli.command, Cmd::Login(_)) {
        sync::configure(&db, &dir, cli.server.as_deref(), cli.token.as_deref())?;
    }
    let mut ctx = Ctx {
        data_dir: dir.clone(),
        db,
        json: cli.json,
        out: Out::default(),
        exit: None,
    };
    let writes = matches!(
        cli.command,
        Cmd::Exec { .. }
            | Cmd::Customer(_)
            | Cmd::Product(_)
            | Cmd::Order(_)
            | Cmd::Company(_)
            | Cmd::Import(_)
    );
    match cli.command {
        Cmd::Demo(a) => demo::run(&mut ctx, &a)?,
        Cmd::Exec {
            command: Some(command),
            ..
        } => write::exec(&mut ctx, &command)?,
        Cmd::Exec { command: None, .. } => write::exec_stream(&mut ctx)?,
        Cmd::Customer(c) => write::customer(&mut ctx, c)?,
        Cmd::Product(c) => write::product(&mut ctx, c)?,
        Cmd::Order(c) => write::order(&mut ctx, c)?,
        Cmd::Company(c) => write::company(&mut ctx, c)?,
        Cmd::Orders(a) => read::orders(&mut ctx, &a)?,
        Cmd::Show { record } => read::show(&mut ctx, &record)?,
        Cmd::Print(a) => print::print(&mut ctx, &a)?,
        Cmd::History(a) => read::history(&mut ctx, &a)?,
        Cmd::Timeline(a) => read::timeline(&mut ctx, &a)?,
        Cmd::Rebuild => read::rebuild(&mut ctx)?,
        Cmd::Stats => read::stats(&mut ctx)?,
        Cmd::Dashboard(a) => read::dashboard(&mut ctx, &a)?,
        Cmd::Approvals => read::approvals(&mut ctx)?,
        Cmd::Login(a) => people::login(&mut ctx, &a, cli.server.as_deref())?,
        Cmd::Logout => people::logout(&mut ctx)?,
        Cmd::Sync(a) => sync::sync(&mut ctx, &a)?,
        Cmd::Attention => sync::attention(&mut ctx)?,
        Cmd::Retry(a) => sync::retry(&mut ctx, &a)?,
        Cmd::Discard { command_id } => sync::discard(&mut ctx, command_id)?,
        Cmd::Backup(a) => data::backup(&mut ctx, &dir, &a)?,
        Cmd::Export(a) => data::export(&mut ctx, &a)?,
        Cmd::Import(a) => import::import(&mut ctx, &a)?,
        Cmd::Restore(_) | Cmd::Check(_) | Cmd::Recover(_) => {}
    }
    if writes {
        sync::after_write(&mut ctx)?;
    }
    let code = ctx.exit.unwrap_or(0);
    Ok((ctx.out.into_string(), code))
}

/// Opening failures keep their kind (a bad directory is input, a broken file is the
/// store), with the directory named.
fn open_error(e: AppError, dir: &std::path::Path) -> anyhow::Error {
    match e {
        AppError::InvalidInput { message, .. } => InputError::new(message).into(),
        e if e.is_corrupt() => anyhow::anyhow!(
            "the Daybook in {} is damaged ({e}); see `daybook check`, then restore a backup \
             (`daybook restore FILE --yes`) or start again from the server (`daybook recover --yes`)",
            dir.display()
        ),
        AppError::Store(inner) => {
            anyhow::anyhow!("cannot open the Daybook in {}: {inner}", dir.display())
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_fit_on_one_line() {
        let e = Cli::try_parse_from(["daybook", "order", "add-line", "SO-1"]).unwrap_err();
        assert_eq!(
            clap_message(&e.render().to_string()),
            "the following required arguments were not provided: --product <PRODUCT>"
        );
        let e = Cli::try_parse_from(["daybook", "oders"]).unwrap_err();
        let m = clap_message(&e.render().to_string());
        assert!(m.starts_with("unrecognized subcommand 'oders'"), "{m}");
        assert!(!m.contains('\n'), "{m}");
    }

    #[test]
    fn the_order_search_help_says_what_it_finds() {
        let mut cli = Cli::command();
        let orders = cli
            .find_subcommand_mut("orders")
            .expect("the orders command");
        let help = orders.render_long_help().to_string();
        for finds in [
            "number",
            "digits",
            "\"4321\" finds SO-04321 and SO-D2-04321",
            "customer's name",
            "city",
            "reference",
            "product code",
            "description word",
        ] {
            assert!(
                help.contains(finds),
                "--search help lacks {finds:?}:\n{help}"
            );
        }
    }

    #[test]
    fn errors_get_exit_codes_and_fields() {
        let domain: anyhow::Error =
            AppError::Domain(daybook_domain::DomainError::InvalidQuantity { quantity: 0 }).into();
        assert_eq!(
            describe(&domain),
            (
                1,
                "quantity: quantity must be greater than 0 (got 0)".into()
            )
        );
        let input: anyhow::Error = InputError::new("unknown order SO-1").into();
        assert_eq!(describe(&input), (2, "unknown order SO-1".into()));
    }
}
