//! The one internal model that SPDX 2.x, SPDX 3.0 and CycloneDX documents map to: packages
//! (CycloneDX components), files, relationships, licenses, checksums, external references,
//! purls and CPEs. Policy, graph and vulnerability matching work on it, whatever the source.
//!
//! Identifiers are the document's own: SPDX 2 `SPDXRef-…` ids, SPDX 3 IRIs, CycloneDX
//! `bom-ref`s (generated as `component-N` when a component has none). Relationships use the
//! SPDX 2 names ([`RelationshipType`]); CycloneDX `dependencies` become `DEPENDS_ON` and nested
//! components `CONTAINS`.

use std::borrow::Cow;
use std::fmt;

use crate::license::{Dialect, Expression, LicenseField, Strictness};
use crate::purl::Purl;

/// An SBOM in the internal model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sbom {
    /// Document name (SPDX `name`, CycloneDX `metadata.component.name`).
    pub name: Option<String>,
    /// Document identity: SPDX `documentNamespace` / 3.0 document IRI, CycloneDX
    /// `serialNumber`.
    pub namespace: Option<String>,
    /// Creation time, as written (`2022-09-24T17:27:55.556104Z` kept; writers normalize).
    pub created: Option<String>,
    /// Creators, SPDX 2 spelling (`Tool: syft-0.58.0`, `Organization: x`, `Person: y`).
    pub creators: Vec<String>,
    /// A comment on how the document was created (SPDX `creationInfo.comment`).
    pub creator_comment: Option<String>,
    /// A comment on the document (SPDX `comment`).
    pub comment: Option<String>,
    /// The SPDX License List version the document's license ids come from (SPDX 2
    /// `creationInfo.licenseListVersion`), as the document states it.
    pub license_list_version: Option<String>,
    /// Ids of the elements the document describes (SPDX `documentDescribes` / DESCRIBES /
    /// `rootElement`, CycloneDX `metadata.component`).
    pub describes: Vec<String>,
    /// Packages and components.
    pub packages: Vec<Package>,
    /// Files.
    pub files: Vec<File>,
    /// Snippets: parts of files (SPDX 2 `snippets`, SPDX 3 `software_Snippet`).
    pub snippets: Vec<Snippet>,
    /// Relationships between elements (deduplicated, in document order).
    pub relationships: Vec<Relationship>,
    /// License texts the document defines (`hasExtractedLicensingInfos`).
    pub extracted_licenses: Vec<ExtractedLicense>,
    /// Other SPDX documents this one refers to (`externalDocumentRefs`).
    pub external_documents: Vec<ExternalDocument>,
    /// Vulnerabilities the document states, with their ratings and VEX analysis (CycloneDX
    /// `vulnerabilities`, SPDX 3 `security_Vulnerability` and its assessment relationships).
    pub vulnerabilities: Vec<Vulnerability>,
    /// Services (CycloneDX `services`: the APIs and endpoints an infrastructure BOM lists).
    pub services: Vec<Service>,
    /// What the document knows to be complete (CycloneDX `compositions`).
    pub compositions: Vec<Composition>,
    /// Reviews and other notes on its elements (SPDX 2 `annotations`).
    pub annotations: Vec<Annotation>,
    /// How its components and services were made or deployed (CycloneDX 1.5+ `formulation`).
    pub formulation: Vec<Formula>,
}

/// A review of, or another note on, an element (SPDX 2 `annotation`, CycloneDX 1.5+
/// `annotation`).
///
/// Who annotated is stated twice, never in disagreement: [`annotator`](Self::annotator) in
/// SPDX's spelling, which every format can write, and
/// [`annotator_detail`](Self::annotator_detail), CycloneDX's structured annotator, which only
/// CycloneDX can. The CycloneDX reader sets both, the string derived from the detail
/// ([`Annotator::to_spdx`]); the SPDX readers set only the string. The detail, when present,
/// is authoritative: the CycloneDX writers write it, else the annotator the string spells
/// ([`Annotator::from_spdx`]); the SPDX writers write the string. Set both with
/// [`Annotation::set_annotator`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Annotation {
    /// The CycloneDX annotation's document-local id (`bom-ref`), when it has one. A CycloneDX
    /// annotation of several subjects is one model annotation per subject, all with this id:
    /// the CycloneDX writers write such a run back as one annotation.
    pub id: Option<String>,
    /// The element annotated (`SPDXRef-DOCUMENT` for the document).
    pub subject: String,
    /// Who, SPDX 2 spelling (`Person: Jane Doe (jane@example.com)`, `Organization: x`,
    /// `Tool: x-1.0`); derived from [`annotator_detail`](Self::annotator_detail) when that is
    /// present.
    pub annotator: String,
    /// Who, as CycloneDX states it (an organization with its URLs and contacts, an individual
    /// with a phone, a component, a service); `None` from SPDX. Authoritative when present.
    pub annotator_detail: Option<Annotator>,
    /// When, as written.
    pub date: String,
    /// `REVIEW` or `OTHER`.
    pub kind: String,
    /// What was noted.
    pub comment: String,
}

impl Annotation {
    /// Sets who annotated: the detail, and the SPDX spelling derived from it.
    pub fn set_annotator(&mut self, annotator: Annotator) {
        self.annotator = annotator.to_spdx();
        self.annotator_detail = Some(annotator);
    }

    /// Who annotated, structured: the detail when present, else what the SPDX spelling says
    /// (`None` for a spelling that names no organization, person or tool).
    pub fn annotator_entity(&self) -> Option<Cow<'_, Annotator>> {
        match &self.annotator_detail {
            Some(a) => Some(Cow::Borrowed(a)),
            None => Annotator::from_spdx(&self.annotator).map(Cow::Owned),
        }
    }
}

/// Who made a CycloneDX annotation (`annotator`: one of an organization, an individual, a
/// component or a service).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Annotator {
    /// An organization (SPDX `Organization:`).
    Organization(OrganizationalEntity),
    /// A person (SPDX `Person:`).
    Individual(OrganizationalContact),
    /// A component, a tool (SPDX `Tool:`). Its `id` is its `bom-ref`, empty when it has none.
    Component(Box<Package>),
    /// A service (SPDX `Tool:`, as SPDX has no services). Its `id` is its `bom-ref`, empty
    /// when it has none.
    Service(Box<Service>),
}

impl Annotator {
    /// The SPDX 2 creator spelling: `Organization: name (email)` (the first contact's email),
    /// `Person: name (email)`, `Tool: name-version` for a component or service. A nameless
    /// organization or individual is `NOASSERTION`.
    pub fn to_spdx(&self) -> String {
        let tool = |name: &str, version: Option<&str>| match version {
            Some(v) => format!("Tool: {name}-{v}"),
            None => format!("Tool: {name}"),
        };
        match self {
            Self::Organization(o) => o.to_spdx().unwrap_or_else(|| "NOASSERTION".into()),
            Self::Individual(p) => {
                match (
                    p.name.as_deref(),
                    p.email.as_deref().filter(|e| !e.is_empty()),
                ) {
                    (None, _) => "NOASSERTION".into(),
                    (Some(n), Some(e)) => format!("Person: {n} ({e})"),
                    (Some(n), None) => format!("Person: {n}"),
                }
            }
            Self::Component(c) => tool(&c.name, c.version.as_deref()),
            Self::Service(s) => tool(&s.name, s.version.as_deref()),
        }
    }

    /// The annotator an SPDX creator spelling names: an organization (its email as a contact),
    /// a person, or a tool as an `application` component (`name-version` split at the last
    /// `-` before a digit). `None` for another spelling (`NOASSERTION`).
    pub fn from_spdx(creator: &str) -> Option<Self> {
        let (kind, who) = creator.split_once(": ")?;
        let (name, email) = creator_parts(who);
        let email = email.map(str::to_owned);
        Some(match kind {
            "Organization" => Self::Organization(OrganizationalEntity::from_spdx(creator)?),
            "Person" => Self::Individual(OrganizationalContact {
                name: Some(name.to_owned()),
                email,
                ..OrganizationalContact::default()
            }),
            "Tool" => {
                let (name, version) = tool_name_version(who.trim());
                Self::Component(Box::new(Package {
                    name: name.to_owned(),
                    version: version.map(str::to_owned),
                    purpose: Some("application".into()),
                    ..Package::default()
                }))
            }
            _ => return None,
        })
    }
}

/// An SPDX supplier's or creator's `name (email)`, its `Organization: `, `Person: ` or
/// `Tool: ` taken off.
pub(crate) fn spdx_who(creator: &str) -> &str {
    ["Organization: ", "Person: ", "Tool: "]
        .iter()
        .find_map(|k| creator.strip_prefix(k))
        .unwrap_or(creator)
}

/// An SPDX creator's `name (email)` split (the email optional, an empty one none).
pub(crate) fn creator_parts(who: &str) -> (&str, Option<&str>) {
    match who
        .trim()
        .strip_suffix(')')
        .and_then(|w| w.rsplit_once('('))
    {
        Some((name, email)) => (name.trim(), Some(email.trim()).filter(|e| !e.is_empty())),
        None => (who.trim(), None),
    }
}

