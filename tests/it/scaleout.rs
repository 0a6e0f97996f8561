//! Scale-out end to end: two real `daybook-server` processes on one PostgreSQL
//! database behind a round-robin TCP balancer (in the test, loopback only), clients
//! spread over both by it, concurrent pushes to one account, and one instance killed
//! (SIGKILL) in the middle of a round of pushes: its clients fail over to the other
//! through the balancer, and nothing is lost or applied twice.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::{Child, Command as Process};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use daybook_domain::*;
use daybook_testkit::{create_order, dump, register_product, sample};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::support::sibling_bin;
use crate::sync::{Client, event_ids, rt, spawn_listening};

/// The test PostgreSQL server: `DAYBOOK_PG_URL`, or the throwaway cluster of
/// `scripts/pg.sh` (started, or reused, under the build directory).
fn pg_url() -> String {
    if let Ok(url) = std::env::var("DAYBOOK_PG_URL") {
        return url;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg.sh");
    let out = Process::new("bash")
        .arg(&script)
        .arg("url")
        .output()
        .expect("scripts/pg.sh runs");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn admin(url: &str, args: &[&str]) -> String {
    let out = Process::new(sibling_bin("daybook-server"))
        .args(["--database", url])
        .args(args)
        .output()
        .expect("daybook-server runs");
    assert!(
        out.status.success(),
        "daybook-server {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A `daybook-server` instance on the database; killed on drop.
struct Instance {
    child: Child,
    addr: SocketAddr,
    _cache: tempfile::TempDir,
}

impl Instance {
    fn start(url: &str) -> Instance {
        let cache = tempfile::tempdir().expect("a temporary directory");
        let mut cmd = Process::new(sibling_bin("daybook-server"));
        cmd.args(["--database", url, "--pool-size", "8", "--cache-dir"])
            .arg(cache.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--rate", "0"]);
        let (child, addr) = spawn_listening(&mut cmd);
        Instance {
            child,
            addr,
            _cache: cache,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (at most 20 s) for the process to exit on its own.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Process::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().expect("the child can be waited on") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("daybook-server did not exit within 20 s of SIGTERM");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A round-robin TCP balancer: each connection goes to the next backend that accepts
/// it (a dead backend is skipped, as a load balancer's health check would).
struct Balancer {
    addr: SocketAddr,
    connections: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Balancer {
    fn start(backends: Vec<SocketAddr>) -> Balancer {
        let listener = rt()
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        let next = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicU64::new(0));
        let count = connections.clone();
        let task = rt().spawn(async move {
            loop {
                let Ok((mut down, _)) = listener.accept().await else {
                    continue;
                };
                count.fetch_add(1, Ordering::Relaxed);
                let start = next.fetch_add(1, Ordering::Relaxed);
                let backends = backends.clone();
                tokio::spawn(async move {
                    for i in 0..backends.len() {
                        let b = backends[(start + i) % backends.len()];
                        let connect = TcpStream::connect(b);
                        if let Ok(Ok(mut up)) =
                            tokio::time::timeout(Duration::from_secs(2), connect).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                            return;
                        }
                    }
                });
            }
        });
        Balancer {
            addr,
            connections,
            task,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn token(url: &str, account: &str, device: &str) -> String {
    admin(
        url,
        &["token", "create", "--account", account, "--device", device],
    )
}

/// Asserts the server's log is gap-free with each event once; returns its commands.
fn check_log(log: &[Value]) -> HashSet<String> {
    let seqs: Vec<i64> = log.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=log.len() as i64).collect::<Vec<_>>(), "gap-free");
    let ids: HashSet<&str> = log
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), log.len(), "no event twice");
    log.iter()
        .map(|e| e["command_id"].as_str().unwrap().to_string())
        .collect()
}

/// Syncs until a sync succeeds; returns the failed attempts.
fn sync_until_ok(c: &Client) -> u64 {
    let mut failures = 0;
    loop {
        match c.try_sync() {
            Ok(_) => return failures,
            Err(e) => {
                failures += 1;
                assert!(failures < 100, "sync keeps failing: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// The account's whole log as the server gives it (through the balancer).
fn server_log(url: &str, account: &str, token: &str) -> Vec<Value> {
    rt().block_on(async {
        let http = daybook_testkit::http::client();
        let mut after = 0;
        let mut all = Vec::new();
        loop {
            let page: Value = http
                .get(format!(
                    "{url}/v1/accounts/{account}/events?after={after}&limit=5000"
                ))
                .bearer_auth(token)
                .send()
                .await
                .expect("a pull")
                .json()
                .await
                .expect("a page");
            let events = page["events"].as_array().cloned().unwrap_or_default();
            let Some(last) = events.last() else {
                return all;
            };
            after = last["seq"].as_i64().expect("a sequence");
            all.extend(events);
        }
    })
}

/// A client's round of work: orders for the shared customers, a customer of its own.
fn work(c: &Client, who: usize, round: usize, shared: &[CustomerId], products: &[ProductId]) {
    for i in 0..12 {
        let order_id = OrderId::new();
        let number = c
            .with(|d| d.next_number(daybook_app::NumberSeries::Order))
            .expect("a number");
        let customer = shared[(who + i) % shared.len()];
        c.exec(create_order(order_id, &number, customer).into())
            .expect("an order");
        for (k, p) in products.iter().enumerate().take(2) {
            c.exec(sample::line(order_id, *p, (k + i + 1) as i64).into())
                .expect("a line");
        }
        c.exec(Command::PlaceOrder(PlaceOrder { order_id }))
            .expect("placed");
    }
    let (_, reg) = sample::customer(&format!("C-{who}-{round}"), None);
    c.exec(reg.into()).expect("a customer");
}

#[test]
fn two_instances_behind_a_balancer_converge_and_survive_losing_one_mid_push() {
    let url = pg_url();
    let account = admin(&url, &["account", "create", "Scale-out"]);
    let mut one = Instance::start(&url);
    let two = Instance::start(&url);
    let lb = Balancer::start(vec![one.addr, two.addr]);
    let clients: Vec<Arc<Client>> = (0..6)
        .map(|i| {
            let t = token(&url, &account, &format!("till-{i}"));
            Arc::new(Client::new(&lb.url(), &t, &format!("clerk-{i}")))
        })
        .collect();

    // Shared records, made on one client and pulled by all.
    let mut shared = Vec::new();
    for n in 0..3 {
        let (id, reg) = sample::customer(&format!("SHARED-{n}"), None);
        clients[0].exec(reg.into()).unwrap();
        shared.push(id);
    }
    let mut products = Vec::new();
    for n in 0..2 {
        let id = ProductId::new();
        let (code, description) = (format!("P-{n}"), format!("Product {n}"));
        let price = Money(250 + n * 100);
        clients[0]
            .exec(register_product(id, &code, &description, price).into())
            .unwrap();
        products.push(id);
    }
    clients[0].sync();
    for c in &clients {
        c.sync();
    }

    // Rounds of offline work, then everyone pushes at once; in round 2 instance one
    // is killed while the pushes are under way.
    let failures = Arc::new(AtomicU64::new(0));
    for round in 1..=3 {
        for (who, c) in clients.iter().enumerate() {
            work(c, who, round, &shared, &products);
        }
        let threads: Vec<_> = clients
            .iter()
            .cloned()
            .map(|c| {
                let failures = failures.clone();
                std::thread::spawn(move || {
                    failures.fetch_add(sync_until_ok(&c), Ordering::Relaxed);
                })
            })
            .collect();
        if round == 2 {
            std::thread::sleep(Duration::from_millis(15));
            one.kill();
        }
        for t in threads {
            t.join().expect("a sync thread");
        }
    }
    // Quiet: every client pushes what is left and pulls everything.
    for _ in 0..2 {
        for c in &clients {
            sync_until_ok(c);
        }
    }

    // The server's log: gap-free, each event once, each command's events once.
    let log = server_log(&lb.url(), &account, &token(&url, &account, "auditor"));
    let server_commands = check_log(&log);
    let positions: HashSet<(String, i64)> = log
        .iter()
        .map(|e| {
            (
                e["stream_id"].as_str().unwrap().to_string(),
                e["revision"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(positions.len(), log.len(), "no stream revision twice");
    // 5 shared records + 3 rounds x 6 clients x (12 orders x 4 commands + 1 customer).
    assert_eq!(server_commands.len(), 5 + 3 * 6 * (12 * 4 + 1));

    // Every client converged on that log, with nothing pending and nothing refused.
    let expected_ids = clients[0].with(|d| event_ids(d));
    assert_eq!(expected_ids.len(), log.len());
    let expected = clients[0].with(|d| dump::content(d.conn()));
    for (i, c) in clients.iter().enumerate() {
        c.with(|d| {
            assert_eq!(event_ids(d), expected_ids, "client {i}: same log");
            assert_eq!(
                dump::content(d.conn()),
                expected,
                "client {i}: same read models"
            );
            let counts = d.read().outbox_counts().unwrap();
            assert_eq!(counts.pending, 0, "client {i}: {counts:?}");
            assert!(d.read().needs_attention().unwrap().is_empty(), "client {i}");
        });
    }
    println!(
        "scale-out: 2 instances, 6 clients, {} events, {} commands, {} balanced connections, \
         {} failed sync attempts around the kill",
        log.len(),
        server_commands.len(),
        lb.connections.load(Ordering::Relaxed),
        failures.load(Ordering::Relaxed)
    );
    drop(two);
}

#[test]
fn a_terminated_instance_finishes_in_flight_pushes_and_exits_cleanly() {
    let url = pg_url();
    let account = admin(&url, &["account", "create", "Shutdown"]);
    let mut one = Instance::start(&url);
    let two = Instance::start(&url);
    let lb = Balancer::start(vec![one.addr, two.addr]);
    let clients: Vec<Arc<Client>> = (0..4)
        .map(|i| {
            let t = token(&url, &account, &format!("till-{i}"));
            Arc::new(Client::new(&lb.url(), &t, &format!("clerk-{i}")))
        })
        .collect();
    let mut expected = 0;
    for (who, c) in clients.iter().enumerate() {
        for n in 0..150 {
            let (_, reg) = sample::customer(&format!("T-{who}-{n}"), None);
            c.exec(reg.into()).unwrap();
            expected += 1;
        }
    }
    let threads: Vec<_> = clients
        .iter()
        .cloned()
        .map(|c| std::thread::spawn(move || sync_until_ok(&c)))
        .collect();
    std::thread::sleep(Duration::from_millis(10));
    let status = one.terminate();
    assert!(
        status.success(),
        "a graceful shutdown exits 0, not {status}"
    );
    for t in threads {
        t.join().expect("a sync thread");
    }
    for c in &clients {
        sync_until_ok(c);
    }
    let log = server_log(&lb.url(), &account, &token(&url, &account, "auditor"));
    let commands = check_log(&log);
    assert_eq!(commands.len(), expected, "every command exactly once");
    for c in &clients {
        c.with(|d| assert_eq!(d.read().outbox_counts().unwrap().pending, 0));
    }
    drop(two);
}
