//! `make bench`: each Daybook operation next to the same operation on bare rusqlite
//! (same schema, same durability: WAL + synchronous=FULL on a real file), measured in
//! the same run, printed as one Markdown table with targets.
//!
//! Rows 1b, 2b and 4b put Daybook next to bare rusqlite doing the same writes by hand:
//! how much of a gap is the design's (more rows per command) and how much is overhead.
//!
//! `daybook-bench --quick` is a tiny smoke run (part of `make test`); `--help` lists
//! the knobs. Progress goes to stderr, the table to stdout.

mod bare;
mod harness;
mod server;
mod sync;
mod workload;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use daybook_app::query::{self, OrderQuery, OrderSort};
use daybook_app::{Daybook, Durability, OpenOptions, SNAPSHOT_EVERY};
use daybook_domain::{Command, CustomerId, Event, OrderStatus};
use rusqlite::Connection;
use rusqlite::config::DbConfig;
use uuid::Uuid;

use crate::harness::{Figure, Latencies, Rates, Row, Target, markdown, timed};
use crate::workload::{Workload, envelopes, long_stream_change};

/// Sizes of one run.
#[derive(Debug, Clone)]
struct Config {
    quick: bool,
    customers: usize,
    products: usize,
    /// Standard orders (10 events each) of the main workload.
    orders: usize,
    /// Commands per timed iteration of the command path (row 1).
    commands: usize,
    /// Commands per transaction in the batched rows (row 2, and setup).
    batch: usize,
    /// Loads per timed iteration (row 3).
    loads: usize,
    /// Events in the long stream (row 5).
    long_stream: usize,
    /// Orders in the list (row 6).
    list_orders: usize,
    /// Events a new device pulls (row 7).
    pull_events: usize,
    /// Offline commands pushed (row 8).
    push_commands: usize,
    /// Timed round trips between two devices (row 9).
    latency_samples: usize,
    /// Seconds each server configuration is measured (row 10).
    server_seconds: f64,
    /// Devices on the one busy account, and accounts in the many-accounts case (row 10).
    server_devices: usize,
    server_accounts: usize,
    /// Timed iterations per row (rebuild: fewer, see `rebuild_iters`).
    iters: usize,
    rebuild_iters: usize,
    /// Where the temporary directory goes.
    dir: Option<PathBuf>,
    keep: bool,
    /// Only these rows ("1".."6"); all when empty.
    only: Vec<String>,
    /// Experiment: turn on SQLite's query planner stability guarantee on Daybook's own
    /// connection (what the store would do in `configure`), to measure that fix.
    qpsg: bool,
}

impl Config {
    fn runs(&self, row: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|r| r == row)
    }

    fn full() -> Self {
        Config {
            quick: false,
            customers: 1_000,
            products: 2_000,
            orders: 20_000,
            commands: 1_000,
            batch: 1_000,
            loads: 2_000,
            long_stream: 10_000,
            list_orders: 100_000,
            pull_events: 1_000_000,
            push_commands: 10_000,
            latency_samples: 50,
            server_seconds: 5.0,
            server_devices: 8,
            server_accounts: 100,
            iters: 5,
            rebuild_iters: 3,
            dir: None,
            keep: false,
            only: Vec::new(),
            qpsg: false,
        }
    }

    fn quick() -> Self {
        Config {
            quick: true,
            customers: 20,
            products: 40,
            orders: 60,
            commands: 40,
            batch: 100,
            loads: 50,
            long_stream: 250,
            list_orders: 300,
            pull_events: 2_000,
            push_commands: 100,
            latency_samples: 5,
            server_seconds: 0.3,
            server_devices: 2,
            server_accounts: 3,
            iters: 3,
            rebuild_iters: 2,
            dir: None,
            keep: false,
            only: Vec::new(),
            qpsg: false,
        }
    }
}

const HELP: &str = "daybook-bench: Daybook next to bare rusqlite, as a Markdown table.

