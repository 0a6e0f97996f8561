//! Commands on a sales order's stream (delivery and invoicing are steps of its life).

use serde::{Deserialize, Serialize};

use crate::ids::{AddressId, CustomerId, DeliveryId, InvoiceId, LineId, OrderId, ProductId};
use crate::money::Money;

/// Open a draft order for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    /// New id.
    pub order_id: OrderId,
    /// Order number.
    pub number: String,
    /// The customer.
    pub customer_id: CustomerId,
}

/// Give a draft to another customer: the delivery address becomes the new customer's
/// default (their first address), or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeOrderCustomer {
    /// Which order.
    pub order_id: OrderId,
    /// The new customer.
    pub customer_id: CustomerId,
}

/// Drop a draft that was never placed (a held order a manager refused is one): it
/// leaves the lists and counts; its history stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DiscardOrder {
    /// Which order.
    pub order_id: OrderId,
}

/// Add a line; price, VAT and description default to the catalogue's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddOrderLine {
    /// Which order.
    pub order_id: OrderId,
    /// New line id.
    pub line_id: LineId,
    /// The product.
    pub product_id: ProductId,
    /// Units (> 0).
    pub quantity: i64,
    /// Price override; the catalogue price when absent.
    #[serde(default)]
    pub unit_price: Option<Money>,
    /// Discount in basis points (0..=10000).
    #[serde(default)]
    pub discount_bp: i64,
    /// Description override; the catalogue description when absent.
    #[serde(default)]
    pub description: Option<String>,
}

/// Change a line's quantity, price or discount (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeOrderLine {
    /// Which order.
    pub order_id: OrderId,
    /// Which line.
    pub line_id: LineId,
    /// Units (> 0).
    pub quantity: i64,
    /// Price per unit.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
    /// The line as the user saw it when they changed it: a value someone else has
    /// changed since is merged or refused, never overwritten in silence (absent: last
    /// writer wins, as commands from before this field did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<LineValues>,
}

/// A line's changeable values, as a user saw them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineValues {
    /// Units.
    pub quantity: i64,
    /// Price per unit.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
}

/// An order's reference and notes, as a user saw them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DetailsValues {
    /// The customer's reference.
    #[serde(default)]
    pub customer_reference: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Remove a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveOrderLine {
    /// Which order.
    pub order_id: OrderId,
    /// Which line.
    pub line_id: LineId,
}

/// Choose the delivery address among the customer's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetDeliveryAddress {
    /// Which order.
    pub order_id: OrderId,
    /// One of the customer's addresses.
    pub address_id: AddressId,
}

/// Set the customer's reference and notes (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetOrderDetails {
    /// Which order.
    pub order_id: OrderId,
    /// The customer's reference.
    #[serde(default)]
    pub customer_reference: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Reference and notes as the user saw them (see [`ChangeOrderLine::seen`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<DetailsValues>,
}

/// Place the order: refused for a blocked customer; held (for a manager to release
/// or refuse) when it would take the customer over the spending limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    /// Which order.
    pub order_id: OrderId,
}

/// Release a held order (a manager's decision to allow the customer past the
/// spending limit): it becomes placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReleaseOrder {
    /// Which order.
    pub order_id: OrderId,
}

/// Refuse a held order: it becomes a draft again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefuseHeldOrder {
    /// Which order.
    pub order_id: OrderId,
    /// Why (required: the clerk reads it).
    pub reason: String,
}

/// Cancel the order (not once invoiced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelOrder {
    /// Which order.
    pub order_id: OrderId,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Record delivery of a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverOrder {
    /// Which order.
    pub order_id: OrderId,
    /// New delivery id.
    pub delivery_id: DeliveryId,
}

/// Invoice a delivered order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceOrder {
    /// Which order.
    pub order_id: OrderId,
    /// New invoice id.
    pub invoice_id: InvoiceId,
}
