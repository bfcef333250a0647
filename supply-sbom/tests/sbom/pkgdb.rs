//! Package databases against `testdata/sbom/pkgdb/` with the counts and facts its MANIFEST
//! gives: the real Debian 12 minbase `status` (88 packages, every row of
//! expected-packages.tsv), the dpkg and apk edge cases from osv-scalibr and syft, os-release.

use supply_sbom::pkgdb::{apk, dpkg, Database, OsRelease, SkipReason};

fn dpkg_db(rel: &str) -> Database {
    dpkg::parse_status(&supply_testkit::read(&format!("sbom/pkgdb/{rel}")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn apk_db(rel: &str) -> Database {
    apk::parse_installed(&supply_testkit::read(&format!("sbom/pkgdb/apk/{rel}")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn names(db: &Database) -> Vec<(String, String)> {
    db.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

const MINBASE: &str = "sbom/pkgdb/debian-bookworm-minbase";

#[test]
fn debian_minbase_matches_dpkg_query() {
    let db = dpkg_db("debian-bookworm-minbase/var/lib/dpkg/status");
    assert_eq!(db.packages.len(), 88);
    assert!(db.skipped.is_empty(), "{:?}", db.skipped);
    let os = OsRelease::parse(&supply_testkit::read(&format!("{MINBASE}/etc/os-release"))).unwrap();
    assert_eq!(os.id.as_deref(), Some("debian"));
    assert_eq!(os.version_id.as_deref(), Some("12"));
    assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
    assert_eq!(
        os.pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(os.distro_qualifier().as_deref(), Some("debian-12"));
    assert_eq!(os.osv_ecosystem().as_deref(), Some("Debian:12"));

    let tsv = String::from_utf8(supply_testkit::read(&format!(
        "{MINBASE}/expected-packages.tsv"
    )))
    .unwrap();
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 88);
    for row in &rows {
        let [name, version, arch, src, src_version, purl] = row[..] else {
            panic!("bad row {row:?}")
        };
        let p = db
            .packages
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(p.version, version, "{name}");
        assert_eq!(p.arch.as_deref(), Some(arch), "{name}");
        assert_eq!(p.source(), src, "{name}");
        // dpkg-query's ${source:Version}: the stated source version, else the binary one.
        assert_eq!(p.source_version(), src_version, "{name}");
        // The TSV's purl (packageurl-python) uses distro=VERSION_CODENAME; ours is syft's
        // ID-VERSION_ID. Everything else is the same canonical string.
        let ours = p.purl(Some(&os)).unwrap().to_string();
        assert_eq!(
            ours,
            purl.replace("distro=bookworm", "distro=debian-12"),
            "{name}"
        );
    }
    // The MANIFEST's counts.
    let status = String::from_utf8(supply_testkit::read(&format!(
        "{MINBASE}/var/lib/dpkg/status"
    )))
    .unwrap();
    assert_eq!(
        db.packages
            .iter()
            .filter(|p| p.source_name.is_some())
            .count(),
        65
    );
    assert_eq!(
        db.packages
            .iter()
            .filter(|p| p.source_version.is_some())
            .count(),
        13
    );
    assert_eq!(
        db.packages
            .iter()
            .filter(|p| p.version.contains(':'))
            .count(),
        11
    );
    assert_eq!(status.matches("\nEssential: yes").count(), 23);
    let bash = db.packages.iter().find(|p| p.name == "bash").unwrap();
    assert!(
        bash.depends.contains(&"libc6".to_string()),
        "{:?}",
        bash.depends
    );
    assert!(bash.depends.contains(&"base-files".to_string()));
}

#[test]
fn dpkg_edge_cases() {
    let valid = dpkg_db("dpkg/scalibr-valid");
    assert_eq!(
        names(&valid),
        [
            ("accountsservice", "22.08.8-6"),
            ("acl", "2.3.1-3"),
            ("adduser", "3.131"),
            ("admin-session", "2023.06.26.c543406313-00"),
            ("attr", "1:2.5.1-4"),
            ("libacl1", "2.3.1-3"),
            ("util-linux-extra", "2.38.1-5+b1"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(valid.packages[5].source(), "acl");
    assert_eq!(valid.packages[6].source(), "util-linux");
    assert_eq!(valid.packages[6].source_version(), "2.38.1-5");

    let status = dpkg_db("dpkg/scalibr-statusfield");
    let n: Vec<String> = status.packages.iter().map(|p| p.name.clone()).collect();
    assert_eq!(
        n,
        [
            "wantinstall_installed",
            "wantdeinstall_installed",
            "wantpurge_installed"
        ]
    );
    assert_eq!(
        status
            .skipped
            .iter()
            .filter(|s| s.reason == SkipReason::NotInstalled)
            .count(),
        4
    );

    for f in ["dpkg/scalibr-nopackage", "dpkg/scalibr-noversion"] {
        assert_eq!(
            names(&dpkg_db(f)),
            [
                ("foo".to_string(), "1.0".to_string()),
                ("bar".to_string(), "2.0".to_string())
            ],
            "{f}"
        );
    }
    assert_eq!(
        dpkg_db("dpkg/scalibr-nopackage").skipped[0].reason,
        SkipReason::NoName
    );
    assert_eq!(
        dpkg_db("dpkg/scalibr-noversion").skipped[0].reason,
        SkipReason::NoVersion
    );
    for f in [
        "dpkg/scalibr-single",
        "dpkg/scalibr-trailingnewlines",
        "dpkg/scalibr-transitional",
        "dpkg/scalibr-transitional_dummy",
        "dpkg/scalibr-transitional_empty",
    ] {
        assert_eq!(dpkg_db(f).packages.len(), 1, "{f}");
    }
    assert!(dpkg_db("dpkg/scalibr-empty").packages.is_empty());
    let invalid = dpkg_db("dpkg/scalibr-invalid");
    assert!(invalid.packages.is_empty());
    assert_eq!(
        invalid
            .skipped
            .iter()
            .map(|s| (s.line, s.reason))
            .collect::<Vec<_>>(),
        [
            (1, SkipReason::MalformedLine),
            (3, SkipReason::MalformedLine)
        ]
    );
    let locks = dpkg::parse_status(&supply_testkit::read(
        "sbom/osv/scanner-fixtures/locks-many/status",
    ))
    .unwrap();
    assert_eq!(
        names(&locks),
        [("adduser".to_string(), "3.118".to_string())]
    );
}

#[test]
fn dpkg_status_d() {
    let read = |f: &str| {
        dpkg::parse_status_d(&supply_testkit::read(&format!("sbom/pkgdb/dpkg/{f}"))).unwrap()
    };
    let multi = read("syft-status.d-multiple");
    assert_eq!(
        names(&multi),
        [("tzdata", "2020a-0+deb10u1"), ("util-linux", "2.33.1-0.1")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(multi.packages[0].source(), "tzdata-dev");
    let core = read("syft-status.d-coreutils-relationships");
    assert_eq!(core.packages.len(), 9);
    let by = |n: &str| core.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(by("coreutils").version, "9.1-1");
    assert_eq!(by("libc6").source(), "glibc");
    assert_eq!(by("libgmp10").version, "2:6.2.1+dfsg1-1.1");
    assert_eq!(by("libselinux1").source(), "libselinux");
    assert_eq!(by("libselinux1").source_version(), "3.4-1");
    // The dependency edges: coreutils pre-depends on libacl1, libattr1, libgmp10,
    // libselinux1 (and libc6).
    for d in ["libacl1", "libattr1", "libgmp10", "libselinux1"] {
        assert!(
            by("coreutils").depends.iter().any(|x| x == d),
            "{d}: {:?}",
            by("coreutils").depends
        );
    }
}

#[test]
fn dpkg_copyright_licenses() {
    let dep5 = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: bash\n\nFiles: *\nCopyright: 1987-2022 Free Software Foundation\nLicense: GPL-3+\n\n\
Files: lib/sh/*\nCopyright: x\nLicense: GPL-2+ or Artistic\n\nFiles: debian/*\nLicense: GPL-3+\n\n\
License: GPL-3+\n This program is free software; ...\n License: not-a-field\n";
    let l = dpkg::copyright_license(dep5).unwrap();
    assert_eq!(
        l.to_string(),
        "GPL-3.0-or-later AND (GPL-2.0-or-later OR Artistic-1.0)"
    );
    assert!(l.expression().is_some());
    // A free-form copyright file states no machine-readable license.
    assert!(dpkg::copyright_license(
        b"This is bash, written by Brian Fox.\n\nCopyright (C) 1987\n"
    )
    .is_none());
    assert!(dpkg::copyright_license(b"").is_none());
    let odd =
        dpkg::copyright_license(b"Files: *\nLicense: public-domain\n\nFiles: x\nLicense: Expat\n")
            .unwrap();
    assert_eq!(odd.to_string(), "LicenseRef-public-domain AND MIT");
}

#[test]
fn apk_databases() {
    let inst = apk_db("scalibr-installed");
    assert_eq!(inst.packages.len(), 15);
    let by = |db: &Database, n: &str| db.packages.iter().find(|p| p.name == n).cloned().unwrap();
    assert_eq!(by(&inst, "alpine-baselayout").version, "3.4.3-r1");
    assert_eq!(by(&inst, "musl").version, "1.2.4-r0");
    assert_eq!(by(&inst, "zlib").version, "1.2.13-r1");
    for n in ["libcrypto3", "libssl3"] {
        assert_eq!(by(&inst, n).version, "3.1.0-r4");
        assert_eq!(by(&inst, n).source(), "openssl");
    }
    assert_eq!(by(&inst, "busybox-binsh").source(), "busybox");
    assert_eq!(
        by(&inst, "alpine-baselayout")
            .license
            .map(|l| l.to_string())
            .as_deref(),
        Some("GPL-2.0-only")
    );
    assert!(by(&inst, "alpine-baselayout")
        .depends
        .contains(&"alpine-baselayout-data".to_string()));

    let os = OsRelease::parse(b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n").unwrap();
    assert_eq!(os.osv_ecosystem().as_deref(), Some("Alpine:v3.18"));
    assert_eq!(
        by(&inst, "musl").purl(Some(&os)).unwrap().to_string(),
        "pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=alpine-3.18.4"
    );

    let multi = apk_db("syft-multiple-2-installed");
    assert_eq!(multi.packages.len(), 14);
    assert_eq!(by(&multi, "musl").version, "1.2.3-r0");
    assert_eq!(by(&multi, "zlib").version, "1.2.12-r3");
    assert_eq!(by(&multi, "libcrypto1.1").version, "1.1.1q-r0");
    assert_eq!(by(&multi, "libssl1.1").version, "1.1.1q-r0");
    assert_eq!(by(&multi, "apk-tools").version, "2.12.9-r3");

    assert_eq!(
        names(&apk_db("scalibr-single")),
        [("alpine-baselayout-data".to_string(), "3.4.3-r1".to_string())]
    );
    let arch = apk_db("scalibr-different-arch");
    assert_eq!(arch.packages.len(), 1);
    assert_eq!(arch.packages[0].arch.as_deref(), Some("noarch"));
    let no_origin = apk_db("scalibr-no-origin");
    assert_eq!(
        names(&no_origin),
        [("pkgname".to_string(), "1.2.3".to_string())]
    );
    assert_eq!(no_origin.packages[0].source(), "pkgname");

    // One usable record after a corrupt line: kept, and each bad line named.
    let corrupt = apk_db("syft-corrupt-installed");
    assert_eq!(corrupt.packages.len(), 1);
    assert_eq!(corrupt.packages[0].name, "alpine-baselayout-data");
    assert_eq!(
        corrupt
            .skipped
            .iter()
            .map(|s| (s.line, s.reason))
            .collect::<Vec<_>>(),
        [(1, SkipReason::MalformedLine)]
    );

    assert!(apk_db("scalibr-empty").packages.is_empty());
    assert!(apk_db("scalibr-invalid").packages.is_empty());
    let locks = apk::parse_installed(&supply_testkit::read(
        "sbom/osv/scanner-fixtures/locks-many/installed",
    ))
    .unwrap();
    assert_eq!(
        names(&locks),
        [("apk-tools".to_string(), "2.12.10-r1".to_string())]
    );
}

#[test]
fn caps_and_garbage() {
    use supply_sbom::limits::{MAX_OS_RELEASE_LEN, MAX_PKGDB_LEN};
    let big = vec![b'a'; MAX_PKGDB_LEN + 1];
    assert!(matches!(
        dpkg::parse_status(&big),
        Err(supply_sbom::pkgdb::Error::LimitExceeded(_))
    ));
    assert!(matches!(
        apk::parse_installed(&big),
        Err(supply_sbom::pkgdb::Error::LimitExceeded(_))
    ));
    assert!(OsRelease::parse(&vec![b'#'; MAX_OS_RELEASE_LEN + 1]).is_err());
    // Binary garbage: no packages, no panic.
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(dpkg::parse_status(&junk).unwrap().packages.is_empty());
    assert!(apk::parse_installed(&junk).unwrap().packages.len() <= 1);
    // Quoting rules of os-release.
    let os = OsRelease::parse(
        b"ID='ubuntu'\nVERSION_ID=\"22.04\"\n# c\nbad line\nID_LIKE=\"debian x\"\n",
    )
    .unwrap();
    assert_eq!(os.id.as_deref(), Some("ubuntu"));
    assert_eq!(os.id_like, ["debian", "x"]);
    assert_eq!(os.osv_ecosystem().as_deref(), Some("Ubuntu:22.04"));
}
