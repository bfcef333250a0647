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
    #[error("signing failed")]
    Sign(#[from] crate::sign::Error),
    /// The DSSE envelope could not be built.
    #[error("building the DSSE envelope failed")]
    Dsse(#[from] crate::dsse::Error),
    /// The bundle we wrote did not read back (a bug, or a limit exceeded).
    #[error("the bundle does not read back")]
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
    let content = SignedContent::message(artifact, signer, provider)?;
    assemble(&key_material(signer, provider), &[], &[], &content)
}

/// Signs an artifact known by its `digest` (of the scheme's hash, hashed by the caller while
/// reading it) and returns the same v0.3 bundle as [`sign_message`] does for the artifact, with
/// the same signature: ECDSA and RSA sign a digest. Read the signature back with
/// [`Bundle::signature_bytes`] to write it elsewhere too (one signature, not two).
///
/// # Errors
/// [`Error::Sign`] (Ed25519, which needs the whole artifact; a digest of another algorithm than
/// the signer's scheme hash), [`Error::Bundle`].
pub fn sign_message_prehashed(
    digest: &crate::digest::Digest,
    signer: &dyn Signer,
    provider: &Provider,
) -> Result<Bundle, Error> {
    let signature = signer.try_sign_prehashed(digest)?;
    let content = SignedContent::message_signature(digest, signature);
    assemble(&key_material(signer, provider), &[], &[], &content)
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
    let content = SignedContent::dsse(payload_type, payload, signer)?;
    assemble(&key_material(signer, provider), &[], &[], &content)
}

/// The `verificationMaterial.publicKey` of a keyed bundle.
fn key_material(signer: &dyn Signer, provider: &Provider) -> serde_json::Value {
    json!({"publicKey": {"hint": key_hint(signer, provider)}})
}

/// Signed bundle content, before the bundle around it exists: shared by keyed signing here and
/// keyless signing in the `sigstore-client` layer, which logs and timestamps the signature
/// before assembling the bundle.
#[derive(Clone, Debug)]
pub(crate) struct SignedContent {
    /// `messageSignature` or `dsseEnvelope`.
    field: &'static str,
    /// That field's JSON (for DSSE, exactly the envelope).
    pub(crate) json: serde_json::Value,
    /// The signature bytes (the message signature, or the envelope's one signature); read by
    /// the keyless client, which logs and timestamps them.
    #[cfg_attr(not(feature = "sigstore-client"), allow(dead_code))]
    pub(crate) signature: Vec<u8>,
}

impl SignedContent {
    /// Signs `artifact` as a message signature.
    pub(crate) fn message(
        artifact: &[u8],
        signer: &dyn Signer,
        provider: &Provider,
    ) -> Result<Self, Error> {
        let alg = signer.scheme().hash().unwrap_or(Algorithm::Sha256);
        let digest = provider.hash.digest(alg, artifact);
        let signature = signer.try_sign(artifact)?;
        Ok(Self::message_signature(&digest, signature))
    }

    /// A `messageSignature` of `signature` over the artifact of `digest`.
    pub(crate) fn message_signature(digest: &crate::digest::Digest, signature: Vec<u8>) -> Self {
        let alg_name = match digest.algorithm() {
            Algorithm::Sha256 => "SHA2_256",
            Algorithm::Sha384 => "SHA2_384",
            Algorithm::Sha512 => "SHA2_512",
        };
        Self {
            field: "messageSignature",
            json: json!({
                "messageDigest": {"algorithm": alg_name, "digest": b64_encode(digest.as_bytes())},
                "signature": b64_encode(&signature),
            }),
            signature,
        }
    }

    /// Signs `payload` as a DSSE envelope of `payload_type`.
    pub(crate) fn dsse(
        payload_type: &str,
        payload: &[u8],
        signer: &dyn Signer,
    ) -> Result<Self, Error> {
        let env = Envelope::sign(payload_type, payload.to_vec(), &[signer])?;
        let signature = env
            .signatures
            .first()
            .map(|s| s.sig.clone())
            .unwrap_or_default();
        Ok(Self {
            field: "dsseEnvelope",
            json: json!({
                "payload": b64_encode(&env.payload),
                "payloadType": env.payload_type,
                "signatures": [{"sig": b64_encode(&signature), "keyid": ""}],
            }),
            signature,
        })
    }
}

/// Writes a v0.3 bundle of `material` (the `verificationMaterial` signer field), log entries,
/// RFC 3161 timestamps (DER `TimeStampResp`s) and `content`, and parses it back.
pub(crate) fn assemble(
    material: &serde_json::Value,
    tlog_entries: &[serde_json::Value],
    timestamps: &[Vec<u8>],
    content: &SignedContent,
) -> Result<Bundle, Error> {
    let mut vm = material.clone();
    if let Some(obj) = vm.as_object_mut() {
        obj.insert("tlogEntries".into(), json!(tlog_entries));
        let ts: Vec<_> = timestamps
            .iter()
            .map(|t| json!({"signedTimestamp": b64_encode(t)}))
            .collect();
        obj.insert(
            "timestampVerificationData".into(),
            json!({"rfc3161Timestamps": ts}),
        );
    }
    let mut doc = json!({"mediaType": MEDIA_TYPE_V03, "verificationMaterial": vm});
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(content.field.into(), content.json.clone());
    }
    // invariant: a serde_json::Value always serializes.
    let bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    Ok(Bundle::from_json(&bytes)?)
}
