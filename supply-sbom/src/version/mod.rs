//! Each ecosystem's version order, as OSV `ECOSYSTEM` ranges need it, and SemVer 2.0 for
//! `SEMVER` ranges.
//!
//! Every ordering is hand-written after its ecosystem's reference implementation (named in
//! each submodule) and checked against the vectors osv-scanner's comparator is tested with
//! (`testdata/sbom/osv/version-ordering/`). Numbers of any length compare exactly (as digit
//! strings, never through a machine integer), inputs are capped at [`MAX_VERSION_LEN`] bytes
//! and parsing is linear, so no string makes a comparison panic, overflow or allocate more
//! than a small multiple of its length.
//!
//! ```
//! use std::cmp::Ordering;
//! use supply_sbom::version::{compare, Scheme};
//!
//! assert_eq!(compare(Scheme::PyPI, "1.0", "1.0.0")?, Ordering::Equal);
//! assert_eq!(compare(Scheme::Debian, "1.2.3-1~deb7u1", "1.2.3-1")?, Ordering::Less);
//! assert_eq!(compare(Scheme::Go, "1.0.1-0.20211012131345-9c444070ec7b", "1.0.1")?, Ordering::Less);
//! assert_eq!(compare(Scheme::Maven, "1.0-SNAPSHOT", "1.0")?, Ordering::Less);
//! # Ok::<(), supply_sbom::version::Error>(())
//! ```

use std::cmp::Ordering;
use std::fmt;

pub use crate::limits::MAX_VERSION_LEN;

mod alpine;
mod debian;
mod maven;
mod num;
mod numeric;
mod packagist;
mod pypi;
mod rpm;
mod rubygems;
mod semver;

/// A version ordering: which rules decide whether one version string is older than another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// SemVer 2.0 precedence, as OSV `SEMVER` ranges use it, read leniently as osv-scanner
    /// does (a leading `v`, missing minor/patch components = 0).
    SemVer,
    /// npm: SemVer 2.0.
    Npm,
    /// crates.io: SemVer 2.0 (Cargo's `semver`).
    CratesIo,
    /// Go modules: SemVer 2.0 with pseudo-versions (`v0.0.0-20210817142637-7d9622a276b7`, a
    /// pre-release) and `+incompatible` (build metadata, ignored).
    Go,
    /// Hex (Erlang/Elixir): SemVer 2.0.
    Hex,
    /// PyPI: PEP 440 (epochs, pre/post/dev releases, local versions), with the legacy versions
    /// of `packaging` < 22 sorting before every PEP 440 version.
    PyPI,
    /// Maven: `ComparableVersion`, as the POM reference's version order specification states it.
    Maven,
    /// RubyGems: `Gem::Version`.
    RubyGems,
    /// NuGet: SemVer 2.0 with four release components and case-insensitive labels.
    NuGet,
    /// Debian and Ubuntu: dpkg (`epoch:upstream-revision`, `~` before everything).
    Debian,
    /// Alpine, Wolfi, Chainguard: apk-tools.
    Alpine,
    /// Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia, openEuler: `rpmvercmp` with epochs,
    /// `~` and `^`.
    Rpm,
    /// Packagist (Composer): PHP `version_compare`.
    Packagist,
    /// Pub (Dart): SemVer 2.0 where build metadata also orders (`1.0.0 < 1.0.0+1`).
    Pub,
    /// CRAN: integers separated by `.` or `-`.
    Cran,
    /// Hackage: integers separated by `.`.
    Hackage,
}

impl Scheme {
    /// Every scheme, for tests and fuzzing.
    pub const ALL: [Self; 16] = [
        Self::SemVer,
        Self::Npm,
        Self::CratesIo,
        Self::Go,
        Self::Hex,
        Self::PyPI,
        Self::Maven,
        Self::RubyGems,
        Self::NuGet,
        Self::Debian,
        Self::Alpine,
        Self::Rpm,
        Self::Packagist,
        Self::Pub,
        Self::Cran,
        Self::Hackage,
    ];

