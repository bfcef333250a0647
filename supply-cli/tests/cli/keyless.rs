//! Keyless signing (`supply-sigstore-conformance sign-bundle`, `supply sign-blob
//! --identity-token`) against sigstore-js's mock Fulcio, CT log, Rekor and TSA
//! (`supply_testkit::sigstore_mock`), with the bundles verified by our verifier and by
//! sigstore-python 4.5.1 from the peers venv; and services whose answers the trusted root does
//! not vouch for (a replayed Rekor entry, a foreign Fulcio, the mock's Rekor v2), which the
//! signer's self-verification refuses.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use supply_sig::digest::Algorithm;
use supply_testkit::http::StaticServer;
use supply_testkit::sigstore_mock::{unsigned_jwt, SigstoreMock};
use supply_testkit::{peer, run, tempdir};

pub(crate) const ISSUER: &str = "https://oidc.supply.test";
pub(crate) const SUBJECT: &str =
    "https://github.com/supply/keyless/.github/workflows/release.yml@refs/heads/main";

fn conformance() -> Command {
    Command::new(env!("CARGO_BIN_EXE_supply-sigstore-conformance"))
}

pub(crate) fn token() -> String {
    // The mock Fulcio certifies `sub` as a URI SAN and `iss` as the issuer extensions; the
    // proof of possession is over `email` (the claim Fulcio checks for email identities).
    unsigned_jwt(&json!({
        "iss": ISSUER,
        "sub": SUBJECT,
        "email": "release@supply.test",
        "email_verified": true,
        "aud": "sigstore",
        "iat": 1_700_000_000,
        "exp": 4_000_000_000_u64,
    }))
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sign_bundle(mock: &SigstoreMock, d: &Path, in_toto: bool, file: &str, bundle: &str) -> Output {
    let mut c = conformance();
    c.current_dir(d).arg("sign-bundle");
    if in_toto {
        c.arg("--in-toto");
    }
    c.args(["--identity-token", &token(), "--bundle", bundle])
        .arg("--trusted-root")
        .arg(mock.trusted_root())
        .arg("--signing-config")
        .arg(mock.signing_config())
        .arg(file);
    run(&mut c)
}

fn verify_bundle(root: &Path, d: &Path, bundle: &str, identity: &str, file: &str) -> bool {
    let mut c = conformance();
    c.current_dir(d)
        .args(["verify-bundle", "--bundle", bundle])
        .args(["--certificate-identity", identity])
        .args(["--certificate-oidc-issuer", ISSUER])
        .arg("--trusted-root")
        .arg(root)
        .arg(file);
    run(&mut c).status.success()
}

fn sigstore_python(trust_config: &Path, d: &Path, bundle: &str, file: &str) -> Output {
    let Some(bin) = peer("sigstore") else {
        panic!("sigstore-python is missing although node was found: run ./scripts/install-peers")
    };
    let mut c = Command::new(bin);
    c.current_dir(d)
        .env("HOME", d)
        .env("XDG_CACHE_HOME", d.join(".cache"))
        .env("XDG_DATA_HOME", d.join(".local/share"))
        .arg("--trust-config")
        .arg(trust_config)
        .args(["verify", "identity", "--offline", "--bundle", bundle])
        .args(["--cert-identity", SUBJECT, "--cert-oidc-issuer", ISSUER])
        .arg(file);
    run(&mut c)
}

fn sha256_hex(bytes: &[u8]) -> String {
    supply_sig::crypto::default_provider()
        .hash
        .digest(Algorithm::Sha256, bytes)
        .hex()
}

/// Message signature and `--in-toto`, with Rekor v1 (the mock's, dsse 0.0.1 canonicalized by the
/// server) and Rekor v2 (answered by the server script with the mock's log key, since the mock's
/// own v2 handler logs unverifiable entries): every bundle verifies here and in sigstore-python.
#[test]
fn keyless_sign_bundle_with_sigstore_mock_verifies_here_and_in_sigstore_python() {
    let dir = tempdir();
    let d = dir.path();
    let artifact = b"release tarball, signed keylessly\n";
    std::fs::write(d.join("artifact"), artifact).unwrap();
    std::fs::write(d.join("tampered"), b"release tarball, signed keylessly!\n").unwrap();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "artifact", "digest": {"sha256": sha256_hex(artifact)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://supply.test/keyless"}},
    });
    std::fs::write(d.join("statement.json"), statement.to_string()).unwrap();

    for (rekor, flags) in [("rekor-v1", &[][..]), ("rekor-v2", &["--rekor-v2"][..])] {
        let Some(mock) = SigstoreMock::start_with(&d.join(rekor), flags) else {
            return;
        };
        for (in_toto, input, bundle) in [
            (false, "artifact", "artifact.sigstore.json"),
            (true, "statement.json", "statement.sigstore.json"),
        ] {
            let what = format!("{rekor}, {}", if in_toto { "--in-toto" } else { "message" });
            check_keyless_round_trip(&mock, d, rekor, in_toto, input, bundle, &what);
        }
    }
}

