//! Demo data for an empty store, through `daybook_demo` (real commands), off the
//! UI's threads, with progress events.

use daybook_app::{AppError, Daybook, ErrorBody};
use serde::{Deserialize, Serialize};

use crate::events::{PROGRESS_EVENT, Progress};
use crate::state::AppState;

/// The seed of the demo data: the same data on every machine on the same day.
pub const SEED: u64 = 20_261_123;

/// Most demo orders one call may ask for.
pub const MAX_ORDERS: u32 = 250_000;

/// What loading demo data did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DemoLoaded {
    /// Customers registered.
    pub customers: u32,
    /// Products registered.
    pub products: u32,
    /// Orders created.
    pub orders: u32,
    /// Events written.
    pub events: u32,
    /// Commands the domain refused (e.g. spending limits reached), as in real life.
    pub refused: u32,
    /// Wall time in milliseconds.
    pub millis: u32,
}

fn small(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// Fills an empty store with `orders` demo orders; `progress(done, total)` as it goes.
pub fn load(
    db: &mut Daybook,
    orders: u32,
    progress: impl FnMut(usize, usize),
) -> Result<DemoLoaded, AppError> {
    if !(1..=MAX_ORDERS).contains(&orders) {
        return Err(AppError::invalid(
            Some("orders"),
            format!("the number of demo orders must be between 1 and {MAX_ORDERS}"),
        ));
    }
    let r = daybook_demo::generate(db, orders as usize, SEED, progress)?;
    Ok(DemoLoaded {
        customers: small(r.customers),
        products: small(r.products),
        orders: small(r.orders),
        events: small(r.events),
        refused: small(r.refused),
        millis: small(r.millis),
    })
}

/// [`load`] on the app's writer, on a blocking thread, emitting progress events.
pub async fn load_in_background<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    orders: u32,
) -> Result<DemoLoaded, ErrorBody> {
    use tauri::{Emitter, Manager};
    let task = tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.write_blocking(|db| {
            load(db, orders, |done, total| {
                let p = Progress {
                    done: done as u64,
                    total: total as u64,
                };
                // A failed emit only means no window listens yet.
                let _ = app.emit(PROGRESS_EVENT, p);
            })
        })
    });
    task.await.map_err(|e| {
        log::error!("demo data task failed: {e}");
        ErrorBody::new(
            daybook_app::ErrorCode::Internal,
            "loading demo data stopped unexpectedly",
        )
    })?
}