/// SPDX's `Tool: name-version` as a name and a version: the version is what follows the last
/// `-` when it starts with a digit.
pub(crate) fn tool_name_version(tool: &str) -> (&str, Option<&str>) {
    match tool.rsplit_once('-') {
        Some((n, v)) if !n.is_empty() && v.starts_with(|c: char| c.is_ascii_digit()) => {
            (n, Some(v))
        }
        _ => (tool, None),
    }
}

/// An organization (CycloneDX `organizationalEntity`): a service's provider, a component's
/// supplier, an annotator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationalEntity {
    /// The document-local id (`bom-ref`), when it has one.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its URLs.
    pub urls: Vec<String>,
    /// Whom to contact there.
    pub contacts: Vec<OrganizationalContact>,
}

impl OrganizationalEntity {
    /// The SPDX 2 spelling, `Organization: name (email)` with the first contact's email;
    /// `None` without a name.
    pub fn to_spdx(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(
            match self
                .contacts
                .iter()
                .find_map(|c| c.email.as_deref().filter(|e| !e.is_empty()))
            {
                Some(e) => format!("Organization: {name} ({e})"),
                None => format!("Organization: {name}"),
            },
        )
    }

    /// The organization an SPDX supplier or creator spelling names (`Organization: name
    /// (email)`; a `Person:` or `Tool:` as an organization of that name), its email as a
    /// contact. `None` for `NOASSERTION`.
    pub fn from_spdx(who: &str) -> Option<Self> {
        let who = spdx_who(who);
        if who.trim() == "NOASSERTION" {
            return None;
        }
        let (name, email) = creator_parts(who);
        Some(Self {
            name: Some(name.to_owned()),
            contacts: email
                .map(|e| OrganizationalContact {
                    email: Some(e.to_owned()),
                    ..OrganizationalContact::default()
                })
                .into_iter()
                .collect(),
            ..Self::default()
        })
    }
}

/// A person or a team to reach (CycloneDX `organizationalContact`): an organization's
/// contact, an annotator who is an individual.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationalContact {
    /// The document-local id (`bom-ref`), when it has one.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number, as written.
    pub phone: Option<String>,
}

/// How complete the document is about some of its elements (CycloneDX `composition`): all
/// of an assembly's parts listed, all of a component's dependencies, all of the
/// vulnerabilities. SPDX has no such statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Composition {
    /// The document-local id (`bom-ref`), when it has one.
    pub id: Option<String>,
    /// `complete`, `incomplete`, `incomplete_first_party_only`, … `unknown`,
    /// `not_specified`.
    pub aggregate: String,
    /// The elements whose parts (nested components and services) it is about.
    pub assemblies: Vec<String>,
    /// The elements whose dependencies it is about.
    pub dependencies: Vec<String>,
    /// The vulnerabilities it is about.
    pub vulnerabilities: Vec<String>,
}

/// A reference to another SPDX document (`DocumentRef-x`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExternalDocument {
    /// `DocumentRef-…`.
    pub id: String,
    /// The other document's namespace URI.
    pub namespace: String,
    /// Its checksum.
    pub checksum: Checksum,
}

/// A package (SPDX) or component (CycloneDX).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Package {
    /// The document-local id (`SPDXRef-…`, IRI or `bom-ref`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// What it is: CycloneDX `type` (`library`, `application`, `operating-system`…), SPDX
    /// `primaryPackagePurpose` lowercased with `_` → `-`.
    pub purpose: Option<String>,
    /// Supplier, SPDX spelling (`Organization: x`, `Organization: x (email)`); derived from
    /// [`supplier_detail`](Self::supplier_detail) when that is present.
    pub supplier: Option<String>,
    /// The supplier as CycloneDX states it (an organizational entity: name, URLs, contacts);
    /// `None` from SPDX. As with an annotation's
    /// [`annotator_detail`](Annotation::annotator_detail), it is authoritative when present:
    /// the CycloneDX reader sets it and derives [`supplier`](Self::supplier) from it
    /// ([`OrganizationalEntity::to_spdx`]), the CycloneDX writers write it (else the
    /// organization the string names), the SPDX writers write the string.
    pub supplier_detail: Option<Box<OrganizationalEntity>>,
    /// Who originally made it, when not the supplier (SPDX `originator`, same spelling).
    pub originator: Option<String>,
    /// The file name of the package as distributed (SPDX `packageFileName`).
    pub file_name: Option<String>,
    /// Where the package came from beyond its download location (SPDX `sourceInfo`).
    pub source_info: Option<String>,
    /// Where it comes from (SPDX `downloadLocation`; `NOASSERTION`/`NONE` kept).
    pub download_location: Option<String>,
    /// Home page.
    pub homepage: Option<String>,
    /// Description (SPDX `description`; CycloneDX `description`).
    pub description: Option<String>,
    /// A short summary (SPDX `summary`; CycloneDX writes it as the description when there is
    /// none).
    pub summary: Option<String>,
    /// Attribution texts (SPDX `attributionTexts`, SPDX 3 `software_attributionText`).
    pub attribution_texts: Vec<String>,
    /// The concluded license.
    pub license_concluded: Option<License>,
    /// The declared license.
    pub license_declared: Option<License>,
    /// Copyright text.
    pub copyright: Option<String>,
    /// Checksums.
    pub checksums: Vec<Checksum>,
    /// The package URL (first purl reference; invalid ones stay in `external_refs`).
    pub purl: Option<Purl>,
    /// CPE 2.3 (or 2.2) names.
    pub cpes: Vec<String>,
    /// Other external references.
    pub external_refs: Vec<ExternalRef>,
    /// SPDX `filesAnalyzed` (SPDX 2 default: true).
    pub files_analyzed: Option<bool>,
    /// SPDX `packageVerificationCode` value.
    pub verification_code: Option<String>,
    /// The files the verification code leaves out (SPDX 2
    /// `packageVerificationCodeExcludedFiles`).
    pub verification_code_excluded: Vec<String>,
    /// When the package was built (SPDX 2.3 `builtDate`, SPDX 3 `builtTime`), as written.
    pub built_date: Option<String>,
    /// When the package was released (SPDX 2.3 `releaseDate`, SPDX 3 `releaseTime`).
    pub release_date: Option<String>,
    /// Until when the package may be used (SPDX 2.3 `validUntilDate`, SPDX 3 `validUntilTime`).
    pub valid_until_date: Option<String>,
    /// CycloneDX `group` (a Maven group id, an npm scope). The CycloneDX reader also puts it
    /// in front of the name (`group/name`), as SPDX names such packages.
    pub group: Option<String>,
    /// CycloneDX `publisher`: who published the package.
    pub publisher: Option<String>,
    /// CycloneDX `author` (a string; CycloneDX 1.6 deprecates it for `authors`).
    pub author: Option<String>,
    /// Name–value facts about the package (the generator's `supply:layer:digest`, the
    /// database it was found in): CycloneDX `properties`; the SPDX writers state them in
    /// the package `comment`, one `name=value` per line, after the CycloneDX facts SPDX has
    /// no field for ([`CYCLONEDX_GROUP`], [`CYCLONEDX_PUBLISHER`], [`CYCLONEDX_AUTHOR`]),
    /// which the SPDX readers take back into their fields.
    pub properties: Properties,
    /// A comment on the package (SPDX `comment`, before the properties the SPDX writers state
    /// there).
    pub comment: Option<String>,
    /// Comments on how its licenses were concluded (SPDX 2 `licenseComments`).
    pub license_comments: Option<String>,
    /// Licenses found in its files (SPDX 2 `licenseInfoFromFiles`), as written.
    pub license_info_from_files: Vec<String>,
}

impl Package {
    /// The supplier, structured: the detail when present, else the organization the SPDX
    /// spelling names (`None` for none or `NOASSERTION`).
    pub fn supplier_entity(&self) -> Option<Cow<'_, OrganizationalEntity>> {
        match &self.supplier_detail {
            Some(d) => Some(Cow::Borrowed(&**d)),
            None => OrganizationalEntity::from_spdx(self.supplier.as_deref()?).map(Cow::Owned),
        }
    }
}

/// The property that carries [`Package::group`] through SPDX.
pub const CYCLONEDX_GROUP: &str = "cyclonedx:group";
/// The property that carries [`Package::publisher`] through SPDX.
pub const CYCLONEDX_PUBLISHER: &str = "cyclonedx:publisher";
/// The property that carries [`Package::author`] through SPDX.
pub const CYCLONEDX_AUTHOR: &str = "cyclonedx:author";

/// Properties as the SPDX writers state them in a comment (see
/// [`Package::properties_comment`]); serialized as a string, written straight into the output.
pub(crate) struct PropertiesText<'a>(&'a Package);

