//! The subcommands that change things: one domain command each (friendly flags in,
//! the command's JSON for `exec`), plus the `list`/`show` of each record kind.
//! Updates take only the flags given and fill the rest from the current record, since
//! the domain's update commands carry full new values.

use clap::{Args, Subcommand, ValueEnum};
use daybook_app::query::{CustomerQuery, ProductQuery};
use daybook_app::{CommandOutcome, NumberSeries};
use daybook_domain::{
    AddCustomerAddress, AddOrderLine, BlockCustomer, CancelOrder, ChangeCustomerAddress,
    ChangeOrderLine, CreateOrder, DeliverOrder, DiscontinueProduct, InvoiceOrder, PlaceOrder,
    RegisterCustomer, RegisterProduct, ReinstateProduct, RemoveCustomerAddress, RemoveOrderLine,
    SetDeliveryAddress, SetOrderDetails, SetSpendingLimit, UnblockCustomer, UpdateCustomer,
    UpdateProduct,
};
use daybook_domain::{
    Address, AddressId, Command, CommandEnvelope, Currency, CustomerId, CustomerKind, DeliveryId,
    InvoiceId, LineId, Money, OrderId, ProductId, VatClass,
};
use serde::Serialize;
use uuid::Uuid;

use crate::output::{Align, Table, clip, money};
use crate::{Ctx, InputError, input, read, resolve};

/// Organisation or person.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Organisation,
    Person,
}

impl From<Kind> for CustomerKind {
    fn from(k: Kind) -> CustomerKind {
        match k {
            Kind::Organisation => CustomerKind::Organisation,
            Kind::Person => CustomerKind::Person,
        }
    }
}

/// A spending limit: an amount, or none.
#[derive(Debug, Clone, Copy)]
pub struct Limit(Option<Money>);

fn limit_arg(s: &str) -> Result<Limit, String> {
    input::limit(s).map(Limit)
}

