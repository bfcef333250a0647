//! RPM's package database in its SQLite form, `rpmdb.sqlite` (rpm 4.16 and later: Fedora 33+,
//! RHEL 9 and its rebuilds, Amazon Linux 2023, openSUSE Tumbleweed), found at
//! `var/lib/rpm/rpmdb.sqlite` or `usr/lib/sysimage/rpm/rpmdb.sqlite`.
//!
//! rpm keeps one row per installed package in the table `Packages (hnum INTEGER PRIMARY KEY
//! AUTOINCREMENT, blob BLOB NOT NULL)`: the row id is rpm's header number and the blob the
//! package's header ([`parse_header`]). The other tables are indexes rpm rebuilds from the
//! headers and are not read. The file is read here without SQLite: only its header, the
//! schema table on page 1 and the `Packages` table's B-tree with its overflow pages, every
//! page at most once and every step bounded (see `limits`).
//!
//! What is not read:
//! - The write-ahead log (`rpmdb.sqlite-wal`) beside the file: rpm checkpoints it when it
//!   closes the database, so it is empty at rest; a database whose header says WAL mode is
//!   read from its main file alone, and a transaction still only in the log is missed.
//! - The BerkeleyDB `Packages` of older releases (RHEL 8 and earlier, CentOS 7, Amazon
//!   Linux 2) and the NDB `Packages.db` of SUSE: SBOM generation reports them as
//!   unsupported instead of listing their packages.
//!
//! `gpg-pubkey` rows are not packages: `rpm --import` stores each trusted OpenPGP key as a
//! header named `gpg-pubkey` (version: the key id; release: its creation time; no
//! architecture; license `pubkey`), and scanners such as Clair leave them out of package
//! lists. They are skipped without a report.
//!
//! ```
//! use supply_sbom::pkgdb::rpm;
//!
//! // Not a database: a typed error, never a panic.
//! assert!(matches!(
//!     rpm::parse_sqlite(b"not a database"),
//!     Err(supply_sbom::pkgdb::Error::Rpm(rpm::Error::NotSqlite))
//! ));
//! ```

mod header;
mod sqlite;

use std::collections::{HashMap, HashSet};

pub use header::{parse_header, Header, HeaderError};

use header::{parse_header_within, Budget, KEPT};

use super::{Database, DistroPackage, Manager, SkipReason};
use crate::license::{Dialect, Exception, Expr, LicenseField, SimpleLicense, Strictness};
use crate::limits::{LimitExceeded, MAX_PKGDB_PACKAGES, MAX_RPMDB_LEN, MAX_RPM_HEADER_LEN};
use crate::model::License;
use crate::pkgdb;

/// Why an `rpmdb.sqlite` file could not be read: its SQLite structure is not what the file
/// format allows, or it has no `Packages` table. Page numbers are 1-based, as in SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file does not start with the SQLite 3 header.
    #[error("not an SQLite 3 database")]
    NotSqlite,
    /// The page size field is not a power of two from 512 to 65536.
    #[error("page size field {0} is not a power of two from 512 to 65536")]
    PageSize(u32),
    /// A file format read version this reader must not read (SQLite knows 1 and 2).
    #[error("file format read version {0}")]
    FormatVersion(u8),
    /// So many reserved bytes per page that fewer than 480 usable bytes remain.
    #[error("{0} reserved bytes per page leave fewer than 480 usable")]
    Reserved(u8),
    /// Payload fractions other than the fixed 64, 32, 32.
    #[error("payload fractions are not 64, 32, 32")]
    PayloadFractions,
    /// A text encoding other than UTF-8, UTF-16le and UTF-16be (1, 2, 3).
    #[error("text encoding {0}")]
    Encoding(u32),
    /// The header counts more pages than the file holds.
    #[error("the header counts {pages} pages, the file holds {in_file}")]
    Truncated {
        /// Pages the header counts.
        pages: u32,
        /// Whole pages in the file.
        in_file: u32,
    },
    /// A page number of 0 or past the last page.
    #[error("page {page} is not among the database's {pages} pages")]
    PageOutOfRange {
        /// The page number.
        page: u32,
        /// Pages in the database.
        pages: u32,
    },
    /// A page reached a second time: a loop in a B-tree or an overflow chain, or two
    /// structures sharing a page.
    #[error("page {0} is reached twice")]
    PageRevisited(u32),
    /// A page in a table B-tree that is not a table B-tree page.
    #[error("page {page} has type {kind:#04x}, not a table B-tree page")]
    PageType {
        /// The page number.
        page: u32,
        /// Its type byte.
        kind: u8,
    },
    /// A cell (or the cell pointer array) outside its page's usable area.
    #[error("page {page}: cell {cell} lies outside the page")]
    Cell {
        /// The page number.
        page: u32,
        /// The cell's index on the page.
        cell: usize,
    },
    /// An overflow chain that ends (page 0) before the payload it carries.
    #[error("overflow chain from page {page} ends {missing} bytes short")]
    OverflowEnds {
        /// The page whose cell (or overflow page) pointed on.
        page: u32,
        /// Payload bytes still missing.
        missing: usize,
    },
    /// The schema has no `Packages` table.
    #[error("no Packages table")]
    NoPackagesTable,
}

