//! supply-oci against the registries of the test harness (started here, stopped by PID):
//!
//! - `manifest/<file>`: `Manifest::parse` (validation included) plus the digest of the raw
//!   bytes, on real manifests from `testdata/oci/containers-image/manifest/`.
//! - `referrers-1000/api`: `Client::referrers` of a subject with 1,000 referrers on
//!   go-containerregistry's registry (Referrers API, `.peers/bin/ggcr-registry`), every entry
//!   verified against its manifest; `referrers-1000/fallback`: the same on Debian's
//!   docker-registry through the `sha256-<hex>` tag.
//! - `blob-pull/<size>`: `Client::fetch_blob_to_file` of one blob from docker-registry
//!   (hashed while streaming, written to a temporary file, synced, renamed). 256 MiB by
//!   default, `SUPPLY_BENCH_BLOB_MIB` for another size (1024 for the 1 GiB of issue 11).
//!
//! Process-to-process comparisons with crane, curl and oras are in `benches/compare-oci`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use supply_oci::manifest::{Document, ImageManifest, Manifest};
use supply_oci::reference::Reference;
use supply_oci::registry::{Anonymous, Client, Options};
use supply_oci::Descriptor;
use supply_testkit::registry::{GgcrRegistry, Registry};

const MANIFESTS: &[&str] = &[
    "ociv1.manifest.json",
    "ociv1.everything.json",
    "ociv1.image.index.json",
    "v2s2.manifest.json",
    "v2list.everything.json",
];

fn manifests(c: &mut Criterion) {
    let mut g = c.benchmark_group("manifest");
    for name in MANIFESTS {
        let raw = supply_testkit::read(&format!("oci/containers-image/manifest/{name}"));
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let m = Manifest::parse(black_box(raw.clone()), None).unwrap();
                black_box(m.digest())
            })
        });
    }
    g.finish();
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client() -> Client {
    Client::new(Options::new(), Box::new(Anonymous)).unwrap()
}

/// Pushes a subject and `n` referrers of it (empty config and layer, an artifact type and an
/// annotation each) to `repo`; with `attach`, through `Client::attach` (the fallback index on
/// a registry without the API), else by digest only. Returns the subject's reference.
fn seed_referrers(
    rt: &tokio::runtime::Runtime,
    c: &Client,
    repo: &Reference,
    n: usize,
    attach: bool,
) -> Reference {
    rt.block_on(async {
        let config = c
            .push_blob(repo, supply_oci::media_type::OCI_CONFIG, b"{}")
            .await
            .unwrap();
        let layer = c
            .push_blob(repo, supply_oci::media_type::OCI_LAYER_TAR, b"subject")
            .await
            .unwrap();
        let subject = Manifest::encode(&Document::OciManifest(ImageManifest::new(
            config,
            vec![layer],
        )))
        .unwrap();
        c.push_manifest(&repo.with_tag("v1").unwrap(), &subject)
            .await
            .unwrap();
        let empty = c
            .push_blob(repo, supply_oci::media_type::OCI_EMPTY, b"{}")
            .await
            .unwrap();
        let mut entries = Vec::new();
        for i in 0..n {
            let mut m = ImageManifest::new(empty.clone(), vec![Descriptor::empty()]);
            m.artifact_type = Some(format!("application/vnd.example.kind{}", i % 4));
            m.subject = Some(subject.descriptor());
            let mut ann = BTreeMap::new();
            ann.insert("org.example.n".to_owned(), i.to_string());
            m.annotations = Some(ann);
            let m = Manifest::encode(&Document::OciManifest(m)).unwrap();
            c.push_manifest(&repo.with_digest(m.digest()), &m)
                .await
                .unwrap();
            entries.push(supply_oci::registry::referrers::fallback_entry(&m));
        }
        if attach {
            // One fallback index with all entries (what 1,000 `attach` calls leave behind,
            // written once instead of read-modify-written 1,000 times).
            let tag = supply_oci::reference::referrers_tag(&subject.digest());
            let index = Manifest::encode(&Document::OciIndex(
                supply_oci::manifest::ImageIndex::new(entries),
            ))
            .unwrap();
            c.push_manifest(&repo.with_tag(&tag).unwrap(), &index)
                .await
                .unwrap();
        }
        repo.with_digest(subject.digest())
    })
}

fn referrers(c: &mut Criterion) {
    let rt = rt();
    let mut g = c.benchmark_group("referrers-1000");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let ggcr = GgcrRegistry::start().expect("ggcr-registry (scripts/install-peers)");
    let cl = client();
    let repo = Reference::parse(&format!("{}/bench/api", ggcr.host())).unwrap();
    let subject = seed_referrers(&rt, &cl, &repo, 1000, false);
    g.bench_function("api", |b| {
        b.iter(|| {
            // A fresh client each time: no cached capability or connection.
            let r = rt.block_on(client().referrers(&subject, None)).unwrap();
            assert!(r.from_api);
            assert_eq!(r.referrers.len(), 1000);
        })
    });
    let reg = Registry::start().expect("docker-registry (scripts/install-peers)");
    let repo = Reference::parse(&format!("{}/bench/fallback", reg.host())).unwrap();
    let subject = seed_referrers(&rt, &cl, &repo, 1000, true);
    g.bench_function("fallback", |b| {
        b.iter(|| {
            let r = rt.block_on(client().referrers(&subject, None)).unwrap();
            assert!(!r.from_api);
            assert_eq!(r.referrers.len(), 1000);
        })
    });
    g.finish();
}

fn blob_pull(c: &mut Criterion) {
    let mib: u64 = std::env::var("SUPPLY_BENCH_BLOB_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let rt = rt();
    let reg = Registry::start().expect("docker-registry (scripts/install-peers)");
    let cl = client();
    let repo = Reference::parse(&format!("{}/bench/blob", reg.host())).unwrap();
    let dir = supply_testkit::tempdir();
    let src = dir.path().join("src.bin");
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&src).unwrap());
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut block = vec![0u8; 1 << 20];
        for _ in 0..mib {
            for chunk in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&block).unwrap();
        }
    }
    let desc = rt
        .block_on(cl.push_blob_file(&repo, "application/octet-stream", &src, u64::MAX, None))
        .unwrap();
    std::fs::remove_file(&src).unwrap();
    let dest = dir.path().join("pulled.bin");
    let mut g = c.benchmark_group("blob-pull");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Bytes(desc.size));
    g.bench_function(format!("{mib}MiB"), |b| {
        b.iter(|| {
            rt.block_on(cl.fetch_blob_to_file(&repo, &desc, &dest, u64::MAX, None))
                .unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, manifests, referrers, blob_pull);
criterion_main!(benches);
