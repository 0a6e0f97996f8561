//! The Customer aggregate: identity, addresses, spending limit and blocking.

use serde::{Deserialize, Serialize};

use crate::command::{self, CustomerCommand};
use crate::error::DomainError;
use crate::event::*;
use crate::facts::{FactNeeds, Facts};
use crate::ids::{AddressId, CustomerId};
use crate::money::{Currency, Money};
use crate::validate::{self, free_text, optional, required};
use crate::values::{Address, CustomerKind, RecordKind};

/// One of a customer's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAddress {
    /// Its id.
    pub id: AddressId,
    /// The address.
    #[serde(flatten)]
    pub address: Address,
}

/// A customer's state, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Unique customer number.
    pub number: String,
    /// Organisation or person.
    pub kind: CustomerKind,
    /// Display name.
    pub name: String,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Currency of the customer's orders.
    pub currency: Currency,
    /// `None` is unlimited.
    pub spending_limit: Option<Money>,
    /// Blocked customers cannot place orders.
    pub blocked: bool,
    /// Why the customer was blocked.
    pub block_reason: Option<String>,
    /// Current addresses, in the order they were added.
    pub addresses: Vec<CustomerAddress>,
}

/// Folds one event into the state. Total and logic-free.
pub fn apply(state: &mut Option<Customer>, event: &Event) {
    if let Event::CustomerRegistered(e) = event {
        *state = Some(Customer {
            number: e.number.clone(),
            kind: e.kind,
            name: e.name.clone(),
            vat_number: e.vat_number.clone(),
            email: e.email.clone(),
            currency: e.currency,
            spending_limit: e.spending_limit,
            blocked: false,
            block_reason: None,
            addresses: Vec::new(),
        });
        return;
    }
    let Some(c) = state.as_mut() else { return };
    match event {
        Event::CustomerDetailsChanged(e) => {
            c.kind = e.kind;
            c.name = e.name.clone();
            c.vat_number = e.vat_number.clone();
            c.email = e.email.clone();
        }
        Event::CustomerAddressAdded(e) => c.addresses.push(CustomerAddress {
            id: e.address_id,
            address: e.address.clone(),
        }),
        Event::CustomerAddressChanged(e) => {
            if let Some(a) = c.addresses.iter_mut().find(|a| a.id == e.address_id) {
                a.address = e.address.clone();
            }
        }
        Event::CustomerAddressRemoved(e) => c.addresses.retain(|a| a.id != e.address_id),
        Event::SpendingLimitChanged(e) => c.spending_limit = e.limit,
        Event::CustomerBlocked(e) => {
            c.blocked = true;
            c.block_reason = Some(e.reason.clone());
        }
        Event::CustomerUnblocked(_) => {
            c.blocked = false;
            c.block_reason = None;
        }
        _ => {}
    }
}

/// The facts a customer command needs.
pub fn needs(cmd: CustomerCommand<'_>) -> FactNeeds {
    match cmd {
        CustomerCommand::RegisterCustomer(c) => FactNeeds {
            customer_number: Some(c.number.trim().to_string()),
            ..FactNeeds::default()
        },
        CustomerCommand::UpdateCustomer(_)
        | CustomerCommand::AddCustomerAddress(_)
        | CustomerCommand::ChangeCustomerAddress(_)
        | CustomerCommand::RemoveCustomerAddress(_)
        | CustomerCommand::SetSpendingLimit(_)
        | CustomerCommand::BlockCustomer(_)
        | CustomerCommand::UnblockCustomer(_) => FactNeeds::default(),
    }
}

pub(crate) fn email(value: Option<&str>) -> Result<Option<String>, DomainError> {
    let e = optional("email", value, 254)?;
    if let Some(e) = &e
        && (!e.contains('@') || e.contains(char::is_whitespace))
    {
        return Err(DomainError::InvalidEmail { email: e.clone() });
    }
    Ok(e)
}

fn limit(l: Option<Money>) -> Result<Option<Money>, DomainError> {
    match l {
        Some(m) if m.0 < 0 => Err(DomainError::NegativeSpendingLimit { limit: m }),
        other => Ok(other),
    }
}

fn existing(state: Option<&Customer>, id: CustomerId) -> Result<&Customer, DomainError> {
    state.ok_or(DomainError::NotFound {
        kind: RecordKind::Customer,
        id: id.0,
    })
}

/// A customer's address labels are unique, compared without case (the label names
/// the address on orders and documents); `except` is the address being changed.
fn unique_label(
    c: &Customer,
    address: &crate::Address,
    except: Option<crate::AddressId>,
) -> Result<(), DomainError> {
    let label = address.label.trim().to_lowercase();
    if c.addresses
        .iter()
        .any(|a| Some(a.id) != except && a.address.label.trim().to_lowercase() == label)
    {
        return Err(DomainError::DuplicateAddressLabel {
            label: address.label.clone(),
        });
    }
    Ok(())
}

