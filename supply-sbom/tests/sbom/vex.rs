//! VEX statements (OpenVEX and CycloneDX analysis) applied to findings, the report
//! renderings (SARIF 2.1.0 shape), and loading the database from an osv.dev-style zip.

use std::io::Write;

use serde_json::Value;
use supply_sbom::osv::report::Report;
use supply_sbom::osv::vex::{self, State};
use supply_sbom::osv::{Database, Level, LoadOptions, PackageRef};

fn crates_db() -> Database {
    let mut db = Database::new();
    db.load_dir(
        &supply_testkit::testdata("sbom/osv/records/crates.io"),
        &LoadOptions::default(),
    )
    .unwrap();
    db
}

const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/1",
  "author": "t", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
  "statements": [
    {"vulnerability": {"name": "GHSA-458v-4hrf-g3m4"},
     "products": [{"@id": "pkg:cargo/net2@0.2.33"}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
    {"vulnerability": {"name": "RUSTSEC-2020-0016"},
     "products": [{"@id": "pkg:cargo/other@1.0.0"}],
     "status": "not_affected", "justification": "component_not_present"}
  ]
}"#;

#[test]
fn openvex_suppresses_by_alias_and_product_and_keeps_the_finding() {
    let db = crates_db();
    let pkg = PackageRef::new("crates.io", "net2", "0.2.33");
    let statements = vex::parse(OPENVEX.as_bytes()).unwrap();
    assert_eq!(statements.len(), 2);
    let assessed = vex::apply(db.query(&pkg), &statements);
    // Both findings are still there: one suppressed (via its GHSA alias), one open (the
    // second statement names another product).
    assert_eq!(assessed.len(), 2);
    let s78 = assessed
        .iter()
        .find(|a| a.finding.is_known_as("RUSTSEC-2020-0078"))
        .unwrap();
    assert!(s78.is_suppressed());
    let st = s78.statement.as_ref().unwrap();
    assert_eq!(st.state, State::NotAffected);
    assert_eq!(
        st.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    let s16 = assessed
        .iter()
        .find(|a| a.finding.is_known_as("RUSTSEC-2020-0016"))
        .unwrap();
    assert!(!s16.is_suppressed() && s16.statement.is_none());
}

/// An SPDX 3.0.1 document with the Security profile's VEX relationships (the same statements
/// as [`OPENVEX`], plus an affected one), as the spec's JSON-LD serialization writes them.
const SPDX3_VEX: &str = r#"{
  "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
  "@graph": [
    {"type": "CreationInfo", "@id": "_:creationinfo", "specVersion": "3.0.1",
     "created": "2024-01-01T00:00:00Z", "createdBy": ["https://example.com/agent"]},
    {"type": "SpdxDocument", "spdxId": "https://example.com/vex/spdx3", "creationInfo": "_:creationinfo",
     "rootElement": ["https://example.com/vex/spdx3#net2"]},
    {"type": "software_Package", "spdxId": "https://example.com/vex/spdx3#net2",
     "creationInfo": "_:creationinfo", "name": "net2", "software_packageVersion": "0.2.33",
     "software_packageUrl": "pkg:cargo/net2@0.2.33"},
    {"type": "security_Vulnerability", "spdxId": "https://example.com/vex/spdx3#ghsa",
     "creationInfo": "_:creationinfo",
     "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "securityOther",
                             "identifier": "GHSA-458v-4hrf-g3m4"}]},
    {"type": "security_Vulnerability", "spdxId": "https://example.com/vex/spdx3#rustsec16",
     "creationInfo": "_:creationinfo",
     "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "securityOther",
                             "identifier": "RUSTSEC-2020-0016"}]},
    {"type": "security_VexNotAffectedVulnAssessmentRelationship",
     "spdxId": "https://example.com/vex/spdx3#vex1", "creationInfo": "_:creationinfo",
     "relationshipType": "doesNotAffect", "from": "https://example.com/vex/spdx3#ghsa",
     "to": ["https://example.com/vex/spdx3#net2"],
     "security_justificationType": "vulnerableCodeNotInExecutePath"},
    {"type": "security_VexAffectedVulnAssessmentRelationship",
     "spdxId": "https://example.com/vex/spdx3#vex2", "creationInfo": "_:creationinfo",
     "relationshipType": "affects", "from": "https://example.com/vex/spdx3#rustsec16",
     "to": ["https://example.com/vex/spdx3#net2"],
     "security_actionStatement": "upgrade to socket2"}
  ]
}"#;

