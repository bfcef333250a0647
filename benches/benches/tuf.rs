//! supply-tuf: refresh from an in-memory repository with 10,000 targets spread over 256
//! `path_hash_prefixes` hash bins and a 5-step root rotation chain, with a cold cache (empty
//! store, the whole chain walked) and a warm one (the store from a previous refresh); target
//! lookup through the delegations (bin fetched and verified, or already trusted).
//!
//! Bench ids: `tuf/refresh-cold`, `tuf/refresh-warm`, `tuf/lookup-cold`, `tuf/lookup-warm`.
//! `benches/compare-tuf` runs python-tuf's ngclient on the same repository (tough: not wired yet).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use supply_benches::tuf_repo::LOOKUP;
use supply_tuf::client::{self, Config, Error, FileKind, MetadataStore, Transport, Updater};
use supply_tuf::time::Timestamp;

struct Mem<'a>(&'a BTreeMap<String, Vec<u8>>);

impl Transport for Mem<'_> {
    fn fetch(&mut self, kind: FileKind, path: &str, _max: u64) -> Result<Option<Vec<u8>>, Error> {
        assert_eq!(kind, FileKind::Metadata);
        Ok(self.0.get(path).cloned())
    }
}

#[derive(Default, Clone)]
struct Store(BTreeMap<String, Vec<u8>>);

impl MetadataStore for Store {
    fn load(&mut self, f: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.0.get(f).cloned())
    }
    fn store(&mut self, f: &str, b: &[u8]) -> Result<(), Error> {
        self.0.insert(f.to_owned(), b.to_vec());
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let (root, files) = supply_benches::tuf_repo::build().unwrap();
    let now = Timestamp::parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
    let mut g = c.benchmark_group("tuf");
    g.sample_size(20);
    g.bench_function("refresh-cold", |b| {
        b.iter(|| {
            let mut u = Updater::new(&root, now, Config::default()).unwrap();
            client::run_refresh(&mut u, &mut Mem(&files), &mut Store::default()).unwrap();
            black_box(u.trusted().root().version())
        });
    });
    let mut warm = Store::default();
    let mut u = Updater::new(&root, now, Config::default()).unwrap();
    client::run_refresh(&mut u, &mut Mem(&files), &mut warm).unwrap();
    let latest_root = warm.0["root.json"].clone();
    g.bench_function("refresh-warm", |b| {
        b.iter(|| {
            let mut store = warm.clone();
            let mut u = Updater::new(&latest_root, now, Config::default()).unwrap();
            client::run_refresh(&mut u, &mut Mem(&files), &mut store).unwrap();
            black_box(u.trusted().timestamp().map(|t| t.version()))
        });
    });
    g.bench_function("lookup-cold", |b| {
        // The updater is cloned outside the measurement: only the bin fetch, its verification
        // and the search are timed.
        b.iter_batched(
            || u.clone(),
            |mut u| {
                let t = client::run_lookup(&mut u, LOOKUP, &mut Mem(&files), &mut Store::default())
                    .unwrap();
                black_box(t.unwrap().file.length)
            },
            BatchSize::SmallInput,
        );
    });
    let mut hot = u.clone();
    client::run_lookup(&mut hot, LOOKUP, &mut Mem(&files), &mut Store::default()).unwrap();
    g.bench_function("lookup-warm", |b| {
        b.iter(|| {
            let t = client::run_lookup(&mut hot, LOOKUP, &mut Mem(&files), &mut Store::default())
                .unwrap();
            black_box(t.unwrap().file.length)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
