//! Exact comparison of decimal digit strings of any length.

use std::cmp::Ordering;

/// Compares two strings of ASCII digits numerically, whatever their length (leading zeros
/// ignored; the empty string is zero).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// `s` without its leading zeros, `"0"` for zero: the canonical form of a digit string.
pub(crate) fn canonical_digits(s: &str) -> Box<str> {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(cmp_digits("10", "9"), Ordering::Greater);
        assert_eq!(
            cmp_digits(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
        assert!(is_number("0012") && !is_number("") && !is_number("1a"));
        assert_eq!(&*canonical_digits("000"), "0");
    }
}
