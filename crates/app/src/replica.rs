//! The client side of sync, in the local store: which commands go to the server,
//! what it answered, and laying the server's canonical events under local work.
//!
//! The local log holds canonical events (with the server's sequence) and speculative
//! ones (`server_seq IS NULL`: commands not yet confirmed by a pull). Applying a pulled
//! page, in one transaction:
//! - an event we already have speculatively, byte-identical (same id, stream,
//!   revision, type, payload) is simply confirmed: the common case costs one UPDATE;
//! - an event for a stream without speculative events is stored and projected;
//! - otherwise the stream has diverged (someone else wrote to it first, or the server
//!   decided differently, e.g. it numbered an invoice): its speculative events are
//!   dropped, the canonical ones stored, its read-model rows rebuilt, and the still
//!   pending commands on it re-run on top (rebase). A command that no longer applies
//!   is set aside as `conflict` ("needs attention"), never pushed, never lost.
//!
//! Outbox statuses: `pending` (to push), `acknowledged` (the server applied it),
//! `synced` (and its canonical events are here), `rejected` (the server refused it), `conflict` (no longer applies locally after a
//! rebase), `discarded` (the user gave up on it). Rejected and conflict are the
//! "needs attention" list.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use daybook_domain::{Command, CommandEnvelope, STATE_VERSION, upcast};
use daybook_protocol::ErrorBody;
use daybook_store::{
    RawEvent, RecordedEvent, Snapshot, StoreTx, raw_event, read_stream, stream_head,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::projection;
use crate::service::{CommandOutcome, Daybook, Handle, Projector, SNAPSHOT_EVERY, handle};

/// What the server told a device about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The account this store now belongs to.
    pub account_id: Uuid,
    /// The device's name on the server (recorded on its events).
    pub device_name: String,
    /// Short code used in numbers given on this device (`SO-D2-00042`).
    pub device_code: String,
}

/// A command ready to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingCommand {
    /// Per-device sequence, assigned at the first push attempt and kept for retries.
    pub device_seq: u64,
    /// Who gave it.
    pub user: String,
    /// The command.
    pub envelope: CommandEnvelope,
}

/// The server's answer for one pushed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAnswer {
    /// Applied on the server; its events end at this sequence (`None`: the command
    /// changed nothing there, e.g. the customer was already blocked).
    Accepted {
        /// The sequence of the command's last event on the server.
        last_seq: Option<i64>,
    },
    /// Refused on the server's state; permanent.
    Rejected(ErrorBody),
}

/// A command that needs the user: refused by the server, or no longer applicable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    /// The command's id.
    pub command_id: Uuid,
    /// `rejected` (by the server) or `conflict` (no longer applies here).
    pub status: String,
    /// The command.
    pub command: Command,
    /// When it was given.
    pub issued_at: DateTime<Utc>,
    /// Why.
    pub error: Option<ErrorBody>,
    /// The record it was for.
    pub stream_id: Uuid,
}

/// Counts for the sync badge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Commands waiting to be pushed.
    pub pending: u64,
    /// Commands needing attention.
    pub needs_attention: u64,
    /// The last server sequence applied here.
    pub cursor: i64,
}

/// What applying a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Events already here speculatively and now confirmed.
    pub confirmed: u64,
    /// New events stored and projected.
    pub applied: u64,
    /// Streams that had diverged and were rebased.
    pub rebased_streams: u64,
    /// Local commands set aside because they no longer apply.
    pub conflicts: u64,
}

const CURSOR: &str = "sync.cursor";
const DEVICE_SEQ: &str = "sync.device_seq";

fn meta_i64(conn: &Connection, key: &str) -> Result<i64, AppError> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(0))
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), AppError> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

fn envelope_of(json: &str) -> Result<CommandEnvelope, AppError> {
    serde_json::from_str(json).map_err(AppError::from)
}

