//! notation signatures: the COSE signature notation 1.3.2 attached to `generated/`'s subject,
//! verified with its test certificate and trust policy, with every check made to fail once; and
//! JWS envelopes made here (a code-signing certificate made with rcgen, our signer) through the
//! same path, under both signing schemes.

use base64::Engine as _;
use supply_oci::notation::{
    self, Check, Error, Target, TrustPolicyDocument, TrustStores, COSE_MEDIA_TYPE, JWS_MEDIA_TYPE,
};
use supply_oci::Digest;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::revocation::Fetched;
use supply_sig::time::Timestamp;
use supply_sig::x509::Certificate;

use crate::read;

const SUBJECT: &str = "sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b";
const SIGNATURE: &str = "sha256:15d80ec4c8b40e3b7b09fcce3817b268a1720f6d4ad700032fff53a5390ccf93";
const REPO: &str = "127.0.0.1:46399/test/subject";

fn blob(digest: &str) -> Vec<u8> {
    let d = Digest::parse(digest).unwrap();
    read(&format!(
        "generated/layout-registry-fallback/blobs/sha256/{}",
        d.hex()
    ))
}

/// The COSE envelope: the only layer of the signature manifest.
fn envelope() -> Vec<u8> {
    let m: serde_json::Value = serde_json::from_slice(&blob(SIGNATURE)).unwrap();
    assert_eq!(m["layers"][0]["mediaType"], COSE_MEDIA_TYPE);
    blob(m["layers"][0]["digest"].as_str().unwrap())
}

fn cert() -> Certificate {
    Certificate::from_pem(&read("generated/keys/notation/supply.test.crt")).unwrap()
}

fn stores() -> TrustStores {
    TrustStores::new().with("ca:supply.test", vec![cert()])
}

fn policy() -> TrustPolicyDocument {
    TrustPolicyDocument::from_json(&read("generated/keys/notation/trustpolicy.json")).unwrap()
}

fn policy_with(level: &str, identities: &str) -> TrustPolicyDocument {
    let json = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],
        "signatureVerification":{{"level":"{level}"}},"trustStores":["ca:supply.test"],
        "trustedIdentities":[{identities}]}}]}}"#
    );
    TrustPolicyDocument::from_json(json.as_bytes()).unwrap()
}

/// Inside the certificate's one-day validity (2026-11-25T04:17:04Z + 1 day).
fn in_window() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-25T12:00:00Z").unwrap()
}

fn target(digest: &Digest) -> Target<'_> {
    Target {
        digest,
        media_type: Some("application/vnd.oci.image.manifest.v1+json"),
        size: Some(345),
        repository: REPO,
    }
}

fn check(
    bytes: &[u8],
    digest: &Digest,
    policies: &TrustPolicyDocument,
    stores: &TrustStores,
    now: Timestamp,
) -> Result<notation::VerifiedSignature, Error> {
    notation::verify(
        COSE_MEDIA_TYPE,
        bytes,
        target(digest),
        policies,
        stores,
        &Fetched::new(),
        now,
        &RUSTCRYPTO,
    )
}

#[test]
fn notations_cose_signature_verifies_under_its_trust_policy() {
    let subject = Digest::parse(SUBJECT).unwrap();
    let v = check(&envelope(), &subject, &policy(), &stores(), in_window()).unwrap();
    assert_eq!(v.envelope(), "COSE");
    assert_eq!(v.algorithm(), "PS256");
    assert_eq!(v.policy(), "supply-test");
    assert!(v.signer().contains("CN=supply.test"), "{}", v.signer());
    assert!(v.reported().is_empty());
    // notation's test certificate names no CRL or OCSP responder: nothing to check, nothing
    // skipped.
    assert!(v.skipped().is_empty(), "{:?}", v.skipped());
    // The manifest's thumbprint annotation is the SHA-256 of the certificate's DER.
    let m: serde_json::Value = serde_json::from_slice(&blob(SIGNATURE)).unwrap();
    let thumbs = m["annotations"]["io.cncf.notary.x509chain.thumbprint#S256"]
        .as_str()
        .unwrap();
    let thumbs: Vec<String> = serde_json::from_str(thumbs).unwrap();
    assert_eq!(
        thumbs,
        [supply_sig::digest::Algorithm::Sha256
            .digest(cert().der())
            .hex()]
    );
}

