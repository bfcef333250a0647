//! TUF metadata (specification §4): the signed envelope and the four top-level roles plus
//! delegated targets.
//!
//! [`Metadata<T>`] keeps the document exactly as received, the byte span of its `signed` object,
//! and the OLPC canonical JSON of that span. Signatures are always verified over the canonical
//! form of the **original** `signed` text (unknown fields included), never over a re-serialized
//! model. Parsing is strict and bounded:
//!
//! - at most [`limits::MAX_METADATA_LEN`] bytes (or a tighter caller limit);
//! - duplicate object keys anywhere in `signed` are an error (the canonicalizer refuses them), as
//!   are two signatures with the same key id (python-tuf refuses those too);
//! - `_type` must be the expected role type and `spec_version` must have major version 1;
//! - versions are ≥ 1, thresholds ≥ 1, key ids within a role are unique;
//! - `expires` follows the policy of [`crate::time`].
//!
//! Key ids are opaque labels taken from the metadata: they are never recomputed to reject a key
//! (tough#946, Sigstore root 11), and the same key material listed under two key ids counts once.
//!
//! ```
//! use supply_tuf::metadata::{Metadata, Root};
//! let doc = br#"{"signed": {"_type": "timestamp"}, "signatures": []}"#;
//! assert!(Metadata::<Root>::from_slice(doc).is_err()); // wrong type
//! ```

mod roles;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use supply_sig::cjson;
use supply_sig::crypto::Provider;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::sign::{KeyVerifier, Verifier, VerifyPolicy};

use crate::limits;
use crate::time::{self, Timestamp};

pub use roles::{
    DelegatedRole, Delegations, Key, KeyVal, MetaFile, RoleKeys, Root, Snapshot, SuccinctRoles,
    TargetFile, Targets, Timestamp as TimestampRole, TOP_LEVEL_ROLES,
};

/// The specification major version this crate implements.
pub const SPEC_MAJOR_VERSION: u64 = 1;
/// The `spec_version` this crate writes.
pub const SPEC_VERSION: &str = "1.0.31";

/// Errors from parsing or verifying metadata.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
    /// The document is not JSON of the expected shape.
    #[error("invalid metadata JSON")]
    InvalidJson(#[source] serde_json::Error),
    /// The `signed` object cannot be canonicalized (duplicate keys, floats, invalid JSON).
    #[error("cannot canonicalize the signed object")]
    CanonicalJson(#[source] cjson::Error),
    /// `_type` is not the expected role type.
    #[error("expected metadata of type {expected}, got {actual:?}")]
    WrongType {
        /// The type expected.
        expected: &'static str,
        /// The type found (at most 64 characters).
        actual: String,
    },
    /// `spec_version` is malformed or of another major version.
    #[error("unsupported spec_version {version:?}")]
    UnsupportedSpecVersion {
        /// The version found (at most 64 characters).
        version: String,
    },
    /// A field has an invalid value.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// Two signatures carry the same key id.
    #[error("two signatures with key id {keyid:?}")]
    DuplicateSignature {
        /// The key id.
        keyid: String,
    },
    /// Fewer distinct trusted keys signed than the role's threshold.
    #[error("{role} metadata signed by {valid}/{threshold} keys")]
    ThresholdNotMet {
        /// The role whose keys were used.
        role: String,
        /// Distinct keys with a valid signature.
        valid: u64,
        /// The threshold.
        threshold: u64,
    },
    /// Data does not have the expected length.
    #[error("{what}: expected length {expected}, got {actual}")]
    LengthMismatch {
        /// What was checked.
        what: String,
        /// The length from trusted metadata.
        expected: u64,
        /// The length of the data.
        actual: u64,
    },
    /// Data does not have the expected hash.
    #[error("{what}: {algorithm} mismatch (expected {expected}, got {actual})")]
    HashMismatch {
        /// What was checked.
        what: String,
        /// The hash algorithm.
        algorithm: String,
        /// The hash from trusted metadata.
        expected: String,
        /// The hash of the data.
        actual: String,
    },
    /// A hash algorithm this crate does not implement (fail closed).
    #[error("unsupported hash algorithm {algorithm:?}")]
    UnsupportedHash {
        /// The algorithm name (at most 64 characters).
        algorithm: String,
    },
    /// Canonical JSON could not be produced when writing metadata.
    #[error("cannot serialize metadata")]
    Serialize(#[source] serde_json::Error),
}

pub(crate) fn bounded(s: &str) -> String {
    s.chars().take(64).collect()
}

/// An `expires` value: the original text and the instant it denotes (see [`crate::time`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expires {
    raw: String,
    time: Timestamp,
}

impl Expires {
    /// Parses an `expires` string.
    ///
    /// # Errors
    /// [`time::Error`] when the text is outside the accepted subset.
    pub fn parse(raw: &str) -> Result<Self, time::Error> {
        Ok(Self {
            raw: raw.to_owned(),
            time: time::parse(raw)?,
        })
    }

    /// An `expires` for `t`, written as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn from_time(t: Timestamp) -> Self {
        let raw = time::format(t);
        let time = Timestamp::from_unix(t.unix());
        Self { raw, time }
    }

    /// The text as written in the metadata.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant.
    pub const fn time(&self) -> Timestamp {
        self.time
    }

    /// Whether metadata with this `expires` is expired at `now` (python-tuf: `now >= expires`).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.time
    }
}

