//! Product rules: registration, updates, discontinuing.

use daybook_domain::event::*;
use daybook_domain::{
    Aggregate, Command, DomainError, Facts, Money, ProductId, RecordKind, StreamType, VatClass,
};
use daybook_domain::{DiscontinueProduct, ReinstateProduct, UpdateProduct};
use daybook_testkit::{register_product, update_product};

use crate::harness::{given, given_nothing, id, product_id};

const P: StreamType = StreamType::Product;

fn register(code: &str, description: &str, price: i64) -> Command {
    register_product(product_id(), code, description, Money(price)).into()
}

fn registered() -> ProductRegistered {
    ProductRegistered {
        code: "P-100".into(),
        description: "Widget".into(),
        unit_price: Money(1250),
        vat_class: VatClass::Standard,
    }
}

fn update(description: &str, price: i64, vat_class: VatClass) -> Command {
    Command::UpdateProduct(UpdateProduct {
        vat_class,
        ..update_product(product_id(), description, Money(price))
    })
}

fn discontinued() -> [Event; 2] {
    [registered().into(), ProductDiscontinued {}.into()]
}

// --- RegisterProduct ---

#[test]
fn register_trims_and_records() {
    let state = given_nothing(P)
        .when(register(" P-100 ", " Widget ", 1250))
        .then([registered()]);
    let Aggregate::Product(Some(p)) = state else {
        panic!("no product")
    };
    assert!(!p.discontinued);
}

#[test]
fn register_twice_is_already_exists() {
    given(P, [registered()])
        .when(register("P-100", "Widget", 1250))
        .then_err(DomainError::AlreadyExists {
            kind: RecordKind::Product,
            id: product_id().0,
        });
}

#[test]
fn register_requires_code_and_description() {
    given_nothing(P)
        .when(register(" ", "Widget", 1))
        .then_err(DomainError::Required { field: "code" });
    given_nothing(P)
        .when(register("P", "", 1))
        .then_err(DomainError::Required {
            field: "description",
        });
}

#[test]
fn register_rejects_too_long_code_and_description() {
    given_nothing(P)
        .when(register(&"C".repeat(33), "Widget", 1))
        .then_err(DomainError::TooLong {
            field: "code",
            max: 32,
        });
    given_nothing(P)
        .when(register("P", &"d".repeat(501), 1))
        .then_err(DomainError::TooLong {
            field: "description",
            max: 500,
        });
}

#[test]
fn price_may_be_zero_but_not_negative_or_huge() {
    let mut free = registered();
    free.unit_price = Money::ZERO;
    given_nothing(P)
        .when(register("P-100", "Widget", 0))
        .then([free]);
    given_nothing(P)
        .when(register("P-100", "Widget", -1))
        .then_err(DomainError::NegativePrice { price: Money(-1) });
    let max = daybook_domain::money::MAX_UNIT_PRICE;
    let mut dearest = registered();
    dearest.unit_price = Money(max);
    given_nothing(P)
        .when(register("P-100", "Widget", max))
        .then([dearest]);
    given_nothing(P)
        .when(register("P-100", "Widget", max + 1))
        .then_err(DomainError::PriceTooLarge {
            price: Money(max + 1),
        });
}

#[test]
fn register_rejects_a_code_owned_by_another_product() {
    let other: ProductId = id(0xB2);
    given_nothing(P)
        .facts(Facts {
            code_owner: Some(other),
            ..Facts::default()
        })
        .when(register(" P-100 ", "Widget", 1250))
        .then_err(DomainError::DuplicateProductCode {
            code: "P-100".into(),
        });
}

#[test]
fn register_accepts_a_code_owned_by_itself() {
    given_nothing(P)
        .facts(Facts {
            code_owner: Some(product_id()),
            ..Facts::default()
        })
        .when(register("P-100", "Widget", 1250))
        .then([registered()]);
}

#[test]
fn register_needs_the_trimmed_code_owner_and_nothing_else() {
    let g = given_nothing(P);
    let needs = g.state().needs(&register(" P-100 ", "Widget", 1));
    assert_eq!(needs.product_code.as_deref(), Some("P-100"));
    assert_eq!(needs.customer_number, None);
    assert_eq!(needs.customer, None);
    assert_eq!(needs.product, None);
    let g = given(P, [registered()]);
    for cmd in [
        update("Widget", 1, VatClass::Zero),
        Command::DiscontinueProduct(DiscontinueProduct {
            product_id: product_id(),
        }),
    ] {
        assert_eq!(g.state().needs(&cmd), Default::default());
    }
}

// --- UpdateProduct ---

