//! Vulnerabilities stated in SBOMs (VDR and VEX): CycloneDX `vulnerabilities` in JSON and XML,
//! SPDX 3's Security profile, and what survives between them.

use supply_sbom::convert::{convert, Stage};
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::model::Vulnerability;
use supply_sbom::osv::vex::{self, State};

const VULN_JSON: &str = "sbom/cyclonedx/1.6/valid-vulnerability-1.6.json";
const VULN_XML: &str = "sbom/cyclonedx/1.6/valid-vulnerability-1.6.xml";
const JACKSON: &str = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4";

fn the_one(rel: &str) -> Vulnerability {
    let d = read(&supply_testkit::read(rel)).unwrap();
    assert!(d.report.is_valid(), "{rel}: {}", d.report);
    assert_eq!(d.sbom.vulnerabilities.len(), 1, "{rel}");
    d.sbom.vulnerabilities.into_iter().next().unwrap()
}

/// The specification's vulnerability example reads the same from JSON and XML, every field
/// the model has.
#[test]
fn cyclonedx_vulnerabilities_are_read_from_json_and_xml_alike() {
    let v = the_one(VULN_JSON);
    assert_eq!(v, the_one(VULN_XML));
    assert_eq!(v.id, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111");
    assert_eq!(
        v.element_id.as_deref(),
        Some("6eee14da-8f42-4cc4-bb65-203235f02415")
    );
    assert_eq!(v.source.as_ref().unwrap().name.as_deref(), Some("Snyk"));
    assert_eq!(v.references.len(), 1);
    assert_eq!(v.references[0].id, "CVE-2018-7489");
    assert_eq!(v.ratings.len(), 1);
    let r = &v.ratings[0];
    assert_eq!(
        (
            r.score.as_deref(),
            r.severity.as_deref(),
            r.method.as_deref()
        ),
        (Some("9.8"), Some("critical"), Some("CVSSv3"))
    );
    assert_eq!(v.cwes, [184, 502]);
    assert_eq!(v.advisories.len(), 2);
    assert_eq!(v.advisories[1].title.as_deref(), Some("GitHub Issue"));
    let a = v.analysis.as_ref().unwrap();
    assert_eq!(a.state, Some(State::NotAffected));
    assert_eq!(a.justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(a.responses, ["will_not_fix", "update"]);
    assert_eq!(v.affects.len(), 1);
    assert_eq!(v.affects[0].target, JACKSON);
    let ranges: Vec<_> = v.affects[0]
        .versions
        .iter()
        .map(|x| x.range.as_deref().unwrap())
        .collect();
    assert_eq!(
        ranges,
        [
            "vers:semver/<2.6.7.5",
            "vers:semver/2.7.0|<2.8.11.1",
            "vers:semver/2.9.0|<2.9.5"
        ]
    );
    assert_eq!(v.properties.len(), 4);
}

/// What we write in CycloneDX JSON and XML reads back to the same vulnerability; only what the
/// model does not hold (credits, proof of concept, tools) is reported lost, at reading.
#[test]
fn cyclonedx_vulnerabilities_are_written_back_whole() {
    let before = the_one(VULN_JSON);
    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let c = convert(&supply_testkit::read(VULN_JSON), to).unwrap();
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(
            back.sbom.vulnerabilities,
            std::slice::from_ref(&before),
            "{to}"
        );
        let mut lost: Vec<&str> = c.losses.iter().map(|l| l.what.as_str()).collect();
        lost.sort_unstable();
        assert_eq!(
            lost,
            [
                "vulnerabilities[].credits",
                "vulnerabilities[].proofOfConcept",
                "vulnerabilities[].tools"
            ],
            "{to}"
        );
    }
}

/// CycloneDX VEX to SPDX 3's Security profile: a CVSS v3 assessment and a VEX "not affected"
/// one from the vulnerability to the package, which our SPDX 3 reader takes back and our VEX
/// reader applies; what SPDX 3 has no field for is reported, and nothing else.
#[test]
fn vex_survives_spdx3() {
    let c = convert(&supply_testkit::read(VULN_JSON), OutputFormat::Spdx3JsonLd).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&c.output).unwrap();
    let graph = doc["@graph"].as_array().unwrap();
    let of = |t: &str| graph.iter().filter(|e| e["type"] == t).collect::<Vec<_>>();
    let vuln = of("security_Vulnerability");
    assert_eq!(vuln.len(), 1);
    let vid = vuln[0]["spdxId"].as_str().unwrap();
    let cvss = of("security_CvssV3VulnAssessmentRelationship");
    assert_eq!(cvss.len(), 1);
    assert_eq!(cvss[0]["from"], vid);
    assert_eq!(cvss[0]["security_score"], 9.8);
    let vex = of("security_VexNotAffectedVulnAssessmentRelationship");
    assert_eq!(vex.len(), 1);
    assert_eq!(vex[0]["relationshipType"], "doesNotAffect");
    assert_eq!(
        vex[0]["security_justificationType"],
        "vulnerableCodeNotInExecutePath"
    );
    let document = of("SpdxDocument");
    assert!(document[0]["profileConformance"]
        .as_array()
        .unwrap()
        .contains(&"security".into()));

    let back = read(&c.output).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    let v = &back.sbom.vulnerabilities[0];
    assert_eq!(v.id, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111");
    assert_eq!(v.references[0].id, "CVE-2018-7489");
    let a = v.analysis.as_ref().unwrap();
    assert_eq!(a.state, Some(State::NotAffected));
    assert_eq!(a.justification.as_deref(), Some("code_not_reachable"));
    let pkg = back
        .sbom
        .packages
        .iter()
        .find(|p| p.name.ends_with("jackson-databind"))
        .unwrap();
    assert_eq!(v.affects.len(), 1);
    assert_eq!(v.affects[0].target, pkg.id);

    // The VEX reader (its own code) reads the same statement from our SPDX 3.
    let statements = vex::parse(&c.output).unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].state, State::NotAffected);
    assert!(statements[0]
        .vulnerability
        .contains(&"CVE-2018-7489".to_string()));
    assert_eq!(statements[0].products, [JACKSON]);

    let mut written: Vec<&str> = c
        .losses
        .iter()
        .filter(|l| l.stage == Stage::Write)
        .map(|l| l.what.as_str())
        .collect();
    written.sort_unstable();
    assert_eq!(
        written,
        [
            "vulnerability.affects.versions",
            "vulnerability.analysis.responses",
            "vulnerability.created",
            "vulnerability.cwes",
            "vulnerability.detail",
            "vulnerability.properties",
            "vulnerability.ratings",
            "vulnerability.recommendation",
            "vulnerability.workaround",
        ]
    );
}

