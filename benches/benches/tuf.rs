//! supply-tuf against tough (the Rust TUF client) on one repository on disk: 10,000 targets
//! spread over 256 `path_hash_prefixes` hash bins and a 5-step root rotation chain
//! ([`supply_benches::tuf_repo`]), written to a temporary directory; both clients read the
//! metadata files from it and persist what they verify in a directory of their own.
//!
//! | id | what |
//! |---|---|
//! | `tuf/refresh-cold/<impl>` | bootstrap from root v1 with an empty cache: 5 rotations, timestamp, snapshot, top-level targets |
//! | `tuf/refresh-warm/<impl>` | from the latest root with the cache of a previous refresh |
//! | `tuf/lookup-cold/supply-tuf` | one target through the delegations after a refresh: its bin fetched and verified |
//! | `tuf/lookup-warm/<impl>` | the same target once its bin is trusted (tough: `find_target` in loaded metadata) |
//! | `tuf/load-all-bins/<impl>` | cold refresh plus every one of the 256 bins fetched and verified |
//!
//! `<impl>` is `supply-tuf` (default [`Config`], i.e. the RustCrypto provider, as a user gets it),
//! `supply-tuf-aws-lc` (feature `aws-lc-rs`) or `tough`. tough has no lazy lookup: its `load`
//! fetches and verifies every delegated role, so its `refresh-*` rows do the work of
//! `load-all-bins` (which is therefore not run again for tough), and it has no `lookup-cold`. `benches/compare-tuf` adds python-tuf's ngclient
//! on the same repository and prints the table.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use supply_benches::tuf_repo::LOOKUP;
use supply_sig::crypto::Provider;
use supply_tuf::client::local::{DirTransport, FsStore};
use supply_tuf::client::{self, Config, Updater};
use supply_tuf::time::Timestamp;

fn providers() -> Vec<(&'static str, &'static Provider)> {
    #[allow(unused_mut)] // one provider without the aws-lc-rs feature
    let mut v = vec![("supply-tuf", Config::default().provider)];
    #[cfg(feature = "aws-lc-rs")]
    v.push(("supply-tuf-aws-lc", &supply_sig::crypto::AWS_LC));
    v
}

fn refresh(
    root: &[u8],
    now: Timestamp,
    p: &'static Provider,
    repo: &Path,
    cache: &Path,
) -> Updater {
    let mut u = Updater::new(root, now, Config::default().with_provider(p)).unwrap();
    let mut transport = DirTransport::new(repo.join("metadata"), repo.join("targets"));
    client::run_refresh(&mut u, &mut transport, &mut FsStore::new(cache)).unwrap();
    u
}

fn lookup(u: &mut Updater, target: &str, repo: &Path, cache: &Path) -> u64 {
    let mut transport = DirTransport::new(repo.join("metadata"), repo.join("targets"));
    let t = client::run_lookup(u, target, &mut transport, &mut FsStore::new(cache)).unwrap();
    t.unwrap().file().length
}

/// One target in each bin (the first of the repository's targets that the bin lists).
fn one_target_per_bin(u: &Updater) -> Vec<String> {
    let top = u.trusted().targets("targets").unwrap().signed();
    let roles = top.delegations.as_ref().unwrap().roles.as_ref().unwrap();
    let mut out = Vec::new();
    for r in roles {
        let p = (0..supply_benches::tuf_repo::TARGETS)
            .map(|i| format!("pkg/file-{i}.tar.gz"))
            .find(|p| r.is_delegated_path(p))
            .unwrap();
        out.push(p);
    }
    out
}

fn tough_load(
    rt: &tokio::runtime::Runtime,
    root: &[u8],
    repo: &Path,
    datastore: &Path,
) -> tough::Repository {
    let meta = url::Url::from_directory_path(repo.join("metadata")).unwrap();
    let targets = url::Url::from_directory_path(repo.join("targets")).unwrap();
    let root = root.to_vec();
    rt.block_on(
        tough::RepositoryLoader::new(&root, meta, targets)
            .datastore(datastore)
            .load(),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let (root, files) = supply_benches::tuf_repo::build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    supply_benches::tuf_repo::write(&repo, &root, &files).unwrap();
    let latest_root = files
        .iter()
        .filter_map(|(n, b)| {
            let v: u64 = n.strip_suffix(".root.json")?.parse().ok()?;
            Some((v, b))
        })
        .max()
        .map(|(_, b)| b.clone())
        .unwrap();
    let now = Timestamp::parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
    let cache_dir = |name: &str| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let fresh = || tempfile::tempdir_in(dir.path()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let mut g = c.benchmark_group("tuf");
    g.sample_size(20);
    for (name, p) in providers() {
        g.bench_function(format!("refresh-cold/{name}"), |b| {
            b.iter_batched(
                fresh,
                |cache| {
                    let u = refresh(&root, now, p, &repo, cache.path());
                    black_box(u.trusted().root().version());
                    (u, cache)
                },
                BatchSize::PerIteration,
            );
        });
        let warm = cache_dir(&format!("warm-{name}"));
        let u = refresh(&root, now, p, &repo, &warm);
        g.bench_function(format!("refresh-warm/{name}"), |b| {
            b.iter_with_large_drop(|| {
                let u = refresh(&latest_root, now, p, &repo, &warm);
                black_box(u.trusted().timestamp().map(|t| t.version()));
                u
            });
        });
        // The updater is cloned outside the measurement (and returned, so that criterion drops
        // it outside too): only the bin fetch, its verification and the search are timed.
        g.bench_function(format!("lookup-cold/{name}"), |b| {
            b.iter_batched(
                || (u.clone(), fresh()),
                |(mut u, cache)| {
                    black_box(lookup(&mut u, LOOKUP, &repo, cache.path()));
                    (u, cache)
                },
                BatchSize::PerIteration,
            );
        });
        let mut hot = u.clone();
        let hot_cache = cache_dir(&format!("hot-{name}"));
        lookup(&mut hot, LOOKUP, &repo, &hot_cache);
        g.bench_function(format!("lookup-warm/{name}"), |b| {
            b.iter(|| black_box(lookup(&mut hot, LOOKUP, &repo, &hot_cache)));
        });
        let per_bin = one_target_per_bin(&u);
        g.bench_function(format!("load-all-bins/{name}"), |b| {
            b.iter_batched(
                fresh,
                |cache| {
                    let mut u = refresh(&root, now, p, &repo, cache.path());
                    for t in &per_bin {
                        black_box(lookup(&mut u, t, &repo, cache.path()));
                    }
                    (u, cache)
                },
                BatchSize::PerIteration,
            );
        });
    }

    // tough: `load` is refresh plus every delegated role.
    g.bench_function("refresh-cold/tough", |b| {
        b.iter_batched(
            fresh,
            |store| {
                let r = tough_load(&rt, &root, &repo, store.path());
                (r, store)
            },
            BatchSize::PerIteration,
        );
    });
    let tough_warm = cache_dir("warm-tough");
    let loaded = tough_load(&rt, &root, &repo, &tough_warm);
    g.bench_function("refresh-warm/tough", |b| {
        b.iter_with_large_drop(|| tough_load(&rt, &latest_root, &repo, &tough_warm));
    });
    let name = tough::TargetName::new(LOOKUP).unwrap();
    g.bench_function("lookup-warm/tough", |b| {
        b.iter(|| {
            black_box(
                loaded
                    .targets()
                    .signed
                    .find_target(&name, false)
                    .unwrap()
                    .length,
            )
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
