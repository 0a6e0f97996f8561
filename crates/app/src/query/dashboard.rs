//! The dashboard (orders and revenue per day, top customers, open work) and stats.

use chrono::NaiveDate;
use daybook_domain::Money;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

use super::{CurrencyTotals, currency_totals, currency_totals_sql, day_start, wide, wide_sum};

/// Orders placed and revenue on one day (UTC), net of later cancellations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayFigure {
    /// The day.
    pub day: NaiveDate,
    /// The currency of the amounts (a day with orders in two currencies has two).
    pub currency: String,
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
    /// The customer's currency, the one of its gross.
    pub currency: String,
    /// Placed (not cancelled) orders in the period.
    pub orders: i64,
    /// Their gross total.
    pub gross: Money,
}

/// The dashboard's figures for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    /// One entry per day and currency with activity, ascending.
    pub days: Vec<DayFigure>,
    /// Top ten customers by gross in the period (each in its own currency).
    pub top_customers: Vec<TopCustomer>,
    /// Orders currently placed or delivered (not invoiced).
    pub open_orders: i64,
    /// Their totals per currency, the one with most orders first.
    pub open: Vec<CurrencyTotals>,
    /// Draft orders.
    pub drafts: i64,
}

/// Orders and revenue per day in `[from, to]`, top customers, open work.
pub fn dashboard(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Dashboard, AppError> {
    let days = conn
        .prepare_cached(
            "SELECT day, orders, net, gross, currency FROM p_daily WHERE day >= ?1
             AND day <= ?2 AND orders > 0 ORDER BY day, currency",
        )?
        .query_map([from.to_string(), to.to_string()], |r| {
            let d: String = r.get(0)?;
            Ok((d, r.get(1)?, Money(r.get(2)?), Money(r.get(3)?), r.get(4)?))
        })?
        .map(|row| {
            let (d, orders, net, gross, currency) = row?;
            let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
            })?;
            Ok(DayFigure {
                day,
                currency,
                orders,
                net,
                gross,
            })
        })
        .collect::<Result<Vec<_>, rusqlite::Error>>()?;
    let top_customers = conn
        .prepare_cached(&format!(
            "SELECT o.customer_id, c.name, count(*), {}, c.currency FROM p_orders o
                 JOIN p_customers c ON c.id = o.customer_id
                 WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled'
                 GROUP BY o.customer_id ORDER BY total(o.gross) DESC LIMIT 10",
            wide_sum("o.gross")
        ))?
        .query_map([day_start(from), day_start(to) + 86_400_000], |r| {
            Ok(TopCustomer {
                id: r.get(0)?,
                name: r.get(1)?,
                orders: r.get(2)?,
                gross: wide(r.get(3)?, r.get(4)?),
                currency: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let open = conn
        .prepare_cached(&format!(
            "SELECT {} FROM p_orders o WHERE o.status IN ('placed', 'delivered')
             GROUP BY o.currency ORDER BY count(*) DESC, o.currency",
            currency_totals_sql()
        ))?
        .query_map([], currency_totals)?
        .collect::<Result<Vec<_>, _>>()?;
    let open_orders = open.iter().map(|t| t.count as i64).sum();
    let drafts = conn
        .prepare_cached("SELECT count(*) FROM p_orders WHERE status = 'draft'")?
        .query_row([], |r| r.get(0))?;
    Ok(Dashboard {
        days,
        top_customers,
        open_orders,
        open,
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
