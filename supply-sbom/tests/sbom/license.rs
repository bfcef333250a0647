//! The bundled SPDX License List against testdata/sbom/licenses, the expression vectors and
//! the policy vectors.

use serde_json::Value;
use supply_sbom::license::policy::{LicenseVerdict, Policy};
use supply_sbom::license::{list, Dialect, Expression, LicenseField, Strictness};

/// The generated table in src/license/list_data.rs, rebuilt from the JSON files.
fn generated_table() -> String {
    let lic = supply_testkit::read_json("sbom/licenses/licenses.json");
    let exc = supply_testkit::read_json("sbom/licenses/exceptions.json");
    let mut licenses: Vec<&Value> = lic["licenses"].as_array().unwrap().iter().collect();
    licenses.sort_by_key(|l| l["licenseId"].as_str().unwrap().to_ascii_lowercase());
    let mut exceptions: Vec<&Value> = exc["exceptions"].as_array().unwrap().iter().collect();
    exceptions.sort_by_key(|l| {
        l["licenseExceptionId"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
    });
    let version = lic["licenseListVersion"].as_str().unwrap();
    let date = &lic["releaseDate"].as_str().unwrap()[..10];
    let mut out = String::new();
    out += &format!("// @generated from testdata/sbom/licenses/{{licenses,exceptions}}.json (SPDX License List {version}, {date}).\n");
    out += "// Regenerate with `SUPPLY_REGENERATE=1 cargo test -p supply-sbom --test sbom license_table`; do not edit.\n\n";
    out +=
        "use super::list::{ExceptionInfo, LicenseInfo, DEPRECATED, FSF_LIBRE, OSI_APPROVED};\n\n";
    out += "/// The SPDX License List version of [`LICENSES`] and [`EXCEPTIONS`].\n";
    out += &format!("pub(super) const LIST_VERSION: &str = {version:?};\n\n");
    out += "/// Every license, sorted by ASCII-lowercased id.\n";
    out += "pub(super) const LICENSES: &[LicenseInfo] = &[\n";
    for l in licenses {
        let mut flags = Vec::new();
        if l["isDeprecatedLicenseId"].as_bool().unwrap() {
            flags.push("DEPRECATED");
        }
        if l["isOsiApproved"].as_bool().unwrap_or(false) {
            flags.push("OSI_APPROVED");
        }
        if l["isFsfLibre"].as_bool().unwrap_or(false) {
            flags.push("FSF_LIBRE");
        }
        let flags = if flags.is_empty() {
            "0".to_string()
        } else {
            flags.join(" | ")
        };
        out += &format!(
            "    LicenseInfo::new({:?}, {:?}, {flags}),\n",
            l["licenseId"].as_str().unwrap(),
            l["name"].as_str().unwrap()
        );
    }
    out += "];\n\n/// Every license exception, sorted by ASCII-lowercased id.\n";
    out += "pub(super) const EXCEPTIONS: &[ExceptionInfo] = &[\n";
    for e in exceptions {
        out += &format!(
            "    ExceptionInfo::new({:?}, {:?}, {}),\n",
            e["licenseExceptionId"].as_str().unwrap(),
            e["name"].as_str().unwrap(),
            e["isDeprecatedLicenseId"].as_bool().unwrap()
        );
    }
    out += "];\n";
    out
}

#[test]
fn license_table_is_generated_from_the_list() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/license/list_data.rs");
    let want = generated_table();
    if std::env::var_os("SUPPLY_REGENERATE").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert!(
        have == want,
        "src/license/list_data.rs is stale: run SUPPLY_REGENERATE=1 cargo test -p supply-sbom --test sbom license_table"
    );
}

/// The writers rely on it: text that is a listed id is one license without an exception
/// (CycloneDX `license.id`), and a listed id is never a `LicenseRef-` to define.
#[test]
fn listed_ids_are_single_words_and_never_references() {
    for l in list::licenses() {
        let id = l.id();
        assert!(
            !id.is_empty() && !id.contains(char::is_whitespace),
            "{id:?}"
        );
        assert!(!id.starts_with("LicenseRef-"), "{id}");
    }
}

