//! Queries for the screens, over the read models only. Names are joined in at query
//! time; nothing here reads the event log.

use chrono::{DateTime, NaiveDate, Utc};
use daybook_domain::{CustomerId, Money, OrderStatus, RecordKind, Totals};
use daybook_store::from_millis;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// Largest page a query returns.
pub const MAX_PAGE: u64 = 1000;

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
    /// Only these statuses (all when empty).
    pub status: Vec<OrderStatus>,
    /// Only this customer's orders.
    pub customer_id: Option<CustomerId>,
    /// Created on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Order number prefix, customer name or number words, or customer reference prefix.
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
pub enum SyncState {
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
    pub sync_state: SyncState,
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

/// Sums over every order matching a filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderSummary {
    /// Orders.
    pub count: u64,
    /// Net.
    pub net: Money,
    /// VAT.
    pub vat: Money,
    /// Gross.
    pub gross: Money,
}

const ORDER_COLUMNS: &str = "o.id, o.number, o.customer_id, c.name, o.status, o.currency, \
    o.created_at, o.placed_at, o.delivered_at, o.invoiced_at, o.cancelled_at, o.line_count, \
    o.net, o.vat, o.gross, o.customer_reference, o.revision, \
    CASE WHEN EXISTS (SELECT 1 FROM outbox ob WHERE ob.stream_id = o.id \
                        AND ob.status IN ('rejected', 'conflict')) THEN 'attention' \
         WHEN EXISTS (SELECT 1 FROM outbox ob WHERE ob.stream_id = o.id \
                        AND ob.status IN ('pending', 'acknowledged')) THEN 'waiting' \
         ELSE 'synced' END";

fn opt_time(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_millis)
}

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
            "attention" => SyncState::Attention,
            "waiting" => SyncState::Waiting,
            _ => SyncState::Synced,
        },
    })
}

/// Turns what a person typed into an FTS5 prefix query: every word must match the
/// start of a word. Quotes are stripped so input can never be FTS syntax.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

fn order_filter(q: &OrderQuery) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if !q.status.is_empty() {
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
        // The matching rows are collected first, each alternative through its own
        // index (number and reference prefixes as ranges, customer words through
        // FTS), so the page and the count never scan the whole order table.
        let mut alts = vec![
            "SELECT rowid FROM p_orders WHERE number COLLATE NOCASE >= ? \
             AND number COLLATE NOCASE < ?"
                .to_string(),
            "SELECT rowid FROM p_orders WHERE customer_reference COLLATE NOCASE >= ? \
             AND customer_reference COLLATE NOCASE < ?"
                .to_string(),
        ];
        for _ in 0..2 {
            args.push(Value::Text(s.to_string()));
            args.push(Value::Text(format!("{s}\u{10FFFF}")));
        }
        if let Some(fts) = fts_query(s) {
            alts.push(
                "SELECT o3.rowid FROM p_orders o3 WHERE o3.customer_id IN \
                 (SELECT c2.id FROM p_customers_fts f JOIN p_customers c2 \
                  ON c2.rowid = f.rowid WHERE p_customers_fts MATCH ?)"
                    .into(),
            );
            args.push(Value::Text(fts));
        }
        clauses.push(format!("o.rowid IN ({})", alts.join(" UNION ")));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (filter, args)
}

fn page_limit(limit: Option<u64>) -> u64 {
    limit.unwrap_or(50).clamp(1, MAX_PAGE)
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
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM p_orders o LEFT JOIN p_customers c ON c.id = o.customer_id
         {filter} ORDER BY {sort} {dir}, o.id {dir} LIMIT {} OFFSET {}",
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
        "SELECT count(*), coalesce(sum(o.net), 0), coalesce(sum(o.vat), 0),
            coalesce(sum(o.gross), 0) FROM p_orders o {filter}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), |r| {
            Ok(OrderSummary {
                count: r.get::<_, i64>(0)? as u64,
                net: Money(r.get(1)?),
                vat: Money(r.get(2)?),
                gross: Money(r.get(3)?),
            })
        })?)
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

/// An address as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddressRow {
    /// Address id.
    pub id: Uuid,
    /// Label.
    pub label: String,
    /// Street.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
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

fn address_row(r: &Row<'_>) -> rusqlite::Result<AddressRow> {
    Ok(AddressRow {
        id: r.get(0)?,
        label: r.get(1)?,
        street: r.get(2)?,
        postal_code: r.get(3)?,
        city: r.get(4)?,
        country: r.get(5)?,
    })
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

/// Filters and page of the customer list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CustomerQuery {
    /// Words matching the start of name or number words.
    pub search: Option<String>,
    /// Only blocked (true) or only unblocked (false) customers.
    pub blocked: Option<bool>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: Option<u64>,
}

