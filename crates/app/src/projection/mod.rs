//! Inline projections: the read models the screens query. They are updated in the
//! command's own transaction (a screen always reads its own writes), keep one
//! checkpoint written in that same transaction, and can be rebuilt from the log.
//!
//! **Invariant:** per-record rows, joined at query time. An order row holds the
//! customer's id, never their name, so renaming a customer touches one row.

mod customers;
pub(crate) mod orders;
mod products;
pub(crate) mod replay;
pub mod schema;

use daybook_domain::Aggregate;
use daybook_domain::event::Event;
use daybook_store::{RecordedEvent, settings, to_millis};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::AppError;

pub use customers::recompute_customers;
pub use orders::write_order_totals;

/// Which row an event writes, and when (the command's time) at which revision.
#[derive(Debug, Clone, Copy)]
struct At {
    id: Uuid,
    at: i64,
    rev: i64,
}

/// Creates the read-model tables if missing, or recreates them when their version
/// changed. Returns true when the tables are new and must be filled from the log.
pub fn ensure_schema(conn: &Connection) -> Result<bool, AppError> {
    let version = settings::PROJECTION_VERSION.get(conn)?;
    if version.as_deref() == Some(schema::PROJECTION_VERSION) {
        return Ok(false);
    }
    let tx = conn.unchecked_transaction()?;
    drop_tables(&tx)?;
    tx.execute_batch(schema::CREATE)?;
    settings::PROJECTION_VERSION.set(&tx, &schema::PROJECTION_VERSION.to_string())?;
    tx.commit()?;
    Ok(true)
}

/// Whether the read models are of this build's shape and cover every stored event:
/// what a read-only open needs, since it cannot bring them up to date.
pub fn is_current(conn: &Connection) -> Result<bool, AppError> {
    let version = settings::PROJECTION_VERSION.get(conn)?;
    Ok(version.as_deref() == Some(schema::PROJECTION_VERSION)
        && checkpoint(conn)? >= daybook_store::head(conn)?)
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
    // The command's time, not the commit time: identical on every replica, so a
    // client's read models converge with one rebuilt from the server's log.
    let w = At {
        id: r.stream_id,
        at: to_millis(r.metadata.issued_at),
        rev: r.revision as i64,
    };
    match &r.event {
        Event::CustomerRegistered(e) => customers::registered(conn, w, e)?,
        Event::CustomerDetailsChanged(e) => customers::details_changed(conn, w, e)?,
        Event::CustomerAddressAdded(e) => customers::address_added(conn, w, e)?,
        Event::CustomerAddressChanged(e) => customers::address_changed(conn, w, e)?,
        Event::CustomerAddressRemoved(e) => customers::address_removed(conn, w, e)?,
        Event::SpendingLimitChanged(e) => customers::spending_limit_changed(conn, w, e)?,
        Event::CustomerBlocked(_) => customers::blocked(conn, w, true)?,
        Event::CustomerUnblocked(_) => customers::blocked(conn, w, false)?,
        Event::ProductRegistered(e) => products::registered(conn, w, e)?,
        Event::ProductDescriptionChanged(e) => products::description_changed(conn, w, e)?,
        Event::ProductPriceChanged(e) => products::price_changed(conn, w, e)?,
        Event::ProductVatClassChanged(e) => products::vat_class_changed(conn, w, e)?,
        Event::ProductDiscontinued(_) => products::discontinued(conn, w, true)?,
        Event::ProductReinstated(_) => products::discontinued(conn, w, false)?,
        Event::OrderCreated(e) => orders::created(conn, w, e)?,
        Event::OrderLineAdded(e) => orders::line_added(conn, w, e, state, deferred)?,
        Event::OrderLineChanged(e) => orders::line_changed(conn, w, e, state, deferred)?,
        Event::OrderLineRemoved(e) => orders::line_removed(conn, w, e, state, deferred)?,
        Event::DeliveryAddressSet(e) => orders::delivery_address_set(conn, w, e)?,
        Event::OrderDetailsChanged(e) => orders::details_changed(conn, w, e)?,
        Event::OrderPlaced(e) => orders::placed(conn, w, e, state)?,
        Event::OrderHeld(e) => orders::held(conn, w, e, r)?,
        Event::OrderReleased(e) => orders::released(conn, w, e, state)?,
        Event::HeldOrderRefused(_) => orders::refused(conn, w)?,
        Event::OrderCancelled(e) => orders::cancelled(conn, w, e, state)?,
        Event::OrderDelivered(e) => orders::delivered(conn, w, e)?,
        Event::OrderInvoiced(e) => orders::invoiced(conn, w, e, state)?,
        Event::OrderCustomerChanged(e) => orders::customer_changed(conn, w, e)?,
        Event::OrderDiscarded(_) => orders::discarded(conn, w)?,
        // One small record, always read as it was at some moment (documents) or now
        // (the settings screen) by folding its stream: no read model.
        Event::CompanyDetailsChanged(_) | Event::CompanyLogoChanged(_) => {}
    }
    Ok(deferred)
}

/// Removes every read-model row of these records and their contributions to other
/// rows (a customer's open total and order count, the day figures), before a replica
/// replays their events anew (see `replica`). Returns the customers whose totals must
/// be recomputed once the replay is done.
pub fn remove_records(conn: &Connection, ids: &[Uuid]) -> Result<Vec<Uuid>, AppError> {
    let mut customers = Vec::new();
    for id in ids {
        type Row = (Uuid, Option<i64>, String, i64, i64, String);
        let order: Option<Row> = conn
            .prepare_cached(
                "SELECT customer_id, placed_at, status, net, gross, currency FROM p_orders
                 WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?;
        if let Some((customer, placed_at, status, net, gross, currency)) = order {
            if let (Some(placed), false) = (placed_at, status == "cancelled") {
                let placed = daybook_store::from_millis(placed);
                conn.prepare_cached(
                    "UPDATE p_daily SET orders = orders - 1, net = net - ?2, gross = gross - ?3
                     WHERE day = ?1 AND currency = ?4",
                )?
                .execute(params![orders::day(placed), net, gross, currency])?;
                orders::drop_empty_day(conn, placed)?;
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
