//! The OCI verbs against Debian's docker-registry (`supply_testkit::registry`), and against
//! oras reading what they wrote.

use std::path::Path;

use supply_testkit::registry::Registry;
use supply_testkit::{peer, peer_command, run_ok, tempdir};

use crate::{ok, refused, supply};

fn sup(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = supply(dir).args(args).output().unwrap();
    ok(out, &format!("supply {args:?}"))
}

fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap().trim().to_owned()
}

#[test]
fn push_ls_digest_manifest_pull_round_trip() {
    let Some(reg) = Registry::start() else { return };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("hello.txt"), b"hello oci").unwrap();
    std::fs::write(d.join("data.json"), b"{\"a\":1}").unwrap();
    let r = format!("{}/cli/art:v1", reg.host());
    let digest = text(sup(
        d,
        &[
            "push",
            "--artifact-type",
            "application/vnd.example.thing",
            "-a",
            "org.example.k=v",
            &r,
            "hello.txt",
            "data.json:application/json",
        ],
    ));
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(text(sup(d, &["digest", &r])), digest);
    let tags = text(sup(d, &["ls", &format!("{}/cli/art", reg.host())]));
    assert_eq!(tags, "v1");
    let raw = sup(d, &["manifest", &r]);
    let m: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(m["artifactType"], "application/vnd.example.thing");
    assert_eq!(m["annotations"]["org.example.k"], "v");
    assert_eq!(m["layers"][1]["mediaType"], "application/json");
    assert_eq!(
        supply_oci::Algorithm::Sha256.digest(&raw).to_string(),
        digest,
        "printed byte for byte"
    );
    let out = d.join("out");
    let listed = text(sup(d, &["pull", &r, "-o", out.to_str().unwrap()]));
    assert_eq!(listed, "hello.txt\ndata.json");
    assert_eq!(std::fs::read(out.join("hello.txt")).unwrap(), b"hello oci");
    assert_eq!(std::fs::read(out.join("data.json")).unwrap(), b"{\"a\":1}");
    // A reference that does not exist fails with an error line.
    let missing = supply(d)
        .args(["manifest", &format!("{}/cli/art:nope", reg.host())])
        .output()
        .unwrap();
    refused(&missing, "manifest of a missing tag");
}

#[test]
fn attach_discover_and_oras_agree() {
    let Some(reg) = Registry::start() else { return };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("image.txt"), b"the subject").unwrap();
    std::fs::write(d.join("sbom.spdx.json"), b"{\"spdxVersion\":\"SPDX-2.3\"}").unwrap();
    std::fs::write(d.join("sig.txt"), b"a signature").unwrap();
    let r = format!("{}/cli/subject:v1", reg.host());
    let subject = text(sup(d, &["push", &r, "image.txt"]));
    let sbom = text(sup(
        d,
        &[
            "attach",
            "--artifact-type",
            "application/spdx+json",
            &r,
            "sbom.spdx.json:application/spdx+json",
        ],
    ));
    let nested_ref = format!("{}/cli/subject@{sbom}", reg.host());
    let nested = text(sup(
        d,
        &[
            "attach",
            "--artifact-type",
            "application/vnd.example.signature",
            &nested_ref,
            "sig.txt:text/plain",
        ],
    ));
    let v: serde_json::Value =
        serde_json::from_slice(&sup(d, &["discover", "--format", "json", &r])).unwrap();
    assert_eq!(v["digest"], subject);
    let refs = v["referrers"].as_array().unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0]["digest"], sbom);
    assert_eq!(refs[0]["artifactType"], "application/spdx+json");
    assert_eq!(refs[0]["referrers"][0]["digest"], nested);
    let tree = text(sup(d, &["discover", &r]));
    assert!(tree.contains("application/spdx+json"), "{tree}");
    assert!(tree.contains(&nested), "{tree}");
    let filtered: serde_json::Value = serde_json::from_slice(&sup(
        d,
        &[
            "discover",
            "--format",
            "json",
            "--artifact-type",
            "application/x-none",
            &r,
        ],
    ))
    .unwrap();
    assert_eq!(filtered["referrers"].as_array().unwrap().len(), 0);

    // oras reads our fallback index the same way.
    let Some(oras) = peer("oras") else { return };
    let mut cmd = peer_command(&oras, d);
    cmd.current_dir(d)
        .args(["discover", "--plain-http", "--format", "json", &r]);
    let theirs: serde_json::Value = serde_json::from_slice(&run_ok(&mut cmd)).unwrap();
    assert_eq!(theirs["digest"], subject);
    assert_eq!(theirs["referrers"][0]["digest"], sbom);
    assert_eq!(
        theirs["referrers"][0]["artifactType"],
        "application/spdx+json"
    );
    assert_eq!(theirs["referrers"][0]["referrers"][0]["digest"], nested);
}

