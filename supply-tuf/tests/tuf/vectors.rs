//! Every folder of testdata/tuf with the outcome its MANIFEST.md states.

use supply_sig::key::encoding::{AutoLoader, KeyLoader};
use supply_tuf::client::local::DirTransport;
use supply_tuf::client::{Error, TrustedSet, Updater};
use supply_tuf::metadata::{self, Metadata, Root, Snapshot, Targets, TimestampRole};
use supply_tuf::names;

use crate::{at, download, read, refresh, sha256, td, versions, MemStore, Repo};

const NPM: &str = "registry.npmjs.org";

fn provider() -> &'static supply_sig::crypto::Provider {
    &supply_sig::crypto::RUSTCRYPTO
}

fn threshold_failure(e: &Error) -> bool {
    matches!(
        e,
        Error::Metadata {
            source: metadata::Error::ThresholdNotMet { .. },
            ..
        }
    )
}

// ---- Sigstore production repository ---------------------------------------------------------

#[test]
fn sigstore_legacy_every_root_chains_to_9() {
    let now = at("2024-09-04T12:00:00Z");
    // Roots 1-4 carry hex SEC1 keys and RFC 3339 `expires` with fractions and offsets, which the
    // lenient time policy and the sslib key reader accept: the whole chain walks.
    for start in 1..=8 {
        let root = read(&format!(
            "sigstore-root-signing/legacy-2024-09/metadata/{start}.root.json"
        ));
        let mut repo = Repo::testdata("sigstore-root-signing/legacy-2024-09");
        let mut store = MemStore::default();
        let mut u = refresh(&root, now, &mut repo, &mut store)
            .unwrap_or_else(|e| panic!("bootstrap {start}: {e:?}"));
        assert_eq!(versions(&u), (9, 216, 155, 9), "bootstrap {start}");
        let (info, data) = download(&mut u, "trusted_root.json", &mut repo, &mut store).unwrap();
        assert_eq!(info.role(), "targets");
        assert_eq!(data.len(), 7014);
        assert_eq!(
            sha256(&data),
            "4364d7724c04cc912ce2a6c45ed2610e8d8d1c4dc857fb500292738d4d9c8d2c"
        );
        let (info, data) =
            download(&mut u, &format!("{NPM}/keys.json"), &mut repo, &mut store).unwrap();
        assert_eq!(info.role(), NPM);
        assert_eq!(data.len(), 1017);
        assert_eq!(
            sha256(&data),
            "7a8ec9678ad824cdccaa7a6dc0961caf8f8df61bc7274189122c123446248426"
        );
        // Snapshot meta entries delegated by nobody (rekor.json, staging.json, ...) are never fetched.
        let reqs = repo.meta_requests();
        assert!(
            reqs.iter()
                .all(|r| !r.contains("rekor") && !r.contains("staging")),
            "{reqs:?}"
        );
        // Custom target data stays opaque and is kept.
        let t = u.trusted().targets("targets").unwrap();
        assert!(t.signed().targets["rekor.pub"].custom.is_some());
        // Each intermediate root was persisted as root.json, exactly as received.
        assert_eq!(
            store.files["root.json"],
            read("sigstore-root-signing/legacy-2024-09/metadata/9.root.json")
        );
    }
}

#[test]
fn sigstore_current_every_root_chains_to_15() {
    let now = at("2026-08-22T00:00:00Z");
    for start in 1..=15 {
        let root = read(&format!(
            "sigstore-root-signing/current-2026-08/metadata/{start}.root.json"
        ));
        let mut repo = Repo::testdata("sigstore-root-signing/current-2026-08");
        let mut store = MemStore::default();
        let mut u = refresh(&root, now, &mut repo, &mut store)
            .unwrap_or_else(|e| panic!("bootstrap {start}: {e:?}"));
        assert_eq!(versions(&u), (15, 762, 165, 14), "bootstrap {start}");
        let (_, data) = download(&mut u, "trusted_root.json", &mut repo, &mut store).unwrap();
        assert_eq!(data.len(), 6787);
        assert_eq!(
            sha256(&data),
            "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
        );
        let (info, data) =
            download(&mut u, &format!("{NPM}/keys.json"), &mut repo, &mut store).unwrap();
        assert_eq!(info.role(), NPM);
        assert_eq!(u.trusted().targets(NPM).unwrap().version(), 8);
        assert_eq!(data.len(), 2121);
        assert_eq!(
            store.files[&format!("{NPM}.json")],
            read(&format!(
                "sigstore-root-signing/current-2026-08/metadata/8.{NPM}.json"
            ))
        );
    }
}

