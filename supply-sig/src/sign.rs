//! Signing and verification: small object-safe traits and the policy layer above every backend.
//!
//! [`Verifier`] and [`Signer`] are what the other `supply` crates take; they never name a curve.
//! [`KeyVerifier`] and [`KeySigner`] implement them for a [`PublicKey`] / [`PrivateKey`] on any
//! [`Provider`], enforcing one [`VerifyPolicy`] whatever the backend:
//!
//! - **ECDSA**: signatures in strict DER (BER, long-form or non-minimal lengths, missing or extra
//!   leading zeros, trailing bytes are rejected) or in the fixed `r ‖ s` form of exactly twice the
//!   field size, as the policy says; `r` and `s` in `[1, n−1]`; high-S accepted by default (cosign,
//!   Go and Wycheproof accept it), [`EcdsaS::RequireLow`] available.
//! - **Ed25519**: RFC 8032 with the strict choices of libsodium and `ed25519-dalek`'s
//!   `verify_strict`: `S ≥ L`, non-canonical encodings of `A` or `R`, and small-order `A` or `R`
//!   are rejected; the check equation is the cofactorless one. Of the ed25519-speccheck cases only
//!   the mixed-order case 3 verifies.
//! - **RSA**: PKCS#1 v1.5 (the full encoded block is compared; `DigestInfo` without the NULL
//!   parameter is rejected) and PSS with MGF1 of the same hash and a salt of the hash length;
//!   moduli 2048–8192 bits. The `RsaPssAuto*` schemes (securesystemslib's `rsassa-pss-*`, as TUF
//!   and in-toto use them) also accept the maximum salt length; see
//!   [`SignatureScheme::RsaPssAutoSha256`].
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::key::{KeyAlgorithm, PrivateKey};
//! use supply_sig::sign::{KeySigner, KeyVerifier, Signer, Verifier, VerifyPolicy};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO)?;
//! let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO)?;
//! let sig = signer.try_sign(b"hello")?;
//! let verifier = KeyVerifier::new(key.public_key(), signer.scheme(), VerifyPolicy::default(), &RUSTCRYPTO)?;
//! verifier.verify(b"hello", &sig)?;
//! assert!(verifier.verify(b"hellO", &sig).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::alg::KeyAlgorithm;
use crate::crypto::ecdsa_sig::{der_to_fixed, ecdsa_fixed_to_der};
use crate::crypto::{self, PreparedSigner, PreparedVerifier, Provider};
use crate::key::{KeyId, PrivateKey, PublicKey};

/// The signature scheme vocabulary lives in [`crate::alg`] (the bottom of the crate, so that keys
/// and backends can name it); this path keeps working.
pub use crate::alg::SignatureScheme;

/// Errors from signing and verifying.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature does not verify under this key (why is deliberately not said: a malformed
    /// encoding, a policy violation and a failed equation all look the same).
    #[error("signature verification failed for key {key}")]
    BadSignature {
        /// The key that was tried.
        key: KeyId,
    },
    /// The scheme cannot be used with this key.
    #[error("scheme {scheme} cannot be used with a {key:?} key")]
    SchemeMismatch {
        /// The scheme.
        scheme: SignatureScheme,
        /// The key family.
        key: KeyAlgorithm,
    },
    /// The public key is refused by the policy (e.g. a small-order Ed25519 key).
    #[error("key {key} is refused by the verification policy")]
    KeyRefused {
        /// The key.
        key: KeyId,
    },
    /// The crypto backend failed or does not support the request.
    #[error(transparent)]
    Crypto(crypto::Error),
}

/// Refuses a scheme that needs another key family than `key`.
fn check_key(scheme: SignatureScheme, key: KeyAlgorithm) -> Result<(), Error> {
    if scheme.key_algorithm() == key {
        Ok(())
    } else {
        Err(Error::SchemeMismatch { scheme, key })
    }
}

/// How ECDSA signatures are encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcdsaEncoding {
    /// ASN.1 DER `Ecdsa-Sig-Value` (cosign, Sigstore, securesystemslib, X.509).
    #[default]
    Der,
    /// Fixed-size `r ‖ s` (IEEE P1363; the DSSE spec vectors, JOSE, WebCrypto).
    Fixed,
    /// Either: strict DER first, otherwise exactly `2 × field` bytes as `r ‖ s`. Both readings
    /// need a valid signature; use this only where a format allows both (DSSE).
    DerOrFixed,
}

/// Which ECDSA `s` values are accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcdsaS {
    /// Any `s` in `[1, n−1]`: plain ECDSA (FIPS 186-5), as cosign, Go and OpenSSL verify.
    #[default]
    AcceptHigh,
    /// Only `s ≤ n/2` (non-malleable signatures, as Bitcoin's BIP 62 demands).
    RequireLow,
}

