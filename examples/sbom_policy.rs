//! Check an SBOM against a license and package policy: the job of a "package checker" in CI
//! (deny copyleft, block known-bad package versions) in library calls.
//!
//! ```text
//! cargo run -p supply-examples --example sbom_policy -- [SBOM [POLICY_JSON]]
//! ```
//!
//! Without arguments it checks the CycloneDX Maven plugin's SBOM of a Quarkus application (94
//! components, from the repository's test data) against a policy written here: strong copyleft
//! denied, AGPL denied (deprecated spellings included), and two blocked packages — one by a
//! plain range, one by a purl-spec VERS range compared in Maven's version order.
use std::error::Error;
use std::path::PathBuf;

use supply_sbom::format;
use supply_sbom::license::policy::Policy;

const POLICY: &str = r#"{
  "deny": ["AGPL-3.0-or-later"],
  "denyFamilies": ["strong-copyleft"],
  "blocked": [
    "pkg:maven/io.vertx/vertx-core@<4.3.5",
    "pkg:maven/io.quarkus/quarkus-core@vers:maven/>=2.0.0.Final|<2.13.5.Final"
  ],
  "failOnUnknown": false
}"#;

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sbom");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let sbom_path = args
        .next()
        .unwrap_or_else(|| testdata.join("realworld/guac/quarkus-deps-cyclonedx.json"));
    let policy_json = match args.next() {
        Some(p) => std::fs::read(p)?,
        None => POLICY.as_bytes().to_vec(),
    };

    let policy = Policy::from_json(&policy_json)?;
    let doc = format::read(&std::fs::read(&sbom_path)?)?;
    println!(
        "{}: {:?}, {} packages",
        sbom_path.display(),
        doc.format,
        doc.sbom.packages.len()
    );
    let findings = policy.check_sbom(&doc.sbom);
    for f in &findings {
        let tag = if f.is_violation() {
            "violation"
        } else {
            "review"
        };
        println!("{tag}: {f}");
    }
    let violations = findings.iter().filter(|f| f.is_violation()).count();
    if violations == 0 {
        println!("all {} packages pass", doc.sbom.packages.len());
    } else {
        println!("{violations} violations");
    }
    Ok(())
}
