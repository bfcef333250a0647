//! Canonical JSON (OLPC and JCS) from raw text: canonical output is a fixed point, and the
//! one-pass path gives exactly what the general (tape) path gives, errors included.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::cjson::{__fuzz, jcs, olpc};

fuzz_target!(|data: &[u8]| {
    let o = olpc::canonicalize(data);
    assert_eq!(format!("{o:?}"), format!("{:?}", __fuzz::olpc_general(data)));
    let j = jcs::canonicalize(data);
    assert_eq!(format!("{j:?}"), format!("{:?}", __fuzz::jcs_general(data)));
    // OLPC output may hold raw control characters, which is not JSON; only JCS is re-parseable.
    if let Ok(c) = j {
        assert_eq!(jcs::canonicalize(&c).expect("JCS output is JSON"), c);
    }
});
