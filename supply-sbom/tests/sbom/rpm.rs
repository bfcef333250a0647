//! RPM databases (`rpmdb.sqlite`) made at run time by the real `rpmbuild` and `rpm` (4.18,
//! Debian's `rpm` package): the reader lists exactly what `rpm -qa` lists (its imported key's
//! `gpg-pubkey` row aside), field by field, in header-number order, with the files `rpm -ql`
//! lists; 300 packages give a B-tree with interior pages, re-paged by `sqlite3` to 512- and
//! 65536-byte pages; generation from a root filesystem and from layers gives the expected
//! purls, licenses, suppliers, edges and layer attribution; BerkeleyDB and NDB databases are
//! reported; corrupt files are typed errors. The committed fixture
//! (`tests/rpm/rpmdb-small.sqlite`, see its README) covers what needs no peer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::generate::{
    from_layers, from_rootfs, property, DatabaseFormat, Error, Layer, Options, Warning,
};
use supply_sbom::model::{License, Package, RelationshipType, Sbom};
use supply_sbom::pkgdb::{self, rpm, Database, OsRelease};
use supply_testkit::tempfile::TempDir;
use supply_testkit::{peer, peer_command, run_ok, tempdir};

/// The committed two-package database (512-byte pages, WAL mode).
const SMALL: &[u8] = include_bytes!("../rpm/rpmdb-small.sqlite");
/// The OpenPGP public key the tests `rpm --import`.
const KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rpm/fixture-key.asc");

const FEDORA_40: &[u8] = b"NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=40\n\
    PRETTY_NAME=\"Fedora Linux 40 (Container Image)\"\n";

/// The real rpm tools, run with a private `HOME` (no `~/.rpmmacros`).
struct Rpm {
    rpm: PathBuf,
    rpmbuild: PathBuf,
    home: TempDir,
}

/// `rpm -qa` row: header number, name, epoch (0 when none), version, release, arch, license.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    hnum: usize,
    name: String,
    epoch: u32,
    version: String,
    release: String,
    arch: String,
    license: String,
}

fn tools() -> Option<Rpm> {
    Some(Rpm {
        rpm: peer("rpm")?,
        rpmbuild: peer("rpmbuild")?,
        home: tempdir(),
    })
}

/// A spec whose `%install` writes each of `files` (`%dir PATH` owns a directory).
fn spec(header: &str, description: &str, files: &[&str]) -> String {
    let mut install = String::new();
    let mut list = String::new();
    for f in files {
        match f.strip_prefix("%dir ") {
            Some(d) => install.push_str(&format!("mkdir -p %{{buildroot}}{d}\n")),
            None => {
                let dir = Path::new(f).parent().unwrap().display().to_string();
                install.push_str(&format!(
                    "mkdir -p %{{buildroot}}{dir}\necho x > %{{buildroot}}{f}\n"
                ));
            }
        }
        list.push_str(f);
        list.push('\n');
    }
    format!("{header}\n%description\n{description}\n%install\n{install}%files\n{list}")
}

impl Rpm {
    fn cmd(&self, program: &Path) -> Command {
        peer_command(program, self.home.path())
    }

    /// Builds each spec in `dir` with rpmbuild; returns the binary packages, sorted.
    fn build(&self, dir: &Path, specs: &[(&str, String)]) -> Vec<PathBuf> {
        for (name, text) in specs {
            let path = dir.join(format!("{name}.spec"));
            std::fs::write(&path, text).unwrap();
            run_ok(
                self.cmd(&self.rpmbuild)
                    .args(["--quiet", "-bb", "--define"])
                    .arg(format!("_topdir {}", dir.join("top").display()))
                    .arg("--define")
                    .arg(format!("_rpmdir {}", dir.join("out").display()))
                    // No brp scripts (stripping, byte-compiling) and no debuginfo packages.
                    .args(["--define", "__os_install_post %{nil}"])
                    .args(["--define", "debug_package %{nil}"])
                    .arg(&path),
            );
        }
        let mut out = Vec::new();
        for arch in std::fs::read_dir(dir.join("out")).unwrap() {
            for f in std::fs::read_dir(arch.unwrap().path()).unwrap() {
                out.push(f.unwrap().path());
            }
        }
        out.sort();
        out
    }

