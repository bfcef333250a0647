//! Verification of a bundle against an artifact, a [`Policy`] and a [`TrustedRoot`].
//!
//! [`verify`] is sync and pure: its inputs are the parsed bundle, the artifact (bytes or a
//! digest), the policy, the trusted root and a crypto [`Provider`]. It never reads the clock:
//! every time it uses is a *signed* one, from a verified Rekor SET or a verified RFC 3161
//! timestamp (or, only when the caller opts in with [`Policy::insecure_caller_time`], a time
//! the caller vouches for). It returns a [`VerifiedBundle`], which only this function
//! constructs and which lists every check that ran.
//!
//! The steps, in the order of the Sigstore client specification's "Verification" section
//! (each one function here; all must pass, fail closed):
//! 1. **material** ([`Policy`] against the bundle): a certificate bundle needs a certificate
//!    policy and a keyed bundle a public-key policy; the leaf certificate has the Fulcio
//!    code-signing profile; a DSSE envelope carries exactly one signature;
//! 2. **timestamps** (spec: "Establishing a time for the signature", RFC 3161): timestamps from
//!    trusted TSAs bound to the signature; no duplicates; at least `timestamp_threshold`
//!    verified;
//! 3. **log entries** (spec: the same, from the transparency service, and "Transparency log
//!    entry"): every entry is from a trusted log, its body describes exactly this bundle's
//!    signature, key and artifact, its SET verifies (required in v0.1) and its inclusion proof
//!    and signed checkpoint verify (required from v0.2); at least `tlog_threshold` *distinct*
//!    logs;
//! 4. **signed times** (spec: "Certificate", path validation): the certificate chains to a
//!    trusted Fulcio CA (its signature under the CA checked once per candidate CA) and every
//!    certificate of the chain is valid at *every* signed time, or the policy's key is in its
//!    validity window; at least `signed_time_threshold` of them; an unsigned `integratedTime`
//!    never counts;
//! 5. **identity** (spec: "Certificate", SCTs and policy): at least `sct_threshold` embedded SCTs
//!    from trusted CT logs; SAN, issuer and extensions match the policy;
//! 6. **content** (spec: "Signature verification"): the signature verifies over the artifact
//!    (message signature), or the DSSE envelope verifies through [`crate::dsse::Envelope::verify`]
//!    and its in-toto statement names the artifact's digest.
//!
//! Checks that can be switched off are switched off only by the `insecure_*` methods of
//! [`Policy`] (and [`Matcher::insecure_regex`]), whose names say what they give up.
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::sigstore::bundle::Bundle;
//! use supply_sig::sigstore::trust_root::TrustedRoot;
//! use supply_sig::sigstore::verify::{verify, Artifact, Policy};
//!
//! let root = TrustedRoot::from_json(
//!     include_bytes!("../../../testdata/sigstore/trust/staging/trusted_root.json"),
//!     &RUSTCRYPTO,
//! )?;
//! let bundle = Bundle::from_json(include_bytes!(
//!     "../../../testdata/sigstore/sigstore-python/bundles/bundle_v3.txt.sigstore"
//! ))?;
//! let artifact = include_bytes!("../../../testdata/sigstore/sigstore-python/bundles/bundle_v3.txt");
//! let policy = Policy::identity("william@yossarian.net", "https://github.com/login/oauth");
//!
//! let verified = verify(&bundle, Artifact::Bytes(artifact), &policy, &root, &RUSTCRYPTO)?;
//! let signer = verified.identity().map(|id| id.san.as_str());
//! assert_eq!(signer, Some("william@yossarian.net"));
//! assert_eq!(verified.tlog_count(), 1);
//! assert!(!verified.signed_times().is_empty());
//!
//! // Another artifact, or another signer, does not verify.
//! assert!(verify(&bundle, Artifact::Bytes(b"other"), &policy, &root, &RUSTCRYPTO).is_err());
//! let someone_else = Policy::identity("someone@example.com", "https://github.com/login/oauth");
//! assert!(verify(&bundle, Artifact::Bytes(artifact), &someone_else, &root, &RUSTCRYPTO).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::crypto::Provider;
use crate::digest::{Algorithm, Digest};
use crate::dsse::{self, TrustedKeys, VerifiedPayload};
use crate::key::encoding::pem;
use crate::key::PublicKey;
use crate::limits::{LimitExceeded, MAX_STATEMENT_SUBJECTS};
use crate::sign::{KeyVerifier, SignatureScheme, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{self, Certificate, LeafProfile};

use super::bundle::{Bundle, Content, TlogEntry, VerificationMaterial, Version};
use super::fulcio::{self, FulcioIdentity};
use super::rekor::{self, SignerMaterial};
use super::trust_root::{CertificateAuthority, TransparencyLog, TrustedRoot, ValidityWindow};
use super::tsa::{self, SignedTimestamp};

/// The in-toto statement payload type.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Errors from verification.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy is unusable: a caller mistake, kept apart from what the bundle did wrong.
    #[error("invalid verification policy")]
    ConfigPolicy(#[source] PolicyError),
    /// The bundle's material does not fit the policy or the bundle version.
    #[error("bundle rejected: {reason}")]
    InvalidBundle {
        /// Why.
        reason: &'static str,
    },
    /// A log entry names a log the trusted root does not have (a bundle of another Sigstore
    /// instance, or a root that is too old).
    #[error(
        "log entry {index} is from transparency log {log_id}, which the trusted root does not list"
    )]
    UnknownLog {
        /// The entry's position in the bundle.
        index: usize,
        /// Hex log ID.
        log_id: String,
    },
    /// A log entry failed a check.
    #[error("transparency log entry {index} (logIndex {log_index}) does not verify")]
    Tlog {
        /// The entry's position in the bundle.
        index: usize,
        /// Its logIndex.
        log_index: i64,
        /// Why.
        #[source]
        source: rekor::Error,
    },
    /// Two timestamps are identical.
    #[error("duplicate RFC 3161 timestamps")]
    DuplicateTimestamp,
    /// An RFC 3161 timestamp does not parse or does not verify.
    #[error("RFC 3161 timestamp {index} was not verified")]
    Timestamp {
        /// Its position in the bundle.
        index: usize,
        /// Why (an unparseable timestamp says so here).
        #[source]
        source: tsa::Error,
    },
    /// The bundle carries no usable signed time.
    #[error("the bundle has no signed time: no log entry with a verified inclusion promise and no verified RFC 3161 timestamp")]
    NoSignedTime {
        /// Why a timestamp the bundle carried did not count, if it had one.
        #[source]
        cause: Option<Box<Self>>,
    },
    /// The signing certificate is not a Fulcio code-signing leaf.
    #[error("the signing certificate is not a code-signing leaf certificate")]
    LeafProfile(#[source] x509::Error),
    /// No certificate authority of the trusted root issued the signing certificate.
    #[error("no certificate authority of the trusted root issued the signing certificate (issuer {issuer})")]
    UnknownAuthority {
        /// The certificate's issuer name.
        issuer: String,
    },
    /// The certificate does not chain to a trusted CA at a signed time.
    #[error("the signing certificate does not chain to a trusted certificate authority at every signed time")]
    Certificate(#[source] x509::Error),
    /// An SCT or Fulcio identity check failed.
    #[error("the Fulcio certificate's SCTs or identity extensions are not acceptable")]
    Fulcio(#[source] fulcio::Error),
    /// A threshold was not met.
    #[error("not enough {what}: {found} found, {required} required")]
    Threshold {
        /// What was counted.
        what: &'static str,
        /// Required.
        required: usize,
        /// Found.
        found: usize,
        /// Why the first candidate that did not count failed, when one did.
        #[source]
        cause: Option<Box<Self>>,
    },
    /// The identity does not match the policy.
    #[error(
        "identity mismatch: the policy requires the {what} to be {expected}, the certificate has {} (SAN {san:?}, issuer {})",
        .found.as_deref().map_or_else(|| "none".to_owned(), |f| format!("{f:?}")),
        .issuer.as_deref().map_or_else(|| "none".to_owned(), |i| format!("{i:?}"))
    )]
    IdentityMismatch {
        /// Which part: `subject alternative name`, `issuer`, or `extension <name>`.
        what: String,
        /// What the policy requires.
        expected: String,
        /// What the certificate holds for that part.
        found: Option<String>,
        /// The certificate's SAN.
        san: String,
        /// The certificate's OIDC issuer.
        issuer: Option<String>,
    },
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The DSSE envelope is not acceptable.
    #[error("the DSSE envelope does not verify")]
    Dsse(#[source] dsse::Error),
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

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Self::ConfigPolicy(e)
    }
}

