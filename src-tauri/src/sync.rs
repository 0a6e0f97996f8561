//! Sync in the desktop app: the engine (`daybook_sync`) runs in the background when a
//! server is configured (`--server`/`--token`, `DAYBOOK_SERVER`/`DAYBOOK_TOKEN`, or
//! remembered in the store, shared with the CLI); its status is pushed to the UI as
//! the `daybook://sync` event, and every screen refreshes when server events arrive.
//!
//! The running engine is managed state of its own ([`SyncEngine`]), beside
//! [`AppState`]: this module uses the store, the store knows nothing of sync.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use daybook_app::replica::AttentionItem;
use daybook_app::{ErrorBody, ErrorCode, ErrorParams};
use daybook_domain::Command;
use daybook_sync::{Engine, EngineHandle, Phase, ServerConfig, SyncState};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use uuid::Uuid;

use crate::events::notify;
use crate::ipc::Res;
use crate::state::AppState;

/// Tauri event carrying the latest [`SyncStatus`].
pub const SYNC_EVENT: &str = "daybook://sync";

/// The sync badge and its panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SyncStatus {
    /// Where the store stands with its server (the badge says this in words).
    pub state: SyncState,
    /// Whether a server is configured at all.
    pub configured: bool,
    /// The server's URL, if configured.
    pub server: Option<String>,
    /// Whether the server could be reached at the last attempt.
    pub online: bool,
    /// Commands applied locally and not yet accepted by the server.
    pub pending: u64,
    /// Commands refused by the server or no longer applicable: retry or discard them.
    pub needs_attention: Vec<NeedsAttention>,
    /// When the last complete sync finished.
    pub last_sync: Option<DateTime<Utc>>,
    /// The push or pull under way, if one is.
    pub progress: Option<SyncProgress>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

impl tauri_specta::Event for SyncStatus {
    const NAME: &'static str = SYNC_EVENT;
}

/// A command that needs the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NeedsAttention {
    /// The command's id.
    pub command_id: Uuid,
    /// The record it wrote to.
    pub stream_id: Uuid,
    /// The command's type, e.g. `PlaceOrder`.
    pub command: String,
    /// The command as it was given: the screen offers its values to edit, and the
    /// edited command is retried in its place.
    pub sent: Command,
    /// `rejected` (by the server) or `conflict` (no longer applies here).
    pub status: String,
    /// The reason's code, e.g. `spending_limit_exceeded`.
    pub code: ErrorCode,
    /// The reason, for a person (English; the UI builds its own from code and params).
    pub reason: String,
    /// The reason as data.
    pub params: ErrorParams,
}

impl From<AttentionItem> for NeedsAttention {
    fn from(item: AttentionItem) -> Self {
        let (code, reason, params) = match item.error {
            Some(e) => (e.code, e.message, *e.params),
            None => (ErrorCode::Unknown, String::new(), ErrorParams::default()),
        };
        NeedsAttention {
            command_id: item.command_id,
            stream_id: item.stream_id,
            command: item.command.name().to_string(),
            sent: item.command,
            status: item.status,
            code,
            reason,
            params,
        }
    }
}

/// "x of y" for the push or pull under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SyncProgress {
    /// `push` or `pull`.
    pub phase: String,
    /// Done.
    pub done: u64,
    /// In all (as known now).
    pub total: u64,
}

/// Asks the server who `config`'s token belongs to, so that a wrong URL or token is
/// refused at its field before anything is remembered.
pub async fn check_server(config: &ServerConfig) -> Result<(), ErrorBody> {
    use daybook_sync::{Client, SyncError};
    let bad = |field: &str, message: String| {
        ErrorBody::new(ErrorCode::InvalidInput, message).with_field(field)
    };
    if config.token.is_empty() {
        return Err(bad("token", "the device token is required".into()));
    }
    let client = Client::new(config).map_err(|e| bad("server", e.to_string()))?;
    match client.me().await {
        Ok(_) => Ok(()),
        Err(SyncError::Unauthorized(_)) => Err(bad(
            "token",
            "the server does not accept this device token; check it, or ask for a new one".into(),
        )),
        Err(SyncError::Unreachable(e)) => Err(bad(
            "server",
            format!("no answer from {} ({e}); check the address", config.url),
        )),
        Err(e) => Err(bad(
            "server",
            format!(
                "{} did not answer as a Daybook server ({e}); check the address",
                config.url
            ),
        )),
    }
}

