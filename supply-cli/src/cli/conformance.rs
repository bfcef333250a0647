//! `supply-sigstore-conformance`: the sigstore-conformance client protocol, nothing else.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use supply_sig::sigstore::verify::Policy;

use super::output::{Mode, Output, Plan};
use super::sigstore::{self as ss, Input};

/// The sigstore-conformance client.
#[derive(Debug, Parser)]
#[command(name = "supply-sigstore-conformance", version)]
pub struct Conformance {
    /// The command.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The two commands of the protocol.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Sign FILE keylessly and write a bundle.
    SignBundle(SignBundle),
    /// Verify a bundle for FILE_OR_DIGEST.
    VerifyBundle(VerifyBundle),
}

/// `sign-bundle`.
#[derive(Debug, Args)]
pub struct SignBundle {
    /// Use the staging instance.
    #[arg(long)]
    staging: bool,
    /// Sign an in-toto statement (FILE) as DSSE.
    #[arg(long)]
    in_toto: bool,
    /// The OIDC identity token.
    #[arg(long)]
    identity_token: String,
    /// Where to write the bundle.
    #[arg(long)]
    bundle: PathBuf,
    /// A trusted root.
    #[arg(long)]
    trusted_root: Option<PathBuf>,
    /// A signing config.
    #[arg(long)]
    signing_config: Option<PathBuf>,
    /// Without --trusted-root or --signing-config: where they come from (Sigstore TUF).
    #[command(flatten)]
    tuf: ss::TufOpts,
    /// The file to sign.
    file: PathBuf,
}

/// `verify-bundle`.
#[derive(Debug, Args)]
pub struct VerifyBundle {
    /// Use the staging instance's trusted root.
    #[arg(long)]
    staging: bool,
    /// The bundle.
    #[arg(long)]
    bundle: PathBuf,
    /// The expected certificate identity (SAN), exact.
    #[arg(long, requires = "certificate_oidc_issuer", conflicts_with = "key")]
    certificate_identity: Option<String>,
    /// The expected OIDC issuer, exact.
    #[arg(long, requires = "certificate_identity", conflicts_with = "key")]
    certificate_oidc_issuer: Option<String>,
    /// A PEM public key, for keyed bundles.
    #[arg(long, required_unless_present = "certificate_identity")]
    key: Option<PathBuf>,
    /// A trusted root (or client trust config); default: the instance's through TUF.
    #[arg(long)]
    trusted_root: Option<PathBuf>,
    /// Without --trusted-root: where it comes from (Sigstore TUF).
    #[command(flatten)]
    tuf: ss::TufOpts,
    /// The artifact file, or `sha256:<hex>`.
    file_or_digest: OsString,
}

impl SignBundle {
    fn run(&self) -> anyhow::Result<()> {
        // The conformance suite hands out fresh paths; overwriting stays refused all the same
        // for the file signed and the roots read.
        let plan = Plan::new(true)
            .input(&self.file)
            .input_opt(self.trusted_root.as_deref())
            .input_opt(self.signing_config.as_deref())
            .input_opt(self.tuf.tuf_root())
            .output(Some(&self.bundle));
        plan.check()?;
        let bundle = ss::sign_keyless(
            &ss::Keyless {
                token: Some(&self.identity_token),
                file: &self.file,
                in_toto: self.in_toto,
                trusted_root: self.trusted_root.as_deref(),
                signing_config: self.signing_config.as_deref(),
                staging: self.staging,
                tsa_format: Default::default(),
            },
            &self.tuf,
            supply_sig::crypto::default_provider(),
        )?;
        plan.write(&[Output {
            path: &self.bundle,
            data: bundle.raw(),
            mode: Mode::Public,
        }])?;
        Ok(())
    }
}

impl VerifyBundle {
    fn run(&self) -> anyhow::Result<()> {
        let provider = supply_sig::crypto::default_provider();
        let root = ss::trusted_root(
            self.trusted_root.as_deref(),
            self.staging,
            &self.tuf,
            provider,
        )?;
        let bundle = ss::bundle(&self.bundle)?;
        let key = self
            .key
            .as_deref()
            .map(|k| {
                let bytes = super::read_capped(k, super::limits::MAX_KEY_FILE, "key")?;
                supply_sig::key::encoding::pem::public_key_from_pem(&bytes)
                    .with_context(|| format!("reading the public key {}", k.display()))
            })
            .transpose()?;
        let input = Input::read(&self.file_or_digest, &bundle, key.as_ref(), provider)?;
        let policy = match (
            &self.certificate_identity,
            &self.certificate_oidc_issuer,
            &self.key,
        ) {
            (Some(id), Some(iss), None) => Policy::identity(id.clone(), iss.clone()),
            (None, None, Some(_)) => {
                let key = key.context("the public key was read above")?;
                conformance_key_policy(key, &bundle)?
            }
            _ => {
                anyhow::bail!("give --certificate-identity and --certificate-oidc-issuer, or --key")
            }
        };
        ss::verify_bundle(&bundle, &input, &policy, &root, provider)?;
        Ok(())
    }
}

/// The conformance protocol's keyed policy. The protocol has no flags for what to require, and
/// its keyed test cases (sigstore-go's reference client) require a log entry only when the
/// bundle has one and check a key at the clock when the bundle has no signed time: both are
/// this client's explicit, named opt-outs, never the `supply` CLI's defaults.
fn conformance_key_policy(
    key: supply_sig::key::PublicKey,
    bundle: &supply_sig::sigstore::bundle::Bundle,
) -> anyhow::Result<Policy> {
    let mut p = Policy::public_key(key);
    if bundle.tlog_entries().is_empty() {
        p = p.insecure_ignore_tlog();
    }
    let has_signed_time = !bundle.timestamps().is_empty()
        || bundle
            .tlog_entries()
            .iter()
            .any(|e| e.signed_entry_timestamp.is_some());
    if !has_signed_time {
        let now = supply_sig::time::Timestamp::from(std::time::SystemTime::now());
        p = p.insecure_caller_time(now)?;
    }
    Ok(p)
}

/// Runs the conformance client; exit code 0 on success, 1 otherwise.
pub fn main() -> ExitCode {
    let cli = Conformance::parse();
    let result = match &cli.command {
        Cmd::VerifyBundle(v) => v.run(),
        Cmd::SignBundle(s) => s.run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", super::report(&e, false));
            ExitCode::FAILURE
        }
    }
}
