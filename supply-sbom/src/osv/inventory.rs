//! What to scan: package URLs (from an SBOM or given one by one) mapped to OSV ecosystem,
//! name and version, as osv-scanner maps them.
//!
//! | purl type | OSV ecosystem | OSV name |
//! |---|---|---|
//! | `cargo` | `crates.io` | name |
//! | `npm` | `npm` | `@scope/name` |
//! | `pypi` | `PyPI` | name (PEP 503 when compared) |
//! | `golang` | `Go` | `namespace/name`; the version's leading `v` is dropped |
//! | `maven` | `Maven` | `group:artifact` |
//! | `gem`, `nuget`, `composer`, `pub`, `hex`, `cran`, `hackage`, `swift` | `RubyGems`, `NuGet`, `Packagist`, `Pub`, `Hex`, `CRAN`, `Hackage`, `SwiftURL` | name (`vendor/name` for composer, the URL path for swift) |
//! | `deb` | `Debian:N` / `Ubuntu:N[:LTS]` from `distro` (`debian-12`, `bookworm`, `ubuntu-22.04`, `jammy`) | the source package (`upstream`/`source` qualifier), else name |
//! | `apk` | `Alpine:vX.Y` from `distro` (`alpine-3.17.2`, `3.22.0`) | the origin (`upstream`/`origin`), else name |
//! | `rpm` | `Red Hat`, `Rocky Linux:N`, `AlmaLinux:N` (N from `distro`), `SUSE`, `openSUSE` by namespace; the version with the `epoch` qualifier | the source (`upstream`, a source RPM file name cut to its name), else name |
//!
//! Distribution releases come only from the `distro` qualifier: without it the bare ecosystem
//! (`Debian`) is used, and records, which carry a release, do not match — reported, not
//! guessed. A purl without a version, or of another type (`generic`, `oci`, `github`), is
//! [`Unscannable`].
//!
//! ```
//! use supply_sbom::osv::inventory::package_ref;
//! use supply_sbom::purl::Purl;
//!
//! let p = package_ref(&Purl::parse("pkg:golang/github.com/opencontainers/runc@v1.0.1")?)?;
//! assert_eq!(p.to_string(), "Go/github.com/opencontainers/runc@1.0.1");
//! let p = package_ref(&Purl::parse(
//!     "pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&upstream=openssl&distro=debian-9")?)?;
//! assert_eq!(p.to_string(), "Debian:9/openssl@1.1.0l-1~deb9u5");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use super::PackageRef;
use crate::model::Sbom;
use crate::purl::Purl;

/// Why a purl cannot be matched against OSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unscannable {
    /// The purl has no version.
    #[error("no version")]
    NoVersion,
    /// OSV has no ecosystem for the purl's type.
    #[error("no OSV ecosystem for purl type `{0}`")]
    UnknownType(String),
    /// A `deb`/`rpm` purl whose namespace names no distribution OSV knows.
    #[error("no OSV ecosystem for distribution `{0}`")]
    UnknownDistro(String),
    /// The version is not one: Go's `(devel)`, an empty or whitespace string.
    #[error("`{0}` is not a version")]
    NotAVersion(String),
}

