//! CVSS vectors as OSV `severity[].score` carries them: v3.0/v3.1 (with the base score
//! computed by the specification's formula, FIRST CVSS v3.1 §7.1 and Appendix A), v4.0
//! (parsed and checked; its score needs FIRST's MacroVector table and is not computed here)
//! and v2 (base score, CVSS v2 guide §3.2.1).

use std::fmt;

/// A qualitative severity, ordered (`None < Low < Medium < High < Critical`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Level {
    /// Score 0.0 (or a source's "negligible").
    None,
    /// 0.1–3.9.
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9.
    High,
    /// 9.0–10.0.
    Critical,
}

impl Level {
    /// The CVSS v3/v4 qualitative rating of a score in tenths (`98` = 9.8).
    #[must_use]
    pub fn from_tenths(t: u8) -> Self {
        match t {
            0 => Self::None,
            1..=39 => Self::Low,
            40..=69 => Self::Medium,
            70..=89 => Self::High,
            _ => Self::Critical,
        }
    }

    /// Reads a level name, case-insensitively: `low`, `moderate`/`medium`, `high`,
    /// `critical`, `none`/`negligible` (GHSA and Ubuntu spellings).
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "none" | "negligible" | "unimportant" => Self::None,
            "low" => Self::Low,
            "medium" | "moderate" => Self::Medium,
            "high" => Self::High,
            "critical" => Self::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        })
    }
}

/// Why a CVSS vector was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The prefix is not `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/` (or no v2 metric).
    #[error("unknown CVSS version prefix")]
    Prefix,
    /// A `metric:value` pair is malformed, unknown or repeated.
    #[error("bad CVSS metric {metric:?}")]
    Metric {
        /// The offending pair.
        metric: String,
    },
    /// A mandatory base metric is missing.
    #[error("missing CVSS base metric {0}")]
    Missing(&'static str),
}

/// A parsed CVSS vector: its version, its metrics in order and, where computed, the base
/// score in tenths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cvss {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: CvssVersion,
    /// The metrics in vector order, `(name, value)`.
    pub metrics: Vec<(String, String)>,
    /// The base score in tenths of a point (`98` = 9.8), when computed (v2 and v3.x).
    pub base_score_tenths: Option<u8>,
}

/// A CVSS version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CvssVersion {
    /// CVSS v2.
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4_0,
}

const V3_METRICS: &[(&str, &str, bool)] = &[
    ("AV", "NALP", true),
    ("AC", "LH", true),
    ("PR", "NLH", true),
    ("UI", "NR", true),
    ("S", "UC", true),
    ("C", "NLH", true),
    ("I", "NLH", true),
    ("A", "NLH", true),
    ("E", "XUPFH", false),
    ("RL", "XOTWU", false),
    ("RC", "XURC", false),
    ("CR", "XLMH", false),
    ("IR", "XLMH", false),
    ("AR", "XLMH", false),
    ("MAV", "XNALP", false),
    ("MAC", "XLH", false),
    ("MPR", "XNLH", false),
    ("MUI", "XNR", false),
    ("MS", "XUC", false),
    ("MC", "XNLH", false),
    ("MI", "XNLH", false),
    ("MA", "XNLH", false),
];

const V4_METRICS: &[(&str, &str, bool)] = &[
    ("AV", "NALP", true),
    ("AC", "LH", true),
    ("AT", "NP", true),
    ("PR", "NLH", true),
    ("UI", "NPA", true),
    ("VC", "HLN", true),
    ("VI", "HLN", true),
    ("VA", "HLN", true),
    ("SC", "HLN", true),
    ("SI", "HLN", true),
    ("SA", "HLN", true),
    ("E", "XAPU", false),
    ("CR", "XHML", false),
    ("IR", "XHML", false),
    ("AR", "XHML", false),
    ("MAV", "XNALP", false),
    ("MAC", "XLH", false),
    ("MAT", "XNP", false),
    ("MPR", "XNLH", false),
    ("MUI", "XNPA", false),
    ("MVC", "XNLH", false),
    ("MVI", "XNLH", false),
    ("MVA", "XNLH", false),
    ("MSC", "XNLH", false),
    ("MSI", "XNLHS", false),
    ("MSA", "XNLHS", false),
    ("S", "XNP", false),
    ("AU", "XNY", false),
    ("R", "XAUI", false),
    ("V", "XDC", false),
    ("RE", "XLMH", false),
    ("U", "XClearGreenAmberRed", false),
];