impl fmt::Display for Expires {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Expires {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Expires {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The fields every role's `signed` object has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    /// `_type`: `root`, `timestamp`, `snapshot` or `targets`.
    #[serde(rename = "_type")]
    pub type_: String,
    /// `spec_version`, e.g. `1.0.31` (Sigstore writes `1.0`).
    pub spec_version: String,
    /// The metadata version, ≥ 1.
    pub version: u64,
    /// When the metadata expires.
    pub expires: Expires,
}

impl Common {
    /// Fresh common fields for a writer.
    pub fn new(type_: &str, version: u64, expires: Expires) -> Self {
        Self {
            type_: type_.to_owned(),
            spec_version: SPEC_VERSION.to_owned(),
            version,
            expires,
        }
    }
}

/// A role type: the content of a `signed` object.
pub trait Role: Sized + DeserializeOwned + Serialize {
    /// The `_type` value.
    const TYPE: &'static str;
    /// The common fields.
    fn common(&self) -> &Common;
    /// Checks invariants that serde cannot express.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming the field.
    fn validate(&self) -> Result<(), Error>;
}

/// One signature of a metadata document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// The key id (an opaque label of a key listed by the delegating role).
    pub keyid: String,
    /// Hex-encoded signature (ECDSA: DER). Empty means "not signed" (tuf-on-ci placeholders).
    pub sig: String,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow)]
    signed: &'a RawValue,
    signatures: Vec<Signature>,
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "_type")]
    type_: String,
    spec_version: Option<String>,
}

/// A parsed metadata document that keeps its raw bytes.
///
/// Parsing checks shape only: the caller (or [`crate::client`]) still has to verify signatures
/// against trusted keys, versions and expiry.
#[derive(Debug, Clone)]
pub struct Metadata<T> {
    raw: Vec<u8>,
    signed_span: Range<usize>,
    canonical: Vec<u8>,
    signed: T,
    signatures: Vec<Signature>,
}

