//! Requests refused below the router (by the HTTP layer, before a handler sees
//! them) answer with the same `ErrorBody` as everything else, from the real binary.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::real::*;

/// Sends `request` on a fresh connection and reads the whole answer.
async fn raw(server: &RealServer, request: &[u8]) -> String {
    let mut s = server.connect_from([127, 0, 0, 1]).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn error_body(answer: &str, status: &str) -> Value {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status}")),
        "{answer:?}"
    );
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{answer:?}"
    );
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_layers_refusals_have_the_error_body_shape() {
    let (dir, _) = data_with(1).await;
    let server = start(dir, None, &[]);
    // A request line that is not HTTP.
    let answer = raw(&server, b"\x16\x03\x01 HELLO\r\n\r\n").await;
    let body = error_body(&answer, "400");
    assert_eq!(body["code"], "bad_request", "{answer}");
    // Headers too many to read.
    let mut big = b"GET /healthz HTTP/1.1\r\nhost: x\r\n".to_vec();
    for i in 0..500 {
        big.extend(format!("x-filler-{i}: {}\r\n", "y".repeat(40)).as_bytes());
    }
    big.extend(b"\r\n");
    let answer = raw(&server, &big).await;
    let body = error_body(&answer, "431");
    assert_eq!(body["code"], "bad_request", "{answer}");
    assert!(
        body["message"].as_str().unwrap().contains("headers"),
        "{answer}"
    );
    // The router's own answers are untouched.
    let answer = raw(
        &server,
        b"GET /nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(error_body(&answer, "404")["code"], "not_found");
}
