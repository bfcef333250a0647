//! Converting between SBOM formats, with a report of what did not survive.
//!
//! A conversion reads the document into the [model](crate::model) and writes the model in the
//! target format. Information can be lost at either end, and [`convert`] says where:
//!
//! - **read** ([`Stage::Read`]): parts of the source the model does not carry. Found by
//!   writing the model back in the *source's own* format and listing the fields (JSON key paths,
//!   XML element and attribute paths, tag-value tags) the source had and the rewrite lacks, each
//!   with how often it occurred; only the outermost missing path is listed (`services`, not also
//!   `services[].name`).
//! - **write** ([`Stage::Write`]): values the model had that the target format does not give
//!   back. Found by reading the output again and comparing it with the model field by field
//!   (packages and files in order, relationships by type).
//!
//! Both checks run the real readers and writers, so the report also catches a mapping bug, not
//! only a documented gap. An empty report means nothing the two checks can see was lost.
//!
//! # The mapping
//!
//! | model | SPDX 2.3 | SPDX 3.0 | CycloneDX 1.6 |
//! |---|---|---|---|
//! | document name, namespace, created, creators | `name`, `documentNamespace`, `creationInfo` | `SpdxDocument`, `CreationInfo` | `metadata.component.name` (else property `spdx:document:name`), `serialNumber` (else property `spdx:document:document-namespace`), `metadata.timestamp`, `metadata.tools`/`authors`/`manufacturer` |
//! | package | `packages[]` | `software_Package` | `components[]` |
//! | purl, CPEs | `externalRefs` (PACKAGE-MANAGER purl, SECURITY cpe23Type) | `software_packageUrl`, `externalIdentifier` | `purl`, `cpe` (the first), properties `spdx:external-reference:security:cpe23` (the others) |
//! | other external references | `externalRefs` | `externalIdentifier` (`packageUrl`, `swid`, `swhid`, `gitoid`) or `externalRef` (`securityAdvisory`, `securityFix`, `securityOther` for `url`, `mavenCentral`, `npm`, `nuget`, `bower`; any other type as `other`, its comment `SPDX 2 external reference: <category> <type>`) | `externalReferences` (CycloneDX types), else properties `spdx:external-reference:<category>:<type>` |
//! | extracted licenses | `hasExtractedLicensingInfos` | `expandedlicensing_CustomLicense`, mapped from expressions by `simplelicensing_customIdToUri` | none |
//! | other documents | `externalDocumentRefs`, `DocumentRef-x:SPDXRef-y` | `namespaceMap` and `import` (`ExternalMap` with the document's hash); elements as `<namespace>#SPDXRef-y` | none |
//! | licenses concluded / declared | `licenseConcluded` / `licenseDeclared` | `hasConcludedLicense` / `hasDeclaredLicense` | `licenses[]` with `acknowledgement` |
//! | checksums | `checksums` | `verifiedUsing` | `hashes` |
//! | supplier, originator | `supplier`, `originator` (a CycloneDX supplier as `Organization: name (email)`, the first contact's email: its URLs and other contacts: none) | `suppliedBy`, `originatedBy` (Organization, Person or Tool elements; a CycloneDX supplier as in SPDX 2) | `supplier` (an organization with its URLs and contacts); properties `spdx:package:originator[:organization]`, `spdx:package:originator:email` |
//! | file name, source information, `filesAnalyzed: false`, verification code | `packageFileName`, `sourceInfo`, `filesAnalyzed`, `packageVerificationCode` | file name: none, `software_sourceInfo` | properties `spdx:package:file-name`, `spdx:package:source-info`, `spdx:files-analyzed`, `spdx:package:verification-code:value` |
//! | license list version | `creationInfo.licenseListVersion` | none | property `spdx:creation-info:license-list-version` |
//! | file comment | `files[].comment` | `software_File` `comment` | the file component's `description` |
//! | summary, attribution texts | `summary`, `attributionTexts` | `summary`, `software_attributionText` | summary: the `description` when there is none; attribution texts: none |
//! | built, release and valid-until dates | `builtDate`, `releaseDate`, `validUntilDate` | `builtTime`, `releaseTime`, `validUntilTime` | none |
//! | group, publisher, author | package `comment` lines `cyclonedx:group`, `cyclonedx:publisher`, `cyclonedx:author` (the group also in front of the name, `group/name`) | the same in `comment` | `group`, `publisher`, `author` |
//! | properties | package `comment` (`name: value` lines) | `comment` | `properties` |
//! | files, snippets | `files`, `snippets` | `software_File`, `software_Snippet` (`software_snippetFromFile`, byte and line ranges, copyright, comment; licenses as a file's) | components of type `file`, nested in the package that contains them (`licenseInfoInFiles` as properties `spdx:license-info-from-file`); snippets: none (SPDX 2 writes only snippets with a byte range, which it requires) |
//! | relationships | `relationships` | `Relationship`, `LifecycleScopedRelationship` (`SPDXRef-DOCUMENT` is the `SpdxDocument` element; its DESCRIBES are `rootElement`) | `dependencies` (DEPENDS_ON), nesting (a package CONTAINS its files and the packages it contains, at most 16 levels, never in a cycle); others: none |
//! | comments; license comments, licenses from files | document `comment`, `creationInfo.comment`; package `comment` (before the properties), `licenseComments`, `licenseInfoFromFiles`; file and snippet `licenseComments` | `SpdxDocument`, `CreationInfo` and element `comment`; license comments and licenses from files: none | properties `spdx:comment`, `spdx:creation-info:comment` (the BOM's), `spdx:comment`, `spdx:license-comments`, `spdx:license-info-from-file` (a component's) |
//! | file types, notices, contributors | `fileTypes`, `noticeText`, `fileContributors` | types as `software_primaryPurpose`, `software_additionalPurpose`, `contentType`; notices, contributors: none | none |
//! | annotations | `annotations` of the document and its elements; the annotator as SPDX spells it (`Organization: name (email)` with the first contact's email, `Person: name (email)`, `Tool: name-version` for a component or service): an organization's URLs and other contacts, a person's phone, a component's other fields and a service: none | `Annotation` (`subject`, `statement`; the annotator and date in its own inline `CreationInfo`; the annotator as in SPDX 2) | `annotations[]` (1.5+; the annotator whole: an organization with its URLs and contacts, an individual with email and phone, a component or a service; `bom-ref`s kept, an annotation of several subjects read as one per subject and written back as one; annotations of the document and annotation types: none) |
//! | compositions | none | none | `compositions[]` |
//! | services | none | none | `services[]` (the provider with its URLs and contacts), their dependencies in `dependencies` |
//! | formulation | none | none | `formulation[]` (1.5+): formulas with their components (nested, files among them), services, properties and workflows; workflows and tasks with resource references, task types and dependencies, triggers (events, conditions), steps and commands, inputs and outputs (resources, parameters, environment variables, attached data), times, workspaces and volumes, runtime topology; the hashes of an external reference in a resource reference: none |
//! | vulnerabilities (VDR, VEX) | none | `security_Vulnerability` (identifiers as `externalIdentifier` `cve`/`securityOther`, advisories as `securityAdvisory` references, times); CVSS v2/v3/v4 ratings as `security_Cvss*VulnAssessmentRelationship`; EPSS, exploit catalogs (KEV) and the SSVC decision as `security_Epss*`, `security_ExploitCatalog*`, `security_Ssvc*VulnAssessmentRelationship`; the analysis as a `security_Vex*VulnAssessmentRelationship` (state → class, justification → the nearest `VexJustificationType`, detail → impact statement or status notes, recommendation → action statement) to the affected elements, or `hasAssociatedVulnerability` without one; other rating methods, CWEs, responses, version ranges, detail, workaround and properties: none | `vulnerabilities[]` (EPSS, exploit catalogs, SSVC decision: none) |
//!
//! The `spdx:` property names are the CycloneDX SPDX interop taxonomy's (cyclonedx-dotnet-library's
//! `CycloneDX.Spdx.PropertyTaxonomy`); the CycloneDX reader takes them back into the model.
//!
//! ```
//! use supply_sbom::convert::{convert, Stage};
//! use supply_sbom::format::OutputFormat;
//!
//! let cdx = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
//!   "components": [{"type": "library", "name": "left-pad", "version": "1.3.0",
//!                   "purl": "pkg:npm/left-pad@1.3.0"}],
//!   "services": [{"name": "billing", "endpoints": ["https://billing.example"]}]}"#;
//! let c = convert(cdx, OutputFormat::SpdxJson)?;
//! assert!(c.output.starts_with(b"{"));
//! // CycloneDX services are in the model, but SPDX has no place for them.
//! assert!(c.losses.iter().any(|l| l.stage == Stage::Write && l.what == "services"));
//! # Ok::<(), supply_sbom::format::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::format::{self, Error, Format, OutputFormat};
use crate::license::LicenseField;
use crate::model::{
    Annotator, File, License, OrganizationalContact, OrganizationalEntity, Package, Properties,
    Sbom, Service,
};
use crate::{cyclonedx, spdx2, spdx3};

