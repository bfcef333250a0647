//! Public test vectors from `testdata/crypto`: Wycheproof, RFC 8032, ed25519-speccheck,
//! RFC 6979 and the NIST hash vectors, through the public API on every provider.

use std::collections::BTreeMap;
use std::io::Write as _;

use serde_json::Value;
use supply_sig::crypto::{all_providers, Provider};
use supply_sig::digest::{Algorithm, Hasher};
use supply_sig::key::{KeyAlgorithm, PrivateKey, PublicKey};
use supply_sig::sign::{
    EcdsaEncoding, EcdsaS, KeySigner, KeyVerifier, SignatureScheme, Signer, Verifier, VerifyPolicy,
};
use supply_testkit::{read, read_json};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Documented departures from Wycheproof's verdicts: `file#tcId` → reason. Each entry must
/// still be needed (an exception that no longer changes the outcome fails the test).
fn exceptions() -> BTreeMap<String, String> {
    let v: Value = serde_json::from_str(include_str!("wycheproof-exceptions.json")).unwrap();
    v["exceptions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn scheme_for(file: &str, group: &Value) -> (SignatureScheme, EcdsaEncoding) {
    let sha = group["sha"].as_str().unwrap_or("");
    let enc = if group["type"] == "EcdsaP1363Verify" {
        EcdsaEncoding::Fixed
    } else {
        EcdsaEncoding::Der
    };
    let scheme = match (group["type"].as_str().unwrap(), file, sha) {
        (_, f, "SHA-256") if f.contains("secp256r1") => SignatureScheme::EcdsaP256Sha256,
        (_, f, "SHA-512") if f.contains("secp256r1") => SignatureScheme::EcdsaP256Sha512,
        (_, f, "SHA-384") if f.contains("secp384r1") => SignatureScheme::EcdsaP384Sha384,
        ("EddsaVerify", _, _) => SignatureScheme::Ed25519,
        ("RsassaPkcs1Verify", _, "SHA-256") => SignatureScheme::RsaPkcs1v15Sha256,
        ("RsassaPkcs1Verify", _, "SHA-384") => SignatureScheme::RsaPkcs1v15Sha384,
        ("RsassaPkcs1Verify", _, "SHA-512") => SignatureScheme::RsaPkcs1v15Sha512,
        ("RsassaPssVerify", _, "SHA-256") => {
            assert_eq!(group["mgfSha"], "SHA-256");
            assert_eq!(group["sLen"], 32);
            SignatureScheme::RsaPssSha256
        }
        other => panic!("unexpected Wycheproof group {other:?}"),
    };
    (scheme, enc)
}

#[test]
fn wycheproof_all_files_all_providers() {
    let exceptions = exceptions();
    let mut used = std::collections::BTreeSet::new();
    let dir = supply_testkit::testdata("crypto/wycheproof");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with("_test.json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        18,
        "every Wycheproof file in testdata is covered"
    );
    let mut failures = Vec::new();
    let mut counted = 0usize;
    for provider in all_providers() {
        for file in &files {
            let doc = read_json(&format!("crypto/wycheproof/{file}"));
            for group in doc["testGroups"].as_array().unwrap() {
                let (scheme, enc) = scheme_for(file, group);
                let der = unhex(group["publicKeyDer"].as_str().unwrap());
                let key = PublicKey::from_spki_der(&der);
                let policy = VerifyPolicy::default().with_ecdsa_encoding(enc);
                let verifier = key
                    .as_ref()
                    .ok()
                    .and_then(|k| KeyVerifier::new(k, scheme, policy, provider).ok());
                for t in group["tests"].as_array().unwrap() {
                    counted += 1;
                    let id = format!("{file}#{}", t["tcId"]);
                    let msg = unhex(t["msg"].as_str().unwrap());
                    let sig = unhex(t["sig"].as_str().unwrap());
                    let ok = verifier
                        .as_ref()
                        .is_some_and(|v| v.verify(&msg, &sig).is_ok());
                    let result = t["result"].as_str().unwrap();
                    // Strict choice for `acceptable`: reject.
                    let mut want = result == "valid";
                    if let Some(reason) = exceptions.get(&id) {
                        used.insert(id.clone());
                        assert!(!reason.is_empty());
                        want = !want;
                    }
                    if ok != want {
                        failures.push(format!(
                            "[{}] {id} ({result}, flags {}, {}): got {}",
                            provider.name,
                            t["flags"],
                            t["comment"],
                            if ok { "accept" } else { "reject" }
                        ));
                    }
                }
            }
        }
    }
    assert!(counted >= 5113, "ran {counted} vectors");
    for e in exceptions.keys() {
        assert!(used.contains(e), "stale exception {e}");
    }
    assert!(
        failures.is_empty(),
        "{} Wycheproof mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn wycheproof_pem_and_der_keys_agree() {
    for file in [
        "ecdsa_secp384r1_sha384_test.json",
        "ed25519_test.json",
        "rsa_signature_4096_sha512_test.json",
    ] {
        let doc = read_json(&format!("crypto/wycheproof/{file}"));
        for group in doc["testGroups"].as_array().unwrap() {
            let der = unhex(group["publicKeyDer"].as_str().unwrap());
            let pem = group["publicKeyPem"].as_str().unwrap();
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            use base64::Engine as _;
            let from_pem = base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap();
            assert_eq!(from_pem, der);
            let Ok(k) = PublicKey::from_spki_der(&der) else {
                continue;
            };
            // Re-encoding the canonical SPKI reproduces the input.
            assert_eq!(k.spki_der(), &der[..], "{file}");
        }
    }
}

#[test]
fn ecdsa_low_s_policy_rejects_exactly_the_high_s_valid_vectors() {
    let doc = read_json("crypto/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    for provider in all_providers() {
        let mut high = 0;
        for group in doc["testGroups"].as_array().unwrap() {
            let key =
                PublicKey::from_spki_der(&unhex(group["publicKeyDer"].as_str().unwrap())).unwrap();
            let base = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::Fixed);
            let any =
                KeyVerifier::new(&key, SignatureScheme::EcdsaP256Sha256, base, provider).unwrap();
            let low = KeyVerifier::new(
                &key,
                SignatureScheme::EcdsaP256Sha256,
                base.with_ecdsa_s(EcdsaS::RequireLow),
                provider,
            )
            .unwrap();
            for t in group["tests"].as_array().unwrap() {
                if t["result"] != "valid" {
                    continue;
                }
                let (msg, sig) = (
                    unhex(t["msg"].as_str().unwrap()),
                    unhex(t["sig"].as_str().unwrap()),
                );
                assert!(any.verify(&msg, &sig).is_ok());
                if low.verify(&msg, &sig).is_err() {
                    high += 1;
                }
            }
        }
        // MANIFEST: 70 of the 173 valid P-256/SHA-256 P1363 signatures have s > n/2.
        assert_eq!(high, 70, "[{}]", provider.name);
    }
}

#[test]
fn rfc8032_sign_and_verify() {
    let doc = read_json("crypto/ed25519/rfc8032_ed25519.json");
    let tests = doc["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    for provider in all_providers() {
        for t in tests {
            let seed = unhex(t["secretKey"].as_str().unwrap());
            let key = PrivateKey::from_ed25519_seed(&seed).unwrap();
            assert_eq!(
                key.public_key().material(),
                &unhex(t["publicKey"].as_str().unwrap())[..]
            );
            let msg = unhex(t["message"].as_str().unwrap());
            let want = unhex(t["signature"].as_str().unwrap());
            let signer = KeySigner::new(&key, SignatureScheme::Ed25519, provider).unwrap();
            let sig = signer.try_sign(&msg).unwrap();
            assert_eq!(sig, want, "[{}] {}", provider.name, t["name"]);
            let v = KeyVerifier::with_default_scheme(key.public_key(), provider).unwrap();
            v.verify(&msg, &sig).unwrap();
            // Flipping any single bit of the signature, or of the message, must fail.
            for i in 0..sig.len() * 8 {
                let mut bad = sig.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(v.verify(&msg, &bad).is_err(), "sig bit {i}");
            }
            for i in (0..msg.len() * 8).step_by(7) {
                let mut bad = msg.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(v.verify(&bad, &sig).is_err(), "msg bit {i}");
            }
        }
    }
}

#[test]
fn ed25519_speccheck_strict_policy() {
    let cases: Value =
        serde_json::from_slice(&read("crypto/ed25519/speccheck_cases.json")).unwrap();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for provider in all_providers() {
        let accepted: Vec<usize> = cases
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let Ok(key) = PublicKey::from_ed25519_bytes(&unhex(c["pub_key"].as_str().unwrap()))
                else {
                    return false;
                };
                let Ok(v) = KeyVerifier::with_default_scheme(&key, provider) else {
                    return false;
                };
                v.verify(
                    &unhex(c["message"].as_str().unwrap()),
                    &unhex(c["signature"].as_str().unwrap()),
                )
                .is_ok()
            })
            .map(|(i, _)| i)
            .collect();
        // Strict policy (libsodium, ed25519-dalek verify_strict): only the mixed-order case 3.
        assert_eq!(accepted, vec![3], "[{}]", provider.name);
    }
}

