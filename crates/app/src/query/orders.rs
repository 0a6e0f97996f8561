//! The order list (filters, search, sort, pages, sums) and an order's detail.

use chrono::{DateTime, NaiveDate, Utc};
use daybook_domain::{CustomerId, Money, OrderStatus, RecordKind, Totals};
use daybook_store::from_millis;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

use super::catalog::{AddressRow, address_row};
use super::{
    CurrencyTotals, currency_totals, currency_totals_sql, day_start, fts_query, opt_time,
    page_limit, serial_query,
};

/// How to sort the order list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    /// By creation time.
    #[default]
    Created,
    /// By order number.
    Number,
    /// By customer name.
    Customer,
    /// By status.
    Status,
    /// By gross total.
    Gross,
}

/// Filters, sort and page of the order list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct OrderQuery {
    /// Only these statuses (all but discarded when empty).
    pub status: Vec<OrderStatus>,
    /// Only this customer's orders.
    pub customer_id: Option<CustomerId>,
    /// Created on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Order number prefix or serial digits, customer name, number or city words,
    /// customer reference prefix, or a product code or description word on a line.
    pub search: Option<String>,
    /// Sort key.
    pub sort: OrderSort,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return (default 50, at most [`MAX_PAGE`]).
    pub limit: Option<u64>,
}

/// Where a record's local changes are in their journey to the server.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordSync {
    /// Nothing of it is waiting.
    Synced,
    /// Changes wait to be pushed or confirmed.
    Waiting,
    /// A change was refused or no longer applies: see "needs attention".
    Attention,
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderRow {
    /// Order id.
    pub id: Uuid,
    /// Order number.
    pub number: String,
    /// Customer id.
    pub customer_id: Uuid,
    /// Customer name (joined at query time).
    pub customer_name: String,
    /// Status.
    pub status: OrderStatus,
    /// Currency.
    pub currency: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Placed.
    pub placed_at: Option<DateTime<Utc>>,
    /// Delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Invoiced.
    pub invoiced_at: Option<DateTime<Utc>>,
    /// Cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Number of lines.
    pub line_count: i64,
    /// Net total.
    pub net: Money,
    /// VAT total.
    pub vat: Money,
    /// Gross total.
    pub gross: Money,
    /// The customer's reference.
    pub customer_reference: Option<String>,
    /// Record revision (for optimistic UI).
    pub revision: i64,
    /// Sync state of this order's own changes.
    pub sync_state: RecordSync,
}

/// A page of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderPage {
    /// The rows.
    pub rows: Vec<OrderRow>,
    /// Rows matching the filter, over all pages.
    pub total: u64,
}

/// Count and sums over every order matching a filter, one set of sums per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderSummary {
    /// Orders, in every currency.
    pub count: u64,
    /// Per currency, the one with most orders first.
    pub totals: Vec<CurrencyTotals>,
}

const ORDER_COLUMNS: &str = "o.id, o.number, o.customer_id, c.name, o.status, o.currency, \
    o.created_at, o.placed_at, o.delivered_at, o.invoiced_at, o.cancelled_at, o.line_count, \
    o.net, o.vat, o.gross, o.customer_reference, o.revision, \
    CASE WHEN EXISTS (SELECT 1 FROM outbox ob WHERE ob.stream_id = o.id \
                        AND ob.status IN ('rejected', 'conflict')) THEN 'attention' \
         WHEN EXISTS (SELECT 1 FROM outbox ob WHERE ob.stream_id = o.id \
                        AND ob.status IN ('pending', 'acknowledged')) THEN 'waiting' \
         ELSE 'synced' END";

fn status_of(s: &str) -> rusqlite::Result<OrderStatus> {
    OrderStatus::parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            4,
            rusqlite::types::Type::Text,
            format!("unknown order status {s}").into(),
        )
    })
}

