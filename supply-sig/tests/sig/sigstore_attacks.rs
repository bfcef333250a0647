//! One regression test per advisory class listed in issue 4, plus derived negatives from the
//! testdata MANIFESTs. Each mutates a real bundle or trust root that verifies unmodified.

use serde_json::Value;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::Digest;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::trust_root::ValidityWindow;
use supply_sig::sigstore::verify::{Artifact, Error, Policy};
use supply_sig::time::Timestamp;
use supply_testkit::read;

use crate::sigstore_vectors::{bundle, check, root, GH, PROD, STAGING};

const PY: &str = "sigstore/sigstore-python/bundles";

fn json(rel: &str) -> Value {
    serde_json::from_slice(&read(rel)).unwrap()
}

fn parse(v: &Value) -> Bundle {
    Bundle::from_json(&serde_json::to_vec(v).unwrap()).unwrap()
}

fn v3() -> (Value, Vec<u8>, Policy) {
    (
        json(&format!("{PY}/bundle_v3.txt.sigstore")),
        read(&format!("{PY}/bundle_v3.txt")),
        Policy::identity("william@yossarian.net", GH),
    )
}

#[test]
fn control_unmodified_bundle_verifies() {
    let (b, a, p) = v3();
    check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).unwrap();
}

/// cosign CVE-2026-22703, CVE-2022-23649, sigstore-python CVE-2022-36056: a log entry (with a
/// valid SET and proof) that is about another artifact, signature or key must not vouch for
/// this bundle.
#[test]
fn log_entry_not_bound_to_the_bundle_is_rejected() {
    let (mut b, a, p) = v3();
    let other = json(&format!("{PY}/bundle_v3_alt.txt.sigstore"));
    b["verificationMaterial"]["tlogEntries"] = other["verificationMaterial"]["tlogEntries"].clone();
    let e = check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).unwrap_err();
    assert!(
        e.to_string().contains("inconsistent with other materials"),
        "{e}"
    );
    // The other way round: the signature and certificate of another bundle with this entry.
    let (b, _, _) = v3();
    let mut swapped = other.clone();
    swapped["verificationMaterial"]["tlogEntries"] =
        b["verificationMaterial"]["tlogEntries"].clone();
    let a2 = read(&format!("{PY}/bundle_v3_alt.txt"));
    assert!(check(&parse(&swapped), Artifact::Bytes(&a2), &p, &root(STAGING)).is_err());
    // DSSE: a leaf certificate from another bundle (sigstore-js derived negative).
    let mut js = json("sigstore/sigstore-js/bundles/bundleV03-dsse.sigstore");
    let other_js = json("sigstore/sigstore-js/bundles/bundleV03-intoto.sigstore");
    js["verificationMaterial"]["certificate"] =
        other_js["verificationMaterial"]["certificate"].clone();
    let bb = parse(&js);
    let d = statement_digest(&bb);
    assert!(check(
        &bb,
        Artifact::Digest(&d),
        &Policy::identity("brian@dehamer.com", GH),
        &root(PROD)
    )
    .is_err());
}