/// The largest SQLite record read: a header blob at its cap, plus room for the record's own
/// header (a few bytes).
const RECORD_CAP: usize = MAX_RPM_HEADER_LEN + 64;

/// Reads the installed packages of an `rpmdb.sqlite` file, in header-number order (the order
/// of `rpm -qa`). A row whose record is not `(hnum, blob)` or whose header cannot be read is
/// skipped and listed in [`Database::skipped`] with its header number as the line;
/// `gpg-pubkey` rows are skipped silently (see the module documentation).
///
/// Each package's `depends` are its REQUIRENAME capabilities without the `rpmlib(…)`
/// features of rpm itself, and its `provides` are PROVIDENAME plus those of its files that
/// another package in the database requires by path (`/usr/bin/perl`), so that dependency
/// edges can be drawn by name.
///
/// # Errors
/// [`pkgdb::Error::LimitExceeded`] past [`MAX_RPMDB_LEN`] bytes, [`MAX_PKGDB_PACKAGES`]
/// packages, [`MAX_RPM_KEPT_BYTES`](crate::limits::MAX_RPM_KEPT_BYTES) of strings kept or
/// [`MAX_SQLITE_DEPTH`](crate::limits::MAX_SQLITE_DEPTH) B-tree levels;
/// [`pkgdb::Error::Rpm`] when the file's SQLite structure is broken or it has no `Packages`
/// table.
pub fn parse_sqlite(bytes: &[u8]) -> Result<Database, pkgdb::Error> {
    if bytes.len() > MAX_RPMDB_LEN {
        return Err(LimitExceeded::new("rpmdb.sqlite", MAX_RPMDB_LEN)
            .with_actual(bytes.len())
            .into());
    }
    let mut file = sqlite::Db::open(bytes)?;
    let root = file
        .table_root("Packages", RECORD_CAP)?
        .ok_or(Error::NoPackagesTable)?;
    let mut db = Database::default();
    let mut budget = Budget::new();
    file.walk_table(root, RECORD_CAP, |hnum, payload| {
        let line = usize::try_from(hnum).unwrap_or(0);
        let payload = match payload {
            Ok(p) => p,
            Err(limit) => {
                db.skip(
                    line,
                    SkipReason::RpmHeader(HeaderError::LimitExceeded(limit)),
                );
                return Ok(());
            }
        };
        let cols = sqlite::record(payload, 2);
        let Some([_, sqlite::Value::Blob(blob)]) = cols.as_deref() else {
            db.skip(line, SkipReason::MalformedRow);
            return Ok(());
        };
        match parse_header_within(blob, &mut budget) {
            // The memory budget is the database's, not this header's: refuse the database.
            Err(HeaderError::LimitExceeded(l)) if l.what == KEPT => return Err(l.into()),
            Err(e) => db.skip(line, SkipReason::RpmHeader(e)),
            Ok(h) if h.name == "gpg-pubkey" => {}
            Ok(h) => {
                if db.packages.len() >= MAX_PKGDB_PACKAGES {
                    return Err(LimitExceeded::new("RPM packages", MAX_PKGDB_PACKAGES).into());
                }
                db.packages.push(package(h));
            }
        }
        Ok(())
    })?;
    provide_required_files(&mut db.packages);
    Ok(db)
}

