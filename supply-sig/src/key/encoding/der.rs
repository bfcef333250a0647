//! DER (binary ASN.1) encodings of keys: SPKI, PKCS#1, PKCS#8 (plain and encrypted) and SEC1.
//!
//! Every reader checks the input against [`limits::MAX_DER_LEN`] before parsing and rejects
//! trailing bytes. Private keys are validated: scalars are in range, Ed25519 seeds are 32 bytes,
//! and a public key embedded in the private key (SEC1 `publicKey`, PKCS#8 v2 `[1] publicKey`)
//! must match the one derived from the secret, else [`Error::PublicKeyMismatch`].
//!
//! Encrypted PKCS#8 (RFC 8018 PBES2 with PBKDF2 or scrypt, AES-CBC) is bounded before any work:
//! at most [`limits::MAX_PBKDF2_ITERATIONS`] PBKDF2 iterations and the scrypt limits of
//! [`limits`]. PBES1 is refused.

use ::der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use ::der::{Decode as _, Encode as _, Reader as _, SliceReader, Tag, Tagged as _};
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::key::{
    Error, KeyAlgorithm, PrivateKey, PublicKey, OID_EC_PUBLIC_KEY, OID_ED25519, OID_P256, OID_P384,
    OID_RSA,
};
use crate::limits::{self, LimitExceeded};

/// The names of the encodings read here, for [`Error::InvalidEncoding`].
const PKCS8: &str = "PKCS#8 private key";
const SEC1: &str = "SEC1 EC private key";
const SCRYPT: &str = "scrypt parameters";

fn check_len(der: &[u8], what: &'static str) -> Result<(), Error> {
    if der.len() > limits::MAX_DER_LEN {
        return Err(LimitExceeded::new(what, limits::MAX_DER_LEN)
            .with_actual(der.len())
            .into());
    }
    Ok(())
}

/// The tags of the first two elements inside the outer SEQUENCE of `der`, which tell SPKI,
/// PKCS#1, PKCS#8, SEC1 and EncryptedPrivateKeyInfo apart.
fn inner_tags(der: &[u8]) -> Option<(Tag, Option<Tag>)> {
    let outer = AnyRef::from_der(der).ok()?;
    if outer.tag() != Tag::Sequence {
        return None;
    }
    let mut reader = SliceReader::new(outer.value()).ok()?;
    let first = AnyRef::decode(&mut reader).ok()?.tag();
    let second = if reader.is_finished() {
        None
    } else {
        Some(AnyRef::decode(&mut reader).ok()?.tag())
    };
    Some((first, second))
}

/// Reads a public key from DER: a SubjectPublicKeyInfo, or a PKCS#1 `RSAPublicKey` (told apart
/// by the first element: a SEQUENCE in SPKI, an INTEGER in PKCS#1).
///
/// # Errors
/// [`Error::LimitExceeded`] above [`limits::MAX_DER_LEN`], [`Error::InvalidEncoding`] when it is
/// neither, plus the errors of [`PublicKey::from_spki_der`] and [`PublicKey::from_pkcs1_der`].
pub fn public_key_from_der(der: &[u8]) -> Result<PublicKey, Error> {
    check_len(der, "DER public key")?;
    match inner_tags(der) {
        Some((Tag::Integer, Some(Tag::Integer))) => PublicKey::from_pkcs1_der(der),
        _ => PublicKey::from_spki_der(der),
    }
}

/// Reads a PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1), after the size check.
///
/// # Errors
/// [`Error::LimitExceeded`], plus the errors of [`PublicKey::from_pkcs1_der`].
pub fn public_key_from_pkcs1_der(der: &[u8]) -> Result<PublicKey, Error> {
    check_len(der, "DER public key")?;
    PublicKey::from_pkcs1_der(der)
}

