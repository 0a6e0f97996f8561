//! The domain crate's one integration-test binary: every rule as given/when/then,
//! upcaster fixtures and JSON shapes.

mod customer;
mod edge_json;
mod guard;
mod harness;
mod json;
mod order;
mod product;
mod upcast;
