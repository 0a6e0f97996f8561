//! The application service: opens the store, handles commands (load -> decide ->
//! append -> project, one transaction) and hosts the queries.

use std::path::{Path, PathBuf};
use std::time::Instant;

use daybook_domain::{AddOrderLine, Aggregate, Command, CommandEnvelope, CreateOrder, Role};
use daybook_store::{EventStore, StoreError, StoreOptions, StoreTx, settings};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::handle::{CommandOutcome, HandleMode, Writer, handle, load_stream};
use crate::numbers::NumberSeries;
use crate::projection;
use crate::projection::replay::replay;

pub use daybook_store::Durability;

/// A snapshot is written each time a stream's revision crosses a multiple of this, so
/// loading reads at most this many events after the snapshot; a large state stretches
/// the interval (see [`snapshot_step`]).
pub const SNAPSHOT_EVERY: u64 = 100;

/// The snapshot interval of a stream in `state`: [`SNAPSHOT_EVERY`] while the state
/// holds fewer than that many parts (lines, addresses), else that times the next power
/// of two of parts / [`SNAPSHOT_EVERY`]. Writing a snapshot costs its size, so a fixed
/// interval would make each line of a long order dearer than the last (a 1,000-line
/// order wrote its whole self every 100 lines); stretched this way, a line costs the
/// same whatever the order's size, and a load still replays fewer events than the
/// state holds parts, times two.
pub fn snapshot_step(state: &daybook_domain::Aggregate) -> u64 {
    let parts = state.parts() as u64 / SNAPSHOT_EVERY;
    SNAPSHOT_EVERY * parts.max(1).next_power_of_two()
}

/// Whether moving a stream from revision `before` to `after` crosses a snapshot point.
pub fn snapshot_due(state: &daybook_domain::Aggregate, before: u64, after: u64) -> bool {
    let step = snapshot_step(state);
    after / step != before / step
}

/// Who is working, and on which device: recorded on every event. The role decides
/// which commands they may give (`daybook_domain::permission`), checked before each
/// decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The user's name.
    pub user: String,
    /// The device's name.
    pub device: String,
    /// What they may do. Until people sign in, every store's user is its owner: admin.
    #[serde(default)]
    pub role: Role,
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
    /// The user's role. The default, admin, is the one owner of a store never
    /// connected to a server; sign-in will set it for the person signed in.
    pub role: Role,
    /// The server's own store: decisions are authoritative (it assigns invoice
    /// numbers) and commands are not queued in an outbox for sync.
    pub authority: bool,
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
    pub(crate) store: EventStore,
    identity: Identity,
    authority: bool,
    path: Option<PathBuf>,
    durability: Durability,
    /// An authority's stream state as its last committed [`Daybook::write`] left it
    /// (see `handle::Warm`): kept across transactions only by an authority, whose log
    /// only grows, and only after a commit.
    warm: Option<crate::handle::Warm>,
    /// Opened by [`Daybook::open_read_only`]: its file cannot be written beside.
    read_only: bool,
    /// An account's store with nobody signed in: new commands are refused
    /// ([`AppError::SignInRequired`]) until someone signs in.
    signed_out: bool,
}

/// Name of the database file inside a data directory.
pub const DB_FILE: &str = "daybook.sqlite3";

