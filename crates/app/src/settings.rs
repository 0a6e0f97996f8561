//! The application's settings, typed (the keys live in `daybook_store::settings`):
//! the one home of the sync server's address and token, used by the CLI and the
//! desktop app alike.

use daybook_store::settings::{self as keys};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::service::Daybook;

/// Where the sync server is, and who this device is to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The device token.
    pub token: String,
}

/// The remembered server, when both its URL and the token are set.
pub(crate) fn server(conn: &Connection) -> Result<Option<ServerConfig>, AppError> {
    Ok(
        match (keys::SYNC_SERVER.get(conn)?, keys::SYNC_TOKEN.get(conn)?) {
            (Some(url), Some(token)) => Some(ServerConfig { url, token }),
            _ => None,
        },
    )
}

/// The last server sequence applied here (0 before the first pull).
pub(crate) fn sync_cursor(conn: &Connection) -> Result<i64, AppError> {
    Ok(keys::SYNC_CURSOR.get(conn)?.unwrap_or(0))
}

impl Daybook {
    /// Remembers the sync server's URL and/or this device's token, so later runs (of
    /// the CLI or the desktop app) sync too.
    pub fn remember_server(&self, url: Option<&str>, token: Option<&str>) -> Result<(), AppError> {
        let conn = self.conn();
        if let Some(url) = url {
            keys::SYNC_SERVER.set(conn, &url.to_string())?;
        }
        if let Some(token) = token {
            keys::SYNC_TOKEN.set(conn, &token.to_string())?;
        }
        Ok(())
    }
}
