//! The SQLite adapter: connection set-up (WAL, synchronous=FULL), appends, reads,
//! snapshots and the outbox.

use std::path::Path;

use chrono::{DateTime, Utc};
use daybook_domain::{StreamType, upcast};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use crate::error::StoreError;
use crate::schema::migrate;
use crate::settings;
use crate::types::*;
use crate::{from_millis, to_millis};

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a commit is on disk when it returns (one fsync per commit).
    /// The default: a command is acknowledged only once durable.
    #[default]
    Full,
    /// `synchronous=NORMAL`: in WAL mode a power cut may lose the last commits but
    /// never corrupts. Only for throw-away stores (tests, benchmarks of other costs).
    Normal,
}

/// How to open a store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Commit durability.
    pub durability: Durability,
}

/// An open event store. One writer connection; see `open_reader` for more readers.
pub struct EventStore {
    conn: Connection,
    account_id: Uuid,
}

const EVENT_COLUMNS: &str = "seq, event_id, account_id, stream_id, stream_type, revision, \
     event_type, schema_version, payload, user_id, device_id, command_id, causation_id, \
     correlation_id, issued_at, committed_at, server_seq";

fn configure(conn: &Connection, durability: Durability) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -64_000)?; // 64 MB
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    stable_plans(conn)?;
    Ok(())
}

/// SQLite (3.54) marks statements whose plan could depend on a bound value as
/// "re-prepare when rebound", and rusqlite's statement cache rebinds every use: the
/// hot reads were parsed and planned again on every call (a third of the command
/// path). With the query planner stability guarantee on, plans never depend on
/// bound values (there are no ANALYZE statistics for them to use anyway).
fn stable_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

impl EventStore {
    /// Opens (creating if needed) the store at `path` and applies migrations. A
    /// damaged file (SQLite says corrupt or not a database, or tables of its schema
    /// version are missing) is [`StoreError::FileCorrupt`]. Only the header and the
    /// schema are read here: a full check is `PRAGMA quick_check`/`integrity_check`,
    /// too slow for every start on a large store.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::Sqlite(e).classify())?;
        Self::init(conn, options).map_err(StoreError::classify)
    }

    /// A private in-memory store (tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, &StoreOptions::default())
    }

    /// A second, read-only connection to the same file, for queries off the writer.
    pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(256);
        stable_plans(&conn)?;
        Ok(conn)
    }

    fn init(mut conn: Connection, options: &StoreOptions) -> Result<Self, StoreError> {
        configure(&conn, options.durability)?;
        migrate(&mut conn)?;
        crate::schema::check_schema(&conn)?;
        let account_id = match settings::ACCOUNT_ID.get(&conn)? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                settings::ACCOUNT_ID.set(&conn, &id)?;
                id
            }
        };
        Ok(EventStore { conn, account_id })
    }

    /// The tenant this local store belongs to.
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// Binds the store to another account (a device joining an existing account).
    pub fn set_account_id(&mut self, id: Uuid) -> Result<(), StoreError> {
        settings::ACCOUNT_ID.set(&self.conn, &id)?;
        self.account_id = id;
        Ok(())
    }

    /// The connection, for reads (queries, projections' read side).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: the write lock is taken up front,
    /// so two writers never deadlock on lock upgrade). Dropping it rolls back.
    pub fn begin(&mut self) -> Result<StoreTx<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(StoreTx {
            tx,
            account_id: self.account_id,
        })
    }

    /// A setting of this store.
    pub fn setting<T: settings::Value>(
        &self,
        setting: settings::Setting<T>,
    ) -> Result<Option<T>, StoreError> {
        setting.get(&self.conn)
    }

    /// Changes a setting of this store (its own transaction).
    pub fn set_setting<T: settings::Value>(
        &self,
        setting: settings::Setting<T>,
        value: &T,
    ) -> Result<(), StoreError> {
        setting.set(&self.conn, value)
    }
}

/// One write transaction: appends, snapshots, outbox entries, and (through
/// [`StoreTx::conn`]) the projection updates of the same command all commit together.
pub struct StoreTx<'a> {
    tx: Transaction<'a>,
    account_id: Uuid,
}

