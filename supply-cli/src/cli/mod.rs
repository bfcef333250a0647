//! The `supply` CLI: argument parsing, provider choice, error reporting.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use supply_sig::crypto::Provider;

pub mod blob;
pub mod conformance;
pub mod keys;
mod sigstore;
pub mod tuf;

/// `supply`: sign, attest, inventory and verify software artifacts.
#[derive(Debug, Parser)]
#[command(name = "supply", version, about)]
pub struct Cli {
    /// Crypto backend: `aws-lc` (OpenSSL-class speed, default when compiled in) or `rustcrypto`.
    #[arg(long, global = true, env = "SUPPLY_CRYPTO_PROVIDER", value_enum)]
    pub crypto_provider: Option<ProviderChoice>,
    /// Print the whole error chain.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// A crypto backend name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProviderChoice {
    /// `supply_sig::crypto::RUSTCRYPTO`.
    Rustcrypto,
    /// `supply_sig::crypto::AWS_LC` (needs the `aws-lc-rs` feature).
    AwsLc,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a key pair: PREFIX.key (cosign encrypted, password from COSIGN_PASSWORD) and PREFIX.pub.
    GenerateKeyPair(keys::GenerateKeyPair),
    /// Print the public key of a private (or public) key file as PEM.
    PublicKey(keys::PublicKeyCmd),
    /// Sign a file with a key; prints the base64 signature.
    SignBlob(blob::SignBlob),
    /// Verify a file's signature with a public key.
    VerifyBlob(blob::VerifyBlob),
    /// TUF: a client (init, refresh, download) and repository writer verbs.
    #[command(subcommand)]
    Tuf(tuf::TufCmd),
}

impl Cli {
    fn provider(&self) -> anyhow::Result<&'static Provider> {
        match self.crypto_provider {
            Some(ProviderChoice::Rustcrypto) => Ok(&supply_sig::crypto::RUSTCRYPTO),
            #[cfg(feature = "aws-lc-rs")]
            Some(ProviderChoice::AwsLc) | None => Ok(&supply_sig::crypto::AWS_LC),
            #[cfg(not(feature = "aws-lc-rs"))]
            Some(ProviderChoice::AwsLc) => {
                anyhow::bail!(
                    "this build has no aws-lc-rs backend (build with --features aws-lc-rs)"
                )
            }
            #[cfg(not(feature = "aws-lc-rs"))]
            None => Ok(&supply_sig::crypto::RUSTCRYPTO),
        }
    }
}

/// Runs the CLI with the process arguments; returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = cli.verbose;
    let result = cli.provider().and_then(|p| match &cli.command {
        Command::GenerateKeyPair(c) => c.run(p),
        Command::PublicKey(c) => c.run(),
        Command::SignBlob(c) => c.run(p),
        Command::VerifyBlob(c) => c.run(p),
        Command::Tuf(c) => c.run(p),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line with the causes joined; the full report behind --verbose.
            if verbose {
                eprintln!("error: {e:?}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The password for private key files: `COSIGN_PASSWORD`, as cosign reads it (an empty value is
/// an empty password).
pub(crate) fn password_from_env() -> Option<zeroize::Zeroizing<Vec<u8>>> {
    std::env::var_os("COSIGN_PASSWORD").map(|p| zeroize::Zeroizing::new(p.into_encoded_bytes()))
}

/// Reads a file with a size cap, so a wrong path to a huge file fails fast.
pub(crate) fn read_capped(path: &std::path::Path, cap: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let f =
        std::fs::File::open(path).with_context(|| format!("opening {what} {}", path.display()))?;
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {what} {}", path.display()))?;
    anyhow::ensure!(
        buf.len() as u64 <= cap,
        "{what} {} is larger than {cap} bytes",
        path.display()
    );
    Ok(buf)
}
