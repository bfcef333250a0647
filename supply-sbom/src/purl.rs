//! Package URLs (purl): parse, build and canonicalize
//! `pkg:type/namespace/name@version?qualifiers#subpath` per the
//! [purl specification](https://github.com/package-url/purl-spec) and its per-type rules.
//!
//! A [`Purl`] is always canonical: the type and qualifier keys are lowercased, qualifiers are
//! sorted with empty values dropped, subpath segments `.`, `..` and empty ones are removed, and
//! each type's rules are applied (a case-insensitive name is lowercased, a PyPI name has `_`
//! replaced by `-`, a required namespace is present, a prohibited one absent…). Its
//! [`Display`](std::fmt::Display) form is the canonical string, so two purls naming the same
//! package compare equal after parsing.
//!
//! ```
//! use supply_sbom::purl::Purl;
//!
//! let p: Purl = "pkg:PYPI/Django_package@1.11.1.dev1".parse()?;
//! assert_eq!(p.ty(), "pypi");
//! assert_eq!(p.name(), "django-package");
//! assert_eq!(p.to_string(), "pkg:pypi/django-package@1.11.1.dev1");
//!
//! let deb = Purl::builder("deb", "attr")
//!     .namespace("debian")
//!     .version("1:2.4.47-2+b1")
//!     .qualifier("arch", "amd64")
//!     .build()
//!     ?;
//! assert_eq!(deb.to_string(), "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::limits::{LimitExceeded, MAX_PURL_LEN};

/// Why a package URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The string does not start with the `pkg:` scheme.
    #[error("a package URL starts with `pkg:`")]
    MissingScheme,
    /// There is no type (`pkg:TYPE/…`).
    #[error("the package URL has no type")]
    MissingType,
    /// The type holds a character outside `[A-Za-z0-9.+-]` or starts with a digit.
    #[error("invalid package URL type `{ty}`")]
    InvalidType {
        /// The type as written.
        ty: String,
    },
    /// There is no name.
    #[error("the package URL has no name")]
    MissingName,
    /// A percent escape is malformed or decodes to invalid UTF-8.
    #[error("invalid percent-encoding in the package URL")]
    InvalidPercentEncoding,
    /// A qualifier key holds a character outside `[A-Za-z0-9._-]` or starts with a digit.
    #[error("invalid qualifier key `{key}`")]
    InvalidQualifierKey {
        /// The key as written.
        key: String,
    },
    /// A qualifier key appears twice.
    #[error("qualifier `{key}` appears more than once")]
    DuplicateQualifier {
        /// The (lowercased) key.
        key: String,
    },
    /// The type requires a namespace and there is none.
    #[error("a `{ty}` package URL requires a namespace")]
    NamespaceRequired {
        /// The package type.
        ty: String,
    },
    /// The type prohibits a namespace and there is one.
    #[error("a `{ty}` package URL has no namespace")]
    NamespaceProhibited {
        /// The package type.
        ty: String,
    },
    /// The type requires a qualifier that is missing.
    #[error("a `{ty}` package URL requires the `{key}` qualifier")]
    QualifierRequired {
        /// The package type.
        ty: String,
        /// The missing qualifier key.
        key: &'static str,
    },
    /// A component breaks a rule of its type (the rule is named).
    #[error("invalid `{ty}` package URL: {rule}")]
    TypeRule {
        /// The package type.
        ty: String,
        /// The rule broken.
        rule: &'static str,
    },
    /// The string is longer than [`MAX_PURL_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// A canonical package URL.
///
/// Fields are private: a `Purl` comes only from [`Purl::parse`] or [`PurlBuilder::build`], so it
/// is always valid and canonical. Two purls are equal when their components are; they order by
/// component (type, namespace, name, version, qualifiers, subpath).
///
/// The components live in one string: an SBOM holds a purl per package, and a `String` per
/// component and a map of qualifiers made them a tenth of the allocations of reading one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Purl {
    /// The decoded components one after another: type, namespace, name, version, subpath,
    /// then each qualifier's key and value (by key). An absent component is empty: none is
    /// ever present and empty.
    text: Box<str>,
    /// Where the type, namespace, name, version and subpath end in `text`.
    ends: [u32; 5],
    /// Per qualifier, where its key and its value end in `text`.
    qualifiers: Box<[(u32, u32)]>,
}

