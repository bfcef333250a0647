//! Attacks on layouts and links: each must fail with the error that names it.

use std::collections::BTreeMap;

use supply_intoto::metadata::{Metadata, Payload};
use supply_intoto::model::{Layout, Link, Step};
use supply_intoto::rule::ArtifactRule;
use supply_intoto::verify::{Budget, Error, LayoutVerifier};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{KeySigner, Signer};
use supply_sig::time::Timestamp;

use crate::common::now;

pub(crate) struct Party {
    pub(crate) signer: KeySigner,
    pub(crate) key: SslibKey,
}

pub(crate) fn party(alg: KeyAlgorithm) -> Party {
    let k = PrivateKey::generate(alg, &RUSTCRYPTO).unwrap();
    let signer = KeySigner::with_default_scheme(&k, &RUSTCRYPTO).unwrap();
    let key = SslibKey::new(k.public_key().clone(), signer.scheme()).unwrap();
    Party { signer, key }
}

fn id8(p: &Party) -> String {
    p.key.key_id().unwrap().as_str()[..8].to_owned()
}

fn hashes(h: &str) -> supply_intoto::model::HashObj {
    [("sha256".to_owned(), h.repeat(64))].into_iter().collect()
}

fn link(name: &str, materials: &[(&str, &str)], products: &[(&str, &str)]) -> Link {
    let mut l = Link::new(name);
    l.materials = materials
        .iter()
        .map(|(p, h)| ((*p).to_owned(), hashes(h)))
        .collect();
    l.products = products
        .iter()
        .map(|(p, h)| ((*p).to_owned(), hashes(h)))
        .collect();
    l.byproducts.insert("return-value".into(), 0.into());
    l
}

fn sign_link(l: &Link, p: &Party) -> Vec<u8> {
    Metadata::sign_metablock(&Payload::Link(Box::new(l.clone())), &[&p.signer])
        .unwrap()
        .raw()
        .to_vec()
}

/// A two-step chain: `build` by `a` creates `out`, `ship` by `b` (threshold 1) matches it.
struct Chain {
    owner: Party,
    a: Party,
    b: Party,
    layout: Layout,
    links: BTreeMap<String, Vec<u8>>,
}

fn chain() -> Chain {
    let owner = party(KeyAlgorithm::Ed25519);
    let a = party(KeyAlgorithm::EcdsaP256);
    let b = party(KeyAlgorithm::Ed25519);
    let mut layout = Layout::new(Timestamp::from_civil(2030, 1, 1, 0, 0, 0).unwrap());
    let ka = layout.add_key(a.key.clone()).unwrap();
    let kb = layout.add_key(b.key.clone()).unwrap();
    layout = layout
        .with_step(
            Step::new("build")
                .with_pubkey(ka.as_str())
                .with_product_rule(ArtifactRule::Create("out".into()))
                .with_product_rule(ArtifactRule::Disallow("*".into())),
        )
        .with_step(
            Step::new("ship")
                .with_pubkey(kb.as_str())
                .with_material_rule(
                    ArtifactRule::parse(&["MATCH", "out", "WITH", "PRODUCTS", "FROM", "build"])
                        .unwrap(),
                )
                .with_material_rule(ArtifactRule::Disallow("*".into())),
        );
    let mut links = BTreeMap::new();
    links.insert(
        format!("build.{}.link", id8(&a)),
        sign_link(&link("build", &[], &[("out", "a")]), &a),
    );
    links.insert(
        format!("ship.{}.link", id8(&b)),
        sign_link(&link("ship", &[("out", "a")], &[]), &b),
    );
    Chain {
        owner,
        a,
        b,
        layout,
        links,
    }
}

impl Chain {
    fn signed(&self) -> Metadata {
        Metadata::sign_metablock(
            &Payload::Layout(Box::new(self.layout.clone())),
            &[&self.owner.signer],
        )
        .unwrap()
    }
    fn verify(&self) -> Result<supply_intoto::verify::VerifiedLayout, Error> {
        LayoutVerifier::new(now(), &self.links)
            .verify(&self.signed(), std::slice::from_ref(&self.owner.key))
    }
}

#[test]
fn the_honest_chain_verifies() {
    let c = chain();
    let v = c.verify().unwrap();
    assert_eq!(v.steps().len(), 2);
    assert!(v.warnings().is_empty());
}

