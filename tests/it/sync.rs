//! Sync end to end: the real `daybook-server` process on a free loopback port, and
//! clients (the real sync engine over real HTTP, each on its own store file).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use daybook_app::query;
use daybook_app::{Daybook, OpenOptions};
use daybook_domain::PlaceOrder;
use daybook_domain::*;
use daybook_sync::{Engine, EngineHandle, ServerConfig, SyncReport};
use daybook_testkit::{dump, sample};

use crate::proxy::Proxy;
use crate::support::sibling_bin;

/// A running `daybook-server` with one account; killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    data: tempfile::TempDir,
    pub account: String,
    /// Extra `serve` options, kept for restarts.
    extra: Vec<String>,
}

/// Starts `daybook-server serve` on `data` on a free loopback port.
fn spawn_server(data: &Path, extra: &[String]) -> (Child, SocketAddr) {
    let mut cmd = Process::new(sibling_bin("daybook-server"));
    cmd.arg("--data")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate", "0"])
        .args(extra);
    spawn_listening(&mut cmd)
}

/// Spawns a `daybook-server serve` command and waits for the address it prints.
pub fn spawn_listening(cmd: &mut Process) -> (Child, SocketAddr) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("daybook-server starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("daybook-server printed its address")
            .expect("stderr is readable");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().parse().expect("an address");
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// A server with extra `serve` options (e.g. `--keep-alive 1`).
    pub fn start_with(extra: &[&str]) -> Server {
        let data = tempfile::tempdir().expect("a temporary directory");
        let account = admin(data.path(), &["account", "create", "Acme"]);
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, addr) = spawn_server(data.path(), &extra);
        Server {
            child,
            addr,
            data,
            account,
            extra,
        }
    }

    /// Kills the server with SIGKILL (no chance to finish anything) and waits for it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the server ends");
    }

    /// Kills the server and starts it again on the same data directory (on a new
    /// port: see [`Server::addr`]).
    pub fn restart(&mut self) {
        self.kill();
        let (child, addr) = spawn_server(self.data.path(), &self.extra);
        self.child = child;
        self.addr = addr;
    }

    /// The server's data directory (for its admin commands).
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The registry's database file (accounts, devices, tokens).
    pub fn registry_db(&self) -> std::path::PathBuf {
        self.data.path().join("server.sqlite3")
    }

    /// The account's database file.
    pub fn account_db(&self) -> std::path::PathBuf {
        self.data
            .path()
            .join("accounts")
            .join(format!("{}.sqlite3", self.account))
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new device token of the account.
    pub fn token(&self, device: &str) -> String {
        admin(
            self.data.path(),
            &[
                "token",
                "create",
                "--account",
                &self.account,
                "--device",
                device,
            ],
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn admin(data: &Path, args: &[&str]) -> String {
    let out = Process::new(sibling_bin("daybook-server"))
        .arg("--data")
        .arg(data)
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

/// A client: its own store file and a sync engine for it.
pub struct Client {
    pub db: Arc<Mutex<Daybook>>,
    engine: Engine,
    pub handle: EngineHandle,
    _dir: tempfile::TempDir,
}

impl Client {
    pub fn new(url: &str, token: &str, user: &str) -> Client {
        Client::open(
            url,
            token,
            user,
            tempfile::tempdir().expect("a temporary directory"),
        )
    }

    /// A client on the store in `dir` (created if new).
    pub fn open(url: &str, token: &str, user: &str, dir: tempfile::TempDir) -> Client {
        let path = dir.path().join("daybook.sqlite3");
        let db = Daybook::open(
            &path,
            OpenOptions {
                user: Some(user.into()),
                ..OpenOptions::default()
            },
        )
        .expect("the store opens");
        let db = Arc::new(Mutex::new(db));
        let (engine, handle) = Engine::new(
            db.clone(),
            &ServerConfig {
                url: url.into(),
                token: token.into(),
            },
        )
        .expect("an engine");
        Client {
            db,
            engine,
            handle,
            _dir: dir,
        }
    }

    /// The client's sync engine (to run it in the background).
    pub fn engine(&self) -> Engine {
        self.engine.clone()
    }

    /// One sync through the engine; `Err` when the server could not be reached.
    pub fn try_sync(&self) -> Result<SyncReport, daybook_sync::SyncError> {
        rt().block_on(self.engine.sync_once())
    }

    pub fn sync(&self) -> SyncReport {
        rt().block_on(self.engine.sync_once())
            .expect("sync succeeds")
    }

    pub fn exec(&self, cmd: Command) -> Result<(), daybook_app::AppError> {
        self.db.lock().unwrap().execute(cmd).map(|_| ())
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Daybook) -> T) -> T {
        f(&mut self.db.lock().unwrap())
    }
}

pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

pub fn event_ids(db: &Daybook) -> Vec<String> {
    let mut ids: Vec<String> = db
        .conn()
        .prepare(
            "SELECT hex(event_id) FROM events WHERE server_seq IS NOT NULL ORDER BY server_seq",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    ids.dedup();
    ids
}

/// Every client holds the server's log and read models equal to those of a new
/// device that pulled the whole history.
pub fn assert_converged(server: &Server, clients: &[&Client]) {
    let fresh = Client::new(&server.url(), &server.token("fresh"), "fresh");
    fresh.sync();
    let expected = fresh.with(|d| dump::content(d.conn()));
    let log = fresh.with(|d| event_ids(d));
    assert!(!log.is_empty());
    for c in clients {
        c.with(|d| {
            assert_eq!(event_ids(d), log, "same log, same order");
            assert_eq!(
                dump::content(d.conn()),
                expected,
                "same read models as a rebuild from the server's log"
            );
            let speculative: i64 = d
                .conn()
                .query_row(
                    "SELECT count(*) FROM events WHERE server_seq IS NULL",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(speculative, 0);
        });
    }
}

fn customer(c: &Client, number: &str, limit: Option<i64>) -> CustomerId {
    let (id, command) = sample::customer(number, limit);
    c.exec(command.into()).unwrap();
    id
}

fn product(c: &Client, code: &str, price: i64) -> ProductId {
    let (id, command) = sample::product(code, price);
    c.exec(command.into()).unwrap();
    id
}

fn order(c: &Client, customer: CustomerId, lines: &[(ProductId, i64)]) -> OrderId {
    let number = c
        .with(|d| d.next_number(daybook_app::NumberSeries::Order))
        .unwrap();
    let (id, command) = sample::order(&number, customer);
    c.exec(command.into()).unwrap();
    for (p, q) in lines {
        c.exec(add_line(id, *p, *q)).unwrap();
    }
    id
}

fn add_line(order_id: OrderId, product_id: ProductId, quantity: i64) -> Command {
    sample::line(order_id, product_id, quantity).into()
}

#[test]
fn two_offline_clients_edit_then_sync_and_converge() {
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    // Both connected once, so the numbers they give offline carry their device codes
    // (the server refuses a number already used in the account); then both edit
    // offline.
    a.sync();
    b.sync();
    let ca = customer(&a, "C-A", None);
    let pa = product(&a, "PA", 150);
    let oa = order(&a, ca, &[(pa, 2), (pa, 1)]);
    a.exec(Command::PlaceOrder(PlaceOrder { order_id: oa }))
        .unwrap();
    let cb = customer(&b, "C-B", Some(100_000));
    let pb = product(&b, "PB", 990);
    order(&b, cb, &[(pb, 4)]);

    let ra = a.sync();
    let rb = b.sync();
    a.sync();
    assert_eq!(ra.rejected + rb.rejected, 0);
    assert_eq!(
        a.with(|d| query::orders(d.conn(), &Default::default()).unwrap().total),
        2
    );
    // Numbers given offline carry the device's code, so they never collide.
    let numbers: Vec<String> = a.with(|d| {
        query::orders(d.conn(), &Default::default())
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.number)
            .collect()
    });
    assert!(numbers.iter().any(|n| n.starts_with("SO-")), "{numbers:?}");
    // Events carry who and from which device.
    let devices: Vec<String> = a.with(|d| {
        d.conn()
            .prepare("SELECT DISTINCT device_id FROM events ORDER BY device_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(devices, ["laptop", "tablet"]);
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn a_line_added_to_an_order_a_colleague_placed_meanwhile_needs_attention() {
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    let c = customer(&a, "C-1", None);
    let p = product(&a, "P", 100);
    let o = order(&a, c, &[(p, 1)]);
    a.sync();
    b.sync();
    // Both add lines offline; b also places the order and syncs first.
    b.exec(add_line(o, p, 3)).unwrap();
    b.exec(Command::PlaceOrder(PlaceOrder { order_id: o }))
        .unwrap();
    a.exec(add_line(o, p, 7)).unwrap();
    let other = customer(&a, "C-2", None);
    b.sync();
    let report = a.sync();
    b.sync();

    assert_eq!(report.rejected, 1);
    let attention = a.with(|d| d.read().needs_attention().unwrap());
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].error.as_ref().unwrap().code, "order_not_draft");
    assert!(matches!(
        attention[0].command,
        Command::AddOrderLine(AddOrderLine { quantity: 7, .. })
    ));
    let detail = a.with(|d| query::order(d.conn(), o.0).unwrap());
    assert_eq!(detail.order.status, OrderStatus::Placed);
    assert_eq!(
        detail.lines.iter().map(|l| l.quantity).collect::<Vec<_>>(),
        [1, 3]
    );
    // Nothing else was lost.
    assert!(b.with(|d| query::customer(d.conn(), other.0).is_ok()));
    assert_converged(&server, &[&a, &b]);
}

/// A placement within the limit on the device that the server finds over it (a
/// colleague used the limit up meanwhile) is held there, not refused: it reaches a
/// manager instead of the clerk's "needs attention"; released, it is placed everywhere.
#[test]
fn spending_limit_used_up_by_a_colleague_holds_the_order_on_sync() {
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    let c = customer(&a, "C-1", Some(30_000));
    let p = product(&a, "P", 10_000);
    a.sync();
    b.sync();
    let oa = order(&a, c, &[(p, 2)]); // 24,200 gross
    a.exec(Command::PlaceOrder(PlaceOrder { order_id: oa }))
        .unwrap();
    let ob = order(&b, c, &[(p, 1)]); // 12,100 gross: fine alone, not after a's
    b.exec(Command::PlaceOrder(PlaceOrder { order_id: ob }))
        .unwrap();
    let status = |cl: &Client| cl.with(|d| query::order(d.conn(), ob.0).unwrap().order.status);
    assert_eq!(
        status(&b),
        OrderStatus::Placed,
        "within the limit as b knew it"
    );
    a.sync();
    let report = b.sync();
    assert_eq!(report.rejected, 0);
    assert!(b.with(|d| d.read().needs_attention().unwrap()).is_empty());
    assert_eq!(status(&b), OrderStatus::Held);
    let open =
        |cl: &Client| cl.with(|d| query::customer(d.conn(), c.0).unwrap().customer.open_total);
    assert_eq!(open(&b), Money(24_200), "a held order counts nowhere");

    // The manager's device sees it waiting, placed by bob, and releases it.
    a.sync();
    let queue = a.with(|d| d.read().approvals().unwrap());
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].id, queue[0].held_by.as_str()), (ob.0, "bob"));
    a.exec(Command::ReleaseOrder(ReleaseOrder { order_id: ob }))
        .unwrap();
    a.sync();
    b.sync();
    assert_eq!(status(&b), OrderStatus::Placed);
    assert_eq!(open(&b), Money(36_300));
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn a_retry_after_the_answer_was_cut_duplicates_nothing() {
    let server = Server::start();
    let token = server.token("laptop");
    // The first sync binds through a clean connection; then the push's answer is cut.
    let direct = Client::new(&server.url(), &token, "alice");
    direct.sync();
    let proxy = Proxy::start(server.addr, 1, Duration::from_secs(120));
    proxy.cut_next(1);
    // Same store, two engines: one through the proxy, one direct.
    let (engine, _) = Engine::new(
        direct.db.clone(),
        &ServerConfig {
            url: proxy.url(),
            token: token.clone(),
        },
    )
    .unwrap();
    let c = customer(&direct, "C-1", None);
    let p = product(&direct, "P", 100);
    order(&direct, c, &[(p, 1), (p, 2)]);
    let err = rt()
        .block_on(engine.sync_once())
        .expect_err("the answer was cut");
    assert!(err.is_transient(), "{err}");
    assert_eq!(
        direct.with(|d| d.read().outbox_counts().unwrap().pending),
        5,
        "still waiting"
    );
    // Retry: the server recognises every command.
    let report = direct.sync();
    assert_eq!(report.rejected, 0);
    assert_eq!(
        direct.with(|d| d.read().outbox_counts().unwrap().pending),
        0
    );
    let server_events = {
        let fresh = Client::new(&server.url(), &server.token("fresh"), "fresh");
        fresh.sync();
        fresh.with(|d| event_ids(d).len())
    };
    assert_eq!(server_events, 5, "each command's events exactly once");
    assert_converged(&server, &[&direct]);
}

#[test]
fn a_new_device_pulls_the_whole_history() {
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    a.with(|d| daybook_demo::workload(d, 60, 7, |_, _| {}).map(|_| ()))
        .unwrap();
    a.sync();
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    let report = b.sync();
    assert!(report.pulled > 500, "pulled {}", report.pulled);
    assert_converged(&server, &[&a, &b]);
}

#[test]
fn a_running_engine_sees_a_colleagues_command_by_itself() {
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    b.sync();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let engine = b.engine.clone();
    let running = rt().spawn(engine.run(async {
        let _ = stop_rx.await;
    }));
    let c = customer(&a, "C-LIVE", None);
    a.sync();
    // The live channel tells b; no one calls sync on b.
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.with(|d| query::customer(d.conn(), c.0).is_err()) {
        assert!(Instant::now() < deadline, "b never saw the new customer");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(b.handle.status().online);
    let _ = stop_tx.send(());
    rt().block_on(running).expect("the engine stops");
}

#[test]
fn tenants_are_isolated_and_bad_requests_get_4xx() {
    let server = Server::start();
    let other = admin(server.data.path(), &["account", "create", "Other Ltd"]);
    let token = server.token("laptop");
    let http = daybook_testkit::http::client();
    let base = server.url();
    for (method, path) in [
        ("GET", format!("/v1/accounts/{other}/events?after=0")),
        ("POST", format!("/v1/accounts/{other}/commands")),
        ("GET", format!("/v1/accounts/{other}/live")),
    ] {
        let status = rt().block_on(async {
            let req = match method {
                "GET" => http.get(format!("{base}{path}")),
                _ => http
                    .post(format!("{base}{path}"))
                    .header("content-type", "application/json")
                    .body(r#"{"commands":[]}"#),
            };
            req.bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        assert_eq!(status, 404, "{method} {path}");
    }
    let own = &server.account;
    for body in ["{", r#"{"commands": 5}"#, &"x".repeat(9 * 1024 * 1024)] {
        let status = rt().block_on(async {
            http.post(format!("{base}/v1/accounts/{own}/commands"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(413)
        });
        assert!((400..500).contains(&status), "{status}");
    }
    // Still serving.
    let a = Client::new(&base, &token, "alice");
    customer(&a, "C-1", None);
    assert_eq!(a.sync().pushed, 1);
}

#[test]
fn the_cli_syncs_after_writes_and_on_demand() {
    use crate::support::Book;
    let server = Server::start();
    let url = server.url();
    let (ta, tb) = (server.token("cli-a"), server.token("cli-b"));
    let a = Book::new();
    let b = Book::new();
    // The options are remembered; the write is pushed at once.
    a.ok(&[
        "--server",
        &url,
        "--token",
        &ta,
        "customer",
        "add",
        "--name",
        "Brouwerij Noord",
    ]);
    assert_eq!(a.json(&["sync", "--status"])["pending"], 0);
    let out = b.json(&["--server", &url, "--token", &tb, "sync"]);
    assert_eq!(out["state"], "online");
    assert_eq!(out["online"], true);
    assert_eq!(out["pulled"], 1);
    let customers = b.json(&["customer", "list"]);
    assert!(
        customers.to_string().contains("Brouwerij Noord"),
        "{customers}"
    );
    // Offline: the write succeeds locally and waits.
    drop(server);
    a.ok(&["customer", "add", "--name", "Offline BV"]);
    let status = a.json(&["sync", "--status"]);
    assert_eq!(status["pending"], 1);
    // Offline is an exit code of its own (4), so a script can tell it apart.
    let offline = a.json_exiting(&["sync"], 4);
    assert_eq!(offline["state"], "offline");
    assert_eq!(offline["online"], false);
    assert_eq!(offline["pending"], 1);
    assert_eq!(a.json(&["attention"]), serde_json::json!([]));
}

#[test]
fn a_logo_set_on_one_device_reaches_the_others_whole() {
    use daybook_testkit::commands::{TINY_PNG, set_company_details, set_company_logo};
    let server = Server::start();
    let a = Client::new(&server.url(), &server.token("laptop"), "alice");
    let b = Client::new(&server.url(), &server.token("tablet"), "bob");
    a.exec(set_company_details("Daybook Trading BV").into())
        .unwrap();
    a.exec(set_company_logo(Some(TINY_PNG)).into()).unwrap();
    a.sync();
    b.sync();
    let logo = |c: &Client| c.with(|d| d.read().company()).unwrap().and_then(|c| c.logo);
    let on_b = logo(&b).expect("the logo reached the tablet");
    assert_eq!(on_b.image().unwrap(), TINY_PNG, "byte for byte");
    assert_eq!(logo(&a), Some(on_b));
    // Removed on the tablet: the laptop follows.
    b.exec(set_company_logo(None).into()).unwrap();
    b.sync();
    a.sync();
    assert_eq!(logo(&a), None);
    assert_converged(&server, &[&a, &b]);
}
