//! TUF timestamp metadata: strict bounded parse, then threshold verification with the keys it lists
//! (a root against itself, other roles against keys found in the document when any).
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_tuf::metadata::{Metadata, TimestampRole};

fuzz_target!(|data: &[u8]| {
    if let Ok(md) = Metadata::<TimestampRole>::from_slice(data) {
        let _ = md.canonical_signed();
        let _ = md.expires().is_expired(supply_tuf::time::Timestamp::from_unix(0));
        fuzz_extra(&md);
    }
});

fn fuzz_extra(md: &Metadata<TimestampRole>) {
    let _ = md.signed().snapshot_meta().verify("snapshot.json", b"{}");
}
