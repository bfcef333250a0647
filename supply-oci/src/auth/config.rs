//! Credentials from docker's `config.json`: the `auths` entries (`auth` = base64 of
//! `user:password`, or `username` and `password`, `identitytoken`, `registrytoken`), and the
//! credential helpers named by `credHelpers` (per registry) and `credsStore` (the default),
//! run through the [`CredentialHelper`] trait.
//!
//! Registry keys are normalized as the docker CLI does: the scheme and any path are dropped
//! (`https://ghcr.io/v2/` is `ghcr.io`), and every name of Docker Hub (`docker.io`,
//! `index.docker.io`, `registry-1.docker.io`) is [`DOCKER_HUB_KEY`].
//!
//! The caller finds the file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`);
//! nothing here reads the environment.
//!
//! ```
//! use supply_oci::auth::{config::NoHelpers, Credential, DockerConfig};
//!
//! let config = DockerConfig::parse(br#"{"auths": {"https://ghcr.io": {"auth": "bWU6czNjcjN0"}}}"#)?;
//! let c = config.credential("ghcr.io", &NoHelpers)?;
//! assert!(matches!(c, Some(Credential::Basic { username, .. }) if username == "me"));
//! # Ok::<(), supply_oci::auth::Error>(())
//! ```

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::{Credential, Error, HelperFailure};
use crate::limits::{MAX_DOCKER_CONFIG_LEN, MAX_HELPER_OUTPUT_LEN};

/// The key of Docker Hub in `config.json` (and the server URL its credential helper gets).
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// How long a credential helper may run: 30 s (a helper may prompt a keychain unlock).
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The `config.json` key for `registry` (a host, a `host:port`, or a URL).
pub fn registry_key(registry: &str) -> String {
    let s = registry
        .strip_prefix("https://")
        .or_else(|| registry.strip_prefix("http://"))
        .unwrap_or(registry);
    let host = s.split('/').next().unwrap_or(s).to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB_KEY.to_owned(),
        _ => host,
    }
}

/// Runs credential helpers (`docker-credential-<name> get`).
pub trait CredentialHelper {
    /// The credentials `helper` holds for `server_url`, or `None` when it has none.
    ///
    /// # Errors
    /// [`Error::InvalidHelperName`], [`Error::Helper`].
    fn get(&self, helper: &str, server_url: &str) -> Result<Option<Credential>, Error>;
}

/// A [`CredentialHelper`] that has no credentials (never runs anything).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHelpers;

impl CredentialHelper for NoHelpers {
    fn get(&self, _helper: &str, _server_url: &str) -> Result<Option<Credential>, Error> {
        Ok(None)
    }
}

/// The docker protocol: runs `docker-credential-<name> get` with the server URL on stdin and
/// reads `{"ServerURL", "Username", "Secret"}` from stdout (at most
/// [`MAX_HELPER_OUTPUT_LEN`] bytes, within a timeout, after which the helper is killed). A
/// helper that exits non-zero saying `credentials not found` has none.
#[derive(Debug, Clone)]
pub struct DockerCredentialHelper {
    timeout: Duration,
    dir: Option<PathBuf>,
}

impl Default for DockerCredentialHelper {
    fn default() -> Self {
        Self::new()
    }
}

impl DockerCredentialHelper {
    /// Helpers found on `PATH`, [`DEFAULT_HELPER_TIMEOUT`].
    pub fn new() -> Self {
        Self {
            timeout: DEFAULT_HELPER_TIMEOUT,
            dir: None,
        }
    }

