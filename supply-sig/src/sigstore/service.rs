//! What the keyless signer receives from Sigstore services, parsed without I/O: OIDC identity
//! tokens (claims read unverified), Fulcio v2 `signingCert` responses, and Rekor v1 and v2
//! entry-creation responses turned into a bundle's `TransparencyLogEntry` JSON. The network half
//! is `sigstore::client` (feature `sigstore-client`).
//!
//! Nothing parsed here is trusted: the bundle built from these pieces is checked with
//! [`super::verify::verify`] before the signer returns it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::{b64, b64_encode};
use crate::key::PublicKey;
use crate::limits::LimitExceeded;
use crate::limits::{
    MAX_CERT_CHAIN_LEN, MAX_IDENTITY_TOKEN_LEN, MAX_INCLUSION_PROOF_HASHES, MAX_REKOR_BODY_LEN,
};
use crate::x509::Certificate;

/// Errors from parsing what Sigstore services send.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The identity token is malformed (it is not verified here; Fulcio verifies it).
    #[error("invalid identity token: {reason}")]
    InvalidToken {
        /// Why.
        reason: &'static str,
    },
    /// A service's response is malformed.
    #[error("invalid {service} response: {reason}")]
    InvalidResponse {
        /// `Fulcio`, `Rekor`.
        service: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// An input exceeded a limit of [`crate::limits`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Fulcio's leaf certificate does not parse.
    #[error("invalid Fulcio certificate")]
    InvalidCertificate(#[from] crate::x509::Error),
    /// Fulcio certified a key other than the one that asked.
    #[error("Fulcio's certificate is for another key")]
    CertificateKeyMismatch,
}

/// An OIDC identity token (a JWT), with the claims the signer reads from its unverified
/// payload.
#[derive(Clone)]
pub struct IdentityToken {
    raw: String,
    subject: String,
    issuer: Option<String>,
    audiences: Vec<String>,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a bearer credential: never print it.
        f.debug_struct("IdentityToken")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

impl IdentityToken {
    /// Reads the payload of a compact JWT (`header.payload.signature`, base64url) without
    /// verifying it.
    ///
    /// The proof-of-possession subject is the `email` claim when there is one, else `sub`, as
    /// Fulcio expects for email and for other (workload) identities.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] when the token is too long, is not a JWT, or has neither an
    /// `email` nor a `sub` string claim.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let bad = |reason| Error::InvalidToken { reason };
        let raw = raw.trim();
        if raw.len() > MAX_IDENTITY_TOKEN_LEN {
            return Err(Error::LimitExceeded(LimitExceeded::new(
                "identity token",
                MAX_IDENTITY_TOKEN_LEN,
            )));
        }
        let mut parts = raw.split('.');
        let (Some(_header), Some(payload), Some(_sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("not a compact JWT (three dot-separated parts)"));
        };
        let json = b64(payload, MAX_IDENTITY_TOKEN_LEN).ok_or(bad("payload is not base64url"))?;
        let claims: Value =
            serde_json::from_slice(&json).map_err(|_| bad("payload is not a JSON object"))?;
        let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let subject = claim("email")
            .or_else(|| claim("sub"))
            .filter(|s| !s.is_empty())
            .ok_or(bad("no `email` or `sub` claim"))?;
        // `aud` is a string or an array of strings (RFC 7519 §4.1.3); other values are ignored.
        let audiences = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            raw: raw.to_owned(),
            subject,
            issuer: claim("iss"),
            audiences,
        })
    }

    /// The token as given (the bearer credential sent to Fulcio).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The claim the proof of possession signs: `email`, else `sub`.
    pub fn proof_subject(&self) -> &str {
        &self.subject
    }

    /// The `iss` claim, unverified.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The `aud` claim's values, unverified (empty when the token has no `aud`).
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a Fulcio signingCert response")]
struct WireSigningCert {
    signed_certificate_embedded_sct: Option<WireSignedCert>,
    signed_certificate_detached_sct: Option<Value>,
}

#[derive(Deserialize)]
#[serde(expecting = "a Fulcio signed certificate object")]
struct WireSignedCert {
    chain: WireCertChain,
}

#[derive(Deserialize)]
#[serde(expecting = "a certificate chain object")]
struct WireCertChain {
    certificates: Vec<String>,
}

