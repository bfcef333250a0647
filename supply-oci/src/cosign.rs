//! cosign's image signatures as stored under the `sha256-<hex>.sig` tag: read, verify, make.
//!
//! A cosign `.sig` manifest has one layer per signature. Each layer is a *simple signing*
//! payload (`application/vnd.dev.cosign.simplesigning.v1+json`: the image's manifest digest and
//! the reference it was signed for) whose annotations carry the base64 signature over the
//! payload bytes and, for keyless signatures, the Fulcio certificate, its chain and the Rekor
//! entry (`dev.sigstore.cosign/bundle`: the signed entry timestamp and the logged body).
//!
//! Verification ([`verify`]) is sync, I/O- and clock-free. It turns the layer into a Sigstore
//! bundle v0.1 (the shape sigstore-go gives these signatures too) and runs Sigstore's own
//! verification ([`supply_sig::sigstore::verify`]) over the payload bytes: signature, key or
//! certificate chain at the logged time, identity, SET and the logged body. Only then is the
//! payload read, and its manifest digest must be the image's.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use supply_sig::crypto::Provider;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::fulcio::FulcioIdentity;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{self as sigstore_verify, Policy};
use supply_sig::time::Timestamp;
use supply_sig::x509::Certificate;

use crate::limits::MAX_SIMPLE_SIGNING_LEN;

/// The media type of a simple signing payload (a `.sig` manifest's layers).
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The `critical.type` every cosign image signature payload carries.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";
/// The layer annotation holding the base64 signature over the payload bytes.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The layer annotation holding the PEM signing certificate (keyless).
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// The layer annotation holding the PEM chain above the certificate (keyless).
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// The layer annotation holding the Rekor entry (signed entry timestamp and body).
pub const BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

