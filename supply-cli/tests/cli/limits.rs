//! Memory bounds of the CLI: files are hashed while read (ECDSA, RSA), so signing and verifying
//! a multi-GiB file runs under an address-space limit far below the file's size; Ed25519, which
//! signs the whole message, refuses files above its documented cap before reading them.

use std::path::Path;
use std::process::{Command, Output};

use supply_testkit::{run, tempdir};

use super::{ok, refused, PASSWORD};

/// A sparse file of `len` bytes (zeros; no disk blocks).
fn sparse(path: &Path, len: u64) {
    let f = std::fs::File::create(path).unwrap();
    f.set_len(len).unwrap();
}

/// Address-space limit for the child, in KiB: 1 GB, a third of the file below. Reading the
/// file whole (what `sign-blob` and `verify-blob` did) cannot fit; hashing it 64 KiB at a time
/// does.
const AS_LIMIT_KIB: u64 = 1_000_000;

/// 3 GiB.
const BIG: u64 = 3 << 30;

/// `bin args…` run in `dir` under `ulimit -v` (RLIMIT_AS).
fn limited(dir: &Path, bin: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir)
        .env("COSIGN_PASSWORD", PASSWORD)
        .arg("-c")
        .arg(format!("ulimit -v {AS_LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args);
    run(&mut cmd)
}

const SUPPLY: &str = env!("CARGO_BIN_EXE_supply");

#[test]
fn a_multi_gib_file_is_signed_and_verified_in_bounded_memory() {
    let dir = tempdir();
    let d = dir.path();
    let mut gen = super::supply(d);
    gen.env("COSIGN_PASSWORD", PASSWORD)
        .args(["generate-key-pair", "--output-key-prefix", "k"]);
    ok(run(&mut gen), "generate-key-pair");
    sparse(&d.join("big"), BIG);
    let prod_root = supply_testkit::testdata("sigstore/trust/production/trusted_root.json")
        .to_string_lossy()
        .into_owned();

    // The limit is real: a child that allocates 1.5 GB (as reading the file whole would, and
    // more) fails under it and runs without it.
    let dd = ["if=/dev/zero", "of=/dev/null", "bs=1500M", "count=1"];
    assert!(
        !limited(d, "dd", &dd).status.success(),
        "the limit did not bite"
    );
    ok(run(Command::new("dd").args(dd)), "dd without the limit");

    ok(
        limited(
            d,
            SUPPLY,
            &[
                "sign-blob",
                "--key",
                "k.key",
                "--output-signature",
                "big.sig",
                "--bundle",
                "big.sigstore",
                "big",
            ],
        ),
        "sign-blob of a 3 GiB file under a 1 GB address-space limit",
    );
    ok(
        limited(
            d,
            SUPPLY,
            &[
                "verify-blob",
                "--key",
                "k.pub",
                "--signature",
                "big.sig",
                "big",
            ],
        ),
        "verify-blob of a 3 GiB file",
    );
    ok(
        limited(
            d,
            SUPPLY,
            &[
                "verify-blob",
                "--bundle",
                "big.sigstore",
                "--trusted-root",
                &prod_root,
                "--insecure-ignore-tlog",
                "--key",
                "k.pub",
                "big",
            ],
        ),
        "verify-blob --bundle of a 3 GiB file",
    );
    ok(
        limited(
            d,
            env!("CARGO_BIN_EXE_supply-sigstore-conformance"),
            &[
                "verify-bundle",
                "--bundle",
                "big.sigstore",
                "--trusted-root",
                &prod_root,
                "--key",
                "k.pub",
                "big",
            ],
        ),
        "conformance verify-bundle of a 3 GiB file",
    );
    // The verdicts are real: one more byte and every check fails.
    sparse(&d.join("big"), BIG + 1);
    refused(
        &limited(
            d,
            SUPPLY,
            &[
                "verify-blob",
                "--key",
                "k.pub",
                "--signature",
                "big.sig",
                "big",
            ],
        ),
        "verify-blob of a changed 3 GiB file",
    );
}

#[test]
fn ed25519_refuses_files_above_its_cap_before_reading_them() {
    let dir = tempdir();
    let d = dir.path();
    let mut gen = super::supply(d);
    gen.env("COSIGN_PASSWORD", PASSWORD).args([
        "generate-key-pair",
        "--output-key-prefix",
        "ed",
        "--algorithm",
        "ed25519",
    ]);
    ok(run(&mut gen), "generate-key-pair ed25519");
    let cap = supply_cli::cli::limits::MAX_ED25519_MESSAGE;
    sparse(&d.join("huge"), cap + 1);
    std::fs::write(d.join("small"), b"small").unwrap();

    for args in [
        &["sign-blob", "--key", "ed.key", "huge"][..],
        &[
            "verify-blob",
            "--key",
            "ed.pub",
            "--signature",
            "AAAA",
            "huge",
        ],
    ] {
        // Under the address-space limit: nothing of the file is read.
        let out = limited(d, SUPPLY, args);
        refused(&out, &format!("{args:?} above the Ed25519 cap"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("huge") && err.contains(&cap.to_string()) && err.contains("Ed25519"),
            "the message names the file, the limit and why: {err}"
        );
    }
    // Below the cap Ed25519 signs and verifies as before.
    let out = ok(
        limited(d, SUPPLY, &["sign-blob", "--key", "ed.key", "small"]),
        "sign-blob ed25519",
    );
    let sig = String::from_utf8(out).unwrap();
    ok(
        limited(
            d,
            SUPPLY,
            &[
                "verify-blob",
                "--key",
                "ed.pub",
                "--signature",
                sig.trim(),
                "small",
            ],
        ),
        "verify-blob ed25519",
    );
}

#[test]
fn oversized_signature_and_key_files_name_the_file_and_the_limit() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("artifact"), b"x").unwrap();
    sparse(&d.join("huge.pub"), 10 << 20);
    let out = limited(
        d,
        SUPPLY,
        &[
            "verify-blob",
            "--key",
            "huge.pub",
            "--signature",
            "AAAA",
            "artifact",
        ],
    );
    refused(&out, "verify-blob with a 10 MiB key file");
    let err = String::from_utf8_lossy(&out.stderr);
    let key_cap = supply_cli::cli::limits::MAX_KEY_FILE.to_string();
    assert!(err.contains("huge.pub") && err.contains(&key_cap), "{err}");

    sparse(&d.join("huge.sig"), 10 << 20);
    let mut gen = super::supply(d);
    gen.env("COSIGN_PASSWORD", PASSWORD)
        .args(["generate-key-pair", "--output-key-prefix", "k"]);
    ok(run(&mut gen), "generate-key-pair");
    let out = limited(
        d,
        SUPPLY,
        &[
            "verify-blob",
            "--key",
            "k.pub",
            "--signature",
            "huge.sig",
            "artifact",
        ],
    );
    refused(&out, "verify-blob with a 10 MiB signature file");
    let err = String::from_utf8_lossy(&out.stderr);
    let sig_cap = supply_cli::cli::limits::MAX_SIGNATURE_FILE.to_string();
    assert!(err.contains("huge.sig") && err.contains(&sig_cap), "{err}");
}
