//! A tiny pool of SQLite connections to one file: reads run on their own connection,
//! off the account's single writer, so a pull never waits for a push.
//!
//! Connections are opened on demand and at most `max_idle` are kept; a call never
//! waits for another to finish. Used only from blocking threads.

use std::sync::{Mutex, PoisonError};

use rusqlite::Connection;

use crate::error::ServerError;

type Opener = Box<dyn Fn() -> Result<Connection, ServerError> + Send + Sync>;

/// Connections to one database file.
pub(crate) struct Pool {
    open: Opener,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl Pool {
    /// A pool that opens connections with `open`.
    pub(crate) fn new(
        max_idle: usize,
        open: impl Fn() -> Result<Connection, ServerError> + Send + Sync + 'static,
    ) -> Self {
        Pool {
            open: Box::new(open),
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// Runs `f` on a connection of the pool. A transaction `f` leaves open is rolled
    /// back when it is dropped, so a connection always returns clean.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match taken {
            Some(c) => c,
            None => (self.open)()?,
        };
        let out = f(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.max_idle && conn.is_autocommit() {
            idle.push(conn);
        }
        out
    }
}
