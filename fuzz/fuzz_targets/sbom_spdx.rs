//! SPDX 2 JSON/YAML/tag-value and SPDX 3 JSON-LD: the format-detecting reader (lenient, with
//! its report), and every writer over what it read, whose output must read back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::format::{read, write, OutputFormat};

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = read(data) {
        let _ = doc.report.to_string();
        for fmt in [OutputFormat::SpdxJson, OutputFormat::SpdxTagValue, OutputFormat::Spdx3JsonLd] {
            let out = write(&doc.sbom, fmt);
            assert!(read(&out).is_ok(), "our {fmt} output does not read back");
        }
        let g = supply_sbom::graph::Graph::new(&doc.sbom);
        for p in doc.sbom.packages.iter().take(8) {
            let _ = g.why(&p.id, 4);
            let _ = g.all_dependents(&p.id);
        }
    }
});
