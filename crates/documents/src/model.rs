//! What a document shows, gathered from the records as they were at the document's
//! moment: the order just after it was placed (or released, when it was held first),
//! delivered or invoiced, the customer and the company's details as of that moment.
//! An order cancelled since keeps the documents of the moments it reached, marked
//! cancelled with the date; it has no invoice, not even a pro forma. Pure data;
//! [`crate::render`] draws it.

use chrono::{DateTime, Utc};
use daybook_app::Reader;
use daybook_app::history::AsOf;
use daybook_domain::{
    Address, Aggregate, Company, CompanyId, Currency, Customer, Logo, OrderLine, OrderStatus,
    SalesOrder, Totals,
};
use uuid::Uuid;

use crate::DocumentError;

/// The three documents of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Order confirmation: the order as placed.
    Confirmation,
    /// Delivery note: the order as delivered.
    Delivery,
    /// Invoice: the order as invoiced (a pro forma before the server gave a number).
    Invoice,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Confirmation,
        DocumentKind::Delivery,
        DocumentKind::Invoice,
    ];

    /// The word people use (and the CLI takes).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Confirmation => "confirmation",
            DocumentKind::Delivery => "delivery",
            DocumentKind::Invoice => "invoice",
        }
    }

    /// The events whose moment the document shows (the first of them): an order
    /// held over its customer's limit is placed by its release.
    fn moment_events(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Confirmation => &["OrderPlaced", "OrderReleased"],
            DocumentKind::Delivery => &["OrderDelivered"],
            DocumentKind::Invoice => &["OrderInvoiced"],
        }
    }
}

impl std::str::FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("'{s}' is not a document (confirmation, delivery or invoice)"))
    }
}

/// A party on the document: the company or the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Name.
    pub name: String,
    /// Address, if known.
    pub address: Option<Address>,
    /// Other lines to print under the address ("VAT NL...", "IBAN ...").
    pub extra: Vec<String>,
}

/// Everything one document prints, already as it was at its moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Which document.
    pub kind: DocumentKind,
    /// An invoice without the server's number yet.
    pub pro_forma: bool,
    /// The seller (`None` while the company's details were never set).
    pub company: Option<Party>,
    /// The seller's logo, as it was at the document's moment.
    pub logo: Option<Logo>,
    /// The customer, with the invoice address.
    pub customer: Party,
    /// Where the goods go.
    pub delivery: Option<Address>,
    /// The order's number.
    pub order_number: String,
    /// The invoice's number, once the server gave it.
    pub invoice_number: Option<u64>,
    /// The customer's reference.
    pub reference: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Labelled dates: ("Order date", ...), in order.
    pub dates: Vec<(&'static str, DateTime<Utc>)>,
    /// Currency of every amount.
    pub currency: Currency,
    /// The lines, in order.
    pub lines: Vec<OrderLine>,
    /// Net, VAT per rate and gross.
    pub totals: Totals,
    /// When the order was cancelled, if it was since this document's moment: the
    /// document says so on every page.
    pub cancelled: Option<DateTime<Utc>>,
}

impl Document {
    /// The title printed at the top.
    pub fn title(&self) -> &'static str {
        match (self.kind, self.pro_forma) {
            (DocumentKind::Confirmation, _) => "Order confirmation",
            (DocumentKind::Delivery, _) => "Delivery note",
            (DocumentKind::Invoice, true) => "Pro forma invoice",
            (DocumentKind::Invoice, false) => "Invoice",
        }
    }

    /// The file name people expect: `SO-00042-confirmation.pdf`, `INV-00007.pdf`.
    pub fn file_name(&self) -> String {
        let safe: String = self
            .order_number
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let cancelled = if self.cancelled.is_some() {
            "-cancelled"
        } else {
            ""
        };
        match (self.kind, self.invoice_number) {
            (DocumentKind::Invoice, Some(n)) => format!("INV-{n:05}.pdf"),
            (DocumentKind::Invoice, None) => format!("{safe}-pro-forma.pdf"),
            (kind, _) => format!("{safe}-{}{cancelled}.pdf", kind.as_str()),
        }
    }
}

