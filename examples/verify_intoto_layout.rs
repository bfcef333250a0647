//! Verify an in-toto supply chain: the job of `in-toto-verify` in a library call.
//!
//! ```text
//! cargo run -p supply-examples --example verify_intoto_layout -- [CASE_DIR LAYOUT_KEY]
//! ```
//!
//! Without arguments it verifies the `demo-no-inspection` case of the repository's test data
//! (a layout signed by alice, links by bob and carl, made with in-toto python), then shows that a
//! layout key that did not sign is refused.
use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use supply_intoto::metadata::Metadata;
use supply_intoto::verify::LayoutVerifier;
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::sign::SignatureScheme;
use supply_sig::time::Timestamp;

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/intoto/generated");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let dir = args
        .next()
        .unwrap_or_else(|| testdata.join("demo-no-inspection"));
    let key_path = args
        .next()
        .unwrap_or_else(|| testdata.join("keys/alice.pub"));

    // The layout key, as in-toto reads a PEM RSA key (RSASSA-PSS with SHA-256).
    let key = public_key_from_pem(&std::fs::read(&key_path)?)?;
    let layout_key = SslibKey::new(key, SignatureScheme::RsaPssAutoSha256)?;

    // The links by file name; verification itself reads no files.
    let mut links = BTreeMap::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".link") {
            links.insert(name, std::fs::read(entry.path())?);
        }
    }
    let layout = Metadata::from_slice(&std::fs::read(dir.join("root.layout"))?)?;

    // The caller gives the time. No inspection runner: a layout with inspections would fail.
    let now = Timestamp::from(std::time::SystemTime::now());
    let verified =
        LayoutVerifier::new(now, &links).verify(&layout, std::slice::from_ref(&layout_key))?;
    let steps: Vec<&str> = verified.steps().iter().map(|s| s.name()).collect();
    println!(
        "verified: steps {} ({} artifact rules), final products {:?}",
        steps.join(", "),
        verified.rules_checked(),
        verified.summary().products.keys().collect::<Vec<_>>()
    );

    // A key that did not sign the layout is refused.
    let other = public_key_from_pem(&std::fs::read(testdata.join("keys/bob.pub"))?)?;
    let other = SslibKey::new(other, SignatureScheme::RsaPssAutoSha256)?;
    match LayoutVerifier::new(now, &links).verify(&layout, &[other]) {
        Ok(_) => Err("a layout key that did not sign was accepted".into()),
        Err(e) => {
            println!("refused with another layout key: {e}");
            Ok(())
        }
    }
}
