//! The subcommands that change things: one domain command each (friendly flags in,
//! the command's JSON for `exec`), plus the `list`/`show` of each record kind.
//! Updates take only the flags given and fill the rest from the current record, since
//! the domain's update commands carry full new values.

mod company;
mod customer;
mod order;
mod product;

use crate::{Ctx, InputError};
use daybook_app::CommandOutcome;
use daybook_domain::{Command, CommandEnvelope};
use serde::Serialize;
use uuid::Uuid;

pub use company::{CompanyCmd, company};
pub use customer::{CustomerCmd, customer};
pub use order::{OrderCmd, order};
pub use product::{ProductCmd, product};

/// What a write printed with `--json`.
#[derive(Debug, Serialize)]
pub(crate) struct Written {
    /// The record.
    id: Uuid,
    /// Its number or code, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    /// The address or line the command created.
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Uuid>,
    /// What the store did.
    outcome: CommandOutcome,
}

/// Runs one command and reports it: `text` for people, [`Written`] for `--json`.
pub(crate) fn run(
    ctx: &mut Ctx,
    command: Command,
    number: Option<String>,
    created: Option<Uuid>,
    text: impl FnOnce(&CommandOutcome) -> String,
) -> anyhow::Result<()> {
    let id = command.target().1;
    let outcome = ctx.db.execute(command)?;
    report(ctx, id, number, created, outcome, text)
}

/// Reports what a command (or commands on one record, their outcomes joined) did.
pub(crate) fn report(
    ctx: &mut Ctx,
    id: Uuid,
    number: Option<String>,
    created: Option<Uuid>,
    outcome: CommandOutcome,
    text: impl FnOnce(&CommandOutcome) -> String,
) -> anyhow::Result<()> {
    if ctx.json {
        ctx.out.json(&Written {
            id,
            number,
            created,
            outcome,
        })?;
    } else {
        let mut line = text(&outcome);
        if outcome.events.is_empty() && !outcome.duplicate {
            line.push_str(" (nothing changed)");
        }
        ctx.out.line(line);
    }
    Ok(())
}

pub(crate) fn blank_is_none(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// `exec JSON`: a command or a full envelope, in the domain's serde form.
pub fn exec(ctx: &mut Ctx, text: &str) -> anyhow::Result<()> {
    let text = if text.trim() == "-" {
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf)
            .map_err(|e| InputError::new(format!("cannot read the command from stdin: {e}")))?;
        buf
    } else {
        text.to_string()
    };
    let env = parse_envelope(&text)?;
    let name = env.command.name();
    let outcome = ctx.db.execute_envelope(env)?;
    if ctx.json {
        return ctx.out.json(&outcome);
    }
    let what = if outcome.duplicate {
        "already applied; nothing written again".to_string()
    } else if outcome.events.is_empty() {
        "nothing changed".to_string()
    } else {
        outcome.events.join(", ")
    };
    ctx.out.line(format!(
        "{name}: {what} (record {} at revision {})",
        outcome.stream_id, outcome.revision
    ));
    Ok(())
}

/// A command, or a full envelope (`{"command_id", "issued_at", "command"}`), from JSON.
fn parse_envelope(text: &str) -> Result<CommandEnvelope, InputError> {
    daybook_domain::parse_command_json(text).map_err(|e| InputError::new(e.to_string()))
}

/// `daybook exec --stream`: one command or envelope per line of stdin, each run in its
/// own durable transaction. One JSON line per input line is printed and flushed only
/// after the command committed (`"ok": true`) or was refused with nothing written
/// (`"ok": false` with the error body); blank lines are skipped. A failing store
/// stops the stream (exit code 3): what was acknowledged before is committed.
pub fn exec_stream(ctx: &mut Ctx) -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for (i, line) in stdin.lines().enumerate() {
        let line =
            line.map_err(|e| InputError::new(format!("cannot read the commands from stdin: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let ack = match parse_envelope(&line) {
            Err(e) => serde_json::json!({
                "line": i + 1,
                "ok": false,
                "error": {"code": "invalid_input", "message": e.to_string(), "field": null},
            }),
            Ok(env) => {
                let command_id = env.command_id;
                match ctx.db.execute_envelope(env) {
                    Ok(outcome) => serde_json::json!({
                        "line": i + 1,
                        "ok": true,
                        "command_id": command_id,
                        "stream_id": outcome.stream_id,
                        "revision": outcome.revision,
                        "events": outcome.events,
                        "duplicate": outcome.duplicate,
                    }),
                    Err(e) if is_refusal(&e) => serde_json::json!({
                        "line": i + 1,
                        "ok": false,
                        "command_id": command_id,
                        "error": e.body(),
                    }),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        writeln!(stdout, "{ack}")?;
        stdout.flush()?;
    }
    Ok(())
}

/// A command refused with nothing written (the stream goes on), as opposed to the
/// store failing (the stream stops).
fn is_refusal(e: &daybook_app::AppError) -> bool {
    use daybook_app::AppError;
    match e {
        AppError::Store(_) => e.body().code == "conflict",
        AppError::Domain(_)
        | AppError::NotFound { .. }
        | AppError::UnknownRecord(_)
        | AppError::InvalidInput { .. } => true,
        // Commands never touch backup or export files; a demo store's refusal to sync
        // stops the stream (nothing of it may reach a server).
        // Nor does a signed-out store take any command of the stream.
        AppError::BadBackup(_)
        | AppError::Io { .. }
        | AppError::DemoData
        | AppError::SignInRequired => false,
    }
}