#[test]
fn trusted_identities_are_matched_on_the_subject() {
    let subject = Digest::parse(SUBJECT).unwrap();
    let ok = policy_with(
        "strict",
        r#""x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=supply.test""#,
    );
    check(&envelope(), &subject, &ok, &stores(), in_window()).unwrap();
    let other = policy_with(
        "strict",
        r#""x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=someone.else""#,
    );
    let err = check(&envelope(), &subject, &other, &stores(), in_window()).unwrap_err();
    assert!(matches!(err, Error::UntrustedIdentity(_)), "{err}");
    // As notation: an identity names the attributes it cares about (a subset of the
    // subject's), in any order, RFC 4514 escapes read; C, ST (or S) and O are required, no
    // attribute twice, and no identity within another of the same policy.
    for within in [
        r#""x509.subject: C=US, ST=WA, O=Notary""#,
        r#""x509.subject: O=Notary,S=WA,C=US,CN=supply.test""#,
        r#""x509.subject: C=U\\53, ST=WA, O=Notary""#,
    ] {
        check(
            &envelope(),
            &subject,
            &policy_with("strict", within),
            &stores(),
            in_window(),
        )
        .unwrap_or_else(|e| panic!("{within}: {e}"));
    }
    let narrower = policy_with(
        "strict",
        r#""x509.subject: C=US, ST=WA, O=Notary, OU=Nobody""#,
    );
    assert!(matches!(
        check(&envelope(), &subject, &narrower, &stores(), in_window()),
        Err(Error::UntrustedIdentity(_))
    ));
    for bad in [
        r#""x509.subject: O=Notary, CN=supply.test""#,
        r#""x509.subject: C=US, C=IN, ST=WA, O=Notary""#,
        r#""x509.subject: C=US, ST=WA, O=Notary+CN=x""#,
        r#""x509.subject: C=US, ST=WA, O=Notary", "x509.subject: C=US, ST=WA, O=Notary, CN=x""#,
    ] {
        let json = format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],
            "signatureVerification":{{"level":"strict"}},"trustStores":["ca:supply.test"],
            "trustedIdentities":[{bad}]}}]}}"#
        );
        assert!(
            matches!(
                TrustPolicyDocument::from_json(json.as_bytes()),
                Err(Error::InvalidPolicy(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn the_expired_certificate_is_refused_when_strict_and_reported_when_permissive() {
    let subject = Digest::parse(SUBJECT).unwrap();
    let today = Timestamp::parse_rfc3339("2026-12-02T00:00:00Z").unwrap();
    let err = check(&envelope(), &subject, &policy(), &stores(), today).unwrap_err();
    assert!(
        matches!(err, Error::CertificateNotValid { position: 0, .. }),
        "{err}"
    );
    let permissive = policy_with("permissive", r#""*""#);
    let v = check(&envelope(), &subject, &permissive, &stores(), today).unwrap();
    assert_eq!(v.reported().len(), 1);
    assert_eq!(v.reported()[0].0, Check::AuthenticTimestamp);
    // Audit enforces integrity only: an untrusted chain is reported, a bad signature is not.
    let audit = policy_with("audit", r#""*""#);
    let v = check(&envelope(), &subject, &audit, &TrustStores::new(), today).unwrap();
    assert!(v.reported().iter().any(|(c, _)| *c == Check::Authenticity));
    // Skip verifies nothing and passes nothing.
    let skip = policy_with("skip", r#""*""#);
    assert!(matches!(
        check(&envelope(), &subject, &skip, &stores(), today),
        Err(Error::Skipped(_))
    ));
}

#[test]
fn untrusted_roots_other_artifacts_and_tampering_are_refused() {
    let subject = Digest::parse(SUBJECT).unwrap();
    // No trust store, or a store with another certificate.
    let err = check(
        &envelope(),
        &subject,
        &policy(),
        &TrustStores::new(),
        in_window(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::UntrustedChain), "{err}");
    let fulcio =
        Certificate::from_pem_chain(&read("containers-image/sigstore/fulcio_v1.crt.pem")).unwrap();
    let wrong = TrustStores::new().with("ca:supply.test", fulcio);
    let err = check(&envelope(), &subject, &policy(), &wrong, in_window()).unwrap_err();
    assert!(matches!(err, Error::UntrustedChain), "{err}");
    // The signature names f5a8…, not another image.
    let other = Digest::parse(&format!("sha256:{}", "0".repeat(64))).unwrap();
    let err = check(&envelope(), &other, &policy(), &stores(), in_window()).unwrap_err();
    assert!(matches!(err, Error::WrongArtifact { .. }), "{err}");
    // One flipped byte in the signature (the envelope's last bytes).
    let mut bad = envelope();
    let n = bad.len();
    bad[n - 5] ^= 1;
    let err = check(&bad, &subject, &policy(), &stores(), in_window()).unwrap_err();
    assert!(matches!(err, Error::BadSignature(_)), "{err}");
    // Truncated and garbage envelopes are typed errors.
    for junk in [&envelope()[..100], b"\xd2\x84".as_slice(), b"".as_slice()] {
        let err = check(junk, &subject, &policy(), &stores(), in_window()).unwrap_err();
        assert!(matches!(err, Error::InvalidEnvelope { .. }), "{err}");
    }
}

#[test]
fn trust_policies_are_read_strictly() {
    for bad in [
        r#"{"version":"2.0","trustPolicies":[]}"#,
        r#"{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*","x/y"],"signatureVerification":{"level":"strict"},"trustStores":["ca:a"],"trustedIdentities":["*"]}]}"#,
        r#"{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"lenient"},"trustStores":["ca:a"],"trustedIdentities":["*"]}]}"#,
        r#"{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":[],"trustedIdentities":["*"]}]}"#,
        r#"{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:a"],"trustedIdentities":["CN=x"]}]}"#,
        r#"{"version":"1.0","version":"1.0","trustPolicies":[]}"#,
        r#"{"version":"1.0","trustPolicies":[],"extra":1}"#,
    ] {
        assert!(
            TrustPolicyDocument::from_json(bad.as_bytes()).is_err(),
            "{bad}"
        );
    }
    let scoped = r#"{"version":"1.0","trustPolicies":[
        {"name":"one","registryScopes":["reg.example/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:a"],"trustedIdentities":["*"]},
        {"name":"rest","registryScopes":["*"],"signatureVerification":{"level":"audit"},"trustStores":["ca:a"],"trustedIdentities":["*"]}]}"#;
    let doc = TrustPolicyDocument::from_json(scoped.as_bytes()).unwrap();
    assert_eq!(doc.policy_for("reg.example/app").unwrap().name(), "one");
    assert_eq!(doc.policy_for("reg.example/other").unwrap().name(), "rest");
}

/// A code-signing certificate made here (O=Supply, CN=`cn`, valid for two days) and a signer
/// with its key, in the fixed `r‖s` ECDSA encoding JWS uses.
fn code_signing(cn: &str) -> (Certificate, supply_sig::sign::KeySigner) {
    let (cert, key) = supply_testkit::tls::code_signing_identity("Supply", cn, 2);
    let cert = Certificate::from_pem(cert.as_bytes()).unwrap();
    let private =
        supply_sig::key::encoding::pem::private_key_from_pem(key.as_bytes(), None).unwrap();
    let signer = supply_sig::sign::KeySigner::with_default_scheme(&private, &RUSTCRYPTO)
        .unwrap()
        .with_fixed_encoding();
    (cert, signer)
}

/// A JWS envelope signed here with an ECDSA P-256 code-signing certificate made here.
#[test]
fn a_jws_envelope_verifies_through_the_same_checks() {
    let (cert, signer) = code_signing("jws.test");
    let subject = Digest::parse(SUBJECT).unwrap();
    let signed_at = Timestamp::from(std::time::SystemTime::now());
    let now = Timestamp::from_unix(signed_at.unix() + 5);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let make = |payload_digest: &Digest, crit: &str| {
        let protected = format!(
            r#"{{"alg":"ES256","crit":["io.cncf.notary.signingScheme"{crit}],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"{}"}}"#,
            Timestamp::from_unix(signed_at.unix()).to_rfc3339()
        );
        let payload = format!(
            r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{payload_digest}","size":345}}}}"#
        );
        let (p, b) = (url.encode(protected), url.encode(payload));
        let sig =
            supply_sig::sign::Signer::try_sign(&signer, format!("{p}.{b}").as_bytes()).unwrap();
        let x5c = base64::engine::general_purpose::STANDARD.encode(cert.der());
        format!(
            r#"{{"payload":"{b}","protected":"{p}","header":{{"x5c":["{x5c}"],"io.cncf.notary.signingAgent":"supply-test"}},"signature":"{}"}}"#,
            url.encode(sig)
        )
    };
    let stores = TrustStores::new().with("ca:jws", vec![cert.clone()]);
    let policies = TrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"jws","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:jws"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Supply, CN=jws.test"]}]}"#,
    )
    .unwrap();
    let run = |env: &str| {
        notation::verify(
            JWS_MEDIA_TYPE,
            env.as_bytes(),
            target(&subject),
            &policies,
            &stores,
            &Fetched::new(),
            now,
            &RUSTCRYPTO,
        )
    };
    let v = run(&make(&subject, "")).unwrap();
    assert_eq!((v.envelope(), v.algorithm()), ("JWS", "ES256"));
    let other = Digest::parse(&format!("sha256:{}", "1".repeat(64))).unwrap();
    assert!(matches!(
        run(&make(&other, "")),
        Err(Error::WrongArtifact { .. })
    ));
    assert!(matches!(
        run(&make(&subject, r#","io.example.unknown""#)),
        Err(Error::UnknownCritical(_))
    ));
    // The same envelope with the payload swapped after signing.
    let good = make(&subject, "");
    let forged_payload = url.encode(format!(
        r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{other}","size":345}}}}"#
    ));
    let doc: serde_json::Value = serde_json::from_str(&good).unwrap();
    let forged = good.replace(doc["payload"].as_str().unwrap(), &forged_payload);
    assert!(matches!(run(&forged), Err(Error::BadSignature(_))));
}

/// The signature manifest through `dispatch`: the notation verifier passes it for its subject.
#[test]
fn the_signature_verifier_answers_dispatch() {
    use supply_sig::verify::{dispatch, AdmissionPolicy, Attachment, Requirement, Subject};
    let manifest = blob(SIGNATURE);
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let attachment = Attachment::new(
        Digest::parse(SIGNATURE).unwrap(),
        m["config"]["mediaType"].as_str().unwrap(),
        manifest.clone(),
    )
    .with_subject(Digest::parse(SUBJECT).unwrap())
    .with_blob(COSE_MEDIA_TYPE, envelope());
    let verifier = notation::SignatureVerifier::new(policy(), stores(), REPO, &RUSTCRYPTO);
    let subject = Subject::new(Digest::parse(SUBJECT).unwrap())
        .with_media_type("application/vnd.oci.image.manifest.v1+json");
    let report = dispatch(
        &subject,
        std::slice::from_ref(&attachment),
        &[&verifier],
        in_window(),
    );
    AdmissionPolicy::new()
        .require(Requirement::passed_by(notation::SignatureVerifier::NAME))
        .evaluate(&report)
        .unwrap();
    // A week later the test certificate has expired: the strict policy fails it.
    let later = Timestamp::from_unix(in_window().unix() + 7 * 86_400);
    let report = dispatch(&subject, &[attachment], &[&verifier], later);
    assert!(!report.entries()[0].verdict().is_passed());
}

/// A `tsa` trust store in the policy asks for a verified timestamp: the envelope here has no
/// countersignature, so a strict policy refuses it (permissive only reports it), and under
/// `verifyTimestamp: afterCertExpiry` it is asked for only once the certificate has expired.
/// An unknown `verifyTimestamp` is refused. (A stamped envelope, verified both here and by
/// notation, is in supply-cli's `ambient::notation_timestamps_verify_against_the_policy_tsa_trust_store`.)
#[test]
fn a_tsa_trust_store_asks_for_a_timestamp_countersignature() {
    let subject = Digest::parse(SUBJECT).unwrap();
    let with_tsa = |level: &str, verify_timestamp: &str| {
        let json = format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],
            "signatureVerification":{{"level":"{level}"{verify_timestamp}}},
            "trustStores":["ca:supply.test","tsa:stamps"],"trustedIdentities":["*"]}}]}}"#
        );
        TrustPolicyDocument::from_json(json.as_bytes())
    };
    let stores = stores().with("tsa:stamps", vec![cert()]);
    let strict = with_tsa("strict", "").unwrap();
    let err = check(&envelope(), &subject, &strict, &stores, in_window()).unwrap_err();
    assert!(matches!(err, Error::NoTimestamp), "{err}");
    let permissive = with_tsa("permissive", "").unwrap();
    let v = check(&envelope(), &subject, &permissive, &stores, in_window()).unwrap();
    assert!(v.timestamp().is_none());
    assert!(
        matches!(
            v.reported(),
            [(Check::AuthenticTimestamp, Error::NoTimestamp)]
        ),
        "{:?}",
        v.reported()
    );
    let after_expiry = with_tsa("strict", r#","verifyTimestamp":"afterCertExpiry""#).unwrap();
    check(&envelope(), &subject, &after_expiry, &stores, in_window()).unwrap();
    let today = Timestamp::parse_rfc3339("2026-12-02T00:00:00Z").unwrap();
    let err = check(&envelope(), &subject, &after_expiry, &stores, today).unwrap_err();
    assert!(matches!(err, Error::NoTimestamp), "{err}");
    assert!(with_tsa("strict", r#","verifyTimestamp":"sometimes""#).is_err());
}

/// `notary.x509.signingAuthority` (signing services): the chain is checked against the policy's
/// `signingAuthority` trust stores (never `ca` ones, and a `notary.x509` signature never against
/// `signingAuthority` ones), and must be valid at the critical `authenticSigningTime` the
/// authority signed, not at the verification time: such a signature still verifies after the
/// leaf has expired, and one whose authentic time lies outside the leaf's validity does not.
#[test]
fn a_signing_authority_signature_is_checked_at_its_authentic_time() {
    let (cert, signer) = code_signing("sa.test");
    let subject = Digest::parse(SUBJECT).unwrap();
    let signed_at = Timestamp::from_unix(Timestamp::from(std::time::SystemTime::now()).unix());
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // (signing scheme, time header, whether that header is critical, the time)
    let make = |scheme: &str, header: &str, critical: bool, at: Timestamp| {
        let crit = if critical {
            format!(r#","{header}""#)
        } else {
            String::new()
        };
        let protected = format!(
            r#"{{"alg":"ES256","crit":["io.cncf.notary.signingScheme"{crit}],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"{scheme}","{header}":"{}"}}"#,
            at.to_rfc3339()
        );
        let payload = format!(
            r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{subject}","size":345}}}}"#
        );
        let (p, b) = (url.encode(protected), url.encode(payload));
        let sig =
            supply_sig::sign::Signer::try_sign(&signer, format!("{p}.{b}").as_bytes()).unwrap();
        let x5c = base64::engine::general_purpose::STANDARD.encode(cert.der());
        format!(
            r#"{{"payload":"{b}","protected":"{p}","header":{{"x5c":["{x5c}"]}},"signature":"{}"}}"#,
            url.encode(sig)
        )
    };
    const SA: &str = "notary.x509.signingAuthority";
    const AUTHENTIC: &str = "io.cncf.notary.authenticSigningTime";
    let policy = |store: &str| {
        TrustPolicyDocument::from_json(format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"sa","registryScopes":["*"],"signatureVerification":{{"level":"strict"}},"trustStores":["{store}"],"trustedIdentities":["*"]}}]}}"#
        ).as_bytes())
        .unwrap()
    };
    let stores = TrustStores::new()
        .with("signingAuthority:sa", vec![cert.clone()])
        .with("ca:sa", vec![cert.clone()]);
    let run = |env: &str, store: &str, now: Timestamp| {
        notation::verify(
            JWS_MEDIA_TYPE,
            env.as_bytes(),
            target(&subject),
            &policy(store),
            &stores,
            &Fetched::new(),
            now,
            &RUSTCRYPTO,
        )
    };
    let soon = Timestamp::from_unix(signed_at.unix() + 5);
    let good = make(SA, AUTHENTIC, true, signed_at);
    let v = run(&good, "signingAuthority:sa", soon).unwrap();
    assert_eq!(v.timestamp(), Some(signed_at));
    assert_eq!(v.signing_time(), Some(signed_at));
    // Ten days later the leaf has expired; the authority's time still lies in its validity.
    let later = Timestamp::from_unix(signed_at.unix() + 10 * 86_400);
    assert!(run(&good, "signingAuthority:sa", later).is_ok());
    // An authentic time a year before the leaf existed.
    let early = make(
        SA,
        AUTHENTIC,
        true,
        Timestamp::from_unix(signed_at.unix() - 365 * 86_400),
    );
    assert!(matches!(
        run(&early, "signingAuthority:sa", soon),
        Err(Error::CertificateNotValid { position: 0, .. })
    ));
    // The authentic time must be there and critical.
    assert!(matches!(
        run(
            &make(SA, AUTHENTIC, false, signed_at),
            "signingAuthority:sa",
            soon
        ),
        Err(Error::NoAuthenticSigningTime)
    ));
    assert!(matches!(
        run(
            &make(SA, "io.cncf.notary.signingTime", true, signed_at),
            "signingAuthority:sa",
            soon
        ),
        Err(Error::NoAuthenticSigningTime)
    ));
    // Trust store types follow the scheme.
    assert!(matches!(
        run(&good, "ca:sa", soon),
        Err(Error::UntrustedChain)
    ));
    let x509 = make(
        "notary.x509",
        "io.cncf.notary.signingTime",
        false,
        signed_at,
    );
    assert!(run(&x509, "ca:sa", soon).is_ok());
    assert!(matches!(
        run(&x509, "signingAuthority:sa", soon),
        Err(Error::UntrustedChain)
    ));
    // And a `notary.x509` signature is checked at `now`: expired ten days later.
    assert!(matches!(
        run(&x509, "ca:sa", later),
        Err(Error::CertificateNotValid { .. })
    ));
}

