//! Inline projections: the read models the screens query. They are updated in the
//! command's own transaction (a screen always reads its own writes), keep one
//! checkpoint written in that same transaction, and can be rebuilt from the log.
//!
//! **Invariant:** per-record rows, joined at query time. An order row holds the
//! customer's id, never their name, so renaming a customer touches one row.

pub mod schema;

use chrono::{DateTime, Utc};
use daybook_domain::event::*;
use daybook_domain::money::{Money, line_net};
use daybook_domain::{Aggregate, SalesOrder};
use daybook_store::{RecordedEvent, StoreError, to_millis};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::AppError;

/// Creates the read-model tables if missing, or recreates them when their version
/// changed. Returns true when the tables are new and must be filled from the log.
pub fn ensure_schema(conn: &Connection) -> Result<bool, AppError> {
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'projection_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if version.as_deref() == Some(schema::PROJECTION_VERSION) {
        return Ok(false);
    }
    let tx = conn.unchecked_transaction()?;
    drop_tables(&tx)?;
    tx.execute_batch(schema::CREATE)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('projection_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [schema::PROJECTION_VERSION],
    )?;
    tx.commit()?;
    Ok(true)
}

fn drop_tables(conn: &Connection) -> Result<(), AppError> {
    for t in schema::TABLES {
        conn.execute_batch(&format!("DROP TABLE IF EXISTS {t}"))?;
    }
    Ok(())
}

/// Empties every read model and resets the checkpoint (inside the caller's transaction).
pub fn clear(conn: &Connection) -> Result<(), AppError> {
    for t in schema::TABLES {
        conn.execute_batch(&format!("DELETE FROM {t}"))?;
    }
    conn.execute(
        "INSERT INTO p_checkpoint (name, seq) VALUES ('read_models', 0)",
        [],
    )?;
    Ok(())
}

/// The last event sequence the read models include.
pub fn checkpoint(conn: &Connection) -> Result<i64, AppError> {
    Ok(conn.query_row(
        "SELECT seq FROM p_checkpoint WHERE name = 'read_models'",
        [],
        |r| r.get(0),
    )?)
}

/// Moves the checkpoint; called in the same transaction as the rows it covers.
pub fn set_checkpoint(conn: &Connection, seq: i64) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_checkpoint SET seq = ?1 WHERE name = 'read_models'")?
        .execute([seq])?;
    Ok(())
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Applies one event to every read model. `state` is the stream's state right after
/// this event (the command path has it in hand; replays fold it), so order totals
/// come from the domain's own `totals()` instead of being re-read from the lines.
pub fn project(conn: &Connection, r: &RecordedEvent, state: &Aggregate) -> Result<(), AppError> {
    project_lines(conn, r, state, Totals::Now).map(|_| ())
}

/// Whether a line event writes the order's totals at once or leaves them to the
/// caller (replays write them once per run of line events, see `Projector`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Totals {
    /// Write them with the line.
    Now,
    /// Leave them: the caller calls [`write_order_totals`] before the order's next
    /// other event and at the end.
    Later,
}

