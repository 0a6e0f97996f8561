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
use daybook_protocol::{PullResponse, PushRequest, PushResult};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::ServerError;
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

    /// Adds a device to `account` and returns its token (the only time it exists in
    /// clear). The device code is `D<n>`, n counting the account's devices, revoked
    /// ones too, so a code is never reused.
    async fn create_token(&self, account: Uuid, device: &str) -> Result<NewToken, ServerError>;

    /// Revokes a device's token; false if no such unrevoked device exists.
    async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError>;

    /// The device a token belongs to, unless it is unknown or revoked.
    async fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError>;

    /// Whether the device exists and its token is not revoked (live streams re-check
    /// this, so a revoked token's open stream ends).
    async fn device_active(&self, device: Uuid) -> Result<bool, ServerError>;

    /// How many devices were ever revoked: grows with each revocation, wherever it was
    /// made (another instance, the admin command line on the same data). Live streams
    /// follow it (`AppState::revocations`) and then check their own device.
    async fn revocations(&self) -> Result<i64, ServerError>;

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

/// A new token: [`TOKEN_PREFIX`] + 32 random bytes in unpadded base64url.
pub(crate) fn new_token() -> Result<String, ServerError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Random(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Whether `token` has a token's shape (cheap refusal before any lookup).
pub(crate) fn plausible_token(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX) && token.len() <= 128
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
