//! Every SLSA provenance of `testdata/intoto/slsa-verifier` with the expected source, branch,
//! tag and builder from its MANIFEST and INDEX.tsv, and every negative, with the exact
//! outcome.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use supply_intoto::attestation::slsa::{
    self, BuildLevel, BuilderKind, Error, Options, VerifiedProvenance,
};
use supply_intoto::attestation::{AttestationSigner, Error as AttError};
use supply_sig::digest::{Algorithm, Digest};

use crate::attestation::{attest, sha256, SV};

const EXAMPLE: &str = "github.com/slsa-framework/example-package";
const GENERATOR: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";
const TRW: &str =
    "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml";
const BCR: &str = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";

/// Verifies `file` (under slsa-verifier/) for the artifact digest `d` with `opts`; the
/// signature layer must pass.
fn run(file: &str, d: &Digest, opts: &Options) -> Result<VerifiedProvenance, Error> {
    let att = attest(file, d).unwrap_or_else(|e| panic!("{file}: {e}"));
    slsa::verify(&att, d, opts)
}

fn ok(file: &str, d: &Digest, opts: &Options) -> VerifiedProvenance {
    run(file, d, opts).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn hex(h: &str) -> Digest {
    Digest::from_hex(Algorithm::Sha256, h).unwrap()
}

/// (provenance file, artifact key in artifact-sha256.txt) of the four triggers of a builder.
fn gha(builder: &str, ext: &str) -> Vec<(String, String, &'static str)> {
    [
        ("workflow_dispatch", "refs/heads/main"),
        ("push-v14", "refs/tags/v14"),
        ("push-v14.2", "refs/tags/v14.2"),
        ("push-v13.0.30", "refs/tags/v13.0.30"),
    ]
    .into_iter()
    .filter(|(t, _)| {
        // gradle and maven have no v13/v14.2 runs; v1.2.0 generic and go only two.
        !(matches!(
            builder,
            "gha_gradle/v2.1.0" | "gha_maven/v2.1.0" | "gha_generic/v1.2.0" | "gha_go/v1.10.0"
        ) && matches!(*t, "push-v14.2" | "push-v13.0.30"))
    })
    .map(|(t, r)| {
        (
            format!("{builder}/binary-linux-amd64-{t}{ext}"),
            format!("{builder}/binary-linux-amd64-{t}"),
            r,
        )
    })
    .collect()
}

/// Positive and negative cases shared by every GitHub builder: `expected_builder` is the
/// builder's name, `needs_id` whether `--builder-id` is required (delegated builders).
fn builder_cases(
    builder: &str,
    ext: &str,
    expected_builder: &str,
    needs_id: bool,
    kind: BuilderKind,
    verified: bool,
) {
    let cases = gha(builder, ext);
    assert!(!cases.is_empty());
    for (file, art, git_ref) in cases {
        let d = sha256(&art);
        let base = || {
            let o = Options::new(EXAMPLE);
            if needs_id {
                o.with_builder_id(expected_builder)
            } else {
                o
            }
        };
        let v = ok(&file, &d, &base());
        assert_eq!(v.source_uri(), EXAMPLE);
        assert_eq!(v.source_ref(), Some(git_ref), "{file}");
        assert!(
            v.builder_id()
                .starts_with(&format!("{expected_builder}@refs/tags/v")),
            "{file}: {}",
            v.builder_id()
        );
        assert_eq!(v.builder_kind(), kind, "{file}");
        assert_eq!(
            v.level(),
            if verified {
                BuildLevel::L3
            } else {
                BuildLevel::L0
            },
            "{file}"
        );
        // The builder named with and without its version.
        let version = v.builder_id().split_once('@').unwrap().1.to_owned();
        ok(&file, &d, &base().with_builder_id(expected_builder));
        ok(
            &file,
            &d,
            &base().with_builder_id(format!("{expected_builder}@{version}")),
        );
        ok(
            &file,
            &d,
            &base().with_builder_id(format!(
                "{expected_builder}@{}",
                version.trim_start_matches("refs/tags/")
            )),
        );
        // Wrong builders.
        for wrong in [
            format!("{expected_builder}@refs/tags/v0.0.1"),
            format!("{GENERATOR}builder_other_slsa3.yml"),
            format!("{expected_builder}x"),
        ] {
            assert!(
                matches!(
                    run(&file, &d, &base().with_builder_id(wrong.clone())),
                    Err(Error::BuilderMismatch { .. })
                ),
                "{file} {wrong}"
            );
        }
        if needs_id {
            assert!(
                matches!(
                    run(&file, &d, &Options::new(EXAMPLE)),
                    Err(Error::UntrustedBuilder { .. })
                ),
                "{file}"
            );
        }
        // Wrong sources: another repository, prefix and suffix variants.
        for wrong in [
            "github.com/laurentsimon/slsa-verifier-test-genA",
            "github.com/slsa-framework/example-packag",
            "github.com/slsa-framework/example-package2",
            "gitlab.com/slsa-framework/example-package",
        ] {
            let mut o = Options::new(wrong);
            if needs_id {
                o = o.with_builder_id(expected_builder);
            }
            assert!(
                matches!(run(&file, &d, &o), Err(Error::SourceMismatch { .. })),
                "{file} {wrong}"
            );
        }
        // Accepted spellings of the source.
        for spelled in [
            "https://github.com/slsa-framework/example-package",
            "git+https://github.com/slsa-framework/example-package",
        ] {
            let mut o = Options::new(spelled);
            if needs_id {
                o = o.with_builder_id(expected_builder);
            }
            ok(&file, &d, &o);
        }
        // Another artifact.
        let other = Algorithm::Sha256.digest(b"not the artifact");
        let att = attest(&file, &d).unwrap();
        assert!(
            matches!(
                slsa::verify(&att, &other, &base()),
                Err(Error::DigestMismatch { .. })
            ),
            "{file}"
        );
        // Branches and tags.
        if git_ref == "refs/heads/main" {
            ok(&file, &d, &base().with_source_branch("main"));
            ok(&file, &d, &base().with_source_branch("refs/heads/main"));
            assert!(matches!(
                run(&file, &d, &base().with_source_branch("master")),
                Err(Error::BranchMismatch { .. })
            ));
            assert!(matches!(
                run(&file, &d, &base().with_source_tag("v1.2.3")),
                Err(Error::NotATag { .. })
            ));
            assert!(matches!(
                run(&file, &d, &base().with_source_versioned_tag("v1")),
                Err(Error::NotATag { .. })
            ));
        } else {
            let tag = git_ref.strip_prefix("refs/tags/").unwrap();
            ok(&file, &d, &base().with_source_tag(tag));
            ok(&file, &d, &base().with_source_tag(git_ref));
            ok(&file, &d, &base().with_source_versioned_tag(tag));
            assert!(matches!(
                run(&file, &d, &base().with_source_tag("v1.2.3")),
                Err(Error::TagMismatch { .. })
            ));
            assert!(matches!(
                run(&file, &d, &base().with_source_versioned_tag("v15")),
                Err(Error::TagMismatch { .. })
            ));
        }
        if git_ref == "refs/tags/v13.0.30" {
            for wrong in ["v13.0.29", "v13.0", "v13"] {
                assert!(
                    matches!(
                        run(&file, &d, &base().with_source_tag(wrong)),
                        Err(Error::TagMismatch { .. })
                    ),
                    "{file} {wrong}"
                );
            }
            for good in ["v13", "v13.0", "v13.0.30"] {
                ok(&file, &d, &base().with_source_versioned_tag(good));
            }
            for wrong in ["v13.0.29", "v13.1", "v12", "v14"] {
                assert!(
                    matches!(
                        run(&file, &d, &base().with_source_versioned_tag(wrong)),
                        Err(Error::TagMismatch { .. })
                    ),
                    "{file} {wrong}"
                );
            }
            assert!(matches!(
                run(&file, &d, &base().with_source_versioned_tag("13")),
                Err(Error::InvalidSemver { .. })
            ));
        }
        if git_ref == "refs/tags/v14.2" {
            ok(&file, &d, &base().with_source_versioned_tag("v14"));
            assert!(matches!(
                run(&file, &d, &base().with_source_versioned_tag("v14.3")),
                Err(Error::TagMismatch { .. })
            ));
        }
    }
}

#[test]
fn gha_generic_v2_1_0_bundles() {
    builder_cases(
        "gha_generic/v2.1.0",
        ".intoto.jsonl",
        &format!("{GENERATOR}generator_generic_slsa3.yml"),
        false,
        BuilderKind::Generator,
        true,
    );
}

#[test]
fn gha_container_based_v2_1_0_bundles() {
    builder_cases(
        "gha_container-based/v2.1.0",
        ".intoto.build.slsa",
        &format!("{GENERATOR}builder_container-based_slsa3.yml"),
        false,
        BuilderKind::Generator,
        true,
    );
}

#[test]
fn gha_delegator_v2_1_0_bundles_need_the_builder_id() {
    builder_cases(
        "gha_delegator/v2.1.0",
        ".build.slsa",
        TRW,
        true,
        BuilderKind::Delegated,
        true,
    );
}

#[test]
fn gha_gradle_and_maven_v2_1_0_bundles() {
    // Both run through the generator's delegator, which vouches for them.
    builder_cases(
        "gha_gradle/v2.1.0",
        ".build.slsa",
        &format!("{GENERATOR}builder_gradle_slsa3.yml"),
        false,
        BuilderKind::Delegated,
        true,
    );
    builder_cases(
        "gha_maven/v2.1.0",
        ".build.slsa",
        &format!("{GENERATOR}builder_maven_slsa3.yml"),
        false,
        BuilderKind::Delegated,
        true,
    );
}

/// Bare envelopes of older generators: the Rekor entry is online only, so the certificate is
/// used unverified (the insecure path) and no build level is established.
#[test]
fn gha_generic_v1_2_0_and_go_v1_10_0_envelopes_without_their_log_entry() {
    builder_cases(
        "gha_generic/v1.2.0",
        ".intoto.jsonl",
        &format!("{GENERATOR}generator_generic_slsa3.yml"),
        false,
        BuilderKind::Generator,
        false,
    );
    builder_cases(
        "gha_go/v1.10.0",
        ".intoto.jsonl",
        &format!("{GENERATOR}builder_go_slsa3.yml"),
        false,
        BuilderKind::Generator,
        false,
    );
    let d = sha256("gha_go/v1.10.0/binary-linux-amd64-push-v14");
    let att = attest(
        "gha_go/v1.10.0/binary-linux-amd64-push-v14.intoto.jsonl",
        &d,
    )
    .unwrap();
    assert!(!att.is_verified());
    assert!(matches!(
        att.signer(),
        AttestationSigner::InsecureUnverifiedCertificate(_)
    ));
}

#[test]
fn misc_annotated_tag() {
    let file = "misc/annotated-tag.intoto.jsonl";
    let d = sha256("misc/annotated-tag");
    let src = "github.com/asraa/slsa-on-github-test";
    let v = ok(file, &d, &Options::new(src).with_source_tag("v1.5.0"));
    assert_eq!(v.source_ref(), Some("refs/tags/v1.5.0"));
    assert!(matches!(
        run(file, &d, &Options::new(src).with_source_branch("main")),
        Err(Error::NoBranch { .. })
    ));
    assert!(matches!(
        run(file, &d, &Options::new(EXAMPLE)),
        Err(Error::SourceMismatch { .. })
    ));
}

#[test]
fn misc_multi_subject_provenance_verifies_each_artifact() {
    for which in ["first", "second"] {
        let file = format!("misc/binary-linux-amd64-multi-subject-{which}.intoto.jsonl");
        // Both artifacts are subjects of the same provenance.
        for art in ["first", "second"] {
            let d = sha256(&format!("misc/binary-linux-amd64-multi-subject-{art}"));
            let o = Options::new(EXAMPLE).with_source_branch("main");
            // The builder ran at refs/heads/main: not a release.
            assert!(
                matches!(run(&file, &d, &o), Err(Error::InvalidBuilderRef { .. })),
                "{file}"
            );
            let v = ok(&file, &d, &o.insecure_allow_unreleased_builder());
            assert_eq!(v.source_ref(), Some("refs/heads/main"));
        }
    }
}

#[test]
fn misc_e2e_builder_repo_needs_the_unreleased_builder_opt_out() {
    let file = "misc/binary-linux-amd64-e2e-builder-repo.intoto.jsonl";
    let d = sha256("misc/binary-linux-amd64-e2e-builder-repo");
    let go = format!("{GENERATOR}builder_go_slsa3.yml");
    assert!(matches!(
        run(file, &d, &Options::new(EXAMPLE).with_builder_id(&go)),
        Err(Error::InvalidBuilderRef { .. })
    ));
    let o = Options::new(EXAMPLE)
        .with_builder_id(&go)
        .with_source_branch("main")
        .insecure_allow_unreleased_builder();
    let v = ok(file, &d, &o);
    assert_eq!(v.builder_id(), format!("{go}@refs/heads/main"));
    let wrong = Options::new(EXAMPLE)
        .with_builder_id(format!("{GENERATOR}generator_generic_slsa3.yml"))
        .insecure_allow_unreleased_builder();
    assert!(matches!(
        run(file, &d, &wrong),
        Err(Error::BuilderMismatch { .. })
    ));
}

#[test]
fn misc_untrusted_builders_fail() {
    let src = "github.com/asraa/slsa-on-github-test";
    for (file, art) in [
        (
            "misc/binary-linux-amd64-untrusted-builder.intoto.jsonl",
            "misc/binary-linux-amd64-untrusted-builder",
        ),
        // Expired certificate / no Rekor upload: fully verified they fail for want of a log
        // entry (a bare envelope never verifies offline); their builder is a fork anyway.
        (
            "misc/binary-linux-amd64-expired-cert.intoto.jsonl",
            "misc/binary-linux-amd64-expired-cert",
        ),
        (
            "misc/binary-linux-amd64-no-tlog-upload.intoto.jsonl",
            "misc/binary-linux-amd64-no-tlog-upload",
        ),
    ] {
        let d = sha256(art);
        let att = attest(file, &d).unwrap();
        assert!(!att.is_verified(), "{file}");
        assert!(
            matches!(
                run(file, &d, &Options::new(src)),
                Err(Error::UntrustedBuilder { .. })
            ),
            "{file}"
        );
        let canonical =
            Options::new(src).with_builder_id(format!("{GENERATOR}builder_go_slsa3.yml"));
        assert!(
            matches!(
                run(file, &d, &canonical),
                Err(Error::BuilderMismatch { .. })
            ),
            "{file}"
        );
    }
}

#[test]
fn misc_sharded_and_bazel_envelopes_have_no_signer() {
    // No certificate at all: provenance only, and no builder can be established.
    for (file, d, src) in [
        (
            "misc/binary-linux-amd64-sharded.intoto.jsonl",
            "e14616a4eec58f082fd6bea05de02dd9eba193379ddb15b5eb7e7e3880d0ccec",
            "github.com/slsa-framework/slsa-verifier",
        ),
        (
            "sigstore-bundles/bazel-trusted-dsseEnvelope.build.slsa",
            "caaadba2846905ac477c777e96a636e1c2e067fdf6fed90ec9eeca4df18d6ed9",
            EXAMPLE,
        ),
        (
            "sigstore-bundles/bazel-untrusted-dsseEnvelope.sigstore",
            "caaadba2846905ac477c777e96a636e1c2e067fdf6fed90ec9eeca4df18d6ed9",
            EXAMPLE,
        ),
    ] {
        let d = hex(d);
        let att = attest(file, &d).unwrap();
        assert!(
            matches!(att.signer(), AttestationSigner::InsecureUnsigned),
            "{file}"
        );
        assert!(
            matches!(run(file, &d, &Options::new(src)), Err(Error::NoCertificate)),
            "{file}"
        );
    }
}

#[test]
fn misc_workflow_inputs() {
    let file = "misc/workflow-inputs.intoto.jsonl";
    let d = sha256("misc/workflow-inputs");
    let src = "github.com/laurentsimon/slsa-on-github-test";
    let o = Options::new(src)
        .with_workflow_input("release_version", "(for example, 0.1.0)")
        .with_workflow_input("some_bool", "true")
        .with_workflow_input("some_integer", "123");
    ok(file, &d, &o);
    ok(file, &d, &o.clone().with_source_branch("main"));
    assert!(matches!(
        run(file, &d, &o.clone().with_workflow_input("some_integer", "124")),
        Err(Error::InputMismatch { found: Some(f), .. }) if f == "123"
    ));
    assert!(matches!(
        run(
            file,
            &d,
            &Options::new(src).with_workflow_input("missing", "x")
        ),
        Err(Error::InputMismatch { found: None, .. })
    ));
}

#[test]
fn bcr_reusable_workflow_attestations() {
    let src = "github.com/aspect-build/rules_lint";
    let d = sha256("bcr/MODULE.bazel");
    let v = ok(
        "bcr/MODULE.bazel.intoto.jsonl",
        &d,
        &Options::new(src).with_builder_id(BCR),
    );
    assert_eq!(v.builder_kind(), BuilderKind::ReusableWorkflow);
    assert_eq!(v.level(), BuildLevel::L3);
    assert_eq!(v.source_ref(), Some("refs/heads/publish-to-bcr"));
    ok(
        "bcr/MODULE.bazel.intoto.jsonl",
        &d,
        &Options::new(src)
            .with_builder_id(format!("{BCR}@v0.0.1"))
            .with_source_branch("publish-to-bcr"),
    );
    assert!(matches!(
        run("bcr/MODULE.bazel.intoto.jsonl", &d, &Options::new(src)),
        Err(Error::UntrustedBuilder { .. })
    ));
    assert!(matches!(
        run(
            "bcr/MODULE.bazel.intoto.jsonl",
            &d,
            &Options::new(src).with_builder_id(format!("{BCR}@v0.0.2"))
        ),
        Err(Error::BuilderMismatch { .. })
    ));
    // Signed by another workflow (the same artifact bytes).
    let d2 = sha256("bcr/MODULE-wrong-signer.bazel");
    assert_eq!(d, d2);
    assert!(matches!(
        run(
            "bcr/MODULE-wrong-signer.bazel.intoto.jsonl",
            &d2,
            &Options::new(src).with_builder_id(BCR)
        ),
        Err(Error::BuilderMismatch { .. })
    ));
    // Naming the wrong signer as builder still fails: it did not build rules_lint.
    let evil =
        "https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml";
    assert!(matches!(
        run(
            "bcr/MODULE-wrong-signer.bazel.intoto.jsonl",
            &d2,
            &Options::new(src).with_builder_id(evil)
        ),
        Err(Error::ProvenanceBuilderMismatch { .. })
    ));
    // The ruleset tarball (not included; its digest is recorded).
    let tar = sha256("bcr/rules_lint-v1.3.1.tar.gz");
    let release = "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml";
    let v = ok(
        "bcr/rules_lint-v1.3.1.tar.gz.intoto.jsonl",
        &tar,
        &Options::new(src).with_builder_id(release),
    );
    assert_eq!(v.builder_id(), format!("{release}@refs/tags/v7.1.0"));
}

fn sha512_of(rel: &str) -> Digest {
    Algorithm::Sha512.digest(&supply_testkit::read(&format!("{SV}/{rel}")))
}

/// (package, source, builder ids accepted, builder ids refused, level, kind).
type NpmCase<'a> = (
    &'a str,
    &'a str,
    &'a [&'a str],
    &'a [&'a str],
    BuildLevel,
    BuilderKind,
);

