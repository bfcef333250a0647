//! Certificate revocation (RFC 5280 §5 CRLs, RFC 6960 OCSP), as notation checks it: the
//! distribution points and OCSP responders a certificate names, CRLs parsed with their exact
//! `tbsCertList` bytes and verified against their issuer, delta CRLs (§5.2.4) applied to
//! their base, OCSP responses ([`ocsp`]) verified against the issuer or its delegated
//! responder, and the status of every certificate of a chain.
//!
//! Sync, I/O- and clock-free: [`pending`] says what to fetch, the caller fetches (notation
//! fetches `http` URLs only: OCSP within 2 s, CRLs within 5 s; [`fetch_for_chain`] does it
//! with reqwest) and hands the bodies in as [`Fetched`] with `now`; [`check_chain`] answers
//! per certificate. OCSP comes first when the certificate names a responder; CRLs are used
//! when it names none or no responder gave a valid answer. Anything that cannot be
//! established (nothing fetched, a response or CRL malformed, expired, signed by someone else,
//! a CRL scoped to other certificates or reasons, an indirect CRL, a responder answering
//! `unknown`) makes the status [`Status::Unavailable`], never good: callers fail closed on it
//! unless their policy says otherwise.

pub mod ocsp;

use std::collections::BTreeMap;

use der::asn1::ObjectIdentifier;
use der::{Decode as _, Tagged as _};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::{DistributionPoint, IssuingDistributionPoint};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, CrlDistributionPoints, CrlReason, FreshestCrl, KeyUsage,
};
use x509_cert::ext::Extension;

use crate::crypto::Provider;
use crate::limits::{
    LimitExceeded, MAX_CRL_DER_LEN, MAX_CRL_URLS, MAX_OCSP_RESPONSE_LEN,
    MAX_REVOCATION_CLOCK_SKEW_SECS,
};
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{Certificate, OID_BASIC_CONSTRAINTS, OID_KEY_USAGE};

/// cRLDistributionPoints (RFC 5280 §4.2.1.13).
pub const OID_CRL_DISTRIBUTION_POINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
/// authorityInfoAccess (RFC 5280 §4.2.2.1).
pub const OID_AUTHORITY_INFO_ACCESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
/// freshestCRL (RFC 5280 §4.2.1.15 and §5.2.6): where the delta CRLs are.
pub const OID_FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
const OID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const OID_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const OID_DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const OID_ISSUING_DISTRIBUTION_POINT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
const OID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_CRL_REASON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const OID_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");

