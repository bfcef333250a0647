//! Every layout/link case of `testdata/intoto` with the outcome its MANIFEST gives.

use std::collections::BTreeMap;

use supply_intoto::metadata::{Metadata, Payload};
use supply_intoto::verify::{Error, LayoutVerifier, Warning};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyId;
use supply_testkit::{read, testdata};

use crate::common::{now, pem_key, verify_generated};

/// The 14 generated cases (generated/MANIFEST.md), each row of its table.
#[test]
fn generated_cases_have_their_manifest_outcome() {
    type Check = fn(&Result<supply_intoto::verify::VerifiedLayout, Error>) -> bool;
    let pass: Check = |r| r.is_ok();
    let bad_sig: Check = |r| matches!(r, Err(Error::LayoutSignature { .. }));
    let cases: &[(&str, &[&str], Check)] = &[
        ("demo-metablock", &["alice.pub"], pass),
        ("demo-metablock", &["bob.pub"], bad_sig),
        (
            "demo-metablock",
            &["alice.pub", "ecdsa_public.pem"],
            bad_sig,
        ),
        ("demo-dsse", &["alice.pub"], pass),
        ("demo-dsse", &["bob.pub"], bad_sig),
        ("demo-no-inspection", &["alice.pub"], pass),
        ("fail-expired-layout", &["alice.pub"], |r| {
            matches!(r, Err(Error::LayoutExpired { .. }))
        }),
        (
            "fail-threshold-not-met",
            &["alice.pub"],
            |r| matches!(r, Err(Error::LinksNotFound { step, required: 2, found: 1 }) if step == "package"),
        ),
        ("threshold-2-met", &["alice.pub"], |r| {
            r.as_ref().is_ok_and(|v| {
                v.steps()[1].functionaries().len() == 2
                    && v.warnings().iter().any(
                        |w| matches!(w, Warning::CommandMismatch { step, .. } if step == "package"),
                    )
            })
        }),
        (
            "fail-tampered-link",
            &["alice.pub"],
            |r| matches!(r, Err(Error::ThresholdNotMet { step, required: 1, valid: 0 }) if step == "package"),
        ),
        (
            "fail-unauthorized-functionary",
            &["alice.pub"],
            |r| matches!(r, Err(Error::LinksNotFound { step, found: 0, .. }) if step == "package"),
        ),
        (
            "fail-match-rule",
            &["alice.pub"],
            |r| matches!(r, Err(Error::Disallowed { item, side: "materials", artifacts, .. }) if item == "package" && artifacts == &["foo.py"]),
        ),
        (
            "fail-inspection-product-tampered",
            &["alice.pub"],
            |r| matches!(r, Err(Error::Disallowed { item, side: "materials", artifacts, .. }) if item == "untar" && artifacts == &["foo.tar"]),
        ),
        ("rules-multikey", &["alice.pub", "ecdsa_public.pem"], pass),
        ("rules-multikey", &["ecdsa_public.pem"], pass),
        ("rules-multikey", &["ed25519_public.pem"], bad_sig),
        (
            "fail-rules-require",
            &["alice.pub"],
            |r| matches!(r, Err(Error::Required { item, side: "products", path }) if item == "update" && path == "src/tmp.txt"),
        ),
        (
            "fail-rules-modify-unexpected",
            &["alice.pub"],
            |r| matches!(r, Err(Error::Disallowed { item, side: "products", artifacts, .. }) if item == "update" && artifacts == &["src/foo.py"]),
        ),
        ("sublayout", &["alice.pub"], |r| {
            r.as_ref().is_ok_and(|v| {
                let sub = &v.steps()[0];
                sub.sublayouts().len() == 1
                    && sub.sublayouts()[0].steps().len() == 2
                    && v.summary().materials.is_empty()
                    && v.warnings().iter().any(
                        |w| matches!(w, Warning::CommandMismatch { step, .. } if step == "sub"),
                    )
            })
        }),
    ];
    // The table of in-toto python's own results must list the same verdicts.
    let results = supply_testkit::read_json("intoto/generated/in-toto-python-results.json");
    let mut rows = 0;
    for (case, keys, check) in cases {
        let r = verify_generated(case, keys);
        assert!(check(&r), "{case} {keys:?}: {r:?}");
        let py = results[case]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| {
                row["verification_keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
                    .eq(keys.iter().copied())
            })
            .unwrap_or_else(|| panic!("{case} {keys:?} missing from the python results"));
        assert_eq!(
            py["in_toto_python_rc"] == 0,
            r.is_ok(),
            "{case} {keys:?}: python disagrees"
        );
        rows += 1;
    }
    assert_eq!(
        rows,
        results
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_array().unwrap().len())
            .sum::<usize>()
    );
}

