//! cosign / Sigstore encrypted private key files.
//!
//! A PEM block labelled `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign ≥ 2.0) or
//! `ENCRYPTED COSIGN PRIVATE KEY` (older cosign; same body) whose contents are the JSON of
//! go-securesystemslib's `encrypted` package:
//!
//! ```json
//! {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64, 32 bytes>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},
//!  "ciphertext":"<base64>"}
//! ```
//!
//! The key is `scrypt(password, salt, N, r, p, 32)`; the plaintext is the NaCl secretbox
//! (XSalsa20-Poly1305, tag first) opening of the ciphertext, a PKCS#8 DER private key (v1 or v2).
//!
//! Reading is strict: unknown field names, other KDF or cipher names, `N` not a power of two and
//! costs above [`limits::MAX_SCRYPT_LOG_N`], [`limits::MAX_SCRYPT_R`], [`limits::MAX_SCRYPT_P`]
//! or [`limits::MAX_SCRYPT_WORK`] are errors, checked before any key derivation. Writing uses
//! what the cosign CLI writes: N = 65536, r = 8, p = 1, a fresh 32-byte salt and 24-byte nonce,
//! the `ENCRYPTED SIGSTORE PRIVATE KEY` label and a PKCS#8 v1 plaintext that Go's
//! `x509.ParsePKCS8PrivateKey` reads.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use xsalsa20poly1305::aead::{Aead as _, KeyInit as _};
use xsalsa20poly1305::XSalsa20Poly1305;
use zeroize::Zeroizing;

use super::{der as keyder, pem};
use crate::alg::SecureRandom;
use crate::key::{Error, PrivateKey};
use crate::limits::{self, LimitExceeded, MAX_COSIGN_SALT_LEN, MIN_COSIGN_SALT_LEN};

/// The PEM label current cosign writes.
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The PEM label older cosign wrote (same body).
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

// Named in `Error::InvalidEncoding` ("malformed cosign key file").
const FORMAT: &str = "cosign key file";
const KDF_NAME: &str = "scrypt";
const CIPHER_NAME: &str = "nacl/secretbox";
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;
/// Poly1305 tag length, prepended to the secretbox ciphertext.
const TAG_LEN: usize = 16;

fn invalid() -> Error {
    Error::InvalidEncoding { format: FORMAT }
}

/// Whether `label` is one of the two cosign encrypted key labels.
pub fn is_cosign_label(label: &str) -> bool {
    label == SIGSTORE_LABEL || label == COSIGN_LABEL
}

/// scrypt cost parameters (RFC 7914 §2), validated against [`limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScryptParams {
    log_n: u8,
    r: u32,
    p: u32,
}

impl ScryptParams {
    /// What the cosign CLI writes: N = 2^16, r = 8, p = 1.
    pub const COSIGN: Self = Self {
        log_n: 16,
        r: 8,
        p: 1,
    };

    /// Builds and validates parameters with `N = 2^log_n`.
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] for zero values, [`Error::LimitExceeded`] above the limits.
    pub fn new(log_n: u8, r: u32, p: u32) -> Result<Self, Error> {
        let n = 1u64.checked_shl(u32::from(log_n)).ok_or_else(invalid)?;
        keyder::check_scrypt_cost(n, r, p)?;
        Ok(Self { log_n, r, p })
    }

    /// `log2(N)`.
    pub const fn log_n(&self) -> u8 {
        self.log_n
    }

    /// `N`.
    pub const fn n(&self) -> u64 {
        1u64 << self.log_n
    }

    /// The block size `r`.
    pub const fn r(&self) -> u32 {
        self.r
    }

    /// The parallelism `p`.
    pub const fn p(&self) -> u32 {
        self.p
    }

    fn derive(&self, password: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, Error> {
        let params =
            scrypt::Params::new(self.log_n, self.r, self.p, KEY_LEN).map_err(|_| invalid())?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        scrypt::scrypt(password, salt, &params, key.as_mut()).map_err(|_| invalid())?;
        Ok(key)
    }
}

