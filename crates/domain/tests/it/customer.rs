//! Customer rules: registration, details, addresses, spending limit, blocking.

use daybook_domain::event::*;
use daybook_domain::{
    AddCustomerAddress, BlockCustomer, ChangeCustomerAddress, RegisterCustomer,
    RemoveCustomerAddress, SetSpendingLimit, UnblockCustomer, UpdateCustomer,
};
use daybook_domain::{
    Address, AddressId, Aggregate, Command, Currency, CustomerKind, DomainError, Facts, Money,
    RecordKind, StreamType,
};
use daybook_testkit::{register_customer, update_customer};
use uuid::Uuid;

use crate::harness::{customer_id, given, given_nothing, id};

const C: StreamType = StreamType::Customer;

/// Registration of the sample customer, with padding the domain trims.
fn registration() -> RegisterCustomer {
    RegisterCustomer {
        vat_number: Some("NL001".into()),
        email: Some("buy@acme.example".into()),
        spending_limit: Some(Money(100_000)),
        ..register_customer(customer_id(), "  C-001 ", " Acme BV ")
    }
}

fn register() -> Command {
    registration().into()
}

fn registered() -> CustomerRegistered {
    CustomerRegistered {
        number: "C-001".into(),
        kind: CustomerKind::Organisation,
        name: "Acme BV".into(),
        vat_number: Some("NL001".into()),
        email: Some("buy@acme.example".into()),
        currency: Currency::EUR,
        spending_limit: Some(Money(100_000)),
    }
}

fn address() -> Address {
    daybook_testkit::address("Head office")
}

fn addr_id() -> AddressId {
    id(0xA1)
}

fn address_added() -> CustomerAddressAdded {
    CustomerAddressAdded {
        address_id: addr_id(),
        address: address(),
    }
}

fn update(name: &str, email: Option<&str>) -> Command {
    Command::UpdateCustomer(UpdateCustomer {
        vat_number: Some("NL001".into()),
        email: email.map(Into::into),
        ..update_customer(customer_id(), name)
    })
}

fn with_register(f: impl FnOnce(&mut RegisterCustomer)) -> Command {
    let mut cmd = registration();
    f(&mut cmd);
    cmd.into()
}

fn not_found(kind: RecordKind, id: Uuid) -> DomainError {
    DomainError::NotFound { kind, id }
}

// --- RegisterCustomer ---

#[test]
fn register_trims_and_records_every_field() {
    let state = given_nothing(C).when(register()).then([registered()]);
    let Aggregate::Customer(Some(c)) = state else {
        panic!("not registered: {state:?}")
    };
    assert_eq!(c.number, "C-001");
    assert!(!c.blocked);
    assert!(c.addresses.is_empty());
}

#[test]
fn register_defaults_to_eur_and_unlimited() {
    let cmd: Command = serde_json::from_value(serde_json::json!({
        "type": "RegisterCustomer",
        "customer_id": customer_id(),
        "number": "C-002",
        "kind": "person",
        "name": "Jan",
    }))
    .unwrap();
    given_nothing(C).when(cmd).then([CustomerRegistered {
        number: "C-002".into(),
        kind: CustomerKind::Person,
        name: "Jan".into(),
        vat_number: None,
        email: None,
        currency: Currency::EUR,
        spending_limit: None,
    }]);
}

#[test]
fn register_twice_is_already_exists() {
    given(C, [registered()])
        .when(register())
        .then_err(DomainError::AlreadyExists {
            kind: RecordKind::Customer,
            id: customer_id().0,
        });
}

#[test]
fn register_requires_number_and_name() {
    let blank_number = with_register(|c| c.number = "   ".into());
    given_nothing(C)
        .when(blank_number)
        .then_err(DomainError::Required { field: "number" });
    let blank_name = with_register(|c| c.name = String::new());
    given_nothing(C)
        .when(blank_name)
        .then_err(DomainError::Required { field: "name" });
}

