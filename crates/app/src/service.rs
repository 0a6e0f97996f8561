//! The application service: opens the store, handles commands (load -> decide ->
//! append -> project, one transaction) and hosts the queries.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use daybook_domain::{AddOrderLine, CreateOrder};
use daybook_domain::{
    Aggregate, Command, CommandEnvelope, OrderStatus, RecordKind, STATE_VERSION, ids,
};
use daybook_store::{
    Appended, EventStore, ExpectedRevision, Metadata, NewEvent, RecordedEvent, Snapshot,
    StoreError, StoreOptions, StoreTx, for_each_event, load_snapshot, read_stream,
    read_stream_events,
};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::{facts, projection};

pub use daybook_store::Durability;

/// A snapshot is written each time a stream's revision crosses a multiple of this, so
/// loading reads at most this many events after the snapshot.
pub const SNAPSHOT_EVERY: u64 = 100;

/// Who is working, and on which device: recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The user's name.
    pub user: String,
    /// The device's name.
    pub device: String,
}

/// How to open a Daybook.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Commit durability (Full unless a test says otherwise).
    pub durability: Durability,
    /// The user; defaults to "local".
    pub user: Option<String>,
    /// The device name; defaults to one generated on first open and kept.
    pub device: Option<String>,
    /// The server's own store: decisions are authoritative (it assigns invoice
    /// numbers) and commands are not queued in an outbox for sync.
    pub authority: bool,
}

/// What a successful command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommandOutcome {
    /// The command's id.
    pub command_id: Uuid,
    /// The record it changed.
    pub stream_id: Uuid,
    /// The record's revision afterwards.
    pub revision: u64,
    /// Event types written (empty if the command changed nothing).
    pub events: Vec<String>,
    /// True when this command id had already been applied: nothing was written again.
    pub duplicate: bool,
}

/// Figures of a rebuild.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebuildReport {
    /// Events replayed.
    pub events: u64,
    /// Wall time in milliseconds.
    pub millis: u128,
}

/// An open Daybook: the local store with its read models.
pub struct Daybook {
    store: EventStore,
    identity: Identity,
    authority: bool,
    path: Option<PathBuf>,
    durability: Durability,
}

/// Name of the database file inside a data directory.
pub const DB_FILE: &str = "daybook.sqlite3";

