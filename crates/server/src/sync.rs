//! The server half of sync that both adapters share: checking a push
//! ([`validate_push`]) and deciding it ([`apply_push`]: the domain runs on a
//! `daybook_app` writer, the SQLite adapter's account database or the PostgreSQL
//! adapter's cache of it) against a [`Ledger`], the adapter's record of what it did
//! with each command. Blocking code, run on `spawn_blocking` threads by the adapters.
//!
//! **Invariant (the push transaction):** a push runs in one or more transactions in
//! order, each of whole commands (a new one after [`PUSH_SLICE`], so one push never
//! holds the account's writer for long); within one, each command is a savepoint.
//! A command's events, its recorded result (with its envelope's hash) and the device's
//! last sequence commit together or not at all, so a retry after a lost response or a
//! crash between transactions finds each committed command recorded and gets the same
//! answer (`duplicate: true`) without applying anything twice. One command failing in
//! the store is refused alone (`internal`); only a failure of the push's own
//! bookkeeping (the ledger, the transaction) rolls back the transaction it is in.

use std::time::{Duration, Instant};

use chrono::Utc;
use daybook_app::{AppError, Identity, Writer};
use daybook_domain::CommandEnvelope;
use daybook_protocol::{
    ErrorBody, ErrorCode, ErrorParams, MAX_PUSH_COMMANDS, PushCommand, PushOutcome, PushRequest,
    PushResult, WireEvent, claims,
};
use daybook_store::{RawEvent, StoreError};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
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
        // The user is recorded as given, so the rules hold for it whole, not trimmed:
        // the protocol's rule, the one clients check before they queue a command.
        if let Err(problem) = daybook_protocol::check_user(&c.user) {
            return Err(ApiError::invalid(
                format!("commands[{i}].user"),
                problem.to_string(),
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

/// Reads a push body (whole numbers already normalised): the commands this build
/// knows, as a request, and the answers to those it does not (a type it does not
/// know, or a newer schema version of one it knows: `unknown_command`, not recorded,
/// so the same command goes through once the server is updated), each with its index
/// in the body. Anything else the server cannot read refuses the push whole, as
/// before (a malformed command is the client's fault, not a version's).
pub fn read_push(text: &str) -> Result<(PushRequest, Vec<(usize, PushResult)>), ApiError> {
    let strict = axum::Json::<PushRequest>::from_bytes(text.as_bytes());
    let raw: Vec<Box<RawValue>> = match &strict {
        Ok(_) => Vec::new(),
        Err(_) => match serde_json::from_str::<LenientPush>(text) {
            Ok(l) => l.commands,
            Err(_) => Vec::new(),
        },
    };
    let mut unknown = Vec::new();
    let req = match strict {
        Ok(axum::Json(req)) => {
            let mut commands = Vec::with_capacity(req.commands.len());
            for (i, c) in req.commands.into_iter().enumerate() {
                match newer_than_known(c.envelope.command.name(), c.schema_version) {
                    Some(e) => {
                        unknown.push((i, unknown_result(c.envelope.command_id, c.device_seq, e)));
                    }
                    None => commands.push(c),
                }
            }
            PushRequest { commands }
        }
        Err(rejection) => {
            let mut known = Vec::new();
            for (i, r) in raw.iter().enumerate() {
                match serde_json::from_str::<Header>(r.get()) {
                    Ok(h) => match newer_than_known(&h.envelope.command.kind, h.schema_version) {
                        Some(e) => unknown
                            .push((i, unknown_result(h.envelope.command_id, h.device_seq, e))),
                        None => known.push(r.get()),
                    },
                    Err(_) => known.push(r.get()),
                }
            }
            if unknown.is_empty() {
                return Err(ApiError::from_json_rejection(&rejection));
            }
            // What is left must read as it did before, or the push is refused whole.
            let rest = format!("{{\"commands\":[{}]}}", known.join(","));
            match axum::Json::<PushRequest>::from_bytes(rest.as_bytes()) {
                Ok(axum::Json(req)) => req,
                Err(r) => return Err(ApiError::from_json_rejection(&r)),
            }
        }
    };
    Ok((req, unknown))
}

/// The results of the commands the store applied, with the answers to those it did
/// not know put back at their places.
pub fn merge_results(
    applied: Vec<PushResult>,
    unknown: Vec<(usize, PushResult)>,
) -> Vec<PushResult> {
    let mut out = Vec::with_capacity(applied.len() + unknown.len());
    let mut applied = applied.into_iter();
    let mut unknown = unknown.into_iter().peekable();
    loop {
        if let Some((_, r)) = unknown.next_if(|(i, _)| *i == out.len()) {
            out.push(r);
        } else if let Some(r) = applied.next() {
            out.push(r);
        } else if let Some((_, r)) = unknown.next() {
            out.push(r);
        } else {
            return out;
        }
    }
}

/// A push with its commands unread.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LenientPush {
    commands: Vec<Box<RawValue>>,
}

/// What the server needs of a command it cannot read to refuse it alone.
#[derive(serde::Deserialize)]
struct Header {
    device_seq: u64,
    envelope: HeaderEnvelope,
    #[serde(default = "one")]
    schema_version: u32,
}

#[derive(serde::Deserialize)]
struct HeaderEnvelope {
    command_id: Uuid,
    command: HeaderCommand,
}

#[derive(serde::Deserialize)]
struct HeaderCommand {
    #[serde(rename = "type")]
    kind: String,
}

fn one() -> u32 {
    1
}

/// The refusal of a command of type `kind` at `version`, if this build does not know
/// them.
fn newer_than_known(kind: &str, version: u32) -> Option<ErrorBody> {
    let known = daybook_domain::schema::command_version(kind);
    if known.is_some_and(|k| version <= k) {
        return None;
    }
    let message = match known {
        Some(k) => format!(
            "this server knows {kind} up to version {k}, not version {version}: the server is \
             older than this app; the change waits until the server is updated"
        ),
        None => format!(
            "this server does not know the change {kind}: the server is older than this app; \
             the change waits until the server is updated"
        ),
    };
    Some(
        ErrorBody::new(ErrorCode::UnknownCommand, message).with_params(
            daybook_protocol::ErrorParams {
                value: Some(kind.to_string()),
                max: known.map(i64::from),
                ..daybook_protocol::ErrorParams::default()
            },
        ),
    )
}

fn unknown_result(command_id: Uuid, device_seq: u64, error: ErrorBody) -> PushResult {
    PushResult {
        command_id,
        device_seq,
        duplicate: false,
        outcome: PushOutcome::Rejected { error },
    }
}

/// What a push did, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushCounts {
    /// Newly accepted.
    pub accepted: usize,
    /// Newly rejected (by the domain, the claims rules or a store failure of that
    /// command alone); recorded.
    pub rejected: usize,
    /// Already processed before (answered from the record).
    pub duplicates: usize,
    /// Refused for a device sequence out of step, or a command id recorded with other
    /// content (not recorded).
    pub stale: usize,
}

impl PushCounts {
    /// Adds another chunk's counts.
    pub(crate) fn add(&mut self, other: PushCounts) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
        self.stale += other.stale;
    }
}

