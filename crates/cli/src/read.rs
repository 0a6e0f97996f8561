//! The read commands: the order list, record detail, history and the record as it
//! was, the account timeline, stats, the dashboard and rebuild. Text for people;
//! `--json` prints the app's query structs as they are.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use daybook_app::history::{AsOf, FieldChange, TimelineFilter};
use daybook_app::query::{AddressRow, OrderQuery, OrderSort};
use daybook_domain::{CustomerId, Money, OrderStatus, StreamType};
use serde_json::Value;
use uuid::Uuid;

use crate::output::{Align, Table, clip, money, one_line, percent, time, time_long};
use crate::resolve::{self, Record};
use crate::{Ctx, input};

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
    /// Only these statuses (repeat, or separate with commas): draft, placed, delivered,
    /// invoiced, cancelled
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
    /// Order number prefix, customer name or number words, or customer reference
    #[arg(long)]
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
pub struct HistoryArgs {
    /// Id, order number, customer number or product code
    record: String,
    /// Show the record as it was: after a revision (3), at a time
    /// (2025-03-31T14:00:00Z) or at the end of a day (2025-03-31), by commit time
    #[arg(long, value_parser = input::as_of, value_name = "REV|TIME")]
    as_of: Option<AsOf>,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Only this record type: Customer, Product or SalesOrder
    #[arg(long = "type", value_parser = input::stream_type, value_name = "TYPE")]
    stream_type: Option<StreamType>,
    /// Only this event type, e.g. OrderPlaced
    #[arg(long, value_parser = input::event_type, value_name = "TYPE")]
    event: Option<String>,
    /// Only this user's events
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Committed on or after this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Committed on or before this day (YYYY-MM-DD, UTC)
    #[arg(long, value_parser = input::date, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// Only events older than this sequence number (the next page)
    #[arg(long, value_name = "SEQ")]
    before: Option<i64>,
    /// Events to show (1-1000) [default: 50]
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

pub fn show(ctx: &mut Ctx, key: &str) -> anyhow::Result<()> {
    match resolve::record(&ctx.db, key)? {
        Record::Order(id) => show_order(ctx, id),
        Record::Customer(id) => show_customer(ctx, id),
        Record::Product(id) => show_product(ctx, id),
    }
}

fn field(ctx: &mut Ctx, name: &str, value: impl AsRef<str>) {
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

/// A record's label for headings: `SalesOrder SO-00042`.
fn heading(ctx: &Ctx, record: Record) -> String {
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
    }
}

pub fn history(ctx: &mut Ctx, a: &HistoryArgs) -> anyhow::Result<()> {
    let record = resolve::record(&ctx.db, &a.record)?;
    let id = record.id();
    if let Some(as_of) = a.as_of {
        let s = ctx.db.read().state_at(id, as_of)?;
        if ctx.json {
            return ctx.out.json(&s);
        }
        let when = match as_of {
            AsOf::Revision(r) => format!("revision {r}"),
            AsOf::Time(t) => time_long(t),
        };
        ctx.out
            .line(format!("{} as of {when}", heading(ctx, record)));
        if s.revision == 0 {
            ctx.out.line("  (did not exist yet)");
            return Ok(());
        }
        ctx.out.line(format!(
            "  revision {} committed {}",
            s.revision,
            s.at.map(time_long).unwrap_or_default()
        ));
        ctx.out.line(serde_json::to_string_pretty(&s.state)?);
        return Ok(());
    }
    let h = ctx.db.read().history(id)?;
    if ctx.json {
        return ctx.out.json(&h);
    }
    let n = h.entries.len();
    ctx.out.line(format!(
        "{} ({id}): {n} event{}",
        heading(ctx, record),
        if n == 1 { "" } else { "s" }
    ));
    for e in &h.entries {
        let recorded = if (e.at - e.issued_at).num_seconds().abs() > 60 {
            format!("  (recorded {})", time_long(e.at))
        } else {
            String::new()
        };
        ctx.out.line(format!(
            "#{:<3} {}  {}@{}  {}{recorded}",
            e.revision,
            time_long(e.issued_at),
            e.user,
            e.device,
            e.event_type
        ));
        // A new record's empty fields are not news.
        for c in e
            .changes
            .iter()
            .filter(|c| !(c.old.is_null() && c.new.is_null()))
        {
            ctx.out.line(format!("      {}", change_text(c)));
        }
    }
    Ok(())
}

/// `lines[..].quantity: 3 -> 5`, with amounts and percentages shown as such.
fn change_text(c: &FieldChange) -> String {
    let leaf = c.path.rsplit('.').next().unwrap_or(&c.path);
    let show = |v: &Value| -> String {
        match v {
            Value::Null => "(none)".into(),
            Value::String(s) => format!("{s:?}"),
            Value::Number(n) => match (leaf, n.as_i64()) {
                ("unit_price" | "spending_limit", Some(c)) => money(Money(c)),
                ("discount_bp" | "vat_rate_bp", Some(bp)) => percent(bp),
                _ => n.to_string(),
            },
            other => other.to_string(),
        }
    };
    format!("{}: {} -> {}", c.path, show(&c.old), show(&c.new))
}

pub fn timeline(ctx: &mut Ctx, a: &TimelineArgs) -> anyhow::Result<()> {
    let f = TimelineFilter {
        stream_type: a.stream_type,
        event_type: a.event.clone(),
        user: a.user.clone(),
        from: a.from,
        to: a.to,
        before_seq: a.before,
        limit: a.limit,
    };
    let page = ctx.db.read().timeline(&f)?;
    if ctx.json {
        return ctx.out.json(&page);
    }
    let mut t = Table::new(&[
        ("Seq", Align::Right),
        ("Committed", Align::Left),
        ("User", Align::Left),
        ("Device", Align::Left),
        ("Record", Align::Left),
        ("", Align::Left),
        ("Rev", Align::Right),
        ("Event", Align::Left),
    ]);
    for e in &page.entries {
        t.row(vec![
            e.seq.to_string(),
            time(e.at),
            e.user.clone(),
            e.device.clone(),
            e.stream_type.to_string(),
            clip(e.label.as_deref().unwrap_or(""), 32),
            e.revision.to_string(),
            e.event_type.clone(),
        ]);
    }
    if t.is_empty() {
        ctx.out.line("no events match");
    } else {
        t.render(&mut ctx.out);
    }
    if let Some(next) = page.next_before {
        ctx.out.line(format!("more: --before {next}"));
    }
    Ok(())
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
    field(
        ctx,
        "open orders",
        format!("{} ({})", d.open_orders, money(d.open_gross)),
    );
    field(ctx, "drafts", d.drafts.to_string());
    ctx.out.line("");
    // Placed orders per month.
    let mut months: Vec<((i32, u32), i64, i64, i64)> = Vec::new();
    for day in &d.days {
        let key = (day.day.year(), day.day.month());
        match months.last_mut() {
            Some(m) if m.0 == key => {
                m.1 += day.orders;
                m.2 += day.net.0;
                m.3 += day.gross.0;
            }
            _ => months.push((key, day.orders, day.net.0, day.gross.0)),
        }
    }
    let mut t = Table::new(&[
        ("Month", Align::Left),
        ("Orders", Align::Right),
        ("Net", Align::Right),
        ("Gross", Align::Right),
    ]);
    let (mut orders, mut net, mut gross) = (0i64, 0i64, 0i64);
    for ((y, m), o, n, g) in &months {
        t.row(vec![
            format!("{y}-{m:02}"),
            o.to_string(),
            money(Money(*n)),
            money(Money(*g)),
        ]);
        orders += o;
        net = net.saturating_add(*n);
        gross = gross.saturating_add(*g);
    }
    t.row(vec![
        "total".into(),
        orders.to_string(),
        money(Money(net)),
        money(Money(gross)),
    ]);
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
            money(c.gross),
        ]);
    }
    t.render(&mut ctx.out);
    Ok(())
}
