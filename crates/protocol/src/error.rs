//! The one error contract of every edge (HTTP, IPC, the CLI's `--json`):
//! `{code, message, field?, params?}`.
//!
//! `code` is an [`ErrorCode`], stable and snake_case on the wire; `params` carries what
//! a person needs to understand it (amounts in cents with their currency, limits,
//! counts, the status), so a front end builds its own message in the user's locale;
//! `message` is the same sentence in English, for the CLI, logs and any client that
//! does not know the code. Internal details (SQL, paths, ids of rows) never go in it.

use chrono::{DateTime, Utc};
use daybook_domain::logo::{LogoProblem, MAX_LOGO_BYTES, MAX_LOGO_SIDE};
use daybook_domain::money::{MAX_QUANTITY, MAX_UNIT_PRICE};
use daybook_domain::text::code_point;
use daybook_domain::{Currency, DomainError, Money, OrderStatus, RecordKind, Role, TotalScope};
use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// Every error code an edge reports. Adding one is backwards compatible: a
        /// client that does not know it reads [`ErrorCode::Unknown`] and shows the
        /// message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            /// The code as on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => $text,)* }
            }

            /// The code for its wire text; [`ErrorCode::Unknown`] for any other text.
            pub fn parse(text: &str) -> ErrorCode {
                match text { $($text => ErrorCode::$name,)* _ => ErrorCode::Unknown }
            }
        }
    };
}

