//! Verify SLSA provenance for an artifact offline: the job of
//! `slsa-verifier verify-artifact --provenance-path P --source-uri S --source-tag T ARTIFACT`
//! in library calls.
//!
//! ```text
//! cargo run -p supply-examples --example verify_slsa -- \
//!     [PROVENANCE ARTIFACT TRUSTED_ROOT SOURCE_URI SOURCE_TAG]
//! ```
//!
//! Without arguments it verifies the provenance slsa-github-generator's Maven builder made for
//! a jar of slsa-framework/example-package (from the repository's test data), then shows that
//! another source repository and another artifact are refused.
use std::error::Error;
use std::path::PathBuf;

use supply_intoto::attestation::bundle::{read_attestations, Signed};
use supply_intoto::attestation::slsa::{self, Options};
use supply_intoto::attestation::VerifiedAttestation;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::Algorithm;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Artifact, Matcher, Policy};

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let sv = testdata.join("intoto/slsa-verifier/gha_maven/v2.1.0");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let provenance = args
        .next()
        .unwrap_or_else(|| sv.join("binary-linux-amd64-push-v14.build.slsa"));
    let artifact = args
        .next()
        .unwrap_or_else(|| sv.join("binary-linux-amd64-push-v14"));
    let root_path = args
        .next()
        .unwrap_or_else(|| testdata.join("sigstore/trust/production/trusted_root.json"));
    let source = args.next().map_or_else(
        || "github.com/slsa-framework/example-package".to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    let tag = args
        .next()
        .map_or_else(|| "v14".to_owned(), |p| p.to_string_lossy().into_owned());

    let root = TrustedRoot::from_json(&std::fs::read(&root_path)?, &RUSTCRYPTO)?;
    let digest = Algorithm::Sha256.digest(&std::fs::read(&artifact)?);
    let Some(Signed::Bundle(bundle)) = read_attestations(&std::fs::read(&provenance)?)?
        .into_iter()
        .find(|s| matches!(s, Signed::Bundle(_)))
    else {
        return Err("the provenance file holds no Sigstore bundle".into());
    };
    // 1. The signature: any GitHub Actions workflow, logged in Rekor; the SLSA checks decide
    //    which workflow counts as the builder.
    let gha = Policy::identity_matching(
        Matcher::regex("^https://github\\.com/")?,
        Matcher::exact(slsa::GITHUB_ACTIONS_ISSUER),
    );
    let att = VerifiedAttestation::from_bundle(
        &bundle,
        Artifact::Digest(&digest),
        &gha,
        &root,
        &RUSTCRYPTO,
    )?;
    // 2. What the provenance says.
    let opts = Options::new(&source).with_source_tag(&tag);
    let v = slsa::verify(&att, &digest, &opts)?;
    println!(
        "verified: {} built by {} from {}@{}",
        artifact.file_name().unwrap_or_default().to_string_lossy(),
        v.builder_id(),
        v.source_uri(),
        v.source_ref().unwrap_or("?")
    );
    println!("level: {}", v.level());
    match slsa::verify(&att, &digest, &Options::new("github.com/attacker/fork")) {
        Ok(_) => return Err("another source was accepted".into()),
        Err(e) => println!("refused for another source: {e}"),
    }
    let other = Algorithm::Sha256.digest(b"other bytes");
    match slsa::verify(&att, &other, &opts) {
        Ok(_) => return Err("another artifact was accepted".into()),
        Err(e) => println!("refused for other bytes: {e}"),
    }
    Ok(())
}
