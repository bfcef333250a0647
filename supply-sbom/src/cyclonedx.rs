//! CycloneDX 1.4, 1.5 and 1.6 (1.3 and 1.7 read leniently), JSON and XML; writers for 1.6
//! JSON and XML.
//!
//! XML is first brought to the JSON data model (attributes and child elements become
//! properties, list wrappers such as `<components>` become arrays, nested `<dependency>`
//! elements `dependsOn`), so that one reader and one set of validation rules serve both
//! encodings. The rules are the ones the specification's invalid-file suite exercises:
//! `bomFormat`, `serialNumber` pattern, component `type`/`name`/`scope` and `bom-ref`,
//! hash algorithms and values, license choices (one expression or a list of licenses with
//! exactly one of `id`/`name`, ids from the SPDX list, base64 text), SWID `tagId`, patch and
//! issue types, property names, service data flows, dependency refs, timestamps, formulation
//! (member types, required members and vocabularies of workflows, tasks, triggers, inputs,
//! outputs and workspaces), and in XML the namespace and `bom-ref` uniqueness.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::license::{list, Dialect, Expression, LicenseField, Strictness};
use crate::limits::{LimitExceeded, MAX_DEPTH, MAX_ELEMENTS};
use crate::model::{
    creator_parts, cyclonedx_algorithm, spdx_algorithm, spdx_who, tool_name_version, Advisory,
    Affected, AffectedVersion, Analysis, Annotation, Annotator, AttachedText, Checksum, Command,
    Composition, Condition, DataFlow, Dependency, EnvironmentVar, Event as TriggerEvent,
    ExternalRef, File, Formula, Input, InputValue, License, OrganizationalContact,
    OrganizationalEntity, Output, OutputValue, Package, Parameter, Properties, Property, Rating,
    Relationship, RelationshipType, ResourceReference, Sbom, Service, Step, Task, Trigger, Volume,
    Vulnerability, VulnerabilityReference, VulnerabilitySource, Workflow, Workspace,
    DEFAULT_CONTENT_TYPE,
};
use crate::osv::vex::State;
use crate::purl::Purl;
use crate::tree::{items_of, str_of, Node};
use crate::validate::{shown, IssueKind, Report};

/// A CycloneDX specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Version {
    /// 1.3 (read only, leniently).
    V1_3,
    /// 1.4.
    V1_4,
    /// 1.5.
    V1_5,
    /// 1.6.
    V1_6,
    /// 1.7 (read only).
    V1_7,
}

impl Version {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "1.3" => Self::V1_3,
            "1.4" => Self::V1_4,
            "1.5" => Self::V1_5,
            "1.6" => Self::V1_6,
            "1.7" => Self::V1_7,
            _ => return None,
        })
    }

    /// `"1.6"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_3 => "1.3",
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
        }
    }
}

/// Why a CycloneDX document could not be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("malformed XML")]
    Xml(#[from] quick_xml::Error),
    /// A malformed attribute.
    #[error("malformed XML attribute")]
    Attr(#[from] quick_xml::events::attributes::AttrError),
    /// The document has no root element.
    #[error("the XML document has no root element")]
    NoRoot,
    /// Too deep or too many elements.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// An XML element, namespaces stripped from names (the root's namespace kept apart).
#[derive(Debug, Default)]
pub(crate) struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Self>,
    text: String,
}

fn local(name: &[u8]) -> String {
    let n = String::from_utf8_lossy(name);
    match n.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => n.into_owned(),
    }
}

fn start(e: &BytesStart<'_>) -> Result<Element, XmlError> {
    let mut el = Element {
        name: local(e.name().as_ref()),
        ..Element::default()
    };
    for a in e.attributes() {
        let a = a?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(XmlError::Xml)?.into_owned();
        el.attrs.push((key, value));
    }
    Ok(el)
}

/// Parses XML into an element tree, bounded in depth and element count.
pub(crate) fn parse_xml(bytes: &[u8]) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = Vec::new();
    let mut count = 0usize;
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(LimitExceeded::new("XML elements", MAX_ELEMENTS).into());
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(LimitExceeded::new("XML nesting", MAX_DEPTH).into());
                }
                stack.push(start(&e)?);
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(LimitExceeded::new("XML elements", MAX_ELEMENTS).into());
                }
                let el = start(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(XmlError::NoRoot);
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.unescape()?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => return Err(XmlError::NoRoot),
            _ => {}
        }
        buf.clear();
    }
}

/// List wrappers: the wrapper element name and its item element name.
const WRAPPERS: &[(&str, &str)] = &[
    ("components", "component"),
    ("services", "service"),
    ("hashes", "hash"),
    ("externalReferences", "reference"),
    ("patches", "patch"),
    ("resolves", "issue"),
    ("properties", "property"),
    ("vulnerabilities", "vulnerability"),
    ("compositions", "composition"),
    ("annotations", "annotation"),
    ("affects", "target"),
    ("ratings", "rating"),
    ("cwes", "cwe"),
    ("advisories", "advisory"),
    ("references", "reference"),
    ("versions", "version"),
    ("responses", "response"),
    ("authors", "author"),
    ("endpoints", "endpoint"),
    ("commits", "commit"),
    ("ancestors", "component"),
    ("descendants", "component"),
    ("variants", "component"),
    ("lifecycles", "lifecycle"),
    ("tags", "tag"),
    // Formulation (1.5+).
    ("formulation", "formula"),
    ("workflows", "workflow"),
    ("tasks", "task"),
    ("taskTypes", "taskType"),
    ("steps", "step"),
    ("commands", "command"),
    ("inputs", "input"),
    ("outputs", "output"),
    ("workspaces", "workspace"),
    ("resourceReferences", "resourceReference"),
    ("conditions", "condition"),
    ("aliases", "alias"),
    ("parameters", "parameter"),
];

impl Element {
    /// Element paths (`bom.components.component.name`) and attribute paths
    /// (`bom.components.component@bom-ref`) with their occurrences; namespace declarations
    /// are not paths.
    pub(crate) fn paths(&self) -> std::collections::BTreeMap<String, usize> {
        fn walk(el: &Element, path: &str, out: &mut std::collections::BTreeMap<String, usize>) {
            // An empty element (`<endpoints/>`) states nothing a rewrite could lose.
            if el.attrs.is_empty() && el.children.is_empty() && el.text.trim().is_empty() {
                return;
            }
            let p = if path.is_empty() {
                el.name.clone()
            } else {
                format!("{path}.{}", el.name)
            };
            *out.entry(p.clone()).or_default() += 1;
            for (k, _) in &el.attrs {
                if k != "xmlns" && !k.starts_with("xmlns:") && !k.starts_with("xsi:") {
                    *out.entry(format!("{p}@{k}")).or_default() += 1;
                }
            }
            for c in &el.children {
                walk(c, &p, out);
            }
        }
        let mut out = std::collections::BTreeMap::new();
        walk(self, "", &mut out);
        out
    }
}

fn attr<'a>(el: &'a Element, k: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
}

/// Brings a CycloneDX XML element to the JSON data model.
fn to_json(el: &Element, report: &mut Report, path: &str) -> Value {
    if el.attrs.is_empty() && el.children.is_empty() {
        return Value::String(el.text.clone());
    }
    let mut m = Map::new();
    for (k, v) in &el.attrs {
        if k == "xmlns" || k.starts_with("xmlns:") || k.contains(':') {
            continue;
        }
        m.insert(k.clone(), Value::String(v.clone()));
    }
    if !el.text.is_empty() {
        let key = match el.name.as_str() {
            "property" => "value",
            _ => "content",
        };
        m.insert(key.into(), Value::String(el.text.clone()));
    }
    for c in &el.children {
        let cpath = format!("{path}/{}", c.name);
        let value = match c.name.as_str() {
            "licenses" => licenses_json(c, report, &cpath),
            // An annotation names its subjects by reference: `<subject ref=…/>`.
            "subjects" if el.name == "annotation" => Value::Array(
                c.children
                    .iter()
                    .filter_map(|x| attr(x, "ref"))
                    .map(|r| json!(r))
                    .collect(),
            ),
            // A composition names its elements by reference: `<assembly ref=…/>`.
            "assemblies" | "dependencies" | "vulnerabilities" if el.name == "composition" => {
                Value::Array(
                    c.children
                        .iter()
                        .filter_map(|x| attr(x, "ref"))
                        .map(|r| json!(r))
                        .collect(),
                )
            }
            // A workflow's and a task's dependency graphs are written as the BOM's.
            "dependencies" | "taskDependencies" | "runtimeTopology" => {
                Value::Array(c.children.iter().map(dependency_json).collect())
            }
            // Formulation's environment variables mix `<environmentVar name=…>value` and
            // `<value>`, in order: JSON's array of properties and strings.
            "environmentVars" => Value::Array(
                c.children
                    .iter()
                    .filter_map(|v| match v.name.as_str() {
                        "environmentVar" => {
                            let mut p = Map::new();
                            if let Some(n) = attr(v, "name") {
                                p.insert("name".into(), json!(n));
                            }
                            p.insert("value".into(), json!(v.text));
                            Some(Value::Object(p))
                        }
                        "value" => Some(json!(v.text)),
                        _ => None,
                    })
                    .collect(),
            ),
            // 1.4: `<data><classification flow=…>`; 1.5+: `<data><dataflow name=…
            // description=…><classification flow=…>…<source><url>…`.
            "data" if el.name == "service" => Value::Array(
                c.children
                    .iter()
                    .map(|d| dataflow_json(d, report, &cpath))
                    .collect(),
            ),
            "tools" if c.children.iter().all(|t| t.name == "tool") => Value::Array(
                c.children
                    .iter()
                    .map(|t| to_json(t, report, &cpath))
                    .collect(),
            ),
            name => match WRAPPERS.iter().find(|(w, _)| *w == name) {
                Some((_, item)) => Value::Array(
                    c.children
                        .iter()
                        .filter(|i| i.name == *item)
                        .map(|i| to_json(i, report, &cpath))
                        .collect(),
                ),
                None => to_json(c, report, &cpath),
            },
        };
        match m.get_mut(&c.name) {
            Some(Value::Array(a)) if !WRAPPERS.iter().any(|(w, _)| *w == c.name) => a.push(value),
            Some(existing) => {
                // A repeated element: an array (a license's repeated `<id>` is then caught by
                // the license rules, which want exactly one string).
                let old = existing.take();
                *existing = Value::Array(vec![old, value]);
            }
            None => {
                m.insert(c.name.clone(), value);
            }
        }
    }
    Value::Object(m)
}

/// A service's data flow element in the JSON data model.
fn dataflow_json(d: &Element, report: &mut Report, path: &str) -> Value {
    let mut m = Map::new();
    let cl = if d.name == "dataflow" {
        for k in ["name", "description"] {
            if let Some(v) = attr(d, k) {
                m.insert(k.into(), json!(v));
            }
        }
        for c in &d.children {
            match c.name.as_str() {
                "source" | "destination" => {
                    let urls: Vec<Value> = c
                        .children
                        .iter()
                        .filter(|u| u.name == "url")
                        .map(|u| json!(u.text))
                        .collect();
                    m.insert(c.name.clone(), Value::Array(urls));
                }
                "classification" => {}
                other => {
                    m.insert(other.to_string(), to_json(c, report, path));
                }
            }
        }
        d.children.iter().find(|x| x.name == "classification")
    } else {
        Some(d)
    };
    if let Some(cl) = cl {
        m.insert("flow".into(), json!(attr(cl, "flow").unwrap_or_default()));
        m.insert("classification".into(), json!(cl.text));
    }
    Value::Object(m)
}

fn licenses_json(el: &Element, report: &mut Report, path: &str) -> Value {
    let mut out = Vec::new();
    for c in &el.children {
        match c.name.as_str() {
            "expression" => {
                let mut m = Map::new();
                m.insert("expression".into(), Value::String(c.text.clone()));
                for (k, v) in &c.attrs {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
                out.push(Value::Object(m));
            }
            "license" => {
                let inner = to_json(c, report, &format!("{path}/license"));
                let inner = if inner.is_string() { json!({}) } else { inner };
                out.push(json!({ "license": inner }));
            }
            // 1.7: an expression with its own licensing details.
            "expression-detailed" => {
                let mut inner = to_json(c, report, &format!("{path}/expression-detailed"));
                if let Value::Object(m) = &mut inner {
                    if let Some(e) = m.remove("expression") {
                        m.insert("expression".into(), e);
                    }
                }
                out.push(inner);
            }
            other => report.invalid(path, "licenses", other, "license or expression elements"),
        }
    }
    Value::Array(out)
}

fn dependency_json(el: &Element) -> Value {
    let mut m = Map::new();
    if let Some(r) = attr(el, "ref") {
        m.insert("ref".into(), json!(r));
    }
    let deps: Vec<Value> = el
        .children
        .iter()
        .filter(|c| c.name == "dependency")
        .filter_map(|c| attr(c, "ref").map(|r| json!(r)))
        .collect();
    if !deps.is_empty() {
        m.insert("dependsOn".into(), Value::Array(deps));
    }
    // 1.6: what it implements (`<provides ref=…/>`).
    let provides: Vec<Value> = el
        .children
        .iter()
        .filter(|c| c.name == "provides")
        .filter_map(|c| attr(c, "ref").map(|r| json!(r)))
        .collect();
    if !provides.is_empty() {
        m.insert("provides".into(), Value::Array(provides));
    }
    Value::Object(m)
}

/// Reads CycloneDX XML. `None` when the root is not `<bom>`.
pub(crate) fn from_xml(
    bytes: &[u8],
    report: &mut Report,
) -> Result<Option<(Version, Sbom)>, XmlError> {
    match xml_document(bytes, report)? {
        Some((version, doc)) => {
            let arena = bumpalo::Bump::new();
            Ok(from_value(
                &Node::borrowed(&doc, &arena),
                Some(version),
                report,
            ))
        }
        None => Ok(None),
    }
}

/// A CycloneDX XML document as the JSON value of the same BOM (with `bomFormat` and
/// `specVersion` from the namespace), for readers of the JSON form; `None` when the root is
/// not `bom`.
pub(crate) fn xml_document(
    bytes: &[u8],
    report: &mut Report,
) -> Result<Option<(Version, Value)>, XmlError> {
    let root = parse_xml(bytes)?;
    if root.name != "bom" {
        return Ok(None);
    }
    let ns = attr(&root, "xmlns").unwrap_or_default();
    let version = match ns
        .strip_prefix("http://cyclonedx.org/schema/bom/")
        .and_then(Version::parse)
    {
        Some(v) => v,
        None => {
            report.invalid("/bom", "xmlns", ns, "a CycloneDX 1.3-1.7 namespace");
            Version::V1_6
        }
    };
    // bom-ref uniqueness (the XSD's xs:unique).
    let mut seen = HashSet::new();
    check_unique_refs(&root, &mut seen, report);
    let mut doc = to_json(&root, report, "/bom");
    if let Value::Object(m) = &mut doc {
        m.insert("bomFormat".into(), json!("CycloneDX"));
        m.insert("specVersion".into(), json!(version.as_str()));
    }
    Ok(Some((version, doc)))
}

fn check_unique_refs<'a>(el: &'a Element, seen: &mut HashSet<&'a str>, report: &mut Report) {
    if let Some(r) = attr(el, "bom-ref") {
        if !seen.insert(r) {
            report.push(
                format!("/{}", el.name),
                IssueKind::DuplicateId { id: r.into() },
            );
        }
    }
    for c in &el.children {
        check_unique_refs(c, seen, report);
    }
}

fn s<'a>(v: &'a Node<'_>, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Node::as_str)
}

fn arr<'a, 'b>(v: &'a Node<'b>, k: &str) -> &'a [Node<'b>] {
    v.get(k).and_then(Node::as_array).unwrap_or_default()
}

fn component_types(v: Version) -> &'static [&'static str] {
    match v {
        Version::V1_3 | Version::V1_4 => &[
            "application",
            "framework",
            "library",
            "container",
            "operating-system",
            "device",
            "firmware",
            "file",
        ],
        Version::V1_5 => &[
            "application",
            "framework",
            "library",
            "container",
            "platform",
            "operating-system",
            "device",
            "device-driver",
            "firmware",
            "file",
            "machine-learning-model",
            "data",
        ],
        Version::V1_6 | Version::V1_7 => &[
            "application",
            "framework",
            "library",
            "container",
            "platform",
            "operating-system",
            "device",
            "device-driver",
            "firmware",
            "file",
            "machine-learning-model",
            "data",
            "cryptographic-asset",
        ],
    }
}

const HASH_ALGS: &[&str] = &[
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
    "Streebog-256",
    "Streebog-512",
];