/// A header as a [`DistroPackage`]: `version` is `[EPOCH:]VERSION-RELEASE` as rpm and syft
/// write it (the epoch whenever the header has one, even 0), the source from SOURCERPM, the
/// license as [`license`] reads it, the one-line SUMMARY as description.
fn package(h: Header) -> DistroPackage {
    let version = h.evr();
    let (source_name, source_version) = match h.source_package() {
        Some((n, v)) => (Some(n.to_string()), Some(v.to_string())),
        None => (None, None),
    };
    let mut seen = HashSet::new();
    let depends = h
        .requires
        .into_iter()
        .filter(|r| !r.starts_with("rpmlib(") && seen.insert(r.clone()))
        .collect();
    let mut seen = HashSet::new();
    let provides = h
        .provides
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect();
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    DistroPackage {
        manager: Manager::Rpm,
        name: h.name,
        version,
        arch: nonempty(h.arch),
        source_name,
        source_version,
        license: h.license.as_deref().and_then(license),
        maintainer: nonempty(h.packager),
        vendor: nonempty(h.vendor),
        homepage: nonempty(h.url),
        description: nonempty(h.summary),
        depends,
        provides,
        files: h.files,
    }
}

/// The LICENSE tag as a declared license. Fedora writes SPDX expressions since 2023
/// (`MIT OR Apache-2.0`): kept when every id is on the SPDX list (operators in any case).
/// Older packages, RHEL 9's and Amazon Linux 2023's among them, use Fedora's legacy short
/// names joined by `and`/`or` (`GPLv2+ and BSD`, `ASL 2.0`): each name becomes its SPDX id
/// where the name means exactly one ([`legacy_id`]) and a `LicenseRef-` otherwise, the
/// operators and parentheses kept, so the result is still an SPDX expression (as DEP-5
/// names are for dpkg). Text that is neither stays a name (written as `NOASSERTION` in SPDX).
fn license(s: &str) -> Option<License> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(f @ LicenseField::Expression(_)) =
        LicenseField::parse_with(s, Dialect::Spdx2, Strictness::Lenient)
    {
        if f.expression().is_some_and(|e| all_listed(e.root())) {
            return Some(License::Spdx(f));
        }
    }
    let converted = legacy_expression(s)?;
    match LicenseField::parse_with(&converted, Dialect::Spdx2, Strictness::Lenient) {
        Ok(f @ LicenseField::Expression(_)) => Some(License::Spdx(f)),
        _ => Some(License::Named(s.to_string())),
    }
}

/// Whether every license and exception of `e` is on the SPDX lists or a reference.
fn all_listed(e: &Expr) -> bool {
    let simple =
        |l: &SimpleLicense| matches!(l, SimpleLicense::Listed { .. } | SimpleLicense::Ref { .. });
    match e {
        Expr::License(l) => simple(l),
        Expr::With(l, x) => {
            simple(l) && matches!(x, Exception::Listed(_) | Exception::Addition { .. })
        }
        Expr::And(v) | Expr::Or(v) => v.iter().all(all_listed),
    }
}

/// A legacy license tag as an SPDX expression string: words between `and`/`or` and
/// parentheses form one license name (`ASL 2.0`, `GPLv2+ with exceptions`). `None` when
/// nothing is left.
fn legacy_expression(s: &str) -> Option<String> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let mut out: Vec<String> = Vec::new();
    let mut name: Vec<&str> = Vec::new();
    let flush = |name: &mut Vec<&str>, out: &mut Vec<String>| {
        if !name.is_empty() {
            out.push(legacy_id(&name.join(" ")));
            name.clear();
        }
    };
    for w in spaced.split_whitespace() {
        if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") {
            flush(&mut name, &mut out);
            out.push(w.to_ascii_uppercase());
        } else if w == "(" || w == ")" {
            flush(&mut name, &mut out);
            out.push(w.to_string());
        } else {
            name.push(w);
        }
    }
    flush(&mut name, &mut out);
    (!out.is_empty()).then(|| out.join(" "))
}

