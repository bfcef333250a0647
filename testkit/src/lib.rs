//! Dev-only test support for the `supply` crates: finding the repository's `testdata/`, locating and
//! running peers (openssl, cosign, the Python peers venv), temporary directories.
//!
//! Peers are installed by `scripts/test`. When a peer is missing, [`peer`] panics with the command
//! that installs it, unless `SUPPLY_OFFLINE_PEERS=skip` is set outside CI.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod http;
pub mod registry;
pub mod sigstore_mock;
pub mod tls;

/// The temporary-directory crate of [`tempdir`], for naming its types.
pub use tempfile;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root.
///
/// At run time, `cargo test` and nextest set `CARGO_MANIFEST_DIR` to the tested package's folder,
/// one level below the root; nextest's `--workspace-remap` points it into another checkout, which
/// is how `scripts/test` runs the vector suites on a clean clone without rebuilding them. Outside
/// a test runner, the folder this crate was built from is used.
pub fn workspace_root() -> PathBuf {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    match here.parent() {
        Some(p) => p.to_path_buf(),
        None => panic!("testkit lives one level below the workspace root, not at /"),
    }
}

/// The repository's `testdata/` folder, or `$SUPPLY_TESTDATA` when set (the only override).
pub fn testdata_root() -> PathBuf {
    let p = match std::env::var_os("SUPPLY_TESTDATA") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("testdata"),
    };
    assert!(
        p.is_dir(),
        "test data not found at {} (the repository's testdata/, or $SUPPLY_TESTDATA)",
        p.display()
    );
    p.canonicalize()
        .unwrap_or_else(|e| panic!("resolving {}: {e}", p.display()))
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
    if let Ok(out) = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
    {
        if out.status.success() {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    if skip_peers() {
        // Said, never silent: the test's peer half does not run.
        eprintln!("SUPPLY_OFFLINE_PEERS=skip: peer `{name}` missing, its checks are skipped");
        return None;
    }
    panic!("peer `{name}` is missing: run `./scripts/install-peers` first");
}

/// The Python interpreter of the peers venv.
pub fn python() -> Option<PathBuf> {
    let p = peers_dir().join("venv/bin/python");
    if p.is_file() {
        return Some(p);
    }
    if skip_peers() {
        eprintln!("SUPPLY_OFFLINE_PEERS=skip: the peers venv is missing, its checks are skipped");
        return None;
    }
    panic!("the peers venv is missing: run `./scripts/install-peers` first");
}

/// A fresh temporary directory, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temporary directory: {e}"))
}

/// Runs a command, panicking with its output when it fails; returns stdout.
pub fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a command, panicking only when it cannot be spawned; returns its whole output (for tests
/// that expect failure).
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"))
}

/// Runs a command with `stdin` fed to it, panicking with its output when it fails; returns stdout.
pub fn run_ok_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Vec<u8> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    // Written from a thread so a child that answers before reading everything cannot deadlock.
    let Some(mut pipe) = child.stdin.take() else {
        panic!("{cmd:?}: stdin was configured as a pipe above but is missing")
    };
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // A child that exits early closes its end; its status tells what went wrong.
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {cmd:?}: {e}"));
    if writer.join().is_err() {
        panic!("{cmd:?}: the stdin writer thread panicked");
    }
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a Python script in the peers venv with `request` as JSON on stdin and parses its stdout
/// as JSON.
///
/// The script reads `json.load(sys.stdin)` and prints one JSON document. Returns `None` only when
/// peers may be skipped (see [`python`]).
pub fn python_json(script: &str, request: &serde_json::Value) -> Option<serde_json::Value> {
    let py = python()?;
    let mut cmd = Command::new(py);
    // -I: isolated mode (no user site-packages, no PYTHON* variables, no script dir on sys.path).
    cmd.arg("-I").arg("-c").arg(script);
    let request =
        serde_json::to_vec(request).unwrap_or_else(|e| panic!("serializing the peer request: {e}"));
    let out = run_ok_with_stdin(&mut cmd, &request);
    Some(serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "python printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out)
        )
    }))
}

/// A command for a peer CLI with a private, empty `HOME` and XDG directories under `home`, so
/// peers such as cosign neither read nor write the user's configuration or caches.
pub fn peer_command(program: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("COSIGN_PASSWORD")
        .env_remove("COSIGN_KEY")
        .env_remove("COSIGN_REPOSITORY")
        .env_remove("SIGSTORE_ROOT_FILE")
        .env_remove("TUF_ROOT");
    cmd
}
