//! Notary Project (notation) signatures: COSE and JWS envelopes verified against an X.509 trust
//! store and a trust policy, as `notation verify` does.
//!
//! A notation signature is a referrer whose artifact type (its config media type) is
//! `application/vnd.cncf.notary.signature` and whose one layer is the envelope:
//! `application/cose` (COSE_Sign1) or `application/jose+json` (JWS JSON serialization). The
//! envelope signs a payload `{"targetArtifact": <descriptor of the image>}` with the key of the
//! first certificate of its `x5chain`/`x5c`.
//!
//! [`verify`] is sync, I/O- and clock-free (the caller passes `now`) and runs notation's checks
//! in its order: **integrity** (the envelope parses, the signing scheme is `notary.x509` or
//! `notary.x509.signingAuthority`, every critical header is understood, the signature verifies
//! with the leaf's key), **authenticity** (the chain links leaf → … → a self-signed root that
//! is, byte for byte, a certificate of one of the policy's trust stores of the scheme's type:
//! `ca` for `notary.x509`, `signingAuthority` for the other; the leaf is a code-signing
//! certificate; the leaf's subject is a trusted identity), **authentic timestamp** (under
//! `notary.x509.signingAuthority`: every certificate valid at the critical
//! `io.cncf.notary.authenticSigningTime` the signing authority signed; under `notary.x509`:
//! when the policy names a `tsa` trust store, and
//! under `verifyTimestamp: afterCertExpiry` only once a certificate has expired: the envelope's
//! RFC 3161 countersignature, `io.cncf.notary.timestampSignature`, must be over its signature
//! bytes and signed by a time-stamping certificate it carries that chains to that store, and
//! every certificate must be valid throughout the stamped time ± its accuracy; otherwise every
//! certificate must be valid at `now`; either way the signing time must fall in the leaf's
//! validity),
//! **expiry** (`io.cncf.notary.expiry`), then the payload must describe the image. The policy's
//! `signatureVerification.level` decides which failures are enforced (`strict`: all;
//! `permissive`: expiry, authentic timestamp and revocation are only reported; `audit`: only
//! integrity is enforced; `skip`: nothing is verified and no pass is reported), and its
//! `override` map changes one check's action (`enforce`, `log`, `skip`; integrity cannot be
//! overridden and authenticity cannot be skipped). **Revocation**: every certificate of the
//! chain but the root is checked through the OCSP responders it names, else (or when none gave
//! a valid answer) the CRLs its distribution points name ([`supply_sig::revocation`]), from
//! what the caller fetched ([`envelope_chain`] says whose, and
//! [`supply_sig::revocation::fetch_for_chain`] fetches it); a revoked certificate or one whose
//! status cannot be established fails the check, except that a signature whose authentic
//! signing time is before the key's invalidity date stands. A certificate that names neither
//! is not revocable and passes. The time-stamping authority's chain of a verified timestamp
//! is checked the same way (a failure there fails the authentic-timestamp check), unless the
//! policy skips revocation; [`SignatureVerifier::revocation_chains`] names both chains.

use std::collections::BTreeMap;

use base64::Engine as _;
use coset::{CborSerializable as _, TaggedCborSerializable as _};
use serde::Deserialize;
use supply_sig::alg::SignatureScheme;
use supply_sig::crypto::Provider;
use supply_sig::digest::Digest;
use supply_sig::revocation::{self, Fetched};
use supply_sig::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use supply_sig::sigstore::tsa::SignedTimestamp;
use supply_sig::time::Timestamp;
use supply_sig::x509::{Certificate, LeafProfile};

use crate::limits::{MAX_NOTATION_CHAIN_LEN, MAX_NOTATION_ENVELOPE_LEN, MAX_TRUST_POLICY_LEN};

/// The artifact type of notation signatures (the signature manifest's config media type).
pub const SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.cncf.notary.signature";
/// The media type of a COSE_Sign1 envelope.
pub const COSE_MEDIA_TYPE: &str = "application/cose";
/// The media type of a JWS envelope (JSON serialization).
pub const JWS_MEDIA_TYPE: &str = "application/jose+json";
/// The content type of the signed payload.
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// The signing scheme whose signing time is the signer's claim (`io.cncf.notary.signingTime`),
/// verified against `ca` trust stores (and `tsa` ones for timestamps).
pub const SCHEME_X509: &str = "notary.x509";
/// The signing scheme of signing services: the signing time is vouched for by the signing
/// authority (`io.cncf.notary.authenticSigningTime`, critical), the chain is verified against
/// `signingAuthority` trust stores and must be valid at that time.
pub const SCHEME_SIGNING_AUTHORITY: &str = "notary.x509.signingAuthority";

const H_SCHEME: &str = "io.cncf.notary.signingScheme";
const H_SIGNING_TIME: &str = "io.cncf.notary.signingTime";
const H_EXPIRY: &str = "io.cncf.notary.expiry";
const H_AUTH_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
/// The unprotected header holding an RFC 3161 timestamp token over the signature bytes.
const H_TIMESTAMP: &str = "io.cncf.notary.timestampSignature";

