//! DSSE envelopes (Dead Simple Signing Envelope v1,
//! <https://github.com/secure-systems-lab/dsse/blob/master/protocol.md>).
//!
//! A signature covers the pre-authentication encoding [`pae`] of the payload type and the
//! payload bytes, never the payload alone and never any re-serialization.
//!
//! - [`Envelope::from_json`] parses the JSON envelope
//!   (<https://github.com/secure-systems-lab/dsse/blob/master/envelope.md>) under named limits.
//! - [`Envelope::sign`] signs a payload with one or more [`Signer`]s.
//! - [`Envelope::verify`] checks the signatures against a [`TrustedKeys`] set and a threshold
//!   and returns a [`VerifiedPayload`], the only way to get at payload bytes that are known to be
//!   signed.
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::dsse::{Envelope, TrustedKeys};
//! use supply_sig::key::{KeyAlgorithm, PrivateKey};
//! use supply_sig::sign::{KeySigner, KeyVerifier};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO)?;
//! let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO)?;
//! let env = Envelope::sign("application/vnd.in-toto+json", b"{}".to_vec(), &[&signer])?;
//! let json = env.to_json();
//!
//! let trusted = TrustedKeys::new()
//!     .with_verifier(Box::new(KeyVerifier::with_default_scheme(key.public_key(), &RUSTCRYPTO)?));
//! let parsed = Envelope::from_json(&json)?;
//! let verified = parsed.verify(&trusted, 1)?;
//! assert_eq!(verified.payload(), b"{}");
//! assert_eq!(verified.key_ids(), [key.public_key().key_id()]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::key::KeyId;
use crate::limits::{LimitExceeded, Limits, DSSE_ENVELOPE_SLACK};
use crate::sign::{self, Signer, Verifier};

/// The DSSE caps live in [`crate::limits`]; these paths keep working.
pub use crate::limits::{MAX_KEYID_LEN, MAX_SIGNATURE_LEN};

/// Errors from parsing, signing and verifying DSSE envelopes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The envelope is not JSON, or a field has the wrong JSON type.
    #[error("the DSSE envelope is not JSON of the envelope's shape")]
    InvalidJson {
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// 1-based column of the problem (0 when unknown).
        column: usize,
        /// What the JSON parser reported (it names the line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The envelope is JSON but not a DSSE envelope (a required field is missing or repeated).
    #[error("invalid DSSE envelope: {reason}")]
    InvalidEnvelope {
        /// What is wrong.
        reason: &'static str,
    },
    /// A base64 field does not decode.
    #[error("the DSSE `{field}` field is not base64")]
    InvalidBase64 {
        /// `payload` or `sig`.
        field: &'static str,
        /// What the decoder reported.
        #[source]
        source: base64::DecodeError,
    },
    /// The input exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Fewer distinct trusted keys signed than the threshold requires.
    #[error("DSSE threshold not met: {verified} of {required} required trusted keys signed")]
    ThresholdNotMet {
        /// The threshold.
        required: usize,
        /// How many distinct trusted keys have a valid signature.
        verified: usize,
    },
    /// Caller mistake: a threshold of 0 would accept unsigned payloads.
    #[error("DSSE threshold must be at least 1")]
    ConfigZeroThreshold,
    /// Caller mistake: no trusted keys were given.
    #[error("no trusted keys were given for DSSE verification")]
    ConfigNoTrustedKeys,
    /// Caller mistake: no signers were given.
    #[error("no signers were given for DSSE signing")]
    ConfigNoSigners,
    /// A signer failed.
    #[error("signing the DSSE envelope with key {key} failed")]
    Sign {
        /// The signer's key (SPKI fingerprint).
        key: KeyId,
        /// What the signer reported.
        #[source]
        source: sign::Error,
    },
}

