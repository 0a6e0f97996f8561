//! Lost updates: a change carries the values its user saw; what a colleague changed
//! since is kept where the user left it alone, and refused where both changed it.

use daybook_domain::event::*;
use daybook_domain::{
    ChangeOrderLine, Command, Currency, DetailsValues, DomainError, GuardedField, LineId,
    LineValues, Money, OrderId, SetOrderDetails, StreamType, VatClass,
};

use crate::harness::{at, customer_id, given, id, product_id};

const O: StreamType = StreamType::SalesOrder;

fn order_id() -> OrderId {
    id(0x01)
}
fn line_id() -> LineId {
    id(0x11)
}

/// A draft whose one line a colleague changed: it was 2 x 12.50, no discount (what
/// this user saw); it is now 5 x 12.50, 10 % off.
fn changed_by_a_colleague() -> Vec<Event> {
    vec![
        OrderCreated {
            number: "SO-1".into(),
            customer_id: customer_id(),
            currency: Currency::EUR,
            created_at: at(),
        }
        .into(),
        OrderLineAdded {
            line_id: line_id(),
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
        OrderLineChanged {
            line_id: line_id(),
            quantity: 5,
            unit_price: Money(1250),
            discount_bp: 1000,
        }
        .into(),
        OrderDetailsChanged {
            customer_reference: Some("PO-COLLEAGUE".into()),
            notes: None,
        }
        .into(),
    ]
}

const SEEN: LineValues = LineValues {
    quantity: 2,
    unit_price: Money(1250),
    discount_bp: 0,
};

fn change(quantity: i64, unit_price: i64, discount_bp: i64, seen: Option<LineValues>) -> Command {
    Command::ChangeOrderLine(ChangeOrderLine {
        order_id: order_id(),
        line_id: line_id(),
        quantity,
        unit_price: Money(unit_price),
        discount_bp,
        seen,
    })
}

#[test]
fn a_quantity_both_changed_is_refused_with_both_values() {
    given(O, changed_by_a_colleague())
        .when(change(3, 1250, 0, Some(SEEN)))
        .then_err(DomainError::ChangedMeanwhile {
            field: GuardedField::Quantity,
            seen: "2".into(),
            current: "5".into(),
            yours: "3".into(),
        });
}

#[test]
fn a_value_the_user_left_alone_keeps_the_colleagues_change() {
    // The user changed only the price; the colleague's quantity and discount stand.
    given(O, changed_by_a_colleague())
        .when(change(2, 1100, 0, Some(SEEN)))
        .then([OrderLineChanged {
            line_id: line_id(),
            quantity: 5,
            unit_price: Money(1100),
            discount_bp: 1000,
        }]);
}

#[test]
fn both_changing_to_the_same_value_is_no_conflict() {
    given(O, changed_by_a_colleague())
        .when(change(5, 1250, 1000, Some(SEEN)))
        .then_nothing();
}

#[test]
fn price_and_discount_conflicts_read_as_money_and_percentages() {
    given(O, changed_by_a_colleague())
        .when(change(2, 1250, 500, Some(SEEN)))
        .then_err(DomainError::ChangedMeanwhile {
            field: GuardedField::Discount,
            seen: "0%".into(),
            current: "10%".into(),
            yours: "5%".into(),
        });
    let mut history = changed_by_a_colleague();
    history.push(
        OrderLineChanged {
            line_id: line_id(),
            quantity: 5,
            unit_price: Money(1300),
            discount_bp: 1000,
        }
        .into(),
    );
    given(O, history)
        .when(change(2, 1400, 0, Some(SEEN)))
        .then_err(DomainError::ChangedMeanwhile {
            field: GuardedField::UnitPrice,
            seen: "EUR 12.50".into(),
            current: "EUR 13.00".into(),
            yours: "EUR 14.00".into(),
        });
}

#[test]
fn a_change_without_what_it_saw_still_overwrites() {
    // Commands from builds before the guard carry no `seen`: last writer wins, as then.
    given(O, changed_by_a_colleague())
        .when(change(3, 1250, 0, None))
        .then([OrderLineChanged {
            line_id: line_id(),
            quantity: 3,
            unit_price: Money(1250),
            discount_bp: 0,
        }]);
}

#[test]
fn a_seen_value_out_of_range_is_still_refused_for_the_new_value_first() {
    given(O, changed_by_a_colleague())
        .when(change(0, 1250, 0, Some(SEEN)))
        .then_err(DomainError::InvalidQuantity { quantity: 0 });
}

fn details(reference: Option<&str>, notes: Option<&str>, seen: DetailsValues) -> Command {
    Command::SetOrderDetails(SetOrderDetails {
        order_id: order_id(),
        customer_reference: reference.map(Into::into),
        notes: notes.map(Into::into),
        seen: Some(seen),
    })
}

#[test]
fn a_reference_both_changed_is_refused_and_notes_alone_merge() {
    let seen = DetailsValues {
        customer_reference: None,
        notes: None,
    };
    given(O, changed_by_a_colleague())
        .when(details(Some("PO-MINE"), None, seen.clone()))
        .then_err(DomainError::ChangedMeanwhile {
            field: GuardedField::CustomerReference,
            seen: "empty".into(),
            current: "\"PO-COLLEAGUE\"".into(),
            yours: "\"PO-MINE\"".into(),
        });
    // Only the notes were changed by this user: the colleague's reference stays.
    given(O, changed_by_a_colleague())
        .when(details(None, Some("ring twice"), seen))
        .then([OrderDetailsChanged {
            customer_reference: Some("PO-COLLEAGUE".into()),
            notes: Some("ring twice".into()),
        }]);
}

#[test]
fn a_long_text_in_the_refusal_is_cut() {
    let seen = DetailsValues {
        customer_reference: Some("PO-OLD".into()),
        notes: None,
    };
    let long = "x".repeat(90);
    given(O, changed_by_a_colleague())
        .when(details(Some(&long), None, seen))
        .then_err(DomainError::ChangedMeanwhile {
            field: GuardedField::CustomerReference,
            seen: "\"PO-OLD\"".into(),
            current: "\"PO-COLLEAGUE\"".into(),
            yours: format!("\"{}…\"", "x".repeat(40)),
        });
}
