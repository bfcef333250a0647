//! SPDX 2.2 and 2.3: JSON and YAML (one reader over the JSON data model), tag-value; writers
//! for SPDX 2.3 JSON and tag-value.
//!
//! Readers are lenient (fractional-second timestamps, `creators` as objects, unknown license
//! ids, invalid purls are kept or skipped) and record every departure from the 2.3 schema and
//! spec rules in a [`Report`]. Writers are strict: `created` in whole seconds, every required
//! field present, relationships instead of `documentDescribes`/`hasFiles`.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::license::{Dialect, LicenseField, Strictness};
use crate::model::{
    spdx_algorithm, Checksum, ExternalDocument, ExternalRef, ExtractedLicense, File, License,
    Package, Relationship, RelationshipType, Sbom, Snippet,
};
use crate::purl::Purl;
use crate::tree::Node;
use crate::validate::{is_spdx2_timestamp, normalize_timestamp, shown, IssueKind, Report};

/// The id of the document element.
pub const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// Package purposes allowed by SPDX 2.3 `primaryPackagePurpose`.
const PURPOSES: &[&str] = &[
    "APPLICATION",
    "FRAMEWORK",
    "LIBRARY",
    "CONTAINER",
    "OPERATING-SYSTEM",
    "DEVICE",
    "FIRMWARE",
    "SOURCE",
    "ARCHIVE",
    "FILE",
    "INSTALL",
    "OTHER",
];

/// Checksum algorithms allowed by the SPDX 2.3 schema.
const ALGORITHMS: &[&str] = &[
    "SHA1",
    "BLAKE3",
    "SHA3-384",
    "SHA256",
    "SHA384",
    "BLAKE2b-512",
    "BLAKE2b-256",
    "SHA3-512",
    "MD2",
    "ADLER32",
    "MD4",
    "SHA3-256",
    "BLAKE2b-384",
    "SHA512",
    "MD6",
    "MD5",
    "SHA224",
];

/// Relationship types of SPDX 2.3.
const RELATIONSHIP_TYPES: &[&str] = &[
    "VARIANT_OF",
    "COPY_OF",
    "PATCH_FOR",
    "TEST_DEPENDENCY_OF",
    "CONTAINED_BY",
    "DATA_FILE_OF",
    "OPTIONAL_COMPONENT_OF",
    "ANCESTOR_OF",
    "GENERATES",
    "CONTAINS",
    "OPTIONAL_DEPENDENCY_OF",
    "FILE_ADDED",
    "REQUIREMENT_DESCRIPTION_FOR",
    "DEV_DEPENDENCY_OF",
    "DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "DESCRIBES",
    "PREREQUISITE_FOR",
    "HAS_PREREQUISITE",
    "PROVIDED_DEPENDENCY_OF",
    "DYNAMIC_LINK",
    "DESCRIBED_BY",
    "METAFILE_OF",
    "DEPENDENCY_MANIFEST_OF",
    "PATCH_APPLIED",
    "RUNTIME_DEPENDENCY_OF",
    "TEST_OF",
    "TEST_TOOL_OF",
    "DEPENDS_ON",
    "SPECIFICATION_FOR",
    "FILE_MODIFIED",
    "DISTRIBUTION_ARTIFACT",
    "AMENDS",
    "DOCUMENTATION_OF",
    "GENERATED_FROM",
    "STATIC_LINK",
    "OTHER",
    "BUILD_TOOL_OF",
    "TEST_CASE_OF",
    "PACKAGE_OF",
    "DEV_TOOL_OF",
    "FILE_DELETED",
    "EXAMPLE_OF",
    "EXPANDED_FROM_ARCHIVE",
];

/// The SPDX 2 version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Version {
    /// `SPDX-2.2`.
    V2_2,
    /// `SPDX-2.3`.
    V2_3,
}

fn s<'a>(v: &'a Node<'_>, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Node::as_str)
}

fn arr<'a, 'b>(v: &'a Node<'b>, k: &str) -> &'a [Node<'b>] {
    v.get(k).and_then(Node::as_array).map_or(&[], Vec::as_slice)
}

fn license(
    value: Option<&str>,
    path: &str,
    field: &'static str,
    report: &mut Report,
) -> Option<License> {
    let value = value?;
    match LicenseField::parse_with(value, Dialect::Spdx2, Strictness::Strict) {
        // What the strict grammar accepts, the lenient one reads the same way (it only adds
        // readings of what strict refuses), so the strict result is the model's.
        Ok(field) => Some(License::Spdx(field)),
        Err(error) => {
            // A LicenseRef defined in the document is fine; anything else strict refuses is
            // noted.
            report.push(
                format!("{path}/{field}"),
                IssueKind::License {
                    value: shown(value),
                    error,
                },
            );
            Some(License::parse_lenient(value, Dialect::Spdx2))
        }
    }
}

fn checksums(v: &Node<'_>, path: &str, report: &mut Report) -> Vec<Checksum> {
    let mut out = Vec::new();
    for (i, c) in arr(v, "checksums").iter().enumerate() {
        let (Some(alg), Some(val)) = (s(c, "algorithm"), s(c, "checksumValue")) else {
            report.missing(format!("{path}/checksums/{i}"), "algorithm/checksumValue");
            continue;
        };
        if !ALGORITHMS.contains(&alg) {
            report.invalid(
                format!("{path}/checksums/{i}/algorithm"),
                "algorithm",
                alg,
                "an SPDX 2.3 checksum algorithm",
            );
        }
        if val.is_empty() || !val.bytes().all(|b| b.is_ascii_hexdigit()) {
            report.invalid(
                format!("{path}/checksums/{i}/checksumValue"),
                "checksumValue",
                shown(val),
                "hex",
            );
        }
        out.push(Checksum {
            algorithm: spdx_algorithm(alg),
            value: val.to_ascii_lowercase(),
        });
    }
    out
}

