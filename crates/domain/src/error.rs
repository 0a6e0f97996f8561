//! The domain's typed errors. Each has a stable `code` (for IPC, HTTP and tests) and,
//! where one input caused it, the `field` the UI should mark.

use uuid::Uuid;

use crate::logo::LogoProblem;
use crate::money::{
    AmountOverflow, Currency, InvalidCurrency, MAX_QUANTITY, MAX_UNIT_PRICE, Money, percent,
};
use crate::text::code_point;
use crate::values::{GuardedField, OrderStatus, RecordKind, Role, TotalScope};

/// A business rule said no. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The command names a record that does not exist.
    #[error("there is no such {kind}")]
    NotFound {
        /// What was looked for.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// The command would create a record whose id is already used.
    #[error("this {kind} already exists")]
    AlreadyExists {
        /// What exists.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// A required text field was empty.
    #[error("{} is required", label(field))]
    Required {
        /// The field.
        field: &'static str,
    },
    /// A text field is longer than allowed.
    #[error("{} is longer than {max} characters", label(field))]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A text holds a character it may not (see `text`): a control character, or in a
    /// name, number or code a bidirectional or invisible one.
    #[error("{} contains a character that is not allowed there ({})", label(field), code_point(*character))]
    InvalidCharacter {
        /// The field.
        field: &'static str,
        /// The first such character.
        character: char,
    },
    /// Quantity must be at least one.
    #[error("quantity must be greater than 0 (got {quantity})")]
    InvalidQuantity {
        /// The quantity given.
        quantity: i64,
    },
    /// Quantity above the supported maximum.
    #[error("quantity {quantity} is larger than the maximum of {}", max_quantity())]
    QuantityTooLarge {
        /// The quantity given.
        quantity: i64,
    },
    /// Prices may be zero but never negative.
    #[error("price must not be negative (got {})", price.grouped())]
    NegativePrice {
        /// The price given.
        price: Money,
    },
    /// Price above the supported maximum.
    #[error("price {} is larger than the maximum of {}", price.grouped(), max_price())]
    PriceTooLarge {
        /// The price given.
        price: Money,
    },
    /// Discount is a percentage between 0 and 100.
    #[error("discount must be between 0% and 100% (got {})", percent(*discount_bp))]
    InvalidDiscount {
        /// The discount given, in basis points.
        discount_bp: i64,
    },
    /// A spending limit cannot be negative.
    #[error("spending limit must not be negative (got {})", limit.grouped())]
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
    /// A running total would pass its cap (see `money::MAX_ORDER_TOTAL`).
    #[error("{scope} would come to more than the maximum of {}", max.with_currency(*currency))]
    TotalTooLarge {
        /// Which total.
        scope: TotalScope,
        /// Its currency.
        currency: Currency,
        /// The cap.
        max: Money,
    },
    /// An order has as many lines as it may.
    #[error("an order can have at most {max} lines")]
    TooManyLines {
        /// The cap.
        max: usize,
    },
    /// Someone changed a value after the user saw it, to something else than the
    /// user's change: refused rather than overwritten (values as the user reads them).
    #[error(
        "{field} was changed meanwhile from {seen} to {current}; your change to {yours} was not made"
    )]
    ChangedMeanwhile {
        /// Which value.
        field: GuardedField,
        /// What the user saw.
        seen: String,
        /// What it is now.
        current: String,
        /// What the user changed it to.
        yours: String,
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
    /// Placing would take the customer's open orders over their limit. No longer
    /// given by this build (such an order is held, see `OrderHeld`); kept so that the
    /// code stays known to peers that still report it.
    #[error(
        "placing this order ({}) would take the customer's open orders ({}) over the spending limit of {}",
        order_total.with_currency(*currency),
        open_total.with_currency(*currency),
        limit.with_currency(*currency)
    )]
    SpendingLimitExceeded {
        /// The currency of the limit and the amounts.
        currency: Currency,
        /// The customer's limit.
        limit: Money,
        /// Placed, not yet invoiced orders before this one.
        open_total: Money,
        /// This order's gross total.
        order_total: Money,
    },
    /// Only a held order can be released or refused.
    #[error("the order is {status}; only a held order can be released or refused")]
    NotHeld {
        /// Current status.
        status: OrderStatus,
    },
    /// The person's role may not give this command (see `permission`).
    #[error("a {role} may not {action}; ask {}", who(*required))]
    RoleRequired {
        /// The person's role.
        role: Role,
        /// The least role that may.
        required: Role,
        /// What was refused, as a person says it ("set a spending limit").
        action: &'static str,
    },
    /// Invoiced orders are final.
    #[error("an invoiced order cannot be cancelled")]
    CannotCancelInvoiced,
    /// The image cannot be the company's logo.
    #[error("{problem}")]
    InvalidLogo {
        /// Why.
        problem: LogoProblem,
    },
    /// A logo needs the company's name and address first.
    #[error("set the company's name and address before its logo")]
    CompanyDetailsMissing,
    /// A discarded draft is final: nothing more can be done to it.
    #[error("the order was discarded; it can no longer be changed")]
    OrderDiscarded,
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
    /// Order numbers are unique in the account.
    #[error("order number '{number}' is already used")]
    DuplicateOrderNumber {
        /// The number given.
        number: String,
    },
    /// A customer's address labels are unique (case and surrounding blanks aside), so
    /// a label names one address on an order or a document.
    #[error("the customer already has an address labelled '{label}'")]
    DuplicateAddressLabel {
        /// The label given.
        label: String,
    },
    /// The address belongs to someone else (or to nobody).
    #[error("the address is not one of this customer's addresses")]
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
        order: Currency,
        /// The customer's currency.
        customer: Currency,
    },
}

