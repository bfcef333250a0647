//! Signing by digest (`Signer::try_sign_prehashed`, `sigstore::sign::sign_message_prehashed`):
//! what a file hashed while read is signed with. The signature verifies as one over the whole
//! message, on every provider; Ed25519 and a digest of the wrong algorithm are refused.

use supply_sig::crypto::all_providers;
use supply_sig::digest::Algorithm;
use supply_sig::key::KeyAlgorithm;
use supply_sig::sign::{KeySigner, KeyVerifier, SignatureScheme, Signer, Verifier};

const MSG: &[u8] = b"a large file, hashed while it is read";

#[test]
fn prehashed_signatures_verify_over_the_message() {
    for p in all_providers() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::EcdsaP384] {
            let key = (p.sign).generate(alg).unwrap();
            let scheme = key.public_key().default_scheme();
            let signer = KeySigner::new(&key, scheme, p).unwrap();
            let digest = p.hash.digest(scheme.hash().unwrap(), MSG);
            let sig = signer.try_sign_prehashed(&digest).unwrap();
            let v = KeyVerifier::with_default_scheme(key.public_key(), p).unwrap();
            v.verify(MSG, &sig).unwrap();
            assert!(v.verify(b"another message", &sig).is_err());
            // A digest of another algorithm is refused, not signed as something else.
            let other = p.hash.digest(Algorithm::Sha512, MSG);
            assert!(signer.try_sign_prehashed(&other).is_err(), "{alg:?}");
        }
        let ed = (p.sign).generate(KeyAlgorithm::Ed25519).unwrap();
        let signer = KeySigner::new(&ed, SignatureScheme::Ed25519, p).unwrap();
        let digest = p.hash.digest(Algorithm::Sha256, MSG);
        assert!(signer.try_sign_prehashed(&digest).is_err());
    }
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn prehashed_rsa_signatures_verify_on_both_providers() {
    use supply_sig::key::encoding::{AutoLoader, KeyLoader};
    use supply_testkit::read;
    let key = AutoLoader
        .load_private(&read("crypto/keys/openssl/rsa2048_pkcs8.pem"), None)
        .unwrap();
    for scheme in [
        SignatureScheme::RsaPkcs1v15Sha256,
        SignatureScheme::RsaPssSha256,
    ] {
        let signer = KeySigner::new(&key, scheme, &supply_sig::crypto::AWS_LC).unwrap();
        let digest = Algorithm::Sha256.digest(MSG);
        let sig = signer.try_sign_prehashed(&digest).unwrap();
        for p in all_providers() {
            let v = KeyVerifier::new(key.public_key(), scheme, Default::default(), p).unwrap();
            v.verify(MSG, &sig).unwrap();
        }
    }
}

#[test]
fn a_prehashed_bundle_carries_the_signature_and_digest_of_the_message() {
    use supply_sig::sigstore::bundle::Content;
    for p in all_providers() {
        let key = (p.sign).generate(KeyAlgorithm::EcdsaP256).unwrap();
        let signer = KeySigner::new(&key, SignatureScheme::EcdsaP256Sha256, p).unwrap();
        let digest = p.hash.digest(Algorithm::Sha256, MSG);
        let b = supply_sig::sigstore::sign::sign_message_prehashed(&digest, &signer, p).unwrap();
        let Content::MessageSignature(m) = b.content() else {
            panic!("not a message signature")
        };
        assert_eq!(m.digest, Some(digest));
        let v = KeyVerifier::with_default_scheme(key.public_key(), p).unwrap();
        v.verify(MSG, b.signature_bytes().unwrap()).unwrap();
    }
}
