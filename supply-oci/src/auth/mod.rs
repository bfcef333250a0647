//! Registry authentication (feature `client`): `WWW-Authenticate` challenges ([`challenge`]),
//! token scopes ([`scope`]), bearer tokens from a distribution token server with a cache
//! ([`token`]), and credentials from docker's `config.json` and credential helpers
//! ([`config`]).
//!
//! What this module refuses, before anything is sent:
//! - a token realm that is not `http(s)`, carries userinfo, or names a link-local or cloud
//!   metadata address ([`check_realm`]);
//! - a plain-`http` realm for an `https` registry (a downgrade), and credentials over plain
//!   `http` to another host than the (plain-`http`) registry itself unless it is loopback;
//! - token answers over [`MAX_TOKEN_RESPONSE_LEN`](crate::limits::MAX_TOKEN_RESPONSE_LEN)
//!   bytes, that are not JSON, or whose token a header cannot carry.
//!
//! Nothing here reads the clock or the environment: the caller passes `now` and the path of
//! `config.json` (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).

pub mod challenge;
pub mod config;
pub mod scope;
pub mod token;

use std::net::IpAddr;
use std::path::PathBuf;

pub use config::{CredentialHelper, DockerConfig, DockerCredentialHelper};
pub use scope::{Action, ScopeSet};
pub use token::{fetch_token, Authenticator, Token, TokenCache, TokenRequest};

/// Errors of registry authentication.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `WWW-Authenticate` headers could not be parsed.
    #[error("parsing the registry's WWW-Authenticate challenge")]
    Challenge(#[source] challenge::Error),
    /// The token realm was refused before any request was made.
    #[error("refusing the token realm {realm}: {refusal}")]
    Realm {
        /// The realm (at most 256 characters).
        realm: String,
        /// Why.
        refusal: RealmRefusal,
    },
    /// The token request failed (transport, status, or an answer over the cap).
    #[error("requesting a token")]
    Http(#[source] supply_sig::http::Error),
    /// The token server's answer is not the token JSON.
    #[error("the token server's answer is not token JSON")]
    TokenJson(#[source] serde_json::Error),
    /// The answer has neither `token` nor `access_token`.
    #[error("the token server's answer has neither `token` nor `access_token`")]
    NoToken,
    /// The token is empty, longer than
    /// [`MAX_TOKEN_LEN`](crate::limits::MAX_TOKEN_LEN), or has characters an HTTP header
    /// cannot carry.
    #[error("the token server's token is empty, too long or not header-safe")]
    InvalidToken,
    /// The docker config file could not be read.
    #[error("reading the docker config {}", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The I/O error (or the size cap).
        #[source]
        source: std::io::Error,
    },
    /// The docker config is not valid JSON of the expected shape.
    #[error("the docker config is not valid JSON")]
    ConfigJson(#[source] serde_json::Error),
    /// An `auth` entry of the docker config is not base64 of `user:password`.
    #[error("the docker config's `auth` entry for {registry} is not base64 of user:password")]
    InvalidAuthEntry {
        /// The registry key.
        registry: String,
    },
    /// A credential helper name that is not `[A-Za-z0-9._-]+`.
    #[error("invalid credential helper name {name:?}")]
    InvalidHelperName {
        /// The name (at most 80 characters).
        name: String,
    },
    /// A credential helper could not be run or answered wrongly.
    #[error("the credential helper docker-credential-{helper} {failure}")]
    Helper {
        /// The helper name.
        helper: String,
        /// What went wrong.
        failure: HelperFailure,
    },
}

/// Why a realm was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RealmRefusal {
    /// Not an absolute `http` or `https` URL.
    NotHttp,
    /// The URL carries a user name or password.
    Userinfo,
    /// A link-local address (`169.254.0.0/16`, `fe80::/10`).
    LinkLocal,
    /// A cloud metadata service (`169.254.169.254`, `fd00:ec2::254`,
    /// `metadata.google.internal`).
    Metadata,
    /// Plain `http` for a registry reached over `https`.
    Downgrade,
    /// Credentials would go over plain `http` to a host other than the registry and not
    /// loopback.
    PlaintextCredentials,
}

impl std::fmt::Display for RealmRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotHttp => "not an http(s) URL",
            Self::Userinfo => "it carries a user name or password",
            Self::LinkLocal => "it names a link-local address",
            Self::Metadata => "it names a cloud metadata service",
            Self::Downgrade => "plain http for a registry reached over https",
            Self::PlaintextCredentials => {
                "credentials would go over plain http to another host than the registry"
            }
        })
    }
}

/// Why a credential helper failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HelperFailure {
    /// It could not be started (not installed, not executable).
    Spawn(std::io::ErrorKind),
    /// It ran longer than the timeout and was killed.
    Timeout,
    /// It exited with this status (`None`: killed by a signal).
    Exit(Option<i32>),
    /// It wrote more than [`MAX_HELPER_OUTPUT_LEN`](crate::limits::MAX_HELPER_OUTPUT_LEN).
    OutputTooLong,
    /// Its output is not the credential JSON (`ServerURL`, `Username`, `Secret`).
    BadOutput,
}

impl std::fmt::Display for HelperFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spawn(kind) => write!(f, "could not be started ({kind})"),
            Self::Timeout => f.write_str("timed out"),
            Self::Exit(Some(code)) => write!(f, "exited with status {code}"),
            Self::Exit(None) => f.write_str("was killed by a signal"),
            Self::OutputTooLong => f.write_str("wrote too much"),
            Self::BadOutput => f.write_str("answered something other than credential JSON"),
        }
    }
}

