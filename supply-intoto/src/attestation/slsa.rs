//! SLSA provenance verification as slsa-verifier does it (`verify-artifact`), for provenance
//! from GitHub Actions: the slsa-github-generator builders (generic, Go, container-based,
//! Node.js, Maven, Gradle, Bazel), builders delegated through the generator's delegator
//! workflows ("bring your own builder", e.g. a trusted reusable workflow), npm's provenance
//! from GitHub-hosted runners, and GitHub artifact attestations made by a reusable workflow
//! (the Bazel Central Registry's publish-to-bcr).
//!
//! [`verify`] takes a [`VerifiedAttestation`] (the signature layer) and checks, in order:
//! 1. the predicate is SLSA provenance v0.2 or v1 and the artifact digest is a subject;
//! 2. the signer: a Fulcio certificate from GitHub Actions' OIDC issuer whose build signer
//!    (the workflow in the SAN) is a trusted builder, or the builder the caller names
//!    ([`Options::with_builder_id`], `name` or `name@version`, slsa-verifier's
//!    `--builder-id`); a generator builder must be at a release tag `vX.Y.Z`;
//! 3. the provenance's builder id is the signer's (delegated builders: the one the trusted
//!    delegator recorded; GitHub-hosted runners: `https://github.com/actions/runner[/github-hosted]`);
//! 4. the source repository (certificate and provenance) is the expected one, exactly;
//! 5. the provenance agrees with the certificate: source commit, ref, trigger, run
//!    invocation, repository and owner ids, runner environment, build config;
//! 6. the branch, tag or versioned tag, and the workflow inputs, as asked.
//!
//! The result names the SLSA build level established ([`BuildLevel`]). Sync, no I/O, no
//! clock.

use std::fmt;

use supply_sig::digest::Digest;
use supply_sig::sigstore::fulcio::FulcioIdentity;

use super::predicate::Predicate;
use super::provenance::{Provenance, ProvenanceV02, ProvenanceV1};
use super::statement::Statement;
use super::{AttestationSigner, VerifiedAttestation};

/// GitHub Actions' OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The workflows directory of slsa-github-generator.
pub const GENERATOR_WORKFLOWS: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";
/// The builder workflows of slsa-github-generator trusted without `--builder-id` (as
/// slsa-verifier's defaults).
pub const TRUSTED_GENERATOR_BUILDERS: [&str; 9] = [
    "generator_generic_slsa3.yml",
    "generator_container_slsa3.yml",
    "builder_go_slsa3.yml",
    "builder_container-based_slsa3.yml",
    "builder_docker-based_slsa3.yml",
    "builder_nodejs_slsa3.yml",
    "builder_maven_slsa3.yml",
    "builder_gradle_slsa3.yml",
    "builder_bazel_slsa3.yml",
];
/// The delegator workflows of slsa-github-generator ("bring your own builder").
pub const DELEGATOR_WORKFLOWS: [&str; 2] = [
    "delegator_generic_slsa3.yml",
    "delegator_lowperms-generic_slsa3.yml",
];
/// The builder id of SLSA v1 provenance from a GitHub-hosted runner (npm, GitHub).
pub const GITHUB_HOSTED_RUNNER: &str = "https://github.com/actions/runner/github-hosted";
/// The builder id npm wrote in SLSA v0.2 provenance.
pub const GITHUB_RUNNER_V02: &str = "https://github.com/actions/runner";
/// The builder id prefix npm's CLI wrote in SLSA v0.2 provenance before general availability
/// (`https://github.com/npm/cli@9.5.0`), also from GitHub-hosted runners.
pub const NPM_CLI_PREVIEW: &str = "https://github.com/npm/cli@";