/// Why a CRL or an OCSP response was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The CRL is over [`MAX_CRL_DER_LEN`], or a certificate names over [`MAX_CRL_URLS`]
    /// distribution points.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The bytes are not one DER `CertificateList`.
    #[error("invalid CRL encoding")]
    InvalidEncoding,
    /// An extension (of the CRL, an entry or a certificate) does not decode, or repeats.
    #[error("invalid extension {oid}")]
    InvalidExtension {
        /// The extension OID.
        oid: String,
    },
    /// A critical extension that is not understood (RFC 5280 §5.2, §5.3).
    #[error("unhandled critical CRL extension {oid}")]
    UnhandledCriticalExtension {
        /// The extension OID.
        oid: String,
    },
    /// The CRL's issuer is not the certificate's issuer.
    #[error("the CRL is issued by another authority than the certificate")]
    IssuerMismatch,
    /// The issuer's key usage does not allow signing CRLs.
    #[error("the issuer's key usage does not include cRLSign")]
    NotCrlSigner,
    /// The CRL's signature algorithm is not supported with the issuer's key.
    #[error("unsupported CRL signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// The algorithm OID.
        oid: String,
    },
    /// The issuer's key cannot check signatures of that algorithm.
    #[error("preparing the issuer's key for the CRL's signature algorithm")]
    IssuerKey(#[source] crate::sign::Error),
    /// The signature does not verify with the issuer's key.
    #[error("the CRL's signature does not verify with its issuer's key")]
    BadSignature,
    /// `now` is past the CRL's `nextUpdate`.
    #[error("the CRL expired at {next_update}")]
    Expired {
        /// Its `nextUpdate`.
        next_update: Timestamp,
    },
    /// `now` is before the CRL's `thisUpdate`.
    #[error("the CRL is not valid before {this_update}")]
    NotYetValid {
        /// Its `thisUpdate`.
        this_update: Timestamp,
    },
    /// A delta CRL where a complete one is needed, or a complete one where a delta is.
    #[error("a {found} CRL where a {expected} CRL is needed")]
    WrongKind {
        /// `base` or `delta`.
        found: &'static str,
        /// `base` or `delta`.
        expected: &'static str,
    },
    /// The delta CRL applies to a newer base CRL than the one fetched (§5.2.4).
    #[error("the delta CRL needs base CRL number {needs} or later")]
    StaleBase {
        /// The delta's `BaseCRLNumber`, in hex.
        needs: String,
    },
    /// The OCSP response's status is not `successful` (1 malformedRequest, 2 internalError,
    /// 3 tryLater, 5 sigRequired, 6 unauthorized).
    #[error("the OCSP responder answered status {status}")]
    OcspNotSuccessful {
        /// The `OCSPResponseStatus`.
        status: u8,
    },
    /// The OCSP response says nothing about the certificate asked for.
    #[error("the OCSP response does not name the certificate")]
    OcspNoAnswer,
    /// The certificate that signed the OCSP response may not sign it for this issuer.
    #[error("the OCSP responder certificate is refused: {0}")]
    OcspResponder(&'static str),
    /// The CRL's issuing distribution point limits it to other certificates, to some
    /// reasons only, or makes it indirect: it cannot say this certificate is good.
    #[error("the CRL's scope does not cover the certificate ({0})")]
    OutOfScope(&'static str),
}

/// Why a certificate's status could not be established.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Unavailable {
    /// A CRL URL the certificate (or its base CRL, for a delta) names, or its OCSP
    /// responder, was not fetched.
    #[error("nothing was fetched from {url}")]
    NotFetched {
        /// The URL.
        url: String,
    },
    /// A fetched CRL or OCSP response was refused.
    #[error("what {url} answered was refused")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: Error,
    },
    /// The certificate's distribution point extension is malformed, names no URL, or names
    /// too many.
    #[error("the certificate's CRL distribution points are unusable")]
    BadDistributionPoints(#[source] Error),
    /// The OCSP responder answered `unknown`.
    #[error("the OCSP responder {url} does not know the certificate")]
    OcspUnknown {
        /// The responder.
        url: String,
    },
    /// A responder URL is not `http` (notation asks only those).
    #[error("the OCSP responder {url} is not an http URL")]
    NotHttp {
        /// The URL.
        url: String,
    },
    /// The last certificate of the chain is not self-issued, so its issuer is not known.
    #[error("the issuer of the last certificate of the chain is not in the chain")]
    NoIssuer,
}

/// RFC 5280 §5.3.1 reason codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// `unspecified` (0).
    Unspecified,
    /// `keyCompromise` (1).
    KeyCompromise,
    /// `cACompromise` (2).
    CaCompromise,
    /// `affiliationChanged` (3).
    AffiliationChanged,
    /// `superseded` (4).
    Superseded,
    /// `cessationOfOperation` (5).
    CessationOfOperation,
    /// `certificateHold` (6): suspended; notation treats it as revoked.
    CertificateHold,
    /// `removeFromCRL` (8): in a delta CRL, the hold is lifted.
    RemoveFromCrl,
    /// `privilegeWithdrawn` (9).
    PrivilegeWithdrawn,
    /// `aACompromise` (10).
    AaCompromise,
}

impl From<CrlReason> for Reason {
    fn from(r: CrlReason) -> Self {
        match r {
            CrlReason::Unspecified => Self::Unspecified,
            CrlReason::KeyCompromise => Self::KeyCompromise,
            CrlReason::CaCompromise => Self::CaCompromise,
            CrlReason::AffiliationChanged => Self::AffiliationChanged,
            CrlReason::Superseded => Self::Superseded,
            CrlReason::CessationOfOperation => Self::CessationOfOperation,
            CrlReason::CertificateHold => Self::CertificateHold,
            CrlReason::RemoveFromCRL => Self::RemoveFromCrl,
            CrlReason::PrivilegeWithdrawn => Self::PrivilegeWithdrawn,
            CrlReason::AaCompromise => Self::AaCompromise,
        }
    }
}

/// A revoked certificate's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revoked {
    /// `revocationDate`.
    pub time: Timestamp,
    /// The entry's reason code, when it has one.
    pub reason: Option<Reason>,
    /// `invalidityDate`: when the key is known or suspected to have become unsafe.
    pub invalidity: Option<Timestamp>,
}

/// One certificate's revocation status.
#[derive(Debug)]
#[non_exhaustive]
pub enum Status {
    /// The certificate names no CRL distribution point and no OCSP responder (or is the
    /// self-issued anchor of the chain): there is nothing to check (notation's
    /// "non-revokable").
    NonRevocable,
    /// Every CRL the certificate names was fetched, verified and does not list it (or lists
    /// it with an invalidity date after the authenticated signing time).
    Good,
    /// A CRL lists it.
    Revoked(Revoked),
    /// Its status could not be established.
    Unavailable(Unavailable),
}

