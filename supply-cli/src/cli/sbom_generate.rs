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
    let mut outcomes = Vec::new();
    for d in &manifest.layers {
        let (layer, outcome) = open_layer(&layout, d)?;
        layers.push(layer);
        outcomes.push(outcome);
    }
    // The layers are dropped (each verdict reached) by the time the generator returns; a
    // layer that does not match its descriptor voids the result.
    let generated = generate::from_layers(layers, &opts);
    for o in &outcomes {
        match o.borrow_mut().take() {
            Some(Ok(())) => {}
            Some(Err(e)) => bail!("{e}"),
            None => bail!("a layer was not read to its end"),
        }
    }
    generated.with_context(|| format!("generating an SBOM of {spec}"))
}

/// What a layer blob turned out to be once read: `Ok` when its size and digest are its
/// descriptor's.
type Outcome = std::rc::Rc<std::cell::RefCell<Option<Result<(), String>>>>;

/// A layer blob read once: hashed as the generator reads it; what the generator leaves unread
/// (tar padding, bytes after a compressed stream) is read and hashed when it lets go, so the
/// digest covers every byte. The verdict waits in `outcome` for after generation, which is
/// thrown away unless every layer matched.
struct VerifyingBlob {
    file: std::io::Take<std::fs::File>,
    hasher: Option<supply_sig::digest::Hasher>,
    read: u64,
    desc: Descriptor,
    outcome: Outcome,
}

impl std::io::Read for VerifyingBlob {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if let (Some(h), Some(chunk)) = (self.hasher.as_mut(), buf.get(..n)) {
            h.update(chunk);
        }
        self.read += n as u64;
        Ok(n)
    }
}

impl VerifyingBlob {
    fn finish(&mut self) -> Result<(), String> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = std::io::Read::read(self, &mut buf)
                .map_err(|e| format!("reading layer {}: {e}", self.desc.digest))?;
            if n == 0 {
                break;
            }
        }
        if self.read != self.desc.size {
            return Err(format!(
                "layer {} is {} bytes, its descriptor says {}",
                self.desc.digest, self.read, self.desc.size
            ));
        }
        let got = self.hasher.take().map(supply_sig::digest::Hasher::finish);
        if got.as_ref() != Some(&self.desc.digest) {
            return Err(format!(
                "layer {} does not match its digest",
                self.desc.digest
            ));
        }
        Ok(())
    }
}

impl Drop for VerifyingBlob {
    fn drop(&mut self) {
        let verdict = self.finish();
        *self.outcome.borrow_mut() = Some(verdict);
    }
}

/// Opens a layer blob for the generator, verified (size and digest) as it is read: one pass
/// over the file.
fn open_layer<'a>(layout: &Layout, d: &Descriptor) -> anyhow::Result<(Layer<'a>, Outcome)> {
    if d.size > MAX_LAYER_BLOB {
        bail!(
            "layer {} is {} bytes, over the {MAX_LAYER_BLOB}-byte cap",
            d.digest,
            d.size
        );
    }
    let path: PathBuf = layout.blob_path(&d.digest);
    let f = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let len = f
        .metadata()
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len != d.size {
        bail!(
            "layer {} is {len} bytes, its descriptor says {}",
            d.digest,
            d.size
        );
    }
    let outcome = Outcome::default();
    let blob = VerifyingBlob {
        // No more than the verified size is ever read.
        file: std::io::Read::take(f, d.size),
        hasher: Some(supply_sig::digest::Hasher::new(d.digest.algorithm())),
        read: 0,
        desc: d.clone(),
        outcome: outcome.clone(),
    };
    let mut layer = Layer::new(d.digest.to_string(), blob);
    if d.media_type.ends_with("+zstd") {
        layer.compression = generate::Compression::Zstd;
    } else if d.media_type.ends_with("+gzip") || d.media_type.ends_with(".gzip") {
        layer.compression = generate::Compression::Gzip;
    }
    Ok((layer, outcome))
}

/// The current time, `YYYY-MM-DDThh:mm:ssZ` (the CLI is where the clock is read).
fn now_rfc3339() -> String {
    supply_sig::time::Timestamp::from(std::time::SystemTime::now()).to_rfc3339()
}