#[test]
fn sigstore_current_final_root_expired_at_today() {
    // After 2026-11-20T13:58:18Z root 15 is expired: the refresh must fail on the FINAL root
    // (the expired intermediate roots on the way are fine).
    let now = at("2026-11-21T00:00:00Z");
    let root = read("sigstore-root-signing/current-2026-08/metadata/5.root.json");
    let mut repo = Repo::testdata("sigstore-root-signing/current-2026-08");
    let mut store = MemStore::default();
    let err = refresh(&root, now, &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&err, Error::Expired { role, .. } if role == "root"),
        "{err:?}"
    );
    // The walk still reached and persisted root 15.
    assert_eq!(
        store.files["root.json"],
        read("sigstore-root-signing/current-2026-08/metadata/15.root.json")
    );
}

#[test]
fn sigstore_real_world_quirks() {
    // Root 11: an online key whose keyid is not the recomputed hash; roots 12-14 have empty
    // signatures; roots 5, 9, 10, 13 have signatures by unknown keyids. All verify.
    for v in [5, 9, 10, 11, 12, 13, 14, 15] {
        let root = read(&format!(
            "sigstore-root-signing/current-2026-08/metadata/{v}.root.json"
        ));
        TrustedSet::new(&root, at("2026-08-22T00:00:00Z"), provider())
            .unwrap_or_else(|e| panic!("root {v}: {e:?}"));
    }
    let r11 = read("sigstore-root-signing/current-2026-08/metadata/11.root.json");
    let md = Metadata::<Root>::from_slice(&r11).unwrap();
    // Unknown fields are kept in the model and covered by the signature (canonical original).
    let canon = String::from_utf8(md.canonical_signed().to_vec()).unwrap();
    assert!(canon.contains("x-tuf-on-ci-expiry-period"));
    assert!(md.signed().extra.contains_key("x-tuf-on-ci-expiry-period"));
    let r13 = read("sigstore-root-signing/current-2026-08/metadata/13.root.json");
    let md = Metadata::<Root>::from_slice(&r13).unwrap();
    assert!(md.signatures().iter().any(|s| s.sig.is_empty()));
}

// ---- python-tuf -----------------------------------------------------------------------------

#[test]
fn python_tuf_reference_repository() {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2029-12-31T00:00:00Z"), &mut repo, &mut store).unwrap();
    assert_eq!(versions(&u), (1, 1, 1, 1));
    assert_eq!(
        repo.meta_requests(),
        [
            "2.root.json",
            "timestamp.json",
            "snapshot.json",
            "targets.json"
        ]
    );
    let (info, data) = download(&mut u, "file3.txt", &mut repo, &mut store).unwrap();
    assert_eq!(info.role(), "role1");
    assert_eq!(data.len(), 28);
    assert!(repo.meta_requests().contains(&"role1.json"));
    let (info, data) = download(&mut u, "file1.txt", &mut repo, &mut store).unwrap();
    assert_eq!(data.len(), 31);
    assert_eq!(
        sha256(&data),
        "65b8c67f51c993d898250f40aa57a317d854900b3a04895464313e48785440da"
    );
    assert_eq!(
        info.file().custom.as_ref().unwrap()["file_permissions"],
        "0644"
    );
    let (_, data) = download(&mut u, "file2.txt", &mut repo, &mut store).unwrap();
    assert_eq!(data.len(), 39);
    // Nothing else is listed: role2 (paths []) is never fetched.
    assert!(
        supply_tuf::client::run_lookup(&mut u, "nope.txt", &mut repo, &mut store)
            .unwrap()
            .is_none()
    );
    assert!(!repo.meta_requests().contains(&"role2.json"));
    // Metadata was stored under its non-versioned name, exactly as served.
    for f in [
        "timestamp.json",
        "snapshot.json",
        "targets.json",
        "role1.json",
    ] {
        assert_eq!(
            store.files[f],
            read(&format!(
                "python-tuf/repository_data/repository/metadata/{f}"
            ))
        );
    }
}

#[test]
fn python_tuf_expires_in_2030() {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    let err = refresh(
        &root,
        at("2030-01-01T00:00:00Z"),
        &mut repo,
        &mut MemStore::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Expired { role, .. } if role == "root"),
        "{err:?}"
    );
}

