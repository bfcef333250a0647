//! cosign image signatures: containers/image's real signatures (keyed, keyed + Rekor, keyless
//! with Fulcio + Rekor, negatives) and the `.sig` tag cosign 2.5 wrote for `generated/`.

use std::collections::BTreeMap;

use base64::Engine as _;
use supply_oci::cosign::{self, Error, Signature, SimpleSigning};
use supply_oci::{Digest, Manifest};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::Algorithm;
use supply_sig::key::PublicKey;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::Policy;
use supply_sig::time::Timestamp;

use crate::{json, oci, read};

const SIGSTORE: &str = "containers-image/sigstore";

/// A containers/image `dir:` signature file: `\0sigstore-json\n` + `{mimeType, payload,
/// annotations}`, read into the `.sig` layer it stands for.
fn containers_signature(rel: &str) -> Result<Signature, Error> {
    let bytes = read(&format!("{SIGSTORE}/{rel}"));
    let json = bytes.strip_prefix(b"\x00sigstore-json\n").expect("prefix");
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(doc["payload"].as_str().unwrap())
        .unwrap();
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(doc["annotations"].clone()).unwrap();
    Signature::from_layer(doc["mimeType"].as_str().unwrap(), &annotations, &payload)
}

fn image_digest(dir: &str) -> Option<Digest> {
    let raw = std::fs::read(oci(&format!("{SIGSTORE}/{dir}/manifest.json"))).ok()?;
    Manifest::parse(raw, None).ok().map(|m| m.digest())
}

fn pem_key(rel: &str) -> PublicKey {
    supply_sig::key::encoding::pem::public_key_from_pem(&read(&format!("{SIGSTORE}/{rel}")))
        .unwrap()
}

/// A trusted root with the given Fulcio CA chain (PEM, root last) and Rekor key, valid from
/// 2021: containers/image's fixtures come as loose keys and certificates.
fn trusted_root(ca_pem: Option<&str>, rekor_pub: Option<&str>) -> TrustedRoot {
    let std = base64::engine::general_purpose::STANDARD;
    let mut root = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [], "certificateAuthorities": [], "ctlogs": [], "timestampAuthorities": [],
    });
    if let Some(rel) = rekor_pub {
        let key = pem_key(rel);
        root["tlogs"] = serde_json::json!([{
            "baseUrl": "https://rekor.sigstore.dev",
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": std.encode(key.spki_der()),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2021-01-01T00:00:00Z"},
            },
            "logId": {"keyId": std.encode(key.fingerprint().as_bytes())},
        }]);
    }
    if let Some(rel) = ca_pem {
        let certs =
            supply_sig::x509::Certificate::from_pem_chain(&read(&format!("{SIGSTORE}/{rel}")))
                .unwrap();
        let chain: Vec<_> = certs
            .iter()
            .map(|c| serde_json::json!({"rawBytes": std.encode(c.der())}))
            .collect();
        root["certificateAuthorities"] = serde_json::json!([{
            "subject": {"organization": "sigstore.dev", "commonName": "sigstore"},
            "uri": "https://fulcio.sigstore.dev",
            "certChain": {"certificates": chain},
            "validFor": {"start": "2021-01-01T00:00:00Z"},
        }]);
    }
    TrustedRoot::from_json(&serde_json::to_vec(&root).unwrap(), &RUSTCRYPTO).unwrap()
}

fn keyed_policy() -> Policy {
    Policy::public_key(pem_key("cosign.pub"))
        .insecure_ignore_tlog()
        .insecure_caller_time(Timestamp::from_unix(1_700_000_000))
        .unwrap()
}

fn verify_in(dir: &str, sig: &str, policy: &Policy, root: &TrustedRoot) -> Result<(), Error> {
    let signature = containers_signature(&format!("{dir}/{sig}"))?;
    let image = image_digest(dir).ok_or(Error::InvalidPayload(None))?;
    cosign::verify(&signature, &image, policy, root, &RUSTCRYPTO).map(|v| {
        assert_eq!(v.payload().manifest_digest(), &image);
    })
}

