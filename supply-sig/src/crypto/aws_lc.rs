//! The aws-lc-rs backend (feature `aws-lc-rs`).

use aws_lc_rs::encoding::AsBigEndian as _;
use aws_lc_rs::signature::{self as sig, KeyPair as _, ParsedPublicKey};

use super::{
    Error, HashProvider, PreparedSigner, PreparedVerifier, Provider, SignProvider, VerifyProvider,
};
use crate::alg::{
    Algorithm, HashContext, KeyAlgorithm, RandomError, SecureRandom, SignatureScheme,
};
use crate::digest::Hasher;
use crate::key::{PrivateKey, PublicKey};

const NAME: &str = "aws-lc-rs";

/// The aws-lc-rs provider.
pub static AWS_LC: Provider = Provider {
    name: NAME,
    hash: &Hash,
    verify: &Verify,
    sign: &Sign,
    random: &Random,
};

#[derive(Debug)]
struct Hash;

struct Ctx(aws_lc_rs::digest::Context);

impl HashContext for Ctx {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finish(self: Box<Self>, out: &mut [u8]) {
        let d = self.0.finish();
        out.copy_from_slice(d.as_ref());
    }
}

fn digest_alg(a: Algorithm) -> &'static aws_lc_rs::digest::Algorithm {
    match a {
        Algorithm::Sha256 => &aws_lc_rs::digest::SHA256,
        Algorithm::Sha384 => &aws_lc_rs::digest::SHA384,
        Algorithm::Sha512 => &aws_lc_rs::digest::SHA512,
    }
}

impl HashProvider for Hash {
    fn hasher(&self, algorithm: Algorithm) -> Hasher {
        Hasher::from_context(
            algorithm,
            Box::new(Ctx(aws_lc_rs::digest::Context::new(digest_alg(algorithm)))),
        )
    }
}

#[derive(Debug)]
struct Random;

impl SecureRandom for Random {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        aws_lc_rs::rand::fill(dest).map_err(|_| RandomError::new())
    }
}

#[derive(Debug)]
struct Verify;

struct Prepared {
    key: ParsedPublicKey,
    /// aws-lc-rs has fixed-size ECDSA verification only for P-256/SHA-256 and P-384/SHA-384;
    /// the other ECDSA schemes get the (already strictly parsed) signature re-encoded as DER.
    ecdsa_to_der: bool,
    /// The scheme's hash, for prehashed verification (`None` for Ed25519).
    hash: Option<Algorithm>,
    /// For the `RsaPssAuto*` schemes: a RustCrypto verifier for the maximum salt length, tried
    /// when aws-lc-rs (which verifies PSS with salt = hash length only) refuses the signature.
    pss_max_salt: Option<Box<dyn PreparedVerifier>>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("aws_lc::Prepared")
    }
}

fn verification_alg(scheme: SignatureScheme) -> (&'static dyn sig::VerificationAlgorithm, bool) {
    match scheme {
        SignatureScheme::EcdsaP256Sha256 => (&sig::ECDSA_P256_SHA256_FIXED, false),
        SignatureScheme::EcdsaP256Sha384 => (&sig::ECDSA_P256_SHA384_ASN1, true),
        SignatureScheme::EcdsaP256Sha512 => (&sig::ECDSA_P256_SHA512_ASN1, true),
        SignatureScheme::EcdsaP384Sha256 => (&sig::ECDSA_P384_SHA256_ASN1, true),
        SignatureScheme::EcdsaP384Sha384 => (&sig::ECDSA_P384_SHA384_FIXED, false),
        SignatureScheme::EcdsaP384Sha512 => (&sig::ECDSA_P384_SHA512_ASN1, true),
        SignatureScheme::Ed25519 => (&sig::ED25519, false),
        SignatureScheme::RsaPkcs1v15Sha256 => (&sig::RSA_PKCS1_2048_8192_SHA256, false),
        SignatureScheme::RsaPkcs1v15Sha384 => (&sig::RSA_PKCS1_2048_8192_SHA384, false),
        SignatureScheme::RsaPkcs1v15Sha512 => (&sig::RSA_PKCS1_2048_8192_SHA512, false),
        SignatureScheme::RsaPssSha256 | SignatureScheme::RsaPssAutoSha256 => {
            (&sig::RSA_PSS_2048_8192_SHA256, false)
        }
        SignatureScheme::RsaPssSha384 | SignatureScheme::RsaPssAutoSha384 => {
            (&sig::RSA_PSS_2048_8192_SHA384, false)
        }
        SignatureScheme::RsaPssSha512 | SignatureScheme::RsaPssAutoSha512 => {
            (&sig::RSA_PSS_2048_8192_SHA512, false)
        }
    }
}