#[test]
fn python_tuf_client_cache_is_reused() {
    // A client whose cache holds the current metadata fetches only the next root and the
    // timestamp (same version, not stored again); snapshot and targets come from the cache.
    for client in ["test_repository1", "test_repository2"] {
        let dir = format!("python-tuf/repository_data/client/{client}/metadata/current");
        let mut store = MemStore::default();
        for f in [
            "root.json",
            "timestamp.json",
            "snapshot.json",
            "targets.json",
            "role1.json",
        ] {
            store.files.insert(f.into(), read(&format!("{dir}/{f}")));
        }
        let mut repo = Repo::testdata("python-tuf/repository_data/repository");
        let root = store.files["root.json"].clone();
        let mut u = refresh(&root, at("2029-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
        assert_eq!(versions(&u), (1, 1, 1, 1));
        assert_eq!(repo.meta_requests(), ["2.root.json", "timestamp.json"]);
        assert!(store.writes.is_empty(), "{:?}", store.writes);
        let (info, _) = download(&mut u, "file3.txt", &mut repo, &mut store).unwrap();
        assert_eq!(info.role(), "role1");
        assert!(!repo.meta_requests().contains(&"role1.json"));
    }
    // map.json (TAP 4) is plain JSON: two repositories, two mappings.
    let map: serde_json::Value =
        serde_json::from_slice(&read("python-tuf/repository_data/client/map.json")).unwrap();
    assert_eq!(map["repositories"].as_object().unwrap().len(), 2);
    assert_eq!(map["mapping"].as_array().unwrap().len(), 2);
}

#[test]
fn python_tuf_keystore() {
    let root = Metadata::<Root>::from_slice(&read(
        "python-tuf/repository_data/repository/metadata/1.root.json",
    ))
    .unwrap();
    let keys = &root.signed().keys;
    for (file, role) in [
        ("root_key", "root"),
        ("timestamp_key", "timestamp"),
        ("snapshot_key", "snapshot"),
        ("targets_key", "targets"),
    ] {
        let sk = AutoLoader
            .load_private(
                &read(&format!("python-tuf/repository_data/keystore/{file}")),
                None,
            )
            .unwrap();
        let keyid = &root.signed().roles[role].keyids[0];
        let listed = keys[keyid].to_sslib().unwrap();
        assert_eq!(listed.public_key(), sk.public_key(), "{file}");
    }
    AutoLoader
        .load_private(
            &read("python-tuf/repository_data/keystore/delegation_key"),
            None,
        )
        .unwrap();
    for legacy in ["root_key2", "root_key3"] {
        let bytes = read(&format!("python-tuf/repository_data/keystore/{legacy}"));
        assert!(AutoLoader.load_private(&bytes, None).is_err(), "{legacy}");
    }
}

#[test]
fn python_tuf_fishy_role_names_stay_encoded() {
    let root = read("python-tuf/repository_data/fishy_rolenames/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/fishy_rolenames");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2030-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    assert_eq!(versions(&u), (1, 2, 2, 1));
    // The first delegated role is "../a": requested as `1...%2Fa.json`, which a web server cannot
    // map inside its root (python-tuf fails the same way); `1.a.json` one level up is never read.
    let err = supply_tuf::client::run_lookup(&mut u, "x", &mut repo, &mut store).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(repo.meta_requests().contains(&"1...%2Fa.json"));
    // Only safe names were ever stored (MemStore asserts each one).
    assert_eq!(names::local_metadata_file_name("../a"), "..%2Fa.json");
    assert_eq!(names::local_metadata_file_name("."), "..json");
    assert_eq!(names::local_metadata_file_name("ö"), "%C3%B6.json");
    // With "../a" answered by its (hostile) neighbour file, the role still fails verification
    // or version checks instead of being trusted.
    repo.set_meta(
        "1...%2Fa.json",
        read("python-tuf/repository_data/fishy_rolenames/1.a.json"),
    );
    let res = supply_tuf::client::run_lookup(&mut u, "x", &mut repo, &mut store);
    let ok_or_metadata_err = match &res {
        Ok(found) => found.is_none(),
        Err(e) => matches!(e, Error::Metadata { .. } | Error::VersionMismatch { .. }),
    };
    assert!(ok_or_metadata_err, "{res:?}");
    assert!(store.writes.iter().all(|w| !w.contains('/')));
}

#[test]
fn python_tuf_ed25519_minimal_set() {
    let d = "python-tuf/generated_data/ed25519_metadata";
    let mut set = TrustedSet::new(
        &read(&format!("{d}/root_with_ed25519.json")),
        at("2049-01-01T00:00:00Z"),
        provider(),
    )
    .unwrap();
    assert!(set
        .update_timestamp(&read(&format!("{d}/timestamp_with_ed25519.json")))
        .unwrap());
    set.update_snapshot(&read(&format!("{d}/snapshot_with_ed25519.json")), false)
        .unwrap();
    set.update_targets(&read(&format!("{d}/targets_with_ed25519.json")))
        .unwrap();
    assert!(set.root().signed().consistent_snapshot);
    for (f, ok) in [
        (
            "timestamp_with_ed25519.json",
            Metadata::<TimestampRole>::from_slice(&read(&format!(
                "{d}/timestamp_with_ed25519.json"
            )))
            .is_ok(),
        ),
        (
            "snapshot_with_ed25519.json",
            Metadata::<Snapshot>::from_slice(&read(&format!("{d}/snapshot_with_ed25519.json")))
                .is_ok(),
        ),
        (
            "targets_with_ed25519.json",
            Metadata::<Targets>::from_slice(&read(&format!("{d}/targets_with_ed25519.json")))
                .is_ok(),
        ),
    ] {
        assert!(ok, "{f}");
    }
}

// ---- go-tuf ---------------------------------------------------------------------------------

#[test]
fn go_tuf_fractional_expires_root() {
    let d = "go-tuf/repository_data/repository/metadata";
    let root = read(&format!("{d}/root.json"));
    let md = Metadata::<Root>::from_slice(&root).unwrap();
    // Lenient in form, exact in value: seven fractional digits parse, and order exactly.
    assert_eq!(md.expires().as_str(), "2030-08-15T14:30:45.0000001Z");
    assert_eq!(md.expires().time().subsec_nanos(), 100);
    assert!(!md.expires().is_expired(at("2030-08-15T14:30:45Z")));
    assert!(md.expires().is_expired(at("2030-08-15T14:30:46Z")));
    // The canonical form signed is over the original string.
    let canon = String::from_utf8(md.canonical_signed().to_vec()).unwrap();
    assert!(canon.contains("\"2030-08-15T14:30:45.0000001Z\""));
    // go-tuf signs RSA-PSS with the maximum salt length (Go's PSSSaltLengthAuto) and
    // securesystemslib verifies with PSS.AUTO: `rsassa-pss-sha256` keys map to supply-sig's
    // `RsaPssAutoSha256`, so the self-signature verifies, as the MANIFEST says, on every provider.
    // A changed signature or a changed `signed` object still fails.
    for p in supply_sig::crypto::all_providers() {
        let set = TrustedSet::new(&root, at("2030-01-01T00:00:00Z"), p)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.name));
        assert_eq!(set.root().version(), 1);
        let mut doc: serde_json::Value = serde_json::from_slice(&root).unwrap();
        for s in doc["signatures"].as_array_mut().unwrap() {
            let sig = s["sig"].as_str().unwrap();
            let flipped = if sig.ends_with('0') { "1" } else { "0" };
            s["sig"] = format!("{}{flipped}", &sig[..sig.len() - 1]).into();
        }
        let tampered = serde_json::to_vec(&doc).unwrap();
        let err = TrustedSet::new(&tampered, at("2030-01-01T00:00:00Z"), p).unwrap_err();
        assert!(threshold_failure(&err), "{}: {err:?}", p.name);
        let changed = String::from_utf8(root.clone())
            .unwrap()
            .replace("\"version\": 1", "\"version\": 2");
        assert_ne!(changed.as_bytes(), &root[..]);
        let err = TrustedSet::new(changed.as_bytes(), at("2030-01-01T00:00:00Z"), p).unwrap_err();
        assert!(threshold_failure(&err), "{}: {err:?}", p.name);
    }
    // The ed25519 targets side of the repository does not depend on RSA: role1 and role2 parse.
    Metadata::<Targets>::from_slice(&read(&format!("{d}/role1.json"))).unwrap();
    Metadata::<Targets>::from_slice(&read(&format!("{d}/role2.json"))).unwrap();
    Metadata::<Snapshot>::from_slice(&read(&format!("{d}/snapshot.json"))).unwrap();
    Metadata::<TimestampRole>::from_slice(&read(&format!("{d}/timestamp.json"))).unwrap();
}