/// Each VEX state goes to its SPDX 3 class and comes back as the same CycloneDX state; an
/// affected vulnerability's required action statement is its recommendation; one without an
/// analysis is the package's associated vulnerability.
#[test]
fn every_vex_state_crosses_spdx3() {
    for (state, class) in [
        (
            "not_affected",
            "security_VexNotAffectedVulnAssessmentRelationship",
        ),
        (
            "false_positive",
            "security_VexNotAffectedVulnAssessmentRelationship",
        ),
        ("resolved", "security_VexFixedVulnAssessmentRelationship"),
        (
            "exploitable",
            "security_VexAffectedVulnAssessmentRelationship",
        ),
        (
            "in_triage",
            "security_VexUnderInvestigationVulnAssessmentRelationship",
        ),
        ("", "Relationship"),
    ] {
        let analysis = if state.is_empty() {
            String::new()
        } else {
            format!(r#", "analysis": {{"state": "{state}"}}"#)
        };
        let cdx = format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [{{"type": "library", "bom-ref": "a", "name": "left-pad", "version": "1.3.0"}}],
            "vulnerabilities": [{{"id": "CVE-2024-0001", "recommendation": "upgrade",
              "affects": [{{"ref": "a"}}]{analysis}}}]}}"#
        );
        let out = write(
            &read(cdx.as_bytes()).unwrap().sbom,
            OutputFormat::Spdx3JsonLd,
        );
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let found = doc["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == class)
            .filter(|e| e["relationshipType"] != "hasConcludedLicense")
            .collect::<Vec<_>>();
        assert_eq!(found.len(), 1, "{state}: {class}");
        if state == "exploitable" {
            assert_eq!(found[0]["security_actionStatement"], "upgrade");
        }
        if state.is_empty() {
            assert_eq!(found[0]["relationshipType"], "hasAssociatedVulnerability");
        }
        let back = read(&out).unwrap();
        assert!(back.report.is_valid(), "{state}: {}", back.report);
        let v = &back.sbom.vulnerabilities;
        assert_eq!(v.len(), 1, "{state}");
        assert_eq!(v[0].id, "CVE-2024-0001");
        assert_eq!(v[0].affects.len(), 1, "{state}");
        // The association is the vulnerability's, not a relationship left over.
        assert!(
            back.sbom.relationships.is_empty(),
            "{state}: {:?}",
            back.sbom.relationships
        );
        let cdx_again = write(&back.sbom, OutputFormat::CycloneDxJson);
        let again: serde_json::Value = serde_json::from_slice(&cdx_again).unwrap();
        let st = &again["vulnerabilities"][0]["analysis"]["state"];
        if state.is_empty() {
            assert!(st.is_null());
        } else {
            let expect = if state == "false_positive" {
                "not_affected"
            } else {
                state
            };
            assert_eq!(st, expect, "{state}");
        }
    }
}

