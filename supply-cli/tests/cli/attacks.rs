//! A careless user and an attacker against the CLI's files and messages: key files that are
//! symlinks or exist already, output flags that name an input or a private key, one signature
//! per `sign-blob`, file names that are not UTF-8, malformed digests, missing signature files,
//! and error output that names each cause once.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use supply_testkit::{run, tempdir, testdata};

use super::{ok, refused, supply, PASSWORD};

fn generate(d: &Path, prefix: &str, force: bool) -> Output {
    let mut cmd = supply(d);
    cmd.env("COSIGN_PASSWORD", PASSWORD)
        .args(["generate-key-pair", "--output-key-prefix", prefix]);
    if force {
        cmd.arg("--force");
    }
    run(&mut cmd)
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The directory's entries, sorted: no temporary or backup file may be left behind.
fn entries(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn is_cosign_key(p: &Path) -> bool {
    std::fs::read_to_string(p)
        .unwrap()
        .starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
}

#[test]
fn key_pair_never_follows_a_dangling_symlink() {
    let dir = tempdir();
    let d = dir.path();
    symlink(d.join("planted"), d.join("k.key")).unwrap();
    refused(
        &generate(d, "k", false),
        "generate-key-pair onto a dangling symlink",
    );
    assert!(!d.join("planted").exists(), "the symlink was followed");
    assert!(!d.join("k.pub").exists(), "half a key pair was written");

    ok(generate(d, "k", true), "generate-key-pair --force");
    assert!(!d.join("planted").exists(), "--force followed the symlink");
    assert!(std::fs::symlink_metadata(d.join("k.key"))
        .unwrap()
        .is_file());
    assert!(is_cosign_key(&d.join("k.key")));
    assert_eq!(mode(&d.join("k.key")), 0o600);
    assert_eq!(entries(d), ["k.key", "k.pub"]);
}

#[test]
fn key_pair_never_writes_through_a_symlink_to_a_file() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("victim"), b"precious").unwrap();
    symlink(d.join("victim"), d.join("k.key")).unwrap();
    let out = generate(d, "k", false);
    refused(&out, "generate-key-pair onto a symlink");
    assert!(stderr(&out).contains("k.key"), "{}", stderr(&out));
    assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
    assert!(!d.join("k.pub").exists());

    ok(generate(d, "k", true), "generate-key-pair --force");
    assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
    assert!(std::fs::symlink_metadata(d.join("k.key"))
        .unwrap()
        .is_file());
    assert_eq!(mode(&d.join("k.key")), 0o600);
}

#[test]
fn key_pair_refuses_existing_files_without_force() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("k.key"), b"old key").unwrap();
    std::fs::write(d.join("k.pub"), b"old pub").unwrap();
    let out = generate(d, "k", false);
    refused(&out, "generate-key-pair over existing files");
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(d.join("k.key")).unwrap(), b"old key");
    assert_eq!(std::fs::read(d.join("k.pub")).unwrap(), b"old pub");

    // Only the public half exists: the private half is not written either.
    std::fs::write(d.join("p.pub"), b"old pub").unwrap();
    refused(
        &generate(d, "p", false),
        "generate-key-pair over an existing .pub",
    );
    assert!(!d.join("p.key").exists());
}

#[test]
fn key_pair_force_writes_a_private_key_of_mode_0600() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("k.key"), b"old key").unwrap();
    std::fs::set_permissions(d.join("k.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(d.join("k.pub"), b"old pub").unwrap();
    ok(generate(d, "k", true), "generate-key-pair --force");
    assert!(is_cosign_key(&d.join("k.key")));
    assert_eq!(mode(&d.join("k.key")), 0o600);
    assert_ne!(std::fs::read(d.join("k.pub")).unwrap(), b"old pub");
    assert_eq!(entries(d), ["k.key", "k.pub"]);
    // A fresh key is 0600 too.
    ok(generate(d, "fresh", false), "generate-key-pair");
    assert_eq!(mode(&d.join("fresh.key")), 0o600);
}

#[test]
fn key_pair_keeps_the_old_key_when_the_public_half_fails() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("k.key"), b"old key").unwrap();
    // A directory where the public half goes: the rename onto it fails.
    std::fs::create_dir(d.join("k.pub")).unwrap();
    std::fs::write(d.join("k.pub").join("inside"), b"x").unwrap();
    refused(
        &generate(d, "k", true),
        "generate-key-pair --force with an unwritable .pub",
    );
    assert_eq!(std::fs::read(d.join("k.key")).unwrap(), b"old key");
    assert_eq!(entries(d), ["k.key", "k.pub"]);
}

