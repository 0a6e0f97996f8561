//! The same operations done on bare rusqlite: the same schema (the store's migrations
//! and the app's read-model tables), the same connection settings (WAL,
//! synchronous=FULL, same cache), no Daybook code in between.

use std::hint::black_box;
use std::path::Path;

use anyhow::{Context, Result};
use daybook_domain::Event;
use rusqlite::config::DbConfig;
use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior, params};
use uuid::Uuid;

/// Opens `path` with the settings the store uses (`daybook_store`'s `configure`), plus
/// the query planner stability guarantee: without it, SQLite marks statements whose
/// plan could depend on a bound value (`stream_id = ?1`, `LIMIT ?2`) and rusqlite's
/// statement cache, which clears bindings when a statement is returned, makes SQLite
/// re-prepare them on every use. Bare code that reuses statements does not pay that.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    if std::env::var_os("DAYBOOK_BENCH_BARE_NO_QPSG").is_none() {
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Creates the bare database at `path` with Daybook's schema and a copy of the event
/// log at `source` (so the bare table is as large as Daybook's).
pub fn create(path: &Path, source: &Path) -> Result<Connection> {
    let conn = open(path)?;
    for sql in daybook_store::STORE_MIGRATIONS {
        conn.execute_batch(sql).context("store schema")?;
    }
    conn.execute_batch(daybook_app::projection::schema::CREATE)
        .context("read-model schema")?;
    conn.execute(
        "ATTACH DATABASE ?1 AS src",
        [source.to_str().context("path is not UTF-8")?],
    )?;
    conn.execute_batch("INSERT INTO events SELECT * FROM src.events; DETACH DATABASE src;")?;
    Ok(conn)
}

/// Writes event rows shaped like Daybook's, from a template stream (e.g. one real
/// order's ten events): each run of the template is a new stream.
pub struct BareWriter<'a> {
    template: &'a [Event],
    account_id: Uuid,
    stream_id: Uuid,
    command_id: Uuid,
    next: usize,
}

const INSERT: &str = "INSERT INTO events (event_id, account_id, stream_id, stream_type, revision,
        event_type, schema_version, payload, user_id, device_id, command_id,
        causation_id, correlation_id, issued_at, committed_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

impl<'a> BareWriter<'a> {
    /// A writer cycling through `template`.
    pub fn new(template: &'a [Event]) -> Self {
        BareWriter {
            template,
            account_id: Uuid::now_v7(),
            stream_id: Uuid::now_v7(),
            command_id: Uuid::now_v7(),
            next: 0,
        }
    }

    /// Inserts the next event row: a fresh UUIDv7 event id, the payload serialised
    /// from the template event (as an append must), the same columns Daybook fills.
    pub fn insert(&mut self, conn: &Connection) -> Result<()> {
        if self.next == self.template.len() {
            self.next = 0;
            self.stream_id = Uuid::now_v7();
        }
        let event = &self.template[self.next];
        self.next += 1;
        self.command_id = Uuid::now_v7();
        let now = chrono::Utc::now().timestamp_millis();
        conn.prepare_cached(INSERT)?.execute(params![
            Uuid::now_v7(),
            self.account_id,
            self.stream_id,
            event.stream_type().as_str(),
            self.next as i64,
            event.event_type(),
            event.schema_version(),
            event.payload_json()?,
            "bench",
            "bench-1",
            self.command_id,
            Some(self.command_id),
            None::<Uuid>,
            now,
            now,
        ])?;
        Ok(())
    }

    /// `n` transactions of `per_tx` inserts each (BEGIN IMMEDIATE, like the store).
    pub fn transactions(&mut self, conn: &mut Connection, n: usize, per_tx: usize) -> Result<()> {
        for _ in 0..n {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for _ in 0..per_tx {
                self.insert(&tx)?;
            }
            tx.commit()?;
        }
        Ok(())
    }
}

fn decode(row: &rusqlite::Row<'_>) -> Result<Event> {
    let event_type = row.get_ref(0)?.as_str()?;
    let payload = row.get_ref(1)?.as_str()?;
    Ok(Event::from_payload(event_type, payload)?)
}

/// Reads one stream in revision order and decodes every payload.
pub fn read_stream(conn: &Connection, stream_id: Uuid) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_type, payload FROM events WHERE stream_id = ?1 ORDER BY revision",
    )?;
    let mut rows = stmt.query([stream_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Reads the whole log in sequence order and decodes every payload; returns the count.
pub fn read_all(conn: &Connection) -> Result<u64> {
    let mut stmt = conn.prepare_cached("SELECT event_type, payload FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        black_box(decode(row)?);
        n += 1;
    }
    Ok(n)
}

/// The order list's page and count, as hand-written SQL (the same statements
/// `daybook_app::query::orders` runs for this filter), rows read as raw values.
pub fn order_page(
    conn: &Connection,
    status: Option<&str>,
    descending: bool,
) -> Result<(Vec<Vec<Value>>, i64)> {
    let filter = if status.is_some() {
        "WHERE o.status IN (?)"
    } else {
        ""
    };
    let dir = if descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT o.id, o.number, o.customer_id, c.name, o.status, o.currency, o.created_at,
            o.placed_at, o.delivered_at, o.invoiced_at, o.cancelled_at, o.line_count, o.net,
            o.vat, o.gross, o.customer_reference, o.revision
         FROM p_orders o LEFT JOIN p_customers c ON c.id = o.customer_id
         {filter} ORDER BY o.created_at {dir}, o.id {dir} LIMIT 50 OFFSET 0"
    );
    let args: Vec<&str> = status.into_iter().collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            (0..17).map(|i| r.get::<_, Value>(i)).collect()
        })?
        .collect::<Result<Vec<Vec<Value>>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_orders o {filter}"))?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    Ok((rows, total))
}