/// Why a [`Policy`] or [`Matcher`] was refused (a caller mistake, never the bundle's).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A regular expression does not compile (or is too large).
    #[error("invalid regular expression {pattern:?}")]
    InvalidRegex {
        /// The expression.
        pattern: String,
        /// The compiler's error.
        #[source]
        source: regex::Error,
    },
    /// A pattern that matches every value (`""`, `.*`, `^.*$`, `.+` …) would accept any signer.
    #[error("the pattern {pattern:?} matches every value, so it would accept any signer")]
    MatchesEverything {
        /// The expression.
        pattern: String,
    },
    /// An option that needs the other kind of policy.
    #[error("{option} needs a {needs} policy")]
    WrongSigner {
        /// The option.
        option: &'static str,
        /// `public-key` or `certificate`.
        needs: &'static str,
    },
    /// An extension name that is not one of [`fulcio::Extensions`].
    #[error("unknown Fulcio extension {name:?}")]
    UnknownExtension {
        /// The name given.
        name: String,
    },
    /// A threshold of 0, which would switch a check off.
    #[error("the {what} threshold must be at least 1 (switching the check off is an insecure_* opt-out)")]
    ZeroThreshold {
        /// Which threshold.
        what: &'static str,
    },
    /// Fields that exclude each other, or none of those required.
    #[error("exactly one of {fields} is required")]
    ExactlyOne {
        /// The fields.
        fields: &'static str,
    },
    /// The policy document is not JSON of the policy shape.
    #[error("the policy is not JSON of the policy shape")]
    Json(#[source] serde_json::Error),
    /// The policy's public key does not parse.
    #[error("the policy's public key does not parse")]
    PublicKey(#[source] crate::key::Error),
    /// The policy document is too large.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// Strings that are not any signer's identity: a pattern matching all of them matches
/// everything a certificate could hold.
const UNRELATED_VALUES: [&str; 4] = [
    "a",
    "attacker@evil.invalid",
    "https://evil.invalid/owner/repo/.github/workflows/x.yml@refs/heads/main",
    "0",
];

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

    /// A regex matcher. A pattern that matches every value (`""`, `.*`, `^.*$`, `.+` …: an unset
    /// variable in a script) is refused: it would accept any signer. Say so explicitly with
    /// [`Matcher::insecure_regex`] when that is meant.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] with [`PolicyError::InvalidRegex`] for an invalid or oversized
    /// expression, [`PolicyError::MatchesEverything`] for one that matches everything.
    pub fn regex(re: &str) -> Result<Self, Error> {
        let m = Self::insecure_regex(re)?;
        if m.matches_everything() {
            return Err(PolicyError::MatchesEverything {
                pattern: re.to_owned(),
            }
            .into());
        }
        Ok(m)
    }

    /// **Insecure opt-out**: a regex matcher that may match every value, so that a policy
    /// built with it may accept any signer (of the other part of the identity).
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] with [`PolicyError::InvalidRegex`].
    pub fn insecure_regex(re: &str) -> Result<Self, Error> {
        regex::RegexBuilder::new(re)
            .size_limit(1 << 20)
            .build()
            .map(Self::Regex)
            .map_err(|source| {
                PolicyError::InvalidRegex {
                    pattern: re.to_owned(),
                    source,
                }
                .into()
            })
    }

    /// Whether this matcher accepts every non-empty value (checked on values that are nobody's
    /// identity).
    fn matches_everything(&self) -> bool {
        UNRELATED_VALUES.iter().all(|v| self.matches(v))
    }

    /// Whether `s` matches. An exact matcher never matches an empty value.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Self::Exact(e) => !e.is_empty() && e == s,
            Self::Regex(r) => r.is_match(s),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(e) => write!(f, "{e:?}"),
            Self::Regex(r) => write!(f, "a match of /{}/", r.as_str()),
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
        /// keyed bundles that carry no signed time (see [`Policy::insecure_caller_time`]).
        caller_time: Option<Timestamp>,
    },
}

