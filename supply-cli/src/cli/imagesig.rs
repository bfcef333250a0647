//! `sign` and `verify` for images in a registry, with cosign's flags.
//!
//! `sign --key` writes cosign's `sha256-<hex>.sig` tag (simple signing, as cosign 2 with
//! `--tlog-upload=false`), or with `--new-bundle-format` a cosign 3 bundle referrer; keyless
//! signing (an OIDC identity token, Fulcio, Rekor) writes a bundle referrer, or with
//! `--new-bundle-format=false` cosign 2's keyless `.sig` (certificate and Rekor entry
//! annotations). `verify` collects what is attached to the image through `supply_oci::engine::collect_from_registry`, runs the
//! cosign, Sigstore bundle and (with `--trust-policy`) notation verifiers through
//! `supply_sig::verify::dispatch`, and admits the image when an `AdmissionPolicy` says so: the
//! libraries decide, these verbs read flags and print.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde_json::json;
use supply_oci::reference::Reference;
use supply_oci::{cosign, engine, notation};
use supply_sig::crypto::Provider;
use supply_sig::sign::KeySigner;
use supply_sig::sigstore::referrer::BundleVerifier;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Matcher, Policy};
use supply_sig::time::Timestamp;
use supply_sig::verify::{
    dispatch, AdmissionPolicy, ArtifactVerifier, Requirement, Signer, Source, Subject, Verdict,
};

use super::oci::parse_ref;
use super::sigstore::TufOpts;

/// Largest notation trust policy or trust store certificate file read: 1 MiB.
const MAX_TRUST_FILE: u64 = 1024 * 1024;

/// Most certificate files read from a notation trust store directory.
const MAX_TRUST_STORE_FILES: usize = 1_000;

/// Registry flags of `sign` and `verify` (the network flags come with the Sigstore ones).
#[derive(Debug, Clone, Args)]
pub struct RegistryFlags {
    #[command(flatten)]
    access: super::oci::RegistryAccess,
}

