//! The SalesOrder aggregate: draft -> placed (or held, then released or refused back
//! to draft) -> delivered -> invoiced, or cancelled; a draft may be discarded (see
//! `draft.rs`). Delivery and invoicing are steps of the order's life, on its stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{self, OrderCommand};
use crate::draft::{change_customer, create, discard, draft};
use crate::error::DomainError;
use crate::event::*;
use crate::facts::{FactNeeds, Facts};
use crate::guard::{merge, show_text};
use crate::ids::{AddressId, CustomerId, DeliveryId, InvoiceId, LineId, ProductId};
use crate::money::MAX_ORDER_TOTAL;
use crate::money::{Currency, Money, RateSums, Totals, VatClass, line_net, percent};
use crate::placing::{placeable, running_totals};
use crate::validate::{discount, free_text, optional, price, quantity, required};
use crate::values::{GuardedField, HoldReason, OrderStatus, RecordKind, TotalScope};

/// Most lines one order may have: each command on an order reads and writes the whole
/// order, so an unbounded order makes every change slower and the documents endless.
pub const MAX_LINES: usize = 1000;

/// The totals of an order with these lines, if they stay within [`MAX_ORDER_TOTAL`].
pub(crate) fn within_order_cap(o: &SalesOrder, sums: &RateSums) -> Result<Totals, DomainError> {
    let totals = Totals::try_from_rate_sums(sums)?;
    if totals.gross > MAX_ORDER_TOTAL {
        return Err(DomainError::TotalTooLarge {
            scope: TotalScope::Order,
            currency: o.currency,
            max: MAX_ORDER_TOTAL,
        });
    }
    Ok(totals)
}

/// One line of an order, with the catalogue values copied at the time it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Line id.
    pub id: LineId,
    /// The product.
    pub product_id: ProductId,
    /// Product code when added.
    pub code: String,
    /// Description.
    pub description: String,
    /// Units.
    pub quantity: i64,
    /// Price per unit.
    pub unit_price: Money,
    /// Discount in basis points.
    pub discount_bp: i64,
    /// VAT class when added.
    pub vat_class: VatClass,
    /// VAT rate when added.
    pub vat_rate_bp: i64,
}

impl From<&OrderLineAdded> for OrderLine {
    fn from(e: &OrderLineAdded) -> OrderLine {
        OrderLine {
            id: e.line_id,
            product_id: e.product_id,
            code: e.code.clone(),
            description: e.description.clone(),
            quantity: e.quantity,
            unit_price: e.unit_price,
            discount_bp: e.discount_bp,
            vat_class: e.vat_class,
            vat_rate_bp: e.vat_rate_bp,
        }
    }
}

impl OrderLine {
    /// The line's net amount (rounded per line).
    pub fn net(&self) -> Money {
        // Validated on the way in, so this cannot overflow; saturate rather than panic
        // on a corrupt log.
        line_net(self.quantity, self.unit_price, self.discount_bp).unwrap_or(Money(i64::MAX))
    }
}

/// A sales order's state, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrder {
    /// Order number.
    pub number: String,
    /// The customer.
    pub customer_id: CustomerId,
    /// The order's currency.
    pub currency: Currency,
    /// Life-cycle status.
    pub status: OrderStatus,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Lines in entry order.
    pub lines: Vec<OrderLine>,
    /// Chosen delivery address.
    pub delivery_address_id: Option<AddressId>,
    /// The customer's reference.
    pub customer_reference: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// When it was placed.
    pub placed_at: Option<DateTime<Utc>>,
    /// When it was delivered, and the delivery document.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The delivery document.
    pub delivery_id: Option<DeliveryId>,
    /// When it was invoiced.
    pub invoiced_at: Option<DateTime<Utc>>,
    /// The invoice document.
    pub invoice_id: Option<InvoiceId>,
    /// Server-assigned invoice number.
    pub invoice_number: Option<u64>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The lines' nets per VAT rate, kept as lines change: a line then costs the same
    /// whatever the order's size. Derived from `lines`, so neither stored nor compared.
    #[serde(skip)]
    sums: Sums,
}