/// Errors from SLSA verification. Each names what differed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The predicate is not SLSA provenance.
    #[error("the predicate type is {found:?}, not SLSA provenance v0.2 or v1")]
    NotProvenance {
        /// The predicate type.
        found: String,
    },
    /// The provenance does not have its shape.
    #[error("the provenance does not parse")]
    Predicate(#[source] super::Error),
    /// The artifact is not a subject.
    #[error("the artifact digest {digest} is not a subject of the provenance")]
    DigestMismatch {
        /// `alg:hex`.
        digest: String,
    },
    /// The provenance was not signed by a Fulcio certificate.
    #[error("the provenance is not signed by a Fulcio certificate, so its builder is unknown")]
    NoCertificate,
    /// The certificate's OIDC issuer is not GitHub Actions.
    #[error("the certificate's OIDC issuer is {found:?}, not GitHub Actions")]
    UntrustedIssuer {
        /// The issuer found.
        found: Option<String>,
    },
    /// The signer is not a GitHub workflow (`https://github.com/o/r/path@ref`).
    #[error("the signer {found:?} is not a GitHub workflow")]
    InvalidSigner {
        /// The SAN found.
        found: String,
    },
    /// The signer is not a builder trusted by default and no builder id was given.
    #[error("the builder {builder:?} is not trusted by default: name it as the expected builder id to trust it")]
    UntrustedBuilder {
        /// The builder (signer or delegated builder).
        builder: String,
    },
    /// The builder is not the one expected.
    #[error("the builder is {found:?}, expected {expected:?}")]
    BuilderMismatch {
        /// The expected builder id.
        expected: String,
        /// The builder found.
        found: String,
    },
    /// An expected builder id is not `name` or `name@version`.
    #[error("invalid builder id {id:?}: expected name or name@version")]
    InvalidBuilderId {
        /// The id.
        id: String,
    },
    /// A trusted builder was not used at a release tag `refs/tags/vX.Y.Z`.
    #[error("the builder ref {found:?} is not a release tag refs/tags/vX.Y.Z")]
    InvalidBuilderRef {
        /// The ref found.
        found: String,
    },
    /// The provenance names another builder than the certificate.
    #[error("the provenance's builder id {provenance:?} differs from the signer {certificate:?}")]
    ProvenanceBuilderMismatch {
        /// From the certificate.
        certificate: String,
        /// From the provenance.
        provenance: String,
    },
    /// The provenance records no source.
    #[error("the provenance records no source repository")]
    MissingSource,
    /// The source URI is not `git+https://host/path[@ref]`.
    #[error("the source URI {found:?} is malformed")]
    MalformedSource {
        /// The URI.
        found: String,
    },
    /// The source repository is not the expected one.
    #[error("the source repository is {found:?}, expected {expected:?}")]
    SourceMismatch {
        /// Expected (normalized `host/owner/repo`).
        expected: String,
        /// Found.
        found: String,
    },
    /// The provenance disagrees with the certificate.
    #[error(
        "the provenance's {field} {provenance:?} differs from the certificate's {certificate:?}"
    )]
    CertificateMismatch {
        /// Which value.
        field: &'static str,
        /// From the certificate.
        certificate: String,
        /// From the provenance.
        provenance: String,
    },
    /// The build was not on the expected branch.
    #[error("the source branch is {found:?}, expected {expected:?}")]
    BranchMismatch {
        /// `refs/heads/…`.
        expected: String,
        /// `refs/heads/…`.
        found: String,
    },
    /// A branch was expected, but the build ref is not a branch and records no base branch.
    #[error("invalid ref: the build ref {found:?} is not on a branch")]
    NoBranch {
        /// The build ref.
        found: String,
    },
    /// The build was not at the expected tag.
    #[error("the source tag is {found:?}, expected {expected:?}")]
    TagMismatch {
        /// `refs/tags/…` or a semantic version.
        expected: String,
        /// The tag found.
        found: String,
    },
    /// A tag was expected, but the build ref is not a tag.
    #[error("invalid ref: the build ref {found:?} is not a tag")]
    NotATag {
        /// The build ref.
        found: String,
    },
    /// A tag is not a semantic version `vMAJOR[.MINOR[.PATCH]]`.
    #[error("{tag:?} is not a semantic version vMAJOR[.MINOR[.PATCH]]")]
    InvalidSemver {
        /// The tag.
        tag: String,
    },
    /// A workflow input differs.
    #[error("the workflow input {name:?} is {found:?}, expected {expected:?}")]
    InputMismatch {
        /// The input's name.
        name: String,
        /// Expected.
        expected: String,
        /// Found (`None`: absent).
        found: Option<String>,
    },
    /// Caller mistake: an empty source URI or option.
    #[error("the option {what} is empty")]
    ConfigEmpty {
        /// Which option.
        what: &'static str,
    },
}

/// The SLSA build level established (<https://slsa.dev/spec/v1.0/levels>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum BuildLevel {
    /// Nothing established: the signature was not verified against trusted material.
    L0,
    /// Provenance exists and verified, but its builder is not a hosted platform we know.
    L1,
    /// Signed provenance from a hosted build platform (a GitHub-hosted runner running the
    /// source repository's own workflow).
    L2,
    /// Signed provenance from an isolated builder the source repository cannot influence
    /// (a trusted reusable workflow).
    L3,
}