/// What a bundle must satisfy. Built with the constructors or [`Policy::from_json`], which
/// rejects unknown fields.
///
/// The defaults check everything; the only ways to switch a check off are the `insecure_*`
/// methods ([`Policy::insecure_ignore_tlog`], [`Policy::insecure_ignore_sct`],
/// [`Policy::insecure_caller_time`]) and [`Matcher::insecure_regex`].
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
        *self.key_signer("a key validity window")?.0 = Some(window);
        Ok(self)
    }

    /// The validity window and caller time of a public-key policy; `option` names what the
    /// caller tried to set on a certificate policy.
    fn key_signer(
        &mut self,
        option: &'static str,
    ) -> Result<(&mut Option<ValidityWindow>, &mut Option<Timestamp>), Error> {
        match &mut self.signer {
            Signer::PublicKey {
                valid_for,
                caller_time,
                ..
            } => Ok((valid_for, caller_time)),
            Signer::Certificate { .. } => Err(PolicyError::WrongSigner {
                option,
                needs: "public-key",
            }
            .into()),
        }
    }

    /// Requires a Fulcio extension (field name of [`fulcio::Extensions`]) to match.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for an unknown extension name or a public-key policy.
    pub fn with_extension(mut self, name: &str, m: Matcher) -> Result<Self, Error> {
        if !fulcio::Extensions::field_names().any(|n| n == name) {
            return Err(PolicyError::UnknownExtension {
                name: name.to_owned(),
            }
            .into());
        }
        match &mut self.signer {
            Signer::Certificate { extensions, .. } => {
                extensions.push((name.to_owned(), m));
                Ok(self)
            }
            Signer::PublicKey { .. } => Err(PolicyError::WrongSigner {
                option: "a Fulcio extension",
                needs: "certificate",
            }
            .into()),
        }
    }

    /// Requires entries in at least `n` distinct transparency logs (default 1).
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for 0: not requiring a log is [`Policy::insecure_ignore_tlog`].
    pub fn with_tlog_threshold(mut self, n: usize) -> Result<Self, Error> {
        if n == 0 {
            return Err(PolicyError::ZeroThreshold {
                what: "transparency log",
            }
            .into());
        }
        self.tlog_threshold = n;
        Ok(self)
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
            return Err(PolicyError::ZeroThreshold {
                what: "signed time",
            }
            .into());
        }
        self.signed_time_threshold = n;
        Ok(self)
    }

    /// Requires at least `n` verified SCTs (certificate policies; default 1).
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] for 0 (not requiring SCTs is [`Policy::insecure_ignore_sct`]) or
    /// on a public-key policy.
    pub fn with_sct_threshold(mut self, n: usize) -> Result<Self, Error> {
        if n == 0 {
            return Err(PolicyError::ZeroThreshold { what: "SCT" }.into());
        }
        if matches!(self.signer, Signer::PublicKey { .. }) {
            return Err(PolicyError::WrongSigner {
                option: "an SCT threshold",
                needs: "certificate",
            }
            .into());
        }
        self.sct_threshold = n;
        Ok(self)
    }

    // ---- The insecure opt-outs: every knob that switches a check off is here. ----

    /// **Insecure opt-out**: no transparency-log entry is required (tlog threshold 0). Entries
    /// the bundle does carry are still checked. The signer's time must then come from an RFC
    /// 3161 timestamp, or, for keys, from [`Policy::insecure_caller_time`]. cosign's
    /// `--insecure-ignore-tlog`.
    #[must_use]
    pub fn insecure_ignore_tlog(mut self) -> Self {
        self.tlog_threshold = 0;
        self
    }

    /// **Insecure opt-out**: no embedded SCT is required (SCT threshold 0), so a certificate
    /// need not have been logged in Certificate Transparency. cosign's `--insecure-ignore-sct`.
    #[must_use]
    pub fn insecure_ignore_sct(mut self) -> Self {
        self.sct_threshold = 0;
        self
    }

    /// **Insecure opt-out**: `time`, vouched for by the caller (its clock) but signed by nobody,
    /// counts as a signed time for a public-key policy: the key's validity window is checked at
    /// it, and it counts towards the signed-time threshold. This is sigstore-go's
    /// `WithCurrentTime` for keyed bundles that were never logged or timestamped; it never
    /// applies to certificates, whose short validity needs a signed time.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`] on a certificate policy.
    pub fn insecure_caller_time(mut self, time: Timestamp) -> Result<Self, Error> {
        *self.key_signer("a caller-supplied time")?.1 = Some(time);
        Ok(self)
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
    /// A threshold of 0 is refused here as in the `with_*` methods: the opt-outs are code, not
    /// configuration.
    ///
    /// # Errors
    /// [`Error::ConfigPolicy`], also for a document over [`crate::limits::MAX_POLICY_LEN`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        if json.len() > crate::limits::MAX_POLICY_LEN {
            return Err(PolicyError::from(
                LimitExceeded::new("policy JSON", crate::limits::MAX_POLICY_LEN)
                    .with_actual(json.len()),
            )
            .into());
        }
        let w: WirePolicy = serde_json::from_slice(json).map_err(PolicyError::Json)?;
        let mut p = match (w.certificate_identity, w.public_key) {
            (Some(c), None) => {
                let one = |exact: Option<String>, re: Option<String>, fields: &'static str| match (
                    exact, re,
                ) {
                    (Some(e), None) => Ok(Matcher::exact(e)),
                    (None, Some(r)) => Matcher::regex(&r),
                    _ => Err(PolicyError::ExactlyOne { fields }.into()),
                };
                let mut p = Self::identity_matching(
                    one(
                        c.subject_alternative_name,
                        c.subject_alternative_name_regexp,
                        "subjectAlternativeName and subjectAlternativeNameRegexp",
                    )?,
                    one(c.issuer, c.issuer_regexp, "issuer and issuerRegexp")?,
                );
                for (k, v) in c.extensions {
                    p = p.with_extension(&k, Matcher::exact(v))?;
                }
                p
            }
            (None, Some(k)) => Self::public_key(
                pem::public_key_from_pem(k.as_bytes()).map_err(PolicyError::PublicKey)?,
            ),
            _ => {
                return Err(PolicyError::ExactlyOne {
                    fields: "certificateIdentity and publicKey",
                }
                .into())
            }
        };
        if let Some(n) = w.tlog_threshold {
            p = p.with_tlog_threshold(n)?;
        }
        if let Some(n) = w.timestamp_threshold {
            p = p.with_timestamp_threshold(n);
        }
        if let Some(n) = w.signed_time_threshold {
            p = p.with_signed_time_threshold(n)?;
        }
        if let Some(n) = w.sct_threshold {
            p = p.with_sct_threshold(n)?;
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
    #[serde(default, deserialize_with = "unique_map")]
    extensions: Vec<(String, String)>,
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
    /// A caller-supplied time was used for a keyed bundle ([`Policy::insecure_caller_time`]).
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
pub struct VerifiedBundle<'a> {
    checks: Vec<Check>,
    signed_times: Vec<Timestamp>,
    identity: Option<FulcioIdentity>,
    key: PublicKey,
    payload: Option<VerifiedPayload<'a>>,
    tlog_logs: usize,
}