impl Status {
    /// Whether this status lets a signature by the certificate stand.
    pub fn is_good(&self) -> bool {
        matches!(self, Self::NonRevocable | Self::Good)
    }
}

/// The CRLs a caller fetched, by the URL each came from.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    crls: BTreeMap<String, Vec<u8>>,
    /// (responder URL, request DER) → response DER.
    ocsp: BTreeMap<(String, Vec<u8>), Vec<u8>>,
}

impl Fetched {
    /// Nothing fetched.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the body fetched from `url`.
    pub fn insert(&mut self, url: impl Into<String>, der: Vec<u8>) {
        self.crls.insert(url.into(), der);
    }

    /// [`Fetched::insert`], chained.
    #[must_use]
    pub fn with(mut self, url: impl Into<String>, der: Vec<u8>) -> Self {
        self.insert(url, der);
        self
    }

    /// The body fetched from `url`.
    pub fn get(&self, url: &str) -> Option<&[u8]> {
        self.crls.get(url).map(Vec::as_slice)
    }

    /// Records the OCSP response `responder` gave to `request`.
    pub fn insert_ocsp(&mut self, responder: impl Into<String>, request: Vec<u8>, der: Vec<u8>) {
        self.ocsp.insert((responder.into(), request), der);
    }

    /// The response `responder` gave to `request`.
    pub fn ocsp(&self, responder: &str, request: &[u8]) -> Option<&[u8]> {
        self.ocsp
            .get(&(responder.to_owned(), request.to_vec()))
            .map(Vec::as_slice)
    }

    /// Adds what `other` holds (for the chains of several signatures).
    pub fn merge(&mut self, other: Self) {
        self.crls.extend(other.crls);
        self.ocsp.extend(other.ocsp);
    }

    /// Whether nothing was fetched.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsp.is_empty()
    }
}

/// The URIs of the full names of distribution points, in order.
fn dp_uris(points: &[DistributionPoint]) -> Vec<String> {
    points
        .iter()
        .filter_map(|dp| match &dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|n| match n {
            GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

fn invalid_ext(oid: ObjectIdentifier) -> Error {
    Error::InvalidExtension {
        oid: oid.to_string(),
    }
}

/// The CRL URLs `cert`'s `cRLDistributionPoints` name (full-name URIs, in order); none when
/// it has no such extension.
///
/// # Errors
/// [`Error::InvalidExtension`], or [`Error::LimitExceeded`] over [`MAX_CRL_URLS`].
pub fn crl_urls(cert: &Certificate) -> Result<Vec<String>, Error> {
    let Some((_, der)) = cert.extension(OID_CRL_DISTRIBUTION_POINTS) else {
        return Ok(Vec::new());
    };
    let points = CrlDistributionPoints::from_der(der)
        .map_err(|_| invalid_ext(OID_CRL_DISTRIBUTION_POINTS))?;
    capped_urls(dp_uris(&points.0))
}

fn capped_urls(urls: Vec<String>) -> Result<Vec<String>, Error> {
    if urls.len() > MAX_CRL_URLS {
        return Err(
            LimitExceeded::new("CRL distribution point URLs", MAX_CRL_URLS)
                .with_actual(urls.len())
                .into(),
        );
    }
    Ok(urls)
}

/// The OCSP responder URLs `cert`'s `authorityInfoAccess` names.
///
/// # Errors
/// [`Error::InvalidExtension`].
pub fn ocsp_urls(cert: &Certificate) -> Result<Vec<String>, Error> {
    let Some((_, der)) = cert.extension(OID_AUTHORITY_INFO_ACCESS) else {
        return Ok(Vec::new());
    };
    let aia = AuthorityInfoAccessSyntax::from_der(der)
        .map_err(|_| invalid_ext(OID_AUTHORITY_INFO_ACCESS))?;
    Ok(aia
        .0
        .iter()
        .filter(|a| a.access_method == OID_AD_OCSP)
        .filter_map(|a| match &a.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
            _ => None,
        })
        .collect())
}

/// A parsed CRL, with its exact bytes.
#[derive(Debug, Clone)]
pub struct Crl {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    parsed: CertificateList,
    /// `cRLNumber`, as its DER integer content.
    number: Option<Vec<u8>>,
    /// `deltaCRLIndicator` (the base CRL number a delta needs), as DER integer content.
    delta_of: Option<Vec<u8>>,
    scope: Option<IssuingDistributionPoint>,
    freshest: Vec<String>,
}

/// Compares two non-negative DER INTEGER contents by value.
fn int_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|&b| b == 0).collect() };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

