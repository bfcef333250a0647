//! Our higher layers against the bare primitives underneath them:
//!
//! - `e2e-<key>/<impl>`: hash a 1 MiB artifact with SHA-256, then verify a signature over its
//!   `sha256:<hex>` digest string (what an OCI/cosign check does per artifact).
//! - `dsse-<vector>/<impl>`: `Envelope::from_json` + `Envelope::verify` (threshold 1) of a small
//!   envelope from the DSSE test vectors, against a hand-rolled parse (serde_json + base64), PAE
//!   and bare verify of the same signature.
//! - `cjson-targets-100KiB/<impl>`: OLPC and JCS canonicalization of a ~100 KiB TUF-like targets
//!   document, against `serde_json` parse + compact re-serialization (sorted keys).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sha2::Digest as _;
use supply_sig::crypto::{all_providers, RUSTCRYPTO};
use supply_sig::digest::Algorithm;
use supply_sig::dsse::{Envelope, TrustedKeys};
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{
    EcdsaEncoding, KeySigner, KeyVerifier, Signer as _, Verifier as _, VerifyPolicy,
};

const ARTIFACT: usize = 1024 * 1024;

fn e2e(c: &mut Criterion) {
    let artifact: Vec<u8> = (0..ARTIFACT)
        .map(|i| (i.to_le_bytes()[0]).wrapping_mul(7))
        .collect();
    let digest_str = Algorithm::Sha256.digest(&artifact).to_string();
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
        let key = PrivateKey::generate(alg, &RUSTCRYPTO).unwrap();
        let scheme = key.public_key().default_scheme();
        let signer = KeySigner::new(&key, scheme, &RUSTCRYPTO).unwrap();
        let sig = signer.try_sign(digest_str.as_bytes()).unwrap();
        let public = key.public_key().clone();
        let name = if alg == KeyAlgorithm::Ed25519 {
            "ed25519"
        } else {
            "ecdsa-p256"
        };
        let mut group = c.benchmark_group(format!("e2e-digest1MiB-verify-{name}"));
        group.throughput(Throughput::Bytes(ARTIFACT as u64));
        for p in all_providers() {
            let verifier = KeyVerifier::new(&public, scheme, VerifyPolicy::default(), p).unwrap();
            group.bench_function(p.name, |b| {
                b.iter(|| {
                    let d = p.hash.digest(Algorithm::Sha256, black_box(&artifact));
                    verifier.verify(d.to_string().as_bytes(), &sig).is_ok()
                })
            });
        }
        let material = public.material().to_vec();
        match alg {
            KeyAlgorithm::EcdsaP256 => {
                use p256::ecdsa::signature::Verifier as _;
                let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(&material).unwrap();
                group.bench_function("bare-sha2+p256", |b| {
                    b.iter(|| {
                        let d = sha2::Sha256::digest(black_box(&artifact));
                        let msg = format!("sha256:{}", hex::encode(d));
                        let s = p256::ecdsa::Signature::from_der(&sig).unwrap();
                        k.verify(msg.as_bytes(), &s).is_ok()
                    })
                });
            }
            _ => {
                let k = ed25519_dalek::VerifyingKey::from_bytes(
                    &material.as_slice().try_into().unwrap(),
                )
                .unwrap();
                group.bench_function("bare-sha2+ed25519-dalek", |b| {
                    b.iter(|| {
                        let d = sha2::Sha256::digest(black_box(&artifact));
                        let msg = format!("sha256:{}", hex::encode(d));
                        let s = ed25519_dalek::Signature::from_slice(&sig).unwrap();
                        k.verify_strict(msg.as_bytes(), &s).is_ok()
                    })
                });
            }
        }
        group.finish();
    }
}

/// A hand-rolled DSSE check: serde_json, base64, PAE by `format!`, then `verify(pae, sig)`.
fn bare_dsse(json: &[u8], verify: impl Fn(&[u8], &[u8]) -> bool) -> bool {
    use base64::Engine as _;
    let b64 = &base64::engine::general_purpose::STANDARD;
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let payload = b64.decode(v["payload"].as_str().unwrap()).unwrap();
    let ptype = v["payloadType"].as_str().unwrap();
    let mut pae = format!("DSSEv1 {} {} {} ", ptype.len(), ptype, payload.len()).into_bytes();
    pae.extend_from_slice(&payload);
    v["signatures"].as_array().unwrap().iter().any(|s| {
        let sig = b64.decode(s["sig"].as_str().unwrap()).unwrap();
        verify(&pae, &sig)
    })
}

