//! SBOM generation: the real Debian 12 minbase tree as a root filesystem and as image layers
//! (with whiteouts, gzip, hard and symbolic links, a `..` entry), lockfiles, the caps; the
//! output in every format validated by our reader and by pyspdxtools and
//! cyclonedx-python-lib.

use std::io::Write as _;

use serde_json::{json, Value};
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::generate::{
    from_layers, from_lockfile, from_rootfs, property, Error, Layer, Limits, Options, Warning,
};
use supply_sbom::lockfile::Kind;
use supply_sbom::model::{RelationshipType, Sbom};

const MINBASE: &str = "sbom/pkgdb/debian-bookworm-minbase";

fn deb_count(s: &Sbom) -> usize {
    s.packages
        .iter()
        .filter(|p| p.purl.as_ref().is_some_and(|u| u.ty() == "deb"))
        .count()
}

fn pkg<'a>(s: &'a Sbom, name: &str) -> &'a supply_sbom::model::Package {
    s.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// A tar archive of (path, content) files and (path, target) symlinks / hard links.
fn tar(files: &[(&str, &[u8])], symlinks: &[(&str, &str)], hardlinks: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, c) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append_data(&mut h, p, *c).unwrap();
    }
    for (kind, list) in [
        (tar::EntryType::Symlink, symlinks),
        (tar::EntryType::Link, hardlinks),
    ] {
        for (p, t) in list {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(kind);
            h.set_size(0);
            h.set_mode(0o777);
            b.append_link(&mut h, p, t).unwrap();
        }
    }
    b.into_inner().unwrap()
}

