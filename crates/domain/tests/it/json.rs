//! JSON shapes that cross process boundaries: commands (IPC, CLI, sync), envelopes,
//! stored event payloads, and the error codes the edges report.

use daybook_domain::event::*;
use daybook_domain::{
    AddCustomerAddress, AddOrderLine, BlockCustomer, CancelOrder, ChangeCustomerAddress,
    ChangeOrderLine, CreateOrder, DeliverOrder, DiscontinueProduct, InvoiceOrder, LineValues,
    PlaceOrder, RefuseHeldOrder, RegisterCustomer, RegisterProduct, ReinstateProduct, ReleaseOrder,
    RemoveCustomerAddress, RemoveOrderLine, SetDeliveryAddress, SetOrderDetails, SetSpendingLimit,
    UnblockCustomer, UpdateCustomer, UpdateProduct,
};
use daybook_domain::{
    Address, Command, CommandEnvelope, Currency, CustomerKind, DomainError, Money, RecordKind,
    VatClass,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{at, id};

fn one_of_every_command() -> Vec<Command> {
    let address = Address {
        label: "Home".into(),
        street: "Dorpsstraat 1".into(),
        postal_code: "1234 AB".into(),
        city: "Utrecht".into(),
        country: "NL".into(),
    };
    let (c, p, o) = (id(1), id(2), id(3));
    vec![
        Command::RegisterCustomer(RegisterCustomer {
            customer_id: c,
            number: "C-1".into(),
            kind: CustomerKind::Person,
            name: "Jan".into(),
            vat_number: None,
            email: Some("jan@example.com".into()),
            currency: Currency::parse("USD").expect("valid code"),
            spending_limit: Some(Money(10_000)),
        }),
        Command::UpdateCustomer(UpdateCustomer {
            customer_id: c,
            kind: CustomerKind::Organisation,
            name: "Jan BV".into(),
            vat_number: Some("NL1".into()),
            email: None,
        }),
        Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: c,
            address_id: id(4),
            address: address.clone(),
        }),
        Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: c,
            address_id: id(4),
            address,
        }),
        Command::RemoveCustomerAddress(RemoveCustomerAddress {
            customer_id: c,
            address_id: id(4),
        }),
        Command::SetSpendingLimit(SetSpendingLimit {
            customer_id: c,
            limit: None,
        }),
        Command::BlockCustomer(BlockCustomer {
            customer_id: c,
            reason: "unpaid".into(),
        }),
        Command::UnblockCustomer(UnblockCustomer { customer_id: c }),
        Command::RegisterProduct(RegisterProduct {
            product_id: p,
            code: "P".into(),
            description: "D".into(),
            unit_price: Money(1),
            vat_class: VatClass::Reduced,
        }),
        Command::UpdateProduct(UpdateProduct {
            product_id: p,
            description: "D2".into(),
            unit_price: Money(2),
            vat_class: VatClass::Zero,
        }),
        Command::DiscontinueProduct(DiscontinueProduct { product_id: p }),
        Command::ReinstateProduct(ReinstateProduct { product_id: p }),
        Command::CreateOrder(CreateOrder {
            order_id: o,
            number: "SO-1".into(),
            customer_id: c,
        }),
        Command::ChangeOrderCustomer(daybook_domain::ChangeOrderCustomer {
            order_id: o,
            customer_id: c,
        }),
        Command::DiscardOrder(daybook_domain::DiscardOrder { order_id: o }),
        Command::AddOrderLine(AddOrderLine {
            order_id: o,
            line_id: id(5),
            product_id: p,
            quantity: 2,
            unit_price: Some(Money(999)),
            discount_bp: 500,
            description: Some("Special".into()),
        }),
        Command::ChangeOrderLine(ChangeOrderLine {
            order_id: o,
            line_id: id(5),
            quantity: 3,
            unit_price: Money(990),
            discount_bp: 0,
            seen: Some(LineValues {
                quantity: 2,
                unit_price: Money(990),
                discount_bp: 0,
            }),
        }),
        Command::RemoveOrderLine(RemoveOrderLine {
            order_id: o,
            line_id: id(5),
        }),
        Command::SetDeliveryAddress(SetDeliveryAddress {
            order_id: o,
            address_id: id(4),
        }),
        Command::SetOrderDetails(SetOrderDetails {
            order_id: o,
            customer_reference: Some("PO".into()),
            notes: None,
            seen: None,
        }),
        Command::PlaceOrder(PlaceOrder { order_id: o }),
        Command::ReleaseOrder(ReleaseOrder { order_id: o }),
        Command::RefuseHeldOrder(RefuseHeldOrder {
            order_id: o,
            reason: "over the limit".into(),
        }),
        Command::CancelOrder(CancelOrder {
            order_id: o,
            reason: String::new(),
        }),
        Command::DeliverOrder(DeliverOrder {
            order_id: o,
            delivery_id: id(6),
        }),
        Command::InvoiceOrder(InvoiceOrder {
            order_id: o,
            invoice_id: id(7),
        }),
        daybook_testkit::set_company_details("Daybook Trading BV").into(),
        daybook_testkit::set_company_logo(Some(daybook_testkit::TINY_PNG)).into(),
    ]
}

