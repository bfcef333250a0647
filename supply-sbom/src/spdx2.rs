//! SPDX 2.2 and 2.3: JSON and YAML (one reader over the JSON data model), tag-value; writers
//! for SPDX 2.3 JSON and tag-value.
//!
//! Readers are lenient (fractional-second timestamps, `creators` as objects, unknown license
//! ids, invalid purls are kept or skipped) and record every departure from the 2.3 schema and
//! spec rules in a [`Report`]. Writers are strict: `created` in whole seconds, every required
//! field present, relationships instead of `documentDescribes`/`hasFiles`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::{self, Write as _};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::license::{Dialect, Expr, LicenseField, SimpleLicense, Strictness};
use crate::model::{
    spdx_algorithm, Annotation, Checksum, ExternalDocument, ExternalRef, ExtractedLicense, File,
    License, Package, PropertiesText, RelationshipType, Sbom, Snippet,
};
use crate::purl::Purl;
use crate::tree::{items_of, str_of, Node};
use crate::validate::{is_spdx2_timestamp, normalize_timestamp, shown, IssueKind, Report};

/// The id of the document element.
pub const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// Package purposes allowed by SPDX 2.3 `primaryPackagePurpose`, as the JSON schema spells
/// them (tag-value, and the specification's prose, write `OPERATING-SYSTEM`).
const PURPOSES: &[&str] = &[
    "APPLICATION",
    "FRAMEWORK",
    "LIBRARY",
    "CONTAINER",
    "OPERATING_SYSTEM",
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
    v.get(k).and_then(Node::as_array).unwrap_or_default()
}

/// Where a package or file sits in the document (`/packages/3`), written only when an issue
/// is reported.
#[derive(Clone, Copy)]
struct Path<'a>(&'a str, usize);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}/{}", self.0, self.1)
    }
}

impl From<&Path<'_>> for String {
    fn from(p: &Path<'_>) -> Self {
        p.to_string()
    }
}

fn license(
    value: Option<&str>,
    path: &Path<'_>,
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

fn checksums(v: &Node<'_>, path: &Path<'_>, report: &mut Report) -> Vec<Checksum> {
    checksums_of(arr(v, "checksums"), path, report)
}

/// The annotations of the element `subject` (an `annotations` member) into the model.
fn read_annotations(
    list: &[Node<'_>],
    subject: &str,
    path: &dyn fmt::Display,
    sbom: &mut Sbom,
    report: &mut Report,
) {
    for (i, a) in list.iter().enumerate() {
        let [date, kind, annotator, comment] =
            a.pick(&["annotationDate", "annotationType", "annotator", "comment"]);
        let (Some(date), Some(kind), Some(annotator), Some(comment)) = (
            str_of(date),
            str_of(kind),
            str_of(annotator),
            str_of(comment),
        ) else {
            report.missing(
                format!("{path}/annotations/{i}"),
                "annotationDate/annotationType/annotator/comment",
            );
            continue;
        };
        if kind != "REVIEW" && kind != "OTHER" {
            report.invalid(
                format!("{path}/annotations/{i}/annotationType"),
                "annotationType",
                shown(kind),
                "REVIEW or OTHER",
            );
        }
        if !is_spdx2_timestamp(date) {
            report.push(
                format!("{path}/annotations/{i}/annotationDate"),
                IssueKind::Timestamp { value: shown(date) },
            );
        }
        sbom.annotations.push(Annotation {
            subject: subject.to_string(),
            annotator: annotator.to_string(),
            date: date.to_string(),
            kind: kind.to_string(),
            comment: comment.to_string(),
            ..Annotation::default()
        });
    }
}

/// SPDX 2.3's file types (§8.3).
const FILE_TYPES: &[&str] = &[
    "SOURCE",
    "BINARY",
    "ARCHIVE",
    "APPLICATION",
    "AUDIO",
    "IMAGE",
    "TEXT",
    "VIDEO",
    "DOCUMENTATION",
    "SPDX",
    "OTHER",
];

/// The members of a package object the reader takes, in byte order (for [`Node::pick`]).
const PACKAGE_KEYS: [&str; 28] = [
    "SPDXID",
    "annotations",
    "attributionTexts",
    "builtDate",
    "checksums",
    "comment",
    "copyrightText",
    "description",
    "downloadLocation",
    "externalRefs",
    "filesAnalyzed",
    "hasFiles",
    "homepage",
    "licenseComments",
    "licenseConcluded",
    "licenseDeclared",
    "licenseInfoFromFiles",
    "name",
    "originator",
    "packageFileName",
    "packageVerificationCode",
    "primaryPackagePurpose",
    "releaseDate",
    "sourceInfo",
    "summary",
    "supplier",
    "validUntilDate",
    "versionInfo",
];

/// Appends `v` to the array member `key` of `m` (made when missing): the tag-value reader's
/// repeated tags.
fn push_to(m: &mut Map<String, Value>, key: &str, v: Value) {
    if let Value::Array(a) = m.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        a.push(v);
    }
}

/// The strings of an array member, owned (see [`Node::strings`]).
fn strings_of(v: Option<&Node<'_>>) -> Vec<String> {
    items_of(v)
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_string)
        .collect()
}