/// The OSV package a purl names, at the purl's version.
///
/// # Errors
/// [`Unscannable`] when the purl has no version or no OSV ecosystem.
pub fn package_ref(purl: &Purl) -> Result<PackageRef, Unscannable> {
    let version = purl.version().ok_or(Unscannable::NoVersion)?;
    if version.trim().is_empty()
        || version.starts_with('(')
        || version.contains(char::is_whitespace)
    {
        return Err(Unscannable::NotAVersion(version.into()));
    }
    let ns = purl.namespace();
    let name = purl.name();
    // Distribution purls name the binary package; OSV records name the source package.
    let source = || {
        ["upstream", "source", "origin"]
            .iter()
            .find_map(|k| purl.qualifier(k))
            .map(|q| q.split('@').next().unwrap_or(q))
            .filter(|q| !q.is_empty())
            .unwrap_or(name)
            .to_owned()
    };
    let epoch_version;
    let (ecosystem, name, version) = match purl.ty() {
        "cargo" => ("crates.io".to_owned(), name.to_owned(), version),
        "npm" => ("npm".to_owned(), purl.full_name(), version),
        "pypi" => ("PyPI".to_owned(), name.to_owned(), version),
        "golang" => (
            "Go".to_owned(),
            purl.full_name(),
            version.strip_prefix('v').unwrap_or(version),
        ),
        "maven" => (
            "Maven".to_owned(),
            match ns {
                Some(g) => format!("{g}:{name}"),
                None => name.to_owned(),
            },
            version,
        ),
        "gem" => ("RubyGems".to_owned(), name.to_owned(), version),
        "nuget" => ("NuGet".to_owned(), name.to_owned(), version),
        "composer" => ("Packagist".to_owned(), purl.full_name(), version),
        "pub" => ("Pub".to_owned(), name.to_owned(), version),
        "hex" => ("Hex".to_owned(), name.to_owned(), version),
        "cran" => ("CRAN".to_owned(), name.to_owned(), version),
        "hackage" => ("Hackage".to_owned(), name.to_owned(), version),
        "swift" => ("SwiftURL".to_owned(), purl.full_name(), version),
        "deb" => (
            deb_ecosystem(ns, purl.qualifier("distro"))?,
            source(),
            version,
        ),
        "apk" => (
            alpine_ecosystem(purl.qualifier("distro")),
            source(),
            version,
        ),
        "rpm" => (
            rpm_ecosystem(ns, purl.qualifier("distro"))?,
            srpm_name(&source()),
            // OSV's RPM versions carry the epoch (`1:1.1.1k-7.el8_6`), which a purl keeps in
            // its own qualifier; without it a package of epoch 1 would compare as epoch 0.
            match purl.qualifier("epoch") {
                Some(epoch) => {
                    epoch_version = format!("{epoch}:{version}");
                    epoch_version.as_str()
                }
                None => version,
            },
        ),
        other => return Err(Unscannable::UnknownType(other.into())),
    };
    Ok(PackageRef::new(&ecosystem, &name, version))
}

/// Debian codenames to release numbers (OSV's `Debian:N`).
const DEBIAN: &[(&str, &str)] = &[
    ("buzz", "1.1"),
    ("hamm", "2.0"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4.0"),
    ("lenny", "5.0"),
    ("squeeze", "6.0"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("sid", "sid"),
];

/// Ubuntu codenames to releases.
const UBUNTU: &[(&str, &str)] = &[
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("lunar", "23.04"),
    ("mantic", "23.10"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
];

fn deb_ecosystem(ns: Option<&str>, distro: Option<&str>) -> Result<String, Unscannable> {
    let vendor = ns.unwrap_or("debian");
    let (base, codenames) = match vendor {
        "debian" => ("Debian", DEBIAN),
        "ubuntu" => ("Ubuntu", UBUNTU),
        other => return Err(Unscannable::UnknownDistro(other.into())),
    };
    let Some(distro) = distro else {
        return Ok(base.to_owned());
    };
    let release = distro
        .strip_prefix(vendor)
        .map(|r| r.trim_start_matches('-'))
        .unwrap_or(distro);
    let release = codenames
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(release))
        .map_or(release, |(_, n)| n);
    if release.is_empty() {
        return Ok(base.to_owned());
    }
    if base == "Ubuntu" {
        // OSV spells long-term-support releases `Ubuntu:22.04:LTS`: even years' April releases.
        let lts = release
            .split_once('.')
            .is_some_and(|(y, m)| m == "04" && y.parse::<u32>().is_ok_and(|y| y % 2 == 0));
        return Ok(if lts {
            format!("Ubuntu:{release}:LTS")
        } else {
            format!("Ubuntu:{release}")
        });
    }
    // `debian-9.13` → `Debian:9`: since Debian 7 a point release shares its major's suite.
    let major = match release.split_once('.') {
        Some((m, _)) if m.parse::<u32>().is_ok_and(|m| m >= 7) => m,
        _ => release,
    };
    Ok(format!("Debian:{major}"))
}

fn alpine_ecosystem(distro: Option<&str>) -> String {
    let Some(d) = distro else {
        return "Alpine".to_owned();
    };
    let d = d.strip_prefix("alpine-").unwrap_or(d);
    let d = d.strip_prefix('v').unwrap_or(d);
    if d == "edge" {
        return "Alpine:edge".to_owned();
    }
    let mut parts = d.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor))
            if major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
                && !major.is_empty()
                && !minor.is_empty() =>
        {
            format!("Alpine:v{major}.{minor}")
        }
        _ => "Alpine".to_owned(),
    }
}

