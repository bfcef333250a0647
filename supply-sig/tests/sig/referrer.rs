//! cosign 3.1's bundle referrers (`testdata/oci/generated/`): the signature and the SPDX
//! attestation attached to the subject image verify through `referrer::BundleVerifier` and
//! `verify::dispatch`, for that image and that key only.

use std::sync::Arc;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::sigstore::referrer::{BundleVerifier, COSIGN_SIGN_PREDICATE};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::Policy;
use supply_sig::time::Timestamp;
use supply_sig::verify::{
    dispatch, AdmissionPolicy, Attachment, Requirement, Signer, Subject, Verdict,
};

const SUBJECT: &str = "sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b";
const SIGN: &str = "sha256:057f0274f3dac09113dffdeccb5f5f946886d753dd30dccf4d172dc4e770bf9e";
const ATTEST: &str = "sha256:67fff5efab02d8f901428281b7d164ccf366cadc996e5398e3325d8af021f3d9";

fn blob(digest: &Digest) -> Vec<u8> {
    supply_testkit::read(&format!(
        "oci/generated/layout-registry-fallback/blobs/sha256/{}",
        digest.hex()
    ))
}

/// The referrer manifest `digest` as an attachment: its bytes, artifact type, subject and layers.
fn attachment(digest: &str) -> Attachment {
    let digest = Digest::parse(digest).unwrap();
    let raw = blob(&digest);
    let m: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let subject = Digest::parse(m["subject"]["digest"].as_str().unwrap()).unwrap();
    let mut a = Attachment::new(digest, m["artifactType"].as_str().unwrap(), raw.clone())
        .with_subject(subject);
    for layer in m["layers"].as_array().unwrap() {
        let d = Digest::parse(layer["digest"].as_str().unwrap()).unwrap();
        a = a.with_blob(layer["mediaType"].as_str().unwrap(), blob(&d));
    }
    a
}

fn empty_root() -> Arc<TrustedRoot> {
    let json = br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#;
    Arc::new(TrustedRoot::from_json(json, &RUSTCRYPTO).unwrap())
}

fn keyed(pem: &str) -> BundleVerifier {
    let key = public_key_from_pem(&supply_testkit::read(pem)).unwrap();
    // cosign 3 signed with --tlog-upload=false: no log entry, so the caller's time stands in.
    let policy = Policy::public_key(key)
        .insecure_ignore_tlog()
        .insecure_caller_time(Timestamp::from_unix(1_800_000_000))
        .unwrap();
    BundleVerifier::new(policy, empty_root(), &RUSTCRYPTO)
}

#[test]
fn cosign_3_signature_and_attestation_verify_for_their_image() {
    let verifier = keyed("oci/generated/keys/cosign.pub");
    let subject = Subject::new(Digest::parse(SUBJECT).unwrap());
    let report = dispatch(
        &subject,
        &[attachment(SIGN), attachment(ATTEST)],
        &[&verifier],
        Timestamp::from_unix(1_800_000_000),
    );
    let predicates: Vec<_> = report
        .passes_by(BundleVerifier::NAME)
        .map(|e| e.predicate_type().unwrap().to_owned())
        .collect();
    assert_eq!(
        predicates,
        [COSIGN_SIGN_PREDICATE, "https://spdx.dev/Document"]
    );
    let key = public_key_from_pem(&supply_testkit::read("oci/generated/keys/cosign.pub")).unwrap();
    let signed = Requirement::passed_by(BundleVerifier::NAME)
        .with_predicate_type(COSIGN_SIGN_PREDICATE)
        .signed_by(Signer::Key {
            key_id: key.key_id().as_str().to_owned(),
        });
    let sbom = Requirement::passed_by(BundleVerifier::NAME)
        .with_predicate_type("https://spdx.dev/Document");
    let admitted = AdmissionPolicy::new()
        .require(signed)
        .require(sbom)
        .evaluate(&report)
        .unwrap();
    assert_eq!(admitted.evidence().len(), 2);
}

#[test]
fn a_bundle_for_another_image_or_key_fails() {
    let verifier = keyed("oci/generated/keys/cosign.pub");
    // The statement's subject names f5a8…; a subject with another digest is refused even when
    // the attachment is (wrongly) presented without its manifest subject.
    let other = Algorithm::Sha256.digest(b"another image");
    let a = attachment(SIGN);
    let unbound = Attachment::new(*a.digest(), a.artifact_type(), a.manifest().to_vec())
        .with_blob(a.blobs()[0].media_type(), a.blobs()[0].bytes().to_vec());
    let report = dispatch(
        &Subject::new(other),
        &[unbound],
        &[&verifier],
        Timestamp::from_unix(1_800_000_000),
    );
    assert!(matches!(report.entries()[0].verdict(), Verdict::Failed(_)));
    // With its subject, dispatch refuses it before the verifier.
    let report = dispatch(
        &Subject::new(other),
        &[attachment(SIGN)],
        &[&verifier],
        Timestamp::from_unix(0),
    );
    assert!(report.entries()[0].verifier().is_none());
    // Another key.
    let stranger = keyed("oci/containers-image/sigstore/cosign.pub");
    let report = dispatch(
        &Subject::new(Digest::parse(SUBJECT).unwrap()),
        &[attachment(SIGN)],
        &[&stranger],
        Timestamp::from_unix(1_800_000_000),
    );
    assert!(matches!(report.entries()[0].verdict(), Verdict::Failed(_)));
}
