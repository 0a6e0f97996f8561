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

mod listen;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use daybook_app::{Daybook, Durability, OpenOptions};
use daybook_protocol::{PullResponse, PushCommand, PushOutcome, PushRequest, PushResult};
use daybook_store::{Metadata, RawEvent};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rusqlite::Connection;
use tokio::runtime::Handle;
use tokio::sync::broadcast;
use tokio_postgres::{NoTls, Row, Statement};

/// A pooled connection's transaction (it caches prepared statements per connection).
type Transaction<'a> = deadpool_postgres::Transaction<'a>;
use uuid::Uuid;

use crate::accounts::SERVER_DEVICE;
use crate::error::ServerError;
use crate::registry::{self, Account, Device, NewToken};
use crate::sync::{self, Ledger, PushCounts};

pub(crate) use listen::Hub;

/// The numbered migrations, applied in order on start (`daybook_migrations`).
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];
/// Advisory lock key held while migrating, so instances starting together migrate once.
const MIGRATION_LOCK: i64 = 0x6461_7962_6f6f_6b01;
/// Events read per query when a cache catches up.
const CATCH_UP_PAGE: i64 = 5000;

/// Events of an account after a sequence, up to a head, in order, at most so many.
const SELECT_EVENTS: &str = "SELECT seq, event_id, stream_id, stream_type, revision, \
     event_type, schema_version, payload, user_id, device_id, command_id, causation_id, \
     correlation_id, issued_at, committed_at FROM events \
     WHERE account_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4";

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
pub struct PgBackend {
    pool: Pool,
    hub: Arc<Hub>,
    caches: Caches,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgBackend {
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
        migrate(&pool).await?;
        let hub = Arc::new(Hub::default());
        let listener = tokio::spawn(listen::run(config, pool.clone(), hub.clone()));
        Ok(PgBackend {
            pool,
            hub,
            caches: Caches::new(&options.cache_root)?,
            listener,
        })
    }

    /// Adds an account.
    pub async fn create_account(&self, id: Uuid, name: &str) -> Result<(), ServerError> {
        let name = registry::check_name("account name", name).map_err(ServerError::Invalid)?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO accounts (id, name) VALUES ($1, $2)",
                &[&id, &name],
            )
            .await?;
        Ok(())
    }

    /// Every account, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        let client = self.pool.get().await?;
        let rows = client
            .query("SELECT id, name, created_at FROM accounts ORDER BY id", &[])
            .await?;
        Ok(rows
            .iter()
            .map(|r| Account {
                id: r.get(0),
                name: r.get(1),
                created_at: r.get(2),
            })
            .collect())
    }

    /// Adds a device (code `D<n>`, n counting the account's devices) and returns its
    /// token. The account row is locked so two instances never hand out one code twice.
    pub async fn create_device(
        &self,
        account_id: Uuid,
        name: &str,
    ) -> Result<NewToken, ServerError> {
        let name = registry::check_name("device name", name).map_err(ServerError::Invalid)?;
        let token = registry::new_token()?;
        let hash = registry::token_hash(&token);
        let device_id = Uuid::now_v7();
        let mut client = self.pool.get().await?;
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
            .get(0);
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
    pub async fn revoke_device(&self, device_id: Uuid) -> Result<bool, ServerError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
                &[&device_id],
            )
            .await?
            == 1)
    }

    /// Whether the device exists and its token is not revoked.
    pub async fn device_active(&self, device_id: Uuid) -> Result<bool, ServerError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL)",
                &[&device_id],
            )
            .await?
            .get(0))
    }

    /// The device a token belongs to, unless unknown or revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Device>, ServerError> {
        if !registry::plausible_token(token) {
            return Ok(None);
        }
        let hash = registry::token_hash(token);
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT d.account_id, a.name, d.id, d.name, d.code
                 FROM devices d JOIN accounts a ON a.id = d.account_id
                 WHERE d.token_hash = $1 AND d.revoked_at IS NULL",
                &[&&hash[..]],
            )
            .await?;
        Ok(row.map(|r| Device {
            account_id: r.get(0),
            account_name: r.get(1),
            device_id: r.get(2),
            device_name: r.get(3),
            device_code: r.get(4),
        }))
    }

    /// Readiness: the database answers.
    pub async fn ping(&self) -> Result<(), ServerError> {
        let client = self.pool.get().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    /// The account's committed head.
    pub async fn head(&self, account: Uuid) -> Result<i64, ServerError> {
        account_head(&*self.pool.get().await?, account).await
    }

    /// A receiver of the account's future heads, from this instance's pushes and,
    /// through `LISTEN`, every other instance's.
    pub fn subscribe(&self, account: Uuid) -> broadcast::Receiver<i64> {
        self.hub.subscribe(account)
    }

    /// Applies a validated push: one PostgreSQL transaction under the account's row
    /// lock (see the module docs).
    pub async fn push(
        &self,
        device: Device,
        req: PushRequest,
    ) -> Result<(Vec<PushResult>, PushCounts, i64), ServerError> {
        let pool = self.pool.clone();
        let cache = self.caches.get(device.account_id);
        let rt = Handle::current();
        let out = tokio::task::spawn_blocking(move || {
            push_blocking(&rt, &pool, &cache, &device, &req).map(|out| (out, device.account_id))
        })
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?;
        let ((results, counts, head), account) = out?;
        self.hub.publish(account, head);
        Ok((results, counts, head))
    }

    /// Up to `limit` events after `after`, and the head they were read under.
    pub async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, ServerError> {
        let client = self.pool.get().await?;
        // The head first: every event up to it is committed, so the page is whole.
        let head = account_head(&client, account).await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let events_stmt = client.prepare_cached(SELECT_EVENTS).await?;
        let rows = client
            .query(&events_stmt, &[&account, &after, &head, &limit])
            .await?;
        let events = rows
            .iter()
            .map(|r| raw_event(r).and_then(sync::wire_event))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PullResponse { events, head })
    }
}

