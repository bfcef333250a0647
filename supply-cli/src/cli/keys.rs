//! `generate-key-pair` and `public-key`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use supply_sig::crypto::Provider;
use supply_sig::key::encoding::{cosign, pem, AutoLoader, KeyLoader};
use supply_sig::key::{KeyAlgorithm, PrivateKey};

use super::output::{Mode, Output, Plan};
use super::{password_from_env, read_capped};

pub(crate) use super::limits::MAX_KEY_FILE;

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
    /// Write PREFIX.key (mode 0600) and PREFIX.pub.
    #[arg(long, default_value = "cosign")]
    output_key_prefix: OsString,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    algorithm: Algo,
    /// Replace existing files (each is written beside the old one and renamed over it; both or
    /// neither are replaced).
    #[arg(long)]
    force: bool,
}

/// `PREFIX` + `ext`, for prefixes that are not UTF-8 too.
fn with_suffix(prefix: &OsStr, ext: &str) -> PathBuf {
    let mut s = prefix.to_os_string();
    s.push(ext);
    PathBuf::from(s)
}

impl GenerateKeyPair {
    pub(crate) fn run(&self, provider: &Provider) -> anyhow::Result<()> {
        let key_path = with_suffix(&self.output_key_prefix, ".key");
        let pub_path = with_suffix(&self.output_key_prefix, ".pub");
        let plan = Plan::new(self.force)
            .replacing_keys()
            .output(Some(&key_path))
            .output(Some(&pub_path));
        // Refused before the (slow, scrypt) encryption, and checked again when writing.
        plan.check()?;
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
        plan.write(&[
            Output {
                path: &key_path,
                data: encrypted.as_bytes(),
                mode: Mode::Private,
            },
            Output {
                path: &pub_path,
                data: public.as_bytes(),
                mode: Mode::Public,
            },
        ])?;
        eprintln!(
            "Private key written to {}\nPublic key written to {}",
            key_path.display(),
            pub_path.display()
        );
        Ok(())
    }
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
    /// Replace an existing --outfile (never the key itself, nor another private key).
    #[arg(long)]
    force: bool,
}

impl PublicKeyCmd {
    pub(crate) fn run(&self) -> anyhow::Result<()> {
        let plan = Plan::new(self.force)
            .input(&self.key)
            .output(self.outfile.as_deref());
        plan.check()?;
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
            Some(path) => plan.write(&[Output {
                path,
                data: text.as_bytes(),
                mode: Mode::Public,
            }])?,
            None => crate::out!("{text}"),
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
