//! SBOM generation: from a lockfile, from a root filesystem directory, or from OCI image
//! layers applied in order, as syft and Tern do.
//!
//! What is found: Debian packages (`var/lib/dpkg/status` and `status.d/`) with their
//! licenses from machine-readable `usr/share/doc/<package>/copyright` files, Alpine packages
//! (`lib/apk/db/installed`), RPM packages (`var/lib/rpm/rpmdb.sqlite`,
//! `usr/lib/sysimage/rpm/rpmdb.sqlite`; see [`pkgdb::rpm`]), the OS from `os-release`, and
//! the packages of every lockfile in the tree ([`lockfile`](mod@crate::lockfile) formats). Each
//! package gets a purl (with `distro` for OS packages), its license, dependency edges
//! (`DEPENDS_ON`) where the database states them, and properties saying where it was found:
//! `supply:location` (the database path) and, for layers, `supply:layer:digest` /
//! `supply:layer:index` of the layer that introduced it. RPM databases in the older
//! BerkeleyDB (`Packages`) and NDB (`Packages.db`) formats are not read: each one found
//! where no `rpmdb.sqlite` is beside it is a [`Warning::UnsupportedDatabase`].
//!
//! Layers arrive as readers with their digests (this crate does not fetch or verify them):
//! plain or gzip tar streams, applied in order with OCI whiteouts (`.wh.NAME`,
//! `.wh..wh..opq`). Entry paths with `..` are refused (skipped, counted in
//! [`Generated::warnings`]); symlinks resolve inside the root; every layer is bounded in
//! entries and decompressed bytes ([`Limits`]).
//!
//! Unlike the rest of the crate this module reads files (a root filesystem); it never writes,
//! and it takes the creation time from the caller.
//!
//! ```
//! use supply_sbom::generate::{from_layers, Layer, Options};
//! use supply_sbom::format::{write, OutputFormat};
//!
//! // A one-layer image with an Alpine database, built in memory.
//! let mut tar = tar::Builder::new(Vec::new());
//! let db = b"P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\n";
//! let mut h = tar::Header::new_gnu();
//! h.set_size(db.len() as u64);
//! h.set_mode(0o644);
//! tar.append_data(&mut h, "lib/apk/db/installed", &db[..])?;
//! let os = b"ID=alpine\nVERSION_ID=3.18.4\n";
//! let mut h = tar::Header::new_gnu();
//! h.set_size(os.len() as u64);
//! tar.append_data(&mut h, "etc/os-release", &os[..])?;
//! let bytes = tar.into_inner()?;
//!
//! let layer = Layer::new("sha256:0123abcd", &bytes[..]);
//! let generated = from_layers(vec![layer], &Options::default())?;
//! let musl = generated.sbom.packages.iter().find(|p| p.name == "musl").ok_or("no musl")?;
//! assert_eq!(musl.purl.as_ref().map(|p| p.to_string()).as_deref(),
//!     Some("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4"));
//! assert_eq!(musl.property("supply:layer:digest"), Some("sha256:0123abcd"));
//! let _cyclonedx = write(&generated.sbom, OutputFormat::CycloneDxJson);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod fs;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use fs::{Disk, Layered, Node, Tree};

use crate::limits::{
    LimitExceeded, MAX_COPYRIGHT_LEN, MAX_GENERATE_KEPT_BYTES, MAX_LAYERS, MAX_LAYER_ENTRIES,
    MAX_LAYER_UNPACKED, MAX_LOCKFILE_LEN, MAX_OS_RELEASE_LEN, MAX_PKGDB_LEN, MAX_RPMDB_LEN,
    MAX_WALK_DEPTH, MAX_WALK_ENTRIES,
};
use crate::lockfile::{self, Kind};
use crate::model::{Package, Properties, RelationshipType, Sbom};
use crate::osv::PackageRef;
use crate::pkgdb::{self, apk, dpkg, rpm, DistroPackage, OsRelease};
use crate::purl::Purl;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or layer over a cap.
    #[error("{path}: over a limit")]
    LimitExceeded {
        /// The file, layer or directory.
        path: String,
        /// Which limit.
        #[source]
        source: LimitExceeded,
    },
    /// Reading a file or a layer stream failed (including a corrupt tar or gzip stream).
    #[error("reading {path}")]
    Io {
        /// The file or layer.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A package database over its caps.
    #[error("package database {path}")]
    Pkgdb {
        /// Its path in the root.
        path: String,
        /// Why.
        #[source]
        source: pkgdb::Error,
    },
    /// A lockfile handed to [`from_lockfile`] cannot be read (lockfiles found in a tree
    /// are warnings instead).
    #[error("lockfile {path}")]
    Lockfile {
        /// Its path.
        path: String,
        /// Why.
        #[source]
        source: lockfile::Error,
    },
    /// More layers than [`MAX_LAYERS`].
    #[error(transparent)]
    TooManyLayers(LimitExceeded),
}