/// All customer rules. Pure: the same state, command and facts give the same events.
pub fn decide(
    state: Option<&Customer>,
    cmd: CustomerCommand<'_>,
    facts: &Facts,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        CustomerCommand::RegisterCustomer(command::RegisterCustomer {
            customer_id,
            number,
            kind,
            name,
            vat_number,
            email: mail,
            currency,
            spending_limit,
        }) => {
            if state.is_some() {
                return Err(DomainError::AlreadyExists {
                    kind: RecordKind::Customer,
                    id: customer_id.0,
                });
            }
            let number = required("number", number, 32)?;
            let name = required("name", name, 200)?;
            let vat_number = optional("vat_number", vat_number.as_deref(), 32)?;
            let email = email(mail.as_deref())?;
            let spending_limit = limit(*spending_limit)?;
            if matches!(facts.number_owner, Some(owner) if owner != *customer_id) {
                return Err(DomainError::DuplicateCustomerNumber { number });
            }
            Ok(vec![
                CustomerRegistered {
                    number,
                    kind: *kind,
                    name,
                    vat_number,
                    email,
                    currency: *currency,
                    spending_limit,
                }
                .into(),
            ])
        }
        CustomerCommand::UpdateCustomer(command::UpdateCustomer {
            customer_id,
            kind,
            name,
            vat_number,
            email: mail,
        }) => {
            let c = existing(state, *customer_id)?;
            let e = CustomerDetailsChanged {
                kind: *kind,
                name: required("name", name, 200)?,
                vat_number: optional("vat_number", vat_number.as_deref(), 32)?,
                email: email(mail.as_deref())?,
            };
            let unchanged = e.kind == c.kind
                && e.name == c.name
                && e.vat_number == c.vat_number
                && e.email == c.email;
            Ok(if unchanged { vec![] } else { vec![e.into()] })
        }
        CustomerCommand::AddCustomerAddress(command::AddCustomerAddress {
            customer_id,
            address_id,
            address,
        }) => {
            let c = existing(state, *customer_id)?;
            if c.addresses.iter().any(|a| a.id == *address_id) {
                return Err(DomainError::AlreadyExists {
                    kind: RecordKind::Address,
                    id: address_id.0,
                });
            }
            let address = validate::address(address)?;
            unique_label(c, &address, None)?;
            Ok(vec![
                CustomerAddressAdded {
                    address_id: *address_id,
                    address,
                }
                .into(),
            ])
        }
        CustomerCommand::ChangeCustomerAddress(command::ChangeCustomerAddress {
            customer_id,
            address_id,
            address,
        }) => {
            let c = existing(state, *customer_id)?;
            let current =
                c.addresses
                    .iter()
                    .find(|a| a.id == *address_id)
                    .ok_or(DomainError::NotFound {
                        kind: RecordKind::Address,
                        id: address_id.0,
                    })?;
            let address = validate::address(address)?;
            if current.address == address {
                return Ok(vec![]);
            }
            unique_label(c, &address, Some(*address_id))?;
            Ok(vec![
                CustomerAddressChanged {
                    address_id: *address_id,
                    address,
                }
                .into(),
            ])
        }
        CustomerCommand::RemoveCustomerAddress(command::RemoveCustomerAddress {
            customer_id,
            address_id,
        }) => {
            let c = existing(state, *customer_id)?;
            if !c.addresses.iter().any(|a| a.id == *address_id) {
                return Err(DomainError::NotFound {
                    kind: RecordKind::Address,
                    id: address_id.0,
                });
            }
            Ok(vec![
                CustomerAddressRemoved {
                    address_id: *address_id,
                }
                .into(),
            ])
        }
        CustomerCommand::SetSpendingLimit(command::SetSpendingLimit {
            customer_id,
            limit: l,
        }) => {
            let c = existing(state, *customer_id)?;
            let l = limit(*l)?;
            if c.spending_limit == l {
                return Ok(vec![]);
            }
            Ok(vec![SpendingLimitChanged { limit: l }.into()])
        }
        CustomerCommand::BlockCustomer(command::BlockCustomer {
            customer_id,
            reason,
        }) => {
            let c = existing(state, *customer_id)?;
            if c.blocked {
                return Ok(vec![]);
            }
            let reason = free_text("reason", Some(reason), 500)?.unwrap_or_default();
            Ok(vec![CustomerBlocked { reason }.into()])
        }
        CustomerCommand::UnblockCustomer(command::UnblockCustomer { customer_id }) => {
            let c = existing(state, *customer_id)?;
            if !c.blocked {
                return Ok(vec![]);
            }
            Ok(vec![CustomerUnblocked {}.into()])
        }
    }
}
