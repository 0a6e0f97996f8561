//! `daybook history` and `daybook timeline`: who changed what, in words.

//! The read commands: the order list, record detail, history and the record as it
//! was, the account timeline, stats, the dashboard and rebuild. Text for people;
//! `--json` prints the app's query structs as they are.

use crate::output::{Align, Table, clip, time, time_long};
use crate::resolve::{self};
use crate::{Ctx, input};
use chrono::NaiveDate;

/// How much later than it was given a change must have been committed for the history
/// to say it was entered offline.
const OFFLINE_NOTED_SECS: i64 = 180;
use clap::Args;
use daybook_app::history::{AsOf, TimelineFilter};
use daybook_domain::StreamType;

use super::show::heading;

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
    /// Only this record type: Customer, Product, SalesOrder or Company
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
    if ctx.json {
        return ctx.out.json(&ctx.db.read().history(id)?);
    }
    let h = ctx.db.read().readable_history(id)?;
    let n = h.len();
    ctx.out.line(format!(
        "{} ({id}): {n} change{}",
        heading(ctx, record),
        if n == 1 { "" } else { "s" }
    ));
    for e in &h {
        // Work given offline reached the server later: say when, once it is more than
        // a few minutes (a clock a little off is not worth a word).
        let recorded = if e.synced && (e.at - e.issued_at).num_seconds() > OFFLINE_NOTED_SECS {
            format!("  (entered offline; synced {})", time_long(e.at))
        } else {
            String::new()
        };
        ctx.out.line(format!(
            "#{:<3} {}  {} on {}  {}{recorded}",
            e.revision,
            time_long(e.issued_at),
            e.name.as_deref().unwrap_or(&e.user),
            e.device,
            e.title
        ));
        for r in &e.rows {
            ctx.out.line(format!("      {r}"));
        }
    }
    Ok(())
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
    let people = ctx.db.read().people()?;
    let mut t = Table::new(&[
        ("Seq", Align::Right),
        ("Committed", Align::Left),
        ("User", Align::Left),
        ("Device", Align::Left),
        ("Record", Align::Left),
        ("", Align::Left),
        ("Rev", Align::Right),
        ("What changed", Align::Left),
    ]);
    for e in &page.entries {
        // In words: the title and the first change ("Line added: Line 3 · 2 × ...").
        let what = match ctx.db.read().readable_event(e.stream_id, e.revision)? {
            Some(r) => match r.rows.first() {
                Some(first) => format!("{}: {first}", r.title),
                None => r.title,
            },
            None => e.event_type.clone(),
        };
        t.row(vec![
            e.seq.to_string(),
            time(e.at),
            people
                .get(&e.user)
                .cloned()
                .unwrap_or_else(|| e.user.clone()),
            e.device.clone(),
            e.stream_type.to_string(),
            clip(e.label.as_deref().unwrap_or(""), 32),
            e.revision.to_string(),
            clip(&what, 60),
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
