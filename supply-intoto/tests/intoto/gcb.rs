//! Google Cloud Build provenance (`testdata/intoto/slsa-verifier/gcb`), verified as
//! slsa-verifier's `verify-image` does: the signature under GCB's global keys, builder, build
//! type, subject, source, the unsigned metadata and summary, the human-readable copy, and the
//! tag and branch; every check shown failing on an edited document. GCB's regional
//! (legacy, non-PAE) signatures are exercised with a key made here, as the test data does not
//! hold GCB's regional keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use base64::Engine as _;
use serde_json::Value;
use supply_intoto::attestation::gcb::{self, Error, GcbDocument, GcbKeys};
use supply_intoto::attestation::slsa::{BuildLevel, BuilderKind, Options};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{EcdsaEncoding, KeySigner, KeyVerifier, Signer as _, VerifyPolicy};

use crate::attestation::SV;

const V1_IMAGE: &str = "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3";
const V02_IMAGE: &str = "1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd";
const V1_SOURCE: &str = "github.com/khalkie/gcb-prod-prov";

fn verifier(pem_file: &str) -> Box<KeyVerifier> {
    let key =
        public_key_from_pem(&supply_testkit::read(&format!("{SV}/gcb/keys/{pem_file}"))).unwrap();
    let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::Der);
    Box::new(KeyVerifier::new(&key, key.default_scheme(), policy, &RUSTCRYPTO).unwrap())
}

/// GCB's global keys: v1 (google-hosted-worker) and v0.1 PAE (provenanceSigner).
fn keys(v1: bool, v01: bool) -> GcbKeys {
    let mut k = GcbKeys::new();
    if v1 {
        k.insert(
            gcb::V1_GLOBAL_KEY_ID,
            verifier("global-pae-google-hosted-worker_1.key"),
        )
        .unwrap();
    }
    if v01 {
        k.insert(
            gcb::V01_GLOBAL_KEY_ID,
            verifier("global-pae-provenanceSigner_1.key"),
        )
        .unwrap();
    }
    k
}

fn doc_json(file: &str) -> Value {
    serde_json::from_slice(&supply_testkit::read(&format!("{SV}/gcb/{file}"))).unwrap()
}

fn doc(v: &Value) -> GcbDocument {
    GcbDocument::from_json(&serde_json::to_vec(v).unwrap()).unwrap()
}

fn image(hex: &str) -> Digest {
    Digest::from_hex(Algorithm::Sha256, hex).unwrap()
}

/// `d` verified for the v1 documents' image and source, with no other expectation.
fn at_v1_image(
    d: &GcbDocument,
    keys: &GcbKeys,
) -> Result<supply_intoto::attestation::slsa::VerifiedProvenance, Error> {
    gcb::verify(d, keys, &image(V1_IMAGE), &Options::new(V1_SOURCE))
}

