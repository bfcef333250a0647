//! The CycloneDX specification's valid/invalid suite (testdata/sbom/cyclonedx) per version and
//! encoding, round trips, and the feature files' expected content.

use supply_sbom::format::{read, write, Format, OutputFormat};

/// Files whose verdict differs from their name, with why (asserted, so a fix shows).
const EXCEPTIONS: &[(&str, &str)] = &[(
    "invalid-citations-1.7.xml",
    "invalid only by XSD element order (`expressions` before `timestamp`): element order is not checked",
)];

fn suite(version: &str) -> (usize, usize) {
    let dir = supply_testkit::testdata(&format!("sbom/cyclonedx/{version}"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".xml"))
        .collect();
    names.sort();
    let (mut valid, mut invalid) = (0, 0);
    let mut wrong = Vec::new();
    for n in &names {
        let bytes = std::fs::read(dir.join(n)).unwrap();
        let got = read(&bytes);
        let ok = matches!(&got, Ok(d) if d.report.is_valid());
        let want_valid = n.starts_with("valid-");
        let exception = EXCEPTIONS.iter().any(|(f, _)| f == n);
        if exception {
            assert_eq!(
                ok, !want_valid,
                "{n}: listed exception now agrees with its name"
            );
        }
        if ok != want_valid && !exception {
            let why = match &got {
                Ok(d) => d.report.to_string(),
                Err(e) => format!("error: {e}"),
            };
            wrong.push(format!("{n}: {why}"));
        }
        if want_valid {
            valid += 1;
            let d = got.unwrap();
            // The declared version is the one read.
            let v = match d.format {
                Format::CycloneDxJson(v) | Format::CycloneDxXml(v) => v.as_str(),
                other => panic!("{n}: read as {other:?}"),
            };
            assert_eq!(v, version, "{n}");
        } else {
            invalid += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    (valid, invalid)
}

#[test]
fn cyclonedx_suite_1_4() {
    assert_eq!(suite("1.4"), (29 + 31, 22 + 24));
}

#[test]
fn cyclonedx_suite_1_5() {
    assert_eq!(suite("1.5"), (36 + 38, 22 + 24));
}

#[test]
fn cyclonedx_suite_1_6() {
    assert_eq!(suite("1.6"), (45 + 47, 25 + 27));
}

#[test]
fn cyclonedx_suite_1_7() {
    // 61 + 63 valid; 29 + 28 invalid and the 2 `informal-invalid-*.xml` (schema-valid, but
    // break the prose rule that only external components have a versionRange: flagged).
    assert_eq!(suite("1.7"), (61 + 63, 29 + 28 + 2));
}

/// Every valid 1.6 document, written back as CycloneDX 1.6 JSON and XML and as SPDX 2.3 JSON,
/// reads back valid with the same packages (names, versions, purls, hashes).
#[test]
fn cyclonedx_round_trips_through_our_writers() {
    let dir = supply_testkit::testdata("sbom/cyclonedx/1.6");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.starts_with("valid-") {
            continue;
        }
        let original = read(&std::fs::read(dir.join(&name)).unwrap()).unwrap().sbom;
        for fmt in [
            OutputFormat::CycloneDxJson,
            OutputFormat::CycloneDxXml,
            OutputFormat::SpdxJson,
        ] {
            let out = write(&original, fmt);
            let back = read(&out).unwrap_or_else(|e| panic!("{name} as {fmt}: {e}"));
            assert!(back.report.is_valid(), "{name} as {fmt}:\n{}", back.report);
            let key = |s: &supply_sbom::model::Sbom| {
                let mut v: Vec<_> = s
                    .packages
                    .iter()
                    .map(|p| (p.name.clone(), p.version.clone(), p.purl.clone()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(key(&back.sbom), key(&original), "{name} as {fmt}");
        }
        n += 1;
    }
    assert_eq!(n, 45 + 47);
}

#[test]
fn cyclonedx_feature_files() {
    let d = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-dependency-1.6.json",
    ))
    .unwrap();
    assert_eq!(d.sbom.packages.len(), 3);
    let deps: Vec<_> = d
        .sbom
        .relationships
        .iter()
        .map(|r| (r.from.as_str(), r.kind.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(deps, [("library-b", "DEPENDS_ON", "library-c")]);
    let x = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-dependency-1.6.xml",
    ))
    .unwrap();
    assert_eq!(x.sbom.relationships, d.sbom.relationships);
    assert_eq!(x.sbom.packages, d.sbom.packages);
    // Licenses: an expression and ids become the model's license fields.
    let l = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-license-expression-1.6.json",
    ))
    .unwrap();
    assert_eq!(
        l.sbom.packages[0]
            .license_declared
            .as_ref()
            .unwrap()
            .to_string(),
        "EPL-2.0 OR (GPL-2.0 WITH Classpath-exception-2.0)"
    );
}

