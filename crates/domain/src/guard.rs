//! The lost-update guard. Two devices may change the same order offline; a change
//! carries the values its user saw (`seen`), and each guarded value is merged three
//! ways: a value the user left as they saw it takes whatever it is now (a colleague's
//! change stands), a value only the user changed takes the user's, and a value both
//! changed to different things is refused (`ChangedMeanwhile`) instead of overwritten.
//! The refusal reaches the device's needs-attention list with both values.

use crate::error::DomainError;
use crate::values::GuardedField;

/// Merges one value: `seen` by the user, `current` in the record, `yours` wanted.
pub(crate) fn merge<T: PartialEq + Clone>(
    field: GuardedField,
    seen: &T,
    current: &T,
    yours: &T,
    show: impl Fn(&T) -> String,
) -> Result<T, DomainError> {
    if yours == seen {
        return Ok(current.clone());
    }
    if current == seen || current == yours {
        return Ok(yours.clone());
    }
    Err(DomainError::ChangedMeanwhile {
        field,
        seen: show(seen),
        current: show(current),
        yours: show(yours),
    })
}

/// An optional text as a person reads it in a message: quoted, cut after 40
/// characters, "empty" for none.
pub(crate) fn show_text(v: &Option<String>) -> String {
    match v {
        None => "empty".to_string(),
        Some(t) if t.chars().count() > 40 => {
            format!("\"{}…\"", t.chars().take(40).collect::<String>())
        }
        Some(t) => format!("\"{t}\""),
    }
}