impl VerifyProvider for Verify {
    fn prepare(
        &self,
        key: &PublicKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedVerifier>, Error> {
        if scheme.key_algorithm() != key.algorithm() {
            return Err(Error::SchemeMismatch {
                scheme,
                key: key.algorithm(),
            });
        }
        let (alg, ecdsa_to_der) = verification_alg(scheme);
        let pss_max_salt = if scheme.is_rsa_pss_auto_salt() {
            Some(super::rustcrypto::prepare_rsa_pss_max_salt(key, scheme)?)
        } else {
            None
        };
        let key = ParsedPublicKey::new(alg, key.material())
            .map_err(|_| Error::KeyRejected { provider: NAME })?;
        Ok(Box::new(Prepared {
            key,
            ecdsa_to_der,
            hash: scheme.hash(),
            pss_max_salt,
        }))
    }
}

impl PreparedVerifier for Prepared {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        if self.ecdsa_to_der {
            let der = super::ecdsa_sig::ecdsa_fixed_to_der(sig).ok_or(Error::BadSignature)?;
            return self
                .key
                .verify_sig(msg, &der)
                .map_err(|_| Error::BadSignature);
        }
        let res = self.key.verify_sig(msg, sig);
        match (&self.pss_max_salt, res) {
            (_, Ok(())) => Ok(()),
            (Some(fallback), Err(_)) => fallback.verify(msg, sig),
            (None, Err(_)) => Err(Error::BadSignature),
        }
    }

    fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Result<(), Error> {
        let alg = match self.hash {
            Some(Algorithm::Sha256) => &aws_lc_rs::digest::SHA256,
            Some(Algorithm::Sha384) => &aws_lc_rs::digest::SHA384,
            Some(Algorithm::Sha512) => &aws_lc_rs::digest::SHA512,
            None => {
                return Err(Error::Unsupported {
                    provider: NAME,
                    what: "prehashed Ed25519",
                })
            }
        };
        let d = aws_lc_rs::digest::Digest::import_less_safe(digest, alg)
            .map_err(|_| Error::BadSignature)?;
        let der;
        let sig = if self.ecdsa_to_der {
            der = super::ecdsa_sig::ecdsa_fixed_to_der(sig).ok_or(Error::BadSignature)?;
            &der[..]
        } else {
            sig
        };
        let res = self.key.verify_digest_sig(&d, sig);
        match (&self.pss_max_salt, res) {
            (_, Ok(())) => Ok(()),
            (Some(fallback), Err(_)) => fallback.verify_prehashed(digest, sig),
            (None, Err(_)) => Err(Error::BadSignature),
        }
    }
}

#[derive(Debug)]
struct Sign;

enum SignerKey {
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Rsa(sig::RsaKeyPair, &'static dyn sig::RsaEncoding),
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("aws_lc::SignerKey(..)")
    }
}