/// As [`project`]; returns true when a line event left the order's totals to write.
pub fn project_lines(
    conn: &Connection,
    r: &RecordedEvent,
    state: &Aggregate,
    totals: Totals,
) -> Result<bool, AppError> {
    let deferred = totals == Totals::Later
        && matches!(
            r.event,
            Event::OrderLineAdded(_) | Event::OrderLineChanged(_) | Event::OrderLineRemoved(_)
        );
    let id = r.stream_id;
    // The command's time, not the commit time: identical on every replica, so a
    // client's read models converge with one rebuilt from the server's log.
    let at = to_millis(r.metadata.issued_at);
    let rev = r.revision as i64;
    match &r.event {
        Event::CustomerRegistered(e) => {
            conn.prepare_cached(
                "INSERT INTO p_customers (id, number, kind, name, vat_number, email, currency,
                    spending_limit, created_at, updated_at, revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            )?
            .execute(params![
                id,
                e.number,
                e.kind.as_str(),
                e.name,
                e.vat_number,
                e.email,
                e.currency.as_str(),
                e.spending_limit.map(Money::cents),
                at,
                rev
            ])?;
            let rowid = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO p_customers_fts (rowid, number, name) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![rowid, e.number, e.name])?;
        }
        Event::CustomerDetailsChanged(e) => {
            touch_customer(conn, id, at, rev)?;
            conn.prepare_cached(
                "UPDATE p_customers SET kind = ?2, name = ?3, vat_number = ?4, email = ?5
                 WHERE id = ?1",
            )?
            .execute(params![id, e.kind.as_str(), e.name, e.vat_number, e.email])?;
            conn.prepare_cached(
                "UPDATE p_customers_fts SET name = ?2
                 WHERE rowid = (SELECT rowid FROM p_customers WHERE id = ?1)",
            )?
            .execute(params![id, e.name])?;
        }
        Event::CustomerAddressAdded(e) => {
            touch_customer(conn, id, at, rev)?;
            conn.prepare_cached(
                "INSERT INTO p_addresses (id, customer_id, position, label, street, postal_code,
                    city, country)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.address_id.0,
                id,
                rev,
                e.address.label,
                e.address.street,
                e.address.postal_code,
                e.address.city,
                e.address.country
            ])?;
        }
        Event::CustomerAddressChanged(e) => {
            touch_customer(conn, id, at, rev)?;
            conn.prepare_cached(
                "UPDATE p_addresses SET label = ?2, street = ?3, postal_code = ?4, city = ?5,
                    country = ?6 WHERE id = ?1",
            )?
            .execute(params![
                e.address_id.0,
                e.address.label,
                e.address.street,
                e.address.postal_code,
                e.address.city,
                e.address.country
            ])?;
        }
        Event::CustomerAddressRemoved(e) => {
            touch_customer(conn, id, at, rev)?;
            conn.prepare_cached("DELETE FROM p_addresses WHERE id = ?1")?
                .execute([e.address_id.0])?;
        }
        Event::SpendingLimitChanged(e) => {
            touch_customer(conn, id, at, rev)?;
            conn.prepare_cached("UPDATE p_customers SET spending_limit = ?2 WHERE id = ?1")?
                .execute(params![id, e.limit.map(Money::cents)])?;
        }
        Event::CustomerBlocked(_) | Event::CustomerUnblocked(_) => {
            touch_customer(conn, id, at, rev)?;
            let blocked = matches!(r.event, Event::CustomerBlocked(_));
            conn.prepare_cached("UPDATE p_customers SET blocked = ?2 WHERE id = ?1")?
                .execute(params![id, blocked])?;
        }
        Event::ProductRegistered(e) => {
            conn.prepare_cached(
                "INSERT INTO p_products (id, code, description, unit_price, vat_class,
                    created_at, updated_at, revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                id,
                e.code,
                e.description,
                e.unit_price.cents(),
                e.vat_class.as_str(),
                at,
                rev
            ])?;
            let rowid = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO p_products_fts (rowid, code, description) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![rowid, e.code, e.description])?;
        }
        Event::ProductDescriptionChanged(e) => {
            touch_product(conn, id, at, rev)?;
            conn.prepare_cached("UPDATE p_products SET description = ?2 WHERE id = ?1")?
                .execute(params![id, e.description])?;
            conn.prepare_cached(
                "UPDATE p_products_fts SET description = ?2
                 WHERE rowid = (SELECT rowid FROM p_products WHERE id = ?1)",
            )?
            .execute(params![id, e.description])?;
        }
        Event::ProductPriceChanged(e) => {
            touch_product(conn, id, at, rev)?;
            conn.prepare_cached("UPDATE p_products SET unit_price = ?2 WHERE id = ?1")?
                .execute(params![id, e.unit_price.cents()])?;
        }
        Event::ProductVatClassChanged(e) => {
            touch_product(conn, id, at, rev)?;
            conn.prepare_cached("UPDATE p_products SET vat_class = ?2 WHERE id = ?1")?
                .execute(params![id, e.vat_class.as_str()])?;
        }
        Event::ProductDiscontinued(_) | Event::ProductReinstated(_) => {
            touch_product(conn, id, at, rev)?;
            let d = matches!(r.event, Event::ProductDiscontinued(_));
            conn.prepare_cached("UPDATE p_products SET discontinued = ?2 WHERE id = ?1")?
                .execute(params![id, d])?;
        }
        Event::OrderCreated(e) => {
            conn.prepare_cached(
                "INSERT INTO p_orders (id, number, customer_id, status, currency, created_at,
                    updated_at, revision)
                 VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                e.number,
                e.customer_id.0,
                e.currency.as_str(),
                to_millis(e.created_at),
                at,
                rev
            ])?;
            conn.prepare_cached(
                "UPDATE p_customers SET order_count = order_count + 1 WHERE id = ?1",
            )?
            .execute([e.customer_id.0])?;
        }
        Event::OrderLineAdded(e) => {
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
        }
        Event::OrderLineChanged(e) => {
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
        }
        Event::OrderLineRemoved(e) => {
            conn.prepare_cached("DELETE FROM p_order_lines WHERE order_id = ?1 AND line_id = ?2")?
                .execute(params![id, e.line_id.0])?;
            if !deferred {
                update_order_totals(conn, id, order_state(state, id)?, at, rev)?;
            }
        }
        Event::DeliveryAddressSet(e) => {
            conn.prepare_cached(
                "UPDATE p_orders SET delivery_address_id = ?2, updated_at = ?3, revision = ?4
                 WHERE id = ?1",
            )?
            .execute(params![id, e.address_id.0, at, rev])?;
        }
        Event::OrderDetailsChanged(e) => {
            conn.prepare_cached(
                "UPDATE p_orders SET customer_reference = ?2, notes = ?3, updated_at = ?4,
                    revision = ?5 WHERE id = ?1",
            )?
            .execute(params![id, e.customer_reference, e.notes, at, rev])?;
        }
        Event::OrderPlaced(e) => {
            let o = order_money(order_state(state, id)?);
            conn.prepare_cached(
                "UPDATE p_orders SET status = 'placed', placed_at = ?2, updated_at = ?3,
                    revision = ?4 WHERE id = ?1",
            )?
            .execute(params![id, to_millis(e.placed_at), at, rev])?;
            add_open_total(conn, o.customer_id, o.gross)?;
            conn.prepare_cached(
                "INSERT INTO p_daily (day, orders, net, gross) VALUES (?1, 1, ?2, ?3)
                 ON CONFLICT (day) DO UPDATE SET orders = orders + 1, net = net + excluded.net,
                    gross = gross + excluded.gross",
            )?
            .execute(params![day(e.placed_at), o.net, o.gross])?;
        }
        Event::OrderCancelled(e) => {
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
                     WHERE day = ?1",
                )?
                .execute(params![day(placed), o.net, o.gross])?;
                drop_empty_day(conn, placed)?;
            }
        }
        Event::OrderDelivered(e) => {
            conn.prepare_cached(
                "UPDATE p_orders SET status = 'delivered', delivered_at = ?2, updated_at = ?3,
                    revision = ?4 WHERE id = ?1",
            )?
            .execute(params![id, to_millis(e.delivered_at), at, rev])?;
        }
        Event::OrderInvoiced(e) => {
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
        }
    }
    Ok(deferred)
}

