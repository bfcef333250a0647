//! `sign-blob` and `verify-blob`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use anyhow::Context as _;
use base64::Engine as _;
use clap::Args;
use supply_sig::crypto::Provider;
use supply_sig::digest::Algorithm;
use supply_sig::key::{KeyAlgorithm, PublicKey};
use supply_sig::sign::{
    KeySigner, KeyVerifier, SignatureScheme, Signer as _, Verifier as _, VerifyPolicy,
};

use super::limits::MAX_SIGNATURE_FILE;
use super::output::{Mode, Output, Plan};
use super::{hash_file, read_capped, read_ed25519_message};

/// `supply sign-blob`.
#[derive(Debug, Args)]
pub struct SignBlob {
    /// The private key (cosign encrypted key with COSIGN_PASSWORD, PKCS#8, SEC1). Without it,
    /// signing is keyless (needs --bundle).
    #[arg(long, conflicts_with = "identity_token")]
    key: Option<PathBuf>,
    /// Keyless: sign with this OIDC identity token (Fulcio certificate, Rekor entry, TSA
    /// timestamps as the signing config says). Without it, the ambient token is used:
    /// SIGSTORE_ID_TOKEN (also GitLab CI's `id_tokens`), else GitHub Actions'
    /// (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, with `permissions: id-token: write`).
    #[arg(long)]
    identity_token: Option<String>,
    /// Keyless: the signing config v0.2 naming the services (default: the one inside a client
    /// trust config given as --trusted-root, else the public-good instance's through TUF).
    #[arg(long, conflicts_with = "key")]
    signing_config: Option<PathBuf>,
    /// Keyless: the trusted root (or client trust config) the new bundle must verify against
    /// (default: the public-good instance's through TUF).
    #[arg(long, conflicts_with = "key")]
    trusted_root: Option<PathBuf>,
    /// Keyless: where Sigstore's trust material comes from without --trusted-root.
    #[command(flatten)]
    tuf: super::sigstore::TufOpts,
    /// Keyless: how timestamps are requested from the signing config's TSAs: `json`, the
    /// Sigstore timestamp authority's request (also @sigstore/mock's), or `der`, RFC 3161's
    /// `TimeStampReq`, which every RFC 3161 TSA takes (Sigstore's too).
    #[arg(long, value_enum, default_value_t = TsaFormat::Json, conflicts_with = "key")]
    timestamp_request_format: TsaFormat,
    /// Write the base64 signature here as well as to stdout.
    #[arg(long)]
    output_signature: Option<PathBuf>,
    /// Also write a Sigstore bundle v0.3 (keyed, message signature; no log entry) here.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Accepted for cosign compatibility: supply never uploads to a transparency log here.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    tlog_upload: Option<bool>,
    /// Accepted for cosign compatibility (no prompts are ever shown).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Replace existing --output-signature and --bundle files (never the file signed, the key,
    /// nor another private key).
    #[arg(long)]
    force: bool,
    /// The file to sign.
    file: PathBuf,
}

