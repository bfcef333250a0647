//! Image references: `[host[:port]/]repository[:tag][@digest]`, parsed with the grammar of
//! docker/distribution's `reference` package and normalized as `ParseNormalizedNamed` does.
//!
//! - The **domain** is the first `/`-separated component when it contains `.` or `:`, is
//!   `localhost`, or has an uppercase letter; otherwise the reference names Docker Hub
//!   (`docker.io`, served at [`DOCKER_HUB_REGISTRY`]) and a single-component name gets the
//!   `library/` prefix (`alpine` is `docker.io/library/alpine`). `index.docker.io` is
//!   `docker.io`. A domain is DNS labels (letters, digits, inner `-`) or an IPv6 address in
//!   brackets, with an optional numeric port.
//! - The **repository path** is `/`-separated components of lowercase letters and digits,
//!   joined inside a component by `.`, `_`, `__` or a run of `-`. The whole name (domain, `/`
//!   and path) is at most [`MAX_NAME_LEN`] characters.
//! - The **tag** is `[\w][\w.-]{0,127}`.
//! - The **digest** is a [`Digest`]: a known algorithm and its exact number of lowercase hex
//!   digits.
//!
//! [`Display`](fmt::Display) prints the normalized form (`docker.io/library/alpine:3.20`),
//! which parses back to the same reference; [`Reference::familiar`] prints the short form
//! the docker CLI shows (`alpine:3.20`), which also parses back to it.
//!
//! ```
//! use supply_oci::reference::Reference;
//!
//! let r: Reference = "alpine:3.20".parse()?;
//! assert_eq!(r.domain(), "docker.io");
//! assert_eq!(r.registry(), "registry-1.docker.io");
//! assert_eq!(r.repository(), "library/alpine");
//! assert_eq!(r.tag(), Some("3.20"));
//! assert_eq!(r.to_string(), "docker.io/library/alpine:3.20");
//! assert_eq!(r.familiar(), "alpine:3.20");
//!
//! let r: Reference = "[::1]:5000/team/app@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff".parse()?;
//! assert_eq!(r.domain(), "[::1]:5000");
//! assert!(r.digest().is_some());
//! # Ok::<(), supply_oci::reference::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use supply_sig::digest::Digest;

pub use crate::limits::{MAX_NAME_LEN, MAX_REFERENCE_LEN, MAX_TAG_LEN};

/// The domain of Docker Hub in normalized references.
pub const DOCKER_HUB_DOMAIN: &str = "docker.io";

/// The legacy domain of Docker Hub, normalized to [`DOCKER_HUB_DOMAIN`].
pub const DOCKER_HUB_LEGACY_DOMAIN: &str = "index.docker.io";

/// The host that serves the registry API of Docker Hub.
pub const DOCKER_HUB_REGISTRY: &str = "registry-1.docker.io";

/// The path prefix of Docker Hub's official images.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";

/// Why a reference was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reference is empty (or has an empty name before `:` or `@`).
    #[error("the reference has no repository name")]
    Empty,
    /// The reference is longer than [`MAX_REFERENCE_LEN`] bytes.
    #[error("the reference is {len} bytes long, more than the {MAX_REFERENCE_LEN} accepted")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The name (domain, `/` and path) is longer than [`MAX_NAME_LEN`] characters.
    #[error("the repository name is {len} characters long, more than the {MAX_NAME_LEN} allowed")]
    NameTooLong {
        /// Its length.
        len: usize,
    },
    /// The domain is not a host name or bracketed IPv6 address with an optional numeric port.
    #[error("invalid registry domain {domain:?}")]
    InvalidDomain {
        /// The domain (at most 80 characters of it).
        domain: String,
    },
    /// A repository path component is empty or not `[a-z0-9]+` joined by `.`, `_`, `__` or
    /// `-`s.
    #[error("invalid repository path component {component:?}")]
    InvalidPathComponent {
        /// The component (at most 80 characters of it).
        component: String,
    },
    /// The repository path has uppercase letters (it would be valid in lowercase).
    #[error("the repository name {path:?} must be lowercase")]
    Uppercase {
        /// The path (at most 80 characters of it).
        path: String,
    },
    /// The tag is not `[\w][\w.-]{0,127}`.
    #[error("invalid tag {tag:?}")]
    InvalidTag {
        /// The tag (at most 80 characters of it).
        tag: String,
    },
    /// The part after `@` is not of the digest form `algorithm:hex` (32 hex digits at least).
    #[error("the part after `@` is not a digest")]
    InvalidDigestFormat,
    /// The digest has the digest form but is not one [`Digest`] accepts (an unknown
    /// algorithm, the wrong length, uppercase hex).
    #[error("unusable digest")]
    Digest(#[source] supply_sig::digest::Error),
    /// The whole reference is 64 hex digits: an image ID, not a repository name.
    #[error("a 64-digit hex string is an image ID, not a repository name")]
    ImageId,
}

