//! The artifact-verification traits the verification engine dispatches to.
//!
//! An image (or any content-addressed thing) is a [`Subject`]. What is attached to it — a cosign
//! signature, a Sigstore bundle, a notation signature, an in-toto attestation, an SBOM — arrives
//! as an [`Attachment`]: the attached manifest's bytes, its artifact type and its blobs, already
//! fetched and checked against their digests by whoever fetched them. Each capability crate
//! implements [`ArtifactVerifier`] for what it verifies; the engine (in `supply-oci`) walks the
//! referrers, fetches bounded bytes and calls [`dispatch`], which is sync, free of I/O and of the
//! clock (the caller passes `now`), and the only way to build a [`Report`].
//!
//! A [`AdmissionPolicy`] then says which verifiers must have passed; [`AdmissionPolicy::evaluate`] is the only way
//! to build a [`VerifiedSubject`]. So no crate depends sideways: supply-oci knows these traits,
//! supply-intoto and supply-sbom implement them, and the application registers the verifiers.
//!
//! ```
//! use std::collections::BTreeMap;
//! use supply_sig::digest::{Algorithm, Digest};
//! use supply_sig::time::Timestamp;
//! use supply_sig::verify::{
//!     dispatch, Attachment, ArtifactVerifier, Evidence, AdmissionPolicy, Requirement, Subject, Verdict,
//! };
//!
//! /// Passes every artifact whose single blob says "ok".
//! #[derive(Debug)]
//! struct SaysOk;
//! impl ArtifactVerifier for SaysOk {
//!     fn name(&self) -> &'static str { "says-ok" }
//!     fn handles(&self, artifact: &Attachment) -> bool { artifact.artifact_type() == "text/ok" }
//!     fn verify(&self, _: &Subject, artifact: &Attachment, _: Timestamp) -> Verdict {
//!         match artifact.blobs() {
//!             [blob] if blob.bytes() == b"ok" => Verdict::Passed(Evidence::new()),
//!             _ => Verdict::not_applicable("no ok blob"),
//!         }
//!     }
//! }
//!
//! let image = Digest::from_hex(Algorithm::Sha256, &"ab".repeat(32))?;
//! let subject = Subject::new(image);
//! let manifest = br#"{"schemaVersion":2}"#.to_vec();
//! let artifact = Attachment::new(Algorithm::Sha256.digest(&manifest), "text/ok", manifest)
//!     .with_subject(image)
//!     .with_blob("text/plain", b"ok".to_vec());
//! let report = dispatch(&subject, &[artifact], &[&SaysOk], Timestamp::from_unix(0));
//! let policy = AdmissionPolicy::new().require(Requirement::passed_by("says-ok"));
//! assert!(policy.evaluate(&report).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::digest::{Algorithm, Digest};
use crate::time::Timestamp;

/// The thing verified: an image or any content-addressed artifact, named by its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    digest: Digest,
    media_type: Option<String>,
    reference: Option<String>,
}

impl Subject {
    /// The subject with this digest.
    pub fn new(digest: Digest) -> Self {
        Self {
            digest,
            media_type: None,
            reference: None,
        }
    }

    /// The subject's media type (an image manifest's, say).
    #[must_use]
    pub fn with_media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// The reference the subject was resolved from (`registry/repo:tag`), for reports; never a
    /// basis for a decision, which takes the digest only.
    #[must_use]
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The subject's digest.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The subject's media type, when known.
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// The reference the subject was resolved from, when given.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
}

/// Where an artifact was found: the verifiers may care (cosign's tag-based signatures carry no
/// `subject`, so the signed payload itself must name the image).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Listed by the registry's Referrers API or a layout's referrers.
    Referrers,
    /// Listed in the referrers tag-schema fallback index.
    ReferrersTag,
    /// A tag derived from the subject's digest (cosign's `sha256-<hex>.sig`/`.att`).
    DerivedTag(String),
    /// Handed in by the caller (a file next to the artifact, say).
    Given,
}

/// One blob of an artifact (a manifest layer), fetched and checked against its digest by the
/// caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    media_type: String,
    digest: Digest,
    annotations: BTreeMap<String, String>,
    bytes: Vec<u8>,
}

