//! A license and package policy: denied and allowed licenses, copyleft families, blocked
//! packages. Its verdict names the package and the expression that failed.
//!
//! Semantics (the test data's policy cases): an expression is allowed when SOME choice of its
//! `OR` branches avoids every denied license (and, with an allow list, uses only allowed ones).
//! Ids compare case-insensitively after mapping deprecated ids to current ones (`AGPL-3.0` →
//! `AGPL-3.0-only`, `AGPL-3.0+` → `AGPL-3.0-or-later`), so "deny AGPL-3.0-or-later" also
//! catches `AGPL-3.0+` and `agpl-3.0-or-later`. A `WITH` exception does not remove its base
//! license. `LicenseRef-`s are opaque: never matched by name, reported for review.
//! `NOASSERTION`/`NONE` give [`LicenseVerdict::Unknown`], never a silent pass.
//!
//! ```
//! use supply_sbom::license::{policy::{LicenseVerdict, Policy}, Expression};
//!
//! let policy = Policy::new().deny("AGPL-3.0-or-later")?;
//! let v = policy.check_expression(&Expression::parse("AGPL-3.0+ OR MIT")?);
//! assert!(matches!(v, LicenseVerdict::Allowed { ref choice, .. } if choice == "MIT"));
//! let v = policy.check_expression(&Expression::parse("AGPL-3.0+ AND MIT")?);
//! assert!(matches!(v, LicenseVerdict::Denied { ref licenses } if licenses == &["AGPL-3.0-or-later"]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;

use super::{list, Expr, Expression, LicenseField, SimpleLicense};
use crate::purl::Purl;
use crate::version::Scheme;

/// Why a policy could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A denied or allowed id is neither on the SPDX License List nor a `LicenseRef-`.
    #[error("`{id}` is not an SPDX license id")]
    UnknownLicense {
        /// The id as written.
        id: String,
    },
    /// An unknown copyleft family name.
    #[error("unknown license family `{name}` (network-copyleft, strong-copyleft, weak-copyleft)")]
    UnknownFamily {
        /// The name as written.
        name: String,
    },
    /// A blocked-package rule does not parse.
    #[error("invalid blocked-package rule `{rule}`")]
    BadBlockRule {
        /// The rule as written.
        rule: String,
    },
    /// The policy document is not valid JSON of the expected shape.
    #[error("invalid policy document")]
    Json(#[from] serde_json::Error),
}

/// A family of licenses with a shared obligation, for "deny all strong copyleft".
///
/// Membership is by SPDX id prefix, listed in [`Family::contains`]; it is a convenience for
/// the common families, not legal advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// Copyleft that reaches use over a network: AGPL, SSPL.
    NetworkCopyleft,
    /// Copyleft over the whole combined work: GPL, AGPL, SSPL, EUPL, OSL, CECILL (not -B/-C).
    StrongCopyleft,
    /// File- or library-level copyleft: LGPL, MPL, EPL, CDDL, CPL, MS-RL, CECILL-C.
    WeakCopyleft,
}

impl Family {
    /// Parses `network-copyleft`, `strong-copyleft` or `weak-copyleft`.
    ///
    /// # Errors
    /// [`Error::UnknownFamily`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "network-copyleft" => Ok(Self::NetworkCopyleft),
            "strong-copyleft" => Ok(Self::StrongCopyleft),
            "weak-copyleft" => Ok(Self::WeakCopyleft),
            _ => Err(Error::UnknownFamily { name: s.into() }),
        }
    }

    /// Whether the (current, list-cased) license id belongs to the family.
    pub fn contains(self, id: &str) -> bool {
        let prefixes: &[&str] = match self {
            Self::NetworkCopyleft => &["AGPL-", "SSPL-"],
            Self::StrongCopyleft => &[
                "GPL-", "AGPL-", "SSPL-", "EUPL-", "OSL-", "CECILL-1", "CECILL-2",
            ],
            Self::WeakCopyleft => &[
                "LGPL-", "MPL-", "EPL-", "CDDL-", "CPL-", "MS-RL", "CECILL-C",
            ],
        };
        prefixes.iter().any(|p| id.starts_with(p))
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NetworkCopyleft => "network-copyleft",
            Self::StrongCopyleft => "strong-copyleft",
            Self::WeakCopyleft => "weak-copyleft",
        })
    }
}

/// The verdict on one license field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LicenseVerdict {
    /// Some choice of `OR` branches passes.
    Allowed {
        /// The chosen licenses, joined by ` AND ` (`MIT AND Apache-2.0`).
        choice: String,
        /// `LicenseRef-`s in the choice: opaque, to be reviewed by a person.
        review: Vec<String>,
    },
    /// Every choice uses a denied (or, with an allow list, an unlisted) license.
    Denied {
        /// The licenses that blocked every choice (current ids, or as written).
        licenses: Vec<String>,
    },
    /// Nothing to decide on.
    Unknown(Unknown),
}

