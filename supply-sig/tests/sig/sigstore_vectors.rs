//! Every bundle and trust file in `shared/testdata/sigstore` (plus the Sigstore bundles under
//! `intoto/slsa-verifier` and `crypto/x509`) with the verdict its MANIFEST gives, on every
//! provider.

use supply_sig::crypto::{all_providers, Provider, RUSTCRYPTO};
use supply_sig::digest::Digest;
use supply_sig::sigstore::bundle::{Bundle, Version};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{verify, Artifact, Check, Error, Policy, VerifiedBundle};
use supply_testkit::read;

pub(crate) const PROD: &str = "sigstore/trust/production/trusted_root.json";
pub(crate) const STAGING: &str = "sigstore/trust/staging/trusted_root.json";
pub(crate) const GH: &str = "https://github.com/login/oauth";
pub(crate) const GHA: &str = "https://token.actions.githubusercontent.com";

pub(crate) fn root(rel: &str) -> TrustedRoot {
    TrustedRoot::from_json_or_trust_config(&read(rel), &RUSTCRYPTO)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub(crate) fn bundle(rel: &str) -> Bundle {
    Bundle::from_json(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Verifies on every provider; all providers must agree.
pub(crate) fn check(
    b: &Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    root: &TrustedRoot,
) -> Result<VerifiedBundle, Error> {
    let results: Vec<(&Provider, Result<VerifiedBundle, Error>)> = all_providers()
        .into_iter()
        .map(|p| (p, verify(b, artifact, policy, root, p)))
        .collect();
    let first_ok = results[0].1.is_ok();
    for (p, r) in &results {
        // AWS-LC has no prehashed verification: digest-only message signatures differ there.
        if matches!(artifact, Artifact::Digest(_)) && p.name != RUSTCRYPTO.name {
            continue;
        }
        assert_eq!(r.is_ok(), first_ok, "provider {} disagrees: {r:?}", p.name);
    }
    results.into_iter().next().unwrap().1
}

fn verify_file(
    bundle_rel: &str,
    artifact_rel: &str,
    policy: &Policy,
    root_rel: &str,
) -> Result<VerifiedBundle, Error> {
    let b = bundle(bundle_rel);
    let a = read(artifact_rel);
    check(&b, Artifact::Bytes(&a), policy, &root(root_rel))
}

fn has(v: &VerifiedBundle, pred: impl Fn(&Check) -> bool) -> bool {
    v.checks().iter().any(pred)
}

// ---------- sigstore-python bundles ----------

#[test]
fn python_bundle_v01_staging_verifies_and_rejects_wrong_identity_issuer_root_and_artifact() {
    let b = "sigstore/sigstore-python/bundles/bundle.txt.sigstore";
    let a = "sigstore/sigstore-python/bundles/bundle.txt";
    let v = verify_file(b, a, &Policy::identity("a@tny.town", GH), STAGING).unwrap();
    assert!(has(&v, |c| matches!(c, Check::InclusionPromise { .. })));
    assert!(has(&v, |c| matches!(
        c,
        Check::InclusionProof {
            checkpoint: true,
            ..
        }
    )));
    assert!(has(&v, |c| matches!(c, Check::Scts { logs: 1 })));
    assert!(has(&v, |c| matches!(c, Check::CertificateChain { .. })));
    assert!(has(&v, |c| *c == Check::Signature));
    assert_eq!(v.identity().unwrap().san.as_str(), "a@tny.town");
    assert!(matches!(
        verify_file(b, a, &Policy::identity("b@tny.town", GH), STAGING),
        Err(Error::IdentityMismatch { .. })
    ));
    assert!(matches!(
        verify_file(b, a, &Policy::identity("a@tny.town", GHA), STAGING),
        Err(Error::IdentityMismatch { .. })
    ));
    assert!(verify_file(b, a, &Policy::identity("a@tny.town", GH), PROD).is_err());
    assert!(matches!(
        verify_file(
            b,
            "sigstore/sigstore-python/bundles/bundle_v3.txt",
            &Policy::identity("a@tny.town", GH),
            STAGING
        ),
        Err(Error::ArtifactMismatch { .. })
    ));
}

#[test]
fn python_bundle_v03_both_media_type_spellings_verify() {
    for (b, a) in [
        ("bundle_v3.txt.sigstore", "bundle_v3.txt"),
        ("bundle_v3_alt.txt.sigstore", "bundle_v3_alt.txt"),
    ] {
        let bb = bundle(&format!("sigstore/sigstore-python/bundles/{b}"));
        assert_eq!(bb.version, Version::V0_3);
        verify_file(
            &format!("sigstore/sigstore-python/bundles/{b}"),
            &format!("sigstore/sigstore-python/bundles/{a}"),
            &Policy::identity("william@yossarian.net", GH),
            STAGING,
        )
        .unwrap_or_else(|e| panic!("{b}: {e}"));
    }
}

#[test]
fn python_github_wheel_prod_verifies_with_extensions() {
    let v = verify_file(
        "sigstore/sigstore-python/bundles/bundle_v3_github.whl.sigstore",
        "sigstore/sigstore-python/bundles/bundle_v3_github.whl",
        &Policy::identity(
            "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
            GHA,
        ),
        PROD,
    )
    .unwrap();
    let x = &v.identity().unwrap().extensions;
    let sha = "d8b4a6445f38c48b9137a8099706d9b8073146e4";
    assert_eq!(x.issuer_v1.as_deref(), Some(GHA));
    assert_eq!(x.issuer.as_deref(), Some(GHA));
    assert_eq!(x.github_workflow_trigger.as_deref(), Some("release"));
    assert_eq!(x.github_workflow_sha.as_deref(), Some(sha));
    assert_eq!(x.github_workflow_name.as_deref(), Some("release"));
    assert_eq!(
        x.github_workflow_repository.as_deref(),
        Some("trailofbits/rfc8785.py")
    );
    assert_eq!(x.github_workflow_ref.as_deref(), Some("refs/tags/v0.1.2"));
    let wf =
        "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";
    assert_eq!(x.build_signer_uri.as_deref(), Some(wf));
    assert_eq!(x.build_signer_digest.as_deref(), Some(sha));
    assert_eq!(x.runner_environment.as_deref(), Some("github-hosted"));
    assert_eq!(
        x.source_repository_uri.as_deref(),
        Some("https://github.com/trailofbits/rfc8785.py")
    );
    assert_eq!(x.source_repository_digest.as_deref(), Some(sha));
    assert_eq!(x.source_repository_ref.as_deref(), Some("refs/tags/v0.1.2"));
    assert_eq!(x.source_repository_identifier.as_deref(), Some("768213997"));
    assert_eq!(
        x.source_repository_owner_uri.as_deref(),
        Some("https://github.com/trailofbits")
    );
    assert_eq!(
        x.source_repository_owner_identifier.as_deref(),
        Some("2314423")
    );
    assert_eq!(x.build_config_uri.as_deref(), Some(wf));
    assert_eq!(x.build_config_digest.as_deref(), Some(sha));
    assert_eq!(x.build_trigger.as_deref(), Some("release"));
    assert_eq!(
        x.run_invocation_uri.as_deref(),
        Some("https://github.com/trailofbits/rfc8785.py/actions/runs/8351058501/attempts/1")
    );
    assert_eq!(
        x.source_repository_visibility_at_signing.as_deref(),
        Some("public")
    );
}

#[test]
fn python_rekor_v2_bundle_verifies_with_time_from_tsa_only() {
    let v = verify_file(
        "sigstore/sigstore-python/bundles/staging-rekor-v2.txt.sigstore.json",
        "sigstore/sigstore-python/bundles/staging-rekor-v2.txt",
        &Policy::identity("jku@goto.fi", GH),
        STAGING,
    )
    .unwrap();
    assert!(!has(&v, |c| matches!(c, Check::InclusionPromise { .. })));
    assert!(has(&v, |c| matches!(c, Check::Timestamp { .. })));
    assert!(has(&v, |c| matches!(
        c,
        Check::InclusionProof {
            checkpoint: true,
            ..
        }
    )));
    assert_eq!(v.signed_times().len(), 1);
}

#[test]
fn python_dsse_as_hashedrekord_v2_verifies_by_digest_not_by_statement_file() {
    let rel = "sigstore/sigstore-python/bundles/a.dsse.staging-rekor-v2.txt.sigstore.json";
    let b = bundle(rel);
    let policy = Policy::identity(
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
        GHA,
    );
    let d =
        Digest::parse("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf")
            .unwrap();
    let v = check(&b, Artifact::Digest(&d), &policy, &root(STAGING)).unwrap();
    assert!(v.payload().is_some());
    let statement = read("sigstore/sigstore-python/bundles/a.dsse.staging-rekor-v2.txt");
    assert!(matches!(
        check(&b, Artifact::Bytes(&statement), &policy, &root(STAGING)),
        Err(Error::ArtifactMismatch { .. })
    ));
}
