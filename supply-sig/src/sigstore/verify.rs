//! Verification of a bundle against an artifact, a [`Policy`] and a [`TrustedRoot`].
//!
//! [`verify`] is sync and pure: its inputs are the parsed bundle, the artifact (bytes or a
//! digest), the policy, the trusted root and a crypto [`Provider`]. It never reads the clock:
//! every time it uses is a *signed* one, from a verified Rekor SET or a verified RFC 3161
//! timestamp. It returns a [`VerifiedBundle`], which only this function constructs and which
//! lists every check that ran.
//!
//! The checks, all of which must pass (fail closed):
//! 1. **material**: a certificate bundle needs a certificate policy and a keyed bundle a
//!    public-key policy; the DSSE envelope carries exactly one signature;
//! 2. **transparency log**: every entry is from a trusted log, its body describes exactly this
//!    bundle's signature, key and artifact, its SET verifies (required in v0.1) and its
//!    inclusion proof and signed checkpoint verify (required from v0.2); at least
//!    `tlog_threshold` *distinct* logs;
//! 3. **timestamps**: RFC 3161 timestamps from trusted TSAs bound to the signature; no
//!    duplicates; at least `timestamp_threshold` verified;
//! 4. **signed times**: the certificate chain to a trusted Fulcio CA is valid (or the
//!    policy's key is in its validity window) at *every* signed time (SETs and verified
//!    timestamps), and there are at least `signed_time_threshold` of them; an unsigned
//!    `integratedTime` never counts;
//! 5. **SCTs**: at least `sct_threshold` embedded SCTs from trusted CT logs;
//! 6. **identity**: SAN, issuer and extensions match the policy;
//! 7. **signature and artifact**: the signature verifies over the artifact (message
//!    signature) or over the DSSE PAE, whose in-toto statement names the artifact's digest.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::crypto::Provider;
use crate::digest::{Algorithm, Digest};
use crate::key::encoding::pem;
use crate::key::PublicKey;
use crate::limits::MAX_STATEMENT_SUBJECTS;
use crate::sign::{KeyVerifier, SignatureScheme, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{self, Certificate, LeafProfile};

use super::bundle::{Bundle, Content, Version};
use super::fulcio::{self, FulcioIdentity};
use super::rekor::{self, SignerMaterial};
use super::trust_root::{TrustedRoot, ValidityWindow};
use super::tsa::{self, SignedTimestamp};

/// The in-toto statement payload type.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Errors from verification.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy is unusable (zero threshold, unknown field, bad regex …).
    #[error("invalid policy: {reason}")]
    ConfigPolicy {
        /// Why.
        reason: String,
    },
    /// The bundle's material does not fit the policy or the bundle version.
    #[error("bundle rejected: {reason}")]
    InvalidBundle {
        /// Why.
        reason: &'static str,
    },
    /// A log entry names a log the trusted root does not have.
    #[error("log entry from unknown log {log_id}")]
    UnknownLog {
        /// Hex log ID.
        log_id: String,
    },
    /// A log entry failed a check.
    #[error("log entry {index}: {source}")]
    Tlog {
        /// logIndex.
        index: i64,
        /// Why.
        source: rekor::Error,
    },
    /// Two timestamps are identical.
    #[error("duplicate RFC 3161 timestamps")]
    DuplicateTimestamp,
    /// The certificate fails its chain or profile.
    #[error("certificate: {0}")]
    Certificate(#[from] x509::Error),
    /// A Fulcio identity or SCT check failed.
    #[error("Fulcio certificate: {0}")]
    Fulcio(#[from] fulcio::Error),
    /// A threshold was not met.
    #[error("not enough {what}: {found} found, {required} required")]
    Threshold {
        /// What was counted.
        what: &'static str,
        /// Required.
        required: usize,
        /// Found.
        found: usize,
    },
    /// The identity does not match the policy.
    #[error("identity mismatch: {what}")]
    IdentityMismatch {
        /// Which part.
        what: &'static str,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The artifact is not the one the bundle signs.
    #[error("artifact does not match the bundle: {reason}")]
    ArtifactMismatch {
        /// Why.
        reason: &'static str,
    },
    /// The DSSE payload is not an acceptable in-toto statement.
    #[error("invalid in-toto statement: {reason}")]
    InvalidStatement {
        /// Why.
        reason: &'static str,
    },
}

/// How a string is matched.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Matcher {
    /// Exact equality.
    Exact(String),
    /// A regular expression (RE2 syntax, linear time). Like cosign and sigstore-go the match is
    /// unanchored; write `^…$` to match the whole value.
    Regex(regex::Regex),
}

impl Matcher {
    /// An exact matcher.
    pub fn exact(s: impl Into<String>) -> Self {
        Self::Exact(s.into())
    }

    /// A regex matcher.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for an invalid or oversized expression.
    pub fn regex(re: &str) -> Result<Self, Error> {
        regex::RegexBuilder::new(re)
            .size_limit(1 << 20)
            .build()
            .map(Self::Regex)
            .map_err(|e| Error::ConfigPolicy {
                reason: format!("invalid regular expression: {e}"),
            })
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Self::Exact(e) => e == s,
            Self::Regex(r) => r.is_match(s),
        }
    }
}

/// Who must have signed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Signer {
    /// A Fulcio certificate whose identity matches.
    Certificate {
        /// The SAN.
        san: Matcher,
        /// The OIDC issuer.
        issuer: Matcher,
        /// Further Fulcio extensions (by field name of [`fulcio::Extensions`]).
        extensions: Vec<(String, Matcher)>,
    },
    /// A known public key, optionally only within a validity window.
    PublicKey {
        /// The key.
        key: PublicKey,
        /// When it may have signed.
        valid_for: Option<ValidityWindow>,
        /// A time the caller vouches for (e.g. its clock), used as one more time source for
        /// keyed bundles that carry no signed time (see [`Policy::with_caller_time`]).
        caller_time: Option<Timestamp>,
    },
}

