//! The attacks of the TUF specification (§1.5.2), each against a repository our writer made,
//! each ending in its typed error.

use std::sync::Arc;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{KeySigner, Signer};
use supply_tuf::client::{
    self, local, Config, Error, MetadataStore as _, TargetInfo, TrustedSet, Updater,
};
use supply_tuf::metadata::{
    self, Common, Expires, Metadata, RoleKeys, Root, Snapshot, Targets, TimestampRole,
};
use supply_tuf::names;
use supply_tuf::repo::{Paths, Repository, SigningKey};
use supply_tuf::time::Timestamp;

use crate::{at, MemStore, Repo};

pub fn key() -> SigningKey {
    SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap()
}

pub fn expires(s: &str) -> Expires {
    Expires::parse(s).unwrap()
}

/// A writer repository in a temp dir, served by `Repo`.
pub struct Served {
    pub repo: Repository,
    pub dir: tempfile::TempDir,
    pub keys: [SigningKey; 4],
}

impl Served {
    pub fn new(consistent: bool) -> Self {
        let keys = [key(), key(), key(), key()];
        let mut repo =
            Repository::new(keys.clone(), expires("2031-01-01T00:00:00Z"), consistent).unwrap();
        repo.add_target("targets", "a.txt", b"hello a").unwrap();
        repo.publish().unwrap();
        let dir = supply_testkit::tempdir();
        repo.write_to(dir.path()).unwrap();
        Self { repo, dir, keys }
    }

    pub fn publish(&mut self) {
        self.repo.publish().unwrap();
        self.repo.write_to(self.dir.path()).unwrap();
    }

    pub fn serve(&self) -> Repo {
        Repo::new(
            self.dir.path().join("metadata"),
            self.dir.path().join("targets"),
        )
    }

    pub fn root_v1(&self) -> Vec<u8> {
        self.repo.metadata_files()["1.root.json"].clone()
    }

    pub fn file(&self, name: &str) -> Vec<u8> {
        self.repo.metadata_files()[name].clone()
    }
}

fn now() -> Timestamp {
    at("2030-01-01T00:00:00Z")
}

fn client(root: &[u8], t: Timestamp) -> Updater {
    Updater::new(root, t, Config::default()).unwrap()
}

#[test]
fn rollback_of_timestamp_and_snapshot_entries() {
    let mut s = Served::new(false);
    let old_ts = s.file("timestamp.json");
    let old_targets = s.file("targets.json");
    let old_snapshot = s.file("snapshot.json");
    s.repo.add_target("targets", "b.txt", b"b").unwrap();
    s.publish();
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    assert_eq!(u.trusted().timestamp().unwrap().version(), 2);
    // Replaying the old timestamp: rollback.
    let mut repo = s.serve();
    repo.set_meta("timestamp.json", old_ts);
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&e, Error::Rollback { role, trusted: 2, new: 1 } if role == "timestamp"),
        "{e:?}"
    );
    // A new timestamp (v3) pointing at a snapshot that rolls targets back to v1.
    // Build it by re-signing: publish v3, then serve the v1 snapshot under the v3 name with the
    // snapshot entry of timestamp v3 (hash mismatch, i.e. still rejected, as mix-and-match).
    s.publish();
    let mut repo = s.serve();
    repo.set_meta("snapshot.json", old_snapshot);
    repo.set_meta("targets.json", old_targets);
    let mut store2 = store.clone_files();
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut store2).unwrap_err();
    assert!(
        matches!(&e, Error::Metadata { role, source: metadata::Error::HashMismatch { .. } | metadata::Error::LengthMismatch { .. } } if role == "snapshot"),
        "{e:?}"
    );
}

