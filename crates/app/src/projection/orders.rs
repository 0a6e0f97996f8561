//! The orders read model: `p_orders` (with totals), `p_order_lines`, and the day
//! figures of the dashboard (`p_daily`); placing (or releasing a held order),
//! cancelling and invoicing move the customer's open total. A held order counts
//! nowhere until released. A discarded draft keeps its row, left out of every list.

use chrono::{DateTime, Utc};
use daybook_domain::event::{
    DeliveryAddressSet, OrderCancelled, OrderCreated, OrderCustomerChanged, OrderDelivered,
    OrderDetailsChanged, OrderHeld, OrderInvoiced, OrderLineAdded, OrderLineChanged,
    OrderLineRemoved, OrderPlaced, OrderReleased,
};
use daybook_domain::money::line_net;
use daybook_domain::{Aggregate, SalesOrder};
use daybook_store::{RecordedEvent, StoreError, to_millis};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::At;
use crate::error::AppError;

use super::customers::add_open_total;

/// OrderCreated.
pub(super) fn created(conn: &Connection, w: At, e: &OrderCreated) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "INSERT INTO p_orders (id, number, customer_id, status, currency, created_at,
                updated_at, revision, serial)
             VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        e.number,
        e.customer_id.0,
        e.currency.as_str(),
        to_millis(e.created_at),
        at,
        rev,
        crate::query::serial_of(&e.number),
    ])?;
    conn.prepare_cached("UPDATE p_customers SET order_count = order_count + 1 WHERE id = ?1")?
        .execute([e.customer_id.0])?;
    Ok(())
}

/// OrderLineAdded.
pub(super) fn line_added(
    conn: &Connection,
    w: At,
    e: &OrderLineAdded,
    state: &Aggregate,
    deferred: bool,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    let net = line_net(e.quantity, e.unit_price, e.discount_bp)?;
    conn.prepare_cached(
        "INSERT INTO p_order_lines (order_id, line_id, position, product_id, code,
                description, quantity, unit_price, discount_bp, vat_class, vat_rate_bp, net)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        e.line_id.0,
        rev,
        e.product_id.0,
        e.code,
        e.description,
        e.quantity,
        e.unit_price.cents(),
        e.discount_bp,
        e.vat_class.as_str(),
        e.vat_rate_bp,
        net.cents()
    ])?;
    if !deferred {
        update_order_totals(conn, id, order_state(state, id)?, at, rev)?;
    }
    Ok(())
}

/// OrderLineChanged.
pub(super) fn line_changed(
    conn: &Connection,
    w: At,
    e: &OrderLineChanged,
    state: &Aggregate,
    deferred: bool,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    let net = line_net(e.quantity, e.unit_price, e.discount_bp)?;
    conn.prepare_cached(
        "UPDATE p_order_lines SET quantity = ?3, unit_price = ?4, discount_bp = ?5,
                net = ?6 WHERE order_id = ?1 AND line_id = ?2",
    )?
    .execute(params![
        id,
        e.line_id.0,
        e.quantity,
        e.unit_price.cents(),
        e.discount_bp,
        net.cents()
    ])?;
    if !deferred {
        update_order_totals(conn, id, order_state(state, id)?, at, rev)?;
    }
    Ok(())
}

/// OrderLineRemoved.
pub(super) fn line_removed(
    conn: &Connection,
    w: At,
    e: &OrderLineRemoved,
    state: &Aggregate,
    deferred: bool,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached("DELETE FROM p_order_lines WHERE order_id = ?1 AND line_id = ?2")?
        .execute(params![id, e.line_id.0])?;
    if !deferred {
        update_order_totals(conn, id, order_state(state, id)?, at, rev)?;
    }
    Ok(())
}

/// DeliveryAddressSet.
pub(super) fn delivery_address_set(
    conn: &Connection,
    w: At,
    e: &DeliveryAddressSet,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_orders SET delivery_address_id = ?2, updated_at = ?3, revision = ?4
             WHERE id = ?1",
    )?
    .execute(params![id, e.address_id.0, at, rev])?;
    Ok(())
}

