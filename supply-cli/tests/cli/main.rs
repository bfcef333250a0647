//! The `supply` CLI end to end: its own round trip, and two-way interop with cosign from Debian
//! (3.x from sid as `cosign`, 2.5 from trixie as `cosign2`, installed by `scripts/install-peers`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use supply_testkit::{peer, peer_command, run, tempdir};

mod ambient;
mod attacks;
mod attest;
mod imagesig;
mod intoto;
mod keyless;
mod limits;
mod oci;
mod sbom;
mod sbom_generate;
mod sigstore;
mod sigstore_tuf;
mod tuf_cli;
mod tuf_conformance;
mod vuln;

pub(crate) const PASSWORD: &str = "interop password";

pub(crate) fn supply(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supply"));
    cmd.current_dir(dir).env_remove("COSIGN_PASSWORD");
    cmd
}

pub(crate) fn ok(out: Output, what: &str) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn refused(out: &Output, what: &str) {
    assert!(!out.status.success(), "{what} succeeded but must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().any(|l| l.starts_with("error: ")),
        "{what}: no `error:` line in {err}"
    );
}

/// Both cosign releases under test; `None` when peers are skipped (outside CI only).
pub(crate) fn cosigns() -> Option<Vec<(&'static str, PathBuf)>> {
    Some(vec![
        ("cosign", peer("cosign")?),
        ("cosign2", peer("cosign2")?),
    ])
}

/// `cosign sign-blob` with a key and no transparency log, writing a bare base64 signature
/// (cosign 3 needs the legacy output switched on explicitly).
fn cosign_sign(name: &str, bin: &Path, dir: &Path, key: &str, file: &str, sig: &str) {
    let mut cmd = peer_command(bin, dir);
    cmd.current_dir(dir).env("COSIGN_PASSWORD", PASSWORD);
    cmd.args([
        "sign-blob",
        "--key",
        key,
        "--tlog-upload=false",
        "--output-signature",
        sig,
        "-y",
    ]);
    if name == "cosign" {
        cmd.args(["--new-bundle-format=false", "--use-signing-config=false"]);
    }
    cmd.arg(file);
    ok(run(&mut cmd), &format!("{name} sign-blob"));
}

fn cosign_verify(bin: &Path, dir: &Path, key: &str, sig: &str, file: &str) -> Output {
    let mut cmd = peer_command(bin, dir);
    cmd.current_dir(dir);
    cmd.args([
        "verify-blob",
        "--key",
        key,
        "--signature",
        sig,
        "--insecure-ignore-tlog",
        file,
    ]);
    run(&mut cmd)
}

#[test]
fn supply_round_trip_and_tamper() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("artifact"), b"release tarball bytes\n").unwrap();
    for alg in ["ecdsa-p256", "ecdsa-p384", "ed25519"] {
        for provider in ["rustcrypto", "aws-lc"] {
            let prefix = format!("k-{alg}-{provider}");
            let sig = format!("{prefix}.sig");
            let mut gen = supply(d);
            gen.env("COSIGN_PASSWORD", PASSWORD).args([
                "--crypto-provider",
                provider,
                "generate-key-pair",
                "--output-key-prefix",
                &prefix,
                "--algorithm",
                alg,
            ]);
            ok(run(&mut gen), "generate-key-pair");
            // Without the password the key does not open.
            let mut nopw = supply(d);
            nopw.args(["sign-blob", "--key", &format!("{prefix}.key"), "artifact"]);
            refused(&run(&mut nopw), "sign-blob without COSIGN_PASSWORD");

            let mut sign = supply(d);
            sign.env("COSIGN_PASSWORD", PASSWORD).args([
                "--crypto-provider",
                provider,
                "sign-blob",
                "--key",
                &format!("{prefix}.key"),
                "--output-signature",
                &sig,
                "artifact",
            ]);
            let printed = ok(run(&mut sign), "sign-blob");
            assert_eq!(
                String::from_utf8(printed).unwrap().trim(),
                std::fs::read_to_string(d.join(&sig)).unwrap().trim()
            );
            // public-key of the private key equals the .pub written beside it.
            let mut pubk = supply(d);
            pubk.env("COSIGN_PASSWORD", PASSWORD).args([
                "public-key",
                "--key",
                &format!("{prefix}.key"),
            ]);
            assert_eq!(
                ok(run(&mut pubk), "public-key"),
                std::fs::read(d.join(format!("{prefix}.pub"))).unwrap()
            );
            let verify = |file: &str, key: &str| {
                let mut v = supply(d);
                v.args(["verify-blob", "--key", key, "--signature", &sig, file]);
                run(&mut v)
            };
            ok(verify("artifact", &format!("{prefix}.pub")), "verify-blob");
            std::fs::write(d.join("tampered"), b"release tarball bytes!\n").unwrap();
            refused(
                &verify("tampered", &format!("{prefix}.pub")),
                "verify-blob of another file",
            );
            if prefix != "k-ecdsa-p256-rustcrypto" {
                refused(
                    &verify("artifact", "k-ecdsa-p256-rustcrypto.pub"),
                    "verify-blob with another key",
                );
            }
        }
    }
}

