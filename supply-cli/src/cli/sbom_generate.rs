//! `supply sbom generate PATH`: an SBOM from a lockfile, a root filesystem directory, or an
//! OCI image layout (`oci:DIR[:TAG]`). supply-sbom decides everything; for a layout this module
//! reads the manifest with supply-oci, verifies each layer blob against its descriptor, and
//! hands the layers to `supply_sbom::generate::from_layers` in order.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Args;
use supply_oci::manifest::Document;
use supply_oci::{Descriptor, Layout};
use supply_sbom::format::{self, OutputFormat};
use supply_sbom::generate::{self, Generated, Layer, Options};
use supply_sbom::lockfile::Kind;

use super::read_capped;

/// `supply sbom generate`.
#[derive(Debug, Args)]
pub struct Generate {
    /// What to describe: a lockfile (Cargo.lock, package-lock.json, requirements*.txt,
    /// poetry.lock, go.sum), a root filesystem directory, or an OCI image layout as
    /// `oci:DIR[:TAG]` (tag `latest` by default).
    path: String,
    /// Output format: spdx-json, spdx-tag-value, spdx3-jsonld, cyclonedx-json, cyclonedx-xml.
    #[arg(
        short = 'o',
        long = "output-format",
        value_name = "FORMAT",
        default_value = "spdx-json"
    )]
    format: OutputFormat,
    /// The document name (default: the file, directory or image name).
    #[arg(long)]
    name: Option<String>,
    /// The creation time to record, RFC 3339 (`2024-05-01T12:00:00Z`); default: now.
    #[arg(long)]
    created: Option<String>,
}

impl Generate {
    /// Runs the verb: the SBOM on standard output, warnings on standard error.
    pub fn run(&self) -> anyhow::Result<()> {
        let mut opts = Options::default();
        opts.name = self.name.clone();
        opts.created = Some(self.created.clone().unwrap_or_else(now_rfc3339));
        let generated = if let Some(rest) = self.path.strip_prefix("oci:") {
            from_layout(rest, opts)?
        } else {
            let path = Path::new(&self.path);
            let md = std::fs::metadata(path).with_context(|| format!("reading {}", self.path))?;
            if md.is_dir() {
                generate::from_rootfs(path, &opts)
                    .with_context(|| format!("generating an SBOM of {}", self.path))?
            } else {
                let Some(kind) = Kind::from_file_name(path) else {
                    bail!(
                        "{} is not a directory, an oci: layout or a known lockfile name",
                        self.path
                    );
                };
                let bytes = read_capped(
                    path,
                    supply_sbom::limits::MAX_LOCKFILE_LEN as u64,
                    "lockfile",
                )?;
                generate::from_lockfile(kind, &bytes, &self.path, &opts)
                    .with_context(|| format!("generating an SBOM of {}", self.path))?
            }
        };
        for w in &generated.warnings {
            eprintln!("warning: {w}");
        }
        let out = format::write(&generated.sbom, self.format);
        std::io::stdout()
            .write_all(&out)
            .context("writing to standard output")?;
        Ok(())
    }
}

/// Largest layer blob handed to the generator: 16 GiB (compressed; the generator bounds the
/// decompressed bytes itself).
const MAX_LAYER_BLOB: u64 = 16 * 1024 * 1024 * 1024;

fn from_layout(spec: &str, mut opts: Options) -> anyhow::Result<Generated> {
    let (dir, tag) = match spec.rsplit_once(':') {
        Some((d, t)) if !t.contains('/') && !d.is_empty() => (d, t),
        _ => (spec, "latest"),
    };
    let layout = Layout::open(dir).with_context(|| format!("opening OCI layout {dir}"))?;
    let mut desc = layout
        .resolve(tag)
        .with_context(|| format!("resolving tag {tag} in {dir}"))?;
    // An index (multi-platform image): the linux/amd64 manifest, else the first.
    let manifest = loop {
        let m = layout.read_manifest(&desc)?;
        match m.document() {
            Document::OciIndex(i) | Document::DockerManifestList(i) => {
                let pick = i
                    .manifests
                    .iter()
                    .find(|d| {
                        d.platform
                            .as_ref()
                            .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
                    })
                    .or_else(|| i.manifests.first())
                    .cloned();
                match pick {
                    Some(d) if d.digest != desc.digest => desc = d,
                    _ => bail!("the index tagged {tag} names no image manifest"),
                }
            }
            other => match other.as_manifest() {
                Some(im) => break im.clone(),
                None => bail!("{tag} is not an image manifest"),
            },
        }
    };
    if opts.name.is_none() {
        let base = Path::new(dir)
            .file_name()
            .map_or_else(|| dir.to_string(), |n| n.to_string_lossy().into_owned());
        opts.name = Some(format!("{base}:{tag}"));
    }
    let mut layers = Vec::new();
    for d in &manifest.layers {
        layers.push(open_layer(&layout, d)?);
    }
    generate::from_layers(layers, &opts).with_context(|| format!("generating an SBOM of {spec}"))
}

/// Verifies a layer blob (size and digest, streamed) and opens it for the generator.
fn open_layer<'a>(layout: &Layout, d: &Descriptor) -> anyhow::Result<Layer<'a>> {
    layout
        .copy_blob(d, &mut std::io::sink(), MAX_LAYER_BLOB)
        .with_context(|| format!("verifying layer {}", d.digest))?;
    let path: PathBuf = layout.blob_path(&d.digest);
    let f = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    // The generator reads no more than the verified size.
    let mut layer = Layer::new(d.digest.to_string(), std::io::Read::take(f, d.size));
    if d.media_type.ends_with("+zstd") {
        layer.compression = generate::Compression::Zstd;
    } else if d.media_type.ends_with("+gzip") || d.media_type.ends_with(".gzip") {
        layer.compression = generate::Compression::Gzip;
    }
    Ok(layer)
}

/// The current time, `YYYY-MM-DDThh:mm:ssZ` (the CLI is where the clock is read).
fn now_rfc3339() -> String {
    supply_sig::time::Timestamp::from(std::time::SystemTime::now()).to_rfc3339()
}