#[test]
fn rollback_of_targets_in_a_signed_snapshot() {
    // A validly signed snapshot (the attacker holds the snapshot and timestamp keys) that lists
    // targets at a lower version than the trusted snapshot: rollback of `targets.json`.
    let mut s = Served::new(false);
    s.repo.add_target("targets", "b.txt", b"b").unwrap();
    s.publish(); // targets v2, snapshot v2
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    // Forge snapshot v3 listing targets v1, and timestamp v3 for it.
    let snap = Metadata::<Snapshot>::from_slice(&s.file("snapshot.json")).unwrap();
    let mut forged = snap.signed().clone();
    forged.common.version = 3;
    forged.meta.get_mut("targets.json").unwrap().version = 1;
    let k = &s.keys;
    let snap_md = Metadata::sign(&forged, &[(k[2].keyid(), k[2].signer())]).unwrap();
    let ts = Metadata::<TimestampRole>::from_slice(&s.file("timestamp.json")).unwrap();
    let mut ts_f = ts.signed().clone();
    ts_f.common.version = 3;
    let m = ts_f.meta.get_mut("snapshot.json").unwrap();
    m.version = 3;
    m.length = Some(snap_md.raw().len() as u64);
    m.hashes
        .as_mut()
        .unwrap()
        .insert("sha256".into(), crate::sha256(snap_md.raw()));
    let ts_md = Metadata::sign(&ts_f, &[(k[1].keyid(), k[1].signer())]).unwrap();
    let mut repo = s.serve();
    repo.set_meta("timestamp.json", ts_md.raw().to_vec());
    repo.set_meta("snapshot.json", snap_md.raw().to_vec());
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&e, Error::Rollback { role, trusted: 2, new: 1 } if role == "targets.json"),
        "{e:?}"
    );
}

#[test]
fn freeze_and_indefinite_freeze() {
    let s = Served::new(false);
    // The same (validly signed) metadata served forever: once it expires, the client refuses it.
    let mut u = client(&s.root_v1(), at("2031-01-01T00:00:00Z"));
    let e = client::run_refresh(&mut u, &mut s.serve(), &mut MemStore::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Expired { role, .. } if role == "root"),
        "{e:?}"
    );
    // Only the timestamp expired (root still valid): freeze detected at the timestamp.
    let mut s = Served::new(false);
    s.repo.bump_root();
    s.repo.set_expires(expires("2035-01-01T00:00:00Z"));
    s.publish();
    let ts = Metadata::<TimestampRole>::from_slice(&s.file("timestamp.json")).unwrap();
    let mut frozen = ts.signed().clone();
    frozen.common.expires = expires("2030-06-01T00:00:00Z");
    let frozen = Metadata::sign(&frozen, &[(s.keys[1].keyid(), s.keys[1].signer())]).unwrap();
    let mut repo = s.serve();
    repo.set_meta("timestamp.json", frozen.raw().to_vec());
    let mut u = client(&s.root_v1(), at("2030-07-01T00:00:00Z"));
    let e = client::run_refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Expired { role, .. } if role == "timestamp"),
        "{e:?}"
    );
    assert_eq!(u.trusted().root().version(), 2);
}

#[test]
fn mix_and_match() {
    let mut s = Served::new(false);
    let old_targets = s.file("targets.json");
    s.repo.add_target("targets", "b.txt", b"b").unwrap();
    s.publish();
    // Current timestamp and snapshot, but the old targets: version mismatch.
    let mut repo = s.serve();
    repo.set_meta("targets.json", old_targets);
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap_err();
    assert!(
        matches!(&e, Error::VersionMismatch { role, expected: 2, actual: 1 } if role == "targets"),
        "{e:?}"
    );
    // Targets signed by the snapshot key instead of the targets key: signature threshold.
    let t = Metadata::<Targets>::from_slice(&s.file("targets.json")).unwrap();
    let wrong = Metadata::sign(t.signed(), &[(s.keys[2].keyid(), s.keys[2].signer())]).unwrap();
    let mut repo = s.serve();
    repo.set_meta("targets.json", wrong.raw().to_vec());
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::ThresholdNotMet { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn endless_data() {
    let s = Served::new(false);
    // A timestamp beyond its cap.
    let mut repo = s.serve();
    let mut big = s.file("timestamp.json");
    big.extend(std::iter::repeat_n(b' ', 20_000));
    repo.set_meta("timestamp.json", big);
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap_err();
    assert!(
        matches!(&e, Error::LimitExceeded(l) if l.limit == supply_tuf::limits::MAX_TIMESTAMP_LEN),
        "{e:?}"
    );
    // A snapshot longer than the length the timestamp lists.
    let mut repo = s.serve();
    let mut snap = s.file("snapshot.json");
    snap.push(b' ');
    repo.set_meta("snapshot.json", snap);
    let mut u = client(&s.root_v1(), now());
    let e = client::run_refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded(_)), "{e:?}");
    // A target longer than its trusted length.
    let mut repo = s.serve();
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut repo, &mut store).unwrap();
    let info = client::run_lookup(&mut u, "a.txt", &mut repo, &mut store)
        .unwrap()
        .unwrap();
    repo.set_target("a.txt", b"hello a and much more".to_vec());
    let e = client::fetch_target(&u, &info, &mut repo).unwrap_err();
    assert!(
        matches!(&e, Error::LimitExceeded(l) if l.limit == 7),
        "{e:?}"
    );
    // The file-system transport stops reading at the cap.
    std::fs::write(s.dir.path().join("targets/a.txt"), vec![b'x'; 1000]).unwrap();
    let e = client::fetch_target(&u, &info, &mut s.serve()).unwrap_err();
    assert!(
        matches!(&e, Error::LimitExceeded(l) if l.limit == 7),
        "{e:?}"
    );
}