/// Why a cosign signature was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The layer is not a simple signing payload.
    #[error("a layer of type {0} is not a cosign signature")]
    NotASignature(String),
    /// The layer has no `dev.cosignproject.cosign/signature` annotation.
    #[error("the layer has no {SIGNATURE_ANNOTATION} annotation")]
    MissingSignature,
    /// An annotation is not what it should hold.
    #[error("the {annotation} annotation is invalid")]
    InvalidAnnotation {
        /// The annotation.
        annotation: &'static str,
    },
    /// The certificate or chain annotation is not PEM X.509.
    #[error("the {annotation} annotation is not a PEM certificate")]
    InvalidCertificate {
        /// The annotation.
        annotation: &'static str,
        /// The parse failure.
        #[source]
        source: supply_sig::x509::Error,
    },
    /// The payload is over [`MAX_SIMPLE_SIGNING_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
    /// The payload is not strict JSON of the simple signing shape.
    #[error("the signed payload is not a simple signing document")]
    InvalidPayload(#[source] Option<crate::validate::Error>),
    /// The payload's `critical.type` is not [`SIGNATURE_TYPE`].
    #[error("the signed payload has type {0:?}, not {SIGNATURE_TYPE:?}")]
    WrongType(String),
    /// The signature verified but covers another image.
    #[error("the signature is for {signed}, not for the image verified")]
    DigestMismatch {
        /// The manifest digest the payload names.
        signed: Box<Digest>,
    },
    /// The bundle assembled from the layer did not parse.
    #[error("the signature's material does not form a Sigstore bundle")]
    Bundle(#[source] supply_sig::sigstore::bundle::Error),
    /// The signer failed.
    #[error("signing failed")]
    Sign(#[source] supply_sig::sign::Error),
    /// A `.sig` manifest that could not be encoded.
    #[error("the signature manifest could not be built")]
    Manifest(#[source] crate::manifest::Error),
    /// Sigstore verification failed: signature, key, certificate, identity or log.
    #[error("the signature did not verify")]
    Verification(#[source] sigstore_verify::Error),
    /// A registry request failed.
    #[cfg(feature = "client")]
    #[error("the registry request failed")]
    Registry(#[source] Box<crate::registry::Error>),
    /// A bundle that cannot be written as `.sig` annotations: not a message signature over the
    /// payload, or a log entry without the signed entry timestamp cosign's annotation needs.
    #[error("the bundle cannot be carried by a .sig layer: {0}")]
    NotASigBundle(&'static str),
    /// The manifest under the `.sig` tag is not a signature image cosign can append to.
    #[error("the manifest under {0} is not a cosign signature image")]
    NotASignatureImage(String),
}

#[cfg(feature = "client")]
impl From<crate::registry::Error> for Error {
    fn from(e: crate::registry::Error) -> Self {
        Self::Registry(Box::new(e))
    }
}

/// A simple signing payload: what a cosign image signature signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleSigning {
    raw: Vec<u8>,
    docker_reference: String,
    manifest_digest: Digest,
    optional: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct PayloadJson {
    critical: Critical,
    #[serde(default)]
    optional: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Serialize, Deserialize)]
struct Critical {
    identity: Identity,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Serialize, Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(Serialize, Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

impl SimpleSigning {
    /// A payload for the image `manifest_digest` signed for `docker_reference` (the repository,
    /// as cosign writes it), with cosign's `-a key=value` annotations in `optional`.
    pub fn new(
        docker_reference: impl Into<String>,
        manifest_digest: Digest,
        optional: BTreeMap<String, String>,
    ) -> Self {
        let docker_reference = docker_reference.into();
        let optional: BTreeMap<String, serde_json::Value> = optional
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let doc = PayloadJson {
            critical: Critical {
                identity: Identity {
                    docker_reference: docker_reference.clone(),
                },
                image: Image {
                    docker_manifest_digest: manifest_digest.to_string(),
                },
                kind: SIGNATURE_TYPE.to_owned(),
            },
            optional: (!optional.is_empty()).then(|| optional.clone()),
        };
        // Serializing string-keyed maps and strings cannot fail.
        let raw = serde_json::to_vec(&doc).unwrap_or_default();
        Self {
            raw,
            docker_reference,
            manifest_digest,
            optional,
        }
    }

    /// Reads a payload: strict JSON, `critical.type` checked.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`], [`Error::InvalidPayload`] or [`Error::WrongType`].
    pub fn from_bytes(raw: &[u8]) -> Result<Self, Error> {
        let value = crate::validate::parse_strict(raw, MAX_SIMPLE_SIGNING_LEN, "simple signing")
            .map_err(|e| match e {
                crate::validate::Error::LimitExceeded(l) => Error::LimitExceeded(l),
                other => Error::InvalidPayload(Some(other)),
            })?;
        let doc: PayloadJson =
            serde_json::from_value(value).map_err(|_| Error::InvalidPayload(None))?;
        if doc.critical.kind != SIGNATURE_TYPE {
            return Err(Error::WrongType(doc.critical.kind));
        }
        let manifest_digest = Digest::parse(&doc.critical.image.docker_manifest_digest)
            .map_err(|_| Error::InvalidPayload(None))?;
        Ok(Self {
            raw: raw.to_vec(),
            docker_reference: doc.critical.identity.docker_reference,
            manifest_digest,
            optional: doc.optional.unwrap_or_default(),
        })
    }

    /// The exact payload bytes (what the signature covers).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// `critical.identity.docker-reference`.
    pub fn docker_reference(&self) -> &str {
        &self.docker_reference
    }

    /// `critical.image.docker-manifest-digest`.
    pub fn manifest_digest(&self) -> &Digest {
        &self.manifest_digest
    }

    /// The `optional` annotations.
    pub fn optional(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.optional
    }
}

/// One cosign signature: a `.sig` layer's payload and annotations.
#[derive(Debug, Clone)]
pub struct Signature {
    payload: Vec<u8>,
    signature: Vec<u8>,
    certificate: Option<Certificate>,
    chain: Vec<Certificate>,
    rekor: Option<RekorBundle>,
}

/// The `dev.sigstore.cosign/bundle` annotation: a Rekor entry with its signed entry timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RekorBundle {
    /// The SET, base64.
    #[serde(rename = "SignedEntryTimestamp")]
    pub signed_entry_timestamp: String,
    /// What the SET signs.
    #[serde(rename = "Payload")]
    pub payload: RekorPayload,
}

/// What a Rekor SET signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RekorPayload {
    /// The canonicalized entry body, base64.
    pub body: String,
    /// The time the log integrated the entry (Unix seconds).
    #[serde(rename = "integratedTime")]
    pub integrated_time: i64,
    /// The entry's index.
    #[serde(rename = "logIndex")]
    pub log_index: i64,
    /// The log's id, hex.
    #[serde(rename = "logID")]
    pub log_id: String,
}

fn b64(s: &str, annotation: &'static str) -> Result<Vec<u8>, Error> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| Error::InvalidAnnotation { annotation })
}

impl Signature {
    /// Reads a `.sig` layer: its media type, its descriptor's annotations and its bytes (the
    /// payload, already checked against the layer digest by whoever fetched it).
    ///
    /// # Errors
    /// [`Error::NotASignature`], [`Error::MissingSignature`], [`Error::InvalidAnnotation`] or
    /// [`Error::InvalidCertificate`].
    pub fn from_layer(
        media_type: &str,
        annotations: &BTreeMap<String, String>,
        payload: &[u8],
    ) -> Result<Self, Error> {
        if media_type != SIMPLE_SIGNING_MEDIA_TYPE {
            return Err(Error::NotASignature(media_type.to_owned()));
        }
        if payload.len() > MAX_SIMPLE_SIGNING_LEN {
            return Err(supply_sig::limits::LimitExceeded::new(
                "simple signing payload",
                MAX_SIMPLE_SIGNING_LEN as u64,
            )
            .with_actual(payload.len() as u64)
            .into());
        }
        let signature = annotations
            .get(SIGNATURE_ANNOTATION)
            .ok_or(Error::MissingSignature)?;
        let signature = b64(signature, SIGNATURE_ANNOTATION)?;
        let pem = |annotation: &'static str| {
            annotations
                .get(annotation)
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    Certificate::from_pem_chain(s.as_bytes())
                        .map_err(|source| Error::InvalidCertificate { annotation, source })
                })
                .transpose()
        };
        let mut certificate = pem(CERTIFICATE_ANNOTATION)?.unwrap_or_default();
        if certificate.len() > 1 {
            return Err(Error::InvalidAnnotation {
                annotation: CERTIFICATE_ANNOTATION,
            });
        }
        let chain = pem(CHAIN_ANNOTATION)?.unwrap_or_default();
        let rekor = annotations
            .get(BUNDLE_ANNOTATION)
            .map(|s| {
                crate::validate::parse_strict(s.as_bytes(), MAX_SIMPLE_SIGNING_LEN, "cosign bundle")
                    .ok()
                    .and_then(|v| serde_json::from_value::<RekorBundle>(v).ok())
                    .ok_or(Error::InvalidAnnotation {
                        annotation: BUNDLE_ANNOTATION,
                    })
            })
            .transpose()?;
        Ok(Self {
            payload: payload.to_vec(),
            signature,
            certificate: certificate.pop(),
            chain,
            rekor,
        })
    }

    /// A keyed signature over `payload` (no certificate, no log entry), as
    /// `cosign sign --key K --tlog-upload=false` makes.
    pub fn keyed(payload: &SimpleSigning, signature: Vec<u8>) -> Self {
        Self {
            payload: payload.raw.clone(),
            signature,
            certificate: None,
            chain: Vec::new(),
            rekor: None,
        }
    }

    /// The signature a message-signature bundle over `payload` makes, as cosign 2's keyless
    /// `sign` writes it: the signature, the signing certificate (and any further certificates
    /// the bundle carried as the chain) and the Rekor entry with its signed entry timestamp.
    /// The inverse of [`Signature::to_bundle`]; the bundle is expected to have been verified
    /// by whoever made it (a keyless signer does).
    ///
    /// # Errors
    /// [`Error::NotASigBundle`] for a DSSE bundle, a message digest other than the payload's
    /// SHA-256, or log entries none of which has a signed entry timestamp (Rekor v2 entries
    /// carry only an inclusion proof, which the `.sig` annotations cannot hold).
    pub fn from_bundle(payload: &SimpleSigning, bundle: &Bundle) -> Result<Self, Error> {
        use supply_sig::sigstore::bundle::{Content, VerificationMaterial};
        let Content::MessageSignature(m) = bundle.content() else {
            return Err(Error::NotASigBundle(
                "a DSSE envelope, not a message signature",
            ));
        };
        if m.digest
            .as_ref()
            .is_some_and(|d| *d != Algorithm::Sha256.digest(&payload.raw))
        {
            return Err(Error::NotASigBundle(
                "the message digest is not the payload's",
            ));
        }
        let (certificate, chain) = match bundle.material() {
            VerificationMaterial::Certificate { leaf, rest } => {
                (Some(leaf.as_ref().clone()), rest.clone())
            }
            _ => (None, Vec::new()),
        };
        let std = base64::engine::general_purpose::STANDARD;
        let rekor = match bundle.tlog_entries() {
            [] => None,
            entries => {
                let (e, set, time) = entries
                    .iter()
                    .find_map(|e| Some((e, e.signed_entry_timestamp.as_ref()?, e.integrated_time?)))
                    .ok_or(Error::NotASigBundle(
                        "no log entry has a signed entry timestamp",
                    ))?;
                Some(RekorBundle {
                    signed_entry_timestamp: std.encode(set),
                    payload: RekorPayload {
                        body: std.encode(&e.canonicalized_body),
                        integrated_time: time,
                        log_index: e.log_index,
                        log_id: hex::encode(&e.log_id),
                    },
                })
            }
        };
        Ok(Self {
            payload: payload.raw.clone(),
            signature: m.signature.clone(),
            certificate,
            chain,
            rekor,
        })
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The raw signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signing certificate (keyless).
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// The Rekor entry, when the signature was logged.
    pub fn rekor(&self) -> Option<&RekorBundle> {
        self.rekor.as_ref()
    }

    /// The layer annotations that carry this signature.
    pub fn annotations(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert(
            SIGNATURE_ANNOTATION.to_owned(),
            base64::engine::general_purpose::STANDARD.encode(&self.signature),
        );
        if let Some(cert) = &self.certificate {
            out.insert(CERTIFICATE_ANNOTATION.to_owned(), cert.to_pem());
            let chain: String = self.chain.iter().map(Certificate::to_pem).collect();
            out.insert(CHAIN_ANNOTATION.to_owned(), chain);
        }
        if let Some(rekor) = &self.rekor {
            // Serializing strings and integers cannot fail.
            let json = serde_json::to_string(rekor).unwrap_or_default();
            out.insert(BUNDLE_ANNOTATION.to_owned(), json);
        }
        out
    }

    /// The Sigstore bundle v0.1 that says the same: the message signature over the payload,
    /// the certificate chain or a key hint, and the Rekor entry with its SET.
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] for a Rekor entry that is not hex/base64, or
    /// [`Error::Bundle`] when the result does not parse as a bundle.
    pub fn to_bundle(&self) -> Result<Bundle, Error> {
        let std = base64::engine::general_purpose::STANDARD;
        let material = match &self.certificate {
            Some(leaf) => {
                let certs: Vec<_> = std::iter::once(leaf)
                    .chain(&self.chain)
                    .map(|c| serde_json::json!({"rawBytes": std.encode(c.der())}))
                    .collect();
                serde_json::json!({"x509CertificateChain": {"certificates": certs}})
            }
            None => serde_json::json!({"publicKey": {"hint": ""}}),
        };
        let mut material = material;
        let entries: Vec<serde_json::Value> = match &self.rekor {
            Some(r) => {
                let log_id =
                    hex::decode(&r.payload.log_id).map_err(|_| Error::InvalidAnnotation {
                        annotation: BUNDLE_ANNOTATION,
                    })?;
                let body = b64(&r.payload.body, BUNDLE_ANNOTATION)?;
                let kind: serde_json::Value =
                    serde_json::from_slice(&body).map_err(|_| Error::InvalidAnnotation {
                        annotation: BUNDLE_ANNOTATION,
                    })?;
                vec![serde_json::json!({
                    "logIndex": r.payload.log_index.to_string(),
                    "logId": {"keyId": std.encode(log_id)},
                    "kindVersion": {"kind": kind["kind"], "version": kind["apiVersion"]},
                    "integratedTime": r.payload.integrated_time.to_string(),
                    "inclusionPromise": {"signedEntryTimestamp": r.signed_entry_timestamp},
                    "canonicalizedBody": r.payload.body,
                })]
            }
            None => Vec::new(),
        };
        material["tlogEntries"] = serde_json::Value::Array(entries);
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "verificationMaterial": material,
            "messageSignature": {
                "messageDigest": {
                    "algorithm": "SHA2_256",
                    "digest": std.encode(Algorithm::Sha256.digest(&self.payload).as_bytes()),
                },
                "signature": std.encode(&self.signature),
            },
        });
        // A `serde_json::Value` always serializes.
        let json = serde_json::to_vec(&bundle).unwrap_or_default();
        Bundle::from_json(&json).map_err(Error::Bundle)
    }
}

