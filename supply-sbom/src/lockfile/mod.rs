//! Small, bounded readers of the lockfiles a vulnerability scan starts from: `Cargo.lock`,
//! npm `package-lock.json` (v1–v3), pip `requirements.txt` (pinned `==` only), `poetry.lock`
//! and `go.sum`. Each yields the packages it pins as [`PackageRef`]s with their OSV
//! ecosystem. Reading is I/O-free: the caller hands the bytes (and, for `requirements.txt`,
//! resolves the `-r` includes this module lists, see [`Lockfile::includes`]).
//!
//! ```
//! use supply_sbom::lockfile::{parse, Kind};
//!
//! let lock = parse(Kind::Requirements, b"flask==1.0.0  # web\nrequests>=2\n-r more.txt\n")?;
//! assert_eq!(lock.packages.len(), 1);
//! assert_eq!(lock.packages[0].version, "1.0.0");
//! assert_eq!(lock.includes, ["more.txt"]);
//! # Ok::<(), supply_sbom::lockfile::Error>(())
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::limits::{LimitExceeded, MAX_LOCKFILE_LEN, MAX_LOCKFILE_PACKAGES};
use crate::osv::PackageRef;

/// The lockfile formats read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Cargo's `Cargo.lock` (v1–v4): crates.io.
    CargoLock,
    /// npm's `package-lock.json` (v1–v3) or `npm-shrinkwrap.json`: npm.
    PackageLock,
    /// pip's `requirements.txt`: PyPI, `==` pins only.
    Requirements,
    /// Poetry's `poetry.lock`: PyPI.
    PoetryLock,
    /// Go's `go.sum`: Go modules.
    GoSum,
}

impl Kind {
    /// The format a file name implies (`Cargo.lock`, `package-lock.json`,
    /// `requirements*.txt`, `poetry.lock`, `go.sum`, and `*.Cargo.lock`-style prefixes).
    #[must_use]
    pub fn from_file_name(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        Some(if lower.ends_with("cargo.lock") {
            Self::CargoLock
        } else if lower.ends_with("package-lock.json") || lower == "npm-shrinkwrap.json" {
            Self::PackageLock
        } else if lower.ends_with("poetry.lock") {
            Self::PoetryLock
        } else if lower.ends_with("go.sum") || lower.ends_with(".sum") {
            Self::GoSum
        } else if lower.ends_with(".txt") && lower.contains("requirements") {
            Self::Requirements
        } else {
            return None;
        })
    }

    /// The OSV ecosystem of this format's packages.
    #[must_use]
    pub fn ecosystem(self) -> &'static str {
        match self {
            Self::CargoLock => "crates.io",
            Self::PackageLock => "npm",
            Self::Requirements | Self::PoetryLock => "PyPI",
            Self::GoSum => "Go",
        }
    }
}

