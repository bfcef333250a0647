//! Two-way interop with the PyPI peers in .peers/venv (pinned in scripts/peers-requirements.txt):
//! spdx-tools (pyspdxtools' parser and validator) reads and validates what we write, and we
//! read what it writes; cyclonedx-python-lib's schema validators accept our CycloneDX 1.6 JSON
//! and XML, and we read the BOMs it serializes. A missing peer fails under CI=true.

use serde_json::{json, Value};
use supply_sbom::format::{read, write, OutputFormat};

/// Runs a peer script (JSON request on stdin, JSON answer on stdout); `None` when peers may be
/// skipped (outside CI only).
/// The peer's answer. These tests are the interop checks themselves: without the peer there
/// is nothing to check, so a missing venv fails them (even under `SUPPLY_OFFLINE_PEERS=skip`).
fn peer(script: &str, request: &Value) -> Value {
    supply_testkit::python_json(script, request).unwrap_or_else(|| {
        panic!("python with spdx-tools, cyclonedx-python-lib and jsonschema: run ./scripts/install-peers")
    })
}

const SPDX_VALIDATE: &str = r#"
import json, sys
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
req = json.load(sys.stdin)
out = []
for path in req["files"]:
    doc = parse_file(path)
    msgs = validate_full_spdx_document(doc)
    out.append({"path": path, "packages": len(doc.packages), "files": len(doc.files),
                "relationships": len(doc.relationships),
                "messages": [m.validation_message for m in msgs]})
print(json.dumps(out))
"#;

const SPDX_WRITE: &str = r#"
import json, sys
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.writer.write_anything import write_file
req = json.load(sys.stdin)
doc = parse_file(req["input"])
for out in req["outputs"]:
    write_file(doc, out, validate=True)
print(json.dumps({"packages": len(doc.packages), "relationships": len(doc.relationships)}))
"#;

const CDX_VALIDATE: &str = r#"
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator
req = json.load(sys.stdin)
def err(e):
    return None if e is None else str(e)[:2000]
print(json.dumps({
    "json": err(JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(req["json"]).read())),
    "xml": err(XmlValidator(SchemaVersion.V1_6).validate_str(open(req["xml"]).read())),
}))
"#;

const CDX_WRITE: &str = r#"
import json, sys
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import LicenseExpression, DisjunctiveLicense
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.output.xml import XmlV1Dot6
from packageurl import PackageURL
req = json.load(sys.stdin)
bom = Bom()
root = Component(name="app", version="1.0.0", type=ComponentType.APPLICATION, bom_ref="app")
bom.metadata.component = root
a = Component(name="requests", version="2.20.0", type=ComponentType.LIBRARY, bom_ref="requests",
              purl=PackageURL.from_string("pkg:pypi/requests@2.20.0"),
              licenses=[DisjunctiveLicense(id="Apache-2.0")])
b = Component(name="urllib3", version="1.24.3", type=ComponentType.LIBRARY, bom_ref="urllib3",
              purl=PackageURL.from_string("pkg:pypi/urllib3@1.24.3"),
              licenses=[LicenseExpression("MIT")])
bom.components.add(a)
bom.components.add(b)
bom.register_dependency(root, [a])
bom.register_dependency(a, [b])
open(req["json"], "w").write(JsonV1Dot6(bom).output_as_string(indent=2))
open(req["xml"], "w").write(XmlV1Dot6(bom).output_as_string(indent=2))
print(json.dumps({"ok": True}))
"#;

#[test]
fn interop_spdx_tools_validates_what_we_write() {
    let dir = supply_testkit::tempdir();
    let mut files = Vec::new();
    for (i, src) in [
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
        // (Not alpine-spdx.json: its files have no checksums, which SPDX 2.3 requires and a
        // writer cannot invent; our reader reports them as missing.)
        "sbom/realworld/guac/oci-kubectl-linux-amd64-spdx.json",
        "sbom/realworld/guac/quarkus-deps-cyclonedx.json",
        "sbom/cyclonedx/1.6/valid-bom-1.6.xml",
        "sbom/spdx/spdx-examples/software-example11-sbom.spdx3.json",
    ]
    .iter()
    .enumerate()
    {
        let doc = read(&supply_testkit::read(src)).unwrap();
        for (fmt, ext) in [
            (OutputFormat::SpdxJson, "spdx.json"),
            (OutputFormat::SpdxTagValue, "spdx"),
        ] {
            let p = dir.path().join(format!("ours-{i}.{ext}"));
            std::fs::write(&p, write(&doc.sbom, fmt)).unwrap();
            files.push((
                src,
                doc.sbom.packages.len(),
                p.to_string_lossy().into_owned(),
            ));
        }
    }
    let req = json!({"files": files.iter().map(|f| &f.2).collect::<Vec<_>>()});
    let answer = peer(SPDX_VALIDATE, &req);
    for ((src, packages, path), got) in files.iter().zip(answer.as_array().unwrap()) {
        let msgs = got["messages"].as_array().unwrap();
        assert!(
            msgs.is_empty(),
            "pyspdxtools rejects our {path} (from {src}): {msgs:#?}"
        );
        assert_eq!(
            usize::try_from(got["packages"].as_u64().unwrap()).unwrap(),
            *packages,
            "{path}"
        );
    }
}

