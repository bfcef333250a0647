//! OCI registry verbs at the top level, as crane and oras name them: `digest`, `manifest`, `ls`,
//! `push`, `pull`, `attach`, `discover`, `copy`. Every check (digests, sizes, referrer
//! subjects) is `supply_oci::registry`'s; these verbs read arguments and print.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};
use supply_oci::auth::{Credential, DockerConfig, DockerCredentialHelper};
use supply_oci::descriptor::Annotations;
use supply_oci::manifest::{Document, ImageManifest, Manifest};
use supply_oci::reference::Reference;
use supply_oci::registry::{
    Anonymous, Client, Credentials, DockerConfigCredentials, Options, Progress, StaticCredentials,
};
use supply_oci::{media_type, Descriptor, Layout};

use super::net::HttpArgs;

/// The annotation that names a file in an artifact (oras, `image-spec` annotations.md).
const TITLE: &str = "org.opencontainers.image.title";

/// Largest file `supply push` / `attach` uploads: 1 TiB. The files are the user's own; the cap
/// only stops a file that never ends (a device, a file still being written).
const MAX_PUSH_BLOB: u64 = 1 << 40;

/// Largest blob `supply pull` / `copy` fetches: 64 GiB. Blobs stream to disk (memory use
/// does not grow with them), so the cap only bounds the disk a descriptor can claim.
const MAX_PULL_BLOB: u64 = 64 * 1024 * 1024 * 1024;

/// Largest blob `copy` moves between two OCI layouts (in memory): 64 MiB, the layout's own
/// default read cap.
const MAX_LAYOUT_COPY_BLOB: u64 = supply_oci::limits::MAX_BLOB_READ_LEN;

/// Deepest referrer chain `discover` and `copy -r` follow.
const MAX_REFERRER_DEPTH: usize = 8;

/// The OCI verbs (flattened into the top level).
#[derive(Debug, Subcommand)]
pub enum OciCmd {
    /// Print the digest of the manifest a reference names.
    Digest(DigestCmd),
    /// Print the manifest a reference names, byte for byte.
    Manifest(ManifestCmd),
    /// List the tags of a repository.
    Ls(LsCmd),
    /// Push files as an artifact: one layer per FILE (FILE:MEDIATYPE sets its media type), an empty config.
    Push(PushCmd),
    /// Pull the files (titled layers) of an artifact into a directory.
    Pull(PullCmd),
    /// Attach files to a manifest as a referrer (its `subject`).
    Attach(AttachCmd),
    /// List the referrers of a manifest, recursively (`supply tree REF`: the same, as a tree).
    #[command(visible_alias = "tree")]
    Discover(DiscoverCmd),
    /// Copy a manifest and its blobs between registries and OCI layouts (`oci:DIR[:TAG]`).
    Copy(CopyCmd),
}

impl OciCmd {
    /// Runs the verb.
    pub fn run(&self) -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        match self {
            Self::Digest(c) => rt.block_on(c.run()),
            Self::Manifest(c) => rt.block_on(c.run()),
            Self::Ls(c) => rt.block_on(c.run()),
            Self::Push(c) => rt.block_on(c.run()),
            Self::Pull(c) => rt.block_on(c.run()),
            Self::Attach(c) => rt.block_on(c.run()),
            Self::Discover(c) => rt.block_on(c.run()),
            Self::Copy(c) => rt.block_on(c.run()),
        }
    }
}

/// How to reach and log in to a registry: shared by the OCI verbs and `sign`/`verify`.
#[derive(Debug, Clone, Args)]
pub struct RegistryAccess {
    /// Talk plain HTTP to the registry (loopback registries always get plain HTTP).
    #[arg(long, alias = "allow-insecure-registry")]
    plain_http: bool,
    /// User name for the registry (with --password); otherwise docker's config.json is read.
    #[arg(long, short = 'u', requires = "password")]
    username: Option<String>,
    /// Password for --username.
    #[arg(
        long,
        short = 'p',
        env = "SUPPLY_REGISTRY_PASSWORD",
        hide_env_values = true
    )]
    password: Option<String>,
}

