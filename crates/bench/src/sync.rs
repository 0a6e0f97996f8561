//! Rows 7-9: sync over real HTTP on loopback, against `daybook-server`'s own code
//! serving on a real socket: initial pull to a new device, push of offline work, and
//! the time from a command on one device to its read model on another.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use daybook_app::{Daybook, Durability, OpenOptions};
use daybook_app::{Named, ReadPool};
use daybook_domain::{Command, CommandEnvelope, CustomerId, RegisterCustomer};
use daybook_server::{AppState, RateLimit};
use daybook_sync::{Engine, ServerConfig};
use daybook_testkit::register_customer;
use uuid::Uuid;

use crate::harness::{Figure, Latencies, Row, Target};
use crate::workload::{Workload, envelopes};

/// Sizes of the sync rows.
pub struct SyncSizes {
    /// Events in the account a new device pulls (row 7).
    pub pull_events: usize,
    /// Offline commands pushed (row 8).
    pub push_commands: usize,
    /// Round trips timed for the latency (row 9).
    pub latency_samples: usize,
}

fn daybook(path: &Path, authority: bool) -> Result<Daybook> {
    Ok(Daybook::open(
        path,
        OpenOptions {
            durability: Durability::Full,
            user: Some("bench".into()),
            device: Some(if authority { "server" } else { "bench" }.into()),
            authority,
            role: daybook_domain::Role::Admin,
        },
    )?)
}

/// Commands making about `events` events: customers, products, 10-event orders.
fn workload(events: usize, seed: u64) -> Vec<Command> {
    let mut w = Workload::new(seed);
    let orders = (events / 10).max(1);
    let customers = (orders / 20).clamp(5, 5_000);
    let products = (orders / 10).clamp(10, 10_000);
    let mut cmds = w.customers(customers);
    cmds.extend(w.products(products));
    let budget = events.saturating_sub(customers + products) / 10;
    cmds.extend(w.standard_orders(budget.max(1)));
    cmds
}

fn customer(i: usize) -> Command {
    register_customer(
        CustomerId::new(),
        &format!("LAT-{i:05}"),
        &format!("Latency {i}"),
    )
    .into()
}

fn client(dir: &Path, name: &str, url: &str, token: &str) -> Result<(Arc<Mutex<Daybook>>, Engine)> {
    let db = Arc::new(Mutex::new(daybook(
        &dir.join(format!("{name}.sqlite3")),
        false,
    )?));
    let (engine, _) = Engine::new(
        db.clone(),
        &ServerConfig {
            url: url.into(),
            token: token.into(),
        },
    )?;
    Ok((db, engine))
}

fn lock(db: &Arc<Mutex<Daybook>>) -> Result<std::sync::MutexGuard<'_, Daybook>> {
    db.lock().map_err(|_| anyhow::anyhow!("poisoned"))
}

