//! CRAN and Hackage: versions made of non-negative integers only (R's `package_version`:
//! separated by `.` or `-`; Cabal's `Version`: by `.`), compared component by component,
//! a longer version greater when the shorter is its prefix (`1.0 < 1.0.0`).

use std::cmp::Ordering;

use super::num::{canonical_digits, cmp_digits, is_number};
use super::{Error, Scheme};

#[derive(Clone, Debug)]
pub(crate) struct NumericVersion {
    parts: Vec<Box<str>>,
}

impl NumericVersion {
    pub(crate) fn parse(s: &str, scheme: Scheme, dash: bool) -> Result<Self, Error> {
        let s = s.trim();
        let pieces: Vec<&str> = if dash {
            s.split(['.', '-']).collect()
        } else {
            s.split('.').collect()
        };
        if pieces.iter().any(|p| !is_number(p)) {
            return Err(Error::Invalid {
                scheme,
                reason: "a component is not a non-negative integer",
            });
        }
        Ok(Self {
            parts: pieces.into_iter().map(canonical_digits).collect(),
        })
    }
}

impl Ord for NumericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let o = cmp_digits(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}
super::ord_by_cmp!(NumericVersion);
