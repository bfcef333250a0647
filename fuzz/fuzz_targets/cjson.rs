//! Canonical JSON (OLPC and JCS) from raw text: canonical output is a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::cjson::{jcs, olpc};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = olpc::canonicalize(data) {
        // OLPC output may hold raw control characters, which is not JSON; only JCS is re-parseable.
        let _ = c;
    }
    if let Ok(c) = jcs::canonicalize(data) {
        assert_eq!(jcs::canonicalize(&c).expect("JCS output is JSON"), c);
    }
});
