//! Debian and Ubuntu: dpkg's version comparison (`lib/dpkg/version.c`, `verrevcmp`;
//! Debian Policy §5.6.12): `[epoch:]upstream[-revision]`, epochs numerically, then upstream
//! and revision alternating non-digit runs (letters before non-letters, `~` before
//! everything, even the end) and digit runs (numerically).

use std::cmp::Ordering;

use super::num::cmp_digits;
use super::{Error, Scheme};

#[derive(Clone, Debug)]
pub(crate) struct DebVersion {
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

impl DebVersion {
    pub(crate) fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let invalid = |reason| Error::Invalid {
            scheme: Scheme::Debian,
            reason,
        };
        let (epoch, rest) = match s.split_once(':') {
            Some((e, r)) => {
                if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(invalid("epoch is not a number"));
                }
                (e, r)
            }
            None => ("0", s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(invalid("empty upstream version"));
        }
        if s.bytes()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        {
            return Err(invalid("white space or control character"));
        }
        Ok(Self {
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|c| !c.is_ascii_digit())
            || b.get(j).is_some_and(|c| !c.is_ascii_digit())
        {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let da = a[i.min(a.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let db = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let na = &a[i.min(a.len())..i.min(a.len()) + da];
        let nb = &b[j.min(b.len())..j.min(b.len()) + db];
        // Digit runs are ASCII, so these are valid UTF-8.
        let o = cmp_digits(
            std::str::from_utf8(na).unwrap_or("0"),
            std::str::from_utf8(nb).unwrap_or("0"),
        );
        if o != Ordering::Equal {
            return o;
        }
        i = i.min(a.len()) + da;
        j = j.min(b.len()) + db;
    }
    Ordering::Equal
}

impl Ord for DebVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_digits(&self.epoch, &o.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), o.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), o.revision.as_bytes()))
    }
}
super::ord_by_cmp!(DebVersion);
