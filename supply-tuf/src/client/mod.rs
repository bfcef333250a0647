//! The client update workflow (specification §5) as a transport-free state machine.
//!
//! [`Updater`] owns a [`TrustedSet`] and hands out two machines: [`Refresh`] (root rotation,
//! timestamp, snapshot, top-level targets) and [`Lookup`] (pre-order depth-first search of the
//! delegation graph for one target). Each machine is driven by calling [`Refresh::next_step`] /
//! [`Lookup::next_step`], which return a [`Step`]: load a locally stored file, fetch a remote file
//! (with a byte cap the transport must enforce while reading), persist verified bytes, or done;
//! the driver answers load and fetch steps with `supply(Some(bytes))` or `supply(None)` (absent,
//! HTTP 404). [`run_refresh`] and [`run_lookup`] drive them over the sync [`Transport`] and
//! [`MetadataStore`] traits; `client::http` (feature `client`) drives them over HTTP.
//!
//! The machines never read the clock (the caller passes `now`) and never build a path from a
//! role name or target path without percent-encoding it ([`crate::names`]).
//!
//! What stays the caller's job: storing the bytes of [`Step::Store`] under the given file name
//! (exactly those bytes), enforcing `max_len` while reading, and checking downloaded targets with
//! [`Updater::verify_target`] before use.

mod trusted;

#[cfg(feature = "client")]
pub mod http;
pub mod local;

/// The HTTP client crate of [`http`], for callers that build their own `reqwest::Client`
/// ([`http::HttpTransport::with_client`]) without depending on a matching reqwest version.
#[cfg(feature = "client")]
pub use reqwest;

use std::collections::BTreeSet;

use supply_sig::crypto::{Provider, RUSTCRYPTO};
use supply_sig::digest::{Algorithm, Hasher};
use supply_sig::limits::LimitExceeded;

use crate::limits;
use crate::metadata::{self, TargetFile};
use crate::names;
use crate::time::Timestamp;

pub use trusted::TrustedSet;

