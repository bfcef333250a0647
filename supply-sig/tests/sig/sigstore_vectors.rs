//! Every bundle and trust file in `testdata/sigstore` (plus the Sigstore bundles under
//! `intoto/slsa-verifier` and `crypto/x509`) with the verdict its MANIFEST gives, on every
//! provider.

use supply_sig::crypto::{all_providers, Provider, RUSTCRYPTO};
use supply_sig::digest::Digest;
use supply_sig::sigstore::bundle::{Bundle, Content, Version};
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

/// An error and its sources, joined as anyhow's `{:#}` does.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

/// A trusted root parsed from `json` after `edit`: roots are only ever changed as JSON.
pub(crate) fn with_json(
    json: &serde_json::Value,
    edit: impl FnOnce(&mut serde_json::Value),
) -> TrustedRoot {
    let mut v = json.clone();
    edit(&mut v);
    TrustedRoot::from_json(&serde_json::to_vec(&v).unwrap(), &RUSTCRYPTO).unwrap()
}

pub(crate) fn bundle(rel: &str) -> Bundle {
    Bundle::from_json(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Verifies on every provider; all providers must agree.
pub(crate) fn check<'b>(
    b: &'b Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    root: &TrustedRoot,
) -> Result<VerifiedBundle<'b>, Error> {
    let results: Vec<(&Provider, Result<VerifiedBundle<'b>, Error>)> = all_providers()
        .into_iter()
        .map(|p| (p, verify(b, artifact, policy, root, p)))
        .collect();
    let first_ok = results[0].1.is_ok();
    for (p, r) in &results {
        assert_eq!(r.is_ok(), first_ok, "provider {} disagrees: {r:?}", p.name);
    }
    results.into_iter().next().unwrap().1
}

fn verify_file(
    bundle_rel: &str,
    artifact_rel: &str,
    policy: &Policy,
    root_rel: &str,
) -> Result<VerifiedBundle<'static>, Error> {
    // Leaked so that the verified bundle (which borrows it) can be returned: a test helper.
    let b: &'static Bundle = Box::leak(Box::new(bundle(bundle_rel)));
    let a = read(artifact_rel);
    check(b, Artifact::Bytes(&a), policy, &root(root_rel))
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
        assert_eq!(bb.version(), Version::V0_3);
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

fn reject(bundle_rel: &str, artifact_rel: &str, policy: &Policy, root_rel: &str) -> Error {
    match verify_file(bundle_rel, artifact_rel, policy, root_rel) {
        Ok(v) => panic!(
            "{bundle_rel} verified but must be rejected: {:?}",
            v.checks()
        ),
        Err(e) => e,
    }
}

#[test]
fn python_negatives_are_rejected_for_the_manifest_reason() {
    let p = "sigstore/sigstore-python/bundles";
    let will = Policy::identity("william@yossarian.net", GH);
    // CVE-2022-36056: the log entry does not describe the bundle.
    let e = reject(
        &format!("{p}/bundle_cve_2022_36056.txt.sigstore"),
        &format!("{p}/bundle_cve_2022_36056.txt"),
        &will,
        STAGING,
    );
    assert!(
        chain(&e).contains("inconsistent with other materials"),
        "{e}"
    );
    // v0.2 without a checkpoint.
    let e = reject(
        &format!("{p}/bundle_no_checkpoint.txt.sigstore"),
        &format!("{p}/bundle_no_checkpoint.txt"),
        &will,
        STAGING,
    );
    assert!(matches!(e, Error::Tlog { .. }), "{e}");
    // No log entry at all.
    let e = reject(
        &format!("{p}/bundle_no_log_entry.txt.sigstore"),
        &format!("{p}/bundle_no_log_entry.txt"),
        &Policy::identity(
            "alex.cameron@trailofbits.com",
            "https://accounts.google.com",
        ),
        STAGING,
    );
    assert!(
        matches!(e, Error::Threshold { .. } | Error::InvalidBundle { .. }),
        "{e}"
    );
    // Proof but neither SET nor timestamp: no signed time.
    let e = reject(
        &format!("{p}/bundle_v3_no_signed_time.txt.sigstore.json"),
        &format!("{p}/bundle_v3_no_signed_time.txt"),
        &will,
        PROD,
    );
    assert!(chain(&e).contains("no signed time"), "{e}");
    // Parse-time rejections.
    let e =
        Bundle::from_json(&read(&format!("{p}/bundle_invalid_version.txt.sigstore"))).unwrap_err();
    assert!(chain(&e).contains("media type"), "{e}");
    let e = Bundle::from_json(&read(&format!("{p}/bundle_no_cert_v1.txt.sigstore"))).unwrap_err();
    assert!(chain(&e).contains("non-empty certificate chain"), "{e}");
}

#[test]
fn python_cpython_release_v01_without_checkpoint_verifies_by_digest() {
    // Decision: v0.1 semantics only require the SET; the proof is checked when present and its
    // checkpoint is optional in v0.1 (sigstore-python 4.5.1 rejects it at parse time).
    let b = bundle("sigstore/sigstore-python/bundles/Python-3.12.5.tgz.sigstore");
    let Content::MessageSignature(m) = b.content() else {
        panic!()
    };
    let d = m.digest.unwrap();
    assert!(d.hex().starts_with("38dc4e2c"));
    let v = check(
        &b,
        Artifact::Digest(&d),
        &Policy::identity("thomas@python.org", "https://accounts.google.com"),
        &root(PROD),
    )
    .unwrap();
    assert!(has(&v, |c| matches!(
        c,
        Check::InclusionProof {
            checkpoint: false,
            ..
        }
    )));
    // Another digest must fail.
    let other = Digest::parse(&format!("sha256:{}", "00".repeat(32))).unwrap();
    assert!(check(
        &b,
        Artifact::Digest(&other),
        &Policy::identity("thomas@python.org", "https://accounts.google.com"),
        &root(PROD)
    )
    .is_err());
}

#[test]
fn tsa_bundles_follow_the_manifest() {
    let p = "sigstore/sigstore-python/tsa";
    let policy = || {
        Policy::identity(
            "alexis.challande@trailofbits.com",
            "https://accounts.google.com",
        )
    };
    let art = read(&format!("{p}/bundle.txt"));
    let b = bundle(&format!("{p}/bundle.txt.sigstore"));
    // trust_config.json alone: its TSA is another key, so the timestamps do not verify and the
    // time comes from the SET (what sigstore-python does).
    let cfg_root = root(&format!("{p}/trust_config.json"));
    let v = check(&b, Artifact::Bytes(&art), &policy(), &cfg_root).unwrap();
    assert!(!has(&v, |c| matches!(c, Check::Timestamp { .. })));
    assert!(matches!(
        check(
            &b,
            Artifact::Bytes(&art),
            &policy().with_timestamp_threshold(1),
            &cfg_root
        ),
        Err(Error::Threshold { .. })
    ));
    // With the TSA of ca.json trusted, the first timestamp verifies; the second is a timestamp
    // over SHA-512("hello"), not over this signature, so it never counts.
    let cfg_json: serde_json::Value = serde_json::from_slice(cfg_root.raw()).unwrap();
    let tsa_root = with_json(&cfg_json, |r| {
        r["timestampAuthorities"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::from_slice(&read(&format!("{p}/ca.json"))).unwrap());
    });
    let v = check(
        &b,
        Artifact::Bytes(&art),
        &policy().with_timestamp_threshold(1),
        &tsa_root,
    )
    .unwrap();
    assert_eq!(
        v.checks()
            .iter()
            .filter(|c| matches!(c, Check::Timestamp { .. }))
            .count(),
        1
    );
    assert_eq!(v.signed_times().len(), 2);
    assert!(matches!(
        check(
            &b,
            Artifact::Bytes(&art),
            &policy().with_timestamp_threshold(2),
            &tsa_root
        ),
        Err(Error::Threshold { .. })
    ));
    // Time from the TSAs alone: strip SET and integratedTime (as v0.2, where the proof and
    // checkpoint replace the SET).
    let mut json: serde_json::Value =
        serde_json::from_slice(&read(&format!("{p}/bundle.txt.sigstore"))).unwrap();
    let e = json["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap();
    e.remove("inclusionPromise");
    e.remove("integratedTime");
    if json["mediaType"].as_str().unwrap().ends_with("0.1") {
        json["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2".into();
    }
    let stripped = Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
    let v = check(&stripped, Artifact::Bytes(&art), &policy(), &tsa_root).unwrap();
    assert!(!has(&v, |c| matches!(c, Check::InclusionPromise { .. })));
    assert_eq!(v.signed_times().len(), 1);
    // ... and without the TSA there is no signed time left.
    assert!(check(&stripped, Artifact::Bytes(&art), &policy(), &cfg_root).is_err());
    // 33 timestamps: over the limit at parse time.
    let e = Bundle::from_json(&read(&format!("{p}/bundle.many_timestamp.sigstore"))).unwrap_err();
    assert!(chain(&e).contains("limit"), "{e}");
    let dup = bundle(&format!("{p}/bundle.duplicate.sigstore"));
    assert!(matches!(
        check(&dup, Artifact::Bytes(&art), &policy(), &tsa_root),
        Err(Error::DuplicateTimestamp)
    ));
    // Late timestamp: verified, but the certificate had expired then, so it does not count.
    // (Its certificate is from the production Fulcio: production root + the test TSA; signer
    // insecure-cloudtop-shared-user@….iam.gserviceaccount.com.)
    // Its log entry is on the staging Rekor: add that log.
    let staging_json: serde_json::Value = serde_json::from_slice(&read(STAGING)).unwrap();
    let tsa_json: serde_json::Value = serde_json::from_slice(tsa_root.raw()).unwrap();
    let tsa_root = with_json(&serde_json::from_slice(&read(PROD)).unwrap(), |r| {
        let more = staging_json["tlogs"].as_array().unwrap().clone();
        r["tlogs"].as_array_mut().unwrap().extend(more);
        r["timestampAuthorities"] = tsa_json["timestampAuthorities"].clone();
    });
    let late = bundle(&format!("{p}/bundle.txt.late_timestamp.sigstore"));
    let v = check(&late, Artifact::Bytes(&art), &any_identity(), &tsa_root).unwrap();
    assert_eq!(v.signed_times().len(), 1);
    let e = check(
        &late,
        Artifact::Bytes(&art),
        &any_identity().with_signed_time_threshold(2).unwrap(),
        &tsa_root,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Threshold { .. }), "{e}");
}

#[test]
fn tsa_issue1482_token_without_certificate_verifies_with_external_chain() {
    use supply_sig::sigstore::tsa::SignedTimestamp;
    let p = "sigstore/sigstore-python/tsa";
    let ts =
        SignedTimestamp::from_der(&read(&format!("{p}/issue1482-timestamp-with-no-cert"))).unwrap();
    assert!(ts.certificates.is_empty());
    let ca = supply_sig::sigstore::trust_root::CertificateAuthority::tsa_from_json(
        &read(&format!("{p}/ca.json")),
        &RUSTCRYPTO,
    )
    .unwrap();
    // The token was issued by the staging TSA (its SignerInfo names sigstore-tsa-selfsigned),
    // so the external chain is the staging root's; the test TSA of ca.json must not verify it.
    let msg = read(&format!("{p}/issue1482-message"));
    let staging = root(STAGING);
    let t = ts
        .verify(&msg, staging.timestamp_authorities(), &RUSTCRYPTO)
        .unwrap();
    assert_eq!(t, ts.gen_time);
    assert!(ts
        .verify(&msg, std::slice::from_ref(&ca), &RUSTCRYPTO)
        .is_err());
    let mut other = msg.clone();
    other[0] ^= 1;
    assert!(matches!(
        ts.verify(&other, staging.timestamp_authorities(), &RUSTCRYPTO),
        Err(supply_sig::sigstore::tsa::Error::ImprintMismatch)
    ));
}

#[test]
fn trust_files_parse_or_are_rejected_as_the_manifest_says() {
    use supply_sig::sigstore::trust_root::{
        CertificateAuthority, ClientTrustConfig, SigningConfig,
    };
    let prod = root(PROD);
    assert_eq!(prod.tlogs().len(), 2);
    assert_eq!(prod.tlogs()[0].base_url, "https://rekor.sigstore.dev");
    assert_eq!(hex::encode(&prod.tlogs()[0].log_id[..4]), "c0d23d6a");
    assert_eq!(
        prod.tlogs()[0].log_id,
        RUSTCRYPTO
            .hash
            .digest(
                supply_sig::digest::Algorithm::Sha256,
                prod.tlogs()[0].key.spki_der()
            )
            .as_bytes()
    );
    assert_eq!(prod.tlogs()[1].origin(), "log2025-1.rekor.sigstore.dev");
    assert_eq!(prod.certificate_authorities().len(), 2);
    assert_eq!(prod.certificate_authorities()[0].chain().len(), 1);
    assert_eq!(prod.certificate_authorities()[1].chain().len(), 2);
    assert_eq!(
        prod.certificate_authorities()[0]
            .valid_for()
            .end
            .unwrap()
            .to_rfc3339(),
        "2022-12-31T23:59:59Z"
    );
    assert_eq!(prod.ctlogs().len(), 2);
    assert_eq!(prod.timestamp_authorities().len(), 1);
    let staging = root(STAGING);
    assert_eq!(staging.tlogs().len(), 5);
    assert_eq!(staging.ctlogs().len(), 5);
    assert_eq!(staging.timestamp_authorities().len(), 2);
    // Rekor v2 log IDs are the signed-note key IDs: SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ key).
    for log in staging
        .tlogs()
        .iter()
        .filter(|l| l.key.algorithm() == supply_sig::key::KeyAlgorithm::Ed25519)
    {
        let mut pre = log.origin().as_bytes().to_vec();
        pre.extend_from_slice(&[0x0a, 0x01]);
        pre.extend_from_slice(log.key.material());
        assert_eq!(
            RUSTCRYPTO
                .hash
                .digest(supply_sig::digest::Algorithm::Sha256, &pre)
                .as_bytes(),
            log.log_id.as_slice(),
            "{}",
            log.base_url
        );
    }
    let pgi = root("sigstore/cosign/bundles/trusted_root_pgi.json");
    assert_eq!(
        (
            pgi.tlogs().len(),
            pgi.certificate_authorities().len(),
            pgi.ctlogs().len(),
            pgi.timestamp_authorities().len()
        ),
        (1, 2, 2, 0)
    );
    for rel in [
        "sigstore/sigstore-go/trusted-roots/public-good.json",
        "sigstore/sigstore-go/trusted-roots/public-key-validity.json",
        "sigstore/sigstore-go/trusted-roots/scaffolding.json",
        "sigstore/sigstore-python/trusted_root/trustedroot.v1.json",
        "sigstore/sigstore-python/embedded-trust/sigstage.dev.trusted_root.json",
    ] {
        root(rel);
    }
    let tiles = root(
        "sigstore/sigstore-python/trusted_root/trustedroot.v1.local_tlog_ed25519_rekor-tiles.json",
    );
    assert_eq!(
        tiles.tlogs()[0].key.algorithm(),
        supply_sig::key::KeyAlgorithm::Ed25519
    );
    for rel in [
        "sigstore/sigstore-python/trusted_root/trustedroot.badtype.json",
        "sigstore/sigstore-python/trust_config/config.badtype.json",
    ] {
        let e = TrustedRoot::from_json_or_trust_config(&read(rel), &RUSTCRYPTO).unwrap_err();
        assert!(chain(&e).contains("media type"), "{rel}: {e}");
    }
    let cfg = ClientTrustConfig::from_json(
        &read("sigstore/sigstore-python/trust_config/config.v1.json"),
        &RUSTCRYPTO,
    )
    .unwrap();
    assert_eq!(cfg.trusted_root.tlogs().len(), 1);
    // This CA entry is a TSA chain (leaf "TSA Timestamping", intermediate, root).
    CertificateAuthority::tsa_from_json(
        &read("sigstore/sigstore-python/trusted_root/certificate_authority.json"),
        &RUSTCRYPTO,
    )
    .unwrap();
    for rel in [
        "certificate_authority.empty.json",
        "certificate_authority.missingroot.json",
    ] {
        assert!(
            CertificateAuthority::tsa_from_json(
                &read(&format!("sigstore/sigstore-python/trusted_root/{rel}")),
                &RUSTCRYPTO
            )
            .is_err(),
            "{rel}"
        );
    }
    for rel in [
        "sigstore/sigstore-python/signing_config/signingconfig.v2.json",
        "sigstore/sigstore-python/signing_config/signingconfig-only-v1-rekor.v2.json",
        "sigstore/sigstore-python/embedded-trust/sigstage.dev.signing_config.v0.2.json",
        "sigstore/sigstore-python/embedded-trust/sigstore.dev.signing_config.v0.2.json",
        "sigstore/sigstore-go/examples/signing_config.v0.2.json",
        "sigstore/trust/production/signing_config.v0.2.json",
        "sigstore/trust/production/signing_config_rekor_v2.v0.2.json",
        "sigstore/trust/staging/signing_config.v0.2.json",
        "sigstore/trust/staging/signing_config_rekor_v2.v0.2.json",
    ] {
        let sc = SigningConfig::from_json(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!sc.rekor_tlog_urls.is_empty(), "{rel}");
    }
    // Service selection: the only-v1 config yields a v1 Rekor, the v2 config prefers v2.
    let only_v1 = SigningConfig::from_json(&read(
        "sigstore/sigstore-python/signing_config/signingconfig-only-v1-rekor.v2.json",
    ))
    .unwrap();
    let now = supply_sig::time::Timestamp::parse_rfc3339("2025-10-01T00:00:00Z").unwrap();
    let sel = SigningConfig::select(&only_v1.rekor_tlog_urls, &[2, 1], now);
    assert!(!sel.is_empty() && sel.iter().all(|s| s.major_api_version == 1));
    // The legacy v0.1 signing config is another format.
    assert!(
        SigningConfig::from_json(&read("sigstore/trust/production/signing_config.json")).is_err()
    );
}

#[test]
fn x509_policy_certificates() {
    use supply_sig::x509::{Certificate, LeafProfile};
    let load = |n: &str| {
        Certificate::from_pem(&read(&format!("sigstore/sigstore-python/x509/{n}.pem"))).unwrap()
    };
    load("bogus-root").check_ca(0, 0).unwrap();
    for bad in [
        "bogus-root-missing-ku",
        "bogus-root-invalid-ku",
        "bogus-root-noncritical-bc",
    ] {
        assert!(load(bad).check_ca(0, 0).is_err(), "{bad}");
    }
    load("bogus-intermediate").check_ca(1, 0).unwrap();
    load("bogus-leaf")
        .check_leaf(LeafProfile::CodeSigning)
        .unwrap();
    for bad in [
        "bogus-leaf-missing-eku",
        "bogus-leaf-invalid-eku",
        "bogus-leaf-invalid-ku",
    ] {
        assert!(
            load(bad).check_leaf(LeafProfile::CodeSigning).is_err(),
            "{bad}"
        );
    }
    // Names are all equal; the keys say who issued whom: the root signs itself, the
    // intermediate and the leaf.
    let (leaf, inter, rootc) = (
        load("bogus-leaf"),
        load("bogus-intermediate"),
        load("bogus-root"),
    );
    rootc
        .verify_signed_by(rootc.public_key(), &RUSTCRYPTO)
        .unwrap();
    inter
        .verify_signed_by(rootc.public_key(), &RUSTCRYPTO)
        .unwrap();
    leaf.verify_signed_by(rootc.public_key(), &RUSTCRYPTO)
        .unwrap();
    assert!(leaf
        .verify_signed_by(inter.public_key(), &RUSTCRYPTO)
        .is_err());
    let t = leaf.not_before();
    supply_sig::sigstore::__fuzz::verify_chain(
        &leaf,
        std::slice::from_ref(&rootc),
        t,
        LeafProfile::CodeSigning,
        &RUSTCRYPTO,
    )
    .unwrap();
    // Not through the intermediate, and not before the leaf's notBefore.
    assert!(supply_sig::sigstore::__fuzz::verify_chain(
        &leaf,
        &[inter, rootc.clone()],
        t,
        LeafProfile::CodeSigning,
        &RUSTCRYPTO
    )
    .is_err());
    let before = supply_sig::time::Timestamp::from_unix(t.unix() - 1);
    assert!(matches!(
        supply_sig::sigstore::__fuzz::verify_chain(
            &leaf,
            std::slice::from_ref(&rootc),
            before,
            LeafProfile::CodeSigning,
            &RUSTCRYPTO
        ),
        Err(supply_sig::x509::Error::NotValidAt { .. })
    ));
    // A leaf whose profile is wrong fails the chain even when the signature is right.
    for bad in [
        "bogus-leaf-missing-eku",
        "bogus-leaf-invalid-eku",
        "bogus-leaf-invalid-ku",
    ] {
        let c = load(bad);
        assert!(
            supply_sig::sigstore::__fuzz::verify_chain(
                &c,
                std::slice::from_ref(&rootc),
                c.not_before(),
                LeafProfile::CodeSigning,
                &RUSTCRYPTO
            )
            .is_err(),
            "{bad}"
        );
    }
}

#[test]
fn detached_signatures_verify_with_their_certificates() {
    use base64::Engine as _;
    use supply_sig::sign::{KeyVerifier, Verifier as _};
    use supply_sig::x509::Certificate;
    let p = "sigstore/sigstore-python/detached";
    for (name, ok) in [
        ("a", true),
        ("b", true),
        ("c", true),
        ("offline-rekor", true),
        ("bad", false),
    ] {
        let cert = Certificate::from_pem(&read(&format!("{p}/{name}.txt.crt"))).unwrap();
        let sig = base64::engine::general_purpose::STANDARD
            .decode(
                String::from_utf8(read(&format!("{p}/{name}.txt.sig")))
                    .unwrap()
                    .trim(),
            )
            .unwrap();
        let data = read(&format!("{p}/{name}.txt"));
        // 2022 staging leaves are P-384 keys signing SHA-256 digests (hashedrekord).
        let scheme = match cert.public_key().algorithm() {
            supply_sig::key::KeyAlgorithm::EcdsaP384 => {
                supply_sig::sign::SignatureScheme::EcdsaP384Sha256
            }
            _ => supply_sig::sign::SignatureScheme::EcdsaP256Sha256,
        };
        let v =
            KeyVerifier::new(cert.public_key(), scheme, Default::default(), &RUSTCRYPTO).unwrap();
        assert_eq!(v.verify(&data, &sig).is_ok(), ok, "{name}");
        let id = supply_sig::sigstore::fulcio::identity(&cert).unwrap();
        if name == "c" {
            assert_eq!(id.san.as_str(), "https://github.com/sigstore/sigstore-python/.github/workflows/ci.yml@refs/pull/288/merge");
            assert_eq!(id.issuer.as_deref(), Some(GHA));
        } else if name != "bad" {
            assert_eq!(id.san.as_str(), "william@yossarian.net");
        }
    }
}

// ---------- sigstore-go ----------

fn statement_digest(b: &Bundle) -> Digest {
    let Content::Dsse(env) = b.content() else {
        panic!("not DSSE")
    };
    let st: serde_json::Value = serde_json::from_slice(&env.payload).unwrap();
    let d = st["subject"][0]["digest"].as_object().unwrap();
    let (alg, hex) = d.iter().next().unwrap();
    Digest::parse(&format!("{alg}:{}", hex.as_str().unwrap())).unwrap()
}

#[test]
fn go_provenance_and_publish_bundles_verify() {
    let b = bundle("sigstore/sigstore-go/examples/bundle-provenance.json");
    let d = statement_digest(&b);
    assert!(d.hex().starts_with("76176ffa"));
    let policy = Policy::identity(
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        GHA,
    );
    let v = check(&b, Artifact::Digest(&d), &policy, &root(PROD)).unwrap();
    assert!(has(&v, |c| matches!(c, Check::InclusionPromise { .. })));
    let st: serde_json::Value = serde_json::from_slice(v.payload().unwrap().payload()).unwrap();
    let expected: serde_json::Value = serde_json::from_slice(&read(
        "sigstore/sigstore-go/examples/statement-provenance-sigstorejs1.3.0.json",
    ))
    .unwrap();
    assert_eq!(st, expected);

    let publish = bundle("sigstore/sigstore-go/examples/bundle-publish.json");
    let key = supply_sig::key::encoding::pem::public_key_from_pem(&read(
        "sigstore/sigstore-go/examples/publish_key.pub",
    ))
    .unwrap();
    let d = statement_digest(&publish);
    check(
        &publish,
        Artifact::Digest(&d),
        &Policy::public_key(key.clone()),
        &root(PROD),
    )
    .unwrap();
    // The wrong key fails.
    let other = (RUSTCRYPTO.sign)
        .generate(supply_sig::key::KeyAlgorithm::EcdsaP256)
        .unwrap();
    assert!(check(
        &publish,
        Artifact::Digest(&d),
        &Policy::public_key(other.public_key().clone()),
        &root(PROD)
    )
    .is_err());
    // A keyed bundle under an identity policy, and vice versa, is refused.
    assert!(check(&publish, Artifact::Digest(&d), &policy, &root(PROD)).is_err());
    assert!(check(
        &b,
        Artifact::Digest(&statement_digest(&b)),
        &Policy::public_key(key),
        &root(PROD)
    )
    .is_err());
}

#[test]
fn go_sigstore_js_provenance_thresholds() {
    let b = bundle("sigstore/sigstore-go/bundles/sigstore.js@2.0.0-provenance.sigstore.json");
    let d = statement_digest(&b);
    let r = root("sigstore/sigstore-go/trusted-roots/public-good.json");
    let policy = Policy::identity(
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        GHA,
    );
    let v = check(&b, Artifact::Digest(&d), &policy, &r).unwrap();
    let st: serde_json::Value = serde_json::from_slice(v.payload().unwrap().payload()).unwrap();
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert!(matches!(
        check(
            &b,
            Artifact::Digest(&d),
            &policy.clone().with_tlog_threshold(2).unwrap(),
            &r
        ),
        Err(Error::Threshold { .. })
    ));
    assert!(matches!(
        check(
            &b,
            Artifact::Digest(&d),
            &policy.with_timestamp_threshold(1),
            &r
        ),
        Err(Error::Threshold { .. })
    ));
}

#[test]
fn go_dsse_bundles() {
    let b = bundle("sigstore/sigstore-go/bundles/dsse.sigstore.json");
    let d = statement_digest(&b);
    check(
        &b,
        Artifact::Digest(&d),
        &Policy::identity("brian@dehamer.com", GH),
        &root(PROD),
    )
    .unwrap();
    let two = bundle("sigstore/sigstore-go/bundles/dsse-2sigs.sigstore.json");
    let e = check(
        &two,
        Artifact::Digest(&d),
        &Policy::identity("brian@dehamer.com", GH),
        &root(PROD),
    )
    .unwrap_err();
    assert!(chain(&e).contains("exactly one signature"), "{e}");
}

#[test]
fn go_othername_san_on_private_instance() {
    let b = bundle("sigstore/sigstore-go/bundles/othername.sigstore.json");
    let r = root("sigstore/sigstore-go/trusted-roots/scaffolding.json");
    let d =
        Digest::parse("sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b")
            .unwrap();
    let v = check(
        &b,
        Artifact::Digest(&d),
        &Policy::identity("foo!oidc.local", "http://oidc.local:8080"),
        &r,
    )
    .unwrap();
    assert!(matches!(
        v.identity().unwrap().san,
        supply_sig::sigstore::fulcio::Identity::OtherName(_)
    ));
    assert!(matches!(
        check(
            &b,
            Artifact::Digest(&d),
            &Policy::identity("foo@oidc.local", "http://oidc.local:8080"),
            &r
        ),
        Err(Error::IdentityMismatch { .. })
    ));
}

#[test]
fn go_public_key_validity_window() {
    use supply_sig::sigstore::trust_root::ValidityWindow;
    use supply_sig::time::Timestamp;
    let b = bundle("sigstore/sigstore-go/bundles/public-key-validity.sigstore.json");
    let r = root("sigstore/sigstore-go/trusted-roots/public-key-validity.json");
    let key = supply_sig::key::encoding::pem::public_key_from_pem(&read(
        "sigstore/sigstore-go/public-keys/public-key-validity.pem",
    ))
    .unwrap();
    let policy = Policy::public_key(key)
        .insecure_ignore_tlog()
        .with_timestamp_threshold(1);
    let v = check(&b, Artifact::Bytes(b"test content"), &policy, &r).unwrap();
    assert!(has(&v, |c| matches!(c, Check::Timestamp { .. })));
    let early = ValidityWindow {
        start: Timestamp::from_unix(0),
        end: Some(Timestamp::from_unix(1)),
    };
    let e = check(
        &b,
        Artifact::Bytes(b"test content"),
        &policy.clone().with_key_validity(early).unwrap(),
        &r,
    )
    .unwrap_err();
    // The key is not valid at the bundle's (only) signed time.
    assert!(matches!(e, Error::InvalidBundle { .. }), "{e}");
    assert!(check(&b, Artifact::Bytes(b"test content!"), &policy, &r).is_err());
}

// ---------- sigstore-js and cosign ----------

#[test]
fn js_backward_compatibility_bundles_all_verify() {
    let r = root(PROD);
    for f in [
        "bundleV01-dsse-no-proof",
        "bundleV01-dsse-with-proof",
        "bundleV01-full-cert-chain",
        "bundleV01-intoto-no-proof",
        "bundleV01-intoto-with-proof",
        "bundleV02-dsse",
        "bundleV02-intoto",
        "bundleV03-dsse",
        "bundleV03-intoto",
    ] {
        let b = bundle(&format!("sigstore/sigstore-js/bundles/{f}.sigstore"));
        let d = statement_digest(&b);
        assert!(d.hex().starts_with("7bea9f6e"), "{f}");
        check(
            &b,
            Artifact::Digest(&d),
            &Policy::identity("brian@dehamer.com", GH),
            &r,
        )
        .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn cosign_oci_attestation_bundle_verifies() {
    let b = bundle("sigstore/cosign/bundles/oci-attestation.sigstore.json");
    let d = statement_digest(&b);
    assert_eq!(
        d.hex(),
        "732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
    );
    let v = check(
        &b,
        Artifact::Digest(&d),
        &Policy::identity("cody@soyland.com", GH),
        &root(PROD),
    )
    .unwrap();
    assert!(has(&v, |c| matches!(c, Check::InclusionPromise { .. })));
    assert!(has(&v, |c| matches!(
        c,
        Check::InclusionProof {
            checkpoint: true,
            ..
        }
    )));
}

// ---------- slsa-verifier Sigstore bundles ----------

fn any_identity() -> Policy {
    use supply_sig::sigstore::verify::Matcher;
    // Any signer (the insecure opt-out): these cases are about the bundles, not identities.
    Policy::identity_matching(
        Matcher::insecure_regex("^.+$").unwrap(),
        Matcher::regex("^https://").unwrap(),
    )
}

#[test]
fn slsa_verifier_bundles_follow_the_manifest() {
    let r = root(PROD);
    let dir = "intoto/slsa-verifier";
    let mut files = Vec::new();
    for sub in [
        "sigstore-bundles/bundle",
        "gha_container-based/v2.1.0",
        "gha_maven/v2.1.0",
        "gha_delegator/v2.1.0",
        "gha_gradle/v2.1.0",
        "gha_generic/v2.1.0",
        "bcr",
    ] {
        for e in std::fs::read_dir(supply_testkit::testdata(&format!("{dir}/{sub}"))).unwrap() {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.starts_with(b"{")
                && bytes
                    .windows(23)
                    .take(200)
                    .any(|w| w == b"vnd.dev.sigstore.bundle")
            {
                files.push((path, bytes));
            }
        }
    }
    assert!(files.len() >= 20, "{}", files.len());
    for (path, bytes) in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let must_fail = name.contains("invalid") || name.contains("mismatch");
        let result = Bundle::from_json(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                let d = statement_digest(&b);
                check(&b, Artifact::Digest(&d), &any_identity(), &r)
                    .map(|v| v.checks().len())
                    .map_err(|e| e.to_string())
            });
        assert_eq!(result.is_err(), must_fail, "{name}: {result:?}");
    }
}

#[test]
fn npm_attestation_pairs_follow_the_manifest() {
    let r = root(PROD);
    let keys: serde_json::Value =
        serde_json::from_slice(&read("sigstore/trust/production/npm-registry-keys.json")).unwrap();
    let npm_key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyUsage"] == "npm:attestations")
        .unwrap();
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(npm_key["publicKey"]["rawBytes"].as_str().unwrap())
        .unwrap();
    let key = supply_sig::key::PublicKey::from_spki_der(&der).unwrap();
    let dir = supply_testkit::testdata("intoto/slsa-verifier/npm");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".tgz.json") {
            continue;
        }
        let tgz = std::fs::read(path.with_extension("")).unwrap();
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for att in doc["attestations"].as_array().unwrap() {
            let b = Bundle::from_json(&serde_json::to_vec(&att["bundle"]).unwrap()).unwrap();
            let is_pub = att["predicateType"]
                .as_str()
                .unwrap()
                .contains("npm/attestation");
            let policy = if is_pub {
                Policy::public_key(key.clone())
            } else {
                any_identity()
            };
            let broken = (is_pub && name.contains("invalidsigpub"))
                || (!is_pub && name.contains("invalidsigprov"));
            let res = check(&b, Artifact::Bytes(&tgz), &policy, &r);
            assert_eq!(
                res.is_err(),
                broken,
                "{name} {}: {res:?}",
                att["predicateType"]
            );
            n += 1;
        }
    }
    assert!(n >= 30, "{n}");
}

