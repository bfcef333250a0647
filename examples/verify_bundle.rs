//! Verify a Sigstore bundle offline: the job of `cosign verify-blob --bundle` in a library call.
//!
//! ```text
//! cargo run -p supply-examples --example verify_bundle -- \
//!     [BUNDLE ARTIFACT TRUSTED_ROOT IDENTITY ISSUER]
//! ```
//!
//! Without arguments it verifies a bundle that sigstore-python made against Sigstore's staging
//! instance (from the repository's test data), then shows that other bytes are refused.
use std::error::Error;
use std::path::PathBuf;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{verify, Artifact, Policy};

fn main() -> Result<(), Box<dyn Error>> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sigstore");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let bundle_path = args
        .next()
        .unwrap_or_else(|| testdata.join("sigstore-python/bundles/bundle_v3.txt.sigstore"));
    let artifact_path = args
        .next()
        .unwrap_or_else(|| testdata.join("sigstore-python/bundles/bundle_v3.txt"));
    let root_path = args
        .next()
        .unwrap_or_else(|| testdata.join("trust/staging/trusted_root.json"));
    let identity = args.next().map_or_else(
        || "william@yossarian.net".to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    let issuer = args.next().map_or_else(
        || "https://github.com/login/oauth".to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );

    // The trusted root says which Fulcio CAs, Rekor logs and timestamp authorities to believe.
    let root = TrustedRoot::from_json(&std::fs::read(&root_path)?, &RUSTCRYPTO)?;
    let bundle = Bundle::from_json(&std::fs::read(&bundle_path)?)?;
    let artifact = std::fs::read(&artifact_path)?;
    // Who must have signed: the certificate's subject and the OIDC issuer that vouched for it.
    let policy = Policy::identity(identity, issuer);

    let verified = verify(
        &bundle,
        Artifact::Bytes(&artifact),
        &policy,
        &root,
        &RUSTCRYPTO,
    )?;
    let signer = verified.identity().map_or("?", |id| id.san.as_str());
    println!("verified: {} signed by {signer}", artifact_path.display());
    println!(
        "evidence: {} transparency-log entr{}, {} signed time{}",
        verified.tlog_count(),
        if verified.tlog_count() == 1 {
            "y"
        } else {
            "ies"
        },
        verified.signed_times().len(),
        if verified.signed_times().len() == 1 {
            ""
        } else {
            "s"
        },
    );

    // The same bundle never vouches for other bytes.
    match verify(
        &bundle,
        Artifact::Bytes(b"other bytes"),
        &policy,
        &root,
        &RUSTCRYPTO,
    ) {
        Ok(_) => return Err("a bundle verified for bytes it does not sign".into()),
        Err(e) => println!("refused for other bytes: {e}"),
    }
    Ok(())
}