/// One legacy Fedora license name as an SPDX id: the names with one meaning (Fedora's
/// legacy abbreviations of the GPL family, `ASL 2.0`, …) mapped, SPDX ids kept, anything
/// else (`BSD`, `Public Domain`, `GPLv2+ with exceptions`) a `LicenseRef-`.
fn legacy_id(name: &str) -> String {
    let mapped = match name {
        "GPL+" => "GPL-1.0-or-later",
        "GPLv2" => "GPL-2.0-only",
        "GPLv2+" => "GPL-2.0-or-later",
        "GPLv3" => "GPL-3.0-only",
        "GPLv3+" => "GPL-3.0-or-later",
        "LGPLv3" => "LGPL-3.0-only",
        "LGPLv3+" => "LGPL-3.0-or-later",
        "AGPLv3" => "AGPL-3.0-only",
        "AGPLv3+" => "AGPL-3.0-or-later",
        "ASL 1.1" => "Apache-1.1",
        "ASL 2.0" => "Apache-2.0",
        "MPLv1.1" => "MPL-1.1",
        "MPLv2.0" => "MPL-2.0",
        "Boost" => "BSL-1.0",
        "zlib" => "Zlib",
        "Artistic 2.0" => "Artistic-2.0",
        _ => {
            return match crate::license::list::license(name) {
                Some(info) => info.id().to_string(),
                None => super::dpkg::license_ref(name),
            }
        }
    };
    mapped.to_string()
}

