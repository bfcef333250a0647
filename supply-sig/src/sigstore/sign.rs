//! Keyed signing producing v0.3 bundles: a message signature over an artifact, or a DSSE
//! envelope. The verification material is the public key (a hint, never the key itself: the
//! verifier must already know the key). No log entry or timestamp is added here; upload to
//! Rekor and RFC 3161 timestamping belong to the `sigstore-client` I/O layer.
//!
//! The bundle is written once as JSON and parsed back, so [`Bundle::raw`] is exactly what a
//! peer receives.

use serde_json::json;

use crate::crypto::Provider;
use crate::digest::Algorithm;
use crate::dsse::Envelope;
use crate::sign::Signer;

use super::b64_encode;
use super::bundle::{self, Bundle, MEDIA_TYPE_V03};

/// Errors from signing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signer failed.
    #[error("signing failed: {0}")]
    Sign(#[from] crate::sign::Error),
    /// The DSSE envelope could not be built.
    #[error("DSSE: {0}")]
    Dsse(#[from] crate::dsse::Error),
    /// The bundle we wrote did not read back (a bug, or a limit exceeded).
    #[error("bundle does not read back: {0}")]
    Bundle(#[from] bundle::Error),
}

/// The public-key hint written into keyed bundles: base64 of SHA-256 of the DER SPKI.
pub fn key_hint(signer: &dyn Signer, provider: &Provider) -> String {
    b64_encode(
        provider
            .hash
            .digest(Algorithm::Sha256, signer.public_key().spki_der())
            .as_bytes(),
    )
}

/// Signs `artifact` and returns a v0.3 bundle with a `messageSignature` (the digest uses the
/// scheme's hash, SHA-256 for Ed25519).
///
/// # Errors
/// [`Error::Sign`], [`Error::Bundle`].
pub fn sign_message(
    artifact: &[u8],
    signer: &dyn Signer,
    provider: &Provider,
) -> Result<Bundle, Error> {
    let alg = signer.scheme().hash().unwrap_or(Algorithm::Sha256);
    let digest = provider.hash.digest(alg, artifact);
    let sig = signer.try_sign(artifact)?;
    let alg_name = match alg {
        Algorithm::Sha256 => "SHA2_256",
        Algorithm::Sha384 => "SHA2_384",
        Algorithm::Sha512 => "SHA2_512",
    };
    let doc = json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": {
            "publicKey": {"hint": key_hint(signer, provider)},
            "tlogEntries": [],
            "timestampVerificationData": {"rfc3161Timestamps": []},
        },
        "messageSignature": {
            "messageDigest": {"algorithm": alg_name, "digest": b64_encode(digest.as_bytes())},
            "signature": b64_encode(&sig),
        },
    });
    finish(&doc)
}

/// Signs `payload` as a DSSE envelope of `payload_type` and returns a v0.3 bundle.
///
/// # Errors
/// [`Error::Dsse`], [`Error::Bundle`].
pub fn sign_dsse(
    payload_type: &str,
    payload: &[u8],
    signer: &dyn Signer,
    provider: &Provider,
) -> Result<Bundle, Error> {
    let env = Envelope::sign(payload_type, payload.to_vec(), &[signer])?;
    let sig = env
        .signatures
        .first()
        .map(|s| b64_encode(&s.sig))
        .unwrap_or_default();
    let doc = json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": {
            "publicKey": {"hint": key_hint(signer, provider)},
            "tlogEntries": [],
            "timestampVerificationData": {"rfc3161Timestamps": []},
        },
        "dsseEnvelope": {
            "payload": b64_encode(&env.payload),
            "payloadType": env.payload_type,
            "signatures": [{"sig": sig, "keyid": ""}],
        },
    });
    finish(&doc)
}

fn finish(doc: &serde_json::Value) -> Result<Bundle, Error> {
    // invariant: a serde_json::Value always serializes.
    let bytes = serde_json::to_vec_pretty(doc).unwrap_or_default();
    Ok(Bundle::from_json(&bytes)?)
}
