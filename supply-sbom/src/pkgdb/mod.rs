//! Package databases of Linux root filesystems: Debian's dpkg `status` (and the `status.d/`
//! files distroless images carry), with licenses from machine-readable (DEP-5)
//! `usr/share/doc/<pkg>/copyright` files, Alpine's `lib/apk/db/installed`, RPM's
//! `rpmdb.sqlite` ([`rpm`]), and `os-release`.
//!
//! Parsing is I/O-free and lenient the way dpkg and apk themselves are: a record without a
//! name or version is skipped, a line that is not `Field: value` is skipped, and each skip is
//! listed in [`Database::skipped`] with its line number. Only the caps in
//! [`limits`](mod@crate::limits) are errors — and, for RPM's binary database, a file whose
//! SQLite structure is broken; an RPM header that cannot be read skips its package.
//!
//! ```
//! use supply_sbom::pkgdb::{dpkg, OsRelease};
//!
//! let db = dpkg::parse_status(b"Package: libc6\nStatus: install ok installed\n\
//!     Architecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u14\n")?;
//! let os = OsRelease::parse(b"ID=debian\nVERSION_ID=\"12\"\n")?;
//! let purl = db.packages[0].purl(Some(&os))?;
//! assert_eq!(purl.to_string(),
//!     "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apk;
pub mod dpkg;
mod os_release;
pub mod rpm;

pub use os_release::OsRelease;

use crate::license::{Dialect, LicenseField};
use crate::limits::{LimitExceeded, MAX_PKGDB_SKIPPED};
use crate::model::License;
use crate::purl::{self, Purl};

/// Why a package database or `os-release` file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Over a size or count cap.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// An `rpmdb.sqlite` whose SQLite structure cannot be read.
    #[error("unreadable rpmdb.sqlite")]
    Rpm(#[from] rpm::Error),
}

/// Which package manager a [`DistroPackage`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Manager {
    /// dpkg (Debian, Ubuntu…): purl type `deb`.
    Dpkg,
    /// apk (Alpine, Wolfi…): purl type `apk`.
    Apk,
    /// rpm (Fedora, RHEL and its rebuilds, Amazon Linux, openSUSE…): purl type `rpm`.
    Rpm,
}

impl Manager {
    /// The purl type.
    #[must_use]
    pub fn purl_type(self) -> &'static str {
        match self {
            Self::Dpkg => "deb",
            Self::Apk => "apk",
            Self::Rpm => "rpm",
        }
    }

    /// The purl namespace (vendor) when `os-release` does not say: `debian`, `alpine`; empty
    /// for RPM, which many distributions share (see [`DistroPackage::purl`]).
    #[must_use]
    pub fn default_vendor(self) -> &'static str {
        match self {
            Self::Dpkg => "debian",
            Self::Apk => "alpine",
            Self::Rpm => "",
        }
    }
}

/// An installed package of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DistroPackage {
    /// Its package manager.
    pub manager: Manager,
    /// Binary package name (`libc6`, `busybox-binsh`).
    pub name: String,
    /// Installed version as written (`1:2.38.1-5+deb12u3`, `1.36.1-r2`; for RPM
    /// `[EPOCH:]VERSION-RELEASE`, `2:1.0-1.fc40`, the epoch whenever the header has one).
    pub version: String,
    /// Architecture (`amd64`, `all`, `x86_64`, `noarch`).
    pub arch: Option<String>,
    /// Source package name (dpkg `Source:`, apk `o:`, RPM `SOURCERPM`'s name), when it
    /// differs from nothing: `None` when the database does not name one (the source is then
    /// the binary name).
    pub source_name: Option<String>,
    /// Source version when the database states one (dpkg `Source: name (version)`, RPM
    /// `SOURCERPM`'s `VERSION-RELEASE`).
    pub source_version: Option<String>,
    /// License as the database states it (apk `L:`, RPM `LICENSE`) or as the DEP-5
    /// copyright file gives it ([`dpkg::copyright_license`]), read leniently.
    pub license: Option<License>,
    /// Maintainer (RPM: `PACKAGER`).
    pub maintainer: Option<String>,
    /// The organisation that distributes the package (RPM `VENDOR`: `Fedora Project`,
    /// `Red Hat, Inc.`); `None` for dpkg and apk, whose databases do not say.
    pub vendor: Option<String>,
    /// Home page.
    pub homepage: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Names of the packages this one depends on (dpkg `Depends`/`Pre-Depends`, first
    /// alternative; apk `D:` without `so:`/`cmd:`/`pc:` provides and version constraints;
    /// RPM `REQUIRENAME` capabilities without `rpmlib(…)`).
    pub depends: Vec<String>,
    /// Names this package provides (dpkg `Provides`, apk `p:` names, RPM `PROVIDENAME` and
    /// the owned files that other packages require by path).
    pub provides: Vec<String>,
    /// Paths of the files and directories the package owns, as `rpm -ql` lists them (RPM
    /// only; empty for dpkg and apk, whose file lists are not read).
    pub files: Vec<String>,
}

