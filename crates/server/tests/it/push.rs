//! Push: results in order, rejections that do not block, idempotent retries, stale
//! device sequences, validation, and server-assigned invoice numbers.

use axum::http::StatusCode;
use daybook_domain::*;
use daybook_domain::{CancelOrder, DeliverOrder, PlaceOrder};
use daybook_protocol::{PushOutcome, PushRequest};

use crate::support::*;

async fn results_come_in_order_and_a_rejection_does_not_block_later_commands(f: Fixture) {
    let mut ob = Outbox::new();
    let (c, reg_c) = register_customer("C-1", Some(1000));
    let (p, reg_p) = register_product("BOLT", 600);
    let (o1, create1) = create_order("SO-D1-00001", c);
    let (o2, create2) = create_order("SO-D1-00002", c);
    let commands = vec![
        ob.cmd(reg_c),
        ob.cmd(reg_p),
        ob.cmd(create1),
        ob.cmd(add_line(o1, p, 0)), // quantity 0: rejected
        ob.cmd(add_line(o1, p, 1)),
        ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o1 })), // 726 of 1000
        ob.cmd(create2),
        ob.cmd(add_line(o2, p, 1)),
        ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o2 })), // 1452 > 1000: held
        ob.cmd(Command::CancelOrder(CancelOrder {
            order_id: o2,
            reason: "limit".into(),
        })),
    ];
    let ids: Vec<_> = commands.iter().map(|c| c.envelope.command_id).collect();
    let res = push(&f, commands).await;
    assert_eq!(res.results.len(), 10);
    let got_ids: Vec<_> = res.results.iter().map(|r| r.command_id).collect();
    assert_eq!(got_ids, ids);
    assert!(res.results.iter().all(|r| !r.duplicate));
    assert_eq!(rejected(&res.results[3].outcome), "invalid_quantity");
    accepted(&res.results[8].outcome);
    if let PushOutcome::Rejected { error } = &res.results[3].outcome {
        assert_eq!(error.field.as_deref(), Some("quantity"));
    }

    // The accepted commands' event ranges tile 1..=head: gap-free, in push order.
    let mut next = 1;
    for (i, r) in res.results.iter().enumerate() {
        if i == 3 {
            continue;
        }
        let (first, last) = accepted(&r.outcome);
        let (first, last) = (first.unwrap(), last.unwrap());
        assert_eq!(first, next, "command {i}");
        assert!(last >= first);
        next = last + 1;
    }
    let log = pull_all(&f, 1000).await;
    assert_eq!(log.head, next - 1);
    assert_eq!(log.events.len() as i64, log.head);
    // Later commands ran after the rejected one: the cancellation is there. The order
    // over the limit was held (not refused) before it was cancelled.
    assert!(log.events.iter().any(|e| e.event_type == "OrderCancelled"));
    assert!(log.events.iter().any(|e| e.event_type == "OrderHeld"));
}

async fn a_duplicate_push_answers_the_recorded_results_and_appends_nothing(f: Fixture) {
    let mut ob = Outbox::new();
    let (c, reg_c) = register_customer("C-1", None);
    let (_, create) = create_order("SO-1", c);
    let (_, bad) = create_order("SO-2", CustomerId::new()); // unknown customer
    let req = PushRequest {
        commands: vec![ob.cmd(reg_c), ob.cmd(create), ob.cmd(bad)],
    };
    let first = push_raw(&f, &req).await;
    assert_eq!(first.status, StatusCode::OK);
    let first: daybook_protocol::PushResponse = first.json();
    let head = pull_all(&f, 100).await.head;
    assert!(head >= 2);

    // The same body again, as after a response lost on a cut connection.
    let again: daybook_protocol::PushResponse = push_raw(&f, &req).await.json();
    assert_eq!(again.results.len(), 3);
    for (a, b) in first.results.iter().zip(&again.results) {
        assert!(!a.duplicate);
        assert!(b.duplicate);
        assert_eq!(a.command_id, b.command_id);
        assert_eq!(a.device_seq, b.device_seq);
        assert_eq!(a.outcome, b.outcome);
    }
    assert!(matches!(
        again.results[2].outcome,
        PushOutcome::Rejected { .. }
    ));
    let log = pull_all(&f, 100).await;
    assert_eq!(log.head, head);
    assert_eq!(log.events.len() as i64, head);
}

async fn a_retry_with_new_commands_appended_applies_only_the_new_ones(f: Fixture) {
    let mut ob = Outbox::new();
    let (_, a) = register_product("A", 100);
    let (_, b) = register_product("B", 100);
    let first = vec![ob.cmd(a)];
    push(&f, first.clone()).await;
    let mut second = first;
    second.push(ob.cmd(b));
    let res = push(&f, second).await;
    assert!(res.results[0].duplicate);
    assert!(!res.results[1].duplicate);
    assert_eq!(accepted(&res.results[1].outcome), (Some(2), Some(2)));
}

