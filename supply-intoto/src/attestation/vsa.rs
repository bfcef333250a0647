//! SLSA Verification Summary Attestations v1
//! (<https://slsa.dev/spec/v1.0/verification_summary>): emitting a signed VSA for a decision
//! this crate made, and verifying a VSA someone else signed.
//!
//! ```
//! use supply_intoto::attestation::vsa::{self, VsaOptions, VsaRequest};
//! use supply_intoto::attestation::statement::ResourceDescriptor;
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::digest::Algorithm;
//! use supply_sig::dsse::TrustedKeys;
//! use supply_sig::key::{KeyAlgorithm, PrivateKey};
//! use supply_sig::sign::{KeySigner, KeyVerifier};
//! use supply_sig::time::Timestamp;
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO)?;
//! let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO)?;
//! let digest = Algorithm::Sha256.digest(b"artifact");
//! let request = VsaRequest {
//!     verifier_id: "https://example.com/verifier".into(),
//!     resource_uri: "pkg:generic/artifact@1.0".into(),
//!     subject: vec![ResourceDescriptor::new("artifact", &digest)],
//!     policy_uri: "https://example.com/policy/v1".into(),
//!     verified_levels: vec!["SLSA_BUILD_LEVEL_3".into()],
//!     time_verified: Timestamp::from_unix(1_700_000_000),
//!     input_attestations: vec![],
//! };
//! let envelope = vsa::sign(&request, &[&signer])?;
//!
//! let keys = TrustedKeys::new()
//!     .with_verifier(Box::new(KeyVerifier::with_default_scheme(key.public_key(), &RUSTCRYPTO)?));
//! let opts = VsaOptions::new("https://example.com/verifier", "pkg:generic/artifact@1.0")
//!     .with_level("SLSA_BUILD_LEVEL_2");
//! let verified = vsa::verify(&envelope, &keys, &digest, &opts)?;
//! assert_eq!(verified.predicate().verified_levels, ["SLSA_BUILD_LEVEL_3"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use supply_sig::digest::Digest;
use supply_sig::dsse::{Envelope, TrustedKeys};
use supply_sig::sign::Signer;
use supply_sig::time::Timestamp;

use super::predicate::Predicate;
use super::statement::{DigestSet, ResourceDescriptor, Statement, StatementType, PAYLOAD_TYPE};

/// `predicateType` of a VSA v1.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

/// Errors from emitting and verifying VSAs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The envelope or statement did not verify or parse.
    #[error("the VSA envelope does not verify")]
    Attestation(#[source] super::Error),
    /// The statement is not a VSA v1.
    #[error("the statement's predicate type is {found:?}, not a VSA v1")]
    NotVsa {
        /// The predicate type found.
        found: String,
    },
    /// The artifact's digest is not a subject.
    #[error("the artifact digest {digest} is not a subject of the VSA")]
    SubjectMismatch {
        /// The artifact digest (`alg:hex`).
        digest: String,
    },
    /// Another verifier signed the summary.
    #[error("the VSA's verifier is {found:?}, expected {expected:?}")]
    VerifierMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The summary is about another resource.
    #[error("the VSA's resource URI is {found:?}, expected {expected:?}")]
    ResourceMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The summary records a failed verification.
    #[error("the VSA records the verification result {found:?}")]
    NotPassed {
        /// The result recorded.
        found: String,
    },
    /// A required level is not among the verified ones.
    #[error("the VSA does not list the verified level {level:?}")]
    MissingLevel {
        /// The level required.
        level: String,
    },
    /// The policy differs from the one required.
    #[error("the VSA's policy is {found:?}, expected {expected:?}")]
    PolicyMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: Option<String>,
    },
    /// Caller mistake: an empty verifier id, resource URI or level.
    #[error("VSA option {what} is empty")]
    ConfigEmpty {
        /// Which option.
        what: &'static str,
    },
    /// Signing failed.
    #[error("signing the VSA failed")]
    Sign(#[source] supply_sig::dsse::Error),
}

/// The verifier of a VSA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VsaVerifier {
    /// Its id (URI).
    pub id: String,
    /// Version components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Map<String, Value>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The VSA v1 predicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VsaV1 {
    /// Who verified.
    pub verifier: VsaVerifier,
    /// When (RFC 3339, as written).
    pub time_verified: Option<String>,
    /// The resource that was verified.
    pub resource_uri: String,
    /// The policy it was verified against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourceDescriptor>,
    /// The attestations the decision used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_attestations: Vec<ResourceDescriptor>,
    /// `PASSED` or `FAILED`.
    pub verification_result: String,
    /// The levels established (`SLSA_BUILD_LEVEL_3`, …).
    #[serde(default)]
    pub verified_levels: Vec<String>,
    /// Levels of dependencies, with counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_levels: Option<Map<String, Value>>,
    /// The SLSA version (`1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_version: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a VSA we emit says.
