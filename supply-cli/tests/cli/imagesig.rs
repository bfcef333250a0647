//! `supply sign` / `supply verify` on images in Debian's docker-registry, two ways with cosign
//! 2.5 (`.sig` tags) and 3.x (`.sig` and bundle referrers) and with notation.

use std::path::Path;

use supply_testkit::registry::Registry;
use supply_testkit::{peer, peer_command, run, tempdir};

use crate::{ok, refused, supply, PASSWORD};

fn sup(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = supply(dir)
        .env("COSIGN_PASSWORD", PASSWORD)
        .args(args)
        .output()
        .unwrap();
    ok(out, &format!("supply {args:?}"))
}

fn sup_refused(dir: &Path, args: &[&str], what: &str) {
    let out = supply(dir).args(args).output().unwrap();
    refused(&out, what);
}

fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap().trim().to_owned()
}

/// A cosign key pair `PREFIX.key` / `PREFIX.pub` made by cosign 2.5.
fn key_pair(cosign2: &Path, dir: &Path, prefix: &str) {
    let mut cmd = peer_command(cosign2, dir);
    cmd.current_dir(dir).env("COSIGN_PASSWORD", PASSWORD).args([
        "generate-key-pair",
        "--output-key-prefix",
        prefix,
    ]);
    ok(run(&mut cmd), "cosign2 generate-key-pair");
}

/// `cosign verify --key KEY REF` without a log; its success.
fn cosign_verify(name: &str, bin: &Path, dir: &Path, key: &str, reference: &str) -> bool {
    let mut cmd = peer_command(bin, dir);
    cmd.current_dir(dir).args([
        "verify",
        "--key",
        key,
        "--insecure-ignore-tlog=true",
        "--allow-insecure-registry",
    ]);
    if name == "cosign" {
        cmd.arg("--use-signed-timestamps=false");
    }
    cmd.arg(reference);
    run(&mut cmd).status.success()
}

/// Pushes a one-file image tagged `tag`; its digest.
pub(crate) fn image(dir: &Path, repo: &str, tag: &str, content: &[u8]) -> String {
    let file = format!("{tag}.txt");
    std::fs::write(dir.join(&file), content).unwrap();
    text(sup(dir, &["push", &format!("{repo}:{tag}"), &file]))
}

#[test]
fn we_sign_and_both_cosigns_verify() {
    let Some(reg) = Registry::start() else { return };
    let (Some(cosign), Some(cosign2)) = (peer("cosign"), peer("cosign2")) else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    key_pair(&cosign2, d, "ours");
    key_pair(&cosign2, d, "other");
    let repo = format!("{}/sign/img", reg.host());
    let a = image(d, &repo, "a", b"image a");
    let b = image(d, &repo, "b", b"image b");

    // `.sig` tag, as cosign 2 writes it.
    sup(
        d,
        &[
            "sign",
            "--key",
            "ours.key",
            "--tlog-upload=false",
            &format!("{repo}:a"),
        ],
    );
    for (name, bin) in [("cosign2", &cosign2), ("cosign", &cosign)] {
        assert!(
            cosign_verify(name, bin, d, "ours.pub", &format!("{repo}@{a}")),
            "{name} verify of our .sig"
        );
        assert!(
            !cosign_verify(name, bin, d, "other.pub", &format!("{repo}@{a}")),
            "{name} verify with another key must fail"
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&sup(
        d,
        &[
            "verify",
            "--key",
            "ours.pub",
            "--insecure-ignore-tlog",
            &format!("{repo}:a"),
        ],
    ))
    .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["verifier"], "cosign-signature");
    assert_eq!(v[0]["facts"]["docker-reference"], repo);
    sup_refused(
        d,
        &[
            "verify",
            "--key",
            "other.pub",
            "--insecure-ignore-tlog",
            &format!("{repo}:a"),
        ],
        "supply verify with another key",
    );

    // Replayed: a's `.sig` copied under b's tag signs a's digest, not b's.
    let sig_a = format!("{repo}:sha256-{}.sig", a.trim_start_matches("sha256:"));
    let sig_b = format!("{repo}:sha256-{}.sig", b.trim_start_matches("sha256:"));
    sup(d, &["copy", &sig_a, &sig_b]);
    sup_refused(
        d,
        &[
            "verify",
            "--key",
            "ours.pub",
            "--insecure-ignore-tlog",
            &format!("{repo}:b"),
        ],
        "supply verify of a replayed .sig",
    );
    assert!(
        !cosign_verify("cosign2", &cosign2, d, "ours.pub", &format!("{repo}@{b}")),
        "cosign2 must refuse the replayed .sig too"
    );

    // A cosign 3 bundle referrer, keyed.
    let c = image(d, &repo, "c", b"image c");
    sup(
        d,
        &[
            "sign",
            "--key",
            "ours.key",
            "--new-bundle-format",
            &format!("{repo}:c"),
        ],
    );
    assert!(
        cosign_verify("cosign", &cosign, d, "ours.pub", &format!("{repo}@{c}")),
        "cosign 3 verify of our bundle referrer"
    );
    assert!(!cosign_verify(
        "cosign",
        &cosign,
        d,
        "other.pub",
        &format!("{repo}@{c}")
    ));
    let v: serde_json::Value = serde_json::from_slice(&sup(
        d,
        &[
            "verify",
            "--key",
            "ours.pub",
            "--insecure-ignore-tlog",
            &format!("{repo}:c"),
        ],
    ))
    .unwrap();
    assert_eq!(v[0]["verifier"], "sigstore-bundle");
    assert_eq!(v[0]["predicateType"], "https://sigstore.dev/cosign/sign/v1");
    // `supply tree` lists the bundle referrer under its artifact type, as `discover` does.
    let tree = text(sup(d, &["tree", &format!("{repo}:c")]));
    assert_eq!(tree, text(sup(d, &["discover", &format!("{repo}:c")])));
    assert!(
        tree.contains("application/vnd.dev.sigstore.bundle.v0.3+json"),
        "{tree}"
    );
    assert!(tree.contains(v[0]["artifact"].as_str().unwrap()), "{tree}");
}

