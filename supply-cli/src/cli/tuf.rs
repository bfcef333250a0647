//! `supply tuf`: a TUF client (init from a root, refresh, download a target) and repository
//! writer verbs (init a repository, add targets, delegate, sign, rotate a key).
//!
//! Client state lives in `--metadata-dir` (verified metadata under non-versioned names).
//! A repository is `--repo DIR` (`DIR/metadata`, `DIR/targets`, served as they are) with its
//! private keys in `--keys DIR` (PEM files, encrypted ones read `COSIGN_PASSWORD`); every `.pem`
//! there is held for signing. Keep the keys directory off the web server.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use supply_sig::crypto::Provider;
use supply_sig::key::encoding::pem;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_tuf::client::http;
use supply_tuf::client::{local, Config, Updater};
use supply_tuf::metadata::Expires;
use supply_tuf::names;
use supply_tuf::repo::{Paths, Repository, SigningKey};
use supply_tuf::time::Timestamp;

use super::read_capped;

/// Longest expiry a writer verb accepts: 100 years (36 525 days). More is a typo, and far more
/// overflows the clock.
const MAX_EXPIRES_DAYS: u64 = 36_525;
/// Most key files loaded from a keys directory.
const MAX_KEY_FILES: usize = 1024;

/// `supply tuf` verbs.
#[derive(Debug, Subcommand)]
pub enum TufCmd {
    /// Trust a root: verify it is signed by its own keys and store it as METADATA_DIR/root.json.
    Init(Init),
    /// Refresh the trusted metadata from a repository.
    Refresh(Refresh),
    /// Refresh, then download and verify targets.
    Download(Download),
    /// Create a repository (generating missing top-level keys in --keys).
    RepoInit(RepoInit),
    /// Add files as targets and publish.
    AddTarget(AddTarget),
    /// Delegate paths to a new role (globs, hash bins or succinct hash bins) and publish.
    Delegate(Delegate),
    /// Publish new snapshot and timestamp (and, with --all, every role) with fresh expiries.
    Sign(Sign),
    /// Replace the keys of a top-level role (root changes are cross-signed) and publish.
    RotateKey(RotateKey),
}

impl TufCmd {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        match self {
            Self::Init(c) => c.run(provider),
            Self::Refresh(c) => c.run(provider),
            Self::Download(c) => c.run(provider),
            Self::RepoInit(c) => c.run(provider),
            Self::AddTarget(c) => c.run(provider),
            Self::Delegate(c) => c.run(provider),
            Self::Sign(c) => c.run(provider),
            Self::RotateKey(c) => c.run(provider),
        }
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

fn expires_in(days: u64) -> anyhow::Result<Expires> {
    // Also checked by clap; kept here so that no caller can publish expired metadata (0) or
    // overflow the clock (huge values).
    anyhow::ensure!(
        (1..=MAX_EXPIRES_DAYS).contains(&days),
        "--expires-days must be between 1 and {MAX_EXPIRES_DAYS}, got {days}"
    );
    let t = SystemTime::now()
        .checked_add(Duration::from_secs(days * 86_400))
        .context("--expires-days is too far in the future")?;
    Ok(Expires::from_time(Timestamp::from_system_time(t)))
}

/// Refuses to replace an existing output unless `--force` was given.
fn refuse_existing(path: &Path, force: bool) -> anyhow::Result<()> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        bail!(
            "{} already exists (use --force to replace it)",
            path.display()
        );
    }
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `supply tuf init`.
#[derive(Debug, Args)]
pub struct Init {
    /// The local metadata directory.
    #[arg(long)]
    metadata_dir: PathBuf,
    /// Replace an existing METADATA_DIR/root.json.
    #[arg(long)]
    force: bool,
    /// The root metadata to trust.
    root: PathBuf,
}

impl Init {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let root = read_capped(&self.root, supply_tuf::limits::MAX_ROOT_LEN, "root")?;
        let u = Updater::new(&root, now(), Config::default().with_provider(provider))
            .context("the root is not valid")?;
        let dest = self.metadata_dir.join("root.json");
        refuse_existing(&dest, self.force)?;
        std::fs::create_dir_all(&self.metadata_dir)?;
        local::write_atomic(&dest, &root)?;
        crate::outln!("trusting root version {}", u.trusted().root().version());
        Ok(())
    }
}

/// Client options shared by refresh and download.
#[derive(Debug, Args)]
pub struct ClientOpts {
    /// The metadata base URL.
    #[arg(long)]
    metadata_url: String,
    /// The local metadata directory (after `supply tuf init`).
    #[arg(long)]
    metadata_dir: PathBuf,
    #[command(flatten)]
    http: super::net::HttpArgs,
}