/// A package that another package CONTAINS is written nested in it (Red Hat's container
/// SBOMs nest their packages in the image component), so the relationship survives CycloneDX
/// → CycloneDX; a `CONTAINS` cycle and a chain deeper than the nesting limit still write every
/// package exactly once, no deeper than the limit.
#[test]
fn contained_packages_are_nested_once_and_boundedly() {
    use supply_sbom::convert::{convert, Stage};
    let rel = "sbom/realworld/guac/cyclonedx-components-nested.json";
    let c = convert(&supply_testkit::read(rel), OutputFormat::CycloneDxJson).unwrap();
    assert!(
        !c.losses
            .iter()
            .any(|l| l.stage == Stage::Write && l.what.contains("CONTAINS")),
        "{:?}",
        c.losses
    );
    let v: serde_json::Value = serde_json::from_slice(&c.output).unwrap();
    let top = v["components"].as_array().unwrap();
    assert_eq!(top.len(), 1, "{top:?}");
    assert_eq!(top[0]["type"], "container");
    assert_eq!(top[0]["components"].as_array().unwrap().len(), 2);

    // (name, depth) of every component written, nested ones included.
    fn walk(cs: &serde_json::Value, depth: usize, out: &mut Vec<(String, usize)>) {
        for c in cs.as_array().into_iter().flatten() {
            out.push((c["name"].as_str().unwrap().to_owned(), depth));
            walk(&c["components"], depth + 1, out);
        }
    }
    let spdx = |n: usize, contains: &[(usize, usize)]| {
        let packages: Vec<serde_json::Value> = (0..n)
            .map(|i| serde_json::json!({"SPDXID": format!("SPDXRef-P{i}"), "name": format!("p{i}"), "downloadLocation": "NOASSERTION"}))
            .collect();
        let mut rels = vec![
            serde_json::json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-P0"}),
        ];
        rels.extend(contains.iter().map(|(a, b)| serde_json::json!({"spdxElementId": format!("SPDXRef-P{a}"), "relationshipType": "CONTAINS", "relatedSpdxElement": format!("SPDXRef-P{b}")})));
        serde_json::json!({
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "nest", "documentNamespace": "https://example.com/nest",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
            "packages": packages, "relationships": rels
        })
        .to_string()
    };
    // P0 is the root (metadata.component). P1 ⊃ P2 ⊃ P1 is a cycle; P3 ⊃ P4 ⊃ … ⊃ P43 a chain.
    let mut contains = vec![(1, 2), (2, 1)];
    contains.extend((3..43).map(|i| (i, i + 1)));
    let sbom = read(spdx(44, &contains).as_bytes()).unwrap().sbom;
    {
        let out = write(&sbom, OutputFormat::CycloneDxJson);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let mut seen = Vec::new();
        walk(&v["components"], 0, &mut seen);
        let mut names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        let mut want: Vec<String> = (1..44).map(|i| format!("p{i}")).collect();
        want.sort_unstable();
        assert_eq!(names, want, "every package but the root, once");
        let deepest = seen.iter().map(|(_, d)| *d).max().unwrap();
        assert_eq!(deepest, supply_sbom::limits::MAX_WRITTEN_NESTING);
        // Read back: the cycle keeps one of its two CONTAINS, the chain all of its own.
        let back = read(&out).unwrap().sbom;
        let contains_back = back
            .relationships
            .iter()
            .filter(|r| r.kind.as_str() == "CONTAINS")
            .count();
        assert_eq!(
            contains_back,
            1 + 40 - 40 / (supply_sbom::limits::MAX_WRITTEN_NESTING + 1)
        );
    }
}