fn is_hash(v: &str) -> bool {
    matches!(v.len(), 32 | 40 | 64 | 96 | 128) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_serial(v: &str) -> bool {
    let Some(u) = v.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = u.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

struct Ctx<'r> {
    version: Version,
    xml: bool,
    report: &'r mut Report,
    refs: HashSet<String>,
    /// The `bom-ref`s of the formulation, which is read last: ids generated before it must
    /// not take one of them.
    reserved: HashSet<String>,
    next_id: usize,
}

/// An id for an element without one (`component-N`), none the document has used so far or
/// uses in its formulation.
fn generated_id(ctx: &mut Ctx<'_>, prefix: &str) -> String {
    loop {
        ctx.next_id += 1;
        let id = format!("{prefix}-{}", ctx.next_id);
        if !ctx.refs.contains(&id) && !ctx.reserved.contains(&id) {
            return id;
        }
    }
}

/// Every `bom-ref` string under `v`.
fn refs_under(v: &Node<'_>, out: &mut HashSet<String>) {
    match v {
        Node::Object(o) => {
            for (k, x) in o.iter() {
                match x {
                    Node::String(r) if k == "bom-ref" => {
                        out.insert((*r).to_string());
                    }
                    _ => refs_under(x, out),
                }
            }
        }
        Node::Array(items) => items.iter().for_each(|x| refs_under(x, out)),
        _ => {}
    }
}

/// Reads the CycloneDX JSON data model (from JSON, or from XML via [`from_xml`]).
/// `None` when it is not a CycloneDX document (no `bomFormat`/`specVersion`).
pub(crate) fn from_value(
    doc: &Node<'_>,
    xml_version: Option<Version>,
    report: &mut Report,
) -> Option<(Version, Sbom)> {
    let format = s(doc, "bomFormat");
    let spec = s(doc, "specVersion");
    if format.is_none() && spec.is_none() {
        return None;
    }
    if format != Some("CycloneDX") {
        report.invalid(
            "/bomFormat",
            "bomFormat",
            format.unwrap_or_default(),
            "CycloneDX",
        );
    }
    let version = match xml_version.or_else(|| spec.and_then(Version::parse)) {
        Some(v) => v,
        None => {
            report.invalid(
                "/specVersion",
                "specVersion",
                spec.unwrap_or_default(),
                "1.3 to 1.7",
            );
            // Not a document we know how to read.
            if format != Some("CycloneDX") {
                return None;
            }
            Version::V1_6
        }
    };
    let mut ctx = Ctx {
        version,
        xml: xml_version.is_some(),
        report,
        refs: HashSet::new(),
        reserved: HashSet::new(),
        next_id: 0,
    };
    if let Some(f) = doc.get("formulation") {
        refs_under(f, &mut ctx.reserved);
    }
    let mut sbom = Sbom::new();
    if let Some(sn) = s(doc, "serialNumber") {
        let braced = sn.starts_with('{') && xml_version.is_some();
        if !is_serial(sn) && !braced {
            ctx.report.invalid(
                "/serialNumber",
                "serialNumber",
                sn,
                "urn:uuid:<lowercase UUID>",
            );
        }
        sbom.namespace = Some(sn.to_string());
    }
    if let Some(meta) = doc.get("metadata") {
        let known: &[&str] = match version {
            Version::V1_3 | Version::V1_4 => &[
                "timestamp",
                "tools",
                "authors",
                "component",
                "manufacture",
                "supplier",
                "licenses",
                "properties",
            ],
            Version::V1_5 => &[
                "timestamp",
                "lifecycles",
                "tools",
                "authors",
                "component",
                "manufacture",
                "supplier",
                "licenses",
                "properties",
            ],
            Version::V1_6 => &[
                "timestamp",
                "lifecycles",
                "tools",
                "manufacturer",
                "authors",
                "component",
                "manufacture",
                "supplier",
                "licenses",
                "properties",
            ],
            Version::V1_7 => &[
                "timestamp",
                "lifecycles",
                "tools",
                "manufacturer",
                "authors",
                "component",
                "manufacture",
                "supplier",
                "licenses",
                "properties",
                "distributionConstraints",
            ],
        };
        if let Some(m) = meta.as_object() {
            for k in m.keys() {
                if !known.contains(&k) {
                    ctx.report.invalid(
                        "/metadata",
                        "metadata",
                        k.to_string(),
                        "a metadata property of this version",
                    );
                }
            }
        }
        if let Some(ts) = s(meta, "timestamp") {
            if supply_sig::time::Timestamp::parse_rfc3339(ts).is_none() {
                ctx.report.push(
                    "/metadata/timestamp",
                    IssueKind::Timestamp { value: shown(ts) },
                );
            }
            sbom.created = Some(ts.to_string());
        }
        match meta.get("tools") {
            Some(Node::Array(tools)) => {
                for t in tools.iter() {
                    sbom.creators.push(tool_creator(t));
                }
            }
            Some(Node::Object(_)) => {
                if version < Version::V1_5 {
                    ctx.report.push(
                        "/metadata/tools",
                        IssueKind::WrongType {
                            field: "tools",
                            expected: "an array in 1.4",
                        },
                    );
                }
                let tools = meta.get("tools").unwrap_or(&Node::Null);
                for t in arr(tools, "components")
                    .iter()
                    .chain(arr(tools, "services"))
                {
                    sbom.creators.push(tool_creator(t));
                }
                for (i, c) in arr(tools, "components").iter().enumerate() {
                    let mut scratch = Sbom::new();
                    component(
                        c,
                        None,
                        &format!("/metadata/tools/components/{i}"),
                        &mut ctx,
                        &mut scratch,
                    );
                }
            }
            _ => {}
        }
        for a in arr(meta, "authors") {
            if let Some(n) = s(a, "name") {
                sbom.creators.push(spdx_creator("Person", n, s(a, "email")));
            }
        }
        // 1.6: the organization that made the BOM (SPDX's `Organization:` creator).
        if let Some(m) = meta.get("manufacturer") {
            if let Some(n) = s(m, "name") {
                let contact = match m.get("contact") {
                    Some(Node::Array(c)) => c.first(),
                    other => other,
                };
                sbom.creators.push(spdx_creator(
                    "Organization",
                    n,
                    contact.and_then(|c| s(c, "email")),
                ));
            }
        }
        check_licenses(meta.get("licenses"), "/metadata/licenses", &mut ctx);
        check_properties(meta, "/metadata", &mut ctx);
        if let Some(c) = meta.get("component") {
            let id = component(c, None, "/metadata/component", &mut ctx, &mut sbom);
            sbom.name = Some(s(c, "name").unwrap_or_default().to_string());
            sbom.describes.push(id);
        }
        for p in arr(meta, "properties") {
            match (s(p, "name"), s(p, "value")) {
                (Some(spdx_prop::DOCUMENT_NAME), Some(v)) => sbom.name = Some(v.to_owned()),
                (Some(spdx_prop::DOCUMENT_NAMESPACE), Some(v)) => {
                    sbom.namespace = Some(v.to_owned())
                }
                (Some(spdx_prop::LICENSE_LIST_VERSION), Some(v)) => {
                    sbom.license_list_version = Some(v.to_owned())
                }
                (Some(spdx_prop::CREATION_COMMENT), Some(v)) => {
                    sbom.creator_comment = Some(v.to_owned())
                }
                (Some(spdx_prop::COMMENT), Some(v)) => sbom.comment = Some(v.to_owned()),
                _ => {}
            }
        }
    }
    // Room for the top-level components (and one dependency entry each) up front: growing
    // vectors of large elements by doubling copies and faults their pages in again.
    sbom.packages.reserve(arr(doc, "components").len() + 1);
    sbom.relationships.reserve(arr(doc, "dependencies").len());
    for (i, c) in arr(doc, "components").iter().enumerate() {
        component(c, None, &format!("/components/{i}"), &mut ctx, &mut sbom);
    }
    for (i, svc) in arr(doc, "services").iter().enumerate() {
        let svc = service(svc, &format!("/services/{i}"), &mut ctx);
        sbom.services.push(svc);
    }
    check_properties(doc, "", &mut ctx);
    for (i, d) in arr(doc, "dependencies").iter().enumerate() {
        let path = format!("/dependencies/{i}");
        let Some(r) = s(d, "ref").filter(|r| !r.is_empty()) else {
            ctx.report.missing(path, "ref");
            continue;
        };
        for t in arr(d, "dependsOn") {
            match t.as_str() {
                Some(t) if !t.is_empty() => {
                    sbom.push_relationship(r, RelationshipType::depends_on(), t)
                }
                _ => ctx.report.invalid(
                    format!("{path}/dependsOn"),
                    "dependsOn",
                    t.to_string(),
                    "a non-empty bom-ref",
                ),
            }
        }
    }
    for (i, c) in arr(doc, "compositions").iter().enumerate() {
        let path = format!("/compositions/{i}");
        let Some(aggregate) = s(c, "aggregate") else {
            ctx.report.missing(path, "aggregate");
            continue;
        };
        enumerated(
            &mut ctx,
            format!("{path}/aggregate"),
            "aggregate",
            aggregate,
            AGGREGATES,
        );
        let id = s(c, "bom-ref").map(|r| {
            check_ref(r, &path, &mut ctx);
            r.to_string()
        });
        sbom.compositions.push(Composition {
            id,
            aggregate: aggregate.to_string(),
            assemblies: c.strings("assemblies"),
            dependencies: c.strings("dependencies"),
            vulnerabilities: c.strings("vulnerabilities"),
        });
    }
    for (i, a) in arr(doc, "annotations").iter().enumerate() {
        let path = format!("/annotations/{i}");
        let id = s(a, "bom-ref").map(|r| {
            check_ref(r, &path, &mut ctx);
            r.to_string()
        });
        let (Some(text), Some(timestamp)) = (s(a, "text"), s(a, "timestamp")) else {
            ctx.report.missing(path, "text/timestamp");
            continue;
        };
        let Some(detail) = annotator(a, &path, &mut ctx) else {
            continue;
        };
        let subjects = a.strings("subjects");
        if subjects.is_empty() {
            ctx.report.missing(&path, "subjects");
        }
        let annotator = detail.to_spdx();
        for subject in subjects {
            sbom.annotations.push(Annotation {
                id: id.clone(),
                subject,
                annotator: annotator.clone(),
                annotator_detail: Some(detail.clone()),
                date: timestamp.to_string(),
                kind: "OTHER".into(),
                comment: text.to_string(),
            });
        }
    }
    // 1.7: a citation names who (`attributedTo`) or how (`process`).
    for (i, c) in arr(doc, "citations").iter().enumerate() {
        if c.get("attributedTo").is_none() && c.get("process").is_none() {
            ctx.report
                .missing(format!("/citations/{i}"), "attributedTo or process");
        }
    }
    for (i, v) in arr(doc, "vulnerabilities").iter().enumerate() {
        let vuln = vulnerability(v, &format!("/vulnerabilities/{i}"), &mut ctx);
        sbom.vulnerabilities.push(vuln);
    }
    let formulas = list_at(doc, "formulation", "", &mut ctx);
    if !formulas.is_empty() && version < Version::V1_5 {
        ctx.report.invalid(
            "/formulation",
            "formulation",
            version.as_str(),
            "CycloneDX 1.5 or later",
        );
    }
    for (i, f) in formulas.iter().enumerate() {
        if let Some(f) = formula(f, &format!("/formulation/{i}"), &mut ctx) {
            sbom.formulation.push(f);
        }
    }
    sbom.dedup_relationships();
    Some((version, sbom))
}

/// An SPDX creator line: `Person: name (email)`, `Organization: name (email)`.
fn spdx_creator(kind: &str, name: &str, email: Option<&str>) -> String {
    match email.filter(|e| !e.is_empty()) {
        Some(e) => format!("{kind}: {name} ({e})"),
        None => format!("{kind}: {name}"),
    }
}

fn tool_creator(t: &Node<'_>) -> String {
    let name = s(t, "name").unwrap_or("unknown");
    match s(t, "version") {
        Some(v) => format!("Tool: {name}-{v}"),
        None => format!("Tool: {name}"),
    }
}

fn check_ref(r: &str, path: &str, ctx: &mut Ctx<'_>) {
    if r.is_empty() {
        ctx.report.invalid(path, "bom-ref", r, "a non-empty string");
    } else if !ctx.refs.insert(r.to_string()) {
        ctx.report
            .push(path, IssueKind::DuplicateId { id: r.into() });
    }
}

/// The `properties` with a name and a value.
fn properties_of(v: &Node<'_>) -> Properties {
    let items = arr(v, "properties");
    let pairs = || {
        items
            .iter()
            .filter_map(|p| Some((s(p, "name")?, s(p, "value")?)))
    };
    // Sized first: growing the text a property at a time reallocated it several times.
    let bytes = pairs().map(|(n, v)| n.len() + v.len()).sum();
    let mut out = Properties::with_capacity(items.len(), bytes);
    for (n, v) in pairs() {
        out.push(n, v);
    }
    out
}

fn check_properties(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) {
    for (i, p) in arr(v, "properties").iter().enumerate() {
        if s(p, "name").is_none() {
            ctx.report.missing(format!("{path}/properties/{i}"), "name");
        }
    }
}

/// A boolean, from JSON or from XML's text.
fn bool_of(v: Option<&Node<'_>>) -> Option<bool> {
    match v? {
        Node::Bool(b) => Some(*b),
        Node::String(t) => match t.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A string or an array of strings (XML repeats an element, JSON has an array) as a list.
fn strings_of(v: Option<&Node<'_>>) -> Vec<String> {
    match v {
        Some(Node::String(t)) => vec![t.to_string()],
        Some(Node::Array(items)) => items
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads a `service` (and the services it is made of) into the model, checking it.
fn service(svc: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Service {
    if s(svc, "name").is_none() {
        ctx.report.missing(path, "name");
    }
    let id = match s(svc, "bom-ref") {
        Some(r) => {
            check_ref(r, path, ctx);
            r.to_string()
        }
        None => generated_id(ctx, "service"),
    };
    let mut data = Vec::new();
    for (i, d) in arr(svc, "data").iter().enumerate() {
        let flow = s(d, "flow");
        if let Some(flow) = flow {
            if !["inbound", "outbound", "bi-directional", "unknown"].contains(&flow) {
                ctx.report.invalid(
                    format!("{path}/data/{i}/flow"),
                    "flow",
                    flow,
                    "inbound, outbound, bi-directional or unknown",
                );
            }
        }
        if let (Some(flow), Some(classification)) = (flow, s(d, "classification")) {
            data.push(DataFlow {
                flow: flow.to_string(),
                classification: classification.to_string(),
                name: s(d, "name").map(str::to_string),
                description: s(d, "description").map(str::to_string),
                source: strings_of(d.get("source")),
                destination: strings_of(d.get("destination")),
            });
        }
    }
    for key in ["authenticated", "x-trust-boundary"] {
        if svc.get(key).is_some() && bool_of(svc.get(key)).is_none() {
            ctx.report.push(
                format!("{path}/{key}"),
                IssueKind::WrongType {
                    field: "authenticated/x-trust-boundary",
                    expected: "a boolean",
                },
            );
        }
    }
    let (declared, concluded) =
        check_licenses(svc.get("licenses"), &format!("{path}/licenses"), ctx);
    check_properties(svc, path, ctx);
    let services = arr(svc, "services")
        .iter()
        .enumerate()
        .map(|(i, c)| service(c, &format!("{path}/services/{i}"), ctx))
        .collect();
    let provider =
        object_at(svc, "provider", path, ctx).map(|p| entity(p, &format!("{path}/provider"), ctx));
    Service {
        id,
        provider,
        group: s(svc, "group").map(str::to_string),
        name: s(svc, "name").unwrap_or_default().to_string(),
        version: s(svc, "version").map(str::to_string),
        description: s(svc, "description").map(str::to_string),
        endpoints: strings_of(svc.get("endpoints")),
        authenticated: bool_of(svc.get("authenticated")),
        crosses_trust_boundary: bool_of(svc.get("x-trust-boundary")),
        trust_zone: s(svc, "trustZone").map(str::to_string),
        data,
        license_concluded: combine(concluded),
        license_declared: combine(declared),
        external_refs: arr(svc, "externalReferences")
            .iter()
            .filter_map(|r| {
                Some(ExternalRef {
                    category: "OTHER".into(),
                    kind: s(r, "type")?.to_string(),
                    locator: s(r, "url")?.to_string(),
                    comment: s(r, "comment").map(str::to_string),
                })
            })
            .collect(),
        properties: properties_of(svc),
        tags: strings_of(svc.get("tags")),
        services,
    }
}

/// The text of a string, or of a number (JSON scores are numbers, XML's are text).
fn text_of(v: Option<&Node<'_>>) -> Option<String> {
    match v? {
        Node::String(s) => Some(s.to_string()),
        Node::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A `vulnerabilitySource` (`{name, url}`).
fn vulnerability_source(v: Option<&Node<'_>>) -> Option<VulnerabilitySource> {
    let v = v?;
    let source = VulnerabilitySource {
        name: s(v, "name").map(str::to_string),
        url: s(v, "url").map(str::to_string),
    };
    (source.name.is_some() || source.url.is_some()).then_some(source)
}

const AGGREGATES: &[&str] = &[
    "complete",
    "incomplete",
    "incomplete_first_party_only",
    "incomplete_first_party_proprietary_only",
    "incomplete_first_party_opensource_only",
    "incomplete_third_party_only",
    "incomplete_third_party_proprietary_only",
    "incomplete_third_party_opensource_only",
    "unknown",
    "not_specified",
];
const SEVERITIES: &[&str] = &[
    "critical", "high", "medium", "low", "info", "none", "unknown",
];
const RATING_METHODS: &[&str] = &[
    "CVSSv2", "CVSSv3", "CVSSv31", "CVSSv4", "OWASP", "SSVC", "other",
];
const ANALYSIS_STATES: &[&str] = &[
    "resolved",
    "resolved_with_pedigree",
    "exploitable",
    "in_triage",
    "false_positive",
    "not_affected",
];
const JUSTIFICATIONS: &[&str] = &[
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];
const RESPONSES: &[&str] = &[
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];
const AFFECTED_STATUSES: &[&str] = &["affected", "unaffected", "unknown"];

/// An annotation's `annotator`: one of an organization, an individual, a component or a
/// service (another member, or more than one, is reported). `None`, reported, when it names
/// none that can be read.
fn annotator(a: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<Annotator> {
    if a.get("annotator").is_none() {
        ctx.report.missing(path, "annotator");
        return None;
    }
    let who = object_at(a, "annotator", path, ctx)?;
    let path = format!("{path}/annotator");
    const CHOICES: [&str; 4] = ["organization", "individual", "component", "service"];
    if let Some(o) = who.as_object() {
        let named = o.keys().filter(|k| CHOICES.contains(k)).count();
        if let Some(k) = o.keys().find(|k| !CHOICES.contains(k)) {
            ctx.report.invalid(
                &path,
                "annotator",
                k.to_string(),
                "organization, individual, component or service",
            );
        } else if named > 1 {
            ctx.report.invalid(
                &path,
                "annotator",
                format!("{named} annotators"),
                "exactly one of organization, individual, component or service",
            );
        }
    }
    if let Some(o) = object_at(who, "organization", &path, ctx) {
        let at = format!("{path}/organization");
        return Some(Annotator::Organization(entity(o, &at, ctx)));
    }
    if let Some(p) = object_at(who, "individual", &path, ctx) {
        let at = format!("{path}/individual");
        return Some(Annotator::Individual(contact(p, &at, ctx)));
    }
    if let Some(c) = object_at(who, "component", &path, ctx) {
        // Read as any component (checked, its bom-ref taken), into a model of its own.
        let mut scratch = Sbom::new();
        let at = format!("{path}/component");
        let id = component(c, None, &at, ctx, &mut scratch);
        let mut pkg = match scratch.packages.into_iter().find(|p| p.id == id) {
            Some(p) => p,
            // A `file` with a SHA-1 is read as a file: its name, version and type stay.
            None => Package {
                name: s(c, "name").unwrap_or_default().to_string(),
                version: s(c, "version").map(str::to_string),
                purpose: s(c, "type").map(str::to_string),
                ..Package::default()
            },
        };
        // The reader made this id up: written, it would be a `bom-ref` the document lacks.
        if s(c, "bom-ref").is_none() {
            pkg.id.clear();
        }
        return Some(Annotator::Component(Box::new(pkg)));
    }
    if let Some(v) = object_at(who, "service", &path, ctx) {
        let mut svc = service(v, &format!("{path}/service"), ctx);
        if s(v, "bom-ref").is_none() {
            svc.id.clear();
        }
        return Some(Annotator::Service(Box::new(svc)));
    }
    if !CHOICES.iter().any(|k| who.get(k).is_some()) {
        ctx.report.missing(path, "annotator");
    }
    None
}

/// An `organizationalEntity` (a provider, a supplier, an annotating organization), checked.
fn entity(e: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> OrganizationalEntity {
    let id = string_at(e, "bom-ref", path, ctx);
    if let Some(r) = &id {
        check_ref(r, path, ctx);
    }
    // XML repeats `<url>` and `<contact>`: one is a lone string or object there.
    let urls = match e.get("url") {
        Some(Node::String(u)) if ctx.xml => vec![(*u).to_string()],
        _ => strings_at(e, "url", path, ctx),
    };
    let contacts = objects_at(e, "contact", path, ctx)
        .into_iter()
        .map(|(i, c)| contact(c, &format!("{path}/contact/{i}"), ctx))
        .collect();
    OrganizationalEntity {
        id,
        name: string_at(e, "name", path, ctx),
        urls,
        contacts,
    }
}

/// An `organizationalContact` (an organization's contact, an annotating individual), checked.
fn contact(c: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> OrganizationalContact {
    let id = string_at(c, "bom-ref", path, ctx);
    if let Some(r) = &id {
        check_ref(r, path, ctx);
    }
    OrganizationalContact {
        id,
        name: string_at(c, "name", path, ctx),
        email: string_at(c, "email", path, ctx),
        phone: string_at(c, "phone", path, ctx),
    }
}

/// The objects of the repeatable member `key`, with their index: JSON's array of objects; in
/// XML also one element alone (an object, or an empty string when it is empty). Anything else
/// is reported.
fn objects_at<'a, 'b>(
    v: &'a Node<'b>,
    key: &'static str,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Vec<(usize, &'a Node<'b>)> {
    let items = match v.get(key) {
        None => return Vec::new(),
        Some(Node::Array(items)) => items,
        Some(one) if ctx.xml && objectlike(one, ctx) => return vec![(0, one)],
        Some(_) => {
            wrong_type(path, key, "an array of objects", ctx);
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        if objectlike(x, ctx) {
            out.push((i, x));
        } else {
            ctx.report.push(
                format!("{path}/{key}/{i}"),
                IssueKind::WrongType {
                    field: key,
                    expected: "an array of objects",
                },
            );
        }
    }
    out
}

/// Reports `value` unless it is one of `of`.
fn enumerated(ctx: &mut Ctx<'_>, at: String, field: &'static str, value: &str, of: &[&str]) {
    if !of.contains(&value) {
        ctx.report
            .invalid(at, field, value, "a value of its enumeration");
    }
}

/// Reads a `vulnerability` into the model, checking its vocabularies.
fn vulnerability(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vulnerability {
    let element_id = s(v, "bom-ref").map(|r| {
        check_ref(r, path, ctx);
        r.to_string()
    });
    let mut ratings = Vec::new();
    for (i, r) in arr(v, "ratings").iter().enumerate() {
        let at = format!("{path}/ratings/{i}");
        let rating = Rating {
            source: vulnerability_source(r.get("source")),
            score: text_of(r.get("score")),
            severity: s(r, "severity").map(str::to_string),
            method: s(r, "method").map(str::to_string),
            vector: s(r, "vector").map(str::to_string),
            justification: s(r, "justification").map(str::to_string),
        };
        if let Some(x) = &rating.severity {
            enumerated(ctx, format!("{at}/severity"), "severity", x, SEVERITIES);
        }
        if let Some(x) = &rating.method {
            enumerated(ctx, format!("{at}/method"), "method", x, RATING_METHODS);
        }
        if let Some(score) = &rating.score {
            if score.parse::<f64>().is_err() {
                ctx.report
                    .invalid(format!("{at}/score"), "score", score, "a number");
            }
        }
        ratings.push(rating);
    }
    let mut cwes = Vec::new();
    for (i, c) in arr(v, "cwes").iter().enumerate() {
        match text_of(Some(c)).and_then(|c| c.parse::<u32>().ok()) {
            Some(n) => cwes.push(n),
            None => ctx.report.invalid(
                format!("{path}/cwes/{i}"),
                "cwe",
                c.to_string(),
                "a CWE number",
            ),
        }
    }
    let analysis = v.get("analysis").map(|a| {
        let at = format!("{path}/analysis");
        let state = s(a, "state");
        if let Some(x) = state {
            enumerated(ctx, format!("{at}/state"), "state", x, ANALYSIS_STATES);
        }
        let justification = s(a, "justification");
        if let Some(x) = justification {
            enumerated(
                ctx,
                format!("{at}/justification"),
                "justification",
                x,
                JUSTIFICATIONS,
            );
        }
        // JSON `response`; XML `<responses><response>`.
        let responses = a.strings("response");
        let responses = if responses.is_empty() {
            a.strings("responses")
        } else {
            responses
        };
        for x in &responses {
            enumerated(ctx, format!("{at}/response"), "response", x, RESPONSES);
        }
        Analysis {
            state: state.and_then(State::from_name),
            justification: justification.map(str::to_string),
            responses,
            detail: s(a, "detail").map(str::to_string),
            first_issued: s(a, "firstIssued").map(str::to_string),
            last_updated: s(a, "lastUpdated").map(str::to_string),
        }
    });
    let mut affects = Vec::new();
    for (i, t) in arr(v, "affects").iter().enumerate() {
        let at = format!("{path}/affects/{i}");
        let Some(target) = s(t, "ref").filter(|r| !r.is_empty()) else {
            ctx.report.missing(at, "ref");
            continue;
        };
        let mut versions = Vec::new();
        for (j, x) in arr(t, "versions").iter().enumerate() {
            let version = AffectedVersion {
                version: s(x, "version").map(str::to_string),
                range: s(x, "range").map(str::to_string),
                status: s(x, "status").map(str::to_string),
            };
            // The schema: exactly one of `version` and `range`.
            if version.version.is_some() == version.range.is_some() {
                ctx.report.invalid(
                    format!("{at}/versions/{j}"),
                    "versions",
                    "both or neither of version and range",
                    "a version or a range",
                );
            }
            if let Some(st) = &version.status {
                enumerated(
                    ctx,
                    format!("{at}/versions/{j}/status"),
                    "status",
                    st,
                    AFFECTED_STATUSES,
                );
            }
            versions.push(version);
        }
        affects.push(Affected {
            target: target.to_string(),
            versions,
        });
    }
    check_properties(v, path, ctx);
    Vulnerability {
        element_id,
        id: s(v, "id").unwrap_or_default().to_string(),
        source: vulnerability_source(v.get("source")),
        references: arr(v, "references")
            .iter()
            .filter_map(|r| {
                Some(VulnerabilityReference {
                    id: s(r, "id")?.to_string(),
                    source: vulnerability_source(r.get("source")),
                })
            })
            .collect(),
        ratings,
        cwes,
        description: s(v, "description").map(str::to_string),
        detail: s(v, "detail").map(str::to_string),
        recommendation: s(v, "recommendation").map(str::to_string),
        workaround: s(v, "workaround").map(str::to_string),
        advisories: arr(v, "advisories")
            .iter()
            .filter_map(|a| {
                Some(Advisory {
                    title: s(a, "title").map(str::to_string),
                    url: s(a, "url")?.to_string(),
                })
            })
            .collect(),
        created: s(v, "created").map(str::to_string),
        published: s(v, "published").map(str::to_string),
        updated: s(v, "updated").map(str::to_string),
        rejected: s(v, "rejected").map(str::to_string),
        analysis,
        affects,
        properties: properties_of(v),
        // EPSS, exploit catalogs, SSVC decisions: CycloneDX has no place for them.
        ..Vulnerability::default()
    }
}

/// The task types of CycloneDX 1.5–1.7 (`taskType`).
const TASK_TYPES: &[&str] = &[
    "copy", "clone", "lint", "scan", "merge", "build", "test", "deliver", "deploy", "release",
    "clean", "other",
];
const TRIGGER_TYPES: &[&str] = &["manual", "api", "webhook", "scheduled"];
const OUTPUT_TYPES: &[&str] = &[
    "artifact",
    "attestation",
    "log",
    "evidence",
    "metrics",
    "other",
];
const ACCESS_MODES: &[&str] = &[
    "read-only",
    "read-write",
    "read-write-once",
    "write-once",
    "write-only",
];
const VOLUME_MODES: &[&str] = &["filesystem", "block"];

/// Reports member `key` of the element at `path` as not of the type the schema wants.
fn wrong_type(path: &str, key: &'static str, expected: &'static str, ctx: &mut Ctx<'_>) {
    ctx.report.push(
        format!("{path}/{key}"),
        IssueKind::WrongType {
            field: key,
            expected,
        },
    );
}

/// Member `key` of `v` when it is a string; another type is reported.
fn string_at(v: &Node<'_>, key: &'static str, path: &str, ctx: &mut Ctx<'_>) -> Option<String> {
    match v.get(key)? {
        Node::String(t) => Some((*t).to_string()),
        _ => {
            wrong_type(path, key, "a string", ctx);
            None
        }
    }
}

/// The items of member `key` of `v`; nothing when it is missing, and another type is reported.
fn list_at<'a, 'b>(
    v: &'a Node<'b>,
    key: &'static str,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> &'a [Node<'b>] {
    match v.get(key) {
        None => &[],
        Some(Node::Array(items)) => items,
        Some(_) => {
            wrong_type(path, key, "an array", ctx);
            &[]
        }
    }
}

/// Whether `v` can be read as an object: one, or in XML an element with nothing in it (which
/// the XML mapping brings to an empty string).
fn objectlike(v: &Node<'_>, ctx: &Ctx<'_>) -> bool {
    match v {
        Node::Object(_) => true,
        Node::String(t) => ctx.xml && t.trim().is_empty(),
        _ => false,
    }
}

/// Whether `v` is an object (as [`objectlike`]); when it is not, a wrong type is reported at
/// `path` for `field`.
fn object_or_reported(v: &Node<'_>, path: &str, field: &'static str, ctx: &mut Ctx<'_>) -> bool {
    let ok = objectlike(v, ctx);
    if !ok {
        ctx.report.push(
            path,
            IssueKind::WrongType {
                field,
                expected: "an object",
            },
        );
    }
    ok
}

/// Member `key` of `v` when it is an object; another type is reported.
fn object_at<'a, 'b>(
    v: &'a Node<'b>,
    key: &'static str,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Option<&'a Node<'b>> {
    let o = v.get(key)?;
    if objectlike(o, ctx) {
        Some(o)
    } else {
        wrong_type(path, key, "an object", ctx);
        None
    }
}

/// The strings of array member `key`; other items and another type are reported.
fn strings_at(v: &Node<'_>, key: &'static str, path: &str, ctx: &mut Ctx<'_>) -> Vec<String> {
    let items = list_at(v, key, path, ctx);
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        match x {
            Node::String(t) => out.push((*t).to_string()),
            _ => ctx.report.push(
                format!("{path}/{key}/{i}"),
                IssueKind::WrongType {
                    field: key,
                    expected: "an array of strings",
                },
            ),
        }
    }
    out
}

/// A date-time member, kept as written; one that is not RFC 3339 is reported.
fn time_at(v: &Node<'_>, key: &'static str, path: &str, ctx: &mut Ctx<'_>) -> Option<String> {
    let t = string_at(v, key, path, ctx)?;
    if supply_sig::time::Timestamp::parse_rfc3339(&t).is_none() {
        ctx.report.push(
            format!("{path}/{key}"),
            IssueKind::Timestamp { value: shown(&t) },
        );
    }
    Some(t)
}

/// A boolean member (JSON's `true`/`false`, XML's text); another value is reported.
fn bool_at(v: &Node<'_>, key: &'static str, path: &str, ctx: &mut Ctx<'_>) -> Option<bool> {
    let x = v.get(key)?;
    let b = match x {
        Node::String(_) if !ctx.xml => None,
        _ => bool_of(Some(x)),
    };
    if b.is_none() {
        wrong_type(path, key, "a boolean", ctx);
    }
    b
}

/// An enumerated string member; a value outside `of` is reported (and kept).
fn enum_at(
    v: &Node<'_>,
    key: &'static str,
    of: &[&str],
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Option<String> {
    let x = string_at(v, key, path, ctx)?;
    enumerated(ctx, format!("{path}/{key}"), key, &x, of);
    Some(x)
}

/// The `properties` of `v`, checked.
fn properties_at(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Properties {
    if list_at(v, "properties", path, ctx).is_empty() {
        return Properties::new();
    }
    check_properties(v, path, ctx);
    properties_of(v)
}

/// The `bom-ref` of a formulation element. Only an empty one is reported, not one used twice:
/// the specification's own valid 1.7 citations example gives a formula and its workflow the
/// same `bom-ref`, which JSON Schema cannot see (XML's uniqueness is checked on the XML tree).
fn formulation_ref(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<String> {
    let r = string_at(v, "bom-ref", path, ctx)?;
    if r.is_empty() {
        ctx.report
            .invalid(path, "bom-ref", r.as_str(), "a non-empty string");
    }
    Some(r)
}

/// The required `bom-ref` of a workflow, task, trigger or workspace; a missing one is reported
/// and generated (`prefix-N`), so that the element can still be referred to and written.
fn required_ref(v: &Node<'_>, prefix: &str, path: &str, ctx: &mut Ctx<'_>) -> String {
    if let Some(r) = formulation_ref(v, path, ctx) {
        return r;
    }
    if v.get("bom-ref").is_none() {
        ctx.report.missing(path, "bom-ref");
    }
    generated_id(ctx, prefix)
}

/// The required `uid` of a workflow, task, trigger or workspace (empty, and reported, when
/// missing).
fn required_uid(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> String {
    let uid = string_at(v, "uid", path, ctx);
    if v.get("uid").is_none() {
        ctx.report.missing(path, "uid");
    }
    uid.unwrap_or_default()
}

/// Reads a `formula` into the model, checking it.
fn formula(f: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<Formula> {
    if !object_or_reported(f, path, "formula", ctx) {
        return None;
    }
    let id = formulation_ref(f, path, ctx);
    // Components are read as the document's own, into a document of their own: their
    // packages, files and nesting are the formula's.
    let mut parts = Sbom::new();
    for (i, c) in list_at(f, "components", path, ctx).iter().enumerate() {
        component(c, None, &format!("{path}/components/{i}"), ctx, &mut parts);
    }
    parts.dedup_relationships();
    let services = list_at(f, "services", path, ctx)
        .iter()
        .enumerate()
        .map(|(i, s)| service(s, &format!("{path}/services/{i}"), ctx))
        .collect();
    let mut workflows = Vec::new();
    for (i, w) in list_at(f, "workflows", path, ctx).iter().enumerate() {
        let wpath = format!("{path}/workflows/{i}");
        if let Some(t) = task(w, &wpath, "workflow", ctx) {
            let tasks = list_at(w, "tasks", &wpath, ctx)
                .iter()
                .enumerate()
                .filter_map(|(j, x)| task(x, &format!("{wpath}/tasks/{j}"), "task", ctx))
                .collect();
            let task_dependencies = dependencies_at(w, "taskDependencies", &wpath, ctx);
            workflows.push(Workflow {
                id: t.id,
                uid: t.uid,
                name: t.name,
                description: t.description,
                resource_references: t.resource_references,
                tasks,
                task_dependencies,
                task_types: t.task_types,
                trigger: t.trigger,
                steps: t.steps,
                inputs: t.inputs,
                outputs: t.outputs,
                time_start: t.time_start,
                time_end: t.time_end,
                workspaces: t.workspaces,
                runtime_topology: t.runtime_topology,
                properties: t.properties,
            });
        }
    }
    Some(Formula {
        id,
        components: parts.packages,
        files: parts.files,
        relationships: parts.relationships,
        services,
        workflows,
        properties: properties_at(f, path, ctx),
    })
}

/// Reads what a `task` and a `workflow` have in common (a workflow's own tasks and task
/// dependencies are read by the caller); `kind` names the element for a generated id.
fn task(t: &Node<'_>, path: &str, kind: &'static str, ctx: &mut Ctx<'_>) -> Option<Task> {
    if !object_or_reported(t, path, kind, ctx) {
        return None;
    }
    let id = required_ref(t, kind, path, ctx);
    let uid = required_uid(t, path, ctx);
    if t.get("taskTypes").is_none() {
        ctx.report.missing(path, "taskTypes");
    }
    let task_types = strings_at(t, "taskTypes", path, ctx);
    for (i, x) in task_types.iter().enumerate() {
        enumerated(
            ctx,
            format!("{path}/taskTypes/{i}"),
            "taskType",
            x,
            TASK_TYPES,
        );
    }
    let trigger =
        object_at(t, "trigger", path, ctx).map(|x| trigger(x, &format!("{path}/trigger"), ctx));
    let steps = list_at(t, "steps", path, ctx)
        .iter()
        .enumerate()
        .filter_map(|(i, s)| step(s, &format!("{path}/steps/{i}"), ctx))
        .collect();
    Some(Task {
        id,
        uid,
        name: string_at(t, "name", path, ctx),
        description: string_at(t, "description", path, ctx),
        resource_references: resource_references_at(t, path, ctx),
        task_types,
        trigger,
        steps,
        inputs: inputs_at(t, path, ctx),
        outputs: outputs_at(t, path, ctx),
        time_start: time_at(t, "timeStart", path, ctx),
        time_end: time_at(t, "timeEnd", path, ctx),
        workspaces: list_at(t, "workspaces", path, ctx)
            .iter()
            .enumerate()
            .filter_map(|(i, w)| workspace(w, &format!("{path}/workspaces/{i}"), ctx))
            .collect(),
        runtime_topology: dependencies_at(t, "runtimeTopology", path, ctx),
        properties: properties_at(t, path, ctx),
    })
}

/// Reads a `step`.
fn step(s: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<Step> {
    if !object_or_reported(s, path, "step", ctx) {
        return None;
    }
    let mut commands = Vec::new();
    for (i, c) in list_at(s, "commands", path, ctx).iter().enumerate() {
        let cpath = format!("{path}/commands/{i}");
        if !object_or_reported(c, &cpath, "command", ctx) {
            continue;
        }
        commands.push(Command {
            executed: string_at(c, "executed", &cpath, ctx),
            properties: properties_at(c, &cpath, ctx),
        });
    }
    Some(Step {
        name: string_at(s, "name", path, ctx),
        description: string_at(s, "description", path, ctx),
        commands,
        properties: properties_at(s, path, ctx),
    })
}

/// Reads a `trigger`.
fn trigger(t: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Trigger {
    let id = required_ref(t, "trigger", path, ctx);
    let uid = required_uid(t, path, ctx);
    let kind = enum_at(t, "type", TRIGGER_TYPES, path, ctx);
    if t.get("type").is_none() {
        ctx.report.missing(path, "type");
    }
    let event = object_at(t, "event", path, ctx).map(|e| {
        let epath = format!("{path}/event");
        TriggerEvent {
            uid: string_at(e, "uid", &epath, ctx),
            description: string_at(e, "description", &epath, ctx),
            time_received: time_at(e, "timeReceived", &epath, ctx),
            data: e
                .get("data")
                .and_then(|d| attached_text(d, &format!("{epath}/data"), ctx)),
            source: resource_at(e, "source", &epath, ctx),
            target: resource_at(e, "target", &epath, ctx),
            properties: properties_at(e, &epath, ctx),
        }
    });
    let mut conditions = Vec::new();
    for (i, c) in list_at(t, "conditions", path, ctx).iter().enumerate() {
        let cpath = format!("{path}/conditions/{i}");
        if !object_or_reported(c, &cpath, "condition", ctx) {
            continue;
        }
        conditions.push(Condition {
            description: string_at(c, "description", &cpath, ctx),
            expression: string_at(c, "expression", &cpath, ctx),
            properties: properties_at(c, &cpath, ctx),
        });
    }
    Trigger {
        id,
        uid,
        name: string_at(t, "name", path, ctx),
        description: string_at(t, "description", path, ctx),
        resource_references: resource_references_at(t, path, ctx),
        kind: kind.unwrap_or_default(),
        event,
        conditions,
        time_activated: time_at(t, "timeActivated", path, ctx),
        inputs: inputs_at(t, path, ctx),
        outputs: outputs_at(t, path, ctx),
        properties: properties_at(t, path, ctx),
    }
}

/// Reads a `workspace`.
fn workspace(w: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<Workspace> {
    if !object_or_reported(w, path, "workspace", ctx) {
        return None;
    }
    let volume = object_at(w, "volume", path, ctx).map(|v| {
        let vpath = format!("{path}/volume");
        Volume {
            uid: string_at(v, "uid", &vpath, ctx),
            name: string_at(v, "name", &vpath, ctx),
            mode: enum_at(v, "mode", VOLUME_MODES, &vpath, ctx),
            path: string_at(v, "path", &vpath, ctx),
            size_allocated: string_at(v, "sizeAllocated", &vpath, ctx),
            persistent: bool_at(v, "persistent", &vpath, ctx),
            remote: bool_at(v, "remote", &vpath, ctx),
            properties: properties_at(v, &vpath, ctx),
        }
    });
    Some(Workspace {
        id: required_ref(w, "workspace", path, ctx),
        uid: required_uid(w, path, ctx),
        name: string_at(w, "name", path, ctx),
        aliases: strings_at(w, "aliases", path, ctx),
        description: string_at(w, "description", path, ctx),
        resource_references: resource_references_at(w, path, ctx),
        access_mode: enum_at(w, "accessMode", ACCESS_MODES, path, ctx),
        mount_path: string_at(w, "mountPath", path, ctx),
        managed_data_type: string_at(w, "managedDataType", path, ctx),
        volume_request: string_at(w, "volumeRequest", path, ctx),
        volume,
        properties: properties_at(w, path, ctx),
    })
}

/// The `resourceReferences` of `v`.
fn resource_references_at(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vec<ResourceReference> {
    list_at(v, "resourceReferences", path, ctx)
        .iter()
        .enumerate()
        .filter_map(|(i, r)| resource_reference(r, &format!("{path}/resourceReferences/{i}"), ctx))
        .collect()
}

/// A resource reference member (`resource`, `source`, `target`).
fn resource_at(
    v: &Node<'_>,
    key: &'static str,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Option<ResourceReference> {
    let r = object_at(v, key, path, ctx)?;
    resource_reference(r, &format!("{path}/{key}"), ctx)
}

/// A `resourceReferenceChoice`: exactly one of `ref` and `externalReference`.
fn resource_reference(r: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<ResourceReference> {
    if !object_or_reported(r, path, "resourceReference", ctx) {
        return None;
    }
    let reference = string_at(r, "ref", path, ctx);
    let external = object_at(r, "externalReference", path, ctx);
    if reference.is_some() && external.is_some() {
        ctx.report.invalid(
            path,
            "resourceReference",
            "ref and externalReference",
            "one of them",
        );
    }
    if let Some(reference) = reference {
        if reference.is_empty() {
            ctx.report
                .invalid(format!("{path}/ref"), "ref", "", "a non-empty reference");
        }
        return Some(ResourceReference::Ref(reference));
    }
    let Some(e) = external else {
        ctx.report.missing(path, "ref or externalReference");
        return None;
    };
    let epath = format!("{path}/externalReference");
    let kind = string_at(e, "type", &epath, ctx);
    let url = string_at(e, "url", &epath, ctx);
    let (Some(kind), Some(url)) = (kind, url) else {
        ctx.report.missing(epath, "type/url");
        return None;
    };
    Some(ResourceReference::External(ExternalRef {
        category: "OTHER".into(),
        kind,
        locator: url,
        comment: string_at(e, "comment", &epath, ctx),
    }))
}

/// An `attachment` (XML `attachedTextType`: the text, its type and encoding as attributes).
fn attached_text(d: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Option<AttachedText> {
    match d {
        // XML: an element with text and no attributes is that text.
        Node::String(t) if ctx.xml => {
            return Some(AttachedText {
                content: (*t).to_string(),
                ..AttachedText::default()
            })
        }
        Node::Object(_) => {}
        _ => {
            ctx.report.push(
                path,
                IssueKind::WrongType {
                    field: "data",
                    expected: "an attachment object",
                },
            );
            return None;
        }
    }
    let content_type = if ctx.xml {
        string_at(d, "content-type", path, ctx)
    } else {
        string_at(d, "contentType", path, ctx)
    };
    let encoding = string_at(d, "encoding", path, ctx);
    if let Some(e) = encoding.as_deref().filter(|e| *e != "base64") {
        ctx.report
            .invalid(format!("{path}/encoding"), "encoding", e, "base64");
    }
    let content = string_at(d, "content", path, ctx);
    // XML's text may be empty; JSON requires `content`.
    if content.is_none() && !ctx.xml {
        ctx.report.missing(path, "content");
    }
    Some(AttachedText {
        content_type: content_type.unwrap_or_else(|| DEFAULT_CONTENT_TYPE.into()),
        encoding,
        content: content.unwrap_or_default(),
    })
}

/// The `environmentVars` of an input or output: properties and plain strings, in order.
fn environment_vars(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vec<EnvironmentVar> {
    let mut out = Vec::new();
    for (i, e) in list_at(v, "environmentVars", path, ctx).iter().enumerate() {
        let epath = format!("{path}/environmentVars/{i}");
        match e {
            Node::String(t) => out.push(EnvironmentVar::Value((*t).to_string())),
            Node::Object(_) => {
                let Some(name) = string_at(e, "name", &epath, ctx) else {
                    ctx.report.missing(epath, "name");
                    continue;
                };
                let value = string_at(e, "value", &epath, ctx).unwrap_or_default();
                out.push(EnvironmentVar::Property(Property { name, value }));
            }
            _ => ctx.report.push(
                epath,
                IssueKind::WrongType {
                    field: "environmentVars",
                    expected: "properties or strings",
                },
            ),
        }
    }
    out
}

/// How many of `keys` `v` has; the schema wants exactly one (`inputType`, `outputType`).
fn choices(v: &Node<'_>, keys: &[&str], path: &str, ctx: &mut Ctx<'_>) {
    let n = keys.iter().filter(|k| v.get(k).is_some()).count();
    if n != 1 {
        ctx.report.invalid(
            path,
            "input/output",
            format!("{n} of {}", keys.join(", ")),
            "exactly one of resource, parameters (inputs only), environmentVars and data",
        );
    }
}

/// The `inputs` of `v`.
fn inputs_at(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vec<Input> {
    let mut out = Vec::new();
    for (i, x) in list_at(v, "inputs", path, ctx).iter().enumerate() {
        let ipath = format!("{path}/inputs/{i}");
        if !object_or_reported(x, &ipath, "input", ctx) {
            continue;
        }
        choices(
            x,
            &["resource", "parameters", "environmentVars", "data"],
            &ipath,
            ctx,
        );
        // The first the schema lists, when a document breaks the rule of one.
        let value = if x.get("resource").is_some() {
            resource_at(x, "resource", &ipath, ctx).map(InputValue::Resource)
        } else if x.get("parameters").is_some() {
            Some(InputValue::Parameters(parameters(x, &ipath, ctx)))
        } else if x.get("environmentVars").is_some() {
            Some(InputValue::EnvironmentVars(environment_vars(
                x, &ipath, ctx,
            )))
        } else {
            x.get("data")
                .and_then(|d| attached_text(d, &format!("{ipath}/data"), ctx))
                .map(InputValue::Data)
        };
        out.push(Input {
            value,
            source: resource_at(x, "source", &ipath, ctx),
            target: resource_at(x, "target", &ipath, ctx),
            properties: properties_at(x, &ipath, ctx),
        });
    }
    out
}

/// The `outputs` of `v`.
fn outputs_at(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vec<Output> {
    let mut out = Vec::new();
    for (i, x) in list_at(v, "outputs", path, ctx).iter().enumerate() {
        let opath = format!("{path}/outputs/{i}");
        if !object_or_reported(x, &opath, "output", ctx) {
            continue;
        }
        choices(x, &["resource", "environmentVars", "data"], &opath, ctx);
        let value = if x.get("resource").is_some() {
            resource_at(x, "resource", &opath, ctx).map(OutputValue::Resource)
        } else if x.get("environmentVars").is_some() {
            Some(OutputValue::EnvironmentVars(environment_vars(
                x, &opath, ctx,
            )))
        } else {
            x.get("data")
                .and_then(|d| attached_text(d, &format!("{opath}/data"), ctx))
                .map(OutputValue::Data)
        };
        out.push(Output {
            value,
            kind: enum_at(x, "type", OUTPUT_TYPES, &opath, ctx),
            source: resource_at(x, "source", &opath, ctx),
            target: resource_at(x, "target", &opath, ctx),
            properties: properties_at(x, &opath, ctx),
        });
    }
    out
}

/// The `parameters` of an input.
fn parameters(v: &Node<'_>, path: &str, ctx: &mut Ctx<'_>) -> Vec<Parameter> {
    let mut out = Vec::new();
    for (i, p) in list_at(v, "parameters", path, ctx).iter().enumerate() {
        let ppath = format!("{path}/parameters/{i}");
        if !object_or_reported(p, &ppath, "parameter", ctx) {
            continue;
        }
        out.push(Parameter {
            name: string_at(p, "name", &ppath, ctx),
            value: string_at(p, "value", &ppath, ctx),
            data_type: string_at(p, "dataType", &ppath, ctx),
        });
    }
    out
}

/// A workflow's or task's dependency graph (`taskDependencies`, `runtimeTopology`).
fn dependencies_at(
    v: &Node<'_>,
    key: &'static str,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Vec<Dependency> {
    let mut out = Vec::new();
    for (i, d) in list_at(v, key, path, ctx).iter().enumerate() {
        let dpath = format!("{path}/{key}/{i}");
        match string_at(d, "ref", &dpath, ctx).filter(|r| !r.is_empty()) {
            Some(reference) => out.push(Dependency {
                reference,
                depends_on: strings_at(d, "dependsOn", &dpath, ctx),
                provides: strings_at(d, "provides", &dpath, ctx),
            }),
            None => ctx.report.missing(dpath, "ref"),
        }
    }
    out
}

/// Checks a license choice and returns the licenses it states: (declared, concluded).
fn check_licenses(
    v: Option<&Node<'_>>,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> (Vec<License>, Vec<License>) {
    let mut declared = Vec::new();
    let mut concluded = Vec::new();
    let Some(v) = v else {
        return (declared, concluded);
    };
    let Some(items) = v.as_array() else {
        ctx.report.push(
            path,
            IssueKind::WrongType {
                field: "licenses",
                expected: "an array",
            },
        );
        return (declared, concluded);
    };
    let expressions = items
        .iter()
        .filter(|i| i.get("expression").is_some())
        .count();
    // 1.4 JSON: an array of choices, each a license or an expression; 1.4 XML, 1.5 and 1.6:
    // one expression or a list of licenses; 1.7: mixes allowed again.
    if expressions > 0
        && items.len() > 1
        && (ctx.version >= Version::V1_5 || ctx.xml)
        && ctx.version < Version::V1_7
    {
        ctx.report.invalid(
            path,
            "licenses",
            "a mix of expressions and licenses",
            "one expression or a list of licenses",
        );
    }
    for (i, item) in items.iter().enumerate() {
        let ipath = format!("{path}/{i}");
        // CycloneDX 1.6 puts `acknowledgement` beside an `expression`, and inside a
        // `license` object.
        let ack = s(item, "acknowledgement")
            .or_else(|| item.get("license").and_then(|l| s(l, "acknowledgement")));
        let into = if ack == Some("concluded") {
            &mut concluded
        } else {
            &mut declared
        };
        if let Some(e) = item.get("expression") {
            let e = e.as_str().unwrap_or_default();
            // One parse for an expression (the common case); `NONE`/`NOASSERTION` and what
            // does not parse are looked at again as a bare expression, for the report.
            let field = LicenseField::parse_with(e, Dialect::Spdx2, Strictness::Lenient);
            if !matches!(field, Ok(LicenseField::Expression(_))) {
                if let Err(error) = Expression::parse_with(e, Dialect::Spdx2, Strictness::Lenient) {
                    ctx.report.push(
                        &ipath,
                        IssueKind::License {
                            value: shown(e),
                            error,
                        },
                    );
                }
            }
            into.push(match field {
                Ok(f) => License::Spdx(f),
                Err(_) => License::Unparsed(e.to_string()),
            });
            if item.get("license").is_some() {
                ctx.report.invalid(
                    &ipath,
                    "licenses",
                    "expression and license together",
                    "one of them",
                );
            }
            continue;
        }
        let Some(l) = item.get("license") else {
            ctx.report.missing(&ipath, "license");
            continue;
        };
        if let Some(r) = s(l, "bom-ref") {
            check_ref(r, &ipath, ctx);
        }
        let id = l.get("id");
        let name = l.get("name");
        match (id, name) {
            (Some(Node::String(id)), None) => {
                if list::license(id).map(|i| i.id()) != Some(*id) {
                    ctx.report
                        .invalid(&ipath, "license.id", *id, "an SPDX license id");
                }
                into.push(License::parse_lenient(id, Dialect::Spdx2));
            }
            (None, Some(Node::String(n))) => into.push(License::Named(n.to_string())),
            (Some(_), Some(_)) => ctx.report.invalid(
                &ipath,
                "license",
                "id and name",
                "exactly one of id and name",
            ),
            (None, None) => ctx.report.missing(&ipath, "license.id or license.name"),
            _ => ctx.report.invalid(
                &ipath,
                "license",
                "a repeated id or name",
                "exactly one id or name",
            ),
        }
        if let Some(t) = l.get("text") {
            if let Some(enc) = s(t, "encoding") {
                if enc != "base64" {
                    ctx.report
                        .invalid(format!("{ipath}/text/encoding"), "encoding", enc, "base64");
                }
            }
        }
    }
    (declared, concluded)
}

fn combine(mut ls: Vec<License>) -> Option<License> {
    match ls.len() {
        0 => None,
        1 => ls.pop(),
        _ => {
            // Several licenses in one choice all apply: `A AND B` when each is an expression.
            let parts: Vec<String> = ls.iter().map(|l| format!("({l})")).collect();
            if ls.iter().all(|l| l.expression().is_some()) {
                Some(License::parse_lenient(&parts.join(" AND "), Dialect::Spdx2))
            } else {
                Some(License::Named(
                    ls.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" AND "),
                ))
            }
        }
    }
}

/// Reads a component (and its nested components) into `sbom`; returns its id.
/// SPDX facts CycloneDX has no field for, stated as component properties named as in the
/// CycloneDX SPDX interop taxonomy (the `spdx:` names of cyclonedx-dotnet-library's
/// `CycloneDX.Spdx.PropertyTaxonomy`): the writer states them, the reader takes them back into
/// the model, so an SPDX document survives a trip through CycloneDX.
mod spdx_prop {
    /// `filesAnalyzed` (`true`/`false`).
    pub(super) const FILES_ANALYZED: &str = "spdx:files-analyzed";
    /// `packageFileName`.
    pub(super) const FILE_NAME: &str = "spdx:package:file-name";
    /// `sourceInfo`.
    pub(super) const SOURCE_INFO: &str = "spdx:package:source-info";
    /// `packageVerificationCode.packageVerificationCodeValue`.
    pub(super) const VERIFICATION_CODE: &str = "spdx:package:verification-code:value";
    /// The originator when a person: the name.
    pub(super) const ORIGINATOR: &str = "spdx:package:originator";
    /// The originator when an organization: the name.
    pub(super) const ORIGINATOR_ORGANIZATION: &str = "spdx:package:originator:organization";
    /// The originator's email.
    pub(super) const ORIGINATOR_EMAIL: &str = "spdx:package:originator:email";
    /// A CPE 2.3 name beyond the one `cpe` holds.
    pub(super) const CPE23: &str = "spdx:external-reference:security:cpe23";
    /// A CPE 2.2 name beyond the one `cpe` holds.
    pub(super) const CPE22: &str = "spdx:external-reference:security:cpe22";
    /// Any other external reference: this prefix, then `category:type`; the value is the
    /// locator.
    pub(super) const EXTERNAL_REFERENCE: &str = "spdx:external-reference:";
    /// A file's `licenseInfoInFiles` entry, one property each.
    pub(super) const LICENSE_INFO_FROM_FILE: &str = "spdx:license-info-from-file";
    /// The document's `name` (a BOM property), when it is not its subject's name.
    pub(super) const DOCUMENT_NAME: &str = "spdx:document:name";
    /// The `documentNamespace` (a BOM property), which a `urn:uuid:` serial number cannot hold.
    pub(super) const DOCUMENT_NAMESPACE: &str = "spdx:document:document-namespace";
    /// The creation information's `licenseListVersion` (a BOM property).
    pub(super) const LICENSE_LIST_VERSION: &str = "spdx:creation-info:license-list-version";
    /// The creation information's `comment` (a BOM property).
    pub(super) const CREATION_COMMENT: &str = "spdx:creation-info:comment";
    /// A `comment`: the document's (a BOM property), a package's (a component property).
    pub(super) const COMMENT: &str = "spdx:comment";
    /// `licenseComments` of a package or file.
    pub(super) const LICENSE_COMMENTS: &str = "spdx:license-comments";
}

/// Where a component property goes in the model.
enum Slot {
    FilesAnalyzed(bool),
    FileName,
    SourceInfo,
    VerificationCode,
    Person,
    Organization,
    Email,
    Cpe,
    LicenseInfo,
    Comment,
    LicenseComments,
    ExternalRef { category: String, kind: String },
    Keep,
}

fn slot(name: &str, value: &str) -> Slot {
    match name {
        spdx_prop::FILES_ANALYZED => match value {
            "true" => Slot::FilesAnalyzed(true),
            "false" => Slot::FilesAnalyzed(false),
            _ => Slot::Keep,
        },
        spdx_prop::FILE_NAME => Slot::FileName,
        spdx_prop::SOURCE_INFO => Slot::SourceInfo,
        spdx_prop::VERIFICATION_CODE => Slot::VerificationCode,
        spdx_prop::ORIGINATOR => Slot::Person,
        spdx_prop::ORIGINATOR_ORGANIZATION => Slot::Organization,
        spdx_prop::ORIGINATOR_EMAIL => Slot::Email,
        spdx_prop::CPE23 | spdx_prop::CPE22 => Slot::Cpe,
        spdx_prop::LICENSE_INFO_FROM_FILE => Slot::LicenseInfo,
        spdx_prop::COMMENT => Slot::Comment,
        spdx_prop::LICENSE_COMMENTS => Slot::LicenseComments,
        n => match n
            .strip_prefix(spdx_prop::EXTERNAL_REFERENCE)
            .and_then(|r| r.rsplit_once(':'))
        {
            Some((category, kind)) if !category.is_empty() && !kind.is_empty() => {
                Slot::ExternalRef {
                    category: category.to_ascii_uppercase(),
                    kind: kind.to_owned(),
                }
            }
            _ => Slot::Keep,
        },
    }
}

/// Takes the properties named in [`spdx_prop`] out of `pkg.properties` into the model's
/// fields; returns the `licenseInfoInFiles` entries (a file's). Other properties stay.
fn take_spdx_properties(pkg: &mut Package) -> Vec<String> {
    if !pkg.properties.iter().any(|(n, _)| n.starts_with("spdx:")) {
        return Vec::new();
    }
    let mut license_info = Vec::new();
    let (mut person, mut organization, mut email) = (None, None, None);
    let all = std::mem::take(&mut pkg.properties);
    for (name, value) in &all {
        let v = || value.to_owned();
        match slot(name, value) {
            Slot::FilesAnalyzed(b) => pkg.files_analyzed = Some(b),
            Slot::FileName => pkg.file_name = Some(v()),
            Slot::SourceInfo => pkg.source_info = Some(v()),
            Slot::VerificationCode => pkg.verification_code = Some(v()),
            Slot::Person => person = Some(v()),
            Slot::Organization => organization = Some(v()),
            Slot::Email => email = Some(v()),
            Slot::Cpe => pkg.cpes.push(v()),
            Slot::LicenseInfo => license_info.push(v()),
            Slot::Comment => pkg.comment = Some(v()),
            Slot::LicenseComments => pkg.license_comments = Some(v()),
            Slot::ExternalRef { category, kind } => pkg.external_refs.push(ExternalRef {
                category,
                kind,
                locator: v(),
                comment: None,
            }),
            Slot::Keep => pkg.properties.push(name, value),
        }
    }
    let originator = match (person, organization) {
        (Some(n), _) => Some(("Person", n)),
        (None, Some(n)) => Some(("Organization", n)),
        (None, None) => None,
    };
    if let Some((kind, name)) = originator {
        pkg.originator = Some(spdx_creator(kind, &name, email.as_deref()));
    }
    license_info
}

/// The external reference types of CycloneDX 1.6 (`externalReferences[].type`).
const REFERENCE_TYPES: &[&str] = &[
    "vcs",
    "issue-tracker",
    "website",
    "advisories",
    "bom",
    "mailing-list",
    "social",
    "chat",
    "documentation",
    "support",
    "source-distribution",
    "distribution",
    "distribution-intake",
    "license",
    "build-meta",
    "build-system",
    "release-notes",
    "security-contact",
    "model-card",
    "log",
    "configuration",
    "evidence",
    "formulation",
    "attestation",
    "threat-model",
    "adversary-model",
    "risk-assessment",
    "vulnerability-assertion",
    "exploitability-statement",
    "pentest-report",
    "static-analysis-report",
    "dynamic-analysis-report",
    "runtime-analysis-report",
    "component-analysis-report",
    "maturity-report",
    "certification-report",
    "codified-infrastructure",
    "quality-metrics",
    "poam",
    "electronic-signature",
    "digital-signature",
    "rfc-9116",
    "other",
];

/// The members of a component the reader takes, in byte order (for [`Node::pick`]).
const COMPONENT_KEYS: [&str; 20] = [
    "author",
    "bom-ref",
    "components",
    "copyright",
    "cpe",
    "description",
    "externalReferences",
    "group",
    "hashes",
    "isExternal",
    "licenses",
    "name",
    "pedigree",
    "publisher",
    "purl",
    "scope",
    "swid",
    "type",
    "version",
    "versionRange",
];

fn component(
    c: &Node<'_>,
    parent: Option<&str>,
    path: &str,
    ctx: &mut Ctx<'_>,
    sbom: &mut Sbom,
) -> String {
    let [f_author, f_bom_ref, f_components, f_copyright, f_cpe, f_description, f_external_references, f_group, f_hashes, f_is_external, f_licenses, f_name, f_pedigree, f_publisher, f_purl, f_scope, f_swid, f_type, f_version, f_version_range] =
        c.pick(&COMPONENT_KEYS);
    let types = component_types(ctx.version);
    match str_of(f_type) {
        None => ctx.report.missing(path, "type"),
        Some(t) if !types.contains(&t) => ctx.report.invalid(
            format!("{path}/type"),
            "type",
            t,
            "a component type of this version",
        ),
        Some(_) => {}
    }
    let name = str_of(f_name).unwrap_or_default();
    if f_name.is_none() {
        ctx.report.missing(path, "name");
    }
    // 1.7: `versionRange` only on external components (`isExternal: true`), never with
    // `version`.
    if f_version_range.is_some() {
        let external = matches!(f_is_external, Some(Node::Bool(true)))
            || str_of(f_is_external) == Some("true");
        if !external {
            ctx.report.invalid(
                format!("{path}/versionRange"),
                "versionRange",
                "on a non-external component",
                "only on external components",
            );
        }
        if f_version.is_some() {
            ctx.report.invalid(
                format!("{path}/versionRange"),
                "versionRange",
                "with version",
                "either version or versionRange",
            );
        }
    }
    if let Some(scope) = str_of(f_scope) {
        if !["required", "optional", "excluded"].contains(&scope) {
            ctx.report.invalid(
                format!("{path}/scope"),
                "scope",
                scope,
                "required, optional or excluded",
            );
        }
    }
    let id = match f_bom_ref {
        Some(Node::String(r)) => {
            check_ref(r, path, ctx);
            r.to_string()
        }
        _ => generated_id(ctx, "component"),
    };
    let supplier =
        object_at(c, "supplier", path, ctx).map(|sp| entity(sp, &format!("{path}/supplier"), ctx));
    let mut pkg = Package {
        id: id.clone(),
        name: match str_of(f_group) {
            Some(g) if !g.is_empty() && !name.starts_with(g) => format!("{g}/{name}"),
            _ => name.to_string(),
        },
        version: str_of(f_version).map(str::to_string),
        purpose: str_of(f_type).map(str::to_string),
        supplier: supplier.as_ref().and_then(|sp| sp.to_spdx()),
        supplier_detail: supplier.map(Box::new),
        description: str_of(f_description).map(str::to_string),
        copyright: str_of(f_copyright).map(str::to_string),
        group: str_of(f_group)
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        publisher: str_of(f_publisher).map(str::to_string),
        author: str_of(f_author).map(str::to_string),
        ..Package::default()
    };
    for (i, h) in items_of(f_hashes).iter().enumerate() {
        let alg = s(h, "alg").unwrap_or_default();
        let content = s(h, "content").unwrap_or_default();
        if !HASH_ALGS.contains(&alg) {
            ctx.report.invalid(
                format!("{path}/hashes/{i}/alg"),
                "alg",
                alg,
                "a CycloneDX hash algorithm",
            );
        }
        if !is_hash(content) {
            ctx.report.invalid(
                format!("{path}/hashes/{i}/content"),
                "content",
                shown(content),
                "hex of a hash length",
            );
        }
        pkg.checksums.push(Checksum {
            algorithm: spdx_algorithm(alg),
            value: content.to_ascii_lowercase(),
        });
    }
    // The path is built only for a component that has licenses.
    let (declared, concluded) = match f_licenses {
        Some(l) => check_licenses(Some(l), &format!("{path}/licenses"), ctx),
        None => (Vec::new(), Vec::new()),
    };
    pkg.license_declared = combine(declared);
    pkg.license_concluded = combine(concluded);
    if let Some(p) = str_of(f_purl) {
        match Purl::parse(p) {
            Ok(p) => pkg.purl = Some(p),
            // A bad purl is kept as a reference; CycloneDX's schema does not check purls.
            Err(_) => pkg.external_refs.push(ExternalRef {
                category: "PACKAGE-MANAGER".into(),
                kind: "purl".into(),
                locator: p.into(),
                comment: None,
            }),
        }
    }
    if let Some(cpe) = str_of(f_cpe) {
        pkg.cpes.push(cpe.to_string());
    }
    if let Some(swid) = f_swid {
        if s(swid, "tagId").is_none() {
            ctx.report.missing(format!("{path}/swid"), "tagId");
        }
        if s(swid, "name").is_none() {
            ctx.report.missing(format!("{path}/swid"), "name");
        }
    }
    if let Some(ped) = f_pedigree {
        for (i, p) in arr(ped, "patches").iter().enumerate() {
            let ppath = format!("{path}/pedigree/patches/{i}");
            match s(p, "type") {
                Some("unofficial" | "monkey" | "backport" | "cherry-pick") => {}
                Some(t) => ctx
                    .report
                    .invalid(format!("{ppath}/type"), "type", t, "a patch type"),
                None => ctx.report.missing(&ppath, "type"),
            }
            for (j, r) in arr(p, "resolves").iter().enumerate() {
                match s(r, "type") {
                    Some("defect" | "enhancement" | "security") => {}
                    Some(t) => ctx.report.invalid(
                        format!("{ppath}/resolves/{j}/type"),
                        "type",
                        t,
                        "defect, enhancement or security",
                    ),
                    None => ctx.report.missing(format!("{ppath}/resolves/{j}"), "type"),
                }
            }
        }
        for key in ["ancestors", "descendants", "variants"] {
            for (i, a) in arr(ped, key).iter().enumerate() {
                let mut scratch = Sbom::new();
                component(
                    a,
                    None,
                    &format!("{path}/pedigree/{key}/{i}"),
                    ctx,
                    &mut scratch,
                );
            }
        }
    }
    // A SWID tag is SPDX's `SECURITY swid` reference (its locator `swid:<tagId>`); its name and
    // version are the component's own.
    if let Some(tag) = f_swid.and_then(|sw| s(sw, "tagId")) {
        pkg.external_refs.push(ExternalRef {
            category: "SECURITY".into(),
            kind: "swid".into(),
            locator: format!("{SWID_PREFIX}{tag}"),
            comment: None,
        });
    }
    for r in items_of(f_external_references) {
        if let (Some(t), Some(u)) = (s(r, "type"), s(r, "url")) {
            match t {
                "website" if pkg.homepage.is_none() => pkg.homepage = Some(u.to_string()),
                "distribution" if pkg.download_location.is_none() => {
                    pkg.download_location = Some(u.to_string())
                }
                _ => pkg.external_refs.push(ExternalRef {
                    category: "OTHER".into(),
                    kind: t.to_string(),
                    locator: u.to_string(),
                    comment: s(r, "comment").map(str::to_string),
                }),
            }
        }
    }
    check_properties(c, path, ctx);
    pkg.properties = properties_of(c);
    let license_info = take_spdx_properties(&mut pkg);
    if let Some(p) = parent {
        sbom.push_relationship(p, RelationshipType::contains(), &id);
    }
    // A file component is read as a file where SPDX can hold it as one: inside the component
    // that contains it (as the writer puts a package's files), or with the SHA-1 every SPDX 2.3
    // file has. Any other (the BOM's subject, a loose file without SHA-1) stays a package of
    // purpose `file`, which every format can write.
    let is_file = str_of(f_type) == Some("file")
        && path != "/metadata/component"
        && (parent.is_some() || pkg.checksums.iter().any(|c| c.algorithm == "SHA1"));
    if is_file {
        sbom.files.push(File {
            id: pkg.id,
            name: pkg.name,
            checksums: pkg.checksums,
            license_concluded: pkg.license_concluded.or(pkg.license_declared),
            license_info_in_file: license_info,
            copyright: pkg.copyright,
            comment: pkg.description,
            license_comments: pkg.license_comments,
            ..File::default()
        });
    } else {
        pkg.license_info_from_files = license_info;
        sbom.packages.push(pkg);
    }
    for (i, child) in items_of(f_components).iter().enumerate() {
        component(
            child,
            Some(&id),
            &format!("{path}/components/{i}"),
            ctx,
            sbom,
        );
    }
    id
}

/// A `urn:uuid:` serial number for a writer: the model's when it is one, else derived from the
/// document namespace and content (deterministic).
fn serial_for(sbom: &Sbom) -> String {
    if let Some(ns) = &sbom.namespace {
        if is_serial(ns) {
            return ns.clone();
        }
    }
    let seed = crate::spdx2::namespace_for(sbom);
    let h = supply_sig::digest::Algorithm::Sha256
        .digest(seed.as_bytes())
        .hex();
    // A version-5-style UUID layout over the hash (variant bits set).
    format!(
        "urn:uuid:{}-{}-5{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The CycloneDX 1.6 JSON BOM a writer produces, borrowed from the model: the one
/// model→CycloneDX mapping, which the JSON writer serializes and the XML writer prints.
///
/// Fields of this and the other `*Out` structs are declared in the byte order of their JSON
/// names: that is the order the writer has always produced (it used to build a
/// `serde_json::Value`, whose maps sort their keys), and serde writes fields in declaration
/// order. A test checks the order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BomOut<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationOut<'a>>,
    bom_format: &'static str,
    components: ComponentsOut<'a>,
    #[serde(
        skip_serializing_if = "<[Composition]>::is_empty",
        serialize_with = "compositions"
    )]
    compositions: &'a [Composition],
    dependencies: DependenciesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    formulation: Vec<FormulaOut<'a>>,
    metadata: MetadataOut<'a>,
    serial_number: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceOut<'a>>,
    spec_version: &'static str,
    version: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<VulnerabilityOut<'a>>,
}

/// An `annotation`: one per model annotation, its subject the element's `bom-ref`, or one per
/// run of model annotations that were one CycloneDX annotation of several subjects.
#[derive(Serialize)]
struct AnnotationOut<'a> {
    annotator: AnnotatorOut<'a>,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    subjects: Vec<&'a str>,
    text: &'a str,
    timestamp: String,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum AnnotatorOut<'a> {
    Component(Box<ComponentOut<'a>>),
    Individual(ContactOut<'a>),
    Organization(EntityOut<'a>),
    Service(Box<ServiceOut<'a>>),
}

impl<'a> AnnotatorOut<'a> {
    /// The annotator: its CycloneDX detail when the model has it, else the one its SPDX
    /// spelling names (`None` for one that names none).
    fn new(a: &'a Annotation) -> Option<Self> {
        if let Some(detail) = &a.annotator_detail {
            return Some(match detail {
                Annotator::Organization(o) => Self::Organization(EntityOut::new(o)),
                Annotator::Individual(c) => Self::Individual(ContactOut::new(c)),
                Annotator::Component(p) => Self::Component(Box::new(ComponentOut::new(p))),
                Annotator::Service(svc) => Self::Service(Box::new(ServiceOut::new(svc, 0))),
            });
        }
        // Parsed here rather than through `Annotator::from_spdx`: the parts borrow from the
        // model, as everything this writer writes does.
        let (kind, who) = a.annotator.split_once(": ")?;
        Some(match kind {
            "Organization" => {
                let (name, email) = creator_parts(who);
                Self::Organization(EntityOut {
                    contact: email.map(ContactOut::email).into_iter().collect(),
                    ..EntityOut::named(name)
                })
            }
            "Person" => {
                let (name, email) = creator_parts(who);
                Self::Individual(ContactOut {
                    name: Some(name),
                    ..ContactOut::email_opt(email)
                })
            }
            "Tool" => {
                let (name, version) = tool_name_version(who.trim());
                Self::Component(Box::new(ComponentOut::named("application", name, version)))
            }
            _ => return None,
        })
    }
}

impl<'a> AnnotationOut<'a> {
    /// The annotation, unless its subject is the document (which a CycloneDX annotation cannot
    /// name) or its annotator is not an SPDX creator.
    fn new(a: &'a Annotation) -> Option<Self> {
        if a.subject == crate::spdx2::DOCUMENT_ID {
            return None;
        }
        Some(Self {
            annotator: AnnotatorOut::new(a)?,
            bom_ref: a.id.as_deref(),
            subjects: vec![&a.subject],
            text: &a.comment,
            timestamp: crate::validate::normalize_timestamp(&a.date)
                .unwrap_or_else(|| a.date.clone()),
        })
    }
}

/// The model's annotations as CycloneDX's: a run of annotations with the same `bom-ref`, equal
/// but for their subject (what the reader makes of one annotation of several subjects), is one
/// again; a `bom-ref` written once is not written again (the schema wants them unique).
fn annotations_out(list: &[Annotation]) -> Vec<AnnotationOut<'_>> {
    let same = |a: &Annotation, b: &Annotation| {
        a.id.is_some()
            && a.id == b.id
            && a.annotator == b.annotator
            && a.annotator_detail == b.annotator_detail
            && a.date == b.date
            && a.comment == b.comment
    };
    let mut out: Vec<AnnotationOut<'_>> = Vec::new();
    let mut ids = HashSet::new();
    let mut last: Option<&Annotation> = None;
    for a in list {
        if let (Some(prev), Some(o)) = (last, out.last_mut()) {
            if same(prev, a) && a.subject != crate::spdx2::DOCUMENT_ID {
                if !o.subjects.contains(&a.subject.as_str()) {
                    o.subjects.push(&a.subject);
                }
                continue;
            }
        }
        let Some(mut o) = AnnotationOut::new(a) else {
            continue;
        };
        if o.bom_ref.is_some_and(|r| !ids.insert(r)) {
            o.bom_ref = None;
        }
        last = Some(a);
        out.push(o);
    }
    out
}

fn compositions<S: serde::Serializer>(
    list: &&[Composition],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct CompositionOut<'a> {
        aggregate: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        assemblies: &'a [String],
        #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
        bom_ref: Option<&'a str>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        dependencies: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        vulnerabilities: &'a [String],
    }
    serializer.collect_seq(list.iter().map(|c| CompositionOut {
        aggregate: &c.aggregate,
        assemblies: &c.assemblies,
        bom_ref: c.id.as_deref(),
        dependencies: &c.dependencies,
        vulnerabilities: &c.vulnerabilities,
    }))
}

/// A `vulnerability`.
#[derive(Serialize)]
struct VulnerabilityOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<AdvisoryOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    affects: Vec<AffectsOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<AnalysisOut<'a>>,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<&'a str>,
    #[serde(skip_serializing_if = "<[u32]>::is_empty")]
    cwes: &'a [u32],
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    id: &'a str,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<RatingOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<ReferenceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workaround: Option<&'a str>,
}

#[derive(Serialize)]
struct AdvisoryOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    url: &'a str,
}

#[derive(Serialize)]
struct AffectsOut<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<AffectedVersionOut<'a>>,
}

#[derive(Serialize)]
struct AffectedVersionOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct AnalysisOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(rename = "firstIssued", skip_serializing_if = "Option::is_none")]
    first_issued: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    #[serde(rename = "lastUpdated", skip_serializing_if = "Option::is_none")]
    last_updated: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    response: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
}

#[derive(Serialize)]
struct RatingOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'a str>,
    /// A number in JSON; a score that is not one is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<&'a str>,
}

#[derive(Serialize)]
struct ReferenceOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceOut<'a>>,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

impl<'a> SourceOut<'a> {
    fn new(s: &'a VulnerabilitySource) -> Self {
        Self {
            name: s.name.as_deref(),
            url: s.url.as_deref(),
        }
    }
}

/// A VEX state in CycloneDX's words (`analysis.state`).
pub(crate) fn cyclonedx_state(state: State) -> &'static str {
    match state {
        State::NotAffected => "not_affected",
        State::FalsePositive => "false_positive",
        State::Fixed | State::Resolved => "resolved",
        State::ResolvedWithPedigree => "resolved_with_pedigree",
        State::Affected | State::Exploitable => "exploitable",
        State::UnderInvestigation | State::InTriage => "in_triage",
    }
}

impl<'a> VulnerabilityOut<'a> {
    fn new(v: &'a Vulnerability) -> Self {
        Self {
            advisories: v
                .advisories
                .iter()
                .map(|a| AdvisoryOut {
                    title: a.title.as_deref(),
                    url: &a.url,
                })
                .collect(),
            affects: v
                .affects
                .iter()
                .map(|a| AffectsOut {
                    reference: &a.target,
                    versions: a
                        .versions
                        .iter()
                        .map(|x| AffectedVersionOut {
                            range: x.range.as_deref(),
                            status: x.status.as_deref(),
                            version: x.version.as_deref(),
                        })
                        .collect(),
                })
                .collect(),
            analysis: v.analysis.as_ref().map(|a| AnalysisOut {
                detail: a.detail.as_deref(),
                first_issued: a.first_issued.as_deref(),
                justification: a.justification.as_deref(),
                last_updated: a.last_updated.as_deref(),
                response: &a.responses,
                state: a.state.map(cyclonedx_state),
            }),
            bom_ref: v.element_id.as_deref(),
            created: v.created.as_deref(),
            cwes: &v.cwes,
            description: v.description.as_deref(),
            detail: v.detail.as_deref(),
            id: &v.id,
            properties: PropertiesOut {
                model: &v.properties,
                extra: Vec::new(),
            },
            published: v.published.as_deref(),
            ratings: v
                .ratings
                .iter()
                .map(|r| RatingOut {
                    justification: r.justification.as_deref(),
                    method: r.method.as_deref(),
                    score: r.score.as_deref().and_then(|s| s.parse().ok()),
                    severity: r.severity.as_deref(),
                    source: r.source.as_ref().map(SourceOut::new),
                    vector: r.vector.as_deref(),
                })
                .collect(),
            recommendation: v.recommendation.as_deref(),
            references: v
                .references
                .iter()
                .map(|r| ReferenceOut {
                    id: &r.id,
                    source: r.source.as_ref().map(SourceOut::new),
                })
                .collect(),
            rejected: v.rejected.as_deref(),
            source: v.source.as_ref().map(SourceOut::new),
            updated: v.updated.as_deref(),
            workaround: v.workaround.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct MetadataOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<ContactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<ComponentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<EntityOut<'a>>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    timestamp: String,
    tools: ToolsOut<'a>,
}

#[derive(Serialize)]
struct ToolsOut<'a> {
    components: Vec<ComponentOut<'a>>,
}

/// An `organizationalContact`.
#[derive(Serialize, Default)]
struct ContactOut<'a> {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
}

impl<'a> ContactOut<'a> {
    fn new(c: &'a OrganizationalContact) -> Self {
        Self {
            bom_ref: c.id.as_deref(),
            email: c.email.as_deref(),
            name: c.name.as_deref(),
            phone: c.phone.as_deref(),
        }
    }

    /// A contact known by its email alone (an SPDX creator's).
    fn email(email: &'a str) -> Self {
        Self::email_opt(Some(email))
    }

    fn email_opt(email: Option<&'a str>) -> Self {
        Self {
            email,
            ..Self::default()
        }
    }
}

/// An `organizationalEntity`: a provider, the BOM's manufacturer, an annotating organization.
#[derive(Serialize)]
struct EntityOut<'a> {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contact: Vec<ContactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    url: &'a [String],
}

impl<'a> EntityOut<'a> {
    fn new(e: &'a OrganizationalEntity) -> Self {
        Self {
            bom_ref: e.id.as_deref(),
            contact: e.contacts.iter().map(ContactOut::new).collect(),
            name: e.name.as_deref(),
            url: &e.urls,
        }
    }

    /// An organization known by its name alone (an SPDX creator's).
    fn named(name: &'a str) -> Self {
        Self {
            bom_ref: None,
            contact: Vec::new(),
            name: Some(name),
            url: &[],
        }
    }
}

/// A component: a package, the metadata component, or a tool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComponentOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    /// Sub-components: the files a package contains (the reader's `CONTAINS`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Self>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReferenceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<HashOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseOut<'a>>,
    name: &'a str,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a Purl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<EntityOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    swid: Option<SwidOut<'a>>,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

/// A component's SWID tag.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SwidOut<'a> {
    name: &'a str,
    tag_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

/// How SPDX writes a SWID tag id as a `SECURITY swid` reference's locator.
const SWID_PREFIX: &str = "swid:";

#[derive(Serialize)]
struct HashOut<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct ExternalReferenceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    url: &'a str,
}

/// A license choice: a `license` (listed id or name) or an `expression`.
#[derive(Serialize)]
#[serde(untagged)]
enum LicenseOut<'a> {
    License {
        license: LicenseEntryOut<'a>,
    },
    Expression {
        acknowledgement: &'static str,
        expression: String,
    },
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseEntryOut<'a> {
    Id {
        acknowledgement: &'static str,
        id: String,
    },
    Name {
        acknowledgement: &'static str,
        name: &'a str,
    },
}

/// The model's properties, serialized as `{"name", "value"}` objects without copying them,
/// followed by the SPDX facts CycloneDX has no field for ([`SpdxProperty`]).
struct PropertiesOut<'a> {
    model: &'a Properties,
    extra: Vec<(Cow<'a, str>, &'a str)>,
}

/// No properties, for [`PropertiesOut::default`].
static NO_PROPERTIES: Properties = Properties::new();

impl Default for PropertiesOut<'_> {
    fn default() -> Self {
        Self {
            model: &NO_PROPERTIES,
            extra: Vec::new(),
        }
    }
}

impl<'a> PropertiesOut<'a> {
    fn is_empty(&self) -> bool {
        self.model.is_empty() && self.extra.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.model
            .iter()
            .chain(self.extra.iter().map(|(n, v)| (n.as_ref(), *v)))
    }

    fn push(&mut self, name: &'static str, value: &'a str) {
        self.extra.push((Cow::Borrowed(name), value));
    }
}

impl Serialize for PropertiesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct PropertyOut<'a> {
            name: &'a str,
            value: &'a str,
        }
        serializer.collect_seq(self.iter().map(|(name, value)| PropertyOut { name, value }))
    }
}

/// The components of a document, or of a formula: packages, files, and the relationships
/// that nest them.
#[derive(Clone, Copy)]
struct Parts<'a> {
    packages: &'a [Package],
    files: &'a [File],
    relationships: &'a [Relationship],
}

impl<'a> Parts<'a> {
    fn of(sbom: &'a Sbom) -> Self {
        Self {
            packages: &sbom.packages,
            files: &sbom.files,
            relationships: &sbom.relationships,
        }
    }
}

/// The components but the root (the metadata component), each mapped as it is written (as
/// [`crate::spdx2`]'s packages are): no mapped copy of the whole list is built and dropped.
/// A package another package `CONTAINS` (its first such parent, the root aside) is nested in
/// it, at most [`MAX_WRITTEN_NESTING`](crate::limits::MAX_WRITTEN_NESTING) levels deep and never
/// in a cycle; files are components of type `file`, nested in the package that contains them
/// (its first `CONTAINS`), at the top level when none does.
struct ComponentsOut<'a> {
    packages: &'a [Package],
    root: Option<&'a str>,
    /// The packages each package contains, by package id.
    children: HashMap<&'a str, Vec<&'a Package>>,
    /// Packages written inside another.
    nested: HashSet<&'a str>,
    /// The files each package contains, by package id.
    contained: HashMap<&'a str, Vec<&'a File>>,
    /// Files no package contains.
    loose: Vec<&'a File>,
}

impl<'a> ComponentsOut<'a> {
    fn new(sbom: Parts<'a>, root: Option<&'a str>, packages: &HashSet<&str>) -> Self {
        let mut contained: HashMap<&'a str, Vec<&'a File>> = HashMap::new();
        let mut placed: HashSet<&str> = HashSet::new();
        if !sbom.files.is_empty() {
            let files: HashMap<&str, &File> =
                sbom.files.iter().map(|f| (f.id.as_str(), f)).collect();
            for r in sbom.relationships {
                if r.kind.as_str() != "CONTAINS" || !packages.contains(r.from.as_str()) {
                    continue;
                }
                if let Some(f) = files.get(r.to.as_str()) {
                    if placed.insert(r.to.as_str()) {
                        contained.entry(r.from.as_str()).or_default().push(f);
                    }
                }
            }
        }
        let loose = sbom
            .files
            .iter()
            .filter(|f| !placed.contains(f.id.as_str()))
            .collect();
        let (children, nested) = nesting(sbom, root, packages);
        Self {
            packages: sbom.packages,
            root,
            children,
            nested,
            contained,
            loose,
        }
    }

    /// A package's component, with the packages and files it contains.
    fn component(&self, p: &'a Package) -> ComponentOut<'a> {
        let mut c = ComponentOut::new(p);
        if let Some(kids) = self.children.get(p.id.as_str()) {
            c.components = kids.iter().map(|k| self.component(k)).collect();
        }
        if let Some(files) = self.contained.get(p.id.as_str()) {
            c.components
                .extend(files.iter().map(|f| ComponentOut::file(f)));
        }
        c
    }

    /// Whether no component is written.
    fn is_empty(&self) -> bool {
        self.loose.is_empty()
            && self
                .packages
                .iter()
                .all(|p| Some(p.id.as_str()) == self.root || self.nested.contains(p.id.as_str()))
    }

    fn iter(&self) -> impl Iterator<Item = ComponentOut<'a>> + '_ {
        let root = self.root;
        self.packages
            .iter()
            .filter(move |p| Some(p.id.as_str()) != root && !self.nested.contains(p.id.as_str()))
            .map(|p| self.component(p))
            .chain(self.loose.iter().map(|f| ComponentOut::file(f)))
    }
}

/// Which package is written inside which: each package under the first package (not the root,
/// not itself) that `CONTAINS` it, then, walking down from the packages left at the top level,
/// any package found deeper than the limit, and any package of a `CONTAINS` cycle no top-level
/// package reaches, taken back to the top level. Linear in packages and relationships.
#[allow(clippy::type_complexity)]
fn nesting<'a>(
    sbom: Parts<'a>,
    root: Option<&'a str>,
    packages: &HashSet<&str>,
) -> (HashMap<&'a str, Vec<&'a Package>>, HashSet<&'a str>) {
    let mut children: HashMap<&'a str, Vec<&'a Package>> = HashMap::new();
    let candidates: Vec<(&'a str, &'a str)> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind.as_str() == "CONTAINS")
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .filter(|&(from, to)| {
            from != to && Some(from) != root && Some(to) != root && packages.contains(from)
        })
        .collect();
    if candidates.is_empty() {
        return (children, HashSet::new());
    }
    // A package whose id another package shares stays at the top level: nesting goes by id.
    let mut count: HashMap<&str, usize> = HashMap::with_capacity(sbom.packages.len());
    for p in sbom.packages {
        *count.entry(p.id.as_str()).or_default() += 1;
    }
    let mut parent: HashMap<&'a str, &'a str> = HashMap::new();
    for (from, to) in candidates {
        if count.get(to) == Some(&1) {
            parent.entry(to).or_insert(from);
        }
    }
    let by_id: HashMap<&str, &'a Package> =
        sbom.packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut kids_of: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
    for p in sbom.packages {
        if let Some(&up) = parent.get(p.id.as_str()) {
            kids_of.entry(up).or_default().push(p.id.as_str());
        }
    }
    let mut nested: HashSet<&'a str> = HashSet::new();
    let mut seen: HashSet<&'a str> = HashSet::new();
    // Walk down from each top-level package; then from each package no walk reached (a cycle),
    // which becomes top-level itself.
    let starts = sbom
        .packages
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| !parent.contains_key(id))
        .chain(sbom.packages.iter().map(|p| p.id.as_str()));
    for start in starts {
        if !seen.insert(start) {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            for &kid in kids_of.get(id).into_iter().flatten() {
                if depth + 1 > crate::limits::MAX_WRITTEN_NESTING || !seen.insert(kid) {
                    continue;
                }
                nested.insert(kid);
                if let Some(p) = by_id.get(kid) {
                    children.entry(id).or_default().push(p);
                }
                stack.push((kid, depth + 1));
            }
        }
    }
    (children, nested)
}

impl Serialize for ComponentsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A `dependencies` entry for every package, each made as it is written (as
/// [`ComponentsOut`]).
struct DependenciesOut<'a> {
    packages: &'a [Package],
    /// The services' ids, nested ones too: an entry each, after the packages'.
    services: Vec<&'a str>,
    /// The packages and services each package or service depends on, by id.
    edges: HashMap<&'a str, Vec<&'a str>>,
}

impl DependenciesOut<'_> {
    fn iter(&self) -> impl Iterator<Item = DependencyOut<'_>> {
        self.packages
            .iter()
            .map(|p| p.id.as_str())
            .chain(self.services.iter().copied())
            .map(|id| DependencyOut {
                depends_on: self.edges.get(id).map_or(&[], Vec::as_slice),
                reference: id,
            })
    }
}

impl Serialize for DependenciesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[derive(Serialize)]
struct DependencyOut<'a> {
    #[serde(rename = "dependsOn", skip_serializing_if = "<[_]>::is_empty")]
    depends_on: &'a [&'a str],
    #[serde(rename = "ref")]
    reference: &'a str,
}

impl<'a> LicenseOut<'a> {
    /// The license choice for a model license, `None` for one CycloneDX cannot state.
    fn new(l: &'a License, acknowledgement: &'static str) -> Option<Self> {
        match l {
            License::Spdx(LicenseField::Expression(e)) => {
                let text = e.current().to_string();
                // A listed id has no spaces, so text that is one is a single license without
                // an exception.
                Some(if list::license(&text).is_some_and(|i| i.id() == text) {
                    Self::License {
                        license: LicenseEntryOut::Id {
                            acknowledgement,
                            id: text,
                        },
                    }
                } else {
                    Self::Expression {
                        acknowledgement,
                        expression: text,
                    }
                })
            }
            License::Named(n) => Some(Self::License {
                license: LicenseEntryOut::Name {
                    acknowledgement,
                    name: n,
                },
            }),
            _ => None,
        }
    }
}

impl<'a> ComponentOut<'a> {
    /// A component with only a type and a name (tools, a document without a root package).
    fn named(kind: &'a str, name: &'a str, version: Option<&'a str>) -> Self {
        Self {
            author: None,
            bom_ref: None,
            components: Vec::new(),
            copyright: None,
            cpe: None,
            description: None,
            external_references: Vec::new(),
            group: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            name,
            properties: PropertiesOut::default(),
            publisher: None,
            purl: None,
            supplier: None,
            swid: None,
            kind,
            version,
        }
    }

    fn new(p: &'a Package) -> Self {
        let kind = p
            .purpose
            .as_deref()
            .filter(|t| component_types(Version::V1_6).contains(t))
            .unwrap_or("library");
        // The detail, else the organization the SPDX spelling names (`Organization: name
        // (email)`; a person as an organization of that name).
        let supplier = match &p.supplier_detail {
            Some(d) => Some(EntityOut::new(d)),
            None => p
                .supplier
                .as_deref()
                .map(spdx_who)
                .filter(|n| n.trim() != "NOASSERTION")
                .map(|who| {
                    let (name, email) = creator_parts(who);
                    EntityOut {
                        contact: email.map(ContactOut::email).into_iter().collect(),
                        ..EntityOut::named(name)
                    }
                }),
        };
        let hashes = hashes_out(&p.checksums);
        let licenses = licenses_out(&p.license_concluded, &p.license_declared);
        let mut external_references = Vec::new();
        if let Some(url) = &p.homepage {
            external_references.push(ExternalReferenceOut {
                comment: None,
                kind: "website",
                url,
            });
        }
        if let Some(url) = p
            .download_location
            .as_deref()
            .filter(|d| *d != "NOASSERTION" && *d != "NONE")
        {
            external_references.push(ExternalReferenceOut {
                comment: None,
                kind: "distribution",
                url,
            });
        }
        let mut properties = PropertiesOut {
            model: &p.properties,
            extra: Vec::new(),
        };
        // The reader puts the group in front of the name; it goes back to its own field.
        let group = p.group.as_deref();
        let name = group
            .and_then(|g| p.name.strip_prefix(g)?.strip_prefix('/'))
            .filter(|n| !n.is_empty())
            .unwrap_or(&p.name);
        let mut swid = None;
        for (i, r) in p.external_refs.iter().enumerate() {
            // The first reference, when a SWID tag, is the component's `swid` (the reader puts
            // it first, so the references read back in their order).
            if i == 0 && r.category == "SECURITY" && r.kind == "swid" {
                swid = Some(SwidOut {
                    name,
                    tag_id: r.locator.strip_prefix(SWID_PREFIX).unwrap_or(&r.locator),
                    version: p.version.as_deref(),
                });
                continue;
            }
            if r.category == "OTHER" && REFERENCE_TYPES.contains(&r.kind.as_str()) {
                external_references.push(ExternalReferenceOut {
                    comment: r.comment.as_deref(),
                    kind: &r.kind,
                    url: &r.locator,
                });
            } else {
                let name = format!(
                    "{}{}:{}",
                    spdx_prop::EXTERNAL_REFERENCE,
                    r.category.to_ascii_lowercase(),
                    r.kind
                );
                properties.extra.push((Cow::Owned(name), &r.locator));
            }
        }
        for cpe in p.cpes.iter().skip(1) {
            let name = if cpe.starts_with("cpe:2.3:") {
                spdx_prop::CPE23
            } else {
                spdx_prop::CPE22
            };
            properties.push(name, cpe);
        }
        // `true` is SPDX's default: only `false` says something.
        if p.files_analyzed == Some(false) {
            properties.push(spdx_prop::FILES_ANALYZED, "false");
        }
        for (name, value) in [
            (spdx_prop::FILE_NAME, &p.file_name),
            (spdx_prop::SOURCE_INFO, &p.source_info),
            (spdx_prop::VERIFICATION_CODE, &p.verification_code),
            (spdx_prop::COMMENT, &p.comment),
            (spdx_prop::LICENSE_COMMENTS, &p.license_comments),
        ] {
            if let Some(v) = value {
                properties.push(name, v);
            }
        }
        for l in &p.license_info_from_files {
            properties.push(spdx_prop::LICENSE_INFO_FROM_FILE, l);
        }
        if let Some((kind, who)) = p.originator.as_deref().and_then(|o| o.split_once(": ")) {
            let (name, email) = creator_parts(who);
            let field = match kind {
                "Person" => Some(spdx_prop::ORIGINATOR),
                "Organization" => Some(spdx_prop::ORIGINATOR_ORGANIZATION),
                _ => None,
            };
            if let Some(field) = field {
                properties.push(field, name);
                if let Some(e) = email {
                    properties.push(spdx_prop::ORIGINATOR_EMAIL, e);
                }
            }
        }
        Self {
            author: p.author.as_deref(),
            // An annotating component may have none (empty).
            bom_ref: Some(p.id.as_str()).filter(|r| !r.is_empty()),
            components: Vec::new(),
            copyright: p
                .copyright
                .as_deref()
                .filter(|c| *c != "NOASSERTION" && *c != "NONE"),
            cpe: p.cpes.first().map(String::as_str),
            // A summary stands in for a missing description (CycloneDX has one field).
            description: p.description.as_deref().or(p.summary.as_deref()),
            external_references,
            group,
            hashes,
            licenses,
            name,
            properties,
            publisher: p.publisher.as_deref(),
            purl: p.purl.as_ref(),
            supplier,
            swid,
            kind,
            version: p.version.as_deref(),
        }
    }

    /// A file, as a component of type `file`.
    fn file(f: &'a File) -> Self {
        let mut c = Self::named("file", &f.name, None);
        c.bom_ref = Some(&f.id);
        c.description = f.comment.as_deref();
        c.hashes = hashes_out(&f.checksums);
        c.licenses = f
            .license_concluded
            .as_ref()
            .and_then(|l| LicenseOut::new(l, "concluded"))
            .into_iter()
            .collect();
        c.copyright = f
            .copyright
            .as_deref()
            .filter(|c| *c != "NOASSERTION" && *c != "NONE");
        for l in &f.license_info_in_file {
            c.properties.push(spdx_prop::LICENSE_INFO_FROM_FILE, l);
        }
        if let Some(v) = &f.license_comments {
            c.properties.push(spdx_prop::LICENSE_COMMENTS, v);
        }
        c
    }
}

/// The checksums CycloneDX has an algorithm name for, as `hashes`.
/// A license choice for a concluded and a declared license. The schema takes either `license`
/// entries (any number, each acknowledged as concluded or declared) or a single `expression`:
/// both licenses when both are single licenses, else the concluded one when known, else the
/// declared one.
fn licenses_out<'a>(
    concluded: &'a Option<License>,
    declared: &'a Option<License>,
) -> Vec<LicenseOut<'a>> {
    let concluded = concluded
        .as_ref()
        .and_then(|l| LicenseOut::new(l, "concluded"));
    let declared = declared
        .as_ref()
        .and_then(|l| LicenseOut::new(l, "declared"));
    match (concluded, declared) {
        (Some(c @ LicenseOut::License { .. }), Some(d @ LicenseOut::License { .. })) => {
            vec![c, d]
        }
        (Some(c), _) => vec![c],
        (None, Some(d)) => vec![d],
        (None, None) => Vec::new(),
    }
}

/// A `service`.
#[derive(Serialize)]
struct ServiceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    authenticated: Option<bool>,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    #[serde(
        skip_serializing_if = "<[DataFlow]>::is_empty",
        serialize_with = "data_flows"
    )]
    data: &'a [DataFlow],
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    endpoints: &'a [String],
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReferenceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseOut<'a>>,
    name: &'a str,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<EntityOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<Self>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(rename = "trustZone", skip_serializing_if = "Option::is_none")]
    trust_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(rename = "x-trust-boundary", skip_serializing_if = "Option::is_none")]
    crosses_trust_boundary: Option<bool>,
}