/// [`SalesOrder::sums`]: `None` in a state read back from a snapshot until
/// [`SalesOrder::reindex`] (sums are then taken from the lines).
#[derive(Debug, Clone, Default)]
struct Sums(Option<RateSums>);

impl PartialEq for Sums {
    /// A cache of the lines, which are compared.
    fn eq(&self, _: &Sums) -> bool {
        true
    }
}

impl Eq for Sums {}

impl SalesOrder {
    /// Net, VAT and gross by the documented rounding rule.
    pub fn totals(&self) -> Totals {
        Totals::from_rate_sums(&self.rate_sums())
    }

    /// The lines' nets per VAT rate.
    pub fn rate_sums(&self) -> RateSums {
        match &self.sums.0 {
            Some(sums) => sums.clone(),
            None => self.sum_lines(),
        }
    }

    fn sum_lines(&self) -> RateSums {
        let mut sums = RateSums::default();
        for l in &self.lines {
            sums.add(l.vat_rate_bp, l.net());
        }
        sums
    }

    /// Rebuilds what is derived from the lines (after a snapshot is read back).
    pub fn reindex(&mut self) {
        self.sums = Sums(Some(self.sum_lines()));
    }
}

/// Folds one event into the state. Total and logic-free.
pub fn apply(state: &mut Option<SalesOrder>, event: &Event) {
    if let Event::OrderCreated(e) = event {
        *state = Some(SalesOrder {
            number: e.number.clone(),
            customer_id: e.customer_id,
            currency: e.currency,
            status: OrderStatus::Draft,
            created_at: e.created_at,
            lines: Vec::new(),
            delivery_address_id: None,
            customer_reference: None,
            notes: None,
            placed_at: None,
            delivered_at: None,
            delivery_id: None,
            invoiced_at: None,
            invoice_id: None,
            invoice_number: None,
            cancelled_at: None,
            cancel_reason: None,
            sums: Sums(Some(RateSums::default())),
        });
        return;
    }
    let Some(o) = state.as_mut() else { return };
    match event {
        Event::OrderLineAdded(e) => {
            let l = OrderLine::from(e);
            if let Some(sums) = &mut o.sums.0 {
                sums.add(l.vat_rate_bp, l.net());
            }
            o.lines.push(l);
        }
        Event::OrderLineChanged(e) => {
            if let Some(l) = o.lines.iter_mut().find(|l| l.id == e.line_id) {
                let before = l.net();
                l.quantity = e.quantity;
                l.unit_price = e.unit_price;
                l.discount_bp = e.discount_bp;
                if let Some(sums) = &mut o.sums.0 {
                    sums.remove(l.vat_rate_bp, before);
                    sums.add(l.vat_rate_bp, l.net());
                }
            }
        }
        Event::OrderLineRemoved(e) => {
            if let Some(i) = o.lines.iter().position(|l| l.id == e.line_id) {
                let l = o.lines.remove(i);
                if let Some(sums) = &mut o.sums.0 {
                    sums.remove(l.vat_rate_bp, l.net());
                }
            }
        }
        Event::DeliveryAddressSet(e) => o.delivery_address_id = Some(e.address_id),
        Event::OrderDetailsChanged(e) => {
            o.customer_reference = e.customer_reference.clone();
            o.notes = e.notes.clone();
        }
        Event::OrderPlaced(e) => {
            o.status = OrderStatus::Placed;
            o.placed_at = Some(e.placed_at);
        }
        Event::OrderHeld(_) => o.status = OrderStatus::Held,
        Event::OrderReleased(e) => {
            o.status = OrderStatus::Placed;
            o.placed_at = Some(e.released_at);
        }
        Event::HeldOrderRefused(_) => o.status = OrderStatus::Draft,
        Event::OrderCustomerChanged(e) => {
            o.customer_id = e.customer_id;
            o.currency = e.currency;
            o.delivery_address_id = e.delivery_address_id;
        }
        Event::OrderDiscarded(_) => o.status = OrderStatus::Discarded,
        Event::OrderCancelled(e) => {
            o.status = OrderStatus::Cancelled;
            o.cancelled_at = Some(e.cancelled_at);
            o.cancel_reason = Some(e.reason.clone());
        }
        Event::OrderDelivered(e) => {
            o.status = OrderStatus::Delivered;
            o.delivered_at = Some(e.delivered_at);
            o.delivery_id = Some(e.delivery_id);
        }
        Event::OrderInvoiced(e) => {
            o.status = OrderStatus::Invoiced;
            o.invoiced_at = Some(e.invoiced_at);
            o.invoice_id = Some(e.invoice_id);
            o.invoice_number = e.invoice_number;
        }
        _ => {}
    }
}