impl Daybook {
    /// Opens (creating if needed) the Daybook in `dir`.
    pub fn open_dir(dir: &Path, options: OpenOptions) -> Result<Self, AppError> {
        daybook_store::private::private_dir(dir).map_err(|e| {
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

    /// Opens the Daybook database file at `path` for reading only (see
    /// [`EventStore::open_read_only`]): for a store on storage that cannot be written,
    /// so its orders can still be looked up, printed, exported and backed up. Nothing is
    /// written; a command is refused with [`StoreError::ReadOnly`]. A store whose read
    /// models would have to be brought up to date first is refused the same way.
    pub fn open_read_only(path: &Path, options: OpenOptions) -> Result<Self, AppError> {
        let store = EventStore::open_read_only(path)?;
        if !projection::is_current(store.conn())? {
            return Err(AppError::Store(StoreError::ReadOnly(
                "its lists must be brought up to date by this version of Daybook first".into(),
            )));
        }
        let device = match options.device {
            Some(d) => d,
            None => store
                .setting(settings::DEVICE)?
                .unwrap_or_else(|| "none".into()),
        };
        Ok(Daybook {
            store,
            identity: Identity {
                user: options.user.unwrap_or_else(|| "local".to_string()),
                device,
                role: options.role,
            },
            authority: false,
            path: Some(path.to_path_buf()),
            durability: options.durability,
            warm: None,
            read_only: true,
            signed_out: false,
        })
    }

    /// How to open this store again after its file was replaced (restore): the same
    /// user, durability and mode; the device name comes from the new file.
    pub(crate) fn reopen_options(&self) -> OpenOptions {
        OpenOptions {
            durability: self.durability,
            user: Some(self.identity.user.clone()),
            device: None,
            role: self.identity.role,
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
                role: Role::Admin,
            },
            authority: false,
            path: None,
            durability: Durability::Full,
            warm: None,
            read_only: false,
            signed_out: false,
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
            None => match store.setting(settings::DEVICE)? {
                Some(d) => d,
                None => {
                    let short = Uuid::now_v7().simple().to_string();
                    let d = format!("device-{}", &short[short.len() - 6..]);
                    store.set_setting(settings::DEVICE, &d)?;
                    d
                }
            },
        };
        if store.setting(settings::STORE_ID)?.is_none() {
            store.set_setting(settings::STORE_ID, &Uuid::now_v7())?;
        }
        // A person signed in on the store is who works here, with their role.
        let person = crate::settings::signed_in(store.conn())?;
        let signed_out = person.is_none() && crate::settings::sign_in_required(store.conn())?;
        if person.is_some() {
            // A store signed in on by an earlier build: an account's store all the same.
            crate::settings::require_sign_in(store.conn())?;
        }
        let (user, role) = match person {
            Some(p) => (p.login, p.role),
            None => (
                options.user.unwrap_or_else(|| "local".to_string()),
                options.role,
            ),
        };
        // The server refuses a pushed command whose user breaks this rule: refuse the
        // user now, before any command of theirs is queued.
        daybook_protocol::check_user(&user)
            .map_err(|e| AppError::invalid(Some("user"), e.to_string()))?;
        let identity = Identity { user, device, role };
        let mut db = Daybook {
            store,
            identity,
            authority: options.authority,
            path,
            durability: options.durability,
            warm: None,
            read_only: false,
            signed_out,
        };
        let fresh = projection::ensure_schema(db.store.conn())?;
        if fresh {
            db.rebuild()?;
        } else {
            db.catch_up()?;
        }
        Ok(db)
    }

    /// Whether this store was opened read-only ([`Daybook::open_read_only`]).
    pub fn read_only(&self) -> bool {
        self.read_only
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

    /// The store's connection, for tests and tools that inspect the file. Screens and
    /// the CLI read through [`Daybook::read`] instead.
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
        self.check_signed_in()?;
        let ctx = self.ctx();
        let tx = self.store.begin()?;
        let outcome = handle(&tx, &env, &ctx.with(&self.identity))?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Whether this is an account's store with nobody signed in: it can be read, and
    /// takes no new command until someone signs in.
    pub fn signed_out(&self) -> bool {
        self.signed_out
    }

    fn check_signed_in(&self) -> Result<(), AppError> {
        if self.signed_out {
            return Err(AppError::SignInRequired);
        }
        Ok(())
    }

    pub(crate) fn set_signed_out(&mut self, signed_out: bool) {
        self.signed_out = signed_out;
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

    /// Records new commands as `user`, with `role`, from now on.
    pub(crate) fn act_as(&mut self, user: String, role: Role) {
        self.identity.user = user;
        self.identity.role = role;
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
        // Taken out now: a transaction that does not commit leaves none behind.
        let warm = self.warm.take().filter(|_| mode.authority);
        let mut w = Writer { tx, mode, warm };
        let out = f(&mut w)?;
        let warm = w.warm.take();
        w.tx.commit().map_err(AppError::from)?;
        self.warm = warm.filter(|_| mode.authority);
        Ok(out)
    }

    /// Runs many commands in one transaction (bulk work: demo data, imports). Each
    /// command is atomic on its own (a savepoint); a refused one does not undo the
    /// others. Results are in input order.
    pub fn execute_batch(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
    ) -> Result<Vec<Result<CommandOutcome, AppError>>, AppError> {
        self.batch(envs, true)
    }

    /// What [`Daybook::execute_batch`] would answer for each command, then everything
    /// rolled back: nothing is written (dry runs of imports).
    pub fn try_batch(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
    ) -> Result<Vec<Result<CommandOutcome, AppError>>, AppError> {
        self.batch(envs, false)
    }

    fn batch(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
        commit: bool,
    ) -> Result<Vec<Result<CommandOutcome, AppError>>, AppError> {
        self.check_signed_in()?;
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
        if commit {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Runs commands in one transaction that commits only if every one succeeds.
    pub fn execute_atomic(
        &mut self,
        envs: impl IntoIterator<Item = CommandEnvelope>,
    ) -> Result<Vec<CommandOutcome>, AppError> {
        self.check_signed_in()?;
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