/// Reads a private key from DER, sniffing PKCS#8, SEC1, PKCS#1 and encrypted PKCS#8 (which needs
/// `password`). A password given for an unencrypted key is ignored.
///
/// # Errors
/// [`Error::PasswordRequired`] for an encrypted key without a password, [`Error::InvalidEncoding`]
/// for anything else that is not one of these structures, plus the errors of the specific readers.
pub fn private_key_from_der(der: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, Error> {
    check_len(der, "DER private key")?;
    match inner_tags(der) {
        // PrivateKeyInfo: version, AlgorithmIdentifier ...
        Some((Tag::Integer, Some(Tag::Sequence))) => private_key_from_pkcs8_der(der),
        // ECPrivateKey: version, privateKey OCTET STRING ...
        Some((Tag::Integer, Some(Tag::OctetString))) => private_key_from_sec1_der(der),
        // RSAPrivateKey: version, modulus ...
        Some((Tag::Integer, Some(Tag::Integer))) => private_key_from_pkcs1_der(der),
        // EncryptedPrivateKeyInfo: AlgorithmIdentifier, encryptedData
        Some((Tag::Sequence, Some(Tag::OctetString))) => {
            let password = password.ok_or(Error::PasswordRequired)?;
            private_key_from_encrypted_pkcs8_der(der, password)
        }
        _ => Err(Error::InvalidEncoding {
            format: "DER private key",
        }),
    }
}

/// Reads a PKCS#8 `PrivateKeyInfo` (RFC 5208) or `OneAsymmetricKey` v2 (RFC 5958) holding a
/// P-256, P-384, Ed25519 (RFC 8410) or RSA key.
///
/// # Errors
/// [`Error::InvalidEncoding`] for malformed DER, [`Error::UnsupportedAlgorithm`] for other algorithms or
/// curves, [`Error::InvalidKey`] for invalid secrets, [`Error::PublicKeyMismatch`] when a v2
/// `publicKey` does not belong to the secret.
pub fn private_key_from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, Error> {
    check_len(der, "DER private key")?;
    let invalid = || Error::InvalidEncoding { format: PKCS8 };
    if let Some(key) = ring_ed25519_v2(der)? {
        return Ok(key);
    }
    let info = PrivateKeyInfo::from_der(der).map_err(|_| invalid())?;
    let alg = &info.algorithm;
    let key = if alg.oid == OID_EC_PUBLIC_KEY {
        let curve: ObjectIdentifier = alg
            .parameters
            .ok_or_else(invalid)?
            .decode_as()
            .map_err(|_| Error::MissingNamedCurve { format: PKCS8 })?;
        ec_from_sec1(info.private_key, Some(curve_algorithm(curve)?))?
    } else if alg.oid == OID_ED25519 {
        // RFC 8410 §7: parameters MUST be absent; the key is a CurvePrivateKey OCTET STRING.
        if alg.parameters.is_some() {
            return Err(invalid());
        }
        let seed = OctetStringRef::from_der(info.private_key).map_err(|_| invalid())?;
        PrivateKey::from_ed25519_seed(seed.as_bytes())?
    } else if alg.oid == OID_RSA {
        check_rsa_null_params(alg)?;
        PrivateKey::from_rsa_pkcs1_der(info.private_key)?
    } else {
        return Err(Error::unsupported(
            PKCS8,
            "key algorithm",
            &alg.oid.to_string(),
        ));
    };
    if let Some(embedded) = info.public_key {
        check_embedded_public(&key, embedded)?;
    }
    Ok(key)
}

/// The fixed 85-byte Ed25519 PKCS#8 v2 document that *ring* (and so tough and rust-tuf) writes:
/// RFC 5958 says `publicKey [1] IMPLICIT BIT STRING` (tag `81`), but ring wraps the BIT STRING
/// in a constructed `[1]` (`a1 23 03 21 00 …`), which strict DER readers (the `pkcs8` crate,
/// OpenSSL) refuse. Only this exact layout is accepted, and only when the embedded public key
/// belongs to the seed; anything else goes through the strict reader.
fn ring_ed25519_v2(der: &[u8]) -> Result<Option<PrivateKey>, Error> {
    const PREFIX: [u8; 16] = [
        0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    const MIDDLE: [u8; 5] = [0xa1, 0x23, 0x03, 0x21, 0x00];
    if der.len() != 85 || der[..16] != PREFIX || der[48..53] != MIDDLE {
        return Ok(None);
    }
    let key = PrivateKey::from_ed25519_seed(&der[16..48])?;
    check_embedded_public(&key, &der[53..85])?;
    Ok(Some(key))
}

fn check_rsa_null_params(alg: &AlgorithmIdentifierRef<'_>) -> Result<(), Error> {
    // RFC 8017 A.1: parameters MUST be NULL (accept absent too, as for SPKI).
    match alg.parameters {
        Some(p) if p.tag() != Tag::Null || !p.value().is_empty() => {
            Err(Error::InvalidEncoding { format: PKCS8 })
        }
        _ => Ok(()),
    }
}

/// Compares a public key carried next to a secret (SEC1 `publicKey`, PKCS#8 v2 `[1] publicKey`)
/// with the one derived from the secret.
fn check_embedded_public(key: &PrivateKey, embedded: &[u8]) -> Result<(), Error> {
    let public = key.public_key();
    let matches = match key.algorithm() {
        KeyAlgorithm::Ed25519 => embedded == public.material(),
        KeyAlgorithm::Rsa => PublicKey::from_pkcs1_der(embedded).is_ok_and(|p| &p == public),
        alg => PublicKey::from_sec1_point(alg, embedded).is_ok_and(|p| &p == public),
    };
    if matches {
        Ok(())
    } else {
        Err(Error::PublicKeyMismatch)
    }
}

fn curve_algorithm(curve: ObjectIdentifier) -> Result<KeyAlgorithm, Error> {
    if curve == OID_P256 {
        Ok(KeyAlgorithm::EcdsaP256)
    } else if curve == OID_P384 {
        Ok(KeyAlgorithm::EcdsaP384)
    } else {
        Err(Error::unsupported(
            "EC private key",
            "EC curve",
            &curve.to_string(),
        ))
    }
}

fn curve_oid(algorithm: KeyAlgorithm) -> Result<ObjectIdentifier, Error> {
    match algorithm {
        KeyAlgorithm::EcdsaP256 => Ok(OID_P256),
        KeyAlgorithm::EcdsaP384 => Ok(OID_P384),
        _ => Err(Error::InvalidKey("not an ECDSA algorithm")),
    }
}

/// Parses an `ECPrivateKey`; `outer` is the curve named by an enclosing PKCS#8 structure.
fn ec_from_sec1(der: &[u8], outer: Option<KeyAlgorithm>) -> Result<PrivateKey, Error> {
    let invalid = || Error::InvalidEncoding { format: SEC1 };
    let ec = sec1::EcPrivateKey::from_der(der).map_err(|_| invalid())?;
    let inner = match ec.parameters {
        Some(sec1::EcParameters::NamedCurve(oid)) => Some(curve_algorithm(oid)?),
        None => None,
    };
    let algorithm = match (outer, inner) {
        (Some(a), Some(b)) if a != b => return Err(invalid()),
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => return Err(Error::MissingNamedCurve { format: SEC1 }),
    };
    let field = algorithm.ecdsa_field_len().unwrap_or(0);
    // SEC1 §C.4: privateKey is exactly ceil(log2(n)/8) octets; some encoders drop leading zeros.
    if ec.private_key.is_empty() || ec.private_key.len() > field {
        return Err(Error::InvalidKey("EC private scalar length"));
    }
    let key = PrivateKey::from_ec_scalar(algorithm, ec.private_key)?;
    if let Some(embedded) = ec.public_key {
        check_embedded_public(&key, embedded)?;
    }
    Ok(key)
}

/// Reads a SEC1 / RFC 5915 `ECPrivateKey` with a named curve (P-256 or P-384).
///
/// # Errors
/// [`Error::InvalidEncoding`], [`Error::UnsupportedAlgorithm`] or [`Error::MissingNamedCurve`] for other or implicit curves,
/// [`Error::InvalidKey`] for an out-of-range scalar, [`Error::PublicKeyMismatch`] when the
/// embedded public key does not belong to the scalar.
pub fn private_key_from_sec1_der(der: &[u8]) -> Result<PrivateKey, Error> {
    check_len(der, "DER private key")?;
    ec_from_sec1(der, None)
}

/// Reads a PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2), after the size check.
///
/// # Errors
/// [`Error::LimitExceeded`], plus the errors of [`PrivateKey::from_rsa_pkcs1_der`].
pub fn private_key_from_pkcs1_der(der: &[u8]) -> Result<PrivateKey, Error> {
    check_len(der, "DER private key")?;
    PrivateKey::from_rsa_pkcs1_der(der)
}

/// Reads an encrypted PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3) with PBES2 (RFC 8018 §6.2):
/// PBKDF2 (HMAC-SHA1/SHA-224/SHA-256/SHA-384/SHA-512) or scrypt, with AES-128/192/256-CBC.
///
/// # Errors
/// [`Error::Decryption`] for a wrong password or corrupted ciphertext (never a garbage key),
/// [`Error::LimitExceeded`] for key-derivation parameters above the limits, [`Error::Pbes1Encryption`]
/// for PBES1, plus the errors of [`private_key_from_pkcs8_der`] on the decrypted key.
pub fn private_key_from_encrypted_pkcs8_der(
    der: &[u8],
    password: &[u8],
) -> Result<PrivateKey, Error> {
    check_len(der, "DER private key")?;
    let info = EncryptedPrivateKeyInfo::from_der(der).map_err(|_| Error::InvalidEncoding {
        format: "encrypted PKCS#8 private key",
    })?;
    check_kdf_cost(&info.encryption_algorithm)?;
    let plain = info.decrypt(password).map_err(|_| Error::Decryption)?;
    // CBC padding passes by chance for about 1 in 256 wrong passwords: the result is then
    // garbage, which fails to parse. Report that as the decryption failure it is.
    private_key_from_pkcs8_der(plain.as_bytes()).map_err(|e| match e {
        Error::InvalidEncoding { .. } => Error::Decryption,
        e => e,
    })
}

fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<(), Error> {
    let Some(params) = scheme.pbes2() else {
        return Err(Error::Pbes1Encryption);
    };
    if let Some(p) = params.kdf.pbkdf2() {
        if p.iteration_count > limits::MAX_PBKDF2_ITERATIONS {
            return Err(LimitExceeded::new(
                "PBKDF2 iteration count of the encrypted PKCS#8 key",
                limits::MAX_PBKDF2_ITERATIONS,
            )
            .with_actual(p.iteration_count)
            .into());
        }
    } else if let Some(s) = params.kdf.scrypt() {
        check_scrypt_cost(
            s.cost_parameter,
            u32::from(s.block_size),
            u32::from(s.parallelization),
        )?;
    }
    Ok(())
}

/// Checks scrypt parameters against [`limits`]: `n` a power of two with
/// `1 ≤ log2(n) ≤ MAX_SCRYPT_LOG_N`, `1 ≤ r ≤ MAX_SCRYPT_R`, `1 ≤ p ≤ MAX_SCRYPT_P` and
/// `128·n·r·p ≤ MAX_SCRYPT_WORK`. Returns `log2(n)`.
pub(crate) fn check_scrypt_cost(n: u64, r: u32, p: u32) -> Result<u8, Error> {
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(Error::InvalidEncoding { format: SCRYPT });
    }
    let log_n =
        u8::try_from(n.trailing_zeros()).map_err(|_| Error::InvalidEncoding { format: SCRYPT })?;
    if log_n > limits::MAX_SCRYPT_LOG_N {
        return Err(
            LimitExceeded::new("scrypt cost N", 1u64 << limits::MAX_SCRYPT_LOG_N)
                .with_actual(n)
                .into(),
        );
    }
    if r > limits::MAX_SCRYPT_R {
        return Err(
            LimitExceeded::new("scrypt block size r", limits::MAX_SCRYPT_R)
                .with_actual(r)
                .into(),
        );
    }
    if p > limits::MAX_SCRYPT_P {
        return Err(
            LimitExceeded::new("scrypt parallelism p", limits::MAX_SCRYPT_P)
                .with_actual(p)
                .into(),
        );
    }
    let work = 128u64
        .checked_mul(n)
        .and_then(|w| w.checked_mul(u64::from(r)))
        .and_then(|w| w.checked_mul(u64::from(p)));
    if work.is_none_or(|w| w > limits::MAX_SCRYPT_WORK) {
        return Err(
            LimitExceeded::new("scrypt work (128·N·r·p bytes)", limits::MAX_SCRYPT_WORK).into(),
        );
    }
    Ok(log_n)
}

/// Writes a private key as an unencrypted PKCS#8 v1 `PrivateKeyInfo` (RFC 5208): ECDSA keys
/// hold an RFC 5915 `ECPrivateKey` with the public key and without the (redundant) curve, as Go's
/// `x509.MarshalPKCS8PrivateKey` writes; Ed25519 keys use the RFC 8410 form; RSA keys hold their
/// PKCS#1 `RSAPrivateKey`.
///
/// # Errors
/// [`Error::InvalidEncoding`] if the DER encoder fails (only for out-of-range lengths).
pub fn private_key_to_pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    let enc_err = |_| Error::InvalidEncoding { format: PKCS8 };
    let algorithm = key.algorithm();
    let curve;
    let (oid, parameters, inner) = match algorithm {
        KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
            curve = curve_oid(algorithm)?;
            let ec = sec1::EcPrivateKey {
                private_key: key.secret_bytes(),
                parameters: None,
                public_key: Some(key.public_key().material()),
            };
            let inner = Zeroizing::new(ec.to_der().map_err(enc_err)?);
            (OID_EC_PUBLIC_KEY, Some(AnyRef::from(&curve)), inner)
        }
        KeyAlgorithm::Ed25519 => {
            let seed = OctetStringRef::new(key.secret_bytes()).map_err(enc_err)?;
            let inner = Zeroizing::new(seed.to_der().map_err(enc_err)?);
            (OID_ED25519, None, inner)
        }
        KeyAlgorithm::Rsa => {
            let inner = Zeroizing::new(key.secret_bytes().to_vec());
            (OID_RSA, Some(AnyRef::NULL), inner)
        }
    };
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        private_key: &inner,
        public_key: None,
    };
    Ok(Zeroizing::new(info.to_der().map_err(enc_err)?))
}

