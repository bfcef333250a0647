//! The registry client (feature `client`): the distribution-spec v1.1 API over the shared HTTP
//! client of `supply_sig::http`, with authentication from [`crate::auth`].
//!
//! - **Transport**: `https`, except plain `http` for loopback registries (`127.0.0.1`,
//!   `localhost`, `::1`, as crane) and registries named in [`Options::with_plain_http`];
//!   [`Options::with_https`] keeps a loopback registry on `https`.
//! - **Auth**: anonymous, basic and bearer tokens per repository scope (plus `pull` on the
//!   source of a mount), cached until they expire ([`crate::auth::TokenCache`]); credentials
//!   come from a [`Credentials`] source (a fixed set, docker's `config.json`).
//!   `Authorization` never follows a redirect to another host (`supply_sig::http` builds
//!   the client; reqwest drops the header when a redirect leaves the origin).
//! - **Reads are bounded** by what we accept: manifests by [`Limits::max_manifest_len`], blobs
//!   by their descriptor's size, tag and referrer pages by count and bytes. Blob bodies are
//!   hashed as they stream; a manifest's digest is checked against the digest asked for, the
//!   `Docker-Content-Digest` header and the body.
//! - **Retries** with exponential backoff (honouring `Retry-After`) on 429 and 5xx, for
//!   idempotent requests only (`GET`, `HEAD`, `PUT` of a manifest, `DELETE`).
//! - **Referrers** ([`referrers`]): the Referrers API with Link paging, and the tag-schema
//!   fallback (`sha256-<hex>`) for registries without it, read and written.
//!
//! Nothing here decides whether content is trusted: the client hands verified bytes
//! (digest-checked) to the caller; signatures and policies are verified elsewhere.

pub mod referrers;

use std::collections::HashMap;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode, Url};
use supply_sig::digest::{Digest, Hasher};
use supply_sig::http::HttpOptions;
use supply_sig::time::Timestamp;

use crate::auth::challenge::{self, BearerChallenge};
use crate::auth::{self, Credential, ScopeSet};
use crate::descriptor::Descriptor;
use crate::limits::{
    LimitExceeded, MAX_ERROR_BODY_LEN, MAX_MANIFEST_LEN, MAX_TAGS, MAX_TAG_PAGES, MAX_TAG_PAGE_LEN,
};
use crate::manifest::{self, Manifest};
use crate::media_type;
use crate::reference::Reference;

pub use referrers::{Referrers, SkipReason, Skipped, MAX_CONCURRENT_FETCHES};

/// The manifest types asked for with every manifest request. Without them, distribution 2.8
/// turns Docker schema 2 into signed schema 1.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.list.v2+json";

/// The header a registry answers a digest with.
pub const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";

/// Errors of the registry client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The HTTP client could not be built, or a request failed in transport (a timeout, a
    /// refused connection, a TLS failure, a broken body).
    #[error("the HTTP request failed")]
    Http(#[source] supply_sig::http::Error),
    /// Authentication failed before the request could be sent (challenge, realm, token).
    #[error("authenticating to {registry}")]
    Auth {
        /// The registry host.
        registry: String,
        /// What failed.
        #[source]
        source: auth::Error,
    },
    /// The registry refused the credentials (or asked for credentials there are none of).
    #[error("{method} {url}: unauthorized (HTTP {status})")]
    Unauthorized {
        /// The method.
        method: Method,
        /// The URL (at most 256 characters).
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// The registry answered with a status the operation does not accept.
    #[error("{method} {url} answered HTTP {status}{}", codes_suffix(.codes))]
    Status {
        /// The method.
        method: Method,
        /// The URL (at most 256 characters).
        url: String,
        /// The status code.
        status: u16,
        /// The distribution error codes of the body (`MANIFEST_UNKNOWN`), at most 8.
        codes: Vec<String>,
    },
    /// A body was larger than we accept.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Content does not hash to the digest it was asked for (or that its descriptor names).
    #[error("{what}: the content's digest is {}, expected {}", .digests.actual, .digests.expected)]
    DigestMismatch {
        /// What was read.
        what: &'static str,
        /// The digests (boxed: two digests would make every `Result` large).
        digests: Box<Mismatch>,
    },
    /// The registry's `Docker-Content-Digest` disagrees with the content or the request.
    #[error("the registry's Docker-Content-Digest {header} does not match {expected}")]
    HeaderDigestMismatch {
        /// The header value (at most 256 characters).
        header: String,
        /// The digest of the content (or the one asked for).
        expected: Digest,
    },
    /// A blob ended before its descriptor's size.
    #[error("{what}: {actual} bytes arrived, expected {expected}")]
    SizeMismatch {
        /// What was read.
        what: &'static str,
        /// The size of the descriptor.
        expected: u64,
        /// The bytes that arrived.
        actual: u64,
    },
    /// A manifest that does not parse (or does not match its declared type).
    #[error("the manifest from {url}")]
    Manifest {
        /// The URL (at most 256 characters).
        url: String,
        /// Why.
        #[source]
        source: manifest::Error,
    },
    /// A JSON answer (tag list, referrers page) that is not of the expected shape.
    #[error("{what} from {url} is not the expected JSON")]
    Json {
        /// What was read.
        what: &'static str,
        /// The URL (at most 256 characters).
        url: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A paged listing went on longer than the page cap.
    #[error("{what}: more than {limit} pages")]
    TooManyPages {
        /// The listing.
        what: &'static str,
        /// The cap.
        limit: usize,
    },
    /// A `Location` or `Link` header that is missing, does not parse, or leaves the registry.
    #[error("{what} header {value:?} from {url} is missing, malformed or leaves the registry")]
    BadHeader {
        /// `Location` or `Link`.
        what: &'static str,
        /// The value (at most 256 characters; empty when missing).
        value: String,
        /// The URL of the response (at most 256 characters).
        url: String,
    },
    /// A referrers tag points at something that is not an image index.
    #[error("the referrers tag {tag} is a {kind}, not an image index")]
    NotAnIndex {
        /// The fallback tag.
        tag: String,
        /// What it is.
        kind: manifest::Kind,
    },
    /// The referrers tag kept changing under concurrent writers.
    #[error("the referrers tag {tag} changed under us {attempts} times")]
    Conflict {
        /// The fallback tag.
        tag: String,
        /// Attempts made.
        attempts: usize,
    },
    /// The operation needs a reference with a digest (`name@sha256:…`).
    #[error("{reference} has no digest")]
    NoDigest {
        /// The reference.
        reference: String,
    },
    /// The manifest to attach or delete as a referrer has no `subject`.
    #[error("the manifest {digest} has no subject")]
    NoSubject {
        /// The manifest.
        digest: Digest,
    },
    /// Reading the content to upload failed.
    #[error("reading the content to upload")]
    Read(#[source] std::io::Error),
    /// A blob sink refused the bytes.
    #[error("writing a blob")]
    Write(#[source] std::io::Error),
}

/// The digest content should have and the one it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The digest asked for.
    pub expected: Digest,
    /// The digest of what arrived.
    pub actual: Digest,
}

fn codes_suffix(codes: &[String]) -> String {
    if codes.is_empty() {
        String::new()
    } else {
        format!(" ({})", codes.join(", "))
    }
}

impl Error {
    /// The HTTP status of a [`Error::Status`] or [`Error::Unauthorized`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Unauthorized { status, .. } => Some(*status),
            Self::Http(supply_sig::http::Error::Status { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// Whether the registry said the thing does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

impl From<supply_sig::http::Error> for Error {
    fn from(e: supply_sig::http::Error) -> Self {
        http_error(e)
    }
}

fn http_error(e: supply_sig::http::Error) -> Error {
    match e {
        supply_sig::http::Error::LimitExceeded(l) => Error::LimitExceeded(l),
        other => Error::Http(other),
    }
}

/// Caps on what one operation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest manifest read: [`MAX_MANIFEST_LEN`].
    pub max_manifest_len: usize,
    /// Most pages of a tag listing: [`MAX_TAG_PAGES`].
    pub max_tag_pages: usize,
    /// Most tags of one listing: [`MAX_TAGS`].
    pub max_tags: usize,
    /// Most pages of a referrers listing:
    /// [`MAX_REFERRER_PAGES`](crate::limits::MAX_REFERRER_PAGES).
    pub max_referrer_pages: usize,
    /// Most referrers of one subject:
    /// [`MAX_REFERRERS`](crate::limits::MAX_REFERRERS).
    pub max_referrers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_manifest_len: MAX_MANIFEST_LEN,
            max_tag_pages: MAX_TAG_PAGES,
            max_tags: MAX_TAGS,
            max_referrer_pages: crate::limits::MAX_REFERRER_PAGES,
            max_referrers: crate::limits::MAX_REFERRERS,
        }
    }
}

/// How requests are retried: on 429 and 5xx, idempotent requests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retry {
    /// Retries after the first attempt (0: none). Default 3.
    pub retries: u32,
    /// The first wait; it doubles with every retry. Default 250 ms.
    pub base_delay: Duration,
    /// The longest wait, also for `Retry-After`. Default 10 s.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl Retry {
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX));
        retry_after.unwrap_or(exp).min(self.max_delay)
    }
}

