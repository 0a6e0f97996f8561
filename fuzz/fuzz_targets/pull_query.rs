//! The sync server's pull query string (`?after=SEQ&limit=N`): any text after the `?`
//! is parsed by `PullQuery::parse` exactly as the handler does. Never a panic; an
//! answer is a 400 or a sequence >= 0 with a page size in 1..=MAX_PULL_LIMIT.
#![no_main]

use daybook_protocol::MAX_PULL_LIMIT;
use daybook_server::routes::PullQuery;
use http::Uri;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut uri = b"/v1/accounts/0/events?".to_vec();
    uri.extend_from_slice(data);
    // Bytes no HTTP parser would hand on are not a query the handler can see.
    let Ok(uri) = Uri::try_from(uri) else {
        return;
    };
    match PullQuery::parse(&uri) {
        Ok((after, limit)) => {
            assert!(after >= 0);
            assert!((1..=MAX_PULL_LIMIT).contains(&limit));
        }
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400, "{e:?}");
            assert_eq!(e.body.code, "invalid_query");
        }
    }
});
