//! An offline OSV database: records loaded from a folder of JSON files or from the zip
//! files osv.dev publishes per ecosystem (`<ecosystem>/all.zip`), indexed by (ecosystem,
//! normalised package name), queried by package and version.
//!
//! Loading is bounded: each file or zip entry is read under a byte cap (never trusting the
//! size a file system or zip header claims), zip entries and records are counted against
//! caps, and a zip is streamed entry by entry, never read whole. A record that fails to
//! parse is reported in the [`LoadReport`] and skipped, so that one bad file does not hide
//! the rest of a database — the caller decides whether a non-empty report is fatal.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::cvss::Level;
use super::ecosystem::{normalize_name, PackageRef};
use super::model::{Record, Score};
use crate::limits::{
    LimitExceeded, MAX_OSV_FILE_LEN, MAX_OSV_RECORDS, MAX_OSV_RECORD_LEN, MAX_ZIP_ENTRIES,
};

/// Deepest folder nesting walked under a database folder (osv.dev's layout is one or two
/// levels: `<ecosystem>/<id>.json`).
const MAX_DIR_DEPTH: usize = 16;

/// Errors that stop a load (a single bad record does not: see [`LoadReport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file or folder failed.
    #[error("cannot read {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The zip file is not readable as a zip archive.
    #[error("cannot read zip archive {path}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The cause.
        #[source]
        source: zip::result::ZipError,
    },
    /// A cap on entries or records was exceeded.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// Caps for a load; [`LoadOptions::default`] is the set of constants in
/// [`limits`](crate::limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Largest record file or zip entry read, in bytes.
    pub max_record_len: usize,
    /// Most records the database holds.
    pub max_records: usize,
    /// Most entries read from one zip.
    pub max_zip_entries: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_record_len: MAX_OSV_RECORD_LEN,
            max_records: MAX_OSV_RECORDS,
            max_zip_entries: MAX_ZIP_ENTRIES,
        }
    }
}

/// What a load read and what it skipped.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct LoadReport {
    /// Records added.
    pub loaded: usize,
    /// Records skipped because they are withdrawn (kept out of the index).
    pub withdrawn: usize,
    /// Files or entries that are not valid records: (file or `zip!entry` name, why).
    pub rejected: Vec<(String, super::Error)>,
}

/// One vulnerability that affects one package: the records that match it, grouped when
/// their ids and aliases overlap (a RUSTSEC record and its GHSA twin are one finding).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The package and version found vulnerable.
    pub package: PackageRef,
    /// Ids of the matching records, sorted.
    pub ids: Vec<String>,
    /// Every other id the records name as aliases, sorted.
    pub aliases: Vec<String>,
    /// The first record's summary.
    pub summary: Option<String>,
    /// The highest severity level among the records, when any is known.
    pub level: Option<Level>,
    /// Every parsed severity score of the records.
    pub scores: Vec<Score>,
    /// RUSTSEC-style `informational` kinds (`unmaintained`, `unsound`), when the matching
    /// entries say so: advisories that are not vulnerabilities as such.
    pub informational: Vec<String>,
}

impl Finding {
    /// The id the finding is shown under: the first of [`ids`](Self::ids).
    #[must_use]
    pub fn id(&self) -> &str {
        self.ids.first().map_or("", String::as_str)
    }

    /// Whether `id` names this finding (an id or an alias).
    #[must_use]
    pub fn is_known_as(&self, id: &str) -> bool {
        self.ids.iter().chain(&self.aliases).any(|i| i == id)
    }
}

/// An in-memory OSV database.
#[derive(Debug, Default)]
pub struct Database {
    records: Vec<Record>,
    /// (ecosystem, normalised name) → record indexes.
    index: HashMap<(String, String), Vec<usize>>,
    max_records: usize,
}

impl Database {
    /// An empty database holding at most [`MAX_OSV_RECORDS`] records.
    #[must_use]
    pub fn new() -> Self {
        Self {
            max_records: MAX_OSV_RECORDS,
            ..Self::default()
        }
    }

    /// An empty database with the caps of `opts`.
    #[must_use]
    pub fn with_options(opts: &LoadOptions) -> Self {
        Self {
            max_records: opts.max_records,
            ..Self::default()
        }
    }