#[test]
fn tampered_link_does_not_count() {
    let mut c = chain();
    let key = format!("build.{}.link", id8(&c.a));
    let text = String::from_utf8(c.links[&key].clone())
        .unwrap()
        .replace(&"a".repeat(64), &"b".repeat(64));
    c.links.insert(key, text.into_bytes());
    let r = c.verify();
    assert!(
        matches!(r, Err(Error::ThresholdNotMet { ref step, valid: 0, .. }) if step == "build"),
        "{r:?}"
    );
}

#[test]
fn link_signed_by_the_wrong_key_does_not_count() {
    let mut c = chain();
    // b signs build's link and it is planted under a's name.
    let forged = sign_link(&link("build", &[], &[("out", "a")]), &c.b);
    c.links.insert(format!("build.{}.link", id8(&c.a)), forged);
    assert!(matches!(c.verify(), Err(Error::ThresholdNotMet { .. })));
}

#[test]
fn link_for_another_step_does_not_count() {
    let mut c = chain();
    // a's valid `ship` link placed as its `build` link.
    let other = sign_link(&link("ship", &[], &[("out", "a")]), &c.a);
    c.links.insert(format!("build.{}.link", id8(&c.a)), other);
    assert!(matches!(c.verify(), Err(Error::ThresholdNotMet { .. })));
}

