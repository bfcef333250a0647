//! The RustCrypto backend: `sha2`, `p256`, `p384`, `ed25519-dalek` and `rsa` (verify only).

use ecdsa::signature::hazmat::PrehashSigner as _;
use ecdsa::signature::hazmat::PrehashVerifier as _;
use rand_core::RngCore as _;
use rsa::traits::PublicKeyParts as _;
use sha2::Digest as _;

use super::{
    Error, HashProvider, PreparedSigner, PreparedVerifier, Provider, SignProvider, VerifyProvider,
};
use crate::alg::{Algorithm, KeyAlgorithm, RandomError, SecureRandom, SignatureScheme};
use crate::digest::Hasher;
use crate::key::{PrivateKey, PublicKey};

const NAME: &str = "rustcrypto";

/// The RustCrypto provider.
pub static RUSTCRYPTO: Provider = Provider {
    name: NAME,
    hash: &Hash,
    verify: &Verify,
    sign: &Sign,
    random: &Random,
};

#[derive(Debug)]
struct Hash;

impl HashProvider for Hash {
    fn hasher(&self, algorithm: Algorithm) -> Hasher {
        Hasher::new(algorithm)
    }
}

#[derive(Debug)]
struct Random;

impl SecureRandom for Random {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        rand_core::OsRng
            .try_fill_bytes(dest)
            .map_err(|_| RandomError::new())
    }
}

fn prehash(alg: Algorithm, msg: &[u8]) -> Vec<u8> {
    match alg {
        Algorithm::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        Algorithm::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        Algorithm::Sha512 => sha2::Sha512::digest(msg).to_vec(),
    }
}

#[derive(Debug)]
struct Verify;

#[derive(Debug)]
enum Prepared {
    P256(p256::ecdsa::VerifyingKey, Algorithm),
    P384(p384::ecdsa::VerifyingKey, Algorithm),
    Ed25519(ed25519_dalek::VerifyingKey),
    RsaPkcs1(rsa::RsaPublicKey, Algorithm),
    RsaPss(rsa::RsaPublicKey, Algorithm, PssSalt),
}

/// Which RSASSA-PSS salt lengths a prepared verifier accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PssSalt {
    /// The hash length only.
    HashLen,
    /// The hash length or the maximum (`SignatureScheme::RsaPssAuto*`).
    HashLenOrMax,
    /// The maximum only: the aws-lc-rs provider's fallback after its own hash-length check.
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(dead_code))]
    Max,
}

/// An RSASSA-PSS verifier of `key` for the hash of `scheme` accepting only the maximum salt
/// length: the aws-lc-rs provider checks the hash length itself and hands the other candidate of
/// the `RsaPssAuto*` schemes here (aws-lc-rs verifies PSS with salt = hash length only).
#[cfg(feature = "aws-lc-rs")]
pub(super) fn prepare_rsa_pss_max_salt(
    key: &PublicKey,
    scheme: SignatureScheme,
) -> Result<Box<dyn PreparedVerifier>, Error> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    let (Some(hash), true) = (scheme.hash(), scheme.is_rsa_pss()) else {
        return Err(Error::SchemeMismatch {
            scheme,
            key: key.algorithm(),
        });
    };
    let k = rsa::RsaPublicKey::from_pkcs1_der(key.material())
        .map_err(|_| Error::KeyRejected { provider: NAME })?;
    Ok(Box::new(Prepared::RsaPss(k, hash, PssSalt::Max)))
}

impl VerifyProvider for Verify {
    fn prepare(
        &self,
        key: &PublicKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedVerifier>, Error> {
        let rejected = || Error::KeyRejected { provider: NAME };
        if scheme.key_algorithm() != key.algorithm() {
            return Err(Error::SchemeMismatch {
                scheme,
                key: key.algorithm(),
            });
        }
        let hash = scheme.hash().unwrap_or(Algorithm::Sha512);
        let prepared = match key.algorithm() {
            KeyAlgorithm::EcdsaP256 => Prepared::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(key.material())
                    .map_err(|_| rejected())?,
                hash,
            ),
            KeyAlgorithm::EcdsaP384 => Prepared::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(key.material())
                    .map_err(|_| rejected())?,
                hash,
            ),
            KeyAlgorithm::Ed25519 => {
                let arr: [u8; 32] = key.material().try_into().map_err(|_| rejected())?;
                Prepared::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&arr).map_err(|_| rejected())?,
                )
            }
            KeyAlgorithm::Rsa => {
                use rsa::pkcs1::DecodeRsaPublicKey as _;
                let k =
                    rsa::RsaPublicKey::from_pkcs1_der(key.material()).map_err(|_| rejected())?;
                if scheme.is_rsa_pss_auto_salt() {
                    Prepared::RsaPss(k, hash, PssSalt::HashLenOrMax)
                } else if scheme.is_rsa_pss() {
                    Prepared::RsaPss(k, hash, PssSalt::HashLen)
                } else {
                    Prepared::RsaPkcs1(k, hash)
                }
            }
        };
        Ok(Box::new(prepared))
    }
}

