//! The permission matrix, every command x every role: a person below the least role
//! that may give a command is refused with `RoleRequired` naming that role (and nothing
//! is decided); anyone at or above it gets the command's own decision. The table says
//! the matrix independently of `permission::required`, and must name every command.

use std::collections::BTreeSet;

use daybook_domain::event::Event;
use daybook_domain::{
    AddCustomerAddress, BlockCustomer, CancelOrder, ChangeCustomerAddress, ChangeOrderCustomer,
    CompanyId, DeliverOrder, DiscardOrder, DiscontinueProduct, InvoiceOrder, PlaceOrder,
    RefuseHeldOrder, ReinstateProduct, ReleaseOrder, RemoveCustomerAddress, RemoveOrderLine,
    SetDeliveryAddress, SetOrderDetails, SetSpendingLimit, UnblockCustomer,
};
use daybook_domain::{
    Aggregate, Command, CustomerFacts, DomainError, Facts, Money, Role, StreamType, permission,
};
use daybook_testkit::{
    TINY_PNG, add_order_line, address, change_order_line, create_order, register_customer,
    register_product, set_company_details, set_company_logo, update_customer, update_product,
};

use crate::harness::{
    at, customer_facts, customer_id, given, id, product_facts, product_id, with_customer,
    with_product,
};

use Role::{Admin, Clerk, Manager};

/// One cell row of the matrix: a command on a record with this history, the facts
/// that make it valid, and the least role that may give it.
struct Row {
    what: &'static str,
    stream: StreamType,
    history: Vec<Event>,
    facts: Facts,
    command: Command,
    least: Role,
}

/// The events `commands` produce one after the other on an empty stream.
fn history(stream: StreamType, commands: &[(Command, Facts)]) -> Vec<Event> {
    let mut state = Aggregate::new(stream);
    let mut events = Vec::new();
    for (c, f) in commands {
        let new = state.decide(c, f, at()).expect("history command is valid");
        for e in &new {
            state.apply(e);
        }
        events.extend(new);
    }
    events
}

fn customer(f: impl FnOnce(&mut CustomerFacts)) -> Facts {
    let mut c = customer_facts();
    f(&mut c);
    with_customer(c)
}

