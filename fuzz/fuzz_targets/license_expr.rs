//! SPDX license expressions, strict and lenient: the printed form parses back to the same
//! expression, and a policy judges it without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::license::policy::Policy;
use supply_sbom::license::{Dialect, Expression, Strictness};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for strictness in [Strictness::Strict, Strictness::Lenient] {
        if let Ok(e) = Expression::parse_with(s, Dialect::Spdx3, strictness) {
            let printed = e.to_string();
            let again = Expression::parse_with(&printed, Dialect::Spdx3, strictness)
                .expect("printed form parses");
            assert_eq!(again, e);
            if let Ok(p) = Policy::new().deny("AGPL-3.0-or-later") {
                let _ = p.check_expression(&e);
            }
        }
    }
});