#[test]
fn keyed_signatures_verify_with_their_key_only() {
    let empty = trusted_root(None, None);
    for (dir, sig) in [
        ("dir-img-cosign-valid", "signature-1"),
        ("dir-img-cosign-valid-2", "signature-1"),
        ("dir-img-cosign-valid-2", "signature-2"),
        ("dir-img-cosign-valid-with-tag", "signature-1"),
        ("dir-img-cosign-mixed", "signature-2"),
    ] {
        verify_in(dir, sig, &keyed_policy(), &empty).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let other = Policy::public_key(pem_key("cosign2.pub"))
            .insecure_ignore_tlog()
            .insecure_caller_time(Timestamp::from_unix(1_700_000_000))
            .unwrap();
        let err = verify_in(dir, sig, &other, &empty).unwrap_err();
        assert!(matches!(err, Error::Verification(_)), "{dir}: {err}");
    }
    let tagged = containers_signature("dir-img-cosign-valid-with-tag/signature-1").unwrap();
    let payload = SimpleSigning::from_bytes(tagged.payload()).unwrap();
    assert_eq!(
        payload.docker_reference(),
        "192.168.64.2:5000/skopeo-signed:tag"
    );
}

#[test]
fn a_keyed_signature_needs_a_log_entry_unless_told_otherwise() {
    let empty = trusted_root(None, None);
    let strict = Policy::public_key(pem_key("cosign.pub"));
    let err = verify_in("dir-img-cosign-valid", "signature-1", &strict, &empty).unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err}");
}

#[test]
fn keyed_with_rekor_checks_the_set_and_the_logged_body() {
    let root = trusted_root(None, Some("rekor.pub"));
    // expected.json says "verify with cosign.pub", but the logged body names the key of
    // cosign2.pub (as containers/image's own test uses): the signature verifies with that key
    // only, and with cosign.pub it is refused.
    let refused = Policy::public_key(pem_key("cosign.pub"));
    let policy = Policy::public_key(pem_key("cosign2.pub"));
    let signature = containers_signature("dir-img-cosign-key-rekor-valid/signature-1").unwrap();
    let image = image_digest("dir-img-cosign-key-rekor-valid").unwrap();
    assert!(cosign::verify(&signature, &image, &refused, &root, &RUSTCRYPTO).is_err());
    let verified = cosign::verify(&signature, &image, &policy, &root, &RUSTCRYPTO).unwrap();
    assert_eq!(
        verified.signed_times(),
        &[Timestamp::from_unix(
            signature.rekor().unwrap().payload.integrated_time
        )]
    );
    // Without Rekor's key the SET cannot be checked, so the signature is refused.
    let err = cosign::verify(
        &signature,
        &image,
        &policy,
        &trusted_root(None, None),
        &RUSTCRYPTO,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err}");
    // A forged SET (one byte changed in the logged time) is refused.
    let mut annotations = signature.annotations();
    let forged = annotations[cosign::BUNDLE_ANNOTATION].replace(
        &format!(
            "\"integratedTime\":{}",
            signature.rekor().unwrap().payload.integrated_time
        ),
        &format!(
            "\"integratedTime\":{}",
            signature.rekor().unwrap().payload.integrated_time + 1
        ),
    );
    annotations.insert(cosign::BUNDLE_ANNOTATION.into(), forged);
    let forged = Signature::from_layer(
        cosign::SIMPLE_SIGNING_MEDIA_TYPE,
        &annotations,
        signature.payload(),
    )
    .unwrap();
    assert!(cosign::verify(&forged, &image, &policy, &root, &RUSTCRYPTO).is_err());
}

#[test]
fn keyless_verifies_the_fulcio_chain_at_the_logged_time_and_the_identity() {
    // The chain annotation is not trusted material (as in a Sigstore bundle): the trusted root
    // holds the public-good intermediate and root (`fulcio-chain`; `fulcio_v1.crt.pem` alone is
    // the root, one level short of the leaf's issuer).
    let root = trusted_root(Some("fulcio-chain"), Some("rekor.pub"));
    assert!(cosign::verify(
        &containers_signature("dir-img-cosign-fulcio-rekor-valid/signature-1").unwrap(),
        &image_digest("dir-img-cosign-fulcio-rekor-valid").unwrap(),
        &Policy::identity("mitr@redhat.com", "https://github.com/login/oauth")
            .insecure_ignore_sct(),
        &trusted_root(Some("fulcio_v1.crt.pem"), Some("rekor.pub")),
        &RUSTCRYPTO,
    )
    .is_err());
    let policy =
        Policy::identity("mitr@redhat.com", "https://github.com/login/oauth").insecure_ignore_sct();
    let dir = "dir-img-cosign-fulcio-rekor-valid";
    let signature = containers_signature(&format!("{dir}/signature-1")).unwrap();
    let image = image_digest(dir).unwrap();
    let verified = cosign::verify(&signature, &image, &policy, &root, &RUSTCRYPTO)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(verified.identity().is_some());
    let someone_else = Policy::identity("someone@example.com", "https://github.com/login/oauth")
        .insecure_ignore_sct();
    assert!(cosign::verify(&signature, &image, &someone_else, &root, &RUSTCRYPTO).is_err());
    // No Fulcio CA: nothing vouches for the certificate.
    let no_ca = trusted_root(None, Some("rekor.pub"));
    assert!(cosign::verify(&signature, &image, &policy, &no_ca, &RUSTCRYPTO).is_err());
}