/// Errors of the client workflow.
///
/// Attacks map to variants: rollback → [`Error::Rollback`], freeze → [`Error::Expired`],
/// mix-and-match → [`Error::Metadata`] (hash or signature) or [`Error::VersionMismatch`],
/// endless data → [`Error::LimitExceeded`], threshold with duplicate keys →
/// [`metadata::Error::ThresholdNotMet`] inside [`Error::Metadata`], path traversal →
/// [`Error::UnsafeTargetPath`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Metadata of `role` failed to parse or verify (signatures, hashes, length).
    #[error("{role} metadata rejected")]
    Metadata {
        /// The role.
        role: String,
        /// Why.
        #[source]
        source: metadata::Error,
    },
    /// Metadata of `role` is expired at the reference time (freeze attack).
    #[error("{role} metadata expired at {expires}")]
    Expired {
        /// The role.
        role: String,
        /// Its `expires`.
        expires: String,
    },
    /// A version went back (rollback attack).
    #[error("{role}: new version {new} is lower than trusted version {trusted}")]
    Rollback {
        /// The role (or snapshot `meta` entry).
        role: String,
        /// The trusted version.
        trusted: u64,
        /// The version offered.
        new: u64,
    },
    /// A version differs from the one the delegator listed (mix-and-match).
    #[error("{role}: expected version {expected}, got {actual}")]
    VersionMismatch {
        /// The role.
        role: String,
        /// The expected version.
        expected: u64,
        /// The version found.
        actual: u64,
    },
    /// The snapshot does not list a role that is needed, or drops one that was trusted.
    #[error("snapshot has no entry for {role}")]
    MissingMeta {
        /// The role.
        role: String,
    },
    /// A role is not delegated by the given delegator.
    #[error("no delegation to role {role}")]
    NotDelegated {
        /// The role.
        role: String,
    },
    /// A file the workflow requires is not on the repository.
    #[error("{path} not found on the repository")]
    NotFound {
        /// The remote path.
        path: String,
    },
    /// A download exceeded its byte cap (endless-data attack): the smaller of the length the
    /// trusted metadata lists and the client's own per-role maximum ([`Config`]).
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// A target path that cannot be requested below the targets base URL or stored safely below
    /// an output directory (absolute, empty segments, `..` above the root, `.` or `..` last).
    #[error("target path {path:?} cannot be requested or stored safely")]
    UnsafeTargetPath {
        /// The path (at most 64 characters).
        path: String,
    },
    /// A downloaded target does not match its trusted length or hashes.
    #[error("target {path} rejected")]
    Target {
        /// The target path.
        path: String,
        /// Why.
        #[source]
        source: metadata::Error,
    },
    /// The transport failed.
    #[error("fetching {path} failed")]
    Transport {
        /// What was fetched.
        path: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Reading or writing the local store failed.
    #[error("local I/O on {path} failed")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The API was used out of order (a caller bug, not hostile input).
    #[error("API misuse: {0}")]
    ApiMisuse(&'static str),
}

/// Options of the updater. Defaults follow python-tuf's `UpdaterConfig`.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Config {
    /// The crypto provider.
    pub provider: &'static Provider,
    /// Most root versions fetched per refresh ([`limits::MAX_ROOT_ROTATIONS`]).
    pub max_root_rotations: u64,
    /// Most delegated roles visited per lookup ([`limits::MAX_DELEGATIONS`]).
    pub max_delegations: usize,
    /// Cap on a root file ([`limits::MAX_ROOT_LEN`]).
    pub root_max_len: u64,
    /// Cap on the timestamp ([`limits::MAX_TIMESTAMP_LEN`]).
    pub timestamp_max_len: u64,
    /// Cap on the snapshot ([`limits::MAX_SNAPSHOT_LEN`]), also when the timestamp lists a
    /// larger length.
    pub snapshot_max_len: u64,
    /// Cap on targets and delegated targets metadata ([`limits::MAX_TARGETS_LEN`]), also when
    /// the snapshot lists a larger length.
    pub targets_max_len: u64,
    /// Cap on a target file ([`limits::MAX_TARGET_LEN`]); its trusted length is always the bound
    /// below this.
    pub target_max_len: u64,
    /// Fetch targets as `<hash>.<name>` when the root sets `consistent_snapshot`.
    pub prefix_targets_with_hash: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            provider: &RUSTCRYPTO,
            max_root_rotations: limits::MAX_ROOT_ROTATIONS,
            max_delegations: limits::MAX_DELEGATIONS,
            root_max_len: limits::MAX_ROOT_LEN,
            timestamp_max_len: limits::MAX_TIMESTAMP_LEN,
            snapshot_max_len: limits::MAX_SNAPSHOT_LEN,
            targets_max_len: limits::MAX_TARGETS_LEN,
            target_max_len: limits::MAX_TARGET_LEN,
            prefix_targets_with_hash: true,
        }
    }
}

impl Config {
    /// With another provider.
    pub fn with_provider(mut self, provider: &'static Provider) -> Self {
        self.provider = provider;
        self
    }
    /// With another delegation budget.
    pub fn with_max_delegations(mut self, n: usize) -> Self {
        self.max_delegations = n;
        self
    }
    /// With another root-rotation cap.
    pub fn with_max_root_rotations(mut self, n: u64) -> Self {
        self.max_root_rotations = n;
        self
    }
    /// With other caps on root, timestamp, snapshot and targets files. Each read stops at the
    /// smaller of the cap and the length the trusted metadata lists.
    pub fn with_max_lengths(
        mut self,
        root: u64,
        timestamp: u64,
        snapshot: u64,
        targets: u64,
    ) -> Self {
        self.root_max_len = root;
        self.timestamp_max_len = timestamp;
        self.snapshot_max_len = snapshot;
        self.targets_max_len = targets;
        self
    }
    /// With another cap on target files.
    pub fn with_target_max_len(mut self, n: u64) -> Self {
        self.target_max_len = n;
        self
    }
    /// Whether targets are fetched as `<hash>.<name>` under consistent snapshots (default yes,
    /// as the specification says; python-tuf's `prefix_targets_with_hash`).
    pub fn with_prefix_targets_with_hash(mut self, on: bool) -> Self {
        self.prefix_targets_with_hash = on;
        self
    }
}

/// Which base URL a fetch goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The metadata base URL.
    Metadata,
    /// The targets base URL.
    Target,
}