/// A key pair `k` and a file `artifact` in `d`.
fn signing_dir(d: &Path) {
    ok(generate(d, "k", false), "generate-key-pair");
    std::fs::write(d.join("artifact"), b"the artifact\n").unwrap();
}

fn sign_blob(d: &Path, args: &[&str]) -> Output {
    let mut cmd = supply(d);
    cmd.env("COSIGN_PASSWORD", PASSWORD)
        .args(["sign-blob", "--key", "k.key"])
        .args(args);
    run(&mut cmd)
}

#[test]
fn output_flags_never_name_an_input_or_a_private_key() {
    let dir = tempdir();
    let d = dir.path();
    signing_dir(d);
    let key = std::fs::read(d.join("k.key")).unwrap();
    let artifact = std::fs::read(d.join("artifact")).unwrap();
    for force in [false, true] {
        let f: &[&str] = if force { &["--force"] } else { &[] };
        for args in [
            &["--output-signature", "k.key", "artifact"][..],
            &["--bundle", "k.key", "artifact"],
            &["--output-signature", "artifact", "artifact"],
            &["--bundle", "./artifact", "artifact"],
        ] {
            let out = sign_blob(d, &[f, args].concat());
            refused(&out, &format!("sign-blob {args:?} {f:?}"));
            let err = stderr(&out);
            assert!(
                err.contains("k.key") || err.contains("artifact"),
                "the message names no file: {err}"
            );
        }
    }
    assert_eq!(std::fs::read(d.join("k.key")).unwrap(), key);
    assert_eq!(std::fs::read(d.join("artifact")).unwrap(), artifact);

    // Another private key is not an output either, even with --force.
    ok(generate(d, "other", false), "generate-key-pair");
    let other = std::fs::read(d.join("other.key")).unwrap();
    let out = sign_blob(
        d,
        &["--force", "--output-signature", "other.key", "artifact"],
    );
    refused(
        &out,
        "sign-blob --output-signature onto another private key",
    );
    assert!(stderr(&out).contains("private key"), "{}", stderr(&out));
    assert_eq!(std::fs::read(d.join("other.key")).unwrap(), other);

    // One path for two outputs.
    refused(
        &sign_blob(d, &["--output-signature", "s", "--bundle", "s", "artifact"]),
        "sign-blob with one path for both outputs",
    );
    assert!(!d.join("s").exists());

    // An existing output: refused without --force, replaced with it.
    std::fs::write(d.join("a.sig"), b"old signature").unwrap();
    refused(
        &sign_blob(d, &["--output-signature", "a.sig", "artifact"]),
        "sign-blob over an existing signature file",
    );
    assert_eq!(std::fs::read(d.join("a.sig")).unwrap(), b"old signature");
    ok(
        sign_blob(d, &["--force", "--output-signature", "a.sig", "artifact"]),
        "sign-blob --force",
    );
    assert_ne!(std::fs::read(d.join("a.sig")).unwrap(), b"old signature");

    // public-key --outfile onto its own key.
    let mut cmd = supply(d);
    cmd.env("COSIGN_PASSWORD", PASSWORD).args([
        "public-key",
        "--key",
        "k.key",
        "--outfile",
        "k.key",
        "--force",
    ]);
    refused(&run(&mut cmd), "public-key --outfile onto the key");
    assert_eq!(std::fs::read(d.join("k.key")).unwrap(), key);
}

