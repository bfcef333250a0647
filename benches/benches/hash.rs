//! SHA-256 / SHA-512 throughput: every provider through our `HashProvider` layer, and the bare
//! `sha2` crate (and bare `aws_lc_rs::digest` with the `aws-lc-rs` feature) on the same bytes.
//!
//! Bench ids: `hash-<alg>/<impl>/<bytes>`; `<impl>` is a provider name or `bare-<crate>`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sha2::Digest as _;
use supply_sig::crypto::all_providers;
use supply_sig::digest::Algorithm;

const SIZES: [usize; 4] = [64, 16 * 1024, 1024 * 1024, 64 * 1024 * 1024];

fn bench_alg(c: &mut Criterion, alg: Algorithm) {
    let data: Vec<u8> = (0..SIZES[3])
        .map(|i| (i.to_le_bytes()[0]).wrapping_mul(31))
        .collect();
    let mut group = c.benchmark_group(format!("hash-{}", alg.name()));
    for size in SIZES {
        let input = &data[..size];
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 64 * 1024 * 1024 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(8));
        } else {
            group.sample_size(50);
            group.measurement_time(Duration::from_secs(3));
        }
        for p in all_providers() {
            group.bench_with_input(BenchmarkId::new(p.name, size), input, |b, d| {
                b.iter(|| p.hash.digest(alg, black_box(d)))
            });
        }
        group.bench_with_input(BenchmarkId::new("bare-sha2", size), input, |b, d| {
            b.iter(|| match alg {
                Algorithm::Sha512 => sha2::Sha512::digest(black_box(d)).to_vec(),
                _ => sha2::Sha256::digest(black_box(d)).to_vec(),
            })
        });
        #[cfg(feature = "aws-lc-rs")]
        {
            let a = match alg {
                Algorithm::Sha512 => &aws_lc_rs::digest::SHA512,
                _ => &aws_lc_rs::digest::SHA256,
            };
            group.bench_with_input(BenchmarkId::new("bare-aws-lc-rs", size), input, |b, d| {
                b.iter(|| aws_lc_rs::digest::digest(a, black_box(d)))
            });
        }
    }
    group.finish();
}

fn hashes(c: &mut Criterion) {
    bench_alg(c, Algorithm::Sha256);
    bench_alg(c, Algorithm::Sha512);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = hashes
}
criterion_main!(benches);