/// What a machine needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Read a locally stored metadata file; answer with `supply(Some(bytes))` or `supply(None)`.
    Load {
        /// The file name (already percent-encoded, one path component).
        file_name: String,
    },
    /// Fetch a remote file of at most `max_len` bytes (the transport must stop reading beyond
    /// it); answer with `supply(Some(bytes))`, or `supply(None)` when it does not exist.
    Fetch {
        /// Which base URL.
        kind: FileKind,
        /// The path below the base URL (percent-encoded).
        path: String,
        /// The byte cap.
        max_len: u64,
    },
    /// Persist verified metadata: write exactly `bytes` to `file_name`. No answer is needed.
    Store {
        /// The file name (already percent-encoded, one path component).
        file_name: String,
        /// The bytes, exactly as received.
        bytes: Vec<u8>,
    },
    /// The machine has finished.
    Done,
}

/// A target found by a lookup: only a [`Lookup`] makes one, so its entry is always one that a
/// trusted role listed.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    path: String,
    file: TargetFile,
    role: String,
}

impl TargetInfo {
    /// The target path as requested and listed.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Its trusted entry (length, hashes, custom data).
    pub fn file(&self) -> &TargetFile {
        &self.file
    }

    /// Its trusted length in bytes.
    pub fn length(&self) -> u64 {
        self.file.length
    }

    /// The role that listed it.
    pub fn role(&self) -> &str {
        &self.role
    }
}

/// Whether a target path can be requested below the targets base URL: relative, no empty
/// segments, no `..` that climbs above the root (a URL resolver would leave the base), no `.`
/// or `..` as the last segment, no NUL or `\\`. Paths like `foo/../data1.txt` that stay inside
/// are allowed (tough's test repositories list such names).
pub fn is_requestable_target_path(path: &str) -> bool {
    if path.is_empty() || path.starts_with('/') {
        return false;
    }
    let mut depth = 0usize;
    let segments: Vec<&str> = path.split('/').collect();
    for seg in &segments {
        match *seg {
            "" => return false,
            "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            s if s.contains(['\0', '\\']) => return false,
            _ => depth += 1,
        }
    }
    !matches!(segments.last(), Some(&"." | &".."))
}

/// The client: a trusted set plus configuration.
#[derive(Debug, Clone)]
pub struct Updater {
    set: TrustedSet,
    config: Config,
}

impl Updater {
    /// Starts from trusted root bytes (bootstrap or the local `root.json`) at reference time `now`.
    ///
    /// # Errors
    /// [`Error::Metadata`] when the root is invalid or not self-signed.
    pub fn new(root: &[u8], now: Timestamp, config: Config) -> Result<Self, Error> {
        Ok(Self {
            set: TrustedSet::new(root, now, config.provider)?,
            config,
        })
    }

    /// The trusted metadata.
    pub fn trusted(&self) -> &TrustedSet {
        &self.set
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A refresh of top-level metadata.
    pub fn refresh(&mut self) -> Refresh<'_> {
        Refresh {
            set: &mut self.set,
            config: self.config,
            phase: Phase::Root,
            rotations: 0,
            store: None,
        }
    }

