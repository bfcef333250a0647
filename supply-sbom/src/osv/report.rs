//! A scan report — findings per package with severities and VEX decisions — and its
//! renderings: a text table, JSON, and SARIF 2.1.0 (for code-scanning dashboards).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use super::cvss::Level;
use super::ecosystem::PackageRef;
use super::vex::Assessed;

/// The result of scanning a set of packages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// What was scanned (a lockfile path), for the renderings.
    pub source: String,
    /// How many packages were scanned.
    pub scanned: usize,
    /// Findings, grouped by package (packages in order, findings by id).
    pub packages: BTreeMap<PackageRef, Vec<Assessed>>,
}

impl Report {
    /// A report over `scanned` packages of `source` with these findings.
    #[must_use]
    pub fn new(source: impl Into<String>, scanned: usize, findings: Vec<Assessed>) -> Self {
        let mut packages: BTreeMap<PackageRef, Vec<Assessed>> = BTreeMap::new();
        for a in findings {
            packages
                .entry(a.finding.package.clone())
                .or_default()
                .push(a);
        }
        for v in packages.values_mut() {
            v.sort_by(|a, b| a.finding.ids.cmp(&b.finding.ids));
        }
        Self {
            source: source.into(),
            scanned,
            packages,
        }
    }

    /// Every finding, package by package.
    pub fn findings(&self) -> impl Iterator<Item = &Assessed> {
        self.packages.values().flatten()
    }

    /// Findings no VEX statement suppresses whose severity is at least `min` — or unknown:
    /// a finding without a severity counts (fail closed).
    pub fn failing(&self, min: Level) -> impl Iterator<Item = &Assessed> {
        self.findings()
            .filter(move |a| !a.is_suppressed() && a.finding.level.is_none_or(|l| l >= min))
    }

    /// A fixed-width text table, one line per finding.
    #[must_use]
    pub fn to_table(&self) -> String {
        let mut rows: Vec<[String; 6]> = vec![[
            "PACKAGE".into(),
            "VERSION".into(),
            "ECOSYSTEM".into(),
            "ID".into(),
            "SEVERITY".into(),
            "STATUS".into(),
        ]];
        for a in self.findings() {
            let f = &a.finding;
            let status = match &a.statement {
                Some(s) if s.state.suppresses() => format!("suppressed ({})", s.state.as_str()),
                Some(s) => s.state.as_str().to_owned(),
                None => "open".into(),
            };
            let mut id = f.ids.join(", ");
            if !f.aliases.is_empty() {
                let _ = write!(id, " ({})", f.aliases.join(", "));
            }
            rows.push([
                f.package.name.clone(),
                f.package.version.clone(),
                f.package.ecosystem.to_string(),
                id,
                f.level.map_or_else(|| "unknown".into(), |l| l.to_string()),
                status,
            ]);
        }
        let mut widths = [0usize; 6];
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        let total = self.findings().count();
        let suppressed = self.findings().filter(|a| a.is_suppressed()).count();
        let _ = writeln!(
            out,
            "{total} finding(s) in {} of {} package(s), {suppressed} suppressed by VEX",
            self.packages.len(),
            self.scanned
        );
        out
    }

    /// The report as JSON.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let results: Vec<Value> = self
            .packages
            .iter()
            .map(|(p, findings)| {
                json!({
                    "package": {"ecosystem": p.ecosystem.as_str(), "name": p.name, "version": p.version},
                    "vulnerabilities": findings.iter().map(|a| {
                        let f = &a.finding;
                        json!({
                            "ids": f.ids,
                            "aliases": f.aliases,
                            "summary": f.summary,
                            "severity": f.level.map(|l| l.to_string()),
                            "scores": f.scores.iter().filter_map(|s| match s {
                                super::Score::Cvss(c) => Some(json!({
                                    "vector": c.to_string(),
                                    "base_score": c.base_score_tenths.map(|t| f64::from(t) / 10.0),
                                })),
                                _ => None,
                            }).collect::<Vec<_>>(),
                            "informational": f.informational,
                            "suppressed": a.is_suppressed(),
                            "vex": a.statement.as_ref().map(|s| json!({
                                "status": s.state.as_str(),
                                "justification": s.justification,
                                "detail": s.detail,
                                "source": s.source,
                            })),
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "source": self.source,
            "packages_scanned": self.scanned,
            "results": results,
        })
    }

    /// The report as a SARIF 2.1.0 log: one rule per vulnerability, one result per
    /// (package, vulnerability), located at the scanned file; VEX-suppressed findings carry
    /// a `suppressions` entry (kind `external`) with the statement's justification.
    #[must_use]
    pub fn to_sarif(&self) -> Value {
        let mut rules: BTreeMap<String, Value> = BTreeMap::new();
        let mut results = Vec::new();
        for a in self.findings() {
            let f = &a.finding;
            let id = f.id().to_owned();
            let level = match f.level {
                Some(Level::Critical | Level::High) | None => "error",
                Some(Level::Medium) => "warning",
                Some(Level::Low | Level::None) => "note",
            };
            rules.entry(id.clone()).or_insert_with(|| {
                json!({
                    "id": id,
                    "shortDescription": {"text": f.summary.clone().unwrap_or_else(|| id.clone())},
                    "helpUri": format!("https://osv.dev/vulnerability/{id}"),
                    "properties": {"aliases": f.aliases, "security-severity": f.scores.iter().find_map(|s| match s {
                        super::Score::Cvss(c) => c.base_score_tenths.map(|t| format!("{:.1}", f64::from(t) / 10.0)),
                        _ => None,
                    })},
                })
            });
            let mut result = json!({
                "ruleId": id,
                "level": level,
                "message": {"text": format!(
                    "{} {} ({}) is affected by {}{}",
                    f.package.name, f.package.version, f.package.ecosystem, f.ids.join(", "),
                    if f.aliases.is_empty() { String::new() } else { format!(" (aliases: {})", f.aliases.join(", ")) },
                )},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": self.source}}}],
            });
            if let Some(s) = a.statement.as_ref().filter(|s| s.state.suppresses()) {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": s.justification.clone().or_else(|| s.detail.clone()).unwrap_or_else(|| s.state.as_str().to_owned()),
                }]);
            }
            results.push(result);
        }
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "supply",
                    "informationUri": "https://github.com/supply-rs/supply",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.into_values().collect::<Vec<_>>(),
                }},
                "results": results,
            }],
        })
    }
}
