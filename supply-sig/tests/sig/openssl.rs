//! Two-way interop with the `openssl` CLI (Debian's, installed by `scripts/install-peers`):
//! keys openssl writes (PKCS#8, SEC1, PKCS#1, encrypted PKCS#8, SPKI; PEM and DER) load here to
//! the same public key; openssl signs and we verify on every provider; we sign and openssl
//! verifies; PKCS#8 we write, openssl reads.

use std::path::Path;
use std::process::Command;

use supply_sig::crypto::all_providers;
use supply_sig::key::encoding::{der, pem};
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{
    KeySigner, KeyVerifier, SignatureScheme, Signer as _, Verifier as _, VerifyPolicy,
};
use supply_testkit::{peer, run, run_ok, tempdir};

/// One openssl key kind: how to generate it, how to sign with it, the scheme it gives.
struct Kind {
    name: &'static str,
    genpkey: &'static [&'static str],
    /// `openssl dgst` options (`None`: Ed25519, signed with `pkeyutl -rawin`).
    dgst: Option<&'static [&'static str]>,
    scheme: SignatureScheme,
    algorithm: KeyAlgorithm,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "p256",
        genpkey: &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        dgst: Some(&["-sha256"]),
        scheme: SignatureScheme::EcdsaP256Sha256,
        algorithm: KeyAlgorithm::EcdsaP256,
    },
    Kind {
        name: "p384",
        genpkey: &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        dgst: Some(&["-sha384"]),
        scheme: SignatureScheme::EcdsaP384Sha384,
        algorithm: KeyAlgorithm::EcdsaP384,
    },
    Kind {
        name: "p384-sha256",
        genpkey: &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        dgst: Some(&["-sha256"]),
        scheme: SignatureScheme::EcdsaP384Sha256,
        algorithm: KeyAlgorithm::EcdsaP384,
    },
    Kind {
        name: "ed25519",
        genpkey: &["-algorithm", "ED25519"],
        dgst: None,
        scheme: SignatureScheme::Ed25519,
        algorithm: KeyAlgorithm::Ed25519,
    },
    Kind {
        name: "rsa2048-pkcs1",
        genpkey: &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        dgst: Some(&["-sha256"]),
        scheme: SignatureScheme::RsaPkcs1v15Sha256,
        algorithm: KeyAlgorithm::Rsa,
    },
    Kind {
        name: "rsa3072-pss",
        genpkey: &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
        dgst: Some(&[
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-sigopt",
            "rsa_mgf1_md:sha256",
        ]),
        scheme: SignatureScheme::RsaPssSha256,
        algorithm: KeyAlgorithm::Rsa,
    },
];

