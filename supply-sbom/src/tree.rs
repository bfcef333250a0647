//! The JSON data model the SBOM readers walk: like `serde_json::Value`, with the same
//! semantics (object keys sorted and unique, the last of a repeated key wins; numbers as
//! `serde_json::Number`), but borrowing every string that needs no unescaping from the input
//! and keeping an object's members in one sorted `Vec`. A 50,000-package SPDX document read
//! into `serde_json::Value` spent most of its time allocating keys, strings and B-tree nodes
//! and freeing them again.
//!
//! YAML documents and CycloneDX XML (brought to a `serde_json::Value` first) reach the same
//! readers through [`Node`]'s `Deserialize` implementation and [`Node::borrowed`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Number, Value};

/// One JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Self>),
    Object(Object<'a>),
}

/// An object's members, sorted by key (byte order), keys unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, Node<'a>)>);

static NULL: Node<'static> = Node::Null;

/// Up to this many members, [`Object::get`] scans instead of searching.
const LINEAR_LOOKUP: usize = 24;

impl<'a> Object<'a> {
    /// Sorts `members` and keeps the last of each repeated key, as `serde_json::Map` does.
    fn from_members(mut members: Vec<(Cow<'a, str>, Node<'a>)>) -> Self {
        if !members.windows(2).all(|w| w[0].0 < w[1].0) {
            // Reversed, a stable sort puts the last occurrence of a key first, and `dedup`
            // keeps the first of a run.
            members.reverse();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            members.dedup_by(|later, first| later.0 == first.0);
        }
        Self(members)
    }

    /// The member named `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        // The readers ask for a few dozen fixed names in objects of a dozen members: comparing
        // lengths first beats a binary search's string comparisons there.
        if self.0.len() <= LINEAR_LOOKUP {
            return self
                .0
                .iter()
                // The first byte before the whole key: most same-length names differ there,
                // and the comparison then costs no `memcmp` call.
                .find(|(k, _)| {
                    k.len() == key.len()
                        && k.as_bytes().first() == key.as_bytes().first()
                        && k.as_ref() == key
                })
                .map(|(_, v)| v);
        }
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The members named by `keys`, which must be sorted (byte order) and unique, in one
    /// merge of the two sorted lists: a reader that wants two dozen fields of an object of a
    /// dozen members, most of them absent, compares each name once instead of once per lookup.
    pub(crate) fn pick<const N: usize>(&self, keys: &[&str; N]) -> [Option<&Node<'a>>; N] {
        debug_assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keys sorted and unique"
        );
        let mut out = [None; N];
        let (mut i, mut j) = (0, 0);
        while let (Some((k, v)), Some(want)) = (self.0.get(i), keys.get(j)) {
            // Most steps of the merge are decided by the first byte: compare it before
            // calling `memcmp` on the whole names.
            let order = match (k.as_bytes().first(), want.as_bytes().first()) {
                (Some(a), Some(b)) if a != b => a.cmp(b),
                _ => k.as_ref().cmp(want),
            };
            match order {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if let Some(slot) = out.get_mut(j) {
                        *slot = Some(v);
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        out
    }

    /// Members in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The member names, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }
}

/// The text of a member [`Node::pick`] found, when it is a string.
pub(crate) fn str_of<'a>(v: Option<&'a Node<'_>>) -> Option<&'a str> {
    v.and_then(Node::as_str)
}

/// The items of a member [`Node::pick`] found; nothing for a missing or non-array one.
pub(crate) fn items_of<'a, 'b>(v: Option<&'a Node<'b>>) -> &'a [Node<'b>] {
    v.and_then(Node::as_array).map_or(&[], Vec::as_slice)
}

impl<'a> Node<'a> {
    /// A view of a `serde_json::Value` (strings borrowed; its maps are already sorted).
    pub(crate) fn borrowed(v: &'a Value) -> Self {
        match v {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.clone()),
            Value::String(s) => Self::String(Cow::Borrowed(s)),
            Value::Array(a) => Self::Array(a.iter().map(Self::borrowed).collect()),
            Value::Object(m) => Self::Object(Object(
                m.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Self::borrowed(v)))
                    .collect(),
            )),
        }
    }

    /// [`Object::pick`] on an object; nothing for anything else.
    pub(crate) fn pick<const N: usize>(&self, keys: &[&str; N]) -> [Option<&Self>; N] {
        match self {
            Self::Object(o) => o.pick(keys),
            _ => [None; N],
        }
    }

    /// The member `key` of an object; `None` for anything else.
    pub(crate) fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Object(o) => o.get(key),
            _ => None,
        }
    }

    /// The strings of a member that is an array (`licenseInfoInFiles`, `attributionTexts`), owned;
    /// other items and a missing or non-array member give nothing.
    pub(crate) fn strings(&self, key: &str) -> Vec<String> {
        self.get(key)
            .and_then(Node::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect()
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&Vec<Self>> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A non-negative integer.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl<'a> std::ops::Index<&str> for Node<'a> {
    type Output = Self;

    /// `Null` for a missing member or a non-object, as `serde_json::Value` indexes.
    fn index(&self, key: &str) -> &Self {
        self.get(key).unwrap_or(&NULL)
    }
}

impl fmt::Display for Node<'_> {
    /// Compact JSON, as `serde_json::Value` displays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{}", Value::String(s.to_string())),
            Self::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Self::Object(o) => {
                f.write_str("{")?;
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{v}", Value::String(k.to_string()))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A string borrowed from the input where the deserializer can lend it.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        NodeSeed(&mut Scratch::default()).deserialize(d)
    }
}

/// Where the members and items of the objects and arrays being read gather: each container
/// takes its own (the tail it pushed) in one allocation of the right size when it closes,
/// instead of growing a `Vec` of its own (4, 8, 16, … elements, copied each time).
#[derive(Default)]
struct Scratch<'de> {
    members: Vec<(Cow<'de, str>, Node<'de>)>,
    items: Vec<Node<'de>>,
}

