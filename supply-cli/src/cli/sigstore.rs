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

/// Verifies and returns the result with context. A bundle whose log or CA the trusted root
/// does not know gets a hint at `--trusted-root` (a staging bundle against the production root).
pub(crate) fn verify_bundle<'b>(
    bundle: &'b Bundle,
    input: &Input,
    policy: &Policy,
    root: &TrustedRoot,
    provider: &Provider,
) -> anyhow::Result<VerifiedBundle<'b>> {
    verify::verify(bundle, input.artifact(), policy, root, provider).map_err(|e| {
        let hint = matches!(
            e,
            verify::Error::UnknownLog { .. } | verify::Error::UnknownAuthority { .. }
        );
        let e = anyhow::Error::new(e);
        if hint {
            e.context(
                "bundle verification failed (the trusted root does not know this bundle's \
                 transparency log or certificate authority: for a bundle from another Sigstore \
                 instance, such as staging, give that instance's root with --trusted-root)",
            )
        } else {
            e.context("bundle verification failed")
        }
    })
}
