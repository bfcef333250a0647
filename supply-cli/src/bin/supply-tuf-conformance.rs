//! The TUF conformance suite's client CLI (theupdateframework/tuf-conformance), on supply-tuf:
//!
//! ```text
//! supply-tuf-conformance --metadata-dir DIR init ROOT_FILE
//! supply-tuf-conformance --metadata-url URL --metadata-dir DIR refresh
//! supply-tuf-conformance --metadata-url URL --metadata-dir DIR --target-name P [--target-name P2 ...] \
//!     --target-dir DIR --target-base-url URL download
//! ```
//!
//! Global options come before the subcommand; the exit status is 0 on success and 1 otherwise.
//! Verified metadata is stored in the metadata dir under non-versioned names (`root.json`,
//! `<percent-encoded role>.json`); targets in the target dir under their percent-encoded path.
//! The reference time is the system clock (`SystemTime::now`, so libfaketime applies).
//!
//! Running the suite (a checkout of tuf-conformance outside this repository, with a venv holding
//! its `pyproject.toml` dependencies and `faketime` installed):
//!
//! ```text
//! cargo build -p supply-cli --bin supply-tuf-conformance
//! pytest tuf_conformance --entrypoint "$CARGO_TARGET_DIR/debug/supply-tuf-conformance"
//! ```
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use supply_tuf::client::{http, local, Config, Updater};
use supply_tuf::time::Timestamp;

/// The TUF conformance client.
#[derive(Debug, Parser)]
#[command(name = "supply-tuf-conformance", version, about)]
struct Cli {
    /// The metadata base URL.
    #[arg(long)]
    metadata_url: Option<String>,
    /// The local metadata directory.
    #[arg(long)]
    metadata_dir: PathBuf,
    /// A target to download (repeatable).
    #[arg(long = "target-name")]
    target_names: Vec<String>,
    /// Where downloaded targets go.
    #[arg(long)]
    target_dir: Option<PathBuf>,
    /// The targets base URL.
    #[arg(long)]
    target_base_url: Option<String>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Initialize the metadata dir with a trusted root.
    Init {
        /// The trusted root metadata file.
        root_file: PathBuf,
    },
    /// Refresh top-level metadata.
    Refresh,
    /// Refresh, then download every --target-name into --target-dir.
    Download,
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

fn load_updater(metadata_dir: &Path) -> anyhow::Result<Updater> {
    let root = local::read_bounded(
        &metadata_dir.join("root.json"),
        supply_tuf::limits::MAX_ROOT_LEN,
    )?
    .context("no root.json in the metadata dir (run init first)")?;
    Ok(Updater::new(&root, now(), Config::default())?)
}

fn init(metadata_dir: &Path, root_file: &Path) -> anyhow::Result<()> {
    let root = local::read_bounded(root_file, supply_tuf::limits::MAX_ROOT_LEN)?
        .with_context(|| format!("{} not found", root_file.display()))?;
    // Only a root signed by a threshold of its own keys is worth trusting.
    Updater::new(&root, now(), Config::default())?;
    std::fs::create_dir_all(metadata_dir)?;
    local::write_atomic(&metadata_dir.join("root.json"), &root)?;
    Ok(())
}

async fn refresh(cli: &Cli, targets_base: &str) -> anyhow::Result<(Updater, http::HttpTransport)> {
    let Some(url) = &cli.metadata_url else {
        bail!("--metadata-url is required");
    };
    let mut updater = load_updater(&cli.metadata_dir)?;
    let mut transport = http::HttpTransport::new(url, targets_base)?;
    let mut store = local::FsStore::new(&cli.metadata_dir);
    http::refresh(&mut updater, &mut transport, &mut store).await?;
    Ok((updater, transport))
}

async fn download(cli: &Cli) -> anyhow::Result<()> {
    let (Some(target_dir), Some(base)) = (&cli.target_dir, &cli.target_base_url) else {
        bail!("--target-dir and --target-base-url are required");
    };
    let (mut updater, mut transport) = refresh(cli, base).await?;
    let mut store = local::FsStore::new(&cli.metadata_dir);
    std::fs::create_dir_all(target_dir)?;
    for name in &cli.target_names {
        let info = http::lookup(&mut updater, name, &mut transport, &mut store)
            .await?
            .with_context(|| format!("target {name:?} not found"))?;
        if local::cached_target(target_dir, &info)?.is_some() {
            continue;
        }
        // Streamed to a temporary file and renamed once length and hashes match.
        let dest = local::target_file_path(target_dir, info.path());
        http::fetch_target_to(&updater, &info, &mut transport, &dest).await?;
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Cmd::Init { root_file } => init(&cli.metadata_dir, root_file),
        Cmd::Refresh => {
            let base = cli.metadata_url.clone().unwrap_or_default();
            refresh(&cli, &base).await.map(|_| ())
        }
        Cmd::Download => download(&cli).await,
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let help = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            let _ = e.print();
            return if help {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
