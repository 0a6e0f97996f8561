//! The upcasters: a stored event of any type, any schema version and any payload is
//! decoded by `daybook_domain::upcast::decode` into the current event or a typed error,
//! never a panic. Input: `<event type>\n<schema version>\n<payload JSON>` (the seeds are
//! the domain's fixtures of every version). A decoded event must re-encode and decode
//! at the current version to itself, and folding it into its stream must not panic.
#![no_main]

use daybook_domain::{Aggregate, Event, upcast};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let (Some(event_type), Some(version), Some(payload)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let Ok(version) = version.trim().parse::<u32>() else {
        return;
    };
    let Ok(event) = upcast::decode(event_type, version, payload) else {
        return;
    };
    assert_eq!(event.event_type(), event_type);
    assert_eq!(
        Event::current_version(event_type),
        Some(event.schema_version())
    );
    let stored = event.payload_json().expect("encodes");
    let again = upcast::decode(event_type, event.schema_version(), &stored).expect("re-decodes");
    assert_eq!(again, event);
    let mut state = Aggregate::new(event.stream_type());
    state.apply(&event);
    let _ = state.state_json();
});
