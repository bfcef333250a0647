//! Sigstore bundles v0.1, v0.2 and v0.3 (protobuf-specs `dev.sigstore.bundle.v1.Bundle`,
//! proto3 JSON).
//!
//! Media types accepted: `application/vnd.dev.sigstore.bundle+json;version=0.1`, `…;version=0.2`,
//! and for v0.3 both `application/vnd.dev.sigstore.bundle+json;version=0.3` and
//! `application/vnd.dev.sigstore.bundle.v0.3+json`. Anything else is rejected.
//!
//! [`Bundle::from_json`] keeps the exact JSON ([`Bundle::raw`]), which is also what
//! [`Bundle::to_json`] writes back: a bundle round-trips byte for byte, unknown fields included.
//! Nothing in a parsed bundle is trusted; see [`super::verify`].

use serde::Deserialize;

use crate::digest::{Algorithm, Digest};
use crate::dsse::Envelope;
use crate::limits::{
    LimitExceeded, MAX_BUNDLE_LEN, MAX_CERT_CHAIN_LEN, MAX_CERT_DER_LEN, MAX_CHECKPOINT_LEN,
    MAX_INCLUSION_PROOF_HASHES, MAX_REKOR_BODY_LEN, MAX_RFC3161_TIMESTAMPS, MAX_TIMESTAMP_LEN,
    MAX_TLOG_ENTRIES,
};
use crate::x509::{self, Certificate};

use super::{b64, int64};

/// v0.1 media type.
pub const MEDIA_TYPE_V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
/// v0.2 media type.
pub const MEDIA_TYPE_V02: &str = "application/vnd.dev.sigstore.bundle+json;version=0.2";
/// v0.3 media type, old spelling.
pub const MEDIA_TYPE_V03_LEGACY: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";
/// v0.3 media type.
pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Errors from bundle parsing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A size or count limit was hit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Not JSON of the bundle's shape (the source names the line, column and what was expected).
    #[error("the bundle is not JSON of the Sigstore bundle shape")]
    InvalidJson(#[source] serde_json::Error),
    /// The media type is not a bundle version we accept.
    #[error("unsupported bundle media type {media_type:?}")]
    UnsupportedMediaType {
        /// The media type found.
        media_type: String,
    },
    /// A field is missing or malformed.
    #[error("invalid bundle field {field}")]
    InvalidField {
        /// The field.
        field: &'static str,
    },
    /// The verification material is not allowed for this version, absent, or empty.
    #[error("invalid verification material: {reason}")]
    InvalidMaterial {
        /// Why.
        reason: &'static str,
    },
    /// A certificate does not parse.
    #[error("invalid certificate in the bundle")]
    Certificate(#[from] x509::Error),
    /// The DSSE envelope does not parse.
    #[error("invalid DSSE envelope in the bundle")]
    Dsse(#[from] crate::dsse::Error),
    /// Neither or both of `messageSignature` and `dsseEnvelope`.
    #[error("a bundle must have exactly one of messageSignature and dsseEnvelope")]
    InvalidContent,
}

/// The bundle format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Version {
    /// v0.1: a SET (inclusion promise) is required, an inclusion proof optional.
    V0_1,
    /// v0.2: an inclusion proof with a checkpoint is required.
    V0_2,
    /// v0.3: as v0.2, and the signing certificate is a single `certificate`.
    V0_3,
}

impl Version {
    fn from_media_type(mt: &str) -> Option<Self> {
        Some(match mt {
            MEDIA_TYPE_V01 => Self::V0_1,
            MEDIA_TYPE_V02 => Self::V0_2,
            MEDIA_TYPE_V03 | MEDIA_TYPE_V03_LEGACY => Self::V0_3,
            _ => return None,
        })
    }

    /// The media type written for this version.
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::V0_1 => MEDIA_TYPE_V01,
            Self::V0_2 => MEDIA_TYPE_V02,
            Self::V0_3 => MEDIA_TYPE_V03,
        }
    }
}

/// How the signature is tied to a key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationMaterial {
    /// A signing certificate (v0.3 `certificate`, or the first of a v0.1/v0.2 chain). Any other
    /// certificates of a chain are kept but never trusted: chains come from the trusted root.
    Certificate {
        /// The leaf (boxed: a parsed certificate is large).
        leaf: Box<Certificate>,
        /// Further certificates the bundle carried (ignored by verification).
        rest: Vec<Certificate>,
    },
    /// A public key, known to the verifier by other means; the hint is unauthenticated.
    PublicKey {
        /// The key hint.
        hint: Option<String>,
    },
}