fn checksums_of(checksums: &[Node<'_>], path: &Path<'_>, report: &mut Report) -> Vec<Checksum> {
    let mut out = Vec::with_capacity(checksums.len());
    for (i, c) in checksums.iter().enumerate() {
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
        // Every byte checked without an early exit, which the compiler can vectorize.
        let hex = val.bytes().fold(true, |ok, b| ok & b.is_ascii_hexdigit());
        if val.is_empty() || !hex {
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
            sbom.license_list_version = s(ci, "licenseListVersion").map(str::to_string);
            sbom.creator_comment = s(ci, "comment").map(str::to_string);
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
    sbom.comment = s(doc, "comment").map(str::to_string);
    read_annotations(arr(doc, "annotations"), DOCUMENT_ID, &"", &mut sbom, report);
    for d in arr(doc, "documentDescribes") {
        if let Some(d) = d.as_str() {
            sbom.describes.push(d.to_string());
        }
    }
    let mut contains = Vec::new();
    // Room for every element up front: a `Package` is large, and growing the vector by
    // doubling copied and faulted in its pages again and again.
    sbom.packages.reserve(arr(doc, "packages").len());
    sbom.files.reserve(arr(doc, "files").len());
    sbom.relationships.reserve(arr(doc, "relationships").len());
    for (i, p) in arr(doc, "packages").iter().enumerate() {
        let path = Path("packages", i);
        let [spdxid, annotations, attribution_texts, built_date, checksum_list, comment, copyright, description, download_location, external_refs, files_analyzed, has_files, homepage, license_comments, license_concluded, license_declared, license_info_from_files, name, originator, file_name, verification_code, purpose, release_date, source_info, summary, supplier, valid_until_date, version_info] =
            p.pick(&PACKAGE_KEYS);
        let text = |n: Option<&Node<'_>>| n.and_then(Node::as_str).map(str::to_string);
        let mut pkg = Package {
            id: str_of(spdxid).unwrap_or_default().to_string(),
            name: str_of(name).unwrap_or_default().to_string(),
            version: text(version_info),
            supplier: text(supplier),
            originator: text(originator),
            file_name: text(file_name),
            source_info: text(source_info),
            download_location: text(download_location),
            homepage: text(homepage),
            description: text(description),
            summary: text(summary),
            attribution_texts: strings_of(attribution_texts),
            copyright: text(copyright),
            files_analyzed: Some(files_analyzed.and_then(Node::as_bool).unwrap_or(true)),
            verification_code: verification_code
                .and_then(|c| s(c, "packageVerificationCodeValue"))
                .map(str::to_string),
            verification_code_excluded: verification_code
                .map(|c| c.strings("packageVerificationCodeExcludedFiles"))
                .unwrap_or_default(),
            purpose: str_of(purpose).map(|v| {
                v.chars()
                    .map(|c| {
                        if c == '_' {
                            '-'
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect()
            }),
            built_date: text(built_date),
            release_date: text(release_date),
            valid_until_date: text(valid_until_date),
            license_comments: text(license_comments),
            license_info_from_files: strings_of(license_info_from_files),
            ..Package::default()
        };
        for (field, value) in [
            ("builtDate", &pkg.built_date),
            ("releaseDate", &pkg.release_date),
            ("validUntilDate", &pkg.valid_until_date),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !is_spdx2_timestamp(v)) {
                report.push(
                    format!("{path}/{field}"),
                    IssueKind::Timestamp { value: shown(v) },
                );
            }
        }
        if let Some(c) = str_of(comment) {
            pkg.read_comment(c);
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
        if let Some(pp) = str_of(purpose) {
            // Both spellings of the one purpose with a separator: JSON documents use the
            // schema's, and tag-value documents reach this reader with theirs.
            if !PURPOSES.contains(&pp) && pp != "OPERATING-SYSTEM" {
                report.invalid(
                    format!("{path}/primaryPackagePurpose"),
                    "primaryPackagePurpose",
                    pp,
                    "an SPDX 2.3 package purpose",
                );
            }
        }
        pkg.license_concluded =
            license(str_of(license_concluded), &path, "licenseConcluded", report);
        pkg.license_declared = license(str_of(license_declared), &path, "licenseDeclared", report);
        pkg.checksums = checksums_of(items_of(checksum_list), &path, report);
        for (j, r) in items_of(external_refs).iter().enumerate() {
            let [comment, cat, loc, ty] = r.pick(&[
                "comment",
                "referenceCategory",
                "referenceLocator",
                "referenceType",
            ]);
            let (Some(cat), Some(ty), Some(loc)) = (str_of(cat), str_of(ty), str_of(loc)) else {
                report.missing(
                    format!("{path}/externalRefs/{j}"),
                    "referenceCategory/referenceType/referenceLocator",
                );
                continue;
            };
            read_external_ref(&mut pkg, cat, ty, loc, str_of(comment), (&path, j), report);
        }
        for f in items_of(has_files) {
            if let Some(f) = f.as_str() {
                contains.push((pkg.id.clone(), f.to_string()));
            }
        }
        read_annotations(items_of(annotations), &pkg.id, &path, &mut sbom, report);
        sbom.packages.push(pkg);
    }
    for (i, f) in arr(doc, "files").iter().enumerate() {
        let path = Path("files", i);
        let file = File {
            id: s(f, "SPDXID").unwrap_or_default().to_string(),
            name: s(f, "fileName").unwrap_or_default().to_string(),
            checksums: checksums(f, &path, report),
            license_concluded: license(s(f, "licenseConcluded"), &path, "licenseConcluded", report),
            license_info_in_file: f.strings("licenseInfoInFiles"),
            copyright: s(f, "copyrightText").map(str::to_string),
            comment: s(f, "comment").map(str::to_string),
            types: f.strings("fileTypes"),
            notice: s(f, "noticeText").map(str::to_string),
            contributors: f.strings("fileContributors"),
            license_comments: s(f, "licenseComments").map(str::to_string),
        };
        for (j, t) in file.types.iter().enumerate() {
            if !FILE_TYPES.contains(&t.as_str()) {
                report.invalid(
                    format!("{path}/fileTypes/{j}"),
                    "fileTypes",
                    shown(t),
                    "an SPDX 2.3 file type",
                );
            }
        }
        read_annotations(arr(f, "annotations"), &file.id, &path, &mut sbom, report);
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
    for (i, sn) in arr(doc, "snippets").iter().enumerate() {
        let path = Path("snippets", i);
        let mut snippet = Snippet {
            id: s(sn, "SPDXID").unwrap_or_default().to_string(),
            name: s(sn, "name").map(str::to_string),
            file: s(sn, "snippetFromFile").unwrap_or_default().to_string(),
            license_concluded: license(
                s(sn, "licenseConcluded"),
                &path,
                "licenseConcluded",
                report,
            ),
            license_info_in_snippet: sn.strings("licenseInfoInSnippets"),
            copyright: s(sn, "copyrightText").map(str::to_string),
            comment: s(sn, "comment").map(str::to_string),
            license_comments: s(sn, "licenseComments").map(str::to_string),
            ..Snippet::default()
        };
        for (key, missing) in [
            ("SPDXID", snippet.id.is_empty()),
            ("snippetFromFile", snippet.file.is_empty()),
        ] {
            if missing {
                report.missing(&path, key);
            }
        }
        // A range is a start and an end pointer, both byte offsets or both line numbers.
        for (j, r) in arr(sn, "ranges").iter().enumerate() {
            let at = |p: &str, k: &str| r.get(p).and_then(|p| p.get(k)).and_then(Node::as_u64);
            match (
                (at("startPointer", "offset"), at("endPointer", "offset")),
                (
                    at("startPointer", "lineNumber"),
                    at("endPointer", "lineNumber"),
                ),
            ) {
                ((Some(a), Some(b)), _) if a <= b => snippet.byte_range = Some((a, b)),
                (_, (Some(a), Some(b))) if a <= b => snippet.line_range = Some((a, b)),
                _ => report.invalid(
                    format!("{path}/ranges/{j}"),
                    "ranges",
                    "not a start and an end of the same kind",
                    "byte offsets or line numbers, start <= end",
                ),
            }
        }
        read_annotations(
            arr(sn, "annotations"),
            &snippet.id,
            &path,
            &mut sbom,
            report,
        );
        if snippet.byte_range.is_none() {
            // SPDX 2.3 §9.3: the byte range is mandatory.
            report.missing(&path, "ranges (byte offsets)");
        }
        sbom.snippets.push(snippet);
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
            comment: s(e, "comment").map(str::to_string),
            see_also: e.strings("seeAlsos"),
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
    comment: Option<&str>,
    (path, j): (&Path<'_>, usize),
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
                format!("{path}/externalRefs/{j}"),
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
        comment: comment.map(str::to_string),
    });
}

/// Spec rules over ids: unique, and every relationship end defined (or `NONE`,
/// `NOASSERTION`, or in another document via `DocumentRef-`).
pub(crate) fn check_references(sbom: &Sbom, report: &mut Report) {
    let mut ids: HashSet<&str> =
        HashSet::with_capacity(1 + sbom.packages.len() + sbom.files.len() + sbom.snippets.len());
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
    // Annotations with their subject (`SPDXREF`), placed in their elements at the end.
    let mut annotations: Vec<(Option<String>, Map<String, Value>)> = Vec::new();
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
            "DocumentComment" => {
                doc.insert("comment".into(), v);
            }
            "CreatorComment" => {
                creation.insert("comment".into(), v);
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
            "Annotator" => {
                let mut m = Map::new();
                m.insert("annotator".into(), v);
                annotations.push((None, m));
            }
            "AnnotationDate" | "AnnotationType" | "AnnotationComment" | "SPDXREF" => {
                if let Some((subject, m)) = annotations.last_mut() {
                    match tag {
                        "SPDXREF" => *subject = Some(value.trim().to_string()),
                        "AnnotationDate" => {
                            m.insert("annotationDate".into(), v);
                        }
                        "AnnotationType" => {
                            m.insert("annotationType".into(), v);
                        }
                        _ => {
                            m.insert("comment".into(), v);
                        }
                    }
                }
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
                    (Section::Package, "PackageLicenseComments") => "licenseComments",
                    (Section::File, "LicenseComments") => "licenseComments",
                    (Section::File, "FileNotice") => "noticeText",
                    (Section::Snippet, "SnippetLicenseComments") => "licenseComments",
                    (Section::Package, "PackageLicenseInfoFromFiles")
                    | (Section::File, "FileType" | "FileContributor") => {
                        let key = match tag {
                            "PackageLicenseInfoFromFiles" => "licenseInfoFromFiles",
                            "FileType" => "fileTypes",
                            _ => "fileContributors",
                        };
                        push_to(t, key, v);
                        continue;
                    }
                    (Section::Package, "BuiltDate") => "builtDate",
                    (Section::Package, "ReleaseDate") => "releaseDate",
                    (Section::Package, "ValidUntilDate") => "validUntilDate",
                    (Section::Package, "PackageVerificationCode") => {
                        // `code (excludes: …)`: the value is the first word.
                        let code = value
                            .split(|c: char| c.is_whitespace() || c == '(')
                            .next()
                            .unwrap_or_default();
                        // The excluded files, comma-separated inside the parentheses:
                        // `(excludes: ./a, ./b)` as the spec says, `(./a)` as its example has it.
                        let excluded: Vec<&str> = value
                            .split_once('(')
                            .and_then(|(_, rest)| rest.rsplit_once(')'))
                            .map(|(list, _)| {
                                let list = list.trim_start();
                                list.strip_prefix("excludes:")
                                    .unwrap_or(list)
                                    .split(',')
                                    .map(str::trim)
                                    .filter(|f| !f.is_empty())
                                    .collect()
                            })
                            .unwrap_or_default();
                        let mut m = json!({"packageVerificationCodeValue": code});
                        if !excluded.is_empty() {
                            m["packageVerificationCodeExcludedFiles"] = json!(excluded);
                        }
                        t.insert("packageVerificationCode".into(), m);
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
                            push_to(
                                t,
                                "checksums",
                                json!({"algorithm": alg.trim(), "checksumValue": val.trim()}),
                            );
                        }
                        continue;
                    }
                    (Section::Package, "PackageAttributionText") => {
                        push_to(t, "attributionTexts", Value::String(value.to_string()));
                        continue;
                    }
                    (Section::Package, "ExternalRefComment") => {
                        // The comment of the reference just before it.
                        if let Some(Value::Array(refs)) = t.get_mut("externalRefs") {
                            if let Some(Value::Object(last)) = refs.last_mut() {
                                last.insert("comment".into(), v);
                            }
                        }
                        continue;
                    }
                    (Section::Package, "ExternalRef") => {
                        let parts: Vec<&str> = value.split_whitespace().collect();
                        if let [cat, ty, loc] = parts[..] {
                            push_to(
                                t,
                                "externalRefs",
                                json!({
                                    "referenceCategory": cat.replace('_', "-"),
                                    "referenceType": ty,
                                    "referenceLocator": loc
                                }),
                            );
                        }
                        continue;
                    }
                    (Section::File, "LicenseConcluded") => "licenseConcluded",
                    (Section::File, "FileCopyrightText") => "copyrightText",
                    (Section::File, "FileComment") => "comment",
                    (Section::File, "LicenseInfoInFile") => {
                        push_to(t, "licenseInfoInFiles", v);
                        continue;
                    }
                    (Section::Snippet, "SnippetFromFileSPDXID") => "snippetFromFile",
                    (Section::Snippet, "SnippetName") => "name",
                    (Section::Snippet, "SnippetLicenseConcluded") => "licenseConcluded",
                    (Section::Snippet, "SnippetCopyrightText") => "copyrightText",
                    (Section::Snippet, "SnippetComment") => "comment",
                    (Section::Snippet, "LicenseInfoInSnippet") => {
                        push_to(t, "licenseInfoInSnippets", v);
                        continue;
                    }
                    // `310:420`: a range of byte offsets or of line numbers, as the JSON form's
                    // pointers (whose `reference` the reader takes from `snippetFromFile`).
                    (Section::Snippet, "SnippetByteRange" | "SnippetLineRange") => {
                        let kind = if tag == "SnippetByteRange" {
                            "offset"
                        } else {
                            "lineNumber"
                        };
                        let Some((a, b)) = value.split_once(':') else {
                            continue;
                        };
                        let (Ok(a), Ok(b)) = (a.trim().parse::<u64>(), b.trim().parse::<u64>())
                        else {
                            continue;
                        };
                        push_to(
                            t,
                            "ranges",
                            json!({"startPointer": {kind: a}, "endPointer": {kind: b}}),
                        );
                        continue;
                    }
                    (Section::License, "ExtractedText") => "extractedText",
                    (Section::License, "LicenseName") => "name",
                    (Section::License, "LicenseComment") => "comment",
                    (Section::License, "LicenseCrossReference") => {
                        push_to(t, "seeAlsos", v);
                        continue;
                    }
                    _ => continue,
                };
                t.insert(key.into(), v);
            }
        }
    }
    for (p, f) in owned {
        if let (Some(id), Some(pkg)) = (files[f].get("SPDXID").cloned(), packages.get_mut(p)) {
            push_to(pkg, "hasFiles", id);
        }
    }
    for (subject, a) in annotations {
        let subject = subject.as_deref();
        let element = packages
            .iter_mut()
            .chain(files.iter_mut())
            .chain(snippets.iter_mut())
            .find(|m| subject.is_some() && m.get("SPDXID").and_then(Value::as_str) == subject);
        push_to(element.unwrap_or(&mut doc), "annotations", Value::Object(a));
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
    let arena = bumpalo::Bump::new();
    from_value(&Node::borrowed(&doc, &arena), report)
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
    // A digest of the packages' ids, names and versions, each field length-prefixed so that
    // no two lists hash alike, streamed (no copy of the list is built).
    fn put(h: &mut supply_sig::digest::Hasher, b: &[u8]) {
        h.update(&(b.len() as u64).to_be_bytes());
        h.update(b);
    }
    let mut h = supply_sig::digest::Hasher::new(supply_sig::digest::Algorithm::Sha256);
    for p in &sbom.packages {
        put(&mut h, p.id.as_bytes());
        put(&mut h, p.name.as_bytes());
        // An absent version is not an empty one.
        h.update(&[u8::from(p.version.is_some())]);
        put(&mut h, p.version.as_deref().unwrap_or_default().as_bytes());
    }
    let d = h.finish().hex();
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
pub(crate) fn spdx_id(id: &str) -> Cow<'_, str> {
    if is_element_id(id) {
        return Cow::Borrowed(id);
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
        return Cow::Owned(format!("SPDXRef-{clean}"));
    }
    let d = supply_sig::digest::Algorithm::Sha256
        .digest(id.as_bytes())
        .hex();
    Cow::Owned(format!("SPDXRef-{clean}-{}", &d[..8]))
}

/// Creators for a writer: the model's in SPDX spelling, else this tool.
fn creators_for(sbom: &Sbom) -> Vec<&str> {
    let mut c: Vec<&str> = sbom
        .creators
        .iter()
        .map(String::as_str)
        .filter(|c| {
            c.starts_with("Tool: ") || c.starts_with("Organization: ") || c.starts_with("Person: ")
        })
        .collect();
    if c.is_empty() {
        c.push(concat!("Tool: supply-sbom-", env!("CARGO_PKG_VERSION")));
    }
    c
}

/// A license field for a writer: expressions with deprecated ids replaced, `NOASSERTION` for
/// a name or text that is no expression (it cannot be stated as SPDX).
fn license_out(l: &License) -> Cow<'static, str> {
    match l {
        License::Spdx(LicenseField::Expression(e)) => Cow::Owned(e.current().to_string()),
        License::Spdx(LicenseField::None) => Cow::Borrowed("NONE"),
        License::Spdx(LicenseField::NoAssertion) | License::Named(_) | License::Unparsed(_) => {
            Cow::Borrowed("NOASSERTION")
        }
    }
}

/// `created` for a writer: the model's, normalized to whole seconds, or `fallback`.
pub(crate) fn created_for(sbom: &Sbom) -> String {
    sbom.created
        .as_deref()
        .and_then(normalize_timestamp)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// An element id for a writer: the document, `NONE`, `NOASSERTION` and ids in other
/// documents as they are, any other made a valid SPDX id.
fn element_id(id: &str) -> Cow<'_, str> {
    if matches!(id, DOCUMENT_ID | "NONE" | "NOASSERTION") || id.starts_with("DocumentRef-") {
        Cow::Borrowed(id)
    } else {
        spdx_id(id)
    }
}

/// Relationships to write: the model's, with ids mapped and describes included.
fn relationships_for<'a>(sbom: &'a Sbom) -> Vec<RelationshipOut<'a>> {
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
    let mut out = Vec::with_capacity(sbom.relationships.len() + 1);
    // A set beside the list: a search per relationship made writing 50,000 packages 22 s.
    // Its entries mostly borrow from the model, so the clone per entry is cheap.
    let mut seen = HashSet::with_capacity(sbom.relationships.len() + 1);
    let mut push = |r: RelationshipOut<'a>| {
        if seen.insert(r.clone()) {
            out.push(r);
        }
    };
    // SPDX 2.3 §11: a document with more than one package describes at least one. Without
    // a root in the model, the packages nothing else contains or depends on are the roots.
    let mut describes: Vec<&str> = sbom
        .describes
        .iter()
        .map(String::as_str)
        .filter(|d| ok(d))
        .collect();
    if describes.is_empty() {
        let targets: HashSet<&str> = sbom
            .relationships
            .iter()
            .filter(|r| matches!(r.kind.as_str(), "CONTAINS" | "DEPENDS_ON"))
            .map(|r| r.to.as_str())
            .collect();
        describes = sbom
            .packages
            .iter()
            .map(|p| p.id.as_str())
            .filter(|id| !targets.contains(id))
            .collect();
        if describes.is_empty() {
            describes = sbom.packages.iter().map(|p| p.id.as_str()).collect();
        }
    }
    for d in describes {
        push(RelationshipOut {
            related_spdx_element: element_id(d),
            relationship_type: "DESCRIBES",
            spdx_element_id: Cow::Borrowed(DOCUMENT_ID),
        });
    }
    for r in sbom
        .relationships
        .iter()
        .filter(|r| ok(&r.from) && ok(&r.to))
    {
        let kind = r.kind.as_str();
        // The common types before the list, which is searched string by string.
        let known = matches!(kind, "DEPENDS_ON" | "CONTAINS" | "DESCRIBES")
            || RELATIONSHIP_TYPES.contains(&kind);
        push(RelationshipOut {
            related_spdx_element: element_id(&r.to),
            relationship_type: if known { kind } else { "OTHER" },
            spdx_element_id: element_id(&r.from),
        });
    }
    out
}

/// `primaryPackagePurpose` (JSON spelling) for a model purpose (lowercase, `-` for `_`), if
/// SPDX 2.3 has it.
fn purpose_out(purpose: &str) -> Option<&'static str> {
    let same = |a: u8, b: u8| a.eq_ignore_ascii_case(&b) || (a == b'_' && b == b'-');
    PURPOSES.iter().copied().find(|p| {
        p.len() == purpose.len() && p.bytes().zip(purpose.bytes()).all(|(a, b)| same(a, b))
    })
}