/// Every command type's JSON form as first shipped, in `tests/fixtures/commands/`
/// (`<Type>.v1.json`): a device that is not updated keeps sending it, so it must still
/// be read as the same command. A new command type gets its fixture from this test
/// with `UPDATE_EXPECT=1` (written only where none exists; never rewritten).
#[test]
fn every_command_type_reads_its_v1_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/commands");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let commands = one_of_every_command();
    let names: std::collections::BTreeSet<&str> = commands.iter().map(Command::name).collect();
    assert_eq!(names.len(), Command::NAMES.len(), "one of every command");
    for cmd in commands {
        let path = dir.join(format!("{}.v1.json", cmd.name()));
        if update && !path.exists() {
            let text = serde_json::to_string_pretty(&cmd).unwrap() + "\n";
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECT=1 writes it)", path.display()));
        let read: Command =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(read, cmd, "{}", path.display());
    }
}

#[test]
fn every_command_round_trips_with_its_name_as_the_type_tag() {
    let commands = one_of_every_command();
    assert_eq!(commands.len(), 28);
    for cmd in commands {
        let value = serde_json::to_value(&cmd).unwrap();
        assert_eq!(value["type"], cmd.name());
        let back: Command = serde_json::from_value(value).unwrap();
        assert_eq!(back, cmd);
    }
}

#[test]
fn add_order_line_has_the_documented_shape() {
    let o = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2e";
    let l = "0190f5a4-2222-7d33-9b44-5566778899aa";
    let p = "0190f5a3-1111-7c22-8a33-445566778899";
    let text = json!({
        "type": "AddOrderLine",
        "order_id": o,
        "line_id": l,
        "product_id": p,
        "quantity": 3,
        "unit_price": 1250,
        "discount_bp": 1000,
        "description": null,
    });
    let cmd: Command = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(
        cmd,
        Command::AddOrderLine(AddOrderLine {
            order_id: Uuid::parse_str(o).unwrap().into(),
            line_id: Uuid::parse_str(l).unwrap().into(),
            product_id: Uuid::parse_str(p).unwrap().into(),
            quantity: 3,
            unit_price: Some(Money(1250)),
            discount_bp: 1000,
            description: None,
        })
    );
    assert_eq!(serde_json::to_value(&cmd).unwrap(), text);
}

#[test]
fn optional_command_fields_have_defaults() {
    let cmd: Command = serde_json::from_value(json!({
        "type": "AddOrderLine",
        "order_id": Uuid::nil(),
        "line_id": Uuid::nil(),
        "product_id": Uuid::nil(),
        "quantity": 1,
    }))
    .unwrap();
    assert!(matches!(
        cmd,
        Command::AddOrderLine(AddOrderLine {
            unit_price: None,
            discount_bp: 0,
            description: None,
            ..
        })
    ));
    let cmd: Command = serde_json::from_value(json!({
        "type": "CancelOrder",
        "order_id": Uuid::nil(),
    }))
    .unwrap();
    assert!(matches!(cmd, Command::CancelOrder(CancelOrder { reason, .. }) if reason.is_empty()));
}

#[test]
fn unknown_command_fields_are_rejected() {
    for text in [
        json!({"type": "PlaceOrder", "order_id": Uuid::nil(), "force": true}),
        json!({"type": "AddOrderLine", "order_id": Uuid::nil(), "line_id": Uuid::nil(),
               "product_id": Uuid::nil(), "quantity": 1, "discount": 10}),
        json!({"type": "AddCustomerAddress", "customer_id": Uuid::nil(), "address_id": Uuid::nil(),
               "address": {"street": "S", "city": "C", "country": "NL", "province": "UT"}}),
    ] {
        let err = serde_json::from_value::<Command>(text.clone()).unwrap_err();
        assert!(err.is_data(), "{text}: {err}");
    }
}

#[test]
fn malformed_commands_are_rejected() {
    for text in [
        json!({"type": "LaunchRocket", "order_id": Uuid::nil()}),
        json!({"order_id": Uuid::nil()}),
        json!({"type": "PlaceOrder"}),
        json!({"type": "PlaceOrder", "order_id": "not-a-uuid"}),
        json!({"type": "AddOrderLine", "order_id": Uuid::nil(), "line_id": Uuid::nil(),
               "product_id": Uuid::nil(), "quantity": 1.5}),
        json!({"type": "AddOrderLine", "order_id": Uuid::nil(), "line_id": Uuid::nil(),
               "product_id": Uuid::nil(), "quantity": 1, "unit_price": "12.50"}),
        json!({"type": "RegisterCustomer", "customer_id": Uuid::nil(), "number": "1",
               "kind": "robot", "name": "R"}),
        json!({"type": "RegisterCustomer", "customer_id": Uuid::nil(), "number": "1",
               "kind": "person", "name": "R", "currency": "EURO"}),
        json!({"type": "RegisterProduct", "product_id": Uuid::nil(), "code": "C",
               "description": "D", "unit_price": 1, "vat_class": "high"}),
    ] {
        assert!(
            serde_json::from_value::<Command>(text.clone()).is_err(),
            "{text}"
        );
    }
}