#[test]
fn register_rejects_too_long_texts() {
    let long_number = with_register(|c| c.number = "9".repeat(33));
    given_nothing(C)
        .when(long_number)
        .then_err(DomainError::TooLong {
            field: "number",
            max: 32,
        });
    let long_name = with_register(|c| c.name = "n".repeat(201));
    given_nothing(C)
        .when(long_name)
        .then_err(DomainError::TooLong {
            field: "name",
            max: 200,
        });
    let long_vat = with_register(|c| c.vat_number = Some("V".repeat(33)));
    given_nothing(C)
        .when(long_vat)
        .then_err(DomainError::TooLong {
            field: "vat_number",
            max: 32,
        });
}

#[test]
fn limits_count_characters_not_bytes() {
    // 200 two-byte characters are within the 200-character limit.
    let cmd = with_register(|c| c.name = "é".repeat(200));
    let mut expected = registered();
    expected.name = "é".repeat(200);
    given_nothing(C).when(cmd).then([expected]);
}

#[test]
fn register_rejects_invalid_email() {
    for bad in ["acme.example", "buy @acme.example"] {
        let cmd = with_register(|c| c.email = Some(bad.into()));
        given_nothing(C)
            .when(cmd)
            .then_err(DomainError::InvalidEmail { email: bad.into() });
    }
    let long = with_register(|c| c.email = Some(format!("{}@example.com", "a".repeat(250))));
    given_nothing(C).when(long).then_err(DomainError::TooLong {
        field: "email",
        max: 254,
    });
}

#[test]
fn register_blank_optional_texts_become_none() {
    let cmd = with_register(|c| {
        c.email = Some("  ".into());
        c.vat_number = Some(String::new());
    });
    let mut expected = registered();
    expected.email = None;
    expected.vat_number = None;
    given_nothing(C).when(cmd).then([expected]);
}

#[test]
fn register_rejects_negative_spending_limit_but_allows_zero() {
    let negative = with_register(|c| c.spending_limit = Some(Money(-1)));
    given_nothing(C)
        .when(negative)
        .then_err(DomainError::NegativeSpendingLimit { limit: Money(-1) });
    let zero = with_register(|c| c.spending_limit = Some(Money::ZERO));
    let mut expected = registered();
    expected.spending_limit = Some(Money::ZERO);
    given_nothing(C).when(zero).then([expected]);
}

#[test]
fn register_rejects_a_number_owned_by_another_customer() {
    given_nothing(C)
        .facts(Facts {
            number_owner: Some(id(0xC2)),
            ..Facts::default()
        })
        .when(register())
        .then_err(DomainError::DuplicateCustomerNumber {
            number: "C-001".into(),
        });
}

#[test]
fn register_accepts_a_number_owned_by_itself() {
    // A re-run of the same command (sync rebase) finds its own number in the read model.
    given_nothing(C)
        .facts(Facts {
            number_owner: Some(customer_id()),
            ..Facts::default()
        })
        .when(register())
        .then([registered()]);
}

#[test]
fn register_needs_the_trimmed_number_owner() {
    let needs = given_nothing(C).state().needs(&register());
    assert_eq!(needs.customer_number.as_deref(), Some("C-001"));
    assert_eq!(needs.customer, None);
    assert_eq!(needs.product, None);
    assert_eq!(needs.product_code, None);
}

#[test]
fn other_customer_commands_need_no_facts() {
    let state = given(C, [registered()]);
    for cmd in [
        update("Acme", None),
        Command::BlockCustomer(BlockCustomer {
            customer_id: customer_id(),
            reason: String::new(),
        }),
        Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: None,
        }),
    ] {
        assert_eq!(state.state().needs(&cmd), Default::default());
    }
}

// --- UpdateCustomer ---

#[test]
fn update_records_the_full_new_details() {
    given(C, [registered()])
        .when(Command::UpdateCustomer(UpdateCustomer {
            customer_id: customer_id(),
            kind: CustomerKind::Person,
            name: " Jan Acme ".into(),
            vat_number: None,
            email: Some("jan@acme.example".into()),
        }))
        .then([CustomerDetailsChanged {
            kind: CustomerKind::Person,
            name: "Jan Acme".into(),
            vat_number: None,
            email: Some("jan@acme.example".into()),
        }]);
}

