//! TACOS attestations (Trusted Attestation and Compliance for Open-source Software, the
//! Tidelift framework, <https://github.com/tacosframework>): a document with metadata about its
//! creation and one statement per upstream package about its secure development practices.
//!
//! The framework publishes examples rather than a schema: the envelope fields are typed, each
//! statement keeps every field as JSON, with accessors for the ones the examples share.
//!
//! ```
//! use supply_intoto::attestation::tacos::Tacos;
//!
//! let t = Tacos::from_json(br#"{"@context": "domain/namespace", "author": "A. Author",
//!   "role": "Attestor", "timestamp": "2022-03-23T05:35:37+04:00", "TACOSversion": "1",
//!   "application": "HelloWorld",
//!   "statements": [{"PackageName": "jackson-databind", "PackagePlatform": "maven",
//!     "PURL": "pkg:maven/com.fasterxml.jackson.core/jackson-databind",
//!     "ReleasesInUse": ["2.14.2"], "PackageManager2FAEnabled": "True"}]}"#)?;
//! assert_eq!(t.application.as_deref(), Some("HelloWorld"));
//! let s = &t.statements()[0];
//! assert_eq!(s.purl(), Some("pkg:maven/com.fasterxml.jackson.core/jackson-databind"));
//! assert_eq!(s.flag("PackageManager2FAEnabled"), Some(true));
//! # Ok::<(), supply_intoto::attestation::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use supply_sig::limits::LimitExceeded;

use super::Error;
use crate::limits::{MAX_STATEMENT_LEN, MAX_TACOS_STATEMENTS};

/// The `predicateType` under which this crate reads a TACOS document carried in an in-toto
/// statement. The framework defines no URI of its own; this one names its version 1.
pub const TACOS_V1: &str = "https://github.com/tacosframework/tacos/v1";

/// One TACOS statement about one upstream package. Every field is kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TacosStatement(pub Map<String, Value>);

impl TacosStatement {
    fn str(&self, k: &str) -> Option<&str> {
        self.0.get(k).and_then(Value::as_str)
    }
    /// `PackageName`.
    pub fn package_name(&self) -> Option<&str> {
        self.str("PackageName")
    }
    /// `PackagePlatform` (maven, npm, …).
    pub fn platform(&self) -> Option<&str> {
        self.str("PackagePlatform")
    }
    /// `PURL`.
    pub fn purl(&self) -> Option<&str> {
        self.str("PURL")
    }
    /// `UpstreamRepositoryURL`.
    pub fn upstream_repository(&self) -> Option<&str> {
        self.str("UpstreamRepositoryURL")
    }
    /// `SPDXLicenseLatestRelease`.
    pub fn license(&self) -> Option<&str> {
        self.str("SPDXLicenseLatestRelease")
    }
    /// `LatestRelease`.
    pub fn latest_release(&self) -> Option<&str> {
        self.str("LatestRelease")
    }
    /// `ReleasesInUse` (strings; entries that are not strings are skipped).
    pub fn releases_in_use(&self) -> Vec<&str> {
        self.0
            .get("ReleasesInUse")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
    /// `SBOM` references (objects with `type`, `version`, `format`, `URL`, …).
    pub fn sboms(&self) -> &[Value] {
        self.0
            .get("SBOM")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    /// A yes/no practice such as `PackageManager2FAEnabled`: the examples write `"True"` /
    /// `"False"` strings, JSON booleans are read too; anything else is `None`.
    pub fn flag(&self, k: &str) -> Option<bool> {
        match self.0.get(k)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    /// Any field.
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k)
    }
}

/// A TACOS attestation document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tacos {
    /// `@context`.
    #[serde(rename = "@context", default)]
    pub context: Option<String>,
    /// `@id` (the document URL).
    #[serde(rename = "@id", default)]
    pub id: Option<String>,
    /// `signature` (`{"type": "sha256", "digest": …}`), unverified metadata.
    #[serde(default)]
    pub signature: Option<Value>,
    /// `author`.
    #[serde(default)]
    pub author: Option<String>,
    /// `role`.
    #[serde(default)]
    pub role: Option<String>,
    /// `timestamp`, as written.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// `TACOSversion`.
    #[serde(rename = "TACOSversion", default)]
    pub version: Option<String>,
    /// `application`.
    #[serde(default)]
    pub application: Option<String>,
    statements: Vec<TacosStatement>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tacos {
    /// Reads a TACOS document from strict JSON.
    ///
    /// # Errors
    /// [`Error::Json`], [`Error::InvalidPredicate`], [`Error::LimitExceeded`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let v: Value = super::parse_strict(json, MAX_STATEMENT_LEN, "TACOS document")?;
        Self::from_value(v)
    }

    /// Reads a TACOS document from a JSON value (a statement's predicate).
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`], [`Error::LimitExceeded`].
    pub fn from_value(v: Value) -> Result<Self, Error> {
        let n = v
            .get("statements")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if n > MAX_TACOS_STATEMENTS {
            return Err(LimitExceeded::new("TACOS statements", MAX_TACOS_STATEMENTS)
                .with_actual(n)
                .into());
        }
        serde_json::from_value(v).map_err(|source| Error::InvalidPredicate {
            predicate_type: TACOS_V1.into(),
            source,
        })
    }

    /// The statements, one per package.
    pub fn statements(&self) -> &[TacosStatement] {
        &self.statements
    }
}