#[test]
fn go_tuf_invalid_self_signed_root_is_refused() {
    let root = read("go-tuf/repository_data/repository/metadata/1.root.json");
    let err = TrustedSet::new(&root, at("2025-01-01T00:00:00Z"), provider()).unwrap_err();
    assert!(threshold_failure(&err), "{err:?}");
}

#[test]
fn go_tuf_keystore_matches_root() {
    let d = "go-tuf/repository_data";
    let root =
        Metadata::<Root>::from_slice(&read(&format!("{d}/repository/metadata/root.json"))).unwrap();
    let listed: Vec<_> = root
        .signed()
        .keys
        .values()
        .map(|k| k.to_sslib().unwrap().public_key().clone())
        .collect();
    for f in ["root_key", "snapshot_key", "targets_key", "timestamp_key"] {
        let sk = AutoLoader
            .load_private(&read(&format!("{d}/keystore/{f}")), None)
            .unwrap();
        assert!(listed.contains(sk.public_key()), "{f}");
    }
    assert!(AutoLoader
        .load_private(&read(&format!("{d}/keystore/delegation_key")), None)
        .is_err());
}

#[test]
fn go_tuf_multirepo_bootstrap_repository() {
    let root = read("go-tuf/multirepo/metadata/1.root.json");
    let mut repo = Repo::testdata("go-tuf/multirepo");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2030-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    assert_eq!(versions(&u), (1, 1, 1, 1));
    assert_eq!(
        repo.meta_requests(),
        [
            "2.root.json",
            "timestamp.json",
            "1.snapshot.json",
            "1.targets.json"
        ]
    );
    let (_, map) = download(&mut u, "map.json", &mut repo, &mut store).unwrap();
    let map: serde_json::Value = serde_json::from_slice(&map).unwrap();
    assert!(map["repositories"]["staging"].is_array());
    for r in ["sigstore-tuf-root", "staging"] {
        let (_, data) = download(&mut u, &format!("{r}/root.json"), &mut repo, &mut store).unwrap();
        assert_eq!(
            data,
            read("sigstore-root-signing/legacy-2024-09/metadata/5.root.json")
        );
    }
    // Hash-prefixed target names were requested.
    assert!(repo.log.contains(
        &"T 562fc7cffe872542a430342995998546e3949dc3acbe7d37668dc76d657032ff.map.json".to_owned()
    ));
}

