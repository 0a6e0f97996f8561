//! Queries for the screens, over the read models only. Names are joined in at query
//! time; nothing here reads the event log.

mod approvals;
mod catalog;
mod dashboard;
mod orders;

use chrono::{DateTime, NaiveDate, Utc};
use daybook_domain::Money;
use daybook_store::from_millis;
use serde::{Deserialize, Serialize};

pub use approvals::{HeldOrderRow, approvals};
pub use catalog::{
    AddressRow, CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, ProductPage,
    ProductQuery, ProductRow, customer, customers, product, products,
};
pub use dashboard::{Dashboard, DayFigure, Stats, TopCustomer, dashboard, stats};
pub use orders::{
    LineRow, OrderDetail, OrderPage, OrderQuery, OrderRow, OrderSort, OrderSummary, RecordSync,
    order, order_summary, orders,
};

/// Sums of orders in one currency: no figure anywhere adds two currencies, so lists
/// and the dashboard give one of these per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CurrencyTotals {
    /// The currency (`EUR`).
    pub currency: String,
    /// Orders in it.
    pub count: u64,
    /// Their net total.
    pub net: Money,
    /// Their VAT.
    pub vat: Money,
    /// Their gross total.
    pub gross: Money,
}

/// The `SELECT` list that [`currency_totals`] reads: currency, count, net, vat, gross
/// (each amount a [`wide_sum`]), over rows aliased `o` and grouped by currency.
pub(crate) fn currency_totals_sql() -> String {
    format!(
        "o.currency, count(*), {}, {}, {}",
        wide_sum("o.net"),
        wide_sum("o.vat"),
        wide_sum("o.gross")
    )
}

/// One [`CurrencyTotals`] from a row of [`currency_totals_sql`].
pub(crate) fn currency_totals(r: &rusqlite::Row<'_>) -> rusqlite::Result<CurrencyTotals> {
    Ok(CurrencyTotals {
        currency: r.get(0)?,
        count: r.get::<_, i64>(1)? as u64,
        net: wide(r.get(2)?, r.get(3)?),
        vat: wide(r.get(4)?, r.get(5)?),
        gross: wide(r.get(6)?, r.get(7)?),
    })
}

/// Largest page a query returns.
pub const MAX_PAGE: u64 = 1000;

/// SQL for the exact sum of an integer column that cannot overflow whatever the
/// number of rows: two partial sums (of the high and the low 32 bits), each of which
/// fits in i64 for up to 2^31 rows; [`wide`] combines them.
pub(crate) fn wide_sum(column: &str) -> String {
    format!("coalesce(sum(({column}) >> 32), 0), coalesce(sum(({column}) & 4294967295), 0)")
}

/// The total of a [`wide_sum`]: exact, and saturated to the range of an amount (a sum
/// past 92 quadrillion shows as the largest amount instead of failing the query).
pub(crate) fn wide(high: i64, low: i64) -> Money {
    let total = (i128::from(high) << 32) + i128::from(low);
    Money(i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }))
}

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

/// The serial of an order number: its trailing digits without leading zeros
/// (`SO-D2-04321` -> `4321`), what a person reads out on the phone.
pub fn serial_of(number: &str) -> String {
    let digits = number.len() - number.bytes().rev().take_while(u8::is_ascii_digit).count();
    number[digits..].trim_start_matches('0').to_string()
}

/// A search of digits only, as a serial prefix (`04321` -> `4321`); `None` for
/// anything else, and for zeros alone (they would match every order).
pub(crate) fn serial_query(input: &str) -> Option<String> {
    let s = input.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial = s.trim_start_matches('0');
    (!serial.is_empty()).then(|| serial.to_string())
}

pub(crate) fn day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

pub(crate) fn page_limit(limit: Option<u64>) -> u64 {
    limit.unwrap_or(50).clamp(1, MAX_PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn sum_of(values: &[i64]) -> Money {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (x INTEGER NOT NULL)")
            .expect("table");
        for v in values {
            conn.execute("INSERT INTO t VALUES (?1)", [v])
                .expect("insert");
        }
        conn.query_row(&format!("SELECT {} FROM t", wide_sum("x")), [], |r| {
            Ok(wide(r.get(0)?, r.get(1)?))
        })
        .expect("sum")
    }

    #[test]
    fn serials_are_the_trailing_digits_without_zeros() {
        assert_eq!(serial_of("SO-04321"), "4321");
        assert_eq!(serial_of("SO-D2-04321"), "4321");
        assert_eq!(serial_of("SO-"), "");
        assert_eq!(serial_of("SO-00000"), "");
        assert_eq!(serial_of("SO-Ä-0010"), "10");
        assert_eq!(serial_query("04321").as_deref(), Some("4321"));
        assert_eq!(serial_query(" 43 ").as_deref(), Some("43"));
        assert_eq!(serial_query("000"), None);
        assert_eq!(serial_query("SO-4"), None);
    }

    #[test]
    fn wide_sums_are_exact_and_never_overflow() {
        assert_eq!(sum_of(&[]), Money(0));
        assert_eq!(sum_of(&[1, 2, 3]), Money(6));
        assert_eq!(sum_of(&[-5, 3]), Money(-2));
        assert_eq!(sum_of(&[i64::MAX - 1, 1]), Money(i64::MAX));
        assert_eq!(
            sum_of(&[4_294_967_296, 4_294_967_295]),
            Money(8_589_934_591)
        );
        // SQLite's own sum() fails here ("integer overflow"); the wide sum saturates.
        assert_eq!(sum_of(&[i64::MAX, i64::MAX, 7]), Money(i64::MAX));
        assert_eq!(sum_of(&[i64::MIN, -1]), Money(i64::MIN));
    }
}
