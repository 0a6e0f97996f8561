//! The background loop: sync now, then wait for a reason to sync again (a local
//! command, the live channel, a timer), backing off while the server is away.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use daybook_app::replica::{Binding, PushAnswer};
use daybook_app::{AppError, Daybook};
use daybook_protocol::{
    ErrorBody, ErrorCode, MAX_PULL_LIMIT, PullResponse, PushCommand, PushOutcome, PushRequest,
    WaitingWork, WireEvent,
};
use daybook_store::{Metadata, RawEvent};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::client::{Client, ServerConfig, SyncError};

/// The local store, shared with the UI or CLI.
pub type SharedDb = Arc<Mutex<Daybook>>;

/// Which way data is moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Sending local commands.
    Push,
    /// Receiving the server's events.
    Pull,
}

/// "x of y" for a push or pull under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Direction.
    pub phase: Phase,
    /// Done so far.
    pub done: u64,
    /// Total known now.
    pub total: u64,
}

/// Where a store stands with its server: one of these, always. The badge of the
/// desktop app shows each in words, and `daybook sync` exits with a code per state
/// ([`SyncState::exit_code`]), so a script can tell them apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No server is configured: the store is its own authority.
    #[default]
    LocalOnly,
    /// The last sync reached the server and went through.
    Online,
    /// A push or pull is under way.
    Syncing,
    /// The server could not be reached (and only that: no answer at all).
    Offline,
    /// The server answered and refused: a request it will not take, its own
    /// failure, or an answer outside the protocol. Changes stay queued.
    Refused,
    /// The server or its events need a newer version of this app.
    UpdateRequired,
    /// The server no longer accepts this device's sign-in (its token).
    SignedOut,
}

impl SyncState {
    /// Every state.
    pub const ALL: [SyncState; 7] = [
        SyncState::LocalOnly,
        SyncState::Online,
        SyncState::Syncing,
        SyncState::Offline,
        SyncState::Refused,
        SyncState::UpdateRequired,
        SyncState::SignedOut,
    ];

    /// The state a finished sync leaves the store in.
    pub fn after(result: &Result<SyncReport, SyncError>) -> SyncState {
        match result {
            Ok(_) => SyncState::Online,
            Err(e) => SyncState::of_error(e),
        }
    }

    /// The state a failed sync leaves the store in: "offline" only when no answer
    /// came at all.
    pub fn of_error(e: &SyncError) -> SyncState {
        match e {
            SyncError::Unreachable(_) => SyncState::Offline,
            SyncError::Unauthorized(_) => SyncState::SignedOut,
            SyncError::UpdateRequired(_) => SyncState::UpdateRequired,
            SyncError::Server { .. }
            | SyncError::Protocol(_)
            | SyncError::App(_)
            | SyncError::Config(_)
            | SyncError::Credentials(_) => SyncState::Refused,
        }
    }

    /// The exit code of `daybook sync` in this state (documented in ARCHITECTURE.md).
    pub fn exit_code(self) -> u8 {
        match self {
            SyncState::Online | SyncState::Syncing => 0,
            SyncState::LocalOnly => 2,
            SyncState::Offline => 4,
            SyncState::Refused => 5,
            SyncState::UpdateRequired => 6,
            SyncState::SignedOut => 7,
        }
    }
}

/// What the badge and the sync screen show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Where the store stands with its server.
    pub state: SyncState,
    /// The last attempt reached the server.
    pub online: bool,
    /// Commands waiting to be pushed.
    pub pending: u64,
    /// Commands needing the user.
    pub needs_attention: u64,
    /// End of the last complete sync.
    pub last_sync: Option<DateTime<Utc>>,
    /// A push or pull under way.
    pub progress: Option<Progress>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Events from the server applied so far (a counter: when it moves, screens
    /// showing read models should refresh).
    pub applied: u64,
}

/// Figures of one sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Commands pushed.
    pub pushed: u64,
    /// Of which the server rejected.
    pub rejected: u64,
    /// Events pulled.
    pub pulled: u64,
    /// Local commands set aside after rebasing.
    pub conflicts: u64,
}

/// Commands per push request.
const PUSH_BATCH: usize = 500;

/// Bytes of commands per push request: well under the server's body limit, so a
/// queue of large commands goes in several requests instead of one the server refuses.
const PUSH_BYTES: usize = daybook_protocol::MAX_BODY_BYTES / 2;

