//! Artifact rules (in-toto specification §4.3.3) and the glob they match with.
//!
//! A rule is a list of strings in a layout, for example `["MATCH", "*", "IN", "src", "WITH",
//! "PRODUCTS", "FROM", "clone"]`. Keywords are case-insensitive, as in the reference
//! implementation (`in_toto.rulelib.unpack_rule`); patterns and paths are not.
//!
//! Patterns are Python `fnmatch` globs matched case-sensitively: `*` matches any run of
//! characters **including `/`**, `?` one character, `[seq]` / `[!seq]` a set. There is no
//! escape character (write `[*]` for a literal star).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits;

/// Errors from parsing an artifact rule.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The rule is empty or its first word is not a rule keyword.
    #[error("unknown artifact rule type {keyword:?}")]
    UnknownType {
        /// The first word (at most 64 characters).
        keyword: String,
    },
    /// The words after the keyword do not fit the rule's grammar.
    #[error("malformed {rule} rule: expected {expected}")]
    Malformed {
        /// The rule type.
        rule: &'static str,
        /// The grammar.
        expected: &'static str,
    },
    /// A pattern is longer than [`limits::MAX_PATTERN_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
}

/// Which side of a link a `MATCH` rule compares with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArtifactType {
    /// The other step's materials.
    Materials,
    /// The other step's products.
    Products,
}

impl ArtifactType {
    /// `MATERIALS` or `PRODUCTS`.
    pub const fn keyword(self) -> &'static str {
        match self {
            Self::Materials => "MATERIALS",
            Self::Products => "PRODUCTS",
        }
    }
}

/// One artifact rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArtifactRule {
    /// `MATCH pattern [IN src] WITH MATERIALS|PRODUCTS [IN dst] FROM step`: consumes queued
    /// artifacts whose hashes equal those of the same path (under `dst`) in `step`'s link.
    Match {
        /// The glob, matched against the path with `src/` removed.
        pattern: String,
        /// Source prefix (empty for none).
        src_prefix: String,
        /// Which side of the other link.
        dest_type: ArtifactType,
        /// Destination prefix (empty for none).
        dest_prefix: String,
        /// The step or inspection whose link is compared.
        dest_name: String,
    },
    /// `CREATE pattern`: consumes matched products that are not materials.
    Create(String),
    /// `DELETE pattern`: consumes matched materials that are not products.
    Delete(String),
    /// `MODIFY pattern`: consumes matched artifacts that are both materials and products with
    /// different hashes.
    Modify(String),
    /// `ALLOW pattern`: consumes every matched artifact.
    Allow(String),
    /// `DISALLOW pattern`: fails if any queued artifact matches.
    Disallow(String),
    /// `REQUIRE path`: fails unless the literal path is queued (consumes nothing).
    Require(String),
}

fn bounded(s: &str) -> String {
    s.chars().take(64).collect()
}

fn check_len(s: &str) -> Result<(), Error> {
    if s.len() > limits::MAX_PATTERN_LEN {
        return Err(supply_sig::limits::LimitExceeded::new(
            "artifact rule pattern",
            limits::MAX_PATTERN_LEN,
        )
        .with_actual(s.len())
        .into());
    }
    Ok(())
}