/// A signature over an artifact digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSignature {
    /// The artifact digest the signer claims (optional in the spec).
    pub digest: Option<Digest>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// What was signed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// A signature over the artifact.
    MessageSignature(MessageSignature),
    /// A DSSE envelope (usually an in-toto statement).
    Dsse(Envelope),
}

/// A Merkle inclusion proof and its checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// Index of the entry in the tree the proof is for.
    pub log_index: i64,
    /// The root hash.
    pub root_hash: Vec<u8>,
    /// The tree size.
    pub tree_size: i64,
    /// The audit path, leaf to root.
    pub hashes: Vec<Vec<u8>>,
    /// The signed checkpoint text (`checkpoint.envelope`), if any.
    pub checkpoint: Option<String>,
}

/// One transparency-log entry of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogEntry {
    /// `logIndex` (global index for Rekor v1 shards).
    pub log_index: i64,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `kindVersion.kind`.
    pub kind: String,
    /// `kindVersion.version`.
    pub version: String,
    /// `integratedTime`, unauthenticated unless a SET covers it.
    pub integrated_time: Option<i64>,
    /// `inclusionPromise.signedEntryTimestamp`.
    pub signed_entry_timestamp: Option<Vec<u8>>,
    /// `inclusionProof`.
    pub inclusion_proof: Option<InclusionProof>,
    /// `canonicalizedBody`, decoded.
    pub canonicalized_body: Vec<u8>,
}

/// A parsed bundle. Nothing in it is trusted.
///
/// The fields are private: a bundle only comes from [`Bundle::from_json`] (or a signer), so
/// what it says always matches [`Bundle::raw`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    raw: Vec<u8>,
    version: Version,
    material: VerificationMaterial,
    tlog_entries: Vec<TlogEntry>,
    timestamps: Vec<Vec<u8>>,
    content: Content,
}

