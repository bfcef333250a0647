//! Rekor v1 `POST /api/v1/log/entries`: a hashedrekord 0.0.1 entry for a message signature, a
//! dsse 0.0.1 entry for a DSSE envelope; the response becomes a bundle `TransparencyLogEntry`
//! (<https://github.com/sigstore/rekor/blob/main/openapi.yaml>, `LogEntry`).
//!
//! Rekor v2 `POST /api/v2/log/entries` (rekor-tiles, `CreateEntryRequest`): a
//! `hashedRekordRequestV002` for both kinds of content (a DSSE envelope is logged as a
//! hashedrekord over SHA-256 of its PAE, as sigstore-python does); the response already is a
//! `TransparencyLogEntry`.

use serde_json::{json, Value};

use super::http::{join, post_json};
use super::Error;
use crate::limits::MAX_REKOR_RESPONSE_LEN;
use crate::sigstore::b64_encode;
use crate::sigstore::service::{rekor_v1_entry, rekor_v2_entry};

/// What is logged in Rekor v2: a hashedrekord over `digest` (SHA-256 of the artifact, or of
/// the DSSE PAE) with `signature`.
pub(super) struct ProposalV2<'a> {
    /// The SHA-256 digest.
    pub(super) sha256: &'a [u8],
    /// The signature.
    pub(super) signature: &'a [u8],
}

/// Uploads `proposal` signed by the certificate `cert_der` to the Rekor v2 at `base` and
/// returns the `TransparencyLogEntry` it answers with (read by [`rekor_v2_entry`]); the caller
/// verifies the finished bundle.
pub(super) async fn upload_v2(
    http: &reqwest::Client,
    base: &str,
    proposal: &ProposalV2<'_>,
    cert_der: &[u8],
) -> Result<Value, Error> {
    let request = json!({
        "hashedRekordRequestV002": {
            "digest": b64_encode(proposal.sha256),
            "signature": {
                "content": b64_encode(proposal.signature),
                "verifier": {
                    "x509Certificate": {"rawBytes": b64_encode(cert_der)},
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                },
            },
        },
    });
    let body = post_entry(http, base, "/api/v2/log/entries", &request).await?;
    Ok(rekor_v2_entry(&body)?)
}

/// What is logged in Rekor v1.
pub(super) enum Proposal<'a> {
    /// A signature over an artifact with this SHA-256 digest.
    HashedRekord {
        /// The artifact's SHA-256.
        sha256: &'a [u8],
        /// The signature.
        signature: &'a [u8],
    },
    /// A DSSE envelope, as its JSON text.
    Dsse {
        /// The envelope JSON.
        envelope: &'a str,
    },
}

/// Uploads `proposal` signed by the certificate `cert_pem` to the Rekor v1 at `base` and
/// returns the bundle's `TransparencyLogEntry` JSON (made by [`rekor_v1_entry`]); the caller
/// verifies the finished bundle.
pub(super) async fn upload(
    http: &reqwest::Client,
    base: &str,
    proposal: &Proposal<'_>,
    cert_pem: &str,
) -> Result<Value, Error> {
    let verifier = b64_encode(cert_pem.as_bytes());
    let request = match proposal {
        Proposal::HashedRekord { sha256, signature } => json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": hex::encode(sha256)}},
                "signature": {"content": b64_encode(signature), "publicKey": {"content": verifier}},
            },
        }),
        Proposal::Dsse { envelope } => json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {"proposedContent": {"envelope": envelope, "verifiers": [verifier]}},
        }),
    };
    let body = post_entry(http, base, "/api/v1/log/entries", &request).await?;
    Ok(rekor_v1_entry(&body)?)
}

/// POSTs a create-entry `request` to `path` of the Rekor at `base`; the answer is bounded by
/// [`MAX_REKOR_RESPONSE_LEN`].
async fn post_entry(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    request: &Value,
) -> Result<Vec<u8>, Error> {
    let url = join(base, path);
    post_json(
        http,
        &url,
        request,
        "application/json",
        MAX_REKOR_RESPONSE_LEN,
        "Rekor response",
    )
    .await
}
