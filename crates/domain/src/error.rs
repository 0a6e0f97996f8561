//! The domain's typed errors. Each has a stable `code` (for IPC, HTTP and tests) and,
//! where one input caused it, the `field` the UI should mark.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;
use crate::order::OrderStatus;

/// Kinds of record a command can name; used in "unknown id" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordKind::Customer => "customer",
            RecordKind::Product => "product",
            RecordKind::Order => "order",
            RecordKind::Line => "order line",
            RecordKind::Address => "address",
        })
    }
}

/// A business rule said no. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The command names a record that does not exist.
    #[error("unknown {kind} {id}")]
    NotFound {
        /// What was looked for.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// The command would create a record whose id is already used.
    #[error("{kind} {id} already exists")]
    AlreadyExists {
        /// What exists.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// A required text field was empty.
    #[error("{field} is required")]
    Required {
        /// The field.
        field: &'static str,
    },
    /// A text field is longer than allowed.
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// Quantity must be at least one.
    #[error("quantity must be greater than 0 (got {quantity})")]
    InvalidQuantity {
        /// The quantity given.
        quantity: i64,
    },
    /// Quantity above the supported maximum.
    #[error("quantity {quantity} is larger than the maximum of 1,000,000,000")]
    QuantityTooLarge {
        /// The quantity given.
        quantity: i64,
    },
    /// Prices may be zero but never negative.
    #[error("price must not be negative (got {price})")]
    NegativePrice {
        /// The price given.
        price: Money,
    },
    /// Price above the supported maximum.
    #[error("price {price} is larger than the maximum of 10,000,000,000.00")]
    PriceTooLarge {
        /// The price given.
        price: Money,
    },
    /// Discount is a percentage between 0 and 100.
    #[error("discount must be between 0% and 100% (got {discount_bp} basis points)")]
    InvalidDiscount {
        /// The discount given, in basis points.
        discount_bp: i64,
    },
    /// A spending limit cannot be negative.
    #[error("spending limit must not be negative (got {limit})")]
    NegativeSpendingLimit {
        /// The limit given.
        limit: Money,
    },
    /// An e-mail address without an `@` or with spaces.
    #[error("'{email}' is not an e-mail address")]
    InvalidEmail {
        /// The text given.
        email: String,
    },
    /// Not an ISO 4217 code.
    #[error("'{code}' is not a currency code (three letters, e.g. EUR)")]
    InvalidCurrency {
        /// The text given.
        code: String,
    },
    /// An amount overflowed the supported range.
    #[error("the amount is too large")]
    AmountTooLarge,
    /// Lines and most details can only change while the order is a draft.
    #[error("the order is {status}; only draft orders can be changed")]
    OrderNotDraft {
        /// Current status.
        status: OrderStatus,
    },
    /// Placing needs at least one line.
    #[error("an order without lines cannot be placed")]
    EmptyOrder,
    /// Blocked customers cannot place orders.
    #[error("the customer is blocked and cannot place orders")]
    CustomerBlocked,
    /// Placing would take the customer's open orders over their limit.
    #[error(
        "placing this order ({order_total}) would take the customer's open orders ({open_total}) over the spending limit of {limit}"
    )]
    SpendingLimitExceeded {
        /// The customer's limit.
        limit: Money,
        /// Placed, not yet invoiced orders before this one.
        open_total: Money,
        /// This order's gross total.
        order_total: Money,
    },
    /// Invoiced orders are final.
    #[error("an invoiced order cannot be cancelled")]
    CannotCancelInvoiced,
    /// Cancelling twice.
    #[error("the order is already cancelled")]
    AlreadyCancelled,
    /// Delivery follows placing.
    #[error("the order is {status}; it can only be delivered once placed")]
    NotPlaced {
        /// Current status.
        status: OrderStatus,
    },
    /// Invoicing follows delivery.
    #[error("the order is {status}; it can only be invoiced once delivered")]
    NotDelivered {
        /// Current status.
        status: OrderStatus,
    },
    /// Product codes are unique across the catalogue.
    #[error("product code '{code}' is already used")]
    DuplicateProductCode {
        /// The code given.
        code: String,
    },
    /// Customer numbers are unique.
    #[error("customer number '{number}' is already used")]
    DuplicateCustomerNumber {
        /// The number given.
        number: String,
    },
    /// The address belongs to someone else (or to nobody).
    #[error("address {address_id} is not one of this customer's addresses")]
    AddressNotOfCustomer {
        /// The address given.
        address_id: Uuid,
    },
    /// Discontinued products stay on old orders but cannot be added to new lines.
    #[error("product '{code}' is discontinued")]
    ProductDiscontinued {
        /// The product's code.
        code: String,
    },
    /// The order's currency differs from the customer's.
    #[error("the order's currency {order} differs from the customer's currency {customer}")]
    CurrencyMismatch {
        /// The order's currency.
        order: String,
        /// The customer's currency.
        customer: String,
    },
    /// A refusal that names no single field, with its reason.
    #[error("{0}")]
    Invalid(&'static str),
}

