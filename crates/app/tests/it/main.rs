//! Integration tests of the application service over a real SQLite store.

mod architecture;
mod engine;
mod fixtures;
mod flow;
mod history;
mod rebuild;
mod replica;
