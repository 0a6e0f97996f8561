//! Records told in words: a record's whole history, one event, a customer's history
//! with its orders' major events, and a page of the account timeline with what each
//! event changed in one line.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use daybook_domain::{Aggregate, StreamType};
use daybook_store::read_stream;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Names, ReadableEntry, tell};
use crate::error::AppError;
use crate::history::{TimelineEntry, TimelinePage};

/// One event of a record, at `revision`, in words (the account timeline's one line);
/// `None` when the record has no such revision.
pub fn readable_event(
    conn: &Connection,
    id: Uuid,
    revision: u64,
) -> Result<Option<ReadableEntry>, AppError> {
    let Some((stream_type, _)) = daybook_store::stream_head(conn, id)? else {
        return Ok(None);
    };
    let names = Names::new(conn)?;
    let mut agg = Aggregate::new(stream_type);
    for e in read_stream(conn, id, 0)? {
        if e.revision == revision {
            let (title, rows) = tell(&names, &agg, &e.event, e.metadata.issued_at)?;
            return Ok(Some(ReadableEntry {
                revision: e.revision,
                issued_at: e.metadata.issued_at,
                at: e.committed_at,
                synced: e.server_seq.is_some(),
                name: names.person(&e.metadata.user),
                user: e.metadata.user,
                device: e.metadata.device,
                title,
                rows,
            }));
        }
        agg.apply(&e.event);
    }
    Ok(None)
}

/// A record's history in words, oldest first.
pub fn readable_history(conn: &Connection, id: Uuid) -> Result<Vec<ReadableEntry>, AppError> {
    let Some((stream_type, _)) = daybook_store::stream_head(conn, id)? else {
        return Err(AppError::UnknownRecord(id));
    };
    let names = Names::new(conn)?;
    let mut agg = Aggregate::new(stream_type);
    let mut out = Vec::new();
    for e in read_stream(conn, id, 0)? {
        let (title, rows) = tell(&names, &agg, &e.event, e.metadata.issued_at)?;
        agg.apply(&e.event);
        out.push(ReadableEntry {
            revision: e.revision,
            issued_at: e.metadata.issued_at,
            at: e.committed_at,
            synced: e.server_seq.is_some(),
            name: names.person(&e.metadata.user),
            user: e.metadata.user,
            device: e.metadata.device,
            title,
            rows,
        });
    }
    Ok(out)
}

/// The order events a customer's history can show beside its own changes.
pub const MAJOR_ORDER_EVENTS: [&str; 9] = [
    "OrderCustomerChanged",
    "OrderDiscarded",
    "OrderPlaced",
    "OrderHeld",
    "OrderReleased",
    "HeldOrderRefused",
    "OrderCancelled",
    "OrderDelivered",
    "OrderInvoiced",
];

/// One row of a customer's history with its orders: its own change, or a major event
/// of one of its orders (`order` set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerHistoryEntry {
    /// The record the event belongs to (the customer or one of its orders).
    pub stream_id: Uuid,
    /// The order's number when the event is an order's.
    pub order: Option<String>,
    /// The event in words.
    pub entry: ReadableEntry,
}

/// A customer's history in words with the major events of its orders (placed, held,
/// released, refused, cancelled, delivered, invoiced), oldest first by the time they were given.
pub fn customer_history_with_orders(
    conn: &Connection,
    customer_id: Uuid,
) -> Result<Vec<CustomerHistoryEntry>, AppError> {
    // Each entry with its place in the log, which orders what was given in the same
    // millisecond as it happened.
    let own: HashMap<u64, i64> = read_stream(conn, customer_id, 0)?
        .into_iter()
        .map(|e| (e.revision, e.seq))
        .collect();
    let mut out: Vec<(i64, CustomerHistoryEntry)> = readable_history(conn, customer_id)?
        .into_iter()
        .map(|entry| {
            let seq = own.get(&entry.revision).copied().unwrap_or_default();
            let e = CustomerHistoryEntry {
                stream_id: customer_id,
                order: None,
                entry,
            };
            (seq, e)
        })
        .collect();
    let orders = conn
        .prepare_cached("SELECT id, number FROM p_orders WHERE customer_id = ?1")?
        .query_map([customer_id], |r| Ok((r.get::<_, Uuid>(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(Uuid, String)>, _>>()?;
    for (id, number) in orders {
        let major: HashMap<u64, i64> = read_stream(conn, id, 0)?
            .into_iter()
            .filter(|e| MAJOR_ORDER_EVENTS.contains(&e.event.event_type()))
            .map(|e| (e.revision, e.seq))
            .collect();
        if major.is_empty() {
            continue;
        }
        for entry in readable_history(conn, id)? {
            if let Some(seq) = major.get(&entry.revision) {
                let e = CustomerHistoryEntry {
                    stream_id: id,
                    order: Some(number.clone()),
                    entry,
                };
                out.push((*seq, e));
            }
        }
    }
    out.sort_by_key(|(seq, e)| (e.entry.issued_at, *seq));
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// One line of the account timeline, told: what happened and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineLine {
    /// The event, where and by whom.
    pub entry: TimelineEntry,
    /// Who, as people read it, when the account's directory knows the login.
    pub name: Option<String>,
    /// What happened, in words ("Line added", "Placed").
    pub title: String,
    /// What it changed, in one line: its rows joined by "; " (empty when nothing
    /// but the event itself is news, as for "Unblocked").
    pub change: String,
}

/// A page of the account timeline in words, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineInWords {
    /// Lines.
    pub entries: Vec<TimelineLine>,
    /// Cursor for the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

/// A timeline page told in words: each record on the page is folded once, up to its
/// newest event on the page, and each of its events on the page is told against the
/// state just before it (names, amounts and statuses as they were).
pub fn timeline_in_words(
    conn: &Connection,
    page: TimelinePage,
) -> Result<TimelineInWords, AppError> {
    let mut wanted: BTreeMap<Uuid, (StreamType, BTreeSet<u64>)> = BTreeMap::new();
    for e in &page.entries {
        wanted
            .entry(e.stream_id)
            .or_insert_with(|| (e.stream_type, BTreeSet::new()))
            .1
            .insert(e.revision);
    }
    let names = Names::new(conn)?;
    let mut told: HashMap<(Uuid, u64), (String, Vec<String>)> = HashMap::new();
    for (id, (stream_type, revisions)) in wanted {
        let last = revisions.last().copied().unwrap_or(0);
        let mut agg = Aggregate::new(stream_type);
        for e in read_stream(conn, id, 0)? {
            if e.revision > last {
                break;
            }
            if revisions.contains(&e.revision) {
                let words = tell(&names, &agg, &e.event, e.metadata.issued_at)?;
                told.insert((id, e.revision), words);
            }
            agg.apply(&e.event);
        }
    }
    let entries = page
        .entries
        .into_iter()
        .map(|entry| {
            let (title, rows) = told
                .remove(&(entry.stream_id, entry.revision))
                .unwrap_or_else(|| (entry.event_type.clone(), Vec::new()));
            TimelineLine {
                name: names.person(&entry.user),
                entry,
                title,
                change: rows.join("; "),
            }
        })
        .collect();
    Ok(TimelineInWords {
        entries,
        next_before: page.next_before,
    })
}
