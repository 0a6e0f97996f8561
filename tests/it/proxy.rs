//! A fault-injecting TCP proxy on loopback, between sync clients and the server.
//!
//! It reads each HTTP/1.1 request whole, marks it `Connection: close` (so every
//! connection carries one request and a fault hits one request), and then, as the
//! seeded dice say, forwards it cleanly or injects a fault:
//! - `drop`: the connection is closed before anything reaches the server;
//! - `reset`: the same with a TCP reset (SO_LINGER 0);
//! - `cut`: the request is forwarded, the server commits, the answer is thrown away;
//! - `truncate`: the answer is cut off halfway;
//! - `delay`: the request waits 5-150 ms before it is forwarded;
//! - `reorder`: the client's connection is closed at once (it retries on a new one),
//!   and the request reaches the server later, after the retry as a rule: a stale
//!   push arriving after a newer one.
//!
//! The upstream can be switched (a restarted server on a new port); while it is down,
//! connections are closed. Everything runs on the tests' tokio runtime and stops by
//! itself after its lifetime.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::sync::rt;
use daybook_testkit::Rng;

/// The kinds of fault, by name.
pub const FAULTS: [&str; 6] = ["drop", "reset", "cut", "truncate", "delay", "reorder"];

/// Longest any one connection is served (then it is closed).
const CONNECTION_LIMIT: Duration = Duration::from_secs(60);

struct State {
    upstream: Mutex<SocketAddr>,
    rng: Mutex<Rng>,
    /// Percent of requests that get a fault.
    fault_percent: AtomicU64,
    /// The next this many requests get `forced`, whatever the dice say.
    forced_next: AtomicUsize,
    forced: Mutex<&'static str>,
    counts: Mutex<BTreeMap<&'static str, u64>>,
    requests: AtomicU64,
    /// Live-channel requests get their first answer bytes, then silence on an open
    /// connection (a connection that died without a word).
    stall_live: std::sync::atomic::AtomicBool,
}

/// A running proxy.
#[derive(Clone)]
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl Proxy {
    /// A proxy to `upstream`, clean until [`Proxy::set_faults`], serving for
    /// `lifetime`.
    pub fn start(upstream: SocketAddr, seed: u64, lifetime: Duration) -> Proxy {
        let listener = rt()
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("the proxy binds");
        let addr = listener.local_addr().expect("an address");
        let state = Arc::new(State {
            upstream: Mutex::new(upstream),
            rng: Mutex::new(Rng::new(seed)),
            fault_percent: AtomicU64::new(0),
            forced_next: AtomicUsize::new(0),
            forced: Mutex::new("cut"),
            counts: Mutex::default(),
            requests: AtomicU64::new(0),
            stall_live: std::sync::atomic::AtomicBool::new(false),
        });
        let s = state.clone();
        rt().spawn(async move {
            let deadline = Instant::now() + lifetime;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(Ok((inbound, _))) = tokio::time::timeout(left, listener.accept()).await
                else {
                    break;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIMIT, serve(s, inbound)).await;
                });
            }
        });
        Proxy { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends requests to `upstream` from now on.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.state.upstream.lock().unwrap() = upstream;
    }

    /// Injects a fault into `percent` of the requests from now on (0: clean).
    pub fn set_faults(&self, percent: u64) {
        self.state.fault_percent.store(percent, Ordering::SeqCst);
    }

    /// Cuts the answers of the next `n` requests.
    pub fn cut_next(&self, n: usize) {
        self.force_next("cut", n);
    }

    /// Gives the next `n` requests the fault `kind` (one of [`FAULTS`]).
    pub fn force_next(&self, kind: &'static str, n: usize) {
        assert!(FAULTS.contains(&kind), "unknown fault {kind}");
        *self.state.forced.lock().unwrap() = kind;
        self.state.forced_next.store(n, Ordering::SeqCst);
    }

    /// Stalls every live-channel request from now on (`stall` in the counts): its
    /// first answer bytes pass, then nothing, on a connection kept open.
    pub fn stall_live(&self, on: bool) {
        self.state.stall_live.store(on, Ordering::SeqCst);
    }

    /// Faults injected so far, by kind.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.state.counts.lock().unwrap().clone()
    }

    /// Faults injected so far.
    pub fn faults(&self) -> u64 {
        self.counts().values().sum()
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }
}