#[test]
fn update_with_the_same_values_emits_nothing() {
    given(C, [registered()])
        .when(update("  Acme BV  ", Some(" buy@acme.example ")))
        .then_nothing();
}

#[test]
fn update_validates_name_and_email() {
    given(C, [registered()])
        .when(update(" ", None))
        .then_err(DomainError::Required { field: "name" });
    given(C, [registered()])
        .when(update("Acme", Some("nobody")))
        .then_err(DomainError::InvalidEmail {
            email: "nobody".into(),
        });
    given(C, [registered()])
        .when(update(&"x".repeat(201), None))
        .then_err(DomainError::TooLong {
            field: "name",
            max: 200,
        });
}

// --- Addresses ---

#[test]
fn add_address_trims_and_records_it() {
    let padded = Address {
        label: " Head office ".into(),
        street: " Main street 1 ".into(),
        postal_code: " 1234 AB".into(),
        city: "Amsterdam ".into(),
        country: " NL".into(),
    };
    let state = given(C, [registered()])
        .when(Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: padded,
        }))
        .then([address_added()]);
    let Aggregate::Customer(Some(c)) = state else {
        panic!("no customer")
    };
    assert_eq!(c.addresses.len(), 1);
    assert_eq!(c.addresses[0].id, addr_id());
}

#[test]
fn add_address_with_a_used_id_is_already_exists() {
    given(C, [Event::from(registered()), address_added().into()])
        .when(Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: address(),
        }))
        .then_err(DomainError::AlreadyExists {
            kind: RecordKind::Address,
            id: addr_id().0,
        });
}

#[test]
fn address_requires_street_city_and_country() {
    let blank = |f: fn(&mut Address) -> &mut String| {
        let mut a = address();
        *f(&mut a) = " \t".into();
        a
    };
    let cases = [
        (blank(|a| &mut a.street), "address.street"),
        (blank(|a| &mut a.city), "address.city"),
        (blank(|a| &mut a.country), "address.country"),
    ];
    for (a, field) in cases {
        given(C, [registered()])
            .when(Command::AddCustomerAddress(AddCustomerAddress {
                customer_id: customer_id(),
                address_id: addr_id(),
                address: a,
            }))
            .then_err(DomainError::Required { field });
    }
}

#[test]
fn address_rejects_too_long_fields_and_allows_blank_optional_ones() {
    let mut a = address();
    a.postal_code = "1".repeat(21);
    given(C, [registered()])
        .when(Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: a,
        }))
        .then_err(DomainError::TooLong {
            field: "address.postal_code",
            max: 20,
        });
    let mut a = address();
    a.label = " ".into();
    a.postal_code = String::new();
    let mut expected = address_added();
    expected.address.label = String::new();
    expected.address.postal_code = String::new();
    given(C, [registered()])
        .when(Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: a,
        }))
        .then([expected]);
}

#[test]
fn change_address_records_the_new_address() {
    let mut a = address();
    a.street = "Side street 2".into();
    let state = given(C, [Event::from(registered()), address_added().into()])
        .when(Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: a.clone(),
        }))
        .then([CustomerAddressChanged {
            address_id: addr_id(),
            address: a.clone(),
        }]);
    let Aggregate::Customer(Some(c)) = state else {
        panic!("no customer")
    };
    assert_eq!(c.addresses[0].address, a);
}

#[test]
fn change_address_to_the_same_values_emits_nothing() {
    let mut padded = address();
    padded.city = "  Amsterdam  ".into();
    given(C, [Event::from(registered()), address_added().into()])
        .when(Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: padded,
        }))
        .then_nothing();
}

#[test]
fn change_address_validates() {
    let mut a = address();
    a.street = String::new();
    given(C, [Event::from(registered()), address_added().into()])
        .when(Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: a,
        }))
        .then_err(DomainError::Required {
            field: "address.street",
        });
}

