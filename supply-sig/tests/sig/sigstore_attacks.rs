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

use crate::sigstore_vectors::{bundle, chain, check, root, with_json, GH, PROD, STAGING};

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
        chain(&e).contains("inconsistent with other materials"),
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
    let supply_sig::sigstore::bundle::Content::Dsse(env) = b.content() else {
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
    assert!(chain(&e).contains("no signed time"), "{e}");
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
    assert!(chain(&e).contains("limit"), "{e}");
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
        &p.with_tlog_threshold(2).unwrap(),
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
    // Roots are only changed as JSON: set the `validFor.end` of every item of a list.
    let t = bb.tlog_entries()[0].integrated_time.unwrap();
    let staging = json(STAGING);
    let rfc = |t: i64| Timestamp::from_unix(t).to_string();
    let ends = |list: &str, key_path: bool, end: &dyn Fn(&str) -> Option<String>| {
        with_json(&staging, |r| {
            for item in r[list].as_array_mut().unwrap() {
                let w = if key_path {
                    &mut item["publicKey"]["validFor"]
                } else {
                    &mut item["validFor"]
                };
                let start = w["start"].as_str().unwrap().to_owned();
                if let Some(e) = end(&start) {
                    w["end"] = e.into();
                }
            }
        })
    };
    // (A window cannot end before it starts: logs that start later are left alone.)
    let before_t =
        |start: &str| (Timestamp::parse_rfc3339(start).unwrap().unix() < t).then(|| rfc(t - 1));
    let r = ends("tlogs", true, &before_t);
    assert!(check(&bb, Artifact::Bytes(&a), &p, &r).is_err());
    // End inclusive: a window ending exactly at the integrated time still verifies.
    let r = ends("tlogs", true, &|start| {
        (Timestamp::parse_rfc3339(start).unwrap().unix() <= t).then(|| rfc(t))
    });
    check(&bb, Artifact::Bytes(&a), &p, &r).unwrap();
    // CA window closed before the signing time.
    let r = ends("certificateAuthorities", false, &before_t);
    assert!(check(&bb, Artifact::Bytes(&a), &p, &r).is_err());
    // CT log window (the SCT's time must be inside it).
    let r = ends("ctlogs", true, &|start| Some(start.to_owned()));
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
    let relaxed = p.insecure_ignore_sct();
    check(&bb, Artifact::Bytes(&a), &relaxed, &r).unwrap();
    let leaf = bb.leaf_certificate().unwrap();
    for ca in r.certificate_authorities() {
        for (i, c) in ca.chain().iter().enumerate() {
            // At a time after this CA certificate expired, its chain never validates.
            let after = Timestamp::from_unix(c.not_after().unix() + 1);
            let e = supply_sig::x509::verify_chain_checked(
                leaf,
                ca.checked_chain(),
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
    use supply_sig::key::{KeyAlgorithm, PrivateKey};
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
        let key = PrivateKey::generate(alg, &RUSTCRYPTO).unwrap();
        let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
        let policy = Policy::public_key(key.public_key().clone()).insecure_ignore_tlog();
        let b = sign_message(b"artifact", &signer, &RUSTCRYPTO).unwrap();
        assert_eq!(Bundle::from_json(&b.to_json()).unwrap(), b);
        // No signed time at all: refused.
        assert!(check(&b, Artifact::Bytes(b"artifact"), &policy, &empty).is_err());
        let timed = policy.clone().insecure_caller_time(now).unwrap();
        check(&b, Artifact::Bytes(b"artifact"), &timed, &empty).unwrap();
        assert!(check(&b, Artifact::Bytes(b"artifacT"), &timed, &empty).is_err());
        let other = PrivateKey::generate(alg, &RUSTCRYPTO).unwrap();
        let wrong = Policy::public_key(other.public_key().clone())
            .insecure_ignore_tlog()
            .insecure_caller_time(now)
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
    assert!(Policy::identity("a", "b")
        .insecure_caller_time(now)
        .is_err());
}

/// A timestamp authority whose `certChain.certificates` is empty is skipped, not fatal: the rest
/// of the trusted root loads and verifies as before, and no timestamp ever verifies against it.
#[test]
fn timestamp_authority_with_an_empty_chain_is_skipped() {
    use supply_sig::sigstore::trust_root::{CertificateAuthority, TrustedRoot};
    let empty_tsa = |valid_for: &Value| {
        serde_json::json!({
            "subject": {"organization": "example", "commonName": "empty TSA"},
            "uri": "https://tsa.example",
            "certChain": {"certificates": []},
            "validFor": valid_for,
        })
    };
    // The staging root plus an empty TSA: same logs, CAs and TSAs, and bundles still verify.
    let mut staging = json(STAGING);
    let before = root(STAGING);
    staging["timestampAuthorities"]
        .as_array_mut()
        .unwrap()
        .push(empty_tsa(
            &serde_json::json!({"start": "2020-01-01T00:00:00Z"}),
        ));
    let r = TrustedRoot::from_json(&serde_json::to_vec(&staging).unwrap(), &RUSTCRYPTO).unwrap();
    assert_eq!(r.skipped_timestamp_authorities(), 1);
    assert_eq!(before.skipped_timestamp_authorities(), 0);
    assert_eq!(
        r.timestamp_authorities().len(),
        before.timestamp_authorities().len()
    );
    assert_eq!(r.tlogs().len(), before.tlogs().len());
    assert_eq!(r.ctlogs().len(), before.ctlogs().len());
    assert_eq!(
        r.certificate_authorities().len(),
        before.certificate_authorities().len()
    );
    let (b, a, p) = v3();
    check(&parse(&b), Artifact::Bytes(&a), &p, &r).unwrap();

    // The TSA bundle: its timestamps verify with the TSA of ca.json trusted. Replacing that TSA
    // by the same entry with its certificates removed leaves no timestamp that verifies.
    let tsa = "sigstore/sigstore-python/tsa";
    let policy = Policy::identity(
        "alexis.challande@trailofbits.com",
        "https://accounts.google.com",
    )
    .with_timestamp_threshold(1);
    let art = read(&format!("{tsa}/bundle.txt"));
    let bb = bundle(&format!("{tsa}/bundle.txt.sigstore"));
    let ca = json(&format!("{tsa}/ca.json"));
    let cfg = json(&format!("{tsa}/trust_config.json"));
    let with = |entry: Value| {
        let mut tr = cfg["trustedRoot"].clone();
        tr["timestampAuthorities"] = Value::Array(vec![entry]);
        TrustedRoot::from_json(&serde_json::to_vec(&tr).unwrap(), &RUSTCRYPTO).unwrap()
    };
    check(&bb, Artifact::Bytes(&art), &policy, &with(ca.clone())).unwrap();
    let mut emptied = ca.clone();
    emptied["certChain"]["certificates"] = Value::Array(Vec::new());
    let r = with(emptied.clone());
    assert!(r.timestamp_authorities().is_empty());
    assert_eq!(r.skipped_timestamp_authorities(), 1);
    assert!(matches!(
        check(&bb, Artifact::Bytes(&art), &policy, &r),
        Err(Error::Threshold {
            what: "verified timestamps",
            ..
        })
    ));
    // Without a timestamp requirement the bundle still verifies from its SET.
    check(
        &bb,
        Artifact::Bytes(&art),
        &policy.clone().with_timestamp_threshold(0),
        &r,
    )
    .unwrap();
    // Read on its own, the empty TSA entry is still an error.
    assert!(CertificateAuthority::tsa_from_json(
        &serde_json::to_vec(&emptied).unwrap(),
        &RUSTCRYPTO
    )
    .is_err());
}

/// The `openssl ca` / `openssl ts` configuration of [`expired_intermediate_is_refused_even_with_sct_and_tlog_not_required`].
const PKI_CNF: &str = "\
[ca]
default_ca = ca_default
[ca_default]
database = ./index.txt
new_certs_dir = .
rand_serial = yes
default_md = sha256
policy = policy_any
email_in_dn = no
unique_subject = no
[policy_any]
commonName = supplied
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = email:signer@example.com
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:https://issuer.example
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[tsa]
default_tsa = tsa_default
[tsa_default]
serial = ./tsaserial
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

/// CVE-2026-24122 (expired intermediate when a check is skipped): a chain root CA →
/// intermediate CA whose validity ended in 2021 → leaf valid at the signing time, made here with
/// the openssl CLI, with the signing time from an RFC 3161 timestamp (`openssl ts`) of a trusted
/// TSA. The policy requires no transparency log and no SCT, so the x509 chain validation at the
/// signed time is the only thing between the bundle and `Ok`: it must refuse it with
/// `NotValidAt` for chain position 1. The same leaf, signature and timestamp verify when the
/// trusted root carries the same intermediate (same name and key) re-issued with a validity that
/// covers the signing time.
#[test]
fn expired_intermediate_is_refused_even_with_sct_and_tlog_not_required() {
    use std::process::Command;

    use base64::Engine as _;
    use supply_sig::sigstore::trust_root::TrustedRoot;
    use supply_sig::x509::{self, Certificate, LeafProfile};
    use supply_testkit::{peer, run_ok, tempdir};

    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = tempdir();
    let ossl = |args: &[&str]| {
        run_ok(Command::new(&openssl).current_dir(dir.path()).args(args));
    };
    std::fs::write(dir.path().join("pki.cnf"), PKI_CNF).unwrap();
    std::fs::write(dir.path().join("index.txt"), "").unwrap();
    std::fs::write(dir.path().join("tsaserial"), "01\n").unwrap();
    for (name, cn) in [
        ("root", "Test Root"),
        ("inter", "Test Intermediate"),
        ("leaf", "signer"),
        ("tsa", "Test TSA"),
    ] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let subj = format!("/CN={cn}");
        ossl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &key,
        ]);
        ossl(&["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
    }
    // `openssl ca` issues each certificate; dates are YYYYMMDDHHMMSSZ.
    // `openssl ca` issues each certificate (`issuer` is `-selfsign` or `-cert ISSUER.pem`);
    // dates are YYYYMMDDHHMMSSZ.
    let issue = |csr: &str, out: &str, ext: &str, issuer: &[&str], key: &str, dates: &[&str]| {
        let mut args = vec!["ca", "-batch", "-notext", "-config", "pki.cnf", "-in", csr];
        args.extend(["-out", out, "-extensions", ext, "-keyfile", key]);
        args.extend(issuer);
        args.extend(dates);
        ossl(&args);
    };
    let by_root = ["-cert", "root.pem"];
    let long = [
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20400101000000Z",
    ];
    let ended_2021 = [
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20210101000000Z",
    ];
    issue(
        "root.csr",
        "root.pem",
        "v3_root",
        &["-selfsign"],
        "root.key",
        &long,
    );
    issue(
        "inter.csr",
        "inter-expired.pem",
        "v3_inter",
        &by_root,
        "root.key",
        &ended_2021,
    );
    issue(
        "inter.csr",
        "inter-valid.pem",
        "v3_inter",
        &by_root,
        "root.key",
        &long,
    );
    issue("tsa.csr", "tsa.pem", "v3_tsa", &by_root, "root.key", &long);
    // The leaf is valid from now for a day; the timestamp below is taken after it was issued.
    let by_inter = ["-cert", "inter-expired.pem"];
    issue(
        "leaf.csr",
        "leaf.pem",
        "v3_leaf",
        &by_inter,
        "inter.key",
        &["-days", "1"],
    );
    std::fs::write(dir.path().join("artifact"), b"CVE-2026-24122 regression\n").unwrap();
    ossl(&[
        "dgst", "-sha256", "-sign", "leaf.key", "-out", "sig.bin", "artifact",
    ]);
    ossl(&[
        "ts", "-query", "-data", "sig.bin", "-sha256", "-cert", "-out", "req.tsq",
    ]);
    ossl(&[
        "ts",
        "-reply",
        "-config",
        "pki.cnf",
        "-queryfile",
        "req.tsq",
        "-signer",
        "tsa.pem",
        "-inkey",
        "tsa.key",
        "-out",
        "resp.tsr",
    ]);

    let file = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
    let pem_der = |n: &str| Certificate::from_pem(&file(n)).unwrap().der().to_vec();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let chain_json = |names: &[&str]| {
        let certs: Vec<Value> = names
            .iter()
            .map(|n| serde_json::json!({ "rawBytes": b64(&pem_der(n)) }))
            .collect();
        serde_json::json!({ "certificates": certs })
    };
    let trusted_root = |intermediate: &str| {
        let doc = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [],
            "ctlogs": [],
            "certificateAuthorities": [{
                "subject": {"organization": "example", "commonName": "Test Intermediate"},
                "uri": "https://ca.example",
                "certChain": chain_json(&[intermediate, "root.pem"]),
                "validFor": {"start": "2019-01-01T00:00:00Z"},
            }],
            "timestampAuthorities": [{
                "subject": {"organization": "example", "commonName": "Test TSA"},
                "uri": "https://tsa.example",
                "certChain": chain_json(&["tsa.pem", "root.pem"]),
                "validFor": {"start": "2019-01-01T00:00:00Z"},
            }],
        });
        TrustedRoot::from_json(&serde_json::to_vec(&doc).unwrap(), &RUSTCRYPTO).unwrap()
    };
    let artifact = file("artifact");
    let digest = supply_sig::digest::Algorithm::Sha256;
    let bundle_json = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(&pem_der("leaf.pem"))},
            "tlogEntries": [],
            "timestampVerificationData": {
                "rfc3161Timestamps": [{"signedTimestamp": b64(&file("resp.tsr"))}]
            },
        },
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": b64(RUSTCRYPTO.hash.digest(digest, &artifact).as_bytes()),
            },
            "signature": b64(&file("sig.bin")),
        },
    });
    let b = parse(&bundle_json);
    let policy = Policy::identity("signer@example.com", "https://issuer.example")
        .insecure_ignore_tlog()
        .insecure_ignore_sct()
        .with_timestamp_threshold(1);

    // Control: the intermediate re-issued with a validity covering the signing time verifies.
    let good = trusted_root("inter-valid.pem");
    let v = check(&b, Artifact::Bytes(&artifact), &policy, &good).unwrap();
    let signed = v.signed_times()[0];
    assert_eq!(v.tlog_count(), 0);

    // The expired intermediate: refused with a typed chain error naming position 1 (the
    // intermediate; the leaf is 0), on every provider.
    let expired = trusted_root("inter-expired.pem");
    let ca = &expired.certificate_authorities()[0];
    assert!(ca.chain()[0].not_after() < signed && b.leaf_certificate().unwrap().valid_at(signed));
    match check(&b, Artifact::Bytes(&artifact), &policy, &expired) {
        Err(Error::Certificate(x509::Error::NotValidAt {
            position: 1,
            time,
            not_after,
            ..
        })) => {
            assert_eq!(time, signed);
            assert_eq!(not_after, ca.chain()[0].not_after());
        }
        other => panic!("expected NotValidAt at position 1, got {other:?}"),
    }
    // The same answer from the chain validation alone.
    assert!(matches!(
        x509::verify_chain_checked(
            b.leaf_certificate().unwrap(),
            ca.checked_chain(),
            signed,
            LeafProfile::CodeSigning,
            &RUSTCRYPTO
        ),
        Err(x509::Error::NotValidAt { position: 1, .. })
    ));
}

