//! SPDX 3.0.1 JSON-LD (Core, Software, SimpleLicensing, Security for vulnerabilities and VEX
//! and, for custom licenses, ExpandedLicensing profiles): reader and writer.
//!
//! Licenses are `simplelicensing_LicenseExpression` elements linked by `hasConcludedLicense` /
//! `hasDeclaredLicense` relationships; they become the packages' license fields in the model
//! and are written back the same way. SPDX 2's extracted licenses are
//! `expandedlicensing_CustomLicense` elements, SPDX 2's external document references the
//! document's `namespaceMap` and `import`, external references `externalIdentifier` or
//! `externalRef` entries (the mapping is in [`crate::convert`]). Validation covers the JSON schema's and SHACL model's
//! rules that the test data exercises: every element has a `type`, an `spdxId` and a
//! `creationInfo`, `software_primaryPurpose` is in its vocabulary, relationships have
//! `from`, `relationshipType` and a `to` array, and the document has an `@graph`.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::license::{Dialect, LicenseField, Strictness};
use crate::model::{
    from_spdx3_algorithm, spdx3_algorithm, Advisory, Affected, Analysis, Annotation, Checksum,
    Epss, ExploitCatalog, ExploitCatalogType, ExternalDocument, ExternalRef, ExtractedLicense,
    File, License, Package, Rating, RelationshipType, Sbom, Snippet, SsvcDecision, Vulnerability,
    VulnerabilityReference, VulnerabilitySource,
};
use crate::osv::vex::State;
use crate::purl::Purl;
use crate::tree::Node;
use crate::validate::{shown, IssueKind, Report};

/// The SPDX 3.0.1 JSON-LD context IRI.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

const PURPOSES: &[&str] = &[
    "application",
    "archive",
    "bom",
    "configuration",
    "container",
    "data",
    "device",
    "deviceDriver",
    "diskImage",
    "documentation",
    "evidence",
    "executable",
    "file",
    "filesystemImage",
    "firmware",
    "framework",
    "install",
    "library",
    "manifest",
    "model",
    "module",
    "operatingSystem",
    "other",
    "patch",
    "platform",
    "requirement",
    "source",
    "specification",
    "test",
];

fn s<'a>(v: &'a Node<'_>, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Node::as_str)
}

fn arr<'a, 'b>(v: &'a Node<'b>, k: &str) -> &'a [Node<'b>] {
    v.get(k).and_then(Node::as_array).unwrap_or_default()
}