fn order_row(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        id: r.get(0)?,
        number: r.get(1)?,
        customer_id: r.get(2)?,
        customer_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        status: status_of(r.get_ref(4)?.as_str()?)?,
        currency: r.get(5)?,
        created_at: from_millis(r.get(6)?),
        placed_at: opt_time(r.get(7)?),
        delivered_at: opt_time(r.get(8)?),
        invoiced_at: opt_time(r.get(9)?),
        cancelled_at: opt_time(r.get(10)?),
        line_count: r.get(11)?,
        net: Money(r.get(12)?),
        vat: Money(r.get(13)?),
        gross: Money(r.get(14)?),
        customer_reference: r.get(15)?,
        revision: r.get(16)?,
        sync_state: match r.get_ref(17)?.as_str()? {
            "attention" => RecordSync::Attention,
            "waiting" => RecordSync::Waiting,
            _ => RecordSync::Synced,
        },
    })
}

fn order_filter(q: &OrderQuery) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if q.status.is_empty() {
        // A discarded draft is in no list unless asked for by its status.
        clauses.push("o.status <> 'discarded'".into());
    } else {
        let marks = vec!["?"; q.status.len()].join(", ");
        clauses.push(format!("o.status IN ({marks})"));
        args.extend(q.status.iter().map(|s| Value::Text(s.as_str().into())));
    }
    if let Some(c) = q.customer_id {
        clauses.push("o.customer_id = ?".into());
        args.push(Value::Blob(c.0.as_bytes().to_vec()));
    }
    if let Some(d) = q.from {
        clauses.push("o.created_at >= ?".into());
        args.push(Value::Integer(day_start(d)));
    }
    if let Some(d) = q.to {
        clauses.push("o.created_at < ?".into());
        args.push(Value::Integer(day_start(d) + 86_400_000));
    }
    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let (alts, alt_args) = search_alternatives(s);
        clauses.push(format!("o.rowid IN ({})", alts.join(" UNION ")));
        args.extend(alt_args);
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (filter, args)
}

/// The ways a search finds orders, each through its own index, so the page and the
/// count never scan the whole order table: the number (prefix), its serial digits
/// ("4321" finds SO-04321 and SO-D2-04321), the customer's reference (prefix), the
/// customer's name, number or city (FTS), and the products on its lines, by code or
/// description word (FTS, then the lines' product index).
fn search_alternatives(s: &str) -> (Vec<&'static str>, Vec<Value>) {
    let prefix = |args: &mut Vec<Value>, v: &str| {
        args.push(Value::Text(v.to_string()));
        args.push(Value::Text(format!("{v}\u{10FFFF}")));
    };
    let mut alts = vec![
        "SELECT rowid FROM p_orders WHERE number COLLATE NOCASE >= ? \
         AND number COLLATE NOCASE < ?",
        "SELECT rowid FROM p_orders WHERE customer_reference COLLATE NOCASE >= ? \
         AND customer_reference COLLATE NOCASE < ?",
    ];
    let mut args = Vec::new();
    prefix(&mut args, s);
    prefix(&mut args, s);
    if let Some(serial) = serial_query(s) {
        alts.push("SELECT rowid FROM p_orders WHERE serial >= ? AND serial < ?");
        prefix(&mut args, &serial);
    }
    if let Some(fts) = fts_query(s) {
        alts.push(
            "SELECT o3.rowid FROM p_orders o3 WHERE o3.customer_id IN \
             (SELECT c2.id FROM p_customers_fts f JOIN p_customers c2 \
              ON c2.rowid = f.rowid WHERE p_customers_fts MATCH ?)",
        );
        args.push(Value::Text(fts.clone()));
        alts.push(
            "SELECT o4.rowid FROM p_orders o4 WHERE o4.id IN \
             (SELECT l.order_id FROM p_order_lines l WHERE l.product_id IN \
              (SELECT p2.id FROM p_products_fts pf JOIN p_products p2 \
               ON p2.rowid = pf.rowid WHERE p_products_fts MATCH ?))",
        );
        args.push(Value::Text(fts));
    }
    (alts, args)
}

