//! Reading the ggcr, regclient and generated layouts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use supply_oci::layout::{self, Layout};
use supply_oci::manifest::{self, Kind};
use supply_oci::{media_type, Descriptor, Digest};

use crate::{json, oci};

/// Copies a layout into a temporary directory (for the tests that change it).
pub(crate) fn copy_layout(rel: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    copy(&oci(rel), &root);
    (dir, root)
}

fn d(s: &str) -> Digest {
    s.parse().unwrap()
}

#[test]
fn ggcr_test_index_resolves_all_four_tags() {
    let l = Layout::open(oci("ggcr-layouts/test_index")).unwrap();
    let tags: Vec<String> = l.tags().unwrap().into_iter().map(|(t, _)| t).collect();
    assert_eq!(tags, ["1", "2", "3", "4"]);
    // 1: a Docker manifest declared as an OCI manifest.
    match l.read_manifest(&l.resolve("1").unwrap()) {
        Err(layout::Error::Manifest {
            source: manifest::Error::MediaTypeMismatch { declared, content },
            ..
        }) => {
            assert_eq!(declared, media_type::OCI_MANIFEST);
            assert_eq!(content, media_type::DOCKER_MANIFEST);
        }
        other => panic!("{other:?}"),
    }
    // 2: not a manifest type; the blob itself reads and verifies.
    let two = l.resolve("2").unwrap();
    assert!(matches!(
        l.read_manifest(&two),
        Err(layout::Error::Manifest {
            source: manifest::Error::UnsupportedMediaType(_),
            ..
        })
    ));
    assert_eq!(l.read_blob(&two).unwrap().len(), 423);
    // 3 and 4: an OCI index and a Docker list, walked.
    let three = l.read_manifest(&l.resolve("3").unwrap()).unwrap();
    assert_eq!(three.kind(), Kind::OciIndex);
    let four = l.read_manifest(&l.resolve("4").unwrap()).unwrap();
    assert_eq!(four.kind(), Kind::DockerManifestList);
    let w = l.walk().unwrap();
    for child in three
        .document()
        .children()
        .into_iter()
        .chain(four.document().children())
    {
        assert!(w.reachable.contains(&child.digest));
    }
    assert!(w.unreadable.is_empty(), "{:?}", w.unreadable);
    // 6 of the 8 blobs are reachable (the layers are not stored); gc removes the other 2.
    assert_eq!(w.reachable.len(), 6);
    assert!(w.missing.is_empty(), "{:?}", w.missing);
    let (_tmp, root) = copy_layout("ggcr-layouts/test_index");
    let report = Layout::open(&root).unwrap().gc().unwrap();
    assert_eq!((report.removed.len(), report.kept), (2, 6));
    assert!(matches!(l.resolve("5"), Err(layout::Error::TagNotFound(_))));
}

#[test]
fn ggcr_manifest_without_media_type_is_an_artifact() {
    let l = Layout::open(oci("ggcr-layouts/test_index_media_type")).unwrap();
    let desc = l.index().unwrap().manifests[0].clone();
    let m = l.read_manifest(&desc).unwrap();
    assert_eq!(m.kind(), Kind::OciManifest);
    assert_eq!(m.document().as_manifest().unwrap().media_type, None);
    assert_eq!(
        m.document().artifact_type(),
        Some("application/vnd.cncf.helm.config.v1+json")
    );
}

#[test]
fn ggcr_one_image_is_fully_resolvable() {
    let l = Layout::open(oci("ggcr-layouts/test_index_one_image")).unwrap();
    let desc = l.index().unwrap().manifests[0].clone();
    let m = l.read_manifest(&desc).unwrap();
    let children = m.document().children();
    assert_eq!(children.len(), 2);
    for c in children {
        l.copy_blob(c, &mut std::io::sink(), u64::MAX).unwrap();
    }
    let w = l.walk().unwrap();
    assert!(w.missing.is_empty() && w.unreadable.is_empty());
    assert_eq!(w.reachable.len(), 3);
}

#[test]
fn ggcr_missing_blob_is_reported_and_gc_keeps_nothing() {
    let (_tmp, root) = copy_layout("ggcr-layouts/test_gc_image_unknown_mediatype");
    let l = Layout::open(&root).unwrap();
    let desc = l.index().unwrap().manifests[0].clone();
    assert!(matches!(l.read_blob(&desc), Err(layout::Error::BlobNotFound(x)) if x == desc.digest));
    let report = l.gc().unwrap();
    assert!(report.removed.is_empty());
    assert_eq!(report.kept, 0);
    assert_eq!(report.missing, [desc.digest]);
}

#[test]
fn regclient_index_entries_match_expected() {
    let exp = json("regclient-testrepo/expected.json");
    let l = Layout::open(oci("regclient-testrepo/layout")).unwrap();
    let index = l.index().unwrap();
    let entries = exp["indexJsonEntries"].as_array().unwrap();
    assert_eq!(index.manifests.len(), 26);
    assert_eq!(entries.len(), 26);
    for (got, want) in index.manifests.iter().zip(entries) {
        assert_eq!(got.digest.to_string(), want["digest"].as_str().unwrap());
        assert_eq!(got.size, want["size"].as_u64().unwrap());
        assert_eq!(got.media_type, want["mediaType"].as_str().unwrap());
        assert_eq!(got.ref_name(), want["ref.name"].as_str());
    }
    // Every manifest in the layout has the shape expected.json gives.
    let w = l.walk().unwrap();
    assert!(w.unreadable.is_empty(), "{:?}", w.unreadable);
    // All 91 blobs are reachable from index.json and present.
    assert_eq!(w.reachable.len(), 91);
    assert!(w.missing.is_empty(), "{:?}", w.missing);
    let shapes = exp["manifestsInLayout"].as_object().unwrap();
    for (digest, shape) in shapes {
        let m = &w.manifests[&d(digest)];
        assert_eq!(
            m.media_type(),
            shape["mediaType"].as_str().unwrap(),
            "{digest}"
        );
        assert_eq!(
            m.document()
                .subject()
                .map(|s| s.digest.to_string())
                .as_deref(),
            shape["subject"].as_str(),
            "{digest}"
        );
    }
    assert_eq!(w.manifests.len(), shapes.len());
}

