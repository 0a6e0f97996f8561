//! A store that worked on its own before it was ever connected brings that work into
//! an account at its first sign-in (`local_work`), on both adapters: only into an
//! empty account and only by its admin, refused before any device or session is made.

use axum::http::StatusCode;
use daybook_domain::{CommandEnvelope, Role};
use daybook_protocol::SignInResponse;

use crate::people::{PASSWORD, add, credentials, push_as, sign_in, sign_in_request};
use crate::support::*;

async fn a_stores_own_work_comes_only_into_an_empty_account_by_its_admin(f: Fixture) {
    let fresh = f.state.create_account("Fresh Start").await.unwrap();
    let owner = format!("owner-{}@example.com", uuid::Uuid::now_v7().simple());
    f.state
        .create_user(fresh, &owner, "Olivia Owner", Role::Admin, PASSWORD)
        .await
        .unwrap();
    let clerk = format!("clerk-{}@example.com", uuid::Uuid::now_v7().simple());
    f.state
        .create_user(fresh, &clerk, "Carl Clerk", Role::Clerk, PASSWORD)
        .await
        .unwrap();
    let bringing = |login: &str| {
        let mut c = credentials(login, PASSWORD);
        c.local_work = true;
        c
    };

    // A clerk cannot bring a store's work in, even into an empty account: no device made.
    let r = send(&f.state, sign_in_request(&bringing(&clerk), None)).await;
    r.assert_error(StatusCode::FORBIDDEN, "role_required");
    assert_eq!(r.body["params"]["required_role"], "admin", "{}", r.body);
    assert!(f.state.devices(fresh).await.unwrap().is_empty());

    // The admin can: the session speaks for them, and their store's work goes in.
    let r = send(&f.state, sign_in_request(&bringing(&owner), None)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let s: SignInResponse = r.json();
    assert_eq!(s.device.account_id, fresh);

    // An account with data takes no store's own work, not even its admin's; an empty
    // store still joins it.
    let admin = add(&f, "Ada", Role::Admin).await;
    let (_, customer) = register_customer("C-1", None);
    let joined = sign_in(&f, &admin).await;
    let pushed = push_as(
        &f,
        &joined.session_token,
        1,
        &admin,
        CommandEnvelope::new(customer.into()),
    )
    .await;
    accepted(&pushed.results[0].outcome);
    let devices = f.state.devices(f.account).await.unwrap().len();
    let r = send(&f.state, sign_in_request(&bringing(&admin), None)).await;
    r.assert_error(StatusCode::CONFLICT, "account_not_empty");
    assert_eq!(r.body["params"]["value"], "Acme", "{}", r.body);
    assert!(
        r.body["message"].as_str().unwrap().contains("empty store"),
        "{}",
        r.body
    );
    assert_eq!(f.state.devices(f.account).await.unwrap().len(), devices);
    sign_in(&f, &admin).await;
}

contract!(a_stores_own_work_comes_only_into_an_empty_account_by_its_admin);
