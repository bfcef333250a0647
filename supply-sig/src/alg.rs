//! The bottom of `supply-sig`: the algorithm vocabulary every other module names, and the two
//! small backend traits that the digest and key layers need before any backend exists.
//!
//! Nothing here imports another module of the crate, so every layer above can use it:
//!
//! | item | what it names | also reachable as |
//! |---|---|---|
//! | [`Algorithm`] | a digest algorithm (SHA-256/384/512) | `digest::Algorithm` |
//! | [`KeyAlgorithm`] | a key family (ECDSA P-256/P-384, Ed25519, RSA) | `key::KeyAlgorithm` |
//! | [`SignatureScheme`] | key family, hash and padding of a signature | `sign::SignatureScheme` |
//! | [`HashContext`] | a hash in progress inside a crypto backend | `crypto::HashContext` |
//! | [`SecureRandom`] | a backend's random source | `crypto::SecureRandom` |
//!
//! The module order of the crate, bottom to top (a module only imports modules below it; the
//! test `module_graph` in `tests/sig` checks this):
//!
//! 1. `alg`, `limits`: vocabulary and named limits.
//! 2. `time`, `pem`, `cjson`, `digest`: neutral formats and digests.
//! 3. `key`: keys and their encodings.
//! 4. `crypto`: the backend traits and the two backends.
//! 5. `sign`: the verification policy over any backend.
//! 6. `dsse`, `x509`: envelopes and certificates.
//! 7. `sigstore`: bundles, logs, timestamps and keyless signing.

use std::fmt;

/// A digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl Algorithm {
    /// Every algorithm this crate implements.
    pub const ALL: [Self; 3] = [Self::Sha256, Self::Sha384, Self::Sha512];

    /// The name used in OCI digests, TUF hashes and in-toto digest sets (`sha256`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Looks an algorithm up by its name (exact, lowercase).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The algorithm family of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// ECDSA over NIST P-256 (secp256r1).
    EcdsaP256,
    /// ECDSA over NIST P-384 (secp384r1).
    EcdsaP384,
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// RSA (verification only in the RustCrypto backend).
    Rsa,
}

impl KeyAlgorithm {
    /// The scheme a key of this family uses when nothing else is said: cosign's choices
    /// (ECDSA with the curve's hash, Ed25519, RSA PKCS#1 v1.5 with SHA-256).
    pub const fn default_scheme(self) -> SignatureScheme {
        match self {
            Self::EcdsaP256 => SignatureScheme::EcdsaP256Sha256,
            Self::EcdsaP384 => SignatureScheme::EcdsaP384Sha384,
            Self::Ed25519 => SignatureScheme::Ed25519,
            Self::Rsa => SignatureScheme::RsaPkcs1v15Sha256,
        }
    }

    /// Field size in bytes for ECDSA curves (the size of `r` and `s`).
    pub const fn ecdsa_field_len(self) -> Option<usize> {
        match self {
            Self::EcdsaP256 => Some(32),
            Self::EcdsaP384 => Some(48),
            _ => None,
        }
    }
}

/// A signature scheme: key family, hash and padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// ECDSA P-256 with SHA-256 (cosign's default).
    EcdsaP256Sha256,
    /// ECDSA P-256 with SHA-384.
    EcdsaP256Sha384,
    /// ECDSA P-256 with SHA-512 (the hash is truncated to 256 bits, FIPS 186-5 §6.4.1).
    EcdsaP256Sha512,
    /// ECDSA P-384 with SHA-256: Sigstore hashedrekord signatures made with P-384 keys over a
    /// SHA-256 artifact digest, and cosign's bare blob signatures (cosign 2.x signs P-384 this
    /// way; cosign 2.x and 3.x `verify-blob --key` expect it). The hash is shorter than the field
    /// and is used per FIPS 186-5 §6.4.1. Verification on every provider.
    EcdsaP384Sha256,
    /// ECDSA P-384 with SHA-384.
    EcdsaP384Sha384,
    /// ECDSA P-384 with SHA-512.
    EcdsaP384Sha512,
    /// Ed25519 (pure, RFC 8032).
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1v15Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1v15Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1v15Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    RsaPssSha512,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256 as securesystemslib's `rsassa-pss-sha256` means
    /// it (TUF, in-toto): the salt is either the hash length (python-tuf, securesystemslib and
    /// cosign sign so) or the maximum `emLen − hLen − 2` (go-tuf: Go's `PSSSaltLengthAuto`;
    /// `cryptography`'s `PSS.MAX_LENGTH`; `openssl -sigopt rsa_pss_saltlen:max`).
    ///
    /// securesystemslib verifies with `PSS.AUTO` (any salt length, read from the encoding). The
    /// `rsa` crate takes a fixed salt length, so the two lengths above are each tried (at most two
    /// RSA operations); a signature with another salt length is refused, which is stricter than
    /// `PSS.AUTO`. Signing uses the hash length. Use this scheme only where a format's verifiers
    /// accept any salt length; [`RsaPssSha256`](Self::RsaPssSha256) stays strict.
    RsaPssAutoSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt of 48 bytes or the maximum; see
    /// [`RsaPssAutoSha256`](Self::RsaPssAutoSha256).
    RsaPssAutoSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt of 64 bytes or the maximum; see
    /// [`RsaPssAutoSha256`](Self::RsaPssAutoSha256).
    RsaPssAutoSha512,
}

