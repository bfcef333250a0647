//! X.509 certificates for Sigstore: parsing (with the exact DER kept), the signature over the
//! exact `tbsCertificate` bytes, CA and leaf profiles, and chain validation at a given time.
//!
//! Parsing uses the RustCrypto `x509-cert` crate; every signature goes through
//! [`crate::sign::KeyVerifier`] on a [`Provider`]. Chain validation here is the narrow one
//! Sigstore needs (RFC 5280 §6 restricted to a fixed, ordered chain from a trusted root, with no
//! path building, name constraints or policies):
//!
//! - each certificate is signed by the next, its issuer name equals the next one's subject,
//!   and the last one is a self-signed trust anchor;
//! - every certificate, the anchor included, is valid at the given time (bounds inclusive,
//!   RFC 5280 §4.1.2.5), so an expired intermediate fails even when the leaf is fine;
//! - every issuer is a CA: basicConstraints present, critical and `cA`, keyUsage present with
//!   keyCertSign, pathLenConstraint respected;
//! - the leaf has the profile the caller asks for ([`LeafProfile`]);
//! - a critical extension that is not understood fails the certificate (RFC 5280 §4.2).

use der::asn1::ObjectIdentifier;
use der::{Decode as _, Encode as _, Reader as _};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use crate::alg::SignatureScheme;
use crate::crypto::Provider;
use crate::key::PublicKey;
use crate::limits::{
    LimitExceeded, MAX_CERT_CHAIN_LEN, MAX_CERT_DER_LEN, MAX_CERT_PATH_ATTEMPTS, MAX_PEM_LEN,
};
use crate::pem;
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;

/// keyUsage (RFC 5280 §4.2.1.3).
pub const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// subjectAltName (RFC 5280 §4.2.1.6).
pub const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// basicConstraints (RFC 5280 §4.2.1.9).
pub const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// extKeyUsage (RFC 5280 §4.2.1.12).
pub const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// id-kp-codeSigning.
pub const OID_KP_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// id-kp-timeStamping.
pub const OID_KP_TIME_STAMPING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// The Certificate Transparency precertificate poison (RFC 6962 §3.1): never valid in a
/// final certificate.
pub const OID_CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");

const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const OID_ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const OID_RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const OID_RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Errors from certificate parsing and validation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not one DER certificate.
    #[error("invalid certificate encoding")]
    InvalidEncoding,
    /// A certificate's PEM block is malformed.
    #[error("reading the certificate's PEM block")]
    Pem(#[source] pem::Error),
    /// A PEM block holds something other than a certificate.
    #[error("the PEM block is labelled {label:?}, not CERTIFICATE")]
    UnexpectedPemLabel {
        /// The label found (at most [`crate::limits::MAX_PEM_LABEL_LEN`] characters).
        label: String,
    },
    /// A PEM chain holds no complete `CERTIFICATE` block, or is not UTF-8 text.
    #[error("the PEM text holds no complete CERTIFICATE block")]
    NoPemCertificate,
    /// A size or count limit was hit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The subject public key is of an unsupported type or malformed.
    #[error("reading the certificate's subject public key")]
    UnsupportedKey(#[source] crate::key::Error),
    /// The issuer's key cannot check signatures of the certificate's algorithm (refused by the
    /// verification policy, or not supported by the crypto provider).
    #[error("preparing the issuer's key for the certificate's signature algorithm")]
    IssuerKey(#[source] crate::sign::Error),
    /// The certificate's signature algorithm is not supported with its issuer's key.
    #[error("unsupported signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// The algorithm OID.
        oid: String,
    },
    /// An extension could not be decoded, or appears twice.
    #[error("invalid extension {oid}")]
    InvalidExtension {
        /// The extension OID.
        oid: String,
    },
    /// A critical extension we do not process.
    #[error("unhandled critical extension {oid}")]
    UnhandledCriticalExtension {
        /// The extension OID.
        oid: String,
    },
    /// The signature over the certificate does not verify under the issuer's key.
    #[error("certificate at chain position {position} is not signed by its issuer")]
    BadSignature {
        /// 0 is the leaf.
        position: usize,
    },
    /// The issuer name does not match the next certificate's subject.
    #[error("certificate at chain position {position}: issuer name does not match")]
    IssuerMismatch {
        /// 0 is the leaf.
        position: usize,
    },
    /// A certificate is not valid at the time asked.
    #[error("certificate at chain position {position} is not valid at {time} (valid {not_before} to {not_after})")]
    NotValidAt {
        /// 0 is the leaf.
        position: usize,
        /// The time checked.
        time: Timestamp,
        /// notBefore.
        not_before: Timestamp,
        /// notAfter.
        not_after: Timestamp,
    },
    /// A certificate used as an issuer is not a CA.
    #[error("certificate at chain position {position} is not a CA: {reason}")]
    NotCa {
        /// 0 is the leaf.
        position: usize,
        /// Which rule failed.
        reason: &'static str,
    },
    /// The leaf does not have the required profile.
    #[error("leaf certificate rejected: {reason}")]
    BadLeaf {
        /// Which rule failed.
        reason: &'static str,
    },
    /// The chain is empty or its last certificate is not self-signed.
    #[error("certificate chain does not end in a self-signed root")]
    NoRoot,
    /// No candidate path leads from the certificate to a trusted root by issuer names.
    #[error("no certificate path from {issuer:?} to a trusted root")]
    NoPath {
        /// The issuer name of the certificate (at most 256 characters).
        issuer: String,
    },
    /// A subject name attribute holds a value that is not a directory string we read.
    #[error("subject attribute {oid} holds an unsupported string type")]
    UnsupportedNameValue {
        /// The attribute type OID.
        oid: String,
    },
}

/// A parsed certificate that keeps its exact DER.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    parsed: x509_cert::Certificate,
    key: PublicKey,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.parsed.tbs_certificate.subject.to_string())
            .field("issuer", &self.parsed.tbs_certificate.issuer.to_string())
            .field("not_before", &self.not_before())
            .field("not_after", &self.not_after())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Certificate {}