    /// The ordering of an OSV ecosystem, by its base name (the part before any `:` release
    /// suffix, as in `Debian:12`); `None` when the ecosystem has no ordering here (`GIT`
    /// ranges and unknown ecosystems never match on versions).
    #[must_use]
    pub fn for_ecosystem(base: &str) -> Option<Self> {
        Some(match base {
            "crates.io" => Self::CratesIo,
            "npm" => Self::Npm,
            "Go" => Self::Go,
            "Hex" => Self::Hex,
            "PyPI" => Self::PyPI,
            "Maven" => Self::Maven,
            "RubyGems" => Self::RubyGems,
            "NuGet" => Self::NuGet,
            "Debian" | "Ubuntu" => Self::Debian,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "BellSoft Hardened Containers" => {
                Self::Alpine
            }
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia"
            | "openEuler" | "Azure Linux" => Self::Rpm,
            "Packagist" => Self::Packagist,
            "Pub" => Self::Pub,
            "CRAN" => Self::Cran,
            "Hackage" => Self::Hackage,
            "Bitnami" | "SwiftURL" => Self::SemVer,
            _ => return None,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SemVer => "SemVer",
            Self::Npm => "npm",
            Self::CratesIo => "crates.io",
            Self::Go => "Go",
            Self::Hex => "Hex",
            Self::PyPI => "PyPI",
            Self::Maven => "Maven",
            Self::RubyGems => "RubyGems",
            Self::NuGet => "NuGet",
            Self::Debian => "Debian",
            Self::Alpine => "Alpine",
            Self::Rpm => "RPM",
            Self::Packagist => "Packagist",
            Self::Pub => "Pub",
            Self::Cran => "CRAN",
            Self::Hackage => "Hackage",
        })
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The string is longer than [`MAX_VERSION_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] crate::limits::LimitExceeded),
    /// The string is empty (or only white space).
    #[error("empty {scheme} version")]
    Empty {
        /// The ordering asked for.
        scheme: Scheme,
    },
    /// The string is not a version in this ecosystem.
    #[error("not a {scheme} version: {reason}")]
    Invalid {
        /// The ordering asked for.
        scheme: Scheme,
        /// What rule it breaks.
        reason: &'static str,
    },
}

/// A parsed version of one [`Scheme`]. Parse once, compare many times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    scheme: Scheme,
    inner: Inner,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    Semver(semver::SemverLike),
    PyPI(pypi::PyPIVersion),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    Debian(debian::DebVersion),
    Alpine(alpine::ApkVersion),
    Rpm(rpm::RpmVersion),
    Packagist(packagist::PhpVersion),
    Numeric(numeric::NumericVersion),
}

impl Version {
    /// Parses `s` as a version of `scheme`.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] past [`MAX_VERSION_LEN`] bytes, [`Error::Empty`], or
    /// [`Error::Invalid`] where the ecosystem rejects the string (a Debian epoch that is not
    /// a number, a CRAN component that is not an integer, a SemVer string that does not start
    /// with a number, such as Go's `(devel)`).
    pub fn parse(scheme: Scheme, s: &str) -> Result<Self, Error> {
        if s.len() > MAX_VERSION_LEN {
            return Err(
                crate::limits::LimitExceeded::new("version string", MAX_VERSION_LEN)
                    .with_actual(s.len())
                    .into(),
            );
        }
        if s.trim().is_empty() {
            return Err(Error::Empty { scheme });
        }
        let inner = match scheme {
            Scheme::SemVer | Scheme::Npm | Scheme::CratesIo | Scheme::Go | Scheme::Hex => {
                Inner::Semver(semver::SemverLike::parse(s, semver::Flavour::SemVer)?)
            }
            Scheme::NuGet => Inner::Semver(semver::SemverLike::parse(s, semver::Flavour::NuGet)?),
            Scheme::Pub => Inner::Semver(semver::SemverLike::parse(s, semver::Flavour::Pub)?),
            Scheme::PyPI => Inner::PyPI(pypi::PyPIVersion::parse(s)),
            Scheme::Maven => Inner::Maven(maven::MavenVersion::parse(s)),
            Scheme::RubyGems => Inner::RubyGems(rubygems::GemVersion::parse(s)?),
            Scheme::Debian => Inner::Debian(debian::DebVersion::parse(s)?),
            Scheme::Alpine => Inner::Alpine(alpine::ApkVersion::parse(s)),
            Scheme::Rpm => Inner::Rpm(rpm::RpmVersion::parse(s)),
            Scheme::Packagist => Inner::Packagist(packagist::PhpVersion::parse(s)),
            Scheme::Cran => Inner::Numeric(numeric::NumericVersion::parse(s, scheme, true)?),
            Scheme::Hackage => Inner::Numeric(numeric::NumericVersion::parse(s, scheme, false)?),
        };
        Ok(Self { scheme, inner })
    }

    /// The ordering this version follows.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Compares two versions of the same scheme; `None` when the schemes differ.
    #[must_use]
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        if self.scheme != other.scheme {
            return None;
        }
        Some(match (&self.inner, &other.inner) {
            (Inner::Semver(a), Inner::Semver(b)) => a.cmp(b),
            (Inner::PyPI(a), Inner::PyPI(b)) => a.cmp(b),
            (Inner::Maven(a), Inner::Maven(b)) => a.cmp(b),
            (Inner::RubyGems(a), Inner::RubyGems(b)) => a.cmp(b),
            (Inner::Debian(a), Inner::Debian(b)) => a.cmp(b),
            (Inner::Alpine(a), Inner::Alpine(b)) => a.cmp(b),
            (Inner::Rpm(a), Inner::Rpm(b)) => a.cmp(b),
            (Inner::Packagist(a), Inner::Packagist(b)) => a.cmp(b),
            (Inner::Numeric(a), Inner::Numeric(b)) => a.cmp(b),
            // The same scheme always parses into the same representation.
            _ => return None,
        })
    }
}

/// Compares two version strings under `scheme`.
///
/// # Errors
/// As [`Version::parse`], for either string.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, Error> {
    let a = Version::parse(scheme, a)?;
    let b = Version::parse(scheme, b)?;
    // Both were parsed with `scheme`, so `compare` cannot see two schemes.
    Ok(a.compare(&b).unwrap_or(Ordering::Equal))
}

/// `PartialEq`, `Eq` and `PartialOrd` from a type's `Ord`: two versions are equal when their
/// ecosystem orders them equal (`1.0` and `1.0.0` in PyPI), not when their text is.
macro_rules! ord_by_cmp {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}
pub(crate) use ord_by_cmp;
