//! Conversions and their loss reports, on the spec examples and real-world SBOMs.

use supply_sbom::convert::{convert, Loss, Stage};
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::model::{RelationshipType, Sbom};

fn losses(rel: &str, to: OutputFormat) -> Vec<Loss> {
    let c = convert(&supply_testkit::read(rel), to).unwrap_or_else(|e| panic!("{rel}: {e}"));
    // Whatever was lost, the output is a document our reader takes.
    read(&c.output).unwrap_or_else(|e| panic!("{rel} -> {to}: {e}"));
    c.losses
}

fn has(l: &[Loss], stage: Stage, what: &str) -> bool {
    l.iter().any(|l| l.stage == stage && l.what == what)
}

/// What we write ourselves converts back without loss, in every format pair that carries
/// the same model fields: the report is not noise.
#[test]
fn our_own_output_converts_without_loss() {
    let src = supply_testkit::read("sbom/realworld/guac/big-mongo-cyclonedx.json");
    let first = convert(&src, OutputFormat::SpdxJson).unwrap();
    for to in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue] {
        let again = convert(&first.output, to).unwrap();
        assert!(
            again.losses.is_empty(),
            "spdx-json -> {to}: {:?}",
            again.losses
        );
    }
    let cdx = convert(&src, OutputFormat::CycloneDxJson).unwrap();
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let again = convert(&cdx.output, to).unwrap();
        assert!(
            again.losses.is_empty(),
            "cyclonedx-json -> {to}: {:?}",
            again.losses
        );
    }
}

/// The JSON writers write object keys in byte order, as they always have (they once built a
/// `serde_json::Value`, whose maps sort): their output is itself re-serialized through a
/// `Value`. Together these documents give every field either writer has.
#[test]
fn json_writers_write_keys_in_byte_order() {
    for rel in [
        "sbom/spdx/tools-python/valid/circleConversionTestInitialDocument.json",
        "sbom/cyclonedx/1.4/valid-properties-1.4.json",
        "sbom/cyclonedx/1.6/valid-bom-1.6.json",
        "sbom/realworld/trivy/valid_sbom-1.4_trivy-0.36.1_alpine-3.13.1.cdx.json",
        "sbom/realworld/guac/small-legal-cyclonedx.json",
        "sbom/cyclonedx/1.6/valid-formulation-1.6.json",
    ] {
        let doc = read(&supply_testkit::read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for to in [OutputFormat::SpdxJson, OutputFormat::CycloneDxJson] {
            let out = write(&doc.sbom, to);
            let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let mut sorted = serde_json::to_vec_pretty(&value).unwrap();
            sorted.push(b'\n');
            assert!(out == sorted, "{rel} -> {to}: keys out of order");
        }
    }
}

/// Fields the model does not carry are named, outermost path only, with their counts.
#[test]
fn read_losses_name_the_source_fields() {
    let l = losses(
        "sbom/realworld/guac/big-mongo-cyclonedx.json",
        OutputFormat::SpdxJson,
    );
    // The SWID tag is carried (SPDX's `SECURITY swid` reference).
    assert!(!l.iter().any(|l| l.what.contains("swid")), "{l:?}");
    // External references keep their comments.
    assert!(
        !l.iter().any(|l| l.what.contains("externalReferences")),
        "{l:?}"
    );
    // The 153 publishers are carried (and travel through SPDX as `cyclonedx:publisher`).
    assert!(!l.iter().any(|l| l.what.contains("publisher")), "{l:?}");

    // SPDX 3: a whole element type the model has no place for is one entry, not one per field.
    let l = losses(
        "sbom/spdx/spdx-examples/software-example11-sbom.spdx3.json",
        OutputFormat::SpdxJson,
    );
    // Organizations are the document's creators, carried.
    assert!(
        !l.iter().any(|l| l.what.starts_with("@graph[Organization]")),
        "{l:?}"
    );
    // Lifecycle-scoped relationships are carried (`dependsOn` in `build` is
    // BUILD_DEPENDENCY_OF); only their `completeness` is not.
    assert!(
        !has(&l, Stage::Read, "@graph[LifecycleScopedRelationship]"),
        "{l:?}"
    );
    assert!(
        has(
            &l,
            Stage::Read,
            "@graph[LifecycleScopedRelationship].completeness"
        ),
        "{l:?}"
    );

    let l = losses(
        "sbom/spdx/spdx-examples/ai-example02-sbom.spdx3.json",
        OutputFormat::SpdxJson,
    );
    assert!(has(&l, Stage::Read, "@graph[ai_AIPackage]"), "{l:?}");
    assert!(!l
        .iter()
        .any(|l| l.what.starts_with("@graph[ai_AIPackage].")));

    // Tag-value: by tag. (File types, once a loss here, are carried now.)
    let l = losses(
        "sbom/spdx/spdx-examples/software-example1-example1.spdx",
        OutputFormat::SpdxJson,
    );
    assert!(l.is_empty(), "{l:?}");
    // Every SPDX 2 spec example converts SPDX 2 to SPDX 2 without a loss.
    for ex in [
        "sbom/spdx/v2.3/SPDXTagExample-v2.3.spdx",
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
        "sbom/spdx/v2.2/SPDXTagExample-v2.2.spdx",
        "sbom/spdx/v2.2/SPDXJSONExample-v2.2.spdx.json",
    ] {
        for to in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue] {
            let l = losses(ex, to);
            assert!(l.is_empty(), "{ex} -> {to}: {l:?}");
        }
    }
    // A verification code stated for a package whose files were not analyzed (NOASSERTION
    // here) is not written back.
    let l = losses(
        "sbom/realworld/daggerboard/vulnerable.spdx",
        OutputFormat::SpdxJson,
    );
    assert!(has(&l, Stage::Read, "PackageVerificationCode"), "{l:?}");
}

/// SPDX relationships other than dependencies have no CycloneDX form; SPDX 3 keeps them.
#[test]
fn write_losses_name_the_model_fields() {
    let rel = "sbom/spdx/spdx-examples/software-example1-example1.spdx";
    let to_cdx = losses(rel, OutputFormat::CycloneDxJson);
    assert!(
        has(&to_cdx, Stage::Write, "relationship GENERATED_FROM"),
        "{to_cdx:?}"
    );
    let to_spdx3 = losses(rel, OutputFormat::Spdx3JsonLd);
    assert!(
        !has(&to_spdx3, Stage::Write, "relationship GENERATED_FROM"),
        "{to_spdx3:?}"
    );
    // Nothing is reported lost to SPDX 2.3 JSON that the tag-value source had.
    let to_json = losses(rel, OutputFormat::SpdxJson);
    assert!(
        to_json.iter().all(|l| l.stage == Stage::Read),
        "{to_json:?}"
    );
}

