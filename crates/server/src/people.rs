//! People on the server: users of an account (login, name, role, password), the
//! sessions they open on devices by signing in, and the rules both adapters apply to
//! them the same way (login form, password form and hashing, sign-in throttling).
//!
//! **Invariant:** a password is never stored, logged or compared in clear: only its
//! Argon2id hash (PHC string, its own random salt) is kept, and a sign-in verifies
//! against it. A login that does not exist costs the same verification (against a
//! fixed hash), so the answer's timing does not tell which logins exist.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use daybook_domain::Role;
use daybook_protocol::{MAX_WAITING_PEOPLE, WaitingReport, WaitingWork};
use uuid::Uuid;

use crate::error::ServerError;

/// Prefix of every session token (a person signed in on a device).
pub const SESSION_PREFIX: &str = "dbs_";
/// Longest login, in characters (an e-mail address fits).
pub const MAX_LOGIN_CHARS: usize = 254;
/// Shortest password.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password (bounds the work of hashing one).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Failed sign-ins allowed per login and per address within [`SIGN_IN_WINDOW`].
pub const SIGN_IN_FAILURES: usize = 5;
/// The window the failures are counted in.
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(60);

/// A person signed in: who a session token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Their user id.
    pub user_id: Uuid,
    /// What they sign in with; the user recorded on their commands.
    pub login: String,
    /// Their name as people read it.
    pub name: String,
}

/// A user of an account, as the admin commands list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// UUIDv7.
    pub id: Uuid,
    /// Their account.
    pub account_id: Uuid,
    /// Unique on the server, lower case.
    pub login: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// A disabled user cannot sign in and their sessions are ended.
    pub enabled: bool,
    /// When the user was added.
    pub created_at: DateTime<Utc>,
}

/// A user to add; the password is already hashed ([`hash_password`]).
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login, checked with [`check_login`].
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// A change an admin makes to a user.
#[derive(Debug, Clone)]
pub enum UserChange {
    /// They may sign in again.
    Enable,
    /// They may not sign in; their sessions end at once.
    Disable,
    /// Their role (takes effect on their next request; commands given offline under
    /// the old role are decided under the new one when they are pushed).
    Role(Role),
    /// A new password hash; their sessions end (they sign in again with it).
    Password(String),
}

/// What a sign-in needs of a user: the user and their password hash.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Which device a sign-in is on.
#[derive(Debug, Clone, Copy)]
pub enum SessionDevice<'a> {
    /// The store's first sign-in: a new device of this name.
    New(&'a str),
    /// The device made by an earlier sign-in on this store, by its device token.
    Known(&'a str),
}

/// A device as the admin commands list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The device.
    pub id: Uuid,
    /// `D1`, `D2`, ...
    pub code: String,
    /// Its name.
    pub name: String,
    /// A service device's role; people's devices act with their person's role.
    pub service_role: Option<Role>,
    /// The person of its open session, if one is signed in.
    pub person: Option<String>,
    /// The app version it last connected with.
    pub app_version: Option<String>,
    /// When it last made a request.
    pub last_seen: Option<DateTime<Utc>>,
    /// Whether its token was revoked.
    pub revoked: bool,
    /// Its unsynced work per person (login, commands), as it last reported it.
    pub waiting: Vec<WaitingWork>,
}

/// A device's report as stored: JSON of its [`WaitingWork`] list. A report that does not
/// read back (written by a newer build) lists nothing rather than failing the list.
pub(crate) fn waiting_from_json(json: Option<&str>) -> Vec<WaitingWork> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// Reads a device's report from its JSON (an object: `ApiJson` refuses anything
/// else), its people objects too: serde would also take a struct written as an
/// array (`[["anna", 1]]`), which the API description does not allow.
pub(crate) fn waiting_from_value(value: serde_json::Value) -> Result<WaitingReport, String> {
    let arrays = value
        .get("people")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|people| !people.iter().all(serde_json::Value::is_object));
    if arrays {
        return Err("each of people is an object {\"user\", \"commands\"}".into());
    }
    serde_json::from_value(value).map_err(|e| format!("the report cannot be read: {e}"))
}

/// Checks a device's report and folds it to one entry per user, by login; the JSON
/// kept for the device list.
pub(crate) fn waiting_to_json(report: &WaitingReport) -> Result<String, String> {
    if report.people.len() > MAX_WAITING_PEOPLE {
        return Err(format!("at most {MAX_WAITING_PEOPLE} people in one report"));
    }
    let mut by_user: std::collections::BTreeMap<&str, u64> = Default::default();
    for (i, w) in report.people.iter().enumerate() {
        daybook_protocol::check_user(&w.user).map_err(|e| format!("people[{i}].user: {e}"))?;
        if w.commands == 0 || w.commands > i64::MAX as u64 {
            return Err(format!(
                "people[{i}].commands must be between 1 and {}",
                i64::MAX
            ));
        }
        let n = by_user.entry(w.user.as_str()).or_default();
        *n = n.saturating_add(w.commands).min(i64::MAX as u64);
    }
    let folded: Vec<WaitingWork> = by_user
        .into_iter()
        .map(|(user, commands)| WaitingWork {
            user: user.to_string(),
            commands,
        })
        .collect();
    serde_json::to_string(&folded).map_err(|e| e.to_string())
}