fn matrix() -> Vec<Row> {
    let c = customer_id();
    let p = product_id();
    let o = id(0x01);
    let (line, addr) = (id(0x11), id(0xA1));
    let none = Facts::default;
    let row = |what, stream, history, facts, command: Command, least| Row {
        what,
        stream,
        history,
        facts,
        command,
        least,
    };

    let registered = history(
        StreamType::Customer,
        &[(register_customer(c, "C-1", "Acme").into(), none())],
    );
    let with_address = {
        let mut h = registered.clone();
        h.extend(history_after(
            StreamType::Customer,
            &registered,
            AddCustomerAddress {
                customer_id: c,
                address_id: addr,
                address: address("Home"),
            }
            .into(),
            none(),
        ));
        h
    };
    let blocked = {
        let mut h = registered.clone();
        h.extend(history_after(
            StreamType::Customer,
            &registered,
            BlockCustomer {
                customer_id: c,
                reason: "unpaid".into(),
            }
            .into(),
            none(),
        ));
        h
    };
    let product = history(
        StreamType::Product,
        &[(
            register_product(p, "P-100", "Widget", Money(1250)).into(),
            none(),
        )],
    );
    let discontinued = {
        let mut h = product.clone();
        h.extend(history_after(
            StreamType::Product,
            &product,
            DiscontinueProduct { product_id: p }.into(),
            none(),
        ));
        h
    };
    let order_step = |cmd: Command, facts: Facts| (cmd, facts);
    let draft = vec![
        order_step(
            create_order(o, "SO-1", c).into(),
            with_customer(customer_facts()),
        ),
        order_step(
            add_order_line(o, line, p, 2).into(),
            with_product(product_facts()),
        ),
    ];
    let place = || Command::PlaceOrder(PlaceOrder { order_id: o });
    let deliver = || {
        Command::DeliverOrder(DeliverOrder {
            order_id: o,
            delivery_id: id(0xD1),
        })
    };
    let at_stage = |steps: &[(Command, Facts)]| {
        let mut all = draft.clone();
        all.extend_from_slice(steps);
        history(StreamType::SalesOrder, &all)
    };
    let cf = || with_customer(customer_facts());
    let over = || customer(|x| x.spending_limit = Some(Money::ZERO));
    let order_draft = at_stage(&[]);
    let order_held = at_stage(&[(place(), over())]);
    let order_placed = at_stage(&[(place(), cf())]);
    let order_delivered = at_stage(&[(place(), cf()), (deliver(), none())]);
    let cancel = || {
        Command::CancelOrder(CancelOrder {
            order_id: o,
            reason: String::new(),
        })
    };

    use StreamType::{Company, Customer, Product, SalesOrder};
    vec![
        row(
            "register a customer",
            Customer,
            vec![],
            none(),
            register_customer(c, "C-1", "Acme").into(),
            Clerk,
        ),
        row(
            "register a customer with a spending limit",
            Customer,
            vec![],
            none(),
            Command::RegisterCustomer(daybook_domain::RegisterCustomer {
                spending_limit: Some(Money(100)),
                ..register_customer(c, "C-1", "Acme")
            }),
            Manager,
        ),
        row(
            "update a customer",
            Customer,
            registered.clone(),
            none(),
            update_customer(c, "Acme BV").into(),
            Clerk,
        ),
        row(
            "add an address",
            Customer,
            registered.clone(),
            none(),
            AddCustomerAddress {
                customer_id: c,
                address_id: addr,
                address: address("Home"),
            }
            .into(),
            Clerk,
        ),
        row(
            "change an address",
            Customer,
            with_address.clone(),
            none(),
            ChangeCustomerAddress {
                customer_id: c,
                address_id: addr,
                address: address("Office"),
            }
            .into(),
            Clerk,
        ),
        row(
            "remove an address",
            Customer,
            with_address,
            none(),
            RemoveCustomerAddress {
                customer_id: c,
                address_id: addr,
            }
            .into(),
            Clerk,
        ),
        row(
            "set a spending limit",
            Customer,
            registered.clone(),
            none(),
            SetSpendingLimit {
                customer_id: c,
                limit: Some(Money(100)),
            }
            .into(),
            Manager,
        ),
        row(
            "block",
            Customer,
            registered,
            none(),
            BlockCustomer {
                customer_id: c,
                reason: "unpaid".into(),
            }
            .into(),
            Manager,
        ),
        row(
            "unblock",
            Customer,
            blocked,
            none(),
            UnblockCustomer { customer_id: c }.into(),
            Manager,
        ),
        row(
            "register a product",
            Product,
            vec![],
            none(),
            register_product(p, "P-100", "Widget", Money(1250)).into(),
            Manager,
        ),
        row(
            "change a product's price",
            Product,
            product.clone(),
            none(),
            update_product(p, "Widget", Money(1300)).into(),
            Manager,
        ),
        row(
            "discontinue a product",
            Product,
            product,
            none(),
            DiscontinueProduct { product_id: p }.into(),
            Manager,
        ),
        row(
            "reinstate a product",
            Product,
            discontinued,
            none(),
            ReinstateProduct { product_id: p }.into(),
            Manager,
        ),
        row(
            "create an order",
            SalesOrder,
            vec![],
            cf(),
            create_order(o, "SO-1", c).into(),
            Clerk,
        ),
        row(
            "change a draft's customer",
            SalesOrder,
            order_draft.clone(),
            customer(|f| f.id = id(0xC2)),
            ChangeOrderCustomer {
                order_id: o,
                customer_id: id(0xC2),
            }
            .into(),
            Clerk,
        ),
        row(
            "discard a draft",
            SalesOrder,
            order_draft.clone(),
            none(),
            DiscardOrder { order_id: o }.into(),
            Clerk,
        ),
        row(
            "add a line",
            SalesOrder,
            order_draft.clone(),
            with_product(product_facts()),
            add_order_line(o, id(0x12), p, 1).into(),
            Clerk,
        ),
        row(
            "change a line (price included)",
            SalesOrder,
            order_draft.clone(),
            none(),
            change_order_line(o, line, 3, Money(1000)).into(),
            Clerk,
        ),
        row(
            "remove a line",
            SalesOrder,
            order_draft.clone(),
            none(),
            RemoveOrderLine {
                order_id: o,
                line_id: line,
            }
            .into(),
            Clerk,
        ),
        row(
            "set the delivery address",
            SalesOrder,
            order_draft.clone(),
            customer(|x| x.address_ids = vec![addr]),
            SetDeliveryAddress {
                order_id: o,
                address_id: addr,
            }
            .into(),
            Clerk,
        ),
        row(
            "set the order's details",
            SalesOrder,
            order_draft.clone(),
            none(),
            SetOrderDetails {
                order_id: o,
                customer_reference: Some("PO-1".into()),
                notes: None,
                seen: None,
            }
            .into(),
            Clerk,
        ),
        row(
            "place within the limit",
            SalesOrder,
            order_draft.clone(),
            cf(),
            place(),
            Clerk,
        ),
        row(
            "place over the limit (held)",
            SalesOrder,
            order_draft.clone(),
            over(),
            place(),
            Clerk,
        ),
        row(
            "release a held order",
            SalesOrder,
            order_held.clone(),
            over(),
            ReleaseOrder { order_id: o }.into(),
            Manager,
        ),
        row(
            "refuse a held order",
            SalesOrder,
            order_held.clone(),
            none(),
            RefuseHeldOrder {
                order_id: o,
                reason: "over the limit".into(),
            }
            .into(),
            Manager,
        ),
        row(
            "cancel a draft",
            SalesOrder,
            order_draft,
            none(),
            cancel(),
            Clerk,
        ),
        row(
            "cancel a held order",
            SalesOrder,
            order_held,
            none(),
            cancel(),
            Clerk,
        ),
        row(
            "cancel a placed order",
            SalesOrder,
            order_placed.clone(),
            none(),
            cancel(),
            Clerk,
        ),
        row(
            "cancel after delivery",
            SalesOrder,
            order_delivered.clone(),
            none(),
            cancel(),
            Manager,
        ),
        row(
            "deliver",
            SalesOrder,
            order_placed,
            none(),
            deliver(),
            Clerk,
        ),
        row(
            "invoice",
            SalesOrder,
            order_delivered,
            none(),
            InvoiceOrder {
                order_id: o,
                invoice_id: id(0xE1),
            }
            .into(),
            Manager,
        ),
        row(
            "set the company's details",
            Company,
            vec![],
            none(),
            Command::SetCompanyDetails(daybook_domain::SetCompanyDetails {
                company_id: CompanyId::ACCOUNT,
                ..set_company_details("Daybook BV")
            }),
            Manager,
        ),
        row(
            "set the company's logo",
            Company,
            history(
                Company,
                &[(set_company_details("Daybook BV").into(), none())],
            ),
            none(),
            set_company_logo(Some(TINY_PNG)).into(),
            Manager,
        ),
    ]
}