#[test]
fn below_threshold_fails_and_one_key_counts_once() {
    let mut c = chain();
    c.layout.steps[0].threshold = 2;
    // The same key under a second key id (legacy form) does not make two functionaries.
    let mut legacy = c.a.key.to_value();
    legacy["keyid_hash_algorithms"] = serde_json::json!(["sha256", "sha512"]);
    let legacy = SslibKey::from_value(&legacy).unwrap();
    let lid = c.layout.add_key(legacy).unwrap();
    c.layout.steps[0].pubkeys.push(lid.as_str().to_owned());
    let l = sign_link(&link("build", &[], &[("out", "a")]), &c.a);
    c.links
        .insert(format!("build.{}.link", &lid.as_str()[..8]), l);
    let r = c.verify();
    assert!(
        matches!(
            r,
            Err(Error::ThresholdNotMet {
                required: 2,
                valid: 1,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn threshold_links_must_agree() {
    let mut c = chain();
    let second = party(KeyAlgorithm::Ed25519);
    let id = c.layout.add_key(second.key.clone()).unwrap();
    c.layout.steps[0].pubkeys.push(id.as_str().to_owned());
    c.layout.steps[0].threshold = 2;
    c.links.insert(
        format!("build.{}.link", id8(&second)),
        sign_link(&link("build", &[], &[("out", "c")]), &second),
    );
    assert!(matches!(c.verify(), Err(Error::LinksDisagree { .. })));
}

#[test]
fn expired_layout_fails() {
    let mut c = chain();
    c.layout.expires = Timestamp::from_civil(2025, 12, 31, 23, 59, 59).unwrap();
    assert!(matches!(c.verify(), Err(Error::LayoutExpired { .. })));
}

#[test]
fn wrong_layout_key_and_empty_keys_fail() {
    let c = chain();
    let r =
        LayoutVerifier::new(now(), &c.links).verify(&c.signed(), std::slice::from_ref(&c.a.key));
    assert!(matches!(r, Err(Error::LayoutSignature { .. })));
    let r = LayoutVerifier::new(now(), &c.links).verify(&c.signed(), &[]);
    assert!(matches!(r, Err(Error::ConfigNoLayoutKeys)));
    // A link is not a layout.
    let l = Metadata::from_slice(&c.links[&format!("build.{}.link", id8(&c.a))]).unwrap();
    let r = LayoutVerifier::new(now(), &c.links).verify(&l, std::slice::from_ref(&c.a.key));
    assert!(matches!(r, Err(Error::NotALayout)));
}

#[test]
fn unknown_step_in_match_consumes_nothing() {
    let mut c = chain();
    c.layout.steps[1].expected_materials[0] =
        ArtifactRule::parse(&["MATCH", "out", "WITH", "PRODUCTS", "FROM", "nowhere"]).unwrap();
    let r = c.verify();
    assert!(
        matches!(r, Err(Error::Disallowed { ref item, .. }) if item == "ship"),
        "{r:?}"
    );
}

#[test]
fn a_step_key_missing_from_the_layout_is_refused() {
    let mut c = chain();
    c.layout.steps[0].pubkeys = vec!["00".repeat(32)];
    let text = serde_json::to_vec(&c.layout).unwrap();
    let doc = format!(
        "{{\"signatures\":[],\"signed\":{}}}",
        String::from_utf8(text).unwrap()
    );
    assert!(matches!(
        Metadata::from_slice(doc.as_bytes()),
        Err(supply_intoto::metadata::Error::InvalidLayout(_))
    ));
}

#[test]
fn inspections_without_a_runner_fail_closed() {
    let mut c = chain();
    c.layout = c
        .layout
        .clone()
        .with_inspection(supply_intoto::model::Inspection::new("look", ["true"]));
    assert!(matches!(
        c.verify(),
        Err(Error::InspectionsNotRun { count: 1, .. })
    ));
}

#[test]
fn duplicate_keys_are_refused_everywhere() {
    let c = chain();
    let signed = c.signed();
    let raw = String::from_utf8(signed.raw().to_vec()).unwrap();
    // A second `readme` inside `signed`, and a second `signatures` outside it.
    let dup_inner = raw.replacen("\"readme\":\"\"", "\"readme\":\"\",\"readme\":\"x\"", 1);
    assert_ne!(dup_inner, raw);
    assert!(Metadata::from_slice(dup_inner.as_bytes()).is_err());
    let dup_outer = raw.replacen("{\"signatures\":", "{\"signatures\":[],\"signatures\":", 1);
    assert!(Metadata::from_slice(dup_outer.as_bytes()).is_err());
    assert!(Metadata::from_slice(
        b"{\"signed\":{\"_type\":\"link\",\"name\":\"x\"},\"signatures\":[]} x"
    )
    .is_err());
}

/// A chain of sublayouts nested deeper than the budget stops at the budget.
#[test]
fn sublayout_depth_is_bounded() {
    let owner = party(KeyAlgorithm::Ed25519);
    let f = party(KeyAlgorithm::Ed25519);
    let fid = f.key.key_id().unwrap();
    let mut links = BTreeMap::new();
    // Innermost: a layout with no steps, signed by f. Each level wraps the one below.
    let mut prefix_levels = Vec::new();
    let depth = 4;
    for level in 0..depth {
        prefix_levels.push(format!("s.{}/", &fid.as_str()[..8]).repeat(level));
    }
    let empty = Layout::new(Timestamp::from_civil(2030, 1, 1, 0, 0, 0).unwrap());
    let mut sub =
        Metadata::sign_metablock(&Payload::Layout(Box::new(empty)), &[&f.signer]).unwrap();
    for level in (0..depth).rev() {
        links.insert(
            format!("{}s.{}.link", prefix_levels[level], &fid.as_str()[..8]),
            sub.raw().to_vec(),
        );
        let mut l = Layout::new(Timestamp::from_civil(2030, 1, 1, 0, 0, 0).unwrap());
        l.add_key(f.key.clone()).unwrap();
        l = l.with_step(Step::new("s").with_pubkey(fid.as_str()));
        let signer: &dyn Signer = if level == 0 { &owner.signer } else { &f.signer };
        sub = Metadata::sign_metablock(&Payload::Layout(Box::new(l)), &[signer]).unwrap();
    }
    let root = sub;
    let ok = LayoutVerifier::new(now(), &links).verify(&root, std::slice::from_ref(&owner.key));
    assert!(ok.is_ok(), "{ok:?}");
    let budget = Budget::default().with_sublayout_depth(2);
    let r = LayoutVerifier::new(now(), &links)
        .with_budget(budget)
        .verify(&root, std::slice::from_ref(&owner.key));
    let mut e = r.unwrap_err();
    while let Error::Sublayout { source, .. } = e {
        e = *source;
    }
    assert!(matches!(e, Error::LimitExceeded(_)), "{e:?}");
}

#[test]
fn rule_work_is_bounded() {
    let c = chain();
    let budget = Budget::default().with_rule_work(2);
    let r = LayoutVerifier::new(now(), &c.links)
        .with_budget(budget)
        .verify(&c.signed(), std::slice::from_ref(&c.owner.key));
    assert!(matches!(r, Err(Error::LimitExceeded(_))), "{r:?}");
    let budget = Budget::default().with_links(1);
    let r = LayoutVerifier::new(now(), &c.links)
        .with_budget(budget)
        .verify(&c.signed(), std::slice::from_ref(&c.owner.key));
    assert!(matches!(r, Err(Error::LimitExceeded(_))), "{r:?}");
}

/// The verifier reads a metablock in one pass (the whole document canonicalized once, the
/// payload read from the signed part's canonical bytes): on every metablock of the test data
/// and on documents shaped to trip it (members out of order, escapes the canonical form leaves
/// raw, `-0` and floats, a `signed` key nested in a signature, unknown members), it gives what
/// the general reading gives, and a signature nested elsewhere never stands for the outer one.
#[test]
fn the_verifiers_one_pass_reading_agrees_with_the_general_one() {
    let mut docs: Vec<Vec<u8>> = Vec::new();
    for dir in [
        "intoto/in-toto-python",
        "intoto/in-toto-golang",
        "intoto/generated",
    ] {
        for (name, bytes) in crate::common::load_dir(&supply_testkit::testdata(dir)) {
            if name.ends_with(".link") || name.ends_with(".layout") {
                docs.push(bytes);
            }
        }
    }
    assert!(docs.len() > 40, "{} metablocks", docs.len());
    let c = chain();
    let honest = c.links.values().next().unwrap().clone();
    let text = String::from_utf8(honest.clone()).unwrap();
    let (sigs, signed) = {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        (v["signatures"].to_string(), v["signed"].to_string())
    };
    let other = sign_link(&link("other", &[], &[("x", "1")]), &c.a);
    let other_signed =
        serde_json::from_slice::<serde_json::Value>(&other).unwrap()["signed"].to_string();
    // (document, whether the one-pass reading takes it)
    let crafted = [
        (
            format!("{{ \"signed\" : {signed} ,\n \"signatures\" : {sigs} }}"),
            true,
        ),
        (
            format!("{{\"signatures\":{sigs},\"signed\":{signed},\"zzz\":[-0, 1]}}"),
            true,
        ),
        (
            format!("{{\"aaa\":\"\\u0001\",\"signatures\":{sigs},\"signed\":{signed}}}"),
            true,
        ),
        (text.replacen("\"name\":\"", "\"name\":\"\\u0001", 1), true),
        (
            text.replacen("\"byproducts\":{", "\"byproducts\":{\"n\":-0,", 1),
            true,
        ),
        (
            text.replacen("\"byproducts\":{", "\"byproducts\":{\"f\":1.5,", 1),
            false,
        ),
        (
            text.replacen(
                "\"keyid\":",
                &format!("\"a\":[],\"signed\":{other_signed},\"keyid\":"),
                1,
            ),
            true,
        ),
        (
            format!("{{\"signatures\":{sigs},\"signed\":{signed},\"payload\":\"\"}}"),
            false,
        ),
    ];
    for (doc, taken) in &crafted {
        assert_ne!(doc.as_bytes(), honest.as_slice());
        assert_eq!(
            Metadata::__one_pass_agrees(doc.as_bytes()),
            taken.then_some(true),
            "{doc}"
        );
    }
    let mut taken = 0;
    for doc in &docs {
        let agrees = Metadata::__one_pass_agrees(doc);
        assert_ne!(agrees, Some(false), "{}", String::from_utf8_lossy(doc));
        taken += usize::from(agrees.is_some());
    }
    assert_eq!(
        taken,
        54,
        "the one-pass reading took {taken} of {}",
        docs.len()
    );
    // The link with another link's `signed` inside its signature object still counts as itself.
    let nested = text.replacen(
        "\"keyid\":",
        &format!("\"a\":[],\"signed\":{other_signed},\"keyid\":"),
        1,
    );
    let mut links = c.links.clone();
    let name = links.keys().next().unwrap().clone();
    links.insert(name, nested.into_bytes());
    assert!(LayoutVerifier::new(now(), &links)
        .verify(&c.signed(), std::slice::from_ref(&c.owner.key))
        .is_ok());
}