impl RegistryAccess {
    /// A client for `registries` with these flags and the HTTP `options`.
    pub(crate) fn client_with(
        &self,
        options: supply_sig::http::HttpOptions,
        registries: &[&Reference],
    ) -> anyhow::Result<Client> {
        registry_client(
            options,
            self.plain_http,
            self.username.as_deref().zip(self.password.as_deref()),
            registries,
        )
    }
}

/// Registry connection flags.
#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    #[command(flatten)]
    http: HttpArgs,
    #[command(flatten)]
    access: RegistryAccess,
}

impl RegistryArgs {
    fn client(&self, registries: &[&Reference]) -> anyhow::Result<Client> {
        self.access.client_with(self.http.options()?, registries)
    }
}

/// A registry client for `registries`: plain HTTP to them when `plain_http`, basic
/// `credentials` when given, else docker's config.json, else anonymous.
pub(crate) fn registry_client(
    http: supply_sig::http::HttpOptions,
    plain_http: bool,
    credentials: Option<(&str, &str)>,
    registries: &[&Reference],
) -> anyhow::Result<Client> {
    let mut options = Options::new().with_http(http);
    if plain_http {
        for r in registries {
            options = options.with_plain_http(r.registry());
        }
    }
    let credentials: Box<dyn Credentials> = match credentials {
        Some((u, p)) => {
            let mut s = StaticCredentials::new();
            for r in registries {
                s = s.with(
                    r.registry(),
                    Credential::Basic {
                        username: u.to_owned(),
                        password: p.to_owned(),
                    },
                );
            }
            Box::new(s)
        }
        None => match docker_config_path().filter(|p| p.is_file()) {
            Some(path) => Box::new(DockerConfigCredentials::new(
                DockerConfig::load(&path)?,
                DockerCredentialHelper::new(),
            )),
            None => Box::new(Anonymous),
        },
    };
    Ok(Client::new(options, credentials)?)
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(d).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

pub(crate) fn parse_ref(s: &str) -> anyhow::Result<Reference> {
    Reference::parse(s).with_context(|| format!("invalid reference {s:?}"))
}

fn parse_annotations(list: &[String]) -> anyhow::Result<Option<Annotations>> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut out = Annotations::new();
    for a in list {
        let Some((k, v)) = a.split_once('=') else {
            bail!("--annotation {a:?} is not KEY=VALUE");
        };
        out.insert(k.to_owned(), v.to_owned());
    }
    Ok(Some(out))
}

/// `supply digest REF`.
#[derive(Debug, Args)]
pub struct DigestCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The image reference.
    reference: String,
}

impl DigestCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let d = c.resolve(&r).await?;
        crate::outln!("{}", d.digest);
        Ok(())
    }
}

/// `supply manifest REF`.
#[derive(Debug, Args)]
pub struct ManifestCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The image reference.
    reference: String,
}

impl ManifestCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let m = c.fetch_manifest(&r).await?;
        std::io::stdout().write_all(m.raw())?;
        Ok(())
    }
}

/// `supply ls REPO`.
#[derive(Debug, Args)]
pub struct LsCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Tags per page asked for.
    #[arg(long)]
    page_size: Option<usize>,
    /// The repository.
    repository: String,
}

impl LsCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.repository)?;
        let c = self.registry.client(&[&r])?;
        for t in c.tags(&r, self.page_size, None).await? {
            crate::outln!("{t}");
        }
        Ok(())
    }
}

/// Files given as `FILE[:MEDIATYPE]`.
fn file_arg(s: &str) -> (PathBuf, String) {
    // A media type has a `/`; a Windows-style or odd path with `:` stays a path.
    match s.rsplit_once(':') {
        Some((f, mt)) if mt.contains('/') && !f.is_empty() => (PathBuf::from(f), mt.to_owned()),
        _ => (PathBuf::from(s), media_type::OCI_LAYER_TAR.to_owned()),
    }
}

