//! CycloneDX services (infrastructure and SaaS BOMs): read from JSON and XML alike, written
//! back whole, their dependencies kept; SPDX has no place for them and the report says so.

use supply_sbom::convert::{convert, Stage};
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::graph::Graph;
use supply_sbom::model::{Sbom, Service};

fn sbom(rel: &str) -> Sbom {
    let d = read(&supply_testkit::read(rel)).unwrap();
    assert!(d.report.is_valid(), "{rel}: {}", d.report);
    d.sbom
}

fn sbom_of(bytes: &[u8]) -> Sbom {
    let d = read(bytes).unwrap();
    assert!(d.report.is_valid(), "{}", d.report);
    d.sbom
}

fn flat(services: &[Service]) -> Vec<&Service> {
    let mut out = Vec::new();
    for s in services {
        out.push(s);
        out.extend(flat(&s.services));
    }
    out
}

#[test]
fn a_service_reads_the_same_from_json_and_xml() {
    let j = sbom("sbom/cyclonedx/1.6/valid-service-1.6.json");
    assert_eq!(
        j.services,
        sbom("sbom/cyclonedx/1.6/valid-service-1.6.xml").services
    );
    assert_eq!(j.services.len(), 1);
    let s = &j.services[0];
    assert_eq!(s.id, "b2a46a4b-8367-4bae-9820-95557cfe03a8");
    assert_eq!(s.name, "Stock ticker service");
    let provider = s.provider.as_ref().unwrap();
    assert_eq!(provider.name.as_deref(), Some("Partner Org"));
    assert_eq!(provider.urls, ["https://partner.org"]);
    // The provider's contacts (a list in JSON, a repeated element in XML).
    assert_eq!(provider.contacts.len(), 1);
    let support = &provider.contacts[0];
    assert_eq!(
        (
            support.name.as_deref(),
            support.email.as_deref(),
            support.phone.as_deref()
        ),
        (
            Some("Support"),
            Some("support@partner.org"),
            Some("800-555-1212")
        )
    );
    // Written back as CycloneDX, nothing is lost; SPDX has no services at all.
    for src in [
        "sbom/cyclonedx/1.6/valid-service-1.6.json",
        "sbom/cyclonedx/1.6/valid-service-1.6.xml",
    ] {
        for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
            let c = convert(&supply_testkit::read(src), to).unwrap();
            assert!(c.losses.is_empty(), "{src} -> {to}: {:?}", c.losses);
            assert_eq!(sbom_of(&c.output).services, j.services, "{src} -> {to}");
        }
    }
    assert_eq!(s.endpoints.len(), 2);
    assert_eq!(
        (s.authenticated, s.crosses_trust_boundary),
        (Some(true), Some(true))
    );
    let flows: Vec<(&str, &str)> = s
        .data
        .iter()
        .map(|d| (d.flow.as_str(), d.classification.as_str()))
        .collect();
    assert_eq!(
        flows,
        [
            ("inbound", "PII"),
            ("outbound", "PIFI"),
            ("bi-directional", "public"),
            ("unknown", "partner-data")
        ]
    );
    assert_eq!(s.external_refs.len(), 2);
    assert!(s.license_declared.is_some() || s.license_concluded.is_some());
    // The client library depends on the service.
    assert!(j
        .relationships
        .iter()
        .any(|r| r.kind.as_str() == "DEPENDS_ON" && r.to == s.id));
}

