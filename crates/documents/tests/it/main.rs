//! The documents crate's tests.
