//! The trusted metadata set: the verification rules of the client workflow (specification §5),
//! one update at a time, with no I/O.

use std::collections::{BTreeMap, BTreeSet};

use supply_sig::crypto::Provider;

use super::Error;
use crate::metadata::{Metadata, Role, Root, Snapshot, Targets, TimestampRole, VerifierCache};
use crate::time::Timestamp;

/// Verified metadata of one repository, built up in the order the specification requires:
/// root (any number of updates), then timestamp, snapshot, targets and delegated targets.
///
/// Every `update_*` method verifies signatures against the currently trusted delegator, checks
/// versions against what is already trusted (rollback) and, last, expiry at `now` (freeze).
#[derive(Debug, Clone)]
pub struct TrustedSet {
    now: Timestamp,
    root: Metadata<Root>,
    timestamp: Option<Metadata<TimestampRole>>,
    snapshot: Option<Metadata<Snapshot>>,
    targets: BTreeMap<String, Metadata<Targets>>,
    /// `(role, delegator)` pairs whose signatures were checked: a role reached through two
    /// delegators (a diamond) is trusted on a path only once that path's delegator signs for it.
    verified_by: BTreeSet<(String, String)>,
    /// Prepared verifiers of every key used so far (root keys across rotations, a delegation's
    /// keys across its roles); keyed by key content, never by key id.
    verifiers: VerifierCache,
}

fn meta_err(role: &str) -> impl FnOnce(crate::metadata::Error) -> Error + '_ {
    move |source| Error::Metadata {
        role: crate::metadata::bounded(role),
        source,
    }
}

impl TrustedSet {
    /// Starts from a trusted root (the bootstrap or locally stored `root.json`), which must be
    /// signed by a threshold of its own root keys. Its expiry is not checked here: an expired
    /// root may still be updated (§5.3.10 checks only the final root).
    ///
    /// # Errors
    /// [`Error::Metadata`] when the root does not parse or is not self-signed.
    pub fn new(root: &[u8], now: Timestamp, provider: &'static Provider) -> Result<Self, Error> {
        let md = Metadata::<Root>::from_slice_with_limit(root, crate::limits::MAX_ROOT_LEN)
            .map_err(meta_err("root"))?;
        let mut verifiers = VerifierCache::new(provider);
        verify_by_root(&md, &md, "root", &mut verifiers)?;
        Ok(Self {
            now,
            root: md,
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            verified_by: BTreeSet::new(),
            verifiers,
        })
    }

    /// The reference time.
    pub const fn now(&self) -> Timestamp {
        self.now
    }

    /// The trusted root.
    pub fn root(&self) -> &Metadata<Root> {
        &self.root
    }

    /// The trusted timestamp, once loaded.
    pub fn timestamp(&self) -> Option<&Metadata<TimestampRole>> {
        self.timestamp.as_ref()
    }

    /// The trusted snapshot, once loaded.
    pub fn snapshot(&self) -> Option<&Metadata<Snapshot>> {
        self.snapshot.as_ref()
    }

    /// Trusted targets metadata of `role` (`targets` or a delegated role), once loaded.
    pub fn targets(&self, role: &str) -> Option<&Metadata<Targets>> {
        self.targets.get(role)
    }

    /// Rotates to the next root (§5.3): signed by a threshold of the trusted root's root keys
    /// AND of its own root keys, version exactly one more than the trusted root.
    ///
    /// # Errors
    /// [`Error::Metadata`] (parse or signatures), [`Error::VersionMismatch`], or
    /// [`Error::ApiMisuse`] once a timestamp is trusted.
    pub fn update_root(&mut self, data: &[u8]) -> Result<&Metadata<Root>, Error> {
        if self.timestamp.is_some() {
            return Err(Error::ApiMisuse("root updated after timestamp"));
        }
        let new = Metadata::<Root>::from_slice_with_limit(data, crate::limits::MAX_ROOT_LEN)
            .map_err(meta_err("root"))?;
        verify_by_root(&new, &self.root, "root", &mut self.verifiers)?;
        let expected = self.root.version().saturating_add(1);
        if new.version() != expected {
            return Err(Error::VersionMismatch {
                role: "root".into(),
                expected,
                actual: new.version(),
            });
        }
        verify_by_root(&new, &new, "root", &mut self.verifiers)?;
        self.root = new;
        Ok(&self.root)
    }

    /// Checks the final root for a freeze attack (§5.3.10): it must not be expired at `now`.
    ///
    /// # Errors
    /// [`Error::Expired`] naming `root`.
    pub fn check_final_root(&self) -> Result<(), Error> {
        if self.root.expires().is_expired(self.now) {
            return Err(Error::Expired {
                role: "root".into(),
                expires: self.root.expires().to_string(),
            });
        }
        Ok(())
    }