/// The SPDX 2.3 JSON document a writer produces, borrowed from the model: the one
/// model→SPDX 2 mapping, which the JSON writer serializes and the tag-value writer prints.
///
/// Fields of this and the other `*Out` structs are declared in the byte order of their JSON
/// names: that is the order the writer has always produced (it used to build a
/// `serde_json::Value`, whose maps sort their keys), and serde writes fields in declaration
/// order. A test checks the order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentOut<'a> {
    #[serde(rename = "SPDXID")]
    spdxid: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    creation_info: CreationInfoOut<'a>,
    data_license: &'static str,
    document_namespace: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_document_refs: Vec<ExternalDocumentRefOut<'a>>,
    #[serde(skip_serializing_if = "FilesOut::is_empty")]
    files: FilesOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicenseOut<'a>>,
    name: &'a str,
    packages: PackagesOut<'a>,
    relationships: Vec<RelationshipOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    snippets: Vec<SnippetOut<'a>>,
    spdx_version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnippetOut<'a> {
    #[serde(rename = "SPDXID")]
    spdxid: Cow<'a, str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_concluded: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    license_info_in_snippets: &'a [String],
    name: &'a str,
    ranges: Vec<RangeOut<'a>>,
    snippet_from_file: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RangeOut<'a> {
    end_pointer: PointerOut<'a>,
    start_pointer: PointerOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PointerOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    line_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    reference: Cow<'a, str>,
}