#[test]
fn cosign_keys_sign_here_and_cosign_verifies() {
    let Some(cosigns) = cosigns() else { return };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("artifact"), b"signed by supply with a cosign key\n").unwrap();
    for (name, bin) in &cosigns {
        let prefix = format!("{name}-made");
        let mut gen = peer_command(bin, d);
        gen.current_dir(d).env("COSIGN_PASSWORD", PASSWORD);
        gen.args(["generate-key-pair", "--output-key-prefix", &prefix]);
        ok(run(&mut gen), &format!("{name} generate-key-pair"));

        // The public key we derive from cosign's encrypted private key is the one it wrote.
        let mut pubk = supply(d);
        pubk.env("COSIGN_PASSWORD", PASSWORD).args([
            "public-key",
            "--key",
            &format!("{prefix}.key"),
        ]);
        let ours = ok(run(&mut pubk), "public-key");
        let theirs = std::fs::read(d.join(format!("{prefix}.pub"))).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap().trim(),
            String::from_utf8(theirs).unwrap().trim(),
            "{name}"
        );

        let sig = format!("{name}-made.sig");
        let mut sign = supply(d);
        sign.env("COSIGN_PASSWORD", PASSWORD).args([
            "sign-blob",
            "--key",
            &format!("{prefix}.key"),
            "--output-signature",
            &sig,
            "artifact",
        ]);
        ok(run(&mut sign), "supply sign-blob with a cosign key");
        for (vname, vbin) in &cosigns {
            ok(
                cosign_verify(vbin, d, &format!("{prefix}.pub"), &sig, "artifact"),
                &format!("{vname} verify-blob of our signature with {name}'s key"),
            );
        }
        // cosign's verdict is a real check: another file fails.
        std::fs::write(d.join("other"), b"not what was signed\n").unwrap();
        let out = cosign_verify(bin, d, &format!("{prefix}.pub"), &sig, "other");
        assert!(
            !out.status.success(),
            "{name} accepted a signature over another file"
        );
    }
}

#[test]
fn our_key_files_sign_in_cosign_and_verify_here() {
    let Some(cosigns) = cosigns() else { return };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("artifact"), b"signed by cosign with a supply key\n").unwrap();
    for alg in ["ecdsa-p256", "ecdsa-p384"] {
        let prefix = format!("supply-{alg}");
        let mut gen = supply(d);
        gen.env("COSIGN_PASSWORD", PASSWORD).args([
            "generate-key-pair",
            "--output-key-prefix",
            &prefix,
            "--algorithm",
            alg,
        ]);
        ok(run(&mut gen), "supply generate-key-pair");
        for (name, bin) in &cosigns {
            let sig = format!("{prefix}-{name}.sig");
            cosign_sign(name, bin, d, &format!("{prefix}.key"), "artifact", &sig);
            let mut v = supply(d);
            v.args([
                "verify-blob",
                "--key",
                &format!("{prefix}.pub"),
                "--signature",
                &sig,
                "artifact",
            ]);
            ok(
                run(&mut v),
                &format!("supply verify-blob of {name}'s signature ({alg})"),
            );
            // We refuse a tampered file. (cosign 3.x refuses its own P-384 signatures here: it
            // signs with SHA-384 and verifies with SHA-256; supply accepts both.)
            std::fs::write(d.join("other"), b"tampered\n").unwrap();
            let mut v = supply(d);
            v.args([
                "verify-blob",
                "--key",
                &format!("{prefix}.pub"),
                "--signature",
                &sig,
                "other",
            ]);
            refused(&run(&mut v), "verify-blob of a tampered file");
        }
    }
}
