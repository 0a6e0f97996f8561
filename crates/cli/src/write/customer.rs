//! `daybook customer ...`: register, update, addresses, spending limit, block, list, show.

//! The subcommands that change things: one domain command each (friendly flags in,
//! the command's JSON for `exec`), plus the `list`/`show` of each record kind.
//! Updates take only the flags given and fill the rest from the current record, since
//! the domain's update commands carry full new values.

use crate::output::{Align, Table, clip, money};
use crate::{Ctx, InputError, input, read, resolve};
use clap::{Args, Subcommand, ValueEnum};
use daybook_app::NumberSeries;
use daybook_app::query::CustomerQuery;
use daybook_domain::{
    AddCustomerAddress, BlockCustomer, ChangeCustomerAddress, RegisterCustomer,
    RemoveCustomerAddress, SetSpendingLimit, UnblockCustomer, UpdateCustomer,
};
use daybook_domain::{Address, AddressId, Command, Currency, CustomerId, CustomerKind, Money};

use super::{blank_is_none, run};

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