/// A command the ledger knows: its outcome, the device that pushed it and the hash of
/// its envelope (none on rows recorded before hashes were).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub(crate) outcome: PushOutcome,
    pub(crate) device_id: Uuid,
    pub(crate) hash: Option<Vec<u8>>,
}

/// SHA-256 of the envelope as the server reads it (serialised from the parsed value,
/// so spacing and key order do not matter): what makes a retry "the same command".
///
/// **Invariant:** a command struct's serialised form only grows by fields skipped
/// when absent, so a hash recorded by an older build still matches a retry.
pub(crate) fn envelope_hash(env: &CommandEnvelope) -> Result<Vec<u8>, ServerError> {
    let bytes = serde_json::to_vec(env).map_err(AppError::from)?;
    Ok(Sha256::digest(&bytes).to_vec())
}

/// Where a push looks up and records what it did with each command: the SQLite
/// adapter keeps it in the account's own file (in the writer's transaction), the
/// PostgreSQL adapter in PostgreSQL (its own transaction, committed first).
pub(crate) trait Ledger {
    /// The record of a command processed before.
    fn recorded(
        &mut self,
        w: &Writer<'_>,
        command_id: Uuid,
    ) -> Result<Option<Recorded>, ServerError>;
    /// The last device sequence recorded for the device.
    fn device_last_seq(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
    ) -> Result<Option<i64>, ServerError>;
    /// Records a command's outcome with its envelope's hash and moves the device's
    /// last sequence.
    fn record(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
        c: &PushCommand,
        hash: &[u8],
        outcome: &PushOutcome,
    ) -> Result<(), ServerError>;
}

/// How long one transaction of a push may run before the rest of the push goes to
/// the next one (the account's writer is released in between, so a colleague's small
/// push waits at most about this long).
pub const PUSH_SLICE: Duration = Duration::from_millis(200);

