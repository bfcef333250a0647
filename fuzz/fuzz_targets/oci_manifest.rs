//! OCI / Docker manifests and indexes: strict bounded parse with and without a declared media
//! type, kind detection, schema validation, the schema 1 digest, and re-encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::manifest::{Kind, Manifest};
use supply_oci::{media_type, validate};

fuzz_target!(|data: &[u8]| {
    let _ = Manifest::detect(data, None);
    for mt in [media_type::OCI_MANIFEST, media_type::OCI_INDEX, media_type::OCI_DESCRIPTOR, media_type::OCI_CONFIG] {
        let _ = validate::validate(mt, data);
    }
    for declared in [None, Some(media_type::OCI_MANIFEST), Some(media_type::DOCKER_SCHEMA1_SIGNED)] {
        if let Ok(m) = Manifest::parse(data.to_vec(), declared) {
            assert_eq!(m.raw(), data);
            let _ = m.digest();
            let _ = m.descriptor();
            let _ = m.document().children();
            if m.kind() != Kind::DockerSchema1Signed {
                // What we parsed re-encodes to a document of the same kind.
                if let Ok(again) = Manifest::encode(m.document()) {
                    assert_eq!(again.kind().is_index(), m.kind().is_index());
                }
            }
        }
    }
});
