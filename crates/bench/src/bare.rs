//! The same operations done on bare rusqlite: the same schema (the store's migrations
//! and the app's read-model tables), the same connection settings (WAL,
//! synchronous=FULL, same cache), no Daybook code in between.

use std::hint::black_box;
use std::path::Path;

use anyhow::{Context, Result};
use daybook_domain::Event;
use daybook_domain::money::line_net;
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
/// log and customers at `source` (so the bare tables are as large as Daybook's).
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
    conn.execute_batch(
        "INSERT INTO events SELECT * FROM src.events;
         INSERT INTO p_customers SELECT * FROM src.p_customers;
         DETACH DATABASE src;",
    )?;
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
    /// Also write what a Daybook command writes besides the event (outbox row,
    /// read-model rows, checkpoint), by hand.
    full: Option<FullWrites>,
}

/// The hand-written equivalent of a command's other writes.
struct FullWrites {
    outbox_sql: String,
    /// The current order's customer.
    customer: Uuid,
    /// (VAT rate, net) of the current order's lines.
    lines: Vec<(i64, i64)>,
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
            full: None,
        }
    }

    /// A writer that, for every event, also writes what Daybook's command path writes
    /// besides the event: the outbox row (command JSON), the read-model rows of the
    /// order projection and the checkpoint. The floor of a command's write cost.
    pub fn with_command_writes(template: &'a [Event], conn: &Connection) -> Result<Self> {
        // The outbox's columns differ between schema versions: fill the NOT NULL ones.
        let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('outbox')")?;
        let cols: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let has_user = cols.iter().any(|c| c == "user_id");
        let outbox_sql = if has_user {
            "INSERT INTO outbox (command_id, stream_id, envelope, user_id, status, recorded_at)
             VALUES (?1, ?2, ?3, 'bench', 'pending', ?4)"
        } else {
            "INSERT INTO outbox (command_id, stream_id, envelope, status, recorded_at)
             VALUES (?1, ?2, ?3, 'pending', ?4)"
        };
        let mut w = BareWriter::new(template);
        w.full = Some(FullWrites {
            outbox_sql: outbox_sql.to_string(),
            customer: Uuid::nil(),
            lines: Vec::new(),
        });
        Ok(w)
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
        if self.full.is_some() {
            self.command_writes(conn, event, now)?;
        }
        Ok(())
    }

    fn command_writes(&mut self, conn: &Connection, event: &Event, now: i64) -> Result<()> {
        let seq = conn.last_insert_rowid();
        let (id, rev) = (self.stream_id, self.next as i64);
        let full = self.full.as_mut().context("full writes")?;
        // The outbox keeps the command as JSON; the event's payload is a fair stand-in
        // for its size.
        conn.prepare_cached(&full.outbox_sql)?.execute(params![
            self.command_id,
            id,
            event.payload_json()?,
            now
        ])?;
        match event {
            Event::OrderCreated(e) => {
                full.lines.clear();
                full.customer = e.customer_id.0;
                conn.prepare_cached(
                    "INSERT INTO p_orders (id, number, customer_id, status, currency, created_at,
                        updated_at, revision)
                     VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?5, ?6)",
                )?
                .execute(params![
                    id,
                    e.number,
                    e.customer_id.0,
                    e.currency.as_str(),
                    now,
                    rev
                ])?;
                conn.prepare_cached(
                    "UPDATE p_customers SET order_count = order_count + 1 WHERE id = ?1",
                )?
                .execute([e.customer_id.0])?;
            }
            Event::OrderLineAdded(e) => {
                let net = line_net(e.quantity, e.unit_price, e.discount_bp)?.cents();
                full.lines.push((e.vat_rate_bp, net));
                conn.prepare_cached(
                    "INSERT INTO p_order_lines (order_id, line_id, position, product_id, code,
                        description, quantity, unit_price, discount_bp, vat_class, vat_rate_bp,
                        net)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    id,
                    Uuid::now_v7(),
                    rev,
                    e.product_id.0,
                    e.code,
                    e.description,
                    e.quantity,
                    e.unit_price.cents(),
                    e.discount_bp,
                    e.vat_class.as_str(),
                    e.vat_rate_bp,
                    net
                ])?;
                let net: i64 = full.lines.iter().map(|l| l.1).sum();
                let vat: i64 = full.lines.iter().map(|l| l.1 * l.0 / 10_000).sum();
                conn.prepare_cached(
                    "UPDATE p_orders SET line_count = ?2, net = ?3, vat = ?4, gross = ?5,
                        updated_at = ?6, revision = ?7 WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    full.lines.len() as i64,
                    net,
                    vat,
                    net + vat,
                    now,
                    rev
                ])?;
            }
            Event::OrderPlaced(_) => {
                let gross: i64 = full.lines.iter().map(|l| l.1 + l.1 * l.0 / 10_000).sum();
                conn.prepare_cached(
                    "UPDATE p_orders SET status = 'placed', placed_at = ?2, updated_at = ?2,
                        revision = ?3 WHERE id = ?1",
                )?
                .execute(params![id, now, rev])?;
                conn.prepare_cached(
                    "UPDATE p_customers SET open_total = open_total + ?2 WHERE id = ?1",
                )?
                .execute(params![full.customer, gross])?;
                conn.prepare_cached(
                    "INSERT INTO p_daily (day, currency, orders, net, gross)
                     VALUES (?1, 'EUR', 1, ?2, ?3)
                     ON CONFLICT (day, currency) DO UPDATE SET orders = orders + 1,
                        net = net + excluded.net, gross = gross + excluded.gross",
                )?
                .execute(params!["2025-01-01", gross, gross])?;
            }
            _ => {}
        }
        conn.prepare_cached("UPDATE p_checkpoint SET seq = ?1 WHERE name = 'read_models'")?
            .execute([seq])?;
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

