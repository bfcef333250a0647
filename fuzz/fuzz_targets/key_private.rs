//! Private keys: PKCS#8 (v1, v2, encrypted), SEC1, PKCS#1, in PEM and DER.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::key::encoding::{der, pem};

fuzz_target!(|data: &[u8]| {
    let _ = der::private_key_from_der(data, None);
    let _ = pem::private_key_from_pem(data, None);
    // Encrypted PKCS#8 with a password: PBKDF2 iteration counts are bounded by the parser.
    let _ = der::private_key_from_der(data, Some(b"pw"));
});