/// Why a notation signature or trust policy was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The envelope is over [`MAX_NOTATION_ENVELOPE_LEN`] or its chain over
    /// [`MAX_NOTATION_CHAIN_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
    /// The layer is neither COSE nor JWS.
    #[error("a layer of type {0} is not a notation signature envelope")]
    UnknownEnvelope(String),
    /// The envelope does not parse.
    #[error("the {envelope} envelope is malformed: {reason}")]
    InvalidEnvelope {
        /// `COSE` or `JWS`.
        envelope: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A certificate of the chain does not parse.
    #[error("certificate {position} of the envelope's chain is invalid")]
    InvalidCertificate {
        /// Its position, leaf first.
        position: usize,
        /// The parse failure.
        #[source]
        source: supply_sig::x509::Error,
    },
    /// The signing scheme is neither [`SCHEME_X509`] nor [`SCHEME_SIGNING_AUTHORITY`].
    #[error("signing scheme {0:?} is not supported")]
    UnsupportedScheme(String),
    /// A `notary.x509.signingAuthority` signature without a critical
    /// `io.cncf.notary.authenticSigningTime`.
    #[error("a signingAuthority signature must carry a critical authentic signing time")]
    NoAuthenticSigningTime,
    /// The algorithm is not one notation allows with the leaf's key.
    #[error("signature algorithm {0} is not supported")]
    UnsupportedAlgorithm(String),
    /// A critical header is not understood.
    #[error("critical header {0:?} is not understood")]
    UnknownCritical(String),
    /// The signature does not verify with the leaf certificate's key.
    #[error("the signature does not verify with the leaf certificate's key")]
    BadSignature(#[source] supply_sig::sign::Error),
    /// The chain does not end at a certificate of the policy's trust stores.
    #[error("the certificate chain does not end at a trusted root")]
    UntrustedChain,
    /// The chain is broken (issuer, signature, CA constraints, leaf profile).
    #[error("the certificate chain is invalid")]
    BadChain(#[source] supply_sig::x509::Error),
    /// The leaf's subject is not a trusted identity.
    #[error("the signer {0} is not a trusted identity")]
    UntrustedIdentity(String),
    /// A certificate is not valid at the verification time.
    #[error("certificate {position} is not valid at {time}")]
    CertificateNotValid {
        /// Its position, leaf first.
        position: usize,
        /// The time checked.
        time: Timestamp,
    },
    /// The policy names a `tsa` trust store, so the signing time must be a verified timestamp,
    /// and the envelope carries no timestamp countersignature.
    #[error("the signature has no timestamp countersignature, which a tsa trust store in the policy requires")]
    NoTimestamp,
    /// The policy's `tsa` trust stores hold no certificate.
    #[error("the trust policy's tsa trust stores hold no certificate")]
    NoTsaCertificates,
    /// The timestamp countersignature does not parse, is not over this signature, or does not
    /// chain to a certificate of the policy's `tsa` trust stores.
    #[error("the timestamp countersignature was not verified")]
    Timestamp(#[source] supply_sig::sigstore::tsa::Error),
    /// A certificate of the signing chain is not valid throughout the timestamp's accuracy.
    #[error("certificate {position} is not valid throughout {time} ± {accuracy_secs} s")]
    NotValidAtTimestamp {
        /// Its position in the chain (0: the leaf).
        position: usize,
        /// The verified timestamp.
        time: Timestamp,
        /// Its accuracy.
        accuracy_secs: u64,
    },
    /// The signing time is outside the leaf's validity.
    #[error("the signing time {0} is outside the leaf certificate's validity")]
    SigningTimeOutsideValidity(Timestamp),
    /// The signature has expired (`io.cncf.notary.expiry`).
    #[error("the signature expired at {0}")]
    Expired(Timestamp),
    /// A certificate of the chain is revoked.
    #[error("certificate {position} of the chain was revoked at {}{}", .revoked.time, .revoked.reason.map(|r| format!(" ({r:?})")).unwrap_or_default())]
    Revoked {
        /// Its position, leaf first.
        position: usize,
        /// The CRL entry.
        revoked: revocation::Revoked,
    },
    /// The revocation status of a certificate of the chain could not be established.
    #[error("the revocation status of certificate {position} of the chain is unavailable")]
    RevocationUnavailable {
        /// Its position, leaf first.
        position: usize,
        /// Why.
        #[source]
        source: revocation::Unavailable,
    },
    /// A certificate of the timestamp authority's chain is revoked.
    #[error("certificate {position} of the timestamp authority's chain was revoked at {}", .revoked.time)]
    TimestampRevoked {
        /// Its position, the time-stamping certificate first.
        position: usize,
        /// The CRL entry or OCSP answer.
        revoked: revocation::Revoked,
    },
    /// The revocation status of a certificate of the timestamp authority's chain could not be
    /// established.
    #[error("the revocation status of certificate {position} of the timestamp authority's chain is unavailable")]
    TimestampRevocationUnavailable {
        /// Its position, the time-stamping certificate first.
        position: usize,
        /// Why.
        #[source]
        source: revocation::Unavailable,
    },
    /// The payload is not a notation payload.
    #[error("the signed payload is not a notation payload")]
    InvalidPayload,
    /// The payload describes another artifact.
    #[error("the signature is for {signed}, not for the artifact verified")]
    WrongArtifact {
        /// The digest the payload names.
        signed: Box<Digest>,
    },
    /// The trust policy document is invalid.
    #[error("the trust policy is invalid: {0}")]
    InvalidPolicy(&'static str),
    /// No trust policy applies to the repository.
    #[error("no trust policy applies to {0}")]
    NoPolicy(String),
    /// The applicable policy skips verification.
    #[error("the trust policy {0:?} skips verification")]
    Skipped(String),
}

/// What a trust policy does with one check (its level's default, or its `override`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// A failure fails the verification.
    Enforce,
    /// A failure is reported beside a pass.
    Log,
    /// The check is not run.
    Skip,
}

/// `signatureVerification.level` of a trust policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Level {
    /// Every check enforced.
    Strict,
    /// Integrity and authenticity enforced; expiry, authentic timestamp and revocation
    /// reported.
    Permissive,
    /// Only integrity enforced.
    Audit,
    /// No verification.
    Skip,
}

/// One trust policy of a `trustpolicy.json` (version 1.0).
#[derive(Debug, Clone)]
pub struct TrustPolicy {
    name: String,
    scopes: Vec<String>,
    level: Level,
    trust_stores: Vec<String>,
    identities: Identities,
    /// `signatureVerification.override`: check → action, over the level's defaults.
    overrides: BTreeMap<Check, Action>,
    /// `signatureVerification.verifyTimestamp` is `afterCertExpiry`: a timestamp is verified
    /// only once a certificate of the chain has expired (default `always`).
    timestamp_after_expiry: bool,
}

#[derive(Debug, Clone)]
enum Identities {
    Any,
    Subjects(Vec<Dn>),
}

/// A `trustpolicy.json` document.
#[derive(Debug, Clone)]
pub struct TrustPolicyDocument {
    policies: Vec<TrustPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyDocJson {
    version: String,
    trust_policies: Vec<PolicyJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyJson {
    name: String,
    registry_scopes: Vec<String>,
    signature_verification: VerificationJson,
    #[serde(default)]
    trust_stores: Vec<String>,
    #[serde(default)]
    trusted_identities: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerificationJson {
    level: String,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<String, String>,
    #[serde(default, rename = "verifyTimestamp")]
    verify_timestamp: Option<String>,
}

/// A distinguished name as notation compares them: attribute short name → value, each
/// attribute once.
type Dn = BTreeMap<String, String>;

/// Parses a trusted identity's DN as notation does (RFC 4514: `C=US, ST=WA, O=Acme\, Inc.,
/// CN=x`; `\`-escapes and `\hh` pairs; `S` is `ST`): no multi-valued RDNs, no attribute
/// twice, and `C`, `ST` and `O` present.
fn parse_dn(s: &str) -> Result<Dn, &'static str> {
    let mut out = Dn::new();
    let mut parts = Vec::new();
    let (mut cur, mut chars) = (String::new(), s.chars());
    // Split at unescaped commas, keeping escapes for the value pass.
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                cur.push(chars.next().ok_or("a DN ends in a lone backslash")?);
            }
            ',' | ';' => parts.push(std::mem::take(&mut cur)),
            '+' => return Err("multi-valued RDNs are not supported in trusted identities"),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        let (k, v) = part
            .split_once('=')
            .ok_or("a trusted identity's DN is not attribute=value pairs")?;
        let mut k = k.trim().to_ascii_uppercase();
        if k == "S" {
            k = "ST".to_owned();
        }
        let v = unescape_dn_value(v.trim())?;
        if k.is_empty() || v.is_empty() {
            return Err("a trusted identity's DN has an empty attribute or value");
        }
        if out.insert(k, v).is_some() {
            return Err("a trusted identity's DN names an attribute twice");
        }
    }
    for required in ["C", "ST", "O"] {
        if !out.contains_key(required) {
            return Err("a trusted identity's DN must have C, ST and O attributes");
        }
    }
    Ok(out)
}

/// An RFC 4514 attribute value without its escapes (`\,` and `\2C` are both a comma).
fn unescape_dn_value(v: &str) -> Result<String, &'static str> {
    let mut bytes = Vec::with_capacity(v.len());
    let mut it = v.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        let e = it.next().ok_or("a DN ends in a lone backslash")?;
        match (e, it.peek().copied()) {
            (h, Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                it.next();
                let hex = [h, l];
                let s = std::str::from_utf8(&hex).map_err(|_| "a bad DN escape")?;
                bytes.push(u8::from_str_radix(s, 16).map_err(|_| "a bad DN escape")?);
            }
            (e, _) => bytes.push(e),
        }
    }
    String::from_utf8(bytes).map_err(|_| "a DN value is not UTF-8")
}

