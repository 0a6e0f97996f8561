//! A person signing in on a store and out again, the same for the CLI and the desktop.
//!
//! The password goes to the server once and is never kept. The session token is kept
//! like any token (per store and person, [`Credentials`]), the store's own device token
//! beside it (so the store stays one device whoever signs in), and the person (login,
//! name, role) in the store, so they keep working offline as themselves. Each step that
//! touches the store is a plain function on it and the one network step is async
//! between them, so a caller holding the store behind a lock (the desktop) never holds
//! it across the network.

use daybook_app::{AppError, Daybook, SignedIn};
use daybook_protocol::{SignInRequest, SignInResponse};
use uuid::Uuid;

use crate::{Client, Credentials, ServerConfig, SyncError};

/// A sign-in about to be sent: where to, and what.
#[derive(Debug)]
pub struct SignIn {
    url: String,
    store: Uuid,
    request: SignInRequest,
}

/// Who signed in, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInAs {
    /// The person, as the store now records them.
    pub person: SignedIn,
    /// The account's name on the server.
    pub account_name: String,
    /// This store's device code in the account.
    pub device_code: String,
    /// The server and the person's session token: what the sync engine runs with.
    pub server: ServerConfig,
}

impl SignIn {
    /// What to send to `url` for `login`. A store holding demo data is refused before
    /// anything is sent: demo data never reaches a server.
    pub fn prepare(
        db: &Daybook,
        credentials: &Credentials,
        url: &str,
        login: &str,
        password: String,
    ) -> Result<SignIn, SyncError> {
        if db.read().holds_demo()? {
            return Err(AppError::DemoData.into());
        }
        let url = url.trim();
        if url.is_empty() {
            return Err(AppError::invalid(Some("server"), "give the sync server's address").into());
        }
        if login.trim().is_empty() {
            return Err(AppError::invalid(Some("login"), "give your login").into());
        }
        if password.is_empty() {
            return Err(AppError::invalid(Some("password"), "give your password").into());
        }
        let store = db.read().store_id()?;
        let device_token = credentials.device_token(store)?;
        Ok(SignIn {
            url: url.to_string(),
            store,
            request: SignInRequest {
                login: login.trim().to_string(),
                password,
                device_name: device_token.is_none().then(|| db.identity().device.clone()),
                device_token,
                local_work: db.read().local_work()?,
            },
        })
    }

    /// Asks the server (the one step that needs it).
    pub async fn send(&self) -> Result<SignInResponse, SyncError> {
        let client = Client::new(&ServerConfig {
            url: self.url.clone(),
            token: String::new(),
        })?;
        client.sign_in(&self.request).await
    }

    /// Keeps what the server answered: the tokens in the credentials, the server in
    /// the store, and the person as the one the store now records commands as.
    pub fn keep(
        self,
        db: &mut Daybook,
        credentials: &Credentials,
        answer: SignInResponse,
    ) -> Result<SignedInAs, SyncError> {
        let Some(person) = answer.device.person else {
            return Err(SyncError::Protocol(
                "the server answered a sign-in without a person".into(),
            ));
        };
        if let Some(token) = &answer.device_token {
            credentials.set_device_token(self.store, token)?;
        }
        credentials.set_token(self.store, &person.login, &answer.session_token)?;
        db.remember_server(&self.url)?;
        if self.request.local_work {
            // The server took the store's own work into the (empty) account, for this
            // admin: it goes under their session.
            db.adopt_local_work(&person.login)?;
        }
        let signed_in = SignedIn {
            login: person.login,
            name: person.name,
            role: person.role,
        };
        db.sign_in_as(&signed_in)?;
        Ok(SignedInAs {
            person: signed_in,
            account_name: answer.device.account_name,
            device_code: answer.device.device_code,
            server: ServerConfig {
                url: self.url,
                token: answer.session_token,
            },
        })
    }
}

/// A sign-out under way: who, and the session to end on the server.
#[derive(Debug)]
pub struct SignOut {
    person: SignedIn,
    store: Uuid,
    session: Option<ServerConfig>,
}

/// What signing out left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOut {
    /// Who signed out.
    pub person: SignedIn,
    /// Their changes not yet synced, kept for their next sign-in on this store.
    pub unsynced: u64,
    /// Whether the server ended the session (`false`: it could not be reached, so the
    /// session was only forgotten here; an administrator can revoke it there).
    pub server_told: bool,
}

impl SignOut {
    /// The sign-out of whoever is signed in on `db`; `None` when nobody is.
    pub fn prepare(db: &Daybook, credentials: &Credentials) -> Result<Option<SignOut>, SyncError> {
        let Some(person) = db.signed_in()? else {
            return Ok(None);
        };
        let store = db.read().store_id()?;
        let session = match (
            credentials.token(store, &person.login)?,
            db.read().server_url()?,
        ) {
            (Some(token), Some(url)) => Some(ServerConfig { url, token }),
            _ => None,
        };
        Ok(Some(SignOut {
            person,
            store,
            session,
        }))
    }

    /// Ends the session on the server; `false` when it could not be reached.
    pub async fn tell_server(&self) -> bool {
        let Some(config) = &self.session else {
            return true;
        };
        let Ok(client) = Client::new(config) else {
            return false;
        };
        // Ended already (disabled, a new password): nothing more to end.
        matches!(
            client.sign_out().await,
            Ok(()) | Err(SyncError::Unauthorized(_))
        )
    }

    /// Forgets the session here: the store takes no new change until someone signs
    /// in. The person's unsynced changes stay for their next sign-in.
    pub fn finish(
        self,
        db: &mut Daybook,
        credentials: &Credentials,
        server_told: bool,
    ) -> Result<SignedOut, SyncError> {
        credentials.forget(self.store, &self.person.login)?;
        let unsynced = db.unsynced_of(&self.person.login)?;
        db.forget_signed_in()?;
        Ok(SignedOut {
            person: self.person,
            unsynced,
            server_told,
        })
    }
}
