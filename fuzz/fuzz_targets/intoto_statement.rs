//! in-toto statements and their predicates (SLSA provenance v0.2/v1, VSA, TACOS, link), the
//! attestation containers (JSON Lines, npm documents), and the SLSA and VSA checks over an
//! unsigned statement: nothing panics, and a statement that parses keeps its exact bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_intoto::attestation::bundle::read_attestations;
use supply_intoto::attestation::statement::Statement;
use supply_intoto::attestation::{danger, slsa};
use supply_sig::digest::Algorithm;
use supply_sig::dsse::Envelope;

fuzz_target!(|data: &[u8]| {
    let _ = read_attestations(data);
    if let Ok(st) = Statement::from_json(data) {
        assert_eq!(st.raw(), data);
        let _ = st.predicate();
        let env = Envelope {
            payload_type: "application/vnd.in-toto+json".into(),
            payload: data.to_vec(),
            signatures: Vec::new(),
        };
        if let Ok(att) = danger::insecure_unsigned(&env) {
            for s in st.subjects() {
                for d in s.digest.digests() {
                    let opts = slsa::Options::new("github.com/o/r")
                        .with_source_branch("main")
                        .with_source_versioned_tag("v1.2")
                        .with_workflow_input("a", "b");
                    let _ = slsa::verify(&att, &d, &opts);
                }
            }
            let _ = slsa::verify(&att, &Algorithm::Sha256.digest(b""), &slsa::Options::new("x"));
        }
    }
});
