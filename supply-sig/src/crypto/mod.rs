//! The pluggable crypto backend, after rustls's `CryptoProvider`.
//!
//! A [`Provider`] is a struct of `&'static dyn` tables: hashing, signature verification, signing
//! and key generation, and randomness. Two backends ship:
//!
//! | provider | feature | notes |
//! |---|---|---|
//! | [`RUSTCRYPTO`] | always | pure Rust: `sha2` (SHA-NI), `p256`, `p384`, `ed25519-dalek`, `rsa` (verify only) |
//! | `AWS_LC` | `aws-lc-rs` | aws-lc-rs: OpenSSL-class ECDSA and RSA speed, RSA signing |
//!
//! Override single tables with struct update syntax, e.g. AWS-LC verification with RustCrypto
//! signing: `Provider { verify: AWS_LC.verify, ..RUSTCRYPTO }`.
//!
//! The backend traits are deliberately low-level: policy (strict DER, low-S, Ed25519 small-order
//! rejection, RSA key sizes) is enforced once in [`crate::sign`], above every backend, so both
//! backends give the same verdict on every input.

use std::fmt::Debug;

use crate::alg::{Algorithm, KeyAlgorithm, RandomError, SignatureScheme};
use crate::digest::{Digest, Hasher};
use crate::key::{PrivateKey, PublicKey};

/// The backend's hashing and randomness traits live in [`crate::alg`] (the digest and key layers
/// below this module need them); these paths keep working.
pub use crate::alg::{HashContext, SecureRandom};

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
pub(crate) mod ecdsa_sig;
mod rustcrypto;

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::AWS_LC;
pub use rustcrypto::RUSTCRYPTO;

/// Errors a backend reports. Signature failures carry no detail on purpose.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature did not verify (why is deliberately not said).
    #[error("signature verification failed")]
    BadSignature,
    /// The backend does not implement this scheme or key type.
    #[error("{provider} does not support {what}")]
    Unsupported {
        /// Provider name.
        provider: &'static str,
        /// What was asked for.
        what: &'static str,
    },
    /// The key material was rejected by the backend.
    #[error("key rejected by {provider}")]
    KeyRejected {
        /// Provider name.
        provider: &'static str,
    },
    /// Signing failed inside the backend.
    #[error("signing failed in {provider}")]
    SigningFailed {
        /// Provider name.
        provider: &'static str,
    },
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
    /// The key scheme does not match the key.
    #[error("scheme {scheme:?} cannot be used with a {key:?} key")]
    SchemeMismatch {
        /// The scheme asked for.
        scheme: SignatureScheme,
        /// The key's algorithm.
        key: KeyAlgorithm,
    },
}

/// Hashing.
pub trait HashProvider: Send + Sync + Debug {
    /// Starts a hash.
    fn hasher(&self, algorithm: Algorithm) -> Hasher;
    /// Hashes `data` in one call.
    fn digest(&self, algorithm: Algorithm, data: &[u8]) -> Digest {
        let mut h = self.hasher(algorithm);
        h.update(data);
        h.finish()
    }
}

/// A public key prepared by a backend for one scheme.
///
/// Signature encodings at this level: ECDSA is the fixed-size `r ‖ s` form (exactly twice the
/// field size, already range-checked by the caller for length only), Ed25519 is 64 bytes, RSA
/// is the raw signature integer of the modulus length.
pub trait PreparedVerifier: Send + Sync + Debug {
    /// Verifies `sig` over `msg` (the message, not a digest).
    ///
    /// # Errors
    /// [`Error::BadSignature`] for any failure.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error>;

    /// Verifies `sig` over a message of which only the digest is known (the scheme's hash of
    /// the message, e.g. a Sigstore `messageDigest` when the artifact itself is not at hand).
    /// Ed25519 cannot be checked this way. The default says the backend does not support it.
    ///
    /// # Errors
    /// [`Error::BadSignature`] for any failure, [`Error::Unsupported`] when the backend or the
    /// scheme cannot verify a prehashed message.
    fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Result<(), Error> {
        let _ = (digest, sig);
        Err(Error::Unsupported {
            provider: "backend",
            what: "prehashed verification",
        })
    }

    /// Whether [`PreparedVerifier::verify`] itself refuses an Ed25519 signature whose `R` is a
    /// non-canonical encoding or a point of small order (ed25519-dalek's `verify_strict` does).
    /// The policy layer ([`crate::sign::KeyVerifier`]) then skips its own decompression of `R`,
    /// a field square root per signature; backends that return `false` (the default) get it.
    fn refuses_weak_ed25519_r(&self) -> bool {
        false
    }
}

