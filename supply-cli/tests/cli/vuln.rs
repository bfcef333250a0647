//! `supply vuln scan` end to end on the OSV test data: lockfiles, query files, formats,
//! VEX suppression and the `--fail-on` exit code.

use supply_testkit::{run, tempdir, testdata};

use super::supply;

fn scan(args: &[&str]) -> std::process::Output {
    let dir = tempdir();
    let mut cmd = supply(dir.path());
    cmd.args(["vuln", "scan"]).args(args);
    run(&mut cmd)
}

fn path(rel: &str) -> String {
    testdata(rel).display().to_string()
}

#[test]
fn cargo_lock_table_and_fail_on() {
    let lock = path("sbom/osv/matching/crates-io/deprecated-vuln.Cargo.lock");
    let db = path("sbom/osv/records/crates.io");
    let out = scan(&[&lock, "--osv", &db]);
    // Two open findings (one medium, one without a severity): the default threshold fails.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("RUSTSEC-2020-0016"), "{table}");
    assert!(
        table.contains("RUSTSEC-2020-0078 (CVE-2020-35919, CVE-2020-35920, GHSA-458v-4hrf-g3m4, GHSA-c79c-gwph-gqfm)"),
        "{table}"
    );
    assert!(table.contains("medium    open"), "{table}");
    assert!(
        table.contains("2 finding(s) in 1 of 7 package(s)"),
        "{table}"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: 2 unsuppressed finding(s)"), "{err}");
    // A clean lockfile exits 0.
    let clean = path("sbom/osv/matching/crates-io/deprecated-novuln.Cargo.lock");
    let out = scan(&[&clean, "--osv", &db]);
    assert!(out.status.success(), "{out:?}");
    // --fail-on high: the medium finding passes, the one without severity still fails.
    let out = scan(&[&lock, "--osv", &db, "--fail-on", "high"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: 1 unsuppressed finding(s) at or above high"),
        "{out:?}"
    );
}

#[test]
fn requirements_with_includes_json_and_severity_threshold() {
    let req = path("sbom/osv/matching/pypi/requirements-transitive.txt");
    let db = path("sbom/osv/records/pypi");
    let out = scan(&[
        &req,
        "--osv",
        &db,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["packages_scanned"], 4);
    let mut ids: Vec<String> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["vulnerabilities"].as_array().unwrap().iter())
        .flat_map(|v| v["ids"].as_array().unwrap().iter())
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, ["PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74"]);
    // Whether it fails depends on the records' severities; the exit code agrees with them.
    let severities: Vec<Option<String>> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["vulnerabilities"].as_array().unwrap().iter())
        .map(|v| v["severity"].as_str().map(str::to_owned))
        .collect();
    let must_fail = severities
        .iter()
        .any(|s| s.as_deref().is_none_or(|s| s == "critical"));
    assert_eq!(out.status.success(), !must_fail, "{severities:?}");
}

#[test]
fn vex_suppresses_and_sarif_carries_it() {
    let dir = tempdir();
    let vex = dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","statements":[
          {"vulnerability":{"name":"RUSTSEC-2020-0016"},"products":[{"@id":"pkg:cargo/net2"}],
           "status":"not_affected","justification":"vulnerable_code_not_present"},
          {"vulnerability":{"name":"GHSA-c79c-gwph-gqfm"},"status":"fixed","status_notes":"patched"}]}"#,
    )
    .unwrap();
    let lock = path("sbom/osv/matching/crates-io/deprecated-vuln.Cargo.lock");
    let db = path("sbom/osv/records/crates.io");
    let out = scan(&[
        &lock,
        "--osv",
        &db,
        "--vex",
        vex.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    // Everything is suppressed: exit 0, and both results are still in the log.
    assert!(out.status.success(), "{out:?}");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r["suppressions"][0]["kind"] == "external"));
}