#[test]
fn update_records_only_what_changed() {
    given(P, [registered()])
        .when(update("Widget", 1300, VatClass::Standard))
        .then([ProductPriceChanged {
            unit_price: Money(1300),
        }]);
    given(P, [registered()])
        .when(update(" Blue widget ", 1250, VatClass::Standard))
        .then([ProductDescriptionChanged {
            description: "Blue widget".into(),
        }]);
    given(P, [registered()])
        .when(update("Widget", 1250, VatClass::Reduced))
        .then([ProductVatClassChanged {
            vat_class: VatClass::Reduced,
        }]);
}

#[test]
fn update_of_everything_emits_three_events_in_a_fixed_order() {
    let state = given(P, [registered()])
        .when(update("Gadget", 99, VatClass::Zero))
        .then([
            Event::from(ProductDescriptionChanged {
                description: "Gadget".into(),
            }),
            ProductPriceChanged {
                unit_price: Money(99),
            }
            .into(),
            ProductVatClassChanged {
                vat_class: VatClass::Zero,
            }
            .into(),
        ]);
    let Aggregate::Product(Some(p)) = state else {
        panic!("no product")
    };
    assert_eq!(
        (p.description.as_str(), p.unit_price, p.vat_class),
        ("Gadget", Money(99), VatClass::Zero)
    );
}

#[test]
fn update_with_the_same_values_emits_nothing() {
    given(P, [registered()])
        .when(update(" Widget ", 1250, VatClass::Standard))
        .then_nothing();
}

#[test]
fn update_validates() {
    given(P, [registered()])
        .when(update("", 1, VatClass::Zero))
        .then_err(DomainError::Required {
            field: "description",
        });
    given(P, [registered()])
        .when(update("Widget", -5, VatClass::Zero))
        .then_err(DomainError::NegativePrice { price: Money(-5) });
}

// --- Discontinue / reinstate ---

#[test]
fn discontinue_and_reinstate() {
    let state = given(P, [registered()])
        .when(Command::DiscontinueProduct(DiscontinueProduct {
            product_id: product_id(),
        }))
        .then([ProductDiscontinued {}]);
    assert!(matches!(state, Aggregate::Product(Some(p)) if p.discontinued));
    let state = given(P, discontinued())
        .when(Command::ReinstateProduct(ReinstateProduct {
            product_id: product_id(),
        }))
        .then([ProductReinstated {}]);
    assert!(matches!(state, Aggregate::Product(Some(p)) if !p.discontinued));
}

#[test]
fn discontinue_twice_and_reinstate_an_offered_product_emit_nothing() {
    given(P, discontinued())
        .when(Command::DiscontinueProduct(DiscontinueProduct {
            product_id: product_id(),
        }))
        .then_nothing();
    given(P, [registered()])
        .when(Command::ReinstateProduct(ReinstateProduct {
            product_id: product_id(),
        }))
        .then_nothing();
}

#[test]
fn a_discontinued_product_can_be_reinstated_not_changed() {
    given(P, discontinued())
        .when(update("Widget", 1300, VatClass::Standard))
        .then_err(DomainError::ProductDiscontinued {
            code: "P-100".into(),
        });
    // The same values again change nothing, so they are no change to refuse.
    given(P, discontinued())
        .when(update("Widget", 1250, VatClass::Standard))
        .then_nothing();
}

// --- Unknown product and wrong stream ---

fn every_command_on_an_existing_product() -> Vec<Command> {
    vec![
        update("Widget", 1, VatClass::Zero),
        Command::DiscontinueProduct(DiscontinueProduct {
            product_id: product_id(),
        }),
        Command::ReinstateProduct(ReinstateProduct {
            product_id: product_id(),
        }),
    ]
}

#[test]
fn every_command_on_an_unknown_product_is_not_found() {
    for cmd in every_command_on_an_existing_product() {
        given_nothing(P).when(cmd).then_err(DomainError::NotFound {
            kind: RecordKind::Product,
            id: product_id().0,
        });
    }
}

#[test]
fn product_commands_on_another_stream_type_are_not_found() {
    let mut commands = every_command_on_an_existing_product();
    commands.push(register("P-100", "Widget", 1));
    for stream in [StreamType::Customer, StreamType::SalesOrder] {
        for cmd in &commands {
            given_nothing(stream)
                .when(cmd.clone())
                .then_err(DomainError::NotFound {
                    kind: RecordKind::Product,
                    id: product_id().0,
                });
        }
    }
}

#[test]
fn codes_and_descriptions_refuse_invisible_and_control_characters() {
    given_nothing(P)
        .when(register("P-\u{200D}100", "Chair", 100))
        .then_err(DomainError::InvalidCharacter {
            field: "code",
            character: '\u{200D}',
        });
    given_nothing(P)
        .when(register("P-100", "Ch\rair", 100))
        .then_err(DomainError::InvalidCharacter {
            field: "description",
            character: '\r',
        });
}