#[derive(Clone, Debug)]
pub struct VsaRequest {
    /// Our verifier id.
    pub verifier_id: String,
    /// The resource verified.
    pub resource_uri: String,
    /// The artifacts (subjects) with their digests.
    pub subject: Vec<ResourceDescriptor>,
    /// The policy applied.
    pub policy_uri: String,
    /// Levels established (e.g. from [`super::slsa::BuildLevel::vsa_level`]).
    pub verified_levels: Vec<String>,
    /// When the verification happened (the caller's clock).
    pub time_verified: Timestamp,
    /// The attestations used (URI and digest).
    pub input_attestations: Vec<ResourceDescriptor>,
}

/// Builds the VSA statement for `request` (result `PASSED`, SLSA version 1.0).
///
/// # Errors
/// [`Error::ConfigEmpty`], [`Error::Attestation`] for subjects without digests.
pub fn statement(request: &VsaRequest) -> Result<Statement, Error> {
    for (what, v) in [
        ("verifier id", &request.verifier_id),
        ("resource URI", &request.resource_uri),
        ("policy URI", &request.policy_uri),
    ] {
        if v.is_empty() {
            return Err(Error::ConfigEmpty { what });
        }
    }
    let predicate = VsaV1 {
        verifier: VsaVerifier {
            id: request.verifier_id.clone(),
            version: None,
            extra: Map::new(),
        },
        time_verified: Some(request.time_verified.to_rfc3339()),
        resource_uri: request.resource_uri.clone(),
        policy: Some(ResourceDescriptor {
            uri: Some(request.policy_uri.clone()),
            ..ResourceDescriptor::default()
        }),
        input_attestations: request.input_attestations.clone(),
        verification_result: "PASSED".into(),
        verified_levels: request.verified_levels.clone(),
        dependency_levels: None,
        slsa_version: Some("1.0".into()),
        extra: Map::new(),
    };
    let v = serde_json::to_value(&predicate)
        .map_err(|e| Error::Attestation(super::Error::Serialize(e)))?;
    Statement::new(StatementType::V1, request.subject.clone(), VSA_V1, v)
        .map_err(Error::Attestation)
}

/// Signs the VSA for `request` as a DSSE envelope with every signer.
///
/// # Errors
/// As [`statement`], and [`Error::Sign`].
pub fn sign(request: &VsaRequest, signers: &[&dyn Signer]) -> Result<Envelope, Error> {
    let st = statement(request)?;
    Envelope::sign(PAYLOAD_TYPE, st.raw().to_vec(), signers).map_err(Error::Sign)
}

/// What a VSA must say to be accepted.
#[derive(Clone, Debug)]
pub struct VsaOptions {
    verifier_id: String,
    resource_uri: String,
    policy_uri: Option<String>,
    levels: Vec<String>,
    threshold: usize,
}

impl VsaOptions {
    /// A VSA by `verifier_id` about `resource_uri` (both compared exactly), signed by one
    /// trusted key, with no level required yet.
    pub fn new(verifier_id: impl Into<String>, resource_uri: impl Into<String>) -> Self {
        Self {
            verifier_id: verifier_id.into(),
            resource_uri: resource_uri.into(),
            policy_uri: None,
            levels: Vec::new(),
            threshold: 1,
        }
    }

    /// Requires this level among the verified levels. A `SLSA_BUILD_LEVEL_n` requirement is
    /// also met by a higher build level.
    pub fn with_level(mut self, level: impl Into<String>) -> Self {
        self.levels.push(level.into());
        self
    }

    /// Requires the policy URI.
    pub fn with_policy_uri(mut self, uri: impl Into<String>) -> Self {
        self.policy_uri = Some(uri.into());
        self
    }

    /// Requires `n` distinct trusted keys to have signed (default 1).
    pub fn with_threshold(mut self, n: usize) -> Self {
        self.threshold = n;
        self
    }
}

/// A VSA that verified. Only [`verify`] makes one.
#[derive(Clone, Debug)]
pub struct VerifiedVsa {
    statement: Statement,
    predicate: VsaV1,
}

