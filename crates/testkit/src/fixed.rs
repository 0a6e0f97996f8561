//! Fixed ids and envelopes: the same input on every run, so what a test prints or
//! stores (snapshots, hashes) does not change from run to run.

use chrono::{DateTime, Duration, Utc};
use daybook_domain::{Command, CommandEnvelope};
use uuid::Uuid;

/// A readable, fixed id of any id type: `id(1)` is
/// `00000000-0000-0000-0000-000000000001`.
pub fn id<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

/// Hands out envelopes with fixed command ids (`id(first)`, `id(first + 1)`, ...) at
/// fixed times (`start`, `start + step`, ...).
#[derive(Debug, Clone)]
pub struct Envelopes {
    next: u128,
    at: DateTime<Utc>,
    step: Duration,
}

impl Envelopes {
    /// The first envelope gets command id `id(first)` and time `start`.
    pub fn new(first: u128, start: DateTime<Utc>, step: Duration) -> Envelopes {
        Envelopes {
            next: first,
            at: start,
            step,
        }
    }

    /// Wraps `command` in the next envelope.
    pub fn wrap(&mut self, command: impl Into<Command>) -> CommandEnvelope {
        let env = CommandEnvelope {
            command_id: id(self.next),
            issued_at: self.at,
            command: command.into(),
        };
        self.next += 1;
        self.at += self.step;
        env
    }
}
