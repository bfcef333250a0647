//! cosign `.sig` layers from arbitrary bytes: the first line picks the annotations (signature,
//! certificate, bundle), the rest is the payload. Reading and the bundle conversion never panic.
#![no_main]
use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use supply_oci::cosign::{
    Signature, SimpleSigning, BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION, SIGNATURE_ANNOTATION,
    SIMPLE_SIGNING_MEDIA_TYPE,
};

fuzz_target!(|data: &[u8]| {
    let _ = SimpleSigning::from_bytes(data);
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let mut annotations = BTreeMap::new();
    for key in [SIGNATURE_ANNOTATION, BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION] {
        if let Some(v) = parts.next() {
            annotations.insert(key.to_owned(), v.to_owned());
        }
    }
    let payload = parts.next().unwrap_or_default().as_bytes();
    if let Ok(sig) = Signature::from_layer(SIMPLE_SIGNING_MEDIA_TYPE, &annotations, payload) {
        let _ = sig.to_bundle();
        let _ = sig.annotations();
    }
});