/// Registry credentials.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A user name and password (basic auth to the token server, or to the registry).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// An OAuth2 refresh token (docker's `identitytoken`): exchanged at the realm with
    /// `grant_type=refresh_token`.
    IdentityToken(String),
    /// A bearer token for the registry itself (docker's `registrytoken`): sent as is.
    RegistryToken(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Self::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
            Self::RegistryToken(_) => f.write_str("RegistryToken(<redacted>)"),
        }
    }
}

/// Checks a token `realm` announced by `registry` (the registry's base URL) before anything
/// is sent to it; `with_credentials` says whether the request will carry credentials.
///
/// # Errors
/// [`Error::Realm`] with the [`RealmRefusal`].
pub fn check_realm(
    realm: &str,
    registry: &reqwest::Url,
    with_credentials: bool,
) -> Result<reqwest::Url, Error> {
    let refuse = |refusal| Error::Realm {
        realm: supply_sig::http::shown(realm),
        refusal,
    };
    let url = supply_sig::http::parse_url(realm).map_err(|_| refuse(RealmRefusal::NotHttp))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(RealmRefusal::Userinfo));
    }
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        if let Some(r) = forbidden_ip(ip) {
            return Err(refuse(r));
        }
    } else {
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if name == "metadata.google.internal" || name == "metadata" {
            return Err(refuse(RealmRefusal::Metadata));
        }
    }
    if url.scheme() == "http" {
        if registry.scheme() != "http" {
            return Err(refuse(RealmRefusal::Downgrade));
        }
        let same_host = url.host_str() == registry.host_str()
            && url.port_or_known_default() == registry.port_or_known_default();
        if with_credentials && !same_host && !supply_sig::http::is_loopback(&url) {
            return Err(refuse(RealmRefusal::PlaintextCredentials));
        }
    }
    Ok(url)
}

fn forbidden_ip(ip: IpAddr) -> Option<RealmRefusal> {
    match ip {
        IpAddr::V4(v4) => {
            if v4.octets() == [169, 254, 169, 254] {
                Some(RealmRefusal::Metadata)
            } else if v4.is_link_local() {
                Some(RealmRefusal::LinkLocal)
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if s == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] {
                Some(RealmRefusal::Metadata)
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some(RealmRefusal::LinkLocal)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn realms_are_checked_before_use() {
        let https = url("https://registry.example.com/");
        let http = url("http://registry.example.com:5000/");
        for (realm, registry, creds) in [
            ("https://auth.example.com/token", &https, true),
            ("https://auth.example.com/token", &http, true),
            ("http://registry.example.com:5000/token", &http, true),
            ("http://auth.example.com/token", &http, false),
            ("http://127.0.0.1:9/token", &http, true),
            ("https://[2001:db8::1]/token", &https, true),
            ("https://169.253.1.1/token", &https, true),
        ] {
            assert!(check_realm(realm, registry, creds).is_ok(), "{realm}");
        }
        for (realm, registry, creds, want) in [
            (
                "ftp://auth.example.com/",
                &https,
                false,
                RealmRefusal::NotHttp,
            ),
            ("not a url", &https, false, RealmRefusal::NotHttp),
            (
                "https://u:p@auth.example.com/",
                &https,
                false,
                RealmRefusal::Userinfo,
            ),
            (
                "https://u@auth.example.com/",
                &https,
                false,
                RealmRefusal::Userinfo,
            ),
            (
                "http://169.254.169.254/latest",
                &http,
                false,
                RealmRefusal::Metadata,
            ),
            (
                "https://169.254.169.254/latest",
                &https,
                false,
                RealmRefusal::Metadata,
            ),
            (
                "https://169.254.10.1/",
                &https,
                false,
                RealmRefusal::LinkLocal,
            ),
            ("https://[fe80::1]/", &https, false, RealmRefusal::LinkLocal),
            ("https://[febf::1]/", &https, false, RealmRefusal::LinkLocal),
            (
                "https://[fd00:ec2::254]/",
                &https,
                false,
                RealmRefusal::Metadata,
            ),
            (
                "https://[::ffff:169.254.169.254]/",
                &https,
                false,
                RealmRefusal::Metadata,
            ),
            (
                "https://metadata.google.internal./x",
                &https,
                false,
                RealmRefusal::Metadata,
            ),
            (
                "http://auth.example.com/token",
                &https,
                false,
                RealmRefusal::Downgrade,
            ),
            (
                "http://127.0.0.1/token",
                &https,
                false,
                RealmRefusal::Downgrade,
            ),
            (
                "http://auth.example.com/token",
                &http,
                true,
                RealmRefusal::PlaintextCredentials,
            ),
            (
                "http://registry.example.com/token",
                &http,
                true,
                RealmRefusal::PlaintextCredentials,
            ),
        ] {
            match check_realm(realm, registry, creds) {
                Err(Error::Realm { refusal, .. }) => assert_eq!(refusal, want, "{realm}"),
                other => panic!("{realm}: {other:?}"),
            }
        }
    }

    #[test]
    fn credentials_do_not_print_secrets() {
        let c = Credential::Basic {
            username: "me".into(),
            password: "hunter2".into(),
        };
        let shown = format!(
            "{c:?} {:?} {:?}",
            Credential::IdentityToken("s3cr3t-id".into()),
            Credential::RegistryToken("s3cr3t-rt".into())
        );
        assert!(shown.contains("me"));
        for secret in ["hunter2", "s3cr3t"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