fn statement_digest(b: &Bundle) -> Digest {
    let supply_sig::sigstore::bundle::Content::Dsse(env) = &b.content else {
        panic!()
    };
    let st: Value = serde_json::from_slice(&env.payload).unwrap();
    let (alg, hex) = st["subject"][0]["digest"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    Digest::parse(&format!("{alg}:{}", hex.as_str().unwrap())).unwrap()
}

/// sigstore-js CVE-2026-48816: `integratedTime` without a SET is not a signed time, and an
/// altered integrated time breaks the SET.
#[test]
fn unsigned_integrated_time_is_never_a_signed_time() {
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    let e = check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).unwrap_err();
    assert!(
        e.to_string()
            .contains("inclusion promise or signed timestamp"),
        "{e}"
    );
    let (mut b, a, p) = v3();
    let t: i64 = b["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    b["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = (t + 60).to_string().into();
    assert!(matches!(
        check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)),
        Err(Error::Tlog { .. })
    ));
    // Rekor v2 entry given an integratedTime, its timestamp removed: still no signed time.
    let mut v2 = json(&format!("{PY}/staging-rekor-v2.txt.sigstore.json"));
    v2["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1749470000".into();
    v2["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("timestampVerificationData");
    let a = read(&format!("{PY}/staging-rekor-v2.txt"));
    assert!(check(
        &parse(&v2),
        Artifact::Bytes(&a),
        &Policy::identity("jku@goto.fi", GH),
        &root(STAGING)
    )
    .is_err());
    // Changing logIndex breaks the SET (sigstore-js derived negative).
    let (mut b, a, p) = v3();
    let i: i64 = b["verificationMaterial"]["tlogEntries"][0]["logIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    b["verificationMaterial"]["tlogEntries"][0]["logIndex"] = (i + 1).to_string().into();
    assert!(check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).is_err());
}

/// CVE-2026-48815: a policy field that is not understood must not be silently ignored.
#[test]
fn unknown_policy_fields_are_rejected_at_construction() {
    let ok = br#"{"certificateIdentity": {"subjectAlternativeName": "william@yossarian.net", "issuer": "https://github.com/login/oauth"}}"#;
    let p = Policy::from_json(ok).unwrap();
    let (b, a, _) = v3();
    check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).unwrap();
    for bad in [
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y"}, "requireRekorV2": true}"#,
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y", "sourceRepository": "z"}}"#,
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y", "extensions": {"no_such_extension": "z"}}}"#,
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "subjectAlternativeNameRegexp": "x", "issuer": "y"}}"#,
        r#"{"certificateIdentity": {"issuer": "y"}}"#,
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuerRegexp": "("}}"#,
        r#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y"}, "signedTimeThreshold": 0}"#,
        r#"{}"#,
    ] {
        assert!(
            matches!(
                Policy::from_json(bad.as_bytes()),
                Err(Error::ConfigPolicy { .. })
            ),
            "{bad}"
        );
    }
    // An extension requirement is enforced, not ignored.
    let p = Policy::from_json(br#"{"certificateIdentity": {"subjectAlternativeName": "william@yossarian.net", "issuer": "https://github.com/login/oauth", "extensions": {"source_repository_uri": "https://github.com/x/y"}}}"#).unwrap();
    assert!(matches!(
        check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)),
        Err(Error::IdentityMismatch { .. })
    ));
}

/// sigstore-go CVE-2024-45395: unbounded tlog entries / timestamps / sizes are refused before
/// any work is done.
#[test]
fn endless_bundle_data_is_refused() {
    let (mut b, _, _) = v3();
    let entry = b["verificationMaterial"]["tlogEntries"][0].clone();
    b["verificationMaterial"]["tlogEntries"] = Value::Array(vec![entry; 33]);
    let e = Bundle::from_json(&serde_json::to_vec(&b).unwrap()).unwrap_err();
    assert!(e.to_string().contains("limit"), "{e}");
    let huge = vec![b' '; supply_sig::limits::MAX_BUNDLE_LEN + 1];
    assert!(Bundle::from_json(&huge)
        .unwrap_err()
        .to_string()
        .contains("limit"));
    let (mut b, _, _) = v3();
    let hashes = Value::Array(vec![
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
        65
    ]);
    b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"] = hashes;
    assert!(Bundle::from_json(&serde_json::to_vec(&b).unwrap()).is_err());
    assert!(Bundle::from_json(&read(
        "sigstore/sigstore-python/tsa/bundle.many_timestamp.sigstore"
    ))
    .is_err());
}

/// CVE-2026-49834: the same log twice does not meet a threshold of two logs.
#[test]
fn one_log_cannot_meet_a_multi_log_threshold() {
    let (mut b, a, p) = v3();
    let entry = b["verificationMaterial"]["tlogEntries"][0].clone();
    b["verificationMaterial"]["tlogEntries"] = Value::Array(vec![entry.clone(), entry]);
    let bb = parse(&b);
    check(&bb, Artifact::Bytes(&a), &p, &root(STAGING)).unwrap();
    let e = check(
        &bb,
        Artifact::Bytes(&a),
        &p.with_tlog_threshold(2),
        &root(STAGING),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Threshold {
                found: 1,
                required: 2,
                ..
            }
        ),
        "{e}"
    );
}

