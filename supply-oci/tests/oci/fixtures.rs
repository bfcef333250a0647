//! containers/image manifest fixtures: detection of every kind, the schema 1 digest rule.

use supply_oci::manifest::{Error, Kind, Manifest};
use supply_oci::validate::Rule;
use supply_oci::{media_type, Algorithm};

use crate::read;

const DIR: &str = "containers-image/manifest";

/// What parsing each fixture (with no declared media type) must give.
fn expected(file: &str) -> Result<Kind, &'static str> {
    Ok(match file {
        "non-json.manifest.json" => return Err("json"),
        "unknown-version.manifest.json" => return Err("unknown"),
        "v2s1-invalid-signatures.manifest.json" => return Err("schema1-signatures"),
        "schema2-to-schema1-by-docker.json" | "v2s1.manifest.json" => Kind::DockerSchema1Signed,
        "v2s1-unsigned.manifest.json" | "v2s1.everything.json" => Kind::DockerSchema1,
        f if f.starts_with("schema2list") || f.starts_with("v2list") => Kind::DockerManifestList,
        f if f.starts_with("v2s2") => Kind::DockerManifest,
        f if f.starts_with("oci1.index")
            || f == "oci1index.json"
            || f == "ocilist-variants.json" =>
        {
            Kind::OciIndex
        }
        "ociv1.image.index.json" | "ociv1nomime.image.index.json" => Kind::OciIndex,
        f if f.starts_with("ociv1") => Kind::OciManifest,
        other => panic!("fixture {other} not in the table"),
    })
}

/// Fixtures containers/image accepts (it does not validate) that break image-spec rules.
fn refused_by_strict_validation(file: &str) -> Option<Rule> {
    match file {
        // `data: "YQ=="` ("a") beside a made-up digest `sha256:aaaa…`.
        "oci1.index.everything.json" | "ociv1.everything.json" => Some(Rule::DataDigest),
        // `config.digest: ""`.
        "ociv1.artifact.json" | "ociv1nomime.artifact.json" => Some(Rule::Digest),
        _ => None,
    }
}

/// Rows `| file | sha256 | ... |` of the MANIFEST table.
fn table() -> Vec<(String, String)> {
    let md = String::from_utf8(read(&format!("{DIR}/MANIFEST.md"))).unwrap();
    md.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            (cols.len() > 3 && cols[1].ends_with(".json") && cols[2].len() == 64)
                .then(|| (cols[1].to_owned(), cols[2].to_owned()))
        })
        .collect()
}

#[test]
fn every_fixture_parses_as_its_manifest_says() {
    let rows = table();
    assert_eq!(rows.len(), 36);
    for (file, sha) in rows {
        let raw = read(&format!("{DIR}/{file}"));
        assert_eq!(Algorithm::Sha256.digest(&raw).hex(), sha, "{file}");
        if let Some(rule) = refused_by_strict_validation(&file) {
            // Detected as its kind, refused by the image-spec rules.
            let kind = expected(&file).unwrap();
            assert_eq!(Manifest::detect(&raw, None).unwrap(), kind, "{file}");
            match Manifest::parse(raw, None) {
                Err(Error::Invalid(k, supply_oci::validate::Error::Invalid { rule: r, .. })) => {
                    assert_eq!((k, r), (kind, rule), "{file}");
                }
                other => panic!("{file}: {other:?}"),
            }
            continue;
        }
        let got = Manifest::parse(raw.clone(), None);
        match (expected(&file), got) {
            (Ok(kind), Ok(m)) => {
                assert_eq!(m.kind(), kind, "{file}");
                assert_eq!(m.raw(), raw);
                if m.kind() != Kind::DockerSchema1Signed {
                    assert_eq!(m.digest().hex(), sha, "{file}");
                }
                // Declaring the kind it is works too.
                let again = Manifest::parse(raw, Some(kind.media_type())).unwrap();
                assert_eq!(again.kind(), kind);
            }
            (Err("json"), Err(Error::Json(_))) => {}
            (Err("unknown"), Err(Error::UnknownKind)) => {}
            (Err("schema1-signatures"), Err(Error::Schema1Signatures(_))) => {}
            (want, got) => panic!("{file}: want {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn schema1_digest_is_over_the_jws_payload() {
    let signed = Manifest::parse(read(&format!("{DIR}/v2s1.manifest.json")), None).unwrap();
    let unsigned =
        Manifest::parse(read(&format!("{DIR}/v2s1-unsigned.manifest.json")), None).unwrap();
    let want = "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000";
    assert_eq!(signed.digest().to_string(), want);
    assert_eq!(unsigned.digest().to_string(), want);
    assert_ne!(Algorithm::Sha256.digest(signed.raw()).to_string(), want);
    let by_docker = Manifest::parse(
        read(&format!("{DIR}/schema2-to-schema1-by-docker.json")),
        Some("application/json"),
    )
    .unwrap();
    assert_eq!(
        by_docker.digest().hex(),
        "c8a08b90c4899c341695c8b52733faace453cda3c20b2f9ad2c4390eac8eaee4"
    );
}

#[test]
fn documents_without_media_type_take_the_declared_one() {
    let raw = read(&format!("{DIR}/ociv1nomime.manifest.json"));
    assert_eq!(
        Manifest::parse(raw.clone(), Some(media_type::OCI_MANIFEST))
            .unwrap()
            .kind(),
        Kind::OciManifest
    );
    // Content-Type parameters are ignored.
    assert_eq!(
        Manifest::parse(
            raw.clone(),
            Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8")
        )
        .unwrap()
        .kind(),
        Kind::OciManifest
    );
    // A declared index for a manifest structure is a mismatch.
    assert!(matches!(
        Manifest::parse(raw.clone(), Some(media_type::OCI_INDEX)),
        Err(Error::MediaTypeMismatch { .. })
    ));
    // A declared kind that contradicts the document's own mediaType.
    let v2s2 = read(&format!("{DIR}/v2s2.manifest.json"));
    assert!(matches!(
        Manifest::parse(v2s2, Some(media_type::OCI_MANIFEST)),
        Err(Error::MediaTypeMismatch { .. })
    ));
    // Not a manifest type at all.
    assert!(matches!(
        Manifest::parse(raw, Some(media_type::OCI_DESCRIPTOR)),
        Err(Error::UnsupportedMediaType(_))
    ));
}
