//! Two-way interop with python-tuf 7.0.0 (PyPI `tuf` in the peers venv, installed by
//! `scripts/install-peers`), over HTTP on 127.0.0.1:
//! - python-tuf's `ngclient` refreshes and downloads from a repository our writer made
//!   (consistent snapshots, glob delegations, `path_hash_prefixes` bins, succinct bins, two root
//!   rotations with a timestamp key rotation, Ed25519 and ECDSA keys);
//! - our client refreshes and downloads from a repository python-tuf's Metadata API made (the
//!   same features), and refuses it once tampered.
//!
//! Without the venv these tests panic with the install command (under `CI` always).

use std::path::Path;

use serde_json::{json, Value};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::KeyAlgorithm;
use supply_testkit::http::StaticServer;
use supply_tuf::client::{self, Config, Error, Updater};
use supply_tuf::metadata::Expires;
use supply_tuf::repo::{Paths, Repository, SigningKey};
use supply_tuf::time::Timestamp;

use crate::{sha256, MemStore, Repo};

const NGCLIENT: &str = r#"
import hashlib, json, sys
from tuf.ngclient import Updater
req = json.load(sys.stdin)
with open(req["root"], "rb") as f:
    root = f.read()
u = Updater(req["metadata_dir"], req["metadata_url"], req["target_dir"], req["targets_url"], bootstrap=root)
out = {"files": {}}
try:
    u.refresh()
except Exception as e:
    print(json.dumps({"error": type(e).__name__ + ": " + str(e)}))
    sys.exit(0)
ts = u._trusted_set
out.update(root=ts.root.version, timestamp=ts.timestamp.version, snapshot=ts.snapshot.version, targets=ts.targets.version)
for name in req["targets"]:
    try:
        info = u.get_targetinfo(name)
        if info is None:
            out["files"][name] = None
            continue
        path = u.download_target(info)
        with open(path, "rb") as f:
            out["files"][name] = hashlib.sha256(f.read()).hexdigest()
    except Exception as e:
        out["files"][name] = "error: " + type(e).__name__
print(json.dumps(out))
"#;

const PY_WRITER: &str = r#"
import hashlib, json, os, sys
from datetime import datetime, timezone
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot,
    SuccinctRoles, TargetFile, Targets, Timestamp)
from tuf.api.serialization.json import JSONSerializer

req = json.load(sys.stdin)
out_dir = req["dir"]
md_dir = os.path.join(out_dir, "metadata")
tg_dir = os.path.join(out_dir, "targets")
os.makedirs(md_dir)
os.makedirs(tg_dir)
exp = datetime(2035, 1, 1, tzinfo=timezone.utc)
ser = JSONSerializer(compact=False)
s = {r: CryptoSigner.generate_ed25519() for r in ["root", "timestamp", "snapshot", "targets", "deleg", "bins"]}
s["targets"] = CryptoSigner.generate_ecdsa()

root = Root(expires=exp, consistent_snapshot=True)
for r in ["root", "timestamp", "snapshot", "targets"]:
    root.add_key(s[r].public_key, r)
def write_root(root, signers):
    md = Metadata(root)
    for sg in signers:
        md.sign(sg, append=True)
    md.to_file(os.path.join(md_dir, f"{root.version}.root.json"), ser)
write_root(root, [s["root"]])

files = {}
def add(t, path, data):
    t.targets[path] = TargetFile.from_data(path, data, ["sha256", "sha512"])
    d, _, base = path.rpartition("/")
    for h in t.targets[path].hashes.values():
        p = os.path.join(tg_dir, d, f"{h}.{base}")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    files[path] = hashlib.sha256(data).hexdigest()

targets = Targets(expires=exp)
add(targets, "top.txt", b"top level target\n")
targets.delegations = Delegations(
    keys={s["deleg"].public_key.keyid: s["deleg"].public_key, s["bins"].public_key.keyid: s["bins"].public_key},
    roles={
        "deleg": DelegatedRole("deleg", [s["deleg"].public_key.keyid], 1, True, paths=["deleg/*"]),
        "binned": DelegatedRole("binned", [s["deleg"].public_key.keyid], 1, False, paths=["bins/*"]),
    },
)
deleg = Targets(expires=exp)
add(deleg, "deleg/a file.txt", b"delegated\n")
binned = Targets(expires=exp)
succ = SuccinctRoles([s["bins"].public_key.keyid], 1, 3, "bin")
binned.delegations = Delegations(keys={s["bins"].public_key.keyid: s["bins"].public_key}, succinct_roles=succ)
bins = {name: Targets(expires=exp) for name in succ.get_roles()}
for i in range(6):
    p = f"bins/f{i}.txt"
    add(bins[succ.get_role_for_target(p)], p, f"bin file {i}\n".encode())

