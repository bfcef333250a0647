//! `supply in-toto`: verify a supply chain (`verify`), record links (`run`, `record start|stop`)
//! and sign layouts (`sign`). Thin adapters over `supply_intoto`; every decision is the
//! library's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use supply_intoto::metadata::{signer_key_id, Metadata, Payload};
use supply_intoto::model::{Layout, Link};
use supply_intoto::record::{self, CommandRunner, RecordOptions, SymlinkPolicy};
use supply_intoto::verify::{LayoutVerifier, Warning};
use supply_sig::crypto::Provider;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{KeySigner, SignatureScheme};
use supply_sig::time::Timestamp;

use super::keys::{load_private, load_public};
use super::output::{Mode, Output, Plan};
use super::read_capped;

/// The `in-toto` verbs.
#[derive(Debug, Subcommand)]
pub enum InTotoCmd {
    /// Verify a layout and its links (run in the directory holding the final product).
    Verify(Verify),
    /// Record a step: hash materials, run a command, hash products, write a signed link.
    Run(Run),
    /// Record a step in two parts, around work that is not one command.
    #[command(subcommand)]
    Record(RecordCmd),
    /// Sign a layout (or link) file with one or more keys.
    Sign(Sign),
}

impl InTotoCmd {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        match self {
            Self::Verify(c) => c.run(provider),
            Self::Run(c) => c.run(provider),
            Self::Record(c) => c.run(provider),
            Self::Sign(c) => c.run(provider),
        }
    }
}

/// A public key for in-toto: PEM/DER/SSH as `verify-blob` reads them (RSA as
/// rsassa-pss-sha256, ECDSA with its curve's scheme), or a securesystemslib JSON key dict.
fn load_sslib_public(path: &Path) -> anyhow::Result<SslibKey> {
    let bytes = read_capped(path, super::limits::MAX_KEY_FILE, "key")?;
    if bytes.trim_ascii_start().starts_with(b"{") {
        return SslibKey::from_json(&bytes)
            .with_context(|| format!("loading securesystemslib key {}", path.display()));
    }
    let key = load_public(path)?;
    let scheme = scheme_for(key.algorithm());
    SslibKey::new(key, scheme).with_context(|| format!("using key {}", path.display()))
}

/// in-toto's scheme for a key algorithm.
fn scheme_for(alg: KeyAlgorithm) -> SignatureScheme {
    match alg {
        KeyAlgorithm::Rsa => SignatureScheme::RsaPssSha256,
        other => other.default_scheme(),
    }
}

fn signer(path: &Path, provider: &'static Provider) -> anyhow::Result<KeySigner> {
    let key: PrivateKey = load_private(path)?;
    KeySigner::new(&key, scheme_for(key.algorithm()), provider)
        .with_context(|| format!("preparing key {} for signing", path.display()))
}

/// Reads the link files `layout` can ask for from `dir`: `<step>.<keyid[..8]>.link` for each
/// step key, and, where such a file holds a sublayout, the same under `<step>.<keyid[..8]>/`
/// (at most `MAX_SUBLAYOUT_DEPTH` levels and `MAX_LINKS` files, each capped). Nothing else in
/// the directory is read; the library decides what the files are worth.
fn load_links(dir: &Path, layout: &Layout) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    use supply_intoto::limits::{MAX_LINKS, MAX_METADATA_LEN, MAX_SUBLAYOUT_DEPTH};
    let mut out = BTreeMap::new();
    let mut todo: Vec<(Layout, String, usize)> = vec![(layout.clone(), String::new(), 0)];
    while let Some((layout, prefix, depth)) = todo.pop() {
        for step in &layout.steps {
            // Functionaries identified by certificates (`cert_constraints`) are not listed by
            // key id: read every `<step>.*.link`, as in-toto-golang does.
            let mut names: Vec<String> = step
                .pubkeys
                .iter()
                .map(|keyid| keyid.get(..8).unwrap_or(keyid).to_owned())
                .collect();
            if step.extra.contains_key("cert_constraints") {
                names.extend(cert_link_ids(&dir.join(&prefix), &step.name)?);
            }
            for id8 in &names {
                let rel = format!("{prefix}{}.{id8}.link", step.name);
                let path = dir.join(&rel);
                if out.contains_key(&rel) || !path.is_file() {
                    continue;
                }
                if out.len() >= MAX_LINKS {
                    anyhow::bail!("more than {MAX_LINKS} link files under {}", dir.display());
                }
                let bytes = read_capped(&path, MAX_METADATA_LEN as u64, "link")?;
                if depth < MAX_SUBLAYOUT_DEPTH {
                    if let Some(sub) = Metadata::from_slice(&bytes)
                        .ok()
                        .as_ref()
                        .and_then(Metadata::as_layout)
                    {
                        todo.push((
                            sub.clone(),
                            format!("{prefix}{}.{id8}/", step.name),
                            depth + 1,
                        ));
                    }
                }
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// The `<id>` of every `<step>.<id>.link` file in `dir` (at most [`MAX_LINKS`]).
///
/// [`MAX_LINKS`]: supply_intoto::limits::MAX_LINKS
fn cert_link_ids(dir: &Path, step: &str) -> anyhow::Result<Vec<String>> {
    let stem = format!("{step}.");
    let mut out = Vec::new();
    // A missing directory holds no links, as a missing file does for listed keys.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name();
        let Some(id) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&stem))
            .and_then(|r| r.strip_suffix(".link"))
        else {
            continue;
        };
        if id.is_empty() || id.contains(['/', '\\']) {
            continue;
        }
        if out.len() >= supply_intoto::limits::MAX_LINKS {
            anyhow::bail!(
                "more than {} link files in {}",
                supply_intoto::limits::MAX_LINKS,
                dir.display()
            );
        }
        out.push(id.to_owned());
    }
    out.sort();
    Ok(out)
}