#[test]
fn v1_provenance_verifies_with_every_check() {
    let bytes = supply_testkit::read(&format!("{SV}/gcb/v1.0-gcloud-container-github.json"));
    assert!(gcb::is_gcb_document(&bytes));
    let d = GcbDocument::from_json(&bytes).unwrap();
    assert_eq!(d.len(), 2);
    let v = at_v1_image(&d, &keys(true, true)).unwrap();
    assert_eq!(v.builder_id(), gcb::BUILDER);
    assert_eq!(v.builder_kind(), BuilderKind::GoogleCloudBuild);
    assert_eq!(v.source_uri(), V1_SOURCE);
    assert_eq!(v.source_ref(), Some("refs/heads/main"));
    assert_eq!(v.level(), BuildLevel::L2);
    assert_eq!(
        v.statement().predicate_type(),
        "https://slsa.dev/provenance/v1"
    );
    // The same with the expected builder, branch, and the https:// and git+https:// forms.
    for source in [
        "https://github.com/khalkie/gcb-prod-prov",
        "git+https://github.com/khalkie/gcb-prod-prov",
    ] {
        let opts = Options::new(source)
            .with_builder_id(gcb::BUILDER)
            .with_source_branch("main");
        gcb::verify(&d, &keys(true, false), &image(V1_IMAGE), &opts).unwrap();
    }
    let err =
        |opts: Options| gcb::verify(&d, &keys(true, false), &image(V1_IMAGE), &opts).unwrap_err();
    assert!(matches!(
        err(Options::new("github.com/khalkie/other")),
        Error::SourceMismatch { .. }
    ));
    assert!(matches!(
        err(Options::new("github.com/khalkie/gcb-prod")),
        Error::SourceMismatch { .. }
    ));
    assert!(matches!(
        err(Options::new(V1_SOURCE).with_builder_id(format!("{}@v0.3", gcb::BUILDER))),
        Error::BuilderMismatch { .. }
    ));
    assert!(matches!(
        err(Options::new(V1_SOURCE)
            .with_builder_id("https://github.com/o/r/.github/workflows/b.yml")),
        Error::BuilderMismatch { .. }
    ));
    assert!(matches!(
        err(Options::new(V1_SOURCE).with_source_branch("master")),
        Error::Ref(supply_intoto::attestation::slsa::Error::BranchMismatch { .. })
    ));
    // A branch build has no tag.
    assert!(matches!(
        err(Options::new(V1_SOURCE).with_source_tag("v1.0.0")),
        Error::NoRef { what: "tag" }
    ));
    assert!(matches!(
        err(Options::new(V1_SOURCE).with_source_versioned_tag("v1")),
        Error::NoRef { what: "tag" }
    ));
    assert!(matches!(err(Options::new("")), Error::ConfigEmptySource));
    // Another image.
    assert!(matches!(
        gcb::verify(
            &d,
            &keys(true, true),
            &image(V02_IMAGE),
            &Options::new(V1_SOURCE)
        ),
        Err(Error::DigestMismatch { .. })
    ));
    assert!(matches!(
        gcb::verify(
            &d,
            &keys(true, true),
            &Algorithm::Sha512.digest(b"x"),
            &Options::new(V1_SOURCE)
        ),
        Err(Error::NotSha256 { .. })
    ));
}

#[test]
fn v01_provenance_under_the_pae_key_verifies() {
    // Only the v0.1 key: the second entry (builder GoogleHostedWorker@v0.3) is the one.
    let d = doc(&doc_json("v1.0-gcloud-container-github.json"));
    let v = at_v1_image(&d, &keys(false, true)).unwrap();
    assert_eq!(
        v.builder_id(),
        "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3"
    );
    assert_eq!(v.statement().predicate_type(), gcb::PROVENANCE_V01);
    assert_eq!(v.source_ref(), Some("refs/heads/main"));
    let opts = Options::new(V1_SOURCE)
        .with_builder_id("https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3")
        .with_source_branch("main");
    gcb::verify(&d, &keys(false, true), &image(V1_IMAGE), &opts).unwrap();
    assert!(matches!(
        gcb::verify(
            &d,
            &keys(false, true),
            &image(V1_IMAGE),
            &Options::new(V1_SOURCE)
                .with_builder_id("https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2")
        ),
        Err(Error::BuilderMismatch { .. })
    ));
    // In the "-v1.0-valid" document the v0.1 entry's payload is not JSON: nothing verifies
    // under the v0.1 key alone, while the v1 entry still does under its key.
    let d = doc(&doc_json("v1.0-gcloud-container-github-v1.0-valid.json"));
    assert!(matches!(
        at_v1_image(&d, &keys(false, true)),
        Err(Error::NoValidSignature {
            entries: 2,
            tried: 1
        })
    ));
    at_v1_image(&d, &keys(true, false)).unwrap();
}

