//! The role types (specification §4.3 – §4.6).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use supply_sig::digest::Algorithm;
use supply_sig::key::encoding::sslib::SslibKey;

use super::{Common, Error, Role};
use crate::limits;

/// The names of the top-level roles; delegated roles may not use them.
pub const TOP_LEVEL_ROLES: [&str; 4] = ["root", "timestamp", "snapshot", "targets"];

type Extra = BTreeMap<String, Value>;

fn invalid(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidField { field, reason }
}

/// A public key as listed in root or delegations (`keytype`, `scheme`, `keyval`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// `ed25519`, `ecdsa`, `ecdsa-sha2-nistp256`, `rsa`, …
    pub keytype: String,
    /// The signature scheme, e.g. `ed25519`, `ecdsa-sha2-nistp256`, `rsassa-pss-sha256`.
    pub scheme: String,
    /// The key value.
    pub keyval: KeyVal,
    /// Unknown fields (`keyid_hash_algorithms`, `x-tuf-on-ci-keyowner`, …), kept.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A key's `keyval`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyVal {
    /// The public key: hex (Ed25519, legacy ECDSA points) or PEM.
    pub public: String,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Key {
    /// Parses the key material with supply-sig's securesystemslib reader.
    ///
    /// Only the fields the specification defines (`keytype`, `scheme`, `keyval.public`) are
    /// handed to the reader: unknown fields, including the non-standard
    /// `keyid_hash_algorithms` with whatever value, must not make a key unusable (§4, "undefined
    /// attribute-value pairs" are only hashed and signed, never interpreted).
    ///
    /// # Errors
    /// The key reader's error for unsupported or malformed keys.
    pub fn to_sslib(&self) -> Result<SslibKey, supply_sig::key::Error> {
        let value = serde_json::json!({
            "keytype": self.keytype,
            "scheme": self.scheme,
            "keyval": { "public": self.keyval.public },
        });
        SslibKey::from_value(&value)
    }

    /// The key dict for `key` (as supply-sig writes it).
    ///
    /// # Errors
    /// When the key dict does not fit this model.
    pub fn from_sslib(key: &SslibKey) -> Result<Self, Error> {
        serde_json::from_value(key.to_value()).map_err(Error::InvalidJson)
    }
}

/// A role's keys and threshold, in root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleKeys {
    /// Key ids (labels into the `keys` map).
    pub keyids: Vec<String>,
    /// How many distinct keys must sign, ≥ 1.
    pub threshold: u64,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

fn check_keyids(keyids: &[String], threshold: u64) -> Result<(), Error> {
    if threshold == 0 {
        return Err(invalid("threshold", "must be at least 1"));
    }
    if keyids.len() > limits::MAX_SIGNATURES {
        return Err(supply_sig::limits::LimitExceeded::new(
            "key ids of a role",
            limits::MAX_SIGNATURES,
        )
        .with_actual(keyids.len())
        .into());
    }
    let mut seen = BTreeSet::new();
    if !keyids.iter().all(|k| seen.insert(k)) {
        return Err(invalid("keyids", "duplicate key id"));
    }
    Ok(())
}

/// Root metadata (§4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Root {
    /// Common fields.
    #[serde(flatten)]
    pub common: Common,
    /// Whether metadata and targets are published under versioned / hash-prefixed names.
    #[serde(default)]
    pub consistent_snapshot: bool,
    /// Keys by (opaque) key id.
    pub keys: BTreeMap<String, Key>,
    /// The keys and threshold of each top-level role.
    pub roles: BTreeMap<String, RoleKeys>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Root {
    /// The keys and threshold of a top-level role.
    pub fn role(&self, name: &str) -> Option<&RoleKeys> {
        self.roles.get(name)
    }
}

impl Role for Root {
    const TYPE: &'static str = "root";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self) -> Result<(), Error> {
        if self.roles.len() != TOP_LEVEL_ROLES.len()
            || !TOP_LEVEL_ROLES.iter().all(|r| self.roles.contains_key(*r))
        {
            return Err(invalid(
                "roles",
                "must be exactly root, timestamp, snapshot, targets",
            ));
        }
        for r in self.roles.values() {
            check_keyids(&r.keyids, r.threshold)?;
        }
        Ok(())
    }
}

