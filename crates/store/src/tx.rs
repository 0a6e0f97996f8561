//! Write transactions of the event store: append with an expected revision, the
//! canonical events a replica pulls, snapshots and the outbox, in one transaction.

use crate::error::StoreError;
use crate::types::*;
use crate::{from_millis, to_millis};
use chrono::{DateTime, Utc};
use daybook_domain::StreamType;
use rusqlite::{Connection, Transaction, params};
use uuid::Uuid;

use crate::read::stream_head;

/// One write transaction: appends, snapshots, outbox entries, and (through
/// [`StoreTx::conn`]) the projection updates of the same command all commit together.
pub struct StoreTx<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) account_id: Uuid,
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

    /// The first of `event_ids` already stored, if any.
    pub fn first_stored(
        &self,
        event_ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Option<Uuid>, StoreError> {
        for id in event_ids {
            if self.is_stored(id)? {
                return Ok(Some(id));
            }
        }
        Ok(None)
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