/// One row of the customer list, with the open total against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerRow {
    /// Customer id.
    pub id: Uuid,
    /// Customer number.
    pub number: String,
    /// Organisation or person.
    pub kind: String,
    /// Name.
    pub name: String,
    /// VAT number.
    pub vat_number: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Currency.
    pub currency: String,
    /// `None` is unlimited.
    pub spending_limit: Option<Money>,
    /// Placed, not yet invoiced orders (gross).
    pub open_total: Money,
    /// Orders ever created.
    pub order_count: i64,
    /// Blocked.
    pub blocked: bool,
    /// Revision.
    pub revision: i64,
}

/// A page of customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerPage {
    /// Rows.
    pub rows: Vec<CustomerRow>,
    /// Matching rows over all pages.
    pub total: u64,
}

const CUSTOMER_COLUMNS: &str = "c.id, c.number, c.kind, c.name, c.vat_number, c.email, \
    c.currency, c.spending_limit, c.open_total, c.order_count, c.blocked, c.revision";

fn customer_row(r: &Row<'_>) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        id: r.get(0)?,
        number: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        vat_number: r.get(4)?,
        email: r.get(5)?,
        currency: r.get(6)?,
        spending_limit: r.get::<_, Option<i64>>(7)?.map(Money),
        open_total: Money(r.get(8)?),
        order_count: r.get(9)?,
        blocked: r.get(10)?,
        revision: r.get(11)?,
    })
}

/// The customer list, by name.
pub fn customers(conn: &Connection, q: &CustomerQuery) -> Result<CustomerPage, AppError> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(fts) = q.search.as_deref().and_then(fts_query) {
        clauses
            .push("c.rowid IN (SELECT rowid FROM p_customers_fts WHERE p_customers_fts MATCH ?)");
        args.push(Value::Text(fts));
    }
    if let Some(b) = q.blocked {
        clauses.push("c.blocked = ?");
        args.push(Value::Integer(i64::from(b)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM p_customers c {filter}
             ORDER BY c.name COLLATE NOCASE, c.id LIMIT {} OFFSET {}",
            page_limit(q.limit),
            q.offset
        ))?
        .query_map(params_from_iter(args.iter()), customer_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_customers c {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(CustomerPage {
        rows,
        total: total as u64,
    })
}

/// A customer with addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerDetail {
    /// The list row.
    pub customer: CustomerRow,
    /// Current addresses.
    pub addresses: Vec<AddressRow>,
}

/// One customer.
pub fn customer(conn: &Connection, id: Uuid) -> Result<CustomerDetail, AppError> {
    let customer = conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM p_customers c WHERE c.id = ?1"
        ))?
        .query_row([id], customer_row)
        .optional()?
        .ok_or(AppError::NotFound {
            kind: RecordKind::Customer,
            id,
        })?;
    let addresses = conn
        .prepare_cached(
            "SELECT id, label, street, postal_code, city, country FROM p_addresses
             WHERE customer_id = ?1 ORDER BY position",
        )?
        .query_map([id], address_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CustomerDetail {
        customer,
        addresses,
    })
}

/// Filters and page of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ProductQuery {
    /// Words matching the start of code or description words.
    pub search: Option<String>,
    /// Include discontinued products.
    pub include_discontinued: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: Option<u64>,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductRow {
    /// Product id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Price per unit.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: String,
    /// Discontinued.
    pub discontinued: bool,
    /// Revision.
    pub revision: i64,
}

/// A page of products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductPage {
    /// Rows.
    pub rows: Vec<ProductRow>,
    /// Matching rows over all pages.
    pub total: u64,
}

fn product_row(r: &Row<'_>) -> rusqlite::Result<ProductRow> {
    Ok(ProductRow {
        id: r.get(0)?,
        code: r.get(1)?,
        description: r.get(2)?,
        unit_price: Money(r.get(3)?),
        vat_class: r.get(4)?,
        discontinued: r.get(5)?,
        revision: r.get(6)?,
    })
}