/// Values outside CycloneDX's vocabularies are reported, with where they are.
#[test]
fn vulnerability_vocabularies_are_checked() {
    let cdx = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
      "vulnerabilities": [{"id": "X-1",
        "ratings": [{"severity": "catastrophic", "method": "CVSSv5", "score": "high"}],
        "cwes": ["CWE-79"],
        "analysis": {"state": "fine", "justification": "trust_me", "response": ["pray"]},
        "affects": [{"ref": "a", "versions": [{"version": "1", "range": "vers:npm/<2", "status": "maybe"}]}, {}]}]}"#;
    let d = read(cdx).unwrap();
    let text = d.report.to_string();
    for path in [
        "/vulnerabilities/0/ratings/0/severity",
        "/vulnerabilities/0/ratings/0/method",
        "/vulnerabilities/0/ratings/0/score",
        "/vulnerabilities/0/cwes/0",
        "/vulnerabilities/0/analysis/state",
        "/vulnerabilities/0/analysis/justification",
        "/vulnerabilities/0/analysis/response",
        "/vulnerabilities/0/affects/0/versions/0",
        "/vulnerabilities/0/affects/0/versions/0/status",
        "/vulnerabilities/0/affects/1",
    ] {
        assert!(text.contains(path), "{path} not in:\n{text}");
    }
}

/// An SPDX 3.0.1 document with the Security profile's likelihood assessments: an EPSS score,
/// CISA's KEV catalog listing the vulnerability as exploited, another catalog not listing it,
/// and an SSVC decision, all from the vulnerability to the package.
/// (Kept as a fuzz seed too, where the fuzzer starts from it.)
pub(crate) const SPDX3_LIKELIHOOD: &str =
    include_str!("../../../fuzz/seeds/sbom_spdx/likelihood.spdx3.json");

