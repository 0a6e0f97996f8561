//! Pull: gap-free ordered pages, `after` and `limit`, payloads passed through as
//! stored, and bad queries.

use axum::http::StatusCode;
use daybook_protocol::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, PullResponse};

use crate::support::*;

async fn seed(f: &Fixture, n: usize) {
    let mut ob = Outbox::new();
    let cmds = (0..n)
        .map(|i| ob.cmd(register_product(&format!("P{i:04}"), 100 + i as i64).1))
        .collect();
    push(f, cmds).await;
}

async fn pages_are_gap_free_ordered_and_honour_after_and_limit(f: Fixture) {
    seed(&f, 30).await;

    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let r = send(
            &f.state,
            get(&events_uri(f.account, after, 7), Some(&f.token)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let page: PullResponse = r.json();
        assert_eq!(page.head, 30);
        assert!(page.events.len() <= 7);
        if page.events.is_empty() {
            break;
        }
        for e in &page.events {
            assert_eq!(e.seq, after + 1, "gap-free and ascending");
            after = e.seq;
            seen.push(e.seq);
        }
    }
    assert_eq!(seen, (1..=30).collect::<Vec<_>>());

    // `after` in the middle; the default page size.
    let r = send(
        &f.state,
        get(
            &format!("/v1/accounts/{}/events?after=25", f.account),
            Some(&f.token),
        ),
    )
    .await;
    let page: PullResponse = r.json();
    assert_eq!(
        page.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![26, 27, 28, 29, 30]
    );
    // No query at all: from the start.
    let r = send(
        &f.state,
        get(
            &format!("/v1/accounts/{}/events", f.account),
            Some(&f.token),
        ),
    )
    .await;
    let page: PullResponse = r.json();
    assert_eq!(page.events.len(), 30.min(DEFAULT_PULL_LIMIT));
    // Beyond the head: empty, with the head.
    let page: PullResponse = send(
        &f.state,
        get(&events_uri(f.account, 99, 10), Some(&f.token)),
    )
    .await
    .json();
    assert!(page.events.is_empty());
    assert_eq!(page.head, 30);
}

async fn a_limit_above_the_maximum_is_capped(f: Fixture) {
    let mut ob = Outbox::new();
    // Two pushes of 1000 products, 1 event each.
    for round in 0..(MAX_PULL_LIMIT / 1000 + 1) {
        let cmds = (0..1000)
            .map(|i| ob.cmd(register_product(&format!("R{round}-{i}"), 1).1))
            .collect();
        push(&f, cmds).await;
    }
    let total = (MAX_PULL_LIMIT / 1000 + 1) * 1000;
    let page: PullResponse = send(
        &f.state,
        get(
            &events_uri(f.account, 0, MAX_PULL_LIMIT * 10),
            Some(&f.token),
        ),
    )
    .await
    .json();
    assert_eq!(page.events.len(), MAX_PULL_LIMIT);
    assert_eq!(page.head, total as i64);
}

#[tokio::test]
async fn events_travel_exactly_as_stored() {
    let f = fixture().await;
    let mut ob = Outbox::new();
    let (p, reg) = register_product("BOLT", 250);
    let pushed = ob.cmd(reg);
    let command_id = pushed.envelope.command_id;
    let issued_at = pushed.envelope.issued_at;
    push(&f, vec![pushed]).await;
    let log = pull_all(&f, 10).await;
    let e = &log.events[0];
    assert_eq!(e.stream_id, p.0);
    assert_eq!(e.revision, 1);
    assert_eq!(e.event_type, "ProductRegistered");
    assert_eq!(e.command_id, command_id);
    assert_eq!(e.issued_at.timestamp_millis(), issued_at.timestamp_millis());
    assert_eq!(e.user, "ann");
    assert_eq!(e.device, "laptop");

    // The payload is the stored text itself, not re-encoded.
    let db = f.sqlite().account(f.account).await.unwrap();
    drop(db);
    let path = daybook_server::sqlite::accounts::account_db_path(f.sqlite().data_dir(), f.account);
    let conn = daybook_store::EventStore::open_reader(&path).unwrap();
    let raw = daybook_store::read_raw(&conn, 0, 10).unwrap();
    assert_eq!(e.payload.get(), raw[0].payload);
    assert_eq!(e.event_id, raw[0].event_id);
    assert_eq!(e.schema_version, raw[0].schema_version);
}

async fn bad_queries_get_400_with_an_error_body(f: Fixture) {
    for q in [
        "after=-1",
        "limit=0",
        "limit=abc",
        "after=1.5",
        "after=99999999999999999999",
        "since=3",
        "limit=-4",
    ] {
        let r = send(
            &f.state,
            get(
                &format!("/v1/accounts/{}/events?{q}", f.account),
                Some(&f.token),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(["invalid_query"].contains(&r.code()), "{q}: {}", r.code());
    }
}

contract!(
    pages_are_gap_free_ordered_and_honour_after_and_limit,
    a_limit_above_the_maximum_is_capped,
    bad_queries_get_400_with_an_error_body
);