impl Crl {
    /// Parses one DER CRL (no trailing bytes) and its extensions.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] over [`MAX_CRL_DER_LEN`], [`Error::InvalidEncoding`],
    /// [`Error::InvalidExtension`], [`Error::UnhandledCriticalExtension`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CRL_DER_LEN {
            return Err(LimitExceeded::new("CRL DER (bytes)", MAX_CRL_DER_LEN)
                .with_actual(der.len())
                .into());
        }
        let parsed = CertificateList::from_der(der).map_err(|_| Error::InvalidEncoding)?;
        let tbs = crate::x509::first_element(der).ok_or(Error::InvalidEncoding)?;
        let mut crl = Self {
            der: der.to_vec(),
            tbs,
            parsed,
            number: None,
            delta_of: None,
            scope: None,
            freshest: Vec::new(),
        };
        let mut seen = Vec::new();
        let exts: Vec<Extension> = crl
            .parsed
            .tbs_cert_list
            .crl_extensions
            .clone()
            .unwrap_or_default();
        for ext in &exts {
            let oid = ext.extn_id;
            if seen.contains(&oid) {
                return Err(invalid_ext(oid));
            }
            seen.push(oid);
            let value = ext.extn_value.as_bytes();
            let int = |v: &[u8]| -> Result<Vec<u8>, Error> {
                der::asn1::UintRef::from_der(v)
                    .map(|u| u.as_bytes().to_vec())
                    .map_err(|_| invalid_ext(oid))
            };
            match oid {
                o if o == OID_CRL_NUMBER => crl.number = Some(int(value)?),
                o if o == OID_DELTA_CRL_INDICATOR => crl.delta_of = Some(int(value)?),
                o if o == OID_ISSUING_DISTRIBUTION_POINT => {
                    crl.scope = Some(
                        IssuingDistributionPoint::from_der(value).map_err(|_| invalid_ext(oid))?,
                    );
                }
                o if o == OID_FRESHEST_CRL => {
                    let points = FreshestCrl::from_der(value).map_err(|_| invalid_ext(oid))?;
                    crl.freshest = capped_urls(dp_uris(&points.0))?;
                }
                o if o == OID_AUTHORITY_KEY_ID => {}
                _ if ext.critical => {
                    return Err(Error::UnhandledCriticalExtension {
                        oid: oid.to_string(),
                    })
                }
                _ => {}
            }
        }
        Ok(crl)
    }

    /// The exact DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `thisUpdate`.
    pub fn this_update(&self) -> Timestamp {
        crate::x509::to_ts(self.parsed.tbs_cert_list.this_update)
    }

    /// `nextUpdate`, when stated.
    pub fn next_update(&self) -> Option<Timestamp> {
        self.parsed
            .tbs_cert_list
            .next_update
            .map(crate::x509::to_ts)
    }

    /// Whether this is a delta CRL (it has a `deltaCRLIndicator`).
    pub fn is_delta(&self) -> bool {
        self.delta_of.is_some()
    }

    /// The delta CRL URLs this (base) CRL names in its `freshestCRL` extension.
    pub fn freshest_urls(&self) -> &[String] {
        &self.freshest
    }

    /// Verifies that `issuer` issued this CRL and that it is current at `now`: the issuer
    /// names match, the issuer may sign CRLs (keyUsage, when present, has cRLSign), the
    /// signature over the exact `tbsCertList` verifies with the issuer's key (outer and inner
    /// algorithms equal), and `thisUpdate <= now <= nextUpdate` (`thisUpdate` up to
    /// [`MAX_REVOCATION_CLOCK_SKEW_SECS`] ahead).
    ///
    /// # Errors
    /// The [`Error`] naming the failed check.
    pub fn verify(
        &self,
        issuer: &Certificate,
        now: Timestamp,
        provider: &Provider,
    ) -> Result<(), Error> {
        let tbs = &self.parsed.tbs_cert_list;
        if tbs.issuer != issuer.parsed().tbs_certificate.subject {
            return Err(Error::IssuerMismatch);
        }
        if let Some((_, ku)) = issuer.extension(OID_KEY_USAGE) {
            let ku = KeyUsage::from_der(ku).map_err(|_| invalid_ext(OID_KEY_USAGE))?;
            if !ku.crl_sign() {
                return Err(Error::NotCrlSigner);
            }
        }
        let alg = &self.parsed.signature_algorithm;
        if *alg != tbs.signature {
            return Err(Error::BadSignature);
        }
        let scheme = crate::x509::scheme_for(alg.oid, issuer.public_key()).ok_or_else(|| {
            Error::UnsupportedSignatureAlgorithm {
                oid: alg.oid.to_string(),
            }
        })?;
        let sig = self
            .parsed
            .signature
            .as_bytes()
            .ok_or(Error::BadSignature)?;
        let tbs_der = self
            .der
            .get(self.tbs.clone())
            .ok_or(Error::InvalidEncoding)?;
        KeyVerifier::new(
            issuer.public_key(),
            scheme,
            VerifyPolicy::default(),
            provider,
        )
        .map_err(Error::IssuerKey)?
        .verify(tbs_der, sig)
        .map_err(|_| Error::BadSignature)?;
        let this_update = self.this_update();
        // A response or CRL made a moment after the caller read its clock (or on a server whose
        // clock is a little ahead) is not from the future.
        if now.unix().saturating_add(MAX_REVOCATION_CLOCK_SKEW_SECS) < this_update.unix() {
            return Err(Error::NotYetValid { this_update });
        }
        if let Some(next_update) = self.next_update().filter(|t| now > *t) {
            return Err(Error::Expired { next_update });
        }
        Ok(())
    }

    /// Whether this CRL's issuing distribution point lets it speak for `cert`: not limited to
    /// the other kind of certificate, to attribute certificates or to some reasons, and not
    /// indirect.
    fn covers(&self, cert: &Certificate) -> Result<(), Error> {
        let Some(scope) = &self.scope else {
            return Ok(());
        };
        let is_ca = cert
            .extension(OID_BASIC_CONSTRAINTS)
            .and_then(|(_, v)| x509_cert::ext::pkix::BasicConstraints::from_der(v).ok())
            .is_some_and(|bc| bc.ca);
        if scope.only_contains_user_certs && is_ca {
            return Err(Error::OutOfScope("user certificates only"));
        }
        if scope.only_contains_ca_certs && !is_ca {
            return Err(Error::OutOfScope("CA certificates only"));
        }
        if scope.only_contains_attribute_certs {
            return Err(Error::OutOfScope("attribute certificates only"));
        }
        if scope.only_some_reasons.is_some() {
            return Err(Error::OutOfScope("some reasons only"));
        }
        if scope.indirect_crl {
            return Err(Error::OutOfScope("indirect CRL"));
        }
        Ok(())
    }

    /// The entry listing `cert`'s serial number, if any.
    ///
    /// # Errors
    /// [`Error::InvalidExtension`] or [`Error::UnhandledCriticalExtension`] in that entry.
    pub fn entry_for(&self, cert: &Certificate) -> Result<Option<Revoked>, Error> {
        let serial = &cert.parsed().tbs_certificate.serial_number;
        let Some(entry) = self
            .parsed
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .find(|e| e.serial_number == *serial)
        else {
            return Ok(None);
        };
        let mut revoked = Revoked {
            time: crate::x509::to_ts(entry.revocation_date),
            reason: None,
            invalidity: None,
        };
        for ext in entry.crl_entry_extensions.iter().flatten() {
            let (oid, value) = (ext.extn_id, ext.extn_value.as_bytes());
            match oid {
                o if o == OID_CRL_REASON => {
                    revoked.reason = Some(
                        CrlReason::from_der(value)
                            .map_err(|_| invalid_ext(oid))?
                            .into(),
                    );
                }
                o if o == OID_INVALIDITY_DATE => {
                    // A GeneralizedTime; read with its fraction, which RFC 5280 forbids but
                    // CAs (and rcgen) write, and notation's Go parser accepts.
                    let t = der::asn1::AnyRef::from_der(value)
                        .ok()
                        .filter(|a| a.tag() == der::Tag::GeneralizedTime)
                        .and_then(|a| Timestamp::parse_generalized_time(a.value()))
                        .ok_or_else(|| invalid_ext(oid))?;
                    revoked.invalidity = Some(t);
                }
                _ if ext.critical => {
                    return Err(Error::UnhandledCriticalExtension {
                        oid: oid.to_string(),
                    })
                }
                _ => {}
            }
        }
        Ok(Some(revoked))
    }
}