/// To CycloneDX: a package's concluded and declared licenses both survive when they are single
/// licenses (written as two acknowledged `license` entries, read back by their
/// `acknowledgement`), in JSON and XML; `NOASSERTION` (nothing known) is not reported as lost;
/// only what CycloneDX cannot hold is (two different expressions).
#[test]
fn licenses_survive_to_cyclonedx_and_noassertion_is_no_loss() {
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let alpine = losses("sbom/realworld/guac/alpine-spdx.json", to);
        assert!(
            !has(&alpine, Stage::Write, "package.license_concluded"),
            "{alpine:?}"
        );
        let declared = alpine
            .iter()
            .find(|l| l.what == "package.license_declared")
            .map(|l| l.count);
        // The two packages whose licenses are `A AND B` expressions (one expression only).
        assert_eq!(declared, Some(2), "{alpine:?}");
        let write: Vec<_> = alpine.iter().filter(|l| l.stage == Stage::Write).collect();
        assert_eq!(write.len(), 1, "{alpine:?}");
        // syft writes NOASSERTION for unknown copyright, download location and supplier.
        let syft = losses("sbom/realworld/syft/syft-image.spdx.json", to);
        for what in [
            "package.copyright",
            "package.download_location",
            "package.supplier",
            "package.license_concluded",
        ] {
            assert!(!has(&syft, Stage::Write, what), "{what}: {syft:?}");
        }
    }
}

/// SPDX packages' originator, file name and source information are carried: the spec's 2.2
/// tag-value example keeps them through SPDX 2.3 JSON and tag-value (nothing read is lost),
/// SPDX 3 keeps all but the file name, and what a target cannot hold is reported, not dropped
/// silently.
#[test]
fn originator_file_name_and_source_info_are_carried() {
    let rel = "sbom/spdx/v2.2/SPDXTagExample-v2.2.spdx";
    let doc = read(&supply_testkit::read(rel)).unwrap();
    let glibc = doc
        .sbom
        .packages
        .iter()
        .find(|p| p.name == "glibc")
        .unwrap();
    assert_eq!(glibc.file_name.as_deref(), Some("glibc-2.11.1.tar.gz"));
    assert_eq!(
        glibc.originator.as_deref(),
        Some("Organization: ExampleCodeInspect (contact@example.com)")
    );
    assert_eq!(
        glibc.source_info.as_deref(),
        Some("uses glibc-2_11-branch from git://sourceware.org/git/glibc.git.")
    );
    for to in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue] {
        let l = losses(rel, to);
        for what in [
            "PackageOriginator",
            "PackageFileName",
            "PackageSourceInfo",
            "package.originator",
            "package.file_name",
            "package.source_info",
        ] {
            assert!(!l.iter().any(|x| x.what == what), "{to}: {what}: {l:?}");
        }
    }
    // SPDX 3: source information as a property, supplier and originator as Agent elements
    // (`suppliedBy`, `originatedBy`) read back to the same spelling; no file name there.
    let to3 = losses(rel, OutputFormat::Spdx3JsonLd);
    for what in [
        "package.source_info",
        "package.originator",
        "package.supplier",
    ] {
        assert!(!has(&to3, Stage::Write, what), "{what}: {to3:?}");
    }
    assert!(has(&to3, Stage::Write, "package.file_name"), "{to3:?}");
    // CycloneDX: as `spdx:` properties.
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let cdx = losses(rel, to);
        for what in [
            "package.source_info",
            "package.originator",
            "package.file_name",
        ] {
            assert!(!has(&cdx, Stage::Write, what), "{to}: {what}: {cdx:?}");
        }
    }
}

/// SPDX facts CycloneDX has no field for travel as the CycloneDX SPDX interop taxonomy's
/// `spdx:` properties, and files as components of type `file` nested in the package that
/// contains them: syft's alpine SBOM keeps its 75 files and their `CONTAINS`, every CPE in
/// order, `filesAnalyzed: false`, originators, source information, and the document's name
/// and namespace, through CycloneDX JSON and XML.
#[test]
fn spdx_facts_survive_cyclonedx_as_spdx_properties_and_file_components() {
    let rel = "sbom/realworld/guac/alpine-spdx.json";
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    assert_eq!(src.files.len(), 75);
    let contains = |s: &Sbom| {
        s.relationships
            .iter()
            .filter(|r| r.kind.as_str() == "CONTAINS")
            .count()
    };
    assert_eq!(contains(&src), 75);
    let json = convert(&supply_testkit::read(rel), OutputFormat::CycloneDxJson).unwrap();
    let bom: serde_json::Value = serde_json::from_slice(&json.output).unwrap();
    let nested: usize = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["components"].as_array())
        .flatten()
        .filter(|c| c["type"] == "file")
        .count();
    assert_eq!(nested, 75, "every file nested in its package");
    let props: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["properties"].as_array())
        .flatten()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(props.contains(&"spdx:files-analyzed"), "{props:?}");
    assert!(props.contains(&"spdx:package:source-info"), "{props:?}");
    assert!(
        props.contains(&"spdx:external-reference:security:cpe23"),
        "{props:?}"
    );
    assert_eq!(
        bom["metadata"]["properties"][0]["name"],
        "spdx:document:document-namespace"
    );
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let c = convert(&supply_testkit::read(rel), to).unwrap();
        let back = read(&c.output).unwrap().sbom;
        assert_eq!(back.files.len(), 75, "{to}");
        assert_eq!(contains(&back), 75, "{to}");
        assert_eq!(back.namespace, src.namespace, "{to}");
        assert_eq!(back.name, src.name, "{to}");
        for p in &src.packages {
            let q = back.packages.iter().find(|q| q.name == p.name).unwrap();
            assert_eq!(q.cpes, p.cpes, "{to}: {}", p.name);
            assert_eq!(q.originator, p.originator, "{to}: {}", p.name);
            assert_eq!(q.source_info, p.source_info, "{to}: {}", p.name);
            assert_eq!(q.files_analyzed, Some(false), "{to}: {}", p.name);
        }
        let mut names: Vec<&str> = back.files.iter().map(|f| f.name.as_str()).collect();
        let mut want: Vec<&str> = src.files.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        want.sort_unstable();
        assert_eq!(names, want, "{to}");
        for what in [
            "files",
            "package.cpes",
            "package.files_analyzed",
            "package.originator",
            "package.source_info",
            "document.namespace",
            "relationship CONTAINS",
        ] {
            assert!(
                !has(&c.losses, Stage::Write, what),
                "{to}: {what}: {:?}",
                c.losses
            );
        }
    }
}