/// A `meta` entry of timestamp or snapshot (§4.4, §4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaFile {
    /// The version of the listed metadata, ≥ 1.
    pub version: u64,
    /// Its length in bytes, if listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Its hashes, if listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl MetaFile {
    fn validate(&self) -> Result<(), Error> {
        if self.version == 0 {
            return Err(invalid("meta.version", "must be at least 1"));
        }
        if self.hashes.as_ref().is_some_and(BTreeMap::is_empty) {
            return Err(invalid("meta.hashes", "must not be empty"));
        }
        Ok(())
    }

    /// Checks `data` against the listed length and hashes.
    ///
    /// # Errors
    /// See [`super::verify_length_and_hashes`].
    pub fn verify(&self, what: &str, data: &[u8]) -> Result<(), Error> {
        super::verify_length_and_hashes(what, data, self.length, self.hashes.as_ref())
    }
}

/// Timestamp metadata (§4.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timestamp {
    /// Common fields.
    #[serde(flatten)]
    pub common: Common,
    /// Exactly one entry, `snapshot.json`.
    pub meta: BTreeMap<String, MetaFile>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Timestamp {
    /// The `snapshot.json` entry.
    pub fn snapshot_meta(&self) -> &MetaFile {
        // validate() guarantees the entry; the fallback is never reached for parsed metadata.
        self.meta
            .get("snapshot.json")
            .or_else(|| self.meta.values().next())
            .unwrap_or(&FALLBACK_META)
    }
}

static FALLBACK_META: MetaFile = MetaFile {
    version: u64::MAX,
    length: Some(0),
    hashes: None,
    extra: BTreeMap::new(),
};

impl Role for Timestamp {
    const TYPE: &'static str = "timestamp";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self) -> Result<(), Error> {
        if self.meta.len() != 1 || !self.meta.contains_key("snapshot.json") {
            return Err(invalid("meta", "must list exactly snapshot.json"));
        }
        self.meta.values().try_for_each(MetaFile::validate)
    }
}

/// Snapshot metadata (§4.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Common fields.
    #[serde(flatten)]
    pub common: Common,
    /// `<role>.json` → version (and optionally length and hashes) of each targets role.
    pub meta: BTreeMap<String, MetaFile>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Role for Snapshot {
    const TYPE: &'static str = "snapshot";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self) -> Result<(), Error> {
        self.meta.values().try_for_each(MetaFile::validate)
    }
}

/// A target file entry (§4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetFile {
    /// Length in bytes.
    pub length: u64,
    /// Hashes by algorithm name, at least one.
    pub hashes: BTreeMap<String, String>,
    /// Opaque application data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl TargetFile {
    /// Builds an entry for `data` with a SHA-256 hash.
    pub fn from_data(data: &[u8]) -> Self {
        let mut hashes = BTreeMap::new();
        hashes.insert("sha256".to_owned(), Algorithm::Sha256.digest(data).hex());
        Self {
            length: data.len() as u64,
            hashes,
            custom: None,
            extra: BTreeMap::new(),
        }
    }

    /// Checks `data` against the entry's length and every hash.
    ///
    /// # Errors
    /// See [`super::verify_length_and_hashes`].
    pub fn verify(&self, what: &str, data: &[u8]) -> Result<(), Error> {
        super::verify_length_and_hashes(what, data, Some(self.length), Some(&self.hashes))
    }
}

/// Targets or delegated targets metadata (§4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Common fields.
    #[serde(flatten)]
    pub common: Common,
    /// Target path → file entry.
    pub targets: BTreeMap<String, TargetFile>,
    /// Delegations to other targets roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Delegations>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Role for Targets {
    const TYPE: &'static str = "targets";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self) -> Result<(), Error> {
        for t in self.targets.values() {
            if t.hashes.is_empty() {
                return Err(invalid("targets.hashes", "must not be empty"));
            }
        }
        if let Some(d) = &self.delegations {
            d.validate()?;
        }
        Ok(())
    }
}

/// `delegations` of a targets role: keys, then either `roles` or `succinct_roles` (TAP 15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delegations {
    /// Keys by key id.
    pub keys: BTreeMap<String, Key>,
    /// Delegated roles, in priority order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<DelegatedRole>>,
    /// Succinct hash-bin delegation (TAP 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succinct_roles: Option<SuccinctRoles>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Delegations {
    fn validate(&self) -> Result<(), Error> {
        match (&self.roles, &self.succinct_roles) {
            (Some(roles), None) => {
                let mut names = BTreeSet::new();
                for r in roles {
                    if TOP_LEVEL_ROLES.contains(&r.name.as_str()) {
                        return Err(invalid("delegations.roles.name", "a top-level role name"));
                    }
                    if !names.insert(r.name.as_str()) {
                        return Err(invalid("delegations.roles.name", "duplicate role name"));
                    }
                    check_keyids(&r.keyids, r.threshold)?;
                    if r.paths.is_some() == r.path_hash_prefixes.is_some() {
                        return Err(invalid(
                            "delegations.roles",
                            "exactly one of paths and path_hash_prefixes is required",
                        ));
                    }
                }
                Ok(())
            }
            (None, Some(s)) => {
                check_keyids(&s.keyids, s.threshold)?;
                if s.bit_length == 0 || s.bit_length > limits::MAX_SUCCINCT_BIT_LENGTH {
                    return Err(invalid("succinct_roles.bit_length", "must be 1 to 32"));
                }
                Ok(())
            }
            _ => Err(invalid(
                "delegations",
                "exactly one of roles and succinct_roles is required",
            )),
        }
    }
}

