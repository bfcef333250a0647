//! DSSE: the spec and in-toto vectors of `intoto/dsse/`, the securesystemslib envelopes, and the
//! threshold rules, on every provider.

use supply_sig::crypto::{all_providers, Provider, RUSTCRYPTO};
use supply_sig::dsse::{self, Envelope, Error, Signature, TrustedKeys};
use supply_sig::key::encoding::pem;
use supply_sig::key::{KeyAlgorithm, KeyId, PrivateKey, PublicKey};
use supply_sig::limits::{Limits, MAX_DSSE_PAYLOAD_LEN};
use supply_sig::sign::{EcdsaEncoding, KeySigner, KeyVerifier, Signer, Verifier, VerifyPolicy};
use supply_testkit::{read, read_json};

const D: &str = "intoto/dsse";
const SSLIB: &str = "crypto/keys/securesystemslib";

fn pem_key(rel: &str) -> PublicKey {
    pem::public_key_from_pem(&read(rel)).unwrap()
}

fn spec_key() -> PublicKey {
    pem_key("intoto/dsse/spec-p256.pub.pem")
}

fn ed_key() -> PublicKey {
    pem_key("intoto/in-toto-python/pems/ed25519_public.pem")
}

/// DSSE allows both ECDSA encodings (the spec vector is P1363, Sigstore writes DER).
fn dsse_policy() -> VerifyPolicy {
    VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::DerOrFixed)
}

fn verifier(key: &PublicKey, p: &'static Provider) -> Box<dyn Verifier> {
    Box::new(KeyVerifier::new(key, key.default_scheme(), dsse_policy(), p).unwrap())
}

fn trusted(keys: &[&PublicKey], p: &'static Provider) -> TrustedKeys {
    keys.iter().map(|k| verifier(k, p)).collect()
}

fn envelope(name: &str) -> Envelope {
    Envelope::from_json(&read(&format!("{D}/{name}"))).unwrap()
}

#[test]
fn spec_p256_p1363_verifies() {
    let key = spec_key();
    let env = envelope("spec-p256.envelope.json");
    assert_eq!(env.pae(), read(&format!("{D}/spec-p256.pae.bin")));
    assert_eq!(env.signatures.len(), 1);
    assert_eq!(env.signatures[0].keyid, Some(KeyId::new("66301bbf")));
    assert_eq!(env.signatures[0].sig.len(), 64);
    for p in all_providers() {
        let v = env.verify(&trusted(&[&key], p), 1).unwrap();
        assert_eq!(v.payload_type(), "http://example.com/HelloWorld");
        assert_eq!(v.payload(), b"hello world");
        assert_eq!(v.key_ids(), [key.key_id()]);

        // Under a DER-only policy the P1363 signature is not accepted.
        let der_only: TrustedKeys = [Box::new(
            KeyVerifier::new(&key, key.default_scheme(), VerifyPolicy::default(), p).unwrap(),
        ) as Box<dyn Verifier>]
        .into_iter()
        .collect();
        assert!(matches!(
            env.verify(&der_only, 1),
            Err(Error::ThresholdNotMet {
                required: 1,
                verified: 0
            })
        ));
    }
}

#[test]
fn spec_p256_der_signature_verifies() {
    let key = spec_key();
    let env = envelope("spec-p256.envelope.der-sig.json");
    for p in all_providers() {
        let v = env.verify(&trusted(&[&key], p), 1).unwrap();
        assert_eq!(v.payload(), b"hello world");
    }
}

#[test]
fn spec_p256_resign_is_deterministic() {
    // RFC 6979: re-signing the PAE with the spec key reproduces the DER vector exactly.
    let sk = pem::private_key_from_pem(&read(&format!("{D}/spec-p256.priv.pem")), None).unwrap();
    assert_eq!(sk.public_key(), &spec_key());
    let signer = KeySigner::with_default_scheme(&sk, &RUSTCRYPTO).unwrap();
    let env = Envelope::sign(
        "http://example.com/HelloWorld",
        b"hello world".to_vec(),
        &[&signer],
    )
    .unwrap();
    let der = envelope("spec-p256.envelope.der-sig.json");
    assert_eq!(env.signatures[0].sig, der.signatures[0].sig);
    assert_eq!(env.signatures[0].keyid, Some(spec_key().key_id()));
}

#[test]
fn negatives_fail() {
    let key = spec_key();
    for name in [
        "neg-p256.wrong-payloadtype.envelope.json",
        "neg-p256.wrong-payload.envelope.json",
    ] {
        let env = envelope(name);
        for p in all_providers() {
            let r = env.verify(&trusted(&[&key], p), 1);
            assert!(
                matches!(
                    r,
                    Err(Error::ThresholdNotMet {
                        required: 1,
                        verified: 0
                    })
                ),
                "{name}: {r:?}"
            );
        }
    }
}