/// The package name of a source RPM's file name, which syft writes as an rpm purl's
/// `upstream` (`openssl-3.0.7-27.el9.src.rpm` → `openssl`: version and release hold no `-`);
/// any other string as it is.
fn srpm_name(source: &str) -> String {
    source
        .strip_suffix(".src.rpm")
        .and_then(|s| s.rsplitn(3, '-').nth(2))
        .filter(|n| !n.is_empty())
        .unwrap_or(source)
        .to_owned()
}

/// The OSV ecosystem of an rpm purl's namespace; Rocky Linux and AlmaLinux publish per major
/// release (`Rocky Linux:9`), which the `distro` qualifier (`rocky-9.3`, syft's
/// `ID-VERSION_ID`) says.
fn rpm_ecosystem(ns: Option<&str>, distro: Option<&str>) -> Result<String, Unscannable> {
    let base = rpm_distribution(ns)?;
    let major = distro
        .and_then(|d| d.rsplit_once('-'))
        .map(|(_, v)| v.split('.').next().unwrap_or(v))
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
    Ok(match (base, major) {
        ("Rocky Linux" | "AlmaLinux", Some(major)) => format!("{base}:{major}"),
        _ => base.to_owned(),
    })
}

fn rpm_distribution(ns: Option<&str>) -> Result<&'static str, Unscannable> {
    Ok(match ns.unwrap_or("") {
        "redhat" | "rhel" => "Red Hat",
        "rocky" | "rocky-linux" => "Rocky Linux",
        "almalinux" | "alma" => "AlmaLinux",
        "suse" | "sles" => "SUSE",
        "opensuse" => "openSUSE",
        "mageia" => "Mageia",
        "openeuler" => "openEuler",
        other => return Err(Unscannable::UnknownDistro(other.into())),
    })
}

/// The packages to scan, deduplicated, and what could not be scanned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inventory {
    /// The packages, sorted, each once (the same package listed twice in an SBOM — syft
    /// writes components with and without a `package-id` qualifier — is scanned once).
    pub packages: Vec<PackageRef>,
    /// What was skipped: the package (its purl, or its name when it has none) and why.
    pub skipped: Vec<Skipped>,
}

/// A package that could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The purl, or the package name and version when it has no purl.
    pub package: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a package was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The package has no purl (so no ecosystem).
    NoPurl,
    /// The purl does not map to OSV.
    Unscannable(Unscannable),
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            SkipReason::NoPurl => write!(f, "{}: no package URL", self.package),
            SkipReason::Unscannable(u) => write!(f, "{}: {u}", self.package),
        }
    }
}

impl Inventory {
    /// The scannable packages of an SBOM's packages/components (by their purls).
    #[must_use]
    pub fn from_sbom(sbom: &Sbom) -> Self {
        let mut inv = Builder::default();
        for p in &sbom.packages {
            match &p.purl {
                Some(purl) => inv.purl(purl),
                None => inv.skipped.push(Skipped {
                    package: match &p.version {
                        Some(v) => format!("{}@{v}", p.name),
                        None => p.name.clone(),
                    },
                    reason: SkipReason::NoPurl,
                }),
            }
        }
        inv.finish()
    }

    /// The scannable packages among `purls`.
    #[must_use]
    pub fn from_purls<'a>(purls: impl IntoIterator<Item = &'a Purl>) -> Self {
        let mut inv = Builder::default();
        for p in purls {
            inv.purl(p);
        }
        inv.finish()
    }
}

#[derive(Default)]
struct Builder {
    packages: BTreeSet<PackageRef>,
    skipped: Vec<Skipped>,
}

impl Builder {
    fn purl(&mut self, purl: &Purl) {
        match package_ref(purl) {
            Ok(p) => {
                self.packages.insert(p);
            }
            Err(e) => {
                let package = purl.to_string();
                if !self.skipped.iter().any(|s| s.package == package) {
                    self.skipped.push(Skipped {
                        package,
                        reason: SkipReason::Unscannable(e),
                    });
                }
            }
        }
    }