impl ClientOpts {
    async fn refresh(
        &self,
        targets_url: &str,
        provider: &'static Provider,
    ) -> anyhow::Result<(Updater, http::HttpTransport, local::FsStore)> {
        let root = local::read_bounded(
            &self.metadata_dir.join("root.json"),
            supply_tuf::limits::MAX_ROOT_LEN,
        )?
        .context("no root.json in the metadata dir: run `supply tuf init` first")?;
        let mut u = Updater::new(&root, now(), Config::default().with_provider(provider))?;
        let mut t = http::HttpTransport::with_options(
            &self.metadata_url,
            targets_url,
            &self.http.options()?,
        )?;
        let mut store = local::FsStore::new(&self.metadata_dir);
        http::refresh(&mut u, &mut t, &mut store).await?;
        Ok((u, t, store))
    }
}

/// `supply tuf refresh`.
#[derive(Debug, Args)]
pub struct Refresh {
    #[command(flatten)]
    client: ClientOpts,
}

impl Refresh {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let (u, _, _) =
            runtime()?.block_on(self.client.refresh(&self.client.metadata_url, provider))?;
        let t = u.trusted();
        crate::outln!(
            "root v{}, timestamp v{}, snapshot v{}, targets v{}",
            t.root().version(),
            t.timestamp().map_or(0, |m| m.version()),
            t.snapshot().map_or(0, |m| m.version()),
            t.targets("targets").map_or(0, |m| m.version()),
        );
        Ok(())
    }
}

/// `supply tuf download`.
#[derive(Debug, Args)]
pub struct Download {
    #[command(flatten)]
    client: ClientOpts,
    /// The targets base URL.
    #[arg(long)]
    targets_url: String,
    /// Output directory: targets are written at their path below it (`..` resolved inside).
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Replace targets that already exist in the output directory.
    #[arg(long)]
    force: bool,
    /// Target paths to download.
    #[arg(required = true)]
    targets: Vec<String>,
}

impl Download {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        runtime()?.block_on(async {
            let (mut u, mut t, mut store) =
                self.client.refresh(&self.targets_url, provider).await?;
            for name in &self.targets {
                let info = http::lookup(&mut u, name, &mut t, &mut store)
                    .await?
                    .with_context(|| format!("target {name:?} is not listed"))?;
                let path = local::nested_target_path(&self.out, info.path())?;
                refuse_existing(&path, self.force)?;
                // Streamed to a temporary file, hashed on the way, renamed once verified.
                let n = http::fetch_target_to(&u, &info, &mut t, &path).await?;
                crate::outln!(
                    "{} ({} bytes, from role {}) -> {}",
                    name,
                    n,
                    info.role(),
                    path.display()
                );
            }
            Ok(())
        })
    }
}

/// Repository options shared by the writer verbs.
#[derive(Debug, Args)]
pub struct RepoOpts {
    /// The repository directory (`metadata/` and `targets/` inside).
    #[arg(long)]
    repo: PathBuf,
    /// The directory of private keys (PEM); keep it off the web server.
    #[arg(long)]
    keys: PathBuf,
    /// Expiry of every role published by this command, in days from now (1 to 36525).
    #[arg(long, default_value_t = 365,
          value_parser = clap::value_parser!(u64).range(1..=MAX_EXPIRES_DAYS))]
    expires_days: u64,
}

fn key_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.pem", names::encode_role_name(name)))
}

/// A key file to write once everything else succeeded (validate first, write last).
struct PendingKey {
    path: PathBuf,
    pem: zeroize::Zeroizing<String>,
}

impl PendingKey {
    fn write(self) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(&self.path, self.pem.as_bytes())?;
        eprintln!("generated {}", self.path.display());
        Ok(())
    }
}

/// Loads `dir/<name>.pem`, or generates an Ed25519 key in memory when it does not exist; the
/// new key file is returned to be written only after the command succeeded.
fn key_or_generate(
    dir: &Path,
    name: &str,
    provider: &'static Provider,
) -> anyhow::Result<(SigningKey, Option<PendingKey>)> {
    let path = key_file(dir, name);
    if path.exists() {
        return Ok((load_key(&path, provider)?, None));
    }
    let sk = PrivateKey::generate(KeyAlgorithm::Ed25519, provider)?;
    let pem = pem::private_key_to_pem(&sk)?;
    let key = SigningKey::from_private_key(&sk, provider).context("preparing a new key")?;
    Ok((key, Some(PendingKey { path, pem })))
}

/// Writes a new private key file through the CLI's one safe-write path: created exclusively
/// (never through a symlink, never over an existing file) with mode 0600.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use super::output::{Mode, Output, Plan};
    let plan = Plan::new(false).output(Some(path));
    plan.check()?;
    plan.write(&[Output {
        path,
        data: bytes,
        mode: Mode::Private,
    }])?;
    Ok(())
}

