//! Trusted roots (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`), client trust
//! configs and signing configs v0.2, from the protobuf-specs JSON.
//!
//! A trusted root lists the transparency logs, certificate authorities, CT logs and
//! timestamp authorities a verifier accepts, each with a validity window. Parsing is strict:
//! an unknown media type, a key of an unsupported type, a window without `start`, an empty
//! CA chain or one that does not end in a self-signed root are errors, so a root that parses
//! is usable as it stands.
//!
//! One exception: a timestamp authority whose `certChain.certificates` is empty is left out of
//! [`TrustedRoot::timestamp_authorities`] (and counted in
//! [`TrustedRoot::skipped_timestamp_authorities`]) instead of failing the whole root. Such an
//! entry names no key, so no timestamp can ever verify against it, and dropping it changes
//! nothing else. sigstore-rust's `TrustedRoot::tsa_authorities` skips it the same way and
//! sigstore-python only ever uses TSA chains of at least two certificates, while sigstore-go
//! rejects the root; skipping is the choice that cannot make a timestamp verify and does not
//! take the logs and CAs of an otherwise valid root down with it. A single TSA entry read with
//! [`CertificateAuthority::tsa_from_json`] is still rejected when its chain is empty.

use serde::Deserialize;

use crate::crypto::Provider;
use crate::key::PublicKey;
use crate::limits::{LimitExceeded, MAX_CERT_CHAIN_LEN, MAX_CERT_DER_LEN, MAX_TRUST_ROOT_LEN};
use crate::sign::SignatureScheme;
use crate::time::Timestamp;
use crate::x509::{self, Certificate, CheckedCaChain};

use super::b64;

/// The trusted-root media type.
pub const TRUSTED_ROOT_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
/// The newer spelling of the trusted-root media type.
pub const TRUSTED_ROOT_MEDIA_TYPE_V02: &str = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
/// The client trust config media type.
pub const CLIENT_TRUST_CONFIG_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";
/// The signing config v0.2 media type.
pub const SIGNING_CONFIG_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/// Errors from reading trust material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is larger than [`MAX_TRUST_ROOT_LEN`], or a chain longer than
    /// [`MAX_CERT_CHAIN_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Not valid JSON of the expected shape.
    #[error("invalid {what} JSON")]
    InvalidJson {
        /// Which document.
        what: &'static str,
        /// The parser's error (line, column and what was expected).
        #[source]
        source: serde_json::Error,
    },
    /// The media type is not one we accept.
    #[error("unsupported media type {media_type:?}")]
    UnsupportedMediaType {
        /// The media type found.
        media_type: String,
    },
    /// A field is malformed (bad base64, bad time, missing window start …).
    #[error("invalid field {field}")]
    InvalidField {
        /// The field.
        field: &'static str,
    },
    /// A key type we do not support.
    #[error("unsupported key details {key_details:?}")]
    UnsupportedKey {
        /// The `keyDetails` value.
        key_details: String,
    },
    /// A certificate in a CA or TSA chain is invalid.
    #[error("invalid certificate chain for {uri}")]
    InvalidChain {
        /// The authority's URI.
        uri: String,
        /// Why.
        #[source]
        source: x509::Error,
    },
}

/// A validity window; the end is inclusive, an absent end is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityWindow {
    /// First instant of validity.
    pub start: Timestamp,
    /// Last instant of validity (inclusive), if any.
    pub end: Option<Timestamp>,
}

impl ValidityWindow {
    /// Whether `t` lies in `[start, end]`.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|end| t <= end)
    }
}

/// A transparency log or CT log the verifier trusts.
#[derive(Clone, Debug)]
pub struct TransparencyLog {
    /// `baseUrl`.
    pub base_url: String,
    /// The log's key.
    pub key: PublicKey,
    /// The scheme its signatures use.
    pub scheme: SignatureScheme,
    /// The log ID (`logId.keyId`).
    pub log_id: Vec<u8>,
    /// When the key may be used.
    pub valid_for: ValidityWindow,
}