/// A cosign signature that verified for an image; only [`verify`] builds it.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    payload: SimpleSigning,
    identity: Option<FulcioIdentity>,
    signing_key: supply_sig::key::PublicKey,
    signed_times: Vec<Timestamp>,
    checks: Vec<sigstore_verify::Check>,
}

impl VerifiedSignature {
    /// The verified payload.
    pub fn payload(&self) -> &SimpleSigning {
        &self.payload
    }

    /// The Fulcio identity, for keyless signatures.
    pub fn identity(&self) -> Option<&FulcioIdentity> {
        self.identity.as_ref()
    }

    /// The key that signed.
    pub fn signing_key(&self) -> &supply_sig::key::PublicKey {
        &self.signing_key
    }

    /// The signed times at which the signer was valid.
    pub fn signed_times(&self) -> &[Timestamp] {
        &self.signed_times
    }

    /// The checks that ran, in order.
    pub fn checks(&self) -> &[sigstore_verify::Check] {
        &self.checks
    }
}

/// Verifies `signature` for the image whose manifest digest is `image` under `policy` (a key,
/// or a certificate identity) and `root` (the Fulcio CAs and Rekor keys).
///
/// # Errors
/// [`Error::Bundle`] or [`Error::Verification`] from the Sigstore steps; then
/// [`Error::InvalidPayload`], [`Error::WrongType`] or [`Error::DigestMismatch`] from the
/// verified payload.
pub fn verify(
    signature: &Signature,
    image: &Digest,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> Result<VerifiedSignature, Error> {
    let bundle = signature.to_bundle()?;
    let verified = sigstore_verify::verify(
        &bundle,
        sigstore_verify::Artifact::Bytes(&signature.payload),
        policy,
        root,
        provider,
    )
    .map_err(Error::Verification)?;
    let payload = SimpleSigning::from_bytes(&signature.payload)?;
    if payload.manifest_digest != *image {
        return Err(Error::DigestMismatch {
            signed: Box::new(payload.manifest_digest),
        });
    }
    Ok(VerifiedSignature {
        payload,
        identity: verified.identity().cloned(),
        signing_key: verified.signing_key().clone(),
        signed_times: verified.signed_times().to_vec(),
        checks: verified.checks().to_vec(),
    })
}

/// Signs `payload` with `signer` as `cosign sign --key` does (ECDSA signatures are DER over the
/// payload bytes), with no log entry (`--tlog-upload=false`).
///
/// # Errors
/// [`Error::Sign`] when the signer fails.
pub fn sign(
    payload: &SimpleSigning,
    signer: &dyn supply_sig::sign::Signer,
) -> Result<Signature, Error> {
    let signature = signer.try_sign(payload.raw()).map_err(Error::Sign)?;
    Ok(Signature::keyed(payload, signature))
}

/// A `.sig` manifest as cosign writes it, with the blobs it references.
#[derive(Debug, Clone)]
pub struct SignatureImage {
    /// The manifest (OCI image manifest, config `application/vnd.oci.image.config.v1+json`).
    pub manifest: crate::Manifest,
    /// The config blob: an empty image config whose `rootfs.diff_ids` name the layers.
    pub config: (crate::Descriptor, Vec<u8>),
    /// One simple signing layer per signature, annotated with it.
    pub layers: Vec<(crate::Descriptor, Vec<u8>)>,
}

/// The `.sig` manifest holding `signatures` in this order (cosign appends a new signature to
/// the layers already under the tag, skipping one that is already there).
///
/// # Errors
/// [`Error::Manifest`] when the manifest cannot be encoded.
pub fn signature_image(signatures: &[Signature]) -> Result<SignatureImage, Error> {
    let mut layers = Vec::with_capacity(signatures.len());
    for sig in signatures {
        let mut desc = crate::Descriptor::for_bytes(SIMPLE_SIGNING_MEDIA_TYPE, &sig.payload);
        desc.annotations = Some(sig.annotations());
        if layers
            .iter()
            .any(|(d, _): &(crate::Descriptor, Vec<u8>)| *d == desc)
        {
            continue;
        }
        layers.push((desc, sig.payload.clone()));
    }
    let diff_ids: Vec<String> = layers.iter().map(|(d, _)| d.digest.to_string()).collect();
    let config = serde_json::json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": [{"created": "0001-01-01T00:00:00Z"}],
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "config": {},
    });
    // A `serde_json::Value` always serializes.
    let config = serde_json::to_vec(&config).unwrap_or_default();
    let config_desc = crate::Descriptor::for_bytes(crate::media_type::OCI_CONFIG, &config);
    let document = crate::manifest::Document::OciManifest(crate::manifest::ImageManifest::new(
        config_desc.clone(),
        layers.iter().map(|(d, _)| d.clone()).collect(),
    ));
    let manifest = crate::Manifest::encode(&document).map_err(Error::Manifest)?;
    Ok(SignatureImage {
        manifest,
        config: (config_desc, config),
        layers,
    })
}

