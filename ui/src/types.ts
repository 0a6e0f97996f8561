//! The IPC types the screens use: every type of `bindings.ts`, which tauri-specta
//! generates from the Rust types (never written by hand), plus a few readable aliases
//! for plain strings. A type added in Rust is importable from here with no edit.

export type * from "./bindings";

/** A UUID as text. */
export type Uuid = string;
/** `YYYY-MM-DD`, a UTC day. */
export type NaiveDate = string;
/** An RFC 3339 UTC timestamp. */
export type DateTimeUtc = string;
