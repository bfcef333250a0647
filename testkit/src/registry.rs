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

use std::sync::{Arc, Mutex};

use crate::tls::TestCa;

/// The user name of [`Registry::start_basic_auth`].
pub const USER: &str = "testuser";
/// The password of [`Registry::start_basic_auth`].
pub const PASSWORD: &str = "testpass";

/// The token service name of [`Registry::start_token_auth`].
pub const TOKEN_SERVICE: &str = "supply-test-registry";
/// The token issuer of [`Registry::start_token_auth`].
pub const TOKEN_ISSUER: &str = "supply-test-issuer";

/// A running registry.
pub struct Registry {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    ca: Option<TestCa>,
    token_server: Option<crate::http::FnServer>,
    token_requests: Arc<Mutex<Vec<crate::http::Request>>>,
}

/// How long the registry may take to listen: 20 s (it took about 0.25 s when measured; the
/// margin is for a loaded CI machine).
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Attempts with a fresh port when the one picked was taken in between.
const START_ATTEMPTS: usize = 3;

impl Registry {
    /// A registry without auth, plain HTTP.
    pub fn start() -> Option<Self> {
        Self::launch(None, None)
    }

    /// A registry with the distribution token protocol, plain HTTP: `Bearer` challenges
    /// naming a token server of ours on 127.0.0.1 ([`Registry::token_requests`]). The server
    /// grants every requested action to [`USER`]/[`PASSWORD`] (basic auth) and `pull` to
    /// anonymous requests; its ES256 JWTs carry their self-signed certificate in `x5c`, which
    /// is the registry's `rootcertbundle`.
    pub fn start_token_auth() -> Option<Self> {
        let signer = token::Signer::new();
        let pem = signer.cert_pem.clone();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let server = crate::http::FnServer::start(move |req| {
            seen.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(req.clone());
            signer.answer(req)
        });
        let realm = server.url("token");
        let mut r = Self::launch(None, Some((realm, pem)))?;
        r.token_server = Some(server);
        r.token_requests = requests;
        Some(r)
    }