impl BuildLevel {
    /// The VSA level name (`SLSA_BUILD_LEVEL_n`).
    pub const fn vsa_level(self) -> &'static str {
        match self {
            Self::L0 => "SLSA_BUILD_LEVEL_0",
            Self::L1 => "SLSA_BUILD_LEVEL_1",
            Self::L2 => "SLSA_BUILD_LEVEL_2",
            Self::L3 => "SLSA_BUILD_LEVEL_3",
        }
    }
}

impl fmt::Display for BuildLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vsa_level())
    }
}

/// The kind of builder that made the provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuilderKind {
    /// An slsa-github-generator builder workflow.
    Generator,
    /// A builder delegated through an slsa-github-generator delegator workflow.
    Delegated,
    /// The source repository's own workflow on a GitHub-hosted runner (npm provenance).
    GithubHostedRunner,
    /// A reusable workflow the caller named (GitHub artifact attestations).
    ReusableWorkflow,
    /// Google Cloud Build's hosted worker ([`super::gcb`]).
    GoogleCloudBuild,
}

/// What the provenance must say. Built with [`Options::new`] and the `with_*` methods, as
/// slsa-verifier's flags.
#[derive(Clone, Debug)]
pub struct Options {
    source_uri: String,
    branch: Option<String>,
    tag: Option<String>,
    versioned_tag: Option<String>,
    builder_id: Option<String>,
    inputs: Vec<(String, String)>,
    allow_unreleased_builder: bool,
}

impl Options {
    /// Provenance for a build of `source_uri` (`github.com/owner/repo`; `https://` and
    /// `git+https://` prefixes are accepted), compared exactly (`--source-uri`).
    pub fn new(source_uri: impl Into<String>) -> Self {
        Self {
            source_uri: source_uri.into(),
            branch: None,
            tag: None,
            versioned_tag: None,
            builder_id: None,
            inputs: Vec::new(),
            allow_unreleased_builder: false,
        }
    }

    /// Requires the build to be on this branch (`main` or `refs/heads/main`;
    /// `--source-branch`).
    pub fn with_source_branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// Requires the build to be at exactly this tag (`v1.2.3` or `refs/tags/v1.2.3`;
    /// `--source-tag`).
    pub fn with_source_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Requires the build's tag to be a semantic version matching this one in every
    /// component it gives: `v13` accepts `v13.x.y`, `v13.0` accepts `v13.0.y`
    /// (`--source-versioned-tag`).
    pub fn with_source_versioned_tag(mut self, tag: impl Into<String>) -> Self {
        self.versioned_tag = Some(tag.into());
        self
    }

    /// Names the builder to trust: `name` matches any version, `name@version` only that one
    /// (`version` may omit `refs/tags/`; `--builder-id`). Required for builders not trusted by
    /// default (delegated builders, reusable workflows).
    pub fn with_builder_id(mut self, id: impl Into<String>) -> Self {
        self.builder_id = Some(id.into());
        self
    }

    /// Requires a workflow input to have this value (`--build-workflow-input name=value`).
    pub fn with_workflow_input(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.inputs.push((name.into(), value.into()));
        self
    }

    /// The expected source repository, as given.
    pub fn source_uri(&self) -> &str {
        &self.source_uri
    }

    /// The expected builder id, if any.
    pub fn builder_id(&self) -> Option<&str> {
        self.builder_id.as_deref()
    }

    /// The expected exact tag, if any.
    pub fn expected_tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The expected versioned tag, if any.
    pub fn expected_versioned_tag(&self) -> Option<&str> {
        self.versioned_tag.as_deref()
    }

    /// The expected branch, if any.
    pub fn expected_branch(&self) -> Option<&str> {
        self.branch.as_deref()
    }

    /// **Insecure opt-out**: accepts generator builders at `refs/heads/main` instead of a
    /// release tag, as slsa-verifier does with `SLSA_VERIFIER_TESTING` for the builder's own
    /// end-to-end tests.
    #[must_use]
    pub fn insecure_allow_unreleased_builder(mut self) -> Self {
        self.allow_unreleased_builder = true;
        self
    }
}

/// Provenance that passed [`verify`]. Only [`verify`] makes one.
#[derive(Clone, Debug)]
pub struct VerifiedProvenance {
    statement: Statement,
    predicate: Predicate,
    builder_id: String,
    builder_kind: BuilderKind,
    source_uri: String,
    source_ref: Option<String>,
    level: BuildLevel,
}

