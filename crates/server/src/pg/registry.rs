//! Accounts, devices and their tokens in PostgreSQL (`accounts`, `devices`; tokens
//! stored only as SHA-256, like the SQLite adapter's registry).

use daybook_domain::Role;
use deadpool_postgres::{Pool, Transaction};
use uuid::Uuid;

use crate::error::ServerError;
use crate::people::Person;
use crate::store::{
    Account, Device, NewToken, TokenKind, check_name, new_token, token_hash, token_kind,
};

/// Adds an account and returns its new id.
pub(super) async fn create_account(pool: &Pool, name: &str) -> Result<Uuid, ServerError> {
    let name = check_name("account name", name).map_err(ServerError::Invalid)?;
    let id = Uuid::now_v7();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO accounts (id, name) VALUES ($1, $2)",
            &[&id, &name],
        )
        .await?;
    Ok(id)
}

/// Every account, oldest first.
pub(super) async fn accounts(pool: &Pool) -> Result<Vec<Account>, ServerError> {
    let client = pool.get().await?;
    let rows = client
        .query("SELECT id, name, created_at FROM accounts ORDER BY id", &[])
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Account {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                created_at: r.try_get(2)?,
            })
        })
        .collect()
}

/// Adds a device (code `D<n>`, n counting the account's devices) and returns its
/// token; `role` is a service device's, `None` makes a device people sign in on. The
/// account row is locked so two instances never hand out one code twice.
pub(super) async fn create_device(
    pool: &Pool,
    account_id: Uuid,
    name: &str,
    role: Option<Role>,
) -> Result<NewToken, ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let made = insert_device(&tx, account_id, name, role).await?;
    tx.commit().await?;
    Ok(made)
}

/// [`create_device`] in `tx`.
pub(super) async fn insert_device(
    tx: &Transaction<'_>,
    account_id: Uuid,
    name: &str,
    role: Option<Role>,
) -> Result<NewToken, ServerError> {
    let name = check_name("device name", name).map_err(ServerError::Invalid)?;
    let token = new_token()?;
    let hash = token_hash(&token);
    let device_id = Uuid::now_v7();
    if tx
        .query_opt(
            "SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE",
            &[&account_id],
        )
        .await?
        .is_none()
    {
        return Err(ServerError::Invalid(format!(
            "no account has id {account_id}"
        )));
    }
    let n: i64 = tx
        .query_one(
            "SELECT count(*) FROM devices WHERE account_id = $1",
            &[&account_id],
        )
        .await?
        .try_get(0)?;
    let code = format!("D{}", n + 1);
    tx.execute(
        "INSERT INTO devices (id, account_id, name, code, token_hash, role)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &device_id,
            &account_id,
            &name,
            &code,
            &&hash[..],
            &role.map(Role::as_str),
        ],
    )
    .await?;
    Ok(NewToken {
        token,
        device_id,
        device_code: code,
    })
}

/// Revokes a device's token and ends its sessions; false if no such unrevoked device
/// exists.
pub(super) async fn revoke_device(pool: &Pool, device_id: Uuid) -> Result<bool, ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let revoked = tx
        .execute(
            "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            &[&device_id],
        )
        .await?
        == 1;
    tx.execute(
        "UPDATE sessions SET ended_at = now() WHERE device_id = $1 AND ended_at IS NULL",
        &[&device_id],
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// Whether what authenticated `who` still holds (see `Store::still_valid`).
pub(super) async fn still_valid(pool: &Pool, who: &Device) -> Result<bool, ServerError> {
    let client = pool.get().await?;
    let row =
        match who.session_id {
            Some(session) => {
                client
                    .query_one(
                        "SELECT EXISTS (SELECT 1 FROM sessions s
                         JOIN users u ON u.id = s.user_id
                         JOIN devices d ON d.id = s.device_id
                     WHERE s.id = $1 AND s.ended_at IS NULL AND u.enabled
                       AND d.revoked_at IS NULL)",
                        &[&session],
                    )
                    .await?
            }
            None => client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL)",
                    &[&who.device_id],
                )
                .await?,
        };
    Ok(row.try_get(0)?)
}

/// Devices revoked plus sessions ended: grows with each.
pub(super) async fn revocations(pool: &Pool) -> Result<i64, ServerError> {
    let client = pool.get().await?;
    Ok(client
        .query_one(
            "SELECT (SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL)
                  + (SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL)",
            &[],
        )
        .await?
        .try_get(0)?)
}

/// Who a token speaks for: a service device, or an open session of an enabled person
/// on an unrevoked device. A people device's own token is no bearer token.
pub(super) async fn authenticate(pool: &Pool, token: &str) -> Result<Option<Device>, ServerError> {
    let Some(kind) = token_kind(token) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let client = pool.get().await?;
    let row = match kind {
        TokenKind::Device => {
            client
                .query_opt(
                    "SELECT d.account_id, a.name, d.id, d.name, d.code, d.role
                     FROM devices d JOIN accounts a ON a.id = d.account_id
                     WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND d.role IS NOT NULL",
                    &[&&hash[..]],
                )
                .await?
        }
        TokenKind::Session => {
            client
                .query_opt(
                    "SELECT d.account_id, a.name, d.id, d.name, d.code, u.role,
                            u.id, u.login, u.name, s.id
                     FROM sessions s
                     JOIN users u ON u.id = s.user_id
                     JOIN devices d ON d.id = s.device_id
                     JOIN accounts a ON a.id = d.account_id
                     WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.enabled
                       AND d.revoked_at IS NULL",
                    &[&&hash[..]],
                )
                .await?
        }
    };
    row.map(|r| {
        let mut device = Device {
            account_id: r.try_get(0)?,
            account_name: r.try_get(1)?,
            device_id: r.try_get(2)?,
            device_name: r.try_get(3)?,
            device_code: r.try_get(4)?,
            role: stored_role(r.try_get(5)?)?,
            person: None,
            session_id: None,
        };
        if kind == TokenKind::Session {
            device.person = Some(Person {
                user_id: r.try_get(6)?,
                login: r.try_get(7)?,
                name: r.try_get(8)?,
            });
            device.session_id = Some(r.try_get(9)?);
        }
        Ok(device)
    })
    .transpose()
}

/// A role as stored; an unknown one is corrupt data.
pub(super) fn stored_role(text: &str) -> Result<Role, ServerError> {
    Role::parse(text).ok_or_else(|| ServerError::Corrupt(format!("unknown role {text:?}")))
}

/// Readiness: the database answers.
pub(super) async fn ping(pool: &Pool) -> Result<(), ServerError> {
    let client = pool.get().await?;
    client.query_one("SELECT 1", &[]).await?;
    Ok(())
}
