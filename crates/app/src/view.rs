//! A record as it was, shaped for its own read-only screen: the as-of view of the
//! desktop (order header, lines, totals and VAT; customer card; product card; the
//! company's details). Fields are labelled and formatted as in [`crate::readable`],
//! names resolved as they were at that revision (an order's customer as of then), so
//! no id, basis point or internal field name reaches a person.
//!
//! Each field and line carries a stable `key` so a screen can compare two revisions
//! (what changed between them) without knowing the record's shape.

use chrono::{DateTime, Utc};
use daybook_domain::{
    Aggregate, Company, Currency, Customer, Money, Product, SalesOrder, StreamType, Totals,
};
use daybook_store::{read_stream, stream_head};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::history::{AsOf, record_at};
use crate::readable::{amount, day, kind, label, one_line_address, opt, vat};

/// One labelled value of a record, formatted for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ViewField {
    /// Stable key to compare revisions by (`status`, `address.<label>`).
    pub key: String,
    /// What people read ("Reference").
    pub label: String,
    /// The value in words ("–" when empty).
    pub value: String,
}

/// One order line as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ViewLine {
    /// Stable key to compare revisions by (the line's id; never shown).
    pub key: String,
    /// Product code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Units.
    pub quantity: i64,
    /// Price per unit.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: i64,
    /// The line's net.
    pub net: Money,
}

/// A record as it was after one revision, with who made that revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordView {
    /// The record.
    pub stream_id: Uuid,
    /// Its type.
    pub stream_type: StreamType,
    /// The revision shown.
    pub revision: u64,
    /// The record's newest revision (the current version).
    pub head: u64,
    /// When the revision's command was given.
    pub at: Option<DateTime<Utc>>,
    /// Who gave it (their login).
    pub user: Option<String>,
    /// Who gave it, as people read it, when the account's people list knows them.
    pub name: Option<String>,
    /// On which device.
    pub device: Option<String>,
    /// What the record is called ("SO-00042", "Acme Ltd", "CHAIR Office chair").
    pub title: String,
    /// The order's or customer's currency.
    pub currency: Option<Currency>,
    /// Labelled values, in screen order.
    pub fields: Vec<ViewField>,
    /// An order's lines, in entry order (empty for other records).
    pub lines: Vec<ViewLine>,
    /// An order's totals, per VAT rate.
    pub totals: Option<Totals>,
}

fn field(key: &str, value: impl Into<String>) -> ViewField {
    ViewField {
        key: key.to_string(),
        label: label(key).unwrap_or(key).to_string(),
        value: value.into(),
    }
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "–".to_string(), day)
}

/// `id` as it was after `revision` (the newest when `None` or past the end).
pub fn record_view(
    conn: &Connection,
    id: Uuid,
    revision: Option<u64>,
) -> Result<RecordView, AppError> {
    let Some((stream_type, head)) = stream_head(conn, id)? else {
        return Err(AppError::UnknownRecord(id));
    };
    let want = revision.unwrap_or(head).min(head);
    let mut agg = Aggregate::new(stream_type);
    let mut view = RecordView {
        stream_id: id,
        stream_type,
        revision: 0,
        head,
        at: None,
        user: None,
        name: None,
        device: None,
        title: String::new(),
        currency: None,
        fields: Vec::new(),
        lines: Vec::new(),
        totals: None,
    };
    for e in read_stream(conn, id, 0)? {
        if e.revision > want {
            break;
        }
        agg.apply(&e.event);
        view.revision = e.revision;
        view.at = Some(e.metadata.issued_at);
        view.user = Some(e.metadata.user);
        view.device = Some(e.metadata.device);
    }
    if let Some(user) = &view.user {
        view.name = crate::settings::people(conn)?
            .remove(user)
            .filter(|n| n != user);
    }
    match &agg {
        Aggregate::SalesOrder(Some(o)) => order(conn, o, view.at, &mut view)?,
        Aggregate::Customer(Some(c)) => customer(c, &mut view),
        Aggregate::Product(Some(p)) => product(p, &mut view),
        Aggregate::Company(Some(c)) => company(c, &mut view),
        _ => view.title = "(did not exist yet)".into(),
    }
    Ok(view)
}

