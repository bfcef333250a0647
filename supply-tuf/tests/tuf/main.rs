//! Integration tests of supply-tuf, grouped by source: `vectors` (testdata/tuf),
//! `attacks` (the specification's attacks, each with its typed error), `limits` (oversize and
//! malformed input), `sigstore` (the Sigstore trust root through TUF, feature `sigstore`) and `interop` (python-tuf in the peers venv, over HTTP on 127.0.0.1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::result_large_err,
    missing_docs,
    unreachable_pub
)]

mod attacks;
mod conformance;
mod interop;
mod limits;
#[cfg(feature = "sigstore")]
mod sigstore;
mod vectors;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use supply_tuf::client::local::DirTransport;
use supply_tuf::client::{
    self, Config, Error, FileKind, MetadataStore, TargetInfo, Transport, Updater,
};
use supply_tuf::time::Timestamp;

/// A time from RFC 3339 text.
pub fn at(s: &str) -> Timestamp {
    supply_tuf::time::parse(s).unwrap()
}

/// A testdata path.
pub fn td(rel: &str) -> PathBuf {
    supply_testkit::testdata(&format!("tuf/{rel}"))
}

/// Reads a testdata file.
pub fn read(rel: &str) -> Vec<u8> {
    supply_testkit::read(&format!("tuf/{rel}"))
}

/// A repository served from two directories, like a static web server, with per-path overrides
/// (`Some(bytes)` replaces a file, `None` hides it) and a log of every request.
pub struct Repo {
    dir: DirTransport,
    overrides: BTreeMap<(bool, String), Option<Vec<u8>>>,
    pub log: Vec<String>,
}

impl Repo {
    pub fn new(metadata: impl AsRef<Path>, targets: impl AsRef<Path>) -> Self {
        Self::with(DirTransport::new(metadata.as_ref(), targets.as_ref()))
    }

    /// The conventional `<folder>/metadata` and `<folder>/targets` of a testdata folder.
    pub fn testdata(folder: &str) -> Self {
        Self::new(
            td(&format!("{folder}/metadata")),
            td(&format!("{folder}/targets")),
        )
    }

    /// `<dir>/metadata` and `<dir>/targets` of any directory.
    pub fn testdata_abs(dir: &Path) -> Self {
        Self::new(dir.join("metadata"), dir.join("targets"))
    }

    pub fn with(dir: DirTransport) -> Self {
        Self {
            dir,
            overrides: BTreeMap::new(),
            log: Vec::new(),
        }
    }

    /// Replaces (or adds) the metadata file at URL path `path`.
    pub fn set_meta(&mut self, path: &str, bytes: Vec<u8>) {
        self.overrides.insert((true, path.to_owned()), Some(bytes));
    }

    /// Replaces (or adds) the target file at URL path `path`.
    pub fn set_target(&mut self, path: &str, bytes: Vec<u8>) {
        self.overrides.insert((false, path.to_owned()), Some(bytes));
    }

    /// Hides the metadata file at `path`.
    pub fn hide_meta(&mut self, path: &str) {
        self.overrides.insert((true, path.to_owned()), None);
    }

    /// The metadata requests made, in order.
    pub fn meta_requests(&self) -> Vec<&str> {
        self.log
            .iter()
            .filter_map(|l| l.strip_prefix("M "))
            .collect()
    }
}

impl Transport for Repo {
    fn fetch(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, Error> {
        let meta = kind == FileKind::Metadata;
        self.log
            .push(format!("{} {path}", if meta { "M" } else { "T" }));
        if let Some(o) = self.overrides.get(&(meta, path.to_owned())) {
            return Ok(o.clone());
        }
        self.dir.fetch(kind, path, max_len)
    }
}

/// An in-memory metadata store that records what was written.
#[derive(Default)]
pub struct MemStore {
    pub files: BTreeMap<String, Vec<u8>>,
    pub writes: Vec<String>,
}

impl MetadataStore for MemStore {
    fn load(&mut self, file_name: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.files.get(file_name).cloned())
    }
    fn store(&mut self, file_name: &str, bytes: &[u8]) -> Result<(), Error> {
        assert!(
            client::local::is_safe_file_name(file_name),
            "unsafe store name {file_name:?}"
        );
        self.writes.push(file_name.to_owned());
        self.files.insert(file_name.to_owned(), bytes.to_vec());
        Ok(())
    }
}

/// Bootstraps from `root` and refreshes at `now`.
pub fn refresh(
    root: &[u8],
    now: Timestamp,
    repo: &mut Repo,
    store: &mut MemStore,
) -> Result<Updater, Error> {
    let mut u = Updater::new(root, now, Config::default())?;
    client::run_refresh(&mut u, repo, store)?;
    Ok(u)
}

/// Looks a target up and downloads it.
pub fn download(
    u: &mut Updater,
    path: &str,
    repo: &mut Repo,
    store: &mut MemStore,
) -> Result<(TargetInfo, Vec<u8>), Error> {
    let info = client::run_lookup(u, path, repo, store)?
        .unwrap_or_else(|| panic!("target {path} not found"));
    let data = client::fetch_target(u, &info, repo)?;
    Ok((info, data))
}

/// `(root, timestamp, snapshot, targets)` versions of a refreshed updater.
pub fn versions(u: &Updater) -> (u64, u64, u64, u64) {
    let t = u.trusted();
    (
        t.root().version(),
        t.timestamp().unwrap().version(),
        t.snapshot().unwrap().version(),
        t.targets("targets").unwrap().version(),
    )
}

/// Lowercase hex SHA-256.
pub fn sha256(data: &[u8]) -> String {
    supply_sig::digest::Algorithm::Sha256.digest(data).hex()
}