#[derive(Debug, Subcommand)]
pub enum CustomerCmd {
    /// Register a customer; prints its number and id
    Add(CustomerAdd),
    /// Change name, kind, VAT number or e-mail (only what is given; "" clears)
    Update(CustomerUpdate),
    /// Add an address; prints its id
    AddressAdd {
        /// Customer id or number
        customer: String,
        #[command(flatten)]
        address: AddressArgs,
    },
    /// Correct an address (only the fields given)
    AddressChange {
        /// Customer id or number
        customer: String,
        /// Address id, number (1 = first, as in `show`) or label
        address: String,
        #[command(flatten)]
        fields: AddressChangeArgs,
    },
    /// Remove an address
    AddressRemove {
        /// Customer id or number
        customer: String,
        /// Address id, number (1 = first) or label
        address: String,
    },
    /// Set the spending limit on open orders, or `none` for unlimited
    Limit {
        /// Customer id or number
        customer: String,
        /// An amount such as 5000 or 5000.00, or `none`
        #[arg(value_parser = limit_arg)]
        limit: Limit,
    },
    /// Stop the customer from placing orders
    Block {
        /// Customer id or number
        customer: String,
        /// Why (kept in the history)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Allow the customer to place orders again
    Unblock {
        /// Customer id or number
        customer: String,
    },
    /// List customers by name
    List(CustomerList),
    /// One customer with addresses
    Show {
        /// Customer id or number
        customer: String,
    },
}

#[derive(Debug, Args)]
pub struct CustomerAdd {
    /// Display name
    #[arg(long)]
    name: String,
    /// Customer number [default: the next free one, e.g. C-00042]
    #[arg(long)]
    number: Option<String>,
    /// Organisation or person
    #[arg(long, value_enum, default_value_t = Kind::Organisation)]
    kind: Kind,
    /// VAT number
    #[arg(long)]
    vat_number: Option<String>,
    /// Contact e-mail
    #[arg(long)]
    email: Option<String>,
    /// Currency of the customer's orders
    #[arg(long, value_parser = input::currency, default_value = "EUR", value_name = "CODE")]
    currency: Currency,
    /// Spending limit on open orders, e.g. 5000.00 [default: unlimited]
    #[arg(long, value_parser = input::money, value_name = "AMOUNT")]
    limit: Option<Money>,
}

#[derive(Debug, Args)]
pub struct CustomerUpdate {
    /// Customer id or number
    customer: String,
    /// New display name
    #[arg(long)]
    name: Option<String>,
    /// Organisation or person
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// New VAT number ("" clears it)
    #[arg(long)]
    vat_number: Option<String>,
    /// New e-mail ("" clears it)
    #[arg(long)]
    email: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddressArgs {
    /// What you call it ("Head office", "Warehouse")
    #[arg(long, default_value = "")]
    label: String,
    /// Street and number
    #[arg(long)]
    street: String,
    /// Postal code
    #[arg(long, default_value = "")]
    postal_code: String,
    /// City
    #[arg(long)]
    city: String,
    /// Country (ISO code or name)
    #[arg(long)]
    country: String,
}

#[derive(Debug, Args)]
pub struct AddressChangeArgs {
    /// New label
    #[arg(long)]
    label: Option<String>,
    /// New street and number
    #[arg(long)]
    street: Option<String>,
    /// New postal code
    #[arg(long)]
    postal_code: Option<String>,
    /// New city
    #[arg(long)]
    city: Option<String>,
    /// New country
    #[arg(long)]
    country: Option<String>,
}

#[derive(Debug, Args)]
pub struct CustomerList {
    /// Words matching the start of name or number words
    #[arg(long)]
    search: Option<String>,
    /// Only blocked customers
    #[arg(long, conflicts_with = "unblocked")]
    blocked: bool,
    /// Only customers that are not blocked
    #[arg(long)]
    unblocked: bool,
    /// Rows to skip
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: u64,
    /// Rows to show (1-1000)
    #[arg(long, value_parser = input::page_size, value_name = "N")]
    limit: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ProductCmd {
    /// Add a product to the catalogue; prints its code and id
    Add {
        /// Unique product code, e.g. KAN-0010
        #[arg(long)]
        code: String,
        /// Description
        #[arg(long)]
        description: String,
        /// Price per unit excluding VAT, e.g. 12.50
        #[arg(long, value_parser = input::money, value_name = "AMOUNT")]
        price: Money,
        /// VAT class: standard (21%), reduced (9%) or zero
        #[arg(long, value_parser = input::vat_class, value_name = "CLASS", default_value = "standard")]
        vat: VatClass,
    },
    /// Change description, price or VAT class (only what is given)
    Update {
        /// Product id or code
        product: String,
        /// New description
        #[arg(long)]
        description: Option<String>,
        /// New price per unit excluding VAT
        #[arg(long, value_parser = input::money, value_name = "AMOUNT")]
        price: Option<Money>,
        /// New VAT class
        #[arg(long, value_parser = input::vat_class, value_name = "CLASS")]
        vat: Option<VatClass>,
    },
    /// Stop offering a product (old orders keep it)
    Discontinue {
        /// Product id or code
        product: String,
    },
    /// Offer a discontinued product again
    Reinstate {
        /// Product id or code
        product: String,
    },
    /// The catalogue, by code
    List {
        /// Words matching the start of code or description words
        #[arg(long)]
        search: Option<String>,
        /// Include discontinued products
        #[arg(long)]
        all: bool,
        /// Rows to skip
        #[arg(long, default_value_t = 0, value_name = "N")]
        offset: u64,
        /// Rows to show (1-1000)
        #[arg(long, value_parser = input::page_size, value_name = "N")]
        limit: Option<u64>,
    },
    /// One product
    Show {
        /// Product id or code
        product: String,
    },
}

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
    /// Place the order (checks blocked customer and spending limit)
    Place {
        /// Order id or number
        order: String,
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

/// What a write printed with `--json`.
#[derive(Debug, Serialize)]
struct Written {
    /// The record.
    id: Uuid,
    /// Its number or code, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    /// The address or line the command created.
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Uuid>,
    /// What the store did.
    outcome: CommandOutcome,
}

/// Runs one command and reports it: `text` for people, [`Written`] for `--json`.
fn run(
    ctx: &mut Ctx,
    command: Command,
    number: Option<String>,
    created: Option<Uuid>,
    text: impl FnOnce(&CommandOutcome) -> String,
) -> anyhow::Result<()> {
    let id = command.target().1;
    let outcome = ctx.db.execute(command)?;
    if ctx.json {
        ctx.out.json(&Written {
            id,
            number,
            created,
            outcome,
        })?;
    } else {
        let mut line = text(&outcome);
        if outcome.events.is_empty() && !outcome.duplicate {
            line.push_str(" (nothing changed)");
        }
        ctx.out.line(line);
    }
    Ok(())
}

fn blank_is_none(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

fn customer_kind(text: &str) -> CustomerKind {
    if text == CustomerKind::Person.as_str() {
        CustomerKind::Person
    } else {
        CustomerKind::Organisation
    }
}

pub fn customer(ctx: &mut Ctx, cmd: CustomerCmd) -> anyhow::Result<()> {
    match cmd {
        CustomerCmd::Add(a) => {
            let number = match a.number {
                Some(n) => n,
                None => ctx.db.next_number(NumberSeries::Customer)?,
            };
            let id = CustomerId::new();
            let name = a.name.clone();
            let shown = number.trim().to_string();
            run(
                ctx,
                Command::RegisterCustomer(RegisterCustomer {
                    customer_id: id,
                    number: number.clone(),
                    kind: a.kind.into(),
                    name: a.name,
                    vat_number: a.vat_number,
                    email: a.email,
                    currency: a.currency,
                    spending_limit: a.limit,
                }),
                Some(shown.clone()),
                None,
                |_| format!("created customer {shown} {name} (id {id})"),
            )
        }
        CustomerCmd::Update(a) => {
            let id = resolve::customer(&ctx.db, &a.customer)?;
            let c = ctx.db.read().customer(id)?.customer;
            let number = c.number.clone();
            run(
                ctx,
                Command::UpdateCustomer(UpdateCustomer {
                    customer_id: CustomerId(id),
                    kind: a.kind.map_or_else(|| customer_kind(&c.kind), Into::into),
                    name: a.name.unwrap_or(c.name),
                    vat_number: a.vat_number.map_or(c.vat_number, blank_is_none),
                    email: a.email.map_or(c.email, blank_is_none),
                }),
                Some(number.clone()),
                None,
                |_| format!("updated customer {number}"),
            )
        }
        CustomerCmd::AddressAdd { customer, address } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let number = ctx.db.read().customer(id)?.customer.number;
            let address_id = AddressId::new();
            run(
                ctx,
                Command::AddCustomerAddress(AddCustomerAddress {
                    customer_id: CustomerId(id),
                    address_id,
                    address: Address {
                        label: address.label,
                        street: address.street,
                        postal_code: address.postal_code,
                        city: address.city,
                        country: address.country,
                    },
                }),
                Some(number.clone()),
                Some(address_id.0),
                |_| format!("added address {address_id} to customer {number}"),
            )
        }
        CustomerCmd::AddressChange {
            customer,
            address,
            fields,
        } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let detail = ctx.db.read().customer(id)?;
            let address_id = resolve::address(&detail.addresses, &address)?;
            let current = detail
                .addresses
                .iter()
                .find(|a| a.id == address_id)
                .ok_or_else(|| {
                    InputError::new(format!(
                        "address {address_id} is not one of this customer's addresses"
                    ))
                })?;
            let number = detail.customer.number.clone();
            run(
                ctx,
                Command::ChangeCustomerAddress(ChangeCustomerAddress {
                    customer_id: CustomerId(id),
                    address_id: AddressId(address_id),
                    address: Address {
                        label: fields.label.unwrap_or_else(|| current.label.clone()),
                        street: fields.street.unwrap_or_else(|| current.street.clone()),
                        postal_code: fields
                            .postal_code
                            .unwrap_or_else(|| current.postal_code.clone()),
                        city: fields.city.unwrap_or_else(|| current.city.clone()),
                        country: fields.country.unwrap_or_else(|| current.country.clone()),
                    },
                }),
                Some(number.clone()),
                None,
                |_| format!("changed address {address_id} of customer {number}"),
            )
        }
        CustomerCmd::AddressRemove { customer, address } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let detail = ctx.db.read().customer(id)?;
            let address_id = resolve::address(&detail.addresses, &address)?;
            let number = detail.customer.number;
            run(
                ctx,
                Command::RemoveCustomerAddress(RemoveCustomerAddress {
                    customer_id: CustomerId(id),
                    address_id: AddressId(address_id),
                }),
                Some(number.clone()),
                None,
                |_| format!("removed address {address_id} from customer {number}"),
            )
        }
        CustomerCmd::Limit { customer, limit } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let number = ctx.db.read().customer(id)?.customer.number;
            let shown = limit.0.map_or_else(|| "unlimited".to_string(), money);
            run(
                ctx,
                Command::SetSpendingLimit(SetSpendingLimit {
                    customer_id: CustomerId(id),
                    limit: limit.0,
                }),
                Some(number.clone()),
                None,
                |_| format!("spending limit of customer {number}: {shown}"),
            )
        }
        CustomerCmd::Block { customer, reason } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let number = ctx.db.read().customer(id)?.customer.number;
            run(
                ctx,
                Command::BlockCustomer(BlockCustomer {
                    customer_id: CustomerId(id),
                    reason,
                }),
                Some(number.clone()),
                None,
                |_| format!("blocked customer {number}"),
            )
        }
        CustomerCmd::Unblock { customer } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            let number = ctx.db.read().customer(id)?.customer.number;
            run(
                ctx,
                Command::UnblockCustomer(UnblockCustomer {
                    customer_id: CustomerId(id),
                }),
                Some(number.clone()),
                None,
                |_| format!("unblocked customer {number}"),
            )
        }
        CustomerCmd::List(a) => {
            let q = CustomerQuery {
                search: a.search,
                blocked: match (a.blocked, a.unblocked) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
                offset: a.offset,
                limit: a.limit,
            };
            let page = ctx.db.read().customers(&q)?;
            if ctx.json {
                return ctx.out.json(&page);
            }
            let mut t = Table::new(&[
                ("Number", Align::Left),
                ("Name", Align::Left),
                ("Kind", Align::Left),
                ("E-mail", Align::Left),
                ("Orders", Align::Right),
                ("Open", Align::Right),
                ("Limit", Align::Right),
                ("", Align::Left),
            ]);
            for c in &page.rows {
                t.row(vec![
                    c.number.clone(),
                    clip(&c.name, 40),
                    c.kind.clone(),
                    c.email.clone().unwrap_or_default(),
                    c.order_count.to_string(),
                    money(c.open_total),
                    c.spending_limit.map(money).unwrap_or_default(),
                    if c.blocked { "blocked" } else { "" }.to_string(),
                ]);
            }
            t.render(&mut ctx.out);
            ctx.out.line(read::footer(
                page.rows.len(),
                page.total,
                q.offset,
                "customers",
            ));
            Ok(())
        }
        CustomerCmd::Show { customer } => {
            let id = resolve::customer(&ctx.db, &customer)?;
            read::show_customer(ctx, id)
        }
    }
}

