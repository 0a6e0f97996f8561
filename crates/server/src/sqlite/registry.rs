//! The SQLite adapter's registry (`DIR/server.sqlite3`): accounts (tenants) and their
//! devices with their tokens. Blocking: the adapter calls it on blocking threads.
//!
//! **Invariant:** a token is never stored, only its SHA-256 (`devices.token_hash`,
//! unique; `crate::store::token_hash`). A token is shown once, when created.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::pool::Pool;
use crate::error::ServerError;
use daybook_domain::Role;

use crate::people::Person;
use crate::store::{
    Account, Device, NewToken, TokenKind, check_name, new_token, token_hash, token_kind,
};

/// Name of the registry file inside the data directory.
pub const REGISTRY_FILE: &str = "server.sqlite3";

const SCHEMA: &[&str] = &[
    // 1: accounts and devices.
    r#"
    CREATE TABLE accounts (
        id         BLOB    PRIMARY KEY,
        name       TEXT    NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE devices (
        id         BLOB    PRIMARY KEY,
        account_id BLOB    NOT NULL REFERENCES accounts (id),
        name       TEXT    NOT NULL,
        code       TEXT    NOT NULL,
        token_hash BLOB    NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        UNIQUE (account_id, code)
    ) WITHOUT ROWID;
    "#,
    // 2: people (users, their sessions on devices); a device is a service device
    // with a role of its own, or (role NULL) a device people sign in on.
    r#"
    CREATE TABLE users (
        id            BLOB    PRIMARY KEY,
        account_id    BLOB    NOT NULL REFERENCES accounts (id),
        login         TEXT    NOT NULL UNIQUE,
        name          TEXT    NOT NULL,
        role          TEXT    NOT NULL,
        password_hash TEXT    NOT NULL,
        enabled       INTEGER NOT NULL DEFAULT 1,
        created_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX users_by_account ON users (account_id, login);

    ALTER TABLE devices ADD COLUMN role TEXT DEFAULT 'admin';
    ALTER TABLE devices ADD COLUMN app_version TEXT;
    ALTER TABLE devices ADD COLUMN last_seen INTEGER;

    CREATE TABLE sessions (
        id         BLOB    PRIMARY KEY,
        token_hash BLOB    NOT NULL UNIQUE,
        user_id    BLOB    NOT NULL REFERENCES users (id),
        device_id  BLOB    NOT NULL REFERENCES devices (id),
        created_at INTEGER NOT NULL,
        ended_at   INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX sessions_by_user ON sessions (user_id) WHERE ended_at IS NULL;
    CREATE INDEX sessions_by_device ON sessions (device_id) WHERE ended_at IS NULL;
    "#,
    // 3: each device's unsynced work per person, as it last reported it (JSON), so an
    // admin sees work stranded on a device for someone not signed in there.
    r#"
    ALTER TABLE devices ADD COLUMN waiting TEXT;
    ALTER TABLE devices ADD COLUMN waiting_at INTEGER;
    "#,
];

/// The registry database.
pub struct Registry {
    pub(super) pool: Pool,
}

fn open_conn(path: &Path) -> Result<Connection, ServerError> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), ServerError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA.len() as i64 {
        return Err(ServerError::Corrupt(format!(
            "the registry schema is version {current}, newer than this build ({}); update daybook-server",
            SCHEMA.len()
        )));
    }
    for (i, sql) in SCHEMA.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

pub(super) fn millis_now() -> i64 {
    Utc::now().timestamp_millis()
}

impl Registry {
    /// Opens (creating if needed) the registry in the data directory `dir`.
    pub fn open(dir: &Path) -> Result<Self, ServerError> {
        std::fs::create_dir_all(dir).map_err(|source| ServerError::Io {
            what: format!("cannot create data directory {}", dir.display()),
            source,
        })?;
        let path: PathBuf = dir.join(REGISTRY_FILE);
        let mut conn = open_conn(&path)?;
        migrate(&mut conn)?;
        let pool = Pool::new(8, move || open_conn(&path));
        Ok(Registry { pool })
    }

    /// Adds an account's registry row (its database is made first, by
    /// `super::accounts::create_account_db`; `SqliteStore::create_account` does both).
    pub fn create_account(&self, id: Uuid, name: &str) -> Result<(), ServerError> {
        let name = check_name("account name", name).map_err(ServerError::Invalid)?;
        self.pool.with(|c| {
            c.execute(
                "INSERT INTO accounts (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![id, name, millis_now()],
            )?;
            Ok(())
        })
    }

    /// The account with this id.
    pub fn account(&self, id: Uuid) -> Result<Option<Account>, ServerError> {
        self.pool.with(|c| {
            Ok(c.query_row(
                "SELECT name, created_at FROM accounts WHERE id = ?1",
                [id],
                |r| {
                    Ok(Account {
                        id,
                        name: r.get(0)?,
                        created_at: daybook_store::from_millis(r.get(1)?),
                    })
                },
            )
            .optional()?)
        })
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        self.pool.with(|c| {
            let mut stmt = c.prepare("SELECT id, name, created_at FROM accounts ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Account {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: daybook_store::from_millis(r.get(2)?),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Adds a device to an account and returns its token (shown only now). The
    /// device code is `D<n>`, n counting the account's devices (revoked ones too,
    /// so a code is never reused).
    /// `role` is a service device's; `None` makes a device people sign in on.
    pub fn create_device(
        &self,
        account_id: Uuid,
        name: &str,
        role: Option<Role>,
    ) -> Result<NewToken, ServerError> {
        self.pool.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let made = insert_device(&tx, account_id, name, role)?;
            tx.commit()?;
            Ok(made)
        })
    }

    /// Revokes a device's token and ends its sessions; returns false if no such
    /// (unrevoked) device exists.
    pub fn revoke_device(&self, device_id: Uuid) -> Result<bool, ServerError> {
        self.pool.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = millis_now();
            let revoked = tx.execute(
                "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![device_id, now],
            )? == 1;
            tx.execute(
                "UPDATE sessions SET ended_at = ?2 WHERE device_id = ?1 AND ended_at IS NULL",
                params![device_id, now],
            )?;
            tx.commit()?;
            Ok(revoked)
        })
    }

    /// Whether what authenticated `who` still holds: its device is not revoked and,
    /// for a session, the session is open and its person enabled.
    pub fn still_valid(&self, who: &Device) -> Result<bool, ServerError> {
        self.pool.with(|c| {
            Ok(match who.session_id {
                Some(session) => c
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM sessions s
                             JOIN users u ON u.id = s.user_id
                             JOIN devices d ON d.id = s.device_id
                         WHERE s.id = ?1 AND s.ended_at IS NULL AND u.enabled = 1
                           AND d.revoked_at IS NULL)",
                    )?
                    .query_row([session], |r| r.get(0))?,
                None => c
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NULL)",
                    )?
                    .query_row([who.device_id], |r| r.get(0))?,
            })
        })
    }

    /// Devices revoked plus sessions ended: grows with each.
    pub fn revocations(&self) -> Result<i64, ServerError> {
        self.pool.with(|c| {
            Ok(c.prepare_cached(
                "SELECT (SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL)
                      + (SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL)",
            )?
            .query_row([], |r| r.get(0))?)
        })
    }

    /// Who a token speaks for: a service device, or an open session of an enabled
    /// person on an unrevoked device. A people device's own token is no bearer token.
    pub fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError> {
        let Some(kind) = token_kind(token) else {
            return Ok(None);
        };
        let hash = token_hash(token);
        self.pool.with(|c| {
            let found = match kind {
                TokenKind::Device => c
                    .prepare_cached(
                        "SELECT d.account_id, a.name, d.id, d.name, d.code, d.role
                         FROM devices d JOIN accounts a ON a.id = d.account_id
                         WHERE d.token_hash = ?1 AND d.revoked_at IS NULL AND d.role IS NOT NULL",
                    )?
                    .query_row([&hash[..]], |r| Ok((device_of(r)?, None::<(Person, Uuid)>)))
                    .optional()?,
                TokenKind::Session => c
                    .prepare_cached(
                        "SELECT d.account_id, a.name, d.id, d.name, d.code, u.role,
                                u.id, u.login, u.name, s.id
                         FROM sessions s
                         JOIN users u ON u.id = s.user_id
                         JOIN devices d ON d.id = s.device_id
                         JOIN accounts a ON a.id = d.account_id
                         WHERE s.token_hash = ?1 AND s.ended_at IS NULL AND u.enabled = 1
                           AND d.revoked_at IS NULL",
                    )?
                    .query_row([&hash[..]], |r| {
                        let person = Person {
                            user_id: r.get(6)?,
                            login: r.get(7)?,
                            name: r.get(8)?,
                        };
                        Ok((device_of(r)?, Some((person, r.get::<_, Uuid>(9)?))))
                    })
                    .optional()?,
            };
            Ok(found.map(|(mut device, session)| {
                if let Some((person, id)) = session {
                    device.person = Some(person);
                    device.session_id = Some(id);
                }
                device
            }))
        })
    }

    /// Readiness: the registry answers a query.
    pub fn ping(&self) -> Result<(), ServerError> {
        self.pool.with(|c| {
            c.query_row("SELECT count(*) FROM accounts", [], |r| r.get::<_, i64>(0))?;
            Ok(())
        })
    }
}