    /// A fresh database at `dbpath` with `rpms` installed (`--justdb`: no files written).
    fn install(&self, dbpath: &Path, rpms: &[PathBuf]) {
        std::fs::create_dir_all(dbpath).unwrap();
        run_ok(
            self.cmd(&self.rpm)
                .arg("--dbpath")
                .arg(dbpath)
                .arg("--initdb"),
        );
        run_ok(
            self.cmd(&self.rpm)
                .args(["-i", "--justdb", "--nodeps", "--noscripts", "--dbpath"])
                .arg(dbpath)
                .args(rpms),
        );
    }

    fn import_key(&self, dbpath: &Path) {
        run_ok(
            self.cmd(&self.rpm)
                .arg("--dbpath")
                .arg(dbpath)
                .args(["--import", KEY]),
        );
    }

    /// `rpm -qa`, in header-number order.
    fn qa(&self, dbpath: &Path) -> Vec<Row> {
        let out = run_ok(self.cmd(&self.rpm).arg("--dbpath").arg(dbpath).args([
            "-qa",
            "--qf",
            "%{DBINSTANCE}\\t%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t\
             %{LICENSE}\\n",
        ]));
        let mut rows: Vec<Row> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Row {
                    hnum: f[0].parse().unwrap(),
                    name: f[1].into(),
                    epoch: f[2].parse().unwrap(),
                    version: f[3].into(),
                    release: f[4].into(),
                    arch: f[5].into(),
                    license: f[6].into(),
                }
            })
            .collect();
        rows.sort();
        rows
    }

    /// `rpm -ql NAME`: the package's files, in header order.
    fn ql(&self, dbpath: &Path, name: &str) -> Vec<String> {
        let out = run_ok(
            self.cmd(&self.rpm)
                .arg("--dbpath")
                .arg(dbpath)
                .args(["-ql", name]),
        );
        String::from_utf8(out)
            .unwrap()
            .lines()
            .filter(|l| *l != "(contains no files)")
            .map(str::to_string)
            .collect()
    }
}

/// Our packages as `rpm -qa` rows, in our order, numbered with `hnums`; the license is the
/// expression we read.
fn rows(db: &Database, hnums: &[usize]) -> Vec<Row> {
    db.packages
        .iter()
        .zip(hnums)
        .map(|(p, &hnum)| {
            let (epoch, vr) = match p.version.split_once(':') {
                Some((e, vr)) => (e.parse().unwrap(), vr),
                None => (0, p.version.as_str()),
            };
            let (version, release) = vr.rsplit_once('-').unwrap();
            Row {
                hnum,
                name: p.name.clone(),
                epoch,
                version: version.into(),
                release: release.into(),
                arch: p.arch.clone().unwrap_or_else(|| "(none)".into()),
                license: license_text(p.license.as_ref()),
            }
        })
        .collect()
}

fn license_text(l: Option<&License>) -> String {
    match l {
        Some(License::Spdx(f)) => f.to_string(),
        other => format!("{other:?}"),
    }
}

/// 64 KiB of description: the header blob overflows 16 and more 4 KiB pages.
fn long_description() -> String {
    (0..1024)
        .map(|i| format!("Line {i:04} of a long description that rpm stores in the header.\n"))
        .collect()
}

/// The three packages of the main tests: an epoch and an SPDX expression (noarch), files in
/// several directories and dependencies on the first (by name and by path), a long
/// description and a legacy license on a subpackage with a `.` in its name.
fn three_specs() -> Vec<(&'static str, String)> {
    vec![
        (
            "hello",
            spec(
                "Name: hello-noarch\nEpoch: 2\nVersion: 1.0\nRelease: 1.fc40\n\
                 Summary: Epoch and SPDX\nLicense: MIT OR Apache-2.0\nBuildArch: noarch",
                "Hello.",
                &["/usr/share/hello/hi.txt"],
            ),
        ),
        (
            "libfoo",
            spec(
                "Name: libfoo++\nVersion: 0.9.1\nRelease: 3.fc40\n\
                 Summary: Files in several directories\nLicense: LGPL-2.1-or-later\n\
                 Vendor: Fixture Project\nURL: https://example.org/libfoo\n\
                 Requires: hello-noarch\nRequires: /usr/share/hello/hi.txt",
                "Foo.",
                &[
                    "/usr/lib64/libfoo++.so.0",
                    "%dir /usr/share/doc/libfoo++",
                    "/usr/share/doc/libfoo++/README",
                    "/etc/foo.conf",
                    "/usr/bin/foo",
                ],
            ),
        ),
        (
            "python",
            format!(
                "Name: python3.12\nEpoch: 0\nVersion: 3.12.4\nRelease: 1.fc40\n\
                 Summary: Source package\nLicense: Python-2.0\n%description\nSource.\n{}",
                spec(
                    "%package -n python3.12-big\nSummary: A header over many pages\n\
                     License: GPLv2+ and Python",
                    &long_description(),
                    &["/usr/lib/python3.12/big.py"],
                )
                .replace("%description\n", "%description -n python3.12-big\n")
                .replace("%files\n", "%files -n python3.12-big\n")
            ),
        ),
    ]
}

