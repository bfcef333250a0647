//! Public and private keys, independent of any crypto backend.
//!
//! A [`PublicKey`] holds its algorithm, its canonical SubjectPublicKeyInfo DER and the key
//! material a backend needs (the uncompressed SEC1 point for ECDSA, the 32 raw bytes for Ed25519,
//! the PKCS#1 `RSAPublicKey` DER for RSA). A [`PrivateKey`] holds the secret (zeroized on drop) and
//! its public key. Every encoding (PEM, DER, PKCS#8, SEC1, OpenSSH, cosign key files,
//! securesystemslib key dicts) lives in [`encoding`].
//!
//! Loading a key validates it structurally: EC points are on the curve and not the identity,
//! Ed25519 keys decompress, RSA moduli are between [`crate::limits::MIN_RSA_BITS`] and
//! [`crate::limits::MAX_RSA_BITS`] bits with an odd exponent ≥ 3.

use std::fmt;

use der::asn1::{BitString, ObjectIdentifier};
use der::{Decode, Encode, Tagged as _};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

use crate::alg::{Algorithm, RandomError, SignatureScheme};
use crate::digest::Digest;
use crate::limits::{self, LimitExceeded};

/// The key family vocabulary lives in [`crate::alg`] (the bottom of the crate); this path keeps
/// working.
pub use crate::alg::KeyAlgorithm;

pub mod encoding;