/// Why a license verdict is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unknown {
    /// The field is `NOASSERTION` or missing.
    NoAssertion,
    /// The field is `NONE`: the package states no license.
    NoLicense,
}

/// A blocked package: a name (or purl without version) and an optional version range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRule {
    rule: String,
    purl: Option<Purl>,
    name: String,
    range: VersionRange,
}

/// A version constraint, compared in the package's own ecosystem order (see
/// [`BlockRule::matches`]):
///
/// * `*` (or nothing): every version;
/// * comparators joined by `,`, all of which must hold: `1.2.3`, `=1.2.3`, `<2.17.1`,
///   `>=2.0.0,<2.17.1`, `!=1.0`;
/// * a purl-spec VERS range, `vers:<scheme>/<constraints>` with constraints joined by `|`
///   (`vers:npm/>=1.0.0|<2.0.0|!=1.5.0`, `vers:pypi/*`), evaluated by the VERS algorithm
///   (sorted constraints read as intervals). Its scheme names the order (a purl type, or
///   `semver`/`generic`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    comparators: Vec<(Op, String)>,
    /// `Some` for a VERS range: its versioning scheme (`None` inside = `generic`).
    vers: Option<Option<Scheme>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn comparator(part: &str) -> (Op, &str) {
    let (op, v) = if let Some(v) = part.strip_prefix(">=") {
        (Op::Ge, v)
    } else if let Some(v) = part.strip_prefix("<=") {
        (Op::Le, v)
    } else if let Some(v) = part.strip_prefix("!=") {
        (Op::Ne, v)
    } else if let Some(v) = part.strip_prefix('>') {
        (Op::Gt, v)
    } else if let Some(v) = part.strip_prefix('<') {
        (Op::Lt, v)
    } else if let Some(v) = part.strip_prefix('=') {
        (Op::Eq, v)
    } else {
        (Op::Eq, part)
    };
    (op, v.trim())
}

/// The version order of a purl type (also the VERS versioning-scheme names).
fn scheme_of_purl_type(ty: &str) -> Option<Scheme> {
    Some(match ty {
        "cargo" => Scheme::CratesIo,
        "npm" => Scheme::Npm,
        "pypi" => Scheme::PyPI,
        "golang" => Scheme::Go,
        "maven" => Scheme::Maven,
        "gem" => Scheme::RubyGems,
        "nuget" => Scheme::NuGet,
        "deb" => Scheme::Debian,
        "apk" | "alpine" => Scheme::Alpine,
        "rpm" => Scheme::Rpm,
        "composer" => Scheme::Packagist,
        "pub" => Scheme::Pub,
        "hex" => Scheme::Hex,
        "cran" => Scheme::Cran,
        "hackage" => Scheme::Hackage,
        "semver" | "swift" => Scheme::SemVer,
        _ => return None,
    })
}

/// Compares in `scheme`'s order, or the generic order without one; `None` when a version is
/// not one of the scheme.
fn cmp_in(scheme: Option<Scheme>, a: &str, b: &str) -> Option<Ordering> {
    match scheme {
        Some(s) => crate::version::compare(s, a, b).ok(),
        None => Some(compare_versions(a, b)),
    }
}

