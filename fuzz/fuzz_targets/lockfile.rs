//! Every lockfile reader on arbitrary bytes: never panics, never returns more packages than
//! its cap.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::limits::MAX_LOCKFILE_PACKAGES;
use supply_sbom::lockfile::{parse, Kind};

fuzz_target!(|data: &[u8]| {
    for kind in [
        Kind::CargoLock,
        Kind::PackageLock,
        Kind::Requirements,
        Kind::PoetryLock,
        Kind::GoSum,
    ] {
        if let Ok(l) = parse(kind, data) {
            assert!(l.packages.len() <= MAX_LOCKFILE_PACKAGES);
        }
    }
});