impl Default for ScryptParams {
    fn default() -> Self {
        Self::COSIGN
    }
}

// The JSON body. Field order is the order go-securesystemslib's structs serialize in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Decrypts a cosign encrypted key file (PEM text).
///
/// # Errors
/// [`Error::UnexpectedPemLabel`] for other labels, [`Error::Decryption`] for a wrong password,
/// plus the errors of [`pem::decode`] and [`decrypt_body`].
pub fn decrypt(text: &[u8], password: &[u8]) -> Result<PrivateKey, Error> {
    let block = pem::decode(text)?;
    decrypt_block(&block, password)
}

/// Decrypts an already decoded PEM block; see [`decrypt`].
///
/// # Errors
/// As [`decrypt`].
pub fn decrypt_block(block: &pem::Block, password: &[u8]) -> Result<PrivateKey, Error> {
    if !is_cosign_label(block.label()) {
        return Err(Error::UnexpectedPemLabel {
            label: block.label().chars().take(64).collect(),
        });
    }
    if !block.headers().is_empty() {
        return Err(invalid());
    }
    decrypt_body(block.contents(), password)
}

/// Decrypts the JSON body of a cosign key file (the PEM contents).
///
/// # Errors
/// [`Error::InvalidEncoding`] for malformed JSON, base64 or lengths, [`Error::UnsupportedAlgorithm`] for
/// KDF or cipher names other than `scrypt` and `nacl/secretbox`, [`Error::LimitExceeded`] for
/// scrypt costs above the limits, [`Error::Decryption`] when the secretbox does not open (wrong
/// password or tampered file), plus the errors of
/// [`private_key_from_pkcs8_der`](super::der::private_key_from_pkcs8_der) on the plaintext.
pub fn decrypt_body(json: &[u8], password: &[u8]) -> Result<PrivateKey, Error> {
    if json.len() > limits::MAX_PEM_LEN {
        return Err(
            LimitExceeded::new("cosign key file body", limits::MAX_PEM_LEN)
                .with_actual(json.len())
                .into(),
        );
    }
    let body: Body = serde_json::from_slice(json).map_err(|source| Error::Json {
        format: FORMAT,
        source,
    })?;
    if body.kdf.name != KDF_NAME {
        return Err(Error::unsupported(FORMAT, "KDF", &body.kdf.name));
    }
    if body.cipher.name != CIPHER_NAME {
        return Err(Error::unsupported(FORMAT, "cipher", &body.cipher.name));
    }
    let p = &body.kdf.params;
    let log_n = keyder::check_scrypt_cost(p.n, p.r, p.p)?;
    let params = ScryptParams {
        log_n,
        r: p.r,
        p: p.p,
    };
    let salt = STANDARD.decode(&body.kdf.salt).map_err(|_| invalid())?;
    if !(MIN_COSIGN_SALT_LEN..=MAX_COSIGN_SALT_LEN).contains(&salt.len()) {
        return Err(invalid());
    }
    let nonce = STANDARD.decode(&body.cipher.nonce).map_err(|_| invalid())?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| invalid())?;
    let ciphertext = STANDARD.decode(&body.ciphertext).map_err(|_| invalid())?;
    if ciphertext.len() < TAG_LEN || ciphertext.len() > limits::MAX_DER_LEN + TAG_LEN {
        return Err(invalid());
    }
    let key = params.derive(password, &salt)?;
    let cipher = XSalsa20Poly1305::new(key.as_ref().into());
    let plaintext = Zeroizing::new(
        cipher
            .decrypt(&nonce.into(), ciphertext.as_slice())
            .map_err(|_| Error::Decryption)?,
    );
    keyder::private_key_from_pkcs8_der(&plaintext)
}