#[test]
fn fast_forward_recovery() {
    let mut s = Served::new(true);
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    // An attacker with the timestamp key fast-forwards the timestamp to v99.
    let ts = Metadata::<TimestampRole>::from_slice(&s.file("timestamp.json")).unwrap();
    let mut ff = ts.signed().clone();
    ff.common.version = 99;
    let ff = Metadata::sign(&ff, &[(s.keys[1].keyid(), s.keys[1].signer())]).unwrap();
    let mut repo = s.serve();
    repo.set_meta("timestamp.json", ff.raw().to_vec());
    store.files.insert("root.json".into(), s.root_v1());
    let mut u = client(&store.files["root.json"].clone(), now());
    client::run_refresh(&mut u, &mut repo, &mut store).unwrap();
    assert_eq!(u.trusted().timestamp().unwrap().version(), 99);
    // Without a key rotation the genuine timestamp v2 is now a rollback.
    s.repo.add_target("targets", "b.txt", b"b").unwrap();
    s.publish();
    let mut u = client(&store.files["root.json"].clone(), now());
    let e = client::run_refresh(&mut u, &mut s.serve(), &mut store.clone_files()).unwrap_err();
    assert!(
        matches!(&e, Error::Rollback { role, .. } if role == "timestamp"),
        "{e:?}"
    );
    // Recovery: the repository rotates the timestamp key (root v2). The local v99 no longer
    // verifies, so the client accepts the lower version.
    s.repo.set_role_keys("timestamp", vec![key()], 1).unwrap();
    s.publish();
    let mut u = client(&store.files["root.json"].clone(), now());
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    assert_eq!(u.trusted().root().version(), 2);
    assert_eq!(u.trusted().timestamp().unwrap().version(), 3);
    assert_eq!(store.files["timestamp.json"], s.file("timestamp.json"));
}

impl MemStore {
    fn clone_files(&self) -> Self {
        Self {
            files: self.files.clone(),
            writes: Vec::new(),
        }
    }
}

#[test]
fn threshold_with_duplicate_keys() {
    let sk = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
    let signer: Arc<dyn Signer> = Arc::new(
        KeySigner::new(&sk, supply_sig::sign::SignatureScheme::Ed25519, &RUSTCRYPTO).unwrap(),
    );
    let k = SigningKey::new(signer.clone()).unwrap();
    // The same key material listed under two key ids (one with an extra field), threshold 2.
    let mut key2 = k.key().clone();
    key2.extra.insert("x-dup".into(), serde_json::json!(true));
    let mut root = Root {
        common: Common::new("root", 1, expires("2031-01-01T00:00:00Z")),
        consistent_snapshot: false,
        keys: [
            ("id-1".to_owned(), k.key().clone()),
            ("id-2".to_owned(), key2),
        ]
        .into(),
        roles: Default::default(),
        extra: Default::default(),
    };
    for r in ["root", "timestamp", "snapshot", "targets"] {
        root.roles.insert(
            r.into(),
            RoleKeys {
                keyids: vec!["id-1".into(), "id-2".into()],
                threshold: 2,
                extra: Default::default(),
            },
        );
    }
    let md = Metadata::sign(
        &root,
        &[("id-1", signer.as_ref()), ("id-2", signer.as_ref())],
    )
    .unwrap();
    let e = TrustedSet::new(md.raw(), now(), &RUSTCRYPTO).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Metadata {
                source: metadata::Error::ThresholdNotMet {
                    valid: 1,
                    threshold: 2,
                    ..
                },
                ..
            }
        ),
        "{e:?}"
    );
    // The same signature listed twice under one key id: refused at parse time.
    let doc = String::from_utf8(md.raw().to_vec()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let s0 = v["signatures"][0].clone();
    let dup = serde_json::json!({"signatures": [s0.clone(), s0], "signed": v["signed"]});
    let e = Metadata::<Root>::from_slice(dup.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(e, metadata::Error::DuplicateSignature { .. }),
        "{e:?}"
    );
}

