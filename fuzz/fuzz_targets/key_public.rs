//! Public keys in every encoding the auto-loader sniffs (PEM, DER SPKI/PKCS#1, OpenSSH, JSON).
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::key::encoding::{der, AutoLoader, KeyLoader};
use supply_sig::key::PublicKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = AutoLoader.load_public(data) {
        // Whatever loads re-encodes to an SPKI that loads to the same key.
        let again = PublicKey::from_spki_der(k.spki_der()).expect("canonical SPKI reloads");
        assert_eq!(again, k);
    }
    let _ = PublicKey::from_spki_der(data);
    let _ = der::public_key_from_der(data);
});