/// The facts an order command needs, given the order's current state.
pub fn needs(state: Option<&SalesOrder>, cmd: OrderCommand<'_>) -> FactNeeds {
    let own_customer = state.map(|o| o.customer_id);
    match cmd {
        OrderCommand::CreateOrder(c) => FactNeeds {
            customer: Some(c.customer_id),
            order_number: Some(c.number.trim().to_string()),
            ..FactNeeds::default()
        },
        OrderCommand::ChangeOrderCustomer(c) => FactNeeds {
            customer: Some(c.customer_id),
            ..FactNeeds::default()
        },
        OrderCommand::AddOrderLine(c) => FactNeeds {
            product: Some(c.product_id),
            ..FactNeeds::default()
        },
        OrderCommand::SetDeliveryAddress(_) => FactNeeds {
            customer: own_customer,
            ..FactNeeds::default()
        },
        OrderCommand::PlaceOrder(_) | OrderCommand::ReleaseOrder(_) => FactNeeds {
            customer: own_customer,
            day_total: state.is_some(),
            ..FactNeeds::default()
        },
        OrderCommand::InvoiceOrder(_) => FactNeeds {
            invoice_number: true,
            ..FactNeeds::default()
        },
        OrderCommand::ChangeOrderLine(_)
        | OrderCommand::RemoveOrderLine(_)
        | OrderCommand::SetOrderDetails(_)
        | OrderCommand::RefuseHeldOrder(_)
        | OrderCommand::CancelOrder(_)
        | OrderCommand::DiscardOrder(_)
        | OrderCommand::DeliverOrder(_) => FactNeeds::default(),
    }
}

fn held(o: &SalesOrder) -> Result<(), DomainError> {
    if o.status == OrderStatus::Held {
        Ok(())
    } else {
        Err(DomainError::NotHeld { status: o.status })
    }
}

fn line(o: &SalesOrder, id: LineId) -> Result<&OrderLine, DomainError> {
    o.lines
        .iter()
        .find(|l| l.id == id)
        .ok_or(DomainError::NotFound {
            kind: RecordKind::Line,
            id: id.0,
        })
}