// ---- tough ----------------------------------------------------------------------------------

fn tough_root(name: &str) -> Result<TrustedSet, Error> {
    TrustedSet::new(
        &read(&format!("tough/{name}/root.json")),
        at("2025-01-01T00:00:00Z"),
        provider(),
    )
}

#[test]
fn tough_single_root_cases() {
    for ok in [
        "simple-rsa",
        "hex-encoded-ecdsa-sig-keys",
        "pem-encoded-ecdsa-sig-keys",
        "ecdsa-new-type-sig-keys",
        "expired-root-json-signature",
    ] {
        tough_root(ok).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
    }
    for bad in [
        "no-root-json-signatures",
        "invalid-root-json-signature",
        "mismatched-root-json-keyids",
    ] {
        let e = tough_root(bad).unwrap_err();
        assert!(threshold_failure(&e), "{bad}: {e:?}");
    }
    // Duplicate signature key ids never count twice: refused at parse time.
    for dup in ["duplicate-sigs", "duplicate-sig-keys"] {
        let e = tough_root(dup).unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Metadata {
                    source: metadata::Error::DuplicateSignature { .. },
                    ..
                }
            ),
            "{dup}: {e:?}"
        );
    }
    // Duplicate object keys are refused by the canonicalizer.
    let e = tough_root("duplicate-keyid").unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::CanonicalJson(_) | metadata::Error::InvalidJson(_),
                ..
            }
        ),
        "{e:?}"
    );
    let e = TrustedSet::new(
        &read("tough/cross-sign-root/1.root.json"),
        at("2025-01-01T00:00:00Z"),
        provider(),
    )
    .unwrap_err();
    assert!(threshold_failure(&e), "{e:?}");
}

#[test]
fn tough_expired_root_as_final_root_fails() {
    let root = read("tough/expired-root-json-signature/root.json");
    let mut repo = Repo::new(
        td("tough/expired-root-json-signature"),
        td("tough/expired-root-json-signature"),
    );
    let err = refresh(
        &root,
        at("2025-01-01T00:00:00Z"),
        &mut repo,
        &mut MemStore::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Expired { role, .. } if role == "root"),
        "{err:?}"
    );
}

#[test]
fn tough_rotated_root() {
    let root = read("tough/rotated-root/1.root.json");
    let mut repo = Repo::new(td("tough/rotated-root"), td("tough/rotated-root"));
    let mut store = MemStore::default();
    let u = refresh(&root, at("2029-07-26T00:00:00Z"), &mut repo, &mut store).unwrap();
    assert_eq!(u.trusted().root().version(), 2);
    assert_eq!(
        store.files["root.json"],
        read("tough/rotated-root/2.root.json")
    );
}

#[test]
fn tough_expired_repository() {
    let root = read("tough/expired-repository/metadata/1.root.json");
    let mut repo = Repo::testdata("tough/expired-repository");
    let err = refresh(
        &root,
        at("2025-01-01T00:00:00Z"),
        &mut repo,
        &mut MemStore::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Expired { role, .. } if role == "timestamp"),
        "{err:?}"
    );
    // With the clock before the timestamp's expiry ("expiration not enforced"), it loads, with
    // unix-time-as-version snapshot and targets.
    let mut repo = Repo::testdata("tough/expired-repository");
    let u = refresh(
        &root,
        at("1998-01-01T00:00:00Z"),
        &mut repo,
        &mut MemStore::default(),
    )
    .unwrap();
    assert_eq!(u.trusted().snapshot().unwrap().version(), 1_589_485_578);
}

