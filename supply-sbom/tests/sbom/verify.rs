//! `PolicyVerifier`, the SBOM attachment verifier, through `supply_sig::verify::dispatch` on
//! attachments built from the real-world SBOMs of `testdata/sbom/realworld/`.

use supply_sbom::license::policy::Policy;
use supply_sbom::verify::{Error, PolicyVerifier};
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::time::Timestamp;
use supply_sig::verify::{
    dispatch, AdmissionPolicy, ArtifactVerifier, Attachment, Requirement, Subject, Verdict,
};

fn image() -> Digest {
    Digest::from_hex(Algorithm::Sha256, &"ab".repeat(32)).unwrap()
}

/// An OCI artifact of `artifact_type` with one layer of `media_type` holding `rel`.
fn attachment(artifact_type: &str, media_type: &str, rel: &str) -> Attachment {
    let manifest =
        format!(r#"{{"schemaVersion":2,"artifactType":"{artifact_type}"}}"#).into_bytes();
    Attachment::new(Algorithm::Sha256.digest(&manifest), artifact_type, manifest)
        .with_subject(image())
        .with_blob(media_type, supply_testkit::read(rel))
}

fn verdict(v: &PolicyVerifier, a: &Attachment) -> Verdict {
    assert!(v.handles(a));
    v.verify(&Subject::new(image()), a, Timestamp::from_unix(0))
}

const QUARKUS: &str = "sbom/realworld/guac/quarkus-deps-cyclonedx.json";
const ALPINE_SPDX: &str = "sbom/realworld/guac/alpine-spdx.json";
const CDX_JSON: &str = "application/vnd.cyclonedx+json";

#[test]
fn cyclonedx_passes_with_facts_and_meets_the_admission_policy() {
    // The root component (metadata.component) states no license: not a violation here.
    let v = PolicyVerifier::new(
        Policy::new()
            .deny("AGPL-3.0-or-later")
            .unwrap()
            .with_unknown_is_violation(false),
    );
    let a = attachment(CDX_JSON, CDX_JSON, QUARKUS);
    let report = dispatch(&Subject::new(image()), &[a], &[&v], Timestamp::from_unix(0));
    let ev = report.passes_by("sbom-policy").next().expect("passed");
    assert_eq!(ev.facts()["sbom.format"], "cyclonedx-1.4-json");
    // 94 components and the application itself.
    assert_eq!(ev.facts()["sbom.components"], "95");
    AdmissionPolicy::new()
        .require(Requirement::passed_by(PolicyVerifier::NAME))
        .evaluate(&report)
        .unwrap();
}

#[test]
fn copyleft_component_fails_naming_package_and_expression() {
    // Five quarkus components are dual EPL-2.0 / GPL-2.0-with-classpath-exception (a
    // deprecated id: GPL-2.0-only WITH Classpath-exception-2.0), a strong copyleft.
    let v = PolicyVerifier::new(
        Policy::new()
            .deny_family(supply_sbom::license::policy::Family::StrongCopyleft)
            .with_unknown_is_violation(false),
    );
    let a = attachment(CDX_JSON, CDX_JSON, QUARKUS);
    let Verdict::Failed(e) = verdict(&v, &a) else {
        panic!("expected a failure");
    };
    let e = e.downcast::<Error>().unwrap();
    let Error::PolicyViolation { violations, .. } = *e else {
        panic!("{e:?}");
    };
    assert_eq!(violations.len(), 5, "{violations:#?}");
    let text = violations[0].to_string();
    assert!(text.contains("GPL-2.0-only"), "{text}");
    assert!(text.contains('@'), "names the package: {text}");
}

#[test]
fn spdx_blocked_package_and_denied_license() {
    // alpine-spdx.json: 14 packages; musl is blocked by an apk-ordered range.
    let doc = supply_sbom::format::read(&supply_testkit::read(ALPINE_SPDX)).unwrap();
    let musl = doc
        .sbom
        .packages
        .iter()
        .find(|p| p.name == "musl")
        .expect("musl in the SBOM");
    let version = musl.version.clone().unwrap();
    // syft 0.57 writes the legacy `pkg:alpine/musl` type; apk's order compares the range.
    let purl = musl
        .purl
        .as_ref()
        .expect("musl has a purl")
        .without_version();
    let rule = format!("{purl}@<={version}");
    let lax = Policy::new().with_unknown_is_violation(false);
    let v = PolicyVerifier::new(lax.clone().block(&rule).unwrap());
    let a = attachment(
        "application/spdx+json",
        "application/spdx+json",
        ALPINE_SPDX,
    );
    let Verdict::Failed(e) = verdict(&v, &a) else {
        panic!("expected a failure");
    };
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("musl@{version}: blocked by rule `{rule}`")),
        "{msg}"
    );
    // Without the rule, the same document passes.
    let Verdict::Passed(ev) = verdict(&PolicyVerifier::new(lax), &a) else {
        panic!("expected a pass");
    };
    assert_eq!(ev.facts()["sbom.format"], "spdx-2.2-json");
    assert_eq!(ev.facts()["sbom.components"], "14");
    // Every package states a license; six of them GPL-2.0-only.
    assert!(verdict(&PolicyVerifier::new(Policy::new()), &a).is_passed());
    let gpl = PolicyVerifier::new(Policy::new().deny("GPL-2.0").unwrap());
    let Verdict::Failed(e) = verdict(&gpl, &a) else {
        panic!("expected a failure");
    };
    assert!(
        e.to_string().contains(
            "6 policy violation(s), first: alpine-baselayout@3.2.0-r22: concluded license `GPL-2.0-only` is denied (GPL-2.0-only)"
        ),
        "{e}"
    );
}

