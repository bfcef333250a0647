//! Rekor v1 `POST /api/v1/log/entries`: a hashedrekord 0.0.1 entry for a message signature, a
//! dsse 0.0.1 entry for a DSSE envelope; the response becomes a bundle `TransparencyLogEntry`
//! (<https://github.com/sigstore/rekor/blob/main/openapi.yaml>, `LogEntry`).
//!
//! Rekor v2 `POST /api/v2/log/entries` (rekor-tiles, `CreateEntryRequest`): a
//! `hashedRekordRequestV002` for both kinds of content (a DSSE envelope is logged as a
//! hashedrekord over SHA-256 of its PAE, as sigstore-python does); the response already is a
//! `TransparencyLogEntry`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{join, post};
use super::Error;
use crate::limits::{MAX_INCLUSION_PROOF_HASHES, MAX_REKOR_BODY_LEN, MAX_REKOR_RESPONSE_LEN};
use crate::sigstore::{b64, b64_encode};

/// What is logged in Rekor v2: a hashedrekord over `digest` (SHA-256 of the artifact, or of
/// the DSSE PAE) with `signature`.
pub(super) struct ProposalV2<'a> {
    /// The SHA-256 digest.
    pub(super) sha256: &'a [u8],
    /// The signature.
    pub(super) signature: &'a [u8],
}

/// Uploads `proposal` signed by the certificate `cert_der` to the Rekor v2 at `base` and
/// returns the `TransparencyLogEntry` it answers with, unchecked beyond being a JSON object;
/// the caller verifies the finished bundle.
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
    let url = join(base, "/api/v2/log/entries");
    let body = post(
        http,
        &url,
        "application/json",
        "application/json",
        request.to_string().into_bytes(),
        MAX_REKOR_RESPONSE_LEN,
        "Rekor response",
    )
    .await?;
    let entry: Value = serde_json::from_slice(&body).map_err(|_| Error::InvalidResponse {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEntry {
    body: String,
    integrated_time: i64,
    #[serde(rename = "logID")]
    log_id: String,
    log_index: i64,
    verification: WireVerification,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireVerification {
    signed_entry_timestamp: String,
    inclusion_proof: WireProof,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProof {
    log_index: i64,
    root_hash: String,
    tree_size: i64,
    #[serde(default)]
    hashes: Vec<String>,
    checkpoint: String,
}

/// Uploads `proposal` signed by the certificate `cert_pem` to the Rekor v1 at `base` and
/// returns the bundle's `TransparencyLogEntry` JSON. Nothing in it is checked here beyond its
/// shape; the caller verifies the finished bundle.
pub(super) async fn upload(
    http: &reqwest::Client,
    base: &str,
    proposal: &Proposal<'_>,
    cert_pem: &str,
) -> Result<Value, Error> {
    let invalid = |reason| Error::InvalidResponse {
        service: "Rekor",
        reason,
    };
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
    let url = join(base, "/api/v1/log/entries");
    let body = post(
        http,
        &url,
        "application/json",
        "application/json",
        request.to_string().into_bytes(),
        MAX_REKOR_RESPONSE_LEN,
        "Rekor response",
    )
    .await?;
    let entries: BTreeMap<String, WireEntry> =
        serde_json::from_slice(&body).map_err(|_| invalid("not a LogEntry response"))?;
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
        return Err(Error::LimitExceeded {
            what: "inclusion proof hashes",
            limit: MAX_INCLUSION_PROOF_HASHES,
        });
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
