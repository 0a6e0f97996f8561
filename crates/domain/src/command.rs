//! Commands: what a user asks for. The same serde JSON form travels over IPC, the CLI's
//! `exec` and sync. A command carries every id it creates, and its envelope carries the
//! time, so re-running it on the same state yields the same events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::customer::{Address, CustomerKind};
use crate::event::StreamType;
use crate::ids::{AddressId, CustomerId, DeliveryId, InvoiceId, LineId, OrderId, ProductId};
use crate::money::{Currency, Money, VatClass};

/// Every command. JSON: `{"type": "AddOrderLine", "order_id": "...", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Command {
    /// Create a customer.
    RegisterCustomer {
        /// New id.
        customer_id: CustomerId,
        /// Unique customer number.
        number: String,
        /// Organisation or person.
        kind: CustomerKind,
        /// Display name.
        name: String,
        /// VAT number.
        #[serde(default)]
        vat_number: Option<String>,
        /// Contact e-mail.
        #[serde(default)]
        email: Option<String>,
        /// Currency; EUR when absent.
        #[serde(default)]
        currency: Currency,
        /// Limit on open orders; unlimited when absent.
        #[serde(default)]
        spending_limit: Option<Money>,
    },
    /// Change name, kind, VAT number or e-mail (full new values).
    UpdateCustomer {
        /// Which customer.
        customer_id: CustomerId,
        /// Organisation or person.
        kind: CustomerKind,
        /// Display name.
        name: String,
        /// VAT number.
        #[serde(default)]
        vat_number: Option<String>,
        /// Contact e-mail.
        #[serde(default)]
        email: Option<String>,
    },
    /// Add an address.
    AddCustomerAddress {
        /// Which customer.
        customer_id: CustomerId,
        /// New address id.
        address_id: AddressId,
        /// The address.
        address: Address,
    },
    /// Correct an address.
    ChangeCustomerAddress {
        /// Which customer.
        customer_id: CustomerId,
        /// Which address.
        address_id: AddressId,
        /// The new address.
        address: Address,
    },
    /// Remove an address.
    RemoveCustomerAddress {
        /// Which customer.
        customer_id: CustomerId,
        /// Which address.
        address_id: AddressId,
    },
    /// Set or clear the spending limit.
    SetSpendingLimit {
        /// Which customer.
        customer_id: CustomerId,
        /// New limit; `null` is unlimited.
        limit: Option<Money>,
    },
    /// Stop the customer from placing orders.
    BlockCustomer {
        /// Which customer.
        customer_id: CustomerId,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Allow the customer to place orders again.
    UnblockCustomer {
        /// Which customer.
        customer_id: CustomerId,
    },
    /// Add a product to the catalogue.
    RegisterProduct {
        /// New id.
        product_id: ProductId,
        /// Unique code.
        code: String,
        /// Description.
        description: String,
        /// Price per unit excluding VAT, in cents.
        unit_price: Money,
        /// VAT class.
        vat_class: VatClass,
    },
    /// Change description, price or VAT class (full new values; only changes are recorded).
    UpdateProduct {
        /// Which product.
        product_id: ProductId,
        /// Description.
        description: String,
        /// Price per unit excluding VAT, in cents.
        unit_price: Money,
        /// VAT class.
        vat_class: VatClass,
    },
    /// Stop offering a product.
    DiscontinueProduct {
        /// Which product.
        product_id: ProductId,
    },
    /// Offer a discontinued product again.
    ReinstateProduct {
        /// Which product.
        product_id: ProductId,
    },
    /// Open a draft order for a customer.
    CreateOrder {
        /// New id.
        order_id: OrderId,
        /// Order number.
        number: String,
        /// The customer.
        customer_id: CustomerId,
    },
    /// Add a line; price, VAT and description default to the catalogue's.
    AddOrderLine {
        /// Which order.
        order_id: OrderId,
        /// New line id.
        line_id: LineId,
        /// The product.
        product_id: ProductId,
        /// Units (> 0).
        quantity: i64,
        /// Price override; the catalogue price when absent.
        #[serde(default)]
        unit_price: Option<Money>,
        /// Discount in basis points (0..=10000).
        #[serde(default)]
        discount_bp: i64,
        /// Description override; the catalogue description when absent.
        #[serde(default)]
        description: Option<String>,
    },
    /// Change a line's quantity, price or discount (full new values).
    ChangeOrderLine {
        /// Which order.
        order_id: OrderId,
        /// Which line.
        line_id: LineId,
        /// Units (> 0).
        quantity: i64,
        /// Price per unit.
        unit_price: Money,
        /// Discount in basis points.
        discount_bp: i64,
    },
    /// Remove a line.
    RemoveOrderLine {
        /// Which order.
        order_id: OrderId,
        /// Which line.
        line_id: LineId,
    },
    /// Choose the delivery address among the customer's addresses.
    SetDeliveryAddress {
        /// Which order.
        order_id: OrderId,
        /// One of the customer's addresses.
        address_id: AddressId,
    },
    /// Set the customer's reference and notes (full new values).
    SetOrderDetails {
        /// Which order.
        order_id: OrderId,
        /// The customer's reference.
        #[serde(default)]
        customer_reference: Option<String>,
        /// Notes.
        #[serde(default)]
        notes: Option<String>,
    },
    /// Place the order: checks blocked customer and spending limit.
    PlaceOrder {
        /// Which order.
        order_id: OrderId,
    },
    /// Cancel the order (not once invoiced).
    CancelOrder {
        /// Which order.
        order_id: OrderId,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Record delivery of a placed order.
    DeliverOrder {
        /// Which order.
        order_id: OrderId,
        /// New delivery id.
        delivery_id: DeliveryId,
    },
    /// Invoice a delivered order.
    InvoiceOrder {
        /// Which order.
        order_id: OrderId,
        /// New invoice id.
        invoice_id: InvoiceId,
    },
}

impl Command {
    /// The stream this command writes to.
    pub fn target(&self) -> (StreamType, Uuid) {
        use Command::*;
        match self {
            RegisterCustomer { customer_id, .. }
            | UpdateCustomer { customer_id, .. }
            | AddCustomerAddress { customer_id, .. }
            | ChangeCustomerAddress { customer_id, .. }
            | RemoveCustomerAddress { customer_id, .. }
            | SetSpendingLimit { customer_id, .. }
            | BlockCustomer { customer_id, .. }
            | UnblockCustomer { customer_id } => (StreamType::Customer, customer_id.0),
            RegisterProduct { product_id, .. }
            | UpdateProduct { product_id, .. }
            | DiscontinueProduct { product_id }
            | ReinstateProduct { product_id } => (StreamType::Product, product_id.0),
            CreateOrder { order_id, .. }
            | AddOrderLine { order_id, .. }
            | ChangeOrderLine { order_id, .. }
            | RemoveOrderLine { order_id, .. }
            | SetDeliveryAddress { order_id, .. }
            | SetOrderDetails { order_id, .. }
            | PlaceOrder { order_id }
            | CancelOrder { order_id, .. }
            | DeliverOrder { order_id, .. }
            | InvoiceOrder { order_id, .. } => (StreamType::SalesOrder, order_id.0),
        }
    }

    /// The variant's name, as in the JSON `type` tag.
    pub fn name(&self) -> &'static str {
        use Command::*;
        match self {
            RegisterCustomer { .. } => "RegisterCustomer",
            UpdateCustomer { .. } => "UpdateCustomer",
            AddCustomerAddress { .. } => "AddCustomerAddress",
            ChangeCustomerAddress { .. } => "ChangeCustomerAddress",
            RemoveCustomerAddress { .. } => "RemoveCustomerAddress",
            SetSpendingLimit { .. } => "SetSpendingLimit",
            BlockCustomer { .. } => "BlockCustomer",
            UnblockCustomer { .. } => "UnblockCustomer",
            RegisterProduct { .. } => "RegisterProduct",
            UpdateProduct { .. } => "UpdateProduct",
            DiscontinueProduct { .. } => "DiscontinueProduct",
            ReinstateProduct { .. } => "ReinstateProduct",
            CreateOrder { .. } => "CreateOrder",
            AddOrderLine { .. } => "AddOrderLine",
            ChangeOrderLine { .. } => "ChangeOrderLine",
            RemoveOrderLine { .. } => "RemoveOrderLine",
            SetDeliveryAddress { .. } => "SetDeliveryAddress",
            SetOrderDetails { .. } => "SetOrderDetails",
            PlaceOrder { .. } => "PlaceOrder",
            CancelOrder { .. } => "CancelOrder",
            DeliverOrder { .. } => "DeliverOrder",
            InvoiceOrder { .. } => "InvoiceOrder",
        }
    }
}