/// A progress bar on stderr for one blob transfer (`indicatif`), drawn only when stderr is a
/// terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn update(&self, done: u64) {
        self.0.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A bar for `len` bytes labelled `name`, or `None` when stderr is not a terminal.
fn progress_bar(name: &str, len: u64) -> Option<std::sync::Arc<Bar>> {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:24!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(name.to_owned());
    Some(std::sync::Arc::new(Bar(bar)))
}

/// Pushes each file as a titled layer.
async fn push_files(
    c: &Client,
    repo: &Reference,
    files: &[String],
) -> anyhow::Result<Vec<Descriptor>> {
    let mut layers = Vec::new();
    for f in files {
        let (path, mt) = file_arg(f);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} has no file name", path.display()))?
            .to_owned();
        let len = std::fs::metadata(&path)
            .with_context(|| format!("opening {}", path.display()))?
            .len();
        // Streamed from disk: hashed first, then uploaded in one PUT (memory stays flat).
        let bar = progress_bar(&name, len).map(|b| b as std::sync::Arc<dyn Progress>);
        let mut d = c
            .push_blob_file(repo, &mt, &path, MAX_PUSH_BLOB, bar)
            .await
            .with_context(|| format!("pushing {}", path.display()))?;
        let mut ann = Annotations::new();
        ann.insert(TITLE.to_owned(), name);
        d.annotations = Some(ann);
        layers.push(d);
    }
    Ok(layers)
}

async fn artifact_manifest(
    c: &Client,
    repo: &Reference,
    files: &[String],
    artifact_type: &str,
    annotations: Option<Annotations>,
    subject: Option<Descriptor>,
) -> anyhow::Result<Manifest> {
    let layers = push_files(c, repo, files).await?;
    let config = c
        .push_blob(
            repo,
            media_type::OCI_EMPTY,
            supply_oci::descriptor::EMPTY_JSON,
        )
        .await?;
    let layers = if layers.is_empty() {
        vec![Descriptor::empty()]
    } else {
        layers
    };
    let mut m = ImageManifest::new(config, layers);
    m.artifact_type = Some(artifact_type.to_owned());
    m.annotations = annotations;
    m.subject = subject;
    Ok(Manifest::encode(&Document::OciManifest(m))?)
}

/// `supply push REF FILE[:MEDIATYPE]...`.
#[derive(Debug, Args)]
pub struct PushCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The artifact type.
    #[arg(long, default_value = "application/vnd.unknown.artifact.v1")]
    artifact_type: String,
    /// Manifest annotations, KEY=VALUE (repeatable).
    #[arg(long = "annotation", short = 'a')]
    annotations: Vec<String>,
    /// Where to push (a tag, or none for by-digest).
    reference: String,
    /// The files, each FILE or FILE:MEDIATYPE.
    files: Vec<String>,
}

impl PushCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let m = artifact_manifest(
            &c,
            &r,
            &self.files,
            &self.artifact_type,
            parse_annotations(&self.annotations)?,
            None,
        )
        .await?;
        let pushed = c.push_manifest(&r, &m).await?;
        crate::outln!("{}", pushed.digest);
        Ok(())
    }
}

/// `supply attach --artifact-type T REF FILE...`.
#[derive(Debug, Args)]
pub struct AttachCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The artifact type of the referrer.
    #[arg(long)]
    artifact_type: String,
    /// Manifest annotations, KEY=VALUE (repeatable).
    #[arg(long = "annotation", short = 'a')]
    annotations: Vec<String>,
    /// The manifest to attach to (the subject).
    reference: String,
    /// The files, each FILE or FILE:MEDIATYPE.
    files: Vec<String>,
}

impl AttachCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let subject = c.resolve(&r).await?;
        let m = artifact_manifest(
            &c,
            &r,
            &self.files,
            &self.artifact_type,
            parse_annotations(&self.annotations)?,
            Some(Descriptor::new(
                &subject.media_type,
                subject.digest,
                subject.size,
            )),
        )
        .await?;
        let pushed = c.attach(&r, &m).await?;
        crate::outln!("{}", pushed.digest);
        Ok(())
    }
}

