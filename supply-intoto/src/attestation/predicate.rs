//! Predicates, typed where this crate checks their fields, carried as JSON otherwise.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::provenance::{ProvenanceV02, ProvenanceV1, PROVENANCE_V02, PROVENANCE_V1};
use super::statement::{ResourceDescriptor, Statement};
use super::tacos::{Tacos, TACOS_V1};
use super::vsa::{VsaV1, VSA_V1};
use super::Error;

/// `predicateType` of the in-toto link predicate v0.3.
pub const LINK_V03: &str = "https://in-toto.io/attestation/link/v0.3";
/// `predicateType` prefix of SPDX documents (`https://spdx.dev/Document`, optionally with
/// `/v2.3` and so on).
pub const SPDX_PREFIX: &str = "https://spdx.dev/Document";
/// `predicateType` prefix of CycloneDX documents (`https://cyclonedx.org/bom`, optionally
/// versioned).
pub const CYCLONEDX_PREFIX: &str = "https://cyclonedx.org/bom";

/// The in-toto link predicate v0.3
/// (<https://github.com/in-toto/attestation/blob/main/spec/predicates/link.md>).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkPredicate {
    /// The step name.
    pub name: String,
    /// The command run.
    #[serde(default)]
    pub command: Vec<String>,
    /// The materials.
    #[serde(default)]
    pub materials: Vec<ResourceDescriptor>,
    /// Byproducts (untyped).
    #[serde(default)]
    pub byproducts: Option<Value>,
    /// Environment (untyped).
    #[serde(default)]
    pub environment: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A statement's predicate.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Predicate {
    /// SLSA provenance v0.2.
    SlsaProvenanceV02(Box<ProvenanceV02>),
    /// SLSA provenance v1.
    SlsaProvenanceV1(Box<ProvenanceV1>),
    /// SLSA Verification Summary Attestation v1.
    Vsa(Box<VsaV1>),
    /// in-toto link v0.3.
    Link(Box<LinkPredicate>),
    /// A TACOS attestation.
    Tacos(Box<Tacos>),
    /// An SPDX document, as JSON (supply-sbom reads it).
    Spdx(Value),
    /// A CycloneDX document, as JSON (supply-sbom reads it).
    CycloneDx(Value),
    /// Any other predicate, as JSON (`Null` when the statement has none).
    Other(Value),
}

fn typed<T: serde::de::DeserializeOwned>(
    v: Option<&Value>,
    predicate_type: &str,
) -> Result<T, Error> {
    let v = v.cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|source| Error::InvalidPredicate {
        predicate_type: super::truncate(predicate_type),
        source,
    })
}

impl Predicate {
    /// Reads the predicate of `statement` by its `predicateType`.
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`] when a typed predicate does not have its shape.
    pub fn from_statement(statement: &Statement) -> Result<Self, Error> {
        let t = statement.predicate_type();
        let v = statement.predicate_json();
        Ok(match t {
            PROVENANCE_V02 => Self::SlsaProvenanceV02(Box::new(typed(v, t)?)),
            PROVENANCE_V1 => Self::SlsaProvenanceV1(Box::new(typed(v, t)?)),
            VSA_V1 => Self::Vsa(Box::new(typed(v, t)?)),
            LINK_V03 => Self::Link(Box::new(typed(v, t)?)),
            TACOS_V1 => Self::Tacos(Box::new(Tacos::from_value(
                v.cloned().unwrap_or(Value::Null),
            )?)),
            t if t.starts_with(SPDX_PREFIX) => Self::Spdx(v.cloned().unwrap_or(Value::Null)),
            t if t.starts_with(CYCLONEDX_PREFIX) => {
                Self::CycloneDx(v.cloned().unwrap_or(Value::Null))
            }
            _ => Self::Other(v.cloned().unwrap_or(Value::Null)),
        })
    }
}
