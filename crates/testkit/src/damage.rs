//! Damage done to a store file on purpose, for the tests of what detects it (`check`,
//! restore's checks, recovery).

use std::path::Path;

/// Overwrites the middle of the `events` table's root page (its cell pointers and
/// cells) in the SQLite file at `file`, after folding any WAL into the file. The header
/// and the schema stay readable, so the file still opens; a full check fails.
///
/// # Panics
/// When the file cannot be opened, read or written: this is for tests.
pub fn corrupt_events_page(file: &Path) {
    let (page_size, root) = {
        let conn = rusqlite::Connection::open(file)
            .unwrap_or_else(|e| panic!("{} opens: {e}", file.display()));
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("page size: {e}"));
        let root: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'events'",
                [],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("the events table's root page: {e}"));
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap_or_else(|e| panic!("checkpoint: {e}"));
        (page_size as usize, root as usize)
    };
    let mut bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{} reads: {e}", file.display()));
    let start = (root - 1) * page_size;
    for b in &mut bytes[start + 8..start + page_size / 2] {
        *b = 0xA5;
    }
    std::fs::write(file, bytes).unwrap_or_else(|e| panic!("{} writes: {e}", file.display()));
}