/// The tag cosign stores an image's signatures under: `sha256-<hex>.sig`.
pub fn signature_tag(image: &Digest) -> String {
    format!("{}-{}.sig", image.algorithm().name(), image.hex())
}

/// The tag cosign stores an image's attestations under: `sha256-<hex>.att`.
pub fn attestation_tag(image: &Digest) -> String {
    format!("{}-{}.att", image.algorithm().name(), image.hex())
}

/// The [`ArtifactVerifier`](supply_sig::verify::ArtifactVerifier) for cosign `.sig` manifests:
/// it passes when at least one simple signing layer verifies for the subject under its policy.
#[derive(Debug, Clone)]
pub struct SignatureVerifier {
    policy: Policy,
    root: std::sync::Arc<TrustedRoot>,
    provider: &'static Provider,
}

impl SignatureVerifier {
    /// The name a [`Requirement`](supply_sig::verify::Requirement) uses for it.
    pub const NAME: &'static str = "cosign-signature";

    /// A verifier with this policy, trusted root and crypto provider.
    pub fn new(
        policy: Policy,
        root: std::sync::Arc<TrustedRoot>,
        provider: &'static Provider,
    ) -> Self {
        Self {
            policy,
            root,
            provider,
        }
    }
}

/// The [`Signer`](supply_sig::verify::Signer) a verified signature names.
fn signer_of(v: &VerifiedSignature) -> supply_sig::verify::Signer {
    match v.identity() {
        Some(id) => supply_sig::verify::Signer::Certificate {
            identity: id.san.as_str().to_owned(),
            issuer: id.issuer.clone(),
        },
        None => supply_sig::verify::Signer::Key {
            key_id: v.signing_key().key_id().as_str().to_owned(),
        },
    }
}

