//! OSV matching at scale (issue 13): a synthetic 100 000-record database built from the real
//! record shapes of `testdata/sbom/osv/records/` (PyPI ECOSYSTEM ranges, Go SEMVER ranges with
//! pseudo-versions, crates.io SEMVER), 5 000 packages queried against it, plus record parsing
//! and version comparison per ecosystem.
//!
//! - `osv-parse/<record>`: `Record::from_json` (strict JSON check + serde + validation).
//! - `osv-db-build-100k`: parse and index 100 000 records.
//! - `osv-match-5000x100k`: `Database::query` for 5 000 packages (one in ten vulnerable).
//! - `osv-db/match-purls-5000x100k`: the same 5 000 packages given as purl strings, as an
//!   SBOM has them: parse, map to OSV (`osv::inventory`), query.
//! - `version-cmp/<scheme>`: parse two versions and compare them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use supply_sbom::osv::inventory::Inventory;
use supply_sbom::osv::{Database, PackageRef, Record};
use supply_sbom::purl::Purl;
use supply_sbom::version::{compare, Scheme};

const RECORDS: usize = 100_000;
const PACKAGES: usize = 5_000;

/// Record `i` of the synthetic database: one of three real shapes, for package `pkg{i % 20000}`.
fn record_json(i: usize) -> String {
    let pkg = i % 20_000;
    match i % 3 {
        0 => format!(
            r#"{{"id":"PYSEC-B-{i}","modified":"2024-01-01T00:00:00Z","aliases":["CVE-B-{i}"],
"summary":"synthetic","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
"affected":[{{"package":{{"ecosystem":"PyPI","name":"Pkg_{pkg}"}},
"ranges":[{{"type":"GIT","repo":"https://x/y","events":[{{"introduced":"0"}},{{"fixed":"0123456789abcdef"}}]}},
{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"1.{m}.0"}},{{"introduced":"2.0rc1"}},{{"fixed":"2.{m}.post1"}}]}}],
"versions":["1.0","1.1","2.0"]}}]}}"#,
            m = i % 50
        ),
        1 => format!(
            r#"{{"id":"GO-B-{i}","modified":"2024-01-01T00:00:00Z",
"affected":[{{"package":{{"ecosystem":"Go","name":"github.com/org/pkg{pkg}"}},
"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"0.0.0-20220412211240-33da011f77ad"}},{{"introduced":"1.3.0-rc.1"}},{{"fixed":"1.{m}.3"}}]}}]}}]}}"#,
            m = i % 50
        ),
        _ => format!(
            r#"{{"id":"RUSTSEC-B-{i}","modified":"2024-01-01T00:00:00Z",
"affected":[{{"package":{{"ecosystem":"crates.io","name":"crate{pkg}"}},
"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0.0.0-0"}},{{"fixed":"0.{m}.13"}}]}}],
"database_specific":{{"informational":"unsound"}}}}]}}"#,
            m = i % 50
        ),
    }
}

fn packages() -> Vec<PackageRef> {
    (0..PACKAGES)
        .map(|i| {
            let pkg = (i * 7) % 20_000;
            // One in ten at a version inside a range, the rest past every fix.
            let hit = i % 10 == 0;
            match i % 3 {
                0 => PackageRef::new(
                    "PyPI",
                    &format!("pkg-{pkg}"),
                    if hit { "0.9" } else { "9.0" },
                ),
                1 => PackageRef::new(
                    "Go",
                    &format!("github.com/org/pkg{pkg}"),
                    if hit {
                        "v0.0.0-20210817142637-7d9622a276b7"
                    } else {
                        "v9.0.0"
                    },
                ),
                _ => PackageRef::new(
                    "crates.io",
                    &format!("crate{pkg}"),
                    if hit { "0.0.1" } else { "9.0.0" },
                ),
            }
        })
        .collect()
}

fn build(jsons: &[String]) -> Database {
    let mut db = Database::new();
    for j in jsons {
        db.insert(Record::from_json(j.as_bytes()).unwrap()).unwrap();
    }
    db
}

fn osv(c: &mut Criterion) {
    let mut g = c.benchmark_group("osv-parse");
    for rel in [
        "sbom/osv/records/go/GO-2025-4096.json",
        "sbom/osv/records/pypi/PYSEC-2023-62.json",
    ] {
        let bytes = supply_testkit::read(rel);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        let name = rel.rsplit('/').next().unwrap();
        g.bench_function(name, |b| {
            b.iter(|| Record::from_json(black_box(&bytes)).unwrap())
        });
    }
    g.finish();

    let jsons: Vec<String> = (0..RECORDS).map(record_json).collect();
    let mut g = c.benchmark_group("osv-db");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("build-100k", |b| b.iter(|| build(black_box(&jsons))));
    let db = build(&jsons);
    let pkgs = packages();
    let hits: usize = pkgs.iter().map(|p| db.query(p).len()).sum();
    assert!(hits > 0);
    g.throughput(Throughput::Elements(PACKAGES as u64));
    g.bench_function("match-5000x100k", |b| {
        b.iter(|| {
            pkgs.iter()
                .map(|p| db.query(black_box(p)).len())
                .sum::<usize>()
        })
    });
    // The same packages as purls (PyPI, Go with its `v`, cargo).
    let purls: Vec<String> = pkgs
        .iter()
        .map(|p| match p.ecosystem.as_str() {
            "PyPI" => format!("pkg:pypi/{}@{}", p.name, p.version),
            "Go" => format!(
                "pkg:golang/{}@v{}",
                p.name,
                p.version.trim_start_matches('v')
            ),
            _ => format!("pkg:cargo/{}@{}", p.name, p.version),
        })
        .collect();
    let from_purls = |purls: &[String]| {
        let parsed: Vec<Purl> = purls.iter().map(|s| Purl::parse(s).unwrap()).collect();
        let inv = Inventory::from_purls(&parsed);
        inv.packages
            .iter()
            .map(|p| db.query(p).len())
            .sum::<usize>()
    };
    assert_eq!(from_purls(&purls), hits);
    g.bench_function("match-purls-5000x100k", |b| {
        b.iter(|| from_purls(black_box(&purls)))
    });
    g.finish();

    let mut g = c.benchmark_group("version-cmp");
    for (scheme, a, b) in [
        (
            Scheme::SemVer,
            "1.0.1-0.20211012131345-9c444070ec7b",
            "1.0.1",
        ),
        (Scheme::PyPI, "1.2b3.dev4", "1.2.post3.dev4"),
        (Scheme::Maven, "1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
        (Scheme::Debian, "1:2.38.1-5+deb12u1", "1:2.38.1-5+deb12u3"),
        (Scheme::Alpine, "1.2.13_pre20191002-r0", "1.2.13-r1"),
        (
            Scheme::Rpm,
            "0:3.10.0-229.1.2.ael7b",
            "0:3.10.0-229.1.2.el7",
        ),
        (Scheme::RubyGems, "1.0.a.10", "1.0.a9"),
        (
            Scheme::NuGet,
            "1.0.0-BETA.X.y.5.77.0+AA",
            "1.0.0-beta.x.y.5.79.0+aa",
        ),
    ] {
        g.bench_function(scheme.to_string(), |bch| {
            bch.iter(|| compare(scheme, black_box(a), black_box(b)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, osv);
criterion_main!(benches);
