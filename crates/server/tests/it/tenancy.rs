//! Tokens and tenants: 401 without a valid token; a token of account A gets the same
//! 404 for B's account as for an account that does not exist, on every endpoint, and
//! B is untouched.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use daybook_protocol::{DeviceInfo, PushRequest};
use uuid::Uuid;

use crate::support::*;

/// Every account-scoped endpoint, for `account`.
fn requests(account: &str, token: Option<&str>) -> Vec<Request<Body>> {
    let mut ob = Outbox::new();
    let body = serde_json::to_vec(&PushRequest {
        commands: vec![ob.cmd(register_product("X", 1).1)],
    })
    .unwrap();
    vec![
        post(
            &format!("/v1/accounts/{account}/commands"),
            token,
            Some("application/json"),
            body,
        ),
        // A bad body too: the account check comes first.
        post(
            &format!("/v1/accounts/{account}/commands"),
            token,
            Some("application/json"),
            "{not json",
        ),
        get(&format!("/v1/accounts/{account}/events?after=0"), token),
        get(&format!("/v1/accounts/{account}/events?limit=0"), token),
        get(&format!("/v1/accounts/{account}/live"), token),
    ]
}

async fn another_tenants_account_looks_like_no_account_at_all(f: Fixture) {
    // B has data.
    let b = f.other_account;
    let mut ob = Outbox::new();
    let r = send(
        &f.state,
        post(
            &commands_uri(b),
            Some(&f.other_token),
            Some("application/json"),
            serde_json::to_vec(&PushRequest {
                commands: vec![ob.cmd(register_product("B-ONLY", 1).1)],
            })
            .unwrap(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);

    let missing = Uuid::now_v7().to_string();
    let mut answers = Vec::new();
    for account in [b.to_string(), missing, "not-a-uuid".to_string()] {
        for req in requests(&account, Some(&f.token)) {
            let uri = req.uri().to_string();
            let r = send(&f.state, req).await;
            r.assert_error(StatusCode::NOT_FOUND, "not_found");
            assert!(
                !String::from_utf8_lossy(&r.raw).contains(&b.to_string()),
                "{uri}"
            );
            answers.push(r.raw);
        }
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the same answer for B, an unknown account and garbage"
    );

    // B still has exactly its one event, and A has none.
    let page: daybook_protocol::PullResponse =
        send(&f.state, get(&events_uri(b, 0, 100), Some(&f.other_token)))
            .await
            .json();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.head, 1);
    assert_eq!(pull_all(&f, 100).await.head, 0);
}

async fn no_valid_token_gets_401_everywhere(f: Fixture) {
    let revoked = f.state.create_token(f.account, "stolen").await.unwrap();
    assert!(f.state.revoke_device(revoked.device_id).await.unwrap());
    let account = f.account.to_string();
    let garbage = "dbk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string();
    let cases: Vec<Option<&str>> = vec![
        None,
        Some(""),
        Some("garbage"),
        Some(&garbage),
        Some(&revoked.token),
    ];
    for token in cases {
        let mut reqs = requests(&account, token);
        reqs.push(get("/v1/me", token));
        for req in reqs {
            let uri = req.uri().to_string();
            let r = send(&f.state, req).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri} {token:?}");
            r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
            assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
        }
    }
    // Other schemes are not bearer tokens.
    let req = Request::get("/v1/me")
        .header(header::AUTHORIZATION, format!("Basic {}", f.token))
        .body(Body::empty())
        .unwrap();
    send(&f.state, req)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // The scheme is case-insensitive.
    let req = Request::get("/v1/me")
        .header(header::AUTHORIZATION, format!("bearer {}", f.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.state, req).await.status, StatusCode::OK);
}

async fn me_tells_the_device_and_its_code(f: Fixture) {
    let me: DeviceInfo = send(&f.state, get("/v1/me", Some(&f.token))).await.json();
    assert_eq!(me.account_id, f.account);
    assert_eq!(me.account_name, "Acme");
    assert_eq!(me.device_name, "laptop");
    assert_eq!(me.device_code, "D1");

    let second = f.state.create_token(f.account, "desktop").await.unwrap();
    assert_eq!(second.device_code, "D2");
    assert!(second.token.starts_with("dbk_"));
    assert_eq!(second.token.len(), 4 + 43);
    let me2: DeviceInfo = send(&f.state, get("/v1/me", Some(&second.token)))
        .await
        .json();
    assert_eq!(me2.device_id, second.device_id);
    assert_eq!(me2.device_code, "D2");
    // Codes are per account: B's first device is D1 too.
    let other: DeviceInfo = send(&f.state, get("/v1/me", Some(&f.other_token)))
        .await
        .json();
    assert_eq!(other.device_code, "D1");
    assert_eq!(other.account_id, f.other_account);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let f = fixture().await;
    let path = f
        .sqlite()
        .data_dir()
        .join(daybook_server::sqlite::registry::REGISTRY_FILE);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn.prepare("SELECT token_hash FROM devices").unwrap();
    let hashes: Vec<Vec<u8>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|h| h.len() == 32));
    assert!(hashes.contains(&daybook_server::store::token_hash(&f.token).to_vec()));
    let needle = f.token.as_bytes();
    for file in [path.clone(), path.with_extension("sqlite3-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}

contract!(
    another_tenants_account_looks_like_no_account_at_all,
    no_valid_token_gets_401_everywhere,
    me_tells_the_device_and_its_code
);