/// Where a loss happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Stage {
    /// In the source, not carried by the model.
    Read,
    /// In the model, not given back by the target format.
    Write,
}

/// One kind of information lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Loss {
    /// Where.
    pub stage: Stage,
    /// What: a source path (`components[].evidence`, `bom.services`, `PackageAttributionText`)
    /// for [`Stage::Read`]; a model field (`package.supplier`) for [`Stage::Write`].
    pub what: String,
    /// How many occurrences (read) or items (write) lost it.
    pub count: usize,
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stage {
            Stage::Read => write!(
                f,
                "read: `{}` ({}×) is not carried by the model",
                self.what, self.count
            ),
            Stage::Write => write!(
                f,
                "write: {} of {} item(s) does not survive the target format",
                self.what, self.count
            ),
        }
    }
}

/// A converted document and what was lost.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Conversion {
    /// The source's format.
    pub from: Format,
    /// The document in the target format.
    pub output: Vec<u8>,
    /// What did not survive, read losses first.
    pub losses: Vec<Loss>,
}

/// Converts `bytes` (any readable SBOM, format detected) to `to`, reporting losses.
///
/// # Errors
/// As [`format::read`]: the source is not a readable SBOM.
pub fn convert(bytes: &[u8], to: OutputFormat) -> Result<Conversion, Error> {
    let doc = format::read(bytes)?;
    let output = format::write(&doc.sbom, to);
    let mut losses = read_losses(bytes, doc.format, &doc.sbom);
    // The writers' output is always readable by our own readers; if it were not, every field
    // would be reported lost, which is what it would be.
    let back = format::read(&output).map(|d| d.sbom).unwrap_or_default();
    losses.extend(write_losses(&doc.sbom, &back));
    Ok(Conversion {
        from: doc.format,
        output,
        losses,
    })
}