impl ArtifactRule {
    /// Parses the list-of-strings form of a layout.
    ///
    /// # Errors
    /// [`Error::UnknownType`], [`Error::Malformed`], [`Error::LimitExceeded`].
    pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<Self, Error> {
        let w: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
        for s in &w {
            check_len(s)?;
        }
        let Some(first) = w.first() else {
            return Err(Error::UnknownType {
                keyword: String::new(),
            });
        };
        let kw = first.to_ascii_lowercase();
        let generic = |ctor: fn(String) -> Self, rule: &'static str| match w.as_slice() {
            [_, p] => Ok(ctor((*p).to_owned())),
            _ => Err(Error::Malformed {
                rule,
                expected: "one pattern",
            }),
        };
        match kw.as_str() {
            "create" => generic(Self::Create, "CREATE"),
            "delete" => generic(Self::Delete, "DELETE"),
            "modify" => generic(Self::Modify, "MODIFY"),
            "allow" => generic(Self::Allow, "ALLOW"),
            "disallow" => generic(Self::Disallow, "DISALLOW"),
            "require" => generic(Self::Require, "REQUIRE"),
            "match" => Self::parse_match(&w),
            _ => Err(Error::UnknownType {
                keyword: bounded(first),
            }),
        }
    }

    fn parse_match(w: &[&str]) -> Result<Self, Error> {
        let malformed = Error::Malformed {
            rule: "MATCH",
            expected:
                "MATCH <pattern> [IN <prefix>] WITH (MATERIALS|PRODUCTS) [IN <prefix>] FROM <step>",
        };
        let is = |i: usize, k: &str| w.get(i).is_some_and(|s| s.eq_ignore_ascii_case(k));
        let get = |i: usize| w.get(i).map(|s| (*s).to_owned()).unwrap_or_default();
        // The four shapes of `in_toto.rulelib.unpack_rule`.
        let (src_prefix, ty, dest_prefix, dest_name) = match w.len() {
            10 if is(2, "IN") && is(4, "WITH") && is(6, "IN") && is(8, "FROM") => {
                (get(3), get(5), get(7), get(9))
            }
            8 if is(2, "IN") && is(4, "WITH") && is(6, "FROM") => {
                (get(3), get(5), String::new(), get(7))
            }
            8 if is(2, "WITH") && is(4, "IN") && is(6, "FROM") => {
                (String::new(), get(3), get(5), get(7))
            }
            6 if is(2, "WITH") && is(4, "FROM") => (String::new(), get(3), String::new(), get(5)),
            _ => return Err(malformed),
        };
        let dest_type = if ty.eq_ignore_ascii_case("materials") {
            ArtifactType::Materials
        } else if ty.eq_ignore_ascii_case("products") {
            ArtifactType::Products
        } else {
            return Err(malformed);
        };
        Ok(Self::Match {
            pattern: get(1),
            src_prefix,
            dest_type,
            dest_prefix,
            dest_name,
        })
    }

    /// The list-of-strings form written into layouts (keywords upper case).
    pub fn to_words(&self) -> Vec<String> {
        let g = |k: &str, p: &str| vec![k.to_owned(), p.to_owned()];
        match self {
            Self::Create(p) => g("CREATE", p),
            Self::Delete(p) => g("DELETE", p),
            Self::Modify(p) => g("MODIFY", p),
            Self::Allow(p) => g("ALLOW", p),
            Self::Disallow(p) => g("DISALLOW", p),
            Self::Require(p) => g("REQUIRE", p),
            Self::Match {
                pattern,
                src_prefix,
                dest_type,
                dest_prefix,
                dest_name,
            } => {
                let mut v = vec!["MATCH".to_owned(), pattern.clone()];
                if !src_prefix.is_empty() {
                    v.extend(["IN".to_owned(), src_prefix.clone()]);
                }
                v.extend(["WITH".to_owned(), dest_type.keyword().to_owned()]);
                if !dest_prefix.is_empty() {
                    v.extend(["IN".to_owned(), dest_prefix.clone()]);
                }
                v.extend(["FROM".to_owned(), dest_name.clone()]);
                v
            }
        }
    }

    /// The rule's keyword (`MATCH`, `CREATE`, ...).
    pub const fn keyword(&self) -> &'static str {
        match self {
            Self::Match { .. } => "MATCH",
            Self::Create(_) => "CREATE",
            Self::Delete(_) => "DELETE",
            Self::Modify(_) => "MODIFY",
            Self::Allow(_) => "ALLOW",
            Self::Disallow(_) => "DISALLOW",
            Self::Require(_) => "REQUIRE",
        }
    }
}

impl Serialize for ArtifactRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_words().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ArtifactRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let words = Vec::<String>::deserialize(d)?;
        Self::parse(&words).map_err(serde::de::Error::custom)
    }
}