impl VersionRange {
    /// Parses `*`, `1.2.3`, `=1.2.3`, `<2.17.1`, `>=2.0.0,<2.17.1`, `!=1.0`, or a VERS range
    /// `vers:npm/>=1.0.0|<2.0.0`.
    ///
    /// # Errors
    /// [`Error::BadBlockRule`] for an empty comparator, or a VERS range with an unknown
    /// scheme, no constraints, or `*` next to other constraints.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::BadBlockRule { rule: s.into() };
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("vers:") {
            let (scheme, constraints) = rest.split_once('/').ok_or_else(bad)?;
            let scheme = scheme.to_ascii_lowercase();
            let scheme = match scheme.as_str() {
                "generic" => None,
                other => Some(scheme_of_purl_type(other).ok_or_else(bad)?),
            };
            let constraints = constraints.trim();
            if constraints == "*" {
                return Ok(Self {
                    comparators: Vec::new(),
                    vers: Some(scheme),
                });
            }
            let mut comparators = Vec::new();
            for part in constraints.split('|') {
                let part = part.trim();
                if part == "*" {
                    return Err(bad());
                }
                let (op, v) = comparator(part);
                if v.is_empty() {
                    return Err(bad());
                }
                comparators.push((op, v.to_string()));
            }
            return Ok(Self {
                comparators,
                vers: Some(scheme),
            });
        }
        if s.is_empty() || s == "*" {
            return Ok(Self {
                comparators: Vec::new(),
                vers: None,
            });
        }
        let mut comparators = Vec::new();
        for part in s.split(',') {
            let (op, v) = comparator(part.trim());
            if v.is_empty() {
                return Err(bad());
            }
            comparators.push((op, v.to_string()));
        }
        Ok(Self {
            comparators,
            vers: None,
        })
    }

    /// Whether every version is in the range.
    pub fn is_any(&self) -> bool {
        self.comparators.is_empty()
    }

    /// Whether `version` is in the range in the generic order of [`compare_versions`] (a VERS
    /// range uses its own scheme). A missing version only matches `*`.
    pub fn matches(&self, version: Option<&str>) -> bool {
        self.matches_in(None, version)
    }

    /// Whether `version` is in the range, compared in `scheme`'s order (a VERS range's own
    /// scheme wins; `None` = the generic order). Fails closed: a version the order cannot
    /// compare is in the range, so a blocked package is never let through by an odd version
    /// string. A missing version only matches `*`.
    pub fn matches_in(&self, scheme: Option<Scheme>, version: Option<&str>) -> bool {
        let Some(v) = version else {
            return self.comparators.is_empty();
        };
        if self.comparators.is_empty() {
            return true;
        }
        match self.vers {
            Some(vers_scheme) => self.vers_contains(vers_scheme, v).unwrap_or(true),
            None => self.comparators.iter().all(|(op, bound)| {
                let Some(o) = cmp_in(scheme, v, bound) else {
                    return true;
                };
                match op {
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Gt => o == Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                }
            }),
        }
    }

    /// The VERS containment algorithm (purl-spec VERS, "Checking if a version is contained
    /// within a range"); `None` when a version does not compare.
    fn vers_contains(&self, scheme: Option<Scheme>, v: &str) -> Option<bool> {
        let mut rest = Vec::new();
        for (op, bound) in &self.comparators {
            if cmp_in(scheme, v, bound)? == Ordering::Equal {
                match op {
                    Op::Eq | Op::Le | Op::Ge => return Some(true),
                    Op::Ne => return Some(false),
                    Op::Lt | Op::Gt => {}
                }
            }
            if !matches!(op, Op::Eq | Op::Ne) {
                rest.push((*op, bound.as_str()));
            }
        }
        if rest.is_empty() {
            return Some(false);
        }
        let mut failed = false;
        rest.sort_by(|a, b| {
            cmp_in(scheme, a.1, b.1).unwrap_or_else(|| {
                failed = true;
                Ordering::Equal
            })
        });
        if failed {
            return None;
        }
        let below = |op: Op| matches!(op, Op::Lt | Op::Le);
        let above = |op: Op| matches!(op, Op::Gt | Op::Ge);
        let (first_op, first_v) = rest[0];
        if below(first_op) && cmp_in(scheme, v, first_v)? == Ordering::Less {
            return Some(true);
        }
        let (last_op, last_v) = rest[rest.len() - 1];
        if above(last_op) && cmp_in(scheme, v, last_v)? == Ordering::Greater {
            return Some(true);
        }
        for pair in rest.windows(2) {
            let [(op, lo), (next_op, hi)] = pair else {
                continue;
            };
            if above(*op)
                && below(*next_op)
                && cmp_in(scheme, v, lo)? == Ordering::Greater
                && cmp_in(scheme, v, hi)? == Ordering::Less
            {
                return Some(true);
            }
        }
        Some(false)
    }
}

