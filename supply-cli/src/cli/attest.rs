//! `supply verify-attestation`: SLSA provenance as `slsa-verifier verify-artifact` checks it
//! (`--source-uri` and friends), or GitHub artifact attestations as `gh attestation verify`
//! checks them (`--owner` / `--repo` and friends), or Google Cloud Build provenance as
//! `slsa-verifier verify-image` checks it (a `gcloud … --show-provenance` document, with
//! `--gcb-key`). Every decision is
//! `supply_intoto::attestation`'s; this module reads files and prints.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use supply_intoto::attestation::bundle::{read_attestations, Signed};
use supply_intoto::attestation::statement::Statement;
use supply_intoto::attestation::{gcb, github, slsa, VerifiedAttestation};
use supply_sig::crypto::Provider;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::sigstore::bundle::{Bundle, Content};
use supply_sig::sigstore::verify::{Artifact, Matcher, Policy};

use super::{hash_file, read_capped};

/// Verify an artifact's attestation (SLSA provenance, or a GitHub artifact attestation) in a
/// Sigstore bundle, offline against the Sigstore trusted root.
#[derive(Debug, Args)]
pub struct VerifyAttestation {
    /// The attestation file: a Sigstore bundle, JSON Lines of bundles, or npm's attestations
    /// document.
    #[arg(long, value_name = "FILE")]
    provenance_path: PathBuf,
    /// SLSA: the source repository that must have been built (github.com/owner/repo).
    #[arg(long, conflicts_with_all = ["owner", "repo"], required_unless_present_any = ["owner", "repo"])]
    source_uri: Option<String>,
    /// SLSA: the exact tag built (v1.2.3).
    #[arg(long, requires = "source_uri", conflicts_with = "source_versioned_tag")]
    source_tag: Option<String>,
    /// SLSA: the branch built (main).
    #[arg(long, requires = "source_uri")]
    source_branch: Option<String>,
    /// SLSA: a semantic version the tag built must match in each component given (v1, v1.2).
    #[arg(long, requires = "source_uri")]
    source_versioned_tag: Option<String>,
    /// SLSA: the builder to trust (name or name@version); required for builders not trusted
    /// by default.
    #[arg(long, requires = "source_uri")]
    builder_id: Option<String>,
    /// SLSA: a workflow input the build must have had (name=value; repeatable).
    #[arg(long, value_name = "NAME=VALUE", requires = "source_uri")]
    build_workflow_input: Vec<String>,
    /// INSECURE (SLSA): accept slsa-github-generator builders at refs/heads/main instead of a
    /// release tag (slsa-verifier's SLSA_VERIFIER_TESTING).
    #[arg(long, requires = "source_uri")]
    insecure_allow_unreleased_builder: bool,
    /// Print the verified statement (its exact bytes) on standard output.
    #[arg(long)]
    print_provenance: bool,
    /// GitHub: the owner whose repository built the artifact.
    #[arg(long, conflicts_with = "repo")]
    owner: Option<String>,
    /// GitHub: the repository (owner/name) that built the artifact.
    #[arg(long)]
    repo: Option<String>,
    /// GitHub: the workflow that must have signed (owner/repo/.github/workflows/file.yml),
    /// required when it is a reusable workflow outside the repository.
    #[arg(long)]
    signer_workflow: Option<String>,
    /// GitHub: the source ref that must have been built (refs/heads/main, refs/tags/v1).
    #[arg(long)]
    source_ref: Option<String>,
    /// GitHub: the predicate type required (default `https://slsa.dev/provenance/v1`).
    #[arg(long)]
    predicate_type: Option<String>,
    /// GitHub: require a GitHub-hosted runner.
    #[arg(long)]
    deny_self_hosted_runners: bool,
    /// A trusted root or client trust config (default: the public-good instance's, through its
    /// TUF repository; see the --tuf-* options).
    #[arg(long)]
    trusted_root: Option<PathBuf>,
    /// Without --trusted-root: where Sigstore's trust material comes from.
    #[command(flatten)]
    tuf: super::sigstore::TufOpts,
    /// Google Cloud Build: a trusted GCB public key, as KMS_KEY_NAME=PEM_FILE (the signatures'
    /// keyid; repeatable). GCB's keys are not bundled.
    #[arg(long, value_name = "KMS_KEY_NAME=PEM_FILE")]
    gcb_key: Vec<String>,
    /// The artifact's digest (sha256:HEX), instead of the artifact file: for images.
    #[arg(
        long,
        value_name = "ALG:HEX",
        conflicts_with = "artifact",
        required_unless_present = "artifact"
    )]
    artifact_digest: Option<String>,
    /// The artifact.
    artifact: Option<PathBuf>,
}

