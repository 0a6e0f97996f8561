//! `daybook sync`, `attention`, `retry`, `discard`, and the `--server`/`--token`
//! options: the same sync engine as the desktop app, run once from the command line.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use clap::Args;
use daybook_app::Daybook;
use daybook_sync::{Credentials, Engine, Phase, ServerConfig, SyncError, SyncState};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::{Ctx, InputError};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only show what waits and what needs attention; do not contact the server
    #[arg(long)]
    status: bool,
}

#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The command id (from `daybook attention`)
    command_id: uuid::Uuid,
    /// The command to send instead, edited, as JSON (same form as `exec`)
    #[arg(long, value_name = "JSON")]
    edited: Option<String>,
}

/// Remembers the server given (`--server`, `DAYBOOK_SERVER`) in the store and the
/// token (`DAYBOOK_TOKEN`, `--token`) in the device's credentials (the OS keychain, or
/// a file only its owner can read: never the store), so later runs sync too.
pub fn configure(
    db: &Daybook,
    data_dir: &Path,
    server: Option<&str>,
    token: Option<&str>,
) -> anyhow::Result<()> {
    match Credentials::open(data_dir).connect(db, server, token) {
        // The store's own refusals (a demo store) keep their exit code and wording.
        Err(SyncError::App(e)) => Err(e.into()),
        other => Ok(other?),
    }
}

fn config(ctx: &Ctx) -> anyhow::Result<Option<ServerConfig>> {
    Ok(Credentials::open(&ctx.data_dir).server(&ctx.db)?)
}

#[derive(Serialize)]
struct SyncOutcome {
    /// Where the store stands with the server (also the exit code of `daybook sync`).
    state: SyncState,
    online: bool,
    pushed: u64,
    rejected: u64,
    pulled: u64,
    conflicts: u64,
    pending: u64,
    needs_attention: u64,
    error: Option<String>,
}

/// Runs one sync. Errors reaching the server are reported, not fatal: the local
/// commands stay safe in the outbox.
fn run_once(ctx: &mut Ctx, config: &ServerConfig, quiet: bool) -> anyhow::Result<SyncOutcome> {
    let db = std::mem::replace(&mut ctx.db, placeholder()?);
    let shared = Arc::new(Mutex::new(db));
    let result = (|| {
        let (engine, handle) = Engine::new(shared.clone(), config).map_err(config_error)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let bar = if !quiet && std::io::stderr().is_terminal() && !ctx.json {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}") {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut watch = handle.watch();
        let report = runtime.block_on(async {
            let progress = {
                let bar = bar.clone();
                tokio::spawn(async move {
                    while watch.changed().await.is_ok() {
                        if let Some(p) = watch.borrow().progress {
                            bar.set_message(match p.phase {
                                Phase::Push => "pushing",
                                Phase::Pull => "pulling",
                            });
                            bar.set_length(p.total);
                            bar.set_position(p.done);
                        }
                    }
                })
            };
            let r = engine.sync_once().await;
            progress.abort();
            r
        });
        bar.finish_and_clear();
        let counts = shared
            .lock()
            .map_err(|_| anyhow::anyhow!("the store lock is poisoned"))?
            .read()
            .outbox_counts()?;
        Ok::<_, anyhow::Error>(match report {
            Ok(r) => SyncOutcome {
                state: SyncState::Online,
                online: true,
                pushed: r.pushed,
                rejected: r.rejected,
                pulled: r.pulled,
                conflicts: r.conflicts,
                pending: counts.pending,
                needs_attention: counts.needs_attention,
                error: None,
            },
            Err(e @ SyncError::Config(_)) => {
                return Err(InputError::new(e.to_string()).into());
            }
            Err(e) => SyncOutcome {
                state: SyncState::of_error(&e),
                online: !matches!(e, SyncError::Unreachable(_)),
                pushed: 0,
                rejected: 0,
                pulled: 0,
                conflicts: 0,
                pending: counts.pending,
                needs_attention: counts.needs_attention,
                error: Some(e.to_string()),
            },
        })
    })();
    ctx.db = Arc::try_unwrap(shared)
        .map_err(|_| anyhow::anyhow!("the sync engine still holds the store"))?
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the store lock is poisoned"))?;
    result
}

fn config_error(e: SyncError) -> anyhow::Error {
    InputError::new(e.to_string()).into()
}

/// An empty in-memory store to hold `ctx.db`'s place while the engine owns it.
fn placeholder() -> anyhow::Result<Daybook> {
    Ok(Daybook::open_in_memory(daybook_app::OpenOptions::default())?)
}

