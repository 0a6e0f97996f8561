//! What placing an order (or releasing a held one) checks of its customer and the
//! running totals: kept apart from the order's other rules, which it shares none of.

use crate::error::DomainError;
use crate::facts::{CustomerFacts, Facts};
use crate::money::{Currency, MAX_RUNNING_TOTAL, Money};
use crate::order::{SalesOrder, within_order_cap};
use crate::values::{RecordKind, TotalScope};

/// `running + more`, if it stays within [`MAX_RUNNING_TOTAL`].
fn within_running_cap(
    running: Money,
    more: Money,
    scope: TotalScope,
    currency: Currency,
) -> Result<Money, DomainError> {
    running
        .checked_add(more)
        .filter(|t| *t <= MAX_RUNNING_TOTAL)
        .ok_or(DomainError::TotalTooLarge {
            scope,
            currency,
            max: MAX_RUNNING_TOTAL,
        })
}

/// The order's customer, if it may place this order: it exists, is not blocked and
/// still has the order's currency.
pub(crate) fn placeable<'f>(
    o: &SalesOrder,
    facts: &'f Facts,
) -> Result<&'f CustomerFacts, DomainError> {
    let customer = facts
        .customer
        .as_ref()
        .filter(|c| c.id == o.customer_id)
        .ok_or(DomainError::NotFound {
            kind: RecordKind::Customer,
            id: o.customer_id.0,
        })?;
    if customer.blocked {
        return Err(DomainError::CustomerBlocked);
    }
    if customer.currency != o.currency {
        return Err(DomainError::CurrencyMismatch {
            order: o.currency,
            customer: customer.currency,
        });
    }
    Ok(customer)
}

/// The order's gross total and the customer's open total with it, if placing it keeps
/// the order, the customer's open total and the day within their caps. Lines were
/// checked as they came, but an order placed from an older log (before the caps) is
/// checked again here: placing adds it to running totals.
pub(crate) fn running_totals(
    o: &SalesOrder,
    customer: &CustomerFacts,
    facts: &Facts,
) -> Result<(Money, Money), DomainError> {
    let order_total = within_order_cap(o, &o.rate_sums())?.gross;
    let after = within_running_cap(
        customer.open_total,
        order_total,
        TotalScope::CustomerOpen,
        customer.currency,
    )?;
    within_running_cap(facts.day_total, order_total, TotalScope::Day, o.currency)?;
    Ok((order_total, after))
}
