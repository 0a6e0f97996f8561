//! Record history and the account timeline, read from the event log: who changed
//! what, when, from which device, field by field, and any record as it was.

use chrono::{DateTime, NaiveDate, Utc};
use daybook_domain::{Aggregate, Event, StreamType};
use daybook_store::{from_millis, read_stream, stream_head};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;

/// One field that changed: `path` like `lines[<line id>].quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldChange {
    /// Where in the record.
    pub path: String,
    /// Before (`null` when the field is new).
    pub old: Value,
    /// After (`null` when the field was removed).
    pub new: Value,
}

/// One event in a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryEntry {
    /// Local sequence.
    pub seq: i64,
    /// Revision of the record after this event.
    pub revision: u64,
    /// Event id.
    pub event_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// When it was committed.
    pub at: DateTime<Utc>,
    /// When the user gave the command (differs from `at` for work done offline).
    pub issued_at: DateTime<Utc>,
    /// Who.
    pub user: String,
    /// From which device.
    pub device: String,
    /// The command that caused it.
    pub command_id: Uuid,
    /// The event's data.
    pub data: Value,
    /// Field-level changes to the record's state.
    pub changes: Vec<FieldChange>,
}

/// A record's whole history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordHistory {
    /// The record.
    pub stream_id: Uuid,
    /// Its type.
    pub stream_type: StreamType,
    /// Events with their diffs.
    pub entries: Vec<HistoryEntry>,
}

/// Which moment of a record to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AsOf {
    /// After this revision.
    Revision(u64),
    /// As it was at this time: the events given (issued) at or before it, up to the
    /// first one given later. Work done offline keeps its own time, so the result
    /// is always a state the record really had.
    Time(DateTime<Utc>),
}

/// A record as it was at some moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StateAt {
    /// The record.
    pub stream_id: Uuid,
    /// Its type.
    pub stream_type: StreamType,
    /// The revision shown (0: did not exist yet).
    pub revision: u64,
    /// When that revision's command was given.
    pub at: Option<DateTime<Utc>>,
    /// The state (`null` if it did not exist yet).
    pub state: Value,
}

fn stream_type_of(conn: &Connection, id: Uuid) -> Result<StreamType, AppError> {
    stream_head(conn, id)?
        .map(|(t, _)| t)
        .ok_or(AppError::UnknownRecord(id))
}

