//! PEM (RFC 7468) text encoding of keys.
//!
//! The container itself (one block, canonical base64, explanatory text ignored) is
//! [`crate::pem`], re-exported here ([`Block`], [`decode`], [`encode`], [`looks_like_pem`]) so
//! that older paths keep working. Labels accepted for keys:
//!
//! | label | contents |
//! |---|---|
//! | `PUBLIC KEY` | SubjectPublicKeyInfo (RFC 5280) |
//! | `RSA PUBLIC KEY` | PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1) |
//! | `PRIVATE KEY` | PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` v1 or v2 (RFC 5208, RFC 5958) |
//! | `ENCRYPTED PRIVATE KEY` | PKCS#8 `EncryptedPrivateKeyInfo` with PBES2 (RFC 8018) |
//! | `EC PRIVATE KEY` | SEC1 `ECPrivateKey` (RFC 5915) |
//! | `RSA PRIVATE KEY` | PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2) |
//!
//! **Policy:** legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers,
//! RFC 1421) is refused with [`Error::LegacyPemEncryption`]: its key derivation is one round of MD5
//! (`EVP_BytesToKey`). Convert such keys with `openssl pkcs8 -topk8`.
//!
//! Writing produces `\n` line endings and 64-character lines, as OpenSSL and Go do.

use zeroize::Zeroizing;

use super::der as keyder;
use crate::key::{Error, PrivateKey, PublicKey};
use crate::limits::MAX_PEM_LABEL_LEN;

/// The neutral PEM container, at its older path.
pub use crate::pem::{decode, encode, looks_like_pem, Block};

/// Label of a SubjectPublicKeyInfo.
pub const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";
/// Label of a PKCS#1 RSA public key.
pub const RSA_PUBLIC_KEY_LABEL: &str = "RSA PUBLIC KEY";
/// Label of an unencrypted PKCS#8 private key.
pub const PRIVATE_KEY_LABEL: &str = "PRIVATE KEY";
/// Label of an encrypted PKCS#8 private key.
pub const ENCRYPTED_PRIVATE_KEY_LABEL: &str = "ENCRYPTED PRIVATE KEY";
/// Label of a SEC1 EC private key.
pub const EC_PRIVATE_KEY_LABEL: &str = "EC PRIVATE KEY";
/// Label of a PKCS#1 RSA private key.
pub const RSA_PRIVATE_KEY_LABEL: &str = "RSA PRIVATE KEY";

fn unexpected(label: &str) -> Error {
    Error::UnexpectedPemLabel {
        label: label.chars().take(MAX_PEM_LABEL_LEN).collect(),
    }
}

fn refuse_headers(block: &Block) -> Result<(), Error> {
    if block.is_legacy_encrypted() {
        return Err(Error::LegacyPemEncryption);
    }
    if !block.headers().is_empty() {
        return Err(Error::InvalidEncoding {
            format: "PEM key (RFC 1421 headers are not allowed)",
        });
    }
    Ok(())
}

/// Reads a public key from a `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM document.
///
/// # Errors
/// [`Error::UnexpectedPemLabel`] for other labels, plus the errors of [`decode`],
/// [`PublicKey::from_spki_der`] and [`PublicKey::from_pkcs1_der`].
pub fn public_key_from_pem(text: &[u8]) -> Result<PublicKey, Error> {
    let block = decode(text)?;
    public_key_from_block(&block)
}

/// Reads a public key from an already decoded PEM block; see [`public_key_from_pem`].
///
/// # Errors
/// As [`public_key_from_pem`].
pub fn public_key_from_block(block: &Block) -> Result<PublicKey, Error> {
    refuse_headers(block)?;
    match block.label() {
        PUBLIC_KEY_LABEL => PublicKey::from_spki_der(block.contents()),
        RSA_PUBLIC_KEY_LABEL => keyder::public_key_from_pkcs1_der(block.contents()),
        other => Err(unexpected(other)),
    }
}

/// Reads a private key from a PEM document: `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY` (needs
/// `password`), `EC PRIVATE KEY` or `RSA PRIVATE KEY`. A password given for an unencrypted key
/// is ignored.
///
/// # Errors
/// [`Error::PasswordRequired`] for an encrypted key without a password, [`Error::Decryption`] for a
/// wrong one, [`Error::LegacyPemEncryption`] for legacy `Proc-Type: 4,ENCRYPTED` PEM,
/// [`Error::UnexpectedPemLabel`] for other labels, plus the errors of [`decode`] and of the
/// [`der`](super::der) readers.
pub fn private_key_from_pem(text: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, Error> {
    let block = decode(text)?;
    private_key_from_block(&block, password)
}

/// Reads a private key from an already decoded PEM block; see [`private_key_from_pem`].
///
/// # Errors
/// As [`private_key_from_pem`].
pub fn private_key_from_block(block: &Block, password: Option<&[u8]>) -> Result<PrivateKey, Error> {
    refuse_headers(block)?;
    let der = block.contents();
    match block.label() {
        PRIVATE_KEY_LABEL => keyder::private_key_from_pkcs8_der(der),
        ENCRYPTED_PRIVATE_KEY_LABEL => {
            let password = password.ok_or(Error::PasswordRequired)?;
            keyder::private_key_from_encrypted_pkcs8_der(der, password)
        }
        EC_PRIVATE_KEY_LABEL => keyder::private_key_from_sec1_der(der),
        RSA_PRIVATE_KEY_LABEL => keyder::private_key_from_pkcs1_der(der),
        other => Err(unexpected(other)),
    }
}

/// Writes a public key as a `PUBLIC KEY` (SPKI) PEM document.
pub fn public_key_to_pem(key: &PublicKey) -> String {
    encode(PUBLIC_KEY_LABEL, key.spki_der())
}

/// Writes a private key as an unencrypted `PRIVATE KEY` (PKCS#8 v1) PEM document.
///
/// # Errors
/// As [`super::der::private_key_to_pkcs8_der`].
pub fn private_key_to_pem(key: &PrivateKey) -> Result<Zeroizing<String>, Error> {
    let der = keyder::private_key_to_pkcs8_der(key)?;
    Ok(Zeroizing::new(encode(PRIVATE_KEY_LABEL, &der)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn legacy_encryption_is_refused() {
        let text = b"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let block = decode(text).unwrap();
        assert!(block.is_legacy_encrypted());
        assert!(matches!(
            private_key_from_pem(text, Some(b"pw")),
            Err(Error::LegacyPemEncryption)
        ));
    }

    #[test]
    fn wrong_label_is_an_error() {
        let text = encode("CERTIFICATE", &[0x30, 0x00]);
        assert!(matches!(
            public_key_from_pem(text.as_bytes()),
            Err(Error::UnexpectedPemLabel { .. })
        ));
        assert!(matches!(
            private_key_from_pem(text.as_bytes(), None),
            Err(Error::UnexpectedPemLabel { .. })
        ));
    }
}
