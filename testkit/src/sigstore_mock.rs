//! sigstore-js's mock Sigstore services (`scripts/sigstore-mock/server.mjs`, with
//! `@sigstore/mock` installed into `.peers/sigstore-mock` by `scripts/install-peers`): Fulcio,
//! a CT log, Rekor v1 (and v2) and a TSA on a free port of 127.0.0.1, with fresh keys per start. The
//! server writes `trusted_root.json`, `signing_config.json` and `trust_config.json` (a client
//! trust config) into its directory. It is killed (by its PID) when dropped.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{peer, peers_dir, skip_peers, workspace_root};

/// A running mock.
pub struct SigstoreMock {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// How long a starting mock may take to say it is ready.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The first line the mock prints (read on a thread, so that a mock that never prints it is
/// noticed): the child, the read's result and the line; the child back when it timed out.
fn ready_line(mut child: Child) -> Result<(Child, std::io::Result<usize>, String), Child> {
    let Some(stdout) = child.stdout.take() else {
        panic!("the mock's stdout was configured as a pipe but is missing")
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send((read, line));
    });
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok((read, line)) => Ok((child, read, line)),
        Err(_) => Err(child),
    }
}

impl SigstoreMock {
    /// Starts the mock writing its trust material into `dir`. Returns `None` only when peers may
    /// be skipped; otherwise panics with the install command when node or the mock is missing.
    pub fn start(dir: &Path) -> Option<Self> {
        Self::start_with(dir, &[])
    }

    /// As [`SigstoreMock::start`], with extra server flags: `--rekor-v2` (the signing config
    /// names Rekor v2, answered by the server script), `--mock-rekor-v2` (Rekor v2 answered by
    /// the mock's own handler, whose entries no verifier accepts).
    pub fn start_with(dir: &Path, flags: &[&str]) -> Option<Self> {
        let node = peer("node")?;
        let modules = peers_dir().join("sigstore-mock");
        if !modules.join("node_modules/@sigstore/mock").is_dir() {
            if skip_peers() {
                return None;
            }
            panic!(
                "@sigstore/mock is missing from {}: run `./scripts/install-peers` first",
                modules.display()
            );
        }
        let script = workspace_root().join("scripts/sigstore-mock/server.mjs");
        let spawn = || {
            Command::new(&node)
                .arg(&script)
                .arg(dir)
                .args(flags)
                .env("SUPPLY_SIGSTORE_MOCK_DIR", &modules)
                // The server exits when this pipe closes: also when the test process dies
                // without running Drop.
                .env("SUPPLY_SIGSTORE_MOCK_STDIN_LIFELINE", "1")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("spawning node {}: {e}", script.display()))
        };
        // The server prints `ready PORT` once its keys and CA exist. Node was once seen to
        // listen and never print it (a test then waited for ten minutes): a start that is not
        // ready in time is killed and tried once more, then fails the test.
        let (mut child, read, line) = match ready_line(spawn()) {
            Ok(started) => started,
            Err(mut hung) => {
                let _ = hung.kill();
                let _ = hung.wait();
                ready_line(spawn()).unwrap_or_else(|mut hung| {
                    let _ = hung.kill();
                    let _ = hung.wait();
                    panic!("the sigstore mock did not say it was ready in {READY_TIMEOUT:?}, twice")
                })
            }
        };
        let port = line
            .strip_prefix("ready ")
            .and_then(|p| p.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("the sigstore mock did not start ({read:?}, stdout {line:?}):\n{err}");
        };
        Some(Self {
            child,
            port,
            dir: dir.to_path_buf(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The listening address (for a TLS front: [`crate::tls::HttpsFront`]).
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The mock's `trusted_root.json`.
    pub fn trusted_root(&self) -> PathBuf {
        self.dir.join("trusted_root.json")
    }

    /// The mock's `signing_config.json` (v0.2).
    pub fn signing_config(&self) -> PathBuf {
        self.dir.join("signing_config.json")
    }

    /// The mock's client trust config (trusted root and signing config in one file).
    pub fn trust_config(&self) -> PathBuf {
        self.dir.join("trust_config.json")
    }
}

impl Drop for SigstoreMock {
    fn drop(&mut self) {
        // Our own child, by its handle (its PID): never a broad kill.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An unsigned JWT (`alg: none`) with these claims, as a mock Fulcio accepts it (it reads the
/// claims without verifying the token).
pub fn unsigned_jwt(claims: &serde_json::Value) -> String {
    use base64::Engine as _;
    let e = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.",
        e(br#"{"alg":"none","typ":"JWT"}"#),
        e(claims.to_string().as_bytes())
    )
}