/// The subject of `cert` as notation compares it: short names (`C`, `ST`, `L`, `O`, `OU`,
/// `CN`, …; other types by dotted OID), string values; `None` when an attribute repeats or a
/// value is not a string (notation cannot match such a subject either).
fn subject_dn(cert: &Certificate) -> Option<Dn> {
    let mut out = Dn::new();
    for (name, value) in cert.subject_attributes().ok()? {
        if out.insert(name, value).is_some() {
            return None;
        }
    }
    Some(out)
}

/// Whether every attribute of `want` is in `have` with the same value (notation's
/// `IsSubsetDN`): a trusted identity names the attributes it cares about.
fn dn_within(want: &Dn, have: &Dn) -> bool {
    want.iter().all(|(k, v)| have.get(k) == Some(v))
}

impl TrustPolicyDocument {
    /// Reads a `trustpolicy.json` (version 1.0): strict JSON, unknown fields refused.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] naming the problem.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let value = crate::validate::parse_strict(json, MAX_TRUST_POLICY_LEN, "trust policy")
            .map_err(|_| Error::InvalidPolicy("not strict JSON within the size limit"))?;
        let doc: PolicyDocJson = serde_json::from_value(value)
            .map_err(|_| Error::InvalidPolicy("not the trust policy shape"))?;
        if doc.version != "1.0" {
            return Err(Error::InvalidPolicy("version is not 1.0"));
        }
        let mut policies = Vec::new();
        let mut wildcard = 0;
        for p in doc.trust_policies {
            let level = match p.signature_verification.level.as_str() {
                "strict" => Level::Strict,
                "permissive" => Level::Permissive,
                "audit" => Level::Audit,
                "skip" => Level::Skip,
                _ => return Err(Error::InvalidPolicy("unknown verification level")),
            };
            let overrides = parse_overrides(&p.signature_verification.overrides, level)?;
            if p.registry_scopes.iter().any(|s| s == "*") {
                if p.registry_scopes.len() != 1 {
                    return Err(Error::InvalidPolicy("'*' must be the only registry scope"));
                }
                wildcard += 1;
            }
            let identities = if p.trusted_identities.iter().any(|i| i == "*") {
                if p.trusted_identities.len() != 1 {
                    return Err(Error::InvalidPolicy(
                        "'*' must be the only trusted identity",
                    ));
                }
                Identities::Any
            } else {
                let mut subjects: Vec<Dn> = Vec::new();
                for id in &p.trusted_identities {
                    let dn = id
                        .strip_prefix("x509.subject:")
                        .ok_or(Error::InvalidPolicy(
                            "a trusted identity is not x509.subject",
                        ))?;
                    subjects.push(parse_dn(dn).map_err(Error::InvalidPolicy)?);
                }
                // As notation: one identity within another makes the narrower one pointless,
                // and is refused as a mistake.
                for (i, a) in subjects.iter().enumerate() {
                    if subjects
                        .iter()
                        .enumerate()
                        .any(|(j, b)| i != j && dn_within(a, b))
                    {
                        return Err(Error::InvalidPolicy(
                            "two trusted identities of a policy overlap",
                        ));
                    }
                }
                Identities::Subjects(subjects)
            };
            if level != Level::Skip
                && (p.trust_stores.is_empty() || p.trusted_identities.is_empty())
            {
                return Err(Error::InvalidPolicy(
                    "a verifying policy needs trust stores and trusted identities",
                ));
            }
            let timestamp_after_expiry = match p.signature_verification.verify_timestamp.as_deref()
            {
                None | Some("always") => false,
                Some("afterCertExpiry") => true,
                Some(_) => {
                    return Err(Error::InvalidPolicy(
                        "verifyTimestamp is neither always nor afterCertExpiry",
                    ))
                }
            };
            policies.push(TrustPolicy {
                name: p.name,
                scopes: p.registry_scopes,
                level,
                trust_stores: p.trust_stores,
                identities,
                overrides,
                timestamp_after_expiry,
            });
        }
        if wildcard > 1 {
            return Err(Error::InvalidPolicy("more than one '*' policy"));
        }
        Ok(Self { policies })
    }

    /// The policy for `repository` (`registry/name`): the one naming it, else the `*` policy.
    ///
    /// # Errors
    /// [`Error::NoPolicy`].
    pub fn policy_for(&self, repository: &str) -> Result<&TrustPolicy, Error> {
        self.policies
            .iter()
            .find(|p| p.scopes.iter().any(|s| s == repository))
            .or_else(|| {
                self.policies
                    .iter()
                    .find(|p| p.scopes.iter().any(|s| s == "*"))
            })
            .ok_or_else(|| Error::NoPolicy(repository.to_owned()))
    }
}