/// A generic version order for block rules: a leading `v` is ignored, then runs of digits
/// compare numerically and other runs as text, a shorter version that is a prefix being
/// lower (`1.2` < `1.2.1`), and a pre-release tail after `-` lower than none
/// (`1.0.0-rc1` < `1.0.0`). Ecosystem-exact orders are the `version` module's job.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn split(v: &str) -> (&str, Option<&str>) {
        let v = v.strip_prefix('v').unwrap_or(v);
        match v.split_once('-') {
            Some((m, pre)) if m.contains('.') => (m, Some(pre)),
            _ => (v, None),
        }
    }
    fn cmp_runs(a: &str, b: &str) -> Ordering {
        let ra = runs(a);
        let rb = runs(b);
        for (x, y) in ra.iter().zip(rb.iter()) {
            let o = match (x.parse::<u128>(), y.parse::<u128>()) {
                (Ok(m), Ok(n)) => m.cmp(&n),
                (Ok(_), Err(_)) => Ordering::Greater,
                (Err(_), Ok(_)) => Ordering::Less,
                (Err(_), Err(_)) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        ra.len().cmp(&rb.len())
    }
    fn runs(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = None;
        let mut digit = false;
        for (i, c) in s.char_indices() {
            if c.is_ascii_alphanumeric() {
                let d = c.is_ascii_digit();
                match start {
                    Some(st) if d != digit => {
                        out.push(&s[st..i]);
                        start = Some(i);
                    }
                    None => start = Some(i),
                    _ => {}
                }
                digit = d;
            } else if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
        }
        if let Some(st) = start {
            out.push(&s[st..]);
        }
        out
    }
    let (ma, pa) = split(a);
    let (mb, pb) = split(b);
    match cmp_runs(ma, mb) {
        Ordering::Equal => match (pa, pb) {
            (None, None) => Ordering::Equal,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => cmp_runs(x, y),
        },
        o => o,
    }
}

impl BlockRule {
    /// Parses `name`, `name@VERSION`, `name@RANGE` (`lodash@<4.17.21`), or a purl with an
    /// optional version or range (`pkg:npm/minimist@<1.2.6`,
    /// `pkg:maven/org.apache.logging.log4j/log4j-core@>=2.0.0,<2.17.1`); any range may be a
    /// VERS range (`pkg:npm/lodash@vers:npm/>=4.0.0|<4.17.21`, `lodash@vers:npm/<4.17.21`), or
    /// sit in a purl's `vers` qualifier (`pkg:npm/lodash?vers=vers:npm/%3C4.17.21`). See
    /// [`VersionRange`].
    ///
    /// # Errors
    /// [`Error::BadBlockRule`].
    pub fn parse(rule: &str) -> Result<Self, Error> {
        let bad = || Error::BadBlockRule { rule: rule.into() };
        let rule = rule.trim();
        if rule.starts_with("pkg:") {
            // The range may hold `<`, `>`, `=`, `,`, `|` and (VERS) `/`: split it off before
            // purl parsing.
            let (head, range) = if let Some(at) = rule.find("@vers:") {
                (&rule[..at], &rule[at + 1..])
            } else {
                let last_slash = rule.rfind('/').ok_or_else(bad)?;
                match rule[last_slash..].find('@') {
                    Some(at) => (&rule[..last_slash + at], &rule[last_slash + at + 1..]),
                    None => (rule, "*"),
                }
            };
            let purl = Purl::parse(head).map_err(|_| bad())?;
            // A `vers` qualifier carries the range in the purl itself.
            let range = match (range, purl.qualifier("vers")) {
                ("*", Some(q)) => q,
                (_, Some(_)) => return Err(bad()),
                (r, None) => r,
            };
            return Ok(Self {
                rule: rule.into(),
                name: purl.full_name(),
                range: VersionRange::parse(range).map_err(|_| bad())?,
                purl: Some(purl.without_version()),
            });
        }
        // `@scope/name@1.0`: the version is after the last `@` that is not the first byte.
        let skip = rule.chars().next().map_or(0, char::len_utf8);
        let (name, range) = match rule[skip..]
            .find("@vers:")
            .or_else(|| rule[skip..].rfind('@'))
        {
            Some(i) => (&rule[..skip + i], &rule[skip + i + 1..]),
            None => (rule, "*"),
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            rule: rule.into(),
            purl: None,
            name: name.into(),
            range: VersionRange::parse(range).map_err(|_| bad())?,
        })
    }

    /// The rule as written.
    pub fn as_str(&self) -> &str {
        &self.rule
    }

    /// Whether the rule blocks a package. A purl rule compares package identity (type,
    /// namespace, name, canonical); a name rule compares the name, or `namespace/name`.
    /// Versions compare in the ecosystem's own order (the `version` module's), chosen by the
    /// range's VERS scheme, else the package's purl type, else the rule's purl type; the
    /// generic [`compare_versions`] order only when none is known. A version the order
    /// cannot read is treated as in range (fail closed).
    pub fn matches(&self, pkg: &PackageId<'_>) -> bool {
        let named = match (&self.purl, pkg.purl) {
            (Some(rule), Some(p)) => rule == &p.without_version(),
            (Some(_), None) => false,
            (None, Some(p)) => p.full_name() == self.name || p.name() == self.name,
            (None, None) => pkg.name == self.name,
        };
        if !named {
            return false;
        }
        let version = pkg.version.or_else(|| pkg.purl.and_then(Purl::version));
        let scheme = pkg
            .purl
            .or(self.purl.as_ref())
            .and_then(|p| scheme_of_purl_type(p.ty()));
        self.range.matches_in(scheme, version)
    }

    /// The version range.
    pub fn range(&self) -> &VersionRange {
        &self.range
    }
}