impl Purl {
    /// Parses and canonicalizes a package URL.
    ///
    /// Accepts the forms real tools write: `pkg://type/…`, over-encoded characters
    /// (`sha256%3A…`), upper-case types and qualifier keys.
    ///
    /// # Errors
    /// [`Error`] says which part is malformed or which type rule it breaks.
    pub fn parse(s: &str) -> Result<Self, Error> {
        if s.len() > MAX_PURL_LEN {
            return Err(LimitExceeded::new("package URL", MAX_PURL_LEN)
                .with_actual(s.len())
                .into());
        }
        // Subpath: after the last `#`.
        let (rest, subpath) = match s.rsplit_once('#') {
            Some((r, sp)) => (r, Some(sp)),
            None => (s, None),
        };
        // Qualifiers: after the last `?`.
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let Some((scheme, rest)) = rest.split_once(':') else {
            return Err(Error::MissingScheme);
        };
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(Error::MissingScheme);
        }
        // `pkg://type/…` and `pkg:///type/…` are accepted: leading slashes are ignored.
        let rest = rest.trim_start_matches('/');
        let Some((ty, rest)) = rest.split_once('/') else {
            return Err(if rest.is_empty() || valid_type(rest) {
                Error::MissingName
            } else {
                Error::InvalidType { ty: rest.into() }
            });
        };
        if ty.is_empty() {
            return Err(Error::MissingType);
        }
        let rest = rest.trim_matches('/');
        // The version follows the last `@` of the last path segment (an npm scope
        // `@babel/core` has an `@` in the namespace).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match rest[last_slash..].rfind('@') {
            Some(at) => (&rest[..last_slash + at], Some(&rest[last_slash + at + 1..])),
            None => (rest, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, path),
        };
        let name = decode(name)?;
        let namespace = match namespace {
            // Nothing to decode or drop: the namespace as it is (most purls).
            Some(ns) if !ns.contains('%') && no_empty_segment(ns) => Some(Cow::Borrowed(ns)),
            Some(ns) => {
                let segs = ns
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode)
                    .collect::<Result<Vec<_>, _>>()?;
                (!segs.is_empty()).then(|| Cow::Owned(segs.join("/")))
            }
            None => None,
        };
        let mut pairs = Vec::new();
        if let Some(q) = qualifiers {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                pairs.push((Cow::Borrowed(k), decode(v)?));
            }
        }
        let subpath = match subpath {
            Some(sp) => Some(Cow::Owned(
                sp.split('/')
                    .map(decode)
                    .collect::<Result<Vec<_>, _>>()?
                    .join("/"),
            )),
            None => None,
        };
        Components {
            ty: Cow::Borrowed(ty),
            namespace,
            name: Some(name),
            version: version.map(decode).transpose()?,
            qualifiers: pairs,
            subpath,
        }
        .finish()
    }

    /// Starts building a purl of type `ty` named `name` (components unencoded).
    pub fn builder(ty: impl Into<String>, name: impl Into<String>) -> PurlBuilder {
        PurlBuilder {
            parts: Parts {
                ty: ty.into(),
                name: Some(name.into()),
                ..Parts::default()
            },
        }
    }

    /// Builds a purl from its components; the same checks and canonicalization as
    /// [`Purl::parse`].
    ///
    /// # Errors
    /// As [`Purl::parse`].
    pub fn from_parts(parts: Parts) -> Result<Self, Error> {
        parts.into_purl()
    }

    /// Component `i` of `ends` (type, namespace, name, version, subpath).
    fn part(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).copied().unwrap_or_default(),
        };
        let end = self.ends.get(i).copied().unwrap_or_default();
        // In bounds and on character boundaries: `pack` recorded these ends after whole
        // strings.
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// The type (`npm`, `pypi`, `deb`…), lowercase.
    pub fn ty(&self) -> &str {
        self.part(0)
    }

    /// The namespace (`@babel`, `org.apache.commons`, `debian`), decoded, segments joined by `/`.
    pub fn namespace(&self) -> Option<&str> {
        Some(self.part(1)).filter(|s| !s.is_empty())
    }

    /// The name, decoded and normalized per its type.
    pub fn name(&self) -> &str {
        self.part(2)
    }

    /// The version, decoded.
    pub fn version(&self) -> Option<&str> {
        Some(self.part(3)).filter(|s| !s.is_empty())
    }

    /// The qualifiers as (key, value), keys lowercase and sorted, values decoded and non-empty.
    pub fn qualifiers(&self) -> Qualifiers<'_> {
        Qualifiers {
            text: &self.text,
            ends: self.qualifiers.iter(),
            start: self.ends[4],
        }
    }

    /// One qualifier's value (`arch`, `distro`, `repository_url`…).
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The subpath, decoded, without leading or trailing `/`.
    pub fn subpath(&self) -> Option<&str> {
        Some(self.part(4)).filter(|s| !s.is_empty())
    }

    /// The components, for changing one and building again.
    pub fn to_parts(&self) -> Parts {
        Parts {
            ty: self.ty().to_owned(),
            namespace: self.namespace().map(str::to_owned),
            name: Some(self.name().to_owned()),
            version: self.version().map(str::to_owned),
            qualifiers: self
                .qualifiers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            subpath: self.subpath().map(str::to_owned),
        }
    }

    /// The same package without version, qualifiers or subpath: the identity that versions of a
    /// package share (`pkg:npm/%40babel/core`).
    #[must_use]
    pub fn without_version(&self) -> Self {
        let none: &[(&str, &str)] = &[];
        pack(self.ty(), self.namespace(), self.name(), None, None, none)
    }

    /// The package identity as one string, `namespace/name` or `name` (decoded): how the
    /// ecosystem itself names the package (`@babel/core`, `org.apache.commons/io`,
    /// `github.com/gorilla/context`).
    pub fn full_name(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{ns}/{}", self.name()),
            None => self.name().to_owned(),
        }
    }
}

