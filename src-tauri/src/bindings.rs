//! The typed IPC contract: every command with its arguments, result and error, and the
//! events, exported by tauri-specta as TypeScript into `ui/src/bindings.ts`. The file is
//! committed; a test fails when it differs from what the Rust types give.

use std::path::{Path, PathBuf};

use anyhow::Context;
use specta_typescript::Typescript;
use tauri_specta::{Builder, ErrorHandlingMode, collect_commands, collect_events};

use crate::commands::*;
use crate::data::*;
use crate::documents::*;
use crate::events::{Changed, Progress};
use crate::people::*;
use crate::sync::SyncStatus;

/// The bindings file, relative to the workspace root.
pub const BINDINGS_FILE: &str = "ui/src/bindings.ts";

/// How to refresh a stale bindings file.
pub const REFRESH: &str = "cargo run -p daybook-desktop -- --export-bindings";

const HEADER: &str = "// Generated from the Rust types by tauri-specta (src-tauri/src/bindings.rs).
// Do not edit: refresh with `cargo run -p daybook-desktop -- --export-bindings`.
// Money is integer cents (i64 in Rust) and exported as `number`: amounts stay far below 2^53.";

/// `ui/src/bindings.ts` in this checkout.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(BINDINGS_FILE)
}

/// The commands and events, ready for Tauri and for export.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::new()
        .commands(collect_commands![
            execute_command,
            execute_commands,
            next_number,
            list_orders,
            order_summary,
            get_order,
            duplicate_order,
            list_customers,
            get_customer,
            list_products,
            get_product,
            record_history,
            record_state_at,
            timeline,
            activity,
            timeline_users,
            dashboard,
            approvals,
            is_empty,
            load_demo,
            sync_status,
            retry_command,
            discard_command,
            configure_sync,
            forget_server,
            sign_in,
            sign_out,
            sync_now,
            app_info,
            data_status,
            backup_store,
            restore_store,
            start_fresh,
            start_clean,
            export_csv,
            import_catalog,
            choose_file,
            copy_diagnostics,
            get_company,
            readable_history,
            customer_history_with_orders,
            record_view,
            document_file_name,
            save_document,
            open_document,
            email_document,
            set_company_logo,
        ])
        .events(collect_events![Changed, Progress, SyncStatus])
        // Each command resolves to `{status: "ok", data} | {status: "error", error: ErrorBody}`:
        // the error type is part of every command's TypeScript signature.
        .error_handling(ErrorHandlingMode::Result)
        // i64 cents and counts are far below 2^53.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type (inputs' `#[serde(default)]` fields optional).
        .disable_serde_phases()
}

/// The TypeScript text of the bindings.
pub fn render() -> anyhow::Result<String> {
    let tmp = std::env::temp_dir().join(format!(
        "daybook-bindings-{}-{:?}.ts",
        std::process::id(),
        std::thread::current().id()
    ));
    builder()
        .export(Typescript::default().header(HEADER), &tmp)
        .context("exporting the TypeScript bindings")?;
    let text = std::fs::read_to_string(&tmp).context("reading the exported bindings")?;
    let _ = std::fs::remove_file(&tmp);
    Ok(text)
}

/// Writes the bindings to `path`.
pub fn export(path: &Path) -> anyhow::Result<()> {
    let text = render()?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed bindings are what the Rust types give now.
    #[test]
    fn bindings_file_is_current() {
        let path = default_path();
        let want = render().expect("render bindings");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            export(&path).expect("write bindings");
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{BINDINGS_FILE} is stale (or missing): the IPC types changed.\n\
             Refresh it with `{REFRESH}` (or `UPDATE_BINDINGS=1 cargo test -p daybook-desktop`) \
             and commit it."
        );
    }

    #[test]
    fn every_command_and_event_is_in_the_bindings() {
        let text = render().expect("render bindings");
        for name in [
            "executeCommand",
            "listOrders",
            "recordStateAt",
            "loadDemo",
            "syncStatus",
            "appInfo",
            "export type ErrorBody",
            "export type Command",
            "daybook://changed",
        ] {
            assert!(text.contains(name), "bindings lack {name}");
        }
    }
}