    /// Another timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs helpers from `dir` only, instead of searching `PATH`.
    #[must_use]
    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

impl CredentialHelper for DockerCredentialHelper {
    fn get(&self, helper: &str, server_url: &str) -> Result<Option<Credential>, Error> {
        let valid = !helper.is_empty()
            && helper.len() <= 64
            && !helper.starts_with('.')
            && helper
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(Error::InvalidHelperName {
                name: helper.chars().take(80).collect(),
            });
        }
        let fail = |failure| Error::Helper {
            helper: helper.to_owned(),
            failure,
        };
        let program = format!("docker-credential-{helper}");
        let program = match &self.dir {
            Some(d) => d.join(program),
            None => PathBuf::from(program),
        };
        let mut child = Command::new(program)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(HelperFailure::Spawn(e.kind())))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper that exits without reading its input closes the pipe: its exit
            // status tells what happened.
            let _ = stdin.write_all(server_url.as_bytes());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let r = stdout.take(MAX_HELPER_OUTPUT_LEN + 1).read_to_end(&mut out);
                let _ = tx.send(r.map(|_| out));
            });
        }
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(fail(HelperFailure::Timeout));
                }
            }
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let out = match rx.recv_timeout(remaining.max(Duration::from_millis(100))) {
            Ok(Ok(out)) => out,
            Ok(Err(_)) => return Err(fail(HelperFailure::BadOutput)),
            // A grandchild still holds stdout open.
            Err(_) => return Err(fail(HelperFailure::Timeout)),
        };
        if out.len() as u64 > MAX_HELPER_OUTPUT_LEN {
            return Err(fail(HelperFailure::OutputTooLong));
        }
        if !status.success() {
            let text = String::from_utf8_lossy(&out);
            if text.contains("credentials not found") {
                return Ok(None);
            }
            return Err(fail(HelperFailure::Exit(status.code())));
        }
        let answer: HelperAnswer =
            serde_json::from_slice(&out).map_err(|_| fail(HelperFailure::BadOutput))?;
        if answer.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if answer.username == "<token>" {
            Credential::IdentityToken(answer.secret)
        } else {
            Credential::Basic {
                username: answer.username,
                password: answer.secret,
            }
        }))
    }
}

#[derive(serde::Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    auths: BTreeMap<String, RawAuth>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(serde::Deserialize, Default, Clone)]
struct RawAuth {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
    registrytoken: Option<String>,
}

/// A parsed docker `config.json`, keys normalized.
#[derive(Default, Clone)]
pub struct DockerConfig {
    auths: BTreeMap<String, RawAuth>,
    cred_helpers: BTreeMap<String, String>,
    creds_store: Option<String>,
}

impl std::fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerConfig")
            .field("auths", &self.auths.keys().collect::<Vec<_>>())
            .field("cred_helpers", &self.cred_helpers)
            .field("creds_store", &self.creds_store)
            .finish()
    }
}