/// CVE-2026-54787: a key (log, CA or public key) used outside its validity window.
#[test]
fn keys_outside_their_validity_window_do_not_verify() {
    let (b, a, p) = v3();
    let bb = parse(&b);
    // Rekor key window ending before the entry's integrated time.
    let mut r = root(STAGING);
    let t = bb.tlog_entries[0].integrated_time.unwrap();
    for l in &mut r.tlogs {
        l.valid_for.end = Some(Timestamp::from_unix(t - 1));
    }
    assert!(check(&bb, Artifact::Bytes(&a), &p, &r).is_err());
    // End inclusive: a window ending exactly at the integrated time still verifies.
    let mut r = root(STAGING);
    for l in &mut r.tlogs {
        if l.valid_for.start.unix() <= t {
            l.valid_for.end = Some(Timestamp::from_unix(t));
        }
    }
    check(&bb, Artifact::Bytes(&a), &p, &r).unwrap();
    // CA window closed before the signing time.
    let mut r = root(STAGING);
    for ca in &mut r.certificate_authorities {
        ca.valid_for = ValidityWindow {
            start: ca.valid_for.start,
            end: Some(Timestamp::from_unix(t - 1)),
        };
    }
    assert!(check(&bb, Artifact::Bytes(&a), &p, &r).is_err());
    // CT log window (the SCT's time must be inside it).
    let mut r = root(STAGING);
    for l in &mut r.ctlogs {
        l.valid_for.end = Some(l.valid_for.start);
    }
    assert!(matches!(
        check(&bb, Artifact::Bytes(&a), &p, &r),
        Err(Error::Fulcio(_))
    ));
}

/// CVE-2026-24122: every certificate of the chain, intermediates and root included, must be
/// valid at the signed time, whichever other checks are configured off.
#[test]
fn expired_chain_certificates_fail_even_with_checks_relaxed() {
    let (b, a, p) = v3();
    let bb = parse(&b);
    let r = root(STAGING);
    let relaxed = p.with_sct_threshold(0);
    check(&bb, Artifact::Bytes(&a), &relaxed, &r).unwrap();
    let leaf = bb.leaf_certificate().unwrap();
    for ca in &r.certificate_authorities {
        for (i, c) in ca.chain.iter().enumerate() {
            // At a time after this CA certificate expired, its chain never validates.
            let after = Timestamp::from_unix(c.not_after().unix() + 1);
            let e = supply_sig::x509::verify_chain(
                leaf,
                &ca.chain,
                after,
                supply_sig::x509::LeafProfile::CodeSigning,
                &RUSTCRYPTO,
            );
            assert!(e.is_err(), "chain position {i}");
        }
    }
    // The signing time is outside the leaf's 10 minutes: no signed time counts.
    let mut late = b.clone();
    let t: i64 = late["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    late["verificationMaterial"]["tlogEntries"][0]["integratedTime"] =
        (t + 3600).to_string().into();
    assert!(check(&parse(&late), Artifact::Bytes(&a), &relaxed, &r).is_err());
}

/// CVE-2026-39395: a component that fails to parse is a failure, never a pass.
#[test]
fn parse_failures_are_never_success() {
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["timestampVerificationData"] =
        serde_json::json!({"rfc3161Timestamps": [{"signedTimestamp": "MAA="}]});
    let bb = parse(&b);
    check(&bb, Artifact::Bytes(&a), &p, &root(STAGING)).unwrap();
    assert!(matches!(
        check(
            &bb,
            Artifact::Bytes(&a),
            &p.clone().with_timestamp_threshold(1),
            &root(STAGING)
        ),
        Err(Error::Threshold { found: 0, .. })
    ));
    // A malformed checkpoint fails the entry.
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"] =
        "garbage\n".into();
    assert!(matches!(
        check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)),
        Err(Error::Tlog { .. })
    ));
    // A malformed body fails the entry.
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"] = "e30=".into();
    assert!(check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).is_err());
    // An unknown entry kind is an error, not a skip.
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"] = "rekord".into();
    assert!(check(&parse(&b), Artifact::Bytes(&a), &p, &root(STAGING)).is_err());
    // Trailing garbage after the JSON, and a DSSE payload that is not a statement.
    let mut raw = read(&format!("{PY}/bundle_v3.txt.sigstore"));
    raw.extend_from_slice(b" {}");
    assert!(Bundle::from_json(&raw).is_err());
    // Flip a byte of a DSSE payload: the signature fails (sigstore-js derived negative).
    let mut js = json("sigstore/sigstore-js/bundles/bundleV02-dsse.sigstore");
    let orig = bundle("sigstore/sigstore-js/bundles/bundleV02-dsse.sigstore");
    let d = statement_digest(&orig);
    let p64 = js["dsseEnvelope"]["payload"].as_str().unwrap().to_string();
    let mut chars: Vec<char> = p64.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    js["dsseEnvelope"]["payload"] = chars.into_iter().collect::<String>().into();
    assert!(check(
        &parse(&js),
        Artifact::Digest(&d),
        &Policy::identity("brian@dehamer.com", GH),
        &root(PROD)
    )
    .is_err());
    // Dropping the SET of a v0.1 bundle with no proof leaves no proof of inclusion.
    let mut nop = json("sigstore/sigstore-js/bundles/bundleV01-dsse-no-proof.sigstore");
    nop["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    let bb = parse(&nop);
    let d = statement_digest(&bb);
    assert!(check(
        &bb,
        Artifact::Digest(&d),
        &Policy::identity("brian@dehamer.com", GH),
        &root(PROD)
    )
    .is_err());
}