/// The verification policy. Its default is the one every `supply` crate uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyPolicy {
    /// Accepted ECDSA signature encoding.
    pub ecdsa_encoding: EcdsaEncoding,
    /// Accepted ECDSA `s` range.
    pub ecdsa_s: EcdsaS,
}

impl VerifyPolicy {
    /// The default policy with another ECDSA encoding.
    pub const fn with_ecdsa_encoding(mut self, encoding: EcdsaEncoding) -> Self {
        self.ecdsa_encoding = encoding;
        self
    }
    /// The default policy with another `s` rule.
    pub const fn with_ecdsa_s(mut self, s: EcdsaS) -> Self {
        self.ecdsa_s = s;
        self
    }
}

/// Something that checks signatures over messages. Object-safe.
pub trait Verifier: Send + Sync + fmt::Debug {
    /// The key signatures are checked against.
    fn public_key(&self) -> &PublicKey;
    /// The scheme checked.
    fn scheme(&self) -> SignatureScheme;
    /// Verifies `signature` over `message`.
    ///
    /// # Errors
    /// [`Error::BadSignature`] for every kind of failure.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error>;
}

/// Something that signs messages. Object-safe.
pub trait Signer: Send + Sync + fmt::Debug {
    /// The public key matching the signatures.
    fn public_key(&self) -> &PublicKey;
    /// The scheme used.
    fn scheme(&self) -> SignatureScheme;
    /// Signs `message`. ECDSA signatures are DER unless the signer was built for another encoding.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend fails.
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// Signs a message known by its `digest`, which must be of the scheme's hash: a file can
    /// then be hashed while it is read (as cosign signs blobs) instead of held in memory. The
    /// signature is the one [`Signer::try_sign`] makes over the message. Ed25519 (which hashes
    /// internally) cannot sign this way; the default says the signer does not support it.
    ///
    /// # Errors
    /// [`Error::Crypto`]: a digest of another algorithm than the scheme's hash, Ed25519, or a
    /// backend without prehashed signing.
    fn try_sign_prehashed(&self, digest: &crate::digest::Digest) -> Result<Vec<u8>, Error> {
        let _ = digest;
        Err(Error::Crypto(crypto::Error::Unsupported {
            provider: "signer",
            what: "prehashed signing",
        }))
    }
}

/// A [`Verifier`] for one public key and scheme on one [`Provider`], under a [`VerifyPolicy`].
pub struct KeyVerifier {
    key: PublicKey,
    key_id: KeyId,
    scheme: SignatureScheme,
    policy: VerifyPolicy,
    inner: Box<dyn PreparedVerifier>,
}

impl KeyVerifier {
    /// Prepares `key` for `scheme`.
    ///
    /// # Errors
    /// [`Error::SchemeMismatch`], [`Error::KeyRefused`] (small-order or non-canonical Ed25519
    /// keys) or [`Error::Crypto`] when the backend lacks the scheme.
    pub fn new(
        key: &PublicKey,
        scheme: SignatureScheme,
        policy: VerifyPolicy,
        provider: &Provider,
    ) -> Result<Self, Error> {
        check_key(scheme, key.algorithm())?;
        let key_id = key.key_id();
        if key.algorithm() == KeyAlgorithm::Ed25519 && !ed25519_point_ok(key.material()) {
            return Err(Error::KeyRefused { key: key_id });
        }
        let inner = provider.verify.prepare(key, scheme).map_err(|e| match e {
            crypto::Error::KeyRejected { .. } => Error::KeyRefused {
                key: key_id.clone(),
            },
            e => Error::Crypto(e),
        })?;
        Ok(Self {
            key: key.clone(),
            key_id,
            scheme,
            policy,
            inner,
        })
    }

    /// Prepares `key` with its default scheme and the default policy.
    ///
    /// # Errors
    /// As [`KeyVerifier::new`].
    pub fn with_default_scheme(key: &PublicKey, provider: &Provider) -> Result<Self, Error> {
        Self::new(key, key.default_scheme(), VerifyPolicy::default(), provider)
    }