impl VerifiedProvenance {
    /// For the sibling verifiers ([`super::gcb`]), after their checks passed.
    pub(super) fn new(
        statement: Statement,
        predicate: Predicate,
        builder_id: String,
        builder_kind: BuilderKind,
        source_uri: String,
        source_ref: Option<String>,
        level: BuildLevel,
    ) -> Self {
        Self {
            statement,
            predicate,
            builder_id,
            builder_kind,
            source_uri,
            source_ref,
            level,
        }
    }

    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
    /// The provenance predicate (v0.2 or v1).
    pub fn predicate(&self) -> &Predicate {
        &self.predicate
    }
    /// The trusted builder id (`name@version`).
    pub fn builder_id(&self) -> &str {
        &self.builder_id
    }
    /// Which kind of builder.
    pub fn builder_kind(&self) -> BuilderKind {
        self.builder_kind
    }
    /// The source repository (`github.com/owner/repo`).
    pub fn source_uri(&self) -> &str {
        &self.source_uri
    }
    /// The source ref built (`refs/heads/…`, `refs/tags/…`).
    pub fn source_ref(&self) -> Option<&str> {
        self.source_ref.as_deref()
    }
    /// The SLSA build level established.
    pub fn level(&self) -> BuildLevel {
        self.level
    }
}

/// `github.com/owner/repo` from `git+https://github.com/owner/repo`, `https://…` or bare.
pub(super) fn normalize_repo(s: &str) -> &str {
    let s = s.strip_prefix("git+").unwrap_or(s);
    let s = s.strip_prefix("https://").unwrap_or(s);
    s.strip_suffix('/').unwrap_or(s)
}

/// Splits a provenance source URI `git+https://host/path@ref` into (`host/path`, ref).
fn parse_source(uri: &str) -> Result<(&str, Option<&str>), Error> {
    let malformed = || Error::MalformedSource {
        found: super::truncate(uri),
    };
    let rest = uri
        .strip_prefix("git+https://")
        .or_else(|| uri.strip_prefix("https://"))
        .ok_or_else(malformed)?;
    match rest.split_once('@') {
        Some((repo, r)) if !r.is_empty() && !r.contains('@') && !repo.is_empty() => {
            Ok((repo, Some(r)))
        }
        Some(_) => Err(malformed()),
        None if !rest.is_empty() => Ok((rest, None)),
        None => Err(malformed()),
    }
}

/// A GitHub workflow identity `https://github.com/owner/repo/path@ref` split in parts.
#[derive(Debug)]
struct Workflow<'a> {
    /// `https://github.com/owner/repo/path` (the builder name).
    name: &'a str,
    /// `owner/repo`.
    repo: String,
    /// `refs/…`.
    git_ref: &'a str,
}

fn parse_workflow(uri: &str) -> Option<Workflow<'_>> {
    let (name, git_ref) = uri.split_once('@')?;
    let path = name.strip_prefix("https://github.com/")?;
    let mut parts = path.splitn(3, '/');
    let (owner, repo, rest) = (parts.next()?, parts.next()?, parts.next()?);
    if owner.is_empty() || repo.is_empty() || rest.is_empty() || git_ref.is_empty() {
        return None;
    }
    Some(Workflow {
        name,
        repo: format!("{owner}/{repo}"),
        git_ref,
    })
}

/// Parses an expected builder id into (name, version).
fn parse_builder_id(id: &str) -> Result<(&str, Option<&str>), Error> {
    let invalid = || Error::InvalidBuilderId {
        id: super::truncate(id),
    };
    match id.split_once('@') {
        None if !id.is_empty() => Ok((id, None)),
        Some((n, v)) if !n.is_empty() && !v.is_empty() && !v.contains('@') => Ok((n, Some(v))),
        _ => Err(invalid()),
    }
}

/// Whether the expected builder id (`name[@version]`) matches `actual` (`name@version`),
/// as slsa-verifier's `MatchesLoose` with refs allowed.
pub(super) fn builder_matches(expected: &str, actual: &str) -> Result<bool, Error> {
    let (en, ev) = parse_builder_id(expected)?;
    let (an, av) = match actual.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (actual, None),
    };
    if en != an {
        return Ok(false);
    }
    Ok(match (ev, av) {
        (None, _) => true,
        (Some(e), Some(a)) => e == a || a.strip_prefix("refs/tags/") == Some(e),
        (Some(_), None) => false,
    })
}

