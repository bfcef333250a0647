//! SemVer 2.0 precedence (<https://semver.org/#spec-item-11>), read leniently as osv-scanner
//! reads it: an optional leading `v`, any number of numeric components (missing ones are 0,
//! components past the release's count join the pre-release), then the pre-release and build
//! metadata. NuGet and Pub are variants of the same shape.

use std::cmp::Ordering;

use super::num::{canonical_digits, cmp_digits, is_number};
use super::{Error, Scheme};

/// Which member of the SemVer family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// SemVer 2.0: three release components, build metadata ignored.
    SemVer,
    /// NuGet: four release components, case-insensitive labels, metadata ignored.
    NuGet,
    /// Pub: build metadata orders after the pre-release (`1.0.0 < 1.0.0+1`).
    Pub,
}

#[derive(Clone, Debug)]
pub(crate) struct SemverLike {
    flavour: Flavour,
    /// Release components, canonical digit strings.
    components: Vec<Box<str>>,
    /// Pre-release identifiers' text (without the leading `-`), empty for a release.
    pre: Box<str>,
    /// Build metadata (after `+`); `None` when absent.
    build: Option<Box<str>>,
}

impl SemverLike {
    pub(crate) fn parse(s: &str, flavour: Flavour) -> Result<Self, Error> {
        let scheme = match flavour {
            Flavour::SemVer => Scheme::SemVer,
            Flavour::NuGet => Scheme::NuGet,
            Flavour::Pub => Scheme::Pub,
        };
        let s = s.strip_prefix('v').unwrap_or(s);
        if !s.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(Error::Invalid {
                scheme,
                reason: "does not start with a number",
            });
        }
        let max = if flavour == Flavour::NuGet { 4 } else { 3 };
        let mut components: Vec<&str> = Vec::new();
        let mut current: Option<usize> = None;
        let mut dangling_dot = false;
        let mut rest_at: Option<usize> = None;
        for (i, c) in s.char_indices() {
            if c.is_ascii_digit() {
                current.get_or_insert(i);
                continue;
            }
            if let Some(start) = current.take() {
                components.push(&s[start..i]);
                dangling_dot = false;
            }
            if c == '.' {
                dangling_dot = true;
                continue;
            }
            rest_at = Some(i);
            break;
        }
        if rest_at.is_none() {
            if let Some(start) = current {
                components.push(&s[start..]);
                dangling_dot = false;
            }
        }
        let rest = rest_at.map_or("", |i| &s[i..]);
        // Components past the release's count and a dangling `.` join the pre-release text
        // (osv-scanner: "anything after the first three components is part of the build").
        let mut tail = String::new();
        if components.len() > max {
            for extra in &components[max..] {
                tail.push('.');
                tail.push_str(extra);
            }
            components.truncate(max);
        }
        if dangling_dot {
            tail.push('.');
        }
        tail.push_str(rest);
        let (pre, build) = match tail.split_once('+') {
            Some((p, b)) => (p.to_owned(), Some(b.to_owned())),
            None => (tail, None),
        };
        let pre = pre.strip_prefix('-').unwrap_or(&pre).to_owned();
        let (pre, build) = if flavour == Flavour::NuGet {
            (
                pre.to_ascii_lowercase(),
                build.map(|b| b.to_ascii_lowercase()),
            )
        } else {
            (pre, build)
        };
        Ok(Self {
            flavour,
            components: components.iter().map(|c| canonical_digits(c)).collect(),
            pre: pre.into(),
            build: build.map(Into::into),
        })
    }
}

/// Compares dot-separated identifiers as SemVer §11.4 orders pre-release identifiers.
pub(crate) fn cmp_identifiers(a: &str, b: &str) -> Ordering {
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (is_number(x), is_number(y)) {
                    (true, true) => cmp_digits(x, y),
                    (false, false) => x.cmp(y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl Ord for SemverLike {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.components.len().max(other.components.len());
        for i in 0..n {
            let a = self.components.get(i).map_or("0", |c| c);
            let b = other.components.get(i).map_or("0", |c| c);
            let o = cmp_digits(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (false, false) => cmp_identifiers(&self.pre, &other.pre),
        };
        if o != Ordering::Equal || self.flavour != Flavour::Pub {
            return o;
        }
        match (&self.build, &other.build) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => cmp_identifiers(a, b),
        }
    }
}

super::ord_by_cmp!(SemverLike);