/// The DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, where `LEN` is the byte length in ASCII
/// decimal without leading zeros (protocol.md, "Signature definition").
///
/// ```
/// let pae = supply_sig::dsse::pae("http://example.com/HelloWorld", b"hello world");
/// assert_eq!(pae, b"DSSEv1 29 http://example.com/HelloWorld 11 hello world");
/// ```
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        9 + type_len.len() + payload_type.len() + body_len.len() + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// One signature of an [`Envelope`].
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The unauthenticated `keyid` hint. An absent, `null` or empty `keyid` reads as `None`;
    /// `None` is written by omitting the field.
    pub keyid: Option<KeyId>,
    /// The signature bytes (decoded). ECDSA signatures may be DER or fixed `r ‖ s`; which is
    /// accepted is the [`Verifier`]'s policy (`EcdsaEncoding::DerOrFixed` accepts both, as the
    /// DSSE spec vectors need).
    pub sig: Vec<u8>,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("keyid", &self.keyid)
            .field("sig", &STANDARD.encode(&self.sig))
            .finish()
    }
}

/// A DSSE envelope, parsed but not verified.
///
/// Nothing in it is trusted: read the payload through [`Envelope::verify`], which returns the
/// exact signed bytes. Still the caller's job after verification: checking that the payload
/// type is the one expected, and parsing the payload.
///
/// JSON form: `{"payload": base64, "payloadType": string, "signatures": [{"keyid": string,
/// "sig": base64}]}`. On input, base64 may use the standard or the URL-safe alphabet (not mixed),
/// with or without `=` padding, as the envelope spec allows; non-canonical trailing bits and
/// whitespace are rejected. Unknown fields, at the top level and in signatures, are ignored and
/// not preserved (no signature covers them). A repeated known field is an error. On output,
/// base64 is standard with padding.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload type (a media type such as `application/vnd.in-toto+json`).
    pub payload_type: String,
    /// The payload, decoded from base64.
    pub payload: Vec<u8>,
    /// The signatures.
    pub signatures: Vec<Signature>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("payload_type", &self.payload_type)
            .field("payload_len", &self.payload.len())
            .field("signatures", &self.signatures)
            .finish()
    }
}

/// Standard alphabet, padding optional.
const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
/// URL-safe alphabet, padding optional.
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Longest base64 text (padded) for `n` decoded bytes.
const fn base64_len(n: usize) -> usize {
    n.div_ceil(3).saturating_mul(4)
}

fn decode_base64(
    s: &str,
    field: &'static str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    if s.len() > base64_len(limit) {
        return Err(LimitExceeded::new(what, limit).into());
    }
    let engine = if s.bytes().any(|b| b == b'-' || b == b'_') {
        &URL_SAFE_ANY_PAD
    } else {
        &STANDARD_ANY_PAD
    };
    let bytes = engine
        .decode(s)
        .map_err(|source| Error::InvalidBase64 { field, source })?;
    if bytes.len() > limit {
        return Err(LimitExceeded::new(what, limit)
            .with_actual(bytes.len())
            .into());
    }
    Ok(bytes)
}

/// The largest envelope JSON accepted under `limits`: the base64 of the largest payload, the
/// largest signatures with their key ids (JSON-escaped, up to 6 bytes a byte), plus 64 KiB for
/// the rest. Under the default limits this is about 21.5 MiB.
pub fn max_envelope_len(limits: &Limits) -> usize {
    let per_sig = base64_len(MAX_SIGNATURE_LEN)
        .saturating_add(MAX_KEYID_LEN.saturating_mul(6))
        .saturating_add(64);
    base64_len(limits.dsse_payload_len)
        .saturating_add(limits.dsse_signatures.saturating_mul(per_sig))
        .saturating_add(DSSE_ENVELOPE_SLACK)
}

