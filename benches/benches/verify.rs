//! Signature verification of one Wycheproof valid vector per scheme: every provider through
//! [`KeyVerifier`] (policy checks + dispatch + backend), and the bare primitive crate on the same
//! key, message and signature.
//!
//! Bench ids: `verify-<scheme>/<impl>`; `<impl>` is a provider name or `bare-<crate>`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use sha2::Digest as _;
use supply_sig::crypto::all_providers;
use supply_sig::key::KeyAlgorithm;
use supply_sig::sign::{KeyVerifier, Verifier as _, VerifyPolicy};

use common::Vector;

/// A prepared bare verification: true when the signature over the message verifies.
type BareVerify = Box<dyn Fn(&[u8]) -> bool>;

/// The bare RustCrypto primitive for `v`, as a closure over prepared key and signature.
fn bare_rustcrypto(v: &Vector) -> (&'static str, BareVerify) {
    let material = v.key.material().to_vec();
    let sig = v.sig.clone();
    match v.key.algorithm() {
        KeyAlgorithm::EcdsaP256 => {
            use p256::ecdsa::signature::Verifier as _;
            let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(&material).unwrap();
            (
                "bare-p256",
                Box::new(move |msg| {
                    let s = p256::ecdsa::Signature::from_der(&sig).unwrap();
                    k.verify(msg, &s).is_ok()
                }),
            )
        }
        KeyAlgorithm::EcdsaP384 => {
            use p384::ecdsa::signature::Verifier as _;
            let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(&material).unwrap();
            (
                "bare-p384",
                Box::new(move |msg| {
                    let s = p384::ecdsa::Signature::from_der(&sig).unwrap();
                    k.verify(msg, &s).is_ok()
                }),
            )
        }
        KeyAlgorithm::Ed25519 => {
            let k =
                ed25519_dalek::VerifyingKey::from_bytes(&material.as_slice().try_into().unwrap())
                    .unwrap();
            (
                "bare-ed25519-dalek",
                Box::new(move |msg| {
                    let s = ed25519_dalek::Signature::from_slice(&sig).unwrap();
                    k.verify_strict(msg, &s).is_ok()
                }),
            )
        }
        KeyAlgorithm::Rsa => {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            let k = rsa::RsaPublicKey::from_pkcs1_der(&material).unwrap();
            (
                "bare-rsa",
                Box::new(move |msg| {
                    let h = sha2::Sha256::digest(msg);
                    k.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &h, &sig)
                        .is_ok()
                }),
            )
        }
        _ => unreachable!(),
    }
}

/// Bare aws-lc-rs `ParsedPublicKey::verify_sig` with the algorithm a user would pick for the
/// input as given (ASN.1 DER ECDSA signatures, as in the Wycheproof vector).
#[cfg(feature = "aws-lc-rs")]
fn bare_aws_lc(v: &Vector) -> BareVerify {
    use aws_lc_rs::signature as s;
    let alg: &'static dyn s::VerificationAlgorithm = match v.key.algorithm() {
        KeyAlgorithm::EcdsaP256 => &s::ECDSA_P256_SHA256_ASN1,
        KeyAlgorithm::EcdsaP384 => &s::ECDSA_P384_SHA384_ASN1,
        KeyAlgorithm::Ed25519 => &s::ED25519,
        KeyAlgorithm::Rsa => &s::RSA_PKCS1_2048_8192_SHA256,
        _ => unreachable!(),
    };
    let k = s::ParsedPublicKey::new(alg, v.key.material()).unwrap();
    let sig = v.sig.clone();
    Box::new(move |msg| k.verify_sig(msg, &sig).is_ok())
}

fn verify(c: &mut Criterion) {
    for v in common::verify_vectors() {
        let mut group = c.benchmark_group(format!("verify-{}", v.name));
        for p in all_providers() {
            let verifier = KeyVerifier::new(&v.key, v.scheme, VerifyPolicy::default(), p).unwrap();
            assert!(
                verifier.verify(&v.msg, &v.sig).is_ok(),
                "{} {}",
                v.name,
                p.name
            );
            group.bench_function(p.name, |b| {
                b.iter(|| {
                    verifier
                        .verify(black_box(&v.msg), black_box(&v.sig))
                        .is_ok()
                })
            });
        }
        let (name, bare) = bare_rustcrypto(&v);
        assert!(bare(&v.msg), "{name} rejects {} tcId {}", v.name, v.tc_id);
        group.bench_function(name, |b| b.iter(|| bare(black_box(&v.msg))));
        #[cfg(feature = "aws-lc-rs")]
        {
            let bare = bare_aws_lc(&v);
            assert!(bare(&v.msg), "bare aws-lc-rs rejects {}", v.name);
            group.bench_function("bare-aws-lc-rs", |b| b.iter(|| bare(black_box(&v.msg))));
        }
        group.finish();
    }
}

/// Where the Ed25519 policy layer's time goes: the per-signature checks `supply_sig::sign` does
/// before calling the backend (decompress R + small-order test, S < L), timed on their own with
/// `curve25519-dalek` (the same calls `sign.rs` makes).
fn ed25519_policy_parts(c: &mut Criterion) {
    let v = common::wycheproof(
        "ed25519",
        "ed25519_test.json",
        supply_sig::sign::SignatureScheme::Ed25519,
    );
    let r: [u8; 32] = v.sig[..32].try_into().unwrap();
    let s: [u8; 32] = v.sig[32..].try_into().unwrap();
    let mut group = c.benchmark_group("diag-ed25519-policy");
    group.bench_function("decompress-R+is_small_order", |b| {
        b.iter(|| {
            curve25519_dalek::edwards::CompressedEdwardsY(black_box(r))
                .decompress()
                .is_some_and(|p| !p.is_small_order())
        })
    });
    group.bench_function("S-from_canonical_bytes", |b| {
        b.iter(|| {
            bool::from(curve25519_dalek::Scalar::from_canonical_bytes(black_box(s)).is_some())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = verify, ed25519_policy_parts
}
criterion_main!(benches);