#[test]
fn demo_metablock_reports_what_it_checked() {
    let v = verify_generated("demo-metablock", &["alice.pub"]).unwrap();
    let names: Vec<&str> = v.steps().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["write-code", "package"]);
    assert_eq!(
        v.steps()[0].functionaries(),
        [KeyId::new(
            "210dcc50ed4dd534fca6dcf71e4ea8bd36b399d1098c3116bcd53004784f16ae"
        )]
    );
    assert_eq!(v.inspections(), [("untar".to_owned(), 6)]);
    assert_eq!(v.rules_checked(), 2 + 5 + 6);
    assert_eq!(
        v.signed_by(),
        [KeyId::new(
            "c8ef46bd3ccb95e2617a80e447d0c8c6338f85334c2f6c6cb640e140fc183763"
        )]
    );
    assert!(v.summary().products.contains_key("foo.tar"));
}

fn golang_key(name: &str) -> SslibKey {
    pem_key(&testdata(&format!("intoto/in-toto-golang/{name}")))
}

/// golang `demo.layout`: a metablock with `rootcas`, `intermediatecas` and `cert_constraints`
/// that in-toto python 3.1.0 wrongly rejects. The signature covers the raw `signed` object.
#[test]
fn golang_metablock_layout_with_unknown_fields_verifies() {
    for file in ["demo.layout", "demo.dsse.layout"] {
        let tmp = crate::common::copy_to_temp(&testdata("intoto/in-toto-golang"));
        let r = crate::common::verify_in(tmp.path(), file, &[golang_key("alice.pub")]);
        let v = r.unwrap_or_else(|e| panic!("{file}: {e:?}"));
        // Only the metablock carries the golang-only fields.
        let golang_fields = file == "demo.layout";
        assert_eq!(
            v.layout().extra.contains_key("rootcas"),
            golang_fields,
            "{file}"
        );
        assert_eq!(
            v.layout().steps[0].extra.contains_key("cert_constraints"),
            golang_fields
        );
        assert_eq!(v.inspections().len(), 1);
    }
    // Dropping an unknown field breaks the signature: it is covered.
    let raw = String::from_utf8(read("intoto/in-toto-golang/demo.layout")).unwrap();
    let start = raw.find("\"intermediatecas\"").unwrap();
    let end = raw.find("\"expires\"").unwrap();
    let tampered = format!("{}{}", &raw[..start], &raw[end..]);
    let m = Metadata::from_slice(tampered.as_bytes()).unwrap();
    let links: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let r = LayoutVerifier::new(now(), &links).verify(&m, &[golang_key("alice.pub")]);
    assert!(matches!(r, Err(Error::LayoutSignature { .. })), "{r:?}");
}

#[test]
fn golang_dsse_only_layout_verifies() {
    let tmp = crate::common::copy_to_temp(&testdata("intoto/in-toto-golang"));
    let v = crate::common::verify_in(
        tmp.path(),
        "dsse-only.root.layout",
        &[golang_key("alice.pub")],
    )
    .unwrap();
    assert_eq!(v.steps().len(), 3);
    assert!(v.inspections().is_empty());
}

#[test]
fn golang_super_layout_fails_unsigned_and_expired() {
    let links = crate::common::load_dir(&testdata("intoto/in-toto-golang"));
    let m = Metadata::from_slice(&links["super.layout"]).unwrap();
    let r = LayoutVerifier::new(now(), &links).verify(&m, &[golang_key("alice.pub")]);
    assert!(matches!(r, Err(Error::LayoutSignature { .. })), "{r:?}");
    // Its step's link is a signed sublayout.
    let sub = Metadata::from_slice(&links["sub_layout.70ca5750.link"]).unwrap();
    assert!(matches!(sub.payload(), Payload::Layout(_)));
    let lay = m.as_layout().unwrap();
    let fk = &lay.keys["70ca5750c2eda80b18f41f4ec5f92146789b5d68dd09577be422a0159bd13680"];
    sub.verify_signature(&fk.keyid, &fk.key, &RUSTCRYPTO)
        .unwrap();
}