impl Envelope {
    /// Parses a JSON envelope under the default [`Limits`].
    ///
    /// # Errors
    /// [`Error::InvalidJson`], [`Error::InvalidEnvelope`] (missing or repeated field),
    /// [`Error::InvalidBase64`], or [`Error::LimitExceeded`] for a document over
    /// [`max_envelope_len`], a payload over [`crate::limits::MAX_DSSE_PAYLOAD_LEN`] bytes, more
    /// than [`crate::limits::MAX_DSSE_SIGNATURES`] signatures, a signature over
    /// [`MAX_SIGNATURE_LEN`] or a key id over [`MAX_KEYID_LEN`] bytes.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        Self::from_json_with_limits(json, &Limits::default())
    }

    /// Parses a JSON envelope under `limits` (`dsse_payload_len` and `dsse_signatures` apply).
    ///
    /// # Errors
    /// As [`Envelope::from_json`].
    pub fn from_json_with_limits(json: &[u8], limits: &Limits) -> Result<Self, Error> {
        let max = max_envelope_len(limits);
        if json.len() > max {
            return Err(LimitExceeded::new("DSSE envelope (bytes)", max)
                .with_actual(json.len())
                .into());
        }
        let json_err = |source: serde_json::Error| Error::InvalidJson {
            line: source.line(),
            column: source.column(),
            source,
        };
        let mut de = serde_json::Deserializer::from_slice(json);
        let raw = EnvelopeSeed {
            max_signatures: limits.dsse_signatures,
        }
        .deserialize(&mut de)
        .map_err(json_err)?;
        de.end().map_err(json_err)?;

        Self::from_raw(raw, limits)
    }

    /// The checks after the JSON is read, shared by [`Envelope::from_json_with_limits`] and an
    /// envelope nested in another document (`NestedEnvelope`, with the `sigstore` feature).
    fn from_raw(raw: RawEnvelope, limits: &Limits) -> Result<Self, Error> {
        if let Some(reason) = raw.problem {
            return Err(Error::InvalidEnvelope { reason });
        }
        let (Some(payload), Some(payload_type), Some(sigs)) =
            (raw.payload, raw.payload_type, raw.signatures)
        else {
            return Err(Error::InvalidEnvelope {
                reason: "missing `payload`, `payloadType` or `signatures`",
            });
        };
        if let Some(reason) = sigs.problem {
            return Err(Error::InvalidEnvelope { reason });
        }
        if sigs.overflow {
            return Err(LimitExceeded::new("DSSE signatures", limits.dsse_signatures).into());
        }
        let payload = decode_base64(
            &payload,
            "payload",
            limits.dsse_payload_len,
            "DSSE payload (bytes)",
        )?;
        let mut signatures = Vec::with_capacity(sigs.items.len());
        for s in sigs.items {
            let (Some(keyid), Some(sig)) = (s.keyid, s.sig) else {
                return Err(Error::InvalidEnvelope {
                    reason: "signature without `sig`",
                });
            };
            let sig = decode_base64(&sig, "sig", MAX_SIGNATURE_LEN, "DSSE signature (bytes)")?;
            let keyid = match keyid {
                Some(k) if k.len() > MAX_KEYID_LEN => {
                    return Err(LimitExceeded::new("DSSE keyid (bytes)", MAX_KEYID_LEN)
                        .with_actual(k.len())
                        .into())
                }
                Some(k) if !k.is_empty() => Some(KeyId::new(k)),
                _ => None,
            };
            signatures.push(Signature { keyid, sig });
        }
        Ok(Self {
            payload_type,
            payload,
            signatures,
        })
    }

    /// Serializes the envelope as compact JSON (`payload`, `payloadType`, `signatures` in that
    /// order; standard padded base64; `keyid` omitted when `None`).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(base64_len(self.payload.len()) + 256);
        out.extend_from_slice(b"{\"payload\":\"");
        out.extend_from_slice(STANDARD.encode(&self.payload).as_bytes());
        out.extend_from_slice(b"\",\"payloadType\":");
        crate::cjson::jcs::write_string(&mut out, &self.payload_type);
        out.extend_from_slice(b",\"signatures\":[");
        for (i, s) in self.signatures.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'{');
            if let Some(k) = &s.keyid {
                out.extend_from_slice(b"\"keyid\":");
                crate::cjson::jcs::write_string(&mut out, k.as_str());
                out.push(b',');
            }
            out.extend_from_slice(b"\"sig\":\"");
            out.extend_from_slice(STANDARD.encode(&s.sig).as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// The bytes the signatures cover: [`pae`] of this envelope's type and payload.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Signs `payload` with every signer, in order. Each signature's `keyid` is the signer's
    /// SPKI fingerprint ([`crate::key::PublicKey::key_id`]).
    ///
    /// # Errors
    /// [`Error::ConfigNoSigners`], [`Error::LimitExceeded`] when the payload or the number of
    /// signers exceeds the default [`Limits`] (the envelope could not be read back), or
    /// [`Error::Sign`] when a signer fails.
    pub fn sign(
        payload_type: impl Into<String>,
        payload: impl Into<Vec<u8>>,
        signers: &[&dyn Signer],
    ) -> Result<Self, Error> {
        let limits = Limits::default();
        if signers.is_empty() {
            return Err(Error::ConfigNoSigners);
        }
        if signers.len() > limits.dsse_signatures {
            return Err(
                LimitExceeded::new("DSSE signatures", limits.dsse_signatures)
                    .with_actual(signers.len())
                    .into(),
            );
        }
        let mut env = Self {
            payload_type: payload_type.into(),
            payload: payload.into(),
            signatures: Vec::with_capacity(signers.len()),
        };
        if env.payload.len() > limits.dsse_payload_len {
            return Err(
                LimitExceeded::new("DSSE payload (bytes)", limits.dsse_payload_len)
                    .with_actual(env.payload.len())
                    .into(),
            );
        }
        let pae = env.pae();
        for signer in signers {
            let key = signer.public_key().key_id();
            let sig = signer.try_sign(&pae).map_err(|source| Error::Sign {
                key: key.clone(),
                source,
            })?;
            env.signatures.push(Signature {
                keyid: Some(key),
                sig,
            });
        }
        Ok(env)
    }

    /// Verifies that at least `threshold` distinct keys of `trusted` signed this envelope.
    ///
    /// - Each trusted key counts once, however many signatures it made.
    /// - `keyid` is only a hint: the key it names (by fingerprint or by an id given to
    ///   [`TrustedKeys::insert_with_key_ids`]) is tried first, then every other key not yet
    ///   counted. A wrong or missing hint costs time, never a result.
    /// - A signature that verifies under no trusted key (bogus, or from an unknown key) is
    ///   ignored, not fatal.
    /// - Work is bounded by what parsing admitted under the caller's [`Limits`] (no default limit
    ///   is applied again here): each signature is tried against each trusted verifier once;
    ///   signatures longer than [`MAX_SIGNATURE_LEN`] are not tried.
    ///
    /// The result lists every trusted key with a valid signature, even beyond the threshold.
    ///
    /// # Errors
    /// [`Error::ConfigZeroThreshold`], [`Error::ConfigNoTrustedKeys`], and
    /// [`Error::ThresholdNotMet`] when too few keys signed.
    pub fn verify(
        &self,
        trusted: &TrustedKeys,
        threshold: usize,
    ) -> Result<VerifiedPayload<'_>, Error> {
        if threshold == 0 {
            return Err(Error::ConfigZeroThreshold);
        }
        if trusted.is_empty() {
            return Err(Error::ConfigNoTrustedKeys);
        }
        // No limit is re-checked here: parsing applied the caller's limits (default or
        // `from_json_with_limits`), and an envelope built in memory is the caller's own. Work
        // stays proportional to the signatures present, each tried once per trusted verifier.
        let pae = self.pae();
        let keys = &trusted.keys;
        let mut counted = vec![false; keys.len()];
        let mut key_ids = Vec::new();
        for sig in &self.signatures {
            if key_ids.len() == keys.len() {
                break;
            }
            if sig.sig.len() > MAX_SIGNATURE_LEN {
                continue;
            }
            let hinted = sig.keyid.as_ref().and_then(|h| trusted.position(h));
            let order = hinted
                .into_iter()
                .chain((0..keys.len()).filter(|&i| Some(i) != hinted));
            for i in order {
                let (Some(key), Some(false)) = (keys.get(i), counted.get(i).copied()) else {
                    continue;
                };
                if key
                    .verifiers
                    .iter()
                    .any(|v| v.verify(&pae, &sig.sig).is_ok())
                {
                    if let Some(c) = counted.get_mut(i) {
                        *c = true;
                    }
                    key_ids.push(key.id.clone());
                    break;
                }
            }
        }
        if key_ids.len() < threshold {
            return Err(Error::ThresholdNotMet {
                required: threshold,
                verified: key_ids.len(),
            });
        }
        Ok(VerifiedPayload {
            payload_type: &self.payload_type,
            payload: &self.payload,
            key_ids,
        })
    }
}