#[test]
fn both_cosigns_sign_and_we_verify() {
    let Some(reg) = Registry::start() else { return };
    let (Some(cosign), Some(cosign2)) = (peer("cosign"), peer("cosign2")) else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    key_pair(&cosign2, d, "theirs");
    key_pair(&cosign2, d, "other");
    let repo = format!("{}/verify/img", reg.host());
    for (name, bin, tag, verifier) in [
        ("cosign2", &cosign2, "two", "cosign-signature"),
        ("cosign", &cosign, "three", "sigstore-bundle"),
    ] {
        let digest = image(d, &repo, tag, tag.as_bytes());
        let mut cmd = peer_command(bin, d);
        cmd.current_dir(d).env("COSIGN_PASSWORD", PASSWORD).args([
            "sign",
            "--key",
            "theirs.key",
            "--tlog-upload=false",
            "--allow-insecure-registry",
            "--yes",
        ]);
        if name == "cosign" {
            cmd.arg("--use-signing-config=false");
        }
        cmd.arg(format!("{repo}@{digest}"));
        ok(run(&mut cmd), &format!("{name} sign"));
        let v: serde_json::Value = serde_json::from_slice(&sup(
            d,
            &[
                "verify",
                "--key",
                "theirs.pub",
                "--insecure-ignore-tlog",
                &format!("{repo}:{tag}"),
            ],
        ))
        .unwrap();
        assert_eq!(v[0]["verifier"], verifier, "{name}: {v}");
        sup_refused(
            d,
            &[
                "verify",
                "--key",
                "other.pub",
                "--insecure-ignore-tlog",
                &format!("{repo}:{tag}"),
            ],
            &format!("supply verify of {name}'s signature with another key"),
        );
    }
    // An image nobody signed.
    image(d, &repo, "unsigned", b"nobody signed this");
    sup_refused(
        d,
        &[
            "verify",
            "--key",
            "theirs.pub",
            "--insecure-ignore-tlog",
            &format!("{repo}:unsigned"),
        ],
        "supply verify of an unsigned image",
    );
}

/// `notation cert generate-test NAME` in the notation home `home`, plus a trust policy naming
/// its trust store; returns (trust policy, trust store) paths.
pub(crate) fn notation_home(
    notation: &Path,
    home: &Path,
    name: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut cmd = peer_command(notation, home);
    cmd.current_dir(home)
        .args(["cert", "generate-test", "--default", name]);
    ok(run(&mut cmd), "notation cert generate-test");
    let config = home.join(".config/notation");
    let policy = config.join("trustpolicy.json");
    std::fs::write(
        &policy,
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"test","registryScopes":["*"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:{name}"],"trustedIdentities":["*"]}}]}}"#
        ),
    )
    .unwrap();
    (policy, config.join("truststore"))
}