/// Errors from loading or encoding keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed key in the expected encoding.
    #[error("malformed {format}")]
    InvalidEncoding {
        /// The encoding that was being read, as a noun (`"SPKI public key"`, `"cosign key
        /// file"`).
        format: &'static str,
    },
    /// The key's algorithm, curve, type or scheme is well-formed but not one this crate reads
    /// or writes.
    #[error("unsupported {kind} {name:?} in the {format}")]
    UnsupportedAlgorithm {
        /// The encoding that was being read or written (`"SPKI public key"`, `"OpenSSH key"`).
        format: &'static str,
        /// What the name names (`"key algorithm"`, `"EC curve"`, `"key type"`, `"KDF"`).
        kind: &'static str,
        /// The OID or name found (at most 64 characters of it).
        name: String,
    },
    /// An EC key gives its curve by explicit parameters or not at all, instead of by name
    /// (RFC 5480 §2.1.1 allows only `namedCurve`).
    #[error("the EC key in the {format} has no named curve")]
    MissingNamedCurve {
        /// The encoding that was being read.
        format: &'static str,
    },
    /// Legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED`, RFC 1421) is refused by
    /// policy: its key derivation is one round of MD5 (`EVP_BytesToKey`).
    #[error(
        "the PEM key uses legacy OpenSSL encryption (Proc-Type/DEK-Info, MD5 key derivation), \
         which is refused; convert it with `openssl pkcs8 -topk8`"
    )]
    LegacyPemEncryption,
    /// PBES1 (PKCS#5 v1.5, DES or RC2 with MD5 or SHA-1) in an encrypted PKCS#8 key is refused.
    #[error(
        "the encrypted PKCS#8 key uses PBES1 (PKCS#5 v1.5), which is not supported; \
         re-encrypt it with PBES2 (`openssl pkcs8 -topk8 -v2 aes-256-cbc`)"
    )]
    Pbes1Encryption,
    /// A securesystemslib key dict names a scheme that does not fit its key type.
    #[error("the securesystemslib scheme {scheme:?} does not fit the key type {keytype:?}")]
    SchemeKeyTypeMismatch {
        /// The `scheme` field (at most 64 characters of it).
        scheme: String,
        /// The `keytype` field (at most 64 characters of it).
        keytype: String,
    },
    /// A JSON key format (securesystemslib key dict, cosign key file body) is not JSON.
    #[error("the {format} is not valid JSON")]
    Json {
        /// The format that was being read.
        format: &'static str,
        /// What the JSON parser reported.
        #[source]
        source: serde_json::Error,
    },
    /// An OpenSSH comment to write holds a line break, which would end the key line early.
    #[error("an OpenSSH key comment cannot contain line breaks")]
    CommentLineBreak,
    /// The key material is invalid (point not on curve, modulus out of range ...).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The input, or a key-derivation cost (PBKDF2 iterations, scrypt work), is above a named
    /// limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// An encrypted key could not be decrypted (wrong password or corrupted file).
    #[error("could not decrypt the private key (wrong password?)")]
    Decryption,
    /// An encrypted key needs a password and none was given.
    #[error("the private key is encrypted and no password was given")]
    PasswordRequired,
    /// The public key embedded in a private key does not match the private key.
    #[error("the embedded public key does not match the private key")]
    PublicKeyMismatch,
    /// The random source failed while drawing a salt or nonce for an encrypted key file.
    #[error("drawing the salt and nonce for the encrypted key file")]
    Random(#[from] RandomError),
    /// The key's PEM container is malformed.
    #[error("reading the key's PEM block")]
    Pem(#[from] crate::pem::Error),
    /// A PEM document has a label this reader does not accept here.
    #[error("unexpected PEM label {label:?}")]
    UnexpectedPemLabel {
        /// The label found (at most 64 characters of it).
        label: String,
    },
    /// Encrypting a private key failed inside the cipher.
    #[error("could not encrypt the private key")]
    Encryption,
    /// Canonical JSON for a key ID could not be produced.
    #[error("canonical JSON for the key ID failed")]
    CanonicalJson(#[source] crate::cjson::Error),
}

impl Error {
    /// An [`Error::UnsupportedAlgorithm`], keeping at most 64 characters of `name` (it may echo
    /// hostile input).
    pub(crate) fn unsupported(format: &'static str, kind: &'static str, name: &str) -> Self {
        Self::UnsupportedAlgorithm {
            format,
            kind,
            name: name.chars().take(64).collect(),
        }
    }
}

/// The names of the encodings read here, for [`Error::InvalidEncoding`].
const SPKI: &str = "SPKI public key";
const PKCS1: &str = "PKCS#1 RSA key";

// OIDs (RFC 5480, RFC 8410, RFC 8017).
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
pub(crate) const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
pub(crate) const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A public key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    algorithm: KeyAlgorithm,
    material: Box<[u8]>,
    spki: Box<[u8]>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] for malformed DER or trailing bytes, [`Error::UnsupportedAlgorithm`] for
    /// other algorithms, [`Error::InvalidKey`] for invalid material.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > limits::MAX_DER_LEN {
            return Err(LimitExceeded::new("DER public key", limits::MAX_DER_LEN)
                .with_actual(der.len())
                .into());
        }
        let spki = SubjectPublicKeyInfoOwned::from_der(der)
            .map_err(|_| Error::InvalidEncoding { format: SPKI })?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::InvalidEncoding { format: SPKI })?;
        let alg = &spki.algorithm;
        if alg.oid == OID_EC_PUBLIC_KEY {
            let curve: ObjectIdentifier = alg
                .parameters
                .as_ref()
                .ok_or(Error::InvalidEncoding { format: SPKI })?
                .decode_as()
                .map_err(|_| Error::MissingNamedCurve { format: SPKI })?;
            let algorithm = if curve == OID_P256 {
                KeyAlgorithm::EcdsaP256
            } else if curve == OID_P384 {
                KeyAlgorithm::EcdsaP384
            } else {
                return Err(Error::unsupported(SPKI, "EC curve", &curve.to_string()));
            };
            Self::from_sec1_point(algorithm, bits)
        } else if alg.oid == OID_ED25519 {
            if alg.parameters.is_some() {
                // RFC 8410 §3: parameters MUST be absent.
                return Err(Error::InvalidEncoding { format: SPKI });
            }
            Self::from_ed25519_bytes(bits)
        } else if alg.oid == OID_RSA {
            // RFC 8017 A.1: parameters MUST be NULL (some encoders omit them; accept absent too).
            if let Some(p) = &alg.parameters {
                if p.tag() != der::Tag::Null || !p.value().is_empty() {
                    return Err(Error::InvalidEncoding { format: SPKI });
                }
            }
            Self::from_pkcs1_der(bits)
        } else {
            Err(Error::unsupported(
                SPKI,
                "key algorithm",
                &alg.oid.to_string(),
            ))
        }
    }

    /// Builds an ECDSA key from a SEC1 point (uncompressed or compressed).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the point is not on the curve or is the identity.
    pub fn from_sec1_point(algorithm: KeyAlgorithm, point: &[u8]) -> Result<Self, Error> {
        let uncompressed: Vec<u8> = match algorithm {
            KeyAlgorithm::EcdsaP256 => {
                let pk = p256::PublicKey::from_sec1_bytes(point)
                    .map_err(|_| Error::InvalidKey("not a valid P-256 point"))?;
                p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&pk, false)
                    .as_bytes()
                    .to_vec()
            }
            KeyAlgorithm::EcdsaP384 => {
                let pk = p384::PublicKey::from_sec1_bytes(point)
                    .map_err(|_| Error::InvalidKey("not a valid P-384 point"))?;
                p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&pk, false)
                    .as_bytes()
                    .to_vec()
            }
            _ => return Err(Error::InvalidKey("not an ECDSA algorithm")),
        };
        let curve = if algorithm == KeyAlgorithm::EcdsaP256 {
            OID_P256
        } else {
            OID_P384
        };
        let params = der::Any::encode_from(&curve).map_err(|_| Error::InvalidKey("curve OID"))?;
        let spki = encode_spki(OID_EC_PUBLIC_KEY, Some(params), &uncompressed)?;
        Ok(Self {
            algorithm,
            material: uncompressed.into_boxed_slice(),
            spki,
        })
    }

    /// Builds an Ed25519 key from its 32-byte encoding (RFC 8032 §5.1.2).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the length is wrong or the point does not decompress.
    pub fn from_ed25519_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::InvalidKey("Ed25519 public keys are 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&arr)
            .map_err(|_| Error::InvalidKey("not a valid Ed25519 point"))?;
        let spki = encode_spki(OID_ED25519, None, &arr)?;
        Ok(Self {
            algorithm: KeyAlgorithm::Ed25519,
            material: Box::new(arr),
            spki,
        })
    }

    /// Builds an RSA key from a DER PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`], or [`Error::InvalidKey`] for a modulus outside
    /// 2048..=8192 bits or an even or too small exponent.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        use pkcs1::DecodeRsaPublicKey as _;
        let key = pkcs1::RsaPublicKey::from_der(der)
            .map_err(|_| Error::InvalidEncoding { format: PKCS1 })?;
        let n = key.modulus.as_bytes();
        let e = key.public_exponent.as_bytes();
        let bits = bit_len(n);
        if bits < limits::MIN_RSA_BITS {
            return Err(Error::InvalidKey("RSA modulus shorter than 2048 bits"));
        }
        if bits > limits::MAX_RSA_BITS {
            return Err(Error::InvalidKey("RSA modulus longer than 8192 bits"));
        }
        if n.last().is_some_and(|b| b & 1 == 0) {
            return Err(Error::InvalidKey("RSA modulus is even"));
        }
        // e must be odd, ≥ 3 and fit in 33 bits (the bound ring and aws-lc enforce).
        if e.is_empty()
            || e.len() > 5
            || e.last().is_some_and(|b| b & 1 == 0)
            || bit_len(e) < 2
            || bit_len(e) > 33
        {
            return Err(Error::InvalidKey("RSA public exponent out of range"));
        }
        let _ = rsa::RsaPublicKey::from_pkcs1_der(der)
            .map_err(|_| Error::InvalidKey("RSA public key"))?;
        // Re-encode so the material is canonical DER whatever the input was.
        let material = key
            .to_der()
            .map_err(|_| Error::InvalidEncoding { format: PKCS1 })?;
        let null = der::Any::from(der::asn1::Null);
        let spki = encode_spki(OID_RSA, Some(null), &material)?;
        Ok(Self {
            algorithm: KeyAlgorithm::Rsa,
            material: material.into_boxed_slice(),
            spki,
        })
    }

    /// The key's algorithm family.
    pub const fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The canonical DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The backend key material: uncompressed SEC1 point, raw Ed25519 bytes or PKCS#1 DER.
    pub fn material(&self) -> &[u8] {
        &self.material
    }

    /// RSA modulus length in bits, or `None` for other keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        if self.algorithm != KeyAlgorithm::Rsa {
            return None;
        }
        let key = <pkcs1::RsaPublicKey<'_> as Decode<'_>>::from_der(&self.material).ok()?;
        Some(bit_len(key.modulus.as_bytes()))
    }

    /// SHA-256 over the SPKI DER: the fingerprint cosign, Sigstore and `openssl pkey -pubin
    /// -outform DER | sha256sum` agree on.
    pub fn fingerprint(&self) -> Digest {
        Algorithm::Sha256.digest(&self.spki)
    }

    /// The [`KeyId`] derived from [`fingerprint`](Self::fingerprint) (lowercase hex).
    pub fn key_id(&self) -> KeyId {
        KeyId::new(self.fingerprint().hex())
    }

    /// The scheme used when nothing else is said; see [`KeyAlgorithm::default_scheme`].
    pub const fn default_scheme(&self) -> SignatureScheme {
        self.algorithm.default_scheme()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

fn encode_spki(
    oid: ObjectIdentifier,
    parameters: Option<der::Any>,
    key: &[u8],
) -> Result<Box<[u8]>, Error> {
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: BitString::from_bytes(key)
            .map_err(|_| Error::InvalidEncoding { format: SPKI })?,
    };
    spki.to_der()
        .map(Vec::into_boxed_slice)
        .map_err(|_| Error::InvalidEncoding { format: SPKI })
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let mut i = 0;
    while i < be.len() && be[i] == 0 {
        i += 1;
    }
    match be.get(i) {
        None => 0,
        Some(&b) => (be.len() - i - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// A private key and its public key. The secret is zeroized on drop and never printed.
#[derive(Clone)]
pub struct PrivateKey {
    secret: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl PrivateKey {
    /// Builds an ECDSA private key from its big-endian scalar.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar is zero or not below the group order.
    pub fn from_ec_scalar(algorithm: KeyAlgorithm, scalar: &[u8]) -> Result<Self, Error> {
        let point = match algorithm {
            KeyAlgorithm::EcdsaP256 => {
                let sk = p256::SecretKey::from_slice(scalar)
                    .map_err(|_| Error::InvalidKey("P-256 scalar"))?;
                p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                    &sk.public_key(),
                    false,
                )
                .as_bytes()
                .to_vec()
            }
            KeyAlgorithm::EcdsaP384 => {
                let sk = p384::SecretKey::from_slice(scalar)
                    .map_err(|_| Error::InvalidKey("P-384 scalar"))?;
                p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                    &sk.public_key(),
                    false,
                )
                .as_bytes()
                .to_vec()
            }
            _ => return Err(Error::InvalidKey("not an ECDSA algorithm")),
        };
        let public = PublicKey::from_sec1_point(algorithm, &point)?;
        let field = algorithm.ecdsa_field_len().unwrap_or(32);
        // Normalise to the full field length (SEC1 allows the leading zeros to be dropped).
        let mut secret = Zeroizing::new(vec![0u8; field]);
        secret[field - scalar.len()..].copy_from_slice(scalar);
        Ok(Self { secret, public })
    }

    /// Builds an Ed25519 private key from its 32-byte seed (RFC 8032 §5.1.5).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the seed is not 32 bytes.
    pub fn from_ed25519_seed(seed: &[u8]) -> Result<Self, Error> {
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| Error::InvalidKey("Ed25519 seeds are 32 bytes"))?;
        let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public = PublicKey::from_ed25519_bytes(sk.verifying_key().as_bytes())?;
        Ok(Self {
            secret: Zeroizing::new(seed.to_vec()),
            public,
        })
    }

    /// Builds an RSA private key from DER PKCS#1 `RSAPrivateKey`. Only the aws-lc-rs backend
    /// signs with RSA keys (the `rsa` crate is used for verification only: RUSTSEC-2023-0071).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] or [`Error::InvalidKey`].
    pub fn from_rsa_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let key = <pkcs1::RsaPrivateKey<'_> as Decode<'_>>::from_der(der)
            .map_err(|_| Error::InvalidEncoding { format: PKCS1 })?;
        let public_der = key
            .public_key()
            .to_der()
            .map_err(|_| Error::InvalidEncoding { format: PKCS1 })?;
        let public = PublicKey::from_pkcs1_der(&public_der)?;
        Ok(Self {
            secret: Zeroizing::new(der.to_vec()),
            public,
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The algorithm family.
    pub const fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm
    }

    /// The secret: the scalar (ECDSA, field length), the seed (Ed25519) or PKCS#1 DER (RSA).
    pub fn secret_bytes(&self) -> &[u8] {
        &self.secret
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// An opaque key label, as TUF, in-toto and DSSE carry them.
///
/// A key ID is only ever a hint for finding a key: verification never trusts it.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// Wraps a label.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for KeyId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::encoding::{cosign, pem, sslib};
    use super::*;
    use crate::alg::SecureRandom;

    #[derive(Debug)]
    struct NoRandom;
    impl SecureRandom for NoRandom {
        fn fill(&self, _: &mut [u8]) -> Result<(), RandomError> {
            Err(RandomError::new())
        }
    }

    #[test]
    fn errors_name_each_cause_once() {
        let err = pem::private_key_from_pem(
            b"-----BEGIN PRIVATE KEY-----\nA!AA\n-----END PRIVATE KEY-----\n",
            None,
        )
        .unwrap_err();
        crate::assert_causes_once(
            err,
            &[
                "reading the key's PEM block",
                "not canonical base64",
                "Invalid symbol",
            ],
        );

        let err = sslib::SslibKey::from_json(b"{").unwrap_err();
        let chain = crate::assert_causes_once(
            err,
            &[
                "securesystemslib key dict is not valid JSON",
                "EOF while parsing",
            ],
        );
        assert!(chain.starts_with("the securesystemslib"), "{chain}");

        let big = vec![b' '; limits::MAX_KEY_DICT_LEN + 1];
        let err = sslib::SslibKey::from_json(&big).unwrap_err();
        crate::assert_causes_once(
            err,
            &["securesystemslib key dict exceeds the limit of 65536 (65537)"],
        );

        let key = PrivateKey::from_ed25519_seed(&[1u8; 32]).unwrap();
        let err = cosign::encrypt(&key, b"pw", &NoRandom).unwrap_err();
        assert_eq!(
            crate::assert_causes_once(err, &["the system random source failed"]),
            "drawing the salt and nonce for the encrypted key file: \
             the system random source failed"
        );

        let err = sslib::scheme_from_names("ed25519", "ecdsa-sha2-nistp999").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported scheme \"ecdsa-sha2-nistp999\" in the securesystemslib key dict"
        );
        let err = cosign::decrypt_body(b"{", b"pw").unwrap_err();
        crate::assert_causes_once(err, &["the cosign key file is not valid JSON", "EOF"]);
        // Formats are nouns: the message never reads "key file key".
        let err = Error::InvalidEncoding {
            format: "cosign key file",
        };
        assert_eq!(err.to_string(), "malformed cosign key file");
    }
}
