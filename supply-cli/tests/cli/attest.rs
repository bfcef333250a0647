//! `supply verify-attestation` on the slsa-verifier test data: slsa-verifier's flags
//! (`--source-uri`, `--source-tag`, `--source-branch`, `--source-versioned-tag`,
//! `--builder-id`, `--print-provenance`) and gh's (`--owner`, `--repo`, `--signer-workflow`,
//! `--source-ref`), offline against the production trusted root.

use std::process::Output;

use supply_testkit::{run, tempdir, testdata};

use crate::{ok, refused, supply};

const SV: &str = "intoto/slsa-verifier";
const EXAMPLE: &str = "github.com/slsa-framework/example-package";

fn td(rel: &str) -> String {
    testdata(rel).to_string_lossy().into_owned()
}

/// `supply verify-attestation --provenance-path SV/prov --trusted-root … ARGS SV/artifact`.
fn verify(prov: &str, artifact: &str, args: &[&str]) -> Output {
    let dir = tempdir();
    let mut c = supply(dir.path());
    c.args([
        "verify-attestation",
        "--provenance-path",
        &td(&format!("{SV}/{prov}")),
        "--trusted-root",
        &td("sigstore/trust/production/trusted_root.json"),
    ]);
    c.args(args);
    c.arg(td(&format!("{SV}/{artifact}")));
    run(&mut c)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn slsa_verifier_flags() {
    let prov = "gha_container-based/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.build.slsa";
    let art = "gha_container-based/v2.1.0/binary-linux-amd64-push-v13.0.30";
    let out = verify(
        prov,
        art,
        &["--source-uri", EXAMPLE, "--source-tag", "v13.0.30"],
    );
    let err = stderr(&out);
    ok(out, "verify-attestation --source-tag");
    assert!(err.contains("PASSED: SLSA verification passed"), "{err}");
    assert!(err.contains("SLSA_BUILD_LEVEL_3"), "{err}");
    assert!(
        err.contains("builder_container-based_slsa3.yml@refs/tags/v2.1.0"),
        "{err}"
    );
    ok(
        verify(
            prov,
            art,
            &["--source-uri", EXAMPLE, "--source-versioned-tag", "v13"],
        ),
        "--source-versioned-tag v13",
    );
    ok(
        verify(
            prov,
            art,
            &["--source-uri", EXAMPLE, "--source-branch", "main"],
        ),
        "--source-branch of a tag push",
    );
    // --print-provenance prints the verified statement.
    let out = verify(prov, art, &["--source-uri", EXAMPLE, "--print-provenance"]);
    let printed = ok(out, "--print-provenance");
    let st: serde_json::Value = serde_json::from_slice(&printed).unwrap();
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    // Each mismatch is refused with the reason.
    for (args, reason) in [
        (vec!["--source-uri", EXAMPLE, "--source-tag", "v13"], "source tag is"),
        (vec!["--source-uri", EXAMPLE, "--source-versioned-tag", "v14"], "source tag is"),
        // The tag was pushed from main (the event's base ref), not from master.
        (vec!["--source-uri", EXAMPLE, "--source-branch", "master"], "source branch is"),
        (vec!["--source-uri", "github.com/laurentsimon/slsa-verifier-test-genA"], "source repository is"),
        (
            vec![
                "--source-uri",
                EXAMPLE,
                "--builder-id",
                "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
            ],
            "the builder is",
        ),
    ] {
        let out = verify(prov, art, &args);
        let err = stderr(&out);
        refused(&out, &format!("{args:?}"));
        assert!(err.contains(reason), "{args:?}: {err}");
    }
    // Another artifact.
    let out = verify(
        prov,
        "gha_delegator/v2.1.0/binary-linux-amd64-push-v14",
        &["--source-uri", EXAMPLE],
    );
    refused(&out, "another artifact");
}

#[test]
fn delegated_builders_need_the_builder_id() {
    let prov = "gha_delegator/v2.1.0/binary-linux-amd64-workflow_dispatch.build.slsa";
    let art = "gha_delegator/v2.1.0/binary-linux-amd64-workflow_dispatch";
    let out = verify(prov, art, &["--source-uri", EXAMPLE]);
    let err = stderr(&out);
    refused(&out, "delegated builder without --builder-id");
    assert!(err.contains("not trusted by default"), "{err}");
    ok(
        verify(
            prov,
            art,
            &[
                "--source-uri",
                EXAMPLE,
                "--source-branch",
                "main",
                "--builder-id",
                "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml",
            ],
        ),
        "delegated builder with --builder-id",
    );
}

#[test]
fn github_attestation_flags() {
    let signer = "bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";
    let out = verify(
        "bcr/MODULE.bazel.intoto.jsonl",
        "bcr/MODULE.bazel",
        &[
            "--repo",
            "aspect-build/rules_lint",
            "--signer-workflow",
            signer,
            "--source-ref",
            "refs/heads/publish-to-bcr",
        ],
    );
    let err = stderr(&out);
    ok(out, "gh-style verification of the BCR module");
    assert!(
        err.contains("publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1"),
        "{err}"
    );
    ok(
        verify(
            "bcr/MODULE.bazel.intoto.jsonl",
            "bcr/MODULE.bazel",
            &["--owner", "aspect-build", "--signer-workflow", signer],
        ),
        "--owner",
    );
    for (prov, args) in [
        (
            "bcr/MODULE.bazel.intoto.jsonl",
            vec!["--repo", "aspect-build/rules_lint"],
        ),
        (
            "bcr/MODULE.bazel.intoto.jsonl",
            vec![
                "--repo",
                "aspect-build/rules_lint",
                "--signer-workflow",
                signer,
                "--source-ref",
                "refs/heads/main",
            ],
        ),
        (
            "bcr/MODULE-wrong-signer.bazel.intoto.jsonl",
            vec![
                "--repo",
                "aspect-build/rules_lint",
                "--signer-workflow",
                signer,
            ],
        ),
    ] {
        refused(
            &verify(prov, "bcr/MODULE.bazel", &args),
            &format!("{prov} {args:?}"),
        );
    }
    // The same module as SLSA provenance of a named reusable workflow.
    ok(
        verify(
            "bcr/MODULE.bazel.intoto.jsonl",
            "bcr/MODULE.bazel",
            &[
                "--source-uri",
                "github.com/aspect-build/rules_lint",
                "--builder-id",
                &format!("https://github.com/{signer}"),
            ],
        ),
        "BCR as SLSA",
    );
    // npm: SHA-512 subjects, the provenance picked out of the attestations document.
    let npm = "npm/gundam-visor-cli-v1-tag";
    ok(
        verify(
            &format!("{npm}.tgz.json"),
            &format!("{npm}.tgz"),
            &[
                "--owner",
                "ramonpetgrave64",
                "--source-ref",
                "refs/tags/v1.0.1",
            ],
        ),
        "npm provenance with --owner",
    );
    ok(
        verify(
            &format!("{npm}.tgz.json"),
            &format!("{npm}.tgz"),
            &[
                "--source-uri",
                "github.com/ramonpetgrave64/gundam-visor",
                "--source-tag",
                "v1.0.1",
            ],
        ),
        "npm provenance as SLSA",
    );
    refused(
        &verify(
            &format!("{npm}-invalidsigprov.tgz.json"),
            &format!("{npm}-invalidsigprov.tgz"),
            &["--owner", "ramonpetgrave64"],
        ),
        "npm provenance with a broken signature",
    );
}

#[test]
fn bare_envelopes_and_caller_mistakes_are_refused() {
    let out = verify(
        "misc/annotated-tag.intoto.jsonl",
        "misc/annotated-tag",
        &["--source-uri", "github.com/asraa/slsa-on-github-test"],
    );
    let err = stderr(&out);
    refused(&out, "a bare envelope");
    assert!(err.contains("bare DSSE envelope"), "{err}");
    let prov = "gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa";
    let art = "gha_delegator/v2.1.0/binary-linux-amd64-push-v14";
    // Neither SLSA nor GitHub flags; both; a malformed input.
    assert!(!verify(prov, art, &[]).status.success());
    assert!(!verify(
        prov,
        art,
        &["--source-uri", EXAMPLE, "--owner", "slsa-framework"]
    )
    .status
    .success());
    refused(
        &verify(
            prov,
            art,
            &["--source-uri", EXAMPLE, "--build-workflow-input", "novalue"],
        ),
        "--build-workflow-input without =",
    );
}

/// Google Cloud Build provenance, as `slsa-verifier verify-image`: the `gcloud
/// --show-provenance` document with GCB's keys named by `--gcb-key`, the image by
/// `--artifact-digest`.
#[test]
fn gcb_provenance_for_an_image_digest() {
    let image = "sha256:7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3";
    let v1_key = format!(
        "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/google-hosted-worker/cryptoKeyVersions/1={}",
        td(&format!("{SV}/gcb/keys/global-pae-google-hosted-worker_1.key"))
    );
    let run_gcb = |args: &[&str]| {
        let dir = tempdir();
        let mut c = supply(dir.path());
        c.args([
            "verify-attestation",
            "--provenance-path",
            &td(&format!("{SV}/gcb/v1.0-gcloud-container-github.json")),
        ]);
        c.args(args);
        run(&mut c)
    };
    let out = run_gcb(&[
        "--gcb-key",
        &v1_key,
        "--artifact-digest",
        image,
        "--source-uri",
        "github.com/khalkie/gcb-prod-prov",
        "--source-branch",
        "main",
        "--builder-id",
        "https://cloudbuild.googleapis.com/GoogleHostedWorker",
    ]);
    let err = stderr(&out);
    ok(out, "verify-attestation GCB");
    assert!(err.contains("PASSED: SLSA verification passed"), "{err}");
    assert!(err.contains("GoogleHostedWorker"), "{err}");
    for (args, reason) in [
        (
            vec![
                "--gcb-key",
                &v1_key,
                "--artifact-digest",
                image,
                "--source-uri",
                "github.com/khalkie/other",
            ],
            "source repository is",
        ),
        (
            vec![
                "--gcb-key",
                &v1_key,
                "--artifact-digest",
                "sha256:1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd",
                "--source-uri",
                "github.com/khalkie/gcb-prod-prov",
            ],
            "not a subject",
        ),
        (
            vec![
                "--artifact-digest",
                image,
                "--source-uri",
                "github.com/khalkie/gcb-prod-prov",
            ],
            "at least one --gcb-key",
        ),
        (
            vec![
                "--gcb-key",
                "projects/x=/dev/null",
                "--artifact-digest",
                image,
                "--source-uri",
                "github.com/khalkie/gcb-prod-prov",
            ],
            "GCB key",
        ),
    ] {
        let out = run_gcb(&args);
        let err = stderr(&out);
        refused(&out, reason);
        assert!(err.contains(reason), "{args:?}: {err}");
    }
}
