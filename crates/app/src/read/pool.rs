//! A few read-only connections to one store file, so a screen fires several queries at
//! once (page, totals, sync badge) and none waits behind a long write (WAL).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::Reader;
use crate::error::AppError;

/// Read-only connections to a store file, handed out in turn.
pub struct ReadPool {
    file: PathBuf,
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl ReadPool {
    /// `size` read-only connections to the store at `file` (which must exist: open it
    /// with `Daybook::open` first, which creates and migrates it).
    pub fn open(file: &Path, size: usize) -> Result<Self, AppError> {
        let conns = (0..size.max(1))
            .map(|_| daybook_store::EventStore::open_reader(file).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReadPool {
            file: file.to_path_buf(),
            conns,
            next: AtomicUsize::new(0),
        })
    }

    /// A pool that reads an empty in-memory database: the stand-in while the store
    /// file cannot be opened (damaged), so reads fail cleanly instead of touching it.
    pub fn unavailable(file: &Path, size: usize) -> Result<Self, AppError> {
        let conns = (0..size.max(1))
            .map(|_| Connection::open_in_memory().map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReadPool {
            file: file.to_path_buf(),
            conns,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on a free connection, else on the next one in turn.
    pub fn read<T>(
        &self,
        f: impl FnOnce(Reader<'_>) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let conn = self.any();
        f(Reader::new(&conn))
    }

    fn any(&self) -> MutexGuard<'_, Connection> {
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        (0..n)
            .find_map(|i| self.conns[(first + i) % n].try_lock().ok())
            .unwrap_or_else(|| lock(&self.conns[first % n]))
    }

    /// Runs `f` with every connection of the pool closed (a restore or a fresh start
    /// replaces the file; a connection left open across the swap would mix the old
    /// file's pages into the new one), then opens them again on the file. When the
    /// file cannot be opened afterwards, the pool keeps reading an empty in-memory
    /// database and the error is returned beside `f`'s result.
    pub fn closed_while<T>(&self, f: impl FnOnce() -> T) -> (T, Result<(), AppError>) {
        let mut guards: Vec<MutexGuard<'_, Connection>> = self.conns.iter().map(lock).collect();
        let mut closed = Ok(());
        for g in guards.iter_mut() {
            match Connection::open_in_memory() {
                Ok(c) => **g = c,
                Err(e) => closed = Err(AppError::from(e)),
            }
        }
        let out = f();
        let reopened = closed.and_then(|()| {
            for g in guards.iter_mut() {
                **g = daybook_store::EventStore::open_reader(&self.file)?;
            }
            Ok(())
        });
        (out, reopened)
    }
}

/// A panic in a query leaves the connection as it was (reads change nothing).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