/// The bundles of the attestation file whose statement has this predicate type prefix, with
/// the subject digest algorithms they use. Read without verifying: only to choose what to
/// verify.
fn candidates(items: Vec<Signed>) -> anyhow::Result<Vec<(Bundle, Statement)>> {
    let mut out = Vec::new();
    let mut bare = false;
    for item in items {
        match item {
            Signed::Bundle(b) => {
                let Content::Dsse(env) = b.content() else {
                    continue;
                };
                if let Ok(st) = Statement::from_json(&env.payload) {
                    out.push((*b, st));
                }
            }
            Signed::Envelope { .. } => bare = true,
            _ => {}
        }
    }
    if out.is_empty() && bare {
        anyhow::bail!(
            "the attestation is a bare DSSE envelope: its certificate's transparency-log entry is only online, so it cannot be verified offline"
        );
    }
    Ok(out)
}

impl VerifyAttestation {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let bytes = read_capped(
            &self.provenance_path,
            supply_intoto::limits::MAX_ATTESTATION_BUNDLE_LEN as u64,
            "attestation",
        )?;
        let digests = match (&self.artifact_digest, &self.artifact) {
            (Some(d), _) => {
                vec![Digest::parse(d).with_context(|| format!("--artifact-digest {d:?}"))?]
            }
            (None, Some(path)) => hash_file(
                path,
                &[Algorithm::Sha256, Algorithm::Sha512],
                provider,
                "artifact",
            )?,
            (None, None) => anyhow::bail!("give the artifact or --artifact-digest"),
        };
        if gcb::is_gcb_document(&bytes) {
            return self.run_gcb(&bytes, &digests, provider);
        }
        let items = read_attestations(&bytes).context("reading the attestation file")?;
        let candidates = candidates(items)?;
        let root = super::sigstore::trusted_root(
            self.trusted_root.as_deref(),
            false,
            &self.tuf,
            provider,
        )?;
        // The statement names the artifact by SHA-256 (npm: SHA-512).
        let digest_for = |st: &Statement| -> Option<Digest> {
            digests
                .iter()
                .find(|d| {
                    st.subjects()
                        .iter()
                        .any(|s| s.digest.get(d.algorithm().name()).is_some())
                })
                .cloned()
        };
        if self.owner.is_some() || self.repo.is_some() {
            return self.run_github(&candidates, &digest_for, &root, provider);
        }
        let opts = self.slsa_options()?;
        let (bundle, st) = candidates
            .iter()
            .find(|(_, st)| {
                st.predicate_type()
                    .starts_with("https://slsa.dev/provenance/")
            })
            .context("the attestation file holds no SLSA provenance in a Sigstore bundle")?;
        let digest =
            digest_for(st).context("the provenance names no SHA-256 or SHA-512 subject")?;
        // The builder decides which workflow may sign: here any GitHub Actions workflow, then
        // `slsa::verify` checks it.
        let policy = Policy::identity_matching(
            Matcher::regex("^https://github\\.com/")?,
            Matcher::exact(slsa::GITHUB_ACTIONS_ISSUER),
        );
        let att = VerifiedAttestation::from_bundle(
            bundle,
            Artifact::Digest(&digest),
            &policy,
            &root,
            provider,
        )
        .context("verifying the provenance's signature")?;
        let v = slsa::verify(&att, &digest, &opts).context("verifying the provenance")?;
        self.report(&v)
    }

    /// The SLSA options from the flags.
    fn slsa_options(&self) -> anyhow::Result<slsa::Options> {
        let source = self
            .source_uri
            .as_deref()
            .context("give --source-uri (SLSA) or --owner / --repo (GitHub)")?;
        let mut opts = slsa::Options::new(source);
        if let Some(t) = &self.source_tag {
            opts = opts.with_source_tag(t);
        }
        if let Some(b) = &self.source_branch {
            opts = opts.with_source_branch(b);
        }
        if let Some(t) = &self.source_versioned_tag {
            opts = opts.with_source_versioned_tag(t);
        }
        if let Some(b) = &self.builder_id {
            opts = opts.with_builder_id(b);
        }
        for kv in &self.build_workflow_input {
            let (k, v) = kv
                .split_once('=')
                .with_context(|| format!("--build-workflow-input {kv:?} is not NAME=VALUE"))?;
            opts = opts.with_workflow_input(k, v);
        }
        if self.insecure_allow_unreleased_builder {
            opts = opts.insecure_allow_unreleased_builder();
        }
        Ok(opts)
    }

    /// Prints a verified provenance.
    fn report(&self, v: &slsa::VerifiedProvenance) -> anyhow::Result<()> {
        if self.print_provenance {
            use std::io::Write as _;
            std::io::stdout().write_all(v.statement().raw())?;
            crate::outln!();
        }
        eprintln!(
            "Verified build using builder {:?} at source {}{}: {}",
            v.builder_id(),
            v.source_uri(),
            v.source_ref().map(|r| format!("@{r}")).unwrap_or_default(),
            v.level()
        );
        eprintln!("PASSED: SLSA verification passed");
        Ok(())
    }

    /// Google Cloud Build provenance for an image digest.
    fn run_gcb(
        &self,
        bytes: &[u8],
        digests: &[Digest],
        provider: &'static Provider,
    ) -> anyhow::Result<()> {
        let opts = self.slsa_options()?;
        let doc = gcb::GcbDocument::from_json(bytes).context("reading the GCB provenance")?;
        let mut keys = gcb::GcbKeys::new();
        for kv in &self.gcb_key {
            let (name, file) = kv
                .split_once('=')
                .with_context(|| format!("--gcb-key {kv:?} is not KMS_KEY_NAME=PEM_FILE"))?;
            let key = super::keys::load_public(std::path::Path::new(file))
                .with_context(|| format!("reading the GCB key {file}"))?;
            let verifier = supply_sig::sign::KeyVerifier::new(
                &key,
                key.default_scheme(),
                supply_sig::sign::VerifyPolicy::default(),
                provider,
            )?;
            keys.insert(name, Box::new(verifier))?;
        }
        anyhow::ensure!(
            !keys.is_empty(),
            "GCB provenance needs at least one --gcb-key"
        );
        let digest = digests
            .iter()
            .find(|d| d.algorithm() == Algorithm::Sha256)
            .context("GCB provenance names images by SHA-256")?;
        let v = gcb::verify(&doc, &keys, digest, &opts).context("verifying the GCB provenance")?;
        self.report(&v)
    }

    fn run_github(
        &self,
        candidates: &[(Bundle, Statement)],
        digest_for: &dyn Fn(&Statement) -> Option<Digest>,
        root: &supply_sig::sigstore::trust_root::TrustedRoot,
        provider: &'static Provider,
    ) -> anyhow::Result<()> {
        let mut opts = match (&self.owner, &self.repo) {
            (_, Some(r)) => github::Options::repo(r)?,
            (Some(o), None) => github::Options::owner(o),
            (None, None) => anyhow::bail!("give --owner or --repo"),
        };
        if let Some(w) = &self.signer_workflow {
            opts = opts.with_signer_workflow(w);
        }
        if let Some(r) = &self.source_ref {
            opts = opts.with_source_ref(r);
        }
        if let Some(t) = &self.predicate_type {
            opts = opts.with_predicate_type(t);
        }
        if self.deny_self_hosted_runners {
            opts = opts.deny_self_hosted_runners();
        }
        let want = self
            .predicate_type
            .as_deref()
            .unwrap_or(supply_intoto::attestation::provenance::PROVENANCE_V1);
        let (bundle, st) = candidates
            .iter()
            .find(|(_, st)| st.predicate_type() == want)
            .with_context(|| format!("the attestation file holds no {want} attestation"))?;
        let digest =
            digest_for(st).context("the attestation names no SHA-256 or SHA-512 subject")?;
        let v = github::verify_bundle(bundle, &digest, &opts, root, provider)
            .context("verifying the GitHub attestation")?;
        if self.print_provenance {
            use std::io::Write as _;
            std::io::stdout().write_all(v.statement().raw())?;
            crate::outln!();
        }
        eprintln!(
            "Verified attestation signed by {} for {}",
            v.signer_workflow(),
            v.identity()
                .extensions
                .source_repository_uri
                .as_deref()
                .unwrap_or("?")
        );
        Ok(())
    }
}