impl fmt::Display for PropertiesText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.0.comment {
            f.write_str(c)?;
            if !self.0.has_properties() {
                return Ok(());
            }
            f.write_str("\n")?;
        }
        f.write_str(PROPERTIES_HEADER)?;
        for (name, value) in self.0.cyclonedx_facts() {
            f.write_str("\n")?;
            f.write_str(name)?;
            f.write_str("=")?;
            f.write_str(value)?;
        }
        for (name, value) in &self.0.properties {
            f.write_str("\n")?;
            f.write_str(name)?;
            f.write_str("=")?;
            f.write_str(value)?;
        }
        Ok(())
    }
}

impl serde::Serialize for PropertiesText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Built as one string first: serde_json escapes a `&str` in one pass over a table, and
        // a `Display` piece by piece through the formatting machinery (twice as slow here).
        let props = &self.0.properties;
        let comment = self.0.comment.as_ref().map_or(0, String::len);
        let mut text = String::with_capacity(
            comment + PROPERTIES_HEADER.len() + props.text.len() + 2 * props.len() + 64,
        );
        // Writing into a `String` cannot fail.
        let _ = fmt::Write::write_fmt(&mut text, format_args!("{self}"));
        serializer.serialize_str(&text)
    }
}

/// A name–value property (CycloneDX `property`), owned; [`Properties`] holds them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Property {
    /// Name, namespaced by convention (`supply:layer:digest`).
    pub name: String,
    /// Value.
    pub value: String,
}

/// Name–value properties in order (CycloneDX `properties`; names may repeat), kept in one
/// string: a package has ten or twenty of them, and a `String` pair each made reading (and
/// dropping) 50,000 packages spend a third of its time in the allocator.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Properties {
    text: String,
    /// Per property, where its name ends and where its value ends in `text`; each property
    /// starts where the one before ends.
    ends: Vec<(usize, usize)>,
}

impl Properties {
    /// No properties.
    pub const fn new() -> Self {
        Self {
            text: String::new(),
            ends: Vec::new(),
        }
    }

    /// Room for `n` properties of `bytes` bytes of names and values together.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(n),
        }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends a property.
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// The properties in order, as (name, value).
    pub fn iter(&self) -> PropertiesIter<'_> {
        PropertiesIter {
            text: &self.text,
            ends: self.ends.iter(),
            start: 0,
        }
    }

    /// The value of the first property named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether the property is here.
    pub fn contains(&self, name: &str, value: &str) -> bool {
        self.iter().any(|p| p == (name, value))
    }

    /// Keeps the properties `keep` says to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        if self.iter().all(|(n, v)| keep(n, v)) {
            return;
        }
        let old = std::mem::take(self);
        for (n, v) in &old {
            if keep(n, v) {
                self.push(n, v);
            }
        }
    }
}

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The properties of a [`Properties`], as (name, value).
#[derive(Debug, Clone)]
pub struct PropertiesIter<'a> {
    text: &'a str,
    ends: std::slice::Iter<'a, (usize, usize)>,
    /// Where the next property starts: where the one before ended.
    start: usize,
}

impl<'a> Iterator for PropertiesIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name_end, value_end) = self.ends.next()?;
        let start = std::mem::replace(&mut self.start, value_end);
        // In bounds and on character boundaries: `push` recorded these ends after whole
        // strings.
        Some((
            self.text.get(start..name_end).unwrap_or_default(),
            self.text.get(name_end..value_end).unwrap_or_default(),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for PropertiesIter<'_> {}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a str, &'a str);
    type IntoIter = PropertiesIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Extend<(N, V)> for Properties {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, iter: I) {
        for (n, v) in iter {
            self.push(n.as_ref(), v.as_ref());
        }
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Properties {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut out = Self::new();
        out.extend(iter);
        out
    }
}

impl FromIterator<Property> for Properties {
    fn from_iter<I: IntoIterator<Item = Property>>(iter: I) -> Self {
        iter.into_iter().map(|p| (p.name, p.value)).collect()
    }
}

impl Package {
    /// The value of the first property named `name`.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name)
    }

    /// The package's SPDX comment: its [`comment`](Package::comment), then the properties
    /// (SPDX has no property list): [`PROPERTIES_HEADER`] and `name=value` lines.
    pub(crate) fn properties_comment(&self) -> Option<String> {
        self.properties_text().map(|t| t.to_string())
    }

    /// [`Package::properties_comment`] as text that writes itself: writers put it into their
    /// output without building the string.
    pub(crate) fn properties_text(&self) -> Option<PropertiesText<'_>> {
        (self.comment.is_some() || self.has_properties()).then_some(PropertiesText(self))
    }

    /// Whether the SPDX comment states properties.
    fn has_properties(&self) -> bool {
        !self.properties.is_empty() || self.cyclonedx_facts().next().is_some()
    }

    /// Reads an SPDX package comment: the comment, and the properties a
    /// [`PROPERTIES_HEADER`] line starts (at the start, or after the comment).
    pub(crate) fn read_comment(&mut self, comment: &str) {
        if comment.starts_with(PROPERTIES_HEADER) {
            if self.read_properties(comment) {
                self.comment = None;
                return;
            }
        } else if let Some(at) = comment
            .match_indices(PROPERTIES_HEADER)
            .map(|(i, _)| i)
            .filter(|&i| i > 0 && comment.as_bytes().get(i - 1) == Some(&b'\n'))
            .last()
        {
            // The comment, a line break, then the properties.
            if let (Some(text), Some(block)) = (comment.get(..at - 1), comment.get(at..)) {
                if self.read_properties(block) {
                    self.comment = Some(text.to_string());
                    return;
                }
            }
        }
        // Not our properties after all: the whole comment is the comment.
        self.comment = Some(comment.to_string());
    }

    /// The CycloneDX facts SPDX has no field for, as (property name, value); a value with a
    /// line break cannot be a comment line and is left out.
    fn cyclonedx_facts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            (CYCLONEDX_GROUP, &self.group),
            (CYCLONEDX_PUBLISHER, &self.publisher),
            (CYCLONEDX_AUTHOR, &self.author),
        ]
        .into_iter()
        .filter_map(|(name, v)| Some((name, v.as_deref()?)))
        .filter(|(_, v)| !v.contains(['\n', '\r']))
    }

    /// Takes the properties of a block written by [`Package::properties_comment`]
    /// ([`PROPERTIES_HEADER`], then `name=value` lines) into this package, the CycloneDX facts
    /// ([`CYCLONEDX_GROUP`] …) into their fields when those are empty; `false`, and nothing
    /// changed, for any other text. One pass over the lines and one allocation for all the
    /// properties: this runs once per package of every SPDX document.
    fn read_properties(&mut self, block: &str) -> bool {
        let mut lines = block.lines();
        if lines.next().map(str::trim) != Some(PROPERTIES_HEADER) {
            return false;
        }
        let n = block.bytes().filter(|&b| b == b'\n').count();
        let mut properties = Properties::with_capacity(n, block.len());
        let mut facts: [Option<&str>; 3] = [None; 3];
        for line in lines {
            let Some((name, value)) = line.split_once('=') else {
                return false;
            };
            let slot = match name {
                CYCLONEDX_GROUP => &mut facts[0],
                CYCLONEDX_PUBLISHER => &mut facts[1],
                CYCLONEDX_AUTHOR => &mut facts[2],
                _ => {
                    properties.push(name, value);
                    continue;
                }
            };
            slot.get_or_insert(value);
        }
        let [group, publisher, author] = facts;
        for (field, value) in [
            (&mut self.group, group),
            (&mut self.publisher, publisher),
            (&mut self.author, author),
        ] {
            if field.is_none() {
                *field = value.map(str::to_owned);
            }
        }
        self.properties = properties;
        true
    }
}

/// The first line of a package comment that carries its properties in SPDX (2.3 and 3.0):
/// the readers take such a comment back as properties.
pub const PROPERTIES_HEADER: &str = "Properties (name=value):";

/// A file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct File {
    /// The document-local id.
    pub id: String,
    /// Path (`./lib/x.so`).
    pub name: String,
    /// Checksums.
    pub checksums: Vec<Checksum>,
    /// The concluded license.
    pub license_concluded: Option<License>,
    /// Licenses found in the file (`licenseInfoInFiles`), as written.
    pub license_info_in_file: Vec<String>,
    /// Copyright text.
    pub copyright: Option<String>,
    /// A comment on the file (SPDX `comment`; CycloneDX: the file component's `description`).
    pub comment: Option<String>,
    /// What kind of file, SPDX 2 spelling (`SOURCE`, `BINARY`, `ARCHIVE`, `TEXT`…; SPDX 3
    /// purposes and content type).
    pub types: Vec<String>,
    /// Notices found in the file (SPDX 2 `noticeText`).
    pub notice: Option<String>,
    /// Who contributed to it (SPDX 2 `fileContributors`).
    pub contributors: Vec<String>,
    /// Comments on how its license was concluded (SPDX 2 `licenseComments`).
    pub license_comments: Option<String>,
}

