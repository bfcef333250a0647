//! `oci-seed REGISTRY/REPO N [--fallback]`: pushes a subject image tagged `v1` and `N`
//! referrers of it (empty config and layer, four artifact types, one annotation each) to a
//! local registry, by digest; with `--fallback` also the `sha256-<hex>` fallback index listing
//! them all, for registries without the Referrers API. Prints the subject's reference
//! (`REGISTRY/REPO@sha256:…`). Used by `benches/compare-oci`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use supply_oci::manifest::{Document, ImageIndex, ImageManifest, Manifest};
use supply_oci::reference::{referrers_tag, Reference};
use supply_oci::registry::{referrers::fallback_entry, Anonymous, Client, Options};
use supply_oci::{media_type, Descriptor};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(repo), Some(n)) = (args.first(), args.get(1)) else {
        eprintln!("usage: oci-seed REGISTRY/REPO N [--fallback]");
        std::process::exit(2);
    };
    let repo = Reference::parse(repo).unwrap();
    let n: usize = n.parse().unwrap();
    let fallback = args.iter().any(|a| a == "--fallback");
    let c = Client::new(Options::new(), Box::new(Anonymous)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let subject = rt.block_on(async {
        let config = c
            .push_blob(&repo, media_type::OCI_CONFIG, b"{}")
            .await
            .unwrap();
        let layer = c
            .push_blob(&repo, media_type::OCI_LAYER_TAR, b"subject")
            .await
            .unwrap();
        let subject = Manifest::encode(&Document::OciManifest(ImageManifest::new(
            config,
            vec![layer],
        )))
        .unwrap();
        c.push_manifest(&repo.with_tag("v1").unwrap(), &subject)
            .await
            .unwrap();
        let empty = c
            .push_blob(&repo, media_type::OCI_EMPTY, b"{}")
            .await
            .unwrap();
        let mut entries = Vec::new();
        for i in 0..n {
            let mut m = ImageManifest::new(empty.clone(), vec![Descriptor::empty()]);
            m.artifact_type = Some(format!("application/vnd.example.kind{}", i % 4));
            m.subject = Some(subject.descriptor());
            let mut ann = BTreeMap::new();
            ann.insert("org.example.n".to_owned(), i.to_string());
            m.annotations = Some(ann);
            let m = Manifest::encode(&Document::OciManifest(m)).unwrap();
            c.push_manifest(&repo.with_digest(m.digest()), &m)
                .await
                .unwrap();
            entries.push(fallback_entry(&m));
        }
        if fallback {
            let tag = referrers_tag(&subject.digest());
            let index = Manifest::encode(&Document::OciIndex(ImageIndex::new(entries))).unwrap();
            c.push_manifest(&repo.with_tag(&tag).unwrap(), &index)
                .await
                .unwrap();
        }
        subject.digest()
    });
    println!("{}", repo.with_digest(subject));
}
