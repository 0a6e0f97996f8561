//! `make bench`: each Daybook operation next to the same operation on bare rusqlite
//! (same schema, same durability: WAL + synchronous=FULL on a real file), measured in
//! the same run, printed as one Markdown table with targets.
//!
//! Rows 1b, 2b and 4b put Daybook next to bare rusqlite doing the same writes by hand:
//! how much of a gap is the design's (more rows per command) and how much is overhead.
//!
//! `daybook-bench --quick` is a tiny smoke run (part of `make test`); `--help` lists
//! the knobs. Progress goes to stderr, the table to stdout.

/// A progress line on stderr (the table goes to stdout).
macro_rules! progress {
    ($($arg:tt)*) => { eprintln!("[bench] {}", format!($($arg)*)) };
}

mod bare;
mod documents;
mod harness;
mod import;
mod rows;
mod server;
mod sync;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use daybook_app::{Daybook, Durability, OpenOptions};
use daybook_domain::{Command, Event};
use rusqlite::Connection;
use uuid::Uuid;

use crate::harness::{Row, markdown};
use crate::workload::{Workload, envelopes};

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
  --only LIST          run only these rows, e.g. --only 1,2 (profiling); 11 is the
                       3-page invoice as PDF, 12 the import of 10,000 products
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
                        [
                            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"
                        ]
                        .contains(&r.as_str()),
                        "--only: no row '{r}' (rows are 1 to 12)"
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
        bare::enable_qpsg(db.conn())?;
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
    let setup_events = db.read().stats()?.events as u64;
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
    // After the sort: "11" goes last, not between "1" and "1b".
    if cfg.runs("11") {
        rows.push(documents::row(if cfg.quick { 2 } else { 30 })?);
    }
    if cfg.runs("12") {
        rows.push(if cfg.quick {
            import::row(200, 1)?
        } else {
            import::row(10_000, 5)?
        });
    }
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
        total_events: b.db.read().stats()?.events as u64,
        orders: b.db.read().stats()?.orders as u64,
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
