//! Sigstore bundles attached to an image (cosign 3's bundle referrers), as an
//! [`ArtifactVerifier`].
//!
//! cosign 3 stores each signature and attestation as a referrer whose single layer is a bundle
//! v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`). Signatures are DSSE envelopes with
//! the predicate `https://sigstore.dev/cosign/sign/v1`, attestations carry their own predicate;
//! either way the in-toto statement's subject must name the image, which
//! [`verify`] checks with the image digest as the artifact.

use std::sync::Arc;

use super::bundle::Bundle;
use super::trust_root::TrustedRoot;
use super::verify::{verify, Artifact, Policy, VerifiedBundle};
use crate::crypto::Provider;
use crate::time::Timestamp;
use crate::verify::{ArtifactVerifier, Attachment, Evidence, Signer, Subject, Verdict};

/// The media type prefix of Sigstore bundles (`…bundle.v0.3+json`, `…bundle+json;version=0.2`).
pub const BUNDLE_MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// The predicate type cosign 3 gives image signatures.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Verifies the Sigstore bundles attached to a subject under one policy and trusted root.
#[derive(Debug, Clone)]
pub struct BundleVerifier {
    policy: Policy,
    root: Arc<TrustedRoot>,
    provider: &'static Provider,
}

impl BundleVerifier {
    /// The name a [`Requirement`](crate::verify::Requirement) uses for it.
    pub const NAME: &'static str = "sigstore-bundle";

    /// A verifier with this policy, trusted root and crypto provider.
    pub fn new(policy: Policy, root: Arc<TrustedRoot>, provider: &'static Provider) -> Self {
        Self {
            policy,
            root,
            provider,
        }
    }
}

fn is_bundle(media_type: &str) -> bool {
    media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX)
}

/// The evidence of a verified bundle: its signer, earliest signed time and predicate type.
fn evidence(v: &VerifiedBundle<'_>) -> Evidence {
    let signer = match v.identity() {
        Some(id) => Signer::Certificate {
            identity: id.san.as_str().to_owned(),
            issuer: id.issuer.clone(),
        },
        None => Signer::Key {
            key_id: v.signing_key().key_id().as_str().to_owned(),
        },
    };
    let mut ev = Evidence::new().with_signer(signer);
    if let Some(t) = v.signed_times().iter().min() {
        ev = ev.with_signed_at(*t);
    }
    if let Some(payload) = v.payload() {
        // The payload verified; reading its predicate type is a report detail, so a payload
        // that is not an in-toto statement simply has none.
        let predicate = serde_json::from_slice::<serde_json::Value>(payload.payload())
            .ok()
            .and_then(|s| s.get("predicateType")?.as_str().map(str::to_owned));
        if let Some(p) = predicate {
            ev = ev.with_predicate_type(p);
        }
    }
    ev
}

impl ArtifactVerifier for BundleVerifier {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn handles(&self, attachment: &Attachment) -> bool {
        is_bundle(attachment.artifact_type())
            || attachment.blobs().iter().any(|b| is_bundle(b.media_type()))
    }

    fn verify(&self, subject: &Subject, attachment: &Attachment, _now: Timestamp) -> Verdict {
        let mut passed: Option<Evidence> = None;
        let mut failure: Option<super::verify::Error> = None;
        let mut bad_bundle: Option<super::bundle::Error> = None;
        for blob in attachment
            .blobs()
            .iter()
            .filter(|b| is_bundle(b.media_type()))
        {
            let bundle = match Bundle::from_json(blob.bytes()) {
                Ok(b) => b,
                Err(e) => {
                    bad_bundle = Some(e);
                    continue;
                }
            };
            let artifact = Artifact::Digest(subject.digest());
            match verify(&bundle, artifact, &self.policy, &self.root, self.provider) {
                Ok(v) => {
                    let ev = evidence(&v);
                    passed = Some(match passed.take() {
                        // Several bundles in one referrer: keep the first, add the signers.
                        Some(first) => ev
                            .signers()
                            .iter()
                            .cloned()
                            .fold(first, Evidence::with_signer),
                        None => ev,
                    });
                }
                Err(e) => failure = Some(e),
            }
        }
        match (passed, failure, bad_bundle) {
            (Some(ev), _, _) => Verdict::Passed(ev),
            (None, Some(e), _) => Verdict::failed(e),
            (None, None, Some(e)) => Verdict::failed(e),
            (None, None, None) => Verdict::not_applicable("no Sigstore bundle layer"),
        }
    }
}
