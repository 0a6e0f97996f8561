//! Daybook's application service: command handling over the event store, the inline
//! read models, queries for the screens, and record history.
//!
//! **Invariant:** screens read projections (`p_*` tables), never the event log;
//! history and the timeline are the exception, as the log is what they show.

pub mod backup;
pub mod error;
pub mod export;
pub mod facts;
pub mod history;
pub mod projection;
pub mod query;
pub mod replica;
pub mod service;

pub use error::{AppError, BadBackup, ErrorBody, ErrorCode, ErrorParams};
pub use service::{
    CommandOutcome, DB_FILE, Daybook, Durability, Identity, NumberSeries, OpenOptions,
    RebuildReport, SNAPSHOT_EVERY, Writer,
};
