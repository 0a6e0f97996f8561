//! The Daybook sync server: accounts (tenants) with device tokens, and per account an
//! authoritative event store that devices push commands to and pull events from.
//!
//! - `store`: the store port, [`Store`], which every route goes through; its two
//!   adapters are `sqlite` ([`SqliteStore`], the default, one instance: a data
//!   directory) and `pg` ([`PgStore`], any number of stateless instances on one
//!   PostgreSQL database, live heads fanned out with LISTEN/NOTIFY).
//! - `sync`: the push logic both adapters share (validation, deciding each command,
//!   the ledger of outcomes).
//! - `routes`: the HTTP edge (axum), `error`: the one error answer, `rate`: limits,
//!   `openapi`: the API description, generated from the wire types and the handlers.
//!
//! [`app`] builds the router (tests drive it with `tower::ServiceExt::oneshot`);
//! [`serve`] runs it on a listener with graceful shutdown.

pub mod error;
pub mod json;
pub mod limits;
pub mod openapi;
pub mod people;
pub mod pg;
pub mod rate;
pub mod routes;
pub mod sessions;
pub mod sqlite;
pub mod store;
pub mod sync;
pub mod wire;

/// The SQLite adapter's account files, at the path the bench's setup uses.
pub use sqlite::accounts;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use daybook_domain::Role;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use uuid::Uuid;

pub use error::{ApiError, ServerError};
pub use limits::Limits;
pub use people::{DeviceRow, Person, User, UserChange};
pub use pg::{PgOptions, PgStore};
pub use rate::RateLimit;
pub use sqlite::SqliteStore;
pub use store::{Account, Device, NewSession, NewToken, Pushed, Store};
pub use sync::PushCounts;

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
    /// What one token, one address and the server may hold at once.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limit: RateLimit::default(),
            keep_alive: routes::KEEP_ALIVE,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: routes::BODY_READ_TIMEOUT,
            limits: Limits::default(),
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    limiter: RateLimiter,
    sign_ins: people::SignInLimiter,
    /// When each device's last request was noted (`Store::seen`), to note it at most
    /// once per [`SEEN_EVERY`].
    seen: std::sync::Mutex<std::collections::HashMap<Uuid, std::time::Instant>>,
    tracker: limits::Tracker,
    revocations: std::sync::OnceLock<watch::Receiver<i64>>,
    config: Config,
    shutdown: watch::Sender<bool>,
}