impl SignProvider for Sign {
    fn prepare(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn PreparedSigner>, Error> {
        let rejected = |_| Error::KeyRejected { provider: NAME };
        if scheme.key_algorithm() != key.algorithm() {
            return Err(Error::SchemeMismatch {
                scheme,
                key: key.algorithm(),
            });
        }
        let unsupported = Error::Unsupported {
            provider: NAME,
            what: "this signing scheme",
        };
        let k = match scheme {
            SignatureScheme::EcdsaP256Sha256 | SignatureScheme::EcdsaP384Sha384 => {
                let alg = if scheme == SignatureScheme::EcdsaP256Sha256 {
                    &sig::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &sig::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                SignerKey::Ecdsa(
                    sig::EcdsaKeyPair::from_private_key_and_public_key(
                        alg,
                        key.secret_bytes(),
                        key.public_key().material(),
                    )
                    .map_err(rejected)?,
                )
            }
            SignatureScheme::Ed25519 => SignerKey::Ed25519(
                sig::Ed25519KeyPair::from_seed_and_public_key(
                    key.secret_bytes(),
                    key.public_key().material(),
                )
                .map_err(rejected)?,
            ),
            SignatureScheme::RsaPkcs1v15Sha256
            | SignatureScheme::RsaPkcs1v15Sha384
            | SignatureScheme::RsaPkcs1v15Sha512
            | SignatureScheme::RsaPssSha256
            | SignatureScheme::RsaPssSha384
            | SignatureScheme::RsaPssSha512
            | SignatureScheme::RsaPssAutoSha256
            | SignatureScheme::RsaPssAutoSha384
            | SignatureScheme::RsaPssAutoSha512 => {
                // PSS signatures are made with salt = hash length, which both salt rules accept.
                let enc: &'static dyn sig::RsaEncoding = match scheme {
                    SignatureScheme::RsaPkcs1v15Sha256 => &sig::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1v15Sha384 => &sig::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1v15Sha512 => &sig::RSA_PKCS1_SHA512,
                    SignatureScheme::RsaPssSha256 | SignatureScheme::RsaPssAutoSha256 => {
                        &sig::RSA_PSS_SHA256
                    }
                    SignatureScheme::RsaPssSha384 | SignatureScheme::RsaPssAutoSha384 => {
                        &sig::RSA_PSS_SHA384
                    }
                    _ => &sig::RSA_PSS_SHA512,
                };
                SignerKey::Rsa(
                    sig::RsaKeyPair::from_der(key.secret_bytes()).map_err(rejected)?,
                    enc,
                )
            }
            _ => return Err(unsupported),
        };
        Ok(Box::new(k))
    }

    fn generate(&self, algorithm: KeyAlgorithm) -> Result<PrivateKey, Error> {
        let failed = || Error::KeyRejected { provider: NAME };
        match algorithm {
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
                let alg = if algorithm == KeyAlgorithm::EcdsaP256 {
                    &sig::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &sig::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                let kp = sig::EcdsaKeyPair::generate(alg).map_err(|_| Error::Random)?;
                let scalar = kp.private_key().as_be_bytes().map_err(|_| failed())?;
                PrivateKey::from_ec_scalar(algorithm, scalar.as_ref()).map_err(|_| failed())
            }
            KeyAlgorithm::Ed25519 => {
                let kp = sig::Ed25519KeyPair::generate().map_err(|_| Error::Random)?;
                let seed = kp.seed().map_err(|_| failed())?;
                let seed = seed.as_be_bytes().map_err(|_| failed())?;
                let key = PrivateKey::from_ed25519_seed(seed.as_ref()).map_err(|_| failed())?;
                if key.public_key().material() != kp.public_key().as_ref() {
                    return Err(failed());
                }
                Ok(key)
            }
            _ => Err(Error::Unsupported {
                provider: NAME,
                what: "RSA key generation",
            }),
        }
    }
}

impl PreparedSigner for SignerKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |_| Error::SigningFailed { provider: NAME };
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match self {
            Self::Ecdsa(k) => Ok(k.sign(&rng, msg).map_err(failed)?.as_ref().to_vec()),
            Self::Ed25519(k) => Ok(k.sign(msg).as_ref().to_vec()),
            Self::Rsa(k, enc) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(*enc, &rng, msg, &mut out).map_err(failed)?;
                Ok(out)
            }
        }
    }
    fn sign_prehashed(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |_| Error::SigningFailed { provider: NAME };
        // The three hashes have distinct lengths; aws-lc-rs refuses a digest whose algorithm
        // is not the key pair's (ECDSA) or the encoding's (RSA).
        let alg = match digest.len() {
            32 => &aws_lc_rs::digest::SHA256,
            48 => &aws_lc_rs::digest::SHA384,
            64 => &aws_lc_rs::digest::SHA512,
            _ => return Err(Error::SigningFailed { provider: NAME }),
        };
        let d = aws_lc_rs::digest::Digest::import_less_safe(digest, alg).map_err(failed)?;
        match self {
            Self::Ecdsa(k) => Ok(k.sign_digest(&d).map_err(failed)?.as_ref().to_vec()),
            Self::Ed25519(_) => Err(Error::Unsupported {
                provider: NAME,
                what: "prehashed Ed25519",
            }),
            Self::Rsa(k, enc) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign_digest(*enc, &d, &mut out).map_err(failed)?;
                Ok(out)
            }
        }
    }
}
