//! The seeded RNG and the seed conventions of the seeded harnesses.
//!
//! A harness takes its seed from [`seed`]: from its environment variable when set
//! (`DAYBOOK_SIM_SEED=...`), else from the clock; the seed is printed at the start,
//! and printed again with the variable that reproduces the run if the test fails.
//! Everything random in the run is then drawn from [`Rng`]s seeded from it, so the
//! seed reproduces the run.

pub use daybook_demo::Rng;

/// A number from the environment variable `name`, or `default` (unset or not a
/// number).
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The seed of a run: `var` if set, else from the clock. Printed now, and again by the
/// returned guard if the test fails, with the variable that reproduces the run.
pub fn seed(var: &'static str, test: &'static str) -> (u64, SeedGuard) {
    let seed = std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("{test}: seed {seed} ({var}={seed} reproduces it)");
    (seed, SeedGuard { var, test, seed })
}

/// Prints the seed when the test panics: keep it alive for the whole test.
#[must_use = "the guard prints the seed of a failed run when dropped"]
pub struct SeedGuard {
    var: &'static str,
    test: &'static str,
    seed: u64,
}

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "{} FAILED with seed {}: rerun with {}={}",
                self.test, self.seed, self.var, self.seed
            );
        }
    }
}
