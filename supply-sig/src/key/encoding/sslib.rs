//! securesystemslib / TUF / in-toto public key dicts.
//!
//! ```json
//! {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "<64 hex chars>"}}
//! {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": "<SPKI PEM>"}}
//! {"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": "<SPKI PEM>"}}
//! ```
//!
//! Key types: `ed25519` (hex of the raw 32 bytes), `ecdsa`, `ecdsa-sha2-nistp256` and
//! `ecdsa-sha2-nistp384` (SPKI PEM, or hex of the SEC1 point as older TUF implementations wrote),
//! `rsa` (SPKI PEM). Schemes: `ed25519`, `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384`,
//! `rsassa-pss-sha{256,384,512}` and `rsa-pkcs1v15-sha{256,384,512}`.
//!
//! `rsassa-pss-sha*` maps to [`SignatureScheme::RsaPssAutoSha256`] and its siblings: securesystemslib
//! verifies PSS with `PSS.AUTO`, and go-tuf signs with the maximum salt length, so a TUF or
//! in-toto RSA-PSS key must accept more than salt = hash length.
//!
//! The key ID ([`SslibKey::key_id`]) is the lowercase hex SHA-256 of the OLPC canonical JSON of
//! the dict without its `keyid` field, as securesystemslib computes it: every other field is kept,
//! `keyid_hash_algorithms` and unknown fields included (they change the ID). Only a
//! `keyval.private` value, which legacy securesystemslib private key files carry, is left out, as
//! securesystemslib leaves it out. A `keyid` field in the input is only a claim
//! ([`SslibKey::declared_key_id`]); nothing here trusts it.

use serde_json::{Map, Value};

use super::pem;
use crate::alg::Algorithm;
use crate::alg::{KeyAlgorithm, SignatureScheme};
use crate::cjson;
use crate::key::{Error, KeyId, PublicKey};
use crate::limits::{self, LimitExceeded};

const FORMAT: &str = "securesystemslib key dict";

fn invalid() -> Error {
    Error::InvalidEncoding { format: FORMAT }
}

