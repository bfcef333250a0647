//! Regressions for sigstore-conformance `bundle-verify` cases (the suite's assets are not
//! copied here: each test rebuilds the case from the repository's testdata or freshly signed material).

use serde_json::Value;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::encoding::pem;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::KeySigner;
use supply_sig::sigstore::__fuzz as rekor;
use supply_sig::sigstore::bundle::{Bundle, Content, TlogEntry};
use supply_sig::sigstore::rekor::SignerMaterial;
use supply_sig::sigstore::sign::sign_dsse;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Artifact, Error, Policy};
use supply_sig::time::Timestamp;
use supply_testkit::read;

use crate::sigstore_vectors::{bundle, check, root, STAGING};

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn empty_root() -> TrustedRoot {
    TrustedRoot::from_json(
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        &RUSTCRYPTO,
    )
    .unwrap()
}

fn statement(statement_type: Option<&str>, digest: &Digest) -> Vec<u8> {
    let mut st = serde_json::json!({
        "subject": [{"name": "a.txt", "digest": {"sha256": digest.hex()}}],
        "predicateType": "https://example.com/test",
        "predicate": {},
    });
    if let Some(t) = statement_type {
        st["_type"] = Value::from(t);
    }
    serde_json::to_vec(&st).unwrap()
}

/// `dsse-statement-missing-type_fail`, `dsse-statement-unknown-type_fail`: an in-toto
/// payload must carry a known statement `_type` (v1 or v0.1), even when correctly signed and
/// naming the artifact.
#[test]
fn dsse_statement_type_must_be_a_known_in_toto_statement() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let policy = Policy::public_key(key.public_key().clone())
        .insecure_ignore_tlog()
        .insecure_caller_time(now)
        .unwrap();
    let artifact = b"artifact";
    let digest = RUSTCRYPTO.hash.digest(Algorithm::Sha256, artifact);
    let cases = [
        (Some("https://in-toto.io/Statement/v1"), true),
        (Some("https://in-toto.io/Statement/v0.1"), true),
        (None, false),
        (Some("https://in-toto.io/Statement/v2"), false),
        (Some(""), false),
    ];
    for (t, ok) in cases {
        let b = sign_dsse(
            "application/vnd.in-toto+json",
            &statement(t, &digest),
            &signer,
            &RUSTCRYPTO,
        )
        .unwrap();
        let r = check(&b, Artifact::Bytes(artifact), &policy, &empty_root());
        assert_eq!(r.is_ok(), ok, "_type {t:?}: {r:?}");
        if !ok {
            assert!(
                matches!(r, Err(Error::InvalidStatement { .. })),
                "{t:?}: {r:?}"
            );
        }
        // The same verdict by digest.
        let r = check(&b, Artifact::Digest(&digest), &policy, &empty_root());
        assert_eq!(r.is_ok(), ok, "_type {t:?} by digest: {r:?}");
    }
}

