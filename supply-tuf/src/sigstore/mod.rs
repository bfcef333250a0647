//! Sigstore's trust material through TUF (feature `sigstore`), the way cosign and
//! sigstore-python get it: `trusted_root.json` and `signing_config.v0.2.json` are TUF targets of
//! the instance's TUF repository, verified from an embedded root.
//!
//! - [`Repository`]: which TUF repository (the public-good instance, staging, a mirror of the
//!   public-good instance, or a custom one) and which initial root anchors it.
//! - [`Cache`]: a per-user cache directory (`$XDG_CACHE_HOME/supply/sigstore-tuf/<url>/`).
//! - [`refresh`]: online, over any [`AsyncTransport`]: the TUF refresh, then the two targets
//!   (from the cache when they still match the targets metadata, else downloaded).
//! - [`load_offline`]: the cache alone, no network, still verified in full.
//!
//! **The cache is never a trust anchor.** Every load starts from the repository's initial root
//! (embedded, or given by the caller) and walks the cached root history (`N.root.json`) from it;
//! timestamp, snapshot and targets metadata are verified again against that chain at `now`, and
//! cached targets against the targets metadata's length and hashes. A tampered cached file is
//! fetched again online and refused offline. Files are written atomically (a new temporary file
//! in the same directory, then a rename), so two processes sharing one cache never see a half
//! written file; whatever one of them reads is verified before use.
//!
//! Verification never reads the clock: the caller passes `now`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), supply_tuf::sigstore::Error> {
//! use supply_tuf::client::http::HttpTransport;
//! use supply_tuf::sigstore::{self, Cache, Repository};
//! use supply_tuf::time::Timestamp;
//!
//! let repo = Repository::production();
//! let cache = Cache::default_for(&repo)?;
//! let now = Timestamp::from_system_time(std::time::SystemTime::now());
//! let mut transport = repo.transport()?;
//! let trust = sigstore::refresh(&repo, &cache, now, &supply_tuf::RUSTCRYPTO, &mut transport).await?;
//! println!("{} transparency logs", trust.trusted_root.tlogs().len());
//! // Later, without network:
//! let again = sigstore::load_offline(&repo, &cache, now, &supply_tuf::RUSTCRYPTO)?;
//! assert_eq!(again.trusted_root_json, trust.trusted_root_json);
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use supply_sig::crypto::Provider;
use supply_sig::digest::Algorithm;
use supply_sig::sigstore::trust_root::{self, SigningConfig, TrustedRoot};

use crate::client::http::{self, AsyncTransport, HttpOptions, HttpTransport, Timeouts};
use crate::client::{self, local, Config, FileKind, MetadataStore, TargetInfo, Transport, Updater};
use crate::limits;
use crate::metadata::bounded;
use crate::names;
use crate::time::Timestamp;