impl TransparencyLog {
    /// The host part of `baseUrl`: the signed-note key name of the log's checkpoints
    /// (`rekor.sigstore.dev`, `log2025-1.rekor.sigstore.dev`).
    pub fn origin(&self) -> &str {
        let s = self.base_url.as_str();
        let s = s.split_once("://").map_or(s, |(_, rest)| rest);
        s.split(['/', '?', '#']).next().unwrap_or(s)
    }
}

/// A certificate or timestamp authority: its chain (issuer first, self-signed root last).
///
/// The fields are private: an authority only comes from parsing, which checks its chain once
/// ([`x509::check_ca_chain`]), so verification never meets a chain that was not checked.
#[derive(Clone, Debug)]
pub struct CertificateAuthority {
    uri: String,
    /// The whole chain as read (for a TSA, its signing leaf first).
    chain: Vec<Certificate>,
    tsa: bool,
    valid_for: ValidityWindow,
    /// The CA part of the chain (all of it for a CA, all but the leaf for a TSA).
    checked: CheckedCaChain,
}

impl CertificateAuthority {
    /// `uri`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// When the authority may be used.
    pub fn valid_for(&self) -> ValidityWindow {
        self.valid_for
    }

    /// The whole chain: for a CA, the intermediates then the root; for a TSA, the TSA's leaf,
    /// its intermediates, then the root.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The issuing CA certificate (the chain's first CA certificate: for a TSA, the one after
    /// its leaf).
    pub fn issuer(&self) -> Option<&Certificate> {
        self.checked.certificates().first()
    }

    /// A TSA's signing leaf (`None` for a certificate authority).
    pub fn tsa_leaf(&self) -> Option<&Certificate> {
        self.chain.first().filter(|_| self.tsa)
    }

    /// The CA part of the chain as [`x509::check_ca_chain`] accepted it when the authority was
    /// read.
    pub fn checked_chain(&self) -> &CheckedCaChain {
        &self.checked
    }

    /// Parses one `CertificateAuthority` JSON object, as a CA (every certificate must be a CA).
    ///
    /// # Errors
    /// As [`TrustedRoot::from_json`].
    pub fn from_json(json: &[u8], provider: &Provider) -> Result<Self, Error> {
        let wire: WireCa = parse_json(json, "certificate authority")?;
        Self::from_wire(wire, false, provider)
    }

    /// Parses one `CertificateAuthority` JSON object describing a timestamp authority (the
    /// first certificate is the TSA's signing leaf).
    ///
    /// # Errors
    /// As [`TrustedRoot::from_json`].
    pub fn tsa_from_json(json: &[u8], provider: &Provider) -> Result<Self, Error> {
        let wire: WireCa = parse_json(json, "timestamp authority")?;
        Self::from_wire(wire, true, provider)
    }

    fn from_wire(w: WireCa, tsa: bool, provider: &Provider) -> Result<Self, Error> {
        let uri = w.uri.unwrap_or_default();
        let valid_for = window(w.valid_for.as_ref())?;
        if w.cert_chain.certificates.len() > MAX_CERT_CHAIN_LEN {
            return Err(
                LimitExceeded::new("certificates in a chain", MAX_CERT_CHAIN_LEN)
                    .with_actual(w.cert_chain.certificates.len())
                    .into(),
            );
        }
        let mut chain = Vec::with_capacity(w.cert_chain.certificates.len());
        for c in &w.cert_chain.certificates {
            let der = b64(&c.raw_bytes, MAX_CERT_DER_LEN).ok_or(Error::InvalidField {
                field: "certChain.certificates.rawBytes",
            })?;
            chain.push(
                Certificate::from_der(&der).map_err(|source| Error::InvalidChain {
                    uri: uri.clone(),
                    source,
                })?,
            );
        }
        let cas = if tsa {
            chain.get(1..).unwrap_or_default()
        } else {
            &chain[..]
        };
        if cas.is_empty() {
            return Err(Error::InvalidChain {
                uri,
                source: x509::Error::NoRoot,
            });
        }
        let checked = CheckedCaChain::check(cas.to_vec(), provider).map_err(|source| {
            Error::InvalidChain {
                uri: uri.clone(),
                source,
            }
        })?;
        Ok(Self {
            uri,
            chain,
            tsa,
            valid_for,
            checked,
        })
    }
}