/// `dsse-with-hashedrekord-happy-path`: a DSSE envelope may be logged on Rekor v1 as a
/// hashedrekord 0.0.1 whose `data.hash` is SHA-256(PAE); the body must still bind the PAE,
/// the signature and the key.
#[test]
fn hashedrekord_v001_log_entry_may_carry_a_dsse_envelope() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let digest = RUSTCRYPTO.hash.digest(Algorithm::Sha256, b"artifact");
    let b = sign_dsse(
        "application/vnd.in-toto+json",
        &statement(Some("https://in-toto.io/Statement/v1"), &digest),
        &signer,
        &RUSTCRYPTO,
    )
    .unwrap();
    let Content::Dsse(env) = b.content() else {
        panic!("not DSSE")
    };
    let pae_hash = RUSTCRYPTO.hash.digest(Algorithm::Sha256, &env.pae());
    let payload_hash = RUSTCRYPTO.hash.digest(Algorithm::Sha256, &env.payload);
    let pem_text = pem::public_key_to_pem(key.public_key());
    let entry = |hash: &Digest, sig: &[u8], key_pem: &str| {
        let body = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": hash.hex()}},
                "signature": {"content": b64(sig), "publicKey": {"content": b64(key_pem.as_bytes())}},
            },
        });
        TlogEntry {
            log_index: 0,
            log_id: vec![0; 32],
            kind: "hashedrekord".into(),
            version: "0.0.1".into(),
            integrated_time: None,
            signed_entry_timestamp: None,
            inclusion_proof: None,
            canonicalized_body: serde_json::to_vec(&body).unwrap(),
        }
    };
    let signer_material = SignerMaterial::PublicKey(key.public_key());
    let sig = env.signatures[0].sig.clone();
    rekor::check_body(
        &entry(&pae_hash, &sig, &pem_text),
        b.content(),
        signer_material,
        &RUSTCRYPTO,
    )
    .unwrap();
    // Not the payload hash, not another signature, not another key.
    let mut other_sig = sig.clone();
    *other_sig.last_mut().unwrap() ^= 1;
    let other_key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let other_pem = pem::public_key_to_pem(other_key.public_key());
    for e in [
        entry(&payload_hash, &sig, &pem_text),
        entry(&pae_hash, &other_sig, &pem_text),
        entry(&pae_hash, &sig, &other_pem),
    ] {
        assert!(rekor::check_body(&e, b.content(), signer_material, &RUSTCRYPTO).is_err());
    }
}

/// `rekor2-multiple-timestamps-one-outside-cert-validity_fail`: the signer must be valid at
/// *every* verified signed time; a signed time outside its validity fails the bundle instead of
/// being skipped in favour of another one. Here: sigstore-go's keyed bundle whose RFC 3161
/// timestamp falls before the key's window, plus a caller time inside it.
#[test]
fn a_signed_time_outside_the_signer_validity_fails_the_bundle() {
    use supply_sig::sigstore::trust_root::ValidityWindow;
    let b = bundle("sigstore/sigstore-go/bundles/public-key-validity.sigstore.json");
    let r = root("sigstore/sigstore-go/trusted-roots/public-key-validity.json");
    let key = pem::public_key_from_pem(&read(
        "sigstore/sigstore-go/public-keys/public-key-validity.pem",
    ))
    .unwrap();
    let policy = Policy::public_key(key)
        .insecure_ignore_tlog()
        .with_timestamp_threshold(1);
    let v = check(&b, Artifact::Bytes(b"test content"), &policy, &r).unwrap();
    let [tsa_time] = v.signed_times() else {
        panic!("one signed time expected")
    };
    let caller_time = Timestamp::from_unix(tsa_time.unix() + 3600);
    let after_tsa = ValidityWindow {
        start: Timestamp::from_unix(tsa_time.unix() + 1),
        end: None,
    };
    let both = policy.clone().insecure_caller_time(caller_time).unwrap();
    // Control: both times inside an open window.
    let open = ValidityWindow {
        start: Timestamp::from_unix(0),
        end: None,
    };
    let v = check(
        &b,
        Artifact::Bytes(b"test content"),
        &both.clone().with_key_validity(open).unwrap(),
        &r,
    )
    .unwrap();
    assert_eq!(v.signed_times().len(), 2);
    // The timestamp is before the key's window: rejected although the caller time is inside.
    let e = check(
        &b,
        Artifact::Bytes(b"test content"),
        &both.with_key_validity(after_tsa).unwrap(),
        &r,
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidBundle { .. }), "{e}");
}

/// `trust-root-tlog-missing-validity-start_fail`: a tlog key whose `validFor` lacks its start
/// makes the trusted root unusable (not an unbounded window).
#[test]
fn tlog_validity_without_start_rejects_the_trusted_root() {
    let mut v: Value = serde_json::from_slice(&read(STAGING)).unwrap();
    let tlogs = v["tlogs"].as_array_mut().unwrap();
    tlogs[0]["publicKey"]["validFor"]
        .as_object_mut()
        .unwrap()
        .remove("start");
    assert!(TrustedRoot::from_json(&serde_json::to_vec(&v).unwrap(), &RUSTCRYPTO).is_err());
}