impl<T: Role> Metadata<T> {
    /// Parses a document of at most [`limits::MAX_METADATA_LEN`] bytes.
    ///
    /// # Errors
    /// See the [module docs](self).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_slice_with_limit(bytes, limits::MAX_METADATA_LEN)
    }

    /// Parses a document of at most `limit` bytes.
    ///
    /// # Errors
    /// See the [module docs](self).
    pub fn from_slice_with_limit(bytes: &[u8], limit: u64) -> Result<Self, Error> {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(
                supply_sig::limits::LimitExceeded::new("metadata document", limit)
                    .with_actual(bytes.len())
                    .into(),
            );
        }
        let env: RawEnvelope<'_> = serde_json::from_slice(bytes).map_err(Error::InvalidJson)?;
        let text = env.signed.get();
        let start = (text.as_ptr() as usize)
            .checked_sub(bytes.as_ptr() as usize)
            .ok_or(Error::InvalidField {
                field: "signed",
                reason: "span outside the document",
            })?;
        let end = start + text.len();
        if bytes.get(start..end) != Some(text.as_bytes()) {
            return Err(Error::InvalidField {
                field: "signed",
                reason: "span outside the document",
            });
        }
        if env.signatures.len() > limits::MAX_SIGNATURES {
            return Err(supply_sig::limits::LimitExceeded::new(
                "signatures",
                limits::MAX_SIGNATURES,
            )
            .with_actual(env.signatures.len())
            .into());
        }
        let mut seen = BTreeSet::new();
        for s in &env.signatures {
            if !seen.insert(s.keyid.as_str()) {
                return Err(Error::DuplicateSignature {
                    keyid: bounded(&s.keyid),
                });
            }
        }
        let canonical = cjson::olpc::canonicalize(text.as_bytes()).map_err(Error::CanonicalJson)?;
        // One full parse on the good path; the type and spec version are checked first only
        // when it fails, so that a wrong-type document is reported as such.
        let signed: T = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(e) => {
                let head: TypeOnly = serde_json::from_str(text).map_err(Error::InvalidJson)?;
                check_type::<T>(&head.type_)?;
                check_spec_version(head.spec_version.as_deref().unwrap_or(""))?;
                return Err(Error::InvalidJson(e));
            }
        };
        check_type::<T>(&signed.common().type_)?;
        check_spec_version(&signed.common().spec_version)?;
        if signed.common().version == 0 {
            return Err(Error::InvalidField {
                field: "version",
                reason: "must be at least 1",
            });
        }
        signed.validate()?;
        let signatures = env.signatures;
        Ok(Self {
            raw: bytes.to_vec(),
            signed_span: start..end,
            canonical,
            signed,
            signatures,
        })
    }

    /// Signs `signed` with `signers` and serializes the document (`{"signatures": [...],
    /// "signed": {...}}`, compact JSON), returning the parsed result. The signatures cover the
    /// OLPC canonical form of the `signed` text written, as every verifier computes it.
    ///
    /// # Errors
    /// [`Error::Serialize`], [`Error::CanonicalJson`], or [`Error::InvalidField`] when a signer fails.
    pub fn sign(
        signed: &T,
        signers: &[(&str, &dyn supply_sig::sign::Signer)],
    ) -> Result<Self, Error> {
        let text = serde_json::to_vec(signed).map_err(Error::Serialize)?;
        let canonical = cjson::olpc::canonicalize(&text).map_err(Error::CanonicalJson)?;
        let mut sigs = Vec::new();
        for (keyid, signer) in signers {
            let sig = signer
                .try_sign(&canonical)
                .map_err(|_| Error::InvalidField {
                    field: "signatures",
                    reason: "the signer failed",
                })?;
            sigs.push(Signature {
                keyid: (*keyid).to_owned(),
                sig: hex::encode(sig),
                extra: BTreeMap::new(),
            });
        }
        Self::assemble(&text, &sigs)
    }

    fn assemble(signed_text: &[u8], sigs: &[Signature]) -> Result<Self, Error> {
        let sigs_json = serde_json::to_string(sigs).map_err(Error::Serialize)?;
        let signed_text = std::str::from_utf8(signed_text).map_err(|_| Error::InvalidField {
            field: "signed",
            reason: "not UTF-8",
        })?;
        let doc = format!("{{\"signatures\":{sigs_json},\"signed\":{signed_text}}}");
        Self::from_slice(doc.as_bytes())
    }

    /// Adds (or replaces) a signature and returns the re-assembled document. The `signed` text is
    /// reused exactly as received, so existing signatures (and unknown fields) stay valid.
    ///
    /// # Errors
    /// As [`Metadata::sign`].
    pub fn with_signature(
        &self,
        keyid: &str,
        signer: &dyn supply_sig::sign::Signer,
    ) -> Result<Self, Error> {
        let sig = signer
            .try_sign(&self.canonical)
            .map_err(|_| Error::InvalidField {
                field: "signatures",
                reason: "the signer failed",
            })?;
        let mut sigs: Vec<Signature> = self
            .signatures
            .iter()
            .filter(|s| s.keyid != keyid)
            .cloned()
            .collect();
        sigs.push(Signature {
            keyid: keyid.to_owned(),
            sig: hex::encode(sig),
            extra: BTreeMap::new(),
        });
        Self::assemble(self.signed_bytes(), &sigs)
    }
}

