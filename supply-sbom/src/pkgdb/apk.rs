//! Alpine's apk database `lib/apk/db/installed`: records of `X:value` lines separated by
//! blank lines (`P` name, `V` version, `A` arch, `o` origin = source package, `L` license,
//! `D` dependencies, `p` provides, `T` description, `U` URL, `m` maintainer; `F`/`R` file
//! lists are not needed here).

use super::{numbered_lines, read_license, Database, DistroPackage, Error, Manager, SkipReason};
use crate::limits::{LimitExceeded, MAX_PKGDB_LEN, MAX_PKGDB_PACKAGES};

#[derive(Default)]
struct Record<'a> {
    start: usize,
    fields: usize,
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    origin: Option<&'a str>,
    license: Option<&'a str>,
    description: Option<&'a str>,
    url: Option<&'a str>,
    maintainer: Option<&'a str>,
    depends: Option<&'a str>,
    provides: Option<&'a str>,
}

/// Reads `lib/apk/db/installed`. A line that is not `X:value` (one-letter key) is skipped
/// and listed; a record without `P` or `V` is skipped.
///
/// # Errors
/// [`Error::LimitExceeded`] past [`MAX_PKGDB_LEN`] bytes or [`MAX_PKGDB_PACKAGES`] packages.
pub fn parse_installed(bytes: &[u8]) -> Result<Database, Error> {
    if bytes.len() > MAX_PKGDB_LEN {
        return Err(LimitExceeded::new("apk installed database", MAX_PKGDB_LEN)
            .with_actual(bytes.len())
            .into());
    }
    let text = String::from_utf8_lossy(bytes);
    let mut db = Database::default();
    let mut rec: Option<Record<'_>> = None;
    for (n, line) in numbered_lines(&text) {
        if line.trim().is_empty() {
            if let Some(r) = rec.take() {
                finish(r, &mut db)?;
            }
            continue;
        }
        let r = rec.get_or_insert_with(|| Record {
            start: n,
            ..Record::default()
        });
        let b = line.as_bytes();
        if b.len() < 2 || b[1] != b':' || !b[0].is_ascii_alphanumeric() {
            db.skip(n, SkipReason::MalformedLine);
            continue;
        }
        r.fields += 1;
        let value = line[2..].trim();
        let slot = match b[0] {
            b'P' => &mut r.name,
            b'V' => &mut r.version,
            b'A' => &mut r.arch,
            b'o' => &mut r.origin,
            b'L' => &mut r.license,
            b'T' => &mut r.description,
            b'U' => &mut r.url,
            b'm' => &mut r.maintainer,
            b'D' => &mut r.depends,
            b'p' => &mut r.provides,
            _ => continue,
        };
        *slot = Some(value);
    }
    if let Some(r) = rec.take() {
        finish(r, &mut db)?;
    }
    Ok(db)
}

fn finish(r: Record<'_>, db: &mut Database) -> Result<(), Error> {
    if r.fields == 0 {
        return Ok(());
    }
    let Some(name) = r.name.filter(|n| !n.is_empty()) else {
        db.skip(r.start, SkipReason::NoName);
        return Ok(());
    };
    let Some(version) = r.version.filter(|v| !v.is_empty()) else {
        db.skip(r.start, SkipReason::NoVersion);
        return Ok(());
    };
    if db.packages.len() >= MAX_PKGDB_PACKAGES {
        return Err(LimitExceeded::new("apk packages", MAX_PKGDB_PACKAGES).into());
    }
    db.packages.push(DistroPackage {
        manager: Manager::Apk,
        name: name.to_string(),
        version: version.to_string(),
        arch: r.arch.filter(|a| !a.is_empty()).map(str::to_string),
        source_name: r.origin.filter(|o| !o.is_empty()).map(str::to_string),
        source_version: None,
        license: r.license.and_then(read_license),
        maintainer: r.maintainer.map(str::to_string),
        vendor: None,
        homepage: r.url.map(str::to_string),
        description: r.description.map(str::to_string),
        depends: r.depends.map(|d| names(d, true)).unwrap_or_default(),
        provides: r.provides.map(|p| names(p, false)).unwrap_or_default(),
        files: Vec::new(),
    });
    Ok(())
}

/// Names of an apk dependency or provides list: `so:libc.musl-x86_64.so.1 musl>=1.2
/// !conflict /bin/sh` → `musl` (for dependencies, virtual `so:`/`cmd:`/`pc:` names,
/// conflicts and file paths are dropped; provides keep their prefixed names).
fn names(field: &str, deps: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in field.split_whitespace() {
        if deps && (w.starts_with('!') || w.starts_with('/') || w.contains(':')) {
            continue;
        }
        let end = w.find(['=', '<', '>', '~']).unwrap_or(w.len());
        let n = &w[..end];
        if !n.is_empty() && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}
