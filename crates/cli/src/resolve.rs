//! Finding records by what a person knows: an id, or a customer number, product code
//! or order number (looked up through the app's reader); an unknown or ambiguous name
//! is an input error that says so.

use daybook_app::query::{AddressRow, LineRow};
use daybook_app::{Daybook, Named};
use daybook_domain::StreamType;
use uuid::Uuid;

use crate::InputError;

/// The kinds of record a person can name (the company's own by the word `company`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Customer(Uuid),
    Product(Uuid),
    Order(Uuid),
    Company,
}

impl Record {
    pub fn id(self) -> Uuid {
        match self {
            Record::Customer(id) | Record::Product(id) | Record::Order(id) => id,
            Record::Company => daybook_domain::CompanyId::ACCOUNT.0,
        }
    }
}

/// What a person calls a record of a kind ("customer", "number").
fn what(kind: Named) -> &'static str {
    match kind {
        Named::Customer => "customer",
        Named::Product => "product",
        Named::Order => "order",
    }
}

fn one(db: &Daybook, kind: Named, key: &str) -> anyhow::Result<Uuid> {
    let read = db.read();
    if let Ok(id) = Uuid::parse_str(key.trim()) {
        if read.exists(kind, id)? {
            return Ok(id);
        }
        return Err(InputError::new(format!("unknown {} {id}", what(kind))).into());
    }
    match read.find(kind, key)?.as_slice() {
        [id] => Ok(*id),
        [] => Err(InputError::new(format!(
            "unknown {}: no {} has id or {} '{}'",
            what(kind),
            what(kind),
            kind.key_name(),
            key.trim()
        ))
        .into()),
        many => Err(InputError::new(format!(
            "{} {} '{}' is ambiguous ({} records have it); use the id",
            what(kind),
            kind.key_name(),
            key.trim(),
            many.len()
        ))
        .into()),
    }
}

/// A customer by id or customer number.
pub fn customer(db: &Daybook, key: &str) -> anyhow::Result<Uuid> {
    one(db, Named::Customer, key)
}

/// A product by id or code.
pub fn product(db: &Daybook, key: &str) -> anyhow::Result<Uuid> {
    one(db, Named::Product, key)
}

/// An order by id or order number.
pub fn order(db: &Daybook, key: &str) -> anyhow::Result<Uuid> {
    one(db, Named::Order, key)
}

/// Any record: by id (of whatever kind), else order number, customer number or product
/// code; `company` is the company's own record.
pub fn record(db: &Daybook, key: &str) -> anyhow::Result<Record> {
    if key.trim().eq_ignore_ascii_case("company") {
        return Ok(Record::Company);
    }
    if let Ok(id) = Uuid::parse_str(key.trim()) {
        return match db.read().stream_type(id)? {
            Some(StreamType::Customer) => Ok(Record::Customer(id)),
            Some(StreamType::Product) => Ok(Record::Product(id)),
            Some(StreamType::SalesOrder) => Ok(Record::Order(id)),
            Some(StreamType::Company) => Ok(Record::Company),
            None => Err(InputError::new(format!("no record has id {id}")).into()),
        };
    }
    let mut found = Vec::new();
    for (kind, make) in [
        (Named::Order, Record::Order as fn(Uuid) -> Record),
        (Named::Customer, Record::Customer),
        (Named::Product, Record::Product),
    ] {
        let ids = db.read().find(kind, key)?;
        if ids.len() > 1 {
            return one(db, kind, key).map(make);
        }
        found.extend(ids.into_iter().map(make));
    }
    match found.as_slice() {
        [r] => Ok(*r),
        [] => Err(InputError::new(format!(
            "unknown record: no order number, customer number, product code or id '{}'",
            key.trim()
        ))
        .into()),
        _ => Err(InputError::new(format!(
            "'{}' names more than one record (an order, customer or product); use the id",
            key.trim()
        ))
        .into()),
    }
}

/// One of an order's lines: by line id, 1-based position, or product code (if only one
/// line has it).
pub fn line(lines: &[LineRow], key: &str) -> anyhow::Result<Uuid> {
    let key = key.trim();
    if let Ok(id) = Uuid::parse_str(key) {
        return lines
            .iter()
            .find(|l| l.line_id == id)
            .map(|l| l.line_id)
            .ok_or_else(|| InputError::new(format!("the order has no line {id}")).into());
    }
    if let Ok(n) = key.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| lines.get(i))
            .map(|l| l.line_id)
            .ok_or_else(|| {
                InputError::new(format!(
                    "the order has no line {n} (it has {} lines)",
                    lines.len()
                ))
                .into()
            });
    }
    let matching: Vec<&LineRow> = lines
        .iter()
        .filter(|l| l.code.eq_ignore_ascii_case(key))
        .collect();
    match matching.as_slice() {
        [l] => Ok(l.line_id),
        [] => Err(InputError::new(format!(
            "the order has no line '{key}' (use a line number, product code or line id)"
        ))
        .into()),
        _ => Err(InputError::new(format!(
            "more than one line has product '{key}'; use the line number"
        ))
        .into()),
    }
}

/// One of a customer's addresses: by id, 1-based position or label.
pub fn address(addresses: &[AddressRow], key: &str) -> anyhow::Result<Uuid> {
    let key = key.trim();
    if let Ok(id) = Uuid::parse_str(key) {
        // An id that is not the customer's is for the domain to refuse, with its reason.
        return Ok(id);
    }
    if let Ok(n) = key.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| addresses.get(i))
            .map(|a| a.id)
            .ok_or_else(|| {
                InputError::new(format!(
                    "the customer has no address {n} (it has {})",
                    addresses.len()
                ))
                .into()
            });
    }
    let matching: Vec<&AddressRow> = addresses
        .iter()
        .filter(|a| a.label.eq_ignore_ascii_case(key))
        .collect();
    match matching.as_slice() {
        [a] => Ok(a.id),
        [] => Err(InputError::new(format!(
            "the customer has no address labelled '{key}' (use its number, label or id)"
        ))
        .into()),
        _ => Err(InputError::new(format!(
            "more than one address is labelled '{key}'; use its number"
        ))
        .into()),
    }
}
