//! GitHub artifact attestations (`gh attestation verify`) on the GitHub-built bundles of the
//! test data (BCR, npm), and npm packages (`slsa-verifier verify-npm-package`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use supply_intoto::attestation::bundle::{read_attestations, NpmAttestations, Signed};
use supply_intoto::attestation::github::{self, Error, Options};
use supply_intoto::attestation::npm;
use supply_intoto::attestation::slsa;
use supply_intoto::attestation::{danger, Error as AttError};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::PublicKey;
use supply_sig::sigstore::bundle::Bundle;
use supply_testkit::read;

use crate::attestation::{prod_root, sha256, SV};

const BCR_SIGNER: &str = "bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";

fn bundle(rel: &str) -> Bundle {
    match read_attestations(&read(&format!("{SV}/{rel}")))
        .unwrap()
        .remove(0)
    {
        Signed::Bundle(b) => *b,
        _ => panic!("{rel}: not a bundle"),
    }
}

fn gh(rel: &str, d: &Digest, o: &Options) -> Result<github::VerifiedGithubAttestation, Error> {
    github::verify_bundle(&bundle(rel), d, o, &prod_root(), &RUSTCRYPTO)
}

#[test]
fn bcr_module_as_gh_attestation_verify() {
    let f = "bcr/MODULE.bazel.intoto.jsonl";
    let d = sha256("bcr/MODULE.bazel");
    let repo = || Options::repo("aspect-build/rules_lint").unwrap();
    let v = gh(f, &d, &repo().with_signer_workflow(BCR_SIGNER)).unwrap();
    assert_eq!(
        v.signer_workflow(),
        "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1"
    );
    gh(
        f,
        &d,
        &Options::owner("aspect-build").with_signer_workflow(BCR_SIGNER),
    )
    .unwrap();
    // Owner and repository compare without regard to case, as GitHub names do.
    gh(
        f,
        &d,
        &Options::owner("Aspect-Build").with_signer_workflow(BCR_SIGNER),
    )
    .unwrap();
    gh(
        f,
        &d,
        &repo().with_signer_workflow(format!("https://github.com/{BCR_SIGNER}")),
    )
    .unwrap();
    gh(
        f,
        &d,
        &repo()
            .with_signer_workflow(BCR_SIGNER)
            .with_source_ref("refs/heads/publish-to-bcr")
            .deny_self_hosted_runners(),
    )
    .unwrap();
    // The signer is a reusable workflow of another repository: it must be named.
    assert!(matches!(
        gh(f, &d, &repo()),
        Err(Error::Mismatch {
            field: "signer workflow repository",
            ..
        })
    ));
    assert!(matches!(
        gh(f, &d, &Options::owner("aspect-build")),
        Err(Error::Mismatch {
            field: "signer workflow owner",
            ..
        })
    ));
    assert!(matches!(
        gh(
            f,
            &d,
            &repo()
                .with_signer_workflow("bazel-contrib/publish-to-bcr/.github/workflows/other.yaml")
        ),
        Err(Error::Mismatch {
            field: "signer workflow",
            ..
        })
    ));
    assert!(matches!(
        gh(
            f,
            &d,
            &repo()
                .with_signer_workflow(BCR_SIGNER)
                .with_source_ref("refs/heads/main")
        ),
        Err(Error::Mismatch {
            field: "source ref",
            ..
        })
    ));
    assert!(matches!(
        gh(
            f,
            &d,
            &Options::owner("bazel-contrib").with_signer_workflow(BCR_SIGNER)
        ),
        Err(Error::Mismatch {
            field: "source repository owner",
            ..
        })
    ));
    assert!(matches!(
        gh(
            f,
            &d,
            &Options::repo("aspect-build/rules_go")
                .unwrap()
                .with_signer_workflow(BCR_SIGNER)
        ),
        Err(Error::Mismatch {
            field: "source repository",
            ..
        })
    ));
    assert!(matches!(
        gh(
            f,
            &d,
            &repo()
                .with_signer_workflow(BCR_SIGNER)
                .with_predicate_type("https://slsa.dev/provenance/v0.2")
        ),
        Err(Error::PredicateType { .. })
    ));
    // Another artifact fails in the bundle verifier already.
    let other = Algorithm::Sha256.digest(b"other");
    assert!(matches!(
        gh(f, &other, &repo().with_signer_workflow(BCR_SIGNER)),
        Err(Error::Attestation(_))
    ));
    // Signed by a workflow of another owner.
    assert!(matches!(
        gh(
            "bcr/MODULE-wrong-signer.bazel.intoto.jsonl",
            &d,
            &repo().with_signer_workflow(BCR_SIGNER)
        ),
        Err(Error::Mismatch {
            field: "source repository owner",
            ..
        })
    ));
    // The ruleset tarball, signed by the ruleset release workflow.
    let tar = sha256("bcr/rules_lint-v1.3.1.tar.gz");
    gh(
        "bcr/rules_lint-v1.3.1.tar.gz.intoto.jsonl",
        &tar,
        &repo()
            .with_signer_workflow("bazel-contrib/.github/.github/workflows/release_ruleset.yaml"),
    )
    .unwrap();
    // Caller mistakes.
    assert!(matches!(
        Options::repo("rules_lint"),
        Err(Error::Config { .. })
    ));
    assert!(matches!(Options::repo("a/b/c"), Err(Error::Config { .. })));
    assert!(matches!(
        gh(f, &d, &Options::owner("")),
        Err(Error::Config { .. })
    ));
}