/// `supply in-toto verify`.
#[derive(Debug, Args)]
pub struct Verify {
    /// The signed layout (metablock or DSSE).
    #[arg(long, short = 'l')]
    layout: PathBuf,
    /// A layout public key; every one given must have signed the layout (PEM, or a
    /// securesystemslib JSON key).
    #[arg(long = "layout-key", short = 'k', alias = "verification-keys", required = true, num_args = 1..)]
    layout_keys: Vec<PathBuf>,
    /// Where the links are (default: the current directory).
    #[arg(long, default_value = ".")]
    link_dir: PathBuf,
    /// Do not run the layout's inspections: a layout that has inspections then fails.
    #[arg(long)]
    no_inspections: bool,
}

impl Verify {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let bytes = read_capped(
            &self.layout,
            supply_intoto::limits::MAX_METADATA_LEN as u64,
            "layout",
        )?;
        let layout = Metadata::from_slice(&bytes)
            .with_context(|| format!("reading layout {}", self.layout.display()))?;
        let keys = self
            .layout_keys
            .iter()
            .map(|p| load_sslib_public(p))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let Some(parsed) = layout.as_layout() else {
            anyhow::bail!("{} holds a link, not a layout", self.layout.display());
        };
        let links = load_links(&self.link_dir, parsed)?;
        let now = Timestamp::from(std::time::SystemTime::now());
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let mut runner = CommandRunner::new(cwd);
        // Links are parsed and their signatures checked on every core; the decisions are the
        // library's, in the reference order, whatever the thread count.
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let mut verifier = LayoutVerifier::new(now, &links)
            .with_provider(provider)
            .with_threads(threads);
        if !self.no_inspections {
            verifier = verifier.with_runner(&mut runner);
        }
        let verified = verifier
            .verify(&layout, &keys)
            .context("in-toto verification failed")?;
        for w in verified.warnings() {
            match w {
                Warning::CommandMismatch {
                    step,
                    expected,
                    actual,
                    ..
                } => eprintln!(
                    "warning: step {step:?} ran {actual:?}, the layout expects {expected:?}"
                ),
                Warning::MatchTargetMissing { item, target } => {
                    eprintln!(
                        "warning: {item:?} has a MATCH rule FROM {target:?}, which has no link"
                    )
                }
                other => eprintln!("warning: {other:?}"),
            }
        }
        crate::outln!(
            "PASS: {} step(s), {} inspection(s), {} artifact rule(s) verified",
            verified.steps().len(),
            verified.inspections().len(),
            verified.rules_checked()
        );
        Ok(())
    }
}

/// How artifacts are recorded (flags of `in-toto-run`).
#[derive(Debug, Args)]
pub struct RecordFlags {
    /// Glob of paths to leave out (repeatable).
    #[arg(long = "exclude", num_args = 1..)]
    exclude: Vec<String>,
    /// Prefix removed from recorded names (repeatable).
    #[arg(long = "lstrip-paths", num_args = 1..)]
    lstrip_paths: Vec<String>,
    /// Hash text with CRLF and CR turned into LF.
    #[arg(long)]
    normalize_line_endings: bool,
    /// Walk symlinked directories too.
    #[arg(long)]
    follow_symlink_dirs: bool,
}