/// Runs commands of a push in the writer's transaction, each atomic on its own (a
/// savepoint): answers known commands from the ledger, refuses commands whose claims
/// (device sequence, time) the server does not take, executes the rest as the
/// device's user and records each outcome. Stops after the first command that ends
/// at or after `until`, so the caller can commit and release the writer; returns the
/// results of the commands it processed, a prefix of `commands` (never empty unless
/// `commands` is).
///
/// A command whose execution fails in the store is refused alone (`internal`,
/// recorded) while the transaction stands; only when the store failure ended the
/// transaction itself, or the ledger cannot be written, does the push fail whole.
pub(crate) fn apply_push(
    w: &mut Writer<'_>,
    ledger: &mut impl Ledger,
    device: &Device,
    commands: &[PushCommand],
    until: Instant,
) -> Result<(Vec<PushResult>, PushCounts), ServerError> {
    let mut counts = PushCounts::default();
    let mut last = ledger.device_last_seq(w, device.device_id)?;
    let mut results = Vec::with_capacity(commands.len());
    let now = Utc::now();
    for c in commands {
        if !results.is_empty() && Instant::now() >= until {
            break;
        }
        let command_id = c.envelope.command_id;
        let hash = envelope_hash(&c.envelope)?;
        let answer = |outcome, duplicate| PushResult {
            command_id,
            device_seq: c.device_seq,
            duplicate,
            outcome,
        };
        if let Some(known) = ledger.recorded(w, command_id)? {
            if known.device_id == device.device_id && known.hash.as_ref().is_none_or(|h| *h == hash)
            {
                counts.duplicates += 1;
                results.push(answer(known.outcome, true));
            } else {
                counts.stale += 1;
                results.push(answer(rejected(reused(command_id)), false));
            }
            continue;
        }
        if let Err(error) = claims::check_device_seq(c.device_seq, last) {
            counts.stale += 1;
            results.push(answer(rejected(error), false));
            continue;
        }
        let outcome = match claims::check_issued_at(c.envelope.issued_at, now) {
            Err(error) => rejected(error),
            Ok(()) => execute(w, device, c)?,
        };
        match outcome {
            PushOutcome::Accepted { .. } => counts.accepted += 1,
            PushOutcome::Rejected { .. } => counts.rejected += 1,
        }
        ledger.record(w, device.device_id, c, &hash, &outcome)?;
        // Checked in step by `check_device_seq`.
        last = Some(i64::try_from(c.device_seq).unwrap_or(i64::MAX));
        results.push(answer(outcome, false));
    }
    Ok((results, counts))
}

/// Executes one command, in a savepoint, as the person whose session pushed it (a
/// command naming anyone else is refused) or, for a service device's token, as the
/// user the device names; with the token's role, read when the token was presented.
/// Returns its outcome to record.
fn execute(
    w: &mut Writer<'_>,
    device: &Device,
    c: &PushCommand,
) -> Result<PushOutcome, ServerError> {
    if let Some(person) = &device.person
        && c.user != person.login
    {
        return Ok(rejected(
            ErrorBody::new(
                ErrorCode::UserMismatch,
                format!(
                    "this command names the user {}, but {} is signed in on this device; \
                     it can only be sent under its own person's session",
                    c.user, person.login
                ),
            )
            .with_params(ErrorParams {
                value: Some(c.user.clone()),
                ..ErrorParams::default()
            }),
        ));
    }
    // Recorded as given (validated not blank; for a session, the person's login), so
    // the canonical events carry the same user as the device's own.
    let identity = Identity {
        user: c.user.clone(),
        device: device.device_name.clone(),
        role: device.role,
    };
    let command_id = c.envelope.command_id;
    match w.execute(&c.envelope, &identity) {
        Ok(_) => {
            let (first_seq, last_seq) = crate::sqlite::command_seqs(w, command_id)?;
            Ok(PushOutcome::Accepted {
                first_seq,
                last_seq,
            })
        }
        Err(e) => match refusal(&e) {
            Some(error) => Ok(rejected(error)),
            // The savepoint was rolled back; the push goes on while its transaction
            // stands. A failure that ended the transaction (SQLite rolls back the
            // whole transaction on some IO errors) fails the push whole.
            None if !w.conn().is_autocommit() => {
                tracing::error!(%command_id, error = %e, "command failed in the store; refused alone");
                Ok(rejected(ErrorBody::new(
                    ErrorCode::Internal,
                    "the server failed to apply this command; nothing of it was saved",
                )))
            }
            None => Err(e.into()),
        },
    }
}

fn rejected(error: ErrorBody) -> PushOutcome {
    PushOutcome::Rejected { error }
}

/// The refusal of a command id the ledger holds for other content or another device
/// (or whose derived event ids another command's events have).
fn reused(command_id: Uuid) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::CommandIdReused,
        format!(
            "command id {command_id} was already used for another command; give this \
             command a new id"
        ),
    )
    .with_field("command_id")
}

/// A permanent refusal of one command (the domain said no, the command names a record
/// that does not exist, its event ids are taken), recorded and the push goes on;
/// `None` for the store failing.
fn refusal(e: &AppError) -> Option<ErrorBody> {
    match e {
        AppError::Domain(_)
        | AppError::NotFound { .. }
        | AppError::UnknownRecord(_)
        | AppError::InvalidInput { .. }
        // Only some of the command's (derived) event ids are stored already: the same
        // answer on every retry, so it must not wedge the device's queue.
        | AppError::Store(StoreError::PartialDuplicate { .. }) => Some(e.body()),
        AppError::Store(StoreError::EventIdTaken { event_id }) => {
            tracing::warn!(%event_id, "a command derived another command's event id");
            Some(ErrorBody::new(
                ErrorCode::CommandIdReused,
                "this command's id collides with another command's; give it a new id",
            )
            .with_field("command_id"))
        }
        // Files (backups, exports) are never touched by a push.
        AppError::Store(_)
        | AppError::BadBackup(_)
        | AppError::Io { .. }
        | AppError::DemoData
        | AppError::SignInRequired => {
            None
        }
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