    /// Number of records held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the database holds no record.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records held.
    #[must_use]
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Adds a record. Withdrawn records are kept out (they never match); returns whether it
    /// was added.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the database is full.
    pub fn insert(&mut self, record: Record) -> Result<bool, Error> {
        if record.is_withdrawn() {
            return Ok(false);
        }
        let cap = if self.max_records == 0 {
            MAX_OSV_RECORDS
        } else {
            self.max_records
        };
        if self.records.len() >= cap {
            return Err(LimitExceeded::new("OSV database records", cap).into());
        }
        let at = self.records.len();
        let mut keys = BTreeSet::new();
        for a in &record.affected {
            if let Some(p) = &a.package {
                let base = p
                    .ecosystem
                    .split_once(':')
                    .map_or(&*p.ecosystem, |(b, _)| b);
                keys.insert((
                    p.ecosystem.clone(),
                    normalize_name(base, &p.name).into_owned(),
                ));
            }
        }
        for k in keys {
            self.index.entry(k).or_default().push(at);
        }
        self.records.push(record);
        Ok(true)
    }

    /// Parses one record and adds it, accounting for it in `report`.
    fn ingest(
        &mut self,
        name: String,
        bytes: &[u8],
        opts: &LoadOptions,
        report: &mut LoadReport,
    ) -> Result<(), Error> {
        match Record::from_json_with_limit(bytes, opts.max_record_len) {
            Ok(r) => {
                if self.insert(r)? {
                    report.loaded += 1;
                } else {
                    report.withdrawn += 1;
                }
            }
            Err(e) => report.rejected.push((name, e)),
        }
        Ok(())
    }

    /// Loads every `*.json` file under `dir` (recursively, symbolic links not followed).
    ///
    /// # Errors
    /// [`Error::Io`] when a folder cannot be listed, [`Error::LimitExceeded`] when the
    /// database is full. Files that are not valid records go to the report.
    pub fn load_dir(&mut self, dir: &Path, opts: &LoadOptions) -> Result<LoadReport, Error> {
        let mut report = LoadReport::default();
        let mut stack = vec![(dir.to_path_buf(), 0usize)];
        let mut files = Vec::new();
        while let Some((d, depth)) = stack.pop() {
            let io = |source| Error::Io {
                path: d.clone(),
                source,
            };
            let mut entries: Vec<_> = fs::read_dir(&d)
                .map_err(io)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(io)?;
            entries.sort_by_key(fs::DirEntry::file_name);
            for e in entries {
                let ft = e.file_type().map_err(io)?;
                let path = e.path();
                if ft.is_dir() {
                    if depth < MAX_DIR_DEPTH {
                        stack.push((path, depth + 1));
                    }
                } else if ft.is_file() && path.extension().is_some_and(|x| x == "json") {
                    files.push(path);
                }
            }
        }
        files.sort();
        for path in files {
            let bytes = read_capped(fs::File::open(&path), &path, opts.max_record_len)?;
            let name = path.display().to_string();
            match bytes {
                Ok(b) => self.ingest(name, &b, opts, &mut report)?,
                Err(e) => report.rejected.push((name, e.into())),
            }
        }
        Ok(report)
    }

    /// Loads the `*.json` entries of an OSV zip (osv.dev's `<ecosystem>/all.zip`).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Zip`] when the archive cannot be opened or an entry's
    /// header is unreadable, [`Error::LimitExceeded`] past
    /// [`max_zip_entries`](LoadOptions::max_zip_entries) or a full database.
    pub fn load_zip(&mut self, path: &Path, opts: &LoadOptions) -> Result<LoadReport, Error> {
        let file = fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.load_zip_reader(file, path, opts)
    }