snapshot = Snapshot(expires=exp)
def write(role_name, signed, signer):
    md = Metadata(signed)
    md.sign(signer)
    md.to_file(os.path.join(md_dir, f"{signed.version}.{role_name}.json"), ser)
    snapshot.meta[f"{role_name}.json"] = MetaFile(version=signed.version)
write("targets", targets, s["targets"])
write("deleg", deleg, s["deleg"])
write("binned", binned, s["deleg"])
for name, t in bins.items():
    write(name, t, s["bins"])

# Rotation: root v2 replaces the root key (cross-signed by old and new), v3 the timestamp key.
new_root = CryptoSigner.generate_ed25519()
root.version = 2
root.revoke_key(s["root"].public_key.keyid, "root")
root.add_key(new_root.public_key, "root")
write_root(root, [s["root"], new_root])
new_ts = CryptoSigner.generate_ed25519()
root.version = 3
root.revoke_key(s["timestamp"].public_key.keyid, "timestamp")
root.add_key(new_ts.public_key, "timestamp")
write_root(root, [new_root])

snap_md = Metadata(snapshot)
snap_md.sign(s["snapshot"])
snap_md.to_file(os.path.join(md_dir, f"{snapshot.version}.snapshot.json"), ser)
ts = Timestamp(expires=exp)
ts.snapshot_meta = MetaFile(version=snapshot.version)
ts_md = Metadata(ts)
ts_md.sign(new_ts)
ts_md.to_file(os.path.join(md_dir, "timestamp.json"), ser)
print(json.dumps({"files": files, "bins": {p: succ.get_role_for_target(p) for p in files if p.startswith("bins/")}}))
"#;

fn key(alg: KeyAlgorithm) -> SigningKey {
    SigningKey::generate(alg, &RUSTCRYPTO).unwrap()
}

fn ngclient(server: &StaticServer, dir: &Path, root: &Path, targets: &[&str]) -> Option<Value> {
    let md = dir.join("py-metadata");
    let td = dir.join("py-targets");
    let _ = std::fs::remove_dir_all(&md);
    let _ = std::fs::remove_dir_all(&td);
    std::fs::create_dir_all(&md).unwrap();
    std::fs::create_dir_all(&td).unwrap();
    supply_testkit::python_json(
        NGCLIENT,
        &json!({
            "root": root, "metadata_dir": md, "target_dir": td,
            "metadata_url": server.url("metadata/"), "targets_url": server.url("targets/"),
            "targets": targets,
        }),
    )
}

#[test]
fn python_tuf_ngclient_reads_our_repository() {
    let k = key(KeyAlgorithm::Ed25519);
    let targets_key = key(KeyAlgorithm::EcdsaP256);
    let mut repo = Repository::new(
        [
            k.clone(),
            key(KeyAlgorithm::Ed25519),
            key(KeyAlgorithm::Ed25519),
            targets_key,
        ],
        Expires::parse("2035-01-01T00:00:00Z").unwrap(),
        true,
    )
    .unwrap();
    let (dk, bk) = (key(KeyAlgorithm::Ed25519), key(KeyAlgorithm::EcdsaP256));
    repo.add_target("targets", "top.txt", b"top\n").unwrap();
    repo.delegate(
        "targets",
        "deleg",
        vec![dk.clone()],
        1,
        Paths::Globs(vec!["deleg/*".into()]),
        true,
    )
    .unwrap();
    repo.add_target("deleg", "deleg/a file.txt", b"delegated\n")
        .unwrap();
    repo.delegate(
        "targets",
        "hashed",
        vec![dk.clone()],
        1,
        Paths::Globs(vec!["hashed/*".into()]),
        false,
    )
    .unwrap();
    repo.delegate_hash_bins("hashed", 16, std::slice::from_ref(&bk))
        .unwrap();
    repo.delegate(
        "targets",
        "succ",
        vec![dk],
        1,
        Paths::Globs(vec!["succ/*".into()]),
        false,
    )
    .unwrap();
    repo.delegate_succinct("succ", 3, "bin", &[bk]).unwrap();
    let mut names = vec!["top.txt".to_owned(), "deleg/a file.txt".to_owned()];
    for i in 0..4 {
        for dir in ["hashed", "succ"] {
            let p = format!("{dir}/f{i}.txt");
            let role = repo.role_for_target(&p);
            repo.add_target(&role, &p, format!("{p} content").as_bytes())
                .unwrap();
            names.push(p);
        }
    }
    repo.publish().unwrap();
    // Two rotations: the root key (cross-signed), then the timestamp key.
    repo.set_role_keys("root", vec![key(KeyAlgorithm::Ed25519)], 1)
        .unwrap();
    repo.publish().unwrap();
    repo.set_role_keys("timestamp", vec![key(KeyAlgorithm::Ed25519)], 1)
        .unwrap();
    repo.publish().unwrap();
    let dir = supply_testkit::tempdir();
    repo.write_to(&dir.path().join("repo")).unwrap();
    let root_v1 = dir.path().join("1.root.json");
    std::fs::write(&root_v1, &repo.metadata_files()["1.root.json"]).unwrap();
    let server = StaticServer::start(dir.path().join("repo"));
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let Some(out) = ngclient(&server, dir.path(), &root_v1, &refs) else {
        return;
    };
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["root"], 3, "{out}");
    assert_eq!(out["timestamp"], 3);
    assert_eq!(out["snapshot"], 3);
    assert_eq!(out["targets"], 1);
    for n in &names {
        assert_eq!(
            out["files"][n],
            sha256(&repo.target_files()[n]),
            "{n}: {out}"
        );
    }
    // Exactly one bin of each kind was fetched per lookup.
    let reqs = server.requests();
    assert!(
        reqs.iter().any(|r| r.starts_with("metadata/1.bin-")),
        "{reqs:?}"
    );
    // Tampered target bytes: python-tuf refuses them too.
    let victim = dir.path().join("repo/targets/top.txt");
    let hash = sha256(&repo.target_files()["top.txt"]);
    std::fs::write(
        dir.path().join(format!("repo/targets/{hash}.top.txt")),
        b"evil\n",
    )
    .unwrap();
    std::fs::write(victim, b"evil\n").unwrap();
    let out = ngclient(&server, dir.path(), &root_v1, &["top.txt"]).unwrap();
    assert!(
        out["files"]["top.txt"]
            .as_str()
            .unwrap()
            .starts_with("error"),
        "{out}"
    );
}

