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
/// subject: the annotator whole (an organization with its URL and contact, an individual with a
/// phone, a component, a service with its provider's contacts) and in SPDX's spelling beside
/// it. Written back as CycloneDX JSON or XML nothing is lost; SPDX 2 and 3 keep the spelling and
/// the report names what they cannot hold. An SPDX annotation of the document has no CycloneDX
/// subject and is counted lost.
#[test]
fn annotations_cross_cyclonedx_and_spdx() {
    use supply_sbom::model::Annotator;

    for version in ["1.5", "1.6", "1.7"] {
        let json_src = format!("sbom/cyclonedx/{version}/valid-annotation-{version}.json");
        let xml_src = format!("sbom/cyclonedx/{version}/valid-annotation-{version}.xml");
        let j = read(&supply_testkit::read(&json_src)).unwrap();
        let x = read(&supply_testkit::read(&xml_src)).unwrap();
        assert!(j.report.is_valid(), "{json_src}: {}", j.report);
        assert!(x.report.is_valid(), "{xml_src}: {}", x.report);
        // The specification's 1.5 twins say different things (dates, typos, the provider's
        // contact only in XML); the later ones say the same.
        if version != "1.5" {
            assert_eq!(j.sbom.annotations, x.sbom.annotations, "{version}");
        }
        let notes = &j.sbom.annotations;
        let who: Vec<&str> = notes.iter().map(|a| a.annotator.as_str()).collect();
        assert_eq!(
            who,
            [
                // The organization's first contact's email, as SPDX spells a creator's.
                "Organization: Acme, Inc. (professional.services@example.com)",
                "Person: Samantha Wright (samantha.wright@example.com)",
                "Tool: Awesome Tool-9.1.2",
                "Tool: BOM Annotation Service-2020-Q2",
            ],
            "{version}"
        );
        assert!(notes.iter().all(|a| a.subject == "component-a"));
        let ids: Vec<Option<&str>> = notes.iter().map(|a| a.id.as_deref()).collect();
        assert_eq!(
            ids,
            [
                Some("annotation-1"),
                Some("annotation-2"),
                Some("annotation-3"),
                Some("annotation-4")
            ]
        );
        let Some(Annotator::Organization(org)) = &notes[0].annotator_detail else {
            panic!("{version}: {:?}", notes[0].annotator_detail);
        };
        assert_eq!(org.name.as_deref(), Some("Acme, Inc."));
        assert_eq!(org.urls, ["https://example.com"]);
        assert_eq!(org.contacts.len(), 1);
        assert_eq!(
            org.contacts[0].name.as_deref(),
            Some("Acme Professional Services")
        );
        assert_eq!(
            org.contacts[0].email.as_deref(),
            Some("professional.services@example.com")
        );
        let Some(Annotator::Individual(person)) = &notes[1].annotator_detail else {
            panic!("{version}: {:?}", notes[1].annotator_detail);
        };
        assert_eq!(person.name.as_deref(), Some("Samantha Wright"));
        assert_eq!(person.email.as_deref(), Some("samantha.wright@example.com"));
        assert_eq!(person.phone.as_deref(), Some("800-555-1212"));
        let Some(Annotator::Component(tool)) = &notes[2].annotator_detail else {
            panic!("{version}: {:?}", notes[2].annotator_detail);
        };
        assert_eq!(
            (tool.name.as_str(), tool.version.as_deref()),
            ("Awesome Tool", Some("9.1.2"))
        );
        assert_eq!(tool.purpose.as_deref(), Some("application"));
        // It has no bom-ref, and none is made up for it.
        assert!(tool.id.is_empty());
        let Some(Annotator::Service(svc)) = &notes[3].annotator_detail else {
            panic!("{version}: {:?}", notes[3].annotator_detail);
        };
        assert_eq!(svc.id, "b2a46a4b-8367-4bae-9820-95557cfe03a8");
        assert_eq!(svc.name, "BOM Annotation Service");
        assert_eq!(svc.group.as_deref(), Some("org.partner"));
        assert_eq!(svc.endpoints.len(), 2);
        let provider = svc.provider.as_ref().unwrap();
        assert_eq!(provider.name.as_deref(), Some("Partner Org"));
        assert_eq!(provider.urls, ["https://partner.org"]);
        // (The 1.5 example's provider has no contact.)
        if version != "1.5" {
            assert_eq!(provider.contacts.len(), 1);
            let support = &provider.contacts[0];
            assert_eq!(support.name.as_deref(), Some("Support"));
            assert_eq!(support.email.as_deref(), Some("support@partner.org"));
            assert_eq!(support.phone.as_deref(), Some("800-555-1212"));
        }
        // Either encoding, to either CycloneDX encoding: nothing at all lost, and the same
        // annotations back.
        for (src, doc) in [(&json_src, &j), (&xml_src, &x)] {
            for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
                let c = supply_sbom::convert::convert(&supply_testkit::read(src), to).unwrap();
                assert!(c.losses.is_empty(), "{src} -> {to}: {:?}", c.losses);
                let back = read(&c.output).unwrap();
                assert!(back.report.is_valid(), "{src} -> {to}: {}", back.report);
                assert_eq!(back.sbom.annotations, doc.sbom.annotations, "{src} -> {to}");
            }
        }
        // SPDX keeps who in its spelling, and says what of them it cannot hold: the
        // organization's URL and its contact's name, the person's phone, the service.
        for to in [
            OutputFormat::SpdxJson,
            OutputFormat::SpdxTagValue,
            OutputFormat::Spdx3JsonLd,
        ] {
            let c = supply_sbom::convert::convert(&supply_testkit::read(&json_src), to).unwrap();
            let lost: Vec<(&str, usize)> = c
                .losses
                .iter()
                .map(|l| (l.what.as_str(), l.count))
                .collect();
            for want in [
                "annotation.annotator.organization.urls",
                "annotation.annotator.organization.contacts",
                "annotation.annotator.individual.phone",
                "annotation.annotator.service",
            ] {
                assert!(lost.contains(&(want, 1)), "{version} -> {to}: {lost:?}");
            }
            // Not the component, which SPDX's `Tool:` states whole, nor any annotation.
            assert!(
                !lost.iter().any(|(w, _)| *w == "annotations"
                    || *w == "annotation.annotator.component"
                    || *w == "annotation.annotator.individual"),
                "{version} -> {to}: {lost:?}"
            );
            let back = read(&c.output).unwrap();
            assert!(back.report.is_valid(), "{to}: {}", back.report);
            let got: Vec<&str> = back
                .sbom
                .annotations
                .iter()
                .map(|a| a.annotator.as_str())
                .collect();
            assert_eq!(got, who, "{version} -> {to}");
            assert!(back
                .sbom
                .annotations
                .iter()
                .all(|a| a.annotator_detail.is_none()));
        }
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

/// An annotation of several subjects is one model annotation per subject, sharing the
/// annotation's `bom-ref`, and is written back as the one annotation it was; the `bom-ref`s
/// of an annotating organization and its contacts survive too, in JSON and XML alike.
#[test]
fn an_annotation_of_several_subjects_is_written_back_as_one() {
    let json = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
      "components": [{"type": "library", "name": "a", "bom-ref": "a"},
                     {"type": "library", "name": "b", "bom-ref": "b"}],
      "annotations": [{"bom-ref": "note", "subjects": ["a", "b"],
        "annotator": {"organization": {"bom-ref": "acme", "name": "Acme",
          "url": ["https://acme.example", "https://acme.example/security"],
          "contact": [{"bom-ref": "acme-psirt", "name": "PSIRT", "email": "psirt@acme.example"},
                      {"phone": "800-555-1212"}]}},
        "timestamp": "2024-01-01T00:00:00Z", "text": "reviewed"}]}"#;
    let j = read(json).unwrap();
    assert!(j.report.is_valid(), "{}", j.report);
    let notes = &j.sbom.annotations;
    assert_eq!(notes.len(), 2);
    assert_eq!(
        notes.iter().map(|a| a.subject.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(notes.iter().all(|a| a.id.as_deref() == Some("note")));
    assert_eq!(
        notes[0].annotator,
        "Organization: Acme (psirt@acme.example)"
    );
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let c = supply_sbom::convert::convert(json, to).unwrap();
        assert!(c.losses.is_empty(), "{to}: {:?}", c.losses);
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(&back.sbom.annotations, notes, "{to}");
        // Its XML (several `<url>` and `<contact>` elements) reads back the same, and
        // converts to itself without a loss.
        let again = supply_sbom::convert::convert(&c.output, to).unwrap();
        assert!(again.losses.is_empty(), "{to}: {:?}", again.losses);
    }
    let out: serde_json::Value =
        serde_json::from_slice(&write(&j.sbom, OutputFormat::CycloneDxJson)).unwrap();
    let written = out["annotations"].as_array().unwrap();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0]["bom-ref"], "note");
    assert_eq!(written[0]["subjects"], serde_json::json!(["a", "b"]));
    let org = &written[0]["annotator"]["organization"];
    assert_eq!(org["bom-ref"], "acme");
    assert_eq!(org["contact"][0]["bom-ref"], "acme-psirt");
    assert_eq!(org["contact"][1]["phone"], "800-555-1212");
    // In XML, `<url>` and `<contact>` repeat: one of each alone (no array in the JSON data
    // model) reads as a list of one.
    let xml = String::from_utf8(write(&j.sbom, OutputFormat::CycloneDxXml)).unwrap();
    assert!(xml.contains("<annotation bom-ref=\"note\">"), "{xml}");
    assert!(xml.contains("<organization bom-ref=\"acme\">"), "{xml}");
    let phone = xml.find("<phone>800-555-1212</phone>").unwrap();
    let from = xml[..phone].rfind("<contact>").unwrap();
    let to = phone + xml[phone..].find("</contact>").unwrap() + "</contact>".len();
    let one = format!("{}{}", &xml[..from], &xml[to..])
        .replace("<url>https://acme.example/security</url>", "");
    let x = read(one.as_bytes()).unwrap();
    assert!(x.report.is_valid(), "{}", x.report);
    let Some(supply_sbom::model::Annotator::Organization(o)) =
        &x.sbom.annotations[0].annotator_detail
    else {
        panic!("{:?}", x.sbom.annotations[0]);
    };
    assert_eq!(o.urls, ["https://acme.example"]);
    assert_eq!(o.contacts.len(), 1);
    assert_eq!(o.contacts[0].email.as_deref(), Some("psirt@acme.example"));
}

