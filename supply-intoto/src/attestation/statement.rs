//! in-toto Statements (v0.1 and v1) and resource descriptors
//! (<https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>,
//! <https://github.com/in-toto/attestation/blob/main/spec/v1/resource_descriptor.md>).
//!
//! A [`Statement`] is read strictly (RFC 8259, no duplicate keys, through supply-sig's strict
//! reader), keeps the exact bytes it was read from ([`Statement::raw`]) and every field it does
//! not know ([`Statement::extra`]).
//!
//! ```
//! use supply_intoto::attestation::statement::{Statement, StatementType};
//! use supply_sig::digest::{Algorithm, Digest};
//!
//! let json = br#"{"_type": "https://in-toto.io/Statement/v1",
//!   "subject": [{"name": "a.txt", "digest": {"sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}}],
//!   "predicateType": "https://example.com/p/v1", "predicate": {"x": 1}}"#;
//! let st = Statement::from_json(json)?;
//! assert_eq!(st.statement_type(), StatementType::V1);
//! let d = Algorithm::Sha256.digest(b"hello");
//! assert_eq!(st.subject_matching(&d).and_then(|s| s.name.as_deref()), Some("a.txt"));
//! assert!(st.subject_matching(&Algorithm::Sha256.digest(b"other")).is_none());
//! # Ok::<(), supply_intoto::attestation::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::limits::LimitExceeded;

use super::predicate::Predicate;
use super::Error;
use crate::limits::{MAX_DIGESTS_PER_DESCRIPTOR, MAX_STATEMENT_LEN, MAX_SUBJECTS};

/// The `_type` of a Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// The `_type` of a Statement v0.1 (still written by older builders).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Which Statement version a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatementType {
    /// `https://in-toto.io/Statement/v0.1`.
    V01,
    /// `https://in-toto.io/Statement/v1`.
    V1,
}

impl StatementType {
    /// The `_type` URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::V01 => STATEMENT_V01,
            Self::V1 => STATEMENT_V1,
        }
    }

    fn from_uri(s: &str) -> Option<Self> {
        match s {
            STATEMENT_V1 => Some(Self::V1),
            STATEMENT_V01 => Some(Self::V01),
            _ => None,
        }
    }
}

/// A digest set: algorithm name to lowercase hex (or other encoding the algorithm defines,
/// such as `gitCommit`). Keys are unique (the strict reader refuses a repeated one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DigestSet(pub BTreeMap<String, String>);

impl DigestSet {
    /// The set holding one digest.
    pub fn from_digest(d: &Digest) -> Self {
        let mut m = BTreeMap::new();
        m.insert(d.algorithm().name().to_owned(), d.hex());
        Self(m)
    }

    /// The value for `algorithm` (e.g. `sha256`, `sha1`, `gitCommit`).
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.0.get(algorithm).map(String::as_str)
    }

    /// Whether the set holds `d` (same algorithm, same value; hex compared without regard to
    /// case).
    pub fn contains(&self, d: &Digest) -> bool {
        self.get(d.algorithm().name())
            .is_some_and(|v| v.eq_ignore_ascii_case(&d.hex()))
    }

    /// The digests of algorithms supply-sig implements (`sha256`, `sha384`, `sha512`) that
    /// parse; others are skipped.
    pub fn digests(&self) -> impl Iterator<Item = Digest> + '_ {
        Algorithm::ALL.into_iter().filter_map(|a| {
            self.get(a.name())
                .and_then(|v| Digest::from_hex(a, &v.to_ascii_lowercase()).ok())
        })
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A resource descriptor (v1), which is also the shape of a v0.1 subject (`name` and
/// `digest`). Unknown fields are kept in [`extra`](Self::extra).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    /// A name, e.g. a file name or a purl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A URI identifying the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its digests.
    #[serde(default, skip_serializing_if = "DigestSet::is_empty")]
    pub digest: DigestSet,
    /// Its content, base64 (as in the JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Where it can be downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_location: Option<String>,
    /// Its media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Free-form annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<String, Value>>,
    /// Fields this model does not know, kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ResourceDescriptor {
    /// A descriptor with a name and one digest.
    pub fn new(name: impl Into<String>, digest: &Digest) -> Self {
        Self {
            name: Some(name.into()),
            digest: DigestSet::from_digest(digest),
            ..Self::default()
        }
    }
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "_type")]
    statement_type: String,
    subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default)]
    predicate: Option<Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// An in-toto Statement, parsed strictly, with the bytes it was read from.