#[test]
fn license_list_counts_and_spot_checks() {
    assert_eq!(list::list_version(), "3.27.0");
    assert_eq!(list::licenses().len(), 699);
    assert_eq!(
        list::licenses()
            .iter()
            .filter(|l| l.is_deprecated())
            .count(),
        32
    );
    assert_eq!(
        list::licenses()
            .iter()
            .filter(|l| l.is_osi_approved())
            .count(),
        145
    );
    assert_eq!(
        list::licenses().iter().filter(|l| l.is_fsf_libre()).count(),
        127
    );
    assert_eq!(list::exceptions().len(), 79);
    assert_eq!(
        list::exceptions()
            .iter()
            .filter(|e| e.is_deprecated())
            .count(),
        1
    );
    assert!(list::exception("Nokia-Qt-exception-1.1")
        .unwrap()
        .is_deprecated());

    assert_eq!(list::license("mit").unwrap().id(), "MIT");
    let agpl = list::license("AGPL-3.0-or-later").unwrap();
    assert!(!agpl.is_deprecated() && agpl.is_osi_approved() && agpl.is_fsf_libre());
    for id in [
        "AGPL-3.0",
        "GPL-2.0",
        "GPL-2.0+",
        "LGPL-2.1+",
        "eCos-2.0",
        "wxWindows",
        "StandardML-NJ",
        "BSD-2-Clause-FreeBSD",
    ] {
        assert!(list::license(id).unwrap().is_deprecated(), "{id}");
    }
    for id in [
        "Classpath-exception-2.0",
        "LLVM-exception",
        "GCC-exception-3.1",
    ] {
        assert!(list::exception(id).is_some(), "{id}");
        assert!(list::license(id).is_none(), "{id}");
    }
    assert!(list::license("Not-A-License").is_none());
}

