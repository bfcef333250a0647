//! SBOMs written by real tools (testdata/sbom/realworld): they read leniently with the
//! component counts of the MANIFEST, and strict validation says what is wrong.

use supply_sbom::format::read;

fn doc(rel: &str) -> supply_sbom::format::Document {
    read(&supply_testkit::read(&format!("sbom/realworld/{rel}")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn realworld_counts() {
    let d = doc("guac/big-mongo-cyclonedx.json");
    // 293 components (the OS one included), plus the image itself (metadata.component).
    assert_eq!(d.sbom.packages.len(), 293 + 1);
    assert_eq!(d.sbom.describes.len(), 1);
    let deb = d
        .sbom
        .packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|p| p.ty() == "deb"))
        .count();
    let go = d
        .sbom
        .packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|p| p.ty() == "golang"))
        .count();
    assert_eq!((deb, go), (153, 139));

    let q = doc("guac/quarkus-deps-cyclonedx.json");
    let maven = q
        .sbom
        .packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|p| p.ty() == "maven"))
        .count();
    assert!(maven >= 94, "{maven}");
    assert!(q.report.is_valid(), "{}", q.report);

    let l = doc("guac/laravel-cyclonedx.xml");
    assert_eq!(l.sbom.packages.len(), 63);

    let a = doc("guac/alpine-spdx.json");
    assert_eq!((a.sbom.packages.len(), a.sbom.files.len()), (14, 75));
    // Fractional-second `created`: read, reported.
    assert!(a
        .report
        .issues()
        .iter()
        .any(|i| i.path == "/creationInfo/created"));

    assert_eq!(doc("guac/oci-spdx.json").sbom.packages.len(), 15);
    let k = doc("guac/oci-kubectl-linux-amd64-spdx.json");
    assert_eq!(k.sbom.packages.len(), 88);

    let small = doc("guac/alpine-small-spdx.json");
    assert_eq!(small.sbom.packages.len(), 3);
    assert!(!small.report.is_valid(), "dangling ids must be reported");

    for bad in [
        "guac/small-spdx.json",
        "guac/invalid-spdx-identifier-spdx.json",
        "guac/invalid-spdx.json",
        "guac/invalid-cyclonedx.json",
    ] {
        let got = read(&supply_testkit::read(&format!("sbom/realworld/{bad}")));
        assert!(
            !matches!(&got, Ok(d) if d.report.is_valid()),
            "{bad} accepted"
        );
    }
    assert!(read(&supply_testkit::read(
        "sbom/realworld/guac/invalid-cyclonedx.xml"
    ))
    .is_err());

    let flat = doc("guac/cyclonedx-components-flat.json");
    let nested = doc("guac/cyclonedx-components-nested.json");
    // The 3 components, plus metadata.component (no bom-ref, so a package of its own).
    assert_eq!(flat.sbom.packages.len(), 3 + 1);
    assert_eq!(nested.sbom.packages.len(), 3 + 1);
    // Nesting becomes CONTAINS.
    assert_eq!(
        nested
            .sbom
            .relationships
            .iter()
            .filter(|r| r.kind.as_str() == "CONTAINS")
            .count(),
        2
    );

    let t = doc("trivy/valid_sbom-1.4_trivy-0.36.1_alpine-3.13.1.cdx.json");
    assert_eq!(t.sbom.packages.len(), 15 + 1); // + metadata.component (the image)
    assert!(t.report.is_valid(), "{}", t.report);

    let dagger = doc("daggerboard/vulnerable.spdx");
    assert_eq!(dagger.sbom.packages.len(), 10);
    assert_eq!(
        dagger
            .sbom
            .packages
            .iter()
            .map(|p| p.cpes.len())
            .sum::<usize>(),
        10
    );
    assert_eq!(
        dagger
            .sbom
            .packages
            .iter()
            .filter(|p| p.purl.is_some())
            .count(),
        10
    );
    assert!(!dagger.report.is_valid(), "no DocumentNamespace");
}

#[test]
fn realworld_syft_golden_files() {
    for f in [
        "syft/syft-image.cdx.json",
        "syft/syft-image.cdx.xml",
        "syft/syft-image.spdx.json",
        "syft/syft-image.spdx",
    ] {
        let d = doc(f);
        assert!(!d.sbom.packages.is_empty(), "{f}");
        assert!(!d.report.is_valid(), "{f}: 'redacted' is no timestamp");
    }
    let d = doc("syft/syft-identify-3.0.spdx.json");
    assert!(d.report.is_valid(), "{}", d.report);
}
