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

/// Longer than any id of the list (the longest license and exception ids have 36 bytes): an id
/// this long is not in it, and a shorter one is lowercased on the stack.
const MAX_ID_LEN: usize = 64;

/// The ids of `list`, lowercased, in the list's order (sorted): a lookup lowercases its query
/// once and compares bytes, instead of lowercasing both sides at each step of the search.
fn lowercased<T>(
    cell: &'static std::sync::OnceLock<Box<[Box<str>]>>,
    list: &'static [T],
    id: impl Fn(&T) -> &'static str,
) -> &'static [Box<str>] {
    cell.get_or_init(|| {
        list.iter()
            .map(|x| id(x).to_ascii_lowercase().into())
            .collect()
    })
}

/// The index of `id` in `ids` (lowercased, sorted), ASCII case-insensitively.
fn find(ids: &[Box<str>], id: &str) -> Option<usize> {
    let mut buf = [0u8; MAX_ID_LEN];
    let query = buf.get_mut(..id.len())?;
    query.copy_from_slice(id.as_bytes());
    query.make_ascii_lowercase();
    ids.binary_search_by(|l| l.as_bytes().cmp(query)).ok()
}

/// Looks a license id up, ASCII case-insensitively (`mit` finds `MIT`).
pub fn license(id: &str) -> Option<&'static LicenseInfo> {
    static IDS: std::sync::OnceLock<Box<[Box<str>]>> = std::sync::OnceLock::new();
    find(lowercased(&IDS, data::LICENSES, |l| l.id), id).and_then(|i| data::LICENSES.get(i))
}

/// Looks an exception id up, ASCII case-insensitively.
pub fn exception(id: &str) -> Option<&'static ExceptionInfo> {
    static IDS: std::sync::OnceLock<Box<[Box<str>]>> = std::sync::OnceLock::new();
    find(lowercased(&IDS, data::EXCEPTIONS, |e| e.id), id).and_then(|i| data::EXCEPTIONS.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp_ci(a: &str, b: &str) -> std::cmp::Ordering {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    }

    #[test]
    fn lookups_are_case_insensitive_and_bounded() {
        assert_eq!(license("mit").map(LicenseInfo::id), Some("MIT"));
        assert_eq!(
            license("APACHE-2.0").map(LicenseInfo::id),
            Some("Apache-2.0")
        );
        assert_eq!(
            license("Apache-2.0").map(LicenseInfo::id),
            Some("Apache-2.0")
        );
        assert!(license("MIT-but-not").is_none());
        assert!(license("").is_none());
        assert!(license(&"a".repeat(MAX_ID_LEN + 1)).is_none());
        assert_eq!(
            exception("classpath-EXCEPTION-2.0").map(ExceptionInfo::id),
            Some("Classpath-exception-2.0")
        );
        // Every id finds itself, and the longest fit the stack buffer.
        for l in licenses() {
            assert!(l.id.len() < MAX_ID_LEN, "{}", l.id);
            assert_eq!(license(l.id), Some(l));
        }
        for e in exceptions() {
            assert!(e.id.len() < MAX_ID_LEN, "{}", e.id);
            assert_eq!(exception(e.id), Some(e));
        }
    }

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
