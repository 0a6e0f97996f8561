//! Where the app keeps its data and who is working: from the command line, the
//! environment, and the platform's conventions, in that order.

use std::path::PathBuf;

use anyhow::{Context, bail};

/// Environment variable that overrides the data directory (tests use a fresh one each).
pub const DATA_ENV: &str = "DAYBOOK_DATA";

/// What `main` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the window.
    Run(Config),
    /// Write the TypeScript bindings to this file and exit.
    ExportBindings(PathBuf),
    /// Print usage and exit.
    Help,
    /// Print the version and exit.
    Version,
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

/// Usage, for `--help` and errors.
pub const USAGE: &str = "\
Usage: daybook-desktop [--data DIR] [--demo ORDERS] [--server URL --token TOKEN]
       daybook-desktop --export-bindings [FILE]

Opens Daybook's desktop app on the local store in DIR (default: $DAYBOOK_DATA, else
the platform data directory, e.g. ~/.local/share/daybook).

  --data DIR               data directory
  --demo ORDERS            fill an empty store with ORDERS demo orders before opening
  --server URL             sync with this server ($DAYBOOK_SERVER; remembered)
  --token TOKEN            this device's token on it ($DAYBOOK_TOKEN; remembered)
  --export-bindings [FILE] write the TypeScript IPC bindings (default ui/src/bindings.ts)
  --help, --version";

/// Reads the arguments (without the program name) and the environment.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Action> {
    let mut args = args.into_iter().peekable();
    let mut data: Option<PathBuf> = None;
    let mut demo_orders = None;
    let mut server = env("DAYBOOK_SERVER").filter(|s| !s.is_empty());
    let mut token = env("DAYBOOK_TOKEN").filter(|s| !s.is_empty());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Action::Help),
            "--version" | "-V" => return Ok(Action::Version),
            "--data" => {
                let dir = args.next().context("--data needs a directory")?;
                data = Some(PathBuf::from(dir));
            }
            "--demo" => {
                let n = args.next().context("--demo needs a number of orders")?;
                let n = n
                    .parse()
                    .with_context(|| format!("--demo: '{n}' is not a number of orders"))?;
                demo_orders = Some(n);
            }
            "--server" => server = Some(args.next().context("--server needs a URL")?),
            "--token" => token = Some(args.next().context("--token needs a token")?),
            "--export-bindings" => {
                let file = match args.peek() {
                    Some(a) if !a.starts_with("--") => args.next().map(PathBuf::from),
                    _ => None,
                };
                return Ok(Action::ExportBindings(
                    file.unwrap_or_else(crate::bindings::default_path),
                ));
            }
            other if other.starts_with("--data=") => {
                data = Some(PathBuf::from(&other["--data=".len()..]));
            }
            other => bail!("unknown argument '{other}'\n\n{USAGE}"),
        }
    }
    let data_dir = match data.or_else(|| env(DATA_ENV).filter(|s| !s.is_empty()).map(PathBuf::from))
    {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let user = env("USER")
        .or_else(|| env("USERNAME"))
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "local".to_string());
    Ok(Action::Run(Config {
        data_dir,
        user,
        demo_orders,
        server,
        token,
    }))
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

    fn run(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Action> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(args.iter().map(|s| s.to_string()), move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn config(action: Action) -> Config {
        match action {
            Action::Run(c) => c,
            other => panic!("expected Run, got {other:?}"),
        }
    }

    #[test]
    fn flag_beats_environment_beats_platform_default() {
        let c = config(run(&["--data", "/a"], &[(DATA_ENV, "/b"), ("USER", "ann")]).unwrap());
        assert_eq!(c.data_dir, PathBuf::from("/a"));
        assert_eq!(c.user, "ann");
        let c = config(run(&[], &[(DATA_ENV, "/b")]).unwrap());
        assert_eq!(c.data_dir, PathBuf::from("/b"));
        assert_eq!(c.user, "local");
        let c = config(run(&["--data=/c"], &[]).unwrap());
        assert_eq!(c.data_dir, PathBuf::from("/c"));
    }

    #[test]
    fn bad_arguments_are_refused_with_usage() {
        let e = run(&["--nope"], &[]).unwrap_err().to_string();
        assert!(e.contains("unknown argument '--nope'") && e.contains("Usage:"));
        assert!(run(&["--data"], &[]).is_err());
        assert!(run(&["--demo", "many"], &[]).is_err());
    }

    #[test]
    fn export_bindings_takes_an_optional_file() {
        assert_eq!(
            run(&["--export-bindings", "/tmp/x.ts"], &[]).unwrap(),
            Action::ExportBindings(PathBuf::from("/tmp/x.ts"))
        );
        assert_eq!(
            run(&["--export-bindings"], &[]).unwrap(),
            Action::ExportBindings(crate::bindings::default_path())
        );
    }
}
