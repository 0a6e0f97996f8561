//! The IPC commands. Each is a few lines: state -> one `daybook_app` call -> error
//! mapping (in `AppState::read`/`write`). Writes then tell every window what changed.
//!
//! **Architecture Invariant:** no business logic here; rules live in the domain and
//! the app service, so the CLI, the server and this shell behave the same.

use chrono::NaiveDate;
use daybook_app::history::{
    self, AsOf, DayCount, RecordHistory, StateAt, TimelineFilter, TimelinePage,
};
use daybook_app::query::{
    self, CustomerDetail, CustomerPage, CustomerQuery, Dashboard, OrderDetail, OrderPage,
    OrderQuery, OrderSummary, ProductPage, ProductQuery, ProductRow,
};
use daybook_app::{CommandOutcome, ErrorBody};
use daybook_domain::{Command, CommandEnvelope, OrderId};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use uuid::Uuid;

use crate::demo::{self, DemoLoaded};
use crate::state::{AppInfo, AppState, notify, stream_events};
use crate::sync_status::{self, SyncStatus};

/// IPC result: the value or the structured error `{code, message, field?}`.
type Res<T> = Result<T, ErrorBody>;

/// Runs a command the user gave now (a fresh command id and time).
#[tauri::command]
#[specta::specta]
pub async fn execute_command(
    app: AppHandle,
    state: State<'_, AppState>,
    command: Command,
) -> Res<CommandOutcome> {
    let outcome = state.write(|db| db.execute_envelope(CommandEnvelope::new(command)))?;
    if !outcome.events.is_empty() {
        notify(&app, Some(outcome.stream_id), outcome.events.clone());
        state.sync().wake();
    }
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
    state.write(|db| db.next_number(series))
}

/// A page of the order list.
#[tauri::command]
#[specta::specta]
pub async fn list_orders(state: State<'_, AppState>, query: OrderQuery) -> Res<OrderPage> {
    state.read(|c| query::orders(c, &query))
}

/// Count and totals of every order matching the list's filter.
#[tauri::command]
#[specta::specta]
pub async fn order_summary(state: State<'_, AppState>, query: OrderQuery) -> Res<OrderSummary> {
    state.read(|c| query::order_summary(c, &query))
}

/// One order with its lines and totals.
#[tauri::command]
#[specta::specta]
pub async fn get_order(state: State<'_, AppState>, id: Uuid) -> Res<OrderDetail> {
    state.read(|c| query::order(c, id))
}

/// A new draft order copying `id`'s customer and lines; returns the new order's id.
#[tauri::command]
#[specta::specta]
pub async fn duplicate_order(app: AppHandle, state: State<'_, AppState>, id: Uuid) -> Res<OrderId> {
    let new_id = state.write(|db| db.duplicate_order(OrderId(id)))?;
    notify(
        &app,
        Some(new_id.0),
        state.read(|c| stream_events(c, new_id.0))?,
    );
    Ok(new_id)
}

/// A page of the customer list.
#[tauri::command]
#[specta::specta]
pub async fn list_customers(state: State<'_, AppState>, query: CustomerQuery) -> Res<CustomerPage> {
    state.read(|c| query::customers(c, &query))
}

/// One customer with addresses, open total and limit.
#[tauri::command]
#[specta::specta]
pub async fn get_customer(state: State<'_, AppState>, id: Uuid) -> Res<CustomerDetail> {
    state.read(|c| query::customer(c, id))
}

/// A page of the catalogue.
#[tauri::command]
#[specta::specta]
pub async fn list_products(state: State<'_, AppState>, query: ProductQuery) -> Res<ProductPage> {
    state.read(|c| query::products(c, &query))
}

/// One product.
#[tauri::command]
#[specta::specta]
pub async fn get_product(state: State<'_, AppState>, id: Uuid) -> Res<ProductRow> {
    state.read(|c| query::product(c, id))
}

/// A record's whole history with field-level changes.
#[tauri::command]
#[specta::specta]
pub async fn record_history(state: State<'_, AppState>, id: Uuid) -> Res<RecordHistory> {
    state.read(|c| history::history(c, id))
}