fn set_status(
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

impl Daybook {
    /// Binds this store to the account and device the server knows it as. Events
    /// written before (offline, before the first sync) are moved to that account.
    /// All or nothing: one transaction, so a crash half-way leaves the store unbound
    /// (the next sync binds it again), never bound with events of another tenant.
    pub fn bind(&mut self, b: &Binding) -> Result<(), AppError> {
        let store = self.store();
        let moves = store.account_id() != b.account_id;
        let tx = store.begin()?;
        if moves {
            set_meta(tx.conn(), "account_id", &b.account_id.to_string())?;
            tx.conn()
                .execute("UPDATE events SET account_id = ?1", [b.account_id])?;
        }
        set_meta(tx.conn(), "device", &b.device_name)?;
        set_meta(tx.conn(), "device_code", &b.device_code)?;
        tx.commit()?;
        if moves {
            // The same value again, and the store's own copy of it.
            store.set_account_id(b.account_id)?;
        }
        self.set_device(b.device_name.clone());
        Ok(())
    }

    /// The binding, if this store has synced before.
    pub fn binding(&self) -> Result<Option<Binding>, AppError> {
        let conn = self.conn();
        let code: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'device_code'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(code.map(|device_code| Binding {
            account_id: self.account_id(),
            device_name: self.identity().device.clone(),
            device_code,
        }))
    }

    /// The last server sequence applied here.
    pub fn sync_cursor(&self) -> Result<i64, AppError> {
        meta_i64(self.conn(), CURSOR)
    }

    /// Outbox counts for the badge.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, AppError> {
        let (pending, attention): (i64, i64) = self.conn().query_row(
            "SELECT count(*) FILTER (WHERE status = 'pending'),
                    count(*) FILTER (WHERE status IN ('rejected', 'conflict'))
             FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(OutboxCounts {
            pending: pending as u64,
            needs_attention: attention as u64,
            cursor: self.sync_cursor()?,
        })
    }

    /// The next `limit` pending commands in order, each with its device sequence
    /// (assigned now if it has none, and kept: a retry resends the same number).
    pub fn outgoing(&mut self, limit: usize) -> Result<Vec<OutgoingCommand>, AppError> {
        self.write(|w| {
            let conn = w.conn();
            let rows: Vec<(Uuid, String, String, Option<i64>)> = conn
                .prepare_cached(
                    "SELECT command_id, envelope, user_id, device_seq FROM outbox
                     WHERE status = 'pending' ORDER BY position LIMIT ?1",
                )?
                .query_map([limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut next = meta_i64(conn, DEVICE_SEQ)?;
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
            set_meta(conn, DEVICE_SEQ, &next.to_string())?;
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
            let cursor = meta_i64(tx.conn(), CURSOR)?;
            diverged.extend(settled_but_speculative(tx.conn(), cursor)?);
            rebase(tx, &diverged, &[], &identity, &mut report)?;
            retire_settled(tx.conn(), cursor)?;
            Ok(())
        })?;
        Ok(report)
    }

    /// Applies a page of the server's events (ascending sequence, gap-free after the
    /// cursor) in one transaction and moves the cursor.
    pub fn apply_pulled(&mut self, events: &[RawEvent]) -> Result<ApplyReport, AppError> {
        let identity = self.identity().clone();
        let mut report = ApplyReport::default();
        self.with_tx(|tx| {
            let conn = tx.conn();
            let mut cursor = meta_i64(conn, CURSOR)?;
            let mut projector = Projector::default();
            let mut diverged: BTreeSet<Uuid> = BTreeSet::new();
            let mut staged: Vec<&RawEvent> = Vec::new();
            // Without local work in flight (e.g. a new device's first sync) every event
            // after the cursor is simply new: skip the per-event lookups.
            let local_work = any_speculative(conn)?;
            let mut heads: HashMap<Uuid, u64> = HashMap::new();
            for e in events {
                if e.seq <= cursor {
                    continue; // an overlapping page
                }
                if e.seq != cursor + 1 {
                    return Err(AppError::invalid(
                        None,
                        format!(
                            "server events out of order: expected {}, got {}",
                            cursor + 1,
                            e.seq
                        ),
                    ));
                }
                cursor = e.seq;
                if local_work && let Some(local) = raw_event(conn, e.event_id)? {
                    if local.server_seq.is_some() {
                        continue;
                    }
                    if same_event(&local, e) && !diverged.contains(&e.stream_id) {
                        tx.confirm(e, e.seq)?;
                        report.confirmed += 1;
                        continue;
                    }
                }
                if diverged.contains(&e.stream_id)
                    || (local_work && has_speculative(conn, e.stream_id)?)
                {
                    diverged.insert(e.stream_id);
                    staged.push(e);
                    continue;
                }
                let head = match heads.get(&e.stream_id) {
                    Some(r) => *r,
                    None => stream_head(conn, e.stream_id)?.map_or(0, |(_, r)| r),
                };
                let expected = head + 1;
                if e.revision != expected {
                    return Err(AppError::invalid(
                        None,
                        format!(
                            "server event {} has revision {}, expected {expected}",
                            e.event_id, e.revision
                        ),
                    ));
                }
                let seq = tx.insert_canonical(e, e.seq)?;
                heads.insert(e.stream_id, e.revision);
                projector.project(conn, &recorded(e, seq)?)?;
                if e.revision % SNAPSHOT_EVERY == 0
                    && let Some(state) = projector.state(e.stream_id)
                {
                    tx.save_snapshot(&Snapshot {
                        stream_id: e.stream_id,
                        stream_type: e.stream_type,
                        revision: e.revision,
                        state_version: STATE_VERSION,
                        state: serde_json::to_string(state)?,
                    })?;
                }
                report.applied += 1;
            }
            projector.finish(conn)?;
            set_meta(conn, CURSOR, &cursor.to_string())?;
            diverged.extend(settled_but_speculative(conn, cursor)?);
            rebase(tx, &diverged, &staged, &identity, &mut report)?;
            retire_settled(conn, cursor)?;
            let head = daybook_store::head(conn)?;
            projection::set_checkpoint(conn, head)?;
            Ok(())
        })?;
        Ok(report)
    }

    /// Commands that need the user, oldest first.
    pub fn needs_attention(&self) -> Result<Vec<AttentionItem>, AppError> {
        let rows: Vec<(Uuid, String, String, Option<String>, Uuid)> = self
            .conn()
            .prepare_cached(
                "SELECT command_id, status, envelope, error, stream_id FROM outbox
                 WHERE status IN ('rejected', 'conflict') ORDER BY position",
            )?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(command_id, status, envelope, error, stream_id)| {
                let env = envelope_of(&envelope)?;
                Ok(AttentionItem {
                    command_id,
                    status,
                    command: env.command,
                    issued_at: env.issued_at,
                    error: error.map(|e| serde_json::from_str(&e)).transpose()?,
                    stream_id,
                })
            })
            .collect()
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
fn rerun(
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
fn savepoint<T>(conn: &Connection, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
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

/// Streams with speculative events of commands the server has accepted and whose
/// canonical events we have all pulled (or that changed nothing on the server): the
/// server decided differently, so the local guess must go.
fn settled_but_speculative(conn: &Connection, cursor: i64) -> Result<Vec<Uuid>, AppError> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT e.stream_id FROM events e
             JOIN outbox o ON o.command_id = e.command_id
             WHERE e.server_seq IS NULL AND o.status = 'acknowledged'
               AND coalesce(o.server_last_seq, 0) <= ?1",
        )?
        .query_map([cursor], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Accepted commands whose canonical events are all here leave the working set
/// (`synced`), so the outbox queries stay small however long the history.
/// For a server-side cache of a log whose authority is elsewhere (the server's
/// PostgreSQL adapter): marks every event written so far as canonical (its sequence is
/// the global one) and moves the pull cursor to the head, so the next
/// [`Daybook::apply_pulled`] appends after it on the fast path. Returns the head.
pub fn settle_authority_cache(conn: &Connection) -> Result<i64, AppError> {
    conn.prepare_cached("UPDATE events SET server_seq = seq WHERE server_seq IS NULL")?
        .execute([])?;
    let head = daybook_store::head(conn)?;
    set_meta(conn, CURSOR, &head.to_string())?;
    Ok(head)
}

fn retire_settled(conn: &Connection, cursor: i64) -> Result<(), AppError> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'synced'
         WHERE status = 'acknowledged' AND coalesce(server_last_seq, 0) <= ?1",
    )?
    .execute([cursor])?;
    Ok(())
}

fn same_event(local: &RawEvent, server: &RawEvent) -> bool {
    local.stream_id == server.stream_id
        && local.revision == server.revision
        && local.event_type == server.event_type
        && local.schema_version == server.schema_version
        && local.payload == server.payload
}

fn any_speculative(conn: &Connection) -> Result<bool, AppError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE server_seq IS NULL)")?
        .query_row([], |r| r.get(0))?)
}

fn has_speculative(conn: &Connection, stream_id: Uuid) -> Result<bool, AppError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = ?1 AND server_seq IS NULL)",
        )?
        .query_row([stream_id], |r| r.get(0))?)
}