#[test]
fn refusals_are_typed() {
    let v = PolicyVerifier::new(Policy::new().with_unknown_is_violation(false));
    // Declared CycloneDX, content SPDX.
    let a = attachment(CDX_JSON, CDX_JSON, ALPINE_SPDX);
    let Verdict::Failed(e) = verdict(&v, &a) else {
        panic!("expected a failure");
    };
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::FormatMismatch { found, .. }) if found == "spdx-2.2-json"
    ));
    // Not an SBOM at all.
    let manifest = b"{}".to_vec();
    let junk = Attachment::new(Algorithm::Sha256.digest(&manifest), CDX_JSON, manifest)
        .with_blob(CDX_JSON, b"{\"hello\": 1}".to_vec());
    let Verdict::Failed(e) = verdict(&v, &junk) else {
        panic!("expected a failure");
    };
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::Unreadable { .. })
    ));
    // Over the cap: refused before parsing.
    let small = v.clone().with_max_len(1000);
    let a = attachment(CDX_JSON, CDX_JSON, QUARKUS);
    let Verdict::Failed(e) = verdict(&small, &a) else {
        panic!("expected a failure");
    };
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::LimitExceeded(_))
    ));
    // Invalid documents fail only when asked: the syft golden file has "redacted" timestamps.
    let syft = attachment(
        CDX_JSON,
        CDX_JSON,
        "sbom/realworld/syft/syft-image.cdx.json",
    );
    assert!(verdict(&v, &syft).is_passed());
    let strict = v.clone().require_valid(true);
    let Verdict::Failed(e) = verdict(&strict, &syft) else {
        panic!("expected a failure");
    };
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::Invalid { .. })
    ));
    // Another artifact type is not for this verifier.
    let manifest = b"{}".to_vec();
    let sig = Attachment::new(
        Algorithm::Sha256.digest(&manifest),
        "application/vnd.dev.cosign.simplesigning.v1+json",
        manifest,
    );
    assert!(!v.handles(&sig));
}

#[test]
fn cyclonedx_xml_layer_under_a_generic_media_type() {
    // An artifact typed as CycloneDX XML whose layer says only octet-stream.
    let v = PolicyVerifier::new(Policy::new().with_unknown_is_violation(false));
    let a = attachment(
        "application/vnd.cyclonedx+xml",
        "application/octet-stream",
        "sbom/realworld/guac/laravel-cyclonedx.xml",
    );
    let Verdict::Passed(ev) = verdict(&v, &a) else {
        panic!("expected a pass");
    };
    assert_eq!(ev.facts()["sbom.format"], "cyclonedx-1.3-xml");
    assert_eq!(ev.facts()["sbom.components"], "63");
}
