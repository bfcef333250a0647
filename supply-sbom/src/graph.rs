//! The dependency graph of an SBOM: built from SPDX relationships (`DEPENDS_ON`, the
//! `*_DEPENDENCY_OF` family reversed, `CONTAINS`) or CycloneDX `dependencies` and nesting.
//! Answers "what depends on X" (direct and transitive), "why is X here" (paths from a root),
//! and direct vs transitive. Cycles are handled: every walk marks what it visited, and path
//! enumeration stops at [`MAX_PATHS`].
//!
//! ```
//! use supply_sbom::{format::read, graph::Graph};
//!
//! let bom = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
//!   "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
//!   "components": [
//!     {"type": "library", "name": "a", "bom-ref": "a"},
//!     {"type": "library", "name": "b", "bom-ref": "b", "purl": "pkg:npm/b@1.0.0"}],
//!   "dependencies": [{"ref": "app", "dependsOn": ["a"]}, {"ref": "a", "dependsOn": ["b"]},
//!                    {"ref": "b", "dependsOn": ["a"]}]}"#;
//! let doc = read(bom)?;
//! let g = Graph::new(&doc.sbom);
//! assert_eq!(g.why("b", 10), vec![vec!["app", "a", "b"]]);
//! assert!(!g.is_direct("b") && g.is_direct("a"));
//! assert_eq!(g.dependents("a"), ["app", "b"]); // the cycle a ⇄ b is fine
//! assert_eq!(g.find_purl(&"pkg:npm/b".parse()?), ["b"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet, VecDeque};

use crate::limits::MAX_PATHS;
use crate::model::{RelationshipType, Sbom};
use crate::purl::Purl;

/// A dependency graph over the packages (and files and services) of one SBOM.
#[derive(Debug)]
pub struct Graph<'a> {
    sbom: &'a Sbom,
    ids: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
    out: Vec<Vec<usize>>,
    inc: Vec<Vec<usize>>,
    roots: Vec<usize>,
}

/// Which way a relationship type points, as a dependency edge (`None`: not a dependency).
fn edge(kind: &RelationshipType) -> Option<bool> {
    match kind.as_str() {
        "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" | "HAS_PREREQUISITE" => {
            Some(true)
        }
        "DEPENDENCY_OF"
        | "DEV_DEPENDENCY_OF"
        | "BUILD_DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF"
        | "OPTIONAL_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "TEST_DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "PREREQUISITE_FOR" => Some(false),
        _ => None,
    }
}

impl<'a> Graph<'a> {
    /// Builds the graph. Roots are the elements the document describes; without any, the
    /// packages nothing depends on.
    pub fn new(sbom: &'a Sbom) -> Self {
        let mut ids: Vec<&'a str> = Vec::new();
        let mut index = HashMap::new();
        // Services (a SaaS BOM's) are nodes too: components depend on them, and they on each
        // other.
        let mut services: Vec<&'a str> = Vec::new();
        let mut stack: Vec<&'a crate::model::Service> = sbom.services.iter().collect();
        while let Some(svc) = stack.pop() {
            services.push(&svc.id);
            stack.extend(&svc.services);
        }
        for id in sbom
            .packages
            .iter()
            .map(|p| p.id.as_str())
            .chain(sbom.files.iter().map(|f| f.id.as_str()))
            .chain(services)
        {
            if let std::collections::hash_map::Entry::Vacant(e) = index.entry(id) {
                e.insert(ids.len());
                ids.push(id);
            }
        }
        let mut out = vec![Vec::new(); ids.len()];
        let mut inc = vec![Vec::new(); ids.len()];
        for r in &sbom.relationships {
            let Some(forward) = edge(&r.kind) else {
                continue;
            };
            let (Some(&a), Some(&b)) = (index.get(r.from.as_str()), index.get(r.to.as_str()))
            else {
                continue;
            };
            let (from, to) = if forward { (a, b) } else { (b, a) };
            if from != to && !out[from].contains(&to) {
                out[from].push(to);
                inc[to].push(from);
            }
        }
        let mut roots: Vec<usize> = sbom
            .describes
            .iter()
            .filter_map(|d| index.get(d.as_str()).copied())
            .collect();
        if roots.is_empty() {
            roots = (0..ids.len())
                .filter(|&i| inc[i].is_empty() && !out[i].is_empty())
                .collect();
        }
        Self {
            sbom,
            ids,
            index,
            out,
            inc,
            roots,
        }
    }