#[test]
fn negatives_are_refused() {
    let empty = trusted_root(None, None);
    // Another key signed it.
    let err = verify_in(
        "dir-img-cosign-mixed",
        "signature-1",
        &keyed_policy(),
        &empty,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err}");
    // The manifest was modified after signing: the signature is good, the digest is not.
    let err = verify_in(
        "dir-img-cosign-modified-manifest",
        "signature-1",
        &keyed_policy(),
        &empty,
    )
    .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    // A broken schema1 manifest has no digest; no manifest at all is the same.
    assert!(image_digest("dir-img-cosign-manifest-digest-error").is_none());
    assert!(image_digest("dir-img-cosign-no-manifest").is_none());
    // Not a signature at all.
    let err = containers_signature("dir-img-cosign-other-attachment/signature-1").unwrap_err();
    assert!(matches!(err, Error::NotASignature(t) if t == "text/plain"));
    // unknown-cosign-key.signature against an image it names.
    let sig = containers_signature("unknown-cosign-key.signature").unwrap();
    let payload = SimpleSigning::from_bytes(sig.payload()).unwrap();
    let err = cosign::verify(
        &sig,
        payload.manifest_digest(),
        &keyed_policy(),
        &empty,
        &RUSTCRYPTO,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err}");
}

#[test]
fn expected_json_verdicts_hold_for_every_keyed_case() {
    // Every entry whose expected verdict mentions the keyed key is checked above; here the table
    // itself is walked so that a new keyed entry cannot go untested.
    let empty = trusted_root(None, None);
    let cases = json(&format!("{SIGSTORE}/expected.json"));
    let mut checked = 0;
    for case in cases.as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let keys = case["annotationKeys"].as_array().unwrap();
        let keyed_only = keys.len() == 1;
        let Some((dir, sig)) = file.split_once('/') else {
            continue;
        };
        if !keyed_only || case["mimeType"] != cosign::SIMPLE_SIGNING_MEDIA_TYPE {
            continue;
        }
        let expected = case["expected"].as_str().unwrap();
        let accept = match (dir, sig) {
            ("dir-img-cosign-mixed", "signature-1") => false,
            ("dir-img-cosign-mixed", _) => true,
            _ => expected.starts_with("accept"),
        };
        let got = verify_in(dir, sig, &keyed_policy(), &empty);
        assert_eq!(got.is_ok(), accept, "{file}: {expected} vs {got:?}");
        checked += 1;
    }
    assert!(checked >= 7, "{checked}");
}

/// The `.sig` manifest cosign 2.5 pushed for `generated/`'s subject, read from the registry dump.
#[test]
fn cosign_2_sig_tag_from_the_registry_verifies() {
    let layout = supply_oci::Layout::open(oci("generated/layout-registry-fallback")).unwrap();
    let subject =
        Digest::parse("sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b")
            .unwrap();
    let tag = cosign::signature_tag(&subject);
    let desc = layout.resolve(&tag).unwrap();
    let manifest = layout.read_manifest(&desc).unwrap();
    let image = manifest.document().as_manifest().unwrap();
    assert_eq!(image.layers.len(), 1);
    let layer = &image.layers[0];
    let payload = layout.read_blob(layer).unwrap();
    let annotations = layer.annotations.clone().unwrap_or_default();
    let signature = Signature::from_layer(&layer.media_type, &annotations, &payload).unwrap();
    let policy = Policy::public_key(
        supply_sig::key::encoding::pem::public_key_from_pem(&read("generated/keys/cosign.pub"))
            .unwrap(),
    )
    .insecure_ignore_tlog()
    .insecure_caller_time(Timestamp::from_unix(1_800_000_000))
    .unwrap();
    let verified = cosign::verify(
        &signature,
        &subject,
        &policy,
        &trusted_root(None, None),
        &RUSTCRYPTO,
    )
    .unwrap();
    assert_eq!(
        verified.payload().optional().get("test"),
        Some(&serde_json::Value::String("supply".into()))
    );
    // The same signature does not vouch for another image.
    let other = Digest::parse(&format!("sha256:{}", "0".repeat(64))).unwrap();
    let err = cosign::verify(
        &signature,
        &other,
        &policy,
        &trusted_root(None, None),
        &RUSTCRYPTO,
    )
    .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
}

