//! The sync server's push body: any bytes are decoded as a `PushRequest` exactly as the
//! server's JSON extractor does, then checked by `validate_push`. Neither may panic;
//! a request that passes validation must satisfy what the push code relies on. The
//! lenient reader (`read_push`: commands of unknown types or versions answered alone)
//! must not panic either, and answers every command it sets aside.
#![no_main]

use daybook_protocol::{MAX_PUSH_COMMANDS, PushRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match daybook_server::sync::read_push(text) {
            Ok((known, unknown)) => {
                let answers: Vec<_> = unknown.iter().map(|(i, _)| *i).collect();
                assert!(answers.windows(2).all(|w| w[0] < w[1]), "{answers:?}");
                let merged = daybook_server::sync::merge_results(
                    Vec::new(),
                    unknown.clone(),
                );
                assert_eq!(merged.len(), unknown.len());
                drop(known);
            }
            Err(e) => assert!(e.status.is_client_error(), "{e:?}"),
        }
    }
    let Ok(req) = serde_json::from_slice::<PushRequest>(data) else {
        return;
    };
    // What decodes re-encodes and decodes to the same request.
    let again: PushRequest =
        serde_json::from_slice(&serde_json::to_vec(&req).expect("encodes")).expect("decodes");
    assert_eq!(again, req);
    match daybook_server::sync::validate_push(&req) {
        Ok(()) => {
            assert!((1..=MAX_PUSH_COMMANDS).contains(&req.commands.len()));
            assert!(
                req.commands
                    .windows(2)
                    .all(|w| w[0].device_seq < w[1].device_seq)
            );
            assert!(
                req.commands
                    .iter()
                    .all(|c| { i64::try_from(c.device_seq).is_ok() && !c.user.trim().is_empty() })
            );
        }
        Err(e) => {
            assert!(e.status.is_client_error(), "{e:?}");
            assert!(!e.body.message.is_empty());
        }
    }
});
