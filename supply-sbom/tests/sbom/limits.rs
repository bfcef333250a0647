//! Bounded input: nesting depth, hostile structure and unrecognised documents fail cleanly.

use supply_sbom::format::{read, Error};

#[test]
fn limits_deep_nesting_is_refused() {
    let json = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": {}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(matches!(read(json.as_bytes()), Err(Error::Json(_))));
    let xml = format!(
        r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6">{}{}</bom>"#,
        "<a>".repeat(1_000),
        "</a>".repeat(1_000)
    );
    assert!(matches!(read(xml.as_bytes()), Err(Error::Xml(_))));
    let yaml = format!(
        "spdxVersion: SPDX-2.3\nx: {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(read(yaml.as_bytes()).is_err());
}

#[test]
fn limits_unrecognised_and_malformed() {
    assert!(matches!(
        read(br#"{"hello": "world"}"#),
        Err(Error::Unrecognized)
    ));
    assert!(matches!(read(b"<html/>"), Err(Error::Unrecognized)));
    assert!(matches!(read(&[0xff, 0xfe, 0x00]), Err(Error::Encoding)));
    assert!(read(b"").is_err());
    assert!(read(b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><components>").is_err());
}