#[test]
fn interop_we_read_what_spdx_tools_writes() {
    let dir = supply_testkit::tempdir();
    let outs: Vec<String> = ["theirs.spdx", "theirs.spdx.json", "theirs.spdx.yaml"]
        .iter()
        .map(|n| dir.path().join(n).to_string_lossy().into_owned())
        .collect();
    let input = supply_testkit::testdata("sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json");
    let req = json!({"input": input, "outputs": outs});
    let answer = peer(SPDX_WRITE, &req);
    assert_eq!(answer["packages"], 4);
    let ours = read(&std::fs::read(&input).unwrap()).unwrap().sbom;
    for o in &outs {
        let d = read(&std::fs::read(o).unwrap()).unwrap_or_else(|e| panic!("{o}: {e}"));
        assert!(d.report.is_valid(), "{o}: {}", d.report);
        assert_eq!(d.sbom.packages.len(), 4, "{o}");
        assert_eq!(d.sbom.files.len(), 5, "{o}");
        // pyspdxtools turns documentDescribes and hasFiles into relationships: 13 either way.
        let mut a = d.sbom.relationships.clone();
        let mut b = ours.relationships.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{o}");
        let purls = |s: &supply_sbom::model::Sbom| {
            let mut v: Vec<_> = s
                .packages
                .iter()
                .map(|p| (p.id.clone(), p.purl.clone(), p.license_declared.clone()))
                .collect();
            v.sort_by(|x, y| x.0.cmp(&y.0));
            v
        };
        assert_eq!(purls(&d.sbom), purls(&ours), "{o}");
    }
}

#[test]
fn interop_cyclonedx_python_lib_validates_what_we_write() {
    let dir = supply_testkit::tempdir();
    let mut reqs = Vec::new();
    for (i, src) in [
        "sbom/realworld/guac/quarkus-deps-cyclonedx.json",
        "sbom/realworld/guac/big-mongo-cyclonedx.json",
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
        "sbom/spdx/spdx-examples/software-example11-sbom.spdx3.json",
        "sbom/cyclonedx/1.6/valid-license-expression-1.6.json",
        // Vulnerabilities with ratings, VEX analysis and affected version ranges.
        "sbom/cyclonedx/1.6/valid-vulnerability-1.6.json",
        // Nested services with data flows, trust zones and dependencies.
        "sbom/cyclonedx/1.6/valid-saasbom-1.6.json",
        // Annotations by an organization (URLs, contacts), a person (a phone), a component and
        // a service (its provider's contacts), written whole; compositions.
        "sbom/cyclonedx/1.6/valid-annotation-1.6.json",
        "sbom/cyclonedx/1.6/valid-annotation-1.6.xml",
        // Component suppliers with URLs and contacts, a service provider's contacts.
        "sbom/cyclonedx/1.6/valid-bom-1.6.json",
        "sbom/cyclonedx/1.6/valid-service-1.6.xml",
        "sbom/cyclonedx/1.6/valid-compositions-1.6.json",
        // Formulation: workflows, tasks, triggers, steps, inputs and outputs, workspaces.
        "sbom/cyclonedx/1.6/valid-formulation-1.6.json",
        "sbom/cyclonedx/1.7/valid-formulation-1.7.xml",
        // Files nested in their packages, `spdx:` component and BOM properties.
        "sbom/realworld/guac/alpine-spdx.json",
    ]
    .iter()
    .enumerate()
    {
        let doc = read(&supply_testkit::read(src)).unwrap();
        let j = dir.path().join(format!("ours-{i}.cdx.json"));
        let x = dir.path().join(format!("ours-{i}.cdx.xml"));
        std::fs::write(&j, write(&doc.sbom, OutputFormat::CycloneDxJson)).unwrap();
        std::fs::write(&x, write(&doc.sbom, OutputFormat::CycloneDxXml)).unwrap();
        reqs.push((src, json!({"json": j, "xml": x})));
    }
    for (src, req) in reqs {
        let answer = peer(CDX_VALIDATE, &req);
        assert_eq!(
            answer["json"],
            Value::Null,
            "our CycloneDX 1.6 JSON from {src}"
        );
        assert_eq!(
            answer["xml"],
            Value::Null,
            "our CycloneDX 1.6 XML from {src}"
        );
    }
}

