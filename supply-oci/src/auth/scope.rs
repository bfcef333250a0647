//! Token scopes of the distribution token protocol: `repository:<name>:<actions>`.
//!
//! A [`ScopeSet`] is what one request needs: `pull` on the repository read, `pull,push` on
//! the one written, and `pull` on the source of a cross-repository blob mount. It keeps one
//! entry per repository, merging actions, and prints in a stable order so that it can key the
//! token cache.
//!
//! ```
//! use supply_oci::auth::scope::ScopeSet;
//!
//! let s = ScopeSet::mount("team/app", "base/alpine");
//! assert_eq!(s.to_strings(), ["repository:base/alpine:pull", "repository:team/app:pull,push"]);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An action on a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Read manifests and blobs.
    Pull,
    /// Write manifests and blobs.
    Push,
    /// Delete manifests and blobs.
    Delete,
}

impl Action {
    /// The action as the protocol spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pull => "pull",
            Self::Push => "push",
            Self::Delete => "delete",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pull" => Some(Self::Pull),
            "push" => Some(Self::Push),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The repository scopes of one request: repository name to its actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeSet {
    repos: BTreeMap<String, BTreeSet<Action>>,
}

impl ScopeSet {
    /// No scope (a request to the registry's base, `/v2/`).
    pub fn new() -> Self {
        Self::default()
    }

    /// `pull` on `repository`.
    pub fn pull(repository: &str) -> Self {
        let mut s = Self::new();
        s.add(repository, Action::Pull);
        s
    }

    /// `pull,push` on `repository`.
    pub fn push(repository: &str) -> Self {
        let mut s = Self::pull(repository);
        s.add(repository, Action::Push);
        s
    }

    /// A cross-repository mount: `pull,push` on `target` and `pull` on `from`.
    pub fn mount(target: &str, from: &str) -> Self {
        let mut s = Self::push(target);
        s.add(from, Action::Pull);
        s
    }

    /// Adds `action` on `repository`.
    pub fn add(&mut self, repository: &str, action: Action) {
        self.repos
            .entry(repository.to_owned())
            .or_default()
            .insert(action);
    }

    /// Adds every scope of `other`.
    pub fn extend(&mut self, other: &Self) {
        for (repo, actions) in &other.repos {
            self.repos
                .entry(repo.clone())
                .or_default()
                .extend(actions.iter().copied());
        }
    }

    /// Adds the `repository:` scopes of a challenge's space-separated `scope` parameter; other
    /// resource types and unknown actions are skipped (they are the registry's to ask for, not
    /// ours to grant). Returns how many scopes were added.
    pub fn add_challenge_scope(&mut self, scope: &str) -> usize {
        let mut n = 0;
        for s in scope.split(' ').filter(|s| !s.is_empty()) {
            let Some(rest) = s.strip_prefix("repository:") else {
                continue;
            };
            let Some((name, actions)) = rest.rsplit_once(':') else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            for a in actions.split(',').filter_map(Action::parse) {
                self.add(name, a);
                n += 1;
            }
        }
        n
    }

    /// Whether there is no scope.
    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
    }

    /// Whether `self` grants everything `other` asks for.
    pub fn covers(&self, other: &Self) -> bool {
        other.repos.iter().all(|(repo, actions)| {
            self.repos
                .get(repo)
                .is_some_and(|have| actions.is_subset(have))
        })
    }

    /// The scope strings, one per repository, sorted: the values of the `scope` parameters of
    /// a token request.
    pub fn to_strings(&self) -> Vec<String> {
        self.repos
            .iter()
            .map(|(repo, actions)| {
                let actions: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
                format!("repository:{repo}:{}", actions.join(","))
            })
            .collect()
    }
}

impl fmt::Display for ScopeSet {
    /// The scopes separated by spaces (as a challenge's `scope` parameter carries them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_strings().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_strings() {
        assert_eq!(
            ScopeSet::pull("library/alpine").to_strings(),
            ["repository:library/alpine:pull"]
        );
        assert_eq!(
            ScopeSet::push("a/b").to_strings(),
            ["repository:a/b:pull,push"]
        );
        let m = ScopeSet::mount("team/app", "base/x");
        assert_eq!(
            m.to_string(),
            "repository:base/x:pull repository:team/app:pull,push"
        );
        // Merging keeps one entry per repository, actions in a fixed order.
        let mut s = ScopeSet::new();
        s.add("r", Action::Push);
        s.add("r", Action::Pull);
        s.add("r", Action::Pull);
        assert_eq!(s, ScopeSet::push("r"));
        assert!(ScopeSet::new().is_empty() && ScopeSet::new().to_strings().is_empty());
        let mut e = ScopeSet::pull("x");
        e.extend(&ScopeSet::push("y"));
        assert_eq!(
            e.to_strings(),
            ["repository:x:pull", "repository:y:pull,push"]
        );
    }

    #[test]
    fn challenge_scopes_and_coverage() {
        let mut s = ScopeSet::new();
        let n = s.add_challenge_scope(
            "repository:a/b:pull,push registry:catalog:* repository:c:bogus repository:host:5000/x:pull  repository::pull",
        );
        assert_eq!(n, 3);
        assert_eq!(
            s.to_strings(),
            ["repository:a/b:pull,push", "repository:host:5000/x:pull"]
        );
        assert!(s.covers(&ScopeSet::pull("a/b")));
        assert!(s.covers(&ScopeSet::new()));
        assert!(!s.covers(&ScopeSet::push("host:5000/x")));
        assert!(!ScopeSet::pull("a/b").covers(&ScopeSet::push("a/b")));
    }
}