/// An envelope read as a field of another JSON document (a Sigstore bundle's `dsseEnvelope`)
/// through the same visitor, limits and repeated-field rule as [`Envelope::from_json`], so
/// that strictness does not depend on where the envelope sits. JSON syntax errors fail the
/// outer document; the envelope's own problems are kept for [`NestedEnvelope::into_envelope`].
#[cfg(feature = "sigstore")]
pub(crate) struct NestedEnvelope(Result<Envelope, Error>);

#[cfg(feature = "sigstore")]
impl NestedEnvelope {
    /// The envelope, or why it is not one.
    pub(crate) fn into_envelope(self) -> Result<Envelope, Error> {
        self.0
    }
}

#[cfg(feature = "sigstore")]
impl<'de> serde::Deserialize<'de> for NestedEnvelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let limits = Limits::default();
        let raw = EnvelopeSeed {
            max_signatures: limits.dsse_signatures,
        }
        .deserialize(d)?;
        Ok(Self(Envelope::from_raw(raw, &limits)))
    }
}

/// One distinct trusted key: its fingerprint, extra hint ids and one verifier per scheme.
struct TrustedKey {
    id: KeyId,
    hints: Vec<KeyId>,
    verifiers: Vec<Box<dyn Verifier>>,
}

/// The keys a DSSE envelope is verified against, deduplicated by public key.
///
/// Keys are identified by their SPKI fingerprint ([`crate::key::PublicKey::key_id`]): adding
/// the same public key twice (even through different verifier objects) still counts as one key
/// for the threshold. The same key with another scheme is kept as an alternative verifier for
/// that one key.
#[derive(Default)]
pub struct TrustedKeys {
    keys: Vec<TrustedKey>,
}

