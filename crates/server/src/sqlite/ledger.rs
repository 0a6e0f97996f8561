//! Push and pull on an account's own database: the SQLite adapter's [`Ledger`]
//! (`sync_commands` and `sync_devices`, written in the push's transaction, so events,
//! outcomes and the device's last sequence commit together) and the read side.

use std::time::Instant;

use chrono::Utc;
use daybook_app::{AppError, Writer};
use daybook_protocol::{PullResponse, PushCommand, PushOutcome, PushRequest};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::accounts::AccountDb;
use crate::error::ServerError;
use crate::store::{Device, Pushed};
use crate::sync::{self, Ledger, Recorded};

/// The SQLite adapter's ledger: `sync_commands` and `sync_devices` of the account's
/// file, written through the writer's connection, in its transaction.
struct LocalLedger;

impl Ledger for LocalLedger {
    fn recorded(
        &mut self,
        w: &Writer<'_>,
        command_id: Uuid,
    ) -> Result<Option<Recorded>, ServerError> {
        Ok(recorded(w.conn(), command_id)?)
    }

    fn device_last_seq(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
    ) -> Result<Option<i64>, ServerError> {
        Ok(device_last_seq(w.conn(), device_id)?)
    }

    fn record(
        &mut self,
        w: &Writer<'_>,
        device_id: Uuid,
        c: &PushCommand,
        hash: &[u8],
        outcome: &PushOutcome,
    ) -> Result<(), ServerError> {
        Ok(record(w.conn(), device_id, c, hash, outcome)?)
    }
}

/// Applies a validated push in transactions of the account's writer of at most about
/// [`sync::PUSH_SLICE`] each, releasing the writer in between (blocking); publishes
/// the new head after each commit.
pub(super) fn push(
    account: &AccountDb,
    device: &Device,
    req: &PushRequest,
) -> Result<Pushed, ServerError> {
    let mut pushed = Pushed {
        results: Vec::with_capacity(req.commands.len()),
        counts: sync::PushCounts::default(),
        head: account.head(),
    };
    while pushed.results.len() < req.commands.len() {
        let rest = &req.commands[pushed.results.len()..];
        let (results, counts, head) = account.with_writer(|db| {
            db.write(|w| {
                let until = Instant::now() + sync::PUSH_SLICE;
                let (results, counts) = sync::apply_push(w, &mut LocalLedger, device, rest, until)?;
                let head = daybook_store::head(w.conn())?;
                Ok::<_, ServerError>((results, counts, head))
            })
        })?;
        if results.is_empty() {
            return Err(ServerError::Task(
                "a push transaction made no progress".into(),
            ));
        }
        account.publish(head);
        pushed.results.extend(results);
        pushed.counts.add(counts);
        pushed.head = head;
    }
    Ok(pushed)
}

/// Up to `limit` events after `after`, with the head, read in one read transaction
/// (a consistent snapshot: `head >=` the last event's sequence). Blocking.
pub(super) fn pull(
    account: &AccountDb,
    after: i64,
    limit: usize,
) -> Result<PullResponse, ServerError> {
    account.with_reader(|conn| {
        let tx = conn.transaction()?;
        let raw = daybook_store::read_raw(&tx, after, limit)?;
        let head = daybook_store::head(&tx)?;
        drop(tx);
        let events = raw
            .into_iter()
            .map(sync::wire_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PullResponse { events, head })
    })
}

/// The account sequences of a command's events, first and last (none if it wrote
/// nothing), read in the writer's transaction. Both adapters decide on a
/// `daybook_app` store, so the PostgreSQL adapter's cache is read this way too.
pub(crate) fn command_seqs(
    w: &Writer<'_>,
    command_id: Uuid,
) -> Result<(Option<i64>, Option<i64>), ServerError> {
    let seqs = w
        .conn()
        .prepare_cached("SELECT min(seq), max(seq) FROM events WHERE command_id = ?1")
        .and_then(|mut stmt| stmt.query_row([command_id], |r| Ok((r.get(0)?, r.get(1)?))))
        .map_err(AppError::from)?;
    Ok(seqs)
}

fn device_last_seq(conn: &Connection, device_id: Uuid) -> Result<Option<i64>, AppError> {
    Ok(conn
        .prepare_cached("SELECT last_seq FROM sync_devices WHERE device_id = ?1")?
        .query_row([device_id], |r| r.get(0))
        .optional()?)
}

/// A `sync_commands` row: status, error JSON, first and last sequence, device, hash.
type RecordedRow = (
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Uuid,
    Option<Vec<u8>>,
);

/// The record of a command processed before.
fn recorded(conn: &Connection, command_id: Uuid) -> Result<Option<Recorded>, AppError> {
    let row: Option<RecordedRow> = conn
        .prepare_cached(
            "SELECT status, error, first_seq, last_seq, device_id, envelope_hash
             FROM sync_commands WHERE command_id = ?1",
        )?
        .query_row([command_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((status, error, first_seq, last_seq, device_id, hash)) = row else {
        return Ok(None);
    };
    let outcome = sync::stored_outcome(command_id, &status, error, first_seq, last_seq)?;
    Ok(Some(Recorded {
        outcome,
        device_id,
        hash,
    }))
}

fn record(
    conn: &Connection,
    device_id: Uuid,
    c: &PushCommand,
    hash: &[u8],
    outcome: &PushOutcome,
) -> Result<(), AppError> {
    let seq = i64::try_from(c.device_seq).unwrap_or(i64::MAX);
    let (status, error, first, last) = sync::outcome_columns(outcome)?;
    conn.prepare_cached(
        "INSERT INTO sync_commands (command_id, device_id, device_seq, status, error,
            first_seq, last_seq, processed_at, envelope_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.envelope.command_id,
        device_id,
        seq,
        status,
        error,
        first,
        last,
        Utc::now().timestamp_millis(),
        hash
    ])?;
    conn.prepare_cached(
        "INSERT INTO sync_devices (device_id, last_seq) VALUES (?1, ?2)
         ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq",
    )?
    .execute(params![device_id, seq])?;
    Ok(())
}
