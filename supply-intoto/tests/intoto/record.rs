//! Link generation and signing: what we record and sign verifies, in both envelopes.

use supply_intoto::metadata::{Metadata, Payload};
use supply_intoto::model::{Inspection, Layout, Step};
use supply_intoto::record::{self, RecordOptions, SymlinkPolicy};
use supply_intoto::rule::ArtifactRule;
use supply_sig::key::KeyAlgorithm;
use supply_sig::time::Timestamp;

use crate::attacks::party;
use crate::common::verify_in;

#[test]
fn recorded_chain_verifies_in_both_envelopes() {
    for dsse in [false, true] {
        let dir = supply_testkit::tempdir();
        let owner = party(KeyAlgorithm::EcdsaP256);
        let dev = party(KeyAlgorithm::Ed25519);
        let sign = |p: &Payload, s: &dyn supply_sig::sign::Signer| {
            if dsse {
                Metadata::sign_dsse(p, &[s]).unwrap()
            } else {
                Metadata::sign_metablock(p, &[s]).unwrap()
            }
        };
        std::fs::write(dir.path().join("foo.py"), "print(1)\n").unwrap();
        let opts = RecordOptions::default()
            .with_exclude("*.link")
            .with_exclude("root.layout");
        let l = record::run::<&str>("write", dir.path(), &[], &["."], &[], &opts).unwrap();
        assert_eq!(l.products.keys().collect::<Vec<_>>(), ["foo.py"]);
        let cmd: Vec<String> = ["cp", "foo.py", "bar.py"].map(String::from).to_vec();
        let l2 = record::run("copy", dir.path(), &["foo.py"], &["."], &cmd, &opts).unwrap();
        assert_eq!(l2.return_value(), Some(0));
        let mut layout = Layout::new(Timestamp::from_civil(2030, 1, 1, 0, 0, 0).unwrap());
        let id = layout.add_key(dev.key.clone()).unwrap();
        layout = layout
            .with_step(
                Step::new("write")
                    .with_pubkey(id.as_str())
                    .with_product_rule(ArtifactRule::Create("foo.py".into()))
                    .with_product_rule(ArtifactRule::Disallow("*".into())),
            )
            .with_step(
                Step::new("copy")
                    .with_pubkey(id.as_str())
                    .with_expected_command(cmd.clone())
                    .with_material_rule(
                        ArtifactRule::parse(&["MATCH", "*", "WITH", "PRODUCTS", "FROM", "write"])
                            .unwrap(),
                    )
                    .with_material_rule(ArtifactRule::Disallow("*".into()))
                    .with_product_rule(ArtifactRule::Create("bar.py".into()))
                    .with_product_rule(ArtifactRule::Allow("foo.py".into()))
                    .with_product_rule(ArtifactRule::Disallow("*".into())),
            )
            .with_inspection(
                Inspection::new("check", ["cat", "bar.py"])
                    .with_material_rule(
                        ArtifactRule::parse(&[
                            "MATCH", "bar.py", "WITH", "PRODUCTS", "FROM", "copy",
                        ])
                        .unwrap(),
                    )
                    .with_material_rule(ArtifactRule::Disallow("bar.py".into())),
            );
        for l in [&l, &l2] {
            let m = sign(&Payload::Link(Box::new(l.clone())), &dev.signer);
            std::fs::write(
                dir.path()
                    .join(format!("{}.{}.link", l.name, &id.as_str()[..8])),
                m.raw(),
            )
            .unwrap();
        }
        let m = sign(&Payload::Layout(Box::new(layout)), &owner.signer);
        assert_eq!(m.is_dsse(), dsse);
        std::fs::write(dir.path().join("root.layout"), m.raw()).unwrap();
        let v = verify_in(dir.path(), "root.layout", std::slice::from_ref(&owner.key)).unwrap();
        assert!(v.warnings().is_empty(), "{:?}", v.warnings());
        // A modified product fails the inspection's MATCH.
        std::fs::write(dir.path().join("bar.py"), "print(2)\n").unwrap();
        let r = verify_in(dir.path(), "root.layout", std::slice::from_ref(&owner.key));
        assert!(
            matches!(r, Err(supply_intoto::verify::Error::Disallowed { ref item, .. }) if item == "check"),
            "{r:?}"
        );
    }
}