/// A delegated role (§4.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatedRole {
    /// The role name (any string; see [`crate::names`] for how it becomes a file name).
    pub name: String,
    /// Key ids (labels into the delegation's `keys`).
    pub keyids: Vec<String>,
    /// How many distinct keys must sign, ≥ 1.
    pub threshold: u64,
    /// Whether a match stops the search at this role.
    #[serde(default)]
    pub terminating: bool,
    /// Glob patterns of delegated target paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Hex prefixes of the SHA-256 of delegated target paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hash_prefixes: Option<Vec<String>>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl DelegatedRole {
    /// Whether `target_path` is delegated to this role: a `paths` pattern matches (`*` and `?`
    /// never match `/`, and pattern and path must have the same number of segments, as in
    /// python-tuf), or the SHA-256 hex of the path starts with one of `path_hash_prefixes`.
    pub fn is_delegated_path(&self, target_path: &str) -> bool {
        let hash = self
            .path_hash_prefixes
            .as_ref()
            .map(|_| Algorithm::Sha256.digest(target_path.as_bytes()).hex());
        self.is_delegated_path_hashed(target_path, hash.as_deref().unwrap_or(""))
    }

    /// [`is_delegated_path`](Self::is_delegated_path) with the lowercase hex SHA-256 of the
    /// path computed once by the caller (a lookup checks it against every sibling role).
    pub fn is_delegated_path_hashed(&self, target_path: &str, path_sha256_hex: &str) -> bool {
        if let Some(paths) = &self.paths {
            return paths
                .iter()
                .any(|p| crate::names::path_matches(p, target_path));
        }
        if let Some(prefixes) = &self.path_hash_prefixes {
            return !path_sha256_hex.is_empty()
                && prefixes
                    .iter()
                    .any(|p| path_sha256_hex.starts_with(p.as_str()));
        }
        false
    }
}

/// Succinct hash-bin delegation (TAP 15): `2^bit_length` bins named `<prefix>-<hex>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccinctRoles {
    /// Key ids shared by every bin.
    pub keyids: Vec<String>,
    /// Threshold shared by every bin.
    pub threshold: u64,
    /// Number of leading bits of SHA-256(path) that select the bin (1..=32).
    pub bit_length: u32,
    /// Prefix of bin names.
    pub name_prefix: String,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SuccinctRoles {
    fn suffix_width(&self) -> usize {
        let max = (1u64 << self.bit_length) - 1;
        format!("{max:x}").len()
    }

    /// The bin role responsible for `target_path`.
    pub fn role_for_target(&self, target_path: &str) -> String {
        let h = Algorithm::Sha256.digest(target_path.as_bytes());
        let b = h.as_bytes();
        let first = u32::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
            b.get(2).copied().unwrap_or(0),
            b.get(3).copied().unwrap_or(0),
        ]);
        let bits = self.bit_length.clamp(1, 32);
        let bin = u64::from(first) >> (32 - bits);
        format!("{}-{:0w$x}", self.name_prefix, bin, w = self.suffix_width())
    }

    /// All bin names, in order (2^bit_length of them: use only for small bit lengths).
    pub fn role_names(&self) -> impl Iterator<Item = String> + '_ {
        let n = 1u64 << self.bit_length.clamp(1, 32);
        (0..n).map(move |i| format!("{}-{:0w$x}", self.name_prefix, i, w = self.suffix_width()))
    }

    /// Whether `name` is one of the bins.
    pub fn is_delegated_role(&self, name: &str) -> bool {
        let Some(suffix) = name
            .strip_prefix(self.name_prefix.as_str())
            .and_then(|s| s.strip_prefix('-'))
        else {
            return false;
        };
        suffix.len() == self.suffix_width()
            && suffix
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            && u64::from_str_radix(suffix, 16)
                .is_ok_and(|v| v < (1u64 << self.bit_length.clamp(1, 32)))
    }
}
