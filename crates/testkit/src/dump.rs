//! The read models and the event log as comparable text: an incremental store against
//! its rebuild, a client against a replica of the server's log, a killed process's
//! file against a reference that ran the same commands.
//!
//! Read-model tables come from `daybook_app::projection::schema::TABLES`, so a new
//! table is compared without anyone touching this file; a `p_*` table missing from
//! that list fails the dump (the rebuild would not drop it either).

use daybook_app::projection::schema::TABLES;
use rusqlite::Connection;
use rusqlite::types::Value;

/// Tables by name, each with its rows as text, sorted.
pub type Tables = Vec<(String, Vec<String>)>;

/// The read-model checkpoint: a local sequence number, so it differs between stores.
const CHECKPOINT: &str = "p_checkpoint";

/// The rows of `sql`, each as the text of its values (`[Integer(1), Text("a")]`), in
/// the query's order.
///
/// # Panics
/// When the query fails: this is for tests.
pub fn rows(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        let v: Vec<Value> = (0..n).map(|i| r.get(i)).collect::<Result<_, _>>()?;
        Ok(format!("{v:?}"))
    })
    .and_then(Iterator::collect)
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

/// What two stores holding the same log must agree on (a client and a replica of the
/// server's log, a store and its backup, a store and its rebuild): every read-model
/// table but the checkpoint, rows sorted. Full-text rows are keyed by their record's
/// id, not by rowid (two stores may have made their rows in another order); a
/// full-text row without its record shows with a null id.
pub fn content(conn: &Connection) -> Tables {
    check_tables(conn);
    TABLES
        .iter()
        .filter(|t| **t != CHECKPOINT)
        .map(|t| {
            let sql = match t.strip_suffix("_fts") {
                Some(base) => {
                    format!("SELECT b.id, f.* FROM {t} f LEFT JOIN {base} b ON b.rowid = f.rowid")
                }
                None => format!("SELECT * FROM {t}"),
            };
            (t.to_string(), sorted(rows(conn, &sql)))
        })
        .collect()
}

/// [`content`], plus what only one store can agree with itself on: the full-text
/// tables by rowid and the checkpoint. For a store against its own rebuild.
pub fn exact(conn: &Connection) -> Tables {
    let mut tables = content(conn);
    for t in TABLES.iter().filter(|t| t.ends_with("_fts")) {
        let by_rowid = sorted(rows(conn, &format!("SELECT rowid, * FROM {t}")));
        tables.push((format!("{t} by rowid"), by_rowid));
    }
    let checkpoint = rows(conn, &format!("SELECT * FROM {CHECKPOINT}"));
    tables.push((CHECKPOINT.to_string(), sorted(checkpoint)));
    tables
}

/// The event log as content, in order: every column but the local sequence, the
/// server's sequence, the commit time (the wall clock) and the tenant id (random for
/// a fresh store).
pub fn log(conn: &Connection) -> Vec<String> {
    rows(
        conn,
        "SELECT hex(event_id), hex(stream_id), stream_type, revision, event_type,
                schema_version, payload, user_id, device_id, hex(command_id),
                hex(causation_id), hex(correlation_id), issued_at
         FROM events ORDER BY seq",
    )
}

/// Every `p_*` table of the store is in `TABLES` (or belongs to a full-text table
/// that is: FTS5 keeps its data in `<table>_data`, `<table>_idx`, ...).
fn check_tables(conn: &Connection) {
    let sql =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'p\\_%' ESCAPE '\\'";
    let names: Vec<String> = conn
        .prepare(sql)
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    for name in names {
        let known = TABLES.contains(&name.as_str())
            || TABLES
                .iter()
                .any(|t| t.ends_with("_fts") && name.starts_with(&format!("{t}_")));
        assert!(
            known,
            "read-model table {name} is missing from daybook_app::projection::schema::TABLES"
        );
    }
}