/// Runs rows 7, 8 and 9.
pub fn rows(dir: &Path, sizes: &SyncSizes) -> Result<Vec<Row>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server_dir = dir.join("server");
    let state = AppState::open(
        &server_dir,
        daybook_server::Config {
            rate_limit: RateLimit {
                per_second: 0.0,
                burst: 0,
            },
            ..Default::default()
        },
    )?;
    let big = rt.block_on(state.create_account("Bench big"))?;
    let small = rt.block_on(state.create_account("Bench small"))?;

    // The big account's history, written straight into its store (setup only).
    eprintln!(
        "[bench] sync: writing {} events into the server's store",
        sizes.pull_events
    );
    {
        let path = daybook_server::accounts::account_db_path(&server_dir, big);
        let mut db = daybook(&path, true)?;
        let start = Instant::now();
        for chunk in envelopes(workload(sizes.pull_events, 0x5EED)).chunks(2_000) {
            for r in db.execute_batch(chunk.iter().cloned())? {
                r.context("a workload command was refused")?;
            }
        }
        eprintln!(
            "[bench] sync: setup in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }

    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(daybook_server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    let token = |account: Uuid, device: &str| -> Result<String> {
        Ok(rt.block_on(state.create_token(account, device))?.token)
    };
    let mut rows = Vec::new();

    // Row 7: a new device pulls the whole history.
    let (db, engine) = client(dir, "new-device", &url, &token(big, "new")?)?;
    let start = Instant::now();
    let report = rt.block_on(engine.sync_once())?;
    let pull = start.elapsed();
    let local = lock(&db)?.read().sync_cursor()?;
    ensure!(
        report.pulled as i64 == local && local > 0,
        "pulled {} of {local}",
        report.pulled
    );
    eprintln!(
        "[bench] sync: pulled {} events in {:.1} s",
        report.pulled,
        pull.as_secs_f64()
    );
    rows.push(Row {
        id: "7".into(),
        operation: format!(
            "Initial sync of a new device: pull {} events over HTTP, store and project them",
            report.pulled
        ),
        daybook: Figure::Latency(pull.as_secs_f64()),
        bare: None,
        target: Target::LatencyBelow(20.0),
    });
    rows.push(Row {
        id: "7b".into(),
        operation: "Same, as a rate".into(),
        daybook: Figure::Rate(report.pulled as f64 / pull.as_secs_f64(), "event"),
        bare: None,
        target: Target::None,
    });
    drop(engine);
    drop(db);

    // Row 8: push a day of offline work.
    let (db, engine) = client(dir, "offline", &url, &token(small, "offline")?)?;
    let cmds: Vec<Command> = workload(sizes.push_commands, 0xFEED)
        .into_iter()
        .take(sizes.push_commands)
        .collect();
    let n = cmds.len();
    for chunk in envelopes(cmds).chunks(1_000) {
        for r in lock(&db)?.execute_batch(chunk.iter().cloned())? {
            r.context("an offline command was refused")?;
        }
    }
    ensure!(lock(&db)?.read().outbox_counts()?.pending as usize == n);
    let start = Instant::now();
    let report = rt.block_on(engine.sync_once())?;
    let push = start.elapsed();
    ensure!(report.pushed as usize == n && report.rejected == 0);
    ensure!(lock(&db)?.read().outbox_counts()?.pending == 0);
    eprintln!(
        "[bench] sync: pushed {n} commands in {:.2} s",
        push.as_secs_f64()
    );
    rows.push(Row {
        id: "8".into(),
        operation: format!(
            "Push {n} offline commands (and pull their {} events back as confirmation)",
            report.pulled
        ),
        daybook: Figure::Latency(push.as_secs_f64()),
        bare: None,
        target: Target::LatencyBelow(5.0),
    });

    // Row 9: a command on device A until it is in device B's read model; B runs the
    // engine's loop and learns of new events through the live channel.
    let (a_db, a_engine) = (db, engine);
    let (b_db, b_engine) = client(dir, "colleague", &url, &token(small, "colleague")?)?;
    rt.block_on(b_engine.sync_once())?;
    let b_path = dir.join("colleague.sqlite3");
    let b_reader = ReadPool::open(&b_path, 1)?;
    let (b_stop, b_stopped) = tokio::sync::oneshot::channel::<()>();
    let b_loop = rt.spawn(b_engine.run(async {
        let _ = b_stopped.await;
    }));
    std::thread::sleep(Duration::from_millis(500)); // the live channel connects
    let mut lat = Latencies::default();
    for i in 0..sizes.latency_samples + 2 {
        let cmd = customer(i);
        let Command::RegisterCustomer(RegisterCustomer { customer_id, .. }) = &cmd else {
            unreachable!("built above")
        };
        let id = customer_id.0;
        let start = Instant::now();
        lock(&a_db)?.execute_envelope(CommandEnvelope::new(cmd))?;
        rt.block_on(a_engine.sync_once())?;
        let deadline = start + Duration::from_secs(10);
        loop {
            let seen = b_reader.read(|r| r.exists(Named::Customer, id))?;
            if seen {
                break;
            }
            ensure!(Instant::now() < deadline, "device B never saw the command");
            std::thread::sleep(Duration::from_micros(500));
        }
        if i >= 2 {
            lat.push(start.elapsed());
        }
    }
    let _ = b_stop.send(());
    let _ = rt.block_on(b_loop);
    drop(b_db);
    rows.push(Row {
        id: "9".into(),
        operation: format!(
            "Command on device A to its read model on online device B (push, live channel, pull; p50 of {})",
            sizes.latency_samples
        ),
        daybook: Figure::Latency(lat.median()),
        bare: None,
        target: Target::LatencyBelow(0.1),
    });
    rows.push(Row {
        id: "9b".into(),
        operation: "Same, 95th percentile".into(),
        daybook: Figure::Latency(lat.percentile(0.95)),
        bare: None,
        target: Target::None,
    });

    let _ = stop.send(());
    let _ = rt.block_on(server);
    Ok(rows)
}
