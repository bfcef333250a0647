//! The one HTTP client builder of the supply crates (feature `http`): reqwest over rustls, the
//! platform's root certificates plus private CAs, time bounds on every request, bounded body
//! reads and TLS failures told apart.
//!
//! Every crate that talks to a server (the TUF updater, the Sigstore signer, the OCI registry
//! client) builds its `reqwest::Client` here, so that they cannot drift apart in what they
//! trust or how long they wait.
//!
//! - **Roots**: the platform's store, read with `rustls-native-certs` (which, as OpenSSL does,
//!   reads `SSL_CERT_FILE` / `SSL_CERT_DIR` instead when they are set), plus any CA given with
//!   [`HttpOptions::add_ca_pem`] / [`HttpOptions::add_ca_file`] (the CLI's `--ca-file`).
//! - **Timeouts** ([`Timeouts`]): connecting (TCP and TLS), waiting for the next bytes, and the
//!   whole request, so that a server that never answers, or drips a byte at a time, fails within
//!   a bound instead of hanging the caller.
//! - **Redirects**: at most [`MAX_REDIRECTS`], never from `https` down to `http`; reqwest drops
//!   `Authorization` and cookies when a redirect leaves the origin.
//! - **Bodies** are read chunk by chunk against the caller's cap ([`read_body`]), never
//!   trusting `Content-Length`.
//! - **Failures** ([`Error::Request`]) carry a [`Failure`]: an untrusted issuer, an expired
//!   certificate, a wrong host name, a timeout, a refused connection.
//!
//! ```no_run
//! # async fn demo() -> Result<(), supply_sig::http::Error> {
//! use supply_sig::http::{read_body, HttpOptions};
//!
//! let mut options = HttpOptions::new();
//! options.add_ca_file("private-ca.pem".as_ref())?;
//! let client = options.build()?;
//! let url = "https://tuf.example.com/metadata/timestamp.json";
//! let resp = supply_sig::http::send(client.get(url), url).await?;
//! let body = read_body(resp, url, 64 * 1024, "timestamp.json").await?;
//! # let _ = body; Ok(()) }
//! ```

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::limits::LimitExceeded;

/// Largest CA file read by [`HttpOptions::add_ca_file`]: 4 MiB (Debian's whole bundle of
/// about 150 roots is 220 KiB).
pub const MAX_CA_FILE_LEN: u64 = 4 * 1024 * 1024;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;

/// The `User-Agent` sent unless the caller sets another.
pub const USER_AGENT: &str = concat!("supply/", env!("CARGO_PKG_VERSION"));

/// Errors of the HTTP layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CA file could not be read.
    #[error("reading the CA file {}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CA file (or PEM text) held no usable certificate.
    #[error("{what} holds no PEM certificate")]
    NoCaCertificate {
        /// The file name, or `CA PEM`.
        what: String,
    },
    /// A certificate given as a CA is not a usable trust anchor.
    #[error("{what} holds a certificate that is not a usable CA")]
    InvalidCa {
        /// The file name, or `CA PEM`.
        what: String,
        /// Why rustls refused it.
        #[source]
        source: rustls::Error,
    },
    /// The TLS configuration could not be built.
    #[error("configuring TLS")]
    Tls(#[source] rustls::Error),
    /// The reqwest client could not be built.
    #[error("building the HTTP client")]
    Client(#[source] reqwest::Error),
    /// A URL that does not parse or is not `http(s)`.
    #[error("invalid URL {url:?}")]
    InvalidUrl {
        /// The URL (at most 256 characters).
        url: String,
    },
    /// A plain-`http` URL where only `https` (or loopback) is allowed.
    #[error("refusing plain HTTP to {url}: only https, or http to a loopback address, is allowed for {what}")]
    InsecureUrl {
        /// The URL (at most 256 characters).
        url: String,
        /// What would have been sent.
        what: &'static str,
    },
    /// A URL of a scheme this fetch does not use (CRL distribution points: `http` only).
    #[error("{url}: only http URLs are fetched for {what}")]
    SchemeNotFetched {
        /// The URL (at most 256 characters).
        url: String,
        /// What it is.
        what: &'static str,
    },
    /// The request failed before a status arrived, or while its body was read.
    #[error("{url}: {failure}")]
    Request {
        /// The URL (at most 256 characters).
        url: String,
        /// What went wrong, told apart.
        failure: Failure,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with a status the caller does not accept.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL (at most 256 characters).
        url: String,
        /// The status code.
        status: u16,
    },
    /// A body exceeded the caller's cap.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// Why a request failed, as far as it can be told from the transport error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// A time bound ([`Timeouts`]) expired.
    Timeout,
    /// The TCP connection could not be made (refused, unreachable, no such host).
    Connect,
    /// The server's certificate does not chain to a trusted root (an unknown or private CA:
    /// see [`HttpOptions::add_ca_file`]).
    UnknownIssuer,
    /// The server's certificate (or one of its issuers) has expired or is not valid yet.
    CertificateExpired,
    /// The server's certificate is not valid for the host name in the URL.
    WrongHostName,
    /// Another certificate problem (revoked, bad signature, wrong usage).
    BadCertificate,
    /// The TLS handshake failed otherwise (protocol version, alert from the server).
    Handshake,
    /// A redirect was refused (too many, or from https down to http).
    Redirect,
    /// Anything else (a broken body, a malformed response).
    Other,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::UnknownIssuer => "the server's certificate is not issued by a trusted CA",
            Self::CertificateExpired => "the server's certificate has expired or is not valid yet",
            Self::WrongHostName => "the server's certificate is not valid for this host name",
            Self::BadCertificate => "the server's certificate is not acceptable",
            Self::Handshake => "the TLS handshake failed",
            Self::Redirect => "redirect refused",
            Self::Other => "the request failed",
        })
    }
}