impl Blob {
    /// The layer's media type.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// The layer's digest as its descriptor gave it.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The layer descriptor's annotations (cosign keeps its signature and certificate there).
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }

    /// The blob's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// An artifact attached to a subject: the attached manifest's raw bytes, its type and its blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    digest: Digest,
    artifact_type: String,
    manifest: Vec<u8>,
    subject: Option<Digest>,
    annotations: BTreeMap<String, String>,
    blobs: Vec<Blob>,
    source: Source,
}

impl Attachment {
    /// An artifact whose manifest has these bytes and this digest, and this artifact type (the
    /// manifest's `artifactType`, else its config media type).
    pub fn new(digest: Digest, artifact_type: impl Into<String>, manifest: Vec<u8>) -> Self {
        Self {
            digest,
            artifact_type: artifact_type.into(),
            manifest,
            subject: None,
            annotations: BTreeMap::new(),
            blobs: Vec::new(),
            source: Source::Given,
        }
    }

    /// The manifest's `subject` digest. [`dispatch`] refuses an artifact whose subject is not
    /// the one verified.
    #[must_use]
    pub fn with_subject(mut self, subject: Digest) -> Self {
        self.subject = Some(subject);
        self
    }

    /// The manifest's annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: BTreeMap<String, String>) -> Self {
        self.annotations = annotations;
        self
    }

    /// Where the artifact was found.
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Appends a blob; its digest is computed over `bytes` here, so that a verifier never sees a
    /// blob whose bytes its digest does not cover.
    #[must_use]
    pub fn with_blob(self, media_type: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.with_annotated_blob(media_type, BTreeMap::new(), bytes)
    }

    /// Appends a blob with its descriptor's annotations; the digest is computed over `bytes`.
    #[must_use]
    pub fn with_annotated_blob(
        mut self,
        media_type: impl Into<String>,
        annotations: BTreeMap<String, String>,
        bytes: Vec<u8>,
    ) -> Self {
        self.blobs.push(Blob {
            media_type: media_type.into(),
            digest: Algorithm::Sha256.digest(&bytes),
            annotations,
            bytes,
        });
        self
    }

    /// The digest of the artifact's manifest.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The artifact type.
    pub fn artifact_type(&self) -> &str {
        &self.artifact_type
    }

    /// The manifest's raw bytes.
    pub fn manifest(&self) -> &[u8] {
        &self.manifest
    }

    /// The manifest's `subject` digest, when it has one.
    pub fn subject(&self) -> Option<&Digest> {
        self.subject.as_ref()
    }

    /// The manifest's annotations.
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }

    /// The blobs, in manifest order.
    pub fn blobs(&self) -> &[Blob] {
        &self.blobs
    }

    /// Where the artifact was found.
    pub fn source(&self) -> &Source {
        &self.source
    }
}

/// Who signed what a verifier accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signer {
    /// A key, by its key id (a fingerprint or a TUF/in-toto key id).
    Key {
        /// The key id.
        key_id: String,
    },
    /// A certificate identity (Fulcio: a SAN and the OIDC issuer; notation: a subject DN).
    Certificate {
        /// The identity (a SAN or a subject).
        identity: String,
        /// The OIDC issuer or the certificate's issuer, when it has one.
        issuer: Option<String>,
    },
}

/// What a verifier established about an artifact when it passed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    signers: Vec<Signer>,
    predicate_type: Option<String>,
    signed_at: Option<Timestamp>,
    facts: BTreeMap<String, String>,
}

impl Evidence {
    /// Evidence with nothing recorded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a signer whose signature verified.
    #[must_use]
    pub fn with_signer(mut self, signer: Signer) -> Self {
        self.signers.push(signer);
        self
    }

    /// Records the predicate type of a verified attestation.
    #[must_use]
    pub fn with_predicate_type(mut self, predicate_type: impl Into<String>) -> Self {
        self.predicate_type = Some(predicate_type.into());
        self
    }

    /// Records the verified signing time (a transparency log's or a timestamp authority's).
    #[must_use]
    pub fn with_signed_at(mut self, at: Timestamp) -> Self {
        self.signed_at = Some(at);
        self
    }

    /// Records a named fact (`"slsa.build_level" → "3"`), for reports and policies.
    #[must_use]
    pub fn with_fact(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.facts.insert(name.into(), value.into());
        self
    }

    /// The signers whose signatures verified.
    pub fn signers(&self) -> &[Signer] {
        &self.signers
    }

