//! securesystemslib / TUF key dicts, including key-id computation over canonical JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::key::encoding::sslib::SslibKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = SslibKey::from_json(data) {
        let _ = k.key_id();
    }
});
