//! dpkg `status` / `status.d` files and DEP-5 copyright files: never a panic; every package
//! kept has a name and a version, and its purl builds or fails with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::pkgdb::{dpkg, OsRelease};

fuzz_target!(|data: &[u8]| {
    let os = OsRelease::parse(b"ID=debian\nVERSION_ID=12\n").ok();
    for db in [dpkg::parse_status(data), dpkg::parse_status_d(data)]
        .into_iter()
        .flatten()
    {
        for p in &db.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty());
            let _ = p.purl(os.as_ref());
        }
    }
    let _ = dpkg::copyright_license(data);
    let _ = OsRelease::parse(data);
});