const V2_METRICS: &[(&str, &[&str], bool)] = &[
    ("AV", &["L", "A", "N"], true),
    ("AC", &["H", "M", "L"], true),
    ("Au", &["M", "S", "N"], true),
    ("C", &["N", "P", "C"], true),
    ("I", &["N", "P", "C"], true),
    ("A", &["N", "P", "C"], true),
    ("E", &["U", "POC", "F", "H", "ND"], false),
    ("RL", &["OF", "TF", "W", "U", "ND"], false),
    ("RC", &["UC", "UR", "C", "ND"], false),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"], false),
    ("TD", &["N", "L", "M", "H", "ND"], false),
    ("CR", &["L", "M", "H", "ND"], false),
    ("IR", &["L", "M", "H", "ND"], false),
    ("AR", &["L", "M", "H", "ND"], false),
];

/// Longest vector accepted: 512 bytes (a full v4.0 vector with every metric is about 250).
const MAX_VECTOR_LEN: usize = 512;

fn split_metrics(
    body: &str,
    allowed: impl Fn(&str, &str) -> Option<bool>,
) -> Result<Vec<(String, String)>, Error> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in body.split('/') {
        let bad = || Error::Metric {
            metric: pair.chars().take(32).collect(),
        };
        let (k, v) = pair.split_once(':').ok_or_else(bad)?;
        if allowed(k, v).is_none() || out.iter().any(|(m, _)| m == k) {
            return Err(bad());
        }
        out.push((k.to_owned(), v.to_owned()));
    }
    Ok(out)
}

impl Cvss {
    /// Parses a CVSS v2, v3.0, v3.1 or v4.0 vector string.
    ///
    /// # Errors
    /// [`Error::Prefix`] for another version, [`Error::Metric`] for an unknown, malformed or
    /// repeated metric, [`Error::Missing`] when a base metric is absent.
    pub fn parse(s: &str) -> Result<Self, Error> {
        if s.len() > MAX_VECTOR_LEN {
            return Err(Error::Prefix);
        }
        let (version, body) = if let Some(b) = s.strip_prefix("CVSS:3.1/") {
            (CvssVersion::V3_1, b)
        } else if let Some(b) = s.strip_prefix("CVSS:3.0/") {
            (CvssVersion::V3_0, b)
        } else if let Some(b) = s.strip_prefix("CVSS:4.0/") {
            (CvssVersion::V4_0, b)
        } else if s.starts_with("AV:") || s.starts_with("(AV:") {
            let b = s.trim_start_matches('(').trim_end_matches(')');
            (CvssVersion::V2, b)
        } else {
            return Err(Error::Prefix);
        };
        let metrics = match version {
            CvssVersion::V2 => split_metrics(body, |k, v| {
                V2_METRICS
                    .iter()
                    .find(|(m, _, _)| *m == k)
                    .and_then(|(_, vals, _)| vals.contains(&v).then_some(true))
            })?,
            CvssVersion::V4_0 => split_metrics(body, |k, v| check(V4_METRICS, k, v))?,
            _ => split_metrics(body, |k, v| check(V3_METRICS, k, v))?,
        };
        let base: Vec<&'static str> = match version {
            CvssVersion::V2 => V2_METRICS.iter().filter(|m| m.2).map(|m| m.0).collect(),
            CvssVersion::V4_0 => V4_METRICS.iter().filter(|m| m.2).map(|m| m.0).collect(),
            _ => V3_METRICS.iter().filter(|m| m.2).map(|m| m.0).collect(),
        };
        if let Some(missing) = base.iter().find(|b| !metrics.iter().any(|(k, _)| k == *b)) {
            return Err(Error::Missing(missing));
        }
        let mut cvss = Self {
            version,
            metrics,
            base_score_tenths: None,
        };
        cvss.base_score_tenths = match version {
            CvssVersion::V2 => Some(cvss.v2_base()),
            CvssVersion::V3_0 | CvssVersion::V3_1 => Some(cvss.v3_base()),
            CvssVersion::V4_0 => None,
        };
        Ok(cvss)
    }

    /// The value of metric `name`.
    #[must_use]
    pub fn metric(&self, name: &str) -> Option<&str> {
        self.metrics
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The qualitative level of the base score; for v4.0 (no score computed here), `None`.
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        self.base_score_tenths.map(Level::from_tenths)
    }

    fn m(&self, name: &str) -> &str {
        self.metric(name).unwrap_or("")
    }

    /// CVSS v3.x base score (v3.1 §7.1; v3.0 rounds up without the float fix, which gives
    /// the same result on every base vector).
    fn v3_base(&self) -> u8 {
        let scope_changed = self.m("S") == "C";
        let av = match self.m("AV") {
            "N" => 0.85,
            "A" => 0.62,
            "L" => 0.55,
            _ => 0.2,
        };
        let ac = if self.m("AC") == "L" { 0.77 } else { 0.44 };
        let pr = match (self.m("PR"), scope_changed) {
            ("N", _) => 0.85,
            ("L", false) => 0.62,
            ("L", true) => 0.68,
            ("H", false) => 0.27,
            _ => 0.5,
        };
        let ui = if self.m("UI") == "N" { 0.85 } else { 0.62 };
        let cia = |v: &str| match v {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        };
        let iss =
            1.0 - (1.0 - cia(self.m("C"))) * (1.0 - cia(self.m("I"))) * (1.0 - cia(self.m("A")));
        let impact = if scope_changed {
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15)
        } else {
            6.42 * iss
        };
        let exploitability = 8.22 * av * ac * pr * ui;
        if impact <= 0.0 {
            return 0;
        }
        let raw = if scope_changed {
            (1.08 * (impact + exploitability)).min(10.0)
        } else {
            (impact + exploitability).min(10.0)
        };
        roundup_tenths(raw)
    }

    /// CVSS v2 base score (v2 guide §3.2.1).
    fn v2_base(&self) -> u8 {
        let cia = |v: &str| match v {
            "P" => 0.275,
            "C" => 0.660,
            _ => 0.0,
        };
        let impact = 10.41
            * (1.0
                - (1.0 - cia(self.m("C"))) * (1.0 - cia(self.m("I"))) * (1.0 - cia(self.m("A"))));
        let av = match self.m("AV") {
            "L" => 0.395,
            "A" => 0.646,
            _ => 1.0,
        };
        let ac = match self.m("AC") {
            "H" => 0.35,
            "M" => 0.61,
            _ => 0.71,
        };
        let au = match self.m("Au") {
            "M" => 0.45,
            "S" => 0.56,
            _ => 0.704,
        };
        let exploitability = 20.0 * av * ac * au;
        let f: f64 = if impact == 0.0 { 0.0 } else { 1.176 };
        let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
        // Round to one decimal, in tenths; the score is within [0, 10].
        let t = (score * 10.0).round().clamp(0.0, 100.0);
        tenths(t)
    }
}