impl<T> Metadata<T> {
    /// The document exactly as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The exact bytes of the `signed` value inside [`raw`](Self::raw).
    pub fn signed_bytes(&self) -> &[u8] {
        self.raw.get(self.signed_span.clone()).unwrap_or_default()
    }

    /// The OLPC canonical JSON of the original `signed` object: the bytes signatures cover.
    pub fn canonical_signed(&self) -> &[u8] {
        &self.canonical
    }

    /// The parsed `signed` object.
    pub fn signed(&self) -> &T {
        &self.signed
    }

    /// The signatures, as listed.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Counts distinct keys among `keyids` (looked up in `keys`) with a valid signature over the
    /// canonical `signed` bytes, and checks the count against `threshold`.
    ///
    /// Signatures by key ids not in `keyids` are ignored, as are empty signatures, signatures
    /// that are not hex and keys this crate cannot parse. The same key material listed under
    /// several key ids counts once. At most [`limits::MAX_SIGNATURES`] checks are made.
    ///
    /// # Errors
    /// [`Error::ThresholdNotMet`] naming `role`; [`Error::InvalidField`] for a zero threshold.
    pub fn verify_threshold(
        &self,
        role: &str,
        keys: &BTreeMap<String, Key>,
        keyids: &[String],
        threshold: u64,
        provider: &Provider,
    ) -> Result<(), Error> {
        let mut cache = VerifierCache::new(provider);
        self.verify_threshold_cached(role, keys, keyids, threshold, &mut cache)
    }

    /// [`verify_threshold`](Self::verify_threshold) with the keys' prepared verifiers taken from
    /// (and added to) `cache`, so that a key used again (a root key across rotations, a
    /// delegation's keys across its roles) is parsed and prepared once.
    ///
    /// # Errors
    /// As [`verify_threshold`](Self::verify_threshold).
    pub fn verify_threshold_cached(
        &self,
        role: &str,
        keys: &BTreeMap<String, Key>,
        keyids: &[String],
        threshold: u64,
        cache: &mut VerifierCache,
    ) -> Result<(), Error> {
        if threshold == 0 {
            return Err(Error::InvalidField {
                field: "threshold",
                reason: "must be at least 1",
            });
        }
        let mut signed_by: Vec<Arc<KeyVerifier>> = Vec::new();
        let mut ids_done: BTreeSet<&str> = BTreeSet::new();
        for keyid in keyids.iter().take(limits::MAX_SIGNATURES) {
            if !ids_done.insert(keyid.as_str()) {
                continue;
            }
            let (Some(key), Some(sig)) = (
                keys.get(keyid),
                self.signatures.iter().find(|s| &s.keyid == keyid),
            ) else {
                continue;
            };
            if sig.sig.is_empty() {
                continue;
            }
            let Ok(sig_bytes) = hex::decode(&sig.sig) else {
                continue;
            };
            let Some(verifier) = cache.get(key) else {
                continue;
            };
            // The same key material under two key ids counts once.
            let spki = verifier.public_key().spki_der();
            if signed_by.iter().any(|v| v.public_key().spki_der() == spki) {
                continue;
            }
            if verifier.verify(&self.canonical, &sig_bytes).is_ok() {
                signed_by.push(verifier);
            }
        }
        let valid = signed_by.len() as u64;
        if valid >= threshold {
            Ok(())
        } else {
            Err(Error::ThresholdNotMet {
                role: bounded(role),
                valid,
                threshold,
            })
        }
    }
}

/// Prepared signature verifiers by key content (`keytype`, `scheme`, `keyval.public`: exactly
/// what [`Key::to_sslib`] reads, so two entries with the same content always get the same
/// verifier), for one [`Provider`]. Key ids play no part: they are only labels.
///
/// Parsing a key and preparing it for its scheme (point decompression and validity checks) costs
/// about as much as a signature check; a [`crate::client::TrustedSet`] keeps one cache for its
/// lifetime. A key that cannot be parsed or prepared is remembered as such. The cache holds at
/// most [`VerifierCache::MAX_ENTRIES`] keys and starts over when full.
#[derive(Clone)]
pub struct VerifierCache {
    provider: Provider,
    map: HashMap<(String, String, String), Option<Arc<KeyVerifier>>>,
}

