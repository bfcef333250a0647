//! Sign a blob into a Sigstore bundle with a key, then verify the bundle: the job of
//! `cosign sign-blob --key … --bundle …` and `cosign verify-blob --key … --bundle …`.
//!
//! ```text
//! cargo run -p supply-examples --example sign_blob -- [FILE]
//! ```
//!
//! The key is generated in memory (load one with `supply_sig::key::PrivateKey` instead). The
//! bundle carries no transparency-log entry: uploading to Rekor and timestamping is the keyless
//! client's job (`supply_sig::sigstore::client`, feature `sigstore-client`).
use std::error::Error;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::KeySigner;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::sign::sign_message;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{verify, Artifact, Policy};
use supply_sig::time::Timestamp;

fn main() -> Result<(), Box<dyn Error>> {
    let blob = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read(path)?,
        None => b"release 1.0.0\n".to_vec(),
    };

    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO)?;
    let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO)?;
    let bundle = sign_message(&blob, &signer, &RUSTCRYPTO)?;

    // What a peer receives: the bundle's JSON, exactly these bytes.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("blob.sigstore.json");
    std::fs::write(&path, bundle.raw())?;
    println!(
        "signed {} bytes into a bundle of {} bytes",
        blob.len(),
        bundle.raw().len()
    );

    // The verifier reads the bundle back and checks it against the public key it already trusts.
    let received = Bundle::from_json(&std::fs::read(&path)?)?;
    // The bundle proves no signing time (no log entry, no timestamp), so the verifier must opt
    // out explicitly: no log entry needed, and its own clock stands in for a signed time.
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let policy = Policy::public_key(key.public_key().clone())
        .insecure_ignore_tlog()
        .insecure_caller_time(now)?;
    // No transparency logs or authorities to trust: a keyed, offline verification.
    let no_logs = TrustedRoot::from_json(
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        &RUSTCRYPTO,
    )?;
    verify(
        &received,
        Artifact::Bytes(&blob),
        &policy,
        &no_logs,
        &RUSTCRYPTO,
    )?;
    println!("verified with the public key");

    match verify(
        &received,
        Artifact::Bytes(b"tampered"),
        &policy,
        &no_logs,
        &RUSTCRYPTO,
    ) {
        Ok(_) => Err("a bundle verified for bytes it does not sign".into()),
        Err(e) => {
            println!("refused for other bytes: {e}");
            Ok(())
        }
    }
}