/// `rpm -qa` rows with each LICENSE as the expression the reader makes of it: SPDX
/// expressions as they are, Fedora's legacy names mapped.
fn read_licenses(rows: Vec<Row>) -> Vec<Row> {
    let legacy: BTreeMap<&str, &str> = [(
        "GPLv2+ and Python",
        "GPL-2.0-or-later AND LicenseRef-Python",
    )]
    .into();
    rows.into_iter()
        .map(|mut r| {
            if let Some(l) = legacy.get(r.license.as_str()) {
                r.license = (*l).to_string();
            }
            r
        })
        .collect()
}

/// A root filesystem with the three packages and an imported key in
/// `usr/lib/sysimage/rpm`, `var/lib/rpm` a relative symlink to it, and Fedora 40's
/// `os-release`. Returns the root, its database directory and the built packages.
fn fedora_root(t: &Rpm) -> (TempDir, PathBuf, Vec<PathBuf>) {
    let dir = tempdir();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let rpms = t.build(&work, &three_specs());
    assert_eq!(rpms.len(), 3, "{rpms:?}");
    let root = dir.path().join("root");
    let db = root.join("usr/lib/sysimage/rpm");
    t.install(&db, &rpms);
    t.import_key(&db);
    std::fs::create_dir_all(root.join("var/lib")).unwrap();
    std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", root.join("var/lib/rpm")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), FEDORA_40).unwrap();
    (dir, db, rpms)
}

fn parse(db: &Path) -> Database {
    rpm::parse_sqlite(&std::fs::read(db.join("rpmdb.sqlite")).unwrap()).unwrap()
}

#[test]
fn rpm_reader_lists_what_rpm_lists() {
    let Some(t) = tools() else { return };
    let (_dir, dbpath, _) = fedora_root(&t);
    let want = t.qa(&dbpath);
    // rpm lists the imported key as a package; the reader leaves it out.
    let keys: Vec<&Row> = want.iter().filter(|r| r.name == "gpg-pubkey").collect();
    assert_eq!(keys.len(), 1, "{want:?}");
    assert_eq!(
        (keys[0].arch.as_str(), keys[0].license.as_str()),
        ("(none)", "pubkey")
    );
    let want: Vec<Row> = want
        .into_iter()
        .filter(|r| r.name != "gpg-pubkey")
        .collect();
    assert_eq!(want.len(), 3);

    let db = parse(&dbpath);
    assert!(db.skipped.is_empty(), "{:?}", db.skipped);
    let hnums: Vec<usize> = want.iter().map(|r| r.hnum).collect();
    // Same packages, same fields, in header-number order.
    assert_eq!(rows(&db, &hnums), read_licenses(want));

    for p in &db.packages {
        assert_eq!(p.files, t.ql(&dbpath, &p.name), "{}", p.name);
    }
    let by = |n: &str| db.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(by("hello-noarch").version, "2:1.0-1.fc40");
    assert_eq!(
        by("python3.12-big").version,
        "0:3.12.4-1.fc40",
        "an explicit epoch 0"
    );
    assert_eq!(by("libfoo++").version, "0.9.1-3.fc40");
    let foo = by("libfoo++");
    assert_eq!(foo.files.len(), 5);
    assert_eq!(foo.vendor.as_deref(), Some("Fixture Project"));
    assert_eq!(foo.homepage.as_deref(), Some("https://example.org/libfoo"));
    assert_eq!(
        foo.description.as_deref(),
        Some("Files in several directories")
    );
    assert!(foo.depends.contains(&"hello-noarch".to_string()));
    assert!(foo.depends.iter().all(|d| !d.starts_with("rpmlib(")));
    // The path libfoo++ requires is provided by the package that owns it.
    assert!(by("hello-noarch")
        .provides
        .contains(&"/usr/share/hello/hi.txt".to_string()));
    let big = by("python3.12-big");
    assert_eq!(big.source(), "python3.12");
    assert_eq!(big.source_version(), "3.12.4-1.fc40");
    assert_eq!(
        license_text(big.license.as_ref()),
        "GPL-2.0-or-later AND LicenseRef-Python"
    );
    assert_eq!(
        license_text(by("hello-noarch").license.as_ref()),
        "MIT OR Apache-2.0"
    );

    // The long description makes that header span many overflow pages (4 KiB pages).
    let Some(sqlite3) = peer("sqlite3") else {
        return;
    };
    let out = run_ok(
        Command::new(sqlite3)
            .arg(dbpath.join("rpmdb.sqlite"))
            .arg("select max(length(blob)) from Packages"),
    );
    let len: usize = String::from_utf8(out).unwrap().trim().parse().unwrap();
    assert!(len > 16 * 4096, "{len}");
}

