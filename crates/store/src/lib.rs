//! Daybook's event store on SQLite: one row per event, append with an expected
//! revision, read a stream or the whole log in order, snapshots, an outbox of commands,
//! and upcasting of old payloads on read.
//!
//! **Invariant:** stored event rows are never rewritten; old schema versions are
//! upgraded on read (`daybook_domain::upcast`). Appending an event id that is already
//! stored is a no-op, never a duplicate.

mod error;
pub mod private;
mod read;
mod schema;
pub mod settings;
mod sqlite;
mod tx;
mod types;

pub use error::{StoreError, is_corruption};
pub use schema::{SCHEMA_VERSION, STORE_MIGRATIONS, STORE_TABLES, check_schema};
pub use sqlite::{
    Durability, EventStore, StoreOptions, StoreTx, cannot_open, for_each_event, head,
    load_snapshot, open_read_only_conn, outbox, outbox_count, raw_event, read_all, read_raw,
    read_stream, read_stream_events, stream_head,
};
pub use types::{
    Appended, ExpectedRevision, Metadata, NewEvent, OutboxEntry, OutboxStatus, RawEvent,
    RecordedEvent, Snapshot,
};

/// Milliseconds since the Unix epoch, the store's time unit.
pub fn to_millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// Inverse of [`to_millis`]; out-of-range values clamp to the epoch instead of panicking.
pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