#[test]
fn envelope_round_trips_and_rejects_unknown_fields() {
    let env = CommandEnvelope {
        command_id: id::<Uuid>(9),
        issued_at: at(),
        command: Command::PlaceOrder(PlaceOrder { order_id: id(3) }),
    };
    let value = serde_json::to_value(&env).unwrap();
    assert_eq!(
        value,
        json!({
            "command_id": "00000000-0000-0000-0000-000000000009",
            "issued_at": "2024-03-01T09:30:00Z",
            "command": {"type": "PlaceOrder", "order_id": "00000000-0000-0000-0000-000000000003"},
        })
    );
    assert_eq!(
        serde_json::from_value::<CommandEnvelope>(value.clone()).unwrap(),
        env
    );
    let mut extra = value;
    extra["device"] = json!("laptop");
    assert!(serde_json::from_value::<CommandEnvelope>(extra).is_err());
}

fn sample_event() -> Event {
    OrderLineAdded {
        line_id: id(5),
        product_id: id(2),
        code: "P-100".into(),
        description: "Widget".into(),
        quantity: 3,
        unit_price: Money(1250),
        discount_bp: 1500,
        vat_class: VatClass::Standard,
        vat_rate_bp: 2100,
    }
    .into()
}

#[test]
fn an_event_round_trips_through_its_stored_payload() {
    let e = sample_event();
    let payload = e.payload_json().unwrap();
    // The payload alone carries no type tag: that is the store's event_type column.
    let value: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(value.get("type"), None);
    assert_eq!(value["discount_bp"], 1500);
    assert_eq!(value["vat_class"], "standard");
    assert_eq!(Event::from_payload(e.event_type(), &payload).unwrap(), e);
    assert_eq!(
        daybook_domain::upcast::decode(e.event_type(), e.schema_version(), &payload).unwrap(),
        e
    );
}

#[test]
fn an_event_has_a_tagged_json_form() {
    let e = sample_event();
    let value = serde_json::to_value(&e).unwrap();
    assert_eq!(value["type"], "OrderLineAdded");
    assert_eq!(value["data"]["quantity"], 3);
    assert_eq!(serde_json::from_value::<Event>(value).unwrap(), e);
}

#[test]
fn event_type_table_is_consistent() {
    let names: std::collections::BTreeSet<_> = Event::TYPES.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        names.len(),
        Event::TYPES.len(),
        "duplicate event type names"
    );
    assert_eq!(Event::TYPES.len(), 31);
    assert_eq!(Event::current_version("OrderLineAdded"), Some(2));
    assert_eq!(Event::current_version("Nope"), None);
    let e = sample_event();
    assert_eq!(
        (e.event_type(), e.schema_version(), e.stream_type()),
        ("OrderLineAdded", 2, daybook_domain::StreamType::SalesOrder)
    );
}

#[test]
fn errors_name_the_field_to_mark() {
    let cases = [
        (
            DomainError::NotFound {
                kind: RecordKind::Line,
                id: Uuid::nil(),
            },
            Some("line_id"),
        ),
        (
            DomainError::InvalidQuantity { quantity: 0 },
            Some("quantity"),
        ),
        (
            DomainError::InvalidDiscount { discount_bp: -1 },
            Some("discount_bp"),
        ),
        (
            DomainError::TooLong {
                field: "address.city",
                max: 100,
            },
            Some("address.city"),
        ),
        (
            DomainError::SpendingLimitExceeded {
                currency: Currency::EUR,
                limit: Money(1),
                open_total: Money(0),
                order_total: Money(2),
            },
            None,
        ),
        (DomainError::EmptyOrder, None),
    ];
    for (err, field) in cases {
        assert_eq!(err.field(), field, "{err}");
    }
}

#[test]
fn messages_speak_the_users_terms() {
    let cases = [
        (
            DomainError::InvalidDiscount {
                discount_bp: 15_000,
            },
            "discount must be between 0% and 100% (got 150%)",
        ),
        (
            DomainError::SpendingLimitExceeded {
                currency: Currency::EUR,
                limit: Money(100_000),
                open_total: Money(80_000),
                order_total: Money(15_000_000),
            },
            "placing this order (EUR 150,000.00) would take the customer's open orders \
             (EUR 800.00) over the spending limit of EUR 1,000.00",
        ),
        (
            DomainError::TooLong {
                field: "address.postal_code",
                max: 20,
            },
            "postal code is longer than 20 characters",
        ),
        (
            DomainError::NotFound {
                kind: RecordKind::Line,
                id: Uuid::nil(),
            },
            "there is no such order line",
        ),
        (
            DomainError::PriceTooLarge {
                price: Money(2_000_000_000_000),
            },
            "price 20,000,000,000.00 is larger than the maximum of 10,000,000,000.00",
        ),
    ];
    for (err, message) in cases {
        assert_eq!(err.to_string(), message);
    }
}
