//! The application's settings, typed (the keys live in `daybook_store::settings`):
//! the one home of the sync server's address, used by the CLI and the desktop app
//! alike. The device's token is not here: it lives outside the store (the OS keychain
//! or a private file, `daybook_sync::credentials`), so no backup ever carries it.

use std::collections::BTreeMap;

use daybook_store::settings::{self as keys};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use daybook_domain::Role;

use crate::error::AppError;
use crate::service::Daybook;

/// Where the sync server is, and who this device is to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The device token.
    pub token: String,
}

/// The person signed in on this store: who its commands are recorded as and what
/// they may do, kept so they keep working offline (the server checks both again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignedIn {
    /// Their login: the user recorded on their commands.
    pub login: String,
    /// Their name as people read it.
    pub name: String,
    /// Their role when they signed in (or when the server last said).
    pub role: Role,
}

/// A setting kept as JSON; one that does not read back is a damaged store, named.
fn json_setting<T: DeserializeOwned>(
    conn: &Connection,
    setting: keys::Setting<String>,
    what: &str,
) -> Result<Option<T>, AppError> {
    setting
        .get(conn)?
        .map(|json| {
            serde_json::from_str(&json).map_err(|e| {
                AppError::Store(daybook_store::StoreError::Corrupt(format!(
                    "{what} cannot be read: {e}"
                )))
            })
        })
        .transpose()
}

/// The person signed in, if any.
pub(crate) fn signed_in(conn: &Connection) -> Result<Option<SignedIn>, AppError> {
    json_setting(conn, keys::SIGNED_IN, "the signed-in person")
}

/// Whether a person has ever signed in on this store (then nobody works in it
/// without signing in).
pub(crate) fn sign_in_required(conn: &Connection) -> Result<bool, AppError> {
    Ok(keys::SIGN_IN_REQUIRED.get(conn)?.is_some())
}

/// Marks the store as an account's, for good: no more work without a sign-in.
pub(crate) fn require_sign_in(conn: &Connection) -> Result<(), AppError> {
    if !sign_in_required(conn)? {
        keys::SIGN_IN_REQUIRED.set(conn, &chrono::Utc::now().timestamp_millis())?;
    }
    Ok(())
}

/// The account's people as last listed (login -> the name people read); empty until
/// a sync or a sign-in told this store any.
pub(crate) fn people(conn: &Connection) -> Result<BTreeMap<String, String>, AppError> {
    Ok(json_setting(conn, keys::PEOPLE, "the account's people")?.unwrap_or_default())
}

/// Adds `people` (login, name) to the directory, a newer name replacing an older one;
/// nobody is dropped, so a person removed since keeps their name on their old work.
fn remember_people<'p>(
    conn: &Connection,
    people: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> Result<(), AppError> {
    let mut all = self::people(conn)?;
    let before = all.clone();
    for (login, name) in people {
        all.insert(login.to_string(), name.to_string());
    }
    if all != before {
        let json = serde_json::to_string(&all)
            .map_err(|e| AppError::invalid(Some("people"), e.to_string()))?;
        keys::PEOPLE.set(conn, &json)?;
    }
    Ok(())
}

/// The remembered server's URL.
pub(crate) fn server_url(conn: &Connection) -> Result<Option<String>, AppError> {
    Ok(keys::SYNC_SERVER.get(conn)?)
}

/// A token an earlier build kept in the store (to be moved out, then cleared).
pub(crate) fn legacy_token(conn: &Connection) -> Result<Option<String>, AppError> {
    Ok(keys::SYNC_TOKEN.get(conn)?)
}

/// This store file's own id (made when the store was first opened).
pub(crate) fn store_id(conn: &Connection) -> Result<Uuid, AppError> {
    keys::STORE_ID.get(conn)?.ok_or_else(|| {
        AppError::Store(daybook_store::StoreError::Corrupt(
            "the store has no id".into(),
        ))
    })
}

/// Whether demo data was loaded into the store.
pub(crate) fn holds_demo(conn: &Connection) -> Result<bool, AppError> {
    Ok(keys::DEMO_DATA.get(conn)?.is_some())
}

