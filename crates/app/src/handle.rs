//! The command path, inside the caller's transaction: load the stream (snapshot, then
//! newer events), fetch the facts the aggregate asks for, decide, append with the
//! expected revision, project, move the checkpoint, snapshot at a boundary, and keep
//! the command in the outbox.

use chrono::{DateTime, Utc};
use daybook_domain::{Aggregate, CommandEnvelope, RecordKind, STATE_VERSION, ids};
use daybook_store::{
    Appended, ExpectedRevision, Metadata, NewEvent, Snapshot, StoreTx, load_snapshot,
    read_stream_events,
};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::{Identity, snapshot_due};
use crate::{facts, projection};

/// What a successful command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommandOutcome {
    /// The command's id.
    pub command_id: Uuid,
    /// The record it changed.
    pub stream_id: Uuid,
    /// The record's revision afterwards.
    pub revision: u64,
    /// Event types written (empty if the command changed nothing).
    pub events: Vec<String>,
    /// True when this command id had already been applied: nothing was written again.
    pub duplicate: bool,
}

/// Loads a stream's state: the snapshot if it is current, then the newer events
/// (decoded without their metadata). `None` if the stream has no events.
pub fn load_stream(
    conn: &Connection,
    stream_id: Uuid,
) -> Result<Option<(Aggregate, u64)>, AppError> {
    let mut revision = 0;
    let mut agg: Option<Aggregate> = None;
    if let Some(s) = load_snapshot(conn, stream_id)?
        && s.state_version == STATE_VERSION
        && let Ok(mut state) = serde_json::from_str::<Aggregate>(&s.state)
        && state.stream_type() == s.stream_type
    {
        state.reindex();
        agg = Some(state);
        revision = s.revision;
    }
    for (stream_type, rev, event) in read_stream_events(conn, stream_id, revision)? {
        agg.get_or_insert_with(|| Aggregate::new(stream_type))
            .apply(&event);
        revision = rev;
    }
    Ok(agg.map(|a| (a, revision)))
}

fn millis(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp_millis()).unwrap_or(0)
}

/// How commands are handled by this store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HandleMode {
    pub(crate) authority: bool,
}

impl HandleMode {
    pub(crate) fn with<'a>(&self, identity: &'a Identity) -> Handle<'a> {
        Handle {
            identity,
            authority: self.authority,
            record_outbox: !self.authority,
            check_duplicate: true,
        }
    }
}

/// One command's handling options.
pub(crate) struct Handle<'a> {
    pub(crate) identity: &'a Identity,
    /// Decide as the server (assigns invoice numbers).
    pub(crate) authority: bool,
    /// Keep the command in the outbox for sync (clients).
    pub(crate) record_outbox: bool,
    /// Answer a command id seen before instead of applying it again. Off only when
    /// a replica re-runs its own pending commands after a rebase.
    pub(crate) check_duplicate: bool,
}

/// A write transaction handed out by [`Daybook::write`].
pub struct Writer<'a> {
    pub(crate) tx: StoreTx<'a>,
    pub(crate) mode: HandleMode,
    /// The state the last command left its stream in (see [`Warm`]).
    pub(crate) warm: Option<Warm>,
}

/// A stream's state as the writer's last command left it, so the next command on the
/// same stream (the lines of one big order, pushed one after the other) does not load
/// it again: a command's cost does not grow with its record's size.
///
/// **Invariant:** used only while the stream's last stored event is still the one it
/// was computed after (same revision and event id, checked on every use), and dropped
/// whenever a command fails (its savepoint rolled back); it lives as long as one
/// transaction.
pub(crate) struct Warm {
    stream_id: Uuid,
    revision: u64,
    last_event: Uuid,
    state: Aggregate,
}

impl Writer<'_> {
    /// The transaction's connection (for the caller's own rows).
    pub fn conn(&self) -> &Connection {
        self.tx.conn()
    }

    /// Runs one command as `identity`, atomically (a savepoint): a refused command
    /// leaves nothing behind, and the transaction goes on.
    pub fn execute(
        &mut self,
        env: &CommandEnvelope,
        identity: &Identity,
    ) -> Result<CommandOutcome, AppError> {
        let h = self.mode.with(identity);
        let warm = &mut self.warm;
        let out = self.tx.savepoint(|tx| handle_warm(tx, env, &h, warm));
        if out.is_err() {
            self.warm = None;
        }
        out
    }
}

/// The command path, inside the caller's transaction.
pub(crate) fn handle(
    tx: &StoreTx<'_>,
    env: &CommandEnvelope,
    h: &Handle<'_>,
) -> Result<CommandOutcome, AppError> {
    handle_warm(tx, env, h, &mut None)
}

/// The stream's state: `warm` if it is still current, else loaded from the store.
fn load_warm(
    conn: &Connection,
    stream_id: Uuid,
    warm: &mut Option<Warm>,
) -> Result<Option<(Aggregate, u64)>, AppError> {
    if let Some(w) = warm.take()
        && w.stream_id == stream_id
        && last_event(conn, stream_id)? == Some((w.revision, w.last_event))
    {
        return Ok(Some((w.state, w.revision)));
    }
    load_stream(conn, stream_id)
}