/// The longest prefix of `commands` whose JSON stays within [`PUSH_BYTES`] (at least
/// one command: one larger than the limit is isolated by the server's refusal).
fn within_budget(mut commands: Vec<PushCommand>) -> Vec<PushCommand> {
    let mut bytes = 0;
    let keep = commands
        .iter()
        .position(|c| {
            bytes += serde_json::to_vec(c).map_or(PUSH_BYTES, |v| v.len() + 1);
            bytes > PUSH_BYTES
        })
        .unwrap_or(commands.len())
        .max(1);
    commands.truncate(keep);
    commands
}

/// A single command's refusal worth recording against it (anything the server says
/// about the request's content), as opposed to one about the connection.
fn is_whole_refusal(body: &ErrorBody) -> bool {
    !matches!(body.code, ErrorCode::RateLimited | ErrorCode::Unavailable)
}

/// The sync engine of one local store.
#[derive(Clone)]
pub struct Engine {
    db: SharedDb,
    pub(crate) client: Client,
    status: Arc<watch::Sender<SyncStatus>>,
    wake: Arc<Notify>,
    /// The unsynced work per person last reported to the server (`crate::directory`).
    pub(crate) reported: Arc<std::sync::Mutex<Option<Vec<WaitingWork>>>>,
}

/// What the rest of the app keeps: status updates and a way to ask for a sync now.
#[derive(Clone)]
pub struct EngineHandle {
    status: watch::Receiver<SyncStatus>,
    wake: Arc<Notify>,
}

impl EngineHandle {
    /// The latest status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Asks for a sync as soon as possible (after a local command).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

fn to_raw(e: WireEvent) -> RawEvent {
    RawEvent {
        seq: e.seq,
        event_id: e.event_id,
        stream_id: e.stream_id,
        stream_type: e.stream_type,
        revision: e.revision,
        event_type: e.event_type,
        schema_version: e.schema_version,
        payload: e.payload.get().to_string(),
        metadata: Metadata {
            issued_at: e.issued_at,
            user: e.user,
            device: e.device,
            command_id: e.command_id,
            causation_id: e.causation_id,
            correlation_id: e.correlation_id,
        },
        committed_at: e.committed_at,
        server_seq: Some(e.seq),
    }
}

/// Exponential backoff with full jitter, from `base` up to `cap`.
struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    fn new(base: Duration, cap: Duration) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64)
            | 1;
        Backoff {
            base,
            cap,
            attempt: 0,
            seed,
        }
    }

    fn reset(&mut self) {
        self.attempt = 0;
    }

    fn next(&mut self) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64: enough randomness to spread clients apart.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let frac = (self.seed % 1000) as f64 / 1000.0;
        exp.mul_f64(0.5 + frac / 2.0)
    }
}

impl Engine {
    /// An engine for `db` syncing with the server in `config`.
    pub fn new(db: SharedDb, config: &ServerConfig) -> Result<(Engine, EngineHandle), SyncError> {
        // A configured engine starts by syncing; "local only" is for stores without one.
        let (tx, rx) = watch::channel(SyncStatus {
            state: SyncState::Syncing,
            ..SyncStatus::default()
        });
        let wake = Arc::new(Notify::new());
        let engine = Engine {
            db,
            client: Client::new(config)?,
            status: Arc::new(tx),
            wake: wake.clone(),
            reported: Arc::default(),
        };
        Ok((engine, EngineHandle { status: rx, wake }))
    }

    /// The same engine, taking a live channel silent for `idle` for dead and
    /// reconnecting it (default [`crate::client::LIVE_IDLE_TIMEOUT`]; set it above the
    /// server's keep-alive interval).
    pub fn with_live_idle_timeout(mut self, idle: Duration) -> Self {
        self.client = self.client.with_live_idle_timeout(idle);
        self
    }

