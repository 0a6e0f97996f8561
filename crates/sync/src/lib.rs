//! Daybook's client sync engine. It pushes the outbox in order, pulls the server's
//! events after the local cursor and lays them under local work (`daybook_app::replica`),
//! listens to the server's live channel, and backs off exponentially, with jitter,
//! while the server cannot be reached.
//!
//! **Invariant:** the engine never decides anything: commands are decided locally by
//! the app service and authoritatively by the server; the engine only moves them and
//! their events, so a cut connection at any point can only delay, never duplicate or
//! lose (push is idempotent by command id and device sequence; pull by sequence).

mod client;
pub mod credentials;
mod directory;
mod engine;
pub mod session;

pub use client::{Client, LIVE_IDLE_TIMEOUT, ServerConfig, SyncError};
pub use credentials::{CredentialError, Credentials};
pub use engine::{
    Engine, EngineHandle, Phase, Progress, SharedDb, SyncReport, SyncState, SyncStatus,
};
pub use session::{SignIn, SignOut, SignedInAs, SignedOut};
