//! `daybook-server`: admin subcommands (accounts, device tokens) and `serve`.
//! Outputs meant for scripts (an account id, a token) are alone on stdout; everything
//! else (logs, hints) goes to stderr.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use daybook_server::{AppState, Config, Limits, PgOptions, RateLimit};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "daybook-server", version, about = "The Daybook sync server")]
struct Cli {
    /// Data directory (registry and one database per account) of the SQLite adapter.
    #[arg(
        long,
        global = true,
        env = "DAYBOOK_SERVER_DATA",
        default_value = "./daybook-server-data"
    )]
    data: PathBuf,
    /// Keep everything in this PostgreSQL database (`postgres://user@host:port/db`)
    /// instead of the data directory; any number of instances may share it.
    #[arg(long, global = true, env = "DAYBOOK_DATABASE_URL")]
    database: Option<String>,
    /// PostgreSQL connections per instance.
    #[arg(long, global = true, env = "DAYBOOK_POOL_SIZE", default_value_t = 16)]
    pool_size: usize,
    /// Where a PostgreSQL instance keeps its temporary per-account caches (default:
    /// the system's temporary folder).
    #[arg(long, global = true, env = "DAYBOOK_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Log as JSON lines instead of text (filter with RUST_LOG).
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage accounts (tenants).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Manage device tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a checked backup of the data directory (the registry and every account)
    /// to FILE, private to you (0600), while the server may be serving. SQLite only:
    /// back up PostgreSQL with pg_dump.
    Backup {
        /// The backup file to write (must not exist).
        file: PathBuf,
    },
    /// Replace the data directory with the backup in FILE, after checking all of it;
    /// the current directory is kept aside (`<dir>.before-restore-<time>`). Stop the
    /// server first. SQLite only: restore PostgreSQL with pg_restore.
    Restore {
        /// The backup file to restore.
        file: PathBuf,
    },
    /// Serve the sync API.
    Serve {
        /// Address to listen on; port 0 picks a free port (printed on stderr).
        #[arg(long, env = "DAYBOOK_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Requests per second allowed per token on average (0: no limit).
        #[arg(long, env = "DAYBOOK_RATE", default_value_t = 100.0)]
        rate: f64,
        /// Requests a token may make at once.
        #[arg(long, env = "DAYBOOK_BURST", default_value_t = 200)]
        burst: u32,
        /// Seconds between keep-alive comments on the live channel.
        #[arg(long, env = "DAYBOOK_KEEP_ALIVE", default_value_t = 15)]
        keep_alive: u64,
        /// Connections one client address may hold open (an office behind one
        /// address shares it).
        #[arg(long, env = "DAYBOOK_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().connections_per_address)]
        connections_per_address: usize,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account; prints its id.
    Create {
        /// The account's name.
        name: String,
    },
    /// List accounts (id and name, tab-separated).
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a device with a token; prints the token (shown only once).
    Create {
        /// The account the device belongs to.
        #[arg(long)]
        account: Uuid,
        /// The device's name (recorded on its events).
        #[arg(long)]
        device: String,
    },
    /// Revoke a device's token.
    Revoke {
        /// The device id.
        #[arg(long)]
        device: Uuid,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<ClosedOutput>().is_some() {
                // `daybook-server ... | head`: the reader has what it wanted.
                return ExitCode::SUCCESS;
            }
            note(format_args!("daybook-server: error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Standard output was closed by its reader (`| head`): the output ends quietly.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
struct ClosedOutput;

/// A line for scripts on stdout. A closed pipe ends the command quietly (exit 0)
/// instead of panicking as `println!` does.
fn say(line: impl std::fmt::Display) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ClosedOutput.into()),
        other => Ok(other.context("cannot write to standard output")?),
    }
}

/// A line for people on stderr; a closed stderr is not worth a panic.
fn note(line: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn try_main(cli: Cli) -> Result<()> {
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
    // The file-level ones work on the directory itself, without opening it.
    if let Command::Backup { file } | Command::Restore { file } = &cli.command {
        if cli.database.is_some() {
            anyhow::bail!(
                "backup and restore are for the SQLite data directory; back up PostgreSQL \
                 with pg_dump and restore it with pg_restore (see the README)"
            );
        }
        use daybook_server::sqlite::backup;
        let report = match &cli.command {
            Command::Backup { .. } => backup::backup(&cli.data, file)
                .with_context(|| format!("cannot back up {}", cli.data.display()))?,
            _ => backup::restore(&cli.data, file)
                .with_context(|| format!("cannot restore {}", file.display()))?,
        };
        note(format_args!(
            "{} databases, {} bytes{}",
            report.databases,
            report.bytes,
            report
                .kept_aside
                .map(|p| format!("; the previous data is kept in {}", p.display()))
                .unwrap_or_default()
        ));
        return Ok(());
    }
    let config = match &cli.command {
        Command::Serve {
            rate,
            burst,
            keep_alive,
            connections_per_address,
            ..
        } => Config {
            rate_limit: RateLimit {
                per_second: *rate,
                burst: *burst,
            },
            keep_alive: Duration::from_secs((*keep_alive).max(1)),
            limits: Limits {
                connections_per_address: *connections_per_address,
                connections_total: connections_total(),
                ..Limits::default()
            },
            ..Config::default()
        },
        _ => Config::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let state = match &cli.database {
        Some(url) => {
            let options = PgOptions {
                pool_size: cli.pool_size,
                cache_root: cli.cache_dir.clone().unwrap_or_else(std::env::temp_dir),
            };
            rt.block_on(AppState::open_postgres(url, &options, config))
                .context("cannot open the PostgreSQL database")?
        }
        None => AppState::open(&cli.data, config)
            .with_context(|| format!("cannot open data directory {}", cli.data.display()))?,
    };
    match cli.command {
        Command::Account {
            command: AccountCommand::Create { name },
        } => {
            let id = rt.block_on(state.create_account(&name))?;
            say(id)?;
        }
        Command::Account {
            command: AccountCommand::List,
        } => {
            for a in rt.block_on(state.accounts())? {
                say(format_args!("{}\t{}", a.id, a.name))?;
            }
        }
        Command::Token {
            command: TokenCommand::Create { account, device },
        } => {
            let t = rt.block_on(state.create_token(account, &device))?;
            note(format_args!(
                "device {} ({}) of account {account}",
                t.device_code, t.device_id
            ));
            say(&t.token)?;
        }
        Command::Token {
            command: TokenCommand::Revoke { device },
        } => {
            if !rt.block_on(state.revoke_device(device))? {
                anyhow::bail!("no active device has id {device}");
            }
            note(format_args!("revoked device {device}"));
        }
        Command::Serve { listen, .. } => serve(&rt, state, listen)?,
        Command::Backup { .. } | Command::Restore { .. } => {}
    }
    Ok(())
}

/// File descriptors kept for databases, logs and accepting, beside connections.
const RESERVED_FILES: u64 = 256;

/// Raises the soft file limit to the hard one and sizes the connection total to it,
/// keeping [`RESERVED_FILES`] aside.
fn connections_total() -> usize {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let total = Limits::connections_for_file_limit(files, RESERVED_FILES)
        .min(Limits::default().connections_total);
    tracing::info!(files, connections = total, "file and connection limits");
    total
}

fn serve(rt: &tokio::runtime::Runtime, state: AppState, listen: SocketAddr) -> Result<()> {
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr().context("no local address")?;
        note(format_args!("listening on {addr}"));
        tracing::info!(%addr, data = %state.describe(), "serving");
        daybook_server::serve(listener, state, daybook_server::shutdown_signal())
            .await
            .context("server failed")
    })
}