#[test]
fn rfc6979_deterministic_ecdsa() {
    let doc = read_json("crypto/ecdsa-rfc6979/rfc6979_p256_p384.json");
    let mut exact = 0;
    let mut verified = 0;
    for group in doc["groups"].as_array().unwrap() {
        let alg = match group["curve"].as_str().unwrap() {
            "P-256" => KeyAlgorithm::EcdsaP256,
            "P-384" => KeyAlgorithm::EcdsaP384,
            c => panic!("{c}"),
        };
        let key = PrivateKey::from_ec_scalar(alg, &unhex(group["privateKeyX"].as_str().unwrap()))
            .unwrap();
        let mut point = vec![4u8];
        point.extend(unhex(group["publicKeyUx"].as_str().unwrap()));
        point.extend(unhex(group["publicKeyUy"].as_str().unwrap()));
        assert_eq!(key.public_key().material(), &point[..]);
        for t in group["tests"].as_array().unwrap() {
            let scheme = match (alg, t["hash"].as_str().unwrap()) {
                (KeyAlgorithm::EcdsaP256, "SHA-256") => SignatureScheme::EcdsaP256Sha256,
                (KeyAlgorithm::EcdsaP256, "SHA-384") => SignatureScheme::EcdsaP256Sha384,
                (KeyAlgorithm::EcdsaP256, "SHA-512") => SignatureScheme::EcdsaP256Sha512,
                (KeyAlgorithm::EcdsaP384, "SHA-384") => SignatureScheme::EcdsaP384Sha384,
                (KeyAlgorithm::EcdsaP384, "SHA-512") => SignatureScheme::EcdsaP384Sha512,
                _ => continue, // SHA-1 / SHA-224 are not supported schemes
            };
            let msg = t["message"].as_str().unwrap().as_bytes();
            let fixed = unhex(
                &format!("{}{}", t["r"].as_str().unwrap(), t["s"].as_str().unwrap()).to_lowercase(),
            );
            for provider in all_providers() {
                let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::Fixed);
                let v = KeyVerifier::new(key.public_key(), scheme, policy, provider).unwrap();
                v.verify(msg, &fixed).unwrap();
                verified += 1;
            }
            // The RustCrypto signer implements RFC 6979 with the curve's own hash for the
            // HMAC-DRBG, which is the RFC's construction when the message hash matches.
            if scheme == alg.default_scheme() {
                let signer = KeySigner::new(&key, scheme, &supply_sig::crypto::RUSTCRYPTO)
                    .unwrap()
                    .with_fixed_encoding();
                assert_eq!(
                    signer.try_sign(msg).unwrap(),
                    fixed,
                    "{scheme} {}",
                    t["message"]
                );
                exact += 1;
            }
        }
    }
    assert_eq!(exact, 4);
    assert!(verified >= 10);
}