    /// Loads a timestamp (§5.4). Returns `Ok(false)` when its version equals the trusted one
    /// (nothing changes and nothing should be persisted).
    ///
    /// # Errors
    /// [`Error::Expired`] for an expired final root (checked first) or timestamp (checked last,
    /// after the new timestamp became trusted, so it still protects against rollback),
    /// [`Error::Metadata`], [`Error::Rollback`] for a lower timestamp or snapshot version.
    pub fn update_timestamp(&mut self, data: &[u8]) -> Result<bool, Error> {
        if self.snapshot.is_some() {
            return Err(Error::ApiMisuse("timestamp updated after snapshot"));
        }
        self.check_final_root()?;
        let new = Metadata::<TimestampRole>::from_slice_with_limit(
            data,
            crate::limits::MAX_TIMESTAMP_LEN,
        )
        .map_err(meta_err("timestamp"))?;
        verify_by_root(&new, &self.root, "timestamp", &mut self.verifiers)?;
        if let Some(old) = &self.timestamp {
            if new.version() < old.version() {
                return Err(Error::Rollback {
                    role: "timestamp".into(),
                    trusted: old.version(),
                    new: new.version(),
                });
            }
            if new.version() == old.version() {
                return Ok(false);
            }
            let (o, n) = (
                old.signed().snapshot_meta().version,
                new.signed().snapshot_meta().version,
            );
            if n < o {
                return Err(Error::Rollback {
                    role: "snapshot".into(),
                    trusted: o,
                    new: n,
                });
            }
        }
        self.timestamp = Some(new);
        self.check_final_timestamp()?;
        Ok(true)
    }