Usage: daybook-bench [--quick] [options]

  --quick              tiny smoke run (seconds; figures are not meaningful)
  --customers N        customers in the workload        (full: 1000)
  --products N         products in the workload         (full: 2000)
  --orders N           orders of 10 events each         (full: 20000)
  --commands N         commands per timed iteration of the command path (full: 1000)
  --batch N            commands per transaction when batching (full: 1000)
  --loads N            aggregate loads per timed iteration (full: 2000)
  --long-stream N      events in the long stream        (full: 10000)
  --list-orders N      orders in the order-list query   (full: 100000)
  --pull-events N      events a new device pulls (sync) (full: 1000000)
  --push-commands N    offline commands pushed (sync)   (full: 10000)
  --latency-samples N  device-to-device round trips     (full: 50)
  --iters N            timed iterations per row         (full: 5; rebuild: 3)
  --dir PATH           put the temporary databases under PATH (env DAYBOOK_BENCH_DIR;
                       default: the system temp dir). It must be a real disk for the
                       fsync-bound rows to mean anything.
  --keep               keep the databases afterwards
  --only LIST          run only these rows, e.g. --only 1,2 (profiling)
  --qpsg               experiment: enable SQLITE_DBCONFIG_ENABLE_QPSG on Daybook's
                       connection (stops per-use re-preparing of cached statements)
";

fn parse_args() -> Result<Option<Config>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = if args.iter().any(|a| a == "--quick") {
        Config::quick()
    } else {
        Config::full()
    };
    cfg.dir = std::env::var_os("DAYBOOK_BENCH_DIR").map(PathBuf::from);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut num = |name: &str| -> Result<usize> {
            let v = it.next().with_context(|| format!("{name} needs a value"))?;
            let n: usize = v
                .replace('_', "")
                .parse()
                .with_context(|| format!("{name}: '{v}' is not a number"))?;
            ensure!(n > 0, "{name} must be at least 1");
            Ok(n)
        };
        match arg.as_str() {
            "--quick" => {}
            "--customers" => cfg.customers = num("--customers")?,
            "--products" => cfg.products = num("--products")?,
            "--orders" => cfg.orders = num("--orders")?,
            "--commands" => cfg.commands = num("--commands")?,
            "--batch" => cfg.batch = num("--batch")?,
            "--loads" => cfg.loads = num("--loads")?,
            "--long-stream" => cfg.long_stream = num("--long-stream")?,
            "--list-orders" => cfg.list_orders = num("--list-orders")?,
            "--pull-events" => cfg.pull_events = num("--pull-events")?,
            "--push-commands" => cfg.push_commands = num("--push-commands")?,
            "--latency-samples" => cfg.latency_samples = num("--latency-samples")?,
            "--iters" => {
                cfg.iters = num("--iters")?;
                cfg.rebuild_iters = cfg.rebuild_iters.min(cfg.iters);
            }
            "--dir" => cfg.dir = Some(it.next().context("--dir needs a path")?.into()),
            "--keep" => cfg.keep = true,
            "--qpsg" => cfg.qpsg = true,
            "--only" => {
                let v = it.next().context("--only needs a list such as 1,2")?;
                cfg.only = v.split(',').map(|r| r.trim().to_string()).collect();
                for r in &cfg.only {
                    ensure!(
                        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"].contains(&r.as_str()),
                        "--only: no row '{r}' (rows are 1 to 10)"
                    );
                }
            }
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            other => bail!("unknown argument '{other}' (see --help)"),
        }
    }
    Ok(Some(cfg))
}

fn main() {
    match parse_args().and_then(|cfg| cfg.map(run).transpose()) {
        Ok(_) => {}
        Err(e) => {
            eprintln!("daybook-bench: {e:#}");
            std::process::exit(1);
        }
    }
}

macro_rules! progress {
    ($($arg:tt)*) => { eprintln!("[bench] {}", format!($($arg)*)) };
}

/// Runs commands in transactions of `batch`, insisting that every one succeeds.
fn run_batched(db: &mut Daybook, cmds: Vec<Command>, batch: usize) -> Result<()> {
    let envs = envelopes(cmds);
    for chunk in envs.chunks(batch) {
        let results = db.execute_batch(chunk.iter().cloned())?;
        for r in results {
            r.context("a workload command was refused")?;
        }
    }
    Ok(())
}

fn open_daybook(path: &Path) -> Result<Daybook> {
    Ok(Daybook::open(
        path,
        OpenOptions {
            durability: Durability::Full,
            user: Some("bench".into()),
            device: Some("bench-1".into()),
            ..OpenOptions::default()
        },
    )?)
}

