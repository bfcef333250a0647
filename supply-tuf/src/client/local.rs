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
/// [`Error::TooLarge`] beyond `max_len`, [`Error::Io`] otherwise.
pub fn read_bounded(path: &Path, max_len: u64) -> Result<Option<Vec<u8>>, Error> {
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
        return Err(Error::TooLarge {
            what: bounded(&path.display().to_string()),
            limit: max_len,
        });
    }
    Ok(Some(buf))
}

/// Writes `bytes` to `path` atomically (a temporary file in the same directory, then rename).
///
/// # Errors
/// [`Error::Io`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
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
    fn load(&mut self, file_name: &str) -> Result<Option<Vec<u8>>, Error> {
        read_bounded(&self.path(file_name)?, limits::MAX_METADATA_LEN)
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

impl Transport for DirTransport {
    fn fetch(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, Error> {
        let base = match kind {
            FileKind::Metadata => &self.metadata,
            FileKind::Target => &self.targets,
        };
        let file = if self.raw_names {
            let mut p = base.clone();
            for seg in path.split('/') {
                if !is_safe_file_name(seg) {
                    return Ok(None);
                }
                p.push(seg);
            }
            p
        } else {
            match resolve_below(base, path) {
                Ok(p) => p,
                // A web server answers 404 for such paths.
                Err(_) => return Ok(None),
            }
        };
        read_bounded(&file, max_len)
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
    let parts = names::resolve_target_path(&info.path).ok_or_else(|| Error::UnsafeTargetPath {
        path: bounded(&info.path),
    })?;
    let mut path = dir.to_path_buf();
    path.extend(parts);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    write_atomic(&path, data)?;
    Ok(path)
}

/// The already downloaded copy of a target in `dir` ([`save_target`]'s layout), if it exists and
/// matches the trusted length and every hash.
///
/// # Errors
/// [`Error::Io`] for read errors other than "not found".
pub fn cached_target(dir: &Path, info: &TargetInfo) -> Result<Option<PathBuf>, Error> {
    let path = target_file_path(dir, &info.path);
    // One byte more than the trusted length is enough to tell a mismatch.
    match read_bounded(&path, info.file.length.saturating_add(1)) {
        Ok(Some(data)) if Updater::verify_target(info, &data).is_ok() => Ok(Some(path)),
        Ok(_) | Err(Error::TooLarge { .. }) => Ok(None),
        Err(e) => Err(e),
    }
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