    /// A lookup of `target_path` through the delegation graph (after a refresh). A path that
    /// fails [`is_requestable_target_path`] is refused at the first step.
    pub fn lookup(&mut self, target_path: &str) -> Lookup<'_> {
        Lookup {
            unsafe_path: !is_requestable_target_path(target_path),
            set: &mut self.set,
            config: self.config,
            target: target_path.to_owned(),
            stack: vec![("targets".to_owned(), "root".to_owned())],
            visited: BTreeSet::new(),
            current: None,
            result: None,
            store: None,
            done: false,
        }
    }

    /// The remote path of a target (hash-prefixed under consistent snapshots) and its byte cap.
    ///
    /// # Errors
    /// [`Error::UnsafeTargetPath`] for a path that would be requested outside the targets base.
    pub fn target_request(&self, info: &TargetInfo) -> Result<(String, u64), Error> {
        if !is_requestable_target_path(&info.path) {
            return Err(Error::UnsafeTargetPath {
                path: metadata::bounded(&info.path),
            });
        }
        let prefix = if self.config.prefix_targets_with_hash
            && self.set.root().signed().consistent_snapshot
        {
            info.file.hashes.values().next().map(String::as_str)
        } else {
            None
        };
        Ok((
            names::remote_target_path(&info.path, prefix),
            info.file.length.min(self.config.target_max_len),
        ))
    }

    /// Checks downloaded target bytes against the trusted length and hashes.
    ///
    /// # Errors
    /// [`Error::Target`].
    pub fn verify_target(info: &TargetInfo, data: &[u8]) -> Result<(), Error> {
        info.file
            .verify(&info.path, data)
            .map_err(|source| Error::Target {
                path: metadata::bounded(&info.path),
                source,
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Root,
    LocalTimestamp,
    Timestamp,
    LocalSnapshot,
    Snapshot,
    LocalTargets,
    Targets,
    Done,
}

/// The refresh machine (§5.3 – §5.6). See the [module docs](self).
#[derive(Debug)]
pub struct Refresh<'a> {
    set: &'a mut TrustedSet,
    config: Config,
    phase: Phase,
    rotations: u64,
    store: Option<(String, Vec<u8>)>,
}

fn check_len(what: &'static str, data: &[u8], max_len: u64) -> Result<(), Error> {
    if data.len() as u64 > max_len {
        return Err(LimitExceeded::new(what, max_len)
            .with_actual(data.len())
            .into());
    }
    Ok(())
}

/// What a fetched file is, as [`LimitExceeded`] names it.
pub(crate) fn fetch_what(kind: FileKind, path: &str) -> &'static str {
    if kind == FileKind::Target {
        return "target file";
    }
    let base = path.strip_suffix(".json").unwrap_or(path);
    // `N.<role>`: a consistent-snapshot name (a delegated role may itself contain dots).
    let role = match base.split_once('.') {
        Some((v, r)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => r,
        _ => base,
    };
    match role {
        "root" => "root metadata",
        "timestamp" => "timestamp metadata",
        "snapshot" => "snapshot metadata",
        _ => "targets metadata",
    }
}

/// The read cap of a metadata file: the length the trusted metadata lists, but never more than
/// the client's own maximum for the role (a signed length is the repository's claim, not a bound
/// this process agreed to).
fn cap(listed: Option<u64>, max: u64) -> u64 {
    listed.map_or(max, |l| l.min(max))
}

impl Refresh<'_> {
    /// The next step.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when the trusted set is in an impossible state.
    pub fn next_step(&mut self) -> Result<Step, Error> {
        if let Some((file_name, bytes)) = self.store.take() {
            return Ok(Step::Store { file_name, bytes });
        }
        let consistent = self.set.root().signed().consistent_snapshot;
        Ok(match self.phase {
            Phase::Root => {
                // No root can follow version u64::MAX: stop instead of asking for it again.
                if self.rotations >= self.config.max_root_rotations
                    || self.set.root().version() == u64::MAX
                {
                    self.set.check_final_root()?;
                    self.phase = Phase::LocalTimestamp;
                    return self.next_step();
                }
                Step::Fetch {
                    kind: FileKind::Metadata,
                    path: names::remote_metadata_path(
                        "root",
                        Some(self.set.root().version().saturating_add(1)),
                    ),
                    max_len: self.config.root_max_len,
                }
            }
            Phase::LocalTimestamp => Step::Load {
                file_name: "timestamp.json".into(),
            },
            Phase::Timestamp => Step::Fetch {
                kind: FileKind::Metadata,
                path: "timestamp.json".into(),
                max_len: self.config.timestamp_max_len,
            },
            Phase::LocalSnapshot => Step::Load {
                file_name: "snapshot.json".into(),
            },
            Phase::Snapshot => {
                let meta = self
                    .set
                    .timestamp()
                    .ok_or(Error::ApiMisuse("no timestamp"))?
                    .signed()
                    .snapshot_meta();
                Step::Fetch {
                    kind: FileKind::Metadata,
                    path: names::remote_metadata_path(
                        "snapshot",
                        consistent.then_some(meta.version),
                    ),
                    max_len: cap(meta.length, self.config.snapshot_max_len),
                }
            }
            Phase::LocalTargets => Step::Load {
                file_name: "targets.json".into(),
            },
            Phase::Targets => {
                let snap = self.set.snapshot().ok_or(Error::ApiMisuse("no snapshot"))?;
                let meta =
                    snap.signed()
                        .meta
                        .get("targets.json")
                        .ok_or_else(|| Error::MissingMeta {
                            role: "targets".into(),
                        })?;
                Step::Fetch {
                    kind: FileKind::Metadata,
                    path: names::remote_metadata_path(
                        "targets",
                        consistent.then_some(meta.version),
                    ),
                    max_len: cap(meta.length, self.config.targets_max_len),
                }
            }
            Phase::Done => Step::Done,
        })
    }

    /// Answers the last [`Step::Load`] or [`Step::Fetch`].
    ///
    /// # Errors
    /// Any workflow error; the refresh has then failed.
    pub fn supply(&mut self, data: Option<Vec<u8>>) -> Result<(), Error> {
        match self.phase {
            Phase::Root => match data {
                None => {
                    // §5.3.10: the final root must not be expired (checked before any timestamp
                    // is fetched; intermediate roots may be expired).
                    self.set.check_final_root()?;
                    self.phase = Phase::LocalTimestamp;
                }
                Some(b) => {
                    check_len("root metadata", &b, self.config.root_max_len)?;
                    self.set.update_root(&b)?;
                    self.rotations += 1;
                    self.store = Some(("root.json".into(), b));
                }
            },
            Phase::LocalTimestamp => {
                if let Some(b) = data {
                    // A stale or invalid local copy is only a rollback reference; ignore failures.
                    let _ = self.set.update_timestamp(&b);
                }
                self.phase = Phase::Timestamp;
            }
            Phase::Timestamp => {
                let b = data.ok_or_else(|| Error::NotFound {
                    path: "timestamp.json".into(),
                })?;
                check_len("timestamp metadata", &b, self.config.timestamp_max_len)?;
                if self.set.update_timestamp(&b)? {
                    self.store = Some(("timestamp.json".into(), b));
                }
                self.phase = Phase::LocalSnapshot;
            }
            Phase::LocalSnapshot => {
                let ok = data.is_some_and(|b| self.set.update_snapshot(&b, true).is_ok());
                self.phase = if ok {
                    Phase::LocalTargets
                } else {
                    Phase::Snapshot
                };
            }
            Phase::Snapshot => {
                let b = data.ok_or_else(|| Error::NotFound {
                    path: "snapshot".into(),
                })?;
                self.set.update_snapshot(&b, false)?;
                self.store = Some(("snapshot.json".into(), b));
                self.phase = Phase::LocalTargets;
            }
            Phase::LocalTargets => {
                let ok = data.is_some_and(|b| self.set.update_targets(&b).is_ok());
                self.phase = if ok { Phase::Done } else { Phase::Targets };
            }
            Phase::Targets => {
                let b = data.ok_or_else(|| Error::NotFound {
                    path: "targets".into(),
                })?;
                self.set.update_targets(&b)?;
                self.store = Some(("targets.json".into(), b));
                self.phase = Phase::Done;
            }
            Phase::Done => return Err(Error::ApiMisuse("supply after done")),
        }
        Ok(())
    }
}