codes! {
    // The domain's refusals.
    /// The command or query names a record that does not exist (`params.kind`).
    NotFound = "not_found",
    /// The command would create a record whose id is taken (`params.kind`).
    AlreadyExists = "already_exists",
    /// A required text is empty.
    Required = "required",
    /// A text is longer than `params.max` characters.
    TooLong = "too_long",
    /// A text holds a character it may not (`params.value`: the character, `U+202E`).
    InvalidCharacter = "invalid_character",
    /// A quantity below one (`params.quantity`).
    InvalidQuantity = "invalid_quantity",
    /// A quantity above `params.max` (`params.quantity`).
    QuantityTooLarge = "quantity_too_large",
    /// A negative price (`params.amount`).
    NegativePrice = "negative_price",
    /// A price above `params.max_amount` (`params.amount`).
    PriceTooLarge = "price_too_large",
    /// A discount outside 0..=100 % (`params.discount_bp`).
    InvalidDiscount = "invalid_discount",
    /// A negative spending limit (`params.amount`).
    NegativeSpendingLimit = "negative_spending_limit",
    /// Not an e-mail address (`params.value`).
    InvalidEmail = "invalid_email",
    /// Not a currency code (`params.value`).
    InvalidCurrency = "invalid_currency",
    /// Someone changed a value after the user saw it (`field`; `params.seen`,
    /// `params.current`, `params.value`: the user's, each as a person reads it).
    ChangedMeanwhile = "changed_meanwhile",
    /// An amount or a total does not fit.
    AmountTooLarge = "amount_too_large",
    /// A running total would pass its cap (`params.scope`, `max_amount`, `currency`).
    TotalTooLarge = "total_too_large",
    /// An order has as many lines as it may (`params.max`).
    TooManyLines = "too_many_lines",
    /// Only a draft can change (`params.status`).
    OrderNotDraft = "order_not_draft",
    /// An order without lines cannot be placed.
    EmptyOrder = "empty_order",
    /// The customer is blocked.
    CustomerBlocked = "customer_blocked",
    /// Placing goes over the limit (`params.limit`, `open_total`, `order_total`,
    /// `currency`).
    SpendingLimitExceeded = "spending_limit_exceeded",
    /// An invoiced order is final.
    CannotCancelInvoiced = "cannot_cancel_invoiced",
    /// The image cannot be the company's logo (not a PNG or JPEG, or over
    /// `params.max` bytes or pixels a side).
    InvalidLogo = "invalid_logo",
    /// A logo needs the company's name and address first.
    CompanyDetailsMissing = "company_details_missing",
    /// The order is cancelled already.
    AlreadyCancelled = "already_cancelled",
    /// The order was discarded (a draft dropped): nothing more can be done to it.
    OrderDiscarded = "order_discarded",
    /// Delivery follows placing (`params.status`).
    NotPlaced = "not_placed",
    /// Invoicing follows delivery (`params.status`).
    NotDelivered = "not_delivered",
    /// Only a held order can be released or refused (`params.status`).
    NotHeld = "not_held",
    /// The person's role (`params.role`) may not do this (`params.value`: what, in
    /// English); `params.required_role` is the least role that may.
    RoleRequired = "role_required",
    /// The product code is taken (`params.value`).
    DuplicateProductCode = "duplicate_product_code",
    /// The customer number is taken (`params.value`).
    DuplicateCustomerNumber = "duplicate_customer_number",
    /// The order number is taken (`params.value`).
    DuplicateOrderNumber = "duplicate_order_number",
    /// The customer already has an address with this label (`params.value`).
    DuplicateAddressLabel = "duplicate_address_label",
    /// The address is not one of the customer's.
    AddressNotOfCustomer = "address_not_of_customer",
    /// The product is discontinued (`params.value`: its code).
    ProductDiscontinued = "product_discontinued",
    /// The order's currency (`params.currency`) is not the customer's
    /// (`params.other_currency`).
    CurrencyMismatch = "currency_mismatch",
    // The local store and the application.
    /// Input that is not a command or query at all.
    InvalidInput = "invalid_input",
    /// The record changed meanwhile; try again.
    Conflict = "conflict",
    /// The store was written by a newer Daybook.
    StoreTooNew = "store_too_new",
    /// The store file is damaged.
    StoreCorrupt = "store_corrupt",
    /// The store is on storage that cannot be written: it can be read, not changed.
    StoreReadOnly = "store_read_only",
    /// A file offered as a backup cannot be used.
    InvalidBackup = "invalid_backup",
    /// Reading or writing a file failed.
    IoError = "io_error",
    /// The store holds demo data: it is never connected to a server, nor pushed.
    DemoData = "demo_data",
    /// Nobody is signed in on a store people sign in to: changes wait for a sign-in.
    SignInRequired = "sign_in_required",
    /// A file the user did not choose (in a file dialog) for this action.
    FileNotChosen = "file_not_chosen",
    /// Something failed that the user cannot fix; details are in the log.
    Internal = "internal",
    // The HTTP API.
    /// No valid token.
    Unauthorized = "unauthorized",
    /// A sign-in with a login and password that do not match an enabled person.
    InvalidCredentials = "invalid_credentials",
    /// A sign-in with a device token that is revoked or of another account (then
    /// `params.value` names the account): start a clean store to sign in there.
    DeviceNotUsable = "device_not_usable",
    /// A sign-in from a store holding work of its own into an account that has data
    /// already (`params.value`: the account): joining needs an empty store.
    AccountNotEmpty = "account_not_empty",
    /// A pushed command names another user (`params.value`) than the person whose
    /// session pushed it.
    UserMismatch = "user_mismatch",
    /// The path exists, the method does not.
    MethodNotAllowed = "method_not_allowed",
    /// The body is not JSON.
    MalformedJson = "malformed_json",
    /// The body is JSON of the wrong shape.
    InvalidBody = "invalid_body",
    /// The body is not declared as JSON.
    UnsupportedMediaType = "unsupported_media_type",
    /// The body came too slowly.
    RequestTimeout = "request_timeout",
    /// The body is larger than `params.max_bytes`.
    PayloadTooLarge = "payload_too_large",
    /// A query parameter is wrong.
    InvalidQuery = "invalid_query",
    /// A device sequence at or below the last one recorded (`params.last_seq`).
    StaleDeviceSeq = "stale_device_seq",
    /// A device sequence too far past the last one recorded (`params.last_seq`, and
    /// `params.max`: the largest the server takes next).
    DeviceSeqTooFar = "device_seq_too_far",
    /// A command id the server already recorded with other content or from another
    /// device (or whose derived event ids are taken): give the command a new id.
    CommandIdReused = "command_id_reused",
    /// A command's time outside what the server takes (`params.earliest`,
    /// `params.latest`): the device's clock is wrong.
    IssuedAtOutOfRange = "issued_at_out_of_range",
    /// A command of a type or schema version the server's build does not know
    /// (`params.value`: its type; `params.max`: the newest version of it the server
    /// knows, absent when it knows none): the server is older than the app.
    UnknownCommand = "unknown_command",
    /// A request the HTTP layer could not read (request line, headers too large).
    BadRequest = "bad_request",
    /// Too many requests; try again after `params.retry_after_secs`.
    RateLimited = "rate_limited",
    /// The server is busy or shutting down; try again.
    Unavailable = "unavailable",
    /// A code this build does not know (sent by a newer peer).
    Unknown = "unknown",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the wire text (`code == "not_found"`).
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Lenient: a code from a newer peer is [`ErrorCode::Unknown`], never an error, so one
/// new refusal can never make a whole answer unreadable.
impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(ErrorCode::parse(&text))
    }
}

