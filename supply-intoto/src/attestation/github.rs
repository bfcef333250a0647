//! GitHub artifact attestations, checked as `gh attestation verify` does: a Sigstore bundle
//! carrying SLSA provenance v1 (or another predicate type the caller names), signed by a
//! Fulcio certificate from GitHub Actions, whose certificate says which repository, owner,
//! workflow and ref built the artifact.
//!
//! [`Options`] holds the flags: [`Options::owner`] (`--owner`) or [`Options::repo`]
//! (`--repo`), and [`Options::with_signer_workflow`] (`--signer-workflow`),
//! [`Options::with_source_ref`] (`--source-ref`), [`Options::with_predicate_type`]
//! (`--predicate-type`), [`Options::deny_self_hosted_runners`]
//! (`--deny-self-hosted-runners`). As in `gh`, without `--signer-workflow` the signer must be
//! a workflow of the repository (or of the owner) itself; a reusable workflow elsewhere (the
//! Bazel Central Registry's publish-to-bcr) must be named.

use supply_sig::crypto::Provider;
use supply_sig::digest::Digest;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::fulcio::FulcioIdentity;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Artifact, Matcher, Policy};

use super::provenance::PROVENANCE_V1;
use super::slsa::GITHUB_ACTIONS_ISSUER;
use super::statement::Statement;
use super::{AttestationSigner, VerifiedAttestation};