/// The lookup machine (§5.7): pre-order depth-first search from top-level targets, visiting
/// each (role, delegator) pair once, at most `max_delegations` roles, honouring terminating
/// delegations. See the [module docs](self).
#[derive(Debug)]
pub struct Lookup<'a> {
    set: &'a mut TrustedSet,
    config: Config,
    target: String,
    stack: Vec<(String, String)>,
    /// Roles already searched (by name, as python-tuf: a role reached again through another
    /// delegator is not searched twice).
    visited: BTreeSet<String>,
    current: Option<(String, String, bool)>,
    result: Option<TargetInfo>,
    store: Option<(String, Vec<u8>)>,
    done: bool,
    unsafe_path: bool,
}

impl Lookup<'_> {
    /// The result once [`Step::Done`] was returned: the target, or `None` when no role lists it.
    pub fn result(&self) -> Option<&TargetInfo> {
        self.result.as_ref()
    }

    /// Takes the result.
    pub fn into_result(self) -> Option<TargetInfo> {
        self.result
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] before a refresh; [`Error::MissingMeta`] when the snapshot does not
    /// list a delegated role that must be fetched; [`Error::UnsafeTargetPath`]; [`Error::Metadata`]
    /// when a role loaded through another delegator is not signed by this path's delegator.
    pub fn next_step(&mut self) -> Result<Step, Error> {
        if self.unsafe_path {
            return Err(Error::UnsafeTargetPath {
                path: metadata::bounded(&self.target),
            });
        }
        if let Some((file_name, bytes)) = self.store.take() {
            return Ok(Step::Store { file_name, bytes });
        }
        loop {
            if self.done {
                return Ok(Step::Done);
            }
            if let Some((role, _, remote)) = &self.current {
                if !remote {
                    return Ok(Step::Load {
                        file_name: names::local_metadata_file_name(role),
                    });
                }
                let snap = self.set.snapshot().ok_or(Error::ApiMisuse("no snapshot"))?;
                let meta = snap
                    .signed()
                    .meta
                    .get(&format!("{role}.json"))
                    .ok_or_else(|| Error::MissingMeta {
                        role: metadata::bounded(role),
                    })?;
                let consistent = self.set.root().signed().consistent_snapshot;
                return Ok(Step::Fetch {
                    kind: FileKind::Metadata,
                    path: names::remote_metadata_path(role, consistent.then_some(meta.version)),
                    max_len: cap(meta.length, self.config.targets_max_len),
                });
            }
            // python-tuf's bound: searching stops once more than `max_delegations` roles were
            // searched (top-level targets included).
            if self.visited.len() > self.config.max_delegations {
                self.done = true;
                continue;
            }
            let Some((role, parent)) = self.stack.pop() else {
                self.done = true;
                continue;
            };
            if self.visited.contains(&role) {
                continue;
            }
            if self.set.targets(&role).is_some() {
                // Loaded before, possibly through another delegator (a diamond): trust it on
                // this path only if this path's delegator signs for it too.
                self.set.verify_loaded_delegated(&role, &parent)?;
                self.process(&role);
            } else if role == "targets" {
                return Err(Error::ApiMisuse("lookup before refresh"));
            } else {
                self.current = Some((role, parent, false));
            }
        }
    }

    fn process(&mut self, role: &str) {
        let Some(md) = self.set.targets(role) else {
            return;
        };
        let t = md.signed();
        if let Some(file) = t.targets.get(&self.target) {
            self.result = Some(TargetInfo {
                path: self.target.clone(),
                file: file.clone(),
                role: role.to_owned(),
            });
            self.done = true;
            return;
        }
        self.visited.insert(role.to_owned());
        let Some(d) = &t.delegations else {
            return;
        };
        let mut children = Vec::new();
        if let Some(roles) = &d.roles {
            let hash = metadata::path_hash(&self.target);
            for child in roles {
                if child.is_delegated_path_hashed(&self.target, &hash) {
                    children.push((child.name.clone(), role.to_owned()));
                    if child.terminating {
                        self.stack.clear();
                        break;
                    }
                }
            }
        } else if let Some(s) = &d.succinct_roles {
            children.push((s.role_for_target(&self.target), role.to_owned()));
            self.stack.clear();
        }
        children.reverse();
        self.stack.extend(children);
    }

    /// Answers the last [`Step::Load`] or [`Step::Fetch`].
    ///
    /// # Errors
    /// Any workflow error for remote metadata; the lookup has then failed.
    pub fn supply(&mut self, data: Option<Vec<u8>>) -> Result<(), Error> {
        let (role, parent, remote) = self
            .current
            .take()
            .ok_or(Error::ApiMisuse("nothing requested"))?;
        if !remote {
            if data.is_some_and(|b| {
                self.set
                    .update_delegated_targets(&b, &role, &parent)
                    .is_ok()
            }) {
                self.process(&role);
            } else {
                self.current = Some((role, parent, true));
            }
            return Ok(());
        }
        let b = data.ok_or_else(|| Error::NotFound {
            path: names::remote_metadata_path(&role, None),
        })?;
        self.set.update_delegated_targets(&b, &role, &parent)?;
        self.store = Some((names::local_metadata_file_name(&role), b));
        self.process(&role);
        Ok(())
    }
}