/// `daybook sync`.
pub fn sync(ctx: &mut Ctx, a: &SyncArgs) -> anyhow::Result<()> {
    if a.status {
        let counts = ctx.db.read().outbox_counts()?;
        let configured = config(ctx)?.map(|c| c.url);
        if ctx.json {
            return ctx.out.json(&serde_json::json!({
                "server": configured,
                "pending": counts.pending,
                "needs_attention": counts.needs_attention,
                "cursor": counts.cursor,
            }));
        }
        ctx.out.line(format!(
            "server: {}",
            configured
                .as_deref()
                .unwrap_or("(none; pass --server URL --token T)")
        ));
        ctx.out.line(format!(
            "{} changes waiting, {} need attention, {} server events applied",
            counts.pending, counts.needs_attention, counts.cursor
        ));
        return Ok(());
    }
    let Some(config) = config(ctx)? else {
        return Err(InputError::new(
            "no server configured: pass --server URL --token TOKEN (once; they are remembered)",
        )
        .into());
    };
    let outcome = run_once(ctx, &config, false)?;
    ctx.exit = Some(outcome.state.exit_code());
    if ctx.json {
        return ctx.out.json(&outcome);
    }
    let error = outcome.error.as_deref().unwrap_or_default();
    let waiting = outcome.pending;
    ctx.out.line(match outcome.state {
        SyncState::Online | SyncState::Syncing | SyncState::LocalOnly => format!(
            "synced with {}: {} pushed ({} refused), {} pulled; {waiting} waiting, {} need \
             attention",
            config.url, outcome.pushed, outcome.rejected, outcome.pulled, outcome.needs_attention
        ),
        SyncState::Offline => format!(
            "offline: the server cannot be reached ({error}); {waiting} changes waiting, kept \
             safely for the next sync"
        ),
        SyncState::Refused => format!(
            "refused by the server: {error}; {waiting} changes waiting, kept safely for the \
             next sync"
        ),
        SyncState::UpdateRequired => format!(
            "update required: {error}; this device keeps working and pushes what the server \
             can take ({waiting} changes waiting)"
        ),
        SyncState::SignedOut => format!(
            "signed out: the server no longer accepts this device ({error}); {waiting} \
             changes waiting, kept for the next sign-in (give a new token with --token)"
        ),
    });
    if outcome.needs_attention > 0 {
        ctx.out
            .line("see `daybook attention` for the changes that need you");
    }
    Ok(())
}

/// After a write: sync if a server is configured; never fails the command that
/// already succeeded locally.
pub fn after_write(ctx: &mut Ctx) -> anyhow::Result<()> {
    let Some(config) = config(ctx)? else {
        return Ok(());
    };
    match run_once(ctx, &config, true) {
        Ok(o) if o.error.is_some() => eprintln!(
            "{}: {} changes waiting ({})",
            match o.state {
                SyncState::Offline => "offline",
                SyncState::SignedOut => "signed out",
                SyncState::UpdateRequired => "update required",
                _ => "refused by the server",
            },
            o.pending,
            o.error.unwrap_or_default()
        ),
        Ok(o) if o.rejected > 0 || o.conflicts > 0 => eprintln!(
            "{} changes need attention: see `daybook attention`",
            o.needs_attention
        ),
        Ok(_) => {}
        Err(e) => eprintln!("sync skipped: {e}"),
    }
    Ok(())
}

/// `daybook attention`: commands refused by the server or no longer applicable.
pub fn attention(ctx: &mut Ctx) -> anyhow::Result<()> {
    let items = ctx.db.read().needs_attention()?;
    if ctx.json {
        return ctx.out.json(&items);
    }
    if items.is_empty() {
        ctx.out.line("nothing needs attention");
        return Ok(());
    }
    for i in &items {
        let why = i
            .error
            .as_ref()
            .map_or_else(String::new, |e| format!(": {}", e.message));
        ctx.out.line(format!(
            "{}  {}  {} on {}{}",
            i.command_id,
            i.status,
            i.command.name(),
            i.stream_id,
            why
        ));
    }
    ctx.out
        .line("retry with `daybook retry ID [--edited JSON]`, or `daybook discard ID`");
    Ok(())
}

/// `daybook retry`.
pub fn retry(ctx: &mut Ctx, a: &RetryArgs) -> anyhow::Result<()> {
    let edited = match &a.edited {
        None => None,
        Some(json) => Some(
            serde_json::from_str::<daybook_domain::Command>(json).map_err(|e| {
                InputError::new(format!("the edited command is not valid JSON: {e}"))
            })?,
        ),
    };
    let outcome = ctx.db.retry(a.command_id, edited)?;
    if ctx.json {
        ctx.out.json(&outcome)?;
    } else {
        ctx.out
            .line(format!("queued again as command {}", outcome.command_id));
    }
    after_write(ctx)
}

/// `daybook discard`.
pub fn discard(ctx: &mut Ctx, command_id: uuid::Uuid) -> anyhow::Result<()> {
    ctx.db.discard(command_id)?;
    if !ctx.json {
        ctx.out.line(format!("discarded {command_id}"));
    }
    after_write(ctx)
}
