//! The Daybook sync server: accounts (tenants) with device tokens, and per account an
//! authoritative event store that devices push commands to and pull events from.
//!
//! Two adapters of the same store port ([`AppState`]'s async methods):
//! - SQLite (the default, one instance): `registry` (`server.sqlite3`, accounts and
//!   devices, tokens stored hashed) and `accounts` (one database per account, one
//!   writer each, read-only readers);
//! - PostgreSQL (`pg`, any number of stateless instances on one database, live heads
//!   fanned out with LISTEN/NOTIFY).
//!
//! - `sync`: push (one transaction per batch, idempotent) and pull (gap-free pages).
//! - `routes`: the HTTP edge (axum), `error`: the one error answer, `rate`: limits.
//!
//! [`app`] builds the router (tests drive it with `tower::ServiceExt::oneshot`);
//! [`serve`] runs it on a listener with graceful shutdown.

pub mod accounts;
pub mod error;
pub mod pg;
mod pool;
pub mod rate;
pub mod registry;
pub mod routes;
pub mod sync;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use uuid::Uuid;

pub use accounts::AccountDb;
pub use error::{ApiError, ServerError};
pub use pg::{PgBackend, PgOptions};
pub use rate::RateLimit;
pub use registry::{Account, Device, NewToken, Registry};
pub use sync::PushCounts;

use daybook_protocol::{PullResponse, PushRequest, PushResult};
use tokio::sync::broadcast;

use accounts::Accounts;
use rate::RateLimiter;

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Per-token request rate.
    pub rate_limit: RateLimit,
    /// How often the live channel sends a keep-alive comment.
    pub keep_alive: Duration,
    /// How long a client may take to send a request's headers
    /// ([`HEADER_READ_TIMEOUT`]); enforced by [`serve`].
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body
    /// ([`routes::BODY_READ_TIMEOUT`]); then 408 `request_timeout`.
    pub body_read_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limit: RateLimit::default(),
            keep_alive: routes::KEEP_ALIVE,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: routes::BODY_READ_TIMEOUT,
        }
    }
}

/// Where the server keeps its data: the store port's two adapters.
enum Backend {
    /// A data directory: the registry and one SQLite database per account.
    Sqlite {
        data_dir: PathBuf,
        registry: Registry,
        accounts: Accounts,
    },
    /// One PostgreSQL database shared by every instance.
    Postgres(PgBackend),
}