/// Reads an SPDX 2 document from its JSON data model (a parsed JSON or YAML document).
///
/// Returns `None` when `doc` is not an SPDX 2 document at all (no `spdxVersion` `SPDX-2.x`).
pub(crate) fn from_value(doc: &Node<'_>, report: &mut Report) -> Option<(Version, Sbom)> {
    let version = match s(doc, "spdxVersion")? {
        "SPDX-2.3" => Version::V2_3,
        "SPDX-2.2" => Version::V2_2,
        v if v.starts_with("SPDX-2") => {
            report.invalid("/spdxVersion", "spdxVersion", v, "SPDX-2.2 or SPDX-2.3");
            Version::V2_3
        }
        _ => return None,
    };
    let mut sbom = Sbom::new();
    match s(doc, "SPDXID") {
        Some(DOCUMENT_ID) => {}
        Some(other) => report.invalid("/SPDXID", "SPDXID", other, DOCUMENT_ID),
        None => report.missing("", "SPDXID"),
    }
    match s(doc, "dataLicense") {
        Some("CC0-1.0") => {}
        Some(other) => report.invalid("/dataLicense", "dataLicense", other, "CC0-1.0"),
        None => report.missing("", "dataLicense"),
    }
    sbom.name = s(doc, "name").map(str::to_string);
    if sbom.name.is_none() {
        report.missing("", "name");
    }
    sbom.namespace = s(doc, "documentNamespace").map(str::to_string);
    match &sbom.namespace {
        None => report.missing("", "documentNamespace"),
        Some(ns) if !ns.contains(':') || ns.contains('#') => report.invalid(
            "/documentNamespace",
            "documentNamespace",
            shown(ns),
            "an absolute URI without `#`",
        ),
        Some(_) => {}
    }
    match doc.get("creationInfo") {
        None => report.missing("", "creationInfo"),
        Some(ci) => {
            sbom.created = s(ci, "created").map(str::to_string);
            match &sbom.created {
                None => report.missing("/creationInfo", "created"),
                Some(c) if !is_spdx2_timestamp(c) => report.push(
                    "/creationInfo/created",
                    IssueKind::Timestamp { value: shown(c) },
                ),
                Some(_) => {}
            }
            let creators = arr(ci, "creators");
            if creators.is_empty() {
                report.missing("/creationInfo", "creators");
            }
            for (i, c) in creators.iter().enumerate() {
                match c {
                    Node::String(c) => sbom.creators.push(c.to_string()),
                    // guac's hand-made documents: `{"Person": "x"}`.
                    Node::Object(m) => {
                        report.push(
                            format!("/creationInfo/creators/{i}"),
                            IssueKind::WrongType {
                                field: "creators",
                                expected: "a string",
                            },
                        );
                        for (k, v) in m.iter() {
                            if let Some(v) = v.as_str() {
                                sbom.creators.push(format!("{k}: {v}"));
                            }
                        }
                    }
                    _ => report.push(
                        format!("/creationInfo/creators/{i}"),
                        IssueKind::WrongType {
                            field: "creators",
                            expected: "a string",
                        },
                    ),
                }
            }
        }
    }
    for d in arr(doc, "documentDescribes") {
        if let Some(d) = d.as_str() {
            sbom.describes.push(d.to_string());
        }
    }
    let mut contains = Vec::new();
    for (i, p) in arr(doc, "packages").iter().enumerate() {
        let path = format!("/packages/{i}");
        let mut pkg = Package {
            id: s(p, "SPDXID").unwrap_or_default().to_string(),
            name: s(p, "name").unwrap_or_default().to_string(),
            version: s(p, "versionInfo").map(str::to_string),
            supplier: s(p, "supplier").map(str::to_string),
            originator: s(p, "originator").map(str::to_string),
            file_name: s(p, "packageFileName").map(str::to_string),
            source_info: s(p, "sourceInfo").map(str::to_string),
            download_location: s(p, "downloadLocation").map(str::to_string),
            homepage: s(p, "homepage").map(str::to_string),
            description: s(p, "description")
                .or_else(|| s(p, "summary"))
                .map(str::to_string),
            copyright: s(p, "copyrightText").map(str::to_string),
            files_analyzed: Some(
                p.get("filesAnalyzed")
                    .and_then(Node::as_bool)
                    .unwrap_or(true),
            ),
            verification_code: p
                .get("packageVerificationCode")
                .and_then(|c| s(c, "packageVerificationCodeValue"))
                .map(str::to_string),
            purpose: s(p, "primaryPackagePurpose")
                .map(|v| v.to_ascii_lowercase().replace('_', "-")),
            ..Package::default()
        };
        if let Some(props) = s(p, "comment").and_then(Package::properties_from_comment) {
            pkg.properties = props;
        }
        if pkg.id.is_empty() {
            report.missing(&path, "SPDXID");
        } else if !is_element_id(&pkg.id) {
            report.invalid(
                format!("{path}/SPDXID"),
                "SPDXID",
                shown(&pkg.id),
                "SPDXRef-[A-Za-z0-9.-]+",
            );
        }
        if pkg.name.is_empty() {
            report.missing(&path, "name");
        }
        if pkg.download_location.is_none() {
            report.missing(&path, "downloadLocation");
        }
        if let Some(pp) = s(p, "primaryPackagePurpose") {
            if !PURPOSES.contains(&pp) {
                report.invalid(
                    format!("{path}/primaryPackagePurpose"),
                    "primaryPackagePurpose",
                    pp,
                    "an SPDX 2.3 package purpose",
                );
            }
        }
        pkg.license_concluded =
            license(s(p, "licenseConcluded"), &path, "licenseConcluded", report);
        pkg.license_declared = license(s(p, "licenseDeclared"), &path, "licenseDeclared", report);
        pkg.checksums = checksums(p, &path, report);
        for (j, r) in arr(p, "externalRefs").iter().enumerate() {
            let (Some(cat), Some(ty), Some(loc)) = (
                s(r, "referenceCategory"),
                s(r, "referenceType"),
                s(r, "referenceLocator"),
            ) else {
                report.missing(
                    format!("{path}/externalRefs/{j}"),
                    "referenceCategory/referenceType/referenceLocator",
                );
                continue;
            };
            read_external_ref(
                &mut pkg,
                cat,
                ty,
                loc,
                &format!("{path}/externalRefs/{j}"),
                report,
            );
        }
        for f in arr(p, "hasFiles") {
            if let Some(f) = f.as_str() {
                contains.push((pkg.id.clone(), f.to_string()));
            }
        }
        sbom.packages.push(pkg);
    }
    for (i, f) in arr(doc, "files").iter().enumerate() {
        let path = format!("/files/{i}");
        let file = File {
            id: s(f, "SPDXID").unwrap_or_default().to_string(),
            name: s(f, "fileName").unwrap_or_default().to_string(),
            checksums: checksums(f, &path, report),
            license_concluded: license(s(f, "licenseConcluded"), &path, "licenseConcluded", report),
            license_info_in_file: arr(f, "licenseInfoInFiles")
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect(),
            copyright: s(f, "copyrightText").map(str::to_string),
        };
        if file.id.is_empty() {
            report.missing(&path, "SPDXID");
        }
        if file.name.is_empty() {
            report.missing(&path, "fileName");
        }
        if version == Version::V2_3 && !file.checksums.iter().any(|c| c.algorithm == "SHA1") {
            // SPDX 2.3 §8.4: every file has a SHA1 checksum.
            report.missing(&path, "checksums (SHA1)");
        }
        if !file.id.is_empty() && !is_element_id(&file.id) {
            report.invalid(
                format!("{path}/SPDXID"),
                "SPDXID",
                shown(&file.id),
                "SPDXRef-[A-Za-z0-9.-]+",
            );
        }
        sbom.files.push(file);
    }
    for sn in arr(doc, "snippets") {
        sbom.snippets.push(Snippet {
            id: s(sn, "SPDXID").unwrap_or_default().to_string(),
            name: s(sn, "name").map(str::to_string),
            file: s(sn, "snippetFromFile").unwrap_or_default().to_string(),
        });
    }
    for (i, r) in arr(doc, "relationships").iter().enumerate() {
        let (Some(from), Some(ty), Some(to)) = (
            s(r, "spdxElementId"),
            s(r, "relationshipType"),
            s(r, "relatedSpdxElement"),
        ) else {
            report.missing(
                format!("/relationships/{i}"),
                "spdxElementId/relationshipType/relatedSpdxElement",
            );
            continue;
        };
        if !RELATIONSHIP_TYPES.contains(&ty) {
            report.invalid(
                format!("/relationships/{i}/relationshipType"),
                "relationshipType",
                ty,
                "an SPDX 2.3 relationship type",
            );
        }
        sbom.push_relationship(from, RelationshipType::parse(ty), to);
    }
    for (pkg, file) in contains {
        sbom.push_relationship(&pkg, RelationshipType::contains(), &file);
    }
    sbom.dedup_relationships();
    for (i, e) in arr(doc, "hasExtractedLicensingInfos").iter().enumerate() {
        let Some(id) = s(e, "licenseId") else {
            report.missing(format!("/hasExtractedLicensingInfos/{i}"), "licenseId");
            continue;
        };
        sbom.extracted_licenses.push(ExtractedLicense {
            id: id.to_string(),
            name: s(e, "name").map(str::to_string),
            text: s(e, "extractedText").unwrap_or_default().to_string(),
        });
    }
    for (i, e) in arr(doc, "externalDocumentRefs").iter().enumerate() {
        let c = &e["checksum"];
        match (
            s(e, "externalDocumentId"),
            s(e, "spdxDocument"),
            s(c, "algorithm"),
            s(c, "checksumValue"),
        ) {
            (Some(id), Some(ns), Some(alg), Some(val)) => {
                sbom.external_documents.push(ExternalDocument {
                    id: id.into(),
                    namespace: ns.into(),
                    checksum: Checksum {
                        algorithm: spdx_algorithm(alg),
                        value: val.to_ascii_lowercase(),
                    },
                })
            }
            _ => report.missing(
                format!("/externalDocumentRefs/{i}"),
                "externalDocumentId/spdxDocument/checksum",
            ),
        }
    }
    sbom.normalize(DOCUMENT_ID);
    if sbom.describes.is_empty() && sbom.packages.len() > 1 {
        report.missing(
            "/relationships",
            "a DESCRIBES relationship from SPDXRef-DOCUMENT",
        );
    }
    check_references(&sbom, report);
    Some((version, sbom))
}