impl DomainError {
    /// Stable machine-readable code, e.g. `spending_limit_exceeded`.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::NotFound { .. } => "not_found",
            DomainError::AlreadyExists { .. } => "already_exists",
            DomainError::Required { .. } => "required",
            DomainError::TooLong { .. } => "too_long",
            DomainError::InvalidQuantity { .. } => "invalid_quantity",
            DomainError::QuantityTooLarge { .. } => "quantity_too_large",
            DomainError::NegativePrice { .. } => "negative_price",
            DomainError::PriceTooLarge { .. } => "price_too_large",
            DomainError::InvalidDiscount { .. } => "invalid_discount",
            DomainError::NegativeSpendingLimit { .. } => "negative_spending_limit",
            DomainError::InvalidCurrency { .. } => "invalid_currency",
            DomainError::InvalidEmail { .. } => "invalid_email",
            DomainError::AmountTooLarge => "amount_too_large",
            DomainError::OrderNotDraft { .. } => "order_not_draft",
            DomainError::EmptyOrder => "empty_order",
            DomainError::CustomerBlocked => "customer_blocked",
            DomainError::SpendingLimitExceeded { .. } => "spending_limit_exceeded",
            DomainError::CannotCancelInvoiced => "cannot_cancel_invoiced",
            DomainError::AlreadyCancelled => "already_cancelled",
            DomainError::NotPlaced { .. } => "not_placed",
            DomainError::NotDelivered { .. } => "not_delivered",
            DomainError::DuplicateProductCode { .. } => "duplicate_product_code",
            DomainError::DuplicateCustomerNumber { .. } => "duplicate_customer_number",
            DomainError::AddressNotOfCustomer { .. } => "address_not_of_customer",
            DomainError::ProductDiscontinued { .. } => "product_discontinued",
            DomainError::CurrencyMismatch { .. } => "currency_mismatch",
            DomainError::Invalid(_) => "invalid",
        }
    }

    /// The input field that caused the error, if one did (camel-free, as in the JSON).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::NotFound { kind, .. } => Some(match kind {
                RecordKind::Customer => "customer_id",
                RecordKind::Product => "product_id",
                RecordKind::Order => "order_id",
                RecordKind::Line => "line_id",
                RecordKind::Address => "address_id",
            }),
            DomainError::Required { field } | DomainError::TooLong { field, .. } => Some(field),
            DomainError::InvalidQuantity { .. } | DomainError::QuantityTooLarge { .. } => {
                Some("quantity")
            }
            DomainError::NegativePrice { .. } | DomainError::PriceTooLarge { .. } => {
                Some("unit_price")
            }
            DomainError::InvalidDiscount { .. } => Some("discount_bp"),
            DomainError::NegativeSpendingLimit { .. } => Some("spending_limit"),
            DomainError::InvalidCurrency { .. } => Some("currency"),
            DomainError::InvalidEmail { .. } => Some("email"),
            DomainError::DuplicateProductCode { .. } => Some("code"),
            DomainError::DuplicateCustomerNumber { .. } => Some("number"),
            DomainError::AddressNotOfCustomer { .. } => Some("address_id"),
            DomainError::ProductDiscontinued { .. } => Some("product_id"),
            _ => None,
        }
    }
}

/// The one error shape that crosses IPC, HTTP and the CLI's `--json`:
/// `{code, message, field?}`. Internal details never go in `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_quantity`.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The input field to mark, if one caused it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

impl From<&DomainError> for ErrorBody {
    fn from(e: &DomainError) -> Self {
        ErrorBody {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}