impl StoreTx<'_> {
    /// The transaction's connection, for projection writes in the same transaction.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The tenant.
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// Commits everything written through this transaction.
    pub fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }

    /// Runs `f` inside a savepoint: if it fails, only its writes are undone and the
    /// transaction goes on (bulk work: one bad command must not lose the batch).
    pub fn savepoint<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&StoreTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let run = |sql: &str| -> Result<(), StoreError> {
            self.tx.prepare_cached(sql)?.execute([])?;
            Ok(())
        };
        run("SAVEPOINT cmd")?;
        match f(self) {
            Ok(v) => {
                run("RELEASE cmd")?;
                Ok(v)
            }
            Err(e) => {
                run("ROLLBACK TO cmd")?;
                run("RELEASE cmd")?;
                Err(e)
            }
        }
    }

    /// Appends `events` to a stream if its revision is as expected.
    ///
    /// If the batch's event ids are all stored already, nothing is written and
    /// [`Appended::AlreadyStored`] is returned: a retried append is a no-op.
    pub fn append(
        &self,
        stream_id: Uuid,
        stream_type: StreamType,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
        metadata: &Metadata,
        committed_at: DateTime<Utc>,
    ) -> Result<Appended, StoreError> {
        let Some(first) = events.first() else {
            return Ok(Appended::Written(Vec::new()));
        };
        if self.is_stored(first.event_id)? {
            for e in &events[1..] {
                if !self.is_stored(e.event_id)? {
                    return Err(StoreError::PartialDuplicate {
                        event_id: first.event_id,
                    });
                }
            }
            return Ok(Appended::AlreadyStored);
        }
        let head = stream_head(&self.tx, stream_id)?;
        let actual = head.map_or(0, |(_, r)| r);
        if let Some((t, _)) = head
            && t != stream_type
        {
            return Err(StoreError::StreamTypeMismatch {
                stream_id,
                expected: stream_type,
                actual: t,
            });
        }
        let ok = match expected {
            ExpectedRevision::Any => true,
            ExpectedRevision::NoStream => actual == 0,
            ExpectedRevision::Exact(r) => actual == r,
        };
        if !ok {
            return Err(StoreError::Conflict {
                stream_id,
                expected,
                actual,
            });
        }
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO events (event_id, account_id, stream_id, stream_type, revision,
                event_type, schema_version, payload, user_id, device_id, command_id,
                causation_id, correlation_id, issued_at, committed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let at = to_millis(committed_at);
        let mut out = Vec::with_capacity(events.len());
        for (i, ne) in events.into_iter().enumerate() {
            let revision = actual + 1 + i as u64;
            let payload = ne.event.payload_json()?;
            stmt.execute(params![
                ne.event_id,
                self.account_id,
                stream_id,
                stream_type.as_str(),
                revision as i64,
                ne.event.event_type(),
                ne.event.schema_version(),
                payload,
                metadata.user,
                metadata.device,
                metadata.command_id,
                metadata.causation_id,
                metadata.correlation_id,
                to_millis(metadata.issued_at),
                at,
            ])?;
            out.push(RecordedEvent {
                seq: self.tx.last_insert_rowid(),
                event_id: ne.event_id,
                account_id: self.account_id,
                stream_id,
                stream_type,
                revision,
                stored_version: ne.event.schema_version(),
                event: ne.event,
                metadata: metadata.clone(),
                committed_at: from_millis(at),
                server_seq: None,
            });
        }
        Ok(Appended::Written(out))
    }

    fn is_stored(&self, event_id: Uuid) -> Result<bool, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM events WHERE event_id = ?1")?;
        Ok(stmt.exists([event_id])?)
    }

    /// Stores a replica's copy of a canonical event (a client applying what it pulled),
    /// exactly as the server has it, with the server's sequence. Returns its local
    /// sequence. The caller keeps stream revisions in order.
    pub fn insert_canonical(&self, e: &RawEvent, server_seq: i64) -> Result<i64, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO events (event_id, account_id, stream_id, stream_type, revision,
                event_type, schema_version, payload, user_id, device_id, command_id,
                causation_id, correlation_id, issued_at, committed_at, server_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        stmt.execute(params![
            e.event_id,
            self.account_id,
            e.stream_id,
            e.stream_type.as_str(),
            e.revision as i64,
            e.event_type,
            e.schema_version,
            e.payload,
            e.metadata.user,
            e.metadata.device,
            e.metadata.command_id,
            e.metadata.causation_id,
            e.metadata.correlation_id,
            to_millis(e.metadata.issued_at),
            to_millis(e.committed_at),
            server_seq,
        ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Marks a local (speculative) event as the server's: its sequence, commit time
    /// and the metadata the server recorded. The payload is already identical.
    pub fn confirm(&self, e: &RawEvent, server_seq: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE events SET server_seq = ?2, committed_at = ?3, user_id = ?4,
                    device_id = ?5, account_id = ?6 WHERE event_id = ?1",
            )?
            .execute(params![
                e.event_id,
                server_seq,
                to_millis(e.committed_at),
                e.metadata.user,
                e.metadata.device,
                self.account_id
            ])?;
        Ok(())
    }

    /// Removes the speculative (not yet server-accepted) events of `stream_id` and its
    /// snapshot: a replica does this before laying the server's version underneath.
    pub fn delete_speculative(&self, stream_id: Uuid) -> Result<usize, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM snapshots WHERE stream_id = ?1")?
            .execute([stream_id])?;
        Ok(self
            .tx
            .prepare_cached("DELETE FROM events WHERE stream_id = ?1 AND server_seq IS NULL")?
            .execute([stream_id])?)
    }

    /// Stores (replacing) a stream's snapshot.
    pub fn save_snapshot(&self, s: &Snapshot) -> Result<(), StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO snapshots (stream_id, stream_type, revision, state_version, state)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (stream_id) DO UPDATE SET stream_type = excluded.stream_type,
                revision = excluded.revision, state_version = excluded.state_version,
                state = excluded.state",
        )?;
        stmt.execute(params![
            s.stream_id,
            s.stream_type.as_str(),
            s.revision as i64,
            s.state_version,
            s.state
        ])?;
        Ok(())
    }

    /// Records a command in the outbox (status pending) with its envelope JSON and
    /// the user who gave it.
    pub fn record_outbox(
        &self,
        command_id: Uuid,
        stream_id: Uuid,
        envelope_json: &str,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO outbox (command_id, stream_id, envelope, user_id, status, recorded_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
        )?;
        stmt.execute(params![
            command_id,
            stream_id,
            envelope_json,
            user,
            to_millis(at)
        ])?;
        Ok(())
    }
}

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

fn decode_row(row: &Row<'_>) -> Result<RecordedEvent, StoreError> {
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