fn read_external_ref(
    pkg: &mut Package,
    category: &str,
    kind: &str,
    locator: &str,
    path: &str,
    report: &mut Report,
) {
    match kind {
        "purl" => match Purl::parse(locator) {
            Ok(p) if pkg.purl.is_none() => {
                pkg.purl = Some(p);
                return;
            }
            Ok(_) => {}
            Err(error) => report.push(
                path,
                IssueKind::Purl {
                    value: shown(locator),
                    error,
                },
            ),
        },
        "cpe23Type" | "cpe22Type" => {
            pkg.cpes.push(locator.to_string());
            return;
        }
        _ => {}
    }
    // An OTHER reference type is a URI in JSON (`…#LocationRef-x`) and its fragment in
    // tag-value: keep the fragment.
    let kind = kind.rsplit_once('#').map_or(kind, |(_, f)| f);
    pkg.external_refs.push(ExternalRef {
        category: category.replace('_', "-"),
        kind: kind.to_string(),
        locator: locator.to_string(),
    });
}

/// Spec rules over ids: unique, and every relationship end defined (or `NONE`,
/// `NOASSERTION`, or in another document via `DocumentRef-`).
pub(crate) fn check_references(sbom: &Sbom, report: &mut Report) {
    let mut ids: HashSet<&str> = HashSet::new();
    ids.insert(DOCUMENT_ID);
    let all = sbom
        .packages
        .iter()
        .map(|p| p.id.as_str())
        .chain(sbom.files.iter().map(|f| f.id.as_str()))
        .chain(sbom.snippets.iter().map(|s| s.id.as_str()));
    for id in all {
        if !id.is_empty() && !ids.insert(id) {
            report.push("", IssueKind::DuplicateId { id: id.into() });
        }
    }
    let known = |id: &str| {
        ids.contains(id) || id == "NONE" || id == "NOASSERTION" || id.starts_with("DocumentRef-")
    };
    for (i, r) in sbom.relationships.iter().enumerate() {
        for id in [&r.from, &r.to] {
            if !known(id) {
                report.push(
                    format!("/relationships/{i}"),
                    IssueKind::DanglingReference { id: id.clone() },
                );
            }
        }
    }
    for d in &sbom.describes {
        if !known(d) {
            report.push(
                "/documentDescribes",
                IssueKind::DanglingReference { id: d.clone() },
            );
        }
    }
}