    fn check_final_timestamp(&self) -> Result<(), Error> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or(Error::ApiMisuse("no trusted timestamp"))?;
        if ts.expires().is_expired(self.now) {
            return Err(Error::Expired {
                role: "timestamp".into(),
                expires: ts.expires().to_string(),
            });
        }
        Ok(())
    }

    /// Loads a snapshot (§5.5). With `from_cache`, the length and hashes listed by the timestamp
    /// are not checked (the bytes were verified when first received).
    ///
    /// # Errors
    /// [`Error::Expired`] (timestamp first, the snapshot last), [`Error::Metadata`] (hashes,
    /// signatures), [`Error::MissingMeta`] / [`Error::Rollback`] when a role listed by the trusted
    /// snapshot disappears or goes back, [`Error::VersionMismatch`] when the version differs from
    /// the timestamp's.
    pub fn update_snapshot(&mut self, data: &[u8], from_cache: bool) -> Result<(), Error> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or(Error::ApiMisuse("snapshot before timestamp"))?;
        if !self.targets.is_empty() {
            return Err(Error::ApiMisuse("snapshot updated after targets"));
        }
        self.check_final_timestamp()?;
        let meta = ts.signed().snapshot_meta().clone();
        let limit = meta.length.unwrap_or(crate::limits::MAX_SNAPSHOT_LEN);
        if !from_cache {
            meta.verify("snapshot.json", data)
                .map_err(meta_err("snapshot"))?;
        }
        let new = Metadata::<Snapshot>::from_slice_with_limit(data, limit.max(1))
            .map_err(meta_err("snapshot"))?;
        verify_by_root(&new, &self.root, "snapshot", &mut self.verifiers)?;
        if let Some(old) = &self.snapshot {
            for (name, info) in &old.signed().meta {
                let Some(n) = new.signed().meta.get(name) else {
                    return Err(Error::MissingMeta {
                        role: crate::metadata::bounded(name),
                    });
                };
                if n.version < info.version {
                    return Err(Error::Rollback {
                        role: crate::metadata::bounded(name),
                        trusted: info.version,
                        new: n.version,
                    });
                }
            }
        }
        self.snapshot = Some(new);
        self.check_final_snapshot()
    }

    fn check_final_snapshot(&self) -> Result<(), Error> {
        let (Some(ts), Some(snap)) = (&self.timestamp, &self.snapshot) else {
            return Err(Error::ApiMisuse("no trusted snapshot"));
        };
        if snap.expires().is_expired(self.now) {
            return Err(Error::Expired {
                role: "snapshot".into(),
                expires: snap.expires().to_string(),
            });
        }
        let expected = ts.signed().snapshot_meta().version;
        if snap.version() != expected {
            return Err(Error::VersionMismatch {
                role: "snapshot".into(),
                expected,
                actual: snap.version(),
            });
        }
        Ok(())
    }

    /// Loads top-level targets: [`update_delegated_targets`](Self::update_delegated_targets)
    /// with the root as delegator.
    ///
    /// # Errors
    /// As [`update_delegated_targets`](Self::update_delegated_targets).
    pub fn update_targets(&mut self, data: &[u8]) -> Result<(), Error> {
        self.update_delegated_targets(data, "targets", "root")
    }

    /// Loads targets metadata of `role`, delegated by `delegator` (`root` for top-level targets)
    /// (§5.6, §5.7): length and hashes from the snapshot, signatures by the delegator's keys for
    /// the role, version equal to the snapshot's, not expired.
    ///
    /// # Errors
    /// [`Error::Expired`], [`Error::Metadata`], [`Error::MissingMeta`],
    /// [`Error::VersionMismatch`], [`Error::NotDelegated`].
    pub fn update_delegated_targets(
        &mut self,
        data: &[u8],
        role: &str,
        delegator: &str,
    ) -> Result<(), Error> {
        self.check_final_snapshot()?;
        let snap = self
            .snapshot
            .as_ref()
            .ok_or(Error::ApiMisuse("targets before snapshot"))?;
        let meta = snap
            .signed()
            .meta
            .get(&format!("{role}.json"))
            .ok_or_else(|| Error::MissingMeta {
                role: crate::metadata::bounded(role),
            })?;
        meta.verify(&format!("{role}.json"), data)
            .map_err(meta_err(role))?;
        let limit = meta.length.unwrap_or(crate::limits::MAX_TARGETS_LEN);
        let new = Metadata::<Targets>::from_slice_with_limit(data, limit.max(1))
            .map_err(meta_err(role))?;
        if delegator == "root" {
            if role != "targets" {
                return Err(Error::NotDelegated {
                    role: crate::metadata::bounded(role),
                });
            }
            verify_by_root(&new, &self.root, "targets", &mut self.verifiers)?;
        } else {
            let parent = self
                .targets
                .get(delegator)
                .ok_or(Error::ApiMisuse("delegator not loaded"))?;
            verify_delegated(&new, parent.signed(), role, &mut self.verifiers)?;
        }
        if new.version() != meta.version {
            return Err(Error::VersionMismatch {
                role: crate::metadata::bounded(role),
                expected: meta.version,
                actual: new.version(),
            });
        }
        if new.expires().is_expired(self.now) {
            return Err(Error::Expired {
                role: crate::metadata::bounded(role),
                expires: new.expires().to_string(),
            });
        }
        self.targets.insert(role.to_owned(), new);
        self.verified_by
            .insert((role.to_owned(), delegator.to_owned()));
        Ok(())
    }

    /// Checks that the already trusted metadata of `role` is signed by a threshold of the keys
    /// `delegator` gives it. A role delegated by two roles was verified against the delegator of
    /// the path that loaded it first; before it is trusted on another path, the delegator of that
    /// path must vouch for the same bytes (otherwise whoever holds one parent's keys could list
    /// targets under the other parent's paths).
    ///
    /// # Errors
    /// [`Error::Metadata`] (threshold not met), [`Error::NotDelegated`], or [`Error::ApiMisuse`]
    /// when the role or the delegator is not loaded.
    pub fn verify_loaded_delegated(&mut self, role: &str, delegator: &str) -> Result<(), Error> {
        if self
            .verified_by
            .contains(&(role.to_owned(), delegator.to_owned()))
        {
            return Ok(());
        }
        let md = self
            .targets
            .get(role)
            .ok_or(Error::ApiMisuse("role not loaded"))?;
        if delegator == "root" {
            if role != "targets" {
                return Err(Error::NotDelegated {
                    role: crate::metadata::bounded(role),
                });
            }
            verify_by_root(md, &self.root, "targets", &mut self.verifiers)?;
        } else {
            let parent = self
                .targets
                .get(delegator)
                .ok_or(Error::ApiMisuse("delegator not loaded"))?;
            verify_delegated(md, parent.signed(), role, &mut self.verifiers)?;
        }
        self.verified_by
            .insert((role.to_owned(), delegator.to_owned()));
        Ok(())
    }
}

fn verify_by_root<T: Role>(
    md: &Metadata<T>,
    root: &Metadata<Root>,
    role: &str,
    cache: &mut VerifierCache,
) -> Result<(), Error> {
    let r = root.signed();
    let keys = r
        .role(role)
        .ok_or(Error::NotDelegated { role: role.into() })?;
    md.verify_threshold_cached(role, &r.keys, &keys.keyids, keys.threshold, cache)
        .map_err(meta_err(role))
}

fn verify_delegated(
    md: &Metadata<Targets>,
    parent: &Targets,
    role: &str,
    cache: &mut VerifierCache,
) -> Result<(), Error> {
    let not = || Error::NotDelegated {
        role: crate::metadata::bounded(role),
    };
    let d = parent.delegations.as_ref().ok_or_else(not)?;
    let (keyids, threshold) = if let Some(roles) = &d.roles {
        let r = roles.iter().find(|r| r.name == role).ok_or_else(not)?;
        (&r.keyids, r.threshold)
    } else if let Some(s) = d
        .succinct_roles
        .as_ref()
        .filter(|s| s.is_delegated_role(role))
    {
        (&s.keyids, s.threshold)
    } else {
        return Err(not());
    };
    md.verify_threshold_cached(role, &d.keys, keyids, threshold, cache)
        .map_err(meta_err(role))
}
