//! Key encodings against testdata/crypto/keys (openssl/, cosign/, securesystemslib/).
//! Signature checks over message.txt live with the signature tests, not here.

use base64::Engine as _;
use serde_json::Value;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::Algorithm;
use supply_sig::key::encoding::cosign::{self, ScryptParams};
use supply_sig::key::encoding::ssh::SshPublicKey;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::encoding::{der, pem, ssh, AutoLoader, KeyLoader};
use supply_sig::key::{Error, KeyAlgorithm, PrivateKey, PublicKey};
use supply_sig::sign::SignatureScheme;
use supply_testkit::{read, read_json};

const OPENSSL: &str = "crypto/keys/openssl";
const COSIGN: &str = "crypto/keys/cosign";
const SSLIB: &str = "crypto/keys/securesystemslib";

fn path(dir: &str, file: &str) -> String {
    format!("{dir}/{file}")
}

fn is_public_file(name: &str) -> bool {
    name.contains("spki")
        || name.contains("openssh")
        || name.contains("_public")
        || name.ends_with(".pub.pem")
}

fn hex_fingerprint(key: &PublicKey) -> String {
    key.fingerprint().hex()
}

/// MANIFEST openssl/ assert 1 and 2: every file of a key loads (encrypted ones with the
/// password) to the index's SPKI SHA-256; wrong or missing passwords fail.
#[test]
fn openssl_every_file_loads_to_the_indexed_key() {
    let index = read_json(&path(OPENSSL, "index.json"));
    let password = index["password"].as_str().unwrap().as_bytes();
    let loader: &dyn KeyLoader = &AutoLoader;
    let mut checked = 0;
    for key in index["keys"].as_array().unwrap() {
        let id = key["id"].as_str().unwrap();
        let want = key["spkiSha256"].as_str().unwrap();
        for file in key["files"].as_array().unwrap() {
            let name = file["file"].as_str().unwrap();
            let bytes = read(&path(OPENSSL, name));
            let encrypted = file["encrypted"].as_bool().unwrap();
            if name.contains("legacy_encrypted") {
                // MANIFEST assert 5: refused by policy with a clear error.
                let err = loader.load_private(&bytes, Some(password)).unwrap_err();
                assert!(matches!(err, Error::LegacyPemEncryption), "{name}: {err:?}");
                assert!(err.to_string().contains("legacy"), "{name}: {err}");
                checked += 1;
                continue;
            }
            let public = if is_public_file(name) {
                loader
                    .load_public(&bytes)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            } else if encrypted {
                assert!(matches!(
                    loader.load_private(&bytes, None),
                    Err(Error::PasswordRequired)
                ));
                for wrong in [&b"wrong"[..], b"", b"supply-test-passwordX"] {
                    assert!(
                        matches!(
                            loader.load_private(&bytes, Some(wrong)),
                            Err(Error::Decryption)
                        ),
                        "{name} with a wrong password"
                    );
                }
                let k = loader
                    .load_private(&bytes, Some(password))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                k.public_key().clone()
            } else {
                let k = loader
                    .load_private(&bytes, None)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                k.public_key().clone()
            };
            assert_eq!(hex_fingerprint(&public), want, "{id}: {name}");
            // MANIFEST assert 4: re-encoding to SPKI DER reproduces *_spki.der.
            let spki = read(&path(OPENSSL, &format!("{id}_spki.der")));
            assert_eq!(public.spki_der(), &spki[..], "{id}: {name}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} files checked");
}

#[test]
fn openssl_specific_readers_agree() {
    let index = read_json(&path(OPENSSL, "index.json"));
    for key in index["keys"].as_array().unwrap() {
        let id = key["id"].as_str().unwrap();
        let spki_der = read(&path(OPENSSL, &format!("{id}_spki.der")));
        let from_pem =
            pem::public_key_from_pem(&read(&path(OPENSSL, &format!("{id}_spki.pem")))).unwrap();
        let from_der = der::public_key_from_der(&spki_der).unwrap();
        assert_eq!(from_pem, from_der);
        assert_eq!(PublicKey::from_spki_der(&spki_der).unwrap(), from_der);
        // Writing SPKI PEM reproduces OpenSSL's file.
        let pem_text = String::from_utf8(read(&path(OPENSSL, &format!("{id}_spki.pem")))).unwrap();
        assert_eq!(pem::public_key_to_pem(&from_der), pem_text, "{id}");

        // The PKCS#8 DER is taken from the PEM: ec_*_pkcs8.der and rsa2048_pkcs8.der are in fact
        // SEC1 and PKCS#1 (what `openssl pkey -outform DER` writes for EC and RSA keys), although
        // the index calls them PKCS#8. Only ed25519_pkcs8.der is PKCS#8.
        let pkcs8_der = pem::decode(&read(&path(OPENSSL, &format!("{id}_pkcs8.pem"))))
            .unwrap()
            .contents()
            .to_vec();
        let fixture_der = read(&path(OPENSSL, &format!("{id}_pkcs8.der")));
        if id == "rsa2048" {
            assert_eq!(fixture_der, read(&path(OPENSSL, "rsa2048_pkcs1.der")));
        } else if id.starts_with("ec_") {
            assert_eq!(fixture_der, read(&path(OPENSSL, &format!("{id}_sec1.der"))));
        } else {
            assert_eq!(fixture_der, pkcs8_der, "{id}");
        }
        let private = der::private_key_from_pkcs8_der(&pkcs8_der).unwrap();
        assert_eq!(private.public_key(), &from_der);
        // PKCS#8 writing: byte-identical to OpenSSL for every key type.
        let written = der::private_key_to_pkcs8_der(&private).unwrap();
        assert_eq!(&written[..], &pkcs8_der[..], "{id}: PKCS#8 DER");
        let written_pem = pem::private_key_to_pem(&private).unwrap();
        let openssl_pem =
            String::from_utf8(read(&path(OPENSSL, &format!("{id}_pkcs8.pem")))).unwrap();
        assert_eq!(written_pem.as_str(), openssl_pem, "{id}: PKCS#8 PEM");
        let back = pem::private_key_from_pem(written_pem.as_bytes(), None).unwrap();
        assert_eq!(back.secret_bytes(), private.secret_bytes());

        match from_der.algorithm() {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let point = hex::decode(key["uncompressedPointHex"].as_str().unwrap()).unwrap();
                assert_eq!(from_der.material(), &point[..]);
                let compressed = hex::decode(key["compressedPointHex"].as_str().unwrap()).unwrap();
                let k = PublicKey::from_sec1_point(from_der.algorithm(), &compressed).unwrap();
                assert_eq!(k, from_der);
                let sec1 = der::private_key_from_sec1_der(&read(&path(
                    OPENSSL,
                    &format!("{id}_sec1.der"),
                )))
                .unwrap();
                assert_eq!(sec1.secret_bytes(), private.secret_bytes());
            }
            KeyAlgorithm::Ed25519 => {
                let raw = hex::decode(key["rawPublicKeyHex"].as_str().unwrap()).unwrap();
                assert_eq!(from_der.material(), &raw[..]);
            }
            KeyAlgorithm::Rsa => {
                assert_eq!(from_der.rsa_bits(), Some(2048));
                let pkcs1_public =
                    pem::public_key_from_pem(&read(&path(OPENSSL, "rsa2048_pkcs1_public.pem")))
                        .unwrap();
                assert_eq!(pkcs1_public, from_der);
                // DER sniffing: the PKCS#1 RSAPublicKey inside the SPKI.
                assert_eq!(
                    der::public_key_from_der(from_der.material()).unwrap(),
                    from_der
                );
                let pkcs1 =
                    der::private_key_from_pkcs1_der(&read(&path(OPENSSL, "rsa2048_pkcs1.der")))
                        .unwrap();
                assert_eq!(pkcs1.public_key(), &from_der);
            }
            other => panic!("unexpected algorithm {other:?}"),
        }
    }
}

/// MANIFEST openssl/ assert 4: OpenSSH lines round-trip exactly.
#[test]
fn openssh_lines_round_trip() {
    let index = read_json(&path(OPENSSL, "index.json"));
    for key in index["keys"].as_array().unwrap() {
        let id = key["id"].as_str().unwrap();
        let line = key["opensshLine"].as_str().unwrap();
        let file = String::from_utf8(read(&path(OPENSSL, &format!("{id}_openssh.pub")))).unwrap();
        assert_eq!(file.trim_end(), line);
        let parsed = SshPublicKey::parse(file.as_bytes()).unwrap();
        assert_eq!(parsed.comment(), None);
        assert_eq!(parsed.to_line().unwrap(), line, "{id}");
        assert_eq!(
            hex_fingerprint(parsed.key()),
            key["spkiSha256"].as_str().unwrap()
        );
        let spki = read(&path(OPENSSL, &format!("{id}_spki.der")));
        let from_spki = PublicKey::from_spki_der(&spki).unwrap();
        assert_eq!(ssh::public_key_to_line(&from_spki).unwrap(), line, "{id}");
        let with_comment = SshPublicKey::new(from_spki, Some("user@host".into()));
        let text = with_comment.to_line().unwrap();
        assert_eq!(text, format!("{line} user@host"));
        assert_eq!(SshPublicKey::parse(text.as_bytes()).unwrap(), with_comment);
    }
}

#[test]
fn openssh_wrong_prefix_is_an_error() {
    let ed = String::from_utf8(read(&path(OPENSSL, "ed25519_openssh.pub"))).unwrap();
    let swapped = ed.replace("ssh-ed25519", "ecdsa-sha2-nistp256");
    assert!(SshPublicKey::parse(swapped.as_bytes()).is_err());
    let p256 = String::from_utf8(read(&path(OPENSSL, "ec_p256_openssh.pub"))).unwrap();
    let swapped = p256.replace("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384");
    assert!(SshPublicKey::parse(swapped.as_bytes()).is_err());
}

/// MANIFEST cosign/: every encrypted file decrypts with its password to the indexed key; other
/// passwords fail. scrypt (N = 2^15 or 2^16) is slow in debug builds, so the wrong-password checks
/// cover one file of each label plus the empty-password file.
#[test]
fn cosign_encrypted_files_decrypt() {
    let index = read_json(&path(COSIGN, "index.json"));
    let loader: &dyn KeyLoader = &AutoLoader;
    for entry in index["keys"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let password = entry["password"].as_str().unwrap().as_bytes();
        let bytes = read(&path(COSIGN, file));
        let block = pem::decode(&bytes).unwrap();
        assert_eq!(block.label(), entry["pemLabel"].as_str().unwrap());
        // The body is the JSON the index describes.
        let body: Value = serde_json::from_slice(block.contents()).unwrap();
        assert_eq!(body["kdf"]["params"], entry["kdfParams"], "{file}");
        assert_eq!(body["cipher"]["name"], "nacl/secretbox");

        assert!(matches!(
            loader.load_private(&bytes, None),
            Err(Error::PasswordRequired)
        ));
        let key = loader
            .load_private(&bytes, Some(password))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            hex_fingerprint(key.public_key()),
            entry["spkiSha256"].as_str().unwrap(),
            "{file}"
        );
        let public_file = entry["publicKeyFile"].as_str().unwrap();
        let public = loader
            .load_public(&read(&path(COSIGN, public_file)))
            .unwrap();
        assert_eq!(&public, key.public_key(), "{file}");
        let expected_alg = match entry["keyType"].as_str().unwrap() {
            "EC" => KeyAlgorithm::EcdsaP256,
            "Ed25519" => KeyAlgorithm::Ed25519,
            "RSA" => KeyAlgorithm::Rsa,
            other => panic!("{other}"),
        };
        assert_eq!(key.algorithm(), expected_alg);
    }
    for (file, wrong) in [
        ("ecdsa_encrypted_private.key", &b"1234"[..]),
        ("ed25519_encrypted_private.key", b""),
        ("cosign_generated_encrypted_empty_private.key", b"123"),
    ] {
        let bytes = read(&path(COSIGN, file));
        assert!(
            matches!(cosign::decrypt(&bytes, wrong), Err(Error::Decryption)),
            "{file} with a wrong password"
        );
    }
}