/// Gathers the document of `kind` for the order `order_id`, as it was at its moment.
pub fn gather(
    reader: &Reader<'_>,
    order_id: Uuid,
    kind: DocumentKind,
) -> Result<Document, DocumentError> {
    let now = match reader.record_at(order_id, AsOf::Revision(u64::MAX))? {
        Some(r) => r.aggregate,
        None => return Err(DocumentError::UnknownOrder(order_id)),
    };
    let Aggregate::SalesOrder(Some(now)) = now else {
        return Err(DocumentError::UnknownOrder(order_id));
    };
    let cancelled = now
        .cancelled_at
        .filter(|_| now.status == OrderStatus::Cancelled);
    // An invoiced order cannot be cancelled: a cancelled one has no invoice, and no
    // pro forma either (nothing is going to be invoiced).
    if cancelled.is_some() && kind == DocumentKind::Invoice {
        return Err(DocumentError::Cancelled { kind });
    }
    let mut moment = reader.record_at_event(order_id, kind.moment_events())?;
    // An invoice before the order is invoiced is a pro forma of the order as placed.
    if moment.is_none() && kind == DocumentKind::Invoice {
        moment = reader.record_at_event(order_id, DocumentKind::Confirmation.moment_events())?;
    }
    let moment = match moment {
        Some(m) => m,
        None if cancelled.is_some() => return Err(DocumentError::Cancelled { kind }),
        None => return Err(DocumentError::NotYet { kind }),
    };
    let Aggregate::SalesOrder(Some(order)) = moment.aggregate else {
        return Err(DocumentError::UnknownOrder(order_id));
    };
    // The moment always has a time: it is the event's.
    let at = moment.at.unwrap_or(order.created_at);
    let customer = match reader.record_at(order.customer_id.0, AsOf::Time(at))? {
        Some(r) => match r.aggregate {
            Aggregate::Customer(Some(c)) => Some(c),
            _ => None,
        },
        None => None,
    };
    // Details set only after this order: the first ones ever set (stable from then on).
    let company = match reader.company_at(Some(at))? {
        Some(c) => Some(c),
        None => match reader.record_at(CompanyId::ACCOUNT.0, AsOf::Revision(1))? {
            Some(r) => match r.aggregate {
                Aggregate::Company(c) => c,
                _ => None,
            },
            None => None,
        },
    };
    let mut doc = assemble(kind, order, customer, company);
    doc.cancelled = cancelled;
    Ok(doc)
}

fn assemble(
    kind: DocumentKind,
    order: SalesOrder,
    customer: Option<Customer>,
    company: Option<Company>,
) -> Document {
    let pro_forma = kind == DocumentKind::Invoice && order.invoice_number.is_none();
    let billing = customer
        .as_ref()
        .and_then(|c| c.addresses.first())
        .map(|a| a.address.clone());
    let delivery = order
        .delivery_address_id
        .and_then(|id| {
            customer
                .as_ref()
                .and_then(|c| c.addresses.iter().find(|a| a.id == id))
        })
        .map(|a| a.address.clone())
        .or_else(|| billing.clone());
    let customer = match customer {
        Some(c) => Party {
            extra: [
                Some(format!("Customer no. {}", c.number)),
                c.vat_number.map(|v| format!("VAT {v}")),
            ]
            .into_iter()
            .flatten()
            .collect(),
            name: c.name,
            address: billing,
        },
        None => Party {
            name: order.customer_id.0.to_string(),
            address: None,
            extra: vec![],
        },
    };
    let logo = company.as_ref().and_then(|c| c.logo.clone());
    let company = company.map(|c| Party {
        extra: [
            c.vat_number.map(|v| format!("VAT {v}")),
            c.bank_account.map(|v| format!("IBAN {v}")),
            c.email,
            c.phone,
        ]
        .into_iter()
        .flatten()
        .collect(),
        name: c.name,
        address: Some(c.address),
    });
    let mut dates = Vec::new();
    if let Some(t) = order.placed_at {
        dates.push(("Order date", t));
    }
    if kind != DocumentKind::Confirmation
        && let Some(t) = order.delivered_at
    {
        dates.push(("Delivery date", t));
    }
    if kind == DocumentKind::Invoice
        && let Some(t) = order.invoiced_at
    {
        dates.push(("Invoice date", t));
    }
    let totals = order.totals();
    Document {
        kind,
        pro_forma,
        company,
        logo,
        customer,
        delivery,
        invoice_number: order.invoice_number,
        order_number: order.number,
        reference: order.customer_reference,
        notes: order.notes,
        dates,
        currency: order.currency,
        lines: order.lines,
        totals,
        cancelled: None,
    }
}