#[test]
fn golang_links_verify_with_their_layout_keys() {
    let links = crate::common::load_dir(&testdata("intoto/in-toto-golang"));
    let layout = Metadata::from_slice(&links["demo.layout"]).unwrap();
    let keys = &layout.as_layout().unwrap().keys;
    for (file, keyid) in [
        (
            "write-code.b7d643de.link",
            "b7d643dec0a051096ee5d87221b5d91a33daa658699d30903e1cefb90c418401",
        ),
        (
            "package.d3ffd108.link",
            "d3ffd1086938b3698618adf088bf14b13db4c8ae19e4e78d73da49ee88492710",
        ),
        (
            "foo.b7d643de.link",
            "b7d643dec0a051096ee5d87221b5d91a33daa658699d30903e1cefb90c418401",
        ),
        (
            "foo.d3ffd108.link",
            "d3ffd1086938b3698618adf088bf14b13db4c8ae19e4e78d73da49ee88492710",
        ),
    ] {
        let m = Metadata::from_slice(&links[file]).unwrap();
        m.verify_signature(&KeyId::new(keyid), &keys[keyid].key, &RUSTCRYPTO)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let other = if keyid.starts_with("b7") {
            "d3ffd1086938b3698618adf088bf14b13db4c8ae19e4e78d73da49ee88492710"
        } else {
            "b7d643dec0a051096ee5d87221b5d91a33daa658699d30903e1cefb90c418401"
        };
        assert!(m
            .verify_signature(&KeyId::new(other), &keys[other].key, &RUSTCRYPTO)
            .is_err());
    }
    // The unsigned canonical-test link parses (a metablock without signatures).
    let m = Metadata::from_slice(&links["canonical-test.link"]).unwrap();
    assert!(m.as_link().is_some());
}

/// The golang keys: RSA, Ed25519, P-384 supported; P-224 and secp256k1 refused; P-521 too
/// (supply-sig has no P-521).
#[test]
fn golang_key_files() {
    use supply_sig::key::encoding::pem::public_key_from_pem;
    for ok in ["alice.pub", "dan.pub", "carol.pub", "grace.pub"] {
        public_key_from_pem(&read(&format!("intoto/in-toto-golang/{ok}")))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for refused in ["heidi.pub", "erin.pub"] {
        assert!(
            public_key_from_pem(&read(&format!("intoto/in-toto-golang/{refused}"))).is_err(),
            "{refused}"
        );
    }
}

fn python_demo_keys() -> BTreeMap<&'static str, SslibKey> {
    ["alice", "bob", "carl"]
        .into_iter()
        .map(|n| {
            (
                n,
                pem_key(&testdata(&format!(
                    "intoto/in-toto-python/demo_files/{n}.pub"
                ))),
            )
        })
        .collect()
}

/// The python demo: the template is unsigned, so we sign it (with a key of our own: RSA
/// signing needs the aws-lc backend) after setting `expires` and replacing the inspection's
/// `python ./scripts/tar` by `tar xzf`, then verify the chain with its signed links, in both
/// envelopes.
#[test]
fn python_demo_chain_verifies() {
    use supply_sig::key::{KeyAlgorithm, PrivateKey};
    use supply_sig::sign::KeySigner;
    let layout_key = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&layout_key, &RUSTCRYPTO).unwrap();
    let pubkey = SslibKey::new(
        layout_key.public_key().clone(),
        supply_sig::sign::Signer::scheme(&signer),
    )
    .unwrap();
    for dir in ["demo_files", "demo_dsse_files"] {
        let tmp = crate::common::copy_to_temp(&testdata(&format!("intoto/in-toto-python/{dir}")));
        std::fs::copy(
            testdata("intoto/in-toto-python/demo_files/foo.tar.gz"),
            tmp.path().join("foo.tar.gz"),
        )
        .unwrap();
        // The template's unsigned layout: the metablock's `signed`, or the DSSE payload.
        // It has no `expires` (the upstream tests add it), which we require.
        let template: serde_json::Value = serde_json::from_slice(&read(&format!(
            "intoto/in-toto-python/{dir}/demo.layout.template"
        )))
        .unwrap();
        let mut unsigned: serde_json::Value = match template.get("payload") {
            Some(p) => {
                use base64::Engine as _;
                serde_json::from_slice(
                    &base64::engine::general_purpose::STANDARD
                        .decode(p.as_str().unwrap())
                        .unwrap(),
                )
                .unwrap()
            }
            None => template["signed"].clone(),
        };
        unsigned["expires"] = "2030-01-01T00:00:00Z".into();
        unsigned["inspect"][0]["run"] = serde_json::json!(["tar", "xzf", "foo.tar.gz"]);
        let layout: supply_intoto::model::Layout = serde_json::from_value(unsigned).unwrap();
        let payload = Payload::Layout(Box::new(layout));
        let signed = if dir == "demo_files" {
            Metadata::sign_metablock(&payload, &[&signer]).unwrap()
        } else {
            Metadata::sign_dsse(&payload, &[&signer]).unwrap()
        };
        std::fs::write(tmp.path().join("root.layout"), signed.raw()).unwrap();
        let v = crate::common::verify_in(tmp.path(), "root.layout", std::slice::from_ref(&pubkey))
            .unwrap_or_else(|e| panic!("{dir}: {e:?}"));
        assert_eq!(v.steps().len(), 2, "{dir}");
        // The wrong key fails.
        let r = crate::common::verify_in(
            tmp.path(),
            "root.layout",
            &[python_demo_keys()["alice"].clone()],
        );
        assert!(matches!(r, Err(Error::LayoutSignature { .. })), "{dir}");
    }
}

