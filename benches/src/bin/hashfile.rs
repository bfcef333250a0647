//! `hashfile [--provider rustcrypto|aws-lc-rs] [--alg sha256|sha384|sha512] FILE...`
//!
//! Hashes files with [`supply_sig::digest::digest_reader`] (one 64 KiB buffer, so memory use is
//! constant whatever the file size) and prints `hex  path` lines like `sha256sum`. Used by
//! `benches/compare` to time hashing a 1 GiB file against `sha256sum` and to show peak RSS.
#![forbid(unsafe_code)]

use std::fs::File;
use std::process::ExitCode;

use supply_sig::crypto::{all_providers, Provider};
use supply_sig::digest::{digest_reader, Algorithm};

fn usage() -> ExitCode {
    eprintln!(
        "usage: hashfile [--provider rustcrypto|aws-lc-rs] [--alg sha256|sha384|sha512] FILE..."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut provider: &'static Provider = supply_sig::crypto::default_provider();
    let mut alg = Algorithm::Sha256;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--provider" => {
                let Some(name) = args.next() else {
                    return usage();
                };
                let Some(p) = all_providers().into_iter().find(|p| p.name == name) else {
                    eprintln!("hashfile: provider {name:?} is not compiled in");
                    return ExitCode::from(2);
                };
                provider = p;
            }
            "--alg" => {
                let Some(name) = args.next() else {
                    return usage();
                };
                let Some(a) = Algorithm::from_name(&name) else {
                    return usage();
                };
                alg = a;
            }
            "-h" | "--help" => return usage(),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return usage();
    }
    let mut status = ExitCode::SUCCESS;
    for path in files {
        let result = File::open(&path)
            .map_err(supply_sig::digest::Error::from)
            .and_then(|f| digest_reader(provider.hash.hasher(alg), f, u64::MAX));
        match result {
            Ok((d, _)) => println!("{}  {path}", d.hex()),
            Err(e) => {
                eprintln!("hashfile: {path}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
