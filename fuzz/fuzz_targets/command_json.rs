//! Command decoding at the edges: the CLI's `exec` (and `exec --stream`) parse with
//! `daybook_domain::parse_command_json`; the desktop's IPC and the CLI's
//! `retry --edited` decode a bare `Command` with serde. Any text must give a command or
//! an error, never a panic. A decoded command is then decided on the empty state of
//! its stream (with facts that say its customer and product exist, so the rules get
//! past the lookups): deciding must not panic, must be deterministic (sync relies on
//! byte-identical events), and every event must survive its stored form.
#![no_main]

use daybook_domain::{CreateOrder, RegisterCustomer, RegisterProduct, SetCompanyDetails};
use daybook_domain::{
    Aggregate, Command, CommandEnvelope, Currency, CustomerFacts, CustomerId, CustomerKind, Facts,
    Money, OrderId, ProductFacts, ProductId, StreamType, VatClass, parse_command_json, upcast,
};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let bare = serde_json::from_str::<Command>(text);
    let Ok(env) = parse_command_json(text) else {
        return;
    };
    if let Ok(bare) = bare {
        assert_eq!(bare, env.command, "exec and IPC read the same command");
    }
    // The JSON form round-trips (it is what the outbox stores and sync sends).
    let json = serde_json::to_string(&env).expect("encodes");
    let again = parse_command_json(&json).expect("re-decodes");
    assert_eq!(again, env);

    let (stream_type, id) = env.command.target();
    let empty = Aggregate::new(stream_type);
    for state in [empty.clone(), existing(&empty, id, &env)] {
        let needs = state.needs(&env.command);
        decide(&state, &env, &[Facts::default(), facts_for(&needs)]);
    }
});

/// Decides `env` on `state` with each of `facts`, checking what every decision must hold.
fn decide(state: &Aggregate, env: &CommandEnvelope, facts: &[Facts]) {
    let stream_type = state.stream_type();
    for facts in facts {
        let first = state.decide(&env.command, facts, env.issued_at);
        let second = state.decide(&env.command, facts, env.issued_at);
        assert_eq!(first, second, "decide is deterministic");
        let Ok(events) = first else {
            continue;
        };
        let mut next = state.clone();
        for e in &events {
            assert_eq!(e.stream_type(), stream_type);
            let payload = e.payload_json().expect("payload encodes");
            let decoded = upcast::decode(e.event_type(), e.schema_version(), &payload)
                .expect("a fresh event decodes");
            assert_eq!(&decoded, e);
            next.apply(e);
        }
        // Deciding again on the new state answers too (often: already exists).
        let _ = next.decide(&env.command, facts, env.issued_at);
    }
}

/// The stream with its record created (by the ordinary creation command), so that
/// commands on an existing record reach their rules.
fn existing(empty: &Aggregate, id: Uuid, env: &CommandEnvelope) -> Aggregate {
    let customer = CustomerId(Uuid::from_u128(1));
    let create = match empty.stream_type() {
        StreamType::Customer => Command::RegisterCustomer(RegisterCustomer {
            customer_id: CustomerId(id),
            number: "C-1".into(),
            kind: CustomerKind::Organisation,
            name: "Customer".into(),
            vat_number: None,
            email: None,
            currency: Currency::EUR,
            spending_limit: None,
        }),
        StreamType::Product => Command::RegisterProduct(RegisterProduct {
            product_id: ProductId(id),
            code: "P-1".into(),
            description: "Product".into(),
            unit_price: Money(1_250),
            vat_class: VatClass::Standard,
        }),
        StreamType::SalesOrder => Command::CreateOrder(CreateOrder {
            order_id: OrderId(id),
            number: "SO-1".into(),
            customer_id: customer,
        }),
        StreamType::Company => Command::SetCompanyDetails(SetCompanyDetails {
            company_id: daybook_domain::CompanyId::ACCOUNT,
            name: "Company".into(),
            address: daybook_domain::Address {
                label: "Office".into(),
                street: "Main street 1".into(),
                postal_code: "1234 AB".into(),
                city: "Amsterdam".into(),
                country: "NL".into(),
            },
            vat_number: None,
            bank_account: None,
            email: None,
            phone: None,
        }),
    };
    let facts = facts_for(&empty.needs(&create));
    let mut state = empty.clone();
    let events = empty
        .decide(&create, &facts, env.issued_at)
        .expect("a record can be created");
    for e in &events {
        state.apply(e);
    }
    state
}

/// Facts that say everything the command asks about exists and is in good standing.
fn facts_for(needs: &daybook_domain::FactNeeds) -> Facts {
    Facts {
        customer: needs.customer.map(|id| CustomerFacts {
            id,
            blocked: false,
            currency: Currency::EUR,
            spending_limit: Some(Money(1_000_000)),
            open_total: Money(0),
            address_ids: Vec::new(),
        }),
        product: needs.product.map(|id| ProductFacts {
            id,
            code: "P-1".into(),
            description: "Product".into(),
            unit_price: Money(1_250),
            vat_class: VatClass::Standard,
            discontinued: false,
        }),
        code_owner: None,
        number_owner: None,
        invoice_number: needs.invoice_number.then_some(1),
        ..Facts::default()
    }
}