    /// The requests the token server got so far ([`Registry::start_token_auth`]).
    pub fn token_requests(&self) -> Vec<crate::http::Request> {
        self.token_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A registry with htpasswd basic auth ([`USER`], [`PASSWORD`]) over TLS with a certificate
    /// for `127.0.0.1` and `localhost` from a new [`TestCa`] ([`Registry::ca`]).
    pub fn start_basic_auth() -> Option<Self> {
        Self::launch(Some(TestCa::new("supply-oci registry CA")), None)
    }

    fn launch(ca: Option<TestCa>, token: Option<(String, String)>) -> Option<Self> {
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
        if let Some((realm, pem)) = &token {
            write(&dir.path().join("token-ca.pem"), pem.as_bytes());
            extra = format!(
                "auth: {{token: {{realm: \"{realm}\", service: {TOKEN_SERVICE}, \
                 issuer: {TOKEN_ISSUER}, rootcertbundle: {d}/token-ca.pem}}}}\n",
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
                        token_server: None,
                        token_requests: Arc::new(Mutex::new(Vec::new())),
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

/// The token server's signing: an ES256 key and its self-signed certificate.
mod token {
    use std::sync::Arc;

    use base64::Engine as _;
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::sign::SigningKey;
    use rustls::SignatureScheme;

    use super::{PASSWORD, TOKEN_ISSUER, TOKEN_SERVICE, USER};
    use crate::http::{Reply, Request};

    pub(super) struct Signer {
        key: Arc<dyn SigningKey>,
        cert_der: Vec<u8>,
        /// The certificate as PEM: the registry's `rootcertbundle`.
        pub(super) cert_pem: String,
    }

    fn b64url(b: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }

    /// An ECDSA signature from DER (`SEQUENCE { r INTEGER, s INTEGER }`) to JWS's raw
    /// 32-byte `r || s`.
    fn der_to_raw(der: &[u8]) -> Vec<u8> {
        fn int(b: &[u8]) -> (&[u8], &[u8]) {
            assert_eq!(b[0], 0x02, "an INTEGER");
            let len = b[1] as usize;
            (&b[2..2 + len], &b[2 + len..])
        }
        assert_eq!(der[0], 0x30, "a SEQUENCE");
        let body = &der[2..];
        let (r, rest) = int(body);
        let (s, _) = int(rest);
        let mut out = Vec::with_capacity(64);
        for v in [r, s] {
            let v = &v[v.len().saturating_sub(32)..];
            out.extend(std::iter::repeat_n(0u8, 32 - v.len()));
            out.extend_from_slice(v);
        }
        out
    }

    impl Signer {
        pub(super) fn new() -> Self {
            let key = rcgen::KeyPair::generate()
                .unwrap_or_else(|e| panic!("generating the token key: {e}"));
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
                .unwrap_or_else(|e| panic!("token cert params: {e}"));
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "supply test token issuer");
            let now = time::OffsetDateTime::now_utc();
            params.not_before = now - time::Duration::days(1);
            params.not_after = now + time::Duration::days(30);
            let cert = params
                .self_signed(&key)
                .unwrap_or_else(|e| panic!("self-signing the token cert: {e}"));
            let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            let signing = rustls::crypto::ring::sign::any_ecdsa_type(&der)
                .unwrap_or_else(|e| panic!("loading the token key: {e}"));
            Self {
                key: signing,
                cert_der: cert.der().to_vec(),
                cert_pem: cert.pem(),
            }
        }

        fn sign(&self, msg: &[u8]) -> Vec<u8> {
            let signer = self
                .key
                .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
                .unwrap_or_else(|| panic!("the token key signs ES256"));
            der_to_raw(
                &signer
                    .sign(msg)
                    .unwrap_or_else(|e| panic!("signing a token: {e}")),
            )
        }

        pub(super) fn answer(&self, req: &Request) -> Reply {
            use base64::Engine as _;
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
            );
            let authorized = match req.header("authorization") {
                None => false,
                Some(a) if a == expected => true,
                Some(_) => return Reply::new(401, "application/json", b"{}".to_vec()),
            };
            let mut access = Vec::new();
            for (k, v) in req.query_pairs() {
                if k != "scope" {
                    continue;
                }
                let parts: Vec<&str> = v.split(':').collect();
                if parts.len() != 3 || parts[0] != "repository" {
                    continue;
                }
                let actions: Vec<&str> = parts[2]
                    .split(',')
                    .filter(|a| authorized || *a == "pull")
                    .collect();
                access.push(serde_json::json!({
                    "type": "repository", "name": parts[1], "actions": actions,
                }));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let header = serde_json::json!({
                "typ": "JWT", "alg": "ES256",
                "x5c": [base64::engine::general_purpose::STANDARD.encode(&self.cert_der)],
            });
            let claims = serde_json::json!({
                "iss": TOKEN_ISSUER, "sub": if authorized { USER } else { "" },
                "aud": TOKEN_SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
                "jti": format!("supply-{now}-{}", access.len()), "access": access,
            });
            let signing_input = format!(
                "{}.{}",
                b64url(header.to_string().as_bytes()),
                b64url(claims.to_string().as_bytes())
            );
            let sig = self.sign(signing_input.as_bytes());
            let token = format!("{signing_input}.{}", b64url(&sig));
            let body = serde_json::json!({"token": token, "expires_in": 300});
            Reply::new(200, "application/json", body.to_string().into_bytes())
        }
    }
}

/// go-containerregistry's in-memory registry (`pkg/registry`) with the OCI Referrers API
/// enabled, built by `scripts/install-peers` from Debian's Go source as
/// `.peers/bin/ggcr-registry` (`scripts/ggcr-registry/main.go`). It listens on 127.0.0.1 on a
/// port the kernel picks (no race with other tests) and is stopped by its PID on drop.
///
/// Not a conformant registry (seen in its source, 0.14.0): it sends no `OCI-Subject` and no
/// `OCI-Filters-Applied`, ignores `artifactType`, never pages, and lists each referrer's
/// `artifactType` as its config's media type.
pub struct GgcrRegistry {
    child: Child,
    addr: SocketAddr,
}

impl GgcrRegistry {
    /// Starts one. `None` only when peers may be skipped and the binary is missing.
    pub fn start() -> Option<Self> {
        use std::io::BufRead as _;
        let program = crate::peer("ggcr-registry")?;
        let mut child = Command::new(&program)
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("ggcr-registry's stdout is piped"));
        // Its first line names the address; read it on a thread so a hung start times out.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(READY_TIMEOUT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ggcr-registry did not say where it listens within {READY_TIMEOUT:?}");
        };
        let Some(addr) = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse::<SocketAddr>().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ggcr-registry printed {line:?}, not \"listening on ADDR\"");
        };
        Some(Self { child, addr })
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT/` followed by `path` (no leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }

    /// The process id (the process is stopped by this id on drop).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for GgcrRegistry {
    fn drop(&mut self) {
        // `Child::kill` signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