/// A CycloneDX BOM written back as CycloneDX loses nothing its model holds: license lists with
/// deprecated ids (`LGPL-2.1+`) come back with the current ones, which is no loss; other
/// external references come back as references.
#[test]
fn cyclonedx_to_cyclonedx_loses_nothing_the_model_holds() {
    for rel in [
        "sbom/realworld/guac/big-mongo-cyclonedx.json",
        "sbom/realworld/guac/cyclonedx-components-flat.json",
        "sbom/realworld/guac/small-deps-cyclonedx.json",
    ] {
        let c = convert(&supply_testkit::read(rel), OutputFormat::CycloneDxJson).unwrap();
        let write: Vec<_> = c
            .losses
            .iter()
            .filter(|l| l.stage == Stage::Write)
            .collect();
        assert!(write.is_empty(), "{rel}: {write:?}");
    }
}

/// SPDX's people and organization creators survive CycloneDX (JSON and XML) as the BOM's
/// `authors` and `manufacturer`, name and email apart, and come back as the same lines (an
/// empty `()` email, as the SPDX examples write, is no email and no loss).
#[test]
fn person_and_organization_creators_survive_cyclonedx() {
    let cases = [
        (
            "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
            serde_json::json!([{"name": "Jane Doe"}]),
            serde_json::json!({"name": "ExampleCodeInspect"}),
        ),
        (
            "sbom/spdx/spdx-examples/presentations-OSS-NA-2023-SPDXVersion2.3-01-MinimalSBOM.json",
            serde_json::json!([{"name": "Gary O'Neall", "email": "gary@sourceauditor.com"}]),
            serde_json::Value::Null,
        ),
    ];
    for (rel, authors, manufacturer) in cases {
        let src = read(&supply_testkit::read(rel)).unwrap();
        for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
            let c = convert(&supply_testkit::read(rel), to).unwrap();
            assert!(
                !has(&c.losses, Stage::Write, "document.creators"),
                "{rel} -> {to}: {:?}",
                c.losses
            );
            let back = read(&c.output).unwrap();
            for creator in src
                .sbom
                .creators
                .iter()
                .filter(|c| !c.starts_with("Tool: "))
            {
                let plain = creator.strip_suffix(" ()").unwrap_or(creator);
                assert!(
                    back.sbom.creators.iter().any(|b| b == plain),
                    "{rel} -> {to}: {creator}"
                );
            }
            assert!(
                back.report.issues().is_empty(),
                "{rel} -> {to}: {:?}",
                back.report
            );
        }
        let json = convert(&supply_testkit::read(rel), OutputFormat::CycloneDxJson).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json.output).unwrap();
        assert_eq!(v["metadata"]["authors"], authors, "{rel}");
        assert_eq!(v["metadata"]["manufacturer"], manufacturer, "{rel}");
    }
}

/// The SPDX 2.3 relationship types.
const SPDX2_RELATIONSHIPS: [&str; 45] = [
    "AMENDS",
    "ANCESTOR_OF",
    "BUILD_DEPENDENCY_OF",
    "BUILD_TOOL_OF",
    "CONTAINED_BY",
    "CONTAINS",
    "COPY_OF",
    "DATA_FILE_OF",
    "DEPENDENCY_MANIFEST_OF",
    "DEPENDENCY_OF",
    "DEPENDS_ON",
    "DESCENDANT_OF",
    "DESCRIBED_BY",
    "DESCRIBES",
    "DEV_DEPENDENCY_OF",
    "DEV_TOOL_OF",
    "DISTRIBUTION_ARTIFACT",
    "DOCUMENTATION_OF",
    "DYNAMIC_LINK",
    "EXAMPLE_OF",
    "EXPANDED_FROM_ARCHIVE",
    "FILE_ADDED",
    "FILE_DELETED",
    "FILE_MODIFIED",
    "GENERATED_FROM",
    "GENERATES",
    "HAS_PREREQUISITE",
    "METAFILE_OF",
    "OPTIONAL_COMPONENT_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "OTHER",
    "PACKAGE_OF",
    "PATCH_APPLIED",
    "PATCH_FOR",
    "PREREQUISITE_FOR",
    "PROVIDED_DEPENDENCY_OF",
    "REQUIREMENT_DESCRIPTION_FOR",
    "RUNTIME_DEPENDENCY_OF",
    "SPECIFICATION_FOR",
    "STATIC_LINK",
    "TEST_CASE_OF",
    "TEST_DEPENDENCY_OF",
    "TEST_OF",
    "TEST_TOOL_OF",
    "VARIANT_OF",
];

/// The `enum` of the SPDX 3.0.1 JSON schema that lists every one of `members`.
fn schema_enum(members: &[&str]) -> Vec<String> {
    fn find(v: &serde_json::Value, members: &[&str]) -> Option<Vec<String>> {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Array(e)) = m.get("enum") {
                    if members.iter().all(|m| e.iter().any(|x| x == m)) {
                        return Some(
                            e.iter()
                                .filter_map(|x| x.as_str().map(str::to_owned))
                                .collect(),
                        );
                    }
                }
                m.values().find_map(|v| find(v, members))
            }
            serde_json::Value::Array(a) => a.iter().find_map(|v| find(v, members)),
            _ => None,
        }
    }
    let schema: serde_json::Value = serde_json::from_slice(&supply_testkit::read(
        "sbom/spdx/schema/spdx-json-schema-v3.0.1.json",
    ))
    .unwrap();
    find(&schema, members).unwrap()
}

