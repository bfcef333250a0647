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

use std::collections::BTreeSet;

use supply_sig::crypto::{Provider, RUSTCRYPTO};

use crate::limits;
use crate::metadata::{self, TargetFile};
use crate::names;
use crate::time::Timestamp;

pub use trusted::TrustedSet;

/// Errors of the client workflow.
///
/// Attacks map to variants: rollback → [`Error::Rollback`], freeze → [`Error::Expired`],
/// mix-and-match → [`Error::Metadata`] (hash or signature) or [`Error::VersionMismatch`],
/// endless data → [`Error::TooLarge`], threshold with duplicate keys →
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
    /// A download exceeded its byte cap (endless-data attack).
    #[error("{what} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// What was downloaded.
        what: String,
        /// The cap.
        limit: u64,
    },
    /// A target path cannot be stored safely below the output directory.
    #[error("target path {path:?} cannot be stored safely")]
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
    /// Cap on the snapshot without a listed length ([`limits::MAX_SNAPSHOT_LEN`]).
    pub snapshot_max_len: u64,
    /// Cap on targets metadata without a listed length ([`limits::MAX_TARGETS_LEN`]).
    pub targets_max_len: u64,
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
    /// With other caps on root, timestamp, snapshot and targets files (each applies where the
    /// trusted metadata lists no length).
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

/// A target found by a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    /// The target path as listed.
    pub path: String,
    /// Its trusted entry.
    pub file: TargetFile,
    /// The role that listed it.
    pub role: String,
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

    /// A lookup of `target_path` through the delegation graph (after a refresh).
    pub fn lookup(&mut self, target_path: &str) -> Lookup<'_> {
        Lookup {
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
    pub fn target_request(&self, info: &TargetInfo) -> (String, u64) {
        let prefix = if self.config.prefix_targets_with_hash
            && self.set.root().signed().consistent_snapshot
        {
            info.file.hashes.values().next().map(String::as_str)
        } else {
            None
        };
        (
            names::remote_target_path(&info.path, prefix),
            info.file.length.min(limits::MAX_TARGET_LEN),
        )
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

fn check_len(path: &str, data: &[u8], max_len: u64) -> Result<(), Error> {
    if data.len() as u64 > max_len {
        return Err(Error::TooLarge {
            what: metadata::bounded(path),
            limit: max_len,
        });
    }
    Ok(())
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
                if self.rotations >= self.config.max_root_rotations {
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
                    max_len: meta.length.unwrap_or(self.config.snapshot_max_len),
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
                    max_len: meta.length.unwrap_or(self.config.targets_max_len),
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
                    check_len("root", &b, self.config.root_max_len)?;
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
                check_len("timestamp.json", &b, self.config.timestamp_max_len)?;
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
    /// list a delegated role that must be fetched.
    pub fn next_step(&mut self) -> Result<Step, Error> {
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
                    max_len: meta.length.unwrap_or(self.config.targets_max_len),
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
    /// [`Error::TooLarge`] beyond `max_len`, [`Error::Transport`] otherwise.
    fn fetch(&mut self, kind: FileKind, path: &str, max_len: u64)
        -> Result<Option<Vec<u8>>, Error>;
}

/// Local storage of verified metadata.
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

fn drive(
    mut next: impl FnMut() -> Result<Step, Error>,
    mut supply: impl FnMut(Option<Vec<u8>>) -> Result<(), Error>,
    transport: &mut dyn Transport,
    store: &mut dyn MetadataStore,
) -> Result<(), Error> {
    loop {
        match next()? {
            Step::Load { file_name } => supply(store.load(&file_name)?)?,
            Step::Fetch {
                kind,
                path,
                max_len,
            } => {
                let data = transport.fetch(kind, &path, max_len)?;
                if let Some(d) = &data {
                    check_len(&path, d, max_len)?;
                }
                supply(data)?;
            }
            Step::Store { file_name, bytes } => store.store(&file_name, &bytes)?,
            Step::Done => return Ok(()),
        }
    }
}

/// Runs a refresh over a sync transport and store.
///
/// # Errors
/// Any workflow error.
pub fn run_refresh(
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

/// Runs a target lookup over a sync transport and store.
///
/// # Errors
/// Any workflow error.
pub fn run_lookup(
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

/// Fetches and verifies a target over a sync transport; returns its bytes.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Target`], transport errors.
pub fn fetch_target(
    updater: &Updater,
    info: &TargetInfo,
    transport: &mut dyn Transport,
) -> Result<Vec<u8>, Error> {
    let (path, max_len) = updater.target_request(info);
    let data = transport
        .fetch(FileKind::Target, &path, max_len)?
        .ok_or(Error::NotFound { path: path.clone() })?;
    check_len(&path, &data, max_len)?;
    Updater::verify_target(info, &data)?;
    Ok(data)
}
