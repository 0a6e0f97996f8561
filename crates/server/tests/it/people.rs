//! People on the server, on both adapters: sign-in with a password (Argon2id hashes
//! only), the session token speaking for the person with their current role, forged
//! users refused, disabled people and reset passwords ending sessions at once,
//! throttled sign-in, a store signing in again as the same device, and the admin's
//! view of devices.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use daybook_domain::{CommandEnvelope, Role};
use daybook_protocol::{
    DeviceInfo, PeopleResponse, PushCommand, PushRequest, PushResponse, SignInRequest,
    SignInResponse,
};
use daybook_server::{ClientAddr, UserChange};
use uuid::Uuid;

use crate::support::*;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A login no other test (nor an earlier run on the shared PostgreSQL database) has.
pub(crate) fn fresh_login(who: &str) -> String {
    format!(
        "{}-{}@example.com",
        who.to_lowercase(),
        Uuid::now_v7().simple()
    )
}

pub(crate) async fn add(f: &Fixture, who: &str, role: Role) -> String {
    let login = fresh_login(who);
    f.state
        .create_user(f.account, &login, &format!("{who} Example"), role, PASSWORD)
        .await
        .unwrap();
    login
}

pub(crate) fn sign_in_request(body: &SignInRequest, from: Option<IpAddr>) -> Request<Body> {
    let mut req = post(
        "/v1/sessions",
        None,
        Some("application/json"),
        serde_json::to_vec(body).unwrap(),
    );
    if let Some(ip) = from {
        req.extensions_mut().insert(ClientAddr(ip));
    }
    req
}

pub(crate) fn credentials(login: &str, password: &str) -> SignInRequest {
    SignInRequest {
        login: login.into(),
        password: password.into(),
        device_token: None,
        device_name: Some("front desk".into()),
        local_work: false,
    }
}