impl SignatureScheme {
    /// Every scheme.
    pub const ALL: [Self; 16] = [
        Self::EcdsaP256Sha256,
        Self::EcdsaP256Sha384,
        Self::EcdsaP256Sha512,
        Self::EcdsaP384Sha256,
        Self::EcdsaP384Sha384,
        Self::EcdsaP384Sha512,
        Self::Ed25519,
        Self::RsaPkcs1v15Sha256,
        Self::RsaPkcs1v15Sha384,
        Self::RsaPkcs1v15Sha512,
        Self::RsaPssSha256,
        Self::RsaPssSha384,
        Self::RsaPssSha512,
        Self::RsaPssAutoSha256,
        Self::RsaPssAutoSha384,
        Self::RsaPssAutoSha512,
    ];

    /// The key family this scheme needs.
    pub const fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            Self::EcdsaP256Sha256 | Self::EcdsaP256Sha384 | Self::EcdsaP256Sha512 => {
                KeyAlgorithm::EcdsaP256
            }
            Self::EcdsaP384Sha256 | Self::EcdsaP384Sha384 | Self::EcdsaP384Sha512 => {
                KeyAlgorithm::EcdsaP384
            }
            Self::Ed25519 => KeyAlgorithm::Ed25519,
            _ => KeyAlgorithm::Rsa,
        }
    }

    /// The message hash, or `None` for Ed25519 (which hashes internally with SHA-512).
    pub const fn hash(self) -> Option<Algorithm> {
        match self {
            Self::EcdsaP256Sha256
            | Self::EcdsaP384Sha256
            | Self::RsaPkcs1v15Sha256
            | Self::RsaPssSha256
            | Self::RsaPssAutoSha256 => Some(Algorithm::Sha256),
            Self::EcdsaP256Sha384
            | Self::EcdsaP384Sha384
            | Self::RsaPkcs1v15Sha384
            | Self::RsaPssSha384
            | Self::RsaPssAutoSha384 => Some(Algorithm::Sha384),
            Self::EcdsaP256Sha512
            | Self::EcdsaP384Sha512
            | Self::RsaPkcs1v15Sha512
            | Self::RsaPssSha512
            | Self::RsaPssAutoSha512 => Some(Algorithm::Sha512),
            Self::Ed25519 => None,
        }
    }

    /// A stable lowercase name (`ecdsa-p256-sha256`, `ed25519`, `rsa-pss-sha256` ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Self::EcdsaP256Sha384 => "ecdsa-p256-sha384",
            Self::EcdsaP256Sha512 => "ecdsa-p256-sha512",
            Self::EcdsaP384Sha256 => "ecdsa-p384-sha256",
            Self::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Self::EcdsaP384Sha512 => "ecdsa-p384-sha512",
            Self::Ed25519 => "ed25519",
            Self::RsaPkcs1v15Sha256 => "rsa-pkcs1v15-sha256",
            Self::RsaPkcs1v15Sha384 => "rsa-pkcs1v15-sha384",
            Self::RsaPkcs1v15Sha512 => "rsa-pkcs1v15-sha512",
            Self::RsaPssSha256 => "rsa-pss-sha256",
            Self::RsaPssSha384 => "rsa-pss-sha384",
            Self::RsaPssSha512 => "rsa-pss-sha512",
            Self::RsaPssAutoSha256 => "rsa-pss-auto-sha256",
            Self::RsaPssAutoSha384 => "rsa-pss-auto-sha384",
            Self::RsaPssAutoSha512 => "rsa-pss-auto-sha512",
        }
    }

    /// Whether this is RSASSA-PSS (either salt rule).
    pub const fn is_rsa_pss(self) -> bool {
        matches!(
            self,
            Self::RsaPssSha256
                | Self::RsaPssSha384
                | Self::RsaPssSha512
                | Self::RsaPssAutoSha256
                | Self::RsaPssAutoSha384
                | Self::RsaPssAutoSha512
        )
    }

    /// Whether this is an RSASSA-PSS scheme that also accepts the maximum salt length
    /// ([`RsaPssAutoSha256`](Self::RsaPssAutoSha256) and its siblings).
    pub const fn is_rsa_pss_auto_salt(self) -> bool {
        matches!(
            self,
            Self::RsaPssAutoSha256 | Self::RsaPssAutoSha384 | Self::RsaPssAutoSha512
        )
    }

    /// Looks a scheme up by [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash computation inside a crypto backend, wrapped by `digest::Hasher::from_context`.
pub trait HashContext: Send {
    /// Feeds bytes.
    fn update(&mut self, data: &[u8]);
    /// Writes the output into `out`, which is exactly the algorithm's output length.
    fn finish(self: Box<Self>, out: &mut [u8]);
}

/// The system random source failed (the backend says no more: the operating system's error is
/// not exposed by every backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random source failed")]
#[non_exhaustive]
pub struct RandomError;

impl RandomError {
    /// The random source failed.
    pub const fn new() -> Self {
        Self
    }
}

impl Default for RandomError {
    fn default() -> Self {
        Self::new()
    }
}

/// A cryptographically secure random source. It lives here, below the key layer, because
/// writing an encrypted key file needs a salt and a nonce; `crypto::Provider` implements it by
/// delegating to its `random` table.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `dest` with random bytes.
    ///
    /// # Errors
    /// [`RandomError`] when the system source fails.
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError>;
}
