//! Trusted roots, client trust configs and signing configs: parse never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::sigstore::trust_root::{SigningConfig, TrustedRoot};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = TrustedRoot::from_json_or_trust_config(data, &RUSTCRYPTO) {
        for l in r.tlogs() {
            let _ = l.origin();
        }
    }
    let _ = SigningConfig::from_json(data);
});
