//! RFC 3161 timestamp responses (DER): parse never panics; verification against no authority
//! (or against no trust anchor) never succeeds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::sigstore::tsa::SignedTimestamp;

fuzz_target!(|data: &[u8]| {
    if let Ok(ts) = SignedTimestamp::from_der(data) {
        assert!(ts.verify(b"signature", &[], &RUSTCRYPTO).is_err());
        assert!(ts.verify_with_roots(b"signature", &[], &RUSTCRYPTO).is_err());
    }
});
