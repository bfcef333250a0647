//! CRLs and OCSP responses (DER): a CRL parsed with every accessor, an OCSP response checked
//! for a real leaf and issuer (sigstore-python's test chain), and the same bytes as a
//! certificate whose CRL distribution points and OCSP responders are read. None may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::revocation::{self, Crl};
use supply_sig::x509::Certificate;

static LEAF: &[u8] = include_bytes!("../../testdata/sigstore/sigstore-python/x509/bogus-leaf.pem");
static ISSUER: &[u8] =
    include_bytes!("../../testdata/sigstore/sigstore-python/x509/bogus-intermediate.pem");

fuzz_target!(|data: &[u8]| {
    if let (Ok(leaf), Ok(issuer)) = (Certificate::from_pem(LEAF), Certificate::from_pem(ISSUER)) {
        let _ = revocation::ocsp::check_response(
            data,
            &leaf,
            &issuer,
            leaf.not_before(),
            &supply_sig::crypto::RUSTCRYPTO,
        );
    }
    if let Ok(crl) = Crl::from_der(data) {
        assert_eq!(crl.der(), data);
        let _ = (crl.this_update(), crl.next_update(), crl.is_delta());
        let _ = crl.freshest_urls().len();
    }
    if let Ok(cert) = Certificate::from_der(data) {
        let _ = revocation::crl_urls(&cert);
        let _ = revocation::ocsp_urls(&cert);
        let chain = [cert];
        let _ = revocation::urls_for_chain(&chain);
        let _ = revocation::check_chain(
            &chain,
            &revocation::Fetched::new(),
            chain[0].not_before(),
            None,
            &supply_sig::crypto::RUSTCRYPTO,
        );
    }
});