/// A parsed, normalized image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses `s` (normalizing Docker Hub names). Never panics, whatever `s` holds.
    ///
    /// # Errors
    /// Every [`Error`] variant names what is wrong.
    pub fn parse(s: &str) -> Result<Self, Error> {
        if s.len() > MAX_REFERENCE_LEN {
            return Err(Error::TooLong { len: s.len() });
        }
        if s.is_empty() {
            return Err(Error::Empty);
        }
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(Error::ImageId);
        }
        // `@` cannot appear in a name or a tag: the first one starts the digest.
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => (rest, Some(parse_digest(d)?)),
            None => (s, None),
        };
        // A `:` after the last `/` starts the tag (one before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => {
                let at = last_slash + i;
                (&rest[..at], Some(&rest[at + 1..]))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(Error::Empty);
        }
        if let Some(t) = tag {
            if !is_tag(t) {
                return Err(Error::InvalidTag { tag: shown(t) });
            }
        }
        let (domain, path) = split_domain(name);
        if !is_domain(domain) {
            return Err(Error::InvalidDomain {
                domain: shown(domain),
            });
        }
        let domain = if domain == DOCKER_HUB_LEGACY_DOMAIN {
            DOCKER_HUB_DOMAIN
        } else {
            domain
        };
        let path = if domain == DOCKER_HUB_DOMAIN && !path.contains('/') {
            format!("{OFFICIAL_REPO_PREFIX}{path}")
        } else {
            path.to_owned()
        };
        check_path(&path)?;
        let len = domain.len() + 1 + path.len();
        if len > MAX_NAME_LEN {
            return Err(Error::NameTooLong { len });
        }
        Ok(Self {
            domain: domain.to_owned(),
            path,
            tag: tag.map(str::to_owned),
            digest,
        })
    }

    /// The domain as written, with its port (`docker.io`, `ghcr.io`, `localhost:5000`,
    /// `[::1]:5000`).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The host (and port) that serves the registry API: the domain, except
    /// [`DOCKER_HUB_REGISTRY`] for Docker Hub.
    pub fn registry(&self) -> &str {
        if self.domain == DOCKER_HUB_DOMAIN {
            DOCKER_HUB_REGISTRY
        } else {
            &self.domain
        }
    }

    /// The repository path inside the registry (`library/alpine`, `team/app`).
    pub fn repository(&self) -> &str {
        &self.path
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The full name: domain, `/`, repository path.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The same repository with `tag` instead of the tag and digest.
    ///
    /// # Errors
    /// [`Error::InvalidTag`].
    pub fn with_tag(&self, tag: &str) -> Result<Self, Error> {
        if !is_tag(tag) {
            return Err(Error::InvalidTag { tag: shown(tag) });
        }
        Ok(Self {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.clone()
        })
    }

    /// The same repository with `digest` instead of the tag and digest.
    #[must_use]
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self {
            tag: None,
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// What to ask the registry for: the digest when there is one, else the tag, else
    /// `latest`.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The short form the docker CLI shows: without `docker.io/` and `library/` for Docker
    /// Hub, the normalized form otherwise. It parses back to the same reference.
    pub fn familiar(&self) -> String {
        // A Docker Hub path whose first component looks like a domain
        // (`docker.io/a.b/c`) keeps `docker.io/`: without it the text names another registry.
        let hub_path_reads_as_domain = split_domain(&self.path).1.len() != self.path.len();
        let mut out = if self.domain == DOCKER_HUB_DOMAIN && !hub_path_reads_as_domain {
            match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
                Some(rest) if !rest.contains('/') => rest.to_owned(),
                _ => self.path.clone(),
            }
        } else {
            self.name()
        };
        push_suffix(&mut out, self.tag.as_deref(), self.digest.as_ref());
        out
    }
}