/// A snippet of a file (SPDX 2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snippet {
    /// The document-local id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// The id of the file it is from.
    pub file: String,
    /// The bytes of the file it is (first and last, counted from 1, both included).
    pub byte_range: Option<(u64, u64)>,
    /// The lines of the file it is (first and last, counted from 1, both included).
    pub line_range: Option<(u64, u64)>,
    /// The concluded license.
    pub license_concluded: Option<License>,
    /// Licenses found in the snippet (SPDX 2 `licenseInfoInSnippets`), as written.
    pub license_info_in_snippet: Vec<String>,
    /// Copyright text.
    pub copyright: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Comments on how its license was concluded (SPDX 2 `licenseComments`).
    pub license_comments: Option<String>,
}

/// A license as a document states it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum License {
    /// An SPDX expression, `NONE` or `NOASSERTION`.
    Spdx(LicenseField),
    /// A license known only by name (CycloneDX `license.name`), never matched as an id.
    Named(String),
    /// Text that is not a valid expression even when read leniently, kept as written.
    Unparsed(String),
}

impl License {
    /// Reads a license field leniently (operators in any case, ids off the list kept).
    pub fn parse_lenient(s: &str, dialect: Dialect) -> Self {
        match LicenseField::parse_with(s, dialect, Strictness::Lenient) {
            Ok(f) => Self::Spdx(f),
            Err(_) => Self::Unparsed(s.to_string()),
        }
    }

    /// The SPDX field, when this is one.
    pub fn field(&self) -> Option<&LicenseField> {
        match self {
            Self::Spdx(f) => Some(f),
            _ => None,
        }
    }

    /// The expression, when this is one.
    pub fn expression(&self) -> Option<&Expression> {
        self.field().and_then(LicenseField::expression)
    }
}

impl fmt::Display for License {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spdx(l) => l.fmt(f),
            Self::Named(s) | Self::Unparsed(s) => f.write_str(s),
        }
    }
}

/// A checksum. The algorithm uses SPDX 2 spelling (`SHA256`, `SHA3-256`, `BLAKE2b-256`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checksum {
    /// Algorithm, SPDX 2 spelling.
    pub algorithm: String,
    /// Lowercase hex value.
    pub value: String,
}

/// An external reference other than a purl or CPE.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExternalRef {
    /// SPDX `referenceCategory` (`SECURITY`, `PACKAGE-MANAGER`, `PERSISTENT-ID`, `OTHER`) or
    /// `OTHER` for CycloneDX.
    pub category: String,
    /// SPDX `referenceType` or CycloneDX `type` (`website`, `vcs`…).
    pub kind: String,
    /// The locator or URL.
    pub locator: String,
    /// A comment on the reference (SPDX 2 `comment`, CycloneDX `comment`).
    pub comment: Option<String>,
}

/// A relationship `from TYPE to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relationship {
    /// Source element id.
    pub from: String,
    /// The type.
    pub kind: RelationshipType,
    /// Target element id (or `NOASSERTION` / `NONE`).
    pub to: String,
}

/// A relationship type, SPDX 2 spelling (`DEPENDS_ON`); [`RelationshipType::to_spdx3`] gives
/// how SPDX 3.0 writes it (`dependsOn`).
///
/// The common types are static strings, not one allocation per relationship: a document has
/// more relationships than packages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationshipType(Cow<'static, str>);

impl RelationshipType {
    /// `DESCRIBES`.
    pub fn describes() -> Self {
        Self(Cow::Borrowed("DESCRIBES"))
    }
    /// `DEPENDS_ON`.
    pub fn depends_on() -> Self {
        Self(Cow::Borrowed("DEPENDS_ON"))
    }
    /// `CONTAINS`.
    pub fn contains() -> Self {
        Self(Cow::Borrowed("CONTAINS"))
    }

    /// The static spelling of a common SPDX 2 type.
    fn common(s: &str) -> Option<&'static str> {
        Some(match s {
            "DEPENDS_ON" => "DEPENDS_ON",
            "CONTAINS" => "CONTAINS",
            "DESCRIBES" => "DESCRIBES",
            "DEPENDENCY_OF" => "DEPENDENCY_OF",
            "CONTAINED_BY" => "CONTAINED_BY",
            "DESCRIBED_BY" => "DESCRIBED_BY",
            "GENERATED_FROM" => "GENERATED_FROM",
            "OTHER" => "OTHER",
            _ => return None,
        })
    }

    /// From either spelling: `DEPENDS_ON`, `dependsOn`, `depends-on`.
    pub fn parse(s: &str) -> Self {
        if s.contains(|c: char| c.is_ascii_lowercase()) {
            let mut out = String::new();
            for c in s.chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                }
                out.push(if c == '-' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                });
            }
            Self(Cow::Owned(out))
        } else {
            match Self::common(s) {
                Some(c) => Self(Cow::Borrowed(c)),
                None => Self(Cow::Owned(s.to_string())),
            }
        }
    }

    /// SPDX 2 spelling.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How SPDX 3 writes this relationship: its type, whether the two ends swap, and the
    /// lifecycle scope of a `LifecycleScopedRelationship` (see [`Spdx3Type`]). An SPDX 2.3 type
    /// maps by the SPDX 2.3 → 3.0 correspondence; a type read from SPDX 3 (`USES_TOOL`,
    /// `HAS_CONCLUDED_LICENSE`) goes back as it came; anything else is `other`.
    pub fn to_spdx3(&self) -> Spdx3Type {
        if let Some(&(_, kind, swap, scope)) = SPDX3_TYPES.iter().find(|(k, ..)| *k == self.0) {
            return Spdx3Type { kind, swap, scope };
        }
        let camel = self.camel_case();
        let kind = SPDX3_VOCABULARY
            .iter()
            .find(|v| **v == camel)
            .copied()
            .unwrap_or("other");
        Spdx3Type {
            kind,
            swap: false,
            scope: None,
        }
    }

    /// The relationship an SPDX 3 `relationshipType` (and lifecycle `scope`) stands for, and
    /// whether its ends swap back (`B generates A` is read as `B GENERATES A`, its own SPDX 2
    /// spelling; `B copiedTo A` as `A COPY_OF B`, SPDX 2 having no other). Types SPDX 2 has no
    /// counterpart for keep their SPDX 3 name (`usesTool` without a scope: `USES_TOOL`).
    pub fn from_spdx3(kind: &str, scope: Option<&str>) -> (Self, bool) {
        let find = |scope: Option<&str>| {
            let mut matching = SPDX3_TYPES
                .iter()
                .filter(move |(_, k, _, sc)| *k == kind && *sc == scope);
            let first = matching.clone().next();
            // A direct SPDX 2 spelling first: `dependsOn` is DEPENDS_ON, not DEPENDENCY_OF.
            matching.find(|(_, _, swap, _)| !swap).or(first)
        };
        // A scope SPDX 2 has no type for (`design`, `other`) reads as the unscoped type.
        match find(scope).or_else(|| scope.and_then(|_| find(None))) {
            Some(&(name, _, swap, _)) => (Self(name.into()), swap),
            None => (Self::parse(kind), false),
        }
    }

    /// `DEPENDS_ON` → `dependsOn`.
    fn camel_case(&self) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in self.0.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c.to_ascii_lowercase());
            }
        }
        out
    }
}

/// A relationship type as SPDX 3 writes it ([`RelationshipType::to_spdx3`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Spdx3Type {
    /// The SPDX 3.0.1 `relationshipType`.
    pub kind: &'static str,
    /// SPDX 3 names it from the other end: `A GENERATED_FROM B` is `B generates A`.
    pub swap: bool,
    /// The `LifecycleScopeType` of a `LifecycleScopedRelationship` (`build`, `development`,
    /// `test`, `runtime`), `None` for a plain `Relationship`.
    pub scope: Option<&'static str>,
}