fn npm_doc(pkg: &str) -> NpmAttestations {
    NpmAttestations::from_json(&read(&format!("{SV}/npm/{pkg}.tgz.json"))).unwrap()
}

fn tgz(pkg: &str) -> Digest {
    Algorithm::Sha512.digest(&read(&format!("{SV}/npm/{pkg}.tgz")))
}

#[test]
fn npm_provenance_as_gh_attestation_verify() {
    let doc = npm_doc("gundam-visor-cli-v1-tag");
    let d = tgz("gundam-visor-cli-v1-tag");
    let prov = doc
        .by_predicate_type("https://slsa.dev/provenance/v1")
        .unwrap();
    let check = |o: &Options| github::verify_bundle(prov, &d, o, &prod_root(), &RUSTCRYPTO);
    let repo = || Options::repo("ramonpetgrave64/gundam-visor").unwrap();
    let v = check(&repo()).unwrap();
    assert_eq!(
        v.identity().extensions.source_repository_ref.as_deref(),
        Some("refs/tags/v1.0.1")
    );
    check(&Options::owner("ramonpetgrave64")).unwrap();
    check(
        &repo()
            .with_signer_workflow("ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml")
            .with_source_ref("refs/tags/v1.0.1")
            .deny_self_hosted_runners(),
    )
    .unwrap();
    assert!(matches!(
        check(&repo().with_source_ref("refs/tags/v1.0.0")),
        Err(Error::Mismatch {
            field: "source ref",
            ..
        })
    ));
    assert!(matches!(
        check(&Options::owner("sigstore")),
        Err(Error::Mismatch {
            field: "source repository owner",
            ..
        })
    ));
    // The v0.2 provenance of an older package: only with its predicate type.
    let doc = npm_doc("supreme-googles-cli-v02-tag");
    let d = tgz("supreme-googles-cli-v02-tag");
    let prov = doc
        .by_predicate_type("https://slsa.dev/provenance/v0.2")
        .unwrap();
    let repo = Options::repo("trishankatdatadog/supreme-goggles").unwrap();
    assert!(matches!(
        github::verify_bundle(prov, &d, &repo, &prod_root(), &RUSTCRYPTO),
        Err(Error::PredicateType { .. })
    ));
    github::verify_bundle(
        prov,
        &d,
        &repo.with_predicate_type("https://slsa.dev/provenance/v0.2"),
        &prod_root(),
        &RUSTCRYPTO,
    )
    .unwrap();
    // The publish attestation is signed by npm's key, not by GitHub Actions.
    let publish = doc
        .by_predicate_type(supply_intoto::attestation::bundle::NPM_PUBLISH_V01)
        .unwrap();
    assert!(matches!(
        github::verify_bundle(
            publish,
            &d,
            &Options::owner("trishankatdatadog"),
            &prod_root(),
            &RUSTCRYPTO
        ),
        Err(Error::Attestation(AttError::Bundle(_)))
    ));
}