/// Normalises and checks a login: trimmed, lower case, 1 to [`MAX_LOGIN_CHARS`]
/// characters, no white space or control characters.
pub fn check_login(login: &str) -> Result<String, String> {
    let login = login.trim().to_lowercase();
    if login.is_empty() {
        return Err("the login must not be empty".into());
    }
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(format!(
            "the login must be at most {MAX_LOGIN_CHARS} characters"
        ));
    }
    if login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the login must not contain spaces or control characters".into());
    }
    Ok(login)
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id (the crate's defaults: OWASP's 19 MiB, 2 passes)
/// and a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ServerError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServerError::Random(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Invalid(format!("the password cannot be hashed: {e}")))
}

/// Whether `password` matches `hash`; `None` for the hash checks it against a fixed
/// hash and answers false, taking as long as a real check.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    // A hash of a random password nobody knows, made once, so an unknown login costs a
    // real verification.
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let decoy = DECOY.get_or_init(|| {
        let mut secret = [0u8; 24];
        // Without random bytes the decoy is a fixed text; it is never matched anyway.
        let _ = getrandom::fill(&mut secret);
        hash_password(&format!("{secret:?}")).unwrap_or_default()
    });
    let (text, real) = match hash {
        Some(h) => (h, true),
        None => (decoy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(text) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// Failed sign-ins per login and per client address in a sliding window: after
/// [`SIGN_IN_FAILURES`] within [`SIGN_IN_WINDOW`], further attempts are refused
/// (429 with `Retry-After`) without checking the password, until the oldest failure
/// leaves the window. Per instance, in memory: a restart forgets.
#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInLimiter {
    fn keys(login: &str, address: Option<IpAddr>) -> [String; 2] {
        let address = address.map_or_else(|| "-".to_string(), |a| a.to_string());
        [format!("login:{login}"), format!("address:{address}")]
    }

    /// How long to wait before this login may be tried from this address, if either
    /// is over its allowance now.
    pub fn wait(&self, login: &str, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait: Option<Duration> = None;
        for key in Self::keys(login, address) {
            let Some(times) = map.get_mut(&key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= SIGN_IN_WINDOW)
            {
                times.pop_front();
            }
            if times.len() >= SIGN_IN_FAILURES
                && let Some(oldest) = times.front()
            {
                let w = SIGN_IN_WINDOW.saturating_sub(now.duration_since(*oldest));
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
            if times.is_empty() {
                map.remove(&key);
            }
        }
        wait
    }

    /// Counts a failed sign-in against the login and the address.
    pub fn failed(&self, login: &str, address: Option<IpAddr>, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(login, address) {
            let times = map.entry(key).or_default();
            times.push_back(now);
            // Bounded: more than the allowance is never needed to answer `wait`.
            while times.len() > SIGN_IN_FAILURES {
                times.pop_front();
            }
        }
    }

    /// Forgets the login's failures after it signed in (the address's stay counted).
    pub fn succeeded(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("login:{login}"));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_password_is_kept_only_as_an_argon2id_hash_that_verifies_it() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(verify_password(Some(&hash), "correct horse"));
        assert!(!verify_password(Some(&hash), "correct horse "));
        // Two hashes of one password differ (each has its own salt).
        assert_ne!(hash, hash_password("correct horse").unwrap());
        // An unknown login never verifies, whatever is given.
        assert!(!verify_password(None, "correct horse"));
        assert!(!verify_password(Some("not a hash"), "x"));
    }

    #[test]
    fn logins_are_trimmed_lower_case_and_without_spaces() {
        assert_eq!(
            check_login("  Anna@Example.COM ").unwrap(),
            "anna@example.com"
        );
        assert!(check_login("   ").is_err());
        assert!(check_login("anna de vries").is_err());
        assert!(check_login("anna\u{7}").is_err());
        assert!(check_login(&"a".repeat(MAX_LOGIN_CHARS + 1)).is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
        assert!(check_password(&"p".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn five_failures_a_minute_then_wait_until_the_oldest_leaves_the_window() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let here: Option<IpAddr> = Some([10, 0, 0, 1].into());
        for i in 0..SIGN_IN_FAILURES {
            assert_eq!(limiter.wait("anna", here, t0), None, "attempt {i}");
            limiter.failed("anna", here, t0 + Duration::from_secs(i as u64));
        }
        let now = t0 + Duration::from_secs(10);
        assert_eq!(
            limiter.wait("anna", here, now),
            Some(Duration::from_secs(50))
        );
        // The same login from elsewhere is throttled too (per login) ...
        assert!(
            limiter
                .wait("anna", Some([10, 0, 0, 2].into()), now)
                .is_some()
        );
        // ... and another login from this address (per address).
        assert!(limiter.wait("bob", here, now).is_some());
        // Another login from another address is not.
        assert_eq!(limiter.wait("bob", Some([10, 0, 0, 2].into()), now), None);
        // A success forgets the login's failures, not the address's.
        limiter.succeeded("anna");
        assert_eq!(limiter.wait("anna", Some([10, 0, 0, 3].into()), now), None);
        assert!(limiter.wait("anna", here, now).is_some());
        // Once the oldest failure is a minute old, one more try is allowed.
        assert_eq!(limiter.wait("anna", here, t0 + SIGN_IN_WINDOW), None);
    }
}
