//! Ecosystem names as OSV spells them and package identities.

use std::borrow::Cow;
use std::fmt;

use crate::version::Scheme;

/// An OSV ecosystem name, exactly as written (`PyPI`, `crates.io`, `Debian:12`,
/// `Alpine:v3.18`): records match only their exact ecosystem string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ecosystem(String);

impl Ecosystem {
    /// The ecosystem named `name`.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The whole name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name before any `:` release suffix (`Debian` for `Debian:12`).
    #[must_use]
    pub fn base(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(b, _)| b)
    }

    /// The release suffix (`12` for `Debian:12`, `v3.18` for `Alpine:v3.18`).
    #[must_use]
    pub fn release(&self) -> Option<&str> {
        self.0.split_once(':').map(|(_, r)| r)
    }

    /// The version ordering of `ECOSYSTEM` ranges in this ecosystem, when known.
    #[must_use]
    pub fn scheme(&self) -> Option<Scheme> {
        Scheme::for_ecosystem(self.base())
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A package name in the form records are indexed and compared by: PyPI names after PEP 503
/// normalisation (lower case, runs of `-`, `_`, `.` → `-`); NuGet and Packagist names lower
/// case (both registries are case-insensitive); every other ecosystem's names as written.
#[must_use]
pub fn normalize_name<'a>(ecosystem_base: &str, name: &'a str) -> Cow<'a, str> {
    match ecosystem_base {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.push(c.to_ascii_lowercase());
                    in_sep = false;
                }
            }
            Cow::Owned(out)
        }
        "NuGet" | "Packagist" => Cow::Owned(name.to_ascii_lowercase()),
        _ => Cow::Borrowed(name),
    }
}

/// A package at one version in one ecosystem: what is matched against OSV records.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageRef {
    /// The OSV ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name, as the ecosystem writes it.
    pub name: String,
    /// The installed version.
    pub version: String,
}

impl PackageRef {
    /// A package reference.
    #[must_use]
    pub fn new(ecosystem: &str, name: &str, version: &str) -> Self {
        Self {
            ecosystem: Ecosystem::new(ecosystem),
            name: name.to_owned(),
            version: version.to_owned(),
        }
    }

    /// The name in its compared form (see [`normalize_name`]).
    #[must_use]
    pub fn normalized_name(&self) -> Cow<'_, str> {
        normalize_name(self.ecosystem.base(), &self.name)
    }
}

impl fmt::Display for PackageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}@{}", self.ecosystem, self.name, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_suffixes() {
        assert_eq!(
            normalize_name("PyPI", "Django_Package..x"),
            "django-package-x"
        );
        assert_eq!(normalize_name("Go", "github.com/A/b"), "github.com/A/b");
        let e = Ecosystem::new("Alpine:v3.18");
        assert_eq!((e.base(), e.release()), ("Alpine", Some("v3.18")));
        assert_eq!(e.scheme(), Some(Scheme::Alpine));
        assert_eq!(Ecosystem::new("GIT").scheme(), None);
    }
}