/// Where credentials for a registry come from.
pub trait Credentials: Send + Sync {
    /// The credential for `registry` (`host[:port]`), or `None` for anonymous access.
    ///
    /// # Errors
    /// [`auth::Error`] when the source cannot be read (a broken `config.json`, a failing
    /// credential helper).
    fn credential(&self, registry: &str) -> Result<Option<Credential>, auth::Error>;
}

/// No credentials: anonymous access everywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anonymous;

impl Credentials for Anonymous {
    fn credential(&self, _registry: &str) -> Result<Option<Credential>, auth::Error> {
        Ok(None)
    }
}

/// A fixed credential per registry (`host[:port]`).
#[derive(Debug, Clone, Default)]
pub struct StaticCredentials(HashMap<String, Credential>);

impl StaticCredentials {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `credential` for `registry`.
    #[must_use]
    pub fn with(mut self, registry: &str, credential: Credential) -> Self {
        self.0.insert(registry.to_owned(), credential);
        self
    }
}

impl Credentials for StaticCredentials {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, auth::Error> {
        Ok(self.0.get(registry).cloned())
    }
}

/// Docker's `config.json` with its credential helpers.
#[derive(Debug)]
pub struct DockerConfigCredentials {
    config: auth::DockerConfig,
    helpers: auth::DockerCredentialHelper,
}

impl DockerConfigCredentials {
    /// Credentials from `config`, running helpers with `helpers`.
    pub fn new(config: auth::DockerConfig, helpers: auth::DockerCredentialHelper) -> Self {
        Self { config, helpers }
    }
}

impl Credentials for DockerConfigCredentials {
    fn credential(&self, registry: &str) -> Result<Option<Credential>, auth::Error> {
        self.config.credential(registry, &self.helpers)
    }
}

