//! In-toto attestations attached to an image, as a [`supply_sig::verify::ArtifactVerifier`].
//!
//! [`AttestationVerifier`] examines the attachments with a DSSE envelope blob
//! (`application/vnd.dsse.envelope.v1+json`: cosign's `.att` layers, OCI referrers carrying
//! in-toto attestations). For such an attachment:
//!
//! 1. **every** DSSE blob must verify against the trusted keys (at least `threshold` distinct
//!    keys, supply-sig's DSSE verifier), carry an in-toto statement
//!    (`application/vnd.in-toto+json`), and name the subject's digest among its subjects — one
//!    blob that does not fails the attachment;
//! 2. when predicate types are required, the attestations of other types are set aside; none
//!    left is [`Verdict::NotApplicable`];
//! 3. when SLSA builders are required, each remaining attestation must be SLSA provenance (v0.2
//!    or v1) whose builder id is one of them.
//!
//! The [`Evidence`] names the keys that signed, the predicate type of the first attestation kept
//! and facts: `in-toto.attestations` (how many were kept), `in-toto.predicate_types`
//! (comma-separated, in blob order), and for provenance `slsa.builder_id` and
//! `slsa.build_type`.
//!
//! Sigstore bundles (keyless, Fulcio) are not this verifier's: their attachments carry a bundle
//! blob, which supply-sig's bundle verifier handles, and [`crate::attestation::slsa::verify`]
//! checks GitHub provenance in them.

use supply_sig::dsse::{Envelope, TrustedKeys};
use supply_sig::time::Timestamp;
use supply_sig::verify::{ArtifactVerifier, Attachment, Evidence, Signer, Subject, Verdict};

use crate::attestation::predicate::Predicate;
use crate::attestation::provenance::Provenance;
use crate::attestation::{self, AttestationSigner, VerifiedAttestation};

/// The media type of a DSSE envelope blob.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// The verifier's name, for [`supply_sig::verify::Requirement::passed_by`].
pub const NAME: &str = "in-toto-attestation";

/// Most DSSE blobs examined in one attachment.
pub const MAX_ENVELOPES: usize = 64;

/// Why an attachment's attestations were refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A DSSE blob does not parse or does not verify against the trusted keys.
    #[error("DSSE blob {index} does not verify")]
    Envelope {
        /// The blob's position among the attachment's DSSE blobs.
        index: usize,
        /// Why.
        #[source]
        source: Box<attestation::Error>,
    },
    /// A DSSE blob does not parse as an envelope.
    #[error("DSSE blob {index} is not a DSSE envelope")]
    EnvelopeParse {
        /// The blob's position among the attachment's DSSE blobs.
        index: usize,
        /// Why.
        #[source]
        source: supply_sig::dsse::Error,
    },
    /// A statement does not name the subject's digest.
    #[error("attestation {index} does not name the subject {digest}")]
    SubjectNotNamed {
        /// The blob's position.
        index: usize,
        /// The subject digest (`alg:hex`).
        digest: String,
    },
    /// A required SLSA builder was not found: the predicate is not provenance, or its builder
    /// id is another.
    #[error("attestation {index} ({predicate_type}) is not SLSA provenance by an allowed builder (builder {builder:?})")]
    Builder {
        /// The blob's position.
        index: usize,
        /// Its predicate type (truncated).
        predicate_type: String,
        /// The builder id found, if it is provenance (truncated).
        builder: Option<String>,
    },
    /// The predicate does not have its type's shape.
    #[error("attestation {index}'s predicate is malformed")]
    Predicate {
        /// The blob's position.
        index: usize,
        /// Why.
        #[source]
        source: Box<attestation::Error>,
    },
    /// More DSSE blobs than [`MAX_ENVELOPES`].
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
}

/// Verifies key-signed in-toto attestations attached to an image. See the [module docs](self).
#[derive(Debug)]
pub struct AttestationVerifier {
    keys: TrustedKeys,
    threshold: usize,
    predicate_types: Vec<String>,
    builder_ids: Vec<String>,
}

impl AttestationVerifier {
    /// A verifier trusting `keys`, threshold 1, any predicate type, no SLSA check.
    pub fn new(keys: TrustedKeys) -> Self {
        Self {
            keys,
            threshold: 1,
            predicate_types: Vec::new(),
            builder_ids: Vec::new(),
        }
    }

