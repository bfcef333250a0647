//! Interop with `cyclonedx-py` (PyPI `cyclonedx-bom`, pinned in scripts/peers-requirements.txt):
//! it writes CycloneDX SBOMs of a requirements file and of a Python environment; we read them,
//! map their purls to OSV packages and scan them. A missing peer fails under CI=true.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use supply_sbom::format::{self, Format};
use supply_sbom::osv::inventory::Inventory;
use supply_sbom::osv::{Database, LoadOptions};

/// Runs `cyclonedx-py ARGS -o OUT` and reads what it wrote.
fn cyclonedx_py(args: &[&str], out: &Path) -> Option<format::Document> {
    let program = supply_testkit::peer("cyclonedx-py")?;
    let dir = supply_testkit::tempdir();
    let mut cmd = supply_testkit::peer_command(&program, dir.path());
    cmd.args(args).arg("-o").arg(out);
    supply_testkit::run_ok(&mut cmd);
    Some(format::read(&std::fs::read(out).unwrap()).unwrap())
}

/// `(name, version)` of every purl-scannable package, ids the pypi matching case expects.
fn pypi_ids(inv: &Inventory) -> Vec<(String, Vec<String>)> {
    let mut db = Database::new();
    db.load_dir(
        &supply_testkit::testdata("sbom/osv/records/pypi"),
        &LoadOptions::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    for p in &inv.packages {
        let mut ids: Vec<String> = db.query(p).into_iter().flat_map(|f| f.ids).collect();
        ids.sort();
        if !ids.is_empty() {
            out.push((format!("{}@{}", p.normalized_name(), p.version), ids));
        }
    }
    out
}

#[test]
fn interop_cyclonedx_py_requirements_json_and_xml_scanned() {
    let dir = supply_testkit::tempdir();
    let req = supply_testkit::testdata("sbom/osv/matching/pypi/requirements.txt");
    let req = req.to_str().unwrap();
    let expected = vec![
        (
            "django@1.11.29".to_owned(),
            vec!["PYSEC-2021-98".to_owned()],
        ),
        ("flask@1.0.0".to_owned(), vec!["PYSEC-2023-62".to_owned()]),
        (
            "requests@2.20.0".to_owned(),
            vec!["PYSEC-2023-74".to_owned()],
        ),
    ];
    for (sv, of, name, format_ok) in [
        (
            "1.6",
            "JSON",
            "theirs.cdx.json",
            (|f| matches!(f, Format::CycloneDxJson(_))) as fn(Format) -> bool,
        ),
        ("1.5", "XML", "theirs.cdx.xml", |f| {
            matches!(f, Format::CycloneDxXml(_))
        }),
    ] {
        let out = dir.path().join(name);
        let Some(doc) = cyclonedx_py(&["requirements", req, "--sv", sv, "--of", of], &out) else {
            return;
        };
        assert!(format_ok(doc.format), "{:?}", doc.format);
        assert!(doc.report.is_valid(), "{:?}", doc.report.issues());
        let inv = Inventory::from_sbom(&doc.sbom);
        let purls: Vec<String> = doc
            .sbom
            .packages
            .iter()
            .filter_map(|p| p.purl.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:pypi/django@1.11.29",
                "pkg:pypi/flask@1.0.0",
                "pkg:pypi/requests@2.20.0"
            ],
            "{sv} {of}"
        );
        assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
        assert_eq!(pypi_ids(&inv), expected, "{sv} {of}");
    }
}

const PIP_LIST: &str = r#"
import json, sys, importlib.metadata as md
print(json.dumps(sorted({(d.metadata["Name"].lower().replace("_", "-").replace(".", "-"), d.version) for d in md.distributions()})))
"#;

#[test]
fn interop_cyclonedx_py_environment_matches_the_installed_distributions() {
    let dir = supply_testkit::tempdir();
    let venv = supply_testkit::peers_dir().join("venv");
    let out = dir.path().join("venv.cdx.json");
    let Some(doc) = cyclonedx_py(
        &["environment", venv.to_str().unwrap(), "--sv", "1.6"],
        &out,
    ) else {
        return;
    };
    let inv = Inventory::from_sbom(&doc.sbom);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    let ours: BTreeSet<(String, String)> = inv
        .packages
        .iter()
        .inspect(|p| assert_eq!(p.ecosystem.as_str(), "PyPI"))
        .map(|p| (p.normalized_name().into_owned(), p.version.clone()))
        .collect();
    // What the venv's own interpreter says is installed (pip itself excluded by cyclonedx-py
    // only when it is not a dependency: compare on the intersection's size and containment).
    let python = supply_testkit::python().unwrap();
    let listed = Command::new(python)
        .arg("-c")
        .arg(PIP_LIST)
        .output()
        .unwrap();
    assert!(listed.status.success());
    let installed: BTreeSet<(String, String)> =
        serde_json::from_slice::<Vec<(String, String)>>(&listed.stdout)
            .unwrap()
            .into_iter()
            .collect();
    assert!(ours.len() > 50, "{}", ours.len());
    let missing: Vec<_> = ours.difference(&installed).collect();
    assert!(
        missing.is_empty(),
        "in the SBOM but not installed: {missing:?}"
    );
    // Every installed distribution but the installers themselves is in the SBOM.
    let absent: Vec<_> = installed
        .difference(&ours)
        .filter(|(n, _)| !matches!(n.as_str(), "pip" | "setuptools" | "wheel"))
        .collect();
    assert!(
        absent.is_empty(),
        "installed but not in the SBOM: {absent:?}"
    );
    // Licenses come through as declared: the policy sees expressions, not only names.
    let with_license = doc
        .sbom
        .packages
        .iter()
        .filter(|p| p.license_declared.is_some() || p.license_concluded.is_some())
        .count();
    assert!(with_license * 2 > doc.sbom.packages.len(), "{with_license}");
}
