//! DSSE envelopes: parse, re-serialize, re-parse to the same envelope; verify never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::dsse::{Envelope, TrustedKeys};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::from_json(data) {
        let again = Envelope::from_json(&env.to_json()).expect("serialized envelope reparses");
        assert_eq!(again.pae(), env.pae());
        let _ = env.verify(&TrustedKeys::new(), 1);
    }
});