/// Signature verification.
pub trait VerifyProvider: Send + Sync + Debug {
    /// Prepares `key` for verifying signatures of `scheme` (parsing key material once).
    ///
    /// # Errors
    /// [`Error::Unsupported`], [`Error::SchemeMismatch`] or [`Error::KeyRejected`].
    fn prepare(
        &self,
        key: &PublicKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedVerifier>, Error>;
}

/// A private key prepared by a backend for one scheme.
pub trait PreparedSigner: Send + Sync + Debug {
    /// Signs `msg`. ECDSA signatures are returned in the fixed `r ‖ s` form.
    ///
    /// # Errors
    /// [`Error::SigningFailed`] or [`Error::Random`].
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error>;

    /// Signs a message of which only `digest` (the scheme's hash of it) is known, so that a
    /// large file can be hashed while it is read instead of held in memory. ECDSA and RSA can be
    /// signed this way; Ed25519 (which hashes the message itself) cannot. The default says the
    /// backend does not support it.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for Ed25519 or a backend without prehashed signing,
    /// [`Error::SigningFailed`] (e.g. a digest of the wrong length), [`Error::Random`].
    fn sign_prehashed(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        let _ = digest;
        Err(Error::Unsupported {
            provider: "backend",
            what: "prehashed signing",
        })
    }
}

/// Signing and key generation.
pub trait SignProvider: Send + Sync + Debug {
    /// Prepares `key` for signing with `scheme`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] (e.g. RSA signing in the RustCrypto backend) or [`Error::SchemeMismatch`].
    fn prepare(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedSigner>, Error>;

    /// Generates a fresh private key.
    ///
    /// # Errors
    /// [`Error::Unsupported`] or [`Error::Random`].
    fn generate(&self, algorithm: KeyAlgorithm) -> Result<PrivateKey, Error>;
}

/// A complete crypto backend.
#[derive(Clone, Copy, Debug)]
pub struct Provider {
    /// A short name for messages and benchmarks.
    pub name: &'static str,
    /// Hashing.
    pub hash: &'static dyn HashProvider,
    /// Signature verification.
    pub verify: &'static dyn VerifyProvider,
    /// Signing and key generation.
    pub sign: &'static dyn SignProvider,
    /// Randomness (salts, nonces for key files).
    pub random: &'static dyn SecureRandom,
}

/// The provider used when the caller names none: [`RUSTCRYPTO`].
///
/// Applications that want OpenSSL-class ECDSA and RSA speed enable the `aws-lc-rs` feature and pass
/// `AWS_LC` explicitly.
pub fn default_provider() -> &'static Provider {
    &RUSTCRYPTO
}

/// Every provider compiled into this build, for tests and benchmarks that cover all of them.
pub fn all_providers() -> Vec<&'static Provider> {
    #[allow(unused_mut)] // only one provider without the aws-lc-rs feature
    let mut v: Vec<&'static Provider> = vec![&RUSTCRYPTO];
    #[cfg(feature = "aws-lc-rs")]
    v.push(&AWS_LC);
    v
}

impl From<RandomError> for Error {
    fn from(_: RandomError) -> Self {
        // `RandomError` carries nothing more than the variant says.
        Self::Random
    }
}

impl SecureRandom for Provider {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        self.random.fill(dest)
    }
}

impl PrivateKey {
    /// Generates a fresh private key of `algorithm` with `provider`'s key generation (the same as
    /// `provider.sign.generate(algorithm)`).
    ///
    /// ```
    /// use supply_sig::crypto::RUSTCRYPTO;
    /// use supply_sig::key::{KeyAlgorithm, PrivateKey};
    ///
    /// let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO)?;
    /// assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
    /// # Ok::<(), supply_sig::crypto::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the backend cannot generate such keys (RSA in both backends),
    /// [`Error::Random`] when the random source fails.
    pub fn generate(algorithm: KeyAlgorithm, provider: &Provider) -> Result<Self, Error> {
        provider.sign.generate(algorithm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_each_cause_once() {
        // Randomness failures carry no detail; the variant says it once.
        let chain = crate::assert_causes_once(Error::from(RandomError::new()), &["random source"]);
        assert_eq!(chain, "the system random source failed");
        let err = PrivateKey::generate(KeyAlgorithm::Rsa, &RUSTCRYPTO).unwrap_err();
        crate::assert_causes_once(err, &["rustcrypto does not support"]);
    }
}