/// MANIFEST cosign/: the unencrypted files load, PKCS#8 v2 Ed25519 included.
#[test]
fn cosign_unencrypted_files_load() {
    let index = read_json(&path(COSIGN, "index.json"));
    for entry in index["unencryptedKeys"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let bytes = read(&path(COSIGN, file));
        let key = AutoLoader
            .load_private(&bytes, None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            hex_fingerprint(key.public_key()),
            entry["spkiSha256"].as_str().unwrap(),
            "{file}"
        );
        let public = AutoLoader
            .load_public(&read(&path(
                COSIGN,
                entry["publicKeyFile"].as_str().unwrap(),
            )))
            .unwrap();
        assert_eq!(&public, key.public_key());
        if let Some(bits) = entry["modulusBits"].as_u64() {
            assert_eq!(public.rsa_bits(), Some(usize::try_from(bits).unwrap()));
        }
    }
    // The v2 Ed25519 file with its [1] publicKey replaced by another key is refused.
    let v2 = pem::decode(&read(&path(COSIGN, "ed25519_private.key"))).unwrap();
    let mut tampered = v2.contents().to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(der::private_key_from_pkcs8_der(&tampered).is_err());
}

/// Writing a cosign key with the CLI's parameters and reading it back.
#[test]
fn cosign_write_read_round_trip() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let text = cosign::encrypt(&key, b"correct horse", &RUSTCRYPTO).unwrap();
    let block = pem::decode(text.as_bytes()).unwrap();
    assert_eq!(block.label(), cosign::SIGSTORE_LABEL);
    let body: Value = serde_json::from_slice(block.contents()).unwrap();
    assert_eq!(body["kdf"]["name"], "scrypt");
    assert_eq!(
        body["kdf"]["params"],
        serde_json::json!({"N": 65536, "r": 8, "p": 1})
    );
    assert_eq!(body["cipher"]["name"], "nacl/secretbox");
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        b64.decode(body["kdf"]["salt"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(
        b64.decode(body["cipher"]["nonce"].as_str().unwrap())
            .unwrap()
            .len(),
        24
    );
    // The exact field order cosign's Go structs write.
    let json = std::str::from_utf8(block.contents()).unwrap();
    assert!(
        json.starts_with(r#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":""#),
        "{json}"
    );
    assert!(json.contains(r#""cipher":{"name":"nacl/secretbox","nonce":""#));

    let back = AutoLoader
        .load_private(text.as_bytes(), Some(b"correct horse"))
        .unwrap();
    assert_eq!(back.public_key(), key.public_key());
    assert_eq!(back.secret_bytes(), key.secret_bytes());
    assert!(matches!(
        cosign::decrypt(text.as_bytes(), b"correct horsE"),
        Err(Error::Decryption)
    ));

    // Every key type, with a cheap cost so the test stays fast.
    let cheap = ScryptParams::new(10, 8, 1).unwrap();
    let ed = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
    let rsa = AutoLoader
        .load_private(&read(&path(OPENSSL, "rsa2048_pkcs8.der")), None)
        .unwrap();
    for k in [ed, rsa] {
        let text = cosign::encrypt_with_params(&k, b"", cheap, &RUSTCRYPTO).unwrap();
        let back = cosign::decrypt(text.as_bytes(), b"").unwrap();
        assert_eq!(back.public_key(), k.public_key());
    }
}

/// MANIFEST securesystemslib/: dicts parse to the right key and scheme, and the dict we hash is
/// the one securesystemslib hashed (checked without the canonicalizer; `sslib_keyids` checks the
/// canonical bytes).
#[test]
fn sslib_dicts_parse() {
    let index = read_json(&path(SSLIB, "index.json"));
    for entry in index["keys"].as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        let file = read(&path(SSLIB, entry["publicKeyFile"].as_str().unwrap()));
        let key = SslibKey::from_json(&file).unwrap();
        assert_eq!(
            key.declared_key_id().unwrap().as_str(),
            entry["keyid"].as_str().unwrap()
        );
        let want_scheme = match entry["scheme"].as_str().unwrap() {
            "ed25519" => SignatureScheme::Ed25519,
            "ecdsa-sha2-nistp256" => SignatureScheme::EcdsaP256Sha256,
            other => panic!("{other}"),
        };
        assert_eq!(key.scheme(), want_scheme);
        assert_eq!(key.to_value(), entry["publicKey"], "{id}");
        // The keyid definition itself, checked on the index's bytes.
        let digest =
            Algorithm::Sha256.digest(entry["keyidCanonicalJson"].as_str().unwrap().as_bytes());
        assert_eq!(digest.hex(), entry["keyid"].as_str().unwrap());
        // The private key belongs to the dict's public key.
        let private = AutoLoader
            .load_private(
                &read(&path(SSLIB, entry["privateKeyFile"].as_str().unwrap())),
                None,
            )
            .unwrap();
        assert_eq!(private.public_key(), key.public_key());
        // Writing the dict back gives what securesystemslib wrote.
        let written = SslibKey::new(key.public_key().clone(), key.scheme()).unwrap();
        assert_eq!(written.to_value(), entry["publicKey"], "{id}");
        // And the loader takes the file as a public key.
        assert_eq!(&AutoLoader.load_public(&file).unwrap(), key.public_key());
    }
}

/// MANIFEST securesystemslib/: keyid == SHA-256(OLPC canonical JSON without `keyid`). Needs
/// `cjson::olpc::canonicalize`.
#[test]
fn sslib_keyids() {
    let index = read_json(&path(SSLIB, "index.json"));
    for entry in index["keys"].as_array().unwrap() {
        let file = read(&path(SSLIB, entry["publicKeyFile"].as_str().unwrap()));
        let key = SslibKey::from_json(&file).unwrap();
        let canonical = key.canonical_json().unwrap();
        assert_eq!(
            std::str::from_utf8(&canonical).unwrap(),
            entry["keyidCanonicalJson"].as_str().unwrap()
        );
        assert_eq!(
            key.key_id().unwrap().as_str(),
            entry["keyid"].as_str().unwrap()
        );
        let written = SslibKey::new(key.public_key().clone(), key.scheme()).unwrap();
        assert_eq!(
            written.key_id().unwrap().as_str(),
            entry["keyid"].as_str().unwrap()
        );
    }
    // keyid_hash_algorithms is part of the hashed dict and changes the keyid.
    let mut legacy: Value =
        serde_json::from_slice(&read(&path(SSLIB, "ed25519_public.json"))).unwrap();
    legacy["keyid_hash_algorithms"] = serde_json::json!(["sha256", "sha512"]);
    let legacy_key = SslibKey::from_value(&legacy).unwrap();
    let canonical = String::from_utf8(legacy_key.canonical_json().unwrap()).unwrap();
    assert!(canonical.contains(r#""keyid_hash_algorithms":["sha256","sha512"]"#));
    assert!(!canonical.contains(r#""keyid""#));
    assert_ne!(
        legacy_key.key_id().unwrap().as_str(),
        legacy["keyid"].as_str().unwrap()
    );
}

#[test]
fn sslib_keyid_hash_algorithms_and_unknown_fields_are_kept() {
    let mut dict: Value =
        serde_json::from_slice(&read(&path(SSLIB, "ed25519_public.json"))).unwrap();
    dict["keyid_hash_algorithms"] = serde_json::json!(["sha256", "sha512"]);
    dict["x-extra"] = serde_json::json!({"a": 1});
    let key = SslibKey::from_value(&dict).unwrap();
    let value = key.to_value();
    assert_eq!(
        value["keyid_hash_algorithms"],
        serde_json::json!(["sha256", "sha512"])
    );
    assert_eq!(value["x-extra"], serde_json::json!({"a": 1}));
    assert!(value.get("keyid").is_none());
}
