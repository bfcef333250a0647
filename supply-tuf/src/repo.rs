//! A repository writer: create and sign every role, add targets, delegate (path patterns, hash
//! bins with `path_hash_prefixes`, succinct hash bins), rotate keys and roots (cross-signed),
//! bump versions and expiries, and lay the result out as a client fetches it (consistent
//! snapshots: `N.<role>.json` and `<sha256>.<name>` targets).
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::key::KeyAlgorithm;
//! use supply_tuf::metadata::Expires;
//! use supply_tuf::repo::{Repository, SigningKey};
//! use supply_tuf::time::Timestamp;
//!
//! let key = || SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO);
//! let expires = Expires::from_time(Timestamp::from_unix(2_000_000_000));
//! let mut repo = Repository::new([key()?, key()?, key()?, key()?], expires, true)?;
//! repo.add_target("targets", "hello.txt", b"hello")?;
//! repo.publish()?;
//! assert!(repo.metadata_files().contains_key("1.targets.json"));
//! assert!(repo.metadata_files().contains_key("timestamp.json"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The writer keeps the signing keys it was given in memory; it is meant for tools and tests
//! that hold all keys (or for one signing step at a time through [`Repository::sign_with`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use supply_sig::crypto::Provider;
use supply_sig::digest::Algorithm;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{KeySigner, Signer};

use crate::metadata::{
    self, Common, DelegatedRole, Delegations, Expires, Key, MetaFile, Metadata, Role, RoleKeys,
    Root, Snapshot, SuccinctRoles, TargetFile, Targets, TimestampRole, TOP_LEVEL_ROLES,
};
use crate::names;