fn check_keyless_round_trip(
    mock: &SigstoreMock,
    d: &Path,
    rekor: &str,
    in_toto: bool,
    input: &str,
    bundle: &str,
    what: &str,
) {
    ok(
        &sign_bundle(mock, d, in_toto, input, bundle),
        &format!("sign-bundle ({what})"),
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join(bundle)).unwrap()).unwrap();
    assert_eq!(
        written["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let vm = &written["verificationMaterial"];
    assert!(vm["certificate"]["rawBytes"].is_string(), "{what}");
    assert_eq!(vm["tlogEntries"].as_array().unwrap().len(), 1, "{what}");
    // Rekor v1 logs an envelope as dsse 0.0.1; Rekor v2 logs everything as hashedrekord
    // 0.0.2 (over SHA-256 of the DSSE PAE for an envelope).
    let kind = &vm["tlogEntries"][0]["kindVersion"];
    let expected = match (rekor, in_toto) {
        ("rekor-v1", true) => json!({"kind": "dsse", "version": "0.0.1"}),
        ("rekor-v1", false) => json!({"kind": "hashedrekord", "version": "0.0.1"}),
        _ => json!({"kind": "hashedrekord", "version": "0.0.2"}),
    };
    assert_eq!(kind, &expected, "{what}");
    assert_eq!(
        vm["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{what}"
    );

    // (a) our verifier: the right identity, then a wrong identity and a tampered file.
    let root = mock.trusted_root();
    assert!(
        verify_bundle(&root, d, bundle, SUBJECT, "artifact"),
        "{what}: verify-bundle refused our own bundle"
    );
    assert!(
        !verify_bundle(
            &root,
            d,
            bundle,
            "https://github.com/someone/else",
            "artifact"
        ),
        "{what}: verify-bundle accepted a wrong identity"
    );
    assert!(
        !verify_bundle(&root, d, bundle, SUBJECT, "tampered"),
        "{what}: verify-bundle accepted a tampered file"
    );
    // The same bundle under another instance's root (the staging root) fails.
    let mut staging = conformance();
    staging
        .current_dir(d)
        .args(["verify-bundle", "--staging", "--bundle", bundle])
        .arg("--trusted-root")
        .arg(supply_testkit::testdata(
            "sigstore/trust/staging/trusted_root.json",
        ))
        .args(["--certificate-identity", SUBJECT])
        .args(["--certificate-oidc-issuer", ISSUER, "artifact"]);
    assert!(!run(&mut staging).status.success(), "{what}: staging root");

    // (b) sigstore-python with the mock's trust material.
    ok(
        &sigstore_python(&mock.trust_config(), d, bundle, "artifact"),
        &format!("sigstore-python verify identity ({what})"),
    );
    let out = sigstore_python(&mock.trust_config(), d, bundle, "tampered");
    assert!(
        !out.status.success(),
        "{what}: sigstore-python accepted a tampered file"
    );
}

#[test]
fn keyless_sign_blob_in_the_supply_cli() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    std::fs::write(d.join("artifact"), b"signed by supply sign-blob\n").unwrap();
    // The signing config comes from the client trust config given as --trusted-root.
    let mut sign = super::supply(d);
    sign.args([
        "sign-blob",
        "--identity-token",
        &token(),
        "--bundle",
        "a.json",
    ])
    .arg("--trusted-root")
    .arg(mock.trust_config())
    .arg("artifact");
    ok(&run(&mut sign), "supply sign-blob --identity-token");
    let mut verify = super::supply(d);
    verify
        .args(["verify-blob", "--bundle", "a.json"])
        .args(["--certificate-identity", SUBJECT])
        .args(["--certificate-oidc-issuer", ISSUER])
        .arg("--trusted-root")
        .arg(mock.trusted_root())
        .arg("artifact");
    ok(&run(&mut verify), "supply verify-blob --bundle");
}

/// A Rekor whose entry body logs another signature, and a Fulcio chain outside the trusted
/// root: the signer's self-verification refuses both and writes no bundle.
#[test]
fn keyless_signing_fails_closed_on_untrusted_service_answers() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    std::fs::write(d.join("artifact"), b"artifact\n").unwrap();
    std::fs::write(d.join("other"), b"another artifact\n").unwrap();

    // A Rekor serving a canned, correctly signed response for *another* signature: the mock's
    // own answer to an earlier upload, replayed by a static server at the Rekor path.
    ok(
        &sign_bundle(&mock, d, false, "other", "other.json"),
        "sign-bundle of the other artifact",
    );
    let other: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("other.json")).unwrap()).unwrap();
    let e = &other["verificationMaterial"]["tlogEntries"][0];
    let b64 = |s: &serde_json::Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().unwrap())
            .unwrap()
    };
    let p = &e["inclusionProof"];
    let replay = json!({
        "0000": {
            "body": e["canonicalizedBody"],
            "integratedTime": e["integratedTime"].as_str().unwrap().parse::<i64>().unwrap(),
            "logID": hex(&b64(&e["logId"]["keyId"])),
            "logIndex": e["logIndex"].as_str().unwrap().parse::<i64>().unwrap(),
            "verification": {
                "signedEntryTimestamp": e["inclusionPromise"]["signedEntryTimestamp"],
                "inclusionProof": {
                    "logIndex": p["logIndex"].as_str().unwrap().parse::<i64>().unwrap(),
                    "treeSize": p["treeSize"].as_str().unwrap().parse::<i64>().unwrap(),
                    "rootHash": hex(&b64(&p["rootHash"])),
                    "hashes": [],
                    "checkpoint": p["checkpoint"]["envelope"],
                },
            },
        },
    });
    let canned = d.join("canned");
    std::fs::create_dir_all(canned.join("api/v1/log")).unwrap();
    std::fs::write(canned.join("api/v1/log/entries"), replay.to_string()).unwrap();
    let server = StaticServer::start(&canned);
    let rekor_url = server.url("").trim_end_matches('/').to_owned();

    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    config["rekorTlogUrls"][0]["url"] = json!(rekor_url);
    std::fs::write(d.join("replay_config.json"), config.to_string()).unwrap();

    refused_untrusted(
        d,
        &mock.trusted_root(),
        &d.join("replay_config.json"),
        "bad.json",
        "a replayed Rekor entry for another signature",
    );
    assert!(
        server.requests().iter().any(|r| r == "api/v1/log/entries"),
        "the replaying Rekor was not asked"
    );

    // A second mock instance's Fulcio, with the first mock's Rekor and TSA: its chain is not in
    // the trusted root, everything else is.
    let Some(stranger) = SigstoreMock::start(&d.join("stranger")) else {
        return;
    };
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    config["caUrls"][0]["url"] = json!(stranger.url());
    std::fs::write(d.join("stranger_config.json"), config.to_string()).unwrap();
    refused_untrusted(
        d,
        &mock.trusted_root(),
        &d.join("stranger_config.json"),
        "bad2.json",
        "an untrusted Fulcio chain",
    );

    // The mock's own Rekor v2 handler (a signing config naming API v2): it logs the request
    // object as its own ad-hoc JSON (no kind or apiVersion, the tree-size-1 proof at a random
    // index), which no verifier accepts; the signer refuses to return such a bundle.
    let Some(v2) = SigstoreMock::start_with(&d.join("v2"), &["--mock-rekor-v2"]) else {
        return;
    };
    refused_untrusted(
        d,
        &v2.trusted_root(),
        &v2.signing_config(),
        "bad3.json",
        "the mock's Rekor v2 entry",
    );
}