/// What the policy needs to know of a package.
#[derive(Debug, Clone, Copy)]
pub struct PackageId<'a> {
    /// The package name.
    pub name: &'a str,
    /// Its version.
    pub version: Option<&'a str>,
    /// Its purl, when known.
    pub purl: Option<&'a Purl>,
}

impl fmt::Display for PackageId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            Some(v) => write!(f, "{}@{v}", self.name),
            None => f.write_str(self.name),
        }
    }
}

/// One policy violation (or item to review) of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `name@version` of the package.
    pub package: String,
    /// The package's purl, canonical, when known.
    pub purl: Option<String>,
    /// What is wrong.
    pub kind: FindingKind,
}

/// What a [`Finding`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// The license expression fails the policy.
    LicenseDenied {
        /// Which field (`concluded`, `declared`).
        field: &'static str,
        /// The expression, canonical.
        expression: String,
        /// The licenses that blocked every choice.
        licenses: Vec<String>,
    },
    /// No license information to decide on (`NOASSERTION`, `NONE`, missing, unparsable).
    LicenseUnknown {
        /// What the field held, as written (`NOASSERTION`, `NONE`, empty when missing).
        value: String,
    },
    /// The package passes only through opaque `LicenseRef-`s: review them.
    LicenseReview {
        /// The references.
        refs: Vec<String>,
    },
    /// A blocked-package rule matched.
    Blocked {
        /// The rule as written.
        rule: String,
    },
}

impl Finding {
    /// Whether the finding breaks the policy (everything but a license to review).
    pub fn is_violation(&self) -> bool {
        !matches!(self.kind, FindingKind::LicenseReview { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FindingKind::LicenseDenied {
                field,
                expression,
                licenses,
            } => write!(
                f,
                "{}: {field} license `{expression}` is denied ({})",
                self.package,
                licenses.join(", ")
            ),
            FindingKind::LicenseUnknown { value } if value.is_empty() => {
                write!(f, "{}: no license information", self.package)
            }
            FindingKind::LicenseUnknown { value } => {
                write!(f, "{}: license is {value}", self.package)
            }
            FindingKind::LicenseReview { refs } => write!(
                f,
                "{}: review license references {}",
                self.package,
                refs.join(", ")
            ),
            FindingKind::Blocked { rule } => {
                write!(f, "{}: blocked by rule `{rule}`", self.package)
            }
        }
    }
}

/// A license and package policy; build with [`Policy::new`] and the `deny`/`allow`/`block`
/// methods, or read one from JSON with [`Policy::from_json`].
#[derive(Debug, Clone, Default)]
pub struct Policy {
    deny: Vec<String>,
    allow: Option<Vec<String>>,
    families: Vec<Family>,
    blocked: Vec<BlockRule>,
    unknown_is_violation: bool,
}

/// The JSON policy document:
/// `{"deny": [ids], "allow": [ids], "denyFamilies": [names], "blocked": [rules],
/// "failOnUnknown": bool}`, every key optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyDoc {
    #[serde(default)]
    deny: Vec<String>,
    allow: Option<Vec<String>>,
    #[serde(default)]
    deny_families: Vec<String>,
    #[serde(default)]
    blocked: Vec<String>,
    #[serde(default = "default_true")]
    fail_on_unknown: bool,
}

fn default_true() -> bool {
    true
}

/// The key licenses compare by: the current list id, lowercased; references as written.
fn policy_key(id: &str) -> Result<String, Error> {
    if id.starts_with("LicenseRef-") || id.starts_with("DocumentRef-") {
        return Ok(id.to_string());
    }
    let e = Expression::parse(id).map_err(|_| Error::UnknownLicense { id: id.into() })?;
    match e.root {
        Expr::License(l) => Ok(leaf_key(&l)),
        _ => Err(Error::UnknownLicense { id: id.into() }),
    }
}

fn leaf_key(l: &SimpleLicense) -> String {
    match l.current_id() {
        Some(id) => id.to_ascii_lowercase(),
        None => l.to_string(),
    }
}

fn leaf_name(l: &SimpleLicense) -> String {
    match l.current_id() {
        Some(id) => id.to_string(),
        None => l.to_string(),
    }
}

impl Policy {
    /// An empty policy: everything allowed, unknown licenses reported.
    pub fn new() -> Self {
        Self {
            unknown_is_violation: true,
            ..Self::default()
        }
    }

