//! History for people: every event of a record as one title and one row per
//! meaningful change, in words ("Line 2 · CHAIR Office chair: quantity 3 → 4"), with
//! amounts, percentages, dates and statuses formatted and names instead of ids, as
//! they were at that revision. Shared by the CLI and the desktop.
//!
//! `records`: a record's history, one event, a customer's with its orders' major
//! events, and the account timeline's page, each told by `tell`.
//!
//! **Invariant:** every field of every event type has a label ([`label`]); a test over
//! the domain's event fixtures fails when a new field has none.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use daybook_domain::event::*;
use daybook_domain::money::percent;
use daybook_domain::{
    Address, Aggregate, Company, Currency, Customer, CustomerKind, Money, OrderLine, Product,
    SalesOrder, VatClass,
};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::history::{AsOf, record_at};

mod records;

pub use records::*;

/// One event, told in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReadableEntry {
    /// Revision of the record after this event.
    pub revision: u64,
    /// When the user gave the command.
    pub issued_at: DateTime<Utc>,
    /// When it was committed: here, or once `synced`, on the server (later than
    /// `issued_at` for work done offline).
    pub at: DateTime<Utc>,
    /// Whether the server has it (then `at` is when it got there).
    pub synced: bool,
    /// Who: the login recorded on the event.
    pub user: String,
    /// Who, as people read it ("Anna de Vries"), when the account's directory knows
    /// the login.
    pub name: Option<String>,
    /// From which device.
    pub device: String,
    /// What happened, in words ("Line added", "Placed").
    pub title: String,
    /// One row per meaningful change.
    pub rows: Vec<String>,
}

/// The label people read for an event's field, by its name; `None` for a field
/// nobody named yet (a test fails then).
pub fn label(field: &str) -> Option<&'static str> {
    Some(match field {
        "number" => "Number",
        "kind" => "Kind",
        "name" => "Name",
        "vat_number" => "VAT number",
        "email" => "E-mail",
        "phone" => "Telephone",
        "currency" => "Currency",
        "spending_limit" | "limit" => "Spending limit",
        "address_id" => "Address",
        "address" => "Address",
        "label" => "Label",
        "street" => "Street",
        "postal_code" => "Postal code",
        "city" => "City",
        "country" => "Country",
        "reason" => "Reason",
        "code" => "Code",
        "description" => "Description",
        "unit_price" => "Price",
        "vat_class" => "VAT",
        "vat_rate_bp" => "VAT rate",
        "customer_id" => "Customer",
        "created_at" => "Created",
        "line_id" => "Line",
        "product_id" => "Product",
        "quantity" => "Quantity",
        "discount_bp" => "Discount",
        "customer_reference" => "Reference",
        "notes" => "Notes",
        "placed_at" => "Placed",
        "cancelled_at" => "Cancelled",
        "delivery_id" => "Delivery",
        "delivered_at" => "Delivered",
        "invoice_id" => "Invoice",
        "invoice_number" => "Invoice number",
        "invoiced_at" => "Invoiced",
        "bank_account" => "Bank account",
        "order_total" => "Order total",
        "open_total" => "Open orders",
        "held_at" => "Held",
        "released_at" => "Released",
        "refused_at" => "Refused",
        "delivery_address_id" => "Delivery address",
        "discarded_at" => "Discarded",
        // The logo and what was read off it.
        "logo" => "Logo",
        "format" => "Image format",
        "width" => "Width",
        "height" => "Height",
        "bytes" => "Size",
        "data" => "Image",
        _ => return None,
    })
}

pub(crate) fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M").to_string()
}

pub(crate) fn opt(v: &Option<String>) -> String {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("–")
        .to_string()
}

pub(crate) fn amount(m: Money, c: Option<Currency>) -> String {
    match c {
        Some(c) => m.with_currency(c),
        None => m.grouped(),
    }
}

pub(crate) fn vat(c: VatClass) -> String {
    format!("{} ({})", c.as_str(), percent(c.rate_bp()))
}

pub(crate) fn kind(k: CustomerKind) -> &'static str {
    match k {
        CustomerKind::Organisation => "organisation",
        CustomerKind::Person => "person",
    }
}