/// SPDX 3 VEX relationships read as statements: the vulnerability by its external identifier,
/// the product by the package's purl, the justification in OpenVEX's words; applied like
/// OpenVEX's (the not-affected one suppresses, the affected one does not).
#[test]
fn spdx3_vex_relationships_suppress_like_openvex() {
    let statements = vex::parse(SPDX3_VEX.as_bytes()).unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0].vulnerability, ["GHSA-458v-4hrf-g3m4"]);
    assert_eq!(statements[0].products, ["pkg:cargo/net2@0.2.33"]);
    assert_eq!(statements[0].state, State::NotAffected);
    assert_eq!(
        statements[0].justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(
        statements[0].source.as_deref(),
        Some("https://example.com/vex/spdx3")
    );
    assert_eq!(statements[1].state, State::Affected);
    assert_eq!(statements[1].detail.as_deref(), Some("upgrade to socket2"));

    let db = crates_db();
    let pkg = PackageRef::new("crates.io", "net2", "0.2.33");
    let assessed = vex::apply(db.query(&pkg), &statements);
    assert_eq!(assessed.len(), 2);
    let s78 = assessed
        .iter()
        .find(|a| a.finding.is_known_as("RUSTSEC-2020-0078"))
        .unwrap();
    assert!(s78.is_suppressed(), "suppressed through its GHSA alias");
    let s16 = assessed
        .iter()
        .find(|a| a.finding.is_known_as("RUSTSEC-2020-0016"))
        .unwrap();
    assert!(!s16.is_suppressed());
    assert_eq!(
        s16.statement.as_ref().map(|s| s.state),
        Some(State::Affected)
    );

    // A relationship without its vulnerability is refused, not skipped.
    let broken = SPDX3_VEX.replace(r#""from": "https://example.com/vex/spdx3#ghsa","#, "");
    assert!(matches!(
        vex::parse(broken.as_bytes()),
        Err(vex::Error::Statement { .. })
    ));
}

#[test]
fn openvex_not_affected_needs_a_justification() {
    let doc = r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
        {"vulnerability":{"name":"X"},"status":"not_affected"}]}"#;
    assert!(matches!(
        vex::parse(doc.as_bytes()),
        Err(vex::Error::MissingJustification { index: 0 })
    ));
    assert!(matches!(vex::parse(b"{}"), Err(vex::Error::UnknownFormat)));
}

#[test]
fn cyclonedx_analysis_states() {
    for (file, want) in [
        (
            "cyclonedx-vex-false-positive.json",
            vec![State::FalsePositive; 2],
        ),
        (
            "cyclonedx-vex-resolved-with-pedigree.json",
            vec![State::ResolvedWithPedigree; 2],
        ),
        ("cyclonedx-unaffected-vex.json", vec![State::NotAffected]),
        ("cyclonedx-vex-affected.json", vec![State::Exploitable]),
        ("cyclonedx-vex-no-analysis.json", vec![]),
    ] {
        let s = vex::parse(&supply_testkit::read(&format!(
            "sbom/realworld/guac/{file}"
        )))
        .unwrap();
        let got: Vec<State> = s.iter().map(|s| s.state).collect();
        assert_eq!(got, want, "{file}");
        for st in &s {
            assert_eq!(
                st.state.suppresses(),
                !matches!(st.state, State::Exploitable),
                "{file}"
            );
        }
    }
    // A CycloneDX statement naming the package by purl suppresses it.
    let bom = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"RUSTSEC-2020-0016",
        "analysis":{"state":"resolved","detail":"replaced by socket2"},
        "affects":[{"ref":"pkg:cargo/net2@0.2.33"}]}]}"#;
    let statements = vex::parse(bom.as_bytes()).unwrap();
    let db = crates_db();
    let a = vex::apply(
        db.query(&PackageRef::new("crates.io", "net2", "0.2.33")),
        &statements,
    );
    let s16 = a
        .iter()
        .find(|a| a.finding.is_known_as("RUSTSEC-2020-0016"))
        .unwrap();
    assert!(s16.is_suppressed());
    assert_eq!(
        s16.statement.as_ref().unwrap().detail.as_deref(),
        Some("replaced by socket2")
    );
}

