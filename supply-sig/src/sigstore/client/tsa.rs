//! RFC 3161 timestamps from a Sigstore timestamp authority
//! (<https://github.com/sigstore/timestamp-authority>, `POST /api/v1/timestamp` with its JSON
//! request: the artifact hash, base64, and the hash algorithm), over the signature bytes.

use serde_json::json;

use super::http::post_json;
use super::Error;
use crate::limits::MAX_TIMESTAMP_LEN;
use crate::sigstore::b64_encode;
use crate::sigstore::tsa::SignedTimestamp;

/// Asks the TSA at `url` (the signing config's full URL) to timestamp `signature_sha256`, the
/// SHA-256 of the signature, and returns the DER `TimeStampResp`. It is only parsed here; the
/// caller verifies the finished bundle (imprint, TSA chain, time).
pub(super) async fn timestamp(
    http: &reqwest::Client,
    url: &str,
    signature_sha256: &[u8],
) -> Result<Vec<u8>, Error> {
    let request = json!({
        "artifactHash": b64_encode(signature_sha256),
        "hashAlgorithm": "sha256",
        "certificates": true,
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
    SignedTimestamp::from_der(&der).map_err(Error::InvalidTimestamp)?;
    Ok(der)
}
