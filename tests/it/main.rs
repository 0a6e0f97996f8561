//! System tests: the real `daybook` binary, run as a process on temporary data
//! directories, checked by its exit codes, its one-line errors and its `--json`.
//!
//! The binary is found next to this test executable (`target/<profile>/daybook`);
//! `make test` builds it first. By hand: `cargo build -p daybook-cli`, then
//! `cargo test -p daybook-system-tests`. `DAYBOOK_BIN` points at another build.

// This crate is test code only: its helpers (not just `#[test]` functions, which
// clippy.toml already covers) may unwrap.
#![allow(clippy::unwrap_used)]

mod adopt;
mod approvals;
mod backup;
mod bad_input;
mod cluster;
mod company;
mod crash;
mod demo;
mod exec;
mod faults;
mod flow;
mod hardening;
mod history;
mod import;
mod people;
mod print;
mod proxy;
mod random;
mod rebuild;
mod scaleout;
mod simulation;
mod skew;
mod snapshots;
mod support;
mod sync;
mod tidy;
