//! The two file trees a generator reads: a root filesystem on disk, and the tree built by
//! applying OCI layers in memory. Both resolve paths the same way: component by component,
//! symlinks followed inside the root (an absolute target starts again at the root, `..`
//! stops at the root), so no path ever leaves it.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Error;
use crate::limits::{LimitExceeded, MAX_SYMLINK_HOPS};

/// A file tree rooted somewhere: symlinks can be read, files read under a cap.
pub(crate) trait Tree {
    /// The target of the symlink at `path` (root-relative, no `.`/`..`), if it is one.
    fn symlink(&self, path: &str) -> Option<String>;
    /// The content of the regular file at the resolved `path`, at most `cap` bytes; `Ok(None)`
    /// when there is none; an error when it is larger than `cap` (unless `truncate`).
    fn read(&self, path: &str, cap: usize, truncate: bool) -> Result<Option<Vec<u8>>, Error>;
    /// Names of the entries of the resolved directory `path`.
    fn list(&self, path: &str) -> Vec<String>;
    /// The layer that last wrote the file at the resolved `path`, if layers are known.
    fn layer_of(&self, _path: &str) -> Option<usize> {
        None
    }

    /// Resolves `path` inside the root: every symlink on the way followed (at most
    /// [`MAX_SYMLINK_HOPS`]), never above the root. `None` on a symlink loop.
    fn resolve(&self, path: &str) -> Option<String> {
        let mut todo: Vec<String> = split(path).into_iter().rev().collect();
        let mut done: Vec<String> = Vec::new();
        let mut hops = 0usize;
        while let Some(c) = todo.pop() {
            if c == ".." {
                done.pop();
                continue;
            }
            if c == "." || c.is_empty() {
                continue;
            }
            let candidate = if done.is_empty() {
                c.clone()
            } else {
                format!("{}/{c}", done.join("/"))
            };
            match self.symlink(&candidate) {
                Some(target) => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return None;
                    }
                    if target.starts_with('/') {
                        done.clear();
                    }
                    for t in split(&target).into_iter().rev() {
                        todo.push(t);
                    }
                }
                None => done.push(c),
            }
        }
        Some(done.join("/"))
    }
}

/// Path components without empty ones and `.` (`..` kept for the resolver).
pub(crate) fn split(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

/// A root filesystem directory on disk.
pub(crate) struct Disk {
    pub(crate) root: PathBuf,
}

impl Disk {
    fn path(&self, rel: &str) -> PathBuf {
        let mut p = self.root.clone();
        for c in split(rel) {
            p.push(c);
        }
        p
    }
}

impl Tree for Disk {
    fn symlink(&self, path: &str) -> Option<String> {
        let p = self.path(path);
        let md = std::fs::symlink_metadata(&p).ok()?;
        if !md.file_type().is_symlink() {
            return None;
        }
        std::fs::read_link(&p)
            .ok()
            .map(|t| t.to_string_lossy().into_owned())
    }

    fn read(&self, path: &str, cap: usize, truncate: bool) -> Result<Option<Vec<u8>>, Error> {
        let p = self.path(path);
        // The path is resolved: every component is a real directory or the file itself; a
        // symlink here (a race) is not followed.
        match std::fs::symlink_metadata(&p) {
            Ok(md) if md.is_file() => {}
            _ => return Ok(None),
        }
        let f = std::fs::File::open(&p).map_err(|e| Error::Io {
            path: path.to_string(),
            source: e,
        })?;
        read_capped(f, path, cap, truncate).map(Some)
    }

    fn list(&self, path: &str) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(self.path(path)) else {
            return Vec::new();
        };
        let mut out: Vec<String> = rd
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .take(crate::limits::MAX_PKGDB_PACKAGES)
            .collect();
        out.sort();
        out
    }
}

/// Reads at most `cap` bytes; more is an error (or cut, with `truncate`).
pub(crate) fn read_capped(
    r: impl std::io::Read,
    path: &str,
    cap: usize,
    truncate: bool,
) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    r.take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io {
            path: path.to_string(),
            source: e,
        })?;
    if buf.len() > cap {
        if truncate {
            buf.truncate(cap);
        } else {
            return Err(Error::LimitExceeded {
                path: path.to_string(),
                source: LimitExceeded::new("file read for SBOM generation", cap),
            });
        }
    }
    Ok(buf)
}