/// Bounds on the work of one generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most tar entries per layer ([`MAX_LAYER_ENTRIES`]).
    pub layer_entries: usize,
    /// Most decompressed bytes per layer ([`MAX_LAYER_UNPACKED`]).
    pub layer_unpacked: u64,
    /// Most directory entries visited in a root filesystem ([`MAX_WALK_ENTRIES`]).
    pub walk_entries: usize,
    /// Deepest directory visited in a root filesystem ([`MAX_WALK_DEPTH`]).
    pub walk_depth: usize,
    /// Most bytes of files kept in memory from layers ([`MAX_GENERATE_KEPT_BYTES`]).
    pub kept_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            layer_entries: MAX_LAYER_ENTRIES,
            layer_unpacked: MAX_LAYER_UNPACKED,
            walk_entries: MAX_WALK_ENTRIES,
            walk_depth: MAX_WALK_DEPTH,
            kept_bytes: MAX_GENERATE_KEPT_BYTES,
        }
    }
}

/// What the caller says about the SBOM.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The document name (and the root package's name); default: `sbom`.
    pub name: Option<String>,
    /// The creation time (`2024-05-01T12:00:00Z`); writers put the epoch when absent.
    pub created: Option<String>,
    /// Bounds.
    pub limits: Limits,
}

impl Options {
    /// Options with a document name.
    #[must_use]
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }
}

/// How a layer stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// From the first bytes: gzip's magic `1f 8b`, zstd's `28 b5 2f fd`, else plain tar.
    Detect,
    /// Plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd (OCI `…tar+zstd` layers), one or more frames.
    Zstd,
}

/// A zstd stream of one or more frames (RFC 8878 §3.1) read as one: each frame is decoded
/// block by block, so memory is bounded by the frame window (ruzstd's default cap, 128 MiB),
/// and its checksum is checked when it carries one.
struct ZstdFrames<R: std::io::BufRead> {
    inner: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: std::io::BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.inner.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                self.decoder
                    .reset(&mut self.inner)
                    .map_err(std::io::Error::other)?;
                self.in_frame = true;
            }
            if self.decoder.can_collect() > 0 {
                return self.decoder.read(buf);
            }
            if self.decoder.is_finished() {
                self.in_frame = false;
                continue;
            }
            self.decoder
                .decode_blocks(
                    &mut self.inner,
                    ruzstd::decoding::BlockDecodingStrategy::UptoBlocks(1),
                )
                .map_err(std::io::Error::other)?;
        }
    }
}

/// One image layer as the caller hands it over: a tar stream and its digest.
pub struct Layer<'a> {
    /// The layer's digest (`sha256:…`), recorded on the packages it introduces.
    pub digest: String,
    /// The stream (as stored in the registry or layout: possibly compressed).
    pub reader: Box<dyn Read + 'a>,
    /// Its compression.
    pub compression: Compression,
}

impl<'a> Layer<'a> {
    /// A layer whose compression is detected.
    pub fn new(digest: impl Into<String>, reader: impl Read + 'a) -> Self {
        Self {
            digest: digest.into(),
            reader: Box::new(reader),
            compression: Compression::Detect,
        }
    }
}

impl std::fmt::Debug for Layer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layer")
            .field("digest", &self.digest)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

/// Something generation read past (and did not fail on).
#[derive(Debug)]
#[non_exhaustive]
pub enum Warning {
    /// A lockfile in the tree that could not be read.
    Lockfile {
        /// Its path in the root.
        path: String,
        /// Why.
        source: lockfile::Error,
    },
    /// A layer entry refused because its path leaves the root (`..`).
    UnsafePath {
        /// The layer's digest.
        layer: String,
        /// The entry's path as written.
        path: String,
    },
    /// Records a package database skipped.
    Skipped {
        /// The database path.
        path: String,
        /// What was skipped.
        skipped: Vec<pkgdb::Skipped>,
    },
    /// A package database in a format this crate does not read: its packages are missing
    /// from the SBOM.
    UnsupportedDatabase {
        /// The database path.
        path: String,
        /// Its format.
        format: DatabaseFormat,
    },
}

