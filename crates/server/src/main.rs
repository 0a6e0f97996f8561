//! `daybook-server`: admin subcommands (accounts, service tokens, people, devices)
//! and `serve`.
//! Outputs meant for scripts (an account id, a token) are alone on stdout; everything
//! else (logs, hints) goes to stderr.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use daybook_domain::Role;
use daybook_server::{AppState, Config, Limits, PgOptions, RateLimit, UserChange};
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
    /// Manage service device tokens (imports, integrations: no person signs in).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the people of an account: they sign in on devices with a password.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// See and revoke an account's devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
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
        /// What the device may do: clerk, manager or admin.
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
    },
    /// Revoke a device's token.
    Revoke {
        /// The device id.
        #[arg(long)]
        device: Uuid,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a person; the password is read from standard input (one line).
    Add {
        /// The account they belong to.
        #[arg(long)]
        account: Uuid,
        /// What they sign in with, unique on the server (an e-mail address works well).
        #[arg(long)]
        login: String,
        /// Their name as people read it.
        #[arg(long)]
        name: String,
        /// What they may do: clerk, manager or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List an account's people (login, name, role, enabled), tab-separated.
    List {
        /// The account.
        #[arg(long)]
        account: Uuid,
    },
    /// Stop a person signing in; their sessions end at once.
    Disable {
        /// Their login.
        login: String,
    },
    /// Let a disabled person sign in again.
    Enable {
        /// Their login.
        login: String,
    },
    /// Change a person's role; it holds from their next request.
    SetRole {
        /// Their login.
        login: String,
        /// clerk, manager or admin.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Give a person a new password (from standard input); their sessions end.
    ResetPassword {
        /// Their login.
        login: String,
        /// Read the password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// List an account's devices: code, name, who is signed in (or the service role),
    /// app version, last seen, whether it is revoked, and the work waiting on it per
    /// person (as it last reported; "(not signed in)" marks stranded work);
    /// tab-separated.
    List {
        /// The account.
        #[arg(long)]
        account: Uuid,
    },
    /// Revoke a device: its token and sessions stop working at once.
    Revoke {
        /// The device id.
        id: Uuid,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(&text.trim().to_lowercase())
        .ok_or_else(|| format!("{text:?} is not a role; give clerk, manager or admin"))
}

/// One line of standard input, without its line ending: a password.
fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        anyhow::bail!("no password on standard input");
    }
    Ok(password)
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
            command:
                TokenCommand::Create {
                    account,
                    device,
                    role,
                },
        } => {
            let t = rt.block_on(state.create_service_token(account, &device, role))?;
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
        Command::User { command } => people(&rt, &state, command)?,
        Command::Device {
            command: DeviceCommand::List { account },
        } => {
            let names: std::collections::HashMap<String, String> = rt
                .block_on(state.users(account))?
                .into_iter()
                .map(|u| (u.login, u.name))
                .collect();
            for d in rt.block_on(state.devices(account))? {
                // Work of anyone but the person signed in is stranded until they sign
                // in there again.
                let waiting = d
                    .waiting
                    .iter()
                    .map(|w| {
                        let name = names.get(&w.user).unwrap_or(&w.user);
                        let stranded = d.person.as_ref() != Some(name);
                        format!(
                            "{name}: {} waiting{}",
                            w.commands,
                            if stranded { " (not signed in)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let who = match (&d.person, d.service_role) {
                    (Some(name), _) => name.clone(),
                    (None, Some(role)) => format!("service ({role})"),
                    (None, None) => "nobody signed in".to_string(),
                };
                say(format_args!(
                    "{}\t{}\t{}\t{who}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.code,
                    d.name,
                    d.app_version.as_deref().unwrap_or("-"),
                    d.last_seen.map_or_else(
                        || "never".to_string(),
                        |t| t.format("%Y-%m-%d %H:%M").to_string()
                    ),
                    if d.revoked { "revoked" } else { "active" },
                    if waiting.is_empty() { "-" } else { &waiting }
                ))?;
            }
        }
        Command::Device {
            command: DeviceCommand::Revoke { id },
        } => {
            if !rt.block_on(state.revoke_device(id))? {
                anyhow::bail!("no active device has id {id}");
            }
            note(format_args!("revoked device {id}"));
        }
        Command::Serve { listen, .. } => serve(&rt, state, listen)?,
        Command::Backup { .. } | Command::Restore { .. } => {}
    }
    Ok(())
}

/// `user ...`: the admin's commands on people.
fn people(rt: &tokio::runtime::Runtime, state: &AppState, command: UserCommand) -> Result<()> {
    let missing = |login: &str| anyhow::anyhow!("no user has the login {login}");
    match command {
        UserCommand::Add {
            account,
            login,
            name,
            role,
            password_stdin: _,
        } => {
            let password = read_password()?;
            let id = rt.block_on(state.create_user(account, &login, &name, role, &password))?;
            note(format_args!("added {name} ({role}) to account {account}"));
            say(id)?;
        }
        UserCommand::List { account } => {
            for u in rt.block_on(state.users(account))? {
                say(format_args!(
                    "{}\t{}\t{}\t{}",
                    u.login,
                    u.name,
                    u.role,
                    if u.enabled { "enabled" } else { "disabled" }
                ))?;
            }
        }
        UserCommand::Disable { login } => {
            if !rt.block_on(state.change_user(&login, UserChange::Disable))? {
                return Err(missing(&login));
            }
            note(format_args!(
                "{login} is disabled; their sessions have ended"
            ));
        }
        UserCommand::Enable { login } => {
            if !rt.block_on(state.change_user(&login, UserChange::Enable))? {
                return Err(missing(&login));
            }
            note(format_args!("{login} may sign in again"));
        }
        UserCommand::SetRole { login, role } => {
            if !rt.block_on(state.change_user(&login, UserChange::Role(role)))? {
                return Err(missing(&login));
            }
            note(format_args!("{login} is now a {role}"));
        }
        UserCommand::ResetPassword {
            login,
            password_stdin: _,
        } => {
            let password = read_password()?;
            if !rt.block_on(state.reset_password(&login, &password))? {
                return Err(missing(&login));
            }
            note(format_args!(
                "{login} has a new password; their sessions have ended"
            ));
        }
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
