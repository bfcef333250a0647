//! Dev-only test support for the `supply` crates: finding `../shared/testdata`, locating and
//! running peers (openssl, cosign, the Python peers venv), temporary directories.
//!
//! Peers are installed by `scripts/test`. When a peer is missing, [`peer`] panics with the command
//! that installs it, unless `SUPPLY_OFFLINE_PEERS=skip` is set outside CI.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().expect("testkit lives one level below the workspace root").to_path_buf()
}

/// `../shared/testdata` (or `$SUPPLY_TESTDATA`).
pub fn testdata_root() -> PathBuf {
    if let Some(p) = std::env::var_os("SUPPLY_TESTDATA") {
        return PathBuf::from(p);
    }
    let p = workspace_root().join("../shared/testdata");
    assert!(p.is_dir(), "shared testdata not found at {}: set SUPPLY_TESTDATA", p.display());
    p.canonicalize().unwrap()
}

/// A path below the testdata root.
pub fn testdata(rel: &str) -> PathBuf {
    testdata_root().join(rel)
}

/// Reads a testdata file.
pub fn read(rel: &str) -> Vec<u8> {
    let p = testdata(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Reads and parses a testdata JSON file.
pub fn read_json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// Whether the caller asked to skip peer tests (never honoured under `CI`).
pub fn skip_peers() -> bool {
    std::env::var_os("CI").is_none()
        && std::env::var("SUPPLY_OFFLINE_PEERS").is_ok_and(|v| v == "skip")
}

/// The `.peers` directory that `scripts/test` fills.
pub fn peers_dir() -> PathBuf {
    workspace_root().join(".peers")
}

/// Finds a peer program: `.peers/bin/NAME`, then the venv, then `PATH`.
///
/// Returns `None` only when peers may be skipped; otherwise panics with the install command.
pub fn peer(name: &str) -> Option<PathBuf> {
    let candidates = [
        peers_dir().join("bin").join(name),
        peers_dir().join("venv/bin").join(name),
    ];
    for c in candidates {
        if c.is_file() {
            return Some(c);
        }
    }
    if let Ok(out) = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output() {
        if out.status.success() {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    if skip_peers() {
        return None;
    }
    panic!("peer `{name}` is missing: run `./scripts/test --install-only` (or ./scripts/install-peers) first");
}

/// The Python interpreter of the peers venv.
pub fn python() -> Option<PathBuf> {
    let p = peers_dir().join("venv/bin/python");
    if p.is_file() {
        return Some(p);
    }
    if skip_peers() {
        return None;
    }
    panic!("the peers venv is missing: run `./scripts/install-peers` first");
}

/// A fresh temporary directory, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Runs a command, panicking with its output when it fails; returns stdout.
pub fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
