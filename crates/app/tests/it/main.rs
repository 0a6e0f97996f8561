//! Integration tests of the application service over a real SQLite store.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap freely

mod backup;
mod catalog;
mod drafts;
mod engine;
mod fixtures;
mod flow;
mod golden;
mod held;
mod history;
mod people;
mod readable;
mod rebuild;
mod replica;
mod view;