/// How to build a [`Client`].
#[derive(Debug, Clone)]
pub struct Options {
    http: HttpOptions,
    schemes: Vec<(String, bool)>,
    retry: Retry,
    limits: Limits,
    chunk_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// Default size of the chunks of a chunked upload: 8 MiB.
pub const DEFAULT_CHUNK_SIZE: usize = 8 * 1024 * 1024;

impl Options {
    /// Default HTTP options (platform roots, default timeouts), default retries and limits.
    pub fn new() -> Self {
        Self {
            http: HttpOptions::new(),
            schemes: Vec::new(),
            retry: Retry::default(),
            limits: Limits::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// The HTTP client options (roots, CA files, timeouts).
    #[must_use]
    pub fn with_http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// Talk plain `http` to `registry` (`host[:port]`, as in references). Loopback registries
    /// get `http` without this.
    #[must_use]
    pub fn with_plain_http(mut self, registry: &str) -> Self {
        self.schemes.push((registry.to_owned(), false));
        self
    }

    /// Talk `https` to `registry`, also when it is a loopback address.
    #[must_use]
    pub fn with_https(mut self, registry: &str) -> Self {
        self.schemes.push((registry.to_owned(), true));
        self
    }

    /// Other retry settings.
    #[must_use]
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The chunk size of [`Client::push_blob_chunked`] (at least 1 byte).
    #[must_use]
    pub fn with_chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size.max(1);
        self
    }
}

#[derive(Debug, Clone)]
enum HostAuth {
    /// No challenge seen yet.
    Unknown,
    /// `Basic`.
    Basic,
    /// `Bearer` with this challenge.
    Bearer(BearerChallenge),
}

#[derive(Debug, Clone)]
struct HostState {
    auth: HostAuth,
    credential: Option<Option<Credential>>,
}

/// A registry client. Cheap to share behind an `Arc`; it caches per registry the scheme, the
/// auth challenge, tokens and whether the Referrers API is there.
pub struct Client {
    http: reqwest::Client,
    options: Options,
    credentials: Box<dyn Credentials>,
    hosts: Mutex<HashMap<String, HostState>>,
    tokens: Mutex<auth::TokenCache>,
    referrers_api: Mutex<HashMap<String, bool>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A request as [`Client::send`] makes it, re-sendable for retries and auth.
struct Req<'a> {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<ReqBody>,
    scopes: &'a ScopeSet,
    registry: &'a str,
}

/// A request body that can be sent again (a retry, an auth challenge).
enum ReqBody {
    /// Bytes in memory (manifests, chunks, small blobs).
    Bytes(Vec<u8>),
    /// The first `len` bytes of a file, streamed from disk (re-opened for every attempt).
    File {
        path: PathBuf,
        len: u64,
        progress: Option<Arc<dyn Progress>>,
    },
}

/// Read size of a file streamed as an upload body: 256 KiB (fewer trips through tokio's
/// blocking pool than its 8 KiB default; memory stays flat).
const UPLOAD_READ_CHUNK: usize = 256 * 1024;

/// Buffer of a blob written to a file: 1 MiB.
const DOWNLOAD_WRITE_BUFFER: usize = 1024 * 1024;

impl ReqBody {
    async fn build(&self, headers: &mut HeaderMap) -> Result<reqwest::Body, Error> {
        match self {
            Self::Bytes(b) => Ok(reqwest::Body::from(b.clone())),
            Self::File {
                path,
                len,
                progress,
            } => {
                use futures_util::StreamExt as _;
                use tokio::io::AsyncReadExt as _;
                let file = tokio::fs::File::open(path).await.map_err(Error::Read)?;
                if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
                    headers.insert(reqwest::header::CONTENT_LENGTH, v);
                }
                let progress = progress.clone();
                let mut done = 0u64;
                if let Some(p) = &progress {
                    p.update(0);
                }
                let stream =
                    tokio_util::io::ReaderStream::with_capacity(file.take(*len), UPLOAD_READ_CHUNK)
                        .inspect(move |chunk| {
                            if let (Ok(c), Some(p)) = (chunk, &progress) {
                                done += c.len() as u64;
                                p.update(done);
                            }
                        });
                Ok(reqwest::Body::wrap_stream(stream))
            }
        }
    }
}

/// Reports how far a blob transfer got (a progress bar). Called from the task doing the
/// transfer; must be cheap.
pub trait Progress: Send + Sync {
    /// `done` bytes of the blob have been transferred (it goes back to 0 when a request is
    /// retried).
    fn update(&self, done: u64);
}

/// A temporary file next to its destination, removed on drop unless it was renamed into
/// place: a failed or interrupted download never leaves a half-written file under the name.
struct Partial {
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A name for a temporary file beside `dest`: hidden, unique to this process and call.
fn partial_path(dest: &Path) -> Result<PathBuf, Error> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = dest.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::Write(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the destination has no file name",
        ))
    })?;
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(dest.with_file_name(format!(".{name}.{}-{n}.supply-partial", std::process::id())))
}

/// A manifest as pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pushed {
    /// Its digest.
    pub digest: Digest,
    /// The `OCI-Subject` header, when the registry processed a `subject` (Referrers API).
    pub oci_subject: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps hold plain values: a panic elsewhere while one was locked leaves it consistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