impl fmt::Debug for VerifierCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierCache")
            .field("provider", &self.provider.name)
            .field("keys", &self.map.len())
            .finish()
    }
}

impl VerifierCache {
    /// Most keys kept (a bound on memory for long-lived updaters; far above the keys of any
    /// repository seen: Sigstore's root lists 5 to 8).
    pub const MAX_ENTRIES: usize = 4096;

    /// An empty cache for `provider`.
    pub fn new(provider: &Provider) -> Self {
        Self {
            provider: *provider,
            map: HashMap::new(),
        }
    }

    /// The prepared verifier of `key`, or `None` when the key cannot be used.
    pub fn get(&mut self, key: &Key) -> Option<Arc<KeyVerifier>> {
        let id = (
            key.keytype.clone(),
            key.scheme.clone(),
            key.keyval.public.clone(),
        );
        if let Some(v) = self.map.get(&id) {
            return v.clone();
        }
        let prepared = key.to_sslib().ok().and_then(|sslib| {
            KeyVerifier::new(
                sslib.public_key(),
                sslib.scheme(),
                VerifyPolicy::default(),
                &self.provider,
            )
            .ok()
            .map(Arc::new)
        });
        if self.map.len() >= Self::MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(id, prepared.clone());
        prepared
    }
}

impl<T: Role> Metadata<T> {
    /// The metadata version.
    pub fn version(&self) -> u64 {
        self.signed.common().version
    }

    /// The `expires` value.
    pub fn expires(&self) -> &Expires {
        &self.signed.common().expires
    }
}

/// The lowercase hex SHA-256 of a target path, as `path_hash_prefixes` and succinct bins use.
pub fn path_hash(target_path: &str) -> String {
    Algorithm::Sha256.digest(target_path.as_bytes()).hex()
}

fn check_type<T: Role>(type_: &str) -> Result<(), Error> {
    if type_ == T::TYPE {
        Ok(())
    } else {
        Err(Error::WrongType {
            expected: T::TYPE,
            actual: bounded(type_),
        })
    }
}

/// Checks that `spec_version` is `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` with major version 1.
///
/// # Errors
/// [`Error::UnsupportedSpecVersion`].
pub fn check_spec_version(v: &str) -> Result<(), Error> {
    let bad = || Error::UnsupportedSpecVersion {
        version: bounded(v),
    };
    let parts: Vec<&str> = v.split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 9 || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    if parts[0].parse::<u64>().ok() != Some(SPEC_MAJOR_VERSION) {
        return Err(bad());
    }
    Ok(())
}

/// Checks `data` against an optional length and optional hashes (all listed hashes must match;
/// an unknown algorithm is an error). `what` names the data in errors.
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::HashMismatch`], [`Error::UnsupportedHash`].
pub fn verify_length_and_hashes(
    what: &str,
    data: &[u8],
    length: Option<u64>,
    hashes: Option<&BTreeMap<String, String>>,
) -> Result<(), Error> {
    let actual_len = data.len() as u64;
    if let Some(expected) = length {
        if expected != actual_len {
            return Err(Error::LengthMismatch {
                what: bounded(what),
                expected,
                actual: actual_len,
            });
        }
    }
    for (alg_name, expected) in hashes.into_iter().flatten() {
        let alg = Algorithm::from_name(alg_name).ok_or_else(|| Error::UnsupportedHash {
            algorithm: bounded(alg_name),
        })?;
        let actual = alg.digest(data);
        let ok = Digest::from_hex(alg, &expected.to_ascii_lowercase()).is_ok_and(|d| d == actual);
        if !ok {
            return Err(Error::HashMismatch {
                what: bounded(what),
                algorithm: alg_name.clone(),
                expected: bounded(expected),
                actual: actual.hex(),
            });
        }
    }
    Ok(())
}