/// Which fault (if any) the next request gets, and its delay.
fn choose(s: &State) -> (Option<&'static str>, u64) {
    if s.forced_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (Some(*s.forced.lock().unwrap()), 50);
    }
    let percent = s.fault_percent.load(Ordering::SeqCst);
    let mut rng = s.rng.lock().unwrap();
    if percent == 0 || !rng.chance(percent) {
        return (None, 0);
    }
    let kind = FAULTS[rng.below(FAULTS.len() as u64) as usize];
    (Some(kind), rng.range(5, 150))
}

fn count(s: &State, kind: &'static str) {
    *s.counts.lock().unwrap().entry(kind).or_default() += 1;
}

async fn serve(s: Arc<State>, mut inbound: TcpStream) {
    let Some(request) = read_request(&mut inbound).await else {
        return;
    };
    s.requests.fetch_add(1, Ordering::SeqCst);
    let upstream = *s.upstream.lock().unwrap();
    let is_live = request
        .split(|b| *b == b'\n')
        .next()
        .is_some_and(|line| String::from_utf8_lossy(line).contains("/live"));
    if is_live && s.stall_live.load(Ordering::SeqCst) {
        count(&s, "stall");
        let Ok(mut outbound) = TcpStream::connect(upstream).await else {
            return;
        };
        if outbound.write_all(&request).await.is_ok() {
            let pass = tokio::io::copy(&mut outbound, &mut inbound);
            let _ = tokio::time::timeout(Duration::from_millis(300), pass).await;
        }
        // Silence, with both connections open, until the connection limit.
        std::future::pending::<()>().await;
    }
    let (fault, delay) = choose(&s);
    if let Some(kind) = fault {
        count(&s, kind);
    }
    match fault {
        Some("drop") => drop(inbound),
        Some("reset") => {
            let _ = inbound.set_zero_linger();
            drop(inbound);
        }
        Some("reorder") => {
            drop(inbound);
            tokio::time::sleep(Duration::from_millis(delay * 2)).await;
            let _ = exchange(upstream, &request).await;
        }
        Some("cut") => {
            let _ = exchange(upstream, &request).await;
            drop(inbound);
        }
        Some("truncate") => {
            if let Some(answer) = exchange(upstream, &request).await {
                let _ = inbound.write_all(&answer[..truncated(&answer)]).await;
            }
            let _ = inbound.set_zero_linger();
            drop(inbound);
        }
        other => {
            if other == Some("delay") {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                return; // the server is down: the client sees the connection close
            };
            if outbound.write_all(&request).await.is_err() {
                return;
            }
            let _ = tokio::io::copy(&mut outbound, &mut inbound).await;
            let _ = inbound.shutdown().await;
        }
    }
}

/// Sends `request` upstream and reads the whole answer (the server closes after it),
/// or what came until the answer paused for a second (the live channel never ends).
async fn exchange(upstream: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut outbound = TcpStream::connect(upstream).await.ok()?;
    outbound.write_all(request).await.ok()?;
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    while let Ok(Ok(n)) =
        tokio::time::timeout(Duration::from_secs(1), outbound.read(&mut buf)).await
    {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    Some(answer)
}

/// Where to cut an answer: in the middle of its body (the head arrives whole, the
/// client starts reading, the rest never comes), or of its head if it has no body.
fn truncated(answer: &[u8]) -> usize {
    match answer.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) if answer.len() > end + 5 => end + 4 + (answer.len() - end - 4) / 2,
        _ => answer.len() / 2,
    }
}

/// Reads one whole HTTP/1.1 request (headers and Content-Length body) and returns it
/// with `Connection: close` instead of any Connection header.
async fn read_request(inbound: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 1 << 16];
    let mut request = Vec::new();
    loop {
        let n = inbound.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(end) = complete_request(&request) {
            return Some(close_after(&request, end));
        }
    }
}

/// The end of the headers if `buf` holds a whole request (headers and body).
pub fn complete_request(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    (buf.len() >= end + 4 + len).then_some(end)
}

fn close_after(request: &[u8], end: usize) -> Vec<u8> {
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        let is_connection = line
            .split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"));
        if !is_connection {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request[end + 4..]);
    bytes
}