impl supply_sig::verify::ArtifactVerifier for SignatureVerifier {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn handles(&self, attachment: &supply_sig::verify::Attachment) -> bool {
        attachment
            .blobs()
            .iter()
            .any(|b| b.media_type() == SIMPLE_SIGNING_MEDIA_TYPE)
    }

    fn verify(
        &self,
        subject: &supply_sig::verify::Subject,
        attachment: &supply_sig::verify::Attachment,
        _now: Timestamp,
    ) -> supply_sig::verify::Verdict {
        use supply_sig::verify::{Evidence, Verdict};
        let mut evidence: Option<Evidence> = None;
        let mut last_error = None;
        for blob in attachment.blobs() {
            if blob.media_type() != SIMPLE_SIGNING_MEDIA_TYPE {
                continue;
            }
            let checked =
                Signature::from_layer(blob.media_type(), blob.annotations(), blob.bytes())
                    .and_then(|s| {
                        verify(
                            &s,
                            subject.digest(),
                            &self.policy,
                            &self.root,
                            self.provider,
                        )
                    });
            match checked {
                Ok(v) => {
                    let mut ev = evidence
                        .take()
                        .unwrap_or_default()
                        .with_signer(signer_of(&v));
                    if let Some(t) = v.signed_times().iter().min() {
                        ev = ev.with_signed_at(*t);
                    }
                    ev = ev.with_fact("docker-reference", v.payload().docker_reference());
                    evidence = Some(ev);
                }
                Err(e) => last_error = Some(e),
            }
        }
        match (evidence, last_error) {
            (Some(ev), _) => Verdict::Passed(ev),
            (None, Some(e)) => Verdict::failed(e),
            (None, None) => Verdict::not_applicable("no simple signing layer"),
        }
    }
}