#[test]
fn sign_blob_writes_one_signature_to_the_bundle_and_the_signature_file() {
    let dir = tempdir();
    let d = dir.path();
    signing_dir(d);
    let printed = ok(
        sign_blob(
            d,
            &[
                "--output-signature",
                "a.sig",
                "--bundle",
                "a.sigstore",
                "artifact",
            ],
        ),
        "sign-blob --bundle",
    );
    let sig_file = std::fs::read_to_string(d.join("a.sig")).unwrap();
    assert_eq!(String::from_utf8(printed).unwrap().trim(), sig_file.trim());
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("a.sigstore")).unwrap()).unwrap();
    let in_bundle = bundle["messageSignature"]["signature"].as_str().unwrap();
    // ECDSA signatures are randomized (aws-lc) or deterministic (RFC 6979): only one signing
    // operation makes them equal on both providers.
    assert_eq!(in_bundle, sig_file.trim());
    let digest = bundle["messageSignature"]["messageDigest"]["digest"]
        .as_str()
        .unwrap();
    let expected = base64::engine::general_purpose::STANDARD.encode(
        supply_sig::digest::Algorithm::Sha256
            .digest(b"the artifact\n")
            .as_bytes(),
    );
    assert_eq!(digest, expected);
}

const PY: &str = "sigstore/sigstore-python/bundles";
const GH: &str = "https://github.com/login/oauth";

fn verify_python_bundle(d: &Path, artifact: &OsStr, verbose: bool) -> Output {
    let mut cmd = supply(d);
    if verbose {
        cmd.arg("--verbose");
    }
    cmd.args(["verify-blob", "--bundle"])
        .arg(testdata(&format!("{PY}/bundle_v3.txt.sigstore")))
        .arg("--trusted-root")
        .arg(testdata("sigstore/trust/staging/trusted_root.json"))
        .args([
            "--certificate-identity",
            "william@yossarian.net",
            "--certificate-oidc-issuer",
            GH,
        ])
        .arg(artifact);
    run(&mut cmd)
}

#[test]
fn verify_blob_bundle_opens_a_file_whose_name_is_not_utf8() {
    let dir = tempdir();
    let d = dir.path();
    let name = OsStr::from_bytes(b"bundle_v3-\xff.txt");
    std::fs::copy(testdata(&format!("{PY}/bundle_v3.txt")), d.join(name)).unwrap();
    ok(
        verify_python_bundle(d, name, false),
        "verify-blob --bundle of a non-UTF-8 file name",
    );
    // The same bytes under another name that does not exist: refused.
    refused(
        &verify_python_bundle(d, OsStr::from_bytes(b"missing-\xff.txt"), false),
        "verify-blob of a missing file",
    );
}