#[test]
fn the_tags_are_cosigns() {
    let d = Digest::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
    assert_eq!(
        cosign::signature_tag(&d),
        format!("sha256-{}.sig", "ab".repeat(32))
    );
    assert_eq!(
        cosign::attestation_tag(&d),
        format!("sha256-{}.att", "ab".repeat(32))
    );
}

#[test]
fn payloads_round_trip_and_refuse_other_types() {
    let d = Digest::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
    let mut optional = BTreeMap::new();
    optional.insert("a".to_owned(), "b".to_owned());
    let p = SimpleSigning::new("example.com/app", d, optional);
    let back = SimpleSigning::from_bytes(p.raw()).unwrap();
    assert_eq!(back, p);
    let other = String::from_utf8(p.raw().to_vec())
        .unwrap()
        .replace(cosign::SIGNATURE_TYPE, "atomic container signature");
    assert!(matches!(
        SimpleSigning::from_bytes(other.as_bytes()),
        Err(Error::WrongType(_))
    ));
    let dup = br#"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"sha256:00"},"type":"x","type":"y"}}"#;
    assert!(matches!(
        SimpleSigning::from_bytes(dup),
        Err(Error::InvalidPayload(_))
    ));
}

/// The `.sig` manifest goes through the engine's dispatch as an attachment found by its derived
/// tag; a policy requiring a cosign signature by the key admits the image, by another key not.
#[test]
fn the_signature_verifier_answers_dispatch() {
    use std::sync::Arc;
    use supply_sig::verify::{
        dispatch, AdmissionPolicy, Attachment, Requirement, Signer, Source, Subject,
    };
    let layout = supply_oci::Layout::open(oci("generated/layout-registry-fallback")).unwrap();
    let subject =
        Digest::parse("sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b")
            .unwrap();
    let tag = cosign::signature_tag(&subject);
    let manifest = layout
        .read_manifest(&layout.resolve(&tag).unwrap())
        .unwrap();
    let mut attachment = Attachment::new(
        manifest.digest(),
        manifest.document().artifact_type().unwrap_or_default(),
        manifest.raw().to_vec(),
    )
    .with_source(Source::DerivedTag(tag));
    for layer in &manifest.document().as_manifest().unwrap().layers {
        attachment = attachment.with_annotated_blob(
            layer.media_type.clone(),
            layer.annotations.clone().unwrap_or_default(),
            layout.read_blob(layer).unwrap(),
        );
    }
    let key =
        supply_sig::key::encoding::pem::public_key_from_pem(&read("generated/keys/cosign.pub"))
            .unwrap();
    let now = Timestamp::from_unix(1_800_000_000);
    let verifier = cosign::SignatureVerifier::new(
        Policy::public_key(key.clone())
            .insecure_ignore_tlog()
            .insecure_caller_time(now)
            .unwrap(),
        Arc::new(trusted_root(None, None)),
        &RUSTCRYPTO,
    );
    let report = dispatch(
        &Subject::new(subject),
        &[attachment.clone()],
        &[&verifier],
        now,
    );
    let by_key = Requirement::passed_by(cosign::SignatureVerifier::NAME).signed_by(Signer::Key {
        key_id: key.key_id().as_str().to_owned(),
    });
    let admitted = AdmissionPolicy::new()
        .require(by_key)
        .evaluate(&report)
        .unwrap();
    assert_eq!(
        admitted.evidence()[0].facts()["docker-reference"],
        "127.0.0.1:46399/test/subject"
    );

    let other = cosign::SignatureVerifier::new(
        keyed_policy(),
        Arc::new(trusted_root(None, None)),
        &RUSTCRYPTO,
    );
    let report = dispatch(&Subject::new(subject), &[attachment], &[&other], now);
    assert!(!report.entries()[0].verdict().is_passed());
    assert!(AdmissionPolicy::new()
        .require(Requirement::passed_by(cosign::SignatureVerifier::NAME))
        .evaluate(&report)
        .is_err());
}

