//! Commands on a customer's stream.

use serde::{Deserialize, Serialize};

use crate::ids::{AddressId, CustomerId};
use crate::money::{Currency, Money};
use crate::values::{Address, CustomerKind};

/// Create a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterCustomer {
    /// New id.
    pub customer_id: CustomerId,
    /// Unique customer number.
    pub number: String,
    /// Organisation or person.
    pub kind: CustomerKind,
    /// Display name.
    pub name: String,
    /// VAT number.
    #[serde(default)]
    pub vat_number: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Currency; EUR when absent.
    #[serde(default)]
    pub currency: Currency,
    /// Limit on open orders; unlimited when absent.
    #[serde(default)]
    pub spending_limit: Option<Money>,
}

/// Change name, kind, VAT number or e-mail (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    /// Which customer.
    pub customer_id: CustomerId,
    /// Organisation or person.
    pub kind: CustomerKind,
    /// Display name.
    pub name: String,
    /// VAT number.
    #[serde(default)]
    pub vat_number: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// Add an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddCustomerAddress {
    /// Which customer.
    pub customer_id: CustomerId,
    /// New address id.
    pub address_id: AddressId,
    /// The address.
    pub address: Address,
}

/// Correct an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeCustomerAddress {
    /// Which customer.
    pub customer_id: CustomerId,
    /// Which address.
    pub address_id: AddressId,
    /// The new address.
    pub address: Address,
}

/// Remove an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveCustomerAddress {
    /// Which customer.
    pub customer_id: CustomerId,
    /// Which address.
    pub address_id: AddressId,
}

/// Set or clear the spending limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetSpendingLimit {
    /// Which customer.
    pub customer_id: CustomerId,
    /// New limit; `null` is unlimited.
    pub limit: Option<Money>,
}

/// Stop the customer from placing orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BlockCustomer {
    /// Which customer.
    pub customer_id: CustomerId,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Allow the customer to place orders again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnblockCustomer {
    /// Which customer.
    pub customer_id: CustomerId,
}