/// A canonical row as the projector sees it.
fn recorded(e: &RawEvent, local_seq: i64) -> Result<RecordedEvent, AppError> {
    let event = upcast::decode(&e.event_type, e.schema_version, &e.payload).map_err(|source| {
        AppError::Store(daybook_store::StoreError::Decode {
            seq: local_seq,
            source,
        })
    })?;
    Ok(RecordedEvent {
        seq: local_seq,
        event_id: e.event_id,
        account_id: Uuid::nil(),
        stream_id: e.stream_id,
        stream_type: e.stream_type,
        revision: e.revision,
        stored_version: e.schema_version,
        event,
        metadata: e.metadata.clone(),
        committed_at: e.committed_at,
        server_seq: Some(e.seq),
    })
}

/// Lays `canonical` events under the local work on the `diverged` streams: drops
/// their speculative events, stores the canonical ones, rebuilds their read-model
/// rows, and re-runs the commands still waiting on them (pending, or accepted by the
/// server but not yet pulled back) in outbox order.
fn rebase(
    tx: &StoreTx<'_>,
    diverged: &BTreeSet<Uuid>,
    canonical: &[&RawEvent],
    identity: &crate::service::Identity,
    report: &mut ApplyReport,
) -> Result<(), AppError> {
    if diverged.is_empty() {
        return Ok(());
    }
    let conn = tx.conn();
    for id in diverged {
        tx.delete_speculative(*id)?;
    }
    for e in canonical {
        tx.insert_canonical(e, e.seq)?;
        report.applied += 1;
    }
    let ids: Vec<Uuid> = diverged.iter().copied().collect();
    let mut customers: HashSet<Uuid> = projection::remove_records(conn, &ids)?
        .into_iter()
        .collect();
    let mut events = Vec::new();
    for id in &ids {
        events.extend(read_stream(conn, *id, 0)?);
    }
    events.sort_by_key(|e| e.seq);
    let mut projector = Projector::default();
    for e in &events {
        projector.project(conn, e)?;
        if let daybook_domain::Event::OrderCreated(o) = &e.event {
            customers.insert(o.customer_id.0);
        }
    }
    projector.finish(conn)?;
    let customers: Vec<Uuid> = customers.into_iter().collect();
    projection::recompute_customers(conn, &customers)?;

    // Re-run what is still waiting on these streams.
    // Accepted commands whose canonical events are all here (or that made none)
    // are settled: they are not re-run.
    let cursor = meta_i64(conn, CURSOR)?;
    let waiting: Vec<(Uuid, String, String)> = conn
        .prepare(
            "SELECT command_id, envelope, status FROM outbox
             WHERE status = 'pending'
                OR (status = 'acknowledged' AND coalesce(server_last_seq, 0) > ?1)
             ORDER BY position",
        )?
        .query_map([cursor], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (command_id, envelope, status) in waiting {
        let env = envelope_of(&envelope)?;
        if !diverged.contains(&env.command.target().1) {
            continue;
        }
        let canonical: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE command_id = ?1 AND server_seq IS NOT NULL)",
            )?
            .query_row([command_id], |r| r.get(0))?;
        if canonical {
            continue; // the server's version of it is in the log now
        }
        if status == "acknowledged" {
            // Accepted by the server; keep showing it until its events are pulled. If
            // it no longer applies here, the server's version will arrive instead.
            let h = Handle {
                identity,
                authority: false,
                record_outbox: false,
                check_duplicate: false,
            };
            match savepoint(conn, || handle(tx, &env, &h)) {
                Ok(_) | Err(AppError::Domain(_)) => {}
                Err(e) => return Err(e),
            }
            continue;
        }
        if !rerun(tx, &env, identity)? {
            report.conflicts += 1;
        }
    }
    report.rebased_streams += diverged.len() as u64;
    Ok(())
}