/// A sync source of remote files.
pub trait Transport {
    /// Fetches `path` below the base URL of `kind`, reading at most `max_len` bytes; `Ok(None)`
    /// when the file does not exist.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] beyond `max_len`, [`Error::Transport`] otherwise.
    fn fetch(&mut self, kind: FileKind, path: &str, max_len: u64)
        -> Result<Option<Vec<u8>>, Error>;

    /// Streams `path` to `sink` chunk by chunk, refusing it as soon as more than `max_len` bytes
    /// arrived; `Ok(false)` when the file does not exist. Large targets go through this method,
    /// so a transport that can stream should override it (the default buffers through
    /// [`fetch`](Self::fetch)).
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch), and whatever `sink` returns.
    fn fetch_chunks(
        &mut self,
        kind: FileKind,
        path: &str,
        max_len: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<bool, Error> {
        match self.fetch(kind, path, max_len)? {
            None => Ok(false),
            Some(data) => {
                check_len(fetch_what(kind, path), &data, max_len)?;
                sink(&data)?;
                Ok(true)
            }
        }
    }
}

/// Local storage of verified metadata.
///
/// The store is a cache, not a trust anchor: the drivers treat a file that cannot be loaded
/// (unreadable, oversized, corrupt) as absent and fetch it again.
pub trait MetadataStore {
    /// Reads a stored file; `Ok(None)` when absent.
    ///
    /// # Errors
    /// [`Error::Io`].
    fn load(&mut self, file_name: &str) -> Result<Option<Vec<u8>>, Error>;
    /// Stores a file (exactly these bytes).
    ///
    /// # Errors
    /// [`Error::Io`].
    fn store(&mut self, file_name: &str, bytes: &[u8]) -> Result<(), Error>;
}

