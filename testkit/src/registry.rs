//! A throw-away Debian `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 with a free port,
//! for the supply-oci tests: without auth over plain HTTP ([`Registry::start`]), or with
//! htpasswd basic auth over TLS from a [`TestCa`] ([`Registry::start_basic_auth`]). Storage
//! lives in a temporary directory and deletes are enabled. The process is stopped by its PID
//! when the value is dropped.
//!
//! A missing `docker-registry` (or `htpasswd`) panics with the install command, unless peers
//! may be skipped outside CI (`SUPPLY_OFFLINE_PEERS=skip`), where the constructors return
//! `None`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tls::TestCa;

/// The user name of [`Registry::start_basic_auth`].
pub const USER: &str = "testuser";
/// The password of [`Registry::start_basic_auth`].
pub const PASSWORD: &str = "testpass";

/// A running registry.
pub struct Registry {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    ca: Option<TestCa>,
}

/// How long the registry may take to listen: 20 s (it took about 0.25 s when measured; the
/// margin is for a loaded CI machine).
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Attempts with a fresh port when the one picked was taken in between.
const START_ATTEMPTS: usize = 3;

impl Registry {
    /// A registry without auth, plain HTTP.
    pub fn start() -> Option<Self> {
        Self::launch(None)
    }

    /// A registry with htpasswd basic auth ([`USER`], [`PASSWORD`]) over TLS with a certificate
    /// for `127.0.0.1` and `localhost` from a new [`TestCa`] ([`Registry::ca`]).
    pub fn start_basic_auth() -> Option<Self> {
        Self::launch(Some(TestCa::new("supply-oci registry CA")))
    }

    fn launch(ca: Option<TestCa>) -> Option<Self> {
        let program = crate::peer("docker-registry")?;
        let htpasswd = match ca {
            Some(_) => Some(crate::peer("htpasswd")?),
            None => None,
        };
        let dir = crate::tempdir();
        let mut extra = String::new();
        if let (Some(ca), Some(htpasswd)) = (&ca, &htpasswd) {
            let id = ca.localhost();
            write(&dir.path().join("cert.pem"), id.cert_pem().as_bytes());
            write(&dir.path().join("key.pem"), id.key_pem().as_bytes());
            // bcrypt (-B) is the only hash distribution 2.8 accepts.
            let hash = crate::run_ok(Command::new(htpasswd).args(["-Bbn", USER, PASSWORD]));
            write(&dir.path().join("htpasswd"), &hash);
            extra = format!(
                "  tls: {{certificate: {d}/cert.pem, key: {d}/key.pem}}\n\
                 auth: {{htpasswd: {{realm: supply-test, path: {d}/htpasswd}}}}\n",
                d = dir.path().display()
            );
        }
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let config = format!(
                "version: 0.1\n\
                 log: {{level: warn, accesslog: {{disabled: true}}}}\n\
                 storage: {{filesystem: {{rootdirectory: {d}/data}}, delete: {{enabled: true}}}}\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: supply-test-secret\n{extra}",
                d = dir.path().display()
            );
            let config_path = dir.path().join("config.yml");
            write(&config_path, config.as_bytes());
            let log_path = dir.path().join("registry.log");
            let log = std::fs::File::create(&log_path)
                .unwrap_or_else(|e| panic!("creating {}: {e}", log_path.display()));
            let log2 = log
                .try_clone()
                .unwrap_or_else(|e| panic!("duplicating the log handle: {e}"));
            let mut child = Command::new(&program)
                .arg("serve")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log2)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + READY_TIMEOUT;
            loop {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Some(Self {
                        child,
                        addr,
                        dir,
                        ca,
                    });
                }
                if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("docker-registry did not start after {START_ATTEMPTS} attempts:\n{last_log}");
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http(s)://127.0.0.1:PORT/` followed by `path` (no leading slash).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.ca.is_some() { "https" } else { "http" };
        format!("{scheme}://{}/{path}", self.addr)
    }

    /// The CA of a TLS registry.
    pub fn ca(&self) -> Option<&TestCa> {
        self.ca.as_ref()
    }

    /// The registry's storage and configuration directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The registry's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The process id (the process is stopped by this id on drop).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the CA certificate of a TLS registry is written (`ca.pem` in [`Registry::dir`]).
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.ca
            .as_ref()
            .map(|ca| ca.write_pem(self.dir.path(), "ca.pem"))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        // `Child::kill` signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("binding a free port on 127.0.0.1: {e}"));
    l.local_addr()
        .unwrap_or_else(|e| panic!("reading the bound address: {e}"))
        .port()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
