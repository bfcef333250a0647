//! Every file the CLI writes (keys, signatures, certificates, bundles) goes through here.
//!
//! The rules, so that a careless command line cannot lose a key or leak one:
//!
//! - An output that exists is refused unless the verb was given `--force`.
//! - An output never names one of the verb's own inputs (`sign-blob --output-signature FILE FILE`),
//!   nor an existing private key (`sign-blob --output-signature cosign.key`), with or without
//!   `--force`; only `generate-key-pair --force` replaces a private key, its own output.
//! - New files are created with `O_CREAT|O_EXCL|O_NOFOLLOW`: a symlink at the path (dangling or
//!   not) is never followed. Private keys get mode 0600 from the start, never a wider mode that
//!   is narrowed later.
//! - With `--force`, each file is written to a temporary file beside it and renamed over the old
//!   one, so the old file is intact until the new one is complete, and a symlink at the path is
//!   replaced rather than written through.
//! - A verb's outputs are written as one set: all of them or none (the old files stay when one
//!   fails).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

/// Errors from checking or writing outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The output exists and `--force` was not given.
    #[error("{} already exists (use --force to overwrite it)", path.display())]
    Exists {
        /// The output path.
        path: PathBuf,
    },
    /// The output is one of the verb's inputs.
    #[error("{} is also an input of this command ({}); refusing to overwrite it", path.display(), input.display())]
    IsInput {
        /// The output path.
        path: PathBuf,
        /// The input it names.
        input: PathBuf,
    },
    /// The output holds a private key, which only `generate-key-pair` may replace.
    #[error("{} holds a private key; refusing to overwrite it", path.display())]
    PrivateKey {
        /// The output path.
        path: PathBuf,
    },
    /// Two outputs of one command name the same file.
    #[error("{} is given for two outputs of this command", path.display())]
    Duplicate {
        /// The output path.
        path: PathBuf,
    },
    /// Creating, writing or renaming the file failed.
    #[error("writing {}", path.display())]
    Io {
        /// The output path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// Who may read a file the CLI writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Mode 0600: private keys.
    Private,
    /// Mode 0644 (less the umask): signatures, certificates, bundles, public keys.
    Public,
}

impl Mode {
    fn bits(self) -> u32 {
        match self {
            Self::Private => 0o600,
            Self::Public => 0o644,
        }
    }
}

/// One file to write.
#[derive(Debug)]
pub struct Output<'a> {
    /// Where.
    pub path: &'a Path,
    /// What.
    pub data: &'a [u8],
    /// With which permissions.
    pub mode: Mode,
}

/// A verb's outputs, checked against its inputs before any work is done and written together.
#[derive(Debug)]
pub struct Plan<'a> {
    force: bool,
    /// Outputs that are private keys of the verb's own making (`generate-key-pair`).
    replaces_keys: bool,
    inputs: Vec<&'a Path>,
    outputs: Vec<&'a Path>,
}