/// The artifact type of cosign 3's bundle referrers, and the media type of their one layer.
pub const BUNDLE_ARTIFACT_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The referrer annotation naming the bundle's content (`dsse-envelope`, `message-signature`).
pub const BUNDLE_CONTENT_ANNOTATION: &str = "dev.sigstore.bundle.content";
/// The referrer annotation naming the signed statement's predicate type.
pub const BUNDLE_PREDICATE_TYPE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
/// The in-toto payload type of the DSSE envelope cosign 3 signs.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The predicate type of cosign 3's image signatures.
pub const SIGN_PREDICATE_TYPE: &str = "https://sigstore.dev/cosign/sign/v1";

/// The in-toto statement cosign 3 signs (as a DSSE envelope) for an image: the image's digest
/// as the one subject, predicate type [`SIGN_PREDICATE_TYPE`], an empty predicate.
pub fn sign_statement(image: &Digest) -> Vec<u8> {
    let mut digest = serde_json::Map::new();
    digest.insert(
        image.algorithm().name().to_owned(),
        serde_json::Value::String(image.hex()),
    );
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"digest": digest}],
        "predicateType": SIGN_PREDICATE_TYPE,
        "predicate": {},
    });
    // A `serde_json::Value` always serializes.
    serde_json::to_vec(&statement).unwrap_or_default()
}