#[test]
fn remove_address() {
    let state = given(C, [Event::from(registered()), address_added().into()])
        .when(Command::RemoveCustomerAddress(RemoveCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
        }))
        .then([CustomerAddressRemoved {
            address_id: addr_id(),
        }]);
    let Aggregate::Customer(Some(c)) = state else {
        panic!("no customer")
    };
    assert!(c.addresses.is_empty());
}

#[test]
fn unknown_or_removed_address_is_not_found() {
    let removed = [
        Event::from(registered()),
        address_added().into(),
        CustomerAddressRemoved {
            address_id: addr_id(),
        }
        .into(),
    ];
    for history in [vec![Event::from(registered())], removed.to_vec()] {
        given(C, history.clone())
            .when(Command::ChangeCustomerAddress(ChangeCustomerAddress {
                customer_id: customer_id(),
                address_id: addr_id(),
                address: address(),
            }))
            .then_err(not_found(RecordKind::Address, addr_id().0));
        given(C, history)
            .when(Command::RemoveCustomerAddress(RemoveCustomerAddress {
                customer_id: customer_id(),
                address_id: addr_id(),
            }))
            .then_err(not_found(RecordKind::Address, addr_id().0));
    }
}

// --- Spending limit ---

#[test]
fn set_and_clear_spending_limit() {
    given(C, [registered()])
        .when(Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: Some(Money(5_000)),
        }))
        .then([SpendingLimitChanged {
            limit: Some(Money(5_000)),
        }]);
    let state = given(C, [registered()])
        .when(Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: None,
        }))
        .then([SpendingLimitChanged { limit: None }]);
    let Aggregate::Customer(Some(c)) = state else {
        panic!("no customer")
    };
    assert_eq!(c.spending_limit, None);
}

#[test]
fn same_spending_limit_emits_nothing() {
    given(C, [registered()])
        .when(Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: Some(Money(100_000)),
        }))
        .then_nothing();
}

#[test]
fn negative_spending_limit_is_rejected() {
    given(C, [registered()])
        .when(Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: Some(Money(-100)),
        }))
        .then_err(DomainError::NegativeSpendingLimit { limit: Money(-100) });
}

// --- Blocking ---

fn block(reason: &str) -> Command {
    Command::BlockCustomer(BlockCustomer {
        customer_id: customer_id(),
        reason: reason.into(),
    })
}

fn unblock() -> Command {
    Command::UnblockCustomer(UnblockCustomer {
        customer_id: customer_id(),
    })
}

#[test]
fn block_and_unblock() {
    let state = given(C, [registered()])
        .when(block(" unpaid invoices "))
        .then([CustomerBlocked {
            reason: "unpaid invoices".into(),
        }]);
    let Aggregate::Customer(Some(c)) = &state else {
        panic!("no customer")
    };
    assert!(c.blocked);
    assert_eq!(c.block_reason.as_deref(), Some("unpaid invoices"));

    let blocked = [
        Event::from(registered()),
        CustomerBlocked {
            reason: "unpaid invoices".into(),
        }
        .into(),
    ];
    let state = given(C, blocked)
        .when(unblock())
        .then([CustomerUnblocked {}]);
    let Aggregate::Customer(Some(c)) = &state else {
        panic!("no customer")
    };
    assert!(!c.blocked);
    assert_eq!(c.block_reason, None);
}

#[test]
fn block_when_blocked_and_unblock_when_not_emit_nothing() {
    let blocked = [
        Event::from(registered()),
        CustomerBlocked { reason: "x".into() }.into(),
    ];
    given(C, blocked).when(block("again")).then_nothing();
    given(C, [registered()]).when(unblock()).then_nothing();
}

#[test]
fn block_reason_is_optional_but_bounded() {
    given(C, [registered()])
        .when(block(""))
        .then([CustomerBlocked {
            reason: String::new(),
        }]);
    given(C, [registered()])
        .when(block(&"r".repeat(501)))
        .then_err(DomainError::TooLong {
            field: "reason",
            max: 500,
        });
}

// --- Unknown customer and wrong stream ---

