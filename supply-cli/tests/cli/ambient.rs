//! Keyless `supply sign-blob` as CI users meet it: the identity token from the environment
//! (a fake GitHub Actions token endpoint), Fulcio and Rekor from `@sigstore/mock`, and an RFC
//! 3161 TSA that only speaks DER (`openssl ts -reply` behind a local server, with a CA and a
//! timeStamping leaf made by openssl here), whose chain is added to the mock's trusted root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;
use supply_testkit::http::{FnServer, Reply};
use supply_testkit::sigstore_mock::{unsigned_jwt, SigstoreMock};
use supply_testkit::{peer, run, run_ok, tempdir};

const ISSUER: &str = "https://token.actions.githubusercontent.com";
const SUBJECT: &str =
    "https://github.com/supply/ambient/.github/workflows/release.yml@refs/tags/v1";
const REQUEST_TOKEN: &str = "github-request-token";

/// Every variable ambient detection reads: removed, so that the host's CI does not leak in.
const AMBIENT_VARS: [&str; 5] = [
    "SIGSTORE_ID_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
];

fn token() -> String {
    unsigned_jwt(&json!({
        "iss": ISSUER,
        "sub": SUBJECT,
        "aud": "sigstore",
        "iat": 1_700_000_000,
        "exp": 4_000_000_000_u64,
    }))
}

/// A fake GitHub Actions token endpoint: `GET ...?audience=sigstore` with the right bearer
/// gets `{"value": <token>}`, anything else 401. Counts the requests.
fn github() -> (FnServer, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = FnServer::start(move |req| {
        seen.fetch_add(1, Ordering::SeqCst);
        let bearer = req.header("authorization") == Some(&format!("Bearer {REQUEST_TOKEN}"));
        let audience = req
            .query_pairs()
            .contains(&("audience".to_owned(), "sigstore".to_owned()));
        if req.method == "GET" && bearer && audience {
            let body = json!({"count": 1, "value": token()}).to_string();
            Reply::new(200, "application/json", body.into_bytes())
        } else {
            Reply::new(401, "text/plain", b"bad credentials".to_vec())
        }
    });
    (server, count)
}

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let bin = peer("openssl").unwrap_or_else(|| PathBuf::from("openssl"));
    run_ok(Command::new(bin).current_dir(dir).args(args))
}

/// A TSA CA and a P-256 leaf with a critical timeStamping extKeyUsage in `dir`
/// (`ca.crt`, `tsa.crt`, `tsa.key`), and the `openssl ts` config (`tsa.cnf`).
fn make_tsa(dir: &Path) {
    make_tsa_with(dir, "");
}

/// [`make_tsa`], the leaf's extensions followed by the config lines `leaf_ext`.
fn make_tsa_with(dir: &Path, leaf_ext: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("ca.cnf"),
        "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nO = supply test\n\
         CN = supply test TSA root\n[v3_ca]\nbasicConstraints = critical,CA:TRUE\n\
         keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n\
             extendedKeyUsage = critical,timeStamping\nsubjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid\n{leaf_ext}"
        ),
    )
    .unwrap();
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    openssl(dir, &[&["genpkey"][..], &ec, &["-out", "ca.key"]].concat());
    openssl(dir, &[&["genpkey"][..], &ec, &["-out", "tsa.key"]].concat());
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
            "-days",
            "2",
            "-sha256",
            "-out",
            "ca.crt",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-config",
            "ca.cnf",
            "-subj",
            "/O=supply test/CN=supply test TSA",
            "-out",
            "tsa.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-sha256",
            "-extfile",
            "leaf.ext",
            "-out",
            "tsa.crt",
        ],
    );
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[tsa]\ndefault_tsa = tsa1\n[tsa1]\nserial = {}\ncrypto_device = builtin\n\
             signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.57264.2\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\n\
             tsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            dir.join("tsaserial").display()
        ),
    )
    .unwrap();
}

