//! A per-device token bucket: `rate` requests per second on average, bursts of up to
//! `burst`. In memory, per server process (a restart forgets it, which is harmless).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Rate limit settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second per token; 0 turns limiting off.
    pub per_second: f64,
    /// Requests a token may make at once after being idle.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 100.0,
            burst: 200,
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every device that made a request.
pub(crate) struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long until one is free.
    pub(crate) fn check(&self, key: Uuid) -> Result<(), Duration> {
        let RateLimit { per_second, burst } = self.limit;
        if per_second <= 0.0 || !per_second.is_finite() {
            return Ok(());
        }
        let burst = f64::from(burst.max(1));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * per_second).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_with_a_wait() {
        let l = RateLimiter::new(RateLimit {
            per_second: 1.0,
            burst: 3,
        });
        let k = Uuid::now_v7();
        for _ in 0..3 {
            assert!(l.check(k).is_ok());
        }
        let wait = l.check(k).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        // Another key has its own bucket.
        assert!(l.check(Uuid::now_v7()).is_ok());
    }

    #[test]
    fn zero_rate_is_unlimited() {
        let l = RateLimiter::new(RateLimit {
            per_second: 0.0,
            burst: 1,
        });
        let k = Uuid::now_v7();
        for _ in 0..1000 {
            assert!(l.check(k).is_ok());
        }
    }
}