#[test]
fn golang_line_ending_files_hash_equal_when_normalized() {
    let dir = supply_testkit::testdata("intoto/in-toto-golang");
    let names = [
        "line-ending-linux",
        "line-ending-macos",
        "line-ending-windows",
        "line-ending-mixed",
    ];
    let norm = record::record_artifacts(
        &dir,
        &names,
        &RecordOptions::default().with_normalized_line_endings(true),
    )
    .unwrap();
    let raw = record::record_artifacts(&dir, &names, &RecordOptions::default()).unwrap();
    for n in names {
        assert_eq!(norm[n], norm["line-ending-linux"], "{n}");
    }
    assert_ne!(raw["line-ending-windows"], raw["line-ending-linux"]);
    assert_eq!(raw["line-ending-linux"], norm["line-ending-linux"]);
}

#[cfg(unix)]
#[test]
fn symlink_policies() {
    let dir = supply_testkit::tempdir();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("d/f"), "x").unwrap();
    std::os::unix::fs::symlink("d/f", dir.path().join("lf")).unwrap();
    std::os::unix::fs::symlink("d", dir.path().join("ld")).unwrap();
    let rec = |p: SymlinkPolicy| {
        record::record_artifacts(
            dir.path(),
            &["."],
            &RecordOptions::default().with_symlinks(p),
        )
    };
    let keys = |p| rec(p).unwrap().into_keys().collect::<Vec<_>>();
    assert_eq!(keys(SymlinkPolicy::FollowFiles), ["d/f", "lf"]);
    assert_eq!(keys(SymlinkPolicy::FollowAll), ["d/f", "ld/f", "lf"]);
    assert_eq!(keys(SymlinkPolicy::Skip), ["d/f"]);
    assert!(matches!(
        rec(SymlinkPolicy::Refuse),
        Err(record::Error::Symlink { .. })
    ));
    let stripped = record::record_artifacts(
        dir.path(),
        &["d"],
        &RecordOptions::default().with_lstrip_path("d/"),
    )
    .unwrap();
    assert_eq!(stripped.into_keys().collect::<Vec<_>>(), ["f"]);
}

/// `add_signatures` keeps the signed bytes: a second signer adds to the first, in both
/// envelopes, and re-signing with the same key replaces its signature.
#[test]
fn add_signatures_keeps_existing_ones() {
    let a = party(KeyAlgorithm::Ed25519);
    let b = party(KeyAlgorithm::EcdsaP256);
    let layout = Layout::new(Timestamp::from_civil(2030, 1, 1, 0, 0, 0).unwrap());
    let payload = Payload::Layout(Box::new(layout));
    for dsse in [false, true] {
        let first = if dsse {
            Metadata::sign_dsse(&payload, &[&a.signer]).unwrap()
        } else {
            // Unusual whitespace in `signed` must survive (the signature covers its canonical form
            // either way, but the bytes are kept).
            let m = Metadata::sign_metablock(&payload, &[&a.signer]).unwrap();
            let text = String::from_utf8(m.raw().to_vec())
                .unwrap()
                .replace("\"signed\":{", "\"signed\": {\n ");
            Metadata::from_slice(text.as_bytes()).unwrap()
        };
        let both = first.add_signatures(&[&b.signer]).unwrap();
        let again = both.add_signatures(&[&b.signer]).unwrap();
        for m in [&both, &again] {
            for p in [&a, &b] {
                m.verify_signature(
                    &p.key.key_id().unwrap(),
                    &p.key,
                    &supply_sig::crypto::RUSTCRYPTO,
                )
                .unwrap();
            }
        }
        let count = |m: &Metadata| match m.envelope() {
            supply_intoto::metadata::Envelope::Metablock { signatures, .. } => signatures.len(),
            supply_intoto::metadata::Envelope::Dsse(e) => e.signatures.len(),
            _ => 0,
        };
        assert_eq!((count(&both), count(&again)), (2, 2));
        if !dsse {
            // The span of `signed` starts at its `{`, so the whitespace inside it survives.
            assert!(String::from_utf8_lossy(both.raw()).contains("\"signed\":{\n "));
        }
    }
}