impl Failure {
    /// Tells apart why `err` happened, looking through its chain of causes for a TLS error.
    pub fn of(err: &reqwest::Error) -> Self {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cause {
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return Self::of_tls(tls);
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return Self::Timeout;
                }
                // `io::Error::source` skips the error it wraps (hyper wraps tokio-rustls's
                // `io::Error` around the `rustls::Error` in another): step into it instead.
                if let Some(inner) = io.get_ref() {
                    cause = Some(inner);
                    continue;
                }
            }
            cause = e.source();
        }
        if err.is_timeout() {
            Self::Timeout
        } else if err.is_redirect() {
            Self::Redirect
        } else if err.is_connect() {
            Self::Connect
        } else {
            Self::Other
        }
    }

    fn of_tls(err: &rustls::Error) -> Self {
        use rustls::CertificateError as C;
        match err {
            rustls::Error::InvalidCertificate(c) => match c {
                C::UnknownIssuer => Self::UnknownIssuer,
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidYet
                | C::NotValidYetContext { .. } => Self::CertificateExpired,
                C::NotValidForName | C::NotValidForNameContext { .. } => Self::WrongHostName,
                _ => Self::BadCertificate,
            },
            _ => Self::Handshake,
        }
    }
}

/// Time bounds of every request. The CLI overrides them with `--connect-timeout`,
/// `--read-timeout` and `--timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing the connection (TCP and TLS handshake).
    pub connect: Duration,
    /// Longest wait for the next bytes of the response (headers or body).
    pub read: Duration,
    /// The whole request, body included (bounds a server that drips bytes just often enough to
    /// beat `read`). Raise it for very large downloads on slow links.
    pub total: Duration,
}

impl Timeouts {
    /// Default connect timeout: 10 s.
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(10);
    /// Default read timeout: 30 s, python-tuf's `RequestsFetcher.socket_timeout`.
    pub const DEFAULT_READ: Duration = Duration::from_secs(30);
    /// Default total timeout per request: 300 s (a 4 GiB download needs about 14 MB/s to fit).
    pub const DEFAULT_TOTAL: Duration = Duration::from_secs(300);

