//! The replay driver: projects events that were stored without going through a
//! command (a rebuild, a catch-up after an upgrade, events pulled from the server),
//! folding each stream's state alongside in memory.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use daybook_domain::{Aggregate, OrderStatus};
use daybook_store::{RecordedEvent, StoreTx, for_each_event, read_stream};
use rusqlite::Connection;
use uuid::Uuid;

use crate::error::AppError;

/// Projects every event after `from` and moves the checkpoint; returns the count.
pub(crate) fn replay(tx: &StoreTx<'_>, from: i64) -> Result<u64, AppError> {
    let (mut n, mut last) = (0u64, from);
    let mut projector = Projector::default();
    for_each_event(tx.conn(), from, |e| {
        projector.project(tx.conn(), &e)?;
        n += 1;
        last = e.seq;
        Ok::<(), AppError>(())
    })?;
    projector.finish(tx.conn())?;
    if last != from {
        super::set_checkpoint(tx.conn(), last)?;
    }
    Ok(n)
}

/// Projects events that were stored without going through a command (replays,
/// events pulled from the server), folding each stream's state alongside in memory.
/// An order's state is dropped once it is invoiced or cancelled (no event can
/// follow); a stream not in memory is loaded from the log up to the event's
/// predecessor. An order's totals are written once per run of line events instead
/// of after every line: call [`Projector::finish`] at the end.
#[derive(Default)]
pub(crate) struct Projector {
    states: HashMap<Uuid, Aggregate>,
    /// Orders whose totals wait to be written, with their last change (time, revision).
    pending_totals: HashMap<Uuid, (i64, i64)>,
}

impl Projector {
    /// Projects `e`, which must be the next event of its stream.
    pub(crate) fn project(&mut self, conn: &Connection, e: &RecordedEvent) -> Result<(), AppError> {
        let state = match self.states.entry(e.stream_id) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(state_before(conn, e)?),
        };
        if let Some((at, rev)) = self.pending_totals.remove(&e.stream_id) {
            super::write_order_totals(conn, e.stream_id, state, at, rev)?;
        }
        state.apply(&e.event);
        if super::project_lines(conn, e, state, super::Totals::Later)? {
            self.pending_totals.insert(
                e.stream_id,
                (
                    daybook_store::to_millis(e.metadata.issued_at),
                    e.revision as i64,
                ),
            );
        }
        if let Aggregate::SalesOrder(Some(o)) = state
            && matches!(o.status, OrderStatus::Invoiced | OrderStatus::Cancelled)
        {
            self.states.remove(&e.stream_id);
        }
        Ok(())
    }

    /// Writes the totals still pending.
    pub(crate) fn finish(&mut self, conn: &Connection) -> Result<(), AppError> {
        for (id, (at, rev)) in self.pending_totals.drain() {
            if let Some(state) = self.states.get(&id) {
                super::write_order_totals(conn, id, state, at, rev)?;
            }
        }
        Ok(())
    }

    /// The folded state of a stream, if it is in memory.
    pub(crate) fn state(&self, stream_id: Uuid) -> Option<&Aggregate> {
        self.states.get(&stream_id)
    }
}

/// The state of `e`'s stream just before `e`.
fn state_before(conn: &Connection, e: &RecordedEvent) -> Result<Aggregate, AppError> {
    let mut agg = Aggregate::new(e.stream_type);
    if e.revision > 1 {
        for prior in read_stream(conn, e.stream_id, 0)? {
            if prior.revision >= e.revision {
                break;
            }
            agg.apply(&prior.event);
        }
    }
    Ok(agg)
}