/// Replays the whole log of `source` into `target`'s read-model tables by hand, in one
/// transaction: the same rows Daybook's projections hold for customers, products,
/// orders and lines, but each order's row written once (totals kept in memory until
/// the order is placed). A floor for the rebuild. Returns the events read.
pub fn replay_by_hand(source: &Connection, target: &mut Connection) -> Result<u64> {
    use std::collections::HashMap;
    let tx = target.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for t in [
        "p_customers",
        "p_customers_fts",
        "p_products",
        "p_products_fts",
        "p_orders",
        "p_order_lines",
        "p_daily",
    ] {
        tx.execute_batch(&format!("DELETE FROM {t}"))?;
    }
    // Per open order: customer, line count, (VAT rate, net) per line.
    let mut orders: HashMap<Uuid, (Uuid, Vec<(i64, i64)>)> = HashMap::new();
    let mut stmt = source.prepare_cached(
        "SELECT stream_id, revision, event_type, payload, issued_at FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        n += 1;
        let id: Uuid = row.get(0)?;
        let rev: i64 = row.get(1)?;
        let at: i64 = row.get(4)?;
        let event = Event::from_payload(row.get_ref(2)?.as_str()?, row.get_ref(3)?.as_str()?)?;
        match event {
            Event::CustomerRegistered(e) => {
                tx.prepare_cached(
                    "INSERT INTO p_customers (id, number, kind, name, vat_number, email,
                        currency, spending_limit, created_at, updated_at, revision)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
                )?
                .execute(params![
                    id,
                    e.number,
                    e.kind.as_str(),
                    e.name,
                    e.vat_number,
                    e.email,
                    e.currency.as_str(),
                    e.spending_limit.map(|m| m.cents()),
                    at,
                    rev
                ])?;
                let rowid = tx.last_insert_rowid();
                tx.prepare_cached(
                    "INSERT INTO p_customers_fts (rowid, number, name) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![rowid, e.number, e.name])?;
            }
            Event::ProductRegistered(e) => {
                tx.prepare_cached(
                    "INSERT INTO p_products (id, code, description, unit_price, vat_class,
                        created_at, updated_at, revision)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    e.code,
                    e.description,
                    e.unit_price.cents(),
                    e.vat_class.as_str(),
                    at,
                    rev
                ])?;
                let rowid = tx.last_insert_rowid();
                tx.prepare_cached(
                    "INSERT INTO p_products_fts (rowid, code, description) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![rowid, e.code, e.description])?;
            }
            Event::OrderCreated(e) => {
                orders.insert(id, (e.customer_id.0, Vec::new()));
                tx.prepare_cached(
                    "INSERT INTO p_orders (id, number, customer_id, status, currency,
                        created_at, updated_at, revision)
                     VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    e.number,
                    e.customer_id.0,
                    e.currency.as_str(),
                    e.created_at.timestamp_millis(),
                    at,
                    rev
                ])?;
                tx.prepare_cached(
                    "UPDATE p_customers SET order_count = order_count + 1 WHERE id = ?1",
                )?
                .execute([e.customer_id.0])?;
            }
            Event::OrderLineAdded(e) => {
                let net = line_net(e.quantity, e.unit_price, e.discount_bp)?.cents();
                if let Some((_, lines)) = orders.get_mut(&id) {
                    lines.push((e.vat_rate_bp, net));
                }
                tx.prepare_cached(
                    "INSERT INTO p_order_lines (order_id, line_id, position, product_id, code,
                        description, quantity, unit_price, discount_bp, vat_class, vat_rate_bp,
                        net)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    id,
                    e.line_id.0,
                    rev,
                    e.product_id.0,
                    e.code,
                    e.description,
                    e.quantity,
                    e.unit_price.cents(),
                    e.discount_bp,
                    e.vat_class.as_str(),
                    e.vat_rate_bp,
                    net
                ])?;
            }
            Event::OrderPlaced(e) => {
                let Some((customer, lines)) = orders.remove(&id) else {
                    continue;
                };
                let net: i64 = lines.iter().map(|l| l.1).sum();
                let vat: i64 = lines.iter().map(|l| l.1 * l.0 / 10_000).sum();
                let placed = e.placed_at.timestamp_millis();
                tx.prepare_cached(
                    "UPDATE p_orders SET status = 'placed', placed_at = ?2, line_count = ?3,
                        net = ?4, vat = ?5, gross = ?6, updated_at = ?7, revision = ?8
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    placed,
                    lines.len() as i64,
                    net,
                    vat,
                    net + vat,
                    at,
                    rev
                ])?;
                tx.prepare_cached(
                    "UPDATE p_customers SET open_total = open_total + ?2 WHERE id = ?1",
                )?
                .execute(params![customer, net + vat])?;
                tx.prepare_cached(
                    "INSERT INTO p_daily (day, currency, orders, net, gross)
                     VALUES (?1, 'EUR', 1, ?2, ?3)
                     ON CONFLICT (day, currency) DO UPDATE SET orders = orders + 1,
                        net = net + excluded.net, gross = gross + excluded.gross",
                )?
                .execute(params![
                    e.placed_at.format("%Y-%m-%d").to_string(),
                    net,
                    net + vat
                ])?;
            }
            // The benchmark's log holds only the events above when it is replayed.
            _ => {}
        }
    }
    tx.execute(
        "UPDATE p_checkpoint SET seq = (SELECT max(seq) FROM events) WHERE name = 'read_models'",
        [],
    )?;
    tx.commit()?;
    Ok(n)
}

/// Deletes every snapshot of a Daybook store (row 5c: loading without them).
pub fn delete_snapshots(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM snapshots", [])?;
    Ok(())
}

/// The `--qpsg` experiment: SQLite's query planner stability guarantee on a
/// connection (what the store would set when it configures one).
pub fn enable_qpsg(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}