impl Daybook {
    /// Opens (creating if needed) the Daybook in `dir`.
    pub fn open_dir(dir: &Path, options: OpenOptions) -> Result<Self, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::invalid(
                Some("data"),
                format!("cannot create data directory {}: {e}", dir.display()),
            )
        })?;
        Self::open(&dir.join(DB_FILE), options)
    }

    /// Opens (creating if needed) the Daybook database file at `path`. A damaged file
    /// is an error for which [`AppError::is_corrupt`] holds (see `backup` for the
    /// ways out); only the header and the schema are read, not every page.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Self, AppError> {
        let store = EventStore::open(
            path,
            &StoreOptions {
                durability: options.durability,
            },
        )?;
        Self::init(store, options, Some(path.to_path_buf())).map_err(|e| match e {
            // Reading the read models or catching up may hit a damaged page.
            AppError::Store(s) => AppError::Store(s.classify()),
            other => other,
        })
    }

    /// How to open this store again after its file was replaced (restore): the same
    /// user, durability and mode; the device name comes from the new file.
    pub(crate) fn reopen_options(&self) -> OpenOptions {
        OpenOptions {
            durability: self.durability,
            user: Some(self.identity.user.clone()),
            device: None,
            authority: self.authority,
        }
    }

    /// Closes the database file so it can be replaced. Until the store is opened
    /// again, `self` is an empty in-memory store that refuses every write, so nothing
    /// can be written and lost meanwhile.
    pub(crate) fn close_for_swap(&mut self) -> Result<(), AppError> {
        // Dropping the old store closes its connection (and checkpoints its WAL).
        *self = Daybook::inert()?;
        Ok(())
    }

    /// An empty in-memory Daybook that refuses every write: the stand-in a shell holds
    /// while its store file is being replaced or cannot be opened (damaged), so a
    /// stray command fails loudly instead of being written nowhere.
    pub fn inert() -> Result<Self, AppError> {
        let store = EventStore::open_in_memory()?;
        store.conn().pragma_update(None, "query_only", true)?;
        Ok(Daybook {
            store,
            identity: Identity {
                user: "local".into(),
                device: "none".into(),
            },
            authority: false,
            path: None,
            durability: Durability::Full,
        })
    }

    /// A throw-away in-memory Daybook (tests).
    pub fn open_in_memory(options: OpenOptions) -> Result<Self, AppError> {
        Self::init(EventStore::open_in_memory()?, options, None)
    }

    fn init(
        store: EventStore,
        options: OpenOptions,
        path: Option<PathBuf>,
    ) -> Result<Self, AppError> {
        let device = match options.device {
            Some(d) => d,
            None => match store.meta_get("device")? {
                Some(d) => d,
                None => {
                    let short = Uuid::now_v7().simple().to_string();
                    let d = format!("device-{}", &short[short.len() - 6..]);
                    store.meta_set("device", &d)?;
                    d
                }
            },
        };
        let identity = Identity {
            user: options.user.unwrap_or_else(|| "local".to_string()),
            device,
        };
        let mut db = Daybook {
            store,
            identity,
            authority: options.authority,
            path,
            durability: options.durability,
        };
        let fresh = projection::ensure_schema(db.store.conn())?;
        if fresh {
            db.rebuild()?;
        } else {
            db.catch_up()?;
        }
        Ok(db)
    }

    /// The database file, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Who is recorded on new events.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The tenant.
    pub fn account_id(&self) -> Uuid {
        self.store.account_id()
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Connection {
        self.store.conn()
    }

    /// The underlying store (sync, tools).
    pub fn store(&mut self) -> &mut EventStore {
        &mut self.store
    }

    /// Runs a command given now by the user of this device.
    pub fn execute(&mut self, command: Command) -> Result<CommandOutcome, AppError> {
        self.execute_envelope(CommandEnvelope::new(command))
    }

    /// Runs one command in its own durable transaction.
    pub fn execute_envelope(&mut self, env: CommandEnvelope) -> Result<CommandOutcome, AppError> {
        let ctx = self.ctx();
        let tx = self.store.begin()?;
        let outcome = handle(&tx, &env, &ctx.with(&self.identity))?;
        tx.commit()?;
        Ok(outcome)
    }

    fn ctx(&self) -> HandleMode {
        HandleMode {
            authority: self.authority,
        }
    }

    /// Runs `f` in one write transaction of the store, committed if it returns `Ok`.
    pub(crate) fn with_tx(
        &mut self,
        f: impl FnOnce(&StoreTx<'_>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let tx = self.store.begin()?;
        f(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Records new events under this device name from now on.
    pub(crate) fn set_device(&mut self, device: String) {
        self.identity.device = device;
    }

    /// Runs `f` in one write transaction that commits if `f` returns `Ok`. Through the
    /// [`Writer`], `f` can run commands (each atomic on its own) on behalf of any
    /// identity and write its own rows in the same transaction: the server records
    /// each pushed command's result with its events, so a retry never re-applies it.
    ///
    /// `f` may fail with its own error type (the server's PostgreSQL adapter commits
    /// its database inside `f`, before this transaction).
    pub fn write<T, E: From<AppError>>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mode = self.ctx();
        let tx = self.store.begin().map_err(AppError::from)?;
        let mut w = Writer { tx, mode };
        let out = f(&mut w)?;
        w.tx.commit().map_err(AppError::from)?;
        Ok(out)
    }

    /// Runs many commands in one transaction (bulk work: demo data, imports). Each
    /// command is atomic on its own (a savepoint); a refused one does not undo the
    /// others. Results are in input order.
    pub fn execute_batch(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
    ) -> Result<Vec<Result<CommandOutcome, AppError>>, AppError> {
        let identity = self.identity.clone();
        let ctx = self.ctx();
        let mut tx = self.store.begin()?;
        let mut out = Vec::new();
        for env in envs {
            match tx.savepoint(|tx| handle(tx, &env, &ctx.with(&identity))) {
                // IO or corruption: the batch cannot go on.
                Err(AppError::Store(e)) if !matches!(e, StoreError::Conflict { .. }) => {
                    return Err(AppError::Store(e));
                }
                r => out.push(r),
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Runs commands in one transaction that commits only if every one succeeds.
    pub fn execute_atomic(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
    ) -> Result<Vec<CommandOutcome>, AppError> {
        let ctx = self.ctx();
        let tx = self.store.begin()?;
        let outcomes = envs
            .into_iter()
            .map(|env| handle(&tx, &env, &ctx.with(&self.identity)))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Loads a record's current state (snapshot + newer events), in one read
    /// transaction so the snapshot and the events are of the same moment.
    pub fn load(&self, stream_id: Uuid) -> Result<Option<(Aggregate, u64)>, AppError> {
        let conn = self.conn();
        if !conn.is_autocommit() {
            return load_stream(conn, stream_id);
        }
        conn.prepare_cached("BEGIN")?.execute([])?;
        let r = load_stream(conn, stream_id);
        conn.prepare_cached("COMMIT")?.execute([])?;
        r
    }

    /// Drops every read model and replays the whole log into them, in one transaction.
    pub fn rebuild(&mut self) -> Result<RebuildReport, AppError> {
        let start = Instant::now();
        let tx = self.store.begin()?;
        projection::clear(tx.conn())?;
        let events = replay(&tx, 0)?;
        tx.commit()?;
        Ok(RebuildReport {
            events,
            millis: start.elapsed().as_millis(),
        })
    }

    /// Projects events the read models do not include yet (e.g. written by an older
    /// build that had fewer projections).
    fn catch_up(&mut self) -> Result<(), AppError> {
        let tx = self.store.begin()?;
        let from = projection::checkpoint(tx.conn())?;
        if replay(&tx, from)? > 0 {
            tx.commit()?;
        }
        Ok(())
    }

    /// Next free number in a series (`order` -> `SO-00042`, or `SO-D2-00042` on a
    /// synced device with code `D2`), kept per store.
    pub fn next_number(&mut self, series: NumberSeries) -> Result<String, AppError> {
        let key = format!("counter.{}", series.key());
        let tx = self.store.begin()?;
        let current: i64 = tx
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (table, prefix) = series.table_and_prefix();
        // A device that syncs has a code from the server; putting it in the number
        // keeps numbers given offline on different devices apart.
        let code: Option<String> = tx
            .conn()
            .query_row(
                "SELECT value FROM meta WHERE key = 'device_code'",
                [],
                |r| r.get(0),
            )
            .ok();
        let prefix = match code {
            Some(c) => format!("{prefix}{c}-"),
            None => prefix.to_string(),
        };
        // Never hand out a number the read model already has (e.g. typed by hand).
        let mut n = current + 1;
        loop {
            let candidate = format!("{prefix}{n:05}");
            let taken: bool = tx.conn().query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE number = ?1)"),
                [&candidate],
                |r| r.get(0),
            )?;
            if !taken {
                tx.conn().execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [&key, &n.to_string()],
                )?;
                tx.commit()?;
                return Ok(candidate);
            }
            n += 1;
        }
    }
}

/// Numbered series handed out by [`Daybook::next_number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSeries {
    /// Sales orders: `SO-00001`.
    Order,
    /// Customers: `C-00001`.
    Customer,
}

impl NumberSeries {
    fn key(self) -> &'static str {
        match self {
            NumberSeries::Order => "order",
            NumberSeries::Customer => "customer",
        }
    }

    fn table_and_prefix(self) -> (&'static str, &'static str) {
        match self {
            NumberSeries::Order => ("p_orders", "SO-"),
            NumberSeries::Customer => ("p_customers", "C-"),
        }
    }
}

/// Projects every event after `from` and moves the checkpoint; returns the count.
fn replay(tx: &StoreTx<'_>, from: i64) -> Result<u64, AppError> {
    let (mut n, mut last) = (0u64, from);
    let mut projector = Projector::default();
    for_each_event(tx.conn(), from, |e| {
        projector.project(tx.conn(), &e)?;
        n += 1;
        last = e.seq;
        Ok::<(), AppError>(())
    })?;
    projector.finish(tx.conn())?;
    if last != from {
        projection::set_checkpoint(tx.conn(), last)?;
    }
    Ok(n)
}

/// Projects events that were stored without going through a command (replays,
/// events pulled from the server), folding each stream's state alongside in memory.
/// An order's state is dropped once it is invoiced or cancelled (no event can
/// follow); a stream not in memory is loaded from the log up to the event's
/// predecessor. An order's totals are written once per run of line events instead
/// of after every line: call [`Projector::finish`] at the end.
#[derive(Default)]
pub(crate) struct Projector {
    states: HashMap<Uuid, Aggregate>,
    /// Orders whose totals wait to be written, with their last change (time, revision).
    pending_totals: HashMap<Uuid, (i64, i64)>,
}

impl Projector {
    /// Projects `e`, which must be the next event of its stream.
    pub(crate) fn project(&mut self, conn: &Connection, e: &RecordedEvent) -> Result<(), AppError> {
        let state = match self.states.entry(e.stream_id) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(state_before(conn, e)?),
        };
        if let Some((at, rev)) = self.pending_totals.remove(&e.stream_id) {
            projection::write_order_totals(conn, e.stream_id, state, at, rev)?;
        }
        state.apply(&e.event);
        if projection::project_lines(conn, e, state, projection::Totals::Later)? {
            self.pending_totals.insert(
                e.stream_id,
                (
                    daybook_store::to_millis(e.metadata.issued_at),
                    e.revision as i64,
                ),
            );
        }
        if let Aggregate::SalesOrder(Some(o)) = state
            && matches!(o.status, OrderStatus::Invoiced | OrderStatus::Cancelled)
        {
            self.states.remove(&e.stream_id);
        }
        Ok(())
    }

    /// Writes the totals still pending.
    pub(crate) fn finish(&mut self, conn: &Connection) -> Result<(), AppError> {
        for (id, (at, rev)) in self.pending_totals.drain() {
            if let Some(state) = self.states.get(&id) {
                projection::write_order_totals(conn, id, state, at, rev)?;
            }
        }
        Ok(())
    }

    /// The folded state of a stream, if it is in memory.
    pub(crate) fn state(&self, stream_id: Uuid) -> Option<&Aggregate> {
        self.states.get(&stream_id)
    }
}

