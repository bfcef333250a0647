//! Sigstore's trusted root through TUF in the CLI: `supply verify-blob --bundle`,
//! `supply-sigstore-conformance verify-bundle` and `supply sigstore trust-root` without
//! `--trusted-root`, against the real public-good TUF repository as it was in August 2026
//! (testdata/tuf/sigstore-root-signing/current-2026-08) served over HTTPS on 127.0.0.1 with a
//! CA the test generates (trusted through `SSL_CERT_FILE`, as a private deployment would be), at
//! the reference time 2026-08-22T00:00:00Z (the real metadata has expired since).

use std::path::Path;
use std::process::{Command, Output};

use std::path::PathBuf;
use std::sync::OnceLock;

use supply_testkit::http::StaticServer;
use supply_testkit::tls::{HttpsFront, TestCa};
use supply_testkit::{run, tempdir, testdata};

use crate::{ok, refused};

const REPO: &str = "tuf/sigstore-root-signing/current-2026-08";
const REFERENCE_TIME: &str = "2026-08-22T00:00:00Z";
const TRUSTED_ROOT_SHA256: &str =
    "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66";
const SIGNING_CONFIG_SHA256: &str =
    "9711a6d5375706957a4859af31c5866a4474f81f0544f9f4b76c9c4f4c8a539c";
const PY: &str = "sigstore/sigstore-python/bundles";
const IDENTITY: &str =
    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The test CA of this process and its certificate in a file that lives as long as the
/// process.
fn test_ca() -> &'static (TestCa, supply_testkit::tempfile::TempDir, PathBuf) {
    static CA: OnceLock<(TestCa, supply_testkit::tempfile::TempDir, PathBuf)> = OnceLock::new();
    CA.get_or_init(|| {
        let ca = TestCa::new("supply sigstore-tuf test CA");
        let dir = tempdir();
        let path = ca.write_pem(dir.path(), "ca.pem");
        (ca, dir, path)
    })
}

fn ca_file() -> &'static Path {
    &test_ca().2
}

/// `supply` in `dir`, trusting only the test CA for HTTPS (`SSL_CERT_FILE` replaces the
/// platform's roots, as with OpenSSL).
fn supply(dir: &Path) -> Command {
    let mut c = crate::supply(dir);
    c.env("SSL_CERT_FILE", ca_file()).env_remove("SSL_CERT_DIR");
    c
}

/// The repository served over HTTPS: a TLS front (certificate from the test CA) before a static
/// file server.
pub(crate) struct Served {
    plain: StaticServer,
    front: HttpsFront,
}

impl Served {
    /// `https://127.0.0.1:PORT/` followed by `path`.
    fn url(&self, path: &str) -> String {
        self.front.url(path)
    }

    fn requests(&self) -> Vec<String> {
        self.plain.requests()
    }

    fn clear_requests(&self) {
        self.plain.clear_requests();
    }
}