/// Reads SPDX 2 tag-value.
///
/// Returns `None` when the text has no `SPDXVersion: SPDX-2.x` line.
pub(crate) fn from_tag_value(text: &str, report: &mut Report) -> Option<(Version, Sbom)> {
    // Tag-value is a flat list of `Tag: value` lines (values may span lines inside
    // `<text>…</text>`); build the same JSON data model and reuse the JSON reader, so both
    // spellings get one set of rules.
    let mut doc = Map::new();
    let mut creation = Map::new();
    let mut creators = Vec::new();
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut files: Vec<Map<String, Value>> = Vec::new();
    let mut snippets: Vec<Map<String, Value>> = Vec::new();
    let mut relationships = Vec::new();
    let mut extracted: Vec<Map<String, Value>> = Vec::new();
    #[derive(PartialEq)]
    enum Section {
        Doc,
        Package,
        File,
        Snippet,
        License,
    }
    let mut section = Section::Doc;
    let mut owned: Vec<(usize, usize)> = Vec::new();
    let mut ext_docs: Vec<Value> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            report.invalid(
                format!("line {}", n + 1),
                "tag-value line",
                shown(line),
                "`Tag: value`",
            );
            continue;
        };
        let tag = tag.trim();
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut buf = rest.to_string();
            while !buf.contains("</text>") {
                match lines.next() {
                    Some((_, l)) => {
                        buf.push('\n');
                        buf.push_str(l);
                    }
                    None => break,
                }
            }
            value = buf.split("</text>").next().unwrap_or_default().to_string();
        }
        let v = Value::String(value.clone());
        let target: Option<&mut Map<String, Value>> = match section {
            Section::Package => packages.last_mut(),
            Section::File => files.last_mut(),
            Section::Snippet => snippets.last_mut(),
            Section::License => extracted.last_mut(),
            Section::Doc => None,
        };
        match tag {
            "SPDXVersion" => {
                doc.insert("spdxVersion".into(), v);
            }
            "DataLicense" => {
                doc.insert("dataLicense".into(), v);
            }
            "DocumentName" => {
                doc.insert("name".into(), v);
            }
            "DocumentNamespace" => {
                doc.insert("documentNamespace".into(), v);
            }
            "Creator" => creators.push(v),
            "Created" => {
                creation.insert("created".into(), v);
            }
            "LicenseListVersion" => {
                creation.insert("licenseListVersion".into(), v);
            }
            "PackageName" => {
                section = Section::Package;
                let mut m = Map::new();
                m.insert("name".into(), v);
                packages.push(m);
            }
            "FileName" => {
                // In tag-value a file that follows a package belongs to it (SPDX 2.3 §4:
                // the JSON `hasFiles`).
                if !packages.is_empty() {
                    owned.push((packages.len() - 1, files.len()));
                }
                section = Section::File;
                let mut m = Map::new();
                m.insert("fileName".into(), v);
                files.push(m);
            }
            "SnippetSPDXID" => {
                section = Section::Snippet;
                let mut m = Map::new();
                m.insert("SPDXID".into(), v);
                snippets.push(m);
            }
            "LicenseID" => {
                section = Section::License;
                let mut m = Map::new();
                m.insert("licenseId".into(), v);
                extracted.push(m);
            }
            "SPDXID" => match target {
                Some(t) if section == Section::Package || section == Section::File => {
                    t.insert("SPDXID".into(), v);
                }
                _ => {
                    doc.insert("SPDXID".into(), v);
                }
            },
            "Relationship" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if let [from, ty, to] = parts[..] {
                    relationships.push(json!({
                        "spdxElementId": from, "relationshipType": ty, "relatedSpdxElement": to
                    }));
                } else {
                    report.invalid(
                        format!("line {}", n + 1),
                        "Relationship",
                        shown(&value),
                        "`A TYPE B`",
                    );
                }
            }
            "Annotator" | "AnnotationDate" | "AnnotationType" | "AnnotationComment" | "SPDXREF" => {
                // Annotations are outside the model.
            }
            "ExternalDocumentRef" => {
                // `DocumentRef-x URI SHA1: hex`
                let parts: Vec<&str> = value.split_whitespace().collect();
                if let [id, uri, alg, val] = parts[..] {
                    ext_docs.push(json!({
                        "externalDocumentId": id, "spdxDocument": uri,
                        "checksum": {"algorithm": alg.trim_end_matches(':'), "checksumValue": val}
                    }));
                } else {
                    report.invalid(
                        format!("line {}", n + 1),
                        "ExternalDocumentRef",
                        shown(&value),
                        "`DocumentRef-x URI ALG: value`",
                    );
                }
            }
            _ => {
                let Some(t) = target else {
                    continue;
                };
                let key = match (&section, tag) {
                    (Section::Package, "PackageVersion") => "versionInfo",
                    (Section::Package, "PackageSupplier") => "supplier",
                    (Section::Package, "PackageOriginator") => "originator",
                    (Section::Package, "PackageFileName") => "packageFileName",
                    (Section::Package, "PackageSourceInfo") => "sourceInfo",
                    (Section::Package, "PackageDownloadLocation") => "downloadLocation",
                    (Section::Package, "PackageHomePage") => "homepage",
                    (Section::Package, "PackageDescription") => "description",
                    (Section::Package, "PackageSummary") => "summary",
                    (Section::Package, "PackageLicenseConcluded") => "licenseConcluded",
                    (Section::Package, "PackageLicenseDeclared") => "licenseDeclared",
                    (Section::Package, "PackageCopyrightText") => "copyrightText",
                    (Section::Package, "PrimaryPackagePurpose") => "primaryPackagePurpose",
                    (Section::Package, "PackageComment") => "comment",
                    (Section::Package, "PackageVerificationCode") => {
                        // `code (excludes: …)`: the value is the first word.
                        let code = value
                            .split(|c: char| c.is_whitespace() || c == '(')
                            .next()
                            .unwrap_or_default();
                        t.insert(
                            "packageVerificationCode".into(),
                            json!({"packageVerificationCodeValue": code}),
                        );
                        continue;
                    }
                    (Section::Package, "FilesAnalyzed") => {
                        t.insert(
                            "filesAnalyzed".into(),
                            Value::Bool(value.eq_ignore_ascii_case("true")),
                        );
                        continue;
                    }
                    (Section::Package, "PackageChecksum") | (Section::File, "FileChecksum") => {
                        if let Some((alg, val)) = value.split_once(':') {
                            let list = t
                                .entry("checksums")
                                .or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(a) = list {
                                a.push(
                                    json!({"algorithm": alg.trim(), "checksumValue": val.trim()}),
                                );
                            }
                        }
                        continue;
                    }
                    (Section::Package, "ExternalRef") => {
                        let parts: Vec<&str> = value.split_whitespace().collect();
                        if let [cat, ty, loc] = parts[..] {
                            let list = t
                                .entry("externalRefs")
                                .or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(a) = list {
                                a.push(json!({
                                    "referenceCategory": cat.replace('_', "-"),
                                    "referenceType": ty,
                                    "referenceLocator": loc
                                }));
                            }
                        }
                        continue;
                    }
                    (Section::File, "LicenseConcluded") => "licenseConcluded",
                    (Section::File, "FileCopyrightText") => "copyrightText",
                    (Section::File, "LicenseInfoInFile") => {
                        let list = t
                            .entry("licenseInfoInFiles")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(a) = list {
                            a.push(v);
                        }
                        continue;
                    }
                    (Section::Snippet, "SnippetFromFileSPDXID") => "snippetFromFile",
                    (Section::Snippet, "SnippetName") => "name",
                    (Section::License, "ExtractedText") => "extractedText",
                    (Section::License, "LicenseName") => "name",
                    _ => continue,
                };
                t.insert(key.into(), v);
            }
        }
    }
    for (p, f) in owned {
        if let (Some(id), Some(pkg)) = (files[f].get("SPDXID").cloned(), packages.get_mut(p)) {
            if let Value::Array(a) = pkg
                .entry("hasFiles")
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                a.push(id);
            }
        }
    }
    if !creators.is_empty() {
        creation.insert("creators".into(), Value::Array(creators));
    }
    if !creation.is_empty() {
        doc.insert("creationInfo".into(), Value::Object(creation));
    }
    let objs =
        |v: Vec<Map<String, Value>>| Value::Array(v.into_iter().map(Value::Object).collect());
    doc.insert("packages".into(), objs(packages));
    doc.insert("files".into(), objs(files));
    doc.insert("snippets".into(), objs(snippets));
    doc.insert("relationships".into(), Value::Array(relationships));
    doc.insert("hasExtractedLicensingInfos".into(), objs(extracted));
    doc.insert("externalDocumentRefs".into(), Value::Array(ext_docs));
    let doc = Value::Object(doc);
    from_value(&Node::borrowed(&doc), report)
}

