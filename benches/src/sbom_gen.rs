//! The 50,000-component SBOM of `benches/sbom.rs`, `src/bin/sbom-bench.rs` and
//! `compare-sbom`: the components of three real-world SBOMs (syft's Mongo image, 153 deb + 139
//! Go; the CycloneDX Maven plugin's Quarkus application, 94 Maven with licenses; syft's Alpine
//! SPDX, 14 apk with concluded licenses) repeated under new names until there are
//! `COMPONENTS`, each depending on the next one and on one further away.

use std::path::PathBuf;

use supply_sbom::format::{self, OutputFormat};
use supply_sbom::model::{Package, Relationship, RelationshipType, Sbom};
use supply_sbom::purl::Purl;

/// Components in the generated SBOM.
pub const COMPONENTS: usize = 50_000;

/// The real-world SBOMs the components are taken from (under `testdata/sbom/realworld/`).
pub const SOURCES: [&str; 3] = [
    "guac/big-mongo-cyclonedx.json",
    "guac/quarkus-deps-cyclonedx.json",
    "guac/alpine-spdx.json",
];

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/sbom/realworld")
        .join(rel)
}

/// Renames a template package to copy number `copy` (names and purls stay valid).
fn rename(p: &Package, id: usize, copy: usize) -> Package {
    let mut q = p.clone();
    q.id = format!("SPDXRef-Package-{id}");
    if copy > 0 {
        q.name = format!("{}-c{copy}", p.name);
        q.purl = p.purl.as_ref().and_then(|purl| {
            let mut parts = purl.to_parts();
            parts.name = Some(q.name.clone());
            Purl::from_parts(parts).ok()
        });
    }
    q
}

/// Builds the model of the generated SBOM.
///
/// # Panics
/// When the test data is missing or unreadable (a benchmark input, not a library path).
#[allow(clippy::expect_used)]
pub fn sbom() -> Sbom {
    let mut templates = Vec::new();
    for rel in SOURCES {
        let bytes = std::fs::read(testdata(rel)).expect("real-world SBOM");
        let doc = format::read(&bytes).expect("readable SBOM");
        templates.extend(doc.sbom.packages.into_iter().filter(|p| p.purl.is_some()));
    }
    let n = templates.len();
    let mut sbom = Sbom::new();
    sbom.name = Some("supply-bench-50k".into());
    sbom.namespace = Some("https://example.com/supply/bench/sbom-50k".into());
    sbom.created = Some("2026-01-01T00:00:00Z".into());
    sbom.creators = vec!["Tool: supply-benches".into()];
    sbom.describes = vec!["SPDXRef-Package-0".into()];
    sbom.packages = (0..COMPONENTS)
        .map(|i| rename(&templates[i % n], i, i / n))
        .collect();
    let dep = |from: usize, to: usize| Relationship {
        from: format!("SPDXRef-Package-{from}"),
        kind: RelationshipType::depends_on(),
        to: format!("SPDXRef-Package-{to}"),
    };
    for i in 0..COMPONENTS - 1 {
        sbom.relationships.push(dep(i, i + 1));
        let far = (i * 7919 + 13) % COMPONENTS;
        if far > i + 1 {
            sbom.relationships.push(dep(i, far));
        }
    }
    sbom
}

/// The generated SBOM as SPDX 2.3 JSON and CycloneDX JSON; the CycloneDX one says spec 1.5
/// (what `cyclonedx-bom` 0.8 reads; nothing in it is 1.6-only).
pub fn documents() -> (Vec<u8>, Vec<u8>) {
    let sbom = sbom();
    let spdx = format::write(&sbom, OutputFormat::SpdxJson);
    let cdx = format::write(&sbom, OutputFormat::CycloneDxJson);
    let cdx = String::from_utf8_lossy(&cdx)
        .replacen("\"specVersion\": \"1.6\"", "\"specVersion\": \"1.5\"", 1)
        .replacen(
            "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "http://cyclonedx.org/schema/bom-1.5.schema.json",
            1,
        )
        .into_bytes();
    (spdx, cdx)
}