/// The repository laid out as its CDN serves it (metadata at the base URL, targets at
/// `<base>/targets`) in `dir`, served over HTTPS. The one place these tests start a server.
pub(crate) fn serve_sigstore_repo(dir: &Path) -> Served {
    copy_dir(&testdata(&format!("{REPO}/metadata")), dir);
    copy_dir(&testdata(&format!("{REPO}/targets")), &dir.join("targets"));
    let plain = StaticServer::start(dir);
    let front = HttpsFront::start(plain.addr(), &test_ca().0.localhost());
    Served { plain, front }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn refs(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

fn sha256(data: &[u8]) -> String {
    supply_sig::digest::Algorithm::Sha256.digest(data).hex()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `supply verify-blob --bundle` of a production bundle (sigstore-python's wheel, Rekor v1 and
/// the Fulcio CA of the 2026-08 trusted root), with `args` choosing where the root comes from.
fn verify_blob(dir: &Path, args: &[&str]) -> Output {
    let mut c = supply(dir);
    c.env_remove("XDG_CACHE_HOME")
        .env("HOME", dir)
        .arg("verify-blob")
        .arg("--bundle")
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl.sigstore")))
        .args(["--certificate-identity", IDENTITY])
        .args(["--certificate-oidc-issuer", ISSUER])
        .args(args)
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl")));
    run(&mut c)
}

/// `supply sigstore trust-root` with `args`.
fn trust_root(dir: &Path, args: &[&str]) -> Output {
    let mut c = supply(dir);
    c.env_remove("XDG_CACHE_HOME")
        .env("HOME", dir)
        .args(["sigstore", "trust-root"])
        .args(args);
    run(&mut c)
}

fn escaped(url: &str) -> String {
    supply_tuf::names::encode_role_name(url.trim_end_matches('/'))
}

/// Online through a mirror (the embedded production root v15 as anchor), cached under
/// `$XDG_CACHE_HOME`; then offline with the server gone, from the cache. No `--trusted-root`
/// anywhere, and no root frozen into the binary to fall back to.
#[test]
fn verify_blob_gets_the_trusted_root_through_tuf() {
    let served = tempdir();
    let work = tempdir();
    let d = work.path();
    let server = serve_sigstore_repo(served.path());
    let url = server.url("");
    let xdg = d.join("xdg");
    let with_xdg = |args: &[&str]| {
        let mut c = supply(d);
        c.env("XDG_CACHE_HOME", &xdg)
            .arg("verify-blob")
            .arg("--bundle")
            .arg(testdata(&format!("{PY}/bundle_v3_github.whl.sigstore")))
            .args(["--certificate-identity", IDENTITY])
            .args(["--certificate-oidc-issuer", ISSUER])
            .args(["--reference-time", REFERENCE_TIME])
            .args(args)
            .arg(testdata(&format!("{PY}/bundle_v3_github.whl")));
        run(&mut c)
    };
    let out = with_xdg(&["--tuf-url", &url]);
    ok(out, "verify-blob --bundle through TUF");
    let cache = xdg.join("supply/sigstore-tuf").join(escaped(&url));
    let cached = std::fs::read(cache.join("targets/trusted_root.json")).unwrap();
    assert_eq!(sha256(&cached), TRUSTED_ROOT_SHA256);
    assert!(cache.join("timestamp.json").is_file());
    assert!(server
        .requests()
        .contains(&format!("targets/{TRUSTED_ROOT_SHA256}.trusted_root.json")));
    // The wrong identity still fails: the root came through TUF, the policy is unchanged.
    let mut wrong = supply(d);
    wrong
        .env("XDG_CACHE_HOME", &xdg)
        .arg("verify-blob")
        .arg("--bundle")
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl.sigstore")))
        .args(["--certificate-identity", "https://github.com/someone/else"])
        .args(["--certificate-oidc-issuer", ISSUER])
        .args([
            "--reference-time",
            REFERENCE_TIME,
            "--offline",
            "--tuf-url",
            &url,
        ])
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl")));
    refused(&run(&mut wrong), "verify-blob with another identity");

    // Without the test CA (the platform's roots only) the server is refused; `--ca-file`
    // trusts it as SSL_CERT_FILE did.
    let fresh = d.join("fresh-cache");
    let plain_roots = |extra: &[&str]| {
        let mut c = crate::supply(d);
        c.env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .env("XDG_CACHE_HOME", &fresh)
            .arg("verify-blob")
            .arg("--bundle")
            .arg(testdata(&format!("{PY}/bundle_v3_github.whl.sigstore")))
            .args(["--certificate-identity", IDENTITY])
            .args(["--certificate-oidc-issuer", ISSUER])
            .args(["--reference-time", REFERENCE_TIME, "--tuf-url", &url])
            .args(extra)
            .arg(testdata(&format!("{PY}/bundle_v3_github.whl")));
        run(&mut c)
    };
    let out = plain_roots(&[]);
    refused(
        &out,
        "verify-blob through TUF from a server of an unknown CA",
    );
    assert!(
        stderr(&out).contains("not issued by a trusted CA"),
        "{}",
        stderr(&out)
    );
    ok(
        plain_roots(&["--ca-file", ca_file().to_str().unwrap()]),
        "verify-blob through TUF with --ca-file",
    );

    drop(server);
    ok(
        with_xdg(&["--tuf-url", &url, "--offline"]),
        "verify-blob --offline from the cache",
    );
    // The conformance client reads the same cache.
    let mut conf = Command::new(env!("CARGO_BIN_EXE_supply-sigstore-conformance"));
    conf.current_dir(d)
        .env("XDG_CACHE_HOME", &xdg)
        .args(["verify-bundle", "--bundle"])
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl.sigstore")))
        .args(["--certificate-identity", IDENTITY])
        .args(["--certificate-oidc-issuer", ISSUER])
        .args(["--offline", "--tuf-url", &url])
        .args(["--reference-time", REFERENCE_TIME])
        .arg(testdata(&format!("{PY}/bundle_v3_github.whl")));
    ok(run(&mut conf), "conformance verify-bundle --offline");

    // Offline with nothing cached: refused, saying why (never a stale built-in root).
    let out = verify_blob(d, &["--offline", "--reference-time", REFERENCE_TIME]);
    refused(&out, "verify-blob --offline with an empty cache");
    assert!(
        stderr(&out).contains("no cached TUF metadata"),
        "{}",
        stderr(&out)
    );
    // --trusted-root replaces TUF; mixing the two is refused.
    let out = verify_blob(
        d,
        &[
            "--offline",
            "--trusted-root",
            &testdata("sigstore/trust/production/trusted_root.json").to_string_lossy(),
        ],
    );
    refused(&out, "--trusted-root with --offline");
}

#[test]
fn tampered_cache_is_refetched_online_and_refused_offline() {
    let served = tempdir();
    let work = tempdir();
    let d = work.path();
    let server = serve_sigstore_repo(served.path());
    let url = server.url("");
    let cache_base = d.join("cache");
    let cache_base = cache_base.to_string_lossy();
    let online = [
        "--tuf-url",
        &url,
        "--tuf-cache-dir",
        &cache_base,
        "--reference-time",
        REFERENCE_TIME,
    ];
    let offline = [&online[..], &["--offline"]].concat();
    ok(verify_blob(d, &online), "first verify-blob");
    let cache = d.join("cache").join(escaped(&url));

    // trusted_root.json with one transparency log removed.
    let cached_root = cache.join("targets/trusted_root.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cached_root).unwrap()).unwrap();
    v["tlogs"].as_array_mut().unwrap().remove(0);
    std::fs::write(&cached_root, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = verify_blob(d, &offline);
    refused(
        &out,
        "verify-blob --offline with a tampered trusted_root.json",
    );
    assert!(
        stderr(&out).contains("trusted_root.json is missing or does not match"),
        "{}",
        stderr(&out)
    );
    server.clear_requests();
    ok(
        verify_blob(d, &online),
        "verify-blob refetching trusted_root.json",
    );
    assert!(server
        .requests()
        .contains(&format!("targets/{TRUSTED_ROOT_SHA256}.trusted_root.json")));
    assert_eq!(
        sha256(&std::fs::read(&cached_root).unwrap()),
        TRUSTED_ROOT_SHA256
    );

    // Timestamp and snapshot metadata with a changed expiry (the signature no longer matches).
    for (file, fetched) in [
        ("timestamp.json", "timestamp.json"),
        ("snapshot.json", "165.snapshot.json"),
    ] {
        let path = cache.join(file);
        let good = std::fs::read(&path).unwrap();
        let bad = String::from_utf8(good.clone()).unwrap().replacen(
            "\"expires\": \"20",
            "\"expires\": \"21",
            1,
        );
        assert!(bad.as_bytes() != &good[..], "{file} unchanged");
        std::fs::write(&path, bad).unwrap();
        let out = trust_root(d, &offline);
        refused(
            &out,
            &format!("trust-root --offline with a tampered {file}"),
        );
        assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
        server.clear_requests();
        let out = trust_root(d, &online);
        assert_eq!(sha256(&ok(out, "trust-root online")), TRUSTED_ROOT_SHA256);
        assert!(
            server.requests().contains(&fetched.to_owned()),
            "{file}: {:?}",
            server.requests()
        );
        assert!(std::fs::read(&path).unwrap() == good, "{file} not repaired");
        ok(
            verify_blob(d, &offline),
            "verify-blob --offline after repair",
        );
    }
}

/// Timestamp v762 expires 2026-08-28T19:25:56Z: at 2026-09-01 a refresh is a freeze attack
/// and an offline load of the cache fails closed.
#[test]
fn expired_metadata_is_refused_online_and_offline() {
    let served = tempdir();
    let work = tempdir();
    let d = work.path();
    let server = serve_sigstore_repo(served.path());
    let url = server.url("");
    let cache_base = d.join("cache").to_string_lossy().into_owned();
    let args = |time: &'static str, offline: bool| {
        let mut a = vec![
            "--tuf-url".to_owned(),
            url.clone(),
            "--tuf-cache-dir".to_owned(),
            cache_base.clone(),
            "--reference-time".to_owned(),
            time.to_owned(),
        ];
        if offline {
            a.push("--offline".to_owned());
        }
        a
    };
    ok(
        verify_blob(d, &refs(&args(REFERENCE_TIME, false))),
        "verify-blob at the reference time",
    );
    let later = "2026-09-01T00:00:00Z";
    let out = verify_blob(d, &refs(&args(later, false)));
    refused(&out, "verify-blob online after the timestamp expired");
    assert!(
        stderr(&out).contains("timestamp metadata expired at 2026-08-28T19:25:56Z"),
        "{}",
        stderr(&out)
    );
    let out = verify_blob(d, &refs(&args(later, true)));
    refused(&out, "verify-blob offline after the timestamp expired");
    assert!(
        stderr(&out).contains("cached timestamp metadata expired at 2026-08-28T19:25:56Z"),
        "{}",
        stderr(&out)
    );
    // A malformed reference time is refused, not replaced by the clock.
    let out = verify_blob(d, &["--reference-time", "yesterday", "--offline"]);
    refused(&out, "a malformed --reference-time");
    assert!(
        stderr(&out).contains("--reference-time"),
        "{}",
        stderr(&out)
    );
}

/// `--tuf-root` with an old root (v5) walks the chain to v15; `--signing-config` prints the
/// signing config the same way.
#[test]
fn bootstrap_from_an_old_root_walks_to_v15() {
    let served = tempdir();
    let work = tempdir();
    let d = work.path();
    let server = serve_sigstore_repo(served.path());
    let url = server.url("");
    let root5 = testdata(&format!("{REPO}/metadata/5.root.json"));
    let root5 = root5.to_string_lossy();
    let cache_base = d.join("cache").to_string_lossy().into_owned();
    let args = [
        "--tuf-url",
        &url,
        "--tuf-root",
        &root5,
        "--tuf-cache-dir",
        &cache_base,
        "--reference-time",
        REFERENCE_TIME,
    ];
    let out = trust_root(d, &args);
    let err = stderr(&out);
    assert_eq!(
        sha256(&ok(out, "trust-root from root v5")),
        TRUSTED_ROOT_SHA256
    );
    assert!(err.contains("root v15, timestamp v762"), "{err}");
    for v in 6..=15 {
        assert!(
            server.requests().contains(&format!("{v}.root.json")),
            "{v}.root.json not fetched"
        );
    }
    let out = trust_root(d, &[&args[..], &["--signing-config", "--offline"]].concat());
    assert_eq!(
        sha256(&ok(out, "trust-root --signing-config --offline")),
        SIGNING_CONFIG_SHA256
    );
    drop(server);
    ok(
        verify_blob(d, &[&args[..], &["--offline"]].concat()),
        "verify-blob --offline from root v5",
    );
}

/// Two `supply` processes refreshing into one cache at the same time both succeed, and the
/// cache they leave verifies offline.
#[test]
fn two_processes_share_one_cache() {
    let served = tempdir();
    let work = tempdir();
    let d = work.path();
    let server = serve_sigstore_repo(served.path());
    let url = server.url("");
    let root5 = testdata(&format!("{REPO}/metadata/5.root.json"));
    let cache_base = d.join("cache");
    let spawn = || {
        let mut c = supply(d);
        c.args(["sigstore", "trust-root", "--tuf-url", &url])
            .arg("--tuf-root")
            .arg(&root5)
            .arg("--tuf-cache-dir")
            .arg(&cache_base)
            .args(["--reference-time", REFERENCE_TIME])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c.spawn().unwrap()
    };
    for round in 0..3 {
        let a = spawn();
        let b = spawn();
        for (name, child) in [("a", a), ("b", b)] {
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                sha256(&ok(out, &format!("round {round}: process {name}"))),
                TRUSTED_ROOT_SHA256
            );
        }
    }
    drop(server);
    let out = trust_root(
        d,
        &[
            "--offline",
            "--tuf-url",
            &url,
            "--tuf-root",
            &root5.to_string_lossy(),
            "--tuf-cache-dir",
            &cache_base.to_string_lossy(),
            "--reference-time",
            REFERENCE_TIME,
        ],
    );
    assert_eq!(
        sha256(&ok(out, "offline after the race")),
        TRUSTED_ROOT_SHA256
    );
}