/// The depth of the `Packages` B-tree of a database file: its root page read from the
/// schema by `sqlite3`, then left-most children followed down to a leaf.
fn packages_depth(sqlite3: &Path, file: &Path) -> (usize, usize) {
    let out = run_ok(
        Command::new(sqlite3)
            .arg(file)
            .arg("select rootpage from sqlite_master where name = 'Packages'"),
    );
    let mut page: usize = String::from_utf8(out).unwrap().trim().parse().unwrap();
    let bytes = std::fs::read(file).unwrap();
    let ps = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    let mut depth = 1;
    loop {
        let p = &bytes[(page - 1) * ps..page * ps];
        match p[0] {
            0x0d => return (depth, ps),
            0x05 => {
                let cell = usize::from(u16::from_be_bytes([p[12], p[13]]));
                page = usize::try_from(u32::from_be_bytes(p[cell..cell + 4].try_into().unwrap()))
                    .unwrap();
                depth += 1;
            }
            other => panic!("page {page} has type {other}"),
        }
    }
}

#[test]
fn rpm_hundreds_of_packages_make_interior_pages() {
    let Some(t) = tools() else { return };
    let Some(sqlite3) = peer("sqlite3") else {
        return;
    };
    let dir = tempdir();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // One spec, 300 subpackages: one rpmbuild run.
    let mut text = String::from(
        "Name: bulk\nVersion: 1\nRelease: 1\nSummary: bulk\nLicense: MIT\nBuildArch: noarch\n\
         %description\nbulk\n",
    );
    for i in 0..300 {
        text.push_str(&format!(
            "%package -n bulk-{i:03}\nSummary: bulk {i}\nVersion: {i}.0\nRelease: {}\n\
             %description -n bulk-{i:03}\nbulk {i}\n%files -n bulk-{i:03}\n",
            i % 7 + 1
        ));
    }
    let rpms = t.build(&work, &[("bulk", text)]);
    assert_eq!(rpms.len(), 300);
    let dbpath = dir.path().join("db");
    t.install(&dbpath, &rpms);
    let want = t.qa(&dbpath);
    assert_eq!(want.len(), 300);
    let hnums: Vec<usize> = want.iter().map(|r| r.hnum).collect();

    let file = dbpath.join("rpmdb.sqlite");
    let (depth, ps) = packages_depth(&sqlite3, &file);
    assert_eq!(ps, 4096);
    assert!(depth >= 2, "the root is an interior page: depth {depth}");
    let db = parse(&dbpath);
    assert_eq!(db.packages.len(), 300);
    assert_eq!(rows(&db, &hnums), want);

    // The same database re-paged by SQLite itself: 512-byte pages (a deeper tree, every
    // header overflowing) and 65536-byte pages (the page size field's special value 1).
    for (size, min_depth) in [(512, 3), (65536, 2)] {
        let copy = dir.path().join(format!("rpmdb-{size}.sqlite"));
        std::fs::copy(&file, &copy).unwrap();
        run_ok(Command::new(&sqlite3).arg(&copy).arg(format!(
            "PRAGMA journal_mode=DELETE; PRAGMA page_size={size}; VACUUM;"
        )));
        let (depth, ps) = packages_depth(&sqlite3, &copy);
        assert_eq!(ps, size);
        assert!(depth >= min_depth, "{size}: depth {depth}");
        let db = rpm::parse_sqlite(&std::fs::read(&copy).unwrap()).unwrap();
        assert_eq!(rows(&db, &hnums), want, "{size}-byte pages");
    }
}

