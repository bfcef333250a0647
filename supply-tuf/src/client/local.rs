//! Sync drivers over the local file system: a [`MetadataStore`] in a directory ([`FsStore`]) and
//! a [`Transport`] that serves a repository laid out in directories ([`DirTransport`]), as a
//! static HTTP server would.
//!
//! Neither builds a path from an unchecked name: store file names must be one safe path
//! component (as [`crate::names`] produces them), and remote paths are decoded and resolved the
//! way a static web server does (no `..`, no empty or `.` segments, no NUL or `\`).

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use supply_sig::limits::LimitExceeded;

use super::{Error, FileKind, MetadataStore, TargetInfo, Transport, Updater};
use crate::limits;
use crate::metadata::bounded;
use crate::names;

/// Errors of this module's own checks (wrapped in [`Error::Io`] and [`Error::Transport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// A store file name that is not one safe path component.
    #[error("unsafe local file name {name:?}")]
    UnsafeFileName {
        /// The name (at most 64 characters).
        name: String,
    },
    /// A remote path that cannot be mapped below the repository directory.
    #[error("unsafe remote path {path:?}")]
    UnsafeRemotePath {
        /// The path (at most 64 characters).
        path: String,
    },
}

/// Whether `name` is one path component that stays inside its directory.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 255
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: bounded(&path.display().to_string()),
        source,
    }
}

/// Reads at most `max_len` bytes of `path`; `Ok(None)` when it does not exist.
///
/// # Errors
/// [`Error::LimitExceeded`] beyond `max_len`, [`Error::Io`] otherwise.
pub fn read_bounded(path: &Path, max_len: u64) -> Result<Option<Vec<u8>>, Error> {
    read_bounded_as(path, max_len, "local file")
}

fn read_bounded_as(
    path: &Path,
    max_len: u64,
    what: &'static str,
) -> Result<Option<Vec<u8>>, Error> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path, e)),
    };
    let mut buf = Vec::new();
    file.take(max_len.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| io_err(path, e))?;
    if buf.len() as u64 > max_len {
        return Err(LimitExceeded::new(what, max_len).into());
    }
    Ok(Some(buf))
}

static TEMP_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A new file next to a destination, renamed over it by [`persist`](Self::persist) and removed
/// when dropped unpersisted (a failed or refused download leaves nothing behind).
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    file: Option<fs::File>,
}

impl TempFile {
    /// Creates `.<name>.tmp-<pid>-<n>` in `dest`'s directory (`create_new`: never an existing
    /// file or a planted symlink).
    pub(crate) fn next_to(dest: &Path) -> Result<Self, Error> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let n = TEMP_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        Ok(Self {
            path,
            file: Some(file),
        })
    }

    /// Appends a chunk.
    pub(crate) fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let Some(f) = self.file.as_mut() else {
            return Err(Error::ApiMisuse("write after persist"));
        };
        f.write_all(chunk).map_err(|e| io_err(&self.path, e))
    }

    /// Flushes to disk and renames over `dest`.
    pub(crate) fn persist(mut self, dest: &Path) -> Result<(), Error> {
        let Some(f) = self.file.take() else {
            return Err(Error::ApiMisuse("persisted twice"));
        };
        f.sync_all().map_err(|e| io_err(&self.path, e))?;
        drop(f);
        fs::rename(&self.path, dest).map_err(|e| io_err(dest, e))?;
        // Renamed: nothing left to clean up.
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `path` atomically (a temporary file in the same directory, then rename).
///
/// # Errors
/// [`Error::Io`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp = TempFile::next_to(path)?;
    tmp.write(bytes)?;
    tmp.persist(path)
}

/// Verified metadata stored in one directory under non-versioned names (`root.json`,
/// `<percent-encoded role>.json`).
#[derive(Debug, Clone)]
pub struct FsStore {
    dir: PathBuf,
}