/// The DER SubjectPublicKeyInfo of a public key (a copy of [`PublicKey::spki_der`]).
pub fn public_key_to_spki_der(key: &PublicKey) -> Vec<u8> {
    key.spki_der().to_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p256_key() -> PrivateKey {
        let mut scalar = [0u8; 32];
        scalar[31] = 7;
        PrivateKey::from_ec_scalar(KeyAlgorithm::EcdsaP256, &scalar).unwrap()
    }

    #[test]
    fn pkcs8_round_trip_every_algorithm() {
        let keys = [
            p256_key(),
            PrivateKey::from_ed25519_seed(&[9u8; 32]).unwrap(),
            PrivateKey::from_ec_scalar(KeyAlgorithm::EcdsaP384, &[3u8; 48]).unwrap(),
        ];
        for key in keys {
            let der = private_key_to_pkcs8_der(&key).unwrap();
            let back = private_key_from_der(&der, None).unwrap();
            assert_eq!(back.public_key(), key.public_key());
            assert_eq!(back.secret_bytes(), key.secret_bytes());
        }
    }

    #[test]
    fn truncated_der_is_an_error() {
        let der = private_key_to_pkcs8_der(&p256_key()).unwrap();
        for n in 0..der.len() {
            assert!(private_key_from_der(&der[..n], None).is_err());
            assert!(private_key_from_pkcs8_der(&der[..n]).is_err());
            assert!(private_key_from_sec1_der(&der[..n]).is_err());
            assert!(public_key_from_der(&der[..n]).is_err());
        }
        let spki = p256_key().public_key().spki_der().to_vec();
        for n in 0..spki.len() {
            assert!(public_key_from_der(&spki[..n]).is_err());
        }
        let mut trailing = spki.clone();
        trailing.push(0);
        assert!(public_key_from_der(&trailing).is_err());
    }

    #[test]
    fn oversized_der_is_refused_before_parsing() {
        let big = vec![0x30; limits::MAX_DER_LEN + 1];
        assert!(matches!(
            public_key_from_der(&big),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            private_key_from_der(&big, Some(b"x")),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn ed25519_v2_public_key_must_match() {
        let key = PrivateKey::from_ed25519_seed(&[1u8; 32]).unwrap();
        let other = PrivateKey::from_ed25519_seed(&[2u8; 32]).unwrap();
        let seed = OctetStringRef::new(key.secret_bytes())
            .unwrap()
            .to_der()
            .unwrap();
        let make = |public: &[u8]| {
            PrivateKeyInfo {
                algorithm: AlgorithmIdentifierRef {
                    oid: OID_ED25519,
                    parameters: None,
                },
                private_key: &seed,
                public_key: Some(public),
            }
            .to_der()
            .unwrap()
        };
        let good = make(key.public_key().material());
        assert!(private_key_from_pkcs8_der(&good).is_ok());
        let bad = make(other.public_key().material());
        assert!(matches!(
            private_key_from_pkcs8_der(&bad),
            Err(Error::PublicKeyMismatch)
        ));
    }

    #[test]
    fn sec1_public_key_must_match() {
        let key = p256_key();
        let mut other_scalar = [0u8; 32];
        other_scalar[31] = 8;
        let other = PrivateKey::from_ec_scalar(KeyAlgorithm::EcdsaP256, &other_scalar).unwrap();
        let ec = sec1::EcPrivateKey {
            private_key: key.secret_bytes(),
            parameters: Some(sec1::EcParameters::NamedCurve(OID_P256)),
            public_key: Some(other.public_key().material()),
        };
        let der = ec.to_der().unwrap();
        assert!(matches!(
            private_key_from_sec1_der(&der),
            Err(Error::PublicKeyMismatch)
        ));
    }

    #[test]
    fn scrypt_cost_bounds() {
        assert_eq!(check_scrypt_cost(1 << 16, 8, 1).unwrap(), 16);
        assert!(check_scrypt_cost(0, 8, 1).is_err());
        assert!(check_scrypt_cost(1000, 8, 1).is_err());
        assert!(check_scrypt_cost(1 << 21, 8, 1).is_err());
        assert!(check_scrypt_cost(1 << 20, 16, 1).is_err());
        assert!(check_scrypt_cost(1 << 16, 0, 1).is_err());
        assert!(check_scrypt_cost(1 << 16, 8, 0).is_err());
        assert!(check_scrypt_cost(1 << 16, 8, 17).is_err());
        assert!(check_scrypt_cost(1 << 63, u32::MAX, u32::MAX).is_err());
    }
}
