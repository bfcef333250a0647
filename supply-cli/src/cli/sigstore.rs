//! Shared plumbing for the Sigstore verbs: trust material (given as files, or Sigstore's TUF
//! repository through `supply_tuf::sigstore`), artifacts given as a file or `sha256:<hex>`, and
//! the call into `supply_sig::sigstore::verify`; and `supply sigstore trust-root`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use supply_sig::crypto::Provider;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::KeyAlgorithm;
use supply_sig::sigstore::bundle::{Bundle, Content};
use supply_sig::sigstore::trust_root::{SigningConfig, TrustedRoot};
use supply_sig::sigstore::verify::{self, Artifact, Policy, VerifiedBundle};
use supply_tuf::sigstore::{Cache, Repository, SigstoreTrust};
use supply_tuf::time::Timestamp;

use super::{hash_file, limits, read_capped, read_ed25519_message};

/// Where Sigstore's trust material comes from when no `--trusted-root` is given: the TUF
/// repository of the instance (public good by default), verified from the root embedded in
/// supply-tuf and cached per user, as cosign and sigstore-python do.
#[derive(Debug, Clone, Args)]
pub struct TufOpts {
    /// Sigstore TUF: use the cache only, no network (verified all the same; fails when the cache
    /// is missing or expired).
    #[arg(long)]
    offline: bool,
    /// Sigstore TUF: the repository base URL (targets at URL/targets). Alone, a mirror of the
    /// public-good repository (of staging with --staging), still anchored by the embedded root.
    #[arg(long, value_name = "URL")]
    tuf_url: Option<String>,
    /// Sigstore TUF: the initial root to trust instead of the embedded one (a private instance,
    /// with --tuf-url).
    #[arg(long, value_name = "FILE")]
    tuf_root: Option<PathBuf>,
    /// Sigstore TUF: the cache directory (default $XDG_CACHE_HOME/supply/sigstore-tuf, or
    /// ~/.cache/supply/sigstore-tuf); one subdirectory per repository URL.
    #[arg(long, value_name = "DIR")]
    tuf_cache_dir: Option<PathBuf>,
    /// Sigstore TUF: check metadata expiry at this RFC 3339 time instead of the system clock,
    /// to reproduce a past decision (e.g. 2026-08-22T00:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    reference_time: Option<String>,
    /// Network options (CA files, timeouts) for TUF and the Sigstore services.
    #[command(flatten)]
    http: super::net::HttpArgs,
}

impl TufOpts {
    /// The HTTP client options of `--ca-file` and the timeouts.
    pub(crate) fn http_options(&self) -> anyhow::Result<supply_sig::http::HttpOptions> {
        self.http.options()
    }

    /// The `--tuf-root` file, for output plans.
    pub(crate) fn tuf_root(&self) -> Option<&Path> {
        self.tuf_root.as_deref()
    }

    /// Whether any TUF option was given (they do nothing beside `--trusted-root`).
    fn any_given(&self) -> bool {
        self.offline || self.tuf_url.is_some() || self.tuf_root.is_some()
    }

    fn repository(&self, staging: bool) -> anyhow::Result<Repository> {
        let root = self
            .tuf_root
            .as_deref()
            .map(|p| read_capped(p, supply_tuf::limits::MAX_ROOT_LEN, "TUF root"))
            .transpose()?;
        let default_url = if staging {
            supply_tuf::sigstore::STAGING_URL
        } else {
            supply_tuf::sigstore::PRODUCTION_URL
        };
        let url = self.tuf_url.as_deref().unwrap_or(default_url);
        Ok(match root {
            Some(r) => Repository::custom(url, r),
            None if staging => Repository::custom(url, supply_tuf::sigstore::STAGING_ROOT.to_vec()),
            None => Repository::mirror(url),
        })
    }

    fn now(&self) -> anyhow::Result<Timestamp> {
        match &self.reference_time {
            Some(t) => supply_tuf::time::parse(t)
                .with_context(|| format!("--reference-time {t:?} is not an RFC 3339 time")),
            None => Ok(Timestamp::from_system_time(std::time::SystemTime::now())),
        }
    }

    /// The verified trust material of the instance (`staging`: the staging one): refreshed
    /// online, or from the cache with `--offline`.
    pub(crate) fn load(
        &self,
        staging: bool,
        provider: &'static Provider,
    ) -> anyhow::Result<SigstoreTrust> {
        let repo = self.repository(staging)?;
        let cache = match &self.tuf_cache_dir {
            Some(d) => Cache::under(d, &repo),
            None => Cache::default_for(&repo)?,
        };
        let now = self.now()?;
        let what = || format!("getting Sigstore's trusted root from {}", repo.base_url());
        if self.offline {
            return supply_tuf::sigstore::load_offline(&repo, &cache, now, provider)
                .with_context(what);
        }
        let mut transport = repo.transport_with_options(&self.http.options()?)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(supply_tuf::sigstore::refresh(
            &repo,
            &cache,
            now,
            provider,
            &mut transport,
        ))
        .with_context(what)
    }
}