    /// Custom bounds.
    pub const fn new(connect: Duration, read: Duration, total: Duration) -> Self {
        Self {
            connect,
            read,
            total,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self::new(
            Self::DEFAULT_CONNECT,
            Self::DEFAULT_READ,
            Self::DEFAULT_TOTAL,
        )
    }
}

/// How to build a client: roots, timeouts, user agent. [`HttpOptions::build`] makes the
/// `reqwest::Client`.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    timeouts: Timeouts,
    platform_roots: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    user_agent: String,
    confidential_redirects: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpOptions {
    /// The platform's roots, the default [`Timeouts`], [`USER_AGENT`].
    pub fn new() -> Self {
        Self {
            timeouts: Timeouts::default(),
            platform_roots: true,
            extra_roots: Vec::new(),
            user_agent: USER_AGENT.to_owned(),
            confidential_redirects: false,
        }
    }

    /// Other time bounds.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The time bounds in use.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Whether to trust the platform's root store (default `true`); with `false` only the CAs
    /// added here are trusted.
    #[must_use]
    pub fn with_platform_roots(mut self, on: bool) -> Self {
        self.platform_roots = on;
        self
    }

    /// Follow redirects only to `https` or loopback URLs, for clients whose requests carry a
    /// secret in their body (a 307/308 resends it): see [`require_confidential`].
    #[must_use]
    pub fn with_confidential_redirects(mut self) -> Self {
        self.confidential_redirects = true;
        self
    }

    /// Another `User-Agent`.
    #[must_use]
    pub fn with_user_agent(mut self, agent: &str) -> Self {
        agent.clone_into(&mut self.user_agent);
        self
    }

    /// Trusts every certificate in the PEM text `pem` as a root, besides the platform's.
    /// Returns how many were added.
    ///
    /// # Errors
    /// [`Error::NoCaCertificate`] when `pem` holds no certificate; [`Error::InvalidCa`] when
    /// one cannot be a trust anchor.
    pub fn add_ca_pem(&mut self, pem: &[u8]) -> Result<usize, Error> {
        self.add_pem(pem, "CA PEM")
    }

    /// As [`add_ca_pem`](Self::add_ca_pem) for the file at `path` (at most
    /// [`MAX_CA_FILE_LEN`] bytes).
    ///
    /// # Errors
    /// [`Error::CaFile`] when it cannot be read (or is larger than the cap); as
    /// [`add_ca_pem`](Self::add_ca_pem).
    pub fn add_ca_file(&mut self, path: &Path) -> Result<usize, Error> {
        use std::io::Read as _;
        let io = |source| Error::CaFile {
            path: path.to_owned(),
            source,
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(MAX_CA_FILE_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_CA_FILE_LEN {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                LimitExceeded::new("CA file", MAX_CA_FILE_LEN),
            )));
        }
        self.add_pem(&bytes, &path.display().to_string())
    }

    fn add_pem(&mut self, pem: &[u8], what: &str) -> Result<usize, Error> {
        use rustls::pki_types::pem::PemObject as _;
        let mut certs = Vec::new();
        for c in CertificateDer::pem_slice_iter(pem) {
            // A malformed PEM section makes the whole file unusable: trusting part of what the
            // user named would hide the mistake.
            let c = c.map_err(|_| Error::NoCaCertificate {
                what: what.to_owned(),
            })?;
            certs.push(c.into_owned());
        }
        if certs.is_empty() {
            return Err(Error::NoCaCertificate {
                what: what.to_owned(),
            });
        }
        // Checked now, so that a bad file is reported where it is named.
        let mut probe = RootCertStore::empty();
        for c in &certs {
            probe.add(c.clone()).map_err(|source| Error::InvalidCa {
                what: what.to_owned(),
                source,
            })?;
        }
        let n = certs.len();
        self.extra_roots.extend(certs);
        Ok(n)
    }

    /// The root store: the platform's (when enabled) and the added CAs.
    ///
    /// Unreadable or unparsable platform certificates are skipped, as every TLS stack does. An
    /// empty store is not an error here: plain-`http` requests (TUF, loopback) still work on a
    /// machine without a CA bundle, and every `https` request fails closed with
    /// [`Failure::UnknownIssuer`].
    fn roots(&self) -> Result<RootCertStore, Error> {
        let mut store = RootCertStore::empty();
        if self.platform_roots {
            let native = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(native.certs);
        }
        for c in &self.extra_roots {
            store.add(c.clone()).map_err(Error::Tls)?;
        }
        Ok(store)
    }