/// `supply pull REF -o DIR`.
#[derive(Debug, Args)]
pub struct PullCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The directory to write the files into.
    #[arg(long, short = 'o', default_value = ".")]
    output: PathBuf,
    /// The artifact.
    reference: String,
}

/// A layer title usable as a file name inside the output directory.
fn safe_title(t: &str) -> Option<&str> {
    let ok = !t.is_empty()
        && t != "."
        && t != ".."
        && !t.contains(['/', '\\', '\0'])
        && !t.starts_with('.');
    ok.then_some(t)
}

impl PullCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let m = c.fetch_manifest(&r).await?;
        let Some(im) = m.document().as_manifest() else {
            bail!(
                "{} is a {}, not an artifact manifest",
                self.reference,
                m.kind()
            );
        };
        std::fs::create_dir_all(&self.output)?;
        let mut n = 0;
        for layer in &im.layers {
            let Some(title) = layer.annotation(TITLE) else {
                continue;
            };
            let Some(name) = safe_title(title) else {
                bail!("refusing the layer title {title:?}: not a plain file name");
            };
            // Streamed to a temporary file, verified, then renamed to `name`.
            let bar = progress_bar(name, layer.size);
            c.fetch_blob_to_file(
                &r,
                layer,
                &self.output.join(name),
                MAX_PULL_BLOB,
                bar.as_deref().map(|b| b as &dyn Progress),
            )
            .await
            .with_context(|| format!("pulling {name} ({})", layer.digest))?;
            crate::outln!("{name}");
            n += 1;
        }
        if n == 0 {
            bail!("{} has no titled layers", self.reference);
        }
        Ok(())
    }
}

/// `discover` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A tree grouped by artifact type (as `oras discover --format tree`).
    Tree,
    /// JSON shaped as `oras discover --format json`.
    Json,
}

/// `supply discover REF`.
#[derive(Debug, Args)]
pub struct DiscoverCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "tree")]
    format: Format,
    /// Only referrers of this artifact type (at the first level).
    #[arg(long)]
    artifact_type: Option<String>,
    /// The subject.
    reference: String,
}

/// The referrers of `subject`, each with its own, as oras' JSON nodes.
async fn referrer_nodes(
    c: &Client,
    subject: &Reference,
    artifact_type: Option<&str>,
    depth: usize,
) -> anyhow::Result<Vec<Value>> {
    if depth >= MAX_REFERRER_DEPTH {
        return Ok(Vec::new());
    }
    use futures_util::StreamExt as _;
    let list = c.referrers(subject, artifact_type).await?;
    // Each referrer's own referrers are asked for a few at a time, in listing order: a subject
    // with a thousand referrers is a thousand more listings, and registries that compute a
    // listing by scanning the repository answer each slowly.
    let children: Vec<Reference> = list
        .referrers
        .iter()
        .map(|d| subject.with_digest(d.digest))
        .collect();
    let nested: Vec<anyhow::Result<Vec<Value>>> = futures_util::stream::iter(
        children
            .iter()
            .map(|child| Box::pin(referrer_nodes(c, child, None, depth + 1))),
    )
    // Concurrent at the first level only: deeper levels run one listing at a time within each
    // first-level branch, so at most MAX_CONCURRENT_FETCHES listings are in flight however
    // deep a (hostile) registry nests referrers.
    .buffered(if depth == 0 {
        supply_oci::registry::MAX_CONCURRENT_FETCHES
    } else {
        1
    })
    .collect()
    .await;
    let mut out = Vec::new();
    for ((d, child), nested) in list.referrers.into_iter().zip(children).zip(nested) {
        let nested = nested?;
        let mut node = json!({
            "reference": child.to_string(),
            "mediaType": d.media_type,
            "digest": d.digest.to_string(),
            "size": d.size,
        });
        if let Some(a) = &d.annotations {
            node["annotations"] = json!(a);
        }
        if let Some(t) = &d.artifact_type {
            node["artifactType"] = json!(t);
        }
        node["referrers"] = Value::Array(nested);
        out.push(node);
    }
    Ok(out)
}