#[test]
fn a_malformed_digest_is_reported_as_a_digest() {
    let dir = tempdir();
    let d = dir.path();
    let out = verify_python_bundle(d, OsStr::new("sha256:abc"), false);
    refused(&out, "verify-blob with a short digest");
    let err = stderr(&out);
    assert!(err.contains("digest"), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    assert!(err.contains("sha256:abc"), "{err}");

    let mut conf = std::process::Command::new(env!("CARGO_BIN_EXE_supply-sigstore-conformance"));
    conf.current_dir(d)
        .args(["verify-bundle", "--bundle"])
        .arg(testdata(&format!("{PY}/bundle_v3.txt.sigstore")))
        .args([
            "--certificate-identity",
            "william@yossarian.net",
            "--certificate-oidc-issuer",
            GH,
            "--staging",
            "--trusted-root",
        ])
        .arg(testdata("sigstore/trust/staging/trusted_root.json"))
        .arg("sha256:ABCDEF");
    let out = run(&mut conf);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("digest") && !err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn a_signature_path_that_does_not_exist_is_reported_as_missing() {
    let dir = tempdir();
    let d = dir.path();
    signing_dir(d);
    for missing in ["missing.sig", "sigs/a.sig", "sig"] {
        let mut cmd = supply(d);
        cmd.args([
            "verify-blob",
            "--key",
            "k.pub",
            "--signature",
            missing,
            "artifact",
        ]);
        let out = run(&mut cmd);
        refused(&out, "verify-blob with a missing signature file");
        let err = stderr(&out);
        assert!(
            err.contains(missing) && err.contains("no such file"),
            "{err}"
        );
    }
    // Inline base64 still works.
    let printed = ok(sign_blob(d, &["artifact"]), "sign-blob");
    let inline = String::from_utf8(printed).unwrap();
    let mut cmd = supply(d);
    cmd.args([
        "verify-blob",
        "--key",
        "k.pub",
        "--signature",
        inline.trim(),
        "artifact",
    ]);
    ok(run(&mut cmd), "verify-blob with an inline signature");
}

/// No word twice in a row (`key file key encoding` has none; `key key` would).
fn assert_no_doubled_words(text: &str) {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    for pair in words.windows(2) {
        assert_ne!(pair[0], pair[1], "doubled word in {text:?}");
    }
}

#[test]
fn key_messages_name_the_file_once_without_doubled_words() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("artifact"), b"x").unwrap();
    std::fs::write(
        d.join("bad.key"),
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
    )
    .unwrap();
    let mut cmd = supply(d);
    cmd.env("COSIGN_PASSWORD", PASSWORD)
        .args(["sign-blob", "--key", "bad.key", "artifact"]);
    let out = run(&mut cmd);
    refused(&out, "sign-blob with a corrupt cosign key");
    let err = stderr(&out);
    assert!(err.contains("bad.key"), "{err}");
    assert!(!err.contains("key file key"), "{err}");
    assert_no_doubled_words(&err);

    std::fs::write(
        d.join("bad.pub"),
        r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"zz"}}"#,
    )
    .unwrap();
    let mut cmd = supply(d);
    cmd.args([
        "verify-blob",
        "--key",
        "bad.pub",
        "--signature",
        "AAAA",
        "artifact",
    ]);
    let out = run(&mut cmd);
    refused(&out, "verify-blob with a corrupt key dict");
    let err = stderr(&out);
    assert!(err.contains("bad.pub"), "{err}");
    assert_no_doubled_words(&err);
}

#[test]
fn a_failing_verify_names_each_cause_once_and_verbose_prints_the_chain() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::copy(testdata(&format!("{PY}/bundle_v3.txt")), d.join("a.txt")).unwrap();
    std::fs::write(d.join("other.txt"), b"not the signed file").unwrap();
    let out = verify_python_bundle(d, OsStr::new("other.txt"), false);
    refused(&out, "verify-blob of another file");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");

    let verbose = verify_python_bundle(d, OsStr::new("other.txt"), true);
    refused(&verbose, "verify-blob --verbose of another file");
    let chain = stderr(&verbose);
    let lines: Vec<&str> = chain.lines().collect();
    let top = lines[0]
        .strip_prefix("error: ")
        .expect("an error: line first");
    let causes: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.strip_prefix("  caused by: ").expect("one cause per line"))
        .collect();
    assert!(!causes.is_empty(), "{chain}");
    // The one-line form is the chain joined, and no message repeats another.
    let all: Vec<&str> = std::iter::once(top).chain(causes.iter().copied()).collect();
    assert_eq!(err.trim_end(), format!("error: {}", all.join(": ")));
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!(
                !a.contains(b) && !b.contains(a),
                "{a:?} and {b:?} repeat in {chain}"
            );
        }
    }
    assert!(all.iter().any(|c| c.contains("digest")), "{chain}");

    // A backtrace is never printed, even when asked for through the environment.
    let mut cmd = supply(d);
    cmd.env("RUST_BACKTRACE", "1").args([
        "--verbose",
        "verify-blob",
        "--key",
        "nothing.pub",
        "--signature",
        "AAAA",
        "other.txt",
    ]);
    let out = run(&mut cmd);
    refused(&out, "verify-blob with a missing key");
    let err = stderr(&out);
    assert!(
        !err.contains("backtrace") && !err.contains("Backtrace"),
        "{err}"
    );
    assert!(err.contains("nothing.pub"), "{err}");
}
