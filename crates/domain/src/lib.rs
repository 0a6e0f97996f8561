//! Daybook's domain: customers, products and sales orders as event-sourced aggregates.
//!
//! **Invariant:** this crate does no IO, has no async, and knows nothing of SQLite,
//! HTTP or Tauri. Every rule is `decide(state, command, facts, time) -> events | error`;
//! time, ids and read-model facts come in as arguments.

pub mod aggregate;
pub mod command;
pub mod company;
pub mod customer;
mod draft;
pub mod error;
pub mod event;
pub mod facts;
mod guard;
pub mod ids;
pub mod logo;
pub mod money;
pub mod order;
pub mod permission;
mod placing;
pub mod product;
pub mod schema;
pub mod text;
pub mod upcast;
mod validate;
pub mod values;

pub use aggregate::{Aggregate, STATE_VERSION};
pub use command::*;
pub use company::Company;
pub use customer::{Customer, CustomerAddress};
pub use error::DomainError;
pub use event::{Event, EventDecodeError, StreamType};
pub use facts::{CustomerFacts, FactNeeds, Facts, ProductFacts};
pub use ids::*;
pub use logo::{ImageFormat, Logo, LogoProblem};
pub use money::{
    AmountOverflow, Currency, InvalidCurrency, Money, RateSums, RateTotal, Totals, VatClass,
};
pub use order::{OrderLine, SalesOrder};
pub use product::Product;
pub use values::{
    Address, CustomerKind, GuardedField, HoldReason, OrderStatus, RecordKind, Role, TotalScope,
};
