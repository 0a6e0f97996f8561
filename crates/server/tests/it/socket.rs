//! The server on a real socket with a real HTTP client: health, push, pull, the live
//! channel announcing a new head (and only to the account's own devices), and a
//! graceful shutdown that ends live streams.

use std::time::Duration;

use daybook_protocol::{Health, LiveHead, PullResponse, PushRequest, PushResponse};
use daybook_server::Config;
use tokio::net::TcpListener;
use tokio::time::timeout;

use crate::support::*;

/// A server-sent event stream being read.
struct Sse {
    res: reqwest::Response,
    buf: String,
    /// Comment blocks (keep-alives) seen.
    comments: usize,
}

impl Sse {
    fn new(res: reqwest::Response) -> Self {
        Sse {
            res,
            buf: String::new(),
            comments: 0,
        }
    }
}

/// Reads server-sent events until a `head` event; returns its data (None: the
/// stream ended).
async fn next_head(sse: &mut Sse) -> Option<i64> {
    loop {
        while let Some(pos) = sse.buf.find("\n\n") {
            let block: String = sse.buf.drain(..pos + 2).collect();
            if block.starts_with(':') {
                sse.comments += 1;
            }
            if block.lines().any(|l| l == "event: head") {
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("a data line");
                let h: LiveHead = serde_json::from_str(data).unwrap();
                return Some(h.head);
            }
        }
        let chunk = timeout(Duration::from_secs(10), sse.res.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()?;
        sse.buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_pull_and_live_over_a_real_socket() {
    let f = fixture_with(Config {
        keep_alive: Duration::from_millis(100),
        ..unlimited()
    })
    .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(daybook_server::serve(listener, f.state.clone(), async {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let http = daybook_testkit::http::client();

    let h: Health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h.status, "ok");

    let live = http
        .get(format!("{base}/v1/accounts/{}/live", f.account))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(
        live.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut live = Sse::new(live);
    assert_eq!(next_head(&mut live).await, Some(0), "head on connect");

    // B listens too: it must hear nothing of A's pushes.
    let live_b = http
        .get(format!("{base}/v1/accounts/{}/live", f.other_account))
        .bearer_auth(&f.other_token)
        .send()
        .await
        .unwrap();
    let mut live_b = Sse::new(live_b);
    assert_eq!(next_head(&mut live_b).await, Some(0));

    let mut ob = Outbox::new();
    let (c, reg) = register_customer("C-1", None);
    let (_, create) = create_order("SO-D1-00001", c);
    let res: PushResponse = http
        .post(format!("{base}/v1/accounts/{}/commands", f.account))
        .bearer_auth(&f.token)
        .json(&PushRequest {
            commands: vec![ob.cmd(reg), ob.cmd(create)],
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, last) = accepted(&res.results[1].outcome);
    let last = last.unwrap();
    assert_eq!(next_head(&mut live).await, Some(last), "head after push");

    let page: PullResponse = http
        .get(format!("{base}/v1/accounts/{}/events?after=0", f.account))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.head, last);
    assert_eq!(page.events.len() as i64, last);

    // B's stream only carries keep-alive comments.
    let quiet = timeout(Duration::from_millis(400), next_head(&mut live_b)).await;
    assert!(quiet.is_err(), "B heard {quiet:?}");
    assert!(live_b.comments > 0, "keep-alive comments flow");

    // A bad request over the wire: 4xx JSON, and the server goes on.
    let r = http
        .post(format!("{base}/v1/accounts/{}/commands", f.account))
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "malformed_json");

    // Graceful shutdown: live streams end, the server returns.
    stop.send(()).unwrap();
    assert_eq!(next_head(&mut live).await, None, "stream ended");
    timeout(Duration::from_secs(10), server)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();
}