/// A record as it was after a revision or at a moment.
#[tauri::command]
#[specta::specta]
pub async fn record_state_at(state: State<'_, AppState>, id: Uuid, as_of: AsOf) -> Res<StateAt> {
    state.read(|c| history::state_at(c, id, as_of))
}

/// A page of the account's timeline, newest first.
#[tauri::command]
#[specta::specta]
pub async fn timeline(state: State<'_, AppState>, filter: TimelineFilter) -> Res<TimelinePage> {
    state.read(|c| history::timeline(c, &filter))
}

/// Events per day matching the timeline's filter, for the activity chart.
#[tauri::command]
#[specta::specta]
pub async fn activity(state: State<'_, AppState>, filter: TimelineFilter) -> Res<Vec<DayCount>> {
    state.read(|c| history::activity(c, &filter))
}

/// The users who appear in the log, for the timeline's filter.
#[tauri::command]
#[specta::specta]
pub async fn timeline_users(state: State<'_, AppState>) -> Res<Vec<String>> {
    state.read(history::users)
}

/// Orders and revenue per day in `[from, to]` (UTC days), top customers, open work.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    state: State<'_, AppState>,
    from: NaiveDate,
    to: NaiveDate,
) -> Res<Dashboard> {
    state.read(|c| query::dashboard(c, from, to))
}

/// True when the store has no events yet: the UI then offers demo data.
#[tauri::command]
#[specta::specta]
pub async fn is_empty(state: State<'_, AppState>) -> Res<bool> {
    state.is_empty()
}

/// Fills an empty store with demo data, sending `daybook://progress` as it goes.
#[tauri::command]
#[specta::specta]
pub async fn load_demo(app: AppHandle, orders: u32) -> Res<DemoLoaded> {
    let loaded = demo::load_in_background(app.clone(), orders).await?;
    notify(&app, None, Vec::new());
    Ok(loaded)
}

/// The sync badge: online, waiting changes, last sync, needs attention.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Res<SyncStatus> {
    sync_status::status(&state)
}

/// Tries a command that needs attention again (as a new command).
#[tauri::command]
#[specta::specta]
pub async fn retry_command(
    app: AppHandle,
    state: State<'_, AppState>,
    command_id: Uuid,
) -> Res<CommandOutcome> {
    let outcome = state.write(|db| db.retry(command_id, None))?;
    notify(&app, Some(outcome.stream_id), outcome.events.clone());
    state.sync().wake();
    Ok(outcome)
}

/// Gives up on a command that needs attention.
#[tauri::command]
#[specta::specta]
pub async fn discard_command(
    app: AppHandle,
    state: State<'_, AppState>,
    command_id: Uuid,
) -> Res<()> {
    state.write(|db| db.discard(command_id))?;
    notify(&app, None, Vec::new());
    state.sync().wake();
    Ok(())
}

/// Connects this store to a sync server (remembered) and starts syncing.
#[tauri::command]
#[specta::specta]
pub async fn configure_sync(
    app: AppHandle,
    state: State<'_, AppState>,
    server: String,
    token: String,
) -> Res<SyncStatus> {
    let config = daybook_sync::ServerConfig {
        url: server.trim().to_string(),
        token: token.trim().to_string(),
    };
    let invalid = |field: &str, message: String| {
        ErrorBody::new(daybook_app::ErrorCode::InvalidInput, message).with_field(field)
    };
    daybook_sync::Client::new(&config).map_err(|e| invalid("server", e.to_string()))?;
    if config.token.is_empty() {
        return Err(invalid("token", "the device token is required".into()));
    }
    state.write(|db| sync_status::remember(db, &config))?;
    sync_status::start(&app, &state, &config).map_err(|m| invalid("server", m))?;
    sync_status::status(&state)
}

/// Syncs now instead of waiting for the next trigger.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Res<()> {
    state.sync().wake();
    Ok(())
}

/// Version, data directory, user, device and account.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    Ok(state.info())
}