fn print_tree(nodes: &[Value], prefix: &str, out: &mut String) {
    // Group by artifact type, in first-seen order (as oras).
    let mut groups: Vec<(String, Vec<&Value>)> = Vec::new();
    for n in nodes {
        let t = n["artifactType"].as_str().unwrap_or("<unknown>").to_owned();
        match groups.iter_mut().find(|(g, _)| *g == t) {
            Some((_, v)) => v.push(n),
            None => groups.push((t, vec![n])),
        }
    }
    let branch = |last: bool| if last { "└── " } else { "├── " };
    let indent = |last: bool| if last { "    " } else { "│   " };
    for (gi, (t, members)) in groups.iter().enumerate() {
        let glast = gi + 1 == groups.len();
        out.push_str(&format!("{prefix}{}{t}\n", branch(glast)));
        let gprefix = format!("{prefix}{}", indent(glast));
        for (mi, n) in members.iter().enumerate() {
            let mlast = mi + 1 == members.len();
            out.push_str(&format!(
                "{gprefix}{}{}\n",
                branch(mlast),
                n["digest"].as_str().unwrap_or_default()
            ));
            let mprefix = format!("{gprefix}{}", indent(mlast));
            let children = n["referrers"].as_array().cloned().unwrap_or_default();
            let annotations: BTreeMap<String, String> =
                serde_json::from_value(n["annotations"].clone()).unwrap_or_default();
            if !annotations.is_empty() {
                let alast = children.is_empty();
                out.push_str(&format!("{mprefix}{}[annotations]\n", branch(alast)));
                let aprefix = format!("{mprefix}{}", indent(alast));
                for (ai, (k, v)) in annotations.iter().enumerate() {
                    let last = ai + 1 == annotations.len();
                    out.push_str(&format!("{aprefix}{}{k}: {v}\n", branch(last)));
                }
            }
            print_tree(&children, &mprefix, out);
        }
    }
}

impl DiscoverCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let c = self.registry.client(&[&r])?;
        let subject = c.resolve(&r).await?;
        let sref = r.with_digest(subject.digest);
        let nodes = referrer_nodes(&c, &sref, self.artifact_type.as_deref(), 0).await?;
        match self.format {
            Format::Json => {
                let v = json!({
                    "reference": sref.to_string(),
                    "mediaType": subject.media_type,
                    "digest": subject.digest.to_string(),
                    "size": subject.size,
                    "referrers": nodes,
                });
                crate::outln!("{}", serde_json::to_string_pretty(&v)?);
            }
            Format::Tree => {
                let mut out = format!("{sref}\n");
                print_tree(&nodes, "", &mut out);
                crate::out!("{out}");
            }
        }
        Ok(())
    }
}

/// `supply copy SRC DST`.
#[derive(Debug, Args)]
pub struct CopyCmd {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Also copy the referrers (recursively).
    #[arg(long, short = 'r')]
    recursive: bool,
    /// The source: a reference, or `oci:DIR[:TAG]` (an OCI image layout).
    source: String,
    /// The destination: a reference, or `oci:DIR[:TAG]`.
    destination: String,
}

/// One end of a copy.
enum End {
    Registry(Reference),
    Layout(Layout, Option<String>),
}

fn parse_end(s: &str, create: bool) -> anyhow::Result<End> {
    let Some(rest) = s.strip_prefix("oci:") else {
        return Ok(End::Registry(parse_ref(s)?));
    };
    let (dir, tag) = match rest.rsplit_once(':') {
        Some((d, t)) if !t.contains('/') && !d.is_empty() => (d, Some(t.to_owned())),
        _ => (rest, None),
    };
    let layout = if create
        && !Path::new(dir)
            .join(supply_oci::layout::LAYOUT_FILE)
            .exists()
    {
        Layout::create(dir)?
    } else {
        Layout::open(dir)?
    };
    Ok(End::Layout(layout, tag))
}