impl SignBlob {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        let plan = Plan::new(self.force)
            .input(&self.file)
            .input_opt(self.key.as_deref())
            .input_opt(self.trusted_root.as_deref())
            .input_opt(self.signing_config.as_deref())
            .input_opt(self.tuf.tuf_root())
            .output(self.output_signature.as_deref())
            .output(self.bundle.as_deref());
        plan.check()?;
        if self.key.is_none() {
            let path = self.bundle.as_deref().context(
                "keyless signing (no --key) writes a bundle: give --bundle (or --key to sign with a key)",
            )?;
            let b = super::sigstore::sign_keyless(
                &super::sigstore::Keyless {
                    token: self.identity_token.as_deref(),
                    file: &self.file,
                    in_toto: false,
                    trusted_root: self.trusted_root.as_deref(),
                    signing_config: self.signing_config.as_deref(),
                    staging: false,
                    tsa_format: self.timestamp_request_format.into(),
                },
                &self.tuf,
                provider,
            )?;
            plan.write(&[Output {
                path,
                data: b.raw(),
                mode: Mode::Public,
            }])?;
            eprintln!("Bundle written to {}", path.display());
            return Ok(());
        }
        anyhow::ensure!(
            self.tlog_upload != Some(true),
            "transparency-log upload is not available in this command yet; pass --tlog-upload=false"
        );
        let key_path = self
            .key
            .as_deref()
            .context("give --key or sign keylessly")?;
        let key = super::keys::load_private(key_path)?;
        let signer = KeySigner::with_default_scheme(&key, provider)
            .with_context(|| format!("preparing the signing key {}", key_path.display()))?;
        // One signature, written to the bundle and the signature file alike.
        let (sig, bundle) = match signer.scheme().hash() {
            // ECDSA, RSA: the file is hashed while it is read and its digest signed, as cosign
            // does; memory stays flat in the file size.
            Some(alg) => {
                let digest = hash_file(&self.file, &[alg], provider, "file")?
                    .pop()
                    .context("no digest computed")?;
                if self.bundle.is_some() {
                    let b = supply_sig::sigstore::sign::sign_message_prehashed(
                        &digest, &signer, provider,
                    )
                    .context("signing into a bundle")?;
                    (bundle_signature(&b)?, Some(b))
                } else {
                    (signer.try_sign_prehashed(&digest).context("signing")?, None)
                }
            }
            // Ed25519 signs the message itself: the file is read whole, under a cap.
            None => {
                let blob = read_ed25519_message(&self.file, "file")?;
                if self.bundle.is_some() {
                    let b = supply_sig::sigstore::sign::sign_message(&blob, &signer, provider)
                        .context("signing into a bundle")?;
                    (bundle_signature(&b)?, Some(b))
                } else {
                    (signer.try_sign(&blob).context("signing")?, None)
                }
            }
        };
        let b64 = base64::engine::general_purpose::STANDARD.encode(sig);
        let mut files = Vec::new();
        if let (Some(path), Some(b)) = (&self.bundle, &bundle) {
            files.push(Output {
                path,
                data: b.raw(),
                mode: Mode::Public,
            });
        }
        if let Some(path) = &self.output_signature {
            files.push(Output {
                path,
                data: b64.as_bytes(),
                mode: Mode::Public,
            });
        }
        plan.write(&files)?;
        if let Some(p) = &self.bundle {
            eprintln!("Bundle written to {}", p.display());
        }
        if let Some(p) = &self.output_signature {
            eprintln!("Signature written to {}", p.display());
        }
        crate::outln!("{b64}");
        Ok(())
    }
}

/// `--timestamp-request-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TsaFormat {
    /// The Sigstore timestamp authority's JSON request.
    Json,
    /// RFC 3161 `TimeStampReq`, DER.
    Der,
}

impl From<TsaFormat> for supply_sig::sigstore::client::TimestampRequestFormat {
    fn from(f: TsaFormat) -> Self {
        match f {
            TsaFormat::Json => Self::Json,
            TsaFormat::Der => Self::Der,
        }
    }
}

/// The signature inside a bundle we just signed.
fn bundle_signature(b: &supply_sig::sigstore::bundle::Bundle) -> anyhow::Result<Vec<u8>> {
    b.signature_bytes()
        .map(<[u8]>::to_vec)
        .context("the new bundle carries no signature")
}