/// What a person needs to understand an error, by name. Which fields are set depends
/// on the code (see [`ErrorCode`]); amounts are cents, rates and discounts basis
/// points, for the front end to format. Unknown fields are ignored, so a newer peer
/// can add some.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ErrorParams {
    /// The kind of record named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecordKind>,
    /// A limit: characters of a text, units of a quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The quantity given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// The amount given (a price, a limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Which running total a cap protects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<TotalScope>,
    /// The largest amount allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<Money>,
    /// The discount given, in basis points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_bp: Option<i64>,
    /// A spending limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<Money>,
    /// A customer's open total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_total: Option<Money>,
    /// An order's gross total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total: Option<Money>,
    /// The currency of the amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// A second currency it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_currency: Option<Currency>,
    /// An order's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// The person's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The least role that may do what was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_role: Option<Role>,
    /// The text given (an e-mail address, a code, a number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The value a user saw before changing it, as a person reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// The value as it is now, as a person reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// How many of something (commands, events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Seconds to wait before trying again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The largest body, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// The last device sequence the server recorded for the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<i64>,
    /// The earliest time the server takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest: Option<DateTime<Utc>>,
    /// The latest time the server takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<DateTime<Utc>>,
}

impl ErrorParams {
    /// No parameter is set.
    pub fn is_empty(&self) -> bool {
        *self == ErrorParams::default()
    }
}

#[allow(clippy::borrowed_box)] // serde's `skip_serializing_if` hands over the field's type.
fn no_params(p: &Box<ErrorParams>) -> bool {
    p.is_empty()
}

/// The one error shape that crosses HTTP, IPC and the CLI's `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// The error as an English sentence, for a person (formatted amounts, never ids
    /// of internal rows, SQL or units such as basis points).
    pub message: String,
    /// The input field to mark, if one caused it (as named in the request's JSON).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// What the message says, as data (boxed: most errors have few parameters, and
    /// an `ErrorBody` travels inside many `Result`s).
    #[serde(skip_serializing_if = "no_params", default)]
    pub params: Box<ErrorParams>,
}

impl ErrorBody {
    /// An error with a code and a message, no field and no parameters.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            field: None,
            params: Box::default(),
        }
    }

    /// The same error, marking `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same error, with its parameters.
    pub fn with_params(mut self, params: ErrorParams) -> Self {
        self.params = Box::new(params);
        self
    }
}