/// Reads and verifies the CRL fetched from `url` as a `kind` (`base` or `delta`) CRL of
/// `issuer` that covers `cert`.
fn load(
    url: &str,
    fetched: &Fetched,
    expected_delta: bool,
    cert: &Certificate,
    issuer: &Certificate,
    now: Timestamp,
    provider: &Provider,
) -> Result<Crl, Unavailable> {
    let der = fetched.get(url).ok_or_else(|| Unavailable::NotFetched {
        url: url.to_owned(),
    })?;
    let refused = |source| Unavailable::Refused {
        url: url.to_owned(),
        source,
    };
    let crl = Crl::from_der(der).map_err(refused)?;
    let kind = |delta| if delta { "delta" } else { "base" };
    if crl.is_delta() != expected_delta {
        return Err(refused(Error::WrongKind {
            found: kind(crl.is_delta()),
            expected: kind(expected_delta),
        }));
    }
    crl.verify(issuer, now, provider).map_err(refused)?;
    crl.covers(cert).map_err(refused)?;
    Ok(crl)
}

/// The status of `cert`, issued by `issuer`: from its OCSP responders when it names any (the
/// first valid answer decides), else, or when none gave one, from the CRLs its distribution
/// points name (and the delta CRLs their `freshestCRL` names), every one of which must be
/// fetched and verified, any that lists it revoking it. A revocation whose invalidity date is
/// after `signing_time` (a time an authority vouches for, when there is one) does not revoke a
/// signature made before.
pub fn check(
    cert: &Certificate,
    issuer: &Certificate,
    fetched: &Fetched,
    now: Timestamp,
    signing_time: Option<Timestamp>,
    provider: &Provider,
) -> Status {
    let (crl, responders) = match (crl_urls(cert), ocsp_urls(cert)) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => {
            return Status::Unavailable(Unavailable::BadDistributionPoints(e))
        }
    };
    if crl.is_empty() && responders.is_empty() {
        return Status::NonRevocable;
    }
    if !responders.is_empty() {
        let why = match ocsp_status(cert, issuer, &responders, fetched, now, provider) {
            Ok((_, ocsp::Answer::Good)) => return Status::Good,
            Ok((_, ocsp::Answer::Revoked(r))) if spared(&r, signing_time) => return Status::Good,
            Ok((_, ocsp::Answer::Revoked(r))) => return Status::Revoked(r),
            Ok((url, ocsp::Answer::Unknown)) => Unavailable::OcspUnknown { url },
            Err(why) => why,
        };
        // No valid answer: the CRLs decide, when the certificate names any.
        if crl.is_empty() {
            return Status::Unavailable(why);
        }
    }
    crl_status(cert, issuer, &crl, fetched, now, signing_time, provider)
}