/// All order rules. `at` is the command's time (from its envelope).
pub fn decide(
    state: Option<&SalesOrder>,
    cmd: OrderCommand<'_>,
    facts: &Facts,
    at: DateTime<Utc>,
) -> Result<Vec<Event>, DomainError> {
    // Every command but creation needs the order to exist and not to be discarded.
    let existing = || match state {
        None => Err(DomainError::NotFound {
            kind: RecordKind::Order,
            id: cmd.stream_id(),
        }),
        Some(o) if o.status == OrderStatus::Discarded => Err(DomainError::OrderDiscarded),
        Some(o) => Ok(o),
    };
    match cmd {
        OrderCommand::CreateOrder(c) => create(state, c, facts, at),
        OrderCommand::ChangeOrderCustomer(c) => change_customer(existing()?, c, facts),
        OrderCommand::DiscardOrder(_) => discard(existing()?, at),
        OrderCommand::AddOrderLine(command::AddOrderLine {
            line_id,
            product_id,
            quantity: q,
            unit_price,
            discount_bp,
            description,
            ..
        }) => {
            let o = existing()?;
            draft(o)?;
            if o.lines.len() >= MAX_LINES {
                return Err(DomainError::TooManyLines { max: MAX_LINES });
            }
            if o.lines.iter().any(|l| l.id == *line_id) {
                return Err(DomainError::AlreadyExists {
                    kind: RecordKind::Line,
                    id: line_id.0,
                });
            }
            let product = facts
                .product
                .as_ref()
                .filter(|p| p.id == *product_id)
                .ok_or(DomainError::NotFound {
                    kind: RecordKind::Product,
                    id: product_id.0,
                })?;
            if product.discontinued {
                return Err(DomainError::ProductDiscontinued {
                    code: product.code.clone(),
                });
            }
            let quantity = quantity(*q)?;
            let unit_price = price(unit_price.unwrap_or(product.unit_price))?;
            let discount_bp = discount(*discount_bp)?;
            let description = optional("description", description.as_deref(), 500)?
                .unwrap_or_else(|| product.description.clone());
            let net = line_net(quantity, unit_price, discount_bp)?;
            let rate = product.vat_class.rate_bp();
            let mut sums = o.rate_sums();
            sums.add(rate, net);
            within_order_cap(o, &sums)?;
            Ok(vec![
                OrderLineAdded {
                    line_id: *line_id,
                    product_id: *product_id,
                    code: product.code.clone(),
                    description,
                    quantity,
                    unit_price,
                    discount_bp,
                    vat_class: product.vat_class,
                    vat_rate_bp: product.vat_class.rate_bp(),
                }
                .into(),
            ])
        }
        OrderCommand::ChangeOrderLine(command::ChangeOrderLine {
            line_id,
            quantity: q,
            unit_price,
            discount_bp,
            seen,
            ..
        }) => {
            let o = existing()?;
            draft(o)?;
            let current = line(o, *line_id)?;
            let mut e = OrderLineChanged {
                line_id: *line_id,
                quantity: quantity(*q)?,
                unit_price: price(*unit_price)?,
                discount_bp: discount(*discount_bp)?,
            };
            if let Some(seen) = seen {
                let money = |m: &Money| m.with_currency(o.currency);
                e.quantity = merge(
                    GuardedField::Quantity,
                    &seen.quantity,
                    &current.quantity,
                    &e.quantity,
                    i64::to_string,
                )?;
                e.unit_price = merge(
                    GuardedField::UnitPrice,
                    &seen.unit_price,
                    &current.unit_price,
                    &e.unit_price,
                    money,
                )?;
                e.discount_bp = merge(
                    GuardedField::Discount,
                    &seen.discount_bp,
                    &current.discount_bp,
                    &e.discount_bp,
                    |bp| percent(*bp),
                )?;
            }
            // Each value is within its bound, but the line and the order must fit too.
            let net = line_net(e.quantity, e.unit_price, e.discount_bp)?;
            let mut sums = o.rate_sums();
            sums.remove(current.vat_rate_bp, current.net());
            sums.add(current.vat_rate_bp, net);
            within_order_cap(o, &sums)?;
            if e.quantity == current.quantity
                && e.unit_price == current.unit_price
                && e.discount_bp == current.discount_bp
            {
                return Ok(vec![]);
            }
            Ok(vec![e.into()])
        }
        OrderCommand::RemoveOrderLine(command::RemoveOrderLine { line_id, .. }) => {
            let o = existing()?;
            draft(o)?;
            line(o, *line_id)?;
            Ok(vec![OrderLineRemoved { line_id: *line_id }.into()])
        }
        OrderCommand::SetDeliveryAddress(command::SetDeliveryAddress { address_id, .. }) => {
            let o = existing()?;
            if !matches!(
                o.status,
                OrderStatus::Draft | OrderStatus::Held | OrderStatus::Placed
            ) {
                return Err(DomainError::OrderNotDraft { status: o.status });
            }
            let owns = facts
                .customer
                .as_ref()
                .filter(|c| c.id == o.customer_id)
                .is_some_and(|c| c.address_ids.contains(address_id));
            if !owns {
                return Err(DomainError::AddressNotOfCustomer {
                    address_id: address_id.0,
                });
            }
            if o.delivery_address_id == Some(*address_id) {
                return Ok(vec![]);
            }
            Ok(vec![
                DeliveryAddressSet {
                    address_id: *address_id,
                }
                .into(),
            ])
        }
        OrderCommand::SetOrderDetails(command::SetOrderDetails {
            customer_reference,
            notes,
            seen,
            ..
        }) => {
            let o = existing()?;
            if matches!(o.status, OrderStatus::Invoiced | OrderStatus::Cancelled) {
                return Err(DomainError::OrderNotDraft { status: o.status });
            }
            let reference = |v: &Option<String>| optional("customer_reference", v.as_deref(), 100);
            let free = |v: &Option<String>| free_text("notes", v.as_deref(), 4000);
            let mut e = OrderDetailsChanged {
                customer_reference: reference(customer_reference)?,
                notes: free(notes)?,
            };
            if let Some(seen) = seen {
                e.customer_reference = merge(
                    GuardedField::CustomerReference,
                    &reference(&seen.customer_reference)?,
                    &o.customer_reference,
                    &e.customer_reference,
                    show_text,
                )?;
                e.notes = merge(
                    GuardedField::Notes,
                    &free(&seen.notes)?,
                    &o.notes,
                    &e.notes,
                    show_text,
                )?;
            }
            if e.customer_reference == o.customer_reference && e.notes == o.notes {
                return Ok(vec![]);
            }
            Ok(vec![e.into()])
        }
        OrderCommand::PlaceOrder(_) => {
            let o = existing()?;
            draft(o)?;
            if o.lines.is_empty() {
                return Err(DomainError::EmptyOrder);
            }
            let customer = placeable(o, facts)?;
            let (order_total, after) = running_totals(o, customer, facts)?;
            if let Some(limit) = customer.spending_limit
                && after > limit
            {
                return Ok(vec![
                    OrderHeld {
                        reason: HoldReason::SpendingLimit,
                        order_total,
                        limit,
                        open_total: customer.open_total,
                        held_at: at,
                    }
                    .into(),
                ]);
            }
            Ok(vec![OrderPlaced { placed_at: at }.into()])
        }
        // The release is the manager's decision to let the customer past the limit, so
        // the limit is not checked again (the running caps and a block still are).
        OrderCommand::ReleaseOrder(_) => {
            let o = existing()?;
            held(o)?;
            let customer = placeable(o, facts)?;
            running_totals(o, customer, facts)?;
            Ok(vec![
                OrderReleased {
                    open_total: customer.open_total,
                    released_at: at,
                }
                .into(),
            ])
        }
        OrderCommand::RefuseHeldOrder(command::RefuseHeldOrder { reason, .. }) => {
            let o = existing()?;
            held(o)?;
            Ok(vec![
                HeldOrderRefused {
                    reason: required("reason", reason, 500)?,
                    refused_at: at,
                }
                .into(),
            ])
        }
        OrderCommand::CancelOrder(command::CancelOrder { reason, .. }) => {
            match existing()?.status {
                OrderStatus::Invoiced => Err(DomainError::CannotCancelInvoiced),
                OrderStatus::Discarded => Err(DomainError::OrderDiscarded),
                OrderStatus::Cancelled => Err(DomainError::AlreadyCancelled),
                OrderStatus::Draft
                | OrderStatus::Held
                | OrderStatus::Placed
                | OrderStatus::Delivered => Ok(vec![
                    OrderCancelled {
                        reason: free_text("reason", Some(reason), 500)?.unwrap_or_default(),
                        cancelled_at: at,
                    }
                    .into(),
                ]),
            }
        }
        OrderCommand::DeliverOrder(command::DeliverOrder { delivery_id, .. }) => {
            let o = existing()?;
            if o.status != OrderStatus::Placed {
                return Err(DomainError::NotPlaced { status: o.status });
            }
            Ok(vec![
                OrderDelivered {
                    delivery_id: *delivery_id,
                    delivered_at: at,
                }
                .into(),
            ])
        }
        OrderCommand::InvoiceOrder(command::InvoiceOrder { invoice_id, .. }) => {
            let o = existing()?;
            if o.status != OrderStatus::Delivered {
                return Err(DomainError::NotDelivered { status: o.status });
            }
            Ok(vec![
                OrderInvoiced {
                    invoice_id: *invoice_id,
                    invoice_number: facts.invoice_number,
                    invoiced_at: at,
                }
                .into(),
            ])
        }
    }
}