/// The base64 DER of a PEM certificate file (its body).
fn pem_body(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

/// What the DER TSA answers.
#[derive(Clone)]
enum TsaMode {
    /// `openssl ts -reply` for the request.
    Openssl,
    /// A canned response (made for another request).
    Canned(Vec<u8>),
}

/// The TSA server: DER requests (`application/timestamp-query`) only, 415 otherwise. Logs
/// the Content-Type of each request.
fn tsa_server(dir: &Path, mode: TsaMode) -> (FnServer, Arc<Mutex<Vec<String>>>) {
    let dir = dir.to_path_buf();
    let n = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    let server = FnServer::start(move |req| {
        let ct = req.header("content-type").unwrap_or("").to_owned();
        seen.lock().unwrap().push(ct.clone());
        if req.method != "POST" || ct != "application/timestamp-query" {
            return Reply::new(415, "text/plain", b"DER requests only".to_vec());
        }
        let reply = match &mode {
            TsaMode::Canned(r) => r.clone(),
            TsaMode::Openssl => {
                let i = n.fetch_add(1, Ordering::SeqCst);
                let (q, r) = (format!("q{i}.tsq"), format!("r{i}.tsr"));
                std::fs::write(dir.join(&q), &req.body).unwrap();
                let out = openssl_out(
                    &dir,
                    &[
                        "ts",
                        "-reply",
                        "-config",
                        "tsa.cnf",
                        "-queryfile",
                        &q,
                        "-signer",
                        "tsa.crt",
                        "-inkey",
                        "tsa.key",
                        "-chain",
                        "ca.crt",
                        "-out",
                        &r,
                    ],
                );
                if !out.status.success() {
                    let err = String::from_utf8_lossy(&out.stderr).into_owned();
                    return Reply::new(400, "text/plain", err.into_bytes());
                }
                std::fs::read(dir.join(&r)).unwrap()
            }
        };
        Reply::new(200, "application/timestamp-reply", reply)
    });
    (server, log)
}

fn openssl_out(dir: &Path, args: &[&str]) -> Output {
    let bin = peer("openssl").unwrap_or_else(|| PathBuf::from("openssl"));
    run(Command::new(bin).current_dir(dir).args(args))
}

/// The mock's signing config with `tsa_url` as its TSA, and its trusted root with the TSA in
/// `tsa_dir` added; written into `d` as `config.json` and `root.json`.
fn extended_trust(mock: &SigstoreMock, d: &Path, tsa_dir: &Path, tsa_url: &str) {
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    config["tsaUrls"][0]["url"] = json!(tsa_url);
    std::fs::write(d.join("config.json"), config.to_string()).unwrap();
    let mut root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.trusted_root()).unwrap()).unwrap();
    let valid_for = root["timestampAuthorities"][0]["validFor"].clone();
    root["timestampAuthorities"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "subject": {"organization": "supply test", "commonName": "supply test TSA"},
            "uri": tsa_url,
            "certChain": {"certificates": [
                {"rawBytes": pem_body(&tsa_dir.join("tsa.crt"))},
                {"rawBytes": pem_body(&tsa_dir.join("ca.crt"))},
            ]},
            "validFor": valid_for,
        }));
    std::fs::write(d.join("root.json"), root.to_string()).unwrap();
}

/// `supply sign-blob` keyless with `config.json` and `root.json` of `d`, the ambient
/// variables cleared and then `env` set.
fn sign_blob(d: &Path, extra: &[&str], env: &[(&str, &str)], bundle: &str) -> Output {
    sign_blob_with(d, "root.json", extra, env, bundle)
}

/// As [`sign_blob`], with the trusted root `root` of `d`.
fn sign_blob_with(
    d: &Path,
    root: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    bundle: &str,
) -> Output {
    let mut c = super::supply(d);
    for v in AMBIENT_VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied())
        .args(["sign-blob", "--bundle", bundle])
        .args(["--signing-config", "config.json", "--trusted-root", root])
        .args(extra)
        .arg("artifact");
    run(&mut c)
}

