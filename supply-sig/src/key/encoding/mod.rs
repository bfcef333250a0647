//! Every key encoding, and the [`KeyLoader`] that picks the right one.
//!
//! | module | reads | writes |
//! |---|---|---|
//! | [`pem`] | `PUBLIC KEY`, `RSA PUBLIC KEY`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY` | `PUBLIC KEY`, `PRIVATE KEY` |
//! | [`der`] | SPKI, PKCS#1, PKCS#8 v1/v2, encrypted PKCS#8 (PBES2), SEC1 | SPKI, PKCS#8 v1 |
//! | [`ssh`] | OpenSSH public key lines and wire blobs | the same |
//! | [`cosign`] | `ENCRYPTED SIGSTORE PRIVATE KEY`, `ENCRYPTED COSIGN PRIVATE KEY` | `ENCRYPTED SIGSTORE PRIVATE KEY` |
//! | [`sslib`] | securesystemslib / TUF key dicts, with their key IDs | the same |
//!
//! Every reader bounds its input with a named constant of [`crate::limits`] before parsing,
//! rejects trailing data, and never panics. Legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED`)
//! is refused by policy; see [`pem`].
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::key::encoding::{pem, AutoLoader, KeyLoader};
//! use supply_sig::key::{KeyAlgorithm, PrivateKey};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO)?;
//! let text = pem::private_key_to_pem(&key)?;
//! let back = AutoLoader.load_private(text.as_bytes(), None)?;
//! assert_eq!(back.public_key(), key.public_key());
//! let public = AutoLoader.load_public(pem::public_key_to_pem(key.public_key()).as_bytes())?;
//! assert_eq!(public.fingerprint(), key.public_key().fingerprint());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Debug;

use crate::key::{Error, PrivateKey, PublicKey};

pub mod cosign;
pub mod der;
pub mod pem;
pub mod ssh;
pub mod sslib;

/// Loads keys from bytes in some encoding. Object-safe, so a CLI or a provider can hold a
/// `&dyn KeyLoader`.
pub trait KeyLoader: Send + Sync + Debug {
    /// Loads a public key.
    ///
    /// # Errors
    /// [`Error`] when the bytes are not a supported public key.
    fn load_public(&self, bytes: &[u8]) -> Result<PublicKey, Error>;

    /// Loads a private key, decrypting it with `password` when it is encrypted.
    ///
    /// # Errors
    /// [`Error::PasswordRequired`] for an encrypted key without a password,
    /// [`Error::Decryption`] for a wrong password, or another [`Error`] when the bytes are not a
    /// supported private key.
    fn load_private(&self, bytes: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, Error>;
}

/// The loader behind `--key`: sniffs the format and dispatches.
///
/// Public keys: PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`), DER (SPKI or PKCS#1), an OpenSSH line, or
/// a securesystemslib key dict (JSON). Private keys: PEM (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`,
/// `EC PRIVATE KEY`, `RSA PRIVATE KEY`, and the cosign `ENCRYPTED SIGSTORE PRIVATE KEY` /
/// `ENCRYPTED COSIGN PRIVATE KEY`) or DER (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1). A password
/// given for an unencrypted key is ignored; an empty password is a password (cosign keys may
/// have one).
///
/// A private key file given to [`load_public`](KeyLoader::load_public) is an error: the caller
/// asked for a public key and should not be handed secrets by accident.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AutoLoader;

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

impl KeyLoader for AutoLoader {
    fn load_public(&self, bytes: &[u8]) -> Result<PublicKey, Error> {
        let text = trim_start(bytes);
        // JSON first: a securesystemslib dict carries a PEM inside it.
        if text.first() == Some(&0x30) {
            der::public_key_from_der(bytes)
        } else if text.first() == Some(&b'{') {
            sslib::SslibKey::from_json(bytes).map(sslib::SslibKey::into_public_key)
        } else if text.starts_with(b"ssh-") || text.starts_with(b"ecdsa-sha2-") {
            ssh::public_key_from_line(bytes)
        } else if pem::looks_like_pem(bytes) {
            pem::public_key_from_pem(bytes)
        } else {
            Err(Error::InvalidEncoding {
                format: "public key (expected PEM, DER, OpenSSH or a securesystemslib key dict)",
            })
        }
    }

    fn load_private(&self, bytes: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, Error> {
        if bytes.first() == Some(&0x30) {
            return der::private_key_from_der(bytes, password);
        }
        if !pem::looks_like_pem(bytes) {
            return Err(Error::InvalidEncoding {
                format: "private key (expected PEM or DER)",
            });
        }
        let block = pem::decode(bytes)?;
        if cosign::is_cosign_label(block.label()) {
            let password = password.ok_or(Error::PasswordRequired)?;
            cosign::decrypt_block(&block, password)
        } else {
            pem::private_key_from_block(&block, password)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::key::KeyAlgorithm;

    #[test]
    fn loader_is_object_safe_and_sniffs() {
        let loader: &dyn KeyLoader = &AutoLoader;
        let key = PrivateKey::from_ed25519_seed(&[4u8; 32]).unwrap();
        let public = key.public_key();
        let forms: Vec<Vec<u8>> = vec![
            public.spki_der().to_vec(),
            pem::public_key_to_pem(public).into_bytes(),
            ssh::public_key_to_line(public).unwrap().into_bytes(),
            sslib::SslibKey::new(public.clone(), public.default_scheme())
                .unwrap()
                .to_json(),
        ];
        for form in forms {
            assert_eq!(&loader.load_public(&form).unwrap(), public);
        }
        let der = der::private_key_to_pkcs8_der(&key).unwrap();
        assert_eq!(
            loader.load_private(&der, None).unwrap().public_key(),
            public
        );
        let text = pem::private_key_to_pem(&key).unwrap();
        assert!(loader.load_public(text.as_bytes()).is_err());
        assert_eq!(key.algorithm(), KeyAlgorithm::Ed25519);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x80",
            b"\x30\x84\xff\xff\xff\xff",
            b"{",
            b"ssh-",
            b"-----BEGIN ",
            b"hello",
            b"\x00\x00",
        ] {
            assert!(AutoLoader.load_public(bad).is_err());
            assert!(AutoLoader.load_private(bad, Some(b"pw")).is_err());
        }
    }
}