fn bounded(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Maps a securesystemslib `keytype` and `scheme` to a [`SignatureScheme`].
///
/// # Errors
/// [`Error::UnsupportedAlgorithm`] for unknown names, [`Error::SchemeKeyTypeMismatch`] for a key
/// type that does not fit the scheme.
pub fn scheme_from_names(keytype: &str, scheme: &str) -> Result<SignatureScheme, Error> {
    let s = match scheme {
        "ed25519" => SignatureScheme::Ed25519,
        "ecdsa-sha2-nistp256" => SignatureScheme::EcdsaP256Sha256,
        "ecdsa-sha2-nistp384" => SignatureScheme::EcdsaP384Sha384,
        "rsassa-pss-sha256" => SignatureScheme::RsaPssAutoSha256,
        "rsassa-pss-sha384" => SignatureScheme::RsaPssAutoSha384,
        "rsassa-pss-sha512" => SignatureScheme::RsaPssAutoSha512,
        "rsa-pkcs1v15-sha256" => SignatureScheme::RsaPkcs1v15Sha256,
        "rsa-pkcs1v15-sha384" => SignatureScheme::RsaPkcs1v15Sha384,
        "rsa-pkcs1v15-sha512" => SignatureScheme::RsaPkcs1v15Sha512,
        other => return Err(Error::unsupported(FORMAT, "scheme", other)),
    };
    let fits = match keytype {
        "ed25519" => s == SignatureScheme::Ed25519,
        "ecdsa" => matches!(
            s,
            SignatureScheme::EcdsaP256Sha256 | SignatureScheme::EcdsaP384Sha384
        ),
        // The old TUF key types name the curve: the scheme must be the same name.
        "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" => keytype == scheme,
        "rsa" => s.key_algorithm() == KeyAlgorithm::Rsa,
        other => return Err(Error::unsupported(FORMAT, "key type", other)),
    };
    if fits {
        Ok(s)
    } else {
        Err(Error::SchemeKeyTypeMismatch {
            scheme: bounded(scheme),
            keytype: bounded(keytype),
        })
    }
}

/// The securesystemslib `(keytype, scheme)` names of a [`SignatureScheme`], or `None` when
/// securesystemslib has no name for it (ECDSA with a hash other than the curve's).
pub const fn scheme_names(scheme: SignatureScheme) -> Option<(&'static str, &'static str)> {
    Some(match scheme {
        SignatureScheme::Ed25519 => ("ed25519", "ed25519"),
        SignatureScheme::EcdsaP256Sha256 => ("ecdsa", "ecdsa-sha2-nistp256"),
        SignatureScheme::EcdsaP384Sha384 => ("ecdsa", "ecdsa-sha2-nistp384"),
        SignatureScheme::RsaPssSha256 | SignatureScheme::RsaPssAutoSha256 => {
            ("rsa", "rsassa-pss-sha256")
        }
        SignatureScheme::RsaPssSha384 | SignatureScheme::RsaPssAutoSha384 => {
            ("rsa", "rsassa-pss-sha384")
        }
        SignatureScheme::RsaPssSha512 | SignatureScheme::RsaPssAutoSha512 => {
            ("rsa", "rsassa-pss-sha512")
        }
        SignatureScheme::RsaPkcs1v15Sha256 => ("rsa", "rsa-pkcs1v15-sha256"),
        SignatureScheme::RsaPkcs1v15Sha384 => ("rsa", "rsa-pkcs1v15-sha384"),
        SignatureScheme::RsaPkcs1v15Sha512 => ("rsa", "rsa-pkcs1v15-sha512"),
        _ => return None,
    })
}

/// A securesystemslib key dict: the public key, its scheme, and the dict as given (for the key ID).
#[derive(Clone, Debug, PartialEq)]
pub struct SslibKey {
    key: PublicKey,
    scheme: SignatureScheme,
    declared_key_id: Option<KeyId>,
    /// The dict without `keyid` (and without `keyval.private`): exactly what the key ID hashes.
    dict: Map<String, Value>,
}

impl SslibKey {
    /// Parses a key dict from JSON text.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`limits::MAX_KEY_DICT_LEN`], [`Error::InvalidEncoding`] for
    /// malformed JSON, [`Error::CanonicalJson`] for JSON outside the strict grammar (duplicate keys
    /// above all), plus the errors of [`from_value`](Self::from_value).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        if json.len() > limits::MAX_KEY_DICT_LEN {
            return Err(LimitExceeded::new(FORMAT, limits::MAX_KEY_DICT_LEN)
                .with_actual(json.len())
                .into());
        }
        let value: Value = serde_json::from_slice(json).map_err(|source| Error::Json {
            format: FORMAT,
            source,
        })?;
        // serde_json keeps the last of two equal keys: two `public` (or `keytype`) fields must not
        // mean one key to us and another to a peer, so the strict reader checks the same bytes.
        cjson::check_strict(json).map_err(Error::CanonicalJson)?;
        Self::from_value(&value)
    }

    /// Parses a key dict already parsed as JSON (e.g. one entry of a TUF root's `keys`).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] when a field is missing or of the wrong type or the public key
    /// value is malformed, [`Error::UnsupportedAlgorithm`] for unknown key types or schemes,
    /// [`Error::InvalidKey`] when the key does not fit the scheme (e.g. a P-384 key with
    /// `ecdsa-sha2-nistp256`), plus the key readers' errors.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = value.as_object().ok_or_else(invalid)?;
        let keytype = obj
            .get("keytype")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let scheme_name = obj
            .get("scheme")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let keyval = obj
            .get("keyval")
            .and_then(Value::as_object)
            .ok_or_else(invalid)?;
        let public = keyval
            .get("public")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let declared_key_id = match obj.get("keyid") {
            None => None,
            Some(Value::String(s)) => Some(KeyId::new(s.clone())),
            Some(_) => return Err(invalid()),
        };
        if let Some(algs) = obj.get("keyid_hash_algorithms") {
            let ok = algs
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string));
            if !ok {
                return Err(invalid());
            }
        }
        let scheme = scheme_from_names(keytype, scheme_name)?;
        let want = scheme.key_algorithm();
        let key = if want == KeyAlgorithm::Ed25519 {
            let raw = hex::decode(public).map_err(|_| invalid())?;
            PublicKey::from_ed25519_bytes(&raw)?
        } else if pem::looks_like_pem(public.as_bytes()) {
            pem::public_key_from_pem(public.as_bytes())?
        } else if want == KeyAlgorithm::Rsa {
            return Err(invalid());
        } else {
            let point = hex::decode(public).map_err(|_| invalid())?;
            PublicKey::from_sec1_point(want, &point)?
        };
        if key.algorithm() != want {
            return Err(Error::InvalidKey(
                "the key does not fit the securesystemslib scheme",
            ));
        }
        let mut dict = obj.clone();
        dict.remove("keyid");
        if let Some(Value::Object(kv)) = dict.get_mut("keyval") {
            kv.remove("private");
        }
        Ok(Self {
            key,
            scheme,
            declared_key_id,
            dict,
        })
    }

    /// Builds the dict securesystemslib writes for `key` with `scheme`: Ed25519 as hex, ECDSA and
    /// RSA as SPKI PEM, key type `ecdsa` for both curves, no `keyid_hash_algorithms`. The scheme
    /// kept is the one the dict's names map back to (an RSA-PSS scheme becomes its `RsaPssAuto*`
    /// form), so a written key and the same key read back are equal.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] when securesystemslib has no name for the scheme,
    /// [`Error::InvalidKey`] when the scheme does not fit the key.
    pub fn new(key: PublicKey, scheme: SignatureScheme) -> Result<Self, Error> {
        let (keytype, scheme_name) = scheme_names(scheme)
            .ok_or_else(|| Error::unsupported(FORMAT, "signature scheme", scheme.name()))?;
        if scheme.key_algorithm() != key.algorithm() {
            return Err(Error::InvalidKey("the scheme does not fit the key"));
        }
        let scheme = scheme_from_names(keytype, scheme_name)?;
        let public = if key.algorithm() == KeyAlgorithm::Ed25519 {
            hex::encode(key.material())
        } else {
            pem::public_key_to_pem(&key)
        };
        let mut keyval = Map::new();
        keyval.insert("public".into(), Value::String(public));
        let mut dict = Map::new();
        dict.insert("keytype".into(), Value::String(keytype.into()));
        dict.insert("scheme".into(), Value::String(scheme_name.into()));
        dict.insert("keyval".into(), Value::Object(keyval));
        Ok(Self {
            key,
            scheme,
            declared_key_id: None,
            dict,
        })
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Takes the public key.
    pub fn into_public_key(self) -> PublicKey {
        self.key
    }

    /// The signature scheme named by the dict.
    pub const fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The `keyid` field of the input, if it had one. Untrusted: compare it with
    /// [`key_id`](Self::key_id) before relying on it.
    pub fn declared_key_id(&self) -> Option<&KeyId> {
        self.declared_key_id.as_ref()
    }

    /// The dict without `keyid`, as hashed for the key ID.
    pub fn to_value(&self) -> Value {
        Value::Object(self.dict.clone())
    }

    /// The dict without `keyid` as compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing a `Value` to a Vec cannot fail (string keys, no I/O).
        serde_json::to_vec(&self.dict).unwrap_or_default()
    }

    /// The OLPC canonical JSON of the dict without `keyid`: the bytes the key ID hashes.
    ///
    /// # Errors
    /// [`Error::CanonicalJson`] when canonicalization fails (e.g. a float in an unknown field).
    pub fn canonical_json(&self) -> Result<Vec<u8>, Error> {
        cjson::olpc::canonicalize(&self.to_json()).map_err(Error::CanonicalJson)
    }

    /// The securesystemslib key ID: lowercase hex SHA-256 of [`canonical_json`](Self::canonical_json).
    ///
    /// # Errors
    /// As [`canonical_json`](Self::canonical_json).
    pub fn key_id(&self) -> Result<KeyId, Error> {
        let canonical = self.canonical_json()?;
        Ok(KeyId::new(Algorithm::Sha256.digest(&canonical).hex()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ED: &str = r#"{"keyid":"x","keytype":"ed25519","scheme":"ed25519","keyval":{"public":"b6b2958b80860e8da33c12ee369978fdc2b135dc5e83926baaba91ee844e61ff"}}"#;

    #[test]
    fn parse_and_write_ed25519() {
        let k = SslibKey::from_json(ED.as_bytes()).unwrap();
        assert_eq!(k.scheme(), SignatureScheme::Ed25519);
        assert_eq!(k.declared_key_id().unwrap().as_str(), "x");
        let again = SslibKey::new(k.public_key().clone(), k.scheme()).unwrap();
        assert_eq!(again.to_value(), k.to_value());
    }

    #[test]
    fn duplicate_fields_are_refused() {
        // serde_json alone would keep the second `public`: the key a peer sees first.
        let other = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
        let dup_public = ED.replace(
            r#"{"public":"#,
            &format!(r#"{{"public":"{other}","public":"#),
        );
        assert!(matches!(
            SslibKey::from_json(dup_public.as_bytes()),
            Err(Error::CanonicalJson(_))
        ));
        let dup_type = ED.replace(r#""scheme""#, r#""keytype":"ed25519","scheme""#);
        assert!(matches!(
            SslibKey::from_json(dup_type.as_bytes()),
            Err(Error::CanonicalJson(_))
        ));
        assert!(SslibKey::from_json(ED.as_bytes()).is_ok());
    }

    #[test]
    fn malformed_dicts_are_errors() {
        for bad in [
            r#"[]"#,
            r#"{"keytype":"ed25519","scheme":"ed25519"}"#,
            r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"zz"}}"#,
            r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"00"}}"#,
            r#"{"keytype":"ed25519","scheme":"ecdsa-sha2-nistp256","keyval":{"public":"00"}}"#,
            r#"{"keytype":"dsa","scheme":"dsa","keyval":{"public":"00"}}"#,
            r#"{"keytype":"rsa","scheme":"rsassa-pss-sha256","keyval":{"public":"00"}}"#,
            r#"{"keytype":"ecdsa-sha2-nistp256","scheme":"ecdsa-sha2-nistp384","keyval":{"public":"00"}}"#,
            r#"{"keytype":"ed25519","scheme":"ed25519","keyid":1,"keyval":{"public":"b6b2958b80860e8da33c12ee369978fdc2b135dc5e83926baaba91ee844e61ff"}}"#,
            r#"{"keytype":"ed25519","scheme":"ed25519","keyid_hash_algorithms":"sha256","keyval":{"public":"b6b2958b80860e8da33c12ee369978fdc2b135dc5e83926baaba91ee844e61ff"}}"#,
        ] {
            assert!(SslibKey::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
        let huge = vec![b' '; limits::MAX_KEY_DICT_LEN + 1];
        assert!(matches!(
            SslibKey::from_json(&huge),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn ecdsa_hex_point_form() {
        let mut scalar = [0u8; 32];
        scalar[31] = 1;
        let key = crate::key::PrivateKey::from_ec_scalar(KeyAlgorithm::EcdsaP256, &scalar).unwrap();
        let point = hex::encode(key.public_key().material());
        let json = format!(
            r#"{{"keytype":"ecdsa-sha2-nistp256","scheme":"ecdsa-sha2-nistp256","keyval":{{"public":"{point}"}}}}"#
        );
        let k = SslibKey::from_json(json.as_bytes()).unwrap();
        assert_eq!(k.public_key(), key.public_key());
        // A P-256 key under a P-384 scheme is refused.
        let json = json.replace("nistp256", "nistp384");
        assert!(SslibKey::from_json(json.as_bytes()).is_err());
    }
}