fn count(conn: &Connection, sql: &str) -> Result<u64> {
    Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
}

fn run(cfg: Config) -> Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("daybook-bench-");
    let tmp = match &cfg.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            builder.tempdir_in(d)?
        }
        None => builder.tempdir()?,
    };
    let dir = tmp.path().to_path_buf();
    if cfg.keep {
        let _ = tmp.keep();
    }
    let db_path = dir.join("daybook.sqlite3");
    let bare_path = dir.join("bare.sqlite3");
    progress!("databases in {}", dir.display());

    let mut db = open_daybook(&db_path)?;
    if cfg.qpsg {
        db.conn()
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        progress!("experiment: QPSG enabled on Daybook's connection");
    }
    let mut work = Workload::new(0x00DA_7B00);

    // Setup: the main workload through real commands, batched.
    let start = Instant::now();
    let cmds = work.customers(cfg.customers);
    run_batched(&mut db, cmds, cfg.batch)?;
    let cmds = work.products(cfg.products);
    run_batched(&mut db, cmds, cfg.batch)?;
    let cmds = work.standard_orders(cfg.orders);
    run_batched(&mut db, cmds, cfg.batch)?;
    let setup_events = count(db.conn(), "SELECT count(*) FROM events")?;
    progress!(
        "setup: {} events ({} customers, {} products, {} orders x 10) in {:.1} s",
        setup_events,
        cfg.customers,
        cfg.products,
        cfg.orders,
        start.elapsed().as_secs_f64()
    );

    let order_ids: Vec<Uuid> = work.orders.iter().map(|o| o.0).collect();
    let template: Vec<Event> = daybook_store::read_stream(db.conn(), order_ids[0], 0)?
        .into_iter()
        .map(|e| e.event)
        .collect();
    ensure!(template.len() == 10, "a standard order has 10 events");
    let bare_conn = bare::create(&bare_path, &db_path)?;
    let mut b = Bench {
        writer_full: bare::BareWriter::with_command_writes(&template, &bare_conn)?,
        bare: bare_conn,
        reader: bare::open(&db_path)?,
        writer: bare::BareWriter::new(&template),
        db,
        work,
        order_ids,
        setup_events,
        cfg: &cfg,
    };

    let load_before = load_average();
    // The reads first, on exactly the workload described; then the writes.
    let mut rows = Vec::new();
    if cfg.runs("3") {
        rows.push(b.aggregate_loads()?);
    }
    if cfg.runs("4") {
        rows.extend(b.rebuild()?);
    }
    if cfg.runs("1") {
        rows.extend(b.command_path()?);
    }
    if cfg.runs("2") {
        rows.extend(b.batched()?);
    }
    if cfg.runs("5") {
        rows.extend(b.long_stream()?);
    }
    if cfg.runs("6") {
        rows.extend(b.order_list()?);
    }
    if cfg.runs("7") || cfg.runs("8") || cfg.runs("9") {
        rows.extend(sync::rows(
            &dir,
            &sync::SyncSizes {
                pull_events: cfg.pull_events,
                push_commands: cfg.push_commands,
                latency_samples: cfg.latency_samples,
            },
        )?);
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let server_table = if cfg.runs("10") {
        Some(server::table(&server::ServerSizes {
            seconds: cfg.server_seconds,
            devices_one_account: cfg.server_devices,
            accounts: cfg.server_accounts,
        })?)
    } else {
        None
    };

    let info = RunInfo {
        setup_events,
        total_events: count(b.db.conn(), "SELECT count(*) FROM events")?,
        orders: count(b.db.conn(), "SELECT count(*) FROM p_orders")?,
        load_before,
        load_after: load_average(),
    };
    drop(b);
    print_report(&cfg, &rows, &info);
    if let Some(t) = server_table {
        println!("\n#### The sync server (row 10)\n\n{t}");
    }
    if cfg.keep {
        progress!("kept {}", dir.display());
    }
    Ok(())
}

/// Operations per alternation between Daybook and bare rusqlite in rows 1 and 3: the
/// machine may be busy with other work, and alternating often lets both sides see the
/// same conditions.
const BLOCK: usize = 50;

