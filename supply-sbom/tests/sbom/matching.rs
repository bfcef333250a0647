//! The closed-world OSV matching cases of `testdata/sbom/osv/matching/expected.json`: each
//! input's packages against only the records its case names, exact expected ids per package
//! (one assertion per case), every other package without a finding.

use std::collections::BTreeMap;
use std::path::Path;

use supply_sbom::format;
use supply_sbom::lockfile::{self, Kind};
use supply_sbom::osv::inventory::Inventory;
use supply_sbom::osv::{Database, LoadOptions, PackageRef};

const DIR: &str = "sbom/osv/matching";

fn case(name: &str) -> serde_json::Value {
    let all = supply_testkit::read_json(&format!("{DIR}/expected.json"));
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

/// The records of a case: its glob is `<folder>/*.json`.
fn database(case: &serde_json::Value) -> Database {
    let glob = case["records"].as_str().unwrap();
    let folder = glob.strip_suffix("/*.json").unwrap();
    let dir = supply_testkit::testdata(&format!("{DIR}/{folder}"));
    let mut db = Database::new();
    let report = db.load_dir(&dir, &LoadOptions::default()).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(report.loaded > 0);
    db
}

/// The purl the expectations use for a package.
fn purl(p: &PackageRef) -> String {
    let ty = match p.ecosystem.as_str() {
        "crates.io" => "cargo",
        "PyPI" => "pypi",
        "Go" => "golang",
        "npm" => "npm",
        other => panic!("no purl type for {other}"),
    };
    if ty == "golang" {
        return format!("pkg:golang/{}@v{}", p.name, p.version);
    }
    let name = if ty == "pypi" {
        p.normalized_name().into_owned()
    } else {
        p.name.clone()
    };
    format!("pkg:{ty}/{name}@{}", p.version)
}

/// Matches `packages` and compares with the case's `expected` exactly.
fn check(case: &serde_json::Value, packages: &[PackageRef]) {
    let db = database(case);
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in packages {
        let mut ids: Vec<String> = db.query(p).into_iter().flat_map(|f| f.ids).collect();
        ids.sort();
        ids.dedup();
        if !ids.is_empty() {
            got.insert(purl(p), ids);
        }
    }
    let want: BTreeMap<String, Vec<String>> =
        serde_json::from_value(case["expected"].clone()).unwrap();
    assert_eq!(got, want, "case {}", case["name"]);
}

fn lock(rel: &str, kind: Kind) -> Vec<PackageRef> {
    lockfile::parse(kind, &supply_testkit::read(&format!("{DIR}/{rel}")))
        .unwrap()
        .packages
}

#[test]
fn go_from_cyclonedx_xml() {
    let c = case("go-from-cyclonedx-xml");
    let input = c["input"].as_str().unwrap();
    let doc = format::read(&supply_testkit::read(&format!("{DIR}/{input}"))).unwrap();
    // The SBOM read through the model: every purl mapped to OSV, the package-id twins
    // collapsed, `(devel)` and `pkg:generic` skipped with a reason.
    let inv = Inventory::from_sbom(&doc.sbom);
    let go: Vec<PackageRef> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem.as_str() == "Go")
        .cloned()
        .collect();
    assert_eq!(go.len(), 2, "{go:?}");
    assert!(inv
        .packages
        .iter()
        .all(|p| p.ecosystem.as_str() == "Go" || p.ecosystem.as_str() == "Debian:9"));
    let skipped: Vec<String> = inv.skipped.iter().map(ToString::to_string).collect();
    assert!(
        skipped
            .iter()
            .any(|s| s.contains("gosu") && s.contains("`(devel)` is not a version")),
        "{skipped:?}"
    );
    // Against every package (Debian ones included): only the Go records can match.
    check(&c, &inv.packages);
}

#[test]
fn crates_io_cargo_lock_vulnerable() {
    let c = case("crates-io-cargo-lock-vulnerable");
    let pkgs = lock(c["input"].as_str().unwrap(), Kind::CargoLock);
    assert_eq!(pkgs.len(), 7);
    check(&c, &pkgs);
}

#[test]
fn crates_io_cargo_lock_clean() {
    let c = case("crates-io-cargo-lock-clean");
    let pkgs = lock(c["input"].as_str().unwrap(), Kind::CargoLock);
    assert_eq!(pkgs.len(), 36);
    check(&c, &pkgs);
    // The further no-match input of the MANIFEST.
    let clean = lock("crates-io/clean.Cargo.lock", Kind::CargoLock);
    assert_eq!(clean.len(), 5);
    check(&c, &clean);
}

#[test]
fn pypi_requirements() {
    let c = case("pypi-requirements");
    let input = c["input"].as_str().unwrap();
    let top = lockfile::parse(
        Kind::Requirements,
        &supply_testkit::read(&format!("{DIR}/{input}")),
    )
    .unwrap();
    let mut pkgs = top.packages.clone();
    let base = Path::new(input).parent().unwrap();
    for inc in &top.includes {
        let rel = base.join(inc);
        pkgs.extend(lock(rel.to_str().unwrap(), Kind::Requirements));
    }
    assert_eq!(pkgs.len(), 4);
    check(&c, &pkgs);
}