fn verify_blob(d: &Path, root: &Path, bundle: &str) -> Output {
    let mut c = super::supply(d);
    c.args(["verify-blob", "--bundle", bundle])
        .args(["--certificate-identity", SUBJECT])
        .args(["--certificate-oidc-issuer", ISSUER])
        .arg("--trusted-root")
        .arg(root)
        .arg("artifact");
    run(&mut c)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The whole CI flow: GitHub's ambient token, Fulcio and Rekor v1 from the mock, a DER-only
/// openssl TSA; the bundle verifies against the mock's root extended with that TSA. An
/// explicit --identity-token wins over the ambient one; a JSON request to the DER-only TSA
/// fails.
#[test]
fn keyless_sign_blob_with_a_github_ambient_token_and_an_openssl_der_tsa() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    if peer("openssl").is_none() {
        return;
    }
    std::fs::write(d.join("artifact"), b"released from a GitHub Actions job\n").unwrap();
    let tsa_dir = d.join("tsa");
    make_tsa(&tsa_dir);
    let (tsa, tsa_log) = tsa_server(&tsa_dir, TsaMode::Openssl);
    extended_trust(&mock, d, &tsa_dir, &tsa.url("tsr"));
    let (gh, gh_count) = github();
    let gh_url = gh.url("_apis/distributedtask/idtoken?api-version=2.0");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", gh_url.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN),
    ];
    let der = ["--timestamp-request-format", "der"];

    let out = sign_blob(d, &der, &env, "a.json");
    assert!(out.status.success(), "sign-blob failed: {}", stderr(&out));
    assert!(stderr(&out).contains("GitHub Actions"), "{}", stderr(&out));
    assert_eq!(gh_count.load(Ordering::SeqCst), 1);
    assert_eq!(
        tsa_log.lock().unwrap().as_slice(),
        ["application/timestamp-query"]
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("a.json")).unwrap()).unwrap();
    let vm = &bundle["verificationMaterial"];
    assert_eq!(
        vm["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(vm["tlogEntries"].as_array().unwrap().len(), 1);
    let out = verify_blob(d, &d.join("root.json"), "a.json");
    assert!(out.status.success(), "verify-blob failed: {}", stderr(&out));
    // The timestamp is checked: against the mock's own root, which does not know this TSA,
    // the signer's self-verification refuses the bundle.
    std::fs::copy(mock.trusted_root(), d.join("mock_root.json")).unwrap();
    let out = sign_blob_with(d, "mock_root.json", &der, &env, "untrusted.json");
    assert!(
        !out.status.success(),
        "a timestamp from an unknown TSA was accepted: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("does not verify against the trusted root"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("untrusted.json").exists());

    // --identity-token wins: the token endpoint is not asked.
    let asked = gh_count.load(Ordering::SeqCst);
    let out = sign_blob(
        d,
        &[&der[..], &["--identity-token", &token()]].concat(),
        &env,
        "b.json",
    );
    assert!(out.status.success(), "sign-blob failed: {}", stderr(&out));
    assert_eq!(gh_count.load(Ordering::SeqCst), asked);
    assert!(verify_blob(d, &d.join("root.json"), "b.json")
        .status
        .success());

    // The default request format is JSON, which this TSA does not take: signing fails and
    // writes nothing.
    let out = sign_blob(d, &[], &env, "c.json");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("415"), "{}", stderr(&out));
    assert!(!d.join("c.json").exists());
    assert_eq!(
        tsa_log.lock().unwrap().last().map(String::as_str),
        Some("application/json")
    );
}

/// A TSA answering with a timestamp made for another request (its nonce differs): refused.
#[test]
fn keyless_sign_blob_refuses_a_timestamp_without_our_nonce() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    if peer("openssl").is_none() {
        return;
    }
    std::fs::write(d.join("artifact"), b"artifact\n").unwrap();
    let tsa_dir = d.join("tsa");
    make_tsa(&tsa_dir);
    // A genuine response of this TSA, to a request with openssl's own nonce.
    std::fs::write(tsa_dir.join("other"), b"another signature").unwrap();
    openssl(
        &tsa_dir,
        &[
            "ts",
            "-query",
            "-data",
            "other",
            "-sha256",
            "-cert",
            "-out",
            "other.tsq",
        ],
    );
    openssl(
        &tsa_dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "other.tsq",
            "-signer",
            "tsa.crt",
            "-inkey",
            "tsa.key",
            "-chain",
            "ca.crt",
            "-out",
            "other.tsr",
        ],
    );
    let canned = std::fs::read(tsa_dir.join("other.tsr")).unwrap();
    let (tsa, _) = tsa_server(&tsa_dir, TsaMode::Canned(canned));
    extended_trust(&mock, d, &tsa_dir, &tsa.url("tsr"));
    let t = token();
    let out = sign_blob(
        d,
        &["--timestamp-request-format", "der"],
        &[("SIGSTORE_ID_TOKEN", t.as_str())],
        "a.json",
    );
    assert!(!out.status.success(), "a replayed timestamp was accepted");
    assert!(stderr(&out).contains("nonce"), "{}", stderr(&out));
    assert!(!d.join("a.json").exists());
}