#[test]
fn license_expression_vectors() {
    let doc = supply_testkit::read_json("sbom/licenses/expressions/expression-cases.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 51);
    for c in cases {
        let expr = c["expr"].as_str().unwrap();
        let got = Expression::parse(expr);
        if !c["valid"].as_bool().unwrap() {
            assert!(
                got.is_err(),
                "{expr:?} accepted as {:?}",
                got.map(|e| e.to_string())
            );
            continue;
        }
        let e = got.unwrap_or_else(|err| panic!("{expr:?} refused: {err}"));
        assert_eq!(e.to_string(), c["tree"].as_str().unwrap(), "{expr:?} tree");
        let strs = |k: &str| -> Vec<String> {
            c[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(e.licenses(), strs("licenses"), "{expr:?} licenses");
        assert_eq!(e.exceptions(), strs("exceptions"), "{expr:?} exceptions");
        // The canonical form reads back to the same expression.
        assert_eq!(Expression::parse(&e.to_string()).unwrap(), e, "{expr:?}");
    }
}

#[test]
fn license_lenient_and_spdx3_modes() {
    let lenient = |s| Expression::parse_with(s, Dialect::Spdx2, Strictness::Lenient);
    assert_eq!(
        lenient("MIT or Apache-2.0").unwrap().to_string(),
        "MIT OR Apache-2.0"
    );
    assert_eq!(
        lenient("Apache-2.0 with LLVM-exception")
            .unwrap()
            .to_string(),
        "Apache-2.0 WITH LLVM-exception"
    );
    assert_eq!(
        lenient("Unknown-License-1.0").unwrap().licenses(),
        ["Unknown-License-1.0"]
    );
    // Lenient still refuses what no reading can repair.
    for bad in [
        "",
        "MIT OR",
        "(MIT",
        "MIT++",
        "NOASSERTION",
        "LicenseRef-foo_bar",
        "Classpath-exception-2.0",
    ] {
        assert!(lenient(bad).is_err(), "{bad:?}");
    }
    let v3 = Expression::parse_with(
        "MIT WITH AdditionRef-custom",
        Dialect::Spdx3,
        Strictness::Strict,
    )
    .unwrap();
    assert_eq!(v3.exceptions(), ["AdditionRef-custom"]);
    assert_eq!(
        LicenseField::parse_with("NOASSERTION", Dialect::Spdx2, Strictness::Strict).unwrap(),
        LicenseField::NoAssertion
    );
}

#[test]
fn license_policy_vectors() {
    let doc = supply_testkit::read_json("sbom/licenses/expressions/policy-cases.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 13);
    for c in cases {
        let expr = c["expr"].as_str().unwrap();
        let mut policy = Policy::new();
        for id in c["deny"].as_array().into_iter().flatten() {
            policy = policy.deny(id.as_str().unwrap()).unwrap();
        }
        for id in c["allow"].as_array().into_iter().flatten() {
            policy = policy.allow(id.as_str().unwrap()).unwrap();
        }
        let field = LicenseField::parse_with(expr, Dialect::Spdx2, Strictness::Strict)
            .unwrap_or_else(|e| panic!("{expr}: {e}"));
        let verdict = policy.check_field(&field);
        match c["verdict"].as_str().unwrap() {
            "allowed" => {
                let LicenseVerdict::Allowed { choice, review } = &verdict else {
                    panic!("{expr}: {verdict:?}")
                };
                if let Some(want) = c["choice"].as_str() {
                    assert_eq!(choice, want, "{expr}");
                }
                // LicenseRefs pass but are flagged.
                assert_eq!(
                    !review.is_empty(),
                    expr.starts_with("LicenseRef-"),
                    "{expr}"
                );
            }
            "denied" => assert!(
                matches!(verdict, LicenseVerdict::Denied { .. }),
                "{expr}: {verdict:?}"
            ),
            "unknown" => assert!(
                matches!(verdict, LicenseVerdict::Unknown(_)),
                "{expr}: {verdict:?}"
            ),
            v => panic!("unknown verdict {v}"),
        }
    }
}

#[test]
fn license_policy_families_and_deprecated_denials() {
    use supply_sbom::license::policy::Family;
    let p = Policy::new().deny_family(Family::StrongCopyleft);
    for (e, denied) in [
        ("GPL-2.0", true),
        ("AGPL-3.0+", true),
        ("LGPL-2.1-or-later", false),
        ("MIT OR GPL-3.0-only", false),
        ("MIT AND GPL-3.0-only", true),
    ] {
        let v = p.check_expression(&Expression::parse(e).unwrap());
        assert_eq!(
            matches!(v, LicenseVerdict::Denied { .. }),
            denied,
            "{e}: {v:?}"
        );
    }
    // Denying a deprecated id denies its current form, and the reverse.
    let p = Policy::new().deny("GPL-2.0+").unwrap();
    let v = p.check_expression(&Expression::parse("GPL-2.0-or-later").unwrap());
    assert_eq!(
        v,
        LicenseVerdict::Denied {
            licenses: vec!["GPL-2.0-or-later".into()]
        }
    );
    let json = br#"{"deny": ["AGPL-3.0-or-later"], "denyFamilies": ["network-copyleft"], "blocked": ["pkg:npm/minimist@<1.2.6"]}"#;
    assert!(Policy::from_json(json).is_ok());
    assert!(Policy::from_json(br#"{"deny": ["Nope-1.0"]}"#).is_err());
    assert!(Policy::from_json(br#"{"denny": []}"#).is_err());
}

#[test]
fn license_to_current_replaces_deprecated_ids() {
    for (old, new) in [
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        (
            "EPL-2.0 AND GPL-2.0-with-classpath-exception",
            "EPL-2.0 AND (GPL-2.0-only WITH Classpath-exception-2.0)",
        ),
        ("Apache-2.0+", "Apache-2.0+"),
        (
            "LGPL-2.1+ WITH LLVM-exception",
            "LGPL-2.1-or-later WITH LLVM-exception",
        ),
        ("wxWindows", "wxWindows"),
    ] {
        assert_eq!(
            Expression::parse(old).unwrap().to_current().to_string(),
            new,
            "{old}"
        );
    }
}
