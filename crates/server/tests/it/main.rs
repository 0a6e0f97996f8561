//! The server's integration tests: the router driven with `oneshot` over real SQLite
//! files in temp dirs, one run on a real socket (with the live channel), and one of
//! the real `daybook-server` binary.

// Helpers outside `#[test]` functions unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod adopt;
mod backup;
mod bad_input;
mod below;
mod claims;
mod claims_real;
mod document;
mod fairness;
mod floods;
mod hostile;
mod isolation;
mod openapi;
mod people;
mod pg_backup;
mod process;
mod pull;
mod push;
mod real;
mod scaleout;
mod socket;
mod support;
mod tenancy;
mod waiting;
