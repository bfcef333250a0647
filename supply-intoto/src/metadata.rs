//! Signed layouts and links: the legacy metablock envelope and DSSE.
//!
//! - **Metablock** (`{"signed": {...}, "signatures": [{"keyid": hex, "sig": hex}]}`): each
//!   signature covers the OLPC canonical JSON of the **raw** `signed` object as received, so
//!   unknown fields (in-toto-golang's `rootcas`, `intermediatecas`, `cert_constraints`) are
//!   covered too. Nothing is re-serialized through [`crate::model`] to be verified.
//! - **DSSE** (`{"payload", "payloadType", "signatures"}`): each signature covers
//!   `PAE("application/vnd.in-toto+json", payload bytes)` ([`supply_sig::dsse`]).
//!
//! A document is DSSE when it has a `payload` or `payloadType` field, as in-toto python decides.
//! Reading is strict and bounded: the whole document must be RFC 8259 JSON without duplicate
//! object keys (one strict reader, [`supply_sig::cjson`]), at most
//! [`limits::MAX_METADATA_LEN`] bytes and
//! [`limits::MAX_SIGNATURES`] signatures; a layout passes
//! [`Layout::validate`].
//!
//! Signature checks ([`Metadata::verify_signature`]) take a key and find the signature it made:
//! the signature whose `keyid` names the key is tried first, then every other one. Key ids are
//! labels and never decide trust: a layout signed under a legacy key id (with
//! `keyid_hash_algorithms`, as in-toto-golang computes it) verifies with the same key given under
//! its new-style id.

use serde::Deserialize;
use serde_json::value::RawValue;
use supply_sig::cjson;
use supply_sig::crypto::Provider;
use supply_sig::dsse;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyId;
use supply_sig::limits::LimitExceeded;
use supply_sig::sign::{EcdsaEncoding, KeyVerifier, Signer, Verifier, VerifyPolicy};

use crate::limits;
use crate::model::{self, bounded, Layout, Link};

