//! SPDX 2.2/2.3 spec examples in JSON, YAML and tag-value, SPDX 3.0.1 examples and negatives,
//! tools-python edge cases, and round trips through our writers.

use supply_sbom::format::{read, write, Document, Format, OutputFormat};
use supply_sbom::model::Sbom;

fn doc(rel: &str) -> Document {
    read(&supply_testkit::read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A comparable view: sorted relationships and element lists.
fn normalized(mut s: Sbom) -> Sbom {
    s.packages.sort_by(|a, b| a.id.cmp(&b.id));
    s.files.sort_by(|a, b| a.id.cmp(&b.id));
    s.relationships.sort();
    s.describes.sort();
    s.creators.sort();
    s.extracted_licenses.sort_by(|a, b| a.id.cmp(&b.id));
    s
}

#[test]
fn spdx_2_3_example_in_every_format_is_one_document() {
    let json = doc("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    assert_eq!(
        json.format,
        Format::Spdx2Json(supply_sbom::spdx2::Version::V2_3)
    );
    assert!(json.report.is_valid(), "{}", json.report);
    let s = &json.sbom;
    assert_eq!(s.name.as_deref(), Some("SPDX-Tools-v2.0"));
    assert_eq!(
        s.namespace.as_deref(),
        Some("http://spdx.org/spdxdocs/spdx-example-444504E0-4F89-41D3-9A0C-0305E82C3301")
    );
    assert_eq!(
        (s.packages.len(), s.files.len(), s.snippets.len()),
        (4, 5, 1)
    );
    assert_eq!(s.extracted_licenses.len(), 5);
    // 7 relationships + 2 documentDescribes + hasFiles (4 distinct files): 13, as pyspdxtools.
    assert_eq!(s.relationships.len(), 13);

    let yaml = doc("sbom/spdx/v2.3/SPDXYAMLExample-2.3.spdx.yaml");
    assert!(matches!(yaml.format, Format::Spdx2Yaml(_)));
    assert!(yaml.report.is_valid(), "{}", yaml.report);
    let tv = doc("sbom/spdx/v2.3/SPDXTagExample-v2.3.spdx");
    assert!(matches!(tv.format, Format::Spdx2TagValue(_)));
    assert!(tv.report.is_valid(), "{}", tv.report);
    let j = normalized(json.sbom);
    let y = normalized(yaml.sbom);
    let t = normalized(tv.sbom);
    assert_eq!(j, y, "JSON and YAML differ");
    assert_eq!(j.packages, t.packages, "JSON and tag-value packages differ");
    assert_eq!(
        j.relationships, t.relationships,
        "JSON and tag-value relationships differ"
    );
    assert_eq!(j.files, t.files);
    assert_eq!(j.external_documents, t.external_documents);
    assert_eq!(j.external_documents.len(), 1);
}

#[test]
fn spdx_2_2_examples() {
    for rel in [
        "sbom/spdx/v2.2/SPDXJSONExample-v2.2.spdx.json",
        "sbom/spdx/v2.2/SPDXYAMLExample-2.2.spdx.yaml",
        "sbom/spdx/v2.2/SPDXTagExample-v2.2.spdx",
    ] {
        let d = doc(rel);
        assert!(d.report.is_valid(), "{rel}: {}", d.report);
        assert_eq!(
            (
                d.sbom.packages.len(),
                d.sbom.files.len(),
                d.sbom.snippets.len()
            ),
            (4, 4, 1),
            "{rel}"
        );
    }
}

#[test]
fn spdx_round_trips_through_our_writers() {
    let original = normalized(doc("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json").sbom);
    for fmt in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue] {
        let out = write(&original, fmt);
        let back = read(&out).unwrap_or_else(|e| panic!("{fmt}: {e}"));
        assert!(
            back.report.is_valid(),
            "{fmt}: our output is invalid:\n{}",
            back.report
        );
        let back = normalized(back.sbom);
        assert_eq!(back.packages.len(), original.packages.len(), "{fmt}");
        for (a, b) in original.packages.iter().zip(&back.packages) {
            assert_eq!(a.id, b.id, "{fmt}");
            assert_eq!(a.purl, b.purl, "{fmt}");
            assert_eq!(a.checksums, b.checksums, "{fmt}");
            assert_eq!(a.license_declared, b.license_declared, "{fmt} {}", a.id);
            assert_eq!(a.version, b.version, "{fmt}");
        }
        assert_eq!(back.relationships, original.relationships, "{fmt}");
        assert_eq!(back.files.len(), original.files.len(), "{fmt}");
    }
    // Writing is deterministic.
    assert_eq!(
        write(&original, OutputFormat::SpdxJson),
        write(&original, OutputFormat::SpdxJson)
    );
}

#[test]
fn spdx3_examples_are_valid_and_negatives_are_not() {
    let dir = supply_testkit::testdata("sbom/spdx/spdx-examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".spdx3.json") && name != "software-example1-example1.json" {
            continue;
        }
        let d = read(&std::fs::read(dir.join(&name)).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.format, Format::Spdx3JsonLd, "{name}");
        assert!(d.report.is_valid(), "{name}: {}", d.report);
        n += 1;
    }
    assert_eq!(n, 9);
    let d = doc("sbom/spdx/v3.0/spdx-spec-package_sbom.json");
    assert!(d.report.is_valid(), "{}", d.report);
    for bad in [
        "sbom/spdx/v3.0/invalid/bad-primary-purpose.spdx3.json",
        "sbom/spdx/v3.0/invalid/file-missing-creationInfo.spdx3.json",
        "sbom/spdx/v3.0/invalid/spdx2-fields-under-spdx3-context.json",
    ] {
        let got = read(&supply_testkit::read(bad));
        assert!(
            !matches!(&got, Ok(d) if d.report.is_valid()),
            "{bad} accepted"
        );
    }
}

