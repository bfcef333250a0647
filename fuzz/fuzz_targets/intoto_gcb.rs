//! Google Cloud Build provenance documents (`gcloud … --show-provenance`): parsing never
//! panics, and verification of whatever parses fails closed without a trusted key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_intoto::attestation::gcb::{self, GcbDocument, GcbKeys};
use supply_intoto::attestation::slsa::Options;
use supply_sig::digest::Algorithm;

fuzz_target!(|data: &[u8]| {
    let _ = gcb::is_gcb_document(data);
    if let Ok(doc) = GcbDocument::from_json(data) {
        let image = Algorithm::Sha256.digest(b"image");
        let r = gcb::verify(&doc, &GcbKeys::new(), &image, &Options::new("github.com/o/r"));
        assert!(r.is_err(), "nothing verifies without a trusted key");
    }
});
