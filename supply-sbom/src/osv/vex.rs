//! VEX: statements that a vulnerability does not (or does) affect a product, from OpenVEX
//! documents (<https://github.com/openvex/spec>, v0.2.0), CycloneDX `vulnerabilities[]`
//! with `analysis` (1.4–1.7) and SPDX 3.0 documents' VEX relationships (Security profile:
//! `security_Vex*VulnAssessmentRelationship` from a `security_Vulnerability` to products),
//! applied to findings. A finding a statement suppresses stays in
//! the report, marked suppressed with that statement — never silently dropped.
//!
//! Products are matched by package URL: a product purl names a package (`pkg:cargo/net2`)
//! or one version of it (`pkg:cargo/net2@0.2.33`; qualifiers ignored). A statement with no
//! product applies to every package. CycloneDX `bom-ref`s that are not purls cannot be
//! resolved without the SBOM and match nothing here.

use serde_json::Value;

use super::db::Finding;
use super::ecosystem::PackageRef;
use crate::limits::{LimitExceeded, MAX_VEX_LEN, MAX_VEX_STATEMENTS};

/// A VEX status, OpenVEX's and CycloneDX's vocabularies together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// OpenVEX `not_affected` / CycloneDX `not_affected`.
    NotAffected,
    /// CycloneDX `false_positive`.
    FalsePositive,
    /// OpenVEX `fixed`.
    Fixed,
    /// CycloneDX `resolved`.
    Resolved,
    /// CycloneDX `resolved_with_pedigree`.
    ResolvedWithPedigree,
    /// OpenVEX `affected`.
    Affected,
    /// CycloneDX `exploitable`.
    Exploitable,
    /// OpenVEX `under_investigation`.
    UnderInvestigation,
    /// CycloneDX `in_triage`.
    InTriage,
}

impl State {
    /// Reads an OpenVEX status or a CycloneDX analysis state.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "not_affected" => Self::NotAffected,
            "false_positive" => Self::FalsePositive,
            "fixed" => Self::Fixed,
            "resolved" => Self::Resolved,
            "resolved_with_pedigree" => Self::ResolvedWithPedigree,
            "affected" => Self::Affected,
            "exploitable" => Self::Exploitable,
            "under_investigation" => Self::UnderInvestigation,
            "in_triage" => Self::InTriage,
            _ => return None,
        })
    }

    /// The name as written in the documents.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAffected => "not_affected",
            Self::FalsePositive => "false_positive",
            Self::Fixed => "fixed",
            Self::Resolved => "resolved",
            Self::ResolvedWithPedigree => "resolved_with_pedigree",
            Self::Affected => "affected",
            Self::Exploitable => "exploitable",
            Self::UnderInvestigation => "under_investigation",
            Self::InTriage => "in_triage",
        }
    }

    /// Whether the state says the finding does not apply (so it is reported suppressed).
    #[must_use]
    pub fn suppresses(self) -> bool {
        matches!(
            self,
            Self::NotAffected
                | Self::FalsePositive
                | Self::Fixed
                | Self::Resolved
                | Self::ResolvedWithPedigree
        )
    }
}

/// One VEX statement.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement {
    /// The vulnerability id and its aliases as the statement names them.
    pub vulnerability: Vec<String>,
    /// Product purls (or other references); empty = every product.
    pub products: Vec<String>,
    /// The status.
    pub state: State,
    /// OpenVEX `justification` / CycloneDX `analysis.justification`.
    pub justification: Option<String>,
    /// OpenVEX `impact_statement` or `status_notes` / CycloneDX `analysis.detail`.
    pub detail: Option<String>,
    /// Where the statement comes from (the document's `@id` or serial number).
    pub source: Option<String>,
}

