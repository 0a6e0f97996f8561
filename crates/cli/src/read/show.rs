//! `daybook show`: an order, customer or product in detail.

//! The read commands: the order list, record detail, history and the record as it
//! was, the account timeline, stats, the dashboard and rebuild. Text for people;
//! `--json` prints the app's query structs as they are.

use crate::Ctx;
use crate::output::{Align, Table, clip, money, one_line, percent, time};
use crate::resolve::Record;
use daybook_app::query::AddressRow;
use uuid::Uuid;

pub(super) fn field(ctx: &mut Ctx, name: &str, value: impl AsRef<str>) {
    ctx.out.line(format!("  {name:<12} {}", value.as_ref()));
}

pub fn show_order(ctx: &mut Ctx, id: Uuid) -> anyhow::Result<()> {
    let d = ctx.db.read().order(id)?;
    if ctx.json {
        return ctx.out.json(&d);
    }
    let o = &d.order;
    let customer_number = ctx
        .db
        .read()
        .customer(o.customer_id)
        .map(|c| c.customer.number)
        .unwrap_or_default();
    ctx.out
        .line(format!("Order {}  {}  {}", o.number, o.status, o.currency));
    field(ctx, "id", o.id.to_string());
    field(
        ctx,
        "customer",
        format!("{customer_number} {}", o.customer_name),
    );
    field(ctx, "created", time(o.created_at));
    for (name, at) in [
        ("placed", o.placed_at),
        ("delivered", o.delivered_at),
        ("invoiced", o.invoiced_at),
        ("cancelled", o.cancelled_at),
    ] {
        if let Some(at) = at {
            field(ctx, name, time(at));
        }
    }
    if let Some(n) = d.invoice_number {
        field(ctx, "invoice no.", n.to_string());
    }
    if let Some(r) = &o.customer_reference {
        field(ctx, "reference", r);
    }
    if let Some(a) = &d.delivery_address {
        field(ctx, "deliver to", address_text(a));
    }
    if let Some(n) = &d.notes {
        field(ctx, "notes", one_line(n));
    }
    field(ctx, "revision", o.revision.to_string());
    ctx.out.line("");
    if d.lines.is_empty() {
        ctx.out.line("  (no lines)");
    } else {
        let mut t = Table::new(&[
            ("  #", Align::Right),
            ("Code", Align::Left),
            ("Description", Align::Left),
            ("Qty", Align::Right),
            ("Price", Align::Right),
            ("Disc", Align::Right),
            ("VAT", Align::Right),
            ("Net", Align::Right),
        ]);
        for (i, l) in d.lines.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                l.code.clone(),
                clip(&l.description, 44),
                l.quantity.to_string(),
                money(l.unit_price),
                if l.discount_bp == 0 {
                    String::new()
                } else {
                    percent(l.discount_bp)
                },
                percent(l.vat_rate_bp),
                money(l.net),
            ]);
        }
        t.render(&mut ctx.out);
    }
    ctx.out.line("");
    let mut t = Table::new(&[("", Align::Left), ("", Align::Right)]);
    t.row(vec!["Net".into(), money(d.totals.net)]);
    for r in &d.totals.per_rate {
        t.row(vec![
            format!("VAT {} over {}", percent(r.rate_bp), money(r.net)),
            money(r.vat),
        ]);
    }
    t.row(vec![
        format!("Gross ({})", o.currency),
        money(d.totals.gross),
    ]);
    let mut totals = crate::output::Out::default();
    t.render(&mut totals);
    for line in totals.into_string().lines().skip(1) {
        ctx.out.line(format!("  {line}"));
    }
    Ok(())
}

fn address_text(a: &AddressRow) -> String {
    let mut parts = Vec::new();
    if !a.label.is_empty() {
        parts.push(format!("{}:", a.label));
    }
    parts.push(format!("{},", a.street));
    if !a.postal_code.is_empty() {
        parts.push(a.postal_code.clone());
    }
    parts.push(format!("{},", a.city));
    parts.push(a.country.clone());
    parts.join(" ")
}

