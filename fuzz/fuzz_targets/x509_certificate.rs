//! X.509 certificates (DER): parse, then every accessor and profile check; none may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::x509::{Certificate, LeafProfile};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Certificate::from_der(data) {
        assert_eq!(c.der(), data);
        assert!(data.windows(c.tbs_der().len()).any(|w| w == c.tbs_der()));
        let _ = c.check_ca(1, 0);
        let _ = c.check_leaf(LeafProfile::CodeSigning);
        let _ = c.check_leaf(LeafProfile::TimeStamping);
        let _ = supply_sig::sigstore::fulcio::identity(&c);
        let _ = c.valid_at(c.not_before());
    }
});
