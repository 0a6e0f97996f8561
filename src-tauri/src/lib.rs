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
pub mod diagnostics;
pub mod documents;
pub mod events;
pub mod files;
pub mod ipc;
pub mod people;
pub mod state;
pub mod sync;

use anyhow::{Context, anyhow};
use tauri::Manager;

use crate::config::Config;
use crate::files::Chosen;
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
    let trace = std::env::var_os(state::TRACE_ENV).is_some();
    tauri::Builder::default()
        // First: a second launch on the same data directory hands over to the first
        // window and exits, before it opens anything (one writer, one sync engine).
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&config.data_dir))
                .callback(|app, _args, _cwd| focus_main(app))
                .build(),
        )
        .plugin(diagnostics::plugin(&config.data_dir, trace))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .manage(SyncEngine::default())
        .manage(Chosen::default())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            log::info!(
                "Daybook {} started on {}",
                env!("CARGO_PKG_VERSION"),
                config.data_dir.display()
            );
            data::check_in_background(app.handle());
            let state = app.state::<AppState>();
            data::refresh_title(app.handle(), &state);
            if let Some(server) = &server {
                let sync = app.state::<SyncEngine>();
                if let Err(e) = sync.start(app.handle(), &state, server) {
                    log::warn!("sync not started: {e}");
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("the window could not be opened")
}

/// The single-instance name of a data directory: one app per store, so a second
/// launch on another directory (a test, a second company) still opens.
fn instance_id(data_dir: &std::path::Path) -> String {
    let dir = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    // FNV-1a: stable across builds, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir.to_string_lossy().bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("app.daybook.desktop.s{hash:016x}")
}

/// Shows, unminimises and focuses the main window (a second launch asked for it).
fn focus_main<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    log::info!("a second launch on this data directory: focusing the window");
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
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
