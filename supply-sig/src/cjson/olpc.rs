//! OLPC canonical JSON (TUF, in-toto, securesystemslib).
//!
//! The rules, as securesystemslib's `encode_canonical` applies them
//! (<http://wiki.laptop.org/go/Canonical_JSON>, TUF specification §4.1 "canonical JSON"):
//!
//! - no insignificant whitespace;
//! - object keys sorted by Unicode code point, which for UTF-8 is byte order;
//! - strings escape only `"` and `\`; every other character, control characters and non-ASCII
//!   included, is written as raw UTF-8;
//! - integers only, written as their decimal digits whatever their size (`-0` becomes `0`, as
//!   Python's `int` reads it); any fraction or exponent, even `1.0`, is an error
//!   ([`Error::FloatNotAllowed`]), as securesystemslib raises `FormatError`;
//! - `true`, `false`, `null` literally.
//!
//! The input must also pass the strict parser described in [`cjson`](super) (duplicate keys,
//! lone surrogates and so on are errors). This is not RFC 8785: see [`jcs`](super::jcs).

use std::cmp::Ordering;

use serde::Serialize;

use super::value::{self, Flavour};
use super::{Canonical, Error};
use crate::limits::Limits;

pub(crate) struct Olpc;

impl Flavour for Olpc {
    fn string(out: &mut Vec<u8>, s: &str) {
        write_string(out, s);
    }

    fn number(out: &mut Vec<u8>, text: &str, offset: usize) -> Result<(), Error> {
        if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return Err(Error::FloatNotAllowed { offset });
        }
        // The grammar forbids leading zeros, so "-0" is the only non-canonical integer.
        out.extend_from_slice(if text == "-0" { b"0" } else { text.as_bytes() });
        Ok(())
    }

    fn key_order(a: &str, b: &str) -> Ordering {
        // UTF-8 byte order is code point order.
        a.as_bytes().cmp(b.as_bytes())
    }
}

/// Writes `s` as an OLPC string: quoted, with only `"` and `\` escaped.
fn write_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Copy runs between the bytes to escape (most strings have none) rather than byte by byte.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' || b == b'\\' {
            out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
            out.push(b'\\');
            start = i;
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Canonicalizes raw JSON text under the default [`Limits`].
///
/// ```
/// let out = supply_sig::cjson::olpc::canonicalize(br#"{"b": 12345678901234567890, "a": "\u00e9"}"#)?;
/// assert_eq!(out, "{\"a\":\"é\",\"b\":12345678901234567890}".as_bytes());
/// # Ok::<(), supply_sig::cjson::Error>(())
/// ```
///
/// # Errors
/// [`Error::Syntax`], [`Error::InvalidUtf8`], [`Error::LoneSurrogate`] or
/// [`Error::DuplicateKey`] for input that is not strict JSON, [`Error::LimitExceeded`] for input
/// over [`crate::limits::MAX_JSON_LEN`] bytes or [`crate::limits::MAX_JSON_DEPTH`] levels, and
/// [`Error::FloatNotAllowed`] for any number with a fraction or exponent.
pub fn canonicalize(json: &[u8]) -> Result<Vec<u8>, Error> {
    canonicalize_with_limits(json, &Limits::default())
}

/// Canonicalizes raw JSON text under `limits` (only `json_len` and `json_depth` apply).
///
/// # Errors
/// As [`canonicalize`], with the limits of `limits`.
pub fn canonicalize_with_limits(json: &[u8], limits: &Limits) -> Result<Vec<u8>, Error> {
    canonicalize_members_with_limits(json, limits).map(Canonical::into_bytes)
}

/// Canonicalizes raw JSON text and says where each top-level member's value sits in the output,
/// under the default [`Limits`]: the canonical bytes of an envelope's signed part
/// (`{"signatures": [...], "signed": {...}}`) are then a slice of the whole, and the document is
/// parsed once, strictly as a whole.
///
/// The canonical form of a member's value is the same whether it stands alone or inside its
/// object, so [`Canonical::member`] equals [`canonicalize`] of that value's text.
///
/// ```
/// let c = supply_sig::cjson::olpc::canonicalize_members(br#"{"signed": {"b": 1, "a": 2}, "signatures": []}"#)?;
/// assert_eq!(c.as_bytes(), br#"{"signatures":[],"signed":{"a":2,"b":1}}"#);
/// assert_eq!(c.member("signed"), Some(&br#"{"a":2,"b":1}"#[..]));
/// assert_eq!(c.member("payload"), None);
/// # Ok::<(), supply_sig::cjson::Error>(())
/// ```
///
/// # Errors
/// As [`canonicalize`].
pub fn canonicalize_members(json: &[u8]) -> Result<Canonical, Error> {
    canonicalize_members_with_limits(json, &Limits::default())
}

