//! `daybook product ...`: register, update, discontinue, reinstate, list, show.

//! The subcommands that change things: one domain command each (friendly flags in,
//! the command's JSON for `exec`), plus the `list`/`show` of each record kind.
//! Updates take only the flags given and fill the rest from the current record, since
//! the domain's update commands carry full new values.

use crate::output::{Align, Table, clip, money};
use crate::{Ctx, InputError, input, read, resolve};
use clap::Subcommand;
use daybook_app::query::ProductQuery;
use daybook_domain::{Command, Money, ProductId, VatClass};
use daybook_domain::{DiscontinueProduct, RegisterProduct, ReinstateProduct, UpdateProduct};

use super::run;

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
