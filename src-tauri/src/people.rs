//! Signing a person in and out in the desktop app, as `daybook login` and `daybook
//! logout` do (the steps are `daybook_sync::session`'s, shared with the CLI): the
//! password goes to the server once and is never kept; the session token is kept in
//! the device's credentials; the person (login, name, role) in the store, so they keep
//! working offline as themselves. The sync engine then runs under their session, and
//! only their changes are pushed.

use daybook_app::{ErrorBody, ErrorCode, SignedIn};
use daybook_sync::{Credentials, SignIn, SignOut, SyncError};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::events::notify;
use crate::ipc::{Res, invalid, sync_error};
use crate::state::AppState;
use crate::sync::{SyncEngine, SyncStatus};

/// Who signed in, as the Sync screen says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SignedInInfo {
    /// The person.
    pub person: SignedIn,
    /// The account's name on the server.
    pub account_name: String,
    /// This store's device code in the account.
    pub device_code: String,
    /// The sync status with the engine running under the new session.
    pub status: SyncStatus,
}

/// What signing out left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SignedOutInfo {
    /// Who signed out.
    pub person: SignedIn,
    /// Their changes not yet synced, kept for their next sign-in on this device.
    pub unsynced: u64,
    /// Whether the server ended the session (`false`: it could not be reached).
    pub server_told: bool,
    /// The sync status now.
    pub status: SyncStatus,
}

/// A refused sign-in in the user's terms, at its field.
fn refused(e: SyncError, server: &str) -> ErrorBody {
    match e {
        SyncError::Server { body, .. } => match body.code {
            ErrorCode::InvalidCredentials => body.with_field("password"),
            _ => body,
        },
        SyncError::Unreachable(why) => invalid(
            "server",
            format!(
                "no answer from {server} ({why}); signing in needs the server, working afterwards does not"
            ),
        ),
        SyncError::Config(why) | SyncError::Protocol(why) => invalid(
            "server",
            format!("{server} did not answer as a Daybook server ({why}); check the address"),
        ),
        other => sync_error(other),
    }
}

/// Signs `login` in on this store at `server`: checked by the server, then kept; the
/// sync engine restarts under the person's session. A store holding demo data is
/// refused before anything is sent.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    server: String,
    login: String,
    password: String,
) -> Res<SignedInInfo> {
    let credentials = Credentials::open(state.data_dir());
    let (c, url) = (credentials.clone(), server.clone());
    let step = state
        .write(move |db| Ok(SignIn::prepare(db, &c, &url, &login, password)))
        .await?
        .map_err(|e| refused(e, &server))?;
    let answer = step.send().await.map_err(|e| refused(e, &server))?;
    let done = state
        .write(move |db| Ok(step.keep(db, &credentials, answer)))
        .await?
        .map_err(|e| refused(e, &server))?;
    log::info!("{} signed in on {}", done.person.login, done.server.url);
    sync.stop();
    sync.start(&app, &state, &done.server)
        .map_err(|m| invalid("server", m))?;
    notify(&app, None, Vec::new());
    Ok(SignedInInfo {
        person: done.person,
        account_name: done.account_name,
        device_code: done.device_code,
        status: sync.status(&state).await?,
    })
}

/// Signs the person out: the session ends (on the server too, when it answers), the
/// engine stops, and their unsynced changes stay for their next sign-in. The store
/// stays connected to its server: the next person signs in on it.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
) -> Res<SignedOutInfo> {
    let credentials = Credentials::open(state.data_dir());
    let c = credentials.clone();
    let step = state
        .write(move |db| Ok(SignOut::prepare(db, &c)))
        .await?
        .map_err(sync_error)?
        .ok_or_else(|| invalid("login", "nobody is signed in on this store"))?;
    sync.stop();
    let server_told = step.tell_server().await;
    let out = state
        .write(move |db| Ok(step.finish(db, &credentials, server_told)))
        .await?
        .map_err(sync_error)?;
    log::info!("{} signed out", out.person.login);
    notify(&app, None, Vec::new());
    Ok(SignedOutInfo {
        person: out.person,
        unsynced: out.unsynced,
        server_told: out.server_told,
        status: sync.status(&state).await?,
    })
}