fn data_flows<S: serde::Serializer>(data: &&[DataFlow], serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct DataOut<'a> {
        classification: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        destination: &'a [String],
        flow: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        source: &'a [String],
    }
    serializer.collect_seq(data.iter().map(|d| DataOut {
        classification: &d.classification,
        description: d.description.as_deref(),
        destination: &d.destination,
        flow: &d.flow,
        name: d.name.as_deref(),
        source: &d.source,
    }))
}

impl<'a> ServiceOut<'a> {
    /// The service and, to [`MAX_WRITTEN_NESTING`](crate::limits::MAX_WRITTEN_NESTING)
    /// levels, the services it is made of (a model built deeper loses the rest, and the
    /// conversion report counts them).
    fn new(svc: &'a Service, depth: usize) -> Self {
        let services = if depth < crate::limits::MAX_WRITTEN_NESTING {
            svc.services
                .iter()
                .map(|s| Self::new(s, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        Self {
            authenticated: svc.authenticated,
            // An annotating service may have none (empty).
            bom_ref: Some(svc.id.as_str()).filter(|r| !r.is_empty()),
            data: &svc.data,
            description: svc.description.as_deref(),
            endpoints: &svc.endpoints,
            external_references: svc
                .external_refs
                .iter()
                .filter(|r| REFERENCE_TYPES.contains(&r.kind.as_str()))
                .map(|r| ExternalReferenceOut {
                    comment: r.comment.as_deref(),
                    kind: &r.kind,
                    url: &r.locator,
                })
                .collect(),
            group: svc.group.as_deref(),
            licenses: licenses_out(&svc.license_concluded, &svc.license_declared),
            name: &svc.name,
            properties: PropertiesOut {
                model: &svc.properties,
                extra: Vec::new(),
            },
            provider: svc.provider.as_ref().map(EntityOut::new),
            services,
            tags: &svc.tags,
            trust_zone: svc.trust_zone.as_deref(),
            version: svc.version.as_deref(),
            crosses_trust_boundary: svc.crosses_trust_boundary,
        }
    }
}

/// Every service's id, nested ones too.
/// The ids of the services [`ServiceOut`] writes: as deep as it nests them.
fn service_ids<'a>(services: &'a [Service], out: &mut Vec<&'a str>) {
    let mut stack: Vec<(&Service, usize)> = services.iter().map(|s| (s, 0)).collect();
    while let Some((svc, depth)) = stack.pop() {
        out.push(&svc.id);
        if depth < crate::limits::MAX_WRITTEN_NESTING {
            stack.extend(svc.services.iter().map(|s| (s, depth + 1)));
        }
    }
}

/// A `formula`: its components (nested as the document's are), services and workflows.
#[derive(Serialize)]
struct FormulaOut<'a> {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "ComponentsOut::is_empty")]
    components: ComponentsOut<'a>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    workflows: Vec<WorkOut<'a>>,
}

impl<'a> FormulaOut<'a> {
    fn new(f: &'a Formula) -> Self {
        let ids: HashSet<&str> = f.components.iter().map(|p| p.id.as_str()).collect();
        let parts = Parts {
            packages: &f.components,
            files: &f.files,
            relationships: &f.relationships,
        };
        Self {
            bom_ref: f.id.as_deref(),
            components: ComponentsOut::new(parts, None, &ids),
            properties: properties_out(&f.properties),
            services: f.services.iter().map(|s| ServiceOut::new(s, 0)).collect(),
            workflows: f.workflows.iter().map(WorkOut::workflow).collect(),
        }
    }
}

/// The model's properties, as written.
fn properties_out(p: &Properties) -> PropertiesOut<'_> {
    PropertiesOut {
        model: p,
        extra: Vec::new(),
    }
}

