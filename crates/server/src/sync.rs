//! The server half of sync that both adapters share: checking a push
//! ([`validate_push`]) and deciding it ([`apply_push`]: the domain runs on a
//! `daybook_app` writer, the SQLite adapter's account database or the PostgreSQL
//! adapter's cache of it) against a [`Ledger`], the adapter's record of what it did
//! with each command. Blocking code, run on `spawn_blocking` threads by the adapters.
//!
//! **Invariant:** a push is one transaction. Every command's events, its recorded
//! result and the device's last sequence commit together or not at all, so a retry
//! after a lost response finds each command already recorded and gets the same answer
//! (`duplicate: true`) without applying anything twice.

use daybook_app::{AppError, Identity, Writer};
use daybook_protocol::{
    ErrorBody, ErrorCode, MAX_PUSH_COMMANDS, MAX_USER_CHARS, PushCommand, PushOutcome, PushRequest,
    PushResult, WireEvent,
};
use daybook_store::{RawEvent, StoreError};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::{ApiError, ServerError};
use crate::store::Device;

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
        // The user is recorded as given, so the rules hold for it whole, not trimmed
        // (the document's `USER_PATTERN` and `maxLength` say the same).
        let user = c.user.as_str();
        if user.trim().is_empty() || user.chars().count() > MAX_USER_CHARS {
            return Err(ApiError::invalid(
                format!("commands[{i}].user"),
                format!("the user must be 1 to {MAX_USER_CHARS} characters, not all blank"),
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
/// adapter keeps it in the account's own file (in the writer's transaction), the
/// PostgreSQL adapter in PostgreSQL (its own transaction, committed first).
pub(crate) trait Ledger {
    /// The recorded outcome of a command processed before.
    fn recorded(
        &mut self,
        w: &Writer<'_>,
        command_id: Uuid,
    ) -> Result<Option<PushOutcome>, ServerError>;
    /// The last device sequence recorded for the device.
    fn device_last_seq(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
    ) -> Result<Option<i64>, ServerError>;
    /// Records a command's outcome and moves the device's last sequence.
    fn record(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
        c: &PushCommand,
        outcome: &PushOutcome,
    ) -> Result<(), ServerError>;
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
    let mut last = ledger.device_last_seq(w, device.device_id)?;
    let mut results = Vec::with_capacity(req.commands.len());
    for c in &req.commands {
        let command_id = c.envelope.command_id;
        if let Some(outcome) = ledger.recorded(w, command_id)? {
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
                let (first_seq, last_seq) = crate::sqlite::command_seqs(w, command_id)?;
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
        ledger.record(w, device.device_id, c, &outcome)?;
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
        AppError::Store(_) | AppError::BadBackup(_) | AppError::Io { .. } | AppError::DemoData => {
            false
        }
    }
}

/// The answer to an unknown command whose device sequence is not after the last one
/// recorded for its device (not recorded itself, so a fixed retry can still apply).
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

/// A stored event as it travels: the payload text is passed on as is (clients and
/// replicas compare payload bytes), so it is only checked to be JSON.
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
