//! Debian's dpkg database: `var/lib/dpkg/status` (RFC 822-style stanzas), the per-package
//! files of `var/lib/dpkg/status.d/` that distroless images write, and the machine-readable
//! copyright files (DEP-5) of `usr/share/doc/<package>/copyright`.

use super::{numbered_lines, read_license, Database, DistroPackage, Error, Manager, SkipReason};
use crate::license::list;
use crate::limits::{LimitExceeded, MAX_COPYRIGHT_LEN, MAX_PKGDB_LEN, MAX_PKGDB_PACKAGES};
use crate::model::License;

/// Reads a dpkg `status` file: only packages whose `Status` ends in `installed` are kept
/// (`install ok installed`, also `deinstall reinstreq installed`); `unpacked`,
/// `half-installed`, `config-files` and records without `Status` are skipped.
///
/// # Errors
/// [`Error::LimitExceeded`] past [`MAX_PKGDB_LEN`] bytes or [`MAX_PKGDB_PACKAGES`] packages.
pub fn parse_status(bytes: &[u8]) -> Result<Database, Error> {
    parse(bytes, false)
}

/// Reads one file of `var/lib/dpkg/status.d/` (distroless): as [`parse_status`], except that
/// a record without `Status` counts as installed (these files describe what the image
/// builder unpacked; many carry no `Status`).
///
/// # Errors
/// As [`parse_status`].
pub fn parse_status_d(bytes: &[u8]) -> Result<Database, Error> {
    parse(bytes, true)
}

#[derive(Default)]
struct Stanza<'a> {
    start: usize,
    package: Option<&'a str>,
    status: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    source: Option<&'a str>,
    maintainer: Option<&'a str>,
    homepage: Option<&'a str>,
    description: Option<&'a str>,
    depends: Vec<&'a str>,
    provides: Option<&'a str>,
}

