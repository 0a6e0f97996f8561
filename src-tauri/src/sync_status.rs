//! What the sync badge shows. A placeholder until the sync engine lands: the app is
//! offline and every command waits in the outbox; the real status will come from
//! the sync engine with the same shape.

use chrono::{DateTime, Utc};
use daybook_app::AppError;
use daybook_domain::CommandEnvelope;
use daybook_store::{OutboxStatus, outbox, outbox_count};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most rejected commands listed at once.
const ATTENTION_LIMIT: usize = 100;

/// The sync badge and its panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SyncStatus {
    /// Whether the server can be reached now.
    pub online: bool,
    /// Commands applied locally and not yet accepted by the server.
    pub pending: u64,
    /// Commands the server refused, with the reason: fix or discard them.
    pub needs_attention: Vec<NeedsAttention>,
    /// When the last sync finished.
    pub last_sync: Option<DateTime<Utc>>,
    /// Progress of the sync under way, if one is.
    pub progress: Option<SyncProgress>,
}

/// A command the server refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NeedsAttention {
    /// The command's id.
    pub command_id: Uuid,
    /// The record it wrote to.
    pub stream_id: Uuid,
    /// The command's type, e.g. `PlaceOrder`.
    pub command: String,
    /// The server's reason.
    pub reason: String,
}

/// Commands pushed so far out of those to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SyncProgress {
    /// Done.
    pub done: u64,
    /// In all.
    pub total: u64,
}

/// The status from the local outbox (no sync engine yet: always offline).
pub fn local_status(conn: &Connection) -> Result<SyncStatus, AppError> {
    let needs_attention = outbox(conn, OutboxStatus::Rejected, ATTENTION_LIMIT)?
        .into_iter()
        .map(|e| NeedsAttention {
            command_id: e.command_id,
            stream_id: e.stream_id,
            command: serde_json::from_str::<CommandEnvelope>(&e.envelope)
                .map(|env| env.command.name().to_string())
                .unwrap_or_default(),
            reason: e.error.unwrap_or_default(),
        })
        .collect();
    Ok(SyncStatus {
        online: false,
        pending: outbox_count(conn, OutboxStatus::Pending)?,
        needs_attention,
        last_sync: None,
        progress: None,
    })
}
