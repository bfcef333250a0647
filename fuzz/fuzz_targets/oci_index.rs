//! Image indexes as the registry client reads them (Referrers API pages, fallback-tag
//! indexes, manifest lists): the parse under each declared index type, and the referrer
//! entry built from whatever parses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::manifest::Manifest;
use supply_oci::media_type;
use supply_oci::registry::referrers::fallback_entry;

fuzz_target!(|data: &[u8]| {
    for declared in [Some(media_type::OCI_INDEX), Some(media_type::DOCKER_MANIFEST_LIST), None] {
        if let Ok(m) = Manifest::parse(data.to_vec(), declared) {
            if let Some(i) = m.document().as_index() {
                for d in &i.manifests {
                    let _ = d.digest.to_string();
                    let _ = d.artifact_type.as_deref();
                }
            }
            let e = fallback_entry(&m);
            assert_eq!(e.size, data.len() as u64);
        }
    }
});
