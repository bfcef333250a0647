//! The `supply` CLI: argument parsing, provider choice, error reporting.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use supply_sig::crypto::Provider;

pub mod attest;
pub mod blob;
pub mod conformance;
pub mod imagesig;
pub mod intoto;
pub mod keys;
pub mod limits;
pub mod net;
pub mod oci;
pub mod output;
pub mod sbom;
pub mod sbom_generate;
pub mod sigstore;
pub mod stdout;
pub mod tuf;
pub mod vuln;

/// `supply`: sign, attest, inventory and verify software artifacts.
#[derive(Debug, Parser)]
#[command(name = "supply", version, about)]
pub struct Cli {
    /// Crypto backend: `aws-lc` (OpenSSL-class speed, default when compiled in) or `rustcrypto`.
    #[arg(long, global = true, env = "SUPPLY_CRYPTO_PROVIDER", value_enum)]
    pub crypto_provider: Option<ProviderChoice>,
    /// On failure, print each cause of the error on a line of its own.
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
    /// Sigstore trust material through TUF (trust-root).
    #[command(subcommand)]
    Sigstore(sigstore::SigstoreCmd),
    /// OCI registry verbs at the top level (digest, manifest, ls, push, pull, attach,
    /// discover, copy).
    #[command(flatten)]
    Oci(oci::OciCmd),
    /// Sign an image in a registry: cosign's `.sig` tag with --key, a bundle referrer keyless.
    Sign(imagesig::SignCmd),
    /// Verify an image's cosign signatures, Sigstore bundle referrers and notation signatures.
    Verify(imagesig::VerifyCmd),
    /// in-toto: verify layouts and links, record links, sign layouts.
    #[command(name = "in-toto", subcommand)]
    InToto(intoto::InTotoCmd),
    /// Verify SLSA provenance (slsa-verifier flags) or a GitHub artifact attestation (gh flags).
    VerifyAttestation(attest::VerifyAttestation),
    /// SBOMs: convert, validate, check a license and package policy, explain the dependency graph.
    #[command(subcommand)]
    Sbom(sbom::SbomCmd),
    /// Vulnerability scanning against an offline OSV database (scan).
    #[command(subcommand)]
    Vuln(vuln::VulnCmd),
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
        Command::Sigstore(c) => c.run(p),
        Command::Oci(c) => c.run(),
        Command::Sign(c) => c.run(p),
        Command::Verify(c) => c.run(p),
        Command::InToto(c) => c.run(p),
        Command::VerifyAttestation(c) => c.run(p),
        Command::Sbom(c) => c.run(),
        Command::Vuln(c) => c.run(),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A write to standard output whose reader went away (`supply … | head`).
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(stdout::BROKEN_PIPE_STATUS)
        }
        Err(e) => {
            eprint!("{}", report(&e, verbose));
            ExitCode::FAILURE
        }
    }
}

/// An error as the CLI prints it: `error: what failed: why: why` on one line, each cause named
/// once; with `verbose`, the same causes one per line. Never a backtrace.
pub(crate) fn report(e: &anyhow::Error, verbose: bool) -> String {
    let causes = causes(e.chain());
    if verbose {
        let mut out = String::new();
        for (i, c) in causes.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("error: {c}\n"));
            } else {
                out.push_str(&format!("  caused by: {c}\n"));
            }
        }
        out
    } else {
        format!("error: {}\n", causes.join(": "))
    }
}

/// `error` and its causes on one line (`a: b: c`), each named once ([`causes`]): for
/// warnings and per-artifact failures, which print beside other output.
pub(crate) fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    causes(std::iter::successors(Some(error), |e| e.source())).join(": ")
}

/// The messages of an error chain with each cause named once: a message that ends with its
/// source's message (`"reading x: disk full"` above `"disk full"`, a library `Display` that
/// repeats its source) is cut before it, and a message equal to its source's (a transparent
/// wrapper) is dropped.
fn causes<'a>(chain: impl Iterator<Item = &'a (dyn std::error::Error + 'static)>) -> Vec<String> {
    let messages: Vec<String> = chain.map(ToString::to_string).collect();
    let mut out: Vec<String> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let mut m = m.as_str();
        if let Some(next) = messages.get(i + 1) {
            if m == next {
                continue;
            }
            if let Some(head) = m.strip_suffix(next.as_str()) {
                m = head.trim_end_matches([' ', ':']);
            }
        }
        if !m.is_empty() {
            out.push(m.to_owned());
        }
    }
    out
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
    let too_large = |size: u64| {
        anyhow::anyhow!(
            "{what} {} is larger than the limit of {cap} bytes ({size} bytes)",
            path.display()
        )
    };
    // The size a regular file says it has refuses it before any byte is read.
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > cap {
        return Err(too_large(len));
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {what} {}", path.display()))?;
    if buf.len() as u64 > cap {
        return Err(anyhow::anyhow!(
            "{what} {} is larger than the limit of {cap} bytes",
            path.display()
        ));
    }
    Ok(buf)
}

/// Hashes the file at `path` with each of `algorithms` in one pass, 64 KiB at a time: memory
/// stays flat whatever the file's size.
pub(crate) fn hash_file(
    path: &std::path::Path,
    algorithms: &[supply_sig::digest::Algorithm],
    provider: &Provider,
    what: &str,
) -> anyhow::Result<Vec<supply_sig::digest::Digest>> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let mut f =
        std::fs::File::open(path).with_context(|| format!("opening {what} {}", path.display()))?;
    let mut hashers: Vec<_> = algorithms
        .iter()
        .map(|a| provider.hash.hasher(*a))
        .collect();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("reading {what} {}", path.display()));
            }
        };
        for h in &mut hashers {
            h.update(&buf[..n]);
        }
    }
    Ok(hashers.into_iter().map(|h| h.finish()).collect())
}

/// Reads a file that must be held whole to be signed or verified (Ed25519 signs the message,
/// not a digest), under [`limits::MAX_ED25519_MESSAGE`].
pub(crate) fn read_ed25519_message(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let cap = limits::MAX_ED25519_MESSAGE;
    if let Ok(m) = std::fs::metadata(path) {
        anyhow::ensure!(
            m.len() <= cap,
            "{what} {} has {} bytes, over the limit of {cap} bytes for Ed25519 keys, which sign \
             the whole file in memory (use an ECDSA or RSA key for larger files)",
            path.display(),
            m.len()
        );
    }
    read_capped(path, cap, what)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug)]
    struct Repeats(std::io::Error);
    impl std::fmt::Display for Repeats {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "reading the bundle: {}", self.0)
        }
    }
    impl std::error::Error for Repeats {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn report_names_each_cause_once() {
        let e = anyhow::Error::new(Repeats(std::io::Error::other("disk on fire")))
            .context("verifying x.sigstore");
        let line = report(&e, false);
        assert_eq!(
            line,
            "error: verifying x.sigstore: reading the bundle: disk on fire\n"
        );
        let chain = report(&e, true);
        assert_eq!(
            chain,
            "error: verifying x.sigstore\n  caused by: reading the bundle\n  caused by: disk on fire\n"
        );
        assert!(!chain.contains("backtrace"));
    }
}