    /// The predicate type, for an attestation.
    pub fn predicate_type(&self) -> Option<&str> {
        self.predicate_type.as_deref()
    }

    /// The verified signing time, when there is one.
    pub fn signed_at(&self) -> Option<Timestamp> {
        self.signed_at
    }

    /// The named facts.
    pub fn facts(&self) -> &BTreeMap<String, String> {
        &self.facts
    }
}

/// A verifier's failure, kept as its own typed error behind the trait boundary.
pub type Rejection = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A verifier's answer about one artifact.
#[derive(Debug)]
#[non_exhaustive]
pub enum Verdict {
    /// Verified, with what was established.
    Passed(Evidence),
    /// Examined and refused: a bad signature, an untrusted signer, a failed check.
    Failed(Rejection),
    /// Not for this verifier after all (a predicate type it does not check, say): neither a
    /// pass nor a failure.
    NotApplicable(&'static str),
}

impl Verdict {
    /// A failure carrying `error`.
    pub fn failed(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Failed(Box::new(error))
    }

    /// Not applicable, for `reason`.
    pub fn not_applicable(reason: &'static str) -> Self {
        Self::NotApplicable(reason)
    }

    /// Whether this is [`Verdict::Passed`].
    pub fn is_passed(&self) -> bool {
        matches!(self, Self::Passed(_))
    }
}

/// Verifies one kind of artifact. Implementations are sync, free of I/O and of the clock, and
/// hold their trust material (keys, trusted roots, policies) themselves.
pub trait ArtifactVerifier: Send + Sync + fmt::Debug {
    /// A short stable name (`"cosign-signature"`, `"sigstore-bundle"`, `"in-toto"`): what a
    /// [`Requirement`] names.
    fn name(&self) -> &'static str;

    /// Whether this verifier examines `artifact` (usually by its artifact type).
    fn handles(&self, artifact: &Attachment) -> bool;

    /// Verifies `artifact` as attached to `subject`, at `now`.
    fn verify(&self, subject: &Subject, artifact: &Attachment, now: Timestamp) -> Verdict;
}

/// Why [`dispatch`] refused an artifact before any verifier saw it.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// The artifact's manifest names another subject.
    #[error("the artifact's subject is {found}, not the subject verified ({expected})")]
    SubjectMismatch {
        /// The subject verified.
        expected: Digest,
        /// The subject the artifact names.
        found: Digest,
    },
    /// The manifest bytes do not hash to the artifact's digest.
    #[error("the artifact's manifest does not match its digest {0}")]
    ManifestDigestMismatch(Digest),
}

/// One row of a [`Report`]: what one verifier said about one artifact.
#[derive(Debug)]
pub struct Entry {
    artifact: Digest,
    artifact_type: String,
    verifier: Option<&'static str>,
    verdict: Verdict,
}

impl Entry {
    /// The digest of the artifact examined.
    pub fn artifact(&self) -> &Digest {
        &self.artifact
    }

    /// The artifact's type.
    pub fn artifact_type(&self) -> &str {
        &self.artifact_type
    }

    /// The verifier that answered; `None` when [`dispatch`] refused the artifact itself.
    pub fn verifier(&self) -> Option<&'static str> {
        self.verifier
    }

    /// The verdict.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

/// Every verdict about a subject's artifacts; built only by [`dispatch`].
#[derive(Debug)]
pub struct Report {
    subject: Subject,
    entries: Vec<Entry>,
    unhandled: Vec<Digest>,
}

impl Report {
    /// The subject verified.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The verdicts, artifact by artifact and verifier by verifier.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The artifacts no verifier handles.
    pub fn unhandled(&self) -> &[Digest] {
        &self.unhandled
    }

    /// The evidence of every pass by the verifier named `name`.
    pub fn passes_by<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Evidence> + 'a {
        self.entries.iter().filter_map(move |e| match &e.verdict {
            Verdict::Passed(ev) if e.verifier == Some(name) => Some(ev),
            _ => None,
        })
    }
}

