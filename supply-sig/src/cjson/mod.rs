//! Canonical JSON, from raw JSON text (never through a typed model, so that signatures cover
//! unknown fields too).
//!
//! - [`olpc`]: the OLPC / securesystemslib flavour used by TUF and in-toto.
//! - [`jcs`]: RFC 8785 JSON Canonicalization Scheme.
//!
//! Both flavours share one strict RFC 8259 parser. It does not go through `serde_json::Value`,
//! which would lose big integers and silently keep only one of two duplicate keys. The parser:
//!
//! - accepts exactly the RFC 8259 grammar: any value at the top level, whitespace limited to
//!   space, tab, line feed and carriage return, no byte-order mark, no trailing characters, no
//!   leading zeros, no `NaN`/`Infinity`, no comments, no trailing commas;
//! - requires valid UTF-8 (RFC 8259 §8.1) and rejects unescaped control characters, unknown
//!   escapes and lone UTF-16 surrogates in `\u` escapes (so every string is valid Unicode);
//! - rejects duplicate object keys, compared after unescaping (RFC 8259 §4 leaves them
//!   undefined; RFC 8785 §3.1 and I-JSON (RFC 7493 §2.3) forbid them);
//! - keeps every number as its source text, so each flavour decides how to read it;
//! - is bounded: at most [`limits::MAX_JSON_LEN`](crate::limits::MAX_JSON_LEN) bytes and
//!   [`limits::MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) levels of nesting (or the
//!   tighter values of a [`Limits`](crate::limits::Limits)), and it never recurses: parsing and
//!   serialization use explicit stacks, so no input can overflow the call stack.
//!
//! ```
//! use supply_sig::cjson::{jcs, olpc};
//!
//! let json = br#"{ "b": [1, true, null], "a": "tab\t" }"#;
//! assert_eq!(olpc::canonicalize(json)?, b"{\"a\":\"tab\t\",\"b\":[1,true,null]}");
//! assert_eq!(jcs::canonicalize(json)?, b"{\"a\":\"tab\\t\",\"b\":[1,true,null]}");
//! assert!(olpc::canonicalize(b"1.5").is_err());
//! assert_eq!(jcs::canonicalize(b"[1E30, 4.50]")?, b"[1e+30,4.5]");
//! # Ok::<(), supply_sig::cjson::Error>(())
//! ```

pub mod jcs;
pub mod olpc;
mod value;

/// The general (tape) canonicalization path alone, which the public functions take only when
/// their one-pass path declines; for the differential fuzz target. Not part of the API.
#[doc(hidden)]
pub mod __fuzz {
    use super::{jcs::Jcs, olpc::Olpc, value, Error};
    use crate::limits::Limits;

    /// OLPC canonicalization through the tape only.
    pub fn olpc_general(json: &[u8]) -> Result<Vec<u8>, Error> {
        value::parse(json, &Limits::default())?.emit::<Olpc>(&mut Vec::new())
    }

    /// JCS canonicalization through the tape only.
    pub fn jcs_general(json: &[u8]) -> Result<Vec<u8>, Error> {
        value::parse(json, &Limits::default())?.emit::<Jcs>(&mut Vec::new())
    }
}

/// A canonical JSON document with the place of each of its top-level members' values, from
/// [`olpc::canonicalize_members`]. A document that is not an object has no members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canonical {
    bytes: Vec<u8>,
    /// (key, value's range in `bytes`), in canonical (output) order.
    members: Vec<(String, std::ops::Range<usize>)>,
}

impl Canonical {
    /// The canonical document.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The canonical document, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Where the value of the top-level member `key` sits in [`Canonical::as_bytes`].
    pub fn member_range(&self, key: &str) -> Option<std::ops::Range<usize>> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
    }

    /// The canonical bytes of the value of the top-level member `key`.
    pub fn member(&self, key: &str) -> Option<&[u8]> {
        self.bytes.get(self.member_range(key)?)
    }

    /// The top-level keys, in canonical order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }
}

/// Checks that `json` is strict RFC 8259 JSON within the default limits, duplicate keys
/// included, for readers that then hand the same bytes to serde (whose maps keep the last of
/// two equal keys). It parses as [`jcs::canonicalize`] does, without writing anything.
///
/// # Errors
/// As [`jcs::canonicalize`].
pub fn check_strict(json: &[u8]) -> Result<(), Error> {
    value::parse(json, &crate::limits::Limits::default()).map(|_| ())
}

/// Errors from parsing or canonicalizing JSON.
///
/// Byte offsets count from the start of the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not RFC 8259 JSON.
    #[error("JSON syntax error at byte {offset}: {reason}")]
    Syntax {
        /// Where the problem was found.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// The input is not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        offset: usize,
    },
    /// A `\u` escape encodes a UTF-16 surrogate that is not part of a valid pair.
    #[error("lone UTF-16 surrogate in the \\u escape at byte {offset}")]
    LoneSurrogate {
        /// Where the escape starts.
        offset: usize,
    },
    /// An object has the same key twice (compared after unescaping).
    #[error("duplicate object key {key:?} at byte {offset}")]
    DuplicateKey {
        /// The key, unescaped.
        key: String,
        /// Where its second occurrence starts.
        offset: usize,
    },
    /// The input exceeds a named limit (its length in bytes or its nesting depth).
    #[error(transparent)]
    LimitExceeded(#[from] crate::limits::LimitExceeded),
    /// OLPC canonical JSON has no fractions or exponents (securesystemslib raises
    /// `FormatError`).
    #[error("number at byte {offset} is not an integer, which OLPC canonical JSON requires")]
    FloatNotAllowed {
        /// Where the number starts.
        offset: usize,
    },
    /// A number does not fit in an IEEE-754 double (RFC 8785 §3.2.2.3: JCS numbers are
    /// doubles; `1e400` would become infinity).
    #[error("number at byte {offset} is out of the IEEE-754 double range")]
    NumberOutOfRange {
        /// Where the number starts.
        offset: usize,
    },
    /// `serde_json` could not serialize an in-memory value (for example a map with non-string
    /// keys) before canonicalization.
    #[error("could not serialize the value as JSON")]
    Serialize(#[source] serde_json::Error),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn errors_name_each_cause_once() {
        // A map with non-string keys has no JSON form.
        let mut map = BTreeMap::new();
        map.insert(vec![1u8], 1u8);
        let err = jcs::to_vec(&map).unwrap_err();
        crate::assert_causes_once(
            err,
            &[
                "could not serialize the value as JSON",
                "key must be a string",
            ],
        );
        let limits = crate::limits::Limits {
            json_len: 2,
            ..Default::default()
        };
        let err = olpc::canonicalize_with_limits(b"[1,2]", &limits).unwrap_err();
        crate::assert_causes_once(err, &["JSON document (bytes) exceeds the limit of 2 (5)"]);
    }
}
