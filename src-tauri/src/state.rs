//! The app's managed state: the open `Daybook` (the one writer) and a few read-only
//! connections, so screens' queries never wait behind a long write such as demo data,
//! nor (mostly) behind each other. Also the one mapping from `AppError` to the
//! `ErrorBody` that crosses IPC.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use daybook_app::backup::CheckReport;

use daybook_app::{AppError, DB_FILE, Daybook, ErrorBody, OpenOptions};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};
use uuid::Uuid;

use crate::config::Config;

/// Tauri event sent after every change, so every open screen refreshes itself.
pub const CHANGED_EVENT: &str = "daybook://changed";

/// Payload of [`CHANGED_EVENT`]: which record changed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Changed {
    /// The record written; `null` when many records changed at once (demo data).
    pub stream_id: Option<Uuid>,
    /// Event types written, in order.
    pub events: Vec<String>,
}

impl tauri_specta::Event for Changed {
    const NAME: &'static str = CHANGED_EVENT;
}

/// Tauri event with the [`Progress`] of a long write (demo data).
pub const PROGRESS_EVENT: &str = "daybook://progress";

/// Progress of a long write (demo data), sent as [`PROGRESS_EVENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Progress {
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

impl tauri_specta::Event for Progress {
    const NAME: &'static str = PROGRESS_EVENT;
}

/// What the app shows about itself (About box, status bar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The data directory in use.
    pub data_dir: String,
    /// The user recorded on new events.
    pub user: String,
    /// This device's name, recorded on new events.
    pub device: String,
    /// The account (tenant) of the local store.
    pub account_id: Uuid,
}

/// Read connections: a screen fires a few queries at once (page, totals, sync badge).
const READERS: usize = 3;

/// Environment variable: when set, every IPC read and write is timed on stderr.
pub const TRACE_ENV: &str = "DAYBOOK_TRACE";

/// The state every command receives.
pub struct AppState {
    db: Arc<Mutex<Daybook>>,
    sync: crate::sync_status::Sync,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    info: Mutex<AppInfo>,
    trace: bool,
    opened: Instant,
    data_dir: PathBuf,
    user: String,
    /// Why the store could not be opened (damaged): the UI shows the recovery screen.
    damaged: Mutex<Option<String>>,
    /// The background check's result, once it ran.
    last_check: Mutex<Option<CheckReport>>,
}