/// Why a lockfile was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Too large, or too many packages.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Not UTF-8 text.
    #[error("lockfile is not UTF-8")]
    Utf8,
    /// Not TOML (Cargo.lock, poetry.lock), or not the expected shape.
    #[error("lockfile is not valid TOML of the expected shape")]
    Toml(#[source] toml::de::Error),
    /// Not JSON (package-lock.json), or not the expected shape.
    #[error("lockfile is not valid JSON of the expected shape")]
    Json(#[source] serde_json::Error),
    /// A line of a line-based format cannot be read.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// The packages a lockfile pins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lockfile {
    /// Pinned packages, in file order, duplicates (same name and version) removed.
    pub packages: Vec<PackageRef>,
    /// Files a `requirements.txt` includes with `-r`/`--requirement`, as written (relative
    /// to the including file); the caller reads them (bounding the include depth).
    pub includes: Vec<String>,
}

impl Lockfile {
    fn push(&mut self, seen: &mut BTreeSet<(String, String)>, p: PackageRef) -> Result<(), Error> {
        if seen.insert((p.name.clone(), p.version.clone())) {
            if self.packages.len() >= MAX_LOCKFILE_PACKAGES {
                return Err(LimitExceeded::new("lockfile packages", MAX_LOCKFILE_PACKAGES).into());
            }
            self.packages.push(p);
        }
        Ok(())
    }
}

/// Reads `bytes` as a lockfile of `kind`.
///
/// # Errors
/// [`Error::LimitExceeded`] past [`MAX_LOCKFILE_LEN`] bytes or
/// [`MAX_LOCKFILE_PACKAGES`] packages; otherwise the format's own error.
pub fn parse(kind: Kind, bytes: &[u8]) -> Result<Lockfile, Error> {
    if bytes.len() > MAX_LOCKFILE_LEN {
        return Err(LimitExceeded::new("lockfile", MAX_LOCKFILE_LEN)
            .with_actual(bytes.len())
            .into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Error::Utf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match kind {
        Kind::CargoLock | Kind::PoetryLock => toml_packages(kind, text),
        Kind::PackageLock => package_lock(text),
        Kind::Requirements => requirements(text),
        Kind::GoSum => go_sum(text),
    }
}

#[derive(Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<TomlPackage>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: String,
    version: String,
}

fn toml_packages(kind: Kind, text: &str) -> Result<Lockfile, Error> {
    let lock: TomlLock = toml::from_str(text).map_err(Error::Toml)?;
    let mut out = Lockfile::default();
    let mut seen = BTreeSet::new();
    for p in lock.package {
        out.push(
            &mut seen,
            PackageRef::new(kind.ecosystem(), &p.name, &p.version),
        )?;
    }
    Ok(out)
}

fn package_lock(text: &str) -> Result<Lockfile, Error> {
    use serde_json::Value;
    // serde_json stops at 128 levels of nesting, which bounds the v1 recursion below.
    let v: Value = serde_json::from_str(text).map_err(Error::Json)?;
    let mut out = Lockfile::default();
    let mut seen = BTreeSet::new();
    if let Some(packages) = v.get("packages").and_then(Value::as_object) {
        // v2 / v3: "node_modules/a/node_modules/@s/b" → the name after the last
        // "node_modules/", unless the entry names the real package (npm aliases).
        for (key, entry) in packages {
            if key.is_empty() {
                continue;
            }
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_else(|| {
                    key.rsplit_once("node_modules/")
                        .map_or(key.as_str(), |(_, n)| n)
                });
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            out.push(&mut seen, PackageRef::new("npm", name, version))?;
        }
        return Ok(out);
    }
    // v1: nested "dependencies" objects; an explicit stack instead of recursion.
    let mut stack: Vec<&serde_json::Map<String, Value>> = Vec::new();
    if let Some(d) = v.get("dependencies").and_then(Value::as_object) {
        stack.push(d);
    }
    while let Some(deps) = stack.pop() {
        for (name, entry) in deps {
            if let Some(version) = entry.get("version").and_then(Value::as_str) {
                // An alias pins `npm:real-name@version`.
                let (name, version) = match version.strip_prefix("npm:") {
                    Some(spec) => match spec.rsplit_once('@') {
                        Some((n, v)) if !n.is_empty() => (n, v),
                        _ => (name.as_str(), version),
                    },
                    None => (name.as_str(), version),
                };
                out.push(&mut seen, PackageRef::new("npm", name, version))?;
            }
            if let Some(d) = entry.get("dependencies").and_then(Value::as_object) {
                stack.push(d);
            }
        }
    }
    Ok(out)
}

fn requirements(text: &str) -> Result<Lockfile, Error> {
    let mut out = Lockfile::default();
    let mut seen = BTreeSet::new();
    // Join backslash continuations first.
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(body) = raw.strip_suffix('\\') {
            acc.push_str(body);
            pending = Some((start, acc));
            continue;
        }
        acc.push_str(raw);
        logical.push((start, acc));
    }
    if let Some(p) = pending {
        logical.push(p);
    }
    for (_, line) in logical {
        // A comment starts at `#` at the line start or after white space.
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '#' && (i == 0 || line[..i].ends_with(char::is_whitespace)) {
                cut = i;
                break;
            }
        }
        let line = line[..cut].trim();
        if line.is_empty() {
            continue;
        }
        if let Some(opt) = line.strip_prefix('-') {
            let mut words = opt.split_whitespace();
            let (flag, arg) = match words.next() {
                Some(f) => match f.split_once('=') {
                    Some((f, a)) => (f, Some(a.to_owned())),
                    None => (f, words.next().map(str::to_owned)),
                },
                None => continue,
            };
            let (flag, arg) = match flag.strip_prefix('r') {
                Some(rest) if !rest.is_empty() && !rest.starts_with('-') => {
                    ("r", Some(rest.to_owned()))
                }
                _ => (flag, arg),
            };
            if matches!(flag, "r" | "-requirement") {
                if let Some(a) = arg {
                    out.includes.push(a);
                }
            }
            continue;
        }
        // `name[extras] == version ; markers`, also `===`. Anything else is not a pin.
        let spec = line.split(';').next().unwrap_or("").trim();
        let spec = spec.split(" --").next().unwrap_or("").trim();
        let Some((name, version)) = spec.split_once("==") else {
            continue;
        };
        let version = version.trim_start_matches('=').trim();
        let name = name.split('[').next().unwrap_or("").trim();
        if name.is_empty()
            || version.is_empty()
            || version.contains(['*', ',', ' '])
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            continue;
        }
        out.push(&mut seen, PackageRef::new("PyPI", name, version))?;
    }
    Ok(out)
}

fn go_sum(text: &str) -> Result<Lockfile, Error> {
    let mut out = Lockfile::default();
    let mut seen = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut f = line.split_whitespace();
        let (Some(module), Some(version), Some(hash), None) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(Error::Line {
                line: i + 1,
                reason: "expected `module version hash`",
            });
        };
        if !hash.starts_with("h1:") && !hash.contains(':') {
            return Err(Error::Line {
                line: i + 1,
                reason: "hash without an algorithm prefix",
            });
        }
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        out.push(&mut seen, PackageRef::new("Go", module, version))?;
    }
    Ok(out)
}