/// No token anywhere, a refused request token, a GitHub job without id-token permission, a
/// GitLab job without `id_tokens`: each fails before any service is asked, naming what to do.
#[test]
fn keyless_sign_blob_explains_missing_ambient_tokens() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    std::fs::write(d.join("artifact"), b"artifact\n").unwrap();
    std::fs::copy(mock.signing_config(), d.join("config.json")).unwrap();
    std::fs::copy(mock.trusted_root(), d.join("root.json")).unwrap();
    let (gh, gh_count) = github();
    let gh_url = gh.url("token");
    for (env, expect) in [
        (
            &[][..],
            &["SIGSTORE_ID_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL"][..],
        ),
        (
            &[
                ("ACTIONS_ID_TOKEN_REQUEST_URL", gh_url.as_str()),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "stale"),
            ][..],
            &["401"][..],
        ),
        (&[("GITHUB_ACTIONS", "true")][..], &["id-token: write"][..]),
        (
            &[("GITLAB_CI", "true")][..],
            &["id_tokens", "SIGSTORE_ID_TOKEN"][..],
        ),
    ] {
        let out = sign_blob(d, &[], env, "a.json");
        assert!(!out.status.success(), "{env:?}");
        for e in expect {
            assert!(stderr(&out).contains(e), "{env:?}: {}", stderr(&out));
        }
        assert!(!d.join("a.json").exists());
    }
    assert_eq!(gh_count.load(Ordering::SeqCst), 1);
    // Keyless signing writes a bundle: without --bundle it is refused.
    let mut c = super::supply(d);
    c.args(["sign-blob", "--signing-config", "config.json", "artifact"]);
    let out = run(&mut c);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--bundle"), "{}", stderr(&out));
}

