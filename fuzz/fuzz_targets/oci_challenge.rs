//! `WWW-Authenticate` parsing on arbitrary bytes, one header per line: never panics, and
//! never returns more challenges or parameters than the limits allow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::auth::challenge::{parse, BearerChallenge};
use supply_oci::limits::{MAX_CHALLENGES, MAX_CHALLENGE_PARAMS};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(cs) = parse(s.split('\n')) {
            assert!(cs.len() <= MAX_CHALLENGES);
            assert!(cs.iter().all(|c| c.params.len() <= MAX_CHALLENGE_PARAMS));
            let _ = BearerChallenge::from_challenges(&cs);
        }
    }
});
