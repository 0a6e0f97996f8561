//! Reads of the event store: a stream, the whole log in order, raw rows for sync,
//! snapshots and the outbox; old payloads are upcast on the way out.

use crate::error::StoreError;
use crate::from_millis;
use crate::types::*;
use daybook_domain::{StreamType, upcast};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use crate::sqlite::EVENT_COLUMNS;

/// The metadata columns of an `EVENT_COLUMNS` row.
fn metadata_of(row: &Row<'_>) -> Result<Metadata, StoreError> {
    Ok(Metadata {
        user: row.get(9)?,
        device: row.get(10)?,
        command_id: row.get(11)?,
        causation_id: row.get(12)?,
        correlation_id: row.get(13)?,
        issued_at: from_millis(row.get(14)?),
    })
}

/// The stream type column (`col`) of row `seq`.
fn stream_type_of(row: &Row<'_>, col: usize, seq: i64) -> Result<StreamType, StoreError> {
    let t = row.get_ref(col)?.as_str().map_err(rusqlite::Error::from)?;
    StreamType::parse(t)
        .ok_or_else(|| StoreError::Corrupt(format!("event #{seq}: stream type {t}")))
}

pub(crate) fn decode_row(row: &Row<'_>) -> Result<RecordedEvent, StoreError> {
    let seq: i64 = row.get(0)?;
    let stream_type = stream_type_of(row, 4, seq)?;
    let event_type = row.get_ref(6)?.as_str().map_err(rusqlite::Error::from)?;
    let version: u32 = row.get(7)?;
    let payload = row.get_ref(8)?.as_str().map_err(rusqlite::Error::from)?;
    let event = upcast::decode(event_type, version, payload)
        .map_err(|source| StoreError::Decode { seq, source })?;
    let revision: i64 = row.get(5)?;
    Ok(RecordedEvent {
        seq,
        event_id: row.get(1)?,
        account_id: row.get(2)?,
        stream_id: row.get(3)?,
        stream_type,
        revision: revision as u64,
        stored_version: version,
        event,
        metadata: metadata_of(row)?,
        committed_at: from_millis(row.get(15)?),
        server_seq: row.get(16)?,
    })
}

fn raw_row(row: &Row<'_>) -> Result<RawEvent, StoreError> {
    let seq: i64 = row.get(0)?;
    let revision: i64 = row.get(5)?;
    Ok(RawEvent {
        seq,
        event_id: row.get(1)?,
        stream_id: row.get(3)?,
        stream_type: stream_type_of(row, 4, seq)?,
        revision: revision as u64,
        event_type: row.get(6)?,
        schema_version: row.get(7)?,
        payload: row.get(8)?,
        metadata: metadata_of(row)?,
        committed_at: from_millis(row.get(15)?),
        server_seq: row.get(16)?,
    })
}

/// Up to `limit` rows with sequence > `after_seq`, payloads undecoded (sync).
pub fn read_raw(
    conn: &Connection,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<RawEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![after_seq, limit.min(i64::MAX as usize) as i64])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(raw_row(row)?);
    }
    Ok(out)
}

/// One row by event id, payload undecoded.
pub fn raw_event(conn: &Connection, event_id: Uuid) -> Result<Option<RawEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE event_id = ?1"
    ))?;
    let mut rows = stmt.query([event_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(raw_row(row)?)),
        None => Ok(None),
    }
}

/// The highest local sequence (0 for an empty store).
pub fn head(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?)
}

/// The events of one stream with revision > `after_revision`, in order.
pub fn read_stream(
    conn: &Connection,
    stream_id: Uuid,
    after_revision: u64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = ?1 AND revision > ?2 ORDER BY revision"
    ))?;
    let mut rows = stmt.query(params![stream_id, after_revision as i64])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode_row(row)?);
    }
    Ok(out)
}

/// The events of one stream after `after_revision`, decoded but without metadata:
/// what loading an aggregate needs, and no more. Each item is the stream's type,
/// the revision and the event.
pub fn read_stream_events(
    conn: &Connection,
    stream_id: Uuid,
    after_revision: u64,
) -> Result<Vec<(StreamType, u64, daybook_domain::Event)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, stream_type, revision, event_type, schema_version, payload FROM events
         WHERE stream_id = ?1 AND revision > ?2 ORDER BY revision",
    )?;
    let mut rows = stmt.query(params![stream_id, after_revision as i64])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let stream_type = stream_type_of(row, 1, seq)?;
        let revision: i64 = row.get(2)?;
        let event_type = row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        let version: u32 = row.get(4)?;
        let payload = row.get_ref(5)?.as_str().map_err(rusqlite::Error::from)?;
        let event = upcast::decode(event_type, version, payload)
            .map_err(|source| StoreError::Decode { seq, source })?;
        out.push((stream_type, revision as u64, event));
    }
    Ok(out)
}

/// Up to `limit` events with local sequence > `after_seq`, in order.
pub fn read_all(
    conn: &Connection,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![after_seq, limit.min(i64::MAX as usize) as i64])?;
    let mut out = Vec::with_capacity(limit.min(10_000));
    while let Some(row) = rows.next()? {
        out.push(decode_row(row)?);
    }
    Ok(out)
}

/// Calls `f` for every event with sequence > `after_seq`, in order, without holding
/// the whole log in memory (rebuilds).
pub fn for_each_event<E: From<StoreError>>(
    conn: &Connection,
    after_seq: i64,
    mut f: impl FnMut(RecordedEvent) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq"
        ))
        .map_err(StoreError::from)?;
    let mut rows = stmt.query([after_seq]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        f(decode_row(row)?)?;
    }
    Ok(())
}

/// A stream's type and last revision, or `None` if it has no events.
pub fn stream_head(
    conn: &Connection,
    stream_id: Uuid,
) -> Result<Option<(StreamType, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT stream_type, revision FROM events WHERE stream_id = ?1
         ORDER BY revision DESC LIMIT 1",
    )?;
    let row: Option<(String, i64)> = stmt
        .query_row([stream_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((t, r)) => {
            let t = StreamType::parse(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("stream {stream_id}: type {t}")))?;
            Ok(Some((t, r as u64)))
        }
    }
}

/// The stream's snapshot, if one was taken.
pub fn load_snapshot(conn: &Connection, stream_id: Uuid) -> Result<Option<Snapshot>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT stream_type, revision, state_version, state FROM snapshots WHERE stream_id = ?1",
    )?;
    let row: Option<(String, i64, u32, String)> = stmt
        .query_row([stream_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    row.map(|(t, revision, state_version, state)| {
        Ok(Snapshot {
            stream_id,
            stream_type: StreamType::parse(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("snapshot {stream_id}: type {t}")))?,
            revision: revision as u64,
            state_version,
            state,
        })
    })
    .transpose()
}

/// Outbox entries with `status`, oldest first.
pub fn outbox(
    conn: &Connection,
    status: OutboxStatus,
    limit: usize,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT position, command_id, stream_id, envelope, status, error FROM outbox
         WHERE status = ?1 ORDER BY position LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![status.as_str(), limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Uuid>(1)?,
            r.get::<_, Uuid>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (position, command_id, stream_id, envelope, status_s, error) = row?;
        let status = OutboxStatus::parse(&status_s)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox status {status_s}")))?;
        out.push(OutboxEntry {
            position,
            command_id,
            stream_id,
            envelope,
            status,
            error,
        });
    }
    Ok(out)
}

/// Number of outbox entries with `status`.
pub fn outbox_count(conn: &Connection, status: OutboxStatus) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE status = ?1",
        [status.as_str()],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
