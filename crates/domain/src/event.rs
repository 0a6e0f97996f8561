//! Domain events: the facts that are stored. Each event type has a stable name (the
//! store's `event_type`, AFAS's PayloadItemName) and a schema version; older versions
//! are upgraded on read by [`crate::upcast`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AddressId, CustomerId, DeliveryId, InvoiceId, LineId, ProductId};
use crate::logo::Logo;
use crate::money::{Currency, Money, VatClass};
use crate::values::{Address, CustomerKind, HoldReason};

/// A customer was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRegistered {
    /// Unique customer number.
    pub number: String,
    /// Organisation or person.
    pub kind: CustomerKind,
    /// Display name.
    pub name: String,
    /// VAT number, if any.
    pub vat_number: Option<String>,
    /// Contact e-mail, if any.
    pub email: Option<String>,
    /// Currency of the customer's orders and limit.
    pub currency: Currency,
    /// Limit on placed, not yet invoiced orders; `None` is unlimited.
    pub spending_limit: Option<Money>,
}

/// Name, kind, VAT number or e-mail changed (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetailsChanged {
    /// Organisation or person.
    pub kind: CustomerKind,
    /// Display name.
    pub name: String,
    /// VAT number, if any.
    pub vat_number: Option<String>,
    /// Contact e-mail, if any.
    pub email: Option<String>,
}

/// An address was added to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAddressAdded {
    /// New address id.
    pub address_id: AddressId,
    /// The address.
    pub address: Address,
}

/// An address of a customer was corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAddressChanged {
    /// Which address.
    pub address_id: AddressId,
    /// The new address.
    pub address: Address,
}

/// An address was removed from a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAddressRemoved {
    /// Which address.
    pub address_id: AddressId,
}

/// The customer's spending limit changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendingLimitChanged {
    /// New limit; `None` is unlimited.
    pub limit: Option<Money>,
}

/// The customer may no longer place orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerBlocked {
    /// Why, for the history.
    pub reason: String,
}

/// The customer may place orders again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUnblocked {}

/// A product was added to the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRegistered {
    /// Unique code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Price per unit, excluding VAT.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: VatClass,
}

/// A product's description changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDescriptionChanged {
    /// New description.
    pub description: String,
}

/// A product's catalogue price changed (existing orders keep their copied price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPriceChanged {
    /// New price per unit, excluding VAT.
    pub unit_price: Money,
}

/// A product's VAT class changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductVatClassChanged {
    /// New class.
    pub vat_class: VatClass,
}

/// The product can no longer be added to orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDiscontinued {}

/// The product can be added to orders again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductReinstated {}

/// A draft order was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    /// Order number (provisional until the server confirms it).
    pub number: String,
    /// The customer.
    pub customer_id: CustomerId,
    /// The customer's currency at creation.
    pub currency: Currency,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A line was added. Price, VAT rate, code and description are copies taken from the
/// catalogue at this moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineAdded {
    /// New line id.
    pub line_id: LineId,
    /// The product.
    pub product_id: ProductId,
    /// Product code at the time.
    pub code: String,
    /// Line description.
    pub description: String,
    /// Units.
    pub quantity: i64,
    /// Price per unit, excluding VAT.
    pub unit_price: Money,
    /// Discount in basis points (10000 = 100%).
    pub discount_bp: i64,
    /// VAT class at the time.
    pub vat_class: VatClass,
    /// VAT rate at the time, in basis points.
    pub vat_rate_bp: i64,
}

/// Quantity, price or discount of a line changed (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineChanged {
    /// Which line.
    pub line_id: LineId,
    /// Units.
    pub quantity: i64,
    /// Price per unit, excluding VAT.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
}

/// A line was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRemoved {
    /// Which line.
    pub line_id: LineId,
}

/// The delivery address was chosen from the customer's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAddressSet {
    /// The chosen address.
    pub address_id: AddressId,
}

/// Customer reference or notes changed (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetailsChanged {
    /// The customer's own reference (their PO number).
    pub customer_reference: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
}

/// A draft went to another customer; its currency and delivery address are the new
/// customer's (the address their default, the first of their addresses, or none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCustomerChanged {
    /// The new customer.
    pub customer_id: CustomerId,
    /// The new customer's currency (the same unless the draft had no lines).
    pub currency: Currency,
    /// The new delivery address.
    pub delivery_address_id: Option<AddressId>,
}

/// A draft never placed was discarded: final; it leaves the lists and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDiscarded {
    /// When.
    pub discarded_at: DateTime<Utc>,
}

/// The order was placed: lines are now fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    /// When.
    pub placed_at: DateTime<Utc>,
}