impl DistroPackage {
    /// The source package name: [`source_name`](Self::source_name) or the binary name.
    #[must_use]
    pub fn source(&self) -> &str {
        self.source_name.as_deref().unwrap_or(&self.name)
    }

    /// The version of the source package: the stated one, else the binary version (dpkg's
    /// `${source:Version}`).
    #[must_use]
    pub fn source_version(&self) -> &str {
        self.source_version.as_deref().unwrap_or(&self.version)
    }

    /// The package URL: `pkg:deb/debian/NAME@VERSION?arch=…&distro=debian-12[&upstream=…]`,
    /// `pkg:apk/alpine/NAME@VERSION?arch=…&distro=alpine-3.18.4` or
    /// `pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=…&epoch=…&distro=fedora-40`. The vendor and
    /// `distro` come from `os` (`ID`, `ID-VERSION_ID`); `upstream` (deb only, as the purl
    /// spec's deb definition says) names the source package when it differs from the binary
    /// one, with `@version` when the database states the source version.
    ///
    /// RPM purls follow syft: the namespace is `ID` with `rhel` written `redhat` and every
    /// `opensuse-*` written `opensuse` (the purl spec's vendors), the epoch is the `epoch`
    /// qualifier whenever the header has one (even 0), never part of the version, and
    /// `upstream` is the source RPM's file name, as syft writes it (the purl spec defines no
    /// source qualifier; OSV matching reads the source package's name out of it). Without `os-release` the
    /// namespace comes from a VENDOR that names a distribution (`Fedora Project` →
    /// `fedora`, `Red Hat, Inc.` → `redhat`); otherwise there is none, and the rpm type
    /// requires one.
    ///
    /// # Errors
    /// [`purl::Error`] when a field breaks a purl rule (an empty name, an RPM package of
    /// an unknown distribution).
    pub fn purl(&self, os: Option<&OsRelease>) -> Result<Purl, purl::Error> {
        let id = os.and_then(|o| o.id.as_deref()).filter(|id| !id.is_empty());
        let vendor = match (self.manager, id) {
            (Manager::Rpm, Some("rhel")) => "redhat",
            (Manager::Rpm, Some(id)) if id.starts_with("opensuse") => "opensuse",
            (_, Some(id)) => id,
            (Manager::Rpm, None) => self.vendor.as_deref().and_then(rpm_vendor).unwrap_or(""),
            (_, None) => self.manager.default_vendor(),
        };
        // RPM: `E:V-R` → version `V-R`, qualifier `epoch=E`.
        let (epoch, version) = match self.version.split_once(':') {
            Some((e, vr))
                if self.manager == Manager::Rpm
                    && !e.is_empty()
                    && e.bytes().all(|c| c.is_ascii_digit()) =>
            {
                (Some(e), vr)
            }
            _ => (None, self.version.as_str()),
        };
        let mut b = Purl::builder(self.manager.purl_type(), self.name.as_str()).version(version);
        if !vendor.is_empty() {
            b = b.namespace(vendor);
        }
        if let Some(a) = &self.arch {
            b = b.qualifier("arch", a.as_str());
        }
        if let Some(e) = epoch {
            b = b.qualifier("epoch", e);
        }
        if let Some(d) = os.and_then(OsRelease::distro_qualifier) {
            b = b.qualifier("distro", d);
        }
        if self.manager == Manager::Rpm {
            // As syft writes it: the source RPM's file name, which OSV matching cuts to the
            // source package's name.
            if let (Some(name), Some(vr)) = (&self.source_name, &self.source_version) {
                b = b.qualifier("upstream", format!("{name}-{vr}.src.rpm"));
            }
        }
        if self.manager == Manager::Dpkg {
            if let Some(src) = self.source_name.as_deref().filter(|s| *s != self.name) {
                let up = match &self.source_version {
                    Some(v) => format!("{src}@{v}"),
                    None => src.to_string(),
                };
                b = b.qualifier("upstream", up);
            }
        }
        b.build()
    }

