//! Alpine (apk-tools): `number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}`
//! (apk-package(5)). Suffixes order `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
//! _git < _hg < _p`; a number component after the first that starts with `0` compares as a
//! string; a version with unparsable text left over sorts before the same version without,
//! and two such versions compare as strings (apk-tools 2.12+ and osv-scanner).

use std::cmp::Ordering;

use super::num::cmp_digits;

#[derive(Clone, Debug)]
pub(crate) struct ApkVersion {
    original: Box<str>,
    invalid: bool,
    components: Vec<Box<str>>,
    letter: Option<u8>,
    /// (weight, number)
    suffixes: Vec<(u8, Box<str>)>,
    build: Box<str>,
    remainder: Box<str>,
}

const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// The weight of "no suffix": between `_rc` (3) and `_cvs` (5).
const NO_SUFFIX: u8 = 4;

fn weight(name: &str) -> u8 {
    match name {
        "alpha" => 0,
        "beta" => 1,
        "pre" => 2,
        "rc" => 3,
        "cvs" => 5,
        "svn" => 6,
        "git" => 7,
        "hg" => 8,
        _ => 9,
    }
}

fn digits_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

impl ApkVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let original = s;
        // Numbers: `^((\d+)\.?)*`.
        let mut components: Vec<Box<str>> = Vec::new();
        let mut rest = s;
        let mut consumed = 0;
        loop {
            let n = digits_len(rest);
            if n == 0 {
                break;
            }
            let dot = rest[n..].starts_with('.');
            consumed += n + usize::from(dot);
            rest = &rest[n + usize::from(dot)..];
            if !dot {
                break;
            }
        }
        if consumed > 0 {
            components = s[..consumed].split('.').map(Into::into).collect();
        }
        // Letter.
        let mut letter = None;
        if let Some(&c) = rest.as_bytes().first() {
            if c.is_ascii_lowercase() {
                letter = Some(c);
                rest = &rest[1..];
            }
        }
        // Suffixes: every `_(name)(\d*)` in the text is counted; those at the front are
        // consumed (osv-scanner's reading of apk's grammar).
        let mut suffixes = Vec::new();
        let scan = rest;
        let mut at = 0;
        while let Some(off) = scan[at..].find('_') {
            let start = at + off;
            let after = &scan[start + 1..];
            let Some(name) = SUFFIXES.iter().find(|n| after.starts_with(**n)) else {
                at = start + 1;
                continue;
            };
            let n = digits_len(&after[name.len()..]);
            let number = &after[name.len()..name.len() + n];
            let whole = &scan[start..start + 1 + name.len() + n];
            suffixes.push((weight(name), if n == 0 { "0" } else { number }.into()));
            if let Some(r) = rest.strip_prefix(whole) {
                rest = r;
            }
            at = start + 1 + name.len() + n;
        }
        // Hash: `~[0-9a-f]+`, ignored in comparisons.
        if let Some(r) = rest.strip_prefix('~') {
            let n = r
                .bytes()
                .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
                .count();
            if n > 0 {
                rest = &r[n..];
            }
        }
        // Build: `-r(\d*)`; any other text left over makes the version invalid.
        let mut build: Box<str> = "0".into();
        let mut invalid = false;
        if !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("-r") {
                let n = digits_len(r);
                build = if n == 0 { "0" } else { &r[..n] }.into();
                rest = &r[n..];
            } else {
                invalid = true;
            }
        }
        Self {
            original: original.into(),
            invalid,
            components,
            letter,
            suffixes,
            build,
            remainder: rest.into(),
        }
    }
}

fn cmp_component(a: &str, ai: usize, b: &str, bi: usize) -> Ordering {
    if ai != 0
        && bi != 0
        && (a.is_empty() || b.is_empty() || a.starts_with('0') || b.starts_with('0'))
    {
        return a.cmp(b);
    }
    cmp_digits(a, b)
}

impl Ord for ApkVersion {
    fn cmp(&self, w: &Self) -> Ordering {
        if self.invalid && w.invalid {
            return self.original.cmp(&w.original);
        }
        let n = self.components.len().max(w.components.len());
        for i in 0..n {
            // A missing component is "0" with the index of a first component (numeric).
            let (a, ai) = self.components.get(i).map_or(("0", 0), |c| (&**c, i));
            let (b, bi) = w.components.get(i).map_or(("0", 0), |c| (&**c, i));
            let o = cmp_component(a, ai, b, bi);
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = match (self.letter, w.letter) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(&b),
        };
        if o != Ordering::Equal {
            return o;
        }
        let n = self.suffixes.len().max(w.suffixes.len());
        for i in 0..n {
            let (aw, an) = self
                .suffixes
                .get(i)
                .map_or((NO_SUFFIX, "0"), |(w, n)| (*w, &**n));
            let (bw, bn) = w
                .suffixes
                .get(i)
                .map_or((NO_SUFFIX, "0"), |(w, n)| (*w, &**n));
            let o = aw.cmp(&bw).then_with(|| cmp_digits(an, bn));
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = cmp_digits(&self.build, &w.build);
        if o != Ordering::Equal {
            return o;
        }
        match (self.remainder.is_empty(), w.remainder.is_empty()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => Ordering::Equal,
        }
    }
}
super::ord_by_cmp!(ApkVersion);
