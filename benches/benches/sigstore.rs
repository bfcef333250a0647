//! Offline Sigstore bundle verification per provider:
//!
//! - `sigstore-keyless-v03/<provider>`: bundle_v3.txt (staging): Fulcio chain, SCT, Rekor body,
//!   SET, inclusion proof and checkpoint, message signature; bundle parse included.
//! - `sigstore-keyless-v03-dsse/<provider>`: sigstore-js bundleV03-dsse (production), DSSE.
//! - `sigstore-keyed/<provider>`: a keyed v0.3 bundle signed here (message signature, caller time).
//! - `sigstore-keyed-tsa/<provider>`: sigstore-go's keyed v0.3 bundle whose time is an RFC 3161
//!   timestamp (no log entry).
//!
//! Each group also has a `sigstore-rust` row: the `sigstore-verify` crate (sigstore-rust 0.15,
//! aws-lc-rs) on the same bundle, artifact, identity and trusted root, with its `Verifier` built
//! once from the trusted root like ours and the bundle parsed in every iteration.
//!
//! `benches/compare-sigstore` runs this group and times cosign and sigstore-python on the same
//! inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use supply_sig::crypto::{all_providers, RUSTCRYPTO};
use supply_sig::digest::Digest;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::KeySigner;
use supply_sig::sigstore::bundle::{Bundle, Content};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{verify, Artifact, Policy};
use supply_sig::time::Timestamp;
use supply_testkit::read;

fn bench(c: &mut Criterion) {
    let staging = TrustedRoot::from_json(
        &read("sigstore/trust/staging/trusted_root.json"),
        &RUSTCRYPTO,
    )
    .unwrap();
    let prod = TrustedRoot::from_json(
        &read("sigstore/trust/production/trusted_root.json"),
        &RUSTCRYPTO,
    )
    .unwrap();
    let raw = read("sigstore/sigstore-python/bundles/bundle_v3.txt.sigstore");
    let artifact = read("sigstore/sigstore-python/bundles/bundle_v3.txt");
    let policy = Policy::identity("william@yossarian.net", "https://github.com/login/oauth");
    let mut g = c.benchmark_group("sigstore-keyless-v03");
    g.measurement_time(Duration::from_secs(4));
    for p in all_providers() {
        g.bench_function(p.name, |b| {
            b.iter(|| {
                let bundle = Bundle::from_json(black_box(&raw)).unwrap();
                verify(&bundle, Artifact::Bytes(&artifact), &policy, &staging, p)
                    .map(|v| v.signed_times().len())
                    .unwrap()
            })
        });
    }
    let rust_root = sigstore_verify::trust_root::TrustedRoot::from_json(
        std::str::from_utf8(&read("sigstore/trust/staging/trusted_root.json")).unwrap(),
    )
    .unwrap();
    let rust_verifier = sigstore_verify::Verifier::new(&rust_root).unwrap();
    let rust_policy = sigstore_verify::VerificationPolicy::new(
        "william@yossarian.net",
        "https://github.com/login/oauth",
    );
    let raw_str = std::str::from_utf8(&raw).unwrap();
    g.bench_function("sigstore-rust", |b| {
        b.iter(|| {
            let bundle = sigstore_verify::types::Bundle::from_json(black_box(raw_str)).unwrap();
            rust_verifier
                .verify(artifact.as_slice(), &bundle, &rust_policy)
                .unwrap()
        })
    });
    g.finish();

    let raw = read("sigstore/sigstore-js/bundles/bundleV03-dsse.sigstore");
    let b0 = Bundle::from_json(&raw).unwrap();
    let Content::Dsse(env) = b0.content() else {
        panic!()
    };
    let st: serde_json::Value = serde_json::from_slice(&env.payload).unwrap();
    let (alg, hex) = st["subject"][0]["digest"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let digest = Digest::parse(&format!("{alg}:{}", hex.as_str().unwrap())).unwrap();
    let policy = Policy::identity("brian@dehamer.com", "https://github.com/login/oauth");
    let mut g = c.benchmark_group("sigstore-keyless-v03-dsse");
    g.measurement_time(Duration::from_secs(4));
    for p in all_providers() {
        g.bench_function(p.name, |b| {
            b.iter(|| {
                let bundle = Bundle::from_json(black_box(&raw)).unwrap();
                verify(&bundle, Artifact::Digest(&digest), &policy, &prod, p)
                    .map(|v| v.signed_times().len())
                    .unwrap()
            })
        });
    }
    g.finish();

    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let keyed = supply_sig::sigstore::sign::sign_message(&artifact, &signer, &RUSTCRYPTO).unwrap();
    let raw = keyed.raw().to_vec();
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let policy = Policy::public_key(key.public_key().clone())
        .insecure_ignore_tlog()
        .insecure_caller_time(now)
        .unwrap();
    let mut g = c.benchmark_group("sigstore-keyed");
    g.measurement_time(Duration::from_secs(4));
    for p in all_providers() {
        g.bench_function(p.name, |b| {
            b.iter(|| {
                let bundle = Bundle::from_json(black_box(&raw)).unwrap();
                verify(&bundle, Artifact::Bytes(&artifact), &policy, &staging, p)
                    .map(|v| v.signed_times().len())
                    .unwrap()
            })
        });
    }
    // No sigstore-rust row here: it refuses a keyed bundle without signing-time evidence
    // (`MissingSigningTimeEvidence`); ours takes the caller's time. See `sigstore-keyed-tsa`.
    g.finish();

    // A keyed v0.3 bundle with its time from an RFC 3161 timestamp (sigstore-go
    // public-key-validity: no log entry), for supply and sigstore-rust alike.
    let tr_json = read("sigstore/sigstore-go/trusted-roots/public-key-validity.json");
    let tsa_root = TrustedRoot::from_json(&tr_json, &RUSTCRYPTO).unwrap();
    let raw = read("sigstore/sigstore-go/bundles/public-key-validity.sigstore.json");
    let key_pem = read("sigstore/sigstore-go/public-keys/public-key-validity.pem");
    let key = supply_sig::key::encoding::pem::public_key_from_pem(&key_pem).unwrap();
    let artifact: &[u8] = b"test content";
    let policy = Policy::public_key(key.clone())
        .insecure_ignore_tlog()
        .with_timestamp_threshold(1);
    let mut g = c.benchmark_group("sigstore-keyed-tsa");
    g.measurement_time(Duration::from_secs(4));
    for p in all_providers() {
        g.bench_function(p.name, |b| {
            b.iter(|| {
                let bundle = Bundle::from_json(black_box(&raw)).unwrap();
                verify(&bundle, Artifact::Bytes(artifact), &policy, &tsa_root, p)
                    .map(|v| v.signed_times().len())
                    .unwrap()
            })
        });
    }
    let rust_root =
        sigstore_verify::trust_root::TrustedRoot::from_json(std::str::from_utf8(&tr_json).unwrap())
            .unwrap();
    let rust_verifier = sigstore_verify::Verifier::new(&rust_root).unwrap();
    let rust_policy = sigstore_verify::PublicKeyVerificationPolicy::new(
        sigstore_verify::types::DerPublicKey::new(key.spki_der().to_vec()),
    )
    .skip_tlog_unsafe();
    let raw_str = std::str::from_utf8(&raw).unwrap();
    g.bench_function("sigstore-rust", |b| {
        b.iter(|| {
            let bundle = sigstore_verify::types::Bundle::from_json(black_box(raw_str)).unwrap();
            rust_verifier
                .verify(artifact, &bundle, &rust_policy)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
