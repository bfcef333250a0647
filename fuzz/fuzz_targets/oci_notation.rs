//! notation envelopes (COSE when the first byte is even, JWS otherwise) and trust policies from
//! arbitrary bytes: parsing and verification never panic and always fail closed (there is no
//! trusted certificate, so nothing may verify).
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::notation::{self, Target, TrustPolicyDocument, TrustStores};
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    let _ = TrustPolicyDocument::from_json(data);
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let media_type = if first % 2 == 0 {
        notation::COSE_MEDIA_TYPE
    } else {
        notation::JWS_MEDIA_TYPE
    };
    let policy = TrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#,
    )
    .expect("a valid policy");
    let digest: Digest = Algorithm::Sha256.digest(b"subject");
    let target = Target {
        digest: &digest,
        media_type: None,
        size: None,
        repository: "r/x",
    };
    let verified = notation::verify(
        media_type,
        rest,
        target,
        &policy,
        &TrustStores::new(),
        &supply_sig::revocation::Fetched::new(),
        Timestamp::from_unix(1_800_000_000),
        &supply_sig::crypto::RUSTCRYPTO,
    );
    assert!(verified.is_err());
});