/// A purl's qualifiers as (key, value), by key; see [`Purl::qualifiers`].
#[derive(Debug, Clone)]
pub struct Qualifiers<'a> {
    text: &'a str,
    ends: std::slice::Iter<'a, (u32, u32)>,
    /// Where the next key starts: where the value before ends.
    start: u32,
}

impl<'a> Iterator for Qualifiers<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let &(key_end, value_end) = self.ends.next()?;
        let start = std::mem::replace(&mut self.start, value_end);
        // In bounds and on character boundaries: `pack` recorded these ends after whole
        // strings.
        Some((
            self.text
                .get(start as usize..key_end as usize)
                .unwrap_or_default(),
            self.text
                .get(key_end as usize..value_end as usize)
                .unwrap_or_default(),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for Qualifiers<'_> {}

impl PartialOrd for Purl {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Purl {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.ty(), self.namespace(), self.name(), self.version())
            .cmp(&(other.ty(), other.namespace(), other.name(), other.version()))
            .then_with(|| self.qualifiers().cmp(other.qualifiers()))
            .then_with(|| self.subpath().cmp(&other.subpath()))
    }
}

impl fmt::Debug for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Purl")
            .field("ty", &self.ty())
            .field("namespace", &self.namespace())
            .field("name", &self.name())
            .field("version", &self.version())
            .field("qualifiers", &DebugQualifiers(self))
            .field("subpath", &self.subpath())
            .finish()
    }
}

struct DebugQualifiers<'a>(&'a Purl);

impl fmt::Debug for DebugQualifiers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.qualifiers()).finish()
    }
}