/// Why a VEX document was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Too large, or too many statements.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Not JSON.
    #[error("VEX document is not JSON")]
    Json(#[source] serde_json::Error),
    /// XML that is not well-formed (CycloneDX XML is the only XML read).
    #[error("VEX document is not well-formed XML")]
    Xml(#[source] crate::cyclonedx::XmlError),
    /// Neither an OpenVEX document, a CycloneDX BOM nor an SPDX 3 document.
    #[error("not an OpenVEX, CycloneDX or SPDX 3 document")]
    UnknownFormat,
    /// A statement without a vulnerability, or with an unknown status.
    #[error("VEX statement {index}: {reason}")]
    Statement {
        /// 0-based statement index.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// OpenVEX requires a justification or an impact statement for `not_affected`.
    #[error("VEX statement {index}: not_affected without justification or impact_statement")]
    MissingJustification {
        /// 0-based statement index.
        index: usize,
    },
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Reads the statements of an OpenVEX document, of a CycloneDX BOM's `vulnerabilities[]` (JSON
/// or XML; entries without `analysis.state` carry no statement and are skipped) or of an SPDX 3
/// document's VEX relationships.
///
/// # Errors
/// See [`Error`].
pub fn parse(json: &[u8]) -> Result<Vec<Statement>, Error> {
    if json.len() > MAX_VEX_LEN {
        return Err(LimitExceeded::new("VEX document", MAX_VEX_LEN)
            .with_actual(json.len())
            .into());
    }
    let doc: Value = if json.trim_ascii_start().starts_with(b"<") {
        // CycloneDX XML: the same BOM as its JSON value.
        let mut scratch = crate::validate::Report::default();
        match crate::cyclonedx::xml_document(json, &mut scratch).map_err(Error::Xml)? {
            Some((_, doc)) => doc,
            None => return Err(Error::UnknownFormat),
        }
    } else {
        serde_json::from_slice(json).map_err(Error::Json)?
    };
    let mut out = Vec::new();
    if doc
        .get("@context")
        .and_then(Value::as_str)
        .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
    {
        let source = str_of(&doc, "@id");
        let statements = doc.get("statements").and_then(Value::as_array);
        for (index, s) in statements.into_iter().flatten().enumerate() {
            let bad = |reason| Error::Statement { index, reason };
            let v = s.get("vulnerability");
            let mut ids: Vec<String> = Vec::new();
            match v {
                Some(Value::String(id)) => ids.push(id.clone()),
                Some(obj @ Value::Object(_)) => {
                    ids.extend(str_of(obj, "name"));
                    ids.extend(
                        obj.get("aliases")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                }
                _ => {}
            }
            if ids.is_empty() {
                return Err(bad("no vulnerability"));
            }
            let state = s
                .get("status")
                .and_then(Value::as_str)
                .and_then(State::from_name)
                .ok_or_else(|| bad("unknown status"))?;
            let mut products = Vec::new();
            for p in s
                .get("products")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match p {
                    Value::String(id) => products.push(id.clone()),
                    obj => {
                        products.extend(str_of(obj, "@id"));
                        if let Some(ids) = obj.get("identifiers") {
                            products.extend(str_of(ids, "purl"));
                        }
                        for sub in obj
                            .get("subcomponents")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            products.extend(str_of(sub, "@id"));
                            if let Some(ids) = sub.get("identifiers") {
                                products.extend(str_of(ids, "purl"));
                            }
                        }
                    }
                }
            }
            let justification = str_of(s, "justification");
            let detail = str_of(s, "impact_statement").or_else(|| str_of(s, "status_notes"));
            if state == State::NotAffected && justification.is_none() && detail.is_none() {
                return Err(Error::MissingJustification { index });
            }
            push(
                &mut out,
                Statement {
                    vulnerability: ids,
                    products,
                    state,
                    justification,
                    detail,
                    source: source.clone(),
                },
            )?;
        }
        return Ok(out);
    }
    if let Some(graph) = spdx3_graph(&doc) {
        return spdx3_statements(graph);
    }
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let source = str_of(&doc, "serialNumber");
        let vulns = doc.get("vulnerabilities").and_then(Value::as_array);
        for (index, v) in vulns.into_iter().flatten().enumerate() {
            let Some(analysis) = v.get("analysis") else {
                continue;
            };
            let Some(state) = analysis.get("state").and_then(Value::as_str) else {
                continue;
            };
            let state = State::from_name(state).ok_or(Error::Statement {
                index,
                reason: "unknown analysis state",
            })?;
            let mut ids: Vec<String> = str_of(v, "id").into_iter().collect();
            for r in v
                .get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                ids.extend(str_of(r, "id"));
            }
            if ids.is_empty() {
                return Err(Error::Statement {
                    index,
                    reason: "no vulnerability id",
                });
            }
            let products = v
                .get("affects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| str_of(a, "ref"))
                .collect();
            push(
                &mut out,
                Statement {
                    vulnerability: ids,
                    products,
                    state,
                    justification: str_of(analysis, "justification"),
                    detail: str_of(analysis, "detail"),
                    source: source.clone(),
                },
            )?;
        }
        return Ok(out);
    }
    Err(Error::UnknownFormat)
}

/// Adds a statement, under [`MAX_VEX_STATEMENTS`].
fn push(out: &mut Vec<Statement>, statement: Statement) -> Result<(), Error> {
    if out.len() >= MAX_VEX_STATEMENTS {
        return Err(LimitExceeded::new("VEX statements", MAX_VEX_STATEMENTS).into());
    }
    out.push(statement);
    Ok(())
}

/// The `@graph` of an SPDX 3 JSON-LD document (its context names the SPDX 3 model).
fn spdx3_graph(doc: &Value) -> Option<&[Value]> {
    let spdx3 = |c: &Value| c.as_str().is_some_and(|c| c.contains("spdx.org/rdf/3."));
    let context = doc.get("@context")?;
    let is_spdx3 = match context {
        Value::Array(cs) => cs.iter().any(spdx3),
        c => spdx3(c),
    };
    if !is_spdx3 {
        return None;
    }
    doc.get("@graph")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
}

/// An SPDX 3 VEX relationship type's status (Security profile, 3.0.1).
fn spdx3_state(element_type: &str) -> Option<State> {
    Some(match element_type {
        "security_VexNotAffectedVulnAssessmentRelationship" => State::NotAffected,
        "security_VexFixedVulnAssessmentRelationship" => State::Fixed,
        "security_VexAffectedVulnAssessmentRelationship" => State::Affected,
        "security_VexUnderInvestigationVulnAssessmentRelationship" => State::UnderInvestigation,
        _ => return None,
    })
}

/// SPDX 3's `VexJustificationType` in OpenVEX's words, so that every source reads alike.
fn spdx3_justification(j: &str) -> String {
    let name = j.rsplit(['/', '#']).next().unwrap_or(j);
    match name {
        "componentNotPresent" => "component_not_present",
        "vulnerableCodeNotPresent" => "vulnerable_code_not_present",
        "vulnerableCodeNotInExecutePath" => "vulnerable_code_not_in_execute_path",
        "vulnerableCodeCannotBeControlledByAdversary" => {
            "vulnerable_code_cannot_be_controlled_by_adversary"
        }
        "inlineMitigationsAlreadyExist" => "inline_mitigations_already_exist",
        other => other,
    }
    .to_owned()
}

/// The statements of an SPDX 3 document's VEX relationships: `from` a `security_Vulnerability`
/// (its CVE and other external identifiers, else its id), `to` the products (a package's
/// `software_packageUrl`, else the element id), the status from the relationship's type.
fn spdx3_statements(graph: &[Value]) -> Result<Vec<Statement>, Error> {
    let id = |e: &Value| str_of(e, "spdxId").or_else(|| str_of(e, "@id"));
    let by_id: std::collections::HashMap<String, &Value> =
        graph.iter().filter_map(|e| Some((id(e)?, e))).collect();
    let source = graph
        .iter()
        .find(|e| e.get("type").and_then(Value::as_str) == Some("SpdxDocument"))
        .and_then(id);
    let mut out = Vec::new();
    for (index, e) in graph.iter().enumerate() {
        let Some(state) = e.get("type").and_then(Value::as_str).and_then(spdx3_state) else {
            continue;
        };
        let bad = |reason| Error::Statement { index, reason };
        let from = str_of(e, "from").ok_or_else(|| bad("no vulnerability (`from`)"))?;
        let mut ids: Vec<String> = Vec::new();
        if let Some(v) = by_id.get(&from) {
            ids.extend(
                v.get("externalIdentifier")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| str_of(x, "identifier")),
            );
            ids.extend(str_of(v, "name"));
        }
        if ids.is_empty() {
            ids.push(from);
        }
        let products = e
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|p| {
                by_id
                    .get(p)
                    .and_then(|el| str_of(el, "software_packageUrl"))
                    .unwrap_or_else(|| p.to_owned())
            })
            .collect();
        let justification =
            str_of(e, "security_justificationType").map(|j| spdx3_justification(&j));
        let detail = str_of(e, "security_impactStatement")
            .or_else(|| str_of(e, "security_statusNotes"))
            .or_else(|| str_of(e, "security_actionStatement"));
        push(
            &mut out,
            Statement {
                vulnerability: ids,
                products,
                state,
                justification,
                detail,
                source: source.clone(),
            },
        )?;
    }
    Ok(out)
}