#[test]
fn osv_query_file_go_pseudo_versions() {
    let dir = tempdir();
    let q = dir.path().join("query.json");
    std::fs::write(
        &q,
        r#"{"queries":[
          {"package":{"ecosystem":"Go","name":"golang.org/x/sys"},"version":"v0.0.0-20210817142637-7d9622a276b7"},
          {"package":{"ecosystem":"Go","name":"github.com/tianon/gosu"},"version":"(devel)"}]}"#,
    )
    .unwrap();
    let db = path("sbom/osv/records/go");
    let out = scan(&[
        q.to_str().unwrap(),
        "--osv",
        &db,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = j["results"][0]["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["ids"].as_array().unwrap().iter())
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GO-2022-0493", "GO-2026-5024"]);
    assert_eq!(j["results"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_inputs_are_errors() {
    let db = path("sbom/osv/records/go");
    let out = scan(&["/nonexistent/Cargo.lock", "--osv", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    // A database folder with an invalid record: a warning, or an error with --strict.
    let lock = path("sbom/osv/matching/crates-io/clean.Cargo.lock");
    let linter = path("sbom/osv/osv-linter");
    let out = scan(&[&lock, "--osv", &linter]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: rejected"));
    let out = scan(&[&lock, "--osv", &linter, "--strict"]);
    assert_eq!(out.status.code(), Some(1));
}

/// Every vulnerability id (not aliases) of a JSON report, sorted.
fn report_ids(j: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["vulnerabilities"].as_array().unwrap().iter())
        .flat_map(|v| v["ids"].as_array().unwrap().iter())
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The Go ids the `go-from-cyclonedx-xml` case of osv/matching/expected.json expects.
fn expected_go_ids() -> Vec<String> {
    let all = supply_testkit::read_json("sbom/osv/matching/expected.json");
    let case = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "go-from-cyclonedx-xml")
        .unwrap();
    let mut ids: Vec<String> = case["expected"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap().iter())
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn sbom_inputs_in_every_format_give_the_expected_ids() {
    let dir = tempdir();
    let cdx = path("sbom/osv/scanner-fixtures/sbom-insecure/postgres-stretch.cdx.xml");
    let db = path("sbom/osv/records/go");
    // The CycloneDX XML as is, and converted by `sbom convert` to SPDX 2.3 JSON, SPDX 2.3
    // tag-value, SPDX 3.0 JSON-LD and CycloneDX 1.6 JSON.
    let mut inputs = vec![cdx.clone()];
    for format in [
        "spdx-json",
        "spdx-tag-value",
        "spdx3-jsonld",
        "cyclonedx-json",
    ] {
        let mut cmd = supply(dir.path());
        cmd.args(["sbom", "convert", &cdx, "-o", format]);
        let out = super::ok(run(&mut cmd), "sbom convert");
        let file = dir.path().join(format!("converted.{format}"));
        std::fs::write(&file, out).unwrap();
        inputs.push(file.display().to_string());
    }
    let want = expected_go_ids();
    assert_eq!(want.len(), 13);
    let mut scanned = None;
    for input in &inputs {
        let out = scan(&[
            input,
            "--osv",
            &db,
            "--format",
            "json",
            "--fail-on",
            "critical",
        ]);
        let j: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{input}: {e}: {out:?}"));
        assert_eq!(report_ids(&j), want, "{input}");
        // The same packages whatever the format (136 purls: package-id twins collapsed, deb
        // binaries scanned as their source packages, `(devel)` and pkg:generic skipped with
        // a note).
        let n = j["packages_scanned"].as_u64().unwrap();
        assert_eq!(*scanned.get_or_insert(n), n, "{input}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("gosu@%28devel%29: `(devel)` is not a version"),
            "{input}: {err}"
        );
        assert!(
            err.contains("pkg:generic/postgresql@11.15: no OSV ecosystem for purl type `generic`"),
            "{input}: {err}"
        );
    }
    // 132 deb purls name 88 distinct source packages at their versions, plus 2 Go modules.
    assert_eq!(scanned, Some(90));
}

#[test]
fn purls_on_the_command_line() {
    let crates = path("sbom/osv/records/crates.io");
    let pypi = path("sbom/osv/records/pypi");
    let out = scan(&[
        "--purl",
        "pkg:cargo/net2@0.2.33",
        "--purl",
        "pkg:pypi/Flask@1.0.0",
        "--purl",
        "pkg:pypi/flask@2.2.5",
        "--osv",
        &crates,
        "--osv",
        &pypi,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["packages_scanned"], 3);
    assert_eq!(
        report_ids(&j),
        ["PYSEC-2023-62", "RUSTSEC-2020-0016", "RUSTSEC-2020-0078"]
    );
    // A purl without a version, or of a type OSV does not know, is an error, not a silent
    // clean result.
    for bad in ["pkg:cargo/net2", "pkg:generic/openssl@3.0.0", "not-a-purl"] {
        let out = scan(&["--purl", bad, "--osv", &crates]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: --purl"),
            "{bad}: {out:?}"
        );
    }
    // Neither an input nor a purl: a usage error.
    let out = scan(&["--osv", &crates]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn cyclonedx_py_sbom_scanned_with_cyclonedx_vex() {
    let Some(cdx_py) = supply_testkit::peer("cyclonedx-py") else {
        return;
    };
    let dir = tempdir();
    let sbom = dir.path().join("theirs.cdx.json");
    let mut gen = supply_testkit::peer_command(&cdx_py, dir.path());
    gen.args(["requirements"])
        .arg(testdata("sbom/osv/matching/pypi/requirements.txt"))
        .args(["--sv", "1.6", "--of", "JSON", "-o"])
        .arg(&sbom);
    supply_testkit::run_ok(&mut gen);
    // A CycloneDX VEX: flask is not affected by PYSEC-2023-62 (by its CVE alias).
    let vex = dir.path().join("vex.cdx.json");
    std::fs::write(
        &vex,
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
          "vulnerabilities": [{"id": "CVE-2023-30861",
            "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
            "affects": [{"ref": "pkg:pypi/flask@1.0.0"}]}]}"#,
    )
    .unwrap();
    let db = path("sbom/osv/records/pypi");
    let sbom = sbom.display().to_string();
    let out = scan(&[
        &sbom,
        "--osv",
        &db,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["packages_scanned"], 3);
    assert_eq!(
        report_ids(&j),
        ["PYSEC-2021-98", "PYSEC-2023-62", "PYSEC-2023-74"]
    );
    let out = scan(&[
        &sbom,
        "--osv",
        &db,
        "--vex",
        vex.to_str().unwrap(),
        "--format",
        "sarif",
        "--fail-on",
        "critical",
    ]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let suppressed: Vec<&str> = results
        .iter()
        .filter(|r| r["suppressions"].as_array().is_some_and(|a| !a.is_empty()))
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["PYSEC-2023-62"], "{s:#}");
}

/// The VEX statements an SBOM carries (CycloneDX `vulnerabilities[].analysis` in JSON or XML,
/// SPDX 3 VEX relationships) are applied when it is scanned, said on standard error; a `--vex` document
/// wins over them; `--ignore-embedded-vex` leaves every finding open.
#[test]
fn vex_carried_by_the_sbom_is_applied() {
    let dir = tempdir();
    let cdx = dir.path().join("net2.cdx.json");
    std::fs::write(
        &cdx,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
          "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
          "components":[{"type":"library","bom-ref":"net2","name":"net2","version":"0.2.33",
                         "purl":"pkg:cargo/net2@0.2.33"}],
          "vulnerabilities":[{"id":"RUSTSEC-2020-0016","affects":[{"ref":"pkg:cargo/net2@0.2.33"}],
                              "analysis":{"state":"not_affected","justification":"code_not_present"}}]}"#,
    )
    .unwrap();
    let spdx3 = dir.path().join("net2.spdx3.json");
    std::fs::write(
        &spdx3,
        r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
          {"type":"CreationInfo","@id":"_:ci","specVersion":"3.0.1","created":"2024-01-01T00:00:00Z",
           "createdBy":["https://example.com/agent"]},
          {"type":"Organization","spdxId":"https://example.com/agent","creationInfo":"_:ci","name":"Example"},
          {"type":"SpdxDocument","spdxId":"https://example.com/doc","creationInfo":"_:ci",
           "rootElement":["https://example.com/doc#sbom"]},
          {"type":"software_Sbom","spdxId":"https://example.com/doc#sbom","creationInfo":"_:ci",
           "rootElement":["https://example.com/doc#net2"],"element":["https://example.com/doc#net2"]},
          {"type":"software_Package","spdxId":"https://example.com/doc#net2","creationInfo":"_:ci",
           "name":"net2","software_packageVersion":"0.2.33","software_packageUrl":"pkg:cargo/net2@0.2.33"},
          {"type":"security_Vulnerability","spdxId":"https://example.com/doc#v","creationInfo":"_:ci",
           "externalIdentifier":[{"type":"ExternalIdentifier","externalIdentifierType":"securityOther",
                                  "identifier":"RUSTSEC-2020-0016"}]},
          {"type":"security_VexNotAffectedVulnAssessmentRelationship","spdxId":"https://example.com/doc#vex",
           "creationInfo":"_:ci","relationshipType":"doesNotAffect","from":"https://example.com/doc#v",
           "to":["https://example.com/doc#net2"],"security_justificationType":"vulnerableCodeNotPresent"}]}"#,
    )
    .unwrap();
    let xml = dir.path().join("net2.cdx.xml");
    std::fs::write(
        &xml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="library" bom-ref="net2">
      <name>net2</name><version>0.2.33</version><purl>pkg:cargo/net2@0.2.33</purl>
    </component>
  </components>
  <vulnerabilities>
    <vulnerability>
      <id>RUSTSEC-2020-0016</id>
      <analysis><state>not_affected</state><justification>code_not_present</justification></analysis>
      <affects><target><ref>pkg:cargo/net2@0.2.33</ref></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>"#,
    )
    .unwrap();
    let db = path("sbom/osv/records/crates.io");
    // Which of net2's two findings are suppressed.
    let suppressed = |out: &std::process::Output| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        let mut ids: Vec<String> = v["results"][0]["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"] == true)
            .map(|f| f["ids"][0].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    for sbom in [&cdx, &xml, &spdx3] {
        let s = sbom.to_str().unwrap();
        let out = scan(&[s, "--osv", &db, "--format", "json"]);
        assert_eq!(suppressed(&out), ["RUSTSEC-2020-0016"], "{s}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("applying 1 VEX statement(s) carried by"),
            "{s}: {err}"
        );

        let out = scan(&[s, "--osv", &db, "--format", "json", "--ignore-embedded-vex"]);
        assert!(suppressed(&out).is_empty(), "{s}");
    }
    // A --vex document saying `affected` wins over the SBOM's `not_affected`.
    let vex = dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","statements":[
          {"vulnerability":{"name":"RUSTSEC-2020-0016"},"products":[{"@id":"pkg:cargo/net2"}],
           "status":"affected"}]}"#,
    )
    .unwrap();
    let out = scan(&[
        cdx.to_str().unwrap(),
        "--osv",
        &db,
        "--format",
        "json",
        "--vex",
        vex.to_str().unwrap(),
    ]);
    assert!(suppressed(&out).is_empty(), "{out:?}");
}