#[test]
fn notation_signs_we_verify_and_notation_verifies_our_copy() {
    let Some(reg) = Registry::start() else { return };
    let Some(notation) = peer("notation") else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    let signer_home = d.join("signer");
    let stranger_home = d.join("stranger");
    std::fs::create_dir_all(&signer_home).unwrap();
    std::fs::create_dir_all(&stranger_home).unwrap();
    let (policy, store) = notation_home(&notation, &signer_home, "supplytest");
    let (other_policy, other_store) = notation_home(&notation, &stranger_home, "supplytest");
    let repo = format!("{}/notation/img", reg.host());
    let digest = image(d, &repo, "v1", b"notarized");
    let mut cmd = peer_command(&notation, &signer_home);
    cmd.current_dir(d)
        .args(["sign", "--insecure-registry", &format!("{repo}@{digest}")]);
    ok(run(&mut cmd), "notation sign");

    let (p, s) = (policy.to_str().unwrap(), store.to_str().unwrap());
    let v: serde_json::Value = serde_json::from_slice(&sup(
        d,
        &[
            "verify",
            "--trust-policy",
            p,
            "--trust-store",
            s,
            &format!("{repo}:v1"),
        ],
    ))
    .unwrap();
    assert_eq!(v[0]["verifier"], "notation-signature", "{v}");
    assert_eq!(
        v[0]["artifactType"],
        "application/vnd.cncf.notary.signature"
    );
    // Another test CA with the same name is not the signer's.
    sup_refused(
        d,
        &[
            "verify",
            "--trust-policy",
            other_policy.to_str().unwrap(),
            "--trust-store",
            other_store.to_str().unwrap(),
            &format!("{repo}:v1"),
        ],
        "supply verify against another trust store",
    );

    // Copied with its referrers, the signature still verifies with notation.
    let copy = format!("{}/notation/copy:v1", reg.host());
    sup(d, &["copy", "-r", &format!("{repo}:v1"), &copy]);
    let mut cmd = peer_command(&notation, &signer_home);
    cmd.current_dir(d).args([
        "verify",
        "--insecure-registry",
        &format!("{}/notation/copy@{digest}", reg.host()),
    ]);
    ok(run(&mut cmd), "notation verify of the copy");
    let mut cmd = peer_command(&notation, &stranger_home);
    cmd.current_dir(d).args([
        "verify",
        "--insecure-registry",
        &format!("{}/notation/copy@{digest}", reg.host()),
    ]);
    assert!(
        !run(&mut cmd).status.success(),
        "notation must refuse it with the stranger's trust store"
    );
}

/// A notation home in `home` that signs with `pki`'s leaf (its key and chain as notation's
/// local signing key `name`) and trusts `pki`'s root as the trust store `ca:NAME`; returns
/// (trust policy path, trust store directory). [`strict_policy`] writes the policy.
fn notation_home_for(
    home: &Path,
    pki: &supply_testkit::tls::CodeSigningPki,
    name: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let config = home.join(".config/notation");
    let store = config.join("truststore");
    std::fs::create_dir_all(config.join("localkeys")).unwrap();
    std::fs::create_dir_all(store.join("x509/ca").join(name)).unwrap();
    let key = config.join(format!("localkeys/{name}.key"));
    let chain = config.join(format!("localkeys/{name}.crt"));
    std::fs::write(&key, pki.leaf_key_pem()).unwrap();
    std::fs::write(&chain, pki.chain_pem()).unwrap();
    std::fs::write(
        store.join("x509/ca").join(name).join("root.pem"),
        pki.root_pem(),
    )
    .unwrap();
    std::fs::write(
        config.join("signingkeys.json"),
        format!(
            r#"{{"default":"{name}","keys":[{{"name":"{name}","keyPath":"{}","certPath":"{}"}}]}}"#,
            key.display(),
            chain.display()
        ),
    )
    .unwrap();
    (config.join("trustpolicy.json"), store)
}

/// Writes a strict trust policy at `policy` trusting the store `ca:STORE` for the identity
/// `x509.subject: C=US, ST=WA, O=Supply, CN=CN`, with `overrides` (JSON members to append to
/// `signatureVerification`, `""` for none).
fn strict_policy(policy: &Path, store: &str, cn: &str, overrides: &str) {
    std::fs::write(
        policy,
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"{store}","registryScopes":["*"],"signatureVerification":{{"level":"strict"{overrides}}},"trustStores":["ca:{store}"],"trustedIdentities":["x509.subject: C=US, ST=WA, O=Supply, CN={cn}"]}}]}}"#
        ),
    )
    .unwrap();
}