fn pkcs1_scheme(alg: Algorithm) -> rsa::Pkcs1v15Sign {
    match alg {
        Algorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        Algorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        Algorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn pss_scheme(alg: Algorithm, salt_len: usize) -> rsa::Pss {
    match alg {
        Algorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt_len),
        Algorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt_len),
        Algorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt_len),
    }
}

/// Verifies an RSASSA-PSS signature (MGF1 with the message hash) for the salt lengths `salt`
/// allows. The hash length is what cosign, Sigstore, securesystemslib and Wycheproof's
/// `rsa_pss_*_mgf1_32` vectors use; the maximum, `emLen − hLen − 2` with
/// `emLen = ⌈(modBits − 1) / 8⌉` (RFC 8017 §9.1.1), is what go-tuf signs with (Go's
/// `PSSSaltLengthAuto`). The `rsa` crate decodes EMSA-PSS for one fixed salt length, so each
/// allowed length is one verification; nothing here decodes the encoding by hand.
fn verify_pss(
    k: &rsa::RsaPublicKey,
    h: Algorithm,
    salt: PssSalt,
    digest: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    let h_len = h.output_len();
    let em_len = k.n().bits().saturating_sub(1).div_ceil(8);
    let max = em_len.checked_sub(h_len + 2).ok_or(Error::BadSignature)?;
    let try_len = |len: usize| k.verify(pss_scheme(h, len), digest, sig).is_ok();
    let ok = match salt {
        PssSalt::HashLen => try_len(h_len),
        PssSalt::Max => try_len(max),
        PssSalt::HashLenOrMax => try_len(h_len) || (max != h_len && try_len(max)),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

impl PreparedVerifier for Prepared {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        match self {
            Self::Ed25519(k) => {
                let sig = ed25519_dalek::Signature::from_slice(sig).map_err(bad)?;
                // Cofactorless equation. `verify_strict` refuses small-order and non-canonical R
                // (see `refuses_weak_ed25519_r`) and small-order A; the policy layer refuses
                // non-canonical A when the key is prepared and checks S < L again.
                k.verify_strict(msg, &sig).map_err(bad)
            }
            Self::P256(_, h) | Self::P384(_, h) | Self::RsaPkcs1(_, h) | Self::RsaPss(_, h, _) => {
                self.verify_prehashed(&prehash(*h, msg), sig)
            }
        }
    }

    fn refuses_weak_ed25519_r(&self) -> bool {
        // `verify_strict` decompresses R, refuses it when of small order and compares the
        // recomputed R's canonical encoding with the signature's bytes, so a non-canonical R
        // fails too.
        matches!(self, Self::Ed25519(_))
    }

    fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Result<(), Error> {
        let hash_len = |h: &Algorithm| h.output_len();
        match self {
            Self::P256(k, h) => {
                if digest.len() != hash_len(h) {
                    return Err(Error::BadSignature);
                }
                let sig = p256::ecdsa::Signature::from_slice(sig).map_err(bad)?;
                k.verify_prehash(digest, &sig).map_err(bad)
            }
            Self::P384(k, h) => {
                if digest.len() != hash_len(h) {
                    return Err(Error::BadSignature);
                }
                let sig = p384::ecdsa::Signature::from_slice(sig).map_err(bad)?;
                k.verify_prehash(digest, &sig).map_err(bad)
            }
            Self::Ed25519(_) => Err(Error::Unsupported {
                provider: NAME,
                what: "prehashed Ed25519",
            }),
            Self::RsaPkcs1(k, h) => {
                if sig.len() != k.size() || digest.len() != hash_len(h) {
                    return Err(Error::BadSignature);
                }
                k.verify(pkcs1_scheme(*h), digest, sig).map_err(bad)
            }
            Self::RsaPss(k, h, salt) => {
                if sig.len() != k.size() || digest.len() != hash_len(h) {
                    return Err(Error::BadSignature);
                }
                verify_pss(k, *h, *salt, digest, sig)
            }
        }
    }
}

fn bad<E>(_: E) -> Error {
    Error::BadSignature
}

#[derive(Debug)]
struct Sign;

enum SignerKey {
    P256(p256::ecdsa::SigningKey, Algorithm),
    P384(p384::ecdsa::SigningKey, Algorithm),
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignerKey(..)")
    }
}

