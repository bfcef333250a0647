//! Oversize and malformed input: each refused with a typed error, never a panic.

use supply_tuf::metadata::{self, Metadata, Root, Snapshot, Targets, TimestampRole};
use supply_tuf::time::Timestamp;

fn root_json() -> serde_json::Value {
    serde_json::from_slice(&crate::read(
        "python-tuf/repository_data/repository/metadata/1.root.json",
    ))
    .unwrap()
}

fn parse_root(v: &serde_json::Value) -> Result<Metadata<Root>, metadata::Error> {
    Metadata::<Root>::from_slice(v.to_string().as_bytes())
}

#[test]
fn oversize_documents() {
    let doc = vec![b' '; 600_000];
    let e = Metadata::<Root>::from_slice_with_limit(&doc, supply_tuf::limits::MAX_ROOT_LEN)
        .unwrap_err();
    assert!(
        matches!(&e, metadata::Error::LimitExceeded(l) if l.limit == 512_000),
        "{e:?}"
    );
    let e = Metadata::<Targets>::from_slice(&vec![b' '; 5_000_001]).unwrap_err();
    assert!(matches!(e, metadata::Error::LimitExceeded { .. }), "{e:?}");
    // Too many signatures.
    let mut v = root_json();
    let sigs: Vec<_> = (0..1025)
        .map(|i| serde_json::json!({"keyid": format!("{i}"), "sig": ""}))
        .collect();
    v["signatures"] = serde_json::Value::Array(sigs);
    assert!(matches!(
        parse_root(&v).unwrap_err(),
        metadata::Error::LimitExceeded(l) if l.what == "signatures" && l.actual == Some(1025)
    ));
    // Deep nesting inside `signed` is refused by the canonicalizer (or serde's recursion limit).
    let mut deep = String::new();
    for _ in 0..200 {
        deep.push_str("{\"a\":");
    }
    deep.push('1');
    for _ in 0..200 {
        deep.push('}');
    }
    let mut v = root_json();
    v["signed"]["x-deep"] = serde_json::from_str(&deep).unwrap_or(serde_json::Value::Null);
    let text = v
        .to_string()
        .replace("\"x-deep\":null", &format!("\"x-deep\":{deep}"));
    assert!(Metadata::<Root>::from_slice(text.as_bytes()).is_err());
}

