//! The in-toto layout and link models (in-toto specification v1.0 §4.3 and §4.4, as
//! in-toto python 3.x and in-toto-golang write them).
//!
//! These are plain serde types. Unknown fields are kept in each type's `extra` map (in-toto-golang
//! layouts carry `rootcas`, `intermediatecas` and a step's `cert_constraints`), but signatures are
//! never checked over a re-serialization of these types: [`crate::metadata::Metadata`] keeps the
//! bytes that were signed. [`Layout::validate`] holds the checks that parsing through
//! [`crate::metadata`] applies.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use smallvec::SmallVec;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyId;
use supply_sig::limits::LimitExceeded;
use supply_sig::time::Timestamp;

use crate::limits;
use crate::rule::ArtifactRule;

/// Errors from validating a layout.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two steps or inspections share a name.
    #[error("two steps or inspections are named {name:?}")]
    DuplicateName {
        /// The name (at most 64 characters).
        name: String,
    },
    /// A step's threshold is 0 (any link would do) or above the number of its keys.
    #[error("step {step:?} has threshold {threshold} with {keys} authorized keys")]
    BadThreshold {
        /// The step.
        step: String,
        /// Its threshold.
        threshold: u64,
        /// Its number of `pubkeys`.
        keys: usize,
    },
    /// A step names a functionary key the layout's `keys` does not list.
    #[error("step {step:?} names key {keyid} that the layout does not list")]
    UnknownKey {
        /// The step.
        step: String,
        /// The key id.
        keyid: String,
    },
    /// A step or inspection name cannot be used in a link file name.
    #[error("invalid step or inspection name {name:?}")]
    InvalidName {
        /// The name (at most 64 characters).
        name: String,
    },
    /// A key id in `keys` differs from the `keyid` inside its dict.
    #[error("layout key {keyid} declares another key id")]
    KeyIdMismatch {
        /// The map key.
        keyid: String,
    },
    /// A count exceeds a named limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

pub(crate) fn bounded(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The hashes of one artifact: algorithm name (`sha256`, ...) to lowercase hex, in algorithm
/// order; JSON `{"sha256": "…"}`.
///
/// A link holds thousands of these and nearly all have one entry, so this is a small sorted
/// vector rather than a map (a `BTreeMap` node is over 500 bytes) whose first entry is stored
/// inline, and the usual algorithm names are shared instead of allocated per artifact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HashObj(SmallVec<[(Cow<'static, str>, String); 1]>);

/// Algorithm names stored without an allocation.
const KNOWN_ALGORITHMS: [&str; 8] = [
    "sha256", "sha512", "sha384", "sha224", "sha1", "md5", "blake2b", "blake2s",
];

fn algorithm_name(name: &str) -> Cow<'static, str> {
    KNOWN_ALGORITHMS
        .iter()
        .find(|k| **k == name)
        .map_or_else(|| Cow::Owned(name.to_owned()), |k| Cow::Borrowed(*k))
}

impl HashObj {
    /// No hashes.
    pub const fn new() -> Self {
        Self(SmallVec::new_const())
    }

    /// The hash for `algorithm`.
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(a, _)| a.as_ref().cmp(algorithm))
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, h)| h.as_str())
    }

    /// Sets the hash for `algorithm`; returns the one it replaces.
    pub fn insert(&mut self, algorithm: &str, hex: impl Into<String>) -> Option<String> {
        let hex = hex.into();
        match self.0.binary_search_by(|(a, _)| a.as_ref().cmp(algorithm)) {
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, hex)),
            Err(i) => {
                self.0.insert(i, (algorithm_name(algorithm), hex));
                None
            }
        }
    }

    /// (algorithm, hex) pairs in algorithm order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0.iter().map(|(a, h)| (a.as_ref(), h.as_str()))
    }

    /// How many hashes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<A: AsRef<str>, H: Into<String>> FromIterator<(A, H)> for HashObj {
    fn from_iter<I: IntoIterator<Item = (A, H)>>(iter: I) -> Self {
        let mut h = Self::new();
        for (a, hex) in iter {
            h.insert(a.as_ref(), hex);
        }
        h
    }
}

