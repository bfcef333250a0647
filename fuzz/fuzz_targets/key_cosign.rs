//! cosign encrypted key files: the JSON envelope, base64 fields, scrypt parameter checks and the
//! secretbox. The fuzzer cannot guess a MAC, so decryption itself always fails; inputs asking
//! for scrypt costs above 2^10 are skipped here only to keep each run fast (the parser's own cap
//! is `limits::MAX_SCRYPT_LOG_N`, tested in the unit tests).
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::key::encoding::cosign;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let n = v.pointer("/kdf/params/N").and_then(serde_json::Value::as_u64);
        let r = v.pointer("/kdf/params/r").and_then(serde_json::Value::as_u64);
        if n.unwrap_or(0) > 1024 || r.unwrap_or(0) > 8 {
            return;
        }
    }
    assert!(cosign::decrypt_body(data, b"").is_err() || data.len() > 64);
});
