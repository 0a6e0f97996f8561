//! The PostgreSQL adapter: the registry, every account's event log and the sync
//! ledger in one PostgreSQL database, shared by any number of stateless server
//! instances behind a load balancer.
//!
//! **Architecture Invariant:** an account's global sequence is gap-free and a reader
//! never skips an event that commits late. A push locks the account's row
//! (`SELECT head ... FOR UPDATE`), numbers its events `head + 1 ..`, moves `head` and
//! commits: appends to one account are serialised across all instances, and the row
//! lock is released only after the commit is visible, so `n + 1` can never be visible
//! before `n`. A rolled-back push gives its numbers back (they were never stored).
//! Readers read `head` first and then the events up to it. No `SEQUENCE` is used:
//! sequences are non-transactional, which is exactly the gap problem.
//!
//! **Decision: deciding on a cache.** Commands are decided by the same code as on the
//! SQLite server (`daybook_app` in authority mode) over a per-instance SQLite cache of
//! the account, which the push brings up to date from PostgreSQL under the row lock
//! before deciding. PostgreSQL commits first, then the cache: a cache is never ahead
//! of PostgreSQL, and one that is behind (a failed local commit, another instance's
//! pushes) catches up on its next push. The cache lives in a temporary directory and
//! is dropped with the instance: it holds nothing PostgreSQL does not.
//!
//! Files: `registry` (accounts, devices, tokens), `migrate` (the schema), `events`
//! (heads, pages, inserts), `push` (a push under the row lock, and its ledger),
//! `cache` (the per-instance SQLite caches), `listen` (live heads across instances).

mod cache;
mod events;
mod listen;
mod migrate;
mod people;
mod push;
mod registry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use daybook_protocol::{PullResponse, PushRequest};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::runtime::Handle;
use tokio::sync::broadcast;
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::error::ServerError;
use daybook_domain::Role;

use crate::people::{Credentials, DeviceRow, NewUser, SessionDevice, User, UserChange};
use crate::store::{Account, Device, NewSession, NewToken, Pushed, Store};

use cache::Caches;
use listen::Hub;

/// Settings of the PostgreSQL adapter.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections in the pool.
    pub pool_size: usize,
    /// Where the instance's temporary account caches go (a fresh folder inside it).
    pub cache_root: PathBuf,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            pool_size: 16,
            cache_root: std::env::temp_dir(),
        }
    }
}

/// The adapter: a connection pool, the live hub fed by `LISTEN`, and the caches.
pub struct PgStore {
    pool: Pool,
    hub: Arc<Hub>,
    caches: Caches,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), applies the migrations and
    /// starts listening for other instances' heads. Call within a Tokio runtime.
    pub async fn connect(url: &str, options: &PgOptions) -> Result<Self, ServerError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| ServerError::Invalid(format!("bad database URL: {e}")))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| ServerError::Invalid(format!("database pool: {e}")))?;
        migrate::migrate(&pool).await?;
        let hub = Arc::new(Hub::default());
        let listener = tokio::spawn(listen::run(config, pool.clone(), hub.clone()));
        Ok(PgStore {
            pool,
            hub,
            caches: Caches::new(&options.cache_root)?,
            listener,
        })
    }
}

#[async_trait]
impl Store for PgStore {
    fn describe(&self) -> String {
        "postgresql".into()
    }

    async fn ping(&self) -> Result<(), ServerError> {
        registry::ping(&self.pool).await
    }

    async fn create_account(&self, name: &str) -> Result<Uuid, ServerError> {
        registry::create_account(&self.pool, name).await
    }

    async fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        registry::accounts(&self.pool).await
    }

    async fn create_token(
        &self,
        account: Uuid,
        device: &str,
        role: Role,
    ) -> Result<NewToken, ServerError> {
        registry::create_device(&self.pool, account, device, Some(role)).await
    }

    async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError> {
        registry::revoke_device(&self.pool, device).await
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError> {
        registry::authenticate(&self.pool, token).await
    }

    async fn still_valid(&self, who: &Device) -> Result<bool, ServerError> {
        registry::still_valid(&self.pool, who).await
    }

    async fn revocations(&self) -> Result<i64, ServerError> {
        registry::revocations(&self.pool).await
    }

    async fn create_user(&self, account: Uuid, user: &NewUser) -> Result<Uuid, ServerError> {
        people::create_user(&self.pool, account, user).await
    }

    async fn users(&self, account: Uuid) -> Result<Vec<User>, ServerError> {
        people::users(&self.pool, account).await
    }

    async fn change_user(&self, login: &str, change: &UserChange) -> Result<bool, ServerError> {
        people::change_user(&self.pool, login, change).await
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>, ServerError> {
        people::credentials(&self.pool, login).await
    }

    async fn open_session(
        &self,
        user: &User,
        device: SessionDevice<'_>,
    ) -> Result<NewSession, ServerError> {
        people::open_session(&self.pool, user, device).await
    }

    async fn end_session(&self, session: Uuid) -> Result<bool, ServerError> {
        people::end_session(&self.pool, session).await
    }

    async fn devices(&self, account: Uuid) -> Result<Vec<DeviceRow>, ServerError> {
        people::devices(&self.pool, account).await
    }

    async fn seen(&self, device: Uuid, app_version: Option<&str>) -> Result<(), ServerError> {
        people::seen(&self.pool, device, app_version).await
    }

    async fn report_waiting(&self, device: Uuid, waiting: &str) -> Result<(), ServerError> {
        people::report_waiting(&self.pool, device, waiting).await
    }

    /// PostgreSQL transactions under the account's row lock (see the module docs) of
    /// about `crate::sync::PUSH_SLICE` of work each, on a blocking thread (the cache is
    /// SQLite); each new head is announced here and, through `NOTIFY`, on every other
    /// instance.
    async fn push(&self, device: Device, req: PushRequest) -> Result<Pushed, ServerError> {
        let account = device.account_id;
        let device = Arc::new(device);
        let req = Arc::new(req);
        let mut all = Pushed {
            results: Vec::with_capacity(req.commands.len()),
            counts: crate::PushCounts::default(),
            head: 0,
        };
        while all.results.len() < req.commands.len() {
            let (pool, cache, rt) = (
                self.pool.clone(),
                self.caches.get(account),
                Handle::current(),
            );
            let (device, req, done) = (device.clone(), req.clone(), all.results.len());
            let pushed = tokio::task::spawn_blocking(move || {
                push::push_blocking(&rt, &pool, &cache, &device, &req.commands[done..])
            })
            .await
            .map_err(|e| ServerError::Task(e.to_string()))??;
            if pushed.results.is_empty() {
                return Err(ServerError::Task(
                    "a push transaction made no progress".into(),
                ));
            }
            self.hub.publish(account, pushed.head);
            all.results.extend(pushed.results);
            all.counts.add(pushed.counts);
            all.head = pushed.head;
        }
        Ok(all)
    }

    async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, ServerError> {
        events::pull(&self.pool, account, after, limit).await
    }

    /// Heads from this instance's pushes and, through `LISTEN`, every other
    /// instance's.
    async fn watch_heads(
        &self,
        account: Uuid,
    ) -> Result<(broadcast::Receiver<i64>, i64), ServerError> {
        let rx = self.hub.subscribe(account);
        Ok((rx, self.head(account).await?))
    }

    async fn head(&self, account: Uuid) -> Result<i64, ServerError> {
        events::account_head(&*self.pool.get().await?, account).await
    }
}
