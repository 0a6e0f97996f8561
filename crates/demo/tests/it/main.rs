//! The demo generator over a real (in-memory) Daybook: deterministic by seed, counts
//! that match the read models, a realistic mix, and refusal of a store in use.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap freely

use chrono::{DateTime, Duration, Utc};
use daybook_app::query;
use daybook_app::{AppError, Daybook, NumberSeries};
use daybook_demo::{DAYS, DemoReport, generate_until};
use daybook_testkit::dump;

fn db() -> Daybook {
    daybook_testkit::open_in_memory("demo", "test")
}

fn end() -> DateTime<Utc> {
    "2025-06-01T00:00:00Z".parse().unwrap()
}

#[test]
fn same_seed_same_events() {
    let (mut a, mut b, mut c) = (db(), db(), db());
    let ra = generate_until(&mut a, 120, 7, end(), |_, _| {}).unwrap();
    let rb = generate_until(&mut b, 120, 7, end(), |_, _| {}).unwrap();
    generate_until(&mut c, 120, 8, end(), |_, _| {}).unwrap();
    assert_eq!(dump::log(a.conn()), dump::log(b.conn()));
    assert_ne!(dump::log(a.conn()), dump::log(c.conn()));
    assert_eq!(
        DemoReport { millis: 0, ..ra },
        DemoReport { millis: 0, ..rb }
    );
    assert_eq!(
        query::orders(a.conn(), &query::OrderQuery::default()).unwrap(),
        query::orders(b.conn(), &query::OrderQuery::default()).unwrap()
    );
}

#[test]
fn counts_match_the_report_and_the_read_models() {
    let mut d = db();
    let mut calls = Vec::new();
    let r = generate_until(&mut d, 400, 42, end(), |done, total| {
        calls.push((done, total))
    })
    .unwrap();
    assert_eq!(r.orders, 400);
    assert_eq!(r.customers, 20);
    assert_eq!(r.products, 40);
    assert_eq!(r.accepted + r.refused, r.commands);
    assert_eq!(r.refusals.values().sum::<usize>(), r.refused);
    let stats = query::stats(d.conn()).unwrap();
    assert_eq!(stats.customers, 20);
    assert_eq!(stats.products, 40);
    assert_eq!(stats.orders, 400);
    assert_eq!(stats.events as usize, r.events);
    assert_eq!(r.statuses.values().sum::<u64>(), 400);
    // A mix of statuses, as on a real year.
    for s in ["draft", "placed", "delivered", "invoiced", "cancelled"] {
        assert!(
            r.statuses.get(s).copied().unwrap_or(0) > 0,
            "no {s} orders: {r:?}"
        );
    }
    assert!(r.statuses["invoiced"] > 200, "{r:?}");
    // Some customers blocked or limited, some products discontinued.
    let count = |sql: &str| -> i64 { d.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    let blocked = count("SELECT count(*) FROM p_customers WHERE blocked");
    let discontinued = count("SELECT count(*) FROM p_products WHERE discontinued");
    let limited = count("SELECT count(*) FROM p_customers WHERE spending_limit IS NOT NULL");
    assert!(blocked + discontinued > 0 && limited > 0);
    // History over the year, for the dashboard.
    let days = count("SELECT count(*) FROM p_daily WHERE orders > 0");
    assert!(days > 150, "{days} days with orders");
    assert!(r.from < end() - Duration::days(DAYS - 1));
    // Progress ends at the total and never goes back.
    assert_eq!(calls.last(), Some(&(400, 400)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    // Numbers continue the app's series.
    assert_eq!(d.next_number(NumberSeries::Order).unwrap(), "SO-00401");
}

#[test]
fn small_runs_work_and_refuse_a_used_daybook() {
    let mut d = db();
    let r = generate_until(&mut d, 0, 1, end(), |_, _| {}).unwrap();
    assert_eq!((r.customers, r.products, r.orders), (5, 10, 0));
    let again = generate_until(&mut d, 10, 1, end(), |_, _| {}).unwrap_err();
    assert!(matches!(again, AppError::InvalidInput { .. }), "{again:?}");
}
