//! Push and pull: the server half of sync, on an account's database (blocking code,
//! run on `spawn_blocking` threads by the handlers).
//!
//! **Invariant:** a push is one transaction. Every command's events, its recorded
//! result (`sync_commands`) and the device's last sequence (`sync_devices`) commit
//! together or not at all, so a retry after a lost response finds each command
//! already recorded and gets the same answer (`duplicate: true`) without applying
//! anything twice.

use chrono::Utc;
use daybook_app::{AppError, Identity, Writer};
use daybook_protocol::{
    ErrorBody, ErrorCode, MAX_PUSH_COMMANDS, PullResponse, PushCommand, PushOutcome, PushRequest,
    PushResult, WireEvent,
};
use daybook_store::{RawEvent, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::accounts::AccountDb;
use crate::error::{ApiError, ServerError};
use crate::registry::{Device, MAX_NAME_CHARS};

/// Checks a push before anything is applied: 1..=[`MAX_PUSH_COMMANDS`] commands,
/// a user name on each, device sequences strictly increasing and within SQLite's
/// integer range.
pub fn validate_push(req: &PushRequest) -> Result<(), ApiError> {
    if req.commands.is_empty() {
        return Err(ApiError::invalid(
            "commands",
            "a push needs at least one command",
        ));
    }
    if req.commands.len() > MAX_PUSH_COMMANDS {
        return Err(ApiError::invalid(
            "commands",
            format!(
                "a push holds at most {MAX_PUSH_COMMANDS} commands, not {}",
                req.commands.len()
            ),
        ));
    }
    let mut previous: Option<u64> = None;
    for (i, c) in req.commands.iter().enumerate() {
        let user = c.user.trim();
        if user.is_empty() || user.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::invalid(
                format!("commands[{i}].user"),
                format!("the user must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        if user.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                format!("commands[{i}].user"),
                "the user must not contain control characters",
            ));
        }
        if i64::try_from(c.device_seq).is_err() {
            return Err(ApiError::invalid(
                format!("commands[{i}].device_seq"),
                format!("the device sequence must be at most {}", i64::MAX),
            ));
        }
        if previous.is_some_and(|p| c.device_seq <= p) {
            return Err(ApiError::invalid(
                format!("commands[{i}].device_seq"),
                "device sequences must be strictly increasing within a push",
            ));
        }
        previous = Some(c.device_seq);
    }
    Ok(())
}

/// What a push did, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushCounts {
    /// Newly accepted.
    pub accepted: usize,
    /// Newly rejected by the domain.
    pub rejected: usize,
    /// Already processed before (answered from the record).
    pub duplicates: usize,
    /// Refused for a stale device sequence (not recorded).
    pub stale: usize,
}

/// Where a push looks up and records what it did with each command: the SQLite
/// adapter keeps it in the account's own file (through `conn`, the push's
/// transaction), the PostgreSQL adapter in PostgreSQL (its own transaction).
pub(crate) trait Ledger {
    /// The recorded outcome of a command processed before.
    fn recorded(
        &mut self,
        conn: &Connection,
        command_id: Uuid,
    ) -> Result<Option<PushOutcome>, ServerError>;
    /// The last device sequence recorded for the device.
    fn device_last_seq(
        &mut self,
        conn: &Connection,
        device_id: Uuid,
    ) -> Result<Option<i64>, ServerError>;
    /// Records a command's outcome and moves the device's last sequence.
    fn record(
        &mut self,
        conn: &Connection,
        device_id: Uuid,
        c: &PushCommand,
        outcome: &PushOutcome,
    ) -> Result<(), ServerError>;
}

/// The SQLite adapter's ledger: `sync_commands` and `sync_devices` of the account's
/// file, written in the push's transaction.
pub(crate) struct LocalLedger;

impl Ledger for LocalLedger {
    fn recorded(
        &mut self,
        conn: &Connection,
        command_id: Uuid,
    ) -> Result<Option<PushOutcome>, ServerError> {
        Ok(recorded(conn, command_id)?)
    }

    fn device_last_seq(
        &mut self,
        conn: &Connection,
        device_id: Uuid,
    ) -> Result<Option<i64>, ServerError> {
        Ok(device_last_seq(conn, device_id)?)
    }

    fn record(
        &mut self,
        conn: &Connection,
        device_id: Uuid,
        c: &PushCommand,
        outcome: &PushOutcome,
    ) -> Result<(), ServerError> {
        Ok(record(conn, device_id, c, outcome)?)
    }
}

