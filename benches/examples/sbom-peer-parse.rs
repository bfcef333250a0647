//! `sbom-peer-parse spdx-rs|cyclonedx-bom FILE`: one Rust peer parses one SBOM once and prints
//! its package count, for `compare-sbom`'s peak memory (`/usr/bin/time -v`) beside
//! `sbom-bench parse`.
#![allow(clippy::print_stdout)]

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(peer), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: sbom-peer-parse spdx-rs|cyclonedx-bom FILE".into());
    };
    let bytes = std::fs::read(file)?;
    let count = match peer.as_str() {
        "spdx-rs" => serde_json::from_slice::<spdx_rs::models::SPDX>(&bytes)?
            .package_information
            .len(),
        "cyclonedx-bom" => cyclonedx_bom::prelude::Bom::parse_from_json_v1_5(&bytes[..])
            .map_err(|e| format!("{e}"))?
            .components
            .map_or(0, |c| c.0.len()),
        other => return Err(format!("unknown peer {other}").into()),
    };
    println!("{count}");
    Ok(())
}
