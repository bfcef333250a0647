//! RFC 3161 timestamps: a `TimeStampResp` (or a bare `TimeStampToken`) parsed from DER and
//! verified against the trusted root's timestamp authorities.
//!
//! Verification ([`SignedTimestamp::verify`]):
//! - the token is CMS `SignedData` (RFC 5652) with exactly one `SignerInfo` and signed
//!   attributes; `content-type` is `id-ct-TSTInfo` and `message-digest` is the hash of the exact
//!   `eContent` bytes;
//! - the signature covers the exact signed-attribute bytes (re-tagged as `SET OF`, RFC 5652
//!   §5.4) and verifies under the key of a TSA leaf from the trusted root whose validity window
//!   contains `genTime` (end inclusive);
//! - that TSA's chain is valid at `genTime`, its leaf has extKeyUsage timeStamping;
//! - the message imprint is the hash of the bundle's signature bytes, so the timestamp is
//!   bound to this signature and no other.

use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::{Decode as _, Reader as _, SliceReader, Tag, TagNumber};

use crate::crypto::Provider;
use crate::digest::Algorithm;
use crate::key::KeyAlgorithm;
use crate::limits::LimitExceeded;
use crate::limits::MAX_TIMESTAMP_LEN;
use crate::sign::{KeyVerifier, SignatureScheme, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{self, LeafProfile};

use super::trust_root::CertificateAuthority;

const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Errors from RFC 3161 timestamps.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Larger than [`MAX_TIMESTAMP_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Malformed DER or an unexpected structure.
    #[error("malformed timestamp: {reason}")]
    Malformed {
        /// Where.
        reason: &'static str,
    },
    /// The response status is not granted.
    #[error("timestamp response status {status} is not granted")]
    NotGranted {
        /// The PKIStatus.
        status: u8,
    },
    /// An algorithm we do not support.
    #[error("unsupported algorithm {oid}")]
    UnsupportedAlgorithm {
        /// The OID.
        oid: String,
    },
    /// The message imprint does not match the signature it should cover.
    #[error("timestamp message imprint does not match the signature")]
    ImprintMismatch,
    /// The signed attributes do not match the content.
    #[error("timestamp signed attributes are inconsistent: {reason}")]
    BadSignedAttributes {
        /// Why.
        reason: &'static str,
    },
    /// No trusted TSA, valid at genTime, signed it.
    #[error("timestamp at {time} is not signed by a trusted timestamp authority")]
    Untrusted {
        /// genTime.
        time: Timestamp,
    },
}

fn bad(reason: &'static str) -> Error {
    Error::Malformed { reason }
}

/// A parsed, unverified RFC 3161 timestamp token.
#[derive(Clone, Debug)]
pub struct SignedTimestamp {
    raw: Vec<u8>,
    econtent: Vec<u8>,
    signed_attrs: Vec<u8>,
    digest_algorithm: Algorithm,
    pss: bool,
    signature: Vec<u8>,
    message_digest_attr: Vec<u8>,
    /// genTime.
    pub gen_time: Timestamp,
    /// The message imprint's hash algorithm.
    pub imprint_algorithm: Algorithm,
    /// The message imprint.
    pub imprint: Vec<u8>,
    /// Certificates embedded in the token (never trusted by themselves).
    pub certificates: Vec<x509::Certificate>,
    /// The TSTInfo's nonce (the unsigned big-endian magnitude), when it has one: the one the
    /// request carried, which the requester checks.
    pub nonce: Option<Vec<u8>>,
    /// The TSTInfo's accuracy in whole seconds, a fraction rounded up (0 when absent): genTime
    /// is only known to lie within this many seconds either side.
    pub accuracy_secs: u64,
}

fn hash_oid(oid: ObjectIdentifier) -> Result<Algorithm, Error> {
    Ok(match oid {
        o if o == OID_SHA256 => Algorithm::Sha256,
        o if o == OID_SHA384 => Algorithm::Sha384,
        o if o == OID_SHA512 => Algorithm::Sha512,
        o => {
            return Err(Error::UnsupportedAlgorithm { oid: o.to_string() });
        }
    })
}

/// Reads an AlgorithmIdentifier's OID (parameters ignored).
fn alg_oid(tlv: &[u8]) -> Result<ObjectIdentifier, Error> {
    let mut r = SliceReader::new(tlv).map_err(|_| bad("algorithm"))?;
    r.sequence(|s| {
        let oid: ObjectIdentifier = s.decode()?;
        while !s.is_finished() {
            s.tlv_bytes()?;
        }
        Ok(oid)
    })
    .map_err(|_| bad("algorithm"))
}

/// Splits a constructed TLV into its children's TLVs.
fn children(tlv: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let mut r = SliceReader::new(tlv).map_err(|_| bad("structure"))?;
    let header = r.peek_header().map_err(|_| bad("structure"))?;
    if !header.tag.is_constructed() {
        return Err(bad("expected a constructed value"));
    }
    let body_len = usize::try_from(header.length).map_err(|_| bad("length"))?;
    let start = tlv.len().checked_sub(body_len).ok_or(bad("length"))?;
    let mut out = Vec::new();
    let mut inner = SliceReader::new(&tlv[start..]).map_err(|_| bad("structure"))?;
    while !inner.is_finished() {
        out.push(inner.tlv_bytes().map_err(|_| bad("structure"))?);
    }
    // The outer TLV must be exactly this.
    let total = r.tlv_bytes().map_err(|_| bad("structure"))?.len();
    if total != tlv.len() {
        return Err(bad("trailing data"));
    }
    Ok(out)
}

fn tag_of(tlv: &[u8]) -> Option<Tag> {
    SliceReader::new(tlv).ok()?.peek_tag().ok()
}

fn context(n: u8) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::new(n),
    }
}

/// The value bytes of a TLV.
fn value_of(tlv: &[u8]) -> Result<&[u8], Error> {
    let r = SliceReader::new(tlv).map_err(|_| bad("value"))?;
    let h = r.peek_header().map_err(|_| bad("value"))?;
    let n = usize::try_from(h.length).map_err(|_| bad("value"))?;
    let start = tlv.len().checked_sub(n).ok_or(bad("value"))?;
    Ok(&tlv[start..])
}

impl SignedTimestamp {
    /// Parses a DER `TimeStampResp` (RFC 3161 §2.4.2) or a bare `TimeStampToken`.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`], [`Error::Malformed`], [`Error::NotGranted`],
    /// [`Error::UnsupportedAlgorithm`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_TIMESTAMP_LEN {
            return Err(LimitExceeded::new("RFC 3161 timestamp", MAX_TIMESTAMP_LEN)
                .with_actual(der.len())
                .into());
        }
        let top = children(der)?;
        let token: &[u8] = match top.as_slice() {
            [status, token] if tag_of(status) == Some(Tag::Sequence) => {
                let st = children(status)?;
                let code = st.first().ok_or(bad("status"))?;
                let n = der::asn1::Uint::from_der(code).map_err(|_| bad("status"))?;
                match n.as_bytes() {
                    [0] | [1] => {}
                    [s] => return Err(Error::NotGranted { status: *s }),
                    _ => return Err(bad("status")),
                }
                token
            }
            [oid, _] if tag_of(oid) == Some(Tag::ObjectIdentifier) => der,
            _ => return Err(bad("TimeStampResp")),
        };
        Self::parse_token(der, token)
    }

    fn parse_token(raw: &[u8], token: &[u8]) -> Result<Self, Error> {
        let ci = children(token)?;
        let [ct, content] = ci.as_slice() else {
            return Err(bad("ContentInfo"));
        };
        if ObjectIdentifier::from_der(ct).map_err(|_| bad("contentType"))? != OID_SIGNED_DATA {
            return Err(bad("not SignedData"));
        }
        if tag_of(content) != Some(context(0)) {
            return Err(bad("ContentInfo content"));
        }
        let [sd] = children(content)?[..] else {
            return Err(bad("ContentInfo content"));
        };
        let sd_parts = children(sd)?;
        let (econtent_info, rest) = match sd_parts.as_slice() {
            [_version, _digest_algs, eci, rest @ ..] => (*eci, rest),
            _ => return Err(bad("SignedData")),
        };
        let mut certificates = Vec::new();
        let mut signer_infos = None;
        for part in rest {
            match tag_of(part) {
                Some(t) if t == context(0) => {
                    for c in children(part)? {
                        if certificates.len() == crate::limits::MAX_CERT_CHAIN_LEN {
                            return Err(bad("too many certificates"));
                        }
                        certificates
                            .push(x509::Certificate::from_der(c).map_err(|_| bad("certificate"))?);
                    }
                }
                Some(t) if t == context(1) => {}
                Some(Tag::Set) if signer_infos.is_none() => signer_infos = Some(*part),
                _ => return Err(bad("SignedData")),
            }
        }
        // encapContentInfo: eContentType id-ct-TSTInfo, eContent [0] EXPLICIT OCTET STRING.
        let eci = children(econtent_info)?;
        let [etype, econtent] = eci.as_slice() else {
            return Err(bad("encapContentInfo"));
        };
        if ObjectIdentifier::from_der(etype).map_err(|_| bad("eContentType"))? != OID_TST_INFO {
            return Err(bad("eContentType is not TSTInfo"));
        }
        let [octets] = children(econtent)?[..] else {
            return Err(bad("eContent"));
        };
        let tst = OctetStringRef::from_der(octets)
            .map_err(|_| bad("eContent"))?
            .as_bytes();
        let TstInfo {
            gen_time,
            imprint_algorithm,
            imprint,
            nonce,
            accuracy_secs,
        } = parse_tst_info(tst)?;

        let sis = children(signer_infos.ok_or(bad("no signerInfos"))?)?;
        let [si] = sis.as_slice() else {
            return Err(bad("expected exactly one SignerInfo"));
        };
        let si = children(si)?;
        let [_version, _sid, digest_alg, signed_attrs, sig_alg, signature, ..] = si.as_slice()
        else {
            return Err(bad("SignerInfo"));
        };
        if tag_of(signed_attrs) != Some(context(0)) {
            return Err(bad("signed attributes missing"));
        }
        let digest_algorithm = hash_oid(alg_oid(digest_alg)?)?;
        let pss = alg_oid(sig_alg)? == OID_RSA_PSS;
        let signature = OctetStringRef::from_der(signature)
            .map_err(|_| bad("signature"))?
            .as_bytes()
            .to_vec();
        // RFC 5652 §5.4: the signature covers the DER of the attributes with the SET OF tag.
        let mut attrs_set = signed_attrs.to_vec();
        if let Some(first) = attrs_set.first_mut() {
            *first = 0x31;
        }
        let mut content_type_ok = false;
        let mut message_digest_attr = None;
        for attr in children(signed_attrs)? {
            let parts = children(attr)?;
            let [oid, values] = parts.as_slice() else {
                return Err(bad("attribute"));
            };
            let oid = ObjectIdentifier::from_der(oid).map_err(|_| bad("attribute"))?;
            let vals = children(values)?;
            if oid == OID_CONTENT_TYPE {
                let [v] = vals.as_slice() else {
                    return Err(bad("content-type attribute"));
                };
                content_type_ok = ObjectIdentifier::from_der(v).ok() == Some(OID_TST_INFO);
            } else if oid == OID_MESSAGE_DIGEST {
                let [v] = vals.as_slice() else {
                    return Err(bad("message-digest attribute"));
                };
                if message_digest_attr.is_some() {
                    return Err(bad("repeated message-digest attribute"));
                }
                message_digest_attr = Some(
                    OctetStringRef::from_der(v)
                        .map_err(|_| bad("message-digest attribute"))?
                        .as_bytes()
                        .to_vec(),
                );
            }
        }
        if !content_type_ok {
            return Err(Error::BadSignedAttributes {
                reason: "content-type is not id-ct-TSTInfo",
            });
        }
        Ok(Self {
            raw: raw.to_vec(),
            econtent: tst.to_vec(),
            signed_attrs: attrs_set,
            digest_algorithm,
            pss,
            signature,
            message_digest_attr: message_digest_attr.ok_or(Error::BadSignedAttributes {
                reason: "no message-digest",
            })?,
            gen_time,
            imprint_algorithm,
            imprint,
            certificates,
            nonce,
            accuracy_secs,
        })
    }

    /// The DER this timestamp was parsed from.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Verifies the timestamp over `signature` (the bytes whose hash is the message imprint)
    /// against `authorities`, returning the authenticated genTime.
    ///
    /// # Errors
    /// [`Error::ImprintMismatch`], [`Error::BadSignedAttributes`], [`Error::Untrusted`].
    pub fn verify(
        &self,
        signature: &[u8],
        authorities: &[CertificateAuthority],
        provider: &Provider,
    ) -> Result<Timestamp, Error> {
        self.check_content(signature, provider)?;
        let t = self.gen_time;
        for tsa in authorities {
            if !tsa.valid_for().contains(t) {
                continue;
            }
            let Some(leaf) = tsa.tsa_leaf() else {
                continue;
            };
            if !self.signed_by(leaf, provider) {
                continue;
            }
            let chain_ok = x509::verify_chain_checked(
                leaf,
                tsa.checked_chain(),
                t,
                LeafProfile::TimeStamping,
                provider,
            );
            if chain_ok.is_ok() {
                return Ok(t);
            }
        }
        Err(Error::Untrusted { time: t })
    }

    /// Verifies the timestamp over `signature` with a signing certificate the token itself
    /// carries, chained to one of `roots` (trust anchors held elsewhere, as notation's `tsa`
    /// trust stores hold them): the token's other certificates are its intermediates, in the
    /// order it gives them, then the root; the chain is valid at genTime and the leaf is for
    /// time stamping. A certificate of the token is never trusted by itself.
    ///
    /// # Errors
    /// [`Error::ImprintMismatch`], [`Error::BadSignedAttributes`], [`Error::Untrusted`].
    pub fn verify_with_roots(
        &self,
        signature: &[u8],
        roots: &[x509::Certificate],
        provider: &Provider,
    ) -> Result<Timestamp, Error> {
        self.verify_with_roots_chain(signature, roots, provider)
            .map(|(t, _)| t)
    }

    /// [`SignedTimestamp::verify_with_roots`], returning the chain that verified too (the
    /// signing certificate first, the root of `roots` last): what a revocation check of the
    /// time-stamping authority walks.
    ///
    /// # Errors
    /// As [`SignedTimestamp::verify_with_roots`].
    pub fn verify_with_roots_chain(
        &self,
        signature: &[u8],
        roots: &[x509::Certificate],
        provider: &Provider,
    ) -> Result<(Timestamp, Vec<x509::Certificate>), Error> {
        self.check_content(signature, provider)?;
        let t = self.gen_time;
        for leaf in &self.certificates {
            if !self.signed_by(leaf, provider) {
                continue;
            }
            for root in roots {
                let mut chain: Vec<x509::Certificate> = self
                    .certificates
                    .iter()
                    .filter(|c| c.der() != leaf.der() && c.der() != root.der())
                    .cloned()
                    .collect();
                chain.push(root.clone());
                let Ok(checked) = x509::CheckedCaChain::check(chain, provider) else {
                    continue;
                };
                if x509::verify_chain_checked(
                    leaf,
                    &checked,
                    t,
                    LeafProfile::TimeStamping,
                    provider,
                )
                .is_ok()
                {
                    let mut full = vec![leaf.clone()];
                    full.extend(checked.certificates().iter().cloned());
                    return Ok((t, full));
                }
            }
        }
        Err(Error::Untrusted { time: t })
    }

    /// The message imprint is the hash of `signature`, and the signed `message-digest` the hash
    /// of the exact TSTInfo.
    fn check_content(&self, signature: &[u8], provider: &Provider) -> Result<(), Error> {
        let imprint = provider.hash.digest(self.imprint_algorithm, signature);
        if !imprint.ct_eq_bytes(&self.imprint) {
            return Err(Error::ImprintMismatch);
        }
        let md = provider.hash.digest(self.digest_algorithm, &self.econtent);
        if !md.ct_eq_bytes(&self.message_digest_attr) {
            return Err(Error::BadSignedAttributes {
                reason: "message-digest does not match the TSTInfo",
            });
        }
        Ok(())
    }

    /// The signed attributes verify under `leaf`'s key.
    fn signed_by(&self, leaf: &x509::Certificate, provider: &Provider) -> bool {
        let Some(scheme) = scheme(
            leaf.public_key().algorithm(),
            self.digest_algorithm,
            self.pss,
        ) else {
            return false;
        };
        KeyVerifier::new(leaf.public_key(), scheme, VerifyPolicy::default(), provider)
            .is_ok_and(|v| v.verify(&self.signed_attrs, &self.signature).is_ok())
    }
}