fn openssl() -> Option<Command> {
    peer("openssl").map(Command::new)
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Runs `openssl ARGS` and returns stdout; `None` when peers are skipped.
fn ossl(args: &[&str]) -> Option<Vec<u8>> {
    let mut cmd = openssl()?;
    Some(run_ok(cmd.args(args)))
}

#[test]
fn openssl_keys_load_and_its_signatures_verify_here() {
    let Some(_) = openssl() else { return };
    let dir = tempdir();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let msg = d("msg");
    std::fs::write(&msg, b"supply interop: openssl signs, supply verifies\n").unwrap();
    for kind in KINDS {
        let n = kind.name;
        let key = d(&format!("{n}.pem"));
        let mut args = vec!["genpkey", "-out", &key];
        args.extend_from_slice(kind.genpkey);
        ossl(&args).unwrap();
        let spki_pem = d(&format!("{n}.pub.pem"));
        let spki_der = d(&format!("{n}.pub.der"));
        ossl(&["pkey", "-in", &key, "-pubout", "-out", &spki_pem]).unwrap();
        ossl(&[
            "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", &spki_der,
        ])
        .unwrap();
        let expected = pem::public_key_from_pem(&read(Path::new(&spki_pem))).unwrap();
        assert_eq!(expected.algorithm(), kind.algorithm, "{n}");
        assert_eq!(
            der::public_key_from_der(&read(Path::new(&spki_der))).unwrap(),
            expected,
            "{n}: SPKI DER"
        );

        // Every private-key encoding openssl writes for this kind loads to the same key.
        let pkcs8_der = d(&format!("{n}.p8.der"));
        let enc = d(&format!("{n}.enc.pem"));
        ossl(&["pkey", "-in", &key, "-outform", "DER", "-out", &pkcs8_der]).unwrap();
        ossl(&[
            "pkcs8",
            "-topk8",
            "-in",
            &key,
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            "-passout",
            "pass:interop",
            "-out",
            &enc,
        ])
        .unwrap();
        let mut private = vec![
            (
                "pkcs8 pem",
                pem::private_key_from_pem(&read(Path::new(&key)), None).unwrap(),
            ),
            (
                "pkcs8 der",
                der::private_key_from_der(&read(Path::new(&pkcs8_der)), None).unwrap(),
            ),
            (
                "encrypted pkcs8",
                pem::private_key_from_pem(&read(Path::new(&enc)), Some(b"interop")).unwrap(),
            ),
        ];
        match kind.algorithm {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let sec1 = d(&format!("{n}.sec1.pem"));
                ossl(&["ec", "-in", &key, "-out", &sec1]).unwrap();
                private.push((
                    "sec1",
                    pem::private_key_from_pem(&read(Path::new(&sec1)), None).unwrap(),
                ));
            }
            KeyAlgorithm::Rsa => {
                let pkcs1 = d(&format!("{n}.pkcs1.pem"));
                let pkcs1_pub = d(&format!("{n}.pkcs1.pub.pem"));
                ossl(&["rsa", "-in", &key, "-traditional", "-out", &pkcs1]).unwrap();
                ossl(&["rsa", "-in", &key, "-RSAPublicKey_out", "-out", &pkcs1_pub]).unwrap();
                private.push((
                    "pkcs1",
                    pem::private_key_from_pem(&read(Path::new(&pkcs1)), None).unwrap(),
                ));
                assert_eq!(
                    pem::public_key_from_pem(&read(Path::new(&pkcs1_pub))).unwrap(),
                    expected,
                    "{n}: PKCS#1 public"
                );
            }
            _ => {}
        }
        // A wrong password is an error, never a different key.
        assert!(
            pem::private_key_from_pem(&read(Path::new(&enc)), Some(b"wrong")).is_err(),
            "{n}"
        );
        for (what, k) in &private {
            assert_eq!(k.public_key(), &expected, "{n}: {what}");
        }

        // openssl signs; every provider verifies; a changed message or signature is refused.
        let sig = d(&format!("{n}.sig"));
        match kind.dgst {
            Some(opts) => {
                let mut args = vec!["dgst"];
                args.extend_from_slice(opts);
                args.extend_from_slice(&["-sign", &key, "-out", &sig, &msg]);
                ossl(&args).unwrap();
            }
            None => {
                ossl(&[
                    "pkeyutl", "-sign", "-rawin", "-inkey", &key, "-in", &msg, "-out", &sig,
                ])
                .unwrap();
            }
        }
        let sig_bytes = read(Path::new(&sig));
        let msg_bytes = read(Path::new(&msg));
        for p in all_providers() {
            let v = KeyVerifier::new(&expected, kind.scheme, VerifyPolicy::default(), p).unwrap();
            v.verify(&msg_bytes, &sig_bytes)
                .unwrap_or_else(|e| panic!("{n} on {}: {e}", p.name));
            let mut other = msg_bytes.clone();
            other[0] ^= 1;
            assert!(
                v.verify(&other, &sig_bytes).is_err(),
                "{n} on {}: changed message",
                p.name
            );
            let mut bad = sig_bytes.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(
                v.verify(&msg_bytes, &bad).is_err(),
                "{n} on {}: changed signature",
                p.name
            );
        }
    }
}

#[test]
fn our_keys_and_signatures_verify_in_openssl() {
    let Some(_) = openssl() else { return };
    let dir = tempdir();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let msg = d("msg");
    std::fs::write(&msg, b"supply interop: supply signs, openssl verifies\n").unwrap();
    // RSA is verify-only here (RUSTSEC-2023-0071), and P-384/SHA-256 is a verify-only scheme
    // (cosign compatibility), so only the kinds we sign with.
    for kind in KINDS.iter().filter(|k| {
        k.algorithm != KeyAlgorithm::Rsa && k.scheme != SignatureScheme::EcdsaP384Sha256
    }) {
        let n = kind.name;
        for p in all_providers() {
            let key = PrivateKey::generate(kind.algorithm, p).unwrap();
            // Our PKCS#8 and SPKI PEM, read by openssl.
            let key_pem = d(&format!("{n}-{}.key.pem", p.name));
            let pub_pem = d(&format!("{n}-{}.pub.pem", p.name));
            std::fs::write(&key_pem, pem::private_key_to_pem(&key).unwrap().as_bytes()).unwrap();
            std::fs::write(&pub_pem, pem::public_key_to_pem(key.public_key())).unwrap();
            let derived = ossl(&["pkey", "-in", &key_pem, "-pubout"]).unwrap();
            assert_eq!(
                pem::public_key_from_pem(&derived).unwrap(),
                *key.public_key(),
                "{n}: openssl derives another public key from our PKCS#8"
            );

            let signer = KeySigner::new(&key, kind.scheme, p).unwrap();
            let sig = d(&format!("{n}-{}.sig", p.name));
            std::fs::write(&sig, signer.try_sign(&read(Path::new(&msg))).unwrap()).unwrap();
            let mut cmd = openssl().unwrap();
            match kind.dgst {
                Some(opts) => {
                    cmd.arg("dgst").args(opts);
                    cmd.args(["-verify", &pub_pem, "-signature", &sig, &msg]);
                }
                None => {
                    cmd.args(["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", &pub_pem]);
                    cmd.args(["-in", &msg, "-sigfile", &sig]);
                }
            }
            let out = run(&mut cmd);
            assert!(
                out.status.success(),
                "{n} on {}: openssl refused our signature: {}",
                p.name,
                String::from_utf8_lossy(&out.stderr)
            );
            // And openssl refuses it over another message: its verdict is a real check.
            let other = d("other");
            std::fs::write(&other, b"another message").unwrap();
            let mut cmd = openssl().unwrap();
            match kind.dgst {
                Some(opts) => {
                    cmd.arg("dgst").args(opts);
                    cmd.args(["-verify", &pub_pem, "-signature", &sig, &other]);
                }
                None => {
                    cmd.args(["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", &pub_pem]);
                    cmd.args(["-in", &other, "-sigfile", &sig]);
                }
            }
            assert!(
                !run(&mut cmd).status.success(),
                "{n} on {}: openssl accepted a wrong message",
                p.name
            );
        }
    }
}