/// A command with the id and time that make it replayable. Ids are UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandEnvelope {
    /// Unique per command; the idempotency key for sync.
    pub command_id: Uuid,
    /// When the user gave the command; becomes the events' business time.
    pub issued_at: DateTime<Utc>,
    /// The command.
    pub command: Command,
}

impl CommandEnvelope {
    /// Wraps a command with a fresh id and the current time. Only edges call this.
    pub fn new(command: Command) -> Self {
        CommandEnvelope {
            command_id: Uuid::now_v7(),
            issued_at: Utc::now(),
            command,
        }
    }
}

/// Why text given at an edge (the CLI's `exec`, a line of `exec --stream`) is not a
/// command.
#[derive(Debug, thiserror::Error)]
pub enum CommandParseError {
    /// Not JSON at all.
    #[error("malformed JSON: {0}")]
    Json(serde_json::Error),
    /// A JSON object with a `command` object that is not a valid envelope.
    #[error("not a command envelope: {0}")]
    Envelope(serde_json::Error),
    /// JSON that is not a command.
    #[error("not a command: {0}")]
    Command(serde_json::Error),
}

/// Parses a command (`{"type": "PlaceOrder", ...}`, wrapped in a fresh envelope) or a
/// full envelope (`{"command_id", "issued_at", "command": {...}}`) from JSON text.
/// Total: any input gives an envelope or an error, never a panic (fuzzed by
/// `fuzz/fuzz_targets/command_json.rs`).
pub fn parse_command_json(text: &str) -> Result<CommandEnvelope, CommandParseError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(CommandParseError::Json)?;
    let is_envelope = value
        .get("command")
        .is_some_and(serde_json::Value::is_object);
    if is_envelope {
        serde_json::from_value::<CommandEnvelope>(value).map_err(CommandParseError::Envelope)
    } else {
        let command =
            serde_json::from_value::<Command>(value).map_err(CommandParseError::Command)?;
        Ok(CommandEnvelope::new(command))
    }
}