impl<'a> VerifiedBundle<'a> {
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
    /// The verified DSSE payload (DSSE bundles): its type and the exact signed bytes.
    pub fn payload(&self) -> Option<&VerifiedPayload<'a>> {
        self.payload.as_ref()
    }
    /// How many distinct transparency logs verified.
    pub fn tlog_count(&self) -> usize {
        self.tlog_logs
    }
}

/// Verifies `bundle` for `artifact` under `policy` and `root`. See the module docs for the
/// steps and an example.
///
/// # Errors
/// The first step that fails.
pub fn verify<'a>(
    bundle: &'a Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> Result<VerifiedBundle<'a>, Error> {
    let mut checks = Vec::new();
    let material = check_material(bundle, policy)?;
    let mut timestamps = check_timestamps(bundle, &material, policy, root, provider, &mut checks)?;
    let logs = check_log_entries(bundle, &material, policy, root, provider, &mut checks)?;
    let signer = check_signed_times(
        &material,
        policy,
        root,
        &mut timestamps,
        &logs,
        provider,
        &mut checks,
    )?;
    let identity = check_identity(&material, &signer, policy, root, provider, &mut checks)?;
    let payload = check_content(bundle, artifact, &material, provider, &mut checks)?;
    Ok(VerifiedBundle {
        checks,
        signed_times: signer.valid_times,
        identity,
        key: material.key.clone(),
        payload,
        tlog_logs: logs.distinct_logs,
    })
}

/// What the bundle says signed, once it fits the policy.
struct Material<'a> {
    /// The leaf certificate (certificate bundles), its code-signing profile checked.
    leaf: Option<&'a Certificate>,
    /// The signing key: the leaf's, or the policy's.
    key: &'a PublicKey,
    /// The signature bytes.
    signature: &'a [u8],
}

impl Material<'_> {
    fn signer(&self) -> SignerMaterial<'_> {
        match self.leaf {
            Some(c) => SignerMaterial::Certificate(c),
            None => SignerMaterial::PublicKey(self.key),
        }
    }
}

