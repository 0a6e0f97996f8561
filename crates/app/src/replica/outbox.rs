//! The outbox side of sync: which commands go to the server and with which device
//! sequence, what it answered, and what the user does about a refusal (retry, edited
//! or not, or discard).

use std::collections::BTreeSet;

use daybook_domain::{Command, CommandEnvelope};
use daybook_protocol::ErrorBody;
use daybook_store::{StoreTx, settings};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::pull::{rebase, retire_settled, settled_but_speculative};
use super::{ApplyReport, OutgoingCommand, PushAnswer, envelope_of};
use crate::error::AppError;
use crate::handle::{CommandOutcome, Handle, handle};
use crate::service::Daybook;

impl Daybook {
    /// The next `limit` pending commands in order, each with its device sequence
    /// (assigned now if it has none, and kept: a retry resends the same number).
    /// With a person signed in, only their commands: another person's wait for that
    /// person's own session (their sequence numbers are given when they go).
    /// A store holding demo data pushes nothing: [`AppError::DemoData`].
    pub fn outgoing(&mut self, limit: usize) -> Result<Vec<OutgoingCommand>, AppError> {
        if self.read().holds_demo()? {
            return Err(AppError::DemoData);
        }
        let person = crate::settings::signed_in(self.conn())?.map(|p| p.login);
        self.write(|w| {
            let conn = w.conn();
            let rows: Vec<(Uuid, String, String, Option<i64>)> = conn
                .prepare_cached(
                    "SELECT command_id, envelope, user_id, device_seq FROM outbox
                     WHERE status = 'pending' AND (?2 IS NULL OR user_id = ?2)
                     ORDER BY position LIMIT ?1",
                )?
                .query_map(params![limit as i64, person], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut next = settings::DEVICE_SEQ.get(conn)?.unwrap_or(0);
            let mut out = Vec::with_capacity(rows.len());
            for (command_id, envelope, user, seq) in rows {
                let device_seq = match seq {
                    Some(s) => s,
                    None => {
                        next += 1;
                        conn.prepare_cached(
                            "UPDATE outbox SET device_seq = ?2 WHERE command_id = ?1",
                        )?
                        .execute(params![command_id, next])?;
                        next
                    }
                };
                out.push(OutgoingCommand {
                    device_seq: device_seq as u64,
                    user,
                    envelope: envelope_of(&envelope)?,
                });
            }
            settings::DEVICE_SEQ.set(conn, &next)?;
            conn.prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1 WHERE status = 'pending'
                 AND device_seq IS NOT NULL AND device_seq <= ?1",
            )?
            .execute([next])?;
            Ok(out)
        })
    }

    /// Records the server's answers. A rejected command's local effects are undone
    /// (its stream is rebased without it); commands behind it go on.
    pub fn record_push(&mut self, answers: &[(Uuid, PushAnswer)]) -> Result<ApplyReport, AppError> {
        let identity = self.identity().clone();
        let mut report = ApplyReport::default();
        self.with_tx(|tx| {
            let mut diverged = BTreeSet::new();
            for (command_id, answer) in answers {
                match answer {
                    PushAnswer::Accepted { last_seq } => {
                        tx.conn()
                            .prepare_cached(
                                "UPDATE outbox SET status = 'acknowledged', error = NULL,
                                    server_last_seq = ?2
                                 WHERE command_id = ?1 AND status = 'pending'",
                            )?
                            .execute(params![command_id, last_seq.unwrap_or(0)])?;
                    }
                    PushAnswer::Rejected(error) => {
                        set_status(tx.conn(), *command_id, "rejected", Some(error))?;
                        let stream: Option<Uuid> = tx
                            .conn()
                            .query_row(
                                "SELECT stream_id FROM outbox WHERE command_id = ?1",
                                [command_id],
                                |r| r.get(0),
                            )
                            .optional()?;
                        diverged.extend(stream);
                    }
                }
            }
            let cursor = settings::SYNC_CURSOR.get(tx.conn())?.unwrap_or(0);
            diverged.extend(settled_but_speculative(tx.conn(), cursor)?);
            rebase(tx, &diverged, &[], &identity, &mut report)?;
            retire_settled(tx.conn(), cursor)?;
            Ok(())
        })?;
        Ok(report)
    }