/// Compositions (what the document knows to be complete) read the same from JSON and XML and
/// are written back whole in both; SPDX cannot state them and the report says so.
#[test]
fn compositions_are_read_and_written_back() {
    let j = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-compositions-1.6.json",
    ))
    .unwrap();
    let x = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-compositions-1.6.xml",
    ))
    .unwrap();
    assert!(j.report.is_valid(), "{}", j.report);
    assert!(x.report.is_valid(), "{}", x.report);
    let c = &j.sbom.compositions;
    assert_eq!(c, &x.sbom.compositions);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].id.as_deref(), Some("composition-1"));
    assert_eq!(c[0].aggregate, "complete");
    assert_eq!(c[0].assemblies, ["pkg:maven/partner/shaded-library@1.0"]);
    assert_eq!(c[0].dependencies, ["acme-application-1.0"]);
    assert_eq!(c[2].aggregate, "incomplete_first_party_only");
    assert_eq!(c[2].vulnerabilities, ["vulnerability-1"]);
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let conv = supply_sbom::convert::convert(
            &supply_testkit::read("sbom/cyclonedx/1.6/valid-compositions-1.6.xml"),
            to,
        )
        .unwrap();
        let back = read(&conv.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(&back.sbom.compositions, c, "{to}");
        assert!(
            !conv.losses.iter().any(|l| l.what.contains("composition")),
            "{to}: {:?}",
            conv.losses
        );
    }
    let spdx = supply_sbom::convert::convert(
        &supply_testkit::read("sbom/cyclonedx/1.6/valid-compositions-1.6.json"),
        OutputFormat::SpdxJson,
    )
    .unwrap();
    assert!(spdx.losses.iter().any(|l| l.what == "compositions"));
    // An aggregate outside the vocabulary is reported.
    let bad = read(
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "compositions": [{"aggregate": "mostly"}, {}]}"#,
    )
    .unwrap();
    let text = bad.report.to_string();
    assert!(text.contains("/compositions/0/aggregate"), "{text}");
    assert!(text.contains("/compositions/1"), "{text}");
}

/// CycloneDX annotations (1.5+) read the same from JSON and XML, one model annotation per
/// subject with the annotator in SPDX's spelling; they are written back in both and reach SPDX
/// 2 as the subject's annotations. An SPDX annotation of the document has no CycloneDX subject
/// and is counted lost.
#[test]
fn annotations_cross_cyclonedx_and_spdx() {
    let j = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-annotation-1.6.json",
    ))
    .unwrap();
    let x = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-annotation-1.6.xml",
    ))
    .unwrap();
    assert!(j.report.is_valid(), "{}", j.report);
    assert_eq!(j.sbom.annotations, x.sbom.annotations);
    let who: Vec<&str> = j
        .sbom
        .annotations
        .iter()
        .map(|a| a.annotator.as_str())
        .collect();
    assert_eq!(
        who,
        [
            "Organization: Acme, Inc.",
            "Person: Samantha Wright (samantha.wright@example.com)",
            "Tool: Awesome Tool-9.1.2",
            "Tool: BOM Annotation Service-2020-Q2",
        ]
    );
    assert!(j
        .sbom
        .annotations
        .iter()
        .all(|a| a.subject == "component-a"));
    for to in [
        OutputFormat::CycloneDxJson,
        OutputFormat::CycloneDxXml,
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
    ] {
        let c = supply_sbom::convert::convert(
            &supply_testkit::read("sbom/cyclonedx/1.6/valid-annotation-1.6.json"),
            to,
        )
        .unwrap();
        assert!(
            !c.losses.iter().any(|l| l.what == "annotations"),
            "{to}: {:?}",
            c.losses
        );
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        let texts: Vec<&str> = back
            .sbom
            .annotations
            .iter()
            .map(|a| a.comment.as_str())
            .collect();
        assert_eq!(texts.len(), 4, "{to}");
        assert!(
            texts.contains(&"This is a sample annotation made by a service"),
            "{to}"
        );
    }
    let c = supply_sbom::convert::convert(
        &supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json"),
        OutputFormat::CycloneDxJson,
    )
    .unwrap();
    let lost = c.losses.iter().find(|l| l.what == "annotations").unwrap();
    // Three of the document, and the package's REVIEW (CycloneDX has no annotation types).
    assert!(lost.count >= 3, "{:?}", c.losses);
}
