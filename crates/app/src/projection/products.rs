//! The catalogue read model: `p_products` and its search (`p_products_fts`).

use daybook_domain::event::{
    ProductDescriptionChanged, ProductPriceChanged, ProductRegistered, ProductVatClassChanged,
};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::At;
use crate::error::AppError;

/// ProductRegistered.
pub(super) fn registered(conn: &Connection, w: At, e: &ProductRegistered) -> Result<(), AppError> {
    let At { id, at, rev } = w;
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
    Ok(())
}

/// ProductDescriptionChanged.
pub(super) fn description_changed(
    conn: &Connection,
    w: At,
    e: &ProductDescriptionChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_product(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_products SET description = ?2 WHERE id = ?1")?
        .execute(params![id, e.description])?;
    conn.prepare_cached(
        "UPDATE p_products_fts SET description = ?2
             WHERE rowid = (SELECT rowid FROM p_products WHERE id = ?1)",
    )?
    .execute(params![id, e.description])?;
    Ok(())
}

/// ProductPriceChanged.
pub(super) fn price_changed(
    conn: &Connection,
    w: At,
    e: &ProductPriceChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_product(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_products SET unit_price = ?2 WHERE id = ?1")?
        .execute(params![id, e.unit_price.cents()])?;
    Ok(())
}

/// ProductVatClassChanged.
pub(super) fn vat_class_changed(
    conn: &Connection,
    w: At,
    e: &ProductVatClassChanged,
) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_product(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_products SET vat_class = ?2 WHERE id = ?1")?
        .execute(params![id, e.vat_class.as_str()])?;
    Ok(())
}

/// ProductDiscontinued / ProductReinstated.
pub(super) fn discontinued(conn: &Connection, w: At, d: bool) -> Result<(), AppError> {
    let At { id, at, rev } = w;
    touch_product(conn, id, at, rev)?;
    conn.prepare_cached("UPDATE p_products SET discontinued = ?2 WHERE id = ?1")?
        .execute(params![id, d])?;
    Ok(())
}

fn touch_product(conn: &Connection, id: Uuid, at: i64, rev: i64) -> Result<(), AppError> {
    conn.prepare_cached("UPDATE p_products SET updated_at = ?2, revision = ?3 WHERE id = ?1")?
        .execute(params![id, at, rev])?;
    Ok(())
}