/// Step 1: the bundle's material against the policy.
fn check_material<'a>(bundle: &'a Bundle, policy: &'a Policy) -> Result<Material<'a>, Error> {
    let invalid = |reason| Error::InvalidBundle { reason };
    let (leaf, key) = match (bundle.material(), &policy.signer) {
        (VerificationMaterial::Certificate { leaf, .. }, Signer::Certificate { .. }) => {
            // The leaf's own profile does not depend on the CA or the time: checked once.
            leaf.check_leaf(LeafProfile::CodeSigning)
                .map_err(Error::LeafProfile)?;
            (Some(&**leaf), leaf.public_key())
        }
        (VerificationMaterial::PublicKey { .. }, Signer::PublicKey { key, .. }) => (None, key),
        (VerificationMaterial::Certificate { .. }, Signer::PublicKey { .. }) => {
            return Err(invalid("a certificate bundle needs an identity policy"))
        }
        (VerificationMaterial::PublicKey { .. }, Signer::Certificate { .. }) => {
            return Err(invalid("a keyed bundle needs a public-key policy"))
        }
    };
    if let Content::Dsse(env) = bundle.content() {
        if env.signatures.len() != 1 {
            return Err(invalid(
                "a bundle's DSSE envelope must carry exactly one signature",
            ));
        }
    }
    let signature = bundle.signature_bytes().ok_or(invalid("no signature"))?;
    Ok(Material {
        leaf,
        key,
        signature,
    })
}

/// What step 2 established.
struct Timestamps {
    /// The genTimes of the timestamps that verified.
    times: Vec<Timestamp>,
    /// Why the first timestamp that did not verify failed.
    first_failure: Option<Error>,
}

/// Step 2: RFC 3161 timestamps (client spec: establishing a time for the signature).
fn check_timestamps(
    bundle: &Bundle,
    material: &Material<'_>,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<Timestamps, Error> {
    let raw = bundle.timestamps();
    for (i, a) in raw.iter().enumerate() {
        if raw[..i].contains(a) {
            return Err(Error::DuplicateTimestamp);
        }
    }
    let mut out = Timestamps {
        times: Vec::new(),
        first_failure: None,
    };
    for (index, der) in raw.iter().enumerate() {
        let verified = SignedTimestamp::from_der(der)
            .and_then(|ts| ts.verify(material.signature, root.timestamp_authorities(), provider));
        match verified {
            Ok(t) => {
                checks.push(Check::Timestamp { time: t });
                out.times.push(t);
            }
            // A timestamp that does not verify is not a signed time; it fails the bundle
            // only through the thresholds, which then say why it did not count.
            Err(source) => {
                out.first_failure
                    .get_or_insert(Error::Timestamp { index, source });
            }
        }
    }
    if out.times.len() < policy.timestamp_threshold {
        return Err(Error::Threshold {
            what: "verified timestamps",
            required: policy.timestamp_threshold,
            found: out.times.len(),
            cause: out.first_failure.take().map(Box::new),
        });
    }
    Ok(out)
}

/// What step 3 established.
struct Logs {
    /// Integrated times authenticated by a SET.
    set_times: Vec<Timestamp>,
    /// For each entry without a SET, the validity windows of the trusted logs whose key
    /// verified its checkpoint: one of them must hold at some signed time.
    unset_windows: Vec<Vec<ValidityWindow>>,
    distinct_logs: usize,
}

/// Step 3: transparency-log entries (client spec: establishing a time, and the transparency
/// log entry).
fn check_log_entries(
    bundle: &Bundle,
    material: &Material<'_>,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<Logs, Error> {
    let version = bundle.version();
    let mut out = Logs {
        set_times: Vec::new(),
        unset_windows: Vec::new(),
        distinct_logs: 0,
    };
    let mut logs_seen: Vec<&[u8]> = Vec::new();
    for (index, entry) in bundle.tlog_entries().iter().enumerate() {
        let tlog_err = |source| Error::Tlog {
            index,
            log_index: entry.log_index,
            source,
        };
        // A root may list one log key several times (e.g. under two validity windows): every
        // entry with the log's ID is a candidate, and the entry verifies if one of them agrees.
        let candidates: Vec<&TransparencyLog> = root.tlogs_by_id(&entry.log_id).collect();
        let Some(first) = candidates.first() else {
            return Err(Error::UnknownLog {
                index,
                log_id: hex::encode(&entry.log_id),
            });
        };
        rekor::check_body(entry, bundle.content(), material.signer(), provider)
            .map_err(tlog_err)?;
        checks.push(Check::TlogBody {
            log: first.base_url.clone(),
            index: entry.log_index,
        });
        check_set(entry, version, &candidates, provider, checks, &mut out).map_err(
            |e| match e {
                Ok(source) => tlog_err(source),
                Err(e) => e,
            },
        )?;
        match (&entry.inclusion_proof, version) {
            (Some(p), v) => {
                let require_checkpoint = v >= Version::V0_2;
                let (verified, failure) = try_logs(&candidates, |log| {
                    rekor::verify_inclusion(entry, log, require_checkpoint, provider)
                });
                let Some((log, ())) = verified.first() else {
                    return Err(tlog_err(failure.unwrap_or(
                        rekor::Error::BadInclusionProof {
                            reason: "no trusted log key verifies it",
                        },
                    )));
                };
                checks.push(Check::InclusionProof {
                    log: log.base_url.clone(),
                    checkpoint: p.checkpoint.is_some(),
                });
                if entry.signed_entry_timestamp.is_none() {
                    out.unset_windows
                        .push(verified.iter().map(|(l, ())| l.valid_for).collect());
                }
            }
            (None, Version::V0_1) => {}
            (None, _) => {
                return Err(Error::InvalidBundle {
                    reason: "bundle v0.2+ log entries need an inclusion proof",
                })
            }
        }
        if !logs_seen.contains(&entry.log_id.as_slice()) {
            logs_seen.push(&entry.log_id);
        }
    }
    out.distinct_logs = logs_seen.len();
    if out.distinct_logs < policy.tlog_threshold {
        return Err(Error::Threshold {
            what: "distinct transparency logs",
            required: policy.tlog_threshold,
            found: out.distinct_logs,
            cause: None,
        });
    }
    Ok(out)
}

