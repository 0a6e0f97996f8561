//! People in PostgreSQL: users, their sessions on devices, and the devices list
//! (migration 3), as the SQLite registry keeps them (`crate::sqlite`'s `people`).

use deadpool_postgres::Pool;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::registry::{insert_device, stored_role};
use crate::error::ServerError;
use crate::people::{
    Credentials, DeviceRow, NewUser, SessionDevice, User, UserChange, check_login,
};
use crate::store::{Device, NewSession, check_name, new_session_token, token_hash};

const USER_COLUMNS: &str = "id, account_id, login, name, role, enabled, created_at";

fn user_of(r: &Row) -> Result<User, ServerError> {
    Ok(User {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        login: r.try_get(2)?,
        name: r.try_get(3)?,
        role: stored_role(r.try_get(4)?)?,
        enabled: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

/// Adds a user; the login must be free on the whole server.
pub(super) async fn create_user(
    pool: &Pool,
    account_id: Uuid,
    user: &NewUser,
) -> Result<Uuid, ServerError> {
    let login = check_login(&user.login).map_err(ServerError::Invalid)?;
    let name = check_name("name", &user.name).map_err(ServerError::Invalid)?;
    let id = Uuid::now_v7();
    let client = pool.get().await?;
    if client
        .query_opt("SELECT 1 FROM accounts WHERE id = $1", &[&account_id])
        .await?
        .is_none()
    {
        return Err(ServerError::Invalid(format!(
            "no account has id {account_id}"
        )));
    }
    let inserted = client
        .execute(
            "INSERT INTO users (id, account_id, login, name, role, password_hash)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id,
                &account_id,
                &login,
                &name,
                &user.role.as_str(),
                &user.password_hash,
            ],
        )
        .await;
    match inserted {
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(ServerError::Invalid(
            format!("the login {login} is already taken"),
        )),
        other => other.map(drop).map_err(Into::into).map(|()| id),
    }
}

/// The account's users, by login.
pub(super) async fn users(pool: &Pool, account_id: Uuid) -> Result<Vec<User>, ServerError> {
    let client = pool.get().await?;
    client
        .query(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 ORDER BY login"),
            &[&account_id],
        )
        .await?
        .iter()
        .map(user_of)
        .collect()
}

/// Changes a user; false if no user has this login. Disabling and a new password end
/// the user's sessions in the same transaction.
pub(super) async fn change_user(
    pool: &Pool,
    login: &str,
    change: &UserChange,
) -> Result<bool, ServerError> {
    let login = check_login(login).map_err(ServerError::Invalid)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let changed = match change {
        UserChange::Enable => {
            tx.execute(
                "UPDATE users SET enabled = true WHERE login = $1",
                &[&login],
            )
            .await?
        }
        UserChange::Disable => {
            tx.execute(
                "UPDATE users SET enabled = false WHERE login = $1",
                &[&login],
            )
            .await?
        }
        UserChange::Role(role) => {
            tx.execute(
                "UPDATE users SET role = $2 WHERE login = $1",
                &[&login, &role.as_str()],
            )
            .await?
        }
        UserChange::Password(hash) => {
            tx.execute(
                "UPDATE users SET password_hash = $2 WHERE login = $1",
                &[&login, hash],
            )
            .await?
        }
    } == 1;
    if changed && matches!(change, UserChange::Disable | UserChange::Password(_)) {
        tx.execute(
            "UPDATE sessions SET ended_at = now()
             WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE login = $1)",
            &[&login],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// The user with this login and their password hash.
pub(super) async fn credentials(
    pool: &Pool,
    login: &str,
) -> Result<Option<Credentials>, ServerError> {
    let Ok(login) = check_login(login) else {
        return Ok(None);
    };
    let client = pool.get().await?;
    client
        .query_opt(
            &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = $1"),
            &[&login],
        )
        .await?
        .map(|r| {
            Ok(Credentials {
                user: user_of(&r)?,
                password_hash: r.try_get(7)?,
            })
        })
        .transpose()
}

/// Opens a session of `user` on a device, ending any other open session on it.
pub(super) async fn open_session(
    pool: &Pool,
    user: &User,
    device: SessionDevice<'_>,
) -> Result<NewSession, ServerError> {
    let token = new_session_token()?;
    let hash = token_hash(&token);
    let session_id = Uuid::now_v7();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let (device_id, device_token) = match device {
        SessionDevice::New(name) => {
            let made = insert_device(&tx, user.account_id, name, None).await?;
            (made.device_id, Some(made.token))
        }
        SessionDevice::Known(device_token) => {
            let found = tx
                .query_opt(
                    "SELECT d.id, d.account_id, a.name, d.revoked_at IS NOT NULL
                     FROM devices d JOIN accounts a ON a.id = d.account_id
                     WHERE d.token_hash = $1 AND d.role IS NULL",
                    &[&&token_hash(device_token)[..]],
                )
                .await?;
            let Some(r) = found else {
                return Err(ServerError::DeviceNotUsable(None));
            };
            if r.try_get::<_, bool>(3)? {
                return Err(ServerError::DeviceNotUsable(None));
            }
            if r.try_get::<_, Uuid>(1)? != user.account_id {
                return Err(ServerError::DeviceNotUsable(Some(r.try_get(2)?)));
            }
            (r.try_get(0)?, None)
        }
    };
    tx.execute(
        "UPDATE sessions SET ended_at = now() WHERE device_id = $1 AND ended_at IS NULL",
        &[&device_id],
    )
    .await?;
    tx.execute(
        "INSERT INTO sessions (id, token_hash, user_id, device_id) VALUES ($1, $2, $3, $4)",
        &[&session_id, &&hash[..], &user.id, &device_id],
    )
    .await?;
    let r = tx
        .query_one(
            "SELECT a.name, d.name, d.code FROM devices d
             JOIN accounts a ON a.id = d.account_id WHERE d.id = $1",
            &[&device_id],
        )
        .await?;
    let device = Device::session(
        user,
        session_id,
        r.try_get(0)?,
        device_id,
        r.try_get(1)?,
        r.try_get(2)?,
    );
    tx.commit().await?;
    Ok(NewSession {
        token,
        device,
        device_token,
    })
}

/// Ends a session; false if it had ended already.
pub(super) async fn end_session(pool: &Pool, session: Uuid) -> Result<bool, ServerError> {
    let client = pool.get().await?;
    Ok(client
        .execute(
            "UPDATE sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL",
            &[&session],
        )
        .await?
        == 1)
}

/// The account's devices, oldest first, with the person signed in on each.
pub(super) async fn devices(pool: &Pool, account_id: Uuid) -> Result<Vec<DeviceRow>, ServerError> {
    let client = pool.get().await?;
    client
        .query(
            "SELECT d.id, d.code, d.name, d.role,
                    (SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.device_id = d.id AND s.ended_at IS NULL
                     ORDER BY s.created_at DESC LIMIT 1),
                    d.app_version, d.last_seen, d.revoked_at IS NOT NULL, d.waiting
             FROM devices d WHERE d.account_id = $1 ORDER BY d.created_at, d.id",
            &[&account_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DeviceRow {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                name: r.try_get(2)?,
                service_role: r
                    .try_get::<_, Option<&str>>(3)?
                    .map(stored_role)
                    .transpose()?,
                person: r.try_get(4)?,
                app_version: r.try_get(5)?,
                last_seen: r.try_get(6)?,
                revoked: r.try_get(7)?,
                waiting: crate::people::waiting_from_json(r.try_get(8)?),
            })
        })
        .collect()
}

/// Notes a device's request now and the app version it came with.
pub(super) async fn seen(
    pool: &Pool,
    device: Uuid,
    app_version: Option<&str>,
) -> Result<(), ServerError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE devices SET last_seen = now(), app_version = coalesce($2, app_version)
             WHERE id = $1",
            &[&device, &app_version],
        )
        .await?;
    Ok(())
}

/// Keeps a device's report of its unsynced work (see `Store::report_waiting`).
pub(super) async fn report_waiting(
    pool: &Pool,
    device: Uuid,
    waiting: &str,
) -> Result<(), ServerError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE devices SET waiting = $2, waiting_at = now() WHERE id = $1",
            &[&device, &waiting],
        )
        .await?;
    Ok(())
}
