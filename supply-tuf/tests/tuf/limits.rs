//! Oversize and malformed input: each refused with a typed error, never a panic.

use supply_tuf::metadata::{self, Metadata, Root, Snapshot, Targets, TimestampRole};
use supply_tuf::time::Timestamp;

fn root_json() -> serde_json::Value {
    serde_json::from_slice(&crate::read(
        "python-tuf/repository_data/repository/metadata/1.root.json",
    ))
    .unwrap()
}

fn parse_root(v: &serde_json::Value) -> Result<Metadata<Root>, metadata::Error> {
    Metadata::<Root>::from_slice(v.to_string().as_bytes())
}

#[test]
fn oversize_documents() {
    let doc = vec![b' '; 600_000];
    let e = Metadata::<Root>::from_slice_with_limit(&doc, supply_tuf::limits::MAX_ROOT_LEN)
        .unwrap_err();
    assert!(
        matches!(e, metadata::Error::LimitExceeded { limit: 512_000, .. }),
        "{e:?}"
    );
    let e = Metadata::<Targets>::from_slice(&vec![b' '; 5_000_001]).unwrap_err();
    assert!(matches!(e, metadata::Error::LimitExceeded { .. }), "{e:?}");
    // Too many signatures.
    let mut v = root_json();
    let sigs: Vec<_> = (0..1025)
        .map(|i| serde_json::json!({"keyid": format!("{i}"), "sig": ""}))
        .collect();
    v["signatures"] = serde_json::Value::Array(sigs);
    assert!(matches!(
        parse_root(&v).unwrap_err(),
        metadata::Error::LimitExceeded {
            what: "signatures",
            ..
        }
    ));
    // Deep nesting inside `signed` is refused by the canonicalizer (or serde's recursion limit).
    let mut deep = String::new();
    for _ in 0..200 {
        deep.push_str("{\"a\":");
    }
    deep.push('1');
    for _ in 0..200 {
        deep.push('}');
    }
    let mut v = root_json();
    v["signed"]["x-deep"] = serde_json::from_str(&deep).unwrap_or(serde_json::Value::Null);
    let text = v
        .to_string()
        .replace("\"x-deep\":null", &format!("\"x-deep\":{deep}"));
    assert!(Metadata::<Root>::from_slice(text.as_bytes()).is_err());
}

