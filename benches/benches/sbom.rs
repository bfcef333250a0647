//! SBOM parsing, writing and license policy at scale (issue 13): the generated
//! 50,000-component SBOM of `supply_benches::sbom_gen` (components of three real-world SBOMs
//! repeated under new names) as SPDX 2.3 JSON and CycloneDX 1.5 JSON, read and written by
//! supply-sbom and, on the same bytes, by the Rust peers `spdx-rs` 0.5 (SPDX 2 JSON, serde
//! model) and `cyclonedx-bom` 0.8 (CycloneDX up to 1.5).
//!
//! - `sbom-parse-50k/<format>/<impl>`: bytes → model (ours: `format::read`, which also detects
//!   the format and validates as it reads).
//! - `sbom-write-50k/<format>/<impl>`: model → JSON bytes.
//! - `sbom-policy-50k/supply`: `Policy::check_sbom` (deny list, a copyleft family, two
//!   blocked-package rules, one a VERS range) over every component.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use supply_benches::sbom_gen::{documents, COMPONENTS};
use supply_sbom::format::{self, OutputFormat};
use supply_sbom::license::policy::{Family, Policy};

fn policy() -> Policy {
    Policy::new()
        .deny("AGPL-3.0-or-later")
        .unwrap()
        .deny("SSPL-1.0")
        .unwrap()
        .deny_family(Family::StrongCopyleft)
        .block("pkg:maven/io.vertx/vertx-core@<4.3.5")
        .unwrap()
        .block("pkg:deb/debian/openssl@vers:deb/>=1.1.0|<1.1.1n-0+deb10u3")
        .unwrap()
        .with_unknown_is_violation(false)
}

fn sbom(c: &mut Criterion) {
    let (spdx, cdx) = documents();
    // Whether each peer reads its file at all; the models are dropped again so that the
    // parse group runs in a heap holding only the two inputs (with ~1 GiB of models live
    // beside it, every implementation's allocations and frees ran ~40 % slower than in a
    // process of its own, which is how the python peers are measured).
    let spdx_rs_reads = match serde_json::from_slice::<spdx_rs::models::SPDX>(&spdx) {
        Ok(d) => {
            assert_eq!(d.package_information.len(), COMPONENTS);
            true
        }
        Err(e) => {
            println!("spdx-rs cannot read the SPDX 2.3 file: {e}");
            false
        }
    };
    let cyclonedx_bom_reads = match cyclonedx_bom::prelude::Bom::parse_from_json_v1_5(&cdx[..]) {
        Ok(b) => {
            // The described package is `metadata.component`, which supply-sbom counts as a
            // package.
            let root = b
                .metadata
                .as_ref()
                .and_then(|m| m.component.as_ref())
                .is_some();
            assert_eq!(
                b.components.as_ref().map_or(0, |c| c.0.len()) + usize::from(root),
                COMPONENTS
            );
            true
        }
        Err(e) => {
            println!("cyclonedx-bom cannot read the CycloneDX 1.5 file: {e}");
            false
        }
    };
    for doc in [&spdx, &cdx] {
        assert_eq!(format::read(doc).unwrap().sbom.packages.len(), COMPONENTS);
    }

    let mut g = c.benchmark_group("sbom-parse-50k");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(COMPONENTS as u64));
    g.bench_function("spdx-json/supply", |b| {
        b.iter(|| format::read(black_box(&spdx)).unwrap())
    });
    if spdx_rs_reads {
        g.bench_function("spdx-json/spdx-rs", |b| {
            b.iter(|| serde_json::from_slice::<spdx_rs::models::SPDX>(black_box(&spdx)).unwrap())
        });
    }
    g.bench_function("cyclonedx-json/supply", |b| {
        b.iter(|| format::read(black_box(&cdx)).unwrap())
    });
    if cyclonedx_bom_reads {
        g.bench_function("cyclonedx-json/cyclonedx-bom", |b| {
            b.iter(|| {
                cyclonedx_bom::prelude::Bom::parse_from_json_v1_5(black_box(&cdx[..])).unwrap()
            })
        });
    }
    g.finish();

    let ours_spdx = format::read(&spdx).unwrap();
    let ours_cdx = format::read(&cdx).unwrap();
    let peer_spdx =
        spdx_rs_reads.then(|| serde_json::from_slice::<spdx_rs::models::SPDX>(&spdx).unwrap());
    let peer_cdx = cyclonedx_bom_reads
        .then(|| cyclonedx_bom::prelude::Bom::parse_from_json_v1_5(&cdx[..]).unwrap());
    let mut g = c.benchmark_group("sbom-write-50k");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(COMPONENTS as u64));
    g.bench_function("spdx-json/supply", |b| {
        b.iter(|| format::write(black_box(&ours_spdx.sbom), OutputFormat::SpdxJson))
    });
    if let Some(d) = &peer_spdx {
        g.bench_function("spdx-json/spdx-rs", |b| {
            b.iter(|| serde_json::to_vec_pretty(black_box(d)).unwrap())
        });
    }
    g.bench_function("cyclonedx-json/supply", |b| {
        b.iter(|| format::write(black_box(&ours_cdx.sbom), OutputFormat::CycloneDxJson))
    });
    if let Some(bom) = &peer_cdx {
        g.bench_function("cyclonedx-json/cyclonedx-bom", |b| {
            // Its writer consumes the model: the clone is timed apart and subtracted in the
            // README's table (`sbom-write-50k/cyclonedx-json/cyclonedx-bom-clone`).
            b.iter(|| {
                let mut out = Vec::with_capacity(cdx.len());
                black_box(bom.clone())
                    .output_as_json_v1_5(&mut out)
                    .unwrap();
                out
            })
        });
        g.bench_function("cyclonedx-json/cyclonedx-bom-clone", |b| {
            b.iter(|| black_box(bom.clone()))
        });
    }
    g.finish();

    let policy = policy();
    let findings = policy.check_sbom(&ours_cdx.sbom);
    println!(
        "policy over {COMPONENTS} components: {} findings",
        findings.len()
    );
    let mut g = c.benchmark_group("sbom-policy-50k");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(COMPONENTS as u64));
    g.bench_function("supply", |b| {
        b.iter(|| policy.check_sbom(black_box(&ours_cdx.sbom)).len())
    });
    g.finish();
}

criterion_group!(benches, sbom);
criterion_main!(benches);