/// Legacy key ids (with keyid_hash_algorithms, PEM without its final newline) of the python
/// demo keys, as the MANIFEST gives them, come out of the layout's `keys` map, never recomputed.
#[test]
fn python_demo_links_verify_with_legacy_keyids() {
    let t: serde_json::Value = serde_json::from_slice(&read(
        "intoto/in-toto-python/demo_files/demo.layout.template",
    ))
    .unwrap();
    let keys = t["signed"]["keys"].as_object().unwrap();
    for (file, keyid) in [
        (
            "write-code.776a00e2.link",
            "776a00e29f3559e0141b3b096f696abc6cfb0c657ab40f441132b345b08453f5",
        ),
        (
            "package.2f89b927.link",
            "2f89b9272acfc8f4a0a0f094d789fdb0ba798b0fe41f2f5f417c12f0085ff498",
        ),
    ] {
        let key = SslibKey::from_value(&keys[keyid]).unwrap();
        assert_eq!(key.key_id().unwrap().as_str(), keyid);
        for dir in ["demo_files", "demo_dsse_files"] {
            let m = Metadata::from_slice(&read(&format!("intoto/in-toto-python/{dir}/{file}")))
                .unwrap();
            assert_eq!(m.is_dsse(), dir == "demo_dsse_files");
            m.verify_signature(&KeyId::new(keyid), &key, &RUSTCRYPTO)
                .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
        }
    }
    // foo.tar.gz is the package product.
    let m = Metadata::from_slice(&read(
        "intoto/in-toto-python/demo_files/package.2f89b927.link",
    ))
    .unwrap();
    let want = supply_sig::digest::Algorithm::Sha256
        .digest(&read("intoto/in-toto-python/demo_files/foo.tar.gz"))
        .hex();
    assert_eq!(
        m.as_link().unwrap().products["foo.tar.gz"]
            .get("sha256")
            .unwrap(),
        want
    );
    // danny: an ed25519 securesystemslib JSON key with its legacy key id.
    let danny = SslibKey::from_json(&read("intoto/in-toto-python/demo_files/danny.pub")).unwrap();
    assert_eq!(
        danny.key_id().unwrap().as_str(),
        "36a5529f72cf3b1cc096a28887350969212f9d6c46529658ab186fc0cb781699"
    );
}

/// The DSSE vectors that concern in-toto: a Statement is not a layout or link (refused as
/// metadata), and the payload type is authenticated.
#[test]
fn dsse_vectors_that_are_not_layouts_are_refused() {
    let r = Metadata::from_slice(&read("intoto/dsse/ed25519-statement.envelope.json"));
    assert!(r.is_err());
    let r = Metadata::from_slice(&read("intoto/dsse/spec-p256.envelope.json"));
    assert!(
        matches!(
            r,
            Err(supply_intoto::metadata::Error::WrongPayloadType { .. })
        ),
        "{r:?}"
    );
}
