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

/// Whether demo data was loaded into the store.
pub(crate) fn holds_demo(conn: &Connection) -> Result<bool, AppError> {
    Ok(keys::DEMO_DATA.get(conn)?.is_some())
}

/// The last server sequence applied here (0 before the first pull).
pub(crate) fn sync_cursor(conn: &Connection) -> Result<i64, AppError> {
    Ok(keys::SYNC_CURSOR.get(conn)?.unwrap_or(0))
}

impl Daybook {
    /// Remembers the sync server's URL and/or this device's token, so later runs (of
    /// the CLI or the desktop app) sync too. A store holding demo data is never
    /// connected: [`AppError::DemoData`].
    pub fn remember_server(&self, url: Option<&str>, token: Option<&str>) -> Result<(), AppError> {
        let conn = self.conn();
        if (url.is_some() || token.is_some()) && holds_demo(conn)? {
            return Err(AppError::DemoData);
        }
        if let Some(url) = url {
            keys::SYNC_SERVER.set(conn, &url.to_string())?;
        }
        if let Some(token) = token {
            keys::SYNC_TOKEN.set(conn, &token.to_string())?;
        }
        Ok(())
    }

    /// Forgets the sync server and this device's token (sign out and disconnect): the
    /// store goes on as local only; what waits to be pushed stays in the outbox.
    pub fn forget_server(&self) -> Result<(), AppError> {
        let conn = self.conn();
        keys::SYNC_SERVER.clear(conn)?;
        keys::SYNC_TOKEN.clear(conn)?;
        Ok(())
    }

    /// Marks the store as holding demo data, for good (demo loaders call this before
    /// their first command). A store connected to a server is refused: demo data
    /// never reaches a real account.
    pub fn mark_demo(&self, at_ms: i64) -> Result<(), AppError> {
        let conn = self.conn();
        if server(conn)?.is_some() {
            return Err(AppError::invalid(
                Some("data"),
                "this store is connected to a server; demo data goes into a store that \
                 never is (use another data directory)",
            ));
        }
        if !holds_demo(conn)? {
            keys::DEMO_DATA.set(conn, &at_ms)?;
        }
        Ok(())
    }
}