/// Occurrences per path.
type Paths = BTreeMap<String, usize>;

/// Whether a value is arrays and objects with nothing in them, at any depth.
fn vacant(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().all(vacant),
        Value::Object(o) => o.values().all(vacant),
        _ => false,
    }
}

fn json_paths(v: &Value, path: &str, out: &mut Paths) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                // An empty array or object (`"endpoints": []`, `{"contact": []}`) states
                // nothing a rewrite could lose.
                if vacant(v) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                *out.entry(p.clone()).or_default() += 1;
                json_paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                // SPDX 3 puts every element in one `@graph` array: paths per element type.
                match item.get("type").and_then(Value::as_str) {
                    Some(t) if path == "@graph" => {
                        let seg = format!("{path}[{t}]");
                        *out.entry(seg.clone()).or_default() += 1;
                        json_paths(item, &seg, out);
                    }
                    _ => json_paths(item, &format!("{path}[]"), out),
                }
            }
        }
        _ => {}
    }
}

fn tag_value_paths(text: &str) -> Paths {
    let mut out = Paths::new();
    let mut in_text = false;
    for line in text.lines() {
        if in_text {
            in_text = !line.contains("</text>");
            continue;
        }
        let Some((tag, rest)) = line.split_once(':') else {
            continue;
        };
        let tag = tag.trim();
        if tag.is_empty() || tag.starts_with('#') || !tag.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            continue;
        }
        *out.entry(tag.to_owned()).or_default() += 1;
        in_text = rest.contains("<text>") && !rest.contains("</text>");
    }
    out
}

/// The paths of the source, and of the model written back in the source's format.
fn source_and_rewrite(bytes: &[u8], from: Format, sbom: &Sbom) -> Option<(Paths, Paths)> {
    let text = std::str::from_utf8(bytes)
        .ok()?
        .trim_start_matches('\u{feff}');
    let json = |v: &Value| {
        let mut p = Paths::new();
        json_paths(v, "", &mut p);
        p
    };
    Some(match from {
        Format::Spdx2TagValue(_) => (
            tag_value_paths(text),
            tag_value_paths(&spdx2::to_tag_value(sbom)),
        ),
        Format::CycloneDxXml(_) => (
            cyclonedx::parse_xml(text.as_bytes()).ok()?.paths(),
            cyclonedx::parse_xml(cyclonedx::to_xml(sbom).as_bytes())
                .ok()?
                .paths(),
        ),
        // The JSON-shaped formats: the source as a value, the model written as one.
        _ => {
            let source: Value = match from {
                Format::Spdx2Yaml(_) => serde_yaml_ng::from_str(text).ok()?,
                _ => serde_json::from_str(text).ok()?,
            };
            // The writers' mappings, as values (the same as the JSON they write).
            let rewrite = match from {
                Format::Spdx3JsonLd => spdx3::to_value(sbom),
                Format::CycloneDxJson(_) => {
                    serde_json::to_value(cyclonedx::BomOut::new(sbom)).ok()?
                }
                _ => serde_json::to_value(spdx2::DocumentOut::new(sbom)).ok()?,
            };
            (json(&source), json(&rewrite))
        }
    })
}

/// Source paths whose facts the writer of the same format states in another place: carried
/// when the rewrite has that place.
const WRITTEN_ELSEWHERE: &[(&str, &str)] = &[
    // SPDX 2's older forms of DESCRIBES and CONTAINS, written as relationships.
    ("documentDescribes", "relationships"),
    ("packages[].hasFiles", "relationships"),
    // The CycloneDX 1.4 tools array, written in the 1.5 form.
    ("metadata.tools[].name", "metadata.tools.components[].name"),
    (
        "metadata.tools[].version",
        "metadata.tools.components[].version",
    ),
];

fn read_losses(bytes: &[u8], from: Format, sbom: &Sbom) -> Vec<Loss> {
    // UTF-16 sources are rare; their paths are not compared (the write check still runs).
    let Some((source, rewrite)) = source_and_rewrite(bytes, from, sbom) else {
        return Vec::new();
    };
    let mut missing: Vec<(&String, usize)> = Vec::new();
    for (path, &n) in &source {
        let elsewhere = WRITTEN_ELSEWHERE
            .iter()
            .any(|(was, now)| path == was && rewrite.contains_key(*now));
        if rewrite.contains_key(path) || elsewhere {
            continue;
        }
        let under_missing = missing.iter().any(|(m, _)| {
            path.strip_prefix(m.as_str())
                .is_some_and(|rest| rest.starts_with(['.', '[', '@']))
        });
        if !under_missing {
            missing.push((path, n));
        }
    }
    missing
        .into_iter()
        .map(|(what, count)| Loss {
            stage: Stage::Read,
            what: what.clone(),
            count,
        })
        .collect()
}