pub(crate) fn one_line_address(a: &Address) -> String {
    let place = format!("{} {}", a.postal_code, a.city);
    [a.street.as_str(), place.trim(), a.country.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Label: from → to` rows for the fields that changed; with a prefix (a line, an
/// address) `Prefix: label from → to`.
fn changes(rows: &mut Vec<String>, prefix: &str, pairs: &[(&str, String, String)]) {
    for (field, old, new) in pairs {
        if old != new {
            let l = label(field).unwrap_or(field);
            rows.push(if prefix.is_empty() {
                format!("{l}: {old} → {new}")
            } else {
                format!("{prefix}: {} {old} → {new}", l.to_lowercase())
            });
        }
    }
}

/// "Line 2 · CHAIR Office chair".
fn line_name(order: Option<&SalesOrder>, line_id: daybook_domain::LineId) -> String {
    order
        .and_then(|o| {
            o.lines
                .iter()
                .position(|l| l.id == line_id)
                .map(|i| (i, &o.lines[i]))
        })
        .map_or_else(
            || "Line (unknown)".to_string(),
            |(i, l)| format!("Line {} · {} {}", i + 1, l.code, l.description),
        )
}

fn line_terms(l: &OrderLine, c: Option<Currency>) -> String {
    let mut s = format!(
        "{} × {} {} at {}",
        l.quantity,
        l.code,
        l.description,
        amount(l.unit_price, c)
    );
    if l.discount_bp != 0 {
        s.push_str(&format!(", {} off", percent(l.discount_bp)));
    }
    s.push_str(&format!(", VAT {}", percent(l.vat_rate_bp)));
    s
}

/// Reads other records as they were (names instead of ids).
pub(crate) struct Names<'c> {
    pub(crate) conn: &'c Connection,
    /// The account's people: login -> name.
    people: BTreeMap<String, String>,
}

impl<'c> Names<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<Names<'c>, AppError> {
        Ok(Names {
            conn,
            people: crate::settings::people(conn)?,
        })
    }

    /// The name people read for `login`, when the directory knows it.
    pub(crate) fn person(&self, login: &str) -> Option<String> {
        self.people.get(login).filter(|n| *n != login).cloned()
    }

    fn customer(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<Customer>, AppError> {
        Ok(
            match record_at(self.conn, id, AsOf::Time(at))?.map(|r| r.aggregate) {
                Some(Aggregate::Customer(c)) => c,
                _ => None,
            },
        )
    }
}

/// Title and rows of one event, given the record's state just before it.
pub(crate) fn tell(
    names: &Names<'_>,
    before: &Aggregate,
    event: &Event,
    at: DateTime<Utc>,
) -> Result<(String, Vec<String>), AppError> {
    let customer = match before {
        Aggregate::Customer(c) => c.as_ref(),
        _ => None,
    };
    let product: Option<&Product> = match before {
        Aggregate::Product(p) => p.as_ref(),
        _ => None,
    };
    let order = match before {
        Aggregate::SalesOrder(o) => o.as_ref(),
        _ => None,
    };
    let company: Option<&Company> = match before {
        Aggregate::Company(c) => c.as_ref(),
        _ => None,
    };
    let cur = order.map(|o| o.currency);
    let mut rows = Vec::new();
    let title = match event {
        Event::CustomerRegistered(e) => {
            rows.push(format!(
                "{} ({}), {}, {}",
                e.name,
                e.number,
                kind(e.kind),
                e.currency
            ));
            if let Some(v) = &e.vat_number {
                rows.push(format!("VAT number: {v}"));
            }
            if let Some(v) = &e.email {
                rows.push(format!("E-mail: {v}"));
            }
            if let Some(l) = e.spending_limit {
                rows.push(format!("Spending limit: {}", l.with_currency(e.currency)));
            }
            "Customer registered"
        }
        Event::CustomerDetailsChanged(e) => {
            let (n, k, v, m) = customer.map_or_else(
                || (String::new(), String::new(), "–".into(), "–".into()),
                |c| {
                    (
                        c.name.clone(),
                        kind(c.kind).into(),
                        opt(&c.vat_number),
                        opt(&c.email),
                    )
                },
            );
            changes(
                &mut rows,
                "",
                &[
                    ("name", n, e.name.clone()),
                    ("kind", k, kind(e.kind).into()),
                    ("vat_number", v, opt(&e.vat_number)),
                    ("email", m, opt(&e.email)),
                ],
            );
            "Details changed"
        }
        Event::CustomerAddressAdded(e) => {
            rows.push(format!(
                "{}: {}",
                e.address.label,
                one_line_address(&e.address)
            ));
            "Address added"
        }
        Event::CustomerAddressChanged(e) => {
            let old = customer
                .and_then(|c| c.addresses.iter().find(|a| a.id == e.address_id))
                .map(|a| a.address.clone())
                .unwrap_or_default();
            let (o, n) = (&old, &e.address);
            changes(
                &mut rows,
                &format!("Address {}", o.label),
                &[
                    ("label", o.label.clone(), n.label.clone()),
                    ("street", o.street.clone(), n.street.clone()),
                    ("postal_code", o.postal_code.clone(), n.postal_code.clone()),
                    ("city", o.city.clone(), n.city.clone()),
                    ("country", o.country.clone(), n.country.clone()),
                ],
            );
            "Address changed"
        }
        Event::CustomerAddressRemoved(e) => {
            if let Some(a) =
                customer.and_then(|c| c.addresses.iter().find(|a| a.id == e.address_id))
            {
                rows.push(format!(
                    "{}: {}",
                    a.address.label,
                    one_line_address(&a.address)
                ));
            }
            "Address removed"
        }
        Event::SpendingLimitChanged(e) => {
            let c = customer.map(|c| c.currency);
            let show = |l: Option<Money>| l.map_or_else(|| "none".to_string(), |m| amount(m, c));
            rows.push(format!(
                "Spending limit: {} → {}",
                show(customer.and_then(|c| c.spending_limit)),
                show(e.limit)
            ));
            "Spending limit changed"
        }
        Event::CustomerBlocked(e) => {
            rows.push(format!("Reason: {}", e.reason));
            "Blocked"
        }
        Event::CustomerUnblocked(_) => "Unblocked",
        Event::ProductRegistered(e) => {
            rows.push(format!(
                "{} {} at {}, VAT {}",
                e.code,
                e.description,
                e.unit_price.grouped(),
                vat(e.vat_class)
            ));
            "Product registered"
        }
        Event::ProductDescriptionChanged(e) => {
            let old = product.map(|p| p.description.clone()).unwrap_or_default();
            changes(
                &mut rows,
                "",
                &[("description", old, e.description.clone())],
            );
            "Description changed"
        }
        Event::ProductPriceChanged(e) => {
            let old = product.map(|p| p.unit_price.grouped()).unwrap_or_default();
            changes(
                &mut rows,
                "",
                &[("unit_price", old, e.unit_price.grouped())],
            );
            "Price changed"
        }
        Event::ProductVatClassChanged(e) => {
            let old = product.map(|p| vat(p.vat_class)).unwrap_or_default();
            changes(&mut rows, "", &[("vat_class", old, vat(e.vat_class))]);
            "VAT changed"
        }
        Event::ProductDiscontinued(_) => "Discontinued",
        Event::ProductReinstated(_) => "Reinstated",
        Event::OrderCreated(e) => {
            let who = names.customer(e.customer_id.0, at)?.map_or_else(
                || "an unknown customer".to_string(),
                |c| format!("{} ({})", c.name, c.number),
            );
            rows.push(format!("{} for {who}, in {}", e.number, e.currency));
            "Order created"
        }
        Event::OrderLineAdded(e) => {
            let line = OrderLine::from(e);
            let n = order.map_or(1, |o| o.lines.len() + 1);
            rows.push(format!("Line {n} · {}", line_terms(&line, cur)));
            "Line added"
        }
        Event::OrderLineChanged(e) => {
            let name = line_name(order, e.line_id);
            if let Some(l) = order.and_then(|o| o.lines.iter().find(|l| l.id == e.line_id)) {
                changes(
                    &mut rows,
                    &name,
                    &[
                        ("quantity", l.quantity.to_string(), e.quantity.to_string()),
                        (
                            "unit_price",
                            amount(l.unit_price, cur),
                            amount(e.unit_price, cur),
                        ),
                        (
                            "discount_bp",
                            percent(l.discount_bp),
                            percent(e.discount_bp),
                        ),
                    ],
                );
            }
            "Line changed"
        }
        Event::OrderLineRemoved(e) => {
            let found = order.and_then(|o| {
                o.lines
                    .iter()
                    .position(|l| l.id == e.line_id)
                    .map(|i| (i, &o.lines[i]))
            });
            rows.push(match found {
                Some((i, l)) => format!("Line {} · {}", i + 1, line_terms(l, cur)),
                None => line_name(order, e.line_id),
            });
            "Line removed"
        }
        Event::DeliveryAddressSet(e) => {
            let addr = match order {
                Some(o) => names
                    .customer(o.customer_id.0, at)?
                    .and_then(|c| c.addresses.into_iter().find(|a| a.id == e.address_id)),
                None => None,
            };
            rows.push(match addr {
                Some(a) => format!("{}: {}", a.address.label, one_line_address(&a.address)),
                None => "an address no longer on file".into(),
            });
            "Delivery address set"
        }
        Event::OrderDetailsChanged(e) => {
            let (r, n) = order.map_or(("–".into(), "–".into()), |o| {
                (opt(&o.customer_reference), opt(&o.notes))
            });
            changes(
                &mut rows,
                "",
                &[
                    ("customer_reference", r, opt(&e.customer_reference)),
                    ("notes", n, opt(&e.notes)),
                ],
            );
            "Details changed"
        }
        Event::OrderPlaced(e) => {
            if let Some(o) = order {
                let n = o.lines.len();
                rows.push(format!(
                    "{n} line{}, total {}",
                    if n == 1 { "" } else { "s" },
                    amount(o.totals().gross, cur)
                ));
            }
            rows.push(format!("Status: draft → placed on {}", day(e.placed_at)));
            "Placed"
        }
        Event::OrderHeld(e) => {
            rows.push(format!(
                "Held {}: the order ({}) and the open orders ({}) come to more than the limit of {}",
                e.reason,
                amount(e.order_total, cur),
                amount(e.open_total, cur),
                amount(e.limit, cur)
            ));
            rows.push(format!(
                "Status: draft → held for a manager on {}",
                day(e.held_at)
            ));
            "Held"
        }
        Event::OrderReleased(e) => {
            rows.push(format!(
                "Open orders before it: {}",
                amount(e.open_total, cur)
            ));
            rows.push(format!("Status: held → placed on {}", day(e.released_at)));
            "Released"
        }
        Event::HeldOrderRefused(e) => {
            rows.push(format!("Reason: {}", e.reason));
            rows.push(format!("Status: held → draft on {}", day(e.refused_at)));
            "Refused"
        }
        Event::OrderCancelled(e) => {
            rows.push(format!("Reason: {}", e.reason));
            rows.push(format!("Cancelled on {}", day(e.cancelled_at)));
            "Cancelled"
        }
        Event::OrderDelivered(e) => {
            rows.push(format!(
                "Status: placed → delivered on {}",
                day(e.delivered_at)
            ));
            "Delivered"
        }
        Event::OrderInvoiced(e) => {
            rows.push(match e.invoice_number {
                Some(n) => format!("Invoice INV-{n:05}"),
                None => "Invoice number: given by the server when it syncs".into(),
            });
            rows.push(format!(
                "Status: delivered → invoiced on {}",
                day(e.invoiced_at)
            ));
            "Invoiced"
        }
        Event::OrderCustomerChanged(e) => {
            let name = |id: Uuid| -> Result<String, AppError> {
                Ok(names.customer(id, at)?.map_or_else(
                    || "an unknown customer".to_string(),
                    |c| format!("{} ({})", c.name, c.number),
                ))
            };
            let old = match order {
                Some(o) => name(o.customer_id.0)?,
                None => "–".into(),
            };
            rows.push(format!("Customer: {old} → {}", name(e.customer_id.0)?));
            if cur.is_some_and(|c| c != e.currency) {
                rows.push(format!("Currency: {}", e.currency));
            }
            let addr = match e.delivery_address_id {
                Some(a) => names
                    .customer(e.customer_id.0, at)?
                    .and_then(|c| c.addresses.into_iter().find(|x| x.id == a))
                    .map_or_else(
                        || "an address no longer on file".into(),
                        |a| format!("{}: {}", a.address.label, one_line_address(&a.address)),
                    ),
                None => "none (the customer has no address)".into(),
            };
            rows.push(format!("Delivery address: {addr}"));
            "Customer changed"
        }
        Event::OrderDiscarded(e) => {
            rows.push(format!(
                "Status: draft → discarded on {}",
                day(e.discarded_at)
            ));
            "Discarded"
        }
        Event::CompanyDetailsChanged(e) => {
            let o = company.cloned();
            let old = |f: fn(&Company) -> String| o.as_ref().map_or("–".into(), f);
            changes(
                &mut rows,
                "",
                &[
                    ("name", old(|c| c.name.clone()), e.name.clone()),
                    (
                        "address",
                        old(|c| one_line_address(&c.address)),
                        one_line_address(&e.address),
                    ),
                    (
                        "vat_number",
                        old(|c| opt(&c.vat_number)),
                        opt(&e.vat_number),
                    ),
                    (
                        "bank_account",
                        old(|c| opt(&c.bank_account)),
                        opt(&e.bank_account),
                    ),
                    ("email", old(|c| opt(&c.email)), opt(&e.email)),
                    ("phone", old(|c| opt(&c.phone)), opt(&e.phone)),
                ],
            );
            "Company details changed"
        }
        Event::CompanyLogoChanged(e) => {
            let old = company.and_then(|c| c.logo.as_ref());
            match (old, &e.logo) {
                (Some(old), None) => {
                    rows.push(format!("Logo: {} → –", old.describe()));
                    "Logo removed"
                }
                (None, None) => "Logo removed",
                (None, Some(new)) => {
                    rows.push(format!("Logo: {}", new.describe()));
                    "Logo set"
                }
                (Some(old), Some(new)) => {
                    rows.push(format!("Logo: {} → {}", old.describe(), new.describe()));
                    "Logo changed"
                }
            }
        }
    };
    Ok((title.to_string(), rows))
}
