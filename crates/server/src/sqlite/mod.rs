//! The SQLite adapter of the store port (the default, one instance): a data directory
//! with the registry (`registry`: `server.sqlite3`, accounts and devices, tokens stored
//! hashed) and one database per account (`accounts`: the account's event store and
//! read models plus the sync ledger, one writer each, read-only readers; `ledger`: push
//! and pull on it). SQLite is blocking, so every call runs on a blocking thread.

pub mod accounts;
pub mod backup;
mod ledger;
mod people;
mod pool;
pub mod registry;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use daybook_protocol::{PullResponse, PushRequest};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::ServerError;
use daybook_domain::Role;

use crate::people::{Credentials, DeviceRow, NewUser, SessionDevice, User, UserChange};
use crate::store::{Account, Device, NewSession, NewToken, Pushed, Store, check_name};

pub(crate) use ledger::command_seqs;

use accounts::{AccountDb, Accounts};
use registry::Registry;

/// The store in a data directory.
pub struct SqliteStore {
    data_dir: PathBuf,
    registry: Arc<Registry>,
    accounts: Accounts,
}

impl SqliteStore {
    /// Opens (creating if needed) the data directory `data_dir`: the registry now,
    /// account databases on first use.
    pub fn open(data_dir: &Path) -> Result<Self, ServerError> {
        Ok(SqliteStore {
            data_dir: data_dir.to_path_buf(),
            registry: Arc::new(Registry::open(data_dir)?),
            accounts: Accounts::new(data_dir),
        })
    }

    /// The data directory (tests and tools reach the files through it).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// An account's open database, opened on first use. The caller has checked that
    /// the account exists (a token of it was presented).
    pub async fn account(&self, id: Uuid) -> Result<Arc<AccountDb>, ServerError> {
        self.accounts.get(id).await
    }

    /// Runs `f` on the registry, on a blocking thread.
    async fn on_registry<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Registry) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let registry = self.registry.clone();
        run_blocking(move || f(&registry)).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.data_dir.display().to_string()
    }

    async fn ping(&self) -> Result<(), ServerError> {
        self.on_registry(|r| r.ping()).await
    }

    /// The account's database first, then its registry row: an account the registry
    /// lists always has its file.
    async fn create_account(&self, name: &str) -> Result<Uuid, ServerError> {
        let name = check_name("account name", name).map_err(ServerError::Invalid)?;
        let id = Uuid::now_v7();
        let dir = self.data_dir.clone();
        self.on_registry(move |r| {
            accounts::create_account_db(&dir, id)?;
            r.create_account(id, &name)
        })
        .await?;
        Ok(id)
    }

    async fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        self.on_registry(|r| r.accounts()).await
    }

    async fn create_token(
        &self,
        account: Uuid,
        device: &str,
        role: Role,
    ) -> Result<NewToken, ServerError> {
        let device = device.to_string();
        self.on_registry(move |r| r.create_device(account, &device, Some(role)))
            .await
    }

    async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError> {
        self.on_registry(move |r| r.revoke_device(device)).await
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError> {
        let token = token.to_string();
        self.on_registry(move |r| r.authenticate(&token)).await
    }

    async fn still_valid(&self, who: &Device) -> Result<bool, ServerError> {
        let who = who.clone();
        self.on_registry(move |r| r.still_valid(&who)).await
    }

    async fn revocations(&self) -> Result<i64, ServerError> {
        self.on_registry(|r| r.revocations()).await
    }

    async fn create_user(&self, account: Uuid, user: &NewUser) -> Result<Uuid, ServerError> {
        let user = user.clone();
        self.on_registry(move |r| r.create_user(account, &user))
            .await
    }

    async fn users(&self, account: Uuid) -> Result<Vec<User>, ServerError> {
        self.on_registry(move |r| r.users(account)).await
    }

    async fn change_user(&self, login: &str, change: &UserChange) -> Result<bool, ServerError> {
        let (login, change) = (login.to_string(), change.clone());
        self.on_registry(move |r| r.change_user(&login, &change))
            .await
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>, ServerError> {
        let login = login.to_string();
        self.on_registry(move |r| r.credentials(&login)).await
    }

    async fn open_session(
        &self,
        user: &User,
        device: SessionDevice<'_>,
    ) -> Result<NewSession, ServerError> {
        let user = user.clone();
        let (new, text) = match device {
            SessionDevice::New(name) => (true, name.to_string()),
            SessionDevice::Known(token) => (false, token.to_string()),
        };
        self.on_registry(move |r| {
            let device = if new {
                SessionDevice::New(&text)
            } else {
                SessionDevice::Known(&text)
            };
            r.open_session(&user, device)
        })
        .await
    }

    async fn end_session(&self, session: Uuid) -> Result<bool, ServerError> {
        self.on_registry(move |r| r.end_session(session)).await
    }

    async fn devices(&self, account: Uuid) -> Result<Vec<DeviceRow>, ServerError> {
        self.on_registry(move |r| r.devices(account)).await
    }

    async fn seen(&self, device: Uuid, app_version: Option<&str>) -> Result<(), ServerError> {
        let version = app_version.map(str::to_string);
        self.on_registry(move |r| r.seen(device, version.as_deref()))
            .await
    }

    async fn report_waiting(&self, device: Uuid, waiting: &str) -> Result<(), ServerError> {
        let waiting = waiting.to_string();
        self.on_registry(move |r| r.report_waiting(device, &waiting))
            .await
    }

    async fn push(&self, device: Device, req: PushRequest) -> Result<Pushed, ServerError> {
        let db = self.account(device.account_id).await?;
        run_blocking(move || ledger::push(&db, &device, &req)).await
    }

    async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, ServerError> {
        let db = self.account(account).await?;
        run_blocking(move || ledger::pull(&db, after, limit)).await
    }

    async fn watch_heads(
        &self,
        account: Uuid,
    ) -> Result<(broadcast::Receiver<i64>, i64), ServerError> {
        let db = self.account(account).await?;
        let rx = db.subscribe();
        Ok((rx, db.head()))
    }

    async fn head(&self, account: Uuid) -> Result<i64, ServerError> {
        Ok(self.account(account).await?.head())
    }
}

/// Runs blocking work (SQLite) on a blocking thread.
async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}