/// A purl of canonical components (qualifiers sorted by key, none empty).
fn pack(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    subpath: Option<&str>,
    qualifiers: &[(impl AsRef<str>, impl AsRef<str>)],
) -> Purl {
    let parts = [
        ty,
        namespace.unwrap_or_default(),
        name,
        version.unwrap_or_default(),
        subpath.unwrap_or_default(),
    ];
    let len = parts.iter().map(|p| p.len()).sum::<usize>()
        + qualifiers
            .iter()
            .map(|(k, v)| k.as_ref().len() + v.as_ref().len())
            .sum::<usize>();
    let mut text = String::with_capacity(len);
    // Offsets fit in `u32`: the callers refuse components longer than `MAX_PURL_LEN` in all.
    let end = |text: &String| u32::try_from(text.len()).unwrap_or(u32::MAX);
    let mut ends = [0; 5];
    for (e, p) in ends.iter_mut().zip(parts) {
        text.push_str(p);
        *e = end(&text);
    }
    let qualifiers = qualifiers
        .iter()
        .map(|(k, v)| {
            text.push_str(k.as_ref());
            let key_end = end(&text);
            text.push_str(v.as_ref());
            (key_end, end(&text))
        })
        .collect();
    Purl {
        text: text.into_boxed_str(),
        ends,
        qualifiers,
    }
}

impl FromStr for Purl {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty())?;
        if let Some(ns) = self.namespace() {
            for seg in ns.split('/') {
                write!(f, "{}/", Encoded(seg))?;
            }
        }
        // A git name is a repository path (`owner/repo`); its `/` stay separators, unless it
        // has an empty segment (`a//b`, from `%2F` in the input), which the parser would drop
        // between separators: then they are encoded, so that the purl reads back the same.
        let name = self.name();
        if self.ty() == "git" && !name.split('/').any(str::is_empty) {
            let mut first = true;
            for seg in name.split('/') {
                if !first {
                    f.write_str("/")?;
                }
                first = false;
                write!(f, "{}", Encoded(seg))?;
            }
        } else {
            write!(f, "{}", Encoded(name))?;
        }
        if let Some(v) = self.version() {
            write!(f, "@{}", Encoded(v))?;
        }
        let mut sep = '?';
        for (k, v) in self.qualifiers() {
            write!(f, "{sep}{k}={}", Encoded(v))?;
            sep = '&';
        }
        if let Some(sp) = self.subpath() {
            f.write_str("#")?;
            let mut first = true;
            for seg in sp.split('/') {
                if !first {
                    f.write_str("/")?;
                }
                first = false;
                write!(f, "{}", Encoded(seg))?;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Purl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Built as one string first: serde_json escapes a `&str` in one pass over a table, and
        // a `Display` piece by piece through the formatting machinery.
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Purl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The components of a package URL, unencoded, before checks (the purl-spec suite's "build"
/// input).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parts {
    /// The type (any case).
    pub ty: String,
    /// The namespace, segments separated by `/`.
    pub namespace: Option<String>,
    /// The name (required).
    pub name: Option<String>,
    /// The version.
    pub version: Option<String>,
    /// The qualifiers (keys in any case; empty values are dropped).
    pub qualifiers: BTreeMap<String, String>,
    /// The subpath, segments separated by `/`.
    pub subpath: Option<String>,
}

impl Parts {
    fn into_purl(self) -> Result<Purl, Error> {
        // An empty value drops its qualifier, but an invalid key is refused all the same.
        if let Some((k, _)) = self
            .qualifiers
            .iter()
            .find(|(k, v)| v.is_empty() && !valid_qualifier_key(k))
        {
            return Err(Error::InvalidQualifierKey { key: k.clone() });
        }
        Components {
            ty: Cow::Owned(self.ty),
            namespace: self.namespace.map(Cow::Owned),
            name: self.name.map(Cow::Owned),
            version: self.version.map(Cow::Owned),
            // A key given twice in different cases counts once when one of them has no value.
            qualifiers: self
                .qualifiers
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v)))
                .collect(),
            subpath: self.subpath.map(Cow::Owned),
        }
        .finish()
    }
}