/// A `workflow` or a `task` (which has no `tasks` and `taskDependencies`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkOut<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inputs: Vec<InputOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    outputs: Vec<OutputOut<'a>>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_references: Vec<ResourceOut<'a>>,
    #[serde(
        skip_serializing_if = "<[Dependency]>::is_empty",
        serialize_with = "topology"
    )]
    runtime_topology: &'a [Dependency],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    steps: Vec<StepOut<'a>>,
    #[serde(
        skip_serializing_if = "<[Dependency]>::is_empty",
        serialize_with = "topology"
    )]
    task_dependencies: &'a [Dependency],
    /// Required: written when empty too.
    task_types: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks: Vec<Self>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_end: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_start: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger: Option<TriggerOut<'a>>,
    uid: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    workspaces: Vec<WorkspaceOut<'a>>,
}

/// A [`WorkOut`] from a [`Workflow`] or a [`Task`], whose common fields have the same names;
/// `$tasks` and `$deps` are the workflow's own.
macro_rules! work_out {
    ($w:expr, $tasks:expr, $deps:expr) => {{
        let w = $w;
        WorkOut {
            bom_ref: &w.id,
            description: w.description.as_deref(),
            inputs: w.inputs.iter().map(InputOut::new).collect(),
            name: w.name.as_deref(),
            outputs: w.outputs.iter().map(OutputOut::new).collect(),
            properties: properties_out(&w.properties),
            resource_references: w.resource_references.iter().map(ResourceOut::new).collect(),
            runtime_topology: &w.runtime_topology,
            steps: w.steps.iter().map(StepOut::new).collect(),
            task_dependencies: $deps,
            task_types: &w.task_types,
            tasks: $tasks,
            time_end: w.time_end.as_deref(),
            time_start: w.time_start.as_deref(),
            trigger: w.trigger.as_ref().map(TriggerOut::new),
            uid: &w.uid,
            workspaces: w.workspaces.iter().map(WorkspaceOut::new).collect(),
        }
    }};
}