#[test]
fn tough_consistent_snapshots() {
    let root = read("tough/consistent-snapshots/metadata/1.root.json");
    let mut repo = Repo::testdata("tough/consistent-snapshots");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2025-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    for (name, file) in [
        (
            "data1.txt",
            "5aa1d2b3bea034a0f9d0b27a1bc72919b3145a2b092b72ac0415a05e07e2bdd1.data1.txt",
        ),
        (
            "data2.txt",
            "732b0c04a45c1296a7adf26814d2622c288e5ae1ce0cd791da84aea5a745081c.data2.txt",
        ),
    ] {
        let (_, data) = download(&mut u, name, &mut repo, &mut store).unwrap();
        assert_eq!(
            data,
            read(&format!("tough/consistent-snapshots/targets/{file}"))
        );
        assert!(repo.log.contains(&format!("T {file}")));
    }
}

#[test]
fn tough_dubious_role_names() {
    let root = read("tough/dubious-role-names/metadata/1.root.json");
    let mut repo = Repo::with(
        DirTransport::new(
            td("tough/dubious-role-names/metadata"),
            td("tough/dubious-role-names/targets"),
        )
        .with_raw_names(),
    );
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2025-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    // "foo" is delegated to all three roles: each is fetched under its percent-encoded name.
    assert!(
        supply_tuf::client::run_lookup(&mut u, "foo", &mut repo, &mut store)
            .unwrap()
            .is_none()
    );
    let reqs = repo.meta_requests();
    assert!(
        reqs.contains(&"..%2F..%2Fpath%2Flike%2Fdubious.json"),
        "{reqs:?}"
    );
    assert!(reqs.contains(&"%F0%9F%8D%BA%2F30.json"), "{reqs:?}");
    assert_eq!(store.writes.len(), 3 + 3);
    for t in ["1.txt", "2.txt"] {
        let (_, data) = download(&mut u, t, &mut repo, &mut store).unwrap();
        assert_eq!(data, read(&format!("tough/dubious-role-names/targets/{t}")));
    }
}

#[test]
fn tough_safe_target_paths() {
    let root = read("tough/safe-target-paths/metadata/1.root.json");
    let mut repo = Repo::testdata("tough/safe-target-paths");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2025-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    let out = supply_testkit::tempdir();
    let outdir = out.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    for (target, expected) in [
        ("foo/../bar/../baz/../data1.txt", "data1.txt"),
        ("foo/bar/baz/../data2.txt", "foo/bar/data2.txt"),
    ] {
        let (info, data) = download(&mut u, target, &mut repo, &mut store).unwrap();
        let path = supply_tuf::client::local::save_target_nested(&outdir, &info, &data).unwrap();
        assert_eq!(path, outdir.join(expected));
        assert_eq!(std::fs::read(&path).unwrap(), data);
        // The flat, percent-encoded cache name is one component.
        assert!(!names::local_target_file_name(target).contains('/'));
    }
    // `../delegated/foo/../subdir/data3.txt` starts above the root: requested as it is, a URL
    // resolver would leave the targets base, so the lookup refuses it before any request (under
    // the specification's glob rules it is not delegated either: `*` never crosses `/`).
    let e = supply_tuf::client::lookup(
        &mut u,
        "../delegated/foo/../subdir/data3.txt",
        &mut repo,
        &mut store,
    )
    .unwrap_err();
    assert!(matches!(e, Error::UnsafeTargetPath { .. }), "{e:?}");
    assert_eq!(
        names::resolve_target_path("../delegated/foo/../subdir/data3.txt"),
        Some(vec!["delegated", "subdir", "data3.txt"])
    );
    // Nothing was written outside outdir.
    let siblings: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert_eq!(siblings.len(), 1);
}

#[test]
fn tough_reference_impl_copy() {
    let root = read("tough/tuf-reference-impl/metadata/1.root.json");
    let mut repo = Repo::testdata("tough/tuf-reference-impl");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2029-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    assert_eq!(versions(&u), (1, 1, 1, 1));
    for t in ["file1.txt", "file2.txt", "file3.txt"] {
        let (_, data) = download(&mut u, t, &mut repo, &mut store).unwrap();
        assert_eq!(data, read(&format!("tough/tuf-reference-impl/targets/{t}")));
    }
}

