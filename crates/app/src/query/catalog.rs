//! Customers and products: lists with search, and one record's detail.

use daybook_domain::{Money, RecordKind};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

use super::{fts_query, page_limit};

/// An address as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddressRow {
    /// Address id.
    pub id: Uuid,
    /// Label.
    pub label: String,
    /// Street.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
}

pub(super) fn address_row(r: &Row<'_>) -> rusqlite::Result<AddressRow> {
    Ok(AddressRow {
        id: r.get(0)?,
        label: r.get(1)?,
        street: r.get(2)?,
        postal_code: r.get(3)?,
        city: r.get(4)?,
        country: r.get(5)?,
    })
}

/// Filters and page of the customer list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CustomerQuery {
    /// Words matching the start of name or number words.
    pub search: Option<String>,
    /// Only blocked (true) or only unblocked (false) customers.
    pub blocked: Option<bool>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: Option<u64>,
}

/// One row of the customer list, with the open total against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerRow {
    /// Customer id.
    pub id: Uuid,
    /// Customer number.
    pub number: String,
    /// Organisation or person.
    pub kind: String,
    /// Name.
    pub name: String,
    /// VAT number.
    pub vat_number: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Currency.
    pub currency: String,
    /// `None` is unlimited.
    pub spending_limit: Option<Money>,
    /// Placed, not yet invoiced orders (gross).
    pub open_total: Money,
    /// Orders ever created.
    pub order_count: i64,
    /// Blocked.
    pub blocked: bool,
    /// Revision.
    pub revision: i64,
    /// The city of the first address, if any (told apart in pickers: two "Acme"s).
    pub city: Option<String>,
}

/// A page of customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerPage {
    /// Rows.
    pub rows: Vec<CustomerRow>,
    /// Matching rows over all pages.
    pub total: u64,
}

const CUSTOMER_COLUMNS: &str = "c.id, c.number, c.kind, c.name, c.vat_number, c.email, \
    c.currency, c.spending_limit, c.open_total, c.order_count, c.blocked, c.revision, \
    (SELECT a.city FROM p_addresses a WHERE a.customer_id = c.id ORDER BY a.position LIMIT 1)";

fn customer_row(r: &Row<'_>) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        id: r.get(0)?,
        number: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        vat_number: r.get(4)?,
        email: r.get(5)?,
        currency: r.get(6)?,
        spending_limit: r.get::<_, Option<i64>>(7)?.map(Money),
        open_total: Money(r.get(8)?),
        order_count: r.get(9)?,
        blocked: r.get(10)?,
        revision: r.get(11)?,
        city: r.get(12)?,
    })
}

/// The customer list, by name.
pub fn customers(conn: &Connection, q: &CustomerQuery) -> Result<CustomerPage, AppError> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(fts) = q.search.as_deref().and_then(fts_query) {
        clauses
            .push("c.rowid IN (SELECT rowid FROM p_customers_fts WHERE p_customers_fts MATCH ?)");
        args.push(Value::Text(fts));
    }
    if let Some(b) = q.blocked {
        clauses.push("c.blocked = ?");
        args.push(Value::Integer(i64::from(b)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM p_customers c {filter}
             ORDER BY c.name COLLATE NOCASE, c.id LIMIT {} OFFSET {}",
            page_limit(q.limit),
            q.offset
        ))?
        .query_map(params_from_iter(args.iter()), customer_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_customers c {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(CustomerPage {
        rows,
        total: total as u64,
    })
}

/// A customer with addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerDetail {
    /// The list row.
    pub customer: CustomerRow,
    /// Current addresses.
    pub addresses: Vec<AddressRow>,
}

/// One customer.
pub fn customer(conn: &Connection, id: Uuid) -> Result<CustomerDetail, AppError> {
    let customer = conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM p_customers c WHERE c.id = ?1"
        ))?
        .query_row([id], customer_row)
        .optional()?
        .ok_or(AppError::NotFound {
            kind: RecordKind::Customer,
            id,
        })?;
    let addresses = conn
        .prepare_cached(
            "SELECT id, label, street, postal_code, city, country FROM p_addresses
             WHERE customer_id = ?1 ORDER BY position",
        )?
        .query_map([id], address_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CustomerDetail {
        customer,
        addresses,
    })
}

/// Filters and page of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ProductQuery {
    /// Words matching the start of code or description words.
    pub search: Option<String>,
    /// Include discontinued products.
    pub include_discontinued: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: Option<u64>,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductRow {
    /// Product id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Price per unit.
    pub unit_price: Money,
    /// VAT class.
    pub vat_class: String,
    /// Discontinued.
    pub discontinued: bool,
    /// Revision.
    pub revision: i64,
}

/// A page of products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductPage {
    /// Rows.
    pub rows: Vec<ProductRow>,
    /// Matching rows over all pages.
    pub total: u64,
}

fn product_row(r: &Row<'_>) -> rusqlite::Result<ProductRow> {
    Ok(ProductRow {
        id: r.get(0)?,
        code: r.get(1)?,
        description: r.get(2)?,
        unit_price: Money(r.get(3)?),
        vat_class: r.get(4)?,
        discontinued: r.get(5)?,
        revision: r.get(6)?,
    })
}

/// The catalogue, searched with FTS5 on code and description; exact code first.
pub fn products(conn: &Connection, q: &ProductQuery) -> Result<ProductPage, AppError> {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let search = q.search.as_deref().map(str::trim).unwrap_or("");
    if let Some(fts) = fts_query(search) {
        clauses.push("p.rowid IN (SELECT rowid FROM p_products_fts WHERE p_products_fts MATCH ?)");
        args.push(Value::Text(fts));
    }
    if !q.include_discontinued {
        clauses.push("p.discontinued = 0");
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let mut page_args = args.clone();
    page_args.push(Value::Text(search.to_string()));
    let rows = conn
        .prepare_cached(&format!(
            "SELECT p.id, p.code, p.description, p.unit_price, p.vat_class, p.discontinued,
                p.revision
             FROM p_products p {filter}
             ORDER BY (p.code = ? COLLATE NOCASE) DESC, p.code, p.id LIMIT {} OFFSET {}",
            page_limit(q.limit),
            q.offset
        ))?
        .query_map(params_from_iter(page_args.iter()), product_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM p_products p {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(ProductPage {
        rows,
        total: total as u64,
    })
}

/// One product.
pub fn product(conn: &Connection, id: Uuid) -> Result<ProductRow, AppError> {
    conn.prepare_cached(
        "SELECT id, code, description, unit_price, vat_class, discontinued, revision
         FROM p_products WHERE id = ?1",
    )?
    .query_row([id], product_row)
    .optional()?
    .ok_or(AppError::NotFound {
        kind: RecordKind::Product,
        id,
    })
}
