//! The IPC commands of the screens. Each is a few lines: state -> one `daybook_app`
//! call (on a blocking thread, see `AppState`) -> the error contract. Writes then tell
//! every window what changed and wake the sync engine.
//!
//! **Architecture Invariant:** no business logic, no SQL and no file IO here; rules
//! live in the domain and the app service, so the CLI, the server and this shell
//! behave the same.

use chrono::NaiveDate;
use daybook_app::history::{AsOf, DayCount, RecordHistory, StateAt, TimelineFilter};
use daybook_app::query::{
    CustomerDetail, CustomerPage, CustomerQuery, Dashboard, HeldOrderRow, OrderDetail, OrderPage,
    OrderQuery, OrderSummary, ProductPage, ProductQuery, ProductRow,
};
use daybook_app::readable::TimelineInWords;
use daybook_app::{CommandOutcome, ServerConfig};
use daybook_domain::{Command, CommandEnvelope, OrderId};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use uuid::Uuid;

use crate::demo::{self, DemoLoaded};
use crate::events::notify;
use crate::ipc::{Res, invalid};
use crate::state::{AppInfo, AppState};
use crate::sync::{SyncEngine, SyncStatus};

/// Tells the windows what a command changed and wakes the sync engine.
pub(crate) fn changed(app: &AppHandle, sync: &SyncEngine, outcome: &CommandOutcome) {
    if !outcome.events.is_empty() {
        notify(app, Some(outcome.stream_id), outcome.events.clone());
        sync.wake();
    }
}

/// Runs a command the user gave now (a fresh command id and time).
#[tauri::command]
#[specta::specta]
pub async fn execute_command(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    command: Command,
) -> Res<CommandOutcome> {
    run(&app, &state, &sync, command).await
}

/// Runs several commands the user gave now, all or none (one transaction): a new
/// order is recorded with its first line, so picking a customer alone writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn execute_commands(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    commands: Vec<Command>,
) -> Res<Vec<CommandOutcome>> {
    let outcomes = state
        .write(|db| db.execute_atomic(commands.into_iter().map(CommandEnvelope::new)))
        .await?;
    for outcome in &outcomes {
        changed(&app, &sync, outcome);
    }
    Ok(outcomes)
}

/// Runs `command` as given now and tells the windows and the sync engine (every IPC
/// command that records one goes through here).
pub(crate) async fn run(
    app: &AppHandle,
    state: &AppState,
    sync: &SyncEngine,
    command: Command,
) -> Res<CommandOutcome> {
    let outcome = state
        .write(|db| db.execute_envelope(CommandEnvelope::new(command)))
        .await?;
    changed(app, sync, &outcome);
    Ok(outcome)
}

/// The numbered series of [`next_number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum NumberSeries {
    /// Sales orders: `SO-00001`.
    Order,
    /// Customers: `C-00001`.
    Customer,
}

/// The next free number of a series, for a new order or customer form.
#[tauri::command]
#[specta::specta]
pub async fn next_number(state: State<'_, AppState>, series: NumberSeries) -> Res<String> {
    let series = match series {
        NumberSeries::Order => daybook_app::NumberSeries::Order,
        NumberSeries::Customer => daybook_app::NumberSeries::Customer,
    };
    state.write(move |db| db.next_number(series)).await
}

/// A page of the order list.
#[tauri::command]
#[specta::specta]
pub async fn list_orders(state: State<'_, AppState>, query: OrderQuery) -> Res<OrderPage> {
    state.read(move |r| r.orders(&query)).await
}

/// Count and totals of every order matching the list's filter.
#[tauri::command]
#[specta::specta]
pub async fn order_summary(state: State<'_, AppState>, query: OrderQuery) -> Res<OrderSummary> {
    state.read(move |r| r.order_summary(&query)).await
}

/// One order with its lines and totals.
#[tauri::command]
#[specta::specta]
pub async fn get_order(state: State<'_, AppState>, id: Uuid) -> Res<OrderDetail> {
    state.read(move |r| r.order(id)).await
}

/// A new draft order copying `id`'s customer and lines; returns the new order's id.
#[tauri::command]
#[specta::specta]
pub async fn duplicate_order(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    id: Uuid,
) -> Res<OrderId> {
    let new_id = state
        .write(move |db| db.duplicate_order(OrderId(id)))
        .await?;
    let events = state.read(move |r| r.event_types(new_id.0)).await?;
    notify(&app, Some(new_id.0), events);
    sync.wake();
    Ok(new_id)
}

/// A page of the customer list.
#[tauri::command]
#[specta::specta]
pub async fn list_customers(state: State<'_, AppState>, query: CustomerQuery) -> Res<CustomerPage> {
    state.read(move |r| r.customers(&query)).await
}

/// One customer with addresses, open total and limit.
#[tauri::command]
#[specta::specta]
pub async fn get_customer(state: State<'_, AppState>, id: Uuid) -> Res<CustomerDetail> {
    state.read(move |r| r.customer(id)).await
}

/// A page of the catalogue.
#[tauri::command]
#[specta::specta]
pub async fn list_products(state: State<'_, AppState>, query: ProductQuery) -> Res<ProductPage> {
    state.read(move |r| r.products(&query)).await
}

/// One product.
#[tauri::command]
#[specta::specta]
pub async fn get_product(state: State<'_, AppState>, id: Uuid) -> Res<ProductRow> {
    state.read(move |r| r.product(id)).await
}

/// A record's whole history with field-level changes.
#[tauri::command]
#[specta::specta]
pub async fn record_history(state: State<'_, AppState>, id: Uuid) -> Res<RecordHistory> {
    state.read(move |r| r.history(id)).await
}

