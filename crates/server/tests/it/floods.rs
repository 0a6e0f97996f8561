//! One token, or one address, flooding a real `daybook-server` process: stalled
//! uploads (memory), live streams and idle sockets under a 1,024 file limit
//! (descriptors). Each prints its figures (`-- --nocapture`). Another tenant keeps
//! being served throughout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use daybook_protocol::{PushOutcome, PushRequest};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::real::*;
use crate::support::{Outbox, register_product};

fn accepted_all(r: &daybook_protocol::PushResponse) -> bool {
    r.results
        .iter()
        .all(|x| matches!(x.outcome, PushOutcome::Accepted { .. }))
}

/// A valid push of one command padded with white space to `size` bytes.
fn padded_push(ob: &mut Outbox, code: &str, size: usize) -> Vec<u8> {
    let mut body = serde_json::to_vec(&PushRequest {
        commands: vec![ob.cmd(register_product(code, 1).1)],
    })
    .unwrap();
    let close = body.pop().unwrap();
    body.resize(size - 1, b' ');
    body.push(close);
    body
}

/// 300 uploads of one token that send headers and all but the last byte of an 8 MiB
/// body, then stall. The server must hold at most its per-token budget of them: its
/// memory stays under 400 MB while another tenant pushes, and is under 200 MB again
/// within 30 s of their closing (after a warm-up of big bodies, so the allocator
/// holds big chunks already).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stalled_uploads_of_one_token_do_not_take_the_servers_memory() {
    raise_own_file_limit();
    let (dir, tenants) = data_with(2).await;
    let server = start(dir, None, &[]);
    let (attacker, good) = (tenants[0].clone(), tenants[1].clone());
    let http = daybook_testkit::http::client();
    let size = daybook_protocol::MAX_BODY_BYTES - 1024;

    // Warm-up: four big bodies at once, two per token (their budgets).
    let mut warm = Vec::new();
    for (i, t) in [&attacker, &attacker, &good, &good].into_iter().enumerate() {
        let mut ob = Outbox::new();
        ob.seq = i as u64 * 10;
        let body = padded_push(&mut ob, &format!("WARM-{i}"), size);
        let (http, uri, token) = (http.clone(), server.commands_uri(t), t.token.clone());
        warm.push(tokio::spawn(async move {
            http.post(uri)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for w in warm {
        assert_eq!(w.await.unwrap().unwrap(), 200, "warm-up push");
    }
    let warmed = server.rss_mb();

    // The stall: headers and a body short of one byte, from 127.0.0.2.
    let head = format!(
        "POST /v1/accounts/{}/commands HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        attacker.account, attacker.token, size
    );
    let chunk = Arc::new(vec![b' '; size - 1]);
    let mut tasks = Vec::new();
    for _ in 0..300 {
        let (head, chunk) = (head.clone(), chunk.clone());
        let conn = server.connect_from([127, 0, 0, 2]);
        let conn = conn.await;
        tasks.push(tokio::spawn(async move {
            let mut s: TcpStream = conn.ok()?;
            s.write_all(head.as_bytes()).await.ok()?;
            // Refused uploads are closed by the server: the write fails, fine.
            let _ = tokio::time::timeout(Duration::from_secs(10), s.write_all(&chunk)).await;
            Some(s)
        }));
    }
    let mut held = Vec::new();
    for t in tasks {
        held.extend(t.await.unwrap());
    }
    let mut peak = server.rss_mb();
    let mut ob = Outbox::new();
    ob.seq = 100;
    let (answer, took) = timed_push(
        &http,
        &server,
        &good,
        vec![ob.cmd(register_product("GOOD", 1).1)],
    )
    .await;
    let answer = answer.expect("the other tenant's push is answered");
    assert!(accepted_all(&answer));
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        peak = peak.max(server.rss_mb());
    }
    drop(held);
    let closed = Instant::now();
    let mut after = server.rss_mb();
    while after >= 200.0 && closed.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        after = server.rss_mb();
    }
    println!(
        "stalled uploads: rss after warm-up {warmed:.0} MB, peak under 300 stalled uploads \
         {peak:.0} MB, {after:.0} MB {:.1} s after they closed; the other tenant's push took \
         {} ms",
        closed.elapsed().as_secs_f64(),
        took.as_millis()
    );
    assert!(peak < 400.0, "peak RSS {peak:.0} MB");
    assert!(
        after < 200.0,
        "RSS {after:.0} MB 30 s after the uploads closed"
    );
}

/// Under a file limit of 1,024 (soft and hard): one token opens 1,000 live streams
/// (from 127.0.0.3; its rate burst raised so the streams are not refused for rate) and
/// an address opens 1,100 idle sockets (127.0.0.4); another tenant's push (from
/// 127.0.0.1) is still answered 200 within 2 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_streams_and_idle_sockets_under_1024_files_does_not_lock_out_others() {
    raise_own_file_limit();
    let (dir, tenants) = data_with(2).await;
    let server = start(dir, Some(1024), &["--burst", "5000"]);
    let (flooder, good) = (tenants[0].clone(), tenants[1].clone());
    let live = format!(
        "GET /v1/accounts/{}/live HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\r\n",
        flooder.account, flooder.token
    );
    let mut held = Vec::new();
    for _ in 0..1000 {
        if let Ok(mut s) = server.connect_from([127, 0, 0, 3]).await {
            let _ = s.write_all(live.as_bytes()).await;
            held.push(s);
        }
    }
    for _ in 0..1100 {
        if let Ok(s) = server.connect_from([127, 0, 0, 4]).await {
            held.push(s);
        }
    }
    let files = server.open_files();
    let http = daybook_testkit::http::client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut ob = Outbox::new();
    let mut times = Vec::new();
    for i in 0..5 {
        let (answer, took) = timed_push(
            &http,
            &server,
            &good,
            vec![ob.cmd(register_product(&format!("G-{i}"), 1).1)],
        )
        .await;
        let answer = answer.expect("the other tenant's push is answered 200");
        assert!(accepted_all(&answer));
        times.push(took);
    }
    let worst = *times.iter().max().unwrap();
    println!(
        "connection flood under 1024 files: {} sockets held by the flood, {files} files open \
         in the server, the other tenant's pushes took {:?} (worst {} ms)",
        held.len(),
        times.iter().map(|t| t.as_millis()).collect::<Vec<_>>(),
        worst.as_millis()
    );
    assert!(worst < Duration::from_secs(2), "worst push {worst:?}");
    drop(held);
}