impl RegistryFlags {
    fn client(&self, tuf: &TufOpts, r: &Reference) -> anyhow::Result<supply_oci::registry::Client> {
        self.access.client_with(tuf.http_options()?, &[r])
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `supply sign --key K REF`, or keyless `supply sign --identity-token T REF`.
#[derive(Debug, Args)]
pub struct SignCmd {
    #[command(flatten)]
    registry: RegistryFlags,
    /// The private key (cosign encrypted key with COSIGN_PASSWORD, PKCS#8, SEC1). Without it,
    /// signing is keyless.
    #[arg(long, conflicts_with = "identity_token")]
    key: Option<PathBuf>,
    /// Keyless: sign with this OIDC identity token (Fulcio certificate, Rekor entry, TSA
    /// timestamps as the signing config says). Without it, the ambient token is used
    /// (SIGSTORE_ID_TOKEN, GitHub Actions).
    #[arg(long)]
    identity_token: Option<String>,
    /// Keyless: the signing config v0.2 naming the services.
    #[arg(long, conflicts_with = "key")]
    signing_config: Option<PathBuf>,
    /// Keyless: the trusted root (or client trust config) the new bundle must verify against.
    #[arg(long, conflicts_with = "key")]
    trusted_root: Option<PathBuf>,
    /// Sigstore trust material and network options.
    #[command(flatten)]
    tuf: TufOpts,
    /// Keyless: how timestamps are requested (`json` or RFC 3161 `der`).
    #[arg(long, value_enum, default_value_t = super::blob::TsaFormat::Json, conflicts_with = "key")]
    timestamp_request_format: super::blob::TsaFormat,
    /// With --key: `true` writes a cosign 3 bundle referrer (DSSE, in-toto statement) instead of
    /// the cosign 2 `.sig` tag. Keyless: `false` writes cosign 2's keyless `.sig` (certificate,
    /// chain and Rekor entry annotations) instead of the bundle referrer.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    new_bundle_format: Option<bool>,
    /// Annotations signed into the `.sig` payload's `optional` (KEY=VALUE, repeatable).
    #[arg(long = "annotations", short = 'a')]
    annotations: Vec<String>,
    /// Accepted for cosign compatibility: with --key, supply never uploads to a transparency
    /// log (keyless signing logs as the signing config says).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    tlog_upload: Option<bool>,
    /// Accepted for cosign compatibility (no prompts are ever shown).
    #[arg(long, short = 'y')]
    yes: bool,
    /// The image (a tag or a digest).
    reference: String,
}

impl SignCmd {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let client = self.registry.client(&self.tuf, &r)?;
        let rt = runtime()?;
        let subject = rt
            .block_on(client.resolve(&r))
            .with_context(|| format!("resolving {}", self.reference))?;
        let sref = r.with_digest(subject.digest);
        if let Some(key_path) = &self.key {
            anyhow::ensure!(
                self.tlog_upload != Some(true),
                "transparency-log upload with a key is not available; pass --tlog-upload=false"
            );
            let key = super::keys::load_private(key_path)?;
            let signer = KeySigner::with_default_scheme(&key, provider)
                .with_context(|| format!("preparing the signing key {}", key_path.display()))?;
            if self.new_bundle_format == Some(true) {
                let statement = cosign::sign_statement(&subject.digest);
                let bundle = supply_sig::sigstore::sign::sign_dsse(
                    cosign::IN_TOTO_PAYLOAD_TYPE,
                    &statement,
                    &signer,
                    provider,
                )
                .context("signing the image")?;
                return self.push_bundle(&rt, &client, &sref, &subject, bundle.raw());
            }
            let payload = cosign::SimpleSigning::new(r.name(), subject.digest, self.optional()?);
            let signature = cosign::sign(&payload, &signer).context("signing the image")?;
            return self.push_sig(&rt, &client, &r, &sref, &subject, signature);
        }
        let keyless = super::sigstore::Keyless {
            token: self.identity_token.as_deref(),
            file: Path::new(""),
            in_toto: true,
            trusted_root: self.trusted_root.as_deref(),
            signing_config: self.signing_config.as_deref(),
            staging: false,
            tsa_format: self.timestamp_request_format.into(),
        };
        if self.new_bundle_format == Some(false) {
            // cosign 2's keyless `.sig`: the payload signed as a message (a hashedrekord entry),
            // the certificate and the Rekor entry with its SET in the layer's annotations.
            let payload = cosign::SimpleSigning::new(r.name(), subject.digest, self.optional()?);
            let bundle = super::sigstore::sign_keyless_message(
                &keyless,
                payload.raw(),
                &self.tuf,
                provider,
            )?;
            let signature = cosign::Signature::from_bundle(&payload, &bundle)
                .context("writing the keyless signature as a .sig layer")?;
            return self.push_sig(&rt, &client, &r, &sref, &subject, signature);
        }
        anyhow::ensure!(
            self.annotations.is_empty(),
            "-a annotations go into `.sig` payloads: give --new-bundle-format=false with them"
        );
        let statement = cosign::sign_statement(&subject.digest);
        let bundle =
            super::sigstore::sign_keyless_statement(&keyless, &statement, &self.tuf, provider)?;
        self.push_bundle(&rt, &client, &sref, &subject, bundle.raw())
    }

    /// `-a KEY=VALUE` annotations for the `.sig` payload's `optional`.
    fn optional(&self) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let mut optional = std::collections::BTreeMap::new();
        for a in &self.annotations {
            let (k, v) = a
                .split_once('=')
                .with_context(|| format!("-a {a:?} is not KEY=VALUE"))?;
            optional.insert(k.to_owned(), v.to_owned());
        }
        Ok(optional)
    }