/// Every SPDX 2.3 relationship type as SPDX 3.0.1 writes it: (SPDX 2 type, SPDX 3 type, ends
/// swapped, lifecycle scope). After the SPDX 2.3 → 3.0 correspondence SPDX's own converter
/// (Spdx-Java-Library's `Spdx2to3Converter`) implements; `DYNAMIC_LINK` keeps its direction, as
/// `STATIC_LINK` does (SPDX 2.3: "A dynamically links to B"; SPDX 3: "from dynamically links in
/// each to"). Where two SPDX 2 types meet (`PATCH_FOR`, `PATCH_APPLIED`), the first is read back.
const SPDX3_TYPES: &[(&str, &str, bool, Option<&str>)] = &[
    ("AMENDS", "amendedBy", true, None),
    ("ANCESTOR_OF", "ancestorOf", false, None),
    ("BUILD_DEPENDENCY_OF", "dependsOn", true, Some("build")),
    ("BUILD_TOOL_OF", "usesTool", true, Some("build")),
    ("CONTAINS", "contains", false, None),
    ("CONTAINED_BY", "contains", true, None),
    ("COPY_OF", "copiedTo", true, None),
    ("DATA_FILE_OF", "hasDataFile", true, None),
    (
        "DEPENDENCY_MANIFEST_OF",
        "hasDependencyManifest",
        true,
        None,
    ),
    ("DEPENDS_ON", "dependsOn", false, None),
    ("DEPENDENCY_OF", "dependsOn", true, None),
    ("DESCENDANT_OF", "descendantOf", false, None),
    ("DESCRIBES", "describes", false, None),
    ("DESCRIBED_BY", "describes", true, None),
    ("DEV_DEPENDENCY_OF", "dependsOn", true, Some("development")),
    ("DEV_TOOL_OF", "usesTool", true, Some("development")),
    (
        "DISTRIBUTION_ARTIFACT",
        "hasDistributionArtifact",
        false,
        None,
    ),
    ("DOCUMENTATION_OF", "hasDocumentation", true, None),
    ("DYNAMIC_LINK", "hasDynamicLink", false, None),
    ("EXAMPLE_OF", "hasExample", true, None),
    ("EXPANDED_FROM_ARCHIVE", "expandsTo", true, None),
    ("FILE_ADDED", "hasAddedFile", true, None),
    ("FILE_DELETED", "hasDeletedFile", true, None),
    ("FILE_MODIFIED", "modifiedBy", false, None),
    ("GENERATES", "generates", false, None),
    ("GENERATED_FROM", "generates", true, None),
    ("HAS_PREREQUISITE", "hasPrerequisite", false, None),
    ("PREREQUISITE_FOR", "hasPrerequisite", true, None),
    ("METAFILE_OF", "hasMetadata", true, None),
    ("OPTIONAL_COMPONENT_OF", "hasOptionalComponent", true, None),
    (
        "OPTIONAL_DEPENDENCY_OF",
        "hasOptionalDependency",
        true,
        None,
    ),
    ("OTHER", "other", false, None),
    ("PACKAGE_OF", "packagedBy", true, None),
    ("PATCH_FOR", "patchedBy", true, None),
    ("PATCH_APPLIED", "patchedBy", true, None),
    (
        "PROVIDED_DEPENDENCY_OF",
        "hasProvidedDependency",
        true,
        None,
    ),
    ("REQUIREMENT_DESCRIPTION_FOR", "hasRequirement", true, None),
    ("RUNTIME_DEPENDENCY_OF", "dependsOn", true, Some("runtime")),
    ("SPECIFICATION_FOR", "hasSpecification", true, None),
    ("STATIC_LINK", "hasStaticLink", false, None),
    ("TEST_CASE_OF", "hasTestCase", true, None),
    ("TEST_DEPENDENCY_OF", "dependsOn", true, Some("test")),
    ("TEST_OF", "hasTest", true, None),
    ("TEST_TOOL_OF", "usesTool", true, Some("test")),
    ("VARIANT_OF", "hasVariant", true, None),
];

/// The relationship types of SPDX 3.0.1 (`RelationshipType`).
const SPDX3_VOCABULARY: &[&str] = &[
    "affects",
    "amendedBy",
    "ancestorOf",
    "availableFrom",
    "configures",
    "contains",
    "coordinatedBy",
    "copiedTo",
    "delegatedTo",
    "dependsOn",
    "descendantOf",
    "describes",
    "doesNotAffect",
    "expandsTo",
    "exploitCreatedBy",
    "fixedBy",
    "fixedIn",
    "foundBy",
    "generates",
    "hasAddedFile",
    "hasAssessmentFor",
    "hasAssociatedVulnerability",
    "hasConcludedLicense",
    "hasDataFile",
    "hasDeclaredLicense",
    "hasDeletedFile",
    "hasDependencyManifest",
    "hasDistributionArtifact",
    "hasDocumentation",
    "hasDynamicLink",
    "hasEvidence",
    "hasExample",
    "hasHost",
    "hasInput",
    "hasMetadata",
    "hasOptionalComponent",
    "hasOptionalDependency",
    "hasOutput",
    "hasPrerequisite",
    "hasProvidedDependency",
    "hasRequirement",
    "hasSpecification",
    "hasStaticLink",
    "hasTest",
    "hasTestCase",
    "hasVariant",
    "invokedBy",
    "modifiedBy",
    "other",
    "packagedBy",
    "patchedBy",
    "publishedBy",
    "reportedBy",
    "republishedBy",
    "serializedInArtifact",
    "testedOn",
    "trainedOn",
    "underInvestigationFor",
    "usesTool",
];

impl fmt::Display for RelationshipType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A service (CycloneDX `service`): something the software calls or offers over a network.
/// SPDX has no such element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Service {
    /// The document-local id (`bom-ref`; generated as `service-N` when it has none), which
    /// dependencies name.
    pub id: String,
    /// Who provides it.
    pub provider: Option<Provider>,
    /// Group (a namespace of the provider's).
    pub group: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Endpoint URIs.
    pub endpoints: Vec<String>,
    /// Whether it needs authentication.
    pub authenticated: Option<bool>,
    /// Whether calling it crosses a trust boundary (`x-trust-boundary`).
    pub crosses_trust_boundary: Option<bool>,
    /// The trust zone it runs in (1.5+ `trustZone`).
    pub trust_zone: Option<String>,
    /// What data flows where.
    pub data: Vec<DataFlow>,
    /// Its licenses, as a component's: concluded.
    pub license_concluded: Option<License>,
    /// Declared (what the provider states).
    pub license_declared: Option<License>,
    /// External references (category `OTHER`, the CycloneDX type, the URL).
    pub external_refs: Vec<ExternalRef>,
    /// Name–value facts.
    pub properties: Properties,
    /// Tags (1.6+).
    pub tags: Vec<String>,
    /// Services it is made of.
    pub services: Vec<Self>,
}

/// The organization that provides a service (CycloneDX `provider`, an organizational entity:
/// name, URLs, contacts).
pub type Provider = OrganizationalEntity;

/// A flow of classified data to or from a service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataFlow {
    /// `inbound`, `outbound`, `bi-directional` or `unknown`.
    pub flow: String,
    /// The data's classification (`PII`, `public`).
    pub classification: String,
    /// The flow's name (1.5+).
    pub name: Option<String>,
    /// Its description (1.5+).
    pub description: Option<String>,
    /// Where the data comes from: URLs or BOM-Link references (1.5+).
    pub source: Vec<String>,
    /// Where it goes (1.5+).
    pub destination: Vec<String>,
}

/// How components and services were made or deployed (CycloneDX 1.5+ `formula`): the
/// components and services the process used, and its workflows. SPDX has no such element.
///
/// Times are kept as written; ids (`bom-ref`s) are the document's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Formula {
    /// The document-local id (`bom-ref`), when it has one.
    pub id: Option<String>,
    /// The components the formula lists, read as the document's own components are: packages,
    /// a nested component after the one that contains it.
    pub components: Vec<Package>,
    /// Its components that are files (type `file` inside another component, or with a SHA-1),
    /// as the document's own are.
    pub files: Vec<File>,
    /// Which of its components contains which (`CONTAINS`): their nesting.
    pub relationships: Vec<Relationship>,
    /// The services the formula lists.
    pub services: Vec<Service>,
    /// Its workflows.
    pub workflows: Vec<Workflow>,
    /// Name–value facts.
    pub properties: Properties,
}

/// A workflow of a [`Formula`]: tasks, the order they run in, and what went in and out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Workflow {
    /// The document-local id (`bom-ref`; generated as `workflow-N` when a document lacks
    /// the required one).
    pub id: String,
    /// Its unique identifier (`uid`), e.g. the CI system's run id.
    pub uid: String,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The resources it refers to.
    pub resource_references: Vec<ResourceReference>,
    /// Its tasks.
    pub tasks: Vec<Task>,
    /// Which task depends on which (`taskDependencies`), by task `bom-ref`.
    pub task_dependencies: Vec<Dependency>,
    /// What kind of work it does (`clone`, `build`, `test`, `deploy` …).
    pub task_types: Vec<String>,
    /// What starts it.
    pub trigger: Option<Trigger>,
    /// Its steps.
    pub steps: Vec<Step>,
    /// What it takes in.
    pub inputs: Vec<Input>,
    /// What it puts out.
    pub outputs: Vec<Output>,
    /// When it started, as written.
    pub time_start: Option<String>,
    /// When it ended, as written.
    pub time_end: Option<String>,
    /// The workspaces it uses.
    pub workspaces: Vec<Workspace>,
    /// Which of the elements it ran on depend on which (`runtimeTopology`).
    pub runtime_topology: Vec<Dependency>,
    /// Name–value facts.
    pub properties: Properties,
}

