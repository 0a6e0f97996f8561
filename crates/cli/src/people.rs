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
use daybook_app::{AppError, ServerConfig, SignedIn};
use daybook_protocol::SignInRequest;
use daybook_sync::{Client, Credentials, SyncError};
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
        SyncError::Server { body, .. } => InputError::new(body.message).into(),
        SyncError::Unreachable(why) => InputError::new(format!(
            "the server cannot be reached ({why}); signing in needs it, working afterwards does not"
        ))
        .into(),
        other => InputError::new(other.to_string()).into(),
    }
}

/// `daybook login --server URL --login NAME --password-stdin`.
pub fn login(ctx: &mut Ctx, a: &LoginArgs, server: Option<&str>) -> anyhow::Result<()> {
    if ctx.db.read().holds_demo()? {
        return Err(AppError::DemoData.into());
    }
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
    let store = ctx.db.read().store_id()?;
    let credentials = Credentials::open(&ctx.data_dir);
    let device_token = credentials.device_token(store)?;
    let req = SignInRequest {
        login: a.login.clone(),
        password,
        device_name: device_token
            .is_none()
            .then(|| ctx.db.identity().device.clone()),
        device_token,
    };
    let client = Client::new(&ServerConfig {
        url: url.clone(),
        token: String::new(),
    })
    .map_err(|e| InputError::new(e.to_string()))?;
    let answer = runtime()?.block_on(client.sign_in(&req)).map_err(refused)?;
    let Some(person) = answer.device.person.clone() else {
        return Err(InputError::new("the server answered a sign-in without a person").into());
    };
    if let Some(token) = &answer.device_token {
        credentials.set_device_token(store, token)?;
    }
    credentials.set_token(store, &person.login, &answer.session_token)?;
    ctx.db.remember_server(&url)?;
    ctx.db.sign_in_as(&SignedIn {
        login: person.login.clone(),
        name: person.name.clone(),
        role: person.role,
    })?;
    if ctx.json {
        return ctx.out.json(&SignedInOut {
            login: &person.login,
            name: &person.name,
            role: person.role,
            account: &answer.device.account_name,
            device_code: &answer.device.device_code,
        });
    }
    ctx.out.line(format!(
        "Signed in as {} ({}) on device {} of {}.",
        person.name, person.role, answer.device.device_code, answer.device.account_name
    ));
    Ok(())
}

/// `daybook logout`: ends the session (on the server too, when it can be reached) and
/// says how many of the person's changes wait for their next sign-in.
pub fn logout(ctx: &mut Ctx, owner: &str) -> anyhow::Result<()> {
    let Some(person) = ctx.db.signed_in()? else {
        return Err(InputError::new("nobody is signed in on this store").into());
    };
    let store = ctx.db.read().store_id()?;
    let credentials = Credentials::open(&ctx.data_dir);
    let mut server_told = true;
    if let (Some(token), Some(url)) = (
        credentials.token(store, &person.login)?,
        ctx.db.read().server_url()?,
    ) {
        let client = Client::new(&ServerConfig { url, token })
            .map_err(|e| InputError::new(e.to_string()))?;
        match runtime()?.block_on(client.sign_out()) {
            // Ended already (disabled, password reset): nothing more to end.
            Ok(()) | Err(SyncError::Unauthorized(_)) => {}
            Err(_) => server_told = false,
        }
    }
    credentials.forget(store, &person.login)?;
    let waiting = ctx.db.unsynced_of(&person.login)?;
    ctx.db.forget_signed_in(owner)?;
    if ctx.json {
        return ctx.out.json(&serde_json::json!({
            "signed_out": person.login,
            "unsynced": waiting,
            "server_told": server_told,
        }));
    }
    ctx.out.line(format!("Signed out {}.", person.name));
    if waiting > 0 {
        ctx.out.line(format!(
            "{waiting} of their changes are not synced yet; they are kept for their next sign-in on this device."
        ));
    }
    if !server_told {
        ctx.out.line(
            "The server could not be reached: the session was forgotten here; an administrator can revoke it there.",
        );
    }
    Ok(())
}