impl RecordFlags {
    fn options(&self) -> RecordOptions {
        let mut o = RecordOptions::default()
            .with_normalized_line_endings(self.normalize_line_endings)
            .with_symlinks(if self.follow_symlink_dirs {
                SymlinkPolicy::FollowAll
            } else {
                SymlinkPolicy::FollowFiles
            });
        for e in &self.exclude {
            o = o.with_exclude(e.clone());
        }
        for l in &self.lstrip_paths {
            o = o.with_lstrip_path(l.clone());
        }
        o
    }
}

fn sign_link(link: Link, signer: &KeySigner, dsse: bool) -> anyhow::Result<Metadata> {
    let payload = Payload::Link(Box::new(link));
    let m = if dsse {
        Metadata::sign_dsse(&payload, &[signer])
    } else {
        Metadata::sign_metablock(&payload, &[signer])
    };
    m.context("signing the link")
}

fn link_name(
    dir: &Path,
    step: &str,
    signer: &KeySigner,
    prefix: &str,
    suffix: &str,
) -> anyhow::Result<PathBuf> {
    let id = signer_key_id(signer).context("computing the signing key's key id")?;
    let id8 = id.as_str().get(..8).unwrap_or(id.as_str()).to_owned();
    Ok(dir.join(format!("{prefix}{step}.{id8}{suffix}")))
}

/// `supply in-toto run`.
#[derive(Debug, Args)]
pub struct Run {
    /// The step name.
    #[arg(long, short = 'n')]
    name: String,
    /// The functionary's private key.
    #[arg(long)]
    signing_key: PathBuf,
    /// Materials: files or directories to hash before the command.
    #[arg(long, short = 'm', num_args = 1..)]
    materials: Vec<String>,
    /// Products: files or directories to hash after the command.
    #[arg(long, short = 'p', num_args = 1..)]
    products: Vec<String>,
    /// Record without running a command.
    #[arg(long, short = 'x')]
    no_command: bool,
    /// Write a DSSE envelope instead of a metablock.
    #[arg(long, conflicts_with = "cert")]
    use_dsse: bool,
    /// The signing key's PEM certificate, carried in the link's signature for layouts that
    /// authorize functionaries by certificate (in-toto-golang's `--cert`).
    #[arg(long, short = 'c')]
    cert: Option<PathBuf>,
    /// Where to write `<name>.<keyid8>.link` (default: the current directory).
    #[arg(long, short = 'd', default_value = ".")]
    metadata_directory: PathBuf,
    /// Replace an existing link file.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    flags: RecordFlags,
    /// The command to run, after `--`.
    #[arg(last = true)]
    command: Vec<String>,
}

impl Run {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        if self.command.is_empty() && !self.no_command {
            anyhow::bail!("give a command after `--`, or --no-command (-x)");
        }
        let signer = signer(&self.signing_key, provider)?;
        let out = link_name(&self.metadata_directory, &self.name, &signer, "", ".link")?;
        let plan = Plan::new(self.force)
            .input(&self.signing_key)
            .output(Some(&out));
        plan.check()?;
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let link = record::run(
            &self.name,
            &cwd,
            &self.materials,
            &self.products,
            &self.command,
            &self.flags.options(),
        )
        .context("recording the step")?;
        let mut m = sign_link(link, &signer, self.use_dsse)?;
        if let Some(cert) = &self.cert {
            let pem = read_capped(cert, super::limits::MAX_KEY_FILE, "certificate")?;
            let pem = String::from_utf8(pem).context("the certificate is not PEM text")?;
            let keyid = signer_key_id(&signer).context("computing the signing key's key id")?;
            m = m
                .with_certificate(&keyid, &pem)
                .context("attaching the certificate")?;
        }
        plan.write(&[Output {
            path: &out,
            data: m.raw(),
            mode: Mode::Public,
        }])?;
        crate::outln!("{}", out.display());
        Ok(())
    }
}

/// `supply in-toto record start|stop`.
#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// Hash the materials and write a signed preliminary link `.<name>.<keyid8>.link-unfinished`.
    Start(RecordStart),
    /// Hash the products, complete the preliminary link and write `<name>.<keyid8>.link`.
    Stop(RecordStop),
}

impl RecordCmd {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        match self {
            Self::Start(c) => c.run(provider),
            Self::Stop(c) => c.run(provider),
        }
    }
}

/// `supply in-toto record start`.
#[derive(Debug, Args)]
pub struct RecordStart {
    /// The step name.
    #[arg(long, short = 'n')]
    name: String,
    /// The functionary's private key.
    #[arg(long)]
    signing_key: PathBuf,
    /// Materials to hash.
    #[arg(long, short = 'm', num_args = 1..)]
    materials: Vec<String>,
    /// Replace an existing preliminary link.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    flags: RecordFlags,
}

