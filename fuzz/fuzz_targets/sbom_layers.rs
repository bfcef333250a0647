//! Image layers (tar, or gzip or zstd when the input starts with their magic) applied by the SBOM
//! generator, under small caps: never a panic, and what it generates writes and reads back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::generate::{from_layers, Layer, Limits, Options};

fuzz_target!(|data: &[u8]| {
    let mut opts = Options::default();
    let mut limits = Limits::default();
    limits.layer_entries = 10_000;
    limits.layer_unpacked = 16 * 1024 * 1024;
    limits.kept_bytes = 16 * 1024 * 1024;
    opts.limits = limits;
    // The same bytes as a lower and an upper layer exercise whiteouts against content.
    let half = data.len() / 2;
    let layers = vec![
        Layer::new("sha256:lower", &data[..half]),
        Layer::new("sha256:upper", &data[half..]),
    ];
    if let Ok(g) = from_layers(layers, &opts) {
        let out = write(&g.sbom, OutputFormat::CycloneDxJson);
        assert!(read(&out).is_ok());
    }
});
