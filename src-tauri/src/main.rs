//! `daybook-desktop`: opens Daybook's window (see `daybook_desktop::run`), or exports
//! the TypeScript IPC bindings.

use std::process::ExitCode;

use daybook_desktop::config::{self, Action, ParseError};

fn main() -> ExitCode {
    // One line for a panic (e.g. GTK cannot open the display), not a backtrace dump.
    std::panic::set_hook(Box::new(|info| eprintln!("daybook-desktop: {info}")));
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("daybook-desktop: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn try_main() -> anyhow::Result<()> {
    let action = match config::parse(std::env::args(), |k| std::env::var(k).ok()) {
        Ok(action) => action,
        // Help and version are printed with exit 0, usage errors with 2.
        Err(ParseError::Usage(e)) => e.exit(),
        Err(ParseError::Other(e)) => return Err(e),
    };
    match action {
        Action::ExportBindings(path) => {
            daybook_desktop::bindings::export(&path)?;
            println!("wrote {}", path.display());
        }
        Action::Run(config) => daybook_desktop::run(config)?,
    }
    Ok(())
}
