//! The store port: everything the HTTP edge needs from where the data lives, as one
//! trait ([`Store`]) that both adapters implement in full (`crate::sqlite`,
//! `crate::pg`), plus the values that cross it and the input rules both adapters apply
//! the same way (names, tokens).
//!
//! **Architecture Invariant:** no method of the port is supported by one adapter only.
//! What a test or an admin tool needs from one adapter (the SQLite data directory, an
//! account's database file) is a method of that adapter's own type
//! ([`crate::SqliteStore`]), reached by holding that type, never through the port.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use daybook_domain::Role;
use daybook_protocol::{PullResponse, PushRequest, PushResult};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::ServerError;
use crate::people::{Credentials, DeviceRow, NewUser, Person, SessionDevice, User, UserChange};
use crate::sync::PushCounts;

/// Prefix of every device token (lets secret scanners and people recognise one).
pub const TOKEN_PREFIX: &str = "dbk_";
/// Longest account or device name (a pushed command's user: `daybook_protocol::MAX_USER_CHARS`).
pub const MAX_NAME_CHARS: usize = 100;

/// The server's store: accounts and device tokens, each account's event log with its
/// sync ledger, and the live heads. Object safe (`Arc<dyn Store>`), so the adapter is
/// chosen at start from the command line.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Where the data is, for logs: a directory, or "postgresql".
    fn describe(&self) -> String;

    /// Readiness: the database answers.
    async fn ping(&self) -> Result<(), ServerError>;

    /// Creates an account (checked with [`check_name`]) and returns its new id.
    async fn create_account(&self, name: &str) -> Result<Uuid, ServerError>;

    /// Every account, oldest first.
    async fn accounts(&self) -> Result<Vec<Account>, ServerError>;

    /// Adds a service device (no person: imports, integrations) to `account`, acting
    /// with `role`, and returns its token (the only time it exists in clear). The
    /// device code is `D<n>`, n counting the account's devices, revoked ones too, so a
    /// code is never reused.
    async fn create_token(
        &self,
        account: Uuid,
        device: &str,
        role: Role,
    ) -> Result<NewToken, ServerError>;

    /// Revokes a device's token (and ends its sessions); false if no such unrevoked
    /// device exists.
    async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError>;

    /// Who a bearer token speaks for: a service device's token, or the session of an
    /// enabled person on an unrevoked device. `None` for anything else.
    async fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError>;

    /// Whether what authenticated `who` still holds (the device is not revoked; for a
    /// session, it was not ended and its person is enabled). Live streams re-check this,
    /// so a revoked token's or a disabled person's open stream ends.
    async fn still_valid(&self, who: &Device) -> Result<bool, ServerError>;

    /// Grows with each revocation of a device and each session ended (signed out, its
    /// person disabled or their password reset), wherever it was made (another
    /// instance, the admin command line on the same data). Live streams follow it
    /// (`AppState::revocations`) and then check their own token.
    async fn revocations(&self) -> Result<i64, ServerError>;

    /// Adds a user to `account` (login unique on the server); returns the user's id.
    async fn create_user(&self, account: Uuid, user: &NewUser) -> Result<Uuid, ServerError>;

    /// The account's users, by login.
    async fn users(&self, account: Uuid) -> Result<Vec<User>, ServerError>;

    /// Changes a user; false if no user has this login. Disabling or a new password
    /// ends the user's sessions.
    async fn change_user(&self, login: &str, change: &UserChange) -> Result<bool, ServerError>;

    /// The user with this login and their password hash, for a sign-in.
    async fn credentials(&self, login: &str) -> Result<Option<Credentials>, ServerError>;

    /// Opens a session of `user` on a device (made now, or known by its device token)
    /// and returns its token; refuses a device token that is revoked, unknown or of
    /// another account (`ServerError::DeviceNotUsable`).
    async fn open_session(
        &self,
        user: &User,
        device: SessionDevice<'_>,
    ) -> Result<NewSession, ServerError>;

    /// Ends a session (sign-out); false if it had ended already.
    async fn end_session(&self, session: Uuid) -> Result<bool, ServerError>;

    /// The account's devices, oldest first, with the person signed in on each.
    async fn devices(&self, account: Uuid) -> Result<Vec<DeviceRow>, ServerError>;

    /// Notes that a device made a request now, with this app version (from its
    /// `User-Agent`). Callers throttle it (`AppState::seen`).
    async fn seen(&self, device: Uuid, app_version: Option<&str>) -> Result<(), ServerError>;

    /// Keeps a device's report of its unsynced work per person (checked and folded JSON,
    /// `people::waiting_to_json`), replacing the last one; listed by [`Store::devices`].
    async fn report_waiting(&self, device: Uuid, waiting: &str) -> Result<(), ServerError>;

    /// Applies a push (validated by `crate::sync::validate_push`) of `device` to its
    /// account, in one transaction: every command's events, its recorded outcome and
    /// the device's last sequence commit together or not at all.
    async fn push(&self, device: Device, req: PushRequest) -> Result<Pushed, ServerError>;

    /// Up to `limit` events of `account` after `after`, with the head they were read
    /// under (a page is always a prefix of what is committed).
    async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, ServerError>;

    /// A receiver of the account's future heads and, read after subscribing (so no
    /// move in between is missed), its current head.
    async fn watch_heads(
        &self,
        account: Uuid,
    ) -> Result<(broadcast::Receiver<i64>, i64), ServerError>;

    /// The account's current committed head.
    async fn head(&self, account: Uuid) -> Result<i64, ServerError>;
}