    fn push_sig(
        &self,
        rt: &tokio::runtime::Runtime,
        client: &supply_oci::registry::Client,
        r: &Reference,
        sref: &Reference,
        subject: &supply_oci::Descriptor,
        signature: cosign::Signature,
    ) -> anyhow::Result<()> {
        let pushed = rt
            .block_on(cosign::push_signature(
                client,
                sref,
                &subject.digest,
                signature,
            ))
            .context("pushing the signature")?;
        eprintln!(
            "Pushed the signature to {}",
            r.with_tag(&cosign::signature_tag(&subject.digest))?
        );
        crate::outln!("{pushed}");
        Ok(())
    }

    fn push_bundle(
        &self,
        rt: &tokio::runtime::Runtime,
        client: &supply_oci::registry::Client,
        sref: &Reference,
        subject: &supply_oci::Descriptor,
        bundle: &[u8],
    ) -> anyhow::Result<()> {
        let referrer =
            cosign::bundle_referrer(bundle, cosign::SIGN_PREDICATE_TYPE, subject.clone())?;
        let pushed = rt
            .block_on(cosign::push_bundle_referrer(client, sref, &referrer))
            .context("pushing the bundle referrer")?;
        eprintln!("Pushed the bundle referrer of {sref}");
        crate::outln!("{pushed}");
        Ok(())
    }
}

/// `verify --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A JSON array on stdout, one object per verified signature.
    Json,
    /// One line per verified signature.
    Text,
}

/// `supply verify --key K REF`, `supply verify --certificate-identity I
/// --certificate-oidc-issuer U REF`, or `supply verify --trust-policy P --trust-store D REF`.
#[derive(Debug, Args)]
pub struct VerifyCmd {
    #[command(flatten)]
    registry: RegistryFlags,
    /// The public key (PEM, DER, OpenSSH line or securesystemslib key dict).
    #[arg(long)]
    key: Option<PathBuf>,
    /// The expected certificate identity (SAN), exact.
    #[arg(long, conflicts_with_all = ["key", "certificate_identity_regexp"])]
    certificate_identity: Option<String>,
    /// The expected certificate identity as a regular expression (unanchored, as cosign).
    #[arg(long, conflicts_with = "key")]
    certificate_identity_regexp: Option<String>,
    /// The expected OIDC issuer, exact.
    #[arg(long, conflicts_with_all = ["key", "certificate_oidc_issuer_regexp"])]
    certificate_oidc_issuer: Option<String>,
    /// The expected OIDC issuer as a regular expression.
    #[arg(long, conflicts_with = "key")]
    certificate_oidc_issuer_regexp: Option<String>,
    /// A trusted root or client trust config (default: the public-good instance's through TUF).
    #[arg(long)]
    trusted_root: Option<PathBuf>,
    /// Sigstore trust material and network options.
    #[command(flatten)]
    tuf: TufOpts,
    /// INSECURE: do not require a transparency-log entry (entries present are still checked);
    /// a key is then checked at this machine's clock. Written as cosign's
    /// `--insecure-ignore-tlog[=true|false]`.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    insecure_ignore_tlog: Option<bool>,
    /// INSECURE: do not require embedded SCTs in the signing certificate.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true, conflicts_with = "key")]
    insecure_ignore_sct: Option<bool>,
    /// INSECURE: accept an identity or issuer pattern that matches every value.
    #[arg(long, conflicts_with = "key")]
    insecure_any_identity: bool,
    /// Notation: the trust policy (`trustpolicy.json`); notation signatures are verified too.
    #[arg(long, requires = "trust_store")]
    trust_policy: Option<PathBuf>,
    /// Notation: the trust store directory, laid out as notation's `truststore`
    /// (`x509/<type>/<name>/<cert>`, type `ca`, `signingAuthority` or `tsa`).
    #[arg(long, requires = "trust_policy")]
    trust_store: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "json")]
    output: OutputFormat,
    /// The image (a tag or a digest).
    reference: String,
}