    /// The key's id (SPKI SHA-256 hex), as reported in errors.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    fn bad(&self) -> Error {
        Error::BadSignature {
            key: self.key_id.clone(),
        }
    }

    /// The ECDSA signature as fixed-size `r || s` after the policy's encoding and low-S checks,
    /// shared by [`Verifier::verify`] and [`Self::verify_prehashed`] so both enforce one policy.
    fn ecdsa_fixed<'b>(&self, signature: &[u8], buf: &'b mut [u8; 96]) -> Result<&'b [u8], Error> {
        let alg = self.key.algorithm();
        let n = ecdsa_to_fixed(alg, signature, self.policy.ecdsa_encoding, buf)
            .ok_or_else(|| self.bad())?;
        let fixed = &buf[..n];
        if self.policy.ecdsa_s == EcdsaS::RequireLow && ecdsa_s_is_high(alg, &fixed[n / 2..]) {
            return Err(self.bad());
        }
        Ok(fixed)
    }

    /// Verifies `signature` over a message known only by its `digest`, under the same policy
    /// as [`Verifier::verify`]. The digest's algorithm must be the scheme's hash; Ed25519
    /// (which hashes internally) cannot be verified this way.
    ///
    /// # Errors
    /// [`Error::BadSignature`] for every kind of failure (including a digest of another
    /// algorithm), [`Error::Crypto`] when the backend does not support prehashed verification.
    pub fn verify_prehashed(
        &self,
        digest: &crate::digest::Digest,
        signature: &[u8],
    ) -> Result<(), Error> {
        if self.scheme.hash() != Some(digest.algorithm()) {
            return Err(self.bad());
        }
        let map = |e: crypto::Error| match e {
            crypto::Error::Unsupported { .. } => Error::Crypto(e),
            _ => self.bad(),
        };
        match self.key.algorithm() {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let mut buf = [0u8; 96];
                let fixed = self.ecdsa_fixed(signature, &mut buf)?;
                self.inner
                    .verify_prehashed(digest.as_bytes(), fixed)
                    .map_err(map)
            }
            KeyAlgorithm::Ed25519 => Err(Error::Crypto(crypto::Error::Unsupported {
                provider: "policy",
                what: "prehashed Ed25519",
            })),
            KeyAlgorithm::Rsa => self
                .inner
                .verify_prehashed(digest.as_bytes(), signature)
                .map_err(map),
        }
    }
}

impl fmt::Debug for KeyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyVerifier")
            .field("key", &self.key_id)
            .field("scheme", &self.scheme)
            .field("policy", &self.policy)
            .finish()
    }
}

impl Verifier for KeyVerifier {
    fn public_key(&self) -> &PublicKey {
        &self.key
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self.key.algorithm() {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let mut buf = [0u8; 96];
                let fixed = self.ecdsa_fixed(signature, &mut buf)?;
                self.inner.verify(message, fixed).map_err(|_| self.bad())
            }
            KeyAlgorithm::Ed25519 => {
                // RFC 8032 §5.1.7: exactly 64 bytes; R canonical and not of small order (here,
                // unless the backend refuses such an R itself: the decompression is a field
                // square root per signature). S < L is checked by every backend (and by
                // ed25519_s_ok for defence in depth).
                if signature.len() != 64
                    || (!self.inner.refuses_weak_ed25519_r() && !ed25519_point_ok(&signature[..32]))
                    || !ed25519_s_ok(&signature[32..])
                {
                    return Err(self.bad());
                }
                self.inner
                    .verify(message, signature)
                    .map_err(|_| self.bad())
            }
            KeyAlgorithm::Rsa => self
                .inner
                .verify(message, signature)
                .map_err(|_| self.bad()),
        }
    }
}

/// A [`Signer`] for one private key and scheme on one [`Provider`].
pub struct KeySigner {
    public: PublicKey,
    scheme: SignatureScheme,
    encoding: EcdsaEncoding,
    inner: Box<dyn PreparedSigner>,
}

impl KeySigner {
    /// Prepares `key` for `scheme`. ECDSA signatures come out in DER.
    ///
    /// # Errors
    /// [`Error::SchemeMismatch`], or [`Error::Crypto`] when the backend cannot sign with it
    /// (RSA in the RustCrypto backend).
    pub fn new(
        key: &PrivateKey,
        scheme: SignatureScheme,
        provider: &Provider,
    ) -> Result<Self, Error> {
        check_key(scheme, key.algorithm())?;
        let inner = provider.sign.prepare(key, scheme).map_err(Error::Crypto)?;
        Ok(Self {
            public: key.public_key().clone(),
            scheme,
            encoding: EcdsaEncoding::Der,
            inner,
        })
    }

    /// Prepares `key` with its default scheme ([`PublicKey::default_scheme`]): cosign's choices,
    /// the counterpart of [`KeyVerifier::with_default_scheme`].
    ///
    /// # Errors
    /// As [`KeySigner::new`].
    pub fn with_default_scheme(key: &PrivateKey, provider: &Provider) -> Result<Self, Error> {
        Self::new(key, key.public_key().default_scheme(), provider)
    }

    /// Emits ECDSA signatures as fixed `r ‖ s` instead of DER.
    pub fn with_fixed_encoding(mut self) -> Self {
        self.encoding = EcdsaEncoding::Fixed;
        self
    }
}

