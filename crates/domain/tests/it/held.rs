//! Held orders: placing over the spending limit holds the order (see `order.rs`); a
//! manager releases it (placed, counting from then on) or refuses it (draft again).
//! Every refusal changes nothing.

use daybook_domain::event::*;
use daybook_domain::money::MAX_RUNNING_TOTAL;
use daybook_domain::{
    Aggregate, Command, Currency, CustomerFacts, DomainError, FactNeeds, Facts, HoldReason, Money,
    OrderId, OrderStatus, RecordKind, SalesOrder, StreamType, TotalScope, VatClass,
};
use daybook_domain::{
    CancelOrder, DeliverOrder, InvoiceOrder, PlaceOrder, RefuseHeldOrder, ReleaseOrder,
    SetDeliveryAddress,
};

use crate::harness::{at, customer_facts, customer_id, given, id, product_id, with_customer};

const O: StreamType = StreamType::SalesOrder;

fn order_id() -> OrderId {
    id(0x01)
}

/// 2 x 12.50 at 21%: 30.25 gross.
const GROSS: Money = Money(3025);
const LIMIT: Money = Money(10_000);
const OPEN: Money = Money(9_000);

fn draft() -> Vec<Event> {
    vec![
        OrderCreated {
            number: "SO-1".into(),
            customer_id: customer_id(),
            currency: Currency::EUR,
            created_at: at(),
        }
        .into(),
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
        .into(),
    ]
}

fn held_event() -> OrderHeld {
    OrderHeld {
        reason: HoldReason::SpendingLimit,
        order_total: GROSS,
        limit: LIMIT,
        open_total: OPEN,
        held_at: at(),
    }
}

/// The draft, held.
fn held() -> Vec<Event> {
    let mut h = draft();
    h.push(held_event().into());
    h
}

fn with(events: Vec<Event>, more: impl IntoIterator<Item = Event>) -> Vec<Event> {
    events.into_iter().chain(more).collect()
}

/// The order in every status but held.
fn not_held() -> Vec<(OrderStatus, Vec<Event>)> {
    let placed: Event = OrderPlaced { placed_at: at() }.into();
    let delivered: Event = OrderDelivered {
        delivery_id: id(0xD1),
        delivered_at: at(),
    }
    .into();
    let invoiced: Event = OrderInvoiced {
        invoice_id: id(0xE1),
        invoice_number: None,
        invoiced_at: at(),
    }
    .into();
    let cancelled: Event = OrderCancelled {
        reason: String::new(),
        cancelled_at: at(),
    }
    .into();
    vec![
        (OrderStatus::Draft, draft()),
        (OrderStatus::Placed, with(draft(), [placed.clone()])),
        (
            OrderStatus::Delivered,
            with(draft(), [placed.clone(), delivered.clone()]),
        ),
        (
            OrderStatus::Invoiced,
            with(draft(), [placed, delivered, invoiced]),
        ),
        (OrderStatus::Cancelled, with(draft(), [cancelled])),
    ]
}

fn release() -> Command {
    Command::ReleaseOrder(ReleaseOrder {
        order_id: order_id(),
    })
}

fn refuse(reason: &str) -> Command {
    Command::RefuseHeldOrder(RefuseHeldOrder {
        order_id: order_id(),
        reason: reason.into(),
    })
}

fn place() -> Command {
    Command::PlaceOrder(PlaceOrder {
        order_id: order_id(),
    })
}

/// The customer, limited to [`LIMIT`] with [`OPEN`] open: the order does not fit.
fn over_limit() -> Facts {
    customer(|_| {})
}

fn customer(f: impl FnOnce(&mut CustomerFacts)) -> Facts {
    let mut c = customer_facts();
    c.spending_limit = Some(LIMIT);
    c.open_total = OPEN;
    f(&mut c);
    with_customer(c)
}

fn order(state: &Aggregate) -> &SalesOrder {
    match state {
        Aggregate::SalesOrder(Some(o)) => o,
        other => panic!("no order: {other:?}"),
    }
}

// --- Hold ---

#[test]
fn placing_over_the_limit_holds_with_the_amounts_the_decision_saw() {
    let state = given(O, draft())
        .facts(over_limit())
        .when(place())
        .then([held_event()]);
    assert_eq!(order(&state).status, OrderStatus::Held);
}

#[test]
fn a_blocked_customer_is_refused_not_held() {
    given(O, draft())
        .facts(customer(|c| c.blocked = true))
        .when(place())
        .then_err(DomainError::CustomerBlocked);
}