/// The DSSE payload type of in-toto layouts and links.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Errors from reading, signing and checking signatures of layouts and links.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The document is not strict JSON (duplicate keys, invalid UTF-8, trailing bytes ...).
    #[error("the document is not strict JSON")]
    StrictJson(#[source] cjson::Error),
    /// The document or its payload is not JSON of the expected shape.
    #[error("invalid in-toto metadata JSON")]
    InvalidJson(#[source] serde_json::Error),
    /// The DSSE envelope is malformed.
    #[error("invalid DSSE envelope")]
    Dsse(#[source] dsse::Error),
    /// The DSSE payload type is not [`PAYLOAD_TYPE`].
    #[error("DSSE payload type {actual:?} is not {PAYLOAD_TYPE}")]
    WrongPayloadType {
        /// The type found (at most 64 characters).
        actual: String,
    },
    /// A metablock signature is not hex.
    #[error("metablock signature by {keyid:?} is not hex")]
    InvalidSignatureHex {
        /// The key id label (at most 64 characters).
        keyid: String,
    },
    /// `_type` is neither `layout` nor `link`.
    #[error("unknown in-toto metadata type {actual:?}")]
    UnknownType {
        /// The type found (at most 64 characters).
        actual: String,
    },
    /// The layout breaks a layout rule.
    #[error("invalid layout")]
    InvalidLayout(#[source] model::Error),
    /// The `signed` object cannot be canonicalized (a float, for example).
    #[error("cannot canonicalize the signed object")]
    CanonicalJson(#[source] cjson::Error),
    /// The key cannot verify (unsupported scheme, refused key).
    #[error("key {keyid} cannot be used to verify")]
    Key {
        /// The key's id.
        keyid: KeyId,
        /// Why.
        #[source]
        source: supply_sig::sign::Error,
    },
    /// The key has made no valid signature on the document.
    #[error("no valid signature by key {keyid}")]
    NoValidSignature {
        /// The key's id.
        keyid: KeyId,
    },
    /// Caller mistake: signing with no signers.
    #[error("no signers were given")]
    ConfigNoSigners,
    /// Caller mistake: a certificate attached to a DSSE envelope (in-toto-golang carries them in
    /// metablock signatures only).
    #[error("certificates are carried by metablock signatures only, not DSSE")]
    ConfigCertificateOnDsse,
    /// Caller mistake: a certificate for a signature the document does not have.
    #[error("no signature is labelled {keyid}")]
    ConfigNoSuchSignature {
        /// The key id asked for.
        keyid: KeyId,
    },
    /// A signer failed or has no securesystemslib name.
    #[error("signing failed")]
    Sign(#[source] supply_sig::sign::Error),
    /// A signer's key has no securesystemslib form.
    #[error("the signer's key has no securesystemslib form")]
    SignerKey(#[source] supply_sig::key::Error),
    /// The model could not be serialized.
    #[error("cannot serialize the metadata")]
    Serialize(#[source] serde_json::Error),
}

/// A signature with its (optional) key id label.
type LabelledSig<'a> = (Option<&'a KeyId>, &'a [u8]);

/// One metablock signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetablockSignature {
    /// The key id label.
    pub keyid: KeyId,
    /// The signature bytes (decoded from hex).
    pub sig: Vec<u8>,
    /// The signer's PEM certificate, as in-toto-golang writes it (`None` when absent or empty).
    /// Not covered by the signature: only [`crate::certs`] gives it meaning, after checking it
    /// chains to the layout's roots.
    pub cert: Option<String>,
}

/// The envelope a layout or link came in.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Envelope {
    /// The legacy `{"signed", "signatures"}` metablock.
    Metablock {
        /// The OLPC canonical JSON of the raw `signed` object: the bytes signed.
        canonical: Vec<u8>,
        /// The signatures.
        signatures: Vec<MetablockSignature>,
    },
    /// A DSSE envelope.
    Dsse(dsse::Envelope),
}

/// What a document holds.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Payload {
    /// A layout (at top level, or a sublayout in a step's link position).
    Layout(Box<Layout>),
    /// A link.
    Link(Box<Link>),
}

/// A parsed layout or link document that keeps its raw bytes and the bytes its signatures cover.
///
/// Parsing checks shape only; signatures are checked by [`Metadata::verify_signature`] or, for a
/// whole supply chain, by [`crate::verify`].
#[derive(Clone, Debug)]
pub struct Metadata {
    raw: Vec<u8>,
    /// Where the raw `signed` object sits in `raw` (metablocks only).
    signed_span: std::ops::Range<usize>,
    envelope: Envelope,
    payload: Payload,
}

/// What the verifier's one-pass reading made of a document.
enum OnePass {
    /// A metablock, read.
    Metablock(Box<Metadata>),
    /// A DSSE envelope, strict JSON (its canonicalization parsed it).
    Dsse,
    /// Anything else, for the general reading (which gives the precise error).
    General,
}

/// The top level of either envelope, read in one pass: a metablock's `signed` text is
/// borrowed from the input (its exact bytes are what is canonicalized), its signatures and
/// DSSE's members are only located.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    signed: Option<&'a RawValue>,
    #[serde(borrow, default)]
    signatures: Option<&'a RawValue>,
    #[serde(default)]
    payload: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "payloadType")]
    payload_type: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct RawSignature {
    keyid: String,
    sig: String,
    /// in-toto-golang's PEM certificate of the signing key (may be `""`).
    #[serde(default)]
    cert: Option<String>,
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "_type")]
    type_: String,
}

fn strict(json: &[u8]) -> Result<(), Error> {
    // The JCS flavour accepts every RFC 8259 number (a link's free-form byproducts may hold a
    // float); what matters here is the strict grammar and the duplicate-key refusal.
    cjson::check_strict(json).map_err(Error::StrictJson)
}