/// A bundle referrer as cosign 3 writes it, with the blobs it references.
#[derive(Debug, Clone)]
pub struct BundleReferrer {
    /// The manifest: artifact type [`BUNDLE_ARTIFACT_TYPE`], the empty config, one layer, the
    /// image as `subject`, annotations naming the content and predicate type.
    pub manifest: crate::Manifest,
    /// The empty config (`{}`), whose descriptor carries the artifact type as cosign's does.
    pub config: (crate::Descriptor, Vec<u8>),
    /// The bundle.
    pub layer: (crate::Descriptor, Vec<u8>),
}

/// The referrer of `subject` holding `bundle` (its JSON bytes, kept as given), whose content is
/// a DSSE envelope of a statement of `predicate_type`.
///
/// # Errors
/// [`Error::Manifest`] when the manifest cannot be encoded.
pub fn bundle_referrer(
    bundle: &[u8],
    predicate_type: &str,
    subject: crate::Descriptor,
) -> Result<BundleReferrer, Error> {
    let mut config =
        crate::Descriptor::for_bytes(crate::media_type::OCI_EMPTY, crate::descriptor::EMPTY_JSON);
    config.artifact_type = Some(BUNDLE_ARTIFACT_TYPE.to_owned());
    let layer = crate::Descriptor::for_bytes(BUNDLE_ARTIFACT_TYPE, bundle);
    let mut m = crate::manifest::ImageManifest::new(config.clone(), vec![layer.clone()]);
    m.artifact_type = Some(BUNDLE_ARTIFACT_TYPE.to_owned());
    m.subject = Some(crate::Descriptor::new(
        &subject.media_type,
        subject.digest,
        subject.size,
    ));
    let mut annotations = crate::descriptor::Annotations::new();
    annotations.insert(
        BUNDLE_CONTENT_ANNOTATION.to_owned(),
        "dsse-envelope".to_owned(),
    );
    annotations.insert(
        BUNDLE_PREDICATE_TYPE_ANNOTATION.to_owned(),
        predicate_type.to_owned(),
    );
    m.annotations = Some(annotations);
    let manifest = crate::Manifest::encode(&crate::manifest::Document::OciManifest(m))
        .map_err(Error::Manifest)?;
    Ok(BundleReferrer {
        manifest,
        config: (config, crate::descriptor::EMPTY_JSON.to_vec()),
        layer: (layer, bundle.to_vec()),
    })
}