/// cosign 3 signs a blob keylessly with the mock's Fulcio and Rekor v1 and the DER-only openssl
/// TSA (its signing config names it); `supply verify-blob` verifies the bundle, RFC 3161
/// timestamp included, against the mock's root extended with that TSA, and refuses it against
/// the mock's own root, which does not vouch for that TSA.
#[test]
fn cosign_keyless_bundle_with_an_rfc3161_timestamp_verifies() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    let (Some(_), Some(cosign)) = (peer("openssl"), peer("cosign")) else {
        return;
    };
    std::fs::write(
        d.join("artifact"),
        b"signed by cosign, timestamped by openssl\n",
    )
    .unwrap();
    let tsa_dir = d.join("tsa");
    make_tsa(&tsa_dir);
    let (tsa, tsa_log) = tsa_server(&tsa_dir, TsaMode::Openssl);
    extended_trust(&mock, d, &tsa_dir, &tsa.url("tsr"));
    // No newline: cosign sends the file's bytes as the bearer token.
    std::fs::write(d.join("token"), token()).unwrap();
    let mut cmd = supply_testkit::peer_command(&cosign, d);
    cmd.current_dir(d)
        .args(["sign-blob", "--yes", "--identity-token", "token"])
        .args([
            "--signing-config",
            "config.json",
            "--trusted-root",
            "root.json",
        ])
        .args(["--bundle", "cosign.json", "artifact"]);
    let out = run(&mut cmd);
    assert!(out.status.success(), "cosign sign-blob: {}", stderr(&out));
    assert_eq!(
        tsa_log.lock().unwrap().as_slice(),
        ["application/timestamp-query"]
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("cosign.json")).unwrap()).unwrap();
    let timestamps =
        &bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
    assert_eq!(timestamps.as_array().map(Vec::len), Some(1), "{bundle}");
    let out = verify_blob(d, &d.join("root.json"), "cosign.json");
    assert!(out.status.success(), "verify-blob: {}", stderr(&out));
    // The timestamp alone: without the log entry (and its signed time) the bundle verifies,
    // with the log check waived, only where a trusted TSA vouches for the timestamp.
    let mut alone = bundle.clone();
    alone["verificationMaterial"]["tlogEntries"] = json!([]);
    std::fs::write(d.join("alone.json"), alone.to_string()).unwrap();
    let without_log = |root: &Path| {
        let mut c = super::supply(d);
        c.args([
            "verify-blob",
            "--bundle",
            "alone.json",
            "--insecure-ignore-tlog",
        ])
        .args(["--certificate-identity", SUBJECT])
        .args(["--certificate-oidc-issuer", ISSUER, "--trusted-root"])
        .arg(root)
        .arg("artifact");
        run(&mut c)
    };
    let out = without_log(&d.join("root.json"));
    assert!(out.status.success(), "timestamp alone: {}", stderr(&out));
    let out = without_log(&mock.trusted_root());
    assert!(
        !out.status.success(),
        "a root without the TSA vouched for its timestamp"
    );
    assert!(stderr(&out).contains("signed time"), "{}", stderr(&out));
}

