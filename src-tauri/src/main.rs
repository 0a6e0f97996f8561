//! `daybook-desktop`: opens Daybook's window (see `daybook_desktop::run`), or exports
//! the TypeScript IPC bindings.

use std::process::ExitCode;

use daybook_desktop::config::{self, Action};

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
    match config::parse(std::env::args().skip(1), |k| std::env::var(k).ok())? {
        Action::Help => println!("{}", config::USAGE),
        Action::Version => println!("daybook-desktop {}", env!("CARGO_PKG_VERSION")),
        Action::ExportBindings(path) => {
            daybook_desktop::bindings::export(&path)?;
            println!("wrote {}", path.display());
        }
        Action::Run(config) => daybook_desktop::run(config)?,
    }
    Ok(())
}
