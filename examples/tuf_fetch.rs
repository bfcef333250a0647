//! Refresh a TUF repository and fetch a verified target: the job of a software updater
//! (python-tuf's `ngclient`, go-tuf's `updater`).
//!
//! ```text
//! cargo run -p supply-examples --example tuf_fetch
//! ```
//!
//! A publisher first writes a small repository with `supply_tuf::repo` into a temporary
//! directory; the client then starts from the root it trusts, refreshes timestamp, snapshot and
//! targets, looks a target up, downloads and verifies it. Over HTTP the async driver in
//! `supply_tuf::client::http` (feature `client`) does the same with the same state machine.
use std::error::Error;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::KeyAlgorithm;
use supply_sig::time::Timestamp;
use supply_tuf::client::local::{DirTransport, FsStore};
use supply_tuf::client::{fetch_target, lookup, refresh, Config, Updater};
use supply_tuf::metadata::Expires;
use supply_tuf::repo::{Repository, SigningKey};

fn main() -> Result<(), Box<dyn Error>> {
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let dir = tempfile::tempdir()?;

    // The publisher: one fresh Ed25519 key per top-level role, a target, everything signed.
    let key = || SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO);
    let expires = Expires::parse("2100-01-01T00:00:00Z")?;
    let mut repo = Repository::new([key()?, key()?, key()?, key()?], expires, true)?;
    repo.add_target("targets", "hello.txt", b"hello, world\n")?;
    repo.publish()?;
    repo.write_to(dir.path())?;

    // The client: it trusts this root (shipped with the application), nothing else.
    let trusted_root = std::fs::read(dir.path().join("metadata/1.root.json"))?;
    let cache = dir.path().join("client");
    std::fs::create_dir(&cache)?;
    let mut store = FsStore::new(&cache);
    let mut transport = DirTransport::new(dir.path().join("metadata"), dir.path().join("targets"));
    let mut updater = Updater::new(&trusted_root, now, Config::default())?;

    refresh(&mut updater, &mut transport, &mut store)?;
    let trusted = updater.trusted();
    println!(
        "refreshed: root v{}, timestamp v{}, snapshot v{}, targets v{}",
        trusted.root().signed().common.version,
        trusted.timestamp().map_or(0, |m| m.signed().common.version),
        trusted.snapshot().map_or(0, |m| m.signed().common.version),
        trusted
            .targets("targets")
            .map_or(0, |m| m.signed().common.version),
    );

    let info = lookup(&mut updater, "hello.txt", &mut transport, &mut store)?
        .ok_or("hello.txt is not listed by the repository")?;
    let bytes = fetch_target(&updater, &info, &mut transport)?;
    println!(
        "fetched hello.txt: {} bytes, sha256 verified: {}",
        bytes.len(),
        String::from_utf8_lossy(&bytes).trim_end()
    );

    // A target changed on the server after signing (same length, other bytes) is refused.
    std::fs::write(dir.path().join("targets/hello.txt"), b"hello, w0rld\n")?;
    for entry in std::fs::read_dir(dir.path().join("targets"))? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".hello.txt"))
        {
            std::fs::write(path, b"hello, w0rld\n")?;
        }
    }
    match fetch_target(&updater, &info, &mut transport) {
        Ok(_) => Err("a tampered target was accepted".into()),
        Err(e) => {
            println!("refused the tampered target: {e}");
            Ok(())
        }
    }
}
