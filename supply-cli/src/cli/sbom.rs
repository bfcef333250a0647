//! `supply sbom`: convert between SBOM formats, validate, check a license and package policy,
//! and explain why a package is in the dependency graph. Every decision is supply-sbom's; this
//! module reads files and prints.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use supply_sbom::format::{self, Document, OutputFormat};
use supply_sbom::graph::Graph;
use supply_sbom::license::policy::{FindingKind, Policy};
use supply_sbom::purl::Purl;

use super::read_capped;

/// Largest policy file read: 1 MiB (a policy is a few lists of ids and rules).
const MAX_POLICY_LEN: u64 = 1024 * 1024;

/// The `sbom` verbs.
#[derive(Debug, Subcommand)]
pub enum SbomCmd {
    /// Convert an SBOM (format detected) to another format, written to standard output.
    Convert(Convert),
    /// Validate an SBOM against its format's schema and spec rules; lists every issue.
    Validate(FileArg),
    /// Check an SBOM's licenses and packages against a policy (JSON: deny, allow,
    /// denyFamilies, blocked, failOnUnknown).
    Check(Check),
    /// The dependency graph: why a package is there (paths from the root) and what depends on it.
    Graph(GraphCmd),
    /// Generate an SBOM of a lockfile, a root filesystem directory or an OCI image layout
    /// (`oci:DIR[:TAG]`), written to standard output.
    Generate(super::sbom_generate::Generate),
}

/// One SBOM file.
#[derive(Debug, Args)]
pub struct FileArg {
    /// The SBOM (SPDX 2 JSON/YAML/tag-value, SPDX 3 JSON-LD, CycloneDX JSON/XML).
    file: PathBuf,
}

/// `supply sbom convert`.
#[derive(Debug, Args)]
pub struct Convert {
    /// The SBOM to convert.
    file: PathBuf,
    /// Output format: spdx-json, spdx-tag-value, spdx3-jsonld, cyclonedx-json, cyclonedx-xml.
    #[arg(short = 'o', long = "output-format", value_name = "FORMAT")]
    format: OutputFormat,
    /// Fail (exit 1, nothing written) when anything would be lost in the conversion. Without
    /// it, losses are listed on standard error and the document is written.
    #[arg(long)]
    no_loss: bool,
}

/// `supply sbom check`.
#[derive(Debug, Args)]
pub struct Check {
    /// The policy file (JSON).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The SBOM to check.
    file: PathBuf,
}

/// `supply sbom graph`.
#[derive(Debug, Args)]
pub struct GraphCmd {
    /// The package to explain, by purl (without version: every version).
    #[arg(long, value_name = "PURL")]
    why: String,
    /// The SBOM.
    file: PathBuf,
    /// At most this many paths per package.
    #[arg(long, default_value_t = 10)]
    max_paths: usize,
}

fn load(path: &Path) -> anyhow::Result<Document> {
    let bytes = read_capped(path, supply_sbom::limits::MAX_SBOM_LEN as u64, "SBOM")?;
    format::read(&bytes).with_context(|| format!("reading SBOM {}", path.display()))
}

impl SbomCmd {
    /// Runs the verb.
    pub fn run(&self) -> anyhow::Result<()> {
        match self {
            Self::Generate(g) => g.run(),
            Self::Convert(c) => {
                let bytes = read_capped(&c.file, supply_sbom::limits::MAX_SBOM_LEN as u64, "SBOM")?;
                let conv = supply_sbom::convert::convert(&bytes, c.format)
                    .with_context(|| format!("reading SBOM {}", c.file.display()))?;
                for loss in &conv.losses {
                    eprintln!("supply: {}: {loss}", c.file.display());
                }
                if c.no_loss && !conv.losses.is_empty() {
                    anyhow::bail!(
                        "{} kind(s) of information would be lost converting to {} (--no-loss)",
                        conv.losses.len(),
                        c.format
                    );
                }
                std::io::stdout()
                    .write_all(&conv.output)
                    .context("writing to standard output")?;
                Ok(())
            }
            Self::Validate(f) => {
                let doc = load(&f.file)?;
                if doc.report.is_valid() {
                    let s = &doc.sbom;
                    // Services and vulnerabilities only where there are some (an
                    // infrastructure BOM, a VDR or VEX).
                    let mut more = String::new();
                    for (n, what) in [
                        (s.services.len(), "services"),
                        (s.vulnerabilities.len(), "vulnerabilities"),
                    ] {
                        if n > 0 {
                            more.push_str(&format!(", {n} {what}"));
                        }
                    }
                    crate::outln!(
                        "{}: valid {:?}, {} packages, {} files, {} relationships{more}",
                        f.file.display(),
                        doc.format,
                        s.packages.len(),
                        s.files.len(),
                        s.relationships.len()
                    );
                    return Ok(());
                }
                for issue in doc.report.issues() {
                    crate::outln!("{issue}");
                }
                anyhow::bail!(
                    "{} is not a valid {:?} document ({} issues)",
                    f.file.display(),
                    doc.format,
                    doc.report.issues().len()
                )
            }
            Self::Check(c) => {
                let policy_bytes = read_capped(&c.policy, MAX_POLICY_LEN, "policy")?;
                let policy = Policy::from_json(&policy_bytes)
                    .with_context(|| format!("reading policy {}", c.policy.display()))?;
                let doc = load(&c.file)?;
                let findings = policy.check_sbom(&doc.sbom);
                let mut violations = 0;
                for f in &findings {
                    let review = matches!(f.kind, FindingKind::LicenseReview { .. });
                    if !review {
                        violations += 1;
                    }
                    crate::outln!("{}{f}", if review { "review: " } else { "" });
                }
                if violations > 0 {
                    anyhow::bail!(
                        "{} of {} packages break the policy ({violations} findings)",
                        findings
                            .iter()
                            .filter(|f| !matches!(f.kind, FindingKind::LicenseReview { .. }))
                            .map(|f| &f.package)
                            .collect::<std::collections::HashSet<_>>()
                            .len(),
                        doc.sbom.packages.len()
                    );
                }
                crate::outln!("{} packages pass the policy", doc.sbom.packages.len());
                Ok(())
            }
            Self::Graph(g) => {
                let purl: Purl = g.why.parse().context("parsing --why")?;
                let doc = load(&g.file)?;
                let graph = Graph::new(&doc.sbom);
                let found = graph.find_purl(&purl);
                if found.is_empty() {
                    anyhow::bail!("no package in {} matches {purl}", g.file.display());
                }
                let label = |id: &str| match doc.sbom.package(id) {
                    Some(p) => match &p.version {
                        Some(v) => format!("{}@{v}", p.name),
                        None => p.name.clone(),
                    },
                    None => id.to_string(),
                };
                for id in found {
                    let direct = if graph.is_direct(id) {
                        "direct"
                    } else {
                        "transitive"
                    };
                    crate::outln!("{} ({direct})", label(id));
                    let paths = graph.why(id, g.max_paths);
                    if paths.is_empty() {
                        crate::outln!("  no path from a root");
                    }
                    for p in paths {
                        crate::outln!(
                            "  {}",
                            p.iter().map(|i| label(i)).collect::<Vec<_>>().join(" -> ")
                        );
                    }
                    let deps = graph.all_dependents(id);
                    crate::outln!("  depended on by {} packages", deps.len());
                }
                Ok(())
            }
        }
    }
}