/// A package database format found but not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseFormat {
    /// rpm's BerkeleyDB `Packages` (RHEL 8 and earlier, CentOS, Amazon Linux 2, Fedora
    /// before 33).
    RpmBerkeleyDb,
    /// rpm's NDB `Packages.db` (SUSE Linux Enterprise 15, openSUSE Leap 15).
    RpmNdb,
}

impl std::fmt::Display for DatabaseFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RpmBerkeleyDb => "rpm BerkeleyDB",
            Self::RpmNdb => "rpm NDB",
        })
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Lockfile { path, source } => write!(f, "lockfile {path} not read: {source}"),
            Self::UnsafePath { layer, path } => {
                write!(f, "layer {layer}: entry {path:?} leaves the root, skipped")
            }
            Self::Skipped { path, skipped } => {
                write!(f, "{path}: {} records or lines skipped", skipped.len())
            }
            Self::UnsupportedDatabase { path, format } => write!(
                f,
                "{path}: {format} package database not supported, its packages are not listed"
            ),
        }
    }
}

/// A generated SBOM and what was learned on the way.
#[derive(Debug)]
#[non_exhaustive]
pub struct Generated {
    /// The SBOM: a root package (the image, directory or project) that `CONTAINS` every
    /// package found.
    pub sbom: Sbom,
    /// The OS, when `os-release` was found.
    pub os: Option<OsRelease>,
    /// The vulnerability-matching identity of each package (OS packages by source name and
    /// the `Debian:12`-style ecosystem; lockfile packages by their ecosystem), by package id.
    pub package_refs: Vec<(String, PackageRef)>,
    /// What was read past.
    pub warnings: Vec<Warning>,
}

/// Property names the generator writes.
pub mod property {
    /// The digest of the layer that introduced the package.
    pub const LAYER_DIGEST: &str = "supply:layer:digest";
    /// The 0-based index of that layer.
    pub const LAYER_INDEX: &str = "supply:layer:index";
    /// The path (in the root) of the database or lockfile the package was found in.
    pub const LOCATION: &str = "supply:location";
    /// The source package name of an OS package.
    pub const SOURCE: &str = "supply:package:source";
}

/// An SBOM of the packages one lockfile pins. `path` names the file (its file name gives the
/// root package's name when `opts.name` is unset).
///
/// # Errors
/// [`Error::Lockfile`] when the file cannot be read as `kind`.
pub fn from_lockfile(
    kind: Kind,
    bytes: &[u8],
    path: &str,
    opts: &Options,
) -> Result<Generated, Error> {
    let lock = lockfile::parse(kind, bytes).map_err(|source| Error::Lockfile {
        path: path.to_string(),
        source,
    })?;
    let mut b = Builder::new(opts, path, "application");
    for p in &lock.packages {
        b.add_lock_package(p, path, None);
    }
    Ok(b.finish(None, Vec::new()))
}