/// Counts, per field, the items whose value in `before` does not survive in `after`.
#[derive(Default)]
struct Tally(BTreeMap<&'static str, usize>);

impl Tally {
    fn opt<T: PartialEq>(&mut self, what: &'static str, a: &Option<T>, b: &Option<T>) {
        if a.is_some() && a != b {
            *self.0.entry(what).or_default() += 1;
        }
    }

    /// As [`Tally::opt`] for SPDX's text fields, where `NOASSERTION` says nothing is known:
    /// a format that cannot write it loses nothing.
    fn text(&mut self, what: &'static str, a: &Option<String>, b: &Option<String>) {
        if a.as_deref() != Some("NOASSERTION") {
            self.opt(what, a, b);
        }
    }

    /// As [`Tally::opt`] for licenses, where `NOASSERTION` says nothing is known.
    /// A license written with a deprecated id (`LGPL-2.1+`) comes back with its current one
    /// (`LGPL-2.1-or-later`), which says the same.
    fn license(&mut self, what: &'static str, a: &Option<License>, b: &Option<License>) {
        let same = match (a, b) {
            (
                Some(License::Spdx(LicenseField::Expression(x))),
                Some(License::Spdx(LicenseField::Expression(y))),
            ) => x == y || *x.current() == *y.current(),
            _ => a == b,
        };
        if !same && a.is_some() && !matches!(a, Some(License::Spdx(LicenseField::NoAssertion))) {
            *self.0.entry(what).or_default() += 1;
        }
    }

    /// A list loses when one of its items is missing afterwards; writers may add items (the
    /// CycloneDX writer names itself among the tools).
    fn vec<T: PartialEq>(&mut self, what: &'static str, a: &[T], b: &[T]) {
        if a.iter().any(|x| !b.contains(x)) {
            *self.0.entry(what).or_default() += 1;
        }
    }

    /// As [`Tally::vec`] for properties.
    fn props(&mut self, what: &'static str, a: &Properties, b: &Properties) {
        if a.iter().any(|(n, v)| !b.contains(n, v)) {
            *self.0.entry(what).or_default() += 1;
        }
    }

    fn count(&mut self, what: &'static str, a: usize, b: usize) {
        if a > b {
            *self.0.entry(what).or_default() += a - b;
        }
    }
}

fn write_losses(before: &Sbom, after: &Sbom) -> Vec<Loss> {
    const SUPPLIER: EntityParts = EntityParts {
        whole: "package.supplier",
        urls: "package.supplier.urls",
        contacts: "package.supplier.contacts",
    };
    let mut t = Tally::default();
    t.opt("document.name", &before.name, &after.name);
    t.opt("document.namespace", &before.namespace, &after.namespace);
    t.opt("document.comment", &before.comment, &after.comment);
    t.opt(
        "document.creator_comment",
        &before.creator_comment,
        &after.creator_comment,
    );
    t.opt(
        "document.license_list_version",
        &before.license_list_version,
        &after.license_list_version,
    );
    // Writers normalize the time (whole seconds, UTC); only its absence is a loss.
    if before.created.is_some() && after.created.is_none() {
        *t.0.entry("document.created").or_default() += 1;
    }
    // `Person: Jane Doe ()` (an empty email, as SPDX's own examples write) and `Person: Jane
    // Doe` say the same.
    let creators = |s: &Sbom| -> Vec<String> {
        s.creators
            .iter()
            .map(|c| c.strip_suffix(" ()").unwrap_or(c).to_owned())
            .collect()
    };
    t.vec("document.creators", &creators(before), &creators(after));
    t.count(
        "document.describes",
        before.describes.len(),
        after.describes.len(),
    );
    // Packages are paired by id (writers keep ids, made valid for the format), else by name
    // and version: a CycloneDX writer moves the described package to `metadata.component`,
    // so order alone would pair the wrong ones.
    let by_id: BTreeMap<&str, &Package> =
        after.packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let by_name: BTreeMap<(&str, Option<&str>), &Package> = after
        .packages
        .iter()
        .map(|p| ((p.name.as_str(), p.version.as_deref()), p))
        .collect();
    for a in &before.packages {
        let twin = by_id
            .get(a.id.as_str())
            .or_else(|| by_id.get(&*spdx2::spdx_id(&a.id)))
            .filter(|b| b.name == a.name)
            .or_else(|| by_name.get(&(a.name.as_str(), a.version.as_deref())));
        let Some(b) = twin else {
            *t.0.entry("packages").or_default() += 1;
            continue;
        };
        t.opt("package.version", &a.version, &b.version);
        t.opt("package.purpose", &a.purpose, &b.purpose);
        t.text("package.supplier", &a.supplier, &b.supplier);
        // The supplier's URLs and contacts (and id), when its name came back.
        if let (Some(x), Some(y), true) = (
            &a.supplier_detail,
            b.supplier_entity(),
            a.supplier == b.supplier,
        ) {
            entity_losses(&mut t, &SUPPLIER, x, &y);
        }
        t.text("package.originator", &a.originator, &b.originator);
        t.opt("package.file_name", &a.file_name, &b.file_name);
        t.opt("package.source_info", &a.source_info, &b.source_info);
        t.text(
            "package.download_location",
            &a.download_location,
            &b.download_location,
        );
        t.opt("package.homepage", &a.homepage, &b.homepage);
        t.opt("package.built_date", &a.built_date, &b.built_date);
        t.opt("package.release_date", &a.release_date, &b.release_date);
        t.opt(
            "package.valid_until_date",
            &a.valid_until_date,
            &b.valid_until_date,
        );
        t.opt("package.group", &a.group, &b.group);
        t.opt("package.publisher", &a.publisher, &b.publisher);
        t.opt("package.author", &a.author, &b.author);
        t.opt("package.description", &a.description, &b.description);
        t.opt("package.summary", &a.summary, &b.summary);
        t.vec(
            "package.attribution_texts",
            &a.attribution_texts,
            &b.attribution_texts,
        );
        t.license(
            "package.license_concluded",
            &a.license_concluded,
            &b.license_concluded,
        );
        t.license(
            "package.license_declared",
            &a.license_declared,
            &b.license_declared,
        );
        t.text("package.copyright", &a.copyright, &b.copyright);
        t.vec("package.checksums", &a.checksums, &b.checksums);
        t.opt("package.purl", &a.purl, &b.purl);
        t.vec("package.cpes", &a.cpes, &b.cpes);
        t.vec("package.external_refs", &a.external_refs, &b.external_refs);
        // `true` is SPDX's default (an absent `filesAnalyzed` says it): only `false` can be lost.
        if a.files_analyzed == Some(false) && b.files_analyzed != Some(false) {
            *t.0.entry("package.files_analyzed").or_default() += 1;
        }
        t.opt(
            "package.verification_code",
            &a.verification_code,
            &b.verification_code,
        );
        t.props("package.properties", &a.properties, &b.properties);
        t.vec(
            "package.verification_code_excluded",
            &a.verification_code_excluded,
            &b.verification_code_excluded,
        );
        t.opt("package.comment", &a.comment, &b.comment);
        t.opt(
            "package.license_comments",
            &a.license_comments,
            &b.license_comments,
        );
        t.vec(
            "package.license_info_from_files",
            &a.license_info_from_files,
            &b.license_info_from_files,
        );
    }
    // Files are paired by id, else by name (a CycloneDX writer nests them in their packages,
    // so they come back in another order).
    let files_by_id: BTreeMap<&str, &File> =
        after.files.iter().map(|f| (f.id.as_str(), f)).collect();
    let files_by_name: BTreeMap<&str, &File> =
        after.files.iter().map(|f| (f.name.as_str(), f)).collect();
    for a in &before.files {
        let twin = files_by_id
            .get(a.id.as_str())
            .or_else(|| files_by_id.get(&*spdx2::spdx_id(&a.id)))
            .filter(|b| b.name == a.name)
            .or_else(|| files_by_name.get(a.name.as_str()));
        let Some(b) = twin else {
            *t.0.entry("files").or_default() += 1;
            continue;
        };
        t.vec("file.checksums", &a.checksums, &b.checksums);
        t.license(
            "file.license_concluded",
            &a.license_concluded,
            &b.license_concluded,
        );
        // NOASSERTION among the licenses found says nothing.
        let found = |f: &File| -> Vec<String> {
            f.license_info_in_file
                .iter()
                .filter(|l| *l != "NOASSERTION")
                .cloned()
                .collect()
        };
        t.vec("file.license_info_in_file", &found(a), &found(b));
        t.text("file.copyright", &a.copyright, &b.copyright);
        t.opt("file.comment", &a.comment, &b.comment);
        t.vec("file.types", &a.types, &b.types);
        t.opt("file.notice", &a.notice, &b.notice);
        t.vec("file.contributors", &a.contributors, &b.contributors);
        t.opt(
            "file.license_comments",
            &a.license_comments,
            &b.license_comments,
        );
    }
    t.count("snippets", before.snippets.len(), after.snippets.len());
    // Snippets are paired in order (every writer keeps it).
    for (a, b) in before.snippets.iter().zip(&after.snippets) {
        t.opt("snippet.name", &a.name, &b.name);
        t.opt("snippet.byte_range", &a.byte_range, &b.byte_range);
        t.opt("snippet.line_range", &a.line_range, &b.line_range);
        t.license(
            "snippet.license_concluded",
            &a.license_concluded,
            &b.license_concluded,
        );
        t.vec(
            "snippet.license_info_in_snippet",
            &a.license_info_in_snippet,
            &b.license_info_in_snippet,
        );
        t.text("snippet.copyright", &a.copyright, &b.copyright);
        t.opt("snippet.comment", &a.comment, &b.comment);
        t.opt(
            "snippet.license_comments",
            &a.license_comments,
            &b.license_comments,
        );
    }
    t.count(
        "extracted_licenses",
        before.extracted_licenses.len(),
        after.extracted_licenses.len(),
    );
    for a in &before.extracted_licenses {
        if let Some(b) = after.extracted_licenses.iter().find(|b| b.id == a.id) {
            t.opt("extracted_license.name", &a.name, &b.name);
            t.opt("extracted_license.comment", &a.comment, &b.comment);
            t.vec("extracted_license.see_also", &a.see_also, &b.see_also);
        }
    }
    t.count(
        "external_documents",
        before.external_documents.len(),
        after.external_documents.len(),
    );
    vulnerability_losses(&mut t, before, after);
    service_losses(&mut t, before, after);
    formula_losses(&mut t, before, after);
    t.vec("compositions", &before.compositions, &after.compositions);
    // Annotations are compared without their subject: element ids change between formats.
    let notes = |s: &Sbom| -> Vec<(String, String, String, String)> {
        s.annotations
            .iter()
            .map(|a| {
                let date =
                    crate::validate::normalize_timestamp(&a.date).unwrap_or_else(|| a.date.clone());
                (a.annotator.clone(), date, a.kind.clone(), a.comment.clone())
            })
            .collect()
    };
    let (na, nb) = (notes(before), notes(after));
    t.count(
        "annotations",
        na.iter().filter(|n| !nb.contains(n)).count(),
        0,
    );
    // Who annotated, as CycloneDX states it: each annotation that came back (paired in order
    // with one that says the same) against its twin's annotator, structured again from the SPDX
    // spelling when the target holds no more.
    let mut used = vec![false; nb.len()];
    for (a, note) in before.annotations.iter().zip(&na) {
        let Some(j) = (0..nb.len()).find(|&j| !used[j] && nb[j] == *note) else {
            continue;
        };
        used[j] = true;
        if let (Some(x), Some(twin)) = (&a.annotator_detail, after.annotations.get(j)) {
            annotator_losses(&mut t, x, twin.annotator_entity().as_deref());
        }
    }
    // Relationships are counted by what they say, not how: `A GENERATED_FROM B` written to
    // SPDX 3 comes back as `B GENERATES A`, the same fact (keyed by SPDX 3 type and scope).
    // A document's DESCRIBES are its `describes` list, tallied above (SPDX 3 and CycloneDX
    // hold that list, not the relationship).
    // (The document is SPDXRef-DOCUMENT in SPDX 2, its own IRI, the namespace, in SPDX 3.)
    let counted = |s: &Sbom, r: &crate::model::Relationship| {
        let from_document =
            r.from == spdx2::DOCUMENT_ID || s.namespace.as_deref() == Some(r.from.as_str());
        !(from_document && r.kind == crate::model::RelationshipType::describes())
    };
    let kinds = |s: &Sbom| {
        let mut m: BTreeMap<crate::model::Spdx3Type, usize> = BTreeMap::new();
        for r in s.relationships.iter().filter(|r| counted(s, r)) {
            let mut key = r.kind.to_spdx3();
            key.swap = false;
            *m.entry(key).or_default() += 1;
        }
        m
    };
    // The source's spellings of each key, to name a loss as the source did.
    let mut names: BTreeMap<crate::model::Spdx3Type, Vec<&str>> = BTreeMap::new();
    for r in before.relationships.iter().filter(|r| counted(before, r)) {
        let mut key = r.kind.to_spdx3();
        key.swap = false;
        let list = names.entry(key).or_default();
        if !list.contains(&r.kind.as_str()) {
            list.push(r.kind.as_str());
        }
    }
    let (ka, kb) = (kinds(before), kinds(after));
    let mut out: Vec<Loss> =
        t.0.into_iter()
            .map(|(what, count)| Loss {
                stage: Stage::Write,
                what: what.to_owned(),
                count,
            })
            .collect();
    for (kind, n) in ka {
        let m = kb.get(&kind).copied().unwrap_or(0);
        if n > m {
            let name = names.get(&kind).map(|n| n.join("/")).unwrap_or_default();
            out.push(Loss {
                stage: Stage::Write,
                what: format!("relationship {name}"),
                count: n - m,
            });
        }
    }
    out
}

/// The names a lost part of an organizational entity is counted under: the entity (its name
/// or id), its URLs, its contacts.
struct EntityParts {
    whole: &'static str,
    urls: &'static str,
    contacts: &'static str,
}

/// Counts what of entity `a` does not come back in `b`.
fn entity_losses(
    t: &mut Tally,
    names: &EntityParts,
    a: &OrganizationalEntity,
    b: &OrganizationalEntity,
) {
    if (a.name.is_some() && a.name != b.name) || (a.id.is_some() && a.id != b.id) {
        *t.0.entry(names.whole).or_default() += 1;
    }
    t.vec(names.urls, &a.urls, &b.urls);
    t.vec(names.contacts, &a.contacts, &b.contacts);
}

/// Counts what of a CycloneDX annotator does not come back as `b`: a part of an organization
/// or individual, or the annotator whole when it comes back as another kind (SPDX spells a
/// service as a tool) or different.
fn annotator_losses(t: &mut Tally, a: &Annotator, b: Option<&Annotator>) {
    const ORGANIZATION: EntityParts = EntityParts {
        whole: "annotation.annotator.organization",
        urls: "annotation.annotator.organization.urls",
        contacts: "annotation.annotator.organization.contacts",
    };
    match (a, b) {
        (Annotator::Organization(x), Some(Annotator::Organization(y))) => {
            entity_losses(t, &ORGANIZATION, x, y);
        }
        (Annotator::Individual(x), Some(Annotator::Individual(y))) => {
            t.opt("annotation.annotator.individual.phone", &x.phone, &y.phone);
            let who = |c: &OrganizationalContact| (c.id.clone(), c.name.clone(), c.email.clone());
            if who(x) != who(y) {
                *t.0.entry("annotation.annotator.individual").or_default() += 1;
            }
        }
        (Annotator::Component(x), Some(Annotator::Component(y))) if x == y => {}
        (Annotator::Service(x), Some(Annotator::Service(y))) if x == y => {}
        (a, _) => {
            let what = match a {
                Annotator::Organization(_) => ORGANIZATION.whole,
                Annotator::Individual(_) => "annotation.annotator.individual",
                Annotator::Component(_) => "annotation.annotator.component",
                Annotator::Service(_) => "annotation.annotator.service",
            };
            *t.0.entry(what).or_default() += 1;
        }
    }
}

/// Services are paired by id, nested ones too; one lost whole counts under `services`, one
/// whose provider comes back different under `service.provider` (its name or id),
/// `service.provider.urls` or `service.provider.contacts`, one otherwise different under
/// `service`.
fn service_losses(t: &mut Tally, before: &Sbom, after: &Sbom) {
    const PROVIDER: EntityParts = EntityParts {
        whole: "service.provider",
        urls: "service.provider.urls",
        contacts: "service.provider.contacts",
    };
    // Iterative: a model may be built deeper than any document we read.
    fn flat<'a>(services: &'a [Service], out: &mut Vec<&'a Service>) {
        let mut stack: Vec<&Service> = services.iter().rev().collect();
        while let Some(svc) = stack.pop() {
            out.push(svc);
            stack.extend(svc.services.iter().rev());
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    flat(&before.services, &mut a);
    flat(&after.services, &mut b);
    let by_id: BTreeMap<&str, &Service> = b.iter().map(|s| (s.id.as_str(), *s)).collect();
    let alone = |s: &Service| Service {
        services: Vec::new(),
        provider: None,
        ..s.clone()
    };
    for svc in a {
        let Some(twin) = by_id.get(svc.id.as_str()) else {
            *t.0.entry("services").or_default() += 1;
            continue;
        };
        match (&svc.provider, &twin.provider) {
            (Some(x), Some(y)) => entity_losses(t, &PROVIDER, x, y),
            (Some(_), None) => *t.0.entry(PROVIDER.whole).or_default() += 1,
            _ => {}
        }
        if alone(svc) != alone(twin) {
            *t.0.entry("service").or_default() += 1;
        }
    }
}

/// Formulas are paired in order (the writers that hold them keep it); one lost whole counts
/// under `formulation`, one whose part comes back different under `formula.<part>`.
fn formula_losses(t: &mut Tally, before: &Sbom, after: &Sbom) {
    t.count(
        "formulation",
        before.formulation.len(),
        after.formulation.len(),
    );
    for (a, b) in before.formulation.iter().zip(&after.formulation) {
        t.opt("formula.id", &a.id, &b.id);
        t.vec("formula.components", &a.components, &b.components);
        t.vec("formula.files", &a.files, &b.files);
        t.vec("formula.relationships", &a.relationships, &b.relationships);
        t.vec("formula.services", &a.services, &b.services);
        t.vec("formula.workflows", &a.workflows, &b.workflows);
        t.props("formula.properties", &a.properties, &b.properties);
    }
}

/// Vulnerabilities are paired by identifier, in order (an SPDX 3 vulnerability assessed two
/// ways comes back as two). Times are compared as instants (SPDX 3 writes whole seconds),
/// analysis states by what CycloneDX calls them (OpenVEX's `fixed` is its `resolved`), and
/// what a vulnerability affects by count: element ids change between formats.
fn vulnerability_losses(t: &mut Tally, before: &Sbom, after: &Sbom) {
    let time = |x: &Option<String>| -> Option<String> {
        x.as_deref()
            .map(|x| crate::validate::normalize_timestamp(x).unwrap_or_else(|| x.to_owned()))
    };
    let mut used = vec![false; after.vulnerabilities.len()];
    for a in &before.vulnerabilities {
        let twin = after
            .vulnerabilities
            .iter()
            .enumerate()
            .find(|(i, b)| !used[*i] && b.id == a.id);
        let Some((i, b)) = twin else {
            *t.0.entry("vulnerabilities").or_default() += 1;
            continue;
        };
        used[i] = true;
        t.opt("vulnerability.source", &a.source, &b.source);
        t.vec("vulnerability.references", &a.references, &b.references);
        t.vec("vulnerability.ratings", &a.ratings, &b.ratings);
        t.vec("vulnerability.cwes", &a.cwes, &b.cwes);
        t.opt("vulnerability.description", &a.description, &b.description);
        t.opt("vulnerability.detail", &a.detail, &b.detail);
        t.opt(
            "vulnerability.recommendation",
            &a.recommendation,
            &b.recommendation,
        );
        t.opt("vulnerability.workaround", &a.workaround, &b.workaround);
        t.vec("vulnerability.advisories", &a.advisories, &b.advisories);
        t.opt(
            "vulnerability.created",
            &time(&a.created),
            &time(&b.created),
        );
        t.opt(
            "vulnerability.published",
            &time(&a.published),
            &time(&b.published),
        );
        t.opt(
            "vulnerability.updated",
            &time(&a.updated),
            &time(&b.updated),
        );
        t.opt(
            "vulnerability.rejected",
            &time(&a.rejected),
            &time(&b.rejected),
        );
        t.props("vulnerability.properties", &a.properties, &b.properties);
        // EPSS figures as numbers (`0.10` is written back as `0.1`), its time as an instant.
        let epss = |v: &crate::model::Vulnerability| {
            v.epss.as_ref().map(|e| {
                let number = |x: &str| x.parse::<f64>().ok().map(f64::to_bits);
                (
                    number(&e.probability),
                    number(&e.percentile),
                    time(&e.published),
                )
            })
        };
        t.opt("vulnerability.epss", &epss(a), &epss(b));
        t.vec(
            "vulnerability.exploit_catalogs",
            &a.exploit_catalogs,
            &b.exploit_catalogs,
        );
        t.opt("vulnerability.ssvc", &a.ssvc, &b.ssvc);
        t.count("vulnerability.affects", a.affects.len(), b.affects.len());
        let versions = |v: &crate::model::Vulnerability| -> Vec<crate::model::AffectedVersion> {
            v.affects.iter().flat_map(|x| x.versions.clone()).collect()
        };
        t.vec("vulnerability.affects.versions", &versions(a), &versions(b));
        let (Some(x), y) = (&a.analysis, &b.analysis) else {
            continue;
        };
        let Some(y) = y else {
            *t.0.entry("vulnerability.analysis").or_default() += 1;
            continue;
        };
        let state = |s: Option<crate::osv::vex::State>| s.map(cyclonedx::cyclonedx_state);
        t.opt(
            "vulnerability.analysis.state",
            &state(x.state),
            &state(y.state),
        );
        t.opt(
            "vulnerability.analysis.justification",
            &x.justification,
            &y.justification,
        );
        t.vec(
            "vulnerability.analysis.responses",
            &x.responses,
            &y.responses,
        );
        t.opt("vulnerability.analysis.detail", &x.detail, &y.detail);
        t.opt(
            "vulnerability.analysis.first_issued",
            &time(&x.first_issued),
            &time(&y.first_issued),
        );
        t.opt(
            "vulnerability.analysis.last_updated",
            &time(&x.last_updated),
            &time(&y.last_updated),
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn paths_are_outermost_and_counted() {
        let v: Value = serde_json::json!({"a": [{"b": 1, "c": {"d": 2}}, {"b": 3}]});
        let mut p = Paths::new();
        json_paths(&v, "", &mut p);
        assert_eq!(p["a"], 1);
        assert_eq!(p["a[].b"], 2);
        assert_eq!(p["a[].c.d"], 1);
    }

    /// A provider's contacts and URLs, and the parts of an annotator, are counted by what was
    /// lost; an annotator the target spells as a tool, as SPDX does a service, is counted
    /// whole.
    #[test]
    fn entity_parts_are_counted_apart() {
        let support = OrganizationalContact {
            name: Some("Support".into()),
            phone: Some("800-555-1212".into()),
            ..OrganizationalContact::default()
        };
        let provider = OrganizationalEntity {
            name: Some("P".into()),
            urls: vec!["https://p.example".into()],
            contacts: vec![support.clone()],
            ..OrganizationalEntity::default()
        };
        let svc = Service {
            id: "s".into(),
            name: "s".into(),
            provider: Some(provider.clone()),
            ..Service::default()
        };
        let mut before = Sbom::new();
        before.services.push(svc.clone());
        let mut note = crate::model::Annotation {
            subject: "a".into(),
            ..Default::default()
        };
        note.set_annotator(Annotator::Organization(provider.clone()));
        before.annotations.push(note.clone());
        note.set_annotator(Annotator::Individual(support));
        before.annotations.push(note.clone());
        note.set_annotator(Annotator::Service(Box::new(svc.clone())));
        before.annotations.push(note);
        let mut after = before.clone();
        if let Some(p) = after.services[0].provider.as_mut() {
            p.contacts.clear();
        }
        // The SPDX spellings only, as an SPDX reader gives them back.
        for a in &mut after.annotations {
            a.annotator_detail = None;
        }
        let lost: Vec<(String, usize)> = write_losses(&before, &after)
            .into_iter()
            .map(|l| (l.what, l.count))
            .collect();
        let want: Vec<(String, usize)> = [
            "annotation.annotator.individual.phone",
            "annotation.annotator.organization.contacts",
            "annotation.annotator.organization.urls",
            "annotation.annotator.service",
            "service.provider.contacts",
        ]
        .iter()
        .map(|w| ((*w).to_owned(), 1))
        .collect();
        assert_eq!(lost, want);
        assert!(write_losses(&before, &before).is_empty());
    }

    #[test]
    fn tag_value_text_blocks_are_skipped() {
        let p = tag_value_paths(
            "SPDXVersion: SPDX-2.3\nPackageComment: <text>a\nNotATag: x\n</text>\nPackageName: p\n",
        );
        assert_eq!(p.len(), 3);
        assert!(!p.contains_key("NotATag"));
    }
}