/// A semantic version `vMAJOR[.MINOR[.PATCH]][-pre][+build]`: its numeric components and
/// pre-release.
#[derive(Debug, PartialEq, Eq)]
struct Semver<'a> {
    nums: Vec<u64>,
    pre: Option<&'a str>,
}

fn parse_semver(tag: &str) -> Option<Semver<'_>> {
    let v = tag.strip_prefix('v')?;
    let v = v.split_once('+').map_or(v, |(a, _)| a);
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) if !p.is_empty() => (c, Some(p)),
        Some(_) => return None,
        None => (v, None),
    };
    let nums: Vec<u64> = core
        .split('.')
        .map(|p| {
            // No leading zeros, digits only (semver §2).
            if p.is_empty()
                || (p.len() > 1 && p.starts_with('0'))
                || !p.bytes().all(|b| b.is_ascii_digit())
            {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    if nums.is_empty() || nums.len() > 3 || (pre.is_some() && nums.len() != 3) {
        return None;
    }
    Some(Semver { nums, pre })
}

/// slsa-verifier's `VerifyVersionedTag`: the major always, minor and patch when given, and
/// the pre-release when given.
fn check_versioned_tag(found: &str, expected: &str) -> Result<(), Error> {
    let f = parse_semver(found).ok_or_else(|| Error::InvalidSemver {
        tag: super::truncate(found),
    })?;
    let e = parse_semver(expected).ok_or_else(|| Error::InvalidSemver {
        tag: super::truncate(expected),
    })?;
    let component = |s: &Semver<'_>, i: usize| s.nums.get(i).copied().unwrap_or(0);
    let mut ok = true;
    for i in 0..e.nums.len() {
        ok &= component(&f, i) == component(&e, i);
    }
    if e.pre.is_some() {
        ok &= e.pre == f.pre;
    }
    if ok {
        Ok(())
    } else {
        Err(Error::TagMismatch {
            expected: expected.to_owned(),
            found: found.to_owned(),
        })
    }
}

/// A release tag `refs/tags/vX.Y.Z` (three components, no pre-release or build metadata).
fn is_release_ref(r: &str) -> bool {
    r.strip_prefix("refs/tags/")
        .filter(|t| !t.contains('+'))
        .and_then(parse_semver)
        .is_some_and(|s| s.nums.len() == 3 && s.pre.is_none())
}

/// The certificate values the provenance is checked against, from the current extensions
/// (.1.8 onwards) or the deprecated ones (.1.2–.1.6) of older certificates.
struct CertView<'a> {
    repo: Option<String>,
    git_ref: Option<&'a str>,
    digest: Option<&'a str>,
    trigger: Option<&'a str>,
}

fn cert_view(id: &FulcioIdentity) -> CertView<'_> {
    let e = &id.extensions;
    let repo = e
        .source_repository_uri
        .as_deref()
        .map(|u| normalize_repo(u).to_owned())
        .or_else(|| {
            e.github_workflow_repository
                .as_deref()
                .map(|r| format!("github.com/{r}"))
        });
    CertView {
        repo,
        git_ref: e
            .source_repository_ref
            .as_deref()
            .or(e.github_workflow_ref.as_deref()),
        digest: e
            .source_repository_digest
            .as_deref()
            .or(e.github_workflow_sha.as_deref()),
        trigger: e
            .build_trigger
            .as_deref()
            .or(e.github_workflow_trigger.as_deref()),
    }
}

fn same(field: &'static str, cert: Option<&str>, prov: Option<&str>) -> Result<(), Error> {
    match (cert, prov) {
        (Some(c), Some(p)) if c != p => Err(Error::CertificateMismatch {
            field,
            certificate: super::truncate(c),
            provenance: super::truncate(p),
        }),
        _ => Ok(()),
    }
}