/// SPDX 2 annotations of packages and files go through CycloneDX and back to SPDX 2 unchanged
/// (those of the document have no CycloneDX subject).
#[test]
fn spdx_annotations_survive_cyclonedx_and_back() {
    let src = supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let before = read(&src).unwrap().sbom;
    for via in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let cdx = supply_sbom::convert::convert(&src, via).unwrap();
        let spdx = supply_sbom::convert::convert(&cdx.output, OutputFormat::SpdxJson).unwrap();
        // Nothing of the annotators is lost on the way back: SPDX spelled them.
        assert!(
            !spdx.losses.iter().any(|l| l.what.starts_with("annotation")),
            "{via}: {:?}",
            spdx.losses
        );
        let after = read(&spdx.output).unwrap().sbom;
        let notes = |s: &supply_sbom::model::Sbom| -> Vec<Vec<String>> {
            s.annotations
                .iter()
                .filter(|a| a.subject != "SPDXRef-DOCUMENT")
                .map(|a| {
                    vec![
                        a.subject.clone(),
                        a.annotator.clone(),
                        a.date.clone(),
                        a.kind.clone(),
                        a.comment.clone(),
                    ]
                })
                .collect()
        };
        assert_eq!(notes(&after), notes(&before), "{via}");
        assert_eq!(notes(&before).len(), 2);
        assert!(after
            .annotations
            .iter()
            .all(|a| a.annotator_detail.is_none()));
    }
}