/// A trusted root checks its CA chains once ([`supply_sig::x509::CheckedCaChain`]) and verify
/// then skips only what that check covered: `verify_chain_checked` gives `verify_chain`'s verdict
/// at every time around every certificate's validity, and a chain changed after it was read is
/// not taken as checked.
#[test]
fn checked_ca_chains_give_the_full_chain_verdicts() {
    use supply_sig::sigstore::__fuzz::verify_chain;
    use supply_sig::x509::{verify_chain_checked, LeafProfile};
    let (b, _, _) = v3();
    let bb = parse(&b);
    let leaf = bb.leaf_certificate().unwrap();
    let signed = Timestamp::from_unix(bb.tlog_entries()[0].integrated_time.unwrap());
    let r = root(STAGING);
    for ca in r.certificate_authorities() {
        let checked = ca.checked_chain();
        assert_eq!(checked.certificates(), ca.chain());
        let mut times = vec![signed];
        for c in std::iter::once(leaf).chain(ca.chain()) {
            for t in [c.not_before().unix(), c.not_after().unix()] {
                times.extend([t - 1, t, t + 1].map(Timestamp::from_unix));
            }
        }
        for t in times {
            for p in supply_sig::crypto::all_providers() {
                let full = verify_chain(leaf, ca.chain(), t, LeafProfile::CodeSigning, p);
                let fast = verify_chain_checked(leaf, checked, t, LeafProfile::CodeSigning, p);
                assert_eq!(
                    full.as_ref().map_err(ToString::to_string),
                    fast.as_ref().map_err(ToString::to_string),
                    "{} at {t}",
                    ca.uri()
                );
            }
        }
    }
    // The chain is private: what was checked is what verification uses.
    for tsa in root(STAGING).timestamp_authorities() {
        assert_eq!(tsa.checked_chain().certificates(), &tsa.chain()[1..]);
    }
}

