//! The one time type of `supply-sig`: a UTC instant passed in by the caller.
//!
//! Verification never reads the clock. Callers pass a [`Timestamp`] (for example
//! `Timestamp::from(std::time::SystemTime::now())`), and Sigstore verification takes its times
//! only from signed sources (a Rekor SET or an RFC 3161 timestamp).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC instant with nanosecond precision, as seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// The instant `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after the Unix epoch; `None` when
    /// `nanos` is not below 10⁹.
    pub const fn from_unix_nanos(secs: i64, nanos: u32) -> Option<Self> {
        if nanos < 1_000_000_000 {
            Some(Self { secs, nanos })
        } else {
            None
        }
    }

    /// A UTC calendar date and time of the proleptic Gregorian calendar; `None` for a date that
    /// does not exist or a field out of range (a leap second, `sec == 60`, is read as the next
    /// second, as Go and Python do; parsers with a stricter policy check `sec` first).
    pub fn from_civil(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
    ) -> Option<Self> {
        civil(year, month, day, hour, min, sec).map(Self::from_unix)
    }

    /// A system time read by the caller (`SystemTime::now()`); the same as `From<SystemTime>`.
    pub fn from_system_time(t: SystemTime) -> Self {
        Self::from(t)
    }

    /// Seconds since the Unix epoch (rounded down).
    pub const fn unix(self) -> i64 {
        self.secs
    }

    /// The sub-second part in nanoseconds.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Parses an RFC 3339 date-time (`2021-01-12T11:53:27Z`, `…27.123Z`, `…27+02:00`), the
    /// form proto3 JSON uses for `google.protobuf.Timestamp`.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        if !matches!(b.get(10), Some(b'T' | b't')) || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let min = digits(&b[14..16])?;
        let sec = digits(&b[17..19])?;
        let (nanos, rest) = fraction(&b[19..])?;
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let off = digits(&[*h1, *h2])? * 3600 + digits(&[*m1, *m2])? * 60;
                if *sign == b'+' {
                    -off
                } else {
                    off
                }
            }
            _ => return None,
        };
        let t = civil(year, month, day, hour, min, sec)?;
        Some(Self {
            secs: t.checked_add(offset)?,
            nanos,
        })
    }

    /// Parses an ASN.1 GeneralizedTime body in UTC (`YYYYMMDDHHMMSS[.fff]Z`, RFC 5280 §4.1.2.5.2
    /// and RFC 3161 §2.4.2, which allows a fraction).
    pub fn parse_generalized_time(s: &[u8]) -> Option<Self> {
        if s.len() < 15 {
            return None;
        }
        let year = digits(&s[0..4])?;
        let month = digits(&s[4..6])?;
        let day = digits(&s[6..8])?;
        let hour = digits(&s[8..10])?;
        let min = digits(&s[10..12])?;
        let sec = digits(&s[12..14])?;
        let (nanos, rest) = fraction(&s[14..])?;
        if rest != b"Z" {
            return None;
        }
        Some(Self {
            secs: civil(year, month, day, hour, min, sec)?,
            nanos,
        })
    }

    /// Formats as RFC 3339 in UTC with whole seconds.
    pub fn to_rfc3339(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    Self::from_unix(-secs)
                } else {
                    Self {
                        secs: -secs - 1,
                        nanos: 1_000_000_000 - d.subsec_nanos(),
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
}

/// Reads an optional `.digits` fraction; returns the nanoseconds and the rest.
fn fraction(b: &[u8]) -> Option<(u32, &[u8])> {
    let Some(rest) = b.strip_prefix(b".") else {
        return Some((0, b));
    };
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    let mut nanos = 0u32;
    for (i, d) in rest[..n].iter().enumerate() {
        nanos += u32::from(d - b'0') * 10u32.pow(8 - u32::try_from(i).ok()?);
    }
    Some((nanos, &rest[n..]))
}

fn civil(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // A leap second (ss = 60) is read as the next second, as Go and Python do.
    if d < 1 || d > dim || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse_rfc3339("2021-01-12T11:53:27Z").unwrap();
        assert_eq!(t.unix(), 1_610_452_407);
        assert_eq!(t.to_rfc3339(), "2021-01-12T11:53:27Z");
        let f = Timestamp::parse_rfc3339("2022-12-31T23:59:59.999Z").unwrap();
        assert_eq!(f.subsec_nanos(), 999_000_000);
        assert!(f > Timestamp::parse_rfc3339("2022-12-31T23:59:59Z").unwrap());
        assert_eq!(
            Timestamp::parse_rfc3339("2021-01-12T13:53:27+02:00").unwrap(),
            t
        );
        assert!(Timestamp::parse_rfc3339("2021-02-30T00:00:00Z").is_none());
        assert!(Timestamp::parse_rfc3339("2021-01-12 11:53:27Z").is_none());
        assert_eq!(
            Timestamp::parse_generalized_time(b"20210112115327.5Z").map(|t| t.unix()),
            Some(1_610_452_407)
        );
    }
}
