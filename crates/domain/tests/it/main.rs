//! The domain crate's one integration-test binary: every rule as given/when/then,
//! upcaster fixtures and JSON shapes.

mod address_label;
mod company;
mod customer;
mod draft;
mod edge_json;
mod guard;
mod harness;
mod held;
mod json;
mod order;
mod permission;
mod product;
mod upcast;
