//! Two-way interop with in-toto python (PyPI in-toto 3.1.0, `.peers/venv`): it records links
//! and signs a layout that we verify; we record and sign layouts and links (new-style key ids)
//! that `in-toto-verify` accepts, and tampered ones it rejects; both sides give the same
//! verdicts. A missing peer fails the test under `CI`.

use std::path::{Path, PathBuf};
use std::process::Command;

use supply_intoto::metadata::{Metadata, Payload};
use supply_intoto::model::{Inspection, Layout, Step};
use supply_intoto::record::{self, RecordOptions};
use supply_intoto::rule::ArtifactRule;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::pem::private_key_from_pem;
use supply_sig::sign::{KeySigner, Signer};
use supply_sig::time::Timestamp;
use supply_testkit::testdata;

use crate::common::{pem_key, verify_in};

fn key_file(name: &str) -> PathBuf {
    testdata(&format!("intoto/generated/keys/{name}"))
}

fn peer(name: &str, home: &Path) -> Option<Command> {
    let p = supply_testkit::peer(name)?;
    let mut c = supply_testkit::peer_command(&p, home);
    c.env("PYTHONDONTWRITEBYTECODE", "1");
    Some(c)
}

fn strict_layout(expires: Timestamp, write_id: &str, package_id: &str) -> Layout {
    let rule = |w: &[&str]| ArtifactRule::parse(w).unwrap();
    Layout::new(expires)
        .with_step(
            Step::new("write-code")
                .with_pubkey(write_id)
                .with_product_rule(rule(&["CREATE", "foo.py"]))
                .with_product_rule(rule(&["DISALLOW", "*"])),
        )
        .with_step(
            Step::new("package")
                .with_pubkey(package_id)
                .with_expected_command(["tar", "-cf", "foo.tar", "foo.py"])
                .with_material_rule(rule(&[
                    "MATCH",
                    "foo.py",
                    "WITH",
                    "PRODUCTS",
                    "FROM",
                    "write-code",
                ]))
                .with_material_rule(rule(&["DISALLOW", "*"]))
                .with_product_rule(rule(&["CREATE", "foo.tar"]))
                .with_product_rule(rule(&["ALLOW", "foo.py"]))
                .with_product_rule(rule(&["DISALLOW", "*"])),
        )
        .with_inspection(
            Inspection::new("untar", ["tar", "xf", "foo.tar"])
                .with_material_rule(rule(&[
                    "MATCH", "foo.tar", "WITH", "PRODUCTS", "FROM", "package",
                ]))
                .with_material_rule(rule(&["DISALLOW", "foo.tar"]))
                .with_material_rule(rule(&["ALLOW", "*"]))
                .with_product_rule(rule(&[
                    "MATCH",
                    "foo.py",
                    "WITH",
                    "PRODUCTS",
                    "FROM",
                    "write-code",
                ]))
                .with_product_rule(rule(&["DISALLOW", "foo.py"]))
                .with_product_rule(rule(&["ALLOW", "*"])),
        )
}

fn expires() -> Timestamp {
    Timestamp::from_civil(2035, 1, 1, 0, 0, 0).unwrap()
}

fn python_verify(dir: &Path, home: &Path, keys: &[&str]) -> Option<bool> {
    let mut c = peer("in-toto-verify", home)?;
    c.current_dir(dir)
        .arg("-l")
        .arg("root.layout")
        .arg("--verification-keys");
    for k in keys {
        c.arg(key_file(k));
    }
    let out = supply_testkit::run(&mut c);
    Some(out.status.success())
}