/// go-tuf signs `rsassa-pss-sha256` with the maximum salt length (Go's `PSSSaltLengthAuto`),
/// which `openssl -sigopt rsa_pss_saltlen:max` also makes. The `RsaPssAuto*` schemes (what
/// securesystemslib key dicts map to) accept it and the hash length, on every provider; the strict
/// schemes accept only the hash length; another salt length is refused by both.
#[test]
fn openssl_pss_max_salt_verifies_with_the_auto_scheme_only() {
    let Some(_) = openssl() else { return };
    let dir = tempdir();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let (key, spki, msg) = (d("rsa.pem"), d("rsa.pub.pem"), d("msg"));
    std::fs::write(&msg, b"supply interop: PSS salt lengths\n").unwrap();
    // 2049 bits: emLen is one byte shorter than the modulus, the edge of the max-salt formula.
    for bits in ["2048", "2049", "3072"] {
        ossl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &format!("rsa_keygen_bits:{bits}"),
            "-out",
            &key,
        ])
        .unwrap();
        ossl(&["pkey", "-in", &key, "-pubout", "-out", &spki]).unwrap();
        let public = pem::public_key_from_pem(&read(Path::new(&spki))).unwrap();
        let sign = |saltlen: &str, hash: &str| {
            let sig = d("sig");
            ossl(&[
                "dgst",
                &format!("-{hash}"),
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                &format!("rsa_pss_saltlen:{saltlen}"),
                "-sigopt",
                &format!("rsa_mgf1_md:{hash}"),
                "-sign",
                &key,
                "-out",
                &sig,
                &msg,
            ])
            .unwrap();
            read(Path::new(&sig))
        };
        let msg_bytes = read(Path::new(&msg));
        let cases = [
            (
                "sha256",
                SignatureScheme::RsaPssSha256,
                SignatureScheme::RsaPssAutoSha256,
            ),
            (
                "sha384",
                SignatureScheme::RsaPssSha384,
                SignatureScheme::RsaPssAutoSha384,
            ),
            (
                "sha512",
                SignatureScheme::RsaPssSha512,
                SignatureScheme::RsaPssAutoSha512,
            ),
        ];
        for (hash, strict, auto) in cases {
            let max = sign("max", hash);
            let digest = sign("digest", hash);
            let other = sign("20", hash);
            for p in all_providers() {
                let what = format!("{bits} bits, {hash}, {}", p.name);
                let v = |s| KeyVerifier::new(&public, s, VerifyPolicy::default(), p).unwrap();
                let (strict, auto) = (v(strict), v(auto));
                auto.verify(&msg_bytes, &max)
                    .unwrap_or_else(|e| panic!("{what}: max salt, auto: {e}"));
                auto.verify(&msg_bytes, &digest)
                    .unwrap_or_else(|e| panic!("{what}: digest salt, auto: {e}"));
                strict
                    .verify(&msg_bytes, &digest)
                    .unwrap_or_else(|e| panic!("{what}: digest salt, strict: {e}"));
                assert!(
                    strict.verify(&msg_bytes, &max).is_err(),
                    "{what}: strict, max"
                );
                assert!(auto.verify(&msg_bytes, &other).is_err(), "{what}: auto, 20");
                assert!(
                    strict.verify(&msg_bytes, &other).is_err(),
                    "{what}: strict, 20"
                );
                let mut bad = max.clone();
                bad[10] ^= 1;
                assert!(auto.verify(&msg_bytes, &bad).is_err(), "{what}: tampered");
                let mut changed = msg_bytes.clone();
                changed[0] ^= 1;
                assert!(
                    auto.verify(&changed, &max).is_err(),
                    "{what}: changed message"
                );
            }
        }
    }
}