/// Adds `signature` to the `.sig` image of `image` in `repo` as cosign does: the signatures
/// already under the tag are kept (each layer read and checked against its digest), the new
/// one appended unless it is there already, and the new manifest pushed under the tag.
/// Returns the digest of the new `.sig` manifest.
///
/// # Errors
/// [`Error::NotASignatureImage`] when the tag holds something else; [`Error::Registry`];
/// [`Error::Manifest`].
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub async fn push_signature(
    client: &crate::registry::Client,
    repo: &crate::reference::Reference,
    image: &Digest,
    signature: Signature,
) -> Result<Digest, Error> {
    let tag = signature_tag(image);
    let target = repo
        .with_tag(&tag)
        .map_err(|_| Error::NotASignatureImage(tag.clone()))?;
    let mut signatures = Vec::new();
    match client.fetch_manifest(&target).await {
        Ok(m) => {
            let layers = m
                .document()
                .as_manifest()
                .map(|d| d.layers.clone())
                .ok_or_else(|| Error::NotASignatureImage(tag.clone()))?;
            if layers.len() > crate::limits::MAX_ATTACHMENT_BLOBS {
                return Err(Error::NotASignatureImage(tag));
            }
            for layer in &layers {
                let bytes = client
                    .fetch_blob_bytes(repo, layer, MAX_SIMPLE_SIGNING_LEN as u64)
                    .await?;
                let annotations = layer.annotations.clone().unwrap_or_default();
                signatures.push(
                    Signature::from_layer(&layer.media_type, &annotations, &bytes)
                        .map_err(|_| Error::NotASignatureImage(tag.clone()))?,
                );
            }
        }
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    signatures.push(signature);
    let image = signature_image(&signatures)?;
    client
        .push_blob(repo, &image.config.0.media_type, &image.config.1)
        .await?;
    for (d, bytes) in &image.layers {
        client.push_blob(repo, &d.media_type, bytes).await?;
    }
    Ok(client.push_manifest(&target, &image.manifest).await?.digest)
}

/// Pushes `referrer` (its blobs, then its manifest as a referrer of its subject: the Referrers
/// API, else the fallback index updated). Returns the manifest's digest.
///
/// # Errors
/// [`Error::Registry`].
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub async fn push_bundle_referrer(
    client: &crate::registry::Client,
    repo: &crate::reference::Reference,
    referrer: &BundleReferrer,
) -> Result<Digest, Error> {
    client
        .push_blob(repo, &referrer.config.0.media_type, &referrer.config.1)
        .await?;
    client
        .push_blob(repo, &referrer.layer.0.media_type, &referrer.layer.1)
        .await?;
    Ok(client.attach(repo, &referrer.manifest).await?.digest)
}
