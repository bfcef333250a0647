//! `sbom-bench write DIR`: writes the generated 50,000-component SBOM as `DIR/sbom-50k.spdx.json`
//! (SPDX 2.3) and `DIR/sbom-50k.cdx.json` (CycloneDX 1.5) for `compare-sbom`.
//! `sbom-bench parse FILE`: reads one SBOM once and prints its package count (run it under
//! `/usr/bin/time -v` for the peak memory of a parse).
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args_os().skip(1);
    let verb = args.next().and_then(|a| a.into_string().ok());
    let path = args.next().map(PathBuf::from);
    match (verb.as_deref(), path) {
        (Some("write"), Some(dir)) => {
            let (spdx, cdx) = supply_benches::sbom_gen::documents();
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join("sbom-50k.spdx.json"), spdx)?;
            std::fs::write(dir.join("sbom-50k.cdx.json"), cdx)?;
            Ok(())
        }
        (Some("parse"), Some(file)) => {
            let doc = supply_sbom::format::read(&std::fs::read(file)?)?;
            println!("{}", doc.sbom.packages.len());
            Ok(())
        }
        _ => Err("usage: sbom-bench write DIR | sbom-bench parse FILE".into()),
    }
}
