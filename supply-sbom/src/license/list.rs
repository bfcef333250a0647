//! The bundled SPDX License List: license and exception ids with their names and flags.
//!
//! The table is generated from the SPDX License List 3.27.0 JSON files (`licenses.json`,
//! `exceptions.json`, kept in the repository's `testdata/sbom/licenses/`); the library never
//! reads those files at run time. Lookups are ASCII case-insensitive and return the list's
//! casing (`mit` → `MIT`).

use super::list_data as data;

/// Flag: the id is deprecated (`GPL-2.0`, `AGPL-3.0`, `GPL-2.0+`…).
pub(super) const DEPRECATED: u8 = 1;
/// Flag: approved by the Open Source Initiative.
pub(super) const OSI_APPROVED: u8 = 2;
/// Flag: marked free/libre by the Free Software Foundation.
pub(super) const FSF_LIBRE: u8 = 4;

/// One license of the SPDX License List.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LicenseInfo {
    id: &'static str,
    name: &'static str,
    flags: u8,
}

impl LicenseInfo {
    pub(super) const fn new(id: &'static str, name: &'static str, flags: u8) -> Self {
        Self { id, name, flags }
    }

    /// The id in the list's casing (`Apache-2.0`).
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The full name (`Apache License 2.0`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the id is deprecated (`isDeprecatedLicenseId`).
    pub fn is_deprecated(&self) -> bool {
        self.flags & DEPRECATED != 0
    }

    /// Whether the license is OSI approved (`isOsiApproved`).
    pub fn is_osi_approved(&self) -> bool {
        self.flags & OSI_APPROVED != 0
    }

    /// Whether the FSF lists the license as free/libre (`isFsfLibre`).
    pub fn is_fsf_libre(&self) -> bool {
        self.flags & FSF_LIBRE != 0
    }
}

/// One exception of the SPDX License List exceptions list.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExceptionInfo {
    id: &'static str,
    name: &'static str,
    deprecated: bool,
}

impl ExceptionInfo {
    pub(super) const fn new(id: &'static str, name: &'static str, deprecated: bool) -> Self {
        Self {
            id,
            name,
            deprecated,
        }
    }

    /// The id in the list's casing (`Classpath-exception-2.0`).
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The full name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the id is deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.deprecated
    }
}

/// The SPDX License List version bundled (`"3.27.0"`).
pub fn list_version() -> &'static str {
    data::LIST_VERSION
}

/// Every bundled license, sorted by lowercased id.
pub fn licenses() -> &'static [LicenseInfo] {
    data::LICENSES
}

/// Every bundled exception, sorted by lowercased id.
pub fn exceptions() -> &'static [ExceptionInfo] {
    data::EXCEPTIONS
}

fn cmp_ci(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Looks a license id up, ASCII case-insensitively (`mit` finds `MIT`).
pub fn license(id: &str) -> Option<&'static LicenseInfo> {
    data::LICENSES
        .binary_search_by(|l| cmp_ci(l.id, id))
        .ok()
        .map(|i| &data::LICENSES[i])
}

/// Looks an exception id up, ASCII case-insensitively.
pub fn exception(id: &str) -> Option<&'static ExceptionInfo> {
    data::EXCEPTIONS
        .binary_search_by(|l| cmp_ci(l.id, id))
        .ok()
        .map(|i| &data::EXCEPTIONS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_for_binary_search() {
        assert!(licenses()
            .windows(2)
            .all(|w| cmp_ci(w[0].id, w[1].id).is_lt()));
        assert!(exceptions()
            .windows(2)
            .all(|w| cmp_ci(w[0].id, w[1].id).is_lt()));
    }
}
