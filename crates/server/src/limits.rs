//! The service limits: what one token, one address and the whole server may hold at
//! once, so no device, old client or stolen token can take the memory, the file
//! descriptors or the workers everyone else needs.
//!
//! - Requests: each authenticated request holds a slot of its token
//!   ([`Limits::requests_per_token`]) and of the server ([`Limits::requests_total`])
//!   from authentication to its answer; over either it is refused at once (429 for the
//!   token, 503 for the server) before its body is read.
//! - Body bytes: a request with a body reserves its declared length (the largest body
//!   when it declares none) before reading it, against its token's budget and the
//!   server's: in-flight bodies never hold more memory than these.
//! - Live streams: [`Limits::streams_per_device`] per device.
//! - Pulls: one at a time per device ([`Tracker::pull_lane`]; a second waits its
//!   turn), and each page is encoded on a blocking thread, so a device pulling at full
//!   speed holds at most one core and never the async workers the others need.
//! - Connections: [`Limits::connections_per_address`] per client address and
//!   [`Limits::connections_total`] in all (below the process's file limit); a
//!   connection over either is answered 503 and closed at once, so an address flooding
//!   the server never holds what the others need. A connection that sends no request
//!   (a new one, or one idle between requests) is closed after the header read
//!   timeout (`crate::HEADER_READ_TIMEOUT`).
//!
//! **Invariant:** every slot is an RAII guard: whatever way a request or a connection
//! ends (answer, error, cancel, panic), its slots are given back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

use crate::error::ApiError;

/// The limits (see the module docs); `Default` is what `daybook-server serve` uses
/// unless told otherwise.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests one token may have in flight (live streams aside).
    pub requests_per_token: usize,
    /// Requests the server has in flight.
    pub requests_total: usize,
    /// Body bytes one token may have in flight.
    pub body_bytes_per_token: usize,
    /// Body bytes the server has in flight.
    pub body_bytes_total: usize,
    /// Live streams one device may hold open.
    pub streams_per_device: usize,
    /// Connections one client address may hold open.
    pub connections_per_address: usize,
    /// Connections the server holds open (keep it below the file limit).
    pub connections_total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_token: 8,
            requests_total: 512,
            body_bytes_per_token: 2 * daybook_protocol::MAX_BODY_BYTES,
            body_bytes_total: 8 * daybook_protocol::MAX_BODY_BYTES,
            streams_per_device: 4,
            connections_per_address: 256,
            connections_total: 4096,
        }
    }
}

impl Limits {
    /// `connections_total` that leaves `reserve` of `file_limit` descriptors for
    /// databases, logs and accepting (at least 16).
    pub fn connections_for_file_limit(file_limit: u64, reserve: u64) -> usize {
        usize::try_from(file_limit.saturating_sub(reserve).max(16)).unwrap_or(usize::MAX)
    }
}

#[derive(Debug, Default)]
struct TokenUse {
    requests: usize,
    bytes: usize,
    streams: usize,
}

impl TokenUse {
    fn idle(&self) -> bool {
        self.requests == 0 && self.bytes == 0 && self.streams == 0
    }
}

#[derive(Debug, Default)]
struct Use {
    tokens: HashMap<Uuid, TokenUse>,
    requests: usize,
    bytes: usize,
    addresses: HashMap<IpAddr, usize>,
    connections: usize,
}

/// What is in use now, against [`Limits`]. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Tracker {
    limits: Arc<Limits>,
    used: Arc<Mutex<Use>>,
    lanes: Arc<Mutex<HashMap<Uuid, Arc<tokio::sync::Semaphore>>>>,
}

/// A device's turn to pull; the next pull of the device starts when it is dropped.
#[derive(Debug)]
pub struct Lane {
    tracker: Tracker,
    device: Uuid,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Drop for Lane {
    fn drop(&mut self) {
        let mut lanes = self
            .tracker
            .lanes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let sem = self.permit.take().map(|p| p.semaphore().clone());
        // The map's and this one: nobody else waits, so the entry goes.
        if let Some(sem) = sem
            && Arc::strong_count(&sem) == 2
        {
            lanes.remove(&self.device);
        }
    }
}

/// Which kind of slot a [`Slot`] gives back.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Request,
    Bytes(usize),
    Stream,
}

/// A held slot; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    tracker: Tracker,
    device: Uuid,
    kind: Kind,
}

/// A held connection; given back when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    tracker: Tracker,
    address: IpAddr,
}

fn busy_token(what: &str) -> ApiError {
    let mut e = ApiError::rate_limited(1);
    e.body.message = format!("this token has too many {what} in flight; try again shortly");
    e
}

impl Tracker {
    /// Nothing in use yet.
    pub fn new(limits: Limits) -> Self {
        Tracker {
            limits: Arc::new(limits),
            used: Arc::new(Mutex::new(Use::default())),
            lanes: Arc::default(),
        }
    }