/// Loads `--trusted-root` (a trusted root or a client trust config) or, without it, the
/// instance's trusted root through TUF (never a root frozen into the binary).
pub(crate) fn trusted_root(
    path: Option<&Path>,
    staging: bool,
    tuf: &TufOpts,
    provider: &'static Provider,
) -> anyhow::Result<TrustedRoot> {
    match path {
        Some(p) => {
            anyhow::ensure!(
                !tuf.any_given(),
                "--trusted-root replaces TUF: drop --offline, --tuf-url and --tuf-root"
            );
            let bytes = read_capped(
                p,
                supply_sig::limits::MAX_TRUST_ROOT_LEN as u64,
                "trusted root",
            )?;
            TrustedRoot::from_json_or_trust_config(&bytes, provider)
                .context("reading the trusted root")
        }
        None => Ok(tuf.load(staging, provider)?.trusted_root),
    }
}

/// What [`sign_keyless`] signs, and how.
pub(crate) struct Keyless<'a> {
    /// `--identity-token`: wins over ambient detection (as in cosign); without it the token is
    /// found in the environment (`SIGSTORE_ID_TOKEN`, GitHub Actions).
    pub(crate) token: Option<&'a str>,
    /// The file to sign.
    pub(crate) file: &'a Path,
    /// Sign `file` as an in-toto statement (DSSE).
    pub(crate) in_toto: bool,
    /// `--trusted-root` (or client trust config).
    pub(crate) trusted_root: Option<&'a Path>,
    /// `--signing-config`.
    pub(crate) signing_config: Option<&'a Path>,
    /// The embedded staging root instead of the production one.
    pub(crate) staging: bool,
    /// How timestamps are requested.
    pub(crate) tsa_format: supply_sig::sigstore::client::TimestampRequestFormat,
}

/// Signs `file` keylessly with the services of `--signing-config` (or the signing config inside
/// a client trust config given as `--trusted-root`, or the instance's through TUF) and returns
/// the verified bundle. With `in_toto`, `file` is an in-toto statement signed as DSSE.
pub(crate) fn sign_keyless(
    k: &Keyless<'_>,
    tuf: &TufOpts,
    provider: &'static Provider,
) -> anyhow::Result<Bundle> {
    sign_keyless_with(k, Given::File, tuf, provider)
}

/// Signs the in-toto `statement` (held in memory, not `k.file`) keylessly as a DSSE envelope,
/// as [`sign_keyless`] does with a statement file.
pub(crate) fn sign_keyless_statement(
    k: &Keyless<'_>,
    statement: &[u8],
    tuf: &TufOpts,
    provider: &'static Provider,
) -> anyhow::Result<Bundle> {
    sign_keyless_with(k, Given::Statement(statement), tuf, provider)
}

/// Signs `message` (held in memory, not `k.file`) keylessly as a message signature over its
/// SHA-256 digest, as [`sign_keyless`] does with a file.
pub(crate) fn sign_keyless_message(
    k: &Keyless<'_>,
    message: &[u8],
    tuf: &TufOpts,
    provider: &'static Provider,
) -> anyhow::Result<Bundle> {
    sign_keyless_with(k, Given::Message(message), tuf, provider)
}