fn every_command_on_an_existing_customer() -> Vec<Command> {
    vec![
        update("Acme", None),
        Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: address(),
        }),
        Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: address(),
        }),
        Command::RemoveCustomerAddress(RemoveCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
        }),
        Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: customer_id(),
            limit: None,
        }),
        block("x"),
        unblock(),
    ]
}

#[test]
fn every_command_on_an_unknown_customer_is_not_found() {
    for cmd in every_command_on_an_existing_customer() {
        given_nothing(C)
            .when(cmd)
            .then_err(not_found(RecordKind::Customer, customer_id().0));
    }
}

#[test]
fn customer_commands_on_another_stream_type_are_not_found() {
    let mut commands = every_command_on_an_existing_customer();
    commands.push(register());
    for stream in [StreamType::Product, StreamType::SalesOrder] {
        for cmd in &commands {
            given_nothing(stream)
                .when(cmd.clone())
                .then_err(not_found(RecordKind::Customer, customer_id().0));
        }
    }
}

#[test]
fn other_streams_events_do_not_change_a_customer() {
    let before = Aggregate::fold(C, &[registered().into()]);
    let mut after = before.clone();
    after.apply(&ProductDiscontinued {}.into());
    after.apply(
        &OrderPlaced {
            placed_at: crate::harness::at(),
        }
        .into(),
    );
    assert_eq!(before, after);
}

#[test]
fn customer_state_survives_its_snapshot_json() {
    let state = Aggregate::fold(
        C,
        &[
            registered().into(),
            address_added().into(),
            CustomerBlocked { reason: "x".into() }.into(),
        ],
    );
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<Aggregate>(&json).unwrap(), state);
    let value = state.state_json();
    assert_eq!(value["addresses"][0]["city"], "Amsterdam");
    assert_eq!(value["addresses"][0]["id"], addr_id().0.to_string());
}

#[test]
fn names_numbers_and_addresses_refuse_characters_that_spoof_or_steer_a_terminal() {
    let with_name = |name: &str| {
        let Command::RegisterCustomer(mut c) = register() else {
            unreachable!("register() is a RegisterCustomer")
        };
        c.name = name.into();
        Command::RegisterCustomer(c)
    };
    for (name, character) in [
        ("Acme\tBV", '\t'),
        ("Acme\nBV", '\n'),
        ("Acme\u{1b}[2J", '\u{1b}'),
        ("Ac\u{200B}me", '\u{200B}'),
        ("Acme \u{202E}VB", '\u{202E}'),
    ] {
        given_nothing(C)
            .when(with_name(name))
            .then_err(DomainError::InvalidCharacter {
                field: "name",
                character,
            });
    }
    // Letters of every script are fine.
    given_nothing(C)
        .when(with_name("Brouwerij 't IJ · 東京商事 · שלום"))
        .then([CustomerRegistered {
            name: "Brouwerij 't IJ · 東京商事 · שלום".into(),
            ..registered()
        }]);
    let Command::RegisterCustomer(mut c) = register() else {
        unreachable!("register() is a RegisterCustomer")
    };
    c.number = "C-\u{2060}001".into();
    given_nothing(C)
        .when(Command::RegisterCustomer(c))
        .then_err(DomainError::InvalidCharacter {
            field: "number",
            character: '\u{2060}',
        });
    given(C, [registered()])
        .when(Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer_id(),
            address_id: addr_id(),
            address: Address {
                city: "Amster\u{7f}dam".into(),
                ..address()
            },
        }))
        .then_err(DomainError::InvalidCharacter {
            field: "address.city",
            character: '\u{7f}',
        });
    // A reason is free text: a line break is fine, a bell is not.
    given(C, [registered()])
        .when(Command::BlockCustomer(BlockCustomer {
            customer_id: customer_id(),
            reason: "unpaid\nsince March".into(),
        }))
        .then([CustomerBlocked {
            reason: "unpaid\nsince March".into(),
        }]);
    given(C, [registered()])
        .when(Command::BlockCustomer(BlockCustomer {
            customer_id: customer_id(),
            reason: "unpaid\u{7}".into(),
        }))
        .then_err(DomainError::InvalidCharacter {
            field: "reason",
            character: '\u{7}',
        });
}