/// Most needs-attention items the badge's panel lists.
const ATTENTION_SHOWN: usize = 200;

/// The running engine: its handle, the server's URL, and the tasks to stop.
struct Running {
    handle: EngineHandle,
    url: String,
    tasks: Vec<tauri::async_runtime::JoinHandle<()>>,
}

/// The running engine, if a server is configured (Tauri managed state).
#[derive(Default)]
pub struct SyncEngine {
    running: Mutex<Option<Running>>,
}

impl SyncEngine {
    fn handle(&self) -> Option<(EngineHandle, String)> {
        self.running
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|r| (r.handle.clone(), r.url.clone())))
    }

    /// Stops the engine, if one runs (sign out, a clean store). Its store work is
    /// blocking and transactional, so stopping at any await point loses nothing.
    pub fn stop(&self) {
        let running = self.running.lock().ok().and_then(|mut g| g.take());
        if let Some(r) = running {
            for task in r.tasks {
                task.abort();
            }
            log::info!("sync with {} stopped", r.url);
        }
    }

    /// Asks for a sync now (after a local command).
    pub fn wake(&self) {
        if let Some((h, _)) = self.handle() {
            h.wake();
        }
    }

    /// Starts the engine in the background (once) and forwards its status to the UI.
    pub fn start<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        state: &AppState,
        config: &ServerConfig,
    ) -> Result<(), String> {
        let Ok(mut running) = self.running.lock() else {
            return Err("sync state is poisoned".into());
        };
        if running.is_some() {
            return Ok(());
        }
        if state.read_blocking(|r| r.holds_demo()).unwrap_or(true) {
            return Err("this store holds demo data, which never goes to a server".into());
        }
        let (engine, handle) = Engine::new(state.shared(), config).map_err(|e| e.to_string())?;
        let run = tauri::async_runtime::spawn(engine.run(std::future::pending()));
        let mut watch = handle.watch();
        let app = app.clone();
        let forward = tauri::async_runtime::spawn(async move {
            let mut applied = 0;
            while watch.changed().await.is_ok() {
                let now = watch.borrow().applied;
                if now != applied {
                    applied = now;
                    notify(&app, None, Vec::new());
                }
                let state = app.state::<AppState>().inner().clone();
                let engine = app.state::<SyncEngine>();
                if let Ok(status) = engine.status(&state).await {
                    let _ = app.emit(SYNC_EVENT, status);
                }
            }
        });
        log::info!("sync with {} started", config.url);
        *running = Some(Running {
            handle,
            url: config.url.clone(),
            tasks: vec![run, forward],
        });
        Ok(())
    }

    /// The status now: the engine's view plus the outbox.
    pub async fn status(&self, state: &AppState) -> Res<SyncStatus> {
        let (needs_attention, pending, remembered) = state
            .read(|r| {
                Ok((
                    r.needs_attention()?,
                    r.outbox_counts()?.pending,
                    r.server_url()?,
                ))
            })
            .await?;
        let engine = self.handle();
        let live = engine.as_ref().map(|(h, _)| h.status());
        // A store that remembers its server but runs no engine has nobody signed in
        // (signed out, or a token no longer kept): it waits for a sign-in.
        let idle = if remembered.is_some() {
            SyncState::SignedOut
        } else {
            SyncState::LocalOnly
        };
        Ok(SyncStatus {
            state: live.as_ref().map_or(idle, |s| s.state),
            configured: engine.is_some() || remembered.is_some(),
            server: engine.map(|(_, url)| url).or(remembered),
            online: live.as_ref().is_some_and(|s| s.online),
            pending,
            needs_attention: needs_attention
                .into_iter()
                .take(ATTENTION_SHOWN)
                .map(NeedsAttention::from)
                .collect(),
            last_sync: live.as_ref().and_then(|s| s.last_sync),
            progress: live
                .as_ref()
                .and_then(|s| s.progress)
                .map(|p| SyncProgress {
                    phase: match p.phase {
                        Phase::Push => "push",
                        Phase::Pull => "pull",
                    }
                    .into(),
                    done: p.done,
                    total: p.total,
                }),
            last_error: live.and_then(|s| s.last_error),
        })
    }
}
