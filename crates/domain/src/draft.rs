//! What happens to an order as a whole while it is a draft: it is opened for a
//! customer, given to another customer, or discarded. Kept apart from the line rules
//! in `order.rs`.
//!
//! A draft is never placed: placing makes it placed or held, and only a held order a
//! manager refused comes back to draft, having counted nowhere. So any draft may be
//! discarded (a refused one too; its hold and refusal stay in its history).

use chrono::{DateTime, Utc};

use crate::command;
use crate::error::DomainError;
use crate::event::{Event, OrderCreated, OrderCustomerChanged, OrderDiscarded};
use crate::facts::{CustomerFacts, Facts};
use crate::ids::CustomerId;
use crate::order::SalesOrder;
use crate::validate::required;
use crate::values::{OrderStatus, RecordKind};

/// Ok if the order is a draft.
pub(crate) fn draft(o: &SalesOrder) -> Result<(), DomainError> {
    if o.status == OrderStatus::Draft {
        Ok(())
    } else {
        Err(DomainError::OrderNotDraft { status: o.status })
    }
}

/// The facts of the customer asked for, if it exists.
fn customer(facts: &Facts, id: CustomerId) -> Result<&CustomerFacts, DomainError> {
    facts
        .customer
        .as_ref()
        .filter(|f| f.id == id)
        .ok_or(DomainError::NotFound {
            kind: RecordKind::Customer,
            id: id.0,
        })
}

/// Opens a draft: the only command that needs the stream to be empty.
pub(crate) fn create(
    state: Option<&SalesOrder>,
    c: &command::CreateOrder,
    facts: &Facts,
    at: DateTime<Utc>,
) -> Result<Vec<Event>, DomainError> {
    if state.is_some() {
        return Err(DomainError::AlreadyExists {
            kind: RecordKind::Order,
            id: c.order_id.0,
        });
    }
    let number = required("number", &c.number, 32)?;
    if matches!(facts.order_number_owner, Some(owner) if owner != c.order_id) {
        return Err(DomainError::DuplicateOrderNumber { number });
    }
    let customer = customer(facts, c.customer_id)?;
    Ok(vec![
        OrderCreated {
            number,
            customer_id: c.customer_id,
            currency: customer.currency,
            created_at: at,
        }
        .into(),
    ])
}

/// Gives a draft to another customer, who must exist and not be blocked. The delivery
/// address becomes the new customer's default: the first of their addresses (in the
/// order they were added), or none. Lines keep their prices, so a draft with lines
/// cannot change currency.
pub(crate) fn change_customer(
    o: &SalesOrder,
    c: &command::ChangeOrderCustomer,
    facts: &Facts,
) -> Result<Vec<Event>, DomainError> {
    draft(o)?;
    let customer = customer(facts, c.customer_id)?;
    if customer.blocked {
        return Err(DomainError::CustomerBlocked);
    }
    if customer.id == o.customer_id {
        return Ok(vec![]);
    }
    if customer.currency != o.currency && !o.lines.is_empty() {
        return Err(DomainError::CurrencyMismatch {
            order: o.currency,
            customer: customer.currency,
        });
    }
    Ok(vec![
        OrderCustomerChanged {
            customer_id: customer.id,
            currency: customer.currency,
            delivery_address_id: customer.address_ids.first().copied(),
        }
        .into(),
    ])
}

/// Discards a draft (see the module's note on refused orders).
pub(crate) fn discard(o: &SalesOrder, at: DateTime<Utc>) -> Result<Vec<Event>, DomainError> {
    draft(o)?;
    Ok(vec![OrderDiscarded { discarded_at: at }.into()])
}
