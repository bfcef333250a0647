//! The in-toto benchmark supply chain (`benches/intoto.rs`, `src/bin/intoto-bench.rs`,
//! `compare-intoto`): a layout of `steps` steps whose links each record `artifacts` materials
//! and products, every step consuming its predecessor's products (`MATCH * WITH PRODUCTS FROM`)
//! and modifying all of them (`MODIFY *`), everything else disallowed. One Ed25519 key (the
//! in-toto python test key in `testdata/intoto/in-toto-python/pems/`) signs the layout and
//! every link as legacy metablocks with new-style key ids, the form in-toto python 3.x,
//! in-toto-rs 0.4 and supply-intoto all read.
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use supply_intoto::metadata::{signer_key_id, Metadata, Payload};
use supply_intoto::model::{Artifacts, HashObj, Layout, Link, Step};
use supply_intoto::rule::ArtifactRule;
use supply_sig::cjson::olpc;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::encoding::pem::{private_key_from_pem, public_key_from_pem};
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::sign::{KeySigner, SignatureScheme, Signer as _};
use supply_sig::time::Timestamp;

/// Steps in the chain the issue asks for.
pub const STEPS: usize = 100;
/// Materials and products per link.
pub const ARTIFACTS: usize = 1_000;
/// The layout's file name beside its links.
pub const LAYOUT_FILE: &str = "root.layout";
/// The public key (PEM) that verifies the layout, relative to `testdata/`.
pub const LAYOUT_KEY: &str = "intoto/in-toto-python/pems/ed25519_public.pem";
const PRIVATE_KEY: &str = "intoto/in-toto-python/pems/ed25519_private_unencrypted.pem";

/// A generated chain: the layout and its links, by file name, ready to write into one folder.
pub struct Chain {
    /// File name → bytes: [`LAYOUT_FILE`] and `<step>.<keyid8>.link` for every step.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The layout key as supply-intoto takes it.
    pub layout_key: SslibKey,
    /// The raw 32-byte Ed25519 public key (for in-toto-rs's `PublicKey::from_ed25519`).
    pub layout_key_raw: Vec<u8>,
}

/// The name of step `i`.
pub fn step_name(i: usize) -> String {
    format!("step-{i:03}")
}

/// A distinct, well-formed sha256 value for artifact `i` as step `step` left it.
fn hash(step: usize, i: usize) -> HashObj {
    let v = (step as u64) << 32 | i as u64;
    HashObj::from([("sha256".to_owned(), format!("{v:016x}").repeat(4))])
}

fn artifacts(step: usize, n: usize) -> Artifacts {
    (0..n)
        .map(|i| {
            (
                format!("src/module-{}/file-{i:05}.rs", i % 16),
                hash(step, i),
            )
        })
        .collect()
}

/// Builds the chain from the test data in `testdata` (the repository's `testdata/` folder).
///
/// # Errors
/// Reading the key files, and the library's own errors (none for this fixed input).
pub fn build(
    testdata: &Path,
    steps: usize,
    per_step: usize,
) -> Result<Chain, Box<dyn std::error::Error>> {
    let private = private_key_from_pem(&std::fs::read(testdata.join(PRIVATE_KEY))?, None)?;
    let signer = KeySigner::with_default_scheme(&private, &RUSTCRYPTO)?;
    let public = public_key_from_pem(&std::fs::read(testdata.join(LAYOUT_KEY))?)?;
    let layout_key_raw = public.material().to_vec();
    let layout_key = SslibKey::new(public, SignatureScheme::Ed25519)?;
    let keyid = signer_key_id(&signer)?;
    let keyid8 = &keyid.as_str()[..8];

    let expires = Timestamp::from_civil(2035, 1, 1, 0, 0, 0).ok_or("2035-01-01 is a date")?;
    let mut layout = Layout::new(expires);
    layout.add_key(layout_key.clone())?;
    let mut files = BTreeMap::new();
    for s in 0..steps {
        let name = step_name(s);
        let mut step = Step::new(&name).with_pubkey(keyid.as_str());
        let mut link = Link::new(&name);
        if s == 0 {
            step = step
                .with_material_rule(ArtifactRule::parse(&["DISALLOW", "*"])?)
                .with_product_rule(ArtifactRule::parse(&["CREATE", "*"])?);
        } else {
            let prev = step_name(s - 1);
            step = step
                .with_material_rule(ArtifactRule::parse(&[
                    "MATCH", "*", "WITH", "PRODUCTS", "FROM", &prev,
                ])?)
                .with_material_rule(ArtifactRule::parse(&["DISALLOW", "*"])?)
                .with_product_rule(ArtifactRule::parse(&["MODIFY", "*"])?);
            link.materials = artifacts(s - 1, per_step);
        }
        step = step.with_product_rule(ArtifactRule::parse(&["DISALLOW", "*"])?);
        link.products = artifacts(s, per_step);
        layout = layout.with_step(step);
        let signed = Metadata::sign_metablock(&Payload::Link(Box::new(link)), &[&signer])?;
        files.insert(format!("{name}.{keyid8}.link"), signed.raw().to_vec());
    }
    files.insert(LAYOUT_FILE.to_owned(), sign_layout(&layout, &signer)?);
    Ok(Chain {
        files,
        layout_key,
        layout_key_raw,
    })
}

/// Signs the layout as a metablock whose keys carry `"private": ""` in `keyval`, the legacy
/// in-toto python 0.x form. in-toto-rs 0.4 checks a signature over its own re-serialization of
/// the layout, which always writes that member; a layout without it (what in-toto python 3.x
/// and [`Metadata::sign_metablock`] write) it refuses. With it, all three implementations
/// verify the same bytes.
fn sign_layout(layout: &Layout, signer: &KeySigner) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut signed = serde_json::to_value(layout)?;
    if let Some(keys) = signed.get_mut("keys").and_then(Value::as_object_mut) {
        for key in keys.values_mut() {
            if let Some(keyval) = key.get_mut("keyval").and_then(Value::as_object_mut) {
                keyval.insert("private".into(), Value::String(String::new()));
            }
        }
    }
    let text = serde_json::to_vec(&signed)?;
    let sig = signer.try_sign(&olpc::canonicalize(&text)?)?;
    let doc = serde_json::json!({
        "signatures": [{"keyid": signer_key_id(signer)?.as_str(), "sig": hex::encode(sig)}],
        "signed": signed,
    });
    let bytes = serde_json::to_vec_pretty(&doc)?;
    // Read back through the strict path, as every consumer will.
    Metadata::from_slice(&bytes)?;
    Ok(bytes)
}

/// Writes the chain's files into `dir` (which must exist).
///
/// # Errors
/// The file system's.
pub fn write(chain: &Chain, dir: &Path) -> std::io::Result<()> {
    for (name, bytes) in &chain.files {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}
