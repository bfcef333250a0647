//! `supply in-toto`: verify the generated cases, and a round trip of `run`, `record`, `sign`
//! and `verify` with the test data's keys.

use std::path::Path;

use supply_intoto::model::{Layout, Step};
use supply_intoto::rule::ArtifactRule;
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyAlgorithm;
use supply_sig::sign::SignatureScheme;
use supply_sig::time::Timestamp;
use supply_testkit::{run, tempdir, testdata};

use crate::{ok, refused, supply};

fn key(name: &str) -> String {
    testdata(&format!("intoto/generated/keys/{name}"))
        .display()
        .to_string()
}

fn copy_case(case: &str, dst: &Path) {
    let src = testdata(&format!("intoto/generated/{case}"));
    fn copy(src: &Path, dst: &Path) {
        std::fs::create_dir_all(dst).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &dst.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
            }
        }
    }
    copy(&src, dst);
}

fn verify(dir: &Path, keys: &[&str], extra: &[&str]) -> std::process::Output {
    let mut c = supply(dir);
    c.args(["in-toto", "verify", "--layout", "root.layout"]);
    for k in keys {
        c.args(["--layout-key", &key(k)]);
    }
    c.args(extra);
    run(&mut c)
}

#[test]
fn verify_generated_cases() {
    let d = tempdir();
    copy_case("demo-metablock", d.path());
    let out = String::from_utf8(ok(
        verify(d.path(), &["alice.pub"], &[]),
        "verify demo-metablock",
    ))
    .unwrap();
    assert!(out.starts_with("PASS: 2 step(s), 1 inspection(s)"), "{out}");
    refused(
        &verify(d.path(), &["bob.pub"], &[]),
        "verify with the wrong key",
    );
    // Without running inspections, a layout with inspections fails closed.
    let out = verify(d.path(), &["alice.pub"], &["--no-inspections"]);
    refused(&out, "verify --no-inspections");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no inspection runner"));
    let d = tempdir();
    copy_case("demo-no-inspection", d.path());
    ok(
        verify(d.path(), &["alice.pub"], &["--no-inspections"]),
        "demo-no-inspection",
    );
    let d = tempdir();
    copy_case("sublayout", d.path());
    let out = verify(d.path(), &["alice.pub"], &[]);
    ok(out.clone(), "sublayout");
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: step \"sub\""));
    for case in [
        "fail-tampered-link",
        "fail-match-rule",
        "fail-expired-layout",
    ] {
        let d = tempdir();
        copy_case(case, d.path());
        refused(&verify(d.path(), &["alice.pub"], &[]), case);
    }
    // The link directory may be elsewhere.
    let d = tempdir();
    copy_case("demo-dsse", d.path());
    let links = tempdir();
    for e in std::fs::read_dir(d.path()).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().ends_with(".link") {
            std::fs::rename(e.path(), links.path().join(e.file_name())).unwrap();
        }
    }
    refused(&verify(d.path(), &["alice.pub"], &[]), "links missing");
    ok(
        verify(
            d.path(),
            &["alice.pub"],
            &["--link-dir", links.path().to_str().unwrap()],
        ),
        "--link-dir",
    );
}

fn sslib(name: &str) -> SslibKey {
    let k = public_key_from_pem(&std::fs::read(key(name)).unwrap()).unwrap();
    let scheme = match k.algorithm() {
        KeyAlgorithm::Rsa => SignatureScheme::RsaPssSha256,
        a => a.default_scheme(),
    };
    SslibKey::new(k, scheme).unwrap()
}

