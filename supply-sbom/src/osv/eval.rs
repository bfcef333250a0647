//! Range evaluation, as the OSV schema's "Evaluation" section specifies it: the events of a
//! range sorted by version (`introduced: "0"` first), then swept in order — `introduced`
//! sets "affected" when the version is at or above it, `fixed` clears it at or above,
//! `last_affected` clears it above, `limit` clears it at or above (a cap; `"*"` is none).
//! GIT ranges never match a version string; the explicit `versions` list matches exactly.

use std::cmp::Ordering;

use super::ecosystem::{Ecosystem, PackageRef};
use super::model::{Affected, EventKind, Range, RangeType, Record};
use crate::version::{Scheme, Version};

/// A parsed event: its kind and version (`None` is `introduced: "0"`, below everything).
struct Ev {
    kind: EventKind,
    at: Option<Version>,
}

/// Event order: by version, `introduced: "0"` first; at the same version, closing events
/// before `introduced`, so that a range re-opening where another closes includes that
/// version.
fn cmp_ev(a: &Ev, b: &Ev) -> Ordering {
    match (&a.at, &b.at) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal).then_with(|| {
            let rank = |k: EventKind| u8::from(k == EventKind::Introduced);
            rank(a.kind).cmp(&rank(b.kind))
        }),
    }
}

/// A stable merge sort that terminates and never panics whatever `cmp` answers (the
/// standard library's sort may panic on an order that is not total, and a lenient reading
/// of hostile version strings need not be one).
fn merge_sort(v: Vec<Ev>) -> Vec<Ev> {
    if v.len() <= 1 {
        return v;
    }
    let mut runs: Vec<Vec<Ev>> = v.into_iter().map(|e| vec![e]).collect();
    while runs.len() > 1 {
        let mut next = Vec::with_capacity(runs.len().div_ceil(2));
        let mut it = runs.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                None => next.push(a),
                Some(b) => {
                    let mut out = Vec::with_capacity(a.len() + b.len());
                    let mut a = a.into_iter().peekable();
                    let mut b = b.into_iter().peekable();
                    loop {
                        let take_a = match (a.peek(), b.peek()) {
                            (Some(x), Some(y)) => cmp_ev(x, y) != Ordering::Greater,
                            (Some(_), None) => true,
                            (None, Some(_)) => false,
                            (None, None) => break,
                        };
                        let next_ev = if take_a { a.next() } else { b.next() };
                        if let Some(e) = next_ev {
                            out.push(e);
                        }
                    }
                    next.push(out);
                }
            }
        }
        runs = next;
    }
    runs.pop().unwrap_or_default()
}

impl Range {
    /// Whether `version` lies in this range, read with `ecosystem`'s ordering (`ECOSYSTEM`)
    /// or SemVer (`SEMVER`). GIT ranges, versions the ordering refuses, and ecosystems
    /// without a known ordering never match; events whose version does not parse are
    /// ignored.
    #[must_use]
    pub fn contains(&self, ecosystem: &Ecosystem, version: &str) -> bool {
        let scheme = match self.kind {
            RangeType::Git => return false,
            RangeType::SemVer => Scheme::SemVer,
            RangeType::Ecosystem => match ecosystem.scheme() {
                Some(s) => s,
                None => return false,
            },
        };
        let Ok(v) = Version::parse(scheme, version) else {
            return false;
        };
        let mut evs = Vec::with_capacity(self.events.len());
        for e in &self.events {
            let Some((kind, at)) = e.get() else { continue };
            if kind == EventKind::Introduced && at == "0" {
                evs.push(Ev { kind, at: None });
                continue;
            }
            if kind == EventKind::Limit && at == "*" {
                continue;
            }
            if let Ok(at) = Version::parse(scheme, at) {
                evs.push(Ev { kind, at: Some(at) });
            }
        }
        let mut affected = false;
        for e in merge_sort(evs) {
            let o =
                e.at.as_ref()
                    .map_or(Some(Ordering::Greater), |at| v.compare(at));
            let Some(o) = o else { continue };
            match e.kind {
                EventKind::Introduced => {
                    if o != Ordering::Less {
                        affected = true;
                    }
                }
                EventKind::Fixed | EventKind::Limit => {
                    if o != Ordering::Less {
                        affected = false;
                    }
                }
                EventKind::LastAffected => {
                    if o == Ordering::Greater {
                        affected = false;
                    }
                }
            }
        }
        affected
    }
}