pub fn product(ctx: &mut Ctx, cmd: ProductCmd) -> anyhow::Result<()> {
    match cmd {
        ProductCmd::Add {
            code,
            description,
            price,
            vat,
        } => {
            let id = ProductId::new();
            let shown = code.trim().to_string();
            run(
                ctx,
                Command::RegisterProduct(RegisterProduct {
                    product_id: id,
                    code,
                    description,
                    unit_price: price,
                    vat_class: vat,
                }),
                Some(shown.clone()),
                None,
                |_| format!("created product {shown} (id {id})"),
            )
        }
        ProductCmd::Update {
            product,
            description,
            price,
            vat,
        } => {
            let id = resolve::product(&ctx.db, &product)?;
            let p = ctx.db.read().product(id)?;
            let vat_class = match vat {
                Some(v) => v,
                None => VatClass::parse(&p.vat_class).ok_or_else(|| {
                    InputError::new(format!("product has an unknown VAT class {}", p.vat_class))
                })?,
            };
            let code = p.code.clone();
            run(
                ctx,
                Command::UpdateProduct(UpdateProduct {
                    product_id: ProductId(id),
                    description: description.unwrap_or(p.description),
                    unit_price: price.unwrap_or(p.unit_price),
                    vat_class,
                }),
                Some(code.clone()),
                None,
                |_| format!("updated product {code}"),
            )
        }
        ProductCmd::Discontinue { product } => {
            let id = resolve::product(&ctx.db, &product)?;
            let code = ctx.db.read().product(id)?.code;
            run(
                ctx,
                Command::DiscontinueProduct(DiscontinueProduct {
                    product_id: ProductId(id),
                }),
                Some(code.clone()),
                None,
                |_| format!("discontinued product {code}"),
            )
        }
        ProductCmd::Reinstate { product } => {
            let id = resolve::product(&ctx.db, &product)?;
            let code = ctx.db.read().product(id)?.code;
            run(
                ctx,
                Command::ReinstateProduct(ReinstateProduct {
                    product_id: ProductId(id),
                }),
                Some(code.clone()),
                None,
                |_| format!("reinstated product {code}"),
            )
        }
        ProductCmd::List {
            search,
            all,
            offset,
            limit,
        } => {
            let q = ProductQuery {
                search,
                include_discontinued: all,
                offset,
                limit,
            };
            let page = ctx.db.read().products(&q)?;
            if ctx.json {
                return ctx.out.json(&page);
            }
            let mut t = Table::new(&[
                ("Code", Align::Left),
                ("Description", Align::Left),
                ("Price", Align::Right),
                ("VAT", Align::Left),
                ("", Align::Left),
            ]);
            for p in &page.rows {
                t.row(vec![
                    p.code.clone(),
                    clip(&p.description, 50),
                    money(p.unit_price),
                    p.vat_class.clone(),
                    if p.discontinued { "discontinued" } else { "" }.to_string(),
                ]);
            }
            t.render(&mut ctx.out);
            ctx.out.line(read::footer(
                page.rows.len(),
                page.total,
                offset,
                "products",
            ));
            Ok(())
        }
        ProductCmd::Show { product } => {
            let id = resolve::product(&ctx.db, &product)?;
            read::show_product(ctx, id)
        }
    }
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
            run(
                ctx,
                Command::CreateOrder(CreateOrder {
                    order_id: id,
                    number,
                    customer_id: CustomerId(customer_id),
                }),
                Some(shown.clone()),
                None,
                |_| format!("created order {shown} (id {id})"),
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
            run(
                ctx,
                Command::SetOrderDetails(SetOrderDetails {
                    order_id: OrderId(id),
                    customer_reference: reference
                        .map_or(detail.order.customer_reference, blank_is_none),
                    notes: notes.map_or(detail.notes, blank_is_none),
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
                |_| format!("placed order {number}"),
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

/// `exec JSON`: a command or a full envelope, in the domain's serde form.
pub fn exec(ctx: &mut Ctx, text: &str) -> anyhow::Result<()> {
    let text = if text.trim() == "-" {
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf)
            .map_err(|e| InputError::new(format!("cannot read the command from stdin: {e}")))?;
        buf
    } else {
        text.to_string()
    };
    let env = parse_envelope(&text)?;
    let name = env.command.name();
    let outcome = ctx.db.execute_envelope(env)?;
    if ctx.json {
        return ctx.out.json(&outcome);
    }
    let what = if outcome.duplicate {
        "already applied; nothing written again".to_string()
    } else if outcome.events.is_empty() {
        "nothing changed".to_string()
    } else {
        outcome.events.join(", ")
    };
    ctx.out.line(format!(
        "{name}: {what} (record {} at revision {})",
        outcome.stream_id, outcome.revision
    ));
    Ok(())
}

/// A command, or a full envelope (`{"command_id", "issued_at", "command"}`), from JSON.
fn parse_envelope(text: &str) -> Result<CommandEnvelope, InputError> {
    daybook_domain::parse_command_json(text).map_err(|e| InputError::new(e.to_string()))
}

/// `daybook exec --stream`: one command or envelope per line of stdin, each run in its
/// own durable transaction. One JSON line per input line is printed and flushed only
/// after the command committed (`"ok": true`) or was refused with nothing written
/// (`"ok": false` with the error body); blank lines are skipped. A failing store
/// stops the stream (exit code 3): what was acknowledged before is committed.
pub fn exec_stream(ctx: &mut Ctx) -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for (i, line) in stdin.lines().enumerate() {
        let line =
            line.map_err(|e| InputError::new(format!("cannot read the commands from stdin: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let ack = match parse_envelope(&line) {
            Err(e) => serde_json::json!({
                "line": i + 1,
                "ok": false,
                "error": {"code": "invalid_input", "message": e.to_string(), "field": null},
            }),
            Ok(env) => {
                let command_id = env.command_id;
                match ctx.db.execute_envelope(env) {
                    Ok(outcome) => serde_json::json!({
                        "line": i + 1,
                        "ok": true,
                        "command_id": command_id,
                        "stream_id": outcome.stream_id,
                        "revision": outcome.revision,
                        "events": outcome.events,
                        "duplicate": outcome.duplicate,
                    }),
                    Err(e) if is_refusal(&e) => serde_json::json!({
                        "line": i + 1,
                        "ok": false,
                        "command_id": command_id,
                        "error": e.body(),
                    }),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        writeln!(stdout, "{ack}")?;
        stdout.flush()?;
    }
    Ok(())
}

/// A command refused with nothing written (the stream goes on), as opposed to the
/// store failing (the stream stops).
fn is_refusal(e: &daybook_app::AppError) -> bool {
    use daybook_app::AppError;
    match e {
        AppError::Store(_) => e.body().code == "conflict",
        AppError::Domain(_)
        | AppError::NotFound { .. }
        | AppError::UnknownRecord(_)
        | AppError::InvalidInput { .. } => true,
        // Commands never touch backup or export files.
        AppError::BadBackup(_) | AppError::Io { .. } => false,
    }
}