#[test]
fn spdx3_licenses_and_conversion_pairs() {
    // example11: the same SBOM in 2.3 and 3.0.
    let v2 = doc("sbom/spdx/spdx-examples/software-example11-sbom.spdx.json").sbom;
    let v3 = doc("sbom/spdx/spdx-examples/software-example11-sbom.spdx3.json").sbom;
    assert_eq!(v2.packages.len(), v3.packages.len());
    let mut p2: Vec<_> = v2
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.purl.clone()))
        .collect();
    let mut p3: Vec<_> = v3
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.purl.clone()))
        .collect();
    p2.sort();
    p3.sort();
    assert_eq!(p2, p3);
    assert!(v3
        .packages
        .iter()
        .any(|p| p.license_concluded.is_some() || p.license_declared.is_some()));
    // Our SPDX 3 writer's output reads back with the same packages and licenses.
    let out = write(&v2, OutputFormat::Spdx3JsonLd);
    let back = read(&out).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    assert_eq!(back.sbom.packages.len(), v2.packages.len());
    for (a, b) in v2.packages.iter().zip(&back.sbom.packages) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.purl, b.purl);
        assert_eq!(
            a.license_declared
                .as_ref()
                .and_then(|l| l.expression())
                .map(ToString::to_string),
            b.license_declared
                .as_ref()
                .and_then(|l| l.expression())
                .map(ToString::to_string)
        );
    }
}

#[test]
fn spdx_tools_python_edge_cases() {
    for rel in [
        "sbom/spdx/tools-python/valid/ControlCharacters.spdx.json",
        "sbom/spdx/tools-python/valid/SPDXJSONExample-UTF-16.spdx.json",
        "sbom/spdx/tools-python/valid/SPDXTagExample-UTF-16.spdx",
        "sbom/spdx/tools-python/valid/SPDXYAMLExample-UTF-16.spdx.yaml",
        "sbom/spdx/tools-python/valid/SPDXLite.spdx",
        "sbom/spdx/tools-python/valid/circleConversionTestInitialDocument.json",
    ] {
        let d = doc(rel);
        assert!(d.report.is_valid(), "{rel}: {}", d.report);
    }
    // trivy's SPDX: fractional-second timestamp (read, but reported).
    let d = doc("sbom/spdx/tools-python/invalid/spdx-trivy-vmware_log-intelligence-fluentd.json");
    assert!(!d.report.is_valid());
}

/// `OPERATING-SYSTEM` is spelled `OPERATING_SYSTEM` in SPDX 2.3 JSON (the schema's enum) and
/// with a hyphen in tag-value: each writer uses its format's spelling and both read back
/// without an issue.
#[test]
fn operating_system_purpose_is_spelled_per_format() {
    let mut sbom = doc("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json").sbom;
    sbom.packages[0].purpose = Some("operating-system".into());
    let json = write(&sbom, OutputFormat::SpdxJson);
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains(r#""primaryPackagePurpose": "OPERATING_SYSTEM""#));
    assert!(!text.contains("OPERATING-SYSTEM"));
    let tv = String::from_utf8(write(&sbom, OutputFormat::SpdxTagValue)).unwrap();
    assert!(
        tv.contains("PrimaryPackagePurpose: OPERATING-SYSTEM\n"),
        "{tv}"
    );
    for bytes in [json, tv.into_bytes()] {
        let back = read(&bytes).unwrap();
        assert!(
            !back.report.to_string().contains("primaryPackagePurpose"),
            "{}",
            back.report
        );
        assert_eq!(
            back.sbom.packages[0].purpose.as_deref(),
            Some("operating-system")
        );
    }
}