/// A cached file that cannot be loaded is untrusted input like any other: it is ignored and the
/// file is fetched again, never a permanent failure.
pub(crate) fn load_cached(store: &mut dyn MetadataStore, file_name: &str) -> Option<Vec<u8>> {
    store.load(file_name).ok().flatten()
}

fn drive(
    mut next: impl FnMut() -> Result<Step, Error>,
    mut supply: impl FnMut(Option<Vec<u8>>) -> Result<(), Error>,
    transport: &mut dyn Transport,
    store: &mut dyn MetadataStore,
) -> Result<(), Error> {
    loop {
        match next()? {
            Step::Load { file_name } => supply(load_cached(store, &file_name))?,
            Step::Fetch {
                kind,
                path,
                max_len,
            } => {
                let data = transport.fetch(kind, &path, max_len)?;
                if let Some(d) = &data {
                    check_len(fetch_what(kind, &path), d, max_len)?;
                }
                supply(data)?;
            }
            Step::Store { file_name, bytes } => store.store(&file_name, &bytes)?,
            Step::Done => return Ok(()),
        }
    }
}

/// Refreshes top-level metadata over a sync transport (specification §5.3 – §5.6), persisting
/// verified metadata in `store`. The async twin is `client::http::refresh` (feature `client`).
///
/// # Errors
/// Any workflow error.
pub fn refresh(
    updater: &mut Updater,
    transport: &mut dyn Transport,
    store: &mut dyn MetadataStore,
) -> Result<(), Error> {
    let refresh = std::cell::RefCell::new(updater.refresh());
    drive(
        || refresh.borrow_mut().next_step(),
        |d| refresh.borrow_mut().supply(d),
        transport,
        store,
    )
}

/// Looks `target_path` up through the delegations (§5.7) over a sync transport, fetching and
/// persisting delegated metadata as needed.
///
/// # Errors
/// Any workflow error; [`Error::UnsafeTargetPath`] for a path that cannot be requested safely.
pub fn lookup(
    updater: &mut Updater,
    target_path: &str,
    transport: &mut dyn Transport,
    store: &mut dyn MetadataStore,
) -> Result<Option<TargetInfo>, Error> {
    let lookup = std::cell::RefCell::new(updater.lookup(target_path));
    drive(
        || lookup.borrow_mut().next_step(),
        |d| lookup.borrow_mut().supply(d),
        transport,
        store,
    )?;
    Ok(lookup.into_inner().into_result())
}

/// The former name of [`refresh`].
#[doc(hidden)]
pub use self::refresh as run_refresh;

/// The former name of [`lookup`].
#[doc(hidden)]
pub use self::lookup as run_lookup;