fn rpm_packages(s: &Sbom) -> Vec<&Package> {
    s.packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|u| u.ty() == "rpm"))
        .collect()
}

fn pkg<'a>(s: &'a Sbom, name: &str) -> &'a Package {
    s.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn purl(s: &Sbom, name: &str) -> String {
    pkg(s, name).purl.as_ref().unwrap().to_string()
}

#[test]
fn rpm_generate_from_a_root_filesystem() {
    let Some(t) = tools() else { return };
    let (dir, dbpath, _) = fedora_root(&t);
    let arch = t
        .qa(&dbpath)
        .into_iter()
        .find(|r| r.name == "libfoo++")
        .unwrap()
        .arch;
    let root = dir.path().join("root");
    let g = from_rootfs(&root, &Options::named("fedora")).unwrap();
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let s = &g.sbom;
    // Read once, though both database directories lead to it.
    assert_eq!(rpm_packages(s).len(), 3);
    assert_eq!(
        purl(s, "hello-noarch"),
        "pkg:rpm/fedora/hello-noarch@1.0-1.fc40?arch=noarch&distro=fedora-40&epoch=2&upstream=hello-noarch-1.0-1.fc40.src.rpm"
    );
    assert_eq!(
        purl(s, "libfoo++"),
        format!(
            "pkg:rpm/fedora/libfoo%2B%2B@0.9.1-3.fc40?arch={arch}&distro=fedora-40\
             &upstream=libfoo%2B%2B-0.9.1-3.fc40.src.rpm"
        )
    );
    assert_eq!(
        purl(s, "python3.12-big"),
        format!(
            "pkg:rpm/fedora/python3.12-big@3.12.4-1.fc40?arch={arch}&distro=fedora-40&epoch=0\
             &upstream=python3.12-3.12.4-1.fc40.src.rpm"
        )
    );
    let hello = pkg(s, "hello-noarch");
    assert_eq!(hello.version.as_deref(), Some("2:1.0-1.fc40"));
    assert_eq!(
        license_text(hello.license_declared.as_ref()),
        "MIT OR Apache-2.0"
    );
    assert_eq!(
        hello.property(property::LOCATION),
        Some("/usr/lib/sysimage/rpm/rpmdb.sqlite")
    );
    let foo = pkg(s, "libfoo++");
    assert_eq!(
        foo.supplier.as_deref(),
        Some("Organization: Fixture Project")
    );
    assert_eq!(foo.homepage.as_deref(), Some("https://example.org/libfoo"));
    assert!(s
        .relationships
        .iter()
        .any(|r| r.from == foo.id && r.kind == RelationshipType::depends_on() && r.to == hello.id));
    let big = pkg(s, "python3.12-big");
    assert_eq!(big.property(property::SOURCE), Some("python3.12"));
    assert_eq!(
        license_text(big.license_declared.as_ref()),
        "GPL-2.0-or-later AND LicenseRef-Python"
    );
    // OSV has no Fedora feed: no vulnerability identities for these packages.
    assert!(g
        .package_refs
        .iter()
        .all(|(id, _)| rpm_packages(s).iter().all(|p| p.id != *id)));
    // Written and read back in SPDX and CycloneDX: valid, the same purls and licenses.
    for fmt in [OutputFormat::SpdxJson, OutputFormat::CycloneDxJson] {
        let doc = read(&write(s, fmt)).unwrap();
        assert!(doc.report.is_valid(), "{fmt:?}: {}", doc.report);
        for name in ["hello-noarch", "libfoo++", "python3.12-big"] {
            assert_eq!(purl(&doc.sbom, name), purl(s, name), "{fmt:?}");
            assert_eq!(
                license_text(pkg(&doc.sbom, name).license_declared.as_ref()),
                license_text(pkg(s, name).license_declared.as_ref()),
                "{fmt:?} {name}"
            );
        }
    }

    // Rocky Linux 9.3: namespace and distro from os-release, and OSV identities by source
    // package with `[epoch:]version-release`.
    std::fs::write(
        root.join("etc/os-release"),
        "ID=\"rocky\"\nVERSION_ID=\"9.3\"\nID_LIKE=\"rhel centos fedora\"\n",
    )
    .unwrap();
    let g = from_rootfs(&root, &Options::default()).unwrap();
    let s = &g.sbom;
    assert_eq!(
        purl(s, "hello-noarch"),
        "pkg:rpm/rocky/hello-noarch@1.0-1.fc40?arch=noarch&distro=rocky-9.3&epoch=2&upstream=hello-noarch-1.0-1.fc40.src.rpm"
    );
    let big = &pkg(s, "python3.12-big").id;
    let r = &g.package_refs.iter().find(|(id, _)| id == big).unwrap().1;
    assert_eq!(
        (r.ecosystem.as_str(), r.name.as_str(), r.version.as_str()),
        ("Rocky Linux:9", "python3.12", "0:3.12.4-1.fc40")
    );
    // The written SBOM's purls name the same OSV package (what `supply vuln scan` of the
    // SBOM looks up): release from `distro`, epoch, source from `upstream`.
    let inventory = supply_sbom::osv::inventory::Inventory::from_sbom(s);
    assert!(
        inventory.packages.contains(r),
        "{r:?} not among {:?}",
        inventory.packages
    );
    // RHEL is `redhat` in purls, as syft writes it.
    std::fs::write(root.join("etc/os-release"), "ID=rhel\nVERSION_ID=9.4\n").unwrap();
    let g = from_rootfs(&root, &Options::default()).unwrap();
    assert_eq!(
        purl(&g.sbom, "hello-noarch"),
        "pkg:rpm/redhat/hello-noarch@1.0-1.fc40?arch=noarch&distro=rhel-9.4&epoch=2&upstream=hello-noarch-1.0-1.fc40.src.rpm"
    );
}

