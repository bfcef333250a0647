//! in-toto attestations: statements and predicates ([`statement`], [`predicate`],
//! [`provenance`], [`vsa`], [`tacos`]), the containers they travel in ([`bundle`]: DSSE
//! envelopes, Sigstore bundles, JSON Lines attestation bundles, npm attestation documents),
//! and their verification: [`VerifiedAttestation`] (the signature layer), [`slsa`] (SLSA
//! provenance as slsa-verifier checks it), [`github`] (GitHub artifact attestations as
//! `gh attestation verify` checks them) and [`vsa`] (Verification Summary Attestations).
//!
//! Everything here is sync and pure: no I/O, no clock. Times come from the signed material
//! (Rekor, RFC 3161) or from the caller.

pub mod bundle;
pub mod gcb;
pub mod github;
pub mod npm;
pub mod predicate;
pub mod provenance;
pub mod slsa;
pub mod statement;
pub mod tacos;
pub mod vsa;

use serde::de::DeserializeOwned;
use supply_sig::crypto::Provider;
use supply_sig::dsse::{Envelope, TrustedKeys};
use supply_sig::key::KeyId;
use supply_sig::limits::LimitExceeded;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::fulcio::FulcioIdentity;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{self as sigverify, Artifact, Policy};
use supply_sig::time::Timestamp;

use statement::{Statement, PAYLOAD_TYPE};