/// Reads `signatureVerification.override` as notation does: the checks `authenticity`,
/// `authenticTimestamp`, `expiry` and `revocation`, each to `enforce`, `log` or `skip`;
/// `integrity` cannot be overridden, `authenticity` cannot be skipped, and a `skip` policy
/// takes no overrides.
fn parse_overrides(
    map: &BTreeMap<String, String>,
    level: Level,
) -> Result<BTreeMap<Check, Action>, Error> {
    if level == Level::Skip && !map.is_empty() {
        return Err(Error::InvalidPolicy("a skip policy cannot override checks"));
    }
    let mut out = BTreeMap::new();
    for (check, action) in map {
        let check = match check.as_str() {
            "integrity" => return Err(Error::InvalidPolicy("integrity cannot be overridden")),
            "authenticity" => Check::Authenticity,
            "authenticTimestamp" => Check::AuthenticTimestamp,
            "expiry" => Check::Expiry,
            "revocation" => Check::Revocation,
            _ => return Err(Error::InvalidPolicy("an override names an unknown check")),
        };
        let action = match action.as_str() {
            "enforce" => Action::Enforce,
            "log" => Action::Log,
            "skip" => Action::Skip,
            _ => {
                return Err(Error::InvalidPolicy(
                    "an override's action is not enforce, log or skip",
                ))
            }
        };
        if check == Check::Authenticity && action == Action::Skip {
            return Err(Error::InvalidPolicy("authenticity cannot be skipped"));
        }
        out.insert(check, action);
    }
    Ok(out)
}

impl TrustPolicy {
    /// What this policy does with `check`: its override, else its level's default.
    pub fn action(&self, check: Check) -> Action {
        if let Some(a) = self.overrides.get(&check) {
            return *a;
        }
        match (self.level, check) {
            (Level::Skip, _) => Action::Skip,
            (_, Check::Integrity) | (Level::Strict, _) => Action::Enforce,
            (Level::Permissive, Check::Authenticity) => Action::Enforce,
            (Level::Permissive | Level::Audit, _) => Action::Log,
        }
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its verification level.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Its trust stores (`ca:name`, `signingAuthority:name`, `tsa:name`).
    pub fn trust_stores(&self) -> &[String] {
        &self.trust_stores
    }
}

/// Named trust stores: `ca:<name>` → certificates (notation's `truststore/x509/ca/<name>/`).
#[derive(Debug, Clone, Default)]
pub struct TrustStores {
    stores: BTreeMap<String, Vec<Certificate>>,
}

impl TrustStores {
    /// No stores.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `certs` to the store `kind:name` (`ca:acme`).
    #[must_use]
    pub fn with(mut self, store: impl Into<String>, certs: Vec<Certificate>) -> Self {
        self.stores.entry(store.into()).or_default().extend(certs);
        self
    }

    /// The certificates of the `tsa:` stores among `names`.
    fn tsa_roots(&self, names: &[String]) -> Vec<Certificate> {
        names
            .iter()
            .filter(|n| n.starts_with("tsa:"))
            .filter_map(|n| self.stores.get(n))
            .flatten()
            .cloned()
            .collect()
    }