/// What a bundle must satisfy. Built with the constructors or [`Policy::from_json`], which
/// rejects unknown fields.
#[derive(Clone, Debug)]
pub struct Policy {
    signer: Signer,
    tlog_threshold: usize,
    timestamp_threshold: usize,
    signed_time_threshold: usize,
    sct_threshold: usize,
}

impl Policy {
    fn new(signer: Signer) -> Self {
        Self {
            signer,
            tlog_threshold: 1,
            timestamp_threshold: 0,
            signed_time_threshold: 1,
            sct_threshold: 1,
        }
    }

    /// A certificate with exactly this SAN and OIDC issuer. Defaults: 1 log, 0 timestamps,
    /// 1 signed time, 1 SCT.
    pub fn identity(san: impl Into<String>, issuer: impl Into<String>) -> Self {
        Self::new(Signer::Certificate {
            san: Matcher::exact(san),
            issuer: Matcher::exact(issuer),
            extensions: Vec::new(),
        })
    }

    /// A certificate whose SAN and issuer match these matchers.
    pub fn identity_matching(san: Matcher, issuer: Matcher) -> Self {
        Self::new(Signer::Certificate {
            san,
            issuer,
            extensions: Vec::new(),
        })
    }

    /// A bundle signed with `key` (keyed bundles).
    pub fn public_key(key: PublicKey) -> Self {
        let mut p = Self::new(Signer::PublicKey {
            key,
            valid_for: None,
            caller_time: None,
        });
        p.sct_threshold = 0;
        p
    }

    /// Restricts a public-key policy to signed times within `window`.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] on a certificate policy.
    pub fn with_key_validity(mut self, window: ValidityWindow) -> Result<Self, Error> {
        match &mut self.signer {
            Signer::PublicKey { valid_for, .. } => {
                *valid_for = Some(window);
                Ok(self)
            }
            Signer::Certificate { .. } => Err(Error::ConfigPolicy {
                reason: "a key validity window needs a public-key policy".into(),
            }),
        }
    }

