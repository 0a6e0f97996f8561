//! Sync in the desktop app: the engine (`daybook_sync`) runs in the background when a
//! server is configured (`--server`/`--token`, `DAYBOOK_SERVER`/`DAYBOOK_TOKEN`, or
//! remembered in the store, shared with the CLI); its status is pushed to the UI as
//! the `daybook://sync` event, and every screen refreshes when server events arrive.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use daybook_app::{AppError, Daybook};
use daybook_sync::{Engine, EngineHandle, Phase, ServerConfig};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};
use uuid::Uuid;

use crate::state::{AppState, notify};

/// Tauri event carrying the latest [`SyncStatus`].
pub const SYNC_EVENT: &str = "daybook://sync";

/// Where the store remembers its server (the CLI uses the same keys).
const SERVER_KEY: &str = "sync.server";
const TOKEN_KEY: &str = "sync.token";

/// The sync badge and its panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SyncStatus {
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
    /// `rejected` (by the server) or `conflict` (no longer applies here).
    pub status: String,
    /// The reason's code, e.g. `spending_limit_exceeded`.
    pub code: daybook_app::ErrorCode,
    /// The reason, for a person.
    pub reason: String,
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

/// The running engine, if a server is configured.
#[derive(Default)]
pub struct Sync {
    running: Mutex<Option<(EngineHandle, String)>>,
}

impl Sync {
    fn handle(&self) -> Option<(EngineHandle, String)> {
        self.running.lock().ok().and_then(|g| g.clone())
    }

    /// Asks for a sync now (after a local command).
    pub fn wake(&self) {
        if let Some((h, _)) = self.handle() {
            h.wake();
        }
    }
}

/// Reads the remembered server and token.
pub fn remembered(db: &Daybook) -> Result<Option<ServerConfig>, AppError> {
    let get = |k: &str| -> Result<Option<String>, AppError> {
        Ok(db
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            .optional()?)
    };
    Ok(match (get(SERVER_KEY)?, get(TOKEN_KEY)?) {
        (Some(url), Some(token)) => Some(ServerConfig { url, token }),
        _ => None,
    })
}

/// Remembers the server and token in the store.
pub fn remember(db: &Daybook, config: &ServerConfig) -> Result<(), AppError> {
    for (k, v) in [(SERVER_KEY, &config.url), (TOKEN_KEY, &config.token)] {
        db.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [k, v.as_str()],
        )?;
    }
    Ok(())
}

/// Starts the engine in the background (once) and forwards its status to the UI.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    config: &ServerConfig,
) -> Result<(), String> {
    let Ok(mut running) = state.sync().running.lock() else {
        return Err("sync state is poisoned".into());
    };
    if running.is_some() {
        return Ok(());
    }
    let (engine, handle) = Engine::new(state.shared(), config).map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn(engine.run(std::future::pending()));
    let mut watch = handle.watch();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut applied = 0;
        while watch.changed().await.is_ok() {
            let now = watch.borrow().applied;
            if now != applied {
                applied = now;
                notify(&app, None, Vec::new());
            }
            let state: tauri::State<'_, AppState> = tauri::Manager::state(&app);
            if let Ok(status) = status(&state) {
                let _ = app.emit(SYNC_EVENT, status);
            }
        }
    });
    *running = Some((handle, config.url.clone()));
    Ok(())
}

fn attention(conn: &Connection) -> Result<Vec<NeedsAttention>, AppError> {
    let rows: Vec<(Uuid, Uuid, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT command_id, stream_id, status, envelope, error FROM outbox
             WHERE status IN ('rejected', 'conflict') ORDER BY position LIMIT 200",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(command_id, stream_id, status, envelope, error)| {
            let error: Option<daybook_app::ErrorBody> =
                error.and_then(|e| serde_json::from_str(&e).ok());
            NeedsAttention {
                command_id,
                stream_id,
                command: serde_json::from_str::<daybook_domain::CommandEnvelope>(&envelope)
                    .map(|env| env.command.name().to_string())
                    .unwrap_or_default(),
                status,
                code: error
                    .as_ref()
                    .map_or(daybook_app::ErrorCode::Unknown, |e| e.code),
                reason: error.map(|e| e.message).unwrap_or_default(),
            }
        })
        .collect())
}

/// The status now: the engine's view plus the outbox.
pub fn status(state: &AppState) -> Result<SyncStatus, daybook_app::ErrorBody> {
    let (needs_attention, pending) = state.read(|c| {
        let pending: i64 = c.query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok((attention(c)?, pending as u64))
    })?;
    let engine = state.sync().handle();
    let live = engine.as_ref().map(|(h, _)| h.status());
    Ok(SyncStatus {
        configured: engine.is_some(),
        server: engine.map(|(_, url)| url),
        online: live.as_ref().is_some_and(|s| s.online),
        pending,
        needs_attention,
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