/// notation signs with an RFC 3161 timestamp from the DER-only openssl TSA (`--timestamp-url`,
/// `--timestamp-root-cert`). With a `tsa` trust store holding that TSA's root in the policy,
/// `supply verify` and `notation verify` admit the signature, and we report the verified time;
/// with a `tsa` store holding another root, or for a signature without a timestamp, both refuse;
/// without a `tsa` store, the unstamped signature verifies as before.
#[test]
fn notation_timestamps_verify_against_the_policy_tsa_trust_store() {
    use super::imagesig::{image, notation_home};
    use supply_testkit::registry::Registry;
    let Some(reg) = Registry::start() else { return };
    let (Some(notation), Some(_)) = (peer("notation"), peer("openssl")) else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    let tsa_dir = d.join("tsa");
    make_tsa(&tsa_dir);
    make_tsa(&d.join("other-tsa"));
    let (tsa, tsa_log) = tsa_server(&tsa_dir, TsaMode::Openssl);
    let home = d.join("signer");
    std::fs::create_dir_all(&home).unwrap();
    let (policy, store) = notation_home(&notation, &home, "supplytest");
    for (name, root) in [
        ("supplytsa", tsa_dir.join("ca.crt")),
        ("othertsa", d.join("other-tsa/ca.crt")),
    ] {
        let s = store.join("x509/tsa").join(name);
        std::fs::create_dir_all(&s).unwrap();
        std::fs::copy(root, s.join("root.crt")).unwrap();
    }
    let set_policy = |stores: &[&str]| {
        let policy_json = json!({"version": "1.0", "trustPolicies": [{
            "name": "test", "registryScopes": ["*"],
            "signatureVerification": {"level": "strict"},
            "trustStores": stores, "trustedIdentities": ["*"]}]});
        std::fs::write(&policy, policy_json.to_string()).unwrap();
    };
    let repo = format!("{}/notation-tsa/img", reg.host());
    let stamped = image(d, &repo, "stamped", b"notarized with a timestamp");
    let plain = image(d, &repo, "plain", b"notarized without one");
    let sign = |digest: &str, timestamp: bool| {
        let mut cmd = supply_testkit::peer_command(&notation, &home);
        cmd.current_dir(d).args(["sign", "--insecure-registry"]);
        if timestamp {
            cmd.arg("--timestamp-url")
                .arg(tsa.url("tsr"))
                .arg("--timestamp-root-cert")
                .arg(tsa_dir.join("ca.crt"));
        }
        let out = run(cmd.arg(format!("{repo}@{digest}")));
        assert!(out.status.success(), "notation sign: {}", stderr(&out));
    };
    // The signing certificate must be valid throughout the timestamp ± its accuracy (1 s
    // here); notation generated it this second.
    std::thread::sleep(std::time::Duration::from_secs(2));
    sign(&stamped, true);
    assert_eq!(
        tsa_log.lock().unwrap().as_slice(),
        ["application/timestamp-query"]
    );
    sign(&plain, false);
    let ours = |tag: &str| {
        let mut c = super::supply(d);
        c.args(["verify", "--trust-policy"])
            .arg(&policy)
            .arg("--trust-store")
            .arg(&store)
            .arg(format!("{repo}:{tag}"));
        run(&mut c)
    };
    let theirs = |digest: &str| {
        let mut cmd = supply_testkit::peer_command(&notation, &home);
        cmd.current_dir(d)
            .args(["verify", "--insecure-registry"])
            .arg(format!("{repo}@{digest}"));
        run(&mut cmd)
    };

    set_policy(&["ca:supplytest", "tsa:supplytsa"]);
    let out = ours("stamped");
    assert!(out.status.success(), "supply verify: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["verifier"], "notation-signature", "{v}");
    assert!(v.to_string().contains("notation.timestamp"), "{v}");
    let out = theirs(&stamped);
    assert!(out.status.success(), "notation verify: {}", stderr(&out));
    let out = ours("plain");
    assert!(
        !out.status.success(),
        "an unstamped signature passed a tsa policy"
    );
    assert!(
        stderr(&out).contains("no timestamp countersignature"),
        "{}",
        stderr(&out)
    );
    assert!(!theirs(&plain).status.success());

    set_policy(&["ca:supplytest", "tsa:othertsa"]);
    let out = ours("stamped");
    assert!(
        !out.status.success(),
        "another TSA root vouched for the timestamp"
    );
    assert!(
        stderr(&out).contains("timestamp countersignature was not verified"),
        "{}",
        stderr(&out)
    );
    assert!(!theirs(&stamped).status.success());

    set_policy(&["ca:supplytest"]);
    let out = ours("plain");
    assert!(out.status.success(), "supply verify: {}", stderr(&out));
    assert!(theirs(&plain).status.success());
}

/// The time-stamping authority's chain is checked for revocation too, by notation and by us:
/// the openssl TSA's certificate names a CRL distribution point on a local server, and the
/// CRL (made by `openssl ca -gencrl` with the TSA root) first lists nothing, then the TSA
/// certificate. notation signs with a timestamp; `notation verify` and `supply verify` both
/// admit the signature, then both refuse it.
#[test]
fn notation_and_we_check_the_timestamp_authority_for_revocation() {
    use super::imagesig::{image, notation_home};
    use std::sync::{Arc, Mutex};
    use supply_testkit::http::{FnServer, Reply};
    use supply_testkit::registry::Registry;
    let Some(reg) = Registry::start() else { return };
    let (Some(notation), Some(_)) = (peer("notation"), peer("openssl")) else {
        return;
    };
    let crl: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
    let served = crl.clone();
    let crl_server = FnServer::start(move |_| {
        Reply::new(200, "application/pkix-crl", served.lock().unwrap().clone())
    });
    let dir = tempdir();
    let d = dir.path();
    let tsa_dir = d.join("tsa");
    make_tsa_with(
        &tsa_dir,
        &format!(
            "crlDistributionPoints = URI:{}\n",
            crl_server.url("tsa.crl")
        ),
    );
    // openssl ca, for the CRLs of the TSA root.
    std::fs::write(tsa_dir.join("crlnumber"), "10\n").unwrap();
    std::fs::write(
        tsa_dir.join("crl.cnf"),
        "[ca]\ndefault_ca = CA\n[CA]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         default_md = sha256\ndefault_crl_days = 1\ncertificate = ca.crt\n\
         private_key = ca.key\n",
    )
    .unwrap();
    let serial = String::from_utf8(openssl(
        &tsa_dir,
        &["x509", "-in", "tsa.crt", "-noout", "-serial"],
    ))
    .unwrap()
    .trim()
    .trim_start_matches("serial=")
    .to_owned();
    let make_crl = |revoked: bool| {
        let index = if revoked {
            format!("R\t301231000000Z\t261201000000Z,keyCompromise\t{serial}\tunknown\t/O=supply test/CN=supply test TSA\n")
        } else {
            String::new()
        };
        std::fs::write(tsa_dir.join("index.txt"), index).unwrap();
        openssl(
            &tsa_dir,
            &["ca", "-config", "crl.cnf", "-gencrl", "-out", "now.crl"],
        );
        let pem = std::fs::read_to_string(tsa_dir.join("now.crl")).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        *crl.lock().unwrap() = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
    };
    make_crl(false);
    let (tsa, _log) = tsa_server(&tsa_dir, TsaMode::Openssl);
    let home = d.join("signer");
    std::fs::create_dir_all(&home).unwrap();
    let (policy, store) = notation_home(&notation, &home, "supplytest");
    let s = store.join("x509/tsa/supplytsa");
    std::fs::create_dir_all(&s).unwrap();
    std::fs::copy(tsa_dir.join("ca.crt"), s.join("root.crt")).unwrap();
    std::fs::write(
        &policy,
        json!({"version": "1.0", "trustPolicies": [{
            "name": "test", "registryScopes": ["*"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:supplytest", "tsa:supplytsa"], "trustedIdentities": ["*"]}]})
        .to_string(),
    )
    .unwrap();
    let repo = format!("{}/notation-tsa-crl/img", reg.host());
    let digest = image(d, &repo, "v1", b"stamped by a revocable TSA");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let mut cmd = supply_testkit::peer_command(&notation, &home);
    cmd.current_dir(d)
        .args(["sign", "--insecure-registry", "--timestamp-url"])
        .arg(tsa.url("tsr"))
        .arg("--timestamp-root-cert")
        .arg(tsa_dir.join("ca.crt"))
        .arg(format!("{repo}@{digest}"));
    let out = run(&mut cmd);
    assert!(out.status.success(), "notation sign: {}", stderr(&out));
    let verdicts = || {
        let _ = std::fs::remove_dir_all(home.join(".cache"));
        let mut cmd = supply_testkit::peer_command(&notation, &home);
        cmd.current_dir(d)
            .args(["verify", "-v", "--insecure-registry"])
            .arg(format!("{repo}@{digest}"));
        let theirs = run(&mut cmd);
        let mut c = super::supply(d);
        c.args(["verify", "--trust-policy"])
            .arg(&policy)
            .arg("--trust-store")
            .arg(&store)
            .arg(format!("{repo}@{digest}"));
        let ours = run(&mut c);
        (
            theirs.status.success(),
            ours.status.success(),
            format!("notation: {}\nsupply: {}", stderr(&theirs), stderr(&ours)),
        )
    };
    let (theirs, ours, why) = verdicts();
    assert!(theirs && ours, "the TSA is not revoked: {why}");
    make_crl(true);
    let (theirs, ours, why) = verdicts();
    assert!(!theirs && !ours, "the TSA is revoked: {why}");
    let (notation_says, supply_says) = why.split_once("\nsupply: ").unwrap();
    assert!(notation_says.contains("revoked"), "{why}");
    assert!(
        supply_says.contains("timestamp authority's chain was revoked"),
        "{why}"
    );
}