/// The copy of a key file given on the command line into the keys directory (when it is not
/// already there), so that later commands hold it for signing; written with the other pending
/// keys once the command succeeded.
fn keep_key(keys: &Path, path: &Path, key: &SigningKey) -> anyhow::Result<Option<PendingKey>> {
    let dest = keys.join(format!("{}.pem", &key.keyid()[..16.min(key.keyid().len())]));
    let same_dir = path.parent().and_then(|p| p.canonicalize().ok()) == keys.canonicalize().ok();
    if same_dir || dest.exists() {
        return Ok(None);
    }
    let bytes = read_capped(path, 1 << 20, "key")?;
    let pem = String::from_utf8(bytes).with_context(|| format!("{} is not PEM", path.display()))?;
    Ok(Some(PendingKey {
        path: dest,
        pem: zeroize::Zeroizing::new(pem),
    }))
}

fn load_key(path: &Path, provider: &'static Provider) -> anyhow::Result<SigningKey> {
    let sk = super::keys::load_private(path)?;
    SigningKey::from_private_key(&sk, provider)
        .with_context(|| format!("preparing {}", path.display()))
}

impl RepoOpts {
    fn open(&self, provider: &'static Provider) -> anyhow::Result<Repository> {
        let mut repo = Repository::open_dir(&self.repo, expires_in(self.expires_days)?)
            .with_context(|| format!("opening the repository {}", self.repo.display()))?;
        let mut n = 0;
        for entry in std::fs::read_dir(&self.keys)
            .with_context(|| format!("reading {}", self.keys.display()))?
        {
            let p = entry?.path();
            if p.extension().is_some_and(|e| e == "pem") {
                n += 1;
                anyhow::ensure!(n <= MAX_KEY_FILES, "more than {MAX_KEY_FILES} key files");
                repo.sign_with(load_key(&p, provider)?);
            }
        }
        Ok(repo)
    }

    fn publish(&self, repo: &mut Repository) -> anyhow::Result<()> {
        self.publish_then(repo, Vec::new())
    }

    /// Signs in memory, then writes the pending key files, then the repository: a command whose
    /// arguments or signing fail leaves no key file and no half-written repository behind.
    fn publish_then(&self, repo: &mut Repository, keys: Vec<PendingKey>) -> anyhow::Result<()> {
        repo.publish().context("signing")?;
        for k in keys {
            k.write()?;
        }
        repo.write_to(&self.repo)
            .context("writing the repository")?;
        let ts = repo
            .metadata_files()
            .get("timestamp.json")
            .map(Vec::len)
            .unwrap_or(0);
        crate::outln!(
            "published: root v{}, timestamp {} bytes, {} metadata files",
            repo.root().common.version,
            ts,
            repo.metadata_files().len()
        );
        Ok(())
    }
}

/// `supply tuf repo-init`.
#[derive(Debug, Args)]
pub struct RepoInit {
    #[command(flatten)]
    repo: RepoOpts,
    /// Publish plain names instead of consistent snapshots (`N.<role>.json`, `<hash>.<target>`).
    #[arg(long)]
    no_consistent_snapshot: bool,
}

impl RepoInit {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        if self.repo.repo.join("metadata/root.json").exists() {
            bail!("{} already holds a repository", self.repo.repo.display());
        }
        let expires = expires_in(self.repo.expires_days)?;
        let mut pending = Vec::new();
        let mut key = |name| -> anyhow::Result<SigningKey> {
            let (k, p) = key_or_generate(&self.repo.keys, name, provider)?;
            pending.extend(p);
            Ok(k)
        };
        let keys = [
            key("root")?,
            key("timestamp")?,
            key("snapshot")?,
            key("targets")?,
        ];
        let mut repo = Repository::new(keys, expires, !self.no_consistent_snapshot)?;
        self.repo.publish_then(&mut repo, pending)
    }
}

/// `supply tuf add-target`.
#[derive(Debug, Args)]
pub struct AddTarget {
    #[command(flatten)]
    repo: RepoOpts,
    /// The targets role that lists them (default: the role the delegations give each path).
    #[arg(long)]
    role: Option<String>,
    /// Target path prefix (`dir/`): the target path is PREFIX + the file name.
    #[arg(long, default_value = "")]
    prefix: String,
    /// Files to add.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

impl AddTarget {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let mut repo = self.repo.open(provider)?;
        for f in &self.files {
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .with_context(|| format!("{} has no UTF-8 file name", f.display()))?;
            let path = format!("{}{name}", self.prefix);
            let role = self
                .role
                .clone()
                .unwrap_or_else(|| repo.role_for_target(&path));
            // Hashed by streaming now, copied once (plus hard links) when the repository is
            // written: memory stays flat in the file's size.
            let entry = repo.add_target_file(&role, &path, f)?;
            crate::outln!(
                "{path}: {} bytes, sha256 {} (role {role})",
                entry.length,
                entry.hashes["sha256"]
            );
        }
        self.repo.publish(&mut repo)
    }
}