impl<'a> SnippetOut<'a> {
    /// The snippet, unless it has no byte range (which SPDX 2.3 requires: such a snippet is
    /// not written, and the conversion report counts it).
    fn new(sn: &'a Snippet, file: &'a str) -> Option<Self> {
        let (first, last) = sn.byte_range?;
        let reference = element_id(file);
        let pointer = |offset, line_number| PointerOut {
            line_number,
            offset,
            reference: reference.clone(),
        };
        let mut ranges = vec![RangeOut {
            end_pointer: pointer(Some(last), None),
            start_pointer: pointer(Some(first), None),
        }];
        if let Some((first, last)) = sn.line_range {
            ranges.push(RangeOut {
                end_pointer: pointer(None, Some(last)),
                start_pointer: pointer(None, Some(first)),
            });
        }
        Some(Self {
            spdxid: element_id(&sn.id),
            annotations: Vec::new(),
            comment: sn.comment.as_deref(),
            copyright_text: sn.copyright.as_deref(),
            license_comments: sn.license_comments.as_deref(),
            license_concluded: sn.license_concluded.as_ref().map(license_out),
            license_info_in_snippets: &sn.license_info_in_snippet,
            // The JSON schema wants a name; a snippet without one is named by its id.
            name: sn.name.as_deref().unwrap_or(&sn.id),
            ranges,
            snippet_from_file: reference,
        })
    }
}

