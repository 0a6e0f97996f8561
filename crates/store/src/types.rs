//! Values that go into and come out of the store.

use chrono::{DateTime, Utc};
use daybook_domain::{Event, StreamType};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the writer believes the stream's revision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedRevision {
    /// No check (used only for bulk imports of already-validated streams).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last revision must be exactly this (1-based).
    Exact(u64),
}

impl std::fmt::Display for ExpectedRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedRevision::Any => f.write_str("any"),
            ExpectedRevision::NoStream => f.write_str("no stream"),
            ExpectedRevision::Exact(r) => write!(f, "{r}"),
        }
    }
}

impl ExpectedRevision {
    /// The expectation matching a loaded revision (0 = not yet created).
    pub fn from_loaded(revision: u64) -> Self {
        if revision == 0 {
            ExpectedRevision::NoStream
        } else {
            ExpectedRevision::Exact(revision)
        }
    }
}

/// Who caused an event, from where, when, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// When the user gave the command (its envelope's time): the same on every
    /// replica, unlike the commit time.
    pub issued_at: DateTime<Utc>,
    /// The user's name.
    pub user: String,
    /// The device the command was given on.
    pub device: String,
    /// The command that produced the event.
    pub command_id: Uuid,
    /// The message that caused this one (e.g. the command), if any.
    pub causation_id: Option<Uuid>,
    /// The conversation this belongs to (e.g. a duplicated order's source).
    pub correlation_id: Option<Uuid>,
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique, UUIDv7.
    pub event_id: Uuid,
    /// The domain event.
    pub event: Event,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Local sequence (projector checkpoints).
    pub seq: i64,
    /// Unique id.
    pub event_id: Uuid,
    /// The tenant.
    pub account_id: Uuid,
    /// The stream (record) id.
    pub stream_id: Uuid,
    /// The stream's type.
    pub stream_type: StreamType,
    /// 1-based position in its stream.
    pub revision: u64,
    /// Schema version as stored (the event itself is already upgraded).
    pub stored_version: u32,
    /// The event, upgraded to the current schema.
    pub event: Event,
    /// Who, where, why.
    pub metadata: Metadata,
    /// When it was committed.
    pub committed_at: DateTime<Utc>,
    /// The server's per-account sequence, once accepted.
    pub server_seq: Option<i64>,
}

/// The result of an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The events were written.
    Written(Vec<RecordedEvent>),
    /// Every event id was already stored: nothing written (idempotent retry).
    AlreadyStored,
}

/// A stream's folded state at a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The stream.
    pub stream_id: Uuid,
    /// Its type.
    pub stream_type: StreamType,
    /// The revision the state includes.
    pub revision: u64,
    /// Shape version of the state (see `daybook_domain::STATE_VERSION`).
    pub state_version: u32,
    /// The state as JSON.
    pub state: String,
}

/// Where a command is in its journey to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Applied locally, not yet accepted by the server.
    Pending,
    /// Accepted by the server.
    Acknowledged,
    /// Refused by the server; needs attention.
    Rejected,
}

impl OutboxStatus {
    /// Stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Acknowledged => "acknowledged",
            OutboxStatus::Rejected => "rejected",
        }
    }

    /// Inverse of [`OutboxStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Acknowledged, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A command kept for sync, with the local events it produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Order of entry.
    pub position: i64,
    /// The command id.
    pub command_id: Uuid,
    /// The stream it wrote to.
    pub stream_id: Uuid,
    /// The command envelope as JSON.
    pub envelope: String,
    /// Status.
    pub status: OutboxStatus,
    /// Server's reason for a rejection.
    pub error: Option<String>,
}

/// An event row as stored, payload undecoded: what sync moves between replicas
/// (payload and schema version travel unchanged; each reader upcasts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Local sequence (on the server: the account's global sequence).
    pub seq: i64,
    /// Event id.
    pub event_id: Uuid,
    /// Stream.
    pub stream_id: Uuid,
    /// Stream type.
    pub stream_type: StreamType,
    /// Revision in the stream.
    pub revision: u64,
    /// Event type.
    pub event_type: String,
    /// Schema version of `payload`.
    pub schema_version: u32,
    /// Payload JSON as stored.
    pub payload: String,
    /// Who, where, when, why.
    pub metadata: Metadata,
    /// Commit time where it was stored.
    pub committed_at: DateTime<Utc>,
    /// The server's sequence, once accepted (clients).
    pub server_seq: Option<i64>,
}
