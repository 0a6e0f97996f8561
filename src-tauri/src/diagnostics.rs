//! The app's log and its diagnostics. tauri-plugin-log writes every `log` record (the
//! shell's, and the sync engine's `tracing` events, bridged by tracing's `log`
//! feature) to a rotating file in the data directory's `logs/` and to stderr; the Data
//! screen's "copy diagnostics" puts the facts a helper asks for first, with the log's
//! last lines, on the clipboard.

use std::path::{Path, PathBuf};

use tauri::Runtime;
use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

/// Folder of the data directory that holds the log files.
pub const LOG_DIR: &str = "logs";
/// The log file's name, without `.log`.
pub const LOG_NAME: &str = "daybook";
/// A log file is rotated at this size; the newest few are kept.
pub const LOG_MAX_BYTES: u128 = 1_000_000;
const LOG_KEEP: usize = 5;
/// How many of the log's last lines the diagnostics carry.
const TAIL_LINES: usize = 200;

/// The current log file.
pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join(LOG_DIR).join(format!("{LOG_NAME}.log"))
}

/// The log plugin: info and up (debug for Daybook's own crates with
/// `DAYBOOK_TRACE`), to `<data>/logs/daybook.log` (rotated) and stderr.
pub fn plugin<R: Runtime>(data_dir: &Path, trace: bool) -> tauri::plugin::TauriPlugin<R> {
    let ours = if trace {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Info
    };
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .targets([
            Target::new(TargetKind::Folder {
                path: data_dir.join(LOG_DIR),
                file_name: Some(LOG_NAME.into()),
            }),
            Target::new(TargetKind::Stderr),
        ])
        .max_file_size(LOG_MAX_BYTES)
        .rotation_strategy(RotationStrategy::KeepSome(LOG_KEEP))
        .level(log::LevelFilter::Info)
        .level_for("daybook_desktop", ours)
        .level_for("daybook_sync", ours)
        .build()
}

/// The last `TAIL_LINES` lines of the log, or why there are none.
pub fn log_tail(data_dir: &Path) -> String {
    match std::fs::read_to_string(log_file(data_dir)) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
        }
        Err(e) => format!("(no log: {e})"),
    }
}

/// The diagnostics text: `facts` (label, value) first, then the log's tail.
pub fn report(facts: &[(&str, String)], data_dir: &Path) -> String {
    let mut out = String::from("Daybook diagnostics\n");
    for (label, value) in facts {
        out.push_str(&format!("{label}: {value}\n"));
    }
    out.push_str(&format!(
        "log: {}\n--- last lines of the log ---\n",
        log_file(data_dir).display()
    ));
    out.push_str(&log_tail(data_dir));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_has_the_facts_and_the_logs_last_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = dir.path().join(LOG_DIR);
        std::fs::create_dir_all(&logs).expect("logs dir");
        let lines: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
        std::fs::write(log_file(dir.path()), lines.join("\n")).expect("write log");
        let text = report(&[("version", "0.1.0".into())], dir.path());
        assert!(text.contains("version: 0.1.0"), "{text}");
        assert!(
            text.contains("line 499") && text.contains("line 300"),
            "{text}"
        );
        assert!(!text.contains("line 299\n"), "{text}");
        let none = report(&[], &dir.path().join("nowhere"));
        assert!(none.contains("(no log:"), "{none}");
    }
}
