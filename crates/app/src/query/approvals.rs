//! The approvals queue: held orders waiting for a manager, with what they need to
//! decide (the customer's limit and open total as they are now, not as when held).

use chrono::{DateTime, Utc};
use daybook_domain::Money;
use daybook_store::from_millis;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One held order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HeldOrderRow {
    /// Order id.
    pub id: Uuid,
    /// Order number.
    pub number: String,
    /// Customer id.
    pub customer_id: Uuid,
    /// Customer name.
    pub customer_name: String,
    /// Customer number.
    pub customer_number: String,
    /// The order's currency.
    pub currency: String,
    /// The order's gross total.
    pub amount: Money,
    /// The customer's spending limit now (`None`: unlimited since it was held).
    pub limit: Option<Money>,
    /// The customer's open total now (placed, not yet invoiced orders).
    pub open_total: Money,
    /// Whether the customer is blocked now (a release would be refused).
    pub blocked: bool,
    /// Who placed it.
    pub held_by: String,
    /// When it was placed (and held).
    pub held_at: DateTime<Utc>,
}

/// Every held order, the longest waiting first.
pub fn approvals(conn: &Connection) -> Result<Vec<HeldOrderRow>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.number, o.customer_id, c.name, c.number, o.currency, o.gross,
                c.spending_limit, c.open_total, c.blocked, o.held_by, o.held_at
         FROM p_orders o JOIN p_customers c ON c.id = o.customer_id
         WHERE o.status = 'held'
         ORDER BY o.held_at, o.number",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(HeldOrderRow {
                id: r.get(0)?,
                number: r.get(1)?,
                customer_id: r.get(2)?,
                customer_name: r.get(3)?,
                customer_number: r.get(4)?,
                currency: r.get(5)?,
                amount: Money(r.get(6)?),
                limit: r.get::<_, Option<i64>>(7)?.map(Money),
                open_total: Money(r.get(8)?),
                blocked: r.get(9)?,
                held_by: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                held_at: from_millis(r.get::<_, Option<i64>>(11)?.unwrap_or(0)),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