impl SignProvider for Sign {
    fn prepare(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedSigner>, Error> {
        let rejected = || Error::KeyRejected { provider: NAME };
        if scheme.key_algorithm() != key.algorithm() {
            return Err(Error::SchemeMismatch {
                scheme,
                key: key.algorithm(),
            });
        }
        let hash = scheme.hash().unwrap_or(Algorithm::Sha512);
        let k = match key.algorithm() {
            KeyAlgorithm::EcdsaP256 => SignerKey::P256(
                p256::ecdsa::SigningKey::from_slice(key.secret_bytes()).map_err(|_| rejected())?,
                hash,
            ),
            KeyAlgorithm::EcdsaP384 => SignerKey::P384(
                p384::ecdsa::SigningKey::from_slice(key.secret_bytes()).map_err(|_| rejected())?,
                hash,
            ),
            KeyAlgorithm::Ed25519 => {
                let seed: [u8; 32] = key.secret_bytes().try_into().map_err(|_| rejected())?;
                SignerKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            KeyAlgorithm::Rsa => {
                // RUSTSEC-2023-0071: the `rsa` crate's private-key operations are not constant time.
                return Err(Error::Unsupported {
                    provider: NAME,
                    what: "RSA signing (use the aws-lc-rs provider)",
                });
            }
        };
        Ok(Box::new(k))
    }

    fn generate(&self, algorithm: KeyAlgorithm) -> Result<PrivateKey, Error> {
        let rejected = || Error::KeyRejected { provider: NAME };
        match algorithm {
            KeyAlgorithm::EcdsaP256 => {
                let sk = p256::SecretKey::random(&mut rand_core::OsRng);
                PrivateKey::from_ec_scalar(algorithm, &sk.to_bytes()).map_err(|_| rejected())
            }
            KeyAlgorithm::EcdsaP384 => {
                let sk = p384::SecretKey::random(&mut rand_core::OsRng);
                PrivateKey::from_ec_scalar(algorithm, &sk.to_bytes()).map_err(|_| rejected())
            }
            KeyAlgorithm::Ed25519 => {
                let mut seed = zeroize::Zeroizing::new([0u8; 32]);
                Random.fill(&mut seed[..])?;
                PrivateKey::from_ed25519_seed(&seed[..]).map_err(|_| rejected())
            }
            KeyAlgorithm::Rsa => Err(Error::Unsupported {
                provider: NAME,
                what: "RSA key generation",
            }),
        }
    }
}

impl PreparedSigner for SignerKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |_| Error::SigningFailed { provider: NAME };
        // ECDSA nonces are RFC 6979 deterministic (HMAC-DRBG keyed with the curve's hash), so no
        // random source can leak the key.
        match self {
            Self::P256(k, h) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&prehash(*h, msg)).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::P384(k, h) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash(&prehash(*h, msg)).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(msg).to_bytes().to_vec())
            }
        }
    }
    fn sign_prehashed(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |_| Error::SigningFailed { provider: NAME };
        // The digest must be the scheme's hash: `sign_prehash` would accept any length (FIPS
        // 186-5 truncation), which would sign something other than the scheme says.
        let wrong_len = |h: &Algorithm| digest.len() != h.output_len();
        match self {
            Self::P256(_, h) | Self::P384(_, h) if wrong_len(h) => {
                Err(Error::SigningFailed { provider: NAME })
            }
            Self::P256(k, _) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(digest).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::P384(k, _) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(digest).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::Ed25519(_) => Err(Error::Unsupported {
                provider: NAME,
                what: "prehashed Ed25519",
            }),
        }
    }
}
