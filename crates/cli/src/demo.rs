//! `daybook demo`: a year of demo data through real commands, with a progress bar on
//! a terminal, and a summary.

use std::io::IsTerminal as _;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::Ctx;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Orders to create (customers and products scale with them)
    #[arg(long, default_value_t = 1000)]
    orders: usize,
    /// Seed: the same seed on the same day gives the same data
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(ctx: &mut Ctx, a: &DemoArgs) -> anyhow::Result<()> {
    let bar = if std::io::stderr().is_terminal() && !ctx.json {
        let bar = ProgressBar::new(a.orders as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} orders ({elapsed}, {eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("demo data");
        bar
    } else {
        ProgressBar::hidden()
    };
    let report = daybook_demo::generate(&mut ctx.db, a.orders, a.seed, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let report = report?;
    if ctx.json {
        return ctx.out.json(&report);
    }
    let r = &report;
    ctx.out.line(format!(
        "demo data: {} orders, {} customers, {} products (seed {}), {} .. {}",
        r.orders,
        r.customers,
        r.products,
        r.seed,
        r.from.format("%Y-%m-%d"),
        r.to.format("%Y-%m-%d")
    ));
    let refusals: Vec<String> = r
        .refusals
        .iter()
        .map(|(code, n)| format!("{n} {code}"))
        .collect();
    ctx.out.line(format!(
        "  {} commands: {} accepted, {} refused by the domain{}",
        r.commands,
        r.accepted,
        r.refused,
        if refusals.is_empty() {
            String::new()
        } else {
            format!(" ({})", refusals.join(", "))
        }
    ));
    let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
    ctx.out.line(format!("  orders: {}", statuses.join(", ")));
    let secs = r.millis as f64 / 1000.0;
    ctx.out.line(format!(
        "  {} events written in {secs:.1} s ({:.0} commands/s)",
        r.events,
        r.commands as f64 / secs.max(0.001)
    ));
    Ok(())
}