/// A tar layer of files, symlinks and whiteouts (empty files named `.wh.*`).
fn tar(files: &[(&str, &[u8])], symlinks: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, c) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, p, *c).unwrap();
    }
    for (p, target) in symlinks {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, p, target).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn rpm_generate_from_layers() {
    let Some(t) = tools() else { return };
    let dir = tempdir();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let rpms = t.build(&work, &three_specs()[..2]);
    let hello: Vec<PathBuf> = rpms
        .iter()
        .filter(|p| p.to_string_lossy().contains("hello-noarch"))
        .cloned()
        .collect();
    // The base layer's database has hello-noarch; the next layer's both packages.
    let (db1, db2) = (dir.path().join("db1"), dir.path().join("db2"));
    t.install(&db1, &hello);
    t.install(&db2, &rpms);
    let db1 = std::fs::read(db1.join("rpmdb.sqlite")).unwrap();
    let db2 = std::fs::read(db2.join("rpmdb.sqlite")).unwrap();

    for link in [
        "../../usr/lib/sysimage/rpm",
        "/usr/lib/sysimage/rpm",
        // `..` stops at the root: the link cannot leave it.
        "../../../../../../../usr/lib/sysimage/rpm",
    ] {
        let base = tar(
            &[
                ("etc/os-release", FEDORA_40),
                ("usr/lib/sysimage/rpm/rpmdb.sqlite", &db1),
            ],
            &[("var/lib/rpm", link)],
        );
        let upper = gzip(&tar(&[("usr/lib/sysimage/rpm/rpmdb.sqlite", &db2)], &[]));
        let g = from_layers(
            vec![
                Layer::new("sha256:base", &base[..]),
                Layer::new("sha256:upper", &upper[..]),
            ],
            &Options::default(),
        )
        .unwrap();
        let s = &g.sbom;
        assert_eq!(rpm_packages(s).len(), 2, "{link}");
        assert_eq!(
            pkg(s, "hello-noarch").property(property::LAYER_DIGEST),
            Some("sha256:base"),
            "{link}"
        );
        assert_eq!(
            pkg(s, "libfoo++").property(property::LAYER_DIGEST),
            Some("sha256:upper"),
            "{link}"
        );
        assert_eq!(
            pkg(s, "libfoo++").property(property::LOCATION),
            Some("/usr/lib/sysimage/rpm/rpmdb.sqlite")
        );
    }

    // The database only under var/lib/rpm (no symlink), then its directory whited out.
    let base = tar(
        &[
            ("etc/os-release", FEDORA_40),
            ("var/lib/rpm/rpmdb.sqlite", &db2),
        ],
        &[],
    );
    let g = from_layers(vec![Layer::new("sha256:a", &base[..])], &Options::default()).unwrap();
    assert_eq!(rpm_packages(&g.sbom).len(), 2);
    let gone = tar(&[("var/lib/.wh.rpm", b"")], &[]);
    let g = from_layers(
        vec![
            Layer::new("sha256:a", &base[..]),
            Layer::new("sha256:b", &gone[..]),
        ],
        &Options::default(),
    )
    .unwrap();
    assert!(rpm_packages(&g.sbom).is_empty());
}

