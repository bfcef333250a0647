//! RFC 8785 JSON Canonicalization Scheme.
//!
//! - no insignificant whitespace (§3.2.1);
//! - object keys sorted by their UTF-16 code units (§3.2.3), which differs from code point order
//!   when keys mix characters above U+FFFF with U+E000–U+FFFF;
//! - strings written as ECMAScript's `JSON.stringify` does (§3.2.2.2): `\b \t \n \f \r`, other
//!   control characters as `\u00xx` (lowercase hex), `\"` and `\\`; everything else raw UTF-8
//!   (no Unicode normalization);
//! - numbers read as IEEE-754 doubles (correctly rounded) and written as ECMAScript's
//!   `Number.prototype.toString` does (§3.2.2.3, ECMA-262 `Number::toString`): see
//!   [`format_number`]. Numbers outside the double range are an error
//!   ([`Error::NumberOutOfRange`]); numbers that underflow read as 0, as in ECMAScript.
//!
//! The input must also pass the strict parser described in [`cjson`](super) (RFC 8785 §3.1
//! requires I-JSON: no duplicate keys, no lone surrogates).

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::Serialize;

use super::value::{self, Flavour};
use super::Error;
use crate::limits::Limits;

pub(crate) struct Jcs;

impl Flavour for Jcs {
    fn string(out: &mut Vec<u8>, s: &str) {
        write_string(out, s);
    }

    fn number(out: &mut Vec<u8>, text: &str, offset: usize) -> Result<(), Error> {
        // Rust's float parsing is correctly rounded (round-half-even) for any number of digits,
        // and the JSON number grammar is a subset of what it accepts.
        let x: f64 = text.parse().map_err(|_| Error::Syntax {
            offset,
            reason: "invalid number",
        })?;
        let s = format_number(x).ok_or(Error::NumberOutOfRange { offset })?;
        out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn key_order(a: &str, b: &str) -> Ordering {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Writes `s` quoted and escaped as ECMAScript `JSON.stringify` does (RFC 8785 §3.2.2.2).
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Formats a double as ECMAScript's `Number.prototype.toString` (ECMA-262 `Number::toString`,
/// radix 10), as RFC 8785 §3.2.2.3 requires. Returns `None` for NaN and infinities, which JSON
/// cannot carry.
///
/// With `k` the fewest significant digits that round-trip and `n` the decimal exponent such that
/// the value is `0.d₁…dₖ × 10ⁿ`: integers up to 21 digits are written in full (`1e21` is the
/// first exponent form), `-6 < n ≤ 0` gives `0.000001`-style fractions (`1e-7` is the first
/// exponent form), and exponents are written `1e+21`, `1.5e-7`. `-0` is written `0`.
///
/// ```
/// use supply_sig::cjson::jcs::format_number;
/// assert_eq!(format_number(1e21).as_deref(), Some("1e+21"));
/// assert_eq!(format_number(1e20).as_deref(), Some("100000000000000000000"));
/// assert_eq!(format_number(0.000001).as_deref(), Some("0.000001"));
/// assert_eq!(format_number(1e-7).as_deref(), Some("1e-7"));
/// assert_eq!(format_number(-0.0).as_deref(), Some("0"));
/// assert_eq!(format_number(f64::NAN), None);
/// ```
pub fn format_number(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".to_owned());
    }
    // `{:e}` prints the shortest digit string that round-trips (Grisu/Dragon, closest to the
    // value on ties), as `d.ddde-7` or `de21`: exactly ECMAScript's `k` digits and `n - 1`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e')?;
    let exp: i64 = exp.parse().ok()?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i64::try_from(digits.len()).ok()?;
    let n = exp + 1;
    let mut out = String::with_capacity(32);
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', usize::try_from(n - k).ok()?));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).ok()?);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', usize::try_from(-n).ok()?));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(
            out,
            "e{}{}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    }
    Some(out)
}

/// Canonicalizes raw JSON text under the default [`Limits`].
///
/// ```
/// let out = supply_sig::cjson::jcs::canonicalize(br#"{"b": [1E30, 4.50, 2e-3], "a": "\u000f"}"#)?;
/// assert_eq!(out, br#"{"a":"\u000f","b":[1e+30,4.5,0.002]}"#);
/// # Ok::<(), supply_sig::cjson::Error>(())
/// ```
///
/// # Errors
/// [`Error::Syntax`], [`Error::InvalidUtf8`], [`Error::LoneSurrogate`] or
/// [`Error::DuplicateKey`] for input that is not strict JSON, [`Error::LimitExceeded`] for input
/// over [`crate::limits::MAX_JSON_LEN`] bytes or [`crate::limits::MAX_JSON_DEPTH`] levels, and
/// [`Error::NumberOutOfRange`] for a number beyond the double range (such as `1e400`).
pub fn canonicalize(json: &[u8]) -> Result<Vec<u8>, Error> {
    canonicalize_with_limits(json, &Limits::default())
}

/// Canonicalizes raw JSON text under `limits` (only `json_len` and `json_depth` apply).
///
/// # Errors
/// As [`canonicalize`], with the limits of `limits`.
pub fn canonicalize_with_limits(json: &[u8], limits: &Limits) -> Result<Vec<u8>, Error> {
    let mut members = Vec::new();
    match value::stream::<Jcs>(json, limits, &mut members) {
        Some(out) => Ok(out),
        None => value::parse(json, limits)?.emit::<Jcs>(&mut members),
    }
}

/// Serializes an in-memory value (a `serde_json::Value` or any `Serialize` type) as JCS, under
/// the default [`Limits`]. The value goes through `serde_json` and then [`canonicalize`], so a
/// serialization that repeats a key is an error.
///
/// # Errors
/// [`Error::Serialize`] when `serde_json` cannot serialize the value (including NaN and
/// infinities, which it writes as `null`, so they never reach here), otherwise as
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