/// `intoto-canonical-log-entry` (shape): a keyed bundle whose only log entry carries an
/// inclusion proof with a signed checkpoint but no SET and an unsigned `integratedTime` of 0
/// has no signed time: it verifies only at a time the caller vouches for (what the conformance
/// client does for `--key`), and the entry must still be bound and proven.
#[test]
fn keyed_bundle_with_only_an_inclusion_proof_needs_a_caller_time() {
    use supply_sig::sign::Signer as _;
    use supply_sig::sigstore::sign::sign_message;
    let log_key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let log_signer = KeySigner::with_default_scheme(&log_key, &RUSTCRYPTO).unwrap();
    let log_id = RUSTCRYPTO
        .hash
        .digest(Algorithm::Sha256, log_key.public_key().spki_der());
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let artifact = b"artifact";
    let digest = RUSTCRYPTO.hash.digest(Algorithm::Sha256, artifact);
    let b = sign_message(artifact, &signer, &RUSTCRYPTO).unwrap();
    let mut v: Value = serde_json::from_slice(&b.to_json()).unwrap();
    let sig_b64 = v["messageSignature"]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = serde_json::to_vec(&serde_json::json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {"content": sig_b64, "publicKey": {"content": b64(pem::public_key_to_pem(key.public_key()).as_bytes())}},
        },
    }))
    .unwrap();
    let mut leaf_input = vec![0u8];
    leaf_input.extend_from_slice(&body);
    let root_hash = RUSTCRYPTO.hash.digest(Algorithm::Sha256, &leaf_input);
    let note = format!("rekor.test\n1\n{}\n", b64(root_hash.as_bytes()));
    let mut hinted = log_id.as_bytes()[..4].to_vec();
    hinted.extend(log_signer.try_sign(note.as_bytes()).unwrap());
    let checkpoint = format!("{note}\n\u{2014} rekor.test {}\n", b64(&hinted));
    v["verificationMaterial"]["tlogEntries"] = serde_json::json!([{
        "logIndex": "0",
        "logId": {"keyId": b64(log_id.as_bytes())},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": "0",
        "inclusionProof": {
            "logIndex": "0", "rootHash": b64(root_hash.as_bytes()), "treeSize": "1", "hashes": [],
            "checkpoint": {"envelope": checkpoint},
        },
        "canonicalizedBody": b64(&body),
    }]);
    let logged = Bundle::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
    let trusted = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [{
            "baseUrl": "https://rekor.test",
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": b64(log_key.public_key().spki_der()),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2020-01-01T00:00:00Z"},
            },
            "logId": {"keyId": b64(log_id.as_bytes())},
        }],
    });
    let trusted = TrustedRoot::from_json(&serde_json::to_vec(&trusted).unwrap(), &RUSTCRYPTO)
        .unwrap_or_else(|e| panic!("{e}"));
    let policy = Policy::public_key(key.public_key().clone());
    // No signed time: the unsigned integratedTime never counts.
    assert!(check(&logged, Artifact::Bytes(artifact), &policy, &trusted).is_err());
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let timed = policy.insecure_caller_time(now).unwrap();
    let ok = check(&logged, Artifact::Bytes(artifact), &timed, &trusted).unwrap();
    assert_eq!(ok.tlog_count(), 1);
    // Before the log key's validity, the entry does not count.
    let early = Policy::public_key(key.public_key().clone())
        .insecure_caller_time(Timestamp::parse_rfc3339("2019-01-01T00:00:00Z").unwrap())
        .unwrap();
    assert!(check(&logged, Artifact::Bytes(artifact), &early, &trusted).is_err());
    // A checkpoint from another key does not prove inclusion.
    let mut forged = v.clone();
    let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let other_signer = KeySigner::with_default_scheme(&other, &RUSTCRYPTO).unwrap();
    let mut hinted = log_id.as_bytes()[..4].to_vec();
    hinted.extend(other_signer.try_sign(note.as_bytes()).unwrap());
    forged["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"] =
        Value::from(format!("{note}\n\u{2014} rekor.test {}\n", b64(&hinted)));
    let forged = Bundle::from_json(&serde_json::to_vec(&forged).unwrap()).unwrap();
    assert!(check(&forged, Artifact::Bytes(artifact), &timed, &trusted).is_err());
}
