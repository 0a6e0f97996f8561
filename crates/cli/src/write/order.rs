//! `daybook order ...`: create, customer, discard, lines, address, details, place, release,
//! refuse, cancel, deliver, invoice, duplicate, show.

//! The subcommands that change things: one domain command each (friendly flags in,
//! the command's JSON for `exec`), plus the `list`/`show` of each record kind.
//! Updates take only the flags given and fill the rest from the current record, since
//! the domain's update commands carry full new values.

use crate::{Ctx, InputError, input, read, resolve};
use clap::Subcommand;
use daybook_app::NumberSeries;
use daybook_domain::{
    AddOrderLine, CancelOrder, ChangeOrderCustomer, ChangeOrderLine, CreateOrder, DeliverOrder,
    DetailsValues, DiscardOrder, InvoiceOrder, LineValues, PlaceOrder, RefuseHeldOrder,
    ReleaseOrder, RemoveOrderLine, SetDeliveryAddress, SetOrderDetails,
};
use daybook_domain::{
    AddressId, Command, CommandEnvelope, CustomerId, DeliveryId, InvoiceId, LineId, Money, OrderId,
    ProductId,
};
use uuid::Uuid;

use super::{blank_is_none, report, run};

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Open a draft order; prints its number and id
    Create {
        /// Customer id or number
        #[arg(long)]
        customer: String,
        /// Order number [default: the next free one, e.g. SO-00042]
        #[arg(long)]
        number: Option<String>,
    },
    /// Give a draft to another customer; the delivery address becomes the new
    /// customer's first address (or none)
    Customer {
        /// Order id or number
        order: String,
        /// The new customer's id or number
        customer: String,
    },
    /// Discard a draft that was never placed: it leaves the lists, its history stays
    Discard {
        /// Order id or number
        order: String,
    },
    /// Add a line; price, VAT and description default to the catalogue's
    AddLine {
        /// Order id or number
        order: String,
        /// Product id or code
        #[arg(long)]
        product: String,
        /// Units
        #[arg(
            long,
            short,
            default_value_t = 1,
            allow_negative_numbers = true,
            value_name = "N"
        )]
        quantity: i64,
        /// Price per unit excluding VAT [default: the catalogue price]
        #[arg(long, value_parser = input::money, value_name = "AMOUNT", allow_negative_numbers = true)]
        price: Option<Money>,
        /// Discount in percent, e.g. 10 or 12.5
        #[arg(long, value_parser = input::percent, value_name = "PERCENT", default_value = "0", allow_negative_numbers = true)]
        discount: i64,
        /// Description [default: the catalogue's]
        #[arg(long)]
        description: Option<String>,
    },
    /// Change a line's quantity, price or discount (only what is given)
    ChangeLine {
        /// Order id or number
        order: String,
        /// Line number (1 = first), product code or line id
        line: String,
        /// New quantity
        #[arg(long, short, allow_negative_numbers = true, value_name = "N")]
        quantity: Option<i64>,
        /// New price per unit
        #[arg(long, value_parser = input::money, value_name = "AMOUNT", allow_negative_numbers = true)]
        price: Option<Money>,
        /// New discount in percent
        #[arg(long, value_parser = input::percent, value_name = "PERCENT", allow_negative_numbers = true)]
        discount: Option<i64>,
    },
    /// Remove a line
    RemoveLine {
        /// Order id or number
        order: String,
        /// Line number (1 = first), product code or line id
        line: String,
    },
    /// Choose the delivery address among the customer's
    Address {
        /// Order id or number
        order: String,
        /// Address id, number (1 = first, as in `customer show`) or label
        address: String,
    },
    /// Set the customer's reference and notes (only what is given; "" clears)
    Details {
        /// Order id or number
        order: String,
        /// The customer's reference, e.g. their purchase order number
        #[arg(long)]
        reference: Option<String>,
        /// Notes
        #[arg(long)]
        notes: Option<String>,
    },
    /// Place the order (refused for a blocked customer; held for a manager when over
    /// the spending limit)
    Place {
        /// Order id or number
        order: String,
    },
    /// Release a held order (a manager's approval past the spending limit): it is placed
    Release {
        /// Order id or number
        order: String,
    },
    /// Refuse a held order: it becomes a draft again
    Refuse {
        /// Order id or number
        order: String,
        /// Why (the clerk reads it in the history)
        #[arg(long)]
        reason: String,
    },
    /// Cancel the order
    Cancel {
        /// Order id or number
        order: String,
        /// Why (kept in the history)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Record delivery of a placed order
    Deliver {
        /// Order id or number
        order: String,
    },
    /// Invoice a delivered order
    Invoice {
        /// Order id or number
        order: String,
    },
    /// Open a new draft with the same customer and lines; prints its number and id
    Duplicate {
        /// Order id or number
        order: String,
    },
    /// One order with lines and totals
    Show {
        /// Order id or number
        order: String,
    },
}

