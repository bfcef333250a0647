//! Writing layouts: create, put, tag, round trip, gc, and no writes through symbolic links.

use supply_oci::descriptor::EMPTY_JSON;
use supply_oci::layout::{self, Layout};
use supply_oci::manifest::{Document, ImageIndex, ImageManifest, Kind, Manifest};
use supply_oci::{media_type, Descriptor};

fn artifact(layout: &Layout, text: &[u8], subject: Option<Descriptor>) -> Manifest {
    let config = layout.put_blob(media_type::OCI_EMPTY, EMPTY_JSON).unwrap();
    let layer = layout.put_blob("text/plain", text).unwrap();
    let mut m = ImageManifest::new(config, vec![layer]);
    m.artifact_type = Some("application/vnd.example+type".to_owned());
    m.subject = subject;
    Manifest::encode(&Document::OciManifest(m)).unwrap()
}

#[test]
fn write_then_read_round_trip_referrers_and_gc() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("l");
    let l = Layout::create(&root).unwrap();
    assert!(l.index().unwrap().manifests.is_empty());

    let image = artifact(&l, b"hello", None);
    let image_desc = l.put_manifest(&image).unwrap();
    l.tag(&image_desc, "v1").unwrap();
    let referrer = artifact(&l, b"signature", Some(image_desc.clone()));
    let ref_desc = l.put_manifest(&referrer).unwrap();
    l.add_untagged(&ref_desc).unwrap();
    l.add_untagged(&ref_desc).unwrap();
    let orphan = l.put_blob("text/plain", b"orphan").unwrap();

    // Read back with a fresh handle.
    let r = Layout::open(&root).unwrap();
    assert_eq!(r.index().unwrap().manifests.len(), 2);
    let got = r.read_manifest(&r.resolve("v1").unwrap()).unwrap();
    assert_eq!(got.raw(), image.raw());
    assert_eq!(got.digest(), image_desc.digest);
    assert_eq!(r.read_blob(&orphan).unwrap(), b"orphan");
    let refs = r.referrers(&image_desc.digest).unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].digest, ref_desc.digest);
    assert_eq!(
        refs[0].artifact_type.as_deref(),
        Some("application/vnd.example+type")
    );

    // Retagging replaces; gc removes only the orphan and the retagged-away manifest.
    let image2 = artifact(&l, b"hello again", None);
    let image2_desc = l.put_manifest(&image2).unwrap();
    l.tag(&image2_desc, "v1").unwrap();
    assert_eq!(l.resolve("v1").unwrap().digest, image2_desc.digest);
    let report = l.gc().unwrap();
    let mut want = vec![orphan.digest, image_desc.digest];
    let hello = Descriptor::for_bytes("text/plain", b"hello").digest;
    want.push(hello);
    want.sort();
    // The referrer still points at the old image but is reachable itself; its layer stays.
    assert_eq!(report.removed, want);
    assert!(report.missing.is_empty());
    let w = l.walk().unwrap();
    assert!(w.unreadable.is_empty());
    assert!(matches!(
        l.read_blob(&orphan),
        Err(layout::Error::BlobNotFound(_))
    ));

    // Invalid tags are refused.
    assert!(matches!(
        l.tag(&image2_desc, "../x"),
        Err(layout::Error::InvalidTag(_))
    ));
    // Creating again opens the existing layout.
    assert_eq!(
        Layout::create(&root)
            .unwrap()
            .index()
            .unwrap()
            .manifests
            .len(),
        2
    );
}

#[test]
fn tampered_blobs_are_detected_while_streaming() {
    let tmp = tempfile::tempdir().unwrap();
    let l = Layout::create(tmp.path().join("l")).unwrap();
    let desc = l.put_blob("text/plain", b"content").unwrap();
    std::fs::write(l.blob_path(&desc.digest), b"CONTENT").unwrap();
    assert!(matches!(
        l.read_blob(&desc),
        Err(layout::Error::DigestMismatch(_))
    ));
    std::fs::write(l.blob_path(&desc.digest), b"content+more").unwrap();
    assert!(matches!(
        l.read_blob(&desc),
        Err(layout::Error::SizeMismatch { .. })
    ));
    // put_blob repairs a bad blob.
    l.put_blob("text/plain", b"content").unwrap();
    assert_eq!(l.read_blob(&desc).unwrap(), b"content");
    // A descriptor larger than the cap is refused before reading.
    let mut big = desc.clone();
    big.size = u64::MAX;
    assert!(matches!(
        l.read_blob(&big),
        Err(layout::Error::LimitExceeded(_))
    ));
}

#[cfg(unix)]
#[test]
fn writes_never_go_through_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let root = tmp.path().join("l");
    let l = Layout::create(&root).unwrap();
    std::fs::create_dir_all(root.join("blobs")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("blobs/sha256")).unwrap();
    assert!(matches!(
        l.put_blob("text/plain", b"x"),
        Err(layout::Error::Symlink(_))
    ));
    assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
    let linked = tmp.path().join("linked");
    std::os::unix::fs::symlink(&outside, &linked).unwrap();
    assert!(matches!(
        Layout::create(&linked),
        Err(layout::Error::Symlink(_))
    ));
}

#[test]
fn open_refuses_non_layouts_and_other_versions() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(
        Layout::open(tmp.path()),
        Err(layout::Error::NotALayout(_))
    ));
    std::fs::write(
        tmp.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    assert!(matches!(
        Layout::open(tmp.path()),
        Err(layout::Error::Header(_))
    ));
}

#[test]
fn written_index_is_an_oci_index_with_media_type() {
    let tmp = tempfile::tempdir().unwrap();
    let l = Layout::create(tmp.path().join("l")).unwrap();
    let raw = std::fs::read(l.root().join("index.json")).unwrap();
    let m = Manifest::parse(raw, None).unwrap();
    assert_eq!(m.kind(), Kind::OciIndex);
    assert_eq!(
        m.document().as_index().unwrap(),
        &ImageIndex::new(Vec::new())
    );
}
