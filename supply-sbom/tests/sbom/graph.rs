//! The dependency graph over real SBOMs: dependents, paths from the root, direct vs
//! transitive, cycles.

use supply_sbom::format::read;
use supply_sbom::graph::Graph;
use supply_sbom::purl::Purl;

#[test]
fn graph_dependency_feature_file() {
    for f in [
        "1.6/valid-dependency-1.6.json",
        "1.6/valid-dependency-1.6.xml",
        "1.4/valid-dependency-1.4.json",
    ] {
        let rel = format!("sbom/cyclonedx/{f}");
        let d = read(&supply_testkit::read(&rel)).unwrap();
        let g = Graph::new(&d.sbom);
        assert_eq!(g.dependents("library-c"), ["library-b"], "{f}");
        assert_eq!(g.dependencies("library-b"), ["library-c"], "{f}");
        assert!(g.dependents("library-a").is_empty(), "{f}");
    }
}

#[test]
fn graph_quarkus_why_and_dependents() {
    let d = read(&supply_testkit::read(
        "sbom/realworld/guac/quarkus-deps-cyclonedx.json",
    ))
    .unwrap();
    let g = Graph::new(&d.sbom);
    assert_eq!(g.roots().len(), 1);
    assert!(!g.has_cycle());
    // Every maven package with a path is reachable from the root, and each path starts at the
    // root, ends at the package and follows dependency edges.
    let root = g.roots()[0];
    let mut transitive = 0;
    for p in &d.sbom.packages {
        let paths = g.why(&p.id, 5);
        for path in &paths {
            assert_eq!(path[0], root);
            assert_eq!(*path.last().unwrap(), p.id);
            for w in path.windows(2) {
                assert!(g.dependencies(w[0]).contains(&w[1]), "{w:?}");
            }
        }
        if !paths.is_empty() && !g.is_direct(&p.id) {
            transitive += 1;
            assert!(paths[0].len() > 2);
        }
    }
    assert!(transitive > 0, "quarkus has transitive dependencies");
    // Finding a package by purl without version, then asking who depends on it.
    let purl: Purl = "pkg:maven/io.quarkus/quarkus-core".parse().unwrap();
    let found = g.find_purl(&purl);
    assert_eq!(found.len(), 1);
    assert!(!g.all_dependents(found[0]).is_empty());
    assert!(g.all_dependents(found[0]).contains(&root));
}

#[test]
fn graph_handles_cycles_and_spdx_relationships() {
    let spdx = br#"{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
      "name": "c", "documentNamespace": "https://example.com/c",
      "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
      "packages": [
        {"SPDXID": "SPDXRef-root", "name": "root", "downloadLocation": "NOASSERTION"},
        {"SPDXID": "SPDXRef-a", "name": "a", "downloadLocation": "NOASSERTION"},
        {"SPDXID": "SPDXRef-b", "name": "b", "downloadLocation": "NOASSERTION"},
        {"SPDXID": "SPDXRef-c", "name": "c", "downloadLocation": "NOASSERTION"}],
      "relationships": [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-root"},
        {"spdxElementId": "SPDXRef-root", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"},
        {"spdxElementId": "SPDXRef-b", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-a"},
        {"spdxElementId": "SPDXRef-b", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"},
        {"spdxElementId": "SPDXRef-b", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-c"}]}"#;
    let d = read(spdx).unwrap();
    assert!(d.report.is_valid(), "{}", d.report);
    let g = Graph::new(&d.sbom);
    assert!(g.has_cycle());
    assert_eq!(
        g.why("SPDXRef-c", 10),
        vec![vec!["SPDXRef-root", "SPDXRef-a", "SPDXRef-b", "SPDXRef-c"]]
    );
    assert_eq!(
        g.all_dependents("SPDXRef-c"),
        ["SPDXRef-a", "SPDXRef-b", "SPDXRef-root"]
    );
    assert!(g.is_direct("SPDXRef-a"));
    assert!(!g.is_direct("SPDXRef-c"));
    assert!(g.why("SPDXRef-nope", 10).is_empty());
}
