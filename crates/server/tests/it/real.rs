//! A real `daybook-server serve` process on loopback for the tests that measure it
//! (memory, descriptors, latency): accounts and tokens are made on its data directory
//! before it starts; it is killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use daybook_protocol::{PushCommand, PushRequest, PushResponse};
use daybook_server::{SqliteStore, Store};
use tempfile::TempDir;
use tokio::net::{TcpSocket, TcpStream};
use uuid::Uuid;

/// An account with a device token.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account: Uuid,
    pub token: String,
}

pub struct RealServer {
    pub _dir: TempDir,
    pub child: Child,
    pub addr: SocketAddr,
    pub base: String,
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes `tenants` accounts (one token each) in a fresh data directory.
pub async fn data_with(tenants: usize) -> (TempDir, Vec<Tenant>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let mut out = Vec::new();
    for i in 0..tenants {
        let account = store.create_account(&format!("Tenant {i}")).await.unwrap();
        let token = store
            .create_token(account, "laptop", daybook_domain::Role::Admin)
            .await
            .unwrap()
            .token;
        out.push(Tenant { account, token });
    }
    (dir, out)
}

/// A second token of `tenant`'s account, made while the server runs (the registry is
/// shared through the file).
pub async fn another_token(dir: &Path, tenant: &Tenant, device: &str) -> (Uuid, String) {
    let store = SqliteStore::open(dir).unwrap();
    let t = store
        .create_token(tenant.account, device, daybook_domain::Role::Admin)
        .await
        .unwrap();
    (t.device_id, t.token)
}

/// Starts `daybook-server serve` on `dir` (on a free loopback port), under
/// `prlimit --nofile=N:N` when `files` is given; waits for its address.
/// `DAYBOOK_SERVER_BIN` runs another build (to show a test fails on an older one).
pub fn start(dir: TempDir, files: Option<u64>, extra: &[&str]) -> RealServer {
    let bin = std::env::var("DAYBOOK_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_daybook-server").to_string());
    let mut cmd = match files {
        Some(n) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--nofile={n}:{n}")).arg("--").arg(&bin);
            c
        }
        None => Command::new(&bin),
    };
    cmd.env_remove("DAYBOOK_SERVER_DATA")
        .env("RUST_LOG", "warn,daybook_server=info")
        .arg("--data")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let addr: SocketAddr = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => a.parse().unwrap(),
        Err(e) => {
            let _ = child.kill();
            panic!("no address: {e}");
        }
    };
    RealServer {
        _dir: dir,
        child,
        addr,
        base: format!("http://{addr}"),
    }
}

impl RealServer {
    /// The process's resident memory in MB (`VmRSS` of `/proc/PID/status`).
    pub fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kb / 1024.0
    }

    /// Open file descriptors of the process.
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    pub fn commands_uri(&self, t: &Tenant) -> String {
        format!("{}/v1/accounts/{}/commands", self.base, t.account)
    }

    /// A raw connection from the loopback address `from` (127.0.0.x: each its own
    /// client address to the server).
    pub async fn connect_from(&self, from: [u8; 4]) -> std::io::Result<TcpStream> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(IpAddr::from(from), 0))?;
        socket.connect(self.addr).await
    }
}

/// Pushes `commands` for `t` and returns the answer and how long it took.
pub async fn timed_push(
    http: &reqwest::Client,
    server: &RealServer,
    t: &Tenant,
    commands: Vec<PushCommand>,
) -> (Result<PushResponse, String>, Duration) {
    let start = Instant::now();
    let res = http
        .post(server.commands_uri(t))
        .bearer_auth(&t.token)
        .json(&PushRequest { commands })
        .send()
        .await;
    let out = match res {
        Ok(r) if r.status() == 200 => r.json::<PushResponse>().await.map_err(|e| e.to_string()),
        Ok(r) => Err(format!(
            "{}: {}",
            r.status(),
            r.text().await.unwrap_or_default()
        )),
        Err(e) => Err(e.to_string()),
    };
    (out, start.elapsed())
}

/// The `p`-th percentile (0..=100) of `v` (sorted here).
pub fn percentile(v: &mut [Duration], p: usize) -> Duration {
    v.sort();
    let i = (v.len() * p)
        .div_ceil(100)
        .saturating_sub(1)
        .min(v.len() - 1);
    v[i]
}

/// Raises this test process's own file limit (it opens thousands of sockets).
pub fn raise_own_file_limit() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
}