fn push_suffix(out: &mut String, tag: Option<&str>, digest: Option<&Digest>) {
    if let Some(t) = tag {
        out.push(':');
        out.push_str(t);
    }
    if let Some(d) = digest {
        out.push('@');
        out.push_str(&d.to_string());
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name();
        push_suffix(&mut out, self.tag.as_deref(), self.digest.as_ref());
        f.write_str(&out)
    }
}

impl FromStr for Reference {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// The tag under which registries without the Referrers API keep the referrers index of
/// `digest` (distribution-spec, "Referrers Tag Schema"): `<algorithm>-<encoded>`, the
/// algorithm cut to 32 characters and the encoded part to 64
/// (`sha256-ba7816bf…`).
pub fn referrers_tag(digest: &Digest) -> String {
    let alg: String = digest.algorithm().to_string().chars().take(32).collect();
    let hex: String = digest.hex().chars().take(64).collect();
    format!("{alg}-{hex}")
}

/// Splits the domain off `name` as docker's `splitDockerDomain` does; Docker Hub when the
/// first component is not a domain.
fn split_domain(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (first, rest)
        }
        _ => (DOCKER_HUB_DOMAIN, name),
    }
}

/// `host(:port)?` with `host` DNS labels or `[ipv6]`.
fn is_domain(d: &str) -> bool {
    let (host, port) = if let Some(inner) = d.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return false;
        };
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        match after {
            "" => (d, None),
            p => match p.strip_prefix(':') {
                Some(port) => (d, Some(port)),
                None => return false,
            },
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => {
                if !h.split('.').all(is_domain_label) {
                    return false;
                }
                (h, Some(p))
            }
            None => {
                if !d.split('.').all(is_domain_label) {
                    return false;
                }
                (d, None)
            }
        }
    };
    !host.is_empty() && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_label(l: &str) -> bool {
    let b = l.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(e)) => {
            f.is_ascii_alphanumeric()
                && e.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        // A run of alphanumerics.
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        // A separator.
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

fn check_path(path: &str) -> Result<(), Error> {
    for c in path.split('/') {
        if !is_path_component(c) {
            if is_path_component(&c.to_ascii_lowercase()) {
                return Err(Error::Uppercase { path: shown(path) });
            }
            return Err(Error::InvalidPathComponent {
                component: shown(c),
            });
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG_LEN
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`, then [`Digest`].
fn parse_digest(d: &str) -> Result<Digest, Error> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err(Error::InvalidDigestFormat);
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        let b = c.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(u8::is_ascii_alphanumeric)
    });
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidDigestFormat);
    }
    Digest::parse(d).map_err(Error::Digest)
}

/// Keeps error messages bounded when they echo hostile input.
fn shown(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const F64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    /// What a case expects: `Ok((domain, path, tag, digest))` or the error it names.
    type Expect =
        Result<(&'static str, &'static str, Option<&'static str>, bool), fn(&Error) -> bool>;

    fn ok(
        domain: &'static str,
        path: &'static str,
        tag: Option<&'static str>,
        digest: bool,
    ) -> Expect {
        Ok((domain, path, tag, digest))
    }

    /// The cases of docker/distribution's `reference_test.go` (`TestReferenceParse`, with the
    /// domains and paths `ParseNormalizedNamed` gives) and `normalize_test.go`.
    #[test]
    fn the_distribution_grammar_cases() {
        let sha = format!("sha256:{F64}");
        let sha512 = format!("sha512:{F64}{F64}");
        let long_ok = format!("{}a:tag-puts-this-over-max", "a/".repeat(122));
        let long_bad = format!("{}a:tag", "a/".repeat(128));
        let long_tag = format!("foo:{}", "a".repeat(128));
        let too_long_tag = format!("foo:{}", "a".repeat(129));
        let cases: Vec<(String, Expect)> = vec![
            (
                "test_com".into(),
                ok("docker.io", "library/test_com", None, false),
            ),
            (
                "test.com:tag".into(),
                ok("docker.io", "library/test.com", Some("tag"), false),
            ),
            (
                "test.com:5000".into(),
                ok("docker.io", "library/test.com", Some("5000"), false),
            ),
            (
                "test.com/repo:tag".into(),
                ok("test.com", "repo", Some("tag"), false),
            ),
            (
                "test:5000/repo".into(),
                ok("test:5000", "repo", None, false),
            ),
            (
                "test:5000/repo:tag".into(),
                ok("test:5000", "repo", Some("tag"), false),
            ),
            (
                format!("test:5000/repo@{sha}"),
                ok("test:5000", "repo", None, true),
            ),
            (
                format!("test:5000/repo:tag@{sha}"),
                ok("test:5000", "repo", Some("tag"), true),
            ),
            ("".into(), Err(|e| matches!(e, Error::Empty))),
            (":justtag".into(), Err(|e| matches!(e, Error::Empty))),
            (format!("@{sha}"), Err(|e| matches!(e, Error::Empty))),
            (
                format!("repo@{sha}"),
                ok("docker.io", "library/repo", None, true),
            ),
            (
                format!("validname@invaliddigest:{F64}"),
                Err(|e| matches!(e, Error::Digest(_))),
            ),
            (
                "Uppercase:tag".into(),
                Err(|e| matches!(e, Error::Uppercase { .. })),
            ),
            (
                "test:5000/Uppercase/lowercase:tag".into(),
                Err(|e| matches!(e, Error::Uppercase { .. })),
            ),
            (
                "lowercase:Uppercase".into(),
                ok("docker.io", "library/lowercase", Some("Uppercase"), false),
            ),
            (long_bad, Err(|e| matches!(e, Error::NameTooLong { .. }))),
            (
                long_ok,
                Ok(("docker.io", "", Some("tag-puts-this-over-max"), false)),
            ),
            (
                "aa/asdf$$^/aa".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "sub-dom1.foo.com/bar/baz/quux".into(),
                ok("sub-dom1.foo.com", "bar/baz/quux", None, false),
            ),
            (
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
                ok(
                    "sub-dom1.foo.com",
                    "bar/baz/quux",
                    Some("some-long-tag"),
                    false,
                ),
            ),
            (
                "b.gcr.io/test.example.com/my-app:test.example.com".into(),
                ok(
                    "b.gcr.io",
                    "test.example.com/my-app",
                    Some("test.example.com"),
                    false,
                ),
            ),
            (
                "xn--n3h.com/myimage:xn--n3h.com".into(),
                ok("xn--n3h.com", "myimage", Some("xn--n3h.com"), false),
            ),
            (
                format!("xn--7o8h.com/myimage:xn--7o8h.com@{sha512}"),
                ok("xn--7o8h.com", "myimage", Some("xn--7o8h.com"), true),
            ),
            (
                "foo_bar.com:8080".into(),
                ok("docker.io", "library/foo_bar.com", Some("8080"), false),
            ),
            (
                "foo/foo_bar.com:8080".into(),
                ok("docker.io", "foo/foo_bar.com", Some("8080"), false),
            ),
            (
                "192.168.1.1".into(),
                ok("docker.io", "library/192.168.1.1", None, false),
            ),
            (
                "192.168.1.1:tag".into(),
                ok("docker.io", "library/192.168.1.1", Some("tag"), false),
            ),
            (
                "192.168.1.1:5000".into(),
                ok("docker.io", "library/192.168.1.1", Some("5000"), false),
            ),
            (
                "192.168.1.1/repo".into(),
                ok("192.168.1.1", "repo", None, false),
            ),
            (
                "192.168.1.1:5000/repo".into(),
                ok("192.168.1.1:5000", "repo", None, false),
            ),
            (
                "192.168.1.1:5000/repo:5050".into(),
                ok("192.168.1.1:5000", "repo", Some("5050"), false),
            ),
            (
                "[2001:db8::1]".into(),
                Err(|e| matches!(e, Error::InvalidTag { .. })),
            ),
            (
                "[2001:db8::1]:5000".into(),
                Err(|e| matches!(e, Error::InvalidTag { .. })),
            ),
            (
                "[2001:db8::1]:tag".into(),
                Err(|e| matches!(e, Error::InvalidTag { .. })),
            ),
            (
                "[2001:db8::1]/repo".into(),
                ok("[2001:db8::1]", "repo", None, false),
            ),
            (
                "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
                ok("[2001:db8:1:2:3:4:5:6]", "repo", Some("tag"), false),
            ),
            (
                "[2001:db8::1]:5000/repo".into(),
                ok("[2001:db8::1]:5000", "repo", None, false),
            ),
            (
                "[2001:db8::1]:5000/repo:tag".into(),
                ok("[2001:db8::1]:5000", "repo", Some("tag"), false),
            ),
            (
                format!("[2001:db8::1]:5000/repo@{sha}"),
                ok("[2001:db8::1]:5000", "repo", None, true),
            ),
            (
                format!("[2001:db8::1]:5000/repo:tag@{sha}"),
                ok("[2001:db8::1]:5000", "repo", Some("tag"), true),
            ),
            (
                "[2001:db8::]:5000/repo".into(),
                ok("[2001:db8::]:5000", "repo", None, false),
            ),
            (
                "[::1]:5000/repo".into(),
                ok("[::1]:5000", "repo", None, false),
            ),
            (
                "[fe80::1%eth0]:5000/repo".into(),
                Err(|e| matches!(e, Error::InvalidDomain { .. })),
            ),
            (
                "[fe80::1%@invalidzone]:5000/repo".into(),
                Err(|e| matches!(e, Error::Empty | Error::InvalidDigestFormat)),
            ),
            // normalize_test.go
            (
                "docker.io/library/foo".into(),
                ok("docker.io", "library/foo", None, false),
            ),
            (
                "docker.io/foo".into(),
                ok("docker.io", "library/foo", None, false),
            ),
            (
                "index.docker.io/foo/bar".into(),
                ok("docker.io", "foo/bar", None, false),
            ),
            ("localhost/foo".into(), ok("localhost", "foo", None, false)),
            (
                "localhost:5000/foo/bar:1".into(),
                ok("localhost:5000", "foo/bar", Some("1"), false),
            ),
            (F64.into(), Err(|e| matches!(e, Error::ImageId))),
            ("Docker/docker".into(), ok("Docker", "docker", None, false)),
            (
                "docker/Docker".into(),
                Err(|e| matches!(e, Error::Uppercase { .. })),
            ),
            (
                "-docker".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "docker-".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "docker///docker".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "docker.io/docker/Docker".into(),
                Err(|e| matches!(e, Error::Uppercase { .. })),
            ),
            // Separators: `.`, `_`, `__`, runs of `-`; not `___`, `..`, `._`.
            (
                "a__b/c---d/e.f".into(),
                ok("docker.io", "a__b/c---d/e.f", None, false),
            ),
            (
                "a___b".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "a..b".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            (
                "a._b".into(),
                Err(|e| matches!(e, Error::InvalidPathComponent { .. })),
            ),
            // Tags: up to 128 characters, not starting with `.` or `-`.
            (long_tag, ok("docker.io", "library/foo", Some(""), false)),
            (too_long_tag, Err(|e| matches!(e, Error::InvalidTag { .. }))),
            (
                "foo:.x".into(),
                Err(|e| matches!(e, Error::InvalidTag { .. })),
            ),
            (
                "foo:-x".into(),
                Err(|e| matches!(e, Error::InvalidTag { .. })),
            ),
            (
                "foo:_x.y-Z".into(),
                ok("docker.io", "library/foo", Some("_x.y-Z"), false),
            ),
            // Domains: labels do not start or end with `-`; ports are numeric.
            (
                "-a.com/foo".into(),
                Err(|e| matches!(e, Error::InvalidDomain { .. })),
            ),
            (
                "a-.com/foo".into(),
                Err(|e| matches!(e, Error::InvalidDomain { .. })),
            ),
            (
                "a.com:/foo".into(),
                Err(|e| matches!(e, Error::InvalidDomain { .. })),
            ),
            (
                "a.com:50x/foo".into(),
                Err(|e| matches!(e, Error::InvalidDomain { .. })),
            ),
            // Digests: too short for the form; a known algorithm with the wrong length or case.
            (
                "foo@sha256:abc".into(),
                Err(|e| matches!(e, Error::InvalidDigestFormat)),
            ),
            (
                format!("foo@sha256:{F64}ff"),
                Err(|e| matches!(e, Error::Digest(_))),
            ),
            (
                format!("foo@sha256:{}", F64.to_uppercase()),
                Err(|e| matches!(e, Error::Digest(_))),
            ),
            (
                "foo@".into(),
                Err(|e| matches!(e, Error::InvalidDigestFormat)),
            ),
            (
                format!("foo@sha256:{F64}@sha256:{F64}"),
                Err(|e| matches!(e, Error::InvalidDigestFormat)),
            ),
        ];
        for (input, expect) in &cases {
            let got = Reference::parse(input);
            match (expect, &got) {
                (Ok((domain, path, tag, digest)), Ok(r)) => {
                    assert_eq!(r.domain(), *domain, "{input}");
                    if !path.is_empty() {
                        assert_eq!(r.repository(), *path, "{input}");
                    }
                    if *tag != Some("") {
                        assert_eq!(r.tag(), *tag, "{input}");
                    }
                    assert_eq!(r.digest().is_some(), *digest, "{input}");
                    // Both printed forms parse back to the same reference.
                    assert_eq!(&Reference::parse(&r.to_string()).unwrap(), r, "{input}");
                    assert_eq!(&Reference::parse(&r.familiar()).unwrap(), r, "{input}");
                }
                (Err(is), Err(e)) => assert!(is(e), "{input}: {e:?}"),
                _ => panic!(
                    "{input}: expected {}, got {got:?}",
                    if expect.is_ok() { "Ok" } else { "Err" }
                ),
            }
        }
    }

    #[test]
    fn printed_forms() {
        let r = Reference::parse(&format!("ubuntu:24.04@sha256:{F64}")).unwrap();
        assert_eq!(
            r.to_string(),
            format!("docker.io/library/ubuntu:24.04@sha256:{F64}")
        );
        assert_eq!(r.familiar(), format!("ubuntu:24.04@sha256:{F64}"));
        assert_eq!(r.manifest_reference(), format!("sha256:{F64}"));
        assert_eq!(r.registry(), DOCKER_HUB_REGISTRY);
        let r = Reference::parse("docker.io/library/a/b").unwrap();
        assert_eq!(r.familiar(), "library/a/b");
        // Found by the oci_reference fuzz target: a Docker Hub path that starts like a domain
        // must keep `docker.io/` in its familiar form, or it reads as another registry.
        let r = Reference::parse("docker.io/lidocker.io/libr0").unwrap();
        assert_eq!(r.familiar(), "docker.io/lidocker.io/libr0");
        assert_eq!(Reference::parse(&r.familiar()).unwrap(), r);
        let r = Reference::parse("docker.io/docker.io/x").unwrap();
        assert_eq!(r.familiar(), "docker.io/docker.io/x");
        assert_eq!(Reference::parse(&r.familiar()).unwrap(), r);
        let r = Reference::parse("ghcr.io/o/r").unwrap();
        assert_eq!(r.familiar(), "ghcr.io/o/r");
        assert_eq!(r.registry(), "ghcr.io");
        assert_eq!(r.manifest_reference(), "latest");
        assert_eq!(r.with_tag("v1").unwrap().to_string(), "ghcr.io/o/r:v1");
        assert!(matches!(r.with_tag("-x"), Err(Error::InvalidTag { .. })));
        let d = Digest::parse(&format!("sha256:{F64}")).unwrap();
        assert_eq!(
            r.with_digest(d).to_string(),
            format!("ghcr.io/o/r@sha256:{F64}")
        );
    }

    #[test]
    fn referrers_fallback_tags() {
        let d = Digest::parse(&format!("sha256:{F64}")).unwrap();
        assert_eq!(referrers_tag(&d), format!("sha256-{F64}"));
        let d = Digest::parse(&format!("sha512:{}", "a".repeat(128))).unwrap();
        assert_eq!(referrers_tag(&d), format!("sha512-{}", "a".repeat(64)));
        // A valid tag in every case.
        assert!(is_tag(&referrers_tag(&d)));
    }

    #[test]
    fn hostile_input_never_panics() {
        let long = "a".repeat(MAX_REFERENCE_LEN + 1);
        assert!(matches!(
            Reference::parse(&long),
            Err(Error::TooLong { .. })
        ));
        for s in [
            "@", ":", "/", "//", "[", "[]", "[]/a", "[:/a", "a/[", "é/a", "a/é", "a:é", "a@é:0",
            "::::", "a:b:c", "a/b:c/d", "\0", "a@b@c", "[::1]:/a", "[::1]x/a", "a.:1/b",
        ] {
            let _ = Reference::parse(s);
        }
        // Every prefix of a valid reference, byte by byte (splitting UTF-8 is not possible
        // here: the input is ASCII).
        let full = format!("[2001:db8::1]:5000/a__b/c---d:tag@sha256:{F64}");
        for i in 0..=full.len() {
            let _ = Reference::parse(&full[..i]);
        }
    }
}
