//! image-spec v1.1.1: the 65 upstream validation cases, the spec examples and the Docker Hub
//! back-compat documents.

use supply_oci::manifest::{Kind, Manifest};
use supply_oci::validate::{self, Rule};
use supply_oci::{media_type, Algorithm, Digest};

use crate::{json, read};

const DIR: &str = "image-spec-v1.1.1";

#[test]
fn every_upstream_case_has_its_expected_outcome() {
    let cases = json(&format!("{DIR}/cases.json"));
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 65);
    let (mut valid, mut invalid) = (0, 0);
    for c in cases {
        let file = c["file"].as_str().unwrap();
        let mt = c["mediaType"].as_str().unwrap();
        let expect_valid = c["expect"] == "valid";
        let got = validate::validate(mt, &read(&format!("{DIR}/{file}")));
        assert_eq!(got.is_ok(), expect_valid, "{file}: {got:?}");
        if expect_valid {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    assert_eq!((valid, invalid), (26, 39));
}

fn rule_of(file: &str, mt: &str) -> Rule {
    match validate::validate(mt, &read(&format!("{DIR}/cases/{file}"))) {
        Err(validate::Error::Invalid { rule, .. }) => rule,
        other => panic!("{file}: {other:?}"),
    }
}

/// The four cases plain JSON-Schema validation gets wrong fail for the right reason.
#[test]
fn the_checks_the_schemas_miss() {
    assert_eq!(
        rule_of("descriptor-15-invalid.json", media_type::OCI_DESCRIPTOR),
        Rule::DigestEncoding
    );
    assert_eq!(
        rule_of("descriptor-17-invalid.json", media_type::OCI_DESCRIPTOR),
        Rule::Uri
    );
    assert_eq!(
        rule_of("descriptor-29-invalid.json", media_type::OCI_DESCRIPTOR),
        Rule::Base64
    );
    assert_eq!(
        rule_of("config-10-invalid.json", media_type::OCI_CONFIG),
        Rule::Env
    );
    assert_eq!(
        rule_of("manifest-06-invalid.json", media_type::OCI_MANIFEST),
        Rule::Empty
    );
}

#[test]
fn data_must_match_size_and_digest() {
    let base = r#"{"mediaType":"text/plain","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":SIZE,"data":"DATA"}"#;
    let doc = |size: &str, data: &str| base.replace("SIZE", size).replace("DATA", data);
    assert!(validate::validate(media_type::OCI_DESCRIPTOR, doc("2", "e30=").as_bytes()).is_ok());
    let err = |s: String| match validate::validate(media_type::OCI_DESCRIPTOR, s.as_bytes()) {
        Err(validate::Error::Invalid { rule, .. }) => rule,
        other => panic!("{other:?}"),
    };
    assert_eq!(err(doc("3", "e30=")), Rule::DataSize);
    assert_eq!(err(doc("1", "YQ==")), Rule::DataDigest);
    assert_eq!(err(doc("2", "e31=")), Rule::Base64);
    assert_eq!(err(doc("2", "e30")), Rule::Base64);
}

#[test]
fn duplicate_keys_and_oversize_documents_are_refused() {
    let dup = br#"{"schemaVersion":2,"manifests":[],"schemaVersion":2}"#;
    assert!(matches!(
        validate::validate(media_type::OCI_INDEX, dup),
        Err(validate::Error::Json(_))
    ));
    assert!(matches!(
        Manifest::parse(dup.to_vec(), None),
        Err(supply_oci::manifest::Error::Json(_))
    ));
    let mut big = br#"{"schemaVersion":2,"manifests":[],"x":""#.to_vec();
    big.resize(supply_oci::limits::MAX_MANIFEST_LEN + 1, b'a');
    big.extend_from_slice(b"\"}");
    assert!(matches!(
        Manifest::parse(big, None),
        Err(supply_oci::manifest::Error::LimitExceeded(_))
    ));
}

#[test]
fn unknown_digest_algorithms_validate_but_do_not_fit_the_model() {
    let raw = read(&format!("{DIR}/cases/manifest-07-valid.json"));
    validate::validate(media_type::OCI_MANIFEST, &raw).unwrap();
    assert!(matches!(
        Manifest::parse(raw, None),
        Err(supply_oci::manifest::Error::Model(Kind::OciManifest, _))
    ));
}

#[test]
fn spec_examples_validate_and_hash_to_their_listed_digest() {
    let examples = json(&format!("{DIR}/examples.json"));
    let examples = examples.as_array().unwrap();
    assert_eq!(examples.len(), 13);
    for e in examples {
        let file = e["file"].as_str().unwrap();
        let mt = e["mediaType"].as_str().unwrap();
        let raw = read(&format!("{DIR}/{file}"));
        assert_eq!(
            Algorithm::Sha256.digest(&raw).hex(),
            e["sha256"].as_str().unwrap(),
            "{file}"
        );
        validate::validate(mt, &raw).unwrap_or_else(|err| panic!("{file}: {err}"));
        if let Some(kind) = Kind::from_media_type(mt) {
            let m = Manifest::parse(raw.clone(), Some(mt))
                .unwrap_or_else(|err| panic!("{file}: {err}"));
            assert_eq!(m.kind(), kind);
            assert_eq!(m.raw(), raw);
            assert_eq!(m.digest(), Algorithm::Sha256.digest(&raw));
        }
    }
}

#[test]
fn the_spec_empty_descriptor_is_ours() {
    let raw = read(&format!("{DIR}/examples/manifest--10-empty-config.json"));
    let d: supply_oci::Descriptor = serde_json::from_slice(&raw).unwrap();
    assert_eq!(d, supply_oci::Descriptor::empty());
}

#[test]
fn docker_hub_documents_hash_to_their_declared_digests() {
    let list = json(&format!("{DIR}/backcompat.json"));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    for e in list {
        let file = e["file"].as_str().unwrap();
        let raw = read(&format!("{DIR}/{file}"));
        let declared: Digest = e["declaredDigest"].as_str().unwrap().parse().unwrap();
        assert_eq!(Algorithm::Sha256.digest(&raw), declared, "{file}");
        let expected_kind = match e["field"].as_str().unwrap() {
            "imageIndex" => Some(Kind::DockerManifestList),
            "manifest" => Some(Kind::DockerManifest),
            _ => None,
        };
        if let Some(kind) = expected_kind {
            let m = Manifest::parse(raw.clone(), None).unwrap();
            assert_eq!(m.kind(), kind, "{file}");
            assert_eq!(m.digest(), declared);
            m.verify(&declared, raw.len() as u64).unwrap();
        }
    }
    // The real-world oddity: a config of type application/octet-stream.
    let m = Manifest::parse(
        read(&format!("{DIR}/backcompat/manifest-888206c77cd2.json")),
        None,
    )
    .unwrap();
    assert_eq!(
        m.document().as_manifest().unwrap().config.media_type,
        "application/octet-stream"
    );
}

#[test]
fn unknown_fields_are_kept() {
    let raw = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"x-extra":[1,2]}],"vendor.field":{"a":true}}"#;
    let m = Manifest::parse(raw.to_vec(), None).unwrap();
    let i = m.document().as_index().unwrap();
    assert_eq!(i.extra["vendor.field"]["a"], true);
    assert_eq!(i.manifests[0].extra["x-extra"][1], 2);
    let again = Manifest::encode(m.document()).unwrap();
    assert_eq!(again.document(), m.document());
}
