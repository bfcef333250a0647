//! The JSON data model the SBOM readers walk: like `serde_json::Value`, with the same
//! semantics (object keys sorted and unique, the last of a repeated key wins; numbers as
//! `serde_json::Number`), but living in an arena ([`bumpalo::Bump`]) beside the input: every
//! string that needs no unescaping is borrowed from the input, the rest and every array and
//! member list are allocated in the arena, and the whole tree is freed at once with it. A
//! 50,000-package SPDX document read into `serde_json::Value` spent most of its time
//! allocating keys, strings and B-tree nodes and freeing them again; with a `Vec` per object
//! and array, freeing the tree was still a tenth of a read.
//!
//! YAML documents and CycloneDX XML (brought to a `serde_json::Value` first) reach the same
//! readers through [`parse_yaml`] and [`Node::borrowed`].

use std::fmt;

use bumpalo::Bump;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// One JSON value. Nothing in it owns heap memory: the arena and the input own it all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
    Array(&'a [Self]),
    Object(Object<'a>),
}

/// An object's members, sorted by key (byte order), keys unique.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Object<'a>(&'a [(&'a str, Node<'a>)]);

static NULL: Node<'static> = Node::Null;

/// Up to this many members, [`Object::get`] scans instead of searching.
const LINEAR_LOOKUP: usize = 24;

/// Reads JSON text into a tree in `arena`.
pub(crate) fn parse_json<'a>(text: &'a str, arena: &'a Bump) -> serde_json::Result<Node<'a>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = NodeSeed::new(arena, &mut Scratch::default()).deserialize(&mut de)?;
    de.end()?;
    Ok(node)
}

/// Reads one YAML document into a tree in `arena`.
pub(crate) fn parse_yaml<'a>(
    text: &'a str,
    arena: &'a Bump,
) -> Result<Node<'a>, serde_yaml_ng::Error> {
    NodeSeed::new(arena, &mut Scratch::default())
        .deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

impl<'a> Object<'a> {
    /// Sorts the members `members[start..]` in place, keeps the last of each repeated key (as
    /// `serde_json::Map` does), and moves them into `arena`.
    fn take(members: &mut Vec<(&'a str, Node<'a>)>, start: usize, arena: &'a Bump) -> Self {
        let tail = members.get_mut(start..).unwrap_or_default();
        if !tail.windows(2).all(|w| w[0].0 < w[1].0) {
            // Reversed, a stable sort puts the last occurrence of a key first; then the first
            // of each run is kept.
            tail.reverse();
            tail.sort_by(|a, b| a.0.cmp(b.0));
            let mut kept = 0;
            for i in 0..tail.len() {
                if kept == 0 || tail[kept - 1].0 != tail[i].0 {
                    tail.swap(kept, i);
                    kept += 1;
                }
            }
            members.truncate(start + kept);
        }
        Self(arena.alloc_slice_fill_iter(members.drain(start..)))
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
                        && *k == key
                })
                .map(|(_, v)| v);
        }
        self.0
            .binary_search_by(|(k, _)| (*k).cmp(key))
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
                _ => (*k).cmp(want),
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
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &Node<'a>)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// The member names, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }
}

/// The text of a member [`Node::pick`] found, when it is a string.
pub(crate) fn str_of<'a>(v: Option<&'a Node<'_>>) -> Option<&'a str> {
    v.and_then(Node::as_str)
}

/// The items of a member [`Node::pick`] found; nothing for a missing or non-array one.
pub(crate) fn items_of<'a, 'b>(v: Option<&'a Node<'b>>) -> &'a [Node<'b>] {
    v.and_then(Node::as_array).unwrap_or_default()
}

impl<'a> Node<'a> {
    /// A view of a `serde_json::Value` (strings borrowed; its maps are already sorted), its
    /// arrays and member lists in `arena`.
    pub(crate) fn borrowed(v: &'a Value, arena: &'a Bump) -> Self {
        match v {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.clone()),
            Value::String(s) => Self::String(s),
            Value::Array(a) => {
                Self::Array(arena.alloc_slice_fill_iter(a.iter().map(|v| Self::borrowed(v, arena))))
            }
            Value::Object(m) => Self::Object(Object(
                arena.alloc_slice_fill_iter(
                    m.iter()
                        .map(|(k, v)| (k.as_str(), Self::borrowed(v, arena))),
                ),
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
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect()
    }

    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&'a [Self]> {
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

/// A string: borrowed from the input where the deserializer can lend it, else copied into
/// the arena.
struct KeySeed<'a>(&'a Bump);

impl<'de> DeserializeSeed<'de> for KeySeed<'de> {
    type Value = &'de str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'de str, D::Error> {
        d.deserialize_str(StrVisitor(self.0))
    }
}

struct StrVisitor<'a>(&'a Bump);

