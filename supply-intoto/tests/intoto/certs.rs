//! Functionaries identified by X.509 certificates (in-toto-golang's `rootcas`,
//! `intermediatecas` and `cert_constraints`): the golang test data's chain, and a PKI made per
//! test with rcgen for a whole layout verification and its negatives.

use std::collections::BTreeMap;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use serde_json::{json, Value};
use supply_intoto::certs::{self, Authorities, CertConstraint};
use supply_intoto::metadata::{signer_key_id, Metadata, Payload};
use supply_intoto::model::{Layout, Link, Step};
use supply_intoto::rule::ArtifactRule;
use supply_intoto::verify::{Error, LayoutVerifier};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::pem::private_key_from_pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::sign::{KeySigner, Signer};
use supply_sig::time::Timestamp;
use supply_sig::x509::{self, Certificate, LeafProfile};
use supply_testkit::testdata;

use crate::common::now;

fn golang(name: &str) -> Vec<u8> {
    std::fs::read(testdata(&format!("intoto/in-toto-golang/{name}"))).unwrap()
}

fn golang_cert(name: &str) -> Certificate {
    Certificate::from_pem(&golang(name)).unwrap()
}

/// The MANIFEST's x509 case: leaf → intermediate → root validates (at 2026-01-01, inside all
/// three validity periods), the intermediate is found in an unordered pool, and the path fails
/// without it, with the leaf as its own root, or after the certificates expire (2031-08-29).
#[test]
fn golang_chain_validates_leaf_intermediate_root() {
    let leaf = golang_cert("example.com.write-code.cert.pem");
    let inter = golang_cert("example.com.intermediate.cert.pem");
    let root = golang_cert("root.cert.pem");
    let chain = x509::verify_path(
        &leaf,
        &[root.clone(), inter.clone()],
        std::slice::from_ref(&root),
        now(),
        LeafProfile::DigitalSignature,
        &RUSTCRYPTO,
    )
    .unwrap();
    assert_eq!(chain, vec![inter.clone(), root.clone()]);
    let none = x509::verify_path(
        &leaf,
        &[],
        std::slice::from_ref(&root),
        now(),
        LeafProfile::DigitalSignature,
        &RUSTCRYPTO,
    );
    assert!(matches!(none, Err(x509::Error::NoPath { .. })), "{none:?}");
    // The intermediate is not self-signed: it cannot serve as a trust anchor.
    let as_root = x509::verify_path(
        &leaf,
        &[],
        std::slice::from_ref(&inter),
        now(),
        LeafProfile::DigitalSignature,
        &RUSTCRYPTO,
    );
    assert!(matches!(as_root, Err(x509::Error::NoRoot)), "{as_root:?}");
    let later = Timestamp::from_civil(2031, 9, 1, 0, 0, 0).unwrap();
    let expired = x509::verify_path(
        &leaf,
        std::slice::from_ref(&inter),
        std::slice::from_ref(&root),
        later,
        LeafProfile::DigitalSignature,
        &RUSTCRYPTO,
    );
    assert!(
        matches!(expired, Err(x509::Error::NotValidAt { position: 0, .. })),
        "{expired:?}"
    );
    // The leaf has no extKeyUsage: the Fulcio profile refuses it, the general one does not.
    assert!(leaf.check_leaf(LeafProfile::CodeSigning).is_err());
    let names = leaf.alt_names().unwrap();
    assert_eq!(names.uris, ["spiffe://example.com/write-code"]);
    assert!(names.dns_names.is_empty() && names.emails.is_empty());
    assert_eq!(
        leaf.subject_attribute(x509::OID_COMMON_NAME).unwrap(),
        ["write-code.example.com"]
    );
    assert_eq!(
        leaf.subject_attribute(x509::OID_ORGANIZATION).unwrap(),
        ["example"]
    );
}

