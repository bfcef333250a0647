//! TUF `expires` (RFC 3339 subset) parsing and formatting; `paths` glob matching.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_tuf::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(t) = Timestamp::parse_rfc3339(s) {
            let again = Timestamp::parse_rfc3339(&t.to_rfc3339());
            assert_eq!(again.map(|a| a.unix_seconds()).ok(), Some(t.unix_seconds()));
        }
        if let Some((pattern, path)) = s.split_once('\n') {
            let _ = supply_tuf::names::path_matches(pattern, path);
        }
    }
});