/// Loads a stream's state: the snapshot if it is current, then the newer events
/// (decoded without their metadata). `None` if the stream has no events.
pub fn load_stream(
    conn: &Connection,
    stream_id: Uuid,
) -> Result<Option<(Aggregate, u64)>, AppError> {
    let mut revision = 0;
    let mut agg: Option<Aggregate> = None;
    if let Some(s) = load_snapshot(conn, stream_id)?
        && s.state_version == STATE_VERSION
        && let Ok(state) = serde_json::from_str::<Aggregate>(&s.state)
        && state.stream_type() == s.stream_type
    {
        agg = Some(state);
        revision = s.revision;
    }
    for (stream_type, rev, event) in read_stream_events(conn, stream_id, revision)? {
        agg.get_or_insert_with(|| Aggregate::new(stream_type))
            .apply(&event);
        revision = rev;
    }
    Ok(agg.map(|a| (a, revision)))
}

/// The state of `e`'s stream just before `e`.
fn state_before(conn: &Connection, e: &RecordedEvent) -> Result<Aggregate, AppError> {
    let mut agg = Aggregate::new(e.stream_type);
    if e.revision > 1 {
        for prior in read_stream(conn, e.stream_id, 0)? {
            if prior.revision >= e.revision {
                break;
            }
            agg.apply(&prior.event);
        }
    }
    Ok(agg)
}