/// A JWS envelope over `subject` signed with `pki`'s leaf, carrying leaf and root.
fn chained_jws(pki: &supply_testkit::tls::CodeSigningPki, subject: &Digest) -> String {
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let std = base64::engine::general_purpose::STANDARD;
    let chain = Certificate::from_pem_chain(pki.chain_pem().as_bytes()).unwrap();
    let private =
        supply_sig::key::encoding::pem::private_key_from_pem(pki.leaf_key_pem().as_bytes(), None)
            .unwrap();
    let signer = supply_sig::sign::KeySigner::with_default_scheme(&private, &RUSTCRYPTO)
        .unwrap()
        .with_fixed_encoding();
    let protected = format!(
        r#"{{"alg":"ES256","crit":["io.cncf.notary.signingScheme"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"{}"}}"#,
        Timestamp::from_unix(Timestamp::from(std::time::SystemTime::now()).unix()).to_rfc3339()
    );
    let payload = format!(
        r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{subject}","size":345}}}}"#
    );
    let (p, b) = (url.encode(protected), url.encode(payload));
    let sig = supply_sig::sign::Signer::try_sign(&signer, format!("{p}.{b}").as_bytes()).unwrap();
    let x5c: Vec<String> = chain
        .iter()
        .map(|c| format!("\"{}\"", std.encode(c.der())))
        .collect();
    format!(
        r#"{{"payload":"{b}","protected":"{p}","header":{{"x5c":[{}]}},"signature":"{}"}}"#,
        x5c.join(","),
        url.encode(sig)
    )
}