    /// Reads the JSON policy document (see the crate README).
    ///
    /// # Errors
    /// [`Error`] for bad JSON, unknown ids, families or rules.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let doc: PolicyDoc = serde_json::from_slice(bytes)?;
        let mut p = Self::new();
        for d in &doc.deny {
            p = p.deny(d)?;
        }
        if let Some(a) = &doc.allow {
            p.allow = Some(Vec::new());
            for id in a {
                p = p.allow(id)?;
            }
        }
        for f in &doc.deny_families {
            p = p.deny_family(Family::parse(f)?);
        }
        for b in &doc.blocked {
            p = p.block(b)?;
        }
        p.unknown_is_violation = doc.fail_on_unknown;
        Ok(p)
    }

    /// Denies a license (deprecated ids and `+` forms map to current ids).
    ///
    /// # Errors
    /// [`Error::UnknownLicense`].
    pub fn deny(mut self, id: &str) -> Result<Self, Error> {
        self.deny.push(policy_key(id)?);
        Ok(self)
    }

    /// Adds a license to the allow list; once there is an allow list, every license not on it
    /// is denied.
    ///
    /// # Errors
    /// [`Error::UnknownLicense`].
    pub fn allow(mut self, id: &str) -> Result<Self, Error> {
        let key = policy_key(id)?;
        self.allow.get_or_insert_with(Vec::new).push(key);
        Ok(self)
    }

    /// Denies a whole family.
    #[must_use]
    pub fn deny_family(mut self, family: Family) -> Self {
        self.families.push(family);
        self
    }

    /// Blocks packages (see [`BlockRule::parse`]).
    ///
    /// # Errors
    /// [`Error::BadBlockRule`].
    pub fn block(mut self, rule: &str) -> Result<Self, Error> {
        self.blocked.push(BlockRule::parse(rule)?);
        Ok(self)
    }

    /// Whether `NOASSERTION`/`NONE`/missing licenses are violations (default true) or only
    /// reported as such by [`LicenseVerdict::Unknown`].
    #[must_use]
    pub fn with_unknown_is_violation(mut self, yes: bool) -> Self {
        self.unknown_is_violation = yes;
        self
    }

    /// Whether unknown licenses count as violations.
    pub fn unknown_is_violation(&self) -> bool {
        self.unknown_is_violation
    }

    fn leaf_ok(&self, l: &SimpleLicense) -> bool {
        let key = leaf_key(l);
        if self.deny.contains(&key) {
            return false;
        }
        if let Some(id) = l.current_id() {
            if self.families.iter().any(|f| f.contains(id)) {
                return false;
            }
        }
        match &self.allow {
            Some(allow) => allow.contains(&key),
            None => true,
        }
    }

    /// Chooses OR branches: `Ok(leaves)` of a passing choice, `Err(blocking ids)`.
    fn choose<'e>(&self, e: &'e Expr) -> Result<Vec<&'e Expr>, Vec<String>> {
        match e {
            Expr::License(l) | Expr::With(l, _) => {
                if self.leaf_ok(l) {
                    Ok(vec![e])
                } else {
                    Err(vec![leaf_name(l)])
                }
            }
            Expr::And(items) => {
                let mut chosen = Vec::new();
                let mut blocked = Vec::new();
                for c in items {
                    match self.choose(c) {
                        Ok(v) => chosen.extend(v),
                        Err(b) => merge(&mut blocked, b),
                    }
                }
                if blocked.is_empty() {
                    Ok(chosen)
                } else {
                    Err(blocked)
                }
            }
            Expr::Or(items) => {
                let mut blocked = Vec::new();
                for c in items {
                    match self.choose(c) {
                        Ok(v) => return Ok(v),
                        Err(b) => merge(&mut blocked, b),
                    }
                }
                Err(blocked)
            }
        }
    }

    /// Judges one expression.
    pub fn check_expression(&self, e: &Expression) -> LicenseVerdict {
        match self.choose(&e.root) {
            Ok(leaves) => {
                let mut review = Vec::new();
                for l in &leaves {
                    if let Expr::License(s @ SimpleLicense::Ref { .. })
                    | Expr::With(s @ SimpleLicense::Ref { .. }, _) = l
                    {
                        review.push(s.to_string());
                    }
                }
                LicenseVerdict::Allowed {
                    choice: leaves
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" AND "),
                    review,
                }
            }
            Err(licenses) => LicenseVerdict::Denied { licenses },
        }
    }

    /// Judges one license field.
    pub fn check_field(&self, field: &LicenseField) -> LicenseVerdict {
        match field {
            LicenseField::NoAssertion => LicenseVerdict::Unknown(Unknown::NoAssertion),
            LicenseField::None => LicenseVerdict::Unknown(Unknown::NoLicense),
            LicenseField::Expression(e) => self.check_expression(e),
        }
    }

    /// Judges one package: its blocked-package rules and its license fields (the concluded
    /// license when asserted, else the declared one). Returns every finding.
    pub fn check_package(
        &self,
        pkg: &PackageId<'_>,
        concluded: Option<&LicenseField>,
        declared: Option<&LicenseField>,
    ) -> Vec<Finding> {
        let package = pkg.to_string();
        let purl = pkg.purl.map(ToString::to_string);
        let mut out = Vec::new();
        let finding = |kind| Finding {
            package: package.clone(),
            purl: purl.clone(),
            kind,
        };
        for rule in &self.blocked {
            if rule.matches(pkg) {
                out.push(finding(FindingKind::Blocked {
                    rule: rule.as_str().into(),
                }));
            }
        }
        let (field_name, field) = match (concluded, declared) {
            (Some(c @ LicenseField::Expression(_)), _) => ("concluded", Some(c)),
            (_, Some(d @ LicenseField::Expression(_))) => ("declared", Some(d)),
            (Some(c), _) => ("concluded", Some(c)),
            (None, d) => ("declared", d),
        };
        match field.map(|f| (f, self.check_field(f))) {
            None => {
                if self.unknown_is_violation {
                    out.push(finding(FindingKind::LicenseUnknown {
                        value: String::new(),
                    }));
                }
            }
            Some((_, LicenseVerdict::Allowed { review, .. })) => {
                if !review.is_empty() {
                    out.push(finding(FindingKind::LicenseReview { refs: review }));
                }
            }
            Some((f, LicenseVerdict::Denied { licenses })) => {
                out.push(finding(FindingKind::LicenseDenied {
                    field: field_name,
                    expression: f.to_string(),
                    licenses,
                }));
            }
            Some((f, LicenseVerdict::Unknown(_))) => {
                if self.unknown_is_violation {
                    out.push(finding(FindingKind::LicenseUnknown {
                        value: f.to_string(),
                    }));
                }
            }
        }
        out
    }
}

