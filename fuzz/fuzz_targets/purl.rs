//! Package URLs: parse; the canonical form parses back to the same purl and prints the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::purl::Purl;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = Purl::parse(s) {
            let canonical = p.to_string();
            let again = Purl::parse(&canonical).expect("canonical form parses");
            assert_eq!(again, p);
            assert_eq!(again.to_string(), canonical);
        }
    }
});