fn event_data(e: &Event) -> Value {
    match serde_json::to_value(e) {
        Ok(Value::Object(mut m)) => m.remove("data").unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// A record's events with who, when, device, and field-level diffs by folding.
pub fn history(conn: &Connection, id: Uuid) -> Result<RecordHistory, AppError> {
    let stream_type = stream_type_of(conn, id)?;
    let mut agg = Aggregate::new(stream_type);
    let mut before = agg.state_json();
    let mut entries = Vec::new();
    for e in read_stream(conn, id, 0)? {
        agg.apply(&e.event);
        let after = agg.state_json();
        entries.push(HistoryEntry {
            seq: e.seq,
            revision: e.revision,
            event_id: e.event_id,
            event_type: e.event.event_type().to_string(),
            at: e.committed_at,
            issued_at: e.metadata.issued_at,
            user: e.metadata.user,
            device: e.metadata.device,
            command_id: e.metadata.command_id,
            data: event_data(&e.event),
            changes: diff(&before, &after),
        });
        before = after;
    }
    Ok(RecordHistory {
        stream_id: id,
        stream_type,
        entries,
    })
}

/// A record as of a revision or a moment.
pub fn state_at(conn: &Connection, id: Uuid, as_of: AsOf) -> Result<StateAt, AppError> {
    let stream_type = stream_type_of(conn, id)?;
    let mut agg = Aggregate::new(stream_type);
    let (mut revision, mut at) = (0, None);
    for e in read_stream(conn, id, 0)? {
        let include = match as_of {
            AsOf::Revision(r) => e.revision <= r,
            AsOf::Time(t) => e.metadata.issued_at <= t,
        };
        if !include {
            break;
        }
        agg.apply(&e.event);
        revision = e.revision;
        at = Some(e.metadata.issued_at);
    }
    Ok(StateAt {
        stream_id: id,
        stream_type,
        revision,
        at,
        state: agg.state_json(),
    })
}

/// A record folded to some moment, typed (documents draw on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAt {
    /// The state.
    pub aggregate: Aggregate,
    /// The revision shown (0: did not exist yet).
    pub revision: u64,
    /// When that revision's command was given.
    pub at: Option<DateTime<Utc>>,
}

/// A record as of a revision or a moment, as its typed state; `None` when no record
/// has this id.
pub fn record_at(conn: &Connection, id: Uuid, as_of: AsOf) -> Result<Option<RecordAt>, AppError> {
    let Some((stream_type, _)) = stream_head(conn, id)? else {
        return Ok(None);
    };
    let mut folded = RecordAt {
        aggregate: Aggregate::new(stream_type),
        revision: 0,
        at: None,
    };
    for e in read_stream(conn, id, 0)? {
        let include = match as_of {
            AsOf::Revision(r) => e.revision <= r,
            AsOf::Time(t) => e.metadata.issued_at <= t,
        };
        if !include {
            break;
        }
        folded.aggregate.apply(&e.event);
        folded.revision = e.revision;
        folded.at = Some(e.metadata.issued_at);
    }
    Ok(Some(folded))
}

/// A record as it was just after its first event of one of `event_types` (say, an
/// order at its placing, or its release when it was held first); `None` when it has no
/// such event.
pub fn record_at_event(
    conn: &Connection,
    id: Uuid,
    event_types: &[&str],
) -> Result<Option<RecordAt>, AppError> {
    let Some((stream_type, _)) = stream_head(conn, id)? else {
        return Ok(None);
    };
    let mut aggregate = Aggregate::new(stream_type);
    for e in read_stream(conn, id, 0)? {
        aggregate.apply(&e.event);
        if event_types.contains(&e.event.event_type()) {
            return Ok(Some(RecordAt {
                aggregate,
                revision: e.revision,
                at: Some(e.metadata.issued_at),
            }));
        }
    }
    Ok(None)
}

/// The leaf-level differences between two states.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    flatten("", old, &mut a);
    flatten("", new, &mut b);
    let a: std::collections::BTreeMap<_, _> = a.into_iter().collect();
    let b: std::collections::BTreeMap<_, _> = b.into_iter().collect();
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            // A missing field and a null one are the same to a person.
            let old = a.get(k).cloned().unwrap_or(Value::Null);
            let new = b.get(k).cloned().unwrap_or(Value::Null);
            (old != new).then(|| FieldChange {
                path: k.clone(),
                old,
                new,
            })
        })
        .collect()
}

/// Flattens to `(path, leaf)`. Arrays of objects with an `id` are keyed by that id,
/// so removing the first line does not show every other line as changed.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let key = match item.get("id").and_then(Value::as_str) {
                    Some(id) => format!("{prefix}[{id}]"),
                    None => format!("{prefix}[{i}]"),
                };
                flatten(&key, item, out);
            }
        }
        Value::Null if prefix.is_empty() => {}
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

/// Filters of the account timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct TimelineFilter {
    /// Only this record type.
    pub stream_type: Option<StreamType>,
    /// Only this event type.
    pub event_type: Option<String>,
    /// Only this user's events.
    pub user: Option<String>,
    /// Given on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Given on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Page cursor: only events older than this sequence.
    pub before_seq: Option<i64>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<u64>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineEntry {
    /// Local sequence.
    pub seq: i64,
    /// The record.
    pub stream_id: Uuid,
    /// Its type.
    pub stream_type: StreamType,
    /// A label for the record (order number, customer name, product code), if known.
    pub label: Option<String>,
    /// Revision.
    pub revision: u64,
    /// Event type.
    pub event_type: String,
    /// Who.
    pub user: String,
    /// Device.
    pub device: String,
    /// When the command was given.
    pub at: DateTime<Utc>,
}

