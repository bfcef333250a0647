//! List and verify what is attached to an image: the verification engine's job, on an OCI
//! image layout.
//!
//! ```text
//! cargo run -p supply-examples --example oci_verify_referrers -- [LAYOUT TAG COSIGN_PUB NOTATION_CERT]
//! ```
//!
//! Without arguments it reads the layout `oras cp -r` made in the repository's test data: an
//! image with two cosign 3 bundle referrers (a signature and an SPDX attestation), a notation
//! COSE signature and an SBOM. It verifies the cosign bundles with cosign's public key and the
//! notation signature with its test certificate (at a time inside that certificate's one-day
//! validity), then admits the image under a policy that requires both, and refuses it under a
//! policy that requires another key.
use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use supply_oci::{engine, notation, Layout};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::sigstore::referrer::{BundleVerifier, COSIGN_SIGN_PREDICATE};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::Policy;
use supply_sig::time::Timestamp;
use supply_sig::verify::{
    dispatch, AdmissionPolicy, ArtifactVerifier, Requirement, Signer, Subject, Verdict,
};
use supply_sig::x509::Certificate;

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/oci/generated");
    let mut args = std::env::args_os().skip(1);
    let layout_dir = args
        .next()
        .map_or_else(|| testdata.join("layout-oras-referrers"), PathBuf::from);
    let tag = args
        .next()
        .map_or_else(|| "v1".to_owned(), |s| s.to_string_lossy().into_owned());
    let cosign_pub = args
        .next()
        .map_or_else(|| testdata.join("keys/cosign.pub"), PathBuf::from);
    let notation_cert = args.next().map_or_else(
        || testdata.join("keys/notation/supply.test.crt"),
        PathBuf::from,
    );

    // The image, by tag, then by digest from here on.
    let layout = Layout::open(&layout_dir)?;
    let image = layout.resolve(&tag)?;
    let subject = Subject::new(image.digest)
        .with_media_type(image.media_type.clone())
        .with_reference(format!("{}:{tag}", layout_dir.display()));

    // Everything attached to it, read and digest-checked; nothing decided yet.
    let collected = engine::collect_from_layout(&layout, &image.digest)?;
    println!(
        "{} attachments of {} ({} unreadable)",
        collected.attachments.len(),
        image.digest,
        collected.unreadable.len()
    );

    // The verifiers: cosign 3 bundles with the cosign key (signed without a transparency log,
    // so the caller's time stands in: an explicit opt-out), notation with its trust policy.
    let now = Timestamp::parse_rfc3339("2026-11-25T12:00:00Z").ok_or("bad time")?;
    let key = public_key_from_pem(&std::fs::read(&cosign_pub)?)?;
    let empty_root = Arc::new(TrustedRoot::from_json(
        br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#,
        &RUSTCRYPTO,
    )?);
    let bundles = BundleVerifier::new(
        Policy::public_key(key.clone())
            .insecure_ignore_tlog()
            .insecure_caller_time(now)?,
        empty_root,
        &RUSTCRYPTO,
    );
    let stores = notation::TrustStores::new().with(
        "ca:supply.test",
        vec![Certificate::from_pem(&std::fs::read(&notation_cert)?)?],
    );
    let policies = notation::TrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"example","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:supply.test"],"trustedIdentities":["*"]}]}"#,
    )?;
    let notary = notation::SignatureVerifier::new(policies, stores, "local/layout", &RUSTCRYPTO);
    let verifiers: [&dyn ArtifactVerifier; 2] = [&bundles, &notary];

    let report = dispatch(&subject, &collected.attachments, &verifiers, now);
    for entry in report.entries() {
        let verdict = match entry.verdict() {
            Verdict::Passed(ev) => format!(
                "passed{}",
                ev.predicate_type()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
            Verdict::Failed(e) => format!("failed: {e}"),
            Verdict::NotApplicable(why) => format!("not applicable: {why}"),
            _ => "unknown verdict".to_owned(),
        };
        println!(
            "{} {} by {}: {verdict}",
            entry.artifact(),
            entry.artifact_type(),
            entry.verifier().unwrap_or("dispatch")
        );
    }
    for digest in report.unhandled() {
        println!("{digest}: no verifier for it");
    }

    // Admission: a cosign signature by this key and a notation signature.
    let signed_by_key = Requirement::passed_by(BundleVerifier::NAME)
        .with_predicate_type(COSIGN_SIGN_PREDICATE)
        .signed_by(Signer::Key {
            key_id: key.key_id().as_str().to_owned(),
        });
    let admitted = AdmissionPolicy::new()
        .require(signed_by_key)
        .require(Requirement::passed_by(notation::SignatureVerifier::NAME))
        .evaluate(&report)?;
    println!(
        "admitted {} on {} pieces of evidence",
        admitted.subject().digest(),
        admitted.evidence().len()
    );

    let stranger = Requirement::passed_by(BundleVerifier::NAME).signed_by(Signer::Key {
        key_id: "0".repeat(64),
    });
    match AdmissionPolicy::new().require(stranger).evaluate(&report) {
        Ok(_) => Err("admitted under another key".into()),
        Err(e) => {
            println!("refused under another key: {e}");
            Ok(())
        }
    }
}
