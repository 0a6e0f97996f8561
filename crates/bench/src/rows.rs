//! The single-process rows (1 to 6): each Daybook operation timed next to the same
//! work on bare rusqlite, alternating, in the same run.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use daybook_app::SNAPSHOT_EVERY;
use daybook_app::query::{OrderQuery, OrderSort};
use daybook_domain::{Command, CustomerId, OrderStatus};
use uuid::Uuid;

use crate::harness::{Figure, Latencies, Rates, Row, Target, timed};
use crate::workload::{envelopes, long_stream_change};
use daybook_app::Daybook;

use crate::{Bench, bare, run_batched, workload};

/// Operations per alternation between Daybook and bare rusqlite in rows 1 and 3: the
/// machine may be busy with other work, and alternating often lets both sides see the
/// same conditions.
const BLOCK: usize = 50;

impl Bench<'_> {
    /// Row 3: aggregate load of 10-event streams.
    pub(crate) fn aggregate_loads(&mut self) -> Result<Row> {
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
    pub(crate) fn rebuild(&mut self) -> Result<Vec<Row>> {
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
    pub(crate) fn command_path(&mut self) -> Result<Vec<Row>> {
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
    pub(crate) fn batched(&mut self) -> Result<Vec<Row>> {
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
    pub(crate) fn long_stream(&mut self) -> Result<Vec<Row>> {
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
        bare::delete_snapshots(db.conn())?;
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
    pub(crate) fn order_list(&mut self) -> Result<Vec<Row>> {
        let have = self.db.read().stats()?.orders as usize;
        if have < self.cfg.list_orders {
            let start = Instant::now();
            let add = self.cfg.list_orders - have;
            progress!("adding {add} orders for the order list (setup)");
            let cmds = self.work.mixed_orders(add);
            run_batched(&mut self.db, cmds, self.cfg.batch)?;
            progress!("  done in {:.1} s", start.elapsed().as_secs_f64());
        }
        let total = self.db.read().stats()?.orders as u64;
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
                let (d, page) = timed(|| Ok(db.read().orders(&q)?))?;
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
