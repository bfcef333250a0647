//! Lockfile readers against `testdata/sbom/pkgdb/` with the counts its MANIFEST gives.

use supply_sbom::lockfile::{parse, Error, Kind};

fn count(rel: &str, kind: Kind) -> usize {
    parse(kind, &supply_testkit::read(&format!("sbom/pkgdb/{rel}")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .packages
        .len()
}

#[test]
fn cargo_lock() {
    for (f, n) in [
        ("scalibr-one-package.lock", 1),
        ("scalibr-two-packages.lock", 2),
        ("scalibr-two-packages-with-local.lock", 2),
        ("scalibr-duplicate.lock", 2),
        ("scalibr-many-packages.lock", 6),
        ("scalibr-package-with-build-string.lock", 1),
        ("scalibr-package-with-comments.lock", 2),
        ("scalibr-empty.lock", 0),
    ] {
        assert_eq!(count(&format!("cargo-lock/{f}"), Kind::CargoLock), n, "{f}");
    }
    let b = parse(
        Kind::CargoLock,
        &supply_testkit::read("sbom/pkgdb/cargo-lock/scalibr-package-with-build-string.lock"),
    )
    .unwrap();
    assert_eq!(b.packages[0].version, "0.10.2+wasi-snapshot-preview1");
    assert!(matches!(
        parse(
            Kind::CargoLock,
            &supply_testkit::read("sbom/pkgdb/cargo-lock/scalibr-not-toml.txt")
        ),
        Err(Error::Toml(_)) | Ok(_)
    ));
}

#[test]
fn package_lock() {
    for (f, n) in [
        ("one-package.v1.json", 1),
        ("one-package.v2.json", 1),
        ("one-package-dev.v2.json", 1),
        ("optional-package.v2.json", 2),
        ("scoped-packages.v2.json", 2),
        ("alias.v2.json", 3),
        ("nested-dependencies.v2.json", 5),
        // 36 entries (the MANIFEST's count) pin only 2 distinct name@version pairs:
        // supports-color 6.1.0 (34 paths) and 2.0.0 (2); duplicates are reported once.
        ("nested-dependencies-dup.v2.json", 2),
        ("bundled-dependencies.v3.json", 3),
        // 14 entries: raven-js pins a git commit without a version (not matchable), and
        // is-number-* at several commits collapse to 3.0.0 / 2.0.0 under their paths' names.
        ("commits.v2.json", 11),
        ("files.v2.json", 3),
        ("empty.v2.json", 0),
    ] {
        assert_eq!(
            count(&format!("lockfiles/package-lock/{f}"), Kind::PackageLock),
            n,
            "{f}"
        );
    }
    let alias = parse(
        Kind::PackageLock,
        &supply_testkit::read("sbom/pkgdb/lockfiles/package-lock/alias.v2.json"),
    )
    .unwrap();
    let names: Vec<_> = alias
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert!(names.contains(&("@babel/code-frame", "7.0.0")), "{names:?}");
    assert!(names.contains(&("string-width", "4.2.0")), "{names:?}");
    assert!(matches!(
        parse(
            Kind::PackageLock,
            &supply_testkit::read("sbom/pkgdb/lockfiles/package-lock/not-json.txt")
        ),
        Err(Error::Json(_))
    ));
}

#[test]
fn poetry_lock() {
    for (f, n) in [
        ("one-package.lock", 1),
        ("two-packages.lock", 2),
        ("multiple-packages.v2.lock", 11),
        ("optional-package.lock", 1),
        ("source-git.lock", 1),
        ("source-legacy.lock", 1),
        ("empty.lock", 0),
    ] {
        assert_eq!(
            count(&format!("lockfiles/poetry-lock/{f}"), Kind::PoetryLock),
            n,
            "{f}"
        );
    }
    assert!(parse(
        Kind::PoetryLock,
        &supply_testkit::read("sbom/pkgdb/lockfiles/poetry-lock/not-toml.txt")
    )
    .is_err());
}

#[test]
fn go_sum() {
    assert_eq!(count("lockfiles/go-mod/indirect-1.16.sum", Kind::GoSum), 9);
    // This fixture is deliberately not a go.sum ("Wrongly formatted…").
    assert!(matches!(
        parse(
            Kind::GoSum,
            &supply_testkit::read("sbom/pkgdb/lockfiles/go-mod/indirect-1.23.sum")
        ),
        Err(Error::Line { line: 1, .. })
    ));
    assert!(matches!(
        parse(Kind::GoSum, b"only-two fields\n"),
        Err(Error::Line { line: 1, .. })
    ));
}

#[test]
fn requirements_forms() {
    let l = parse(
        Kind::Requirements,
        b"# c\nFlask[async]==1.0.0 ; python_version > '3'\nrequests>=2\n\
          django == 1.11.29  # pinned\nnumpy===2.3.1\nfoo==1.*\n-r other.txt\n--requirement=third.txt\n\
          -c constraints.txt\nbar==\\\n2.0\n",
    )
    .unwrap();
    let got: Vec<_> = l
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    assert_eq!(
        got,
        ["Flask@1.0.0", "django@1.11.29", "numpy@2.3.1", "bar@2.0"]
    );
    assert_eq!(l.includes, ["other.txt", "third.txt"]);
}

#[test]
fn hostile_sizes_are_refused() {
    let big = vec![b' '; supply_sbom::limits::MAX_LOCKFILE_LEN + 1];
    assert!(matches!(
        parse(Kind::GoSum, &big),
        Err(Error::LimitExceeded(_))
    ));
    assert!(matches!(
        parse(Kind::Requirements, &[0xff, 0xfe]),
        Err(Error::Utf8)
    ));
    // Deep JSON nesting is refused by serde_json's recursion limit, not the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse(Kind::PackageLock, deep.as_bytes()).is_err());
}