impl From<&DomainError> for ErrorBody {
    fn from(e: &DomainError) -> Self {
        use DomainError as D;
        let p = ErrorParams::default;
        let (code, params) = match e {
            D::NotFound { kind, .. } => (
                ErrorCode::NotFound,
                ErrorParams {
                    kind: Some(*kind),
                    ..p()
                },
            ),
            D::AlreadyExists { kind, .. } => (
                ErrorCode::AlreadyExists,
                ErrorParams {
                    kind: Some(*kind),
                    ..p()
                },
            ),
            D::Required { .. } => (ErrorCode::Required, p()),
            D::TooLong { max, .. } => (
                ErrorCode::TooLong,
                ErrorParams {
                    max: Some(i64::try_from(*max).unwrap_or(i64::MAX)),
                    ..p()
                },
            ),
            D::InvalidCharacter { character, .. } => (
                ErrorCode::InvalidCharacter,
                ErrorParams {
                    value: Some(code_point(*character)),
                    ..p()
                },
            ),
            D::InvalidQuantity { quantity } => (
                ErrorCode::InvalidQuantity,
                ErrorParams {
                    quantity: Some(*quantity),
                    ..p()
                },
            ),
            D::QuantityTooLarge { quantity } => (
                ErrorCode::QuantityTooLarge,
                ErrorParams {
                    quantity: Some(*quantity),
                    max: Some(MAX_QUANTITY),
                    ..p()
                },
            ),
            D::NegativePrice { price } => (
                ErrorCode::NegativePrice,
                ErrorParams {
                    amount: Some(*price),
                    ..p()
                },
            ),
            D::PriceTooLarge { price } => (
                ErrorCode::PriceTooLarge,
                ErrorParams {
                    amount: Some(*price),
                    max_amount: Some(Money(MAX_UNIT_PRICE)),
                    ..p()
                },
            ),
            D::InvalidDiscount { discount_bp } => (
                ErrorCode::InvalidDiscount,
                ErrorParams {
                    discount_bp: Some(*discount_bp),
                    ..p()
                },
            ),
            D::NegativeSpendingLimit { limit } => (
                ErrorCode::NegativeSpendingLimit,
                ErrorParams {
                    amount: Some(*limit),
                    ..p()
                },
            ),
            D::InvalidEmail { email } => (
                ErrorCode::InvalidEmail,
                ErrorParams {
                    value: Some(email.clone()),
                    ..p()
                },
            ),
            D::InvalidCurrency { code } => (
                ErrorCode::InvalidCurrency,
                ErrorParams {
                    value: Some(code.clone()),
                    ..p()
                },
            ),
            D::ChangedMeanwhile {
                seen,
                current,
                yours,
                ..
            } => (
                ErrorCode::ChangedMeanwhile,
                ErrorParams {
                    seen: Some(seen.clone()),
                    current: Some(current.clone()),
                    value: Some(yours.clone()),
                    ..p()
                },
            ),
            D::AmountTooLarge => (ErrorCode::AmountTooLarge, p()),
            D::TotalTooLarge {
                scope,
                currency,
                max,
            } => (
                ErrorCode::TotalTooLarge,
                ErrorParams {
                    scope: Some(*scope),
                    currency: Some(*currency),
                    max_amount: Some(*max),
                    ..p()
                },
            ),
            D::TooManyLines { max } => (
                ErrorCode::TooManyLines,
                ErrorParams {
                    max: Some(i64::try_from(*max).unwrap_or(i64::MAX)),
                    ..p()
                },
            ),
            D::OrderNotDraft { status } => (
                ErrorCode::OrderNotDraft,
                ErrorParams {
                    status: Some(*status),
                    ..p()
                },
            ),
            D::EmptyOrder => (ErrorCode::EmptyOrder, p()),
            D::CustomerBlocked => (ErrorCode::CustomerBlocked, p()),
            D::SpendingLimitExceeded {
                currency,
                limit,
                open_total,
                order_total,
            } => (
                ErrorCode::SpendingLimitExceeded,
                ErrorParams {
                    currency: Some(*currency),
                    limit: Some(*limit),
                    open_total: Some(*open_total),
                    order_total: Some(*order_total),
                    ..p()
                },
            ),
            D::CannotCancelInvoiced => (ErrorCode::CannotCancelInvoiced, p()),
            D::InvalidLogo { problem } => (
                ErrorCode::InvalidLogo,
                ErrorParams {
                    max: match problem {
                        LogoProblem::TooLarge { .. } => i64::try_from(MAX_LOGO_BYTES).ok(),
                        LogoProblem::TooManyPixels { .. } => Some(i64::from(MAX_LOGO_SIDE)),
                        LogoProblem::NotBase64 | LogoProblem::NotAnImage => None,
                    },
                    ..p()
                },
            ),
            D::CompanyDetailsMissing => (ErrorCode::CompanyDetailsMissing, p()),
            D::AlreadyCancelled => (ErrorCode::AlreadyCancelled, p()),
            D::OrderDiscarded => (ErrorCode::OrderDiscarded, p()),
            D::NotPlaced { status } => (
                ErrorCode::NotPlaced,
                ErrorParams {
                    status: Some(*status),
                    ..p()
                },
            ),
            D::NotDelivered { status } => (
                ErrorCode::NotDelivered,
                ErrorParams {
                    status: Some(*status),
                    ..p()
                },
            ),
            D::NotHeld { status } => (
                ErrorCode::NotHeld,
                ErrorParams {
                    status: Some(*status),
                    ..p()
                },
            ),
            D::RoleRequired {
                role,
                required,
                action,
            } => (
                ErrorCode::RoleRequired,
                ErrorParams {
                    role: Some(*role),
                    required_role: Some(*required),
                    value: Some((*action).to_string()),
                    ..p()
                },
            ),
            D::DuplicateProductCode { code } => (
                ErrorCode::DuplicateProductCode,
                ErrorParams {
                    value: Some(code.clone()),
                    ..p()
                },
            ),
            D::DuplicateCustomerNumber { number } => (
                ErrorCode::DuplicateCustomerNumber,
                ErrorParams {
                    value: Some(number.clone()),
                    ..p()
                },
            ),
            D::DuplicateOrderNumber { number } => (
                ErrorCode::DuplicateOrderNumber,
                ErrorParams {
                    value: Some(number.clone()),
                    ..p()
                },
            ),
            D::AddressNotOfCustomer { .. } => (ErrorCode::AddressNotOfCustomer, p()),
            D::DuplicateAddressLabel { label } => (
                ErrorCode::DuplicateAddressLabel,
                ErrorParams {
                    value: Some(label.clone()),
                    ..p()
                },
            ),
            D::ProductDiscontinued { code } => (
                ErrorCode::ProductDiscontinued,
                ErrorParams {
                    value: Some(code.clone()),
                    ..p()
                },
            ),
            D::CurrencyMismatch { order, customer } => (
                ErrorCode::CurrencyMismatch,
                ErrorParams {
                    currency: Some(*order),
                    other_currency: Some(*customer),
                    ..p()
                },
            ),
        };
        ErrorBody {
            code,
            message: e.to_string(),
            field: e.field().map(str::to_string),
            params: Box::new(params),
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