/// notation's verdict and ours on `reference` (notation from `home`, whose CRL cache is emptied
/// first so it fetches anew; ours with `policy` and `store`): (theirs, ours, notation's stderr
/// then ours after `\nsupply: `).
fn both_verdicts(
    notation: &Path,
    home: &Path,
    dir: &Path,
    reference: &str,
    (policy, store): (&Path, &Path),
) -> (bool, bool, String) {
    let _ = std::fs::remove_dir_all(home.join(".cache"));
    let mut cmd = peer_command(notation, home);
    cmd.current_dir(dir)
        .args(["verify", "-v", "--insecure-registry", reference]);
    let theirs = run(&mut cmd);
    let ours = supply(dir)
        .args(["verify", "--trust-policy"])
        .arg(policy)
        .arg("--trust-store")
        .arg(store)
        .arg(reference)
        .output()
        .unwrap();
    (
        theirs.status.success(),
        ours.status.success(),
        format!(
            "notation: {}\nsupply: {}{}",
            String::from_utf8_lossy(&theirs.stderr),
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&ours.stderr)
        ),
    )
}

/// Revocation, both ways with notation: a code-signing chain of ours (testkit's
/// `CodeSigningPki`) whose leaf names a CRL on a local HTTP server signs an image through
/// notation. While the CRL lists nothing, `notation verify` and `supply verify` admit the
/// signature; once it lists the leaf, both refuse it; with the trust policy's revocation check
/// overridden to `log`, both admit it again; with the CRL gone (404), both refuse it.
#[test]
fn notation_and_we_agree_on_revocation() {
    use std::sync::{Arc, Mutex};
    use supply_testkit::http::{FnServer, Reply};
    use supply_testkit::tls::{CodeSigningPki, CrlEntry};
    let Some(reg) = Registry::start() else { return };
    let Some(notation) = peer("notation") else {
        return;
    };
    let served: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
    let crl = served.clone();
    let server = FnServer::start(move |_| match crl.lock().unwrap().clone() {
        Some(der) => Reply::new(200, "application/pkix-crl", der),
        None => Reply::new(404, "text/plain", b"gone".to_vec()),
    });
    let url = server.url("ca.crl");
    let pki = CodeSigningPki::new("Supply", "revocation.test", &[&url]);
    let dir = tempdir();
    let d = dir.path();
    let home = d.join("home");
    let (policy, store) = notation_home_for(&home, &pki, "rev");
    let write_policy =
        |overrides: &str| strict_policy(&policy, "rev", "revocation.test", overrides);
    write_policy("");
    *served.lock().unwrap() = Some(pki.crl(1, 3600, None));
    let repo = format!("{}/notation-crl/img", reg.host());
    let digest = image(d, &repo, "v1", b"revocable");
    let reference = format!("{repo}@{digest}");
    let mut cmd = peer_command(&notation, &home);
    cmd.current_dir(d)
        .args(["sign", "--insecure-registry", &reference]);
    ok(run(&mut cmd), "notation sign with our chain");
    let verdicts = || both_verdicts(&notation, &home, d, &reference, (&policy, &store));
    let (theirs, ours, why) = verdicts();
    assert!(theirs && ours, "a CRL that does not list the leaf: {why}");

    *served.lock().unwrap() = Some(pki.crl(
        2,
        3600,
        Some(CrlEntry {
            revoked_secs_ago: 5,
            reason: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_in_secs: None,
        }),
    ));
    let (theirs, ours, why) = verdicts();
    assert!(!theirs && !ours, "a CRL that lists the leaf: {why}");
    let (notation_says, supply_says) = why.split_once("\nsupply: ").unwrap();
    assert!(notation_says.contains("revoked"), "{why}");
    assert!(supply_says.contains("was revoked at"), "{why}");

    write_policy(r#","override":{"revocation":"log"}"#);
    let (theirs, ours, why) = verdicts();
    assert!(theirs && ours, "revocation only logged: {why}");

    write_policy("");
    *served.lock().unwrap() = None;
    let (theirs, ours, why) = verdicts();
    assert!(!theirs && !ours, "no CRL to be had: {why}");
    let (notation_says, supply_says) = why.split_once("\nsupply: ").unwrap();
    assert!(notation_says.contains("404"), "{why}");
    assert!(supply_says.contains("answered HTTP 404"), "{why}");
    // The failure line names the cause, not only that the status is unavailable.
    assert!(
        supply_says.contains("is unavailable: nothing was fetched from"),
        "{why}"
    );
}

/// OCSP, both ways with notation: a leaf of ours naming only an OCSP responder, answered by
/// `openssl ocsp` from a CA index the test writes (the local server hands each request,
/// notation's `GET` or our own, to openssl). While the index says valid, `notation verify`
/// and `supply verify` admit the signature; once it says revoked, both refuse it; when the
/// responder fails, both refuse it too.
#[test]
fn notation_and_we_agree_on_ocsp() {
    use base64::Engine as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use supply_testkit::http::{FnServer, Reply};
    use supply_testkit::tls::CodeSigningPki;
    let Some(reg) = Registry::start() else { return };
    let Some(notation) = peer("notation") else {
        return;
    };
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = tempdir();
    let d = dir.path().to_path_buf();
    let ca_dir = d.join("ocsp-ca");
    std::fs::create_dir_all(&ca_dir).unwrap();
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (answers, seq) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (responder_dir, responder_down, answered) = (ca_dir.clone(), down.clone(), answers.clone());
    let server = FnServer::start(move |req| {
        if responder_down.load(Ordering::SeqCst) {
            return Reply::new(500, "text/plain", b"down".to_vec());
        }
        let der = if req.method == "POST" {
            req.body.clone()
        } else {
            let b64 = req.target.trim_start_matches("/ocsp/");
            let unescaped = b64
                .replace("%2B", "+")
                .replace("%2F", "/")
                .replace("%3D", "=");
            match base64::engine::general_purpose::STANDARD.decode(unescaped) {
                Ok(der) => der,
                Err(_) => return Reply::new(400, "text/plain", b"bad request".to_vec()),
            }
        };
        let n = seq.fetch_add(1, Ordering::SeqCst);
        let (req_file, resp_file) = (format!("req{n}.der"), format!("resp{n}.der"));
        std::fs::write(responder_dir.join(&req_file), der).unwrap();
        let out = std::process::Command::new(&openssl)
            .current_dir(&responder_dir)
            .args([
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "root.pem",
                "-rsigner",
                "root.pem",
                "-rkey",
                "root.key",
                "-ndays",
                "1",
                "-reqin",
                &req_file,
                "-respout",
                &resp_file,
            ])
            .output()
            .unwrap();
        if !out.status.success() {
            return Reply::new(500, "text/plain", out.stderr);
        }
        answered.fetch_add(1, Ordering::SeqCst);
        Reply::new(
            200,
            "application/ocsp-response",
            std::fs::read(responder_dir.join(&resp_file)).unwrap(),
        )
    });
    let url = server.url("ocsp");
    let pki = CodeSigningPki::with_responders("Supply", "ocsp.test", &[], &[&url]);
    std::fs::write(ca_dir.join("root.pem"), pki.root_pem()).unwrap();
    std::fs::write(ca_dir.join("root.key"), pki.root_key_pem()).unwrap();
    let index = |status: &str| {
        let (revoked, expiry) = match status {
            "R" => ("261201000000Z,keyCompromise", "301231000000Z"),
            _ => ("", "301231000000Z"),
        };
        std::fs::write(
            ca_dir.join("index.txt"),
            format!(
                "{status}\t{expiry}\t{revoked}\t{}\tunknown\t/C=US/ST=WA/O=Supply/CN=ocsp.test\n",
                pki.leaf_serial_hex()
            ),
        )
        .unwrap();
    };
    index("V");

    let home = d.join("home");
    let (policy, store) = notation_home_for(&home, &pki, "ocsp");
    strict_policy(&policy, "ocsp", "ocsp.test", "");
    let repo = format!("{}/notation-ocsp/img", reg.host());
    let digest = image(&d, &repo, "v1", b"ocsp-checked");
    let reference = format!("{repo}@{digest}");
    let mut cmd = peer_command(&notation, &home);
    cmd.current_dir(&d)
        .args(["sign", "--insecure-registry", &reference]);
    ok(run(&mut cmd), "notation sign with our chain");
    let verdicts = || both_verdicts(&notation, &home, &d, &reference, (&policy, &store));
    let (theirs, ours, why) = verdicts();
    assert!(theirs && ours, "the responder says good: {why}");
    assert!(
        answers.load(Ordering::SeqCst) >= 2,
        "both asked the responder"
    );

    index("R");
    let (theirs, ours, why) = verdicts();
    assert!(!theirs && !ours, "the responder says revoked: {why}");
    let (notation_says, supply_says) = why.split_once("\nsupply: ").unwrap();
    assert!(notation_says.contains("revoked"), "{why}");
    assert!(supply_says.contains("was revoked at"), "{why}");

    index("V");
    down.store(true, Ordering::SeqCst);
    let (theirs, ours, why) = verdicts();
    assert!(!theirs && !ours, "the responder is down: {why}");
    let (_, supply_says) = why.split_once("\nsupply: ").unwrap();
    assert!(supply_says.contains("answered HTTP 500"), "{why}");
}

/// `supply verify REFERENCE` for the keyless signer `identity` (issued by the keyless tests'
/// issuer), against the trusted root `root`.
fn keyless_verify(
    dir: &Path,
    root: &Path,
    identity: &str,
    reference: &str,
) -> std::process::Output {
    supply(dir)
        .args(["verify", "--certificate-identity", identity])
        .args([
            "--certificate-oidc-issuer",
            super::keyless::ISSUER,
            "--trusted-root",
        ])
        .arg(root)
        .arg(reference)
        .output()
        .unwrap()
}

/// `supply verify` admits `repo:tag` through `verifier` for the keyless tests' signer (its
/// identity and issuer reported) and refuses it for another identity.
fn admitted_for_the_signer_only(dir: &Path, root: &Path, repo: &str, tag: &str, verifier: &str) {
    use super::keyless::{ISSUER, SUBJECT};
    let reference = format!("{repo}:{tag}");
    let v: serde_json::Value = serde_json::from_slice(&ok(
        keyless_verify(dir, root, SUBJECT, &reference),
        &format!("keyless verify of {reference}"),
    ))
    .unwrap();
    assert_eq!(v[0]["verifier"], verifier, "{v}");
    assert_eq!(v[0]["signers"][0]["identity"], SUBJECT, "{v}");
    assert_eq!(v[0]["signers"][0]["issuer"], ISSUER, "{v}");
    refused(
        &keyless_verify(dir, root, "https://github.com/someone/else", &reference),
        &format!("keyless verify of {reference}, another identity"),
    );
}

/// Keyless `supply sign` against sigstore-js's mock services writes a bundle referrer that
/// `supply verify` and cosign 3 admit for the token's identity and refuse for another; the same
/// for cosign 2's keyless `.sig` (`--new-bundle-format=false`), whose Rekor SET cosign checks.
#[test]
fn keyless_sign_and_verify_with_the_sigstore_mock() {
    use super::keyless::{token, ISSUER, SUBJECT};
    let Some(reg) = Registry::start() else { return };
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = supply_testkit::sigstore_mock::SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    let repo = format!("{}/keyless/img", reg.host());
    let digest = image(d, &repo, "v1", b"signed keylessly");
    let trust_config = mock.trust_config();
    // Keyless `supply sign` of `repo:tag` against the mock, with extra flags.
    let sign = |tag: &str, extra: &[&str]| {
        let token = token();
        let target = format!("{repo}:{tag}");
        let mut args = vec!["sign", "--identity-token", &token, "--trusted-root"];
        args.push(trust_config.to_str().unwrap());
        args.extend_from_slice(extra);
        args.push(&target);
        sup(d, &args);
    };
    sign("v1", &[]);
    let root = mock.trusted_root();
    // `supply verify` / `cosign verify` of `repo:tag` for an identity.
    let Some(cosign) = peer("cosign") else { return };
    let cosign_verify = |identity: &str, tag: &str| {
        let mut cmd = peer_command(&cosign, d);
        cmd.current_dir(d)
            .args(["verify", "--certificate-identity", identity])
            .args(["--certificate-oidc-issuer", ISSUER, "--trusted-root"])
            .arg(&root)
            .arg("--allow-insecure-registry");
        run(cmd.arg(format!("{repo}:{tag}")))
    };
    let other = "https://github.com/someone/else";

    admitted_for_the_signer_only(d, &root, &repo, "v1", "sigstore-bundle");
    // cosign 3 verifies the keyless bundle referrer against the mock's trusted root and refuses
    // another identity. (cosign 2.5 with --new-bundle-format --trusted-root still fetches
    // Rekor's keys through the public TUF repository, which the tests cannot reach.)
    let out = ok(
        cosign_verify(SUBJECT, "v1"),
        "cosign verify of our keyless signature",
    );
    let claims: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        claims[0]["critical"]["image"]["docker-manifest-digest"],
        serde_json::Value::String(digest),
        "{claims}"
    );
    let refusal = cosign_verify(other, "v1");
    let stderr = String::from_utf8_lossy(&refusal.stderr);
    assert!(
        !refusal.status.success() && stderr.contains("no matching CertificateIdentity"),
        "cosign verify, another identity: {stderr}"
    );

    // cosign 2's keyless `.sig`: the same identity, carried by layer annotations.
    let digest2 = image(d, &repo, "v2", b"signed keylessly, cosign 2 style");
    sign("v2", &["--new-bundle-format=false", "-a", "team=release"]);
    admitted_for_the_signer_only(d, &root, &repo, "v2", "cosign-signature");
    let out = cosign_verify(SUBJECT, "v2");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let claims: serde_json::Value =
        serde_json::from_slice(&ok(out, "cosign verify of our keyless .sig")).unwrap();
    assert_eq!(
        claims[0]["critical"]["image"]["docker-manifest-digest"],
        serde_json::Value::String(digest2),
        "{claims}"
    );
    assert_eq!(claims[0]["optional"]["team"], "release", "{claims}");
    assert!(
        stderr.contains("claims in the transparency log was verified offline"),
        "cosign checked the Rekor SET: {stderr}"
    );
}