/// What a leaf certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeafProfile {
    /// A Fulcio signing certificate: keyUsage digitalSignature, extKeyUsage codeSigning, not a CA.
    CodeSigning,
    /// An RFC 3161 timestamping certificate: extKeyUsage timeStamping (RFC 3161 §2.3), not a CA.
    TimeStamping,
    /// A general signing certificate (in-toto-golang functionaries, for example): not a CA, and
    /// keyUsage, when present, includes digitalSignature. extKeyUsage is not required.
    DigitalSignature,
}

/// subject commonName (X.520).
pub const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// subject organizationName (X.520).
pub const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// The subjectAltName entries of the common kinds, in certificate order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AltNames {
    /// dNSName entries.
    pub dns_names: Vec<String>,
    /// rfc822Name (email) entries.
    pub emails: Vec<String>,
    /// uniformResourceIdentifier entries, as written.
    pub uris: Vec<String>,
    /// How many entries of other kinds (IP addresses, otherName, ...) the extension holds.
    pub others: usize,
}

impl Certificate {
    /// Parses one DER certificate (no trailing bytes).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] over [`MAX_CERT_DER_LEN`], [`Error::InvalidEncoding`],
    /// [`Error::UnsupportedKey`], [`Error::InvalidExtension`] for a repeated extension.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERT_DER_LEN {
            return Err(
                LimitExceeded::new("certificate DER (bytes)", MAX_CERT_DER_LEN)
                    .with_actual(der.len())
                    .into(),
            );
        }
        let parsed = x509_cert::Certificate::from_der(der).map_err(|_| Error::InvalidEncoding)?;
        // The exact tbsCertificate bytes: the first element of the outer SEQUENCE.
        let tbs = first_element(der).ok_or(Error::InvalidEncoding)?;
        let spki = parsed
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| Error::InvalidEncoding)?;
        let key = PublicKey::from_spki_der(&spki).map_err(Error::UnsupportedKey)?;
        let mut seen = Vec::new();
        for ext in parsed.tbs_certificate.extensions.iter().flatten() {
            if seen.contains(&ext.extn_id) {
                return Err(Error::InvalidExtension {
                    oid: ext.extn_id.to_string(),
                });
            }
            seen.push(ext.extn_id);
        }
        Ok(Self {
            der: der.to_vec(),
            tbs,
            parsed,
            key,
        })
    }

    /// Parses the first `CERTIFICATE` block of a PEM text.
    ///
    /// # Errors
    /// [`Error::Pem`], [`Error::UnexpectedPemLabel`] or as [`Certificate::from_der`].
    pub fn from_pem(text: &[u8]) -> Result<Self, Error> {
        let block = pem::decode(text).map_err(Error::Pem)?;
        if block.label() != pem::CERTIFICATE_LABEL {
            return Err(Error::UnexpectedPemLabel {
                label: block.label().to_owned(),
            });
        }
        Self::from_der(block.contents())
    }

    /// Parses every `CERTIFICATE` block of a PEM text, in order (at most
    /// [`MAX_CERT_CHAIN_LEN`]).
    ///
    /// # Errors
    /// [`Error::NoPemCertificate`] when there is none, or as [`Certificate::from_pem`].
    pub fn from_pem_chain(text: &[u8]) -> Result<Vec<Self>, Error> {
        if text.len() > MAX_PEM_LEN.saturating_mul(MAX_CERT_CHAIN_LEN) {
            return Err(LimitExceeded::new(
                "PEM certificate chain (bytes)",
                MAX_PEM_LEN.saturating_mul(MAX_CERT_CHAIN_LEN),
            )
            .with_actual(text.len())
            .into());
        }
        let text = std::str::from_utf8(text).map_err(|_| Error::NoPemCertificate)?;
        const END: &str = "-----END CERTIFICATE-----";
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let Some(end) = rest[start..].find(END) else {
                return Err(Error::NoPemCertificate);
            };
            let block = &rest[start..start + end + END.len()];
            if out.len() == MAX_CERT_CHAIN_LEN {
                return Err(
                    LimitExceeded::new("certificates in a chain", MAX_CERT_CHAIN_LEN).into(),
                );
            }
            out.push(Self::from_pem(block.as_bytes())?);
            rest = &rest[start + end + END.len()..];
        }
        if out.is_empty() {
            return Err(Error::NoPemCertificate);
        }
        Ok(out)
    }

    /// The exact DER this certificate was parsed from.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The exact `tbsCertificate` bytes the issuer signed.
    pub fn tbs_der(&self) -> &[u8] {
        // invariant: `tbs` was checked to lie inside `der` in `from_der`.
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The decoded certificate.
    pub fn parsed(&self) -> &x509_cert::Certificate {
        &self.parsed
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode(pem::CERTIFICATE_LABEL, &self.der)
    }

    /// notBefore.
    pub fn not_before(&self) -> Timestamp {
        to_ts(self.parsed.tbs_certificate.validity.not_before)
    }

    /// notAfter.
    pub fn not_after(&self) -> Timestamp {
        to_ts(self.parsed.tbs_certificate.validity.not_after)
    }

    /// Whether `time` is within `[notBefore, notAfter]` (both inclusive, RFC 5280 §4.1.2.5).
    pub fn valid_at(&self, time: Timestamp) -> bool {
        self.not_before() <= time && time <= self.not_after()
    }

    /// The extension with `oid`, if present: `(critical, DER value)`.
    pub fn extension(&self, oid: ObjectIdentifier) -> Option<(bool, &[u8])> {
        self.parsed
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == oid)
            .map(|e| (e.critical, e.extn_value.as_bytes()))
    }

    fn decode_ext<'a, T: der::Decode<'a>>(
        &'a self,
        oid: ObjectIdentifier,
    ) -> Result<Option<(bool, T)>, Error> {
        match self.extension(oid) {
            None => Ok(None),
            Some((critical, v)) => {
                T::from_der(v)
                    .map(|t| Some((critical, t)))
                    .map_err(|_| Error::InvalidExtension {
                        oid: oid.to_string(),
                    })
            }
        }
    }

    /// Whether the subject and issuer names are equal.
    pub fn is_self_issued(&self) -> bool {
        self.parsed.tbs_certificate.subject == self.parsed.tbs_certificate.issuer
    }

    /// Verifies this certificate's signature with `issuer`'s key, over the exact TBS bytes.
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureAlgorithm`], [`Error::IssuerKey`] when the issuer's key is
    /// refused for that algorithm, or [`Error::BadSignature`] at position 0.
    pub fn verify_signed_by(&self, issuer: &PublicKey, provider: &Provider) -> Result<(), Error> {
        let alg = &self.parsed.signature_algorithm;
        let scheme =
            scheme_for(alg.oid, issuer).ok_or_else(|| Error::UnsupportedSignatureAlgorithm {
                oid: alg.oid.to_string(),
            })?;
        // RFC 5280 §4.1.1.2: the outer algorithm must equal the one inside the TBS.
        if self.parsed.signature_algorithm != self.parsed.tbs_certificate.signature {
            return Err(Error::BadSignature { position: 0 });
        }
        let sig = self
            .parsed
            .signature
            .as_bytes()
            .ok_or(Error::BadSignature { position: 0 })?;
        let v = KeyVerifier::new(issuer, scheme, VerifyPolicy::default(), provider)
            .map_err(Error::IssuerKey)?;
        v.verify(self.tbs_der(), sig)
            .map_err(|_| Error::BadSignature { position: 0 })
    }

    /// Checks the extensions every certificate must pass: no unhandled critical extension and
    /// no CT poison.
    fn check_extensions(&self, position: usize) -> Result<(), Error> {
        for ext in self.parsed.tbs_certificate.extensions.iter().flatten() {
            if ext.extn_id == OID_CT_POISON {
                return Err(Error::BadLeaf {
                    reason: "precertificate poison extension present",
                });
            }
            let handled = [
                OID_KEY_USAGE,
                OID_SUBJECT_ALT_NAME,
                OID_BASIC_CONSTRAINTS,
                OID_EXT_KEY_USAGE,
            ]
            .contains(&ext.extn_id);
            if ext.critical && !handled {
                let _ = position;
                return Err(Error::UnhandledCriticalExtension {
                    oid: ext.extn_id.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Checks that this certificate may issue certificates, with `below` CA certificates
    /// (not counting the leaf) between it and the leaf.
    ///
    /// # Errors
    /// [`Error::NotCa`] naming the failed rule, [`Error::InvalidExtension`].
    pub fn check_ca(&self, position: usize, below: usize) -> Result<(), Error> {
        self.check_extensions(position)?;
        let not_ca = |reason| Error::NotCa { position, reason };
        let (critical, bc) = self
            .decode_ext::<BasicConstraints>(OID_BASIC_CONSTRAINTS)?
            .ok_or_else(|| not_ca("basicConstraints missing"))?;
        if !critical {
            return Err(not_ca("basicConstraints not critical"));
        }
        if !bc.ca {
            return Err(not_ca("basicConstraints cA is false"));
        }
        if let Some(n) = bc.path_len_constraint {
            if below > usize::from(n) {
                return Err(not_ca("pathLenConstraint exceeded"));
            }
        }
        let (_, ku) = self
            .decode_ext::<KeyUsage>(OID_KEY_USAGE)?
            .ok_or_else(|| not_ca("keyUsage missing"))?;
        if !ku.key_cert_sign() {
            return Err(not_ca("keyUsage lacks keyCertSign"));
        }
        Ok(())
    }

    /// Checks the leaf profile.
    ///
    /// # Errors
    /// [`Error::BadLeaf`] naming the failed rule, [`Error::InvalidExtension`].
    pub fn check_leaf(&self, profile: LeafProfile) -> Result<(), Error> {
        self.check_extensions(0)?;
        let bad = |reason| Error::BadLeaf { reason };
        if let Some((_, bc)) = self.decode_ext::<BasicConstraints>(OID_BASIC_CONSTRAINTS)? {
            if bc.ca {
                return Err(bad("leaf is a CA"));
            }
        }
        let eku = self
            .decode_ext::<ExtendedKeyUsage>(OID_EXT_KEY_USAGE)?
            .map(|(_, e)| e.0);
        match profile {
            LeafProfile::CodeSigning => {
                let (_, ku) = self
                    .decode_ext::<KeyUsage>(OID_KEY_USAGE)?
                    .ok_or_else(|| bad("keyUsage missing"))?;
                if !ku.digital_signature() {
                    return Err(bad("keyUsage lacks digitalSignature"));
                }
                let eku = eku.ok_or_else(|| bad("extKeyUsage missing"))?;
                if !eku.contains(&OID_KP_CODE_SIGNING) {
                    return Err(bad("extKeyUsage lacks codeSigning"));
                }
            }
            LeafProfile::TimeStamping => {
                let eku = eku.ok_or_else(|| bad("extKeyUsage missing"))?;
                if !eku.contains(&OID_KP_TIME_STAMPING) {
                    return Err(bad("extKeyUsage lacks timeStamping"));
                }
            }
            LeafProfile::DigitalSignature => {
                if let Some((_, ku)) = self.decode_ext::<KeyUsage>(OID_KEY_USAGE)? {
                    if !ku.digital_signature() {
                        return Err(bad("keyUsage lacks digitalSignature"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The values of every subject attribute of type `oid` (for example [`OID_COMMON_NAME`]),
    /// in certificate order.
    ///
    /// # Errors
    /// [`Error::UnsupportedNameValue`] when a value of that type is not a UTF8String,
    /// PrintableString, IA5String or TeletexString: a value we cannot read must not look absent.
    pub fn subject_attribute(&self, oid: ObjectIdentifier) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for rdn in &self.parsed.tbs_certificate.subject.0 {
            for atv in rdn.0.iter() {
                if atv.oid != oid {
                    continue;
                }
                let value =
                    directory_string(&atv.value).ok_or_else(|| Error::UnsupportedNameValue {
                        oid: oid.to_string(),
                    })?;
                out.push(value);
            }
        }
        Ok(out)
    }

    /// The exact DER of the subject `Name` as the certificate holds it (what an OCSP CertID's
    /// issuer name hash covers), read from the TBS bytes rather than re-encoded.
    pub fn subject_der(&self) -> &[u8] {
        // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, validity,
        // subject. `from_der` parsed this TBS whole, so the walk cannot fail on it; an empty
        // slice (never seen) would only make a CertID match nothing.
        let walk = || -> der::Result<&[u8]> {
            let mut r = der::SliceReader::new(self.tbs_der())?;
            r.sequence(|inner| {
                let version = der::Tag::ContextSpecific {
                    constructed: true,
                    number: der::TagNumber::N0,
                };
                if inner.peek_tag()? == version {
                    inner.tlv_bytes()?;
                }
                for _ in 0..4 {
                    inner.tlv_bytes()?;
                }
                let subject = inner.tlv_bytes()?;
                while !inner.is_finished() {
                    inner.tlv_bytes()?;
                }
                Ok(subject)
            })
        };
        walk().unwrap_or_default()
    }

    /// The subject public key's bits (the BIT STRING's contents: what an OCSP CertID's
    /// issuer key hash covers).
    pub fn subject_public_key_bits(&self) -> &[u8] {
        self.parsed
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }

    /// Every subject attribute in certificate order, as (type, value): the type by its
    /// RFC 4514 short name where it has one (`C`, `ST`, `L`, `O`, `OU`, `CN`, `STREET`,
    /// `SERIALNUMBER`, `POSTALCODE`, `DC`, `UID`), else its dotted OID.
    ///
    /// # Errors
    /// [`Error::UnsupportedNameValue`] for a value that is not a directory string.
    pub fn subject_attributes(&self) -> Result<Vec<(String, String)>, Error> {
        let mut out = Vec::new();
        for rdn in &self.parsed.tbs_certificate.subject.0 {
            for atv in rdn.0.iter() {
                let oid = atv.oid.to_string();
                let name = match oid.as_str() {
                    "2.5.4.6" => "C",
                    "2.5.4.8" => "ST",
                    "2.5.4.7" => "L",
                    "2.5.4.10" => "O",
                    "2.5.4.11" => "OU",
                    "2.5.4.3" => "CN",
                    "2.5.4.9" => "STREET",
                    "2.5.4.5" => "SERIALNUMBER",
                    "2.5.4.17" => "POSTALCODE",
                    "0.9.2342.19200300.100.1.25" => "DC",
                    "0.9.2342.19200300.100.1.1" => "UID",
                    other => other,
                }
                .to_owned();
                let value =
                    directory_string(&atv.value).ok_or(Error::UnsupportedNameValue { oid })?;
                out.push((name, value));
            }
        }
        Ok(out)
    }

    /// The subjectAltName entries (empty when the extension is absent).
    ///
    /// # Errors
    /// [`Error::InvalidExtension`] when the extension does not decode.
    pub fn alt_names(&self) -> Result<AltNames, Error> {
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::ext::pkix::SubjectAltName;
        let mut out = AltNames::default();
        let Some((_, san)) = self.decode_ext::<SubjectAltName>(OID_SUBJECT_ALT_NAME)? else {
            return Ok(out);
        };
        for name in san.0 {
            match name {
                GeneralName::DnsName(s) => out.dns_names.push(s.to_string()),
                GeneralName::Rfc822Name(s) => out.emails.push(s.to_string()),
                GeneralName::UniformResourceIdentifier(s) => out.uris.push(s.to_string()),
                _ => out.others = out.others.saturating_add(1),
            }
        }
        Ok(out)
    }
}

fn directory_string(value: &der::Any) -> Option<String> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::Tagged as _;
    match value.tag() {
        der::Tag::Utf8String => value
            .decode_as::<Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        der::Tag::PrintableString => value
            .decode_as::<PrintableStringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        der::Tag::Ia5String => value
            .decode_as::<Ia5StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        der::Tag::TeletexString => value
            .decode_as::<TeletexStringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_owned()),
        _ => None,
    }
}

/// Checks that `chain` (issuer first, self-signed root last) is a valid CA chain on its own:
/// each certificate signed by the next, names chained, CA profile, and the root self-signed.
/// Validity periods are not checked here (see `verify_chain`).
///
/// # Errors
/// [`Error::NoRoot`], [`Error::NotCa`], [`Error::BadSignature`], [`Error::IssuerMismatch`].
pub fn check_ca_chain(chain: &[Certificate], provider: &Provider) -> Result<(), Error> {
    let root = chain.last().ok_or(Error::NoRoot)?;
    if chain.len() > MAX_CERT_CHAIN_LEN {
        return Err(
            LimitExceeded::new("certificates in a chain", MAX_CERT_CHAIN_LEN)
                .with_actual(chain.len())
                .into(),
        );
    }
    if !root.is_self_issued() || root.verify_signed_by(root.public_key(), provider).is_err() {
        return Err(Error::NoRoot);
    }
    for (i, pair) in chain.windows(2).enumerate() {
        let [child, issuer] = pair else { continue };
        link(child, issuer, i, provider)?;
    }
    for (i, ca) in chain.iter().enumerate() {
        ca.check_ca(i, i)?;
    }
    Ok(())
}

fn link(
    child: &Certificate,
    issuer: &Certificate,
    position: usize,
    p: &Provider,
) -> Result<(), Error> {
    if child.parsed.tbs_certificate.issuer != issuer.parsed.tbs_certificate.subject {
        return Err(Error::IssuerMismatch { position });
    }
    child
        .verify_signed_by(issuer.public_key(), p)
        .map_err(|e| match e {
            Error::BadSignature { .. } => Error::BadSignature { position },
            e => e,
        })
}

/// A CA chain (issuer first, self-signed root last) that passed [`check_ca_chain`]. Only
/// [`CheckedCaChain::check`] makes one, so a [`verify_chain_checked`] against it need not repeat
/// the checks that do not depend on the leaf or the time: the signatures and names between the
/// chain's own certificates, their CA profiles and the root's self-signature. A trusted root
/// checks its chains once when it is read; every bundle then pays only for its own leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedCaChain {
    certs: Vec<Certificate>,
}

impl CheckedCaChain {
    /// Runs [`check_ca_chain`] on `chain` and keeps it.
    ///
    /// # Errors
    /// As [`check_ca_chain`].
    pub fn check(chain: Vec<Certificate>, provider: &Provider) -> Result<Self, Error> {
        check_ca_chain(&chain, provider)?;
        Ok(Self { certs: chain })
    }

    /// The certificates, issuer first, root last.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }
}

/// `verify_chain` for a chain already checked by [`CheckedCaChain::check`]: the same verdict,
/// with the leaf-independent, time-independent checks not repeated. Still run on every call:
/// the leaf profile, the validity of *every* certificate (leaf, intermediates, root) at `time`,
/// and the leaf's issuer name and signature under the chain's first certificate.
///
/// # Errors
/// The first rule that fails, as `verify_chain`.
pub fn verify_chain_checked(
    leaf: &Certificate,
    chain: &CheckedCaChain,
    time: Timestamp,
    profile: LeafProfile,
    provider: &Provider,
) -> Result<(), Error> {
    let issuer = chain.certs.first().ok_or(Error::NoRoot)?;
    if chain.certs.len() >= MAX_CERT_CHAIN_LEN {
        return Err(
            LimitExceeded::new("certificates in a chain", MAX_CERT_CHAIN_LEN)
                .with_actual(chain.certs.len().saturating_add(1))
                .into(),
        );
    }
    leaf.check_leaf(profile)?;
    check_validity(std::iter::once(leaf).chain(chain.certs.iter()), time)?;
    link(leaf, issuer, 0, provider)
}

fn check_validity<'a>(
    certs: impl Iterator<Item = &'a Certificate>,
    time: Timestamp,
) -> Result<(), Error> {
    for (position, cert) in certs.enumerate() {
        if !cert.valid_at(time) {
            return Err(Error::NotValidAt {
                position,
                time,
                not_before: cert.not_before(),
                not_after: cert.not_after(),
            });
        }
    }
    Ok(())
}

/// Validates `leaf` against `chain` (its issuer first, the self-signed trust anchor last) at
/// `time`: signatures over exact TBS bytes, names, validity of *every* certificate at `time`,
/// CA rules for the chain and `profile` for the leaf. The anchor's own self-signature is the
/// caller's job ([`check_ca_chain`], done once when a trusted root is read).
///
/// # Errors
/// The first rule that fails.
pub(crate) fn verify_chain(
    leaf: &Certificate,
    chain: &[Certificate],
    time: Timestamp,
    profile: LeafProfile,
    provider: &Provider,
) -> Result<(), Error> {
    if chain.is_empty() {
        return Err(Error::NoRoot);
    }
    if chain.len() >= MAX_CERT_CHAIN_LEN {
        return Err(
            LimitExceeded::new("certificates in a chain", MAX_CERT_CHAIN_LEN)
                .with_actual(chain.len().saturating_add(1))
                .into(),
        );
    }
    leaf.check_leaf(profile)?;
    let all: Vec<&Certificate> = std::iter::once(leaf).chain(chain.iter()).collect();
    check_validity(all.iter().copied(), time)?;
    for (i, pair) in all.windows(2).enumerate() {
        let [child, issuer] = pair else { continue };
        link(child, issuer, i, provider)?;
        // `i` CA certificates lie between this issuer and the leaf.
        issuer.check_ca(i + 1, i)?;
    }
    // The anchor's self-signature is not re-checked here: anchors are trusted by configuration
    // and [`check_ca_chain`] verified it when the trusted root was read (as webpki, which never
    // verifies a trust anchor's signature).
    let root = chain.last().ok_or(Error::NoRoot)?;
    if !root.is_self_issued() {
        return Err(Error::NoRoot);
    }
    Ok(())
}

/// Builds and validates a path from `leaf` to one of `roots` through any of `intermediates` (an
/// unordered pool, as a layout's or a TLS peer's) at `time`, with `verify_chain`'s rules for
/// every candidate: signatures over exact TBS bytes, names, validity of every certificate at
/// `time`, CA rules and `profile` for the leaf. Candidates follow issuer names, never reuse a
/// certificate, stop at [`MAX_CERT_CHAIN_LEN`] and at [`MAX_CERT_PATH_ATTEMPTS`] validations.
/// Roots are trust anchors: their self-signatures are not checked here (see
/// [`check_ca_chain`]). Returns the chain that validated, issuer first, root last.
///
/// # Errors
/// The first failure of a candidate path (an expired leaf gives [`Error::NotValidAt`]), or
/// [`Error::NoPath`] when no candidate exists.
pub fn verify_path(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    time: Timestamp,
    profile: LeafProfile,
    provider: &Provider,
) -> Result<Vec<Certificate>, Error> {
    let search = PathSearch {
        leaf,
        intermediates,
        roots,
        time,
        profile,
        provider,
    };
    let mut state = PathState {
        path: Vec::new(),
        attempts: MAX_CERT_PATH_ATTEMPTS,
        first_err: None,
    };
    if let Some(chain) = search.extend(leaf, &mut state) {
        return Ok(chain);
    }
    Err(state.first_err.unwrap_or_else(|| Error::NoPath {
        issuer: leaf
            .parsed
            .tbs_certificate
            .issuer
            .to_string()
            .chars()
            .take(256)
            .collect(),
    }))
}

struct PathSearch<'c> {
    leaf: &'c Certificate,
    intermediates: &'c [Certificate],
    roots: &'c [Certificate],
    time: Timestamp,
    profile: LeafProfile,
    provider: &'c Provider,
}

struct PathState<'c> {
    path: Vec<&'c Certificate>,
    attempts: usize,
    first_err: Option<Error>,
}

impl<'c> PathSearch<'c> {
    fn extend(&self, current: &Certificate, st: &mut PathState<'c>) -> Option<Vec<Certificate>> {
        for root in self.roots.iter().filter(|r| names_chain(current, r)) {
            if st.attempts == 0 {
                return None;
            }
            st.attempts -= 1;
            let chain: Vec<Certificate> = st
                .path
                .iter()
                .map(|c| (*c).clone())
                .chain(std::iter::once(root.clone()))
                .collect();
            match verify_chain(self.leaf, &chain, self.time, self.profile, self.provider) {
                Ok(()) => return Some(chain),
                Err(e) => {
                    st.first_err.get_or_insert(e);
                }
            }
        }
        // leaf + path + this intermediate + a root must fit.
        if st.path.len().saturating_add(3) > MAX_CERT_CHAIN_LEN {
            return None;
        }
        for ca in self.intermediates {
            if !names_chain(current, ca) || st.path.contains(&ca) || ca == self.leaf {
                continue;
            }
            st.path.push(ca);
            if let Some(chain) = self.extend(ca, st) {
                return Some(chain);
            }
            st.path.pop();
        }
        None
    }
}

/// Whether `issuer`'s subject is `child`'s issuer name (a cheap pre-filter before signatures).
pub fn names_chain(child: &Certificate, issuer: &Certificate) -> bool {
    child.parsed.tbs_certificate.issuer == issuer.parsed.tbs_certificate.subject
}

/// Where the first element of the outer SEQUENCE of `der` lies (a certificate's
/// `tbsCertificate`, a CRL's `tbsCertList`): the exact bytes a signature covers.
pub(crate) fn first_element(der: &[u8]) -> Option<std::ops::Range<usize>> {
    let mut r = der::SliceReader::new(der).ok()?;
    let len = r
        .sequence(|inner| {
            let n = inner.tlv_bytes()?.len();
            // Skip the rest of the SEQUENCE so `sequence` does not complain.
            while !inner.is_finished() {
                inner.tlv_bytes()?;
            }
            Ok(n)
        })
        .ok()?;
    let header_len = outer_header_len(der)?;
    let range = header_len..header_len.checked_add(len)?;
    der.get(range.clone()).map(|_| range)
}

pub(crate) fn to_ts(t: x509_cert::time::Time) -> Timestamp {
    Timestamp::from_unix(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}

fn outer_header_len(der: &[u8]) -> Option<usize> {
    let r = der::SliceReader::new(der).ok()?;
    let header = r.peek_header().ok()?;
    let total = usize::try_from(header.length).ok()?;
    der.len().checked_sub(total)
}

/// The scheme for a certificate signature algorithm OID and the issuer's key.
pub(crate) fn scheme_for(oid: ObjectIdentifier, issuer: &PublicKey) -> Option<SignatureScheme> {
    use crate::key::KeyAlgorithm as K;
    use SignatureScheme as S;
    Some(match (oid, issuer.algorithm()) {
        (o, K::EcdsaP256) if o == OID_ECDSA_SHA256 => S::EcdsaP256Sha256,
        (o, K::EcdsaP256) if o == OID_ECDSA_SHA384 => S::EcdsaP256Sha384,
        (o, K::EcdsaP256) if o == OID_ECDSA_SHA512 => S::EcdsaP256Sha512,
        (o, K::EcdsaP384) if o == OID_ECDSA_SHA256 => S::EcdsaP384Sha256,
        (o, K::EcdsaP384) if o == OID_ECDSA_SHA384 => S::EcdsaP384Sha384,
        (o, K::EcdsaP384) if o == OID_ECDSA_SHA512 => S::EcdsaP384Sha512,
        (o, K::Rsa) if o == OID_RSA_SHA256 => S::RsaPkcs1v15Sha256,
        (o, K::Rsa) if o == OID_RSA_SHA384 => S::RsaPkcs1v15Sha384,
        (o, K::Rsa) if o == OID_RSA_SHA512 => S::RsaPkcs1v15Sha512,
        (o, K::Ed25519) if o == OID_ED25519 => S::Ed25519,
        _ => return None,
    })
}

#[cfg(test)]
mod error_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn errors_name_each_cause_once() {
        let err = Certificate::from_pem(
            b"-----BEGIN CERTIFICATE-----\nA!AA\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        crate::assert_causes_once(
            err,
            &[
                "reading the certificate's PEM block",
                "not canonical base64",
                "Invalid symbol",
            ],
        );
        let err =
            Certificate::from_pem(pem::encode("PUBLIC KEY", &[0x30, 0x00]).as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the PEM block is labelled \"PUBLIC KEY\", not CERTIFICATE"
        );
        let err = Certificate::from_der(&vec![0u8; MAX_CERT_DER_LEN + 1]).unwrap_err();
        crate::assert_causes_once(err, &["certificate DER (bytes) exceeds the limit of 32768"]);
    }
}
