//! The engine's collecting half on the registry dump of `generated/` (referrers through the
//! fallback-tag index, cosign 2's `.sig`/`.att` tags) and on the `oras cp -r` layout: every
//! attachment `expected.json` lists is found, with its true artifact type, and dispatched.

use std::collections::BTreeSet;
use std::sync::Arc;

use supply_oci::{cosign, engine, Digest, Layout};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::sigstore::referrer::BundleVerifier;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::Policy;
use supply_sig::time::Timestamp;
use supply_sig::verify::{dispatch, ArtifactVerifier, Source, Subject};

use crate::{json, oci, read};

const SUBJECT: &str = "sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b";

fn spec_referrers() -> BTreeSet<(String, String)> {
    let expected = json("generated/expected.json");
    expected["specReferrers"][SUBJECT]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["digest"].as_str().unwrap().to_owned(),
                d["artifactType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_registry_dump_yields_the_referrers_and_cosigns_tags() {
    let layout = Layout::open(oci("generated/layout-registry-fallback")).unwrap();
    let subject = Digest::parse(SUBJECT).unwrap();
    let got = engine::collect_from_layout(&layout, &subject).unwrap();
    assert!(got.unreadable.is_empty(), "{:?}", got.unreadable);
    assert_eq!(got.over_limit, 0);
    let referrers: BTreeSet<(String, String)> = got
        .attachments
        .iter()
        .filter(|a| *a.source() == Source::Referrers)
        .map(|a| (a.digest().to_string(), a.artifact_type().to_owned()))
        .collect();
    // The fallback index says application/vnd.oci.empty.v1+json for cosign 3's entries; the
    // manifests say what they are, and that is what the engine reports.
    assert_eq!(referrers, spec_referrers());
    let expected = json("generated/expected.json");
    let tags: BTreeSet<String> = got
        .attachments
        .iter()
        .filter(|a| matches!(a.source(), Source::DerivedTag(_)))
        .map(|a| a.digest().to_string())
        .collect();
    let want: BTreeSet<String> = ["sig", "att"]
        .iter()
        .map(|k| expected["cosignV2Tags"][k].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, want);
    // Every attachment's subject, where it has one, is the image.
    assert!(got
        .attachments
        .iter()
        .all(|a| a.subject().is_none_or(|s| *s == subject)));

    // Dispatched to the cosign verifiers with the key: the .sig and both bundles pass.
    let key =
        supply_sig::key::encoding::pem::public_key_from_pem(&read("generated/keys/cosign.pub"))
            .unwrap();
    let now = Timestamp::from_unix(1_800_000_000);
    let policy = Policy::public_key(key)
        .insecure_ignore_tlog()
        .insecure_caller_time(now)
        .unwrap();
    let root = Arc::new(
        TrustedRoot::from_json(
            br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#,
            &RUSTCRYPTO,
        )
        .unwrap(),
    );
    let sig = cosign::SignatureVerifier::new(policy.clone(), root.clone(), &RUSTCRYPTO);
    let bundles = BundleVerifier::new(policy, root, &RUSTCRYPTO);
    let verifiers: [&dyn ArtifactVerifier; 2] = [&sig, &bundles];
    let report = dispatch(&Subject::new(subject), &got.attachments, &verifiers, now);
    assert_eq!(report.passes_by(cosign::SignatureVerifier::NAME).count(), 1);
    assert_eq!(report.passes_by(BundleVerifier::NAME).count(), 2);
}

#[test]
fn the_oras_layout_yields_the_same_referrers() {
    let layout = Layout::open(oci("generated/layout-oras-referrers")).unwrap();
    let subject = Digest::parse(SUBJECT).unwrap();
    let got = engine::collect_from_layout(&layout, &subject).unwrap();
    let referrers: BTreeSet<(String, String)> = got
        .attachments
        .iter()
        .map(|a| (a.digest().to_string(), a.artifact_type().to_owned()))
        .collect();
    assert_eq!(referrers, spec_referrers());
}