#[test]
fn run_record_sign_verify_round_trip() {
    let d = tempdir();
    let p = d.path();
    std::fs::create_dir(p.join("src")).unwrap();
    std::fs::write(p.join("src/foo.py"), "print(1)\n").unwrap();
    let ed = key("ed25519_private_unencrypted.pem");
    let ec = key("ecdsa_private_unencrypted.pem");
    // `clone` records src/ with no command; `package` runs tar (DSSE); `update` records around
    // an edit.
    ok(
        run(supply(p).args([
            "in-toto",
            "run",
            "-n",
            "clone",
            "--signing-key",
            &ed,
            "-p",
            "src",
            "-x",
        ])),
        "run clone",
    );
    ok(
        run(supply(p).args([
            "in-toto",
            "record",
            "start",
            "-n",
            "update",
            "--signing-key",
            &ed,
            "-m",
            "src",
        ])),
        "record start",
    );
    std::fs::write(p.join("src/foo.py"), "print(2)\n").unwrap();
    ok(
        run(supply(p).args([
            "in-toto",
            "record",
            "stop",
            "-n",
            "update",
            "--signing-key",
            &ed,
            "-p",
            "src",
        ])),
        "record stop",
    );
    ok(
        run(supply(p).args([
            "in-toto",
            "run",
            "-n",
            "package",
            "--signing-key",
            &ec,
            "--use-dsse",
            "-m",
            "src",
            "-p",
            "out.tar",
            "--",
            "tar",
            "-cf",
            "out.tar",
            "src",
        ])),
        "run package",
    );
    // A second run refuses to overwrite the link.
    refused(
        &run(supply(p).args([
            "in-toto",
            "run",
            "-n",
            "clone",
            "--signing-key",
            &ed,
            "-p",
            "src",
            "-x",
        ])),
        "overwrite",
    );

    let rule = |w: &[&str]| ArtifactRule::parse(w).unwrap();
    let mut layout = Layout::new(Timestamp::from_civil(2035, 1, 1, 0, 0, 0).unwrap());
    let ed_id = layout.add_key(sslib("ed25519_public.pem")).unwrap();
    let ec_id = layout.add_key(sslib("ecdsa_public.pem")).unwrap();
    layout = layout
        .with_step(
            Step::new("clone")
                .with_pubkey(ed_id.as_str())
                .with_product_rule(rule(&["CREATE", "src/*"]))
                .with_product_rule(rule(&["DISALLOW", "*"])),
        )
        .with_step(
            Step::new("update")
                .with_pubkey(ed_id.as_str())
                .with_material_rule(rule(&[
                    "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "IN", "src", "FROM", "clone",
                ]))
                .with_material_rule(rule(&["DISALLOW", "*"]))
                .with_product_rule(rule(&["MODIFY", "src/foo.py"]))
                .with_product_rule(rule(&["DISALLOW", "*"])),
        )
        .with_step(
            Step::new("package")
                .with_pubkey(ec_id.as_str())
                .with_expected_command(["tar", "-cf", "out.tar", "src"])
                .with_material_rule(rule(&[
                    "MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "update",
                ]))
                .with_material_rule(rule(&["DISALLOW", "*"]))
                .with_product_rule(rule(&["CREATE", "out.tar"]))
                .with_product_rule(rule(&["DISALLOW", "*"])),
        );
    let unsigned = format!(
        "{{\"signed\":{},\"signatures\":[]}}",
        serde_json::to_string(&layout).unwrap()
    );
    std::fs::write(p.join("root.layout.unsigned"), unsigned).unwrap();
    ok(
        run(supply(p).args([
            "in-toto",
            "sign",
            "-f",
            "root.layout.unsigned",
            "-k",
            &key("rsa_private_unencrypted.pem"),
            &ec,
            "-o",
            "root.layout",
        ])),
        "sign",
    );
    let out = ok(
        verify(p, &["rsa_public.pem", "ecdsa_public.pem"], &[]),
        "verify",
    );
    assert!(String::from_utf8(out).unwrap().contains("3 step(s)"));
    refused(
        &verify(p, &["ed25519_public.pem"], &[]),
        "not a layout signer",
    );
    // A product changed after `update`: the package link no longer matches.
    std::fs::write(p.join("src/foo.py"), "print(3)\n").unwrap();
    ok(
        verify(p, &["ecdsa_public.pem"], &[]),
        "artifacts on disk are not checked without inspections",
    );
    let upd = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("update.")
        })
        .unwrap();
    let text = std::fs::read_to_string(&upd)
        .unwrap()
        .replacen("src/foo.py", "src/fo0.py", 1);
    std::fs::write(&upd, text).unwrap();
    refused(
        &verify(p, &["ecdsa_public.pem"], &[]),
        "tampered update link",
    );
}