fn shown(url: &Url) -> String {
    supply_sig::http::shown(url.as_str())
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Client {
    /// A client with `options` and `credentials`.
    ///
    /// # Errors
    /// [`Error::Http`] when the HTTP client cannot be built.
    pub fn new(options: Options, credentials: Box<dyn Credentials>) -> Result<Self, Error> {
        let http = options.http.build().map_err(Error::Http)?;
        Ok(Self {
            http,
            options,
            credentials,
            hosts: Mutex::new(HashMap::new()),
            tokens: Mutex::new(auth::TokenCache::new()),
            referrers_api: Mutex::new(HashMap::new()),
        })
    }

    /// An anonymous client with default options.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn anonymous() -> Result<Self, Error> {
        Self::new(Options::new(), Box::new(Anonymous))
    }

    /// The limits in use.
    pub fn limits(&self) -> &Limits {
        &self.options.limits
    }

    // ---- transport ------------------------------------------------------------------------

    fn is_loopback_host(registry: &str) -> bool {
        Url::parse(&format!("http://{registry}/"))
            .map(|u| supply_sig::http::is_loopback(&u))
            .unwrap_or(false)
    }

    /// The scheme for `registry`: as configured, else plain `http` for loopback registries
    /// (as crane and go-containerregistry) and `https` for every other.
    fn scheme(&self, registry: &str) -> &'static str {
        if let Some((_, https)) = self.options.schemes.iter().find(|(r, _)| r == registry) {
            if *https {
                "https"
            } else {
                "http"
            }
        } else if Self::is_loopback_host(registry) {
            "http"
        } else {
            "https"
        }
    }

    fn state<R>(&self, registry: &str, f: impl FnOnce(&mut HostState) -> R) -> R {
        let mut hosts = lock(&self.hosts);
        let s = hosts.entry(registry.to_owned()).or_insert(HostState {
            auth: HostAuth::Unknown,
            credential: None,
        });
        f(s)
    }

    fn url_with(&self, scheme: &str, registry: &str, path: &str) -> Result<Url, Error> {
        let s = format!("{scheme}://{registry}/v2/{path}");
        Url::parse(&s).map_err(|_| {
            Error::Http(supply_sig::http::Error::InvalidUrl {
                url: supply_sig::http::shown(&s),
            })
        })
    }

    fn url(&self, registry: &str, path: &str) -> Result<Url, Error> {
        self.url_with(self.scheme(registry), registry, path)
    }

    fn credential(&self, registry: &str) -> Result<Option<Credential>, Error> {
        if let Some(c) = self.state(registry, |s| s.credential.clone()) {
            return Ok(c);
        }
        let c = self
            .credentials
            .credential(registry)
            .map_err(|source| Error::Auth {
                registry: registry.to_owned(),
                source,
            })?;
        self.state(registry, |s| s.credential = Some(c.clone()));
        Ok(c)
    }

    fn host_auth(&self, registry: &str) -> HostAuth {
        self.state(registry, |s| s.auth.clone())
    }

    /// The `Authorization` value for a request needing `scopes`, if the registry asked for one.
    async fn authorization(
        &self,
        registry: &str,
        base: &Url,
        scopes: &ScopeSet,
    ) -> Result<Option<String>, Error> {
        let auth_err = |source| Error::Auth {
            registry: registry.to_owned(),
            source,
        };
        match self.host_auth(registry) {
            HostAuth::Unknown => Ok(None),
            HostAuth::Basic => match self.credential(registry)? {
                Some(Credential::Basic { username, password }) => {
                    use base64::Engine as _;
                    let pair = format!("{username}:{password}");
                    Ok(Some(format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    )))
                }
                Some(Credential::RegistryToken(t)) => Ok(Some(format!("Bearer {t}"))),
                _ => Ok(None),
            },
            HostAuth::Bearer(ch) => {
                let mut scopes = scopes.clone();
                if let Some(s) = &ch.scope {
                    scopes.add_challenge_scope(s);
                }
                let origin = base.origin().ascii_serialization();
                let service = ch.service.as_deref();
                let now = now();
                if let Some(t) = lock(&self.tokens).get(&origin, service, &scopes, now) {
                    return Ok(Some(t.authorization()));
                }
                let credential = self.credential(registry)?;
                let request = auth::TokenRequest {
                    registry: base,
                    challenge: &ch,
                    scopes: &scopes,
                    credential: credential.as_ref(),
                };
                let token = auth::fetch_token(&self.http, &request, now)
                    .await
                    .map_err(auth_err)?;
                let value = token.authorization();
                lock(&self.tokens).insert(&origin, service, &scopes, token, now);
                Ok(Some(value))
            }
        }
    }

    /// Learns the auth scheme from a 401; returns whether a retry can do better.
    fn learn_challenge(&self, registry: &str, headers: &HeaderMap) -> Result<bool, Error> {
        let challenges = challenge::parse_headers(headers).map_err(|e| Error::Auth {
            registry: registry.to_owned(),
            source: auth::Error::Challenge(e),
        })?;
        let new = if let Some(b) = BearerChallenge::from_challenges(&challenges) {
            HostAuth::Bearer(b)
        } else if challenge::offers_basic(&challenges) {
            if self.credential(registry)?.is_none() {
                return Ok(false);
            }
            HostAuth::Basic
        } else {
            return Ok(false);
        };
        self.state(registry, |s| s.auth = new);
        Ok(true)
    }

    /// Sends `req`, answering one auth challenge and retrying 429/5xx when `idempotent`.
    async fn send(&self, req: Req<'_>, idempotent: bool) -> Result<reqwest::Response, Error> {
        let base = self.url(req.registry, "")?;
        let mut challenged = false;
        let mut attempt = 0u32;
        loop {
            let mut rb = self
                .http
                .request(req.method.clone(), req.url.clone())
                .headers(req.headers.clone());
            if let Some(a) = self.authorization(req.registry, &base, req.scopes).await? {
                rb = rb.header(AUTHORIZATION, a);
            }
            if let Some(b) = &req.body {
                let mut headers = HeaderMap::new();
                let body = b.build(&mut headers).await?;
                rb = rb.headers(headers).body(body);
            }
            let resp = supply_sig::http::send(rb, req.url.as_str())
                .await
                .map_err(http_error)?;
            let status = resp.status();
            if status == StatusCode::UNAUTHORIZED && !challenged {
                challenged = true;
                if self.learn_challenge(req.registry, resp.headers())? {
                    continue;
                }
            }
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                && idempotent
                && attempt < self.options.retry.retries
            {
                let retry_after = header_str(resp.headers(), "retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                tokio::time::sleep(self.options.retry.delay(attempt, retry_after)).await;
                attempt += 1;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Turns a non-success response into [`Error::Status`] / [`Error::Unauthorized`].
    async fn fail(method: Method, url: &Url, resp: reqwest::Response) -> Error {
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Error::Unauthorized {
                method,
                url: shown(url),
                status,
            };
        }
        #[derive(serde::Deserialize)]
        struct Body {
            errors: Vec<Entry>,
        }
        #[derive(serde::Deserialize)]
        struct Entry {
            code: String,
        }
        let mut body = Vec::new();
        let _ = supply_sig::http::stream_body::<supply_sig::http::Error>(
            resp,
            url.as_str(),
            MAX_ERROR_BODY_LEN as u64,
            "error body",
            |c| {
                body.extend_from_slice(c);
                Ok(())
            },
        )
        .await;
        let codes = serde_json::from_slice::<Body>(&body)
            .map(|b| {
                b.errors
                    .into_iter()
                    .take(8)
                    .map(|e| e.code.chars().take(64).collect())
                    .collect()
            })
            .unwrap_or_default();
        Error::Status {
            method,
            url: shown(url),
            status,
            codes,
        }
    }

    fn req<'a>(method: Method, url: Url, registry: &'a str, scopes: &'a ScopeSet) -> Req<'a> {
        Req {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            scopes,
            registry,
        }
    }

    // ---- base -----------------------------------------------------------------------------

    /// `GET /v2/`: whether the registry answers the distribution API (authenticating if it
    /// asks).
    ///
    /// # Errors
    /// [`Error::Http`], [`Error::Auth`], [`Error::Unauthorized`], [`Error::Status`].
    pub async fn ping(&self, registry: &str) -> Result<(), Error> {
        let url = self.url(registry, "")?;
        let scopes = ScopeSet::new();
        let resp = self
            .send(Self::req(Method::GET, url.clone(), registry, &scopes), true)
            .await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(Self::fail(Method::GET, &url, resp).await)
        }
    }

    // ---- blobs ----------------------------------------------------------------------------

    /// `HEAD` of a blob: its size when the repository has it, `None` on 404.
    ///
    /// # Errors
    /// As [`Client::ping`].
    pub async fn blob_exists(
        &self,
        repo: &Reference,
        digest: &Digest,
    ) -> Result<Option<u64>, Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        let url = self.url(registry, &format!("{name}/blobs/{digest}"))?;
        let scopes = ScopeSet::pull(name);
        let resp = self
            .send(
                Self::req(Method::HEAD, url.clone(), registry, &scopes),
                true,
            )
            .await?;
        match resp.status() {
            // The header itself: reqwest reports a HEAD answer's (empty) body length.
            s if s.is_success() => Ok(Some(
                header_str(resp.headers(), "content-length")
                    .and_then(|l| l.trim().parse().ok())
                    .unwrap_or(0),
            )),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(Self::fail(Method::HEAD, &url, resp).await),
        }
    }

    /// Streams the blob `desc` of `repo` into `sink`, hashing as it goes and refusing more
    /// than `desc.size` bytes. Returns only when the size and digest match; on an error, the
    /// bytes already handed to `sink` must be thrown away.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`], [`Error::DigestMismatch`], [`Error::LimitExceeded`],
    /// [`Error::Write`] (from `sink`), and as [`Client::ping`].
    pub async fn fetch_blob(
        &self,
        repo: &Reference,
        desc: &Descriptor,
        mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        let url = self.url(registry, &format!("{name}/blobs/{}", desc.digest))?;
        let scopes = ScopeSet::pull(name);
        let resp = self
            .send(Self::req(Method::GET, url.clone(), registry, &scopes), true)
            .await?;
        if !resp.status().is_success() {
            return Err(Self::fail(Method::GET, &url, resp).await);
        }
        let mut hasher = Hasher::new(desc.digest.algorithm());
        let got = supply_sig::http::stream_body::<Error>(
            resp,
            url.as_str(),
            desc.size,
            "blob",
            |chunk| {
                hasher.update(chunk);
                sink(chunk).map_err(Error::Write)
            },
        )
        .await?;
        if got != desc.size {
            return Err(Error::SizeMismatch {
                what: "blob",
                expected: desc.size,
                actual: got,
            });
        }
        let actual = hasher.finish();
        if actual != desc.digest {
            return Err(Error::DigestMismatch {
                what: "blob",
                digests: Box::new(Mismatch {
                    expected: desc.digest,
                    actual,
                }),
            });
        }
        Ok(())
    }

    /// The blob `desc` in memory (verified as [`Client::fetch_blob`]); `max_len` caps it
    /// whatever the descriptor says.
    ///
    /// # Errors
    /// As [`Client::fetch_blob`]; [`Error::LimitExceeded`] when `desc.size > max_len`.
    pub async fn fetch_blob_bytes(
        &self,
        repo: &Reference,
        desc: &Descriptor,
        max_len: u64,
    ) -> Result<Vec<u8>, Error> {
        if desc.size > max_len {
            return Err(Error::LimitExceeded(
                LimitExceeded::new("blob", max_len).with_actual(desc.size),
            ));
        }
        let mut out = Vec::new();
        self.fetch_blob(repo, desc, |c| {
            out.extend_from_slice(c);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Streams the blob `desc` of `repo` into the file `dest`, verified as
    /// [`Client::fetch_blob`] while it arrives: the bytes go to a temporary file beside `dest`
    /// (`.NAME.<pid>-<n>.supply-partial`) which is renamed to `dest` only once the size and
    /// digest match (and its data is synced), and removed on any error. Memory use does not
    /// depend on the blob's size. `max_len` caps the blob whatever the descriptor says;
    /// `progress` hears of every chunk.
    ///
    /// The file writes are blocking (buffered, 1 MiB at a time): run this on a runtime where
    /// that is acceptable, as a CLI's.
    ///
    /// # Errors
    /// As [`Client::fetch_blob`]; [`Error::LimitExceeded`] when `desc.size > max_len`;
    /// [`Error::Write`] when the file cannot be created, written or renamed.
    pub async fn fetch_blob_to_file(
        &self,
        repo: &Reference,
        desc: &Descriptor,
        dest: &Path,
        max_len: u64,
        progress: Option<&dyn Progress>,
    ) -> Result<(), Error> {
        if desc.size > max_len {
            return Err(Error::LimitExceeded(
                LimitExceeded::new("blob", max_len).with_actual(desc.size),
            ));
        }
        let mut partial = Partial {
            path: partial_path(dest)?,
            keep: false,
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial.path)
            .map_err(Error::Write)?;
        let mut out = std::io::BufWriter::with_capacity(DOWNLOAD_WRITE_BUFFER, file);
        let mut done = 0u64;
        if let Some(p) = progress {
            p.update(0);
        }
        self.fetch_blob(repo, desc, |chunk| {
            out.write_all(chunk)?;
            done += chunk.len() as u64;
            if let Some(p) = progress {
                p.update(done);
            }
            Ok(())
        })
        .await?;
        let file = out.into_inner().map_err(|e| Error::Write(e.into_error()))?;
        // Synced before the rename, so that a crash never leaves an empty file under `dest`.
        file.sync_all().map_err(Error::Write)?;
        drop(file);
        std::fs::rename(&partial.path, dest).map_err(Error::Write)?;
        partial.keep = true;
        Ok(())
    }

    /// Pushes the file `path` as a blob without holding it in memory: it is hashed (at most
    /// `max_len` bytes), skipped when the repository has it, else streamed from disk in one
    /// `PUT ?digest=` (the registry checks the digest; a file changed in between is refused
    /// by it). Returns its descriptor with `media_type`.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::LimitExceeded`] (the file is larger than `max_len`), and as
    /// [`Client::push_blob`].
    pub async fn push_blob_file(
        &self,
        repo: &Reference,
        media_type: &str,
        path: &Path,
        max_len: u64,
        progress: Option<Arc<dyn Progress>>,
    ) -> Result<Descriptor, Error> {
        let desc = hash_file(path, media_type, max_len).await?;
        if self.blob_exists(repo, &desc.digest).await? == Some(desc.size) {
            if let Some(p) = &progress {
                p.update(desc.size);
            }
            return Ok(desc);
        }
        let (location, _) = self.start_upload(repo, "").await?;
        self.finish_upload(
            repo,
            location,
            &desc.digest,
            Some(ReqBody::File {
                path: path.to_owned(),
                len: desc.size,
                progress,
            }),
        )
        .await?;
        Ok(desc)
    }

    /// Starts an upload session: the `Location` to send the content to.
    async fn start_upload(&self, repo: &Reference, query: &str) -> Result<(Url, bool), Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        let mut url = self.url(registry, &format!("{name}/blobs/uploads/"))?;
        if !query.is_empty() {
            url.set_query(Some(query));
        }
        let scopes = match query.split('&').find_map(|kv| kv.strip_prefix("from=")) {
            Some(from) => ScopeSet::mount(name, from),
            None => ScopeSet::push(name),
        };
        let resp = self
            .send(
                Self::req(Method::POST, url.clone(), registry, &scopes),
                false,
            )
            .await?;
        let status = resp.status();
        if status != StatusCode::ACCEPTED && status != StatusCode::CREATED {
            return Err(Self::fail(Method::POST, &url, resp).await);
        }
        let location = location(&url, resp.headers())?;
        Ok((location, status == StatusCode::CREATED))
    }

    /// Pushes `bytes` as one blob (`POST` then `PUT ?digest=`), unless the repository has it
    /// already. Returns its descriptor with `media_type`.
    ///
    /// # Errors
    /// [`Error::BadHeader`] (no usable `Location`), [`Error::HeaderDigestMismatch`], and as
    /// [`Client::ping`].
    pub async fn push_blob(
        &self,
        repo: &Reference,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Descriptor, Error> {
        let desc = Descriptor::for_bytes(media_type, bytes);
        if self.blob_exists(repo, &desc.digest).await? == Some(desc.size) {
            return Ok(desc);
        }
        let (location, _) = self.start_upload(repo, "").await?;
        self.finish_upload(
            repo,
            location,
            &desc.digest,
            Some(ReqBody::Bytes(bytes.to_vec())),
        )
        .await?;
        Ok(desc)
    }

    async fn finish_upload(
        &self,
        repo: &Reference,
        mut location: Url,
        digest: &Digest,
        body: Option<ReqBody>,
    ) -> Result<(), Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        location
            .query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let scopes = ScopeSet::push(name);
        let mut req = Self::req(Method::PUT, location.clone(), registry, &scopes);
        req.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        req.body = Some(body.unwrap_or(ReqBody::Bytes(Vec::new())));
        let resp = self.send(req, false).await?;
        if resp.status() != StatusCode::CREATED {
            return Err(Self::fail(Method::PUT, &location, resp).await);
        }
        check_header_digest(resp.headers(), digest)
    }

    /// Pushes the content of `reader` as a blob in chunks of the configured size (`POST`, one
    /// `PATCH` per chunk with its `Content-Range`, then `PUT ?digest=`), hashing as it reads.
    /// Returns its descriptor with `media_type`.
    ///
    /// # Errors
    /// [`Error::Read`], and as [`Client::push_blob`].
    pub async fn push_blob_chunked(
        &self,
        repo: &Reference,
        media_type: &str,
        mut reader: impl Read,
    ) -> Result<Descriptor, Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        let scopes = ScopeSet::push(name);
        let (mut location, _) = self.start_upload(repo, "").await?;
        let mut hasher = Hasher::new(supply_sig::digest::Algorithm::Sha256);
        let mut offset = 0u64;
        loop {
            let mut chunk = Vec::with_capacity(self.options.chunk_size.min(1 << 20));
            (&mut reader)
                .take(self.options.chunk_size as u64)
                .read_to_end(&mut chunk)
                .map_err(Error::Read)?;
            if chunk.is_empty() {
                break;
            }
            hasher.update(&chunk);
            let end = offset + chunk.len() as u64 - 1;
            let mut req = Self::req(Method::PATCH, location.clone(), registry, &scopes);
            req.headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("{offset}-{end}")) {
                req.headers.insert("content-range", v);
            }
            offset = end + 1;
            req.body = Some(ReqBody::Bytes(chunk));
            let resp = self.send(req, false).await?;
            if resp.status() != StatusCode::ACCEPTED {
                return Err(Self::fail(Method::PATCH, &location, resp).await);
            }
            location = self::location(&location, resp.headers())?;
        }
        let digest = hasher.finish();
        self.finish_upload(repo, location, &digest, None).await?;
        Ok(Descriptor::new(media_type, digest, offset))
    }

    /// Mounts the blob `digest` from the repository `from` of the same registry into `repo`
    /// (`POST ?mount=&from=`). Returns `false` when the registry did not mount it (it opened
    /// an upload session instead, which is cancelled): push the blob then.
    ///
    /// # Errors
    /// As [`Client::ping`].
    pub async fn mount_blob(
        &self,
        repo: &Reference,
        from: &str,
        digest: &Digest,
    ) -> Result<bool, Error> {
        let query = format!("mount={digest}&from={from}");
        let (location, mounted) = match self.start_upload(repo, &query).await {
            Ok(x) => x,
            Err(Error::BadHeader { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !mounted {
            let scopes = ScopeSet::push(repo.repository());
            // Best effort: an abandoned session expires on the registry anyway.
            let _ = self
                .send(
                    Self::req(Method::DELETE, location, repo.registry(), &scopes),
                    false,
                )
                .await;
        }
        Ok(mounted)
    }

    // ---- manifests ------------------------------------------------------------------------

    /// `GET` of the manifest `reference` names (its digest, else its tag), with every manifest
    /// type in `Accept`, at most [`Limits::max_manifest_len`] bytes. A request by digest is
    /// checked against the body; `Docker-Content-Digest`, when sent, must match both.
    ///
    /// # Errors
    /// [`Error::DigestMismatch`], [`Error::HeaderDigestMismatch`], [`Error::Manifest`],
    /// [`Error::LimitExceeded`], and as [`Client::ping`].
    pub async fn fetch_manifest(&self, reference: &Reference) -> Result<Manifest, Error> {
        self.fetch_manifest_etag(reference).await.map(|(m, _)| m)
    }

    /// As [`Client::fetch_manifest`], with the `ETag` the registry sent.
    async fn fetch_manifest_etag(
        &self,
        reference: &Reference,
    ) -> Result<(Manifest, Option<String>), Error> {
        let (registry, name) = (reference.registry(), reference.repository());
        let url = self.url(
            registry,
            &format!("{name}/manifests/{}", reference.manifest_reference()),
        )?;
        let scopes = ScopeSet::pull(name);
        let mut req = Self::req(Method::GET, url.clone(), registry, &scopes);
        req.headers
            .insert(ACCEPT, HeaderValue::from_static(MANIFEST_ACCEPT));
        let resp = self.send(req, true).await?;
        if !resp.status().is_success() {
            return Err(Self::fail(Method::GET, &url, resp).await);
        }
        let headers = resp.headers().clone();
        let body = supply_sig::http::read_body(
            resp,
            url.as_str(),
            self.options.limits.max_manifest_len,
            "manifest",
        )
        .await
        .map_err(http_error)?;
        let declared = header_str(&headers, CONTENT_TYPE.as_str());
        let expected = match reference.digest() {
            Some(d) => {
                let actual = d.algorithm().digest(&body);
                if actual != *d {
                    return Err(Error::DigestMismatch {
                        what: "manifest",
                        digests: Box::new(Mismatch {
                            expected: *d,
                            actual,
                        }),
                    });
                }
                Some(*d)
            }
            None => None,
        };
        if let Some(h) = header_str(&headers, DOCKER_CONTENT_DIGEST) {
            let parsed = Digest::parse(h.trim()).ok();
            let body_digest = parsed.map(|p| p.algorithm().digest(&body));
            let ok = match (parsed, body_digest) {
                (Some(p), Some(b)) => {
                    p == b && expected.is_none_or(|e| e == p || e.algorithm() != p.algorithm())
                }
                _ => false,
            };
            if !ok {
                return Err(Error::HeaderDigestMismatch {
                    header: supply_sig::http::shown(h),
                    expected: expected
                        .unwrap_or_else(|| supply_sig::digest::Algorithm::Sha256.digest(&body)),
                });
            }
        }
        let manifest =
            Manifest::parse_with_limit(body, declared, self.options.limits.max_manifest_len)
                .map_err(|source| Error::Manifest {
                    url: shown(&url),
                    source,
                })?;
        let etag = header_str(&headers, "etag").map(str::to_owned);
        Ok((manifest, etag))
    }

    /// The descriptor of the manifest `reference` names, from a `HEAD` (`Content-Type`,
    /// `Content-Length`, `Docker-Content-Digest`); from a `GET` when the registry leaves a
    /// header out.
    ///
    /// # Errors
    /// As [`Client::fetch_manifest`].
    pub async fn resolve(&self, reference: &Reference) -> Result<Descriptor, Error> {
        let (registry, name) = (reference.registry(), reference.repository());
        let url = self.url(
            registry,
            &format!("{name}/manifests/{}", reference.manifest_reference()),
        )?;
        let scopes = ScopeSet::pull(name);
        let mut req = Self::req(Method::HEAD, url.clone(), registry, &scopes);
        req.headers
            .insert(ACCEPT, HeaderValue::from_static(MANIFEST_ACCEPT));
        let resp = self.send(req, true).await?;
        if !resp.status().is_success() {
            return Err(Self::fail(Method::HEAD, &url, resp).await);
        }
        let h = resp.headers();
        let digest =
            header_str(h, DOCKER_CONTENT_DIGEST).and_then(|d| Digest::parse(d.trim()).ok());
        let mt = header_str(h, CONTENT_TYPE.as_str())
            .map(media_type::essence)
            .filter(|m| manifest::Kind::from_media_type(m).is_some());
        let len = header_str(h, "content-length").and_then(|l| l.parse::<u64>().ok());
        match (digest, mt, len) {
            (Some(d), Some(mt), Some(len)) if reference.digest().is_none_or(|want| *want == d) => {
                Ok(Descriptor::new(&mt, d, len))
            }
            _ => Ok(self.fetch_manifest(reference).await?.descriptor()),
        }
    }

    /// `PUT` of `manifest` under `reference`'s tag, or its digest when it has none. The
    /// registry's `Docker-Content-Digest`, when sent, must be the manifest's.
    ///
    /// # Errors
    /// [`Error::HeaderDigestMismatch`], and as [`Client::ping`].
    pub async fn push_manifest(
        &self,
        reference: &Reference,
        manifest: &Manifest,
    ) -> Result<Pushed, Error> {
        let digest = manifest.digest();
        let target = match reference.tag() {
            Some(t) if reference.digest().is_none() => t.to_owned(),
            _ => digest.to_string(),
        };
        self.put_manifest(reference, &target, manifest, None).await
    }

    async fn put_manifest(
        &self,
        reference: &Reference,
        target: &str,
        manifest: &Manifest,
        if_match: Option<&str>,
    ) -> Result<Pushed, Error> {
        let (registry, name) = (reference.registry(), reference.repository());
        let digest = manifest.digest();
        let url = self.url(registry, &format!("{name}/manifests/{target}"))?;
        let scopes = ScopeSet::push(name);
        let mut req = Self::req(Method::PUT, url.clone(), registry, &scopes);
        req.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(manifest.media_type()),
        );
        if let Some(etag) = if_match.and_then(|e| HeaderValue::from_str(e).ok()) {
            req.headers.insert("if-match", etag);
        }
        req.body = Some(ReqBody::Bytes(manifest.raw().to_vec()));
        let resp = self.send(req, true).await?;
        if resp.status() != StatusCode::CREATED {
            return Err(Self::fail(Method::PUT, &url, resp).await);
        }
        check_header_digest(resp.headers(), &digest)?;
        Ok(Pushed {
            digest,
            oci_subject: header_str(resp.headers(), "oci-subject").map(str::to_owned),
        })
    }

    /// `DELETE` of the manifest `digest` in `repo` (202).
    ///
    /// # Errors
    /// As [`Client::ping`].
    pub async fn delete_manifest(&self, repo: &Reference, digest: &Digest) -> Result<(), Error> {
        let (registry, name) = (repo.registry(), repo.repository());
        let url = self.url(registry, &format!("{name}/manifests/{digest}"))?;
        let mut scopes = ScopeSet::pull(name);
        scopes.add(name, auth::Action::Delete);
        let resp = self
            .send(
                Self::req(Method::DELETE, url.clone(), registry, &scopes),
                true,
            )
            .await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(Self::fail(Method::DELETE, &url, resp).await)
        }
    }

    // ---- tags -----------------------------------------------------------------------------

    /// The tags of `repo`, following `Link` pages: `n` asks for that many per page, `last`
    /// starts after that tag. At most [`Limits::max_tag_pages`] pages and
    /// [`Limits::max_tags`] tags.
    ///
    /// # Errors
    /// [`Error::TooManyPages`], [`Error::LimitExceeded`], [`Error::Json`],
    /// [`Error::BadHeader`], and as [`Client::ping`].
    pub async fn tags(
        &self,
        repo: &Reference,
        n: Option<usize>,
        last: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let (registry, name) = (repo.registry(), repo.repository());
        let mut url = self.url(registry, &format!("{name}/tags/list"))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(n) = n {
                q.append_pair("n", &n.to_string());
            }
            if let Some(l) = last {
                q.append_pair("last", l);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let scopes = ScopeSet::pull(name);
        let mut out = Vec::new();
        let mut pages = 0usize;
        loop {
            pages += 1;
            if pages > self.options.limits.max_tag_pages {
                return Err(Error::TooManyPages {
                    what: "tag list",
                    limit: self.options.limits.max_tag_pages,
                });
            }
            let resp = self
                .send(Self::req(Method::GET, url.clone(), registry, &scopes), true)
                .await?;
            if !resp.status().is_success() {
                return Err(Self::fail(Method::GET, &url, resp).await);
            }
            let next = next_link(&url, resp.headers())?;
            let body =
                supply_sig::http::read_body(resp, url.as_str(), MAX_TAG_PAGE_LEN, "tag list page")
                    .await
                    .map_err(http_error)?;
            let page: Page = serde_json::from_slice(&body).map_err(|source| Error::Json {
                what: "tag list",
                url: shown(&url),
                source,
            })?;
            out.extend(page.tags.unwrap_or_default());
            if out.len() > self.options.limits.max_tags {
                return Err(Error::LimitExceeded(LimitExceeded::new(
                    "tags",
                    self.options.limits.max_tags,
                )));
            }
            match next {
                Some(n) => url = n,
                None => return Ok(out),
            }
        }
    }
}

/// The SHA-256 descriptor of the file `path` (at most `max_len` bytes), read in 1 MiB pieces.
async fn hash_file(path: &Path, media_type: &str, max_len: u64) -> Result<Descriptor, Error> {
    use tokio::io::AsyncReadExt as _;
    let mut file = tokio::fs::File::open(path).await.map_err(Error::Read)?;
    let mut hasher = Hasher::new(supply_sig::digest::Algorithm::Sha256);
    let mut buf = vec![0u8; 1024 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).await.map_err(Error::Read)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > max_len {
            return Err(Error::LimitExceeded(LimitExceeded::new("blob", max_len)));
        }
        hasher.update(&buf[..n]);
    }
    Ok(Descriptor::new(media_type, hasher.finish(), total))
}

/// The `Location` of an upload answer, resolved against the request URL; it must stay on
/// the registry's origin (credentials go with it).
fn location(url: &Url, headers: &HeaderMap) -> Result<Url, Error> {
    let raw = header_str(headers, LOCATION.as_str()).unwrap_or_default();
    let bad = || Error::BadHeader {
        what: "Location",
        value: supply_sig::http::shown(raw),
        url: shown(url),
    };
    if raw.is_empty() {
        return Err(bad());
    }
    let next = url.join(raw).map_err(|_| bad())?;
    if next.origin() != url.origin() {
        return Err(bad());
    }
    Ok(next)
}

/// The `rel="next"` target of a `Link` header (RFC 8288), resolved against `url`; it must
/// stay on the registry's origin.
fn next_link(url: &Url, headers: &HeaderMap) -> Result<Option<Url>, Error> {
    for value in headers.get_all("link") {
        let Ok(v) = value.to_str() else {
            return Err(Error::BadHeader {
                what: "Link",
                value: String::new(),
                url: shown(url),
            });
        };
        for link in v.split(',') {
            let bad = || Error::BadHeader {
                what: "Link",
                value: supply_sig::http::shown(v),
                url: shown(url),
            };
            let link = link.trim();
            let Some(rest) = link.strip_prefix('<') else {
                return Err(bad());
            };
            let Some((target, params)) = rest.split_once('>') else {
                return Err(bad());
            };
            let is_next = params.split(';').any(|p| {
                let p = p.trim();
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("rel")
                        && v.trim().trim_matches('"').split(' ').any(|r| r == "next")
                })
            });
            if is_next {
                let next = url.join(target).map_err(|_| bad())?;
                if next.origin() != url.origin() {
                    return Err(bad());
                }
                return Ok(Some(next));
            }
        }
    }
    Ok(None)
}