/// in-toto python records the links (metablock and DSSE) and signs the layout we wrote; we
/// verify the chain, and both sides reject a tampered link.
#[test]
fn we_verify_what_in_toto_python_writes() {
    for dsse in [false, true] {
        let dir = supply_testkit::tempdir();
        let home = supply_testkit::tempdir();
        let d = dir.path();
        std::fs::write(d.join("foo.py"), "print('hello')\n").unwrap();
        let bob = pem_key(&key_file("bob.pub"));
        let carl = pem_key(&key_file("carl.pub"));
        // Our new-style key ids are in-toto 3.x's (generated/MANIFEST.md).
        let (bob_id, carl_id) = (bob.key_id().unwrap(), carl.key_id().unwrap());
        assert!(bob_id.as_str().starts_with("210dcc50"));
        assert!(carl_id.as_str().starts_with("be06db20"));
        let Some(mut run) = peer("in-toto-run", home.path()) else {
            return;
        };
        run.current_dir(d)
            .args(["-n", "write-code", "--signing-key"])
            .arg(key_file("bob"))
            .args(["-p", "foo.py", "-x"]);
        if dsse {
            run.arg("--use-dsse");
        }
        supply_testkit::run_ok(&mut run);
        let mut run = peer("in-toto-run", home.path()).unwrap();
        run.current_dir(d)
            .args(["-n", "package", "--signing-key"])
            .arg(key_file("carl"))
            .args(["-m", "foo.py", "-p", "foo.tar"]);
        if dsse {
            run.arg("--use-dsse");
        }
        run.args(["--", "tar", "-cf", "foo.tar", "foo.py"]);
        supply_testkit::run_ok(&mut run);

        let mut layout = strict_layout(expires(), bob_id.as_str(), carl_id.as_str());
        layout.add_key(bob.clone()).unwrap();
        layout.add_key(carl.clone()).unwrap();
        let unsigned = format!(
            "{{\"signatures\":[],\"signed\":{}}}",
            serde_json::to_string(&layout).unwrap()
        );
        std::fs::write(d.join("root.layout.unsigned"), unsigned).unwrap();
        let mut sign = peer("in-toto-sign", home.path()).unwrap();
        sign.current_dir(d)
            .args(["-f", "root.layout.unsigned", "-k"])
            .arg(key_file("alice"))
            .args(["-o", "root.layout"]);
        supply_testkit::run_ok(&mut sign);
        std::fs::remove_file(d.join("root.layout.unsigned")).unwrap();

        let alice = pem_key(&key_file("alice.pub"));
        let ours = verify_in(d, "root.layout", std::slice::from_ref(&alice));
        assert!(ours.is_ok(), "dsse={dsse}: {ours:?}");
        assert_eq!(
            python_verify(d, home.path(), &["alice.pub"]),
            Some(true),
            "dsse={dsse}"
        );

        // Tamper with the package link's product: both sides reject.
        let link_path = d.join(format!("package.{}.link", &carl_id.as_str()[..8]));
        let text = std::fs::read_to_string(&link_path).unwrap();
        let m = Metadata::from_slice(text.as_bytes()).unwrap();
        let h = m.as_link().unwrap().products["foo.tar"]
            .get("sha256")
            .unwrap()
            .to_owned();
        let tampered = if dsse {
            // Re-encode the payload with the hash zeroed, keeping the signature.
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD;
            let mut env: serde_json::Value = serde_json::from_str(&text).unwrap();
            let payload =
                String::from_utf8(b64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
            env["payload"] = b64.encode(payload.replace(&h, &"0".repeat(64))).into();
            serde_json::to_string(&env).unwrap()
        } else {
            text.replace(&h, &"0".repeat(64))
        };
        std::fs::write(&link_path, tampered).unwrap();
        let ours = verify_in(d, "root.layout", std::slice::from_ref(&alice));
        assert!(
            matches!(
                ours,
                Err(supply_intoto::verify::Error::ThresholdNotMet { .. })
            ),
            "dsse={dsse}: {ours:?}"
        );
        assert_eq!(
            python_verify(d, home.path(), &["alice.pub"]),
            Some(false),
            "dsse={dsse}"
        );
    }
}

fn signer(name: &str) -> KeySigner {
    let k = private_key_from_pem(&std::fs::read(key_file(name)).unwrap(), None).unwrap();
    KeySigner::with_default_scheme(&k, &RUSTCRYPTO).unwrap()
}

/// We record the links and sign the layout (ECDSA P-256 layout key, Ed25519 and ECDSA
/// functionaries, new-style key ids) in both envelopes; `in-toto-verify` accepts them, and
/// rejects a tampered link, a tampered layout and a wrong layout key, as we do.
#[test]
fn in_toto_python_verifies_what_we_write() {
    for dsse in [false, true] {
        let dir = supply_testkit::tempdir();
        let home = supply_testkit::tempdir();
        let d = dir.path();
        let owner = signer("ecdsa_private_unencrypted.pem");
        let dev = signer("ed25519_private_unencrypted.pem");
        let packager = signer("ecdsa_private_unencrypted.pem");
        let sign = |p: &Payload, s: &dyn Signer| {
            if dsse {
                Metadata::sign_dsse(p, &[s]).unwrap()
            } else {
                Metadata::sign_metablock(p, &[s]).unwrap()
            }
        };
        std::fs::write(d.join("foo.py"), "print('hello')\n").unwrap();
        let write = record::run::<&str>(
            "write-code",
            d,
            &[],
            &["foo.py"],
            &[],
            &RecordOptions::default(),
        )
        .unwrap();
        let cmd: Vec<String> = ["tar", "-cf", "foo.tar", "foo.py"]
            .map(String::from)
            .to_vec();
        let package = record::run(
            "package",
            d,
            &["foo.py"],
            &["foo.tar"],
            &cmd,
            &RecordOptions::default(),
        )
        .unwrap();
        let dev_key = pem_key(&key_file("ed25519_public.pem"));
        let pkg_key = pem_key(&key_file("ecdsa_public.pem"));
        let mut layout = strict_layout(expires(), "", "");
        let dev_id = layout.add_key(dev_key).unwrap();
        let pkg_id = layout.add_key(pkg_key).unwrap();
        assert!(dev_id.as_str().starts_with("c6d8bf2e") && pkg_id.as_str().starts_with("50d7e110"));
        layout.steps[0].pubkeys = vec![dev_id.as_str().to_owned()];
        layout.steps[1].pubkeys = vec![pkg_id.as_str().to_owned()];
        let write_file = d.join(format!("write-code.{}.link", &dev_id.as_str()[..8]));
        let package_file = d.join(format!("package.{}.link", &pkg_id.as_str()[..8]));
        std::fs::write(
            &write_file,
            sign(&Payload::Link(Box::new(write)), &dev).raw(),
        )
        .unwrap();
        std::fs::write(
            &package_file,
            sign(&Payload::Link(Box::new(package.clone())), &packager).raw(),
        )
        .unwrap();
        let signed_layout = sign(&Payload::Layout(Box::new(layout)), &owner);
        std::fs::write(d.join("root.layout"), signed_layout.raw()).unwrap();

        let owner_key = pem_key(&key_file("ecdsa_public.pem"));
        let verdicts = |expect: bool, what: &str| {
            let ours = verify_in(d, "root.layout", std::slice::from_ref(&owner_key));
            assert_eq!(ours.is_ok(), expect, "dsse={dsse} {what}: {ours:?}");
            let Some(py) = python_verify(d, home.path(), &["ecdsa_public.pem"]) else {
                return;
            };
            assert_eq!(py, expect, "dsse={dsse} {what}: in-toto-verify");
        };
        verdicts(true, "as written");
        // The wrong layout key.
        assert!(!python_verify(d, home.path(), &["ed25519_public.pem"]).unwrap_or(false));
        assert!(verify_in(
            d,
            "root.layout",
            &[pem_key(&key_file("ed25519_public.pem"))]
        )
        .is_err());

        // A link for the same step with another product, signed by an unauthorized key.
        let mut forged = package.clone();
        forged.products.values_mut().for_each(|h| {
            h.insert("sha256", "0".repeat(64));
        });
        let good = std::fs::read(&package_file).unwrap();
        std::fs::write(
            &package_file,
            sign(&Payload::Link(Box::new(forged)), &dev).raw(),
        )
        .unwrap();
        verdicts(false, "forged link");
        std::fs::write(&package_file, good).unwrap();
        verdicts(true, "restored");

        // The layout's readme changed after signing.
        let raw = std::fs::read(d.join("root.layout")).unwrap();
        if !dsse {
            let t = String::from_utf8(raw.clone()).unwrap().replacen(
                "\"readme\":\"\"",
                "\"readme\":\"x\"",
                1,
            );
            std::fs::write(d.join("root.layout"), t).unwrap();
            verdicts(false, "tampered layout");
            std::fs::write(d.join("root.layout"), &raw).unwrap();
        }
        // The final product changed: the inspection's MATCH fails on both sides.
        std::fs::write(d.join("foo.tar"), b"not a tar").unwrap();
        verdicts(false, "tampered product");
    }
}