/// The events `command` adds to a stream holding `before`.
fn history_after(
    stream: StreamType,
    before: &[Event],
    command: Command,
    facts: Facts,
) -> Vec<Event> {
    Aggregate::fold(stream, before)
        .decide(&command, &facts, at())
        .expect("history command is valid")
}

#[test]
fn the_matrix_names_every_command() {
    let named: BTreeSet<&str> = matrix().iter().map(|r| r.command.name()).collect();
    let all: BTreeSet<&str> = Command::NAMES.iter().copied().collect();
    assert_eq!(named, all);
}

#[test]
fn every_command_by_every_role() {
    for r in matrix() {
        let (required, action) =
            permission::required(&r.command, &Aggregate::fold(r.stream, &r.history));
        assert_eq!(required, r.least, "least role to {}", r.what);
        for role in Role::ALL {
            let when = given(r.stream, r.history.clone())
                .facts(r.facts.clone())
                .by(role)
                .when(r.command.clone());
            if role >= r.least {
                // The command's own decision: events (the rows are valid).
                let state = Aggregate::fold(r.stream, &r.history);
                let events = state
                    .decide(&r.command, &r.facts, at())
                    .unwrap_or_else(|e| panic!("{} by a {role}: {e:?}", r.what));
                assert!(!events.is_empty(), "{} changes something", r.what);
                when.then(events);
            } else {
                when.then_err(DomainError::RoleRequired {
                    role,
                    required: r.least,
                    action,
                });
            }
        }
    }
}

#[test]
fn an_admin_may_do_everything_and_a_clerk_no_managers_work() {
    let managers: Vec<&str> = matrix()
        .into_iter()
        .filter(|r| r.least == Manager)
        .map(|r| r.what)
        .collect();
    assert!(matrix().iter().all(|r| r.least <= Admin));
    assert_eq!(
        managers,
        [
            "register a customer with a spending limit",
            "set a spending limit",
            "block",
            "unblock",
            "register a product",
            "change a product's price",
            "discontinue a product",
            "reinstate a product",
            "release a held order",
            "refuse a held order",
            "cancel after delivery",
            "invoice",
            "set the company's details",
            "set the company's logo",
        ]
    );
}

#[test]
fn the_refusal_names_the_role_that_may() {
    let e = permission::allowed(
        Clerk,
        &Command::ReleaseOrder(ReleaseOrder { order_id: id(1) }),
        &Aggregate::new(StreamType::SalesOrder),
    )
    .expect_err("a clerk may not release");
    assert_eq!(
        e.to_string(),
        "a clerk may not release a held order; ask a manager or an admin"
    );
    assert_eq!(e.field(), None);
}