/// Every SPDX 2.3 relationship type, written as SPDX 3.0.1, is a `RelationshipType` of the
/// SPDX 3 schema (with a `LifecycleScopeType` scope where SPDX 2 named the lifecycle:
/// `DEV_DEPENDENCY_OF` is `dependsOn` in `development`), named from the end SPDX 3 names it
/// from (`A GENERATED_FROM B` is `B generates A`), and reads back as the same fact.
#[test]
fn spdx2_relationships_become_spdx3_relationship_types_and_come_back() {
    let types = schema_enum(&["contains", "dependsOn", "usesTool"]);
    let scopes = schema_enum(&["build", "development", "runtime", "test", "design"]);
    for ty in SPDX2_RELATIONSHIPS {
        let doc = serde_json::json!({
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "rel", "documentNamespace": "https://example.com/rel",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
            "packages": [
                {"SPDXID": "SPDXRef-A", "name": "a", "downloadLocation": "NOASSERTION"},
                {"SPDXID": "SPDXRef-B", "name": "b", "downloadLocation": "NOASSERTION"}],
            "relationships": [
                {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-A"},
                {"spdxElementId": "SPDXRef-A", "relationshipType": ty, "relatedSpdxElement": "SPDXRef-B"}]
        });
        let sbom = read(doc.to_string().as_bytes()).unwrap().sbom;
        let out = write(&sbom, OutputFormat::Spdx3JsonLd);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let rels: Vec<&serde_json::Value> = v["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "Relationship" || e["type"] == "LifecycleScopedRelationship")
            .collect();
        assert_eq!(rels.len(), 1, "{ty}: {rels:?}");
        let written = rels[0];
        let t = written["relationshipType"].as_str().unwrap();
        assert!(types.iter().any(|x| x == t), "{ty} written as {t}");
        if let Some(scope) = written.get("scope") {
            assert_eq!(written["type"], "LifecycleScopedRelationship", "{ty}");
            assert!(scopes.iter().any(|x| x == scope), "{ty}: scope {scope}");
        }
        let want = RelationshipType::parse(ty).to_spdx3();
        let (from, to) = if want.swap { ("b", "a") } else { ("a", "b") };
        let end =
            |v: &serde_json::Value| v.as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        assert_eq!(
            (end(&written["from"]), end(&written["to"][0])),
            (from.to_uppercase(), to.to_uppercase()),
            "{ty}: {written}"
        );

        let back = read(&out).unwrap().sbom;
        let id = |name: &str| {
            back.packages
                .iter()
                .find(|p| p.name == name)
                .unwrap()
                .id
                .clone()
        };
        let (a, b) = (id("a"), id("b"));
        let r = back
            .relationships
            .iter()
            .find(|r| (r.from == a && r.to == b) || (r.from == b && r.to == a))
            .unwrap_or_else(|| panic!("{ty}: {:?}", back.relationships));
        let got = r.kind.to_spdx3();
        assert_eq!(
            (got.kind, got.scope),
            (want.kind, want.scope),
            "{ty} came back as {}",
            r.kind
        );
        let ends = if got.swap {
            (&r.to, &r.from)
        } else {
            (&r.from, &r.to)
        };
        let expected = if want.swap { (&b, &a) } else { (&a, &b) };
        assert_eq!(ends, expected, "{ty} came back as {}", r.kind);
    }
}

/// SPDX 2 files keep their copyright, concluded license and licenses found in them
/// (`licenseInfoInFiles`, SPDX 3's declared licenses) through SPDX 3, packages their
/// verification code (a `PackageVerificationCode` integrity method), the document its creators
/// and namespace, and the document's DESCRIBES (its root elements there) are no loss, nor are
/// the document's other relationships (the SpdxDocument element's: CONTAINS, and COPY_OF of
/// another document's element) and its snippets (`software_Snippet`); what SPDX 3 cannot say of
/// the example is still reported (a relationship to NOASSERTION).
#[test]
fn spdx2_file_licenses_and_copyright_survive_spdx3() {
    let rel = "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json";
    let l = losses(rel, OutputFormat::Spdx3JsonLd);
    for what in [
        "file.copyright",
        "file.license_concluded",
        "file.license_info_in_file",
        "relationship DESCRIBES",
        "relationship DYNAMIC_LINK",
        "relationship SPECIFICATION_FOR",
        "document.creators",
        "document.namespace",
        "package.verification_code",
        "relationship CONTAINS",
        "relationship COPY_OF",
        "snippets",
    ] {
        assert!(!has(&l, Stage::Write, what), "{what}: {l:?}");
    }
    assert!(
        has(&l, Stage::Write, "relationship GENERATED_FROM"),
        "{l:?}"
    );
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    let back = read(&write(&src, OutputFormat::Spdx3JsonLd)).unwrap().sbom;
    let file = |s: &Sbom| {
        let f = s
            .files
            .iter()
            .find(|f| f.name.ends_with("foo.c"))
            .unwrap()
            .clone();
        (f.copyright, f.license_concluded, f.license_info_in_file)
    };
    assert_eq!(file(&back), file(&src));
    // Creators: people and organizations are agents (`createdBy`), tools are `createdUsing`;
    // the document is named by the SPDX 2 namespace.
    let v: serde_json::Value =
        serde_json::from_slice(&write(&src, OutputFormat::Spdx3JsonLd)).unwrap();
    let graph = v["@graph"].as_array().unwrap();
    let type_of = |id: &serde_json::Value| {
        graph
            .iter()
            .find(|e| e["spdxId"] == *id)
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let ci = graph.iter().find(|e| e["type"] == "CreationInfo").unwrap();
    let by: Vec<String> = ci["createdBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(type_of)
        .collect();
    assert!(
        by.iter()
            .all(|t| ["SoftwareAgent", "Person", "Organization", "Agent"].contains(&t.as_str())),
        "{by:?}"
    );
    assert!(
        by.iter().any(|t| t == "Person") && by.iter().any(|t| t == "Organization"),
        "{by:?}"
    );
    let using: Vec<String> = ci["createdUsing"]
        .as_array()
        .unwrap()
        .iter()
        .map(type_of)
        .collect();
    assert_eq!(using, ["Tool"]);
    let doc = graph.iter().find(|e| e["type"] == "SpdxDocument").unwrap();
    assert_eq!(doc["spdxId"].as_str(), src.namespace.as_deref());
}

/// SPDX 2 external references, extracted licenses and external document references survive
/// SPDX 3: references as `externalIdentifier` / `externalRef` of the SPDX 3 vocabularies
/// (`swid`, `swhid`, `gitoid`, `securityAdvisory`, `mavenCentral`, …; a type SPDX 3 has no name
/// for as `other`, its comment saying what it was), extracted licenses as
/// `expandedlicensing_CustomLicense` elements that expressions map their `LicenseRef-` ids to
/// (`simplelicensing_customIdToUri`), other documents as the SPDX document's `namespaceMap` and
/// `import`, and a relationship to another document's element by that namespace.
#[test]
fn spdx2_references_custom_licenses_and_other_documents_survive_spdx3() {
    let rel = "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json";
    let l = losses(rel, OutputFormat::Spdx3JsonLd);
    for what in [
        "extracted_licenses",
        "external_documents",
        "package.external_refs",
    ] {
        assert!(!has(&l, Stage::Write, what), "{what}: {l:?}");
    }
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    let out = write(&src, OutputFormat::Spdx3JsonLd);
    let back = read(&out).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    assert_eq!(back.sbom.extracted_licenses.len(), 5);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let graph = v["@graph"].as_array().unwrap();
    let custom: Vec<&serde_json::Value> = graph
        .iter()
        .filter(|e| e["type"] == "expandedlicensing_CustomLicense")
        .collect();
    assert_eq!(custom.len(), 5);
    assert!(custom
        .iter()
        .all(|c| c["simplelicensing_licenseText"].is_string()));
    // Every LicenseRef an expression names maps to one of those elements.
    let mut mapped = 0;
    for e in graph
        .iter()
        .filter(|e| e["type"] == "simplelicensing_LicenseExpression")
    {
        let text = e["simplelicensing_licenseExpression"].as_str().unwrap();
        for entry in e["simplelicensing_customIdToUri"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(text.contains(entry["key"].as_str().unwrap()), "{e}");
            assert!(custom.iter().any(|c| c["spdxId"] == entry["value"]), "{e}");
            mapped += 1;
        }
        if text.contains("LicenseRef-") {
            assert!(e["simplelicensing_customIdToUri"].is_array(), "{e}");
        }
    }
    assert!(mapped > 0);
    let doc = graph.iter().find(|e| e["type"] == "SpdxDocument").unwrap();
    assert_eq!(
        doc["namespaceMap"][0]["prefix"],
        "DocumentRef-spdx-tool-1.2"
    );
    assert_eq!(
        doc["import"][0]["externalSpdxId"],
        "http://spdx.org/spdxdocs/spdx-tools-v1.2-3F2504E0-4F89-41D3-9A0C-0305E82C3301"
    );
    assert_eq!(back.sbom.external_documents, src.external_documents);

    // Every SPDX 2.3 reference type, and one of a custom type.
    let refs = [
        ("SECURITY", "advisory", "https://nvd.nist.gov/vuln/detail/CVE-2020-28498"),
        ("SECURITY", "fix", "https://github.com/indutny/elliptic/commit/441b7428"),
        ("SECURITY", "url", "https://github.com/christianlundkvist/blog/blob/master/2020_05_26_secp256k1_twist_attacks/secp256k1_twist_attacks.md"),
        ("SECURITY", "swid", "swid:2df9de35-0aff-4a86-ace6-f7dddd1ade4c"),
        ("PACKAGE-MANAGER", "maven-central", "org.apache.tomcat:tomcat:9.0.0.M4"),
        ("PACKAGE-MANAGER", "npm", "http-server@0.3.0"),
        ("PACKAGE-MANAGER", "nuget", "Microsoft.AspNet.MVC/5.0.0"),
        ("PACKAGE-MANAGER", "bower", "modernizr#2.6.2"),
        ("PACKAGE-MANAGER", "purl", "pkg:npm/elliptic@6.5.3"),
        ("PERSISTENT-ID", "swh", "swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"),
        ("PERSISTENT-ID", "gitoid", "gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"),
        ("OTHER", "LocationRef-acmeforge", "acmecorp/acmenator/4.1.3-alpha"),
    ];
    let ext: Vec<serde_json::Value> = refs
        .iter()
        .map(|(c, t, l)| serde_json::json!({"referenceCategory": c, "referenceType": t, "referenceLocator": l}))
        .collect();
    let mut all = vec![
        serde_json::json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/elliptic@6.5.4"}),
    ];
    all.extend(ext);
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "refs", "documentNamespace": "https://example.com/refs",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
        "externalDocumentRefs": [{"externalDocumentId": "DocumentRef-other",
            "spdxDocument": "https://example.com/other",
            "checksum": {"algorithm": "SHA1", "checksumValue": "d6a770ba38583ed4bb4525bd96e50461655d2759"}}],
        "packages": [{"SPDXID": "SPDXRef-A", "name": "elliptic", "downloadLocation": "NOASSERTION",
            "externalRefs": all}],
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-A"},
            {"spdxElementId": "SPDXRef-A", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "DocumentRef-other:SPDXRef-B"}]
    });
    let src = read(doc.to_string().as_bytes()).unwrap();
    assert!(src.report.is_valid(), "{}", src.report);
    let out = write(&src.sbom, OutputFormat::Spdx3JsonLd);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let pkg = v["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "software_Package")
        .unwrap();
    let ref_types = schema_enum(&["securityAdvisory", "mavenCentral", "other"]);
    let id_types = schema_enum(&["cpe23", "swhid", "gitoid"]);
    for r in pkg["externalRef"].as_array().unwrap() {
        assert!(
            ref_types.contains(&r["externalRefType"].as_str().unwrap().to_owned()),
            "{r}"
        );
    }
    for r in pkg["externalIdentifier"].as_array().unwrap() {
        assert!(
            id_types.contains(&r["externalIdentifierType"].as_str().unwrap().to_owned()),
            "{r}"
        );
    }
    let back = read(&out).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    let pair = |s: &Sbom| {
        let mut r: Vec<_> = s.packages[0]
            .external_refs
            .iter()
            .map(|r| (r.category.clone(), r.kind.clone(), r.locator.clone()))
            .collect();
        r.sort();
        (r, s.packages[0].purl.clone(), s.external_documents.clone())
    };
    assert_eq!(pair(&back.sbom), pair(&src.sbom));
    assert_eq!(pair(&src.sbom).0.len(), refs.len());
    assert!(
        back.sbom
            .relationships
            .iter()
            .any(|r| r.to == "DocumentRef-other:SPDXRef-B"),
        "{:?}",
        back.sbom.relationships
    );
}

/// CycloneDX `group`, `publisher` and `author` are carried: written back as themselves (the
/// group out of the name again), through SPDX 2 (JSON and tag-value) and SPDX 3 as
/// `cyclonedx:` lines of the package comment, which the readers take back into the fields.
#[test]
fn cyclonedx_group_publisher_and_author_survive_every_format() {
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [
            {"type": "library", "bom-ref": "a", "group": "org.apache.commons", "name": "commons-lang3",
             "version": "3.14.0", "publisher": "The Apache Software Foundation", "author": "Apache Commons",
             "purl": "pkg:maven/org.apache.commons/commons-lang3@3.14.0",
             "properties": [{"name": "syft:package:type", "value": "java-archive"}]},
            {"type": "library", "bom-ref": "b", "group": "@babel", "name": "core", "version": "7.24.0"}
        ]
    });
    let src = read(bom.to_string().as_bytes()).unwrap().sbom;
    let a = &src.packages[0];
    assert_eq!(a.name, "org.apache.commons/commons-lang3");
    assert_eq!(a.group.as_deref(), Some("org.apache.commons"));
    assert_eq!(
        a.publisher.as_deref(),
        Some("The Apache Software Foundation")
    );
    assert_eq!(a.author.as_deref(), Some("Apache Commons"));
    let fields = |s: &Sbom| {
        s.packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.group.clone(),
                    p.publisher.clone(),
                    p.author.clone(),
                    p.properties.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    for to in [
        OutputFormat::CycloneDxJson,
        OutputFormat::CycloneDxXml,
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let out = write(&src, to);
        let back = read(&out).unwrap().sbom;
        assert_eq!(fields(&back), fields(&src), "{to}");
    }
    let out: serde_json::Value =
        serde_json::from_slice(&write(&src, OutputFormat::CycloneDxJson)).unwrap();
    let c = &out["components"][0];
    assert_eq!(
        (&c["group"], &c["name"]),
        (
            &serde_json::json!("org.apache.commons"),
            &serde_json::json!("commons-lang3")
        )
    );
    assert_eq!(out["components"][1]["name"], "core");
}

/// SPDX 2.3's package dates (`builtDate`, `releaseDate`, `validUntilDate`) are carried: through
/// SPDX 2 JSON, tag-value and SPDX 3 (`builtTime`, `releaseTime`, `validUntilTime`) unchanged,
/// reported lost to CycloneDX (no component field), and a date that is not an SPDX timestamp
/// is an issue.
#[test]
fn spdx_package_dates_survive_spdx_and_are_reported_lost_to_cyclonedx() {
    let rel = "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json";
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    let dates = |s: &Sbom| {
        s.packages
            .iter()
            .map(|p| {
                (
                    p.built_date.clone(),
                    p.release_date.clone(),
                    p.valid_until_date.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let want = dates(&src);
    assert!(
        want.contains(&(
            Some("2011-01-29T18:30:22Z".into()),
            Some("2012-01-29T18:30:22Z".into()),
            Some("2014-01-29T18:30:22Z".into())
        )),
        "{want:?}"
    );
    for to in [
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let back = read(&write(&src, to)).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(dates(&back.sbom), want, "{to}");
        assert!(
            !losses(rel, to).iter().any(|l| l.what.contains("date")),
            "{to}"
        );
    }
    assert!(has(
        &losses(rel, OutputFormat::CycloneDxJson),
        Stage::Write,
        "package.built_date"
    ));
    let bad = String::from_utf8(supply_testkit::read(rel))
        .unwrap()
        .replacen(
            "\"builtDate\" : \"2011-01-29T18:30:22Z\"",
            "\"builtDate\" : \"yesterday\"",
            1,
        );
    assert!(bad.contains("yesterday"));
    let doc = read(bad.as_bytes()).unwrap();
    assert!(
        doc.report.to_string().contains("builtDate"),
        "{}",
        doc.report
    );
}

/// Facts the writer of the same format states in another place are not reported lost: SPDX 2's
/// `documentDescribes` and `hasFiles` (written as relationships), and CycloneDX 1.4 tools
/// (written in the 1.5 form, the SPDX `Tool: name-version` split back into name and version);
/// what is lost still is (a tool's vendor).
#[test]
fn facts_written_elsewhere_are_not_losses() {
    let l = losses(
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
        OutputFormat::SpdxJson,
    );
    assert!(!has(&l, Stage::Read, "documentDescribes"), "{l:?}");
    assert!(!has(&l, Stage::Read, "packages[].hasFiles"), "{l:?}");
    let rel = "sbom/realworld/guac/alpine-cyclonedx.json";
    let l = losses(rel, OutputFormat::CycloneDxJson);
    assert!(!has(&l, Stage::Read, "metadata.tools[].name"), "{l:?}");
    assert!(!has(&l, Stage::Read, "metadata.tools[].version"), "{l:?}");
    assert!(has(&l, Stage::Read, "metadata.tools[].vendor"), "{l:?}");
    let doc = read(&supply_testkit::read(rel)).unwrap();
    let out: serde_json::Value =
        serde_json::from_slice(&write(&doc.sbom, OutputFormat::CycloneDxJson)).unwrap();
    let tools = out["metadata"]["tools"]["components"].as_array().unwrap();
    assert_eq!(
        (&tools[0]["name"], &tools[0]["version"]),
        (&serde_json::json!("syft"), &serde_json::json!("0.58.0"))
    );
}

/// A file's comment and the document's license list version are carried: through SPDX 2 JSON,
/// tag-value and (the comment) SPDX 3, the comment as a CycloneDX file component's
/// `description` and the version as the BOM property `spdx:creation-info:license-list-version`;
/// SPDX 3 has no place for the version and says so.
#[test]
fn file_comments_and_the_license_list_version_are_carried() {
    let rel = "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json";
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    assert_eq!(src.license_list_version.as_deref(), Some("3.17"));
    let comments = |s: &Sbom| {
        let mut c: Vec<(String, Option<String>)> = s
            .files
            .iter()
            .map(|f| (f.name.clone(), f.comment.clone()))
            .collect();
        c.sort();
        c
    };
    assert!(comments(&src).iter().filter(|(_, c)| c.is_some()).count() >= 3);
    for to in [
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
        OutputFormat::CycloneDxJson,
        OutputFormat::CycloneDxXml,
    ] {
        let back = read(&write(&src, to)).unwrap().sbom;
        assert_eq!(comments(&back), comments(&src), "{to}");
        let l = losses(rel, to);
        assert!(!has(&l, Stage::Write, "file.comment"), "{to}: {l:?}");
        assert_eq!(
            has(&l, Stage::Write, "document.license_list_version"),
            to == OutputFormat::Spdx3JsonLd,
            "{to}: {l:?}"
        );
    }
}

/// A package's summary and attribution texts are carried through SPDX 2 JSON, tag-value and
/// SPDX 3 (`summary`, `software_attributionText`); CycloneDX has no field for them and the loss
/// report says so (its `description` takes the summary when there is no description).
#[test]
fn package_summary_and_attribution_texts_are_carried() {
    let rel = "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json";
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    let facts = |s: &Sbom| {
        s.packages
            .iter()
            .map(|p| (p.summary.clone(), p.attribution_texts.clone()))
            .collect::<Vec<_>>()
    };
    let want = facts(&src);
    assert!(
        want.iter().any(|(s, a)| s.is_some() && !a.is_empty()),
        "{want:?}"
    );
    for to in [
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let back = read(&write(&src, to)).unwrap().sbom;
        assert_eq!(facts(&back), want, "{to}");
    }
    let l = losses(rel, OutputFormat::CycloneDxJson);
    assert!(has(&l, Stage::Write, "package.summary"), "{l:?}");
    assert!(has(&l, Stage::Write, "package.attribution_texts"), "{l:?}");
}

/// A CycloneDX SWID tag is SPDX's `SECURITY swid` reference (locator `swid:<tagId>`), and the
/// first such reference is written back as the component's `swid` (its name and version the
/// component's): syft's OS component keeps its tag through every format.
#[test]
fn swid_tags_survive_every_format() {
    let rel = "sbom/realworld/guac/alpine-cyclonedx.json";
    let src = read(&supply_testkit::read(rel)).unwrap().sbom;
    let alpine = src.packages.iter().find(|p| p.name == "alpine").unwrap();
    let swid = alpine.external_refs.first().unwrap();
    assert_eq!(
        (
            swid.category.as_str(),
            swid.kind.as_str(),
            swid.locator.as_str()
        ),
        ("SECURITY", "swid", "swid:alpine")
    );
    for to in [
        OutputFormat::CycloneDxJson,
        OutputFormat::CycloneDxXml,
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let back = read(&write(&src, to)).unwrap().sbom;
        let p = back.packages.iter().find(|p| p.name == "alpine").unwrap();
        assert_eq!(p.external_refs, alpine.external_refs, "{to}");
    }
    let out: serde_json::Value =
        serde_json::from_slice(&write(&src, OutputFormat::CycloneDxJson)).unwrap();
    let written = out["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "alpine")
        .unwrap();
    assert_eq!(
        written["swid"],
        serde_json::json!({"name": "alpine", "tagId": "alpine", "version": "3.16.2"})
    );
}

/// The SPDX 2.3 example's snippet (byte and line ranges, licenses, copyright, comment) reads
/// from JSON and survives SPDX 2 JSON, tag-value and SPDX 3; SPDX 2 JSON needs a byte range,
/// and a snippet without one is counted lost, not written invalid.
#[test]
fn snippets_survive_every_spdx_format() {
    let src = supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let doc = read(&src).unwrap();
    assert_eq!(doc.sbom.snippets.len(), 1);
    let sn = &doc.sbom.snippets[0];
    assert_eq!(sn.id, "SPDXRef-Snippet");
    assert_eq!(sn.file, "SPDXRef-DoapSource");
    assert_eq!(sn.byte_range, Some((310, 420)));
    assert_eq!(sn.line_range, Some((5, 23)));
    assert_eq!(
        sn.license_concluded.as_ref().unwrap().to_string(),
        "GPL-2.0-only"
    );
    assert_eq!(sn.license_info_in_snippet, ["GPL-2.0-only"]);
    assert_eq!(
        sn.copyright.as_deref(),
        Some("Copyright 2008-2010 John Smith")
    );
    for to in [
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let c = convert(&src, to).unwrap();
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        let b = &back.sbom.snippets;
        assert_eq!(b.len(), 1, "{to}");
        assert_eq!(
            (b[0].byte_range, b[0].line_range),
            (sn.byte_range, sn.line_range),
            "{to}"
        );
        assert_eq!(b[0].license_concluded, sn.license_concluded, "{to}");
        assert_eq!(
            b[0].license_info_in_snippet, sn.license_info_in_snippet,
            "{to}"
        );
        assert_eq!(b[0].comment, sn.comment, "{to}");
        // SPDX 3 has no license comments, on snippets as on packages and files.
        assert!(
            !c.losses
                .iter()
                .any(|l| l.what.contains("snippet") && l.what != "snippet.license_comments"),
            "{to}: {:?}",
            c.losses
        );
    }
    // No byte range: SPDX 2 cannot state it, and says so.
    let no_range = br#"{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
      "name": "d", "documentNamespace": "https://example.com/d",
      "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]},
      "files": [{"SPDXID": "SPDXRef-f", "fileName": "./a.c", "checksums": [{"algorithm": "SHA1", "checksumValue": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],
      "snippets": [{"SPDXID": "SPDXRef-s", "name": "s", "snippetFromFile": "SPDXRef-f",
        "ranges": [{"startPointer": {"reference": "SPDXRef-f", "lineNumber": 1}, "endPointer": {"reference": "SPDXRef-f", "lineNumber": 2}}]}]}"#;
    let d = read(no_range).unwrap();
    assert!(d.report.to_string().contains("/snippets/0"), "{}", d.report);
    assert_eq!(d.sbom.snippets[0].line_range, Some((1, 2)));
    let c = convert(no_range, OutputFormat::SpdxJson).unwrap();
    assert!(
        c.losses.iter().any(|l| l.what == "snippets"),
        "{:?}",
        c.losses
    );
}

/// What SPDX 2 says beside the core fields (document and creator comments, a package's own
/// comment next to the properties we state there, license comments, licenses from files, file
/// types, notices and contributors) survives SPDX 2 JSON and tag-value; file types and the
/// comments survive SPDX 3 (as purposes and content type).
#[test]
fn spdx2_comments_notices_and_file_types_survive() {
    let src = supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let before = read(&src).unwrap().sbom;
    assert!(before
        .comment
        .as_deref()
        .unwrap()
        .starts_with("This document was created"));
    assert!(before.creator_comment.is_some());
    let f = before
        .files
        .iter()
        .find(|f| f.id == "SPDXRef-DoapSource")
        .unwrap();
    assert_eq!(f.types, ["SOURCE"]);
    assert_eq!(f.contributors.len(), 5);
    let with_notice = before.files.iter().filter(|f| f.notice.is_some()).count();
    assert_eq!(with_notice, 2);
    let p = before.package("SPDXRef-Package").unwrap();
    assert!(p.license_comments.is_some());
    assert!(!p.license_info_from_files.is_empty());

    // A package comment of its own, and properties: both come back.
    let mut with_comment = before.clone();
    with_comment.packages[0].comment = Some("Reviewed.\nTwice.".into());
    with_comment.packages[0]
        .properties
        .push("supply:note", "x=y");
    for to in [
        OutputFormat::SpdxJson,
        OutputFormat::SpdxTagValue,
        OutputFormat::Spdx3JsonLd,
    ] {
        let back = read(&write(&with_comment, to)).unwrap().sbom;
        assert_eq!(back.comment, before.comment, "{to}");
        assert_eq!(back.creator_comment, before.creator_comment, "{to}");
        let bp = &back.packages[0];
        assert_eq!(bp.comment.as_deref(), Some("Reviewed.\nTwice."), "{to}");
        assert_eq!(bp.property("supply:note"), Some("x=y"), "{to}");
        let bf = back.files.iter().find(|b| b.name == f.name).unwrap();
        assert_eq!(bf.types, f.types, "{to}");
        if to != OutputFormat::Spdx3JsonLd {
            assert_eq!(bf.contributors, f.contributors, "{to}");
            assert_eq!(bf.notice, f.notice, "{to}");
            let bp = back.package("SPDXRef-Package").unwrap();
            assert_eq!(bp.license_comments, p.license_comments, "{to}");
            assert_eq!(
                bp.license_info_from_files, p.license_info_from_files,
                "{to}"
            );
        }
    }
    // CycloneDX keeps the comments and license facts as the SPDX property taxonomy's
    // `spdx:comment`, `spdx:license-comments`, `spdx:license-info-from-file` and
    // `spdx:creation-info:comment`.
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let back = read(&write(&with_comment, to)).unwrap().sbom;
        assert_eq!(back.comment, before.comment, "{to}");
        assert_eq!(back.creator_comment, before.creator_comment, "{to}");
        let bp = back.packages.iter().find(|b| b.name == "glibc").unwrap();
        assert_eq!(bp.license_comments, p.license_comments, "{to}");
        assert_eq!(
            bp.license_info_from_files, p.license_info_from_files,
            "{to}"
        );
        let first = back
            .packages
            .iter()
            .find(|b| b.name == with_comment.packages[0].name)
            .unwrap();
        assert_eq!(first.comment.as_deref(), Some("Reviewed.\nTwice."), "{to}");
        let bf = back.files.iter().find(|b| b.name == f.name).unwrap();
        assert_eq!(bf.license_comments, f.license_comments, "{to}");
    }
    // A comment that only looks like ours is a comment.
    let mut odd = Sbom::default();
    let mut pkg = supply_sbom::model::Package::default();
    pkg.id = "SPDXRef-a".into();
    pkg.name = "a".into();
    pkg.comment = Some("Properties (name=value):\nno equals sign here".into());
    odd.packages.push(pkg);
    let back = read(&write(&odd, OutputFormat::SpdxJson)).unwrap().sbom;
    assert_eq!(back.packages[0].comment, odd.packages[0].comment);
    assert!(back.packages[0].properties.is_empty());
}

/// The 2.3 examples' annotations (on the document, a package and a file) read the same from
/// JSON and tag-value, keep their subjects, and survive SPDX 2 JSON, tag-value and SPDX 3.
#[test]
fn annotations_survive_spdx2() {
    let json = read(&supply_testkit::read(
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
    ))
    .unwrap()
    .sbom;
    let tv = read(&supply_testkit::read(
        "sbom/spdx/v2.3/SPDXTagExample-v2.3.spdx",
    ))
    .unwrap()
    .sbom;
    let key = |s: &Sbom| {
        let mut v: Vec<_> = s
            .annotations
            .iter()
            .map(|a| (a.subject.clone(), a.kind.clone(), a.annotator.clone()))
            .collect();
        v.sort();
        v
    };
    assert!(json.annotations.len() >= 3, "{:?}", json.annotations);
    assert!(json
        .annotations
        .iter()
        .any(|a| a.subject == "SPDXRef-DOCUMENT" && a.kind == "OTHER"));
    assert!(json
        .annotations
        .iter()
        .any(|a| a.subject == "SPDXRef-Package" && a.kind == "OTHER"));
    assert_eq!(key(&tv), key(&json));
    for to in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue] {
        let c = convert(
            &supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json"),
            to,
        )
        .unwrap();
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(back.sbom.annotations, json.annotations, "{to}");
        assert!(
            !c.losses.iter().any(|l| l.what.contains("nnotation")),
            "{to}: {:?}",
            c.losses
        );
    }
    // SPDX 3: `Annotation` elements, the annotator and date in their own creation
    // information; subjects are IRIs there, and the annotators are not the document's creators.
    let c = convert(
        &supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json"),
        OutputFormat::Spdx3JsonLd,
    )
    .unwrap();
    assert!(
        !c.losses
            .iter()
            .any(|l| l.what.contains("nnotation") || l.what.contains("creators")),
        "{:?}",
        c.losses
    );
    let back = read(&c.output).unwrap().sbom;
    let notes = |s: &Sbom| {
        let mut v: Vec<_> = s
            .annotations
            .iter()
            .map(|a| (a.kind.clone(), a.annotator.clone(), a.comment.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(notes(&back), notes(&json));
    assert_eq!(
        back.annotations
            .iter()
            .filter(|a| a.subject == "SPDXRef-DOCUMENT")
            .count(),
        3
    );
}

/// Our SPDX 3 of the 2.3 example converts back to SPDX 2 without a loss: the document
/// describes what its SBOM's roots are (not the `software_Sbom` element), and a package with a
/// verification code had its files analyzed.
#[test]
fn our_spdx3_converts_back_to_spdx2_whole() {
    let src = supply_testkit::read("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let spdx3 = convert(&src, OutputFormat::Spdx3JsonLd).unwrap().output;
    let back = convert(&spdx3, OutputFormat::SpdxJson).unwrap();
    assert!(back.losses.is_empty(), "{:?}", back.losses);
    let doc = read(&back.output).unwrap().sbom;
    let original = read(&src).unwrap().sbom;
    assert_eq!(doc.describes.len(), original.describes.len());
    let p = doc.packages.iter().find(|p| p.name == "glibc").unwrap();
    assert_eq!(p.files_analyzed, Some(true));
    assert!(p.verification_code.is_some());
}
