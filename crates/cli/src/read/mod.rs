//! The read commands: the order list, record detail, history and the record as it
//! was, the account timeline, stats, the dashboard and rebuild. Text for people;
//! `--json` prints the app's query structs as they are.

mod history;
mod show;

use crate::output::{Align, Table, clip, money, time};
use crate::resolve::{self, Record};
use crate::{Ctx, input};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use daybook_app::query::{OrderQuery, OrderSort};
use daybook_domain::{CustomerId, Money, OrderStatus};

pub use history::{HistoryArgs, TimelineArgs, history, timeline};
use show::field;
pub use show::{show_company, show_customer, show_order, show_product};

/// Sort keys of the order list.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Sort {
    Created,
    Number,
    Customer,
    Status,
    Gross,
}

impl From<Sort> for OrderSort {
    fn from(s: Sort) -> OrderSort {
        match s {
            Sort::Created => OrderSort::Created,
            Sort::Number => OrderSort::Number,
            Sort::Customer => OrderSort::Customer,
            Sort::Status => OrderSort::Status,
            Sort::Gross => OrderSort::Gross,
        }
    }
}

#[derive(Debug, Args)]
pub struct OrdersArgs {
    /// Only these statuses (repeat, or separate with commas): draft, held, placed,
    /// delivered, invoiced, cancelled
    #[arg(long, value_parser = input::status, value_delimiter = ',', value_name = "STATUS")]
    status: Vec<OrderStatus>,
    /// Only this customer's orders (id or customer number)
    #[arg(long)]
    customer: Option<String>,
    /// Created on or after this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Created on or before this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// Find orders by the start of their number ("SO-0432") or the digits of it ("4321"
    /// finds SO-04321 and SO-D2-04321), by the start of a word of the customer's name,
    /// number or city, by the start of the customer's reference, or by a product code or
    /// description word on one of their lines
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Sort key
    #[arg(long, value_enum, default_value_t = Sort::Created)]
    sort: Sort,
    /// Largest (or newest) first
    #[arg(long)]
    desc: bool,
    /// Rows to skip
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: u64,
    /// Rows to show (1-1000) [default: 50]
    #[arg(long, value_parser = input::page_size, value_name = "N")]
    limit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// First day (YYYY-MM-DD) [default: a year before --to]
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD) [default: today]
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    to: Option<NaiveDate>,
}

/// `12 of 3,456 customers` (with the offset when paging).
pub fn footer(shown: usize, total: u64, offset: u64, what: &str) -> String {
    if offset > 0 {
        format!(
            "{shown} of {total} {what} (from #{} on)",
            offset.saturating_add(1)
        )
    } else {
        format!("{shown} of {total} {what}")
    }
}

pub fn orders(ctx: &mut Ctx, a: &OrdersArgs) -> anyhow::Result<()> {
    let customer_id = match &a.customer {
        Some(c) => Some(CustomerId(resolve::customer(&ctx.db, c)?)),
        None => None,
    };
    let q = OrderQuery {
        status: a.status.clone(),
        customer_id,
        from: a.from,
        to: a.to,
        search: a.search.clone(),
        sort: a.sort.into(),
        descending: a.desc,
        offset: a.offset,
        limit: a.limit,
    };
    let page = ctx.db.read().orders(&q)?;
    if ctx.json {
        return ctx.out.json(&page);
    }
    let foreign = page.rows.iter().any(|r| r.currency != "EUR");
    let mut columns = vec![
        ("Number", Align::Left),
        ("Created", Align::Left),
        ("Customer", Align::Left),
        ("Status", Align::Left),
        ("Lines", Align::Right),
        ("Net", Align::Right),
        ("VAT", Align::Right),
        ("Gross", Align::Right),
    ];
    if foreign {
        columns.push(("Cur", Align::Left));
    }
    columns.push(("Reference", Align::Left));
    let mut t = Table::new(&columns);
    for r in &page.rows {
        let mut row = vec![
            r.number.clone(),
            time(r.created_at),
            clip(&r.customer_name, 36),
            r.status.to_string(),
            r.line_count.to_string(),
            money(r.net),
            money(r.vat),
            money(r.gross),
        ];
        if foreign {
            row.push(r.currency.clone());
        }
        row.push(clip(r.customer_reference.as_deref().unwrap_or(""), 24));
        t.row(row);
    }
    if !t.is_empty() {
        t.render(&mut ctx.out);
    }
    ctx.out
        .line(footer(page.rows.len(), page.total, a.offset, "orders"));
    Ok(())
}