impl End {
    async fn read_manifest(
        &self,
        c: &Client,
        desc: Option<&Descriptor>,
    ) -> anyhow::Result<Manifest> {
        match (self, desc) {
            (Self::Registry(r), Some(d)) => Ok(c.fetch_manifest(&r.with_digest(d.digest)).await?),
            (Self::Registry(r), None) => Ok(c.fetch_manifest(r).await?),
            (Self::Layout(l, _), Some(d)) => Ok(l.read_manifest(d)?),
            (Self::Layout(l, tag), None) => {
                let tag = tag.as_deref().unwrap_or("latest");
                Ok(l.read_manifest(&l.resolve(tag)?)?)
            }
        }
    }

    /// Whether this end already has the blob `d` (a layout's is verified).
    async fn has_blob(&self, c: &Client, d: &Descriptor) -> anyhow::Result<bool> {
        match self {
            Self::Registry(r) => Ok(c.blob_exists(r, &d.digest).await? == Some(d.size)),
            Self::Layout(l, _) => Ok(l.copy_blob(d, &mut std::io::sink(), d.size).is_ok()),
        }
    }
}

/// Copies the blob `d` from `src` to `dst` without holding it in memory (except between two
/// layouts): registry → layout streams into the layout's blob file, layout → registry streams
/// the blob file up, registry → registry goes through a temporary file.
async fn copy_blob(c: &Client, src: &End, dst: &End, d: &Descriptor) -> anyhow::Result<()> {
    if dst.has_blob(c, d).await? {
        return Ok(());
    }
    let name = d.digest.to_string();
    match (src, dst) {
        (End::Registry(s), End::Layout(l, _)) => {
            let path = l.blob_path(&d.digest);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let bar = progress_bar(&name, d.size);
            c.fetch_blob_to_file(
                s,
                d,
                &path,
                MAX_PULL_BLOB,
                bar.as_deref().map(|b| b as &dyn Progress),
            )
            .await?;
        }
        (End::Layout(l, _), End::Registry(r)) => {
            // Verified in the layout first: the upload hashes the file itself too, and the
            // registry checks that digest, but the descriptor's must be the one that arrives.
            l.copy_blob(d, &mut std::io::sink(), MAX_PULL_BLOB)?;
            let bar = progress_bar(&name, d.size).map(|b| b as std::sync::Arc<dyn Progress>);
            let pushed = c
                .push_blob_file(
                    r,
                    &d.media_type,
                    &l.blob_path(&d.digest),
                    MAX_PULL_BLOB,
                    bar,
                )
                .await?;
            if pushed.digest != d.digest {
                bail!("{name} changed in the layout while it was copied");
            }
        }
        (End::Registry(s), End::Registry(r)) => {
            if s.registry() == r.registry() && c.mount_blob(r, s.repository(), &d.digest).await? {
                return Ok(());
            }
            let dir = SpoolDir::new()?;
            let path = dir.0.join("blob");
            let bar = progress_bar(&name, d.size);
            c.fetch_blob_to_file(
                s,
                d,
                &path,
                MAX_PULL_BLOB,
                bar.as_deref().map(|b| b as &dyn Progress),
            )
            .await?;
            let bar = progress_bar(&name, d.size).map(|b| b as std::sync::Arc<dyn Progress>);
            c.push_blob_file(r, &d.media_type, &path, MAX_PULL_BLOB, bar)
                .await?;
        }
        (End::Layout(s, _), End::Layout(l, _)) => {
            let mut bytes = Vec::new();
            s.copy_blob(d, &mut bytes, MAX_LAYOUT_COPY_BLOB)?;
            l.put_blob(&d.media_type, &bytes)?;
        }
    }
    Ok(())
}

/// A private temporary directory (mode 0700 where supported), removed on drop.
struct SpoolDir(PathBuf);