/// A purl's components before the checks and canonicalization, borrowed from the parsed
/// string where they need no decoding.
struct Components<'a> {
    ty: Cow<'a, str>,
    namespace: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    /// Keys as written, values decoded, in the order given.
    qualifiers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    subpath: Option<Cow<'a, str>>,
}

impl Components<'_> {
    /// Checks the components against the spec and their type's rules and builds the
    /// canonical purl.
    fn finish(self) -> Result<Purl, Error> {
        let ty = ascii_lower(self.ty);
        if ty.is_empty() {
            return Err(Error::MissingType);
        }
        if !valid_type(&ty) {
            return Err(Error::InvalidType {
                ty: ty.into_owned(),
            });
        }
        let rule = type_rule(&ty);
        let mut name = match self.name {
            Some(n) if !n.is_empty() => n,
            _ => return Err(Error::MissingName),
        };
        let mut namespace = self.namespace.and_then(|ns| {
            if no_empty_segment(&ns) {
                return Some(ns);
            }
            let segs: Vec<&str> = ns.split('/').filter(|s| !s.is_empty()).collect();
            (!segs.is_empty()).then(|| Cow::Owned(segs.join("/")))
        });
        let mut version = self.version.filter(|v| !v.is_empty());
        let mut qualifiers = self.qualifiers;
        for (k, _) in &mut qualifiers {
            if !valid_qualifier_key(k) {
                return Err(Error::InvalidQualifierKey {
                    key: std::mem::take(k).into_owned(),
                });
            }
            *k = ascii_lower(std::mem::take(k));
        }
        // Stable: a repeated key is found next to itself.
        qualifiers.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(w) = qualifiers.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::DuplicateQualifier {
                key: w[0].0.clone().into_owned(),
            });
        }
        qualifiers.retain(|(_, v)| !v.is_empty());
        let subpath = self.subpath.and_then(|sp| {
            let segs: Vec<&str> = sp
                .split('/')
                .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                .collect();
            (!segs.is_empty()).then(|| segs.join("/"))
        });

        // A git purl's name is the repository path below the host: everything after the
        // first namespace segment.
        if ty == "git" {
            if let Some(ns) = namespace.take() {
                match ns.split_once('/') {
                    Some((host, owner)) => {
                        name = Cow::Owned(format!("{owner}/{name}"));
                        namespace = Some(Cow::Owned(host.to_string()));
                    }
                    None => namespace = Some(ns),
                }
            }
        }

        let ty = ty.into_owned();
        match rule.namespace {
            Requirement::Required if namespace.is_none() => {
                return Err(Error::NamespaceRequired { ty });
            }
            Requirement::Prohibited if namespace.is_some() => {
                return Err(Error::NamespaceProhibited { ty });
            }
            _ => {}
        }
        let qualifier = |key: &str| {
            qualifiers
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_ref())
        };
        for key in rule.required_qualifiers {
            if qualifier(key).is_none() {
                return Err(Error::QualifierRequired { ty, key });
            }
        }
        if rule.namespace_lower {
            namespace = namespace.map(lower);
        }
        if rule.name_lower {
            name = lower(name);
        }
        if rule.version_lower {
            version = version.map(lower);
        }
        match ty.as_str() {
            // PEP 503 spelling: `_` and `-` are the same character; lowercased above.
            "pypi" if name.contains('_') => name = Cow::Owned(name.replace('_', "-")),
            // Databricks' MLflow registry is case-insensitive (purl-spec mlflow-definition).
            "mlflow" if qualifier("repository_url").is_some_and(|u| u.contains("databricks")) => {
                name = lower(name);
            }
            // A CPAN distribution name (`URI-PackageURL`), never a module name (`URI::PackageURL`).
            "cpan" if name.contains("::") => {
                return Err(Error::TypeRule {
                    ty,
                    rule: "the name is a distribution name, not a module name with `::`",
                });
            }
            // A Chrome extension id is 32 letters a-p; its version 1 to 4 dot-separated integers.
            "chrome-extension" => {
                if name.len() != 32 || !name.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                    return Err(Error::TypeRule {
                        ty,
                        rule: "the name is an extension id of 32 letters a-p",
                    });
                }
                if let Some(v) = &version {
                    let parts: Vec<&str> = v.split('.').collect();
                    if parts.len() > 4
                        || parts
                            .iter()
                            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
                    {
                        return Err(Error::TypeRule {
                            ty,
                            rule: "the version is 1 to 4 dot-separated integers",
                        });
                    }
                }
            }
            _ => {}
        }
        let len = ty.len()
            + namespace.as_ref().map_or(0, |n| n.len())
            + name.len()
            + version.as_ref().map_or(0, |v| v.len())
            + subpath.as_ref().map_or(0, String::len)
            + qualifiers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        let purl = pack(
            &ty,
            namespace.as_deref(),
            &name,
            version.as_deref(),
            subpath.as_deref(),
            &qualifiers,
        );
        // The canonical form must read back, so it is held to the parser's limit: encoding
        // can triple a component (`%XX`), and a purl read within the limit can print beyond
        // it. Counted only when it could (real purls are a few hundred bytes).
        if len
            .saturating_mul(3)
            .saturating_add(8 + 2 * qualifiers.len())
            > MAX_PURL_LEN
        {
            let canonical = canonical_len(&purl);
            if canonical > MAX_PURL_LEN {
                return Err(LimitExceeded::new("package URL", MAX_PURL_LEN)
                    .with_actual(canonical)
                    .into());
            }
        }
        Ok(purl)
    }
}