async fn a_stale_device_seq_is_refused_and_not_recorded(f: Fixture) {
    let mut ob = Outbox::new();
    let (_, a) = register_product("A", 100);
    let (_, b) = register_product("B", 100);
    push(&f, vec![ob.cmd(a), ob.cmd(b)]).await; // seqs 1, 2

    let (_, c) = register_product("C", 100);
    let mut late = ob.cmd(c);
    late.device_seq = 2;
    let res = push(&f, vec![late.clone()]).await;
    assert_eq!(rejected(&res.results[0].outcome), "stale_device_seq");
    assert!(!res.results[0].duplicate);
    assert_eq!(pull_all(&f, 100).await.head, 2);

    // Not recorded: the same command with a fresh sequence is applied.
    late.device_seq = 3;
    let res = push(&f, vec![late]).await;
    assert_eq!(accepted(&res.results[0].outcome), (Some(3), Some(3)));
}

async fn devices_have_their_own_sequences(f: Fixture) {
    let second = f
        .state
        .create_token(f.account, "desktop")
        .await
        .unwrap()
        .token;
    let mut ob = Outbox::new();
    let (_, a) = register_product("A", 100);
    push(&f, vec![ob.cmd(a)]).await; // laptop: seq 1

    let (_, b) = register_product("B", 100);
    let mut ob2 = Outbox::new();
    let req = PushRequest {
        commands: vec![ob2.cmd(b)], // desktop: seq 1 too
    };
    let r = send(
        &f.state,
        post(
            &commands_uri(f.account),
            Some(&second),
            Some("application/json"),
            serde_json::to_vec(&req).unwrap(),
        ),
    )
    .await;
    let res: daybook_protocol::PushResponse = r.json();
    assert_eq!(accepted(&res.results[0].outcome), (Some(2), Some(2)));
    let log = pull_all(&f, 100).await;
    assert_eq!(log.events[0].device, "laptop");
    assert_eq!(log.events[1].device, "desktop");
    assert_eq!(log.events[1].user, "ann");
}

async fn invalid_batches_are_refused_whole(f: Fixture) {
    let empty = push_raw(&f, &PushRequest { commands: vec![] }).await;
    empty.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(empty.body["field"], "commands");

    let mut ob = Outbox::new();
    let too_many: Vec<_> = (0..daybook_protocol::MAX_PUSH_COMMANDS + 1)
        .map(|i| ob.cmd(register_product(&format!("P{i}"), 1).1))
        .collect();
    push_raw(&f, &PushRequest { commands: too_many })
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    let mut ob = Outbox::new();
    let mut a = ob.cmd(register_product("A", 1).1);
    let b = ob.cmd(register_product("B", 1).1);
    a.device_seq = b.device_seq;
    let r = push_raw(
        &f,
        &PushRequest {
            commands: vec![a, b],
        },
    )
    .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(r.body["field"], "commands[1].device_seq");

    for user in ["", "   ", &"x".repeat(101), "a\u{7}b"] {
        let mut c = Outbox::new().cmd(register_product("A", 1).1);
        c.user = user.to_string();
        let r = push_raw(&f, &PushRequest { commands: vec![c] }).await;
        r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(r.body["field"], "commands[0].user");
    }

    let mut c = Outbox::new().cmd(register_product("A", 1).1);
    c.device_seq = u64::MAX;
    push_raw(&f, &PushRequest { commands: vec![c] })
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    assert_eq!(pull_all(&f, 100).await.head, 0, "nothing was applied");
}