impl RecordStart {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let signer = signer(&self.signing_key, provider)?;
        let out = link_name(Path::new("."), &self.name, &signer, ".", ".link-unfinished")?;
        let plan = Plan::new(self.force)
            .input(&self.signing_key)
            .output(Some(&out));
        plan.check()?;
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let none: [&str; 0] = [];
        let link = record::run(
            &self.name,
            &cwd,
            &self
                .materials
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &none,
            &[],
            &self.flags.options(),
        )
        .context("recording the materials")?;
        let m = sign_link(link, &signer, false)?;
        plan.write(&[Output {
            path: &out,
            data: m.raw(),
            mode: Mode::Public,
        }])?;
        Ok(())
    }
}

/// `supply in-toto record stop`.
#[derive(Debug, Args)]
pub struct RecordStop {
    /// The step name.
    #[arg(long, short = 'n')]
    name: String,
    /// The functionary's private key (the one `record start` used).
    #[arg(long)]
    signing_key: PathBuf,
    /// Products to hash.
    #[arg(long, short = 'p', num_args = 1..)]
    products: Vec<String>,
    /// Write a DSSE envelope instead of a metablock.
    #[arg(long)]
    use_dsse: bool,
    /// Where to write the link (default: the current directory).
    #[arg(long, short = 'd', default_value = ".")]
    metadata_directory: PathBuf,
    /// Replace an existing link file.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    flags: RecordFlags,
}

impl RecordStop {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let signer = signer(&self.signing_key, provider)?;
        let unfinished = link_name(Path::new("."), &self.name, &signer, ".", ".link-unfinished")?;
        let out = link_name(&self.metadata_directory, &self.name, &signer, "", ".link")?;
        let plan = Plan::new(self.force)
            .input(&self.signing_key)
            .input(&unfinished)
            .output(Some(&out));
        plan.check()?;
        let bytes = read_capped(
            &unfinished,
            supply_intoto::limits::MAX_METADATA_LEN as u64,
            "preliminary link",
        )?;
        let m = Metadata::from_slice(&bytes)
            .with_context(|| format!("reading {}", unfinished.display()))?;
        // The preliminary link must be ours: signed by this key, for this step.
        let key = SslibKey::new(
            supply_sig::sign::Signer::public_key(&signer).clone(),
            supply_sig::sign::Signer::scheme(&signer),
        )?;
        let keyid = key.key_id()?;
        m.verify_signature(&keyid, &key, provider)
            .with_context(|| format!("checking {}", unfinished.display()))?;
        let mut link = match m.as_link() {
            Some(l) if l.name == self.name => l.clone(),
            _ => anyhow::bail!(
                "{} is not a link for step {:?}",
                unfinished.display(),
                self.name
            ),
        };
        let cwd = std::env::current_dir().context("reading the current directory")?;
        link.products = record::record_artifacts(&cwd, &self.products, &self.flags.options())
            .context("recording the products")?;
        let signed = sign_link(link, &signer, self.use_dsse)?;
        plan.write(&[Output {
            path: &out,
            data: signed.raw(),
            mode: Mode::Public,
        }])?;
        std::fs::remove_file(&unfinished)
            .with_context(|| format!("removing {}", unfinished.display()))?;
        crate::outln!("{}", out.display());
        Ok(())
    }
}

/// `supply in-toto sign`.
#[derive(Debug, Args)]
pub struct Sign {
    /// The layout (or link) to sign: a metablock (`{"signed": ..., "signatures": []}`) or DSSE
    /// envelope; the signed bytes are kept exactly, existing signatures stay.
    #[arg(long, short = 'f')]
    file: PathBuf,
    /// Private keys to sign with.
    #[arg(long, short = 'k', required = true, num_args = 1..)]
    key: Vec<PathBuf>,
    /// Where to write the signed document.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

impl Sign {
    fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let mut plan = Plan::new(self.force)
            .input(&self.file)
            .output(Some(&self.output));
        for k in &self.key {
            plan = plan.input(k);
        }
        plan.check()?;
        let bytes = read_capped(
            &self.file,
            supply_intoto::limits::MAX_METADATA_LEN as u64,
            "metadata",
        )?;
        let m = Metadata::from_slice(&bytes)
            .with_context(|| format!("reading {}", self.file.display()))?;
        let signers = self
            .key
            .iter()
            .map(|k| signer(k, provider))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let refs: Vec<&dyn supply_sig::sign::Signer> = signers
            .iter()
            .map(|s| s as &dyn supply_sig::sign::Signer)
            .collect();
        let signed = m.add_signatures(&refs).context("signing")?;
        plan.write(&[Output {
            path: &self.output,
            data: signed.raw(),
            mode: Mode::Public,
        }])?;
        Ok(())
    }
}