/// What a push did: the results in the order of the request, the counts for the log
/// and the account's head after the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// One per pushed command, in order.
    pub results: Vec<PushResult>,
    /// How many were accepted, rejected, duplicates, stale.
    pub counts: PushCounts,
    /// The account's head after the commit.
    pub head: i64,
}

/// An account (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// UUIDv7.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A device whose token was presented, with its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The account (tenant) the token belongs to.
    pub account_id: Uuid,
    /// The account's name.
    pub account_name: String,
    /// The device.
    pub device_id: Uuid,
    /// The device's name, recorded on the events it pushes.
    pub device_name: String,
    /// Short code unique within the account (`D1`, `D2`, ...).
    pub device_code: String,
    /// The role its commands are decided with: the person's, for a session, read
    /// when the token is presented (so a role change holds from the next request);
    /// a service device's own.
    pub role: Role,
    /// The person signed in, for a session token; `None` for a service device.
    pub person: Option<Person>,
    /// The session, for a session token.
    pub session_id: Option<Uuid>,
}

impl Device {
    /// What a session of `user` on a device authenticates as.
    pub fn session(
        user: &User,
        session_id: Uuid,
        account_name: String,
        device_id: Uuid,
        device_name: String,
        device_code: String,
    ) -> Device {
        Device {
            account_id: user.account_id,
            account_name,
            device_id,
            device_name,
            device_code,
            role: user.role,
            person: Some(Person {
                user_id: user.id,
                login: user.login.clone(),
                name: user.name.clone(),
            }),
            session_id: Some(session_id),
        }
    }
}

/// A session just opened: its token (the only time it exists in clear), the device
/// and person it speaks for, and the device's own token when the sign-in made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// `dbs_...`.
    pub token: String,
    /// What the token authenticates as.
    pub device: Device,
    /// The new device's token (kept by the store for its next sign-in).
    pub device_token: Option<String>,
}

/// A freshly created device token: the only time the token itself exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The secret, `dbk_...`.
    pub token: String,
    /// The new device's id.
    pub device_id: Uuid,
    /// The new device's code (`D3`).
    pub device_code: String,
}

/// SHA-256 of a token, the only form either adapter stores and looks up.
///
/// **Invariant:** lookup is by hash, so comparing tokens leaks nothing through
/// timing: the attacker does not control the hash being compared.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new device token: [`TOKEN_PREFIX`] + 32 random bytes in unpadded base64url.
pub(crate) fn new_token() -> Result<String, ServerError> {
    new_secret(TOKEN_PREFIX)
}

/// A new session token ([`crate::people::SESSION_PREFIX`]).
pub(crate) fn new_session_token() -> Result<String, ServerError> {
    new_secret(crate::people::SESSION_PREFIX)
}

fn new_secret(prefix: &str) -> Result<String, ServerError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Random(e.to_string()))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// What a bearer token's shape says it is (cheap refusal before any lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A device token (`dbk_`).
    Device,
    /// A session token (`dbs_`).
    Session,
}

/// The kind of `token` by its shape; `None` when it is neither.
pub(crate) fn token_kind(token: &str) -> Option<TokenKind> {
    if token.len() > 128 {
        None
    } else if token.starts_with(TOKEN_PREFIX) {
        Some(TokenKind::Device)
    } else if token.starts_with(crate::people::SESSION_PREFIX) {
        Some(TokenKind::Session)
    } else {
        None
    }
}

/// Checks an account or device name: not blank, at most [`MAX_NAME_CHARS`], no
/// control characters. Returns it trimmed.
pub fn check_name(what: &str, name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("the {what} must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "the {what} must be at most {MAX_NAME_CHARS} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("the {what} must not contain control characters"));
    }
    Ok(name.to_string())
}