impl<A: AsRef<str>, H: Into<String>, const N: usize> From<[(A, H); N]> for HashObj {
    fn from(pairs: [(A, H); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl Serialize for HashObj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (a, h) in &self.0 {
            m.serialize_entry(a.as_ref(), h)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for HashObj {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error as _, MapAccess, Visitor};
        /// An algorithm name, borrowed from the input where it can be.
        struct Name(Cow<'static, str>);
        impl<'de> Deserialize<'de> for Name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a hash algorithm name")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                        Ok(Name(algorithm_name(v)))
                    }
                }
                d.deserialize_str(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HashObj;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of hashes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<HashObj, A::Error> {
                let mut out: SmallVec<[(Cow<'static, str>, String); 1]> = SmallVec::new();
                while let Some(Name(a)) = m.next_key()? {
                    let h: String = m.next_value()?;
                    out.push((a, h));
                }
                // Sorted once (not by insertion, which a hostile object with many keys would
                // make quadratic); a repeated algorithm is an error.
                if !out.is_sorted_by(|a, b| a.0 < b.0) {
                    out.sort_by(|a, b| a.0.cmp(&b.0));
                    if out.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
                        return Err(A::Error::custom("a hash algorithm appears twice"));
                    }
                }
                Ok(HashObj(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Artifacts by path.
pub type Artifacts = BTreeMap<String, HashObj>;

macro_rules! type_tag {
    ($name:ident, $lit:literal) => {
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        struct $name;
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($lit)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                if s == $lit {
                    Ok(Self)
                } else {
                    Err(serde::de::Error::custom(concat!(
                        "_type must be \"",
                        $lit,
                        "\""
                    )))
                }
            }
        }
    };
}
type_tag!(LayoutTag, "layout");
type_tag!(LinkTag, "link");
type_tag!(StepTag, "step");
type_tag!(InspectionTag, "inspection");

/// A link: what a functionary recorded for one step.
///
/// Deserialized by hand rather than derived: serde's `flatten` (for `extra`) buffers the whole
/// document, thousands of artifacts included, before reading any field; links are most of what
/// a verification reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    #[serde(rename = "_type")]
    tag: LinkTag,
    /// The step (or inspection) name.
    pub name: String,
    /// The command run, as an argument vector.
    #[serde(default)]
    pub command: Vec<String>,
    /// Artifacts before the command ran.
    #[serde(default)]
    pub materials: Artifacts,
    /// Artifacts after the command ran.
    #[serde(default)]
    pub products: Artifacts,
    /// `stdout`, `stderr`, `return-value` and anything else recorded.
    #[serde(default)]
    pub byproducts: Map<String, Value>,
    /// Environment information (free form).
    #[serde(default)]
    pub environment: Map<String, Value>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An [`Artifacts`] map read as a list then built in one go: `BTreeMap`'s bulk construction
/// from sorted entries (links list their artifacts sorted) is linear, where inserting thousands
/// of paths one at a time compares each against the tree. A path given twice is an error.
struct BulkArtifacts(Artifacts);

impl<'de> Deserialize<'de> for BulkArtifacts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error as _, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BulkArtifacts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of artifacts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<BulkArtifacts, A::Error> {
                let mut v: Vec<(String, HashObj)> =
                    Vec::with_capacity(m.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = m.next_entry::<String, HashObj>()? {
                    v.push(entry);
                }
                // The map sorts (in one pass when already sorted, as written documents are)
                // and keeps one of equal keys: fewer entries than read means a repeated path.
                let read = v.len();
                let map: Artifacts = v.into_iter().collect();
                if map.len() != read {
                    return Err(A::Error::custom("an artifact path appears twice"));
                }
                Ok(BulkArtifacts(map))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Link {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error as _, MapAccess, Visitor};
        struct LinkVisitor;
        /// Stores a field once; a second occurrence is an error.
        fn once<T, E: serde::de::Error>(
            slot: &mut Option<T>,
            value: T,
            name: &'static str,
        ) -> Result<(), E> {
            if slot.replace(value).is_some() {
                return Err(E::duplicate_field(name));
            }
            Ok(())
        }
        impl<'de> Visitor<'de> for LinkVisitor {
            type Value = Link;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an in-toto link object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Link, A::Error> {
                let mut tag = None;
                let mut name = None;
                let mut command = None;
                let mut materials = None;
                let mut products = None;
                let mut byproducts = None;
                let mut environment = None;
                let mut extra = BTreeMap::new();
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "_type" => once(&mut tag, m.next_value::<LinkTag>()?, "_type")?,
                        "name" => once(&mut name, m.next_value::<String>()?, "name")?,
                        "command" => once(&mut command, m.next_value()?, "command")?,
                        "materials" => once(
                            &mut materials,
                            m.next_value::<BulkArtifacts>()?.0,
                            "materials",
                        )?,
                        "products" => once(
                            &mut products,
                            m.next_value::<BulkArtifacts>()?.0,
                            "products",
                        )?,
                        "byproducts" => once(&mut byproducts, m.next_value()?, "byproducts")?,
                        "environment" => once(&mut environment, m.next_value()?, "environment")?,
                        _ => {
                            let v: Value = m.next_value()?;
                            if extra.insert(key, v).is_some() {
                                return Err(A::Error::custom("duplicate field in link"));
                            }
                        }
                    }
                }
                Ok(Link {
                    tag: tag.ok_or_else(|| A::Error::missing_field("_type"))?,
                    name: name.ok_or_else(|| A::Error::missing_field("name"))?,
                    command: command.unwrap_or_default(),
                    materials: materials.unwrap_or_default(),
                    products: products.unwrap_or_default(),
                    byproducts: byproducts.unwrap_or_default(),
                    environment: environment.unwrap_or_default(),
                    extra,
                })
            }
        }
        d.deserialize_map(LinkVisitor)
    }
}

impl Link {
    /// An empty link for step `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            tag: LinkTag,
            name: name.into(),
            command: Vec::new(),
            materials: Artifacts::new(),
            products: Artifacts::new(),
            byproducts: Map::new(),
            environment: Map::new(),
            extra: BTreeMap::new(),
        }
    }

    /// The `return-value` byproduct, when it is an integer.
    pub fn return_value(&self) -> Option<i64> {
        self.byproducts.get("return-value").and_then(Value::as_i64)
    }

    pub(crate) fn check_limits(&self) -> Result<(), LimitExceeded> {
        for side in [&self.materials, &self.products] {
            if side.len() > limits::MAX_ARTIFACTS {
                return Err(LimitExceeded::new("link artifacts", limits::MAX_ARTIFACTS)
                    .with_actual(side.len()));
            }
        }
        Ok(())
    }
}

/// A step of a layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(rename = "_type")]
    tag: StepTag,
    /// The step name; links are `<name>.<keyid[..8]>.link`.
    pub name: String,
    /// How many distinct authorized functionaries must have signed agreeing links.
    #[serde(default = "one")]
    pub threshold: u64,
    /// Key ids (in the layout's `keys`) of the authorized functionaries.
    #[serde(default)]
    pub pubkeys: Vec<String>,
    /// The command the links should report (a mismatch is only a warning).
    #[serde(default)]
    pub expected_command: Vec<String>,
    /// Rules over the link's materials.
    #[serde(default)]
    pub expected_materials: Vec<ArtifactRule>,
    /// Rules over the link's products.
    #[serde(default)]
    pub expected_products: Vec<ArtifactRule>,
    /// Unknown fields (in-toto-golang's `cert_constraints`), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

const fn one() -> u64 {
    1
}

impl Step {
    /// A step with threshold 1 and no keys, command or rules.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            tag: StepTag,
            name: name.into(),
            threshold: 1,
            pubkeys: Vec::new(),
            expected_command: Vec::new(),
            expected_materials: Vec::new(),
            expected_products: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Adds an authorized functionary key id.
    #[must_use]
    pub fn with_pubkey(mut self, keyid: impl Into<String>) -> Self {
        self.pubkeys.push(keyid.into());
        self
    }

    /// Sets the threshold.
    #[must_use]
    pub fn with_threshold(mut self, threshold: u64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Sets the expected command.
    #[must_use]
    pub fn with_expected_command<S: Into<String>>(
        mut self,
        argv: impl IntoIterator<Item = S>,
    ) -> Self {
        self.expected_command = argv.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a materials rule.
    #[must_use]
    pub fn with_material_rule(mut self, rule: ArtifactRule) -> Self {
        self.expected_materials.push(rule);
        self
    }

    /// Adds a products rule.
    #[must_use]
    pub fn with_product_rule(mut self, rule: ArtifactRule) -> Self {
        self.expected_products.push(rule);
        self
    }
}

/// An inspection: a command the verifier runs after the links verified.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    #[serde(rename = "_type")]
    tag: InspectionTag,
    /// The inspection name.
    pub name: String,
    /// The command to run, as an argument vector.
    #[serde(default)]
    pub run: Vec<String>,
    /// Rules over the materials recorded before the command.
    #[serde(default)]
    pub expected_materials: Vec<ArtifactRule>,
    /// Rules over the products recorded after the command.
    #[serde(default)]
    pub expected_products: Vec<ArtifactRule>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Inspection {
    /// An inspection running `argv`.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        argv: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            tag: InspectionTag,
            name: name.into(),
            run: argv.into_iter().map(Into::into).collect(),
            expected_materials: Vec::new(),
            expected_products: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Adds a materials rule.
    #[must_use]
    pub fn with_material_rule(mut self, rule: ArtifactRule) -> Self {
        self.expected_materials.push(rule);
        self
    }

    /// Adds a products rule.
    #[must_use]
    pub fn with_product_rule(mut self, rule: ArtifactRule) -> Self {
        self.expected_products.push(rule);
        self
    }
}

/// A functionary key as a layout lists it: the key and its id in the layout.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionaryKey {
    /// The key id as the layout's `keys` map names it (never recomputed).
    pub keyid: KeyId,
    /// The key.
    pub key: SslibKey,
}

fn de_keys<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, FunctionaryKey>, D::Error> {
    let raw = BTreeMap::<String, Value>::deserialize(d)?;
    if raw.len() > limits::MAX_KEYS {
        return Err(serde::de::Error::custom("too many layout keys"));
    }
    raw.into_iter()
        .map(|(id, v)| {
            let key = SslibKey::from_value(&v).map_err(serde::de::Error::custom)?;
            Ok((
                id.clone(),
                FunctionaryKey {
                    keyid: KeyId::new(id),
                    key,
                },
            ))
        })
        .collect()
}

fn ser_keys<S: Serializer>(
    keys: &BTreeMap<String, FunctionaryKey>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let map: BTreeMap<&String, Value> = keys
        .iter()
        .map(|(id, k)| {
            let mut v = k.key.to_value();
            if let Value::Object(o) = &mut v {
                o.insert("keyid".into(), Value::String(id.clone()));
            }
            (id, v)
        })
        .collect();
    map.serialize(s)
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let s = String::deserialize(d)?;
    Timestamp::parse_rfc3339(&s)
        .ok_or_else(|| serde::de::Error::custom("expires is not an RFC 3339 UTC time"))
}

fn ser_time<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// A layout: the supply chain's steps, who may perform them, and the inspections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    #[serde(rename = "_type")]
    tag: LayoutTag,
    /// When the layout stops being valid.
    #[serde(deserialize_with = "de_time", serialize_with = "ser_time")]
    pub expires: Timestamp,
    /// Free text.
    #[serde(default)]
    pub readme: String,
    /// Functionary keys by key id.
    #[serde(default, deserialize_with = "de_keys", serialize_with = "ser_keys")]
    pub keys: BTreeMap<String, FunctionaryKey>,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// The inspections, in order.
    #[serde(default)]
    pub inspect: Vec<Inspection>,
    /// Unknown fields (in-toto-golang's `rootcas`, `intermediatecas`), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

fn valid_name(name: &str) -> bool {
    // Names become file names (`<name>.<keyid8>.link`) and directory names for sublayouts.
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 255
}

impl Layout {
    /// An empty layout expiring at `expires`.
    pub fn new(expires: Timestamp) -> Self {
        Self {
            tag: LayoutTag,
            expires,
            readme: String::new(),
            keys: BTreeMap::new(),
            steps: Vec::new(),
            inspect: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Adds a functionary key under its securesystemslib key id (new style, as in-toto 3.x
    /// computes it) and returns that id.
    ///
    /// # Errors
    /// When the key id cannot be computed (a float in an unknown field of the dict).
    pub fn add_key(&mut self, key: SslibKey) -> Result<KeyId, supply_sig::key::Error> {
        let keyid = key.key_id()?;
        self.keys.insert(
            keyid.as_str().to_owned(),
            FunctionaryKey {
                keyid: keyid.clone(),
                key,
            },
        );
        Ok(keyid)
    }

    /// Adds a step.
    #[must_use]
    pub fn with_step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Adds an inspection.
    #[must_use]
    pub fn with_inspection(mut self, inspection: Inspection) -> Self {
        self.inspect.push(inspection);
        self
    }

    /// Sets the readme.
    #[must_use]
    pub fn with_readme(mut self, readme: impl Into<String>) -> Self {
        self.readme = readme.into();
        self
    }

    /// The step named `name`.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// Checks what the reference implementation checks when it loads a layout, and more:
    /// unique, file-name-safe step and inspection names; thresholds between 1 and the number of
    /// keys (any number from 1 for a step with `cert_constraints`); every step key listed in
    /// `keys`; a `keyid` inside a key dict equal to its map key; counts within
    /// [`crate::limits`].
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), Error> {
        let items = self.steps.len().saturating_add(self.inspect.len());
        if items > limits::MAX_STEPS {
            return Err(
                LimitExceeded::new("layout steps and inspections", limits::MAX_STEPS)
                    .with_actual(items)
                    .into(),
            );
        }
        if self.keys.len() > limits::MAX_KEYS {
            return Err(LimitExceeded::new("layout keys", limits::MAX_KEYS)
                .with_actual(self.keys.len())
                .into());
        }
        for (id, k) in &self.keys {
            if k.key.declared_key_id().is_some_and(|d| d.as_str() != id) || k.keyid.as_str() != id {
                return Err(Error::KeyIdMismatch { keyid: bounded(id) });
            }
        }
        let mut names = BTreeSet::new();
        let all = self
            .steps
            .iter()
            .map(|s| (&s.name, &s.expected_materials, &s.expected_products))
            .chain(
                self.inspect
                    .iter()
                    .map(|i| (&i.name, &i.expected_materials, &i.expected_products)),
            );
        for (name, m, p) in all {
            if !valid_name(name) {
                return Err(Error::InvalidName {
                    name: bounded(name),
                });
            }
            if !names.insert(name.as_str()) {
                return Err(Error::DuplicateName {
                    name: bounded(name),
                });
            }
            for rules in [m, p] {
                if rules.len() > limits::MAX_RULES {
                    return Err(LimitExceeded::new("artifact rules", limits::MAX_RULES)
                        .with_actual(rules.len())
                        .into());
                }
            }
        }
        for s in &self.steps {
            if s.pubkeys.len() > limits::MAX_KEYS {
                return Err(LimitExceeded::new("step keys", limits::MAX_KEYS)
                    .with_actual(s.pubkeys.len())
                    .into());
            }
            let distinct: BTreeSet<&String> = s.pubkeys.iter().collect();
            let n = u64::try_from(distinct.len()).unwrap_or(u64::MAX);
            // Certificate constraints authorize functionaries the layout does not list
            // ([`crate::certs`]), so their number is not bounded by `pubkeys`.
            let by_cert = s
                .extra
                .get("cert_constraints")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            if s.threshold == 0 || (s.threshold > n && !by_cert) {
                return Err(Error::BadThreshold {
                    step: bounded(&s.name),
                    threshold: s.threshold,
                    keys: distinct.len(),
                });
            }
            for k in &s.pubkeys {
                if !self.keys.contains_key(k) {
                    return Err(Error::UnknownKey {
                        step: bounded(&s.name),
                        keyid: bounded(k),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn artifacts_read_sorted_and_refuse_a_repeated_path() {
        let link = |products: &str| {
            serde_json::from_str::<Link>(&format!(
                r#"{{"_type":"link","name":"s","materials":{{}},"products":{products}}}"#
            ))
        };
        let l = link(r#"{"b":{"sha256":"01"},"a":{"sha256":"02"},"c":{}}"#).unwrap();
        assert_eq!(l.products.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        for repeated in [
            r#"{"a":{"sha256":"01"},"b":{},"a":{"sha256":"02"}}"#,
            r#"{"b":{},"a":{},"b":{}}"#,
        ] {
            let e = link(repeated).unwrap_err();
            assert!(
                e.to_string().contains("an artifact path appears twice"),
                "{e}"
            );
        }
    }

    #[test]
    fn hash_objects_read_sorted_and_refuse_a_repeated_algorithm() {
        let h: HashObj =
            serde_json::from_str(r#"{"sha512": "bb", "sha256": "aa", "x-custom": "cc"}"#).unwrap();
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("sha256", "aa"), ("sha512", "bb"), ("x-custom", "cc")]
        );
        assert_eq!(h.get("sha512"), Some("bb"));
        assert_eq!(h.get("md5"), None);
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"sha256":"aa","sha512":"bb","x-custom":"cc"}"#
        );
        // serde_json's own reader lets a repeated key through to the visitor.
        assert!(serde_json::from_str::<HashObj>(r#"{"sha256": "aa", "sha256": "bb"}"#).is_err());
        assert!(serde_json::from_str::<HashObj>(
            r#"{"sha512": "a", "sha256": "b", "sha512": "c"}"#
        )
        .is_err());
        let mut h = HashObj::from([("sha256", "aa")]);
        assert_eq!(h.insert("sha256", "dd"), Some("aa".to_owned()));
        assert_eq!(h.insert("md5", "ee"), None);
        assert_eq!(h.len(), 2);
        assert_eq!(
            HashObj::from([("sha256", "x")]),
            [("sha256", "x")].into_iter().collect()
        );
        // Artifacts listed out of order or twice.
        let l: Link = serde_json::from_str(
            r#"{"_type": "link", "name": "s", "materials": {"b": {"sha256": "1"}, "a": {"sha256": "2"}}}"#,
        )
        .unwrap();
        assert_eq!(l.materials.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(serde_json::from_str::<Link>(
            r#"{"_type": "link", "name": "s", "products": {"b": {"sha256": "1"}, "a": {}, "b": {}}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<Link>(r#"{"_type": "layout", "name": "s"}"#).is_err());
        assert!(
            serde_json::from_str::<Link>(r#"{"_type": "link", "name": "s", "name": "t"}"#).is_err()
        );
    }
}