/// golang `demo.layout`'s write-code constraints authorize the golang write-code certificate
/// through the layout's own `rootcas` and `intermediatecas`; changed constraints do not.
#[test]
fn golang_demo_layout_constraints_authorize_the_write_code_certificate() {
    let m = Metadata::from_slice(&golang("demo.layout")).unwrap();
    let layout = m.as_layout().unwrap();
    let cas = Authorities::from_layout(layout).unwrap();
    assert_eq!(cas.roots().len(), 1);
    let step = layout.step("write-code").unwrap();
    let constraints = certs::step_constraints(step).unwrap();
    assert_eq!(constraints.len(), 1);
    let pem = String::from_utf8(golang("example.com.write-code.cert.pem")).unwrap();
    let (key, root) = cas
        .authorize("write-code", &pem, &constraints, now(), &RUSTCRYPTO)
        .unwrap();
    assert_eq!(
        root,
        "da6360ef818d52b11f891132609f34907bd48521b33fc96927979b7fce876136"
    );
    assert_eq!(
        key.public_key(),
        golang_cert("example.com.write-code.cert.pem").public_key()
    );
    // The package step has no constraints: nothing is authorized by certificate there.
    assert!(certs::step_constraints(layout.step("package").unwrap())
        .unwrap()
        .is_empty());
    let mut other = constraints[0].clone();
    other.uris = vec!["spiffe://example.com/package".into()];
    let r = cas.authorize("write-code", &pem, &[other], now(), &RUSTCRYPTO);
    assert!(
        matches!(
            r,
            Err(certs::Error::ConstraintMismatch {
                attribute: "uri",
                ..
            })
        ),
        "{r:?}"
    );
    let mut other = constraints[0].clone();
    other.roots = vec!["0000".into()];
    let r = cas.authorize("write-code", &pem, &[other], now(), &RUSTCRYPTO);
    assert!(
        matches!(
            r,
            Err(certs::Error::ConstraintMismatch {
                attribute: "root",
                ..
            })
        ),
        "{r:?}"
    );
    // A wildcard constraint still requires the chain.
    let root_pem = String::from_utf8(golang("root.cert.pem")).unwrap();
    let r = cas.authorize(
        "write-code",
        &root_pem,
        &[CertConstraint::allow_all()],
        now(),
        &RUSTCRYPTO,
    );
    assert!(matches!(r, Err(certs::Error::Untrusted(_))), "{r:?}");
}

/// A root → intermediate → leaf PKI made with rcgen (P-256).
struct Pki {
    root: rcgen::Certificate,
    inter: rcgen::Certificate,
    inter_key: KeyPair,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "example");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2030, 1, 1);
    p
}

impl Pki {
    fn new(name: &str) -> Self {
        let root_key = KeyPair::generate().unwrap();
        let root = ca_params(&format!("{name} root"))
            .self_signed(&root_key)
            .unwrap();
        let inter_key = KeyPair::generate().unwrap();
        let inter = ca_params(&format!("{name} intermediate"))
            .signed_by(&inter_key, &root, &root_key)
            .unwrap();
        Self {
            root,
            inter,
            inter_key,
        }
    }

    /// A functionary certificate (CN, SPIFFE URI, organization `example`) valid until
    /// `not_after`, and its signer.
    fn leaf(&self, cn: &str, uri: &str, not_after: (i32, u8, u8)) -> (String, KeySigner) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.distinguished_name
            .push(DnType::OrganizationName, "example");
        p.subject_alt_names = vec![SanType::URI(uri.try_into().unwrap())];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.not_before = date_time_ymd(2025, 1, 1);
        p.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
        let cert = p.signed_by(&key, &self.inter, &self.inter_key).unwrap();
        let private = private_key_from_pem(key.serialize_pem().as_bytes(), None).unwrap();
        let signer = KeySigner::with_default_scheme(&private, &RUSTCRYPTO).unwrap();
        (cert.pem(), signer)
    }
}

fn ca_entry(pem: &str) -> Value {
    json!({"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256",
           "keyval": {"public": "", "certificate": pem}})
}