fn scheme(key: KeyAlgorithm, hash: Algorithm, pss: bool) -> Option<SignatureScheme> {
    use SignatureScheme as S;
    Some(match (key, hash, pss) {
        (KeyAlgorithm::EcdsaP256, Algorithm::Sha256, false) => S::EcdsaP256Sha256,
        (KeyAlgorithm::EcdsaP256, Algorithm::Sha384, false) => S::EcdsaP256Sha384,
        (KeyAlgorithm::EcdsaP256, Algorithm::Sha512, false) => S::EcdsaP256Sha512,
        (KeyAlgorithm::EcdsaP384, Algorithm::Sha256, false) => S::EcdsaP384Sha256,
        (KeyAlgorithm::EcdsaP384, Algorithm::Sha384, false) => S::EcdsaP384Sha384,
        (KeyAlgorithm::EcdsaP384, Algorithm::Sha512, false) => S::EcdsaP384Sha512,
        (KeyAlgorithm::Rsa, Algorithm::Sha256, false) => S::RsaPkcs1v15Sha256,
        (KeyAlgorithm::Rsa, Algorithm::Sha384, false) => S::RsaPkcs1v15Sha384,
        (KeyAlgorithm::Rsa, Algorithm::Sha512, false) => S::RsaPkcs1v15Sha512,
        (KeyAlgorithm::Rsa, Algorithm::Sha256, true) => S::RsaPssSha256,
        (KeyAlgorithm::Rsa, Algorithm::Sha384, true) => S::RsaPssSha384,
        (KeyAlgorithm::Rsa, Algorithm::Sha512, true) => S::RsaPssSha512,
        (KeyAlgorithm::Ed25519, _, false) => S::Ed25519,
        _ => return None,
    })
}