/// Encrypts a private key as cosign does (`cosign generate-key-pair`): scrypt N = 65536, r = 8,
/// p = 1, label `ENCRYPTED SIGSTORE PRIVATE KEY`. The salt and nonce come from `random`: pass
/// a `crypto::Provider` (which draws from its `random` table) or any [`SecureRandom`].
///
/// # Errors
/// [`Error::Random`] when the random source fails, plus the errors of
/// [`encrypt_with_params`].
pub fn encrypt(
    key: &PrivateKey,
    password: &[u8],
    random: &dyn SecureRandom,
) -> Result<String, Error> {
    encrypt_with_params(key, password, ScryptParams::COSIGN, random)
}

/// Encrypts a private key with explicit scrypt parameters; see [`encrypt`].
///
/// # Errors
/// [`Error::Random`] when the random source fails, [`Error::Encryption`] if the cipher fails,
/// plus the errors of [`private_key_to_pkcs8_der`](super::der::private_key_to_pkcs8_der).
pub fn encrypt_with_params(
    key: &PrivateKey,
    password: &[u8],
    params: ScryptParams,
    random: &dyn SecureRandom,
) -> Result<String, Error> {
    let plaintext = keyder::private_key_to_pkcs8_der(key)?;
    let mut salt = [0u8; SALT_LEN];
    random.fill(&mut salt)?;
    let mut nonce = [0u8; NONCE_LEN];
    random.fill(&mut nonce)?;
    let derived = params.derive(password, &salt)?;
    let cipher = XSalsa20Poly1305::new(derived.as_ref().into());
    let ciphertext = cipher
        .encrypt(&nonce.into(), plaintext.as_slice())
        .map_err(|_| Error::Encryption)?;
    let body = Body {
        kdf: Kdf {
            name: KDF_NAME.into(),
            params: KdfParams {
                n: params.n(),
                r: params.r,
                p: params.p,
            },
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: CIPHER_NAME.into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    let json = serde_json::to_vec(&body).map_err(|_| Error::Encryption)?;
    Ok(pem::encode(SIGSTORE_LABEL, &json))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::RUSTCRYPTO;

    fn body(kdf: &str, n: u64, r: u32, p: u32, cipher: &str) -> Vec<u8> {
        format!(
            r#"{{"kdf":{{"name":"{kdf}","params":{{"N":{n},"r":{r},"p":{p}}},"salt":"{}"}},"cipher":{{"name":"{cipher}","nonce":"{}"}},"ciphertext":"{}"}}"#,
            STANDARD.encode([1u8; 32]),
            STANDARD.encode([2u8; 24]),
            STANDARD.encode([3u8; 64]),
        )
        .into_bytes()
    }

    #[test]
    fn bad_parameters_are_refused_before_scrypt() {
        let pw = b"pw";
        assert!(matches!(
            decrypt_body(&body("pbkdf2", 1024, 8, 1, CIPHER_NAME), pw),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1024, 8, 1, "aes-gcm"), pw),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1000, 8, 1, CIPHER_NAME), pw),
            Err(Error::InvalidEncoding { .. })
        ));
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1 << 30, 8, 1, CIPHER_NAME), pw),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1024, 1000, 1, CIPHER_NAME), pw),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1024, 8, 0, CIPHER_NAME), pw),
            Err(Error::InvalidEncoding { .. })
        ));
        // Well-formed but the box does not open.
        assert!(matches!(
            decrypt_body(&body(KDF_NAME, 1024, 8, 1, CIPHER_NAME), pw),
            Err(Error::Decryption)
        ));
        assert!(decrypt_body(b"{}", pw).is_err());
        assert!(decrypt_body(b"not json", pw).is_err());
    }

    #[test]
    fn round_trip_with_small_cost() {
        let key = PrivateKey::from_ed25519_seed(&[5u8; 32]).unwrap();
        let params = ScryptParams::new(10, 8, 1).unwrap();
        let text = encrypt_with_params(&key, b"secret", params, &RUSTCRYPTO).unwrap();
        assert!(text.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = decrypt(text.as_bytes(), b"secret").unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert!(matches!(
            decrypt(text.as_bytes(), b"secreT"),
            Err(Error::Decryption)
        ));
    }
}