#[test]
fn unverified_certificates_are_not_github_attestations() {
    let d = sha256("gha_go/v1.10.0/binary-linux-amd64-push-v14");
    let raw = read(&format!(
        "{SV}/gha_go/v1.10.0/binary-linux-amd64-push-v14.intoto.jsonl"
    ));
    let att = danger::insecure_embedded_certificate(&raw, &RUSTCRYPTO).unwrap();
    let o = Options::repo("slsa-framework/example-package")
        .unwrap()
        .with_predicate_type("https://slsa.dev/provenance/v0.2");
    assert!(matches!(
        github::verify(&att, &d, &o),
        Err(Error::Issuer { found: None, .. })
    ));
}

pub(crate) fn npm_key() -> PublicKey {
    npm::registry_key(
        &read("sigstore/trust/production/npm-registry-keys.json"),
        None,
    )
    .unwrap()
}

#[test]
fn npm_packages_as_slsa_verifier_verify_npm_package() {
    let cases = [
        (
            "supreme-googles-cli-v02-tag",
            "@trishankatdatadog/supreme-goggles",
            "1.0.5",
            "github.com/trishankatdatadog/supreme-goggles",
        ),
        (
            "gundam-visor-cli-v1-tag",
            "gundam-visor",
            "1.0.1",
            "github.com/ramonpetgrave64/gundam-visor",
        ),
        (
            "provenance-npm-test-cli-v02-prega",
            "@laurentsimon/provenance-npm-test",
            "1.0.3",
            "github.com/laurentsimon/provenance-npm-test",
        ),
        (
            "provenance-npm-test-cli-v1-prega",
            "sigstore",
            "2.3.1",
            "github.com/sigstore/sigstore-js",
        ),
        (
            "provenance-npm-test-ossf",
            "@laurentsimon/provenance-npm-test",
            "1.0.5",
            "github.com/laurentsimon/provenance-npm-test",
        ),
    ];
    let key = npm_key();
    let root = prod_root();
    for (pkg, name, version, src) in cases {
        let run = |pkg: &str, name: &str, version: &str, src: &str| {
            npm::verify_package(
                &npm_doc(pkg),
                &tgz(pkg),
                name,
                version,
                &slsa::Options::new(src),
                &key,
                &root,
                &RUSTCRYPTO,
            )
        };
        let v = run(pkg, name, version, src).unwrap_or_else(|e| panic!("{pkg}: {e}"));
        assert_eq!(
            v.publish().subjects()[0].name.as_deref(),
            Some(npm::purl(name, version).as_str())
        );
        assert!(
            matches!(
                run(pkg, name, "9.9.9", src),
                Err(npm::Error::Subject { .. })
            ),
            "{pkg}"
        );
        assert!(
            matches!(
                run(pkg, "other", version, src),
                Err(npm::Error::Subject { .. })
            ),
            "{pkg}"
        );
        assert!(
            matches!(
                run(pkg, name, version, "github.com/o/r"),
                Err(npm::Error::Slsa(slsa::Error::SourceMismatch { .. }))
            ),
            "{pkg}"
        );
        let bad_prov = format!("{pkg}-invalidsigprov");
        assert!(
            matches!(
                run(&bad_prov, name, version, src),
                Err(npm::Error::Attestation {
                    which: "provenance",
                    ..
                })
            ),
            "{bad_prov}"
        );
        let bad_pub = format!("{pkg}-invalidsigpub");
        assert!(
            matches!(
                run(&bad_pub, name, version, src),
                Err(npm::Error::Attestation {
                    which: "publish",
                    ..
                })
            ),
            "{bad_pub}"
        );
    }
}

