//! `Reference::parse` on arbitrary strings: never panics; a parsed reference prints (in both
//! its normalized and familiar forms) to text that parses back to the same reference.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::reference::Reference;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(r) = Reference::parse(s) {
            assert_eq!(Reference::parse(&r.to_string()).ok().as_ref(), Some(&r));
            assert_eq!(Reference::parse(&r.familiar()).ok().as_ref(), Some(&r));
        }
    }
});