/// Adds to each package's `provides` the files it owns that some package requires by path:
/// rpm resolves such requirements through the file lists, so an edge needs them.
fn provide_required_files(packages: &mut [DistroPackage]) {
    let wanted: HashSet<String> = packages
        .iter()
        .flat_map(|p| p.depends.iter())
        .filter(|d| d.starts_with('/'))
        .cloned()
        .collect();
    if wanted.is_empty() {
        return;
    }
    let provided: HashMap<usize, Vec<String>> = packages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let owned: Vec<String> = p
                .files
                .iter()
                .filter(|f| wanted.contains(*f) && !p.provides.contains(f))
                .cloned()
                .collect();
            (!owned.is_empty()).then_some((i, owned))
        })
        .collect();
    for (i, files) in provided {
        if let Some(p) = packages.get_mut(i) {
            p.provides.extend(files);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::header::build::{header, V};
    use super::*;

    /// A small real database: rpm 4.18 `--initdb` and `rpm -i --justdb` of two packages,
    /// then `VACUUM`ed to 512-byte pages (see `tests/rpm/README.md`).
    const SMALL: &[u8] = include_bytes!("../../../tests/rpm/rpmdb-small.sqlite");

    fn page_size(db: &[u8]) -> usize {
        match u16::from_be_bytes([db[16], db[17]]) {
            1 => 65536,
            n => usize::from(n),
        }
    }

    fn rpm_err(bytes: &[u8]) -> Error {
        match parse_sqlite(bytes) {
            Err(pkgdb::Error::Rpm(e)) => e,
            other => panic!("expected an RPM database error, got {other:?}"),
        }
    }

    /// The root page of `Packages` in the fixture.
    fn packages_root(db: &[u8]) -> u32 {
        let mut file = sqlite::Db::open(db).unwrap();
        file.table_root("Packages", RECORD_CAP).unwrap().unwrap()
    }

    #[test]
    fn the_fixture_reads() {
        let db = parse_sqlite(SMALL).unwrap();
        let names: Vec<(&str, &str)> = db
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("hello-noarch", "2:1.0-1.fc40"),
                ("libfoo++", "0.9.1-3.fc40")
            ]
        );
        assert!(db.skipped.is_empty(), "{:?}", db.skipped);
        // libfoo++ requires hello-noarch's file by path: an edge by name.
        assert!(db.packages[0]
            .provides
            .contains(&"/usr/share/hello/hi.txt".to_string()));
        assert_eq!(page_size(SMALL), 512);
    }

    #[test]
    fn truncated_files_are_errors() {
        let ps = page_size(SMALL);
        assert_eq!(rpm_err(&SMALL[..50]), Error::NotSqlite);
        assert!(matches!(
            rpm_err(&SMALL[..SMALL.len() - ps]),
            Error::Truncated { .. }
        ));
        // Every prefix: an error or a (shorter) list, never a panic.
        for cut in (0..SMALL.len()).step_by(97) {
            let _ = parse_sqlite(&SMALL[..cut]);
        }
    }

    #[test]
    fn header_fields_are_checked() {
        let mut b = SMALL.to_vec();
        b[16..18].copy_from_slice(&1000u16.to_be_bytes());
        assert_eq!(rpm_err(&b), Error::PageSize(1000));
        let mut b = SMALL.to_vec();
        b[20] = 200;
        assert_eq!(rpm_err(&b), Error::Reserved(200));
        let mut b = SMALL.to_vec();
        b[56..60].copy_from_slice(&7u32.to_be_bytes());
        assert_eq!(rpm_err(&b), Error::Encoding(7));
        let mut b = SMALL.to_vec();
        b[19] = 3;
        assert_eq!(rpm_err(&b), Error::FormatVersion(3));
    }

    #[test]
    fn a_page_loop_is_an_error_not_a_hang() {
        let ps = page_size(SMALL);
        let root = packages_root(SMALL);
        let at = (usize::try_from(root).unwrap() - 1) * ps;
        let mut b = SMALL.to_vec();
        // Make the root an interior page whose right-most child is itself.
        if b[at] == 0x05 {
            b[at + 8..at + 12].copy_from_slice(&root.to_be_bytes());
        } else {
            // A leaf root: turn it into an interior page with no cells pointing at itself.
            b[at] = 0x05;
            b[at + 3..at + 5].copy_from_slice(&0u16.to_be_bytes());
            b[at + 8..at + 12].copy_from_slice(&root.to_be_bytes());
        }
        assert_eq!(rpm_err(&b), Error::PageRevisited(root));
        // Pointing at page 1 (the schema, already walked) is the same.
        b[at + 8..at + 12].copy_from_slice(&1u32.to_be_bytes());
        assert_eq!(rpm_err(&b), Error::PageRevisited(1));
        // And past the end.
        b[at + 8..at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(rpm_err(&b), Error::PageOutOfRange { .. }));
    }

    /// The offset in the file of the first overflow pointer of the first row of `Packages`.
    fn first_overflow_pointer(db: &[u8]) -> usize {
        let ps = page_size(db);
        let u = ps - usize::from(db[20]);
        let mut page = packages_root(db);
        loop {
            let at = (usize::try_from(page).unwrap() - 1) * ps;
            let p = &db[at..at + ps];
            if p[0] == 0x05 {
                let cell = usize::from(u16::from_be_bytes([p[12], p[13]]));
                page = u32::from_be_bytes(p[cell..cell + 4].try_into().unwrap());
                continue;
            }
            let cell = usize::from(u16::from_be_bytes([p[8], p[9]]));
            let (size, a) = sqlite::varint(p, cell).unwrap();
            let (_, b) = sqlite::varint(p, cell + a).unwrap();
            let size = usize::try_from(size).unwrap();
            let (x, m) = (u - 35, ((u - 12) * 32 / 255) - 23);
            assert!(size > x, "the fixture's first row overflows");
            let k = m + ((size - m) % (u - 4));
            let local = if k <= x { k } else { m };
            return at + cell + a + b + local;
        }
    }

    #[test]
    fn overflow_chains_to_page_zero_or_past_the_end_are_errors() {
        let ptr = first_overflow_pointer(SMALL);
        let mut b = SMALL.to_vec();
        b[ptr..ptr + 4].copy_from_slice(&0u32.to_be_bytes());
        assert!(matches!(rpm_err(&b), Error::OverflowEnds { .. }));
        b[ptr..ptr + 4].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            rpm_err(&b),
            Error::PageOutOfRange { page: 100_000, .. }
        ));
        // An overflow chain into page 1.
        b[ptr..ptr + 4].copy_from_slice(&1u32.to_be_bytes());
        assert_eq!(rpm_err(&b), Error::PageRevisited(1));
    }

    #[test]
    fn a_broken_header_skips_its_package_and_says_so() {
        // Point a NAME index entry past its data store: the first one in the file, which is
        // libfoo++'s (header number 2; the 512-byte pages put its row first).
        let mut b = SMALL.to_vec();
        let name_entry = [0, 0, 0x03, 0xe8, 0, 0, 0, 6];
        let at = b
            .windows(8)
            .position(|w| w == name_entry)
            .expect("a NAME index entry");
        b[at + 8..at + 12].copy_from_slice(&0x00ff_ffffu32.to_be_bytes());
        let db = parse_sqlite(&b).unwrap();
        assert_eq!(db.packages.len(), 1);
        assert_eq!(db.packages[0].name, "hello-noarch");
        assert_eq!(db.skipped.len(), 1);
        assert!(matches!(
            db.skipped[0].reason,
            SkipReason::RpmHeader(HeaderError::OutOfRange { tag: 1000, .. })
        ));
        assert_eq!(db.skipped[0].line, 2, "the header number");
    }

    #[test]
    fn licenses_spdx_and_legacy() {
        let l = |s: &str| match license(s) {
            Some(License::Spdx(f)) => f.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(l("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(
            l("GPL-3.0-or-later and GFDL-1.3-or-later"),
            "GPL-3.0-or-later AND GFDL-1.3-or-later"
        );
        assert_eq!(l("GPLv2+"), "GPL-2.0-or-later");
        assert_eq!(l("ASL 2.0"), "Apache-2.0");
        assert_eq!(
            l("GPLv2+ and (LGPLv2+ or MIT) and Public Domain"),
            "GPL-2.0-or-later AND (LicenseRef-LGPLv2- OR MIT) AND LicenseRef-Public-Domain"
        );
        assert_eq!(
            l("GPLv2+ with exceptions"),
            "LicenseRef-GPLv2--with-exceptions"
        );
        assert_eq!(
            l("GPL+ or Artistic"),
            "GPL-1.0-or-later OR LicenseRef-Artistic"
        );
        assert_eq!(license("  "), None);
        assert!(matches!(license("(("), Some(License::Named(_))));
    }

    #[test]
    fn packages_from_headers() {
        let key = header(&[
            (1000, V::S("gpg-pubkey")),
            (1001, V::S("5323552a")),
            (1002, V::S("6112bcdc")),
        ]);
        assert_eq!(parse_header(&key).unwrap().arch, None);
        let h = parse_header(&header(&[
            (1000, V::S("perl-Foo")),
            (1001, V::S("1.0")),
            (1002, V::S("1.el9")),
            (1003, V::I(&[0])),
            (1014, V::S("GPL-1.0-or-later OR Artistic-1.0-Perl")),
            (1011, V::S("Rocky Enterprise Software Foundation")),
            (1044, V::S("perl-Foo-1.0-1.el9.src.rpm")),
            (5009, V::L(1 << 33)),
            (
                1049,
                V::A(&["perl(strict)", "rpmlib(PayloadIsZstd)", "perl(strict)"]),
            ),
        ]))
        .unwrap();
        assert_eq!(h.size, Some(1 << 33));
        let p = package(h);
        assert_eq!(p.version, "0:1.0-1.el9", "an explicit epoch 0 is kept");
        assert_eq!(p.depends, ["perl(strict)"]);
        assert_eq!(p.source(), "perl-Foo");
        assert_eq!(p.source_version(), "1.0-1.el9");
        assert!(matches!(p.license, Some(License::Spdx(_))));
        // Without os-release, the namespace comes from a vendor that names a distribution.
        assert_eq!(
            p.purl(None).unwrap().to_string(),
            "pkg:rpm/rocky/perl-Foo@1.0-1.el9?epoch=0&upstream=perl-Foo-1.0-1.el9.src.rpm"
        );
        let mut other = p.clone();
        other.vendor = Some("Fixture Project".into());
        assert!(other.purl(None).is_err(), "no namespace, no purl");
    }
}