/// Reads an SPDX 3 JSON-LD document. `None` when `doc` has no `@context` naming SPDX 3.
/// How an SPDX 2 external reference type is written in SPDX 3: an identifier
/// (`ExternalIdentifier`) or a reference (`ExternalRef`), with its SPDX 3 type. Types SPDX 3 has
/// no name for are `ExternalRef`s of type `other` whose comment says what they were
/// ([`OTHER_REF_COMMENT`]).
enum Spdx3Ref {
    Identifier(&'static str),
    Reference(&'static str),
}

fn spdx3_ref(spdx2_type: &str) -> Option<Spdx3Ref> {
    use Spdx3Ref::{Identifier, Reference};
    Some(match spdx2_type {
        "purl" => Identifier("packageUrl"),
        "cpe22Type" => Identifier("cpe22"),
        "cpe23Type" => Identifier("cpe23"),
        "swid" => Identifier("swid"),
        "swh" => Identifier("swhid"),
        "gitoid" => Identifier("gitoid"),
        "advisory" => Reference("securityAdvisory"),
        "fix" => Reference("securityFix"),
        "url" => Reference("securityOther"),
        "maven-central" => Reference("mavenCentral"),
        "npm" => Reference("npm"),
        "nuget" => Reference("nuget"),
        "bower" => Reference("bower"),
        _ => return None,
    })
}

/// The SPDX 2 (category, type) of an SPDX 3 identifier or reference type; `None` for a type
/// with no SPDX 2 form, which is kept as an `OTHER` reference of that type.
fn spdx2_ref(spdx3_type: &str) -> Option<(&'static str, &'static str)> {
    Some(match spdx3_type {
        "packageUrl" => ("PACKAGE-MANAGER", "purl"),
        "swid" => ("SECURITY", "swid"),
        "swhid" => ("PERSISTENT-ID", "swh"),
        "gitoid" => ("PERSISTENT-ID", "gitoid"),
        "securityAdvisory" => ("SECURITY", "advisory"),
        "securityFix" => ("SECURITY", "fix"),
        "securityOther" => ("SECURITY", "url"),
        "mavenCentral" => ("PACKAGE-MANAGER", "maven-central"),
        "npm" => ("PACKAGE-MANAGER", "npm"),
        "nuget" => ("PACKAGE-MANAGER", "nuget"),
        "bower" => ("PACKAGE-MANAGER", "bower"),
        _ => return None,
    })
}

/// The comment of an `ExternalRef` of type `other` that stands for an SPDX 2 reference SPDX 3
/// has no type for: this prefix, then the SPDX 2 category and type separated by a space.
pub const OTHER_REF_COMMENT: &str = "SPDX 2 external reference: ";

/// The package's external references and identifiers, into the model.
fn read_external_refs(e: &Node<'_>, pkg: &mut Package) {
    for x in arr(e, "externalIdentifier") {
        let (Some(t), Some(id)) = (s(x, "externalIdentifierType"), s(x, "identifier")) else {
            continue;
        };
        match t {
            "cpe23" | "cpe22" => pkg.cpes.push(id.to_string()),
            "packageUrl" if pkg.purl.is_none() => pkg.purl = Purl::parse(id).ok(),
            _ => {
                let (category, kind) = spdx2_ref(t).unwrap_or(("OTHER", t));
                pkg.external_refs.push(ExternalRef {
                    category: category.into(),
                    kind: kind.into(),
                    locator: id.into(),
                    comment: s(x, "comment").map(str::to_string),
                });
            }
        }
    }
    for x in arr(e, "externalRef") {
        let Some(t) = s(x, "externalRefType") else {
            continue;
        };
        let comment = s(x, "comment");
        // An `other` reference's comment names the SPDX 2 category and type, then (after a
        // line break) the reference's own comment.
        let ((category, kind), comment) =
            match (t, comment.and_then(|c| c.strip_prefix(OTHER_REF_COMMENT))) {
                ("other", Some(was)) => {
                    let (was, own) = match was.split_once('\n') {
                        Some((w, own)) => (w, Some(own)),
                        None => (was, None),
                    };
                    let ck = match was.split_once(' ') {
                        Some((c, k)) => (c, k),
                        None => ("OTHER", was),
                    };
                    (ck, own)
                }
                _ => (spdx2_ref(t).unwrap_or(("OTHER", t)), comment),
            };
        for locator in arr(x, "locator").iter().filter_map(Node::as_str) {
            pkg.external_refs.push(ExternalRef {
                category: category.into(),
                kind: kind.into(),
                locator: locator.into(),
                comment: comment.map(str::to_string),
            });
        }
    }
}

/// A package's external references as SPDX 3 `externalIdentifier` and `externalRef` lists.
fn write_external_refs(p: &Package) -> (Vec<Value>, Vec<Value>) {
    let identifier = |t: &str, id: &str| json!({"type": "ExternalIdentifier", "externalIdentifierType": t, "identifier": id});
    let mut identifiers: Vec<Value> = p
        .cpes
        .iter()
        .map(|c| {
            identifier(
                if c.starts_with("cpe:2.3:") {
                    "cpe23"
                } else {
                    "cpe22"
                },
                c,
            )
        })
        .collect();
    let mut refs = Vec::new();
    for r in &p.external_refs {
        let mut out = match spdx3_ref(&r.kind) {
            Some(Spdx3Ref::Identifier(t)) => identifier(t, &r.locator),
            Some(Spdx3Ref::Reference(t)) => {
                json!({"type": "ExternalRef", "externalRefType": t, "locator": [r.locator]})
            }
            None => {
                let mut comment = format!("{OTHER_REF_COMMENT}{} {}", r.category, r.kind);
                if let Some(own) = &r.comment {
                    comment.push('\n');
                    comment.push_str(own);
                }
                refs.push(json!({
                    "type": "ExternalRef", "externalRefType": "other", "locator": [r.locator],
                    "comment": comment
                }));
                continue;
            }
        };
        if let Some(c) = &r.comment {
            out["comment"] = json!(c);
        }
        match spdx3_ref(&r.kind) {
            Some(Spdx3Ref::Identifier(_)) => identifiers.push(out),
            _ => refs.push(out),
        }
    }
    (identifiers, refs)
}

pub(crate) fn from_value(doc: &Node<'_>, report: &mut Report) -> Option<Sbom> {
    let ctx = doc.get("@context")?;
    let ctx_ok = match ctx {
        Node::String(c) => c.contains("spdx.org/rdf/3."),
        Node::Array(a) => a
            .iter()
            .any(|c| c.as_str().is_some_and(|c| c.contains("spdx.org/rdf/3."))),
        _ => false,
    };
    if !ctx_ok {
        return None;
    }
    let Some(graph) = doc.get("@graph").and_then(Node::as_array) else {
        report.missing("", "@graph");
        return Some(Sbom::new());
    };
    let mut sbom = Sbom::new();
    let mut expressions: HashMap<&str, &str> = HashMap::new();
    let mut agents: HashMap<&str, (&str, &str)> = HashMap::new();
    // Agents named by packages (supplier, originator), resolved once every element is read;
    // only those the creation information names (or that no package names) are creators.
    let mut package_agents: Vec<(usize, Option<&str>, Option<&str>)> = Vec::new();
    let mut named_by_packages: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut created_by: std::collections::HashSet<&str> = std::collections::HashSet::new();
    // CustomLicense elements (IRI, name, text) and the `LicenseRef-` ids expressions give them.
    let mut custom_licenses: Vec<(&str, &Node<'_>, &str)> = Vec::new();
    let mut custom_ids: HashMap<&str, &str> = HashMap::new();
    // Other documents: prefix (`DocumentRef-x`) and the namespace its element IRIs start with.
    let mut namespaces: Vec<(&str, &str)> = Vec::new();
    // Vulnerabilities by IRI, and the assessments of them (read once every element is).
    // What the document describes: its root elements, an SBOM among them standing for that
    // SBOM's roots (as we write it: the document's root is the `software_Sbom`).
    let mut doc_roots: Vec<&str> = Vec::new();
    let mut bom_roots: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut vuln_at: HashMap<&str, usize> = HashMap::new();
    // Annotations (subject, annotator IRI, date, type, statement), and the agents they name.
    let mut annotations: Vec<(&str, Option<&str>, &str, &str, &str)> = Vec::new();
    let mut named_by_annotations: std::collections::HashSet<&str> =
        std::collections::HashSet::new();
    let mut assessments: Vec<(String, &str, &Node<'_>)> = Vec::new();
    for (i, e) in graph.iter().enumerate() {
        let path = format!("/@graph/{i}");
        let Some(ty) = s(e, "type") else {
            report.missing(path, "type");
            continue;
        };
        if ty == "CreationInfo" {
            if sbom.creator_comment.is_none() {
                sbom.creator_comment = s(e, "comment").map(str::to_string);
            }
            created_by.extend(arr(e, "createdBy").iter().filter_map(Node::as_str));
            created_by.extend(arr(e, "createdUsing").iter().filter_map(Node::as_str));
            if s(e, "specVersion").is_none() {
                report.missing(&path, "specVersion");
            }
            if let Some(c) = s(e, "created") {
                if supply_sig::time::Timestamp::parse_rfc3339(c).is_none() {
                    report.push(
                        format!("{path}/created"),
                        IssueKind::Timestamp { value: shown(c) },
                    );
                }
                if sbom.created.is_none() {
                    sbom.created = Some(c.to_string());
                }
            }
            continue;
        }
        let Some(id) = s(e, "spdxId").or_else(|| s(e, "@id")) else {
            report.missing(path, "spdxId");
            continue;
        };
        if e.get("creationInfo").is_none() {
            report.missing(&path, "creationInfo");
        }
        match ty {
            "SpdxDocument" => {
                sbom.namespace = Some(id.to_string());
                sbom.name = s(e, "name").map(str::to_string);
                sbom.comment = s(e, "comment").map(str::to_string);
                read_external_documents(e, &mut sbom, &mut namespaces);
                doc_roots.extend(arr(e, "rootElement").iter().filter_map(Node::as_str));
            }
            "software_Sbom" | "Bom" | "Bundle" => {
                let roots = arr(e, "rootElement").iter().filter_map(Node::as_str);
                bom_roots.push((id, roots.collect()));
            }
            "simplelicensing_LicenseExpression" => {
                if let Some(x) = s(e, "simplelicensing_licenseExpression") {
                    expressions.insert(id, x);
                }
                for d in arr(e, "simplelicensing_customIdToUri") {
                    if let (Some(k), Some(v)) = (s(d, "key"), s(d, "value")) {
                        custom_ids.insert(v, k);
                    }
                }
            }
            "expandedlicensing_CustomLicense" => {
                custom_licenses.push((
                    id,
                    e,
                    s(e, "simplelicensing_licenseText").unwrap_or_default(),
                ));
            }
            "Tool" | "Person" | "Organization" | "SoftwareAgent" | "Agent" => {
                let kind = match ty {
                    "Person" => "Person",
                    "Tool" | "SoftwareAgent" => "Tool",
                    _ => "Organization",
                };
                agents.insert(id, (kind, s(e, "name").unwrap_or("unknown")));
            }
            "software_Package" => {
                if let Some(p) = s(e, "software_primaryPurpose") {
                    if !PURPOSES.contains(&p) {
                        report.invalid(
                            format!("{path}/software_primaryPurpose"),
                            "software_primaryPurpose",
                            p,
                            "a software purpose",
                        );
                    }
                }
                let mut pkg = Package {
                    id: id.to_string(),
                    name: s(e, "name").unwrap_or_default().to_string(),
                    version: s(e, "software_packageVersion").map(str::to_string),
                    download_location: s(e, "software_downloadLocation").map(str::to_string),
                    homepage: s(e, "software_homePage").map(str::to_string),
                    source_info: s(e, "software_sourceInfo").map(str::to_string),
                    description: s(e, "description").map(str::to_string),
                    summary: s(e, "summary").map(str::to_string),
                    attribution_texts: e.strings("software_attributionText"),
                    copyright: s(e, "software_copyrightText").map(str::to_string),
                    purpose: s(e, "software_primaryPurpose").map(purpose_to_model),
                    checksums: hashes(e),
                    built_date: s(e, "builtTime").map(str::to_string),
                    release_date: s(e, "releaseTime").map(str::to_string),
                    valid_until_date: s(e, "validUntilTime").map(str::to_string),
                    verification_code: arr(e, "verifiedUsing")
                        .iter()
                        .find(|h| s(h, "type") == Some("PackageVerificationCode"))
                        .and_then(|h| s(h, "hashValue"))
                        .map(str::to_string),
                    ..Package::default()
                };
                // SPDX 2 states a verification code only for a package whose files were
                // analyzed.
                if pkg.verification_code.is_some() {
                    pkg.files_analyzed = Some(true);
                }
                if let Some(c) = s(e, "comment") {
                    pkg.read_comment(c);
                }
                if let Some(p) = s(e, "software_packageUrl") {
                    match Purl::parse(p) {
                        Ok(p) => pkg.purl = Some(p),
                        Err(error) => report.push(
                            format!("{path}/software_packageUrl"),
                            IssueKind::Purl {
                                value: shown(p),
                                error,
                            },
                        ),
                    }
                }
                read_external_refs(e, &mut pkg);
                if pkg.name.is_empty() {
                    report.missing(&path, "name");
                }
                let supplied = s(e, "suppliedBy");
                let originated = arr(e, "originatedBy").first().and_then(Node::as_str);
                named_by_packages.extend(supplied);
                named_by_packages.extend(originated);
                if supplied.is_some() || originated.is_some() {
                    package_agents.push((sbom.packages.len(), supplied, originated));
                }
                sbom.packages.push(pkg);
            }
            "software_File" => {
                if let Some(p) = s(e, "software_primaryPurpose") {
                    if !PURPOSES.contains(&p) {
                        report.invalid(
                            format!("{path}/software_primaryPurpose"),
                            "software_primaryPurpose",
                            p,
                            "a software purpose",
                        );
                    }
                }
                sbom.files.push(File {
                    id: id.to_string(),
                    name: s(e, "name").unwrap_or_default().to_string(),
                    checksums: hashes(e),
                    copyright: s(e, "software_copyrightText").map(str::to_string),
                    comment: s(e, "comment").map(str::to_string),
                    types: file_types(e),
                    ..File::default()
                });
            }
            "software_Snippet" => {
                let Some(file) = s(e, "software_snippetFromFile") else {
                    report.missing(path, "software_snippetFromFile");
                    continue;
                };
                let range = |k: &str| {
                    let r = e.get(k)?;
                    let (a, b) = (
                        r.get("beginIntegerRange")?.as_u64()?,
                        r.get("endIntegerRange")?.as_u64()?,
                    );
                    (a <= b).then_some((a, b))
                };
                sbom.snippets.push(Snippet {
                    id: id.to_string(),
                    name: s(e, "name").map(str::to_string),
                    file: file.to_string(),
                    byte_range: range("software_byteRange"),
                    line_range: range("software_lineRange"),
                    copyright: s(e, "software_copyrightText").map(str::to_string),
                    comment: s(e, "comment").map(str::to_string),
                    ..Snippet::default()
                });
            }
            "Annotation" => {
                let created = e.get("creationInfo");
                let by = created
                    .map(|c| arr(c, "createdBy"))
                    .and_then(|b| b.first())
                    .and_then(Node::as_str);
                named_by_annotations.extend(by);
                if let (Some(subject), Some(kind)) = (s(e, "subject"), s(e, "annotationType")) {
                    annotations.push((
                        subject,
                        by,
                        created.and_then(|c| s(c, "created")).unwrap_or_default(),
                        kind,
                        s(e, "statement").unwrap_or_default(),
                    ));
                } else {
                    report.missing(path, "subject/annotationType");
                }
            }
            "security_Vulnerability" => {
                vuln_at.insert(id, sbom.vulnerabilities.len());
                sbom.vulnerabilities.push(read_vulnerability(e, id));
            }
            t if t.starts_with("security_") && t.ends_with("VulnAssessmentRelationship") => {
                assessments.push((path, ty, e));
            }
            "Relationship" | "LifecycleScopedRelationship" => {
                let (Some(from), Some(rt)) = (s(e, "from"), s(e, "relationshipType")) else {
                    report.missing(path, "from/relationshipType");
                    continue;
                };
                let Some(to) = e.get("to").and_then(Node::as_array) else {
                    report.push(
                        format!("{path}/to"),
                        IssueKind::WrongType {
                            field: "to",
                            expected: "an array",
                        },
                    );
                    continue;
                };
                let (kind, swap) = RelationshipType::from_spdx3(rt, s(e, "scope"));
                for t in to.iter().filter_map(Node::as_str) {
                    if swap {
                        sbom.push_relationship(t, kind.clone(), from);
                    } else {
                        sbom.push_relationship(from, kind.clone(), t);
                    }
                }
            }
            _ => {}
        }
    }
    let roots_of = |r: &str| {
        bom_roots
            .iter()
            .find(|(id, _)| *id == r)
            .map(|(_, roots)| roots)
    };
    let described: Vec<&str> = if doc_roots.is_empty() {
        bom_roots
            .iter()
            .flat_map(|(_, roots)| roots.iter().copied())
            .collect()
    } else {
        doc_roots
            .iter()
            .flat_map(|r| match roots_of(r) {
                Some(roots) => roots.clone(),
                None => vec![*r],
            })
            .collect()
    };
    for d in described {
        if !sbom.describes.iter().any(|x| x == d) {
            sbom.describes.push(d.to_string());
        }
    }
    // Licenses: relationships to expression elements become license fields.
    let mut keep = Vec::new();
    // By id, not by search: a search per license relationship is quadratic in packages.
    // The first element of an id wins, as a search would find it.
    let mut pkg_at: HashMap<String, usize> = HashMap::new();
    for (i, p) in sbom.packages.iter().enumerate() {
        pkg_at.entry(p.id.clone()).or_insert(i);
    }
    let mut file_at: HashMap<String, usize> = HashMap::new();
    for (i, f) in sbom.files.iter().enumerate() {
        file_at.entry(f.id.clone()).or_insert(i);
    }
    for r in std::mem::take(&mut sbom.relationships) {
        let field = match r.kind.as_str() {
            "HAS_CONCLUDED_LICENSE" => Some(true),
            "HAS_DECLARED_LICENSE" => Some(false),
            _ => None,
        };
        let text = expressions.get(r.to.as_str()).copied().or_else(|| {
            // A listed license may be named by its IRI (`https://spdx.org/licenses/MIT`).
            r.to.strip_prefix("https://spdx.org/licenses/")
        });
        match (field, text) {
            (Some(concluded), Some(text)) => {
                let l = match LicenseField::parse_with(text, Dialect::Spdx3, Strictness::Lenient) {
                    Ok(f) => License::Spdx(f),
                    Err(_) => License::Unparsed(text.into()),
                };
                let pkg = pkg_at.get(&r.from).and_then(|&i| sbom.packages.get_mut(i));
                if let Some(p) = pkg {
                    if concluded {
                        p.license_concluded = Some(l);
                    } else {
                        p.license_declared = Some(l);
                    }
                } else if let Some(f) = file_at.get(&r.from).and_then(|&i| sbom.files.get_mut(i)) {
                    if concluded {
                        f.license_concluded = Some(l);
                    } else {
                        // A file's declared licenses are SPDX 2's `licenseInfoInFiles`.
                        f.license_info_in_file.push(text.to_owned());
                    }
                } else if let Some(sn) = sbom.snippets.iter_mut().find(|sn| sn.id == r.from) {
                    // Snippets are few: a search each is cheap.
                    if concluded {
                        sn.license_concluded = Some(l);
                    } else {
                        sn.license_info_in_snippet.push(text.to_owned());
                    }
                }
            }
            _ => keep.push(r),
        }
    }
    sbom.relationships = keep;
    read_assessments(&mut sbom, &vuln_at, &assessments, report);
    let agent = |iri: Option<&str>| {
        iri.and_then(|i| agents.get(i))
            .map(|(kind, name)| format!("{kind}: {name}"))
    };
    for (i, supplied, originated) in package_agents {
        if let Some(p) = sbom.packages.get_mut(i) {
            p.supplier = agent(supplied);
            p.originator = agent(originated);
        }
    }
    for (iri, id) in &agents {
        let named_elsewhere = named_by_packages.contains(iri) || named_by_annotations.contains(iri);
        if created_by.contains(iri) || !named_elsewhere {
            sbom.creators.push(format!("{}: {}", id.0, id.1));
        }
    }
    for (subject, by, date, kind, statement) in annotations {
        let subject = if sbom.namespace.as_deref() == Some(subject) {
            crate::spdx2::DOCUMENT_ID
        } else {
            subject
        };
        sbom.annotations.push(Annotation {
            subject: subject.to_string(),
            annotator: agent(by).unwrap_or_else(|| "NOASSERTION".into()),
            date: date.to_string(),
            kind: kind.to_ascii_uppercase(),
            comment: statement.to_string(),
            ..Annotation::default()
        });
    }
    sbom.creators.sort();
    for (iri, element, text) in custom_licenses {
        // The id an expression maps to the element, or the IRI's last segment when it is one.
        let id = custom_ids.get(iri).copied().or_else(|| {
            iri.rsplit('/')
                .next()
                .filter(|last| last.starts_with("LicenseRef-"))
        });
        if let Some(id) = id {
            sbom.extracted_licenses.push(ExtractedLicense {
                id: id.to_string(),
                name: s(element, "name").map(str::to_string),
                text: text.to_string(),
                comment: s(element, "comment").map(str::to_string),
                see_also: element.strings("expandedlicensing_seeAlso"),
            });
        }
    }
    // Elements of other documents, by their IRIs, are `DocumentRef-x:SPDXRef-y` in the model,
    // and the document itself is SPDX 2's `SPDXRef-DOCUMENT`.
    for r in &mut sbom.relationships {
        for end in [&mut r.from, &mut r.to] {
            if sbom.namespace.as_deref() == Some(end.as_str()) {
                *end = crate::spdx2::DOCUMENT_ID.to_string();
                continue;
            }
            let local = namespaces
                .iter()
                .find_map(|(prefix, ns)| Some((prefix, end.strip_prefix(ns)?)));
            if let Some((prefix, local)) = local {
                *end = format!("{prefix}:{local}");
            }
        }
    }
    sbom.dedup_relationships();
    Some(sbom)
}

/// An SPDX document's `namespaceMap` and `import` (the SPDX 3 form of SPDX 2's external
/// document references): each prefix whose namespace is an imported document's IRI followed by
/// `#`, with that import's hash.
fn read_external_documents<'n>(
    e: &'n Node<'_>,
    sbom: &mut Sbom,
    namespaces: &mut Vec<(&'n str, &'n str)>,
) {
    for m in arr(e, "namespaceMap") {
        let (Some(prefix), Some(ns)) = (s(m, "prefix"), s(m, "namespace")) else {
            continue;
        };
        namespaces.push((prefix, ns));
        let doc = ns.strip_suffix('#').unwrap_or(ns);
        let checksum = arr(e, "import")
            .iter()
            .find(|i| s(i, "externalSpdxId") == Some(doc))
            .and_then(|i| hashes(i).into_iter().next());
        if let Some(checksum) = checksum {
            sbom.external_documents.push(ExternalDocument {
                id: prefix.to_string(),
                namespace: doc.to_string(),
                checksum,
            });
        }
    }
}

fn hashes(e: &Node<'_>) -> Vec<Checksum> {
    arr(e, "verifiedUsing")
        .iter()
        .filter(|h| s(h, "type") == Some("Hash"))
        .filter_map(|h| {
            Some(Checksum {
                algorithm: from_spdx3_algorithm(s(h, "algorithm")?),
                value: s(h, "hashValue")?.to_ascii_lowercase(),
            })
        })
        .collect()
}

fn purpose_to_model(p: &str) -> String {
    let mut out = String::new();
    for c in p.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn purpose_to_spdx3(p: &str) -> Option<String> {
    let mut out = String::new();
    let mut up = false;
    for c in p.chars() {
        if c == '-' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    PURPOSES.contains(&out.as_str()).then_some(out)
}

/// Writes SPDX 3.0.1 JSON-LD.
pub(crate) fn to_value(sbom: &Sbom) -> Value {
    let base = crate::spdx2::namespace_for(sbom);
    let base = base.trim_end_matches('/');
    let iri = |id: &str| -> String {
        if id.contains("://") {
            id.to_string()
        } else {
            format!(
                "{base}/{}",
                crate::spdx2::spdx_id(id).trim_start_matches("SPDXRef-")
            )
        }
    };
    let ci = "_:creationinfo";
    let mut graph = Vec::new();
    // This writer is an agent of the creation (`createdBy` takes Agents); the document's own
    // creators follow: people and organizations as agents, tools in `createdUsing`.
    let writer = format!("{base}/tool-supply-sbom");
    graph.push(json!({"type": "SoftwareAgent", "spdxId": writer, "name": format!("supply-sbom-{}", env!("CARGO_PKG_VERSION")), "creationInfo": ci}));
    let mut elements = Vec::new();
    let mut n = 0usize;
    let mut rel = |graph: &mut Vec<Value>, from: &str, ty: &str, to: &str, scope: Option<&str>| {
        n += 1;
        let mut r = json!({
            "type": "Relationship", "spdxId": format!("{base}/relationship-{n}"), "creationInfo": ci,
            "from": from, "relationshipType": ty, "to": [to]
        });
        if let Some(scope) = scope {
            r["type"] = json!("LifecycleScopedRelationship");
            r["scope"] = json!(scope);
        }
        graph.push(r);
    };
    // SPDX 2's extracted licenses are CustomLicense elements; an expression that names one maps
    // its `LicenseRef-` id to the element (`simplelicensing_customIdToUri`).
    let custom: Vec<(&str, String)> = sbom
        .extracted_licenses
        .iter()
        .map(|e| (e.id.as_str(), format!("{base}/{}", e.id)))
        .collect();
    for (e, (_, id)) in sbom.extracted_licenses.iter().zip(&custom) {
        let mut m = json!({
            "type": "expandedlicensing_CustomLicense", "spdxId": id, "creationInfo": ci,
            "simplelicensing_licenseText": e.text
        });
        if let Some(name) = &e.name {
            m["name"] = json!(name);
        }
        if let Some(c) = &e.comment {
            m["comment"] = json!(c);
        }
        if !e.see_also.is_empty() {
            m["expandedlicensing_seeAlso"] = json!(e.see_also);
        }
        graph.push(m);
    }
    let mut license_elems: Vec<(String, String)> = Vec::new();
    let mut license_iri = |text: String, graph: &mut Vec<Value>| -> String {
        if let Some((i, _)) = license_elems.iter().find(|(_, t)| *t == text) {
            return i.clone();
        }
        let id = format!("{base}/license-{}", license_elems.len() + 1);
        let mut m = json!({
            "type": "simplelicensing_LicenseExpression", "spdxId": id, "creationInfo": ci,
            "simplelicensing_licenseExpression": text
        });
        let named: Vec<Value> = custom
            .iter()
            .filter(|(lid, _)| {
                text.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .any(|t| t == *lid)
            })
            .map(|(lid, iri)| json!({"type": "DictionaryEntry", "key": lid, "value": iri}))
            .collect();
        if !named.is_empty() {
            m["simplelicensing_customIdToUri"] = Value::Array(named);
        }
        graph.push(m);
        license_elems.push((id.clone(), text));
        id
    };
    // Suppliers and originators become Agent elements, one per (kind, name).
    let mut agent_elems: Vec<(String, String)> = Vec::new();
    let mut agent_iri = |who: &str, graph: &mut Vec<Value>| -> Option<String> {
        let (kind, name) = match who.split_once(": ") {
            Some(("Person", n)) => ("Person", n),
            Some(("Organization", n)) => ("Organization", n),
            Some(("Tool", n)) => ("Tool", n),
            _ if who == "NOASSERTION" || who.is_empty() => return None,
            _ => ("Organization", who),
        };
        let key = format!("{kind}: {name}");
        if let Some((i, _)) = agent_elems.iter().find(|(_, k)| *k == key) {
            return Some(i.clone());
        }
        let id = format!("{base}/agent-{}", agent_elems.len() + 1);
        graph.push(json!({"type": kind, "spdxId": id, "creationInfo": ci, "name": name}));
        agent_elems.push((id.clone(), key));
        Some(id)
    };
    let mut created_by = vec![json!(writer)];
    let mut created_using = Vec::new();
    for c in &sbom.creators {
        let Some(id) = agent_iri(c, &mut graph) else {
            continue;
        };
        if c.starts_with("Tool: ") {
            created_using.push(json!(id));
        } else {
            created_by.push(json!(id));
        }
    }
    let mut creation = json!({
        "type": "CreationInfo", "@id": ci, "specVersion": "3.0.1",
        "created": crate::spdx2::created_for(sbom), "createdBy": created_by
    });
    if !created_using.is_empty() {
        creation["createdUsing"] = Value::Array(created_using);
    }
    if let Some(c) = &sbom.creator_comment {
        creation["comment"] = json!(c);
    }
    graph.insert(0, creation);
    for p in &sbom.packages {
        let id = iri(&p.id);
        let mut m = Map::new();
        m.insert("type".into(), json!("software_Package"));
        if let Some(a) = p.supplier.as_deref().and_then(|w| agent_iri(w, &mut graph)) {
            m.insert("suppliedBy".into(), json!(a));
        }
        if let Some(a) = p
            .originator
            .as_deref()
            .and_then(|w| agent_iri(w, &mut graph))
        {
            m.insert("originatedBy".into(), json!([a]));
        }
        m.insert("spdxId".into(), json!(id));
        m.insert("creationInfo".into(), json!(ci));
        m.insert("name".into(), json!(p.name));
        if let Some(v) = &p.version {
            m.insert("software_packageVersion".into(), json!(v));
        }
        if let Some(v) = &p.download_location {
            m.insert("software_downloadLocation".into(), json!(v));
        }
        if let Some(v) = &p.homepage {
            m.insert("software_homePage".into(), json!(v));
        }
        if let Some(v) = &p.source_info {
            m.insert("software_sourceInfo".into(), json!(v));
        }
        for (key, v) in [
            ("builtTime", &p.built_date),
            ("releaseTime", &p.release_date),
            ("validUntilTime", &p.valid_until_date),
        ] {
            if let Some(v) = v {
                m.insert(key.into(), json!(v));
            }
        }
        if let Some(v) = &p.description {
            m.insert("description".into(), json!(v));
        }
        if let Some(v) = &p.summary {
            m.insert("summary".into(), json!(v));
        }
        if !p.attribution_texts.is_empty() {
            m.insert(
                "software_attributionText".into(),
                json!(p.attribution_texts),
            );
        }
        if let Some(v) = &p.copyright {
            m.insert("software_copyrightText".into(), json!(v));
        }
        if let Some(pp) = p.purpose.as_deref().and_then(purpose_to_spdx3) {
            m.insert("software_primaryPurpose".into(), json!(pp));
        }
        if let Some(purl) = &p.purl {
            m.insert("software_packageUrl".into(), json!(purl.to_string()));
        }
        if let Some(c) = p.properties_comment() {
            m.insert("comment".into(), json!(c));
        }
        let (identifiers, refs) = write_external_refs(p);
        if !identifiers.is_empty() {
            m.insert("externalIdentifier".into(), Value::Array(identifiers));
        }
        if !refs.is_empty() {
            m.insert("externalRef".into(), Value::Array(refs));
        }
        let mut hashes: Vec<Value> = p
            .checksums
            .iter()
            .map(|c| json!({"type": "Hash", "algorithm": spdx3_algorithm(&c.algorithm), "hashValue": c.value}))
            .collect();
        // SPDX 2's packageVerificationCode is a SHA-1 over the package's files (§7.9).
        if let Some(code) = &p.verification_code {
            hashes.push(
                json!({"type": "PackageVerificationCode", "algorithm": "sha1", "hashValue": code}),
            );
        }
        if !hashes.is_empty() {
            m.insert("verifiedUsing".into(), Value::Array(hashes));
        }
        graph.push(Value::Object(m));
        for (l, ty) in [
            (&p.license_concluded, "hasConcludedLicense"),
            (&p.license_declared, "hasDeclaredLicense"),
        ] {
            if let Some(License::Spdx(LicenseField::Expression(e))) = l {
                let lid = license_iri(e.to_current().to_string(), &mut graph);
                rel(&mut graph, &id, ty, &lid, None);
            }
        }
        elements.push(id);
    }
    // A snippet's or file's licenses: the concluded one, and those found in it (SPDX 2's
    // `licenseInfoInFiles`, `licenseInfoInSnippets`), which SPDX 3 calls its declared ones.
    let mut element_licenses =
        |graph: &mut Vec<Value>, id: &str, concluded: &Option<License>, found: &[String]| {
            if let Some(License::Spdx(LicenseField::Expression(e))) = concluded {
                let lid = license_iri(e.to_current().to_string(), graph);
                rel(graph, id, "hasConcludedLicense", &lid, None);
            }
            for l in found.iter().filter(|l| *l != "NOASSERTION" && *l != "NONE") {
                let lid = license_iri(l.clone(), graph);
                rel(graph, id, "hasDeclaredLicense", &lid, None);
            }
        };
    for sn in &sbom.snippets {
        let id = iri(&sn.id);
        let mut m = json!({
            "type": "software_Snippet", "spdxId": id, "creationInfo": ci,
            "software_snippetFromFile": iri(&sn.file)
        });
        if let Some(name) = &sn.name {
            m["name"] = json!(name);
        }
        for (key, range) in [
            ("software_byteRange", sn.byte_range),
            ("software_lineRange", sn.line_range),
        ] {
            if let Some((a, b)) = range {
                m[key] = json!({"type": "PositiveIntegerRange", "beginIntegerRange": a, "endIntegerRange": b});
            }
        }
        if let Some(c) = &sn.copyright {
            m["software_copyrightText"] = json!(c);
        }
        if let Some(c) = &sn.comment {
            m["comment"] = json!(c);
        }
        graph.push(m);
        element_licenses(
            &mut graph,
            &id,
            &sn.license_concluded,
            &sn.license_info_in_snippet,
        );
        elements.push(id);
    }
    for f in &sbom.files {
        let id = iri(&f.id);
        let mut m =
            json!({"type": "software_File", "spdxId": id, "creationInfo": ci, "name": f.name});
        write_file_types(&f.types, &mut m);
        let hashes: Vec<Value> = f
            .checksums
            .iter()
            .map(|c| json!({"type": "Hash", "algorithm": spdx3_algorithm(&c.algorithm), "hashValue": c.value}))
            .collect();
        if !hashes.is_empty() {
            m["verifiedUsing"] = Value::Array(hashes);
        }
        if let Some(c) = &f.copyright {
            m["software_copyrightText"] = json!(c);
        }
        if let Some(c) = &f.comment {
            m["comment"] = json!(c);
        }
        graph.push(m);
        element_licenses(
            &mut graph,
            &id,
            &f.license_concluded,
            &f.license_info_in_file,
        );
        elements.push(id);
    }
    // The document is named by the model's namespace when that is the base of every IRI here
    // (an SPDX 2 `documentNamespace`, an SPDX 3 document's own id), so that it reads back.
    let doc_id = match &sbom.namespace {
        Some(ns) if ns.trim_end_matches('/') == base => ns.clone(),
        _ => format!("{base}/document"),
    };
    // An element of another document is named by that document's namespace, `#`, and its
    // SPDX 2 id, the prefix being declared in the document's `namespaceMap`.
    let end = |id: &str| -> Option<String> {
        if !id.starts_with("DocumentRef-") {
            return Some(iri(id));
        }
        let (doc, element) = id.split_once(':')?;
        let d = sbom.external_documents.iter().find(|d| d.id == doc)?;
        Some(format!("{}#{element}", d.namespace))
    };
    let end = |id: &str| {
        if id == crate::spdx2::DOCUMENT_ID {
            Some(doc_id.clone())
        } else {
            end(id)
        }
    };
    let describes = RelationshipType::describes();
    // Services have no SPDX element: a relationship to one would name nothing.
    let mut services = std::collections::HashSet::new();
    let mut stack: Vec<&crate::model::Service> = sbom.services.iter().collect();
    while let Some(svc) = stack.pop() {
        services.insert(svc.id.as_str());
        stack.extend(&svc.services);
    }
    for r in &sbom.relationships {
        if services.contains(r.from.as_str()) || services.contains(r.to.as_str()) {
            continue;
        }
        // What the document DESCRIBES are its root elements (`DESCRIBED_BY` from the other
        // end); its other relationships are the SpdxDocument element's. NONE, NOASSERTION and
        // undeclared documents' elements have no element.
        let described_by = r.kind.as_str() == "DESCRIBED_BY" && r.to == crate::spdx2::DOCUMENT_ID;
        if (r.from == crate::spdx2::DOCUMENT_ID && r.kind == describes)
            || described_by
            || r.to == "NONE"
            || r.to == "NOASSERTION"
        {
            continue;
        }
        let t = r.kind.to_spdx3();
        let (from, to) = if t.swap {
            (&r.to, &r.from)
        } else {
            (&r.from, &r.to)
        };
        let (Some(from), Some(to)) = (end(from), end(to)) else {
            continue;
        };
        rel(&mut graph, &from, t.kind, &to, t.scope);
    }
    // An annotation's annotator and date are its own creation information (inline: a graph
    // node of its own would read as the document's).
    for (k, a) in sbom.annotations.iter().enumerate() {
        let Some(subject) = end(&a.subject) else {
            continue;
        };
        let mut creation = json!({
            "type": "CreationInfo", "specVersion": "3.0.1",
            "created": spdx3_time(&a.date).unwrap_or_else(|| crate::spdx2::created_for(sbom)),
        });
        if let Some(agent) = agent_iri(&a.annotator, &mut graph) {
            creation["createdBy"] = json!([agent]);
        }
        let id = format!("{base}/annotation-{}", k + 1);
        graph.push(json!({
            "type": "Annotation", "spdxId": id, "creationInfo": creation,
            "annotationType": a.kind.to_ascii_lowercase(), "subject": subject,
            "statement": a.comment
        }));
        elements.push(id);
    }
    for (k, v) in sbom.vulnerabilities.iter().enumerate() {
        let id = match &v.element_id {
            Some(e) => iri(e),
            None => format!("{base}/vulnerability-{}", k + 1),
        };
        let targets: Vec<String> = v.affects.iter().map(|a| iri(&a.target)).collect();
        write_vulnerability(v, &id, &targets, ci, &mut graph);
        elements.push(id);
    }
    let roots: Vec<String> = sbom.describes.iter().map(|d| iri(d)).collect();
    let sbom_id = format!("{base}/sbom");
    graph.push(json!({
        "type": "software_Sbom", "spdxId": sbom_id, "creationInfo": ci,
        "rootElement": roots, "element": elements, "software_sbomType": ["build"]
    }));
    let mut document = json!({
        "type": "SpdxDocument", "spdxId": doc_id, "creationInfo": ci,
        "name": sbom.name.as_deref().unwrap_or("sbom"),
        "rootElement": [sbom_id], "element": elements,
        "profileConformance": ["core", "software", "simpleLicensing"]
    });
    if let Some(c) = &sbom.comment {
        document["comment"] = json!(c);
    }
    {
        let mut profiles = vec!["core", "software", "simpleLicensing"];
        // CustomLicense is an ExpandedLicensing class.
        if !sbom.extracted_licenses.is_empty() {
            profiles.push("expandedLicensing");
        }
        if !sbom.vulnerabilities.is_empty() {
            profiles.push("security");
        }
        document["profileConformance"] = json!(profiles);
    }
    if !sbom.external_documents.is_empty() {
        let docs = &sbom.external_documents;
        document["namespaceMap"] = docs
            .iter()
            .map(|d| json!({"type": "NamespaceMap", "prefix": d.id, "namespace": format!("{}#", d.namespace)}))
            .collect();
        document["import"] = docs
            .iter()
            .map(|d| json!({
                "type": "ExternalMap", "externalSpdxId": d.namespace,
                "verifiedUsing": [{"type": "Hash", "algorithm": spdx3_algorithm(&d.checksum.algorithm), "hashValue": d.checksum.value}]
            }))
            .collect();
    }
    graph.push(document);
    json!({"@context": CONTEXT, "@graph": graph})
}

/// A `security_Vulnerability` element, its assessments not yet read.
fn read_vulnerability(e: &Node<'_>, id: &str) -> Vulnerability {
    let mut v = Vulnerability {
        element_id: Some(id.to_string()),
        description: s(e, "description").map(str::to_string),
        published: s(e, "security_publishedTime").map(str::to_string),
        updated: s(e, "security_modifiedTime").map(str::to_string),
        rejected: s(e, "security_withdrawnTime").map(str::to_string),
        ..Vulnerability::default()
    };
    // The first identifier (a CVE before others) is the vulnerability's, the rest references.
    let mut ids: Vec<(&str, Option<VulnerabilitySource>)> = arr(e, "externalIdentifier")
        .iter()
        .filter(|x| {
            matches!(
                s(x, "externalIdentifierType"),
                Some("cve" | "securityOther")
            )
        })
        .filter_map(|x| {
            let source = VulnerabilitySource {
                name: s(x, "issuingAuthority").map(str::to_string),
                url: arr(x, "identifierLocator")
                    .first()
                    .and_then(Node::as_str)
                    .map(str::to_string),
            };
            let source = (source.name.is_some() || source.url.is_some()).then_some(source);
            Some((s(x, "identifier")?, source))
        })
        .collect();
    let name = s(e, "name");
    let first = match name {
        Some(n) => ids.iter().position(|(i, _)| *i == n),
        None => ids.iter().position(|(i, _)| i.starts_with("CVE-")),
    };
    match first {
        Some(k) => {
            let (i, source) = ids.remove(k);
            v.id = i.to_string();
            v.source = source;
        }
        None => v.id = name.unwrap_or(id).to_string(),
    }
    v.references = ids
        .into_iter()
        .map(|(i, source)| VulnerabilityReference {
            id: i.to_string(),
            source,
        })
        .collect();
    v.advisories = arr(e, "externalRef")
        .iter()
        .filter(|r| s(r, "externalRefType") == Some("securityAdvisory"))
        .filter_map(|r| {
            Some(Advisory {
                title: s(r, "comment").map(str::to_string),
                url: arr(r, "locator").first()?.as_str()?.to_string(),
            })
        })
        .collect();
    v
}

/// Reads the assessments `from` the document's vulnerabilities into them: a rating per CVSS
/// assessment, the EPSS score, exploit catalogs and SSVC decision, the analysis from the VEX one (a second VEX assessment of the
/// same vulnerability with another state is another model vulnerability, as CycloneDX has one
/// analysis per entry), the assessed elements as what it affects. Then the elements that
/// `hasAssociatedVulnerability` one are among what it affects.
fn read_assessments(
    sbom: &mut Sbom,
    vuln_at: &HashMap<&str, usize>,
    assessments: &[(String, &str, &Node<'_>)],
    report: &mut Report,
) {
    fn affect(v: &mut Vulnerability, targets: &[&str]) {
        for t in targets {
            if !v.affects.iter().any(|a| a.target == *t) {
                v.affects.push(Affected::element(*t));
            }
        }
    }
    for (path, class, e) in assessments {
        let Some(&at) = s(e, "from").and_then(|f| vuln_at.get(f)) else {
            // An assessment of another document's vulnerability: nothing here to attach it to.
            if e.get("from").is_none() {
                report.missing(path, "from");
            }
            continue;
        };
        let targets: Vec<&str> = arr(e, "to").iter().filter_map(Node::as_str).collect();
        if let Some(method) = cvss_method(class, s(e, "security_vectorString")) {
            let rating = Rating {
                score: match e.get("security_score") {
                    Some(Node::Number(n)) => Some(n.to_string()),
                    Some(Node::String(t)) => Some(t.to_string()),
                    _ => None,
                },
                severity: s(e, "security_severity").map(str::to_string),
                method: Some(method.to_string()),
                vector: s(e, "security_vectorString").map(str::to_string),
                ..Rating::default()
            };
            let v = &mut sbom.vulnerabilities[at];
            if !v.ratings.contains(&rating) {
                v.ratings.push(rating);
            }
            affect(v, &targets);
            continue;
        }
        if read_likelihood(class, e, path, &mut sbom.vulnerabilities[at], report) {
            affect(&mut sbom.vulnerabilities[at], &targets);
            continue;
        }
        let state = match *class {
            "security_VexNotAffectedVulnAssessmentRelationship" => State::NotAffected,
            "security_VexFixedVulnAssessmentRelationship" => State::Fixed,
            "security_VexAffectedVulnAssessmentRelationship" => State::Affected,
            "security_VexUnderInvestigationVulnAssessmentRelationship" => State::UnderInvestigation,
            _ => {
                report.invalid(
                    path.as_str(),
                    "type",
                    *class,
                    "a class of SPDX 3.0.1's Security profile",
                );
                continue;
            }
        };
        let analysis = Analysis {
            state: Some(state),
            justification: s(e, "security_justificationType")
                .and_then(cyclonedx_justification)
                .map(str::to_string),
            responses: Vec::new(),
            detail: s(e, "security_impactStatement")
                .or_else(|| s(e, "security_statusNotes"))
                .map(str::to_string),
            first_issued: s(e, "security_publishedTime").map(str::to_string),
            last_updated: s(e, "security_modifiedTime").map(str::to_string),
        };
        let action = s(e, "security_actionStatement").filter(|a| !a.is_empty());
        let v = &mut sbom.vulnerabilities[at];
        let same = v
            .analysis
            .as_ref()
            .is_none_or(|a| a.state == analysis.state && a.justification == analysis.justification);
        if same {
            v.analysis = Some(analysis);
            if v.recommendation.is_none() {
                v.recommendation = action.map(str::to_string);
            }
            affect(v, &targets);
        } else {
            let mut other = Vulnerability {
                element_id: None,
                analysis: Some(analysis),
                affects: Vec::new(),
                ..v.clone()
            };
            affect(&mut other, &targets);
            sbom.vulnerabilities.push(other);
        }
    }
    let associated: Vec<(String, String)> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind.to_spdx3().kind == "hasAssociatedVulnerability")
        .filter(|r| vuln_at.contains_key(r.to.as_str()))
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();
    if associated.is_empty() {
        return;
    }
    sbom.relationships.retain(|r| {
        !(r.kind.to_spdx3().kind == "hasAssociatedVulnerability"
            && vuln_at.contains_key(r.to.as_str()))
    });
    for (target, vuln) in associated {
        if let Some(&at) = vuln_at.get(vuln.as_str()) {
            affect(&mut sbom.vulnerabilities[at], &[target.as_str()]);
        }
    }
}

/// Reads an EPSS, exploit-catalog or SSVC assessment (`class`) into `v`; `false` for any
/// other class. A required property missing or outside its vocabulary is reported and the
/// assessment is not taken.
fn read_likelihood(
    class: &str,
    e: &Node<'_>,
    path: &str,
    v: &mut Vulnerability,
    report: &mut Report,
) -> bool {
    // A decimal is a JSON number or a string of digits (the schema allows both).
    let decimal = |field: &'static str, report: &mut Report| match e.get(field) {
        Some(Node::Number(n)) => Some(n.to_string()),
        Some(Node::String(t)) if t.parse::<f64>().is_ok() => Some((*t).to_string()),
        Some(_) => {
            report.push(
                format!("{path}/{field}"),
                IssueKind::WrongType {
                    field,
                    expected: "a decimal",
                },
            );
            None
        }
        None => {
            report.missing(path, field);
            None
        }
    };
    match class {
        "security_EpssVulnAssessmentRelationship" => {
            let probability = decimal("security_probability", report);
            let percentile = decimal("security_percentile", report);
            if let (Some(probability), Some(percentile)) = (probability, percentile) {
                v.epss = Some(Epss {
                    probability,
                    percentile,
                    published: s(e, "security_publishedTime").map(str::to_string),
                });
            }
        }
        "security_ExploitCatalogVulnAssessmentRelationship" => {
            let catalog = match s(e, "security_catalogType") {
                Some(t) => ExploitCatalogType::from_name(t).or_else(|| {
                    report.invalid(
                        format!("{path}/security_catalogType"),
                        "security_catalogType",
                        t,
                        "kev or other",
                    );
                    None
                }),
                None => {
                    report.missing(path, "security_catalogType");
                    None
                }
            };
            let exploited = match e.get("security_exploited") {
                Some(Node::Bool(b)) => Some(*b),
                Some(_) => {
                    report.push(
                        format!("{path}/security_exploited"),
                        IssueKind::WrongType {
                            field: "security_exploited",
                            expected: "a boolean",
                        },
                    );
                    None
                }
                None => {
                    report.missing(path, "security_exploited");
                    None
                }
            };
            let locator = s(e, "security_locator");
            if locator.is_none() {
                report.missing(path, "security_locator");
            }
            if let (Some(catalog), Some(exploited), Some(locator)) = (catalog, exploited, locator) {
                let entry = ExploitCatalog::new(catalog, exploited, locator);
                if !v.exploit_catalogs.contains(&entry) {
                    v.exploit_catalogs.push(entry);
                }
            }
        }
        "security_SsvcVulnAssessmentRelationship" => match s(e, "security_decisionType") {
            Some(d) => match SsvcDecision::from_name(d) {
                Some(d) => v.ssvc = Some(d),
                None => report.invalid(
                    format!("{path}/security_decisionType"),
                    "security_decisionType",
                    d,
                    "act, attend, track or trackStar",
                ),
            },
            None => report.missing(path, "security_decisionType"),
        },
        _ => return false,
    }
    true
}

/// A time as SPDX 3 writes it (`2021-01-01T00:00:00Z`: whole seconds, UTC, as its schema's
/// pattern asks); `None` when it is not an RFC 3339 time.
fn spdx3_time(t: &str) -> Option<String> {
    crate::validate::normalize_timestamp(t)
}

/// A CycloneDX analysis justification in SPDX 3's `VexJustificationType` (the nearest: SPDX 3
/// has five, CycloneDX nine).
fn spdx3_justification(j: &str) -> Option<&'static str> {
    Some(match j {
        "code_not_present" => "vulnerableCodeNotPresent",
        "code_not_reachable" => "vulnerableCodeNotInExecutePath",
        "requires_dependency" => "componentNotPresent",
        "requires_configuration" | "requires_environment" => {
            "vulnerableCodeCannotBeControlledByAdversary"
        }
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => "inlineMitigationsAlreadyExist",
        _ => return None,
    })
}

/// The reverse of [`spdx3_justification`], to the first CycloneDX justification of each.
fn cyclonedx_justification(j: &str) -> Option<&'static str> {
    Some(match j.rsplit(['/', '#']).next().unwrap_or(j) {
        "vulnerableCodeNotPresent" => "code_not_present",
        "vulnerableCodeNotInExecutePath" => "code_not_reachable",
        "componentNotPresent" => "requires_dependency",
        "vulnerableCodeCannotBeControlledByAdversary" => "requires_configuration",
        "inlineMitigationsAlreadyExist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

/// The SPDX 3 class and relationship type of a VEX state.
fn vex_class(state: State) -> (&'static str, &'static str) {
    match state {
        State::NotAffected | State::FalsePositive => (
            "security_VexNotAffectedVulnAssessmentRelationship",
            "doesNotAffect",
        ),
        State::Fixed | State::Resolved | State::ResolvedWithPedigree => {
            ("security_VexFixedVulnAssessmentRelationship", "fixedIn")
        }
        State::Affected | State::Exploitable => {
            ("security_VexAffectedVulnAssessmentRelationship", "affects")
        }
        State::UnderInvestigation | State::InTriage => (
            "security_VexUnderInvestigationVulnAssessmentRelationship",
            "underInvestigationFor",
        ),
    }
}

/// The SPDX 3 class of a CVSS rating; `None` for other methods, which SPDX 3 has no class for.
fn cvss_class(method: &str) -> Option<&'static str> {
    Some(match method {
        "CVSSv2" => "security_CvssV2VulnAssessmentRelationship",
        "CVSSv3" | "CVSSv31" => "security_CvssV3VulnAssessmentRelationship",
        "CVSSv4" => "security_CvssV4VulnAssessmentRelationship",
        _ => return None,
    })
}

/// The CycloneDX rating method of an SPDX 3 CVSS class and vector.
fn cvss_method(class: &str, vector: Option<&str>) -> Option<&'static str> {
    Some(match class {
        "security_CvssV2VulnAssessmentRelationship" => "CVSSv2",
        "security_CvssV3VulnAssessmentRelationship" => {
            if vector.is_some_and(|v| v.starts_with("CVSS:3.1/")) {
                "CVSSv31"
            } else {
                "CVSSv3"
            }
        }
        "security_CvssV4VulnAssessmentRelationship" => "CVSSv4",
        _ => return None,
    })
}

/// Writes a vulnerability: the `security_Vulnerability` element, a CVSS assessment per CVSS
/// rating, its EPSS, exploit-catalog and SSVC assessments, and a VEX assessment for its
/// analysis, each from it to the elements it affects
/// (`targets`); without an analysis, each target `hasAssociatedVulnerability` it. SPDX 3's
/// relationships need a `to`: a vulnerability that names no element keeps only its element.
fn write_vulnerability(
    v: &Vulnerability,
    id: &str,
    targets: &[String],
    ci: &str,
    graph: &mut Vec<Value>,
) {
    let mut m = Map::new();
    m.insert("type".into(), json!("security_Vulnerability"));
    m.insert("spdxId".into(), json!(id));
    m.insert("creationInfo".into(), json!(ci));
    if !v.id.is_empty() {
        m.insert("name".into(), json!(v.id));
    }
    if let Some(d) = &v.description {
        m.insert("description".into(), json!(d));
    }
    for (key, t) in [
        ("security_publishedTime", &v.published),
        ("security_modifiedTime", &v.updated),
        ("security_withdrawnTime", &v.rejected),
    ] {
        if let Some(t) = t.as_deref().and_then(spdx3_time) {
            m.insert(key.into(), json!(t));
        }
    }
    let identifier = |id: &str, source: Option<&VulnerabilitySource>| {
        let kind = if id.starts_with("CVE-") {
            "cve"
        } else {
            "securityOther"
        };
        let mut x =
            json!({"type": "ExternalIdentifier", "externalIdentifierType": kind, "identifier": id});
        if let Some(name) = source.and_then(|s| s.name.as_deref()) {
            x["issuingAuthority"] = json!(name);
        }
        if let Some(url) = source.and_then(|s| s.url.as_deref()) {
            x["identifierLocator"] = json!([url]);
        }
        x
    };
    let mut identifiers = Vec::new();
    if !v.id.is_empty() {
        identifiers.push(identifier(&v.id, v.source.as_ref()));
    }
    for r in &v.references {
        identifiers.push(identifier(&r.id, r.source.as_ref()));
    }
    if !identifiers.is_empty() {
        m.insert("externalIdentifier".into(), Value::Array(identifiers));
    }
    if !v.advisories.is_empty() {
        let refs = v
            .advisories
            .iter()
            .map(|a| {
                let mut r = json!({"type": "ExternalRef", "externalRefType": "securityAdvisory", "locator": [a.url]});
                if let Some(t) = &a.title {
                    r["comment"] = json!(t);
                }
                r
            })
            .collect();
        m.insert("externalRef".into(), Value::Array(refs));
    }
    graph.push(Value::Object(m));
    if targets.is_empty() {
        return;
    }
    // Assessments are named after the vulnerability, so that two vulnerabilities' never meet.
    let mut n = 0;
    let mut assessment = |class: &str, rt: &str| {
        n += 1;
        let mut r = Map::new();
        r.insert("type".into(), json!(class));
        r.insert("spdxId".into(), json!(format!("{id}/assessment-{n}")));
        r.insert("creationInfo".into(), json!(ci));
        r.insert("from".into(), json!(id));
        r.insert("relationshipType".into(), json!(rt));
        r.insert("to".into(), json!(targets));
        r
    };
    for rating in &v.ratings {
        let Some(class) = rating.method.as_deref().and_then(cvss_class) else {
            continue;
        };
        let score = rating
            .score
            .as_deref()
            .and_then(|s| s.parse::<serde_json::Number>().ok());
        let severity = rating
            .severity
            .as_deref()
            .filter(|s| ["critical", "high", "medium", "low", "none"].contains(s));
        // Score and vector are required; CVSS v3 and v4 also want the severity.
        let (Some(score), Some(vector)) = (score, rating.vector.as_deref()) else {
            continue;
        };
        if severity.is_none() && !class.contains("V2") {
            continue;
        }
        let mut r = assessment(class, "hasAssessmentFor");
        r.insert("security_score".into(), json!(score));
        if let Some(sev) = severity {
            if !class.contains("V2") {
                r.insert("security_severity".into(), json!(sev));
            }
        }
        r.insert("security_vectorString".into(), json!(vector));
        graph.push(Value::Object(r));
    }
    // Not decimals, the probability and percentile would make the assessment invalid: it is
    // left out, and the conversion report names it.
    let epss = v.epss.as_ref().and_then(|e| {
        let probability = e.probability.parse::<serde_json::Number>().ok()?;
        let percentile = e.percentile.parse::<serde_json::Number>().ok()?;
        Some((e, probability, percentile))
    });
    if let Some((epss, probability, percentile)) = epss {
        let mut r = assessment(
            "security_EpssVulnAssessmentRelationship",
            "hasAssessmentFor",
        );
        r.insert("security_probability".into(), json!(probability));
        r.insert("security_percentile".into(), json!(percentile));
        if let Some(t) = epss.published.as_deref().and_then(spdx3_time) {
            r.insert("security_publishedTime".into(), json!(t));
        }
        graph.push(Value::Object(r));
    }
    for c in &v.exploit_catalogs {
        let mut r = assessment(
            "security_ExploitCatalogVulnAssessmentRelationship",
            "hasAssessmentFor",
        );
        r.insert("security_catalogType".into(), json!(c.catalog.as_str()));
        r.insert("security_exploited".into(), json!(c.exploited));
        r.insert("security_locator".into(), json!(c.locator));
        graph.push(Value::Object(r));
    }
    if let Some(d) = v.ssvc {
        let mut r = assessment(
            "security_SsvcVulnAssessmentRelationship",
            "hasAssessmentFor",
        );
        r.insert("security_decisionType".into(), json!(d.as_str()));
        graph.push(Value::Object(r));
    }
    let Some(state) = v.analysis.as_ref().and_then(|a| Some((a, a.state?))) else {
        // Known to affect, not assessed: the targets' associated vulnerability.
        for t in targets {
            n += 1;
            graph.push(json!({
                "type": "Relationship", "spdxId": format!("{id}/association-{n}"),
                "creationInfo": ci, "from": t, "relationshipType": "hasAssociatedVulnerability",
                "to": [id]
            }));
        }
        return;
    };
    let (a, state) = state;
    let (class, rt) = vex_class(state);
    let mut r = assessment(class, rt);
    r.insert("security_vexVersion".into(), json!("1.0"));
    match state {
        State::NotAffected | State::FalsePositive => {
            if let Some(j) = a.justification.as_deref().and_then(spdx3_justification) {
                r.insert("security_justificationType".into(), json!(j));
            }
            if let Some(d) = &a.detail {
                r.insert("security_impactStatement".into(), json!(d));
            }
        }
        State::Affected | State::Exploitable => {
            // Required: what to do. The recommendation, else the responses.
            let action = v
                .recommendation
                .clone()
                .unwrap_or_else(|| a.responses.join(", "));
            r.insert("security_actionStatement".into(), json!(action));
            if let Some(d) = &a.detail {
                r.insert("security_statusNotes".into(), json!(d));
            }
        }
        _ => {
            if let Some(d) = &a.detail {
                r.insert("security_statusNotes".into(), json!(d));
            }
        }
    }
    for (key, t) in [
        ("security_publishedTime", &a.first_issued),
        ("security_modifiedTime", &a.last_updated),
    ] {
        if let Some(t) = t.as_deref().and_then(spdx3_time) {
            r.insert(key.into(), json!(t));
        }
    }
    graph.push(Value::Object(r));
}

/// An SPDX 2 file type as SPDX 3 states it: a purpose, or (for the types that say what the
/// content is) a media type.
enum FileKind {
    Purpose(&'static str),
    ContentType(&'static str),
}

fn file_kind(spdx2: &str) -> Option<FileKind> {
    use FileKind::{ContentType, Purpose};
    Some(match spdx2 {
        "SOURCE" => Purpose("source"),
        "BINARY" => Purpose("executable"),
        "ARCHIVE" => Purpose("archive"),
        "APPLICATION" => Purpose("application"),
        "DOCUMENTATION" => Purpose("documentation"),
        "SPDX" => Purpose("bom"),
        "OTHER" => Purpose("other"),
        "TEXT" => ContentType("text/plain"),
        "AUDIO" => ContentType("audio/*"),
        "IMAGE" => ContentType("image/*"),
        "VIDEO" => ContentType("video/*"),
        _ => return None,
    })
}

/// A file's SPDX 2 types as SPDX 3 purposes (the first primary, the others additional) and
/// content type (SPDX 3 has one: the first of TEXT, AUDIO, IMAGE, VIDEO).
fn write_file_types(types: &[String], m: &mut Value) {
    let mut purposes = Vec::new();
    for t in types {
        match file_kind(t) {
            Some(FileKind::Purpose(p)) if !purposes.contains(&p) => purposes.push(p),
            Some(FileKind::ContentType(c)) if m.get("contentType").is_none() => {
                m["contentType"] = json!(c);
            }
            _ => {}
        }
    }
    if let Some((first, rest)) = purposes.split_first() {
        m["software_primaryPurpose"] = json!(first);
        if !rest.is_empty() {
            m["software_additionalPurpose"] = json!(rest);
        }
    }
}

/// The SPDX 2 types of an SPDX 3 file: from its purposes and content type.
fn file_types(e: &Node<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let purposes = s(e, "software_primaryPurpose").into_iter().chain(
        arr(e, "software_additionalPurpose")
            .iter()
            .filter_map(Node::as_str),
    );
    for p in purposes {
        let t = match p {
            "source" => "SOURCE",
            "executable" => "BINARY",
            "archive" => "ARCHIVE",
            "application" => "APPLICATION",
            "documentation" => "DOCUMENTATION",
            "bom" => "SPDX",
            _ => "OTHER",
        };
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    if let Some(c) = s(e, "contentType") {
        let t = match c.split('/').next() {
            Some("text") => Some("TEXT"),
            Some("audio") => Some("AUDIO"),
            Some("image") => Some("IMAGE"),
            Some("video") => Some("VIDEO"),
            _ => None,
        };
        if let Some(t) = t.filter(|t| !out.iter().any(|o| o == t)) {
            out.push(t.to_string());
        }
    }
    out
}
