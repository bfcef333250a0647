//! OSV records of `testdata/sbom/osv/`: parsing, round trips, linter negatives, GHSA
//! conversion pairs, and range evaluation on the real records.

use std::path::PathBuf;

use supply_sbom::osv::{Database, Error, LoadOptions, PackageRef, Record, Rule};

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(supply_testkit::testdata(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v
}

/// The model reads an absent array, `null` and `[]` alike and writes none of them: compare
/// records with empty arrays removed from objects (every other value must survive).
fn drop_empty(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
                .map(|(k, v)| (k, drop_empty(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(drop_empty).collect()),
        v => v,
    }
}

#[test]
fn every_real_record_parses_and_round_trips() {
    let mut n = 0;
    for dir in [
        "sbom/osv/records/go",
        "sbom/osv/records/crates.io",
        "sbom/osv/records/pypi",
    ] {
        for p in files(dir, ".json") {
            let bytes = std::fs::read(&p).unwrap();
            let r = Record::from_json(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // Lossless: the written record reads back equal, unknown fields included, and
            // equals the input as a JSON value.
            let out = r.to_json().unwrap();
            assert_eq!(Record::from_json(&out).unwrap(), r, "{}", p.display());
            let a = drop_empty(serde_json::from_slice(&bytes).unwrap());
            let b = drop_empty(serde_json::from_slice(&out).unwrap());
            assert_eq!(a, b, "{}", p.display());
            n += 1;
        }
    }
    assert_eq!(n, 13 + 8 + 10);
}

#[test]
fn rustsec_informational_kinds() {
    for (id, kind) in [
        ("RUSTSEC-2020-0016", "unmaintained"),
        ("RUSTSEC-2020-0078", "unsound"),
        ("RUSTSEC-2018-0018", "unsound"),
    ] {
        let r = Record::from_json(&supply_testkit::read(&format!(
            "sbom/osv/records/crates.io/{id}.json"
        )))
        .unwrap();
        let got = r.affected[0]
            .database_specific
            .as_ref()
            .and_then(|d| d.get("informational"))
            .and_then(|v| v.as_str());
        assert_eq!(got, Some(kind), "{id}");
    }
}

#[test]
fn linter_records() {
    for p in files("sbom/osv/osv-linter", ".json") {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let got = Record::from_json(&std::fs::read(&p).unwrap());
        if name == "nointroduced-CVE-2023-41045.json" {
            assert!(
                matches!(
                    got,
                    Err(Error::Invalid {
                        rule: Rule::NoIntroduced,
                        ..
                    })
                ),
                "{name}: {got:?}"
            );
        } else {
            got.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn ghsa_conversion_outputs_parse_and_withdrawn_never_matches() {
    let mut n = 0;
    for p in files("sbom/osv/ghsa-conversion", ".osv.json") {
        let r = Record::from_json(&std::fs::read(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        n += 1;
        if p.ends_with("withdrawn.osv.json") {
            assert!(r.is_withdrawn());
            let a = &r.affected[0];
            let pkg = a.package.as_ref().unwrap();
            for v in ["0", "0.0.1", "1.0.0", "999.0.0"] {
                assert!(!r.affects(&PackageRef::new(&pkg.ecosystem, &pkg.name, v)));
            }
        }
    }
    assert_eq!(n, 11);
}

#[test]
fn strict_json_and_caps() {
    let ok = br#"{"id":"X","modified":"2024-01-01T00:00:00Z"}"#;
    Record::from_json(ok).unwrap();
    // Duplicate keys, trailing garbage and oversize input are refused.
    assert!(matches!(
        Record::from_json(br#"{"id":"X","id":"Y","modified":"m"}"#),
        Err(Error::Json(_))
    ));
    assert!(matches!(Record::from_json(b"{} x"), Err(Error::Json(_))));
    assert!(matches!(
        Record::from_json_with_limit(ok, 10),
        Err(Error::LimitExceeded(_))
    ));
    assert!(matches!(
        Record::from_json(br#"{"id":"X"}"#),
        Err(Error::Shape(_))
    ));
    // Two fields in one event.
    let two = br#"{"id":"X","modified":"m","affected":[{"package":{"ecosystem":"npm","name":"a"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#;
    assert!(matches!(
        Record::from_json(two),
        Err(Error::Invalid {
            rule: Rule::EventShape,
            ..
        })
    ));
    // limit outside GIT; GIT without repo.
    let lim = br#"{"id":"X","modified":"m","affected":[{"package":{"ecosystem":"npm","name":"a"},
        "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"1"}]}]}]}"#;
    assert!(matches!(
        Record::from_json(lim),
        Err(Error::Invalid {
            rule: Rule::LimitOutsideGit,
            ..
        })
    ));
    let git = br#"{"id":"X","modified":"m","affected":[{"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}]}"#;
    assert!(matches!(
        Record::from_json(git),
        Err(Error::Invalid {
            rule: Rule::GitWithoutRepo,
            ..
        })
    ));
    // Unknown range type.
    let t = br#"{"id":"X","modified":"m","affected":[{"ranges":[{"type":"FOO","events":[{"introduced":"0"}]}]}]}"#;
    assert!(matches!(Record::from_json(t), Err(Error::Shape(_))));
}

#[test]
fn severities_parse_to_typed_scores() {
    use supply_sbom::osv::{Level, Score};
    let r = Record::from_json(&supply_testkit::read(
        "sbom/osv/records/pypi/PYSEC-2023-62.json",
    ))
    .unwrap();
    let _ = r.level();
    let mut seen_v3 = false;
    let mut seen_v4 = false;
    for dir in [
        "sbom/osv/records/go",
        "sbom/osv/records/crates.io",
        "sbom/osv/records/pypi",
        "sbom/osv/osv-linter",
    ] {
        for p in files(dir, ".json") {
            let Ok(r) = Record::from_json(&std::fs::read(&p).unwrap()) else {
                continue;
            };
            for s in &r.severity {
                match s.parse_score().unwrap() {
                    Score::Cvss(c) if c.base_score_tenths.is_some() => {
                        seen_v3 = true;
                        assert!(c.level().is_some());
                    }
                    Score::Cvss(c) => {
                        seen_v4 = true;
                        assert_eq!(c.metric("AV"), Some("N"));
                    }
                    Score::Level(_) => {}
                    _ => {}
                }
            }
        }
    }
    assert!(seen_v3 && seen_v4);
    assert!(Level::Critical > Level::High && Level::Low > Level::None);
}

#[test]
fn database_loads_folder_and_indexes_by_normalised_name() {
    let mut db = Database::new();
    let report = db
        .load_dir(
            &supply_testkit::testdata("sbom/osv/records"),
            &LoadOptions::default(),
        )
        .unwrap();
    assert_eq!(report.loaded, 31);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    // PEP 503: Flask, flask and FLASK are one package.
    let f = db.query(&PackageRef::new("PyPI", "Flask", "1.0.0"));
    assert_eq!(
        f.iter().map(|f| f.id()).collect::<Vec<_>>(),
        ["PYSEC-2023-62"]
    );
    assert_eq!(
        db.query(&PackageRef::new("PyPI", "FLASK", "1.0.0")).len(),
        1
    );
    // Exact ecosystem strings: "pypi" is not "PyPI".
    assert!(db
        .query(&PackageRef::new("pypi", "flask", "1.0.0"))
        .is_empty());
    // Aliases merge into the finding.
    let net2 = db.query(&PackageRef::new("crates.io", "net2", "0.2.33"));
    let f78 = net2
        .iter()
        .find(|f| f.is_known_as("RUSTSEC-2020-0078"))
        .unwrap();
    assert!(f78.is_known_as("GHSA-458v-4hrf-g3m4") && f78.is_known_as("GHSA-c79c-gwph-gqfm"));
    assert_eq!(f78.informational, ["unsound"]);
}