/// Applies a validated push in one transaction; returns the results in order, the
/// counts and the head after commit.
pub fn push(
    account: &AccountDb,
    device: &Device,
    req: &PushRequest,
) -> Result<(Vec<PushResult>, PushCounts, i64), ServerError> {
    let (results, counts, head) = account.with_writer(|db| {
        db.write(|w| {
            let (results, counts) = apply_push(w, &mut LocalLedger, device, req)?;
            let head = daybook_store::head(w.conn())?;
            Ok::<_, ServerError>((results, counts, head))
        })
    })?;
    account.publish(head);
    Ok((results, counts, head))
}

/// Runs a push's commands in the writer's transaction, each atomic on its own:
/// answers known commands from the ledger, refuses stale device sequences, executes
/// the rest as the device's user and records each outcome.
pub(crate) fn apply_push(
    w: &mut Writer<'_>,
    ledger: &mut impl Ledger,
    device: &Device,
    req: &PushRequest,
) -> Result<(Vec<PushResult>, PushCounts), ServerError> {
    let mut counts = PushCounts::default();
    let mut last = ledger.device_last_seq(w.conn(), device.device_id)?;
    let mut results = Vec::with_capacity(req.commands.len());
    for c in &req.commands {
        let command_id = c.envelope.command_id;
        if let Some(outcome) = ledger.recorded(w.conn(), command_id)? {
            counts.duplicates += 1;
            results.push(PushResult {
                command_id,
                device_seq: c.device_seq,
                duplicate: true,
                outcome,
            });
            continue;
        }
        // Validated to fit.
        let seq = i64::try_from(c.device_seq).unwrap_or(i64::MAX);
        if let Some(l) = last
            && seq <= l
        {
            counts.stale += 1;
            results.push(stale(c, l));
            continue;
        }
        // Recorded as the device gave it (validated not blank), so the canonical
        // events carry the same user as the device's own.
        let identity = Identity {
            user: c.user.clone(),
            device: device.device_name.clone(),
        };
        let outcome = match w.execute(&c.envelope, &identity) {
            Ok(_) => {
                counts.accepted += 1;
                let (first_seq, last_seq) = command_seqs(w.conn(), command_id)?;
                PushOutcome::Accepted {
                    first_seq,
                    last_seq,
                }
            }
            Err(e) if is_rejection(&e) => {
                counts.rejected += 1;
                PushOutcome::Rejected { error: e.body() }
            }
            Err(e) => return Err(e.into()),
        };
        ledger.record(w.conn(), device.device_id, c, &outcome)?;
        last = Some(seq);
        results.push(PushResult {
            command_id,
            device_seq: c.device_seq,
            duplicate: false,
            outcome,
        });
    }
    Ok((results, counts))
}

/// A permanent refusal of one command (the domain said no, or the command names a
/// record that does not exist): recorded, and the push goes on. Anything else is the
/// store failing: the whole push is rolled back.
fn is_rejection(e: &AppError) -> bool {
    match e {
        AppError::Domain(_)
        | AppError::NotFound { .. }
        | AppError::UnknownRecord(_)
        | AppError::InvalidInput { .. } => true,
        // Only some of the command's (derived) event ids are stored already: the same
        // answer on every retry, so it must not wedge the device's queue.
        AppError::Store(StoreError::PartialDuplicate { .. }) => true,
        // Files (backups, exports) are never touched by a push.
        AppError::Store(_) | AppError::BadBackup(_) | AppError::Io { .. } => false,
    }
}

pub(crate) fn stale(c: &PushCommand, last: i64) -> PushResult {
    PushResult {
        command_id: c.envelope.command_id,
        device_seq: c.device_seq,
        duplicate: false,
        outcome: PushOutcome::Rejected {
            error: ErrorBody::new(
                ErrorCode::StaleDeviceSeq,
                format!(
                    "device sequence {} is not after {last}, the last one this server \
                     recorded for the device, and the command is unknown",
                    c.device_seq
                ),
            )
            .with_field("device_seq"),
        },
    }
}

fn device_last_seq(conn: &Connection, device_id: Uuid) -> Result<Option<i64>, AppError> {
    Ok(conn
        .prepare_cached("SELECT last_seq FROM sync_devices WHERE device_id = ?1")?
        .query_row([device_id], |r| r.get(0))
        .optional()?)
}