/// A task of a [`Workflow`]: a [`Workflow`] without tasks of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Task {
    /// The document-local id (`bom-ref`; generated as `task-N` when a document lacks the
    /// required one).
    pub id: String,
    /// Its unique identifier (`uid`).
    pub uid: String,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The resources it refers to.
    pub resource_references: Vec<ResourceReference>,
    /// What kind of work it does (`clone`, `build`, `test`, `deploy` …).
    pub task_types: Vec<String>,
    /// What starts it.
    pub trigger: Option<Trigger>,
    /// Its steps.
    pub steps: Vec<Step>,
    /// What it takes in.
    pub inputs: Vec<Input>,
    /// What it puts out.
    pub outputs: Vec<Output>,
    /// When it started, as written.
    pub time_start: Option<String>,
    /// When it ended, as written.
    pub time_end: Option<String>,
    /// The workspaces it uses.
    pub workspaces: Vec<Workspace>,
    /// Which of the elements it ran on depend on which (`runtimeTopology`).
    pub runtime_topology: Vec<Dependency>,
    /// Name–value facts.
    pub properties: Properties,
}

/// A step of a workflow or task: the commands it ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Step {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The commands it ran, in order.
    pub commands: Vec<Command>,
    /// Name–value facts.
    pub properties: Properties,
}

/// A command a [`Step`] ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Command {
    /// The command line as executed (`ls -las`).
    pub executed: Option<String>,
    /// Name–value facts.
    pub properties: Properties,
}

/// What starts a workflow or task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trigger {
    /// The document-local id (`bom-ref`; generated as `trigger-N` when a document lacks the
    /// required one).
    pub id: String,
    /// Its unique identifier (`uid`).
    pub uid: String,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The resources it refers to.
    pub resource_references: Vec<ResourceReference>,
    /// How it fires (`type`): `manual`, `api`, `webhook` or `scheduled`.
    pub kind: String,
    /// The event that fired it.
    pub event: Option<Event>,
    /// The conditions under which it fires.
    pub conditions: Vec<Condition>,
    /// When it fired, as written.
    pub time_activated: Option<String>,
    /// What it takes in.
    pub inputs: Vec<Input>,
    /// What it puts out.
    pub outputs: Vec<Output>,
    /// Name–value facts.
    pub properties: Properties,
}

/// The event that fired a [`Trigger`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// Its unique identifier (`uid`).
    pub uid: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// When it was received, as written.
    pub time_received: Option<String>,
    /// What it carried.
    pub data: Option<AttachedText>,
    /// Where it came from.
    pub source: Option<ResourceReference>,
    /// What it was for.
    pub target: Option<ResourceReference>,
    /// Name–value facts.
    pub properties: Properties,
}

/// A condition under which a [`Trigger`] fires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Condition {
    /// Description.
    pub description: Option<String>,
    /// The expression, in the CI system's language (`1 == 1`).
    pub expression: Option<String>,
    /// Name–value facts.
    pub properties: Properties,
}

/// Something a workflow, task or trigger takes in (CycloneDX `inputType`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Input {
    /// What it is: the schema's choice of one; `None` only when a document breaks that rule
    /// by stating none (the reader reports it).
    pub value: Option<InputValue>,
    /// Where it comes from.
    pub source: Option<ResourceReference>,
    /// Where it goes.
    pub target: Option<ResourceReference>,
    /// Name–value facts.
    pub properties: Properties,
}

/// What an [`Input`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputValue {
    /// A resource (`resource`).
    Resource(ResourceReference),
    /// Parameters (`parameters`).
    Parameters(Vec<Parameter>),
    /// Environment variables (`environmentVars`).
    EnvironmentVars(Vec<EnvironmentVar>),
    /// Inline data (`data`).
    Data(AttachedText),
}

/// Something a workflow, task or trigger puts out (CycloneDX `outputType`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Output {
    /// What it is: the schema's choice of one; `None` only when a document breaks that rule
    /// by stating none (the reader reports it).
    pub value: Option<OutputValue>,
    /// What kind of output (`type`): `artifact`, `attestation`, `log`, `evidence`,
    /// `metrics` or `other`.
    pub kind: Option<String>,
    /// Where it comes from.
    pub source: Option<ResourceReference>,
    /// Where it goes.
    pub target: Option<ResourceReference>,
    /// Name–value facts.
    pub properties: Properties,
}

/// What an [`Output`] is (an output has no parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputValue {
    /// A resource (`resource`).
    Resource(ResourceReference),
    /// Environment variables (`environmentVars`).
    EnvironmentVars(Vec<EnvironmentVar>),
    /// Inline data (`data`).
    Data(AttachedText),
}

/// A resource a formulation element refers to (CycloneDX `resourceReferenceChoice`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceReference {
    /// An element of this document by `bom-ref`, or of another by BOM-Link (`ref`).
    Ref(String),
    /// Something outside the document (`externalReference`: category `OTHER`, the CycloneDX
    /// type, the URL, the comment).
    External(ExternalRef),
}

/// A parameter given to a workflow or task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// Name.
    pub name: Option<String>,
    /// Value.
    pub value: Option<String>,
    /// Its data type, in the CI system's words (`dataType`).
    pub data_type: Option<String>,
}

/// An environment variable: a name and value, or a plain string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvironmentVar {
    /// `NAME=value` (a CycloneDX property; a missing value reads as empty).
    Property(Property),
    /// A plain string (`FooBar`).
    Value(String),
}

/// Text carried inline (CycloneDX `attachment`, XML `attachedTextType`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachedText {
    /// Its media type: `text/plain`, the schemas' default, when the document states none.
    pub content_type: String,
    /// `base64` when the content is Base64-encoded.
    pub encoding: Option<String>,
    /// The content, as written.
    pub content: String,
}

impl Default for AttachedText {
    fn default() -> Self {
        Self {
            content_type: DEFAULT_CONTENT_TYPE.into(),
            encoding: None,
            content: String::new(),
        }
    }
}

impl AttachedText {
    /// `content` as plain text.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }
}

/// The media type of [`AttachedText`] that states none.
pub const DEFAULT_CONTENT_TYPE: &str = "text/plain";

/// A workspace a workflow or task uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Workspace {
    /// The document-local id (`bom-ref`; generated as `workspace-N` when a document lacks
    /// the required one).
    pub id: String,
    /// Its unique identifier (`uid`).
    pub uid: String,
    /// Name.
    pub name: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// The resources it refers to.
    pub resource_references: Vec<ResourceReference>,
    /// `read-only`, `read-write`, `read-write-once`, `write-once` or `write-only`.
    pub access_mode: Option<String>,
    /// Where it is mounted.
    pub mount_path: Option<String>,
    /// What kind of data the platform manages it as (`ConfigMap`, `Secret`).
    pub managed_data_type: Option<String>,
    /// The volume claim it requests, by name.
    pub volume_request: Option<String>,
    /// The volume it is on.
    pub volume: Option<Volume>,
    /// Name–value facts.
    pub properties: Properties,
}

/// The volume a [`Workspace`] is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Volume {
    /// Its unique identifier (`uid`).
    pub uid: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// `filesystem` or `block`, as written.
    pub mode: Option<String>,
    /// Its path.
    pub path: Option<String>,
    /// How much space it has, as written (`10GB`).
    pub size_allocated: Option<String>,
    /// Whether it outlives the workflow.
    pub persistent: Option<bool>,
    /// Whether it is remote.
    pub remote: Option<bool>,
    /// Name–value facts.
    pub properties: Properties,
}

/// One element's dependencies inside a workflow (`taskDependencies`, `runtimeTopology`):
/// unlike the document's own `dependencies`, these are not relationships of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dependency {
    /// The element (`ref`).
    pub reference: String,
    /// The elements it depends on (`dependsOn`).
    pub depends_on: Vec<String>,
    /// The elements whose specification it implements (1.6+ `provides`).
    pub provides: Vec<String>,
}