/// We sign with cosign's own key file (encrypted, empty password) and build the `.sig`
/// manifest; its layers read back into signatures that verify with the public key.
#[test]
fn signing_builds_a_sig_manifest_that_verifies() {
    let key = supply_sig::key::encoding::cosign::decrypt(&read("generated/keys/cosign.key"), b"")
        .unwrap();
    let signer = supply_sig::sign::KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let image = Digest::parse(&format!("sha256:{}", "cd".repeat(32))).unwrap();
    let payload = SimpleSigning::new("registry.example/app", image, BTreeMap::new());
    let first = cosign::sign(&payload, &signer).unwrap();
    let mut optional = BTreeMap::new();
    optional.insert("build".to_owned(), "2".to_owned());
    let second_payload = SimpleSigning::new("registry.example/app", image, optional);
    let second = cosign::sign(&second_payload, &signer).unwrap();
    // The same signature twice is one layer; another signature is appended.
    let built = cosign::signature_image(&[first.clone(), first.clone(), second.clone()]).unwrap();
    let doc = built.manifest.document().as_manifest().unwrap();
    assert_eq!(doc.layers.len(), 2);
    assert_eq!(
        doc.config.media_type,
        "application/vnd.oci.image.config.v1+json"
    );
    let config: serde_json::Value = serde_json::from_slice(&built.config.1).unwrap();
    assert_eq!(
        config["rootfs"]["diff_ids"][0],
        built.layers[0].0.digest.to_string()
    );
    let policy = Policy::public_key(
        supply_sig::key::encoding::pem::public_key_from_pem(&read("generated/keys/cosign.pub"))
            .unwrap(),
    )
    .insecure_ignore_tlog()
    .insecure_caller_time(Timestamp::from_unix(1_800_000_000))
    .unwrap();
    for (desc, bytes) in &built.layers {
        assert!(desc.matches(bytes));
        let sig =
            Signature::from_layer(&desc.media_type, desc.annotations.as_ref().unwrap(), bytes)
                .unwrap();
        cosign::verify(
            &sig,
            &image,
            &policy,
            &trusted_root(None, None),
            &RUSTCRYPTO,
        )
        .unwrap();
    }
    // The manifest passes the image-spec validation we apply to what we read.
    supply_oci::validate::validate(
        "application/vnd.oci.image.manifest.v1+json",
        built.manifest.raw(),
    )
    .unwrap();
}

/// `Signature::from_bundle` is the inverse of `to_bundle`: cosign's real keyless (Fulcio +
/// Rekor) and keyed + Rekor signatures come back with the same layer annotations; a bundle
/// over another payload, or a DSSE bundle, is refused.
#[test]
fn sig_layers_round_trip_through_bundles() {
    for rel in [
        "dir-img-cosign-fulcio-rekor-valid/signature-1",
        "dir-img-cosign-key-rekor-valid/signature-1",
    ] {
        let sig = containers_signature(rel).unwrap();
        let payload = SimpleSigning::from_bytes(sig.payload()).unwrap();
        let bundle = sig.to_bundle().unwrap();
        let back = Signature::from_bundle(&payload, &bundle).unwrap();
        assert_eq!(back.annotations(), sig.annotations(), "{rel}");
        assert_eq!(back.payload(), sig.payload(), "{rel}");
        assert!(back.rekor().is_some(), "{rel}");

        let other = SimpleSigning::new(
            "example.com/other",
            Algorithm::Sha256.digest(b"other"),
            BTreeMap::new(),
        );
        assert!(
            matches!(
                Signature::from_bundle(&other, &bundle),
                Err(Error::NotASigBundle(_))
            ),
            "{rel}: a bundle over another payload"
        );
    }
    let dsse = supply_sig::sigstore::bundle::Bundle::from_json(
        &std::fs::read(supply_testkit::testdata(
            "sigstore/sigstore-go/bundles/dsse.sigstore.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let payload = SimpleSigning::new(
        "example.com/x",
        Algorithm::Sha256.digest(b"x"),
        BTreeMap::new(),
    );
    assert!(matches!(
        Signature::from_bundle(&payload, &dsse),
        Err(Error::NotASigBundle(_))
    ));
}