/// The last server sequence applied here (0 before the first pull).
pub(crate) fn sync_cursor(conn: &Connection) -> Result<i64, AppError> {
    Ok(keys::SYNC_CURSOR.get(conn)?.unwrap_or(0))
}

impl Daybook {
    /// Remembers the sync server's URL, so later runs (of the CLI or the desktop app)
    /// sync too. A store holding demo data is never connected: [`AppError::DemoData`].
    pub fn remember_server(&self, url: &str) -> Result<(), AppError> {
        if holds_demo(self.conn())? {
            return Err(AppError::DemoData);
        }
        // Work of its own goes only into an empty account: the first sync checks.
        if crate::replica::local_work(self.conn())? && keys::BRINGS_WORK.get(self.conn())?.is_none()
        {
            keys::BRINGS_WORK.set(self.conn(), &chrono::Utc::now().timestamp_millis())?;
        }
        Ok(keys::SYNC_SERVER.set(self.conn(), &url.to_string())?)
    }

    /// Forgets the sync server (disconnect): the store becomes local only again. Its
    /// data and its binding to the account stay.
    pub fn forget_server(&self) -> Result<(), AppError> {
        keys::SYNC_SERVER.clear(self.conn())?;
        Ok(keys::SYNC_TOKEN.clear(self.conn())?)
    }

    /// The person signed in on this store, if any.
    pub fn signed_in(&self) -> Result<Option<SignedIn>, AppError> {
        signed_in(self.conn())
    }

    /// Keeps the account's people (login, name) as the server lists them, so histories
    /// name them (the sync engine calls this after each pull that brought events).
    pub fn remember_people<'p>(
        &self,
        people: impl IntoIterator<Item = (&'p str, &'p str)>,
    ) -> Result<(), AppError> {
        remember_people(self.conn(), people)
    }

    /// How many of `user`'s commands wait to be pushed.
    pub fn unsynced_of(&self, user: &str) -> Result<u64, AppError> {
        crate::replica::unsynced_of(self.conn(), user)
    }

    /// Records `who` as signed in on this store and records commands as them, with
    /// their role, from now on.
    pub fn sign_in_as(&mut self, who: &SignedIn) -> Result<(), AppError> {
        daybook_protocol::check_user(&who.login)
            .map_err(|e| AppError::invalid(Some("login"), e.to_string()))?;
        let json = serde_json::to_string(who)
            .map_err(|e| AppError::invalid(Some("login"), e.to_string()))?;
        keys::SIGNED_IN.set(self.conn(), &json)?;
        require_sign_in(self.conn())?;
        self.set_signed_out(false);
        remember_people(self.conn(), [(who.login.as_str(), who.name.as_str())])?;
        crate::replica::renumber_others(self.conn(), &who.login)?;
        self.act_as(who.login.clone(), who.role);
        Ok(())
    }

    /// Forgets who was signed in: the store takes no new command until someone signs
    /// in again ([`AppError::SignInRequired`]); it can still be read. Their unsynced
    /// commands stay, for their next sign-in.
    pub fn forget_signed_in(&mut self) -> Result<(), AppError> {
        keys::SIGNED_IN.clear(self.conn())?;
        require_sign_in(self.conn())?;
        self.act_as("local".to_string(), Role::Clerk);
        self.set_signed_out(true);
        Ok(())
    }

    /// Clears a token an earlier build kept in the store, once it has been moved out.
    pub fn clear_legacy_token(&self) -> Result<(), AppError> {
        Ok(keys::SYNC_TOKEN.clear(self.conn())?)
    }

    /// Marks the store as holding demo data, for good (demo loaders call this before
    /// their first command). A store connected to a server is refused: demo data
    /// never reaches a real account.
    pub fn mark_demo(&self, at_ms: i64) -> Result<(), AppError> {
        let conn = self.conn();
        if server_url(conn)?.is_some() {
            return Err(AppError::invalid(
                Some("data"),
                "this store is connected to a server; demo data goes into a store that \
                 never is (use another data directory)",
            ));
        }
        if !holds_demo(conn)? {
            keys::DEMO_DATA.set(conn, &at_ms)?;
        }
        Ok(())
    }
}