fn order(
    conn: &Connection,
    o: &SalesOrder,
    at: Option<DateTime<Utc>>,
    v: &mut RecordView,
) -> Result<(), AppError> {
    let as_of = at.map_or(AsOf::Revision(u64::MAX), AsOf::Time);
    let customer = match record_at(conn, o.customer_id.0, as_of)?.map(|r| r.aggregate) {
        Some(Aggregate::Customer(Some(c))) => Some(c),
        _ => None,
    };
    let address = o.delivery_address_id.and_then(|a| {
        customer
            .as_ref()
            .and_then(|c| c.addresses.iter().find(|x| x.id == a))
            .map(|x| format!("{}: {}", x.address.label, one_line_address(&x.address)))
    });
    v.title = o.number.clone();
    v.currency = Some(o.currency);
    v.fields = vec![
        field("number", o.number.clone()),
        ViewField {
            key: "status".into(),
            label: "Status".into(),
            value: o.status.as_str().into(),
        },
        field(
            "customer_id",
            customer.as_ref().map_or("an unknown customer".into(), |c| {
                format!("{} ({})", c.name, c.number)
            }),
        ),
        field("address", address.unwrap_or_else(|| "–".into())),
        field("customer_reference", opt(&o.customer_reference)),
        field("notes", opt(&o.notes)),
        field("created_at", day(o.created_at)),
        field("placed_at", when(o.placed_at)),
        field("delivered_at", when(o.delivered_at)),
        field("invoiced_at", when(o.invoiced_at)),
        field(
            "invoice_number",
            o.invoice_number
                .map_or_else(|| "–".into(), |n| format!("INV-{n:05}")),
        ),
    ];
    if let Some(reason) = &o.cancel_reason {
        v.fields.push(field("cancelled_at", when(o.cancelled_at)));
        v.fields.push(field("reason", reason.clone()));
    }
    v.lines = o
        .lines
        .iter()
        .map(|l| ViewLine {
            key: l.id.0.to_string(),
            code: l.code.clone(),
            description: l.description.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount_bp: l.discount_bp,
            vat_rate_bp: l.vat_rate_bp,
            net: l.net(),
        })
        .collect();
    v.totals = Some(o.totals());
    Ok(())
}

fn customer(c: &Customer, v: &mut RecordView) {
    v.title = c.name.clone();
    v.currency = Some(c.currency);
    v.fields = vec![
        field("number", c.number.clone()),
        field("name", c.name.clone()),
        field("kind", kind(c.kind)),
        field("vat_number", opt(&c.vat_number)),
        field("email", opt(&c.email)),
        field("currency", c.currency.to_string()),
        field(
            "spending_limit",
            c.spending_limit
                .map_or_else(|| "none".into(), |m| amount(m, Some(c.currency))),
        ),
        ViewField {
            key: "blocked".into(),
            label: "Blocked".into(),
            value: match &c.block_reason {
                Some(r) if c.blocked => format!("yes: {r}"),
                _ if c.blocked => "yes".into(),
                _ => "no".into(),
            },
        },
    ];
    for a in &c.addresses {
        v.fields.push(ViewField {
            key: format!("address.{}", a.id.0),
            label: format!("Address {}", a.address.label).trim().to_string(),
            value: one_line_address(&a.address),
        });
    }
}

fn product(p: &Product, v: &mut RecordView) {
    v.title = format!("{} {}", p.code, p.description);
    v.fields = vec![
        field("code", p.code.clone()),
        field("description", p.description.clone()),
        field("unit_price", p.unit_price.grouped()),
        field("vat_class", vat(p.vat_class)),
        ViewField {
            key: "discontinued".into(),
            label: "Discontinued".into(),
            value: if p.discontinued { "yes" } else { "no" }.into(),
        },
    ];
}

fn company(c: &Company, v: &mut RecordView) {
    v.title = c.name.clone();
    v.fields = vec![
        field("name", c.name.clone()),
        field("address", one_line_address(&c.address)),
        field("vat_number", opt(&c.vat_number)),
        field("bank_account", opt(&c.bank_account)),
        field("email", opt(&c.email)),
        field("phone", opt(&c.phone)),
    ];
}
