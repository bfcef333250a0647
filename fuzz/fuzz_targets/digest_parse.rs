//! `Digest::parse` on arbitrary strings: never panics; a parsed digest prints back identically.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(d) = supply_sig::digest::Digest::parse(s) {
            assert_eq!(d.to_string(), s);
        }
    }
});
