//! `supply sbom generate` on a lockfile, the Debian 12 minbase tree, and an OCI image layout
//! built here with two layers (the second gzip-compressed, installing a package and whiting
//! out the first layer's Cargo.lock).

use std::io::Write as _;
use std::process::Output;

use supply_oci::manifest::{Document, ImageManifest, Manifest};
use supply_oci::{media_type, Layout};
use supply_sbom::format::read;
use supply_sbom::model::Sbom;
use supply_testkit::{run, tempdir, testdata};

use crate::{ok, supply};

fn generate(args: &[&str]) -> Output {
    let dir = tempdir();
    let mut c = supply(dir.path());
    c.args(["sbom", "generate"]).args(args);
    run(&mut c)
}

fn sbom_of(out: Vec<u8>) -> Sbom {
    let doc = read(&out).unwrap();
    assert!(doc.report.is_valid(), "{}", doc.report);
    doc.sbom
}

fn debs(s: &Sbom) -> usize {
    s.packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|u| u.ty() == "deb"))
        .count()
}

fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, c) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, p, *c).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn sbom_generate_lockfile_and_rootfs() {
    let lock = testdata("sbom/pkgdb/cargo-lock/scalibr-many-packages.lock");
    let dir = tempdir();
    let cargo = dir.path().join("Cargo.lock");
    std::fs::copy(lock, &cargo).unwrap();
    let out = ok(
        generate(&[cargo.to_str().unwrap(), "-o", "cyclonedx-json"]),
        "generate Cargo.lock",
    );
    let s = sbom_of(out);
    // The root (the project) and the 6 crates.
    assert_eq!(s.packages.len(), 7);
    assert!(s
        .packages
        .iter()
        .all(|p| p.id == "SPDXRef-root" || p.purl.as_ref().is_some_and(|u| u.ty() == "cargo")));

    let root = testdata("sbom/pkgdb/debian-bookworm-minbase");
    for fmt in [
        "spdx-json",
        "spdx-tag-value",
        "spdx3-jsonld",
        "cyclonedx-json",
        "cyclonedx-xml",
    ] {
        let out = ok(
            generate(&[
                root.to_str().unwrap(),
                "-o",
                fmt,
                "--created",
                "2026-01-01T00:00:00Z",
            ]),
            fmt,
        );
        let s = sbom_of(out);
        assert_eq!(debs(&s), 88, "{fmt}");
    }
    let bad = generate(&[dir.path().join("nothing.bin").to_str().unwrap()]);
    assert!(!bad.status.success());
}

#[test]
fn sbom_generate_oci_layout_with_two_layers() {
    let status = std::fs::read(testdata(
        "sbom/pkgdb/debian-bookworm-minbase/var/lib/dpkg/status",
    ))
    .unwrap();
    let os = std::fs::read(testdata(
        "sbom/pkgdb/debian-bookworm-minbase/etc/os-release",
    ))
    .unwrap();
    let lock = std::fs::read(testdata("sbom/pkgdb/cargo-lock/scalibr-one-package.lock")).unwrap();
    let base = tar(&[
        ("var/lib/dpkg/status", &status),
        ("etc/os-release", &os),
        ("app/Cargo.lock", &lock),
    ]);
    let mut status2 = status.clone();
    status2.extend_from_slice(
        b"\nPackage: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n",
    );
    let upper = tar(&[
        ("var/lib/dpkg/status", &status2),
        ("app/.wh.Cargo.lock", b""),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&upper).unwrap();
    let upper = gz.finish().unwrap();

    let dir = tempdir();
    let lpath = dir.path().join("image");
    let layout = Layout::create(&lpath).unwrap();
    let l1 = layout.put_blob(media_type::OCI_LAYER_TAR, &base).unwrap();
    let l2 = layout
        .put_blob(media_type::OCI_LAYER_TAR_GZIP, &upper)
        .unwrap();
    let config = layout
        .put_blob(
            media_type::OCI_CONFIG,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
    let m = Manifest::encode(&Document::OciManifest(ImageManifest::new(
        config,
        vec![l1.clone(), l2.clone()],
    )))
    .unwrap();
    let d = layout.put_manifest(&m).unwrap();
    layout.tag(&d, "v1").unwrap();

    let spec = format!("oci:{}:v1", lpath.display());
    let out = ok(generate(&[&spec, "-o", "cyclonedx-json"]), "generate oci:");
    let s = sbom_of(out);
    assert_eq!(debs(&s), 89);
    let by = |n: &str| s.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(
        by("bash").property("supply:layer:digest"),
        Some(l1.digest.to_string().as_str())
    );
    assert_eq!(
        by("hello").property("supply:layer:digest"),
        Some(l2.digest.to_string().as_str())
    );
    assert!(s.packages.iter().all(|p| p.name != "addr2line"));
    assert_eq!(s.name.as_deref(), Some("image:v1"));

    // The same layout as SPDX: attribution in the package comment.
    let out = ok(generate(&[&spec, "-o", "spdx-json"]), "generate oci: spdx");
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(&format!("supply:layer:digest={}", l2.digest)));

    // A corrupted layer blob is refused (digest check while it is read, one pass), and so is
    // one of another size.
    let blob = layout.blob_path(&l2.digest);
    let good = std::fs::read(&blob).unwrap();
    let mut bytes = good.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&blob, &bytes).unwrap();
    let bad = generate(&[&spec]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("does not match its digest"), "{err}");
    assert!(bad.stdout.is_empty(), "nothing is written from a bad layer");
    std::fs::write(&blob, &good[..good.len() - 1]).unwrap();
    let bad = generate(&[&spec]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("its descriptor says"), "{err}");
    // An unknown tag.
    let bad = generate(&[&format!("oci:{}:nope", lpath.display())]);
    assert!(!bad.status.success());
}