pub fn order(ctx: &mut Ctx, cmd: OrderCmd) -> anyhow::Result<()> {
    match cmd {
        OrderCmd::Create { customer, number } => {
            // Resolve first, so a typo does not use up an order number.
            let customer_id = resolve::customer(&ctx.db, &customer)?;
            let number = match number {
                Some(n) => n,
                None => ctx.db.next_number(NumberSeries::Order)?,
            };
            let id = OrderId::new();
            let shown = number.trim().to_string();
            let create = Command::CreateOrder(CreateOrder {
                order_id: id,
                number,
                customer_id: CustomerId(customer_id),
            });
            // The customer's default delivery address (the first of theirs), in the same
            // transaction as the order.
            let first = ctx
                .db
                .read()
                .customer(customer_id)?
                .addresses
                .into_iter()
                .next();
            let Some(address) = first else {
                return run(ctx, create, Some(shown.clone()), None, |_| {
                    format!("created order {shown} (id {id})")
                });
            };
            let deliver = Command::SetDeliveryAddress(SetDeliveryAddress {
                order_id: id,
                address_id: AddressId(address.id),
            });
            let outcomes = ctx
                .db
                .execute_atomic([create, deliver].map(CommandEnvelope::new))?;
            let mut joined = outcomes.into_iter();
            let Some(mut outcome) = joined.next() else {
                return Err(InputError::new("the order was not created").into());
            };
            for o in joined {
                outcome.revision = o.revision;
                outcome.events.extend(o.events);
            }
            report(ctx, id.0, Some(shown.clone()), None, outcome, |_| {
                format!(
                    "created order {shown} (id {id}), delivering to {}",
                    address.label
                )
            })
        }
        OrderCmd::Customer { order, customer } => {
            let (id, number) = order_ref(ctx, &order)?;
            let customer_id = resolve::customer(&ctx.db, &customer)?;
            let name = ctx.db.read().customer(customer_id)?.customer.name;
            run(
                ctx,
                Command::ChangeOrderCustomer(ChangeOrderCustomer {
                    order_id: OrderId(id),
                    customer_id: CustomerId(customer_id),
                }),
                Some(number.clone()),
                None,
                |_| format!("order {number} is now for {name}"),
            )
        }
        OrderCmd::Discard { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            run(
                ctx,
                Command::DiscardOrder(DiscardOrder {
                    order_id: OrderId(id),
                }),
                Some(number.clone()),
                None,
                |_| format!("discarded draft order {number}; its history stays"),
            )
        }
        OrderCmd::AddLine {
            order,
            product,
            quantity,
            price,
            discount,
            description,
        } => {
            let (id, number) = order_ref(ctx, &order)?;
            let product_id = resolve::product(&ctx.db, &product)?;
            let line_id = LineId::new();
            run(
                ctx,
                Command::AddOrderLine(AddOrderLine {
                    order_id: OrderId(id),
                    line_id,
                    product_id: ProductId(product_id),
                    quantity,
                    unit_price: price,
                    discount_bp: discount,
                    description,
                }),
                Some(number.clone()),
                Some(line_id.0),
                |o| {
                    format!(
                        "added line {line_id} to order {number} (revision {})",
                        o.revision
                    )
                },
            )
        }
        OrderCmd::ChangeLine {
            order,
            line,
            quantity,
            price,
            discount,
        } => {
            let (id, number) = order_ref(ctx, &order)?;
            let detail = ctx.db.read().order(id)?;
            let line_id = resolve::line(&detail.lines, &line)?;
            let current = detail
                .lines
                .iter()
                .find(|l| l.line_id == line_id)
                .ok_or_else(|| InputError::new(format!("the order has no line {line_id}")))?;
            run(
                ctx,
                Command::ChangeOrderLine(ChangeOrderLine {
                    order_id: OrderId(id),
                    line_id: LineId(line_id),
                    quantity: quantity.unwrap_or(current.quantity),
                    unit_price: price.unwrap_or(current.unit_price),
                    discount_bp: discount.unwrap_or(current.discount_bp),
                    // What this store shows now: a colleague's change to the same line
                    // that reaches the server first is merged or refused, not overwritten.
                    seen: Some(LineValues {
                        quantity: current.quantity,
                        unit_price: current.unit_price,
                        discount_bp: current.discount_bp,
                    }),
                }),
                Some(number.clone()),
                None,
                |_| format!("changed line {line_id} of order {number}"),
            )
        }
        OrderCmd::RemoveLine { order, line } => {
            let (id, number) = order_ref(ctx, &order)?;
            let detail = ctx.db.read().order(id)?;
            let line_id = resolve::line(&detail.lines, &line)?;
            run(
                ctx,
                Command::RemoveOrderLine(RemoveOrderLine {
                    order_id: OrderId(id),
                    line_id: LineId(line_id),
                }),
                Some(number.clone()),
                None,
                |_| format!("removed line {line_id} from order {number}"),
            )
        }
        OrderCmd::Address { order, address } => {
            let (id, number) = order_ref(ctx, &order)?;
            let customer_id = ctx.db.read().order(id)?.order.customer_id;
            let addresses = ctx.db.read().customer(customer_id)?.addresses;
            let address_id = resolve::address(&addresses, &address)?;
            run(
                ctx,
                Command::SetDeliveryAddress(SetDeliveryAddress {
                    order_id: OrderId(id),
                    address_id: AddressId(address_id),
                }),
                Some(number.clone()),
                None,
                |_| format!("order {number} delivers to address {address_id}"),
            )
        }
        OrderCmd::Details {
            order,
            reference,
            notes,
        } => {
            let (id, number) = order_ref(ctx, &order)?;
            let detail = ctx.db.read().order(id)?;
            let seen = DetailsValues {
                customer_reference: detail.order.customer_reference.clone(),
                notes: detail.notes.clone(),
            };
            run(
                ctx,
                Command::SetOrderDetails(SetOrderDetails {
                    order_id: OrderId(id),
                    customer_reference: reference
                        .map_or(detail.order.customer_reference, blank_is_none),
                    notes: notes.map_or(detail.notes, blank_is_none),
                    seen: Some(seen),
                }),
                Some(number.clone()),
                None,
                |_| format!("updated the details of order {number}"),
            )
        }
        OrderCmd::Place { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            run(
                ctx,
                Command::PlaceOrder(PlaceOrder {
                    order_id: OrderId(id),
                }),
                Some(number.clone()),
                None,
                |o| {
                    if o.events.iter().any(|e| e == "OrderHeld") {
                        format!(
                            "order {number} is held: it would take the customer over the \
                             spending limit; a manager releases or refuses it (daybook approvals)"
                        )
                    } else {
                        format!("placed order {number}")
                    }
                },
            )
        }
        OrderCmd::Release { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            run(
                ctx,
                Command::ReleaseOrder(ReleaseOrder {
                    order_id: OrderId(id),
                }),
                Some(number.clone()),
                None,
                |_| format!("released order {number}: it is placed"),
            )
        }
        OrderCmd::Refuse { order, reason } => {
            let (id, number) = order_ref(ctx, &order)?;
            run(
                ctx,
                Command::RefuseHeldOrder(RefuseHeldOrder {
                    order_id: OrderId(id),
                    reason,
                }),
                Some(number.clone()),
                None,
                |_| format!("refused order {number}: it is a draft again"),
            )
        }
        OrderCmd::Cancel { order, reason } => {
            let (id, number) = order_ref(ctx, &order)?;
            run(
                ctx,
                Command::CancelOrder(CancelOrder {
                    order_id: OrderId(id),
                    reason,
                }),
                Some(number.clone()),
                None,
                |_| format!("cancelled order {number}"),
            )
        }
        OrderCmd::Deliver { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            let delivery_id = DeliveryId::new();
            run(
                ctx,
                Command::DeliverOrder(DeliverOrder {
                    order_id: OrderId(id),
                    delivery_id,
                }),
                Some(number.clone()),
                Some(delivery_id.0),
                |_| format!("delivered order {number} (delivery {delivery_id})"),
            )
        }
        OrderCmd::Invoice { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            let invoice_id = InvoiceId::new();
            run(
                ctx,
                Command::InvoiceOrder(InvoiceOrder {
                    order_id: OrderId(id),
                    invoice_id,
                }),
                Some(number.clone()),
                Some(invoice_id.0),
                |_| format!("invoiced order {number} (invoice {invoice_id})"),
            )
        }
        OrderCmd::Duplicate { order } => {
            let (id, number) = order_ref(ctx, &order)?;
            let new_id = ctx.db.duplicate_order(OrderId(id))?;
            let copy = ctx.db.read().order(new_id.0)?.order;
            if ctx.json {
                ctx.out.json(&copy)?;
            } else {
                ctx.out.line(format!(
                    "created order {} (id {}) as a copy of {number}",
                    copy.number, copy.id
                ));
            }
            Ok(())
        }
        OrderCmd::Show { order } => {
            let id = resolve::order(&ctx.db, &order)?;
            read::show_order(ctx, id)
        }
    }
}

/// An order's id and number.
fn order_ref(ctx: &Ctx, key: &str) -> anyhow::Result<(Uuid, String)> {
    let id = resolve::order(&ctx.db, key)?;
    let number = ctx.db.read().order(id)?.order.number;
    Ok((id, number))
}
