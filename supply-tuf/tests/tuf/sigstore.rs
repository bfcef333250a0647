//! `supply_tuf::sigstore` (feature `sigstore`) against the real Sigstore public-good TUF
//! repository as it was in August 2026 (testdata/tuf/sigstore-root-signing/current-2026-08),
//! served over HTTP on 127.0.0.1 at the reference time 2026-08-22T00:00:00Z.

use std::path::Path;

use supply_testkit::http::StaticServer;
use supply_tuf::client::http::HttpTransport;
use supply_tuf::sigstore::{self, Cache, Error, Repository, SigstoreTrust};
use supply_tuf::time::Timestamp;
use supply_tuf::RUSTCRYPTO;

use crate::{at, read, sha256, td};

const REPO: &str = "sigstore-root-signing/current-2026-08";
const TRUSTED_ROOT_SHA256: &str =
    "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66";
const SIGNING_CONFIG_SHA256: &str =
    "9711a6d5375706957a4859af31c5866a4474f81f0544f9f4b76c9c4f4c8a539c";

fn now() -> Timestamp {
    at("2026-08-22T00:00:00Z")
}

/// The repository laid out as its CDN serves it (metadata at the base URL, targets at
/// `<base>/targets`) in `dir`, served over HTTP. The one place a test server is started.
pub(crate) fn serve_sigstore_repo(dir: &Path) -> StaticServer {
    copy_dir(&td(&format!("{REPO}/metadata")), dir);
    copy_dir(&td(&format!("{REPO}/targets")), &dir.join("targets"));
    StaticServer::start(dir)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn online(repo: &Repository, cache: &Cache, now: Timestamp) -> Result<SigstoreTrust, Error> {
    let mut t: HttpTransport = repo.transport().unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(sigstore::refresh(repo, cache, now, &RUSTCRYPTO, &mut t))
}

fn check(trust: &SigstoreTrust) {
    assert_eq!(trust.root_version, 15);
    assert_eq!(trust.timestamp_version, 762);
    assert_eq!(sha256(&trust.trusted_root_json), TRUSTED_ROOT_SHA256);
    assert_eq!(
        sha256(trust.signing_config_json.as_deref().unwrap()),
        SIGNING_CONFIG_SHA256
    );
    assert!(trust.signing_config.is_some());
    assert!(trust
        .trusted_root
        .tlogs()
        .iter()
        .any(|l| l.origin().contains("rekor.sigstore.dev")));
}

#[test]
fn embedded_roots_are_what_sigstore_python_ships() {
    assert_eq!(
        sigstore::PRODUCTION_ROOT,
        &read(&format!("{REPO}/metadata/15.root.json"))[..]
    );
    assert_eq!(
        sha256(sigstore::STAGING_ROOT),
        "353d172f05f9e73b4a647b1a464f16726d929cbfd030cc42bffb86cd742fb61f"
    );
}

/// The whole flow: online from the embedded root through a mirror, then offline from the
/// cache with the server gone; the cache holds no root as an anchor.
#[test]
fn refresh_then_offline() {
    let served = supply_testkit::tempdir();
    let cache_dir = supply_testkit::tempdir();
    let server = serve_sigstore_repo(served.path());
    let repo = Repository::mirror(&server.url(""));
    let cache = Cache::under(cache_dir.path(), &repo);
    let trust = online(&repo, &cache, now()).unwrap();
    check(&trust);
    let reqs = server.requests();
    assert!(reqs.contains(&"16.root.json".to_owned()), "{reqs:?}");
    assert!(
        reqs.contains(&format!("targets/{TRUSTED_ROOT_SHA256}.trusted_root.json")),
        "{reqs:?}"
    );
    for f in ["timestamp.json", "snapshot.json", "targets.json"] {
        assert!(cache.dir().join(f).is_file(), "{f} not cached");
    }
    assert!(!cache.dir().join("root.json").exists());
    assert!(cache.targets_dir().join("trusted_root.json").is_file());

    // Online again: the cached targets match, only metadata is fetched.
    server.clear_requests();
    check(&online(&repo, &cache, now()).unwrap());
    assert!(
        server.requests().iter().all(|r| !r.starts_with("targets/")),
        "{:?}",
        server.requests()
    );

    drop(server);
    check(&sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO).unwrap());
    // Offline on an empty cache: a typed error.
    let empty = Cache::new(cache_dir.path().join("nothing"));
    assert!(matches!(
        sigstore::load_offline(&repo, &empty, now(), &RUSTCRYPTO),
        Err(Error::CacheMissing { .. })
    ));
}