impl<'a> WorkOut<'a> {
    fn workflow(w: &'a Workflow) -> Self {
        work_out!(
            w,
            w.tasks.iter().map(Self::task).collect(),
            &w.task_dependencies
        )
    }

    fn task(t: &'a Task) -> Self {
        work_out!(t, Vec::new(), &[])
    }
}

/// `taskDependencies` and `runtimeTopology` entries.
fn topology<S: serde::Serializer>(deps: &&[Dependency], serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct TopologyOut<'a> {
        #[serde(rename = "dependsOn", skip_serializing_if = "<[String]>::is_empty")]
        depends_on: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        provides: &'a [String],
        #[serde(rename = "ref")]
        reference: &'a str,
    }
    serializer.collect_seq(deps.iter().map(|d| TopologyOut {
        depends_on: &d.depends_on,
        provides: &d.provides,
        reference: &d.reference,
    }))
}

/// A `resourceReferenceChoice`.
#[derive(Serialize)]
#[serde(untagged)]
enum ResourceOut<'a> {
    External {
        #[serde(rename = "externalReference")]
        external_reference: ExternalReferenceOut<'a>,
    },
    Ref {
        #[serde(rename = "ref")]
        reference: &'a str,
    },
}

impl<'a> ResourceOut<'a> {
    fn new(r: &'a ResourceReference) -> Self {
        match r {
            ResourceReference::Ref(reference) => Self::Ref { reference },
            ResourceReference::External(e) => Self::External {
                external_reference: ExternalReferenceOut {
                    comment: e.comment.as_deref(),
                    kind: &e.kind,
                    url: &e.locator,
                },
            },
        }
    }
}

