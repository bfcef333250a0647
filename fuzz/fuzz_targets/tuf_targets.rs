//! TUF targets metadata: strict bounded parse, then threshold verification with the keys it lists
//! (a root against itself, other roles against keys found in the document when any).
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_tuf::metadata::{Metadata, Targets};

fuzz_target!(|data: &[u8]| {
    if let Ok(md) = Metadata::<Targets>::from_slice(data) {
        let _ = md.canonical_signed();
        let _ = md.expires().is_expired(supply_tuf::time::Timestamp::from_unix(0));
        fuzz_extra(&md);
    }
});

fn fuzz_extra(md: &Metadata<Targets>) {
    let t = md.signed();
    for (path, file) in t.targets.iter().take(16) {
        let _ = file.verify(path, b"x");
        let _ = supply_tuf::names::local_target_file_name(path);
        let _ = supply_tuf::names::resolve_target_path(path);
        if let Some(d) = &t.delegations {
            for r in d.roles.iter().flatten().take(16) {
                let _ = r.is_delegated_path(path);
            }
            if let Some(s) = &d.succinct_roles {
                let _ = s.is_delegated_role(&s.role_for_target(path));
            }
        }
    }
}