/// A tar entry whose name is written raw (the `tar` builder refuses `..`).
fn raw_entry(name: &str, content: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

const DEP5_BASH: &[u8] = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: bash\n\nFiles: *\nCopyright: 1987-2022 Free Software Foundation, Inc.\nLicense: GPL-3+\n\n\
License: GPL-3+\n This program is free software.\n";

#[test]
fn rootfs_debian_minbase() {
    let g = from_rootfs(
        &supply_testkit::testdata(MINBASE),
        &Options::named("minbase"),
    )
    .unwrap();
    assert_eq!(deb_count(&g.sbom), 88);
    // root + 88 packages + the OS.
    assert_eq!(g.sbom.packages.len(), 90);
    assert_eq!(
        g.os.as_ref().unwrap().version_codename.as_deref(),
        Some("bookworm")
    );
    let bsd = pkg(&g.sbom, "bsdutils");
    assert_eq!(
        bsd.purl.as_ref().unwrap().to_string(),
        "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3"
    );
    assert_eq!(
        bsd.property(property::LOCATION),
        Some("/var/lib/dpkg/status")
    );
    assert_eq!(bsd.property(property::SOURCE), Some("util-linux"));
    assert_eq!(bsd.property(property::LAYER_DIGEST), None);
    let os = g
        .sbom
        .packages
        .iter()
        .find(|p| p.purpose.as_deref() == Some("operating-system"))
        .unwrap();
    assert_eq!(
        (os.name.as_str(), os.version.as_deref()),
        ("debian", Some("12"))
    );
    // Vulnerability identities go by source package in Debian:12.
    let libc = &pkg(&g.sbom, "libc6").id;
    let r = &g.package_refs.iter().find(|(id, _)| id == libc).unwrap().1;
    assert_eq!(
        (r.ecosystem.as_str(), r.name.as_str()),
        ("Debian:12", "glibc")
    );
    // Dependency edges from Depends/Pre-Depends: bash → libc6.
    let bash = &pkg(&g.sbom, "bash").id;
    assert!(g
        .sbom
        .relationships
        .iter()
        .any(|x| &x.from == bash && x.kind == RelationshipType::depends_on() && x.to == *libc));
    // Every package is contained by the root, which the document describes.
    assert_eq!(g.sbom.describes, ["SPDXRef-root"]);
    assert_eq!(
        g.sbom
            .relationships
            .iter()
            .filter(|r| r.kind == RelationshipType::contains())
            .count(),
        89
    );
}

#[test]
fn rootfs_symlinks_stay_inside_and_copyright_licenses() {
    let dir = supply_testkit::tempdir();
    let root = dir.path().join("root");
    let mk = |p: &str, c: &[u8]| {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    };
    mk(
        "var/lib/dpkg/status",
        &supply_testkit::read(&format!("{MINBASE}/var/lib/dpkg/status")),
    );
    // Debian's layout: etc/os-release → ../usr/lib/os-release.
    mk(
        "usr/lib/os-release",
        &supply_testkit::read(&format!("{MINBASE}/etc/os-release")),
    );
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    mk("usr/share/doc/bash/copyright", DEP5_BASH);
    // dash's doc dir is an absolute symlink: resolved inside the root, never the host's.
    mk(
        "usr/share/doc/dash-real/copyright",
        b"Files: *\nLicense: BSD-3-clause\n",
    );
    std::os::unix::fs::symlink("/usr/share/doc/dash-real", root.join("usr/share/doc/dash"))
        .unwrap();
    // A symlink climbing out of the root lands on the root itself.
    std::fs::write(dir.path().join("copyright"), b"Files: *\nLicense: GPL-2\n").unwrap();
    std::os::unix::fs::symlink("../../../..", root.join("usr/share/doc/grep")).unwrap();
    // A free-form copyright file says nothing machine-readable.
    mk(
        "usr/share/doc/sed/copyright",
        b"This is GNU sed.\nCopyright FSF.\n",
    );
    mk(
        "app/Cargo.lock",
        &supply_testkit::read("sbom/pkgdb/cargo-lock/scalibr-two-packages.lock"),
    );
    mk("app/bad/package-lock.json", b"not json");
    // A symlinked directory is not walked (no loop, no escape).
    std::os::unix::fs::symlink("/", root.join("app/loop")).unwrap();

    let g = from_rootfs(&root, &Options::default()).unwrap();
    assert_eq!(deb_count(&g.sbom), 88);
    assert_eq!(g.os.as_ref().unwrap().id.as_deref(), Some("debian"));
    let lic = |n: &str| {
        pkg(&g.sbom, n)
            .license_declared
            .as_ref()
            .map(ToString::to_string)
    };
    assert_eq!(lic("bash").as_deref(), Some("GPL-3.0-or-later"));
    assert_eq!(lic("dash").as_deref(), Some("BSD-3-Clause"));
    assert_eq!(lic("grep"), None);
    assert_eq!(lic("sed"), None);
    let syn = pkg(&g.sbom, "syn");
    assert_eq!(
        syn.purl.as_ref().unwrap().to_string(),
        "pkg:cargo/syn@1.0.73"
    );
    assert_eq!(syn.property(property::LOCATION), Some("/app/Cargo.lock"));
    assert!(g.warnings.iter().any(
        |w| matches!(w, Warning::Lockfile { path, .. } if path == "/app/bad/package-lock.json")
    ));
}

/// Two layers: the base (Debian minbase db, os-release as an absolute symlink, bash's
/// copyright, a Cargo.lock) and, gzip-compressed, one that installs `hello`, whites out the
/// Cargo.lock, replaces bash's copyright through a hard link, and carries a `..` entry.
fn two_layers() -> (Vec<u8>, Vec<u8>) {
    let status = supply_testkit::read(&format!("{MINBASE}/var/lib/dpkg/status"));
    let os = supply_testkit::read(&format!("{MINBASE}/etc/os-release"));
    let lock = supply_testkit::read("sbom/pkgdb/cargo-lock/scalibr-one-package.lock");
    let base = tar(
        &[
            ("var/lib/dpkg/status", &status),
            ("usr/lib/os-release", &os),
            ("usr/share/doc/bash/copyright", DEP5_BASH),
            ("app/Cargo.lock", &lock),
            ("usr/bin/hello-not-yet", b"x"),
        ],
        &[("etc/os-release", "/usr/lib/os-release")],
        &[],
    );
    let mut status2 = status.clone();
    status2.extend_from_slice(
        b"\nPackage: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n\
Maintainer: Santiago Vila <sanvila@debian.org>\nDepends: libc6 (>= 2.34)\nDescription: example\n",
    );
    let upper = tar(
        &[
            ("var/lib/dpkg/status", &status2),
            (
                "usr/share/doc/hello-src/copyright",
                b"Files: *\nLicense: GPL-3+\n",
            ),
            ("app/.wh.Cargo.lock", b""),
        ],
        &[],
        &[(
            "usr/share/doc/hello/copyright",
            "usr/share/doc/hello-src/copyright",
        )],
    );
    // Drop the two zero blocks that end the archive, add an entry with `..`, end it again.
    let mut upper = strip_end(upper);
    upper.extend(raw_entry("../../etc/evil", b"Files: *\nLicense: MIT\n"));
    upper.extend(vec![0u8; 1024]);
    (base, gzip(&upper))
}

/// The archive without its trailing zero blocks.
fn strip_end(mut t: Vec<u8>) -> Vec<u8> {
    while t.len() >= 512 && t[t.len() - 512..].iter().all(|&b| b == 0) {
        t.truncate(t.len() - 512);
    }
    t
}

#[test]
fn layers_whiteouts_and_attribution() {
    let (base, upper) = two_layers();
    let layers = vec![
        Layer::new("sha256:base", &base[..]),
        Layer::new("sha256:upper", &upper[..]),
    ];
    let g = from_layers(layers, &Options::named("example/image:1")).unwrap();
    assert_eq!(deb_count(&g.sbom), 89);
    let bash = pkg(&g.sbom, "bash");
    assert_eq!(bash.property(property::LAYER_DIGEST), Some("sha256:base"));
    assert_eq!(bash.property(property::LAYER_INDEX), Some("0"));
    assert_eq!(
        bash.license_declared.as_ref().unwrap().to_string(),
        "GPL-3.0-or-later"
    );
    let hello = pkg(&g.sbom, "hello");
    assert_eq!(hello.property(property::LAYER_DIGEST), Some("sha256:upper"));
    assert_eq!(hello.property(property::LAYER_INDEX), Some("1"));
    // Its copyright file is a hard link within the layer.
    assert_eq!(
        hello.license_declared.as_ref().unwrap().to_string(),
        "GPL-3.0-or-later"
    );
    assert_eq!(
        hello.supplier.as_deref(),
        Some("Person: Santiago Vila (sanvila@debian.org)")
    );
    assert_eq!(
        hello.purl.as_ref().unwrap().to_string(),
        "pkg:deb/debian/hello@2.10-3?arch=amd64&distro=debian-12"
    );
    // The whited-out Cargo.lock's crate is gone; the `..` entry was refused.
    assert!(g.sbom.packages.iter().all(|p| p.name != "addr2line"));
    assert!(g
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::UnsafePath { path, .. } if path == "../../etc/evil")));
    // os-release through an absolute symlink, resolved inside the layers.
    assert_eq!(g.os.as_ref().unwrap().version_id.as_deref(), Some("12"));

    // Only the base: the Cargo.lock crate is there, attributed to the base.
    let g0 = from_layers(
        vec![Layer::new("sha256:base", &base[..])],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(deb_count(&g0.sbom), 88);
    let a = pkg(&g0.sbom, "addr2line");
    assert_eq!(a.property(property::LAYER_DIGEST), Some("sha256:base"));
    assert_eq!(a.property(property::LOCATION), Some("/app/Cargo.lock"));

    // The attribution reaches every output format.
    let cdx: Value = serde_json::from_slice(&write(&g.sbom, OutputFormat::CycloneDxJson)).unwrap();
    let comp = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "hello")
        .unwrap();
    assert!(comp["properties"]
        .as_array()
        .unwrap()
        .contains(&json!({"name": "supply:layer:digest", "value": "sha256:upper"})));
    let xml = String::from_utf8(write(&g.sbom, OutputFormat::CycloneDxXml)).unwrap();
    assert!(xml.contains("<property name=\"supply:layer:digest\">sha256:upper</property>"));
    let back = read(xml.as_bytes()).unwrap();
    assert!(back.report.is_valid(), "{}", back.report);
    assert_eq!(
        pkg(&back.sbom, "hello").property(property::LAYER_DIGEST),
        Some("sha256:upper")
    );
    let spdx: Value = serde_json::from_slice(&write(&g.sbom, OutputFormat::SpdxJson)).unwrap();
    let sp = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hello")
        .unwrap();
    assert!(sp["comment"]
        .as_str()
        .unwrap()
        .contains("supply:layer:digest=sha256:upper"));
    let tv = String::from_utf8(write(&g.sbom, OutputFormat::SpdxTagValue)).unwrap();
    assert!(tv.contains("supply:layer:digest=sha256:upper"));
    let s3 = String::from_utf8(write(&g.sbom, OutputFormat::Spdx3JsonLd)).unwrap();
    assert!(s3.contains("supply:layer:digest=sha256:upper"));
}