#[test]
fn npm_provenance() {
    let runner = slsa::GITHUB_HOSTED_RUNNER;
    let short = slsa::GITHUB_RUNNER_V02;
    // (package, source, builder accepted, builder refused, level)
    let cases: [NpmCase<'_>; 5] = [
        ("supreme-googles-cli-v02-tag", "github.com/trishankatdatadog/supreme-goggles", &[runner, short], &[], BuildLevel::L2, BuilderKind::GithubHostedRunner),
        ("gundam-visor-cli-v1-tag", "github.com/ramonpetgrave64/gundam-visor", &[runner], &[short], BuildLevel::L2, BuilderKind::GithubHostedRunner),
        ("provenance-npm-test-cli-v02-prega", "github.com/laurentsimon/provenance-npm-test", &[runner, short], &[], BuildLevel::L2, BuilderKind::GithubHostedRunner),
        ("provenance-npm-test-cli-v1-prega", "github.com/sigstore/sigstore-js", &[runner], &[short], BuildLevel::L2, BuilderKind::GithubHostedRunner),
        ("provenance-npm-test-ossf", "github.com/laurentsimon/provenance-npm-test", &["https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_nodejs_slsa3.yml"], &[runner], BuildLevel::L3, BuilderKind::Delegated),
    ];
    for (pkg, src, good, bad, level, kind) in cases {
        let file = format!("npm/{pkg}.tgz.json");
        let d = sha512_of(&format!("npm/{pkg}.tgz"));
        let v = ok(&file, &d, &Options::new(src));
        assert_eq!(v.level(), level, "{pkg}");
        assert_eq!(v.builder_kind(), kind, "{pkg}");
        for b in good {
            ok(&file, &d, &Options::new(src).with_builder_id(*b));
        }
        for b in bad {
            assert!(
                matches!(
                    run(&file, &d, &Options::new(src).with_builder_id(*b)),
                    Err(Error::BuilderMismatch { .. })
                ),
                "{pkg} {b}"
            );
        }
        assert!(
            matches!(
                run(&file, &d, &Options::new(EXAMPLE)),
                Err(Error::SourceMismatch { .. })
            ),
            "{pkg}"
        );
        // The broken provenance signature fails in the signature layer.
        let broken = format!("npm/{pkg}-invalidsigprov.tgz.json");
        let d = sha512_of(&format!("npm/{pkg}-invalidsigprov.tgz"));
        assert!(
            matches!(attest(&broken, &d), Err(AttError::Bundle(_))),
            "{broken}"
        );
        // A broken publish attestation leaves the provenance intact (see github.rs for the
        // publish signature).
        let pubbroken = format!("npm/{pkg}-invalidsigpub.tgz.json");
        let d = sha512_of(&format!("npm/{pkg}-invalidsigpub.tgz"));
        ok(&pubbroken, &d, &Options::new(src));
    }
}