    /// Adds `time`, vouched for by the caller (its clock), as a time source for a public-key
    /// policy: the key's validity window is checked at it, and it counts towards the signed-time
    /// threshold. This is sigstore-go's `WithCurrentTime` for keyed bundles that were never
    /// logged or timestamped; it never applies to certificates, whose short validity needs a
    /// signed time.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] on a certificate policy.
    pub fn with_caller_time(mut self, time: Timestamp) -> Result<Self, Error> {
        match &mut self.signer {
            Signer::PublicKey { caller_time, .. } => {
                *caller_time = Some(time);
                Ok(self)
            }
            Signer::Certificate { .. } => Err(Error::ConfigPolicy {
                reason: "a caller-supplied time is only allowed with a public-key policy".into(),
            }),
        }
    }

    /// Requires a Fulcio extension (field name of [`fulcio::Extensions`]) to match.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for an unknown extension name or a public-key policy.
    pub fn with_extension(mut self, name: &str, m: Matcher) -> Result<Self, Error> {
        if !fulcio::Extensions::field_names().any(|n| n == name) {
            return Err(Error::ConfigPolicy {
                reason: format!("unknown Fulcio extension {name:?}"),
            });
        }
        match &mut self.signer {
            Signer::Certificate { extensions, .. } => {
                extensions.push((name.to_owned(), m));
                Ok(self)
            }
            Signer::PublicKey { .. } => Err(Error::ConfigPolicy {
                reason: "extensions need a certificate policy".into(),
            }),
        }
    }

    /// Requires entries in at least `n` distinct transparency logs (0 allows none, for
    /// bundles whose time comes from a TSA only).
    pub fn with_tlog_threshold(mut self, n: usize) -> Self {
        self.tlog_threshold = n;
        self
    }

    /// Requires at least `n` verified RFC 3161 timestamps.
    pub fn with_timestamp_threshold(mut self, n: usize) -> Self {
        self.timestamp_threshold = n;
        self
    }

    /// Requires at least `n` signed times (SETs plus timestamps) at which the signer was valid.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for 0: a bundle must always prove when it was signed.
    pub fn with_signed_time_threshold(mut self, n: usize) -> Result<Self, Error> {
        if n == 0 {
            return Err(Error::ConfigPolicy {
                reason: "signed time threshold must be at least 1".into(),
            });
        }
        self.signed_time_threshold = n;
        Ok(self)
    }

    /// Requires at least `n` verified SCTs (certificate policies).
    pub fn with_sct_threshold(mut self, n: usize) -> Self {
        self.sct_threshold = n;
        self
    }