    pub(crate) async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Daybook) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = db
                .lock()
                .map_err(|_| SyncError::Config("the local store lock is poisoned".into()))?;
            f(&mut guard).map_err(SyncError::from)
        })
        .await
        .map_err(|e| SyncError::Config(format!("sync task failed: {e}")))?
    }

    fn set_progress(&self, progress: Option<Progress>) {
        self.status.send_modify(|s| s.progress = progress);
    }

    async fn refresh_counts(&self) -> Result<(), SyncError> {
        let counts = self.with_db(|d| d.read().outbox_counts()).await?;
        self.status.send_modify(|s| {
            s.pending = counts.pending;
            s.needs_attention = counts.needs_attention;
        });
        Ok(())
    }

    /// The account this store syncs with, binding it on the first sync.
    async fn account(&self) -> Result<Uuid, SyncError> {
        if let Some(b) = self.with_db(|d| d.read().binding()).await? {
            return Ok(b.account_id);
        }
        let me = self.client.me().await?;
        // A store connected with work of its own joins only an account without data (a
        // sign-in checked this; a token, or an account filled since, is checked here,
        // before anything is bound): no silent merge, no printed number changing.
        if self.with_db(|d| d.read().brings_work()).await?
            && self.client.pull(me.account_id, 0, 1).await?.head > 0
        {
            return Err(SyncError::Config(format!(
                "this store holds work of its own, and the account {} has data already: \
                 joining it needs an empty store (start a clean store; this one is kept aside)",
                me.account_name
            )));
        }
        let binding = Binding {
            account_id: me.account_id,
            device_name: me.device_name,
            device_code: me.device_code,
        };
        self.with_db(move |d| d.bind(&binding)).await?;
        Ok(me.account_id)
    }

    /// One full sync: push everything, then pull everything, reporting progress.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        self.status.send_modify(|s| s.state = SyncState::Syncing);
        let result = self.sync_inner().await;
        self.set_progress(None);
        let state = SyncState::after(&result);
        match &result {
            Ok(_) => self.status.send_modify(|s| {
                s.state = state;
                s.online = true;
                s.last_sync = Some(Utc::now());
                s.last_error = None;
            }),
            Err(e) => self.status.send_modify(|s| {
                s.state = state;
                s.online = !matches!(e, SyncError::Unreachable(_));
                s.last_error = Some(e.to_string());
            }),
        }
        let _ = self.refresh_counts().await;
        result
    }

    async fn sync_inner(&self) -> Result<SyncReport, SyncError> {
        let account = self.account().await?;
        let mut report = SyncReport::default();
        // A rebase during the pull can requeue commands: go round a few times.
        for _ in 0..3 {
            self.push_all(account, &mut report).await?;
            self.pull_all(account, &mut report).await?;
            if self.with_db(|d| d.read().outbox_counts()).await?.pending == 0 {
                break;
            }
        }
        self.refresh_people(account, report.pulled > 0).await;
        self.report_waiting(account).await;
        Ok(report)
    }

    async fn push_all(&self, account: Uuid, report: &mut SyncReport) -> Result<(), SyncError> {
        let total = self.with_db(|d| d.read().outbox_counts()).await?.pending;
        let mut done = 0;
        loop {
            let out = self.with_db(|d| d.outgoing(PUSH_BATCH)).await?;
            if out.is_empty() {
                return Ok(());
            }
            self.set_progress(Some(Progress {
                phase: Phase::Push,
                done,
                total: total.max(done + out.len() as u64),
            }));
            let batch = within_budget(
                out.into_iter()
                    .map(|c| PushCommand::new(c.device_seq, c.user, c.envelope))
                    .collect(),
            );
            let (answers, failed) = self.push_isolating(account, batch).await;
            report.rejected += answers
                .iter()
                .filter(|(_, a)| matches!(a, PushAnswer::Rejected(_)))
                .count() as u64;
            done += answers.len() as u64;
            report.pushed += answers.len() as u64;
            // What the server answered is recorded even when a later part failed.
            let applied = self.with_db(move |d| d.record_push(&answers)).await?;
            if applied.rebased_streams > 0 {
                // A refused command's local effects were undone.
                self.status
                    .send_modify(|s| s.applied += applied.rebased_streams);
            }
            report.conflicts += applied.conflicts;
            if let Some(e) = failed {
                return Err(e);
            }
        }
    }

    /// Pushes `batch` in order. When the server refuses a request whole for what it
    /// holds (too large, a command it cannot read), the request is split in halves,
    /// first half first (device sequences must rise), until the command at fault is
    /// alone; that command is answered with the server's refusal, so it lands in
    /// "needs attention" and the rest flows. Returns the answers, and the error that
    /// stopped the push early, if one did.
    async fn push_isolating(
        &self,
        account: Uuid,
        batch: Vec<PushCommand>,
    ) -> (Vec<(Uuid, PushAnswer)>, Option<SyncError>) {
        let mut answers = Vec::new();
        let mut queue = std::collections::VecDeque::from([batch]);
        while let Some(part) = queue.pop_front() {
            let req = PushRequest { commands: part };
            match self.client.push(account, &req).await {
                Ok(resp) => answers.extend(resp.results.into_iter().map(|r| {
                    let a = match r.outcome {
                        PushOutcome::Accepted { last_seq, .. } => PushAnswer::Accepted { last_seq },
                        PushOutcome::Rejected { error } => PushAnswer::Rejected(error),
                    };
                    (r.command_id, a)
                })),
                Err(SyncError::Server { body, .. })
                    if req.commands.len() == 1 && is_whole_refusal(&body) =>
                {
                    answers.push((
                        req.commands[0].envelope.command_id,
                        PushAnswer::Rejected(body),
                    ));
                }
                Err(e) if e.refuses_the_request() && req.commands.len() > 1 => {
                    let mut first = req.commands;
                    let second = first.split_off(first.len() / 2);
                    queue.push_front(second);
                    queue.push_front(first);
                }
                Err(e) => return (answers, Some(e)),
            }
        }
        (answers, None)
    }

    async fn pull_all(&self, account: Uuid, report: &mut SyncReport) -> Result<(), SyncError> {
        let start = self.with_db(|d| d.read().sync_cursor()).await?;
        let mut cursor = start;
        let mut next = Some(self.fetch(account, cursor));
        while let Some(fetch) = next.take() {
            let page = fetch
                .await
                .map_err(|e| SyncError::Config(format!("pull task failed: {e}")))??;
            let Some(last) = page.events.last().map(|e| e.seq) else {
                break;
            };
            let head = page.head;
            // Fetch the next page while this one is applied.
            if last < head {
                next = Some(self.fetch(account, last));
            }
            let mut events: Vec<RawEvent> = page.events.into_iter().map(to_raw).collect();
            // An event this build cannot read: apply what comes before it, stop there.
            let stop = events
                .iter()
                .position(|e| !daybook_domain::schema::can_read(&e.event_type, e.schema_version))
                .map(|i| {
                    let e = &events[i];
                    let known = daybook_domain::schema::event_version(&e.event_type);
                    let err = SyncError::UpdateRequired(format!(
                        "the server holds changes made by a newer version of Daybook ({} \
                         version {}; this app reads {}); update this app to see them and \
                         what follows. Your own changes keep syncing.",
                        e.event_type,
                        e.schema_version,
                        known.map_or("none of that kind".into(), |k| format!("up to {k}"))
                    ));
                    events.truncate(i);
                    err
                });
            if stop.is_some()
                && let Some(n) = next.take()
            {
                n.abort();
            }
            let last = events.last().map_or(cursor, |e| e.seq);
            let n = events.len() as u64;
            let applied = if events.is_empty() {
                daybook_app::replica::ApplyReport::default()
            } else {
                self.with_db(move |d| d.apply_pulled(&events)).await?
            };
            self.status.send_modify(|s| s.applied += n);
            report.pulled += n;
            report.conflicts += applied.conflicts;
            cursor = last;
            self.set_progress(Some(Progress {
                phase: Phase::Pull,
                done: (cursor - start) as u64,
                total: (head - start).max(0) as u64,
            }));
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(())
    }

    fn fetch(
        &self,
        account: Uuid,
        after: i64,
    ) -> tokio::task::JoinHandle<Result<PullResponse, SyncError>> {
        let client = self.client.clone();
        tokio::spawn(async move { client.pull(account, after, MAX_PULL_LIMIT).await })
    }

    /// Syncs until `shutdown` completes: at start, after every local command
    /// ([`EngineHandle::wake`]), whenever the live channel announces new events, and
    /// every 30 s; with exponential backoff and jitter while the server is away.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let live = tokio::spawn(self.clone().listen());
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(60));
        let _ = self.refresh_counts().await;
        loop {
            let wait = match self.sync_once().await {
                Ok(_) => {
                    backoff.reset();
                    Duration::from_secs(30)
                }
                Err(e) if e.is_transient() => {
                    tracing::debug!("sync failed, backing off: {e}");
                    // The server's own `Retry-After` is a floor, not a hint.
                    backoff.next().max(e.retry_after().unwrap_or_default())
                }
                Err(e) => {
                    tracing::warn!("sync failed: {e}");
                    Duration::from_secs(300)
                }
            };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        live.abort();
    }

    /// Follows the live channel and wakes the loop when the server's head moves
    /// past what we have. Reconnects with its own backoff.
    async fn listen(self) {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
        loop {
            if let Ok(account) = self.account().await
                && let Ok(mut heads) = self.client.live(account).await
            {
                backoff.reset();
                while let Some(Ok(head)) = heads.next().await {
                    let cursor = self.with_db(|d| d.read().sync_cursor()).await.unwrap_or(0);
                    if head > cursor {
                        self.wake.notify_one();
                    }
                }
            }
            tokio::time::sleep(backoff.next()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let first = b.next();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let mut last = first;
        for _ in 0..10 {
            last = b.next();
        }
        assert!(last >= Duration::from_secs(1) && last <= Duration::from_secs(2));
        b.reset();
        assert!(b.next() <= Duration::from_millis(100));
    }
}
