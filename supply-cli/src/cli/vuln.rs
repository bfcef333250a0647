//! `supply vuln`: vulnerability scanning against an offline OSV database.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use supply_sbom::lockfile::{self, Kind};
use supply_sbom::osv::report::Report;
use supply_sbom::osv::{vex, Database, Level, LoadOptions, PackageRef};

/// How deep `-r` includes of requirements files are followed (pip itself has no limit; a
/// loop is cut by remembering visited files, this caps chains).
const MAX_INCLUDE_DEPTH: usize = 16;

/// Largest OSV query file read: 16 MiB.
const MAX_QUERY_FILE_LEN: u64 = 16 * 1024 * 1024;

/// The `vuln` verbs.
#[derive(Debug, Subcommand)]
pub enum VulnCmd {
    /// Match a lockfile's (or an OSV query file's) packages against an OSV database.
    Scan(Scan),
}

impl VulnCmd {
    /// Runs the verb.
    pub fn run(&self) -> anyhow::Result<()> {
        match self {
            Self::Scan(s) => s.run(),
        }
    }
}

/// Output formats of `vuln scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A text table.
    Table,
    /// JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// A severity threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Severity {
    /// Every finding.
    None,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Self {
        match s {
            Severity::None => Self::None,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        }
    }
}

/// `supply vuln scan INPUT --osv DIR`.
#[derive(Debug, Args)]
pub struct Scan {
    /// A lockfile (Cargo.lock, package-lock.json, requirements*.txt, poetry.lock, go.sum) or
    /// an OSV query file (`{"package": {...}, "version": ...}` or `{"queries": [...]}`).
    pub input: PathBuf,
    /// The OSV database: a folder of records, an osv.dev zip, or a record file; repeatable.
    #[arg(long = "osv", required = true)]
    pub osv: Vec<PathBuf>,
    /// VEX documents (OpenVEX or CycloneDX with analysis); repeatable, later ones win.
    #[arg(long)]
    pub vex: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit non-zero when an unsuppressed finding is at or above this severity (findings
    /// without a known severity always count).
    #[arg(long, value_enum, default_value = "none")]
    pub fail_on: Severity,
    /// Fail when a database file is not a valid OSV record (by default they are skipped
    /// with a warning).
    #[arg(long)]
    pub strict: bool,
}

impl Scan {
    /// Runs the scan; prints the report on standard output.
    pub fn run(&self) -> anyhow::Result<()> {
        let packages = read_input(&self.input)?;
        let mut db = Database::new();
        let opts = LoadOptions::default();
        let mut rejected = 0usize;
        for path in &self.osv {
            let report = db
                .load_path(path, &opts)
                .with_context(|| format!("loading OSV database {}", path.display()))?;
            for (name, e) in &report.rejected {
                eprintln!("warning: rejected {name}: {}", chain(e));
            }
            rejected += report.rejected.len();
        }
        if self.strict && rejected > 0 {
            bail!("{rejected} database file(s) are not valid OSV records");
        }
        let mut statements = Vec::new();
        for path in &self.vex {
            let bytes = super::read_capped(
                path,
                supply_sbom::limits::MAX_VEX_LEN as u64,
                "VEX document",
            )?;
            statements.extend(
                vex::parse(&bytes)
                    .with_context(|| format!("reading VEX document {}", path.display()))?,
            );
        }
        let findings = packages.iter().flat_map(|p| db.query(p)).collect();
        let report = Report::new(
            self.input.display().to_string(),
            packages.len(),
            vex::apply(findings, &statements),
        );
        match self.format {
            Format::Table => print!("{}", report.to_table()),
            Format::Json => println!("{}", serde_json::to_string_pretty(&report.to_json())?),
            Format::Sarif => println!("{}", serde_json::to_string_pretty(&report.to_sarif())?),
        }
        let failing = report.failing(self.fail_on.into()).count();
        if failing > 0 {
            bail!(
                "{failing} unsuppressed finding(s) at or above {} severity",
                Level::from(self.fail_on)
            );
        }
        Ok(())
    }
}

/// The packages of a lockfile (following `-r` includes of requirements files) or of an OSV
/// query file.
fn read_input(path: &Path) -> anyhow::Result<Vec<PackageRef>> {
    if path.extension().is_some_and(|x| x == "json")
        && Kind::from_file_name(path) != Some(Kind::PackageLock)
    {
        let bytes = super::read_capped(path, MAX_QUERY_FILE_LEN, "OSV query file")?;
        return queries(&bytes)
            .with_context(|| format!("reading OSV query file {}", path.display()));
    }
    let kind = Kind::from_file_name(path).with_context(|| {
        format!(
            "{}: not a known lockfile name (Cargo.lock, package-lock.json, requirements*.txt, poetry.lock, go.sum)",
            path.display()
        )
    })?;
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut todo = vec![(path.to_path_buf(), 0usize)];
    while let Some((p, depth)) = todo.pop() {
        let canon = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.contains(&canon) {
            continue;
        }
        seen.push(canon);
        let bytes =
            super::read_capped(&p, supply_sbom::limits::MAX_LOCKFILE_LEN as u64, "lockfile")?;
        let lock = lockfile::parse(kind, &bytes)
            .with_context(|| format!("reading lockfile {}", p.display()))?;
        out.extend(lock.packages);
        if depth >= MAX_INCLUDE_DEPTH && !lock.includes.is_empty() {
            bail!(
                "{}: requirements includes nested deeper than {MAX_INCLUDE_DEPTH}",
                p.display()
            );
        }
        let base = p.parent().unwrap_or(Path::new("."));
        for inc in lock.includes {
            todo.push((base.join(inc), depth + 1));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// OSV API query JSON: one `{"package": {"ecosystem", "name"}, "version"}` or
/// `{"queries": [...]}`.
fn queries(bytes: &[u8]) -> anyhow::Result<Vec<PackageRef>> {
    let v: serde_json::Value = serde_json::from_slice(bytes)?;
    let list: Vec<&serde_json::Value> = match v.get("queries").and_then(|q| q.as_array()) {
        Some(a) => a.iter().collect(),
        None => vec![&v],
    };
    let mut out = Vec::new();
    for (i, q) in list.into_iter().enumerate() {
        let field =
            |o: &serde_json::Value, k: &str| o.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let pkg = q
            .get("package")
            .with_context(|| format!("query {i}: no package"))?;
        let (Some(eco), Some(name)) = (field(pkg, "ecosystem"), field(pkg, "name")) else {
            bail!(
                "query {i}: package needs ecosystem and name (purl-only queries are not read yet)"
            );
        };
        let version = field(q, "version").with_context(|| format!("query {i}: no version"))?;
        out.push(PackageRef::new(&eco, &name, &version));
    }
    Ok(out)
}

/// An error and its causes on one line (each `Display` names only its own level).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}