#[test]
fn malformed_fields() {
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("version 0", Box::new(|v| v["signed"]["version"] = 0.into())),
        (
            "negative version",
            Box::new(|v| v["signed"]["version"] = (-1).into()),
        ),
        (
            "float version",
            Box::new(|v| v["signed"]["version"] = 1.5.into()),
        ),
        (
            "threshold 0",
            Box::new(|v| v["signed"]["roles"]["root"]["threshold"] = 0.into()),
        ),
        (
            "missing role",
            Box::new(|v| {
                v["signed"]["roles"]
                    .as_object_mut()
                    .unwrap()
                    .remove("snapshot");
            }),
        ),
        (
            "extra role",
            Box::new(|v| v["signed"]["roles"]["mirror"] = v["signed"]["roles"]["root"].clone()),
        ),
        (
            "duplicate keyids in a role",
            Box::new(|v| {
                let id = v["signed"]["roles"]["root"]["keyids"][0].clone();
                v["signed"]["roles"]["root"]["keyids"] = serde_json::json!([id.clone(), id]);
            }),
        ),
        (
            "bad expires",
            Box::new(|v| v["signed"]["expires"] = "tomorrow".into()),
        ),
        (
            "leap second",
            Box::new(|v| v["signed"]["expires"] = "2030-01-01T00:00:60Z".into()),
        ),
        (
            "spec 2",
            Box::new(|v| v["signed"]["spec_version"] = "2.0.0".into()),
        ),
        (
            "spec one part",
            Box::new(|v| v["signed"]["spec_version"] = "1".into()),
        ),
        (
            "wrong type",
            Box::new(|v| v["signed"]["_type"] = "Root".into()),
        ),
        (
            "signatures not a list",
            Box::new(|v| v["signatures"] = serde_json::json!({})),
        ),
        (
            "no signed",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("signed");
            }),
        ),
    ];
    for (name, f) in cases {
        let mut v = root_json();
        f(&mut v);
        assert!(parse_root(&v).is_err(), "{name}");
    }
    // Trailing bytes after the document.
    let mut doc = crate::read("python-tuf/repository_data/repository/metadata/1.root.json");
    doc.extend_from_slice(b"{}");
    assert!(matches!(
        Metadata::<Root>::from_slice(&doc).unwrap_err(),
        metadata::Error::InvalidJson(_)
    ));
    // Duplicate object keys inside `signed`.
    let doc = br#"{"signatures":[],"signed":{"_type":"timestamp","_type":"timestamp","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1}}}}"#;
    assert!(Metadata::<TimestampRole>::from_slice(doc).is_err());
    // Timestamp meta must be exactly snapshot.json.
    let doc = br#"{"signatures":[],"signed":{"_type":"timestamp","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"targets.json":{"version":1}}}}"#;
    assert!(matches!(
        Metadata::<TimestampRole>::from_slice(doc).unwrap_err(),
        metadata::Error::InvalidField { .. }
    ));
    // Snapshot meta versions >= 1.
    let doc = br#"{"signatures":[],"signed":{"_type":"snapshot","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"targets.json":{"version":0}}}}"#;
    assert!(matches!(
        Metadata::<Snapshot>::from_slice(doc).unwrap_err(),
        metadata::Error::InvalidField { .. }
    ));
    // Delegations: both roles and succinct_roles, a top-level name, bit_length 33, empty hashes.
    let base = r#"{"signatures":[],"signed":{"_type":"targets","spec_version":"1.0.0","version":1,"expires":"2030-01-01T00:00:00Z","targets":TARGETS,"delegations":DELEG}}"#;
    let bad_delegations = [
        r#"{"keys":{},"roles":[],"succinct_roles":{"keyids":["a"],"threshold":1,"bit_length":2,"name_prefix":"b"}}"#,
        r#"{"keys":{},"roles":[{"name":"root","keyids":["a"],"threshold":1,"paths":["*"]}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1,"paths":["*"],"path_hash_prefixes":["a"]}]}"#,
        r#"{"keys":{},"roles":[{"name":"x","keyids":["a"],"threshold":1,"paths":["*"]},{"name":"x","keyids":["a"],"threshold":1,"paths":["*"]}]}"#,
        r#"{"keys":{},"succinct_roles":{"keyids":["a"],"threshold":1,"bit_length":33,"name_prefix":"b"}}"#,
        r#"{"keys":{},"succinct_roles":{"keyids":["a"],"threshold":0,"bit_length":3,"name_prefix":"b"}}"#,
    ];
    for d in bad_delegations {
        let doc = base.replace("TARGETS", "{}").replace("DELEG", d);
        assert!(
            Metadata::<Targets>::from_slice(doc.as_bytes()).is_err(),
            "{d}"
        );
    }
    let doc = base
        .replace("TARGETS", r#"{"f":{"length":1,"hashes":{}}}"#)
        .replace("DELEG", r#"{"keys":{},"roles":[]}"#);
    assert!(Metadata::<Targets>::from_slice(doc.as_bytes()).is_err());
}

#[test]
fn unknown_hash_algorithms_fail_closed() {
    let mut hashes = std::collections::BTreeMap::new();
    hashes.insert("md5".to_owned(), "00".to_owned());
    let e = metadata::verify_length_and_hashes("x", b"x", Some(1), Some(&hashes)).unwrap_err();
    assert!(
        matches!(e, metadata::Error::UnsupportedHash { .. }),
        "{e:?}"
    );
    hashes.clear();
    hashes.insert("sha256".to_owned(), "zz".to_owned());
    let e = metadata::verify_length_and_hashes("x", b"x", Some(1), Some(&hashes)).unwrap_err();
    assert!(matches!(e, metadata::Error::HashMismatch { .. }), "{e:?}");
}

#[test]
fn unknown_key_types_count_as_no_signature() {
    let mut v = root_json();
    for k in v["signed"]["keys"].as_object_mut().unwrap().values_mut() {
        k["keytype"] = "dsa".into();
    }
    let md = parse_root(&v).unwrap();
    let set = supply_tuf::client::TrustedSet::new(
        md.raw(),
        Timestamp::from_unix(0),
        &supply_sig::crypto::RUSTCRYPTO,
    );
    assert!(matches!(
        set.unwrap_err(),
        supply_tuf::client::Error::Metadata {
            source: metadata::Error::ThresholdNotMet { valid: 0, .. },
            ..
        }
    ));
}

#[test]
fn time_parser_is_total() {
    for s in [
        "",
        "2030",
        "2030-13-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999+23:59",
        "0000-01-01T00:00:00Z",
        "2030-01-01T00:00:00.000000000000000000000000000Z",
    ] {
        let _ = supply_tuf::time::parse(s);
    }
    assert!(supply_tuf::time::parse("9999-12-31T23:59:59.999999999-23:59").is_ok());
}

/// A repository whose signed timestamp claims `claimed` bytes for the snapshot (re-signed with
/// the timestamp key, as a compromised or buggy timestamp service would).
fn timestamp_claiming(s: &crate::attacks::Served, claimed: u64) -> Vec<u8> {
    let ts = Metadata::<TimestampRole>::from_slice(&s.file("timestamp.json")).unwrap();
    let mut forged = ts.signed().clone();
    let m = forged.meta.get_mut("snapshot.json").unwrap();
    m.length = Some(claimed);
    m.hashes = None;
    let k = &s.keys[1];
    Metadata::sign(&forged, &[(k.keyid(), k.signer())])
        .unwrap()
        .raw()
        .to_vec()
}

#[test]
fn a_signed_length_never_raises_the_clients_own_cap() {
    // Over the file-system transport: a 3 MB snapshot under a timestamp claiming 10^12 bytes is
    // cut at the client's snapshot maximum, not read to the claimed length.
    let s = crate::attacks::Served::new(false);
    let mut repo = s.serve();
    repo.set_meta("timestamp.json", timestamp_claiming(&s, 1_000_000_000_000));
    std::fs::write(
        s.dir.path().join("metadata/snapshot.json"),
        vec![b' '; 3_000_000],
    )
    .unwrap();
    let mut u = supply_tuf::client::Updater::new(
        &s.root_v1(),
        crate::at("2030-01-01T00:00:00Z"),
        supply_tuf::client::Config::default(),
    )
    .unwrap();
    let e = supply_tuf::client::refresh(&mut u, &mut repo, &mut crate::MemStore::default())
        .unwrap_err();
    assert!(
        matches!(&e, supply_tuf::client::Error::LimitExceeded(l)
            if l.limit == supply_tuf::limits::MAX_SNAPSHOT_LEN && l.what == "snapshot metadata"),
        "{e:?}"
    );
}

#[test]
fn oversized_and_corrupt_cache_entries_are_fetched_again() {
    let s = crate::attacks::Served::new(false);
    let cache = supply_testkit::tempdir();
    // Larger than any metadata the store reads, and garbage.
    std::fs::write(cache.path().join("timestamp.json"), vec![b'x'; 6_000_000]).unwrap();
    std::fs::write(cache.path().join("snapshot.json"), b"{not json").unwrap();
    std::fs::write(cache.path().join("targets.json"), vec![0xff; 100]).unwrap();
    let mut store = supply_tuf::client::local::FsStore::new(cache.path());
    let mut u = supply_tuf::client::Updater::new(
        &s.root_v1(),
        crate::at("2030-01-01T00:00:00Z"),
        supply_tuf::client::Config::default(),
    )
    .unwrap();
    supply_tuf::client::refresh(&mut u, &mut s.serve(), &mut store).unwrap();
    // The bad entries were replaced by the verified files.
    assert_eq!(
        std::fs::read(cache.path().join("timestamp.json")).unwrap(),
        s.file("timestamp.json")
    );
    assert_eq!(
        std::fs::read(cache.path().join("snapshot.json")).unwrap(),
        s.file("snapshot.json")
    );
    // A store whose load fails outright (permissions, I/O) is a cache miss too.
    struct Broken;
    impl supply_tuf::client::MetadataStore for Broken {
        fn load(&mut self, f: &str) -> Result<Option<Vec<u8>>, supply_tuf::client::Error> {
            Err(supply_tuf::client::Error::Io {
                path: f.into(),
                source: std::io::Error::other("broken disk"),
            })
        }
        fn store(&mut self, _: &str, _: &[u8]) -> Result<(), supply_tuf::client::Error> {
            Ok(())
        }
    }
    let mut u = supply_tuf::client::Updater::new(
        &s.root_v1(),
        crate::at("2030-01-01T00:00:00Z"),
        supply_tuf::client::Config::default(),
    )
    .unwrap();
    supply_tuf::client::refresh(&mut u, &mut s.serve(), &mut Broken).unwrap();
}

/// A transport serving one huge generated target in 1 MiB chunks, which panics when asked to
/// buffer anything: proves that a target download never holds the whole file.
struct Generated {
    inner: crate::Repo,
    len: u64,
    largest_chunk: usize,
}

fn generated_chunk(i: u64) -> Vec<u8> {
    vec![(i % 251) as u8; 1 << 20]
}

impl supply_tuf::client::Transport for Generated {
    fn fetch(
        &mut self,
        kind: supply_tuf::client::FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, supply_tuf::client::Error> {
        assert_eq!(
            kind,
            supply_tuf::client::FileKind::Metadata,
            "a target was buffered"
        );
        supply_tuf::client::Transport::fetch(&mut self.inner, kind, path, max_len)
    }
    fn fetch_chunks(
        &mut self,
        kind: supply_tuf::client::FileKind,
        path: &str,
        max_len: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), supply_tuf::client::Error>,
    ) -> Result<bool, supply_tuf::client::Error> {
        assert_eq!(kind, supply_tuf::client::FileKind::Target);
        assert!(path.ends_with("big.bin"), "{path}");
        assert!(max_len >= self.len);
        for i in 0..self.len >> 20 {
            let c = generated_chunk(i);
            self.largest_chunk = self.largest_chunk.max(c.len());
            sink(&c)?;
        }
        Ok(true)
    }
}

#[test]
fn large_targets_are_streamed_to_disk() {
    let len: u64 = 64 << 20;
    let mut h256 = supply_sig::digest::Hasher::new(supply_sig::digest::Algorithm::Sha256);
    for i in 0..len >> 20 {
        h256.update(&generated_chunk(i));
    }
    let mut s = crate::attacks::Served::new(true);
    let mut entry = metadata::TargetFile::from_data(b"");
    entry.length = len;
    entry.hashes.insert("sha256".into(), h256.finish().hex());
    s.repo
        .add_target_entry("targets", "big.bin", entry)
        .unwrap();
    s.publish();
    let mut t = Generated {
        inner: s.serve(),
        len,
        largest_chunk: 0,
    };
    let mut store = crate::MemStore::default();
    let mut u = supply_tuf::client::Updater::new(
        &s.root_v1(),
        crate::at("2030-01-01T00:00:00Z"),
        supply_tuf::client::Config::default(),
    )
    .unwrap();
    supply_tuf::client::refresh(&mut u, &mut t, &mut store).unwrap();
    let info = supply_tuf::client::lookup(&mut u, "big.bin", &mut t, &mut store)
        .unwrap()
        .unwrap();
    let out = supply_testkit::tempdir();
    let dest = out.path().join("big.bin");
    let n = supply_tuf::client::fetch_target_to(&u, &info, &mut t, &dest).unwrap();
    assert_eq!(n, len);
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), len);
    assert_eq!(t.largest_chunk, 1 << 20);
    // A wrong hash: nothing is left behind, not even the temporary file.
    let mut bad = s.repo.targets("targets").unwrap().targets["big.bin"].clone();
    bad.hashes.insert("sha256".into(), "00".repeat(32));
    s.repo.add_target_entry("targets", "big.bin", bad).unwrap();
    s.publish();
    let mut u = supply_tuf::client::Updater::new(
        &s.root_v1(),
        crate::at("2030-01-01T00:00:00Z"),
        supply_tuf::client::Config::default(),
    )
    .unwrap();
    let mut t = Generated {
        inner: s.serve(),
        len,
        largest_chunk: 0,
    };
    supply_tuf::client::refresh(&mut u, &mut t, &mut crate::MemStore::default()).unwrap();
    let info =
        supply_tuf::client::lookup(&mut u, "big.bin", &mut t, &mut crate::MemStore::default())
            .unwrap()
            .unwrap();
    let dest2 = out.path().join("bad.bin");
    let e = supply_tuf::client::fetch_target_to(&u, &info, &mut t, &dest2).unwrap_err();
    assert!(
        matches!(
            &e,
            supply_tuf::client::Error::Target {
                source: metadata::Error::HashMismatch { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let left: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("big.bin")]);
}

#[test]
fn add_target_file_hashes_by_streaming_and_writes_once() {
    let mut s = crate::attacks::Served::new(true);
    let src = supply_testkit::tempdir();
    let file = src.path().join("payload.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    let entry = s
        .repo
        .add_target_file("targets", "dir/payload.bin", &file)
        .unwrap();
    // The same entry add_target computes from the bytes.
    let mut from_bytes = metadata::TargetFile::from_data(&data);
    from_bytes.hashes.insert(
        "sha512".into(),
        supply_sig::digest::Algorithm::Sha512.digest(&data).hex(),
    );
    assert_eq!(entry, from_bytes);
    assert!(!s.repo.target_files().contains_key("dir/payload.bin"));
    s.publish();
    let t = s.dir.path().join("targets/dir");
    let names = [
        "payload.bin".to_owned(),
        format!("{}.payload.bin", entry.hashes["sha256"]),
        format!("{}.payload.bin", entry.hashes["sha512"]),
    ];
    for n in &names {
        assert_eq!(std::fs::read(t.join(n)).unwrap(), data, "{n}");
    }
    // One copy of the bytes: the consistent names are hard links to it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let inodes: std::collections::BTreeSet<u64> = names
            .iter()
            .map(|n| std::fs::metadata(t.join(n)).unwrap().ino())
            .collect();
        assert_eq!(inodes.len(), 1);
    }
    // Replacing the target never rewrites the old consistent names through a shared inode.
    std::fs::write(&file, b"new content").unwrap();
    s.repo
        .add_target_file("targets", "dir/payload.bin", &file)
        .unwrap();
    s.publish();
    assert_eq!(std::fs::read(t.join(&names[1])).unwrap(), data);
    assert_eq!(
        std::fs::read(t.join("payload.bin")).unwrap(),
        b"new content"
    );
}

/// Hostile HTTP servers of the test's own on 127.0.0.1.
#[cfg(feature = "client")]
mod hostile {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use supply_tuf::client::http::{self, HttpTransport, Timeouts};
    use supply_tuf::client::{Config, Error, Updater};

    use crate::attacks::Served;
    use crate::MemStore;

    /// How the server answers one request path.
    #[derive(Clone)]
    pub enum Answer {
        /// 200 with these bytes.
        File(Vec<u8>),
        /// 404.
        NotFound,
        /// 200 with `Content-Length: claimed`, then spaces until `budget` bytes were sent (a
        /// bound only so that a failing test cannot exhaust the machine).
        Endless { claimed: u64, budget: u64 },
        /// 200 with the right length, one byte a second.
        Drip(Vec<u8>),
        /// Reads the request and never answers.
        Silent,
    }

    pub struct Hostile {
        addr: SocketAddr,
        stop: Arc<AtomicBool>,
        pub sent: Arc<AtomicU64>,
    }

    fn serve(
        stream: TcpStream,
        route: &(dyn Fn(&str) -> Answer + Send + Sync),
        stop: &AtomicBool,
        sent: &AtomicU64,
    ) {
        let Ok(read) = stream.try_clone() else { return };
        let mut reader = BufReader::new(read);
        let mut stream = stream;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            match route(path.trim_start_matches('/')) {
                Answer::File(b) => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", b.len());
                    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&b).is_err() {
                        return;
                    }
                }
                Answer::NotFound => {
                    if stream
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
                Answer::Endless { claimed, budget } => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {claimed}\r\n\r\n");
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    let chunk = vec![b' '; 64 * 1024];
                    while sent.load(Ordering::SeqCst) < budget && !stop.load(Ordering::SeqCst) {
                        if stream.write_all(&chunk).is_err() {
                            return;
                        }
                        sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                    }
                    return;
                }
                Answer::Drip(b) => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", b.len());
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for byte in b {
                        if stop.load(Ordering::SeqCst) || stream.write_all(&[byte]).is_err() {
                            return;
                        }
                        let _ = stream.flush();
                        std::thread::sleep(Duration::from_secs(1));
                    }
                    return;
                }
                Answer::Silent => {
                    let t = Instant::now();
                    while !stop.load(Ordering::SeqCst) && t.elapsed() < Duration::from_secs(120) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    return;
                }
            }
        }
    }

    impl Hostile {
        pub fn start(route: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let sent = Arc::new(AtomicU64::new(0));
            let route: Arc<dyn Fn(&str) -> Answer + Send + Sync> = Arc::new(route);
            let (stop2, sent2) = (stop.clone(), sent.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (route, stop, sent) = (route.clone(), stop2.clone(), sent2.clone());
                    std::thread::spawn(move || serve(conn, route.as_ref(), &stop, &sent));
                }
            });
            Self { addr, stop, sent }
        }

        pub fn url(&self, path: &str) -> String {
            format!("http://{}/{path}", self.addr)
        }
    }

    impl Drop for Hostile {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr);
        }
    }

    /// Serves the files of a writer repository, with `special` overriding some paths.
    fn route_for(s: &Served, special: Vec<(&'static str, Answer)>) -> impl Fn(&str) -> Answer {
        let dir = s.dir.path().to_path_buf();
        move |path: &str| {
            if let Some((_, a)) = special.iter().find(|(p, _)| *p == path) {
                return a.clone();
            }
            match std::fs::read(dir.join(path)) {
                Ok(b) if !path.contains("..") => Answer::File(b),
                _ => Answer::NotFound,
            }
        }
    }

    fn refresh_over(server: &Hostile, root: &[u8], timeouts: Timeouts) -> Result<Updater, Error> {
        let mut u = Updater::new(root, crate::at("2030-01-01T00:00:00Z"), Config::default())?;
        let mut t = HttpTransport::with_timeouts(
            &server.url("metadata/"),
            &server.url("targets/"),
            timeouts,
        )?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(http::refresh(&mut u, &mut t, &mut MemStore::default()))?;
        Ok(u)
    }

    #[test]
    fn an_endless_body_under_a_false_signed_length_is_cut_at_the_clients_cap() {
        let s = Served::new(false);
        let ts = super::timestamp_claiming(&s, 1_000_000_000_000);
        let server = Hostile::start(route_for(
            &s,
            vec![
                ("metadata/timestamp.json", Answer::File(ts)),
                (
                    "metadata/snapshot.json",
                    Answer::Endless {
                        claimed: 1_000_000_000_000,
                        budget: 256 << 20,
                    },
                ),
            ],
        ));
        let e = refresh_over(&server, &s.root_v1(), Timeouts::default()).unwrap_err();
        assert!(
            matches!(&e, Error::LimitExceeded(l)
                if l.limit == supply_tuf::limits::MAX_SNAPSHOT_LEN && l.what == "snapshot metadata"),
            "{e:?}"
        );
        // The client hung up at the cap: what the server managed to send is the cap plus what
        // the socket buffers held, far below the budget.
        std::thread::sleep(Duration::from_millis(200));
        let sent = server.sent.load(Ordering::SeqCst);
        assert!(sent < 64 << 20, "the server sent {sent} bytes");
    }

    #[test]
    fn a_server_that_never_answers_fails_within_the_bound() {
        let s = Served::new(false);
        let server = Hostile::start(|_: &str| Answer::Silent);
        let t = Instant::now();
        let e = refresh_over(
            &server,
            &s.root_v1(),
            Timeouts::new(
                Duration::from_secs(1),
                Duration::from_secs(1),
                Duration::from_secs(3),
            ),
        )
        .unwrap_err();
        assert!(matches!(e, Error::Transport { .. }), "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    #[test]
    fn a_server_that_drips_one_byte_a_second_fails_within_the_bound() {
        let s = Served::new(false);
        let server = Hostile::start(route_for(
            &s,
            vec![(
                "metadata/timestamp.json",
                Answer::Drip(s.file("timestamp.json")),
            )],
        ));
        let t = Instant::now();
        // The read timeout (2 s) never trips on a byte a second; the total (3 s) does.
        let e = refresh_over(
            &server,
            &s.root_v1(),
            Timeouts::new(
                Duration::from_secs(1),
                Duration::from_secs(2),
                Duration::from_secs(3),
            ),
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Transport { path, .. } if path == "timestamp.json"),
            "{e:?}"
        );
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    #[test]
    fn default_timeouts_are_documented_values() {
        let d = Timeouts::default();
        assert_eq!(d.connect, Timeouts::DEFAULT_CONNECT);
        assert_eq!(d.read, Timeouts::DEFAULT_READ);
        assert_eq!(d.total, Timeouts::DEFAULT_TOTAL);
        assert!(d.connect < d.read && d.read < d.total);
    }
}
