//! Signature decoding and verification with fixed keys: arbitrary signature bytes never verify
//! and never panic (strict DER, fixed-size ECDSA, Ed25519 policy checks, RSA).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{EcdsaEncoding, KeyVerifier, Verifier, VerifyPolicy};

fn verifiers() -> &'static Vec<KeyVerifier> {
    static V: OnceLock<Vec<KeyVerifier>> = OnceLock::new();
    V.get_or_init(|| {
        [KeyAlgorithm::EcdsaP256, KeyAlgorithm::EcdsaP384, KeyAlgorithm::Ed25519]
            .into_iter()
            .map(|alg| {
                let key = PrivateKey::generate(alg, &RUSTCRYPTO).expect("key generation");
                let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::DerOrFixed);
                KeyVerifier::new(key.public_key(), alg.default_scheme(), policy, &RUSTCRYPTO)
                    .expect("verifier")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    for v in verifiers() {
        assert!(v.verify(b"fuzz message", data).is_err());
    }
});