/// EPSS, exploit-catalog and SSVC assessments are read into the vulnerability, written back as
/// the same assessments (same values, from the vulnerability to the package), and read again
/// equal; CycloneDX has no place for them and the conversion report says so.
#[test]
fn epss_kev_and_ssvc_survive_spdx3_and_are_reported_lost_in_cyclonedx() {
    use supply_sbom::model::{ExploitCatalogType, SsvcDecision};
    let d = read(SPDX3_LIKELIHOOD.as_bytes()).unwrap();
    assert!(d.report.is_valid(), "{}", d.report);
    assert_eq!(d.sbom.vulnerabilities.len(), 1);
    let v = &d.sbom.vulnerabilities[0];
    assert_eq!(v.id, "CVE-2021-44228");
    let epss = v.epss.as_ref().unwrap();
    assert_eq!(epss.probability, "0.97565");
    assert_eq!(epss.percentile, "0.99996");
    assert_eq!(epss.published.as_deref(), Some("2024-03-01T00:00:00Z"));
    let catalogs: Vec<_> = v
        .exploit_catalogs
        .iter()
        .map(|c| (c.catalog, c.exploited, c.locator.as_str()))
        .collect();
    assert_eq!(
        catalogs,
        [
            (
                ExploitCatalogType::Kev,
                true,
                "https://www.cisa.gov/known-exploited-vulnerabilities-catalog"
            ),
            (
                ExploitCatalogType::Other,
                false,
                "https://catalog.example/exploited"
            ),
        ]
    );
    assert_eq!(v.ssvc, Some(SsvcDecision::Act));
    assert_eq!(v.affects.len(), 1);
    assert_eq!(v.affects[0].target, "https://example.com/l4j#log4j");

    let out = write(&d.sbom, OutputFormat::Spdx3JsonLd);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let graph = doc["@graph"].as_array().unwrap();
    let of = |t: &str| graph.iter().filter(|e| e["type"] == t).collect::<Vec<_>>();
    let vid = of("security_Vulnerability")[0]["spdxId"].clone();
    let epss = of("security_EpssVulnAssessmentRelationship");
    assert_eq!(epss.len(), 1);
    assert_eq!(epss[0]["from"], vid);
    assert_eq!(epss[0]["relationshipType"], "hasAssessmentFor");
    assert_eq!(epss[0]["security_probability"], 0.97565);
    assert_eq!(epss[0]["security_percentile"], 0.99996);
    let kev = of("security_ExploitCatalogVulnAssessmentRelationship");
    assert_eq!(kev.len(), 2);
    assert_eq!(kev[0]["security_catalogType"], "kev");
    assert_eq!(kev[0]["security_exploited"], true);
    assert_eq!(kev[1]["security_exploited"], false);
    let ssvc = of("security_SsvcVulnAssessmentRelationship");
    assert_eq!(ssvc.len(), 1);
    assert_eq!(ssvc[0]["security_decisionType"], "act");

    let back = read(&out).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    let w = &back.sbom.vulnerabilities[0];
    assert_eq!(w.exploit_catalogs, v.exploit_catalogs);
    assert_eq!(w.ssvc, v.ssvc);
    assert_eq!(w.epss, v.epss);
    // Our own round trip loses none of it.
    let same = convert(SPDX3_LIKELIHOOD.as_bytes(), OutputFormat::Spdx3JsonLd).unwrap();
    assert!(
        !same
            .losses
            .iter()
            .any(|l| l.what.starts_with("vulnerability")),
        "{:?}",
        same.losses
    );

    let cdx = convert(SPDX3_LIKELIHOOD.as_bytes(), OutputFormat::CycloneDxJson).unwrap();
    let lost: Vec<&str> = cdx
        .losses
        .iter()
        .filter(|l| l.stage == Stage::Write && l.what.starts_with("vulnerability"))
        .map(|l| l.what.as_str())
        .collect();
    for what in [
        "vulnerability.epss",
        "vulnerability.exploit_catalogs",
        "vulnerability.ssvc",
    ] {
        assert!(lost.contains(&what), "{what} not reported: {lost:?}");
    }
}

/// A likelihood assessment without its required properties, or with values outside SPDX 3's
/// vocabularies, is reported where it is and not taken into the model.
#[test]
fn likelihood_assessments_are_checked() {
    let bad = SPDX3_LIKELIHOOD
        .replace(r#""security_probability": 0.97565, "#, "")
        .replace(
            r#""security_catalogType": "kev""#,
            r#""security_catalogType": "cisa""#,
        )
        .replace(
            r#""security_exploited": false"#,
            r#""security_exploited": "no""#,
        )
        .replace(
            r#""security_decisionType": "act""#,
            r#""security_decisionType": "now""#,
        );
    let d = read(bad.as_bytes()).unwrap();
    let text = d.report.to_string();
    for needle in ["security_probability", "cisa", "security_exploited", "now"] {
        assert!(text.contains(needle), "{needle} not reported: {text}");
    }
    let v = &d.sbom.vulnerabilities[0];
    assert_eq!(v.epss, None);
    assert!(v.exploit_catalogs.is_empty(), "{:?}", v.exploit_catalogs);
    assert_eq!(v.ssvc, None);
    // An assessment class SPDX 3.0.1 does not have is reported too.
    let unknown = SPDX3_LIKELIHOOD.replace(
        "security_SsvcVulnAssessmentRelationship",
        "security_FooVulnAssessmentRelationship",
    );
    let d = read(unknown.as_bytes()).unwrap();
    assert!(
        d.report
            .to_string()
            .contains("security_FooVulnAssessmentRelationship"),
        "{}",
        d.report
    );
}
