//! Who may give which command: a pure function of the person's role, the command and
//! the state of the record it writes to, so a client refuses locally exactly what the
//! server refuses. One exhaustive match: a new command does not compile until it has
//! its rule.
//!
//! Clerk: customers (without a spending limit) and orders: create, change a draft's
//! customer, lines, details, discard a draft, place (over the limit it is held),
//! deliver, cancel before delivery. Manager: all that
//! plus products and prices, spending limits, blocking, releasing and refusing held
//! orders, cancelling after delivery, invoicing and the company's details. Admin:
//! everything (and later people and devices).

use crate::aggregate::Aggregate;
use crate::command::Command;
use crate::error::DomainError;
use crate::values::{OrderStatus, Role};

/// The least role that may give `command` on a record in `state`, and what it does as
/// a person says it (for the refusal).
pub fn required(command: &Command, state: &Aggregate) -> (Role, &'static str) {
    use Role::{Clerk, Manager};
    match command {
        Command::RegisterCustomer(c) if c.spending_limit.is_some() => {
            (Manager, "register a customer with a spending limit")
        }
        Command::RegisterCustomer(_) => (Clerk, "register a customer"),
        Command::UpdateCustomer(_) => (Clerk, "change a customer's details"),
        Command::AddCustomerAddress(_) => (Clerk, "add a customer's address"),
        Command::ChangeCustomerAddress(_) => (Clerk, "change a customer's address"),
        Command::RemoveCustomerAddress(_) => (Clerk, "remove a customer's address"),
        Command::SetSpendingLimit(_) => (Manager, "set a customer's spending limit"),
        Command::BlockCustomer(_) => (Manager, "block a customer"),
        Command::UnblockCustomer(_) => (Manager, "unblock a customer"),
        Command::RegisterProduct(_) => (Manager, "add a product"),
        Command::UpdateProduct(_) => (Manager, "change a product or its price"),
        Command::DiscontinueProduct(_) => (Manager, "discontinue a product"),
        Command::ReinstateProduct(_) => (Manager, "reinstate a product"),
        Command::CreateOrder(_) => (Clerk, "create an order"),
        Command::ChangeOrderCustomer(_) => (Clerk, "change an order's customer"),
        Command::DiscardOrder(_) => (Clerk, "discard a draft order"),
        Command::AddOrderLine(_) => (Clerk, "add an order line"),
        Command::ChangeOrderLine(_) => (Clerk, "change an order line"),
        Command::RemoveOrderLine(_) => (Clerk, "remove an order line"),
        Command::SetDeliveryAddress(_) => (Clerk, "choose the delivery address"),
        Command::SetOrderDetails(_) => (Clerk, "change an order's reference or notes"),
        Command::PlaceOrder(_) => (Clerk, "place an order"),
        Command::ReleaseOrder(_) => (Manager, "release a held order"),
        Command::RefuseHeldOrder(_) => (Manager, "refuse a held order"),
        Command::CancelOrder(_) if delivered(state) => (Manager, "cancel an order after delivery"),
        Command::CancelOrder(_) => (Clerk, "cancel an order"),
        Command::DeliverOrder(_) => (Clerk, "deliver an order"),
        Command::InvoiceOrder(_) => (Manager, "invoice an order"),
        Command::SetCompanyDetails(_) => (Manager, "change the company's details"),
        Command::SetCompanyLogo(_) => (Manager, "change the company's logo"),
    }
}

/// Whether a person with `role` may give `command` on a record in `state`; if not,
/// the refusal names the least role that may.
pub fn allowed(role: Role, command: &Command, state: &Aggregate) -> Result<(), DomainError> {
    let (required, action) = required(command, state);
    if role >= required {
        Ok(())
    } else {
        Err(DomainError::RoleRequired {
            role,
            required,
            action,
        })
    }
}

fn delivered(state: &Aggregate) -> bool {
    matches!(state, Aggregate::SalesOrder(Some(o)) if o.status == OrderStatus::Delivered)
}