/// `Docker-Content-Digest`, when present and of `digest`'s algorithm, must be `digest`.
fn check_header_digest(headers: &HeaderMap, digest: &Digest) -> Result<(), Error> {
    let Some(h) = header_str(headers, DOCKER_CONTENT_DIGEST) else {
        return Ok(());
    };
    match Digest::parse(h.trim()) {
        Ok(d) if d == *digest => Ok(()),
        // distribution 2.8 answers a sha512 upload with its sha256: not comparable.
        Ok(d) if d.algorithm() != digest.algorithm() => Ok(()),
        _ => Err(Error::HeaderDigestMismatch {
            header: supply_sig::http::shown(h),
            expected: *digest,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn link_headers_give_the_next_page_on_the_same_origin() {
        let url = Url::parse("https://r.example/v2/a/tags/list?n=2").unwrap();
        let h = headers(&[("link", r#"</v2/a/tags/list?n=2&last=b>; rel="next""#)]);
        assert_eq!(
            next_link(&url, &h).unwrap().unwrap().as_str(),
            "https://r.example/v2/a/tags/list?n=2&last=b"
        );
        let h = headers(&[(
            "link",
            r#"<https://r.example/x>; rel="prev", <https://r.example/y>; rel=next"#,
        )]);
        assert_eq!(next_link(&url, &h).unwrap().unwrap().path(), "/y");
        assert!(next_link(&url, &HeaderMap::new()).unwrap().is_none());
        for bad in [
            r#"<https://evil.example/v2/a/tags/list>; rel="next""#,
            r#"no-brackets; rel="next""#,
            r#"<unterminated; rel="next""#,
        ] {
            assert!(
                matches!(
                    next_link(&url, &headers(&[("link", bad)])),
                    Err(Error::BadHeader { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn locations_resolve_relative_and_stay_on_the_registry() {
        let url = Url::parse("http://127.0.0.1:5000/v2/a/blobs/uploads/").unwrap();
        let h = headers(&[("location", "/v2/a/blobs/uploads/123?_state=x")]);
        assert_eq!(
            location(&url, &h).unwrap().as_str(),
            "http://127.0.0.1:5000/v2/a/blobs/uploads/123?_state=x"
        );
        for bad in ["", "http://other:5000/v2/a/blobs/uploads/1"] {
            assert!(matches!(
                location(&url, &headers(&[("location", bad)])),
                Err(Error::BadHeader { .. })
            ));
        }
        assert!(matches!(
            location(&url, &HeaderMap::new()),
            Err(Error::BadHeader { .. })
        ));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let r = Retry {
            retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert_eq!(r.delay(0, None), Duration::from_millis(100));
        assert_eq!(r.delay(2, None), Duration::from_millis(400));
        assert_eq!(r.delay(9, None), Duration::from_secs(1));
        assert_eq!(
            r.delay(0, Some(Duration::from_secs(60))),
            Duration::from_secs(1)
        );
        assert_eq!(r.delay(40, None), Duration::from_secs(1));
    }

    #[test]
    fn header_digests_must_match_when_comparable() {
        let d = supply_sig::digest::Algorithm::Sha256.digest(b"x");
        assert!(check_header_digest(&HeaderMap::new(), &d).is_ok());
        assert!(
            check_header_digest(&headers(&[(DOCKER_CONTENT_DIGEST, &d.to_string())]), &d).is_ok()
        );
        let other = supply_sig::digest::Algorithm::Sha256.digest(b"y");
        assert!(matches!(
            check_header_digest(&headers(&[(DOCKER_CONTENT_DIGEST, &other.to_string())]), &d),
            Err(Error::HeaderDigestMismatch { .. })
        ));
        assert!(matches!(
            check_header_digest(&headers(&[(DOCKER_CONTENT_DIGEST, "garbage")]), &d),
            Err(Error::HeaderDigestMismatch { .. })
        ));
    }
}