/// A vulnerability stated in an SBOM (a VDR or VEX): CycloneDX `vulnerabilities[]`, SPDX 3
/// `security_Vulnerability` with its CVSS and VEX assessment relationships.
///
/// One analysis per vulnerability, as CycloneDX has it: an SPDX 3 vulnerability assessed
/// differently for different elements becomes one entry per analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Vulnerability {
    /// The document-local id (CycloneDX `bom-ref`, SPDX 3 `spdxId`), when it has one.
    pub element_id: Option<String>,
    /// The vulnerability's identifier (`CVE-2021-44228`, `GHSA-…`): CycloneDX `id`, SPDX 3
    /// `externalIdentifier` (`cve`, `securityOther`) or `name`.
    pub id: String,
    /// Who publishes the identifier (CycloneDX `source`: `NVD`, its URL).
    pub source: Option<VulnerabilitySource>,
    /// The same vulnerability in other databases (CycloneDX `references`; further SPDX 3
    /// identifiers).
    pub references: Vec<VulnerabilityReference>,
    /// Severity ratings.
    pub ratings: Vec<Rating>,
    /// CWE numbers.
    pub cwes: Vec<u32>,
    /// Description.
    pub description: Option<String>,
    /// Detail beyond the description (CycloneDX `detail`).
    pub detail: Option<String>,
    /// What to do about it (CycloneDX `recommendation`).
    pub recommendation: Option<String>,
    /// How to work around it (CycloneDX `workaround`).
    pub workaround: Option<String>,
    /// Advisories (CycloneDX `advisories`, SPDX 3 `securityAdvisory` references).
    pub advisories: Vec<Advisory>,
    /// When the record was created, as written.
    pub created: Option<String>,
    /// When it was published, as written.
    pub published: Option<String>,
    /// When it was last updated (SPDX 3 `security_modifiedTime`), as written.
    pub updated: Option<String>,
    /// When it was withdrawn (CycloneDX `rejected`, SPDX 3 `security_withdrawnTime`).
    pub rejected: Option<String>,
    /// The VEX analysis: is the product affected.
    pub analysis: Option<Analysis>,
    /// The elements it affects, by document-local id (CycloneDX `affects[].ref`, the `to` of
    /// SPDX 3 assessments).
    pub affects: Vec<Affected>,
    /// The likelihood of its exploitation (SPDX 3 `security_EpssVulnAssessmentRelationship`;
    /// CycloneDX has no place for it).
    pub epss: Option<Epss>,
    /// The catalogs of exploited vulnerabilities that list it, or were asked and do not (SPDX 3
    /// `security_ExploitCatalogVulnAssessmentRelationship`; CycloneDX: none).
    pub exploit_catalogs: Vec<ExploitCatalog>,
    /// What to do about it by Stakeholder-Specific Vulnerability Categorization (SPDX 3
    /// `security_SsvcVulnAssessmentRelationship`; CycloneDX: none).
    pub ssvc: Option<SsvcDecision>,
    /// Name–value facts (CycloneDX `properties`).
    pub properties: Properties,
}

/// An Exploit Prediction Scoring System (EPSS) score of a vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Epss {
    /// The probability of exploitation in the next 30 days, 0 to 1, as written (`0.00042`):
    /// kept as text so that it reads back exactly.
    pub probability: String,
    /// The share of scored vulnerabilities less likely to be exploited, 0 to 1, as written.
    pub percentile: String,
    /// When the score was published, as written.
    pub published: Option<String>,
}

/// Whether a catalog of exploited vulnerabilities lists a vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExploitCatalog {
    /// Which catalog.
    pub catalog: ExploitCatalogType,
    /// Whether it lists the vulnerability as exploited.
    pub exploited: bool,
    /// Where the catalog (or its entry) is.
    pub locator: String,
}

impl ExploitCatalog {
    /// `catalog` at `locator`, listing the vulnerability as exploited or not.
    pub fn new(catalog: ExploitCatalogType, exploited: bool, locator: impl Into<String>) -> Self {
        Self {
            catalog,
            exploited,
            locator: locator.into(),
        }
    }
}

/// A catalog of exploited vulnerabilities (SPDX 3 `ExploitCatalogType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExploitCatalogType {
    /// CISA's Known Exploited Vulnerabilities catalog (`kev`).
    Kev,
    /// Another catalog (`other`).
    Other,
}

impl ExploitCatalogType {
    /// The SPDX 3 name (`kev`, `other`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Kev => "kev",
            Self::Other => "other",
        }
    }

    /// The type named `name` in SPDX 3's vocabulary.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "kev" => Some(Self::Kev),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// An SSVC decision (SPDX 3 `SsvcDecisionType`, CISA's SSVC decision tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SsvcDecision {
    /// Act: handle as soon as possible (`act`).
    Act,
    /// Attend: handle sooner than standard update timelines (`attend`).
    Attend,
    /// Track: no action required now, handle in standard update timelines (`track`).
    Track,
    /// Track*: as track, with characteristics to monitor closely (`trackStar`).
    TrackStar,
}

impl SsvcDecision {
    /// The SPDX 3 name (`act`, `attend`, `track`, `trackStar`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Act => "act",
            Self::Attend => "attend",
            Self::Track => "track",
            Self::TrackStar => "trackStar",
        }
    }

    /// The decision named `name` in SPDX 3's vocabulary.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "act" => Some(Self::Act),
            "attend" => Some(Self::Attend),
            "track" => Some(Self::Track),
            "trackStar" => Some(Self::TrackStar),
            _ => None,
        }
    }
}

/// An advisory about a vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Advisory {
    /// Its title.
    pub title: Option<String>,
    /// Where it is.
    pub url: String,
}

/// The database an identifier comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VulnerabilitySource {
    /// Its name (`NVD`, `GitHub`, `OSV`).
    pub name: Option<String>,
    /// Its URL.
    pub url: Option<String>,
}

impl VulnerabilitySource {
    /// A source named `name`.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            url: None,
        }
    }
}

/// Another identifier of the same vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VulnerabilityReference {
    /// The identifier.
    pub id: String,
    /// Where it comes from.
    pub source: Option<VulnerabilitySource>,
}

/// A severity rating (CycloneDX `rating`, SPDX 3 `security_Cvss*VulnAssessmentRelationship`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rating {
    /// Who rated.
    pub source: Option<VulnerabilitySource>,
    /// The score as written (`9.8`): kept as text so that it reads back exactly.
    pub score: Option<String>,
    /// `critical`, `high`, `medium`, `low`, `info`, `none` or `unknown`.
    pub severity: Option<String>,
    /// How: `CVSSv2`, `CVSSv3`, `CVSSv31`, `CVSSv4`, `OWASP`, `SSVC`, `other`.
    pub method: Option<String>,
    /// The vector (`CVSS:3.1/AV:N/…`).
    pub vector: Option<String>,
    /// Why it was rated so.
    pub justification: Option<String>,
}

/// A VEX analysis (CycloneDX `analysis`, SPDX 3 `security_Vex*VulnAssessmentRelationship`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Analysis {
    /// The state, in either vocabulary ([`State`](crate::osv::vex::State)); the CycloneDX
    /// writer writes OpenVEX's states in CycloneDX's words (`fixed` → `resolved`).
    pub state: Option<crate::osv::vex::State>,
    /// Why it does not affect, in CycloneDX's words (`code_not_present`, `code_not_reachable`,
    /// `requires_configuration`, `requires_dependency`, `requires_environment`,
    /// `protected_by_compiler`, `protected_at_runtime`, `protected_at_perimeter`,
    /// `protected_by_mitigating_control`).
    pub justification: Option<String>,
    /// Responses (`can_not_fix`, `will_not_fix`, `update`, `rollback`, `workaround_available`).
    pub responses: Vec<String>,
    /// Free text: why, or what to do (SPDX 3 `security_impactStatement` or
    /// `security_statusNotes`).
    pub detail: Option<String>,
    /// When the analysis was first issued (SPDX 3 `security_publishedTime` of the assessment).
    pub first_issued: Option<String>,
    /// When it was last updated (SPDX 3 `security_modifiedTime` of the assessment).
    pub last_updated: Option<String>,
}

/// An element a vulnerability affects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Affected {
    /// The element's document-local id.
    pub target: String,
    /// Versions or ranges and their status (CycloneDX `affects[].versions`).
    pub versions: Vec<AffectedVersion>,
}

impl Affected {
    /// The element `target`, all versions.
    pub fn element(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            versions: Vec::new(),
        }
    }
}

/// A version (or a range in vers syntax) and whether it is affected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AffectedVersion {
    /// One version (`2.14.1`).
    pub version: Option<String>,
    /// A range (`vers:maven/>=2.0.0|<2.15.0`).
    pub range: Option<String>,
    /// `affected`, `unaffected` or `unknown`.
    pub status: Option<String>,
}

/// A license text the document defines (`LicenseRef-…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtractedLicense {
    /// `LicenseRef-…`.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// The text.
    pub text: String,
    /// A comment on the license.
    pub comment: Option<String>,
    /// Where else the license is published (SPDX 2 `seeAlsos`, SPDX 3
    /// `expandedlicensing_seeAlso`).
    pub see_also: Vec<String>,
}

impl Sbom {
    /// An empty SBOM.
    pub fn new() -> Self {
        Self::default()
    }

