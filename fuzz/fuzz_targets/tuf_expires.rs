//! TUF `expires` (RFC 3339 subset) parsing and formatting; `paths` glob matching.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_tuf::time;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(t) = time::parse(s) {
            let again = time::parse(&time::format(t));
            assert_eq!(again.map(|a| a.unix()).ok(), Some(t.unix()));
        }
        if let Some((pattern, path)) = s.split_once('\n') {
            let _ = supply_tuf::names::path_matches(pattern, path);
        }
    }
});
