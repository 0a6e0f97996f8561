//! Where the app keeps its data and who is working: from the command line (parsed by
//! clap, as the CLI's), the environment, and the platform's conventions, in that order.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

/// Environment variable that overrides the data directory (tests use a fresh one each).
pub const DATA_ENV: &str = "DAYBOOK_DATA";

/// What `main` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the window.
    Run(Config),
    /// Write the TypeScript bindings to this file and exit.
    ExportBindings(PathBuf),
}

/// How to open the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The data directory (holds `daybook.sqlite3`).
    pub data_dir: PathBuf,
    /// The user recorded on new events.
    pub user: String,
    /// Load this many demo orders first if the store is empty.
    pub demo_orders: Option<u32>,
    /// Sync server URL (remembered in the store once given).
    pub server: Option<String>,
    /// This device's token on the server (remembered in the store once given).
    pub token: Option<String>,
}

/// Daybook's desktop app: opens the local store in a window.
#[derive(Debug, Parser)]
#[command(name = "daybook-desktop", version, max_term_width = 100)]
struct Args {
    /// Data directory [default: $DAYBOOK_DATA, else the platform's, e.g.
    /// ~/.local/share/daybook]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Fill an empty store with ORDERS demo orders before opening
    #[arg(long, value_name = "ORDERS")]
    demo: Option<u32>,
    /// Sync with this server [env: DAYBOOK_SERVER]; remembered
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// This device's token on the server [env: DAYBOOK_TOKEN]; remembered
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Write the TypeScript IPC bindings (default: ui/src/bindings.ts) and exit
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    export_bindings: Option<Option<PathBuf>>,
}

/// Reads the arguments (with the program name first) and the environment (through
/// `env`, so tests need not change the process's). Help, version and bad arguments
/// are clap's errors, printed by `main`.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Action, ParseError> {
    let a = Args::try_parse_from(args).map_err(ParseError::Usage)?;
    if let Some(file) = a.export_bindings {
        return Ok(Action::ExportBindings(
            file.unwrap_or_else(crate::bindings::default_path),
        ));
    }
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let data_dir = match a.data.or_else(|| set(DATA_ENV).map(PathBuf::from)) {
        Some(d) => d,
        None => default_data_dir().map_err(ParseError::Other)?,
    };
    let user = set("USER")
        .or_else(|| set("USERNAME"))
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|| "local".to_string());
    Ok(Action::Run(Config {
        data_dir,
        user,
        demo_orders: a.demo,
        server: a.server.or_else(|| set("DAYBOOK_SERVER")),
        token: a.token.or_else(|| set("DAYBOOK_TOKEN")),
    }))
}

/// Why the arguments give nothing to run.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Usage, help or version (clap prints them).
    #[error(transparent)]
    Usage(clap::Error),
    /// Anything else (no data directory to be found).
    #[error(transparent)]
    Other(anyhow::Error),
}

/// The platform data directory (`~/.local/share/daybook` on Linux).
pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("app", "Daybook", "daybook")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory to keep data in; pass --data DIR or set DAYBOOK_DATA")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Action, ParseError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let args = std::iter::once("daybook-desktop").chain(args.iter().copied());
        parse(args.map(str::to_string), move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn config(action: Result<Action, ParseError>) -> Config {
        match action {
            Ok(Action::Run(c)) => c,
            other => panic!("expected Run, got {other:?}"),
        }
    }

    #[test]
    fn flag_beats_environment_beats_platform_default() {
        let c = config(run(&["--data", "/a"], &[(DATA_ENV, "/b"), ("USER", "ann")]));
        assert_eq!(c.data_dir, PathBuf::from("/a"));
        assert_eq!(c.user, "ann");
        let c = config(run(&[], &[(DATA_ENV, "/b")]));
        assert_eq!(c.data_dir, PathBuf::from("/b"));
        assert_eq!(c.user, "local");
        let c = config(run(&["--data=/c"], &[]));
        assert_eq!(c.data_dir, PathBuf::from("/c"));
        let c = config(run(
            &["--data", "/a", "--token", "t1"],
            &[("DAYBOOK_SERVER", "http://s"), ("DAYBOOK_TOKEN", "t2")],
        ));
        assert_eq!(
            (c.server.as_deref(), c.token.as_deref()),
            (Some("http://s"), Some("t1"))
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_usage() {
        let e = run(&["--nope"], &[]).expect_err("unknown flag").to_string();
        assert!(
            e.contains("unexpected argument '--nope'") && e.contains("Usage:"),
            "{e}"
        );
        assert!(run(&["--data"], &[]).is_err());
        assert!(run(&["--demo", "many"], &[]).is_err());
    }

    #[test]
    fn export_bindings_takes_an_optional_file() {
        assert_eq!(
            run(&["--export-bindings", "/tmp/x.ts"], &[]).ok(),
            Some(Action::ExportBindings(PathBuf::from("/tmp/x.ts")))
        );
        assert_eq!(
            run(&["--export-bindings"], &[]).ok(),
            Some(Action::ExportBindings(crate::bindings::default_path()))
        );
    }
}