fn millis(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp_millis()).unwrap_or(0)
}

/// How commands are handled by this store.
#[derive(Debug, Clone, Copy)]
struct HandleMode {
    authority: bool,
}

impl HandleMode {
    fn with<'a>(&self, identity: &'a Identity) -> Handle<'a> {
        Handle {
            identity,
            authority: self.authority,
            record_outbox: !self.authority,
            check_duplicate: true,
        }
    }
}

/// One command's handling options.
pub(crate) struct Handle<'a> {
    pub(crate) identity: &'a Identity,
    /// Decide as the server (assigns invoice numbers).
    pub(crate) authority: bool,
    /// Keep the command in the outbox for sync (clients).
    pub(crate) record_outbox: bool,
    /// Answer a command id seen before instead of applying it again. Off only when
    /// a replica re-runs its own pending commands after a rebase.
    pub(crate) check_duplicate: bool,
}

/// A write transaction handed out by [`Daybook::write`].
pub struct Writer<'a> {
    tx: StoreTx<'a>,
    mode: HandleMode,
}

impl Writer<'_> {
    /// The transaction's connection (for the caller's own rows).
    pub fn conn(&self) -> &Connection {
        self.tx.conn()
    }

    /// Runs one command as `identity`, atomically (a savepoint): a refused command
    /// leaves nothing behind, and the transaction goes on.
    pub fn execute(
        &mut self,
        env: &CommandEnvelope,
        identity: &Identity,
    ) -> Result<CommandOutcome, AppError> {
        let h = self.mode.with(identity);
        self.tx.savepoint(|tx| handle(tx, env, &h))
    }
}