    fn finish(self) -> Inventory {
        Inventory {
            packages: self.packages.into_iter().collect(),
            skipped: self.skipped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(s: &str) -> Result<String, Unscannable> {
        package_ref(&Purl::parse(s).unwrap()).map(|p| p.to_string())
    }

    #[test]
    fn ecosystems_and_names() {
        let cases = [
            ("pkg:cargo/net2@0.2.33", "crates.io/net2@0.2.33"),
            ("pkg:npm/%40babel/core@7.0.0", "npm/@babel/core@7.0.0"),
            ("pkg:pypi/Flask@1.0.0", "PyPI/flask@1.0.0"),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "Maven/org.apache.logging.log4j:log4j-core@2.14.1",
            ),
            ("pkg:composer/laravel/framework@v9.0.0", "Packagist/laravel/framework@v9.0.0"),
            ("pkg:gem/rails@7.0.0", "RubyGems/rails@7.0.0"),
            ("pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet/Newtonsoft.Json@12.0.1"),
            (
                "pkg:deb/debian/bsdutils@1:2.29.2-1%2Bdeb9u1?arch=amd64&upstream=util-linux%402.29.2-1%2Bdeb9u1&distro=debian-9",
                "Debian:9/util-linux@1:2.29.2-1+deb9u1",
            ),
            ("pkg:deb/debian/attr@2.5.1-4?distro=bookworm", "Debian:12/attr@2.5.1-4"),
            ("pkg:deb/debian/attr@2.5.1-4", "Debian/attr@2.5.1-4"),
            (
                "pkg:deb/ubuntu/pcre3@2%3A8.39-12ubuntu0.1?arch=amd64&distro=focal&source=pcre3",
                "Ubuntu:20.04:LTS/pcre3@2:8.39-12ubuntu0.1",
            ),
            ("pkg:deb/ubuntu/x@1?distro=ubuntu-23.10", "Ubuntu:23.10/x@1"),
            (
                "pkg:apk/alpine/libssl3@3.0.8-r0?arch=x86_64&upstream=openssl&distro=alpine-3.17.2",
                "Alpine:v3.17/openssl@3.0.8-r0",
            ),
            (
                "pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0&origin=zlib",
                "Alpine:v3.22/zlib@1.2.12-r1",
            ),
            ("pkg:rpm/redhat/openssl@1.1.1k-7.el8?arch=x86_64", "Red Hat/openssl@1.1.1k-7.el8"),
            // As the RPM generator writes them: the release from `distro`, the epoch from
            // its qualifier, the source package from `upstream`.
            (
                "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rocky-9.3",
                "Rocky Linux:9/openssl@1:3.0.7-27.el9",
            ),
            (
                "pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.4",
                "AlmaLinux:9/bash@5.1.8-9.el9",
            ),
            ("pkg:rpm/rocky/bash@5.1.8-9.el9", "Rocky Linux/bash@5.1.8-9.el9"),
            (
                "pkg:rpm/rocky/python3.12-libs@3.12.1-4.el9?upstream=python3.12-3.12.1-4.el9.src.rpm&distro=rocky-9.4",
                "Rocky Linux:9/python3.12@3.12.1-4.el9",
            ),
        ];
        for (purl, want) in cases {
            assert_eq!(map(purl).as_deref(), Ok(want), "{purl}");
        }
    }

    #[test]
    fn unscannable() {
        assert_eq!(map("pkg:cargo/net2"), Err(Unscannable::NoVersion));
        assert_eq!(
            map("pkg:golang/github.com/tianon/gosu@(devel)"),
            Err(Unscannable::NotAVersion("(devel)".into()))
        );
        assert_eq!(
            map("pkg:generic/openssl@3.0"),
            Err(Unscannable::UnknownType("generic".into()))
        );
        assert_eq!(
            map("pkg:rpm/fedora/x@1"),
            Err(Unscannable::UnknownDistro("fedora".into()))
        );
    }

    #[test]
    fn inventory_deduplicates_and_reports() {
        let purls: Vec<Purl> = [
            "pkg:cargo/net2@0.2.33",
            "pkg:cargo/net2@0.2.33?package-id=abc",
            "pkg:generic/x@1",
            "pkg:generic/x@1",
        ]
        .iter()
        .map(|s| Purl::parse(s).unwrap())
        .collect();
        let inv = Inventory::from_purls(&purls);
        assert_eq!(
            inv.packages,
            [PackageRef::new("crates.io", "net2", "0.2.33")]
        );
        assert_eq!(inv.skipped.len(), 1);
        assert_eq!(
            inv.skipped[0].to_string(),
            "pkg:generic/x@1: no OSV ecosystem for purl type `generic`"
        );
    }
}