/// `SPDXRef-[A-Za-z0-9.-]+` (the 2.3 schema's pattern for element ids).
fn is_element_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

/// The document namespace a writer uses: the model's, or one derived from the content
/// (deterministic, so the same SBOM converts to the same bytes).
pub(crate) fn namespace_for(sbom: &Sbom) -> String {
    if let Some(ns) = &sbom.namespace {
        if ns.contains(':') && !ns.contains('#') {
            return ns.clone();
        }
    }
    let mut seed = String::new();
    for p in &sbom.packages {
        let _ = write!(seed, "{}\n{}\n{:?}\n", p.id, p.name, p.version);
    }
    let d = supply_sig::digest::Algorithm::Sha256
        .digest(seed.as_bytes())
        .hex();
    format!(
        "https://spdx.org/spdxdocs/{}-{}",
        sanitize_name(sbom.name.as_deref().unwrap_or("sbom")),
        &d[..32]
    )
}

fn sanitize_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// An SPDX 2 element id from any id: `SPDXRef-` followed by `[A-Za-z0-9.-]`.
pub(crate) fn spdx_id(id: &str) -> String {
    if let Some(rest) = id.strip_prefix("SPDXRef-") {
        if !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return id.to_string();
        }
    }
    // IRIs and bom-refs: keep the last path segment readable, make it unique with a hash.
    let tail = id.rsplit(['/', '#']).next().unwrap_or(id);
    let tail = tail.strip_prefix("SPDXRef-").unwrap_or(tail);
    let clean: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    if clean == tail && !clean.is_empty() {
        return format!("SPDXRef-{clean}");
    }
    let d = supply_sig::digest::Algorithm::Sha256
        .digest(id.as_bytes())
        .hex();
    format!("SPDXRef-{clean}-{}", &d[..8])
}

fn creators_for(sbom: &Sbom) -> Vec<String> {
    let mut c: Vec<String> = sbom
        .creators
        .iter()
        .filter(|c| {
            c.starts_with("Tool: ") || c.starts_with("Organization: ") || c.starts_with("Person: ")
        })
        .cloned()
        .collect();
    if c.is_empty() {
        c.push(format!("Tool: supply-sbom-{}", env!("CARGO_PKG_VERSION")));
    }
    c
}