    fn f(bits: u64) -> String {
        format_number(f64::from_bits(bits)).unwrap()
    }

    #[test]
    fn es6_numbers() {
        // Lines of cyberphone's es6testfile100m.txt quoted in the testdata MANIFEST.
        assert_eq!(f(0x4340000000000001), "9007199254740994");
        assert_eq!(f(0x444b1ae4d6e2ef50), "1e+21");
        assert_eq!(f(0x3eb0c6f7a0b5ed8d), "0.000001");
        assert_eq!(f(0x3eb0c6f7a0b5ed8c), "9.999999999999997e-7");
        assert_eq!(f(0x8000000000000000), "0");
        // ECMA-262 examples and boundaries.
        assert_eq!(f(1.0f64.to_bits()), "1");
        assert_eq!(f((-1.5f64).to_bits()), "-1.5");
        assert_eq!(f(123e-20f64.to_bits()), "1.23e-18");
        assert_eq!(f(5e-324f64.to_bits()), "5e-324");
        assert_eq!(f(f64::MAX.to_bits()), "1.7976931348623157e+308");
        assert_eq!(f(f64::MIN_POSITIVE.to_bits()), "2.2250738585072014e-308");
        assert_eq!(
            f(999999999999999900000.0f64.to_bits()),
            "999999999999999900000"
        );
        assert_eq!(f(0.1f64.to_bits()), "0.1");
        assert_eq!(f(1.5e-7f64.to_bits()), "1.5e-7");
        assert_eq!(f(123456.789f64.to_bits()), "123456.789");
        assert_eq!(format_number(f64::INFINITY), None);
    }

    #[test]
    fn numbers_in_documents() {
        let c = |s: &str| canonicalize(s.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(c("[-0, 0.0, -0.0e5, 1E400000000000000000000]").ok(), None);
        assert_eq!(c("[-0, 0.0, 1e-400]").unwrap(), "[0,0,0]");
        assert_eq!(c("12345678901234567890").unwrap(), "12345678901234567000");
        assert!(matches!(
            c("[1, -1e309]"),
            Err(Error::NumberOutOfRange { offset: 4 })
        ));
        let long = format!("0.{}1", "0".repeat(5000));
        assert_eq!(c(&long).unwrap(), "0");
    }

    #[test]
    fn strings_and_keys() {
        let mut out = Vec::new();
        write_string(&mut out, "\u{8}\t\n\u{c}\r\u{0}\u{1f}\u{7f}\"\\/é");
        assert_eq!(
            out,
            b"\"\\b\\t\\n\\f\\r\\u0000\\u001f\x7f\\\"\\\\/\xc3\xa9\""
        );
        assert_eq!(Jcs::key_order("\u{1f600}", "\u{ff21}"), Ordering::Less);
    }
}
