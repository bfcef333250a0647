//! Signed checkpoints (signed notes): parse never panics; the signed text is a prefix.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::sigstore::checkpoint::Checkpoint;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cp) = Checkpoint::parse(text) {
            assert!(text.starts_with(cp.signed_text()));
            assert!(!cp.signatures.is_empty());
        }
    }
});