/// A functionary identified by an x509 certificate, end to end through the CLI as
/// in-toto-golang does it: `in-toto run --cert` carries the certificate in the link's signature,
/// and `in-toto verify` authorizes the link by the layout's `rootcas` and the step's
/// `cert_constraints` although its key is not in the layout. The same link is refused when its
/// certificate chains to another root, or when the certificate's subject does not meet the
/// constraint.
#[test]
fn certificate_functionary_links_through_the_cli() {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType,
    };
    fn ca(cn: &str) -> (rcgen::Certificate, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        p.not_before = rcgen::date_time_ymd(2025, 1, 1);
        p.not_after = rcgen::date_time_ymd(2035, 1, 1);
        (p.self_signed(&key).unwrap(), key)
    }
    /// A leaf for `cn` under `ca`: (certificate PEM, private key PEM).
    fn leaf(cn: &str, ca: &(rcgen::Certificate, KeyPair)) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.subject_alt_names = vec![SanType::URI(
            "spiffe://example.com/build".try_into().unwrap(),
        )];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.not_before = rcgen::date_time_ymd(2025, 1, 1);
        p.not_after = rcgen::date_time_ymd(2035, 1, 1);
        let cert = p.signed_by(&key, &ca.0, &ca.1).unwrap();
        (cert.pem(), key.serialize_pem())
    }
    let d = tempdir();
    let p = d.path();
    let root = ca("build root");
    let rogue = ca("rogue root");
    let owner = KeyPair::generate().unwrap();
    std::fs::write(p.join("owner.key"), owner.serialize_pem()).unwrap();
    std::fs::write(p.join("owner.pub"), owner.public_key_pem()).unwrap();
    // The layout: step `build`, no listed keys, authorized by certificate under `root`.
    let layout = serde_json::json!({"signatures": [], "signed": {
        "_type": "layout", "expires": "2035-01-01T00:00:00Z", "readme": "", "keys": {},
        "rootcas": {"root": {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256",
            "keyval": {"public": "", "certificate": root.0.pem()}}},
        "intermediatecas": {},
        "steps": [{"_type": "step", "name": "build", "pubkeys": [], "threshold": 1,
            "expected_command": [], "expected_materials": [],
            "expected_products": [["ALLOW", "out.txt"], ["DISALLOW", "*"]],
            "cert_constraints": [{"common_name": "build.example.com", "dns_names": [],
                "emails": [], "organizations": ["*"], "roots": ["*"],
                "uris": ["spiffe://example.com/build"]}]}],
        "inspect": []}});
    std::fs::write(p.join("layout.json"), layout.to_string()).unwrap();
    ok(
        run(supply(p).args([
            "in-toto",
            "sign",
            "-f",
            "layout.json",
            "-k",
            "owner.key",
            "-o",
            "root.layout",
        ])),
        "sign the layout",
    );
    std::fs::write(p.join("out.txt"), "built\n").unwrap();
    // Runs `build` with `key_file`/`cert_file` into `links/`, then verifies with those links.
    let attempt = |name: &str, cert: (String, String)| {
        let links = p.join(format!("links-{name}"));
        std::fs::create_dir(&links).unwrap();
        std::fs::write(p.join(format!("{name}.pem")), &cert.0).unwrap();
        std::fs::write(p.join(format!("{name}.key")), &cert.1).unwrap();
        ok(
            run(supply(p).args([
                "in-toto",
                "run",
                "-n",
                "build",
                "--signing-key",
                &format!("{name}.key"),
                "--cert",
                &format!("{name}.pem"),
                "-d",
                links.to_str().unwrap(),
                "-p",
                "out.txt",
                "-x",
            ])),
            "run build --cert",
        );
        let link = std::fs::read_dir(&links)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&link).unwrap()).unwrap();
        assert_eq!(doc["signatures"][0]["cert"], cert.0.as_str(), "{name}");
        run(supply(p).args([
            "in-toto",
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            "owner.pub",
            "--link-dir",
            links.to_str().unwrap(),
        ]))
    };
    ok(
        attempt("good", leaf("build.example.com", &root)),
        "verify the certified link",
    );
    let out = attempt("rogue", leaf("build.example.com", &rogue));
    refused(&out, "a certificate under another root");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not chain to the layout's roots"),
        "{err}"
    );
    let out = attempt("other-cn", leaf("test.example.com", &root));
    refused(&out, "a certificate whose subject misses the constraint");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("common name \"test.example.com\" is not allowed"),
        "{err}"
    );
    // A certificate cannot ride on a DSSE link.
    refused(
        &run(supply(p).args([
            "in-toto",
            "run",
            "-n",
            "build",
            "--signing-key",
            "good.key",
            "--cert",
            "good.pem",
            "--use-dsse",
            "-p",
            "out.txt",
            "-x",
        ])),
        "--cert with --use-dsse",
    );
}
