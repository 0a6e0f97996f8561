//! Answers the domain's [`FactNeeds`] from the read models (set-based rules: unique
//! codes, a customer's open total).

use chrono::{DateTime, Utc};
use daybook_domain::{
    AddressId, Currency, CustomerFacts, CustomerId, FactNeeds, Facts, Money, OrderId, ProductFacts,
    ProductId, VatClass,
};
use daybook_store::StoreError;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::AppError;

/// Whether the store numbers its own invoices: one never connected to a server (no
/// server remembered, never synced, nobody ever signed in) is its own authority, and
/// an account made from it adopts its series (`local_work` at the first sign-in: only
/// an empty account, so the server, deciding the same commands in order, gives the
/// same numbers). A connected store's invoices are pro forma until the server numbers
/// them.
fn own_authority(conn: &Connection) -> Result<bool, AppError> {
    use daybook_store::settings;
    Ok(settings::SYNC_SERVER.get(conn)?.is_none()
        && settings::DEVICE_CODE.get(conn)?.is_none()
        && settings::SIGN_IN_REQUIRED.get(conn)?.is_none())
}

/// Fetches exactly the facts asked for. Only an authority (the server, or a store
/// that is its own: [`own_authority`]) answers the next invoice number: the largest
/// assigned plus one, gap-free because it has one writer and the number commits with
/// the invoice.
pub fn fetch(
    conn: &Connection,
    needs: &FactNeeds,
    authority: bool,
    at: DateTime<Utc>,
) -> Result<Facts, AppError> {
    let mut facts = Facts::default();
    if needs.day_total {
        facts.day_total = conn
            // The day's rows are per currency; the cap guards each, so the largest
            // stands for the order's own (a conservative check, never a looser one).
            .prepare_cached("SELECT max(gross) FROM p_daily WHERE day = ?1")?
            .query_row([crate::projection::orders::day(at)], |r| {
                r.get::<_, Option<i64>>(0)
            })?
            .map_or(Money::ZERO, Money);
    }
    if needs.invoice_number && (authority || own_authority(conn)?) {
        let max: i64 = conn
            .prepare_cached("SELECT coalesce(max(invoice_number), 0) FROM p_orders")?
            .query_row([], |r| r.get(0))?;
        facts.invoice_number = Some(max as u64 + 1);
    }
    if let Some(id) = needs.customer {
        facts.customer = customer(conn, id)?;
    }
    if let Some(id) = needs.product {
        facts.product = product(conn, id)?;
    }
    if let Some(code) = &needs.product_code {
        facts.code_owner = conn
            .prepare_cached("SELECT id FROM p_products WHERE code = ?1 LIMIT 1")?
            .query_row([code], |r| r.get::<_, Uuid>(0))
            .optional()?
            .map(ProductId);
    }
    if let Some(number) = &needs.customer_number {
        facts.number_owner = conn
            .prepare_cached("SELECT id FROM p_customers WHERE number = ?1 LIMIT 1")?
            .query_row([number], |r| r.get::<_, Uuid>(0))
            .optional()?
            .map(CustomerId);
    }
    if let Some(number) = &needs.order_number {
        facts.order_number_owner = conn
            .prepare_cached("SELECT id FROM p_orders WHERE number = ?1 LIMIT 1")?
            .query_row([number], |r| r.get::<_, Uuid>(0))
            .optional()?
            .map(OrderId);
    }
    Ok(facts)
}

fn corrupt(what: String) -> AppError {
    AppError::Store(StoreError::Corrupt(what))
}

fn customer(conn: &Connection, id: CustomerId) -> Result<Option<CustomerFacts>, AppError> {
    let row: Option<(bool, String, Option<i64>, i64)> = conn
        .prepare_cached(
            "SELECT blocked, currency, spending_limit, open_total FROM p_customers WHERE id = ?1",
        )?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((blocked, currency, limit, open_total)) = row else {
        return Ok(None);
    };
    let address_ids = conn
        .prepare_cached("SELECT id FROM p_addresses WHERE customer_id = ?1 ORDER BY position")?
        .query_map([id.0], |r| r.get::<_, Uuid>(0).map(AddressId))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(CustomerFacts {
        id,
        blocked,
        currency: Currency::parse(&currency)
            .map_err(|_| corrupt(format!("customer {id}: currency {currency}")))?,
        spending_limit: limit.map(Money),
        open_total: Money(open_total),
        address_ids,
    }))
}

fn product(conn: &Connection, id: ProductId) -> Result<Option<ProductFacts>, AppError> {
    let row: Option<(String, String, i64, String, bool)> = conn
        .prepare_cached(
            "SELECT code, description, unit_price, vat_class, discontinued
             FROM p_products WHERE id = ?1",
        )?
        .query_row([id.0], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    row.map(|(code, description, price, vat, discontinued)| {
        Ok(ProductFacts {
            id,
            code,
            description,
            unit_price: Money(price),
            vat_class: VatClass::parse(&vat)
                .ok_or_else(|| corrupt(format!("product {id}: VAT class {vat}")))?,
            discontinued,
        })
    })
    .transpose()
}
