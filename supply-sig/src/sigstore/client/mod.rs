//! Keyless Sigstore signing over the network (feature `sigstore-client`): an ephemeral P-256
//! key, a Fulcio certificate for an OIDC identity token, a Rekor v1 entry and optionally RFC 3161
//! timestamps, assembled into a v0.3 bundle.
//!
//! This is the I/O layer: it fetches bounded bytes and decides nothing. Before a bundle is
//! returned it is verified with [`verify::verify`] against the caller's trusted root, for the
//! identity in the certificate Fulcio issued, requiring every log entry and timestamp the signer
//! obtained; a service answering with anything the trusted root does not vouch for makes
//! signing fail ([`Error::Untrusted`]).
//!
//! Endpoints come from a signing config ([`Endpoints::from_signing_config`]), newest Rekor API
//! first. Rekor v2 entries carry no signed entry timestamp, so signing with a v2 log needs a
//! TSA as well.
//!
//! ```no_run
//! # async fn demo(cfg: &[u8], root: &[u8], token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::sigstore::client::{Client, Endpoints, IdentityToken};
//! use supply_sig::sigstore::trust_root::{SigningConfig, TrustedRoot};
//! use supply_sig::time::Timestamp;
//!
//! let config = SigningConfig::from_json(cfg)?;
//! let now = Timestamp::from(std::time::SystemTime::now());
//! let endpoints = Endpoints::from_signing_config(&config, now)?;
//! let client = Client::new(endpoints, TrustedRoot::from_json(root, &RUSTCRYPTO)?, &RUSTCRYPTO)?;
//! let bundle = client.sign_message(&IdentityToken::parse(token)?, b"artifact").await?;
//! std::fs::write("artifact.sigstore.json", bundle.raw())?;
//! # Ok(()) }
//! ```

pub mod ambient;
mod fulcio;
mod http;
mod rekor;
mod tsa;

use serde_json::{json, Value};

pub use super::service::IdentityToken;
pub use tsa::TimestampRequestFormat;

use super::bundle::Bundle;
use super::service;
use super::sign::{assemble, SignedContent};
use super::trust_root::{Selector, Service, SigningConfig, TrustedRoot};
use super::verify::{self, Artifact, Policy, IN_TOTO_PAYLOAD_TYPE};
use crate::crypto::Provider;
use crate::digest::{Algorithm, Digest};
use crate::key::KeyAlgorithm;
use crate::limits::LimitExceeded;
use crate::sign::{KeySigner, SignatureScheme};
use crate::time::Timestamp;

