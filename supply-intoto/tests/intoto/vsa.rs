//! Verification Summary Attestations: the Google BCID VSA of the test data, and VSAs we emit
//! for our own SLSA decisions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use supply_intoto::attestation::slsa::{self, Options};
use supply_intoto::attestation::statement::{DigestSet, ResourceDescriptor};
use supply_intoto::attestation::vsa::{self, Error, VsaOptions, VsaRequest};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::Algorithm;
use supply_sig::dsse::{Envelope, TrustedKeys};
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{EcdsaEncoding, KeySigner, KeyVerifier, VerifyPolicy};
use supply_sig::time::Timestamp;
use supply_testkit::read;

use crate::attestation::{attest, sha256, SV};

const BCID: &str = "https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1";
const GKE: &str =
    "gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre";

fn gke() -> (Envelope, TrustedKeys, DigestSet) {
    let env = Envelope::from_json(&read(&format!("{SV}/vsa/gke-gce-pre.bcid-vsa.jsonl"))).unwrap();
    let key = public_key_from_pem(&read(&format!("{SV}/vsa/vsa_signing_public_key.pem"))).unwrap();
    // Its signature is a fixed-size r ‖ s (as KMS-signed DSSE often is), which DSSE allows.
    let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::DerOrFixed);
    let keys = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::new(&key, key.default_scheme(), policy, &RUSTCRYPTO).unwrap(),
    ));
    let mut m = BTreeMap::new();
    m.insert("gce_image_id".to_owned(), "8970095005306000053".to_owned());
    (env, keys, DigestSet(m))
}

#[test]
fn google_bcid_vsa_verifies() {
    let (env, keys, subject) = gke();
    let opts = VsaOptions::new(BCID, GKE);
    let v = vsa::verify_for_digest_set(&env, &keys, &subject, &opts).unwrap();
    assert_eq!(
        v.predicate().verified_levels,
        ["BCID_L1", "SLSA_BUILD_LEVEL_2"]
    );
    vsa::verify_for_digest_set(
        &env,
        &keys,
        &subject,
        &opts
            .clone()
            .with_level("SLSA_BUILD_LEVEL_2")
            .with_level("BCID_L1"),
    )
    .unwrap();
    vsa::verify_for_digest_set(
        &env,
        &keys,
        &subject,
        &opts.clone().with_level("SLSA_BUILD_LEVEL_1"),
    )
    .unwrap();
    let policy = "googlefile:/google_src/files/642513192/depot/google3/production/security/bcid/software/gce_image/gke/vm_images.sw_policy.textproto";
    vsa::verify_for_digest_set(&env, &keys, &subject, &opts.clone().with_policy_uri(policy))
        .unwrap();
    // Negatives, each with its own error.
    assert!(matches!(
        vsa::verify_for_digest_set(
            &env,
            &keys,
            &subject,
            &opts.clone().with_level("SLSA_BUILD_LEVEL_3")
        ),
        Err(Error::MissingLevel { .. })
    ));
    assert!(matches!(
        vsa::verify_for_digest_set(
            &env,
            &keys,
            &subject,
            &opts.clone().with_policy_uri("googlefile:/other")
        ),
        Err(Error::PolicyMismatch { .. })
    ));
    assert!(matches!(
        vsa::verify_for_digest_set(
            &env,
            &keys,
            &subject,
            &VsaOptions::new("https://other/verifier", GKE)
        ),
        Err(Error::VerifierMismatch { .. })
    ));
    assert!(matches!(
        vsa::verify_for_digest_set(
            &env,
            &keys,
            &subject,
            &VsaOptions::new(BCID, "gce_image://other")
        ),
        Err(Error::ResourceMismatch { .. })
    ));
    let mut other = subject.clone();
    other.0.insert("gce_image_id".into(), "1".into());
    assert!(matches!(
        vsa::verify_for_digest_set(&env, &keys, &other, &opts),
        Err(Error::SubjectMismatch { .. })
    ));
    assert!(matches!(
        vsa::verify_for_digest_set(&env, &keys, &DigestSet::default(), &opts),
        Err(Error::SubjectMismatch { .. })
    ));
    // Another key, or a tampered payload.
    let stranger = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let wrong = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::with_default_scheme(stranger.public_key(), &RUSTCRYPTO).unwrap(),
    ));
    assert!(matches!(
        vsa::verify_for_digest_set(&env, &wrong, &subject, &opts),
        Err(Error::Attestation(_))
    ));
    let mut tampered = env.clone();
    let text = String::from_utf8(tampered.payload.clone())
        .unwrap()
        .replace("PASSED", "PASSEX");
    tampered.payload = text.into_bytes();
    assert!(matches!(
        vsa::verify_for_digest_set(&tampered, &keys, &subject, &opts),
        Err(Error::Attestation(_))
    ));
}