/// Runs every verifier that handles each artifact, after checking that the artifact belongs to
/// `subject` (its `subject`, when it has one, is the subject's digest) and that its manifest
/// bytes hash to its digest. Sync, I/O-free and clock-free.
pub fn dispatch(
    subject: &Subject,
    artifacts: &[Attachment],
    verifiers: &[&dyn ArtifactVerifier],
    now: Timestamp,
) -> Report {
    let mut entries = Vec::new();
    let mut unhandled = Vec::new();
    for artifact in artifacts {
        let refuse = |error: DispatchError| Entry {
            artifact: artifact.digest,
            artifact_type: artifact.artifact_type.clone(),
            verifier: None,
            verdict: Verdict::failed(error),
        };
        if let Some(found) = artifact.subject {
            if found != subject.digest {
                entries.push(refuse(DispatchError::SubjectMismatch {
                    expected: subject.digest,
                    found,
                }));
                continue;
            }
        }
        if artifact.digest.algorithm().digest(&artifact.manifest) != artifact.digest {
            entries.push(refuse(DispatchError::ManifestDigestMismatch(
                artifact.digest,
            )));
            continue;
        }
        let mut handled = false;
        for verifier in verifiers.iter().filter(|v| v.handles(artifact)) {
            handled = true;
            entries.push(Entry {
                artifact: artifact.digest,
                artifact_type: artifact.artifact_type.clone(),
                verifier: Some(verifier.name()),
                verdict: verifier.verify(subject, artifact, now),
            });
        }
        if !handled {
            unhandled.push(artifact.digest);
        }
    }
    Report {
        subject: subject.clone(),
        entries,
        unhandled,
    }
}

/// One condition of a [`AdmissionPolicy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    verifier: String,
    signer: Option<Signer>,
    predicate_type: Option<String>,
}

impl Requirement {
    /// At least one artifact passed by the verifier named `verifier`.
    pub fn passed_by(verifier: impl Into<String>) -> Self {
        Self {
            verifier: verifier.into(),
            signer: None,
            predicate_type: None,
        }
    }

    /// … whose evidence names this signer.
    #[must_use]
    pub fn signed_by(mut self, signer: Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// … whose evidence has this predicate type.
    #[must_use]
    pub fn with_predicate_type(mut self, predicate_type: impl Into<String>) -> Self {
        self.predicate_type = Some(predicate_type.into());
        self
    }

    fn met_by(&self, evidence: &Evidence) -> bool {
        self.signer
            .as_ref()
            .is_none_or(|s| evidence.signers.contains(s))
            && self
                .predicate_type
                .as_deref()
                .is_none_or(|p| evidence.predicate_type() == Some(p))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a pass by {}", self.verifier)?;
        if let Some(p) = &self.predicate_type {
            write!(f, " with predicate type {p}")?;
        }
        match &self.signer {
            Some(Signer::Key { key_id }) => write!(f, " signed by key {key_id}"),
            Some(Signer::Certificate { identity, issuer }) => {
                write!(f, " signed by {identity}")?;
                issuer.as_ref().map_or(Ok(()), |i| write!(f, " ({i})"))
            }
            None => Ok(()),
        }
    }
}

/// Which verifiers must have passed for a subject to be admitted. An empty policy admits
/// nothing: [`AdmissionPolicy::evaluate`] needs at least one requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmissionPolicy {
    /// Each clause is met when any of its requirements is; all clauses must be met.
    requirements: Vec<Vec<Requirement>>,
    refuse_failures: bool,
}

/// Why a [`AdmissionPolicy`] refused a [`Report`].
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdmissionError {
    /// The policy has no requirement, so it would admit anything.
    #[error("the policy has no requirement")]
    Empty,
    /// A requirement no pass meets.
    #[error("no artifact of {subject} meets the requirement: {requirement}")]
    Unmet {
        /// The subject.
        subject: Digest,
        /// The requirement.
        requirement: Box<Requirement>,
    },
    /// A [`AdmissionPolicy::require_any`] clause none of whose alternatives a pass meets.
    #[error("no artifact of {subject} meets any of: {}", AnyOf(requirements))]
    UnmetAny {
        /// The subject.
        subject: Digest,
        /// The alternatives, in the policy's order (empty for an empty clause).
        requirements: Vec<Requirement>,
    },
    /// An artifact failed verification and the policy refuses any failure.
    #[error("artifact {artifact} failed verification")]
    Failure {
        /// The artifact that failed.
        artifact: Digest,
    },
}

/// Alternatives as `A; or B; or C` (`nothing` for none).
struct AnyOf<'a>(&'a [Requirement]);

