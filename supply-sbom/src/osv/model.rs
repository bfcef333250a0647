//! The OSV schema 1.7 record (<https://ossf.github.io/osv-schema/>), field for field, with
//! every field we do not model kept in `extra` so that a record reads and writes back
//! without loss.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::cvss::{Cvss, Level};

/// Unknown fields of an object, preserved in order of appearance.
pub type Extra = Map<String, Value>;

/// One OSV record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The schema version the record follows (`1.7.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// The record's id (`GHSA-…`, `GO-2024-3110`, `RUSTSEC-…`).
    pub id: String,
    /// When the record was last modified (RFC 3339 text, kept as written).
    pub modified: String,
    /// When the record was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the record was withdrawn; a withdrawn record never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Ids of the same vulnerability in other databases.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    /// Ids of upstream records this one derives from (schema 1.7).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub upstream: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Details (CommonMark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severities of the whole record.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    /// The affected packages and versions.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    /// Credits.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub credits: Vec<Credit>,
    /// Free-form data of the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
    /// Fields this model does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A severity: a type and its score text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Severity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or `Ubuntu`.
    #[serde(rename = "type")]
    pub kind: SeverityType,
    /// The vector (CVSS) or level name (Ubuntu).
    pub score: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `severity[].type` values of schema 1.7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SeverityType {
    /// A CVSS v2 vector.
    #[serde(rename = "CVSS_V2")]
    CvssV2,
    /// A CVSS v3.0/3.1 vector.
    #[serde(rename = "CVSS_V3")]
    CvssV3,
    /// A CVSS v4.0 vector.
    #[serde(rename = "CVSS_V4")]
    CvssV4,
    /// An Ubuntu priority (`negligible`, `low`, `medium`, `high`, `critical`).
    Ubuntu,
}

/// A severity read into its typed form.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Score {
    /// A parsed CVSS vector.
    Cvss(Cvss),
    /// A named level (Ubuntu priorities).
    Level(Level),
}

impl Score {
    /// The qualitative level, when known (a CVSS v4.0 vector has none computed here).
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        match self {
            Self::Cvss(c) => c.level(),
            Self::Level(l) => Some(*l),
        }
    }
}

impl Severity {
    /// Reads the score into its typed form.
    ///
    /// # Errors
    /// The CVSS error for a malformed vector (or one of another version than its type says);
    /// [`cvss::Error::Prefix`](super::cvss::Error::Prefix) for an unknown Ubuntu level.
    pub fn parse_score(&self) -> Result<Score, super::cvss::Error> {
        use super::cvss::{CvssVersion, Error};
        match self.kind {
            SeverityType::Ubuntu => Level::from_name(&self.score)
                .map(Score::Level)
                .ok_or(Error::Prefix),
            kind => {
                let c = Cvss::parse(&self.score)?;
                let ok = matches!(
                    (kind, c.version),
                    (SeverityType::CvssV2, CvssVersion::V2)
                        | (SeverityType::CvssV3, CvssVersion::V3_0 | CvssVersion::V3_1)
                        | (SeverityType::CvssV4, CvssVersion::V4_0)
                );
                if ok {
                    Ok(Score::Cvss(c))
                } else {
                    Err(Error::Prefix)
                }
            }
        }
    }
}

/// The package an `affected` entry names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Package {
    /// The ecosystem, as OSV spells it (`PyPI`, `Debian:12`, `Alpine:v3.18`).
    pub ecosystem: String,
    /// The package name in that ecosystem.
    pub name: String,
    /// The package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One affected package with its ranges and versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Affected {
    /// The package; absent in GIT-only entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Severities specific to this package (schema 1.5+).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    /// Version ranges.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    /// Explicitly affected versions (exact strings).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    /// Free-form data of the ecosystem (Go's `imports[].symbols`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    /// Free-form data of the database (RUSTSEC's `informational`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A range of affected versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Range {
    /// How the events' versions are ordered.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// The repository of a GIT range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in no particular order.
    pub events: Vec<Event>,
    /// Free-form data of the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ranges[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RangeType {
    /// SemVer 2.0 ordering.
    #[serde(rename = "SEMVER")]
    SemVer,
    /// The ecosystem's own ordering.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Git commits: never compared with version strings.
    #[serde(rename = "GIT")]
    Git,
}

/// One range event: exactly one of the four fields is set (checked by
/// [`Record::validate`](super::Record::validate)).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The range opens at this version (`"0"`: from the first version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// The range closes before this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// The range closes after this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// The upper limit of a GIT commit walk (`"*"`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The kind of an [`Event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// `introduced`
    Introduced,
    /// `fixed`
    Fixed,
    /// `last_affected`
    LastAffected,
    /// `limit`
    Limit,
}

impl Event {
    /// The event's kind and version, when exactly one of the four fields is set.
    #[must_use]
    pub fn get(&self) -> Option<(EventKind, &str)> {
        let all = [
            (EventKind::Introduced, &self.introduced),
            (EventKind::Fixed, &self.fixed),
            (EventKind::LastAffected, &self.last_affected),
            (EventKind::Limit, &self.limit),
        ];
        let mut set = all
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)));
        let first = set.next()?;
        set.next().is_none().then_some(first)
    }
}

/// A link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reference {
    /// `ADVISORY`, `ARTICLE`, `DETECTION`, `DISCUSSION`, `REPORT`, `FIX`, `INTRODUCED`,
    /// `GIT`, `PACKAGE`, `EVIDENCE`, `WEB`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The URL.
    pub url: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credit {
    /// Who.
    pub name: String,
    /// How to reach them.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact: Vec<String>,
    /// `FINDER`, `REPORTER`, `ANALYST`, `COORDINATOR`, `REMEDIATION_DEVELOPER`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Reads an array that the schema also allows as `null` (`"severity": null`).
fn nullable<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