fn check(table: &[(&str, &str, bool)], k: &str, v: &str) -> Option<bool> {
    let (_, vals, base) = table.iter().find(|(m, _, _)| *m == k)?;
    let ok = if k == "U" {
        ["X", "Clear", "Green", "Amber", "Red"].contains(&v)
    } else {
        v.len() == 1 && vals.contains(v)
    };
    ok.then_some(*base)
}

/// CVSS v3.1 Appendix A `Roundup`, in tenths.
fn roundup_tenths(x: f64) -> u8 {
    let int = (x * 100_000.0).round();
    let t = if int % 10_000.0 == 0.0 {
        int / 10_000.0
    } else {
        (int / 10_000.0).floor() + 1.0
    };
    tenths(t.clamp(0.0, 100.0))
}

/// `t` is a whole number of tenths in [0, 100].
fn tenths(t: f64) -> u8 {
    // Clamped to [0, 100] by every caller, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let v = t as u8;
    v
}

impl fmt::Display for Cvss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            CvssVersion::V2 => {}
            CvssVersion::V3_0 => f.write_str("CVSS:3.0/")?,
            CvssVersion::V3_1 => f.write_str("CVSS:3.1/")?,
            CvssVersion::V4_0 => f.write_str("CVSS:4.0/")?,
        }
        for (i, (k, v)) in self.metrics.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write!(f, "{k}:{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_scores_match_first_calculator() {
        for (v, want) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 81),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 55),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 53),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 54),
            ("CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 47),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0),
        ] {
            let c = Cvss::parse(v).unwrap();
            assert_eq!(c.base_score_tenths, Some(want), "{v}");
            assert_eq!(c.to_string(), v);
        }
        assert_eq!(
            Cvss::parse("AV:N/AC:L/Au:N/C:P/I:P/A:P")
                .unwrap()
                .base_score_tenths,
            Some(75)
        );
    }

    #[test]
    fn v4_parsed_and_refusals() {
        let c =
            Cvss::parse("CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:A/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H").unwrap();
        assert_eq!(c.version, CvssVersion::V4_0);
        assert_eq!(c.metric("VA"), Some("H"));
        assert_eq!(c.base_score_tenths, None);
        assert!(matches!(
            Cvss::parse("CVSS:3.1/AV:N"),
            Err(Error::Missing("AC"))
        ));
        assert!(Cvss::parse("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(Cvss::parse("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(Cvss::parse("CVSS:9.9/AV:N").is_err());
    }
}