/// A parsed trusted root. The raw JSON is kept.
///
/// The fields are private: a root only comes from parsing, which checks every key and chain.
/// To trust something else, edit the JSON and parse it again.
#[derive(Clone, Debug)]
pub struct TrustedRoot {
    raw: Vec<u8>,
    tlogs: Vec<TransparencyLog>,
    certificate_authorities: Vec<CertificateAuthority>,
    ctlogs: Vec<TransparencyLog>,
    timestamp_authorities: Vec<CertificateAuthority>,
    skipped_tsas: usize,
}

impl TrustedRoot {
    /// Parses a trusted root, checking every key and chain.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`], [`Error::InvalidJson`], [`Error::UnsupportedMediaType`],
    /// [`Error::InvalidField`], [`Error::UnsupportedKey`], [`Error::InvalidChain`].
    pub fn from_json(json: &[u8], provider: &Provider) -> Result<Self, Error> {
        let wire: WireRoot = parse_json(json, "trusted root")?;
        Self::from_wire(wire, json.to_vec(), provider)
    }

    /// Reads either a trusted root or a client trust config (whose trusted root is taken).
    ///
    /// # Errors
    /// As [`TrustedRoot::from_json`] and [`ClientTrustConfig::from_json`].
    pub fn from_json_or_trust_config(json: &[u8], provider: &Provider) -> Result<Self, Error> {
        let probe: Probe = parse_json(json, "trusted root")?;
        if probe.media_type == CLIENT_TRUST_CONFIG_MEDIA_TYPE {
            Ok(ClientTrustConfig::from_json(json, provider)?.trusted_root)
        } else {
            Self::from_json(json, provider)
        }
    }

    fn from_wire(w: WireRoot, raw: Vec<u8>, provider: &Provider) -> Result<Self, Error> {
        if w.media_type != TRUSTED_ROOT_MEDIA_TYPE && w.media_type != TRUSTED_ROOT_MEDIA_TYPE_V02 {
            return Err(Error::UnsupportedMediaType {
                media_type: w.media_type,
            });
        }
        let logs = |v: Vec<WireLog>| v.into_iter().map(log).collect::<Result<Vec<_>, _>>();
        // A TSA without certificates is unusable, not malformed: skip it (see the module docs).
        let (empty_tsas, tsas): (Vec<WireCa>, Vec<WireCa>) = w
            .timestamp_authorities
            .into_iter()
            .partition(|c| c.cert_chain.certificates.is_empty());
        Ok(Self {
            raw,
            tlogs: logs(w.tlogs)?,
            ctlogs: logs(w.ctlogs)?,
            certificate_authorities: w
                .certificate_authorities
                .into_iter()
                .map(|c| CertificateAuthority::from_wire(c, false, provider))
                .collect::<Result<_, _>>()?,
            timestamp_authorities: tsas
                .into_iter()
                .map(|c| CertificateAuthority::from_wire(c, true, provider))
                .collect::<Result<_, _>>()?,
            skipped_tsas: empty_tsas.len(),
        })
    }

    /// How many timestamp authorities were left out because their certificate chain is empty
    /// (no timestamp can verify against them; see the module docs).
    pub fn skipped_timestamp_authorities(&self) -> usize {
        self.skipped_tsas
    }

    /// The JSON this root was parsed from.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The Rekor logs.
    pub fn tlogs(&self) -> &[TransparencyLog] {
        &self.tlogs
    }

