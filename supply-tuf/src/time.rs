//! TUF's `expires` times: the parsing policy of this crate over the one time type of
//! `supply-sig` ([`Timestamp`], re-exported here).
//!
//! # Parsing policy
//!
//! The specification writes `expires` as `YYYY-MM-DDTHH:MM:SSZ` (ISO 8601, UTC, no fraction).
//! Real repositories also contain RFC 3339 forms that python-tuf 7 refuses but go-tuf and tough
//! accept: fractional seconds (go-tuf's 7 digits `…45.0000001Z`, Sigstore's nanoseconds
//! `…09.663975009Z`) and numeric offsets (`…12.99008-06:00`, Sigstore root v1). [`parse`] is
//! **lenient in form and exact in value**:
//!
//! - accepted: `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1 to 9 digits, then `Z` or
//!   `±HH:MM`; the upper-case `T` and `Z` only, no leap second (`:60`), dates checked against the
//!   calendar;
//! - the value is normalized to UTC seconds and nanoseconds, so times compare exactly and a
//!   fraction or an offset can never re-order two instants;
//! - the original string is kept by [`crate::metadata::Expires`], and signatures are always
//!   checked over the original text, never over a re-formatted time.
//!
//! ```
//! use supply_tuf::time;
//! let t = time::parse("2030-01-01T00:00:00Z")?;
//! assert_eq!(t.unix(), 1_893_456_000);
//! assert_eq!(time::format(t), "2030-01-01T00:00:00Z");
//! # Ok::<(), time::Error>(())
//! ```

pub use supply_sig::time::Timestamp;

/// Errors from parsing a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not an RFC 3339 date-time in the accepted subset.
    #[error("invalid date-time: {reason}")]
    Invalid {
        /// What was wrong.
        reason: &'static str,
    },
}

const fn invalid(reason: &'static str) -> Error {
    Error::Invalid { reason }
}

/// Parses an `expires` value under the policy of the [module docs](self).
///
/// # Errors
/// [`Error::Invalid`] for anything outside the accepted subset.
pub fn parse(s: &str) -> Result<Timestamp, Error> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 {
        return Err(invalid("length"));
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, Error> {
        let part = b.get(r).ok_or(invalid("truncated"))?;
        part.iter().try_fold(0i64, |v, &c| {
            if c.is_ascii_digit() {
                Ok(v * 10 + i64::from(c - b'0'))
            } else {
                Err(invalid("expected a digit"))
            }
        })
    };
    let sep = |i: usize, c: u8| -> Result<(), Error> {
        if b.get(i) == Some(&c) {
            Ok(())
        } else {
            Err(invalid("separator"))
        }
    };
    let year = num(0..4)?;
    sep(4, b'-')?;
    let month = num(5..7)?;
    sep(7, b'-')?;
    let day = num(8..10)?;
    sep(10, b'T')?;
    let hour = num(11..13)?;
    sep(13, b':')?;
    let minute = num(14..16)?;
    sep(16, b':')?;
    let second = num(17..19)?;
    if second > 59 {
        return Err(invalid("field out of range"));
    }
    let civil = Timestamp::from_civil(year, month, day, hour, minute, second)
        .ok_or(invalid("field out of range"))?;
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || digits > 9 {
            return Err(invalid("fraction must have 1 to 9 digits"));
        }
        nanos = b[start..i]
            .iter()
            .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
        for _ in digits..9 {
            nanos *= 10;
        }
    }
    let offset_secs = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() => {
            let oh = num(i + 1..i + 3)?;
            sep(i + 3, b':')?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return Err(invalid("offset out of range"));
            }
            let o = oh * 3600 + om * 60;
            if c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return Err(invalid("expected Z or a numeric offset")),
    };
    // Four-digit years and offsets under a day keep this far from overflow.
    Timestamp::from_unix_nanos(civil.unix() - offset_secs, nanos).ok_or(invalid("fraction"))
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ` (the fraction is dropped; TUF writers use whole seconds).
pub fn format(t: Timestamp) -> String {
    t.to_rfc3339()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms() {
        let t = |s: &str| parse(s).unwrap();
        assert_eq!(t("1970-01-01T00:00:00Z").unix(), 0);
        assert_eq!(t("2030-01-01T00:00:00Z").unix(), 1_893_456_000);
        let f = t("2030-08-15T14:30:45.0000001Z");
        assert_eq!(f.subsec_nanos(), 100);
        assert!(f > t("2030-08-15T14:30:45Z"));
        assert_eq!(
            t("2021-12-18T13:28:12.99008-06:00").unix(),
            t("2021-12-18T19:28:12Z").unix()
        );
        assert_eq!(format(t("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00Z");
        for bad in [
            "2023-02-29T00:00:00Z",
            "2030-01-01 00:00:00Z",
            "2030-01-01T00:00:60Z",
            "2030-01-01T00:00:00",
            "2030-01-01T00:00:00.Z",
            "2030-01-01T00:00:00.1234567890Z",
            "2030-01-01T00:00:00z",
            "+030-01-01T00:00:00Z",
            "2030-01-01T00:00:00+0100",
            "2030-13-01T00:00:00Z",
            "2030-01-01T24:00:00Z",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