/// The length of `purl`'s canonical form, counted as it is printed (nothing allocated).
fn canonical_len(purl: &Purl) -> usize {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    // Cannot fail: `Count` never refuses a write, and `Display for Purl` fails only when
    // the writer does.
    let _ = fmt::Write::write_fmt(&mut count, format_args!("{purl}"));
    count.0
}

/// `s` in ASCII lowercase, copied only when it has an uppercase letter.
fn ascii_lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        s
    }
}

/// `s` in lowercase (Unicode), copied only when that changes it.
fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        return ascii_lower(s);
    }
    let low = s.to_lowercase();
    if low == *s {
        s
    } else {
        Cow::Owned(low)
    }
}

/// A builder of [`Purl`]s; see [`Purl::builder`].
#[derive(Debug, Clone)]
pub struct PurlBuilder {
    parts: Parts,
}

impl PurlBuilder {
    /// Sets the namespace (segments separated by `/`, unencoded).
    #[must_use]
    pub fn namespace(mut self, ns: impl Into<String>) -> Self {
        self.parts.namespace = Some(ns.into());
        self
    }

    /// Sets the version (unencoded).
    #[must_use]
    pub fn version(mut self, v: impl Into<String>) -> Self {
        self.parts.version = Some(v.into());
        self
    }

    /// Adds a qualifier (unencoded value; an empty value is dropped).
    #[must_use]
    pub fn qualifier(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.qualifiers.insert(key.into(), value.into());
        self
    }

    /// Sets the subpath (segments separated by `/`, unencoded).
    #[must_use]
    pub fn subpath(mut self, sp: impl Into<String>) -> Self {
        self.parts.subpath = Some(sp.into());
        self
    }

    /// Checks and canonicalizes.
    ///
    /// # Errors
    /// As [`Purl::parse`].
    pub fn build(self) -> Result<Purl, Error> {
        self.parts.into_purl()
    }
}

#[derive(Clone, Copy)]
enum Requirement {
    Required,
    Optional,
    Prohibited,
}

/// The rules of one registered type that canonicalization applies
/// (from purl-spec `types/<type>-definition.json`).
#[derive(Clone, Copy)]
struct TypeRule {
    namespace: Requirement,
    namespace_lower: bool,
    name_lower: bool,
    version_lower: bool,
    required_qualifiers: &'static [&'static str],
}