    /// Requires signatures by `threshold` distinct trusted keys on every envelope.
    #[must_use]
    pub fn with_threshold(mut self, threshold: usize) -> Self {
        self.threshold = threshold;
        self
    }

    /// Keeps only attestations of `predicate_type` (may be called several times: any of them).
    #[must_use]
    pub fn require_predicate_type(mut self, predicate_type: impl Into<String>) -> Self {
        self.predicate_types.push(predicate_type.into());
        self
    }

    /// Requires every kept attestation to be SLSA provenance by builder `id` (may be called
    /// several times: any of them).
    #[must_use]
    pub fn require_slsa_builder(mut self, id: impl Into<String>) -> Self {
        self.builder_ids.push(id.into());
        self
    }

    fn check(&self, subject: &Subject, artifact: &Attachment) -> Result<Option<Evidence>, Error> {
        let blobs: Vec<_> = artifact
            .blobs()
            .iter()
            .filter(|b| b.media_type() == DSSE_MEDIA_TYPE)
            .collect();
        if blobs.len() > MAX_ENVELOPES {
            return Err(supply_sig::limits::LimitExceeded::new(
                "DSSE blobs in an attachment",
                MAX_ENVELOPES,
            )
            .with_actual(blobs.len())
            .into());
        }
        let digest = subject.digest();
        let mut kept = Vec::new();
        for (index, blob) in blobs.iter().enumerate() {
            let env = Envelope::from_json(blob.bytes())
                .map_err(|source| Error::EnvelopeParse { index, source })?;
            let att = VerifiedAttestation::from_envelope(&env, &self.keys, self.threshold)
                .map_err(|e| Error::Envelope {
                    index,
                    source: Box::new(e),
                })?;
            if att.statement().subject_matching(digest).is_none() {
                return Err(Error::SubjectNotNamed {
                    index,
                    digest: format!("{}:{}", digest.algorithm().name(), digest.hex()),
                });
            }
            let t = att.statement().predicate_type();
            if self.predicate_types.is_empty() || self.predicate_types.iter().any(|p| p == t) {
                kept.push((index, att));
            }
        }
        let Some((_, first)) = kept.first() else {
            return Ok(None);
        };
        let mut ev = Evidence::new().with_predicate_type(first.statement().predicate_type());
        for (_, att) in &kept {
            if let AttestationSigner::Keys(ids) = att.signer() {
                for id in ids {
                    let signer = Signer::Key {
                        key_id: id.as_str().to_owned(),
                    };
                    if !ev.signers().contains(&signer) {
                        ev = ev.with_signer(signer);
                    }
                }
            }
        }
        let types: Vec<&str> = kept
            .iter()
            .map(|(_, a)| a.statement().predicate_type())
            .collect();
        ev = ev
            .with_fact("in-toto.attestations", kept.len().to_string())
            .with_fact("in-toto.predicate_types", types.join(","));
        for (index, att) in &kept {
            let index = *index;
            let predicate = att.statement().predicate().map_err(|e| Error::Predicate {
                index,
                source: Box::new(e),
            })?;
            let prov = match &predicate {
                Predicate::SlsaProvenanceV02(p) => Some(Provenance::V02(p)),
                Predicate::SlsaProvenanceV1(p) => Some(Provenance::V1(p)),
                _ => None,
            };
            if !self.builder_ids.is_empty() {
                let ok = prov
                    .as_ref()
                    .is_some_and(|p| self.builder_ids.iter().any(|b| b == p.builder_id()));
                if !ok {
                    return Err(Error::Builder {
                        index,
                        predicate_type: attestation::truncate(att.statement().predicate_type()),
                        builder: prov.map(|p| attestation::truncate(p.builder_id())),
                    });
                }
            }
            if let Some(p) = prov {
                if !ev.facts().contains_key("slsa.builder_id") {
                    ev = ev
                        .with_fact("slsa.builder_id", p.builder_id())
                        .with_fact("slsa.build_type", p.build_type());
                }
            }
        }
        Ok(Some(ev))
    }
}