    /// The SBOM the graph is over.
    pub fn sbom(&self) -> &'a Sbom {
        self.sbom
    }

    /// The root ids.
    pub fn roots(&self) -> Vec<&'a str> {
        self.roots.iter().map(|&i| self.ids[i]).collect()
    }

    /// Direct dependencies of `id`.
    pub fn dependencies(&self, id: &str) -> Vec<&'a str> {
        self.index
            .get(id)
            .map(|&i| self.out[i].iter().map(|&j| self.ids[j]).collect())
            .unwrap_or_default()
    }

    /// Direct dependents of `id` (what depends on it), sorted.
    pub fn dependents(&self, id: &str) -> Vec<&'a str> {
        let mut v: Vec<&str> = self
            .index
            .get(id)
            .map(|&i| self.inc[i].iter().map(|&j| self.ids[j]).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }

    /// Everything that depends on `id`, directly or not, sorted (cycle-safe).
    pub fn all_dependents(&self, id: &str) -> Vec<&'a str> {
        let Some(&start) = self.index.get(id) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for &p in &self.inc[n] {
                if p != start && seen.insert(p) {
                    queue.push_back(p);
                }
            }
        }
        let mut v: Vec<&str> = seen.into_iter().map(|i| self.ids[i]).collect();
        v.sort_unstable();
        v
    }

    /// Whether a root depends on `id` directly (or `id` is a root).
    pub fn is_direct(&self, id: &str) -> bool {
        let Some(&i) = self.index.get(id) else {
            return false;
        };
        self.roots.contains(&i) || self.inc[i].iter().any(|p| self.roots.contains(p))
    }

    /// Paths from a root to `id` (each a list of ids, root first), shortest first, at most
    /// `max` (and at most [`MAX_PATHS`]). Paths never repeat a node, so cycles end them.
    pub fn why(&self, id: &str, max: usize) -> Vec<Vec<&'a str>> {
        let max = max.min(MAX_PATHS);
        let Some(&target) = self.index.get(id) else {
            return Vec::new();
        };
        // Breadth-first over partial paths backwards from the target: shortest first.
        let mut out = Vec::new();
        let mut queue: VecDeque<Vec<usize>> = VecDeque::from([vec![target]]);
        // Bound the work as well as the answer: each node expanded a bounded number of times.
        let mut budget = 100_000usize.max(self.ids.len() * 4);
        while let Some(path) = queue.pop_front() {
            if out.len() >= max || budget == 0 {
                break;
            }
            budget -= 1;
            let head = path[path.len() - 1];
            if self.roots.contains(&head) {
                out.push(path.iter().rev().map(|&i| self.ids[i]).collect());
                continue;
            }
            for &p in &self.inc[head] {
                if !path.contains(&p) {
                    let mut next = path.clone();
                    next.push(p);
                    queue.push_back(next);
                }
            }
        }
        out
    }

    /// Packages whose purl names `purl`: the same package (type, namespace, name), and the
    /// same version when `purl` has one.
    pub fn find_purl(&self, purl: &Purl) -> Vec<&'a str> {
        self.sbom
            .packages
            .iter()
            .filter(|p| {
                p.purl.as_ref().is_some_and(|q| {
                    q.without_version() == purl.without_version()
                        && (purl.version().is_none() || q.version() == purl.version())
                })
            })
            .map(|p| p.id.as_str())
            .collect()
    }

    /// Whether the graph has a cycle (reported, never a reason to fail).
    pub fn has_cycle(&self) -> bool {
        // Kahn's algorithm: a cycle leaves nodes with incoming edges.
        let mut indeg: Vec<usize> = self.inc.iter().map(Vec::len).collect();
        let mut queue: VecDeque<usize> = (0..indeg.len()).filter(|&i| indeg[i] == 0).collect();
        let mut done = 0;
        while let Some(n) = queue.pop_front() {
            done += 1;
            for &m in &self.out[n] {
                indeg[m] -= 1;
                if indeg[m] == 0 {
                    queue.push_back(m);
                }
            }
        }
        done != indeg.len()
    }
}
