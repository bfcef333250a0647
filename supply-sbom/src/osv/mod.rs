//! OSV: the vulnerability record (schema 1.7), range evaluation with each ecosystem's real
//! version order, an offline database (a folder of records or the per-ecosystem zip files
//! osv.dev publishes) and matching of packages to findings.
//!
//! ```
//! use supply_sbom::osv::{PackageRef, Record};
//!
//! let record = Record::from_json(br#"{
//!   "id": "PYSEC-2023-62", "modified": "2023-05-02T00:00:00Z",
//!   "affected": [{"package": {"ecosystem": "PyPI", "name": "flask"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "2.2.5"}, {"introduced": "0"}]}]}]
//! }"#)?;
//! assert!(record.affects(&PackageRef::new("PyPI", "Flask", "1.0.0")));
//! assert!(!record.affects(&PackageRef::new("PyPI", "flask", "2.2.5")));
//! # Ok::<(), supply_sbom::osv::Error>(())
//! ```

pub mod cvss;
pub mod db;
mod ecosystem;
mod eval;
pub mod inventory;
mod model;
pub mod report;
pub mod vex;

pub use cvss::{Cvss, CvssVersion, Level};
pub use db::{Database, Finding, LoadOptions, LoadReport};
pub use ecosystem::{normalize_name, Ecosystem, PackageRef};
pub use model::{
    Affected, Credit, Event, EventKind, Extra, Package, Range, RangeType, Record, Reference, Score,
    Severity, SeverityType,
};

use crate::limits::{LimitExceeded, MAX_OSV_AFFECTED, MAX_OSV_EVENTS, MAX_OSV_RECORD_LEN};

/// Why an OSV record was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A size or count cap was exceeded.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The bytes are not strict JSON (syntax, encoding, duplicate key, nesting depth).
    #[error("record is not strict JSON")]
    Json(#[source] supply_sig::cjson::Error),
    /// The JSON does not have the record's shape (a missing `id`, a wrong type).
    #[error("record does not follow the OSV schema")]
    Shape(#[source] serde_json::Error),
    /// A rule of the schema that the shape alone does not enforce.
    #[error("OSV record {id:?}: {rule}")]
    Invalid {
        /// The record's id.
        id: String,
        /// The rule broken.
        rule: Rule,
    },
}

/// Schema rules checked by [`Record::validate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rule {
    /// `id` is empty.
    #[error("empty id")]
    EmptyId,
    /// An event sets none or several of `introduced`/`fixed`/`last_affected`/`limit`.
    #[error("range event must set exactly one of introduced, fixed, last_affected, limit")]
    EventShape,
    /// A range has no `introduced` event (osv-linter RNG:001).
    #[error("range without an introduced event")]
    NoIntroduced,
    /// A range has no events.
    #[error("range without events")]
    NoEvents,
    /// A GIT range without `repo`.
    #[error("GIT range without repo")]
    GitWithoutRepo,
    /// `limit` outside a GIT range.
    #[error("limit event outside a GIT range")]
    LimitOutsideGit,
    /// An empty package name or ecosystem.
    #[error("empty package name or ecosystem")]
    EmptyPackage,
}

impl Record {
    /// Reads one record from JSON: strict RFC 8259 (no duplicate keys), at most
    /// [`MAX_OSV_RECORD_LEN`] bytes, then [`validate`](Self::validate)d.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`], [`Error::Json`], [`Error::Shape`] or [`Error::Invalid`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        Self::from_json_with_limit(json, MAX_OSV_RECORD_LEN)
    }

    /// As [`from_json`](Self::from_json) with a tighter (or looser) byte cap.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json).
    pub fn from_json_with_limit(json: &[u8], max_len: usize) -> Result<Self, Error> {
        if json.len() > max_len {
            return Err(LimitExceeded::new("OSV record JSON", max_len)
                .with_actual(json.len())
                .into());
        }
        let mut limits = supply_sig::limits::Limits::default();
        limits.json_len = max_len;
        // The JCS reader is the strict one (grammar, UTF-8, duplicate keys, depth); its
        // canonical output is not used.
        supply_sig::cjson::jcs::canonicalize_with_limits(json, &limits).map_err(Error::Json)?;
        let record: Self = serde_json::from_slice(json).map_err(Error::Shape)?;
        record.validate()?;
        Ok(record)
    }

    /// Checks the rules of the schema and the linter that serde's shape does not: exactly
    /// one field per event, an `introduced` in every range, `repo` on GIT ranges, `limit`
    /// only in GIT ranges, non-empty ids and package names, and the count caps.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the rule, or [`Error::LimitExceeded`].
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |rule| Error::Invalid {
            id: self.id.chars().take(128).collect(),
            rule,
        };
        if self.id.is_empty() {
            return Err(bad(Rule::EmptyId));
        }
        if self.affected.len() > MAX_OSV_AFFECTED {
            return Err(LimitExceeded::new("OSV affected entries", MAX_OSV_AFFECTED)
                .with_actual(self.affected.len())
                .into());
        }
        for a in &self.affected {
            if let Some(p) = &a.package {
                if p.name.is_empty() || p.ecosystem.is_empty() {
                    return Err(bad(Rule::EmptyPackage));
                }
            }
            for r in &a.ranges {
                if r.events.is_empty() {
                    return Err(bad(Rule::NoEvents));
                }
                if r.events.len() > MAX_OSV_EVENTS {
                    return Err(LimitExceeded::new("OSV range events", MAX_OSV_EVENTS)
                        .with_actual(r.events.len())
                        .into());
                }
                let mut introduced = false;
                for e in &r.events {
                    match e.get() {
                        None => return Err(bad(Rule::EventShape)),
                        Some((EventKind::Introduced, _)) => introduced = true,
                        Some((EventKind::Limit, _)) if r.kind != RangeType::Git => {
                            return Err(bad(Rule::LimitOutsideGit))
                        }
                        Some(_) => {}
                    }
                }
                if !introduced {
                    return Err(bad(Rule::NoIntroduced));
                }
                if r.kind == RangeType::Git && r.repo.as_deref().is_none_or(str::is_empty) {
                    return Err(bad(Rule::GitWithoutRepo));
                }
            }
        }
        Ok(())
    }

    /// Writes the record back as JSON (unknown fields included).
    ///
    /// # Errors
    /// Only if a free-form value cannot be serialized (it always can: it was read as JSON).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Whether the record is withdrawn (and so never matches).
    #[must_use]
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }

    /// The highest severity level of the record, from its own `severity`, the matching
    /// `affected[].severity`, or GHSA's `database_specific.severity`.
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        let own = self
            .severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severity.iter()))
            .filter_map(|s| s.parse_score().ok())
            .filter_map(|s| s.level())
            .max();
        own.or_else(|| {
            self.database_specific
                .as_ref()
                .and_then(|d| d.get("severity"))
                .and_then(serde_json::Value::as_str)
                .and_then(Level::from_name)
        })
    }
}
