//! People in the SQLite registry: users, their sessions on devices, and the devices
//! list (`users`, `sessions`, registry schema 2). Blocking, like the rest of it.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::registry::{Registry, insert_device, millis_now, must_exist, role_column};
use crate::error::ServerError;
use crate::people::{
    Credentials, DeviceRow, NewUser, SessionDevice, User, UserChange, check_login,
};
use crate::store::{Device, NewSession, check_name, new_session_token, token_hash};

const USER_COLUMNS: &str = "id, account_id, login, name, role, enabled, created_at";

fn user_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        account_id: r.get(1)?,
        login: r.get(2)?,
        name: r.get(3)?,
        role: role_column(r, 4)?,
        enabled: r.get(5)?,
        created_at: daybook_store::from_millis(r.get(6)?),
    })
}

fn taken(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl Registry {
    /// Adds a user; the login must be free on the whole server.
    pub fn create_user(&self, account_id: Uuid, user: &NewUser) -> Result<Uuid, ServerError> {
        let login = check_login(&user.login).map_err(ServerError::Invalid)?;
        let name = check_name("name", &user.name).map_err(ServerError::Invalid)?;
        let id = Uuid::now_v7();
        self.pool.with(|c| {
            must_exist(c, account_id)?;
            match c.execute(
                "INSERT INTO users (id, account_id, login, name, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    account_id,
                    login,
                    name,
                    user.role.as_str(),
                    user.password_hash,
                    millis_now()
                ],
            ) {
                Err(e) if taken(&e) => Err(ServerError::Invalid(format!(
                    "the login {login} is already taken"
                ))),
                other => other.map(drop).map_err(Into::into),
            }
        })?;
        Ok(id)
    }

    /// The account's users, by login.
    pub fn users(&self, account_id: Uuid) -> Result<Vec<User>, ServerError> {
        self.pool.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE account_id = ?1 ORDER BY login"
            ))?;
            let rows = stmt.query_map([account_id], user_of)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Changes a user; false if no user has this login. Disabling and a new password
    /// end the user's sessions in the same transaction.
    pub fn change_user(&self, login: &str, change: &UserChange) -> Result<bool, ServerError> {
        let login = check_login(login).map_err(ServerError::Invalid)?;
        self.pool.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = match change {
                UserChange::Enable => {
                    tx.execute("UPDATE users SET enabled = 1 WHERE login = ?1", [&login])?
                }
                UserChange::Disable => {
                    tx.execute("UPDATE users SET enabled = 0 WHERE login = ?1", [&login])?
                }
                UserChange::Role(role) => tx.execute(
                    "UPDATE users SET role = ?2 WHERE login = ?1",
                    params![login, role.as_str()],
                )?,
                UserChange::Password(hash) => tx.execute(
                    "UPDATE users SET password_hash = ?2 WHERE login = ?1",
                    params![login, hash],
                )?,
            } == 1;
            if changed && matches!(change, UserChange::Disable | UserChange::Password(_)) {
                tx.execute(
                    "UPDATE sessions SET ended_at = ?2
                     WHERE ended_at IS NULL
                       AND user_id = (SELECT id FROM users WHERE login = ?1)",
                    params![login, millis_now()],
                )?;
            }
            tx.commit()?;
            Ok(changed)
        })
    }

    /// The user with this login and their password hash.
    pub fn credentials(&self, login: &str) -> Result<Option<Credentials>, ServerError> {
        let Ok(login) = check_login(login) else {
            return Ok(None);
        };
        self.pool.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = ?1"),
                [login],
                |r| {
                    Ok(Credentials {
                        user: user_of(r)?,
                        password_hash: r.get(7)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Opens a session of `user` on a device, ending any other open session on that
    /// device (one person at a time per device).
    pub fn open_session(
        &self,
        user: &User,
        device: SessionDevice<'_>,
    ) -> Result<NewSession, ServerError> {
        let token = new_session_token()?;
        let hash = token_hash(&token);
        let session_id = Uuid::now_v7();
        self.pool.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (device_id, device_token) = match device {
                SessionDevice::New(name) => {
                    let made = insert_device(&tx, user.account_id, name, None)?;
                    (made.device_id, Some(made.token))
                }
                SessionDevice::Known(device_token) => {
                    let found: Option<(Uuid, Uuid, String, bool)> = tx
                        .query_row(
                            "SELECT d.id, d.account_id, a.name, d.revoked_at IS NOT NULL
                             FROM devices d JOIN accounts a ON a.id = d.account_id
                             WHERE d.token_hash = ?1 AND d.role IS NULL",
                            [&token_hash(device_token)[..]],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                        )
                        .optional()?;
                    match found {
                        None | Some((_, _, _, true)) => {
                            return Err(ServerError::DeviceNotUsable(None));
                        }
                        Some((_, account, name, _)) if account != user.account_id => {
                            return Err(ServerError::DeviceNotUsable(Some(name)));
                        }
                        Some((id, ..)) => (id, None),
                    }
                }
            };
            let now = millis_now();
            tx.execute(
                "UPDATE sessions SET ended_at = ?2 WHERE device_id = ?1 AND ended_at IS NULL",
                params![device_id, now],
            )?;
            tx.execute(
                "INSERT INTO sessions (id, token_hash, user_id, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![session_id, &hash[..], user.id, device_id, now],
            )?;
            let device = tx.query_row(
                "SELECT a.name, d.name, d.code FROM devices d
                 JOIN accounts a ON a.id = d.account_id WHERE d.id = ?1",
                [device_id],
                |r| {
                    Ok(Device::session(
                        user,
                        session_id,
                        r.get(0)?,
                        device_id,
                        r.get(1)?,
                        r.get(2)?,
                    ))
                },
            )?;
            tx.commit()?;
            Ok(NewSession {
                token,
                device,
                device_token,
            })
        })
    }

    /// Ends a session; false if it had ended already.
    pub fn end_session(&self, session: Uuid) -> Result<bool, ServerError> {
        self.pool.with(|c| {
            Ok(c.execute(
                "UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
                params![session, millis_now()],
            )? == 1)
        })
    }

    /// The account's devices, oldest first, with the person signed in on each.
    pub fn devices(&self, account_id: Uuid) -> Result<Vec<DeviceRow>, ServerError> {
        self.pool.with(|c| {
            let mut stmt = c.prepare(
                "SELECT d.id, d.code, d.name, d.role,
                        (SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id
                         WHERE s.device_id = d.id AND s.ended_at IS NULL
                         ORDER BY s.created_at DESC LIMIT 1),
                        d.app_version, d.last_seen, d.revoked_at IS NOT NULL, d.waiting
                 FROM devices d WHERE d.account_id = ?1 ORDER BY d.created_at, d.id",
            )?;
            let rows = stmt.query_map([account_id], |r| {
                let role: Option<String> = r.get(3)?;
                Ok(DeviceRow {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    service_role: match role {
                        Some(_) => Some(role_column(r, 3)?),
                        None => None,
                    },
                    person: r.get(4)?,
                    app_version: r.get(5)?,
                    last_seen: r.get::<_, Option<i64>>(6)?.map(daybook_store::from_millis),
                    revoked: r.get(7)?,
                    waiting: crate::people::waiting_from_json(
                        r.get::<_, Option<String>>(8)?.as_deref(),
                    ),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Keeps a device's report of its unsynced work (see `Store::report_waiting`).
    pub fn report_waiting(&self, device: Uuid, waiting: &str) -> Result<(), ServerError> {
        self.pool.with(|c| {
            c.prepare_cached("UPDATE devices SET waiting = ?2, waiting_at = ?3 WHERE id = ?1")?
                .execute(params![device, waiting, millis_now()])?;
            Ok(())
        })
    }

    /// Notes a device's request now and the app version it came with.
    pub fn seen(&self, device: Uuid, app_version: Option<&str>) -> Result<(), ServerError> {
        self.pool.with(|c| {
            c.prepare_cached(
                "UPDATE devices SET last_seen = ?2, app_version = coalesce(?3, app_version)
                 WHERE id = ?1",
            )?
            .execute(params![device, millis_now(), app_version])?;
            Ok(())
        })
    }
}