impl Bundle {
    /// Parses a bundle.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] over [`MAX_BUNDLE_LEN`] or any per-field limit,
    /// [`Error::InvalidJson`], [`Error::UnsupportedMediaType`], [`Error::InvalidField`],
    /// [`Error::InvalidMaterial`] (e.g. an empty certificate chain, a v0.3 chain),
    /// [`Error::Certificate`], [`Error::Dsse`], [`Error::InvalidContent`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        if json.len() > MAX_BUNDLE_LEN {
            return Err(Error::LimitExceeded(LimitExceeded::new(
                "bundle JSON length",
                MAX_BUNDLE_LEN,
            )));
        }
        let w: WireBundle = serde_json::from_slice(json).map_err(Error::InvalidJson)?;
        let version =
            Version::from_media_type(&w.media_type).ok_or_else(|| Error::UnsupportedMediaType {
                media_type: w.media_type.clone(),
            })?;
        let vm = w.verification_material;
        let material = match (vm.certificate, vm.x509_certificate_chain, vm.public_key) {
            (Some(c), None, None) => {
                if version < Version::V0_3 {
                    return Err(Error::InvalidMaterial {
                        reason: "a single certificate needs bundle v0.3",
                    });
                }
                VerificationMaterial::Certificate {
                    leaf: Box::new(cert(&c.raw_bytes)?),
                    rest: Vec::new(),
                }
            }
            (None, Some(chain), None) => {
                if version >= Version::V0_3 {
                    return Err(Error::InvalidMaterial {
                        reason: "bundle v0.3 carries a single certificate, not a chain",
                    });
                }
                if chain.certificates.len() > MAX_CERT_CHAIN_LEN {
                    return Err(Error::LimitExceeded(LimitExceeded::new(
                        "certificates in a bundle chain",
                        MAX_CERT_CHAIN_LEN,
                    )));
                }
                let mut certs = chain
                    .certificates
                    .iter()
                    .map(|c| cert(&c.raw_bytes))
                    .collect::<Result<Vec<_>, _>>()?;
                if certs.is_empty() {
                    return Err(Error::InvalidMaterial {
                        reason: "expected non-empty certificate chain",
                    });
                }
                let leaf = certs.remove(0);
                VerificationMaterial::Certificate {
                    leaf: Box::new(leaf),
                    rest: certs,
                }
            }
            (None, None, Some(pk)) => VerificationMaterial::PublicKey { hint: pk.hint },
            (None, None, None) => {
                return Err(Error::InvalidMaterial {
                    reason: "no certificate or public key",
                })
            }
            _ => {
                return Err(Error::InvalidMaterial {
                    reason: "more than one kind of verification material",
                })
            }
        };
        if vm.tlog_entries.len() > MAX_TLOG_ENTRIES {
            return Err(Error::LimitExceeded(LimitExceeded::new(
                "transparency log entries",
                MAX_TLOG_ENTRIES,
            )));
        }
        let tlog_entries = vm
            .tlog_entries
            .into_iter()
            .map(entry)
            .collect::<Result<Vec<_>, _>>()?;
        let ts = vm
            .timestamp_verification_data
            .map(|t| t.rfc3161_timestamps)
            .unwrap_or_default();
        if ts.len() > MAX_RFC3161_TIMESTAMPS {
            return Err(
                LimitExceeded::new("RFC 3161 timestamps", MAX_RFC3161_TIMESTAMPS)
                    .with_actual(ts.len())
                    .into(),
            );
        }
        let timestamps = ts
            .iter()
            .map(|t| {
                b64(&t.signed_timestamp, MAX_TIMESTAMP_LEN).ok_or(Error::InvalidField {
                    field: "rfc3161Timestamps.signedTimestamp",
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let content = match (w.message_signature, w.dsse_envelope) {
            (Some(m), None) => {
                let digest = match m.message_digest {
                    None => None,
                    Some(d) => {
                        let alg = hash_algorithm(&d.algorithm).ok_or(Error::InvalidField {
                            field: "messageDigest.algorithm",
                        })?;
                        let bytes = b64(&d.digest, 64).ok_or(Error::InvalidField {
                            field: "messageDigest.digest",
                        })?;
                        Some(
                            Digest::from_bytes(alg, &bytes).map_err(|_| Error::InvalidField {
                                field: "messageDigest.digest",
                            })?,
                        )
                    }
                };
                let signature = b64(&m.signature, crate::limits::MAX_SIGNATURE_LEN).ok_or(
                    Error::InvalidField {
                        field: "messageSignature.signature",
                    },
                )?;
                Content::MessageSignature(MessageSignature { digest, signature })
            }
            (None, Some(env)) => Content::Dsse(env.into_envelope()?),
            _ => return Err(Error::InvalidContent),
        };
        Ok(Self {
            raw: json.to_vec(),
            version,
            material,
            tlog_entries,
            timestamps,
            content,
        })
    }

    /// The exact JSON this bundle was parsed from.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The signing material.
    pub fn material(&self) -> &VerificationMaterial {
        &self.material
    }

    /// The transparency-log entries (at most [`MAX_TLOG_ENTRIES`]).
    pub fn tlog_entries(&self) -> &[TlogEntry] {
        &self.tlog_entries
    }

    /// The DER RFC 3161 `TimeStampResp`s (at most [`MAX_RFC3161_TIMESTAMPS`]).
    pub fn timestamps(&self) -> &[Vec<u8>] {
        &self.timestamps
    }

    /// The signed content.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// Serializes the bundle: the bytes it was parsed from, unchanged.
    pub fn to_json(&self) -> Vec<u8> {
        self.raw.clone()
    }

    /// The signing certificate, if the bundle has one.
    pub fn leaf_certificate(&self) -> Option<&Certificate> {
        match &self.material {
            VerificationMaterial::Certificate { leaf, .. } => Some(leaf),
            VerificationMaterial::PublicKey { .. } => None,
        }
    }

    /// The signature bytes (the message signature, or the DSSE envelope's single signature).
    pub fn signature_bytes(&self) -> Option<&[u8]> {
        match &self.content {
            Content::MessageSignature(m) => Some(&m.signature),
            Content::Dsse(env) => match env.signatures.as_slice() {
                [one] => Some(&one.sig),
                _ => None,
            },
        }
    }
}

/// `SHA2_256` etc. to an [`Algorithm`].
pub(crate) fn hash_algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "SHA2_256" => Algorithm::Sha256,
        "SHA2_384" => Algorithm::Sha384,
        "SHA2_512" => Algorithm::Sha512,
        _ => return None,
    })
}

fn cert(raw: &str) -> Result<Certificate, Error> {
    let der = b64(raw, MAX_CERT_DER_LEN).ok_or(Error::InvalidField { field: "rawBytes" })?;
    Ok(Certificate::from_der(&der)?)
}

