//! The events the shell sends to every window: a record changed (every open screen
//! refetches), and the progress of a long write.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};
use uuid::Uuid;

/// Tauri event sent after every change, so every open screen refreshes itself.
pub const CHANGED_EVENT: &str = "daybook://changed";

/// Payload of [`CHANGED_EVENT`]: which record changed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Changed {
    /// The record written; `null` when many records changed at once (demo data).
    pub stream_id: Option<Uuid>,
    /// Event types written, in order.
    pub events: Vec<String>,
}

impl tauri_specta::Event for Changed {
    const NAME: &'static str = CHANGED_EVENT;
}

/// Tauri event with the [`Progress`] of a long write (demo data).
pub const PROGRESS_EVENT: &str = "daybook://progress";

/// Progress of a long write (demo data), sent as [`PROGRESS_EVENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Progress {
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

impl tauri_specta::Event for Progress {
    const NAME: &'static str = PROGRESS_EVENT;
}

/// Tells every window that a record changed. A failed emit (no window yet) only
/// means nobody is listening.
pub fn notify<R: Runtime>(app: &AppHandle<R>, stream_id: Option<Uuid>, events: Vec<String>) {
    if let Err(e) = app.emit(CHANGED_EVENT, Changed { stream_id, events }) {
        log::warn!("cannot emit {CHANGED_EVENT}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_changed_event_payload_shape() {
        let id = Uuid::nil();
        let payload = Changed {
            stream_id: Some(id),
            events: vec!["OrderPlaced".into()],
        };
        assert_eq!(
            serde_json::to_value(payload).expect("json"),
            json!({"stream_id": id.to_string(), "events": ["OrderPlaced"]})
        );
    }
}