/// The command path, inside the caller's transaction.
pub(crate) fn handle(
    tx: &StoreTx<'_>,
    env: &CommandEnvelope,
    h: &Handle<'_>,
) -> Result<CommandOutcome, AppError> {
    let conn = tx.conn();
    let (target_type, stream_id) = env.command.target();

    // A command id that was applied before is answered, not applied again.
    if h.check_duplicate
        && let Some(revision) = applied_revision(conn, env.command_id)?
    {
        return Ok(CommandOutcome {
            command_id: env.command_id,
            stream_id,
            revision,
            events: Vec::new(),
            duplicate: true,
        });
    }

    let (agg, revision) = match load_stream(conn, stream_id)? {
        Some((agg, _)) if agg.stream_type() != target_type => {
            return Err(AppError::Domain(daybook_domain::DomainError::NotFound {
                kind: match target_type {
                    daybook_domain::StreamType::Customer => RecordKind::Customer,
                    daybook_domain::StreamType::Product => RecordKind::Product,
                    daybook_domain::StreamType::SalesOrder => RecordKind::Order,
                },
                id: stream_id,
            }));
        }
        Some(loaded) => loaded,
        None => (Aggregate::new(target_type), 0),
    };
    let needs = agg.needs(&env.command);
    let facts = facts::fetch(conn, &needs, h.authority)?;
    let events = agg.decide(&env.command, &facts, env.issued_at)?;
    if events.is_empty() {
        return Ok(CommandOutcome {
            command_id: env.command_id,
            stream_id,
            revision,
            events: Vec::new(),
            duplicate: false,
        });
    }

    let at_ms = millis(env.issued_at);
    let new_events: Vec<NewEvent> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| NewEvent {
            event_id: ids::event_id(env.command_id, at_ms, i as u16),
            event,
        })
        .collect();
    let metadata = Metadata {
        issued_at: env.issued_at,
        user: h.identity.user.clone(),
        device: h.identity.device.clone(),
        command_id: env.command_id,
        causation_id: Some(env.command_id),
        correlation_id: None,
    };
    let recorded = match tx.append(
        stream_id,
        target_type,
        ExpectedRevision::from_loaded(revision),
        new_events,
        &metadata,
        Utc::now(),
    )? {
        Appended::Written(r) => r,
        Appended::AlreadyStored => Vec::new(),
    };
    let new_revision = recorded.last().map_or(revision, |e| e.revision);
    let mut state = agg;
    for e in &recorded {
        state.apply(&e.event);
        projection::project(conn, e, &state)?;
    }
    if let Some(last) = recorded.last() {
        projection::set_checkpoint(conn, last.seq)?;
        maybe_snapshot(tx, stream_id, &state, revision, last.revision)?;
    }
    if h.record_outbox {
        tx.record_outbox(
            env.command_id,
            stream_id,
            &serde_json::to_string(env)?,
            &h.identity.user,
            env.issued_at,
        )?;
    }
    Ok(CommandOutcome {
        command_id: env.command_id,
        stream_id,
        revision: new_revision,
        events: recorded
            .iter()
            .map(|e| e.event.event_type().to_string())
            .collect(),
        duplicate: false,
    })
}