#[test]
fn tough_writer_inputs() {
    for (f, len) in [("file4.txt", 31), ("file5.txt", 36), ("file6.txt", 40)] {
        let data = read(&format!("tough/targets/{f}"));
        let entry = metadata::TargetFile::from_data(&data);
        assert_eq!(entry.length, len);
        assert_eq!(entry.hashes["sha256"], sha256(&data));
    }
    let simple = Metadata::<Root>::from_slice(&read("tough/simple-rsa/root.json")).unwrap();
    let listed = simple
        .signed()
        .keys
        .values()
        .next()
        .unwrap()
        .to_sslib()
        .unwrap();
    let snakeoil = AutoLoader
        .load_private(&read("tough/snakeoil.pem"), None)
        .unwrap();
    assert_eq!(snakeoil.public_key(), listed.public_key());
    let snakeoil2 = AutoLoader
        .load_private(&read("tough/snakeoil_2.pem"), None)
        .unwrap();
    assert_eq!(snakeoil2.public_key().rsa_bits(), Some(2048));
    // Binary DER PKCS#8 v2 Ed25519 keys in ring's layout (85 B, constructed [1] publicKey):
    // they load, and their embedded public key is checked against the seed.
    for k in ["targetskey", "targetskey-1"] {
        let bytes = read(&format!("tough/{k}"));
        assert_eq!(bytes.len(), 85);
        let key = AutoLoader.load_private(&bytes, None).unwrap();
        assert_eq!(
            key.algorithm(),
            supply_sig::key::KeyAlgorithm::Ed25519,
            "{k}"
        );
        assert_eq!(key.public_key().material(), &bytes[53..], "{k}");
        // The same layout with a public key that does not belong to the seed is refused.
        let mut wrong = bytes.clone();
        wrong[84] ^= 1;
        assert!(AutoLoader.load_private(&wrong, None).is_err(), "{k}");
    }
}

// ---- generated ------------------------------------------------------------------------------