/// The device of a row `account_id, account name, id, name, code, role`.
fn device_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        account_id: r.get(0)?,
        account_name: r.get(1)?,
        device_id: r.get(2)?,
        device_name: r.get(3)?,
        device_code: r.get(4)?,
        role: role_column(r, 5)?,
        person: None,
        session_id: None,
    })
}

/// A role column; an unknown role is a conversion failure (corrupt data).
pub(super) fn role_column(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Role> {
    let text: String = r.get(i)?;
    Role::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown role {text:?}").into(),
        )
    })
}

/// Refuses an account id the registry does not know (admin input).
pub(super) fn must_exist(c: &rusqlite::Connection, account_id: Uuid) -> Result<(), ServerError> {
    let exists: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
        [account_id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(ServerError::Invalid(format!(
            "no account has id {account_id}"
        )))
    }
}

/// Adds a device (code `D<n>`, n counting the account's devices, revoked ones too,
/// so a code is never reused) in `tx`; `role` `None` makes a device people sign in on.
pub(super) fn insert_device(
    tx: &rusqlite::Transaction<'_>,
    account_id: Uuid,
    name: &str,
    role: Option<Role>,
) -> Result<NewToken, ServerError> {
    let name = check_name("device name", name).map_err(ServerError::Invalid)?;
    let token = new_token()?;
    let hash = token_hash(&token);
    let device_id = Uuid::now_v7();
    must_exist(tx, account_id)?;
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM devices WHERE account_id = ?1",
        [account_id],
        |r| r.get(0),
    )?;
    let code = format!("D{}", n + 1);
    tx.execute(
        "INSERT INTO devices (id, account_id, name, code, token_hash, created_at, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            device_id,
            account_id,
            name,
            code,
            &hash[..],
            millis_now(),
            role.map(Role::as_str)
        ],
    )?;
    Ok(NewToken {
        token,
        device_id,
        device_code: code,
    })
}