impl VerifyCmd {
    fn matcher(
        &self,
        exact: &Option<String>,
        re: &Option<String>,
        what: &str,
    ) -> anyhow::Result<Matcher> {
        match (exact, re) {
            (Some(e), None) if e.is_empty() => Err(anyhow::anyhow!(
                "--{what} is empty (an unset variable?): give the expected value"
            )),
            (Some(e), None) => Ok(Matcher::exact(e.clone())),
            (None, Some(r)) if self.insecure_any_identity => {
                Matcher::insecure_regex(r).map_err(anyhow::Error::from)
            }
            (None, Some(r)) => Matcher::regex(r)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!(
                        "--{what}-regexp {r:?} (pass --insecure-any-identity to accept any signer)"
                    )
                }),
            _ => Err(anyhow::anyhow!("give --{what} or --{what}-regexp")),
        }
    }

    /// The Sigstore policy and trusted root of the flags, or `None` (notation only).
    fn sigstore(
        &self,
        now: Timestamp,
        provider: &'static Provider,
    ) -> anyhow::Result<Option<(Policy, Arc<TrustedRoot>)>> {
        let identity = self.certificate_identity.is_some()
            || self.certificate_identity_regexp.is_some()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_oidc_issuer_regexp.is_some();
        let ignore_tlog = self.insecure_ignore_tlog == Some(true);
        let mut policy = match &self.key {
            Some(path) => {
                let p = Policy::public_key(super::keys::load_public(path)?);
                if ignore_tlog {
                    // Without a log entry nothing gives the signature a time: the key is
                    // checked at this machine's clock (cosign's behaviour).
                    p.insecure_caller_time(now)?
                } else {
                    p
                }
            }
            None if identity => Policy::identity_matching(
                self.matcher(
                    &self.certificate_identity,
                    &self.certificate_identity_regexp,
                    "certificate-identity",
                )?,
                self.matcher(
                    &self.certificate_oidc_issuer,
                    &self.certificate_oidc_issuer_regexp,
                    "certificate-oidc-issuer",
                )?,
            ),
            None if self.trust_policy.is_some() => return Ok(None),
            None => anyhow::bail!(
                "give --key, --certificate-identity and --certificate-oidc-issuer, or \
                 --trust-policy and --trust-store"
            ),
        };
        if ignore_tlog {
            policy = policy.insecure_ignore_tlog();
        }
        if self.insecure_ignore_sct == Some(true) {
            policy = policy.insecure_ignore_sct();
        }
        // A key with the log ignored needs no Sigstore trust material at all (as cosign).
        let root = if self.key.is_some() && ignore_tlog && self.trusted_root.is_none() {
            TrustedRoot::from_json(EMPTY_TRUSTED_ROOT, provider)
                .context("building an empty trusted root")?
        } else {
            super::sigstore::trusted_root(self.trusted_root.as_deref(), false, &self.tuf, provider)?
        };
        Ok(Some((policy, Arc::new(root))))
    }

    fn notation(
        &self,
        repository: &str,
        provider: &'static Provider,
    ) -> anyhow::Result<Option<notation::SignatureVerifier>> {
        let (Some(policy), Some(store)) = (&self.trust_policy, &self.trust_store) else {
            return Ok(None);
        };
        let doc = notation::TrustPolicyDocument::from_json(&super::read_capped(
            policy,
            MAX_TRUST_FILE,
            "trust policy",
        )?)
        .with_context(|| format!("reading the trust policy {}", policy.display()))?;
        let stores = trust_stores(store)?;
        Ok(Some(notation::SignatureVerifier::new(
            doc, stores, repository, provider,
        )))
    }

    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let r = parse_ref(&self.reference)?;
        let now = Timestamp::from(std::time::SystemTime::now());
        let sigstore = self.sigstore(now, provider)?;
        let notation = self.notation(&r.name(), provider)?;
        let client = self.registry.client(&self.tuf, &r)?;
        let rt = runtime()?;
        let subject_desc = rt
            .block_on(client.resolve(&r))
            .with_context(|| format!("resolving {}", self.reference))?;
        let sref = r.with_digest(subject_desc.digest);
        let collected = rt
            .block_on(engine::collect_from_registry(&client, &sref))
            .with_context(|| format!("reading what is attached to {sref}"))?;
        for (d, e) in &collected.unreadable {
            eprintln!("warning: skipped {d}: {}", super::one_line(e));
        }
        if collected.over_limit > 0 {
            eprintln!(
                "warning: {} referrers over the limit were not read",
                collected.over_limit
            );
        }

        let mut verifiers: Vec<Box<dyn ArtifactVerifier>> = Vec::new();
        let mut any_of = Vec::new();
        if let Some((policy, root)) = sigstore {
            verifiers.push(Box::new(cosign::SignatureVerifier::new(
                policy.clone(),
                root.clone(),
                provider,
            )));
            verifiers.push(Box::new(BundleVerifier::new(policy, root, provider)));
            any_of.push(Requirement::passed_by(cosign::SignatureVerifier::NAME));
            // A cosign 3 signature, not any attestation the same key made.
            any_of.push(
                Requirement::passed_by(BundleVerifier::NAME)
                    .with_predicate_type(cosign::SIGN_PREDICATE_TYPE),
            );
        }
        if let Some(mut n) = notation {
            if n.checks_revocation() {
                let crls = rt.block_on(fetch_revocation(
                    &n,
                    &self.tuf.http_options()?,
                    &collected.attachments,
                    now,
                    provider,
                ))?;
                n = n.with_revocation(crls);
            }
            verifiers.push(Box::new(n));
            any_of.push(Requirement::passed_by(notation::SignatureVerifier::NAME));
        }
        let refs: Vec<&dyn ArtifactVerifier> = verifiers.iter().map(AsRef::as_ref).collect();
        let subject = Subject::new(subject_desc.digest)
            .with_media_type(subject_desc.media_type.clone())
            .with_reference(sref.to_string());
        let report = dispatch(&subject, &collected.attachments, &refs, now);
        let policy = AdmissionPolicy::new().require_any(any_of);

        let mut passed = Vec::new();
        for e in report.entries() {
            let source = collected
                .attachments
                .iter()
                .find(|a| a.digest() == e.artifact())
                .map(|a| match a.source() {
                    Source::DerivedTag(t) => format!("tag {t}"),
                    _ => "referrer".to_owned(),
                })
                .unwrap_or_default();
            match e.verdict() {
                Verdict::Passed(ev) => {
                    let signers: Vec<serde_json::Value> = ev
                        .signers()
                        .iter()
                        .map(|s| match s {
                            Signer::Key { key_id } => json!({"keyId": key_id}),
                            Signer::Certificate { identity, issuer } => {
                                json!({"identity": identity, "issuer": issuer})
                            }
                            _ => json!({}),
                        })
                        .collect();
                    passed.push(json!({
                        "artifact": e.artifact().to_string(),
                        "artifactType": e.artifact_type(),
                        "source": source,
                        "verifier": e.verifier(),
                        "signers": signers,
                        "predicateType": ev.predicate_type(),
                        "signedAt": ev.signed_at().map(|t| t.to_string()),
                        "facts": ev.facts(),
                    }));
                }
                Verdict::Failed(why) => {
                    // With its causes: "revocation unavailable" alone does not say which
                    // responder or CRL failed, or how.
                    eprintln!(
                        "{} ({source}) failed {}: {}",
                        e.artifact(),
                        e.verifier().unwrap_or("verification"),
                        super::one_line(&**why)
                    );
                }
                _ => {}
            }
        }
        policy
            .evaluate(&report)
            .with_context(|| format!("no signature of {sref} verified"))?;
        eprintln!(
            "Verification for {sref} --\nThe following checks were performed on each of these signatures:\n  - The signatures were verified against the specified public key or identity\n  - The signed digest is the image's manifest digest"
        );
        match self.output {
            OutputFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(&passed)?),
            OutputFormat::Text => {
                for p in &passed {
                    crate::outln!(
                        "{} {} {}",
                        p["artifact"].as_str().unwrap_or_default(),
                        p["verifier"].as_str().unwrap_or_default(),
                        p["source"].as_str().unwrap_or_default()
                    );
                }
            }
        }
        Ok(())
    }
}

