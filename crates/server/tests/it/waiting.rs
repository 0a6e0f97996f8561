//! A device's report of its unsynced work per person, on both adapters: kept per
//! device (replacing the last), folded by user, listed for the admin, refused whole
//! when malformed, and only for the caller's own account.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use daybook_domain::Role;
use daybook_protocol::SignInResponse;
use serde_json::json;

use crate::people::{PASSWORD, add, credentials, sign_in_request};
use crate::support::*;

fn report(account: uuid::Uuid, token: Option<&str>, body: serde_json::Value) -> Request<Body> {
    let mut b = Request::put(format!("/v1/accounts/{account}/devices/current/waiting"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

async fn a_devices_unsynced_work_per_person_is_kept_for_the_admins_list(f: Fixture) {
    let anna = add(&f, "Anna", Role::Clerk).await;
    let bob = add(&f, "Bob", Role::Clerk).await;
    let s: SignInResponse = send(
        &f.state,
        sign_in_request(&credentials(&bob, PASSWORD), None),
    )
    .await
    .json();
    let device = s.device.device_id;
    let waiting = |f: &Fixture| {
        let state = f.state.clone();
        let account = f.account;
        async move {
            state
                .devices(account)
                .await
                .unwrap()
                .into_iter()
                .find(|d| d.id == device)
                .unwrap()
                .waiting
                .into_iter()
                .map(|w| (w.user, w.commands))
                .collect::<Vec<_>>()
        }
    };
    assert!(waiting(&f).await.is_empty());

    // Anna's work waits on Bob's device; a user named twice counts once, summed.
    let r = send(
        &f.state,
        report(
            f.account,
            Some(&s.session_token),
            json!({"people": [{"user": anna, "commands": 2}, {"user": bob, "commands": 1}, {"user": anna, "commands": 1}]}),
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let mut expected = vec![(anna.clone(), 3), (bob.clone(), 1)];
    expected.sort();
    assert_eq!(waiting(&f).await, expected);

    // Malformed reports change nothing.
    for (bad, code) in [
        (
            json!({"people": [{"user": anna, "commands": 0}]}),
            "invalid_input",
        ),
        (
            json!({"people": [{"user": "  ", "commands": 1}]}),
            "invalid_input",
        ),
        (
            json!({"people": [{"user": anna, "commands": 1, "extra": true}]}),
            "invalid_body",
        ),
        (
            json!({"people": [{"user": anna, "commands": -1}]}),
            "invalid_body",
        ),
        // Objects written as arrays: serde would take them, the document does not.
        (json!([[]]), "invalid_body"),
        (json!({"people": [[anna, 1]]}), "invalid_body"),
    ] {
        send(&f.state, report(f.account, Some(&s.session_token), bad))
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let too_many: Vec<_> = (0..101)
        .map(|i| json!({"user": format!("user{i}"), "commands": 1}))
        .collect();
    let r = send(
        &f.state,
        report(
            f.account,
            Some(&s.session_token),
            json!({ "people": too_many }),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(waiting(&f).await, expected);

    // Another account's path: the same 404 as an unknown one; no token: 401.
    send(
        &f.state,
        report(
            f.other_account,
            Some(&s.session_token),
            json!({"people": []}),
        ),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(&f.state, report(f.account, None, json!({"people": []})))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // Everything went: the next report empties the list.
    let r = send(
        &f.state,
        report(f.account, Some(&s.session_token), json!({"people": []})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(waiting(&f).await.is_empty());
}

contract!(a_devices_unsynced_work_per_person_is_kept_for_the_admins_list);