fn parse_payload(json: &[u8]) -> Result<Payload, Error> {
    // Links are most documents: read as one in a single pass; anything else (a layout, or a
    // document that is neither) goes the general way, which also gives the precise error.
    // One UTF-8 check of the whole text, then serde's `str` reader, which does not check
    // each string again.
    let link = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str::<Link>(text),
        Err(_) => serde_json::from_slice::<Link>(json),
    };
    if let Ok(link) = link {
        link.check_limits()?;
        return Ok(Payload::Link(Box::new(link)));
    }
    let head: TypeOnly = serde_json::from_slice(json).map_err(Error::InvalidJson)?;
    match head.type_.as_str() {
        "layout" => {
            let layout: Layout = serde_json::from_slice(json).map_err(Error::InvalidJson)?;
            layout.validate().map_err(Error::InvalidLayout)?;
            Ok(Payload::Layout(Box::new(layout)))
        }
        "link" => {
            let link: Link = serde_json::from_slice(json).map_err(Error::InvalidJson)?;
            link.check_limits()?;
            Ok(Payload::Link(Box::new(link)))
        }
        other => Err(Error::UnknownType {
            actual: bounded(other),
        }),
    }
}

fn verifier(
    key: &SslibKey,
    keyid: &KeyId,
    encoding: EcdsaEncoding,
    provider: &Provider,
) -> Result<KeyVerifier, Error> {
    KeyVerifier::new(
        key.public_key(),
        key.scheme(),
        VerifyPolicy::default().with_ecdsa_encoding(encoding),
        provider,
    )
    .map_err(|source| Error::Key {
        keyid: keyid.clone(),
        source,
    })
}

