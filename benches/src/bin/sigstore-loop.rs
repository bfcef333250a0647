//! `sigstore-loop [--provider rustcrypto|aws-lc-rs] [N]`
//!
//! Reads the staging trusted root once, then verifies sigstore-python's keyless v0.3
//! `bundle_v3.txt` bundle (parse included, as in `benches/benches/sigstore.rs`) N times (default
//! 1). For instruction counts that other builds on the machine cannot disturb: the difference
//! between two runs under `valgrind --tool=callgrind` with N and N+10 is ten verifications.
//!
//! ```text
//! cargo build --release -p supply-benches --features aws-lc-rs --bin sigstore-loop
//! valgrind --tool=callgrind --callgrind-out-file=cg.%p target/release/sigstore-loop 11
//! callgrind_annotate cg.<pid> | head -40
//! ```
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use supply_sig::crypto::{all_providers, Provider};
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{verify, Artifact, Policy};

fn usage() -> ExitCode {
    eprintln!("usage: sigstore-loop [--provider rustcrypto|aws-lc-rs] [N]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut provider: &'static Provider = supply_sig::crypto::default_provider();
    let mut n = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--provider" => {
                let Some(name) = args.next() else {
                    return usage();
                };
                let Some(p) = all_providers().into_iter().find(|p| p.name == name) else {
                    return usage();
                };
                provider = p;
            }
            s => match s.parse() {
                Ok(v) => n = v,
                Err(_) => return usage(),
            },
        }
    }
    let td = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/sigstore");
    let read =
        |rel: &str| std::fs::read(td.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"));
    let root = match TrustedRoot::from_json(&read("trust/staging/trusted_root.json"), provider) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: trusted root: {e}");
            return ExitCode::FAILURE;
        }
    };
    let raw = read("sigstore-python/bundles/bundle_v3.txt.sigstore");
    let artifact = read("sigstore-python/bundles/bundle_v3.txt");
    let policy = Policy::identity("william@yossarian.net", "https://github.com/login/oauth");
    for _ in 0..n {
        let verified = Bundle::from_json(std::hint::black_box(&raw))
            .map_err(|e| e.to_string())
            .and_then(|b| {
                verify(&b, Artifact::Bytes(&artifact), &policy, &root, provider)
                    .map(|v| v.signed_times().len())
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = verified {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