/// The specification's SaaS BOM: services nested two deep, data flows with sources and
/// destinations, trust zones, dependencies between services. Written as CycloneDX JSON and XML
/// it reads back to the same services and dependencies; only what the model does not hold is
/// reported.
#[test]
fn a_saas_bom_is_written_back_whole() {
    for src in [
        "sbom/cyclonedx/1.6/valid-saasbom-1.6.json",
        "sbom/cyclonedx/1.6/valid-saasbom-1.6.xml",
    ] {
        let before = sbom(src);
        let all = flat(&before.services);
        assert_eq!(all.len(), 6, "{src}");
        assert!(all
            .iter()
            .any(|s| s.trust_zone.as_deref() == Some("Acme Private Zone")));
        let ms1 = all.iter().find(|s| s.id == "ms-1.example.com").unwrap();
        assert_eq!(
            ms1.data[0].source,
            ["urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#stock-ticker-service"]
        );
        assert_eq!(ms1.data[0].name.as_deref(), Some("Stock Service to MS-1"));
        // Dependencies between services are relationships like any other: the graph finds
        // the path from the application to the database behind microservice 1.
        let g = Graph::new(&before);
        let why = g.why("ms-1-pgsql.example.com", 8);
        assert!(
            why.iter().any(|p| p.contains(&"ms-1.example.com")),
            "{src}: {why:?}"
        );
        for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
            let c = convert(&supply_testkit::read(src), to).unwrap();
            let back = read(&c.output).unwrap();
            assert!(back.report.is_valid(), "{src} -> {to}: {}", back.report);
            assert_eq!(back.sbom.services, before.services, "{src} -> {to}");
            for r in &before.relationships {
                assert!(back.sbom.relationships.contains(r), "{src} -> {to}: {r:?}");
            }
            let read_losses: Vec<&str> = c
                .losses
                .iter()
                .map(|l| {
                    assert_eq!(l.stage, Stage::Read, "{src} -> {to}: {l}");
                    l.what.as_str()
                })
                .collect();
            // Data governance is the one part of this document the model does not hold.
            assert!(
                read_losses.iter().all(|l| l.ends_with("governance")),
                "{src} -> {to}: {read_losses:?}"
            );
        }
    }
}

#[test]
fn spdx_cannot_hold_services_and_the_report_says_so() {
    let src = supply_testkit::read("sbom/cyclonedx/1.6/valid-saasbom-1.6.json");
    for to in [OutputFormat::SpdxJson, OutputFormat::Spdx3JsonLd] {
        let c = convert(&src, to).unwrap();
        let lost = c
            .losses
            .iter()
            .find(|l| l.stage == Stage::Write && l.what == "services")
            .unwrap_or_else(|| panic!("{to}: {:?}", c.losses));
        assert_eq!(lost.count, 6, "{to}");
        // No relationship is written to a service that is not there.
        let back = read(&c.output).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
    }
    // An empty service list writes no `services` member.
    let plain = write(
        &sbom("sbom/cyclonedx/1.6/valid-bom-1.6.json"),
        OutputFormat::CycloneDxJson,
    );
    let v: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert!(v.get("services").is_none());
}

#[test]
fn service_flags_must_be_booleans() {
    let d = read(br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
      "services": [{"name": "s", "authenticated": "yes", "data": [{"flow": "sideways", "classification": "x"}]}]}"#)
    .unwrap();
    let text = d.report.to_string();
    assert!(text.contains("/services/0/authenticated"), "{text}");
    assert!(text.contains("/services/0/data/0/flow"), "{text}");
}

/// A model nested deeper than any document we read is written to
/// `limits::MAX_WRITTEN_NESTING` levels of services; the rest are counted lost, not a stack
/// overflow.
#[test]
fn deeply_nested_services_are_written_boundedly() {
    let mut svc = Service::default();
    svc.id = "s-0".into();
    svc.name = "s".into();
    for i in 1..=1_000 {
        let mut outer = Service::default();
        outer.id = format!("s-{i}");
        outer.name = "s".into();
        outer.services.push(svc);
        svc = outer;
    }
    let mut sbom = Sbom::default();
    sbom.services.push(svc);
    let out = write(&sbom, OutputFormat::CycloneDxJson);
    let back = read(&out).unwrap().sbom;
    let written = flat(&back.services).len();
    assert_eq!(written, supply_sbom::limits::MAX_WRITTEN_NESTING + 1);
    let xml = read(&write(&sbom, OutputFormat::CycloneDxXml))
        .unwrap()
        .sbom;
    assert_eq!(flat(&xml.services).len(), written);
    // Dropping a chain this deep recurses once per level; unwind it by hand.
    let mut next = sbom.services.pop();
    while let Some(mut s) = next {
        next = s.services.pop();
    }
}
