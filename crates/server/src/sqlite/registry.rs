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
use crate::store::{Account, Device, NewToken, check_name, new_token, plausible_token, token_hash};

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
];

/// The registry database.
pub struct Registry {
    pool: Pool,
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

fn millis_now() -> i64 {
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
    pub fn create_device(&self, account_id: Uuid, name: &str) -> Result<NewToken, ServerError> {
        let name = check_name("device name", name).map_err(ServerError::Invalid)?;
        let token = new_token()?;
        let hash = token_hash(&token);
        let device_id = Uuid::now_v7();
        self.pool.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
                [account_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(ServerError::Invalid(format!(
                    "no account has id {account_id}"
                )));
            }
            let n: i64 = tx.query_row(
                "SELECT count(*) FROM devices WHERE account_id = ?1",
                [account_id],
                |r| r.get(0),
            )?;
            let code = format!("D{}", n + 1);
            tx.execute(
                "INSERT INTO devices (id, account_id, name, code, token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device_id, account_id, name, code, &hash[..], millis_now()],
            )?;
            tx.commit()?;
            Ok(NewToken {
                token,
                device_id,
                device_code: code,
            })
        })
    }

    /// Revokes a device's token; returns false if no such (unrevoked) device exists.
    pub fn revoke_device(&self, device_id: Uuid) -> Result<bool, ServerError> {
        self.pool.with(|c| {
            Ok(c.execute(
                "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![device_id, millis_now()],
            )? == 1)
        })
    }

    /// Whether the device exists and its token is not revoked.
    pub fn is_active(&self, device_id: Uuid) -> Result<bool, ServerError> {
        self.pool.with(|c| {
            Ok(c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NULL)",
            )?
            .query_row([device_id], |r| r.get(0))?)
        })
    }

    /// How many devices were ever revoked (grows with each revocation).
    pub fn revocations(&self) -> Result<i64, ServerError> {
        self.pool.with(|c| {
            Ok(
                c.prepare_cached("SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL")?
                    .query_row([], |r| r.get(0))?,
            )
        })
    }

    /// The device a token belongs to, unless it is unknown or revoked.
    pub fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError> {
        if !plausible_token(token) {
            return Ok(None);
        }
        let hash = token_hash(token);
        self.pool.with(|c| {
            Ok(c.prepare_cached(
                "SELECT d.account_id, a.name, d.id, d.name, d.code
                 FROM devices d JOIN accounts a ON a.id = d.account_id
                 WHERE d.token_hash = ?1 AND d.revoked_at IS NULL",
            )?
            .query_row([&hash[..]], |r| {
                Ok(Device {
                    account_id: r.get(0)?,
                    account_name: r.get(1)?,
                    device_id: r.get(2)?,
                    device_name: r.get(3)?,
                    device_code: r.get(4)?,
                })
            })
            .optional()?)
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