/// Everything the rows share.
struct Bench<'a> {
    db: Daybook,
    work: Workload,
    /// The bare database (writes).
    bare: Connection,
    /// A bare connection to the Daybook file (reads of the same data).
    reader: Connection,
    writer: bare::BareWriter<'a>,
    /// Bare rusqlite writing everything a command writes (rows 1b, 2b).
    writer_full: bare::BareWriter<'a>,
    /// The main workload's orders.
    order_ids: Vec<Uuid>,
    setup_events: u64,
    cfg: &'a Config,
}

impl Bench<'_> {
    /// Row 3: aggregate load of 10-event streams.
    fn aggregate_loads(&mut self) -> Result<Row> {
        progress!("aggregate loads ({} per iteration)", self.cfg.loads);
        let mut pick = workload::Rng::new(7);
        let (mut day, mut bar) = (Rates::default(), Rates::default());
        for i in 0..=self.cfg.iters {
            let ids: Vec<Uuid> = (0..self.cfg.loads)
                .map(|_| *pick.pick(&self.order_ids))
                .collect();
            // Alternate in small blocks so both sides see the same machine.
            let (mut d, mut b) = (Duration::ZERO, Duration::ZERO);
            for block in ids.chunks(BLOCK) {
                d += timed(|| {
                    for id in block {
                        let (agg, rev) = self.db.load(*id)?.context("order not found")?;
                        ensure!(rev == 10 && agg.exists());
                    }
                    Ok(())
                })?
                .0;
                b += timed(|| {
                    for id in block {
                        let events = bare::read_stream(&self.reader, *id)?;
                        ensure!(events.len() == 10);
                    }
                    Ok(())
                })?
                .0;
            }
            if i > 0 {
                day.push(ids.len() as u64, d);
                bar.push(ids.len() as u64, b);
            }
        }
        Ok(Row {
            id: "3".into(),
            operation: "Aggregate load, 10-event order stream (`Daybook::load`) vs SELECT by \
                        stream_id + decode"
                .into(),
            daybook: Figure::Rate(day.median(), "load"),
            bare: Some(Figure::Rate(bar.median(), "load")),
            target: Target::RatioAtLeast(0.7),
        })
    }

    /// Row 4: full projection rebuild.
    fn rebuild(&mut self) -> Result<Vec<Row>> {
        progress!("rebuilds");
        let (mut day, mut bar, mut full) = (Rates::default(), Rates::default(), Rates::default());
        for i in 0..=self.cfg.rebuild_iters {
            let (d, report) = timed(|| Ok(self.db.rebuild()?))?;
            let (b, n) = timed(|| bare::read_all(&self.reader))?;
            let (f, m) = timed(|| bare::replay_by_hand(&self.reader, &mut self.bare))?;
            ensure!(report.events == n && n == self.setup_events && m == n);
            if i > 0 {
                day.push(n, d);
                bar.push(n, b);
                full.push(n, f);
            }
        }
        let daybook = Figure::Rate(day.median(), "event");
        Ok(vec![
            Row {
                id: "4".into(),
                operation: format!(
                    "Full projection rebuild, {} events (`Daybook::rebuild`) vs SELECT all \
                     ORDER BY seq + decode",
                    self.setup_events
                ),
                daybook,
                bare: Some(Figure::Rate(bar.median(), "event")),
                target: Target::RatioAtLeast(0.5),
            },
            Row {
                id: "4b".into(),
                operation: "Same, vs bare replay writing the same read-model rows by hand \
                            (each order row written once, at placing)"
                    .into(),
                daybook,
                bare: Some(Figure::Rate(full.median(), "event")),
                target: Target::None,
            },
        ])
    }

    /// Row 1: the command path, one durable transaction per command.
    fn command_path(&mut self) -> Result<Vec<Row>> {
        progress!(
            "command path ({} commands per iteration)",
            self.cfg.commands
        );
        let (mut day, mut bar, mut full) = (Rates::default(), Rates::default(), Rates::default());
        let orders_per_iter = self.cfg.commands.div_ceil(10);
        for i in 0..=self.cfg.iters {
            // Warm-up: a fifth of an iteration.
            let n = if i == 0 {
                (orders_per_iter / 5).max(1)
            } else {
                orders_per_iter
            };
            let envs = envelopes(self.work.standard_orders(n));
            let cmds = envs.len();
            let (mut d, mut b, mut f) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
            for block in envs.chunks(BLOCK) {
                d += timed(|| {
                    for env in block {
                        self.db.execute_envelope(env.clone())?;
                    }
                    Ok(())
                })?
                .0;
                b += timed(|| self.writer.transactions(&mut self.bare, block.len(), 1))?.0;
                f += timed(|| {
                    self.writer_full
                        .transactions(&mut self.bare, block.len(), 1)
                })?
                .0;
            }
            if i > 0 {
                day.push(cmds as u64, d);
                bar.push(cmds as u64, b);
                full.push(cmds as u64, f);
            }
        }
        let daybook = Figure::Rate(day.median(), "cmd");
        Ok(vec![
            Row {
                id: "1".into(),
                operation: format!(
                    "Command path, 1 durable tx per command ({} x {} cmds) vs 1 INSERT per tx",
                    self.cfg.iters,
                    orders_per_iter * 10
                ),
                daybook,
                bare: Some(Figure::Rate(bar.median(), "event")),
                target: Target::RatioAtLeast(0.8),
            },
            Row {
                id: "1b".into(),
                operation: "Same, vs bare doing all of a command's writes per tx (event, \
                            outbox, read-model rows, checkpoint; no reads)"
                    .into(),
                daybook,
                bare: Some(Figure::Rate(full.median(), "cmd")),
                target: Target::None,
            },
        ])
    }

    /// Row 2: batched apply.
    fn batched(&mut self) -> Result<Vec<Row>> {
        progress!(
            "batched apply ({} commands per transaction)",
            self.cfg.batch
        );
        let (mut day, mut bar, mut full) = (Rates::default(), Rates::default(), Rates::default());
        let orders_per_batch = self.cfg.batch.div_ceil(10);
        for i in 0..=self.cfg.iters {
            let envs = envelopes(self.work.standard_orders(orders_per_batch));
            let cmds = envs.len();
            let (d, results) = timed(|| Ok(self.db.execute_batch(envs)?))?;
            for r in results {
                r.context("a batched command was refused")?;
            }
            let (b, ()) = timed(|| self.writer.transactions(&mut self.bare, 1, cmds))?;
            let (f, ()) = timed(|| self.writer_full.transactions(&mut self.bare, 1, cmds))?;
            if i > 0 {
                day.push(cmds as u64, d);
                bar.push(cmds as u64, b);
                full.push(cmds as u64, f);
            }
        }
        let daybook = Figure::Rate(day.median(), "cmd");
        Ok(vec![
            Row {
                id: "2".into(),
                operation: format!(
                    "Batched apply, {n} cmds per tx (`execute_batch`) vs {n} INSERTs per tx",
                    n = orders_per_batch * 10,
                ),
                daybook,
                bare: Some(Figure::Rate(bar.median(), "event")),
                target: Target::RatioAtLeast(0.7),
            },
            Row {
                id: "2b".into(),
                operation: "Same, vs bare doing all of the commands' writes per tx (no reads)"
                    .into(),
                daybook,
                bare: Some(Figure::Rate(full.median(), "cmd")),
                target: Target::None,
            },
        ])
    }

    /// Row 5: load a long customer stream with its snapshot, at the best and worst
    /// position relative to the snapshot, then without snapshots.
    fn long_stream(&mut self) -> Result<Vec<Row>> {
        progress!("long stream ({} events)", self.cfg.long_stream);
        let (db, work, reader, cfg) = (&mut self.db, &mut self.work, &self.reader, self.cfg);
        let mut cmds = work.customers(1);
        // Not one for later orders: its spending limit changes all the time.
        let id: CustomerId = work.customers.pop().context("a customer")?;
        cmds.extend((1..cfg.long_stream).map(|i| long_stream_change(id, i)));
        run_batched(db, cmds, cfg.batch)?;

        let samples = (cfg.iters * 40).max(20);
        let measure = |db: &Daybook, expect: u64| -> Result<(Figure, Figure)> {
            let (mut day, mut bar) = (Latencies::default(), Latencies::default());
            for i in 0..samples + 5 {
                let (d, loaded) = timed(|| Ok(db.load(id.0)?))?;
                let (_, rev) = loaded.context("long stream not found")?;
                ensure!(
                    rev == expect,
                    "long stream at revision {rev}, expected {expect}"
                );
                let (b, events) = timed(|| bare::read_stream(reader, id.0))?;
                ensure!(events.len() as u64 == expect);
                if i >= 5 {
                    day.push(d);
                    bar.push(b);
                }
            }
            Ok((Figure::Latency(day.median()), Figure::Latency(bar.median())))
        };

        let n = cfg.long_stream as u64;
        let at_snapshot = n - n % SNAPSHOT_EVERY;
        let (a, bare_a) = measure(db, n)?;
        // Worst case: the most events a load can have to read after the snapshot.
        let worst = at_snapshot + SNAPSHOT_EVERY - 1;
        let extra: Vec<Command> = (n..worst)
            .map(|i| long_stream_change(id, i as usize))
            .collect();
        run_batched(db, extra, cfg.batch)?;
        let (b, bare_b) = measure(db, worst)?;
        db.conn().execute("DELETE FROM snapshots", [])?;
        let (c, bare_c) = measure(db, worst)?;

        let snap_note =
            |rev: u64| format!("snapshot at {at_snapshot} + {} events", rev - at_snapshot);
        Ok(vec![
            Row {
                id: "5".into(),
                operation: format!(
                    "Load a {n}-event customer stream with snapshot ({}) vs bare read + decode \
                 of the whole stream",
                    snap_note(n)
                ),
                daybook: a,
                bare: Some(bare_a),
                target: Target::LatencyBelow(1e-3),
            },
            Row {
                id: "5b".into(),
                operation: format!(
                    "Same, worst case: {worst}-event stream ({})",
                    snap_note(worst)
                ),
                daybook: b,
                bare: Some(bare_b),
                target: Target::LatencyBelow(1e-3),
            },
            Row {
                id: "5c".into(),
                operation: format!("Same {worst}-event stream, snapshots deleted"),
                daybook: c,
                bare: Some(bare_c),
                target: Target::None,
            },
        ])
    }

    /// Row 6: the first page of the order list, default sort and filtered by status.
    fn order_list(&mut self) -> Result<Vec<Row>> {
        let have = count(self.db.conn(), "SELECT count(*) FROM p_orders")? as usize;
        if have < self.cfg.list_orders {
            let start = Instant::now();
            let add = self.cfg.list_orders - have;
            progress!("adding {add} orders for the order list (setup)");
            let cmds = self.work.mixed_orders(add);
            run_batched(&mut self.db, cmds, self.cfg.batch)?;
            progress!("  done in {:.1} s", start.elapsed().as_secs_f64());
        }
        let total = count(self.db.conn(), "SELECT count(*) FROM p_orders")?;
        let (db, reader, cfg) = (&self.db, &self.reader, self.cfg);
        let samples = (cfg.iters * 20).max(20);
        let cases: [(&str, &str, OrderQuery, Option<&str>, bool); 3] = [
            (
                "6",
                "default sort (created, ascending)",
                OrderQuery::default(),
                None,
                false,
            ),
            (
                "6b",
                "filtered by status = placed",
                OrderQuery {
                    status: vec![OrderStatus::Placed],
                    ..OrderQuery::default()
                },
                Some("placed"),
                false,
            ),
            (
                "6c",
                "newest first (created, descending)",
                OrderQuery {
                    sort: OrderSort::Created,
                    descending: true,
                    ..OrderQuery::default()
                },
                None,
                true,
            ),
        ];
        let mut rows = Vec::new();
        for (id, what, q, status, desc) in cases {
            progress!("order list: {what}");
            let (mut day, mut bar) = (Latencies::default(), Latencies::default());
            for i in 0..samples + 5 {
                let (d, page) = timed(|| Ok(query::orders(db.conn(), &q)?))?;
                let (b, (bare_rows, bare_total)) =
                    timed(|| bare::order_page(reader, status, desc))?;
                ensure!(page.rows.len() == bare_rows.len() && page.total == bare_total as u64);
                ensure!(page.rows.len() == 50.min(page.total as usize));
                if i >= 5 {
                    day.push(d);
                    bar.push(b);
                }
            }
            rows.push(Row {
                id: id.into(),
                operation: format!(
                    "Order list at {total} orders: first page of 50 + total count, {what} \
                 (`query::orders`) vs the same SQL by hand"
                ),
                daybook: Figure::Latency(day.median()),
                bare: Some(Figure::Latency(bar.median())),
                target: Target::LatencyBelow(5e-3),
            });
        }
        Ok(rows)
    }
}