    /// The OSV ecosystem of this package (`Debian:12`, `Alpine:v3.18`, `Rocky Linux:9`), when
    /// `os` says the release ([`OsRelease::osv_ecosystem`]); vulnerability records are
    /// indexed by the [`source`](Self::source) name.
    #[must_use]
    pub fn osv_ecosystem(&self, os: Option<&OsRelease>) -> Option<String> {
        os.and_then(OsRelease::osv_ecosystem)
    }
}

/// The purl namespace of a distribution an RPM `VENDOR` names.
fn rpm_vendor(vendor: &str) -> Option<&'static str> {
    let v = vendor.trim().to_ascii_lowercase();
    [
        ("fedora", "fedora"),
        ("red hat", "redhat"),
        ("centos", "centos"),
        ("rocky", "rocky"),
        ("almalinux", "almalinux"),
        ("amazon", "amzn"),
        ("opensuse", "opensuse"),
        ("suse", "suse"),
    ]
    .into_iter()
    .find(|(prefix, _)| v.starts_with(prefix))
    .map(|(_, ns)| ns)
}

/// A record or line a parser skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// 1-based line number where the record (or the line) starts; for an RPM database, the
    /// row's header number (`hnum`, rpm's `%{DBINSTANCE}`).
    pub line: usize,
    /// Why.
    pub reason: SkipReason,
}

/// Why a record or line was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// A line that is neither `Field: value` nor a continuation.
    MalformedLine,
    /// A record without a package name.
    NoName,
    /// A record without a version.
    NoVersion,
    /// A dpkg record whose `Status` is not `… installed` (or has no `Status` in the
    /// `status` file).
    NotInstalled,
    /// An RPM database row whose record is not `(hnum, blob)`.
    MalformedRow,
    /// An RPM database row whose header blob cannot be read.
    RpmHeader(rpm::HeaderError),
}

/// The packages of one database file, and what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Database {
    /// Installed packages, in file order.
    pub packages: Vec<DistroPackage>,
    /// Records and lines skipped (at most [`MAX_PKGDB_SKIPPED`] listed).
    pub skipped: Vec<Skipped>,
}

impl Database {
    fn skip(&mut self, line: usize, reason: SkipReason) {
        if self.skipped.len() < MAX_PKGDB_SKIPPED {
            self.skipped.push(Skipped { line, reason });
        }
    }
}

/// Reads a license the way a package database states it: an SPDX expression when it is one
/// (leniently: `or`, `and`, deprecated ids), else kept as written. apk's older
/// space-separated lists (`MIT BSD GPL2+`) become `AND` of their parts when each part is a
/// license id, else stay a name.
pub(crate) fn read_license(s: &str) -> Option<License> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(f @ LicenseField::Expression(_)) =
        LicenseField::parse_with(s, Dialect::Spdx2, crate::license::Strictness::Lenient)
    {
        return Some(License::Spdx(f));
    }
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" AND ");
    match LicenseField::parse_with(&joined, Dialect::Spdx2, crate::license::Strictness::Lenient) {
        Ok(f @ LicenseField::Expression(_)) => Some(License::Spdx(f)),
        _ => Some(License::Named(s.to_string())),
    }
}

/// Lines of `text` with their 1-based numbers, without the `\r` of CRLF files.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}