impl<'de> Visitor<'de> for StrVisitor<'de> {
    type Value = &'de str;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'de str, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'de str, E> {
        Ok(self.0.alloc_str(v))
    }
}

/// Where the members and items of the objects and arrays being read gather: each container
/// moves its own (the tail it pushed) into the arena in one allocation of the right size when
/// it closes, instead of growing a `Vec` of its own (4, 8, 16, … elements, copied each time).
#[derive(Default)]
struct Scratch<'de> {
    members: Vec<(&'de str, Node<'de>)>,
    items: Vec<Node<'de>>,
}

struct NodeSeed<'s, 'de> {
    arena: &'de Bump,
    scratch: &'s mut Scratch<'de>,
}

impl<'s, 'de> NodeSeed<'s, 'de> {
    fn new(arena: &'de Bump, scratch: &'s mut Scratch<'de>) -> Self {
        Self { arena, scratch }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, 'de> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, 'de> {
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
        Ok(Node::String(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(self.arena.alloc_str(v)))
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let start = self.scratch.items.len();
        while let Some(v) = seq.next_element_seed(NodeSeed::new(self.arena, self.scratch))? {
            self.scratch.items.push(v);
        }
        Ok(Node::Array(
            self.arena
                .alloc_slice_fill_iter(self.scratch.items.drain(start..)),
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let start = self.scratch.members.len();
        while let Some(k) = map.next_key_seed(KeySeed(self.arena))? {
            let v = map.next_value_seed(NodeSeed::new(self.arena, self.scratch))?;
            self.scratch.members.push((k, v));
        }
        Ok(Node::Object(Object::take(
            &mut self.scratch.members,
            start,
            self.arena,
        )))
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
            let arena = Bump::new();
            let value: Value = serde_json::from_str(doc).unwrap();
            let node = parse_json(doc, &arena).unwrap();
            assert_eq!(node, Node::borrowed(&value, &arena), "{doc}");
            assert_eq!(node.to_string(), value.to_string(), "{doc}");
        }
        let arena = Bump::new();
        let text = r#"{"k": 1, "k": 2, "a": "v"}"#;
        let node = parse_json(text, &arena).unwrap();
        assert_eq!(node["k"], Node::Number(2.into()));
        // Borrowed from the input, not copied.
        assert!(
            matches!(node["a"], Node::String(v) if std::ptr::eq(v.as_ptr(), text[text.len() - 3..].as_ptr()))
        );
        assert_eq!(node["missing"], Node::Null);
        let keys: Vec<&str> = node.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "k"]);
    }

    /// `pick` finds what `get` finds, for every subset of names, present or not.
    #[test]
    fn pick_agrees_with_get() {
        let arena = Bump::new();
        let node: Node<'_> =
            parse_json(r#"{"SPDXID": 1, "b": 2, "bb": 3, "d": 4, "é": 5}"#, &arena).unwrap();
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
        let arena = Bump::new();
        let value: Value = serde_yaml_ng::from_str(doc).unwrap();
        let node = parse_yaml(doc, &arena).unwrap();
        assert_eq!(node, Node::borrowed(&value, &arena));
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
            let arena = Bump::new();
            let value = serde_json::from_slice::<Value>(&bytes);
            // Text that is not UTF-8 (a UTF-16 example) never reaches the tree: the reader
            // decodes first. serde_json refuses it too.
            let Ok(text) = std::str::from_utf8(&bytes) else {
                assert!(value.is_err(), "{}", f.display());
                continue;
            };
            let node = parse_json(text, &arena);
            match (value, node) {
                (Ok(v), Ok(n)) => {
                    assert_eq!(n, Node::borrowed(&v, &arena), "{}", f.display());
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", f.display()),
                (a, b) => panic!("{}: {:?} vs {:?}", f.display(), a.is_ok(), b.is_ok()),
            }
        }
        assert!(compared > 400, "{compared}");
    }
}
