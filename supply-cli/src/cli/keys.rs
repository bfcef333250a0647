//! `generate-key-pair` and `public-key`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use supply_sig::crypto::Provider;
use supply_sig::key::encoding::{cosign, pem, AutoLoader, KeyLoader};
use supply_sig::key::{KeyAlgorithm, PrivateKey};

use super::{password_from_env, read_capped};

/// Key files are small; 64 KiB bounds any PEM or JSON key.
pub(crate) const MAX_KEY_FILE: u64 = supply_sig::limits::MAX_PEM_LEN as u64;

/// Key algorithms `generate-key-pair` can create.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Algo {
    /// ECDSA P-256 with SHA-256 (cosign's default).
    EcdsaP256,
    /// ECDSA P-384 with SHA-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
}

/// `supply generate-key-pair`.
#[derive(Debug, Args)]
pub struct GenerateKeyPair {
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, default_value = "cosign")]
    output_key_prefix: String,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    algorithm: Algo,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
}

impl GenerateKeyPair {
    pub(crate) fn run(&self, provider: &Provider) -> anyhow::Result<()> {
        let password = password_from_env()
            .context("set COSIGN_PASSWORD to the password for the new key (it may be empty)")?;
        let alg = match self.algorithm {
            Algo::EcdsaP256 => KeyAlgorithm::EcdsaP256,
            Algo::EcdsaP384 => KeyAlgorithm::EcdsaP384,
            Algo::Ed25519 => KeyAlgorithm::Ed25519,
        };
        let key = PrivateKey::generate(alg, provider).context("generating the key")?;
        let encrypted = cosign::encrypt(&key, &password, provider).context("encrypting the key")?;
        let public = pem::public_key_to_pem(key.public_key());
        let key_path = PathBuf::from(format!("{}.key", self.output_key_prefix));
        let pub_path = PathBuf::from(format!("{}.pub", self.output_key_prefix));
        for p in [&key_path, &pub_path] {
            anyhow::ensure!(
                self.force || !p.exists(),
                "{} already exists (use --force to overwrite)",
                p.display()
            );
        }
        write_private(&key_path, encrypted.as_bytes())?;
        std::fs::write(&pub_path, public)
            .with_context(|| format!("writing {}", pub_path.display()))?;
        eprintln!(
            "Private key written to {}\nPublic key written to {}",
            key_path.display(),
            pub_path.display()
        );
        Ok(())
    }
}

fn write_private(path: &std::path::Path, data: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(data)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// `supply public-key`.
#[derive(Debug, Args)]
pub struct PublicKeyCmd {
    /// A private key (cosign, PKCS#8, SEC1, PKCS#1; password from COSIGN_PASSWORD) or a public key.
    #[arg(long)]
    key: PathBuf,
    /// Write the PEM here instead of stdout.
    #[arg(long)]
    outfile: Option<PathBuf>,
}

impl PublicKeyCmd {
    pub(crate) fn run(&self) -> anyhow::Result<()> {
        let bytes = read_capped(&self.key, MAX_KEY_FILE, "key")?;
        let public = match AutoLoader.load_public(&bytes) {
            Ok(k) => k,
            Err(_) => {
                let password = password_from_env();
                AutoLoader
                    .load_private(&bytes, password.as_deref().map(|p| &p[..]))
                    .with_context(|| format!("loading key {}", self.key.display()))?
                    .public_key()
                    .clone()
            }
        };
        let text = pem::public_key_to_pem(&public);
        match &self.outfile {
            Some(p) => {
                std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?
            }
            None => print!("{text}"),
        }
        Ok(())
    }
}

/// Loads a private key for signing.
pub(crate) fn load_private(path: &std::path::Path) -> anyhow::Result<PrivateKey> {
    let bytes = read_capped(path, MAX_KEY_FILE, "key")?;
    let password = password_from_env();
    AutoLoader
        .load_private(&bytes, password.as_deref().map(|p| &p[..]))
        .with_context(|| format!("loading private key {}", path.display()))
}

/// Loads a public key for verification (a private key file is refused).
pub(crate) fn load_public(path: &std::path::Path) -> anyhow::Result<supply_sig::key::PublicKey> {
    let bytes = read_capped(path, MAX_KEY_FILE, "key")?;
    AutoLoader
        .load_public(&bytes)
        .with_context(|| format!("loading public key {}", path.display()))
}