/// `supply verify-blob`: a key and a base64 signature (cosign's detached form), or a Sigstore
/// bundle with an identity policy (`--certificate-identity[-regexp]`,
/// `--certificate-oidc-issuer[-regexp]`) or a key.
#[derive(Debug, Args)]
pub struct VerifyBlob {
    /// The public key (PEM, DER, OpenSSH line or securesystemslib key dict).
    #[arg(long, required_unless_present = "bundle")]
    key: Option<PathBuf>,
    /// The signature: a file holding base64 (as cosign writes it), or the base64 itself.
    #[arg(long, required_unless_present = "bundle", conflicts_with = "bundle")]
    signature: Option<OsString>,
    /// A Sigstore bundle (v0.1-v0.3) to verify offline.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// The expected certificate identity (SAN), exact.
    #[arg(long, requires = "bundle", conflicts_with_all = ["key", "certificate_identity_regexp"])]
    certificate_identity: Option<String>,
    /// The expected certificate identity as a regular expression (unanchored, as cosign).
    #[arg(long, requires = "bundle", conflicts_with = "key")]
    certificate_identity_regexp: Option<String>,
    /// The expected OIDC issuer, exact.
    #[arg(long, requires = "bundle", conflicts_with_all = ["key", "certificate_oidc_issuer_regexp"])]
    certificate_oidc_issuer: Option<String>,
    /// The expected OIDC issuer as a regular expression.
    #[arg(long, requires = "bundle", conflicts_with = "key")]
    certificate_oidc_issuer_regexp: Option<String>,
    /// A trusted root or client trust config (default: the public-good instance's, through its
    /// TUF repository; see the --tuf-* options). A bundle from another Sigstore instance
    /// (staging, a private one) needs that instance's root.
    #[arg(long, requires = "bundle")]
    trusted_root: Option<PathBuf>,
    /// With --bundle and no --trusted-root: where Sigstore's trust material comes from.
    #[command(flatten)]
    tuf: super::sigstore::TufOpts,
    /// INSECURE: with --bundle, do not require a transparency-log entry (entries present are
    /// still checked). With --key, the key is then also checked at this machine's clock when
    /// the bundle carries no signed time, as cosign does. Written `--insecure-ignore-tlog` or
    /// `--insecure-ignore-tlog=true|false`. (Without --bundle, a bare signature never consults
    /// a log, so the flag changes nothing.)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    insecure_ignore_tlog: Option<bool>,
    /// INSECURE: with --bundle, do not require embedded SCTs in the certificate (no
    /// Certificate Transparency proof). Written as --insecure-ignore-tlog.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true, requires = "bundle", conflicts_with = "key")]
    insecure_ignore_sct: Option<bool>,
    /// INSECURE: accept an identity or issuer pattern that matches every value (`''`, `.*`,
    /// `.+` ...), i.e. any signer of that part. Without it such a pattern (often an unset
    /// variable) is refused.
    #[arg(long, requires = "bundle", conflicts_with = "key")]
    insecure_any_identity: bool,
    /// The file whose signature is checked (with `--bundle`, also `sha256:<hex>`).
    file: PathBuf,
}

impl VerifyBlob {
    pub(crate) fn run(&self, provider: &'static Provider) -> anyhow::Result<()> {
        if let Some(bundle) = &self.bundle {
            return self.run_bundle(bundle, provider);
        }
        let (Some(key), Some(signature)) = (&self.key, &self.signature) else {
            anyhow::bail!("give --key and --signature, or --bundle");
        };
        let key_path = key;
        let key = super::keys::load_public(key_path)?;
        let sig = read_signature(signature)?;
        let schemes = blob_schemes(&key);
        let file = self.file.display();
        let verifiers = schemes
            .iter()
            .map(|s| KeyVerifier::new(&key, *s, VerifyPolicy::default(), provider))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("preparing the key {}", key_path.display()))?;
        let mut last = None;
        if key.algorithm() == KeyAlgorithm::Ed25519 {
            let blob = read_ed25519_message(&self.file, "file")?;
            for v in &verifiers {
                match v.verify(&blob, &sig) {
                    Ok(()) => {
                        eprintln!("Verified OK");
                        return Ok(());
                    }
                    Err(e) => last = Some(e),
                }
            }
        } else {
            // Hashed while read, once per hash the schemes use, and verified by digest.
            let mut algs: Vec<Algorithm> = schemes.iter().filter_map(|s| s.hash()).collect();
            algs.dedup();
            let digests = hash_file(&self.file, &algs, provider, "file")?;
            for v in &verifiers {
                let Some(d) = digests
                    .iter()
                    .find(|d| Some(d.algorithm()) == v.scheme().hash())
                else {
                    continue;
                };
                match v.verify_prehashed(d, &sig) {
                    Ok(()) => {
                        eprintln!("Verified OK");
                        return Ok(());
                    }
                    Err(e) => last = Some(e),
                }
            }
        }
        let err = last.map_or_else(
            || anyhow::anyhow!("no signature scheme for this key"),
            Into::into,
        );
        Err(err).with_context(|| format!("{file} does not match its signature"))
    }
}

