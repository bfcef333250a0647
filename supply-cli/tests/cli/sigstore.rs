//! `supply verify-blob --bundle` and `supply-sigstore-conformance verify-bundle` on the
//! Sigstore testdata: exit code 0 exactly for the bundles their MANIFEST says verify.

use std::process::Command;

use supply_testkit::testdata;

fn conformance() -> Command {
    Command::new(env!("CARGO_BIN_EXE_supply-sigstore-conformance"))
}

fn td(rel: &str) -> String {
    testdata(rel).to_string_lossy().into_owned()
}

const PY: &str = "sigstore/sigstore-python/bundles";
const GH: &str = "https://github.com/login/oauth";

#[test]
fn conformance_verify_bundle_exit_codes() {
    let staging = td("sigstore/trust/staging/trusted_root.json");
    let production = td("sigstore/trust/production/trusted_root.json");
    let run = |bundle: &str,
               identity: &str,
               issuer: &str,
               file: &str,
               root: Option<&str>,
               staging_flag: bool| {
        let mut c = conformance();
        c.arg("verify-bundle");
        if staging_flag {
            c.arg("--staging");
        }
        c.args([
            "--bundle",
            bundle,
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            issuer,
        ]);
        if let Some(r) = root {
            c.args(["--trusted-root", r]);
        }
        c.arg(file);
        c.output().unwrap().status.success()
    };
    let b = td(&format!("{PY}/bundle_v3.txt.sigstore"));
    let a = td(&format!("{PY}/bundle_v3.txt"));
    assert!(run(
        &b,
        "william@yossarian.net",
        GH,
        &a,
        Some(&staging),
        false
    ));
    // --staging changes nothing beside an explicit root.
    assert!(run(
        &b,
        "william@yossarian.net",
        GH,
        &a,
        Some(&staging),
        true
    ));
    // The production root: wrong instance.
    assert!(!run(
        &b,
        "william@yossarian.net",
        GH,
        &a,
        Some(&production),
        false
    ));
    assert!(!run(&b, "someone@else", GH, &a, Some(&staging), false));
    let cve = td(&format!("{PY}/bundle_cve_2022_36056.txt.sigstore"));
    assert!(!run(
        &cve,
        "william@yossarian.net",
        GH,
        &td(&format!("{PY}/bundle_cve_2022_36056.txt")),
        Some(&staging),
        false
    ));
    // A digest instead of a file.
    let dsse = td(&format!("{PY}/a.dsse.staging-rekor-v2.txt.sigstore.json"));
    let id = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    let gha = "https://token.actions.githubusercontent.com";
    assert!(run(
        &dsse,
        id,
        gha,
        "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf",
        Some(&staging),
        false
    ));
    assert!(!run(
        &dsse,
        id,
        gha,
        &td(&format!("{PY}/a.dsse.staging-rekor-v2.txt")),
        Some(&staging),
        false
    ));
    // Keyed bundle with --key.
    let out = conformance()
        .args([
            "verify-bundle",
            "--bundle",
            &td("sigstore/sigstore-go/bundles/public-key-validity.sigstore.json"),
            "--key",
            &td("sigstore/sigstore-go/public-keys/public-key-validity.pem"),
            "--trusted-root",
            &td("sigstore/sigstore-go/trusted-roots/public-key-validity.json"),
            "sha256:6ae8a75555209fd6c44157c0aed8016e763ff435a19cf186f76863140143ff72",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // sign-bundle is not available yet: it must fail, never pretend.
    let out = conformance()
        .args([
            "sign-bundle",
            "--identity-token",
            "x",
            "--bundle",
            "/dev/null",
            &a,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn supply_verify_blob_with_bundle() {
    let supply = || Command::new(env!("CARGO_BIN_EXE_supply"));
    let out = supply()
        .args([
            "verify-blob",
            "--bundle",
            &td(&format!("{PY}/bundle_v3_github.whl.sigstore")),
            "--certificate-identity-regexp",
            "^https://github.com/trailofbits/rfc8785.py/",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            &td("sigstore/trust/production/trusted_root.json"),
            &td(&format!("{PY}/bundle_v3_github.whl")),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = supply()
        .args([
            "verify-blob",
            "--bundle",
            &td(&format!("{PY}/bundle_v3_github.whl.sigstore")),
            "--certificate-identity-regexp",
            "^https://github.com/sigstore/",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            &td("sigstore/trust/production/trusted_root.json"),
            &td(&format!("{PY}/bundle_v3_github.whl")),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: "));
}

/// Two-way keyed-bundle interop with cosign 3.x and 2.5: cosign verifies the bundles
/// `supply sign-blob --bundle` writes, and `supply verify-blob --bundle` verifies cosign's
/// (`sign-blob --bundle` without a log); a changed artifact fails both ways.
#[test]
fn keyed_bundles_interoperate_with_cosign() {
    use supply_testkit::{peer_command, run, tempdir};
    let Some(cosigns) = crate::cosigns() else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("blob.txt"), b"interop blob\n").unwrap();
    std::fs::write(d.join("other.txt"), b"another blob\n").unwrap();
    crate::ok(
        run(crate::supply(d)
            .env("COSIGN_PASSWORD", crate::PASSWORD)
            .args(["generate-key-pair", "--output-key-prefix", "k"])),
        "generate-key-pair",
    );
    crate::ok(
        run(crate::supply(d)
            .env("COSIGN_PASSWORD", crate::PASSWORD)
            .args([
                "sign-blob",
                "--key",
                "k.key",
                "--bundle",
                "ours.json",
                "blob.txt",
            ])),
        "sign-blob --bundle",
    );
    let root = testdata("sigstore/trust/production/trusted_root.json");
    for (name, bin) in &cosigns {
        // cosign verifies ours (cosign 2.5 needs a trusted root to stay offline).
        let verify = |file: &str| {
            let mut c = peer_command(bin, d);
            c.current_dir(d).args([
                "verify-blob",
                "--key",
                "k.pub",
                "--bundle",
                "ours.json",
                "--insecure-ignore-tlog=true",
                "--trusted-root",
            ]);
            c.arg(&root).arg(file);
            run(&mut c)
        };
        crate::ok(
            verify("blob.txt"),
            &format!("{name} verify-blob --bundle ours"),
        );
        assert!(
            !verify("other.txt").status.success(),
            "{name} accepted a changed blob"
        );
        // We verify theirs.
        let theirs = format!("{name}.json");
        let mut c = peer_command(bin, d);
        c.current_dir(d)
            .env("COSIGN_PASSWORD", crate::PASSWORD)
            .args([
                "sign-blob",
                "--key",
                "k.key",
                "--bundle",
                &theirs,
                "--tlog-upload=false",
                "-y",
            ]);
        if *name == "cosign" {
            c.arg("--use-signing-config=false");
        } else {
            c.arg("--new-bundle-format");
        }
        c.arg("blob.txt");
        crate::ok(run(&mut c), &format!("{name} sign-blob --bundle"));
        // cosign's bundle has no log entry: only with the log check switched off, as with
        // cosign itself.
        crate::ok(
            run(crate::supply(d)
                .args([
                    "verify-blob",
                    "--key",
                    "k.pub",
                    "--bundle",
                    &theirs,
                    "--trusted-root",
                ])
                .arg(&root)
                .args(["--insecure-ignore-tlog", "blob.txt"])),
            &format!("supply verify-blob --bundle {theirs}"),
        );
        let out = run(crate::supply(d)
            .args([
                "verify-blob",
                "--key",
                "k.pub",
                "--bundle",
                &theirs,
                "--trusted-root",
            ])
            .arg(&root)
            .args(["--insecure-ignore-tlog", "other.txt"]));
        assert!(
            !out.status.success(),
            "{name}'s bundle accepted for another blob"
        );
    }
}

/// Differential test against sigstore-python 4.5.1 (`sigstore verify identity --offline`):
/// on every sigstore-python bundle, `supply verify-blob --bundle` gives the same verdict.
/// One documented exception: Python-3.12.5.tgz.sigstore (v0.1 proof without checkpoint),
/// which sigstore-python rejects at parse time and we accept on its SET (not run here: the
/// artifact is not in testdata).
#[test]
fn verdicts_match_sigstore_python() {
    use supply_testkit::{peer, peer_command, run, tempdir};
    let Some(sigstore) = peer("sigstore") else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    for env in ["staging", "production"] {
        let root: serde_json::Value = serde_json::from_slice(
            &std::fs::read(testdata(&format!("sigstore/trust/{env}/trusted_root.json"))).unwrap(),
        )
        .unwrap();
        let sc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(testdata(&format!(
                "sigstore/trust/{env}/signing_config.v0.2.json"
            )))
            .unwrap(),
        )
        .unwrap();
        let cfg = serde_json::json!({"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json", "trustedRoot": root, "signingConfig": sc});
        std::fs::write(
            d.join(format!("{env}.json")),
            serde_json::to_vec(&cfg).unwrap(),
        )
        .unwrap();
    }
    let will = "william@yossarian.net";
    let gh_actions = "https://token.actions.githubusercontent.com";
    let beacon = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("staging", "bundle.txt.sigstore", "bundle.txt", "a@tny.town", GH),
        ("staging", "bundle.txt.sigstore", "bundle.txt", "b@tny.town", GH),
        ("production", "bundle.txt.sigstore", "bundle.txt", "a@tny.town", GH),
        ("staging", "bundle_v3.txt.sigstore", "bundle_v3.txt", will, GH),
        ("staging", "bundle_v3.txt.sigstore", "bundle.txt", will, GH),
        ("staging", "bundle_v3_alt.txt.sigstore", "bundle_v3_alt.txt", will, GH),
        ("staging", "staging-rekor-v2.txt.sigstore.json", "staging-rekor-v2.txt", "jku@goto.fi", GH),
        ("staging", "a.dsse.staging-rekor-v2.txt.sigstore.json", "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", beacon, gh_actions),
        ("staging", "a.dsse.staging-rekor-v2.txt.sigstore.json", "a.dsse.staging-rekor-v2.txt", beacon, gh_actions),
        ("staging", "bundle_cve_2022_36056.txt.sigstore", "bundle_cve_2022_36056.txt", will, GH),
        ("staging", "bundle_invalid_version.txt.sigstore", "bundle_invalid_version.txt", will, GH),
        ("staging", "bundle_no_checkpoint.txt.sigstore", "bundle_no_checkpoint.txt", will, GH),
        ("staging", "bundle_no_log_entry.txt.sigstore", "bundle_no_log_entry.txt", "alex.cameron@trailofbits.com", "https://accounts.google.com"),
        ("production", "bundle_no_cert_v1.txt.sigstore", "bundle_no_cert_v1.txt", will, GH),
        ("production", "bundle_v3_no_signed_time.txt.sigstore.json", "bundle_v3_no_signed_time.txt", will, GH),
        ("production", "bundle_v3_github.whl.sigstore", "bundle_v3_github.whl", "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", gh_actions),
    ];
    let mut accepted = 0;
    for (env, bundle, file, id, issuer) in cases {
        let b = td(&format!("{PY}/{bundle}"));
        let f = if file.starts_with("sha256:") {
            (*file).to_owned()
        } else {
            td(&format!("{PY}/{file}"))
        };
        let cfg = d.join(format!("{env}.json"));
        let mut py = peer_command(&sigstore, d);
        py.arg("--trust-config").arg(&cfg).args([
            "verify",
            "identity",
            "--offline",
            "--bundle",
            &b,
            "--cert-identity",
            id,
            "--cert-oidc-issuer",
            issuer,
            &f,
        ]);
        let theirs = run(&mut py).status.success();
        let root = testdata(&format!("sigstore/trust/{env}/trusted_root.json"));
        let mut ours = Command::new(env!("CARGO_BIN_EXE_supply"));
        ours.args([
            "verify-blob",
            "--bundle",
            &b,
            "--certificate-identity",
            id,
            "--certificate-oidc-issuer",
            issuer,
            "--trusted-root",
        ])
        .arg(&root)
        .arg(&f);
        let ours = ours.output().unwrap().status.success();
        assert_eq!(
            ours, theirs,
            "{env} {bundle} {file} {id}: supply {ours}, sigstore-python {theirs}"
        );
        accepted += usize::from(ours);
    }
    assert_eq!(accepted, 6, "the number of verifying cases changed");
}

/// Issue 10: the transparency-log decision is the caller's, not the bundle's. A keyed bundle
/// without a log entry fails unless `--insecure-ignore-tlog` is given, in cosign's bare form
/// followed by the file, or as `=true`.
#[test]
fn keyed_bundle_without_a_log_needs_insecure_ignore_tlog() {
    use supply_testkit::{run, tempdir};
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("blob.txt"), b"blob\n").unwrap();
    std::fs::write(d.join("other.txt"), b"other\n").unwrap();
    crate::ok(
        run(crate::supply(d)
            .env("COSIGN_PASSWORD", crate::PASSWORD)
            .args(["generate-key-pair", "--output-key-prefix", "k"])),
        "generate-key-pair",
    );
    crate::ok(
        run(crate::supply(d)
            .env("COSIGN_PASSWORD", crate::PASSWORD)
            .args([
                "sign-blob",
                "--key",
                "k.key",
                "--bundle",
                "b.json",
                "blob.txt",
            ])),
        "sign-blob --bundle",
    );
    let verify = |extra: &[&str], file: &str| {
        let mut c = crate::supply(d);
        c.args(["verify-blob", "--key", "k.pub", "--bundle", "b.json"])
            .arg("--trusted-root")
            .arg(testdata("sigstore/trust/production/trusted_root.json"));
        c.args(extra).arg(file);
        run(&mut c)
    };
    let out = verify(&[], "blob.txt");
    assert!(
        !out.status.success(),
        "a log-less keyed bundle verified by default"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("transparency logs"), "{err}");
    crate::ok(
        verify(&["--insecure-ignore-tlog"], "blob.txt"),
        "--insecure-ignore-tlog FILE",
    );
    crate::ok(
        verify(&["--insecure-ignore-tlog=true"], "blob.txt"),
        "--insecure-ignore-tlog=true",
    );
    assert!(!verify(&["--insecure-ignore-tlog=false"], "blob.txt")
        .status
        .success());
    assert!(!verify(&["--insecure-ignore-tlog"], "other.txt")
        .status
        .success());
}

/// Issue 10: an empty or match-everything identity pattern (an unset variable in a script) is
/// refused, unless `--insecure-any-identity` says it is meant.
#[test]
fn match_everything_identity_patterns_are_refused() {
    let supply = || Command::new(env!("CARGO_BIN_EXE_supply"));
    let run = |re: &str, extra: &[&str]| {
        supply()
            .args([
                "verify-blob",
                "--bundle",
                &td(&format!("{PY}/bundle_v3_github.whl.sigstore")),
                "--certificate-identity-regexp",
                re,
                "--certificate-oidc-issuer",
                "https://token.actions.githubusercontent.com",
                "--trusted-root",
                &td("sigstore/trust/production/trusted_root.json"),
            ])
            .args(extra)
            .arg(td(&format!("{PY}/bundle_v3_github.whl")))
            .output()
            .unwrap()
    };
    for re in ["", ".*", "^.*$", ".+"] {
        let out = run(re, &[]);
        assert!(!out.status.success(), "{re:?} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--insecure-any-identity"), "{re:?}: {err}");
        assert!(
            run(re, &["--insecure-any-identity"]).status.success(),
            "{re:?}"
        );
    }
    let out = supply()
        .args([
            "verify-blob",
            "--bundle",
            &td(&format!("{PY}/bundle_v3_github.whl.sigstore")),
            "--certificate-identity",
            "",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            &td("sigstore/trust/production/trusted_root.json"),
        ])
        .arg(td(&format!("{PY}/bundle_v3_github.whl")))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Issue 10: a staging bundle checked against the production root says which flag gives it
/// the right root.
#[test]
fn bundle_of_another_instance_hints_at_trusted_root() {
    let out = Command::new(env!("CARGO_BIN_EXE_supply"))
        .args([
            "verify-blob",
            "--bundle",
            &td(&format!("{PY}/bundle_v3.txt.sigstore")),
            "--certificate-identity",
            "william@yossarian.net",
            "--certificate-oidc-issuer",
            GH,
            "--trusted-root",
            &td("sigstore/trust/production/trusted_root.json"),
        ])
        .arg(td(&format!("{PY}/bundle_v3.txt")))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--trusted-root"), "{err}");
    // The cause is named once.
    assert_eq!(err.matches("does not list").count(), 1, "{err}");
}