const fn rule(namespace: Requirement, ns_lower: bool, name_lower: bool) -> TypeRule {
    TypeRule {
        namespace,
        namespace_lower: ns_lower,
        name_lower,
        version_lower: false,
        required_qualifiers: &[],
    }
}

/// Per-type rules, from the purl-spec type definitions (`namespace_definition.requirement`,
/// `*_definition.case_sensitive: false`, required qualifiers). Unregistered types get no rule.
fn type_rule(ty: &str) -> TypeRule {
    use Requirement::{Optional as O, Prohibited as P, Required as R};
    match ty {
        "alpm" | "apk" | "bitbucket" | "composer" | "deb" | "github" | "qpkg" | "rpm" => TypeRule {
            name_lower: ty != "rpm" && ty != "qpkg",
            ..rule(R, true, true)
        },
        "vscode-extension" => TypeRule {
            version_lower: true,
            ..rule(R, true, true)
        },
        "git" => rule(R, true, true),
        "golang" | "maven" | "swift" => rule(R, false, false),
        "huggingface" => TypeRule {
            version_lower: true,
            ..rule(R, false, false)
        },
        "brew" | "hex" | "luarocks" => rule(O, true, true),
        "yocto" => rule(O, true, false),
        "conan" | "cpan" | "docker" | "generic" | "npm" => rule(O, false, false),
        "swid" => TypeRule {
            required_qualifiers: &["tag_id"],
            ..rule(O, false, false)
        },
        "bitnami" | "chrome-extension" | "otp" | "pub" => rule(P, false, true),
        "pypi" => TypeRule {
            version_lower: true,
            ..rule(P, false, true)
        },
        "oci" => TypeRule {
            version_lower: true,
            ..rule(P, false, true)
        },
        "julia" => TypeRule {
            required_qualifiers: &["uuid"],
            ..rule(P, false, false)
        },
        "bazel" | "cargo" | "cocoapods" | "conda" | "cran" | "gem" | "hackage" | "mlflow"
        | "nuget" | "opam" | "vcpkg" => rule(P, false, false),
        _ => rule(O, false, false),
    }
}

/// `[A-Za-z0-9.+-]+`, not starting with a digit (purl spec, "type").
fn valid_type(ty: &str) -> bool {
    !ty.is_empty()
        && !ty.starts_with(|c: char| c.is_ascii_digit())
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'+' || b == b'-')
}

/// `[A-Za-z0-9._-]+`, not starting with a digit (purl spec, "qualifiers").
fn valid_qualifier_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// Whether a `/`-separated path is non-empty with no empty segment (so splitting it and
/// joining its non-empty segments gives it back).
fn no_empty_segment(path: &str) -> bool {
    path.split('/').all(|s| !s.is_empty())
}

fn decode(s: &str) -> Result<Cow<'_, str>, Error> {
    let bytes = s.as_bytes();
    if !bytes.contains(&b'%') {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or(Error::InvalidPercentEncoding)?;
            let hi = hex_val(hex[0]).ok_or(Error::InvalidPercentEncoding)?;
            let lo = hex_val(hex[1]).ok_or(Error::InvalidPercentEncoding)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| Error::InvalidPercentEncoding)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Canonical percent-encoding of one component: everything but the RFC 3986 unreserved
/// characters and `:` is encoded (purl spec, "Character encoding").
struct Encoded<'a>(&'a str);

