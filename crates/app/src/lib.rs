//! Daybook's application service: command handling over the event store, the inline
//! read models, queries for the screens, and record history.
//!
//! **Invariant:** screens read projections (`p_*` tables), never the event log;
//! history and the timeline are the exception, as the log is what they show.

pub mod backup;
pub mod catalog_csv;
pub mod error;
pub mod export;
pub mod facts;
mod handle;
pub mod history;
mod numbers;
pub mod projection;
pub mod query;
pub mod read;
pub mod readable;
pub mod replica;
pub mod service;
pub mod settings;
pub mod view;

pub use error::{AppError, BadBackup, ErrorBody, ErrorCode, ErrorParams};
pub use handle::{CommandOutcome, Writer, load_stream};
pub use numbers::NumberSeries;
pub use read::{Export, Named, ReadPool, Reader};
pub use service::{
    DB_FILE, Daybook, Durability, Identity, OpenOptions, RebuildReport, SNAPSHOT_EVERY,
    snapshot_step,
};
pub use settings::{ServerConfig, SignedIn};
