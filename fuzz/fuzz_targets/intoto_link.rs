//! in-toto links in both envelopes, with in-toto-golang's signature certificates and a step's
//! `cert_constraints`: parsing never panics, a parsed link serializes, and a certificate carried
//! by a signature goes through authorization against a layout-shaped CA set without panicking;
//! the verifier's one-pass reading of a metablock agrees with the general one.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_intoto::certs::{self, Authorities};
use supply_intoto::metadata::Metadata;
use supply_intoto::model::{Layout, Step};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    assert_ne!(Metadata::__one_pass_agrees(data), Some(false), "the two readings disagree");
    if let Ok(m) = Metadata::from_slice(data) {
        if let Some(link) = m.as_link() {
            let _ = serde_json::to_vec(link).expect("a parsed link serializes");
        }
        // The same bytes as a step's constraints and a layout's CAs.
        let mut step = Step::new("s");
        let mut layout = Layout::new(Timestamp::from_unix(0));
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
            step.extra.insert("cert_constraints".into(), v.clone());
            layout.extra.insert("rootcas".into(), v.clone());
            layout.extra.insert("intermediatecas".into(), v);
        }
        let constraints = certs::step_constraints(&step).unwrap_or_default();
        let cas = Authorities::from_layout(&layout).unwrap_or_default();
        for (_, pem) in m.signature_certificates() {
            let _ = cas.authorize("s", pem, &constraints, Timestamp::from_unix(0), &RUSTCRYPTO);
        }
    }
});