#[test]
fn path_traversal_in_role_and_target_names() {
    let mut s = Served::new(true);
    let evil = key();
    s.repo
        .delegate(
            "targets",
            "../../escape",
            vec![evil.clone()],
            1,
            Paths::Globs(vec!["*".into()]),
            false,
        )
        .unwrap();
    s.repo.add_target("../../escape", "b.txt", b"b").unwrap();
    s.publish();
    let mut repo = s.serve();
    // The served file is named with the percent-encoded role name.
    assert!(s
        .dir
        .path()
        .join("metadata/1...%2F..%2Fescape.json")
        .is_file());
    let store_dir = supply_testkit::tempdir();
    let cache = store_dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let mut store = local::FsStore::new(&cache);
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut repo, &mut store).unwrap();
    // A web server cannot map `..%2F` inside its root: the layout serves it raw.
    let mut raw = Repo::with(
        local::DirTransport::new(s.dir.path().join("metadata"), s.dir.path().join("targets"))
            .with_raw_names(),
    );
    let info = client::run_lookup(&mut u, "b.txt", &mut raw, &mut store)
        .unwrap()
        .unwrap();
    assert_eq!(info.role(), "../../escape");
    assert!(raw.meta_requests().contains(&"1...%2F..%2Fescape.json"));
    assert!(cache.join("..%2F..%2Fescape.json").is_file());
    // Nothing was written next to the cache.
    assert_eq!(std::fs::read_dir(store_dir.path()).unwrap().count(), 1);
    // Unsafe store names are refused by the file-system store.
    let e = local::FsStore::new(&cache)
        .store("../x.json", b"{}")
        .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    // Target names: the flat name is one component; the nested layout resolves `..` inside
    // (such names are refused by the lookup; the layout holds on its own as well).
    let out = supply_testkit::tempdir();
    let inner = out.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    assert_eq!(
        local::target_file_path(&inner, "../../etc/passwd"),
        inner.join("..%2F..%2Fetc%2Fpasswd")
    );
    let p = local::nested_target_path(&inner, "../../etc/passwd").unwrap();
    assert_eq!(p, inner.join("etc/passwd"));
    let e = local::nested_target_path(&inner, "a/..").unwrap_err();
    assert!(matches!(e, Error::UnsafeTargetPath { .. }), "{e:?}");
    assert_eq!(names::local_target_file_name(".."), "%2E%2E");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    // And the writer refuses to publish such target paths at all.
    let e = s.repo.add_target("targets", "../x", b"x").unwrap_err();
    assert!(
        matches!(e, supply_tuf::repo::Error::Invalid { .. }),
        "{e:?}"
    );
}