/// Placing the order would have taken its customer over the spending limit, so it
/// waits for a manager instead: it does not count towards the open total (nor the
/// day's figures) until released. The amounts are those the decision saw, for the
/// history and the approvals queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderHeld {
    /// Why it is held.
    pub reason: HoldReason,
    /// The order's gross total.
    pub order_total: Money,
    /// The customer's spending limit then.
    pub limit: Money,
    /// The customer's open total then (placed, not yet invoiced orders).
    pub open_total: Money,
    /// When it was placed (and held).
    pub held_at: DateTime<Utc>,
}

/// A manager released a held order: it is placed now, and counts towards the open
/// total and the day's figures from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReleased {
    /// The customer's open total when released (it may still be over the limit: the
    /// release is the manager's decision to allow that).
    pub open_total: Money,
    /// When; the order's placing time from now on.
    pub released_at: DateTime<Utc>,
}

/// A manager refused a held order: it is a draft again, to be changed or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOrderRefused {
    /// Why, for the clerk and the history.
    pub reason: String,
    /// When.
    pub refused_at: DateTime<Utc>,
}

/// The order was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    /// Why.
    pub reason: String,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// The goods were delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDelivered {
    /// The delivery document.
    pub delivery_id: DeliveryId,
    /// When.
    pub delivered_at: DateTime<Utc>,
}

/// The order was invoiced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInvoiced {
    /// The invoice document.
    pub invoice_id: InvoiceId,
    /// Gap-free invoice number; assigned only by the server, so `None` until synced.
    pub invoice_number: Option<u64>,
    /// When.
    pub invoiced_at: DateTime<Utc>,
}

/// The company's own details were set (full new values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyDetailsChanged {
    /// Name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// VAT number, if any.
    pub vat_number: Option<String>,
    /// Bank account (IBAN), if any.
    pub bank_account: Option<String>,
    /// E-mail, if any.
    pub email: Option<String>,
    /// Telephone, if any.
    pub phone: Option<String>,
}

/// The company's logo was set (with what was read off it) or removed (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyLogoChanged {
    /// The new logo, if any.
    pub logo: Option<Logo>,
}

macro_rules! events {
    ($($(#[$doc:meta])* $name:ident => $stream:ident, $version:literal;)*) => {
        /// Every domain event. The JSON form is `{"type": "<EventType>", "data": {...}}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum Event {
            $($(#[$doc])* $name($name),)*
        }

        impl Event {
            /// Every event type with its stream type and current schema version.
            pub const TYPES: &'static [(&'static str, StreamType, u32)] =
                &[$((stringify!($name), StreamType::$stream, $version),)*];

            /// The stable type name (the store's `event_type` column).
            pub fn event_type(&self) -> &'static str {
                match self { $(Event::$name(_) => stringify!($name),)* }
            }

            /// The schema version this code writes for this event type.
            pub fn schema_version(&self) -> u32 {
                match self {
                    $(Event::$name(_) => crate::schema::bumped(stringify!($name), $version),)*
                }
            }

            /// The stream type this event belongs to.
            pub fn stream_type(&self) -> StreamType {
                match self { $(Event::$name(_) => StreamType::$stream,)* }
            }

            /// The payload alone (without the type tag), as stored.
            pub fn payload_json(&self) -> Result<String, serde_json::Error> {
                match self { $(Event::$name(e) => serde_json::to_string(e),)* }
            }

            /// Decodes a payload of the current schema version.
            pub fn from_payload(event_type: &str, payload: &str) -> Result<Event, EventDecodeError> {
                match event_type {
                    $(stringify!($name) => Ok(Event::$name(serde_json::from_str(payload)?)),)*
                    other => Err(EventDecodeError::UnknownType(other.to_string())),
                }
            }

            /// Decodes a payload already parsed to JSON (after upcasting).
            pub fn from_value(event_type: &str, payload: serde_json::Value) -> Result<Event, EventDecodeError> {
                match event_type {
                    $(stringify!($name) => Ok(Event::$name(serde_json::from_value(payload)?)),)*
                    other => Err(EventDecodeError::UnknownType(other.to_string())),
                }
            }
        }

        $(impl From<$name> for Event {
            fn from(e: $name) -> Event { Event::$name(e) }
        })*
    };
}