/// Review finding: a root that lists one log key twice (two validity windows, the first not
/// covering the entry's time) must still accept a valid SET: every entry with the log ID is
/// tried, not only the first.
#[test]
fn every_trusted_log_entry_with_the_log_id_is_tried() {
    let (b, a, p) = v3();
    let bb = parse(&b);
    let entry = &bb.tlog_entries()[0];
    let t = entry.integrated_time.unwrap();
    let log_id = supply_sig::sigstore::bundle::TlogEntry::clone(entry).log_id;
    let r = with_json(&json(STAGING), |r| {
        let tlogs = r["tlogs"].as_array_mut().unwrap();
        let i = tlogs
            .iter()
            .position(|l| {
                let id = l["logId"]["keyId"].as_str().unwrap();
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, id).unwrap()
                    == log_id
            })
            .unwrap();
        let mut expired = tlogs[i].clone();
        expired["publicKey"]["validFor"]["end"] = Timestamp::from_unix(t - 1).to_string().into();
        tlogs.insert(i, expired);
    });
    assert_eq!(r.tlogs_by_id(&log_id).count(), 2);
    check(&bb, Artifact::Bytes(&a), &p, &r).unwrap();
    // Both windows closed: refused.
    let closed = with_json(&json(STAGING), |r| {
        for l in r["tlogs"].as_array_mut().unwrap() {
            let w = &mut l["publicKey"]["validFor"];
            if Timestamp::parse_rfc3339(w["start"].as_str().unwrap())
                .unwrap()
                .unix()
                < t
            {
                w["end"] = Timestamp::from_unix(t - 1).to_string().into();
            }
        }
    });
    assert!(check(&bb, Artifact::Bytes(&a), &p, &closed).is_err());
}

