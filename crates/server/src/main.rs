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
use daybook_server::{AppState, Config, PgOptions, RateLimit};
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
            eprintln!("daybook-server: error: {e:#}");
            ExitCode::FAILURE
        }
    }
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
    let config = match &cli.command {
        Command::Serve {
            rate,
            burst,
            keep_alive,
            ..
        } => Config {
            rate_limit: RateLimit {
                per_second: *rate,
                burst: *burst,
            },
            keep_alive: Duration::from_secs((*keep_alive).max(1)),
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
            println!("{id}");
        }
        Command::Account {
            command: AccountCommand::List,
        } => {
            for a in rt.block_on(state.accounts())? {
                println!("{}\t{}", a.id, a.name);
            }
        }
        Command::Token {
            command: TokenCommand::Create { account, device },
        } => {
            let t = rt.block_on(state.create_token(account, &device))?;
            eprintln!(
                "device {} ({}) of account {account}",
                t.device_code, t.device_id
            );
            println!("{}", t.token);
        }
        Command::Token {
            command: TokenCommand::Revoke { device },
        } => {
            if !rt.block_on(state.revoke_device(device))? {
                anyhow::bail!("no active device has id {device}");
            }
            eprintln!("revoked device {device}");
        }
        Command::Serve { listen, .. } => serve(&rt, state, listen)?,
    }
    Ok(())
}

fn serve(rt: &tokio::runtime::Runtime, state: AppState, listen: SocketAddr) -> Result<()> {
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr().context("no local address")?;
        eprintln!("listening on {addr}");
        tracing::info!(%addr, data = %state.describe(), "serving");
        daybook_server::serve(listener, state, daybook_server::shutdown_signal())
            .await
            .context("server failed")
    })
}