events! {
    /// See [`CustomerRegistered`].
    CustomerRegistered => Customer, 2;
    /// See [`CustomerDetailsChanged`].
    CustomerDetailsChanged => Customer, 1;
    /// See [`CustomerAddressAdded`].
    CustomerAddressAdded => Customer, 1;
    /// See [`CustomerAddressChanged`].
    CustomerAddressChanged => Customer, 1;
    /// See [`CustomerAddressRemoved`].
    CustomerAddressRemoved => Customer, 1;
    /// See [`SpendingLimitChanged`].
    SpendingLimitChanged => Customer, 1;
    /// See [`CustomerBlocked`].
    CustomerBlocked => Customer, 1;
    /// See [`CustomerUnblocked`].
    CustomerUnblocked => Customer, 1;
    /// See [`ProductRegistered`].
    ProductRegistered => Product, 2;
    /// See [`ProductDescriptionChanged`].
    ProductDescriptionChanged => Product, 1;
    /// See [`ProductPriceChanged`].
    ProductPriceChanged => Product, 1;
    /// See [`ProductVatClassChanged`].
    ProductVatClassChanged => Product, 1;
    /// See [`ProductDiscontinued`].
    ProductDiscontinued => Product, 1;
    /// See [`ProductReinstated`].
    ProductReinstated => Product, 1;
    /// See [`OrderCreated`].
    OrderCreated => SalesOrder, 1;
    /// See [`OrderLineAdded`].
    OrderLineAdded => SalesOrder, 2;
    /// See [`OrderLineChanged`].
    OrderLineChanged => SalesOrder, 1;
    /// See [`OrderLineRemoved`].
    OrderLineRemoved => SalesOrder, 1;
    /// See [`DeliveryAddressSet`].
    DeliveryAddressSet => SalesOrder, 1;
    /// See [`OrderDetailsChanged`].
    OrderDetailsChanged => SalesOrder, 1;
    /// See [`OrderPlaced`].
    OrderPlaced => SalesOrder, 1;
    /// See [`OrderHeld`].
    OrderHeld => SalesOrder, 1;
    /// See [`OrderReleased`].
    OrderReleased => SalesOrder, 1;
    /// See [`HeldOrderRefused`].
    HeldOrderRefused => SalesOrder, 1;
    /// See [`OrderCancelled`].
    OrderCancelled => SalesOrder, 1;
    /// See [`OrderDelivered`].
    OrderDelivered => SalesOrder, 1;
    /// See [`OrderInvoiced`].
    OrderInvoiced => SalesOrder, 1;
    /// See [`OrderCustomerChanged`].
    OrderCustomerChanged => SalesOrder, 1;
    /// See [`OrderDiscarded`].
    OrderDiscarded => SalesOrder, 1;
    /// See [`CompanyDetailsChanged`].
    CompanyDetailsChanged => Company, 1;
    /// See [`CompanyLogoChanged`].
    CompanyLogoChanged => Company, 1;
}

impl Event {
    /// The current schema version of `event_type`, if it is known.
    pub fn current_version(event_type: &str) -> Option<u32> {
        Event::TYPES
            .iter()
            .find(|(name, _, _)| *name == event_type)
            .map(|(name, _, v)| crate::schema::bumped(name, *v))
    }
}

/// The kinds of stream (aggregate types) in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StreamType {
    /// Customer streams.
    Customer,
    /// Product streams.
    Product,
    /// Sales order streams.
    SalesOrder,
    /// The company's own record.
    Company,
}

impl StreamType {
    /// Every stream type.
    pub const ALL: [StreamType; 4] = [
        StreamType::Customer,
        StreamType::Product,
        StreamType::SalesOrder,
        StreamType::Company,
    ];

    /// Stable text form (the store's `stream_type` column).
    pub fn as_str(self) -> &'static str {
        match self {
            StreamType::Customer => "Customer",
            StreamType::Product => "Product",
            StreamType::SalesOrder => "SalesOrder",
            StreamType::Company => "Company",
        }
    }

    /// Inverse of [`StreamType::as_str`].
    pub fn parse(s: &str) -> Option<StreamType> {
        StreamType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for StreamType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored payload could not be turned into an [`Event`].
#[derive(Debug, thiserror::Error)]
pub enum EventDecodeError {
    /// The type name is not one this code knows.
    #[error("unknown event type '{0}'")]
    UnknownType(String),
    /// The payload does not match the type's schema.
    #[error("malformed event payload: {0}")]
    Json(#[from] serde_json::Error),
    /// The stored version is newer than this code understands.
    #[error(
        "event type '{event_type}' has schema version {version}, newer than this build knows ({known})"
    )]
    FutureVersion {
        /// Type name.
        event_type: String,
        /// Stored version.
        version: u32,
        /// Newest version this build writes.
        known: u32,
    },
    /// An upcaster could not upgrade the payload.
    #[error("cannot upgrade '{event_type}' from version {version}: {reason}")]
    Upcast {
        /// Type name.
        event_type: String,
        /// Version being upgraded.
        version: u32,
        /// What was wrong.
        reason: String,
    },
}
