//! Commands: what a user asks for. Each command is a struct of its own (as each event
//! is), grouped by the aggregate whose stream it writes to. The same serde JSON form
//! (`{"type": "PlaceOrder", "order_id": "..."}`) travels over IPC, the CLI's `exec` and
//! sync. A command carries every id it creates, and its envelope carries the time, so
//! re-running it on the same state yields the same events.
//!
//! [`Command`] is the one wire type; [`Command::route`] hands an aggregate its own
//! command type ([`CustomerCommand`], [`ProductCommand`], [`OrderCommand`],
//! [`CompanyCommand`]), so each
//! aggregate's `decide` matches exactly its commands, exhaustively. Both are generated
//! from one list by `commands!`, so they cannot drift apart.

mod company;
mod customer;
mod order;
mod product;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::event::StreamType;
use crate::values::RecordKind;

pub use company::*;
pub use customer::*;
pub use order::*;
pub use product::*;

macro_rules! commands {
    ($(
        $(#[$agg_doc:meta])*
        $agg:ident($agg_enum:ident, $stream:ident, $kind:ident, $id:ident) { $($name:ident),* $(,)? }
    )*) => {
        /// Every command. JSON: `{"type": "AddOrderLine", "order_id": "...", ...}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(tag = "type")]
        pub enum Command {
            $($(
                #[doc = concat!("See [`", stringify!($name), "`].")]
                $name($name),
            )*)*
        }

        $(
            $(#[$agg_doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $agg_enum<'a> {
                $(
                    #[doc = concat!("See [`", stringify!($name), "`].")]
                    $name(&'a $name),
                )*
            }

            impl $agg_enum<'_> {
                /// The id of the record the command writes to.
                pub fn stream_id(&self) -> Uuid {
                    match self { $($agg_enum::$name(c) => c.$id.0,)* }
                }
            }

            $(impl From<$name> for Command {
                fn from(c: $name) -> Command { Command::$name(c) }
            })*
        )*

        /// A command as the aggregate it belongs to sees it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Routed<'a> {
            $(
                #[doc = concat!("A command on a ", stringify!($stream), " stream.")]
                $agg($agg_enum<'a>),
            )*
        }

        impl Routed<'_> {
            /// The stream type the command writes to.
            pub fn stream_type(&self) -> StreamType {
                match self { $(Routed::$agg(_) => StreamType::$stream,)* }
            }

            /// The kind of record the command names, for "unknown id" errors.
            pub fn record_kind(&self) -> RecordKind {
                match self { $(Routed::$agg(_) => RecordKind::$kind,)* }
            }

            /// The id of the record the command writes to.
            pub fn stream_id(&self) -> Uuid {
                match self { $(Routed::$agg(c) => c.stream_id(),)* }
            }
        }

        /// One schema per command, named after it: the struct's fields plus the `type`
        /// tag, and no other field (`additionalProperties: false`, as serde refuses
        /// them). A derived schema would combine the struct's closed schema with the
        /// tag in an `allOf`, which no object can satisfy.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for Command {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let mut one_of = utoipa::openapi::schema::OneOfBuilder::new()
                    .description(Some("A domain command, tagged by `type`."))
                    .discriminator(Some(utoipa::openapi::schema::Discriminator::new("type")));
                $($(
                    one_of = one_of.item(utoipa::openapi::Ref::from_schema_name(stringify!($name)));
                )*)*
                one_of.into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for Command {
            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                $($(
                    schemas.push((
                        stringify!($name).into(),
                        openapi::tagged(stringify!($name), <$name as utoipa::PartialSchema>::schema()),
                    ));
                    <$name as utoipa::ToSchema>::schemas(schemas);
                )*)*
            }
        }

        impl Command {
            /// Every command type, as in the JSON `type` tag.
            pub const NAMES: &'static [&'static str] = &[$($(stringify!($name),)*)*];

            /// The command as its aggregate's own type.
            pub fn route(&self) -> Routed<'_> {
                match self {
                    $($(Command::$name(c) => Routed::$agg($agg_enum::$name(c)),)*)*
                }
            }

            /// The variant's name, as in the JSON `type` tag.
            pub fn name(&self) -> &'static str {
                match self {
                    $($(Command::$name(_) => stringify!($name),)*)*
                }
            }

            /// The schema version of this command's JSON form in this build.
            pub fn schema_version(&self) -> u32 {
                crate::schema::bumped(self.name(), 1)
            }
        }
    };
}

commands! {
    /// The commands of a customer's stream.
    Customer(CustomerCommand, Customer, Customer, customer_id) {
        RegisterCustomer,
        UpdateCustomer,
        AddCustomerAddress,
        ChangeCustomerAddress,
        RemoveCustomerAddress,
        SetSpendingLimit,
        BlockCustomer,
        UnblockCustomer,
    }
    /// The commands of a product's stream.
    Product(ProductCommand, Product, Product, product_id) {
        RegisterProduct,
        UpdateProduct,
        DiscontinueProduct,
        ReinstateProduct,
    }
    /// The commands of a sales order's stream.
    Order(OrderCommand, SalesOrder, Order, order_id) {
        CreateOrder,
        ChangeOrderCustomer,
        DiscardOrder,
        AddOrderLine,
        ChangeOrderLine,
        RemoveOrderLine,
        SetDeliveryAddress,
        SetOrderDetails,
        PlaceOrder,
        ReleaseOrder,
        RefuseHeldOrder,
        CancelOrder,
        DeliverOrder,
        InvoiceOrder,
    }
    /// The commands of the company's own record.
    Company(CompanyCommand, Company, Company, company_id) {
        SetCompanyDetails,
        SetCompanyLogo,
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    /// A command struct's schema with the `type` tag added as a required property.
    pub(super) fn tagged(name: &str, schema: RefOr<Schema>) -> RefOr<Schema> {
        let RefOr::T(Schema::Object(mut object)) = schema else {
            return schema;
        };
        let tag = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([name]));
        object.properties.insert("type".into(), tag.into());
        object.required.insert(0, "type".into());
        object.title = Some(name.into());
        RefOr::T(Schema::Object(object))
    }
}

impl Command {
    /// The stream this command writes to.
    pub fn target(&self) -> (StreamType, Uuid) {
        let routed = self.route();
        (routed.stream_type(), routed.stream_id())
    }
}

/// A command with the id and time that make it replayable. Ids are UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