impl AppState {
    /// Opens (creating if needed) the store in the configured data directory. A
    /// damaged store does not stop the app: it opens in recovery mode
    /// ([`AppState::damaged`]) with an inert store, and the UI offers the ways out.
    pub fn open(config: &Config) -> Result<Self, AppError> {
        let start = Instant::now();
        let options = OpenOptions {
            user: Some(config.user.clone()),
            ..OpenOptions::default()
        };
        let (db, damaged) = match Daybook::open_dir(&config.data_dir, options) {
            Ok(db) => (db, None),
            Err(e) if e.is_corrupt() => {
                eprintln!("daybook-desktop: the store is damaged: {e}");
                (Daybook::inert()?, Some(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        let file = config.data_dir.join(DB_FILE);
        let readers = (0..READERS)
            .map(|_| open_reader(&file, damaged.is_none()).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let info = info_of(&db, &config.data_dir);
        Ok(AppState {
            db: Arc::new(Mutex::new(db)),
            sync: Default::default(),
            readers,
            next_reader: AtomicUsize::new(0),
            info: Mutex::new(info),
            trace: std::env::var_os(TRACE_ENV).is_some(),
            opened: Instant::now(),
            data_dir: config.data_dir.clone(),
            user: config.user.clone(),
            damaged: Mutex::new(damaged),
            last_check: Mutex::new(None),
        })
        .inspect(|s| {
            if s.trace {
                let ms = start.elapsed().as_secs_f64() * 1e3;
                eprintln!(
                    "daybook-desktop: opened {} in {ms:.1} ms",
                    s.data_dir.display()
                );
            }
        })
    }

    /// The store, shared with the sync engine.
    pub fn shared(&self) -> Arc<Mutex<Daybook>> {
        self.db.clone()
    }

    /// The sync engine, if one runs.
    pub fn sync(&self) -> &crate::sync_status::Sync {
        &self.sync
    }

    /// The app's facts.
    pub fn info(&self) -> AppInfo {
        lock(&self.info).clone()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Why the store could not be opened, while the app is in recovery mode.
    pub fn damaged(&self) -> Option<String> {
        lock(&self.damaged).clone()
    }

    /// The background check's result, if it ran.
    pub fn last_check(&self) -> Option<CheckReport> {
        lock(&self.last_check).clone()
    }

    /// Records the background check's result; a failed check puts the app in recovery
    /// mode on its next start only (the store open now keeps working as well as it can).
    pub fn set_last_check(&self, report: CheckReport) {
        *lock(&self.last_check) = Some(report);
    }

    /// Runs `f` on the store's file with every connection to it closed (restore, fresh
    /// start), then opens it again. Holding the writer's lock keeps commands and the
    /// sync engine out meanwhile; a connection left open across a file swap would mix
    /// the old file's pages into the new one. If `f` fails, the file is as it was and
    /// is opened again as it was (still damaged, in recovery mode).
    pub fn replace_store<T>(
        &self,
        f: impl FnOnce(&Path) -> Result<T, AppError>,
    ) -> Result<T, ErrorBody> {
        let file = self.data_dir.join(DB_FILE);
        let mut db = lock(&self.db);
        let mut readers: Vec<MutexGuard<'_, Connection>> = self.readers.iter().map(lock).collect();
        *db = Daybook::inert().map_err(to_body)?;
        for r in readers.iter_mut() {
            **r = Connection::open_in_memory().map_err(|e| to_body(e.into()))?;
        }
        let out = f(&file);
        let options = OpenOptions {
            user: Some(self.user.clone()),
            ..OpenOptions::default()
        };
        let reopened = Daybook::open(&file, options).and_then(|new| {
            for r in readers.iter_mut() {
                **r = open_reader(&file, true)?;
            }
            Ok(new)
        });
        match reopened {
            Ok(new) => {
                *lock(&self.info) = info_of(&new, &self.data_dir);
                *db = new;
                *lock(&self.damaged) = None;
            }
            Err(e) => {
                eprintln!("daybook-desktop: the store cannot be opened again: {e}");
                *lock(&self.damaged) = Some(e.to_string());
                if out.is_ok() {
                    return Err(to_body(e));
                }
            }
        }
        out.map_err(to_body)
    }

    /// Runs a query on the read connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, AppError>,
    ) -> Result<T, ErrorBody> {
        let start = Instant::now();
        let conn = self.reader();
        let waited = start.elapsed();
        let out = f(&conn).map_err(to_body);
        drop(conn);
        self.traced("read", start, waited, &out);
        out
    }

    /// A free read connection, else the next one in turn.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        (0..n)
            .find_map(|i| self.readers[(first + i) % n].try_lock().ok())
            .unwrap_or_else(|| lock(&self.readers[first % n]))
    }

    fn traced<T>(
        &self,
        what: &str,
        start: Instant,
        waited: std::time::Duration,
        out: &Result<T, ErrorBody>,
    ) {
        if self.trace {
            let result = std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("?");
            eprintln!(
                "daybook-desktop: +{:.0} ms {what} {result}{} in {:.1} ms (waited {:.1} ms)",
                self.opened.elapsed().as_secs_f64() * 1e3,
                if out.is_err() { " (error)" } else { "" },
                start.elapsed().as_secs_f64() * 1e3,
                waited.as_secs_f64() * 1e3,
            );
        }
    }

    /// Runs a write on the one `Daybook` (commands are serialised here).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Daybook) -> Result<T, AppError>,
    ) -> Result<T, ErrorBody> {
        let start = Instant::now();
        let mut db = lock(&self.db);
        let waited = start.elapsed();
        let out = f(&mut db).map_err(to_body);
        drop(db);
        self.traced("write", start, waited, &out);
        out
    }

    /// True when the store has no events yet (the UI then offers demo data).
    pub fn is_empty(&self) -> Result<bool, ErrorBody> {
        self.read(
            |c| Ok(c.query_row("SELECT NOT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))?),
        )
    }
}

/// A read-only connection to the store, or (while it cannot be opened) an empty
/// in-memory one.
fn open_reader(file: &Path, store_ok: bool) -> Result<Connection, AppError> {
    if store_ok {
        Ok(daybook_store::EventStore::open_reader(file)?)
    } else {
        Ok(Connection::open_in_memory()?)
    }
}

fn info_of(db: &Daybook, data_dir: &Path) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: data_dir.display().to_string(),
        user: db.identity().user.clone(),
        device: db.identity().device.clone(),
        account_id: db.account_id(),
    }
}

/// A panic inside a command rolls its transaction back (the guard drops it), so
/// the data behind a poisoned lock is still consistent: carry on with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The structured error for the UI. Internal details (SQL, IO) are not in the body,
/// so they are logged here.
pub fn to_body(e: AppError) -> ErrorBody {
    let body = e.body();
    if body.code == "internal" {
        eprintln!("daybook-desktop: internal error: {e:?}");
    }
    body
}

/// Tells every window that a record changed. A failed emit (no window yet) only
/// means nobody is listening.
pub fn notify<R: Runtime>(app: &AppHandle<R>, stream_id: Option<Uuid>, events: Vec<String>) {
    if let Err(e) = app.emit(CHANGED_EVENT, Changed { stream_id, events }) {
        eprintln!("daybook-desktop: cannot emit {CHANGED_EVENT}: {e}");
    }
}

/// The event types of a record's stream, for the [`Changed`] payload of writes that
/// do not report them (duplicating an order).
pub fn stream_events(conn: &Connection, id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(daybook_store::read_stream(conn, id, 0)?
        .iter()
        .map(|e| e.event.event_type().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use daybook_app::query::{self, CustomerQuery};
    use daybook_domain::{AddOrderLine, CreateOrder, RegisterCustomer, RegisterProduct};
    use daybook_domain::{
        Command, CommandEnvelope, CustomerId, CustomerKind, LineId, Money, OrderId, ProductId,
        VatClass,
    };
    use serde_json::json;

    fn open(dir: &tempfile::TempDir) -> AppState {
        AppState::open(&Config {
            data_dir: dir.path().join("data"),
            user: "ann".into(),
            demo_orders: None,
            server: None,
            token: None,
        })
        .expect("open")
    }

    fn run(state: &AppState, command: Command) -> Result<daybook_app::CommandOutcome, ErrorBody> {
        state.write(|db| db.execute_envelope(CommandEnvelope::new(command)))
    }

    /// A customer, a product and a draft order for them.
    fn draft(state: &AppState) -> (OrderId, ProductId) {
        let (customer, product, order) = (CustomerId::new(), ProductId::new(), OrderId::new());
        run(
            state,
            Command::RegisterCustomer(RegisterCustomer {
                customer_id: customer,
                number: "C-1".into(),
                kind: CustomerKind::Organisation,
                name: "Acme".into(),
                vat_number: None,
                email: None,
                currency: Default::default(),
                spending_limit: None,
            }),
        )
        .expect("customer");
        run(
            state,
            Command::RegisterProduct(RegisterProduct {
                product_id: product,
                code: "P-1".into(),
                description: "Chair".into(),
                unit_price: Money(12_50),
                vat_class: VatClass::Standard,
            }),
        )
        .expect("product");
        run(
            state,
            Command::CreateOrder(CreateOrder {
                order_id: order,
                number: "SO-1".into(),
                customer_id: customer,
            }),
        )
        .expect("order");
        (order, product)
    }

    #[test]
    fn opens_an_empty_store_in_the_data_dir_as_the_user() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        assert!(dir.path().join("data").join(DB_FILE).exists());
        assert_eq!(state.info().user, "ann");
        assert!(state.info().device.starts_with("device-"));
        assert_eq!(state.is_empty(), Ok(true));
    }

    #[test]
    fn reads_see_a_command_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        draft(&state);
        let page = state
            .read(|c| query::customers(c, &CustomerQuery::default()))
            .expect("customers");
        assert_eq!(page.total, 1);
        assert_eq!(state.is_empty(), Ok(false));
        let status = crate::sync_status::status(&state).expect("status");
        assert_eq!(
            (status.configured, status.online, status.pending),
            (false, false, 3)
        );
    }

    #[test]
    fn a_refused_command_crosses_ipc_as_an_error_body_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        let (order, product) = draft(&state);
        let err = run(
            &state,
            Command::AddOrderLine(AddOrderLine {
                order_id: order,
                line_id: LineId::new(),
                product_id: product,
                quantity: 0,
                unit_price: None,
                discount_bp: 0,
                description: None,
            }),
        )
        .expect_err("quantity 0 is refused");
        assert_eq!(
            serde_json::to_value(&err).expect("json"),
            json!({
                "code": "invalid_quantity",
                "message": "quantity must be greater than 0 (got 0)",
                "field": "quantity",
                "params": {"quantity": 0},
            })
        );
        let detail = state.read(|c| query::order(c, order.0)).expect("order");
        assert!(detail.lines.is_empty());
        let events = stream_events(&state.reader(), order.0).expect("events");
        assert_eq!(events, ["OrderCreated"]);
    }

    #[test]
    fn an_unknown_record_is_not_found_with_the_field_to_mark() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        let err = state
            .read(|c| query::order(c, Uuid::now_v7()))
            .expect_err("no such order");
        assert_eq!(err.code, "not_found");
        assert_eq!(err.field.as_deref(), Some("order_id"));
    }

    #[test]
    fn demo_data_is_refused_outside_its_bounds_with_the_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        let err = state
            .write(|db| crate::demo::load(db, 0, |_, _| {}))
            .expect_err("zero orders");
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("invalid_input", Some("orders"))
        );
    }

    fn add_customer(state: &AppState) {
        let number = state
            .write(|db| db.next_number(daybook_app::NumberSeries::Customer))
            .expect("number");
        run(
            state,
            Command::RegisterCustomer(RegisterCustomer {
                customer_id: CustomerId::new(),
                number,
                kind: CustomerKind::Organisation,
                name: "Acme".into(),
                vat_number: None,
                email: None,
                currency: Default::default(),
                spending_limit: None,
            }),
        )
        .expect("customer");
    }

    #[test]
    fn a_restore_swaps_the_store_under_the_writer_and_the_readers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = open(&dir);
        add_customer(&state);
        let backup = dir.path().join("b.sqlite3");
        state
            .read(|c| daybook_app::backup::backup_from(c, &backup))
            .expect("backup");
        add_customer(&state);
        let customers = |s: &AppState| {
            s.read(|c| query::customers(c, &CustomerQuery::default()))
                .expect("customers")
                .total
        };
        assert_eq!(customers(&state), 2);
        let report = state
            .replace_store(|live| daybook_app::backup::restore_file(live, &backup))
            .expect("restore");
        assert!(report.kept_aside.is_some());
        // Every reader and the writer see the restored file.
        for _ in 0..READERS {
            assert_eq!(customers(&state), 1);
        }
        add_customer(&state);
        assert_eq!(customers(&state), 2);
        // A refused backup changes nothing and leaves the store working.
        let junk = dir.path().join("junk.sqlite3");
        std::fs::write(&junk, "junk").expect("write");
        let err = state
            .replace_store(|live| daybook_app::backup::restore_file(live, &junk))
            .expect_err("junk");
        assert_eq!(err.code, "invalid_backup");
        assert_eq!(customers(&state), 2);
        add_customer(&state);
    }

    #[test]
    fn a_damaged_store_opens_in_recovery_mode_and_starts_fresh() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(open(&dir));
        let file = dir.path().join("data").join(DB_FILE);
        let mut bytes = std::fs::read(&file).expect("read");
        bytes[..16].copy_from_slice(b"garbage garbage!");
        std::fs::write(&file, bytes).expect("write");
        let state = open(&dir);
        assert!(state.damaged().is_some());
        // Writes are refused, not written nowhere.
        assert!(
            state
                .write(|db| db.next_number(daybook_app::NumberSeries::Order))
                .is_err()
        );
        state
            .replace_store(daybook_app::backup::start_fresh)
            .expect("fresh");
        assert_eq!(state.damaged(), None);
        assert_eq!(state.is_empty(), Ok(true));
        add_customer(&state);
        assert_eq!(state.is_empty(), Ok(false));
    }

    #[test]
    fn the_changed_event_payload_shape() {
        let id = Uuid::nil();
        let payload = Changed {
            stream_id: Some(id),
            events: vec!["OrderPlaced".into()],
        };
        assert_eq!(
            serde_json::to_value(payload).expect("json"),
            json!({"stream_id": id.to_string(), "events": ["OrderPlaced"]})
        );
    }
}