/// The account's committed head (`accounts.head`).
async fn account_head(
    client: &deadpool_postgres::ClientWrapper,
    account: Uuid,
) -> Result<i64, ServerError> {
    let stmt = client
        .prepare_cached("SELECT head FROM accounts WHERE id = $1")
        .await?;
    client
        .query_opt(&stmt, &[&account])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| ServerError::Invalid(format!("no account has id {account}")))
}

/// `sql` prepared on the transaction's connection, once per connection: a push's
/// statements are parsed and planned once, not on every call (a round trip each).
fn stmt(rt: &Handle, tx: &Transaction<'_>, sql: &str) -> Result<Statement, ServerError> {
    Ok(rt.block_on(tx.prepare_cached(sql))?)
}

/// Applies the numbered migrations not yet applied, under an advisory lock.
async fn migrate(pool: &Pool) -> Result<(), ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS daybook_migrations (
             version    integer     PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let done: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM daybook_migrations",
            &[],
        )
        .await?
        .get(0);
    let done = usize::try_from(done).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(ServerError::Corrupt(format!(
            "the database is at schema version {done}, newer than this server's {}",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(sql).await?;
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO daybook_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit().await?;
    Ok(())
}

/// A push, on a blocking thread: lock the account row, catch the cache up, decide on
/// the cache, write events and ledger to PostgreSQL, commit PostgreSQL, then the cache.
fn push_blocking(
    rt: &Handle,
    pool: &Pool,
    cache: &AccountCache,
    device: &Device,
    req: &PushRequest,
) -> Result<(Vec<PushResult>, PushCounts, i64), ServerError> {
    let account = device.account_id;
    let mut client = rt.block_on(pool.get())?;
    let tx = rt.block_on(client.transaction())?;
    let head: i64 = rt
        .block_on(tx.query_opt(
            &stmt(
                rt,
                &tx,
                "SELECT head FROM accounts WHERE id = $1 FOR UPDATE",
            )?,
            &[&account],
        ))?
        .map(|r| r.get(0))
        .ok_or_else(|| ServerError::Invalid(format!("no account has id {account}")))?;
    let mut slot = cache.lock();
    let db = cache.open(&mut slot)?;
    if let Err(e) = catch_up(rt, &tx, db, account, head) {
        cache.reset(&mut slot);
        return Err(e);
    }
    let mut ledger = PgLedger::load(rt, &tx, account, device.device_id, req)?;
    let mut pg = Some(tx);
    let out = db.write(|w| {
        let (results, counts) = sync::apply_push(w, &mut ledger, device, req)?;
        let new = daybook_store::read_raw(w.conn(), head, usize::MAX)?;
        for (i, e) in new.iter().enumerate() {
            if e.seq != head + 1 + i as i64 {
                return Err(ServerError::Corrupt(format!(
                    "cache of account {account} numbered an event {} instead of {}",
                    e.seq,
                    head + 1 + i as i64
                )));
            }
        }
        let new_head = new.last().map_or(head, |e| e.seq);
        let tx = pg
            .take()
            .ok_or_else(|| ServerError::Task("transaction used twice".into()))?;
        insert_events(rt, &tx, account, &new)?;
        ledger.flush(rt, &tx, account)?;
        if new_head != head {
            rt.block_on(tx.execute(
                &stmt(rt, &tx, "UPDATE accounts SET head = $2 WHERE id = $1")?,
                &[&account, &new_head],
            ))?;
            // Delivered to every instance's LISTEN when (and only if) this commits.
            rt.block_on(tx.execute(
                &stmt(rt, &tx, "SELECT pg_notify($1, $2)")?,
                &[&listen::CHANNEL, &format!("{account}:{new_head}")],
            ))?;
        }
        rt.block_on(tx.commit())?;
        daybook_app::replica::settle_authority_cache(w.conn())?;
        Ok((results, counts, new_head))
    });
    if let Err(ServerError::Corrupt(_)) = &out {
        cache.reset(&mut slot);
    }
    out
}

/// Brings the cache up to `target` from PostgreSQL (in the push's transaction, so it
/// sees exactly what the row lock guards).
fn catch_up(
    rt: &Handle,
    tx: &Transaction<'_>,
    db: &mut Daybook,
    account: Uuid,
    target: i64,
) -> Result<(), ServerError> {
    loop {
        let local = daybook_store::head(db.conn())?;
        if local == target {
            return Ok(());
        }
        if local > target {
            return Err(ServerError::Corrupt(format!(
                "cache of account {account} is at {local}, ahead of the database's {target}"
            )));
        }
        let rows = rt.block_on(tx.query(
            &stmt(rt, tx, SELECT_EVENTS)?,
            &[&account, &local, &target, &CATCH_UP_PAGE],
        ))?;
        if rows.is_empty() {
            return Err(ServerError::Corrupt(format!(
                "account {account}: no events after {local} though the head is {target}"
            )));
        }
        let events = rows.iter().map(raw_event).collect::<Result<Vec<_>, _>>()?;
        db.apply_pulled(&events)?;
    }
}

fn insert_events(
    rt: &Handle,
    tx: &Transaction<'_>,
    account: Uuid,
    events: &[RawEvent],
) -> Result<(), ServerError> {
    if events.is_empty() {
        return Ok(());
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    let streams: Vec<Uuid> = events.iter().map(|e| e.stream_id).collect();
    let stream_types: Vec<&str> = events.iter().map(|e| e.stream_type.as_str()).collect();
    let revisions: Vec<i64> = events
        .iter()
        .map(|e| i64::try_from(e.revision).unwrap_or(i64::MAX))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let versions: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.schema_version).unwrap_or(i32::MAX))
        .collect();
    let payloads: Vec<&str> = events.iter().map(|e| e.payload.as_str()).collect();
    let users: Vec<&str> = events.iter().map(|e| e.metadata.user.as_str()).collect();
    let devices: Vec<&str> = events.iter().map(|e| e.metadata.device.as_str()).collect();
    let commands: Vec<Uuid> = events.iter().map(|e| e.metadata.command_id).collect();
    let causations: Vec<Option<Uuid>> = events.iter().map(|e| e.metadata.causation_id).collect();
    let correlations: Vec<Option<Uuid>> =
        events.iter().map(|e| e.metadata.correlation_id).collect();
    let issued: Vec<DateTime<Utc>> = events.iter().map(|e| e.metadata.issued_at).collect();
    let committed: Vec<DateTime<Utc>> = events.iter().map(|e| e.committed_at).collect();
    rt.block_on(tx.execute(
        &stmt(
            rt,
            tx,
            "INSERT INTO events (account_id, seq, event_id, stream_id, stream_type, revision,
             event_type, schema_version, payload, user_id, device_id, command_id,
             causation_id, correlation_id, issued_at, committed_at)
         SELECT $1, u.* FROM unnest($2::bigint[], $3::uuid[], $4::uuid[], $5::text[],
             $6::bigint[], $7::text[], $8::int4[], $9::text[], $10::text[], $11::text[],
             $12::uuid[], $13::uuid[], $14::uuid[], $15::timestamptz[], $16::timestamptz[]) AS u",
        )?,
        &[
            &account,
            &seqs,
            &ids,
            &streams,
            &stream_types,
            &revisions,
            &types,
            &versions,
            &payloads,
            &users,
            &devices,
            &commands,
            &causations,
            &correlations,
            &issued,
            &committed,
        ],
    ))?;
    Ok(())
}