#[test]
fn delegation_cycles_and_visit_budget() {
    let mut s = Served::new(true);
    let ka = key();
    let kb = key();
    s.repo
        .delegate(
            "targets",
            "a",
            vec![ka.clone()],
            1,
            Paths::Globs(vec!["*".into()]),
            false,
        )
        .unwrap();
    s.repo
        .delegate(
            "a",
            "b",
            vec![kb.clone()],
            1,
            Paths::Globs(vec!["*".into()]),
            false,
        )
        .unwrap();
    // b delegates back to a: a cycle.
    s.repo
        .delegate(
            "b",
            "c",
            vec![ka.clone()],
            1,
            Paths::Globs(vec!["*".into()]),
            false,
        )
        .unwrap();
    s.repo.add_target("c", "deep.txt", b"deep").unwrap();
    s.publish();
    let mut repo = s.serve();
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut repo, &mut store).unwrap();
    assert!(
        client::run_lookup(&mut u, "missing.txt", &mut repo, &mut store)
            .unwrap()
            .is_none()
    );
    let found = client::run_lookup(&mut u, "deep.txt", &mut repo, &mut store)
        .unwrap()
        .unwrap();
    assert_eq!(found.role(), "c");
    // With max_delegations 2 (python-tuf: at most 3 roles searched), "deep.txt" in the 4th role
    // in pre-order is never reached.
    let mut u = Updater::new(
        &s.root_v1(),
        now(),
        Config::default().with_max_delegations(2),
    )
    .unwrap();
    client::run_refresh(&mut u, &mut s.serve(), &mut MemStore::default()).unwrap();
    assert!(
        client::run_lookup(&mut u, "deep.txt", &mut s.serve(), &mut MemStore::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn delegated_role_signed_by_wrong_key() {
    let mut s = Served::new(false);
    let good = key();
    s.repo
        .delegate(
            "targets",
            "d",
            vec![good],
            1,
            Paths::Globs(vec!["*.bin".into()]),
            true,
        )
        .unwrap();
    s.repo.add_target("d", "x.bin", b"x").unwrap();
    s.publish();
    let d = Metadata::<Targets>::from_slice(&s.file("d.json")).unwrap();
    let other = key();
    let forged = Metadata::sign(d.signed(), &[(other.keyid(), other.signer())]).unwrap();
    let mut repo = s.serve();
    // Also fix up nothing else: the snapshot lists no hashes, so only the signature protects it.
    repo.set_meta("d.json", forged.raw().to_vec());
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::run_refresh(&mut u, &mut repo, &mut store).unwrap();
    let e = client::run_lookup(&mut u, "x.bin", &mut repo, &mut store).unwrap_err();
    assert!(
        matches!(&e, Error::Metadata { role, source: metadata::Error::ThresholdNotMet { .. } } if role == "d"),
        "{e:?}"
    );
    // Terminating: "*.bin" is never looked for elsewhere, "a.txt" still found at the top.
    assert!(
        client::run_lookup(&mut u, "a.txt", &mut s.serve(), &mut store)
            .unwrap()
            .is_some()
    );
}

#[test]
fn root_rotation_cap() {
    let mut s = Served::new(true);
    for _ in 0..4 {
        s.repo.set_role_keys("root", vec![key()], 1).unwrap();
        s.publish();
    }
    assert_eq!(s.repo.root().common.version, 5);
    let mut u = Updater::new(
        &s.root_v1(),
        now(),
        Config::default().with_max_root_rotations(2),
    )
    .unwrap();
    let mut store = MemStore::default();
    // Stops after two rotations (root v3), whose keys no longer sign... the timestamp is fine:
    // only the root keys rotated, so the refresh completes on root v3.
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    assert_eq!(u.trusted().root().version(), 3);
    let mut u = client(&store.files["root.json"].clone(), now());
    client::run_refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    assert_eq!(u.trusted().root().version(), 5);
}

/// The providers the diamond runs on.
fn providers() -> Vec<&'static supply_sig::crypto::Provider> {
    #[allow(unused_mut)]
    let mut v: Vec<&'static supply_sig::crypto::Provider> = vec![&RUSTCRYPTO];
    #[cfg(feature = "aws-lc-rs")]
    v.push(&supply_sig::crypto::AWS_LC);
    v
}

/// Looks up `a/x.txt` (reached through `a`, whose key signs `c`) and then `b/evil.txt` (reached
/// through `b`, which names another key for `c`) in ONE updater, then `b/evil.txt` in a fresh
/// one. Returns the two results for `b/evil.txt`.
pub fn diamond_lookups(
    root: &[u8],
    repo: &mut Repo,
    now: Timestamp,
    provider: &'static supply_sig::crypto::Provider,
) -> (
    Result<Option<TargetInfo>, Error>,
    Result<Option<TargetInfo>, Error>,
) {
    let config = Config::default().with_provider(provider);
    let mut store = MemStore::default();
    let mut u = Updater::new(root, now, config).unwrap();
    client::refresh(&mut u, repo, &mut store).unwrap();
    let a = client::lookup(&mut u, "a/x.txt", repo, &mut store)
        .unwrap()
        .expect("a/x.txt is listed by c, delegated by a");
    assert_eq!(a.role(), "c");
    let same_updater = client::lookup(&mut u, "b/evil.txt", repo, &mut store);
    let mut u = Updater::new(root, now, config).unwrap();
    let mut fresh_store = MemStore::default();
    client::refresh(&mut u, repo, &mut fresh_store).unwrap();
    let fresh = client::lookup(&mut u, "b/evil.txt", repo, &mut fresh_store);
    (same_updater, fresh)
}

pub fn assert_diamond_refused(r: Result<Option<TargetInfo>, Error>) {
    match r {
        Err(Error::Metadata {
            role,
            source: metadata::Error::ThresholdNotMet { .. },
        }) => assert_eq!(role, "c"),
        other => panic!("b/evil.txt must be refused through b, got {other:?}"),
    }
}

#[test]
fn diamond_delegation_is_verified_per_path() {
    // targets → a (a/*) → c, and targets → b (b/*) → c; a names key kc_a for c, b names kc_b,
    // and c is signed by kc_a only. c lists a target under b's paths: through b it is refused.
    for provider in providers() {
        let mut s = Served::new(true);
        let (ka, kb, kc_a, kc_b) = (key(), key(), key(), key());
        let globs = |g: &str| Paths::Globs(vec![g.into()]);
        s.repo
            .delegate("targets", "a", vec![ka], 1, globs("a/*"), false)
            .unwrap();
        s.repo
            .delegate("targets", "b", vec![kb], 1, globs("b/*"), false)
            .unwrap();
        s.repo
            .delegate("a", "c", vec![kc_a.clone()], 1, globs("a/*"), false)
            .unwrap();
        s.repo
            .delegate_existing("b", "c", vec![kc_b.clone()], 1, globs("b/*"), false)
            .unwrap();
        s.repo.add_target("c", "a/x.txt", b"fine").unwrap();
        s.repo.add_target("c", "b/evil.txt", b"evil").unwrap();
        s.publish();
        // c carries kc_a's signature only.
        let c = Metadata::<Targets>::from_slice(&s.file("c.json")).unwrap();
        let keyids: Vec<&str> = c.signatures().iter().map(|g| g.keyid.as_str()).collect();
        assert_eq!(keyids, vec![kc_a.keyid()]);
        let (same, fresh) = diamond_lookups(&s.root_v1(), &mut s.serve(), now(), provider);
        assert_diamond_refused(same);
        assert_diamond_refused(fresh);
    }
}

#[test]
fn a_root_at_the_last_version_is_not_fetched_again() {
    let s = Served::new(true);
    let mut root = s.repo.root().clone();
    root.common.version = u64::MAX;
    let k = &s.keys[0];
    let last = Metadata::sign(&root, &[(k.keyid(), k.signer())]).unwrap();
    let mut repo = s.serve();
    // The server even offers "the next root" under the saturated name.
    repo.set_meta(
        &names::remote_metadata_path("root", Some(u64::MAX)),
        last.raw().to_vec(),
    );
    let mut u = client(last.raw(), now());
    client::refresh(&mut u, &mut repo, &mut MemStore::default()).unwrap();
    let root_requests = repo
        .meta_requests()
        .into_iter()
        .filter(|r| r.ends_with(".root.json"))
        .count();
    assert_eq!(root_requests, 0, "{:?}", repo.meta_requests());
    assert_eq!(u.trusted().root().version(), u64::MAX);
}

#[test]
fn target_names_that_leave_the_targets_base_are_refused() {
    let s = Served::new(false);
    let mut repo = s.serve();
    let mut store = MemStore::default();
    let mut u = client(&s.root_v1(), now());
    client::refresh(&mut u, &mut repo, &mut store).unwrap();
    for bad in [
        "../a.txt",
        "../../etc/passwd",
        "x/../../a.txt",
        "/a.txt",
        "a//b.txt",
        "",
        "dir/..",
        "dir/.",
        "a\0b",
        "a\\..\\b",
    ] {
        let e = client::lookup(&mut u, bad, &mut repo, &mut store).unwrap_err();
        assert!(
            matches!(e, Error::UnsafeTargetPath { .. }),
            "{bad:?}: {e:?}"
        );
        assert!(!client::is_requestable_target_path(bad), "{bad:?}");
    }
    // Names that resolve inside the base stay requestable (tough's test repositories use them).
    for fine in ["a.txt", "foo/../a.txt", "d/./e/f.txt", "..a", "a.."] {
        assert!(client::is_requestable_target_path(fine), "{fine:?}");
    }
    // No request was made for any refused name.
    assert!(
        !repo.log.iter().any(|l| l.starts_with("T ")),
        "{:?}",
        repo.log
    );
}