#[test]
fn a_held_order_can_change_its_delivery_address_and_be_cancelled_but_not_delivered_or_invoiced() {
    given(O, held())
        .facts(customer(|c| c.address_ids = vec![id(0xA1)]))
        .when(Command::SetDeliveryAddress(SetDeliveryAddress {
            order_id: order_id(),
            address_id: id(0xA1),
        }))
        .then([DeliveryAddressSet {
            address_id: id(0xA1),
        }]);
    let state = given(O, held())
        .when(Command::CancelOrder(CancelOrder {
            order_id: order_id(),
            reason: "too much".into(),
        }))
        .then([OrderCancelled {
            reason: "too much".into(),
            cancelled_at: at(),
        }]);
    assert_eq!(order(&state).placed_at, None);
    given(O, held())
        .when(Command::DeliverOrder(DeliverOrder {
            order_id: order_id(),
            delivery_id: id(0xD1),
        }))
        .then_err(DomainError::NotPlaced {
            status: OrderStatus::Held,
        });
    given(O, held())
        .when(Command::InvoiceOrder(InvoiceOrder {
            order_id: order_id(),
            invoice_id: id(0xE1),
        }))
        .then_err(DomainError::NotDelivered {
            status: OrderStatus::Held,
        });
}

// --- Release ---

#[test]
fn releasing_places_the_order_at_the_release_time() {
    let state = given(O, held())
        .facts(customer(|c| c.open_total = Money::ZERO))
        .when(release())
        .then([OrderReleased {
            open_total: Money::ZERO,
            released_at: at(),
        }]);
    assert_eq!(order(&state).status, OrderStatus::Placed);
    assert_eq!(order(&state).placed_at, Some(at()));
}

/// The release is the manager's decision to let the customer past the limit.
#[test]
fn releasing_is_allowed_while_the_limit_is_still_exceeded() {
    given(O, held())
        .facts(over_limit())
        .when(release())
        .then([OrderReleased {
            open_total: OPEN,
            released_at: at(),
        }]);
}

#[test]
fn only_a_held_order_can_be_released() {
    for (status, events) in not_held() {
        given(O, events)
            .facts(over_limit())
            .when(release())
            .then_err(DomainError::NotHeld { status });
    }
}

#[test]
fn a_customer_blocked_meanwhile_stops_the_release() {
    given(O, held())
        .facts(customer(|c| c.blocked = true))
        .when(release())
        .then_err(DomainError::CustomerBlocked);
}

#[test]
fn a_customer_whose_currency_changed_stops_the_release() {
    let gbp = Currency::parse("GBP").expect("valid code");
    given(O, held())
        .facts(customer(|c| c.currency = gbp))
        .when(release())
        .then_err(DomainError::CurrencyMismatch {
            order: Currency::EUR,
            customer: gbp,
        });
}

#[test]
fn the_running_caps_still_hold_at_release() {
    given(O, held())
        .facts(customer(|c| c.open_total = MAX_RUNNING_TOTAL))
        .when(release())
        .then_err(DomainError::TotalTooLarge {
            scope: TotalScope::CustomerOpen,
            currency: Currency::EUR,
            max: MAX_RUNNING_TOTAL,
        });
    given(O, held())
        .facts(Facts {
            day_total: MAX_RUNNING_TOTAL,
            ..over_limit()
        })
        .when(release())
        .then_err(DomainError::TotalTooLarge {
            scope: TotalScope::Day,
            currency: Currency::EUR,
            max: MAX_RUNNING_TOTAL,
        });
}

#[test]
fn releasing_an_unknown_order_or_without_its_customer_is_not_found() {
    given::<Event>(O, [])
        .facts(over_limit())
        .when(release())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Order,
            id: order_id().0,
        });
    given(O, held())
        .when(release())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Customer,
            id: customer_id().0,
        });
}

#[test]
fn releasing_needs_the_customer_and_the_day_total_refusing_nothing() {
    let state = Aggregate::fold(O, &held());
    assert_eq!(
        state.needs(&release()),
        FactNeeds {
            customer: Some(customer_id()),
            day_total: true,
            ..FactNeeds::default()
        }
    );
    assert_eq!(state.needs(&refuse("no")), FactNeeds::default());
}

// --- Refuse ---

#[test]
fn refusing_returns_the_order_to_draft_with_the_reason() {
    let state = given(O, held())
        .when(refuse("  pay the open invoices first "))
        .then([HeldOrderRefused {
            reason: "pay the open invoices first".into(),
            refused_at: at(),
        }]);
    assert_eq!(order(&state).status, OrderStatus::Draft);
    assert_eq!(order(&state).placed_at, None);
}

#[test]
fn a_refused_order_can_be_changed_and_placed_again() {
    let refused = with(
        held(),
        [HeldOrderRefused {
            reason: "no".into(),
            refused_at: at(),
        }
        .into()],
    );
    // Still over the limit: held again.
    given(O, refused.clone())
        .facts(over_limit())
        .when(place())
        .then([held_event()]);
    // The limit raised meanwhile: placed.
    given(O, refused)
        .facts(customer(|c| c.spending_limit = Some(Money(20_000))))
        .when(place())
        .then([OrderPlaced { placed_at: at() }]);
}

#[test]
fn refusing_needs_a_reason_of_reasonable_length() {
    given(O, held())
        .when(refuse("   "))
        .then_err(DomainError::Required { field: "reason" });
    given(O, held())
        .when(refuse(&"r".repeat(501)))
        .then_err(DomainError::TooLong {
            field: "reason",
            max: 500,
        });
}

#[test]
fn only_a_held_order_can_be_refused() {
    for (status, events) in not_held() {
        given(O, events)
            .when(refuse("no"))
            .then_err(DomainError::NotHeld { status });
    }
}