/// Errors from checking a GitHub artifact attestation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bundle or its statement did not verify.
    #[error("the attestation bundle does not verify")]
    Attestation(#[source] super::Error),
    /// The predicate type is not the one required.
    #[error("the predicate type is {found:?}, expected {expected:?}")]
    PredicateType {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The artifact is not a subject.
    #[error("the artifact digest {digest} is not a subject of the attestation")]
    DigestMismatch {
        /// `alg:hex`.
        digest: String,
    },
    /// The attestation is not signed by a certificate from the expected issuer.
    #[error("the certificate's OIDC issuer is {found:?}, expected {expected:?}")]
    Issuer {
        /// Expected.
        expected: String,
        /// Found.
        found: Option<String>,
    },
    /// A certificate value differs from what was asked.
    #[error("the certificate's {field} is {found:?}, expected {expected}")]
    Mismatch {
        /// Which value (`source repository owner`, `source repository`, `signer workflow`,
        /// `source ref`, `runner environment`).
        field: &'static str,
        /// What was asked.
        expected: String,
        /// What the certificate says.
        found: Option<String>,
    },
    /// Caller mistake: an owner, repository or workflow that is empty or malformed.
    #[error("invalid option {what}: {value:?}")]
    Config {
        /// Which option.
        what: &'static str,
        /// Its value.
        value: String,
    },
}

/// The checks of `gh attestation verify`.
#[derive(Clone, Debug)]
pub struct Options {
    owner: String,
    repo: Option<String>,
    signer_workflow: Option<String>,
    source_ref: Option<String>,
    predicate_type: String,
    issuer: String,
    hostname: String,
    deny_self_hosted: bool,
}

impl Options {
    /// Attestations for artifacts built by a repository of `owner` (`--owner`).
    pub fn owner(owner: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
            repo: None,
            signer_workflow: None,
            source_ref: None,
            predicate_type: PROVENANCE_V1.into(),
            issuer: GITHUB_ACTIONS_ISSUER.into(),
            hostname: "github.com".into(),
            deny_self_hosted: false,
        }
    }

    /// Attestations for artifacts built by `owner/repo` (`--repo`).
    ///
    /// # Errors
    /// [`Error::Config`] when `repo` is not `owner/name`.
    pub fn repo(repo: &str) -> Result<Self, Error> {
        let Some((owner, name)) = repo.split_once('/') else {
            return Err(Error::Config {
                what: "repo",
                value: repo.to_owned(),
            });
        };
        if owner.is_empty() || name.is_empty() || name.contains('/') {
            return Err(Error::Config {
                what: "repo",
                value: repo.to_owned(),
            });
        }
        let mut o = Self::owner(owner);
        o.repo = Some(repo.to_owned());
        Ok(o)
    }

    /// The workflow that must have signed: `owner/repo/.github/workflows/file.yml`, with or
    /// without `https://github.com/`, matched as a prefix of the certificate's build signer
    /// (so any ref), as `gh` does (`--signer-workflow`).
    pub fn with_signer_workflow(mut self, workflow: impl Into<String>) -> Self {
        self.signer_workflow = Some(workflow.into());
        self
    }

    /// The source ref that must have been built, e.g. `refs/heads/main` (`--source-ref`).
    pub fn with_source_ref(mut self, r: impl Into<String>) -> Self {
        self.source_ref = Some(r.into());
        self
    }

    /// The predicate type required (default SLSA provenance v1; `--predicate-type`).
    pub fn with_predicate_type(mut self, t: impl Into<String>) -> Self {
        self.predicate_type = t.into();
        self
    }

    /// Requires the build to have run on a GitHub-hosted runner (`--deny-self-hosted-runners`).
    pub fn deny_self_hosted_runners(mut self) -> Self {
        self.deny_self_hosted = true;
        self
    }

    /// The Sigstore policy for supply-sig's bundle verifier: a certificate from GitHub
    /// Actions whose SAN is a workflow on the host.
    ///
    /// # Errors
    /// [`Error::Config`] for a host name that makes no valid pattern.
    pub fn sigstore_policy(&self) -> Result<Policy, Error> {
        let re = format!("^https://{}/", regex_escape(&self.hostname));
        let san = Matcher::regex(&re).map_err(|_| Error::Config {
            what: "hostname",
            value: self.hostname.clone(),
        })?;
        Ok(Policy::identity_matching(
            san,
            Matcher::exact(self.issuer.clone()),
        ))
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() && c != '-' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An attestation that passed [`verify`]. Only [`verify`] and [`verify_bundle`] make one.
#[derive(Clone, Debug)]
pub struct VerifiedGithubAttestation {
    statement: Statement,
    identity: FulcioIdentity,
}

impl VerifiedGithubAttestation {
    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
    /// The certificate identity (signer workflow, repository, ref, …).
    pub fn identity(&self) -> &FulcioIdentity {
        &self.identity
    }
    /// The build signer (the workflow that signed, `…@ref`).
    pub fn signer_workflow(&self) -> &str {
        self.identity.san.as_str()
    }
}

/// Verifies `bundle` for the artifact `digest` with supply-sig's bundle verifier (under
/// [`Options::sigstore_policy`] and `root`), then checks it with [`verify`].
///
/// # Errors
/// [`Error::Attestation`] and [`verify`]'s errors.
pub fn verify_bundle(
    bundle: &Bundle,
    digest: &Digest,
    opts: &Options,
    root: &TrustedRoot,
    provider: &Provider,
) -> Result<VerifiedGithubAttestation, Error> {
    let policy = opts.sigstore_policy()?;
    let att =
        VerifiedAttestation::from_bundle(bundle, Artifact::Digest(digest), &policy, root, provider)
            .map_err(Error::Attestation)?;
    verify(&att, digest, opts)
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Checks a verified attestation as `gh attestation verify` does.
///
/// # Errors
/// The first check that fails; an attestation whose certificate was not verified
/// ([`super::danger`]) fails with [`Error::Issuer`].
pub fn verify(
    att: &VerifiedAttestation,
    digest: &Digest,
    opts: &Options,
) -> Result<VerifiedGithubAttestation, Error> {
    if opts.owner.is_empty() || opts.owner.contains('/') {
        return Err(Error::Config {
            what: "owner",
            value: opts.owner.clone(),
        });
    }
    let statement = att.statement();
    if statement.predicate_type() != opts.predicate_type {
        return Err(Error::PredicateType {
            expected: opts.predicate_type.clone(),
            found: super::truncate(statement.predicate_type()),
        });
    }
    if statement.subject_matching(digest).is_none() {
        return Err(Error::DigestMismatch {
            digest: format!("{}:{}", digest.algorithm().name(), digest.hex()),
        });
    }
    let AttestationSigner::Certificate(id) = att.signer() else {
        return Err(Error::Issuer {
            expected: opts.issuer.clone(),
            found: None,
        });
    };
    if id.issuer.as_deref() != Some(opts.issuer.as_str()) {
        return Err(Error::Issuer {
            expected: opts.issuer.clone(),
            found: id.issuer.clone(),
        });
    }
    let ext = &id.extensions;
    let host = format!("https://{}/", opts.hostname);
    let owner_uri = format!("{host}{}", opts.owner);
    let found_owner = ext.source_repository_owner_uri.clone();
    if !found_owner.as_deref().is_some_and(|o| eq_ci(o, &owner_uri)) {
        return Err(Error::Mismatch {
            field: "source repository owner",
            expected: owner_uri,
            found: found_owner,
        });
    }
    if let Some(repo) = &opts.repo {
        let repo_uri = format!("{host}{repo}");
        let found = ext.source_repository_uri.clone();
        if !found.as_deref().is_some_and(|r| eq_ci(r, &repo_uri)) {
            return Err(Error::Mismatch {
                field: "source repository",
                expected: repo_uri,
                found,
            });
        }
    }
    let san = id.san.as_str();
    // The signer: the named workflow (any ref), or else a workflow of the repository (of the
    // owner with --owner alone).
    let (prefix, what) = match &opts.signer_workflow {
        Some(w) => {
            let w = w
                .strip_prefix("https://")
                .and_then(|w| w.strip_prefix(&format!("{}/", opts.hostname)))
                .unwrap_or(w);
            if w.is_empty() {
                return Err(Error::Config {
                    what: "signer-workflow",
                    value: w.to_owned(),
                });
            }
            (format!("{host}{w}@"), "signer workflow")
        }
        None => match &opts.repo {
            Some(r) => (format!("{host}{r}/"), "signer workflow repository"),
            None => (format!("{owner_uri}/"), "signer workflow owner"),
        },
    };
    let starts = san.get(..prefix.len()).is_some_and(|p| eq_ci(p, &prefix));
    if !starts {
        return Err(Error::Mismatch {
            field: what,
            expected: format!("{prefix}…"),
            found: Some(san.to_owned()),
        });
    }
    if let Some(r) = &opts.source_ref {
        if ext.source_repository_ref.as_deref() != Some(r.as_str()) {
            return Err(Error::Mismatch {
                field: "source ref",
                expected: r.clone(),
                found: ext.source_repository_ref.clone(),
            });
        }
    }
    if opts.deny_self_hosted && ext.runner_environment.as_deref() != Some("github-hosted") {
        return Err(Error::Mismatch {
            field: "runner environment",
            expected: "github-hosted".into(),
            found: ext.runner_environment.clone(),
        });
    }
    Ok(VerifiedGithubAttestation {
        statement: statement.clone(),
        identity: (**id).clone(),
    })
}