/// The purl type of an OSV ecosystem, for matching VEX products.
fn purl_type(ecosystem_base: &str) -> Option<&'static str> {
    Some(match ecosystem_base {
        "crates.io" => "cargo",
        "npm" => "npm",
        "PyPI" => "pypi",
        "Go" => "golang",
        "Maven" => "maven",
        "RubyGems" => "gem",
        "NuGet" => "nuget",
        "Debian" => "deb",
        "Ubuntu" => "deb",
        "Alpine" => "apk",
        "Packagist" => "composer",
        "Pub" => "pub",
        "Hex" => "hex",
        "CRAN" => "cran",
        "Hackage" => "hackage",
        "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" => "rpm",
        _ => return None,
    })
}

fn decode(s: &str) -> String {
    s.replace("%40", "@")
        .replace("%2F", "/")
        .replace("%2f", "/")
        .replace("%2B", "+")
        .replace("%2b", "+")
        .replace("%3A", ":")
        .replace("%3a", ":")
}

/// Whether a product purl names `pkg` (its version, when the purl has one).
#[must_use]
pub fn product_matches(product: &str, pkg: &PackageRef) -> bool {
    let Some(rest) = product.strip_prefix("pkg:") else {
        return false;
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let Some((ty, path)) = rest.split_once('/') else {
        return false;
    };
    let base = pkg.ecosystem.base();
    if Some(ty.to_ascii_lowercase().as_str()) != purl_type(base) {
        return false;
    }
    let (path, version) = match path.rsplit_once('@') {
        // An `@` in the last segment is the version (an npm scope is `%40` or sits before
        // a `/`).
        Some((p, v)) if !v.contains('/') => (p, Some(decode(v))),
        _ => (path, None),
    };
    let path = decode(path);
    // Distribution purls carry a vendor namespace (`deb/debian/openssl`); Maven's is the
    // group, written `group:artifact` in OSV.
    let name = match ty {
        "deb" | "apk" | "rpm" => path.rsplit('/').next().unwrap_or("").to_owned(),
        "maven" => path.replacen('/', ":", 1),
        _ => path,
    };
    let same_name = super::normalize_name(base, &name) == pkg.normalized_name()
        || (ty == "pypi" && name.eq_ignore_ascii_case(&pkg.name));
    same_name
        && version.is_none_or(|v| {
            v == pkg.version || v.trim_start_matches('v') == pkg.version.trim_start_matches('v')
        })
}

impl Statement {
    /// Whether this statement is about `finding` (by id or alias) and its package.
    #[must_use]
    pub fn applies_to(&self, finding: &Finding) -> bool {
        self.vulnerability.iter().any(|id| finding.is_known_as(id))
            && (self.products.is_empty()
                || self
                    .products
                    .iter()
                    .any(|p| product_matches(p, &finding.package)))
    }
}

/// A finding with the VEX statement that decides it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assessed {
    /// The finding.
    pub finding: Finding,
    /// The last statement that applies (documents are read in order; a later statement
    /// overrides an earlier one, as OpenVEX's timeline does).
    pub statement: Option<Statement>,
}

impl Assessed {
    /// Whether a statement suppresses the finding.
    #[must_use]
    pub fn is_suppressed(&self) -> bool {
        self.statement
            .as_ref()
            .is_some_and(|s| s.state.suppresses())
    }
}

/// Pairs every finding with the last applicable statement. Nothing is dropped.
#[must_use]
pub fn apply(findings: Vec<Finding>, statements: &[Statement]) -> Vec<Assessed> {
    findings
        .into_iter()
        .map(|finding| {
            let statement = statements
                .iter()
                .rev()
                .find(|s| s.applies_to(&finding))
                .cloned();
            Assessed { finding, statement }
        })
        .collect()
}