///
/// Parsing checks the shape only: the `_type` is v0.1 or v1, there is at least one subject,
/// and every subject has a non-empty digest set. (An empty predicate type reads as an unknown
/// predicate: slsa-verifier's test bundles carry one.) Nothing in
/// it is trusted until it comes out of a verification (see
/// [`VerifiedAttestation`](super::VerifiedAttestation)).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    statement_type: StatementType,
    subject: Vec<ResourceDescriptor>,
    predicate_type: String,
    predicate: Option<Value>,
    extra: Map<String, Value>,
    raw: Vec<u8>,
}

impl Statement {
    /// Reads a statement from JSON under [`MAX_STATEMENT_LEN`].
    ///
    /// # Errors
    /// [`Error::Json`] (not strict JSON), [`Error::InvalidStatement`] (wrong shape or
    /// `_type`), [`Error::LimitExceeded`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let w: Wire = super::parse_strict(json, MAX_STATEMENT_LEN, "in-toto statement")?;
        let statement_type =
            StatementType::from_uri(&w.statement_type).ok_or(Error::UnknownStatementType {
                found: super::truncate(&w.statement_type),
            })?;
        if w.subject.is_empty() {
            return Err(Error::InvalidStatement {
                reason: "the statement has no subject",
            });
        }
        if w.subject.len() > MAX_SUBJECTS {
            return Err(LimitExceeded::new("statement subjects", MAX_SUBJECTS)
                .with_actual(w.subject.len())
                .into());
        }
        for s in &w.subject {
            if s.digest.is_empty() || s.digest.0.values().any(String::is_empty) {
                return Err(Error::InvalidStatement {
                    reason: "a subject has no digest",
                });
            }
            if s.digest.0.len() > MAX_DIGESTS_PER_DESCRIPTOR {
                return Err(
                    LimitExceeded::new("digests of a subject", MAX_DIGESTS_PER_DESCRIPTOR)
                        .with_actual(s.digest.0.len())
                        .into(),
                );
            }
        }
        Ok(Self {
            statement_type,
            subject: w.subject,
            predicate_type: w.predicate_type,
            predicate: w.predicate,
            extra: w.extra,
            raw: json.to_vec(),
        })
    }

    /// Builds a statement in memory (for signing). Its [`raw`](Self::raw) bytes are its JSON.
    ///
    /// # Errors
    /// [`Error::InvalidStatement`] for no subjects or a subject without digest.
    pub fn new(
        statement_type: StatementType,
        subject: Vec<ResourceDescriptor>,
        predicate_type: impl Into<String>,
        predicate: Value,
    ) -> Result<Self, Error> {
        let mut doc = Map::new();
        doc.insert("_type".into(), Value::String(statement_type.uri().into()));
        doc.insert(
            "subject".into(),
            serde_json::to_value(&subject).map_err(Error::Serialize)?,
        );
        doc.insert("predicateType".into(), Value::String(predicate_type.into()));
        doc.insert("predicate".into(), predicate);
        let raw = serde_json::to_vec(&Value::Object(doc)).map_err(Error::Serialize)?;
        Self::from_json(&raw)
    }

    /// The `_type`.
    pub fn statement_type(&self) -> StatementType {
        self.statement_type
    }

    /// The subjects.
    pub fn subjects(&self) -> &[ResourceDescriptor] {
        &self.subject
    }

    /// The `predicateType`.
    pub fn predicate_type(&self) -> &str {
        &self.predicate_type
    }

    /// The predicate as read (absent in some statements).
    pub fn predicate_json(&self) -> Option<&Value> {
        self.predicate.as_ref()
    }

    /// The predicate, typed where this crate checks its fields.
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`] when a known predicate type does not have its shape.
    pub fn predicate(&self) -> Result<Predicate, Error> {
        Predicate::from_statement(self)
    }

    /// Top-level fields other than `_type`, `subject`, `predicateType` and `predicate`.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The exact bytes the statement was read from.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The first subject whose digest set holds `d`.
    pub fn subject_matching(&self, d: &Digest) -> Option<&ResourceDescriptor> {
        self.subject.iter().find(|s| s.digest.contains(d))
    }
}
