//! A draft as a whole: given to another customer (who must exist and not be blocked;
//! the delivery address becomes the new customer's first address, or none) and
//! discarded (only a draft, a refused held order included; final: every later command
//! is refused with `OrderDiscarded`).

use daybook_domain::event::*;
use daybook_domain::{
    AddressId, Aggregate, CancelOrder, ChangeOrderCustomer, Command, Currency, CustomerId,
    DiscardOrder, DomainError, FactNeeds, HoldReason, Money, OrderId, OrderStatus, PlaceOrder,
    RecordKind, SalesOrder, SetDeliveryAddress, SetOrderDetails, StreamType, VatClass,
};
use daybook_testkit::{add_order_line, change_order_line};

use crate::harness::{
    at, customer_facts, customer_id, given, id, product_facts, product_id, with_customer,
    with_product,
};

const O: StreamType = StreamType::SalesOrder;

fn order_id() -> OrderId {
    id(0x01)
}
fn other() -> CustomerId {
    id(0xC2)
}
fn created() -> Event {
    OrderCreated {
        number: "SO-1".into(),
        customer_id: customer_id(),
        currency: Currency::EUR,
        created_at: at(),
    }
    .into()
}
fn line_added() -> Event {
    OrderLineAdded {
        line_id: id(0x11),
        product_id: product_id(),
        code: "P-100".into(),
        description: "Widget".into(),
        quantity: 2,
        unit_price: Money(1250),
        discount_bp: 0,
        vat_class: VatClass::Standard,
        vat_rate_bp: 2100,
    }
    .into()
}
fn address_set(a: AddressId) -> Event {
    DeliveryAddressSet { address_id: a }.into()
}
fn held() -> Event {
    OrderHeld {
        reason: HoldReason::SpendingLimit,
        order_total: Money(3025),
        limit: Money(100),
        open_total: Money::ZERO,
        held_at: at(),
    }
    .into()
}
fn refused() -> Event {
    HeldOrderRefused {
        reason: "over the limit".into(),
        refused_at: at(),
    }
    .into()
}
fn discarded() -> OrderDiscarded {
    OrderDiscarded { discarded_at: at() }
}

fn change_to(c: CustomerId) -> Command {
    ChangeOrderCustomer {
        order_id: order_id(),
        customer_id: c,
    }
    .into()
}
fn discard() -> Command {
    DiscardOrder {
        order_id: order_id(),
    }
    .into()
}
/// Facts of the other customer, changed by `f`.
fn other_customer(f: impl FnOnce(&mut daybook_domain::CustomerFacts)) -> daybook_domain::Facts {
    let mut c = customer_facts();
    c.id = other();
    f(&mut c);
    with_customer(c)
}
fn usd() -> Currency {
    Currency::parse("USD").expect("a currency")
}
fn order(state: &Aggregate) -> &SalesOrder {
    match state {
        Aggregate::SalesOrder(Some(o)) => o,
        other => panic!("no order: {other:?}"),
    }
}

// --- ChangeOrderCustomer ---

#[test]
fn a_drafts_customer_changes_and_the_first_address_becomes_the_delivery_address() {
    let state = given(O, [created(), line_added(), address_set(id(0xA1))])
        .facts(other_customer(|c| c.address_ids = vec![id(0xA7), id(0xA8)]))
        .when(change_to(other()))
        .then([OrderCustomerChanged {
            customer_id: other(),
            currency: Currency::EUR,
            delivery_address_id: Some(id(0xA7)),
        }]);
    let o = order(&state);
    assert_eq!(o.customer_id, other());
    assert_eq!(o.delivery_address_id, Some(id(0xA7)));
    assert_eq!(o.lines.len(), 1, "lines stay");
}

#[test]
fn a_new_customer_without_addresses_leaves_no_delivery_address() {
    let state = given(O, [created(), address_set(id(0xA1))])
        .facts(other_customer(|_| {}))
        .when(change_to(other()))
        .then([OrderCustomerChanged {
            customer_id: other(),
            currency: Currency::EUR,
            delivery_address_id: None,
        }]);
    assert_eq!(order(&state).delivery_address_id, None);
}

#[test]
fn the_customer_the_draft_has_changes_nothing() {
    given(O, [created()])
        .facts(with_customer(customer_facts()))
        .when(change_to(customer_id()))
        .then_nothing();
}

