//! Recording links (`in-toto-run` and `in-toto-record` as a library API). This module does I/O:
//! it reads files and runs commands; it decides nothing about trust.
//!
//! - [`record_artifacts`] hashes files and directories under a base directory, as in-toto
//!   python's `record_artifacts_as_dict`: paths are relative to the base, `/`-separated, without
//!   a leading `./`; directories are walked recursively; symlinks follow a [`SymlinkPolicy`];
//!   exclude patterns are [`crate::rule::fnmatch`] globs tried on the whole path and on each
//!   path component (close to, but simpler than, python's gitignore-style patterns); with
//!   `normalize_line_endings`, CRLF and CR become LF before hashing; `lstrip_paths` prefixes are
//!   removed from the recorded names.
//! - [`run`] records materials, runs a command, records products and byproducts (`stdout`,
//!   `stderr`, `return-value`), giving an unsigned [`Link`]; sign it with
//!   [`crate::metadata::Metadata::sign_metablock`] or [`crate::metadata::Metadata::sign_dsse`].
//! - [`CommandRunner`] runs layout inspections that way for [`crate::verify`].

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use supply_sig::digest::{Algorithm, Hasher};
use supply_sig::limits::LimitExceeded;

use crate::limits;
use crate::model::{Artifacts, HashObj, Inspection, Link};
use crate::rule::fnmatch;
use crate::verify::InspectionRunner;

/// Errors from recording artifacts and running commands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {path:?}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A symlink was found and the policy refuses them.
    #[error("{path:?} is a symlink")]
    Symlink {
        /// The path.
        path: PathBuf,
    },
    /// A path is not valid UTF-8 and cannot be named in a link.
    #[error("{path:?} is not valid UTF-8")]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// A path to record escapes the base directory (`..` or absolute).
    #[error("{path:?} is outside the base directory")]
    OutsideBase {
        /// The path as given.
        path: String,
    },
    /// Caller mistake: an empty command.
    #[error("no command to run")]
    ConfigEmptyCommand,
    /// The command could not be started.
    #[error("cannot run {program:?}")]
    Spawn {
        /// The program.
        program: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A count exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// What to do with symlinks met while recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymlinkPolicy {
    /// Hash the target of a file symlink, skip directory symlinks and dangling ones (in-toto
    /// python's default, `follow_symlink_dirs=False`).
    #[default]
    FollowFiles,
    /// Also walk directory symlinks (python's `--follow-symlink-dirs`); cycles are cut by the
    /// file-count limit.
    FollowAll,
    /// Leave every symlink out.
    Skip,
    /// Fail on the first symlink.
    Refuse,
}

/// How artifacts are recorded; the default records SHA-256 as in-toto python does.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RecordOptions {
    /// Globs of paths to leave out.
    pub exclude: Vec<String>,
    /// Symlink handling.
    pub symlinks: SymlinkPolicy,
    /// Hash text with CRLF and CR turned into LF.
    pub normalize_line_endings: bool,
    /// Prefixes removed from recorded names (the first that matches).
    pub lstrip_paths: Vec<String>,
}

impl RecordOptions {
    /// Adds an exclude pattern.
    #[must_use]
    pub fn with_exclude(mut self, pattern: impl Into<String>) -> Self {
        self.exclude.push(pattern.into());
        self
    }
    /// Sets the symlink policy.
    #[must_use]
    pub fn with_symlinks(mut self, policy: SymlinkPolicy) -> Self {
        self.symlinks = policy;
        self
    }
    /// Normalizes line endings before hashing.
    #[must_use]
    pub fn with_normalized_line_endings(mut self, on: bool) -> Self {
        self.normalize_line_endings = on;
        self
    }
    /// Adds a prefix to strip from recorded names.
    #[must_use]
    pub fn with_lstrip_path(mut self, prefix: impl Into<String>) -> Self {
        self.lstrip_paths.push(prefix.into());
        self
    }

