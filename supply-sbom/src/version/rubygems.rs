//! RubyGems: `Gem::Version` (rubygems `lib/rubygems/version.rb`): `-` reads as `.pre.`, the
//! segments are runs of digits or of letters, a segment with letters makes a pre-release,
//! trailing zeros of the release and of the pre-release parts are dropped, and a string
//! segment sorts before a number.

use std::cmp::Ordering;

use super::num::{canonical_digits, cmp_digits};
use super::{Error, Scheme};

#[derive(Clone, Debug)]
enum Seg {
    Num(Box<str>),
    Str(Box<str>),
}

#[derive(Clone, Debug)]
pub(crate) struct GemVersion {
    segments: Vec<Seg>,
}

impl GemVersion {
    pub(crate) fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if !s.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(Error::Invalid {
                scheme: Scheme::RubyGems,
                reason: "does not start with a number",
            });
        }
        let mut raw: Vec<Seg> = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_digit() {
                let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                raw.push(Seg::Num(canonical_digits(&s[i..i + n])));
                i += n;
            } else if c.is_ascii_alphabetic() {
                let n = b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                raw.push(Seg::Str(s[i..i + n].into()));
                i += n;
            } else {
                if c == b'-' {
                    // `gsub("-", ".pre.")`
                    raw.push(Seg::Str("pre".into()));
                }
                i += 1;
            }
        }
        // canonical_segments: drop trailing zeros of the numeric part and of the rest.
        let split = raw
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(raw.len());
        let mut rest = raw.split_off(split);
        let is_zero = |s: &Seg| matches!(s, Seg::Num(n) if &**n == "0");
        while raw.last().is_some_and(is_zero) {
            raw.pop();
        }
        while rest.last().is_some_and(is_zero) {
            rest.pop();
        }
        raw.extend(rest);
        Ok(Self { segments: raw })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num("0".into());
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => cmp_digits(x, y),
                (Seg::Str(x), Seg::Str(y)) => x.cmp(y),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
super::ord_by_cmp!(GemVersion);
