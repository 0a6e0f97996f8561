//! Running the plan: the queued commands are given in time order, in batches of
//! [`BATCH_SIZE`] per transaction through [`Daybook::execute_batch`], with the tally
//! of what the domain accepted and refused.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};

use daybook_app::{AppError, Daybook};
use daybook_domain::{Command, CommandEnvelope, CreateOrder, OrderId, PlaceOrder};

use crate::plan::Generator;
use crate::{BATCH_SIZE, millis_to_time};

impl Generator {
    /// Gives every queued command due at or before `t`, in time order.
    pub(crate) fn drain_until(
        &mut self,
        t: i64,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        while let Some(&Reverse((at, key))) = self.queue.peek() {
            if at > t {
                break;
            }
            self.queue.pop();
            let Some(task) = self.tasks.remove(&key) else {
                continue;
            };
            self.first_time = Some(self.first_time.map_or(at, |f| f.min(at)));
            if let Some(order) = task.needs_placed {
                // Its fate depends on a PlaceOrder not yet run: it waits for the batch
                // to be written (flushing now would make small runs slow).
                if runner.placing.contains(&order) {
                    self.waiting.push((at, task));
                    continue;
                }
                if runner.not_placed.contains(&order) {
                    continue;
                }
            }
            self.give(at, task.command, db, runner, progress)?;
        }
        Ok(())
    }

    /// Adds a command to the batch; after the batch is written, the commands that
    /// waited for it follow.
    pub(crate) fn give(
        &mut self,
        at: i64,
        command: Command,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        let flushes = runner.flushes;
        let command_id = self.rng.uuid_at(at);
        runner.push(
            CommandEnvelope {
                command_id,
                issued_at: millis_to_time(at),
                command,
            },
            db,
            progress,
            self.orders,
        )?;
        if runner.flushes != flushes {
            self.give_waiting(db, runner, progress)?;
        }
        Ok(())
    }

    /// The commands that waited for their order's `PlaceOrder` to be written: given
    /// if it was accepted, dropped if it was refused.
    pub(crate) fn give_waiting(
        &mut self,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        for (at, task) in std::mem::take(&mut self.waiting) {
            if task
                .needs_placed
                .is_some_and(|o| runner.not_placed.contains(&o))
            {
                continue;
            }
            let command_id = self.rng.uuid_at(at);
            runner.push(
                CommandEnvelope {
                    command_id,
                    issued_at: millis_to_time(at),
                    command: task.command,
                },
                db,
                progress,
                self.orders,
            )?;
        }
        Ok(())
    }

    /// Writes what is left, including the commands waiting for it.
    pub(crate) fn finish(
        &mut self,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        while !runner.batch.is_empty() || !self.waiting.is_empty() {
            runner.flush(db, progress, self.orders)?;
            self.give_waiting(db, runner, progress)?;
        }
        Ok(())
    }
}

/// Collects commands into batches, runs them, and keeps the tally.
#[derive(Default)]
pub(crate) struct Runner {
    pub(crate) batch: Vec<CommandEnvelope>,
    /// Orders whose `PlaceOrder` is in the unrun batch.
    pub(crate) placing: HashSet<OrderId>,
    /// Orders whose `PlaceOrder` was refused, or held for a manager.
    pub(crate) not_placed: HashSet<OrderId>,
    pub(crate) commands: usize,
    pub(crate) accepted: usize,
    pub(crate) refused: usize,
    pub(crate) refusals: BTreeMap<String, usize>,
    pub(crate) events: usize,
    pub(crate) orders_created: usize,
    /// Batches written so far.
    pub(crate) flushes: u64,
}

impl Runner {
    pub(crate) fn push(
        &mut self,
        env: CommandEnvelope,
        db: &mut Daybook,
        progress: &mut impl FnMut(usize, usize),
        total: usize,
    ) -> Result<(), AppError> {
        if let Command::PlaceOrder(PlaceOrder { order_id }) = &env.command {
            self.placing.insert(*order_id);
        }
        self.batch.push(env);
        if self.batch.len() >= BATCH_SIZE {
            self.flush(db, progress, total)?;
        }
        Ok(())
    }

    pub(crate) fn flush(
        &mut self,
        db: &mut Daybook,
        progress: &mut impl FnMut(usize, usize),
        total: usize,
    ) -> Result<(), AppError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let kinds: Vec<Option<(bool, OrderId)>> = batch
            .iter()
            .map(|e| match &e.command {
                Command::PlaceOrder(PlaceOrder { order_id }) => Some((true, *order_id)),
                Command::CreateOrder(CreateOrder { order_id, .. }) => Some((false, *order_id)),
                _ => None,
            })
            .collect();
        let results = db.execute_batch(batch)?;
        for (result, kind) in results.into_iter().zip(kinds) {
            self.commands += 1;
            match result {
                Ok(outcome) => {
                    self.accepted += 1;
                    self.events += outcome.events.len();
                    match kind {
                        Some((false, _)) => self.orders_created += 1,
                        // Held for a manager (over the spending limit): it waits in the
                        // approvals queue, as in real life, so it is not delivered or
                        // invoiced either.
                        Some((true, order)) if outcome.events.iter().any(|e| e == "OrderHeld") => {
                            self.not_placed.insert(order);
                        }
                        _ => {}
                    }
                }
                Err(e) => {
                    self.refused += 1;
                    *self.refusals.entry(e.body().code.to_string()).or_insert(0) += 1;
                    if let Some((true, order)) = kind {
                        self.not_placed.insert(order);
                    }
                }
            }
        }
        self.placing.clear();
        self.flushes += 1;
        progress(self.orders_created.min(total), total);
        Ok(())
    }
}