#[test]
fn unpadded_base64_is_accepted() {
    // Policy: the envelope spec allows unpadded base64; it decodes to the same bytes.
    let env = envelope("edge-p256.unpadded-base64.envelope.json");
    assert_eq!(env.payload, b"hello world");
    assert_eq!(env, envelope("spec-p256.envelope.json"));
    for p in all_providers() {
        assert!(env.verify(&trusted(&[&spec_key()], p), 1).is_ok());
    }
    // Written back with padding.
    assert!(String::from_utf8(env.to_json())
        .unwrap()
        .contains("\"aGVsbG8gd29ybGQ=\""));
}

#[test]
fn wrong_keyid_hint_still_verifies() {
    // Policy: keyid is only a hint; the right key is found by trying the others.
    let env = envelope("edge-p256.wrong-keyid-hint.envelope.json");
    assert_eq!(env.signatures[0].keyid, Some(KeyId::new("not-the-key")));
    for p in all_providers() {
        // The hinted-at key does not exist; another trusted key comes first.
        let keys = trusted(&[&ed_key(), &spec_key()], p);
        let v = env.verify(&keys, 1).unwrap();
        assert_eq!(v.key_ids(), [spec_key().key_id()]);
    }
    // A hint naming a different trusted key does not stop the right one from verifying.
    let mut env = envelope("spec-p256.envelope.json");
    env.signatures[0].keyid = Some(ed_key().key_id());
    env.verify(&trusted(&[&ed_key(), &spec_key()], &RUSTCRYPTO), 1)
        .unwrap();
    env.signatures[0].keyid = None;
    env.verify(&trusted(&[&ed_key(), &spec_key()], &RUSTCRYPTO), 1)
        .unwrap();
}

#[test]
fn ed25519_statement_verifies() {
    let env = envelope("ed25519-statement.envelope.json");
    assert_eq!(env.payload_type, "application/vnd.in-toto+json");
    assert_eq!(
        env.signatures[0].keyid, None,
        "an empty keyid reads as None"
    );
    assert_eq!(env.pae(), read(&format!("{D}/ed25519-statement.pae.bin")));
    for p in all_providers() {
        let v = env.verify(&trusted(&[&ed_key()], p), 1).unwrap();
        assert_eq!(v.payload(), env.payload.as_slice());
        assert!(v
            .payload()
            .starts_with(b"{\"_type\":\"https://in-toto.io/Statement/v1\""));
        // The wrong key does not verify it.
        assert!(env.verify(&trusted(&[&spec_key()], p), 1).is_err());
    }
}

#[test]
fn multisig_threshold() {
    let env = envelope("multisig.envelope.json");
    assert_eq!(env.signatures.len(), 3);
    for p in all_providers() {
        let keys = trusted(&[&ed_key(), &spec_key()], p);
        // The bogus signature is ignored, not fatal.
        let v = env.verify(&keys, 2).unwrap();
        assert_eq!(v.key_ids(), [ed_key().key_id(), spec_key().key_id()]);
        assert!(matches!(
            env.verify(&keys, 3),
            Err(Error::ThresholdNotMet {
                required: 3,
                verified: 2
            })
        ));
        // With one trusted key, threshold 1 passes and 2 fails.
        let one = trusted(&[&ed_key()], p);
        assert!(env.verify(&one, 1).is_ok());
        assert!(matches!(
            env.verify(&one, 2),
            Err(Error::ThresholdNotMet {
                required: 2,
                verified: 1
            })
        ));
    }
}

#[test]
fn pae_vectors() {
    let vectors = read_json(&format!("{D}/pae-vectors.json"));
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 4);
    for v in vectors {
        let ty =
            String::from_utf8(hex::decode(v["type_utf8_hex"].as_str().unwrap()).unwrap()).unwrap();
        let body = hex::decode(v["body_hex"].as_str().unwrap()).unwrap();
        let expected = hex::decode(v["pae_hex"].as_str().unwrap()).unwrap();
        assert_eq!(dsse::pae(&ty, &body), expected, "{}", v["pae_text"]);
        assert_eq!(expected, v["pae_text"].as_str().unwrap().as_bytes());
    }
}