/// Reads `--signature`: a file holding base64, or the base64 itself. A value that names no file
/// and is not base64 either is reported as a missing file, not as bad base64.
fn read_signature(arg: &OsStr) -> anyhow::Result<Vec<u8>> {
    let path = std::path::Path::new(arg);
    let b64 = base64::engine::general_purpose::STANDARD;
    let strip = |t: &[u8]| -> Vec<u8> {
        t.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect()
    };
    if path.is_file() {
        let text = read_capped(path, MAX_SIGNATURE_FILE, "signature file")?;
        return b64
            .decode(strip(&text))
            .with_context(|| format!("signature file {} is not base64", path.display()));
    }
    let inline = arg.to_str().map(|t| b64.decode(strip(t.as_bytes())));
    match inline {
        Some(Ok(sig)) if !sig.is_empty() => Ok(sig),
        _ if path.exists() => anyhow::bail!("--signature {} is not a regular file", path.display()),
        _ => anyhow::bail!(
            "--signature {}: no such file (and the value is not a base64 signature either)",
            path.display()
        ),
    }
}

/// The schemes a bare blob signature by `key` is checked with: the key's own default, and for
/// P-384 keys also SHA-256, which cosign 2.x signs with and both cosign 2.x and 3.x expect in
/// `verify-blob --key` (cosign 3.x itself signs P-384 with SHA-384). Both digests are
/// collision-resistant, so accepting either admits no signature that a single scheme would not.
fn blob_schemes(key: &PublicKey) -> Vec<SignatureScheme> {
    let default = key.default_scheme();
    if default == SignatureScheme::EcdsaP384Sha384 {
        vec![default, SignatureScheme::EcdsaP384Sha256]
    } else {
        vec![default]
    }
}

impl VerifyBlob {
    fn run_bundle(
        &self,
        bundle_path: &std::path::Path,
        provider: &'static Provider,
    ) -> anyhow::Result<()> {
        use supply_sig::sigstore::verify::{Matcher, Policy};
        let root = super::sigstore::trusted_root(
            self.trusted_root.as_deref(),
            false,
            &self.tuf,
            provider,
        )?;
        let bundle = super::sigstore::bundle(bundle_path)?;
        // The signing key decides whether the file is checked by digest (streamed) or whole.
        let input_key = self
            .key
            .as_deref()
            .map(super::keys::load_public)
            .transpose()?;
        let input = super::sigstore::Input::read(
            self.file.as_os_str(),
            &bundle,
            input_key.as_ref(),
            provider,
        )?;
        let any = self.insecure_any_identity;
        let matcher =
            |exact: &Option<String>, re: &Option<String>, what: &str| {
                match (exact, re) {
            (Some(e), None) if e.is_empty() => Err(anyhow::anyhow!(
                "--{what} is empty (an unset variable?): give the expected value"
            )),
            (Some(e), None) => Ok(Matcher::exact(e.clone())),
            (None, Some(r)) if any => Matcher::insecure_regex(r).map_err(anyhow::Error::from),
            (None, Some(r)) => Matcher::regex(r).map_err(anyhow::Error::from).with_context(|| {
                format!("--{what}-regexp {r:?} (pass --insecure-any-identity to accept any signer)")
            }),
            _ => Err(anyhow::anyhow!("give --{what} or --{what}-regexp")),
        }
            };
        let ignore_tlog = self.insecure_ignore_tlog == Some(true);
        let mut policy = match &self.key {
            Some(_) => {
                let key = input_key.clone().context("the public key was read above")?;
                let p = Policy::public_key(key);
                if ignore_tlog {
                    // The log is what gives a keyed bundle its time: ignoring it, the key is
                    // checked at this machine's clock too (cosign's behaviour).
                    let now = supply_sig::time::Timestamp::from(std::time::SystemTime::now());
                    p.insecure_caller_time(now)?
                } else {
                    p
                }
            }
            None => Policy::identity_matching(
                matcher(
                    &self.certificate_identity,
                    &self.certificate_identity_regexp,
                    "certificate-identity",
                )?,
                matcher(
                    &self.certificate_oidc_issuer,
                    &self.certificate_oidc_issuer_regexp,
                    "certificate-oidc-issuer",
                )?,
            ),
        };
        if ignore_tlog {
            policy = policy.insecure_ignore_tlog();
        }
        if self.insecure_ignore_sct == Some(true) {
            policy = policy.insecure_ignore_sct();
        }
        let v = super::sigstore::verify_bundle(&bundle, &input, &policy, &root, provider)?;
        if let Some(id) = v.identity() {
            eprintln!(
                "Verified OK: {} ({})",
                id.san.as_str(),
                id.issuer.as_deref().unwrap_or("no issuer")
            );
        } else {
            eprintln!("Verified OK");
        }
        Ok(())
    }
}