/// An SBOM of a root filesystem directory: its package databases, OS and lockfiles. The walk
/// for lockfiles never follows symlinks, skips `proc`, `sys` and `dev` at the top, and is
/// bounded ([`Limits::walk_entries`], [`Limits::walk_depth`]); package databases are found
/// at their paths with symlinks resolved inside `root`.
///
/// # Errors
/// [`Error::Io`] when `root` cannot be read, [`Error::LimitExceeded`] past a cap,
/// [`Error::Pkgdb`] for a database over its caps.
pub fn from_rootfs(root: &Path, opts: &Options) -> Result<Generated, Error> {
    let md = std::fs::metadata(root).map_err(|e| Error::Io {
        path: root.display().to_string(),
        source: e,
    })?;
    if !md.is_dir() {
        return Err(Error::Io {
            path: root.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let disk = Disk {
        root: root.to_path_buf(),
    };
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rootfs".into());
    let mut b = Builder::new(opts, &name, "container");
    let mut warnings = Vec::new();
    let os = read_os(&disk)?;
    for (loc, db) in distro_databases(&disk, &mut warnings)? {
        for p in db {
            b.add_distro(&disk, p, &loc, os.as_ref(), None)?;
        }
    }
    for path in walk_lockfiles(root, &opts.limits)? {
        lock_into(&disk, &path, &mut b, &mut warnings, None)?;
    }
    Ok(b.finish(os, warnings))
}

/// An SBOM of an image given as its layers, in order (base first). Each package is
/// attributed to the layer whose database first listed it (with this version and
/// architecture); lockfile packages to the layer that last wrote the lockfile.
///
/// # Errors
/// [`Error::Io`] for an unreadable or corrupt stream, [`Error::LimitExceeded`] past the
/// entry, byte or kept-bytes caps, [`Error::TooManyLayers`], [`Error::Pkgdb`].
pub fn from_layers(layers: Vec<Layer<'_>>, opts: &Options) -> Result<Generated, Error> {
    if layers.len() > MAX_LAYERS {
        return Err(Error::TooManyLayers(
            LimitExceeded::new("image layers", MAX_LAYERS).with_actual(layers.len()),
        ));
    }
    let mut tree = Layered::default();
    let mut warnings = Vec::new();
    let mut kept = 0usize;
    let digests: Vec<String> = layers.iter().map(|l| l.digest.clone()).collect();
    // (manager, name, version, arch) → layer that introduced it.
    let mut introduced: HashMap<(pkgdb::Manager, String, String, Option<String>), usize> =
        HashMap::new();
    for (i, layer) in layers.into_iter().enumerate() {
        let touched = apply_layer(&mut tree, i, layer, &opts.limits, &mut kept, &mut warnings)?;
        if touched {
            let mut scratch = Vec::new();
            let now: Vec<_> = distro_databases(&tree, &mut scratch)?
                .into_iter()
                .flat_map(|(_, db)| db)
                .map(|p| key(&p))
                .collect();
            introduced.retain(|k, _| now.contains(k));
            for k in now {
                introduced.entry(k).or_insert(i);
            }
        }
    }
    let mut b = Builder::new(opts, opts.name.as_deref().unwrap_or("image"), "container");
    let os = read_os(&tree)?;
    for (loc, db) in distro_databases(&tree, &mut warnings)? {
        for p in db {
            let layer = introduced.get(&key(&p)).map(|&i| (i, digests[i].as_str()));
            b.add_distro(&tree, p, &loc, os.as_ref(), layer)?;
        }
    }
    let locks: Vec<String> = tree
        .nodes
        .iter()
        .filter(|(k, (n, _))| {
            matches!(n, Node::File(_)) && Kind::from_file_name(Path::new(k.as_str())).is_some()
        })
        .map(|(k, _)| k.clone())
        .collect();
    for path in locks {
        let layer = tree.layer_of(&path).map(|i| (i, digests[i].as_str()));
        lock_into(&tree, &path, &mut b, &mut warnings, layer)?;
    }
    Ok(b.finish(os, warnings))
}

fn key(p: &DistroPackage) -> (pkgdb::Manager, String, String, Option<String>) {
    (p.manager, p.name.clone(), p.version.clone(), p.arch.clone())
}

/// Reads one layer into `tree`; returns whether it touched a package database.
fn apply_layer(
    tree: &mut Layered,
    index: usize,
    layer: Layer<'_>,
    limits: &Limits,
    kept: &mut usize,
    warnings: &mut Vec<Warning>,
) -> Result<bool, Error> {
    let digest = layer.digest.clone();
    let io = |e: std::io::Error| Error::Io {
        path: format!("layer {digest}"),
        source: e,
    };
    let mut reader = std::io::BufReader::new(layer.reader);
    let compression = match layer.compression {
        Compression::Detect => {
            use std::io::BufRead as _;
            let head = reader.fill_buf().map_err(io)?;
            if head.starts_with(&[0x1f, 0x8b]) {
                Compression::Gzip
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                Compression::Zstd
            } else {
                Compression::None
            }
        }
        c => c,
    };
    let stream: Box<dyn Read + '_> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(ZstdFrames {
            inner: reader,
            decoder: ruzstd::decoding::FrameDecoder::new(),
            in_frame: false,
        }),
        _ => Box::new(reader),
    };
    // The decompressed byte cap: one byte more than allowed is an error below.
    let left = std::rc::Rc::new(std::cell::Cell::new(
        limits.layer_unpacked.saturating_add(1),
    ));
    let bounded = Bounded {
        inner: stream,
        left: left.clone(),
    };
    let mut archive = tar::Archive::new(bounded);
    let mut deletions: Vec<(String, bool)> = Vec::new();
    let mut additions: Vec<(String, Option<Node>, Option<String>)> = Vec::new();
    let mut entries = 0usize;
    let mut touched = false;
    let over_bytes = |digest: &str| Error::LimitExceeded {
        path: format!("layer {digest}"),
        source: LimitExceeded::new("decompressed layer bytes", limits.layer_unpacked),
    };
    let iter = archive.entries().map_err(io)?;
    for entry in iter {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                return Err(if left.get() == 0 {
                    over_bytes(&digest)
                } else {
                    io(e)
                })
            }
        };
        entries += 1;
        if entries > limits.layer_entries {
            return Err(Error::LimitExceeded {
                path: format!("layer {digest}"),
                source: LimitExceeded::new("layer entries", limits.layer_entries),
            });
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let comps = fs::split(&raw);
        if comps.iter().any(|c| c == "..") {
            warnings.push(Warning::UnsafePath {
                layer: digest.clone(),
                path: raw,
            });
            continue;
        }
        let Some((base, dirs)) = comps.split_last() else {
            continue;
        };
        let dir = dirs.join("/");
        let join = |n: &str| {
            if dir.is_empty() {
                n.to_string()
            } else {
                format!("{dir}/{n}")
            }
        };
        let is_db = |p: &str| {
            p.starts_with("var/lib/dpkg/")
                || p.contains("apk/db/")
                || p == "var/lib/dpkg"
                || fs::RPM_DIRS.iter().any(|d| {
                    p.strip_prefix(d)
                        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
                })
        };
        // A whiteout of a directory on the way to an RPM database (or of the root) hides it.
        let hides_rpm = |p: &str| {
            p.is_empty()
                || fs::RPM_DIRS
                    .iter()
                    .any(|d| d.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
        };
        if base == ".wh..wh..opq" {
            touched |= is_db(&format!("{dir}/")) || hides_rpm(&dir);
            deletions.push((dir.clone(), true));
            continue;
        }
        if let Some(victim) = base.strip_prefix(".wh.") {
            let p = join(victim);
            touched |= is_db(&p) || "var/lib/dpkg".starts_with(&p) || p == "lib" || hides_rpm(&p);
            deletions.push((p, false));
            continue;
        }
        let path = comps.join("/");
        let kind = entry.header().entry_type();
        if kind.is_symlink() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            touched |= is_db(&path);
            additions.push((path, Some(Node::Symlink(target)), None));
        } else if kind.is_hard_link() {
            if fs::interesting(&path) {
                let target = entry
                    .link_name_bytes()
                    .map(|t| fs::split(&String::from_utf8_lossy(&t)).join("/"))
                    .unwrap_or_default();
                touched |= is_db(&path);
                additions.push((path, None, Some(target)));
            }
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            if fs::presence_only(&path) {
                // A database that is reported, not read: its existence is all that is kept.
                touched = true;
                additions.push((path, Some(Node::File(Arc::new(Vec::new()))), None));
            } else if fs::interesting(&path) {
                let cap = if path.ends_with("/copyright") {
                    MAX_COPYRIGHT_LEN
                } else if path.ends_with(fs::RPM_SQLITE) {
                    MAX_RPMDB_LEN
                } else {
                    MAX_PKGDB_LEN.max(MAX_LOCKFILE_LEN)
                };
                let truncate = path.ends_with("/copyright");
                let bytes = fs::read_capped(&mut entry, &path, cap, truncate)?;
                *kept += bytes.len();
                if *kept > limits.kept_bytes {
                    return Err(Error::LimitExceeded {
                        path: format!("layer {digest}"),
                        source: LimitExceeded::new("bytes kept from layers", limits.kept_bytes),
                    });
                }
                touched |= is_db(&path);
                additions.push((path, Some(Node::File(Arc::new(bytes))), None));
            } else {
                // A directory or file replacing a symlink or kept file below.
                additions.push((path, None, None));
            }
        } else {
            additions.push((path, None, None));
        }
        if left.get() == 0 {
            return Err(over_bytes(&digest));
        }
    }
    if left.get() == 0 {
        return Err(over_bytes(&digest));
    }
    // Whiteouts hide what the layers below hold; this layer's own entries stay.
    for (p, opaque) in deletions {
        if opaque {
            tree.remove_children(&p);
        } else {
            tree.remove_tree(&p);
        }
    }
    for (path, node, link) in additions {
        match (node, link) {
            (Some(n), _) => {
                tree.remove_children(&path);
                tree.nodes.insert(path, (n, index));
            }
            (None, Some(target)) => {
                let n = tree.nodes.get(&target).map(|(n, _)| n.clone());
                match n {
                    Some(n @ Node::File(_)) => {
                        tree.nodes.insert(path, (n, index));
                    }
                    _ => {
                        tree.nodes.remove(&path);
                    }
                }
            }
            (None, None) => {
                // Something we do not keep replaced what was here (a directory entry
                // does not remove its children).
                if let Some((Node::Symlink(_), _)) | Some((Node::File(_), _)) =
                    tree.nodes.get(&path)
                {
                    tree.nodes.remove(&path);
                }
            }
        }
    }
    Ok(touched)
}

