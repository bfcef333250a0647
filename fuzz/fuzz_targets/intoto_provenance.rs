//! SLSA provenance predicates (v0.2, v1) read directly, as a statement's predicate would be:
//! parsing never panics, and the accessors the SLSA verifier uses never panic on what parses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_intoto::attestation::provenance::{Provenance, ProvenanceV02, ProvenanceV1};

fn touch(p: Provenance<'_>) {
    let _ = (p.builder_id(), p.build_type(), p.source(), p.event_name(), p.base_ref());
    let _ = (p.workflow_inputs(), p.workflow(), p.invocation_id(), p.repository_id());
    let _ = (p.repository_owner_id(), p.runner_environment());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = serde_json::from_slice::<ProvenanceV02>(data) {
        touch(Provenance::V02(&p));
        let _ = serde_json::to_vec(&p).expect("a parsed provenance serializes");
    }
    if let Ok(p) = serde_json::from_slice::<ProvenanceV1>(data) {
        touch(Provenance::V1(&p));
        let _ = serde_json::to_vec(&p).expect("a parsed provenance serializes");
    }
});