impl fmt::Debug for TrustedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.id))
            .finish()
    }
}

impl TrustedKeys {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a verifier. Returns whether its public key was new to the set.
    pub fn insert(&mut self, verifier: Box<dyn Verifier>) -> bool {
        self.insert_with_key_ids(verifier, [])
    }

    /// Adds a verifier and extra ids under which envelopes may name its key (TUF or
    /// securesystemslib key ids, KMS URIs ...). The ids only steer which key is tried first.
    /// Returns whether the public key was new to the set.
    pub fn insert_with_key_ids(
        &mut self,
        verifier: Box<dyn Verifier>,
        key_ids: impl IntoIterator<Item = KeyId>,
    ) -> bool {
        let id = verifier.public_key().key_id();
        let pos = self.keys.iter().position(|k| k.id == id);
        let (entry, new) = match pos.and_then(|i| self.keys.get_mut(i)) {
            Some(entry) => {
                if entry
                    .verifiers
                    .iter()
                    .all(|v| v.scheme() != verifier.scheme())
                {
                    entry.verifiers.push(verifier);
                }
                (entry, false)
            }
            None => {
                self.keys.push(TrustedKey {
                    id,
                    hints: Vec::new(),
                    verifiers: vec![verifier],
                });
                let Some(entry) = self.keys.last_mut() else {
                    return true;
                };
                (entry, true)
            }
        };
        for k in key_ids {
            if !entry.hints.contains(&k) {
                entry.hints.push(k);
            }
        }
        new
    }