/// Verifies SLSA provenance for the artifact with digest `artifact`. See the module docs for
/// the checks and their order.
///
/// # Errors
/// The first check that fails.
pub fn verify(
    att: &VerifiedAttestation,
    artifact: &Digest,
    opts: &Options,
) -> Result<VerifiedProvenance, Error> {
    if normalize_repo(&opts.source_uri).is_empty() {
        return Err(Error::ConfigEmpty { what: "source URI" });
    }
    let statement = att.statement();
    // 1. Provenance, and the artifact among its subjects.
    let predicate = statement.predicate().map_err(Error::Predicate)?;
    let prov = match &predicate {
        Predicate::SlsaProvenanceV02(p) => Provenance::V02(p.as_ref() as &ProvenanceV02),
        Predicate::SlsaProvenanceV1(p) => Provenance::V1(p.as_ref() as &ProvenanceV1),
        _ => {
            return Err(Error::NotProvenance {
                found: super::truncate(statement.predicate_type()),
            })
        }
    };
    if statement.subject_matching(artifact).is_none() {
        return Err(Error::DigestMismatch {
            digest: format!("{}:{}", artifact.algorithm().name(), artifact.hex()),
        });
    }
    // 2. The signer: GitHub Actions, and a builder we trust.
    let id = att.fulcio_identity().ok_or(Error::NoCertificate)?;
    if id.issuer.as_deref() != Some(GITHUB_ACTIONS_ISSUER) {
        return Err(Error::UntrustedIssuer {
            found: id.issuer.clone(),
        });
    }
    let san = id.san.as_str();
    let signer = parse_workflow(san).ok_or_else(|| Error::InvalidSigner {
        found: super::truncate(san),
    })?;
    let prov_builder = prov.builder_id();
    let expected_builder = opts.builder_id.as_deref();
    let file = signer.name.strip_prefix(GENERATOR_WORKFLOWS);
    let (kind, builder_id) = if file.is_some_and(|f| TRUSTED_GENERATOR_BUILDERS.contains(&f)) {
        if let Some(e) = expected_builder {
            if !builder_matches(e, san)? {
                return Err(Error::BuilderMismatch {
                    expected: e.to_owned(),
                    found: san.to_owned(),
                });
            }
        }
        check_builder_ref(&signer, opts)?;
        if prov_builder != san {
            return Err(Error::ProvenanceBuilderMismatch {
                certificate: san.to_owned(),
                provenance: super::truncate(prov_builder),
            });
        }
        (BuilderKind::Generator, san.to_owned())
    } else if file.is_some_and(|f| DELEGATOR_WORKFLOWS.contains(&f)) {
        check_builder_ref(&signer, opts)?;
        // The delegator vouches for the builder that called it: the provenance's builder id.
        let trw = parse_workflow(prov_builder).ok_or_else(|| Error::InvalidSigner {
            found: super::truncate(prov_builder),
        })?;
        let default_trusted = trw
            .name
            .strip_prefix(GENERATOR_WORKFLOWS)
            .is_some_and(|f| TRUSTED_GENERATOR_BUILDERS.contains(&f));
        match expected_builder {
            Some(e) if !builder_matches(e, prov_builder)? => {
                return Err(Error::BuilderMismatch {
                    expected: e.to_owned(),
                    found: prov_builder.to_owned(),
                })
            }
            None if !default_trusted => {
                return Err(Error::UntrustedBuilder {
                    builder: super::truncate(prov_builder),
                })
            }
            _ => {}
        }
        (BuilderKind::Delegated, prov_builder.to_owned())
    } else if prov_builder == GITHUB_HOSTED_RUNNER
        || (matches!(prov, Provenance::V02(_))
            && (prov_builder == GITHUB_RUNNER_V02 || prov_builder.starts_with(NPM_CLI_PREVIEW)))
    {
        // npm: the source repository's own workflow on a GitHub-hosted runner.
        if let Some(e) = expected_builder {
            let ok = e == prov_builder
                || (matches!(prov, Provenance::V02(_)) && e == GITHUB_HOSTED_RUNNER)
                || (prov_builder.starts_with(NPM_CLI_PREVIEW) && builder_matches(e, prov_builder)?);
            if !ok {
                return Err(Error::BuilderMismatch {
                    expected: e.to_owned(),
                    found: prov_builder.to_owned(),
                });
            }
        }
        let runner = id.extensions.runner_environment.as_deref();
        if runner.is_some_and(|r| r != "github-hosted") {
            return Err(Error::CertificateMismatch {
                field: "runner environment",
                certificate: runner.unwrap_or_default().to_owned(),
                provenance: "github-hosted".into(),
            });
        }
        let cert_repo = cert_view(id).repo.unwrap_or_default();
        if format!("github.com/{}", signer.repo) != cert_repo {
            return Err(Error::CertificateMismatch {
                field: "workflow repository",
                certificate: cert_repo,
                provenance: signer.repo.clone(),
            });
        }
        (BuilderKind::GithubHostedRunner, prov_builder.to_owned())
    } else {
        // Any other workflow is trusted only when the caller names it.
        let Some(e) = expected_builder else {
            return Err(Error::UntrustedBuilder {
                builder: san.to_owned(),
            });
        };
        if !builder_matches(e, san)? {
            return Err(Error::BuilderMismatch {
                expected: e.to_owned(),
                found: san.to_owned(),
            });
        }
        if prov_builder != san {
            return Err(Error::ProvenanceBuilderMismatch {
                certificate: san.to_owned(),
                provenance: super::truncate(prov_builder),
            });
        }
        (BuilderKind::ReusableWorkflow, san.to_owned())
    };
    // 4. The source repository, in the certificate and in the provenance.
    let expected_repo = normalize_repo(&opts.source_uri);
    let cert = cert_view(id);
    let cert_repo = cert.repo.clone().unwrap_or_default();
    if cert_repo != expected_repo {
        return Err(Error::SourceMismatch {
            expected: expected_repo.to_owned(),
            found: cert_repo,
        });
    }
    let (source_uri, source_digest) = prov.source().ok_or(Error::MissingSource)?;
    let (prov_repo, prov_ref) = parse_source(source_uri)?;
    if prov_repo != expected_repo {
        return Err(Error::SourceMismatch {
            expected: expected_repo.to_owned(),
            found: prov_repo.to_owned(),
        });
    }
    if let Some((repo, wref, path)) = prov.workflow() {
        if normalize_repo(repo) != expected_repo {
            return Err(Error::SourceMismatch {
                expected: expected_repo.to_owned(),
                found: super::truncate(repo),
            });
        }
        same("source ref", prov_ref, Some(wref))?;
        let config = format!("{}/{path}@{wref}", repo.trim_end_matches('/'));
        same(
            "build config",
            id.extensions.build_config_uri.as_deref(),
            Some(&config),
        )?;
    }
    // 5. The provenance agrees with the certificate.
    let prov_digest = source_digest
        .get("sha1")
        .or_else(|| source_digest.get("gitCommit"));
    same("source digest", cert.digest, prov_digest)?;
    same("source ref", cert.git_ref, prov_ref)?;
    same("trigger", cert.trigger, prov.event_name())?;
    same(
        "run invocation",
        id.extensions.run_invocation_uri.as_deref(),
        prov.invocation_id(),
    )?;
    same(
        "repository id",
        id.extensions.source_repository_identifier.as_deref(),
        prov.repository_id(),
    )?;
    same(
        "repository owner id",
        id.extensions.source_repository_owner_identifier.as_deref(),
        prov.repository_owner_id(),
    )?;
    same(
        "runner environment",
        id.extensions.runner_environment.as_deref(),
        prov.runner_environment(),
    )?;
    // 6. Branch, tag, versioned tag, inputs.
    let build_ref = prov_ref.unwrap_or_default();
    if let Some(b) = &opts.branch {
        if b.is_empty() {
            return Err(Error::ConfigEmpty {
                what: "source branch",
            });
        }
        let expected = format!("refs/heads/{}", b.strip_prefix("refs/heads/").unwrap_or(b));
        let found = if build_ref.starts_with("refs/heads/") {
            build_ref
        } else {
            prov.base_ref().ok_or_else(|| Error::NoBranch {
                found: build_ref.to_owned(),
            })?
        };
        let found = if found.starts_with("refs/heads/") {
            found.to_owned()
        } else {
            format!("refs/heads/{found}")
        };
        if found != expected {
            return Err(Error::BranchMismatch { expected, found });
        }
    }
    if opts.tag.is_some() || opts.versioned_tag.is_some() {
        let found = build_ref
            .strip_prefix("refs/tags/")
            .ok_or_else(|| Error::NotATag {
                found: build_ref.to_owned(),
            })?;
        check_tag(found, opts)?;
    }
    if !opts.inputs.is_empty() {
        let inputs = prov.workflow_inputs();
        for (name, expected) in &opts.inputs {
            let found = inputs.and_then(|m| m.get(name)).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if found.as_deref() != Some(expected.as_str()) {
                return Err(Error::InputMismatch {
                    name: name.clone(),
                    expected: expected.clone(),
                    found,
                });
            }
        }
    }
    let level = match att.signer() {
        AttestationSigner::Certificate(_) => match kind {
            BuilderKind::GithubHostedRunner => BuildLevel::L2,
            BuilderKind::ReusableWorkflow
                if format!("github.com/{}", signer.repo) == expected_repo =>
            {
                BuildLevel::L2
            }
            _ => BuildLevel::L3,
        },
        _ => BuildLevel::L0,
    };
    Ok(VerifiedProvenance {
        statement: statement.clone(),
        predicate: predicate.clone(),
        builder_id,
        builder_kind: kind,
        source_uri: expected_repo.to_owned(),
        source_ref: prov_ref.map(str::to_owned),
        level,
    })
}