/// Errors of the writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key could not be prepared or described.
    #[error("key error")]
    Key(#[source] supply_sig::key::Error),
    /// A signer could not be prepared.
    #[error("signer error")]
    Signer(#[source] supply_sig::sign::Error),
    /// Producing metadata failed.
    #[error("metadata error")]
    Metadata(#[source] metadata::Error),
    /// The role is not known to this repository.
    #[error("unknown role {role:?}")]
    UnknownRole {
        /// The role.
        role: String,
    },
    /// A role, target or delegation that the writer refuses to produce.
    #[error("invalid request: {reason}")]
    Invalid {
        /// Why.
        reason: &'static str,
    },
    /// Not enough keys of a role are held to meet its threshold.
    #[error("{role}: holding {held} keys, threshold {threshold}")]
    NotEnoughKeys {
        /// The role.
        role: String,
        /// Keys held.
        held: usize,
        /// Threshold.
        threshold: u64,
    },
    /// Writing the layout failed.
    #[error("I/O on {path}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A signing key with its TUF key dict and key id (securesystemslib's: SHA-256 of the canonical
/// key dict).
#[derive(Clone, Debug)]
pub struct SigningKey {
    keyid: String,
    key: Key,
    signer: Arc<dyn Signer>,
}

impl SigningKey {
    /// Wraps a signer.
    ///
    /// # Errors
    /// [`Error::Key`] when securesystemslib has no name for the signer's scheme.
    pub fn new(signer: Arc<dyn Signer>) -> Result<Self, Error> {
        let sslib =
            SslibKey::new(signer.public_key().clone(), signer.scheme()).map_err(Error::Key)?;
        let keyid = sslib.key_id().map_err(Error::Key)?.as_str().to_owned();
        let key = Key::from_sslib(&sslib).map_err(Error::Metadata)?;
        Ok(Self { keyid, key, signer })
    }

    /// A signing key for a private key with its default scheme.
    ///
    /// # Errors
    /// [`Error::Signer`] when the provider cannot sign with it (RSA on RustCrypto).
    pub fn from_private_key(key: &PrivateKey, provider: &Provider) -> Result<Self, Error> {
        let scheme = key.public_key().default_scheme();
        let signer = KeySigner::new(key, scheme, provider).map_err(Error::Signer)?;
        Self::new(Arc::new(signer))
    }

    /// A fresh key.
    ///
    /// # Errors
    /// [`Error::Signer`] when the provider cannot generate or sign with the algorithm.
    pub fn generate(algorithm: KeyAlgorithm, provider: &Provider) -> Result<Self, Error> {
        let sk = provider
            .sign
            .generate(algorithm)
            .map_err(|e| Error::Signer(supply_sig::sign::Error::Crypto(e)))?;
        Self::from_private_key(&sk, provider)
    }

    /// The key id.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The public key dict.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        self.signer.as_ref()
    }
}

/// How a delegation selects target paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Paths {
    /// Glob patterns (`*` does not cross `/`).
    Globs(Vec<String>),
    /// Hex prefixes of SHA-256(target path).
    HashPrefixes(Vec<String>),
}

/// A TUF repository being written: the models of every role, the keys held, and the signed
/// files published so far.
#[derive(Debug)]
pub struct Repository {
    root: Root,
    roles: BTreeMap<String, Targets>,
    snapshot: Snapshot,
    timestamp: TimestampRole,
    /// Keys held, by key id (every key ever added, so old roots' keys can cross-sign).
    keyring: BTreeMap<String, SigningKey>,
    /// Roles whose content changed since they were last signed.
    dirty: BTreeSet<String>,
    root_dirty: bool,
    published_once: bool,
    /// Root keys and threshold of the last published root (cross-signing a new root).
    last_root_keys: Option<RoleKeys>,
    metadata_files: BTreeMap<String, Vec<u8>>,
    target_files: BTreeMap<String, Vec<u8>>,
    /// Targets added from files ([`Repository::add_target_file`]): target path → the source
    /// file and its SHA-256 and SHA-512 (hex), read again by `write_to` instead of held.
    target_sources: BTreeMap<String, (PathBuf, [String; 2])>,
    expires: Expires,
}

/// The delegation entry for `name`: `keys` with `threshold` over `paths`.
fn delegated_role(
    name: &str,
    keys: &[SigningKey],
    threshold: u64,
    paths: Paths,
    terminating: bool,
) -> Result<DelegatedRole, Error> {
    if keys.is_empty() || threshold == 0 || threshold > keys.len() as u64 {
        return Err(Error::Invalid {
            reason: "need at least one key and 1 <= threshold <= keys",
        });
    }
    let (paths, path_hash_prefixes) = match paths {
        Paths::Globs(g) => (Some(g), None),
        Paths::HashPrefixes(p) => (None, Some(p)),
    };
    Ok(DelegatedRole {
        name: name.to_owned(),
        keyids: keys.iter().map(|k| k.keyid.clone()).collect(),
        threshold,
        terminating,
        paths,
        path_hash_prefixes,
        extra: BTreeMap::new(),
    })
}

fn common(type_: &str, expires: &Expires) -> Common {
    Common::new(type_, 1, expires.clone())
}

impl Repository {
    /// A new repository with one key per top-level role (`[root, timestamp, snapshot, targets]`),
    /// thresholds 1, every role expiring at `expires`. Nothing is signed until
    /// [`publish`](Self::publish).
    ///
    /// # Errors
    /// Never for valid keys; [`Error::Invalid`] is reserved for future checks.
    pub fn new(
        keys: [SigningKey; 4],
        expires: Expires,
        consistent_snapshot: bool,
    ) -> Result<Self, Error> {
        let mut root = Root {
            common: common("root", &expires),
            consistent_snapshot,
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
            extra: BTreeMap::new(),
        };
        let mut keyring = BTreeMap::new();
        for (role, k) in TOP_LEVEL_ROLES.iter().zip(keys) {
            root.keys.insert(k.keyid.clone(), k.key.clone());
            root.roles.insert(
                (*role).to_owned(),
                RoleKeys {
                    keyids: vec![k.keyid.clone()],
                    threshold: 1,
                    extra: BTreeMap::new(),
                },
            );
            keyring.insert(k.keyid.clone(), k);
        }
        let targets = Targets {
            common: common("targets", &expires),
            targets: BTreeMap::new(),
            delegations: None,
            extra: BTreeMap::new(),
        };
        let mut roles = BTreeMap::new();
        roles.insert("targets".to_owned(), targets);
        Ok(Self {
            root,
            roles,
            snapshot: Snapshot {
                common: common("snapshot", &expires),
                meta: BTreeMap::new(),
                extra: BTreeMap::new(),
            },
            timestamp: TimestampRole {
                common: common("timestamp", &expires),
                meta: BTreeMap::new(),
                extra: BTreeMap::new(),
            },
            keyring,
            dirty: ["targets".to_owned()].into(),
            root_dirty: true,
            published_once: false,
            last_root_keys: None,
            metadata_files: BTreeMap::new(),
            target_files: BTreeMap::new(),
            target_sources: BTreeMap::new(),
            expires,
        })
    }

    /// Re-opens a repository from its published metadata files (file name → bytes, as in
    /// `<repo>/metadata/`; the unversioned `root.json`, `timestamp.json`, `snapshot.json` and
    /// `<percent-encoded role>.json` are read). Keys are not stored in metadata: hold them with
    /// [`sign_with`](Self::sign_with) before publishing. Target bytes already on disk stay there.
    ///
    /// The files are parsed, not verified: this is the repository owner's own data.
    ///
    /// # Errors
    /// [`Error::Metadata`] for a file that does not parse, [`Error::Invalid`] for a missing one.
    pub fn open(files: BTreeMap<String, Vec<u8>>, expires: Expires) -> Result<Self, Error> {
        let get = |name: &str| {
            files.get(name).ok_or(Error::Invalid {
                reason: "a published metadata file is missing",
            })
        };
        let root = Metadata::<Root>::from_slice(get("root.json")?).map_err(Error::Metadata)?;
        let snapshot =
            Metadata::<Snapshot>::from_slice(get("snapshot.json")?).map_err(Error::Metadata)?;
        let timestamp = Metadata::<TimestampRole>::from_slice(get("timestamp.json")?)
            .map_err(Error::Metadata)?;
        let mut roles = BTreeMap::new();
        for entry in snapshot.signed().meta.keys() {
            let Some(role) = entry.strip_suffix(".json") else {
                continue;
            };
            let Some(bytes) = files.get(&names::local_metadata_file_name(role)) else {
                continue;
            };
            let t = Metadata::<Targets>::from_slice(bytes).map_err(Error::Metadata)?;
            roles.insert(role.to_owned(), t.signed().clone());
        }
        if !roles.contains_key("targets") {
            return Err(Error::Invalid {
                reason: "the snapshot lists no targets role",
            });
        }
        let root = root.signed().clone();
        Ok(Self {
            last_root_keys: root.roles.get("root").cloned(),
            root,
            roles,
            snapshot: snapshot.signed().clone(),
            timestamp: timestamp.signed().clone(),
            keyring: BTreeMap::new(),
            dirty: BTreeSet::new(),
            root_dirty: false,
            published_once: true,
            metadata_files: files,
            target_files: BTreeMap::new(),
            target_sources: BTreeMap::new(),
            expires,
        })
    }

    /// [`open`](Self::open) on `<dir>/metadata/*.json` (each file at most
    /// [`crate::limits::MAX_METADATA_LEN`] bytes).
    ///
    /// # Errors
    /// As [`open`](Self::open), and [`Error::Io`].
    pub fn open_dir(dir: &Path, expires: Expires) -> Result<Self, Error> {
        let meta = dir.join("metadata");
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| Error::Io { path, source }
        };
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(&meta).map_err(io(&meta))? {
            let entry = entry.map_err(io(&meta))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".json") || !entry.path().is_file() {
                continue;
            }
            let bytes =
                crate::client::local::read_bounded(&entry.path(), crate::limits::MAX_METADATA_LEN)
                    .map_err(|_| Error::Invalid {
                        reason: "a metadata file is unreadable or too large",
                    })?
                    .unwrap_or_default();
            files.insert(name, bytes);
        }
        Self::open(files, expires)
    }

    /// Holds the signing keys the repository needs (same as [`sign_with`](Self::sign_with) for
    /// each key).
    pub fn hold_keys(&mut self, keys: impl IntoIterator<Item = SigningKey>) {
        for k in keys {
            self.sign_with(k);
        }
    }

    /// The root model (edit it through the methods so versions and signatures follow).
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Every delegated role name (not `targets`).
    pub fn delegated_role_names(&self) -> impl Iterator<Item = String> + '_ {
        self.roles.keys().filter(|r| *r != "targets").cloned()
    }

    /// A targets role model.
    pub fn targets(&self, role: &str) -> Option<&Targets> {
        self.roles.get(role)
    }

    /// Sets the expiry written at the next publication of every role changed from now on.
    pub fn set_expires(&mut self, expires: Expires) {
        self.expires = expires;
    }

    /// Adds a key to the keyring without assigning it (e.g. an old key kept to cross-sign).
    pub fn hold_key(&mut self, key: SigningKey) {
        self.keyring.insert(key.keyid.clone(), key);
    }

    /// Replaces the keys and threshold of a top-level role in root (key rotation); root gets a
    /// new version at the next publication, signed by the previous root's keys and the new ones.
    ///
    /// # Errors
    /// [`Error::UnknownRole`], [`Error::Invalid`] for no keys or a zero threshold.
    pub fn set_role_keys(
        &mut self,
        role: &str,
        keys: Vec<SigningKey>,
        threshold: u64,
    ) -> Result<(), Error> {
        if !TOP_LEVEL_ROLES.contains(&role) {
            return Err(Error::UnknownRole { role: role.into() });
        }
        if keys.is_empty() || threshold == 0 || threshold > keys.len() as u64 {
            return Err(Error::Invalid {
                reason: "need at least one key and 1 <= threshold <= keys",
            });
        }
        let keyids: Vec<String> = keys.iter().map(|k| k.keyid.clone()).collect();
        for k in keys {
            self.root.keys.insert(k.keyid.clone(), k.key.clone());
            self.keyring.insert(k.keyid.clone(), k);
        }
        self.root.roles.insert(
            role.to_owned(),
            RoleKeys {
                keyids,
                threshold,
                extra: BTreeMap::new(),
            },
        );
        // Drop keys no role uses any more.
        let used: BTreeSet<String> = self
            .root
            .roles
            .values()
            .flat_map(|r| r.keyids.clone())
            .collect();
        self.root.keys.retain(|k, _| used.contains(k));
        self.root_dirty = true;
        if role == "targets" {
            self.dirty.insert("targets".into());
        }
        Ok(())
    }

    /// Sets `consistent_snapshot` (a root change).
    pub fn set_consistent_snapshot(&mut self, on: bool) {
        self.root.consistent_snapshot = on;
        self.root_dirty = true;
    }

    /// Marks root changed so that the next publication writes a new root version (for example
    /// only to extend its expiry).
    pub fn bump_root(&mut self) {
        self.root_dirty = true;
    }

    /// Marks a targets role changed (a new version at the next publication).
    ///
    /// # Errors
    /// [`Error::UnknownRole`].
    pub fn bump(&mut self, role: &str) -> Result<(), Error> {
        if !self.roles.contains_key(role) {
            return Err(Error::UnknownRole { role: role.into() });
        }
        self.dirty.insert(role.to_owned());
        Ok(())
    }

    /// Adds (or replaces) target `path` with `data` in targets role `role` (SHA-256 and SHA-512
    /// hashes and the length). The bytes are kept for [`write_to`](Self::write_to).
    ///
    /// # Errors
    /// [`Error::UnknownRole`], [`Error::Invalid`] for a path that is empty, absolute, has empty,
    /// `.` or `..` segments, or a NUL or `\\`.
    pub fn add_target(&mut self, role: &str, path: &str, data: &[u8]) -> Result<TargetFile, Error> {
        let mut entry = TargetFile::from_data(data);
        entry
            .hashes
            .insert("sha512".into(), Algorithm::Sha512.digest(data).hex());
        self.add_target_entry(role, path, entry.clone())?;
        self.target_sources.remove(path);
        self.target_files.insert(path.to_owned(), data.to_vec());
        Ok(entry)
    }

    /// Adds (or replaces) target `path` from the file `file`, hashing it in one streaming pass
    /// (memory stays flat in the file's size). The file is read again, once, by
    /// [`write_to`](Self::write_to); it must not change in between.
    ///
    /// # Errors
    /// As [`add_target`](Self::add_target), and [`Error::Io`] reading the file.
    pub fn add_target_file(
        &mut self,
        role: &str,
        path: &str,
        file: &Path,
    ) -> Result<TargetFile, Error> {
        let io = |source| Error::Io {
            path: file.display().to_string(),
            source,
        };
        let mut f = std::fs::File::open(file).map_err(io)?;
        let mut h256 = supply_sig::digest::Hasher::new(Algorithm::Sha256);
        let mut h512 = supply_sig::digest::Hasher::new(Algorithm::Sha512);
        let mut buf = vec![0u8; 64 * 1024];
        let mut length = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            length = length.saturating_add(n as u64);
            h256.update(&buf[..n]);
            h512.update(&buf[..n]);
        }
        let (d256, d512) = (h256.finish().hex(), h512.finish().hex());
        let mut entry = TargetFile::from_data(b"");
        entry.length = length;
        entry.hashes.insert("sha256".into(), d256.clone());
        entry.hashes.insert("sha512".into(), d512.clone());
        self.add_target_entry(role, path, entry.clone())?;
        self.target_files.remove(path);
        self.target_sources
            .insert(path.to_owned(), (file.to_path_buf(), [d256, d512]));
        Ok(entry)
    }

    /// Adds (or replaces) a target entry without its bytes.
    ///
    /// # Errors
    /// As [`add_target`](Self::add_target).
    pub fn add_target_entry(
        &mut self,
        role: &str,
        path: &str,
        entry: TargetFile,
    ) -> Result<(), Error> {
        let clean = names::resolve_target_path(path).is_some_and(|p| p.join("/") == path);
        if !clean {
            return Err(Error::Invalid {
                reason: "target paths must be relative, without empty, '.' or '..' segments",
            });
        }
        let t = self
            .roles
            .get_mut(role)
            .ok_or_else(|| Error::UnknownRole { role: role.into() })?;
        t.targets.insert(path.to_owned(), entry);
        self.dirty.insert(role.to_owned());
        Ok(())
    }

    /// Removes a target; returns whether it was listed.
    ///
    /// # Errors
    /// [`Error::UnknownRole`].
    pub fn remove_target(&mut self, role: &str, path: &str) -> Result<bool, Error> {
        let t = self
            .roles
            .get_mut(role)
            .ok_or_else(|| Error::UnknownRole { role: role.into() })?;
        let had = t.targets.remove(path).is_some();
        if had {
            self.dirty.insert(role.to_owned());
            self.target_files.remove(path);
            self.target_sources.remove(path);
        }
        Ok(had)
    }

    fn delegations_mut(&mut self, parent: &str) -> Result<&mut Delegations, Error> {
        let t = self
            .roles
            .get_mut(parent)
            .ok_or_else(|| Error::UnknownRole {
                role: parent.into(),
            })?;
        self.dirty.insert(parent.to_owned());
        Ok(t.delegations.get_or_insert_with(|| Delegations {
            keys: BTreeMap::new(),
            roles: Some(Vec::new()),
            succinct_roles: None,
            extra: BTreeMap::new(),
        }))
    }

    fn new_targets(&self) -> Targets {
        Targets {
            common: common("targets", &self.expires),
            targets: BTreeMap::new(),
            delegations: None,
            extra: BTreeMap::new(),
        }
    }

    /// Delegates `paths` from `parent` to a new role `name` signed by `keys` with `threshold`.
    ///
    /// # Errors
    /// [`Error::UnknownRole`] for the parent; [`Error::Invalid`] for a top-level or existing
    /// role name, an empty key list, a bad threshold, or a parent using succinct delegation.
    pub fn delegate(
        &mut self,
        parent: &str,
        name: &str,
        keys: Vec<SigningKey>,
        threshold: u64,
        paths: Paths,
        terminating: bool,
    ) -> Result<(), Error> {
        if TOP_LEVEL_ROLES.contains(&name) || self.roles.contains_key(name) || name.is_empty() {
            return Err(Error::Invalid {
                reason: "delegated role names must be new and not a top-level role",
            });
        }
        let role = delegated_role(name, &keys, threshold, paths, terminating)?;
        let new = self.new_targets();
        self.add_delegation(parent, role, keys)?;
        self.roles.insert(name.to_owned(), new);
        self.dirty.insert(name.to_owned());
        Ok(())
    }

    /// Delegates `paths` from `parent` to the EXISTING role `name` as well (a role reached through
    /// two delegators: a diamond). The role's metadata is still signed with the keys of its
    /// first delegator in name order; a client checks the signatures against the delegator of
    /// the path it searches, so give every delegator the same keys (or sign with all of them)
    /// for the role to be trusted through every path.
    ///
    /// # Errors
    /// [`Error::UnknownRole`] for the parent or the role; [`Error::Invalid`] for a top-level
    /// role, an empty key list, a bad threshold, a parent using succinct delegation, or a parent
    /// that already delegates to the role.
    pub fn delegate_existing(
        &mut self,
        parent: &str,
        name: &str,
        keys: Vec<SigningKey>,
        threshold: u64,
        paths: Paths,
        terminating: bool,
    ) -> Result<(), Error> {
        if TOP_LEVEL_ROLES.contains(&name) || !self.roles.contains_key(name) {
            return Err(Error::UnknownRole { role: name.into() });
        }
        let role = delegated_role(name, &keys, threshold, paths, terminating)?;
        self.add_delegation(parent, role, keys)
    }

    /// Appends `role` to `parent`'s delegations with its keys, and holds the keys.
    fn add_delegation(
        &mut self,
        parent: &str,
        role: DelegatedRole,
        keys: Vec<SigningKey>,
    ) -> Result<(), Error> {
        let d = self.delegations_mut(parent)?;
        let Some(list) = d.roles.as_mut() else {
            return Err(Error::Invalid {
                reason: "the parent uses succinct delegation",
            });
        };
        if list.iter().any(|r| r.name == role.name) {
            return Err(Error::Invalid {
                reason: "the parent already delegates to this role",
            });
        }
        list.push(role);
        for k in &keys {
            d.keys.insert(k.keyid.clone(), k.key.clone());
        }
        for k in keys {
            self.keyring.insert(k.keyid.clone(), k);
        }
        Ok(())
    }

    /// Delegates every path from `parent` to `bins` hash-bin roles (a power of two from 2 to
    /// 65 536) by `path_hash_prefixes`, named `<first>-<last>` prefix (`00-0f`), all signed by
    /// `keys` with threshold 1. Returns the bin names.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad bin count; as [`delegate`](Self::delegate).
    pub fn delegate_hash_bins(
        &mut self,
        parent: &str,
        bins: u32,
        keys: &[SigningKey],
    ) -> Result<Vec<String>, Error> {
        if !bins.is_power_of_two() || !(2..=65_536).contains(&bins) {
            return Err(Error::Invalid {
                reason: "bins must be a power of two from 2 to 65536",
            });
        }
        // Prefix length in hex digits so that every bin holds a whole number of prefixes.
        let prefix_len = (bins.trailing_zeros() as usize).div_ceil(4).max(1);
        let total = 1u64 << (4 * prefix_len);
        let per_bin = total / u64::from(bins);
        let mut out = Vec::new();
        for b in 0..u64::from(bins) {
            let first = b * per_bin;
            let last = first + per_bin - 1;
            let prefixes: Vec<String> = (first..=last)
                .map(|p| format!("{p:0prefix_len$x}"))
                .collect();
            let name = if per_bin == 1 {
                format!("{first:0prefix_len$x}")
            } else {
                format!("{first:0prefix_len$x}-{last:0prefix_len$x}")
            };
            self.delegate(
                parent,
                &name,
                keys.to_vec(),
                1,
                Paths::HashPrefixes(prefixes),
                false,
            )?;
            out.push(name);
        }
        Ok(out)
    }

    /// Delegates from `parent` to `2^bit_length` succinct hash bins (TAP 15) named
    /// `<name_prefix>-<hex>`, all signed by `keys` with threshold 1; creates every bin role.
    /// Returns the bin names.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `bit_length` outside 1..=16 or a parent that already delegates.
    pub fn delegate_succinct(
        &mut self,
        parent: &str,
        bit_length: u32,
        name_prefix: &str,
        keys: &[SigningKey],
    ) -> Result<Vec<String>, Error> {
        if !(1..=16).contains(&bit_length) || keys.is_empty() {
            return Err(Error::Invalid {
                reason: "bit_length must be 1 to 16 and keys non-empty",
            });
        }
        let succinct = SuccinctRoles {
            keyids: keys.iter().map(|k| k.keyid.clone()).collect(),
            threshold: 1,
            bit_length,
            name_prefix: name_prefix.to_owned(),
            extra: BTreeMap::new(),
        };
        let names: Vec<String> = succinct.role_names().collect();
        if names.iter().any(|n| self.roles.contains_key(n)) {
            return Err(Error::Invalid {
                reason: "a bin name is already a role",
            });
        }
        let t = self
            .roles
            .get_mut(parent)
            .ok_or_else(|| Error::UnknownRole {
                role: parent.into(),
            })?;
        if t.delegations.is_some() {
            return Err(Error::Invalid {
                reason: "the parent already delegates",
            });
        }
        t.delegations = Some(Delegations {
            keys: keys
                .iter()
                .map(|k| (k.keyid.clone(), k.key.clone()))
                .collect(),
            roles: None,
            succinct_roles: Some(succinct),
            extra: BTreeMap::new(),
        });
        self.dirty.insert(parent.to_owned());
        for k in keys {
            self.keyring.insert(k.keyid.clone(), k.clone());
        }
        for n in &names {
            let new = self.new_targets();
            self.roles.insert(n.clone(), new);
            self.dirty.insert(n.clone());
        }
        Ok(names)
    }

    /// The role that lists `path` under the repository's delegations (the first bin or glob
    /// match in pre-order, ignoring `terminating`), for adding targets to hash bins.
    pub fn role_for_target(&self, path: &str) -> String {
        let mut role = "targets".to_owned();
        for _ in 0..crate::limits::MAX_DELEGATIONS {
            let Some(d) = self.roles.get(&role).and_then(|t| t.delegations.as_ref()) else {
                break;
            };
            let next = if let Some(s) = &d.succinct_roles {
                Some(s.role_for_target(path))
            } else {
                d.roles
                    .iter()
                    .flatten()
                    .find(|r| r.is_delegated_path(path))
                    .map(|r| r.name.clone())
            };
            match next {
                Some(n) => role = n,
                None => break,
            }
        }
        role
    }

    /// Signs `signed` with the held keys among `keyids`, at least `threshold` of them.
    fn sign_role<T: Role>(
        &self,
        role: &str,
        signed: &T,
        keyids: &[String],
        threshold: u64,
        extra_signers: &[String],
    ) -> Result<Metadata<T>, Error> {
        let mut signers: Vec<(&str, &dyn Signer)> = Vec::new();
        let mut seen = BTreeSet::new();
        for id in keyids.iter().chain(extra_signers) {
            if let Some(k) = self.keyring.get(id) {
                if seen.insert(id.as_str()) {
                    signers.push((id.as_str(), k.signer()));
                }
            }
        }
        let held = keyids
            .iter()
            .filter(|k| self.keyring.contains_key(*k))
            .count();
        if (held as u64) < threshold {
            return Err(Error::NotEnoughKeys {
                role: role.into(),
                held,
                threshold,
            });
        }
        Metadata::sign(signed, &signers).map_err(Error::Metadata)
    }

    /// Holds one more signing key (for example an offline root key brought in for the next
    /// publication); every role whose key ids include it is signed with it from then on.
    pub fn sign_with(&mut self, key: SigningKey) {
        self.keyring.insert(key.keyid.clone(), key);
    }

    fn delegator_keys(&self, role: &str) -> Option<(Vec<String>, u64)> {
        if role == "targets" {
            let r = self.root.roles.get("targets")?;
            return Some((r.keyids.clone(), r.threshold));
        }
        for t in self.roles.values() {
            let Some(d) = &t.delegations else { continue };
            if let Some(r) = d.roles.iter().flatten().find(|r| r.name == role) {
                return Some((r.keyids.clone(), r.threshold));
            }
            if let Some(s) = d
                .succinct_roles
                .as_ref()
                .filter(|s| s.is_delegated_role(role))
            {
                return Some((s.keyids.clone(), s.threshold));
            }
        }
        None
    }

    fn file_name(&self, role: &str, version: u64) -> String {
        if self.root.consistent_snapshot {
            names::remote_metadata_path(role, Some(version))
        } else {
            names::remote_metadata_path(role, None)
        }
    }

    /// Signs and publishes every changed role: a new root version when root changed (signed by
    /// the previous root's keys and the new root's keys), new versions of changed targets roles,
    /// then a new snapshot and timestamp. Files go to [`metadata_files`](Self::metadata_files)
    /// under the names a client requests (plus the unversioned `<role>.json`).
    ///
    /// # Errors
    /// [`Error::NotEnoughKeys`] when a threshold cannot be met with the held keys,
    /// [`Error::Metadata`].
    pub fn publish(&mut self) -> Result<(), Error> {
        // Root.
        if self.root_dirty {
            if self.published_once || self.last_root_keys.is_some() {
                self.root.common.version += 1;
            }
            self.root.common.expires = self.expires.clone();
            let rk = self.root.roles.get("root").cloned().ok_or(Error::Invalid {
                reason: "root has no root role",
            })?;
            let old = self.last_root_keys.clone();
            let extra: Vec<String> = old.as_ref().map(|o| o.keyids.clone()).unwrap_or_default();
            let md = self.sign_role("root", &self.root, &rk.keyids, rk.threshold, &extra)?;
            if let Some(o) = &old {
                let held = o
                    .keyids
                    .iter()
                    .filter(|k| self.keyring.contains_key(*k))
                    .count();
                if (held as u64) < o.threshold {
                    return Err(Error::NotEnoughKeys {
                        role: "root (previous)".into(),
                        held,
                        threshold: o.threshold,
                    });
                }
            }
            let v = self.root.common.version;
            self.metadata_files
                .insert(format!("{v}.root.json"), md.raw().to_vec());
            self.metadata_files
                .insert("root.json".into(), md.raw().to_vec());
            self.last_root_keys = Some(rk);
            self.root_dirty = false;
        }
        // Targets roles.
        let dirty: Vec<String> = std::mem::take(&mut self.dirty).into_iter().collect();
        for role in &dirty {
            let (keyids, threshold) = self
                .delegator_keys(role)
                .ok_or_else(|| Error::UnknownRole { role: role.clone() })?;
            let expires = self.expires.clone();
            let t = self
                .roles
                .get_mut(role)
                .ok_or_else(|| Error::UnknownRole { role: role.clone() })?;
            if self.snapshot.meta.contains_key(&format!("{role}.json")) {
                t.common.version += 1;
            }
            t.common.expires = expires;
            let t = t.clone();
            let md = self.sign_role(role, &t, &keyids, threshold, &[])?;
            let name = self.file_name(role, t.common.version);
            self.metadata_files.insert(name, md.raw().to_vec());
            self.metadata_files
                .insert(names::local_metadata_file_name(role), md.raw().to_vec());
            self.snapshot.meta.insert(
                format!("{role}.json"),
                MetaFile {
                    version: t.common.version,
                    length: None,
                    hashes: None,
                    extra: BTreeMap::new(),
                },
            );
        }
        // Snapshot and timestamp.
        if self.published_once {
            self.snapshot.common.version += 1;
            self.timestamp.common.version += 1;
        }
        self.snapshot.common.expires = self.expires.clone();
        let sk = self
            .root
            .roles
            .get("snapshot")
            .cloned()
            .ok_or(Error::Invalid {
                reason: "root has no snapshot role",
            })?;
        let snap = self.sign_role("snapshot", &self.snapshot, &sk.keyids, sk.threshold, &[])?;
        let sv = self.snapshot.common.version;
        let snap_name = self.file_name("snapshot", sv);
        self.metadata_files.insert(snap_name, snap.raw().to_vec());
        self.metadata_files
            .insert("snapshot.json".into(), snap.raw().to_vec());
        let mut hashes = BTreeMap::new();
        hashes.insert(
            "sha256".to_owned(),
            Algorithm::Sha256.digest(snap.raw()).hex(),
        );
        self.timestamp.meta.insert(
            "snapshot.json".into(),
            MetaFile {
                version: sv,
                length: Some(snap.raw().len() as u64),
                hashes: Some(hashes),
                extra: BTreeMap::new(),
            },
        );
        self.timestamp.common.expires = self.expires.clone();
        let tk = self
            .root
            .roles
            .get("timestamp")
            .cloned()
            .ok_or(Error::Invalid {
                reason: "root has no timestamp role",
            })?;
        let ts = self.sign_role("timestamp", &self.timestamp, &tk.keyids, tk.threshold, &[])?;
        self.metadata_files
            .insert("timestamp.json".into(), ts.raw().to_vec());
        self.published_once = true;
        Ok(())
    }

    /// Published metadata: remote path (`N.root.json`, `timestamp.json`, `N.<role>.json` under
    /// consistent snapshots, else `<role>.json`) → bytes; the unversioned names are included.
    pub fn metadata_files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.metadata_files
    }

    /// Target bytes by target path (targets added with [`add_target`](Self::add_target); those
    /// added from files are not held in memory).
    pub fn target_files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.target_files
    }

    /// Writes the layout a client fetches: `<dir>/metadata/<file>` for every published file and
    /// `<dir>/targets/<path>` for every target (plus `<dir>/targets/<dir>/<sha256>.<base>` and
    /// `<sha512>.<base>` under consistent snapshots).
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |source| Error::Io { path, source }
        };
        let meta = dir.join("metadata");
        std::fs::create_dir_all(&meta).map_err(io(&meta))?;
        for (name, bytes) in &self.metadata_files {
            // Names are percent-encoded single components (see `names`).
            let p = meta.join(name);
            std::fs::write(&p, bytes).map_err(io(&p))?;
        }
        let targets = dir.join("targets");
        std::fs::create_dir_all(&targets).map_err(io(&targets))?;
        for (path, bytes) in &self.target_files {
            let hashes = [Algorithm::Sha256, Algorithm::Sha512].map(|a| a.digest(bytes).hex());
            self.write_target(&targets, path, &hashes, |tmp| std::fs::write(tmp, bytes))?;
        }
        for (path, (src, hashes)) in &self.target_sources {
            self.write_target(&targets, path, hashes, |tmp| {
                std::fs::copy(src, tmp).map(drop)
            })?;
        }
        Ok(())
    }

    /// Writes one target under each name a client may request (`<path>`, and under consistent
    /// snapshots `<dir>/<sha256>.<base>` and `<dir>/<sha512>.<base>`): the content once, the other
    /// names as hard links to it (a copy where the file system has none). Every name is replaced
    /// by a rename, so a name that shared an inode with an older target never sees the new bytes.
    fn write_target(
        &self,
        targets: &Path,
        path: &str,
        hashes: &[String; 2],
        write: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |source| Error::Io { path, source }
        };
        // add_target refused every path with `..`, `.` or empty segments.
        let mut names_to_write = vec![path.to_owned()];
        if self.root.consistent_snapshot {
            let (d, base) = match path.rfind('/') {
                Some(i) => (&path[..=i], &path[i + 1..]),
                None => ("", path),
            };
            for h in hashes {
                names_to_write.push(format!("{d}{h}.{base}"));
            }
        }
        let first = targets.join(&names_to_write[0]);
        if let Some(parent) = first.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let tmp_of = |p: &Path| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            p.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
        };
        let tmp = tmp_of(&first);
        let _ = std::fs::remove_file(&tmp);
        write(&tmp).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &first).map_err(io(&first))?;
        for n in &names_to_write[1..] {
            let p = targets.join(n);
            let tmp = tmp_of(&p);
            let _ = std::fs::remove_file(&tmp);
            if std::fs::hard_link(&first, &tmp).is_err() {
                std::fs::copy(&first, &tmp).map_err(io(&tmp))?;
            }
            std::fs::rename(&tmp, &p).map_err(io(&p))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use supply_sig::crypto::RUSTCRYPTO;

    #[test]
    fn hash_bin_layout() {
        let k = || SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
        let e = Expires::from_time(crate::time::Timestamp::from_unix(2_000_000_000));
        let mut r = Repository::new([k(), k(), k(), k()], e, true).unwrap();
        let bins = r.delegate_hash_bins("targets", 16, &[k()]).unwrap();
        assert_eq!(bins.len(), 16);
        assert_eq!(bins[0], "0");
        let bins = {
            let mut r2 = Repository::new([k(), k(), k(), k()], r.expires.clone(), false).unwrap();
            r2.delegate_hash_bins("targets", 256, &[k()]).unwrap()
        };
        assert_eq!(bins[255], "ff");
        let role = r.role_for_target("a.txt");
        assert_eq!(role.len(), 1);
        r.add_target(&role, "a.txt", b"x").unwrap();
        r.publish().unwrap();
        assert!(r.metadata_files().contains_key(&format!("1.{role}.json")));
    }
}