/// The other way round: cosign 3 signs keylessly against the same mock (Fulcio and Rekor v1; the
/// identity token from a file, as cosign reads it) a blob and an image, and `supply verify-blob`
/// / `supply verify` admit the bundles for the token's identity and refuse another identity and
/// other content. cosign's signing config here names no TSA: sigstore-go sends an RFC 3161 DER
/// request, and the mock's TSA reads only its own JSON form.
#[test]
fn cosign_signs_keylessly_and_we_verify() {
    use super::keyless::{token, ISSUER, SUBJECT};
    let Some(reg) = Registry::start() else { return };
    let Some(cosign) = peer("cosign") else { return };
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = supply_testkit::sigstore_mock::SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    let root = mock.trusted_root();
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    config["tsaUrls"] = serde_json::json!([]);
    std::fs::write(d.join("signing_config.json"), config.to_string()).unwrap();
    // No newline: cosign sends the file's bytes as the bearer token.
    std::fs::write(d.join("token"), token()).unwrap();
    let cosign_sign = |args: &[&str]| {
        let mut cmd = peer_command(&cosign, d);
        cmd.current_dir(d)
            .args(args)
            .args(["--yes", "--identity-token", "token"])
            .args(["--signing-config", "signing_config.json", "--trusted-root"])
            .arg(&root);
        run(&mut cmd)
    };
    let identity = |args: &mut std::process::Command, who: &str| {
        args.args(["--certificate-identity", who])
            .args(["--certificate-oidc-issuer", ISSUER, "--trusted-root"])
            .arg(&root);
    };
    let other = "https://github.com/someone/else";

    // A blob.
    std::fs::write(d.join("artifact.txt"), b"signed keylessly by cosign").unwrap();
    std::fs::write(d.join("other.txt"), b"not what cosign signed").unwrap();
    ok(
        cosign_sign(&["sign-blob", "--bundle", "blob.bundle", "artifact.txt"]),
        "cosign sign-blob, keyless",
    );
    let verify_blob = |who: &str, file: &str| {
        let mut cmd = supply(d);
        cmd.args(["verify-blob", "--bundle", "blob.bundle"]);
        identity(&mut cmd, who);
        cmd.arg(file).output().unwrap()
    };
    ok(
        verify_blob(SUBJECT, "artifact.txt"),
        "verify-blob of cosign's keyless bundle",
    );
    refused(
        &verify_blob(other, "artifact.txt"),
        "verify-blob, another identity",
    );
    refused(
        &verify_blob(SUBJECT, "other.txt"),
        "verify-blob, other content",
    );

    // An image: cosign 3 stores the bundle as a referrer.
    let repo = format!("{}/cosign-keyless/img", reg.host());
    let digest = image(d, &repo, "v1", b"cosign signed this image keylessly");
    ok(
        cosign_sign(&[
            "sign",
            "--allow-insecure-registry",
            &format!("{repo}@{digest}"),
        ]),
        "cosign sign, keyless",
    );
    image(d, &repo, "unsigned", b"nobody signed this one");
    admitted_for_the_signer_only(d, &root, &repo, "v1", "sigstore-bundle");
    refused(
        &keyless_verify(d, &root, SUBJECT, &format!("{repo}:unsigned")),
        "verify of an image nobody signed",
    );

    // cosign's older form: a keyless `.sig` tag whose layer annotations carry the certificate
    // and the Rekor bundle (SET).
    let digest2 = image(d, &repo, "v2", b"cosign signed this one as a .sig");
    // Without a signing config (which needs the new format), the services are named.
    let base = config["caUrls"][0]["url"].as_str().unwrap();
    let mut cmd = peer_command(&cosign, d);
    cmd.current_dir(d)
        .args([
            "sign",
            "--new-bundle-format=false",
            "--use-signing-config=false",
        ])
        .args(["--fulcio-url", base, "--rekor-url", base])
        .args([
            "--yes",
            "--identity-token",
            "token",
            "--allow-insecure-registry",
        ])
        .arg("--trusted-root")
        .arg(&root)
        .arg(format!("{repo}@{digest2}"));
    ok(
        run(&mut cmd),
        "cosign sign --new-bundle-format=false, keyless",
    );
    admitted_for_the_signer_only(d, &root, &repo, "v2", "cosign-signature");
}