struct Inner {
    backend: Backend,
    limiter: RateLimiter,
    config: Config,
    shutdown: watch::Sender<bool>,
}

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Opens (creating if needed) the data directory `data_dir`: the registry now,
    /// account databases on first use.
    pub fn open(data_dir: &Path, config: Config) -> Result<Self, ServerError> {
        let registry = Registry::open(data_dir)?;
        Ok(Self::with_backend(
            Backend::Sqlite {
                data_dir: data_dir.to_path_buf(),
                registry,
                accounts: Accounts::new(data_dir),
            },
            config,
        ))
    }

    /// Connects to a PostgreSQL database (`postgres://...`), migrating it if needed.
    /// Any number of instances may share it.
    pub async fn open_postgres(
        url: &str,
        options: &PgOptions,
        config: Config,
    ) -> Result<Self, ServerError> {
        let pg = PgBackend::connect(url, options).await?;
        Ok(Self::with_backend(Backend::Postgres(pg), config))
    }

    fn with_backend(backend: Backend, config: Config) -> Self {
        let (shutdown, _) = watch::channel(false);
        AppState {
            inner: Arc::new(Inner {
                backend,
                limiter: RateLimiter::new(config.rate_limit),
                config,
                shutdown,
            }),
        }
    }

    /// The SQLite adapter's data directory (None on PostgreSQL).
    pub fn data_dir(&self) -> Option<&Path> {
        match &self.inner.backend {
            Backend::Sqlite { data_dir, .. } => Some(data_dir),
            Backend::Postgres(_) => None,
        }
    }

    /// Where the data is, for logs: a directory, or "postgresql".
    pub fn describe(&self) -> String {
        match &self.inner.backend {
            Backend::Sqlite { data_dir, .. } => data_dir.display().to_string(),
            Backend::Postgres(_) => "postgresql".into(),
        }
    }

    /// Creates an account (its database first, then its registry row); returns its id.
    pub async fn create_account(&self, name: &str) -> Result<Uuid, ServerError> {
        registry::check_name("account name", name).map_err(ServerError::Invalid)?;
        let id = Uuid::now_v7();
        match &self.inner.backend {
            Backend::Sqlite { data_dir, .. } => {
                let (dir, name) = (data_dir.clone(), name.to_string());
                self.on_registry(move |r| {
                    accounts::create_account_db(&dir, id)?;
                    r.create_account(id, &name)
                })
                .await?;
            }
            Backend::Postgres(pg) => pg.create_account(id, name).await?,
        }
        Ok(id)
    }

    /// Every account.
    pub async fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => self.on_registry(move |r| r.accounts()).await,
            Backend::Postgres(pg) => pg.accounts().await,
        }
    }

    /// Creates a device of `account` and returns its token.
    pub async fn create_token(&self, account: Uuid, device: &str) -> Result<NewToken, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => {
                let device = device.to_string();
                self.on_registry(move |r| r.create_device(account, &device))
                    .await
            }
            Backend::Postgres(pg) => pg.create_device(account, device).await,
        }
    }

    /// Revokes a device's token; false if no such unrevoked device exists.
    pub async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => self.on_registry(move |r| r.revoke_device(device)).await,
            Backend::Postgres(pg) => pg.revoke_device(device).await,
        }
    }

    /// The device a token belongs to, unless it is unknown or revoked.
    pub async fn authenticate(&self, token: String) -> Result<Option<Device>, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => self.on_registry(move |r| r.authenticate(&token)).await,
            Backend::Postgres(pg) => pg.authenticate(&token).await,
        }
    }

    /// Whether the device exists and its token is not revoked (live streams re-check
    /// this, so a revoked token's open stream ends).
    pub async fn device_active(&self, device: Uuid) -> Result<bool, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => self.on_registry(move |r| r.is_active(device)).await,
            Backend::Postgres(pg) => pg.device_active(device).await,
        }
    }

    /// Readiness: the registry database answers.
    pub async fn ping(&self) -> Result<(), ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => self.on_registry(move |r| r.ping()).await,
            Backend::Postgres(pg) => pg.ping().await,
        }
    }

    /// Applies a validated push of `device` to its account; returns the results in
    /// order, the counts and the head after commit.
    pub async fn push(
        &self,
        device: Device,
        req: PushRequest,
    ) -> Result<(Vec<PushResult>, PushCounts, i64), ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => {
                let db = self.account(device.account_id).await?;
                run_blocking(move || sync::push(&db, &device, &req)).await
            }
            Backend::Postgres(pg) => pg.push(device, req).await,
        }
    }

    /// Up to `limit` events of `account` after `after`, with the head.
    pub async fn pull(
        &self,
        account: Uuid,
        after: i64,
        limit: usize,
    ) -> Result<PullResponse, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => {
                let db = self.account(account).await?;
                run_blocking(move || sync::pull(&db, after, limit)).await
            }
            Backend::Postgres(pg) => pg.pull(account, after, limit).await,
        }
    }

    /// A receiver of the account's future heads and, read after subscribing (so no
    /// move in between is missed), its current head.
    pub async fn watch_heads(
        &self,
        account: Uuid,
    ) -> Result<(broadcast::Receiver<i64>, i64), ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => {
                let db = self.account(account).await?;
                let rx = db.subscribe();
                Ok((rx, db.head()))
            }
            Backend::Postgres(pg) => {
                let rx = pg.subscribe(account);
                Ok((rx, pg.head(account).await?))
            }
        }
    }

    /// The account's current head.
    pub async fn head(&self, account: Uuid) -> Result<i64, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { .. } => Ok(self.account(account).await?.head()),
            Backend::Postgres(pg) => pg.head(account).await,
        }
    }

    /// Runs `f` on the SQLite adapter's registry, on a blocking thread.
    async fn on_registry<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Registry) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let st = self.clone();
        run_blocking(move || f(st.registry()?)).await
    }

    /// The registry of the SQLite adapter.
    fn registry(&self) -> Result<&Registry, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { registry, .. } => Ok(registry),
            Backend::Postgres(_) => Err(ServerError::Invalid(
                "the registry file belongs to the SQLite adapter".into(),
            )),
        }
    }

    /// An account's open database (SQLite adapter only).
    pub async fn account(&self, id: Uuid) -> Result<Arc<AccountDb>, ServerError> {
        match &self.inner.backend {
            Backend::Sqlite { accounts, .. } => accounts.get(id).await,
            Backend::Postgres(_) => Err(ServerError::Invalid(
                "account database files belong to the SQLite adapter".into(),
            )),
        }
    }

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    pub(crate) fn keep_alive(&self) -> Duration {
        self.inner.config.keep_alive
    }

    pub(crate) fn body_read_timeout(&self) -> Duration {
        self.inner.config.body_read_timeout
    }

    pub(crate) fn shutdown_receiver(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Ends the live streams so a graceful shutdown is not held up by them.
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }
}

/// The router with every endpoint of `daybook_protocol` and the cross-cutting layers:
/// request ids (`x-request-id`, kept from the client or made), a tracing span per
/// request (method, path, id, account, device), a body limit of `MAX_BODY_BYTES`,
/// and panics turned into a 500 `ErrorBody` (the server keeps serving).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/v1/me", get(routes::me))
        .route("/v1/accounts/{account}/commands", post(routes::push))
        .route("/v1/accounts/{account}/events", get(routes::pull))
        .route("/v1/accounts/{account}/live", get(routes::live))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(daybook_protocol::MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(
            |panic: Box<dyn std::any::Any + Send>| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %what, "handler panicked");
                ApiError::internal().into_response()
            },
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        id,
                        method = %req.method(),
                        path = %req.uri().path(),
                        account = tracing::field::Empty,
                        device = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// How long a client may take to send a request's headers (from the connection's
/// start, or from the first byte of a later request on it). A client that dribbles its
/// headers (slowloris) is cut off then, and holds nothing but its own connection.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app(state)` on `listener` until `shutdown` completes; then stops accepting,
/// ends the live streams and lets in-flight requests finish.
///
/// Each connection is served by hyper's HTTP/1 with a timer, so the header read
/// timeout ([`Config::header_read_timeout`]) holds (`axum::serve` sets no timer, which
/// leaves hyper's header timeout inert); a slow body is bounded by
/// [`Config::body_read_timeout`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let router = app(state.clone());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.inner.config.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let conn = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    state.begin_shutdown();
    graceful.shutdown().await;
    Ok(())
}

/// Runs blocking work (SQLite) on a blocking thread.
async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