/// Runs `sign-bundle` of `d/artifact` with `trusted_root` and `signing_config` and asserts that
/// the signer refused its own result (the finished bundle does not verify) and wrote nothing.
fn refused_untrusted(
    d: &Path,
    trusted_root: &Path,
    signing_config: &Path,
    bundle: &str,
    what: &str,
) {
    let mut c = conformance();
    c.current_dir(d)
        .args([
            "sign-bundle",
            "--identity-token",
            &token(),
            "--bundle",
            bundle,
        ])
        .arg("--trusted-root")
        .arg(trusted_root)
        .arg("--signing-config")
        .arg(signing_config)
        .arg("artifact");
    let out = run(&mut c);
    assert!(!out.status.success(), "{what} was accepted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not verify"), "{what}: {err}");
    assert!(!d.join(bundle).exists(), "{what}: a bundle was written");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Canned Fulcio and Rekor answers (testkit's StaticServer answers a POST with a file): each
/// malformed or oversized answer is refused with its own error and no bundle is written.
#[test]
fn keyless_signing_refuses_malformed_service_answers() {
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    std::fs::write(d.join("artifact"), b"artifact\n").unwrap();
    // A real leaf from the mock, for another (ephemeral) key than the next signing's.
    ok(
        &sign_bundle(&mock, d, false, "artifact", "first.json"),
        "sign-bundle",
    );
    let first: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("first.json")).unwrap()).unwrap();
    let leaf_b64 = first["verificationMaterial"]["certificate"]["rawBytes"]
        .as_str()
        .unwrap()
        .to_owned();
    let leaf_pem = format!("-----BEGIN CERTIFICATE-----\n{leaf_b64}\n-----END CERTIFICATE-----\n");
    let chain = |certs: serde_json::Value| {
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": certs}}}).to_string()
    };
    let entry = |body: &str| {
        json!({"body": body, "integratedTime": 1, "logID": "00", "logIndex": 1,
               "verification": {"signedEntryTimestamp": "AA==", "inclusionProof":
               {"logIndex": 0, "treeSize": 1, "rootHash": "00", "hashes": [], "checkpoint": "x"}}})
    };
    let oversized = "x".repeat(8 * 1024 * 1024 + 1);
    let cases: Vec<(&str, Option<String>, Option<String>, &str)> = vec![
        (
            "Fulcio certifies another key",
            Some(chain(json!([leaf_pem]))),
            None,
            "another key",
        ),
        (
            "Fulcio detached SCT",
            Some(
                json!({"signedCertificateDetachedSct": {"chain": {"certificates": [leaf_pem]}}})
                    .to_string(),
            ),
            None,
            "detached SCTs",
        ),
        (
            "Fulcio empty chain",
            Some(chain(json!([]))),
            None,
            "empty certificate chain",
        ),
        (
            "Fulcio not JSON",
            Some("<html>".into()),
            None,
            "invalid Fulcio response",
        ),
        (
            "Rekor two entries",
            None,
            Some(json!({"a": entry("e30="), "b": entry("e30=")}).to_string()),
            "exactly one entry",
        ),
        (
            "Rekor body not JSON",
            None,
            Some(json!({"a": entry("AAAA")}).to_string()),
            "body is not JSON",
        ),
        (
            "Rekor oversized",
            None,
            Some(oversized),
            "exceeds the limit",
        ),
    ];
    for (what, fulcio, rekor, expect) in cases {
        let canned = d.join(what.replace(' ', "_"));
        let mut config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
        std::fs::create_dir_all(canned.join("api/v2")).unwrap();
        std::fs::create_dir_all(canned.join("api/v1/log")).unwrap();
        let server = StaticServer::start(&canned);
        let url = server.url("").trim_end_matches('/').to_owned();
        if let Some(f) = &fulcio {
            std::fs::write(canned.join("api/v2/signingCert"), f).unwrap();
            config["caUrls"][0]["url"] = json!(url);
        }
        if let Some(r) = &rekor {
            std::fs::write(canned.join("api/v1/log/entries"), r).unwrap();
            config["rekorTlogUrls"][0]["url"] = json!(url);
        }
        let cfg = canned.join("config.json");
        std::fs::write(&cfg, config.to_string()).unwrap();
        let mut c = conformance();
        c.current_dir(d)
            .args([
                "sign-bundle",
                "--identity-token",
                &token(),
                "--bundle",
                "bad.json",
            ])
            .arg("--trusted-root")
            .arg(mock.trusted_root())
            .arg("--signing-config")
            .arg(&cfg)
            .arg("artifact");
        let out = run(&mut c);
        assert!(!out.status.success(), "{what}: signing succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{what}: expected `{expect}` in {err}");
        assert!(!d.join("bad.json").exists(), "{what}: a bundle was written");
    }
}