#[test]
fn malformed_fields() {
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("version 0", Box::new(|v| v["signed"]["version"] = 0.into())),
        (
            "negative version",
            Box::new(|v| v["signed"]["version"] = (-1).into()),
        ),
        (
            "float version",
            Box::new(|v| v["signed"]["version"] = 1.5.into()),
        ),
        (
            "threshold 0",
            Box::new(|v| v["signed"]["roles"]["root"]["threshold"] = 0.into()),
        ),
        (
            "missing role",
            Box::new(|v| {
                v["signed"]["roles"]
                    .as_object_mut()
                    .unwrap()
                    .remove("snapshot");
            }),
        ),
        (
            "extra role",
            Box::new(|v| v["signed"]["roles"]["mirror"] = v["signed"]["roles"]["root"].clone()),
        ),
        (
            "duplicate keyids in a role",
            Box::new(|v| {
                let id = v["signed"]["roles"]["root"]["keyids"][0].clone();
                v["signed"]["roles"]["root"]["keyids"] = serde_json::json!([id.clone(), id]);
            }),
        ),
        (
            "bad expires",
            Box::new(|v| v["signed"]["expires"] = "tomorrow".into()),
        ),
        (
            "leap second",
            Box::new(|v| v["signed"]["expires"] = "2030-01-01T00:00:60Z".into()),
        ),
        (
            "spec 2",
            Box::new(|v| v["signed"]["spec_version"] = "2.0.0".into()),
        ),
        (
            "spec one part",
            Box::new(|v| v["signed"]["spec_version"] = "1".into()),
        ),
        (
            "wrong type",
            Box::new(|v| v["signed"]["_type"] = "Root".into()),
        ),
        (
            "signatures not a list",
            Box::new(|v| v["signatures"] = serde_json::json!({})),
        ),
        (
            "no signed",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("signed");
            }),
        ),
    ];
    for (name, f) in cases {
        let mut v = root_json();
        f(&mut v);
        assert!(parse_root(&v).is_err(), "{name}");
    }
    // Trailing bytes after the document.
    let mut doc = crate::read("python-tuf/repository_data/repository/metadata/1.root.json");
    doc.extend_from_slice(b"{}");
    assert!(matches!(
        Metadata::<Root>::from_slice(&doc).unwrap_err(),
        metadata::Error::InvalidJson(_)
    ));
    // Duplicate object keys inside `signed`.
    let doc = br#"{"signatures":[],"signed":{"_type":"timestamp","_type":"timestamp","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1}}}}"#;
    assert!(Metadata::<TimestampRole>::from_slice(doc).is_err());
    // Timestamp meta must be exactly snapshot.json.
    let doc = br#"{"signatures":[],"signed":{"_type":"timestamp","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"targets.json":{"version":1}}}}"#;
    assert!(matches!(
        Metadata::<TimestampRole>::from_slice(doc).unwrap_err(),
        metadata::Error::InvalidField { .. }
    ));
    // Snapshot meta versions >= 1.
    let doc = br#"{"signatures":[],"signed":{"_type":"snapshot","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"targets.json":{"version":0}}}}"#;
    assert!(matches!(
        Metadata::<Snapshot>::from_slice(doc).unwrap_err(),
        metadata::Error::InvalidField { .. }
    ));
    // Delegations: both roles and succinct_roles, a top-level name, bit_length 33, empty hashes.
    let base = r#"{"signatures":[],"signed":{"_type":"targets","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","targets":TARGETS,"delegations":DELEG}}"#;
    let bad_delegations = [
        r#"{"keys":{},"roles":[],"succinct_roles":{"keyids":["a"],"threshold":1,"bit_length":2,"name_prefix":"b"}}"#,
        r#"{"keys":{},"roles":[{"name":"root","keyids":["a"],"threshold":1,"paths":["*"]}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1,"paths":["*"],"path_hash_prefixes":["a"]}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1,"paths":["*"]},{"name":"x","keyids":["a"],"threshold":1,"paths":["*"]}]}"#,
        r#"{"keys":{},"succinct_roles":{"keyids":["a"],"threshold":1,"bit_length":33,"name_prefix":"b"}}"#,
        r#"{"keys":{},"succinct_roles":{"keyids":["a"],"threshold":0,"bit_length":3,"name_prefix":"b"}}"#,
    ];
    for d in bad_delegations {
        let doc = base.replace("TARGETS", "{}").replace("DELEG", d);
        assert!(
            Metadata::<Targets>::from_slice(doc.as_bytes()).is_err(),
            "{d}"
        );
    }
    let doc = base
        .replace("TARGETS", r#"{"f":{"length":1,"hashes":{}}}"#)
        .replace("DELEG", r#"{"keys":{},"roles":[]}"#);
    assert!(Metadata::<Targets>::from_slice(doc.as_bytes()).is_err());
}

#[test]
fn unknown_hash_algorithms_fail_closed() {
    let mut hashes = std::collections::BTreeMap::new();
    hashes.insert("md5".to_owned(), "00".to_owned());
    let e = metadata::verify_length_and_hashes("x", b"x", Some(1), Some(&hashes)).unwrap_err();
    assert!(
        matches!(e, metadata::Error::UnsupportedHash { .. }),
        "{e:?}"
    );
    hashes.clear();
    hashes.insert("sha256".to_owned(), "zz".to_owned());
    let e = metadata::verify_length_and_hashes("x", b"x", Some(1), Some(&hashes)).unwrap_err();
    assert!(matches!(e, metadata::Error::HashMismatch { .. }), "{e:?}");
}

#[test]
fn unknown_key_types_count_as_no_signature() {
    let mut v = root_json();
    for k in v["signed"]["keys"].as_object_mut().unwrap().values_mut() {
        k["keytype"] = "dsa".into();
    }
    let md = parse_root(&v).unwrap();
    let set = supply_tuf::client::TrustedSet::new(
        md.raw(),
        Timestamp::from_unix(0),
        &supply_sig::crypto::RUSTCRYPTO,
    );
    assert!(matches!(
        set.unwrap_err(),
        supply_tuf::client::Error::Metadata {
            source: metadata::Error::ThresholdNotMet { valid: 0, .. },
            ..
        }
    ));
}

#[test]
fn time_parser_is_total() {
    for s in [
        "",
        "2030",
        "2030-13-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999+23:59",
        "0000-01-01T00:00:00Z",
        "2030-01-01T00:00:00.000000000000000000000000000Z",
    ] {
        let _ = supply_tuf::time::parse(s);
    }
    assert!(supply_tuf::time::parse("9999-12-31T23:59:59.999999999-23:59").is_ok());
}