impl fmt::Display for AnyOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("nothing (an empty clause)");
        }
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; or ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl AdmissionPolicy {
    /// A policy with no requirement yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a requirement; all must be met.
    #[must_use]
    pub fn require(mut self, requirement: Requirement) -> Self {
        self.requirements.push(vec![requirement]);
        self
    }

    /// Adds a requirement met when any one of `requirements` is (a key's signature as a cosign
    /// `.sig` layer or as a Sigstore bundle, say); all requirements added must be met. An
    /// empty list is never met.
    #[must_use]
    pub fn require_any(mut self, requirements: impl IntoIterator<Item = Requirement>) -> Self {
        self.requirements.push(requirements.into_iter().collect());
        self
    }

    /// Refuses the subject when any artifact failed, even if the requirements are met (by
    /// default a failing extra signature does not outweigh a passing one, as with cosign).
    #[must_use]
    pub fn refuse_any_failure(mut self) -> Self {
        self.refuse_failures = true;
        self
    }

    /// Evaluates `report`.
    ///
    /// # Errors
    /// [`AdmissionError`] naming the first requirement not met or the first failure refused.
    pub fn evaluate<'r>(&self, report: &'r Report) -> Result<VerifiedSubject<'r>, AdmissionError> {
        if self.requirements.is_empty() {
            return Err(AdmissionError::Empty);
        }
        if self.refuse_failures {
            if let Some(e) = report
                .entries
                .iter()
                .find(|e| matches!(e.verdict, Verdict::Failed(_)))
            {
                return Err(AdmissionError::Failure {
                    artifact: e.artifact,
                });
            }
        }
        let mut met = Vec::with_capacity(self.requirements.len());
        for clause in &self.requirements {
            let evidence = clause
                .iter()
                .find_map(|requirement| {
                    report
                        .entries
                        .iter()
                        .filter(|e| e.verifier == Some(requirement.verifier.as_str()))
                        .find_map(|e| match &e.verdict {
                            Verdict::Passed(ev) if requirement.met_by(ev) => Some(ev),
                            _ => None,
                        })
                })
                .ok_or_else(|| match clause.as_slice() {
                    [one] => AdmissionError::Unmet {
                        subject: report.subject.digest,
                        requirement: Box::new(one.clone()),
                    },
                    all => AdmissionError::UnmetAny {
                        subject: report.subject.digest,
                        requirements: all.to_vec(),
                    },
                })?;
            met.push(evidence);
        }
        Ok(VerifiedSubject {
            subject: &report.subject,
            evidence: met,
        })
    }
}

/// A subject whose report met a [`AdmissionPolicy`]; built only by [`AdmissionPolicy::evaluate`].
#[derive(Debug)]
pub struct VerifiedSubject<'r> {
    subject: &'r Subject,
    evidence: Vec<&'r Evidence>,
}

