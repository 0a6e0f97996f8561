//! Bad input gets a 4xx with an `ErrorBody`, never a 500, and the server keeps
//! serving; the rate limit answers 429 with `Retry-After`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use daybook_protocol::{Health, MAX_BODY_BYTES};
use daybook_server::{Config, RateLimit};
use serde_json::json;

use crate::support::*;

/// The server still answers health and a valid push.
async fn still_serving(f: &Fixture, code: &str) {
    let h: Health = send(&f.state, get("/healthz", None)).await.json();
    assert_eq!(h.status, "ok");
    let mut ob = Outbox::new();
    // After any sequence the tests used, within the step the server takes.
    ob.seq = 500_000 + pull_all(f, 1000).await.head as u64;
    let res = push(f, vec![ob.cmd(register_product(code, 1).1)]).await;
    accepted(&res.results[0].outcome);
}

#[tokio::test]
async fn malformed_bodies_get_4xx_error_bodies() {
    let f = fixture().await;
    let uri = commands_uri(f.account);
    let valid_cmd = serde_json::to_value(Outbox::new().cmd(register_product("V", 1).1)).unwrap();
    let mut unknown_in_command = valid_cmd.clone();
    unknown_in_command["envelope"]["command"]["colour"] = json!("red");
    let mut wrong_type = valid_cmd.clone();
    wrong_type["device_seq"] = json!("seven");
    let mut bad_command = valid_cmd.clone();
    bad_command["envelope"]["command"]["type"] = json!("DropDatabase");
    let mut bad_uuid = valid_cmd.clone();
    bad_uuid["envelope"]["command_id"] = json!("not-a-uuid");
    let mut negative_seq = valid_cmd.clone();
    negative_seq["device_seq"] = json!(-1);

    let cases: Vec<(String, StatusCode, &str)> = vec![
        (
            "{not json".into(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        ("".into(), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            "{\"commands\": [".into(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            json!({"commands": [], "account_id": "x"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"commands": [unknown_in_command]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"commands": [wrong_type]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"commands": [bad_uuid]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"commands": [negative_seq]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"commands": "all"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    // A command type the server does not know (a newer app's) is refused alone.
    let r = send(
        &f.state,
        post(
            &uri,
            Some(&f.token),
            Some("application/json"),
            json!({"commands": [bad_command]}).to_string(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["results"][0]["outcome"]["error"]["code"], "unknown_command",
        "{}",
        r.body
    );
    for (i, (body, status, code)) in cases.into_iter().enumerate() {
        let r = send(
            &f.state,
            post(&uri, Some(&f.token), Some("application/json"), body),
        )
        .await;
        assert!(
            r.status == status && r.code() == code,
            "case {i}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.raw)
        );
        r.assert_error(status, code);
    }
    // Deep nesting and odd shapes: some 4xx with an error body, never a 5xx.
    for body in [
        "[".repeat(100_000),
        "{\"commands\": ".to_string() + &"[".repeat(100_000),
        "[1, 2]".to_string(),
        "null".to_string(),
        "\"\\ud800\"".to_string(),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned(),
    ] {
        let r = send(
            &f.state,
            post(&uri, Some(&f.token), Some("application/json"), body),
        )
        .await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert!(!r.code().is_empty());
    }
    still_serving(&f, "AFTER-BAD-JSON").await;
    assert_eq!(
        pull_all(&f, 100).await.head,
        1,
        "only the valid push applied"
    );
}

#[tokio::test]
async fn the_wrong_content_type_gets_415() {
    let f = fixture().await;
    let body = serde_json::to_vec(&daybook_protocol::PushRequest {
        commands: vec![Outbox::new().cmd(register_product("A", 1).1)],
    })
    .unwrap();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let r = send(
            &f.state,
            post(&commands_uri(f.account), Some(&f.token), ct, body.clone()),
        )
        .await;
        r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    // A charset parameter is fine.
    let r = send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(&f.token),
            Some("application/json; charset=utf-8"),
            body,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let f = fixture().await;
    let mut body = b"{\"commands\": [".to_vec();
    body.resize(MAX_BODY_BYTES + 1, b' ');
    let r = send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(&f.token),
            Some("application/json"),
            body,
        ),
    )
    .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // Also without a Content-Length (a streamed body).
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..9).map(|_| Ok(vec![b' '; 1024 * 1024])).collect();
    let req = Request::post(commands_uri(f.account))
        .header(header::AUTHORIZATION, format!("Bearer {}", f.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    send(&f.state, req)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    still_serving(&f, "AFTER-BIG").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_get_error_bodies() {
    let f = fixture().await;
    send(&f.state, get("/nope", None))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(&f.state, get("/v1/accounts", Some(&f.token)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(&f.state, get(&commands_uri(f.account), Some(&f.token)))
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let r = send(
        &f.state,
        post("/healthz", None, Some("application/json"), "{}"),
    )
    .await;
    r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn health_and_readiness() {
    let f = fixture().await;
    for uri in ["/healthz", "/readyz"] {
        let r = send(&f.state, get(uri, None)).await;
        assert_eq!(r.status, StatusCode::OK);
        let h: Health = r.json();
        assert_eq!(h.status, "ok");
        assert_eq!(h.version, env!("CARGO_PKG_VERSION"));
        assert!(r.headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let f = fixture_with(Config {
        rate_limit: RateLimit {
            per_second: 0.5,
            burst: 3,
        },
        ..Config::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            send(&f.state, get("/v1/me", Some(&f.token))).await.status,
            StatusCode::OK
        );
    }
    let r = send(&f.state, get("/v1/me", Some(&f.token))).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    // Limits are per token: B's device is not slowed down by A's.
    assert_eq!(
        send(&f.state, get("/v1/me", Some(&f.other_token)))
            .await
            .status,
        StatusCode::OK
    );
    // Health is not limited.
    assert_eq!(
        send(&f.state, get("/healthz", None)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_request_id_is_kept_or_made() {
    let f = fixture().await;
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    let r = send(&f.state, req).await;
    assert_eq!(r.headers["x-request-id"], "abc-123");
}