fn command_seqs(
    conn: &Connection,
    command_id: Uuid,
) -> Result<(Option<i64>, Option<i64>), AppError> {
    Ok(conn
        .prepare_cached("SELECT min(seq), max(seq) FROM events WHERE command_id = ?1")?
        .query_row([command_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// A `sync_commands` row: status, error JSON, first and last sequence.
type RecordedRow = (String, Option<String>, Option<i64>, Option<i64>);

/// The recorded outcome of a command processed before.
fn recorded(conn: &Connection, command_id: Uuid) -> Result<Option<PushOutcome>, AppError> {
    let row: Option<RecordedRow> = conn
        .prepare_cached(
            "SELECT status, error, first_seq, last_seq FROM sync_commands WHERE command_id = ?1",
        )?
        .query_row([command_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((status, error, first_seq, last_seq)) = row else {
        return Ok(None);
    };
    stored_outcome(command_id, &status, error, first_seq, last_seq).map(Some)
}

/// A ledger row's columns (status, error JSON, first and last sequence) as the outcome.
pub(crate) fn stored_outcome(
    command_id: Uuid,
    status: &str,
    error: Option<String>,
    first_seq: Option<i64>,
    last_seq: Option<i64>,
) -> Result<PushOutcome, AppError> {
    match (status, error) {
        ("accepted", _) => Ok(PushOutcome::Accepted {
            first_seq,
            last_seq,
        }),
        ("rejected", Some(json)) => Ok(PushOutcome::Rejected {
            error: serde_json::from_str(&json)?,
        }),
        _ => Err(AppError::Store(StoreError::Corrupt(format!(
            "the ledger row of command {command_id} has status {status}"
        )))),
    }
}

/// An outcome as a ledger row's columns: status, error JSON, first and last sequence.
pub(crate) type OutcomeColumns = (&'static str, Option<String>, Option<i64>, Option<i64>);

/// The columns a ledger row stores for `outcome`.
pub(crate) fn outcome_columns(outcome: &PushOutcome) -> Result<OutcomeColumns, AppError> {
    Ok(match outcome {
        PushOutcome::Accepted {
            first_seq,
            last_seq,
        } => ("accepted", None, *first_seq, *last_seq),
        PushOutcome::Rejected { error } => {
            ("rejected", Some(serde_json::to_string(error)?), None, None)
        }
    })
}

fn record(
    conn: &Connection,
    device_id: Uuid,
    c: &PushCommand,
    outcome: &PushOutcome,
) -> Result<(), AppError> {
    let seq = i64::try_from(c.device_seq).unwrap_or(i64::MAX);
    let (status, error, first, last) = outcome_columns(outcome)?;
    conn.prepare_cached(
        "INSERT INTO sync_commands
            (command_id, device_id, device_seq, status, error, first_seq, last_seq, processed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        c.envelope.command_id,
        device_id,
        seq,
        status,
        error,
        first,
        last,
        Utc::now().timestamp_millis()
    ])?;
    conn.prepare_cached(
        "INSERT INTO sync_devices (device_id, last_seq) VALUES (?1, ?2)
         ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq",
    )?
    .execute(params![device_id, seq])?;
    Ok(())
}

/// Up to `limit` events after `after`, with the head, read in one read transaction
/// (a consistent snapshot: `head >= ` the last event's sequence).
pub fn pull(account: &AccountDb, after: i64, limit: usize) -> Result<PullResponse, ServerError> {
    account.with_reader(|conn| {
        let tx = conn.transaction()?;
        let raw = daybook_store::read_raw(&tx, after, limit)?;
        let head = daybook_store::head(&tx)?;
        drop(tx);
        let events = raw
            .into_iter()
            .map(wire_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PullResponse { events, head })
    })
}

pub(crate) fn wire_event(e: RawEvent) -> Result<WireEvent, ServerError> {
    let payload = RawValue::from_string(e.payload)
        .map_err(|err| ServerError::Corrupt(format!("payload of event #{}: {err}", e.seq)))?;
    Ok(WireEvent {
        seq: e.seq,
        event_id: e.event_id,
        stream_id: e.stream_id,
        stream_type: e.stream_type,
        revision: e.revision,
        event_type: e.event_type,
        schema_version: e.schema_version,
        payload,
        user: e.metadata.user,
        device: e.metadata.device,
        command_id: e.metadata.command_id,
        causation_id: e.metadata.causation_id,
        correlation_id: e.metadata.correlation_id,
        issued_at: e.metadata.issued_at,
        committed_at: e.committed_at,
    })
}
