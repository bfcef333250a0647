//! CycloneDX JSON and XML: the reader and its validation rules, then the 1.6 writers, whose
//! output must read back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::format::{read, write, OutputFormat};

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = read(data) {
        let _ = doc.report.is_valid();
        for fmt in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
            let out = write(&doc.sbom, fmt);
            assert!(read(&out).is_ok(), "our {fmt} output does not read back");
        }
    }
});
