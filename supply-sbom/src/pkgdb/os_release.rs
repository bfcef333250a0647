//! `os-release` (freedesktop.org): `KEY=value` lines, values optionally quoted with shell
//! escapes.

use super::Error;
use crate::limits::{LimitExceeded, MAX_OS_RELEASE_LEN};

/// The fields of `/etc/os-release` (or `/usr/lib/os-release`) a generator uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `ubuntu`).
    pub id: Option<String>,
    /// `ID_LIKE`, split on white space.
    pub id_like: Vec<String>,
    /// `NAME` (`Debian GNU/Linux`).
    pub name: Option<String>,
    /// `PRETTY_NAME` (`Debian GNU/Linux 12 (bookworm)`).
    pub pretty_name: Option<String>,
    /// `VERSION_ID` (`12`, `3.18.4`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    pub version_codename: Option<String>,
}

impl OsRelease {
    /// Parses `os-release` content. Unknown keys, comments and malformed lines are ignored,
    /// as the specification asks of readers.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] past [`MAX_OS_RELEASE_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_OS_RELEASE_LEN {
            return Err(LimitExceeded::new("os-release", MAX_OS_RELEASE_LEN)
                .with_actual(bytes.len())
                .into());
        }
        let text = String::from_utf8_lossy(bytes);
        let mut out = Self::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = unquote(v.trim());
            let slot = match k.trim() {
                "ID" => &mut out.id,
                "NAME" => &mut out.name,
                "PRETTY_NAME" => &mut out.pretty_name,
                "VERSION_ID" => &mut out.version_id,
                "VERSION_CODENAME" => &mut out.version_codename,
                "ID_LIKE" => {
                    out.id_like = v.split_whitespace().map(str::to_string).collect();
                    continue;
                }
                _ => continue,
            };
            *slot = Some(v).filter(|v| !v.is_empty());
        }
        Ok(out)
    }

    /// The purl `distro` qualifier as syft writes it: `ID-VERSION_ID` (`debian-12`,
    /// `alpine-3.18.4`); `None` without both.
    #[must_use]
    pub fn distro_qualifier(&self) -> Option<String> {
        Some(format!(
            "{}-{}",
            self.id.as_deref()?,
            self.version_id.as_deref()?
        ))
    }

    /// The OSV ecosystem name: `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.18` (Alpine's
    /// release branch is `vMAJOR.MINOR`), `Rocky Linux:9`, `AlmaLinux:9` (by major release);
    /// `None` for a distribution OSV has no feed for (Fedora, CentOS, Amazon Linux), one whose
    /// records need what `os-release` does not say (Red Hat's are per product stream,
    /// `Red Hat:enterprise_linux:9::appstream`), or without `VERSION_ID`.
    #[must_use]
    pub fn osv_ecosystem(&self) -> Option<String> {
        let v = self.version_id.as_deref()?;
        Some(match self.id.as_deref()? {
            "debian" => format!("Debian:{}", v.split('.').next().unwrap_or(v)),
            "ubuntu" => format!("Ubuntu:{v}"),
            "rocky" => format!("Rocky Linux:{}", v.split('.').next().unwrap_or(v)),
            "almalinux" => format!("AlmaLinux:{}", v.split('.').next().unwrap_or(v)),
            "alpine" => {
                let mut parts = v.split('.');
                match (parts.next(), parts.next()) {
                    (Some(a), Some(b)) => format!("Alpine:v{a}.{b}"),
                    _ => format!("Alpine:v{v}"),
                }
            }
            _ => return None,
        })
    }
}

/// A value in single or double quotes, with the backslash escapes the spec allows in double
/// quotes (`\"`, `\\`, `` \` ``, `\$`).
fn unquote(v: &str) -> String {
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        return v[1..v.len() - 1].to_string();
    }
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let mut out = String::new();
        let mut chars = v[1..v.len() - 1].chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    v.to_string()
}