/// What the signer and the verifier read from a `TSTInfo`.
struct TstInfo {
    gen_time: Timestamp,
    imprint_algorithm: Algorithm,
    imprint: Vec<u8>,
    nonce: Option<Vec<u8>>,
    accuracy_secs: u64,
}

/// TSTInfo (RFC 3161 §2.4.2): version, policy, messageImprint, serialNumber, genTime, …
fn parse_tst_info(tst: &[u8]) -> Result<TstInfo, Error> {
    let parts = children(tst)?;
    let [version, _policy, imprint, _serial, gen_time, rest @ ..] = parts.as_slice() else {
        return Err(bad("TSTInfo"));
    };
    if der::asn1::Uint::from_der(version)
        .map_err(|_| bad("TSTInfo version"))?
        .as_bytes()
        != [1]
    {
        return Err(bad("TSTInfo version"));
    }
    let mi = children(imprint)?;
    let [alg, hashed] = mi.as_slice() else {
        return Err(bad("messageImprint"));
    };
    let algorithm = hash_oid(alg_oid(alg)?)?;
    let hashed = OctetStringRef::from_der(hashed)
        .map_err(|_| bad("messageImprint"))?
        .as_bytes()
        .to_vec();
    if tag_of(gen_time) != Some(Tag::GeneralizedTime) {
        return Err(bad("genTime"));
    }
    let t = Timestamp::parse_generalized_time(value_of(gen_time)?).ok_or(bad("genTime"))?;
    // After genTime: accuracy (SEQUENCE), ordering (BOOLEAN), nonce (INTEGER), tsa [0],
    // extensions [1], each optional: the nonce is the one INTEGER.
    let nonce = match rest.iter().find(|p| tag_of(p) == Some(Tag::Integer)) {
        Some(n) => Some(
            der::asn1::Uint::from_der(n)
                .map_err(|_| bad("TSTInfo nonce"))?
                .as_bytes()
                .to_vec(),
        ),
        None => None,
    };
    let accuracy_secs = match rest.iter().find(|p| tag_of(p) == Some(Tag::Sequence)) {
        Some(a) => accuracy(a)?,
        None => 0,
    };
    Ok(TstInfo {
        gen_time: t,
        imprint_algorithm: algorithm,
        imprint: hashed,
        nonce,
        accuracy_secs,
    })
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
/// micros [1] INTEGER (1..999) OPTIONAL }` in whole seconds, any fraction counted as one more.
fn accuracy(tlv: &[u8]) -> Result<u64, Error> {
    let small = |bytes: &[u8]| -> Result<u64, Error> {
        // At most 8 value bytes after a possible leading zero: beyond u64 is no accuracy.
        match bytes {
            [0, rest @ ..] if rest.len() <= 8 => {
                Ok(rest.iter().fold(0, |n, b| n << 8 | u64::from(*b)))
            }
            [first, ..] if first & 0x80 == 0 && bytes.len() <= 8 => {
                Ok(bytes.iter().fold(0, |n, b| n << 8 | u64::from(*b)))
            }
            _ => Err(bad("TSTInfo accuracy")),
        }
    };
    let mut seconds = 0u64;
    let mut fraction = false;
    for part in children(tlv)? {
        let value = value_of(part)?;
        match SliceReader::new(part).ok().and_then(|r| r.peek_tag().ok()) {
            Some(Tag::Integer) => seconds = small(value)?,
            Some(Tag::ContextSpecific { number, .. }) if number.value() <= 1 => {
                fraction |= small(value)? > 0;
            }
            _ => return Err(bad("TSTInfo accuracy")),
        }
    }
    Ok(seconds.saturating_add(u64::from(fraction)))
}