fn by_digest(list: &[Descriptor]) -> BTreeMap<String, Option<String>> {
    list.iter()
        .map(|d| (d.digest.to_string(), d.artifact_type.clone()))
        .collect()
}

#[test]
fn regclient_referrers_by_subject_scan_with_the_cycle() {
    let exp = json("regclient-testrepo/expected.json");
    let l = Layout::open(oci("regclient-testrepo/layout")).unwrap();
    let scan = exp["subjectScan_referrersBySubject"].as_object().unwrap();
    assert!(scan.len() >= 7);
    for (subject, refs) in scan {
        let got = by_digest(&l.referrers(&d(subject)).unwrap());
        let want: BTreeMap<String, Option<String>> = refs
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["digest"].as_str().unwrap().to_owned(),
                    r["artifactType"].as_str().map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(got, want, "referrers of {subject}");
    }
    // The `loop` index refers to `child` and lists it: visited once.
    let child = l.resolve("child").unwrap().digest;
    let refs = l.referrers(&child).unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].media_type, media_type::OCI_INDEX);
    assert_eq!(
        refs[0].artifact_type.as_deref(),
        Some("application/example.loop")
    );
    let looped = l.read_manifest(&l.resolve("loop").unwrap()).unwrap();
    assert!(looped
        .document()
        .children()
        .iter()
        .any(|c| c.digest == child));
    // A digest nothing refers to.
    assert!(l
        .referrers(&supply_oci::Algorithm::Sha256.digest(b"none"))
        .unwrap()
        .is_empty());
}

#[test]
fn oras_layout_referrers_come_from_manifests_not_index_entries() {
    let exp = json("generated/expected.json");
    let l = Layout::open(oci("generated/layout-oras-referrers")).unwrap();
    let spec = exp["specReferrers"].as_object().unwrap();
    assert_eq!(spec.len(), 2);
    for (subject, want) in spec {
        let got = l.referrers(&d(subject)).unwrap();
        let got = serde_json::to_value(&got).unwrap();
        let mut want = want.as_array().unwrap().clone();
        want.sort_by_key(|v| v["digest"].as_str().unwrap().to_owned());
        assert_eq!(
            got,
            serde_json::Value::Array(want),
            "referrers of {subject}"
        );
    }
    // The index.json entries themselves carry the wrong (cosign) or no (SBOM) artifactType.
    let entries = l.index().unwrap().manifests;
    assert_eq!(entries.len(), 6);
    assert!(entries
        .iter()
        .any(|e| e.artifact_type.as_deref() == Some(media_type::OCI_EMPTY)));
}

#[test]
fn umoci_layout_resolves_and_gc_removes_the_four_leftovers() {
    let (_tmp, root) = copy_layout("generated/layout-umoci-subject");
    let l = Layout::open(&root).unwrap();
    let v1 = l.resolve("v1").unwrap();
    assert_eq!(
        v1.digest.to_string(),
        "sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b"
    );
    let m = l.read_manifest(&v1).unwrap();
    assert_eq!(m.kind(), Kind::OciManifest);
    assert_eq!(m.raw().len(), 345);
    let report = l.gc().unwrap();
    assert_eq!(report.removed.len(), 4);
    assert_eq!(report.kept, 3);
    let left: BTreeSet<_> = std::fs::read_dir(root.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 3);
    // Everything still reads.
    assert!(l.walk().unwrap().missing.is_empty());
    assert!(l.gc().unwrap().removed.is_empty());
}

#[test]
fn registry_fallback_layout_has_the_tags_and_the_bad_cosign_entries() {
    let exp = json("generated/expected.json");
    let l = Layout::open(oci("generated/layout-registry-fallback")).unwrap();
    let tags: BTreeMap<String, String> = l
        .tags()
        .unwrap()
        .into_iter()
        .map(|(t, d)| (t, d.digest.to_string()))
        .collect();
    let want: BTreeMap<String, String> = exp["tags"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(tags, want);
    let fallback = l
        .read_manifest(
            &l.resolve("sha256-f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b")
                .unwrap(),
        )
        .unwrap();
    let entries = &fallback.document().as_index().unwrap().manifests;
    assert_eq!(entries.len(), 4);
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.artifact_type.as_deref() == Some(media_type::OCI_EMPTY))
            .count(),
        2
    );
    // The subject's real referrers, found by the subject scan, are the 4 of expected.json.
    let subject = d("sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b");
    assert_eq!(l.referrers(&subject).unwrap().len(), 4);
}

#[test]
fn fallback_snapshots_parse_with_their_entry_counts() {
    let dir = oci("generated/fallback-index-snapshots");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let counts: Vec<usize> = names
        .iter()
        .map(|p| {
            let m = manifest::Manifest::parse(std::fs::read(p).unwrap(), None).unwrap();
            assert_eq!(m.kind(), Kind::OciIndex);
            m.document().as_index().unwrap().manifests.len()
        })
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 1, 2, 3, 4], "{names:?}");
}