/// OrderDetailsChanged.
pub(super) fn details_changed(
    conn: &Connection,
    w: At,
    e: &OrderDetailsChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_orders SET customer_reference = ?2, notes = ?3, updated_at = ?4,
                revision = ?5 WHERE id = ?1",
    )?
    .execute(params![id, e.customer_reference, e.notes, at, rev])?;
    Ok(())
}

/// OrderPlaced.
pub(super) fn placed(
    conn: &Connection,
    w: At,
    e: &OrderPlaced,
    state: &Aggregate,
) -> Result<(), AppError> {
    count_placed(conn, w, e.placed_at, state)
}

/// OrderReleased: placed from now on, as if placed at the release.
pub(super) fn released(
    conn: &Connection,
    w: At,
    e: &OrderReleased,
    state: &Aggregate,
) -> Result<(), AppError> {
    count_placed(conn, w, e.released_at, state)
}

/// The order is placed at `placed_at`: it counts towards the customer's open total and
/// that day's figures.
fn count_placed(
    conn: &Connection,
    w: At,
    placed_at: DateTime<Utc>,
    state: &Aggregate,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    let o = order_money(order_state(state, id)?);
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'placed', placed_at = ?2, updated_at = ?3,
                revision = ?4 WHERE id = ?1",
    )?
    .execute(params![id, to_millis(placed_at), at, rev])?;
    add_open_total(conn, o.customer_id, o.gross)?;
    conn.prepare_cached(
        "INSERT INTO p_daily (day, currency, orders, net, gross) VALUES (?1, ?4, 1, ?2, ?3)
             ON CONFLICT (day, currency) DO UPDATE SET orders = orders + 1,
                net = net + excluded.net, gross = gross + excluded.gross",
    )?
    .execute(params![day(placed_at), o.net, o.gross, o.currency])?;
    Ok(())
}

/// OrderHeld: waits for a manager, counted nowhere; who placed it is kept for the
/// approvals queue.
pub(super) fn held(
    conn: &Connection,
    w: At,
    e: &OrderHeld,
    r: &RecordedEvent,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'held', held_at = ?2, held_by = ?3, updated_at = ?4,
                revision = ?5 WHERE id = ?1",
    )?
    .execute(params![id, to_millis(e.held_at), r.metadata.user, at, rev])?;
    Ok(())
}

/// HeldOrderRefused: a draft again.
pub(super) fn refused(conn: &Connection, w: At) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'draft', held_at = NULL, held_by = NULL,
                updated_at = ?2, revision = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at, rev])?;
    Ok(())
}

/// OrderCustomerChanged: the draft and its count move to the new customer (a draft
/// counts in no open total).
pub(super) fn customer_changed(
    conn: &Connection,
    w: At,
    e: &OrderCustomerChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_customers SET order_count = order_count - 1
             WHERE id = (SELECT customer_id FROM p_orders WHERE id = ?1)",
    )?
    .execute([id])?;
    conn.prepare_cached(
        "UPDATE p_orders SET customer_id = ?2, currency = ?3, delivery_address_id = ?4,
                updated_at = ?5, revision = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        e.customer_id.0,
        e.currency.as_str(),
        e.delivery_address_id.map(|a| a.0),
        at,
        rev
    ])?;
    conn.prepare_cached("UPDATE p_customers SET order_count = order_count + 1 WHERE id = ?1")?
        .execute([e.customer_id.0])?;
    Ok(())
}

/// OrderDiscarded: the row stays (its number stays taken, its history named) with
/// status `discarded`, which every list, search and count leaves out.
pub(super) fn discarded(conn: &Connection, w: At) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_customers SET order_count = order_count - 1
             WHERE id = (SELECT customer_id FROM p_orders WHERE id = ?1)",
    )?
    .execute([id])?;
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'discarded', updated_at = ?2, revision = ?3
             WHERE id = ?1",
    )?
    .execute(params![id, at, rev])?;
    Ok(())
}