impl Policy {
    /// Judges every package of an SBOM; returns every finding, in package order. Licenses
    /// known only by name (CycloneDX `license.name`) or unparsable are unknown.
    pub fn check_sbom(&self, sbom: &crate::model::Sbom) -> Vec<Finding> {
        let mut out = Vec::new();
        for p in &sbom.packages {
            let id = PackageId {
                name: &p.name,
                version: p.version.as_deref(),
                purl: p.purl.as_ref(),
            };
            let concluded = p
                .license_concluded
                .as_ref()
                .and_then(crate::model::License::field);
            let declared = p
                .license_declared
                .as_ref()
                .and_then(crate::model::License::field);
            let named = [&p.license_concluded, &p.license_declared]
                .into_iter()
                .flatten()
                .find(|l| l.field().is_none());
            match (concluded, declared, named) {
                (None, None, Some(l)) => {
                    let mut f = self.check_package(&id, None, None);
                    for x in &mut f {
                        if let FindingKind::LicenseUnknown { value } = &mut x.kind {
                            *value = l.to_string();
                        }
                    }
                    out.extend(f);
                }
                _ => out.extend(self.check_package(&id, concluded, declared)),
            }
        }
        out
    }
}

fn merge(into: &mut Vec<String>, from: Vec<String>) {
    for b in from {
        if !into.contains(&b) {
            into.push(b);
        }
    }
}