fn hash_bin_repo(folder: &str) {
    let base = format!("generated/{folder}");
    let expected: serde_json::Value =
        serde_json::from_slice(&read(&format!("{base}/expected.json"))).unwrap();
    let root = read(&format!("{base}/metadata/1.root.json"));
    for (path, e) in expected["targets"].as_object().unwrap() {
        let mut repo = Repo::testdata(&base);
        let mut store = MemStore::default();
        let mut u = refresh(&root, at("2030-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
        let before = repo.meta_requests().len();
        let (info, data) = download(&mut u, path, &mut repo, &mut store).unwrap();
        let role = e["role"].as_str().unwrap();
        assert_eq!(info.role(), role, "{path}");
        assert_eq!(
            sha256(path.as_bytes()),
            e["sha256_of_path"].as_str().unwrap()
        );
        assert_eq!(sha256(&data), e["sha256_of_content"].as_str().unwrap());
        assert_eq!(data.len() as u64, e["length"].as_u64().unwrap());
        // Exactly one bin is fetched per lookup.
        assert_eq!(repo.meta_requests()[before..], [format!("1.{role}.json")]);
    }
}

#[test]
fn generated_path_hash_prefix_bins() {
    hash_bin_repo("hash-bins-path-hash-prefixes");
}

#[test]
fn generated_succinct_hash_bins() {
    hash_bin_repo("succinct-hash-bins");
    let root = read("generated/succinct-hash-bins/metadata/1.root.json");
    let mut repo = Repo::testdata("generated/succinct-hash-bins");
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2030-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    download(&mut u, "dir/nested file.txt", &mut repo, &mut store).unwrap();
    assert!(repo.log.iter().any(|l| l == "T dir/57fde359c4d18b3f85840f6781a8d60661c616d4d21063fecd6bd8a57a62432f.nested%20file.txt"));
}

fn tampered_refresh(file: &str) -> (Result<Updater, Error>, MemStore) {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    repo.set_meta(
        "timestamp.json",
        read(&format!("generated/tampered/{file}")),
    );
    let mut store = MemStore::default();
    (
        refresh(&root, at("2029-01-01T00:00:00Z"), &mut repo, &mut store),
        store,
    )
}

#[test]
fn generated_tampered_timestamps() {
    let accept = |f: &str, v: u64| {
        let (u, _) = tampered_refresh(f);
        let u = u.unwrap_or_else(|e| panic!("{f}: {e:?}"));
        assert_eq!(u.trusted().timestamp().unwrap().version(), v, "{f}");
    };
    accept("timestamp-custom-field-resigned.json", 2);
    accept("timestamp-v2-valid.json", 2);
    accept("timestamp-reformatted-still-valid.json", 1);
    let (u, _) = tampered_refresh("timestamp-custom-field-resigned.json");
    assert!(u
        .unwrap()
        .trusted()
        .timestamp()
        .unwrap()
        .signed()
        .extra
        .contains_key("x-custom-field"));

    for f in [
        "timestamp-sig-byte-flipped.json",
        "timestamp-version-bumped-unsigned.json",
        "timestamp-custom-field-unsigned.json",
        "timestamp-unknown-keyid.json",
    ] {
        let e = tampered_refresh(f).0.unwrap_err();
        assert!(threshold_failure(&e), "{f}: {e:?}");
    }
    let e = tampered_refresh("timestamp-expired-resigned.json")
        .0
        .unwrap_err();
    assert!(
        matches!(&e, Error::Expired { role, .. } if role == "timestamp"),
        "{e:?}"
    );
    let e = tampered_refresh("timestamp-wrong-snapshot-hash.json")
        .0
        .unwrap_err();
    assert!(
        matches!(&e, Error::Metadata { role, source: metadata::Error::HashMismatch { .. } } if role == "snapshot"),
        "{e:?}"
    );
    let e = tampered_refresh("timestamp-wrong-type-snapshot-signed-by-timestamp-key.json")
        .0
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::WrongType { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let e = tampered_refresh("timestamp-spec-version-2.json")
        .0
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::UnsupportedSpecVersion { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let e = tampered_refresh("timestamp-duplicate-signature.json")
        .0
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::DuplicateSignature { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn generated_timestamp_rollback() {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    repo.set_meta(
        "timestamp.json",
        read("generated/tampered/timestamp-v2-valid.json"),
    );
    let mut store = MemStore::default();
    refresh(&root, at("2029-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    let mut u = Updater::new(&root, at("2029-01-01T00:00:00Z"), Default::default()).unwrap();
    let e = supply_tuf::client::run_refresh(&mut u, &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&e, Error::Rollback { role, trusted: 2, new: 1 } if role == "timestamp"),
        "{e:?}"
    );
    assert_eq!(u.trusted().timestamp().unwrap().version(), 2);
    assert_eq!(
        store.files["timestamp.json"],
        read("generated/tampered/timestamp-v2-valid.json")
    );
}

#[test]
fn generated_root_rotations() {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let rotate = |f: &str| {
        let mut repo = Repo::testdata("python-tuf/repository_data/repository");
        repo.set_meta("2.root.json", read(&format!("generated/tampered/{f}")));
        // The rotated root's new key signs no timestamp, so only the root walk is checked here.
        let mut u = Updater::new(&root, at("2029-01-01T00:00:00Z"), Default::default()).unwrap();
        let mut store = MemStore::default();
        let res = supply_tuf::client::run_refresh(&mut u, &mut repo, &mut store);
        (u.trusted().root().version(), res)
    };
    let (v, _) = rotate("2.root-valid-rotation.json");
    assert_eq!(v, 2);
    for f in [
        "2.root-signed-only-by-old-key.json",
        "2.root-signed-only-by-new-key.json",
    ] {
        let (v, res) = rotate(f);
        assert_eq!(v, 1, "{f}");
        let e = res.unwrap_err();
        assert!(threshold_failure(&e), "{f}: {e:?}");
    }
    let (v, res) = rotate("2.root-contains-version-3.json");
    assert_eq!(v, 1);
    let e = res.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::VersionMismatch {
                expected: 2,
                actual: 3,
                ..
            }
        ),
        "{e:?}"
    );
    let new_key = AutoLoader
        .load_private(&read("generated/keys/root2_ed25519.pem"), None)
        .unwrap();
    let r2 = Metadata::<Root>::from_slice(&read("generated/tampered/2.root-valid-rotation.json"))
        .unwrap();
    let k = &r2.signed().keys["f36a9f958142ca0eccc2a03836ab1f740bcc7901b11dff4e5a0f37581c16b831"];
    assert_eq!(k.to_sslib().unwrap().public_key(), new_key.public_key());
}

#[test]
fn generated_tampered_target() {
    let root = read("python-tuf/repository_data/repository/metadata/1.root.json");
    let mut repo = Repo::testdata("python-tuf/repository_data/repository");
    repo.set_target("file1.txt", read("generated/tampered/targets/file1.txt"));
    let mut store = MemStore::default();
    let mut u = refresh(&root, at("2029-01-01T00:00:00Z"), &mut repo, &mut store).unwrap();
    let e = download(&mut u, "file1.txt", &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&e, Error::Target { source: metadata::Error::HashMismatch { expected, .. }, .. } if expected.starts_with("65b8c67f")),
        "{e:?}"
    );
}

#[test]
fn go_tuf_repository_verifies_top_to_bottom() {
    // Every RSA-PSS signature of the repository (root, timestamp, snapshot, targets: go-tuf's
    // maximum salt length) verifies, and role1 (ed25519, delegated by targets) too. The files are
    // published under plain names (consistent_snapshot notwithstanding), so they are fed to the
    // trusted set directly.
    let d = "go-tuf/repository_data/repository/metadata";
    for p in supply_sig::crypto::all_providers() {
        let mut set = TrustedSet::new(
            &read(&format!("{d}/root.json")),
            at("2029-12-31T00:00:00Z"),
            p,
        )
        .unwrap();
        assert!(set
            .update_timestamp(&read(&format!("{d}/timestamp.json")))
            .unwrap());
        set.update_snapshot(&read(&format!("{d}/snapshot.json")), false)
            .unwrap();
        set.update_targets(&read(&format!("{d}/targets.json")))
            .unwrap();
        set.update_delegated_targets(&read(&format!("{d}/role1.json")), "role1", "targets")
            .unwrap();
        assert_eq!(set.targets("role1").unwrap().version(), 1);
    }
}
