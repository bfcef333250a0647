//! `vex::parse` (OpenVEX, CycloneDX analyses, SPDX 3 VEX relationships) on arbitrary bytes:
//! never panics, and what it reads applies to a package's findings without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::osv::{vex, PackageRef};

fuzz_target!(|data: &[u8]| {
    if let Ok(statements) = vex::parse(data) {
        let pkg = PackageRef::new("crates.io", "net2", "0.2.33");
        for s in &statements {
            for p in &s.products {
                let _ = vex::product_matches(p, &pkg);
            }
        }
    }
});