/// The entry's SET, if any, under any candidate log. `Err(Ok(_))` is the entry's failure,
/// `Err(Err(_))` the bundle's.
fn check_set(
    entry: &TlogEntry,
    version: Version,
    candidates: &[&TransparencyLog],
    provider: &Provider,
    checks: &mut Vec<Check>,
    out: &mut Logs,
) -> Result<(), Result<rekor::Error, Error>> {
    match (&entry.signed_entry_timestamp, version) {
        (Some(_), _) => {
            let (verified, failure) =
                try_logs(candidates, |log| rekor::verify_set(entry, log, provider));
            let Some((log, t)) = verified.into_iter().next() else {
                return Err(Ok(failure.unwrap_or(rekor::Error::BadSet {
                    log: candidates
                        .first()
                        .map(|l| l.base_url.clone())
                        .unwrap_or_default(),
                })));
            };
            checks.push(Check::InclusionPromise {
                log: log.base_url.clone(),
                time: t,
            });
            out.set_times.push(t);
            Ok(())
        }
        (None, Version::V0_1) => Err(Err(Error::InvalidBundle {
            reason: "bundle v0.1 log entries need an inclusion promise",
        })),
        (None, _) => Ok(()),
    }
}

/// Runs `f` against every candidate log: the logs it succeeded for (with its result) and the
/// first failure.
fn try_logs<'l, T, E>(
    candidates: &[&'l TransparencyLog],
    mut f: impl FnMut(&TransparencyLog) -> Result<T, E>,
) -> (Vec<(&'l TransparencyLog, T)>, Option<E>) {
    let mut ok = Vec::new();
    let mut first_err = None;
    for log in candidates {
        match f(log) {
            Ok(v) => ok.push((*log, v)),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    (ok, first_err)
}

/// What step 4 established.
struct SignerValidity<'r> {
    /// The signed times at which the signer was valid (all of them).
    valid_times: Vec<Timestamp>,
    /// The CA certificate that issued the leaf (certificate bundles), for the SCTs.
    issuer: Option<&'r Certificate>,
}

/// Step 4: the signer at every signed time (client spec: certificate path validation).
fn check_signed_times<'r>(
    material: &Material<'_>,
    policy: &Policy,
    root: &'r TrustedRoot,
    timestamps: &mut Timestamps,
    logs: &Logs,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<SignerValidity<'r>, Error> {
    let mut signed_times: Vec<Timestamp> = logs.set_times.clone();
    signed_times.extend_from_slice(&timestamps.times);
    if let Signer::PublicKey {
        caller_time: Some(t),
        ..
    } = &policy.signer
    {
        checks.push(Check::CallerTime { time: *t });
        signed_times.push(*t);
    }
    if signed_times.is_empty() {
        return Err(Error::NoSignedTime {
            cause: timestamps.first_failure.take().map(Box::new),
        });
    }
    // Logs without a SET must have been valid at a signed time (from a TSA).
    for windows in &logs.unset_windows {
        if !windows
            .iter()
            .any(|w| signed_times.iter().any(|t| w.contains(*t)))
        {
            return Err(Error::InvalidBundle {
                reason: "log key not valid at any signed time",
            });
        }
    }
    let mut out = SignerValidity {
        valid_times: Vec::new(),
        issuer: None,
    };
    match (&policy.signer, material.leaf) {
        (Signer::Certificate { .. }, Some(leaf)) => {
            let authorities = issuing_authorities(leaf, root, provider)?;
            for t in &signed_times {
                let mut last_err = None;
                let found = authorities.iter().find(|ca| {
                    if !ca.valid_for().contains(*t) {
                        return false;
                    }
                    match chain_valid_at(leaf, ca, *t) {
                        Ok(()) => true,
                        Err(e) => {
                            last_err = Some(e);
                            false
                        }
                    }
                });
                // Every signed time must be one at which the signer was valid: a timestamp or
                // SET outside the certificate's validity fails the bundle, it is not skipped.
                let Some(ca) = found else {
                    return Err(match last_err {
                        Some(e) => Error::Certificate(e),
                        None => Error::InvalidBundle {
                            reason: "no trusted certificate authority was valid at a signed time",
                        },
                    });
                };
                checks.push(Check::CertificateChain {
                    time: *t,
                    authority: ca.uri().to_owned(),
                });
                out.issuer = out.issuer.or(ca.issuer());
                out.valid_times.push(*t);
            }
        }
        (Signer::PublicKey { valid_for, .. }, None) => {
            for t in &signed_times {
                if !valid_for.is_none_or(|w| w.contains(*t)) {
                    return Err(Error::InvalidBundle {
                        reason: "the key was not valid at every signed time",
                    });
                }
                checks.push(Check::PublicKey { time: *t });
                out.valid_times.push(*t);
            }
        }
        _ => {
            return Err(Error::InvalidBundle {
                reason: "material does not match the policy",
            })
        }
    }
    if out.valid_times.len() < policy.signed_time_threshold {
        return Err(Error::Threshold {
            what: "signed times at which the signer was valid",
            required: policy.signed_time_threshold,
            found: out.valid_times.len(),
            cause: None,
        });
    }
    Ok(out)
}

/// The trusted CAs whose first certificate issued `leaf`: name and signature, checked once per
/// CA (they do not depend on the time).
fn issuing_authorities<'r>(
    leaf: &Certificate,
    root: &'r TrustedRoot,
    provider: &Provider,
) -> Result<Vec<&'r CertificateAuthority>, Error> {
    let mut out = Vec::new();
    let mut first_err = None;
    for ca in root.certificate_authorities() {
        let Some(issuer) = ca.issuer() else { continue };
        if !x509::names_chain(leaf, issuer) {
            continue;
        }
        match leaf.verify_signed_by(issuer.public_key(), provider) {
            Ok(()) => out.push(ca),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(match first_err {
            Some(e) => Error::Certificate(e),
            None => Error::UnknownAuthority {
                issuer: leaf.parsed().tbs_certificate.issuer.to_string(),
            },
        });
    }
    Ok(out)
}