    /// Whether `root` is in one of the stores among `names` of type `kind` (`ca:` or
    /// `signingAuthority:`, as the signing scheme requires).
    fn trusts(&self, names: &[String], kind: &str, root: &Certificate) -> bool {
        names
            .iter()
            .filter(|n| n.starts_with(kind))
            .filter_map(|n| self.stores.get(n))
            .flatten()
            .any(|c| c.der() == root.der())
    }
}

/// A parsed envelope, before any check.
#[derive(Debug, Clone)]
struct Envelope {
    kind: &'static str,
    scheme: SignatureScheme,
    alg: String,
    signing_scheme: String,
    signing_time: Option<Timestamp>,
    /// `io.cncf.notary.authenticSigningTime`, and whether it is marked critical.
    authentic_signing_time: Option<(Timestamp, bool)>,
    expiry: Option<Timestamp>,
    unknown_critical: Option<String>,
    chain: Vec<Certificate>,
    signed: Vec<u8>,
    signature: Vec<u8>,
    payload: Vec<u8>,
    /// The DER timestamp token of the unprotected header, if any.
    timestamp: Option<Vec<u8>>,
}

fn cose_err(reason: &'static str) -> Error {
    Error::InvalidEnvelope {
        envelope: "COSE",
        reason,
    }
}

fn jws_err(reason: &'static str) -> Error {
    Error::InvalidEnvelope {
        envelope: "JWS",
        reason,
    }
}

fn scheme_for(alg: &str) -> Option<SignatureScheme> {
    Some(match alg {
        "ES256" => SignatureScheme::EcdsaP256Sha256,
        "ES384" => SignatureScheme::EcdsaP384Sha384,
        "PS256" => SignatureScheme::RsaPssSha256,
        "PS384" => SignatureScheme::RsaPssSha384,
        "PS512" => SignatureScheme::RsaPssSha512,
        _ => return None,
    })
}

fn parse_chain(ders: Vec<Vec<u8>>) -> Result<Vec<Certificate>, Error> {
    if ders.is_empty() {
        return Err(Error::UntrustedChain);
    }
    if ders.len() > MAX_NOTATION_CHAIN_LEN {
        return Err(supply_sig::limits::LimitExceeded::new(
            "certificates in a notation chain",
            MAX_NOTATION_CHAIN_LEN as u64,
        )
        .with_actual(ders.len() as u64)
        .into());
    }
    ders.iter()
        .enumerate()
        .map(|(position, der)| {
            Certificate::from_der(der)
                .map_err(|source| Error::InvalidCertificate { position, source })
        })
        .collect()
}

fn parse_cose(bytes: &[u8]) -> Result<Envelope, Error> {
    use coset::cbor::value::Value;
    use coset::{iana, Label, RegisteredLabel, RegisteredLabelWithPrivate};
    let sign1 = coset::CoseSign1::from_tagged_slice(bytes)
        .or_else(|_| coset::CoseSign1::from_slice(bytes))
        .map_err(|_| cose_err("not a COSE_Sign1"))?;
    let header = &sign1.protected.header;
    let alg = match &header.alg {
        Some(RegisteredLabelWithPrivate::Assigned(a)) => match a {
            iana::Algorithm::ES256 => "ES256",
            iana::Algorithm::ES384 => "ES384",
            iana::Algorithm::ES512 => "ES512",
            iana::Algorithm::PS256 => "PS256",
            iana::Algorithm::PS384 => "PS384",
            iana::Algorithm::PS512 => "PS512",
            _ => return Err(Error::UnsupportedAlgorithm(format!("{a:?}"))),
        },
        Some(other) => return Err(Error::UnsupportedAlgorithm(format!("{other:?}"))),
        None => return Err(cose_err("no alg")),
    };
    let scheme = scheme_for(alg).ok_or_else(|| Error::UnsupportedAlgorithm(alg.to_owned()))?;
    match &header.content_type {
        Some(RegisteredLabel::Text(t)) if t == PAYLOAD_CONTENT_TYPE => {}
        _ => return Err(cose_err("content type is not the notation payload")),
    }
    let text = |name: &str| {
        header.rest.iter().find_map(|(l, v)| match l {
            Label::Text(t) if t == name => Some(v),
            _ => None,
        })
    };
    let time = |v: Option<&Value>| -> Result<Option<Timestamp>, Error> {
        match v {
            None => Ok(None),
            Some(Value::Tag(1, inner)) => match inner.as_ref() {
                Value::Integer(i) => i64::try_from(*i)
                    .map(|s| Some(Timestamp::from_unix(s)))
                    .map_err(|_| cose_err("time out of range")),
                _ => Err(cose_err("time is not an epoch integer")),
            },
            Some(_) => Err(cose_err("time is not a tagged epoch")),
        }
    };
    let signing_scheme = match text(H_SCHEME) {
        Some(Value::Text(s)) => s.clone(),
        _ => return Err(cose_err("no signing scheme")),
    };
    let signing_time = time(text(H_SIGNING_TIME))?;
    let authentic = time(text(H_AUTH_SIGNING_TIME))?;
    let expiry = time(text(H_EXPIRY))?;
    let authentic_critical = header
        .crit
        .iter()
        .any(|c| matches!(c, RegisteredLabelWithPrivate::Text(t) if t == H_AUTH_SIGNING_TIME));
    let known = [H_SCHEME, H_SIGNING_TIME, H_EXPIRY, H_AUTH_SIGNING_TIME];
    let unknown_critical = header.crit.iter().find_map(|c| match c {
        RegisteredLabelWithPrivate::Text(t) if known.contains(&t.as_str()) => None,
        RegisteredLabelWithPrivate::Text(t) => Some(t.clone()),
        other => Some(format!("{other:?}")),
    });
    let x5chain = sign1
        .unprotected
        .rest
        .iter()
        .find_map(|(l, v)| (*l == Label::Int(iana::HeaderParameter::X5Chain as i64)).then_some(v))
        .ok_or(cose_err("no x5chain"))?;
    let ders = match x5chain {
        Value::Bytes(b) => vec![b.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(cose_err("x5chain entry is not bytes")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(cose_err("x5chain is not bytes")),
    };
    let payload = sign1.payload.clone().ok_or(cose_err("detached payload"))?;
    let timestamp = match sign1.unprotected.rest.iter().find_map(|(l, v)| match l {
        Label::Text(t) if t == H_TIMESTAMP => Some(v),
        _ => None,
    }) {
        None => None,
        Some(Value::Bytes(b)) => Some(b.clone()),
        Some(_) => return Err(cose_err("timestamp signature is not bytes")),
    };
    Ok(Envelope {
        kind: "COSE",
        scheme,
        alg: alg.to_owned(),
        signing_scheme,
        signing_time,
        authentic_signing_time: authentic.map(|t| (t, authentic_critical)),
        expiry,
        unknown_critical,
        chain: parse_chain(ders)?,
        signed: sign1.tbs_data(b""),
        signature: sign1.signature,
        payload,
        timestamp,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JwsJson {
    payload: String,
    protected: String,
    #[serde(default)]
    header: JwsUnprotected,
    signature: String,
}

#[derive(Deserialize, Default)]
struct JwsUnprotected {
    #[serde(default)]
    x5c: Vec<String>,
    #[serde(default, rename = "io.cncf.notary.timestampSignature")]
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct JwsProtected {
    alg: String,
    #[serde(default)]
    crit: Vec<String>,
    cty: Option<String>,
    #[serde(rename = "io.cncf.notary.signingScheme")]
    signing_scheme: Option<String>,
    #[serde(rename = "io.cncf.notary.signingTime")]
    signing_time: Option<String>,
    #[serde(rename = "io.cncf.notary.authenticSigningTime")]
    authentic_signing_time: Option<String>,
    #[serde(rename = "io.cncf.notary.expiry")]
    expiry: Option<String>,
}

fn rfc3339(s: &str) -> Result<Timestamp, Error> {
    Timestamp::parse_rfc3339(s).ok_or(jws_err("time is not RFC 3339"))
}

fn parse_jws(bytes: &[u8]) -> Result<Envelope, Error> {
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let value = crate::validate::parse_strict(bytes, MAX_NOTATION_ENVELOPE_LEN, "JWS envelope")
        .map_err(|_| jws_err("not strict JSON"))?;
    let jws: JwsJson = serde_json::from_value(value).map_err(|_| jws_err("not the JWS shape"))?;
    let protected_raw = url
        .decode(&jws.protected)
        .map_err(|_| jws_err("protected header is not base64url"))?;
    let protected: JwsProtected = crate::validate::parse_strict(
        &protected_raw,
        MAX_NOTATION_ENVELOPE_LEN,
        "JWS protected header",
    )
    .ok()
    .and_then(|v| serde_json::from_value(v).ok())
    .ok_or(jws_err("protected header is not the notation shape"))?;
    let scheme = scheme_for(&protected.alg)
        .ok_or_else(|| Error::UnsupportedAlgorithm(protected.alg.clone()))?;
    if protected.cty.as_deref() != Some(PAYLOAD_CONTENT_TYPE) {
        return Err(jws_err("content type is not the notation payload"));
    }
    let signing_scheme = protected
        .signing_scheme
        .ok_or(jws_err("no signing scheme"))?;
    let known = [H_SCHEME, H_SIGNING_TIME, H_EXPIRY, H_AUTH_SIGNING_TIME];
    let unknown_critical = protected
        .crit
        .iter()
        .find(|c| !known.contains(&c.as_str()))
        .cloned();
    let std = base64::engine::general_purpose::STANDARD;
    let ders = jws
        .header
        .x5c
        .iter()
        .map(|c| {
            std.decode(c)
                .map_err(|_| jws_err("x5c entry is not base64"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Envelope {
        kind: "JWS",
        scheme,
        alg: protected.alg,
        signing_scheme,
        signing_time: protected.signing_time.as_deref().map(rfc3339).transpose()?,
        authentic_signing_time: protected
            .authentic_signing_time
            .as_deref()
            .map(rfc3339)
            .transpose()?
            .map(|t| (t, protected.crit.iter().any(|c| c == H_AUTH_SIGNING_TIME))),
        expiry: protected.expiry.as_deref().map(rfc3339).transpose()?,
        unknown_critical,
        chain: parse_chain(ders)?,
        signed: format!("{}.{}", jws.protected, jws.payload).into_bytes(),
        signature: url
            .decode(&jws.signature)
            .map_err(|_| jws_err("signature is not base64url"))?,
        payload: url
            .decode(&jws.payload)
            .map_err(|_| jws_err("payload is not base64url"))?,
        timestamp: jws
            .header
            .timestamp
            .as_deref()
            .map(|t| std.decode(t))
            .transpose()
            .map_err(|_| jws_err("timestamp signature is not base64"))?,
    })
}

/// A check notation's levels can enforce or only report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// The signature verifies and the envelope is understood.
    Integrity,
    /// The chain ends at a trusted root and the signer is a trusted identity.
    Authenticity,
    /// The certificates are valid at the verification time, or at a timestamp vouched for by
    /// the policy's `tsa` trust store, and the signing time in the leaf's.
    AuthenticTimestamp,
    /// The signature has not expired.
    Expiry,
    /// No certificate of the chain is revoked (OCSP answers and CRLs the caller fetched).
    Revocation,
}

/// A notation signature that verified for an artifact; only [`verify`] builds it.
#[derive(Debug)]
pub struct VerifiedSignature {
    envelope: &'static str,
    algorithm: String,
    signer: String,
    signing_time: Option<Timestamp>,
    timestamp: Option<Timestamp>,
    policy: String,
    reported: Vec<(Check, Error)>,
    skipped: Vec<Check>,
}

impl VerifiedSignature {
    /// `COSE` or `JWS`.
    pub fn envelope(&self) -> &'static str {
        self.envelope
    }

    /// The signature algorithm (`ES256`, `PS256`…).
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The leaf certificate's subject.
    pub fn signer(&self) -> &str {
        &self.signer
    }

    /// The signing time: the signer's claim under `notary.x509` (not authenticated), the
    /// authentic signing time under `notary.x509.signingAuthority`.
    pub fn signing_time(&self) -> Option<Timestamp> {
        self.signing_time
    }

    /// The time an authority vouches for: a timestamp authority's (its countersignature
    /// verified against the policy's `tsa` trust stores, when the policy asked for one), or the
    /// signing authority's authentic signing time under `notary.x509.signingAuthority`.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// The name of the trust policy applied.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// Failures the policy's level only reports (`permissive`, `audit`).
    pub fn reported(&self) -> &[(Check, Error)] {
        &self.reported
    }

    /// Checks that were not run.
    pub fn skipped(&self) -> &[Check] {
        &self.skipped
    }
}

/// What an envelope is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The digest of the artifact (image manifest) the signature must name.
    pub digest: &'a Digest,
    /// The artifact's media type, when known (checked against the payload's).
    pub media_type: Option<&'a str>,
    /// The artifact's size, when known (checked against the payload's).
    pub size: Option<u64>,
    /// The repository (`registry/name`) that selects the trust policy.
    pub repository: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadJson {
    target_artifact: crate::Descriptor,
}

/// The certificate chain (leaf first) of the envelope `bytes` of media type `media_type`, as
/// carried, not verified: what [`supply_sig::revocation::fetch_for_chain`] fetches CRLs for
/// before [`verify`].
///
/// # Errors
/// [`Error::UnknownEnvelope`], [`Error::InvalidEnvelope`], [`Error::InvalidCertificate`],
/// [`Error::LimitExceeded`].
pub fn envelope_chain(media_type: &str, bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    Ok(parse_envelope(media_type, bytes)?.chain)
}

/// Parses a COSE or JWS envelope within [`MAX_NOTATION_ENVELOPE_LEN`].
fn parse_envelope(media_type: &str, bytes: &[u8]) -> Result<Envelope, Error> {
    if bytes.len() > MAX_NOTATION_ENVELOPE_LEN {
        return Err(supply_sig::limits::LimitExceeded::new(
            "notation envelope",
            MAX_NOTATION_ENVELOPE_LEN as u64,
        )
        .with_actual(bytes.len() as u64)
        .into());
    }
    let env = match media_type {
        COSE_MEDIA_TYPE => parse_cose(bytes)?,
        JWS_MEDIA_TYPE => parse_jws(bytes)?,
        other => return Err(Error::UnknownEnvelope(other.to_owned())),
    };
    Ok(env)
}

/// Verifies the envelope `bytes` of media type `media_type` for `target`, under the trust
/// policy that applies to its repository and the trust stores, at `now`, with the OCSP
/// answers and CRLs in `crls` for the revocation check.
///
/// # Errors
/// The first enforced check that fails (see the module docs for the order and the levels).
#[allow(clippy::too_many_arguments)] // each input is a distinct thing the caller holds
pub fn verify(
    media_type: &str,
    bytes: &[u8],
    target: Target<'_>,
    policies: &TrustPolicyDocument,
    stores: &TrustStores,
    crls: &Fetched,
    now: Timestamp,
    provider: &Provider,
) -> Result<VerifiedSignature, Error> {
    let policy = policies.policy_for(target.repository)?;
    if policy.level == Level::Skip {
        return Err(Error::Skipped(policy.name.clone()));
    }
    // Integrity.
    let env = parse_envelope(media_type, bytes)?;
    // The scheme decides the trust store type and which time the chain must be valid at.
    let (store_kind, authentic_time) = match env.signing_scheme.as_str() {
        SCHEME_X509 => ("ca:", None),
        SCHEME_SIGNING_AUTHORITY => match env.authentic_signing_time {
            Some((t, true)) => ("signingAuthority:", Some(t)),
            _ => return Err(Error::NoAuthenticSigningTime),
        },
        _ => return Err(Error::UnsupportedScheme(env.signing_scheme)),
    };
    if let Some(c) = env.unknown_critical {
        return Err(Error::UnknownCritical(c));
    }
    let leaf = &env.chain[0];
    let verifier = KeyVerifier::new(
        leaf.public_key(),
        env.scheme,
        VerifyPolicy::default().with_ecdsa_encoding(supply_sig::sign::EcdsaEncoding::Fixed),
        provider,
    )
    .map_err(Error::BadSignature)?;
    verifier
        .verify(&env.signed, &env.signature)
        .map_err(Error::BadSignature)?;

    let mut reported = Vec::new();
    let mut skipped = Vec::new();
    // Runs `run` for `check` unless the policy skips it; a failure fails the verification
    // when enforced and is reported when logged.
    let mut apply =
        |check: Check, run: &mut dyn FnMut() -> Result<(), Error>| match policy.action(check) {
            Action::Skip => {
                skipped.push(check);
                Ok(())
            }
            Action::Enforce => run(),
            Action::Log => {
                if let Err(e) = run() {
                    reported.push((check, e));
                }
                Ok(())
            }
        };

    // Authenticity: chain links, the root is in a trust store, the leaf is for code signing,
    // the signer is a trusted identity.
    apply(Check::Authenticity, &mut || {
        check_chain(&env.chain, policy, stores, store_kind, provider)
    })?;
    // Authentic timestamp. With a `tsa` trust store in the policy (and, under
    // `verifyTimestamp: afterCertExpiry`, once a certificate has expired), the timestamp
    // countersignature must be present, over this signature, chained to that store, and every
    // certificate valid throughout its time ± accuracy. Otherwise every certificate must be
    // valid now. Either way the claimed signing time lies in the leaf's validity.
    let mut verified_time = None;
    let mut timestamp = || {
        // A signing authority vouches for its signing time: the chain is valid then.
        if let Some(t) = authentic_time {
            for (position, cert) in env.chain.iter().enumerate() {
                if !cert.valid_at(t) {
                    return Err(Error::CertificateNotValid { position, time: t });
                }
            }
            return Ok(());
        }
        let expired = env.chain.iter().any(|c| !c.valid_at(now));
        let with_tsa = policy.trust_stores.iter().any(|n| n.starts_with("tsa:"))
            && (!policy.timestamp_after_expiry || expired);
        if with_tsa {
            let token = env.timestamp.as_deref().ok_or(Error::NoTimestamp)?;
            let roots = stores.tsa_roots(&policy.trust_stores);
            if roots.is_empty() {
                return Err(Error::NoTsaCertificates);
            }
            let ts = SignedTimestamp::from_der(token).map_err(Error::Timestamp)?;
            let (t, tsa_chain) = ts
                .verify_with_roots_chain(&env.signature, &roots, provider)
                .map_err(Error::Timestamp)?;
            // The time-stamping authority's chain is checked for revocation too (notation's
            // "timestamp certificate chain revocation"), unless the policy skips revocation.
            if policy.action(Check::Revocation) != Action::Skip {
                match first_failure(revocation::check_chain(
                    &tsa_chain, crls, now, None, provider,
                )) {
                    Some((position, Ok(revoked))) => {
                        return Err(Error::TimestampRevoked { position, revoked })
                    }
                    Some((position, Err(source))) => {
                        return Err(Error::TimestampRevocationUnavailable { position, source })
                    }
                    None => {}
                }
            }
            let slack = i64::try_from(ts.accuracy_secs).unwrap_or(i64::MAX);
            let earliest = Timestamp::from_unix(t.unix().saturating_sub(slack));
            let latest = Timestamp::from_unix(t.unix().saturating_add(slack));
            for (position, cert) in env.chain.iter().enumerate() {
                if !cert.valid_at(earliest) || !cert.valid_at(latest) {
                    return Err(Error::NotValidAtTimestamp {
                        position,
                        time: t,
                        accuracy_secs: ts.accuracy_secs,
                    });
                }
            }
            verified_time = Some(t);
        } else {
            for (position, cert) in env.chain.iter().enumerate() {
                if !cert.valid_at(now) {
                    return Err(Error::CertificateNotValid {
                        position,
                        time: now,
                    });
                }
            }
        }
        match env.signing_time {
            Some(t) if !leaf.valid_at(t) => Err(Error::SigningTimeOutsideValidity(t)),
            _ => Ok(()),
        }
    };
    apply(Check::AuthenticTimestamp, &mut timestamp)?;
    apply(Check::Expiry, &mut || match env.expiry {
        Some(t) if t <= now => Err(Error::Expired(t)),
        _ => Ok(()),
    })?;
    // Revocation: each certificate but the root against its CRLs. Only a time an authority
    // vouches for (the signing authority's) may spare a signature made before a key's
    // invalidity date, as notation does.
    apply(
        Check::Revocation,
        &mut || match first_failure(revocation::check_chain(
            &env.chain,
            crls,
            now,
            authentic_time,
            provider,
        )) {
            Some((position, Ok(revoked))) => Err(Error::Revoked { position, revoked }),
            Some((position, Err(source))) => Err(Error::RevocationUnavailable { position, source }),
            None => Ok(()),
        },
    )?;

    // The payload names the target (integrity of what was signed: always enforced).
    let payload: PayloadJson =
        crate::validate::parse_strict(&env.payload, MAX_NOTATION_ENVELOPE_LEN, "notation payload")
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or(Error::InvalidPayload)?;
    let signed = &payload.target_artifact;
    if signed.digest != *target.digest
        || target.media_type.is_some_and(|m| m != signed.media_type)
        || target.size.is_some_and(|s| s != signed.size)
    {
        return Err(Error::WrongArtifact {
            signed: Box::new(signed.digest),
        });
    }
    Ok(VerifiedSignature {
        envelope: env.kind,
        algorithm: env.alg,
        signer: leaf.parsed().tbs_certificate.subject.to_string(),
        signing_time: env.signing_time.or(authentic_time),
        timestamp: verified_time.or(authentic_time),
        policy: policy.name.clone(),
        reported,
        skipped,
    })
}

/// The revocation failure a chain's statuses come to: the first revoked certificate (a
/// revocation anywhere says more than an unavailable status), else the first whose status is
/// unavailable; `None` when every one is good or not revocable.
fn first_failure(
    statuses: Vec<revocation::Status>,
) -> Option<(usize, Result<revocation::Revoked, revocation::Unavailable>)> {
    let mut unavailable = None;
    for (position, status) in statuses.into_iter().enumerate() {
        match status {
            revocation::Status::Revoked(r) => return Some((position, Ok(r))),
            revocation::Status::Unavailable(u) if unavailable.is_none() => {
                unavailable = Some((position, Err(u)));
            }
            _ => {}
        }
    }
    unavailable
}

fn check_chain(
    chain: &[Certificate],
    policy: &TrustPolicy,
    stores: &TrustStores,
    store_kind: &str,
    provider: &Provider,
) -> Result<(), Error> {
    let leaf = &chain[0];
    let root = &chain[chain.len() - 1];
    if !stores.trusts(&policy.trust_stores, store_kind, root) {
        return Err(Error::UntrustedChain);
    }
    if !root.is_self_issued() {
        return Err(Error::UntrustedChain);
    }
    root.verify_signed_by(root.public_key(), provider)
        .map_err(Error::BadChain)?;
    for (i, pair) in chain.windows(2).enumerate() {
        let [child, issuer] = pair else { continue };
        if !supply_sig::x509::names_chain(child, issuer) {
            return Err(Error::UntrustedChain);
        }
        child
            .verify_signed_by(issuer.public_key(), provider)
            .map_err(Error::BadChain)?;
        issuer.check_ca(i + 1, i).map_err(Error::BadChain)?;
    }
    leaf.check_leaf(LeafProfile::CodeSigning)
        .map_err(Error::BadChain)?;
    match &policy.identities {
        Identities::Any => Ok(()),
        Identities::Subjects(subjects) => {
            let have = subject_dn(leaf);
            if have.is_some_and(|have| subjects.iter().any(|want| dn_within(want, &have))) {
                Ok(())
            } else {
                Err(Error::UntrustedIdentity(
                    leaf.parsed().tbs_certificate.subject.to_string(),
                ))
            }
        }
    }
}

/// The [`ArtifactVerifier`](supply_sig::verify::ArtifactVerifier) for notation signature
/// referrers.
#[derive(Debug, Clone)]
pub struct SignatureVerifier {
    policies: TrustPolicyDocument,
    stores: TrustStores,
    repository: String,
    crls: Fetched,
    provider: &'static Provider,
}

impl SignatureVerifier {
    /// The name a [`Requirement`](supply_sig::verify::Requirement) uses for it.
    pub const NAME: &'static str = "notation-signature";

    /// A verifier for artifacts of `repository` under these policies and stores.
    pub fn new(
        policies: TrustPolicyDocument,
        stores: TrustStores,
        repository: impl Into<String>,
        provider: &'static Provider,
    ) -> Self {
        Self {
            policies,
            stores,
            repository: repository.into(),
            crls: Fetched::new(),
            provider,
        }
    }

    /// Whether the policy for this verifier's repository runs the revocation check (callers
    /// fetch OCSP answers and CRLs only then).
    pub fn checks_revocation(&self) -> bool {
        self.policies
            .policy_for(&self.repository)
            .is_ok_and(|p| p.action(Check::Revocation) != Action::Skip)
    }

    /// The certificate chains whose revocation the check of the envelope `bytes` (of media
    /// type `media_type`) will ask about: the signing chain, and the time-stamping
    /// authority's chain when the policy names `tsa` trust stores and the envelope's
    /// timestamp verifies against them. Fetch for these
    /// ([`supply_sig::revocation::fetch_for_chain`]) before verifying; a malformed envelope
    /// gives none (its verification fails anyway).
    pub fn revocation_chains(&self, media_type: &str, bytes: &[u8]) -> Vec<Vec<Certificate>> {
        let (Ok(policy), Ok(env)) = (
            self.policies.policy_for(&self.repository),
            parse_envelope(media_type, bytes),
        ) else {
            return Vec::new();
        };
        let roots = self.stores.tsa_roots(&policy.trust_stores);
        let tsa_chain = env
            .timestamp
            .as_deref()
            .filter(|_| !roots.is_empty())
            .and_then(|token| SignedTimestamp::from_der(token).ok())
            .and_then(|ts| {
                ts.verify_with_roots_chain(&env.signature, &roots, self.provider)
                    .ok()
            })
            .map(|(_, chain)| chain);
        std::iter::once(env.chain).chain(tsa_chain).collect()
    }

    /// The OCSP answers and CRLs the revocation check uses (fetched for the signatures'
    /// chains beforehand: [`envelope_chain`], [`supply_sig::revocation::fetch_for_chain`]).
    #[must_use]
    pub fn with_revocation(mut self, fetched: Fetched) -> Self {
        self.crls = fetched;
        self
    }
}

impl supply_sig::verify::ArtifactVerifier for SignatureVerifier {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn handles(&self, attachment: &supply_sig::verify::Attachment) -> bool {
        attachment.artifact_type() == SIGNATURE_ARTIFACT_TYPE
    }

    fn verify(
        &self,
        subject: &supply_sig::verify::Subject,
        attachment: &supply_sig::verify::Attachment,
        now: Timestamp,
    ) -> supply_sig::verify::Verdict {
        use supply_sig::verify::{Evidence, Signer, Verdict};
        // A notation signature manifest has exactly one envelope layer.
        let [blob] = attachment.blobs() else {
            return Verdict::failed(Error::InvalidEnvelope {
                envelope: "manifest",
                reason: "a notation signature has exactly one layer",
            });
        };
        let target = Target {
            digest: subject.digest(),
            media_type: subject.media_type(),
            size: None,
            repository: &self.repository,
        };
        match verify(
            blob.media_type(),
            blob.bytes(),
            target,
            &self.policies,
            &self.stores,
            &self.crls,
            now,
            self.provider,
        ) {
            Ok(v) => {
                let mut ev = Evidence::new()
                    .with_signer(Signer::Certificate {
                        identity: v.signer.clone(),
                        issuer: None,
                    })
                    .with_fact("notation.envelope", v.envelope)
                    .with_fact("notation.policy", v.policy.clone());
                if let Some(t) = v.timestamp {
                    ev = ev.with_fact("notation.timestamp", t.to_string());
                }
                for (check, e) in &v.reported {
                    ev = ev.with_fact(format!("notation.reported.{check:?}"), e.to_string());
                }
                Verdict::Passed(ev)
            }
            Err(Error::Skipped(_)) => {
                Verdict::not_applicable("the trust policy skips verification")
            }
            Err(e) => Verdict::failed(e),
        }
    }
}