struct NodeSeed<'s, 'de>(&'s mut Scratch<'de>);

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, 'de> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(NodeVisitor(self.0))
    }
}

struct NodeVisitor<'s, 'de>(&'s mut Scratch<'de>);

impl<'de> Visitor<'de> for NodeVisitor<'_, 'de> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        // As `serde_json::Value`: a non-finite float (YAML's `.nan`) is null.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        NodeSeed(self.0).deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let start = self.0.items.len();
        while let Some(v) = seq.next_element_seed(NodeSeed(self.0))? {
            self.0.items.push(v);
        }
        Ok(Node::Array(self.0.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let start = self.0.members.len();
        while let Some(Key(k)) = map.next_key()? {
            let v = map.next_value_seed(NodeSeed(self.0))?;
            self.0.members.push((k, v));
        }
        let members = self.0.members.drain(start..).collect();
        Ok(Node::Object(Object::from_members(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document reads to the same data as through `serde_json::Value`, repeated keys and
    /// escapes included.
    #[test]
    fn same_data_as_serde_json_value() {
        for doc in [
            r#"{"b": 1, "a": [true, null, "x\"y", 1.5, -3], "b": {"z": {}, "y": []}}"#,
            r#"{"k": 1, "k": 2, "j": "\u00e9", "k": 3}"#,
            r#"[{"a": "1", "a": {"b": 2}}, 18446744073709551615, -9223372036854775808]"#,
            r#""plain""#,
        ] {
            let value: Value = serde_json::from_str(doc).unwrap();
            let node: Node<'_> = serde_json::from_str(doc).unwrap();
            assert_eq!(node, Node::borrowed(&value), "{doc}");
            assert_eq!(node.to_string(), value.to_string(), "{doc}");
        }
        let node: Node<'_> = serde_json::from_str(r#"{"k": 1, "k": 2, "a": "v"}"#).unwrap();
        assert_eq!(node["k"], Node::Number(2.into()));
        assert!(matches!(node["a"], Node::String(Cow::Borrowed("v"))));
        assert_eq!(node["missing"], Node::Null);
        let keys: Vec<&str> = node.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "k"]);
    }

    /// `pick` finds what `get` finds, for every subset of names, present or not.
    #[test]
    fn pick_agrees_with_get() {
        let node: Node<'_> =
            serde_json::from_str(r#"{"SPDXID": 1, "b": 2, "bb": 3, "d": 4, "é": 5}"#).unwrap();
        let names = ["A", "SPDXID", "a", "b", "ba", "bb", "c", "d", "e", "é", "ü"];
        for mask in 0u32..(1 << names.len()) {
            let want: Vec<&str> = (0..names.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| names[i])
                .collect();
            let mut keys = [""; 4];
            if want.len() != 4 {
                continue;
            }
            keys.copy_from_slice(&want);
            let got = node.pick(&keys);
            for (k, v) in keys.iter().zip(got) {
                assert_eq!(v, node.get(k), "{k} in {keys:?}");
            }
        }
        assert_eq!(Node::Null.pick(&["a"]), [None]);
    }

    #[test]
    fn yaml_reads_to_the_same_data() {
        let doc = "b: 1\na:\n  - x\n  - .nan\n";
        let value: Value = serde_yaml_ng::from_str(doc).unwrap();
        let node: Node<'_> = serde_yaml_ng::from_str(doc).unwrap();
        assert_eq!(node, Node::borrowed(&value));
    }
}

#[cfg(test)]
mod real_data {
    use super::*;

    fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                json_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }

    /// Every JSON document of the SBOM test data (valid, invalid, real-world) reads to the
    /// same data through [`Node`] as through `serde_json::Value`, or fails in both.
    #[test]
    fn every_sbom_test_document_reads_as_through_serde_json_value() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/sbom");
        let mut files = Vec::new();
        json_files(&root, &mut files);
        assert!(files.len() > 400, "{} files", files.len());
        let mut compared = 0;
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let value = serde_json::from_slice::<Value>(&bytes);
            let node = serde_json::from_slice::<Node<'_>>(&bytes);
            match (value, node) {
                (Ok(v), Ok(n)) => {
                    assert_eq!(n, Node::borrowed(&v), "{}", f.display());
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", f.display()),
                (a, b) => panic!("{}: {:?} vs {:?}", f.display(), a.is_ok(), b.is_ok()),
            }
        }
        assert!(compared > 400, "{compared}");
    }
}
