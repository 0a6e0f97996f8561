//! The event store's schema as numbered migrations, applied on open and tracked in
//! `PRAGMA user_version`. Never edit a released migration: add the next one.

use rusqlite::Connection;

use crate::error::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`.
pub const STORE_MIGRATIONS: &[&str] = &[
    // 1: events, snapshots, outbox, meta.
    r#"
    CREATE TABLE events (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id       BLOB    NOT NULL UNIQUE,
        account_id     BLOB    NOT NULL,
        stream_id      BLOB    NOT NULL,
        stream_type    TEXT    NOT NULL,
        revision       INTEGER NOT NULL CHECK (revision >= 1),
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        payload        TEXT    NOT NULL,
        user_id        TEXT    NOT NULL,
        device_id      TEXT    NOT NULL,
        command_id     BLOB    NOT NULL,
        causation_id   BLOB,
        correlation_id BLOB,
        issued_at      INTEGER NOT NULL,
        committed_at   INTEGER NOT NULL,
        server_seq     INTEGER,
        UNIQUE (stream_id, revision)
    );
    CREATE INDEX events_command ON events (command_id);
    CREATE INDEX events_user_seq ON events (user_id, seq);
    CREATE INDEX events_issued ON events (issued_at);
    -- Speculative events (not yet confirmed by the server) are few: a partial index
    -- finds them without scanning the log.
    CREATE INDEX events_speculative ON events (stream_id) WHERE server_seq IS NULL;

    CREATE TABLE snapshots (
        stream_id     BLOB    PRIMARY KEY,
        stream_type   TEXT    NOT NULL,
        revision      INTEGER NOT NULL,
        state_version INTEGER NOT NULL,
        state         TEXT    NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE outbox (
        position    INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id  BLOB    NOT NULL UNIQUE,
        stream_id   BLOB    NOT NULL,
        envelope    TEXT    NOT NULL,
        user_id     TEXT    NOT NULL,
        status      TEXT    NOT NULL DEFAULT 'pending',
        error       TEXT,
        device_seq  INTEGER,
        server_last_seq INTEGER,
        attempts    INTEGER NOT NULL DEFAULT 0,
        recorded_at INTEGER NOT NULL
    );
    CREATE INDEX outbox_status ON outbox (status, position);
    CREATE INDEX outbox_stream ON outbox (stream_id, status);

    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STORE_MIGRATIONS.len() as i64;

/// The tables every store of [`SCHEMA_VERSION`] has.
pub const STORE_TABLES: &[&str] = &["events", "snapshots", "outbox", "meta"];

/// Checks that the tables the schema version promises exist (reading the schema also
/// makes SQLite parse it: a malformed one is reported as corrupt). A file whose
/// version says migrated but whose tables are gone is damaged, not new.
pub fn check_schema(conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in STORE_TABLES {
        if !names.iter().any(|n| n == t) {
            return Err(StoreError::FileCorrupt(format!("table {t} is missing")));
        }
    }
    Ok(())
}

/// Applies the missing migrations, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in STORE_MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