#[test]
fn copy_with_referrers_to_a_layout_and_back() {
    let Some(reg) = Registry::start() else { return };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("image.txt"), b"copy me").unwrap();
    std::fs::write(d.join("sig.txt"), b"sig").unwrap();
    let r = format!("{}/cli/src:v1", reg.host());
    let subject = text(sup(d, &["push", &r, "image.txt"]));
    let sig = text(sup(
        d,
        &[
            "attach",
            "--artifact-type",
            "application/vnd.example.signature",
            &r,
            "sig.txt",
        ],
    ));
    let layout = d.join("layout");
    let copied = text(sup(
        d,
        &["copy", "-r", &r, &format!("oci:{}:v1", layout.display())],
    ));
    assert_eq!(copied, subject);
    let l = supply_oci::Layout::open(&layout).unwrap();
    assert_eq!(l.resolve("v1").unwrap().digest.to_string(), subject);
    let refs = l
        .referrers(&supply_oci::Digest::parse(&subject).unwrap())
        .unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].digest.to_string(), sig);

    // Back into another repository, referrers included.
    let back = format!("{}/cli/dst:v2", reg.host());
    sup(
        d,
        &["copy", "-r", &format!("oci:{}:v1", layout.display()), &back],
    );
    assert_eq!(text(sup(d, &["digest", &back])), subject);
    let v: serde_json::Value =
        serde_json::from_slice(&sup(d, &["discover", "--format", "json", &back])).unwrap();
    assert_eq!(v["referrers"][0]["digest"], sig);
}

#[test]
fn attach_then_discover_through_the_referrers_api_and_oras_agrees() {
    let Some(reg) = supply_testkit::registry::GgcrRegistry::start() else {
        return;
    };
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("image.txt"), b"the subject").unwrap();
    std::fs::write(d.join("sbom.spdx.json"), b"{\"spdxVersion\":\"SPDX-2.3\"}").unwrap();
    let r = format!("{}/cli/api:v1", reg.host());
    let subject = text(sup(d, &["push", &r, "image.txt"]));
    let sbom = text(sup(
        d,
        &[
            "attach",
            "--artifact-type",
            "application/spdx+json",
            "-a",
            "org.example.by=supply",
            &r,
            "sbom.spdx.json:application/spdx+json",
        ],
    ));
    // With the fallback tag `attach` wrote (ggcr sends no OCI-Subject), oras agrees with us.
    if let Some(oras) = peer("oras") {
        let mut cmd = peer_command(&oras, d);
        cmd.current_dir(d)
            .args(["discover", "--plain-http", "--format", "json", &r]);
        let theirs: serde_json::Value = serde_json::from_slice(&run_ok(&mut cmd)).unwrap();
        assert_eq!(theirs["referrers"][0]["digest"], sbom, "{theirs}");
        assert_eq!(
            theirs["referrers"][0]["artifactType"],
            "application/spdx+json"
        );
        assert_eq!(
            theirs["referrers"][0]["annotations"]["org.example.by"],
            "supply"
        );
    }
    // Now delete that tag, so that
    // `discover` can only find the referrer through the Referrers API.
    let tag = format!("sha256-{}", subject.trim_start_matches("sha256:"));
    let del = std::process::Command::new(peer("curl").unwrap())
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "DELETE",
            &reg.url(&format!("v2/cli/api/manifests/{tag}")),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&del.stdout), "202", "{del:?}");
    let v: serde_json::Value =
        serde_json::from_slice(&sup(d, &["discover", "--format", "json", &r])).unwrap();
    assert_eq!(v["digest"], subject);
    let refs = v["referrers"].as_array().unwrap();
    assert_eq!(refs.len(), 1, "{v}");
    assert_eq!(refs[0]["digest"], sbom);
    // The manifest's artifact type and annotations (ggcr lists its config's media type and
    // no annotations).
    assert_eq!(refs[0]["artifactType"], "application/spdx+json");
    assert_eq!(refs[0]["annotations"]["org.example.by"], "supply");

    // oras-go does not take ggcr 0.14's listing (it comes as text/plain, not as an image
    // index) and falls back to the tag, deleted above: it lists nothing here, where we list
    // the verified referrer.
    let Some(oras) = peer("oras") else { return };
    let mut cmd = peer_command(&oras, d);
    cmd.current_dir(d)
        .args(["discover", "--plain-http", "--format", "json", &r]);
    let theirs: serde_json::Value = serde_json::from_slice(&run_ok(&mut cmd)).unwrap();
    assert_eq!(theirs["digest"], subject);
    assert_eq!(theirs["referrers"].as_array().unwrap().len(), 0, "{theirs}");
}

#[test]
fn pull_streams_a_large_layer_and_leaves_no_partial_file() {
    let Some(reg) = Registry::start() else { return };
    let dir = tempdir();
    let d = dir.path();
    // 40 MiB of non-repeating bytes, pushed and pulled through files.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut big = Vec::with_capacity(40 << 20);
    while big.len() < 40 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        big.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(d.join("big.bin"), &big).unwrap();
    let r = format!("{}/cli/big:v1", reg.host());
    text(sup(d, &["push", &r, "big.bin:application/octet-stream"]));
    let out = d.join("out");
    assert_eq!(
        text(sup(d, &["pull", &r, "-o", out.to_str().unwrap()])),
        "big.bin"
    );
    assert!(std::fs::read(out.join("big.bin")).unwrap() == big);
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["big.bin"], "no temporary file is left");
}
