//! The customers read model: `p_customers` (with open total and order count),
//! `p_addresses`, and the name and city search (`p_customers_fts`).

use daybook_domain::Money;
use daybook_domain::event::{
    CustomerAddressAdded, CustomerAddressChanged, CustomerAddressRemoved, CustomerDetailsChanged,
    CustomerRegistered, SpendingLimitChanged,
};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::At;
use crate::error::AppError;

/// CustomerRegistered.
pub(super) fn registered(conn: &Connection, w: At, e: &CustomerRegistered) -> Result<(), AppError> {
    let At { id, at, rev } = w;
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
    conn.prepare_cached("INSERT INTO p_customers_fts (rowid, number, name) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, e.number, e.name])?;
    Ok(())
}

/// CustomerDetailsChanged.
pub(super) fn details_changed(
    conn: &Connection,
    w: At,
    e: &CustomerDetailsChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
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
    Ok(())
}

/// CustomerAddressAdded.
pub(super) fn address_added(
    conn: &Connection,
    w: At,
    e: &CustomerAddressAdded,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
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
    refresh_cities(conn, id)
}

/// CustomerAddressChanged.
pub(super) fn address_changed(
    conn: &Connection,
    w: At,
    e: &CustomerAddressChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
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
    refresh_cities(conn, id)
}

/// CustomerAddressRemoved.
pub(super) fn address_removed(
    conn: &Connection,
    w: At,
    e: &CustomerAddressRemoved,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_customer(conn, id, at, rev)?;
    conn.prepare_cached("DELETE FROM p_addresses WHERE id = ?1")?
        .execute([e.address_id.0])?;
    refresh_cities(conn, id)
}

/// Writes the cities of a customer's addresses into its search row (in address order,
/// so the incremental path and a rebuild write the same text).
fn refresh_cities(conn: &Connection, id: Uuid) -> Result<(), AppError> {
    conn.prepare_cached(
        "UPDATE p_customers_fts SET city =
            (SELECT group_concat(city, ' ') FROM
                (SELECT city FROM p_addresses WHERE customer_id = ?1 ORDER BY position))
         WHERE rowid = (SELECT rowid FROM p_customers WHERE id = ?1)",
    )?
    .execute([id])?;
    Ok(())
}

/// SpendingLimitChanged.
pub(super) fn spending_limit_changed(
    conn: &Connection,
    w: At,
    e: &SpendingLimitChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_customer(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_customers SET spending_limit = ?2 WHERE id = ?1")?
        .execute(params![id, e.limit.map(Money::cents)])?;
    Ok(())
}

/// CustomerBlocked / CustomerUnblocked.
pub(super) fn blocked(conn: &Connection, w: At, blocked: bool) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_customer(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_customers SET blocked = ?2 WHERE id = ?1")?
        .execute(params![id, blocked])?;
    Ok(())
}

/// Sets customers' open totals and order counts from their orders' rows.
pub fn recompute_customers(conn: &Connection, ids: &[Uuid]) -> Result<(), AppError> {
    for id in ids {
        conn.prepare_cached(
            "UPDATE p_customers SET
                open_total = (SELECT coalesce(sum(gross), 0) FROM p_orders
                              WHERE customer_id = ?1 AND status IN ('placed', 'delivered')),
                order_count = (SELECT count(*) FROM p_orders
                               WHERE customer_id = ?1 AND status <> 'discarded')
             WHERE id = ?1",
        )?
        .execute([id])?;
    }
    Ok(())
}

pub(super) fn touch_customer(
    conn: &Connection,
    id: Uuid,
    at: i64,
    rev: i64,
) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_customers SET updated_at = ?2, revision = ?3 WHERE id = ?1")?
        .execute(params![id, at, rev])?;
    Ok(())
}

pub(super) fn add_open_total(
    conn: &Connection,
    customer: Uuid,
    delta: i64,
) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_customers SET open_total = open_total + ?2 WHERE id = ?1")?
        .execute(params![customer, delta])?;
    Ok(())
}