    /// The Fulcio certificate authorities.
    pub fn certificate_authorities(&self) -> &[CertificateAuthority] {
        &self.certificate_authorities
    }

    /// The Certificate Transparency logs.
    pub fn ctlogs(&self) -> &[TransparencyLog] {
        &self.ctlogs
    }

    /// The RFC 3161 timestamp authorities (those with an empty chain left out).
    pub fn timestamp_authorities(&self) -> &[CertificateAuthority] {
        &self.timestamp_authorities
    }

    /// The Rekor logs with this log ID.
    pub fn tlogs_by_id<'a>(
        &'a self,
        log_id: &'a [u8],
    ) -> impl Iterator<Item = &'a TransparencyLog> {
        self.tlogs.iter().filter(move |l| l.log_id == log_id)
    }

    /// The CT logs with this log ID.
    pub fn ctlogs_by_id<'a>(
        &'a self,
        log_id: &'a [u8],
    ) -> impl Iterator<Item = &'a TransparencyLog> {
        self.ctlogs.iter().filter(move |l| l.log_id == log_id)
    }
}

/// A client trust config: a trusted root and a signing config.
#[derive(Clone, Debug)]
pub struct ClientTrustConfig {
    /// The trusted root.
    pub trusted_root: TrustedRoot,
    /// The signing config, if the document has one.
    pub signing_config: Option<SigningConfig>,
}

impl ClientTrustConfig {
    /// Parses a client trust config.
    ///
    /// # Errors
    /// As [`TrustedRoot::from_json`] and [`SigningConfig::from_json`].
    pub fn from_json(json: &[u8], provider: &Provider) -> Result<Self, Error> {
        let w: WireTrustConfig = parse_json(json, "client trust config")?;
        if w.media_type != CLIENT_TRUST_CONFIG_MEDIA_TYPE {
            return Err(Error::UnsupportedMediaType {
                media_type: w.media_type,
            });
        }
        let root_raw =
            serde_json::to_vec(&w.trusted_root).map_err(|source| Error::InvalidJson {
                what: "trusted root",
                source,
            })?;
        let signing_config = match &w.signing_config {
            None => None,
            Some(sc) => {
                let raw = serde_json::to_vec(sc).map_err(|source| Error::InvalidJson {
                    what: "signing config",
                    source,
                })?;
                Some(SigningConfig::from_json(&raw)?)
            }
        };
        Ok(Self {
            trusted_root: TrustedRoot::from_json(&root_raw, provider)?,
            signing_config,
        })
    }
}

/// One service endpoint of a signing config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The URL.
    pub url: String,
    /// The API major version (Rekor 1 or 2, Fulcio 1, TSA 1).
    pub major_api_version: u32,
    /// When the service may be used.
    pub valid_for: ValidityWindow,
    /// The operator.
    pub operator: String,
}

/// How many services of a kind a signer uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selector {
    /// All valid services.
    All,
    /// Any one.
    Any,
    /// Exactly this many.
    Exact(u32),
}

/// A signing config v0.2 (`application/vnd.dev.sigstore.signingconfig.v0.2+json`).
#[derive(Clone, Debug)]
pub struct SigningConfig {
    /// Fulcio instances.
    pub ca_urls: Vec<Service>,
    /// OIDC providers.
    pub oidc_urls: Vec<Service>,
    /// Rekor instances.
    pub rekor_tlog_urls: Vec<Service>,
    /// Timestamp authorities.
    pub tsa_urls: Vec<Service>,
    /// Rekor selection.
    pub rekor_selector: Selector,
    /// TSA selection.
    pub tsa_selector: Selector,
}