fn parse(bytes: &[u8], status_optional: bool) -> Result<Database, Error> {
    if bytes.len() > MAX_PKGDB_LEN {
        return Err(LimitExceeded::new("dpkg status file", MAX_PKGDB_LEN)
            .with_actual(bytes.len())
            .into());
    }
    let text = String::from_utf8_lossy(bytes);
    let mut db = Database::default();
    let mut st: Option<Stanza<'_>> = None;
    for (n, line) in numbered_lines(&text) {
        if line.trim().is_empty() {
            if let Some(s) = st.take() {
                finish(s, status_optional, &mut db)?;
            }
            continue;
        }
        let s = st.get_or_insert_with(|| Stanza {
            start: n,
            ..Stanza::default()
        });
        if line.starts_with([' ', '\t']) {
            // Continuation of a multi-line field (Description, Conffiles).
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            db.skip(n, SkipReason::MalformedLine);
            continue;
        };
        let value = value.trim();
        // Field names are case-insensitive (Debian Policy §5.1).
        let key = key.trim();
        let slot = match key.to_ascii_lowercase().as_str() {
            "package" => &mut s.package,
            "status" => &mut s.status,
            "version" => &mut s.version,
            "architecture" => &mut s.arch,
            "source" => &mut s.source,
            "maintainer" => &mut s.maintainer,
            "homepage" => &mut s.homepage,
            "description" => &mut s.description,
            "provides" => &mut s.provides,
            "depends" | "pre-depends" => {
                s.depends.push(value);
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    if let Some(s) = st.take() {
        finish(s, status_optional, &mut db)?;
    }
    Ok(db)
}

fn finish(s: Stanza<'_>, status_optional: bool, db: &mut Database) -> Result<(), Error> {
    let Some(name) = s.package.filter(|p| !p.is_empty()) else {
        // A stanza made only of malformed lines was already reported line by line.
        if s.version.is_some() || s.status.is_some() {
            db.skip(s.start, SkipReason::NoName);
        }
        return Ok(());
    };
    let installed = match s.status {
        Some(st) => st.split_whitespace().last() == Some("installed"),
        None => status_optional,
    };
    if !installed {
        db.skip(s.start, SkipReason::NotInstalled);
        return Ok(());
    }
    let Some(version) = s.version.filter(|v| !v.is_empty()) else {
        db.skip(s.start, SkipReason::NoVersion);
        return Ok(());
    };
    if db.packages.len() >= MAX_PKGDB_PACKAGES {
        return Err(LimitExceeded::new("dpkg packages", MAX_PKGDB_PACKAGES).into());
    }
    // `Source: name` or `Source: name (version)`.
    let (source_name, source_version) = match s.source.map(str::trim).filter(|v| !v.is_empty()) {
        Some(src) => match src.split_once('(') {
            Some((n, v)) => (
                Some(n.trim().to_string()),
                Some(v.trim_end_matches(')').trim().to_string()).filter(|v| !v.is_empty()),
            ),
            None => (Some(src.to_string()), None),
        },
        None => (None, None),
    };
    let mut depends = Vec::new();
    for d in &s.depends {
        for rel in names(d) {
            if !depends.contains(&rel) {
                depends.push(rel);
            }
        }
    }
    db.packages.push(DistroPackage {
        manager: Manager::Dpkg,
        name: name.to_string(),
        version: version.to_string(),
        arch: s.arch.filter(|a| !a.is_empty()).map(str::to_string),
        source_name,
        source_version,
        license: None,
        maintainer: s.maintainer.map(str::to_string),
        vendor: None,
        homepage: s.homepage.map(str::to_string),
        description: s.description.filter(|d| !d.is_empty()).map(str::to_string),
        depends,
        provides: s.provides.map(|p| names(p).collect()).unwrap_or_default(),
        files: Vec::new(),
    });
    Ok(())
}

/// Package names of a relation field: `a (>= 1), b | c, d:any` → `a`, `b`, `d` (the first
/// alternative of each group; version constraints and arch qualifiers dropped).
fn names(field: &str) -> impl Iterator<Item = String> + '_ {
    field.split(',').filter_map(|group| {
        let first = group.split('|').next()?.trim();
        let name = first
            .split(|c: char| c.is_whitespace() || c == '(' || c == '[' || c == '<')
            .next()?;
        let name = name.split(':').next()?;
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// The license of a machine-readable Debian copyright file (DEP-5): the `License:` fields'
/// short names, each mapped to an SPDX id where Debian's name has one (`GPL-2+` →
/// `GPL-2.0-or-later`, `Expat` → `MIT`, `BSD-3-clause` → `BSD-3-Clause`) and otherwise
/// kept as `LicenseRef-<name>`, joined with `AND`. `None` for a free-form copyright file
/// (no `License:` field): its license cannot be read reliably.
///
/// At most [`MAX_COPYRIGHT_LEN`] bytes are read; the rest is ignored.
#[must_use]
pub fn copyright_license(bytes: &[u8]) -> Option<License> {
    let bytes = &bytes[..bytes.len().min(MAX_COPYRIGHT_LEN)];
    let text = String::from_utf8_lossy(bytes);
    let mut terms: Vec<String> = Vec::new();
    for (_, line) in numbered_lines(&text) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if line.starts_with([' ', '\t']) || !key.eq_ignore_ascii_case("license") {
            continue;
        }
        let Some(expr) = debian_expression(value.trim()) else {
            continue;
        };
        if !terms.contains(&expr) {
            terms.push(expr);
        }
        if terms.len() >= 64 {
            break;
        }
    }
    match terms.len() {
        0 => None,
        1 => read_license(&terms[0]),
        _ => read_license(
            &terms
                .iter()
                .map(|t| {
                    if t.contains(' ') {
                        format!("({t})")
                    } else {
                        t.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// One DEP-5 `License:` short-name expression (`GPL-2+ or Artistic`) as an SPDX expression.
fn debian_expression(v: &str) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut words = v.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let w = w.trim_end_matches(',');
        if w.eq_ignore_ascii_case("or") || w.eq_ignore_ascii_case("and") {
            if out.last().is_some_and(|l| l != "OR" && l != "AND") {
                out.push(w.to_ascii_uppercase());
            }
            continue;
        }
        if w.eq_ignore_ascii_case("with") {
            // `GPL-2+ with OpenSSL exception`: the exception is no SPDX id; keep the
            // license and name the exception as a reference.
            let mut exc = Vec::new();
            while let Some(n) = words.peek() {
                if n.eq_ignore_ascii_case("or") || n.eq_ignore_ascii_case("and") {
                    break;
                }
                exc.push(*n);
                words.next();
            }
            if let Some(prev) = out.pop() {
                out.push(license_ref(&format!("{prev}-with-{}", exc.join("-"))));
            }
            continue;
        }
        out.push(debian_id(w));
    }
    while out.last().is_some_and(|l| l == "OR" || l == "AND") {
        out.pop();
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// Debian short license names (copyright-format 1.0, "License specification") → SPDX ids.
fn debian_id(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let fixed = match lower.as_str() {
        "expat" | "mit" => Some("MIT"),
        "bsd-2-clause" => Some("BSD-2-Clause"),
        "bsd-3-clause" => Some("BSD-3-Clause"),
        "bsd-4-clause" => Some("BSD-4-Clause"),
        "artistic" | "artistic-1.0" => Some("Artistic-1.0"),
        "artistic-2.0" => Some("Artistic-2.0"),
        "zlib" => Some("Zlib"),
        "isc" => Some("ISC"),
        "apache-2.0" => Some("Apache-2.0"),
        "mpl-1.1" => Some("MPL-1.1"),
        "mpl-2.0" => Some("MPL-2.0"),
        "cc0-1.0" | "cc0" => Some("CC0-1.0"),
        "perl" => Some("Artistic-1.0-Perl OR GPL-1.0-or-later"),
        _ => None,
    };
    if let Some(f) = fixed {
        return if f.contains(' ') {
            format!("({f})")
        } else {
            f.to_string()
        };
    }
    // GPL family: `GPL-2`, `GPL-2+`, `LGPL-2.1+`, `AGPL-3`, `GFDL-1.3+`.
    for fam in ["LGPL", "AGPL", "GFDL", "GPL"] {
        if let Some(rest) = w
            .get(..fam.len())
            .filter(|p| p.eq_ignore_ascii_case(fam))
            .and_then(|_| w.get(fam.len()..))
            .and_then(|r| r.strip_prefix('-'))
        {
            let (ver, later) = match rest.strip_suffix('+') {
                Some(v) => (v, true),
                None => (rest, false),
            };
            if !ver.is_empty() && ver.chars().all(|c| c.is_ascii_digit() || c == '.') {
                let ver = if ver.contains('.') {
                    ver.to_string()
                } else {
                    format!("{ver}.0")
                };
                let id = format!("{fam}-{ver}-{}", if later { "or-later" } else { "only" });
                if list::license(&id).is_some() {
                    return id;
                }
            }
        }
    }
    match list::license(w) {
        Some(info) => info.id().to_string(),
        None => license_ref(w),
    }
}

/// `LicenseRef-` with the characters SPDX allows (`[A-Za-z0-9.-]`).
pub(super) fn license_ref(w: &str) -> String {
    if w.starts_with("LicenseRef-") {
        return w.to_string();
    }
    let clean: String = w
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("LicenseRef-{clean}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_names_map_to_spdx() {
        assert_eq!(debian_id("GPL-2+"), "GPL-2.0-or-later");
        assert_eq!(debian_id("GPL-2"), "GPL-2.0-only");
        assert_eq!(debian_id("LGPL-2.1+"), "LGPL-2.1-or-later");
        assert_eq!(debian_id("Expat"), "MIT");
        assert_eq!(debian_id("BSD-3-clause"), "BSD-3-Clause");
        assert_eq!(debian_id("public-domain"), "LicenseRef-public-domain");
        assert_eq!(
            debian_expression("GPL-2+ or Artistic").as_deref(),
            Some("GPL-2.0-or-later OR Artistic-1.0")
        );
        assert_eq!(
            debian_expression("GPL-2+ with OpenSSL exception").as_deref(),
            Some("LicenseRef-GPL-2.0-or-later-with-OpenSSL-exception")
        );
    }

    #[test]
    fn relation_names() {
        let n: Vec<String> =
            names("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, perl:any").collect();
        assert_eq!(n, ["libc6", "debconf", "perl"]);
    }
}