impl<'r> VerifiedSubject<'r> {
    /// The subject admitted.
    pub fn subject(&self) -> &'r Subject {
        self.subject
    }

    /// The evidence that met each requirement, in the policy's order.
    pub fn evidence(&self) -> &[&'r Evidence] {
        &self.evidence
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct ByBlob(&'static str);

    #[derive(Debug, thiserror::Error)]
    #[error("blob says no")]
    struct SaysNo;

    impl ArtifactVerifier for ByBlob {
        fn name(&self) -> &'static str {
            self.0
        }
        fn handles(&self, artifact: &Attachment) -> bool {
            artifact.artifact_type() == "text/verdict"
        }
        fn verify(&self, _: &Subject, artifact: &Attachment, _: Timestamp) -> Verdict {
            match artifact.blobs().first().map(Blob::bytes) {
                Some(b"yes") => Verdict::Passed(Evidence::new().with_signer(Signer::Key {
                    key_id: "k1".into(),
                })),
                Some(b"skip") => Verdict::not_applicable("skipped"),
                _ => Verdict::failed(SaysNo),
            }
        }
    }

    fn image() -> Digest {
        Digest::from_hex(Algorithm::Sha256, &"ab".repeat(32)).unwrap()
    }

    fn attachment(kind: &str, blob: &[u8], subject: Digest) -> Attachment {
        let manifest = format!(r#"{{"artifactType":"{kind}","n":{}}}"#, blob.len()).into_bytes();
        Attachment::new(Algorithm::Sha256.digest(&manifest), kind, manifest)
            .with_subject(subject)
            .with_blob("text/plain", blob.to_vec())
    }

    #[test]
    fn dispatch_refuses_other_subjects_and_bad_manifests() {
        let other = Digest::from_hex(Algorithm::Sha256, &"cd".repeat(32)).unwrap();
        let mut forged = attachment("text/verdict", b"yes", image());
        forged.manifest.push(b' ');
        let report = dispatch(
            &Subject::new(image()),
            &[attachment("text/verdict", b"yes", other), forged],
            &[&ByBlob("v")],
            Timestamp::from_unix(0),
        );
        assert_eq!(report.entries().len(), 2);
        assert!(report.entries().iter().all(|e| e.verifier().is_none()));
        assert_eq!(report.passes_by("v").count(), 0);
        let err = AdmissionPolicy::new()
            .require(Requirement::passed_by("v"))
            .evaluate(&report)
            .unwrap_err();
        assert!(matches!(err, AdmissionError::Unmet { .. }), "{err}");
    }

    #[test]
    fn policy_needs_a_matching_pass() {
        let subject = Subject::new(image());
        let artifacts = [
            attachment("text/verdict", b"no", image()),
            attachment("text/verdict", b"skip", image()),
            attachment("text/other", b"yes", image()),
        ];
        let report = dispatch(
            &subject,
            &artifacts,
            &[&ByBlob("v")],
            Timestamp::from_unix(0),
        );
        assert_eq!(report.unhandled(), &[*artifacts[2].digest()]);
        assert!(AdmissionPolicy::new()
            .require(Requirement::passed_by("v"))
            .evaluate(&report)
            .is_err());
        assert_eq!(
            AdmissionPolicy::new().evaluate(&report).unwrap_err(),
            AdmissionError::Empty
        );

        let artifacts = [
            attachment("text/verdict", b"no", image()),
            attachment("text/verdict", b"yes", image()),
        ];
        let report = dispatch(
            &subject,
            &artifacts,
            &[&ByBlob("v")],
            Timestamp::from_unix(0),
        );
        let key = Signer::Key {
            key_id: "k1".into(),
        };
        let ok = AdmissionPolicy::new()
            .require(Requirement::passed_by("v").signed_by(key))
            .evaluate(&report)
            .unwrap();
        assert_eq!(ok.evidence().len(), 1);
        let other_key = Signer::Key {
            key_id: "k2".into(),
        };
        assert!(AdmissionPolicy::new()
            .require(Requirement::passed_by("v").signed_by(other_key))
            .evaluate(&report)
            .is_err());
        assert!(matches!(
            AdmissionPolicy::new()
                .require(Requirement::passed_by("v"))
                .refuse_any_failure()
                .evaluate(&report),
            Err(AdmissionError::Failure { .. })
        ));
        assert!(AdmissionPolicy::new()
            .require(Requirement::passed_by("v").with_predicate_type("x"))
            .evaluate(&report)
            .is_err());
    }

    #[test]
    fn require_any_is_met_by_one_of_its_requirements() {
        let subject = Subject::new(image());
        let artifacts = [attachment("text/verdict", b"yes", image())];
        let report = dispatch(
            &subject,
            &artifacts,
            &[&ByBlob("second")],
            Timestamp::from_unix(0),
        );
        let either = [
            Requirement::passed_by("first"),
            Requirement::passed_by("second"),
        ];
        assert!(AdmissionPolicy::new()
            .require_any(either.clone())
            .evaluate(&report)
            .is_ok());
        // Each clause must be met: "first" alone is not.
        assert!(AdmissionPolicy::new()
            .require_any(either)
            .require(Requirement::passed_by("first"))
            .evaluate(&report)
            .is_err());
        // An empty clause is never met.
        assert!(matches!(
            AdmissionPolicy::new()
                .require_any(Vec::new())
                .evaluate(&report),
            Err(AdmissionError::UnmetAny { requirements, .. }) if requirements.is_empty()
        ));
        // The refusal names every alternative, not only the first.
        let neither = AdmissionPolicy::new()
            .require_any([
                Requirement::passed_by("cosign-key"),
                Requirement::passed_by("bundle"),
            ])
            .evaluate(&report)
            .unwrap_err()
            .to_string();
        assert!(
            neither.contains("a pass by cosign-key; or a pass by bundle"),
            "{neither}"
        );
    }
}