/// `daybook approvals`: the held orders, the longest waiting first.
pub fn approvals(ctx: &mut Ctx) -> anyhow::Result<()> {
    let rows = ctx.db.read().approvals()?;
    if ctx.json {
        return ctx.out.json(&rows);
    }
    let foreign = rows.iter().any(|r| r.currency != "EUR");
    let mut columns = vec![
        ("Number", Align::Left),
        ("Held", Align::Left),
        ("By", Align::Left),
        ("Customer", Align::Left),
        ("Amount", Align::Right),
        ("Open", Align::Right),
        ("Limit", Align::Right),
    ];
    if foreign {
        columns.push(("Cur", Align::Left));
    }
    let mut t = Table::new(&columns);
    for r in &rows {
        let customer = if r.blocked {
            format!("{} (blocked)", clip(&r.customer_name, 26))
        } else {
            clip(&r.customer_name, 36)
        };
        let mut row = vec![
            r.number.clone(),
            time(r.held_at),
            clip(&r.held_by, 16),
            customer,
            money(r.amount),
            money(r.open_total),
            r.limit.map_or_else(|| "none".into(), money),
        ];
        if foreign {
            row.push(r.currency.clone());
        }
        t.row(row);
    }
    if t.is_empty() {
        ctx.out.line("no held orders");
    } else {
        t.render(&mut ctx.out);
        let n = rows.len();
        ctx.out.line(format!(
            "{n} held order{}: daybook order release NUMBER, or daybook order refuse NUMBER --reason TEXT",
            if n == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

pub fn show(ctx: &mut Ctx, key: &str) -> anyhow::Result<()> {
    match resolve::record(&ctx.db, key)? {
        Record::Order(id) => show_order(ctx, id),
        Record::Customer(id) => show_customer(ctx, id),
        Record::Product(id) => show_product(ctx, id),
        Record::Company => show_company(ctx),
    }
}

pub fn rebuild(ctx: &mut Ctx) -> anyhow::Result<()> {
    let r = ctx.db.rebuild()?;
    if ctx.json {
        return ctx.out.json(&r);
    }
    ctx.out.line(format!(
        "rebuilt the read models from {} events in {} ms",
        r.events, r.millis
    ));
    Ok(())
}

pub fn stats(ctx: &mut Ctx) -> anyhow::Result<()> {
    let s = ctx.db.read().stats()?;
    if ctx.json {
        return ctx.out.json(&s);
    }
    let path = ctx
        .db
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut t = Table::new(&[("", Align::Left), ("", Align::Right)]);
    for (name, v) in [
        ("events", s.events),
        ("records", s.streams),
        ("customers", s.customers),
        ("products", s.products),
        ("orders", s.orders),
        ("pending sync", s.pending_commands),
        ("checkpoint", s.checkpoint),
    ] {
        t.row(vec![name.into(), v.to_string()]);
    }
    t.row(vec![
        "database".into(),
        format!("{:.1} MB", s.db_bytes as f64 / 1_048_576.0),
    ]);
    let mut block = crate::output::Out::default();
    t.render(&mut block);
    for line in block.into_string().lines().skip(1) {
        ctx.out.line(line);
    }
    ctx.out.line(format!("file          {path}"));
    Ok(())
}

pub fn dashboard(ctx: &mut Ctx, a: &DashboardArgs) -> anyhow::Result<()> {
    let to = a.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = a.from.unwrap_or(to - Duration::days(364));
    if from > to {
        return Err(crate::InputError::new(format!("--from {from} is after --to {to}")).into());
    }
    let d = ctx.db.read().dashboard(from, to)?;
    if ctx.json {
        return ctx.out.json(&d);
    }
    ctx.out.line(format!("Dashboard {from} .. {to}"));
    // Amounts stay in their currency: no figure adds two.
    let open: Vec<String> = d
        .open
        .iter()
        .map(|t| format!("{} {}", t.currency, money(t.gross)))
        .collect();
    field(
        ctx,
        "open orders",
        if open.is_empty() {
            d.open_orders.to_string()
        } else {
            format!("{} ({})", d.open_orders, open.join(", "))
        },
    );
    field(ctx, "drafts", d.drafts.to_string());
    ctx.out.line("");
    // Placed orders per month and currency.
    type Month<'a> = ((i32, u32), &'a str, i64, i64, i64);
    let mut months: Vec<Month<'_>> = Vec::new();
    for day in &d.days {
        let key = (day.day.year(), day.day.month());
        match months
            .iter_mut()
            .rev()
            .take_while(|m| m.0 == key)
            .find(|m| m.1 == day.currency)
        {
            Some(m) => {
                m.2 += day.orders;
                m.3 = m.3.saturating_add(day.net.0);
                m.4 = m.4.saturating_add(day.gross.0);
            }
            None => months.push((key, &day.currency, day.orders, day.net.0, day.gross.0)),
        }
    }
    months.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut t = Table::new(&[
        ("Month", Align::Left),
        ("Currency", Align::Left),
        ("Orders", Align::Right),
        ("Net", Align::Right),
        ("Gross", Align::Right),
    ]);
    let mut totals: std::collections::BTreeMap<&str, (i64, i64, i64)> = Default::default();
    for ((y, m), currency, o, n, g) in &months {
        t.row(vec![
            format!("{y}-{m:02}"),
            currency.to_string(),
            o.to_string(),
            money(Money(*n)),
            money(Money(*g)),
        ]);
        let total = totals.entry(currency).or_default();
        total.0 += o;
        total.1 = total.1.saturating_add(*n);
        total.2 = total.2.saturating_add(*g);
    }
    for (currency, (orders, net, gross)) in &totals {
        t.row(vec![
            "total".into(),
            currency.to_string(),
            orders.to_string(),
            money(Money(*net)),
            money(Money(*gross)),
        ]);
    }
    t.render(&mut ctx.out);
    ctx.out.line("");
    if d.top_customers.is_empty() {
        ctx.out.line("no placed orders in the period");
        return Ok(());
    }
    let mut t = Table::new(&[
        ("Top customers", Align::Left),
        ("Orders", Align::Right),
        ("Gross", Align::Right),
    ]);
    for c in &d.top_customers {
        t.row(vec![
            clip(&c.name, 40),
            c.orders.to_string(),
            format!("{} {}", c.currency, money(c.gross)),
        ]);
    }
    t.render(&mut ctx.out);
    Ok(())
}
