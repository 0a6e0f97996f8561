//! Daybook's desktop shell and composition root: it opens the local store in the data
//! directory, registers the IPC commands (`commands`) with their generated TypeScript
//! bindings (`bindings`), and runs the Tauri window over the web UI in `ui/dist`.
//!
//! **Architecture Invariant:** the shell holds no business logic. Each command calls
//! `daybook_app` once; errors cross IPC as `ErrorBody {code, message, field?}`.

pub mod bindings;
pub mod commands;
pub mod config;
pub mod data;
pub mod demo;
pub mod events;
pub mod ipc;
pub mod state;
pub mod sync;

use anyhow::{Context, anyhow};
use tauri::Manager;

use crate::config::Config;
use crate::state::AppState;
use crate::sync::SyncEngine;

/// Opens the store and runs the app until its window closes.
pub fn run(config: Config) -> anyhow::Result<()> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        anyhow::bail!("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)");
    }
    let state = AppState::open(&config).map_err(|e| {
        anyhow!(
            "cannot open the data in {}: {}",
            config.data_dir.display(),
            ipc::to_body(e).message
        )
    })?;
    if let Some(orders) = config.demo_orders
        && state.damaged().is_none()
    {
        preload_demo(&state, orders)?;
    }
    // A server given now is remembered; a remembered one is used.
    let server = tauri::async_runtime::block_on(async {
        if let (Some(url), Some(token)) = (&config.server, &config.token) {
            let given = daybook_app::ServerConfig {
                url: url.clone(),
                token: token.clone(),
            };
            state
                .connect(given)
                .await
                .map_err(|e| anyhow!("cannot remember the server: {}", e.message))?;
        }
        state
            .server()
            .await
            .map_err(|e| anyhow!("cannot read the sync settings: {}", e.message))
    })?;
    let builder = bindings::builder();
    tauri::Builder::default()
        .manage(state)
        .manage(SyncEngine::default())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            data::check_in_background(app.handle());
            if let Some(server) = &server {
                let state = app.state::<AppState>();
                let sync = app.state::<SyncEngine>();
                if let Err(e) = sync.start(app.handle(), &state, server) {
                    eprintln!("daybook-desktop: sync not started: {e}");
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("the window could not be opened")
}

/// `--demo N`: demo data before the window opens, only into an empty store.
fn preload_demo(state: &AppState, orders: u32) -> anyhow::Result<()> {
    if !state
        .read_blocking(|r| r.is_empty())
        .map_err(|e| anyhow!(e.message))?
    {
        return Ok(());
    }
    eprintln!("daybook-desktop: loading {orders} demo orders...");
    let loaded = state
        .write_blocking(|db| demo::load(db, orders, |_, _| {}))
        .map_err(|e| anyhow!("demo data: {}", e.message))?;
    eprintln!(
        "daybook-desktop: {} orders, {} events in {} ms",
        loaded.orders, loaded.events, loaded.millis
    );
    Ok(())
}
