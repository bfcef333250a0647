//! Scan an SBOM for known vulnerabilities against an offline OSV database: the job of
//! `osv-scanner --sbom FILE` (or `grype sbom:FILE`) in library calls.
//!
//! ```text
//! cargo run -p supply-examples --example scan_sbom -- [SBOM OSV_DIR [VEX]]
//! ```
//!
//! Without arguments it scans osv-scanner's own `postgres-stretch.cdx.xml` fixture (a
//! CycloneDX 1.4 XML image SBOM with 136 purls) against the 13 Go records of the repository's
//! test data, then suppresses one finding with an OpenVEX statement.
use std::error::Error;
use std::path::PathBuf;

use supply_sbom::format;
use supply_sbom::osv::inventory::Inventory;
use supply_sbom::osv::report::Report;
use supply_sbom::osv::{vex, Database, LoadOptions};

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sbom/osv");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let sbom_path = args.next().unwrap_or_else(|| {
        testdata.join("scanner-fixtures/sbom-insecure/postgres-stretch.cdx.xml")
    });
    let osv_dir = args.next().unwrap_or_else(|| testdata.join("records/go"));
    let vex_path = args.next();

    // Any SBOM we read (SPDX 2/3, CycloneDX JSON/XML): packages are matched by their purls.
    let doc = format::read(&std::fs::read(&sbom_path)?)?;
    let inventory = Inventory::from_sbom(&doc.sbom);
    println!(
        "{} packages in the SBOM, {} to scan, {} skipped",
        doc.sbom.packages.len(),
        inventory.packages.len(),
        inventory.skipped.len()
    );
    for s in &inventory.skipped {
        println!("  skipped {s}");
    }

    let mut db = Database::new();
    let loaded = db.load_path(&osv_dir, &LoadOptions::default())?;
    println!("{} OSV records loaded", loaded.loaded);

    let findings: Vec<_> = inventory
        .packages
        .iter()
        .flat_map(|p| db.query(p))
        .collect();
    // VEX: a file given on the command line, else one statement written here.
    let vex_json = match &vex_path {
        Some(p) => std::fs::read(p)?,
        None => {
            br#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "statements": [{"vulnerability": {"name": "GO-2022-0274"},
              "products": [{"@id": "pkg:golang/github.com/opencontainers/runc"}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#
                .to_vec()
        }
    };
    let statements = vex::parse(&vex_json)?;
    let report = Report::new(
        sbom_path.display().to_string(),
        inventory.packages.len(),
        vex::apply(findings, &statements),
    );
    for a in report.findings() {
        let f = &a.finding;
        let level = f
            .level
            .map_or_else(|| "unknown".to_owned(), |l| l.to_string());
        let state = match &a.statement {
            Some(s) if a.is_suppressed() => format!("suppressed ({})", s.state.as_str()),
            _ => "open".to_owned(),
        };
        println!("{} {} {level} {state}", f.package, f.id());
    }
    let open = report.findings().filter(|a| !a.is_suppressed()).count();
    println!("{} findings, {open} open", report.findings().count());
    Ok(())
}
