//! The event log in PostgreSQL: an account's committed head, pages of events up to it
//! (pulls, and a cache catching up), and the insert of a push's new events.
//!
//! **Architecture Invariant:** a reader reads `accounts.head` first and then the
//! events up to it, so a page is always a prefix of what is committed (a push moves
//! `head` in the transaction that inserts its events, under the account's row lock).

use chrono::{DateTime, Utc};
use daybook_protocol::PullResponse;
use daybook_store::{Metadata, RawEvent};
use deadpool_postgres::Pool;
use tokio::runtime::Handle;
use tokio_postgres::Row;
use uuid::Uuid;

use super::push::{Transaction, stmt};
use crate::error::ServerError;
use crate::sync;

/// Events of an account after a sequence, up to a head, in order, at most so many.
pub(super) const SELECT_EVENTS: &str = "SELECT seq, event_id, stream_id, stream_type, revision, \
     event_type, schema_version, payload, user_id, device_id, command_id, causation_id, \
     correlation_id, issued_at, committed_at FROM events \
     WHERE account_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4";

/// Up to `limit` events of `account` after `after`, and the head they were read under.
pub(super) async fn pull(
    pool: &Pool,
    account: Uuid,
    after: i64,
    limit: usize,
) -> Result<PullResponse, ServerError> {
    let client = pool.get().await?;
    // The head first: every event up to it is committed, so the page is whole.
    let head = account_head(&client, account).await?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let events_stmt = client.prepare_cached(SELECT_EVENTS).await?;
    let rows = client
        .query(&events_stmt, &[&account, &after, &head, &limit])
        .await?;
    let events = rows
        .iter()
        .map(|r| raw_event(r).and_then(sync::wire_event))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PullResponse { events, head })
}

/// The account's committed head (`accounts.head`).
pub(super) async fn account_head(
    client: &deadpool_postgres::ClientWrapper,
    account: Uuid,
) -> Result<i64, ServerError> {
    let stmt = client
        .prepare_cached("SELECT head FROM accounts WHERE id = $1")
        .await?;
    client
        .query_opt(&stmt, &[&account])
        .await?
        .ok_or_else(|| ServerError::Invalid(format!("no account has id {account}")))?
        .try_get(0)
        .map_err(ServerError::from)
}

/// Inserts a push's new events (numbered by the caller) in one `unnest` statement.
pub(super) fn insert_events(
    rt: &Handle,
    tx: &Transaction<'_>,
    account: Uuid,
    events: &[RawEvent],
) -> Result<(), ServerError> {
    if events.is_empty() {
        return Ok(());
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    let streams: Vec<Uuid> = events.iter().map(|e| e.stream_id).collect();
    let stream_types: Vec<&str> = events.iter().map(|e| e.stream_type.as_str()).collect();
    let revisions: Vec<i64> = events
        .iter()
        .map(|e| i64::try_from(e.revision).unwrap_or(i64::MAX))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let versions: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.schema_version).unwrap_or(i32::MAX))
        .collect();
    let payloads: Vec<&str> = events.iter().map(|e| e.payload.as_str()).collect();
    let users: Vec<&str> = events.iter().map(|e| e.metadata.user.as_str()).collect();
    let devices: Vec<&str> = events.iter().map(|e| e.metadata.device.as_str()).collect();
    let commands: Vec<Uuid> = events.iter().map(|e| e.metadata.command_id).collect();
    let causations: Vec<Option<Uuid>> = events.iter().map(|e| e.metadata.causation_id).collect();
    let correlations: Vec<Option<Uuid>> =
        events.iter().map(|e| e.metadata.correlation_id).collect();
    let issued: Vec<DateTime<Utc>> = events.iter().map(|e| e.metadata.issued_at).collect();
    let committed: Vec<DateTime<Utc>> = events.iter().map(|e| e.committed_at).collect();
    rt.block_on(tx.execute(
        &stmt(
            rt,
            tx,
            "INSERT INTO events (account_id, seq, event_id, stream_id, stream_type, revision,
             event_type, schema_version, payload, user_id, device_id, command_id,
             causation_id, correlation_id, issued_at, committed_at)
         SELECT $1, u.* FROM unnest($2::bigint[], $3::uuid[], $4::uuid[], $5::text[],
             $6::bigint[], $7::text[], $8::int4[], $9::text[], $10::text[], $11::text[],
             $12::uuid[], $13::uuid[], $14::uuid[], $15::timestamptz[], $16::timestamptz[]) AS u",
        )?,
        &[
            &account,
            &seqs,
            &ids,
            &streams,
            &stream_types,
            &revisions,
            &types,
            &versions,
            &payloads,
            &users,
            &devices,
            &commands,
            &causations,
            &correlations,
            &issued,
            &committed,
        ],
    ))?;
    Ok(())
}

/// An event row as the store's [`RawEvent`] (its sequence is the server's).
pub(super) fn raw_event(r: &Row) -> Result<RawEvent, ServerError> {
    let seq: i64 = r.try_get(0)?;
    let stream_type: String = r.try_get(3)?;
    let revision: i64 = r.try_get(4)?;
    let schema_version: i32 = r.try_get(6)?;
    Ok(RawEvent {
        seq,
        event_id: r.try_get(1)?,
        stream_id: r.try_get(2)?,
        stream_type: daybook_domain::StreamType::parse(&stream_type).ok_or_else(|| {
            ServerError::Corrupt(format!("event #{seq} has stream type {stream_type}"))
        })?,
        revision: u64::try_from(revision)
            .map_err(|_| ServerError::Corrupt(format!("event #{seq} has revision {revision}")))?,
        event_type: r.try_get(5)?,
        schema_version: u32::try_from(schema_version).map_err(|_| {
            ServerError::Corrupt(format!("event #{seq} has schema version {schema_version}"))
        })?,
        payload: r.try_get(7)?,
        metadata: Metadata {
            user: r.try_get(8)?,
            device: r.try_get(9)?,
            command_id: r.try_get(10)?,
            causation_id: r.try_get(11)?,
            correlation_id: r.try_get(12)?,
            issued_at: r.try_get(13)?,
        },
        committed_at: r.try_get(14)?,
        server_seq: Some(seq),
    })
}