    fn excluded(&self, rel: &str) -> bool {
        self.exclude
            .iter()
            .any(|p| fnmatch(p, rel) || rel.split('/').any(|c| fnmatch(p, c)))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn hash_file(path: &Path, normalize: bool) -> Result<HashObj, Error> {
    let mut f = fs::File::open(path).map_err(io(path))?;
    let mut hasher = Hasher::new(Algorithm::Sha256);
    let mut buf = vec![0u8; supply_sig::limits::DIGEST_READ_BUFFER_LEN];
    // A CR at the end of one buffer may start a CRLF pair in the next.
    let mut pending_cr = false;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(path)(e)),
        };
        let chunk = &buf[..n];
        if !normalize {
            hasher.update(chunk);
            continue;
        }
        let mut out = Vec::with_capacity(n + 1);
        for &b in chunk {
            if pending_cr {
                pending_cr = false;
                out.push(b'\n');
                if b == b'\n' {
                    continue;
                }
            }
            if b == b'\r' {
                pending_cr = true;
            } else {
                out.push(b);
            }
        }
        hasher.update(&out);
    }
    if pending_cr {
        hasher.update(b"\n");
    }
    let mut h = HashObj::new();
    h.insert("sha256", hasher.finish().hex());
    Ok(h)
}

fn normalize_rel(path: &str) -> Result<String, Error> {
    let mut parts: Vec<&str> = Vec::new();
    if path.starts_with('/') {
        return Err(Error::OutsideBase { path: path.into() });
    }
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(Error::OutsideBase { path: path.into() }),
            c => parts.push(c),
        }
    }
    Ok(parts.join("/"))
}

/// Hashes `paths` (files or directories, relative to `base`; `.` for everything) into an
/// artifact map.
///
/// # Errors
/// [`Error::Io`], [`Error::Symlink`] (policy [`SymlinkPolicy::Refuse`]), [`Error::NonUtf8Path`],
/// [`Error::OutsideBase`], or [`Error::LimitExceeded`] past [`limits::MAX_RECORDED_FILES`].
pub fn record_artifacts<S: AsRef<str>>(
    base: &Path,
    paths: &[S],
    options: &RecordOptions,
) -> Result<Artifacts, Error> {
    let mut out = Artifacts::new();
    for p in paths {
        let rel = normalize_rel(p.as_ref())?;
        walk(base, &rel, options, &mut out)?;
    }
    Ok(out)
}

fn record_name(rel: &str, options: &RecordOptions) -> String {
    for prefix in &options.lstrip_paths {
        if let Some(rest) = rel.strip_prefix(prefix.as_str()) {
            return rest.to_owned();
        }
    }
    rel.to_owned()
}

fn walk(base: &Path, rel: &str, options: &RecordOptions, out: &mut Artifacts) -> Result<(), Error> {
    let mut stack = vec![rel.to_owned()];
    while let Some(rel) = stack.pop() {
        if !rel.is_empty() && options.excluded(&rel) {
            continue;
        }
        let path = if rel.is_empty() {
            base.to_owned()
        } else {
            base.join(&rel)
        };
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            // in-toto python skips paths that do not exist.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        };
        let mut is_dir = meta.is_dir();
        let mut is_file = meta.is_file();
        if meta.file_type().is_symlink() {
            match options.symlinks {
                SymlinkPolicy::Refuse => return Err(Error::Symlink { path }),
                SymlinkPolicy::Skip => continue,
                SymlinkPolicy::FollowFiles | SymlinkPolicy::FollowAll => {
                    let Ok(target) = fs::metadata(&path) else {
                        continue; // dangling
                    };
                    is_file = target.is_file();
                    is_dir = target.is_dir() && options.symlinks == SymlinkPolicy::FollowAll;
                }
            }
        }
        if is_file {
            if out.len() >= limits::MAX_RECORDED_FILES {
                return Err(
                    LimitExceeded::new("recorded files", limits::MAX_RECORDED_FILES).into(),
                );
            }
            out.insert(
                record_name(&rel, options),
                hash_file(&path, options.normalize_line_endings)?,
            );
        } else if is_dir {
            let mut names = Vec::new();
            for entry in fs::read_dir(&path).map_err(io(&path))? {
                let entry = entry.map_err(io(&path))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else {
                    return Err(Error::NonUtf8Path { path: entry.path() });
                };
                names.push(if rel.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel}/{name}")
                });
                if names.len() > limits::MAX_RECORDED_FILES {
                    return Err(
                        LimitExceeded::new("recorded files", limits::MAX_RECORDED_FILES).into(),
                    );
                }
            }
            stack.extend(names);
        }
    }
    Ok(())
}