#[test]
fn sigstore_bundle_set() {
    // The bundles whose signature layer must fail: the two whose broken signature and SET
    // are not canonical base64 are refused when read, the other when verified.
    for f in ["invalid-dsse-sig", "invalid-set", "mismatch-tlog"] {
        let file = format!("sigstore-bundles/bundle/{f}.intoto.sigstore");
        let items = match supply_intoto::attestation::bundle::read_attestations(
            &supply_testkit::read(&format!("{SV}/{file}")),
        ) {
            Ok(items) => items,
            Err(e) => {
                // Non-canonical base64 in the signature and in the SET.
                assert!(f.starts_with("invalid-"), "{e:?}");
                assert!(matches!(e, AttError::BundleParse(_)), "{file}: {e}");
                continue;
            }
        };
        let supply_intoto::attestation::bundle::Signed::Bundle(b) = &items[0] else {
            panic!()
        };
        let supply_sig::sigstore::bundle::Content::Dsse(env) = b.content() else {
            panic!()
        };
        let st = supply_intoto::attestation::statement::Statement::from_json(&env.payload).unwrap();
        let d = st.subjects()[0].digest.digests().next().unwrap();
        assert!(
            matches!(attest(&file, &d), Err(AttError::Bundle(_))),
            "{file}"
        );
    }
    // valid-v0.3: a generator at refs/heads/main (an unreleased builder).
    let file = "sigstore-bundles/bundle/valid-v0.3.intoto.sigstore";
    let items = supply_intoto::attestation::bundle::read_attestations(&supply_testkit::read(
        &format!("{SV}/{file}"),
    ))
    .unwrap();
    let supply_intoto::attestation::bundle::Signed::Bundle(b) = &items[0] else {
        panic!()
    };
    let supply_sig::sigstore::bundle::Content::Dsse(env) = b.content() else {
        panic!()
    };
    let st = supply_intoto::attestation::statement::Statement::from_json(&env.payload).unwrap();
    let d = st.subjects()[0].digest.digests().next().unwrap();
    assert!(matches!(
        run(file, &d, &Options::new(EXAMPLE)),
        Err(Error::InvalidBuilderRef { .. })
    ));
    let v = ok(
        file,
        &d,
        &Options::new(EXAMPLE)
            .with_source_branch("main")
            .insecure_allow_unreleased_builder(),
    );
    assert_eq!(v.level(), BuildLevel::L3);
    // attestation.intoto.sigstore: a draft v1.0 predicate type, not SLSA provenance.
    for f in ["attestation", "valid"] {
        let file = format!("sigstore-bundles/bundle/{f}.intoto.sigstore");
        let items = supply_intoto::attestation::bundle::read_attestations(&supply_testkit::read(
            &format!("{SV}/{file}"),
        ))
        .unwrap();
        let supply_intoto::attestation::bundle::Signed::Bundle(b) = &items[0] else {
            panic!()
        };
        let supply_sig::sigstore::bundle::Content::Dsse(env) = b.content() else {
            panic!()
        };
        let st = supply_intoto::attestation::statement::Statement::from_json(&env.payload).unwrap();
        let d = st.subjects()[0].digest.digests().next().unwrap();
        let policy = supply_sig::sigstore::verify::Policy::identity_matching(
            supply_sig::sigstore::verify::Matcher::regex("^https://").unwrap(),
            supply_sig::sigstore::verify::Matcher::regex("^https://").unwrap(),
        );
        let att = supply_intoto::attestation::VerifiedAttestation::from_bundle(
            b,
            supply_sig::sigstore::verify::Artifact::Digest(&d),
            &policy,
            &crate::attestation::prod_root(),
            &supply_sig::crypto::RUSTCRYPTO,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(att.is_verified());
        assert!(
            matches!(
                slsa::verify(&att, &d, &Options::new(EXAMPLE)),
                Err(Error::NotProvenance { .. })
            ),
            "{file}"
        );
    }
}

/// Google Cloud Build provenance summaries: DSSE envelopes signed by GCB's KMS keys. Only the
/// signature and statement layer is checked (GCB's builder and source rules are not
/// implemented): the v1.0 references verify under the global keys, and the entry with the
/// intentionally non-JSON payload is refused.
#[test]
fn gcb_provenance_summaries_signature_layer() {
    use supply_intoto::attestation::VerifiedAttestation;
    use supply_sig::dsse::{Envelope, TrustedKeys};
    use supply_sig::key::encoding::pem::public_key_from_pem;
    use supply_sig::sign::{EcdsaEncoding, KeyVerifier, VerifyPolicy};
    let mut keys = TrustedKeys::new();
    for k in [
        "global-pae.key",
        "global-pae-google-hosted-worker_1.key",
        "global-pae-provenanceSigner_1.key",
    ] {
        let key =
            public_key_from_pem(&supply_testkit::read(&format!("{SV}/gcb/keys/{k}"))).unwrap();
        let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::DerOrFixed);
        keys.insert(Box::new(
            KeyVerifier::new(
                &key,
                key.default_scheme(),
                policy,
                &supply_sig::crypto::RUSTCRYPTO,
            )
            .unwrap(),
        ));
    }
    let outcomes = |f: &str| -> Vec<Result<String, AttError>> {
        let doc: serde_json::Value =
            serde_json::from_slice(&supply_testkit::read(&format!("{SV}/gcb/{f}"))).unwrap();
        doc["provenance_summary"]["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let env =
                    Envelope::from_json(&serde_json::to_vec(&e["envelope"]).unwrap()).unwrap();
                VerifiedAttestation::from_envelope(&env, &keys, 1).map(|a| {
                    let st = a.statement();
                    assert!(st.subjects().iter().any(|s| !s.digest.is_empty()));
                    format!("{} {}", st.statement_type().uri(), st.predicate_type())
                })
            })
            .collect()
    };
    let v01 = "https://in-toto.io/Statement/v0.1 https://slsa.dev/provenance/v0.1";
    let v1 = "https://in-toto.io/Statement/v1 https://slsa.dev/provenance/v1";
    // The v0.1 summaries are signed by GCB's builtByGCB key, which the test data does not hold
    // (only the provenanceSigner and google-hosted-worker keys): neither verifies here, so the
    // broken signature of the second is not told apart from the first.
    for f in [
        "gcloud-container-github.json",
        "gcloud-container-invalid-signature.json",
    ] {
        let r = outcomes(f);
        assert!(matches!(&r[..], [Err(AttError::Dsse(_))]), "{f}: {r:?}");
    }
    // The v1.0 ones: both entries verify; the statements name the image by its digest.
    let doc: serde_json::Value = serde_json::from_slice(&supply_testkit::read(&format!(
        "{SV}/gcb/v1.0-gcloud-container-github.json"
    )))
    .unwrap();
    let env = Envelope::from_json(
        &serde_json::to_vec(&doc["provenance_summary"]["provenance"][0]["envelope"]).unwrap(),
    )
    .unwrap();
    let att = VerifiedAttestation::from_envelope(&env, &keys, 1).unwrap();
    let image = Digest::parse(&format!(
        "sha256:{}",
        doc["provenance_summary"]["provenance"][0]["resourceUri"]
            .as_str()
            .unwrap()
            .rsplit_once("sha256:")
            .unwrap()
            .1
    ))
    .unwrap();
    assert!(att.statement().subject_matching(&image).is_some());
    // Tampering with the payload breaks it.
    let mut bad = env.clone();
    bad.payload.push(b' ');
    assert!(matches!(
        VerifiedAttestation::from_envelope(&bad, &keys, 1),
        Err(AttError::Dsse(_))
    ));
    let r = outcomes("v1.0-gcloud-container-github.json");
    assert!(
        matches!(&r[..], [Ok(a), Ok(b)] if a == v1 && b == v01),
        "{r:?}"
    );
    // Its second entry (the non-JSON payload) is refused: no trusted key signed it.
    let r = outcomes("v1.0-gcloud-container-github-v1.0-valid.json");
    assert!(
        matches!(&r[..], [Ok(a), Err(AttError::Dsse(_))] if a == v1),
        "{r:?}"
    );
}
