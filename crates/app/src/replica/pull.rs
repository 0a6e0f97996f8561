//! The pull side of sync: laying the server's canonical events under local work
//! (confirm, store and project, or rebase a diverged stream and re-run what waits).

use std::collections::{BTreeSet, HashMap, HashSet};

use daybook_domain::{STATE_VERSION, upcast};
use daybook_store::{
    RawEvent, RecordedEvent, Snapshot, StoreTx, raw_event, read_stream, settings, stream_head,
};
use rusqlite::Connection;
use uuid::Uuid;

use super::outbox::{rerun, savepoint};
use super::{ApplyReport, envelope_of};
use crate::error::AppError;
use crate::handle::{Handle, handle};
use crate::projection;
use crate::projection::replay::Projector;
use crate::service::{Daybook, snapshot_due};

impl Daybook {
    /// Applies a page of the server's events (ascending sequence, gap-free after the
    /// cursor) in one transaction and moves the cursor.
    pub fn apply_pulled(&mut self, events: &[RawEvent]) -> Result<ApplyReport, AppError> {
        let identity = self.identity().clone();
        let mut report = ApplyReport::default();
        self.with_tx(|tx| {
            let conn = tx.conn();
            let mut cursor = settings::SYNC_CURSOR.get(conn)?.unwrap_or(0);
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
                if let Some(state) = projector.state(e.stream_id)
                    && snapshot_due(state, e.revision.saturating_sub(1), e.revision)
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
            settings::SYNC_CURSOR.set(conn, &cursor)?;
            diverged.extend(settled_but_speculative(conn, cursor)?);
            rebase(tx, &diverged, &staged, &identity, &mut report)?;
            retire_settled(conn, cursor)?;
            let head = daybook_store::head(conn)?;
            projection::set_checkpoint(conn, head)?;
            Ok(())
        })?;
        Ok(report)
    }
}

/// Streams with speculative events of commands the server has accepted and whose
/// canonical events we have all pulled (or that changed nothing on the server): the
/// server decided differently, so the local guess must go.
pub(super) fn settled_but_speculative(
    conn: &Connection,
    cursor: i64,
) -> Result<Vec<Uuid>, AppError> {
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
    settings::SYNC_CURSOR.set(conn, &head)?;
    Ok(head)
}

pub(super) fn retire_settled(conn: &Connection, cursor: i64) -> Result<(), AppError> {
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
pub(super) fn rebase(
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
    let cursor = settings::SYNC_CURSOR.get(conn)?.unwrap_or(0);
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
