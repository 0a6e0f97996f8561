//! The push endpoint end to end: any bytes POSTed as the body of
//! `/v1/accounts/{account}/commands` through the real router (`daybook_server::app`:
//! extractors, body limit, JSON rejection mapping, validation, then the push on a real
//! SQLite account database). The answer is never a 5xx, and is either a
//! `PushResponse` (200) or an `ErrorBody`.
//!
//! The server's state lives for the whole run (one account, in a fresh directory under
//! the system temp dir), so what an input does can depend on the inputs before it: a
//! crash found here is replayed with its neighbours if it does not reproduce alone.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use daybook_protocol::{ErrorBody, PushResponse};
use daybook_server::{AppState, Config, RateLimit, app};
use http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Server {
    rt: tokio::runtime::Runtime,
    state: AppState,
    uri: String,
    auth: String,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("daybook-fuzz-push-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let config = Config {
            rate_limit: RateLimit {
                per_second: 0.0,
                burst: 1,
            },
            ..Config::default()
        };
        let state = AppState::open(&dir, config).expect("data dir");
        let (account, token) = rt.block_on(async {
            let account = state.create_account("Fuzz").await.expect("account");
            let token = state.create_token(account, "fuzzer").await.expect("token");
            (account, token.token)
        });
        Server {
            rt,
            state,
            uri: format!("/v1/accounts/{account}/commands"),
            auth: format!("Bearer {token}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = server();
    let req = Request::post(&s.uri)
        .header("authorization", &s.auth)
        .header("content-type", "application/json")
        .body(Body::from(data.to_vec()))
        .expect("request");
    let (status, body) = s.rt.block_on(async {
        let res = app(s.state.clone()).oneshot(req).await.expect("infallible");
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, body)
    });
    assert!(
        !status.is_server_error(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    if status.is_success() {
        let res: PushResponse = serde_json::from_slice(&body).expect("a PushResponse");
        assert!(!res.results.is_empty());
    } else {
        assert!(status.is_client_error(), "{status}");
        let e: ErrorBody = serde_json::from_slice(&body).expect("an ErrorBody");
        assert!(e.code != daybook_protocol::ErrorCode::Unknown && !e.message.is_empty());
    }
});
