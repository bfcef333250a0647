//! Conversions and their loss reports, on the spec examples and real-world SBOMs.

use supply_sbom::convert::{convert, Loss, Stage};
use supply_sbom::format::{read, write, OutputFormat};

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
    let publisher = l
        .iter()
        .find(|l| l.what == "components[].publisher")
        .unwrap();
    assert_eq!((publisher.stage, publisher.count), (Stage::Read, 153));
    assert!(has(&l, Stage::Read, "components[].swid"));

    // SPDX 3: a whole element type the model has no place for is one entry, not one per field.
    let l = losses(
        "sbom/spdx/spdx-examples/software-example11-sbom.spdx3.json",
        OutputFormat::SpdxJson,
    );
    assert!(
        has(&l, Stage::Read, "@graph[LifecycleScopedRelationship]"),
        "{l:?}"
    );
    assert!(!l
        .iter()
        .any(|l| l.what.starts_with("@graph[LifecycleScopedRelationship].")));

    // Tag-value: by tag.
    let l = losses(
        "sbom/spdx/spdx-examples/software-example1-example1.spdx",
        OutputFormat::SpdxJson,
    );
    assert!(has(&l, Stage::Read, "FileType"), "{l:?}");
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
/// only what CycloneDX cannot hold is (a second CPE, `filesAnalyzed`, two different
/// expressions).
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
        assert!(has(&alpine, Stage::Write, "package.cpes"), "{alpine:?}");
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
    let cdx = losses(rel, OutputFormat::CycloneDxJson);
    assert!(has(&cdx, Stage::Write, "package.file_name"), "{cdx:?}");
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