    /// The package with this id.
    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }

    /// Appends a relationship without looking for an equal one; a reader or generator adding
    /// many calls [`Sbom::dedup_relationships`] once at the end instead (a check per call
    /// made reading a 50,000-package SPDX document quadratic: 25 s).
    pub(crate) fn push_relationship(&mut self, from: &str, kind: RelationshipType, to: &str) {
        self.relationships.push(Relationship {
            from: from.into(),
            kind,
            to: to.into(),
        });
    }

    /// Removes repeated relationships, keeping the first of each and the order, in one pass.
    pub fn dedup_relationships(&mut self) {
        // Marked first, so that the set can borrow the relationships instead of cloning them.
        let keep: Vec<bool> = {
            let mut seen = std::collections::HashSet::with_capacity(self.relationships.len());
            self.relationships.iter().map(|r| seen.insert(r)).collect()
        };
        if keep.iter().all(|&k| k) {
            return;
        }
        let mut keep = keep.into_iter();
        self.relationships.retain(|_| keep.next().unwrap_or(true));
    }

    /// Adds a relationship unless the same one is already there (a linear search: for many,
    /// push them and call [`Sbom::dedup_relationships`]).
    pub fn add_relationship(&mut self, from: &str, kind: RelationshipType, to: &str) {
        let r = Relationship {
            from: from.into(),
            kind,
            to: to.into(),
        };
        if !self.relationships.contains(&r) {
            self.relationships.push(r);
        }
    }

    /// Brings the two SPDX 2 spellings of the same facts to one: `describes` entries are also
    /// `DESCRIBES` relationships from the document and back. Idempotent.
    pub fn normalize(&mut self, document_id: &str) {
        let describes = self.describes.clone();
        for d in &describes {
            self.add_relationship(document_id, RelationshipType::describes(), d);
        }
        let kind = RelationshipType::describes();
        let described: Vec<String> = self
            .relationships
            .iter()
            .filter(|r| r.from == document_id && r.kind == kind)
            .map(|r| r.to.clone())
            .collect();
        for to in described {
            if !self.describes.contains(&to) {
                self.describes.push(to);
            }
        }
    }
}

/// Maps a checksum algorithm name from any format to SPDX 2 spelling: `SHA-256`, `sha256`
/// and `SHA256` give `SHA256`; `SHA3-256` and `BLAKE2b-256` stay.
pub fn spdx_algorithm(alg: &str) -> String {
    let up = alg.to_ascii_uppercase();
    match up.as_str() {
        "SHA-1" => "SHA1".into(),
        "SHA-224" => "SHA224".into(),
        "SHA-256" => "SHA256".into(),
        "SHA-384" => "SHA384".into(),
        "SHA-512" => "SHA512".into(),
        u if u.starts_with("BLAKE2B-") => format!("BLAKE2b-{}", &alg[8..]),
        _ => up,
    }
}

/// Maps an SPDX 2 algorithm name to CycloneDX spelling (`SHA256` → `SHA-256`); `None` for an
/// algorithm CycloneDX has no name for (`SHA224`, `MD2`, `ADLER32`…).
pub fn cyclonedx_algorithm(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "MD5" => "MD5",
        "SHA1" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        "SHA3-256" => "SHA3-256",
        "SHA3-384" => "SHA3-384",
        "SHA3-512" => "SHA3-512",
        "BLAKE2b-256" => "BLAKE2b-256",
        "BLAKE2b-384" => "BLAKE2b-384",
        "BLAKE2b-512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        _ => return None,
    })
}

/// Maps an SPDX 2 algorithm name to SPDX 3 spelling (`SHA256` → `sha256`, `SHA3-256` →
/// `sha3_256`, `BLAKE2b-256` → `blake2b256`).
pub fn spdx3_algorithm(alg: &str) -> String {
    let l = alg.to_ascii_lowercase();
    if let Some(rest) = l.strip_prefix("blake2b-") {
        return format!("blake2b{rest}");
    }
    l.replace('-', "_")
}

/// The reverse of [`spdx3_algorithm`].
pub fn from_spdx3_algorithm(alg: &str) -> String {
    if let Some(rest) = alg.strip_prefix("blake2b") {
        return format!("BLAKE2b-{rest}");
    }
    alg.to_ascii_uppercase().replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_spellings() {
        let r = RelationshipType::parse("dependsOn");
        assert_eq!(r.as_str(), "DEPENDS_ON");
        assert_eq!(r.to_spdx3().kind, "dependsOn");
        let dev = RelationshipType::parse("DEV_DEPENDENCY_OF").to_spdx3();
        assert_eq!(
            (dev.kind, dev.swap, dev.scope),
            ("dependsOn", true, Some("development"))
        );
        assert_eq!(
            RelationshipType::from_spdx3("dependsOn", Some("development")),
            (RelationshipType::parse("DEV_DEPENDENCY_OF"), true)
        );
        assert_eq!(
            RelationshipType::from_spdx3("dependsOn", None),
            (RelationshipType::depends_on(), false)
        );
        assert_eq!(
            RelationshipType::from_spdx3("dependsOn", Some("design")),
            (RelationshipType::depends_on(), false)
        );
        // A type SPDX 2 lacks keeps its SPDX 3 name, and goes back as it came.
        let uses = RelationshipType::from_spdx3("usesTool", None).0;
        assert_eq!(uses.as_str(), "USES_TOOL");
        assert_eq!(uses.to_spdx3().kind, "usesTool");
        assert_eq!(RelationshipType::parse("MADE_UP").to_spdx3().kind, "other");
        assert_eq!(
            RelationshipType::parse("hasConcludedLicense").as_str(),
            "HAS_CONCLUDED_LICENSE"
        );
    }

    #[test]
    fn properties_keep_order_repeats_and_empty_strings() {
        let mut p = Properties::new();
        assert!(p.is_empty());
        p.push("a", "1");
        p.push("", "");
        p.push("ünï", "cödé=x");
        p.push("a", "2");
        assert_eq!(p.len(), 4);
        let all: Vec<_> = p.iter().collect();
        assert_eq!(all, [("a", "1"), ("", ""), ("ünï", "cödé=x"), ("a", "2")]);
        assert_eq!(p.iter().len(), 4);
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert!(p.contains("a", "2") && !p.contains("a", "3"));
        let again: Properties = all.iter().copied().collect();
        assert_eq!(again, p);
        p.retain(|n, _| n == "a");
        assert_eq!(p.iter().collect::<Vec<_>>(), [("a", "1"), ("a", "2")]);
        assert_eq!(format!("{p:?}"), r#"[("a", "1"), ("a", "2")]"#);
        // Equal properties are equal however they were built.
        let owned: Properties = [Property {
            name: "a".into(),
            value: "1".into(),
        }]
        .into_iter()
        .collect();
        let mut built = Properties::with_capacity(1, 2);
        built.push("a", "1");
        assert_eq!(owned, built);
    }

    #[test]
    fn common_relationship_types_are_static_and_equal_to_parsed_ones() {
        assert_eq!(
            RelationshipType::parse("DEPENDS_ON"),
            RelationshipType::depends_on()
        );
        assert_eq!(
            RelationshipType::parse("dependsOn"),
            RelationshipType::depends_on()
        );
        assert!(matches!(
            RelationshipType::parse("CONTAINS").0,
            Cow::Borrowed(_)
        ));
        assert_eq!(RelationshipType::parse("PATCH_FOR").as_str(), "PATCH_FOR");
    }

    #[test]
    fn annotators_and_their_spdx_spelling() {
        let org = Annotator::from_spdx("Organization: Acme, Inc. (psirt@acme.example)");
        let Some(Annotator::Organization(o)) = &org else {
            panic!("{org:?}");
        };
        assert_eq!(o.name.as_deref(), Some("Acme, Inc."));
        assert_eq!(o.contacts[0].email.as_deref(), Some("psirt@acme.example"));
        let person = Annotator::from_spdx("Person: Jane Doe ()");
        assert_eq!(
            person.as_ref().map(Annotator::to_spdx).as_deref(),
            Some("Person: Jane Doe")
        );
        let tool = Annotator::from_spdx("Tool: scan-er-2.1");
        let Some(Annotator::Component(p)) = &tool else {
            panic!("{tool:?}");
        };
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("scan-er", Some("2.1"))
        );
        assert_eq!(
            tool.as_ref().map(Annotator::to_spdx).as_deref(),
            Some("Tool: scan-er-2.1")
        );
        assert_eq!(Annotator::from_spdx("NOASSERTION"), None);
        assert_eq!(
            Annotator::Organization(OrganizationalEntity::default()).to_spdx(),
            "NOASSERTION"
        );
        // The detail is authoritative; the string is derived from it.
        let mut a = Annotation {
            annotator: "Person: stale".into(),
            ..Annotation::default()
        };
        assert_eq!(
            a.annotator_entity().as_deref(),
            Annotator::from_spdx("Person: stale").as_ref()
        );
        let svc = Service {
            name: "annotator".into(),
            version: Some("1".into()),
            ..Service::default()
        };
        a.set_annotator(Annotator::Service(Box::new(svc)));
        assert_eq!(a.annotator, "Tool: annotator-1");
        assert!(matches!(
            a.annotator_entity().as_deref(),
            Some(Annotator::Service(_))
        ));
    }

    #[test]
    fn algorithms() {
        assert_eq!(spdx_algorithm("SHA-256"), "SHA256");
        assert_eq!(spdx_algorithm("blake2b-256"), "BLAKE2b-256");
        assert_eq!(cyclonedx_algorithm("SHA256"), Some("SHA-256"));
        assert_eq!(spdx3_algorithm("SHA3-256"), "sha3_256");
        assert_eq!(from_spdx3_algorithm("sha3_256"), "SHA3-256");
        assert_eq!(from_spdx3_algorithm("blake2b256"), "BLAKE2b-256");
    }
}
