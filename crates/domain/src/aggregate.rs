//! One type over the aggregates, so the application can load any stream, fold
//! it, ask what facts a command needs and decide, without knowing which kind it is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Command, Routed};
use crate::company::{self, Company};
use crate::customer::{self, Customer};
use crate::error::DomainError;
use crate::event::{Event, StreamType};
use crate::facts::{FactNeeds, Facts};
use crate::order::{self, SalesOrder};
use crate::product::{self, Product};

/// The state of one stream. `None` inside means "no such record yet".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stream_type", content = "state")]
pub enum Aggregate {
    /// A customer stream.
    Customer(Option<Customer>),
    /// A product stream.
    Product(Option<Product>),
    /// A sales order stream.
    SalesOrder(Option<SalesOrder>),
    /// The company's own record.
    Company(Option<Company>),
}

/// Bumped whenever an aggregate's state shape changes, so stale snapshots are ignored
/// (and rebuilt from events) instead of misread.
pub const STATE_VERSION: u32 = 1;

impl Aggregate {
    /// The empty state of a stream type.
    pub fn new(stream_type: StreamType) -> Aggregate {
        match stream_type {
            StreamType::Customer => Aggregate::Customer(None),
            StreamType::Product => Aggregate::Product(None),
            StreamType::SalesOrder => Aggregate::SalesOrder(None),
            StreamType::Company => Aggregate::Company(None),
        }
    }

    /// Folds `events` into a fresh state.
    pub fn fold<'a>(stream_type: StreamType, events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut a = Aggregate::new(stream_type);
        for e in events {
            a.apply(e);
        }
        a
    }

    /// Which stream type this is.
    pub fn stream_type(&self) -> StreamType {
        match self {
            Aggregate::Customer(_) => StreamType::Customer,
            Aggregate::Product(_) => StreamType::Product,
            Aggregate::SalesOrder(_) => StreamType::SalesOrder,
            Aggregate::Company(_) => StreamType::Company,
        }
    }

    /// Whether the record exists (its creation event has been applied).
    pub fn exists(&self) -> bool {
        match self {
            Aggregate::Customer(s) => s.is_some(),
            Aggregate::Product(s) => s.is_some(),
            Aggregate::SalesOrder(s) => s.is_some(),
            Aggregate::Company(s) => s.is_some(),
        }
    }

    /// How many repeated parts the state holds (an order's lines, a customer's
    /// addresses): what its snapshot's size, and so the cost of writing one, grows with.
    pub fn parts(&self) -> usize {
        match self {
            Aggregate::Customer(s) => s.as_ref().map_or(0, |c| c.addresses.len()),
            Aggregate::SalesOrder(s) => s.as_ref().map_or(0, |o| o.lines.len()),
            Aggregate::Product(_) | Aggregate::Company(_) => 0,
        }
    }

    /// Rebuilds what the state derives from itself and does not store (an order's
    /// sums per VAT rate): call it on a state read back from a snapshot.
    pub fn reindex(&mut self) {
        if let Aggregate::SalesOrder(Some(o)) = self {
            o.reindex();
        }
    }

    /// Folds one event. Events of another stream type are ignored.
    pub fn apply(&mut self, event: &Event) {
        match self {
            Aggregate::Customer(s) => customer::apply(s, event),
            Aggregate::Product(s) => product::apply(s, event),
            Aggregate::SalesOrder(s) => order::apply(s, event),
            Aggregate::Company(s) => company::apply(s, event),
        }
    }

    /// The facts `cmd` needs, given this state.
    pub fn needs(&self, cmd: &Command) -> FactNeeds {
        match (self, cmd.route()) {
            (Aggregate::Customer(_), Routed::Customer(c)) => customer::needs(c),
            (Aggregate::Product(_), Routed::Product(c)) => product::needs(c),
            (Aggregate::SalesOrder(s), Routed::Order(c)) => order::needs(s.as_ref(), c),
            (Aggregate::Company(_), Routed::Company(c)) => company::needs(c),
            // Another kind of record: `decide` refuses it, so it needs nothing.
            (_, _) => FactNeeds::default(),
        }
    }

    /// All business rules: the events `cmd` produces on this state, or why not.
    pub fn decide(
        &self,
        cmd: &Command,
        facts: &Facts,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, DomainError> {
        match (self, cmd.route()) {
            (Aggregate::Customer(s), Routed::Customer(c)) => customer::decide(s.as_ref(), c, facts),
            (Aggregate::Product(s), Routed::Product(c)) => product::decide(s.as_ref(), c, facts),
            (Aggregate::SalesOrder(s), Routed::Order(c)) => order::decide(s.as_ref(), c, facts, at),
            (Aggregate::Company(s), Routed::Company(c)) => company::decide(s.as_ref(), c),
            // The id exists but as another kind of record: to the user it is unknown.
            (_, routed) => Err(DomainError::NotFound {
                kind: routed.record_kind(),
                id: routed.stream_id(),
            }),
        }
    }

    /// The state as JSON (for history diffs and snapshots).
    pub fn state_json(&self) -> serde_json::Value {
        let r = match self {
            Aggregate::Customer(s) => serde_json::to_value(s),
            Aggregate::Product(s) => serde_json::to_value(s),
            Aggregate::SalesOrder(s) => serde_json::to_value(s),
            Aggregate::Company(s) => serde_json::to_value(s),
        };
        r.unwrap_or(serde_json::Value::Null)
    }
}
