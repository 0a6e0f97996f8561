//! Fixtures: a data dir with two accounts and a token each, request helpers and
//! command builders.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use daybook_domain::*;
use daybook_protocol::{PullResponse, PushCommand, PushOutcome, PushRequest, PushResponse};
use daybook_server::{AppState, Config, PgOptions, PgStore, RateLimit, SqliteStore, Store, app};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

/// A store with accounts A (device "laptop") and B (device "other"), served through
/// the port (`AppState` holds it as `Arc<dyn Store>`).
pub struct Fixture {
    pub _dir: TempDir,
    pub state: AppState,
    pub account: Uuid,
    pub token: String,
    pub other_account: Uuid,
    pub other_token: String,
    /// The SQLite adapter itself, for the tests that look at its files.
    sqlite: Option<Arc<SqliteStore>>,
}

impl Fixture {
    /// The SQLite adapter's data directory (`None` on PostgreSQL).
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self.sqlite.as_deref().map(SqliteStore::data_dir)
    }

    /// The SQLite adapter (only [`fixture`]s have one).
    pub fn sqlite(&self) -> &SqliteStore {
        self.sqlite
            .as_deref()
            .expect("a SQLite fixture (`fixture()`), not a PostgreSQL one")
    }
}

/// The test PostgreSQL server's URL: `DAYBOOK_PG_URL`, or the throwaway cluster that
/// `scripts/pg.sh` starts (or reuses) under the build directory.
pub fn pg_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("DAYBOOK_PG_URL") {
            return url;
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg.sh");
        let out = std::process::Command::new("bash")
            .arg(&script)
            .arg("url")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
    .clone()
}

/// A state on the test PostgreSQL database (caches in `dir`).
pub async fn pg_state(dir: &TempDir, config: Config) -> AppState {
    let options = PgOptions {
        pool_size: 8,
        cache_root: dir.path().to_path_buf(),
    };
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&pg_url(), &options).await.unwrap());
    AppState::new(store, config)
}

/// [`fixture`] on PostgreSQL: two fresh accounts in the shared test database.
pub async fn pg_fixture() -> Fixture {
    pg_fixture_with(unlimited()).await
}

/// [`pg_fixture`] with these settings.
pub async fn pg_fixture_with(config: Config) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = pg_state(&dir, config).await;
    with_accounts(dir, state, None).await
}

/// Generates each named contract test (`async fn name(f: Fixture)`) twice: on the
/// SQLite adapter (`sqlite::name`) and on PostgreSQL (`postgres::name`).
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::fixture().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::pg_fixture().await).await
                }
            )*
        }
    };
}
pub(crate) use contract;

pub fn unlimited() -> Config {
    Config {
        rate_limit: RateLimit {
            per_second: 0.0,
            burst: 1,
        },
        ..Config::default()
    }
}

pub async fn fixture() -> Fixture {
    fixture_with(unlimited()).await
}

pub async fn fixture_with(config: Config) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let store: Arc<dyn Store> = sqlite.clone();
    let state = AppState::new(store, config);
    with_accounts(dir, state, Some(sqlite)).await
}

async fn with_accounts(dir: TempDir, state: AppState, sqlite: Option<Arc<SqliteStore>>) -> Fixture {
    let account = state.create_account("Acme").await.unwrap();
    let token = state.create_token(account, "laptop").await.unwrap().token;
    let other_account = state.create_account("Other Corp").await.unwrap();
    let other_token = state
        .create_token(other_account, "other")
        .await
        .unwrap()
        .token;
    Fixture {
        _dir: dir,
        state,
        account,
        token,
        other_account,
        other_token,
        sqlite,
    }
}

/// A response: status, headers, and the body as JSON (Null if empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.raw).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: {}",
                self.status,
                String::from_utf8_lossy(&self.raw)
            )
        })
    }

    /// Asserts a 4xx/5xx with an ErrorBody of this code.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "{}",
            String::from_utf8_lossy(&self.raw)
        );
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            self.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
}

pub async fn send(state: &AppState, req: Request<Body>) -> Reply {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let raw = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        raw,
    }
}

pub fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

pub fn post(
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::post(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(body.into()).unwrap()
}

pub fn commands_uri(account: Uuid) -> String {
    format!("/v1/accounts/{account}/commands")
}

pub fn events_uri(account: Uuid, after: i64, limit: usize) -> String {
    format!("/v1/accounts/{account}/events?after={after}&limit={limit}")
}

/// Pushes `commands` to A with A's token; expects 200.
pub async fn push(f: &Fixture, commands: Vec<PushCommand>) -> PushResponse {
    let r = push_raw(f, &PushRequest { commands }).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    r.json()
}

pub async fn push_raw(f: &Fixture, req: &PushRequest) -> Reply {
    send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(&f.token),
            Some("application/json"),
            serde_json::to_vec(req).unwrap(),
        ),
    )
    .await
}

/// Pulls A's whole log in pages of `page`.
pub async fn pull_all(f: &Fixture, page: usize) -> PullResponse {
    let mut after = 0;
    let mut all = Vec::new();
    loop {
        let r = send(
            &f.state,
            get(&events_uri(f.account, after, page), Some(&f.token)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let p: PullResponse = r.json();
        let Some(last) = p.events.last() else {
            return PullResponse {
                events: all,
                head: p.head,
            };
        };
        after = last.seq;
        all.extend(p.events);
    }
}

pub fn accepted(o: &PushOutcome) -> (Option<i64>, Option<i64>) {
    match o {
        PushOutcome::Accepted {
            first_seq,
            last_seq,
        } => (*first_seq, *last_seq),
        PushOutcome::Rejected { error } => panic!("rejected: {error:?}"),
    }
}

pub fn rejected(o: &PushOutcome) -> &str {
    match o {
        PushOutcome::Rejected { error } => error.code.as_str(),
        PushOutcome::Accepted { .. } => panic!("accepted, expected a rejection"),
    }
}

/// Hands out device sequences, like a device's outbox.
pub struct Outbox {
    pub seq: u64,
}

impl Outbox {
    pub fn new() -> Self {
        Outbox { seq: 0 }
    }

    pub fn cmd(&mut self, command: impl Into<Command>) -> PushCommand {
        self.seq += 1;
        PushCommand::new(self.seq, "ann".into(), CommandEnvelope::new(command.into()))
    }
}

/// Sample records with fresh ids ("Customer C-1", "Product BOLT"), as id and command:
/// the test kit's, under the names these tests use.
pub use daybook_testkit::sample::{
    customer as register_customer, line as add_line, order as create_order,
    product as register_product,
};