    /// Tries a command that needs attention again, as given or edited, as a new
    /// command (the server remembers the old id's refusal). Commands on the same record
    /// that were set aside behind it are re-run after it. If the (edited) command is
    /// refused here, nothing changes and the error says why.
    pub fn retry(
        &mut self,
        command_id: Uuid,
        edited: Option<Command>,
    ) -> Result<CommandOutcome, AppError> {
        let identity = self.identity().clone();
        let mut outcome = None;
        self.with_tx(|tx| {
            let (envelope, stream_id, position) = attention_row(tx.conn(), command_id)?;
            set_status(tx.conn(), command_id, "discarded", None)?;
            let env = CommandEnvelope::new(edited.unwrap_or(envelope.command));
            outcome = Some(handle(tx, &env, &local(&identity))?);
            requeue_behind(tx, stream_id, position, &identity)?;
            Ok(())
        })?;
        outcome.ok_or_else(|| AppError::invalid(None, "retry produced no outcome"))
    }

    /// Gives up on a command that needs attention. Commands on the same record that
    /// were set aside behind it are tried again.
    pub fn discard(&mut self, command_id: Uuid) -> Result<(), AppError> {
        let identity = self.identity().clone();
        self.with_tx(|tx| {
            let (_, stream_id, position) = attention_row(tx.conn(), command_id)?;
            set_status(tx.conn(), command_id, "discarded", None)?;
            requeue_behind(tx, stream_id, position, &identity)
        })
    }
}

pub(super) fn set_status(
    conn: &Connection,
    command_id: Uuid,
    status: &str,
    error: Option<&ErrorBody>,
) -> Result<(), AppError> {
    let error = error.map(serde_json::to_string).transpose()?;
    conn.prepare_cached("UPDATE outbox SET status = ?2, error = ?3 WHERE command_id = ?1")?
        .execute(params![command_id, status, error])?;
    Ok(())
}

fn local(identity: &crate::service::Identity) -> Handle<'_> {
    Handle {
        identity,
        authority: false,
        record_outbox: true,
        check_duplicate: true,
    }
}

fn attention_row(
    conn: &Connection,
    command_id: Uuid,
) -> Result<(CommandEnvelope, Uuid, i64), AppError> {
    let row: Option<(String, Uuid, i64)> = conn
        .query_row(
            "SELECT envelope, stream_id, position FROM outbox
             WHERE command_id = ?1 AND status IN ('rejected', 'conflict')",
            [command_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (envelope, stream_id, position) = row.ok_or_else(|| {
        AppError::invalid(
            Some("command_id"),
            format!("command {command_id} does not need attention"),
        )
    })?;
    Ok((envelope_of(&envelope)?, stream_id, position))
}

/// Moves the commands set aside on `stream_id` behind `position` to the end of the
/// outbox (they must follow the retried command) and re-runs them.
fn requeue_behind(
    tx: &StoreTx<'_>,
    stream_id: Uuid,
    position: i64,
    identity: &crate::service::Identity,
) -> Result<(), AppError> {
    let conn = tx.conn();
    let held: Vec<(Uuid, String, String)> = conn
        .prepare(
            "SELECT command_id, envelope, user_id FROM outbox
             WHERE stream_id = ?1 AND position > ?2 AND status = 'conflict' ORDER BY position",
        )?
        .query_map(params![stream_id, position], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    for (command_id, envelope, user) in held {
        conn.execute("DELETE FROM outbox WHERE command_id = ?1", [command_id])?;
        let env = envelope_of(&envelope)?;
        tx.record_outbox(command_id, stream_id, &envelope, &user, env.issued_at)?;
        rerun(tx, &env, identity)?;
    }
    Ok(())
}

/// Re-runs a queued command on the current state, without queueing it again. On a
/// domain refusal the command is set aside as a conflict.
pub(super) fn rerun(
    tx: &StoreTx<'_>,
    env: &CommandEnvelope,
    identity: &crate::service::Identity,
) -> Result<bool, AppError> {
    let h = Handle {
        identity,
        authority: false,
        record_outbox: false,
        check_duplicate: false,
    };
    match savepoint(tx.conn(), || handle(tx, env, &h)) {
        Ok(_) => {
            set_status(tx.conn(), env.command_id, "pending", None)?;
            Ok(true)
        }
        Err(AppError::Domain(e)) => {
            set_status(
                tx.conn(),
                env.command_id,
                "conflict",
                Some(&ErrorBody::from(&e)),
            )?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Runs `f` so that a failure undoes only its own writes.
pub(super) fn savepoint<T>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, AppError>,
) -> Result<T, AppError> {
    conn.execute_batch("SAVEPOINT rerun")?;
    match f() {
        Ok(v) => {
            conn.execute_batch("RELEASE rerun")?;
            Ok(v)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO rerun; RELEASE rerun")?;
            Err(e)
        }
    }
}