    /// Adds a verifier (builder form of [`insert`](Self::insert)).
    #[must_use]
    pub fn with_verifier(mut self, verifier: Box<dyn Verifier>) -> Self {
        self.insert(verifier);
        self
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The fingerprints of the distinct keys, in insertion order.
    pub fn key_ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|k| &k.id)
    }

    fn position(&self, hint: &KeyId) -> Option<usize> {
        self.keys
            .iter()
            .position(|k| &k.id == hint || k.hints.contains(hint))
    }
}

impl FromIterator<Box<dyn Verifier>> for TrustedKeys {
    fn from_iter<I: IntoIterator<Item = Box<dyn Verifier>>>(iter: I) -> Self {
        let mut keys = Self::new();
        for v in iter {
            keys.insert(v);
        }
        keys
    }
}

/// A payload whose signatures met the threshold. Only [`Envelope::verify`] makes one.
///
/// Still the caller's job: checking [`payload_type`](Self::payload_type) against the type
/// expected, and parsing [`payload`](Self::payload).
#[derive(Clone, Debug)]
pub struct VerifiedPayload<'a> {
    payload_type: &'a str,
    payload: &'a [u8],
    key_ids: Vec<KeyId>,
}

impl<'a> VerifiedPayload<'a> {
    /// The authenticated payload type.
    pub fn payload_type(&self) -> &'a str {
        self.payload_type
    }

    /// The exact payload bytes that were signed.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The fingerprints of the distinct trusted keys whose signatures verified, in signature
    /// order.
    pub fn key_ids(&self) -> &[KeyId] {
        &self.key_ids
    }
}

// ---- JSON reading ---------------------------------------------------------------------------
//
// A hand-written visitor rather than `#[derive(Deserialize)]`: it caps the number of signatures
// while reading (no allocation for the excess), and reports missing or repeated fields as
// structured errors instead of serde's strings.

#[derive(Default)]
struct RawEnvelope {
    payload: Option<String>,
    payload_type: Option<String>,
    signatures: Option<RawSignatures>,
    problem: Option<&'static str>,
}

#[derive(Default)]
struct RawSignatures {
    items: Vec<RawSignature>,
    overflow: bool,
    problem: Option<&'static str>,
}

#[derive(Default)]
struct RawSignature {
    /// `Some(None)` for an explicit `null` or once the field is known absent.
    keyid: Option<Option<String>>,
    sig: Option<String>,
}

fn set<T>(slot: &mut Option<T>, value: T, problem: &mut Option<&'static str>, dup: &'static str) {
    if slot.replace(value).is_some() && problem.is_none() {
        *problem = Some(dup);
    }
}