#[test]
fn npm_attestation_set_follows_the_manifest() {
    // sigstore-bundles/npm-*: @laurentsimon/provenance-npm-test@1.0.0 built by npm/cli 9.5.0
    // on a GitHub-hosted runner; the tarball is not included, its SHA-512 is the subject's.
    let d = Digest::from_hex(
        Algorithm::Sha512,
        "29d19f26233f4441328412b34fd73ed104ecfef62f14097890cccf7455b521b65c5acff851849faa85c85395aa22d401436f01f3afb61b19c780e906c88c7f20",
    )
    .unwrap();
    let key = npm_key();
    let root = prod_root();
    let run = |f: &str, opts: &slsa::Options| {
        let doc = NpmAttestations::from_json(&read(&format!(
            "{SV}/sigstore-bundles/{f}.intoto.sigstore"
        )))
        .unwrap();
        npm::verify_package(
            &doc,
            &d,
            "@laurentsimon/provenance-npm-test",
            "1.0.0",
            opts,
            &key,
            &root,
            &RUSTCRYPTO,
        )
    };
    let src = || slsa::Options::new("github.com/laurentsimon/provenance-npm-test");
    // The control. Its builder id is npm/cli's preview one (`https://github.com/npm/cli@9.5.0`).
    let npm_cli = "https://github.com/npm/cli@9.5.0";
    let v = run("npm-attestations", &src()).unwrap();
    assert_eq!(v.provenance().level(), slsa::BuildLevel::L2);
    run("npm-attestations", &src().with_builder_id(npm_cli)).unwrap();
    run(
        "npm-attestations",
        &src().with_builder_id("https://github.com/npm/cli"),
    )
    .unwrap();
    let r = run(
        "npm-attestations",
        &src().with_builder_id("https://github.com/npm/cli@9.5.1"),
    );
    assert!(
        matches!(
            r,
            Err(npm::Error::Slsa(slsa::Error::BuilderMismatch { .. }))
        ),
        "{r:?}"
    );
    // Each is refused by the signature and statement layer (the tlog body no longer matches an
    // altered payload type, a broken signature, a statement of the wrong shape or type), never
    // by a later SLSA or package check.
    for f in [
        "npm-att-mismatch-prov-payloadtype",
        "npm-att-mismatch-prov-predicatetype",
        "npm-att-prov-invalid-signature",
        "npm-stmt-mismatch-prov-type",
        "npm-att-mismatch-pub-payloadtype",
        "npm-att-mismatch-pub-predicatetype",
        "npm-att-publish-invalid-signature",
        "npm-att-publish-nodigest",
        "npm-att-publish-nosubjects",
        "npm-stmt-mismatch-pub-type",
    ] {
        let r = run(f, &src());
        let ok = match &r {
            Err(npm::Error::Attestation { .. } | npm::Error::PredicateType { .. }) => true,
            // The registry lists another predicate type: no such attestation.
            Err(npm::Error::Missing { .. }) => f.contains("predicatetype"),
            _ => false,
        };
        assert!(ok, "{f}: {r:?}");
    }
    // A statement whose predicate type was altered after signing.
    for (f, which) in [
        ("npm-stmt-mismatch-prov-predicatetype", "provenance"),
        ("npm-stmt-mismatch-pub-predicatetype", "publish"),
    ] {
        let r = run(f, &src());
        let ok = matches!(&r, Err(npm::Error::Attestation { which: w, .. } | npm::Error::PredicateType { which: w, .. }) if *w == which);
        assert!(ok, "{f}: {r:?}");
    }
}