fn license_out(l: Option<&License>) -> String {
    match l {
        Some(License::Spdx(LicenseField::Expression(e))) => e.to_current().to_string(),
        Some(License::Spdx(f)) => f.to_string(),
        // A name or text that is no expression cannot be stated as SPDX: say so.
        Some(License::Named(_) | License::Unparsed(_)) | None => "NOASSERTION".into(),
    }
}

/// `created` for a writer: the model's, normalized to whole seconds, or `fallback`.
pub(crate) fn created_for(sbom: &Sbom) -> String {
    sbom.created
        .as_deref()
        .and_then(normalize_timestamp)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// Relationships to write: the model's, with ids mapped and describes included.
fn relationships_for(sbom: &Sbom, map: &dyn Fn(&str) -> String) -> Vec<Relationship> {
    // Only relationships between elements the document defines (a CycloneDX service or a
    // dangling id has no SPDX element to point at).
    let defined: HashSet<&str> = sbom
        .packages
        .iter()
        .map(|p| p.id.as_str())
        .chain(sbom.files.iter().map(|f| f.id.as_str()))
        .chain(sbom.snippets.iter().map(|s| s.id.as_str()))
        .chain([DOCUMENT_ID, "NONE", "NOASSERTION"])
        .collect();
    let ok = |id: &str| {
        defined.contains(id)
            || id
                .split_once(':')
                .is_some_and(|(d, _)| sbom.external_documents.iter().any(|e| e.id == d))
    };
    let mut out: Vec<Relationship> = Vec::new();
    // A set beside the list: a search per relationship made writing 50,000 packages 22 s.
    let mut seen: HashSet<Relationship> = HashSet::new();
    let mut push = |r: Relationship| {
        if seen.insert(r.clone()) {
            out.push(r);
        }
    };
    // SPDX 2.3 §11: a document with more than one package describes at least one. Without
    // a root in the model, the packages nothing else contains or depends on are the roots.
    let mut describes: Vec<String> = sbom.describes.iter().filter(|d| ok(d)).cloned().collect();
    if describes.is_empty() {
        let targets: HashSet<&str> = sbom
            .relationships
            .iter()
            .filter(|r| {
                r.kind == RelationshipType::contains() || r.kind == RelationshipType::depends_on()
            })
            .map(|r| r.to.as_str())
            .collect();
        describes = sbom
            .packages
            .iter()
            .filter(|p| !targets.contains(p.id.as_str()))
            .map(|p| p.id.clone())
            .collect();
        if describes.is_empty() {
            describes = sbom.packages.iter().map(|p| p.id.clone()).collect();
        }
    }
    for d in &describes {
        push(Relationship {
            from: DOCUMENT_ID.into(),
            kind: RelationshipType::describes(),
            to: map(d),
        });
    }
    for r in sbom
        .relationships
        .iter()
        .filter(|r| ok(&r.from) && ok(&r.to))
    {
        let kind = if RELATIONSHIP_TYPES.contains(&r.kind.as_str()) {
            r.kind.clone()
        } else {
            RelationshipType::parse("OTHER")
        };
        let from = if r.from == DOCUMENT_ID {
            r.from.clone()
        } else {
            map(&r.from)
        };
        push(Relationship {
            from,
            kind,
            to: map(&r.to),
        });
    }
    out
}

fn id_mapper(sbom: &Sbom) -> impl Fn(&str) -> String + '_ {
    move |id: &str| match id {
        DOCUMENT_ID | "NONE" | "NOASSERTION" => id.to_string(),
        i if i.starts_with("DocumentRef-") => i.to_string(),
        i => {
            let _ = sbom;
            spdx_id(i)
        }
    }
}