/// An `attachment`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttachedOut<'a> {
    content: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    content_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'a str>,
}

impl<'a> AttachedOut<'a> {
    fn new(a: &'a AttachedText) -> Self {
        Self {
            content: &a.content,
            content_type: &a.content_type,
            encoding: a.encoding.as_deref(),
        }
    }
}

/// An environment variable: a property or a string.
#[derive(Serialize)]
#[serde(untagged)]
enum EnvironmentVarOut<'a> {
    Property { name: &'a str, value: &'a str },
    Value(&'a str),
}

fn environment_vars_out(vars: &[EnvironmentVar]) -> Vec<EnvironmentVarOut<'_>> {
    vars.iter()
        .map(|v| match v {
            EnvironmentVar::Property(p) => EnvironmentVarOut::Property {
                name: &p.name,
                value: &p.value,
            },
            EnvironmentVar::Value(v) => EnvironmentVarOut::Value(v),
        })
        .collect()
}

/// A `parameter`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParameterOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

/// An `inputType`: one of `data`, `environmentVars`, `parameters` and `resource`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<AttachedOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment_vars: Option<Vec<EnvironmentVarOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<Vec<ParameterOut<'a>>>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<ResourceOut<'a>>,
}

impl<'a> InputOut<'a> {
    fn new(i: &'a Input) -> Self {
        let mut out = Self {
            data: None,
            environment_vars: None,
            parameters: None,
            properties: properties_out(&i.properties),
            resource: None,
            source: i.source.as_ref().map(ResourceOut::new),
            target: i.target.as_ref().map(ResourceOut::new),
        };
        match &i.value {
            Some(InputValue::Resource(r)) => out.resource = Some(ResourceOut::new(r)),
            Some(InputValue::Parameters(ps)) => {
                out.parameters = Some(
                    ps.iter()
                        .map(|p| ParameterOut {
                            data_type: p.data_type.as_deref(),
                            name: p.name.as_deref(),
                            value: p.value.as_deref(),
                        })
                        .collect(),
                );
            }
            Some(InputValue::EnvironmentVars(vars)) => {
                out.environment_vars = Some(environment_vars_out(vars));
            }
            Some(InputValue::Data(d)) => out.data = Some(AttachedOut::new(d)),
            None => {}
        }
        out
    }
}

/// An `outputType`: one of `data`, `environmentVars` and `resource`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutputOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<AttachedOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment_vars: Option<Vec<EnvironmentVarOut<'a>>>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<ResourceOut<'a>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
}

