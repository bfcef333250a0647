//! PyPI: PEP 440 (<https://peps.python.org/pep-0440/>), as `packaging.version` parses and
//! orders it, plus the legacy versions of `packaging` < 22 (`LegacyVersion`), which sort
//! before every PEP 440 version and still occur in old OSV records.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

use super::num::{canonical_digits, cmp_digits, is_number};

/// `packaging.version.VERSION_PATTERN`, anchored, matched on the lower-cased string.
static PEP440: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, compiled by every test run: it cannot fail at run time.
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?x)^\s*v?
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?P<pre>[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
        (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
        (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        \s*$",
    )
    .expect("PEP 440 pattern compiles") // proven invariant: a constant pattern the tests compile
});

#[derive(Clone, Debug)]
pub(crate) enum PyPIVersion {
    /// Not PEP 440: `packaging` < 22's `LegacyVersion` key (epoch -1).
    Legacy(Vec<Box<str>>),
    Pep440(Pep440),
}

#[derive(Clone, Debug)]
pub(crate) struct Pep440 {
    epoch: Box<str>,
    /// Release numbers, trailing zeros removed (`1.0.0` = `1`).
    release: Vec<Box<str>>,
    /// (0 = a, 1 = b, 2 = rc; number).
    pre: Option<(u8, Box<str>)>,
    post: Option<Box<str>>,
    dev: Option<Box<str>>,
    local: Option<Vec<Box<str>>>,
}

impl PyPIVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let lower = s.to_ascii_lowercase();
        match PEP440.captures(&lower) {
            Some(c) => {
                let num = |name: &str| c.name(name).map(|m| canonical_digits(m.as_str()));
                let mut release: Vec<Box<str>> = c
                    .name("release")
                    .map_or("0", |m| m.as_str())
                    .split('.')
                    .map(canonical_digits)
                    .collect();
                while release.last().is_some_and(|r| &**r == "0") {
                    release.pop();
                }
                let pre = c.name("pre_l").map(|l| {
                    let kind = match l.as_str() {
                        "a" | "alpha" => 0,
                        "b" | "beta" => 1,
                        _ => 2,
                    };
                    (kind, num("pre_n").unwrap_or_else(|| "0".into()))
                });
                let post = if c.name("post").is_some() {
                    Some(
                        num("post_n1")
                            .or_else(|| num("post_n2"))
                            .unwrap_or_else(|| "0".into()),
                    )
                } else {
                    None
                };
                let dev = c
                    .name("dev")
                    .map(|_| num("dev_n").unwrap_or_else(|| "0".into()));
                let local = c.name("local").map(|l| {
                    l.as_str()
                        .split(['-', '_', '.'])
                        .map(|p| {
                            if is_number(p) {
                                canonical_digits(p)
                            } else {
                                p.into()
                            }
                        })
                        .collect()
                });
                Self::Pep440(Pep440 {
                    epoch: num("epoch").unwrap_or_else(|| "0".into()),
                    release,
                    pre,
                    post,
                    dev,
                    local,
                })
            }
            None => Self::Legacy(legacy_key(&lower)),
        }
    }
}

/// `packaging` 21's `_legacy_cmpkey` parts: numbers zero-filled to 8 digits, words prefixed
/// with `*`, pre-release words mapped (`pre`/`preview`/`rc` → `c`, `dev` → `@`), `-` →
/// `*final-`, trailing zeros of each numeric series dropped, and a final `*final`.
fn legacy_key(s: &str) -> Vec<Box<str>> {
    let mut raw: Vec<&str> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let mut gap = 0;
    while i < b.len() {
        let c = b[i];
        let end = if c.is_ascii_digit() {
            i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
        } else if c.is_ascii_lowercase() {
            i + b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count()
        } else if c == b'.' || c == b'-' {
            i + 1
        } else {
            i += 1;
            continue;
        };
        // `re.split` also yields the text between two matches.
        raw.push(&s[gap..i]);
        raw.push(&s[i..end]);
        i = end;
        gap = end;
    }
    raw.push(&s[gap..]);
    let mut parts: Vec<Box<str>> = Vec::new();
    let words = raw
        .into_iter()
        .map(|p| match p {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            p => p,
        })
        .filter(|p| !p.is_empty() && *p != ".")
        .map(|p| {
            if p.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{p:0>8}")
            } else {
                format!("*{p}")
            }
        })
        .chain(std::iter::once("*final".to_owned()));
    for part in words {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part.into());
    }
    parts
}

fn cmp_release(a: &[Box<str>], b: &[Box<str>]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// The pre-release key of `packaging`'s `_cmpkey`: a dev-only release sorts before every
/// pre-release, a release without pre-release after all of them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    Min,
    Pre(u8, Num<'a>),
    Max,
}

/// A digit string ordered numerically.
#[derive(PartialEq, Eq)]
struct Num<'a>(&'a str);

impl Ord for Num<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0, other.0)
    }
}

impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Pep440 {
    fn pre_key(&self) -> PreKey<'_> {
        match &self.pre {
            None if self.post.is_none() && self.dev.is_some() => PreKey::Min,
            None => PreKey::Max,
            Some((k, n)) => PreKey::Pre(*k, Num(n)),
        }
    }
}

fn cmp_local(a: &Option<Vec<Box<str>>>, b: &Option<Vec<Box<str>>>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => {
            for (x, y) in a.iter().zip(b) {
                // Numeric segments sort after alphanumeric ones.
                let o = match (is_number(x), is_number(y)) {
                    (true, true) => cmp_digits(x, y),
                    (false, false) => x.cmp(y),
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.len().cmp(&b.len())
        }
    }
}

impl Ord for Pep440 {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_digits(&self.epoch, &o.epoch)
            .then_with(|| cmp_release(&self.release, &o.release))
            .then_with(|| self.pre_key().cmp(&o.pre_key()))
            .then_with(|| {
                self.post
                    .as_deref()
                    .map(Num)
                    .cmp(&o.post.as_deref().map(Num))
            })
            .then_with(|| match (&self.dev, &o.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => cmp_digits(a, b),
            })
            .then_with(|| cmp_local(&self.local, &o.local))
    }
}
super::ord_by_cmp!(Pep440);

impl Ord for PyPIVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Legacy(a), Self::Legacy(b)) => a.cmp(b),
            (Self::Legacy(_), Self::Pep440(_)) => Ordering::Less,
            (Self::Pep440(_), Self::Legacy(_)) => Ordering::Greater,
            (Self::Pep440(a), Self::Pep440(b)) => a.cmp(b),
        }
    }
}
super::ord_by_cmp!(PyPIVersion);
