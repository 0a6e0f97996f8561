//! Value types shared by commands, events, errors and aggregates: they depend on
//! nothing else in the crate, so no module has to import an aggregate for them.

use serde::{Deserialize, Serialize};

/// Organisation or natural person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    /// A company or other organisation.
    #[default]
    Organisation,
    /// A natural person.
    Person,
}

impl CustomerKind {
    /// Stable text form (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Organisation => "organisation",
            CustomerKind::Person => "person",
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// What the user calls it ("Head office", "Warehouse").
    #[serde(default)]
    pub label: String,
    /// Street and number.
    pub street: String,
    /// Postal code.
    #[serde(default)]
    pub postal_code: String,
    /// City.
    pub city: String,
    /// Country (ISO code or name).
    pub country: String,
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Being entered; lines can change.
    #[default]
    Draft,
    /// Placing it would have taken the customer over the spending limit: it waits for a
    /// manager to release it (then placed) or refuse it (then draft again). Lines are
    /// fixed meanwhile, and it does not count towards the open total.
    Held,
    /// Confirmed; counts towards the customer's open total.
    Placed,
    /// Goods delivered; still open until invoiced.
    Delivered,
    /// Invoiced; final.
    Invoiced,
    /// Cancelled; final.
    Cancelled,
    /// A draft dropped before it was ever placed: out of the lists and counts, its
    /// history kept; final.
    Discarded,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Draft,
        OrderStatus::Held,
        OrderStatus::Placed,
        OrderStatus::Delivered,
        OrderStatus::Invoiced,
        OrderStatus::Cancelled,
        OrderStatus::Discarded,
    ];

    /// Stable text form (as in JSON and the read model).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Held => "held",
            OrderStatus::Placed => "placed",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Discarded => "discarded",
        }
    }

    /// Inverse of [`OrderStatus::as_str`].
    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Placed or delivered: counts against the spending limit.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::Placed | OrderStatus::Delivered)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an order is held instead of placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// Placing it would take the customer's open orders over their spending limit.
    SpendingLimit,
}

impl std::fmt::Display for HoldReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HoldReason::SpendingLimit => "over the spending limit",
        })
    }
}

/// What a person may do (see `permission`): each role may do all that the one before
/// it may. Ordered, so `role >= Role::Manager` reads as "at least a manager".
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Customers and orders: create, lines, place (within the limit), deliver.
    Clerk,
    /// A clerk's work plus products and prices, spending limits, blocking, held
    /// orders, cancelling after delivery, invoicing and the company's details.
    Manager,
    /// Everything. The default: the one owner of a store never connected to a
    /// server has every right, and until people sign in nobody else is known.
    #[default]
    Admin,
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 3] = [Role::Clerk, Role::Manager, Role::Admin];

    /// Stable text form (as in JSON and on the command line).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Inverse of [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which running total a cap protects (see `money::MAX_ORDER_TOTAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TotalScope {
    /// One order's gross total.
    Order,
    /// A customer's open orders.
    CustomerOpen,
    /// The orders placed in one (UTC) day.
    Day,
}

impl std::fmt::Display for TotalScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TotalScope::Order => "the order's total",
            TotalScope::CustomerOpen => "the customer's open orders",
            TotalScope::Day => "the orders placed that day",
        })
    }
}

/// A value that two people may change concurrently, and so is guarded against lost
/// updates (a change carries the value it replaces; see `ChangeOrderLine::seen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GuardedField {
    /// A line's quantity.
    Quantity,
    /// A line's unit price.
    UnitPrice,
    /// A line's discount.
    Discount,
    /// An order's customer reference.
    CustomerReference,
    /// An order's notes.
    Notes,
}

impl GuardedField {
    /// The field as named in the command's JSON (for the error's `field`).
    pub fn json_name(self) -> &'static str {
        match self {
            GuardedField::Quantity => "quantity",
            GuardedField::UnitPrice => "unit_price",
            GuardedField::Discount => "discount_bp",
            GuardedField::CustomerReference => "customer_reference",
            GuardedField::Notes => "notes",
        }
    }
}

impl std::fmt::Display for GuardedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GuardedField::Quantity => "the quantity",
            GuardedField::UnitPrice => "the price",
            GuardedField::Discount => "the discount",
            GuardedField::CustomerReference => "the customer's reference",
            GuardedField::Notes => "the notes",
        })
    }
}

/// Kinds of record a command can name; used in "unknown id" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A customer.
    Customer,
    /// A product.
    Product,
    /// A sales order.
    Order,
    /// A line of an order.
    Line,
    /// An address of a customer.
    Address,
    /// The account's own company.
    Company,
}

impl RecordKind {
    /// The id field that names a record of this kind in commands (`customer_id`, ...).
    pub fn id_field(self) -> &'static str {
        match self {
            RecordKind::Customer => "customer_id",
            RecordKind::Product => "product_id",
            RecordKind::Order => "order_id",
            RecordKind::Line => "line_id",
            RecordKind::Address => "address_id",
            RecordKind::Company => "company_id",
        }
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordKind::Customer => "customer",
            RecordKind::Product => "product",
            RecordKind::Order => "order",
            RecordKind::Line => "order line",
            RecordKind::Address => "address",
            RecordKind::Company => "company record",
        })
    }
}