#[test]
fn interop_we_read_what_cyclonedx_python_lib_writes() {
    let dir = supply_testkit::tempdir();
    let j = dir.path().join("theirs.cdx.json");
    let x = dir.path().join("theirs.cdx.xml");
    let _ = peer(CDX_WRITE, &json!({"json": j, "xml": x}));
    for f in [&j, &x] {
        let d = read(&std::fs::read(f).unwrap()).unwrap();
        assert!(d.report.is_valid(), "{}: {}", f.display(), d.report);
        assert_eq!(d.sbom.packages.len(), 3, "{}", f.display());
        let g = supply_sbom::graph::Graph::new(&d.sbom);
        assert_eq!(
            g.why("urllib3", 5),
            vec![vec!["app", "requests", "urllib3"]]
        );
        let req = d.sbom.package("requests").unwrap();
        assert_eq!(
            req.purl.as_ref().unwrap().to_string(),
            "pkg:pypi/requests@2.20.0"
        );
        assert_eq!(
            req.license_declared.as_ref().unwrap().to_string(),
            "Apache-2.0"
        );
    }
}

const SPDX3_SCHEMA: &str = r#"
import json, sys
import jsonschema
req = json.load(sys.stdin)
validator = jsonschema.Draft202012Validator(json.load(open(req["schema"])))
out = {}
for path in req["files"]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    out[path] = [f"{list(e.path)}: {e.message[:300]}" for e in errors[:5]]
print(json.dumps(out))
"#;

/// Our SPDX 3.0.1 JSON-LD, written from SPDX 2 documents that use most of what the model holds
/// (external references of every kind, extracted licenses, other documents, files, verification
/// codes, agents) and from CycloneDX, is valid against the published SPDX 3.0.1 JSON schema
/// (python `jsonschema`, draft 2020-12; about 0.15 s per element, so the documents are small).
#[test]
fn our_spdx3_is_valid_against_the_published_schema() {
    let dir = supply_testkit::tempdir();
    let mut files = Vec::new();
    for rel in [
        "sbom/spdx/v2.3/SPDXJSONExample-v2.3.spdx.json",
        "sbom/spdx/spdx-examples/software-example11-sbom.spdx.json",
        "sbom/realworld/guac/alpine-cyclonedx.json",
        "sbom/cyclonedx/1.6/valid-assembly-1.6.json",
        // The Security profile: a vulnerability, CVSS and VEX assessments.
        "sbom/cyclonedx/1.6/valid-vulnerability-1.6.json",
    ] {
        let doc = read(&supply_testkit::read(rel)).unwrap();
        let out = dir.path().join(format!("{}.spdx3.json", files.len()));
        std::fs::write(&out, write(&doc.sbom, OutputFormat::Spdx3JsonLd)).unwrap();
        files.push(out.to_str().unwrap().to_owned());
    }
    // EPSS, exploit-catalog and SSVC assessments, written back by us.
    let doc = read(crate::vulnerabilities::SPDX3_LIKELIHOOD.as_bytes()).unwrap();
    assert!(doc.sbom.vulnerabilities[0].epss.is_some());
    let out = dir.path().join("likelihood.spdx3.json");
    std::fs::write(&out, write(&doc.sbom, OutputFormat::Spdx3JsonLd)).unwrap();
    files.push(out.to_str().unwrap().to_owned());
    let schema = supply_testkit::testdata("sbom/spdx/schema/spdx-json-schema-v3.0.1.json");
    let answer = peer(
        SPDX3_SCHEMA,
        &json!({"schema": schema.to_str().unwrap(), "files": files}),
    );
    for f in &files {
        assert_eq!(answer[f], json!([]), "{f}: {}", answer[f]);
    }
}
