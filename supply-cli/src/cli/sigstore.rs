//! Shared plumbing for the Sigstore verbs: trusted roots (given or embedded), artifacts given as
//! a file or `sha256:<hex>`, and the call into `supply_sig::sigstore::verify`.

use std::path::Path;

use anyhow::Context as _;
use supply_sig::crypto::Provider;
use supply_sig::digest::Digest;
use supply_sig::sigstore::bundle::Bundle;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{self, Artifact, Policy, VerifiedBundle};

use super::read_capped;

/// The embedded production trusted root (see `trust/README.md`).
const PRODUCTION_ROOT: &[u8] = include_bytes!("trust/production_trusted_root.json");
/// The embedded staging trusted root.
const STAGING_ROOT: &[u8] = include_bytes!("trust/staging_trusted_root.json");

/// Artifacts are read whole; 4 GiB bounds memory.
const MAX_ARTIFACT: u64 = 4 << 30;

/// Loads `--trusted-root` (a trusted root or a client trust config), or the embedded one.
pub(crate) fn trusted_root(
    path: Option<&Path>,
    staging: bool,
    provider: &Provider,
) -> anyhow::Result<TrustedRoot> {
    let bytes = match path {
        Some(p) => read_capped(
            p,
            supply_sig::limits::MAX_TRUST_ROOT_LEN as u64,
            "trusted root",
        )?,
        None if staging => STAGING_ROOT.to_vec(),
        None => PRODUCTION_ROOT.to_vec(),
    };
    TrustedRoot::from_json_or_trust_config(&bytes, provider).context("reading the trusted root")
}

/// Signs `file` keylessly with the services of `--signing-config` (or the signing config inside
/// a client trust config given as `--trusted-root`) and returns the verified bundle. With
/// `in_toto`, `file` is an in-toto statement signed as DSSE.
pub(crate) fn sign_keyless(
    token: &str,
    file: &Path,
    in_toto: bool,
    trusted_root_path: Option<&Path>,
    signing_config: Option<&Path>,
    staging: bool,
    provider: &'static Provider,
) -> anyhow::Result<Bundle> {
    use supply_sig::sigstore::client::{Client, Endpoints, IdentityToken};
    use supply_sig::sigstore::trust_root::{ClientTrustConfig, SigningConfig};

    let limit = supply_sig::limits::MAX_TRUST_ROOT_LEN as u64;
    let config = match (signing_config, trusted_root_path) {
        (Some(p), _) => SigningConfig::from_json(&read_capped(p, limit, "signing config")?)
            .context("reading the signing config")?,
        (None, Some(p)) => ClientTrustConfig::from_json(&read_capped(p, limit, "trust config")?, provider)
            .ok()
            .and_then(|c| c.signing_config)
            .context("keyless signing needs --signing-config (or a client trust config holding one)")?,
        (None, None) => anyhow::bail!(
            "keyless signing needs --signing-config (no signing config is embedded for the public instances)"
        ),
    };
    let root = trusted_root(trusted_root_path, staging, provider)?;
    let now = supply_sig::time::Timestamp::from(std::time::SystemTime::now());
    let endpoints = Endpoints::from_signing_config(&config, now).context("choosing services")?;
    let token = IdentityToken::parse(token).context("reading the identity token")?;
    let bytes = read_capped(file, MAX_ARTIFACT, "file")?;
    let client = Client::new(endpoints, root, provider)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let bundle = rt
        .block_on(async {
            if in_toto {
                client.sign_in_toto(&token, &bytes).await
            } else {
                client.sign_message(&token, &bytes).await
            }
        })
        .context("keyless signing failed")?;
    Ok(bundle)
}

/// Loads a bundle file.
pub(crate) fn bundle(path: &Path) -> anyhow::Result<Bundle> {
    let bytes = read_capped(path, supply_sig::limits::MAX_BUNDLE_LEN as u64, "bundle")?;
    Bundle::from_json(&bytes).with_context(|| format!("reading bundle {}", path.display()))
}

/// An artifact given on the command line: a file, or `sha256:<hex>` (any supported digest).
pub(crate) enum Input {
    /// File contents.
    Bytes(Vec<u8>),
    /// A digest.
    Digest(Digest),
}

impl Input {
    /// Reads `arg`: a digest when it parses as `alg:hex` and no such file exists.
    pub(crate) fn read(arg: &str) -> anyhow::Result<Self> {
        let p = Path::new(arg);
        if !p.exists() {
            if let Ok(d) = Digest::parse(arg) {
                return Ok(Self::Digest(d));
            }
        }
        Ok(Self::Bytes(read_capped(p, MAX_ARTIFACT, "artifact")?))
    }

    /// As a verification artifact.
    pub(crate) fn artifact(&self) -> Artifact<'_> {
        match self {
            Self::Bytes(b) => Artifact::Bytes(b),
            Self::Digest(d) => Artifact::Digest(d),
        }
    }
}

/// Verifies and returns the result with context.
pub(crate) fn verify_bundle(
    bundle: &Bundle,
    input: &Input,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> anyhow::Result<VerifiedBundle> {
    verify::verify(bundle, input.artifact(), policy, root, provider)
        .context("bundle verification failed")
}

/// A keyed policy: a log entry is required when the bundle has one; a bundle without any signed
/// time (no log entry with a SET and no timestamp: `supply sign-blob --bundle`,
/// `cosign sign-blob --tlog-upload=false`, a Rekor entry with only an inclusion proof) is checked
/// at this machine's clock, as cosign and sigstore-go do for keys.
pub(crate) fn key_policy(
    key: supply_sig::key::PublicKey,
    bundle: &Bundle,
) -> anyhow::Result<Policy> {
    let logs = usize::from(!bundle.tlog_entries.is_empty());
    let p = Policy::public_key(key).with_tlog_threshold(logs);
    // A key given out of band has no validity window: when the bundle carries no signed time
    // (no SET, no RFC 3161 timestamp; e.g. a log entry with only an inclusion proof), the
    // verifier's clock is the time source.
    let has_signed_time = !bundle.timestamps.is_empty()
        || bundle
            .tlog_entries
            .iter()
            .any(|e| e.signed_entry_timestamp.is_some());
    if !has_signed_time {
        let now = supply_sig::time::Timestamp::from(std::time::SystemTime::now());
        return Ok(p.with_caller_time(now)?);
    }
    Ok(p)
}
