//! Realistic demo data, entered through real commands: customers, products and a year
//! of sales orders, so every screen (lists, history, timeline, dashboard) has
//! something to show.
//!
//! **Invariant:** nothing here writes a table; every record is made by a
//! [`CommandEnvelope`] going through [`Daybook::execute_batch`], exactly as a user's
//! command would. Commands the domain refuses (a spending limit reached, a blocked
//! customer) stay refused and are counted, as they would be in real life.
//!
//! The data is a pure function of the seed and the end of the period: [`Rng`]
//! (SplitMix64, the workspace's one seeded generator, also used by the test kit and the
//! benchmark) picks every value, and ids are UUIDv7 built from the command's time and
//! its bits, so the same seed gives byte-identical events.
//!
//! Its own crate so that the sync server, which links `daybook_app`, carries none of
//! it: the CLI (`daybook demo`), the desktop app (`load_demo`, `--demo N`) and the
//! tests use it.
//!
//! Layout: this file (the entry points and the report), `plan` (catalogue and
//! customers), `orders` (each order's life), `run` (batches through the app), `words`
//! (the vocabulary: data), [`rng`].

mod orders;
mod plan;
pub mod rng;
mod run;
mod words;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use daybook_app::query::OrderQuery;
use daybook_app::{AppError, Daybook, NumberSeries};
use daybook_domain::OrderStatus;
use serde::{Deserialize, Serialize};

pub use rng::Rng;

use crate::plan::Generator;
use crate::run::Runner;

/// Commands per transaction: large enough to amortise the durable commit, small
/// enough that progress moves.
pub const BATCH_SIZE: usize = 500;

/// Days of history the demo data spans.
pub const DAYS: i64 = 365;

/// What [`generate`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoReport {
    /// The seed used.
    pub seed: u64,
    /// Customers registered.
    pub customers: usize,
    /// Products registered.
    pub products: usize,
    /// Orders created.
    pub orders: usize,
    /// Commands given.
    pub commands: usize,
    /// Commands the domain accepted.
    pub accepted: usize,
    /// Commands refused, total.
    pub refused: usize,
    /// Refusals by error code (e.g. `spending_limit_exceeded`).
    pub refusals: BTreeMap<String, usize>,
    /// Events written.
    pub events: usize,
    /// Orders per status at the end.
    pub statuses: BTreeMap<String, u64>,
    /// First command time.
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Wall time in milliseconds (the only field that differs between equal runs).
    pub millis: u128,
}

/// Generates demo data ending at the start of the current UTC day: `orders` orders
/// over the past year, with customers (about one per 20 orders, at least 5) and
/// products (about one per 10 orders, at least 10). `progress(done, total)` is called
/// as orders are written. The same seed on the same day gives the same data.
///
/// Refuses a Daybook that already has events: demo numbers and codes would collide
/// with real ones.
pub fn generate(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    let today = Utc::now().date_naive();
    let end = today
        .and_hms_opt(0, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc());
    generate_until(db, orders, seed, end, progress)
}

/// As [`generate`], with the end of the period given: the same seed and end always
/// give byte-identical events.
pub fn generate_until(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    end: DateTime<Utc>,
    progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    fill(db, orders, seed, end, true, progress)
}

/// The same year of business as [`generate`], without marking the store as a demo
/// store: a realistic history for tests and benchmarks that sync it to a throwaway
/// server. Never offered to a user (the CLI and the desktop call [`generate`]).
pub fn workload(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    let end = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc());
    fill(db, orders, seed, end, false, progress)
}

fn fill(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    end: DateTime<Utc>,
    mark: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    let started = Instant::now();
    let existing = db.read().stats()?.events;
    if existing > 0 {
        return Err(AppError::invalid(
            Some("data"),
            format!(
                "demo data goes into an empty Daybook; this one already has {existing} events \
                 (use another data directory)"
            ),
        ));
    }
    // Demo data never reaches a real account: a connected store is refused, and the
    // store is marked as a demo store for good before the first command.
    if mark {
        db.mark_demo(end.timestamp_millis())?;
    }
    let customer_numbers = Numbers::start(db.next_number(NumberSeries::Customer)?);
    let order_numbers = Numbers::start(db.next_number(NumberSeries::Order)?);

    let mut g = Generator::new(seed, end, orders, customer_numbers, order_numbers);
    let mut runner = Runner::default();
    progress(0, orders);

    g.plan_catalogue();
    g.plan_customers();
    let order_times = g.order_times();
    for (i, &t) in order_times.iter().enumerate() {
        g.drain_until(t, db, &mut runner, &mut progress)?;
        g.plan_order(i, t);
    }
    g.drain_until(i64::MAX, db, &mut runner, &mut progress)?;
    g.finish(db, &mut runner, &mut progress)?;
    progress(orders, orders);

    let statuses = order_statuses(db)?;
    Ok(DemoReport {
        seed,
        customers: g.customers.len(),
        products: g.products.len(),
        orders,
        commands: runner.commands,
        accepted: runner.accepted,
        refused: runner.refused,
        refusals: runner.refusals,
        events: runner.events,
        statuses,
        from: millis_to_time(g.first_time.unwrap_or(g.start)),
        to: end,
        millis: started.elapsed().as_millis(),
    })
}

/// Orders per status (statuses with none left out), from the read models.
fn order_statuses(db: &Daybook) -> Result<BTreeMap<String, u64>, AppError> {
    let mut statuses = BTreeMap::new();
    for status in OrderStatus::ALL {
        let q = OrderQuery {
            status: vec![status],
            ..OrderQuery::default()
        };
        let count = db.read().order_summary(&q)?.count;
        if count > 0 {
            statuses.insert(status.as_str().to_string(), count);
        }
    }
    Ok(statuses)
}

pub(crate) const SECOND: i64 = 1_000;
pub(crate) const MINUTE: i64 = 60 * SECOND;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;

pub(crate) fn millis_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A number series continued from the first number `Daybook::next_number` gave:
/// `SO-00001` -> prefix `SO-`, width 5.
pub(crate) struct Numbers {
    prefix: String,
    width: usize,
    next: u64,
}

impl Numbers {
    pub(crate) fn start(first: String) -> Numbers {
        let digits = first.chars().rev().take_while(char::is_ascii_digit).count();
        let (prefix, num) = first.split_at(first.len() - digits);
        Numbers {
            prefix: prefix.to_string(),
            width: digits.max(1),
            next: num.parse().unwrap_or(1),
        }
    }

    pub(crate) fn take(&mut self) -> String {
        let s = format!("{}{:0w$}", self.prefix, self.next, w = self.width);
        self.next += 1;
        s
    }
}