/// `supply tuf delegate`.
#[derive(Debug, Args)]
pub struct Delegate {
    #[command(flatten)]
    repo: RepoOpts,
    /// The delegating role.
    #[arg(long, default_value = "targets")]
    from: String,
    /// The new role's name (for bins: the name prefix).
    #[arg(long)]
    name: String,
    /// The new role's private key (default: `KEYS/<name>.pem`, generated when missing).
    #[arg(long)]
    key: Option<PathBuf>,
    /// Glob patterns of delegated paths (`*` does not cross `/`).
    #[arg(long, num_args = 1.., conflicts_with_all = ["hash_bins", "succinct_bits"])]
    paths: Vec<String>,
    /// Delegate every path to this many hash bins (a power of two) by path_hash_prefixes.
    #[arg(long, conflicts_with = "succinct_bits")]
    hash_bins: Option<u32>,
    /// Delegate every path to 2^BITS succinct hash bins (TAP 15) named `<name>-<hex>`.
    #[arg(long)]
    succinct_bits: Option<u32>,
    /// Stop the search at this role when a path matches.
    #[arg(long)]
    terminating: bool,
}

impl Delegate {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        // Arguments first: nothing is generated or written for a command that cannot succeed.
        if self.hash_bins.is_none() && self.succinct_bits.is_none() && self.paths.is_empty() {
            bail!("give --paths, --hash-bins or --succinct-bits");
        }
        let mut repo = self.repo.open(provider)?;
        let mut pending = Vec::new();
        let key = match &self.key {
            Some(p) => {
                let k = load_key(p, provider)?;
                pending.extend(keep_key(&self.repo.keys, p, &k)?);
                k
            }
            None => {
                let (k, p) = key_or_generate(&self.repo.keys, &self.name, provider)?;
                pending.extend(p);
                k
            }
        };
        if let Some(n) = self.hash_bins {
            // Bins hang below one role that delegates everything to them.
            repo.delegate(
                &self.from,
                &self.name,
                vec![key.clone()],
                1,
                Paths::Globs(vec!["*".into()]),
                false,
            )?;
            let bins = repo.delegate_hash_bins(&self.name, n, &[key])?;
            crate::outln!("delegated to {} hash bins below {}", bins.len(), self.name);
        } else if let Some(bits) = self.succinct_bits {
            let bins = repo.delegate_succinct(&self.from, bits, &self.name, &[key])?;
            crate::outln!("delegated to {} succinct bins {}-*", bins.len(), self.name);
        } else {
            repo.delegate(
                &self.from,
                &self.name,
                vec![key],
                1,
                Paths::Globs(self.paths.clone()),
                self.terminating,
            )?;
            crate::outln!(
                "delegated {:?} from {} to {}",
                self.paths,
                self.from,
                self.name
            );
        }
        self.repo.publish_then(&mut repo, pending)
    }
}

/// `supply tuf sign`.
#[derive(Debug, Args)]
pub struct Sign {
    #[command(flatten)]
    repo: RepoOpts,
    /// Re-sign every role (new versions and expiries), not only snapshot and timestamp.
    #[arg(long)]
    all: bool,
}

impl Sign {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let mut repo = self.repo.open(provider)?;
        if self.all {
            repo.bump_root();
            let roles: Vec<String> = ["targets".to_owned()]
                .into_iter()
                .chain(repo.delegated_role_names())
                .collect();
            for r in roles {
                repo.bump(&r)?;
            }
        }
        self.repo.publish(&mut repo)
    }
}

/// `supply tuf rotate-key`.
#[derive(Debug, Args)]
pub struct RotateKey {
    #[command(flatten)]
    repo: RepoOpts,
    /// The top-level role whose keys are replaced.
    #[arg(long)]
    role: String,
    /// The new private key(s) (kept in --keys as well so later commands can sign).
    #[arg(long, required = true)]
    key: Vec<PathBuf>,
    /// The new threshold.
    #[arg(long, default_value_t = 1)]
    threshold: u64,
}

impl RotateKey {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let mut repo = self.repo.open(provider)?;
        let mut keys = Vec::new();
        let mut pending = Vec::new();
        for p in &self.key {
            let k = load_key(p, provider)?;
            pending.extend(keep_key(&self.repo.keys, p, &k)?);
            keys.push(k);
        }
        repo.set_role_keys(&self.role, keys, self.threshold)?;
        self.repo.publish_then(&mut repo, pending)?;
        crate::outln!(
            "{} keys rotated; root is now version {}",
            self.role,
            repo.root().common.version
        );
        Ok(())
    }
}