impl DomainError {
    /// The input field that caused the error, if one did (as named in the JSON).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::NotFound { kind, .. } => Some(kind.id_field()),
            DomainError::Required { field }
            | DomainError::TooLong { field, .. }
            | DomainError::InvalidCharacter { field, .. } => Some(field),
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
            DomainError::ChangedMeanwhile { field, .. } => Some(field.json_name()),
            DomainError::DuplicateProductCode { .. } => Some("code"),
            DomainError::DuplicateCustomerNumber { .. }
            | DomainError::DuplicateOrderNumber { .. } => Some("number"),
            DomainError::AddressNotOfCustomer { .. } => Some("address_id"),
            DomainError::DuplicateAddressLabel { .. } => Some("label"),
            DomainError::ProductDiscontinued { .. } => Some("product_id"),
            DomainError::InvalidLogo { .. } => Some("logo"),
            DomainError::AlreadyExists { .. }
            | DomainError::AmountTooLarge
            | DomainError::TotalTooLarge { .. }
            | DomainError::TooManyLines { .. }
            | DomainError::OrderNotDraft { .. }
            | DomainError::EmptyOrder
            | DomainError::CustomerBlocked
            | DomainError::SpendingLimitExceeded { .. }
            | DomainError::CannotCancelInvoiced
            | DomainError::CompanyDetailsMissing
            | DomainError::NotHeld { .. }
            | DomainError::RoleRequired { .. }
            | DomainError::AlreadyCancelled
            | DomainError::OrderDiscarded
            | DomainError::NotPlaced { .. }
            | DomainError::NotDelivered { .. }
            | DomainError::CurrencyMismatch { .. } => None,
        }
    }
}

impl From<AmountOverflow> for DomainError {
    fn from(_: AmountOverflow) -> Self {
        DomainError::AmountTooLarge
    }
}

impl From<InvalidCurrency> for DomainError {
    fn from(e: InvalidCurrency) -> Self {
        DomainError::InvalidCurrency { code: e.0 }
    }
}

/// A field's name as a person reads it: `address.postal_code` is "postal code".
fn label(field: &str) -> String {
    match field {
        "vat_number" => "VAT number".into(),
        "email" => "e-mail".into(),
        other => other
            .strip_prefix("address.")
            .unwrap_or(other)
            .replace('_', " "),
    }
}

/// Who may do what needs `required`, as a person says it.
fn who(required: Role) -> &'static str {
    match required {
        Role::Clerk => "anyone",
        Role::Manager => "a manager or an admin",
        Role::Admin => "an admin",
    }
}

/// `MAX_QUANTITY` for a person.
fn max_quantity() -> String {
    Money(MAX_QUANTITY * 100)
        .grouped()
        .trim_end_matches(".00")
        .to_string()
}

/// `MAX_UNIT_PRICE` for a person.
fn max_price() -> String {
    Money(MAX_UNIT_PRICE).grouped()
}