/// A PEM block of `label` around DER.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out + &format!("-----END {label}-----\n")
}

/// cosign 2.5 and keyless `.sig` signatures, both ways, against the sigstore mock: cosign 2.5
/// reaches a private Sigstore through `SIGSTORE_ROOT_FILE`, `SIGSTORE_REKOR_PUBLIC_KEY` and
/// `SIGSTORE_CT_LOG_PUBLIC_KEY_FILE` (taken here from the mock's trusted root) instead of TUF.
/// It signs keylessly and `supply verify` admits the signature for the token's identity only;
/// `supply sign` signs keylessly and cosign 2.5 admits it for that identity only, its Rekor SET
/// checked.
#[test]
fn cosign2_keyless_signatures_both_ways() {
    use super::keyless::{token, ISSUER, SUBJECT};
    use base64::Engine as _;
    let Some(reg) = Registry::start() else { return };
    let Some(cosign2) = peer("cosign2") else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    let Some(mock) = supply_testkit::sigstore_mock::SigstoreMock::start(&d.join("mock")) else {
        return;
    };
    let root = mock.trusted_root();
    let tr: serde_json::Value = serde_json::from_slice(&std::fs::read(&root).unwrap()).unwrap();
    let der = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let chain: String = tr["certificateAuthorities"][0]["certChain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| pem("CERTIFICATE", &der(&c["rawBytes"])))
        .collect();
    std::fs::write(d.join("fulcio.pem"), chain).unwrap();
    for (name, log) in [("rekor.pub", "tlogs"), ("ctlog.pub", "ctlogs")] {
        let key = pem("PUBLIC KEY", &der(&tr[log][0]["publicKey"]["rawBytes"]));
        std::fs::write(d.join(name), key).unwrap();
    }
    let base = tr["tlogs"][0]["baseUrl"].as_str().unwrap().to_owned();
    let cosign = || {
        let mut cmd = peer_command(&cosign2, d);
        cmd.current_dir(d)
            .env("SIGSTORE_ROOT_FILE", d.join("fulcio.pem"))
            .env("SIGSTORE_REKOR_PUBLIC_KEY", d.join("rekor.pub"))
            .env("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE", d.join("ctlog.pub"));
        cmd
    };
    let other = "https://github.com/someone/else";
    let repo = format!("{}/cosign2-keyless/img", reg.host());
    // cosign 2.5 parses the token (unverified) and refuses `alg: none`: the same claims under an
    // ES256 header with a signature of zeros (the mock does not check it).
    let es256 = {
        let t = token();
        let claims = t.split('.').nth(1).unwrap().to_owned();
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{claims}.{}",
            b64(br#"{"alg":"ES256","typ":"JWT"}"#),
            b64(&[0; 64])
        )
    };

    // cosign 2.5 signs keylessly; we verify.
    let digest = image(d, &repo, "theirs", b"cosign 2.5 signed this keylessly");
    let mut cmd = cosign();
    cmd.args([
        "sign",
        "--yes",
        "--allow-insecure-registry",
        "--identity-token",
    ])
    .arg(&es256)
    .args(["--fulcio-url", &base, "--rekor-url", &base])
    .arg(format!("{repo}@{digest}"));
    ok(run(&mut cmd), "cosign 2.5 sign, keyless");
    admitted_for_the_signer_only(d, &root, &repo, "theirs", "cosign-signature");

    // We sign keylessly (a `.sig`); cosign 2.5 verifies.
    let digest = image(d, &repo, "ours", b"supply signed this keylessly");
    sup(
        d,
        &[
            "sign",
            "--new-bundle-format=false",
            "--identity-token",
            &token(),
            "--trusted-root",
            mock.trust_config().to_str().unwrap(),
            &format!("{repo}:ours"),
        ],
    );
    let cosign_verify = |who: &str| {
        let mut cmd = cosign();
        cmd.args(["verify", "--allow-insecure-registry"])
            .args(["--certificate-identity", who])
            .args(["--certificate-oidc-issuer", ISSUER])
            .arg(format!("{repo}:ours"));
        run(&mut cmd)
    };
    let out = cosign_verify(SUBJECT);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let claims: serde_json::Value =
        serde_json::from_slice(&ok(out, "cosign 2.5 verify of our keyless .sig")).unwrap();
    assert_eq!(
        claims[0]["critical"]["image"]["docker-manifest-digest"],
        serde_json::Value::String(digest),
        "{claims}"
    );
    assert!(
        stderr.contains("claims in the transparency log was verified offline"),
        "cosign 2.5 checked the Rekor SET: {stderr}"
    );
    let refusal = cosign_verify(other);
    let stderr = String::from_utf8_lossy(&refusal.stderr);
    assert!(
        !refusal.status.success() && stderr.contains("none of the expected identities matched"),
        "cosign 2.5 verify of our keyless .sig, another identity: {stderr}"
    );
}
