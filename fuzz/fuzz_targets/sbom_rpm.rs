//! RPM `rpmdb.sqlite` files and RPM header blobs: never a panic or a hang (every SQLite page
//! is visited once, every header value is bounded by its data store); every package kept has
//! a name and a version, and its purl builds or fails with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::pkgdb::{rpm, OsRelease};

fuzz_target!(|data: &[u8]| {
    let os = OsRelease::parse(b"ID=fedora\nVERSION_ID=40\n").ok();
    if let Ok(db) = rpm::parse_sqlite(data) {
        for p in &db.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty());
            let _ = p.purl(os.as_ref());
        }
    }
    if let Ok(h) = rpm::parse_header(data) {
        assert!(!h.name.is_empty() && !h.version.is_empty() && !h.release.is_empty());
        let _ = h.evr();
        let _ = h.source_package();
    }
});