#[test]
fn unsigned_parts_must_agree_with_the_signed_statement() {
    let base = doc_json("v1.0-gcloud-container-github.json");
    let check = |edit: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        edit(&mut v);
        gcb::verify(
            &doc(&v),
            &keys(true, true),
            &image(V1_IMAGE),
            &Options::new(V1_SOURCE),
        )
    };
    assert!(check(&|_| {}).is_ok());
    let e = check(&|v| v["provenance_summary"]["provenance"][0]["kind"] = "ATTESTATION".into());
    assert_eq!(metadata_field(&e), Some("kind"), "{e:?}");
    let e = check(&|v| {
        v["provenance_summary"]["provenance"][0]["resourceUri"] =
            format!("https://x/y@sha256:{V02_IMAGE}").into();
    });
    assert_eq!(metadata_field(&e), Some("resourceUri"), "{e:?}");
    let e = check(&|v| v["image_summary"]["digest"] = format!("sha256:{V02_IMAGE}").into());
    assert_eq!(metadata_field(&e), Some("image_summary.digest"), "{e:?}");
    let e = check(&|v| {
        v["image_summary"]["fully_qualified_digest"] = format!("r/i@sha256:{V02_IMAGE}").into();
    });
    assert_eq!(
        metadata_field(&e),
        Some("image_summary.fully_qualified_digest"),
        "{e:?}"
    );
    // The human-readable copy says another builder, subject or source.
    let e = check(&|v| {
        text(v)["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example".into();
    });
    assert!(
        matches!(e, Err(Error::TextMismatch { field: "predicate" })),
        "{e:?}"
    );
    let e = check(&|v| text(v)["subject"][0]["name"] = "other".into());
    assert!(
        matches!(e, Err(Error::TextMismatch { field: "subject" })),
        "{e:?}"
    );
    let e = check(&|v| {
        text(v).as_object_mut().unwrap().remove("predicate");
    });
    assert!(
        matches!(e, Err(Error::TextMismatch { field: "predicate" })),
        "{e:?}"
    );
    let e = check(&|v| {
        v["provenance_summary"]["provenance"][0]["build"]
            .as_object_mut()
            .unwrap()
            .remove("inTotoSlsaProvenanceV1");
    });
    assert!(
        matches!(e, Err(Error::TextMismatch { field: "statement" })),
        "{e:?}"
    );
    // A flipped payload byte: the v1 entry no longer verifies, and the v0.1 entry is not
    // trusted by the v1 key.
    let mut v = base.clone();
    let p = &mut v["provenance_summary"]["provenance"][0]["envelope"]["payload"];
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(p.as_str().unwrap())
        .unwrap();
    raw[10] ^= 1;
    *p = base64::engine::general_purpose::STANDARD
        .encode(&raw)
        .into();
    assert!(matches!(
        gcb::verify(
            &doc(&v),
            &keys(true, false),
            &image(V1_IMAGE),
            &Options::new(V1_SOURCE)
        ),
        Err(Error::NoValidSignature { tried: 1, .. })
    ));
    // A duplicate key is refused by the strict reader.
    let dup = br#"{"provenance_summary": {"provenance": []}, "provenance_summary": {}}"#;
    assert!(matches!(GcbDocument::from_json(dup), Err(Error::Parse(_))));
    assert!(matches!(
        GcbDocument::from_json(br#"{"image_summary": {}}"#),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn v02_documents_need_the_builtbygcb_key() {
    // Signed by GCB's global builtByGCB key, which the test data does not hold: nothing
    // verifies under the PAE keys, so the broken signature of the second is refused too.
    for f in [
        "gcloud-container-github.json",
        "gcloud-container-invalid-signature.json",
    ] {
        let d = doc(&doc_json(f));
        assert!(
            matches!(
                gcb::verify(
                    &d,
                    &keys(true, true),
                    &image(V02_IMAGE),
                    &Options::new("github.com/laurentsimon/gcb-tests")
                ),
                Err(Error::NoValidSignature {
                    entries: 1,
                    tried: 0
                })
            ),
            "{f}"
        );
    }
}

/// GCB's legacy regional form (the signature over the payload bytes, not the PAE), with a key
/// made here standing in for GCB's us-west2 key: the v0.2 document re-signed verifies with
/// every v0.2 rule (the `/commit/SHA` source form, recipe type = builder id), and the same
/// signature named as a PAE key does not.
#[test]
fn regional_legacy_signatures() {
    let regional = "projects/verified-builder/locations/us-west2/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1";
    let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&k, &RUSTCRYPTO).unwrap();
    let mut v = doc_json("gcloud-container-github.json");
    let env = &mut v["provenance_summary"]["provenance"][0]["envelope"];
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    let sig = signer.try_sign(&payload).unwrap();
    env["signatures"] = serde_json::json!([{
        "keyid": regional,
        "sig": base64::engine::general_purpose::URL_SAFE.encode(&sig),
    }]);
    let trusted = |name: &str| {
        let mut keys = GcbKeys::new();
        let policy = VerifyPolicy::default().with_ecdsa_encoding(EcdsaEncoding::Der);
        let kv = KeyVerifier::new(k.public_key(), signer.scheme(), policy, &RUSTCRYPTO).unwrap();
        keys.insert(name, Box::new(kv)).unwrap();
        keys
    };
    let d = doc(&v);
    let src = "github.com/laurentsimon/gcb-tests";
    let ok = gcb::verify(
        &d,
        &trusted(regional),
        &image(V02_IMAGE),
        &Options::new(src),
    )
    .unwrap();
    assert_eq!(
        ok.builder_id(),
        "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2"
    );
    // v0.2 sources are `…/commit/SHA`: a repository that only shares the prefix is refused.
    assert!(matches!(
        gcb::verify(
            &d,
            &trusted(regional),
            &image(V02_IMAGE),
            &Options::new("github.com/laurentsimon/gcb")
        ),
        Err(Error::SourceMismatch { .. })
    ));
    // The tag comes from the TAG_NAME substitution.
    let tag = d_tag(&v);
    match tag {
        Some(t) => {
            gcb::verify(
                &d,
                &trusted(regional),
                &image(V02_IMAGE),
                &Options::new(src).with_source_tag(&t),
            )
            .unwrap();
            assert!(matches!(
                gcb::verify(
                    &d,
                    &trusted(regional),
                    &image(V02_IMAGE),
                    &Options::new(src).with_source_tag("v0.0.0-not")
                ),
                Err(Error::Ref(_))
            ));
        }
        None => assert!(matches!(
            gcb::verify(
                &d,
                &trusted(regional),
                &image(V02_IMAGE),
                &Options::new(src).with_source_tag("v1")
            ),
            Err(Error::NoRef { what: "tag" })
        )),
    }
    // The same signature is not a PAE signature.
    let mut as_pae = v.clone();
    as_pae["provenance_summary"]["provenance"][0]["envelope"]["signatures"][0]["keyid"] =
        gcb::V01_GLOBAL_KEY_ID.into();
    assert!(matches!(
        gcb::verify(
            &doc(&as_pae),
            &trusted(gcb::V01_GLOBAL_KEY_ID),
            &image(V02_IMAGE),
            &Options::new(src)
        ),
        Err(Error::NoValidSignature { tried: 1, .. })
    ));
    // A key under a name of no known form is refused up front.
    let mut keys = GcbKeys::new();
    let kv = KeyVerifier::new(
        k.public_key(),
        signer.scheme(),
        VerifyPolicy::default(),
        &RUSTCRYPTO,
    )
    .unwrap();
    assert!(keys.insert("projects/x/keys/y", Box::new(kv)).is_err());
}

/// The field an [`Error::Metadata`] names.
fn metadata_field<T>(r: &Result<T, Error>) -> Option<&'static str> {
    match r {
        Err(Error::Metadata { field, .. }) => Some(field),
        _ => None,
    }
}

/// The human-readable v1 statement of the first entry.
fn text(v: &mut Value) -> &mut Value {
    &mut v["provenance_summary"]["provenance"][0]["build"]["inTotoSlsaProvenanceV1"]
}

/// The TAG_NAME substitution of the v0.2 document, if it has one.
fn d_tag(v: &Value) -> Option<String> {
    let payload = base64::engine::general_purpose::STANDARD
        .decode(v["provenance_summary"]["provenance"][0]["envelope"]["payload"].as_str()?)
        .ok()?;
    let st: Value = serde_json::from_slice(&payload).ok()?;
    st["predicate"]["recipe"]["arguments"]["substitutions"]["TAG_NAME"]
        .as_str()
        .map(str::to_owned)
}
