//! The in-toto benchmark chain outside criterion, for `benches/compare-intoto`:
//!
//! ```text
//! intoto-bench write DIR     # the 100-step, 1,000-artifact chain and its layout key (PEM)
//! intoto-bench verify DIR [THREADS [aws-lc]]   # verify it once (peak memory, time)
//! REPEAT=N intoto-bench verify DIR ...         # N times in one process, each one timed
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use supply_benches::intoto_chain::{self, LAYOUT_FILE, LAYOUT_KEY};
use supply_intoto::metadata::Metadata;
use supply_intoto::verify::LayoutVerifier;
use supply_sig::key::encoding::pem::public_key_from_pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::sign::SignatureScheme;
use supply_sig::time::Timestamp;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(cmd), Some(dir)) = (args.next(), args.next().map(PathBuf::from)) else {
        return Err("usage: intoto-bench write|verify DIR".into());
    };
    match cmd.as_str() {
        "write" => {
            let chain =
                intoto_chain::build(&testdata(), intoto_chain::STEPS, intoto_chain::ARTIFACTS)?;
            std::fs::create_dir_all(&dir)?;
            intoto_chain::write(&chain, &dir)?;
            std::fs::copy(testdata().join(LAYOUT_KEY), dir.join("layout-key.pem"))?;
        }
        "verify" => {
            let mut files = BTreeMap::new();
            for e in std::fs::read_dir(&dir)? {
                let e = e?;
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".link") || name == LAYOUT_FILE {
                    files.insert(name, std::fs::read(e.path())?);
                }
            }
            let key = public_key_from_pem(&std::fs::read(dir.join("layout-key.pem"))?)?;
            let key = SslibKey::new(key, SignatureScheme::Ed25519)?;
            let layout = Metadata::from_slice(&files[LAYOUT_FILE])?;
            let now = Timestamp::from(std::time::SystemTime::now());
            let threads = args.next().map_or(Ok(1), |t| t.parse())?;
            let provider = match args.next().as_deref() {
                None => &supply_sig::crypto::RUSTCRYPTO,
                #[cfg(feature = "aws-lc-rs")]
                Some("aws-lc") => &supply_sig::crypto::AWS_LC,
                Some(other) => return Err(format!("unknown provider {other}").into()),
            };
            let repeat: usize = std::env::var("REPEAT")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(1);
            for _ in 0..repeat {
                let t = std::time::Instant::now();
                let v = LayoutVerifier::new(now, &files)
                    .with_threads(threads)
                    .with_provider(provider)
                    .verify(&layout, std::slice::from_ref(&key))?;
                println!("verified {} steps in {:?}", v.steps().len(), t.elapsed());
            }
        }
        _ => return Err(format!("unknown command {cmd}").into()),
    }
    Ok(())
}