/// What [`sign_keyless_with`] signs: `k.file`, or bytes handed in.
enum Given<'a> {
    File,
    Statement(&'a [u8]),
    Message(&'a [u8]),
}

fn sign_keyless_with(
    k: &Keyless<'_>,
    given: Given<'_>,
    tuf: &TufOpts,
    provider: &'static Provider,
) -> anyhow::Result<Bundle> {
    use supply_sig::sigstore::client::ambient::{self, Source};
    use supply_sig::sigstore::client::{Client, Endpoints, IdentityToken};
    use supply_sig::sigstore::trust_root::ClientTrustConfig;

    // A malformed explicit token fails before any network access.
    let explicit = k
        .token
        .map(|t| IdentityToken::parse(t).context("reading the identity token"))
        .transpose()?;
    let limit = supply_sig::limits::MAX_TRUST_ROOT_LEN as u64;
    // TUF is consulted once, and only for what the files do not give.
    let from_tuf = if k.trusted_root.is_none() {
        Some(tuf.load(k.staging, provider)?)
    } else {
        None
    };
    let config = match (k.signing_config, k.trusted_root, &from_tuf) {
        (Some(p), _, _) => SigningConfig::from_json(&read_capped(p, limit, "signing config")?)
            .context("reading the signing config")?,
        (None, Some(p), _) => ClientTrustConfig::from_json(&read_capped(p, limit, "trust config")?, provider)
            .ok()
            .and_then(|c| c.signing_config)
            .context("keyless signing needs --signing-config (or a client trust config holding one) beside --trusted-root")?,
        (None, None, Some(t)) => t
            .signing_config
            .clone()
            .context("the Sigstore TUF repository lists no signing_config.v0.2.json: give --signing-config")?,
        (None, None, None) => anyhow::bail!("no signing config"),
    };
    let root = match from_tuf {
        Some(t) => t.trusted_root,
        None => trusted_root(k.trusted_root, k.staging, tuf, provider)?,
    };
    let now = Timestamp::from(std::time::SystemTime::now());
    let endpoints = Endpoints::from_signing_config(&config, now).context("choosing services")?;
    // The signer's requests: `--ca-file` and `--connect-timeout` as given; reading and the whole
    // request at least the signer's own bound (Rekor v2 answers once its checkpoint is out).
    let http = tuf.http_options()?;
    let t = http.timeouts();
    let floor = supply_sig::sigstore::client::DEFAULT_TIMEOUT;
    let http = http.with_timeouts(supply_sig::http::Timeouts::new(
        t.connect,
        t.read.max(floor),
        t.total.max(floor),
    ));
    let client = Client::with_http_options(endpoints, root, provider, &http)?
        .with_timestamp_request_format(k.tsa_format);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let token = match explicit {
        Some(t) => t,
        None => {
            let env = |name: &str| std::env::var(name).ok();
            let (token, source) = rt
                .block_on(ambient::detect(&env, client.http_client()))
                .context("keyless signing needs an identity token: give --identity-token or run where one is ambient")?;
            let from = match source {
                Source::Environment => ambient::SIGSTORE_ID_TOKEN,
                Source::GitHubActions => "GitHub Actions",
                _ => "the environment",
            };
            eprintln!("Using the ambient identity token from {from}");
            token
        }
    };
    // A statement is signed whole (DSSE), under the payload limit; an artifact is hashed while
    // it is read and its SHA-256 digest signed, so memory stays flat in its size.
    enum What {
        Statement(Vec<u8>),
        Artifact(Digest),
    }
    let what = match given {
        Given::Statement(s) => What::Statement(s.to_vec()),
        Given::Message(m) => What::Artifact(Algorithm::Sha256.digest(m)),
        Given::File if k.in_toto => What::Statement(read_capped(
            k.file,
            limits::MAX_STATEMENT_FILE,
            "in-toto statement",
        )?),
        Given::File => {
            let mut d = hash_file(k.file, &[Algorithm::Sha256], provider, "file")?;
            What::Artifact(d.pop().context("no digest computed")?)
        }
    };
    let bundle = rt
        .block_on(async {
            match &what {
                What::Statement(s) => client.sign_in_toto(&token, s).await,
                What::Artifact(d) => client.sign_message_digest(&token, d).await,
            }
        })
        .context("keyless signing failed")?;
    Ok(bundle)
}

/// Loads a bundle file.
pub(crate) fn bundle(path: &Path) -> anyhow::Result<Bundle> {
    let bytes = read_capped(path, supply_sig::limits::MAX_BUNDLE_LEN as u64, "bundle")?;
    Bundle::from_json(&bytes).with_context(|| format!("reading bundle {}", path.display()))
}

/// An artifact given on the command line: a file, or `sha256:<hex>` (any supported digest).
///
/// A file is hashed while it is read, with the algorithms the bundle needs, and checked by its
/// digests: memory stays flat in its size. Only a message signature by an Ed25519 key needs the
/// bytes themselves, read under [`limits::MAX_ED25519_MESSAGE`].
pub(crate) enum Input {
    /// File contents (Ed25519 message signatures).
    Bytes(Vec<u8>),
    /// The artifact's digests, tried in order (a statement's subjects may use several
    /// algorithms).
    Digests(Vec<Digest>),
}

impl Input {
    /// Reads `arg` for verifying `bundle`, whose signing key is `key` when the caller gives one
    /// (otherwise the bundle's certificate's). `arg` is a digest when it starts with a digest
    /// algorithm's name and a colon and no such file exists.
    pub(crate) fn read(
        arg: &OsStr,
        bundle: &Bundle,
        key: Option<&supply_sig::key::PublicKey>,
        provider: &Provider,
    ) -> anyhow::Result<Self> {
        let path = Path::new(arg);
        if !path.exists() {
            if let Some(text) = arg.to_str() {
                let named = text
                    .split_once(':')
                    .is_some_and(|(alg, _)| Algorithm::from_name(alg).is_some());
                if named {
                    let d = Digest::parse(text).with_context(|| {
                        format!("the artifact {text} is neither a file nor a well-formed digest")
                    })?;
                    return Ok(Self::Digests(vec![d]));
                }
            }
        }
        match bundle.content() {
            Content::MessageSignature(m) => {
                let key = key.or_else(|| bundle.leaf_certificate().map(|c| c.public_key()));
                if key.is_some_and(|k| k.algorithm() == KeyAlgorithm::Ed25519) {
                    return Ok(Self::Bytes(read_ed25519_message(path, "artifact")?));
                }
                // hashedrekord: the digest the bundle names (SHA-256 when it names none).
                let alg = m
                    .digest
                    .as_ref()
                    .map_or(Algorithm::Sha256, Digest::algorithm);
                Ok(Self::Digests(hash_file(
                    path,
                    &[alg],
                    provider,
                    "artifact",
                )?))
            }
            Content::Dsse(env) => {
                let algs = subject_algorithms(&env.payload);
                Ok(Self::Digests(hash_file(path, &algs, provider, "artifact")?))
            }
            // A content kind this CLI does not know yet: its bytes, under the cap.
            _ => Ok(Self::Bytes(read_ed25519_message(path, "artifact")?)),
        }
    }

    /// As verification artifacts, in the order to try them.
    pub(crate) fn artifacts(&self) -> Vec<Artifact<'_>> {
        match self {
            Self::Bytes(b) => vec![Artifact::Bytes(b)],
            Self::Digests(ds) => ds.iter().map(Artifact::Digest).collect(),
        }
    }
}