#[test]
fn an_unknown_customer_is_refused() {
    given(O, [created()])
        .facts(with_customer(customer_facts()))
        .when(change_to(other()))
        .then_err(DomainError::NotFound {
            kind: RecordKind::Customer,
            id: other().0,
        });
}

#[test]
fn a_blocked_customer_is_refused() {
    given(O, [created()])
        .facts(other_customer(|c| c.blocked = true))
        .when(change_to(other()))
        .then_err(DomainError::CustomerBlocked);
}

#[test]
fn an_empty_draft_takes_the_new_customers_currency_one_with_lines_cannot() {
    let usd_customer = || other_customer(|c| c.currency = usd());
    let state = given(O, [created()])
        .facts(usd_customer())
        .when(change_to(other()))
        .then([OrderCustomerChanged {
            customer_id: other(),
            currency: usd(),
            delivery_address_id: None,
        }]);
    assert_eq!(order(&state).currency, usd());
    given(O, [created(), line_added()])
        .facts(usd_customer())
        .when(change_to(other()))
        .then_err(DomainError::CurrencyMismatch {
            order: Currency::EUR,
            customer: usd(),
        });
}

#[test]
fn only_a_drafts_customer_changes() {
    let placed = OrderPlaced { placed_at: at() }.into();
    for (history, status) in [
        (vec![created(), line_added(), held()], OrderStatus::Held),
        (vec![created(), line_added(), placed], OrderStatus::Placed),
    ] {
        given(O, history)
            .facts(other_customer(|_| {}))
            .when(change_to(other()))
            .then_err(DomainError::OrderNotDraft { status });
    }
}

#[test]
fn changing_the_customer_needs_the_new_customers_facts() {
    let state = given(O, [created()]);
    let cmd = change_to(other());
    assert_eq!(
        state.state().needs(&cmd),
        FactNeeds {
            customer: Some(other()),
            ..FactNeeds::default()
        }
    );
}

// --- DiscardOrder ---

#[test]
fn a_draft_is_discarded() {
    let state = given(O, [created(), line_added()])
        .when(discard())
        .then([discarded()]);
    assert_eq!(order(&state).status, OrderStatus::Discarded);
}

#[test]
fn a_held_order_refused_back_to_draft_was_never_placed_and_is_discarded() {
    given(O, [created(), line_added(), held(), refused()])
        .when(discard())
        .then([discarded()]);
}

#[test]
fn only_a_draft_is_discarded() {
    let placed: Event = OrderPlaced { placed_at: at() }.into();
    let cancelled: Event = OrderCancelled {
        reason: String::new(),
        cancelled_at: at(),
    }
    .into();
    for (history, status) in [
        (vec![created(), line_added(), held()], OrderStatus::Held),
        (vec![created(), line_added(), placed], OrderStatus::Placed),
        (vec![created(), cancelled], OrderStatus::Cancelled),
    ] {
        given(O, history)
            .when(discard())
            .then_err(DomainError::OrderNotDraft { status });
    }
}

#[test]
fn a_discarded_order_refuses_every_command() {
    let o = order_id();
    let history = || vec![created(), line_added(), discarded().into()];
    let commands: Vec<(Command, daybook_domain::Facts)> = vec![
        (discard(), Default::default()),
        (change_to(other()), other_customer(|_| {})),
        (
            add_order_line(o, id(0x12), product_id(), 1).into(),
            with_product(product_facts()),
        ),
        (
            change_order_line(o, id(0x11), 3, Money(1000)).into(),
            Default::default(),
        ),
        (
            SetDeliveryAddress {
                order_id: o,
                address_id: id(0xA1),
            }
            .into(),
            Default::default(),
        ),
        (
            SetOrderDetails {
                order_id: o,
                customer_reference: Some("PO-1".into()),
                notes: None,
                seen: None,
            }
            .into(),
            Default::default(),
        ),
        (
            PlaceOrder { order_id: o }.into(),
            with_customer(customer_facts()),
        ),
        (
            CancelOrder {
                order_id: o,
                reason: String::new(),
            }
            .into(),
            Default::default(),
        ),
    ];
    for (cmd, facts) in commands {
        given(O, history())
            .facts(facts)
            .when(cmd)
            .then_err(DomainError::OrderDiscarded);
    }
}

#[test]
fn discarding_an_unknown_order_is_not_found() {
    given::<Event>(O, [])
        .when(discard())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Order,
            id: order_id().0,
        });
}
