//! Alpine `lib/apk/db/installed`: never a panic; every package kept has a name and a version.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::pkgdb::{apk, OsRelease};

fuzz_target!(|data: &[u8]| {
    let os = OsRelease::parse(b"ID=alpine\nVERSION_ID=3.18.4\n").ok();
    if let Ok(db) = apk::parse_installed(data) {
        for p in &db.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty());
            let _ = p.purl(os.as_ref());
        }
    }
});