/// Keyless `supply sign-blob` with neither --trusted-root nor --signing-config, against servers
/// on 127.0.0.1 that speak only HTTPS (certificates from a CA the test generates, trusted with
/// `--ca-file`): the trust material comes through TUF from a private instance's repository
/// (--tuf-url, --tuf-root) whose `trusted_root.json` and `signing_config.v0.2.json` targets are
/// the mock's, the signing config naming the mock's services behind the TLS front. `supply tuf
/// refresh` reads the same repository; the bundle then verifies offline from the TUF cache.
#[test]
fn keyless_sign_blob_takes_its_trust_material_from_tuf_over_https() {
    use supply_testkit::tls::{HttpsFront, TestCa};
    use supply_tuf::metadata::Expires;
    use supply_tuf::repo::{Repository, SigningKey};
    use supply_tuf::time::Timestamp;
    use supply_tuf::{KeyAlgorithm, RUSTCRYPTO};

    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    let ca = TestCa::new("supply keyless test CA");
    let ca_file = ca.write_pem(d, "ca.pem");
    let services = HttpsFront::start(mock.addr(), &ca.localhost());
    // The mock's signing config with every service behind the TLS front.
    let https_base = services.url("");
    let config = std::fs::read_to_string(mock.signing_config())
        .unwrap()
        .replace(&mock.url(), https_base.trim_end_matches('/'));
    assert!(config.contains("https://127.0.0.1:") && !config.contains("http://"));

    std::fs::write(d.join("artifact"), b"signed with trust from TUF\n").unwrap();
    let key = || SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
    let expires = Expires::from_time(Timestamp::from_unix(4_102_444_800));
    let mut repo = Repository::new([key(), key(), key(), key()], expires, true).unwrap();
    repo.add_target(
        "targets",
        "trusted_root.json",
        &std::fs::read(mock.trusted_root()).unwrap(),
    )
    .unwrap();
    repo.add_target("targets", "signing_config.v0.2.json", config.as_bytes())
        .unwrap();
    repo.publish().unwrap();
    let served = d.join("tuf");
    repo.write_to(&served).unwrap();
    // Laid out as Sigstore's CDN: metadata at the base URL, targets below it.
    std::fs::rename(served.join("targets"), served.join("metadata/targets")).unwrap();
    std::fs::write(d.join("1.root.json"), &repo.metadata_files()["1.root.json"]).unwrap();
    let plain = StaticServer::start(served.join("metadata"));
    let tuf_front = HttpsFront::start(plain.addr(), &ca.localhost());
    let url = tuf_front.url("");
    let tuf = [
        "--tuf-url",
        url.as_str(),
        "--tuf-root",
        "1.root.json",
        "--tuf-cache-dir",
        "cache",
        "--ca-file",
        ca_file.to_str().unwrap(),
    ];

    // Without the CA, neither TUF nor the services are trusted.
    let mut sign = super::supply(d);
    sign.args([
        "sign-blob",
        "--identity-token",
        &token(),
        "--bundle",
        "x.json",
    ])
    .args(&tuf[..6])
    .arg("artifact");
    let out = run(&mut sign);
    assert!(!out.status.success(), "signed over untrusted TLS");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not issued by a trusted CA"), "{err}");

    let mut sign = super::supply(d);
    sign.args([
        "sign-blob",
        "--identity-token",
        &token(),
        "--bundle",
        "a.json",
    ])
    .args(tuf)
    .arg("artifact");
    ok(
        &run(&mut sign),
        "supply sign-blob over HTTPS with trust material from TUF",
    );

    // `supply tuf refresh` of the same repository over HTTPS.
    let mut init = super::supply(d);
    init.args(["tuf", "init", "--metadata-dir", "tuf-client", "1.root.json"]);
    ok(&run(&mut init), "supply tuf init");
    let mut refresh = super::supply(d);
    refresh
        .args(["tuf", "refresh", "--metadata-dir", "tuf-client"])
        .args([
            "--metadata-url",
            &url,
            "--ca-file",
            ca_file.to_str().unwrap(),
        ]);
    let out = run(&mut refresh);
    ok(&out, "supply tuf refresh over HTTPS");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("root v1,"));

    // Online verification through TUF over HTTPS, then offline from the cache with the servers
    // gone.
    let verify = |extra: &[&str]| {
        let mut verify = super::supply(d);
        verify
            .args(["verify-blob", "--bundle", "a.json"])
            .args(["--certificate-identity", SUBJECT])
            .args(["--certificate-oidc-issuer", ISSUER])
            .args(tuf)
            .args(extra)
            .arg("artifact");
        run(&mut verify)
    };
    ok(&verify(&[]), "supply verify-blob through TUF over HTTPS");
    drop(tuf_front);
    drop(plain);
    drop(services);
    ok(
        &verify(&["--offline"]),
        "supply verify-blob --offline with the TUF cache",
    );
    // Offline with another (empty) cache: refused for the missing TUF cache.
    let mut sign = super::supply(d);
    sign.args([
        "sign-blob",
        "--identity-token",
        &token(),
        "--bundle",
        "b.json",
    ])
    .args(["--tuf-url", &url, "--tuf-root", "1.root.json"])
    .args(["--tuf-cache-dir", "empty", "--offline", "artifact"]);
    let out = run(&mut sign);
    assert!(!out.status.success(), "signed without trust material");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no cached TUF metadata"), "{err}");
}