/// Refreshes over HTTP with the async updater (feature `client`); without the feature, over a
/// sync transport reading the same directory the server serves.
fn our_refresh(
    server: &StaticServer,
    repo_dir: &Path,
    root: &[u8],
    store: &mut MemStore,
) -> Result<Updater, Error> {
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let mut u = Updater::new(root, now, Config::default())?;
    #[cfg(feature = "client")]
    {
        let _ = repo_dir;
        let mut t =
            client::http::HttpTransport::new(&server.url("metadata/"), &server.url("targets/"))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(client::http::refresh(&mut u, &mut t, store))?;
    }
    #[cfg(not(feature = "client"))]
    {
        let _ = server;
        client::run_refresh(&mut u, &mut Repo::testdata_abs(repo_dir), store)?;
    }
    Ok(u)
}

#[test]
fn we_read_a_python_tuf_repository() {
    let dir = supply_testkit::tempdir();
    let repo_dir = dir.path().join("repo");
    let Some(out) = supply_testkit::python_json(PY_WRITER, &json!({"dir": repo_dir})) else {
        return;
    };
    let server = StaticServer::start(&repo_dir);
    let root = std::fs::read(repo_dir.join("metadata/1.root.json")).unwrap();
    let files = out["files"].as_object().unwrap();
    assert_eq!(files.len(), 8);
    // Over HTTP with the async updater (feature `client`), and over the file-system transport.
    let mut store = MemStore::default();
    let mut u = our_refresh(&server, &repo_dir, &root, &mut store).unwrap();
    let mut dir_repo = Repo::testdata_abs(&repo_dir);
    let mut store2 = MemStore::default();
    let mut u2 = Updater::new(
        &root,
        Timestamp::from_system_time(std::time::SystemTime::now()),
        Config::default(),
    )
    .unwrap();
    client::run_refresh(&mut u2, &mut dir_repo, &mut store2).unwrap();
    for u in [&u, &u2] {
        let t = u.trusted();
        assert_eq!(t.root().version(), 3);
        assert_eq!(t.timestamp().unwrap().version(), 1);
        assert_eq!(t.snapshot().unwrap().version(), 1);
    }
    for (path, digest) in files {
        let info = client::run_lookup(&mut u2, path, &mut dir_repo, &mut store2)
            .unwrap()
            .unwrap();
        let data = client::fetch_target(&u2, &info, &mut dir_repo).unwrap();
        assert_eq!(&sha256(&data), digest.as_str().unwrap(), "{path}");
        if let Some(bin) = out["bins"].get(path.as_str()) {
            assert_eq!(info.role(), bin.as_str().unwrap(), "{path}");
        }
        #[cfg(not(feature = "client"))]
        let _ = &mut u;
        #[cfg(feature = "client")]
        {
            let mut t =
                client::http::HttpTransport::new(&server.url("metadata/"), &server.url("targets/"))
                    .unwrap();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let info = rt
                .block_on(client::http::lookup(&mut u, path, &mut t, &mut store))
                .unwrap()
                .unwrap();
            let data = rt
                .block_on(client::http::fetch_target(&u, &info, &mut t))
                .unwrap();
            assert_eq!(&sha256(&data), digest.as_str().unwrap(), "{path}");
        }
    }
    // Delegated metadata was stored under percent-encoded non-versioned names.
    assert!(store2.files.contains_key("deleg.json"));
    assert!(store2.files.keys().any(|k| k.starts_with("bin-")));
    // Tampering with a delegated role's file breaks its signature: refused.
    let deleg = repo_dir.join("metadata/1.deleg.json");
    let text = std::fs::read_to_string(&deleg)
        .unwrap()
        .replace("a file.txt", "b file.txt");
    std::fs::write(&deleg, text).unwrap();
    let mut fresh = MemStore::default();
    let mut u3 = Updater::new(
        &root,
        Timestamp::from_system_time(std::time::SystemTime::now()),
        Config::default(),
    )
    .unwrap();
    client::run_refresh(&mut u3, &mut dir_repo, &mut fresh).unwrap();
    let e = client::run_lookup(&mut u3, "deleg/a file.txt", &mut dir_repo, &mut fresh).unwrap_err();
    assert!(matches!(e, Error::Metadata { .. }), "{e:?}");
}