impl<'a> OutputOut<'a> {
    fn new(o: &'a Output) -> Self {
        let mut out = Self {
            data: None,
            environment_vars: None,
            properties: properties_out(&o.properties),
            resource: None,
            source: o.source.as_ref().map(ResourceOut::new),
            target: o.target.as_ref().map(ResourceOut::new),
            kind: o.kind.as_deref(),
        };
        match &o.value {
            Some(OutputValue::Resource(r)) => out.resource = Some(ResourceOut::new(r)),
            Some(OutputValue::EnvironmentVars(vars)) => {
                out.environment_vars = Some(environment_vars_out(vars));
            }
            Some(OutputValue::Data(d)) => out.data = Some(AttachedOut::new(d)),
            None => {}
        }
        out
    }
}

/// A `step` and its commands.
#[derive(Serialize)]
struct StepOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    commands: Vec<CommandOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
}

#[derive(Serialize)]
struct CommandOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    executed: Option<&'a str>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
}

impl<'a> StepOut<'a> {
    fn new(s: &'a Step) -> Self {
        Self {
            commands: s
                .commands
                .iter()
                .map(|c| CommandOut {
                    executed: c.executed.as_deref(),
                    properties: properties_out(&c.properties),
                })
                .collect(),
            description: s.description.as_deref(),
            name: s.name.as_deref(),
            properties: properties_out(&s.properties),
        }
    }
}

/// A `trigger`, its event and conditions.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TriggerOut<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conditions: Vec<ConditionOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<EventOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inputs: Vec<InputOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    outputs: Vec<OutputOut<'a>>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_references: Vec<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_activated: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    uid: &'a str,
}

#[derive(Serialize)]
struct ConditionOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<&'a str>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<AttachedOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_received: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
}

impl<'a> TriggerOut<'a> {
    fn new(t: &'a Trigger) -> Self {
        Self {
            bom_ref: &t.id,
            conditions: t
                .conditions
                .iter()
                .map(|c| ConditionOut {
                    description: c.description.as_deref(),
                    expression: c.expression.as_deref(),
                    properties: properties_out(&c.properties),
                })
                .collect(),
            description: t.description.as_deref(),
            event: t.event.as_ref().map(|e| EventOut {
                data: e.data.as_ref().map(AttachedOut::new),
                description: e.description.as_deref(),
                properties: properties_out(&e.properties),
                source: e.source.as_ref().map(ResourceOut::new),
                target: e.target.as_ref().map(ResourceOut::new),
                time_received: e.time_received.as_deref(),
                uid: e.uid.as_deref(),
            }),
            inputs: t.inputs.iter().map(InputOut::new).collect(),
            name: t.name.as_deref(),
            outputs: t.outputs.iter().map(OutputOut::new).collect(),
            properties: properties_out(&t.properties),
            resource_references: t.resource_references.iter().map(ResourceOut::new).collect(),
            time_activated: t.time_activated.as_deref(),
            kind: &t.kind,
            uid: &t.uid,
        }
    }
}

/// A `workspace` and its volume.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    access_mode: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed_data_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mount_path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_references: Vec<ResourceOut<'a>>,
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume: Option<VolumeOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume_request: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VolumeOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persistent: Option<bool>,
    #[serde(skip_serializing_if = "PropertiesOut::is_empty")]
    properties: PropertiesOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_allocated: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
}

impl<'a> WorkspaceOut<'a> {
    fn new(w: &'a Workspace) -> Self {
        Self {
            access_mode: w.access_mode.as_deref(),
            aliases: &w.aliases,
            bom_ref: &w.id,
            description: w.description.as_deref(),
            managed_data_type: w.managed_data_type.as_deref(),
            mount_path: w.mount_path.as_deref(),
            name: w.name.as_deref(),
            properties: properties_out(&w.properties),
            resource_references: w.resource_references.iter().map(ResourceOut::new).collect(),
            uid: &w.uid,
            volume: w.volume.as_ref().map(|v| VolumeOut {
                mode: v.mode.as_deref(),
                name: v.name.as_deref(),
                path: v.path.as_deref(),
                persistent: v.persistent,
                properties: properties_out(&v.properties),
                remote: v.remote,
                size_allocated: v.size_allocated.as_deref(),
                uid: v.uid.as_deref(),
            }),
            volume_request: w.volume_request.as_deref(),
        }
    }
}

fn hashes_out(checksums: &[Checksum]) -> Vec<HashOut<'_>> {
    checksums
        .iter()
        .filter_map(|c| cyclonedx_algorithm(&c.algorithm).map(|a| (a, c)))
        .filter(|(_, c)| is_hash(&c.value))
        .map(|(alg, c)| HashOut {
            alg,
            content: &c.value,
        })
        .collect()
}