/// The 1-minute load average (Linux), to tell a quiet machine from a busy one.
fn load_average() -> Option<String> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    s.split_whitespace().next().map(str::to_string)
}

/// What the report says about the run besides the rows.
struct RunInfo {
    setup_events: u64,
    total_events: u64,
    orders: u64,
    load_before: Option<String>,
    load_after: Option<String>,
}

fn print_report(cfg: &Config, rows: &[Row], info: &RunInfo) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let quick = if cfg.quick {
        " (--quick smoke run: figures are not meaningful)"
    } else {
        ""
    };
    println!("### Daybook benchmark{quick}\n");
    println!(
        "- Workload: {} customers, {} products, {} orders of 10 events (OrderCreated, 8 \
         OrderLineAdded, OrderPlaced) = {} events, all through domain commands \
         (`Daybook::execute_batch`); {} events and {} orders at the end of the run.",
        cfg.customers, cfg.products, cfg.orders, info.setup_events, info.total_events, info.orders
    );
    println!(
        "- Both sides: a file in a temp dir, WAL, synchronous=FULL, the same schema \
         (`STORE_MIGRATIONS` + the read-model tables), the same pragmas; bare rows use \
         rusqlite directly."
    );
    println!(
        "- Method: warm-up, then the median of {} timed iterations ({} for rebuilds), \
         Daybook and bare alternating; {} build; {cores} cores; 1-minute load average {} \
         before, {} after.",
        cfg.iters,
        cfg.rebuild_iters,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        info.load_before.as_deref().unwrap_or("?"),
        info.load_after.as_deref().unwrap_or("?"),
    );
    if cfg.qpsg {
        println!(
            "- **Experiment (`--qpsg`)**: Daybook's connection had \
             SQLITE_DBCONFIG_ENABLE_QPSG turned on by the harness; the shipped store does \
             not do this (yet)."
        );
    }
    println!();
    print!("{}", markdown(rows));
    println!(
        "\nNotes: bare inserts serialise the payload of a real order's events (the same ten \
         events, cycled) and fill the same columns with a fresh UUIDv7. Bare reads run on \
         the Daybook file through their own connection and decode with \
         `Event::from_payload`. Bare connections turn on SQLite's query planner stability \
         guarantee (QPSG) so that cached statements are not re-prepared on every use (see \
         `bare::open`). Latency rows report the median of individually timed calls; for them \
         \"Daybook ÷ bare\" is bare time ÷ Daybook time. Rows 1b, 2b and 4b have no \
         target: there bare rusqlite does by hand the writes Daybook does (event row, outbox \
         row, read-model rows, checkpoint; no reads, no savepoints), the floor for any \
         implementation of the same design. Orders beyond the main workload (row 6) are set \
         up with 3 lines and mixed statuses through `execute_batch` (setup only, same \
         durability)."
    );
    println!(
        "\n{} of {} targets met.",
        rows.iter().filter(|r| r.verdict() == Some(true)).count(),
        rows.iter().filter(|r| r.verdict().is_some()).count(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_config_is_small() {
        let q = Config::quick();
        assert!(q.orders * 10 < 1_000 && q.list_orders < 1_000);
        let f = Config::full();
        assert_eq!((f.orders, f.customers, f.products), (20_000, 1_000, 2_000));
        assert_eq!(f.long_stream, 10_000);
        assert_eq!(f.list_orders, 100_000);
    }

    #[test]
    fn envelopes_are_fresh() {
        let mut w = Workload::new(1);
        let mut cmds = w.customers(1);
        cmds.extend(w.products(2));
        cmds.extend(w.standard_orders(1));
        assert_eq!(cmds.len(), 13);
        let envs: Vec<daybook_domain::CommandEnvelope> = envelopes(cmds);
        assert_ne!(envs[0].command_id, envs[1].command_id);
    }
}