pub(crate) async fn sign_in(f: &Fixture, login: &str) -> SignInResponse {
    let r = send(
        &f.state,
        sign_in_request(&credentials(login, PASSWORD), None),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    r.json()
}

pub(crate) async fn push_as(
    f: &Fixture,
    token: &str,
    seq: u64,
    user: &str,
    env: CommandEnvelope,
) -> PushResponse {
    let req = PushRequest {
        commands: vec![PushCommand::new(seq, user.into(), env)],
    };
    let r = send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(token),
            Some("application/json"),
            serde_json::to_vec(&req).unwrap(),
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    r.json()
}

/// The token is refused (401), as any unknown one.
async fn assert_refused(f: &Fixture, token: &str) {
    send(&f.state, get("/v1/me", Some(token)))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

/// The token is taken.
async fn assert_accepted(f: &Fixture, token: &str) {
    let r = send(&f.state, get("/v1/me", Some(token))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
}

fn sign_out(token: &str) -> Request<Body> {
    Request::delete("/v1/sessions/current")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn a_person_signs_in_and_their_session_pushes_as_them_with_their_role(f: Fixture) {
    let login = add(&f, "Clara", Role::Clerk).await;
    // Any case, any surrounding blanks: the login is one.
    let upper = format!("  {}  ", login.to_uppercase());
    let r = send(
        &f.state,
        sign_in_request(&credentials(&upper, PASSWORD), None),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let s: SignInResponse = r.json();
    assert!(s.session_token.starts_with("dbs_"));
    assert!(
        s.device_token
            .as_deref()
            .is_some_and(|t| t.starts_with("dbk_"))
    );
    let me: DeviceInfo = send(&f.state, get("/v1/me", Some(&s.session_token)))
        .await
        .json();
    assert_eq!(me.account_id, f.account);
    assert_eq!(me.device_name, "front desk");
    assert_eq!(me.role, Some(Role::Clerk));
    let person = me.person.unwrap();
    assert_eq!(
        (person.login.as_str(), person.name.as_str()),
        (login.as_str(), "Clara Example")
    );

    // A clerk registers a customer; the event names the person.
    let (_, customer) = register_customer("C-1", None);
    let r = push_as(
        &f,
        &s.session_token,
        1,
        &login,
        CommandEnvelope::new(customer.into()),
    )
    .await;
    accepted(&r.results[0].outcome);
    let events = pull_all(&f, 100).await.events;
    let last = events.last().unwrap();
    assert_eq!(
        (last.user.as_str(), last.device.as_str()),
        (login.as_str(), "front desk")
    );

    // A clerk may not register a product (a manager's): refused with the role named.
    let (_, product) = register_product("BOLT", 100);
    let r = push_as(
        &f,
        &s.session_token,
        2,
        &login,
        CommandEnvelope::new(product.clone().into()),
    )
    .await;
    assert_eq!(rejected(&r.results[0].outcome), "role_required");
    // Promoted, the same person's next push is decided as a manager's.
    assert!(
        f.state
            .change_user(&login, UserChange::Role(Role::Manager))
            .await
            .unwrap()
    );
    let r = push_as(
        &f,
        &s.session_token,
        3,
        &login,
        CommandEnvelope::new(product.into()),
    )
    .await;
    accepted(&r.results[0].outcome);
}

async fn a_command_naming_another_user_is_refused_under_a_session(f: Fixture) {
    let login = add(&f, "Anna", Role::Admin).await;
    let s = sign_in(&f, &login).await;
    let before = pull_all(&f, 100).await.events.len();
    let (_, customer) = register_customer("C-FORGED", None);
    let r = push_as(
        &f,
        &s.session_token,
        1,
        "bob",
        CommandEnvelope::new(customer.into()),
    )
    .await;
    assert_eq!(rejected(&r.results[0].outcome), "user_mismatch");
    assert_eq!(
        pull_all(&f, 100).await.events.len(),
        before,
        "nothing was applied"
    );
    // A service device's token still names its user as before (imports, tools).
    let (_, customer) = register_customer("C-SERVICE", None);
    let r = push_as(
        &f,
        &f.token.clone(),
        1,
        "importer",
        CommandEnvelope::new(customer.into()),
    )
    .await;
    accepted(&r.results[0].outcome);
}

async fn a_wrong_password_an_unknown_login_and_a_disabled_person_get_the_same_401(f: Fixture) {
    let login = add(&f, "Dora", Role::Clerk).await;
    let wrong = send(
        &f.state,
        sign_in_request(&credentials(&login, "not the password"), None),
    )
    .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let unknown = send(
        &f.state,
        sign_in_request(&credentials(&fresh_login("nobody"), PASSWORD), None),
    )
    .await;
    unknown.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        f.state
            .change_user(&login, UserChange::Disable)
            .await
            .unwrap()
    );
    let disabled = send(
        &f.state,
        sign_in_request(&credentials(&login, PASSWORD), None),
    )
    .await;
    disabled.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, disabled.body);
    // Nothing of it is a session.
    assert!(wrong.body.get("session_token").is_none());
}

async fn five_failed_sign_ins_a_minute_then_429_with_retry_after(f: Fixture) {
    let login = add(&f, "Eve", Role::Clerk).await;
    let here: Option<IpAddr> = Some([192, 0, 2, 7].into());
    for _ in 0..5 {
        let r = send(
            &f.state,
            sign_in_request(&credentials(&login, "guess guess"), here),
        )
        .await;
        r.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Now even the right password is not checked: throttled, with when to come back.
    let r = send(
        &f.state,
        sign_in_request(&credentials(&login, PASSWORD), here),
    )
    .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let after: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&after), "Retry-After {after}");
    // Per address too: another login from the same address is throttled.
    let other = add(&f, "Finn", Role::Clerk).await;
    let r = send(
        &f.state,
        sign_in_request(&credentials(&other, PASSWORD), here),
    )
    .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another person from another address is not.
    let r = send(
        &f.state,
        sign_in_request(&credentials(&other, PASSWORD), Some([192, 0, 2, 8].into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn disabling_a_person_or_resetting_their_password_ends_their_sessions_at_once(f: Fixture) {
    let login = add(&f, "Gus", Role::Manager).await;
    let s = sign_in(&f, &login).await;
    assert_accepted(&f, &s.session_token).await;
    assert!(
        f.state
            .change_user(&login, UserChange::Disable)
            .await
            .unwrap()
    );
    assert_refused(&f, &s.session_token).await;
    // Enabled again, the old session stays ended; a new sign-in works.
    assert!(
        f.state
            .change_user(&login, UserChange::Enable)
            .await
            .unwrap()
    );
    assert_refused(&f, &s.session_token).await;
    let s = sign_in(&f, &login).await;
    // A new password ends the session, and only the new password signs in.
    assert!(
        f.state
            .reset_password(&login, "a brand new secret")
            .await
            .unwrap()
    );
    assert_refused(&f, &s.session_token).await;
    send(
        &f.state,
        sign_in_request(&credentials(&login, PASSWORD), None),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let mut c = credentials(&login, "a brand new secret");
    c.device_token = s.device_token;
    assert_eq!(
        send(&f.state, sign_in_request(&c, None)).await.status,
        StatusCode::OK
    );
    // Unknown logins are said so, and nothing is changed.
    assert!(
        !f.state
            .change_user(&fresh_login("ghost"), UserChange::Disable)
            .await
            .unwrap()
    );
}

async fn a_store_signs_in_again_as_the_same_device_and_a_foreign_device_is_refused(f: Fixture) {
    let anna = add(&f, "Anna", Role::Clerk).await;
    let bob = add(&f, "Bob", Role::Clerk).await;
    let first = sign_in(&f, &anna).await;
    let device_token = first.device_token.clone().unwrap();
    // The device's own token is no bearer token.
    assert_refused(&f, &device_token).await;
    // Anna signs out; Bob signs in on the same store: the same device, code and all.
    let r = send(&f.state, sign_out(&first.session_token)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_refused(&f, &first.session_token).await;
    let mut c = credentials(&bob, PASSWORD);
    c.device_token = Some(device_token.clone());
    c.device_name = None;
    let second: SignInResponse = send(&f.state, sign_in_request(&c, None)).await.json();
    assert_eq!(second.device.device_id, first.device.device_id);
    assert_eq!(second.device.device_code, first.device.device_code);
    assert_eq!(second.device_token, None);
    // Signing in on a device ends the session open there before.
    let mut c = credentials(&anna, PASSWORD);
    c.device_token = Some(device_token.clone());
    let third: SignInResponse = send(&f.state, sign_in_request(&c, None)).await.json();
    assert_refused(&f, &second.session_token).await;
    assert_accepted(&f, &third.session_token).await;

    // A person of another account cannot sign in on this account's device.
    let other = fresh_login("Olga");
    f.state
        .create_user(f.other_account, &other, "Olga Other", Role::Admin, PASSWORD)
        .await
        .unwrap();
    let mut c = credentials(&other, PASSWORD);
    c.device_token = Some(device_token.clone());
    let r = send(&f.state, sign_in_request(&c, None)).await;
    r.assert_error(StatusCode::CONFLICT, "device_not_usable");
    assert!(
        r.body["message"].as_str().unwrap().contains("Acme"),
        "{}",
        r.body
    );
    // A revoked device: refused, and its open session ends with it.
    assert!(f.state.revoke_device(first.device.device_id).await.unwrap());
    assert_refused(&f, &third.session_token).await;
    let mut c = credentials(&anna, PASSWORD);
    c.device_token = Some(device_token);
    send(&f.state, sign_in_request(&c, None))
        .await
        .assert_error(StatusCode::CONFLICT, "device_not_usable");
    // A service token has no session to end.
    send(&f.state, sign_out(&f.token))
        .await
        .assert_error(StatusCode::FORBIDDEN, "invalid_input");
}

async fn logins_are_unique_on_the_server_and_passwords_are_kept_only_as_argon2id_hashes(
    f: Fixture,
) {
    let login = add(&f, "Hana", Role::Clerk).await;
    // The same login in another account is taken (sign-in needs no account).
    let e = f
        .state
        .create_user(
            f.other_account,
            &login.to_uppercase(),
            "Hana Two",
            Role::Clerk,
            PASSWORD,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already taken"), "{e}");
    // Too short a password, a blank name, a login with spaces: refused, nothing added.
    for (l, n, p) in [
        (fresh_login("ivo"), "Ivo", "short"),
        (fresh_login("ivo"), "  ", PASSWORD),
        ("ivo de vries".to_string(), "Ivo", PASSWORD),
    ] {
        assert!(
            f.state
                .create_user(f.account, &l, n, Role::Clerk, p)
                .await
                .is_err()
        );
    }
    let users = f.state.users(f.account).await.unwrap();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(
        (users[0].login.as_str(), users[0].role, users[0].enabled),
        (login.as_str(), Role::Clerk, true)
    );

    let hashes: Vec<String> = match f.sqlite_dir() {
        Some(dir) => {
            let c = rusqlite::Connection::open(dir.join("server.sqlite3")).unwrap();
            let mut s = c.prepare("SELECT password_hash FROM users").unwrap();
            s.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
        None => {
            let (client, conn) = tokio_postgres::connect(&pg_url(), tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .query(
                    "SELECT password_hash FROM users WHERE login = $1",
                    &[&login],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        }
    };
    assert!(!hashes.is_empty());
    for h in hashes {
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains(PASSWORD));
    }
}

async fn the_device_list_shows_who_is_signed_in_the_app_version_and_last_seen(f: Fixture) {
    let login = add(&f, "Jan", Role::Clerk).await;
    let s = sign_in(&f, &login).await;
    let mut req = get("/v1/me", Some(&s.session_token));
    req.headers_mut()
        .insert(header::USER_AGENT, "daybook/9.8.7".parse().unwrap());
    assert_eq!(send(&f.state, req).await.status, StatusCode::OK);
    // Noted off the request's path: wait for it.
    let mut row = None;
    for _ in 0..100 {
        let devices = f.state.devices(f.account).await.unwrap();
        row = devices.into_iter().find(|d| d.id == s.device.device_id);
        if row.as_ref().is_some_and(|d| d.last_seen.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let row = row.unwrap();
    assert_eq!(row.person.as_deref(), Some("Jan Example"));
    assert_eq!(row.app_version.as_deref(), Some("daybook/9.8.7"));
    assert!(row.last_seen.is_some());
    assert_eq!((row.service_role, row.revoked), (None, false));
    // The fixture's service device shows its role.
    let devices = f.state.devices(f.account).await.unwrap();
    assert_eq!(devices[0].service_role, Some(Role::Admin));
    assert_eq!(devices[0].person, None);
}

async fn a_clerks_service_token_is_decided_as_a_clerk(f: Fixture) {
    let t = f
        .state
        .create_service_token(f.account, "importer", Role::Clerk)
        .await
        .unwrap();
    let (_, product) = register_product("NUT", 5);
    let r = push_as(
        &f,
        &t.token,
        1,
        "import job",
        CommandEnvelope::new(product.into()),
    )
    .await;
    assert_eq!(rejected(&r.results[0].outcome), "role_required");
    let (_, customer) = register_customer("C-IMPORTED", None);
    let r = push_as(
        &f,
        &t.token,
        2,
        "import job",
        CommandEnvelope::new(customer.into()),
    )
    .await;
    accepted(&r.results[0].outcome);
}

async fn a_disabled_persons_live_stream_ends_within_a_second(f: Fixture) {
    let login = add(&f, "Kim", Role::Clerk).await;
    let s = sign_in(&f, &login).await;
    let server = crate::hostile::start(&f).await;
    let mut live = daybook_testkit::http::client()
        .get(format!("{}/v1/accounts/{}/live", server.base, f.account))
        .bearer_auth(&s.session_token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let open = crate::hostile::live_until_end(&mut live, Duration::from_millis(300)).await;
    assert!(open.is_err(), "the stream is open: {open:?}");
    assert!(
        f.state
            .change_user(&login, UserChange::Disable)
            .await
            .unwrap()
    );
    let started = Instant::now();
    let ended = crate::hostile::live_until_end(&mut live, Duration::from_secs(5)).await;
    assert!(ended.is_ok(), "the disabled person's stream went on");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    server.shutdown().await;
}

async fn devices_list_the_accounts_people_by_name_disabled_ones_too_and_no_other_accounts(
    f: Fixture,
) {
    let anna = add(&f, "Anna", Role::Clerk).await;
    let bob = add(&f, "Bob", Role::Manager).await;
    f.state
        .change_user(&bob, UserChange::Disable)
        .await
        .unwrap();
    // A session and a service device of the account both read it.
    let s = sign_in(&f, &anna).await;
    let uri = format!("/v1/accounts/{}/people", f.account);
    for token in [s.session_token.as_str(), f.token.as_str()] {
        let r = send(&f.state, get(&uri, Some(token))).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.raw)
        );
        let list: PeopleResponse = r.json();
        let named: Vec<(&str, &str, Role)> = list
            .people
            .iter()
            .filter(|p| p.login == anna || p.login == bob)
            .map(|p| (p.login.as_str(), p.name.as_str(), p.role))
            .collect();
        // Ordered by login ("anna-…" before "bob-…").
        let want = vec![
            (anna.as_str(), "Anna Example", Role::Clerk),
            (bob.as_str(), "Bob Example", Role::Manager),
        ];
        assert_eq!(named, want);
        assert!(!String::from_utf8_lossy(&r.raw).contains("argon2"));
    }
    // Another account's device is told nothing, as for its events.
    send(&f.state, get(&uri, Some(&f.other_token)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(&f.state, get(&uri, None))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

contract!(
    devices_list_the_accounts_people_by_name_disabled_ones_too_and_no_other_accounts,
    a_person_signs_in_and_their_session_pushes_as_them_with_their_role,
    a_command_naming_another_user_is_refused_under_a_session,
    a_wrong_password_an_unknown_login_and_a_disabled_person_get_the_same_401,
    five_failed_sign_ins_a_minute_then_429_with_retry_after,
    disabling_a_person_or_resetting_their_password_ends_their_sessions_at_once,
    a_store_signs_in_again_as_the_same_device_and_a_foreign_device_is_refused,
    logins_are_unique_on_the_server_and_passwords_are_kept_only_as_argon2id_hashes,
    the_device_list_shows_who_is_signed_in_the_app_version_and_last_seen,
    a_clerks_service_token_is_decided_as_a_clerk,
    a_disabled_persons_live_stream_ends_within_a_second,
);