/// As [`canonicalize_members`], under `limits` (only `json_len` and `json_depth` apply).
///
/// # Errors
/// As [`canonicalize`], with the limits of `limits`.
pub fn canonicalize_members_with_limits(json: &[u8], limits: &Limits) -> Result<Canonical, Error> {
    let mut members = Vec::new();
    let bytes = match value::stream::<Olpc>(json, limits, &mut members) {
        Some(out) => out,
        None => {
            // The one-pass path may have recorded members before it declined.
            members.clear();
            value::parse(json, limits)?.emit::<Olpc>(&mut members)?
        }
    };
    Ok(Canonical { bytes, members })
}

/// Serializes an in-memory value (a `serde_json::Value`, or any `Serialize` type such as TUF
/// metadata) as OLPC canonical JSON, under the default [`Limits`].
///
/// The value goes through `serde_json` and then [`canonicalize`], so the same rules hold:
/// floating-point numbers are refused, and a type whose serialization repeats a key (for
/// example a `#[serde(flatten)]` map colliding with a field) is an error rather than a silent
/// merge. Integers beyond `u64` cannot be represented in a `serde_json::Value` without its
/// `arbitrary_precision` feature; such documents must be canonicalized from their text.
///
/// ```
/// let v = serde_json::json!({"version": 1, "_type": "root", "keys": {}});
/// assert_eq!(supply_sig::cjson::olpc::to_vec(&v)?, br#"{"_type":"root","keys":{},"version":1}"#);
/// assert!(supply_sig::cjson::olpc::to_vec(&serde_json::json!(1.5)).is_err());
/// # Ok::<(), supply_sig::cjson::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serialize`] when `serde_json` cannot serialize the value, otherwise as
/// [`canonicalize`].
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    to_vec_with_limits(value, &Limits::default())
}

/// As [`to_vec`], under `limits`.
///
/// # Errors
/// As [`to_vec`].
pub fn to_vec_with_limits<T: Serialize + ?Sized>(
    value: &T,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let json = serde_json::to_vec(value).map_err(Error::Serialize)?;
    canonicalize_with_limits(&json, limits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Result<String, Error> {
        canonicalize(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn members_are_located_on_every_path() {
        let signed = r#"{"_type":"link","name":"a\"b"}"#;
        for doc in [
            // Sorted (one pass), reordered (one pass), escaped key (the tape).
            format!(r#"{{"signatures": [{{"keyid": "k"}}], "signed": {signed}}}"#),
            format!(r#"{{"signed": {signed}, "signatures": [{{"keyid": "k"}}]}}"#),
            format!(r#"{{"signed": {signed}, "sign\u0061tures": [{{"keyid": "k"}}]}}"#),
        ] {
            let m = canonicalize_members(doc.as_bytes()).unwrap();
            assert_eq!(m.as_bytes(), canonicalize(doc.as_bytes()).unwrap(), "{doc}");
            assert_eq!(m.member("signed"), Some(signed.as_bytes()), "{doc}");
            assert_eq!(
                m.member("signatures"),
                Some(&br#"[{"keyid":"k"}]"#[..]),
                "{doc}"
            );
            assert_eq!(m.keys().collect::<Vec<_>>(), ["signatures", "signed"]);
        }
        assert_eq!(canonicalize_members(b"[1]").unwrap().keys().count(), 0);
        assert_eq!(canonicalize_members(b"{}").unwrap().keys().count(), 0);
        assert!(canonicalize_members(br#"{"a":1,"a":2}"#).is_err());
    }

    #[test]
    fn rules() {
        assert_eq!(
            c(" { \"b\" : 1 , \"a\" : [ ] } ").unwrap(),
            "{\"a\":[],\"b\":1}"
        );
        assert_eq!(
            c("\"a\\\"b\\\\c\\/\\n\\u0000\"").unwrap(),
            "\"a\\\"b\\\\c/\n\u{0}\""
        );
        assert_eq!(c("-0").unwrap(), "0");
        assert_eq!(
            c("-123456789012345678901234567890").unwrap(),
            "-123456789012345678901234567890"
        );
        for f in ["1.0", "1e2", "1E2", "[0.5]", "{\"a\":-1.5e-3}"] {
            assert!(matches!(c(f), Err(Error::FloatNotAllowed { .. })), "{f}");
        }
        assert!(matches!(
            c("[1, 1.5]"),
            Err(Error::FloatNotAllowed { offset: 4 })
        ));
    }

    #[test]
    fn to_vec_values() {
        let v = serde_json::json!({"z": u64::MAX, "a": [i64::MIN, "x\ty"]});
        assert_eq!(
            to_vec(&v).unwrap(),
            format!("{{\"a\":[{},\"x\ty\"],\"z\":{}}}", i64::MIN, u64::MAX).as_bytes()
        );
        assert!(matches!(
            to_vec(&serde_json::json!([1.0])),
            Err(Error::FloatNotAllowed { .. })
        ));
    }
}
