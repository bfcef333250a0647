//! Sigstore bundles: parse never panics, and a parsed bundle serializes back to its input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::sigstore::bundle::Bundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = Bundle::from_json(data) {
        assert_eq!(b.to_json(), data);
        let _ = b.signature_bytes();
    }
});