fn bytes_to_string(mut b: Vec<u8>) -> String {
    b.truncate(limits::MAX_BYPRODUCT_LEN);
    String::from_utf8_lossy(&b).into_owned()
}

/// Records materials, runs `command` in `dir` (when not empty), records products, and returns
/// the unsigned link for step `name`.
///
/// # Errors
/// As [`record_artifacts`], plus [`Error::Spawn`].
pub fn run<S: AsRef<str>>(
    name: &str,
    dir: &Path,
    materials: &[S],
    products: &[S],
    command: &[String],
    options: &RecordOptions,
) -> Result<Link, Error> {
    let mut link = Link::new(name);
    link.materials = record_artifacts(dir, materials, options)?;
    if let Some((program, args)) = command.split_first() {
        let out = Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|source| Error::Spawn {
                program: program.clone(),
                source,
            })?;
        link.command = command.to_vec();
        link.byproducts
            .insert("stdout".into(), Value::String(bytes_to_string(out.stdout)));
        link.byproducts
            .insert("stderr".into(), Value::String(bytes_to_string(out.stderr)));
        // A process killed by a signal has no code: -1, never 0.
        link.byproducts.insert(
            "return-value".into(),
            Value::from(out.status.code().unwrap_or(-1)),
        );
    }
    link.products = record_artifacts(dir, products, options)?;
    Ok(link)
}

/// Runs inspections in a directory (the one holding the final product), recording every file
/// under it as materials before and products after, as `in-toto-verify` does.
#[derive(Clone, Debug)]
pub struct CommandRunner {
    dir: PathBuf,
    options: RecordOptions,
}

impl CommandRunner {
    /// Runs in `dir` with the default [`RecordOptions`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            options: RecordOptions::default(),
        }
    }

    /// Records with `options`.
    #[must_use]
    pub fn with_options(mut self, options: RecordOptions) -> Self {
        self.options = options;
        self
    }
}

impl InspectionRunner for CommandRunner {
    fn run(
        &mut self,
        inspection: &Inspection,
    ) -> Result<Link, Box<dyn std::error::Error + Send + Sync>> {
        if inspection.run.is_empty() {
            return Err(Box::new(Error::ConfigEmptyCommand));
        }
        Ok(run(
            &inspection.name,
            &self.dir,
            &["."],
            &["."],
            &inspection.run,
            &self.options,
        )?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn line_endings_normalize_across_buffers() {
        let dir = tempfile::tempdir().unwrap();
        let n = supply_sig::limits::DIGEST_READ_BUFFER_LEN;
        let mut crlf = vec![b'a'; n - 1];
        crlf.extend_from_slice(b"\r\nb\rc\r");
        let mut lf = vec![b'a'; n - 1];
        lf.extend_from_slice(b"\nb\nc\n");
        fs::write(dir.path().join("crlf"), &crlf).unwrap();
        fs::write(dir.path().join("lf"), &lf).unwrap();
        let opts = RecordOptions::default().with_normalized_line_endings(true);
        let a = record_artifacts(dir.path(), &["crlf", "lf"], &opts).unwrap();
        assert_eq!(a["crlf"], a["lf"]);
        let raw = record_artifacts(dir.path(), &["crlf", "lf"], &RecordOptions::default()).unwrap();
        assert_ne!(raw["crlf"], raw["lf"]);
    }

    #[test]
    fn paths_outside_the_base_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["../x", "/etc/passwd", "a/../../b"] {
            assert!(matches!(
                record_artifacts(dir.path(), &[p], &RecordOptions::default()),
                Err(Error::OutsideBase { .. })
            ));
        }
    }
}