/// Whether the leaf and every certificate of `ca`'s chain are valid at `t` (the rest of the
/// chain was checked when the root was read, the leaf's link by [`issuing_authorities`]).
fn chain_valid_at(
    leaf: &Certificate,
    ca: &CertificateAuthority,
    t: Timestamp,
) -> Result<(), x509::Error> {
    for (position, cert) in std::iter::once(leaf).chain(ca.chain()).enumerate() {
        if !cert.valid_at(t) {
            return Err(x509::Error::NotValidAt {
                position,
                time: t,
                not_before: cert.not_before(),
                not_after: cert.not_after(),
            });
        }
    }
    Ok(())
}

/// Step 5: SCTs and the identity (client spec: certificate, SCTs and the policy).
fn check_identity(
    material: &Material<'_>,
    signer: &SignerValidity<'_>,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<Option<FulcioIdentity>, Error> {
    let (
        Signer::Certificate {
            san,
            issuer,
            extensions,
        },
        Some(leaf),
    ) = (&policy.signer, material.leaf)
    else {
        return Ok(None);
    };
    if policy.sct_threshold > 0 {
        let issuer_cert = signer.issuer.ok_or(Error::InvalidBundle {
            reason: "no issuer for SCT verification",
        })?;
        let n =
            fulcio::verify_embedded_scts(leaf, issuer_cert, root, policy.sct_threshold, provider)
                .map_err(Error::Fulcio)?;
        checks.push(Check::Scts { logs: n });
    }
    let id = fulcio::identity(leaf).map_err(Error::Fulcio)?;
    let mismatch =
        |what: String, expected: &Matcher, found: Option<&str>| Error::IdentityMismatch {
            what,
            expected: expected.to_string(),
            found: found.map(str::to_owned),
            san: id.san.as_str().to_owned(),
            issuer: id.issuer.clone(),
        };
    if !san.matches(id.san.as_str()) {
        return Err(mismatch(
            "subject alternative name".into(),
            san,
            Some(id.san.as_str()),
        ));
    }
    if !id.issuer.as_deref().is_some_and(|i| issuer.matches(i)) {
        return Err(mismatch("issuer".into(), issuer, id.issuer.as_deref()));
    }
    for (name, m) in extensions {
        let value = id.extensions.get(name);
        if !value.is_some_and(|v| m.matches(v)) {
            return Err(mismatch(format!("extension {name}"), m, value));
        }
    }
    checks.push(Check::Identity);
    Ok(Some(id))
}

/// Step 6: the signature over the artifact, or the DSSE envelope and its statement (client
/// spec: signature verification).
fn check_content<'a>(
    bundle: &'a Bundle,
    artifact: Artifact<'_>,
    material: &Material<'_>,
    provider: &Provider,
    checks: &mut Vec<Check>,
) -> Result<Option<VerifiedPayload<'a>>, Error> {
    let key = material.key;
    let verifier_for = |hash: Option<Algorithm>| {
        let scheme = hash
            .and_then(|h| scheme_with_hash(key, h))
            .unwrap_or(key.default_scheme());
        KeyVerifier::new(key, scheme, VerifyPolicy::default(), provider)
            .map_err(|_| Error::BadSignature)
    };
    match bundle.content() {
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
            let differs = || Error::ArtifactMismatch {
                reason: "artifact digest differs from the bundle's message digest",
            };
            match artifact {
                Artifact::Bytes(bytes) => {
                    if let Some(d) = &m.digest {
                        if &provider.hash.digest(d.algorithm(), bytes) != d {
                            return Err(differs());
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
                            return Err(differs());
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
            let trusted = TrustedKeys::new().with_verifier(Box::new(verifier_for(None)?));
            let verified = env.verify(&trusted, 1).map_err(|e| match e {
                dsse::Error::ThresholdNotMet { .. } => Error::BadSignature,
                e => Error::Dsse(e),
            })?;
            checks.push(Check::Signature);
            if verified.payload_type() != IN_TOTO_PAYLOAD_TYPE {
                return Err(Error::InvalidStatement {
                    reason: "payload type is not application/vnd.in-toto+json",
                });
            }
            check_subjects(verified.payload(), artifact, provider)?;
            checks.push(Check::ArtifactDigest);
            Ok(Some(verified))
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
    #[serde(default, deserialize_with = "unique_map")]
    digest: Vec<(String, String)>,
}

/// A JSON object of strings whose keys are all distinct. serde's maps keep the last of two
/// equal keys, which would let a statement name one digest to one reader and another to the
/// next: a repeated key is an error here, as in every signed document we read.
fn unique_map<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct UniqueMap;
    impl<'de> Visitor<'de> for UniqueMap {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, String)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                if out.iter().any(|(seen, _)| *seen == k) {
                    return Err(serde::de::Error::custom(format_args!("repeated key {k:?}")));
                }
                out.push((k, v));
            }
            Ok(out)
        }
    }
    d.deserialize_map(UniqueMap)
}