    /// As [`load_zip`](Self::load_zip), from any seekable reader (`name` is used in errors).
    ///
    /// # Errors
    /// As [`load_zip`](Self::load_zip).
    pub fn load_zip_reader<R: Read + Seek>(
        &mut self,
        reader: R,
        name: &Path,
        opts: &LoadOptions,
    ) -> Result<LoadReport, Error> {
        let zerr = |source| Error::Zip {
            path: name.to_path_buf(),
            source,
        };
        let mut archive = zip::ZipArchive::new(reader).map_err(zerr)?;
        if archive.len() > opts.max_zip_entries {
            return Err(LimitExceeded::new("OSV zip entries", opts.max_zip_entries)
                .with_actual(archive.len())
                .into());
        }
        let mut report = LoadReport::default();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(zerr)?;
            if entry.is_dir() || !entry.name().ends_with(".json") {
                continue;
            }
            let entry_name = format!("{}!{}", name.display(), entry.name());
            let mut buf = Vec::new();
            // Read one byte past the cap to tell "exactly the cap" from "more".
            let cap = u64::try_from(opts.max_record_len).unwrap_or(MAX_OSV_FILE_LEN);
            match (&mut entry).take(cap + 1).read_to_end(&mut buf) {
                Ok(_) if buf.len() > opts.max_record_len => report.rejected.push((
                    entry_name,
                    LimitExceeded::new("OSV record JSON", opts.max_record_len).into(),
                )),
                Ok(_) => self.ingest(entry_name, &buf, opts, &mut report)?,
                Err(source) => {
                    return Err(Error::Io {
                        path: PathBuf::from(entry_name),
                        source,
                    })
                }
            }
        }
        Ok(report)
    }

    /// Loads `path`: a folder of records, a `.zip`, or a single `.json` record.
    ///
    /// # Errors
    /// As [`load_dir`](Self::load_dir) and [`load_zip`](Self::load_zip).
    pub fn load_path(&mut self, path: &Path, opts: &LoadOptions) -> Result<LoadReport, Error> {
        let meta = fs::metadata(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            self.load_dir(path, opts)
        } else if path.extension().is_some_and(|x| x == "zip") {
            self.load_zip(path, opts)
        } else {
            let mut report = LoadReport::default();
            let bytes = read_capped(fs::File::open(path), path, opts.max_record_len)?;
            let name = path.display().to_string();
            match bytes {
                Ok(b) => self.ingest(name, &b, opts, &mut report)?,
                Err(e) => report.rejected.push((name, e.into())),
            }
            Ok(report)
        }
    }

    /// The records that make `pkg` vulnerable, in load order.
    pub fn matching_records<'a>(
        &'a self,
        pkg: &'a PackageRef,
    ) -> impl Iterator<Item = &'a Record> + 'a {
        let key = (
            pkg.ecosystem.as_str().to_owned(),
            pkg.normalized_name().into_owned(),
        );
        self.index
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.records.get(i))
            .filter(move |r| r.affects(pkg))
    }

    /// The findings for `pkg`: matching records grouped by shared ids and aliases, each
    /// group with its severities, sorted by id.
    #[must_use]
    pub fn query(&self, pkg: &PackageRef) -> Vec<Finding> {
        let matched: Vec<&Record> = self.matching_records(pkg).collect();
        group(pkg, &matched)
    }
}

/// Groups records whose id/alias sets overlap (union–find over the matched records).
fn group(pkg: &PackageRef, matched: &[&Record]) -> Vec<Finding> {
    let n = matched.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, r) in matched.iter().enumerate() {
        for id in std::iter::once(&r.id).chain(&r.aliases) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                    }
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<&Record>> = HashMap::new();
    for (i, r) in matched.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(r);
    }
    let mut out: Vec<Finding> = groups
        .into_values()
        .map(|records| {
            let ids: BTreeSet<String> = records.iter().map(|r| r.id.clone()).collect();
            let aliases: BTreeSet<String> = records
                .iter()
                .flat_map(|r| r.aliases.iter().cloned())
                .filter(|a| !ids.contains(a))
                .collect();
            let scores: Vec<Score> = records
                .iter()
                .flat_map(|r| {
                    r.severity
                        .iter()
                        .chain(r.affected_entries(pkg).flat_map(|a| a.severity.iter()))
                })
                .filter_map(|s| s.parse_score().ok())
                .collect();
            let informational: BTreeSet<String> = records
                .iter()
                .flat_map(|r| r.affected_entries(pkg))
                .filter_map(|a| a.database_specific.as_ref()?.get("informational")?.as_str())
                .map(str::to_owned)
                .collect();
            let mut sorted = records.clone();
            sorted.sort_by(|a, b| a.id.cmp(&b.id));
            Finding {
                package: pkg.clone(),
                level: sorted.iter().filter_map(|r| r.level()).max(),
                summary: sorted.iter().find_map(|r| r.summary.clone()),
                ids: ids.into_iter().collect(),
                aliases: aliases.into_iter().collect(),
                scores,
                informational: informational.into_iter().collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.ids.cmp(&b.ids));
    out
}

/// Reads at most `cap` bytes of an opened file; `Ok(Err(_))` when the file is larger.
fn read_capped(
    file: std::io::Result<fs::File>,
    path: &Path,
    cap: usize,
) -> Result<Result<Vec<u8>, LimitExceeded>, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = file.map_err(io)?;
    let mut buf = Vec::new();
    let cap64 = u64::try_from(cap).unwrap_or(MAX_OSV_FILE_LEN);
    file.take(cap64 + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() > cap {
        return Ok(Err(LimitExceeded::new("OSV record JSON", cap)));
    }
    Ok(Ok(buf))
}