/// Revocation: a leaf naming a CRL distribution point is checked against the CRL the caller
/// fetched. Not fetched, or listing the leaf, fails a strict policy (a permissive one
/// reports it); an `override` skips or logs the check; a CRL that does not list it passes.
#[test]
fn a_revoked_or_unchecked_signing_certificate_fails_the_revocation_check() {
    use supply_sig::revocation::Unavailable;
    use supply_testkit::tls::{CodeSigningPki, CrlEntry};
    const CRL: &str = "http://127.0.0.1:1/ca.crl";
    let pki = CodeSigningPki::new("Supply", "revocation.test", &[CRL]);
    let subject = Digest::parse(SUBJECT).unwrap();
    let env = chained_jws(&pki, &subject).into_bytes();
    let root = Certificate::from_pem(pki.root_pem().as_bytes()).unwrap();
    let stores = TrustStores::new().with("ca:rev", vec![root]);
    let policy = |level: &str, overrides: &str| {
        TrustPolicyDocument::from_json(format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"rev","registryScopes":["*"],"signatureVerification":{{"level":"{level}"{overrides}}},"trustStores":["ca:rev"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Supply, CN=revocation.test"]}}]}}"#
        ).as_bytes())
    };
    let now = Timestamp::from_unix(Timestamp::from(std::time::SystemTime::now()).unix() + 5);
    let run = |policy: &TrustPolicyDocument, crls: &Fetched| {
        notation::verify(
            JWS_MEDIA_TYPE,
            &env,
            target(&subject),
            policy,
            &stores,
            crls,
            now,
            &RUSTCRYPTO,
        )
    };
    let chain = notation::envelope_chain(JWS_MEDIA_TYPE, &env).unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(supply_sig::revocation::urls_for_chain(&chain), [CRL]);
    let strict = policy("strict", "").unwrap();
    let good = Fetched::new().with(CRL, pki.crl(1, 3600, None));
    let revoked = Fetched::new().with(
        CRL,
        pki.crl(
            2,
            3600,
            Some(CrlEntry {
                revoked_secs_ago: 10,
                reason: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_in_secs: None,
            }),
        ),
    );
    let v = run(&strict, &good).unwrap();
    assert!(v.skipped().is_empty() && v.reported().is_empty());
    let err = run(&strict, &Fetched::new()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::RevocationUnavailable {
                position: 0,
                source: Unavailable::NotFetched { .. }
            }
        ),
        "{err:?}"
    );
    let err = run(&strict, &revoked).unwrap_err();
    assert!(matches!(err, Error::Revoked { position: 0, .. }), "{err:?}");
    assert!(err.to_string().contains("KeyCompromise"), "{err}");
    // Permissive logs revocation.
    let v = run(&policy("permissive", "").unwrap(), &revoked).unwrap();
    assert!(matches!(
        v.reported(),
        [(Check::Revocation, Error::Revoked { .. })]
    ));
    // Overrides.
    let skip = policy("strict", r#","override":{"revocation":"skip"}"#).unwrap();
    let v = run(&skip, &revoked).unwrap();
    assert_eq!(v.skipped(), &[Check::Revocation]);
    let log = policy("strict", r#","override":{"revocation":"log"}"#).unwrap();
    assert_eq!(run(&log, &Fetched::new()).unwrap().reported().len(), 1);
    let enforce = policy("permissive", r#","override":{"revocation":"enforce"}"#).unwrap();
    assert!(run(&enforce, &revoked).is_err());
    for bad in [
        r#","override":{"integrity":"log"}"#,
        r#","override":{"authenticity":"skip"}"#,
        r#","override":{"revocation":"sometimes"}"#,
        r#","override":{"provenance":"log"}"#,
    ] {
        assert!(
            matches!(policy("strict", bad), Err(Error::InvalidPolicy(_))),
            "{bad}"
        );
    }
    let skip_level = TrustPolicyDocument::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"s","registryScopes":["r/x"],"signatureVerification":{"level":"skip","override":{"expiry":"log"}}}]}"#,
    );
    assert!(matches!(skip_level, Err(Error::InvalidPolicy(_))));
}
