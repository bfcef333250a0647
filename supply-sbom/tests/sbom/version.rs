//! Every version-ordering vector of `testdata/sbom/osv/version-ordering/`, per ecosystem,
//! asserted both ways (`A < B` ⇔ `B > A`).

use std::cmp::Ordering;

use supply_sbom::version::{compare, Scheme, Version};

/// Runs one vector file under `scheme`; returns how many assertions ran. Every failing line
/// is collected so that one run shows them all.
fn run(file: &str, scheme: Scheme) -> usize {
    let path = format!("sbom/osv/version-ordering/{file}");
    let text = String::from_utf8(supply_testkit::read(&path)).expect("UTF-8 vectors");
    let mut failures = Vec::new();
    let mut n = 0;
    for (no, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") || line == "#" {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(
            parts.len(),
            3,
            "{file}:{}: malformed vector {line:?}",
            no + 1
        );
        let want = match parts[1] {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            op => panic!("{file}:{}: unknown operator {op}", no + 1),
        };
        let (a, b) = (parts[0], parts[2]);
        n += 1;
        match (compare(scheme, a, b), compare(scheme, b, a)) {
            (Ok(x), Ok(y)) if x == want && y == want.reverse() => {}
            (x, y) => failures.push(format!(
                "{file}:{}: {a} {} {b}: got {x:?} / reversed {y:?}",
                no + 1,
                parts[1]
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} {scheme} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(n > 0, "{file} holds no vectors");
    n
}

#[test]
fn semver_crates_io() {
    assert_eq!(run("semver-versions.txt", Scheme::CratesIo), 86);
}

#[test]
fn semver_npm() {
    run("semver-versions.txt", Scheme::Npm);
}

#[test]
fn semver_go() {
    run("semver-versions.txt", Scheme::Go);
}

#[test]
fn semver_hex() {
    run("semver-versions.txt", Scheme::Hex);
}

#[test]
fn semver_osv_ranges() {
    run("semver-versions.txt", Scheme::SemVer);
}

#[test]
fn pypi() {
    assert_eq!(run("pypi-versions.txt", Scheme::PyPI), 37);
}

#[test]
fn pypi_generated() {
    assert_eq!(run("pypi-versions-generated.txt", Scheme::PyPI), 12_375);
}

#[test]
fn maven() {
    assert_eq!(run("maven-versions.txt", Scheme::Maven), 102);
}

#[test]
fn maven_generated() {
    assert_eq!(run("maven-versions-generated.txt", Scheme::Maven), 14_752);
}

#[test]
fn debian() {
    assert_eq!(run("debian-versions.txt", Scheme::Debian), 30);
}

#[test]
fn debian_generated() {
    assert_eq!(run("debian-versions-generated.txt", Scheme::Debian), 14_442);
}

#[test]
fn alpine() {
    assert_eq!(run("alpine-versions.txt", Scheme::Alpine), 778);
}

#[test]
fn alpine_generated() {
    assert_eq!(run("alpine-versions-generated.txt", Scheme::Alpine), 13_979);
}

#[test]
fn rubygems() {
    assert_eq!(run("rubygems-versions.txt", Scheme::RubyGems), 25);
}

#[test]
fn rubygems_generated() {
    assert_eq!(
        run("rubygems-versions-generated.txt", Scheme::RubyGems),
        4_098
    );
}

#[test]
fn nuget() {
    assert_eq!(run("nuget-versions.txt", Scheme::NuGet), 35);
}

#[test]
fn redhat_rpm() {
    assert_eq!(run("redhat-versions.txt", Scheme::Rpm), 165);
}

#[test]
fn packagist() {
    assert_eq!(run("packagist-versions.txt", Scheme::Packagist), 95);
}

#[test]
fn packagist_generated() {
    assert_eq!(
        run("packagist-versions-generated.txt", Scheme::Packagist),
        10_630
    );
}

#[test]
fn packagist_osv_dev() {
    assert_eq!(
        run("osv.dev-packagist_test_cases.txt", Scheme::Packagist),
        85
    );
}

#[test]
fn cran() {
    assert_eq!(run("cran-versions.txt", Scheme::Cran), 21);
}

#[test]
fn cran_generated() {
    assert_eq!(run("cran-versions-generated.txt", Scheme::Cran), 57);
}

#[test]
fn pub_dart() {
    assert_eq!(run("pub-versions.txt", Scheme::Pub), 100);
}

#[test]
fn hackage() {
    assert_eq!(run("hackage-versions.txt", Scheme::Hackage), 11);
}

/// Typed refusals where an ecosystem rejects a string, and caps on hostile input.
#[test]
fn refusals_and_limits() {
    use supply_sbom::version::Error;
    assert!(matches!(
        Version::parse(Scheme::Go, "(devel)"),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        Version::parse(Scheme::Debian, "x:1.0"),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        Version::parse(Scheme::Cran, "1.0a"),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        Version::parse(Scheme::PyPI, "  "),
        Err(Error::Empty { .. })
    ));
    let long = "1.".repeat(400);
    for scheme in Scheme::ALL {
        assert!(
            matches!(Version::parse(scheme, &long), Err(Error::LimitExceeded(_))),
            "{scheme}"
        );
    }
    // Huge numbers compare exactly, without overflow, in every scheme that takes them.
    let big = "9".repeat(300);
    let bigger = format!("1{big}");
    for scheme in Scheme::ALL {
        assert_eq!(
            compare(scheme, &big, &bigger).unwrap(),
            Ordering::Less,
            "{scheme}"
        );
    }
}