impl FsStore {
    /// A store in `dir` (which must exist).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, file_name: &str) -> Result<PathBuf, Error> {
        if !is_safe_file_name(file_name) {
            return Err(Error::Io {
                path: bounded(file_name),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    LocalError::UnsafeFileName {
                        name: bounded(file_name),
                    },
                ),
            });
        }
        Ok(self.dir.join(file_name))
    }
}

impl MetadataStore for FsStore {
    /// Reads a cached file; one larger than [`limits::MAX_METADATA_LEN`] counts as absent (the
    /// cache is untrusted: the file is fetched again).
    fn load(&mut self, file_name: &str) -> Result<Option<Vec<u8>>, Error> {
        match read_bounded(&self.path(file_name)?, limits::MAX_METADATA_LEN) {
            Err(Error::LimitExceeded(_)) => Ok(None),
            r => r,
        }
    }

    fn store(&mut self, file_name: &str, bytes: &[u8]) -> Result<(), Error> {
        write_atomic(&self.path(file_name)?, bytes)
    }
}

/// Decodes `%XX` escapes (invalid escapes are kept literally, as web servers do).
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Maps a URL path (percent-encoded, `/`-separated) to a path below `base`, as a static web
/// server does: empty and `.` segments are dropped, `..` removes the previous segment and never
/// goes above `base` (RFC 3986 §5.2.4 dot-segment removal), and a segment that decodes to
/// something that is not one safe file name (an encoded `/`, a NUL, `..`) is refused.
///
/// # Errors
/// [`LocalError::UnsafeRemotePath`].
pub fn resolve_below(base: &Path, url_path: &str) -> Result<PathBuf, LocalError> {
    let bad = || LocalError::UnsafeRemotePath {
        path: bounded(url_path),
    };
    let mut parts: Vec<String> = Vec::new();
    for seg in url_path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            seg => {
                let seg = String::from_utf8(percent_decode(seg)).map_err(|_| bad())?;
                if !is_safe_file_name(&seg) {
                    return Err(bad());
                }
                parts.push(seg);
            }
        }
    }
    if parts.is_empty() {
        return Err(bad());
    }
    let mut p = base.to_path_buf();
    p.extend(parts);
    Ok(p)
}

/// A repository in two local directories, served like a static web server: URL paths are
/// percent-decoded and must stay below the directory; a missing file is "not found".
#[derive(Debug, Clone)]
pub struct DirTransport {
    metadata: PathBuf,
    targets: PathBuf,
    raw_names: bool,
}

impl DirTransport {
    /// Metadata below `metadata_dir`, targets below `targets_dir`.
    pub fn new(metadata_dir: impl Into<PathBuf>, targets_dir: impl Into<PathBuf>) -> Self {
        Self {
            metadata: metadata_dir.into(),
            targets: targets_dir.into(),
            raw_names: false,
        }
    }

    /// Looks files up under their percent-encoded names (tough's file-system layout) instead of
    /// decoding them. A metadata path is then one file name; a target path keeps its `/`.
    pub fn with_raw_names(mut self) -> Self {
        self.raw_names = true;
        self
    }
}

impl DirTransport {
    fn file(&self, kind: FileKind, path: &str) -> Option<PathBuf> {
        let base = match kind {
            FileKind::Metadata => &self.metadata,
            FileKind::Target => &self.targets,
        };
        let file = if self.raw_names {
            let mut p = base.clone();
            for seg in path.split('/') {
                if !is_safe_file_name(seg) {
                    return None;
                }
                p.push(seg);
            }
            p
        } else {
            // A web server answers 404 for paths that do not resolve below the base.
            resolve_below(base, path).ok()?
        };
        Some(file)
    }
}

/// Local files need no timeouts: reads are bounded by `max_len` alone.
impl Transport for DirTransport {
    fn fetch(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, Error> {
        match self.file(kind, path) {
            Some(file) => read_bounded_as(&file, max_len, super::fetch_what(kind, path)),
            None => Ok(None),
        }
    }

    fn fetch_chunks(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<bool, Error> {
        let Some(file) = self.file(kind, path) else {
            return Ok(false);
        };
        let mut f = match fs::File::open(&file) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_err(&file, e)),
        };
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(|e| io_err(&file, e))?;
            if n == 0 {
                return Ok(true);
            }
            total = total.saturating_add(n as u64);
            if total > max_len {
                return Err(LimitExceeded::new(super::fetch_what(kind, path), max_len).into());
            }
            sink(&buf[..n])?;
        }
    }
}