/// Organizational entities and contacts of the wrong shape are reported where they are, never
/// a panic: a contact that is no array (or holds no objects), a phone that is a number, URLs
/// that are no array, a provider that is no object, an annotator of two kinds.
#[test]
fn malformed_entities_and_contacts_are_reported() {
    let doc = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "services": [{"name": "s1", "provider": "Acme"},
                   {"name": "s2", "provider": {"name": "P", "url": "https://p.example",
                     "contact": {"name": "not in an array"}}},
                   {"name": "s3", "provider": {"contact": ["support@p.example", {"phone": 8005551212}]}}],
      "annotations": [
        {"subjects": ["a"], "timestamp": "2024-01-01T00:00:00Z", "text": "t",
         "annotator": {"individual": {"name": "Sam", "phone": 8005551212}}},
        {"subjects": ["a"], "timestamp": "2024-01-01T00:00:00Z", "text": "t",
         "annotator": {"organization": {"name": "O", "contact": "o@example.com"},
                       "individual": {"name": "Sam"}}},
        {"subjects": ["a"], "timestamp": "2024-01-01T00:00:00Z", "text": "t",
         "annotator": {"organization": ["O"]}},
        {"subjects": ["a"], "timestamp": "2024-01-01T00:00:00Z", "text": "t",
         "annotator": "Sam"}]}"#;
    let d = read(doc).unwrap();
    let text = d.report.to_string();
    for at in [
        "/services/0/provider",
        "/services/1/provider/url",
        "/services/1/provider/contact",
        "/services/2/provider/contact/0",
        "/services/2/provider/contact/1/phone",
        "/annotations/0/annotator/individual/phone",
        "/annotations/1/annotator",
        "/annotations/1/annotator/organization/contact",
        "/annotations/2/annotator/organization",
        "/annotations/3/annotator",
    ] {
        assert!(text.contains(at), "{at} not in:\n{text}");
    }
    // What is well formed is kept.
    let p = d.sbom.services[1].provider.as_ref().unwrap();
    assert_eq!(p.name.as_deref(), Some("P"));
    assert!(p.contacts.is_empty());
    assert_eq!(d.sbom.annotations[0].annotator, "Person: Sam");
    // The same shapes in XML: a contact with text only, a phone with elements in it.
    let xml = br#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components><component type="library" bom-ref="a"><name>a</name></component></components>
  <services><service><provider><name>P</name><contact>support@p.example</contact></provider><name>s</name></service></services>
  <annotations><annotation><subjects><subject ref="a"/></subjects>
    <annotator><individual><name>Sam</name><phone><n>1</n></phone></individual></annotator>
    <timestamp>2024-01-01T00:00:00Z</timestamp><text>t</text></annotation></annotations>