#[test]
fn tampered_cache_is_refetched_online_and_refused_offline() {
    let served = supply_testkit::tempdir();
    let cache_dir = supply_testkit::tempdir();
    let server = serve_sigstore_repo(served.path());
    let repo = Repository::mirror(&server.url(""));
    let cache = Cache::new(cache_dir.path());
    check(&online(&repo, &cache, now()).unwrap());

    // A changed cached trusted_root.json (still valid JSON, one log dropped).
    let cached_root = cache.targets_dir().join("trusted_root.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cached_root).unwrap()).unwrap();
    v["tlogs"].as_array_mut().unwrap().pop();
    std::fs::write(&cached_root, serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(matches!(
        sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO),
        Err(Error::CachedTargetInvalid { target }) if target == "trusted_root.json"
    ));
    server.clear_requests();
    check(&online(&repo, &cache, now()).unwrap());
    assert!(server
        .requests()
        .contains(&format!("targets/{TRUSTED_ROOT_SHA256}.trusted_root.json")));
    assert_eq!(
        sha256(&std::fs::read(&cached_root).unwrap()),
        TRUSTED_ROOT_SHA256
    );

    // Tampered timestamp and snapshot metadata: refused offline, fetched again online.
    for (file, fetched) in [
        ("timestamp.json", "timestamp.json"),
        ("snapshot.json", "165.snapshot.json"),
    ] {
        let path = cache.dir().join(file);
        let good = std::fs::read(&path).unwrap();
        let bad = String::from_utf8(good.clone()).unwrap().replacen(
            "\"expires\": \"20",
            "\"expires\": \"21",
            1,
        );
        assert!(bad.as_bytes() != &good[..], "{file} unchanged");
        std::fs::write(&path, bad).unwrap();
        let e = sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO).unwrap_err();
        assert!(matches!(e, Error::CacheInvalid { .. }), "{file}: {e:?}");
        server.clear_requests();
        check(&online(&repo, &cache, now()).unwrap());
        assert!(
            server.requests().contains(&fetched.to_owned()),
            "{file}: {:?}",
            server.requests()
        );
        assert!(std::fs::read(&path).unwrap() == good, "{file} not repaired");
        check(&sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO).unwrap());
    }
}

/// Timestamp v762 expires 2026-08-28T19:25:56Z: a refresh after it is a freeze, and an
/// offline load of the (valid, older) cache fails closed.
#[test]
fn expired_timestamp_is_refused_online_and_offline() {
    let served = supply_testkit::tempdir();
    let cache_dir = supply_testkit::tempdir();
    let server = serve_sigstore_repo(served.path());
    let repo = Repository::mirror(&server.url(""));
    let cache = Cache::new(cache_dir.path());
    check(&online(&repo, &cache, now()).unwrap());
    let later = at("2026-09-01T00:00:00Z");
    let e = online(&repo, &cache, later).unwrap_err();
    let Error::Refresh { source, .. } = &e else {
        panic!("{e:?}")
    };
    match source.as_ref() {
        supply_tuf::client::Error::Expired { role, expires } => {
            assert_eq!(role, "timestamp");
            assert_eq!(expires, "2026-08-28T19:25:56Z");
        }
        e => panic!("{e:?}"),
    }
    let e = sigstore::load_offline(&repo, &cache, later, &RUSTCRYPTO).unwrap_err();
    assert!(
        matches!(&e, Error::CacheExpired { role, .. } if role == "timestamp"),
        "{e:?}"
    );
    assert!(e.to_string().contains("expired"), "{e}");
}

/// Bootstrapping from an old root walks the chain to v15, caches the history, and an offline
/// load from the same old root walks the cached history again.
#[test]
fn custom_initial_root_walks_to_v15() {
    let served = supply_testkit::tempdir();
    let cache_dir = supply_testkit::tempdir();
    let server = serve_sigstore_repo(served.path());
    let repo = Repository::custom(
        &server.url(""),
        read(&format!("{REPO}/metadata/5.root.json")),
    );
    let cache = Cache::new(cache_dir.path());
    check(&online(&repo, &cache, now()).unwrap());
    for v in 6..=15 {
        assert!(cache.dir().join(format!("{v}.root.json")).is_file(), "{v}");
    }
    drop(server);
    check(&sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO).unwrap());
    // A tampered cached root in the history breaks the offline walk (fail closed).
    let r = cache.dir().join("9.root.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&r).unwrap()).unwrap();
    v["signed"]["expires"] = "2099-01-01T00:00:00Z".into();
    std::fs::write(&r, serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(matches!(
        sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO),
        Err(Error::CacheInvalid { .. })
    ));
}

/// Two refreshes at once into one cache directory both succeed, and the cache they leave
/// verifies (every write is a rename of a complete file).
#[test]
fn concurrent_refreshes_share_one_cache() {
    let served = supply_testkit::tempdir();
    let cache_dir = supply_testkit::tempdir();
    let server = serve_sigstore_repo(served.path());
    let repo = Repository::custom(
        &server.url(""),
        read(&format!("{REPO}/metadata/5.root.json")),
    );
    let cache = Cache::new(cache_dir.path());
    for _ in 0..3 {
        std::thread::scope(|s| {
            let a = s.spawn(|| online(&repo, &cache, now()));
            let b = s.spawn(|| online(&repo, &cache, now()));
            check(&a.join().unwrap().unwrap());
            check(&b.join().unwrap().unwrap());
        });
        check(&sigstore::load_offline(&repo, &cache, now(), &RUSTCRYPTO).unwrap());
    }
    // No temporary files are left behind.
    for dir in [cache.dir().to_path_buf(), cache.targets_dir()] {
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name();
            assert!(!name.to_string_lossy().contains(".tmp-"), "{name:?}");
        }
    }
}