/// A root filesystem with supply-sbom's two-package rpm fixture database (rpm 4.18, 512-byte
/// pages) at `usr/lib/sysimage/rpm`, `var/lib/rpm` a symlink to it, Fedora 40's os-release;
/// and one with only a BerkeleyDB `Packages`: the binary lists the packages without a new
/// flag, and warns about the database it cannot read.
#[test]
fn sbom_generate_rpm_rootfs() {
    let db = include_bytes!("../../../supply-sbom/tests/rpm/rpmdb-small.sqlite");
    let dir = tempdir();
    let root = dir.path().join("fedora");
    std::fs::create_dir_all(root.join("usr/lib/sysimage/rpm")).unwrap();
    std::fs::create_dir_all(root.join("var/lib")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("usr/lib/sysimage/rpm/rpmdb.sqlite"), db).unwrap();
    std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", root.join("var/lib/rpm")).unwrap();
    std::fs::write(root.join("etc/os-release"), "ID=fedora\nVERSION_ID=40\n").unwrap();
    let out = generate(&[root.to_str().unwrap(), "-o", "cyclonedx-json"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = sbom_of(ok(out, "generate an rpm root"));
    let mut purls: Vec<String> = s
        .packages
        .iter()
        .filter_map(|p| p.purl.as_ref().filter(|u| u.ty() == "rpm"))
        .map(ToString::to_string)
        .collect();
    purls.sort();
    assert_eq!(
        purls,
        [
            "pkg:rpm/fedora/hello-noarch@1.0-1.fc40?arch=noarch&distro=fedora-40&epoch=2\
             &upstream=hello-noarch-1.0-1.fc40.src.rpm",
            "pkg:rpm/fedora/libfoo%2B%2B@0.9.1-3.fc40?arch=x86_64&distro=fedora-40\
             &upstream=libfoo%2B%2B-0.9.1-3.fc40.src.rpm",
        ]
    );
    let foo = s.packages.iter().find(|p| p.name == "libfoo++").unwrap();
    assert_eq!(
        foo.property("supply:location"),
        Some("/usr/lib/sysimage/rpm/rpmdb.sqlite")
    );

    let old = dir.path().join("centos7");
    std::fs::create_dir_all(old.join("var/lib/rpm")).unwrap();
    std::fs::write(old.join("var/lib/rpm/Packages"), [0u8; 4096]).unwrap();
    let out = generate(&[old.to_str().unwrap(), "-o", "spdx-json"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let s = sbom_of(ok(out, "generate a BerkeleyDB root"));
    assert!(s.packages.iter().all(|p| p.purl.is_none()), "only the root");
    assert!(
        err.contains("/var/lib/rpm/Packages: rpm BerkeleyDB package database not supported"),
        "{err}"
    );
}