/// Review finding: a bundle's `dsseEnvelope` is read by DSSE's own strict reader, so a
/// repeated field is refused inside bundles as it is in a bare envelope.
#[test]
fn repeated_dsse_fields_are_refused_inside_bundles() {
    let raw = serde_json::to_string(&json(
        "sigstore/sigstore-js/bundles/bundleV03-dsse.sigstore",
    ))
    .unwrap();
    Bundle::from_json(raw.as_bytes()).unwrap();
    for dup in [
        r#""dsseEnvelope":{"payloadType":"text/plain","#,
        r#""dsseEnvelope":{"payload":"e30=","#,
    ] {
        let bad = raw.replacen(r#""dsseEnvelope":{"#, dup, 1);
        assert_ne!(bad, raw);
        assert!(
            matches!(
                Bundle::from_json(bad.as_bytes()),
                Err(supply_sig::sigstore::bundle::Error::Dsse(_))
            ),
            "{dup}"
        );
    }
    // And a repeated top-level bundle field.
    let bad = raw.replacen(r#"{"#, r#"{"mediaType":"x","#, 1);
    assert!(Bundle::from_json(bad.as_bytes()).is_err());
}

/// Review findings: an in-toto statement whose subject repeats `sha256` (one value for one
/// reader, another for the next) and a statement that is not UTF-8 are refused.
#[test]
fn ambiguous_or_non_utf8_statements_are_refused() {
    use supply_sig::key::KeyAlgorithm;
    use supply_sig::sign::KeySigner;
    use supply_sig::sigstore::sign::sign_dsse;
    use supply_sig::sigstore::trust_root::TrustedRoot;
    let empty = TrustedRoot::from_json(
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        &RUSTCRYPTO,
    )
    .unwrap();
    let key = (RUSTCRYPTO.sign).generate(KeyAlgorithm::EcdsaP256).unwrap();
    let signer = KeySigner::new(&key, key.public_key().default_scheme(), &RUSTCRYPTO).unwrap();
    let policy = Policy::public_key(key.public_key().clone())
        .insecure_ignore_tlog()
        .insecure_caller_time(Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap())
        .unwrap();
    let right = RUSTCRYPTO
        .hash
        .digest(supply_sig::digest::Algorithm::Sha256, b"artifact")
        .hex();
    let wrong = "00".repeat(32);
    let statement = |digest: &str, predicate: &[u8]| {
        let mut s = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"a","digest":{digest}}}],"predicateType":"x","predicate":{{"note":""#
        )
        .into_bytes();
        s.extend_from_slice(predicate);
        s.extend_from_slice(b"\"}}");
        s
    };
    let verify = |payload: Vec<u8>| {
        let b = sign_dsse(
            "application/vnd.in-toto+json",
            &payload,
            &signer,
            &RUSTCRYPTO,
        )
        .unwrap();
        check(&b, Artifact::Bytes(b"artifact"), &policy, &empty).map(|_| ())
    };
    // Control: one sha256, UTF-8.
    verify(statement(&format!(r#"{{"sha256":"{right}"}}"#), b"ok")).unwrap();
    // The right digest last, the wrong one first: a last-wins reader would accept it.
    assert!(matches!(
        verify(statement(
            &format!(r#"{{"sha256":"{wrong}","sha256":"{right}"}}"#),
            b"ok"
        )),
        Err(Error::InvalidStatement { .. })
    ));
    // Invalid UTF-8 inside a value the verifier otherwise skips.
    assert!(matches!(
        verify(statement(
            &format!(r#"{{"sha256":"{right}"}}"#),
            b"\xff\xfe"
        )),
        Err(Error::InvalidStatement { .. })
    ));
}

/// Issue 10: match-everything identity patterns are refused unless the caller opts out, and
/// every check-disabling threshold of 0 is refused outside the `insecure_*` methods.
#[test]
fn policies_that_accept_anyone_need_an_explicit_opt_out() {
    use supply_sig::sigstore::verify::{Matcher, PolicyError};
    for re in ["", ".*", "^.*$", ".+"] {
        assert!(
            matches!(
                Matcher::regex(re),
                Err(Error::ConfigPolicy(PolicyError::MatchesEverything { .. }))
            ),
            "{re:?}"
        );
        let json = format!(
            r#"{{"certificateIdentity": {{"subjectAlternativeNameRegexp": {re:?}, "issuer": "https://github.com/login/oauth"}}}}"#
        );
        assert!(Policy::from_json(json.as_bytes()).is_err(), "{re:?}");
    }
    // The opt-out means it: any SAN of that issuer.
    let (b, a, _) = v3();
    let anyone =
        Policy::identity_matching(Matcher::insecure_regex(".*").unwrap(), Matcher::exact(GH));
    check(&parse(&b), Artifact::Bytes(&a), &anyone, &root(STAGING)).unwrap();
    // Thresholds of 0 are opt-outs, not settings.
    let p = Policy::identity("william@yossarian.net", GH);
    assert!(p.clone().with_tlog_threshold(0).is_err());
    assert!(p.clone().with_sct_threshold(0).is_err());
    assert!(Policy::from_json(br#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y"}, "tlogThreshold": 0}"#).is_err());
    assert!(Policy::from_json(br#"{"certificateIdentity": {"subjectAlternativeName": "x", "issuer": "y"}, "sctThreshold": 0}"#).is_err());
}

/// Issue 10: a keyed bundle without a log entry fails unless the caller opts out of the log,
/// and the caller's clock counts only through its opt-out.
#[test]
fn keyed_bundles_without_a_log_need_the_opt_out() {
    use supply_sig::key::KeyAlgorithm;
    use supply_sig::sign::KeySigner;
    use supply_sig::sigstore::sign::sign_message;
    use supply_sig::sigstore::trust_root::TrustedRoot;
    let empty = TrustedRoot::from_json(
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        &RUSTCRYPTO,
    )
    .unwrap();
    let key = (RUSTCRYPTO.sign).generate(KeyAlgorithm::Ed25519).unwrap();
    let signer = KeySigner::new(&key, key.public_key().default_scheme(), &RUSTCRYPTO).unwrap();
    let b = sign_message(b"artifact", &signer, &RUSTCRYPTO).unwrap();
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let timed = Policy::public_key(key.public_key().clone())
        .insecure_caller_time(now)
        .unwrap();
    assert!(matches!(
        check(&b, Artifact::Bytes(b"artifact"), &timed, &empty),
        Err(Error::Threshold {
            what: "distinct transparency logs",
            ..
        })
    ));
    check(
        &b,
        Artifact::Bytes(b"artifact"),
        &timed.insecure_ignore_tlog(),
        &empty,
    )
    .unwrap();
    // Without the clock, nothing dates it.
    assert!(matches!(
        check(
            &b,
            Artifact::Bytes(b"artifact"),
            &Policy::public_key(key.public_key().clone()).insecure_ignore_tlog(),
            &empty
        ),
        Err(Error::NoSignedTime { .. })
    ));
}

/// Issue 10: an unparseable RFC 3161 timestamp is reported as such, not as "no timestamp".
#[test]
fn unparseable_timestamps_are_reported_as_such() {
    let (mut b, a, p) = v3();
    b["verificationMaterial"]["timestampVerificationData"] =
        serde_json::json!({"rfc3161Timestamps": [{"signedTimestamp": "MAA="}]});
    let e = check(
        &parse(&b),
        Artifact::Bytes(&a),
        &p.with_timestamp_threshold(1),
        &root(STAGING),
    )
    .unwrap_err();
    let text = chain(&e);
    assert!(
        text.contains("RFC 3161 timestamp 0 was not verified: malformed timestamp"),
        "{text}"
    );
}

/// Out-of-range numbers are reported in words: no float rendering of 2^64 and no internal type
/// names (`untagged enum Repr`, `struct WireService`) in what a user reads.
#[test]
fn out_of_range_numbers_read_plainly() {
    use supply_sig::sigstore::trust_root::SigningConfig;
    let config = read("sigstore/trust/production/signing_config.v0.2.json");
    let text = String::from_utf8(config).unwrap();
    let huge = text.replacen(
        "\"majorApiVersion\": 1",
        "\"majorApiVersion\": 18446744073709551616",
        1,
    );
    assert_ne!(huge, text, "the fixture names a majorApiVersion");
    let msg = format!(
        "{:#}",
        anyhow::Error::new(SigningConfig::from_json(huge.as_bytes()).unwrap_err())
    );
    assert!(msg.contains("uint32 range"), "{msg}");
    assert!(!msg.contains("e+19") && !msg.contains("Wire"), "{msg}");

    let bundle = read("sigstore/sigstore-python/bundles/bundle_v3.txt.sigstore");
    let text = String::from_utf8(bundle).unwrap();
    let at = text.find("\"logIndex\"").unwrap();
    let value_start = at + text[at..].find(':').unwrap() + 1;
    let value_end = value_start + text[value_start..].find(',').unwrap();
    let huge = format!(
        "{}18446744073709551616{}",
        &text[..value_start],
        &text[value_end..]
    );
    let msg = format!(
        "{:#}",
        anyhow::Error::new(Bundle::from_json(huge.as_bytes()).unwrap_err())
    );
    assert!(msg.contains("int64 range"), "{msg}");
    assert!(!msg.contains("Repr") && !msg.contains("e+19"), "{msg}");
}

/// Protobuf JSON leaves out a `logIndex` of 0 (a log's first entry, as in cosign 3's bundles from
/// a fresh log): the bundle reads, with index 0. Leaving it out of a bundle whose entry is not
/// the first is then an index that the inclusion proof does not match, and fails.
#[test]
fn an_absent_log_index_is_zero_and_fails_for_any_other_entry() {
    let (b, a, p) = v3();
    for field in [&["logIndex"][..], &["inclusionProof", "logIndex"][..]] {
        let mut m = b.clone();
        let mut entry = &mut m["verificationMaterial"]["tlogEntries"][0];
        for f in &field[..field.len() - 1] {
            entry = &mut entry[*f];
        }
        entry
            .as_object_mut()
            .unwrap()
            .remove(field[field.len() - 1])
            .unwrap();
        let parsed = parse(&m);
        assert_eq!(
            if field.len() == 1 {
                parsed.tlog_entries()[0].log_index
            } else {
                parsed.tlog_entries()[0]
                    .inclusion_proof
                    .as_ref()
                    .unwrap()
                    .log_index
            },
            0,
            "{field:?}"
        );
        assert!(
            check(&parsed, Artifact::Bytes(&a), &p, &root(STAGING)).is_err(),
            "{field:?}"
        );
    }
}