    /// Waits for `device`'s turn to pull (one pull per device at a time).
    pub async fn pull_lane(&self, device: Uuid) -> Lane {
        let sem = {
            let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            lanes
                .entry(device)
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(1)))
                .clone()
        };
        // The semaphore is never closed.
        let permit = sem.acquire_owned().await.ok();
        Lane {
            tracker: self.clone(),
            device,
            permit,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Use> {
        // Counters only: a panic elsewhere left them consistent.
        self.used.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request slot of `device`'s token and of the server, or the refusal.
    pub fn request(&self, device: Uuid) -> Result<Slot, ApiError> {
        let mut used = self.lock();
        if used.requests >= self.limits.requests_total {
            return Err(ApiError::unavailable(
                "the server has too many requests in flight; try again shortly",
            ));
        }
        let token = used.tokens.entry(device).or_default();
        if token.requests >= self.limits.requests_per_token {
            return Err(busy_token("requests"));
        }
        token.requests += 1;
        used.requests += 1;
        Ok(self.slot(device, Kind::Request))
    }

    /// Reserves `bytes` of body for `device`'s token and the server, or the refusal.
    pub fn body(&self, device: Uuid, bytes: usize) -> Result<Slot, ApiError> {
        let mut used = self.lock();
        if used.bytes.saturating_add(bytes) > self.limits.body_bytes_total {
            return Err(ApiError::unavailable(
                "the server is receiving too much data at once; try again shortly",
            ));
        }
        let token = used.tokens.entry(device).or_default();
        if token.bytes.saturating_add(bytes) > self.limits.body_bytes_per_token {
            return Err(busy_token("uploads"));
        }
        token.bytes += bytes;
        used.bytes += bytes;
        Ok(self.slot(device, Kind::Bytes(bytes)))
    }

    /// A live stream slot of `device`, or the refusal.
    pub fn stream(&self, device: Uuid) -> Result<Slot, ApiError> {
        let mut used = self.lock();
        let token = used.tokens.entry(device).or_default();
        if token.streams >= self.limits.streams_per_device {
            return Err(busy_token("live streams"));
        }
        token.streams += 1;
        Ok(self.slot(device, Kind::Stream))
    }

    /// A connection slot for a client at `address`, or `None` (over its address's
    /// share or the server's total).
    pub fn connection(&self, address: IpAddr) -> Option<ConnectionSlot> {
        let mut used = self.lock();
        if used.connections >= self.limits.connections_total {
            return None;
        }
        let n = used.addresses.entry(address).or_default();
        if *n >= self.limits.connections_per_address {
            return None;
        }
        *n += 1;
        used.connections += 1;
        Some(ConnectionSlot {
            tracker: self.clone(),
            address,
        })
    }

    fn slot(&self, device: Uuid, kind: Kind) -> Slot {
        Slot {
            tracker: self.clone(),
            device,
            kind,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = self.tracker.lock();
        let used = &mut *used;
        if let Some(token) = used.tokens.get_mut(&self.device) {
            match self.kind {
                Kind::Request => {
                    token.requests = token.requests.saturating_sub(1);
                    used.requests = used.requests.saturating_sub(1);
                }
                Kind::Bytes(n) => {
                    token.bytes = token.bytes.saturating_sub(n);
                    used.bytes = used.bytes.saturating_sub(n);
                }
                Kind::Stream => token.streams = token.streams.saturating_sub(1),
            }
            if token.idle() {
                used.tokens.remove(&self.device);
            }
        }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut used = self.tracker.lock();
        used.connections = used.connections.saturating_sub(1);
        if let Some(n) = used.addresses.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                used.addresses.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_given_back_and_tokens_do_not_share_theirs() {
        let t = Tracker::new(Limits {
            requests_per_token: 2,
            requests_total: 3,
            body_bytes_per_token: 10,
            body_bytes_total: 15,
            ..Limits::default()
        });
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let a1 = t.request(a).expect("a1");
        let _a2 = t.request(a).expect("a2");
        assert_eq!(t.request(a).expect_err("a3").status, 429);
        let _b1 = t.request(b).expect("b1");
        assert_eq!(t.request(c).expect_err("total").status, 503);
        drop(a1);
        let _a3 = t.request(a).expect("a slot back");
        let ab = t.body(a, 10).expect("10 bytes");
        assert_eq!(t.body(a, 1).expect_err("token budget").status, 429);
        let _bb = t.body(b, 5).expect("5 bytes");
        assert_eq!(t.body(c, 1).expect_err("total budget").status, 503);
        drop(ab);
        assert!(t.body(c, 10).is_ok());
    }

    #[test]
    fn connections_are_capped_per_address_and_in_all() {
        let t = Tracker::new(Limits {
            connections_per_address: 2,
            connections_total: 3,
            ..Limits::default()
        });
        let (x, y, z) = (
            IpAddr::from([127, 0, 0, 2]),
            IpAddr::from([127, 0, 0, 3]),
            IpAddr::from([127, 0, 0, 4]),
        );
        let x1 = t.connection(x).expect("x1");
        let _x2 = t.connection(x).expect("x2");
        assert!(t.connection(x).is_none(), "x over its share");
        let _y1 = t.connection(y).expect("y1");
        assert!(t.connection(z).is_none(), "over the total");
        drop(x1);
        assert!(t.connection(z).is_some());
    }
}