/// python-tuf writes the diamond: targets → a (a/*) → c and targets → b (b/*) → c, where a names
/// key `ca` for c, b names key `cb`, and c is signed by `ca` only.
const PY_DIAMOND: &str = r#"
import json, os, sys
from datetime import datetime, timezone
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot,
    TargetFile, Targets, Timestamp)
from tuf.api.serialization.json import JSONSerializer

req = json.load(sys.stdin)
md_dir = os.path.join(req["dir"], "metadata")
tg_dir = os.path.join(req["dir"], "targets")
os.makedirs(md_dir)
os.makedirs(tg_dir)
exp = datetime(2035, 1, 1, tzinfo=timezone.utc)
ser = JSONSerializer(compact=False)
s = {r: CryptoSigner.generate_ed25519() for r in ["root", "timestamp", "snapshot", "targets", "a", "b", "ca", "cb"]}
root = Root(expires=exp, consistent_snapshot=False)
for r in ["root", "timestamp", "snapshot", "targets"]:
    root.add_key(s[r].public_key, r)
def save(name, signed, *signers):
    md = Metadata(signed)
    for sg in signers:
        md.sign(sg, append=True)
    md.to_file(os.path.join(md_dir, name), ser)
save("1.root.json", root, s["root"])
def deleg(names_keys):
    keys = {}
    roles = {}
    for name, key, pattern in names_keys:
        keys[s[key].public_key.keyid] = s[key].public_key
        roles[name] = DelegatedRole(name, [s[key].public_key.keyid], 1, False, paths=[pattern])
    return Delegations(keys=keys, roles=roles)
targets = Targets(expires=exp)
targets.delegations = deleg([("a", "a", "a/*"), ("b", "b", "b/*")])
a = Targets(expires=exp)
a.delegations = deleg([("c", "ca", "a/*")])
b = Targets(expires=exp)
b.delegations = deleg([("c", "cb", "b/*")])
c = Targets(expires=exp)
for path, data in [("a/x.txt", b"fine"), ("b/evil.txt", b"evil")]:
    c.targets[path] = TargetFile.from_data(path, data, ["sha256"])
    p = os.path.join(tg_dir, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
snapshot = Snapshot(expires=exp)
for name, signed, signer in [("targets", targets, "targets"), ("a", a, "a"), ("b", b, "b"), ("c", c, "ca")]:
    save(f"{name}.json", signed, s[signer])
    snapshot.meta[f"{name}.json"] = MetaFile(version=1)
save("snapshot.json", snapshot, s["snapshot"])
ts = Timestamp(expires=exp)
ts.snapshot_meta = MetaFile(version=1)
save("timestamp.json", ts, s["timestamp"])
print(json.dumps({"ok": True}))
"#;

#[test]
fn a_python_tuf_diamond_is_verified_per_path() {
    let dir = supply_testkit::tempdir();
    let repo_dir = dir.path().join("repo");
    let Some(out) = supply_testkit::python_json(PY_DIAMOND, &json!({"dir": repo_dir})) else {
        return;
    };
    assert_eq!(out["ok"], true, "{out}");
    let root = std::fs::read(repo_dir.join("metadata/1.root.json")).unwrap();
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let mut providers: Vec<&'static supply_sig::crypto::Provider> = vec![&RUSTCRYPTO];
    #[cfg(feature = "aws-lc-rs")]
    providers.push(&supply_sig::crypto::AWS_LC);
    for provider in providers {
        let (same, fresh) = crate::attacks::diamond_lookups(
            &root,
            &mut Repo::testdata_abs(&repo_dir),
            now,
            provider,
        );
        crate::attacks::assert_diamond_refused(same);
        crate::attacks::assert_diamond_refused(fresh);
    }
}