/// Writes SPDX 2.3 JSON.
pub(crate) fn to_json(sbom: &Sbom) -> Value {
    let map = id_mapper(sbom);
    let mut packages = Vec::new();
    for p in &sbom.packages {
        let mut m = Map::new();
        m.insert("SPDXID".into(), json!(map(&p.id)));
        m.insert("name".into(), json!(p.name));
        if let Some(v) = &p.version {
            m.insert("versionInfo".into(), json!(v));
        }
        if let Some(v) = &p.supplier {
            if v == "NOASSERTION" || v.starts_with("Organization: ") || v.starts_with("Person: ") {
                m.insert("supplier".into(), json!(v));
            } else {
                m.insert("supplier".into(), json!(format!("Organization: {v}")));
            }
        }
        if let Some(v) = &p.originator {
            m.insert("originator".into(), json!(v));
        }
        if let Some(v) = &p.file_name {
            m.insert("packageFileName".into(), json!(v));
        }
        m.insert(
            "downloadLocation".into(),
            json!(p.download_location.as_deref().unwrap_or("NOASSERTION")),
        );
        match (&p.files_analyzed, &p.verification_code) {
            (Some(true), Some(code)) => {
                m.insert("filesAnalyzed".into(), json!(true));
                m.insert(
                    "packageVerificationCode".into(),
                    json!({"packageVerificationCodeValue": code}),
                );
            }
            _ => {
                m.insert("filesAnalyzed".into(), json!(false));
            }
        }
        if let Some(v) = &p.homepage {
            m.insert("homepage".into(), json!(v));
        }
        if let Some(v) = &p.source_info {
            m.insert("sourceInfo".into(), json!(v));
        }
        if let Some(v) = &p.description {
            m.insert("description".into(), json!(v));
        }
        // Optional in 2.3: absent stays absent.
        if p.license_concluded.is_some() {
            m.insert(
                "licenseConcluded".into(),
                json!(license_out(p.license_concluded.as_ref())),
            );
        }
        if p.license_declared.is_some() {
            m.insert(
                "licenseDeclared".into(),
                json!(license_out(p.license_declared.as_ref())),
            );
        }
        if let Some(c) = &p.copyright {
            m.insert("copyrightText".into(), json!(c));
        }
        if let Some(pp) = &p.purpose {
            let up = pp.to_ascii_uppercase();
            let up = if up == "OPERATING-SYSTEM" {
                up
            } else {
                up.replace('-', "_")
            };
            if PURPOSES.contains(&up.as_str()) {
                m.insert("primaryPackagePurpose".into(), json!(up));
            }
        }
        let sums: Vec<Value> = p
            .checksums
            .iter()
            .filter(|c| ALGORITHMS.contains(&c.algorithm.as_str()))
            .map(|c| json!({"algorithm": c.algorithm, "checksumValue": c.value}))
            .collect();
        if !sums.is_empty() {
            m.insert("checksums".into(), Value::Array(sums));
        }
        let mut refs = Vec::new();
        if let Some(purl) = &p.purl {
            refs.push(json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl.to_string()}));
        }
        for c in &p.cpes {
            let ty = if c.starts_with("cpe:2.3:") {
                "cpe23Type"
            } else {
                "cpe22Type"
            };
            refs.push(json!({"referenceCategory": "SECURITY", "referenceType": ty, "referenceLocator": c}));
        }
        for r in &p.external_refs {
            if r.locator.split_whitespace().count() == 1 {
                refs.push(json!({"referenceCategory": r.category, "referenceType": r.kind, "referenceLocator": r.locator}));
            }
        }
        if !refs.is_empty() {
            m.insert("externalRefs".into(), Value::Array(refs));
        }
        if let Some(c) = p.properties_comment() {
            m.insert("comment".into(), json!(c));
        }
        packages.push(Value::Object(m));
    }
    let files: Vec<Value> = sbom
        .files
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("SPDXID".into(), json!(map(&f.id)));
            m.insert("fileName".into(), json!(f.name));
            let mut sums: Vec<Value> = f
                .checksums
                .iter()
                .filter(|c| ALGORITHMS.contains(&c.algorithm.as_str()))
                .map(|c| json!({"algorithm": c.algorithm, "checksumValue": c.value}))
                .collect();
            if !f.checksums.iter().any(|c| c.algorithm == "SHA1") {
                // SPDX 2.3 requires a SHA1 for every file; a file we do not know the SHA1 of
                // cannot be stated truthfully, so the writer refuses to invent one: it keeps
                // what it has (validators then say so).
                sums.sort_by_key(|v| v["algorithm"].as_str().map(str::to_string));
            }
            m.insert("checksums".into(), Value::Array(sums));
            if f.license_concluded.is_some() {
                m.insert(
                    "licenseConcluded".into(),
                    json!(license_out(f.license_concluded.as_ref())),
                );
            }
            if !f.license_info_in_file.is_empty() {
                m.insert("licenseInfoInFiles".into(), json!(f.license_info_in_file));
            }
            if let Some(c) = &f.copyright {
                m.insert("copyrightText".into(), json!(c));
            }
            Value::Object(m)
        })
        .collect();
    let rels: Vec<Value> = relationships_for(sbom, &map)
        .iter()
        .map(|r| json!({"spdxElementId": r.from, "relationshipType": r.kind.as_str(), "relatedSpdxElement": r.to}))
        .collect();
    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!(DOCUMENT_ID));
    doc.insert("name".into(), json!(sbom.name.as_deref().unwrap_or("sbom")));
    doc.insert("documentNamespace".into(), json!(namespace_for(sbom)));
    doc.insert(
        "creationInfo".into(),
        json!({"created": created_for(sbom), "creators": creators_for(sbom)}),
    );
    if !sbom.external_documents.is_empty() {
        doc.insert(
            "externalDocumentRefs".into(),
            Value::Array(
                sbom.external_documents
                    .iter()
                    .map(|e| json!({"externalDocumentId": e.id, "spdxDocument": e.namespace,
                        "checksum": {"algorithm": e.checksum.algorithm, "checksumValue": e.checksum.value}}))
                    .collect(),
            ),
        );
    }
    doc.insert("packages".into(), Value::Array(packages));
    if !files.is_empty() {
        doc.insert("files".into(), Value::Array(files));
    }
    doc.insert("relationships".into(), Value::Array(rels));
    let ex: Vec<Value> = extracted_for(sbom)
        .iter()
        .map(|e| {
            let mut m = json!({"licenseId": e.id, "extractedText": e.text});
            if let Some(n) = &e.name {
                m["name"] = json!(n);
            }
            m
        })
        .collect();
    if !ex.is_empty() {
        doc.insert("hasExtractedLicensingInfos".into(), Value::Array(ex));
    }
    Value::Object(doc)
}

/// Extracted licenses to write: the model's, plus a stub for every `LicenseRef-` used but not
/// defined (SPDX requires each to be defined in the document).
fn extracted_for(sbom: &Sbom) -> Vec<ExtractedLicense> {
    let mut out = sbom.extracted_licenses.clone();
    let mut used = Vec::new();
    let mut collect = |l: Option<&License>| {
        if let Some(e) = l.and_then(License::expression) {
            for id in e.licenses() {
                if id.starts_with("LicenseRef-") && !used.contains(&id) {
                    used.push(id);
                }
            }
        }
    };
    for p in &sbom.packages {
        collect(p.license_concluded.as_ref());
        collect(p.license_declared.as_ref());
    }
    for f in &sbom.files {
        collect(f.license_concluded.as_ref());
    }
    for id in used {
        if !out.iter().any(|e| e.id == id) {
            out.push(ExtractedLicense {
                id,
                name: None,
                text: "NOASSERTION".into(),
            });
        }
    }
    out
}