fn report() -> Report {
    let db = crates_db();
    let pkgs = [
        PackageRef::new("crates.io", "net2", "0.2.33"),
        PackageRef::new("crates.io", "smallvec", "0.6.10"),
        PackageRef::new("crates.io", "libc", "0.2.177"),
    ];
    let statements = vex::parse(OPENVEX.as_bytes()).unwrap();
    let findings = pkgs.iter().flat_map(|p| db.query(p)).collect();
    Report::new("Cargo.lock", pkgs.len(), vex::apply(findings, &statements))
}

#[test]
fn report_failing_threshold_and_table() {
    let r = report();
    assert_eq!(r.findings().count(), 4);
    // net2's RUSTSEC-2020-0078 is suppressed; the others have no severity (fail closed) or
    // a computed one.
    assert_eq!(r.failing(Level::Low).count(), 3);
    let table = r.to_table();
    assert!(table.contains("suppressed (not_affected)"), "{table}");
    assert!(
        table.contains("4 finding(s) in 2 of 3 package(s), 1 suppressed by VEX"),
        "{table}"
    );
    let j = r.to_json();
    assert_eq!(j["packages_scanned"], 3);
    assert_eq!(j["results"].as_array().unwrap().len(), 2);
}

/// The required properties of SARIF 2.1.0 (sarif-schema-2.1.0.json: `sarifLog` requires
/// `version` and `runs`, `run` `tool`, `tool` `driver`, `toolComponent` `name`, `result`
/// `message`, `message` `text` or `id`, `reportingDescriptor` `id`, `suppression` `kind`;
/// enums for `level` and `suppression.kind`).
#[test]
fn sarif_has_the_schema_required_shape() {
    let s = report().to_sarif();
    assert_eq!(s["version"], "2.1.0");
    let runs = s["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert!(driver["name"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["id"].is_string()));
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let mut suppressed = 0;
    for r in results {
        assert!(r["message"]["text"].is_string());
        assert!(["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap()));
        let rule = r["ruleId"].as_str().unwrap();
        assert!(rules.iter().any(|x| x["id"] == rule));
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
        if let Some(sup) = r.get("suppressions").and_then(Value::as_array) {
            suppressed += 1;
            assert!(["inSource", "external"].contains(&sup[0]["kind"].as_str().unwrap()));
            assert_eq!(
                sup[0]["justification"],
                "vulnerable_code_not_in_execute_path"
            );
        }
    }
    assert_eq!(suppressed, 1);
}

#[test]
fn database_from_zip_with_caps() {
    let dir = supply_testkit::tempdir();
    let path = dir.path().join("all.zip");
    {
        let f = std::fs::File::create(&path).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for e in std::fs::read_dir(supply_testkit::testdata("sbom/osv/records/go")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                z.start_file(p.file_name().unwrap().to_str().unwrap(), opts)
                    .unwrap();
                z.write_all(&std::fs::read(&p).unwrap()).unwrap();
            }
        }
        z.start_file("README.txt", opts).unwrap();
        z.write_all(b"not a record").unwrap();
        z.start_file("broken.json", opts).unwrap();
        z.write_all(b"{\"id\": ").unwrap();
        // A highly compressible entry larger than the cap used below.
        z.start_file("huge.json", opts).unwrap();
        z.write_all(&vec![b' '; 300_000]).unwrap();
        z.finish().unwrap();
    }
    let mut db = Database::new();
    let mut opts = LoadOptions::default();
    opts.max_record_len = 200_000;
    let report = db.load_zip(&path, &opts).unwrap();
    assert_eq!(report.loaded, 13);
    let rejected: Vec<&str> = report.rejected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected.iter().any(|n| n.ends_with("!broken.json")));
    assert!(rejected.iter().any(|n| n.ends_with("!huge.json")));
    let runc = db.query(&PackageRef::new(
        "Go",
        "github.com/opencontainers/runc",
        "v1.0.1",
    ));
    assert_eq!(runc.iter().flat_map(|f| f.ids.iter()).count(), 11);
    // Entry-count cap.
    opts.max_zip_entries = 3;
    assert!(matches!(
        Database::new().load_zip(&path, &opts),
        Err(supply_sbom::osv::db::Error::LimitExceeded(_))
    ));
    // Record cap.
    let mut small = Database::with_options(&{
        let mut o = LoadOptions::default();
        o.max_records = 5;
        o
    });
    assert!(small.load_zip(&path, &LoadOptions::default()).is_err());
}

/// CycloneDX XML carries VEX as the JSON form does: guac's real `cyclonedx-vex.xml` reads as its
/// one not-affected statement; XML that is not a BOM, or not well-formed, is refused.
#[test]
fn cyclonedx_xml_analysis_reads_like_json() {
    let xml = supply_testkit::read("sbom/realworld/guac/cyclonedx-vex.xml");
    let statements = vex::parse(&xml).unwrap();
    assert_eq!(statements.len(), 1);
    let s = &statements[0];
    assert_eq!(s.vulnerability[0], "CVE-2018-7489");
    assert_eq!(s.state, State::NotAffected);
    assert_eq!(s.justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(
        s.products,
        ["urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#jackson-databind-2.8.0"]
    );
    assert!(s
        .detail
        .as_deref()
        .unwrap()
        .starts_with("An optional explanation"));
    assert!(matches!(
        vex::parse(b"<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"),
        Err(vex::Error::UnknownFormat)
    ));
    assert!(matches!(
        vex::parse(b"<bom><x></bom>"),
        Err(vex::Error::Xml(_))
    ));
}

/// One statement over the cap is refused with the named limit, in each format's reader.
#[test]
fn statements_over_the_cap_are_refused() {
    use supply_sbom::limits::MAX_VEX_STATEMENTS;
    let n = MAX_VEX_STATEMENTS + 1;
    let openvex = format!(
        r#"{{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","statements":[{}]}}"#,
        vec![r#"{"vulnerability":{"name":"V"},"status":"affected"}"#; n].join(",")
    );
    let cdx = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{}]}}"#,
        vec![r#"{"id":"V","analysis":{"state":"exploitable"}}"#; n].join(",")
    );
    let spdx3 = format!(
        r#"{{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{}]}}"#,
        vec![
            r#"{"type":"security_VexAffectedVulnAssessmentRelationship","from":"v","to":["p"]}"#;
            n
        ]
        .join(",")
    );
    // At the cap itself, every statement is read.
    let at_cap = openvex.replacen(
        r#"{"vulnerability":{"name":"V"},"status":"affected"},"#,
        "",
        1,
    );
    assert_eq!(
        vex::parse(at_cap.as_bytes()).unwrap().len(),
        MAX_VEX_STATEMENTS
    );
    for doc in [openvex, cdx, spdx3] {
        assert!(matches!(
            vex::parse(doc.as_bytes()),
            Err(vex::Error::LimitExceeded(_))
        ));
    }
}
