//! `Record::from_json` on arbitrary bytes: never panics; a parsed record writes back to JSON
//! that parses to the same record, and evaluating it against a few versions never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::osv::{PackageRef, Record};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Record::from_json(data) {
        let again = Record::from_json(&r.to_json().unwrap()).unwrap();
        assert_eq!(again, r);
        let _ = r.level();
        for a in &r.affected {
            if let Some(p) = &a.package {
                for v in [
                    "0",
                    "1.0.0",
                    "v0.0.0-20210817142637-7d9622a276b7",
                    "1:2.3-4~b1",
                ] {
                    let _ = r.affects(&PackageRef::new(&p.ecosystem, &p.name, v));
                }
            }
            for s in a.severity.iter().chain(&r.severity) {
                let _ = s.parse_score();
            }
        }
    }
});
