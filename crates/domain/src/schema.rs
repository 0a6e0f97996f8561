//! The schema versions this build knows: each event type's (the `events!` list) and
//! each command type's (1 for every command so far; a command whose JSON form changes
//! gets a new version, sent with it as `PushCommand::schema_version`). Client and
//! server tell each other theirs (`/v1/me`); a server refuses a command of a type or
//! version it does not know (that command alone), and a client stops applying pulled
//! events at one it cannot read, until it is updated.
//!
//! **The next build, for tests (feature `next-schema`):** a process of a build with
//! the feature that calls [`preview`] (the binaries do when [`PREVIEW_VAR`] is set) acts as the next build would: [`PREVIEW_EVENT`] and [`PREVIEW_COMMAND`] are one
//! version newer (the payload is unchanged; the older version is upcast as is). So the
//! version-skew tests run an older and a newer build without compiling twice. Without
//! the feature, [`preview`] does not exist and nothing here changes a version.

#[cfg(feature = "next-schema")]
use std::sync::atomic::{AtomicBool, Ordering};

/// The event type one version newer in the next build.
pub const PREVIEW_EVENT: &str = "CustomerBlocked";
/// The command type one version newer in the next build.
pub const PREVIEW_COMMAND: &str = "BlockCustomer";

#[cfg(feature = "next-schema")]
static NEXT: AtomicBool = AtomicBool::new(false);

/// From now on, this process acts as the next build (see the module docs); false
/// (and nothing changes) in a build without the `next-schema` feature.
pub fn preview() -> bool {
    #[cfg(feature = "next-schema")]
    {
        NEXT.store(true, Ordering::SeqCst);
        true
    }
    #[cfg(not(feature = "next-schema"))]
    {
        false
    }
}

/// The variable that makes a binary of a `next-schema` build act as the next build.
pub const PREVIEW_VAR: &str = "DAYBOOK_NEXT_SCHEMA";

/// Whether this process acts as the next build.
pub fn is_preview() -> bool {
    #[cfg(feature = "next-schema")]
    {
        NEXT.load(Ordering::SeqCst)
    }
    #[cfg(not(feature = "next-schema"))]
    {
        false
    }
}

/// `version` of `name` (an event or command type) as this process knows it.
pub(crate) fn bumped(name: &str, version: u32) -> u32 {
    if is_preview() && (name == PREVIEW_EVENT || name == PREVIEW_COMMAND) {
        version + 1
    } else {
        version
    }
}

/// The newest version of command type `name` this build knows, if it knows the type.
pub fn command_version(name: &str) -> Option<u32> {
    crate::Command::NAMES
        .contains(&name)
        .then(|| bumped(name, 1))
}

/// The newest version of event type `name` this build knows, if it knows the type.
pub fn event_version(name: &str) -> Option<u32> {
    crate::Event::current_version(name)
}

/// Type names with the newest version of each this build knows.
pub type Versions = Vec<(&'static str, u32)>;

/// Every event type and every command type with the newest version this build knows.
pub fn known() -> (Versions, Versions) {
    let events = crate::Event::TYPES
        .iter()
        .map(|(name, _, v)| (*name, bumped(name, *v)))
        .collect();
    let commands = crate::Command::NAMES
        .iter()
        .map(|name| (*name, bumped(name, 1)))
        .collect();
    (events, commands)
}

/// Whether this build can read an event of `name` at `version` (a known type, at
/// most the newest version it knows).
pub fn can_read(name: &str, version: u32) -> bool {
    event_version(name).is_some_and(|known| version <= known)
}

/// The upcast step the next build adds: the payload is unchanged.
pub(crate) fn is_preview_step(name: &str, version: u32) -> bool {
    is_preview()
        && name == PREVIEW_EVENT
        && crate::Event::TYPES
            .iter()
            .any(|(n, _, v)| *n == name && *v == version)
}
