//! CSV exports for spreadsheets and accountants: the order list, order lines, the
//! account's timeline and one record's history with field-level changes.
//!
//! **Invariant:** money is written as decimal text with two decimals (`1234.50`),
//! never through a float; percentages likewise (`12.50`); times are ISO-8601 UTC with
//! milliseconds (`2025-03-01T14:05:09.123Z`); text is UTF-8, quoted by the `csv`
//! crate when it holds a separator, quote or line break. Exports read the read
//! models (and the log for history), the same data the screens show.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use daybook_domain::Money;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::history::{self, TimelineFilter};
use crate::query::{self, MAX_PAGE, OrderQuery, RecordSync};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// One row per order.
    Orders,
    /// One row per order line.
    Lines,
    /// The account's timeline: one row per event, oldest first.
    Timeline,
    /// Every customer, in the columns an import reads.
    Customers,
    /// Every product, in the columns an import reads.
    Products,
}

/// Rows written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportReport {
    /// Data rows (the header not counted).
    pub rows: u64,
}

/// `2025-03-01T14:05:09.123Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn opt_iso(t: Option<DateTime<Utc>>) -> String {
    t.map(iso).unwrap_or_default()
}

/// Basis points as a decimal percentage: `1250` -> `12.50`.
pub fn percent(bp: i64) -> String {
    Money(bp).to_string()
}

fn sync_state(s: RecordSync) -> &'static str {
    match s {
        RecordSync::Synced => "synced",
        RecordSync::Waiting => "waiting",
        RecordSync::Attention => "attention",
    }
}

fn csv_err(e: csv::Error) -> AppError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => AppError::io("cannot write the export", io),
        other => AppError::io(
            "cannot write the export",
            std::io::Error::other(format!("{other:?}")),
        ),
    }
}

/// Every order matching `filter` (its paging ignored), in the filter's sort order, a
/// page at a time so a large list never sits in memory at once.
fn for_each_order(
    conn: &Connection,
    filter: &OrderQuery,
    mut f: impl FnMut(&query::OrderRow) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut q = filter.clone();
    q.offset = 0;
    q.limit = Some(MAX_PAGE);
    loop {
        let page = query::orders(conn, &q)?;
        for row in &page.rows {
            f(row)?;
        }
        if (page.rows.len() as u64) < MAX_PAGE {
            return Ok(());
        }
        q.offset += MAX_PAGE;
    }
}

/// One row per order: number, customer, status, dates, totals, sync state.
pub fn orders_csv(
    conn: &Connection,
    filter: &OrderQuery,
    out: impl Write,
) -> Result<ExportReport, AppError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "number",
        "order_id",
        "customer",
        "customer_id",
        "status",
        "currency",
        "created_at",
        "placed_at",
        "delivered_at",
        "invoiced_at",
        "cancelled_at",
        "lines",
        "net",
        "vat",
        "gross",
        "customer_reference",
        "revision",
        "sync_state",
    ])
    .map_err(csv_err)?;
    let mut rows = 0;
    for_each_order(conn, filter, |o| {
        w.write_record([
            o.number.as_str(),
            &o.id.to_string(),
            &o.customer_name,
            &o.customer_id.to_string(),
            o.status.as_str(),
            &o.currency,
            &iso(o.created_at),
            &opt_iso(o.placed_at),
            &opt_iso(o.delivered_at),
            &opt_iso(o.invoiced_at),
            &opt_iso(o.cancelled_at),
            &o.line_count.to_string(),
            &o.net.to_string(),
            &o.vat.to_string(),
            &o.gross.to_string(),
            o.customer_reference.as_deref().unwrap_or(""),
            &o.revision.to_string(),
            sync_state(o.sync_state),
        ])
        .map_err(csv_err)?;
        rows += 1;
        Ok(())
    })?;
    w.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    Ok(ExportReport { rows })
}