/// Fetches what the revocation check of every notation signature among `attachments` needs
/// (OCSP answers, and the CRLs and delta CRLs of certificates without a valid one): `http`
/// only, OCSP within 2 s and CRLs within 5 s, as notation does. What cannot be fetched is
/// said on stderr; the signatures whose chains needed it then fail an enforced revocation
/// check.
async fn fetch_revocation(
    verifier: &notation::SignatureVerifier,
    http: &supply_sig::http::HttpOptions,
    attachments: &[supply_sig::verify::Attachment],
    now: Timestamp,
    provider: &'static Provider,
) -> anyhow::Result<supply_sig::revocation::Fetched> {
    use supply_sig::revocation;
    let mut all = revocation::Fetched::new();
    let mut client = None;
    for a in attachments {
        if a.artifact_type() != notation::SIGNATURE_ARTIFACT_TYPE {
            continue;
        }
        let [blob] = a.blobs() else { continue };
        // The signing chain and the time-stamping authority's; a malformed envelope gives
        // none (it fails its own verification).
        for chain in verifier.revocation_chains(blob.media_type(), blob.bytes()) {
            if revocation::urls_for_chain(&chain).is_empty() {
                continue;
            }
            let client = match &client {
                Some(c) => c,
                None => client.insert(
                    http.build()
                        .context("building the HTTP client for revocation checks")?,
                ),
            };
            let (fetched, failed) =
                revocation::fetch_for_chain(client, &chain, now, provider).await;
            for (url, e) in failed {
                eprintln!(
                    "warning: nothing was fetched from {url}: {}",
                    super::one_line(&e)
                );
            }
            all.merge(fetched);
        }
    }
    Ok(all)
}

