//! An [`ArtifactVerifier`] for SBOMs attached to an image: [`PolicyVerifier`] reads every
//! SPDX or CycloneDX blob of an attachment (bounded), and passes it when its packages meet a
//! license and package [`Policy`].
//!
//! It checks content, not origin: an SBOM anyone could have attached is only as good as the
//! signature over it, so an admission policy should also require a signature verifier over
//! the same subject. What it proves is "an attached SBOM says these packages, and they pass".
//!
//! ```
//! use supply_sbom::license::policy::Policy;
//! use supply_sbom::verify::PolicyVerifier;
//! use supply_sig::digest::{Algorithm, Digest};
//! use supply_sig::time::Timestamp;
//! use supply_sig::verify::{dispatch, AdmissionPolicy, Attachment, Requirement, Subject};
//!
//! let sbom = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
//!   "components": [{"type": "library", "name": "left-pad", "version": "1.3.0",
//!     "purl": "pkg:npm/left-pad@1.3.0", "licenses": [{"license": {"id": "MIT"}}]}]}"#;
//! let image = Digest::from_hex(Algorithm::Sha256, &"ab".repeat(32))?;
//! let manifest = br#"{"schemaVersion":2}"#.to_vec();
//! let attachment = Attachment::new(
//!     Algorithm::Sha256.digest(&manifest), "application/vnd.cyclonedx+json", manifest)
//!     .with_subject(image)
//!     .with_blob("application/vnd.cyclonedx+json", sbom.to_vec());
//! let verifier = PolicyVerifier::new(Policy::new().deny("AGPL-3.0-or-later")?);
//! let report = dispatch(&Subject::new(image), &[attachment], &[&verifier], Timestamp::from_unix(0));
//! let evidence = report.passes_by(PolicyVerifier::NAME).next().ok_or("no pass")?;
//! assert_eq!(evidence.facts()["sbom.components"], "1");
//! AdmissionPolicy::new().require(Requirement::passed_by(PolicyVerifier::NAME)).evaluate(&report)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use supply_sig::time::Timestamp;
use supply_sig::verify::{ArtifactVerifier, Attachment, Evidence, Subject, Verdict};

use crate::format::{self, Format};
use crate::license::policy::{Finding, Policy};
use crate::limits::{LimitExceeded, MAX_ATTACHED_SBOM_LEN};

/// Media types (OCI artifact types and layer media types) of SPDX documents.
pub const SPDX_MEDIA_TYPES: &[&str] = &[
    "application/spdx+json",
    "text/spdx+json",
    "text/spdx",
    "application/spdx+yaml",
    "text/spdx+yaml",
    "application/spdx+jsonld",
    "application/spdx+ld+json",
];

/// Media types of CycloneDX documents.
pub const CYCLONEDX_MEDIA_TYPES: &[&str] = &[
    "application/vnd.cyclonedx+json",
    "application/vnd.cyclonedx+xml",
    "application/vnd.cyclonedx",
];

/// The format family a media type announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Spdx,
    CycloneDx,
}

fn family(media_type: &str) -> Option<Family> {
    // Parameters (`; version=1.6`) do not change the family.
    let base = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if SPDX_MEDIA_TYPES.contains(&base.as_str()) {
        Some(Family::Spdx)
    } else if CYCLONEDX_MEDIA_TYPES.contains(&base.as_str()) {
        Some(Family::CycloneDx)
    } else {
        None
    }
}

fn family_of(format: Format) -> Family {
    match format {
        Format::CycloneDxJson(_) | Format::CycloneDxXml(_) => Family::CycloneDx,
        _ => Family::Spdx,
    }
}

/// The name of a format for evidence facts (`spdx-2.3-json`, `cyclonedx-1.4-xml`).
fn format_name(format: Format) -> String {
    let spdx = |v: crate::spdx2::Version| match v {
        crate::spdx2::Version::V2_2 => "2.2",
        crate::spdx2::Version::V2_3 => "2.3",
    };
    match format {
        Format::Spdx2Json(v) => format!("spdx-{}-json", spdx(v)),
        Format::Spdx2Yaml(v) => format!("spdx-{}-yaml", spdx(v)),
        Format::Spdx2TagValue(v) => format!("spdx-{}-tag-value", spdx(v)),
        Format::Spdx3JsonLd => "spdx-3.0-jsonld".to_owned(),
        Format::CycloneDxJson(v) => format!("cyclonedx-{}-json", v.as_str()),
        Format::CycloneDxXml(v) => format!("cyclonedx-{}-xml", v.as_str()),
    }
}

/// Why an attached SBOM was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The blob is larger than the verifier reads.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The blob is not a readable SBOM.
    #[error("attached SBOM blob {digest} is not readable")]
    Unreadable {
        /// The blob's digest.
        digest: String,
        /// Why.
        #[source]
        source: format::Error,
    },
    /// The blob's media type says one format and its content is another.
    #[error("attached SBOM blob {digest} is declared {declared} but its content is {found}")]
    FormatMismatch {
        /// The blob's digest.
        digest: String,
        /// The media type declared.
        declared: String,
        /// The format read.
        found: String,
    },
    /// The document breaks its format's schema or spec rules (only with
    /// [`PolicyVerifier::require_valid`]).
    #[error("attached SBOM blob {digest} is not a valid {format} document ({issues} issues)")]
    Invalid {
        /// The blob's digest.
        digest: String,
        /// The format read.
        format: String,
        /// How many issues.
        issues: usize,
    },
    /// Packages break the policy.
    #[error("attached SBOM blob {digest}: {} policy violation(s), first: {}", violations.len(), first(violations))]
    PolicyViolation {
        /// The blob's digest.
        digest: String,
        /// Every violation (findings to review are not violations).
        violations: Vec<Finding>,
    },
}

