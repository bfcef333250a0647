//! Points in time, as TUF's `expires` field writes them.
//!
//! # Parsing policy
//!
//! The specification writes `expires` as `YYYY-MM-DDTHH:MM:SSZ` (ISO 8601, UTC, no fraction).
//! Real repositories also contain RFC 3339 forms that python-tuf 7 refuses but go-tuf and tough
//! accept: fractional seconds (go-tuf's 7 digits `…45.0000001Z`, Sigstore's nanoseconds
//! `…09.663975009Z`) and numeric offsets (`…12.99008-06:00`, Sigstore root v1). This module is
//! **lenient in form and exact in value**:
//!
//! - accepted: `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1 to 9 digits, then `Z` or
//!   `±HH:MM`; the upper-case `T` and `Z` only, no leap second (`:60`), dates checked against the
//!   calendar;
//! - the value is normalized to UTC seconds and nanoseconds, so times compare exactly and a
//!   fraction or an offset can never re-order two instants;
//! - the original string is kept by [`crate::metadata::Expires`], and signatures are always
//!   checked over the original text, never over a re-formatted time.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

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

/// A point in time: seconds and nanoseconds since the Unix epoch, UTC.
///
/// Callers pass the current time in (`now`); nothing in this crate reads the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// A system time (for example `SystemTime::now()` read by the caller); times before the
    /// epoch are clamped to the epoch.
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(_) => Self::from_unix(0),
        }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The sub-second part, in nanoseconds.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses an RFC 3339 date-time under the policy of the [module docs](self).
    ///
    /// # Errors
    /// [`Error::Invalid`] for anything outside the accepted subset.
    pub fn parse_rfc3339(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        if b.len() < 20 || b.len() > 40 {
            return Err(Error::Invalid { reason: "length" });
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, Error> {
            let part = b.get(r).ok_or(Error::Invalid {
                reason: "truncated",
            })?;
            let mut v: i64 = 0;
            for &c in part {
                if !c.is_ascii_digit() {
                    return Err(Error::Invalid {
                        reason: "expected a digit",
                    });
                }
                v = v * 10 + i64::from(c - b'0');
            }
            Ok(v)
        };
        let sep = |i: usize, c: u8| -> Result<(), Error> {
            if b.get(i) == Some(&c) {
                Ok(())
            } else {
                Err(Error::Invalid {
                    reason: "separator",
                })
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
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(Error::Invalid {
                reason: "field out of range",
            });
        }
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
                return Err(Error::Invalid {
                    reason: "fraction must have 1 to 9 digits",
                });
            }
            let mut v: u32 = 0;
            for &c in &b[start..i] {
                v = v * 10 + u32::from(c - b'0');
            }
            for _ in digits..9 {
                v *= 10;
            }
            nanos = v;
        }
        let offset_secs = match b.get(i) {
            Some(b'Z') if i + 1 == b.len() => 0,
            Some(&c @ (b'+' | b'-')) if i + 6 == b.len() => {
                let oh = num(i + 1..i + 3)?;
                sep(i + 3, b':')?;
                let om = num(i + 4..i + 6)?;
                if oh > 23 || om > 59 {
                    return Err(Error::Invalid {
                        reason: "offset out of range",
                    });
                }
                let o = oh * 3600 + om * 60;
                if c == b'+' {
                    o
                } else {
                    -o
                }
            }
            _ => {
                return Err(Error::Invalid {
                    reason: "expected Z or a numeric offset",
                })
            }
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
        Ok(Self { secs, nanos })
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ` (the fraction is dropped; TUF writers use whole seconds).
    pub fn to_rfc3339(&self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

const fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms() {
        let t = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        assert_eq!(t("1970-01-01T00:00:00Z").unix_seconds(), 0);
        assert_eq!(t("2030-01-01T00:00:00Z").unix_seconds(), 1_893_456_000);
        let f = t("2030-08-15T14:30:45.0000001Z");
        assert_eq!(f.subsec_nanos(), 100);
        assert!(f > t("2030-08-15T14:30:45Z"));
        assert_eq!(
            t("2021-12-18T13:28:12.99008-06:00").unix_seconds(),
            t("2021-12-18T19:28:12Z").unix_seconds()
        );
        assert_eq!(
            t("2024-02-29T00:00:00Z").to_rfc3339(),
            "2024-02-29T00:00:00Z"
        );
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
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