/// A trusted root with no authorities: keys verified without a log need none.
const EMPTY_TRUSTED_ROOT: &[u8] = br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#;

/// Reads a notation trust store directory: `x509/<type>/<name>/<file>` (PEM or DER
/// certificates) into stores named `<type>:<name>`.
fn trust_stores(dir: &Path) -> anyhow::Result<notation::TrustStores> {
    let mut stores = notation::TrustStores::new();
    let x509 = dir.join("x509");
    let base = if x509.is_dir() {
        x509
    } else {
        dir.to_path_buf()
    };
    let mut files = 0usize;
    let read_dir = |p: &Path| -> anyhow::Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("reading the trust store {}", p.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        v.sort();
        Ok(v)
    };
    for kind in read_dir(&base)?.into_iter().filter(|p| p.is_dir()) {
        let kind_name = kind
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        for store in read_dir(&kind)?.into_iter().filter(|p| p.is_dir()) {
            let store_name = store
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let mut certs = Vec::new();
            for f in read_dir(&store)?.into_iter().filter(|p| p.is_file()) {
                files += 1;
                anyhow::ensure!(
                    files <= MAX_TRUST_STORE_FILES,
                    "the trust store {} has more than {MAX_TRUST_STORE_FILES} files",
                    dir.display()
                );
                let bytes = super::read_capped(&f, MAX_TRUST_FILE, "certificate")?;
                let parsed = if bytes.starts_with(b"-----") {
                    supply_sig::x509::Certificate::from_pem_chain(&bytes)
                } else {
                    supply_sig::x509::Certificate::from_der(&bytes).map(|c| vec![c])
                };
                certs.extend(
                    parsed.with_context(|| format!("reading the certificate {}", f.display()))?,
                );
            }
            stores = stores.with(format!("{kind_name}:{store_name}"), certs);
        }
    }
    Ok(stores)
}
