//! `supply sbom`: convert, validate, check, graph on the SBOM test data.

use std::process::Output;

use supply_testkit::{run, tempdir, testdata};

use crate::{ok, supply};

fn td(rel: &str) -> String {
    testdata(rel).to_string_lossy().into_owned()
}

fn sbom(args: &[&str]) -> Output {
    let dir = tempdir();
    let mut c = supply(dir.path());
    c.arg("sbom").args(args);
    run(&mut c)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn sbom_convert_every_output_format_reads_back() {
    let input = td("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    for fmt in [
        "spdx-json",
        "spdx-tag-value",
        "spdx3-jsonld",
        "cyclonedx-json",
        "cyclonedx-xml",
    ] {
        let out = ok(
            sbom(&["convert", &input, "-o", fmt]),
            &format!("convert -o {fmt}"),
        );
        let doc = supply_sbom::format::read(&out).unwrap_or_else(|e| panic!("{fmt}: {e}"));
        assert!(doc.report.is_valid(), "{fmt}: {}", doc.report);
        assert_eq!(doc.sbom.packages.len(), 4, "{fmt}");
    }
    let bad = sbom(&["convert", &input, "-o", "spdx-rdf"]);
    assert!(!bad.status.success());
}

/// Losses are listed on standard error; `--no-loss` turns them into a failure with nothing
/// written, and lets a lossless conversion through.
#[test]
fn sbom_convert_reports_losses_and_no_loss_refuses() {
    let input = td("sbom/spdx/spdx-examples/software-example1-example1.spdx");
    let lossy = sbom(&["convert", &input, "-o", "cyclonedx-json"]);
    let err = String::from_utf8_lossy(&lossy.stderr).into_owned();
    assert!(lossy.status.success(), "{err}");
    assert!(err.contains("relationship GENERATED_FROM"), "{err}");
    assert!(!lossy.stdout.is_empty());
    let refused = sbom(&["convert", &input, "-o", "cyclonedx-json", "--no-loss"]);
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--no-loss"));

    // Our own SPDX output goes to tag-value and back to JSON with nothing lost.
    let dir = tempdir();
    let json = ok(
        sbom(&["convert", &input, "-o", "spdx-json"]),
        "to spdx-json",
    );
    let first = dir.path().join("first.spdx.json");
    std::fs::write(&first, &json).unwrap();
    let tv = ok(
        sbom(&[
            "convert",
            &first.to_string_lossy(),
            "-o",
            "spdx-tag-value",
            "--no-loss",
        ]),
        "spdx-json -> spdx-tag-value, no loss",
    );
    assert!(String::from_utf8_lossy(&tv).contains("SPDXVersion: SPDX-2.3"));
}

#[test]
fn sbom_validate_exit_codes() {
    let good = sbom(&["validate", &td("sbom/cyclonedx/1.6/valid-bom-1.6.json")]);
    ok(good, "validate a valid BOM");
    let bad = sbom(&[
        "validate",
        &td("sbom/cyclonedx/1.6/invalid-hash-alg-1.6.xml"),
    ]);
    assert!(!bad.status.success());
    assert!(stdout(&bad).contains("alg"), "{}", stdout(&bad));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.starts_with("error: "), "{err}");
    // Fractional seconds: readable, reported.
    let real = sbom(&["validate", &td("sbom/realworld/guac/alpine-spdx.json")]);
    assert!(!real.status.success());
    assert!(stdout(&real).contains("/creationInfo/created"));
}

#[test]
fn sbom_check_policy() {
    let dir = tempdir();
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        br#"{"deny": ["GPL-2.0-only"], "blocked": ["pkg:maven/org.apache.jena/apache-jena@<4"], "failOnUnknown": false}"#,
    )
    .unwrap();
    let out = sbom(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        &td("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json"),
    ]);
    assert!(!out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("Jena@3.12.0: blocked by rule `pkg:maven/org.apache.jena/apache-jena@<4`"),
        "{text}"
    );
    std::fs::write(
        &policy,
        br#"{"deny": ["AGPL-3.0-or-later"], "failOnUnknown": false}"#,
    )
    .unwrap();
    let out = sbom(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        &td("sbom/cyclonedx/1.6/valid-license-expression-1.6.json"),
    ]);
    ok(out, "a passing policy");
    std::fs::write(&policy, br#"{"deny": ["EPL-2.0", "GPL-2.0-only"]}"#).unwrap();
    let out = sbom(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        &td("sbom/cyclonedx/1.6/valid-license-expression-1.6.json"),
    ]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("tomcat-catalina@9.0.14: declared license `EPL-2.0 OR (GPL-2.0 WITH Classpath-exception-2.0)` is denied"), "{}", stdout(&out));
}

#[test]
fn sbom_graph_why() {
    let out = ok(
        sbom(&[
            "graph",
            "--why",
            "pkg:maven/io.quarkus/quarkus-core",
            &td("sbom/realworld/guac/quarkus-deps-cyclonedx.json"),
        ]),
        "graph --why",
    );
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(text.contains("quarkus-core"), "{text}");
    assert!(text.contains(" -> "), "{text}");
    let none = sbom(&[
        "graph",
        "--why",
        "pkg:npm/left-pad",
        &td("sbom/realworld/guac/quarkus-deps-cyclonedx.json"),
    ]);
    assert!(!none.status.success());
}

/// A reader of standard output that goes away (`supply … | head`) ends the command quietly with
/// status 141 (128 + SIGPIPE), never a panic: for lines printed by a verb and for a document
/// written whole. Both outputs are larger than a pipe's buffer, so the write that finds the
/// reader gone happens whatever the timing.
#[test]
fn a_closed_standard_output_ends_quietly() {
    use std::process::Stdio;
    let dir = tempdir();
    // 5,000 packages without a download location: an issue line each for `validate`.
    let packages: Vec<serde_json::Value> = (0..5000)
        .map(|i| serde_json::json!({"SPDXID": format!("SPDXRef-P{i}"), "name": format!("package-{i}")}))
        .collect();
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "big", "documentNamespace": "https://example.com/big",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
        "packages": packages
    });
    let file = dir.path().join("big.spdx.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let file = file.to_str().unwrap();
    for args in [
        vec!["sbom", "validate", file],
        vec!["sbom", "convert", file, "-o", "cyclonedx-json"],
    ] {
        let mut child = supply(dir.path())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}