/// Everything a request needs: the store (behind the port, whichever adapter), the
/// rate limiter, the settings and the shutdown signal. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// A state over `store`, whichever adapter it is.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let (shutdown, _) = watch::channel(false);
        AppState {
            inner: Arc::new(Inner {
                store,
                limiter: RateLimiter::new(config.rate_limit),
                sign_ins: people::SignInLimiter::default(),
                seen: std::sync::Mutex::default(),
                tracker: limits::Tracker::new(config.limits.clone()),
                revocations: std::sync::OnceLock::new(),
                config,
                shutdown,
            }),
        }
    }

    /// On the SQLite adapter: opens (creating if needed) the data directory
    /// `data_dir`, the registry now, account databases on first use.
    pub fn open(data_dir: &Path, config: Config) -> Result<Self, ServerError> {
        Ok(Self::new(Arc::new(SqliteStore::open(data_dir)?), config))
    }

    /// On the PostgreSQL adapter: connects to `url` (`postgres://...`), migrating the
    /// database if needed. Any number of instances may share it.
    pub async fn open_postgres(
        url: &str,
        options: &PgOptions,
        config: Config,
    ) -> Result<Self, ServerError> {
        Ok(Self::new(
            Arc::new(PgStore::connect(url, options).await?),
            config,
        ))
    }

    /// The store port: the routes' only way to the data.
    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// Where the data is, for logs: a directory, or "postgresql".
    pub fn describe(&self) -> String {
        self.inner.store.describe()
    }

    /// Creates an account; returns its id. (This and the next three are the admin
    /// operations of the CLI, the bench and test setup: [`Store`]'s, by name.)
    pub async fn create_account(&self, name: &str) -> Result<Uuid, ServerError> {
        self.inner.store.create_account(name).await
    }

    /// Every account, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>, ServerError> {
        self.inner.store.accounts().await
    }

    /// Creates a service device of `account` acting as an admin (as every device did
    /// before roles) and returns its token.
    pub async fn create_token(&self, account: Uuid, device: &str) -> Result<NewToken, ServerError> {
        self.inner
            .store
            .create_token(account, device, Role::Admin)
            .await
    }

    /// Creates a service device of `account` acting with `role`; returns its token.
    pub async fn create_service_token(
        &self,
        account: Uuid,
        device: &str,
        role: Role,
    ) -> Result<NewToken, ServerError> {
        self.inner.store.create_token(account, device, role).await
    }

    /// Adds a person to `account` with this password (checked, then kept only as its
    /// Argon2id hash); returns their id.
    pub async fn create_user(
        &self,
        account: Uuid,
        login: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Uuid, ServerError> {
        let user = people::NewUser {
            login: people::check_login(login).map_err(ServerError::Invalid)?,
            name: name.to_string(),
            role,
            password_hash: hash_blocking(password).await?,
        };
        self.inner.store.create_user(account, &user).await
    }

    /// The account's users, by login.
    pub async fn users(&self, account: Uuid) -> Result<Vec<User>, ServerError> {
        self.inner.store.users(account).await
    }

    /// Enables, disables or changes the role of the user with this login; false if
    /// there is none. Use [`AppState::reset_password`] for a password.
    pub async fn change_user(&self, login: &str, change: UserChange) -> Result<bool, ServerError> {
        self.inner.store.change_user(login, &change).await
    }

    /// Gives the user a new password (checked, hashed); their sessions end. False if
    /// no user has this login.
    pub async fn reset_password(&self, login: &str, password: &str) -> Result<bool, ServerError> {
        let hash = hash_blocking(password).await?;
        self.inner
            .store
            .change_user(login, &UserChange::Password(hash))
            .await
    }

    /// The account's devices, oldest first, with the person signed in on each.
    pub async fn devices(&self, account: Uuid) -> Result<Vec<DeviceRow>, ServerError> {
        self.inner.store.devices(account).await
    }

    pub(crate) fn sign_ins(&self) -> &people::SignInLimiter {
        &self.inner.sign_ins
    }

    /// Notes `device`'s request (at most once per [`SEEN_EVERY`]; a failure is logged,
    /// never the request's).
    pub(crate) async fn seen(&self, device: Uuid, app_version: Option<&str>) {
        let now = std::time::Instant::now();
        {
            let mut seen = self.inner.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen
                .get(&device)
                .is_some_and(|t| now.duration_since(*t) < SEEN_EVERY)
            {
                return;
            }
            seen.insert(device, now);
        }
        if let Err(e) = self.inner.store.seen(device, app_version).await {
            tracing::warn!(error = %e, "could not note the device's request");
        }
    }

    /// Revokes a device's token; false if no such unrevoked device exists.
    pub async fn revoke_device(&self, device: Uuid) -> Result<bool, ServerError> {
        self.inner.store.revoke_device(device).await
    }

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    pub(crate) fn tracker(&self) -> &limits::Tracker {
        &self.inner.tracker
    }

    /// The store's revocation count ([`Store::revocations`]), polled every
    /// [`REVOCATION_POLL`] while anyone watches it, so an open live stream of a revoked
    /// token ends within about that long, not at its next keep-alive. One poll for all
    /// streams; started on first use (from async code).
    pub(crate) fn revocations(&self) -> watch::Receiver<i64> {
        self.inner
            .revocations
            .get_or_init(|| {
                let (tx, rx) = watch::channel(0);
                let store = Arc::downgrade(&self.inner.store);
                tokio::spawn(async move {
                    let mut last = None;
                    // Ends once the state is gone (its receiver with it) or the store is.
                    while !tx.is_closed() {
                        let Some(store) = store.upgrade() else { return };
                        // One receiver is the state's own: poll only for live streams.
                        if tx.receiver_count() > 1
                            && let Ok(n) = store.revocations().await
                            && last != Some(n)
                        {
                            last = Some(n);
                            tx.send_replace(n);
                        }
                        drop(store);
                        tokio::time::sleep(REVOCATION_POLL).await;
                    }
                });
                rx
            })
            .clone()
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
        .route("/v1/sessions", post(sessions::sign_in))
        .route("/v1/sessions/current", delete(sessions::sign_out))
        .route("/v1/accounts/{account}/commands", post(routes::push))
        .route("/v1/accounts/{account}/events", get(routes::pull))
        .route("/v1/accounts/{account}/live", get(routes::live))
        .route("/v1/accounts/{account}/people", get(routes::people))
        .route(
            "/v1/accounts/{account}/devices/current/waiting",
            put(routes::report_waiting),
        )
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

/// How long a client may take to send a request's headers, counted from the moment the
/// connection is ready for one (when it opens, and again after each answer). A client
/// that dribbles its headers (slowloris), or sends nothing at all, is cut off then, so
/// an idle or unauthenticated connection holds its descriptor only this long.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a device's last request is written down (`Store::seen`).
pub const SEEN_EVERY: Duration = Duration::from_secs(60);

/// Hashes a new password (checked first) off the async threads: Argon2id takes tens of
/// milliseconds on purpose.
async fn hash_blocking(password: &str) -> Result<String, ServerError> {
    people::check_password(password).map_err(ServerError::Invalid)?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || people::hash_password(&password))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}

/// The client's address, put on each request by [`serve`] (absent under other
/// servers and in tests that drive the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// How often the revocations are polled while live streams are open.
pub const REVOCATION_POLL: Duration = Duration::from_millis(500);

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
        let Some(slot) = state.tracker().connection(peer.ip()) else {
            // Over the address's share or the total: answered (if the socket takes it
            // at once) and closed, holding nothing.
            let _ = stream.try_write(&OVER_CAPACITY);
            tracing::debug!(%peer, "connection refused: over the connection limits");
            continue;
        };
        let conn = http.serve_connection(
            // hyper's own error answers get the `ErrorBody` shape (`crate::wire`).
            TokioIo::new(wire::Framed::new(stream)),
            TowerToHyperService::new(router.clone().map_request(
                move |mut req: Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ClientAddr(peer.ip()));
                    req
                },
            )),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    state.begin_shutdown();
    graceful.shutdown().await;
    Ok(())
}

/// The answer to a connection over the connection limits, written without reading
/// the request (then the connection is closed): a 503 with its `ErrorBody`.
static OVER_CAPACITY: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let body =
        ApiError::unavailable("too many connections from this address; try again shortly").body;
    let json = serde_json::to_string(&body).unwrap_or_default();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{json}",
        json.len()
    )
    .into_bytes()
});

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