/// Whether a signature made at `signing_time` (vouched for by an authority) predates the
/// revoked key's invalidity date, and so stands.
fn spared(r: &Revoked, signing_time: Option<Timestamp>) -> bool {
    matches!(
        (signing_time, r.invalidity),
        (Some(signed), Some(invalid)) if signed < invalid
    )
}

/// The first valid answer of `responders` about `cert` and who gave it, or why there was
/// none.
fn ocsp_status(
    cert: &Certificate,
    issuer: &Certificate,
    responders: &[String],
    fetched: &Fetched,
    now: Timestamp,
    provider: &Provider,
) -> Result<(String, ocsp::Answer), Unavailable> {
    let request = ocsp::request(cert, issuer).map_err(|source| Unavailable::Refused {
        url: responders.first().cloned().unwrap_or_default(),
        source,
    })?;
    let mut last = None;
    for url in responders {
        if !url.starts_with("http://") {
            last = Some(Unavailable::NotHttp { url: url.clone() });
            continue;
        }
        let Some(der) = fetched.ocsp(url, &request) else {
            last = Some(Unavailable::NotFetched { url: url.clone() });
            continue;
        };
        match ocsp::check_response(der, cert, issuer, now, provider) {
            Ok(answer) => return Ok((url.clone(), answer)),
            Err(source) => {
                last = Some(Unavailable::Refused {
                    url: url.clone(),
                    source,
                })
            }
        }
    }
    Err(last.unwrap_or(Unavailable::NoIssuer))
}

/// The status of `cert` from the CRLs at `urls` (see [`check`]).
fn crl_status(
    cert: &Certificate,
    issuer: &Certificate,
    urls: &[String],
    fetched: &Fetched,
    now: Timestamp,
    signing_time: Option<Timestamp>,
    provider: &Provider,
) -> Status {
    for url in urls {
        let base = match load(url, fetched, false, cert, issuer, now, provider) {
            Ok(c) => c,
            Err(e) => return Status::Unavailable(e),
        };
        let mut entry = match base.entry_for(cert) {
            Ok(e) => e,
            Err(source) => {
                return Status::Unavailable(Unavailable::Refused {
                    url: url.clone(),
                    source,
                })
            }
        };
        for delta_url in base.freshest_urls() {
            let delta = match load(delta_url, fetched, true, cert, issuer, now, provider) {
                Ok(c) => c,
                Err(e) => return Status::Unavailable(e),
            };
            // §5.2.4: a delta lists changes since the base CRL numbered `BaseCRLNumber`; the
            // base fetched must be that one or newer.
            let stale = match (&delta.delta_of, &base.number) {
                (Some(needs), Some(have)) => int_cmp(have, needs).is_lt(),
                _ => true,
            };
            if stale {
                return Status::Unavailable(Unavailable::Refused {
                    url: delta_url.clone(),
                    source: Error::StaleBase {
                        needs: hex::encode(delta.delta_of.as_deref().unwrap_or_default()),
                    },
                });
            }
            match delta.entry_for(cert) {
                Ok(Some(d)) if d.reason == Some(Reason::RemoveFromCrl) => entry = None,
                Ok(Some(d)) => entry = Some(d),
                Ok(None) => {}
                Err(source) => {
                    return Status::Unavailable(Unavailable::Refused {
                        url: delta_url.clone(),
                        source,
                    })
                }
            }
        }
        if let Some(r) = entry.filter(|r| !spared(r, signing_time)) {
            return Status::Revoked(r);
        }
    }
    Status::Good
}