impl ArtifactVerifier for AttestationVerifier {
    fn name(&self) -> &'static str {
        NAME
    }

    fn handles(&self, artifact: &Attachment) -> bool {
        artifact
            .blobs()
            .iter()
            .any(|b| b.media_type() == DSSE_MEDIA_TYPE)
    }

    fn verify(&self, subject: &Subject, artifact: &Attachment, _now: Timestamp) -> Verdict {
        match self.check(subject, artifact) {
            Ok(Some(ev)) => Verdict::Passed(ev),
            Ok(None) => Verdict::not_applicable("no attestation of a required predicate type"),
            Err(e) => Verdict::failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::attestation::provenance::PROVENANCE_V1;
    use crate::attestation::statement::{ResourceDescriptor, Statement, StatementType};
    use serde_json::json;
    use supply_sig::crypto::RUSTCRYPTO;
    use supply_sig::digest::{Algorithm, Digest};
    use supply_sig::key::{KeyAlgorithm, PrivateKey};
    use supply_sig::sign::{KeySigner, KeyVerifier, Signer as _};

    const SPDX: &str = "https://spdx.dev/Document";
    const BUILDER: &str = "https://example.com/builder@v1";

    fn signer() -> KeySigner {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256, &RUSTCRYPTO).unwrap();
        KeySigner::with_default_scheme(&k, &RUSTCRYPTO).unwrap()
    }

    fn keys(s: &KeySigner) -> TrustedKeys {
        TrustedKeys::new().with_verifier(Box::new(
            KeyVerifier::with_default_scheme(s.public_key(), &RUSTCRYPTO).unwrap(),
        ))
    }

    fn image() -> Digest {
        Algorithm::Sha256.digest(b"the image manifest")
    }

    fn provenance(builder: &str) -> serde_json::Value {
        json!({
            "buildDefinition": {"buildType": "https://example.com/type", "externalParameters": {}},
            "runDetails": {"builder": {"id": builder}}
        })
    }

    fn envelope(
        s: &KeySigner,
        subject: &Digest,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Vec<u8> {
        let st = Statement::new(
            StatementType::V1,
            vec![ResourceDescriptor::new("registry.example/app", subject)],
            predicate_type,
            predicate,
        )
        .unwrap();
        Envelope::sign(
            attestation::statement::PAYLOAD_TYPE,
            st.raw().to_vec(),
            &[s as &dyn supply_sig::sign::Signer],
        )
        .unwrap()
        .to_json()
    }

    fn attachment(blobs: Vec<Vec<u8>>) -> Attachment {
        let manifest =
            br#"{"schemaVersion":2,"artifactType":"application/vnd.dsse.envelope.v1+json"}"#
                .to_vec();
        let mut a = Attachment::new(
            Algorithm::Sha256.digest(&manifest),
            DSSE_MEDIA_TYPE,
            manifest,
        )
        .with_subject(image());
        for b in blobs {
            a = a.with_blob(DSSE_MEDIA_TYPE, b);
        }
        a
    }

    fn run(v: &AttestationVerifier, a: &Attachment) -> Verdict {
        assert!(v.handles(a));
        v.verify(&Subject::new(image()), a, Timestamp::from_unix(0))
    }

    fn failure(verdict: Verdict) -> Error {
        match verdict {
            Verdict::Failed(e) => *e.downcast::<Error>().unwrap(),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn signed_provenance_naming_the_image_passes_with_evidence() {
        let s = signer();
        let a = attachment(vec![
            envelope(&s, &image(), PROVENANCE_V1, provenance(BUILDER)),
            envelope(&s, &image(), SPDX, json!({"spdxVersion": "SPDX-2.3"})),
        ]);
        let v = AttestationVerifier::new(keys(&s));
        let Verdict::Passed(ev) = run(&v, &a) else {
            panic!("expected a pass")
        };
        assert_eq!(ev.predicate_type(), Some(PROVENANCE_V1));
        assert_eq!(
            ev.signers(),
            [Signer::Key {
                key_id: s.public_key().key_id().as_str().to_owned()
            }]
        );
        assert_eq!(ev.facts()["in-toto.attestations"], "2");
        assert_eq!(
            ev.facts()["in-toto.predicate_types"],
            format!("{PROVENANCE_V1},{SPDX}")
        );
        assert_eq!(ev.facts()["slsa.builder_id"], BUILDER);
        assert_eq!(ev.facts()["slsa.build_type"], "https://example.com/type");

        // Only SPDX kept: its type is the evidence's; no provenance facts.
        let v = AttestationVerifier::new(keys(&s)).require_predicate_type(SPDX);
        let Verdict::Passed(ev) = run(&v, &a) else {
            panic!("expected a pass")
        };
        assert_eq!(ev.predicate_type(), Some(SPDX));
        assert!(!ev.facts().contains_key("slsa.builder_id"));

        // A predicate type that is absent: not applicable, not a pass.
        let v = AttestationVerifier::new(keys(&s)).require_predicate_type("https://x/y");
        assert!(matches!(run(&v, &a), Verdict::NotApplicable(_)));
    }

    #[test]
    fn wrong_key_other_subject_and_builder_fail() {
        let s = signer();
        let good = envelope(&s, &image(), PROVENANCE_V1, provenance(BUILDER));
        // Another key.
        let v = AttestationVerifier::new(keys(&signer()));
        let e = failure(run(&v, &attachment(vec![good.clone()])));
        assert!(matches!(e, Error::Envelope { index: 0, .. }), "{e:?}");
        // A threshold of two distinct keys with one signature.
        let v = AttestationVerifier::new(keys(&s)).with_threshold(2);
        assert!(matches!(
            failure(run(&v, &attachment(vec![good.clone()]))),
            Error::Envelope { .. }
        ));
        // A statement about another artifact, next to a good one: the attachment fails.
        let other = Algorithm::Sha256.digest(b"another image");
        let v = AttestationVerifier::new(keys(&s));
        let e = failure(run(
            &v,
            &attachment(vec![
                good.clone(),
                envelope(&s, &other, PROVENANCE_V1, provenance(BUILDER)),
            ]),
        ));
        assert!(
            matches!(e, Error::SubjectNotNamed { index: 1, .. }),
            "{e:?}"
        );
        // A tampered envelope.
        let mut doc: serde_json::Value = serde_json::from_slice(&good).unwrap();
        doc["payloadType"] = json!("text/plain");
        let e = failure(run(
            &v,
            &attachment(vec![serde_json::to_vec(&doc).unwrap()]),
        ));
        assert!(matches!(e, Error::Envelope { .. }), "{e:?}");
        let e = failure(run(&v, &attachment(vec![b"{}".to_vec()])));
        assert!(matches!(e, Error::EnvelopeParse { .. }), "{e:?}");
        // SLSA builder required: another builder, or no provenance at all.
        let v = AttestationVerifier::new(keys(&s)).require_slsa_builder("https://other/builder");
        let e = failure(run(&v, &attachment(vec![good.clone()])));
        assert!(
            matches!(&e, Error::Builder { builder: Some(b), .. } if b == BUILDER),
            "{e:?}"
        );
        let v = AttestationVerifier::new(keys(&s)).require_slsa_builder(BUILDER);
        assert!(run(&v, &attachment(vec![good])).is_passed());
        let sbom = envelope(&s, &image(), SPDX, json!({}));
        let e = failure(run(&v, &attachment(vec![sbom])));
        assert!(matches!(e, Error::Builder { builder: None, .. }), "{e:?}");
    }

    #[test]
    fn dispatch_and_policy_see_the_pass() {
        use supply_sig::verify::{dispatch, AdmissionPolicy, Requirement};
        let s = signer();
        let a = attachment(vec![envelope(
            &s,
            &image(),
            PROVENANCE_V1,
            provenance(BUILDER),
        )]);
        let v = AttestationVerifier::new(keys(&s)).require_slsa_builder(BUILDER);
        let report = dispatch(&Subject::new(image()), &[a], &[&v], Timestamp::from_unix(0));
        let policy = AdmissionPolicy::new()
            .require(Requirement::passed_by(NAME).with_predicate_type(PROVENANCE_V1));
        let verified = policy.evaluate(&report).unwrap();
        assert_eq!(verified.evidence().len(), 1);
        // Not for attachments without a DSSE blob.
        let manifest = b"{}".to_vec();
        let plain = Attachment::new(Algorithm::Sha256.digest(&manifest), "text/plain", manifest)
            .with_blob("text/plain", b"x".to_vec());
        assert!(!v.handles(&plain));
    }
}
