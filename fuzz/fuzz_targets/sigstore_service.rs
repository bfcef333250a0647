//! What the keyless signer reads from Sigstore services (identity tokens, Fulcio and Rekor
//! responses): parsing never panics. The first byte picks the parser.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sigstore::__fuzz::{fulcio_leaf, rekor_v1_entry, rekor_v2_entry};
use supply_sig::sigstore::service::IdentityToken;

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| match PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO) {
        Ok(k) => k,
        Err(e) => panic!("generating the fuzz key: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            if let Ok(t) = std::str::from_utf8(rest) {
                if let Ok(tok) = IdentityToken::parse(t) {
                    assert!(!tok.proof_subject().is_empty());
                }
            }
        }
        1 => {
            let _ = fulcio_leaf(rest, key().public_key());
        }
        2 => {
            if let Ok(e) = rekor_v1_entry(rest) {
                assert!(e["kindVersion"]["kind"].is_string());
            }
        }
        _ => {
            let _ = rekor_v2_entry(rest);
        }
    }
});
