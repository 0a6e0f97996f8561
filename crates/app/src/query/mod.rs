//! Queries for the screens, over the read models only. Names are joined in at query
//! time; nothing here reads the event log.

mod catalog;
mod dashboard;
mod orders;

use chrono::{DateTime, NaiveDate, Utc};
use daybook_store::from_millis;

pub use catalog::{
    AddressRow, CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, ProductPage,
    ProductQuery, ProductRow, customer, customers, product, products,
};
pub use dashboard::{Dashboard, DayFigure, Stats, TopCustomer, dashboard, stats};
pub use orders::{
    LineRow, OrderDetail, OrderPage, OrderQuery, OrderRow, OrderSort, OrderSummary, SyncState,
    order, order_summary, orders,
};

/// Largest page a query returns.
pub const MAX_PAGE: u64 = 1000;

pub(crate) fn opt_time(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_millis)
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

pub(crate) fn day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

pub(crate) fn page_limit(limit: Option<u64>) -> u64 {
    limit.unwrap_or(50).clamp(1, MAX_PAGE)
}