/// The revision a command left its stream at, if the command was applied here
/// before (it is in the outbox, or its events are stored).
fn applied_revision(conn: &Connection, command_id: Uuid) -> Result<Option<u64>, AppError> {
    let r: (bool, Option<i64>) = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE command_id = ?1),
                (SELECT max(revision) FROM events WHERE command_id = ?1)",
        )?
        .query_row([command_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(match r {
        (_, Some(rev)) => Some(rev as u64),
        (true, None) => Some(0),
        (false, None) => None,
    })
}

fn maybe_snapshot(
    tx: &StoreTx<'_>,
    stream_id: Uuid,
    state: &Aggregate,
    before: u64,
    after: u64,
) -> Result<(), AppError> {
    if after / SNAPSHOT_EVERY == before / SNAPSHOT_EVERY {
        return Ok(());
    }
    tx.save_snapshot(&Snapshot {
        stream_id,
        stream_type: state.stream_type(),
        revision: after,
        state_version: STATE_VERSION,
        state: serde_json::to_string(state)?,
    })?;
    Ok(())
}

impl Daybook {
    /// Opens a new draft order for the same customer with the same lines (prices and
    /// VAT copied from the source order, not the catalogue), in one transaction.
    /// Returns the new order's id.
    pub fn duplicate_order(
        &mut self,
        source: daybook_domain::OrderId,
    ) -> Result<daybook_domain::OrderId, AppError> {
        let detail = crate::query::order(self.conn(), source.0)?;
        let number = self.next_number(NumberSeries::Order)?;
        let new_id = daybook_domain::OrderId::new();
        let mut commands = vec![Command::CreateOrder(CreateOrder {
            order_id: new_id,
            number,
            customer_id: daybook_domain::CustomerId(detail.order.customer_id),
        })];
        commands.extend(detail.lines.iter().map(|l| {
            Command::AddOrderLine(AddOrderLine {
                order_id: new_id,
                line_id: daybook_domain::LineId::new(),
                product_id: daybook_domain::ProductId(l.product_id),
                quantity: l.quantity,
                unit_price: Some(l.unit_price),
                discount_bp: l.discount_bp,
                description: Some(l.description.clone()),
            })
        }));
        // All or nothing: a half-copied order is worse than none.
        self.execute_atomic(commands.into_iter().map(CommandEnvelope::new))?;
        Ok(new_id)
    }
}