struct EnvelopeSeed {
    max_signatures: usize,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed {
    type Value = RawEnvelope;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawEnvelope, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed {
    type Value = RawEnvelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DSSE envelope object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEnvelope, A::Error> {
        let mut env = RawEnvelope::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "payload" => {
                    let v = map.next_value::<String>()?;
                    set(&mut env.payload, v, &mut env.problem, "repeated `payload`");
                }
                "payloadType" => {
                    let v = map.next_value::<String>()?;
                    set(
                        &mut env.payload_type,
                        v,
                        &mut env.problem,
                        "repeated `payloadType`",
                    );
                }
                "signatures" => {
                    let v = map.next_value_seed(SignaturesSeed {
                        max: self.max_signatures,
                    })?;
                    set(
                        &mut env.signatures,
                        v,
                        &mut env.problem,
                        "repeated `signatures`",
                    );
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

struct SignaturesSeed {
    max: usize,
}

impl<'de> DeserializeSeed<'de> for SignaturesSeed {
    type Value = RawSignatures;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawSignatures, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SignaturesSeed {
    type Value = RawSignatures;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of DSSE signatures")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawSignatures, A::Error> {
        let mut out = RawSignatures::default();
        loop {
            if out.items.len() < self.max {
                match seq.next_element_seed(SignatureSeed)? {
                    Some((sig, problem)) => {
                        if out.problem.is_none() {
                            out.problem = problem;
                        }
                        out.items.push(sig);
                    }
                    None => break,
                }
            } else {
                match seq.next_element::<IgnoredAny>()? {
                    Some(_) => out.overflow = true,
                    None => break,
                }
            }
        }
        Ok(out)
    }
}

struct SignatureSeed;

impl<'de> DeserializeSeed<'de> for SignatureSeed {
    type Value = (RawSignature, Option<&'static str>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SignatureSeed {
    type Value = (RawSignature, Option<&'static str>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DSSE signature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut sig = RawSignature::default();
        let mut problem = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "keyid" => {
                    let v = map.next_value::<Option<String>>()?;
                    set(
                        &mut sig.keyid,
                        v,
                        &mut problem,
                        "repeated `keyid` in a signature",
                    );
                }
                "sig" => {
                    let v = map.next_value::<String>()?;
                    set(
                        &mut sig.sig,
                        v,
                        &mut problem,
                        "repeated `sig` in a signature",
                    );
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if sig.keyid.is_none() {
            sig.keyid = Some(None);
        }
        Ok((sig, problem))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_each_cause_once() {
        let err = Envelope::from_json(b"{").unwrap_err();
        crate::assert_causes_once(err, &["the DSSE envelope is not JSON", "EOF while parsing"]);
        let err = Envelope::from_json(br#"{"payload":"!!","payloadType":"t","signatures":[]}"#)
            .unwrap_err();
        crate::assert_causes_once(err, &["the DSSE `payload` field is not base64", "Invalid"]);
        let tight = Limits {
            dsse_payload_len: 1,
            ..Limits::default()
        };
        let err = Envelope::from_json_with_limits(
            br#"{"payload":"YWJj","payloadType":"t","signatures":[]}"#,
            &tight,
        )
        .unwrap_err();
        crate::assert_causes_once(err, &["DSSE payload (bytes) exceeds the limit of 1"]);
    }

    #[test]
    fn pae_lengths_are_bytes() {
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        assert_eq!(
            pae("tést", "bödy ☃".as_bytes()),
            "DSSEv1 5 tést 9 bödy ☃".as_bytes()
        );
    }

    #[test]
    fn parse_rules() {
        let ok =
            br#"{"payload":"aGk","payloadType":"t","signatures":[{"sig":"AA=="}],"x":{"y":[1]}}"#;
        let env = Envelope::from_json(ok).unwrap();
        assert_eq!(env.payload, b"hi");
        assert_eq!(env.signatures[0].keyid, None);
        assert_eq!(
            env.to_json(),
            br#"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AA=="}]}"#
        );
        // URL-safe alphabet.
        let url = br#"{"payload":"-_8","payloadType":"t","signatures":[]}"#;
        assert_eq!(Envelope::from_json(url).unwrap().payload, [0xfb, 0xff]);
        for (bad, what) in [
            (&br#"{"payload":"aGk","signatures":[]}"#[..], "missing"),
            (
                br#"{"payload":"aGk","payload":"aGk","payloadType":"t","signatures":[]}"#,
                "dup",
            ),
            (
                br#"{"payload":"a-+","payloadType":"t","signatures":[]}"#,
                "mixed",
            ),
            (
                br#"{"payload":"aGk=","payloadType":"t","signatures":[{}]}"#,
                "nosig",
            ),
            (
                br#"{"payload":"aGl=","payloadType":"t","signatures":[]}"#,
                "trailing bits",
            ),
            (
                br#"{"payload":1,"payloadType":"t","signatures":[]}"#,
                "type",
            ),
            (
                br#"{"payload":"","payloadType":"t","signatures":[]} x"#,
                "trailing",
            ),
            (br#"[]"#, "array"),
        ] {
            assert!(Envelope::from_json(bad).is_err(), "{what}");
        }
    }

    #[test]
    fn signature_count_limit() {
        let sigs = vec![r#"{"sig":""}"#; 65].join(",");
        let json = format!(r#"{{"payload":"","payloadType":"t","signatures":[{sigs}]}}"#);
        assert!(matches!(
            Envelope::from_json(json.as_bytes()),
            Err(Error::LimitExceeded(LimitExceeded { limit: 64, .. }))
        ));
    }
}