/// A day row exists only while it counts some order, so a rebuild (which never
/// sees the cancelled order's contribution as a separate row) ends with the same rows.
fn drop_empty_day(conn: &Connection, placed: DateTime<Utc>) -> Result<(), AppError> {
    conn.prepare_cached("DELETE FROM p_daily WHERE day = ?1 AND orders = 0")?
        .execute([day(placed)])?;
    Ok(())
}

/// Removes every read-model row of these records and their contributions to other
/// rows (a customer's open total and order count, the day figures), before a replica
/// replays their events anew (see `replica`). Returns the customers whose totals must
/// be recomputed once the replay is done.
pub fn remove_records(conn: &Connection, ids: &[Uuid]) -> Result<Vec<Uuid>, AppError> {
    let mut customers = Vec::new();
    for id in ids {
        let order: Option<(Uuid, Option<i64>, String, i64, i64)> = conn
            .prepare_cached(
                "SELECT customer_id, placed_at, status, net, gross FROM p_orders WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        if let Some((customer, placed_at, status, net, gross)) = order {
            if let (Some(placed), false) = (placed_at, status == "cancelled") {
                let placed = daybook_store::from_millis(placed);
                conn.prepare_cached(
                    "UPDATE p_daily SET orders = orders - 1, net = net - ?2, gross = gross - ?3
                     WHERE day = ?1",
                )?
                .execute(params![day(placed), net, gross])?;
                drop_empty_day(conn, placed)?;
            }
            conn.prepare_cached("DELETE FROM p_order_lines WHERE order_id = ?1")?
                .execute([id])?;
            conn.prepare_cached("DELETE FROM p_orders WHERE id = ?1")?
                .execute([id])?;
            customers.push(customer);
        }
        let is_customer = conn
            .prepare_cached("DELETE FROM p_customers_fts WHERE rowid = (SELECT rowid FROM p_customers WHERE id = ?1)")?
            .execute([id])?
            > 0;
        if is_customer {
            conn.prepare_cached("DELETE FROM p_addresses WHERE customer_id = ?1")?
                .execute([id])?;
            conn.prepare_cached("DELETE FROM p_customers WHERE id = ?1")?
                .execute([id])?;
            customers.push(*id);
        }
        conn.prepare_cached(
            "DELETE FROM p_products_fts WHERE rowid = (SELECT rowid FROM p_products WHERE id = ?1)",
        )?
        .execute([id])?;
        conn.prepare_cached("DELETE FROM p_products WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(customers)
}

/// Sets customers' open totals and order counts from their orders' rows.
pub fn recompute_customers(conn: &Connection, ids: &[Uuid]) -> Result<(), AppError> {
    for id in ids {
        conn.prepare_cached(
            "UPDATE p_customers SET
                open_total = (SELECT coalesce(sum(gross), 0) FROM p_orders
                              WHERE customer_id = ?1 AND status IN ('placed', 'delivered')),
                order_count = (SELECT count(*) FROM p_orders WHERE customer_id = ?1)
             WHERE id = ?1",
        )?
        .execute([id])?;
    }
    Ok(())
}

fn touch_customer(conn: &Connection, id: Uuid, at: i64, rev: i64) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_customers SET updated_at = ?2, revision = ?3 WHERE id = ?1")?
        .execute(params![id, at, rev])?;
    Ok(())
}

fn touch_product(conn: &Connection, id: Uuid, at: i64, rev: i64) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_products SET updated_at = ?2, revision = ?3 WHERE id = ?1")?
        .execute(params![id, at, rev])?;
    Ok(())
}

fn add_open_total(conn: &Connection, customer: Uuid, delta: i64) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_customers SET open_total = open_total + ?2 WHERE id = ?1")?
        .execute(params![customer, delta])?;
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
        net: t.net.cents(),
        gross: t.gross.cents(),
        // Cancel and invoice only follow placing, and an invoiced order cannot be
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