/// An `annotation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AnnotationOut<'a> {
    annotation_date: &'a str,
    annotation_type: &'a str,
    annotator: &'a str,
    comment: &'a str,
}

/// The document's annotations by subject, for the writers of its elements: sorted, so that an
/// element's are found by a binary search (shared, not copied, by every list writer).
#[derive(Clone, Default)]
struct Notes<'a>(std::rc::Rc<[&'a Annotation]>);

impl<'a> Notes<'a> {
    fn new(sbom: &'a Sbom) -> Self {
        let mut all: Vec<&Annotation> = sbom.annotations.iter().collect();
        all.sort_by(|a, b| a.subject.cmp(&b.subject));
        Self(all.into())
    }

    /// The annotations of the element `id`, in document order.
    fn of(&self, id: &str) -> Vec<AnnotationOut<'a>> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let start = self.0.partition_point(|a| a.subject.as_str() < id);
        self.0
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|a| a.subject == id)
            .map(|a| AnnotationOut {
                annotation_date: &a.date,
                annotation_type: &a.kind,
                annotator: &a.annotator,
                comment: &a.comment,
            })
            .collect()
    }
}

/// The packages, each mapped as it is written: no mapped copy of the whole list is built and
/// dropped, and each package's mapping is still in cache when it is serialized.
struct PackagesOut<'a>(&'a [Package], Notes<'a>);

impl<'a> PackagesOut<'a> {
    fn iter(&self) -> impl Iterator<Item = PackageOut<'a>> + '_ {
        self.0.iter().map(|p| {
            let mut out = PackageOut::new(p);
            out.annotations = self.1.of(&p.id);
            out
        })
    }
}

impl Serialize for PackagesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The files, each mapped as it is written (as [`PackagesOut`]).
struct FilesOut<'a>(&'a [File], Notes<'a>);

impl<'a> FilesOut<'a> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = FileOut<'a>> + '_ {
        self.0.iter().map(|f| {
            let mut out = FileOut::new(f);
            out.annotations = self.1.of(&f.id);
            out
        })
    }
}