pub fn show_customer(ctx: &mut Ctx, id: Uuid) -> anyhow::Result<()> {
    let d = ctx.db.read().customer(id)?;
    if ctx.json {
        return ctx.out.json(&d);
    }
    let c = &d.customer;
    ctx.out.line(format!(
        "Customer {}  {}{}",
        c.number,
        c.name,
        if c.blocked { "  (blocked)" } else { "" }
    ));
    field(ctx, "id", c.id.to_string());
    field(ctx, "kind", &c.kind);
    if let Some(v) = &c.vat_number {
        field(ctx, "VAT number", v);
    }
    if let Some(e) = &c.email {
        field(ctx, "e-mail", e);
    }
    field(ctx, "currency", &c.currency);
    field(
        ctx,
        "limit",
        c.spending_limit
            .map_or_else(|| "unlimited".to_string(), money),
    );
    field(ctx, "open orders", money(c.open_total));
    field(ctx, "orders", c.order_count.to_string());
    field(ctx, "revision", c.revision.to_string());
    ctx.out.line("");
    if d.addresses.is_empty() {
        ctx.out.line("  (no addresses)");
    } else {
        let mut t = Table::new(&[
            ("  #", Align::Right),
            ("Label", Align::Left),
            ("Street", Align::Left),
            ("Postal code", Align::Left),
            ("City", Align::Left),
            ("Country", Align::Left),
            ("Id", Align::Left),
        ]);
        for (i, a) in d.addresses.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                a.label.clone(),
                a.street.clone(),
                a.postal_code.clone(),
                a.city.clone(),
                a.country.clone(),
                a.id.to_string(),
            ]);
        }
        t.render(&mut ctx.out);
    }
    Ok(())
}

pub fn show_product(ctx: &mut Ctx, id: Uuid) -> anyhow::Result<()> {
    let p = ctx.db.read().product(id)?;
    if ctx.json {
        return ctx.out.json(&p);
    }
    ctx.out.line(format!(
        "Product {}  {}{}",
        p.code,
        p.description,
        if p.discontinued {
            "  (discontinued)"
        } else {
            ""
        }
    ));
    field(ctx, "id", p.id.to_string());
    field(ctx, "price", money(p.unit_price));
    let rate = daybook_domain::VatClass::parse(&p.vat_class)
        .map(|c| format!(" ({})", percent(c.rate_bp())))
        .unwrap_or_default();
    field(ctx, "VAT", format!("{}{rate}", p.vat_class));
    field(ctx, "revision", p.revision.to_string());
    Ok(())
}

/// The company's own details.
pub fn show_company(ctx: &mut Ctx) -> anyhow::Result<()> {
    let c = ctx.db.read().company()?;
    if ctx.json {
        return ctx.out.json(&c);
    }
    let Some(c) = c else {
        ctx.out
            .line("The company's details are not set yet (daybook company set --name ...)");
        return Ok(());
    };
    ctx.out.line(format!("Company {}", c.name));
    let a = &c.address;
    field(
        ctx,
        "address",
        format!("{}, {} {}, {}", a.street, a.postal_code, a.city, a.country),
    );
    for (name, v) in [
        ("VAT number", &c.vat_number),
        ("bank", &c.bank_account),
        ("e-mail", &c.email),
        ("phone", &c.phone),
    ] {
        if let Some(v) = v {
            field(ctx, name, v);
        }
    }
    if let Some(l) = &c.logo {
        field(ctx, "logo", l.describe());
    }
    Ok(())
}

/// A record's label for headings: `SalesOrder SO-00042`.
pub(super) fn heading(ctx: &Ctx, record: Record) -> String {
    let read = ctx.db.read();
    match record {
        Record::Order(id) => read
            .order(id)
            .map(|d| format!("Order {}", d.order.number))
            .unwrap_or_else(|_| format!("Order {id}")),
        Record::Customer(id) => read
            .customer(id)
            .map(|d| format!("Customer {} {}", d.customer.number, d.customer.name))
            .unwrap_or_else(|_| format!("Customer {id}")),
        Record::Product(id) => read
            .product(id)
            .map(|p| format!("Product {}", p.code))
            .unwrap_or_else(|_| format!("Product {id}")),
        Record::Company => "Company details".into(),
    }
}