impl fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySigner")
            .field("public", &self.public)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl Signer for KeySigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let sig = self.inner.sign(message).map_err(Error::Crypto)?;
        self.encode(sig)
    }

    fn try_sign_prehashed(&self, digest: &crate::digest::Digest) -> Result<Vec<u8>, Error> {
        if self.scheme.hash() != Some(digest.algorithm()) {
            return Err(Error::Crypto(crypto::Error::Unsupported {
                provider: "policy",
                what: match self.scheme.hash() {
                    None => "prehashed Ed25519",
                    Some(_) => "a digest of another algorithm than the scheme's hash",
                },
            }));
        }
        let sig = self
            .inner
            .sign_prehashed(digest.as_bytes())
            .map_err(Error::Crypto)?;
        self.encode(sig)
    }
}

impl KeySigner {
    /// A backend signature (ECDSA in fixed form) in the encoding this signer emits.
    fn encode(&self, sig: Vec<u8>) -> Result<Vec<u8>, Error> {
        if self.public.algorithm().ecdsa_field_len().is_some()
            && self.encoding != EcdsaEncoding::Fixed
        {
            ecdsa_fixed_to_der(&sig).ok_or(Error::Crypto(crypto::Error::SigningFailed {
                provider: "der-encoder",
            }))
        } else {
            Ok(sig)
        }
    }
}

/// Converts an ECDSA signature to the fixed form into `out`; returns its length.
fn ecdsa_to_fixed(
    alg: KeyAlgorithm,
    sig: &[u8],
    encoding: EcdsaEncoding,
    out: &mut [u8; 96],
) -> Option<usize> {
    let field = alg.ecdsa_field_len()?;
    let from_fixed = |out: &mut [u8; 96]| {
        (sig.len() == 2 * field).then(|| {
            out[..2 * field].copy_from_slice(sig);
            2 * field
        })
    };
    match encoding {
        EcdsaEncoding::Fixed => from_fixed(out),
        EcdsaEncoding::Der => der_to_fixed(sig, field, out),
        EcdsaEncoding::DerOrFixed => der_to_fixed(sig, field, out).or_else(|| from_fixed(out)),
    }
}

/// Whether `s` (big-endian, field length) is above n/2.
fn ecdsa_s_is_high(alg: KeyAlgorithm, s: &[u8]) -> bool {
    use p256::elliptic_curve::scalar::IsHigh as _;
    use p256::elliptic_curve::PrimeField as _;
    match alg {
        KeyAlgorithm::EcdsaP256 => {
            let Ok(repr) = <[u8; 32]>::try_from(s) else {
                return true;
            };
            Option::<p256::Scalar>::from(p256::Scalar::from_repr(repr.into()))
                .is_none_or(|x| bool::from(x.is_high()))
        }
        KeyAlgorithm::EcdsaP384 => {
            let Ok(repr) = <[u8; 48]>::try_from(s) else {
                return true;
            };
            Option::<p384::Scalar>::from(p384::Scalar::from_repr(repr.into()))
                .is_none_or(|x| bool::from(x.is_high()))
        }
        _ => true,
    }
}

/// An Ed25519 point encoding is canonical (y < p) and the point is not of small order.
fn ed25519_point_ok(enc: &[u8]) -> bool {
    let Ok(arr) = <[u8; 32]>::try_from(enc) else {
        return false;
    };
    if !ed25519_y_canonical(&arr) {
        return false;
    }
    curve25519_point(&arr).is_some_and(|p| !p.is_small_order())
}

fn curve25519_point(arr: &[u8; 32]) -> Option<curve25519_dalek::EdwardsPoint> {
    curve25519_dalek::edwards::CompressedEdwardsY(*arr).decompress()
}

/// y (the low 255 bits, little-endian) is below p = 2^255 − 19.
fn ed25519_y_canonical(enc: &[u8; 32]) -> bool {
    // y ≥ p only when bytes 1..31 are all 0xff (ignoring the sign bit in byte 31) and byte 0 ≥ 0xed.
    let top = enc[31] & 0x7f;
    !(top == 0x7f && enc[1..31].iter().all(|&b| b == 0xff) && enc[0] >= 0xed)
}

/// S (little-endian) is below the group order L (RFC 8032 §5.1.7).
fn ed25519_s_ok(s: &[u8]) -> bool {
    let Ok(arr) = <[u8; 32]>::try_from(s) else {
        return false;
    };
    Option::<curve25519_dalek::Scalar>::from(curve25519_dalek::Scalar::from_canonical_bytes(arr))
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_canonical_y() {
        let mut p = [0xffu8; 32];
        p[31] = 0x7f;
        p[0] = 0xec; // p - 1
        assert!(ed25519_y_canonical(&p));
        p[0] = 0xed; // p
        assert!(!ed25519_y_canonical(&p));
    }
}