/// Fetches and verifies a target over a sync transport into memory (at most its trusted length);
/// for large targets use [`fetch_target_to`].
///
/// # Errors
/// [`Error::NotFound`], [`Error::LimitExceeded`], [`Error::Target`], transport errors.
pub fn fetch_target(
    updater: &Updater,
    info: &TargetInfo,
    transport: &mut dyn Transport,
) -> Result<Vec<u8>, Error> {
    let (path, max_len) = updater.target_request(info)?;
    let mut check = TargetCheck::new(info, max_len);
    let mut data = Vec::new();
    let found = transport.fetch_chunks(FileKind::Target, &path, max_len, &mut |chunk| {
        check.update(chunk)?;
        data.extend_from_slice(chunk);
        Ok(())
    })?;
    if !found {
        return Err(Error::NotFound { path });
    }
    check.finish()?;
    Ok(data)
}

/// Fetches a target over a sync transport straight to `dest`: the bytes are hashed while they
/// are written to a temporary file next to `dest`, which is renamed to `dest` only once the
/// length and every hash match (peak memory does not grow with the target's size). An existing
/// `dest` is replaced. Returns the number of bytes written.
///
/// # Errors
/// As [`fetch_target`], and [`Error::Io`].
pub fn fetch_target_to(
    updater: &Updater,
    info: &TargetInfo,
    transport: &mut dyn Transport,
    dest: &std::path::Path,
) -> Result<u64, Error> {
    let (path, max_len) = updater.target_request(info)?;
    let mut out = local::TempFile::next_to(dest)?;
    let mut check = TargetCheck::new(info, max_len);
    let found = transport.fetch_chunks(FileKind::Target, &path, max_len, &mut |chunk| {
        check.update(chunk)?;
        out.write(chunk)
    })?;
    if !found {
        return Err(Error::NotFound { path });
    }
    let n = check.finish()?;
    out.persist(dest)?;
    Ok(n)
}

/// Checks a target while its bytes stream in: counts them against the cap, feeds every listed
/// hash, and at the end compares length and hashes with the trusted entry.
#[derive(Debug)]
pub struct TargetCheck {
    path: String,
    expected_len: u64,
    max_len: u64,
    len: u64,
    hashers: Vec<(String, String, Hasher)>,
    unsupported: Option<String>,
}

impl TargetCheck {
    /// A check of the target `info`, refusing more than `max_len` bytes.
    pub fn new(info: &TargetInfo, max_len: u64) -> Self {
        let mut hashers = Vec::new();
        let mut unsupported = None;
        for (name, expected) in &info.file.hashes {
            match Algorithm::from_name(name) {
                Some(alg) => hashers.push((name.clone(), expected.clone(), Hasher::new(alg))),
                // Fail closed at the end: an algorithm we cannot compute is never "matched".
                None => unsupported = Some(metadata::bounded(name)),
            }
        }
        Self {
            path: metadata::bounded(&info.path),
            expected_len: info.file.length,
            max_len: max_len.min(info.file.length),
            len: 0,
            hashers,
            unsupported,
        }
    }

    /// Feeds the next chunk.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] as soon as more bytes arrived than the cap allows.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.len = self.len.saturating_add(chunk.len() as u64);
        if self.len > self.max_len {
            return Err(LimitExceeded::new("target file", self.max_len).into());
        }
        for (_, _, h) in &mut self.hashers {
            h.update(chunk);
        }
        Ok(())
    }

    /// Compares the length and every hash; returns the length.
    ///
    /// # Errors
    /// [`Error::Target`] with a length or hash mismatch or an unsupported hash algorithm.
    pub fn finish(self) -> Result<u64, Error> {
        let fail = |source| Error::Target {
            path: self.path.clone(),
            source,
        };
        if let Some(algorithm) = self.unsupported.clone() {
            return Err(fail(metadata::Error::UnsupportedHash { algorithm }));
        }
        if self.len != self.expected_len {
            return Err(fail(metadata::Error::LengthMismatch {
                what: self.path.clone(),
                expected: self.expected_len,
                actual: self.len,
            }));
        }
        for (name, expected, h) in self.hashers {
            let alg = h.algorithm();
            let actual = h.finish();
            let ok = supply_sig::digest::Digest::from_hex(alg, &expected.to_ascii_lowercase())
                .is_ok_and(|d| d == actual);
            if !ok {
                return Err(fail(metadata::Error::HashMismatch {
                    what: self.path.clone(),
                    algorithm: name,
                    expected: metadata::bounded(&expected),
                    actual: actual.hex(),
                }));
            }
        }
        Ok(self.len)
    }
}
