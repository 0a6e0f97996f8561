//! A tiny given/when/then harness: `given(stream, [events]).facts(f).when(cmd)` then
//! `.then([events])` or `.then_err(DomainError::X { .. })`; `.by(role)` decides as a
//! person of that role would be (the permission check first). Compares typed values only,
//! at a fixed time. Every decision is also checked to be deterministic, to emit only
//! events of its own stream, and to survive the store's payload encoding.

use chrono::{DateTime, TimeZone, Utc};
use daybook_domain::{
    Aggregate, Command, CustomerFacts, CustomerId, DomainError, Event, Facts, Money, ProductFacts,
    ProductId, Role, StreamType, VatClass, permission,
};

/// The fixed time every command is decided at.
pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 30, 0)
        .single()
        .expect("valid fixed time")
}

/// A readable, fixed id: `id(1)` is `00000000-0000-0000-0000-000000000001`.
pub use daybook_testkit::id;

/// The past: a stream type and the events already in it.
pub struct Given {
    state: Aggregate,
    facts: Facts,
    role: Option<Role>,
}

/// Starts a scenario on a stream holding `events`.
pub fn given<E: Into<Event>>(stream: StreamType, events: impl IntoIterator<Item = E>) -> Given {
    let events: Vec<Event> = events.into_iter().map(Into::into).collect();
    Given {
        state: Aggregate::fold(stream, &events),
        facts: Facts::default(),
        role: None,
    }
}

/// Starts a scenario on an empty stream.
pub fn given_nothing(stream: StreamType) -> Given {
    given::<Event>(stream, [])
}

impl Given {
    /// The read-model facts the decision sees.
    pub fn facts(mut self, facts: Facts) -> Given {
        self.facts = facts;
        self
    }

    /// Decides as a person with `role` (whose permission is checked first).
    pub fn by(mut self, role: Role) -> Given {
        self.role = Some(role);
        self
    }

    /// The folded state (for checks on `needs` and totals).
    pub fn state(&self) -> &Aggregate {
        &self.state
    }

    /// Decides `cmd` at [`at`].
    #[track_caller]
    pub fn when(self, cmd: Command) -> When {
        let decide = || {
            if let Some(role) = self.role {
                permission::allowed(role, &cmd, &self.state)?;
            }
            self.state.decide(&cmd, &self.facts, at())
        };
        let result = decide();
        let again = decide();
        assert_eq!(result, again, "decide is not deterministic for {cmd:?}");
        if let Ok(events) = &result {
            for e in events {
                assert_eq!(
                    e.stream_type(),
                    self.state.stream_type(),
                    "foreign event {e:?}"
                );
                let payload = e.payload_json().expect("event encodes");
                let back = Event::from_payload(e.event_type(), &payload).expect("event decodes");
                assert_eq!(&back, e, "event does not survive its payload encoding");
            }
        }
        When {
            state: self.state,
            result,
        }
    }
}

/// The decision, waiting to be checked.
pub struct When {
    state: Aggregate,
    result: Result<Vec<Event>, DomainError>,
}

impl When {
    /// Asserts exactly these events, in order; returns the state after them.
    #[track_caller]
    pub fn then<E: Into<Event>>(self, expected: impl IntoIterator<Item = E>) -> Aggregate {
        let expected: Vec<Event> = expected.into_iter().map(Into::into).collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected);
                let mut state = self.state;
                for e in &events {
                    state.apply(e);
                }
                state
            }
            Err(e) => panic!("expected events {expected:?}, got error {e:?}"),
        }
    }

    /// Asserts that the command is accepted but changes nothing.
    #[track_caller]
    pub fn then_nothing(self) {
        self.then::<Event>([]);
    }

    /// Asserts exactly this error.
    #[track_caller]
    pub fn then_err(self, expected: DomainError) {
        match self.result {
            Ok(events) => panic!("expected error {expected:?}, got events {events:?}"),
            Err(e) => assert_eq!(e, expected),
        }
    }
}

// --- Sample records shared by the modules. ---

/// The customer of every sample order.
pub const CUSTOMER: u128 = 0xC1;
/// The product of every sample line.
pub const PRODUCT: u128 = 0xB1;

/// Facts about the sample customer: not blocked, EUR, unlimited, nothing open.
pub fn customer_facts() -> CustomerFacts {
    CustomerFacts {
        id: id(CUSTOMER),
        blocked: false,
        currency: daybook_domain::Currency::EUR,
        spending_limit: None,
        open_total: Money::ZERO,
        address_ids: vec![],
    }
}

/// Facts about the sample product: "P-100", 12.50, standard VAT, offered.
pub fn product_facts() -> ProductFacts {
    ProductFacts {
        id: id(PRODUCT),
        code: "P-100".into(),
        description: "Widget".into(),
        unit_price: Money(1250),
        vat_class: VatClass::Standard,
        discontinued: false,
    }
}

/// Facts holding only the sample customer.
pub fn with_customer(c: CustomerFacts) -> Facts {
    Facts {
        customer: Some(c),
        ..Facts::default()
    }
}

/// Facts holding only the sample product.
pub fn with_product(p: ProductFacts) -> Facts {
    Facts {
        product: Some(p),
        ..Facts::default()
    }
}

/// The sample customer's id, typed.
pub fn customer_id() -> CustomerId {
    id(CUSTOMER)
}

/// The sample product's id, typed.
pub fn product_id() -> ProductId {
    id(PRODUCT)
}