fn check_hash(provider: &Provider, alg: Algorithm, msg: &[u8], want_hex: &str) {
    let one = provider.hash.digest(alg, msg);
    assert_eq!(one.hex(), want_hex, "[{}] {alg} one-shot", provider.name);
    // Whole and in uneven chunks.
    let mut h = provider.hash.hasher(alg);
    let mut rest = msg;
    let mut step = 1;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        h.write_all(&rest[..n]).unwrap();
        rest = &rest[n..];
        step = step * 3 + 1;
    }
    assert_eq!(h.finish(), one);
}

#[test]
fn fips180_classic_messages() {
    let doc = read_json("crypto/hash/classic_sha2.json");
    for provider in all_providers() {
        for t in doc["tests"].as_array().unwrap() {
            let msg = if let Some(rep) = t.get("messageRepeat") {
                let byte = unhex(rep["byteHex"].as_str().unwrap())[0];
                vec![byte; rep["count"].as_u64().unwrap() as usize]
            } else {
                unhex(t["messageHex"].as_str().unwrap())
            };
            for alg in Algorithm::ALL {
                check_hash(provider, alg, &msg, t[alg.name()].as_str().unwrap());
            }
        }
    }
}

fn parse_rsp(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut cur = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(" = ") {
            cur.insert(k.to_string(), v.to_string());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn nist_cavp_short_long_monte() {
    let algs = [
        (Algorithm::Sha256, "SHA256"),
        (Algorithm::Sha384, "SHA384"),
        (Algorithm::Sha512, "SHA512"),
    ];
    for provider in all_providers() {
        let mut n = 0;
        for (alg, name) in algs {
            for kind in ["ShortMsg", "LongMsg"] {
                let text =
                    String::from_utf8(read(&format!("crypto/hash/nist-cavp/{name}{kind}.rsp")))
                        .unwrap();
                for rec in parse_rsp(&text) {
                    let Some(len) = rec.get("Len") else { continue };
                    let bits: usize = len.parse().unwrap();
                    let msg = if bits == 0 {
                        Vec::new()
                    } else {
                        unhex(&rec["Msg"])
                    };
                    assert_eq!(msg.len() * 8, bits);
                    check_hash(provider, alg, &msg, &rec["MD"]);
                    n += 1;
                }
            }
            // Monte Carlo (SHAVS §6.4).
            let text =
                String::from_utf8(read(&format!("crypto/hash/nist-cavp/{name}Monte.rsp"))).unwrap();
            let recs = parse_rsp(&text);
            let mut seed = unhex(&recs.iter().find_map(|r| r.get("Seed")).unwrap().clone());
            let checkpoints: Vec<_> = recs.iter().filter_map(|r| r.get("MD")).collect();
            assert_eq!(checkpoints.len(), 100);
            for want in checkpoints {
                let mut md = [seed.clone(), seed.clone(), seed.clone()];
                for _ in 3..1003 {
                    let mut m = Vec::with_capacity(3 * seed.len());
                    m.extend_from_slice(&md[0]);
                    m.extend_from_slice(&md[1]);
                    m.extend_from_slice(&md[2]);
                    let next = provider.hash.digest(alg, &m).as_bytes().to_vec();
                    md = [md[1].clone(), md[2].clone(), next];
                }
                seed = md[2].clone();
                assert_eq!(hex::encode(&seed), **want);
            }
        }
        assert_eq!(n, 643);
    }
}

#[test]
fn hasher_is_the_same_on_every_provider() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 31 % 251) as u8).collect();
    for alg in Algorithm::ALL {
        let mut h = Hasher::new(alg);
        h.update(&data);
        let want = h.finish();
        for p in all_providers() {
            assert_eq!(p.hash.digest(alg, &data), want, "{}", p.name);
        }
    }
}
