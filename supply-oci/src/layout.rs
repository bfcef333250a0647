//! OCI image layouts (`image-spec` `image-layout.md`): read, write, garbage-collect and find
//! referrers.
//!
//! A layout is a directory with an `oci-layout` file (`{"imageLayoutVersion": "1.0.0"}`), an
//! `index.json` (an OCI index whose entries are tagged with
//! `org.opencontainers.image.ref.name`) and content-addressed `blobs/<alg>/<hex>`.
//!
//! Paths are always built from a parsed [`Digest`] (lowercase hex), so they cannot escape the
//! root. Every blob read is capped and checked against the descriptor's size and digest while
//! streaming. Writes are atomic (a temporary file, then a rename) and never follow symbolic
//! links: a symlinked `blobs/` directory or root is refused.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use supply_sig::digest::{Algorithm, Digest, Hasher};

use crate::descriptor::{Descriptor, ANNOTATION_REF_NAME};
use crate::limits::{
    LimitExceeded, MAX_BLOB_READ_LEN, MAX_LAYOUT_HEADER_LEN, MAX_LAYOUT_INDEX_LEN,
    MAX_MANIFEST_LEN, MAX_WALK_NODES,
};
use crate::manifest::{self, Document, ImageIndex, Kind, Manifest, Mismatch};
use crate::{media_type, validate};

/// The `oci-layout` file name.
pub const LAYOUT_FILE: &str = "oci-layout";
/// The `index.json` file name.
pub const INDEX_FILE: &str = "index.json";
/// The layout version this crate reads and writes.
pub const LAYOUT_VERSION: &str = "1.0.0";

