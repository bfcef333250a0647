//! Packagist (Composer): PHP's `version_compare` (php-src `ext/standard/versioning.c`): a
//! leading `v` dropped, `-`, `_` and `+` read as `.`, a `.` inserted between digits and
//! letters, then the pieces compared: numbers numerically, words by their special form
//! (`dev < alpha = a < beta = b < RC = rc < (number) < pl = p`).

use std::cmp::Ordering;

use super::num::{cmp_digits, is_number};

#[derive(Clone, Debug)]
pub(crate) struct PhpVersion {
    parts: Vec<Box<str>>,
}

impl PhpVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let s = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        let mut canon = String::with_capacity(s.len() * 2);
        let mut prev: Option<char> = None;
        for c in s.chars() {
            let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
            if let Some(p) = prev {
                let digit_to_other = p.is_ascii_digit() && !c.is_ascii_digit() && c != '.';
                let other_to_digit = !p.is_ascii_digit() && p != '.' && c.is_ascii_digit();
                if digit_to_other || other_to_digit {
                    canon.push('.');
                }
            }
            canon.push(c);
            prev = Some(c);
        }
        Self {
            parts: canon.split('.').map(Into::into).collect(),
        }
    }
}

/// The special-form weight of a non-numeric piece (prefix match, as php's `strncmp`).
fn weight(s: &str) -> u8 {
    if s.starts_with("RC") {
        return 3;
    }
    const SPECIALS: [&str; 6] = ["dev", "a", "b", "rc", "#", "p"];
    SPECIALS
        .iter()
        .position(|p| s.starts_with(p))
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

fn cmp_parts(a: &[Box<str>], b: &[Box<str>]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (is_number(x), is_number(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => weight(x).cmp(&weight(y)),
            (true, false) => weight("#").cmp(&weight(y)),
            (false, true) => weight(x).cmp(&weight("#")),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let hash: [Box<str>; 1] = ["#".into()];
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => {
            if is_number(&a[b.len()]) {
                Ordering::Greater
            } else {
                cmp_parts(&a[b.len()..], &hash)
            }
        }
        Ordering::Less => {
            if is_number(&b[a.len()]) {
                Ordering::Less
            } else {
                cmp_parts(&hash, &b[a.len()..])
            }
        }
    }
}

impl Ord for PhpVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}
super::ord_by_cmp!(PhpVersion);