/// The revision and id of a stream's last stored event.
fn last_event(conn: &Connection, stream_id: Uuid) -> Result<Option<(u64, Uuid)>, AppError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT revision, event_id FROM events WHERE stream_id = ?1
             ORDER BY revision DESC LIMIT 1",
        )?
        .query_row([stream_id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
        .optional()?)
}

/// [`handle`], starting from and leaving behind the stream's state in `warm`.
pub(crate) fn handle_warm(
    tx: &StoreTx<'_>,
    env: &CommandEnvelope,
    h: &Handle<'_>,
    warm: &mut Option<Warm>,
) -> Result<CommandOutcome, AppError> {
    let conn = tx.conn();
    let (target_type, stream_id) = env.command.target();

    // A command id that was applied before is answered, not applied again.
    if h.check_duplicate
        && let Some(revision) = applied_revision(conn, env.command_id)?
    {
        return Ok(CommandOutcome {
            command_id: env.command_id,
            stream_id,
            revision,
            events: Vec::new(),
            duplicate: true,
        });
    }

    let (agg, revision) = match load_warm(conn, stream_id, warm)? {
        Some((agg, _)) if agg.stream_type() != target_type => {
            return Err(AppError::Domain(daybook_domain::DomainError::NotFound {
                kind: match target_type {
                    daybook_domain::StreamType::Customer => RecordKind::Customer,
                    daybook_domain::StreamType::Product => RecordKind::Product,
                    daybook_domain::StreamType::SalesOrder => RecordKind::Order,
                    daybook_domain::StreamType::Company => RecordKind::Company,
                },
                id: stream_id,
            }));
        }
        Some(loaded) => loaded,
        None => (Aggregate::new(target_type), 0),
    };
    // Who may give it is decided before what it does: a refused role changes nothing.
    daybook_domain::permission::allowed(h.identity.role, &env.command, &agg)?;
    let needs = agg.needs(&env.command);
    let facts = facts::fetch(conn, &needs, h.authority, env.issued_at)?;
    let events = agg.decide(&env.command, &facts, env.issued_at)?;
    if events.is_empty() {
        return Ok(CommandOutcome {
            command_id: env.command_id,
            stream_id,
            revision,
            events: Vec::new(),
            duplicate: false,
        });
    }

    let at_ms = millis(env.issued_at);
    let new_events: Vec<NewEvent> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| NewEvent {
            event_id: ids::event_id(env.command_id, at_ms, i as u16),
            event,
        })
        .collect();
    // The authority answered a known command id above, so a stored event id here is
    // another command's: two commands must never share an event id (a replica
    // holding one would fail to store the other's), so the command is refused.
    if h.authority
        && let Some(event_id) = tx.first_stored(new_events.iter().map(|e| e.event_id))?
    {
        return Err(AppError::Store(daybook_store::StoreError::EventIdTaken {
            event_id,
        }));
    }
    let metadata = Metadata {
        issued_at: env.issued_at,
        user: h.identity.user.clone(),
        device: h.identity.device.clone(),
        command_id: env.command_id,
        causation_id: Some(env.command_id),
        correlation_id: None,
    };
    let recorded = match tx.append(
        stream_id,
        target_type,
        ExpectedRevision::from_loaded(revision),
        new_events,
        &metadata,
        Utc::now(),
    )? {
        Appended::Written(r) => r,
        Appended::AlreadyStored => Vec::new(),
    };
    let new_revision = recorded.last().map_or(revision, |e| e.revision);
    let mut state = agg;
    for e in &recorded {
        state.apply(&e.event);
        projection::project(conn, e, &state)?;
    }
    if let Some(last) = recorded.last() {
        projection::set_checkpoint(conn, last.seq)?;
        maybe_snapshot(tx, stream_id, &state, revision, last.revision)?;
    }
    if h.record_outbox {
        tx.record_outbox(
            env.command_id,
            stream_id,
            &serde_json::to_string(env)?,
            &h.identity.user,
            env.issued_at,
        )?;
    }
    let events = recorded
        .iter()
        .map(|e| e.event.event_type().to_string())
        .collect();
    if let Some(last) = recorded.last() {
        *warm = Some(Warm {
            stream_id,
            revision: last.revision,
            last_event: last.event_id,
            state,
        });
    }
    Ok(CommandOutcome {
        command_id: env.command_id,
        stream_id,
        revision: new_revision,
        events,
        duplicate: false,
    })
}

/// The revision a command left its stream at, if the command was applied here
/// before (it is in the outbox, or its events are stored).
fn applied_revision(conn: &Connection, command_id: Uuid) -> Result<Option<u64>, AppError> {
    let r: (bool, Option<i64>) = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE command_id = ?1),
                (SELECT max(revision) FROM events WHERE command_id = ?1)",
        )?
        .query_row([command_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(match r {
        (_, Some(rev)) => Some(rev as u64),
        (true, None) => Some(0),
        (false, None) => None,
    })
}

fn maybe_snapshot(
    tx: &StoreTx<'_>,
    stream_id: Uuid,
    state: &Aggregate,
    before: u64,
    after: u64,
) -> Result<(), AppError> {
    if !snapshot_due(state, before, after) {
        return Ok(());
    }
    tx.save_snapshot(&Snapshot {
        stream_id,
        stream_type: state.stream_type(),
        revision: after,
        state_version: STATE_VERSION,
        state: serde_json::to_string(state)?,
    })?;
    Ok(())
}