fn dsse(c: &mut Criterion) {
    for (name, envelope, pem) in [
        (
            "dsse-spec-p256",
            "intoto/dsse/spec-p256.envelope.json",
            "intoto/dsse/spec-p256.pub.pem",
        ),
        (
            "dsse-ed25519-statement",
            "intoto/dsse/ed25519-statement.envelope.json",
            "intoto/in-toto-python/pems/ed25519_public.pem",
        ),
    ] {
        let json = supply_testkit::read(envelope);
        let key = public_key_from_pem(&supply_testkit::read(pem)).unwrap();
        // The spec vector's ECDSA signature is fixed r‖s, which DSSE allows next to DER.
        let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::DerOrFixed);
        let mut group = c.benchmark_group(name);
        for p in all_providers() {
            let v = KeyVerifier::new(&key, key.default_scheme(), policy, p).unwrap();
            let trusted = TrustedKeys::new().with_verifier(Box::new(v));
            let check = || {
                let env = Envelope::from_json(black_box(&json)).unwrap();
                let ok = env.verify(&trusted, 1).is_ok();
                ok
            };
            assert!(check(), "{name} {}", p.name);
            group.bench_function(p.name, |b| b.iter(check));
        }
        let material = key.material().to_vec();
        match key.algorithm() {
            KeyAlgorithm::EcdsaP256 => {
                use p256::ecdsa::signature::Verifier as _;
                let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(&material).unwrap();
                let check = || {
                    bare_dsse(black_box(&json), |m, s| {
                        p256::ecdsa::Signature::from_slice(s).is_ok_and(|s| k.verify(m, &s).is_ok())
                    })
                };
                assert!(check(), "{name} bare-p256");
                group.bench_function("bare-p256", |b| b.iter(check));
            }
            _ => {
                let k = ed25519_dalek::VerifyingKey::from_bytes(
                    &material.as_slice().try_into().unwrap(),
                )
                .unwrap();
                let check = || {
                    bare_dsse(black_box(&json), |m, s| {
                        ed25519_dalek::Signature::from_slice(s)
                            .is_ok_and(|s| k.verify_strict(m, &s).is_ok())
                    })
                };
                assert!(check(), "{name} bare-ed25519-dalek");
                group.bench_function("bare-ed25519-dalek", |b| b.iter(check));
            }
        }
        #[cfg(feature = "aws-lc-rs")]
        {
            use aws_lc_rs::signature as sig;
            let alg: &'static dyn sig::VerificationAlgorithm = match key.algorithm() {
                KeyAlgorithm::EcdsaP256 => &sig::ECDSA_P256_SHA256_FIXED,
                _ => &sig::ED25519,
            };
            let k = sig::ParsedPublicKey::new(alg, &material).unwrap();
            let check = || bare_dsse(black_box(&json), |m, s| k.verify_sig(m, s).is_ok());
            assert!(check(), "{name} bare-aws-lc-rs");
            group.bench_function("bare-aws-lc-rs", |b| b.iter(check));
        }
        group.finish();
    }
}

/// A TUF-like targets document of at least `min_len` bytes: pretty-printed, keys out of order.
fn targets_document(min_len: usize) -> Vec<u8> {
    let mut targets = String::new();
    let mut i = 0u32;
    while targets.len() < min_len {
        if i > 0 {
            targets.push_str(",\n");
        }
        let sha256 = Algorithm::Sha256.digest(&i.to_le_bytes()).hex();
        let sha512 = Algorithm::Sha512.digest(&i.to_le_bytes()).hex();
        targets.push_str(&format!(
            "      \"pkgs/component-{i}/component-{i}-1.{i}.0.tar.gz\": {{\n        \
             \"length\": {len},\n        \
             \"hashes\": {{\"sha512\": \"{sha512}\", \"sha256\": \"{sha256}\"}},\n        \
             \"custom\": {{\"version\": \"1.{i}.0\", \"component\": \"component-{i}\", \
             \"tags\": [\"stable\", \"x86_64\"]}}\n      }}",
            len = 1000 + u64::from(i) * 7919,
        ));
        i += 1;
    }
    format!(
        "{{\n  \"signed\": {{\n    \"targets\": {{\n{targets}\n    }},\n    \
         \"version\": 42,\n    \"spec_version\": \"1.0.31\",\n    \
         \"expires\": \"2030-01-01T00:00:00Z\",\n    \"_type\": \"targets\",\n    \
         \"delegations\": {{\"roles\": [], \"keys\": {{}}}}\n  }},\n  \
         \"signatures\": [{{\"sig\": \"{sig}\", \"keyid\": \"{keyid}\"}}]\n}}\n",
        sig = "ab".repeat(64),
        keyid = Algorithm::Sha256.digest(b"key").hex(),
    )
    .into_bytes()
}

fn cjson(c: &mut Criterion) {
    use supply_sig::cjson::{jcs, olpc};
    let doc = targets_document(100 * 1024);
    let ours = olpc::canonicalize(&doc).unwrap();
    assert_eq!(
        ours,
        jcs::canonicalize(&doc).unwrap(),
        "OLPC and JCS agree here"
    );
    let bare = || {
        let v: serde_json::Value = serde_json::from_slice(black_box(&doc)).unwrap();
        serde_json::to_vec(&v).unwrap()
    };
    assert_eq!(
        ours,
        bare(),
        "serde_json (sorted keys) gives the same bytes for this document"
    );
    let mut group = c.benchmark_group("cjson-targets-100KiB");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("olpc", |b| {
        b.iter(|| olpc::canonicalize(black_box(&doc)).unwrap())
    });
    group.bench_function("jcs", |b| {
        b.iter(|| jcs::canonicalize(black_box(&doc)).unwrap())
    });
    group.bench_function("bare-serde_json", |b| b.iter(bare));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = e2e, dsse, cjson
}
criterion_main!(benches);