/// Where [`save_target`] stores `target_path` below `dir`: one percent-encoded file name
/// ([`names::local_target_file_name`], as python-tuf names downloaded targets).
pub fn target_file_path(dir: &Path, target_path: &str) -> PathBuf {
    dir.join(names::local_target_file_name(target_path))
}

/// Stores verified target bytes below `dir` under one percent-encoded file name; returns the path.
///
/// # Errors
/// [`Error::Target`] when `data` does not match `info` (checked again here, so unverified bytes
/// are never written), [`Error::Io`].
pub fn save_target(dir: &Path, info: &TargetInfo, data: &[u8]) -> Result<PathBuf, Error> {
    Updater::verify_target(info, data)?;
    let path = target_file_path(dir, &info.path);
    write_atomic(&path, data)?;
    Ok(path)
}

/// Stores verified target bytes below `dir` at the target path resolved lexically (`a/../b` →
/// `b`, a leading `..` stays at `dir`, as tough does), creating directories; returns the path.
///
/// # Errors
/// [`Error::UnsafeTargetPath`] when nothing is left after resolution or a segment has a NUL or
/// `\\`; [`Error::Target`]; [`Error::Io`].
pub fn save_target_nested(dir: &Path, info: &TargetInfo, data: &[u8]) -> Result<PathBuf, Error> {
    Updater::verify_target(info, data)?;
    let path = nested_target_path(dir, info.path())?;
    write_atomic(&path, data)?;
    Ok(path)
}

/// Where [`save_target_nested`] stores `target_path` below `dir` (resolved lexically, never
/// above `dir`), creating the directories on the way.
///
/// # Errors
/// [`Error::UnsafeTargetPath`] when nothing is left after resolution or a segment has a NUL or
/// `\\`; [`Error::Io`].
pub fn nested_target_path(dir: &Path, target_path: &str) -> Result<PathBuf, Error> {
    let parts = names::resolve_target_path(target_path).ok_or_else(|| Error::UnsafeTargetPath {
        path: bounded(target_path),
    })?;
    let mut path = dir.to_path_buf();
    path.extend(parts);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    Ok(path)
}

/// The already downloaded copy of a target in `dir` ([`save_target`]'s layout), if it exists and
/// matches the trusted length and every hash.
///
/// # Errors
/// [`Error::Io`] for read errors other than "not found".
pub fn cached_target(dir: &Path, info: &TargetInfo) -> Result<Option<PathBuf>, Error> {
    let path = target_file_path(dir, &info.path);
    let mut f = match fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path, e)),
    };
    // Hashed while read: a cached target is never held in memory whole.
    let mut check = super::TargetCheck::new(info, info.file.length);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| io_err(&path, e))?;
        if n == 0 {
            break;
        }
        if check.update(&buf[..n]).is_err() {
            return Ok(None);
        }
    }
    Ok(check.finish().ok().map(|_| path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_and_resolve() {
        assert_eq!(percent_decode("a%20b%2Fc%zz%4"), b"a b/c%zz%4");
        let base = Path::new("/base");
        assert_eq!(
            resolve_below(base, "dir/x.nested%20file.txt").ok(),
            Some(PathBuf::from("/base/dir/x.nested file.txt"))
        );
        assert!(resolve_below(base, "..%2Fa.json").is_err());
        assert_eq!(
            resolve_below(base, "a/../../b").ok(),
            Some(PathBuf::from("/base/b"))
        );
        assert!(resolve_below(base, "%2E%2E").is_err());
        assert!(!is_safe_file_name(".."));
        assert!(is_safe_file_name("..%2Fa.json"));
    }
}