/// A layout signed by `owner`: step `build` (threshold 1, no listed keys) authorized by
/// `constraint` under `roots`/`intermediates`, with `ALLOW out.bin` then `DISALLOW *` on its
/// products.
fn layout_with(
    owner: &KeySigner,
    roots: &[(&str, String)],
    intermediates: &[String],
    constraint: &Value,
) -> Metadata {
    let mut step = Step::new("build");
    step.expected_products = vec![
        ArtifactRule::parse(&["ALLOW", "out.bin"]).unwrap(),
        ArtifactRule::parse(&["DISALLOW", "*"]).unwrap(),
    ];
    step.extra
        .insert("cert_constraints".into(), json!([constraint]));
    let mut layout = Layout::new(Timestamp::from_civil(2040, 1, 1, 0, 0, 0).unwrap());
    layout = layout.with_step(step);
    let rootcas: serde_json::Map<String, Value> = roots
        .iter()
        .map(|(id, pem)| ((*id).to_owned(), ca_entry(pem)))
        .collect();
    let inters: serde_json::Map<String, Value> = intermediates
        .iter()
        .enumerate()
        .map(|(i, pem)| (format!("inter{i}"), ca_entry(pem)))
        .collect();
    layout
        .extra
        .insert("rootcas".into(), Value::Object(rootcas));
    layout
        .extra
        .insert("intermediatecas".into(), Value::Object(inters));
    Metadata::sign_metablock(&Payload::Layout(Box::new(layout)), &[owner as &dyn Signer]).unwrap()
}

/// A `build` link signed by `signer` with `cert` in its signature, as in-toto-golang writes
/// it, under its file name `build.<keyid8>.link`.
fn cert_link(signer: &KeySigner, cert: &str) -> (String, Vec<u8>) {
    let mut link = Link::new("build");
    link.products.insert(
        "out.bin".into(),
        supply_intoto::model::HashObj::from([("sha256", "ab".repeat(32))]),
    );
    let m =
        Metadata::sign_metablock(&Payload::Link(Box::new(link)), &[signer as &dyn Signer]).unwrap();
    let keyid = signer_key_id(signer).unwrap();
    let m = m.with_certificate(&keyid, cert).unwrap();
    assert_eq!(m.signature_certificates(), vec![(&keyid, cert)]);
    (
        format!("build.{}.link", &keyid.as_str()[..8]),
        m.raw().to_vec(),
    )
}

fn owner() -> (KeySigner, SslibKey) {
    let key = KeyPair::generate().unwrap();
    let private = private_key_from_pem(key.serialize_pem().as_bytes(), None).unwrap();
    let signer = KeySigner::with_default_scheme(&private, &RUSTCRYPTO).unwrap();
    let public = SslibKey::new(signer.public_key().clone(), signer.scheme()).unwrap();
    (signer, public)
}

fn constraint(cn: &str, uri: &str) -> Value {
    json!({"common_name": cn, "dns_names": [], "emails": [], "organizations": ["example"],
           "roots": ["root-1"], "uris": [uri]})
}

const URI: &str = "spiffe://example.com/build";