/// A node of the in-memory tree built from layers.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A regular file whose content is kept (a package database, os-release, a copyright
    /// file, a lockfile).
    File(Arc<Vec<u8>>),
    /// A symlink and its target as written.
    Symlink(String),
}

/// The files of interest and every symlink, after applying layers; each with the index of
/// the layer that wrote it.
#[derive(Debug, Default)]
pub(crate) struct Layered {
    pub(crate) nodes: BTreeMap<String, (Node, usize)>,
}

impl Layered {
    /// Removes `path` and everything under it.
    pub(crate) fn remove_tree(&mut self, path: &str) {
        self.nodes.remove(path);
        self.remove_children(path);
    }

    /// Removes everything under the directory `path` (an opaque whiteout).
    pub(crate) fn remove_children(&mut self, path: &str) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }
}

impl Tree for Layered {
    fn symlink(&self, path: &str) -> Option<String> {
        match self.nodes.get(path) {
            Some((Node::Symlink(t), _)) => Some(t.clone()),
            _ => None,
        }
    }

    fn read(&self, path: &str, cap: usize, truncate: bool) -> Result<Option<Vec<u8>>, Error> {
        match self.nodes.get(path) {
            Some((Node::File(b), _)) => {
                if b.len() > cap {
                    if truncate {
                        return Ok(Some(b[..cap].to_vec()));
                    }
                    return Err(Error::LimitExceeded {
                        path: path.to_string(),
                        source: LimitExceeded::new("file read for SBOM generation", cap)
                            .with_actual(b.len()),
                    });
                }
                Ok(Some(b.to_vec()))
            }
            _ => Ok(None),
        }
    }

    fn list(&self, path: &str) -> Vec<String> {
        let prefix = format!("{path}/");
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, (n, _))| !k[prefix.len()..].contains('/') && matches!(n, Node::File(_)))
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect()
    }

    fn layer_of(&self, path: &str) -> Option<usize> {
        self.nodes.get(path).map(|(_, l)| *l)
    }
}

/// The directories rpm keeps its database in (`var/lib/rpm` is often a symlink to the other).
pub(crate) const RPM_DIRS: [&str; 2] = ["var/lib/rpm", "usr/lib/sysimage/rpm"];

/// The SQLite database file in an [`RPM_DIRS`] directory.
pub(crate) const RPM_SQLITE: &str = "rpmdb.sqlite";

/// The older rpm database files that are reported as unsupported, never read.
pub(crate) const RPM_UNSUPPORTED: [(&str, super::DatabaseFormat); 2] = [
    ("Packages", super::DatabaseFormat::RpmBerkeleyDb),
    ("Packages.db", super::DatabaseFormat::RpmNdb),
];

/// The file name of `path` when it lies directly in one of the [`RPM_DIRS`].
fn in_rpm_dir(path: &str) -> Option<&str> {
    RPM_DIRS
        .iter()
        .find_map(|d| path.strip_prefix(d)?.strip_prefix('/'))
        .filter(|n| !n.contains('/'))
}

/// Whether a layer file only matters by its existence (an unsupported rpm database, which
/// can be hundreds of MiB): kept empty.
pub(crate) fn presence_only(path: &str) -> bool {
    in_rpm_dir(path).is_some_and(|n| RPM_UNSUPPORTED.iter().any(|(u, _)| *u == n))
}

/// Whether a root-relative path is one a generator reads from a layer: package databases,
/// os-release, Debian copyright files, lockfiles.
pub(crate) fn interesting(path: &str) -> bool {
    in_rpm_dir(path).is_some_and(|n| n == RPM_SQLITE || presence_only(path))
        || matches!(
            path,
            "var/lib/dpkg/status"
                | "lib/apk/db/installed"
                | "usr/lib/apk/db/installed"
                | "etc/os-release"
                | "usr/lib/os-release"
        )
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|n| !n.contains('/') && !n.ends_with(".md5sums"))
        || path
            .strip_prefix("usr/share/doc/")
            .and_then(|r| r.strip_suffix("/copyright"))
            .is_some_and(|n| !n.contains('/'))
        || crate::lockfile::Kind::from_file_name(Path::new(path)).is_some()
}
