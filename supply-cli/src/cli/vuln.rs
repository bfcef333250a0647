//! `supply vuln`: vulnerability scanning against an offline OSV database.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use supply_sbom::format;
use supply_sbom::lockfile::{self, Kind};
use supply_sbom::osv::inventory::Inventory;
use supply_sbom::osv::report::Report;
use supply_sbom::osv::{vex, Database, Level, LoadOptions, PackageRef};
use supply_sbom::purl::Purl;

/// How deep `-r` includes of requirements files are followed (pip itself has no limit; a
/// loop is cut by remembering visited files, this caps chains).
const MAX_INCLUDE_DEPTH: usize = 16;

/// How many skipped packages of an SBOM are listed on standard error (the rest counted).
const MAX_SKIPPED_SHOWN: usize = 20;

/// The `vuln` verbs.
#[derive(Debug, Subcommand)]
pub enum VulnCmd {
    /// Match the packages of an SBOM, a lockfile, an OSV query file or purls given with
    /// `--purl` against an OSV database.
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
    /// An SBOM (SPDX 2 JSON/YAML/tag-value, SPDX 3 JSON-LD, CycloneDX JSON/XML; packages
    /// matched by their purls), a lockfile (Cargo.lock, package-lock.json, requirements*.txt,
    /// poetry.lock, go.sum) or an OSV query file (`{"package": {...}, "version": ...}` or
    /// `{"queries": [...]}`). Optional when `--purl` is given.
    #[arg(required_unless_present = "purl")]
    pub input: Option<PathBuf>,
    /// A package URL with a version (`pkg:cargo/net2@0.2.33`) to scan; repeatable.
    #[arg(long, value_name = "PURL")]
    pub purl: Vec<String>,
    /// The OSV database: a folder of records, an osv.dev zip, or a record file; repeatable.
    #[arg(long = "osv", required = true)]
    pub osv: Vec<PathBuf>,
    /// VEX documents (OpenVEX, CycloneDX JSON or XML with analysis, SPDX 3 with VEX relationships);
    /// repeatable, later ones win over earlier ones and over the SBOM's own.
    #[arg(long)]
    pub vex: Vec<PathBuf>,
    /// Do not apply the VEX statements an SBOM carries itself (CycloneDX `vulnerabilities[]`
    /// with `analysis`, SPDX 3 VEX relationships), which are applied by default.
    #[arg(long)]
    pub ignore_embedded_vex: bool,
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
        // The SBOM's own VEX statements come first, so that --vex documents win over them.
        let mut statements = Vec::new();
        let embedded = (!self.ignore_embedded_vex).then_some(&mut statements);
        let mut packages = match &self.input {
            Some(path) => read_input(path, embedded)?,
            None => Vec::new(),
        };
        let mut purls = Vec::new();
        for p in &self.purl {
            purls.push(Purl::parse(p).with_context(|| format!("--purl {p}"))?);
        }
        let given = Inventory::from_purls(&purls);
        if let Some(s) = given.skipped.first() {
            bail!("--purl {s}");
        }
        packages.extend(given.packages);
        packages.sort();
        packages.dedup();
        let mut db = Database::new();
        let opts = LoadOptions::default();
        let mut rejected = 0usize;
        for path in &self.osv {
            let spinner = tty_progress(None, &format!("loading {}", path.display()));
            let report = db
                .load_path(path, &opts)
                .with_context(|| format!("loading OSV database {}", path.display()));
            drop(spinner);
            let report = report?;
            for (name, e) in &report.rejected {
                eprintln!("warning: rejected {name}: {}", chain(e));
            }
            rejected += report.rejected.len();
        }
        if self.strict && rejected > 0 {
            bail!("{rejected} database file(s) are not valid OSV records");
        }
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
        let bar = tty_progress(Some(packages.len() as u64), "matching packages");
        let findings = packages
            .iter()
            .flat_map(|p| {
                if let Some(b) = &bar {
                    b.0.inc(1);
                }
                db.query(p)
            })
            .collect();
        drop(bar);
        let source = match &self.input {
            Some(p) => p.display().to_string(),
            None => "purls".to_owned(),
        };
        let report = Report::new(source, packages.len(), vex::apply(findings, &statements));
        match self.format {
            Format::Table => crate::out!("{}", report.to_table()),
            Format::Json => crate::outln!("{}", serde_json::to_string_pretty(&report.to_json())?),
            Format::Sarif => crate::outln!("{}", serde_json::to_string_pretty(&report.to_sarif())?),
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

/// Progress on standard error, drawn only when it is a terminal: a spinner (ticking from
/// indicatif's own thread while a database loads) or a bar of `len` steps. Cleared on drop.
struct TtyProgress(indicatif::ProgressBar);

impl Drop for TtyProgress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn tty_progress(len: Option<u64>, msg: &str) -> Option<TtyProgress> {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(len, indicatif::ProgressDrawTarget::stderr());
    let template = if len.is_some() {
        "{msg} [{bar:30}] {pos}/{len} {eta}"
    } else {
        "{spinner} {msg} {elapsed}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(msg.to_owned());
    if len.is_none() {
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    Some(TtyProgress(bar))
}

/// Adds the VEX statements an SBOM carries (read as a VEX document: CycloneDX analyses, SPDX 3
/// VEX relationships) to `statements`, saying so on standard error; what cannot be read
/// is a warning, since the SBOM itself was read.
fn embedded_vex(path: &Path, bytes: &[u8], statements: &mut Vec<vex::Statement>) {
    // A document that names no vulnerabilities carries no statements: it is not parsed a
    // second time (most SBOMs), nor warned about when large.
    let marks: [&[u8]; 2] = [b"vulnerabilities", b"VulnAssessmentRelationship"];
    if !marks
        .iter()
        .any(|m| bytes.windows(m.len()).any(|w| w == *m))
    {
        return;
    }
    if bytes.len() > supply_sbom::limits::MAX_VEX_LEN {
        eprintln!(
            "warning: the VEX statements of {} are not applied: the SBOM is over the {} byte VEX limit",
            path.display(),
            supply_sbom::limits::MAX_VEX_LEN
        );
        return;
    }
    match vex::parse(bytes) {
        Ok(found) if !found.is_empty() => {
            eprintln!(
                "note: applying {} VEX statement(s) carried by {} (--ignore-embedded-vex to not)",
                found.len(),
                path.display()
            );
            statements.extend(found);
        }
        // Not a format that carries VEX (SPDX 2), or none in it.
        Ok(_) | Err(vex::Error::UnknownFormat | vex::Error::Json(_)) => {}
        Err(e) => eprintln!(
            "warning: the VEX statements of {} are not applied: {}",
            path.display(),
            chain(&e)
        ),
    }
}

/// The packages of a lockfile (following `-r` includes of requirements files), of an OSV
/// query file, or of an SBOM (by purl; packages without a usable purl are listed on standard
/// error and skipped). With `embedded`, an SBOM's own VEX statements are added to it.
fn read_input(
    path: &Path,
    embedded: Option<&mut Vec<vex::Statement>>,
) -> anyhow::Result<Vec<PackageRef>> {
    let Some(kind) = Kind::from_file_name(path) else {
        let bytes = super::read_capped(path, supply_sbom::limits::MAX_SBOM_LEN as u64, "input")?;
        let doc = match format::read(&bytes) {
            Ok(doc) => doc,
            // Not an SBOM: an OSV query file, or nothing we read.
            Err(format::Error::Unrecognized) if is_query_file(&bytes) => {
                return queries(&bytes)
                    .with_context(|| format!("reading OSV query file {}", path.display()));
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "{}: not a known lockfile name (Cargo.lock, package-lock.json, requirements*.txt, poetry.lock, go.sum), an OSV query file nor a readable SBOM",
                    path.display()
                )))
            }
        };
        if let Some(statements) = embedded {
            embedded_vex(path, &bytes, statements);
        }
        let inv = Inventory::from_sbom(&doc.sbom);
        if !inv.skipped.is_empty() {
            eprintln!(
                "note: {} package(s) of {} not scanned:",
                inv.skipped.len(),
                path.display()
            );
            for s in inv.skipped.iter().take(MAX_SKIPPED_SHOWN) {
                eprintln!("  {s}");
            }
            if inv.skipped.len() > MAX_SKIPPED_SHOWN {
                eprintln!("  ... and {} more", inv.skipped.len() - MAX_SKIPPED_SHOWN);
            }
        }
        return Ok(inv.packages);
    };
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

/// Whether `bytes` are an OSV API query (a JSON object with `queries` or `package`).
fn is_query_file(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("queries") || o.contains_key("package"))
        })
        .unwrap_or(false)
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