impl fmt::Display for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':');
        // Runs of kept characters are written in one piece each: a formatting call per
        // character made purls a large part of writing an SBOM. Kept characters are ASCII, so
        // a run (never empty: an index inside a multi-byte character is not a boundary)
        // starts and ends on character boundaries.
        let mut start = 0;
        for (i, &b) in self.0.as_bytes().iter().enumerate() {
            if !kept(b) {
                if start < i {
                    f.write_str(&self.0[start..i])?;
                }
                write!(f, "%{b:02X}")?;
                start = i + 1;
            }
        }
        if start < self.0.len() {
            f.write_str(&self.0[start..])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `purl` fuzz target: a git name with an empty path segment (`https://`,
    /// written `https:%2F%2F`) printed its `/` as separators, and the canonical form read back
    /// with the segment gone. Encoded, it reads back as the same purl.
    #[test]
    fn a_git_name_with_an_empty_segment_round_trips() {
        let p = Purl::parse("pkg:git/example.org/mirror%3Dhttps:%2F%2Fgithub.com%2Fa%2Fb").unwrap();
        assert_eq!(p.name(), "mirror=https://github.com/a/b");
        let canonical = p.to_string();
        assert_eq!(Purl::parse(&canonical).unwrap(), p, "{canonical}");
        // The fuzz target's own input (NULs in the name), as a round trip.
        let fuzzed = "pkg:git/cddeocberg.org/forgej\0\0\0ository_url=https:%2F%2Fgithub.com%2Faz,ure-sdk%2Fvcpkg&trip:03blet=";
        let p = Purl::parse(fuzzed).unwrap();
        assert_eq!(Purl::parse(&p.to_string()).unwrap(), p);
        let plain = Purl::parse("pkg:git/github.com/owner/repo").unwrap();
        assert_eq!(plain.to_string(), "pkg:git/github.com/owner/repo");
    }

    #[test]
    fn npm_scope_is_namespace() {
        let p = Purl::parse("pkg:npm/@babel/core@7.0.0").unwrap();
        assert_eq!(p.namespace(), Some("@babel"));
        assert_eq!(p.name(), "core");
        assert_eq!(p.version(), Some("7.0.0"));
        assert_eq!(p.to_string(), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(p.full_name(), "@babel/core");
    }

    #[test]
    fn overlong_is_refused() {
        let s = format!("pkg:generic/{}", "a".repeat(MAX_PURL_LEN));
        assert!(matches!(Purl::parse(&s), Err(Error::LimitExceeded(_))));
    }

    /// Found by the `purl` fuzz target: a purl within the limit whose canonical form (control
    /// characters encoded as `%XX`) is beyond it was accepted, and its canonical form did not
    /// read back. Such a purl is refused; one whose canonical form just fits is not.
    #[test]
    fn a_purl_whose_canonical_form_is_overlong_is_refused() {
        let name = |n: usize| "\u{16}".repeat(n);
        // 3 bytes printed per character; `pkg:generic/` is 12.
        let fits = (MAX_PURL_LEN - 12) / 3;
        let ok = Purl::parse(&format!("pkg:generic/{}", name(fits))).unwrap();
        assert_eq!(ok.to_string().len(), 12 + 3 * fits);
        assert_eq!(Purl::parse(&ok.to_string()).unwrap(), ok);
        let over = Purl::parse(&format!("pkg:generic/{}", name(fits + 1)));
        assert!(matches!(over, Err(Error::LimitExceeded(_))), "{over:?}");
        // The builder is held to the same limit.
        let built = Purl::builder("generic", name(fits + 1)).build();
        assert!(matches!(built, Err(Error::LimitExceeded(_))), "{built:?}");
    }

    #[test]
    fn bad_percent_is_refused() {
        assert_eq!(
            Purl::parse("pkg:generic/a%zz"),
            Err(Error::InvalidPercentEncoding)
        );
        assert_eq!(
            Purl::parse("pkg:generic/a%ff"),
            Err(Error::InvalidPercentEncoding)
        );
    }

    #[test]
    fn encoding_in_runs_is_encoding_byte_by_byte() {
        let one_by_one = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        for s in [
            "",
            "plain-1.2_3~4:5",
            "@scope",
            "a b",
            " ",
            "%",
            "é",
            "aé",
            "éa",
            "日本語/x y",
            "a\u{1F600}b",
            "/leading and trailing/",
        ] {
            assert_eq!(Encoded(s).to_string(), one_by_one(s), "{s:?}");
        }
    }
}