/// A link signed by a certificate that chains to the layout's root through its intermediate and
/// meets the step's constraint is authorized although its key is not in the layout's `keys`;
/// the same link fails with another root, a mismatching constraint, an expired certificate, a
/// missing intermediate, or a signature the certificate's key did not make.
#[test]
fn certificate_functionaries_are_authorized_only_when_chain_and_constraints_hold() {
    let pki = Pki::new("good");
    let (owner, owner_key) = owner();
    let (cert, signer) = pki.leaf("build.example.com", URI, (2029, 1, 1));
    let (name, link) = cert_link(&signer, &cert);
    let links = BTreeMap::from([(name.clone(), link.clone())]);
    let good = constraint("build.example.com", URI);
    let verify = |layout: &Metadata, at: Timestamp| {
        LayoutVerifier::new(at, &links).verify(layout, std::slice::from_ref(&owner_key))
    };

    let layout = layout_with(
        &owner,
        &[("root-1", pki.root.pem())],
        &[pki.inter.pem()],
        &good,
    );
    let v = verify(&layout, now()).unwrap();
    let keyid = signer_key_id(&signer).unwrap();
    assert_eq!(v.steps()[0].functionaries(), std::slice::from_ref(&keyid));
    assert!(v.layout().keys.is_empty());

    // Wildcards accept it too.
    let wild = json!({"common_name": "*", "dns_names": ["*"], "emails": ["*"],
                      "organizations": ["*"], "roots": ["*"], "uris": ["*"]});
    let layout = layout_with(
        &owner,
        &[("root-1", pki.root.pem())],
        &[pki.inter.pem()],
        &wild,
    );
    verify(&layout, now()).unwrap();

    let refused = |r: Result<_, Error>| match r {
        Err(Error::CertificateNotAuthorized {
            keyid: k, source, ..
        }) => {
            assert_eq!(k, keyid);
            *source
        }
        other => panic!("expected a refused certificate, got {other:?}"),
    };

    // Wrong root: another PKI's root under the same id.
    let other = Pki::new("other");
    let layout = layout_with(
        &owner,
        &[("root-1", other.root.pem())],
        &[other.inter.pem()],
        &good,
    );
    let e = refused(verify(&layout, now()));
    assert!(
        matches!(e, certs::Error::Untrusted(x509::Error::NoPath { .. })),
        "{e:?}"
    );

    // The intermediate is missing.
    let layout = layout_with(&owner, &[("root-1", pki.root.pem())], &[], &good);
    let e = refused(verify(&layout, now()));
    assert!(matches!(e, certs::Error::Untrusted(_)), "{e:?}");

    // Constraint mismatch: common name, URI, organization.
    for (c, attribute) in [
        (constraint("other.example.com", URI), "common name"),
        (
            constraint("build.example.com", "spiffe://example.com/x"),
            "uri",
        ),
        (
            json!({"common_name": "build.example.com", "organizations": ["acme"],
                   "roots": ["root-1"], "uris": [URI]}),
            "organization",
        ),
        (
            json!({"common_name": "build.example.com", "organizations": ["example"],
                   "roots": ["root-2"], "uris": [URI]}),
            "root",
        ),
    ] {
        let layout = layout_with(
            &owner,
            &[("root-1", pki.root.pem())],
            &[pki.inter.pem()],
            &c,
        );
        let e = refused(verify(&layout, now()));
        assert!(
            matches!(&e, certs::Error::ConstraintMismatch { attribute: a, .. } if *a == attribute),
            "{attribute}: {e:?}"
        );
    }

    // Expired certificate: the leaf ends 2029-01-01; the layout and the CAs are still valid.
    let layout = layout_with(
        &owner,
        &[("root-1", pki.root.pem())],
        &[pki.inter.pem()],
        &good,
    );
    let late = Timestamp::from_civil(2029, 6, 1, 0, 0, 0).unwrap();
    let e = refused(verify(&layout, late));
    assert!(
        matches!(
            e,
            certs::Error::Untrusted(x509::Error::NotValidAt { position: 0, .. })
        ),
        "{e:?}"
    );

    // A valid certificate attached to a signature its key did not make is not counted.
    let (_, impostor) = pki.leaf("build.example.com", URI, (2029, 1, 1));
    let (impostor_name, forged) = cert_link(&impostor, &cert);
    let forged_links = BTreeMap::from([(impostor_name, forged)]);
    let r =
        LayoutVerifier::new(now(), &forged_links).verify(&layout, std::slice::from_ref(&owner_key));
    assert!(
        matches!(
            r,
            Err(Error::CertificateNotAuthorized { ref source, .. })
                if matches!(**source, certs::Error::SignatureMismatch)
        ),
        "{r:?}"
    );

    // A link without the certificate is not authorized (its key is not in the layout).
    let mut doc: Value = serde_json::from_slice(&link).unwrap();
    doc["signatures"][0].as_object_mut().unwrap().remove("cert");
    let bare = BTreeMap::from([(name, serde_json::to_vec(&doc).unwrap())]);
    let r = LayoutVerifier::new(now(), &bare).verify(&layout, std::slice::from_ref(&owner_key));
    assert!(
        matches!(r, Err(Error::LinksNotFound { found: 0, .. })),
        "{r:?}"
    );
}
