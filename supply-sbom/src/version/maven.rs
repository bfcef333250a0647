//! Maven: the version order specification of the POM reference
//! (<https://maven.apache.org/pom.html#Version_Order_Specification>), which `ComparableVersion`
//! implements: tokens split at `.`, `-` and digit/letter transitions (a transition counts as
//! `-`), empty tokens are `0`, trailing null tokens (`0`, `""`, `final`, `ga`, `release`)
//! trimmed before each `-`, qualifiers `alpha < beta < milestone < rc = cr < snapshot < "" <
//! sp < others (alphabetical)`, and `.qualifier < -qualifier < -number < .number`.

use std::cmp::Ordering;

use super::num::{canonical_digits, cmp_digits, is_number};

#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    /// `.` or `-` (the first token counts as `.`).
    dash: bool,
    /// Lower-cased; canonical digits for numbers; aliases resolved.
    value: Box<str>,
    /// A padding token added by the comparison.
    null: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct MavenVersion {
    tokens: Vec<Token>,
}

const KEYWORDS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn keyword_rank(v: &str) -> usize {
    KEYWORDS
        .iter()
        .position(|k| *k == v)
        .unwrap_or(KEYWORDS.len())
}

impl Token {
    fn is_trimmable(&self) -> bool {
        matches!(&*self.value, "0" | "" | "final" | "ga")
    }

    /// `.qualifier` < `-qualifier` < `-number` < `.number`.
    fn kind_rank(&self) -> u8 {
        match (is_number(&self.value), self.dash) {
            (false, false) => 0,
            (false, true) => 1,
            (true, true) => 2,
            (true, false) => 3,
        }
    }

    /// The null token a shorter version is padded with, against `other`.
    fn null_for(other: &Self) -> Self {
        let value = if other.dash || &*other.value == "sp" {
            // `sp` is the one qualifier after the release: against it, `.` pads as "".
            ""
        } else {
            "0"
        };
        Self {
            dash: other.dash,
            value: value.into(),
            null: true,
        }
    }

    fn cmp_to(&self, w: &Self) -> Ordering {
        if self.dash == w.dash && self.value == w.value {
            return Ordering::Equal;
        }
        if self.dash != w.dash {
            return self.kind_rank().cmp(&w.kind_rank());
        }
        let (vn, wn) = (is_number(&self.value), is_number(&w.value));
        if vn && wn {
            return cmp_digits(&self.value, &w.value);
        }
        // Numbers sort after qualifiers, unless they are padding.
        if vn && !self.null {
            return Ordering::Greater;
        }
        if wn && !w.null {
            return Ordering::Less;
        }
        let (a, b) = (keyword_rank(&self.value), keyword_rank(&w.value));
        if a == KEYWORDS.len() && b == KEYWORDS.len() {
            self.value.cmp(&w.value)
        } else {
            a.cmp(&b)
        }
    }
}

impl MavenVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let lower = s.to_ascii_lowercase();
        let mut tokens: Vec<Token> = Vec::new();
        let mut pieces_of: Vec<(bool, &str)> = Vec::new();
        let mut from = 0;
        let mut dash = false;
        for (i, c) in lower.char_indices() {
            if c == '.' || c == '-' {
                pieces_of.push((dash, &lower[from..i]));
                dash = c == '-';
                from = i + 1;
            }
        }
        pieces_of.push((dash, &lower[from..]));
        for (dash, raw) in pieces_of {
            let mut start = 0;
            let bytes = raw.as_bytes();
            let mut pieces: Vec<(&str, bool)> = Vec::new();
            for i in 1..=bytes.len() {
                let boundary =
                    i == bytes.len() || bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit();
                if boundary {
                    pieces.push((&raw[start..i], i != bytes.len()));
                    start = i;
                }
            }
            if pieces.is_empty() {
                pieces.push(("", false));
            }
            for (j, (piece, followed_by_transition)) in pieces.into_iter().enumerate() {
                let token_dash = if j > 0 { true } else { dash };
                let value: Box<str> = match piece {
                    "" => "0".into(),
                    "cr" => "rc".into(),
                    "ga" | "final" | "release" => "".into(),
                    "a" if followed_by_transition => "alpha".into(),
                    "b" if followed_by_transition => "beta".into(),
                    "m" if followed_by_transition => "milestone".into(),
                    p if is_number(p) => canonical_digits(p),
                    p => p.into(),
                };
                tokens.push(Token {
                    dash: token_dash,
                    value,
                    null: false,
                });
            }
        }
        // Trim trailing nulls, then again before each remaining `-`, from the end.
        let mut i = tokens.len().saturating_sub(1);
        while i > 0 {
            if tokens[i].is_trimmable() {
                tokens.remove(i);
                i -= 1;
                continue;
            }
            while tokens.get(i).is_some_and(|t| !t.dash) {
                if i == 0 {
                    break;
                }
                i -= 1;
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        Self { tokens }
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.tokens, &other.tokens);
        for i in 0..a.len().max(b.len()) {
            let left;
            let right;
            let l = match a.get(i) {
                Some(t) => t,
                None => {
                    left = Token::null_for(&b[i]);
                    &left
                }
            };
            let r = match b.get(i) {
                Some(t) => t,
                None => {
                    right = Token::null_for(&a[i]);
                    &right
                }
            };
            let o = l.cmp_to(r);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
super::ord_by_cmp!(MavenVersion);
