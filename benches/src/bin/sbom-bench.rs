//! `sbom-bench write DIR`: writes the generated 50,000-component SBOM as `DIR/sbom-50k.spdx.json`
//! (SPDX 2.3) and `DIR/sbom-50k.cdx.json` (CycloneDX 1.5) for `compare-sbom`.
//! `sbom-bench parse FILE`: reads one SBOM once and prints its package count (run it under
//! `/usr/bin/time -v` for the peak memory of a parse).
//! `sbom-bench time FILE [N]`: reads FILE N times (default 5) and writes it back in its own
//! format N times in one process, and prints the fastest and median of each (a quick look
//! between criterion runs, which `compare-sbom` makes); with `SBOM_BENCH_PARSE_ONLY` set, it
//! stops after the reads (for a profiler's view of the reader alone).
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
        (Some("time"), Some(file)) => {
            let runs: usize = match args.next() {
                Some(n) => n.into_string().map_err(|_| "N")?.parse()?,
                None => 5,
            };
            time(&std::fs::read(file)?, runs.max(1))
        }
        _ => Err(
            "usage: sbom-bench write DIR | sbom-bench parse FILE | sbom-bench time FILE [N]".into(),
        ),
    }
}

fn time(bytes: &[u8], runs: usize) -> Result<(), Box<dyn Error>> {
    use std::time::{Duration, Instant};
    let report = |what: &str, mut ts: Vec<Duration>| {
        ts.sort();
        println!(
            "{what}: min {:.1} ms, median {:.1} ms ({} runs)",
            ts[0].as_secs_f64() * 1e3,
            ts[ts.len() / 2].as_secs_f64() * 1e3,
            ts.len()
        );
    };
    // Timed with the drop of the result, as criterion's `iter` times it.
    let mut parse = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        drop(supply_sbom::format::read(bytes)?);
        parse.push(t.elapsed());
    }
    report("parse (and drop)", parse);
    if std::env::var_os("SBOM_BENCH_PARSE_ONLY").is_some() {
        return Ok(());
    }
    let doc = supply_sbom::format::read(bytes)?;
    let out = match doc.format {
        supply_sbom::format::Format::CycloneDxJson(_) => {
            supply_sbom::format::OutputFormat::CycloneDxJson
        }
        _ => supply_sbom::format::OutputFormat::SpdxJson,
    };
    let mut write = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let bytes = supply_sbom::format::write(&doc.sbom, out);
        write.push(t.elapsed());
        drop(bytes);
    }
    report("write", write);
    Ok(())
}