/// A record as it was after a revision or at a moment.
#[tauri::command]
#[specta::specta]
pub async fn record_state_at(state: State<'_, AppState>, id: Uuid, as_of: AsOf) -> Res<StateAt> {
    state.read(move |r| r.state_at(id, as_of)).await
}

/// A page of the account's timeline, newest first, each event told in one line
/// (what happened and what it changed, names and amounts as they were).
#[tauri::command]
#[specta::specta]
pub async fn timeline(state: State<'_, AppState>, filter: TimelineFilter) -> Res<TimelineInWords> {
    state.read(move |r| r.timeline_in_words(&filter)).await
}

/// Events per day matching the timeline's filter, for the activity chart.
#[tauri::command]
#[specta::specta]
pub async fn activity(state: State<'_, AppState>, filter: TimelineFilter) -> Res<Vec<DayCount>> {
    state.read(move |r| r.activity(&filter)).await
}

/// The users who appear in the log, for the timeline's filter.
#[tauri::command]
#[specta::specta]
pub async fn timeline_users(state: State<'_, AppState>) -> Res<Vec<String>> {
    state.read(|r| r.users()).await
}

/// Orders and revenue per day in `[from, to]` (UTC days), top customers, open work.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    state: State<'_, AppState>,
    from: NaiveDate,
    to: NaiveDate,
) -> Res<Dashboard> {
    state.read(move |r| r.dashboard(from, to)).await
}

/// The approvals queue: held orders waiting for a manager, the longest waiting first,
/// with the customer's limit and open total as they are now.
#[tauri::command]
#[specta::specta]
pub async fn approvals(state: State<'_, AppState>) -> Res<Vec<HeldOrderRow>> {
    state.read(|r| r.approvals()).await
}

/// True when the store has no events yet: the UI then offers demo data.
#[tauri::command]
#[specta::specta]
pub async fn is_empty(state: State<'_, AppState>) -> Res<bool> {
    state.read(|r| r.is_empty()).await
}

/// Fills an empty store with demo data, sending `daybook://progress` as it goes.
#[tauri::command]
#[specta::specta]
pub async fn load_demo(app: AppHandle, state: State<'_, AppState>, orders: u32) -> Res<DemoLoaded> {
    let loaded = demo::load_in_background(app.clone(), orders).await?;
    notify(&app, None, Vec::new());
    crate::data::refresh_title(&app, &state);
    Ok(loaded)
}

/// The sync badge: online, waiting changes, last sync, needs attention.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
) -> Res<SyncStatus> {
    sync.status(&state).await
}

/// Tries a command that needs attention again (as a new command): as it was, or
/// `edited` in its place (as `daybook retry --edited` does). A refused edit changes
/// nothing and the error names the field.
#[tauri::command]
#[specta::specta]
pub async fn retry_command(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    command_id: Uuid,
    edited: Option<Command>,
) -> Res<CommandOutcome> {
    let outcome = state.write(move |db| db.retry(command_id, edited)).await?;
    notify(&app, Some(outcome.stream_id), outcome.events.clone());
    sync.wake();
    Ok(outcome)
}

/// Gives up on a command that needs attention.
#[tauri::command]
#[specta::specta]
pub async fn discard_command(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    command_id: Uuid,
) -> Res<()> {
    state.write(move |db| db.discard(command_id)).await?;
    notify(&app, None, Vec::new());
    sync.wake();
    Ok(())
}

/// Connects this store to a sync server, or changes its server or token: both are
/// checked with the server first (a wrong URL or token is refused at its field and
/// nothing is remembered), then remembered, and the engine (re)starts.
#[tauri::command]
#[specta::specta]
pub async fn configure_sync(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
    server: String,
    token: String,
) -> Res<SyncStatus> {
    let config = ServerConfig {
        url: server.trim().to_string(),
        token: token.trim().to_string(),
    };
    // A demo store is refused before anything is sent anywhere.
    if state.read(|r| r.holds_demo()).await? {
        return Err(daybook_app::AppError::DemoData.body());
    }
    crate::sync::check_server(&config).await?;
    state.connect(config.clone()).await?;
    // A change of server or token: the engine starts again with the new one.
    sync.stop();
    sync.start(&app, &state, &config)
        .map_err(|m| invalid("server", m))?;
    sync.status(&state).await
}

/// Signs out and disconnects: stops the engine and forgets the server and the token.
/// The store goes on as local only; changes not yet pushed stay waiting.
#[tauri::command]
#[specta::specta]
pub async fn forget_server(
    state: State<'_, AppState>,
    sync: State<'_, SyncEngine>,
) -> Res<SyncStatus> {
    sync.stop();
    state.disconnect().await?;
    log::info!("signed out: the server and the token are forgotten");
    sync.status(&state).await
}

/// Syncs now instead of waiting for the next trigger.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(sync: State<'_, SyncEngine>) -> Res<()> {
    sync.wake();
    Ok(())
}

/// Version, data directory, user, device, account, and whether it holds demo data.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    // Who is signed in changes while the app runs (the Sync screen's sign-in). Read
    // on a reader: the writer may be busy for a while (demo data, a first sync).
    let (demo_data, person, sign_in_required) = state
        .read(|r| Ok((r.holds_demo()?, r.signed_in()?, r.sign_in_required()?)))
        .await?;
    let user = person
        .as_ref()
        .map_or_else(|| state.owner().to_string(), |p| p.login.clone());
    Ok(AppInfo {
        demo_data,
        user,
        person,
        sign_in_required,
        ..state.info()
    })
}