#[test]
fn layers_opaque_whiteout_removes_the_database() {
    let (base, _) = two_layers();
    let wipe = tar(
        &[
            ("var/lib/dpkg/.wh..wh..opq", b""),
            ("var/lib/dpkg/other", b"x"),
        ],
        &[],
        &[],
    );
    let g = from_layers(
        vec![
            Layer::new("sha256:base", &base[..]),
            Layer::new("sha256:wipe", &wipe[..]),
        ],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(deb_count(&g.sbom), 0);
    // A whiteout of the directory above does the same.
    let wipe = tar(&[("var/lib/.wh.dpkg", b"")], &[], &[]);
    let g = from_layers(
        vec![
            Layer::new("sha256:base", &base[..]),
            Layer::new("sha256:wipe", &wipe[..]),
        ],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(deb_count(&g.sbom), 0);
    // A package removed then reinstalled is attributed to the layer that brought it back.
    let status = supply_testkit::read(&format!("{MINBASE}/var/lib/dpkg/status"));
    let back = tar(&[("var/lib/dpkg/status", &status)], &[], &[]);
    let g = from_layers(
        vec![
            Layer::new("sha256:base", &base[..]),
            Layer::new("sha256:wipe", &wipe[..]),
            Layer::new("sha256:back", &back[..]),
        ],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(deb_count(&g.sbom), 88);
    assert_eq!(
        pkg(&g.sbom, "bash").property(property::LAYER_DIGEST),
        Some("sha256:back")
    );
}

#[test]
fn layer_caps_and_corrupt_streams() {
    let (base, upper) = two_layers();
    let mut opts = Options::default();
    opts.limits = Limits::default();
    opts.limits.layer_entries = 3;
    assert!(matches!(
        from_layers(vec![Layer::new("sha256:base", &base[..])], &opts),
        Err(Error::LimitExceeded { .. })
    ));
    // The decompressed-bytes cap holds for gzip (the compressed stream is much smaller).
    opts.limits = Limits::default();
    opts.limits.layer_unpacked = 4096;
    assert!(matches!(
        from_layers(vec![Layer::new("sha256:upper", &upper[..])], &opts),
        Err(Error::LimitExceeded { .. })
    ));
    opts.limits = Limits::default();
    opts.limits.kept_bytes = 1000;
    assert!(matches!(
        from_layers(vec![Layer::new("sha256:base", &base[..])], &opts),
        Err(Error::LimitExceeded { .. })
    ));
    // A truncated gzip stream and garbage: errors, not panics.
    let cut = &upper[..upper.len() / 2];
    assert!(matches!(
        from_layers(vec![Layer::new("sha256:cut", cut)], &Options::default()),
        Err(Error::Io { .. })
    ));
    let junk = vec![0x1fu8, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7];
    assert!(from_layers(
        vec![Layer::new("sha256:junk", &junk[..])],
        &Options::default()
    )
    .is_err());
    // An empty layer list is an empty image.
    let g = from_layers(Vec::new(), &Options::default()).unwrap();
    assert_eq!(g.sbom.packages.len(), 1);
}

#[test]
fn lockfile_sboms() {
    let g = from_lockfile(
        Kind::PackageLock,
        &supply_testkit::read("sbom/pkgdb/lockfiles/package-lock/scoped-packages.v2.json"),
        "package-lock.json",
        &Options::default(),
    )
    .unwrap();
    assert_eq!(g.sbom.packages.len(), 3);
    assert!(g.sbom.packages.iter().any(|p| p
        .purl
        .as_ref()
        .is_some_and(|u| u.to_string().starts_with("pkg:npm/%40babel/"))));
    let err = from_lockfile(
        Kind::PackageLock,
        &supply_testkit::read("sbom/pkgdb/lockfiles/package-lock/not-json.txt"),
        "x",
        &Options::default(),
    );
    assert!(matches!(err, Err(Error::Lockfile { .. })));
}

const SPDX_VALIDATE: &str = r#"
import json, sys
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
out = []
for path in json.load(sys.stdin)["files"]:
    doc = parse_file(path)
    out.append({"packages": len(doc.packages),
                "messages": [m.validation_message for m in validate_full_spdx_document(doc)]})
print(json.dumps(out))
"#;

const CDX_VALIDATE: &str = r#"
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator
req = json.load(sys.stdin)
def err(e):
    return None if e is None else str(e)[:2000]
print(json.dumps({
    "json": err(JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(req["json"]).read())),
    "xml": err(XmlValidator(SchemaVersion.V1_6).validate_str(open(req["xml"]).read())),
}))
"#;

#[test]
fn generated_sboms_validate_everywhere() {
    let (base, upper) = two_layers();
    let mut opts = Options::named("example/image:1");
    opts.created = Some("2026-01-02T03:04:05Z".into());
    let g = from_layers(
        vec![
            Layer::new("sha256:base", &base[..]),
            Layer::new("sha256:upper", &upper[..]),
        ],
        &opts,
    )
    .unwrap();
    let n = g.sbom.packages.len();
    let dir = supply_testkit::tempdir();
    let mut paths = Vec::new();
    for (fmt, ext) in [
        (OutputFormat::SpdxJson, "spdx.json"),
        (OutputFormat::SpdxTagValue, "spdx"),
        (OutputFormat::Spdx3JsonLd, "spdx3.json"),
        (OutputFormat::CycloneDxJson, "cdx.json"),
        (OutputFormat::CycloneDxXml, "cdx.xml"),
    ] {
        let bytes = write(&g.sbom, fmt);
        let doc = read(&bytes).unwrap();
        assert!(doc.report.is_valid(), "{fmt}: {}", doc.report);
        let count = doc.sbom.packages.len();
        assert_eq!(count, n, "{fmt}");
        let p = dir.path().join(format!("gen.{ext}"));
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let Some(spdx) =
        supply_testkit::python_json(SPDX_VALIDATE, &json!({"files": [&paths[0], &paths[1]]}))
    else {
        return;
    };
    for got in spdx.as_array().unwrap() {
        assert_eq!(got["messages"], json!([]), "pyspdxtools");
        assert_eq!(got["packages"], json!(n));
    }
    let Some(cdx) =
        supply_testkit::python_json(CDX_VALIDATE, &json!({"json": &paths[3], "xml": &paths[4]}))
    else {
        return;
    };
    assert_eq!(cdx["json"], Value::Null, "cyclonedx-python-lib JSON");
    assert_eq!(cdx["xml"], Value::Null, "cyclonedx-python-lib XML");
}

fn zstd(b: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(b, ruzstd::encoding::CompressionLevel::Fastest)
}

/// zstd layers (OCI `tar+zstd`): detected by their magic or named by the caller, a stream of
/// several frames read as one, and the same packages and attribution as the plain and gzip
/// layers of `layers_whiteouts_and_attribution`; a truncated stream is an error, not a short
/// read.
#[test]
fn zstd_layers_in_one_or_several_frames() {
    use supply_sbom::generate::Compression;
    let (base, upper_gz) = two_layers();
    let upper = {
        let mut d = flate2::read::MultiGzDecoder::new(&upper_gz[..]);
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut d, &mut v).unwrap();
        v
    };
    // The base layer as two frames back to back (a split at a tar block boundary).
    let half = base.len() / 1024 * 512;
    let mut base_z = zstd(&base[..half]);
    base_z.extend(zstd(&base[half..]));
    let upper_z = zstd(&upper);
    let mut named = Layer::new("sha256:upper", &upper_z[..]);
    named.compression = Compression::Zstd;
    let layers = vec![Layer::new("sha256:base", &base_z[..]), named];
    let g = from_layers(layers, &Options::named("example/image:1")).unwrap();
    assert_eq!(deb_count(&g.sbom), 89);
    assert_eq!(
        pkg(&g.sbom, "bash").property(property::LAYER_DIGEST),
        Some("sha256:base")
    );
    assert_eq!(
        pkg(&g.sbom, "hello").property(property::LAYER_DIGEST),
        Some("sha256:upper")
    );
    assert!(g.sbom.packages.iter().all(|p| p.name != "addr2line"));
    let cut = &base_z[..base_z.len() / 3];
    assert!(from_layers(
        vec![Layer::new("sha256:base", cut)],
        &Options::named("example/image:1")
    )
    .is_err());
}