fn check_subjects(
    payload: &[u8],
    artifact: Artifact<'_>,
    provider: &Provider,
) -> Result<(), Error> {
    // RFC 8259 §8.1: JSON text is UTF-8. serde_json skips the bytes of values it ignores
    // (the predicate) without checking them, so the whole payload is checked first.
    let text = std::str::from_utf8(payload).map_err(|_| Error::InvalidStatement {
        reason: "the statement is not UTF-8",
    })?;
    let st: Statement = serde_json::from_str(text).map_err(|_| Error::InvalidStatement {
        reason: "not an in-toto statement (or a repeated digest algorithm)",
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Each cause of the chain appears exactly once in `{:#}`.
    fn assert_each_cause_once(err: Error) {
        let mut causes = Vec::new();
        let mut cur: Option<&dyn std::error::Error> = Some(&err);
        while let Some(e) = cur {
            causes.push(e.to_string());
            cur = e.source();
        }
        let rendered = format!("{:#}", anyhow::Error::new(err));
        for c in &causes {
            assert_eq!(
                rendered.matches(c.as_str()).count(),
                1,
                "{c:?} in {rendered:?}"
            );
        }
    }

    #[test]
    fn error_chains_name_each_cause_once() {
        let x509_err = || x509::Error::NotValidAt {
            position: 1,
            time: Timestamp::from_unix(10),
            not_before: Timestamp::from_unix(0),
            not_after: Timestamp::from_unix(5),
        };
        let bad_ts = || Error::Timestamp {
            index: 0,
            source: tsa::Error::Malformed { reason: "TSTInfo" },
        };
        for e in [
            Matcher::regex("(").unwrap_err(),
            Matcher::regex(".*").unwrap_err(),
            Policy::from_json(b"{\"x\": 1}").unwrap_err(),
            Policy::from_json(&vec![b' '; crate::limits::MAX_POLICY_LEN + 1]).unwrap_err(),
            Policy::identity("a", "b")
                .with_tlog_threshold(0)
                .unwrap_err(),
            Error::Tlog {
                index: 0,
                log_index: 7,
                source: rekor::Error::Checkpoint(super::super::checkpoint::Error::Malformed {
                    reason: "no blank line",
                }),
            },
            Error::NoSignedTime {
                cause: Some(Box::new(bad_ts())),
            },
            Error::Threshold {
                what: "verified timestamps",
                required: 1,
                found: 0,
                cause: Some(Box::new(bad_ts())),
            },
            Error::LeafProfile(x509::Error::BadLeaf { reason: "no EKU" }),
            Error::Certificate(x509_err()),
            Error::Fulcio(fulcio::Error::SctThreshold {
                required: 1,
                verified: 0,
            }),
            Error::Dsse(dsse::Error::ConfigZeroThreshold),
            Error::UnknownLog {
                index: 0,
                log_id: "00".into(),
            },
        ] {
            assert_each_cause_once(e);
        }
    }

    #[test]
    fn unparseable_timestamp_is_named_as_such() {
        let e = Error::NoSignedTime {
            cause: Some(Box::new(Error::Timestamp {
                index: 0,
                source: SignedTimestamp::from_der(b"\x30\x00").unwrap_err(),
            })),
        };
        let text = format!("{:#}", anyhow::Error::new(e));
        assert!(
            text.contains("RFC 3161 timestamp 0 was not verified: malformed timestamp"),
            "{text}"
        );
    }

    #[test]
    fn identity_mismatch_says_what_the_certificate_held() {
        let e = Error::IdentityMismatch {
            what: "subject alternative name".into(),
            expected: Matcher::exact("alice@example.com").to_string(),
            found: Some("mallory@example.com".into()),
            san: "mallory@example.com".into(),
            issuer: Some("https://issuer.example".into()),
        };
        let text = e.to_string();
        for part in [
            "alice@example.com",
            "mallory@example.com",
            "https://issuer.example",
        ] {
            assert!(text.contains(part), "{text}");
        }
    }

    #[test]
    fn match_everything_patterns_need_the_opt_out() {
        for p in [
            "",
            ".*",
            "^.*$",
            ".+",
            "(?s).*",
            ".",
            "|x",
            "^.+$",
            "[\\s\\S]*",
        ] {
            assert!(
                matches!(
                    Matcher::regex(p),
                    Err(Error::ConfigPolicy(PolicyError::MatchesEverything { .. }))
                ),
                "{p:?}"
            );
            assert!(Matcher::insecure_regex(p)
                .unwrap()
                .matches("anyone@evil.invalid"));
        }
        for p in ["^https://github.com/", "@example\\.com$", "^alice$"] {
            Matcher::regex(p).unwrap();
        }
        // An empty exact identity matches nothing, not everything.
        assert!(!Matcher::exact("").matches(""));
    }
}