impl Serialize for FilesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfoOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    created: String,
    creators: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_list_version: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalDocumentRefOut<'a> {
    checksum: ChecksumOut<'a>,
    external_document_id: &'a str,
    spdx_document: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChecksumOut<'a> {
    algorithm: &'a str,
    checksum_value: &'a str,
}

impl<'a> ChecksumOut<'a> {
    /// The checksums SPDX 2.3 has an algorithm for.
    fn known(sums: &'a [Checksum]) -> Vec<Self> {
        sums.iter()
            .filter(|c| ALGORITHMS.contains(&c.algorithm.as_str()))
            .map(|c| Self {
                algorithm: &c.algorithm,
                checksum_value: &c.value,
            })
            .collect()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageOut<'a> {
    #[serde(rename = "SPDXID")]
    spdxid: Cow<'a, str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attribution_texts: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    built_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<ChecksumOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<PropertiesText<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    download_location: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRefOut<'a>>,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_concluded: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_declared: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    license_info_from_files: &'a [String],
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    originator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_file_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_verification_code: Option<VerificationCodeOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerificationCodeOut<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    package_verification_code_excluded_files: &'a [String],
    package_verification_code_value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRefOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    reference_category: &'a str,
    reference_locator: Locator<'a>,
    reference_type: &'a str,
}

/// A `referenceLocator`: text, or a purl written straight into the output.
#[derive(Serialize)]
#[serde(untagged)]
enum Locator<'a> {
    Text(&'a str),
    Purl(&'a Purl),
}

impl fmt::Display for Locator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => f.write_str(t),
            Self::Purl(p) => p.fmt(f),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileOut<'a> {
    #[serde(rename = "SPDXID")]
    spdxid: Cow<'a, str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationOut<'a>>,
    checksums: Vec<ChecksumOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright_text: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    file_contributors: &'a [String],
    file_name: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    file_types: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_concluded: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    license_info_in_files: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    notice_text: Option<&'a str>,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
struct RelationshipOut<'a> {
    related_spdx_element: Cow<'a, str>,
    relationship_type: &'a str,
    spdx_element_id: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicenseOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    extracted_text: &'a str,
    license_id: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    see_alsos: &'a [String],
}

impl<'a> PackageOut<'a> {
    fn new(p: &'a Package) -> Self {
        let supplier = p.supplier.as_deref().map(|v| {
            if v == "NOASSERTION" || v.starts_with("Organization: ") || v.starts_with("Person: ") {
                Cow::Borrowed(v)
            } else {
                Cow::Owned(format!("Organization: {v}"))
            }
        });
        let files_analyzed = p.files_analyzed == Some(true) && p.verification_code.is_some();
        let mut external_refs = Vec::with_capacity(
            usize::from(p.purl.is_some()) + p.cpes.len() + p.external_refs.len(),
        );
        if let Some(purl) = &p.purl {
            external_refs.push(ExternalRefOut {
                comment: None,
                reference_category: "PACKAGE-MANAGER",
                reference_locator: Locator::Purl(purl),
                reference_type: "purl",
            });
        }
        for c in &p.cpes {
            external_refs.push(ExternalRefOut {
                comment: None,
                reference_category: "SECURITY",
                reference_locator: Locator::Text(c),
                reference_type: if c.starts_with("cpe:2.3:") {
                    "cpe23Type"
                } else {
                    "cpe22Type"
                },
            });
        }
        // A locator is one word in SPDX 2 (tag-value separates the fields by spaces).
        for r in p
            .external_refs
            .iter()
            .filter(|r| r.locator.split_whitespace().count() == 1)
        {
            external_refs.push(ExternalRefOut {
                comment: r.comment.as_deref(),
                reference_category: &r.category,
                reference_locator: Locator::Text(&r.locator),
                reference_type: &r.kind,
            });
        }
        Self {
            spdxid: element_id(&p.id),
            annotations: Vec::new(),
            attribution_texts: &p.attribution_texts,
            built_date: p.built_date.as_deref(),
            checksums: ChecksumOut::known(&p.checksums),
            comment: p.properties_text(),
            copyright_text: p.copyright.as_deref(),
            description: p.description.as_deref(),
            download_location: p.download_location.as_deref().unwrap_or("NOASSERTION"),
            external_refs,
            files_analyzed,
            homepage: p.homepage.as_deref(),
            // Optional in 2.3: absent stays absent.
            license_comments: p.license_comments.as_deref(),
            license_concluded: p.license_concluded.as_ref().map(license_out),
            license_info_from_files: &p.license_info_from_files,
            license_declared: p.license_declared.as_ref().map(license_out),
            name: &p.name,
            originator: p.originator.as_deref(),
            package_file_name: p.file_name.as_deref(),
            package_verification_code: p
                .verification_code
                .as_deref()
                .filter(|_| files_analyzed)
                .map(|code| VerificationCodeOut {
                    package_verification_code_excluded_files: &p.verification_code_excluded,
                    package_verification_code_value: code,
                }),
            primary_package_purpose: p.purpose.as_deref().and_then(purpose_out),
            release_date: p.release_date.as_deref(),
            source_info: p.source_info.as_deref(),
            summary: p.summary.as_deref(),
            supplier,
            valid_until_date: p.valid_until_date.as_deref(),
            version_info: p.version.as_deref(),
        }
    }
}

impl<'a> FileOut<'a> {
    fn new(f: &'a File) -> Self {
        let mut checksums = ChecksumOut::known(&f.checksums);
        if !f.checksums.iter().any(|c| c.algorithm == "SHA1") {
            // SPDX 2.3 requires a SHA1 for every file; a file we do not know the SHA1 of
            // cannot be stated truthfully, so the writer refuses to invent one: it keeps
            // what it has (validators then say so).
            checksums.sort_by_key(|c| c.algorithm);
        }
        Self {
            spdxid: element_id(&f.id),
            annotations: Vec::new(),
            checksums,
            comment: f.comment.as_deref(),
            copyright_text: f.copyright.as_deref(),
            file_contributors: &f.contributors,
            file_name: &f.name,
            file_types: &f.types,
            license_comments: f.license_comments.as_deref(),
            license_concluded: f.license_concluded.as_ref().map(license_out),
            license_info_in_files: &f.license_info_in_file,
            notice_text: f.notice.as_deref(),
        }
    }
}

impl<'a> DocumentOut<'a> {
    /// Maps the model to SPDX 2.3.
    pub(crate) fn new(sbom: &'a Sbom) -> Self {
        let notes = Notes::new(sbom);
        Self {
            spdxid: DOCUMENT_ID,
            annotations: notes.of(DOCUMENT_ID),
            comment: sbom.comment.as_deref(),
            creation_info: CreationInfoOut {
                comment: sbom.creator_comment.as_deref(),
                created: created_for(sbom),
                creators: creators_for(sbom),
                license_list_version: sbom.license_list_version.as_deref(),
            },
            data_license: "CC0-1.0",
            document_namespace: namespace_for(sbom),
            external_document_refs: sbom
                .external_documents
                .iter()
                .map(|e| ExternalDocumentRefOut {
                    checksum: ChecksumOut {
                        algorithm: &e.checksum.algorithm,
                        checksum_value: &e.checksum.value,
                    },
                    external_document_id: &e.id,
                    spdx_document: &e.namespace,
                })
                .collect(),
            files: FilesOut(&sbom.files, notes.clone()),
            has_extracted_licensing_infos: extracted_for(sbom),
            name: sbom.name.as_deref().unwrap_or("sbom"),
            packages: PackagesOut(&sbom.packages, notes.clone()),
            relationships: relationships_for(sbom),
            snippets: sbom
                .snippets
                .iter()
                .filter_map(|sn| {
                    let mut out = SnippetOut::new(sn, &sn.file)?;
                    out.annotations = notes.of(&sn.id);
                    Some(out)
                })
                .collect(),
            spdx_version: "SPDX-2.3",
        }
    }
}

/// Extracted licenses to write: the model's, plus a stub for every `LicenseRef-` used but not
/// defined (SPDX requires each to be defined in the document).
fn extracted_for(sbom: &Sbom) -> Vec<ExtractedLicenseOut<'_>> {
    let mut out: Vec<ExtractedLicenseOut<'_>> = sbom
        .extracted_licenses
        .iter()
        .map(|e| ExtractedLicenseOut {
            comment: e.comment.as_deref(),
            extracted_text: &e.text,
            license_id: Cow::Borrowed(&e.id),
            name: e.name.as_deref(),
            see_alsos: &e.see_also,
        })
        .collect();
    let mut used = Vec::new();
    let mut collect = |l: Option<&License>| {
        if let Some(e) = l.and_then(License::expression) {
            license_refs(e.root(), &mut used);
        }
    };
    for p in &sbom.packages {
        collect(p.license_concluded.as_ref());
        collect(p.license_declared.as_ref());
    }
    for f in &sbom.files {
        collect(f.license_concluded.as_ref());
    }
    for sn in &sbom.snippets {
        collect(sn.license_concluded.as_ref());
    }
    for id in used {
        if !out.iter().any(|e| e.license_id == id) {
            out.push(ExtractedLicenseOut {
                comment: None,
                extracted_text: "NOASSERTION",
                license_id: Cow::Owned(id),
                name: None,
                see_alsos: &[],
            });
        }
    }
    out
}