/// Whether an id is on the bundled list (for callers validating policy input).
pub fn is_listed(id: &str) -> bool {
    list::license(id).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_version_order() {
        assert_eq!(compare_versions("1.2", "1.10"), Ordering::Less);
        assert_eq!(compare_versions("v1.2.0", "1.2.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.0.0-rc1", "1.0.0"), Ordering::Less);
        assert_eq!(compare_versions("2.17.1", "2.17.0"), Ordering::Greater);
        assert_eq!(compare_versions("1.2", "1.2.1"), Ordering::Less);
    }

    #[test]
    fn block_rules() {
        let p = Purl::parse("pkg:npm/minimist@1.2.5").unwrap();
        let id = PackageId {
            name: "minimist",
            version: Some("1.2.5"),
            purl: Some(&p),
        };
        assert!(BlockRule::parse("pkg:npm/minimist@<1.2.6")
            .unwrap()
            .matches(&id));
        assert!(!BlockRule::parse("pkg:npm/minimist@>=1.2.6")
            .unwrap()
            .matches(&id));
        assert!(BlockRule::parse("minimist@1.2.5").unwrap().matches(&id));
        assert!(BlockRule::parse("minimist").unwrap().matches(&id));
        assert!(!BlockRule::parse("pkg:pypi/minimist").unwrap().matches(&id));
        let scoped = PackageId {
            name: "@babel/core",
            version: Some("7.0.0"),
            purl: None,
        };
        assert!(BlockRule::parse("@babel/core@>=7,<8")
            .unwrap()
            .matches(&scoped));
        assert!(BlockRule::parse("@babel/core").unwrap().matches(&scoped));
        // A multi-byte first character is not split.
        assert!(BlockRule::parse("é@1.0").is_ok());
        assert!(BlockRule::parse("").is_err());
    }

    fn id<'a>(purl: &'a Purl) -> PackageId<'a> {
        PackageId {
            name: purl.name(),
            version: purl.version(),
            purl: Some(purl),
        }
    }

    fn blocks(rule: &str, purl: &str) -> bool {
        let p = Purl::parse(purl).unwrap();
        BlockRule::parse(rule).unwrap().matches(&id(&p))
    }

    #[test]
    fn ranges_use_the_ecosystem_order() {
        // PEP 440: a release candidate is before its release; the generic order says after.
        assert!(blocks("pkg:pypi/django@<1.0.0", "pkg:pypi/django@1.0.0rc1"));
        assert_eq!(compare_versions("1.0.0rc1", "1.0.0"), Ordering::Greater);
        // PEP 440: 1.0 == 1.0.0.
        assert!(blocks("pkg:pypi/flask@=1.0", "pkg:pypi/flask@1.0.0"));
        // dpkg: `~` sorts before everything, so a security update of -1 is still below -1.
        assert!(blocks(
            "pkg:deb/debian/openssl@<1.1.0l-1",
            "pkg:deb/debian/openssl@1.1.0l-1~deb9u5?arch=amd64"
        ));
        assert!(!blocks(
            "pkg:deb/debian/openssl@>=1.1.0l-1",
            "pkg:deb/debian/openssl@1.1.0l-1~deb9u5"
        ));
        // A name rule takes the order of the package's purl.
        assert!(blocks("django@<1.0.0", "pkg:pypi/django@1.0.0rc1"));
        // An unreadable version fails closed.
        assert!(blocks(
            "pkg:golang/github.com/tianon/gosu@<1.0.0",
            "pkg:golang/github.com/tianon/gosu@(devel)"
        ));
    }

    #[test]
    fn vers_ranges() {
        let r = "pkg:npm/lodash@vers:npm/>=1.0.0|<2.0.0";
        assert!(blocks(r, "pkg:npm/lodash@1.0.0"));
        assert!(blocks(r, "pkg:npm/lodash@1.9.9"));
        assert!(!blocks(r, "pkg:npm/lodash@2.0.0"));
        assert!(!blocks(r, "pkg:npm/lodash@0.9.0"));
        // SemVer: a pre-release of 2.0.0 is below it.
        assert!(blocks(r, "pkg:npm/lodash@2.0.0-rc.1"));
        // Constraints are read as intervals whatever order they are written in.
        let two = "pkg:npm/lodash@vers:npm/>=2.0.0|<1.0.0|!=0.5.0";
        assert!(blocks(two, "pkg:npm/lodash@0.4.0"));
        assert!(!blocks(two, "pkg:npm/lodash@0.5.0"));
        assert!(!blocks(two, "pkg:npm/lodash@1.5.0"));
        assert!(blocks(two, "pkg:npm/lodash@3.0.0"));
        // Exact versions only.
        let list = "lodash@vers:npm/1.2.3|1.2.5";
        assert!(blocks(list, "pkg:npm/lodash@1.2.5"));
        assert!(!blocks(list, "pkg:npm/lodash@1.2.4"));
        // The range in a `vers` qualifier, and the VERS scheme deciding the order.
        assert!(blocks(
            "pkg:pypi/flask?vers=vers:pypi/%3C1.0",
            "pkg:pypi/flask@1.0rc1"
        ));
        assert!(blocks("pkg:npm/x@vers:npm/*", "pkg:npm/x@9.9.9"));
        for bad in [
            "pkg:npm/x@vers:nosuch/<1",
            "pkg:npm/x@vers:npm/*|<1",
            "pkg:npm/x@vers:npm/<",
            "x@vers:npm",
        ] {
            assert!(BlockRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn blocked_verdict_names_package_and_rule() {
        let p = Purl::parse("pkg:npm/lodash@4.17.20").unwrap();
        let policy = Policy::new()
            .with_unknown_is_violation(false)
            .block("pkg:npm/lodash@vers:npm/>=4.0.0|<4.17.21")
            .unwrap();
        let f = policy.check_package(&id(&p), None, None);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].to_string(),
            "lodash@4.17.20: blocked by rule `pkg:npm/lodash@vers:npm/>=4.0.0|<4.17.21`"
        );
        let fixed = Purl::parse("pkg:npm/lodash@4.17.21").unwrap();
        assert!(policy.check_package(&id(&fixed), None, None).is_empty());
    }
}