impl Metadata {
    /// Parses a metablock or DSSE document.
    ///
    /// # Errors
    /// See the [module docs](self).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(bytes, true)
    }

    /// As [`Metadata::from_slice`] without a copy of the document: for the verifier, which
    /// reads each link once, checks its signature and keeps only the payload. The result's
    /// [`Metadata::raw`] is empty and it cannot be re-signed; it never leaves the crate.
    pub(crate) fn for_verification(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(bytes, false)
    }

    fn parse(bytes: &[u8], keep_raw: bool) -> Result<Self, Error> {
        let raw = |bytes: &[u8]| if keep_raw { bytes.to_vec() } else { Vec::new() };
        if bytes.len() > limits::MAX_METADATA_LEN {
            return Err(
                LimitExceeded::new("in-toto metadata (bytes)", limits::MAX_METADATA_LEN)
                    .with_actual(bytes.len())
                    .into(),
            );
        }
        if !keep_raw {
            match Self::one_pass(bytes) {
                OnePass::Metablock(found) => return Ok(*found),
                // The canonicalization was the strict parse: only the envelope is left to read.
                OnePass::Dsse => return Self::dsse(bytes, Vec::new()),
                OnePass::General => {}
            }
        }
        let probe: Probe<'_> = serde_json::from_slice(bytes).map_err(Error::InvalidJson)?;
        if probe.payload.is_some() || probe.payload_type.is_some() {
            strict(bytes)?;
            return Self::dsse(bytes, raw(bytes));
        }
        let Some(signed) = probe.signed else {
            return Err(Error::UnknownType {
                actual: "neither a metablock nor a DSSE envelope".into(),
            });
        };
        let raw_signatures: Vec<RawSignature> = match probe.signatures {
            Some(s) => serde_json::from_str(s.get()).map_err(Error::InvalidJson)?,
            None => {
                return Err(Error::UnknownType {
                    actual: "a metablock without signatures".into(),
                })
            }
        };
        if raw_signatures.len() > limits::MAX_SIGNATURES {
            return Err(
                LimitExceeded::new("metablock signatures", limits::MAX_SIGNATURES)
                    .with_actual(raw_signatures.len())
                    .into(),
            );
        }
        let mut signatures = Vec::with_capacity(raw_signatures.len());
        for s in raw_signatures {
            let sig = hex::decode(&s.sig).map_err(|_| Error::InvalidSignatureHex {
                keyid: bounded(&s.keyid),
            })?;
            signatures.push(MetablockSignature {
                keyid: KeyId::new(s.keyid),
                sig,
                cert: s.cert.filter(|c| !c.is_empty()),
            });
        }
        let text = signed.get().as_bytes();
        // The span of `signed` inside `bytes` (serde_json borrows it from the input).
        let start = (text.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
        let signed_span = start..start.saturating_add(text.len());
        if bytes.get(signed_span.clone()) != Some(text) {
            return Err(Error::UnknownType {
                actual: "metablock whose signed span cannot be located".into(),
            });
        }
        // Strictness in two parts, each parsed once: the envelope around `signed` (with
        // `signed` itself stood in for by `{}`), and `signed` by the canonicalizer, whose parser
        // is the same strict one (duplicate keys refused).
        let mut outer = Vec::with_capacity(bytes.len() - text.len() + 2);
        outer.extend_from_slice(&bytes[..signed_span.start]);
        outer.extend_from_slice(b"{}");
        outer.extend_from_slice(&bytes[signed_span.end..]);
        strict(&outer)?;
        let canonical = cjson::olpc::canonicalize(text).map_err(Error::CanonicalJson)?;
        // The payload is read from the bytes the signatures cover, as the one-pass path reads
        // it; from the text as received when the canonical form is not JSON serde reads (a
        // control character, which OLPC leaves unescaped), which gives the same values.
        let payload = parse_payload(&canonical).or_else(|_| parse_payload(text))?;
        Ok(Self {
            raw: raw(bytes),
            signed_span,
            envelope: Envelope::Metablock {
                canonical,
                signatures,
            },
            payload,
        })
    }

    /// A DSSE envelope already known to be strict JSON, kept as `raw`.
    fn dsse(bytes: &[u8], raw: Vec<u8>) -> Result<Self, Error> {
        let env = dsse::Envelope::from_json(bytes).map_err(Error::Dsse)?;
        if env.payload_type != PAYLOAD_TYPE {
            return Err(Error::WrongPayloadType {
                actual: bounded(&env.payload_type),
            });
        }
        strict(&env.payload)?;
        let payload = parse_payload(&env.payload)?;
        Ok(Self {
            raw,
            signed_span: 0..0,
            envelope: Envelope::Dsse(env),
            payload,
        })
    }

    /// The verifier's way through a well-formed metablock: the whole document canonicalized
    /// once (which is also its strict, duplicate-refusing parse), the `signed` member's canonical
    /// bytes sliced out of the result (a member's canonical form is the same alone or inside its
    /// object), and the payload and signatures read from those canonical bytes, which hold the
    /// same values as the text they came from (or, when a string holds a control character that
    /// the canonical form leaves raw, from the text). A DSSE envelope is only said to be one
    /// (and strict JSON, which saves the general DSSE reading its strict pass); for anything else
    /// (any error) [`Metadata::parse`] goes the general way, which accepts the same documents
    /// and gives the precise error: this path decides nothing on its own.
    fn one_pass(bytes: &[u8]) -> OnePass {
        let Ok(whole) = cjson::olpc::canonicalize_members(bytes) else {
            return OnePass::General;
        };
        if whole.member_range("payload").is_some() || whole.member_range("payloadType").is_some() {
            return OnePass::Dsse;
        }
        Self::metablock_from(bytes, whole)
            .map_or(OnePass::General, |m| OnePass::Metablock(Box::new(m)))
    }

    /// [`Metadata::one_pass`] for a canonical document that is not DSSE.
    fn metablock_from(bytes: &[u8], whole: cjson::Canonical) -> Option<Self> {
        let raw_signatures: Vec<RawSignature> =
            serde_json::from_slice(whole.member("signatures")?).ok()?;
        if raw_signatures.len() > limits::MAX_SIGNATURES {
            return None;
        }
        let signatures = raw_signatures
            .into_iter()
            .map(|s| {
                Some(MetablockSignature {
                    sig: hex::decode(&s.sig).ok()?,
                    keyid: KeyId::new(s.keyid),
                    cert: s.cert.filter(|c| !c.is_empty()),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let signed = whole.member_range("signed")?;
        let payload = match parse_payload(whole.as_bytes().get(signed.clone())?) {
            Ok(payload) => payload,
            // A string with a control character (a link's captured output): the canonical form
            // holds it raw, which serde refuses; the text as received holds it escaped.
            Err(_) => {
                let probe: Probe<'_> = serde_json::from_slice(bytes).ok()?;
                parse_payload(probe.signed?.get().as_bytes()).ok()?
            }
        };
        let mut canonical = whole.into_bytes();
        canonical.truncate(signed.end);
        canonical.drain(..signed.start);
        Some(Self {
            raw: Vec::new(),
            signed_span: 0..0,
            envelope: Envelope::Metablock {
                canonical,
                signatures,
            },
            payload,
        })
    }

    /// For tests and the fuzz target: whether the verifier's one-pass reading of `bytes` gives
    /// what the general reading gives (the same payload, signed bytes and signatures); `None`
    /// when it declines the document. Not part of the API.
    #[doc(hidden)]
    pub fn __one_pass_agrees(bytes: &[u8]) -> Option<bool> {
        let OnePass::Metablock(fast) = Self::one_pass(bytes) else {
            return None;
        };
        let Ok(general) = Self::parse(bytes, true) else {
            return Some(false);
        };
        let signed = |m: &Self| match &m.envelope {
            Envelope::Metablock {
                canonical,
                signatures,
            } => Some((canonical.clone(), signatures.clone())),
            Envelope::Dsse(_) => None,
        };
        Some(
            fast.payload == general.payload
                && signed(&fast).is_some()
                && signed(&fast) == signed(&general),
        )
    }

    /// The document as received (or as written by a `sign_*` function).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The parsed payload. Unverified: check signatures first.
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// The parsed payload, by value. Unverified: check signatures first.
    pub fn into_payload(self) -> Payload {
        self.payload
    }

    /// The layout, when the payload is one.
    pub fn as_layout(&self) -> Option<&Layout> {
        match &self.payload {
            Payload::Layout(l) => Some(l),
            Payload::Link(_) => None,
        }
    }

    /// The link, when the payload is one.
    pub fn as_link(&self) -> Option<&Link> {
        match &self.payload {
            Payload::Link(l) => Some(l),
            Payload::Layout(_) => None,
        }
    }

    /// The signatures that carry a certificate (metablocks only; DSSE signatures have none):
    /// `(keyid label, PEM)`.
    pub fn signature_certificates(&self) -> Vec<(&KeyId, &str)> {
        match &self.envelope {
            Envelope::Metablock { signatures, .. } => signatures
                .iter()
                .filter_map(|s| s.cert.as_deref().map(|c| (&s.keyid, c)))
                .collect(),
            Envelope::Dsse(_) => Vec::new(),
        }
    }

    /// Whether this is a DSSE envelope.
    pub fn is_dsse(&self) -> bool {
        matches!(self.envelope, Envelope::Dsse(_))
    }

    /// Checks that `key` (known as `keyid`) made a valid signature on this document. The
    /// signature labelled `keyid` is tried first, then the others (key ids are labels). ECDSA
    /// signatures are DER in metablocks, DER or fixed `r‖s` in DSSE.
    ///
    /// # Errors
    /// [`Error::Key`] when the key cannot verify, [`Error::NoValidSignature`] otherwise.
    pub fn verify_signature(
        &self,
        keyid: &KeyId,
        key: &SslibKey,
        provider: &Provider,
    ) -> Result<(), Error> {
        let (message, sigs): (std::borrow::Cow<'_, [u8]>, Vec<LabelledSig<'_>>) =
            match &self.envelope {
                Envelope::Metablock {
                    canonical,
                    signatures,
                } => (
                    std::borrow::Cow::Borrowed(canonical.as_slice()),
                    signatures
                        .iter()
                        .map(|s| (Some(&s.keyid), s.sig.as_slice()))
                        .collect(),
                ),
                Envelope::Dsse(env) => (
                    std::borrow::Cow::Owned(env.pae()),
                    env.signatures
                        .iter()
                        .map(|s| (s.keyid.as_ref(), s.sig.as_slice()))
                        .collect(),
                ),
            };
        let encoding = if self.is_dsse() {
            EcdsaEncoding::DerOrFixed
        } else {
            EcdsaEncoding::Der
        };
        let v = verifier(key, keyid, encoding, provider)?;
        let hinted = sigs.iter().filter(|(k, _)| *k == Some(keyid));
        let others = sigs.iter().filter(|(k, _)| *k != Some(keyid));
        for (_, sig) in hinted.chain(others) {
            if v.verify(&message, sig).is_ok() {
                return Ok(());
            }
        }
        Err(Error::NoValidSignature {
            keyid: keyid.clone(),
        })
    }

    /// Adds signatures by `signers` to this document, keeping the signed bytes exactly as they
    /// are (the raw `signed` text of a metablock, the payload of a DSSE envelope), so existing
    /// signatures stay valid; a signature with the same key id is replaced (as `in-toto-sign`
    /// does).
    ///
    /// # Errors
    /// As [`Metadata::sign_metablock`].
    pub fn add_signatures(&self, signers: &[&dyn Signer]) -> Result<Self, Error> {
        if signers.is_empty() {
            return Err(Error::ConfigNoSigners);
        }
        match &self.envelope {
            Envelope::Metablock {
                canonical,
                signatures,
            } => {
                let mut sigs: Vec<(String, String, Option<String>)> = signatures
                    .iter()
                    .map(|s| {
                        (
                            s.keyid.as_str().to_owned(),
                            hex::encode(&s.sig),
                            s.cert.clone(),
                        )
                    })
                    .collect();
                for s in signers {
                    let keyid = signer_key_id(*s)?;
                    let sig = hex::encode(s.try_sign(canonical).map_err(Error::Sign)?);
                    sigs.retain(|(k, _, _)| k != keyid.as_str());
                    sigs.push((keyid.as_str().to_owned(), sig, None));
                }
                self.rewrite_metablock(sigs)
            }
            Envelope::Dsse(env) => {
                let pae = env.pae();
                let mut env = env.clone();
                for s in signers {
                    let keyid = signer_key_id(*s)?;
                    let sig = s.try_sign(&pae).map_err(Error::Sign)?;
                    env.signatures.retain(|x| x.keyid.as_ref() != Some(&keyid));
                    env.signatures.push(dsse::Signature {
                        keyid: Some(keyid),
                        sig,
                    });
                }
                Self::from_slice(&env.to_json())
            }
        }
    }

    fn payload_json(payload: &Payload) -> Result<Vec<u8>, Error> {
        match payload {
            Payload::Layout(l) => serde_json::to_vec(l),
            Payload::Link(l) => serde_json::to_vec(l),
        }
        .map_err(Error::Serialize)
    }

    /// Attaches `cert_pem`, the signing key's PEM certificate, to the metablock signature
    /// labelled `keyid`, as in-toto-golang's `in-toto run --cert` writes it. The certificate is
    /// not covered by the signature (it says who the key is; [`crate::certs`] checks it against
    /// the layout's roots and a step's constraints), so the signed bytes are kept as they are.
    ///
    /// # Errors
    /// [`Error::ConfigCertificateOnDsse`], [`Error::ConfigNoSuchSignature`], or a parse error of
    /// the written document.
    pub fn with_certificate(&self, keyid: &KeyId, cert_pem: &str) -> Result<Self, Error> {
        let Envelope::Metablock { signatures, .. } = &self.envelope else {
            return Err(Error::ConfigCertificateOnDsse);
        };
        if !signatures.iter().any(|s| &s.keyid == keyid) {
            return Err(Error::ConfigNoSuchSignature {
                keyid: keyid.clone(),
            });
        }
        let sigs = signatures
            .iter()
            .map(|s| {
                let cert = if &s.keyid == keyid {
                    Some(cert_pem.to_owned())
                } else {
                    s.cert.clone()
                };
                (s.keyid.as_str().to_owned(), hex::encode(&s.sig), cert)
            })
            .collect();
        self.rewrite_metablock(sigs)
    }

    /// This metablock's raw `signed` text with new signatures (key id, hex signature,
    /// certificate), read back.
    fn rewrite_metablock(
        &self,
        sigs: Vec<(String, String, Option<String>)>,
    ) -> Result<Self, Error> {
        let sigs: Vec<serde_json::Value> = sigs
            .into_iter()
            .map(|(k, s, cert)| match cert {
                Some(c) => serde_json::json!({"keyid": k, "sig": s, "cert": c}),
                None => serde_json::json!({"keyid": k, "sig": s}),
            })
            .collect();
        let sigs = serde_json::to_string(&sigs).map_err(Error::Serialize)?;
        let signed = self
            .raw
            .get(self.signed_span.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| Error::UnknownType {
                actual: "metablock whose signed span cannot be located".into(),
            })?;
        let doc = format!("{{\"signatures\":{sigs},\"signed\":{signed}}}");
        Self::from_slice(doc.as_bytes())
    }

    /// Signs `payload` as a metablock with every signer, each labelled with the new-style
    /// securesystemslib key id of its key (as in-toto 3.x computes it), and reads the result
    /// back.
    ///
    /// # Errors
    /// [`Error::ConfigNoSigners`], [`Error::SignerKey`], [`Error::Sign`], or a parse error of the
    /// written document.
    pub fn sign_metablock(payload: &Payload, signers: &[&dyn Signer]) -> Result<Self, Error> {
        if signers.is_empty() {
            return Err(Error::ConfigNoSigners);
        }
        let text = Self::payload_json(payload)?;
        let canonical = cjson::olpc::canonicalize(&text).map_err(Error::CanonicalJson)?;
        let mut sigs = Vec::new();
        for s in signers {
            let keyid = signer_key_id(*s)?;
            let sig = s.try_sign(&canonical).map_err(Error::Sign)?;
            sigs.push(serde_json::json!({"keyid": keyid.as_str(), "sig": hex::encode(sig)}));
        }
        let sigs = serde_json::to_string(&sigs).map_err(Error::Serialize)?;
        let text = String::from_utf8(text).map_err(|_| Error::UnknownType {
            actual: "non-UTF-8 JSON".into(),
        })?;
        let doc = format!("{{\"signatures\":{sigs},\"signed\":{text}}}");
        Self::from_slice(doc.as_bytes())
    }

    /// Signs `payload` as a DSSE envelope (type [`PAYLOAD_TYPE`]) with every signer, each
    /// signature labelled with the new-style securesystemslib key id of its key.
    ///
    /// # Errors
    /// As [`Metadata::sign_metablock`], plus [`Error::Dsse`].
    pub fn sign_dsse(payload: &Payload, signers: &[&dyn Signer]) -> Result<Self, Error> {
        if signers.is_empty() {
            return Err(Error::ConfigNoSigners);
        }
        let text = Self::payload_json(payload)?;
        let mut env = dsse::Envelope::sign(PAYLOAD_TYPE, text, signers).map_err(Error::Dsse)?;
        for (sig, s) in env.signatures.iter_mut().zip(signers) {
            sig.keyid = Some(signer_key_id(*s)?);
        }
        Self::from_slice(&env.to_json())
    }
}

/// The new-style securesystemslib key id of a signer's key.
///
/// # Errors
/// [`Error::SignerKey`] when the scheme has no securesystemslib name.
pub fn signer_key_id(signer: &dyn Signer) -> Result<KeyId, Error> {
    SslibKey::new(signer.public_key().clone(), signer.scheme())
        .and_then(|k| k.key_id())
        .map_err(Error::SignerKey)
}
