//! Daybook's test kit: what the tests of every crate (and the benchmark's workload)
//! would otherwise write again, in one place.
//!
//! - [`commands`]: builders of the command structs with sensible defaults, adjusted
//!   with struct update syntax: `RegisterCustomer { spending_limit: Some(Money(500)),
//!   ..register_customer(id, "C-1", "Acme") }`.
//! - [`sample`]: sample records with fresh ids and the names the tests share
//!   (customer `C-1` is "Customer C-1"), each as its id and its command.
//! - [`fixed`]: readable fixed ids (`id(0xC1)`) and envelopes with fixed ids and times,
//!   for tests whose output must not change from run to run (snapshots).
//! - [`rng`]: the seeded RNG (`daybook_demo::Rng`) and the seed conventions of the
//!   seeded harnesses: the seed comes from an environment variable or the clock, is
//!   printed, and is printed again with the variable that reproduces a failed run.
//! - [`damage`]: a store file damaged on purpose (a garbled page).
//! - [`dump`]: the read models (and the event log) as comparable text, to hold an
//!   incremental store against a rebuild, a replica or a reference.
//!
//! **Architecture Invariant:** dev-only. No shipped crate depends on this one (it is
//! a dev-dependency everywhere but in `daybook-bench`). Crates this kit depends on
//! (domain, app, demo) use it from their integration tests only: a unit test inside
//! such a crate would see a second copy of the crate's types.

pub mod commands;
pub mod damage;
pub mod dump;
pub mod fixed;
pub mod http;
pub mod rng;
pub mod sample;

pub use commands::*;
pub use fixed::{Envelopes, id};
pub use rng::{Rng, SeedGuard, env_number, seed};

use daybook_app::{Daybook, OpenOptions};

/// An in-memory Daybook with commands given by `user` on `device`.
///
/// # Panics
/// When SQLite cannot open an in-memory database.
pub fn open_in_memory(user: &str, device: &str) -> Daybook {
    Daybook::open_in_memory(OpenOptions {
        user: Some(user.into()),
        device: Some(device.into()),
        ..OpenOptions::default()
    })
    .unwrap_or_else(|e| panic!("an in-memory Daybook opens: {e}"))
}