/// Errors from reading attestations and verifying their signatures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not strict JSON (duplicate keys included).
    #[error("the document is not strict JSON")]
    Json(#[source] supply_sig::cjson::Error),
    /// The JSON does not have the document's shape.
    #[error("the {what} does not have the expected shape")]
    Shape {
        /// Which document.
        what: &'static str,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// The statement `_type` is neither v0.1 nor v1.
    #[error("unknown in-toto statement type {found:?}")]
    UnknownStatementType {
        /// The `_type` found (truncated).
        found: String,
    },
    /// The statement is malformed.
    #[error("invalid in-toto statement: {reason}")]
    InvalidStatement {
        /// Why.
        reason: &'static str,
    },
    /// A predicate of a known type does not have its shape.
    #[error("the {predicate_type} predicate does not have its shape")]
    InvalidPredicate {
        /// The predicate type.
        predicate_type: String,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// A container (JSON Lines bundle, npm attestations) is malformed.
    #[error("invalid attestation container: {reason}")]
    InvalidContainer {
        /// Why.
        reason: &'static str,
    },
    /// The payload is not an in-toto statement.
    #[error("the payload type is {found:?}, not application/vnd.in-toto+json")]
    WrongPayloadType {
        /// The payload type (truncated).
        found: String,
    },
    /// The DSSE envelope does not parse or verify.
    #[error("the DSSE envelope does not verify")]
    Dsse(#[source] supply_sig::dsse::Error),
    /// The Sigstore bundle does not parse.
    #[error("the Sigstore bundle does not parse")]
    BundleParse(#[source] supply_sig::sigstore::bundle::Error),
    /// The Sigstore bundle does not verify.
    #[error("the Sigstore bundle does not verify")]
    Bundle(#[source] supply_sig::sigstore::verify::Error),
    /// The Sigstore bundle signs a message, not a DSSE attestation.
    #[error("the Sigstore bundle carries a message signature, not a DSSE attestation")]
    NotDsse,
    /// The envelope's embedded certificate is missing or unusable.
    #[error("the envelope's embedded certificate is unusable: {reason}")]
    EmbeddedCertificate {
        /// Why.
        reason: &'static str,
    },
    /// A value could not be serialized.
    #[error("could not serialize the value as JSON")]
    Serialize(#[source] serde_json::Error),
    /// The input exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// At most 200 characters of untrusted text for an error message.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// Reads `json` strictly (RFC 8259, no duplicate keys, supply-sig's strict reader) within
/// `max_len` bytes, then as `T`.
pub(crate) fn parse_strict<T: DeserializeOwned>(
    json: &[u8],
    max_len: usize,
    what: &'static str,
) -> Result<T, Error> {
    if json.len() > max_len {
        return Err(LimitExceeded::new(what, max_len)
            .with_actual(json.len())
            .into());
    }
    check_strict(json, max_len)?;
    serde_json::from_slice(json).map_err(|source| Error::Shape { what, source })
}

/// Checks that `json` is strict JSON within `max_len` bytes (supply-sig's strict reader).
pub(crate) fn check_strict(json: &[u8], max_len: usize) -> Result<(), Error> {
    let mut limits = supply_sig::limits::Limits::default();
    limits.json_len = max_len;
    // The JCS reader is the strict one (grammar, UTF-8, duplicate keys); its output is unused.
    supply_sig::cjson::jcs::canonicalize_with_limits(json, &limits).map_err(Error::Json)?;
    Ok(())
}

/// Who signed a [`VerifiedAttestation`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttestationSigner {
    /// A Fulcio certificate, verified by supply-sig's bundle verifier (chain, signed time,
    /// transparency log, SCTs).
    Certificate(Box<FulcioIdentity>),
    /// Trusted keys (DSSE), by fingerprint.
    Keys(Vec<KeyId>),
    /// **Not verified**: the certificate embedded in a bare DSSE envelope, whose key verified
    /// the envelope but whose chain, validity and transparency-log entry were not checked
    /// ([`danger::insecure_embedded_certificate`]).
    InsecureUnverifiedCertificate(Box<FulcioIdentity>),
    /// **Not verified**: no signature was checked ([`danger::insecure_unsigned`]).
    InsecureUnsigned,
}

/// An in-toto statement whose signature verified, with who signed it. Only the constructors
/// here (and the [`danger`] opt-outs, which say so in [`signer`](Self::signer)) make one.
///
/// Still the caller's job: checking the predicate (see [`slsa::verify`], [`github::verify`],
/// [`vsa::verify`]).
#[derive(Clone, Debug)]
pub struct VerifiedAttestation {
    statement: Statement,
    signer: AttestationSigner,
    signed_times: Vec<Timestamp>,
}

impl VerifiedAttestation {
    /// Verifies a Sigstore bundle carrying a DSSE in-toto attestation with supply-sig's
    /// verifier (`policy` names the signer; `artifact` must be a subject) and reads the
    /// statement from the verified payload bytes.
    ///
    /// # Errors
    /// [`Error::Bundle`], [`Error::NotDsse`], [`Error::WrongPayloadType`], and the statement's
    /// parse errors.
    pub fn from_bundle(
        bundle: &Bundle,
        artifact: Artifact<'_>,
        policy: &Policy,
        root: &TrustedRoot,
        provider: &Provider,
    ) -> Result<Self, Error> {
        let v =
            sigverify::verify(bundle, artifact, policy, root, provider).map_err(Error::Bundle)?;
        let payload = v.payload().ok_or(Error::NotDsse)?;
        if payload.payload_type() != PAYLOAD_TYPE {
            return Err(Error::WrongPayloadType {
                found: truncate(payload.payload_type()),
            });
        }
        let statement = Statement::from_json(payload.payload())?;
        let signer = match v.identity() {
            Some(id) => AttestationSigner::Certificate(Box::new(id.clone())),
            None => AttestationSigner::Keys(vec![v.signing_key().key_id()]),
        };
        Ok(Self {
            statement,
            signer,
            signed_times: v.signed_times().to_vec(),
        })
    }

    /// Verifies a DSSE envelope against trusted keys (at least `threshold` distinct keys) and
    /// reads its statement.
    ///
    /// # Errors
    /// [`Error::Dsse`], [`Error::WrongPayloadType`], and the statement's parse errors.
    pub fn from_envelope(
        envelope: &Envelope,
        keys: &TrustedKeys,
        threshold: usize,
    ) -> Result<Self, Error> {
        let v = envelope.verify(keys, threshold).map_err(Error::Dsse)?;
        if v.payload_type() != PAYLOAD_TYPE {
            return Err(Error::WrongPayloadType {
                found: truncate(v.payload_type()),
            });
        }
        Ok(Self {
            statement: Statement::from_json(v.payload())?,
            signer: AttestationSigner::Keys(v.key_ids().to_vec()),
            signed_times: Vec::new(),
        })
    }

    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// The statement, owned.
    pub fn into_statement(self) -> Statement {
        self.statement
    }

    /// Who signed.
    pub fn signer(&self) -> &AttestationSigner {
        &self.signer
    }

    /// The signed times (bundles: from Rekor SETs and RFC 3161 timestamps).
    pub fn signed_times(&self) -> &[Timestamp] {
        &self.signed_times
    }

    /// Whether the signature was verified against trusted material (false only for the
    /// [`danger`] opt-outs).
    pub fn is_verified(&self) -> bool {
        matches!(
            self.signer,
            AttestationSigner::Certificate(_) | AttestationSigner::Keys(_)
        )
    }

    /// The Fulcio identity, verified or (for the insecure opt-out) not.
    pub(crate) fn fulcio_identity(&self) -> Option<&FulcioIdentity> {
        match &self.signer {
            AttestationSigner::Certificate(id)
            | AttestationSigner::InsecureUnverifiedCertificate(id) => Some(id),
            _ => None,
        }
    }
}

/// Opt-outs that build a [`VerifiedAttestation`] without verifying what a full verification
/// would. Their results say so ([`VerifiedAttestation::is_verified`] is false, and
/// [`slsa::verify`] establishes no build level from them).
pub mod danger {
    use serde::Deserialize;
    use supply_sig::crypto::Provider;
    use supply_sig::dsse::{Envelope, TrustedKeys};
    use supply_sig::sign::KeyVerifier;
    use supply_sig::x509::Certificate;

    use super::{AttestationSigner, Error, Statement, VerifiedAttestation, PAYLOAD_TYPE};

    /// **Insecure**: reads the statement of `envelope` without checking any signature.
    ///
    /// # Errors
    /// [`Error::WrongPayloadType`] and the statement's parse errors.
    pub fn insecure_unsigned(envelope: &Envelope) -> Result<VerifiedAttestation, Error> {
        if envelope.payload_type != PAYLOAD_TYPE {
            return Err(Error::WrongPayloadType {
                found: super::truncate(&envelope.payload_type),
            });
        }
        Ok(VerifiedAttestation {
            statement: Statement::from_json(&envelope.payload)?,
            signer: AttestationSigner::InsecureUnsigned,
            signed_times: Vec::new(),
        })
    }

    #[derive(Deserialize)]
    struct CertSigs {
        signatures: Vec<CertSig>,
    }
    #[derive(Deserialize)]
    struct CertSig {
        #[serde(default)]
        cert: Option<String>,
    }

    /// **Insecure**: for a bare DSSE envelope with a PEM certificate in its signature (`cert`,
    /// as older slsa-github-generator releases wrote, with the Rekor entry only online):
    /// verifies the envelope's signature under the certificate's key and reads the Fulcio
    /// identity, but checks neither the chain to a Fulcio CA, nor the validity period, nor a
    /// transparency-log entry. Anyone can make such a certificate.
    ///
    /// # Errors
    /// [`Error::EmbeddedCertificate`], [`Error::Dsse`], [`Error::WrongPayloadType`], and the
    /// statement's parse errors.
    pub fn insecure_embedded_certificate(
        envelope_json: &[u8],
        provider: &Provider,
    ) -> Result<VerifiedAttestation, Error> {
        let envelope = Envelope::from_json(envelope_json).map_err(Error::Dsse)?;
        let sigs: CertSigs = super::parse_strict(
            envelope_json,
            supply_sig::dsse::max_envelope_len(&supply_sig::limits::Limits::default()),
            "DSSE envelope",
        )?;
        let [sig] = sigs.signatures.as_slice() else {
            return Err(Error::EmbeddedCertificate {
                reason: "the envelope must carry exactly one signature",
            });
        };
        let pem = sig.cert.as_deref().ok_or(Error::EmbeddedCertificate {
            reason: "the signature has no cert",
        })?;
        let cert =
            Certificate::from_pem(pem.as_bytes()).map_err(|_| Error::EmbeddedCertificate {
                reason: "the cert is not a PEM X.509 certificate",
            })?;
        let identity = supply_sig::sigstore::fulcio::identity(&cert).map_err(|_| {
            Error::EmbeddedCertificate {
                reason: "the cert has no Fulcio identity",
            }
        })?;
        let verifier =
            KeyVerifier::with_default_scheme(cert.public_key(), provider).map_err(|_| {
                Error::EmbeddedCertificate {
                    reason: "the cert's key is not usable for signatures",
                }
            })?;
        let keys = TrustedKeys::new().with_verifier(Box::new(verifier));
        let v = VerifiedAttestation::from_envelope(&envelope, &keys, 1)?;
        Ok(VerifiedAttestation {
            signer: AttestationSigner::InsecureUnverifiedCertificate(Box::new(identity)),
            ..v
        })
    }
}