impl Affected {
    /// Whether this entry names `pkg` (ecosystem exactly, name after normalisation).
    #[must_use]
    pub fn names(&self, pkg: &PackageRef) -> bool {
        self.package.as_ref().is_some_and(|p| {
            p.ecosystem == pkg.ecosystem.as_str()
                && super::normalize_name(pkg.ecosystem.base(), &p.name) == pkg.normalized_name()
        })
    }

    /// Whether `version` is affected: listed in `versions`, or inside a range.
    #[must_use]
    pub fn affects_version(&self, ecosystem: &Ecosystem, version: &str) -> bool {
        self.versions.iter().any(|v| v == version)
            || self.ranges.iter().any(|r| r.contains(ecosystem, version))
    }
}

impl Record {
    /// The `affected` entries that make `pkg` vulnerable (none for a withdrawn record).
    pub fn affected_entries<'a>(
        &'a self,
        pkg: &'a PackageRef,
    ) -> impl Iterator<Item = &'a Affected> + 'a {
        let live = !self.is_withdrawn();
        self.affected.iter().filter(move |a| {
            live && a.names(pkg) && a.affects_version(&pkg.ecosystem, &pkg.version)
        })
    }

    /// Whether this record makes `pkg` vulnerable.
    #[must_use]
    pub fn affects(&self, pkg: &PackageRef) -> bool {
        self.affected_entries(pkg).next().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Record;
    use super::*;

    fn record(ranges: &str) -> Record {
        let json = format!(
            r#"{{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"p"}},"ranges":{ranges}}}]}}"#
        );
        Record::from_json(json.as_bytes()).unwrap()
    }

    fn hits(r: &Record, v: &str) -> bool {
        r.affects(&PackageRef::new("PyPI", "p", v))
    }

    #[test]
    fn unordered_events_and_bounds() {
        let r = record(
            r#"[{"type":"ECOSYSTEM","events":[{"fixed":"1.3.3"},{"introduced":"1.3.0rc1"},{"fixed":"1.2.8"},{"introduced":"0"}]}]"#,
        );
        for (v, want) in [
            ("0.1", true),
            ("1.2.7", true),
            ("1.2.8", false),
            ("1.2.9", false),
            ("1.3.0rc1", true),
            ("1.3.2", true),
            ("1.3.3", false),
            ("2.0", false),
        ] {
            assert_eq!(hits(&r, v), want, "{v}");
        }
    }

    #[test]
    fn last_affected_and_open_ranges() {
        let r = record(
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.5"}]}]"#,
        );
        assert!(!hits(&r, "0.9") && hits(&r, "1.0.0") && hits(&r, "1.5") && !hits(&r, "1.5.1"));
        let open = record(r#"[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"}]}]"#);
        assert!(!hits(&open, "1.9") && hits(&open, "2.0") && hits(&open, "99"));
    }

    #[test]
    fn git_ranges_never_match_versions() {
        let r = record(
            r#"[{"type":"GIT","repo":"https://x","events":[{"introduced":"0"},{"fixed":"abc"},{"limit":"def"}]}]"#,
        );
        assert!(!hits(&r, "1.0"));
    }

    #[test]
    fn adjacent_ranges_reopen_at_the_same_version() {
        let r = record(
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"},{"introduced":"2.0"},{"fixed":"3.0"}]}]"#,
        );
        assert!(hits(&r, "2.0") && hits(&r, "1.0") && !hits(&r, "3.0"));
    }
}
