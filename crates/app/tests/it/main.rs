//! Integration tests of the application service over a real SQLite store.

mod fixtures;
mod flow;