/// Python `fnmatch.fnmatchcase`: `*` matches any run of characters (`/` included), `?` one
/// character, `[seq]`/`[!seq]` one character of (not of) the set, with `a-z` ranges; a `[`
/// without its `]` is a literal. Linear in the text for patterns with one star; at worst the
/// product of both lengths (no exponential backtracking).
pub fn fnmatch(pattern: &str, text: &str) -> bool {
    // Rules are matched against every artifact of every link: the common shapes go without
    // allocating, and ASCII (nearly every path) is matched byte by byte.
    // A slice pattern rather than `==`: no `memcmp` call per artifact for the commonest rule.
    if let [b'*'] = pattern.as_bytes() {
        return true;
    }
    if !pattern.contains(['*', '?', '[']) {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        return glob(pattern.as_bytes(), text.as_bytes());
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob(&p, &t)
}

/// [`fnmatch`] over characters (`char`, or bytes when both sides are ASCII).
fn glob<T: Copy + Ord + From<u8>>(p: &[T], t: &[T]) -> bool {
    let (star_c, any_c, open_c) = (T::from(b'*'), T::from(b'?'), T::from(b'['));
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position after the last star in the pattern and the text position it matched up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        let step = match p.get(pi) {
            Some(&c) if c == star_c => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some(&c) if c == any_c => Some(pi + 1),
            Some(&c) if c == open_c => match class(p, pi, tc) {
                Some((true, next)) => Some(next),
                Some((false, _)) => None,
                // No closing bracket: a literal `[`.
                None => (tc == open_c).then_some(pi + 1),
            },
            Some(&c) => (c == tc).then_some(pi + 1),
            None => None,
        };
        match step {
            Some(next) => {
                pi = next;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|&c| c == star_c)
}

/// Matches `c` against the class starting at `p[start] == '['`; returns whether it matched and
/// the index after the class, or `None` when the class is not closed.
fn class<T: Copy + Ord + From<u8>>(p: &[T], start: usize, c: T) -> Option<(bool, usize)> {
    let (bang, close, dash) = (T::from(b'!'), T::from(b']'), T::from(b'-'));
    let mut i = start + 1;
    let negate = p.get(i) == Some(&bang);
    if negate {
        i += 1;
    }
    let first = i;
    let mut matched = false;
    loop {
        let ch = *p.get(i)?;
        // A `]` right after `[` or `[!` is a member, as in Python.
        if ch == close && i > first {
            return Some((matched != negate, i + 1));
        }
        if p.get(i + 1) == Some(&dash) && p.get(i + 2).is_some_and(|&e| e != close) {
            let hi = *p.get(i + 2)?;
            if ch <= c && c <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if ch == c {
                matched = true;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn globs_as_python_fnmatchcase() {
        for (p, t, want) in [
            ("*", "a/b/c", true),
            ("src/*", "src/a/b", true),
            ("*.py", "dir/foo.py", true),
            ("foo.py", "foo.py", true),
            ("foo.py", "Foo.py", false),
            ("f?o", "foo", true),
            ("f?o", "fo", false),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[a-c]x", "cx", true),
            ("[]]", "]", true),
            ("[", "[", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("", "", true),
            ("", "a", false),
            ("**", "", true),
            // Non-ASCII: one character, not one byte.
            ("?", "é", true),
            ("??", "é", false),
            ("[é]x", "éx", true),
            ("*é", "aé", true),
            ("a?c", "aéc", true),
        ] {
            assert_eq!(fnmatch(p, t), want, "{p:?} {t:?}");
        }
    }

    #[test]
    fn rules_parse_and_print() {
        let r = ArtifactRule::parse(&[
            "match", "*", "in", "src", "with", "products", "from", "clone",
        ])
        .unwrap();
        assert_eq!(
            r,
            ArtifactRule::Match {
                pattern: "*".into(),
                src_prefix: "src".into(),
                dest_type: ArtifactType::Products,
                dest_prefix: String::new(),
                dest_name: "clone".into()
            }
        );
        assert_eq!(
            r.to_words(),
            ["MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "clone"]
        );
        for bad in [
            vec![],
            vec!["CREATE"],
            vec!["CREATE", "a", "b"],
            vec!["FROB", "a"],
            vec!["MATCH", "a", "WITH", "THINGS", "FROM", "x"],
            vec!["MATCH", "a", "WITH", "PRODUCTS", "TO", "x"],
        ] {
            assert!(ArtifactRule::parse(&bad).is_err(), "{bad:?}");
        }
    }
}