fn entry(w: WireTlogEntry) -> Result<TlogEntry, Error> {
    let log_id = b64(&w.log_id.key_id, 64).ok_or(Error::InvalidField {
        field: "logId.keyId",
    })?;
    let set = match w.inclusion_promise {
        None => None,
        Some(p) => Some(
            b64(&p.signed_entry_timestamp, crate::limits::MAX_SIGNATURE_LEN).ok_or(
                Error::InvalidField {
                    field: "inclusionPromise.signedEntryTimestamp",
                },
            )?,
        ),
    };
    let proof = match w.inclusion_proof {
        None => None,
        Some(p) => {
            if p.hashes.len() > MAX_INCLUSION_PROOF_HASHES {
                return Err(Error::LimitExceeded(LimitExceeded::new(
                    "inclusion proof hashes",
                    MAX_INCLUSION_PROOF_HASHES,
                )));
            }
            let checkpoint = match p.checkpoint {
                None => None,
                Some(c) if c.envelope.len() > MAX_CHECKPOINT_LEN => {
                    return Err(Error::LimitExceeded(LimitExceeded::new(
                        "checkpoint length",
                        MAX_CHECKPOINT_LEN,
                    )))
                }
                Some(c) if c.envelope.is_empty() => None,
                Some(c) => Some(c.envelope),
            };
            Some(InclusionProof {
                log_index: p.log_index,
                root_hash: b64(&p.root_hash, 64).ok_or(Error::InvalidField {
                    field: "inclusionProof.rootHash",
                })?,
                tree_size: p.tree_size,
                hashes: p
                    .hashes
                    .iter()
                    .map(|h| {
                        b64(h, 64).ok_or(Error::InvalidField {
                            field: "inclusionProof.hashes",
                        })
                    })
                    .collect::<Result<_, _>>()?,
                checkpoint,
            })
        }
    };
    Ok(TlogEntry {
        log_index: w.log_index,
        log_id,
        kind: w.kind_version.kind,
        version: w.kind_version.version,
        integrated_time: w.integrated_time.filter(|t| *t != 0),
        signed_entry_timestamp: set,
        inclusion_proof: proof,
        canonicalized_body: b64(&w.canonicalized_body, MAX_REKOR_BODY_LEN).ok_or(
            Error::InvalidField {
                field: "canonicalizedBody",
            },
        )?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a Sigstore bundle object")]
struct WireBundle {
    media_type: String,
    verification_material: WireMaterial,
    message_signature: Option<WireMessageSignature>,
    /// Read by DSSE's own visitor: the same limits and duplicate-field rule as
    /// [`Envelope::from_json`].
    dsse_envelope: Option<crate::dsse::NestedEnvelope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a verificationMaterial object")]
struct WireMaterial {
    certificate: Option<WireRaw>,
    x509_certificate_chain: Option<WireChain>,
    public_key: Option<WireHint>,
    #[serde(default)]
    tlog_entries: Vec<WireTlogEntry>,
    timestamp_verification_data: Option<WireTimestamps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object with rawBytes")]
struct WireRaw {
    raw_bytes: String,
}

#[derive(Deserialize)]
#[serde(expecting = "an x509CertificateChain object")]
struct WireChain {
    #[serde(default)]
    certificates: Vec<WireRaw>,
}

#[derive(Deserialize)]
#[serde(expecting = "a publicKey object")]
struct WireHint {
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a timestampVerificationData object"
)]
struct WireTimestamps {
    #[serde(default)]
    rfc3161_timestamps: Vec<WireSignedTimestamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an RFC 3161 timestamp object")]
struct WireSignedTimestamp {
    signed_timestamp: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a messageSignature object")]
struct WireMessageSignature {
    message_digest: Option<WireHashOutput>,
    signature: String,
}

#[derive(Deserialize)]
#[serde(expecting = "a messageDigest object")]
struct WireHashOutput {
    algorithm: String,
    digest: String,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a transparency log entry object"
)]
struct WireTlogEntry {
    // Protobuf JSON leaves out fields holding their default: a log's first entry has no
    // `logIndex` (sigstore-go and sigstore-python read it as 0).
    #[serde(default, deserialize_with = "int64::de")]
    log_index: i64,
    log_id: super::trust_root::WireLogId,
    kind_version: WireKindVersion,
    #[serde(default, deserialize_with = "int64::de_opt")]
    integrated_time: Option<i64>,
    inclusion_promise: Option<WirePromise>,
    inclusion_proof: Option<WireProof>,
    canonicalized_body: String,
}

#[derive(Deserialize)]
#[serde(expecting = "a kindVersion object")]
struct WireKindVersion {
    kind: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an inclusionPromise object")]
struct WirePromise {
    signed_entry_timestamp: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an inclusionProof object")]
struct WireProof {
    // Left out when 0 (a proof for a log's first leaf), as for the entry's.
    #[serde(default, deserialize_with = "int64::de")]
    log_index: i64,
    root_hash: String,
    #[serde(deserialize_with = "int64::de")]
    tree_size: i64,
    #[serde(default)]
    hashes: Vec<String>,
    checkpoint: Option<WireCheckpoint>,
}

#[derive(Deserialize)]
#[serde(expecting = "a checkpoint object")]
struct WireCheckpoint {
    envelope: String,
}