/// The order list: one page, with the total count for the scrollbar.
pub fn orders(conn: &Connection, q: &OrderQuery) -> Result<OrderPage, AppError> {
    let (filter, args) = order_filter(q);
    let dir = if q.descending { "DESC" } else { "ASC" };
    let sort = match q.sort {
        OrderSort::Created => "o.created_at",
        OrderSort::Number => "o.number",
        OrderSort::Customer => "c.name COLLATE NOCASE",
        OrderSort::Status => "o.status",
        OrderSort::Gross => "o.gross",
    };
    // The page's rows are picked first over indexes alone (a deep page skips index
    // entries, not joined rows), then only those rows are read and joined.
    let join = if q.sort == OrderSort::Customer {
        "LEFT JOIN p_customers c ON c.id = o.customer_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM p_orders o LEFT JOIN p_customers c ON c.id = o.customer_id
         WHERE o.rowid IN (SELECT o.rowid FROM p_orders o {join} {filter}
                           ORDER BY {sort} {dir}, o.id {dir} LIMIT {} OFFSET {})
         ORDER BY {sort} {dir}, o.id {dir}",
        page_limit(q.limit),
        q.offset
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), order_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_orders o {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(OrderPage {
        rows,
        total: total as u64,
    })
}

/// Count and sums over every order matching the filter (page fields are ignored).
pub fn order_summary(conn: &Connection, q: &OrderQuery) -> Result<OrderSummary, AppError> {
    let (filter, args) = order_filter(q);
    let sql = format!(
        "SELECT {} FROM p_orders o {filter} GROUP BY o.currency
         ORDER BY count(*) DESC, o.currency",
        currency_totals_sql()
    );
    let totals = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), currency_totals)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderSummary {
        count: totals.iter().map(|t| t.count).sum(),
        totals,
    })
}

/// A line on the order screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineRow {
    /// Line id.
    pub line_id: Uuid,
    /// Product id.
    pub product_id: Uuid,
    /// Product code (as copied).
    pub code: String,
    /// Description.
    pub description: String,
    /// Units.
    pub quantity: i64,
    /// Price per unit.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
    /// VAT class (as copied).
    pub vat_class: String,
    /// VAT rate (as copied).
    pub vat_rate_bp: i64,
    /// Net amount of the line.
    pub net: Money,
}

/// Everything the order screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDetail {
    /// The list row (header fields and totals).
    pub order: OrderRow,
    /// Lines in entry order.
    pub lines: Vec<LineRow>,
    /// Totals with the per-rate breakdown.
    pub totals: Totals,
    /// Chosen delivery address.
    pub delivery_address: Option<AddressRow>,
    /// Notes.
    pub notes: Option<String>,
    /// Server-assigned invoice number.
    pub invoice_number: Option<i64>,
}

/// One order with its lines.
pub fn order(conn: &Connection, id: Uuid) -> Result<OrderDetail, AppError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS}, o.notes, o.invoice_number, o.delivery_address_id
         FROM p_orders o LEFT JOIN p_customers c ON c.id = o.customer_id WHERE o.id = ?1"
    );
    let head = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            Ok((
                order_row(r)?,
                r.get::<_, Option<String>>(18)?,
                r.get::<_, Option<i64>>(19)?,
                r.get::<_, Option<Uuid>>(20)?,
            ))
        })
        .optional()?;
    let Some((row, notes, invoice_number, address_id)) = head else {
        return Err(AppError::NotFound {
            kind: RecordKind::Order,
            id,
        });
    };
    let lines = conn
        .prepare_cached(
            "SELECT line_id, product_id, code, description, quantity, unit_price, discount_bp,
                vat_class, vat_rate_bp, net
             FROM p_order_lines WHERE order_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| {
            Ok(LineRow {
                line_id: r.get(0)?,
                product_id: r.get(1)?,
                code: r.get(2)?,
                description: r.get(3)?,
                quantity: r.get(4)?,
                unit_price: Money(r.get(5)?),
                discount_bp: r.get(6)?,
                vat_class: r.get(7)?,
                vat_rate_bp: r.get(8)?,
                net: Money(r.get(9)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let totals = Totals::from_line_nets(lines.iter().map(|l| (l.vat_rate_bp, l.net)));
    let delivery_address = match address_id {
        None => None,
        Some(a) => conn
            .prepare_cached(
                "SELECT id, label, street, postal_code, city, country FROM p_addresses
                 WHERE id = ?1",
            )?
            .query_row([a], address_row)
            .optional()?,
    };
    Ok(OrderDetail {
        order: row,
        lines,
        totals,
        delivery_address,
        notes,
        invoice_number,
    })
}
