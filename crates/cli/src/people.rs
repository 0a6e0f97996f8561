//! `daybook login` and `daybook logout`: a person signs in on this store with their
//! password (checked by the server, never kept), and out again.
//!
//! The session token is kept like any token (the OS keychain or a private file, per
//! store and person; `daybook_sync::credentials`), the person (login, name, role) in
//! the store so they keep working offline. While someone is signed in, their commands
//! are recorded as them and only theirs are pushed; another person's unsynced commands
//! wait for that person's next sign-in.

use std::io::BufRead as _;

use clap::Args;
use daybook_sync::{Credentials, SignIn, SignOut, SyncError};
use serde::Serialize;

use crate::{Ctx, InputError};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// What you sign in with (given to you by your administrator)
    #[arg(long)]
    login: String,
    /// Read the password from standard input, one line (never on the command line)
    #[arg(long, required = true)]
    password_stdin: bool,
}

#[derive(Serialize)]
struct SignedInOut<'a> {
    login: &'a str,
    name: &'a str,
    role: daybook_domain::Role,
    account: &'a str,
    device_code: &'a str,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// What a refused sign-in says to the person at the keyboard.
fn refused(e: SyncError) -> anyhow::Error {
    match e {
        // On the command line a clean store is another data directory; this one stays.
        SyncError::Server { body, .. } if body.code == "account_not_empty" => {
            InputError::new(format!(
                "{}; here: give another --data directory to sign in with (this one stays as it is)",
                body.message
            ))
            .into()
        }
        SyncError::Server { body, .. } => InputError::new(body.message).into(),
        // The store's own refusals (demo data, a blank field) keep their codes.
        SyncError::App(e) => e.into(),
        SyncError::Unreachable(why) => InputError::new(format!(
            "the server cannot be reached ({why}); signing in needs it, working afterwards does not"
        ))
        .into(),
        other => InputError::new(other.to_string()).into(),
    }
}

/// `daybook login --server URL --login NAME --password-stdin`.
pub fn login(ctx: &mut Ctx, a: &LoginArgs, server: Option<&str>) -> anyhow::Result<()> {
    let url =
        match server {
            Some(url) => url.to_string(),
            None => ctx.db.read().server_url()?.ok_or_else(|| {
                InputError::new("give the sync server to sign in to: --server URL")
            })?,
        };
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| InputError::new(format!("cannot read the password: {e}")))?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(InputError::new("no password on standard input").into());
    }
    let credentials = Credentials::open(&ctx.data_dir);
    let sign_in =
        SignIn::prepare(&ctx.db, &credentials, &url, &a.login, password).map_err(refused)?;
    let answer = runtime()?.block_on(sign_in.send()).map_err(refused)?;
    let done = sign_in
        .keep(&mut ctx.db, &credentials, answer)
        .map_err(refused)?;
    if ctx.json {
        return ctx.out.json(&SignedInOut {
            login: &done.person.login,
            name: &done.person.name,
            role: done.person.role,
            account: &done.account_name,
            device_code: &done.device_code,
        });
    }
    ctx.out.line(format!(
        "Signed in as {} ({}) on device {} of {}.",
        done.person.name, done.person.role, done.device_code, done.account_name
    ));
    Ok(())
}

/// `daybook logout`: ends the session (on the server too, when it can be reached) and
/// says how many of the person's changes wait for their next sign-in.
pub fn logout(ctx: &mut Ctx) -> anyhow::Result<()> {
    let credentials = Credentials::open(&ctx.data_dir);
    let Some(sign_out) = SignOut::prepare(&ctx.db, &credentials)? else {
        return Err(InputError::new("nobody is signed in on this store").into());
    };
    let server_told = runtime()?.block_on(sign_out.tell_server());
    let out = sign_out.finish(&mut ctx.db, &credentials, server_told)?;
    if ctx.json {
        return ctx.out.json(&serde_json::json!({
            "signed_out": out.person.login,
            "unsynced": out.unsynced,
            "server_told": out.server_told,
        }));
    }
    ctx.out.line(format!("Signed out {}.", out.person.name));
    if out.unsynced > 0 {
        ctx.out.line(format!(
            "{} of their changes are not synced yet; they are kept for their next sign-in on this device.",
            out.unsynced
        ));
    }
    if !out.server_told {
        ctx.out.line(
            "The server could not be reached: the session was forgotten here; an administrator can revoke it there.",
        );
    }
    Ok(())
}