/// A page of the timeline, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelinePage {
    /// Entries.
    pub entries: Vec<TimelineEntry>,
    /// Cursor for the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

fn day_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

fn timeline_filter(f: &TimelineFilter, with_cursor: bool) -> (String, Vec<SqlValue>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    if let Some(t) = f.stream_type {
        clauses.push("e.stream_type = ?");
        args.push(SqlValue::Text(t.as_str().into()));
    }
    if let Some(t) = &f.event_type {
        clauses.push("e.event_type = ?");
        args.push(SqlValue::Text(t.clone()));
    }
    if let Some(u) = &f.user {
        clauses.push("e.user_id = ?");
        args.push(SqlValue::Text(u.clone()));
    }
    if let Some(d) = f.from {
        clauses.push("e.issued_at >= ?");
        args.push(SqlValue::Integer(day_ms(d)));
    }
    if let Some(d) = f.to {
        clauses.push("e.issued_at < ?");
        args.push(SqlValue::Integer(day_ms(d) + 86_400_000));
    }
    if with_cursor && let Some(s) = f.before_seq {
        clauses.push("e.seq < ?");
        args.push(SqlValue::Integer(s));
    }
    let w = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (w, args)
}

/// The account's events, newest first, filtered and paged by a sequence cursor.
pub fn timeline(conn: &Connection, f: &TimelineFilter) -> Result<TimelinePage, AppError> {
    let limit = f.limit.unwrap_or(50).clamp(1, 1000);
    let (filter, args) = timeline_filter(f, true);
    let sql = format!(
        "SELECT e.seq, e.stream_id, e.stream_type, e.revision, e.event_type, e.user_id,
            e.device_id, e.issued_at,
            coalesce(o.number, c.name, p.code)
         FROM events e
         LEFT JOIN p_orders o ON e.stream_type = 'SalesOrder' AND o.id = e.stream_id
         LEFT JOIN p_customers c ON e.stream_type = 'Customer' AND c.id = e.stream_id
         LEFT JOIN p_products p ON e.stream_type = 'Product' AND p.id = e.stream_id
         {filter} ORDER BY e.seq DESC LIMIT {}",
        limit + 1
    );
    let mut entries = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), |r| {
            let t: String = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Uuid>(1)?,
                t,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?
        .map(|row| {
            let (seq, stream_id, t, revision, event_type, user, device, at, label) = row?;
            Ok(TimelineEntry {
                seq,
                stream_id,
                stream_type: StreamType::parse(&t).ok_or_else(|| {
                    AppError::Store(daybook_store::StoreError::Corrupt(format!(
                        "event #{seq}: stream type {t}"
                    )))
                })?,
                label,
                revision: revision as u64,
                event_type,
                user,
                device,
                at: from_millis(at),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let next_before = if entries.len() as u64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(TimelinePage {
        entries,
        next_before,
    })
}

/// Events on one day, for the activity chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayCount {
    /// The day (UTC).
    pub day: NaiveDate,
    /// Events given that day.
    pub events: i64,
}

/// Events per day (UTC) matching the filter (cursor and limit ignored), for the chart.
pub fn activity(conn: &Connection, f: &TimelineFilter) -> Result<Vec<DayCount>, AppError> {
    let (filter, args) = timeline_filter(f, false);
    let sql = format!(
        "SELECT e.issued_at / 86400000 AS d, count(*) FROM events e {filter}
         GROUP BY d ORDER BY d"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(d, n)| {
            DateTime::from_timestamp(d * 86_400, 0).map(|t| DayCount {
                day: t.date_naive(),
                events: n,
            })
        })
        .collect())
}

/// The distinct users who appear in the log (for the timeline's user filter).
pub fn users(conn: &Connection) -> Result<Vec<String>, AppError> {
    Ok(conn
        .prepare_cached("SELECT DISTINCT user_id FROM events ORDER BY user_id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?)
}