#[test]
fn rpm_older_database_formats_are_reported() {
    let dir = tempdir();
    let root = dir.path();
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), FEDORA_40).unwrap();
    // A BerkeleyDB file is never read: its existence is what is reported.
    std::fs::write(root.join("var/lib/rpm/Packages"), b"\0\0\0\0\x61\x15\x06\0").unwrap();
    let g = from_rootfs(root, &Options::default()).unwrap();
    assert!(rpm_packages(&g.sbom).is_empty());
    assert!(matches!(
        &g.warnings[..],
        [Warning::UnsupportedDatabase { path, format: DatabaseFormat::RpmBerkeleyDb }]
            if path == "/var/lib/rpm/Packages"
    ));
    assert!(g.warnings[0].to_string().contains("not supported"));
    // Beside an rpmdb.sqlite (a converted system), the old file is stale: no warning.
    std::fs::write(root.join("var/lib/rpm/rpmdb.sqlite"), SMALL).unwrap();
    let g = from_rootfs(root, &Options::default()).unwrap();
    assert_eq!(rpm_packages(&g.sbom).len(), 2);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);

    // SUSE's NDB in a layer, however large, is kept only as present.
    let layer = tar(
        &[("usr/lib/sysimage/rpm/Packages.db", &[7u8; 100_000])],
        &[],
    );
    let g = from_layers(
        vec![Layer::new("sha256:suse", &layer[..])],
        &Options::default(),
    )
    .unwrap();
    assert!(matches!(
        &g.warnings[..],
        [Warning::UnsupportedDatabase { path, format: DatabaseFormat::RpmNdb }]
            if path == "/usr/lib/sysimage/rpm/Packages.db"
    ));
}

#[test]
fn rpm_corrupt_databases_are_typed_errors() {
    let dir = tempdir();
    let root = dir.path();
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    std::fs::write(
        root.join("var/lib/rpm/rpmdb.sqlite"),
        &SMALL[..SMALL.len() - 512],
    )
    .unwrap();
    match from_rootfs(root, &Options::default()) {
        Err(Error::Pkgdb {
            path,
            source: pkgdb::Error::Rpm(rpm::Error::Truncated { .. }),
        }) => assert_eq!(path, "/var/lib/rpm/rpmdb.sqlite"),
        other => panic!("{other:?}"),
    }
    std::fs::write(root.join("var/lib/rpm/rpmdb.sqlite"), b"SQLite format 3\0").unwrap();
    assert!(matches!(
        from_rootfs(root, &Options::default()),
        Err(Error::Pkgdb {
            source: pkgdb::Error::Rpm(rpm::Error::NotSqlite),
            ..
        })
    ));
}

#[test]
fn rpm_fixture_purls_by_distribution() {
    let db = rpm::parse_sqlite(SMALL).unwrap();
    let hello = &db.packages[0];
    let purl = |os: &[u8]| {
        let os = OsRelease::parse(os).unwrap();
        hello.purl(Some(&os)).unwrap().to_string()
    };
    // The rpm type requires a namespace: without os-release (and a vendor naming a
    // distribution) there is no purl.
    assert!(hello.purl(None).is_err());
    assert_eq!(
        purl(b"ID=opensuse-tumbleweed\nVERSION_ID=20240601\n"),
        "pkg:rpm/opensuse/hello-noarch@1.0-1.fc40\
         ?arch=noarch&distro=opensuse-tumbleweed-20240601&epoch=2&upstream=hello-noarch-1.0-1.fc40.src.rpm"
    );
    assert_eq!(
        purl(b"ID=amzn\nVERSION_ID=2023\n"),
        "pkg:rpm/amzn/hello-noarch@1.0-1.fc40?arch=noarch&distro=amzn-2023&epoch=2&upstream=hello-noarch-1.0-1.fc40.src.rpm"
    );
    assert_eq!(
        OsRelease::parse(b"ID=almalinux\nVERSION_ID=9.4\n")
            .unwrap()
            .osv_ecosystem()
            .as_deref(),
        Some("AlmaLinux:9")
    );
}