</bom>"#;
    let x = read(xml).unwrap();
    let text = x.report.to_string();
    for at in [
        "/services/0/provider/contact",
        "/annotations/0/annotator/individual/phone",
    ] {
        assert!(text.contains(at), "{at} not in:\n{text}");
    }
}

/// A component's supplier is an organizational entity: its URLs and contacts (with phones) read
/// the same from JSON and XML and are written back whole; SPDX keeps the name and the first
/// contact's email (`Organization: name (email)`) and reports the rest lost. An SPDX supplier's
/// email comes back from CycloneDX as it went.
#[test]
fn a_component_supplier_keeps_its_urls_and_contacts() {
    let src = "sbom/cyclonedx/1.6/valid-bom-1.6.json";
    let j = read(&supply_testkit::read(src)).unwrap().sbom;
    let x = read(&supply_testkit::read(
        "sbom/cyclonedx/1.6/valid-bom-1.6.xml",
    ))
    .unwrap()
    .sbom;
    let suppliers = |s: &supply_sbom::model::Sbom| -> Vec<_> {
        s.packages
            .iter()
            .map(|p| (p.supplier.clone(), p.supplier_detail.clone()))
            .collect()
    };
    assert_eq!(suppliers(&j), suppliers(&x));
    let app = j
        .package("pkg:maven/com.example/myapplication@1.0.0?packaging=war")
        .unwrap();
    assert_eq!(
        app.supplier.as_deref(),
        Some("Organization: Example, Inc. (support@example.com)")
    );
    let sup = app.supplier_detail.as_deref().unwrap();
    assert_eq!(sup.urls, ["https://example.com", "https://example.net"]);
    assert_eq!(sup.contacts.len(), 2);
    assert_eq!(sup.contacts[0].phone.as_deref(), Some("800-555-1212"));
    assert_eq!(
        sup.contacts[1].email.as_deref(),
        Some("support@apac.example.com")
    );
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let c = supply_sbom::convert::convert(&supply_testkit::read(src), to).unwrap();
        assert!(
            !c.losses
                .iter()
                .any(|l| l.what.contains("components[].supplier")),
            "{to}: {:?}",
            c.losses
        );
        assert_eq!(
            suppliers(&read(&c.output).unwrap().sbom),
            suppliers(&j),
            "{to}"
        );
    }
    let c =
        supply_sbom::convert::convert(&supply_testkit::read(src), OutputFormat::SpdxJson).unwrap();
    for want in ["package.supplier.urls", "package.supplier.contacts"] {
        assert!(
            c.losses.iter().any(|l| l.what == want && l.count == 1),
            "{want}: {:?}",
            c.losses
        );
    }
    assert!(
        !c.losses.iter().any(|l| l.what == "package.supplier"),
        "{:?}",
        c.losses
    );
    // SPDX's supplier (a person, with an email) to CycloneDX and back.
    let spdx = supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let before = read(&spdx).unwrap().sbom;
    let glibc = |s: &supply_sbom::model::Sbom| {
        s.packages
            .iter()
            .find(|p| p.name == "glibc")
            .and_then(|p| p.supplier.clone())
    };
    assert_eq!(
        glibc(&before).as_deref(),
        Some("Person: Jane Doe (jane.doe@example.com)")
    );
    let cdx = supply_sbom::convert::convert(&spdx, OutputFormat::CycloneDxJson).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&cdx.output).unwrap();
    // (glibc is what the document describes: the BOM's `metadata.component`.)
    let supplier = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .chain([&v["metadata"]["component"]])
        .find_map(|c| (c["name"] == "glibc").then(|| c["supplier"].clone()))
        .unwrap();
    assert_eq!(
        supplier,
        serde_json::json!({"contact": [{"email": "jane.doe@example.com"}], "name": "Jane Doe"})
    );
    let back = supply_sbom::convert::convert(&cdx.output, OutputFormat::SpdxJson).unwrap();
    assert!(
        !back
            .losses
            .iter()
            .any(|l| l.what.starts_with("package.supplier")),
        "{:?}",
        back.losses
    );
}