impl SpoolDir {
    fn new() -> anyhow::Result<Self> {
        let base = std::env::temp_dir();
        for n in 0..100u32 {
            let dir = base.join(format!("supply-copy-{}-{n}", std::process::id()));
            let mut b = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            match b.create(&dir) {
                Ok(()) => return Ok(Self(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
            }
        }
        bail!("no free temporary directory name under {}", base.display())
    }
}

impl Drop for SpoolDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl End {
    async fn write_manifest(
        &self,
        c: &Client,
        m: &Manifest,
        tag: Option<&str>,
    ) -> anyhow::Result<()> {
        match self {
            Self::Registry(r) => {
                let target = match tag {
                    Some(t) => r.with_tag(t)?,
                    None => r.with_digest(m.digest()),
                };
                if tag.is_none() && m.document().subject().is_some() {
                    c.attach(r, m).await?;
                } else {
                    c.push_manifest(&target, m).await?;
                }
            }
            Self::Layout(l, _) => {
                let d = l.put_manifest(m)?;
                match tag {
                    Some(t) => l.tag(&d, t)?,
                    None => l.add_untagged(&d)?,
                }
            }
        }
        Ok(())
    }

    async fn referrers(&self, c: &Client, subject: &Descriptor) -> anyhow::Result<Vec<Descriptor>> {
        match self {
            Self::Registry(r) => Ok(c
                .referrers(&r.with_digest(subject.digest), None)
                .await?
                .referrers),
            Self::Layout(l, _) => Ok(l.referrers(&subject.digest)?),
        }
    }
}

/// Copies the manifest `desc` (children first) from `src` to `dst`.
async fn copy_tree(
    c: &Client,
    src: &End,
    dst: &End,
    desc: Option<&Descriptor>,
    tag: Option<&str>,
    depth: usize,
) -> anyhow::Result<Manifest> {
    if depth > MAX_REFERRER_DEPTH {
        bail!("the manifest graph is deeper than {MAX_REFERRER_DEPTH}");
    }
    let m = src.read_manifest(c, desc).await?;
    if let Some(i) = m.document().as_index() {
        for child in &i.manifests {
            Box::pin(copy_tree(c, src, dst, Some(child), None, depth + 1)).await?;
        }
    } else {
        for child in m.document().children() {
            copy_blob(c, src, dst, child).await?;
        }
    }
    dst.write_manifest(c, &m, tag).await?;
    Ok(m)
}

async fn copy_referrers(
    c: &Client,
    src: &End,
    dst: &End,
    subject: &Descriptor,
    depth: usize,
) -> anyhow::Result<usize> {
    if depth > MAX_REFERRER_DEPTH {
        return Ok(0);
    }
    let mut n = 0;
    for r in src.referrers(c, subject).await? {
        Box::pin(copy_tree(c, src, dst, Some(&r), None, depth + 1)).await?;
        n += 1 + Box::pin(copy_referrers(c, src, dst, &r, depth + 1)).await?;
    }
    Ok(n)
}

impl CopyCmd {
    async fn run(&self) -> anyhow::Result<()> {
        let src = parse_end(&self.source, false)?;
        let dst = parse_end(&self.destination, true)?;
        let refs: Vec<&Reference> = [&src, &dst]
            .into_iter()
            .filter_map(|e| match e {
                End::Registry(r) => Some(r),
                End::Layout(..) => None,
            })
            .collect();
        let c = self.registry.client(&refs)?;
        let tag = match (&dst, &src) {
            (End::Registry(r), _) => r.tag().map(str::to_owned),
            (End::Layout(_, Some(t)), _) => Some(t.clone()),
            (End::Layout(_, None), End::Registry(r)) => r.tag().map(str::to_owned),
            (End::Layout(_, None), End::Layout(_, t)) => t.clone(),
        };
        let m = copy_tree(&c, &src, &dst, None, tag.as_deref(), 0).await?;
        let d = m.descriptor();
        let mut n = 0;
        if self.recursive {
            n = copy_referrers(&c, &src, &dst, &d, 0).await?;
        }
        crate::outln!("{}", d.digest);
        if self.recursive {
            eprintln!("copied {n} referrer(s)");
        }
        Ok(())
    }
}