    /// Reads a policy from JSON. Every field is known or the policy is rejected:
    ///
    /// ```json
    /// {"certificateIdentity": {"subjectAlternativeName": "…" | "subjectAlternativeNameRegexp": "…",
    ///                          "issuer": "…" | "issuerRegexp": "…",
    ///                          "extensions": {"source_repository_uri": "…"}},
    ///  "publicKey": "-----BEGIN PUBLIC KEY-----…",
    ///  "tlogThreshold": 1, "timestampThreshold": 0, "signedTimeThreshold": 1, "sctThreshold": 1}
    /// ```
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`], also for a document over [`crate::limits::MAX_POLICY_LEN`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let cfg = |reason: String| Error::ConfigPolicy { reason };
        if json.len() > crate::limits::MAX_POLICY_LEN {
            return Err(cfg(format!(
                "policy exceeds the limit of {} bytes",
                crate::limits::MAX_POLICY_LEN
            )));
        }
        let w: WirePolicy = serde_json::from_slice(json).map_err(|e| cfg(e.to_string()))?;
        let mut p = match (w.certificate_identity, w.public_key) {
            (Some(c), None) => {
                let one = |exact: Option<String>, re: Option<String>, what: &str| match (exact, re)
                {
                    (Some(e), None) => Ok(Matcher::exact(e)),
                    (None, Some(r)) => Matcher::regex(&r),
                    _ => Err(cfg(format!(
                        "exactly one of {what} and {what}Regexp is required"
                    ))),
                };
                let mut p = Self::identity_matching(
                    one(
                        c.subject_alternative_name,
                        c.subject_alternative_name_regexp,
                        "subjectAlternativeName",
                    )?,
                    one(c.issuer, c.issuer_regexp, "issuer")?,
                );
                for (k, v) in c.extensions {
                    p = p.with_extension(&k, Matcher::exact(v))?;
                }
                p
            }
            (None, Some(k)) => Self::public_key(
                pem::public_key_from_pem(k.as_bytes()).map_err(|e| cfg(e.to_string()))?,
            ),
            _ => {
                return Err(cfg(
                    "exactly one of certificateIdentity and publicKey".into()
                ))
            }
        };
        if let Some(n) = w.tlog_threshold {
            p = p.with_tlog_threshold(n);
        }
        if let Some(n) = w.timestamp_threshold {
            p = p.with_timestamp_threshold(n);
        }
        if let Some(n) = w.signed_time_threshold {
            p = p.with_signed_time_threshold(n)?;
        }
        if let Some(n) = w.sct_threshold {
            p = p.with_sct_threshold(n);
        }
        Ok(p)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WirePolicy {
    certificate_identity: Option<WireIdentity>,
    public_key: Option<String>,
    tlog_threshold: Option<usize>,
    timestamp_threshold: Option<usize>,
    signed_time_threshold: Option<usize>,
    sct_threshold: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireIdentity {
    subject_alternative_name: Option<String>,
    subject_alternative_name_regexp: Option<String>,
    issuer: Option<String>,
    issuer_regexp: Option<String>,
    #[serde(default)]
    extensions: BTreeMap<String, String>,
}

/// The artifact a bundle is checked against.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// Only the artifact's digest (e.g. `sha256:…` given on a command line). Message
    /// signatures are then verified over the digest (not possible with Ed25519 keys).
    Digest(&'a Digest),
}

/// One check that ran and passed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// The certificate chain to a trusted CA was valid at this signed time.
    CertificateChain {
        /// The signed time.
        time: Timestamp,
        /// The CA's URI.
        authority: String,
    },
    /// The policy's public key was accepted at this signed time.
    PublicKey {
        /// The signed time.
        time: Timestamp,
    },
    /// Embedded SCTs verified.
    Scts {
        /// How many distinct CT logs.
        logs: usize,
    },
    /// The log entry body describes this bundle.
    TlogBody {
        /// The log's URL.
        log: String,
        /// logIndex.
        index: i64,
    },
    /// The SET verified.
    InclusionPromise {
        /// The log's URL.
        log: String,
        /// The integrated time it signs.
        time: Timestamp,
    },
    /// The inclusion proof verified (with its signed checkpoint when `checkpoint`).
    InclusionProof {
        /// The log's URL.
        log: String,
        /// Whether a checkpoint was verified too.
        checkpoint: bool,
    },
    /// An RFC 3161 timestamp verified.
    Timestamp {
        /// genTime.
        time: Timestamp,
    },
    /// A caller-supplied time was used for a keyed bundle ([`Policy::with_caller_time`]).
    CallerTime {
        /// The time.
        time: Timestamp,
    },
    /// The signer identity matched the policy.
    Identity,
    /// The signature verified over the artifact or the DSSE PAE.
    Signature,
    /// The artifact digest matched the bundle (message digest or statement subject).
    ArtifactDigest,
}

/// A bundle that passed [`verify`]. Only [`verify`] constructs it.
#[derive(Clone, Debug)]
pub struct VerifiedBundle {
    checks: Vec<Check>,
    signed_times: Vec<Timestamp>,
    identity: Option<FulcioIdentity>,
    key: PublicKey,
    payload: Option<(String, Vec<u8>)>,
    tlog_logs: usize,
}

impl VerifiedBundle {
    /// Every check that ran, in order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
    /// The signed times at which the signer was valid.
    pub fn signed_times(&self) -> &[Timestamp] {
        &self.signed_times
    }
    /// The Fulcio identity (certificate bundles).
    pub fn identity(&self) -> Option<&FulcioIdentity> {
        self.identity.as_ref()
    }
    /// The key that signed.
    pub fn signing_key(&self) -> &PublicKey {
        &self.key
    }
    /// The verified DSSE payload type and bytes (DSSE bundles).
    pub fn payload(&self) -> Option<(&str, &[u8])> {
        self.payload
            .as_ref()
            .map(|(t, p)| (t.as_str(), p.as_slice()))
    }
    /// How many distinct transparency logs verified.
    pub fn tlog_count(&self) -> usize {
        self.tlog_logs
    }
}

/// Verifies `bundle` for `artifact` under `policy` and `root`. See the module docs.
///
/// # Errors
/// The first check that fails.
pub fn verify(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> Result<VerifiedBundle, Error> {
    let mut checks = Vec::new();
    let invalid = |reason| Error::InvalidBundle { reason };

    // 1. Material against policy.
    let (leaf, key) = match (&bundle.material, &policy.signer) {
        (
            super::bundle::VerificationMaterial::Certificate { leaf, .. },
            Signer::Certificate { .. },
        ) => {
            leaf.check_leaf(LeafProfile::CodeSigning)?;
            (Some(leaf), leaf.public_key().clone())
        }
        (super::bundle::VerificationMaterial::PublicKey { .. }, Signer::PublicKey { key, .. }) => {
            (None, key.clone())
        }
        (super::bundle::VerificationMaterial::Certificate { .. }, Signer::PublicKey { .. }) => {
            return Err(invalid("a certificate bundle needs an identity policy"))
        }
        (super::bundle::VerificationMaterial::PublicKey { .. }, Signer::Certificate { .. }) => {
            return Err(invalid("a keyed bundle needs a public-key policy"))
        }
    };
    if let Content::Dsse(env) = &bundle.content {
        if env.signatures.len() != 1 {
            return Err(invalid(
                "a bundle's DSSE envelope must carry exactly one signature",
            ));
        }
    }
    let signature = bundle.signature_bytes().ok_or(invalid("no signature"))?;
    let signer_material = match leaf {
        Some(c) => SignerMaterial::Certificate(c),
        None => SignerMaterial::PublicKey(&key),
    };

    // 7 first (cheap and independent of time): signature and artifact.
    let payload = verify_content(bundle, artifact, &key, provider, &mut checks)?;

    // 2. Transparency log entries.
    let mut signed_times: Vec<(Timestamp, bool)> = Vec::new(); // (time, from_tsa)
    let mut logs_seen: Vec<&[u8]> = Vec::new();
    let mut unsetted_windows: Vec<ValidityWindow> = Vec::new();
    for entry in &bundle.tlog_entries {
        let tlog_err = |source| Error::Tlog {
            index: entry.log_index,
            source,
        };
        let mut candidates = root.tlogs_by_id(&entry.log_id).peekable();
        let log = candidates
            .peek()
            .copied()
            .ok_or_else(|| Error::UnknownLog {
                log_id: hex::encode(&entry.log_id),
            })?;
        rekor::check_body(entry, &bundle.content, signer_material, provider).map_err(tlog_err)?;
        checks.push(Check::TlogBody {
            log: log.base_url.clone(),
            index: entry.log_index,
        });
        match (&entry.signed_entry_timestamp, bundle.version) {
            (Some(_), _) => {
                let t = rekor::verify_set(entry, log, provider).map_err(tlog_err)?;
                checks.push(Check::InclusionPromise {
                    log: log.base_url.clone(),
                    time: t,
                });
                signed_times.push((t, false));
            }
            (None, Version::V0_1) => {
                return Err(invalid("bundle v0.1 log entries need an inclusion promise"))
            }
            (None, _) => unsetted_windows.push(log.valid_for),
        }
        match (&entry.inclusion_proof, bundle.version) {
            (Some(p), v) => {
                let require_checkpoint = v >= Version::V0_2;
                rekor::verify_inclusion(entry, log, require_checkpoint, provider)
                    .map_err(tlog_err)?;
                checks.push(Check::InclusionProof {
                    log: log.base_url.clone(),
                    checkpoint: p.checkpoint.is_some(),
                });
            }
            (None, Version::V0_1) => {}
            (None, _) => return Err(invalid("bundle v0.2+ log entries need an inclusion proof")),
        }
        if !logs_seen.contains(&entry.log_id.as_slice()) {
            logs_seen.push(&entry.log_id);
        }
    }
    if logs_seen.len() < policy.tlog_threshold {
        return Err(Error::Threshold {
            what: "distinct transparency logs",
            required: policy.tlog_threshold,
            found: logs_seen.len(),
        });
    }

    // 3. RFC 3161 timestamps.
    for (i, a) in bundle.timestamps.iter().enumerate() {
        if bundle.timestamps[..i].contains(a) {
            return Err(Error::DuplicateTimestamp);
        }
    }
    let mut tsa_count = 0;
    for raw in &bundle.timestamps {
        let Ok(ts) = SignedTimestamp::from_der(raw) else {
            continue;
        };
        let verified: Result<Timestamp, tsa::Error> =
            ts.verify(signature, &root.timestamp_authorities, provider);
        if let Ok(t) = verified {
            checks.push(Check::Timestamp { time: t });
            signed_times.push((t, true));
            tsa_count += 1;
        }
    }
    if tsa_count < policy.timestamp_threshold {
        return Err(Error::Threshold {
            what: "verified timestamps",
            required: policy.timestamp_threshold,
            found: tsa_count,
        });
    }
    // 4. Signer validity at the signed times (plus a caller-vouched time for keys).
    if let Signer::PublicKey {
        caller_time: Some(t),
        ..
    } = &policy.signer
    {
        checks.push(Check::CallerTime { time: *t });
        signed_times.push((*t, false));
    }
    if signed_times.is_empty() {
        return Err(invalid(
            "bundle must contain an inclusion promise or signed timestamp(s)",
        ));
    }
    // Logs without a SET must have been valid at the (TSA) signed times.
    for w in &unsetted_windows {
        if !signed_times.iter().any(|(t, _)| w.contains(*t)) {
            return Err(invalid("log key not valid at any signed time"));
        }
    }
    let mut valid_times = Vec::new();
    let mut issuer_for_sct: Option<&Certificate> = None;
    let mut chain_error = None;
    for (t, _) in &signed_times {
        match (&policy.signer, leaf) {
            (Signer::Certificate { .. }, Some(leaf)) => {
                let mut ok = false;
                for ca in &root.certificate_authorities {
                    let names_match = ca.chain.first().is_some_and(|i| x509::names_chain(leaf, i));
                    if !ca.valid_for.contains(*t) || !names_match {
                        continue;
                    }
                    // The CA's own chain was checked when the root was read: only the leaf's
                    // link and every certificate's validity at `t` remain.
                    let verdict = match ca.checked_chain() {
                        Some(checked) => x509::verify_chain_checked(
                            leaf,
                            checked,
                            *t,
                            LeafProfile::CodeSigning,
                            provider,
                        ),
                        None => x509::verify_chain(
                            leaf,
                            &ca.chain,
                            *t,
                            LeafProfile::CodeSigning,
                            provider,
                        ),
                    };
                    match verdict {
                        Ok(()) => {
                            checks.push(Check::CertificateChain {
                                time: *t,
                                authority: ca.uri.clone(),
                            });
                            issuer_for_sct = issuer_for_sct.or(ca.chain.first());
                            ok = true;
                            break;
                        }
                        Err(e) => chain_error = Some(e),
                    }
                }
                if ok {
                    valid_times.push(*t);
                }
            }
            (Signer::PublicKey { valid_for, .. }, None) => {
                if valid_for.is_none_or(|w| w.contains(*t)) {
                    checks.push(Check::PublicKey { time: *t });
                    valid_times.push(*t);
                }
            }
            _ => return Err(invalid("material does not match the policy")),
        }
    }
    // Every signed time must be one at which the signer was valid: a timestamp or SET outside
    // the certificate's (or key's) validity fails the bundle, it is not skipped.
    if valid_times.len() < signed_times.len() {
        if let Some(e) = chain_error {
            return Err(Error::Certificate(e));
        }
        return Err(invalid("the signer was not valid at every signed time"));
    }
    if valid_times.len() < policy.signed_time_threshold {
        return Err(Error::Threshold {
            what: "signed times at which the signer was valid",
            required: policy.signed_time_threshold,
            found: valid_times.len(),
        });
    }

    // 5 and 6. SCTs and identity.
    let mut identity = None;
    if let (
        Signer::Certificate {
            san,
            issuer,
            extensions,
        },
        Some(leaf),
    ) = (&policy.signer, leaf)
    {
        if policy.sct_threshold > 0 {
            let issuer_cert = issuer_for_sct.ok_or(invalid("no issuer for SCT verification"))?;
            let n = fulcio::verify_embedded_scts(
                leaf,
                issuer_cert,
                root,
                policy.sct_threshold,
                provider,
            )?;
            checks.push(Check::Scts { logs: n });
        }
        let id = fulcio::identity(leaf)?;
        if !san.matches(id.san.as_str()) {
            return Err(Error::IdentityMismatch {
                what: "subject alternative name",
            });
        }
        if !id.issuer.as_deref().is_some_and(|i| issuer.matches(i)) {
            return Err(Error::IdentityMismatch { what: "issuer" });
        }
        for (name, m) in extensions {
            if !id.extensions.get(name).is_some_and(|v| m.matches(v)) {
                return Err(Error::IdentityMismatch { what: "extension" });
            }
        }
        checks.push(Check::Identity);
        identity = Some(id);
    }

    Ok(VerifiedBundle {
        checks,
        signed_times: valid_times,
        identity,
        key,
        payload,
        tlog_logs: logs_seen.len(),
    })
}

fn verify_content(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    key: &PublicKey,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<Option<(String, Vec<u8>)>, Error> {
    let verifier_for = |hash: Option<Algorithm>| {
        let scheme = hash
            .and_then(|h| scheme_with_hash(key, h))
            .unwrap_or(key.default_scheme());
        KeyVerifier::new(key, scheme, VerifyPolicy::default(), provider)
            .map_err(|_| Error::BadSignature)
    };
    match &bundle.content {
        Content::MessageSignature(m) => {
            // hashedrekord signs the artifact digest: the scheme's hash is the digest's
            // algorithm (SHA-256 unless the bundle says otherwise), whatever the curve.
            let hash = m
                .digest
                .as_ref()
                .map(Digest::algorithm)
                .or(match artifact {
                    Artifact::Digest(d) => Some(d.algorithm()),
                    Artifact::Bytes(_) => None,
                })
                .unwrap_or(Algorithm::Sha256);
            let verifier = verifier_for(Some(hash))?;
            match artifact {
                Artifact::Bytes(bytes) => {
                    if let Some(d) = &m.digest {
                        let actual = provider.hash.digest(d.algorithm(), bytes);
                        if &actual != d {
                            return Err(Error::ArtifactMismatch {
                                reason: "artifact digest differs from the bundle's message digest",
                            });
                        }
                        checks.push(Check::ArtifactDigest);
                    }
                    verifier
                        .verify(bytes, &m.signature)
                        .map_err(|_| Error::BadSignature)?;
                }
                Artifact::Digest(d) => {
                    if let Some(bd) = &m.digest {
                        if bd != d {
                            return Err(Error::ArtifactMismatch {
                                reason: "artifact digest differs from the bundle's message digest",
                            });
                        }
                        checks.push(Check::ArtifactDigest);
                    }
                    verifier
                        .verify_prehashed(d, &m.signature)
                        .map_err(|_| Error::BadSignature)?;
                }
            }
            checks.push(Check::Signature);
            Ok(None)
        }
        Content::Dsse(env) => {
            let [sig] = env.signatures.as_slice() else {
                return Err(Error::InvalidBundle {
                    reason: "a bundle's DSSE envelope must carry exactly one signature",
                });
            };
            let verifier = verifier_for(None)?;
            verifier
                .verify(&env.pae(), &sig.sig)
                .map_err(|_| Error::BadSignature)?;
            checks.push(Check::Signature);
            if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
                return Err(Error::InvalidStatement {
                    reason: "payload type is not application/vnd.in-toto+json",
                });
            }
            check_subjects(&env.payload, artifact, provider)?;
            checks.push(Check::ArtifactDigest);
            Ok(Some((env.payload_type.clone(), env.payload.clone())))
        }
    }
}

/// The scheme of `key`'s family that hashes with `hash` (Ed25519 has none but its own).
fn scheme_with_hash(key: &PublicKey, hash: Algorithm) -> Option<SignatureScheme> {
    use crate::key::KeyAlgorithm as K;
    use SignatureScheme as S;
    Some(match (key.algorithm(), hash) {
        (K::EcdsaP256, Algorithm::Sha256) => S::EcdsaP256Sha256,
        (K::EcdsaP256, Algorithm::Sha384) => S::EcdsaP256Sha384,
        (K::EcdsaP256, Algorithm::Sha512) => S::EcdsaP256Sha512,
        (K::EcdsaP384, Algorithm::Sha256) => S::EcdsaP384Sha256,
        (K::EcdsaP384, Algorithm::Sha384) => S::EcdsaP384Sha384,
        (K::EcdsaP384, Algorithm::Sha512) => S::EcdsaP384Sha512,
        (K::Rsa, Algorithm::Sha256) => S::RsaPkcs1v15Sha256,
        (K::Rsa, Algorithm::Sha384) => S::RsaPkcs1v15Sha384,
        (K::Rsa, Algorithm::Sha512) => S::RsaPkcs1v15Sha512,
        _ => return None,
    })
}

/// The in-toto statement types a DSSE bundle may carry (`_type`): v1, and v0.1 for
/// statements made before v1.
pub const IN_TOTO_STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "_type")]
    statement_type: Option<String>,
    subject: Vec<Subject>,
}

#[derive(Deserialize)]
struct Subject {
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

fn check_subjects(
    payload: &[u8],
    artifact: Artifact<'_>,
    provider: &Provider,
) -> Result<(), Error> {
    let st: Statement = serde_json::from_slice(payload).map_err(|_| Error::InvalidStatement {
        reason: "not an in-toto statement",
    })?;
    match st.statement_type.as_deref() {
        Some(t) if IN_TOTO_STATEMENT_TYPES.contains(&t) => {}
        Some(_) => {
            return Err(Error::InvalidStatement {
                reason: "unknown statement _type",
            })
        }
        None => {
            return Err(Error::InvalidStatement {
                reason: "statement has no _type",
            })
        }
    }
    if st.subject.len() > MAX_STATEMENT_SUBJECTS {
        return Err(Error::InvalidStatement {
            reason: "too many subjects",
        });
    }
    let mut cache: Vec<Digest> = Vec::new();
    for s in &st.subject {
        for (alg, hex_value) in &s.digest {
            let Some(alg) = Algorithm::from_name(alg) else {
                continue;
            };
            let Ok(expected) = Digest::from_hex(alg, hex_value) else {
                continue;
            };
            let matched = match artifact {
                Artifact::Digest(d) => d == &expected,
                Artifact::Bytes(bytes) => {
                    let actual = match cache.iter().find(|d| d.algorithm() == alg) {
                        Some(d) => *d,
                        None => {
                            let d = provider.hash.digest(alg, bytes);
                            cache.push(d);
                            d
                        }
                    };
                    actual == expected
                }
            };
            if matched {
                return Ok(());
            }
        }
    }
    Err(Error::ArtifactMismatch {
        reason: "no subject for digest",
    })
}