/// Adds the `LicenseRef-` ids `e` uses to `used`, each once, in order of appearance: those of
/// [`Expression::licenses`](crate::license::Expression::licenses), without building the ids
/// of listed licenses (never references) on the way.
fn license_refs(e: &Expr, used: &mut Vec<String>) {
    match e {
        Expr::License(l) | Expr::With(l, _) => {
            if !matches!(l, SimpleLicense::Listed { .. }) {
                let id = l.base_id();
                if id.starts_with("LicenseRef-") && !used.contains(&id) {
                    used.push(id);
                }
            }
        }
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|c| license_refs(c, used)),
    }
}

/// Writes SPDX 2.3 tag-value.
pub(crate) fn to_tag_value(sbom: &Sbom) -> String {
    // One mapping (the JSON writer's), printed in tag-value syntax.
    let doc = DocumentOut::new(sbom);
    let mut out = String::new();
    let line = |out: &mut String, tag: &str, v: &str| {
        let _ = if v.contains('\n') {
            writeln!(out, "{tag}: <text>{v}</text>")
        } else {
            writeln!(out, "{tag}: {v}")
        };
    };
    line(&mut out, "SPDXVersion", doc.spdx_version);
    line(&mut out, "DataLicense", doc.data_license);
    line(&mut out, "SPDXID", doc.spdxid);
    line(&mut out, "DocumentName", doc.name);
    line(&mut out, "DocumentNamespace", &doc.document_namespace);
    for e in &doc.external_document_refs {
        let _ = writeln!(
            out,
            "ExternalDocumentRef: {} {} {}: {}",
            e.external_document_id,
            e.spdx_document,
            e.checksum.algorithm,
            e.checksum.checksum_value
        );
    }
    for c in &doc.creation_info.creators {
        line(&mut out, "Creator", c);
    }
    line(&mut out, "Created", &doc.creation_info.created);
    if let Some(v) = doc.creation_info.comment {
        let _ = writeln!(out, "CreatorComment: <text>{v}</text>");
    }
    if let Some(v) = doc.comment {
        let _ = writeln!(out, "DocumentComment: <text>{v}</text>");
    }
    if let Some(v) = doc.creation_info.license_list_version {
        line(&mut out, "LicenseListVersion", v);
    }
    // Files first: in tag-value a file written after a package would belong to it; the
    // CONTAINS relationships state membership explicitly.
    for f in doc.files.iter() {
        out.push('\n');
        line(&mut out, "FileName", f.file_name);
        line(&mut out, "SPDXID", &f.spdxid);
        for c in &f.checksums {
            let _ = writeln!(out, "FileChecksum: {}: {}", c.algorithm, c.checksum_value);
        }
        if let Some(v) = &f.license_concluded {
            line(&mut out, "LicenseConcluded", v);
        }
        for t in f.file_types {
            line(&mut out, "FileType", t);
        }
        for l in f.license_info_in_files {
            line(&mut out, "LicenseInfoInFile", l);
        }
        if let Some(v) = f.license_comments {
            let _ = writeln!(out, "LicenseComments: <text>{v}</text>");
        }
        if let Some(v) = f.notice_text {
            let _ = writeln!(out, "FileNotice: <text>{v}</text>");
        }
        for c in f.file_contributors {
            line(&mut out, "FileContributor", c);
        }
        if let Some(v) = f.copyright_text {
            let _ = writeln!(out, "FileCopyrightText: <text>{v}</text>");
        }
        if let Some(v) = f.comment {
            let _ = writeln!(out, "FileComment: <text>{v}</text>");
        }
    }
    for sn in &doc.snippets {
        out.push('\n');
        line(&mut out, "SnippetSPDXID", &sn.spdxid);
        line(&mut out, "SnippetFromFileSPDXID", &sn.snippet_from_file);
        for r in &sn.ranges {
            let (tag, a, b) = match (r.start_pointer.offset, r.end_pointer.offset) {
                (Some(a), Some(b)) => ("SnippetByteRange", a, b),
                _ => (
                    "SnippetLineRange",
                    r.start_pointer.line_number.unwrap_or_default(),
                    r.end_pointer.line_number.unwrap_or_default(),
                ),
            };
            let _ = writeln!(out, "{tag}: {a}:{b}");
        }
        if let Some(v) = &sn.license_concluded {
            line(&mut out, "SnippetLicenseConcluded", v);
        }
        for l in sn.license_info_in_snippets {
            line(&mut out, "LicenseInfoInSnippet", l);
        }
        if let Some(v) = sn.copyright_text {
            let _ = writeln!(out, "SnippetCopyrightText: <text>{v}</text>");
        }
        if let Some(v) = sn.comment {
            let _ = writeln!(out, "SnippetComment: <text>{v}</text>");
        }
        if let Some(v) = sn.license_comments {
            let _ = writeln!(out, "SnippetLicenseComments: <text>{v}</text>");
        }
        line(&mut out, "SnippetName", sn.name);
    }
    for p in doc.packages.iter() {
        out.push('\n');
        line(&mut out, "PackageName", p.name);
        line(&mut out, "SPDXID", &p.spdxid);
        for (tag, v) in [
            ("PackageVersion", p.version_info),
            ("PackageFileName", p.package_file_name),
            ("PackageSupplier", p.supplier.as_deref()),
            ("PackageOriginator", p.originator),
        ] {
            if let Some(v) = v {
                line(&mut out, tag, v);
            }
        }
        line(&mut out, "PackageDownloadLocation", p.download_location);
        line(
            &mut out,
            "FilesAnalyzed",
            if p.files_analyzed { "true" } else { "false" },
        );
        if let Some(code) = &p.package_verification_code {
            let excluded = &code.package_verification_code_excluded_files;
            if excluded.is_empty() {
                line(
                    &mut out,
                    "PackageVerificationCode",
                    code.package_verification_code_value,
                );
            } else {
                let _ = writeln!(
                    out,
                    "PackageVerificationCode: {} (excludes: {})",
                    code.package_verification_code_value,
                    excluded.join(", ")
                );
            }
        }
        for c in &p.checksums {
            let _ = writeln!(
                out,
                "PackageChecksum: {}: {}",
                c.algorithm, c.checksum_value
            );
        }
        for (tag, v) in [
            ("PackageHomePage", p.homepage),
            ("PackageSourceInfo", p.source_info),
            ("PackageLicenseConcluded", p.license_concluded.as_deref()),
            ("PackageLicenseDeclared", p.license_declared.as_deref()),
        ] {
            if let Some(v) = v {
                line(&mut out, tag, v);
            }
        }
        for l in p.license_info_from_files {
            line(&mut out, "PackageLicenseInfoFromFiles", l);
        }
        if let Some(v) = p.license_comments {
            let _ = writeln!(out, "PackageLicenseComments: <text>{v}</text>");
        }
        if let Some(v) = p.copyright_text {
            let _ = writeln!(out, "PackageCopyrightText: <text>{v}</text>");
        }
        if let Some(v) = p.summary {
            let _ = writeln!(out, "PackageSummary: <text>{v}</text>");
        }
        if let Some(v) = p.description {
            let _ = writeln!(out, "PackageDescription: <text>{v}</text>");
        }
        for v in p.attribution_texts {
            let _ = writeln!(out, "PackageAttributionText: <text>{v}</text>");
        }
        if let Some(v) = p.primary_package_purpose {
            // Tag-value spells the one purpose with a separator with a hyphen.
            let v = if v == "OPERATING_SYSTEM" {
                "OPERATING-SYSTEM"
            } else {
                v
            };
            line(&mut out, "PrimaryPackagePurpose", v);
        }
        for (tag, v) in [
            ("ReleaseDate", p.release_date),
            ("BuiltDate", p.built_date),
            ("ValidUntilDate", p.valid_until_date),
        ] {
            if let Some(v) = v {
                line(&mut out, tag, v);
            }
        }
        if let Some(v) = &p.comment {
            let _ = writeln!(out, "PackageComment: <text>{v}</text>");
        }
        for r in &p.external_refs {
            let _ = writeln!(
                out,
                "ExternalRef: {} {} {}",
                r.reference_category, r.reference_type, r.reference_locator
            );
            if let Some(c) = r.comment {
                let _ = writeln!(out, "ExternalRefComment: <text>{c}</text>");
            }
        }
    }
    for e in &doc.has_extracted_licensing_infos {
        out.push('\n');
        line(&mut out, "LicenseID", &e.license_id);
        let _ = writeln!(out, "ExtractedText: <text>{}</text>", e.extracted_text);
        if let Some(n) = e.name {
            line(&mut out, "LicenseName", n);
        }
        for u in e.see_alsos {
            line(&mut out, "LicenseCrossReference", u);
        }
        if let Some(c) = e.comment {
            let _ = writeln!(out, "LicenseComment: <text>{c}</text>");
        }
    }
    out.push('\n');
    for r in &doc.relationships {
        let _ = writeln!(
            out,
            "Relationship: {} {} {}",
            r.spdx_element_id, r.relationship_type, r.related_spdx_element
        );
    }
    // Annotations name their element (`SPDXREF`), so they can all come last.
    for a in &sbom.annotations {
        out.push('\n');
        line(&mut out, "Annotator", &a.annotator);
        line(&mut out, "AnnotationDate", &a.date);
        let _ = writeln!(out, "AnnotationComment: <text>{}</text>", a.comment);
        line(&mut out, "AnnotationType", &a.kind);
        line(&mut out, "SPDXREF", &element_id(&a.subject));
    }
    out
}