/// OrderCancelled.
pub(super) fn cancelled(
    conn: &Connection,
    w: At,
    e: &OrderCancelled,
    state: &Aggregate,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    let o = order_money(order_state(state, id)?);
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'cancelled', cancelled_at = ?2, updated_at = ?3,
                revision = ?4 WHERE id = ?1",
    )?
    .execute(params![id, to_millis(e.cancelled_at), at, rev])?;
    if o.was_open {
        add_open_total(conn, o.customer_id, -o.gross)?;
    }
    if let Some(placed) = o.placed_at {
        conn.prepare_cached(
            "UPDATE p_daily SET orders = orders - 1, net = net - ?2, gross = gross - ?3
                 WHERE day = ?1 AND currency = ?4",
        )?
        .execute(params![day(placed), o.net, o.gross, o.currency])?;
        drop_empty_day(conn, placed)?;
    }
    Ok(())
}

/// OrderDelivered.
pub(super) fn delivered(conn: &Connection, w: At, e: &OrderDelivered) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'delivered', delivered_at = ?2, updated_at = ?3,
                revision = ?4 WHERE id = ?1",
    )?
    .execute(params![id, to_millis(e.delivered_at), at, rev])?;
    Ok(())
}

/// OrderInvoiced.
pub(super) fn invoiced(
    conn: &Connection,
    w: At,
    e: &OrderInvoiced,
    state: &Aggregate,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    let o = order_money(order_state(state, id)?);
    conn.prepare_cached(
        "UPDATE p_orders SET status = 'invoiced', invoiced_at = ?2, invoice_number = ?3,
                updated_at = ?4, revision = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        to_millis(e.invoiced_at),
        e.invoice_number.map(|n| n as i64),
        at,
        rev
    ])?;
    if o.was_open {
        add_open_total(conn, o.customer_id, -o.gross)?;
    }
    Ok(())
}

pub(crate) fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A day row exists only while it counts some order, so a rebuild (which never
/// sees the cancelled order's contribution as a separate row) ends with the same rows.
pub(super) fn drop_empty_day(conn: &Connection, placed: DateTime<Utc>) -> Result<(), AppError> {
    conn.prepare_cached("DELETE FROM p_daily WHERE day = ?1 AND orders = 0")?
        .execute([day(placed)])?;
    Ok(())
}

/// The order's state after the event; the caller guarantees it matches the stream.
fn order_state(state: &Aggregate, id: Uuid) -> Result<&SalesOrder, AppError> {
    match state {
        Aggregate::SalesOrder(Some(o)) => Ok(o),
        _ => Err(AppError::Store(StoreError::Corrupt(format!(
            "order {id}: event applied to a state that is not an existing order"
        )))),
    }
}

struct OrderMoney {
    customer_id: Uuid,
    currency: String,
    net: i64,
    gross: i64,
    /// Counted in the customer's open total just before this event.
    was_open: bool,
    placed_at: Option<DateTime<Utc>>,
}

/// Money facts of an order whose state already includes a place, cancel or invoice
/// event. Lines are fixed once placed, so the totals are those it was placed with.
fn order_money(o: &SalesOrder) -> OrderMoney {
    let t = o.totals();
    OrderMoney {
        customer_id: o.customer_id.0,
        currency: o.currency.to_string(),
        net: t.net.cents(),
        gross: t.gross.cents(),
        // Cancel and invoice only follow placing (or a release, which sets the placing
        // time; a held or refused order has none), and an invoiced order cannot be
        // cancelled, so "placed" means it was open until this event.
        was_open: o.placed_at.is_some(),
        placed_at: o.placed_at,
    }
}

/// Writes an order's totals (and its last change) from its state: what a run of
/// line events projected with [`Totals::Later`] left to do.
pub fn write_order_totals(
    conn: &Connection,
    id: Uuid,
    state: &Aggregate,
    at: i64,
    rev: i64,
) -> Result<(), AppError> {
    update_order_totals(conn, id, order_state(state, id)?, at, rev)
}

/// Writes an order's totals, computed by the domain's rounding rule.
fn update_order_totals(
    conn: &Connection,
    id: Uuid,
    o: &SalesOrder,
    at: i64,
    rev: i64,
) -> Result<(), AppError> {
    let t = o.totals();
    conn.prepare_cached(
        "UPDATE p_orders SET line_count = ?2, net = ?3, vat = ?4, gross = ?5, updated_at = ?6,
            revision = ?7 WHERE id = ?1",
    )?
    .execute(params![
        id,
        o.lines.len() as i64,
        t.net.cents(),
        t.vat.cents(),
        t.gross.cents(),
        at,
        rev
    ])?;
    Ok(())
}
