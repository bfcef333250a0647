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
