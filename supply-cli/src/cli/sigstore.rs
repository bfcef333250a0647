//! Shared plumbing for the Sigstore verbs: trusted roots (given or embedded), artifacts given as
//! a file or `sha256:<hex>`, and the call into `supply_sig::sigstore::verify`.

use std::ffi::OsStr;
use std::path::Path;

use anyhow::Context as _;
use supply_sig::crypto::Provider;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::key::KeyAlgorithm;
use supply_sig::sigstore::bundle::{Bundle, Content};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{self, Artifact, Policy, VerifiedBundle};

use super::{hash_file, limits, read_capped, read_ed25519_message};

/// The embedded production trusted root (see `trust/README.md`).
const PRODUCTION_ROOT: &[u8] = include_bytes!("trust/production_trusted_root.json");
/// The embedded staging trusted root.
const STAGING_ROOT: &[u8] = include_bytes!("trust/staging_trusted_root.json");

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

/// What [`sign_keyless`] signs, and how.
pub(crate) struct Keyless<'a> {
    /// `--identity-token`: wins over ambient detection (as in cosign); without it the token is
    /// found in the environment (`SIGSTORE_ID_TOKEN`, GitHub Actions).
    pub(crate) token: Option<&'a str>,
    /// The file to sign.
    pub(crate) file: &'a Path,
    /// Sign `file` as an in-toto statement (DSSE).
    pub(crate) in_toto: bool,
    /// `--trusted-root` (or client trust config).
    pub(crate) trusted_root: Option<&'a Path>,
    /// `--signing-config`.
    pub(crate) signing_config: Option<&'a Path>,
    /// The embedded staging root instead of the production one.
    pub(crate) staging: bool,
    /// How timestamps are requested.
    pub(crate) tsa_format: supply_sig::sigstore::client::TimestampRequestFormat,
}