    /// The rustls client configuration (TLS 1.2 and 1.3 on ring, the roots above).
    ///
    /// # Errors
    /// [`Error::Tls`].
    pub fn tls_config(&self) -> Result<rustls::ClientConfig, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(Error::Tls)?
            .with_root_certificates(self.roots()?)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Tls`], [`Error::Client`].
    pub fn build(&self) -> Result<reqwest::Client, Error> {
        let confidential = self.confidential_redirects;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            let to_http = attempt.url().scheme() == "http";
            let downgrade = to_http
                && attempt
                    .previous()
                    .last()
                    .is_some_and(|u| u.scheme() == "https");
            let exposed = confidential && to_http && !is_loopback(attempt.url());
            if downgrade || exposed {
                attempt.error(DowngradeRedirect)
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(TooManyRedirects)
            } else {
                attempt.follow()
            }
        });
        reqwest::Client::builder()
            .use_preconfigured_tls(self.tls_config()?)
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.read)
            .timeout(self.timeouts.total)
            .user_agent(&self.user_agent)
            .redirect(redirects)
            .build()
            .map_err(Error::Client)
    }
}

/// A redirect from https to http.
#[derive(Debug, thiserror::Error)]
#[error("redirect from https to http refused")]
struct DowngradeRedirect;

/// More than [`MAX_REDIRECTS`] redirects.
#[derive(Debug, thiserror::Error)]
#[error("more than {MAX_REDIRECTS} redirects")]
struct TooManyRedirects;

/// `url` cut to 256 characters for error messages.
pub fn shown(url: &str) -> String {
    url.chars().take(256).collect()
}

/// Sends `request` (built for `url`), turning transport errors into [`Error::Request`].
///
/// # Errors
/// [`Error::Request`].
pub async fn send(request: reqwest::RequestBuilder, url: &str) -> Result<reqwest::Response, Error> {
    request.send().await.map_err(|e| request_error(url, e))
}

/// [`Error::Request`] for a transport error of a request to `url`.
pub fn request_error(url: &str, source: reqwest::Error) -> Error {
    Error::Request {
        url: shown(url),
        failure: Failure::of(&source),
        source,
    }
}

/// Reads the body of `resp` (a response to `url`), refusing it as soon as more than `limit`
/// bytes arrived; `Content-Length` is not trusted. Non-success statuses are
/// [`Error::Status`].
///
/// # Errors
/// [`Error::Status`], [`Error::LimitExceeded`] (named `what`), [`Error::Request`].
pub async fn read_body(
    resp: reqwest::Response,
    url: &str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    let status = resp.status();
    if !status.is_success() {
        return Err(Error::Status {
            url: shown(url),
            status: status.as_u16(),
        });
    }
    let mut out = Vec::new();
    stream_body(resp, url, limit as u64, what, |chunk| {
        out.extend_from_slice(chunk);
        Ok::<(), Error>(())
    })
    .await?;
    Ok(out)
}

/// Hands the body of `resp` to `sink` chunk by chunk, refusing it as soon as more than `limit`
/// bytes arrived. Returns the bytes read. The status is not checked.
///
/// # Errors
/// [`Error::LimitExceeded`] (named `what`) and [`Error::Request`], converted into `E`; whatever
/// `sink` returns.
pub async fn stream_body<E: From<Error>>(
    mut resp: reqwest::Response,
    url: &str,
    limit: u64,
    what: &'static str,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<u64, E> {
    let mut total = 0u64;
    while let Some(chunk) = resp.chunk().await.map_err(|e| request_error(url, e))? {
        total = total.saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(Error::LimitExceeded(LimitExceeded::new(what, limit)).into());
        }
        sink(&chunk)?;
    }
    Ok(total)
}

/// Parses `url` as an absolute `http` or `https` URL.
///
/// # Errors
/// [`Error::InvalidUrl`].
pub fn parse_url(url: &str) -> Result<reqwest::Url, Error> {
    reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| Error::InvalidUrl { url: shown(url) })
}

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`) or `localhost`.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    let d = host.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost")
}

/// Checks that `url` may carry a secret (`what`: an identity token, credentials): `https`, or
/// plain `http` to a loopback address only.
///
/// # Errors
/// [`Error::InvalidUrl`], [`Error::InsecureUrl`].
pub fn require_confidential(url: &str, what: &'static str) -> Result<reqwest::Url, Error> {
    let parsed = parse_url(url)?;
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(Error::InsecureUrl {
            url: shown(url),
            what,
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_confidential_urls() {
        for ok in [
            "https://fulcio.sigstore.dev",
            "http://127.0.0.1:8080/",
            "http://127.1.2.3/",
            "http://[::1]:9/",
            "http://localhost:3000",
            "http://LOCALHOST./x",
            "http://a.localhost/",
        ] {
            assert!(
                require_confidential(ok, "an identity token").is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://fulcio.sigstore.dev",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            assert!(
                matches!(
                    require_confidential(bad, "an identity token"),
                    Err(Error::InsecureUrl { .. })
                ),
                "{bad}"
            );
        }
        for invalid in ["ftp://x/", "file:///etc/passwd", "not a url", "https://"] {
            assert!(
                matches!(parse_url(invalid), Err(Error::InvalidUrl { .. })),
                "{invalid}"
            );
        }
    }

    #[test]
    fn ca_pem_without_certificates_is_refused() {
        let mut o = HttpOptions::new();
        assert!(matches!(
            o.add_ca_pem(b"no pem here"),
            Err(Error::NoCaCertificate { .. })
        ));
        assert!(matches!(
            o.add_ca_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(Error::InvalidCa { .. } | Error::NoCaCertificate { .. })
        ));
        let err = o.add_ca_file(Path::new("/nonexistent/ca.pem")).unwrap_err();
        crate::assert_causes_once(err, &["reading the CA file /nonexistent/ca.pem"]);
    }

    #[test]
    fn a_client_that_trusts_nothing_still_builds() {
        // Plain http (TUF, loopback) must work on a machine without a CA bundle; https then
        // fails closed (the integration tests show `UnknownIssuer`).
        let o = HttpOptions::new().with_platform_roots(false);
        assert!(o.build().is_ok());
    }
}
