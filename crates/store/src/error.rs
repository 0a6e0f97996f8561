//! The store's error type.

use daybook_domain::{EventDecodeError, StreamType};
use uuid::Uuid;

use crate::types::ExpectedRevision;

/// Why a store operation failed. Nothing was written when one is returned from a
/// transaction that is then dropped.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no (IO, corruption, constraint).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Someone else appended to the stream first.
    #[error("stream {stream_id} is at revision {actual}, expected {expected}")]
    Conflict {
        /// The stream.
        stream_id: Uuid,
        /// What the writer expected.
        expected: ExpectedRevision,
        /// What the store has.
        actual: u64,
    },
    /// The stream exists with another type.
    #[error("stream {stream_id} is a {actual} stream, not a {expected} stream")]
    StreamTypeMismatch {
        /// The stream.
        stream_id: Uuid,
        /// The type the writer gave.
        expected: StreamType,
        /// The type in the store.
        actual: StreamType,
    },
    /// Only some events of a batch are already stored: not a retry, a bug or tampering.
    #[error("event {event_id} is already stored but the rest of its batch is not")]
    PartialDuplicate {
        /// The first already-stored event.
        event_id: Uuid,
    },
    /// An event id a command derived is already stored, by another command: the
    /// authority refuses it rather than store a colliding id (see `StoreTx::first_stored`).
    #[error("event {event_id} is already stored by another command")]
    EventIdTaken {
        /// The taken event id.
        event_id: Uuid,
    },
    /// A stored event could not be decoded.
    #[error("event #{seq} cannot be read: {source}")]
    Decode {
        /// Its local sequence number.
        seq: i64,
        /// Why.
        source: EventDecodeError,
    },
    /// The store's file or folder could not be created or made private.
    #[error("cannot prepare the store file: {0}")]
    Io(#[source] std::io::Error),
    /// JSON (de)serialisation of a payload, snapshot or envelope failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// The database holds something this build cannot understand.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// The database file itself is damaged: SQLite reports it corrupt or not a
    /// database, or the schema its version promises is missing. Nothing can be
    /// trusted in it; the way out is a backup or a fresh store re-synced from the
    /// server (see `daybook_app::backup`).
    #[error("the database file is damaged: {0}")]
    FileCorrupt(String),
    /// The store is on storage this process cannot write (a read-only folder or
    /// medium): it can be read, checked and backed up, not changed.
    #[error("the store is on storage that cannot be written: {0}")]
    ReadOnly(String),
    /// The database was written by a newer build.
    #[error(
        "the database schema is version {found}, newer than this build ({supported}); update Daybook"
    )]
    TooNew {
        /// Version found.
        found: i64,
        /// Newest this build knows.
        supported: i64,
    },
}

impl StoreError {
    /// Turns SQLite's "corrupt" and "not a database" answers into
    /// [`StoreError::FileCorrupt`], so callers can offer recovery instead of a
    /// generic failure. Everything else is kept as it is.
    pub fn classify(self) -> StoreError {
        match self {
            StoreError::Sqlite(e) if is_corruption(&e) => StoreError::FileCorrupt(e.to_string()),
            StoreError::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                StoreError::ReadOnly("changes cannot be saved there".into())
            }
            other => other,
        }
    }

    /// True when the file itself is damaged (after [`StoreError::classify`] or not).
    pub fn is_file_corrupt(&self) -> bool {
        match self {
            StoreError::FileCorrupt(_) => true,
            StoreError::Sqlite(e) => is_corruption(e),
            _ => false,
        }
    }
}

/// SQLITE_CORRUPT (including "malformed database schema") and SQLITE_NOTADB.
pub fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
