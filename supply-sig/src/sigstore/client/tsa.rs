//! RFC 3161 timestamps over the signature bytes, requested in one of two formats
//! ([`TimestampRequestFormat`]):
//! - JSON, the Sigstore timestamp authority's own request
//!   (<https://github.com/sigstore/timestamp-authority>, `POST /api/v1/timestamp` with
//!   `application/json`: the hash, base64, its algorithm, a nonce and `certificates`);
//! - DER, RFC 3161's `TimeStampReq` (`application/timestamp-query`), which every RFC 3161 TSA
//!   takes, Sigstore's included.
//!
//! Either way the answer is a DER `TimeStampResp` (`application/timestamp-reply`) whose nonce
//! must be the one sent: an answer to another request is refused.

use der::asn1::{ObjectIdentifier, OctetStringRef, UintRef};
use der::{Encode as _, Sequence};
use rand_core::RngCore as _;
use serde_json::json;
use spki::AlgorithmIdentifierRef;

use super::http::{post, post_json};
use super::Error;
use crate::limits::MAX_TIMESTAMP_LEN;
use crate::sigstore::b64_encode;
use crate::sigstore::tsa::SignedTimestamp;

const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// How the timestamp request is encoded.
///
/// The default is [`TimestampRequestFormat::Json`]: Sigstore's timestamp authority takes both
/// formats, but sigstore-js's `@sigstore/mock` TSA (the test double of the Sigstore clients)
/// parses only JSON. A generic RFC 3161 TSA (an `openssl ts` server, a commercial TSA) takes
/// only [`TimestampRequestFormat::Der`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampRequestFormat {
    /// The Sigstore timestamp authority's JSON request (`application/json`).
    #[default]
    Json,
    /// RFC 3161 `TimeStampReq`, DER (`application/timestamp-query`).
    Der,
}

/// RFC 3161 §2.4.1 `MessageImprint`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint<'a> {
    hash_algorithm: AlgorithmIdentifierRef<'a>,
    hashed_message: OctetStringRef<'a>,
}

/// RFC 3161 §2.4.1 `TimeStampReq` (no `reqPolicy`, no `extensions`: the TSA's default policy).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq<'a> {
    version: u8,
    message_imprint: MessageImprint<'a>,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<UintRef<'a>>,
    /// `DEFAULT FALSE`: omitted from the DER when false.
    #[asn1(default = "Default::default")]
    cert_req: bool,
}

/// The DER `TimeStampReq` for a SHA-256 `imprint` with `nonce` (big-endian, unsigned),
/// asking for the TSA's certificate.
fn der_request(imprint: &[u8], nonce: &[u8]) -> Result<Vec<u8>, der::Error> {
    TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierRef {
                oid: OID_SHA256,
                parameters: None,
            },
            hashed_message: OctetStringRef::new(imprint)?,
        },
        req_policy: None,
        nonce: Some(UintRef::new(nonce)?),
        cert_req: true,
    }
    .to_der()
}

/// Asks the TSA at `url` (the signing config's full URL) to timestamp `signature_sha256`, the
/// SHA-256 of the signature, with a fresh random nonce, and returns the DER `TimeStampResp`.
/// It is parsed and its nonce checked here; the caller verifies the finished bundle (imprint,
/// TSA chain, time).
pub(super) async fn timestamp(
    http: &reqwest::Client,
    url: &str,
    format: TimestampRequestFormat,
    signature_sha256: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut rng = rand_core::OsRng;
    let der = match format {
        TimestampRequestFormat::Json => {
            // 53 bits: the largest integer every JSON parser reads exactly (the mock's is
            // JavaScript's).
            let nonce = rng.next_u64() >> 11;
            let request = json!({
                "artifactHash": b64_encode(signature_sha256),
                "hashAlgorithm": "sha256",
                "certificates": true,
                "nonce": nonce,
            });
            let der = post_json(
                http,
                url,
                &request,
                "application/timestamp-reply",
                MAX_TIMESTAMP_LEN,
                "timestamp response",
            )
            .await?;
            check(der, &nonce.to_be_bytes(), url)?
        }
        TimestampRequestFormat::Der => {
            let mut nonce = [0u8; 8];
            rng.fill_bytes(&mut nonce);
            let request = der_request(signature_sha256, &nonce).map_err(Error::TimestampRequest)?;
            let der = post(
                http,
                url,
                "application/timestamp-query",
                request,
                "application/timestamp-reply",
                MAX_TIMESTAMP_LEN,
                "timestamp response",
            )
            .await?;
            check(der, &nonce, url)?
        }
    };
    Ok(der)
}

/// Parses `der` and checks that it carries `nonce` (big-endian, leading zeros ignored).
fn check(der: Vec<u8>, nonce: &[u8], url: &str) -> Result<Vec<u8>, Error> {
    let ts = SignedTimestamp::from_der(&der).map_err(Error::InvalidTimestamp)?;
    let want = strip(nonce);
    if ts.nonce.as_deref().map(strip) != Some(want) {
        return Err(Error::TimestampNonceMismatch {
            url: url.to_owned(),
        });
    }
    Ok(der)
}

fn strip(b: &[u8]) -> &[u8] {
    let zeros = b.iter().take_while(|&&x| x == 0).count();
    &b[zeros..]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use der::Decode as _;

    use super::*;

    #[test]
    fn der_request_is_rfc3161() {
        let imprint = [0xab; 32];
        // A nonce with its top bit set: encoded as a positive INTEGER (a leading 0x00).
        let nonce = [0x80, 1, 2, 3, 4, 5, 6, 7];
        let der = der_request(&imprint, &nonce).unwrap();
        let req = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(req.version, 1);
        assert_eq!(req.message_imprint.hash_algorithm.oid, OID_SHA256);
        assert_eq!(req.message_imprint.hashed_message.as_bytes(), &imprint);
        assert_eq!(req.nonce.unwrap().as_bytes(), &nonce);
        assert!(req.cert_req);
        assert!(req.req_policy.is_none());
        // SEQUENCE { INTEGER 1, SEQUENCE { SEQUENCE { OID sha256 }, OCTET STRING }, INTEGER
        // nonce, BOOLEAN TRUE }, byte for byte.
        let mut want = hex::decode("3042020101302f300b0609608648016503040201").unwrap();
        want.extend(hex::decode("0420").unwrap());
        want.extend(imprint);
        want.extend(hex::decode("0209008001020304050607").unwrap());
        want.extend(hex::decode("0101ff").unwrap());
        assert_eq!(der, want);
    }

    #[test]
    fn leading_zeros_do_not_matter_in_nonces() {
        assert_eq!(strip(&[0, 0, 5, 0]), &[5, 0]);
        assert_eq!(strip(&[0, 0]), &[] as &[u8]);
    }
}