/// Errors from keyless signing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signing config names no usable service of this kind.
    #[error("the signing config names no usable {service}")]
    ConfigNoService {
        /// `Fulcio (API v1)`, `Rekor (API v1)`.
        service: &'static str,
    },
    /// The payload to sign as DSSE is not a usable in-toto statement.
    #[error("invalid in-toto statement: {reason}")]
    ConfigStatement {
        /// Why.
        reason: &'static str,
    },
    /// A request failed, was answered with an error status or an oversized body, or the HTTP
    /// client could not be built: see [`crate::http::Error`].
    #[error(transparent)]
    Http(#[from] crate::http::Error),
    /// An input or response exceeded a limit of [`crate::limits`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// A service's answer (or the identity token) does not parse: see [`service::Error`].
    #[error(transparent)]
    Service(#[from] service::Error),
    /// The identity token would go to a Fulcio URL that is neither `https` nor plain `http`
    /// to a loopback host (`localhost`, 127.0.0.0/8, `::1`): a bearer credential is never sent
    /// in plaintext over a network.
    #[error(
        "refusing to send the identity token to {url}: only https, or plain http to a \
         loopback host"
    )]
    InsecureUrl {
        /// The Fulcio URL.
        url: String,
    },
    /// The TSA's response does not parse.
    #[error("invalid timestamp response")]
    InvalidTimestamp(#[source] super::tsa::Error),
    /// The DER timestamp request could not be encoded.
    #[error("encoding the timestamp request failed")]
    TimestampRequest(#[source] der::Error),
    /// The TSA's response does not carry the nonce of our request: it answers another request
    /// (a replay, or a TSA that ignores nonces).
    #[error("the timestamp from {url} does not carry the nonce of the request")]
    TimestampNonceMismatch {
        /// The TSA URL.
        url: String,
    },
    /// The ephemeral key could not be made.
    #[error("generating the ephemeral key failed")]
    Crypto(#[from] crate::crypto::Error),
    /// Signing with the ephemeral key failed.
    #[error("signing failed")]
    Sign(#[from] crate::sign::Error),
    /// The bundle could not be assembled.
    #[error("assembling the bundle failed")]
    Bundle(#[from] super::sign::Error),
    /// The finished bundle does not verify against the trusted root: a service answered with
    /// material the root does not vouch for (or the signer is broken).
    #[error("the signed bundle does not verify against the trusted root")]
    Untrusted(#[source] verify::Error),
}

/// How long one request may take, body included: 2 minutes. A hostile or stuck service must
/// not hold the signer forever; Rekor v2 answers only once the entry is in a checkpoint, which
/// rekor-tiles' client notes (CLIENTS.md) can take tens of seconds.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The services one signing uses, picked from a signing config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Fulcio base URL.
    pub fulcio: String,
    /// Rekor base URLs with their API major version, 1 or 2 (one entry is uploaded to each).
    pub rekor: Vec<(String, u32)>,
    /// TSA URLs, used as they are (`…/api/v1/timestamp`); may be empty.
    pub tsa: Vec<String>,
}

impl Endpoints {
    /// Picks the services of `config` valid at `now`: the first Fulcio (API v1), Rekor logs (API
    /// v2 preferred over v1, one per operator) and TSAs as the config's selectors say (`ANY`:
    /// one, `EXACT n`: n, `ALL`: every one).
    ///
    /// # Errors
    /// [`Error::ConfigNoService`] when no Fulcio or no Rekor log is valid, fewer than an `EXACT`
    /// selector asks for, or a Rekor v2 log is chosen without a TSA.
    pub fn from_signing_config(config: &SigningConfig, now: Timestamp) -> Result<Self, Error> {
        let fulcio = SigningConfig::select(&config.ca_urls, &[1], now)
            .first()
            .map(|s| s.url.clone())
            .ok_or(Error::ConfigNoService {
                service: "Fulcio (API v1)",
            })?;
        let pick = |list: &[Service],
                    versions: &[u32],
                    sel: Selector,
                    service: &'static str,
                    required: bool| {
            let valid = SigningConfig::select(list, versions, now);
            let n = match sel {
                Selector::All => valid.len(),
                Selector::Any => valid.len().min(1),
                Selector::Exact(n) => usize::try_from(n).unwrap_or(usize::MAX),
            };
            if valid.len() < n || (required && n == 0) {
                return Err(Error::ConfigNoService { service });
            }
            Ok(valid
                .iter()
                .take(n)
                .map(|s| (s.url.clone(), s.major_api_version))
                .collect::<Vec<_>>())
        };
        let rekor = pick(
            &config.rekor_tlog_urls,
            &[2, 1],
            config.rekor_selector,
            "Rekor (API v2 or v1)",
            true,
        )?;
        let tsa: Vec<String> = pick(
            &config.tsa_urls,
            &[1],
            config.tsa_selector,
            "TSA (API v1)",
            false,
        )?
        .into_iter()
        .map(|(url, _)| url)
        .collect();
        if tsa.is_empty() && rekor.iter().any(|(_, v)| *v == 2) {
            return Err(Error::ConfigNoService {
                service: "TSA (Rekor v2 entries need a signed timestamp)",
            });
        }
        Ok(Self { fulcio, rekor, tsa })
    }
}

/// A keyless signer: endpoints, the trusted root its bundles must verify against, a crypto
/// provider and an HTTP client.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
    root: TrustedRoot,
    provider: &'static Provider,
    tsa_format: TimestampRequestFormat,
}

impl Client {
    /// A client on the shared HTTPS client ([`crate::http::HttpOptions`]: the platform's
    /// roots) whose requests time out after [`DEFAULT_TIMEOUT`] and that follows redirects only
    /// to `https` or loopback URLs (a 307/308 resends the POST body, the identity token with
    /// it).
    ///
    /// # Errors
    /// [`Error::Http`] when the HTTP client cannot be built (no root certificates).
    pub fn new(
        endpoints: Endpoints,
        root: TrustedRoot,
        provider: &'static Provider,
    ) -> Result<Self, Error> {
        Self::with_http_options(endpoints, root, provider, &Self::default_http_options())
    }

    /// The HTTP options of [`Client::new`]: the platform's roots, 10 s to connect and
    /// [`DEFAULT_TIMEOUT`] to read and in all. Add a private CA to them and pass them to
    /// [`Client::with_http_options`].
    pub fn default_http_options() -> crate::http::HttpOptions {
        use crate::http::{HttpOptions, Timeouts};
        HttpOptions::new()
            .with_timeouts(Timeouts::new(
                Timeouts::DEFAULT_CONNECT,
                DEFAULT_TIMEOUT,
                DEFAULT_TIMEOUT,
            ))
            .with_confidential_redirects()
    }

    /// A client whose HTTP client is built from `options` (private CAs, timeouts). Redirects
    /// are followed only to `https` or loopback URLs whatever `options` say.
    ///
    /// # Errors
    /// [`Error::Http`] when the HTTP client cannot be built.
    pub fn with_http_options(
        endpoints: Endpoints,
        root: TrustedRoot,
        provider: &'static Provider,
        options: &crate::http::HttpOptions,
    ) -> Result<Self, Error> {
        Ok(Self {
            http: options.clone().with_confidential_redirects().build()?,
            endpoints,
            root,
            provider,
            tsa_format: TimestampRequestFormat::default(),
        })
    }

    /// Uses `http` for every request (timeouts, proxies, TLS roots).
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Requests timestamps in `format` (default [`TimestampRequestFormat::Json`]).
    pub fn with_timestamp_request_format(mut self, format: TimestampRequestFormat) -> Self {
        self.tsa_format = format;
        self
    }

    /// The HTTP client this signer uses (also for [`ambient::detect`]).
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// Signs `artifact` and returns a verified v0.3 bundle with a message signature.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Untrusted`] when the result does not verify.
    pub async fn sign_message(
        &self,
        token: &IdentityToken,
        artifact: &[u8],
    ) -> Result<Bundle, Error> {
        self.sign(token, Payload::Message(artifact)).await
    }

    /// Signs an artifact known by its SHA-256 `digest` (hashed by the caller while reading it,
    /// so that a large file need not be in memory) and returns the same verified bundle as
    /// [`Client::sign_message`] would for the artifact.
    ///
    /// # Errors
    /// As [`Client::sign_message`]; [`Error::Sign`] for a digest other than SHA-256 (the
    /// ephemeral key signs ECDSA P-256 with SHA-256).
    pub async fn sign_message_digest(
        &self,
        token: &IdentityToken,
        digest: &Digest,
    ) -> Result<Bundle, Error> {
        self.sign(token, Payload::MessageDigest(digest)).await
    }

    /// Signs an in-toto statement as a DSSE envelope (`application/vnd.in-toto+json`) and
    /// returns a verified v0.3 bundle. The statement must name a SHA-256 subject, which the
    /// self-verification checks.
    ///
    /// # Errors
    /// [`Error::ConfigStatement`], and as [`Client::sign_message`].
    pub async fn sign_in_toto(
        &self,
        token: &IdentityToken,
        statement: &[u8],
    ) -> Result<Bundle, Error> {
        self.sign(token, Payload::InToto(statement)).await
    }

    async fn sign(&self, token: &IdentityToken, payload: Payload<'_>) -> Result<Bundle, Error> {
        let p = self.provider;
        if !http::credential_url_allowed(&self.endpoints.fulcio) {
            return Err(Error::InsecureUrl {
                url: self.endpoints.fulcio.clone(),
            });
        }
        // Checked before any request: a statement we could not verify is not worth logging.
        let subject = match payload {
            Payload::InToto(s) => Some(statement_subject(s)?),
            Payload::Message(_) | Payload::MessageDigest(_) => None,
        };
        let key = (p.sign).generate(KeyAlgorithm::EcdsaP256)?;
        let signer = KeySigner::new(&key, SignatureScheme::EcdsaP256Sha256, p)?;
        let cert =
            fulcio::signing_certificate(&self.http, &self.endpoints.fulcio, token, &signer).await?;
        let cert_pem = cert.to_pem();

        // What the logs record: Rekor v1 a hashedrekord over the artifact's digest, or the
        // DSSE envelope itself; Rekor v2 a hashedrekord over the artifact's digest, or over
        // SHA-256 of the DSSE PAE (as sigstore-python does).
        let (content, envelope_text, digest) = match payload {
            Payload::Message(a) => (
                SignedContent::message(a, &signer, p)?,
                None,
                p.hash.digest(Algorithm::Sha256, a),
            ),
            Payload::MessageDigest(d) => (
                SignedContent::message_signature(
                    d,
                    crate::sign::Signer::try_sign_prehashed(&signer, d)?,
                ),
                None,
                *d,
            ),
            Payload::InToto(s) => {
                let c = SignedContent::dsse(IN_TOTO_PAYLOAD_TYPE, s, &signer)?;
                let text = c.json.to_string();
                let pae = crate::dsse::pae(IN_TOTO_PAYLOAD_TYPE, s);
                (c, Some(text), p.hash.digest(Algorithm::Sha256, &pae))
            }
        };
        let proposal = match &envelope_text {
            Some(envelope) => rekor::Proposal::Dsse { envelope },
            None => rekor::Proposal::HashedRekord {
                sha256: digest.as_bytes(),
                signature: &content.signature,
            },
        };
        let proposal_v2 = rekor::ProposalV2 {
            sha256: digest.as_bytes(),
            signature: &content.signature,
        };

        let sig_sha256 = p.hash.digest(Algorithm::Sha256, &content.signature);
        let mut timestamps = Vec::new();
        for url in &self.endpoints.tsa {
            timestamps.push(
                tsa::timestamp(&self.http, url, self.tsa_format, sig_sha256.as_bytes()).await?,
            );
        }
        let mut entries: Vec<Value> = Vec::new();
        for (base, version) in &self.endpoints.rekor {
            entries.push(match version {
                2 => rekor::upload_v2(&self.http, base, &proposal_v2, cert.der()).await?,
                _ => rekor::upload(&self.http, base, &proposal, &cert_pem).await?,
            });
        }
        let material = json!({"certificate": {"rawBytes": super::b64_encode(cert.der())}});
        let bundle = assemble(&material, &entries, &timestamps, &content)?;

        // Fail closed: the bundle must verify for the identity Fulcio certified, with every
        // log entry and timestamp we were given.
        let fulcio_invalid = |reason| service::Error::InvalidResponse {
            service: "Fulcio",
            reason,
        };
        let identity = super::fulcio::identity(&cert)
            .map_err(|_| fulcio_invalid("the certificate carries no Fulcio identity"))?;
        let issuer = identity
            .issuer
            .clone()
            .ok_or(fulcio_invalid("the certificate names no OIDC issuer"))?;
        let policy = Policy::identity(identity.san.as_str(), issuer)
            .with_timestamp_threshold(timestamps.len());
        // What this signer asked for is what the bundle must prove: every log it wrote to (a
        // signing config may name no log, the time then coming from the TSAs).
        let policy = match entries.len() {
            0 => policy.insecure_ignore_tlog(),
            n => policy.with_tlog_threshold(n).map_err(Error::Untrusted)?,
        };
        let artifact = match (&payload, &subject) {
            (Payload::Message(a), _) => Artifact::Bytes(a),
            (Payload::MessageDigest(d), _) => Artifact::Digest(d),
            (Payload::InToto(_), Some(d)) => Artifact::Digest(d),
            (Payload::InToto(_), None) => {
                return Err(Error::ConfigStatement {
                    reason: "no SHA-256 subject",
                })
            }
        };
        verify::verify(&bundle, artifact, &policy, &self.root, p).map_err(Error::Untrusted)?;
        Ok(bundle)
    }
}

#[derive(Clone, Copy)]
enum Payload<'a> {
    Message(&'a [u8]),
    MessageDigest(&'a Digest),
    InToto(&'a [u8]),
}

/// The first SHA-256 subject digest of an in-toto statement.
fn statement_subject(statement: &[u8]) -> Result<Digest, Error> {
    let bad = |reason| Error::ConfigStatement { reason };
    let v: Value = serde_json::from_slice(statement).map_err(|_| bad("not JSON"))?;
    let subjects = v
        .get("subject")
        .and_then(Value::as_array)
        .ok_or(bad("no subject list"))?;
    subjects
        .iter()
        .find_map(|s| s.get("digest")?.get("sha256")?.as_str())
        .ok_or(bad("no SHA-256 subject"))
        .and_then(|hex| {
            Digest::parse(&format!("sha256:{hex}")).map_err(|_| bad("malformed SHA-256 subject"))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config(rekor: &str, tsa: &str) -> SigningConfig {
        let json = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls":[{}],"oidcUrls":[],"rekorTlogUrls":[{rekor}],"tsaUrls":[{tsa}],
                "rekorTlogConfig":{{"selector":"ANY"}},"tsaConfig":{{"selector":"ANY"}}}}"#,
            svc("http://fulcio", 1, "a")
        );
        SigningConfig::from_json(json.as_bytes()).unwrap()
    }

    fn svc(url: &str, v: u32, op: &str) -> String {
        format!(
            r#"{{"url":"{url}","majorApiVersion":{v},"validFor":{{"start":"2020-01-01T00:00:00Z"}},"operator":"{op}"}}"#
        )
    }

    fn now() -> Timestamp {
        Timestamp::from_unix(1_800_000_000)
    }

    #[test]
    fn rekor_v2_is_preferred_and_needs_a_tsa() {
        let both = format!("{},{}", svc("http://r1", 1, "x"), svc("http://r2", 2, "x"));
        let tsa = svc("http://tsa/api/v1/timestamp", 1, "x");
        let e = Endpoints::from_signing_config(&config(&both, &tsa), now()).unwrap();
        assert_eq!(e.fulcio, "http://fulcio");
        assert_eq!(e.rekor, vec![("http://r2".to_owned(), 2)]);
        assert_eq!(e.tsa, vec!["http://tsa/api/v1/timestamp".to_owned()]);
        assert!(matches!(
            Endpoints::from_signing_config(&config(&both, ""), now()),
            Err(Error::ConfigNoService { .. })
        ));
        let v1 = svc("http://r1", 1, "x");
        let e = Endpoints::from_signing_config(&config(&v1, ""), now()).unwrap();
        assert_eq!(e.rekor, vec![("http://r1".to_owned(), 1)]);
        assert!(e.tsa.is_empty());
    }

    #[test]
    fn no_valid_rekor_is_a_config_error() {
        let future = r#"{"url":"http://r","majorApiVersion":1,"validFor":{"start":"2099-01-01T00:00:00Z"},"operator":"x"}"#;
        assert!(matches!(
            Endpoints::from_signing_config(&config(future, ""), now()),
            Err(Error::ConfigNoService { .. })
        ));
        assert!(matches!(
            Endpoints::from_signing_config(&config(&svc("http://r", 3, "x"), ""), now()),
            Err(Error::ConfigNoService { .. })
        ));
    }

    #[test]
    fn identity_tokens_never_go_over_plaintext() {
        let root = TrustedRoot::from_json(
            &supply_testkit::read("sigstore/trust/staging/trusted_root.json"),
            crate::crypto::default_provider(),
        )
        .unwrap();
        let token = IdentityToken::parse(&supply_testkit::sigstore_mock::unsigned_jwt(
            &json!({"sub": "someone", "iss": "https://issuer.test"}),
        ))
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for fulcio in [
            "http://fulcio.sigstore.dev",
            "http://10.0.0.1:5555",
            "ftp://localhost",
        ] {
            let endpoints = Endpoints {
                fulcio: fulcio.to_owned(),
                // Never reached: the refusal comes first.
                rekor: vec![("http://127.0.0.1:1".to_owned(), 1)],
                tsa: Vec::new(),
            };
            let client =
                Client::new(endpoints, root.clone(), crate::crypto::default_provider()).unwrap();
            let e = rt
                .block_on(client.sign_message(&token, b"artifact"))
                .unwrap_err();
            assert!(
                matches!(&e, Error::InsecureUrl { url } if url == fulcio),
                "{fulcio}: {e:?}"
            );
        }
        // Loopback over plain http passes the check (and fails later, on the closed port).
        let endpoints = Endpoints {
            fulcio: "http://127.0.0.1:1".to_owned(),
            rekor: vec![("http://127.0.0.1:1".to_owned(), 1)],
            tsa: Vec::new(),
        };
        let client = Client::new(endpoints, root, crate::crypto::default_provider()).unwrap();
        let e = rt
            .block_on(client.sign_message(&token, b"artifact"))
            .unwrap_err();
        assert!(matches!(e, Error::Http(_)), "{e:?}");
    }

    #[test]
    fn statement_subject_needs_sha256() {
        let ok = br#"{"subject":[{"name":"a","digest":{"sha512":"00"}},{"name":"b","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}]}"#;
        assert!(statement_subject(ok).is_ok());
        for bad in [
            &br#"{"subject":[{"digest":{"sha512":"00"}}]}"#[..],
            br#"{"subject":[{"digest":{"sha256":"zz"}}]}"#,
            br#"{}"#,
            b"not json",
        ] {
            assert!(matches!(
                statement_subject(bad),
                Err(Error::ConfigStatement { .. })
            ));
        }
    }
}