#[test]
fn securesystemslib_envelopes() {
    let index = read_json(&format!("{SSLIB}/index.json"));
    let ed_json = read_json(&format!("{SSLIB}/ed25519_public.json"));
    let ed = PublicKey::from_ed25519_bytes(
        &hex::decode(ed_json["keyval"]["public"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let ec_json = read_json(&format!("{SSLIB}/ecdsa_p256_public.json"));
    let ec =
        pem::public_key_from_pem(ec_json["keyval"]["public"].as_str().unwrap().as_bytes()).unwrap();
    for (id, key, json) in [("ed25519", &ed, &ed_json), ("ecdsa_p256", &ec, &ec_json)] {
        let entry = index["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id)
            .unwrap();
        let file = entry["dsseEnvelopeFile"].as_str().unwrap();
        let env = Envelope::from_json(&read(&format!("{SSLIB}/{file}"))).unwrap();
        assert_eq!(
            env.pae(),
            hex::decode(entry["dssePaeHex"].as_str().unwrap()).unwrap(),
            "{id}"
        );
        let sslib_id = KeyId::new(json["keyid"].as_str().unwrap());
        assert_eq!(env.signatures[0].keyid.as_ref(), Some(&sslib_id));
        for p in all_providers() {
            // Plain: the sslib keyid is not our fingerprint, so the hint misses and the key is
            // found by trial.
            let v = env.verify(&trusted(&[key], p), 1).unwrap();
            assert_eq!(v.key_ids(), [key.key_id()], "{id}");
            // With the sslib keyid registered as a hint, among other keys.
            let mut keys = trusted(&[&spec_key(), &ed_key()], p);
            assert!(keys.insert_with_key_ids(verifier(key, p), [sslib_id.clone()]));
            assert_eq!(env.verify(&keys, 1).unwrap().key_ids(), [key.key_id()]);
        }
    }
}

fn generated_signers(p: &'static Provider) -> Vec<KeySigner> {
    [
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
    ]
    .into_iter()
    .map(|alg| {
        let sk = PrivateKey::generate(alg, p).unwrap();
        KeySigner::with_default_scheme(&sk, p).unwrap()
    })
    .collect()
}

#[test]
fn sign_verify_round_trip() {
    for p in all_providers() {
        let signers = generated_signers(p);
        let refs: Vec<&dyn Signer> = signers.iter().map(|s| s as &dyn Signer).collect();
        let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#.to_vec();
        let env = Envelope::sign("application/vnd.in-toto+json", payload.clone(), &refs).unwrap();
        let json = env.to_json();
        let back = Envelope::from_json(&json).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.to_json(), json);
        let keys: TrustedKeys = signers
            .iter()
            .map(|s| verifier(s.public_key(), p))
            .collect();
        let v = back.verify(&keys, 3).unwrap();
        assert_eq!(v.payload(), payload.as_slice());
        assert_eq!(v.payload_type(), "application/vnd.in-toto+json");
        let ids: Vec<KeyId> = signers.iter().map(|s| s.public_key().key_id()).collect();
        assert_eq!(v.key_ids(), ids.as_slice());
        // Each signature names its key.
        for (s, id) in back.signatures.iter().zip(&ids) {
            assert_eq!(s.keyid.as_ref(), Some(id));
        }
        // Tampering with the payload or its type breaks every signature.
        let mut bad = back.clone();
        bad.payload.push(b' ');
        assert!(matches!(
            bad.verify(&keys, 1),
            Err(Error::ThresholdNotMet { verified: 0, .. })
        ));
        let mut bad = back.clone();
        bad.payload_type.push('x');
        assert!(matches!(
            bad.verify(&keys, 1),
            Err(Error::ThresholdNotMet { verified: 0, .. })
        ));
    }
}

#[test]
fn serialization_matches_the_vector() {
    let raw = read(&format!("{D}/spec-p256.envelope.json"));
    let env = Envelope::from_json(&raw).unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&env.to_json()).unwrap();
    let theirs: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(ours, theirs);
    // Unknown fields are ignored (and not preserved).
    let extra = br#"{"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld","x":{"y":[1,2]},
        "signatures":[{"keyid":"66301bbf","extra":null,"sig":"A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;
    assert_eq!(Envelope::from_json(extra).unwrap(), env);
}

#[test]
fn same_key_twice_counts_once() {
    let key = spec_key();
    // Two valid signatures by the same key: the P1363 and the DER encoding of the spec vector.
    let p1363 = envelope("spec-p256.envelope.json");
    let der = envelope("spec-p256.envelope.der-sig.json");
    let env = Envelope {
        payload_type: p1363.payload_type.clone(),
        payload: p1363.payload.clone(),
        signatures: vec![
            Signature {
                keyid: None,
                sig: p1363.signatures[0].sig.clone(),
            },
            Signature {
                keyid: Some(KeyId::new("other")),
                sig: der.signatures[0].sig.clone(),
            },
        ],
    };
    for p in all_providers() {
        // The same key added twice, through two verifier objects.
        let mut keys = TrustedKeys::new();
        assert!(keys.insert(verifier(&key, p)));
        assert!(!keys.insert(verifier(&key, p)));
        assert_eq!(keys.len(), 1);
        assert_eq!(keys.key_ids().collect::<Vec<_>>(), [&key.key_id()]);
        assert!(matches!(
            env.verify(&keys, 2),
            Err(Error::ThresholdNotMet {
                required: 2,
                verified: 1
            })
        ));
        let v = env.verify(&keys, 1).unwrap();
        assert_eq!(v.key_ids(), [key.key_id()]);
        // The same key listed twice in a collected set counts once too.
        let twice = trusted(&[&key, &key], p);
        assert_eq!(twice.len(), 1);
        assert!(env.verify(&twice, 2).is_err());
    }
}

#[test]
fn caller_mistakes() {
    let env = envelope("spec-p256.envelope.json");
    let keys = trusted(&[&spec_key()], &RUSTCRYPTO);
    assert!(matches!(
        env.verify(&keys, 0),
        Err(Error::ConfigZeroThreshold)
    ));
    assert!(matches!(
        env.verify(&TrustedKeys::new(), 1),
        Err(Error::ConfigNoTrustedKeys)
    ));
    assert!(matches!(
        Envelope::sign("t", b"x".to_vec(), &[]),
        Err(Error::ConfigNoSigners)
    ));
    // No signatures at all: parses, never verifies.
    let unsigned =
        Envelope::from_json(br#"{"payload":"","payloadType":"t","signatures":[]}"#).unwrap();
    assert!(matches!(
        unsigned.verify(&keys, 1),
        Err(Error::ThresholdNotMet {
            required: 1,
            verified: 0
        })
    ));
}

#[test]
fn oversized_input_is_rejected() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    // One byte over MAX_DSSE_PAYLOAD_LEN.
    let payload = vec![b'a'; MAX_DSSE_PAYLOAD_LEN + 1];
    let json = format!(
        r#"{{"payload":"{}","payloadType":"t","signatures":[]}}"#,
        b64.encode(&payload)
    );
    assert!(matches!(
        Envelope::from_json(json.as_bytes()),
        Err(Error::LimitExceeded(e)) if e.limit == MAX_DSSE_PAYLOAD_LEN as u64
    ));
    // Exactly at the limit is fine.
    let at = format!(
        r#"{{"payload":"{}","payloadType":"t","signatures":[]}}"#,
        b64.encode(&payload[..MAX_DSSE_PAYLOAD_LEN])
    );
    assert_eq!(
        Envelope::from_json(at.as_bytes()).unwrap().payload.len(),
        MAX_DSSE_PAYLOAD_LEN
    );
    // Signing an oversized in-memory payload fails too (it could not be read back). Verifying
    // applies no default limit again (the caller's limits applied when it was read): an
    // in-memory envelope is judged by its signatures.
    let signers = generated_signers(&RUSTCRYPTO);
    let r = Envelope::sign("t", payload.clone(), &[&signers[0]]);
    assert!(matches!(r, Err(Error::LimitExceeded(_))));
    let env = Envelope {
        payload_type: "t".into(),
        payload,
        signatures: vec![],
    };
    let keys = trusted(&[signers[0].public_key()], &RUSTCRYPTO);
    assert!(matches!(
        env.verify(&keys, 1),
        Err(Error::ThresholdNotMet { .. })
    ));

    // The overall document size is capped before parsing (whitespace padding counts).
    let limits = Limits::default();
    let mut padded = b"{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[]".to_vec();
    padded.resize(dsse::max_envelope_len(&limits) + 1, b' ');
    padded.push(b'}');
    assert!(matches!(
        Envelope::from_json(&padded),
        Err(Error::LimitExceeded(e)) if e.what == "DSSE envelope (bytes)"
    ));

    // Tightened limits.
    let mut tight = Limits::default();
    tight.dsse_payload_len = 5;
    tight.dsse_signatures = 1;
    let spec = read(&format!("{D}/spec-p256.envelope.json"));
    assert!(matches!(
        Envelope::from_json_with_limits(&spec, &tight),
        Err(Error::LimitExceeded(e)) if e.limit == 5
    ));
    tight.dsse_payload_len = 11;
    assert!(Envelope::from_json_with_limits(&spec, &tight).is_ok());
    let multi = read(&format!("{D}/multisig.envelope.json"));
    tight.dsse_payload_len = MAX_DSSE_PAYLOAD_LEN;
    assert!(matches!(
        Envelope::from_json_with_limits(&multi, &tight),
        Err(Error::LimitExceeded(e)) if e.what == "DSSE signatures" && e.limit == 1
    ));

    // An oversized signature or keyid.
    let big_sig = format!(
        r#"{{"payload":"","payloadType":"t","signatures":[{{"sig":"{}"}}]}}"#,
        b64.encode(vec![0u8; dsse::MAX_SIGNATURE_LEN + 1])
    );
    assert!(matches!(
        Envelope::from_json(big_sig.as_bytes()),
        Err(Error::LimitExceeded(_))
    ));
    let big_id = format!(
        r#"{{"payload":"","payloadType":"t","signatures":[{{"keyid":"{}","sig":""}}]}}"#,
        "k".repeat(dsse::MAX_KEYID_LEN + 1)
    );
    assert!(matches!(
        Envelope::from_json(big_id.as_bytes()),
        Err(Error::LimitExceeded(_))
    ));
}

#[test]
fn malformed_envelopes_fail_cleanly() {
    let cases: &[&[u8]] = &[
        b"",
        b"null",
        b"[]",
        b"{",
        br#"{"payload":"aGk=","payloadType":"t"}"#,
        br#"{"payloadType":"t","signatures":[]}"#,
        br#"{"payload":"aGk=","signatures":[]}"#,
        br#"{"payload":"aGk=","payloadType":"t","signatures":{}}"#,
        br#"{"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"x"}]}"#,
        br#"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AA==","sig":"AA=="}]}"#,
        br#"{"payload":"aGk=","payloadType":"t","payloadType":"u","signatures":[]}"#,
        br#"{"payload":"aG k=","payloadType":"t","signatures":[]}"#,
        br#"{"payload":"aGk==","payloadType":"t","signatures":[]}"#,
        br#"{"payload":"aGk=","payloadType":7,"signatures":[]}"#,
        br#"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"!!"}]}"#,
        br#"{"payload":"aGk=","payloadType":"t","signatures":[]}{}"#,
        b"{\"payload\":\"aGk=\",\"payloadType\":\"\xff\",\"signatures\":[]}",
    ];
    for c in cases {
        assert!(
            Envelope::from_json(c).is_err(),
            "{}",
            String::from_utf8_lossy(c)
        );
    }
    // Deeply nested unknown fields: skipped without recursion (serde_json ignores values
    // iteratively), never a stack overflow.
    let deep = format!(
        r#"{{"x":{}{},"payload":"","payloadType":"t","signatures":[]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    if let Ok(env) = Envelope::from_json(deep.as_bytes()) {
        assert_eq!(env.payload_type, "t");
    }
    // Unbalanced deep nesting is an error.
    let open = format!(r#"{{"x":{}"#, "[".repeat(100_000));
    assert!(matches!(
        Envelope::from_json(open.as_bytes()),
        Err(Error::InvalidJson { .. })
    ));
}

/// Review finding: `Envelope::verify` honours the limits the envelope was parsed under: an
/// envelope with more signatures than the default limit, admitted by the caller's limits,
/// verifies instead of being refused against the defaults.
#[test]
fn verify_honours_the_callers_limits() {
    use supply_sig::crypto::RUSTCRYPTO;
    use supply_sig::dsse::{Envelope, Signature, TrustedKeys};
    use supply_sig::key::KeyAlgorithm;
    use supply_sig::limits::{Limits, MAX_DSSE_SIGNATURES};
    use supply_sig::sign::{KeySigner, KeyVerifier};
    let key = (RUSTCRYPTO.sign).generate(KeyAlgorithm::Ed25519).unwrap();
    let signer = KeySigner::new(&key, key.public_key().default_scheme(), &RUSTCRYPTO).unwrap();
    let mut env = Envelope::sign("t", b"payload".to_vec(), &[&signer]).unwrap();
    for _ in 0..MAX_DSSE_SIGNATURES {
        env.signatures.insert(
            0,
            Signature {
                keyid: None,
                sig: vec![0; 64],
            },
        );
    }
    let json = env.to_json();
    assert!(Envelope::from_json(&json).is_err());
    let mut limits = Limits::default();
    limits.dsse_signatures = MAX_DSSE_SIGNATURES * 2;
    let parsed = Envelope::from_json_with_limits(&json, &limits).unwrap();
    let trusted = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::with_default_scheme(key.public_key(), &RUSTCRYPTO).unwrap(),
    ));
    let verified = parsed.verify(&trusted, 1).unwrap();
    assert_eq!(verified.payload(), b"payload");
}