fn first(v: &[Finding]) -> String {
    v.first().map(ToString::to_string).unwrap_or_default()
}

/// Checks SBOMs attached to a subject against a license and package policy.
#[derive(Debug, Clone)]
pub struct PolicyVerifier {
    policy: Policy,
    max_len: usize,
    require_valid: bool,
}

impl PolicyVerifier {
    /// The verifier's name, what an admission [`Requirement`](supply_sig::verify::Requirement)
    /// names.
    pub const NAME: &'static str = "sbom-policy";

    /// A verifier applying `policy`, reading blobs up to [`MAX_ATTACHED_SBOM_LEN`] bytes.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            max_len: MAX_ATTACHED_SBOM_LEN,
            require_valid: false,
        }
    }

    /// A tighter (or looser) byte cap on each SBOM blob.
    #[must_use]
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Also fail a document that breaks its format's schema or spec rules (by default, as
    /// real tools write slightly invalid SBOMs, only the policy decides).
    #[must_use]
    pub fn require_valid(mut self, yes: bool) -> Self {
        self.require_valid = yes;
        self
    }

    /// Checks one SBOM blob: the evidence facts on success.
    ///
    /// # Errors
    /// [`Error`] for an oversized, unreadable, mismatched or (optionally) invalid document,
    /// or one whose packages break the policy.
    pub fn check_blob(
        &self,
        media_type: &str,
        digest: &str,
        bytes: &[u8],
    ) -> Result<Vec<(String, String)>, Error> {
        if bytes.len() > self.max_len {
            return Err(LimitExceeded::new("attached SBOM", self.max_len)
                .with_actual(bytes.len())
                .into());
        }
        let doc = format::read(bytes).map_err(|source| Error::Unreadable {
            digest: digest.to_owned(),
            source,
        })?;
        let name = format_name(doc.format);
        if let Some(declared) = family(media_type) {
            if declared != family_of(doc.format) {
                return Err(Error::FormatMismatch {
                    digest: digest.to_owned(),
                    declared: media_type.to_owned(),
                    found: name,
                });
            }
        }
        if self.require_valid && !doc.report.is_valid() {
            return Err(Error::Invalid {
                digest: digest.to_owned(),
                format: name,
                issues: doc.report.issues().len(),
            });
        }
        let findings = self.policy.check_sbom(&doc.sbom);
        let (violations, review): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(Finding::is_violation);
        if !violations.is_empty() {
            return Err(Error::PolicyViolation {
                digest: digest.to_owned(),
                violations,
            });
        }
        Ok(vec![
            ("sbom.format".to_owned(), name),
            (
                "sbom.components".to_owned(),
                doc.sbom.packages.len().to_string(),
            ),
            ("sbom.files".to_owned(), doc.sbom.files.len().to_string()),
            ("sbom.review".to_owned(), review.len().to_string()),
            ("sbom.valid".to_owned(), doc.report.is_valid().to_string()),
        ])
    }
}

impl ArtifactVerifier for PolicyVerifier {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn handles(&self, attachment: &Attachment) -> bool {
        family(attachment.artifact_type()).is_some()
            || attachment
                .blobs()
                .iter()
                .any(|b| family(b.media_type()).is_some())
    }

    fn verify(&self, _subject: &Subject, attachment: &Attachment, _now: Timestamp) -> Verdict {
        // The SBOM blobs: those with an SBOM media type; a manifest typed as an SBOM whose
        // single layer has a generic type (`application/octet-stream`) is read as the SBOM.
        let mut blobs: Vec<_> = attachment
            .blobs()
            .iter()
            .filter(|b| family(b.media_type()).is_some())
            .map(|b| (b.media_type(), b))
            .collect();
        if blobs.is_empty() && family(attachment.artifact_type()).is_some() {
            blobs = attachment
                .blobs()
                .iter()
                .map(|b| (attachment.artifact_type(), b))
                .collect();
        }
        if blobs.is_empty() {
            return Verdict::not_applicable("no SBOM blob");
        }
        let mut evidence = Evidence::new();
        // Every SBOM blob must pass: one failing document fails the attachment.
        for (i, (media_type, blob)) in blobs.iter().enumerate() {
            let digest = blob.digest().to_string();
            match self.check_blob(media_type, &digest, blob.bytes()) {
                Ok(facts) => {
                    for (k, v) in facts {
                        let key = if blobs.len() == 1 {
                            k
                        } else {
                            format!("{k}.{i}")
                        };
                        evidence = evidence.with_fact(key, v);
                    }
                }
                Err(e) => return Verdict::failed(e),
            }
        }
        Verdict::Passed(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_families() {
        assert_eq!(family("application/spdx+json"), Some(Family::Spdx));
        assert_eq!(
            family("application/vnd.cyclonedx+json; version=1.6"),
            Some(Family::CycloneDx)
        );
        assert_eq!(family("application/vnd.in-toto+json"), None);
    }
}