/// One row per line of every order matching `filter`, in the order list's order and
/// each order's line order.
pub fn lines_csv(
    conn: &Connection,
    filter: &OrderQuery,
    out: impl Write,
) -> Result<ExportReport, AppError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "order_number",
        "order_id",
        "line",
        "line_id",
        "product_code",
        "product_id",
        "description",
        "quantity",
        "unit_price",
        "discount_percent",
        "vat_class",
        "vat_rate_percent",
        "net",
    ])
    .map_err(csv_err)?;
    let mut rows = 0;
    let mut stmt = conn.prepare_cached(
        "SELECT position, line_id, code, product_id, description, quantity, unit_price,
                discount_bp, vat_class, vat_rate_bp, net
         FROM p_order_lines WHERE order_id = ?1 ORDER BY position",
    )?;
    for_each_order(conn, filter, |o| {
        let mut lines = stmt.query([o.id])?;
        let mut n = 0;
        while let Some(r) = lines.next()? {
            n += 1;
            let (line_id, product_id): (Uuid, Uuid) = (r.get(1)?, r.get(3)?);
            w.write_record([
                o.number.as_str(),
                &o.id.to_string(),
                &n.to_string(),
                &line_id.to_string(),
                &r.get::<_, String>(2)?,
                &product_id.to_string(),
                &r.get::<_, String>(4)?,
                &r.get::<_, i64>(5)?.to_string(),
                &Money(r.get(6)?).to_string(),
                &percent(r.get(7)?),
                &r.get::<_, String>(8)?,
                &percent(r.get(9)?),
                &Money(r.get(10)?).to_string(),
            ])
            .map_err(csv_err)?;
            rows += 1;
        }
        Ok(())
    })?;
    w.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    Ok(ExportReport { rows })
}

/// The account's timeline matching `filter` (its paging ignored): one row per event,
/// oldest first.
pub fn timeline_csv(
    conn: &Connection,
    filter: &TimelineFilter,
    out: impl Write,
) -> Result<ExportReport, AppError> {
    // The timeline pages newest first; collect the sequence range, then write it
    // oldest first, as a ledger reads.
    let mut f = filter.clone();
    f.limit = Some(1000);
    f.before_seq = None;
    let mut entries = Vec::new();
    loop {
        let page = history::timeline(conn, &f)?;
        entries.extend(page.entries);
        match page.next_before {
            Some(before) => f.before_seq = Some(before),
            None => break,
        }
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seq",
        "issued_at",
        "record_type",
        "record_id",
        "record",
        "revision",
        "event_type",
        "user",
        "device",
    ])
    .map_err(csv_err)?;
    for e in entries.iter().rev() {
        w.write_record([
            e.seq.to_string().as_str(),
            &iso(e.at),
            e.stream_type.as_str(),
            &e.stream_id.to_string(),
            e.label.as_deref().unwrap_or(""),
            &e.revision.to_string(),
            &e.event_type,
            &e.user,
            &e.device,
        ])
        .map_err(csv_err)?;
    }
    w.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    Ok(ExportReport {
        rows: entries.len() as u64,
    })
}

/// One record's history: one row per changed field (old and new values as JSON
/// text), and one row with an empty field for an event that changed no field.
pub fn record_history_csv(
    conn: &Connection,
    id: Uuid,
    out: impl Write,
) -> Result<ExportReport, AppError> {
    let h = history::history(conn, id)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seq",
        "revision",
        "committed_at",
        "issued_at",
        "record_type",
        "record_id",
        "event_type",
        "user",
        "device",
        "command_id",
        "field",
        "old",
        "new",
    ])
    .map_err(csv_err)?;
    let mut rows = 0;
    let json = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for e in &h.entries {
        let fixed = [
            e.seq.to_string(),
            e.revision.to_string(),
            iso(e.at),
            iso(e.issued_at),
            h.stream_type.as_str().to_string(),
            h.stream_id.to_string(),
            e.event_type.clone(),
            e.user.clone(),
            e.device.clone(),
            e.command_id.to_string(),
        ];
        let changes: Vec<[String; 3]> = if e.changes.is_empty() {
            vec![Default::default()]
        } else {
            e.changes
                .iter()
                .map(|c| [c.path.clone(), json(&c.old), json(&c.new)])
                .collect()
        };
        for c in changes {
            w.write_record(fixed.iter().chain(c.iter()))
                .map_err(csv_err)?;
            rows += 1;
        }
    }
    w.flush()
        .map_err(|e| AppError::io("cannot write the export", e))?;
    Ok(ExportReport { rows })
}