/// Keyed bundles we write verify here with the key (at a caller time when unlogged), and
/// fail with another key, another artifact, a tampered payload or without any time.
#[test]
fn keyed_bundles_round_trip_and_need_a_time() {
    use supply_sig::key::KeyAlgorithm;
    use supply_sig::sign::KeySigner;
    use supply_sig::sigstore::sign::{sign_dsse, sign_message};
    let empty = supply_sig::sigstore::trust_root::TrustedRoot::from_json(
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        &RUSTCRYPTO,
    )
    .unwrap();
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    for alg in [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
    ] {
        let key = (RUSTCRYPTO.sign).generate(alg).unwrap();
        let signer = KeySigner::new(&key, key.public_key().default_scheme(), &RUSTCRYPTO).unwrap();
        let policy = Policy::public_key(key.public_key().clone()).with_tlog_threshold(0);
        let b = sign_message(b"artifact", &signer, &RUSTCRYPTO).unwrap();
        assert_eq!(Bundle::from_json(&b.to_json()).unwrap(), b);
        // No signed time at all: refused.
        assert!(check(&b, Artifact::Bytes(b"artifact"), &policy, &empty).is_err());
        let timed = policy.clone().with_caller_time(now).unwrap();
        check(&b, Artifact::Bytes(b"artifact"), &timed, &empty).unwrap();
        assert!(check(&b, Artifact::Bytes(b"artifacT"), &timed, &empty).is_err());
        let other = (RUSTCRYPTO.sign).generate(alg).unwrap();
        let wrong = Policy::public_key(other.public_key().clone())
            .with_tlog_threshold(0)
            .with_caller_time(now)
            .unwrap();
        assert!(check(&b, Artifact::Bytes(b"artifact"), &wrong, &empty).is_err());
        // Outside the key's window at the caller time.
        let early = ValidityWindow {
            start: Timestamp::from_unix(0),
            end: Some(Timestamp::from_unix(1)),
        };
        assert!(check(
            &b,
            Artifact::Bytes(b"artifact"),
            &timed.clone().with_key_validity(early).unwrap(),
            &empty
        )
        .is_err());
        // DSSE with an in-toto statement naming the artifact.
        let digest = RUSTCRYPTO
            .hash
            .digest(supply_sig::digest::Algorithm::Sha256, b"artifact");
        let st = serde_json::json!({"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", "digest": {"sha256": digest.hex()}}], "predicateType": "x", "predicate": {}});
        let d = sign_dsse(
            "application/vnd.in-toto+json",
            &serde_json::to_vec(&st).unwrap(),
            &signer,
            &RUSTCRYPTO,
        )
        .unwrap();
        check(&d, Artifact::Bytes(b"artifact"), &timed, &empty).unwrap();
        assert!(check(&d, Artifact::Bytes(b"other"), &timed, &empty).is_err());
    }
    // A caller time never applies to certificates.
    assert!(Policy::identity("a", "b").with_caller_time(now).is_err());
}