impl<'a> Plan<'a> {
    /// A plan for a verb given `--force` or not.
    pub fn new(force: bool) -> Self {
        Self {
            force,
            replaces_keys: false,
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// The outputs are private keys that the verb itself replaces (`generate-key-pair --force`).
    #[must_use]
    pub fn replacing_keys(mut self) -> Self {
        self.replaces_keys = true;
        self
    }

    /// A file the verb reads; no output may name it.
    #[must_use]
    pub fn input(mut self, path: &'a Path) -> Self {
        self.inputs.push(path);
        self
    }

    /// A file the verb reads, when given.
    #[must_use]
    pub fn input_opt(self, path: Option<&'a Path>) -> Self {
        match path {
            Some(p) => self.input(p),
            None => self,
        }
    }

    /// A file the verb will write.
    #[must_use]
    pub fn output(mut self, path: Option<&'a Path>) -> Self {
        self.outputs.extend(path);
        self
    }

    /// Refuses outputs that exist (without `--force`), that name an input, a private key or
    /// another output. Run it before the verb does its work, so that a refused command has no
    /// effect at all.
    ///
    /// # Errors
    /// [`Error::Exists`], [`Error::IsInput`], [`Error::PrivateKey`], [`Error::Duplicate`].
    pub fn check(&self) -> Result<(), Error> {
        let inputs: Vec<(&Path, fs::Metadata)> = self
            .inputs
            .iter()
            .filter_map(|p| Some((*p, fs::metadata(p).ok()?)))
            .collect();
        for (i, out) in self.outputs.iter().enumerate() {
            let same_path = |o: &&Path| o == out || same_file(o, out);
            if self.outputs[..i].iter().any(same_path) {
                return Err(Error::Duplicate {
                    path: out.to_path_buf(),
                });
            }
            for (input, meta) in &inputs {
                let is_input = input == out
                    || fs::metadata(out)
                        .is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino());
                if is_input {
                    return Err(Error::IsInput {
                        path: out.to_path_buf(),
                        input: input.to_path_buf(),
                    });
                }
            }
            // `symlink_metadata`: a dangling symlink at the path exists too.
            if fs::symlink_metadata(out).is_ok() {
                if !self.force {
                    return Err(Error::Exists {
                        path: out.to_path_buf(),
                    });
                }
                if !self.replaces_keys && holds_private_key(out) {
                    return Err(Error::PrivateKey {
                        path: out.to_path_buf(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks again (the files may have changed while the verb worked) and writes `files`, all
    /// or none. Every path in `files` must have been declared with [`Plan::output`].
    ///
    /// # Errors
    /// As [`Plan::check`], and [`Error::Io`]; after an error no output was changed.
    pub fn write(&self, files: &[Output<'_>]) -> Result<(), Error> {
        debug_assert!(files.iter().all(|f| self.outputs.contains(&f.path)));
        self.check()?;
        if self.force {
            write_replacing(files)
        } else {
            write_new(files)
        }
    }
}

/// Whether `a` and `b` are one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether the file at `path` (followed if a symlink) starts like a PEM private key of any kind
/// (`PRIVATE KEY`, `EC PRIVATE KEY`, `ENCRYPTED SIGSTORE PRIVATE KEY`, `OPENSSH PRIVATE KEY`, …).
fn holds_private_key(path: &Path) -> bool {
    let Ok(f) = File::open(path) else {
        return false;
    };
    // A PEM header comes first (after at most some explanatory text); 4 KiB is plenty.
    let mut head = Vec::new();
    if f.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    text.lines()
        .any(|l| l.starts_with("-----BEGIN ") && l.trim_end().ends_with("PRIVATE KEY-----"))
}

/// Opens `path` as a new file: `O_CREAT|O_EXCL|O_NOFOLLOW`, with `mode` from the start.
fn create_new(path: &Path, mode: Mode) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode.bits())
        // create_new already refuses any symlink at the path (O_EXCL); O_NOFOLLOW says so
        // again where a platform's O_EXCL would not.
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

fn write_file(mut f: File, data: &[u8]) -> io::Result<()> {
    f.write_all(data)?;
    f.sync_all()
}

/// Without `--force`: each output created new in place; on any failure the ones created are
/// removed again.
fn write_new(files: &[Output<'_>]) -> Result<(), Error> {
    let mut created: Vec<&Path> = Vec::new();
    let result = files.iter().try_for_each(|o| {
        let io = |source| Error::Io {
            path: o.path.to_path_buf(),
            source,
        };
        let f = create_new(o.path, o.mode).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Error::Exists {
                path: o.path.to_path_buf(),
            },
            _ => io(e),
        })?;
        created.push(o.path);
        write_file(f, o.data).map_err(io)
    });
    if result.is_err() {
        for p in created {
            let _ = fs::remove_file(p);
        }
    }
    result
}

/// A temporary name beside `path` (same directory, so that the rename is atomic).
fn temp_beside(path: &Path, tag: &str, n: usize) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}-{}-{n}", std::process::id()))
}

/// With `--force`: every output written to a temporary file first; then each old file is kept
/// under a backup name (a hard link) while the new one is renamed into place; after a failed
/// rename the old files are put back.
fn write_replacing(files: &[Output<'_>]) -> Result<(), Error> {
    let mut temps: Vec<PathBuf> = Vec::new();
    let staged = files.iter().enumerate().try_for_each(|(n, o)| {
        let temp = temp_beside(o.path, "new", n);
        let io = |source| Error::Io {
            path: o.path.to_path_buf(),
            source,
        };
        let f = create_new(&temp, o.mode).map_err(io)?;
        temps.push(temp);
        write_file(f, o.data).map_err(io)
    });
    if let Err(e) = staged {
        for t in &temps {
            let _ = fs::remove_file(t);
        }
        return Err(e);
    }
    // (target, backup of the old file if there was one)
    let mut done: Vec<(&Path, Option<PathBuf>)> = Vec::new();
    let mut failure = None;
    for (n, (o, temp)) in files.iter().zip(&temps).enumerate() {
        let backup = temp_beside(o.path, "old", n);
        let had_old = match fs::hard_link(o.path, &backup) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(source) => {
                failure = Some(Error::Io {
                    path: o.path.to_path_buf(),
                    source,
                });
                break;
            }
        };
        match fs::rename(temp, o.path) {
            Ok(()) => done.push((o.path, had_old.then_some(backup))),
            Err(source) => {
                if had_old {
                    let _ = fs::remove_file(&backup);
                }
                failure = Some(Error::Io {
                    path: o.path.to_path_buf(),
                    source,
                });
                break;
            }
        }
    }
    match failure {
        None => {
            for (_, backup) in done {
                if let Some(b) = backup {
                    let _ = fs::remove_file(b);
                }
            }
            Ok(())
        }
        Some(e) => {
            for (path, backup) in done.into_iter().rev() {
                let _ = match backup {
                    Some(b) => fs::rename(b, path),
                    None => fs::remove_file(path),
                };
            }
            for t in &temps {
                let _ = fs::remove_file(t);
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn errors_name_the_path_once() {
        let e = Error::Io {
            path: "a/b.key".into(),
            source: io::Error::other("disk full"),
        };
        assert_eq!(format!("{e}"), "writing a/b.key");
        let e = Error::Exists {
            path: "x.sig".into(),
        };
        assert_eq!(e.to_string().matches("x.sig").count(), 1);
    }

    #[test]
    fn replacing_restores_the_first_file_when_the_second_fails() {
        let dir = supply_testkit::tempdir();
        let d = dir.path();
        let (a, b) = (d.join("a"), d.join("b"));
        fs::write(&a, b"old a").unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(b.join("inside"), b"x").unwrap();
        let plan = Plan::new(true).output(Some(&a)).output(Some(&b));
        let files = [
            Output {
                path: &a,
                data: b"new a",
                mode: Mode::Private,
            },
            Output {
                path: &b,
                data: b"new b",
                mode: Mode::Public,
            },
        ];
        assert!(matches!(plan.write(&files), Err(Error::Io { .. })));
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        // No temporary or backup file is left behind.
        let names: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