/// The TUF repository of the Sigstore public-good instance.
pub const PRODUCTION_URL: &str = "https://tuf-repo-cdn.sigstore.dev";
/// The TUF repository of the Sigstore staging instance.
pub const STAGING_URL: &str = "https://tuf-repo-cdn.sigstage.dev";
/// The embedded initial root of [`PRODUCTION_URL`] (version 15, from sigstore/root-signing as
/// sigstore-python 4.5.1 ships it; see `src/sigstore/roots/README.md`).
pub const PRODUCTION_ROOT: &[u8] = include_bytes!("roots/production.root.json");
/// The embedded initial root of [`STAGING_URL`] (version 14, from
/// sigstore/root-signing-staging as sigstore-python 4.5.1 ships it).
pub const STAGING_ROOT: &[u8] = include_bytes!("roots/staging.root.json");
/// The TUF target holding the Sigstore trusted root.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// The TUF target holding the signing config v0.2 (optional: older repositories lack it).
pub const SIGNING_CONFIG_TARGET: &str = "signing_config.v0.2.json";

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The initial root (embedded or given) does not parse or is not signed by its own keys.
    #[error("the initial TUF root is not valid")]
    InvalidInitialRoot(#[source] Box<client::Error>),
    /// The HTTP transport could not be built (a base URL that is not absolute `http(s)`).
    #[error("cannot reach the TUF repository {url}")]
    Transport {
        /// The repository base URL (at most 64 characters).
        url: String,
        /// Why.
        #[source]
        source: Box<client::Error>,
    },
    /// The online refresh failed: network, or metadata that does not verify (expired,
    /// rolled back, badly signed).
    #[error("updating the TUF metadata of {url} failed")]
    Refresh {
        /// The repository base URL (at most 64 characters).
        url: String,
        /// Why.
        #[source]
        source: Box<client::Error>,
    },
    /// Offline: the cache holds no metadata for this repository.
    #[error("no cached TUF metadata in {dir} (one online refresh is needed first)")]
    CacheMissing {
        /// The cache directory.
        dir: PathBuf,
    },
    /// Offline: cached metadata has expired at the reference time (fail closed).
    #[error("the cached {role} metadata expired at {expires} (an online refresh is needed)")]
    CacheExpired {
        /// The role.
        role: String,
        /// Its `expires`.
        expires: String,
    },
    /// Offline: cached metadata is incomplete or does not verify from the initial root.
    #[error("the cached TUF metadata in {dir} does not verify")]
    CacheInvalid {
        /// The cache directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: Box<client::Error>,
    },
    /// Offline: a cached target is missing or does not match the targets metadata.
    #[error("the cached target {target} is missing or does not match its TUF metadata")]
    CachedTargetInvalid {
        /// The target name.
        target: String,
    },
    /// The repository does not list a required target.
    #[error("the TUF repository does not list {target}")]
    TargetNotListed {
        /// The target name.
        target: String,
    },
    /// A target could not be looked up or downloaded, or does not match its metadata.
    #[error("fetching the TUF target {target} failed")]
    Target {
        /// The target name.
        target: String,
        /// Why.
        #[source]
        source: Box<client::Error>,
    },
    /// The verified `trusted_root.json` is not a valid trusted root.
    #[error("the TUF target {TRUSTED_ROOT_TARGET} is not a valid trusted root")]
    TrustedRoot(#[source] trust_root::Error),
    /// The verified `signing_config.v0.2.json` is not a valid signing config.
    #[error("the TUF target {SIGNING_CONFIG_TARGET} is not a valid signing config")]
    SigningConfig(#[source] trust_root::Error),
    /// No cache directory was given and neither `XDG_CACHE_HOME` nor `HOME` names one.
    #[error("no cache directory: neither XDG_CACHE_HOME nor HOME is set to an absolute path")]
    NoCacheDir,
    /// The cache directory could not be created or written.
    #[error("cache I/O on {path} failed")]
    CacheIo {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A Sigstore TUF repository: its base URL (metadata at the base, targets at `<base>/targets`)
/// and the initial root that anchors it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    base_url: String,
    root: Cow<'static, [u8]>,
}

impl Repository {
    /// The public-good instance: [`PRODUCTION_URL`] anchored by [`PRODUCTION_ROOT`].
    pub fn production() -> Self {
        Self::mirror(PRODUCTION_URL)
    }

    /// The staging instance: [`STAGING_URL`] anchored by [`STAGING_ROOT`].
    pub fn staging() -> Self {
        Self {
            base_url: STAGING_URL.to_owned(),
            root: Cow::Borrowed(STAGING_ROOT),
        }
    }

    /// A mirror of the public-good repository at `base_url`, still anchored by the embedded
    /// [`PRODUCTION_ROOT`] (a mirror can withhold updates, never forge them).
    pub fn mirror(base_url: &str) -> Self {
        Self {
            base_url: trim_slash(base_url),
            root: Cow::Borrowed(PRODUCTION_ROOT),
        }
    }

    /// Another repository at `base_url`, anchored by `initial_root` (the bytes of a TUF root
    /// the caller trusts, e.g. a private instance's `1.root.json`).
    pub fn custom(base_url: &str, initial_root: Vec<u8>) -> Self {
        Self {
            base_url: trim_slash(base_url),
            root: Cow::Owned(initial_root),
        }
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The metadata base URL (the base URL itself).
    pub fn metadata_url(&self) -> &str {
        &self.base_url
    }

    /// The targets base URL: `<base>/targets`.
    pub fn targets_url(&self) -> String {
        format!("{}/targets", self.base_url)
    }

    /// The initial root's bytes.
    pub fn initial_root(&self) -> &[u8] {
        &self.root
    }

    /// The name of this repository's cache directory: the base URL percent-encoded into one
    /// path component (`https%3A%2F%2Ftuf-repo-cdn.sigstore.dev`, as sigstore-python names
    /// it), or `sha256-<hex of the URL>` when that is longer than
    /// [`limits::MAX_CACHE_DIR_NAME_LEN`].
    pub fn cache_name(&self) -> String {
        let name = names::encode_role_name(&self.base_url);
        if name.len() <= limits::MAX_CACHE_DIR_NAME_LEN {
            name
        } else {
            format!(
                "sha256-{}",
                Algorithm::Sha256.digest(self.base_url.as_bytes()).hex()
            )
        }
    }

    /// An HTTP transport for this repository with the default [`Timeouts`].
    ///
    /// # Errors
    /// [`Error::Transport`] for a base URL that is not absolute `http(s)`.
    pub fn transport(&self) -> Result<HttpTransport, Error> {
        self.transport_with_timeouts(Timeouts::default())
    }

    /// An HTTP transport for this repository with other time bounds.
    ///
    /// # Errors
    /// As [`transport`](Self::transport).
    pub fn transport_with_timeouts(&self, timeouts: Timeouts) -> Result<HttpTransport, Error> {
        self.transport_with_options(&HttpOptions::new().with_timeouts(timeouts))
    }

    /// An HTTP transport for this repository on the shared HTTPS client built from `options`
    /// (a private CA, timeouts).
    ///
    /// # Errors
    /// As [`transport`](Self::transport).
    pub fn transport_with_options(&self, options: &HttpOptions) -> Result<HttpTransport, Error> {
        HttpTransport::with_options(self.metadata_url(), &self.targets_url(), options).map_err(
            |source| Error::Transport {
                url: bounded(&self.base_url),
                source: Box::new(source),
            },
        )
    }
}

fn trim_slash(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// The cache directory of one repository: verified metadata at the top (`N.root.json` for
/// every root walked, `timestamp.json`, `snapshot.json`, `targets.json`, delegated roles),
/// verified targets in `targets/`. Untrusted on every read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Exactly `dir` (created on the first online refresh).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `<base>/<repository cache name>` ([`Repository::cache_name`]): many repositories can
    /// share one base directory.
    pub fn under(base: &Path, repo: &Repository) -> Self {
        Self::new(base.join(repo.cache_name()))
    }

    /// The per-user default: `$XDG_CACHE_HOME/supply/sigstore-tuf/<cache name>`, or
    /// `$HOME/.cache/supply/sigstore-tuf/<cache name>` when `XDG_CACHE_HOME` is unset, empty or
    /// relative (as the XDG base directory specification says).
    ///
    /// # Errors
    /// [`Error::NoCacheDir`] when neither variable gives an absolute path.
    pub fn default_for(repo: &Repository) -> Result<Self, Error> {
        let base = default_base_dir(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
            .ok_or(Error::NoCacheDir)?;
        Ok(Self::under(&base, repo))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory of cached targets.
    pub fn targets_dir(&self) -> PathBuf {
        self.dir.join("targets")
    }

    fn create(&self) -> Result<(), Error> {
        for d in [self.dir.clone(), self.targets_dir()] {
            create_private_dir(&d).map_err(|source| Error::CacheIo { path: d, source })?;
        }
        Ok(())
    }
}

/// `<xdg>/supply/sigstore-tuf` or `<home>/.cache/supply/sigstore-tuf` from the two
/// environment values (`None` when neither is an absolute path).
pub fn default_base_dir(
    xdg_cache_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let abs = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let base = abs(xdg_cache_home).or_else(|| abs(home).map(|h| h.join(".cache")))?;
    Some(base.join("supply").join("sigstore-tuf"))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Verified Sigstore trust material.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SigstoreTrust {
    /// The bytes of `trusted_root.json`, as the TUF targets metadata lists them.
    pub trusted_root_json: Vec<u8>,
    /// The parsed trusted root.
    pub trusted_root: TrustedRoot,
    /// The bytes of `signing_config.v0.2.json`, when the repository lists it.
    pub signing_config_json: Option<Vec<u8>>,
    /// The parsed signing config, when the repository lists it.
    pub signing_config: Option<SigningConfig>,
    /// The version of the final trusted TUF root.
    pub root_version: u64,
    /// The version of the trusted TUF timestamp.
    pub timestamp_version: u64,
}

/// A [`MetadataStore`] over the cache directory that also keeps the root history: a new root
/// (which the client stores as `root.json`) is written as `N.root.json`, the name the next
/// walk from the initial root asks for. Loads are untrusted (the client verifies them).
struct CacheStore {
    fs: local::FsStore,
    /// Offline: never write.
    read_only: bool,
}

impl MetadataStore for CacheStore {
    fn load(&mut self, file_name: &str) -> Result<Option<Vec<u8>>, client::Error> {
        self.fs.load(file_name)
    }

    fn store(&mut self, file_name: &str, bytes: &[u8]) -> Result<(), client::Error> {
        if self.read_only {
            return Ok(());
        }
        if file_name == "root.json" {
            // Verified by the client just before this store: parsing again only reads the
            // version (a failure would be a client bug; the file is then not cached).
            let parsed = crate::metadata::Metadata::<crate::metadata::Root>::from_slice_with_limit(
                bytes,
                limits::MAX_ROOT_LEN,
            );
            return match parsed {
                Ok(md) => self.fs.store(
                    &names::remote_metadata_path("root", Some(md.version())),
                    bytes,
                ),
                Err(_) => Ok(()),
            };
        }
        self.fs.store(file_name, bytes)
    }
}

/// Offline: the cache directory answers the client's fetches. `N.root.json` is read as is;
/// `N.snapshot.json` / `N.targets.json` (consistent-snapshot names) are read from the
/// unversioned cached file, which the client checks against the version it expects.
struct CacheTransport {
    dir: PathBuf,
}

impl Transport for CacheTransport {
    fn fetch(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, client::Error> {
        if kind == FileKind::Target {
            return Ok(None);
        }
        let name = match path.split_once('.') {
            Some((v, rest))
                if rest != "root.json"
                    && !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_digit()) =>
            {
                rest
            }
            _ => path,
        };
        if !local::is_safe_file_name(name) {
            return Ok(None);
        }
        match local::read_bounded(&self.dir.join(name), max_len) {
            Err(client::Error::LimitExceeded(_)) => Ok(None),
            r => r,
        }
    }
}

fn config(provider: &'static Provider) -> Config {
    Config::default()
        .with_provider(provider)
        .with_target_max_len(limits::MAX_SIGSTORE_TARGET_LEN)
}

fn updater(
    repo: &Repository,
    now: Timestamp,
    provider: &'static Provider,
) -> Result<Updater, Error> {
    Updater::new(repo.initial_root(), now, config(provider))
        .map_err(|e| Error::InvalidInitialRoot(Box::new(e)))
}

/// The cached copy of a target, if it matches the trusted entry (read under the trusted length,
/// verified in memory: no window between the check and the use).
fn cached_target(cache: &Cache, info: &TargetInfo) -> Option<Vec<u8>> {
    let path = local::target_file_path(&cache.targets_dir(), info.path());
    let max = info.length().min(limits::MAX_SIGSTORE_TARGET_LEN);
    let data = local::read_bounded(&path, max).ok().flatten()?;
    Updater::verify_target(info, &data).ok()?;
    Some(data)
}

/// Refreshes the repository's TUF metadata over `transport` (which must point at
/// [`Repository::metadata_url`] and [`Repository::targets_url`], e.g.
/// [`Repository::transport`]), starting from its initial root at `now`, and returns the
/// verified trust material. The cache is read (as untrusted input) and updated: new roots,
/// timestamp, snapshot and targets metadata, and both targets; a cached target that no longer
/// matches the targets metadata is downloaded again.
///
/// # Errors
/// [`Error::InvalidInitialRoot`], [`Error::Refresh`] (among others an expired timestamp:
/// [`client::Error::Expired`] inside), [`Error::TargetNotListed`] for `trusted_root.json`,
/// [`Error::Target`], [`Error::TrustedRoot`], [`Error::SigningConfig`], [`Error::CacheIo`].
pub async fn refresh(
    repo: &Repository,
    cache: &Cache,
    now: Timestamp,
    provider: &'static Provider,
    transport: &mut dyn AsyncTransport,
) -> Result<SigstoreTrust, Error> {
    let mut updater = updater(repo, now, provider)?;
    cache.create()?;
    let mut store = CacheStore {
        fs: local::FsStore::new(cache.dir()),
        read_only: false,
    };
    let refresh_err = |source| Error::Refresh {
        url: bounded(repo.base_url()),
        source: Box::new(source),
    };
    http::refresh(&mut updater, transport, &mut store)
        .await
        .map_err(refresh_err)?;
    let root = fetch_online(
        &mut updater,
        &mut store,
        transport,
        cache,
        TRUSTED_ROOT_TARGET,
    )
    .await?
    .ok_or_else(|| Error::TargetNotListed {
        target: TRUSTED_ROOT_TARGET.to_owned(),
    })?;
    let config = fetch_online(
        &mut updater,
        &mut store,
        transport,
        cache,
        SIGNING_CONFIG_TARGET,
    )
    .await?;
    trust(&updater, root, config, provider)
}

/// One target online: looked up, taken from the cache when it still matches, else downloaded,
/// verified and cached. `None` when the repository does not list it.
async fn fetch_online(
    updater: &mut Updater,
    store: &mut CacheStore,
    transport: &mut dyn AsyncTransport,
    cache: &Cache,
    target: &str,
) -> Result<Option<Vec<u8>>, Error> {
    let target_err = |source| Error::Target {
        target: target.to_owned(),
        source: Box::new(source),
    };
    let Some(info) = http::lookup(updater, target, transport, store)
        .await
        .map_err(target_err)?
    else {
        return Ok(None);
    };
    if let Some(data) = cached_target(cache, &info) {
        return Ok(Some(data));
    }
    let data = http::fetch_target(updater, &info, transport)
        .await
        .map_err(target_err)?;
    local::save_target(&cache.targets_dir(), &info, &data).map_err(target_err)?;
    Ok(Some(data))
}

/// Loads the trust material from the cache alone (no network): the root history is walked
/// from the repository's initial root, and every cached file is verified as in [`refresh`],
/// with expiry checked at `now`. Nothing is written.
///
/// # Errors
/// [`Error::CacheMissing`] when nothing is cached, [`Error::CacheExpired`] when cached metadata
/// has expired at `now`, [`Error::CacheInvalid`] for cached metadata that does not verify,
/// [`Error::CachedTargetInvalid`] for a missing or tampered cached target,
/// [`Error::InvalidInitialRoot`], [`Error::TargetNotListed`], [`Error::TrustedRoot`],
/// [`Error::SigningConfig`].
pub fn load_offline(
    repo: &Repository,
    cache: &Cache,
    now: Timestamp,
    provider: &'static Provider,
) -> Result<SigstoreTrust, Error> {
    let mut updater = updater(repo, now, provider)?;
    if !cache.dir().join("timestamp.json").is_file() {
        return Err(Error::CacheMissing {
            dir: cache.dir().to_path_buf(),
        });
    }
    let mut transport = CacheTransport {
        dir: cache.dir().to_path_buf(),
    };
    let mut store = CacheStore {
        fs: local::FsStore::new(cache.dir()),
        read_only: true,
    };
    let offline_err = |source: client::Error| match source {
        client::Error::Expired { role, expires } => Error::CacheExpired { role, expires },
        source => Error::CacheInvalid {
            dir: cache.dir().to_path_buf(),
            source: Box::new(source),
        },
    };
    client::refresh(&mut updater, &mut transport, &mut store).map_err(offline_err)?;
    let mut load = |target: &str| -> Result<Option<Vec<u8>>, Error> {
        let Some(info) = client::lookup(&mut updater, target, &mut transport, &mut store)
            .map_err(offline_err)?
        else {
            return Ok(None);
        };
        cached_target(cache, &info)
            .map(Some)
            .ok_or_else(|| Error::CachedTargetInvalid {
                target: target.to_owned(),
            })
    };
    let root = load(TRUSTED_ROOT_TARGET)?.ok_or_else(|| Error::TargetNotListed {
        target: TRUSTED_ROOT_TARGET.to_owned(),
    })?;
    let config = load(SIGNING_CONFIG_TARGET)?;
    trust(&updater, root, config, provider)
}

fn trust(
    updater: &Updater,
    root: Vec<u8>,
    config: Option<Vec<u8>>,
    provider: &'static Provider,
) -> Result<SigstoreTrust, Error> {
    let trusted_root = TrustedRoot::from_json(&root, provider).map_err(Error::TrustedRoot)?;
    let signing_config = config
        .as_deref()
        .map(SigningConfig::from_json)
        .transpose()
        .map_err(Error::SigningConfig)?;
    let set = updater.trusted();
    Ok(SigstoreTrust {
        trusted_root_json: root,
        trusted_root,
        signing_config_json: config,
        signing_config,
        root_version: set.root().version(),
        timestamp_version: set.timestamp().map_or(0, |t| t.version()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_cache_names() {
        let p = Repository::production();
        assert_eq!(p.metadata_url(), PRODUCTION_URL);
        assert_eq!(p.targets_url(), "https://tuf-repo-cdn.sigstore.dev/targets");
        assert_eq!(p.cache_name(), "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev");
        assert_eq!(p.initial_root(), PRODUCTION_ROOT);
        let m = Repository::mirror("http://127.0.0.1:8080/tuf/");
        assert_eq!(m.base_url(), "http://127.0.0.1:8080/tuf");
        assert_eq!(m.targets_url(), "http://127.0.0.1:8080/tuf/targets");
        assert_eq!(m.initial_root(), PRODUCTION_ROOT);
        assert_eq!(Repository::staging().initial_root(), STAGING_ROOT);
        let long = Repository::mirror(&format!("https://example.com/{}", "a".repeat(300)));
        assert!(long.cache_name().starts_with("sha256-"));
        assert!(local::is_safe_file_name(&long.cache_name()));
        assert!(local::is_safe_file_name(
            &Repository::mirror("https://x/../..").cache_name()
        ));
    }

    #[test]
    fn default_cache_dir() {
        let d = |x: Option<&str>, h: Option<&str>| {
            default_base_dir(x.map(OsString::from), h.map(OsString::from))
        };
        assert_eq!(
            d(Some("/xdg"), Some("/home/u")),
            Some(PathBuf::from("/xdg/supply/sigstore-tuf"))
        );
        assert_eq!(
            d(Some("rel"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/supply/sigstore-tuf"))
        );
        assert_eq!(
            d(Some(""), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/supply/sigstore-tuf"))
        );
        assert_eq!(d(None, None), None);
        assert_eq!(d(None, Some("relative")), None);
    }
}