/// An event row as the store's [`RawEvent`] (its sequence is the server's).
fn raw_event(r: &Row) -> Result<RawEvent, ServerError> {
    let seq: i64 = r.try_get(0)?;
    let stream_type: String = r.try_get(3)?;
    let revision: i64 = r.try_get(4)?;
    let schema_version: i32 = r.try_get(6)?;
    Ok(RawEvent {
        seq,
        event_id: r.try_get(1)?,
        stream_id: r.try_get(2)?,
        stream_type: daybook_domain::StreamType::parse(&stream_type).ok_or_else(|| {
            ServerError::Corrupt(format!("event #{seq} has stream type {stream_type}"))
        })?,
        revision: u64::try_from(revision)
            .map_err(|_| ServerError::Corrupt(format!("event #{seq} has revision {revision}")))?,
        event_type: r.try_get(5)?,
        schema_version: u32::try_from(schema_version).map_err(|_| {
            ServerError::Corrupt(format!("event #{seq} has schema version {schema_version}"))
        })?,
        payload: r.try_get(7)?,
        metadata: Metadata {
            user: r.try_get(8)?,
            device: r.try_get(9)?,
            command_id: r.try_get(10)?,
            causation_id: r.try_get(11)?,
            correlation_id: r.try_get(12)?,
            issued_at: r.try_get(13)?,
        },
        committed_at: r.try_get(14)?,
        server_seq: Some(seq),
    })
}