/// The exact tag and the versioned tag `opts` ask for, against the tag built (without
/// `refs/tags/`).
pub(super) fn check_tag(found: &str, opts: &Options) -> Result<(), Error> {
    if let Some(t) = &opts.tag {
        if t.is_empty() {
            return Err(Error::ConfigEmpty { what: "source tag" });
        }
        let expected = t.strip_prefix("refs/tags/").unwrap_or(t);
        if found != expected {
            return Err(Error::TagMismatch {
                expected: expected.to_owned(),
                found: found.to_owned(),
            });
        }
    }
    if let Some(t) = &opts.versioned_tag {
        check_versioned_tag(found, t.strip_prefix("refs/tags/").unwrap_or(t))?;
    }
    Ok(())
}

/// A generator builder must run at a release tag (slsa-verifier's `verifyTrustedBuilderRef`),
/// except at `refs/heads/main` with [`Options::insecure_allow_unreleased_builder`].
fn check_builder_ref(signer: &Workflow<'_>, opts: &Options) -> Result<(), Error> {
    if is_release_ref(signer.git_ref)
        || (opts.allow_unreleased_builder && signer.git_ref == "refs/heads/main")
    {
        Ok(())
    } else {
        Err(Error::InvalidBuilderRef {
            found: signer.git_ref.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn versioned_tags_match_as_slsa_verifier() {
        assert!(check_versioned_tag("v13.0.30", "v13").is_ok());
        assert!(check_versioned_tag("v13.0.30", "v13.0").is_ok());
        assert!(check_versioned_tag("v13.0.30", "v13.0.30").is_ok());
        assert!(matches!(
            check_versioned_tag("v13.0.30", "v13.0.29"),
            Err(Error::TagMismatch { .. })
        ));
        assert!(matches!(
            check_versioned_tag("v13.0.30", "v14"),
            Err(Error::TagMismatch { .. })
        ));
        assert!(matches!(
            check_versioned_tag("v13.0.30", "13"),
            Err(Error::InvalidSemver { .. })
        ));
        assert!(matches!(
            check_versioned_tag("main", "v1"),
            Err(Error::InvalidSemver { .. })
        ));
        assert!(check_versioned_tag("v1.2.3-rc.1", "v1.2.3-rc.1").is_ok());
        assert!(check_versioned_tag("v1.2.3", "v1.2.3-rc.1").is_err());
    }

    #[test]
    fn builder_ids_match_loosely() {
        let a = "https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1.2.3";
        assert!(builder_matches("https://github.com/o/r/.github/workflows/b.yml", a).unwrap());
        assert!(
            builder_matches("https://github.com/o/r/.github/workflows/b.yml@v1.2.3", a).unwrap()
        );
        assert!(builder_matches(
            "https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1.2.3",
            a
        )
        .unwrap());
        assert!(
            !builder_matches("https://github.com/o/r/.github/workflows/b.yml@v1.2.4", a).unwrap()
        );
        assert!(!builder_matches("https://github.com/o/r/.github/workflows/c.yml", a).unwrap());
        assert!(builder_matches("x@", a).is_err());
        assert!(builder_matches("", a).is_err());
    }

    #[test]
    fn release_refs() {
        assert!(is_release_ref("refs/tags/v2.1.0"));
        assert!(!is_release_ref("refs/tags/v2.1"));
        assert!(!is_release_ref("refs/heads/main"));
        assert!(!is_release_ref("refs/tags/v2.1.0-rc.1"));
    }

    #[test]
    fn sources_parse() {
        assert_eq!(
            parse_source("git+https://github.com/o/r@refs/tags/v1").unwrap(),
            ("github.com/o/r", Some("refs/tags/v1"))
        );
        assert!(parse_source("git+ssh://github.com/o/r").is_err());
        assert!(parse_source("git+https://github.com/o/r@").is_err());
        assert!(parse_source("git+https://github.com/o/r@a@b").is_err());
    }
}