impl VerifiedVsa {
    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
    /// The predicate.
    pub fn predicate(&self) -> &VsaV1 {
        &self.predicate
    }
}

fn build_level(level: &str) -> Option<u8> {
    level
        .strip_prefix("SLSA_BUILD_LEVEL_")
        .and_then(|n| n.parse().ok())
}

/// Verifies a VSA envelope: signatures by `keys` (threshold from `opts`), in-toto payload,
/// VSA v1 predicate, `artifact` among the subjects, verifier id, resource URI, result
/// `PASSED`, the policy and every required level.
///
/// # Errors
/// The first check that fails.
pub fn verify(
    envelope: &Envelope,
    keys: &TrustedKeys,
    artifact: &Digest,
    opts: &VsaOptions,
) -> Result<VerifiedVsa, Error> {
    if opts.verifier_id.is_empty() {
        return Err(Error::ConfigEmpty {
            what: "verifier id",
        });
    }
    if opts.resource_uri.is_empty() {
        return Err(Error::ConfigEmpty {
            what: "resource URI",
        });
    }
    let att = super::VerifiedAttestation::from_envelope(envelope, keys, opts.threshold)
        .map_err(Error::Attestation)?;
    let statement = att.into_statement();
    let predicate = match statement.predicate().map_err(Error::Attestation)? {
        Predicate::Vsa(p) => *p,
        _ => {
            return Err(Error::NotVsa {
                found: statement.predicate_type().to_owned(),
            })
        }
    };
    if statement.subject_matching(artifact).is_none() {
        return Err(Error::SubjectMismatch {
            digest: format!("{}:{}", artifact.algorithm().name(), artifact.hex()),
        });
    }
    check_predicate(&predicate, opts)?;
    Ok(VerifiedVsa {
        statement,
        predicate,
    })
}

/// Like [`verify`], for a subject identified by another digest algorithm than supply-sig
/// implements (a VSA for a GCE image names `gce_image_id`): the digest set must contain every
/// entry of `subject`.
///
/// # Errors
/// As [`verify`].
pub fn verify_for_digest_set(
    envelope: &Envelope,
    keys: &TrustedKeys,
    subject: &DigestSet,
    opts: &VsaOptions,
) -> Result<VerifiedVsa, Error> {
    let att = super::VerifiedAttestation::from_envelope(envelope, keys, opts.threshold)
        .map_err(Error::Attestation)?;
    let statement = att.into_statement();
    let predicate = match statement.predicate().map_err(Error::Attestation)? {
        Predicate::Vsa(p) => *p,
        _ => {
            return Err(Error::NotVsa {
                found: statement.predicate_type().to_owned(),
            })
        }
    };
    let found = !subject.is_empty()
        && statement.subjects().iter().any(|s| {
            subject
                .0
                .iter()
                .all(|(k, v)| s.digest.get(k).is_some_and(|x| x.eq_ignore_ascii_case(v)))
        });
    if !found {
        return Err(Error::SubjectMismatch {
            digest: subject
                .0
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(","),
        });
    }
    check_predicate(&predicate, opts)?;
    Ok(VerifiedVsa {
        statement,
        predicate,
    })
}

fn check_predicate(predicate: &VsaV1, opts: &VsaOptions) -> Result<(), Error> {
    if predicate.verifier.id != opts.verifier_id {
        return Err(Error::VerifierMismatch {
            expected: opts.verifier_id.clone(),
            found: predicate.verifier.id.clone(),
        });
    }
    if predicate.resource_uri != opts.resource_uri {
        return Err(Error::ResourceMismatch {
            expected: opts.resource_uri.clone(),
            found: predicate.resource_uri.clone(),
        });
    }
    if predicate.verification_result != "PASSED" {
        return Err(Error::NotPassed {
            found: predicate.verification_result.clone(),
        });
    }
    if let Some(expected) = &opts.policy_uri {
        let found = predicate.policy.as_ref().and_then(|p| p.uri.clone());
        if found.as_deref() != Some(expected.as_str()) {
            return Err(Error::PolicyMismatch {
                expected: expected.clone(),
                found,
            });
        }
    }
    for level in &opts.levels {
        if level.is_empty() {
            return Err(Error::ConfigEmpty { what: "level" });
        }
        let met = predicate.verified_levels.iter().any(|l| {
            l == level
                || matches!((build_level(level), build_level(l)), (Some(want), Some(have)) if have >= want)
        });
        if !met {
            return Err(Error::MissingLevel {
                level: level.clone(),
            });
        }
    }
    Ok(())
}