/// The digest algorithms an in-toto statement's subjects use, SHA-256 first; SHA-256 alone when
/// the payload names none (verification then reports what is wrong with it).
fn subject_algorithms(payload: &[u8]) -> Vec<Algorithm> {
    use serde_json::Value;
    let mut algs = vec![Algorithm::Sha256];
    let statement: Option<Value> = serde_json::from_slice(payload).ok();
    let subjects = statement
        .as_ref()
        .and_then(|v| v.get("subject"))
        .and_then(Value::as_array);
    for s in subjects
        .into_iter()
        .flatten()
        .take(supply_sig::limits::MAX_STATEMENT_SUBJECTS)
    {
        let names = s
            .get("digest")
            .and_then(Value::as_object)
            .into_iter()
            .flatten();
        for (name, _) in names {
            if let Some(a) = Algorithm::from_name(name) {
                if !algs.contains(&a) {
                    algs.push(a);
                }
            }
        }
    }
    algs
}

/// Verifies and returns the result with context. A bundle whose log or CA the trusted root
/// does not know gets a hint at `--trusted-root` (a staging bundle against the production root).
pub(crate) fn verify_bundle<'b>(
    bundle: &'b Bundle,
    input: &Input,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> anyhow::Result<VerifiedBundle<'b>> {
    // The input may offer several artifacts (one digest per algorithm the bundle may use); the
    // first that verifies wins, and the first failure is reported.
    let mut first_err = None;
    for artifact in input.artifacts() {
        match verify::verify(bundle, artifact, policy, root, provider) {
            Ok(v) => return Ok(v),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    let Some(e) = first_err else {
        anyhow::bail!("bundle verification failed: no artifact to check")
    };
    let hint = matches!(
        e,
        verify::Error::UnknownLog { .. } | verify::Error::UnknownAuthority { .. }
    );
    let e = anyhow::Error::new(e);
    Err(if hint {
        e.context(
            "bundle verification failed (the trusted root does not know this bundle's \
             transparency log or certificate authority: for a bundle from another Sigstore \
             instance, such as staging, give that instance's root with --trusted-root)",
        )
    } else {
        e.context("bundle verification failed")
    })
}

/// `supply sigstore` verbs.
#[derive(Debug, Subcommand)]
pub enum SigstoreCmd {
    /// Print Sigstore's trusted_root.json (or, with --signing-config, signing_config.v0.2.json)
    /// as verified through the instance's TUF repository.
    TrustRoot(TrustRootCmd),
}

impl SigstoreCmd {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        match self {
            Self::TrustRoot(c) => c.run(provider),
        }
    }
}

/// `supply sigstore trust-root`.
#[derive(Debug, Args)]
pub struct TrustRootCmd {
    /// The staging instance (`https://tuf-repo-cdn.sigstage.dev`, its embedded root).
    #[arg(long)]
    staging: bool,
    /// Print the signing config instead of the trusted root.
    #[arg(long)]
    signing_config: bool,
    #[command(flatten)]
    tuf: TufOpts,
}

impl TrustRootCmd {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        use std::io::Write as _;
        let trust = self.tuf.load(self.staging, provider)?;
        let bytes = if self.signing_config {
            trust
                .signing_config_json
                .context("the TUF repository lists no signing_config.v0.2.json")?
        } else {
            trust.trusted_root_json
        };
        eprintln!(
            "verified through TUF: root v{}, timestamp v{}",
            trust.root_version, trust.timestamp_version
        );
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
        Ok(())
    }
}