/// The catalogue, searched with FTS5 on code and description; exact code first.
pub fn products(conn: &Connection, q: &ProductQuery) -> Result<ProductPage, AppError> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let search = q.search.as_deref().map(str::trim).unwrap_or("");
    if let Some(fts) = fts_query(search) {
        clauses.push("p.rowid IN (SELECT rowid FROM p_products_fts WHERE p_products_fts MATCH ?)");
        args.push(Value::Text(fts));
    }
    if !q.include_discontinued {
        clauses.push("p.discontinued = 0");
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let mut page_args = args.clone();
    page_args.push(Value::Text(search.to_string()));
    let rows = conn
        .prepare_cached(&format!(
            "SELECT p.id, p.code, p.description, p.unit_price, p.vat_class, p.discontinued,
                p.revision
             FROM p_products p {filter}
             ORDER BY (p.code = ? COLLATE NOCASE) DESC, p.code, p.id LIMIT {} OFFSET {}",
            page_limit(q.limit),
            q.offset
        ))?
        .query_map(params_from_iter(page_args.iter()), product_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_products p {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(ProductPage {
        rows,
        total: total as u64,
    })
}

/// One product.
pub fn product(conn: &Connection, id: Uuid) -> Result<ProductRow, AppError> {
    conn.prepare_cached(
        "SELECT id, code, description, unit_price, vat_class, discontinued, revision
         FROM p_products WHERE id = ?1",
    )?
    .query_row([id], product_row)
    .optional()?
    .ok_or(AppError::NotFound {
        kind: RecordKind::Product,
        id,
    })
}

/// Orders placed and revenue on one day (UTC), net of later cancellations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayFigure {
    /// The day.
    pub day: NaiveDate,
    /// Orders placed that day and not cancelled.
    pub orders: i64,
    /// Their net total.
    pub net: Money,
    /// Their gross total.
    pub gross: Money,
}

/// A customer ranked by revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopCustomer {
    /// Customer id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Placed (not cancelled) orders in the period.
    pub orders: i64,
    /// Their gross total.
    pub gross: Money,
}

/// The dashboard's figures for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    /// One entry per day with activity, ascending.
    pub days: Vec<DayFigure>,
    /// Top ten customers by gross in the period.
    pub top_customers: Vec<TopCustomer>,
    /// Orders currently placed or delivered (not invoiced).
    pub open_orders: i64,
    /// Their gross total.
    pub open_gross: Money,
    /// Draft orders.
    pub drafts: i64,
}

/// Orders and revenue per day in `[from, to]`, top customers, open work.
pub fn dashboard(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Dashboard, AppError> {
    let days = conn
        .prepare_cached(
            "SELECT day, orders, net, gross FROM p_daily WHERE day >= ?1 AND day <= ?2
             AND orders > 0 ORDER BY day",
        )?
        .query_map([from.to_string(), to.to_string()], |r| {
            let d: String = r.get(0)?;
            Ok((d, r.get(1)?, Money(r.get(2)?), Money(r.get(3)?)))
        })?
        .map(|row| {
            let (d, orders, net, gross) = row?;
            let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
            })?;
            Ok(DayFigure {
                day,
                orders,
                net,
                gross,
            })
        })
        .collect::<Result<Vec<_>, rusqlite::Error>>()?;
    let top_customers = conn
        .prepare_cached(
            "SELECT o.customer_id, c.name, count(*), sum(o.gross) FROM p_orders o
             JOIN p_customers c ON c.id = o.customer_id
             WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled'
             GROUP BY o.customer_id ORDER BY sum(o.gross) DESC LIMIT 10",
        )?
        .query_map([day_start(from), day_start(to) + 86_400_000], |r| {
            Ok(TopCustomer {
                id: r.get(0)?,
                name: r.get(1)?,
                orders: r.get(2)?,
                gross: Money(r.get(3)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let (open_orders, open_gross, drafts) = conn.query_row(
        "SELECT
            (SELECT count(*) FROM p_orders WHERE status IN ('placed', 'delivered')),
            (SELECT coalesce(sum(gross), 0) FROM p_orders WHERE status IN ('placed', 'delivered')),
            (SELECT count(*) FROM p_orders WHERE status = 'draft')",
        [],
        |r| Ok((r.get(0)?, Money(r.get(1)?), r.get(2)?)),
    )?;
    Ok(Dashboard {
        days,
        top_customers,
        open_orders,
        open_gross,
        drafts,
    })
}

/// Counts for `daybook stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Events in the log.
    pub events: i64,
    /// Streams (records).
    pub streams: i64,
    /// Customers.
    pub customers: i64,
    /// Products.
    pub products: i64,
    /// Orders.
    pub orders: i64,
    /// Commands waiting for sync.
    pub pending_commands: i64,
    /// Read-model checkpoint.
    pub checkpoint: i64,
    /// Database size in bytes.
    pub db_bytes: i64,
}

/// Store and read-model counts.
pub fn stats(conn: &Connection) -> Result<Stats, AppError> {
    Ok(conn.query_row(
        "SELECT
            (SELECT count(*) FROM events),
            (SELECT count(*) FROM (SELECT DISTINCT stream_id FROM events)),
            (SELECT count(*) FROM p_customers),
            (SELECT count(*) FROM p_products),
            (SELECT count(*) FROM p_orders),
            (SELECT count(*) FROM outbox WHERE status = 'pending'),
            (SELECT seq FROM p_checkpoint WHERE name = 'read_models'),
            (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size())",
        [],
        |r| {
            Ok(Stats {
                events: r.get(0)?,
                streams: r.get(1)?,
                customers: r.get(2)?,
                products: r.get(3)?,
                orders: r.get(4)?,
                pending_commands: r.get(5)?,
                checkpoint: r.get(6)?,
                db_bytes: r.get(7)?,
            })
        },
    )?)
}