/// Reads a Fulcio v2 `signingCert` response
/// (<https://github.com/sigstore/fulcio/blob/main/fulcio.proto>, `SigningCertificate`) and
/// returns its leaf, which must certify `key`.
///
/// # Errors
/// [`Error::InvalidResponse`] for malformed JSON, an empty chain or a detached SCT (a v0.3
/// bundle has nowhere to carry one), [`Error::LimitExceeded`] past [`MAX_CERT_CHAIN_LEN`],
/// [`Error::InvalidCertificate`], [`Error::CertificateKeyMismatch`].
pub(crate) fn fulcio_leaf(response: &[u8], key: &PublicKey) -> Result<Certificate, Error> {
    let invalid = |reason| Error::InvalidResponse {
        service: "Fulcio",
        reason,
    };
    let resp: WireSigningCert =
        serde_json::from_slice(response).map_err(|_| invalid("not a signingCert response"))?;
    let chain = match (
        resp.signed_certificate_embedded_sct,
        resp.signed_certificate_detached_sct,
    ) {
        (Some(s), None) => s.chain.certificates,
        (None, Some(_)) => return Err(invalid("detached SCTs are not supported")),
        _ => return Err(invalid("expected exactly one signed certificate")),
    };
    if chain.len() > MAX_CERT_CHAIN_LEN {
        return Err(Error::LimitExceeded(LimitExceeded::new(
            "certificates in the Fulcio chain",
            MAX_CERT_CHAIN_LEN,
        )));
    }
    let leaf_pem = chain.first().ok_or(invalid("empty certificate chain"))?;
    let leaf = Certificate::from_pem(leaf_pem.as_bytes())?;
    if leaf.public_key().spki_der() != key.spki_der() {
        return Err(Error::CertificateKeyMismatch);
    }
    Ok(leaf)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a Rekor log entry")]
struct WireEntry {
    body: String,
    integrated_time: i64,
    #[serde(rename = "logID")]
    log_id: String,
    log_index: i64,
    verification: WireVerification,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a Rekor verification object")]
struct WireVerification {
    signed_entry_timestamp: String,
    inclusion_proof: WireProof,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an inclusion proof object")]
struct WireProof {
    log_index: i64,
    root_hash: String,
    tree_size: i64,
    #[serde(default)]
    hashes: Vec<String>,
    checkpoint: String,
}

/// Turns a Rekor v1 `POST /api/v1/log/entries` response (one `LogEntry`,
/// <https://github.com/sigstore/rekor/blob/main/openapi.yaml>) into the bundle's
/// `TransparencyLogEntry` JSON: kind and version from the body, log ID and proof hashes from hex
/// to base64, the SET as the inclusion promise.
///
/// # Errors
/// [`Error::InvalidResponse`], [`Error::LimitExceeded`] past [`MAX_INCLUSION_PROOF_HASHES`].
pub(crate) fn rekor_v1_entry(response: &[u8]) -> Result<Value, Error> {
    let invalid = |reason| Error::InvalidResponse {
        service: "Rekor",
        reason,
    };
    let entries: BTreeMap<String, WireEntry> =
        serde_json::from_slice(response).map_err(|_| invalid("not a LogEntry response"))?;
    let mut entries = entries.into_values();
    let (Some(e), None) = (entries.next(), entries.next()) else {
        return Err(invalid("expected exactly one entry"));
    };
    let canonical = b64(&e.body, MAX_REKOR_BODY_LEN).ok_or(invalid("body is not base64"))?;
    let kind_of: Value =
        serde_json::from_slice(&canonical).map_err(|_| invalid("body is not JSON"))?;
    let (Some(kind), Some(version)) = (
        kind_of.get("kind").and_then(Value::as_str),
        kind_of.get("apiVersion").and_then(Value::as_str),
    ) else {
        return Err(invalid("body has no kind or apiVersion"));
    };
    let log_id = hex::decode(&e.log_id).map_err(|_| invalid("logID is not hex"))?;
    let p = e.verification.inclusion_proof;
    if p.hashes.len() > MAX_INCLUSION_PROOF_HASHES {
        return Err(Error::LimitExceeded(LimitExceeded::new(
            "inclusion proof hashes",
            MAX_INCLUSION_PROOF_HASHES,
        )));
    }
    let hex_to_b64 = |h: &str| {
        hex::decode(h)
            .map(|b| b64_encode(&b))
            .map_err(|_| invalid("inclusion proof hash is not hex"))
    };
    let hashes = p
        .hashes
        .iter()
        .map(|h| hex_to_b64(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "logIndex": e.log_index.to_string(),
        "logId": {"keyId": b64_encode(&log_id)},
        "kindVersion": {"kind": kind, "version": version},
        "integratedTime": e.integrated_time.to_string(),
        "inclusionPromise": {"signedEntryTimestamp": e.verification.signed_entry_timestamp},
        "inclusionProof": {
            "logIndex": p.log_index.to_string(),
            "rootHash": hex_to_b64(&p.root_hash)?,
            "treeSize": p.tree_size.to_string(),
            "hashes": hashes,
            "checkpoint": {"envelope": p.checkpoint},
        },
        "canonicalizedBody": e.body,
    }))
}

/// Reads a Rekor v2 `POST /api/v2/log/entries` response, which already is a
/// `TransparencyLogEntry`; only its shape (a JSON object) is checked here.
///
/// # Errors
/// [`Error::InvalidResponse`].
pub(crate) fn rekor_v2_entry(response: &[u8]) -> Result<Value, Error> {
    let entry: Value = serde_json::from_slice(response).map_err(|_| Error::InvalidResponse {
        service: "Rekor",
        reason: "not JSON",
    })?;
    if !entry.is_object() {
        return Err(Error::InvalidResponse {
            service: "Rekor",
            reason: "not a TransparencyLogEntry object",
        });
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine as _;

    fn jwt(claims: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.", e(r#"{"alg":"none"}"#), e(claims))
    }

    #[test]
    fn email_wins_over_sub() {
        let t = IdentityToken::parse(&jwt(r#"{"sub":"123","email":"a@b.c","iss":"https://i"}"#))
            .unwrap();
        assert_eq!(t.proof_subject(), "a@b.c");
        assert_eq!(t.issuer(), Some("https://i"));
        let t = IdentityToken::parse(&jwt(r#"{"sub":"repo:x/y"}"#)).unwrap();
        assert_eq!(t.proof_subject(), "repo:x/y");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for t in [
            "",
            "a.b",
            "a.b.c.d",
            &jwt(r#"{"iss":"x"}"#),
            &jwt("[1]"),
            "a.!!!.c",
        ] {
            assert!(IdentityToken::parse(t).is_err(), "{t}");
        }
        let long = "a".repeat(MAX_IDENTITY_TOKEN_LEN + 1);
        assert!(matches!(
            IdentityToken::parse(&long),
            Err(Error::LimitExceeded(_))
        ));
    }

    fn v1_entry(hashes: usize, log_id: &str, body: &str) -> Value {
        json!({"body": body, "integratedTime": 1_700_000_000, "logID": log_id, "logIndex": 7,
               "verification": {"signedEntryTimestamp": "MEUCIQ==", "inclusionProof": {
                   "logIndex": 0, "treeSize": 1, "rootHash": "00ff",
                   "hashes": vec!["ab"; hashes], "checkpoint": "origin\n1\nAA==\n\n"}}})
    }

    const BODY: &str = "eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb3JkIiwic3BlYyI6e319";

    #[test]
    fn rekor_v1_response_becomes_a_bundle_entry() {
        let resp = json!({"uuid": v1_entry(2, "0102", BODY)}).to_string();
        let e = rekor_v1_entry(resp.as_bytes()).unwrap();
        assert_eq!(
            e["kindVersion"],
            json!({"kind": "hashedrekord", "version": "0.0.1"})
        );
        assert_eq!(e["logIndex"], "7");
        assert_eq!(e["integratedTime"], "1700000000");
        assert_eq!(e["logId"]["keyId"], "AQI=");
        assert_eq!(e["inclusionProof"]["rootHash"], "AP8=");
        assert_eq!(e["inclusionProof"]["hashes"], json!(["qw==", "qw=="]));
        assert_eq!(e["inclusionProof"]["logIndex"], "0");
        assert_eq!(e["canonicalizedBody"], BODY);
        assert_eq!(e["inclusionPromise"]["signedEntryTimestamp"], "MEUCIQ==");
    }

    #[test]
    fn malformed_rekor_v1_responses_are_refused() {
        let one = |e: Value| json!({"u": e}).to_string();
        let cases = [
            "[]".to_owned(),
            "{}".to_owned(),
            json!({"a": v1_entry(0, "00", BODY), "b": v1_entry(0, "00", BODY)}).to_string(),
            one(v1_entry(0, "zz", BODY)),
            one(v1_entry(0, "00", "not base64!")),
            one(v1_entry(0, "00", "AAAA")),
            one(v1_entry(0, "00", "e30=")), // {} : no kind
        ];
        for c in &cases {
            assert!(
                matches!(
                    rekor_v1_entry(c.as_bytes()),
                    Err(Error::InvalidResponse { .. })
                ),
                "{c}"
            );
        }
        let many = one(v1_entry(MAX_INCLUSION_PROOF_HASHES + 1, "00", BODY));
        assert!(matches!(
            rekor_v1_entry(many.as_bytes()),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn rekor_v2_response_must_be_an_object() {
        assert!(rekor_v2_entry(br#"{"logIndex":"0"}"#).is_ok());
        for bad in [&b"[]"[..], b"\"x\"", b"nope"] {
            assert!(rekor_v2_entry(bad).is_err());
        }
    }

    #[test]
    fn malformed_fulcio_responses_are_refused() {
        let key = (crate::crypto::RUSTCRYPTO.sign)
            .generate(crate::key::KeyAlgorithm::EcdsaP256)
            .unwrap();
        let key = key.public_key();
        let chain = |certs: Value| {
            json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": certs}}}).to_string()
        };
        for c in [
            "nope".to_owned(),
            "{}".to_owned(),
            chain(json!([])),
            json!({"signedCertificateDetachedSct": {}}).to_string(),
        ] {
            assert!(
                matches!(
                    fulcio_leaf(c.as_bytes(), key),
                    Err(Error::InvalidResponse { .. })
                ),
                "{c}"
            );
        }
        let long = chain(json!(vec!["x"; MAX_CERT_CHAIN_LEN + 1]));
        assert!(matches!(
            fulcio_leaf(long.as_bytes(), key),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            fulcio_leaf(chain(json!(["not pem"])).as_bytes(), key),
            Err(Error::InvalidCertificate(_))
        ));
    }
}
