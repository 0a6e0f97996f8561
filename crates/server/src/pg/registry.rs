//! Accounts, devices and their tokens in PostgreSQL (`accounts`, `devices`; tokens
//! stored only as SHA-256, like the SQLite adapter's registry).

use deadpool_postgres::Pool;
use uuid::Uuid;

use crate::error::ServerError;
use crate::store::{Account, Device, NewToken, check_name, new_token, plausible_token, token_hash};

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
/// token. The account row is locked so two instances never hand out one code twice.
pub(super) async fn create_device(
    pool: &Pool,
    account_id: Uuid,
    name: &str,
) -> Result<NewToken, ServerError> {
    let name = check_name("device name", name).map_err(ServerError::Invalid)?;
    let token = new_token()?;
    let hash = token_hash(&token);
    let device_id = Uuid::now_v7();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
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
        "INSERT INTO devices (id, account_id, name, code, token_hash)
         VALUES ($1, $2, $3, $4, $5)",
        &[&device_id, &account_id, &name, &code, &&hash[..]],
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken {
        token,
        device_id,
        device_code: code,
    })
}

/// Revokes a device's token; false if no such unrevoked device exists.
pub(super) async fn revoke_device(pool: &Pool, device_id: Uuid) -> Result<bool, ServerError> {
    let client = pool.get().await?;
    Ok(client
        .execute(
            "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            &[&device_id],
        )
        .await?
        == 1)
}

/// Whether the device exists and its token is not revoked.
pub(super) async fn device_active(pool: &Pool, device_id: Uuid) -> Result<bool, ServerError> {
    let client = pool.get().await?;
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL)",
            &[&device_id],
        )
        .await?
        .try_get(0)?)
}

/// How many devices were ever revoked (grows with each revocation).
pub(super) async fn revocations(pool: &Pool) -> Result<i64, ServerError> {
    let client = pool.get().await?;
    Ok(client
        .query_one(
            "SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL",
            &[],
        )
        .await?
        .try_get(0)?)
}

/// The device a token belongs to, unless unknown or revoked.
pub(super) async fn authenticate(pool: &Pool, token: &str) -> Result<Option<Device>, ServerError> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT d.account_id, a.name, d.id, d.name, d.code
             FROM devices d JOIN accounts a ON a.id = d.account_id
             WHERE d.token_hash = $1 AND d.revoked_at IS NULL",
            &[&&hash[..]],
        )
        .await?;
    row.map(|r| {
        Ok(Device {
            account_id: r.try_get(0)?,
            account_name: r.try_get(1)?,
            device_id: r.try_get(2)?,
            device_name: r.try_get(3)?,
            device_code: r.try_get(4)?,
        })
    })
    .transpose()
}

/// Readiness: the database answers.
pub(super) async fn ping(pool: &Pool) -> Result<(), ServerError> {
    let client = pool.get().await?;
    client.query_one("SELECT 1", &[]).await?;
    Ok(())
}