async fn invoice_numbers_are_assigned_by_the_server_without_gaps(f: Fixture) {
    let mut ob = Outbox::new();
    let (c, reg_c) = register_customer("C-1", None);
    let (p, reg_p) = register_product("BOLT", 100);
    push(&f, vec![ob.cmd(reg_c), ob.cmd(reg_p)]).await;

    let mut expected = Vec::new();
    for i in 1..=3u64 {
        let (o, create) = create_order(&format!("SO-{i}"), c);
        let mut cmds = vec![
            ob.cmd(create),
            ob.cmd(add_line(o, p, 1)),
            ob.cmd(Command::PlaceOrder(PlaceOrder { order_id: o })),
        ];
        // Invoicing before delivery is refused and must not use up a number.
        cmds.push(ob.cmd(Command::InvoiceOrder(InvoiceOrder {
            order_id: o,
            invoice_id: InvoiceId::new(),
        })));
        cmds.push(ob.cmd(Command::DeliverOrder(DeliverOrder {
            order_id: o,
            delivery_id: DeliveryId::new(),
        })));
        cmds.push(ob.cmd(Command::InvoiceOrder(InvoiceOrder {
            order_id: o,
            invoice_id: InvoiceId::new(),
        })));
        let res = push(&f, cmds).await;
        assert!(matches!(
            res.results[3].outcome,
            PushOutcome::Rejected { .. }
        ));
        accepted(&res.results[5].outcome);
        expected.push(i);
    }
    let log = pull_all(&f, 1000).await;
    let numbers: Vec<u64> = log
        .events
        .iter()
        .filter(|e| e.event_type == "OrderInvoiced")
        .map(|e| {
            let v: serde_json::Value = serde_json::from_str(e.payload.get()).unwrap();
            v["invoice_number"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_store_failure_mid_push_commits_nothing_and_answers_500() {
    let f = fixture().await;
    let mut ob = Outbox::new();
    let (_, a) = register_product("A", 1);
    let (_, b) = register_product("B", 1);
    let req = PushRequest {
        commands: vec![ob.cmd(a), ob.cmd(b)],
    };
    // Break the server's own table behind its back: recording the first result fails
    // after the command's events were appended.
    f.sqlite().account(f.account).await.unwrap();
    let path = daybook_server::sqlite::accounts::account_db_path(f.sqlite().data_dir(), f.account);
    let side = rusqlite::Connection::open(&path).unwrap();
    side.execute_batch("ALTER TABLE sync_devices RENAME TO broken")
        .unwrap();
    let r = push_raw(&f, &req).await;
    r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert!(!r.body["message"].as_str().unwrap().contains("sync_devices"));
    assert_eq!(
        pull_all(&f, 100).await.head,
        0,
        "the events were rolled back"
    );

    // Repaired, the same push applies once, from sequence 1.
    side.execute_batch("ALTER TABLE broken RENAME TO sync_devices")
        .unwrap();
    let res = push(&f, req.commands.clone()).await;
    assert!(res.results.iter().all(|r| !r.duplicate));
    assert_eq!(accepted(&res.results[0].outcome), (Some(1), Some(1)));
    assert_eq!(accepted(&res.results[1].outcome), (Some(2), Some(2)));
}

async fn concurrent_pushes_and_a_follower_never_see_a_gap(f: Fixture) {
    let f = std::sync::Arc::new(f);
    let mut tokens: Vec<String> = Vec::new();
    for i in 0..4 {
        let name = format!("device-{i}");
        tokens.push(f.state.create_token(f.account, &name).await.unwrap().token);
    }
    let (batches, per_batch) = (15, 5);
    let mut pushers = Vec::new();
    for (d, token) in tokens.into_iter().enumerate() {
        let f = f.clone();
        pushers.push(tokio::spawn(async move {
            let mut ob = Outbox::new();
            for b in 0..batches {
                let cmds = (0..per_batch)
                    .map(|i| ob.cmd(register_product(&format!("D{d}-{b}-{i}"), 1).1))
                    .collect();
                let r = send(
                    &f.state,
                    post(
                        &commands_uri(f.account),
                        Some(&token),
                        Some("application/json"),
                        serde_json::to_vec(&PushRequest { commands: cmds }).unwrap(),
                    ),
                )
                .await;
                assert_eq!(r.status, StatusCode::OK);
            }
        }));
    }
    let total = (4 * batches * per_batch) as i64;
    // A follower pulling small pages while the pushes commit: every page starts
    // right after its cursor and has no holes.
    let follower = {
        let f = f.clone();
        tokio::spawn(async move {
            let mut after = 0;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while after < total {
                assert!(
                    std::time::Instant::now() < deadline,
                    "follower stuck at {after}"
                );
                let page: daybook_protocol::PullResponse = send(
                    &f.state,
                    get(&events_uri(f.account, after, 7), Some(&f.token)),
                )
                .await
                .json();
                for e in &page.events {
                    assert_eq!(e.seq, after + 1, "gap after {after}");
                    after = e.seq;
                }
                assert!(page.head >= after);
                tokio::task::yield_now().await;
            }
            after
        })
    };
    for p in pushers {
        p.await.unwrap();
    }
    assert_eq!(follower.await.unwrap(), total);
    assert_eq!(pull_all(&f, 1000).await.head, total);
}

contract!(
    concurrent_pushes_and_a_follower_never_see_a_gap,
    results_come_in_order_and_a_rejection_does_not_block_later_commands,
    a_duplicate_push_answers_the_recorded_results_and_appends_nothing,
    a_retry_with_new_commands_appended_applies_only_the_new_ones,
    a_stale_device_seq_is_refused_and_not_recorded,
    devices_have_their_own_sequences,
    invalid_batches_are_refused_whole,
    invoice_numbers_are_assigned_by_the_server_without_gaps
);