impl<'a> BomOut<'a> {
    /// Maps the model to CycloneDX 1.6.
    pub(crate) fn new(sbom: &'a Sbom) -> Self {
        let root = sbom.describes.iter().find_map(|d| sbom.package(d));
        let mut tools: Vec<ComponentOut<'a>> = Vec::new();
        for t in sbom
            .creators
            .iter()
            .filter_map(|c| c.strip_prefix("Tool: "))
        {
            let (name, version) = tool_name_version(t);
            // The schema wants unique items.
            if !tools.iter().any(|u| u.name == name && u.version == version) {
                tools.push(ComponentOut::named("application", name, version));
            }
        }
        // This writer, unless the document already names it (a BOM it generated).
        let this = ("supply-sbom", Some(env!("CARGO_PKG_VERSION")));
        if !tools.iter().any(|u| (u.name, u.version) == this) {
            tools.push(ComponentOut::named("application", this.0, this.1));
        }
        // SPDX's other creators: people as the BOM's authors, the (first) organization as its
        // manufacturer (1.6: "the organization that created the BOM").
        let authors = sbom
            .creators
            .iter()
            .filter_map(|c| c.strip_prefix("Person: "))
            .map(|who| {
                let (name, email) = creator_parts(who);
                ContactOut {
                    name: Some(name),
                    ..ContactOut::email_opt(email)
                }
            })
            .collect();
        let manufacturer = sbom
            .creators
            .iter()
            .find_map(|c| c.strip_prefix("Organization: "))
            .map(|org| {
                let (name, email) = creator_parts(org);
                EntityOut {
                    contact: email.map(ContactOut::email).into_iter().collect(),
                    ..EntityOut::named(name)
                }
            });
        let ids: HashSet<&str> = sbom.packages.iter().map(|p| p.id.as_str()).collect();
        let components = ComponentsOut::new(Parts::of(sbom), root.map(|r| r.id.as_str()), &ids);
        let component = match root {
            Some(r) => Some(components.component(r)),
            None => sbom
                .name
                .as_deref()
                .map(|n| ComponentOut::named("application", n, None)),
        };
        let mut properties = PropertiesOut::default();
        if let Some(name) = sbom
            .name
            .as_deref()
            .filter(|n| component.as_ref().is_none_or(|c| c.name != *n))
        {
            properties.push(spdx_prop::DOCUMENT_NAME, name);
        }
        if let Some(ns) = sbom.namespace.as_deref().filter(|ns| !is_serial(ns)) {
            properties.push(spdx_prop::DOCUMENT_NAMESPACE, ns);
        }
        if let Some(v) = &sbom.license_list_version {
            properties.push(spdx_prop::LICENSE_LIST_VERSION, v);
        }
        if let Some(v) = &sbom.creator_comment {
            properties.push(spdx_prop::CREATION_COMMENT, v);
        }
        if let Some(v) = &sbom.comment {
            properties.push(spdx_prop::COMMENT, v);
        }
        // Edges grouped by source once: a scan of every relationship per package made writing
        // 50,000 packages take 40 s.
        let mut services = Vec::new();
        service_ids(&sbom.services, &mut services);
        let service_set: HashSet<&str> = services.iter().copied().collect();
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in &sbom.relationships {
            let known = ids.contains(r.to.as_str()) || service_set.contains(r.to.as_str());
            if r.kind.as_str() == "DEPENDS_ON" && known {
                edges
                    .entry(r.from.as_str())
                    .or_default()
                    .push(r.to.as_str());
            }
        }
        Self {
            schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
            annotations: annotations_out(&sbom.annotations),
            bom_format: "CycloneDX",
            components,
            compositions: &sbom.compositions,
            dependencies: DependenciesOut {
                packages: &sbom.packages,
                services,
                edges,
            },
            formulation: sbom.formulation.iter().map(FormulaOut::new).collect(),
            metadata: MetadataOut {
                authors,
                component,
                manufacturer,
                properties,
                timestamp: crate::spdx2::created_for(sbom),
                tools: ToolsOut { components: tools },
            },
            serial_number: serial_for(sbom),
            services: sbom
                .services
                .iter()
                .map(|s| ServiceOut::new(s, 0))
                .collect(),
            spec_version: "1.6",
            version: 1,
            vulnerabilities: sbom
                .vulnerabilities
                .iter()
                .map(VulnerabilityOut::new)
                .collect(),
        }
    }
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// An `<externalReferences>` element, unless there are none.
fn xml_external_references(out: &mut String, refs: &[ExternalReferenceOut<'_>], indent: &str) {
    use std::fmt::Write as _;
    if refs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<externalReferences>");
    for r in refs {
        let comment = r
            .comment
            .map(|c| format!("<comment>{}</comment>", esc(c)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}  <reference type=\"{}\"><url>{}</url>{comment}</reference>",
            esc(r.kind),
            esc(r.url)
        );
    }
    let _ = writeln!(out, "{indent}</externalReferences>");
}

/// A `<properties>` element, unless there are none.
fn xml_properties(out: &mut String, props: &PropertiesOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    if props.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<properties>");
    for (name, value) in props.iter() {
        let _ = writeln!(
            out,
            "{indent}  <property name=\"{}\">{}</property>",
            esc(name),
            esc(value)
        );
    }
    let _ = writeln!(out, "{indent}</properties>");
}

/// A `<licenses>` element, unless there are none.
fn xml_licenses(out: &mut String, licenses: &[LicenseOut<'_>], i2: &str) {
    use std::fmt::Write as _;
    if !licenses.is_empty() {
        let _ = writeln!(out, "{i2}<licenses>");
        for l in licenses {
            match l {
                LicenseOut::Expression {
                    acknowledgement,
                    expression,
                } => {
                    let _ = writeln!(
                        out,
                        "{i2}  <expression acknowledgement=\"{}\">{}</expression>",
                        esc(acknowledgement),
                        esc(expression)
                    );
                }
                LicenseOut::License { license } => {
                    let (acknowledgement, tag, v) = match license {
                        LicenseEntryOut::Id {
                            acknowledgement,
                            id,
                        } => (acknowledgement, "id", id.as_str()),
                        LicenseEntryOut::Name {
                            acknowledgement,
                            name,
                        } => (acknowledgement, "name", *name),
                    };
                    let _ = writeln!(
                        out,
                        "{i2}  <license acknowledgement=\"{}\"><{tag}>{}</{tag}></license>",
                        esc(acknowledgement),
                        esc(v)
                    );
                }
            }
        }
        let _ = writeln!(out, "{i2}</licenses>");
    }
}

/// A `<service>`, its elements in the XSD's sequence.
fn xml_service(out: &mut String, svc: &ServiceOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<service{}>", xml_bom_ref(svc.bom_ref));
    let i2 = format!("{indent}  ");
    if let Some(p) = &svc.provider {
        xml_entity(out, "provider", p, &i2);
    }
    xml_text(out, &i2, "group", svc.group);
    xml_text(out, &i2, "name", Some(svc.name));
    xml_text(out, &i2, "version", svc.version);
    xml_text(out, &i2, "description", svc.description);
    if !svc.endpoints.is_empty() {
        let _ = writeln!(out, "{i2}<endpoints>");
        for e in svc.endpoints {
            let _ = writeln!(out, "{i2}  <endpoint>{}</endpoint>", esc(e));
        }
        let _ = writeln!(out, "{i2}</endpoints>");
    }
    let flag = |b: Option<bool>| b.map(|b| if b { "true" } else { "false" });
    xml_text(out, &i2, "authenticated", flag(svc.authenticated));
    xml_text(
        out,
        &i2,
        "x-trust-boundary",
        flag(svc.crosses_trust_boundary),
    );
    xml_text(out, &i2, "trustZone", svc.trust_zone);
    if !svc.data.is_empty() {
        let _ = writeln!(out, "{i2}<data>");
        for d in svc.data {
            // The bare `classification` of 1.4 (1.6 still takes it), else 1.5's `dataflow`,
            // which also holds a name, description, source and destination.
            let bare = d.name.is_none()
                && d.description.is_none()
                && d.source.is_empty()
                && d.destination.is_empty();
            if bare {
                let _ = writeln!(
                    out,
                    "{i2}  <classification flow=\"{}\">{}</classification>",
                    esc(&d.flow),
                    esc(&d.classification)
                );
                continue;
            }
            let _ = write!(out, "{i2}  <dataflow");
            if let Some(n) = &d.name {
                let _ = write!(out, " name=\"{}\"", esc(n));
            }
            if let Some(n) = &d.description {
                let _ = write!(out, " description=\"{}\"", esc(n));
            }
            let _ = writeln!(
                out,
                ">\n{i2}    <classification flow=\"{}\">{}</classification>",
                esc(&d.flow),
                esc(&d.classification)
            );
            for (k, urls) in [("source", &d.source), ("destination", &d.destination)] {
                if !urls.is_empty() {
                    let _ = writeln!(out, "{i2}    <{k}>");
                    for u in urls {
                        let _ = writeln!(out, "{i2}      <url>{}</url>", esc(u));
                    }
                    let _ = writeln!(out, "{i2}    </{k}>");
                }
            }
            let _ = writeln!(out, "{i2}  </dataflow>");
        }
        let _ = writeln!(out, "{i2}</data>");
    }
    xml_licenses(out, &svc.licenses, &i2);
    xml_external_references(out, &svc.external_references, &i2);
    xml_properties(out, &svc.properties, &i2);
    if !svc.services.is_empty() {
        let _ = writeln!(out, "{i2}<services>");
        let i3 = format!("{i2}  ");
        for sub in &svc.services {
            xml_service(out, sub, &i3);
        }
        let _ = writeln!(out, "{i2}</services>");
    }
    if !svc.tags.is_empty() {
        let _ = writeln!(out, "{i2}<tags>");
        for t in svc.tags {
            let _ = writeln!(out, "{i2}  <tag>{}</tag>", esc(t));
        }
        let _ = writeln!(out, "{i2}</tags>");
    }
    let _ = writeln!(out, "{indent}</service>");
}

/// A ` bom-ref="…"` attribute, or nothing.
fn xml_bom_ref(r: Option<&str>) -> String {
    r.map(|r| format!(" bom-ref=\"{}\"", esc(r)))
        .unwrap_or_default()
}

/// An `organizationalContact` as element `tag`, its elements in the XSD's sequence.
fn xml_contact(out: &mut String, tag: &str, c: &ContactOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<{tag}{}>", xml_bom_ref(c.bom_ref));
    let i2 = format!("{indent}  ");
    xml_text(out, &i2, "name", c.name);
    xml_text(out, &i2, "email", c.email);
    xml_text(out, &i2, "phone", c.phone);
    let _ = writeln!(out, "{indent}</{tag}>");
}

/// An `organizationalEntity` as element `tag`: name, URLs and contacts (XML repeats `url` and
/// `contact` where JSON has arrays).
fn xml_entity(out: &mut String, tag: &str, e: &EntityOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<{tag}{}>", xml_bom_ref(e.bom_ref));
    let i2 = format!("{indent}  ");
    xml_text(out, &i2, "name", e.name);
    for u in e.url {
        xml_text(out, &i2, "url", Some(u));
    }
    for c in &e.contact {
        xml_contact(out, "contact", c, &i2);
    }
    let _ = writeln!(out, "{indent}</{tag}>");
}

fn xml_component(out: &mut String, c: &ComponentOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = write!(out, "{indent}<component type=\"{}\"", esc(c.kind));
    if let Some(r) = c.bom_ref {
        let _ = write!(out, " bom-ref=\"{}\"", esc(r));
    }
    out.push_str(">\n");
    let i2 = format!("{indent}  ");
    if let Some(sp) = &c.supplier {
        xml_entity(out, "supplier", sp, &i2);
    }
    // Element order is the XSD's xs:sequence.
    for (k, v) in [
        ("author", c.author),
        ("publisher", c.publisher),
        ("group", c.group),
        ("name", Some(c.name)),
        ("version", c.version),
        ("description", c.description),
    ] {
        if let Some(v) = v {
            let _ = writeln!(out, "{i2}<{k}>{}</{k}>", esc(v));
        }
    }
    if !c.hashes.is_empty() {
        let _ = writeln!(out, "{i2}<hashes>");
        for h in &c.hashes {
            let _ = writeln!(
                out,
                "{i2}  <hash alg=\"{}\">{}</hash>",
                esc(h.alg),
                esc(h.content)
            );
        }
        let _ = writeln!(out, "{i2}</hashes>");
    }
    xml_licenses(out, &c.licenses, &i2);
    let purl = c.purl.map(Purl::to_string);
    for (k, v) in [
        ("copyright", c.copyright),
        ("cpe", c.cpe),
        ("purl", purl.as_deref()),
    ] {
        if let Some(v) = v {
            let _ = writeln!(out, "{i2}<{k}>{}</{k}>", esc(v));
        }
    }
    if let Some(sw) = &c.swid {
        let version = sw
            .version
            .map(|v| format!(" version=\"{}\"", esc(v)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{i2}<swid tagId=\"{}\" name=\"{}\"{version}/>",
            esc(sw.tag_id),
            esc(sw.name)
        );
    }
    xml_external_references(out, &c.external_references, &i2);
    xml_properties(out, &c.properties, &i2);
    if !c.components.is_empty() {
        let _ = writeln!(out, "{i2}<components>");
        let i3 = format!("{i2}  ");
        for sub in &c.components {
            xml_component(out, sub, &i3);
        }
        let _ = writeln!(out, "{i2}</components>");
    }
    let _ = writeln!(out, "{indent}</component>");
}

/// Writes CycloneDX 1.6 XML (the same content as the JSON writer).
pub(crate) fn to_xml(sbom: &Sbom) -> String {
    use std::fmt::Write as _;
    let bom = BomOut::new(sbom);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" serialNumber=\"{}\" version=\"1\">",
        esc(&bom.serial_number)
    );
    let meta = &bom.metadata;
    out.push_str("  <metadata>\n");
    let _ = writeln!(out, "    <timestamp>{}</timestamp>", esc(&meta.timestamp));
    out.push_str("    <tools>\n      <components>\n");
    for t in &meta.tools.components {
        xml_component(&mut out, t, "        ");
    }
    out.push_str("      </components>\n    </tools>\n");
    if !meta.authors.is_empty() {
        out.push_str("    <authors>\n");
        for a in &meta.authors {
            xml_contact(&mut out, "author", a, "      ");
        }
        out.push_str("    </authors>\n");
    }
    if let Some(c) = &meta.component {
        xml_component(&mut out, c, "    ");
    }
    if let Some(m) = &meta.manufacturer {
        xml_entity(&mut out, "manufacturer", m, "    ");
    }
    xml_properties(&mut out, &meta.properties, "    ");
    out.push_str("  </metadata>\n  <components>\n");
    for c in bom.components.iter() {
        xml_component(&mut out, &c, "    ");
    }
    out.push_str("  </components>\n");
    if !bom.services.is_empty() {
        out.push_str("  <services>\n");
        for svc in &bom.services {
            xml_service(&mut out, svc, "    ");
        }
        out.push_str("  </services>\n");
    }
    out.push_str("  <dependencies>\n");
    for d in bom.dependencies.iter() {
        let r = esc(d.reference);
        if d.depends_on.is_empty() {
            let _ = writeln!(out, "    <dependency ref=\"{r}\"/>");
        } else {
            let _ = writeln!(out, "    <dependency ref=\"{r}\">");
            for t in d.depends_on {
                let _ = writeln!(out, "      <dependency ref=\"{}\"/>", esc(t));
            }
            out.push_str("    </dependency>\n");
        }
    }
    out.push_str("  </dependencies>\n");
    if !bom.compositions.is_empty() {
        out.push_str("  <compositions>\n");
        for c in bom.compositions {
            match &c.id {
                Some(r) => {
                    let _ = writeln!(out, "    <composition bom-ref=\"{}\">", esc(r));
                }
                None => out.push_str("    <composition>\n"),
            }
            let _ = writeln!(out, "      <aggregate>{}</aggregate>", esc(&c.aggregate));
            for (list, item, refs) in [
                ("assemblies", "assembly", &c.assemblies),
                ("dependencies", "dependency", &c.dependencies),
                ("vulnerabilities", "vulnerability", &c.vulnerabilities),
            ] {
                if refs.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "      <{list}>");
                for r in refs {
                    let _ = writeln!(out, "        <{item} ref=\"{}\"/>", esc(r));
                }
                let _ = writeln!(out, "      </{list}>");
            }
            out.push_str("    </composition>\n");
        }
        out.push_str("  </compositions>\n");
    }
    if !bom.vulnerabilities.is_empty() {
        out.push_str("  <vulnerabilities>\n");
        for v in &bom.vulnerabilities {
            xml_vulnerability(&mut out, v);
        }
        out.push_str("  </vulnerabilities>\n");
    }
    if !bom.annotations.is_empty() {
        out.push_str("  <annotations>\n");
        for a in &bom.annotations {
            let _ = writeln!(out, "    <annotation{}>", xml_bom_ref(a.bom_ref));
            out.push_str("      <subjects>\n");
            for sub in &a.subjects {
                let _ = writeln!(out, "        <subject ref=\"{}\"/>", esc(sub));
            }
            out.push_str("      </subjects>\n      <annotator>\n");
            let i = "        ";
            match &a.annotator {
                AnnotatorOut::Organization(o) => xml_entity(&mut out, "organization", o, i),
                AnnotatorOut::Individual(p) => xml_contact(&mut out, "individual", p, i),
                AnnotatorOut::Component(c) => xml_component(&mut out, c, i),
                AnnotatorOut::Service(svc) => xml_service(&mut out, svc, i),
            }
            out.push_str("      </annotator>\n");
            let _ = writeln!(out, "      <timestamp>{}</timestamp>", esc(&a.timestamp));
            let _ = writeln!(out, "      <text>{}</text>", esc(a.text));
            out.push_str("    </annotation>\n");
        }
        out.push_str("  </annotations>\n");
    }
    if !bom.formulation.is_empty() {
        out.push_str("  <formulation>\n");
        for f in &bom.formulation {
            xml_formula(&mut out, f, "    ");
        }
        out.push_str("  </formulation>\n");
    }
    out.push_str("</bom>\n");
    out
}

/// A `<formula>`, its elements in the XSD's sequence.
fn xml_formula(out: &mut String, f: &FormulaOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    match f.bom_ref {
        Some(r) => {
            let _ = writeln!(out, "{indent}<formula bom-ref=\"{}\">", esc(r));
        }
        None => {
            let _ = writeln!(out, "{indent}<formula>");
        }
    }
    let i2 = format!("{indent}  ");
    let i3 = format!("{i2}  ");
    if !f.components.is_empty() {
        let _ = writeln!(out, "{i2}<components>");
        for c in f.components.iter() {
            xml_component(out, &c, &i3);
        }
        let _ = writeln!(out, "{i2}</components>");
    }
    if !f.services.is_empty() {
        let _ = writeln!(out, "{i2}<services>");
        for svc in &f.services {
            xml_service(out, svc, &i3);
        }
        let _ = writeln!(out, "{i2}</services>");
    }
    if !f.workflows.is_empty() {
        let _ = writeln!(out, "{i2}<workflows>");
        for w in &f.workflows {
            xml_work(out, w, "workflow", &i3);
        }
        let _ = writeln!(out, "{i2}</workflows>");
    }
    xml_properties(out, &f.properties, &i2);
    let _ = writeln!(out, "{indent}</formula>");
}

/// A `<workflow>` or a `<task>`, its elements in the XSD's sequence (a task's has no tasks
/// and task dependencies).
fn xml_work(out: &mut String, w: &WorkOut<'_>, tag: &str, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<{tag} bom-ref=\"{}\">", esc(w.bom_ref));
    let i2 = format!("{indent}  ");
    xml_text(out, &i2, "uid", Some(w.uid));
    xml_text(out, &i2, "name", w.name);
    xml_text(out, &i2, "description", w.description);
    xml_resources(out, &w.resource_references, &i2);
    if !w.tasks.is_empty() {
        let _ = writeln!(out, "{i2}<tasks>");
        let i3 = format!("{i2}  ");
        for t in &w.tasks {
            xml_work(out, t, "task", &i3);
        }
        let _ = writeln!(out, "{i2}</tasks>");
    }
    xml_topology(out, "taskDependencies", w.task_dependencies, &i2);
    // Required, even empty.
    xml_list(
        out,
        &i2,
        "taskTypes",
        "taskType",
        w.task_types.iter().map(String::as_str),
    );
    if let Some(t) = &w.trigger {
        xml_trigger(out, t, &i2);
    }
    if !w.steps.is_empty() {
        let _ = writeln!(out, "{i2}<steps>");
        let i3 = format!("{i2}  ");
        let i4 = format!("{i3}  ");
        for s in &w.steps {
            let _ = writeln!(out, "{i3}<step>");
            xml_text(out, &i4, "name", s.name);
            xml_text(out, &i4, "description", s.description);
            if !s.commands.is_empty() {
                let _ = writeln!(out, "{i4}<commands>");
                let i5 = format!("{i4}  ");
                let i6 = format!("{i5}  ");
                for c in &s.commands {
                    let _ = writeln!(out, "{i5}<command>");
                    xml_text(out, &i6, "executed", c.executed);
                    xml_properties(out, &c.properties, &i6);
                    let _ = writeln!(out, "{i5}</command>");
                }
                let _ = writeln!(out, "{i4}</commands>");
            }
            xml_properties(out, &s.properties, &i4);
            let _ = writeln!(out, "{i3}</step>");
        }
        let _ = writeln!(out, "{i2}</steps>");
    }
    xml_inputs(out, &w.inputs, &i2);
    xml_outputs(out, &w.outputs, &i2);
    xml_text(out, &i2, "timeStart", w.time_start);
    xml_text(out, &i2, "timeEnd", w.time_end);
    if !w.workspaces.is_empty() {
        let _ = writeln!(out, "{i2}<workspaces>");
        let i3 = format!("{i2}  ");
        for ws in &w.workspaces {
            xml_workspace(out, ws, &i3);
        }
        let _ = writeln!(out, "{i2}</workspaces>");
    }
    xml_topology(out, "runtimeTopology", w.runtime_topology, &i2);
    xml_properties(out, &w.properties, &i2);
    let _ = writeln!(out, "{indent}</{tag}>");
}

/// `<list><item>…</item>…</list>`; `<list/>` when there are none.
fn xml_list<'a>(
    out: &mut String,
    indent: &str,
    list: &str,
    item: &str,
    items: impl ExactSizeIterator<Item = &'a str>,
) {
    use std::fmt::Write as _;
    if items.len() == 0 {
        let _ = writeln!(out, "{indent}<{list}/>");
        return;
    }
    let _ = writeln!(out, "{indent}<{list}>");
    for x in items {
        let _ = writeln!(out, "{indent}  <{item}>{}</{item}>", esc(x));
    }
    let _ = writeln!(out, "{indent}</{list}>");
}

/// A `taskDependencies` or `runtimeTopology` element, unless there are none.
fn xml_topology(out: &mut String, tag: &str, deps: &[Dependency], indent: &str) {
    use std::fmt::Write as _;
    if deps.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<{tag}>");
    for d in deps {
        let r = esc(&d.reference);
        if d.depends_on.is_empty() && d.provides.is_empty() {
            let _ = writeln!(out, "{indent}  <dependency ref=\"{r}\"/>");
            continue;
        }
        let _ = writeln!(out, "{indent}  <dependency ref=\"{r}\">");
        for t in &d.depends_on {
            let _ = writeln!(out, "{indent}    <dependency ref=\"{}\"/>", esc(t));
        }
        for t in &d.provides {
            let _ = writeln!(out, "{indent}    <provides ref=\"{}\"/>", esc(t));
        }
        let _ = writeln!(out, "{indent}  </dependency>");
    }
    let _ = writeln!(out, "{indent}</{tag}>");
}

/// A resource reference as `<tag>`: its `<ref>` or `<externalReference>`.
fn xml_resource(out: &mut String, tag: &str, r: &ResourceOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    match r {
        ResourceOut::Ref { reference } => {
            let _ = writeln!(out, "{indent}<{tag}><ref>{}</ref></{tag}>", esc(reference));
        }
        ResourceOut::External { external_reference } => {
            let comment = external_reference
                .comment
                .map(|c| format!("<comment>{}</comment>", esc(c)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}<{tag}><externalReference type=\"{}\"><url>{}</url>{comment}</externalReference></{tag}>",
                esc(external_reference.kind),
                esc(external_reference.url)
            );
        }
    }
}

/// A `<resourceReferences>` element, unless there are none.
fn xml_resources(out: &mut String, refs: &[ResourceOut<'_>], indent: &str) {
    use std::fmt::Write as _;
    if refs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<resourceReferences>");
    let i2 = format!("{indent}  ");
    for r in refs {
        xml_resource(out, "resourceReference", r, &i2);
    }
    let _ = writeln!(out, "{indent}</resourceReferences>");
}

/// An attachment as `<tag content-type=… encoding=…>content</tag>`.
fn xml_attached(out: &mut String, tag: &str, a: &AttachedOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = write!(out, "{indent}<{tag}");
    if !a.content_type.is_empty() {
        let _ = write!(out, " content-type=\"{}\"", esc(a.content_type));
    }
    if let Some(e) = a.encoding {
        let _ = write!(out, " encoding=\"{}\"", esc(e));
    }
    let _ = writeln!(out, ">{}</{tag}>", esc(a.content));
}

/// An `<environmentVars>` element: properties as `<environmentVar>`, strings as `<value>`.
fn xml_environment_vars(out: &mut String, vars: &[EnvironmentVarOut<'_>], indent: &str) {
    use std::fmt::Write as _;
    if vars.is_empty() {
        let _ = writeln!(out, "{indent}<environmentVars/>");
        return;
    }
    let _ = writeln!(out, "{indent}<environmentVars>");
    for v in vars {
        match v {
            EnvironmentVarOut::Property { name, value } => {
                let _ = writeln!(
                    out,
                    "{indent}  <environmentVar name=\"{}\">{}</environmentVar>",
                    esc(name),
                    esc(value)
                );
            }
            EnvironmentVarOut::Value(v) => {
                let _ = writeln!(out, "{indent}  <value>{}</value>", esc(v));
            }
        }
    }
    let _ = writeln!(out, "{indent}</environmentVars>");
}

/// An `<inputs>` element, unless there are none.
fn xml_inputs(out: &mut String, inputs: &[InputOut<'_>], indent: &str) {
    use std::fmt::Write as _;
    if inputs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<inputs>");
    let i2 = format!("{indent}  ");
    let i3 = format!("{i2}  ");
    for x in inputs {
        let _ = writeln!(out, "{i2}<input>");
        if let Some(r) = &x.resource {
            xml_resource(out, "resource", r, &i3);
        }
        if let Some(ps) = &x.parameters {
            if ps.is_empty() {
                let _ = writeln!(out, "{i3}<parameters/>");
            } else {
                let _ = writeln!(out, "{i3}<parameters>");
                let i4 = format!("{i3}  ");
                let i5 = format!("{i4}  ");
                for p in ps {
                    let _ = writeln!(out, "{i4}<parameter>");
                    xml_text(out, &i5, "name", p.name);
                    xml_text(out, &i5, "value", p.value);
                    xml_text(out, &i5, "dataType", p.data_type);
                    let _ = writeln!(out, "{i4}</parameter>");
                }
                let _ = writeln!(out, "{i3}</parameters>");
            }
        }
        if let Some(vars) = &x.environment_vars {
            xml_environment_vars(out, vars, &i3);
        }
        if let Some(d) = &x.data {
            xml_attached(out, "data", d, &i3);
        }
        if let Some(r) = &x.source {
            xml_resource(out, "source", r, &i3);
        }
        if let Some(r) = &x.target {
            xml_resource(out, "target", r, &i3);
        }
        xml_properties(out, &x.properties, &i3);
        let _ = writeln!(out, "{i2}</input>");
    }
    let _ = writeln!(out, "{indent}</inputs>");
}

/// An `<outputs>` element, unless there are none.
fn xml_outputs(out: &mut String, outputs: &[OutputOut<'_>], indent: &str) {
    use std::fmt::Write as _;
    if outputs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}<outputs>");
    let i2 = format!("{indent}  ");
    let i3 = format!("{i2}  ");
    for x in outputs {
        let _ = writeln!(out, "{i2}<output>");
        if let Some(r) = &x.resource {
            xml_resource(out, "resource", r, &i3);
        }
        if let Some(vars) = &x.environment_vars {
            xml_environment_vars(out, vars, &i3);
        }
        if let Some(d) = &x.data {
            xml_attached(out, "data", d, &i3);
        }
        xml_text(out, &i3, "type", x.kind);
        if let Some(r) = &x.source {
            xml_resource(out, "source", r, &i3);
        }
        if let Some(r) = &x.target {
            xml_resource(out, "target", r, &i3);
        }
        xml_properties(out, &x.properties, &i3);
        let _ = writeln!(out, "{i2}</output>");
    }
    let _ = writeln!(out, "{indent}</outputs>");
}

/// A `<trigger>`, its elements in the XSD's sequence.
fn xml_trigger(out: &mut String, t: &TriggerOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<trigger bom-ref=\"{}\">", esc(t.bom_ref));
    let i2 = format!("{indent}  ");
    let i3 = format!("{i2}  ");
    xml_text(out, &i2, "uid", Some(t.uid));
    xml_text(out, &i2, "name", t.name);
    xml_text(out, &i2, "description", t.description);
    xml_resources(out, &t.resource_references, &i2);
    xml_text(out, &i2, "type", Some(t.kind));
    if let Some(e) = &t.event {
        let _ = writeln!(out, "{i2}<event>");
        xml_text(out, &i3, "uid", e.uid);
        xml_text(out, &i3, "description", e.description);
        xml_text(out, &i3, "timeReceived", e.time_received);
        if let Some(d) = &e.data {
            xml_attached(out, "data", d, &i3);
        }
        if let Some(r) = &e.source {
            xml_resource(out, "source", r, &i3);
        }
        if let Some(r) = &e.target {
            xml_resource(out, "target", r, &i3);
        }
        xml_properties(out, &e.properties, &i3);
        let _ = writeln!(out, "{i2}</event>");
    }
    if !t.conditions.is_empty() {
        let _ = writeln!(out, "{i2}<conditions>");
        let i4 = format!("{i3}  ");
        for c in &t.conditions {
            let _ = writeln!(out, "{i3}<condition>");
            xml_text(out, &i4, "description", c.description);
            xml_text(out, &i4, "expression", c.expression);
            xml_properties(out, &c.properties, &i4);
            let _ = writeln!(out, "{i3}</condition>");
        }
        let _ = writeln!(out, "{i2}</conditions>");
    }
    xml_text(out, &i2, "timeActivated", t.time_activated);
    xml_inputs(out, &t.inputs, &i2);
    xml_outputs(out, &t.outputs, &i2);
    xml_properties(out, &t.properties, &i2);
    let _ = writeln!(out, "{indent}</trigger>");
}

/// A `<workspace>`, its elements in the XSD's sequence.
fn xml_workspace(out: &mut String, w: &WorkspaceOut<'_>, indent: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{indent}<workspace bom-ref=\"{}\">", esc(w.bom_ref));
    let i2 = format!("{indent}  ");
    xml_text(out, &i2, "uid", Some(w.uid));
    xml_text(out, &i2, "name", w.name);
    if !w.aliases.is_empty() {
        xml_list(
            out,
            &i2,
            "aliases",
            "alias",
            w.aliases.iter().map(String::as_str),
        );
    }
    xml_text(out, &i2, "description", w.description);
    xml_resources(out, &w.resource_references, &i2);
    xml_text(out, &i2, "accessMode", w.access_mode);
    xml_text(out, &i2, "mountPath", w.mount_path);
    xml_text(out, &i2, "managedDataType", w.managed_data_type);
    xml_text(out, &i2, "volumeRequest", w.volume_request);
    if let Some(v) = &w.volume {
        let _ = writeln!(out, "{i2}<volume>");
        let i3 = format!("{i2}  ");
        let flag = |b: Option<bool>| b.map(|b| if b { "true" } else { "false" });
        xml_text(out, &i3, "uid", v.uid);
        xml_text(out, &i3, "name", v.name);
        xml_text(out, &i3, "mode", v.mode);
        xml_text(out, &i3, "path", v.path);
        xml_text(out, &i3, "sizeAllocated", v.size_allocated);
        xml_text(out, &i3, "persistent", flag(v.persistent));
        xml_text(out, &i3, "remote", flag(v.remote));
        xml_properties(out, &v.properties, &i3);
        let _ = writeln!(out, "{i2}</volume>");
    }
    xml_properties(out, &w.properties, &i2);
    let _ = writeln!(out, "{indent}</workspace>");
}

/// Writes `<name>text</name>` on its own line when there is a text.
fn xml_text(out: &mut String, indent: &str, name: &str, text: Option<&str>) {
    use std::fmt::Write as _;
    if let Some(t) = text {
        let _ = writeln!(out, "{indent}<{name}>{}</{name}>", esc(t));
    }
}

fn xml_source(out: &mut String, indent: &str, s: Option<&SourceOut<'_>>) {
    if let Some(s) = s {
        out.push_str(indent);
        out.push_str("<source>\n");
        let inner = format!("{indent}  ");
        xml_text(out, &inner, "name", s.name);
        xml_text(out, &inner, "url", s.url);
        out.push_str(indent);
        out.push_str("</source>\n");
    }
}

/// A `<vulnerability>`, its elements in the XSD's sequence.
fn xml_vulnerability(out: &mut String, v: &VulnerabilityOut<'_>) {
    use std::fmt::Write as _;
    match v.bom_ref {
        Some(r) => {
            let _ = writeln!(out, "    <vulnerability bom-ref=\"{}\">", esc(r));
        }
        None => out.push_str("    <vulnerability>\n"),
    }
    let i = "      ";
    xml_text(out, i, "id", Some(v.id).filter(|id| !id.is_empty()));
    xml_source(out, i, v.source.as_ref());
    if !v.references.is_empty() {
        let _ = writeln!(out, "{i}<references>");
        for r in &v.references {
            let _ = writeln!(out, "{i}  <reference>");
            xml_text(out, "          ", "id", Some(r.id));
            xml_source(out, "          ", r.source.as_ref());
            let _ = writeln!(out, "{i}  </reference>");
        }
        let _ = writeln!(out, "{i}</references>");
    }
    if !v.ratings.is_empty() {
        let _ = writeln!(out, "{i}<ratings>");
        for r in &v.ratings {
            let _ = writeln!(out, "{i}  <rating>");
            let i3 = "          ";
            xml_source(out, i3, r.source.as_ref());
            let score = r.score.as_ref().map(ToString::to_string);
            xml_text(out, i3, "score", score.as_deref());
            xml_text(out, i3, "severity", r.severity);
            xml_text(out, i3, "method", r.method);
            xml_text(out, i3, "vector", r.vector);
            xml_text(out, i3, "justification", r.justification);
            let _ = writeln!(out, "{i}  </rating>");
        }
        let _ = writeln!(out, "{i}</ratings>");
    }
    if !v.cwes.is_empty() {
        let _ = writeln!(out, "{i}<cwes>");
        for c in v.cwes {
            let _ = writeln!(out, "{i}  <cwe>{c}</cwe>");
        }
        let _ = writeln!(out, "{i}</cwes>");
    }
    xml_text(out, i, "description", v.description);
    xml_text(out, i, "detail", v.detail);
    xml_text(out, i, "recommendation", v.recommendation);
    xml_text(out, i, "workaround", v.workaround);
    if !v.advisories.is_empty() {
        let _ = writeln!(out, "{i}<advisories>");
        for a in &v.advisories {
            let _ = writeln!(out, "{i}  <advisory>");
            xml_text(out, "          ", "title", a.title);
            xml_text(out, "          ", "url", Some(a.url));
            let _ = writeln!(out, "{i}  </advisory>");
        }
        let _ = writeln!(out, "{i}</advisories>");
    }
    xml_text(out, i, "created", v.created);
    xml_text(out, i, "published", v.published);
    xml_text(out, i, "updated", v.updated);
    xml_text(out, i, "rejected", v.rejected);
    if let Some(a) = &v.analysis {
        let _ = writeln!(out, "{i}<analysis>");
        let i3 = "        ";
        xml_text(out, i3, "state", a.state);
        xml_text(out, i3, "justification", a.justification);
        if !a.response.is_empty() {
            let _ = writeln!(out, "{i3}<responses>");
            for r in a.response {
                let _ = writeln!(out, "{i3}  <response>{}</response>", esc(r));
            }
            let _ = writeln!(out, "{i3}</responses>");
        }
        xml_text(out, i3, "detail", a.detail);
        xml_text(out, i3, "firstIssued", a.first_issued);
        xml_text(out, i3, "lastUpdated", a.last_updated);
        let _ = writeln!(out, "{i}</analysis>");
    }
    if !v.affects.is_empty() {
        let _ = writeln!(out, "{i}<affects>");
        for t in &v.affects {
            let _ = writeln!(out, "{i}  <target>");
            xml_text(out, "          ", "ref", Some(t.reference));
            if !t.versions.is_empty() {
                let _ = writeln!(out, "          <versions>");
                for x in &t.versions {
                    let _ = writeln!(out, "            <version>");
                    let i5 = "              ";
                    xml_text(out, i5, "version", x.version);
                    xml_text(out, i5, "range", x.range);
                    xml_text(out, i5, "status", x.status);
                    let _ = writeln!(out, "            </version>");
                }
                let _ = writeln!(out, "          </versions>");
            }
            let _ = writeln!(out, "{i}  </target>");
        }
        let _ = writeln!(out, "{i}</affects>");
    }
    xml_properties(out, &v.properties, i);
    out.push_str("    </vulnerability>\n");
}