/// A reader that stops after `left` bytes (and reports how many are left).
struct Bounded<R> {
    inner: R,
    left: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left.get();
        if left == 0 {
            return Ok(0);
        }
        let max = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..max])?;
        self.left.set(left - n as u64);
        Ok(n)
    }
}

fn read_os(t: &dyn Tree) -> Result<Option<OsRelease>, Error> {
    for p in ["etc/os-release", "usr/lib/os-release"] {
        let Some(real) = t.resolve(p) else { continue };
        if let Some(bytes) = t.read(&real, MAX_OS_RELEASE_LEN, false)? {
            return OsRelease::parse(&bytes)
                .map(Some)
                .map_err(|source| Error::Pkgdb {
                    path: format!("/{p}"),
                    source,
                });
        }
    }
    Ok(None)
}

/// Every package database in the tree: (its path, its packages).
fn distro_databases(
    t: &dyn Tree,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(String, Vec<DistroPackage>)>, Error> {
    let mut out = Vec::new();
    let mut read = |p: &str,
                    cap: usize,
                    parse: fn(&[u8]) -> Result<pkgdb::Database, pkgdb::Error>,
                    out: &mut Vec<(String, Vec<DistroPackage>)>|
     -> Result<(), Error> {
        let Some(real) = t.resolve(p) else {
            return Ok(());
        };
        if out.iter().any(|(loc, _): &(String, _)| loc[1..] == real) {
            return Ok(());
        }
        let Some(bytes) = t.read(&real, cap, false)? else {
            return Ok(());
        };
        let db = parse(&bytes).map_err(|source| Error::Pkgdb {
            path: format!("/{p}"),
            source,
        })?;
        if !db.skipped.is_empty() {
            warnings.push(Warning::Skipped {
                path: format!("/{real}"),
                skipped: db.skipped,
            });
        }
        out.push((format!("/{real}"), db.packages));
        Ok(())
    };
    read(
        "var/lib/dpkg/status",
        MAX_PKGDB_LEN,
        dpkg::parse_status,
        &mut out,
    )?;
    if let Some(dir) = t.resolve("var/lib/dpkg/status.d") {
        for name in t.list(&dir) {
            if name.ends_with(".md5sums") || name.starts_with('.') {
                continue;
            }
            read(
                &format!("{dir}/{name}"),
                MAX_PKGDB_LEN,
                dpkg::parse_status_d,
                &mut out,
            )?;
        }
    }
    read(
        "lib/apk/db/installed",
        MAX_PKGDB_LEN,
        apk::parse_installed,
        &mut out,
    )?;
    read(
        "usr/lib/apk/db/installed",
        MAX_PKGDB_LEN,
        apk::parse_installed,
        &mut out,
    )?;
    // `var/lib/rpm` is often a symlink to `usr/lib/sysimage/rpm` (or the other way round):
    // both resolve to one file, read once.
    let mut unsupported: Vec<(String, DatabaseFormat)> = Vec::new();
    for dir in fs::RPM_DIRS {
        let before = out.len();
        read(
            &format!("{dir}/{}", fs::RPM_SQLITE),
            MAX_RPMDB_LEN,
            rpm::parse_sqlite,
            &mut out,
        )?;
        let sqlite_here = out.len() > before
            || t.resolve(&format!("{dir}/{}", fs::RPM_SQLITE))
                .is_some_and(|r| out.iter().any(|(loc, _)| loc[1..] == r));
        if sqlite_here {
            continue;
        }
        // Older formats beside no rpmdb.sqlite are the database rpm uses there: say that
        // its packages are missing rather than leave them out silently.
        for (name, format) in fs::RPM_UNSUPPORTED {
            let Some(real) = t.resolve(&format!("{dir}/{name}")) else {
                continue;
            };
            if unsupported.iter().any(|(r, _)| *r == real) {
                continue;
            }
            // A file that exists but cannot be read is as unsupported as one that can.
            if !matches!(t.read(&real, 0, true), Ok(None)) {
                unsupported.push((real, format));
            }
        }
    }
    for (real, format) in unsupported {
        warnings.push(Warning::UnsupportedDatabase {
            path: format!("/{real}"),
            format,
        });
    }
    Ok(out)
}

fn walk_lockfiles(root: &Path, limits: &Limits) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut stack: Vec<(std::path::PathBuf, String, usize)> =
        vec![(root.to_path_buf(), String::new(), 0)];
    let mut seen = 0usize;
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<(String, std::fs::FileType)> = Vec::new();
        for e in rd.filter_map(Result::ok) {
            seen += 1;
            if seen > limits.walk_entries {
                return Err(Error::LimitExceeded {
                    path: root.display().to_string(),
                    source: LimitExceeded::new("directory entries walked", limits.walk_entries),
                });
            }
            // `file_type` does not follow symlinks.
            if let (Some(n), Ok(t)) = (e.file_name().to_str().map(str::to_string), e.file_type()) {
                names.push((n, t));
            }
        }
        names.sort_by(|a, b| b.0.cmp(&a.0));
        for (n, t) in names {
            let r = if rel.is_empty() {
                n.clone()
            } else {
                format!("{rel}/{n}")
            };
            if t.is_dir() {
                if depth == 0 && matches!(n.as_str(), "proc" | "sys" | "dev") {
                    continue;
                }
                if depth < limits.walk_depth {
                    stack.push((dir.join(&n), r, depth + 1));
                }
            } else if t.is_file() && Kind::from_file_name(Path::new(&n)).is_some() {
                out.push(r);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn lock_into(
    t: &dyn Tree,
    path: &str,
    b: &mut Builder,
    warnings: &mut Vec<Warning>,
    layer: Option<(usize, &str)>,
) -> Result<(), Error> {
    let Some(kind) = Kind::from_file_name(Path::new(path)) else {
        return Ok(());
    };
    let bytes = match t.read(path, MAX_LOCKFILE_LEN, false) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(()),
        Err(Error::LimitExceeded { source, .. }) => {
            warnings.push(Warning::Lockfile {
                path: format!("/{path}"),
                source: lockfile::Error::LimitExceeded(source),
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    match lockfile::parse(kind, &bytes) {
        Ok(lock) => {
            for p in &lock.packages {
                b.add_lock_package(p, &format!("/{path}"), layer);
            }
        }
        Err(source) => warnings.push(Warning::Lockfile {
            path: format!("/{path}"),
            source,
        }),
    }
    Ok(())
}

/// Assembles the model.
struct Builder {
    sbom: Sbom,
    root: String,
    refs: Vec<(String, PackageRef)>,
    /// Per database location: name (and provided names) → package id, for dependency edges.
    by_name: BTreeMap<String, BTreeMap<String, String>>,
    deps: Vec<(String, String, Vec<String>)>,
    used: HashMap<String, usize>,
}

impl Builder {
    fn new(opts: &Options, default_name: &str, purpose: &str) -> Self {
        let name = opts.name.clone().unwrap_or_else(|| {
            Path::new(default_name).file_name().map_or_else(
                || default_name.to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        });
        let mut sbom = Sbom::new();
        sbom.name = Some(name.clone());
        sbom.created = opts.created.clone();
        sbom.creators = vec![format!("Tool: supply-sbom-{}", env!("CARGO_PKG_VERSION"))];
        let root = "SPDXRef-root".to_string();
        sbom.packages.push(Package {
            id: root.clone(),
            name,
            purpose: Some(purpose.into()),
            ..Package::default()
        });
        sbom.describes.push(root.clone());
        Self {
            sbom,
            root,
            refs: Vec::new(),
            by_name: BTreeMap::new(),
            deps: Vec::new(),
            used: HashMap::new(),
        }
    }

    fn id(&mut self, ty: &str, name: &str) -> String {
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        let base = format!("SPDXRef-{ty}-{clean}");
        let n = self.used.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}-{n}")
        }
    }

    fn push(&mut self, pkg: Package) {
        self.sbom
            .push_relationship(&self.root.clone(), RelationshipType::contains(), &pkg.id);
        self.sbom.packages.push(pkg);
    }

    fn add_distro(
        &mut self,
        t: &dyn Tree,
        mut p: DistroPackage,
        loc: &str,
        os: Option<&OsRelease>,
        layer: Option<(usize, &str)>,
    ) -> Result<(), Error> {
        if p.manager == pkgdb::Manager::Dpkg && p.license.is_none() {
            let doc = format!("usr/share/doc/{}/copyright", p.name);
            if let Some(real) = t.resolve(&doc) {
                if let Some(bytes) = t.read(&real, MAX_COPYRIGHT_LEN, true)? {
                    p.license = dpkg::copyright_license(&bytes);
                }
            }
        }
        let id = self.id(p.manager.purl_type(), &format!("{}-{}", p.name, p.version));
        let mut props = Properties::new();
        props.push(property::LOCATION, loc);
        if p.source() != p.name {
            props.push(property::SOURCE, p.source());
        }
        if let Some((i, d)) = layer {
            props.push(property::LAYER_DIGEST, d);
            props.push(property::LAYER_INDEX, &i.to_string());
        }
        let pkg = Package {
            id: id.clone(),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purpose: Some("library".into()),
            supplier: p
                .vendor
                .as_deref()
                .and_then(organization)
                .or_else(|| p.maintainer.as_deref().and_then(person)),
            homepage: p.homepage.clone().filter(|h| h.contains("://")),
            description: p.description.clone(),
            license_declared: p.license.clone(),
            purl: p.purl(os).ok(),
            properties: props,
            ..Package::default()
        };
        if let Some(eco) = p.osv_ecosystem(os) {
            self.refs
                .push((id.clone(), PackageRef::new(&eco, p.source(), &p.version)));
        }
        let names = self.by_name.entry(loc.to_string()).or_default();
        for n in std::iter::once(&p.name).chain(p.provides.iter()) {
            names.entry(n.clone()).or_insert_with(|| id.clone());
        }
        self.deps.push((id, loc.to_string(), p.depends));
        self.push(pkg);
        Ok(())
    }

    fn add_lock_package(&mut self, p: &PackageRef, loc: &str, layer: Option<(usize, &str)>) {
        let id = self.id("lock", &format!("{}-{}", p.name, p.version));
        let mut props = Properties::new();
        props.push(property::LOCATION, loc);
        if let Some((i, d)) = layer {
            props.push(property::LAYER_DIGEST, d);
            props.push(property::LAYER_INDEX, &i.to_string());
        }
        let pkg = Package {
            id: id.clone(),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purpose: Some("library".into()),
            purl: lock_purl(p),
            properties: props,
            ..Package::default()
        };
        self.refs.push((id, p.clone()));
        self.push(pkg);
    }

    fn finish(mut self, os: Option<OsRelease>, warnings: Vec<Warning>) -> Generated {
        for (from, loc, deps) in std::mem::take(&mut self.deps) {
            let Some(names) = self.by_name.get(&loc) else {
                continue;
            };
            for d in deps {
                if let Some(to) = names.get(&d) {
                    if *to != from {
                        self.sbom
                            .push_relationship(&from, RelationshipType::depends_on(), to);
                    }
                }
            }
        }
        if let Some(o) = &os {
            if let Some(id) = o.id.clone() {
                let pid = self.id("os", &id);
                let mut purl = None;
                if let Some(v) = &o.version_id {
                    purl = Purl::builder("generic", id.as_str())
                        .version(v.as_str())
                        .build()
                        .ok();
                }
                let pkg = Package {
                    id: pid,
                    name: id,
                    version: o.version_id.clone(),
                    purpose: Some("operating-system".into()),
                    description: o.pretty_name.clone(),
                    purl,
                    ..Package::default()
                };
                self.push(pkg);
            }
        }
        self.sbom.dedup_relationships();
        Generated {
            sbom: self.sbom,
            os,
            package_refs: self.refs,
            warnings,
        }
    }
}

/// A vendor → `Organization: Name` (SPDX actor syntax); `None` when empty or when it holds
/// what the syntax cannot (parentheses, line breaks).
fn organization(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && !v.contains(['(', ')', '\n', '\r'])).then(|| format!("Organization: {v}"))
}

/// `Name <email>` → `Person: Name (email)` (SPDX actor syntax); `None` for anything else.
fn person(m: &str) -> Option<String> {
    let (name, rest) = m.split_once('<')?;
    let email = rest.strip_suffix('>')?.trim();
    let name = name.trim();
    if name.is_empty()
        || email.is_empty()
        || name.contains(['(', ')'])
        || email.contains(['(', ')', '<', '>'])
    {
        return None;
    }
    Some(format!("Person: {name} ({email})"))
}

/// The purl of a lockfile package.
fn lock_purl(p: &PackageRef) -> Option<Purl> {
    let (ty, ns, name) = match p.ecosystem.base() {
        "crates.io" => ("cargo", None, p.name.as_str()),
        "PyPI" => ("pypi", None, p.name.as_str()),
        "npm" => match p.name.strip_prefix('@').and_then(|s| s.split_once('/')) {
            Some((scope, n)) => ("npm", Some(format!("@{scope}")), n),
            None => ("npm", None, p.name.as_str()),
        },
        "Go" => match p.name.rsplit_once('/') {
            Some((ns, n)) => ("golang", Some(ns.to_string()), n),
            None => ("golang", None, p.name.as_str()),
        },
        _ => return None,
    };
    let mut b = Purl::builder(ty, name).version(p.version.as_str());
    if let Some(ns) = ns {
        b = b.namespace(ns);
    }
    b.build().ok()
}