/// The PostgreSQL ledger of one push: the push's known commands and the device's last
/// sequence are read up front (two queries), new outcomes are written at the end in
/// one statement.
struct PgLedger {
    known: HashMap<Uuid, PushOutcome>,
    last_seq: Option<i64>,
    device_id: Uuid,
    pending: Vec<(Uuid, i64, sync::OutcomeColumns)>,
}

impl PgLedger {
    fn load(
        rt: &Handle,
        tx: &Transaction<'_>,
        account: Uuid,
        device_id: Uuid,
        req: &PushRequest,
    ) -> Result<Self, ServerError> {
        let ids: Vec<Uuid> = req.commands.iter().map(|c| c.envelope.command_id).collect();
        let rows = rt.block_on(tx.query(
            &stmt(
                rt,
                tx,
                "SELECT command_id, status, error, first_seq, last_seq FROM sync_commands
             WHERE account_id = $1 AND command_id = ANY($2)",
            )?,
            &[&account, &ids],
        ))?;
        let mut known = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: Uuid = r.try_get(0)?;
            let status: String = r.try_get(1)?;
            let outcome =
                sync::stored_outcome(id, &status, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)?;
            known.insert(id, outcome);
        }
        let last_seq = rt
            .block_on(tx.query_opt(
                &stmt(
                    rt,
                    tx,
                    "SELECT last_seq FROM sync_devices WHERE account_id = $1 AND device_id = $2",
                )?,
                &[&account, &device_id],
            ))?
            .map(|r| r.try_get(0))
            .transpose()?;
        Ok(PgLedger {
            known,
            last_seq,
            device_id,
            pending: Vec::new(),
        })
    }

    fn flush(
        &mut self,
        rt: &Handle,
        tx: &Transaction<'_>,
        account: Uuid,
    ) -> Result<(), ServerError> {
        let Some(last) = self.pending.iter().map(|p| p.1).max() else {
            return Ok(());
        };
        let ids: Vec<Uuid> = self.pending.iter().map(|p| p.0).collect();
        let seqs: Vec<i64> = self.pending.iter().map(|p| p.1).collect();
        let statuses: Vec<&str> = self.pending.iter().map(|p| p.2.0).collect();
        let errors: Vec<Option<&str>> = self.pending.iter().map(|p| p.2.1.as_deref()).collect();
        let firsts: Vec<Option<i64>> = self.pending.iter().map(|p| p.2.2).collect();
        let lasts: Vec<Option<i64>> = self.pending.iter().map(|p| p.2.3).collect();
        rt.block_on(tx.execute(
            &stmt(
                rt,
                tx,
                "INSERT INTO sync_commands
                 (account_id, device_id, command_id, device_seq, status, error, first_seq, last_seq)
             SELECT $1, $2, u.* FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[],
                 $7::bigint[], $8::bigint[]) AS u",
            )?,
            &[
                &account,
                &self.device_id,
                &ids,
                &seqs,
                &statuses,
                &errors,
                &firsts,
                &lasts,
            ],
        ))?;
        rt.block_on(tx.execute(
            &stmt(
                rt,
                tx,
                "INSERT INTO sync_devices (account_id, device_id, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, device_id) DO UPDATE SET last_seq = excluded.last_seq",
            )?,
            &[&account, &self.device_id, &last],
        ))?;
        self.pending.clear();
        Ok(())
    }
}