impl SigningConfig {
    /// Parses a signing config v0.2.
    ///
    /// # Errors
    /// [`Error::UnsupportedMediaType`] (including the legacy v0.1 format),
    /// [`Error::InvalidJson`], [`Error::InvalidField`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let w: WireSigningConfig = parse_json(json, "signing config")?;
        if w.media_type != SIGNING_CONFIG_MEDIA_TYPE {
            return Err(Error::UnsupportedMediaType {
                media_type: w.media_type,
            });
        }
        let services = |v: Vec<WireService>| {
            v.into_iter()
                .map(|s| {
                    Ok(Service {
                        url: s.url,
                        major_api_version: s.major_api_version,
                        valid_for: window(s.valid_for.as_ref())?,
                        operator: s.operator.unwrap_or_default(),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(Self {
            ca_urls: services(w.ca_urls)?,
            oidc_urls: services(w.oidc_urls)?,
            rekor_tlog_urls: services(w.rekor_tlog_urls)?,
            tsa_urls: services(w.tsa_urls)?,
            rekor_selector: selector(w.rekor_tlog_config.as_ref())?,
            tsa_selector: selector(w.tsa_config.as_ref())?,
        })
    }

    /// The services of `list` valid at `now` with one of `versions`, newest API first, one per
    /// operator, as sigstore-go and sigstore-python select them.
    pub fn select<'a>(list: &'a [Service], versions: &[u32], now: Timestamp) -> Vec<&'a Service> {
        let mut out: Vec<&Service> = Vec::new();
        for v in versions {
            for s in list {
                if s.major_api_version == *v
                    && s.valid_for.contains(now)
                    && !out.iter().any(|o| o.operator == s.operator)
                {
                    out.push(s);
                }
            }
        }
        out
    }
}

fn selector(c: Option<&WireServiceConfig>) -> Result<Selector, Error> {
    Ok(match c.map(|c| (c.selector.as_str(), c.count)) {
        None | Some(("ANY", _)) => Selector::Any,
        Some(("ALL", _)) => Selector::All,
        Some(("EXACT", Some(n))) if n > 0 => Selector::Exact(n),
        _ => return Err(Error::InvalidField { field: "selector" }),
    })
}

fn parse_json<'a, T: Deserialize<'a>>(json: &'a [u8], what: &'static str) -> Result<T, Error> {
    if json.len() > MAX_TRUST_ROOT_LEN {
        return Err(
            LimitExceeded::new("trust material JSON", MAX_TRUST_ROOT_LEN)
                .with_actual(json.len())
                .into(),
        );
    }
    serde_json::from_slice(json).map_err(|source| Error::InvalidJson { what, source })
}

fn window(w: Option<&WireWindow>) -> Result<ValidityWindow, Error> {
    let w = w.ok_or(Error::InvalidField { field: "validFor" })?;
    let start = w
        .start
        .as_deref()
        .and_then(Timestamp::parse_rfc3339)
        .ok_or(Error::InvalidField {
            field: "validFor.start",
        })?;
    let end = match w.end.as_deref() {
        None => None,
        Some(s) => Some(Timestamp::parse_rfc3339(s).ok_or(Error::InvalidField {
            field: "validFor.end",
        })?),
    };
    if end.is_some_and(|e| e < start) {
        return Err(Error::InvalidField { field: "validFor" });
    }
    Ok(ValidityWindow { start, end })
}

/// Parses a `PublicKey` message's key for `keyDetails`.
pub(crate) fn key_for_details(
    raw: &[u8],
    key_details: &str,
) -> Result<(PublicKey, SignatureScheme), Error> {
    let unsupported = || Error::UnsupportedKey {
        key_details: key_details.to_owned(),
    };
    let (scheme, pkcs1) = match key_details {
        "PKIX_ECDSA_P256_SHA_256" => (SignatureScheme::EcdsaP256Sha256, false),
        "PKIX_ECDSA_P384_SHA_384" => (SignatureScheme::EcdsaP384Sha384, false),
        "PKIX_ED25519" => (SignatureScheme::Ed25519, false),
        "PKCS1_RSA_PKCS1V5" => (SignatureScheme::RsaPkcs1v15Sha256, true),
        "PKIX_RSA_PKCS1V5"
        | "PKIX_RSA_PKCS1V15_2048_SHA256"
        | "PKIX_RSA_PKCS1V15_3072_SHA256"
        | "PKIX_RSA_PKCS1V15_4096_SHA256" => (SignatureScheme::RsaPkcs1v15Sha256, false),
        _ => return Err(unsupported()),
    };
    let key = if pkcs1 {
        PublicKey::from_pkcs1_der(raw)
    } else {
        PublicKey::from_spki_der(raw)
    }
    .map_err(|_| unsupported())?;
    if key.algorithm() != scheme.key_algorithm() {
        return Err(unsupported());
    }
    Ok((key, scheme))
}

fn log(w: WireLog) -> Result<TransparencyLog, Error> {
    let raw = w
        .public_key
        .raw_bytes
        .as_deref()
        .and_then(|s| b64(s, MAX_CERT_DER_LEN))
        .ok_or(Error::InvalidField {
            field: "publicKey.rawBytes",
        })?;
    let (key, scheme) = key_for_details(&raw, &w.public_key.key_details)?;
    if w.hash_algorithm.as_deref().is_some_and(|h| h != "SHA2_256") {
        return Err(Error::InvalidField {
            field: "hashAlgorithm",
        });
    }
    let log_id = b64(&w.log_id.key_id, 64).ok_or(Error::InvalidField {
        field: "logId.keyId",
    })?;
    Ok(TransparencyLog {
        base_url: w.base_url,
        key,
        scheme,
        log_id,
        valid_for: window(w.public_key.valid_for.as_ref())?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a JSON object with a mediaType")]
struct Probe {
    media_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a trusted root object")]
struct WireRoot {
    media_type: String,
    #[serde(default)]
    tlogs: Vec<WireLog>,
    #[serde(default)]
    certificate_authorities: Vec<WireCa>,
    #[serde(default)]
    ctlogs: Vec<WireLog>,
    #[serde(default)]
    timestamp_authorities: Vec<WireCa>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a transparency log object")]
struct WireLog {
    base_url: String,
    hash_algorithm: Option<String>,
    public_key: WirePublicKey,
    log_id: WireLogId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a publicKey object")]
struct WirePublicKey {
    raw_bytes: Option<String>,
    key_details: String,
    valid_for: Option<WireWindow>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a logId object")]
pub(crate) struct WireLogId {
    pub(crate) key_id: String,
}

#[derive(Deserialize)]
#[serde(expecting = "a validFor object")]
struct WireWindow {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a certificate authority object")]
struct WireCa {
    uri: Option<String>,
    cert_chain: WireChain,
    valid_for: Option<WireWindow>,
}

#[derive(Deserialize)]
#[serde(expecting = "a certChain object")]
struct WireChain {
    #[serde(default)]
    certificates: Vec<WireRaw>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object with rawBytes")]
struct WireRaw {
    raw_bytes: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a client trust config object")]
struct WireTrustConfig {
    media_type: String,
    trusted_root: serde_json::Value,
    signing_config: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a signing config object")]
struct WireSigningConfig {
    media_type: String,
    #[serde(default)]
    ca_urls: Vec<WireService>,
    #[serde(default)]
    oidc_urls: Vec<WireService>,
    #[serde(default)]
    rekor_tlog_urls: Vec<WireService>,
    #[serde(default)]
    tsa_urls: Vec<WireService>,
    rekor_tlog_config: Option<WireServiceConfig>,
    tsa_config: Option<WireServiceConfig>,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a service object (url, majorApiVersion, validFor, operator)"
)]
struct WireService {
    url: String,
    #[serde(deserialize_with = "super::uint32::de")]
    major_api_version: u32,
    valid_for: Option<WireWindow>,
    operator: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "a service configuration object (selector, count)")]
struct WireServiceConfig {
    selector: String,
    #[serde(default, deserialize_with = "super::uint32::de_opt")]
    count: Option<u32>,
}
