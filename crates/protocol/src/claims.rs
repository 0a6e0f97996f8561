//! What the server takes of a device's claims about a pushed command: its time
//! (`issued_at`) and its device sequence. Here, not in the server, so a client can
//! check a command before it queues it and know what a refusal means.
//!
//! - `issued_at` lies in `[ISSUED_AT_FLOOR, now + MAX_ISSUED_AHEAD]` (the server's
//!   clock): a device offline for months still pushes its work, a device whose clock is
//!   years off does not write the far past or future into the account's history.
//! - A device sequence is after the last one the server recorded for the device and
//!   at most [`MAX_DEVICE_SEQ_STEP`] past it (a new device starts from 0), so no
//!   single push can use up the sequence's range (a push of `i64::MAX` would leave the
//!   device nothing to send next).

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{ErrorBody, ErrorCode, ErrorParams};

/// The earliest `issued_at` the server takes: 2000-01-01T00:00:00Z, in milliseconds.
pub const ISSUED_AT_FLOOR_MS: i64 = 946_684_800_000;
/// How far ahead of the server's clock a command's time may be, in seconds (a day:
/// clocks off by hours and time zones set wrong still push).
pub const MAX_ISSUED_AHEAD_SECS: i64 = 24 * 60 * 60;
/// How far past the last recorded device sequence a command's may be.
pub const MAX_DEVICE_SEQ_STEP: i64 = 1_000_000;

/// The times the server takes at `now`: earliest and latest, both included.
pub fn issued_at_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let floor = DateTime::from_timestamp_millis(ISSUED_AT_FLOOR_MS).unwrap_or(DateTime::UNIX_EPOCH);
    let ahead = TimeDelta::try_seconds(MAX_ISSUED_AHEAD_SECS).unwrap_or(TimeDelta::zero());
    (floor, now.checked_add_signed(ahead).unwrap_or(now))
}

/// `issued_at` within [`issued_at_window`] at `now`, else `issued_at_out_of_range`
/// with the window as `params.earliest` and `params.latest`.
pub fn check_issued_at(issued_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ErrorBody> {
    let (earliest, latest) = issued_at_window(now);
    if (earliest..=latest).contains(&issued_at) {
        return Ok(());
    }
    Err(ErrorBody::new(
        ErrorCode::IssuedAtOutOfRange,
        format!(
            "the command is dated {}, outside what the server takes ({} to {}); the \
             device's clock is wrong",
            issued_at.to_rfc3339(),
            earliest.to_rfc3339(),
            latest.to_rfc3339()
        ),
    )
    .with_field("issued_at")
    .with_params(ErrorParams {
        earliest: Some(earliest),
        latest: Some(latest),
        ..ErrorParams::default()
    }))
}

/// A command's device sequence against the last one recorded for its device (`None`:
/// none yet): after it (else `stale_device_seq`) and at most [`MAX_DEVICE_SEQ_STEP`]
/// past it (else `device_seq_too_far`). Both carry `params.last_seq`, the sequence to
/// continue from.
pub fn check_device_seq(device_seq: u64, last: Option<i64>) -> Result<(), ErrorBody> {
    let recorded = last.unwrap_or(0);
    let seq = i128::from(device_seq);
    let params = |max| ErrorParams {
        last_seq: Some(recorded),
        max,
        ..ErrorParams::default()
    };
    if last.is_some() && seq <= i128::from(recorded) {
        return Err(ErrorBody::new(
            ErrorCode::StaleDeviceSeq,
            format!(
                "device sequence {device_seq} is not after {recorded}, the last one this \
                 server recorded for the device, and the command is unknown"
            ),
        )
        .with_field("device_seq")
        .with_params(params(None)));
    }
    let max = recorded.saturating_add(MAX_DEVICE_SEQ_STEP);
    if seq > i128::from(max) {
        return Err(ErrorBody::new(
            ErrorCode::DeviceSeqTooFar,
            format!(
                "device sequence {device_seq} is too far past {recorded}, the last one this \
                 server recorded for the device (at most {max})"
            ),
        )
        .with_field("device_seq")
        .with_params(params(Some(max))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_takes_the_floor_and_a_day_ahead_and_nothing_outside() {
        let now = DateTime::from_timestamp_millis(1_780_000_000_000).expect("time");
        let (earliest, latest) = issued_at_window(now);
        assert!(check_issued_at(earliest, now).is_ok());
        assert!(check_issued_at(latest, now).is_ok());
        assert!(check_issued_at(now - TimeDelta::days(400), now).is_ok());
        for bad in [
            earliest - TimeDelta::milliseconds(1),
            latest + TimeDelta::milliseconds(1),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ] {
            let e = check_issued_at(bad, now).expect_err("outside");
            assert_eq!(e.code, ErrorCode::IssuedAtOutOfRange);
            assert_eq!(
                (e.params.earliest, e.params.latest),
                (Some(earliest), Some(latest))
            );
        }
    }

    #[test]
    fn a_sequence_moves_forward_by_a_bounded_step() {
        assert!(check_device_seq(1, None).is_ok());
        assert!(check_device_seq(MAX_DEVICE_SEQ_STEP as u64, None).is_ok());
        assert!(check_device_seq(8, Some(7)).is_ok());
        let stale = check_device_seq(7, Some(7)).expect_err("stale");
        assert_eq!(
            (stale.code, stale.params.last_seq),
            (ErrorCode::StaleDeviceSeq, Some(7))
        );
        for (seq, last) in [
            (i64::MAX as u64, Some(7)),
            (i64::MAX as u64, None),
            (u64::MAX, Some(i64::MAX - 1)),
            (MAX_DEVICE_SEQ_STEP as u64 + 8, Some(7)),
        ] {
            let e = check_device_seq(seq, last).expect_err("too far");
            assert_eq!(e.code, ErrorCode::DeviceSeqTooFar, "{seq} after {last:?}");
            assert_eq!(e.params.last_seq, Some(last.unwrap_or(0)));
        }
    }
}