/// Errors from image-layout operations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed.
    #[error("I/O error on {}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The `oci-layout` file is absent.
    #[error("{} is not an OCI image layout (no oci-layout file)", .0.display())]
    NotALayout(PathBuf),
    /// The `oci-layout` file is not a valid layout header (wrong version included).
    #[error("invalid oci-layout file")]
    Header(#[source] validate::Error),
    /// `index.json` is not a valid OCI index.
    #[error("invalid index.json")]
    Index(#[source] manifest::Error),
    /// A blob is not in the layout.
    #[error("blob {0} not found")]
    BlobNotFound(Digest),
    /// A blob has another size than its descriptor says.
    #[error("blob {digest} has size {actual}, the descriptor says {expected}")]
    SizeMismatch {
        /// The blob.
        digest: Digest,
        /// What the descriptor says.
        expected: u64,
        /// What was read (at most one byte more than expected).
        actual: u64,
    },
    /// A blob does not hash to its name.
    #[error("blob {} hashes to {}", .0.expected, .0.actual)]
    DigestMismatch(Box<Mismatch>),
    /// A size cap was hit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// A manifest blob does not parse or does not match its descriptor.
    #[error("manifest {digest}")]
    Manifest {
        /// The manifest's digest.
        digest: Digest,
        /// The cause.
        #[source]
        source: manifest::Error,
    },
    /// No `index.json` entry has this tag.
    #[error("tag {0:?} not found in index.json")]
    TagNotFound(String),
    /// The tag is not a valid `org.opencontainers.image.ref.name`.
    #[error("invalid tag {0:?}")]
    InvalidTag(String),
    /// A path that must be a real directory or file is a symbolic link.
    #[error("{} is a symbolic link; refusing to write through it", .0.display())]
    Symlink(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// An OCI image layout on disk.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

/// What a walk from `index.json` found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Every digest reachable from `index.json` (present or not).
    pub reachable: BTreeSet<Digest>,
    /// Reachable digests whose blob is absent.
    pub missing: BTreeSet<Digest>,
    /// Manifests and indexes read (verified against their descriptors), by digest.
    pub manifests: BTreeMap<Digest, Manifest>,
    /// Manifest blobs present but unreadable (wrong digest, not a valid document), by digest.
    pub unreadable: BTreeMap<Digest, Error>,
}

/// What [`Layout::gc`] did.
#[derive(Debug, Default)]
pub struct GcReport {
    /// Blobs removed.
    pub removed: Vec<Digest>,
    /// Reachable blobs kept.
    pub kept: usize,
    /// Reachable blobs that were already absent.
    pub missing: Vec<Digest>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Whether `name` is a valid `org.opencontainers.image.ref.name` (image-layout spec:
/// components of alphanumerics joined by `-._:@+` or `--`, separated by `/`).
pub fn is_valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name.split('/').all(|comp| {
            let b = comp.as_bytes();
            !b.is_empty()
                && b.first().is_some_and(u8::is_ascii_alphanumeric)
                && b.last().is_some_and(u8::is_ascii_alphanumeric)
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"-._:@+".contains(c))
                && !b.windows(2).any(|w| {
                    !w[0].is_ascii_alphanumeric() && !w[1].is_ascii_alphanumeric() && w != b"--"
                })
                && !b
                    .windows(3)
                    .any(|w| w.iter().all(|c| !c.is_ascii_alphanumeric()))
        })
}

impl Layout {
    /// Opens an existing layout: `oci-layout` must say version `1.0.0`.
    ///
    /// # Errors
    /// [`Error::NotALayout`], [`Error::Header`], [`Error::Io`].
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, Error> {
        let root = root.into();
        let path = root.join(LAYOUT_FILE);
        let bytes = match read_capped(&path, MAX_LAYOUT_HEADER_LEN as u64, "oci-layout file") {
            Ok(b) => b,
            Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                return Err(Error::NotALayout(root))
            }
            Err(e) => return Err(e),
        };
        validate::validate(media_type::OCI_LAYOUT_HEADER, &bytes).map_err(Error::Header)?;
        Ok(Self { root })
    }

    /// Creates a layout at `root` (the directory may exist; an existing layout is opened),
    /// with an empty `index.json`.
    ///
    /// # Errors
    /// [`Error::Symlink`] when `root` is a symbolic link; [`Error::Io`].
    pub fn create(root: impl Into<PathBuf>) -> Result<Self, Error> {
        let root = root.into();
        if root.join(LAYOUT_FILE).exists() {
            let l = Self::open(&root)?;
            l.check_real_dir(&l.root)?;
            return Ok(l);
        }
        fs::create_dir_all(&root).map_err(io_err(&root))?;
        let l = Self { root };
        l.check_real_dir(&l.root)?;
        l.write_atomic(
            &l.root,
            LAYOUT_FILE,
            format!("{{\"imageLayoutVersion\":\"{LAYOUT_VERSION}\"}}").as_bytes(),
        )?;
        if !l.root.join(INDEX_FILE).exists() {
            l.write_index(&ImageIndex::new(Vec::new()))?;
        }
        Ok(l)
    }

    /// The layout's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a blob (whether or not it exists).
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.hex())
    }

    /// Reads and parses `index.json` (capped at [`MAX_LAYOUT_INDEX_LEN`]).
    ///
    /// # Errors
    /// [`Error::Index`], [`Error::Io`], [`Error::LimitExceeded`].
    pub fn index(&self) -> Result<ImageIndex, Error> {
        let path = self.root.join(INDEX_FILE);
        let bytes = read_capped(&path, MAX_LAYOUT_INDEX_LEN as u64, "index.json")?;
        let m =
            Manifest::parse_with_limit(bytes, Some(media_type::OCI_INDEX), MAX_LAYOUT_INDEX_LEN)
                .map_err(Error::Index)?;
        match m.document() {
            Document::OciIndex(i) => Ok(i.clone()),
            _ => Err(Error::Index(manifest::Error::UnknownKind)),
        }
    }

    /// The tagged entries of `index.json`, as (tag, descriptor), in file order.
    ///
    /// # Errors
    /// As [`index`](Self::index).
    pub fn tags(&self) -> Result<Vec<(String, Descriptor)>, Error> {
        Ok(self
            .index()?
            .manifests
            .into_iter()
            .filter_map(|d| d.ref_name().map(|n| (n.to_owned(), d.clone())))
            .collect())
    }

    /// The descriptor tagged `tag` (the last such entry).
    ///
    /// # Errors
    /// [`Error::TagNotFound`] and those of [`index`](Self::index).
    pub fn resolve(&self, tag: &str) -> Result<Descriptor, Error> {
        self.index()?
            .manifests
            .into_iter()
            .rev()
            .find(|d| d.ref_name() == Some(tag))
            .ok_or_else(|| Error::TagNotFound(tag.to_owned()))
    }

    /// Streams the blob `desc` names into `out`, checking size and digest as it goes.
    ///
    /// At most `desc.size` bytes (plus one, to detect a longer file) are read, and
    /// `desc.size` must not exceed `max_len`. On error, `out` may hold part of the content:
    /// discard it.
    ///
    /// # Errors
    /// [`Error::BlobNotFound`], [`Error::SizeMismatch`], [`Error::DigestMismatch`],
    /// [`Error::LimitExceeded`], [`Error::Io`].
    pub fn copy_blob(
        &self,
        desc: &Descriptor,
        out: &mut dyn Write,
        max_len: u64,
    ) -> Result<u64, Error> {
        if desc.size > max_len {
            return Err(LimitExceeded::new("blob", max_len)
                .with_actual(desc.size)
                .into());
        }
        let path = self.blob_path(&desc.digest);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::BlobNotFound(desc.digest))
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        let mut reader = file.take(desc.size.saturating_add(1));
        let mut hasher = Hasher::new(desc.digest.algorithm());
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_err(&path)(e)),
            };
            total += n as u64;
            if total > desc.size {
                return Err(Error::SizeMismatch {
                    digest: desc.digest,
                    expected: desc.size,
                    actual: total,
                });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io_err(&path))?;
        }
        if total != desc.size {
            return Err(Error::SizeMismatch {
                digest: desc.digest,
                expected: desc.size,
                actual: total,
            });
        }
        let actual = hasher.finish();
        if actual != desc.digest {
            return Err(Error::DigestMismatch(Box::new(Mismatch {
                expected: desc.digest,
                actual,
                expected_size: desc.size,
                actual_size: total,
            })));
        }
        Ok(total)
    }

    /// Reads a whole blob into memory (at most [`MAX_BLOB_READ_LEN`]), verified.
    ///
    /// # Errors
    /// As [`copy_blob`](Self::copy_blob).
    pub fn read_blob(&self, desc: &Descriptor) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.copy_blob(desc, &mut out, MAX_BLOB_READ_LEN)?;
        Ok(out)
    }

    /// Reads, verifies and parses the manifest or index `desc` names. The descriptor's media
    /// type must agree with the document's.
    ///
    /// # Errors
    /// [`Error::Manifest`] and those of [`copy_blob`](Self::copy_blob).
    pub fn read_manifest(&self, desc: &Descriptor) -> Result<Manifest, Error> {
        let mut raw = Vec::new();
        self.copy_blob(desc, &mut raw, MAX_MANIFEST_LEN as u64)?;
        Manifest::parse(raw, Some(&desc.media_type)).map_err(|source| Error::Manifest {
            digest: desc.digest,
            source,
        })
    }

    /// Reads every manifest and index reachable from `index.json`, following index entries
    /// (cycles and repeats are visited once, at most [`MAX_WALK_NODES`] nodes). The kind of
    /// each document comes from its content, so a descriptor that misstates it is still
    /// walked.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] beyond [`MAX_WALK_NODES`] and the errors of
    /// [`index`](Self::index); a missing or bad blob is recorded in the [`Walk`], not an error.
    pub fn walk(&self) -> Result<Walk, Error> {
        let mut w = Walk::default();
        let mut queue: VecDeque<Descriptor> = self.index()?.manifests.into();
        while let Some(desc) = queue.pop_front() {
            if !w.reachable.insert(desc.digest) {
                continue;
            }
            if w.reachable.len() > MAX_WALK_NODES {
                return Err(LimitExceeded::new("layout walk nodes", MAX_WALK_NODES as u64).into());
            }
            if !self.blob_path(&desc.digest).exists() {
                w.missing.insert(desc.digest);
                continue;
            }
            let walkable = Kind::from_media_type(&desc.media_type).is_some()
                && desc.size <= MAX_MANIFEST_LEN as u64;
            if !walkable {
                continue;
            }
            let mut raw = Vec::new();
            let read = self
                .copy_blob(&desc, &mut raw, MAX_MANIFEST_LEN as u64)
                .and_then(|_| {
                    Manifest::parse(raw, None).map_err(|source| Error::Manifest {
                        digest: desc.digest,
                        source,
                    })
                });
            match read {
                Ok(m) => {
                    queue.extend(m.document().children().into_iter().cloned());
                    w.manifests.insert(desc.digest, m);
                }
                Err(e) => {
                    w.unreadable.insert(desc.digest, e);
                }
            }
        }
        Ok(w)
    }

    /// The referrers of `subject` in this layout: every reachable manifest or index whose
    /// `subject` names that digest (tagged, untagged, or listed in a fallback-tag index), as
    /// the Referrers API would list them (media type, digest, size, artifact type,
    /// annotations), sorted by digest. Each was read and verified against its digest, and its
    /// `subject` re-checked.
    ///
    /// The `index.json` descriptors are not trusted for the artifact type: oras copies them
    /// from registries' fallback indexes, where they can be wrong or absent.
    ///
    /// # Errors
    /// As [`walk`](Self::walk).
    pub fn referrers(&self, subject: &Digest) -> Result<Vec<Descriptor>, Error> {
        let w = self.walk()?;
        Ok(w.manifests
            .values()
            .filter(|m| m.document().subject().is_some_and(|s| s.digest == *subject))
            .map(|m| {
                let mut d = m.descriptor();
                d.artifact_type = m.document().artifact_type().map(str::to_owned);
                d.annotations = m.document().annotations().cloned();
                d
            })
            .collect())
    }

    /// Removes every blob not reachable from `index.json`. Manifests that cannot be read
    /// are kept (with everything not provably unreachable: nothing is removed when any
    /// reachable manifest is unreadable, since its children are unknown).
    ///
    /// # Errors
    /// [`Error::Symlink`], [`Error::Io`] and the errors of [`walk`](Self::walk).
    pub fn gc(&self) -> Result<GcReport, Error> {
        let w = self.walk()?;
        let mut report = GcReport {
            missing: w.missing.iter().copied().collect(),
            ..GcReport::default()
        };
        if !w.unreadable.is_empty() {
            report.kept = w.reachable.len() - w.missing.len();
            return Ok(report);
        }
        let blobs = self.root.join("blobs");
        if !blobs.exists() {
            return Ok(report);
        }
        self.check_real_dir(&blobs)?;
        for alg in Algorithm::ALL {
            let dir = blobs.join(alg.name());
            if !dir.exists() {
                continue;
            }
            self.check_real_dir(&dir)?;
            for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
                let entry = entry.map_err(io_err(&dir))?;
                let name = entry.file_name();
                let Some(d) = name.to_str().and_then(|n| Digest::from_hex(alg, n).ok()) else {
                    continue;
                };
                if w.reachable.contains(&d) {
                    report.kept += 1;
                } else {
                    let p = entry.path();
                    fs::remove_file(&p).map_err(io_err(&p))?;
                    report.removed.push(d);
                }
            }
        }
        report.removed.sort();
        Ok(report)
    }

    /// Stores `bytes` as a blob (SHA-256), atomically; an existing blob with the right
    /// content is kept. Returns its descriptor with `media_type`.
    ///
    /// # Errors
    /// [`Error::Symlink`], [`Error::Io`].
    pub fn put_blob(&self, media_type: &str, bytes: &[u8]) -> Result<Descriptor, Error> {
        let desc = Descriptor::for_bytes(media_type, bytes);
        let blobs = self.root.join("blobs");
        let dir = blobs.join(desc.digest.algorithm().name());
        for d in [&blobs, &dir] {
            match fs::symlink_metadata(d) {
                Ok(_) => self.check_real_dir(d)?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(d).map_err(io_err(d))?;
                }
                Err(e) => return Err(io_err(d)(e)),
            }
        }
        // Already stored with the right content (any size: streamed into a sink).
        if self.copy_blob(&desc, &mut io::sink(), u64::MAX).is_ok() {
            return Ok(desc);
        }
        self.write_atomic(&dir, &desc.digest.hex(), bytes)?;
        Ok(desc)
    }

    /// Stores a manifest's bytes as received and returns its descriptor.
    ///
    /// # Errors
    /// As [`put_blob`](Self::put_blob).
    pub fn put_manifest(&self, m: &Manifest) -> Result<Descriptor, Error> {
        self.put_blob(m.media_type(), m.raw())?;
        Ok(m.descriptor())
    }

    /// Tags `desc` in `index.json` (`org.opencontainers.image.ref.name`), replacing any
    /// entry with the same tag.
    ///
    /// # Errors
    /// [`Error::InvalidTag`], and the errors of reading and writing `index.json`.
    pub fn tag(&self, desc: &Descriptor, tag: &str) -> Result<(), Error> {
        if !is_valid_ref_name(tag) {
            return Err(Error::InvalidTag(tag.chars().take(128).collect()));
        }
        let mut index = self.index()?;
        index.manifests.retain(|d| d.ref_name() != Some(tag));
        let mut d = desc.clone();
        d.annotations
            .get_or_insert_with(Default::default)
            .insert(ANNOTATION_REF_NAME.to_owned(), tag.to_owned());
        index.manifests.push(d);
        self.write_index(&index)
    }

    /// Adds `desc` to `index.json` without a tag (as oras stores referrers), unless an
    /// untagged entry with that digest exists.
    ///
    /// # Errors
    /// The errors of reading and writing `index.json`.
    pub fn add_untagged(&self, desc: &Descriptor) -> Result<(), Error> {
        let mut index = self.index()?;
        if index
            .manifests
            .iter()
            .any(|d| d.digest == desc.digest && d.ref_name().is_none())
        {
            return Ok(());
        }
        index.manifests.push(desc.clone());
        self.write_index(&index)
    }

    fn write_index(&self, index: &ImageIndex) -> Result<(), Error> {
        let m = Manifest::encode(&Document::OciIndex(index.clone())).map_err(Error::Index)?;
        self.write_atomic(&self.root, INDEX_FILE, m.raw())
    }

    fn check_real_dir(&self, dir: &Path) -> Result<(), Error> {
        let md = fs::symlink_metadata(dir).map_err(io_err(dir))?;
        if md.file_type().is_symlink() {
            return Err(Error::Symlink(dir.to_owned()));
        }
        if !md.is_dir() {
            return Err(io_err(dir)(io::Error::other("not a directory")));
        }
        Ok(())
    }

    /// Writes `dir/name` through a fresh temporary file in `dir` (created exclusively, so
    /// never through a symbolic link) renamed over the target.
    fn write_atomic(&self, dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.check_real_dir(dir)?;
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".tmp-{name}-{}-{n}", std::process::id()));
        let result = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(io_err(&tmp))?;
            f.write_all(bytes).map_err(io_err(&tmp))?;
            f.sync_all().map_err(io_err(&tmp))?;
            let target = dir.join(name);
            fs::rename(&tmp, &target).map_err(io_err(&target))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

fn read_capped(path: &Path, max: u64, what: &'static str) -> Result<Vec<u8>, Error> {
    let f = File::open(path).map_err(io_err(path))?;
    let mut out = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut out)
        .map_err(io_err(path))?;
    if out.len() as u64 > max {
        return Err(LimitExceeded::new(what, max).into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        for ok in [
            "v1",
            "1.0",
            "a--b",
            "sha256-abc.sig",
            "library/alpine:3",
            "x@y+z",
        ] {
            assert!(is_valid_ref_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", "a---b", "a/", "/a", "a b", "../x"] {
            assert!(!is_valid_ref_name(bad), "{bad}");
        }
    }
}