#[test]
fn our_slsa_decision_as_a_signed_vsa() {
    // Verify SLSA provenance, then summarize the decision in a VSA signed with our key.
    let file = "gha_generic/v2.1.0/binary-linux-amd64-push-v14.intoto.jsonl";
    let d = sha256("gha_generic/v2.1.0/binary-linux-amd64-push-v14");
    let att = attest(file, &d).unwrap();
    let verified = slsa::verify(
        &att,
        &d,
        &Options::new("github.com/slsa-framework/example-package"),
    )
    .unwrap();
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let request = VsaRequest {
        verifier_id: "https://github.com/supply-rs/supply".into(),
        resource_uri:
            "https://github.com/slsa-framework/example-package/releases/v14/binary-linux-amd64"
                .into(),
        subject: vec![ResourceDescriptor::new("binary-linux-amd64", &d)],
        policy_uri: "https://example.com/policy/slsa-verifier-source".into(),
        verified_levels: vec![verified.level().vsa_level().into()],
        time_verified: Timestamp::from_unix(1_740_000_000),
        input_attestations: vec![ResourceDescriptor {
            uri: Some(file.into()),
            digest: DigestSet::from_digest(
                &Algorithm::Sha256.digest(&read(&format!("{SV}/{file}"))),
            ),
            ..ResourceDescriptor::default()
        }],
    };
    let env = vsa::sign(&request, &[&signer]).unwrap();
    // Its JSON round-trips and verifies with our key.
    let env = Envelope::from_json(&env.to_json()).unwrap();
    let keys = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::with_default_scheme(key.public_key(), &RUSTCRYPTO).unwrap(),
    ));
    let opts = VsaOptions::new(&request.verifier_id, &request.resource_uri)
        .with_level("SLSA_BUILD_LEVEL_3")
        .with_policy_uri(&request.policy_uri);
    let v = vsa::verify(&env, &keys, &d, &opts).unwrap();
    assert_eq!(v.predicate().verification_result, "PASSED");
    assert_eq!(
        v.predicate().time_verified.as_deref(),
        Some("2025-02-19T21:20:00Z")
    );
    assert_eq!(v.predicate().slsa_version.as_deref(), Some("1.0"));
    assert_eq!(
        v.statement().statement_type(),
        supply_intoto::attestation::statement::StatementType::V1
    );
    // Another artifact is not covered.
    let other = Algorithm::Sha256.digest(b"other");
    assert!(matches!(
        vsa::verify(&env, &keys, &other, &opts),
        Err(Error::SubjectMismatch { .. })
    ));
    // Caller mistakes.
    let mut empty = request.clone();
    empty.verifier_id.clear();
    assert!(matches!(
        vsa::sign(&empty, &[&signer]),
        Err(Error::ConfigEmpty { .. })
    ));
    assert!(matches!(
        vsa::verify(&env, &keys, &d, &VsaOptions::new("", &request.resource_uri)),
        Err(Error::ConfigEmpty { .. })
    ));
    // A provenance is not a VSA.
    let not_vsa = supply_intoto::attestation::statement::Statement::new(
        supply_intoto::attestation::statement::StatementType::V1,
        vec![ResourceDescriptor::new("a", &d)],
        "https://slsa.dev/provenance/v1",
        serde_json::json!({}),
    )
    .unwrap();
    let env = Envelope::sign(
        "application/vnd.in-toto+json",
        not_vsa.raw().to_vec(),
        &[&signer],
    )
    .unwrap();
    assert!(matches!(
        vsa::verify(&env, &keys, &d, &opts),
        Err(Error::Attestation(_)) | Err(Error::NotVsa { .. })
    ));
}