/// Verification against trust anchors alone (notation's `tsa` trust stores) needs the signing
/// certificate in the token: the issue-1482 token carries none, so even the root that does
/// vouch for it (staging's, through the trusted root's chain) cannot; its imprint is still
/// checked first. Its TSTInfo states an accuracy, read in whole seconds.
#[test]
fn tsa_tokens_verify_against_roots_only_with_their_own_signer() {
    use supply_sig::sigstore::tsa::{Error as TsaError, SignedTimestamp};
    let p = "sigstore/sigstore-python/tsa";
    let ts =
        SignedTimestamp::from_der(&read(&format!("{p}/issue1482-timestamp-with-no-cert"))).unwrap();
    let msg = read(&format!("{p}/issue1482-message"));
    let staging = root(STAGING);
    let roots: Vec<_> = staging
        .timestamp_authorities()
        .iter()
        .filter_map(|a| a.chain().last().cloned())
        .collect();
    assert!(!roots.is_empty());
    assert!(matches!(
        ts.verify_with_roots(&msg, &roots, &RUSTCRYPTO),
        Err(TsaError::Untrusted { .. })
    ));
    let mut other = msg.clone();
    other[0] ^= 1;
    assert!(matches!(
        ts.verify_with_roots(&other, &roots, &RUSTCRYPTO),
        Err(TsaError::ImprintMismatch)
    ));
    // `openssl ts -reply -text`: "Accuracy: 0x01 seconds, unspecified millis, unspecified micros".
    assert_eq!(ts.accuracy_secs, 1);
}