impl Ledger for PgLedger {
    fn recorded(
        &mut self,
        _conn: &Connection,
        command_id: Uuid,
    ) -> Result<Option<PushOutcome>, ServerError> {
        Ok(self.known.get(&command_id).cloned())
    }

    fn device_last_seq(
        &mut self,
        _conn: &Connection,
        _device_id: Uuid,
    ) -> Result<Option<i64>, ServerError> {
        Ok(self.last_seq)
    }

    fn record(
        &mut self,
        _conn: &Connection,
        _device_id: Uuid,
        c: &PushCommand,
        outcome: &PushOutcome,
    ) -> Result<(), ServerError> {
        let columns = sync::outcome_columns(outcome)?;
        let seq = i64::try_from(c.device_seq).unwrap_or(i64::MAX);
        self.known.insert(c.envelope.command_id, outcome.clone());
        self.last_seq = Some(seq);
        self.pending.push((c.envelope.command_id, seq, columns));
        Ok(())
    }
}

/// The instance's account caches, in a temporary folder removed with the instance.
struct Caches {
    dir: tempfile::TempDir,
    open: Mutex<HashMap<Uuid, Arc<AccountCache>>>,
}

impl Caches {
    fn new(root: &Path) -> Result<Self, ServerError> {
        std::fs::create_dir_all(root).map_err(|source| ServerError::Io {
            what: format!("cannot create {}", root.display()),
            source,
        })?;
        let dir = tempfile::Builder::new()
            .prefix("daybook-server-cache-")
            .tempdir_in(root)
            .map_err(|source| ServerError::Io {
                what: format!("cannot create a cache folder in {}", root.display()),
                source,
            })?;
        Ok(Caches {
            dir,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn get(&self, account: Uuid) -> Arc<AccountCache> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.entry(account)
            .or_insert_with(|| {
                Arc::new(AccountCache {
                    account,
                    path: self.dir.path().join(format!("{account}.sqlite3")),
                    db: Mutex::new(None),
                })
            })
            .clone()
    }
}

/// One account's cache: opened on first use; one push at a time uses it (the
/// database's row lock orders pushes across instances, this mutex within one).
struct AccountCache {
    account: Uuid,
    path: PathBuf,
    db: Mutex<Option<Daybook>>,
}

impl AccountCache {
    fn lock(&self) -> MutexGuard<'_, Option<Daybook>> {
        // A panic mid-push rolled its SQLite transaction back: the cache is as before.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open<'a>(&self, slot: &'a mut Option<Daybook>) -> Result<&'a mut Daybook, ServerError> {
        if slot.is_none() {
            let mut db = Daybook::open(
                &self.path,
                OpenOptions {
                    authority: true,
                    // A cache: PostgreSQL holds the durable copy.
                    durability: Durability::Normal,
                    user: None,
                    device: Some(SERVER_DEVICE.into()),
                },
            )?;
            if db.account_id() != self.account {
                db.store().set_account_id(self.account)?;
            }
            *slot = Some(db);
        }
        slot.as_mut()
            .ok_or_else(|| ServerError::Task("cache not open".into()))
    }

    /// Forgets the cache (it is rebuilt from PostgreSQL on next use).
    fn reset(&self, slot: &mut Option<Daybook>) {
        *slot = None;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            // Missing files are fine: nothing to forget.
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        tracing::warn!(account = %self.account, "account cache reset");
    }
}
