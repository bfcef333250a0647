//! Shared inputs for the benches: Wycheproof vectors and bench-id helpers.
#![allow(dead_code)]

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::PublicKey;
use supply_sig::sign::{KeyVerifier, SignatureScheme, Verifier as _, VerifyPolicy};

/// One valid (key, message, signature) triple.
pub(crate) struct Vector {
    /// Bench group name.
    pub(crate) name: &'static str,
    pub(crate) scheme: SignatureScheme,
    pub(crate) key: PublicKey,
    pub(crate) msg: Vec<u8>,
    pub(crate) sig: Vec<u8>,
    pub(crate) tc_id: u64,
}

fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

/// The first `"result": "valid"` test of the first group of `file` whose key loads.
pub(crate) fn wycheproof(name: &'static str, file: &str, scheme: SignatureScheme) -> Vector {
    let doc = supply_testkit::read_json(&format!("crypto/wycheproof/{file}"));
    for group in doc["testGroups"].as_array().expect("testGroups") {
        let Ok(key) = PublicKey::from_spki_der(&unhex(&group["publicKeyDer"])) else {
            continue;
        };
        let Ok(verifier) = KeyVerifier::new(&key, scheme, VerifyPolicy::default(), &RUSTCRYPTO)
        else {
            continue;
        };
        let tests = group["tests"].as_array().expect("tests");
        let Some(t) = tests.iter().find(|t| t["result"] == "valid") else {
            continue;
        };
        let msg = unhex(&t["msg"]);
        let sig = unhex(&t["sig"]);
        verifier
            .verify(&msg, &sig)
            .unwrap_or_else(|e| panic!("{file} tcId {}: {e}", t["tcId"]));
        return Vector {
            name,
            scheme,
            key,
            msg,
            sig,
            tc_id: t["tcId"].as_u64().unwrap_or(0),
        };
    }
    panic!("{file}: no valid test with a loadable key");
}

/// The five verification benchmarks' inputs.
pub(crate) fn verify_vectors() -> Vec<Vector> {
    vec![
        wycheproof(
            "ecdsa-p256-sha256",
            "ecdsa_secp256r1_sha256_test.json",
            SignatureScheme::EcdsaP256Sha256,
        ),
        wycheproof(
            "ecdsa-p384-sha384",
            "ecdsa_secp384r1_sha384_test.json",
            SignatureScheme::EcdsaP384Sha384,
        ),
        wycheproof("ed25519", "ed25519_test.json", SignatureScheme::Ed25519),
        wycheproof(
            "rsa2048-pkcs1-sha256",
            "rsa_signature_2048_sha256_test.json",
            SignatureScheme::RsaPkcs1v15Sha256,
        ),
        wycheproof(
            "rsa4096-pkcs1-sha256",
            "rsa_signature_4096_sha256_test.json",
            SignatureScheme::RsaPkcs1v15Sha256,
        ),
    ]
}