/// The status of every certificate of `chain` (leaf first), each checked against the next
/// one's CRLs; the last one, a self-issued anchor, is [`Status::NonRevocable`].
pub fn check_chain(
    chain: &[Certificate],
    fetched: &Fetched,
    now: Timestamp,
    signing_time: Option<Timestamp>,
    provider: &Provider,
) -> Vec<Status> {
    chain
        .iter()
        .enumerate()
        .map(|(i, cert)| match chain.get(i + 1) {
            Some(issuer) => check(cert, issuer, fetched, now, signing_time, provider),
            None if cert.is_self_issued() => Status::NonRevocable,
            None => match (crl_urls(cert), ocsp_urls(cert)) {
                (Ok(c), Ok(o)) if c.is_empty() && o.is_empty() => Status::NonRevocable,
                _ => Status::Unavailable(Unavailable::NoIssuer),
            },
        })
        .collect()
}

/// Every CRL distribution point and OCSP responder URL the certificates of `chain` (all but
/// the last) name, in chain order and without repeats. Delta CRL URLs are named by the base
/// CRLs, so they come from [`pending`] once those are fetched.
pub fn urls_for_chain(chain: &[Certificate]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cert in chain.iter().take(chain.len().saturating_sub(1)) {
        let urls = crl_urls(cert).unwrap_or_default();
        for u in urls.into_iter().chain(ocsp_urls(cert).unwrap_or_default()) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// One thing [`check_chain`] needs fetched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Fetch {
    /// Ask the OCSP responder at `url` (`GET` or `POST`, as [`ocsp::get_url`] says); record
    /// the answer with [`Fetched::insert_ocsp`].
    Ocsp {
        /// The responder.
        url: String,
        /// The DER request.
        request: Vec<u8>,
    },
    /// `GET` the CRL at `url`; record it with [`Fetched::insert`].
    Crl {
        /// The distribution point.
        url: String,
    },
}

/// What the checks of `chain` still need, given what `fetched` holds: for each certificate but
/// the last, a request to each `http` OCSP responder it names not yet asked; and, when it names
/// no responder or none of their answers in `fetched` is valid at `now`, its CRLs and the delta
/// CRLs those name, not yet fetched. Fetch, record, and ask again until it is empty (OCSP
/// first: a valid answer spares the CRLs); never fetch one thing twice.
pub fn pending(
    chain: &[Certificate],
    fetched: &Fetched,
    now: Timestamp,
    provider: &Provider,
) -> Vec<Fetch> {
    let mut out = Vec::new();
    for (cert, issuer) in chain.iter().zip(chain.iter().skip(1)) {
        let responders: Vec<String> = ocsp_urls(cert)
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.starts_with("http://"))
            .collect();
        let mut answered = false;
        if !responders.is_empty() {
            if let Ok(request) = ocsp::request(cert, issuer) {
                for url in &responders {
                    if fetched.ocsp(url, &request).is_none() {
                        out.push(Fetch::Ocsp {
                            url: url.clone(),
                            request: request.clone(),
                        });
                    }
                }
            }
            answered = ocsp_status(cert, issuer, &responders, fetched, now, provider)
                .is_ok_and(|(_, a)| a != ocsp::Answer::Unknown);
        }
        if answered {
            continue;
        }
        for url in crl_urls(cert).unwrap_or_default() {
            match fetched.get(&url).map(Crl::from_der) {
                None => out.push(Fetch::Crl { url }),
                Some(Ok(base)) => out.extend(
                    base.freshest_urls()
                        .iter()
                        .filter(|u| fetched.get(u).is_none())
                        .map(|u| Fetch::Crl { url: u.clone() }),
                ),
                Some(Err(_)) => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The time notation gives a CRL download: 5 s.
#[cfg(feature = "http")]
pub const CRL_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The time notation gives an OCSP responder: 2 s.
#[cfg(feature = "http")]
pub const OCSP_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Fetches what the checks of `chain` need ([`pending`], OCSP answers first, then CRLs and
/// delta CRLs) with `client`: OCSP within [`OCSP_FETCH_TIMEOUT`] and [`MAX_OCSP_RESPONSE_LEN`],
/// CRLs within [`CRL_FETCH_TIMEOUT`] and [`MAX_CRL_DER_LEN`]. Only `http` URLs are fetched, as
/// notation does (CRLs and OCSP responses are signed; TLS adds nothing, and its own revocation
/// checks could loop). Returns what was fetched and each URL that could not be, with why:
/// those certificates then come out [`Status::Unavailable`].
#[cfg(feature = "http")]
pub async fn fetch_for_chain(
    client: &reqwest::Client,
    chain: &[Certificate],
    now: Timestamp,
    provider: &Provider,
) -> (Fetched, Vec<(String, crate::http::Error)>) {
    let mut fetched = Fetched::new();
    let mut failed: Vec<(String, crate::http::Error)> = Vec::new();
    let mut tried: Vec<Fetch> = Vec::new();
    // OCSP answers, then CRLs, then the delta CRLs those name: three rounds at most.
    for _round in 0..4 {
        let todo: Vec<Fetch> = pending(chain, &fetched, now, provider)
            .into_iter()
            .filter(|f| !tried.contains(f))
            .collect();
        let ocsp_first = todo.iter().any(|f| matches!(f, Fetch::Ocsp { .. }));
        let todo: Vec<Fetch> = todo
            .into_iter()
            .filter(|f| !ocsp_first || matches!(f, Fetch::Ocsp { .. }))
            .collect();
        if todo.is_empty() {
            break;
        }
        for f in todo {
            tried.push(f.clone());
            match f {
                Fetch::Ocsp { url, request } => match ask_responder(client, &url, &request).await {
                    Ok(body) => fetched.insert_ocsp(url, request, body),
                    Err(e) => failed.push((url, e)),
                },
                Fetch::Crl { url } => match fetch_crl(client, &url).await {
                    Ok(body) => fetched.insert(url, body),
                    Err(e) => failed.push((url, e)),
                },
            }
        }
    }
    (fetched, failed)
}

#[cfg(feature = "http")]
fn http_only(url: &str, what: &'static str) -> Result<reqwest::Url, crate::http::Error> {
    let parsed = crate::http::parse_url(url)?;
    if parsed.scheme() != "http" {
        return Err(crate::http::Error::SchemeNotFetched {
            url: crate::http::shown(url),
            what,
        });
    }
    Ok(parsed)
}

#[cfg(feature = "http")]
async fn fetch_crl(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, crate::http::Error> {
    let parsed = http_only(url, "CRL distribution points")?;
    let resp = crate::http::send(client.get(parsed).timeout(CRL_FETCH_TIMEOUT), url).await?;
    crate::http::read_body(resp, url, MAX_CRL_DER_LEN, "CRL (bytes)").await
}

#[cfg(feature = "http")]
async fn ask_responder(
    client: &reqwest::Client,
    url: &str,
    request: &[u8],
) -> Result<Vec<u8>, crate::http::Error> {
    http_only(url, "OCSP responders")?;
    let builder = match ocsp::get_url(url, request) {
        Some(get) => client.get(http_only(&get, "OCSP responders")?),
        None => client
            .post(http_only(url, "OCSP responders")?)
            .header("Content-Type", "application/ocsp-request")
            .body(request.to_vec()),
    };
    let resp = crate::http::send(builder.timeout(OCSP_FETCH_TIMEOUT), url).await?;
    crate::http::read_body(resp, url, MAX_OCSP_RESPONSE_LEN, "OCSP response (bytes)").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_compare_by_value() {
        use std::cmp::Ordering::*;
        assert_eq!(int_cmp(&[0, 0x80], &[0x7f]), Greater);
        assert_eq!(int_cmp(&[1], &[0, 1]), Equal);
        assert_eq!(int_cmp(&[1, 0], &[0xff]), Greater);
        assert_eq!(int_cmp(&[], &[0]), Equal);
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert!(matches!(
            Crl::from_der(b"\x30\x03abc"),
            Err(Error::InvalidEncoding)
        ));
        let big = vec![0u8; MAX_CRL_DER_LEN + 1];
        assert!(matches!(Crl::from_der(&big), Err(Error::LimitExceeded(_))));
    }
}