/// Writes SPDX 2.3 tag-value.
pub(crate) fn to_tag_value(sbom: &Sbom) -> String {
    // One mapping (the JSON writer's), printed in tag-value syntax.
    let doc = to_json(sbom);
    let doc = Node::borrowed(&doc);
    let mut out = String::new();
    let text = |v: &str| {
        if v.contains('\n') {
            format!("<text>{v}</text>")
        } else {
            v.to_string()
        }
    };
    let line = |out: &mut String, tag: &str, v: &str| {
        let _ = writeln!(out, "{tag}: {}", text(v));
    };
    line(&mut out, "SPDXVersion", "SPDX-2.3");
    line(&mut out, "DataLicense", "CC0-1.0");
    line(&mut out, "SPDXID", DOCUMENT_ID);
    line(
        &mut out,
        "DocumentName",
        doc["name"].as_str().unwrap_or("sbom"),
    );
    line(
        &mut out,
        "DocumentNamespace",
        doc["documentNamespace"].as_str().unwrap_or_default(),
    );
    for e in arr(&doc, "externalDocumentRefs") {
        let _ = writeln!(
            out,
            "ExternalDocumentRef: {} {} {}: {}",
            s(e, "externalDocumentId").unwrap_or_default(),
            s(e, "spdxDocument").unwrap_or_default(),
            s(&e["checksum"], "algorithm").unwrap_or_default(),
            s(&e["checksum"], "checksumValue").unwrap_or_default()
        );
    }
    for c in arr(&doc["creationInfo"], "creators") {
        line(&mut out, "Creator", c.as_str().unwrap_or_default());
    }
    line(
        &mut out,
        "Created",
        doc["creationInfo"]["created"].as_str().unwrap_or_default(),
    );
    // Files first: in tag-value a file written after a package would belong to it; the
    // CONTAINS relationships state membership explicitly.
    for f in arr(&doc, "files") {
        out.push('\n');
        let g = |k: &str| s(f, k).unwrap_or_default().to_string();
        line(&mut out, "FileName", &g("fileName"));
        line(&mut out, "SPDXID", &g("SPDXID"));
        for c in arr(f, "checksums") {
            let _ = writeln!(
                out,
                "FileChecksum: {}: {}",
                s(c, "algorithm").unwrap_or_default(),
                s(c, "checksumValue").unwrap_or_default()
            );
        }
        if let Some(v) = s(f, "licenseConcluded") {
            line(&mut out, "LicenseConcluded", v);
        }
        for l in arr(f, "licenseInfoInFiles") {
            line(
                &mut out,
                "LicenseInfoInFile",
                l.as_str().unwrap_or_default(),
            );
        }
        if let Some(v) = s(f, "copyrightText") {
            let _ = writeln!(out, "FileCopyrightText: <text>{v}</text>");
        }
    }
    for p in arr(&doc, "packages") {
        out.push('\n');
        let g = |k: &str| s(p, k).unwrap_or_default().to_string();
        line(&mut out, "PackageName", &g("name"));
        line(&mut out, "SPDXID", &g("SPDXID"));
        if let Some(v) = s(p, "versionInfo") {
            line(&mut out, "PackageVersion", v);
        }
        if let Some(v) = s(p, "packageFileName") {
            line(&mut out, "PackageFileName", v);
        }
        if let Some(v) = s(p, "supplier") {
            line(&mut out, "PackageSupplier", v);
        }
        if let Some(v) = s(p, "originator") {
            line(&mut out, "PackageOriginator", v);
        }
        line(&mut out, "PackageDownloadLocation", &g("downloadLocation"));
        let analyzed = p
            .get("filesAnalyzed")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        line(
            &mut out,
            "FilesAnalyzed",
            if analyzed { "true" } else { "false" },
        );
        if let Some(code) = p
            .get("packageVerificationCode")
            .and_then(|c| s(c, "packageVerificationCodeValue"))
        {
            line(&mut out, "PackageVerificationCode", code);
        }
        for c in arr(p, "checksums") {
            let _ = writeln!(
                out,
                "PackageChecksum: {}: {}",
                s(c, "algorithm").unwrap_or_default(),
                s(c, "checksumValue").unwrap_or_default()
            );
        }
        if let Some(v) = s(p, "homepage") {
            line(&mut out, "PackageHomePage", v);
        }
        if let Some(v) = s(p, "sourceInfo") {
            line(&mut out, "PackageSourceInfo", v);
        }
        for (k, tag) in [
            ("licenseConcluded", "PackageLicenseConcluded"),
            ("licenseDeclared", "PackageLicenseDeclared"),
        ] {
            if let Some(v) = s(p, k) {
                line(&mut out, tag, v);
            }
        }
        if let Some(v) = s(p, "copyrightText") {
            let _ = writeln!(out, "PackageCopyrightText: <text>{v}</text>");
        }
        if let Some(v) = s(p, "description") {
            let _ = writeln!(out, "PackageDescription: <text>{v}</text>");
        }
        if let Some(v) = s(p, "primaryPackagePurpose") {
            line(&mut out, "PrimaryPackagePurpose", v);
        }
        if let Some(v) = s(p, "comment") {
            let _ = writeln!(out, "PackageComment: <text>{v}</text>");
        }
        for r in arr(p, "externalRefs") {
            let _ = writeln!(
                out,
                "ExternalRef: {} {} {}",
                s(r, "referenceCategory").unwrap_or_default(),
                s(r, "referenceType").unwrap_or_default(),
                s(r, "referenceLocator").unwrap_or_default()
            );
        }
    }
    for e in arr(&doc, "hasExtractedLicensingInfos") {
        out.push('\n');
        line(&mut out, "LicenseID", s(e, "licenseId").unwrap_or_default());
        let _ = writeln!(
            out,
            "ExtractedText: <text>{}</text>",
            s(e, "extractedText").unwrap_or_default()
        );
        if let Some(n) = s(e, "name") {
            line(&mut out, "LicenseName", n);
        }
    }
    out.push('\n');
    for r in arr(&doc, "relationships") {
        let _ = writeln!(
            out,
            "Relationship: {} {} {}",
            s(r, "spdxElementId").unwrap_or_default(),
            s(r, "relationshipType").unwrap_or_default(),
            s(r, "relatedSpdxElement").unwrap_or_default()
        );
    }
    out
}