/// Signs `file` keylessly with the services of `--signing-config` (or the signing config inside
/// a client trust config given as `--trusted-root`) and returns the verified bundle. With
/// `in_toto`, `file` is an in-toto statement signed as DSSE.
pub(crate) fn sign_keyless(k: &Keyless<'_>, provider: &'static Provider) -> anyhow::Result<Bundle> {
    use supply_sig::sigstore::client::ambient::{self, Source};
    use supply_sig::sigstore::client::{Client, Endpoints, IdentityToken};
    use supply_sig::sigstore::trust_root::{ClientTrustConfig, SigningConfig};

    let limit = supply_sig::limits::MAX_TRUST_ROOT_LEN as u64;
    let config = match (k.signing_config, k.trusted_root) {
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
    let root = trusted_root(k.trusted_root, k.staging, provider)?;
    let now = supply_sig::time::Timestamp::from(std::time::SystemTime::now());
    let endpoints = Endpoints::from_signing_config(&config, now).context("choosing services")?;
    let client =
        Client::new(endpoints, root, provider)?.with_timestamp_request_format(k.tsa_format);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let token = match k.token {
        Some(t) => IdentityToken::parse(t).context("reading the identity token")?,
        None => {
            let env = |name: &str| std::env::var(name).ok();
            let (token, source) = rt
                .block_on(ambient::detect(&env, client.http_client()))
                .context("keyless signing needs an identity token: give --identity-token or run where one is ambient")?;
            let from = match source {
                Source::Environment => ambient::SIGSTORE_ID_TOKEN,
                Source::GitHubActions => "GitHub Actions",
                _ => "the environment",
            };
            eprintln!("Using the ambient identity token from {from}");
            token
        }
    };
    // A statement is signed whole (DSSE), under the payload limit; an artifact is hashed while
    // it is read and its SHA-256 digest signed, so memory stays flat in its size.
    enum What {
        Statement(Vec<u8>),
        Artifact(Digest),
    }
    let what = if k.in_toto {
        What::Statement(read_capped(
            k.file,
            limits::MAX_STATEMENT_FILE,
            "in-toto statement",
        )?)
    } else {
        let mut d = hash_file(k.file, &[Algorithm::Sha256], provider, "file")?;
        What::Artifact(d.pop().context("no digest computed")?)
    };
    let bundle = rt
        .block_on(async {
            match &what {
                What::Statement(s) => client.sign_in_toto(&token, s).await,
                What::Artifact(d) => client.sign_message_digest(&token, d).await,
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
///
/// A file is hashed while it is read, with the algorithms the bundle needs, and checked by its
/// digests: memory stays flat in its size. Only a message signature by an Ed25519 key needs the
/// bytes themselves, read under [`limits::MAX_ED25519_MESSAGE`].
pub(crate) enum Input {
    /// File contents (Ed25519 message signatures).
    Bytes(Vec<u8>),
    /// The artifact's digests, tried in order (a statement's subjects may use several
    /// algorithms).
    Digests(Vec<Digest>),
}

impl Input {
    /// Reads `arg` for verifying `bundle`, whose signing key is `key` when the caller gives one
    /// (otherwise the bundle's certificate's). `arg` is a digest when it starts with a digest
    /// algorithm's name and a colon and no such file exists.
    pub(crate) fn read(
        arg: &OsStr,
        bundle: &Bundle,
        key: Option<&supply_sig::key::PublicKey>,
        provider: &Provider,
    ) -> anyhow::Result<Self> {
        let path = Path::new(arg);
        if !path.exists() {
            if let Some(text) = arg.to_str() {
                let named = text
                    .split_once(':')
                    .is_some_and(|(alg, _)| Algorithm::from_name(alg).is_some());
                if named {
                    let d = Digest::parse(text).with_context(|| {
                        format!("the artifact {text} is neither a file nor a well-formed digest")
                    })?;
                    return Ok(Self::Digests(vec![d]));
                }
            }
        }
        match bundle.content() {
            Content::MessageSignature(m) => {
                let key = key.or_else(|| bundle.leaf_certificate().map(|c| c.public_key()));
                if key.is_some_and(|k| k.algorithm() == KeyAlgorithm::Ed25519) {
                    return Ok(Self::Bytes(read_ed25519_message(path, "artifact")?));
                }
                // hashedrekord: the digest the bundle names (SHA-256 when it names none).
                let alg = m
                    .digest
                    .as_ref()
                    .map_or(Algorithm::Sha256, Digest::algorithm);
                Ok(Self::Digests(hash_file(
                    path,
                    &[alg],
                    provider,
                    "artifact",
                )?))
            }
            Content::Dsse(env) => {
                let algs = subject_algorithms(&env.payload);
                Ok(Self::Digests(hash_file(path, &algs, provider, "artifact")?))
            }
            // A content kind this CLI does not know yet: its bytes, under the cap.
            _ => Ok(Self::Bytes(read_ed25519_message(path, "artifact")?)),
        }
    }

    /// As verification artifacts, in the order to try them.
    pub(crate) fn artifacts(&self) -> Vec<Artifact<'_>> {
        match self {
            Self::Bytes(b) => vec![Artifact::Bytes(b)],
            Self::Digests(ds) => ds.iter().map(Artifact::Digest).collect(),
        }
    }
}

/// The digest algorithms an in-toto statement's subjects use, SHA-256 first; SHA-256 alone when
/// the payload names none (verification then reports what is wrong with it).
fn subject_algorithms(payload: &[u8]) -> Vec<Algorithm> {
    use serde_json::Value;
    let mut algs = vec![Algorithm::Sha256];
    let statement: Option<Value> = serde_json::from_slice(payload).ok();
    let subjects = statement
        .as_ref()
        .and_then(|v| v.get("subject"))
        .and_then(Value::as_array);
    for s in subjects
        .into_iter()
        .flatten()
        .take(supply_sig::limits::MAX_STATEMENT_SUBJECTS)
    {
        let names = s
            .get("digest")
            .and_then(Value::as_object)
            .into_iter()
            .flatten();
        for (name, _) in names {
            if let Some(a) = Algorithm::from_name(name) {
                if !algs.contains(&a) {
                    algs.push(a);
                }
            }
        }
    }
    algs
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
    // The input may offer several artifacts (one digest per algorithm the bundle may use); the
    // first that verifies wins, and the first failure is reported.
    let mut first_err = None;
    for artifact in input.artifacts() {
        match verify::verify(bundle, artifact, policy, root, provider) {
            Ok(v) => return Ok(v),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    let Some(e) = first_err else {
        anyhow::bail!("bundle verification failed: no artifact to check")
    };
    let hint = matches!(
        e,
        verify::Error::UnknownLog { .. } | verify::Error::UnknownAuthority { .. }
    );
    let e = anyhow::Error::new(e);
    Err(if hint {
        e.context(
            "bundle verification failed (the trusted root does not know this bundle's \
             transparency log or certificate authority: for a bundle from another Sigstore \
             instance, such as staging, give that instance's root with --trusted-root)",
        )
    } else {
        e.context("bundle verification failed")
    })
}