impl DockerConfig {
    /// Parses the JSON text of a `config.json`.
    ///
    /// # Errors
    /// [`Error::ConfigJson`].
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        // An object first: serde would also read a struct from a JSON array.
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(json).map_err(Error::ConfigJson)?;
        let raw: RawConfig =
            serde_json::from_value(serde_json::Value::Object(object)).map_err(Error::ConfigJson)?;
        let mut auths = BTreeMap::new();
        for (k, v) in raw.auths {
            // The first spelling of a registry wins, as in the docker CLI's lookup.
            auths.entry(registry_key(&k)).or_insert(v);
        }
        let cred_helpers = raw
            .cred_helpers
            .into_iter()
            .map(|(k, v)| (registry_key(&k), v))
            .collect();
        Ok(Self {
            auths,
            cred_helpers,
            creds_store: raw.creds_store.filter(|s| !s.is_empty()),
        })
    }

    /// Reads and parses the file at `path` (at most [`MAX_DOCKER_CONFIG_LEN`] bytes); a
    /// missing file is an empty configuration.
    ///
    /// # Errors
    /// [`Error::ConfigRead`], [`Error::ConfigJson`].
    pub fn load(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::ConfigRead {
            path: path.to_owned(),
            source,
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(io(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_DOCKER_CONFIG_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_DOCKER_CONFIG_LEN {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                supply_sig::limits::LimitExceeded::new("docker config", MAX_DOCKER_CONFIG_LEN),
            )));
        }
        Self::parse(&bytes)
    }

    /// The credential helper for `registry`: its `credHelpers` entry, else `credsStore`.
    pub fn helper_for(&self, registry: &str) -> Option<&str> {
        self.cred_helpers
            .get(&registry_key(registry))
            .or(self.creds_store.as_ref())
            .map(String::as_str)
            .filter(|h| !h.is_empty())
    }

    /// The credentials for `registry` (a host, `host:port` or URL): from its helper when it
    /// has one and the helper knows the registry, else from `auths`; `None` when there are
    /// none.
    ///
    /// # Errors
    /// [`Error::InvalidAuthEntry`], and the helper's errors.
    pub fn credential(
        &self,
        registry: &str,
        helpers: &dyn CredentialHelper,
    ) -> Result<Option<Credential>, Error> {
        let key = registry_key(registry);
        if let Some(helper) = self.helper_for(&key) {
            if let Some(c) = helpers.get(helper, &key)? {
                return Ok(Some(c));
            }
        }
        let Some(entry) = self.auths.get(&key) else {
            return Ok(None);
        };
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        if let Some(t) = nonempty(&entry.registrytoken) {
            return Ok(Some(Credential::RegistryToken(t)));
        }
        if let Some(t) = nonempty(&entry.identitytoken) {
            return Ok(Some(Credential::IdentityToken(t)));
        }
        if let Some(auth) = nonempty(&entry.auth) {
            let bad = || Error::InvalidAuthEntry {
                registry: key.clone(),
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| bad())?;
            let text = String::from_utf8(decoded).map_err(|_| bad())?;
            let (user, pass) = text.split_once(':').ok_or_else(bad)?;
            return Ok(Some(Credential::Basic {
                username: user.to_owned(),
                password: pass.trim_end_matches(['\n', '\r']).to_owned(),
            }));
        }
        match (nonempty(&entry.username), entry.password.clone()) {
            (Some(username), Some(password)) => Ok(Some(Credential::Basic { username, password })),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(u: &str, p: &str) -> Option<Credential> {
        Some(Credential::Basic {
            username: u.into(),
            password: p.into(),
        })
    }

    #[test]
    fn registry_keys_are_normalized() {
        for (k, want) in [
            ("https://index.docker.io/v1/", DOCKER_HUB_KEY),
            ("docker.io", DOCKER_HUB_KEY),
            ("registry-1.docker.io", DOCKER_HUB_KEY),
            ("http://INDEX.docker.io", DOCKER_HUB_KEY),
            ("https://ghcr.io/v2/", "ghcr.io"),
            ("localhost:5000", "localhost:5000"),
            ("http://[::1]:5000/x", "[::1]:5000"),
        ] {
            assert_eq!(registry_key(k), want, "{k}");
        }
    }

    #[test]
    fn auths_entries() {
        // bWU6czNjcjN0 = "me:s3cr3t"; dTpwOmM= = "u:p:c" (the password keeps its colons).
        let json = br#"{
            "auths": {
                "https://index.docker.io/v1/": {"auth": "bWU6czNjcjN0"},
                "https://ghcr.io": {"username": "gh", "password": "pw"},
                "quay.io": {"auth": "dTpwOmM="},
                "id.example.com": {"auth": "bWU6czNjcjN0", "identitytoken": "refresh-me"},
                "rt.example.com": {"registrytoken": "bearer-me"},
                "empty.example.com": {},
                "bad.example.com": {"auth": "%%%"},
                "nocolon.example.com": {"auth": "bWU="}
            },
            "HttpHeaders": {"User-Agent": "x"},
            "psFormat": "table"
        }"#;
        let c = DockerConfig::parse(json).unwrap();
        let get = |r: &str| c.credential(r, &NoHelpers);
        assert_eq!(get("docker.io").unwrap(), basic("me", "s3cr3t"));
        assert_eq!(get("registry-1.docker.io").unwrap(), basic("me", "s3cr3t"));
        assert_eq!(get("ghcr.io").unwrap(), basic("gh", "pw"));
        assert_eq!(get("https://quay.io/v2/").unwrap(), basic("u", "p:c"));
        assert_eq!(
            get("id.example.com").unwrap(),
            Some(Credential::IdentityToken("refresh-me".into()))
        );
        assert_eq!(
            get("rt.example.com").unwrap(),
            Some(Credential::RegistryToken("bearer-me".into()))
        );
        assert_eq!(get("empty.example.com").unwrap(), None);
        assert_eq!(get("unknown.example.com").unwrap(), None);
        assert!(matches!(
            get("bad.example.com"),
            Err(Error::InvalidAuthEntry { .. })
        ));
        assert!(matches!(
            get("nocolon.example.com"),
            Err(Error::InvalidAuthEntry { .. })
        ));
        // Secrets stay out of Debug output.
        assert!(!format!("{c:?}").contains("bWU6"));
        for bad in [&b"[]"[..], b"{", b"{\"auths\": []}", b"{\"credsStore\": 1}"] {
            assert!(matches!(
                DockerConfig::parse(bad),
                Err(Error::ConfigJson(_))
            ));
        }
        assert!(DockerConfig::parse(b"{}")
            .unwrap()
            .helper_for("x")
            .is_none());
    }

    /// Answers from a table, recording what it was asked.
    struct FakeHelpers(std::cell::RefCell<Vec<(String, String)>>);

    impl CredentialHelper for FakeHelpers {
        fn get(&self, helper: &str, server_url: &str) -> Result<Option<Credential>, Error> {
            self.0.borrow_mut().push((helper.into(), server_url.into()));
            Ok(match (helper, server_url) {
                ("gcloud", "gcr.io") => basic("oauth2accesstoken", "ya29"),
                ("desktop", DOCKER_HUB_KEY) => basic("hub", "from-store"),
                _ => None,
            })
        }
    }

    #[test]
    fn helpers_come_first_and_fall_back_to_auths() {
        let json = br#"{
            "auths": {"other.example.com": {"auth": "bWU6czNjcjN0"}, "https://index.docker.io/v1/": {}},
            "credHelpers": {"https://gcr.io": "gcloud"},
            "credsStore": "desktop"
        }"#;
        let c = DockerConfig::parse(json).unwrap();
        let h = FakeHelpers(Default::default());
        assert_eq!(c.helper_for("gcr.io"), Some("gcloud"));
        assert_eq!(c.helper_for("ghcr.io"), Some("desktop"));
        assert_eq!(
            c.credential("gcr.io", &h).unwrap(),
            basic("oauth2accesstoken", "ya29")
        );
        assert_eq!(
            c.credential("docker.io", &h).unwrap(),
            basic("hub", "from-store")
        );
        // The store has nothing for it: the auths entry answers.
        assert_eq!(
            c.credential("other.example.com", &h).unwrap(),
            basic("me", "s3cr3t")
        );
        assert_eq!(
            h.0.borrow().as_slice(),
            [
                ("gcloud".to_owned(), "gcr.io".to_owned()),
                ("desktop".to_owned(), DOCKER_HUB_KEY.to_owned()),
                ("desktop".to_owned(), "other.example.com".to_owned()),
            ]
        );
    }

    #[test]
    fn load_reads_a_bounded_file_and_a_missing_one_is_empty() {
        let dir = supply_testkit::tempdir();
        let missing = DockerConfig::load(&dir.path().join("nope.json")).unwrap();
        assert!(missing.helper_for("x").is_none());
        let p = dir.path().join("config.json");
        std::fs::write(&p, br#"{"credsStore": "pass"}"#).unwrap();
        assert_eq!(
            DockerConfig::load(&p).unwrap().helper_for("x"),
            Some("pass")
        );
        let big = vec![b' '; usize::try_from(MAX_DOCKER_CONFIG_LEN).unwrap() + 1];
        std::fs::write(&p, big).unwrap();
        assert!(matches!(
            DockerConfig::load(&p),
            Err(Error::ConfigRead { .. })
        ));
    }

    #[cfg(unix)]
    fn script(dir: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        let p = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_docker_helper_protocol() {
        let dir = supply_testkit::tempdir();
        let d = dir.path();
        // Echoes the server URL it read on stdin into the user name.
        script(
            d,
            "ok",
            r#"[ "$1" = get ] || exit 9; read -r url; printf '{"ServerURL":"%s","Username":"u-%s","Secret":"pw"}' "$url" "$url""#,
        );
        script(
            d,
            "token",
            r#"printf '{"ServerURL":"x","Username":"<token>","Secret":"refresh"}'"#,
        );
        script(
            d,
            "none",
            "echo 'credentials not found in native keychain'; exit 1",
        );
        script(d, "fails", "exit 3");
        script(d, "garbage", "echo not json");
        script(d, "huge", "head -c 100000 /dev/zero");
        script(d, "slow", "sleep 5");
        let h = DockerCredentialHelper::new()
            .in_dir(d)
            .with_timeout(Duration::from_millis(500));
        assert_eq!(h.get("ok", "ghcr.io").unwrap(), basic("u-ghcr.io", "pw"));
        assert_eq!(
            h.get("token", "x").unwrap(),
            Some(Credential::IdentityToken("refresh".into()))
        );
        assert_eq!(h.get("none", "x").unwrap(), None);
        let failure = |name: &str| match h.get(name, "x") {
            Err(Error::Helper { failure, .. }) => failure,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(failure("fails"), HelperFailure::Exit(Some(3)));
        assert_eq!(failure("garbage"), HelperFailure::BadOutput);
        assert_eq!(failure("huge"), HelperFailure::OutputTooLong);
        let started = Instant::now();
        assert_eq!(failure("slow"), HelperFailure::Timeout);
        assert!(started.elapsed() < Duration::from_secs(4));
        assert!(matches!(failure("missing"), HelperFailure::Spawn(_)));
        for bad in ["", "../x", ".hidden", "a/b", "a b"] {
            assert!(
                matches!(h.get(bad, "x"), Err(Error::InvalidHelperName { .. })),
                "{bad}"
            );
        }
    }
}
