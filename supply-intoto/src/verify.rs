//! Layout verification (in-toto specification v1.0 §5.2, in the order of in-toto python's
//! `in_toto.verifylib.in_toto_verify`).
//!
//! Sync, no I/O, no clock: the caller passes `now`, the links (a [`LinkStore`], for example a
//! map from file name to bytes) and, to run inspections, an [`InspectionRunner`]. The steps:
//!
//! 1. every layout key the caller gives has made a valid signature on the layout;
//! 2. the layout has not expired (`expires` is not before `now`);
//! 3. for each step, the links `<step>.<keyid[..8]>.link` of the step's authorized keys are read
//!    (at least `threshold` must exist);
//! 4. each link's signature is checked with the key the layout lists for it, and a link counts
//!    only if it verifies and names the step; at least `threshold` **distinct** keys (by key
//!    material) must remain;
//! 5. a "link" that is itself a layout is a sublayout: it is verified recursively with the
//!    functionary's key as its layout key and links under `<step>.<keyid[..8]>/`, and replaced by
//!    its summary link (materials of its first step, products of its last);
//! 6. a link whose command differs from the step's `expected_command` gives a [`Warning`];
//! 7. all counted links of a step must agree on materials and products;
//! 8. every step's artifact rules are applied to its (first) link;
//! 9. inspections run through the caller's [`InspectionRunner`] — **with none, a layout with
//!    inspections fails** ([`Error::InspectionsNotRun`]); a non-zero return value fails;
//! 10. every inspection's artifact rules are applied, with steps' and inspections' links.
//!
//! Artifact rules follow `in_toto.verifylib.verify_item_rules`: each side's artifacts form a
//! queue; rules apply in order; `MATCH`, `CREATE`, `DELETE`, `MODIFY` and `ALLOW` consume
//! artifacts, `DISALLOW` fails on any artifact still queued that it matches, `REQUIRE` fails
//! unless its literal path is queued. Artifacts left in the queue pass, so a strict layout ends
//! each list with `DISALLOW *`. Globs are [`crate::rule::fnmatch`].
//!
//! Work is bounded by a [`Budget`] (links read, sublayout depth, pattern matches).
//!
//! Still the caller's job: choosing the layout keys, and deciding what to do with the
//! [`VerifiedLayout::warnings`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use supply_sig::crypto::{Provider, RUSTCRYPTO};
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyId;
use supply_sig::limits::LimitExceeded;
use supply_sig::time::Timestamp;

pub use crate::artifact::AttestationVerifier;
use crate::certs::{self, Authorities};
use crate::limits;
use crate::metadata::{self, Metadata, Payload};
use crate::model::{bounded, Artifacts, HashObj, Inspection, Layout, Link};
use crate::rule::{fnmatch, ArtifactRule, ArtifactType};

/// Errors from verifying a layout.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Caller mistake: no layout keys were given.
    #[error("no layout keys were given")]
    ConfigNoLayoutKeys,
    /// The document given as the layout holds a link.
    #[error("the document is a link, not a layout")]
    NotALayout,
    /// A layout key has no valid signature on the layout (or cannot verify).
    #[error("layout signature check failed for key {keyid}")]
    LayoutSignature {
        /// The layout key.
        keyid: KeyId,
        /// Why.
        #[source]
        source: metadata::Error,
    },
    /// The layout has expired.
    #[error("the layout expired at {expires} (verification time {now})")]
    LayoutExpired {
        /// Its `expires`.
        expires: Timestamp,
        /// The time given.
        now: Timestamp,
    },
    /// A link file could not be read as in-toto metadata.
    #[error("link {path:?} is invalid")]
    InvalidLink {
        /// The link's path in the store.
        path: String,
        /// Why.
        #[source]
        source: metadata::Error,
    },
    /// Fewer link files than the step's threshold exist.
    #[error("step {step:?} requires {required} link(s), found {found}")]
    LinksNotFound {
        /// The step.
        step: String,
        /// Its threshold.
        required: u64,
        /// Link files found for its authorized keys.
        found: usize,
    },
    /// Fewer distinct authorized keys than the threshold signed links for the step.
    #[error(
        "step {step:?} requires links signed by {required} distinct authorized keys, found {valid}"
    )]
    ThresholdNotMet {
        /// The step.
        step: String,
        /// Its threshold.
        required: u64,
        /// Distinct keys with a valid link.
        valid: usize,
    },
    /// Two valid links of one step disagree on materials or products.
    #[error("links of step {step:?} by {first} and {other} disagree on their artifacts")]
    LinksDisagree {
        /// The step.
        step: String,
        /// The reference link's key.
        first: KeyId,
        /// The disagreeing link's key.
        other: KeyId,
    },
    /// A sublayout failed verification.
    #[error("sublayout of step {step:?} (key {keyid}) failed")]
    Sublayout {
        /// The step.
        step: String,
        /// The functionary whose sublayout it is.
        keyid: KeyId,
        /// Why.
        #[source]
        source: Box<Self>,
    },
    /// The layout has inspections and no runner was given.
    #[error(
        "the layout has {count} inspection(s) (first {first:?}) and no inspection runner was given"
    )]
    InspectionsNotRun {
        /// Number of inspections.
        count: usize,
        /// The first one's name.
        first: String,
    },
    /// The runner could not run an inspection.
    #[error("inspection {name:?} could not run")]
    InspectionFailed {
        /// The inspection.
        name: String,
        /// What the runner reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An inspection's command exited with a non-zero (or missing) return value.
    #[error("inspection {name:?} returned {value:?}")]
    InspectionReturnValue {
        /// The inspection.
        name: String,
        /// The return value (`None` when missing).
        value: Option<i64>,
    },
    /// A `DISALLOW` rule matched artifacts still queued.
    #[error("{item:?} {side}: DISALLOW {pattern:?} matched {artifacts:?}")]
    Disallowed {
        /// The step or inspection.
        item: String,
        /// `materials` or `products`.
        side: &'static str,
        /// The pattern.
        pattern: String,
        /// The artifacts (at most 16).
        artifacts: Vec<String>,
    },
    /// A `REQUIRE` rule's path is not queued.
    #[error("{item:?} {side}: REQUIRE {path:?} not found")]
    Required {
        /// The step or inspection.
        item: String,
        /// `materials` or `products`.
        side: &'static str,
        /// The required path.
        path: String,
    },
    /// A budget ran out.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// A layout key cannot be given a key id.
    #[error("a layout key has no securesystemslib key id")]
    LayoutKey(#[source] supply_sig::key::Error),
    /// The layout's certificate authorities (`rootcas`, `intermediatecas`) or a step's
    /// `cert_constraints` cannot be read.
    #[error("the layout's certificate functionaries are malformed")]
    Certificates(#[source] Box<certs::Error>),
    /// A step's threshold is not met and a link signed with a certificate was not authorized;
    /// this is the first such refusal.
    #[error("step {step:?}: the certificate of {keyid} is not authorized")]
    CertificateNotAuthorized {
        /// The step.
        step: String,
        /// The signature's key id.
        keyid: KeyId,
        /// Why.
        #[source]
        source: Box<certs::Error>,
    },
}

/// Links by path relative to the link directory (`write-code.776a00e2.link`,
/// `sub.be06db20/package.2f89b927.link`, with `/` separators).
pub trait LinkStore {
    /// The bytes of the link file at `path`, if there is one.
    fn get(&self, path: &str) -> Option<&[u8]>;

    /// The paths that start with `prefix`. Used only for steps with `cert_constraints`, whose
    /// certificate-identified functionaries' key ids the layout does not list (the
    /// `<step>.*.link` glob of in-toto-golang). The default lists none: such links are then
    /// never found, which fails closed.
    fn paths_with_prefix(&self, prefix: &str) -> Vec<String> {
        let _ = prefix;
        Vec::new()
    }
}

impl<S: AsRef<[u8]>> LinkStore for BTreeMap<String, S> {
    fn get(&self, path: &str) -> Option<&[u8]> {
        Self::get(self, path).map(AsRef::as_ref)
    }

    fn paths_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl<S: AsRef<[u8]>, H: std::hash::BuildHasher> LinkStore for HashMap<String, S, H> {
    fn get(&self, path: &str) -> Option<&[u8]> {
        Self::get(self, path).map(AsRef::as_ref)
    }

    fn paths_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// Runs inspections for the verifier: runs the command in the directory holding the final
/// product, recording materials before and products after ([`crate::record::CommandRunner`]
/// does it as in-toto python does).
pub trait InspectionRunner {
    /// Runs `inspection` and returns the link recorded (with a `return-value` byproduct).
    ///
    /// # Errors
    /// Anything that stopped the command from running.
    fn run(
        &mut self,
        inspection: &Inspection,
    ) -> Result<Link, Box<dyn std::error::Error + Send + Sync>>;
}

/// Verification budgets; [`Budget::default`] is the set in [`crate::limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// See [`limits::MAX_LINKS`].
    pub links: usize,
    /// See [`limits::MAX_SUBLAYOUT_DEPTH`].
    pub sublayout_depth: usize,
    /// See [`limits::MAX_RULE_WORK`].
    pub rule_work: u64,
}

impl Budget {
    /// Another cap on links read.
    #[must_use]
    pub const fn with_links(mut self, links: usize) -> Self {
        self.links = links;
        self
    }
    /// Another cap on sublayout depth.
    #[must_use]
    pub const fn with_sublayout_depth(mut self, depth: usize) -> Self {
        self.sublayout_depth = depth;
        self
    }
    /// Another cap on pattern matches.
    #[must_use]
    pub const fn with_rule_work(mut self, work: u64) -> Self {
        self.rule_work = work;
        self
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            links: limits::MAX_LINKS,
            sublayout_depth: limits::MAX_SUBLAYOUT_DEPTH,
            rule_work: limits::MAX_RULE_WORK,
        }
    }
}

/// Something verification noticed that does not fail it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A link's command differs from the step's expected command.
    CommandMismatch {
        /// The step.
        step: String,
        /// The functionary.
        keyid: KeyId,
        /// The expected command.
        expected: Vec<String>,
        /// The command in the link.
        actual: Vec<String>,
    },
    /// A `MATCH` rule names a step or inspection that has no link; it consumed nothing.
    MatchTargetMissing {
        /// The item the rule belongs to.
        item: String,
        /// The name in `FROM`.
        target: String,
    },
}

/// One verified step.
#[derive(Clone, Debug)]
pub struct VerifiedStep {
    name: String,
    functionaries: Vec<KeyId>,
    sublayouts: Vec<VerifiedLayout>,
    rules: usize,
}

impl VerifiedStep {
    /// The step name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The distinct authorized keys whose links verified and were counted.
    pub fn functionaries(&self) -> &[KeyId] {
        &self.functionaries
    }
    /// The sublayouts verified in place of links.
    pub fn sublayouts(&self) -> &[VerifiedLayout] {
        &self.sublayouts
    }
    /// How many artifact rules (materials and products) were applied.
    pub fn rules_checked(&self) -> usize {
        self.rules
    }
}

/// A layout that passed verification. Only [`LayoutVerifier::verify`] makes one.
#[derive(Clone, Debug)]
pub struct VerifiedLayout {
    layout: Layout,
    signed_by: Vec<KeyId>,
    steps: Vec<VerifiedStep>,
    inspections: Vec<(String, usize)>,
    warnings: Vec<Warning>,
    summary: Link,
}

impl VerifiedLayout {
    /// The verified layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    /// The layout keys whose signatures verified (all the keys given).
    pub fn signed_by(&self) -> &[KeyId] {
        &self.signed_by
    }
    /// The steps, in layout order.
    pub fn steps(&self) -> &[VerifiedStep] {
        &self.steps
    }
    /// The inspections run, with the number of artifact rules applied to each.
    pub fn inspections(&self) -> &[(String, usize)] {
        &self.inspections
    }
    /// Warnings (command mismatches ...), sublayouts' included.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// The summary link: materials of the first step, products, byproducts and command of the
    /// last (in-toto python's `get_summary_link`).
    pub fn summary(&self) -> &Link {
        &self.summary
    }
    /// Total artifact rules applied, sublayouts included.
    pub fn rules_checked(&self) -> usize {
        self.steps
            .iter()
            .map(|s| s.rules + s.sublayouts.iter().map(Self::rules_checked).sum::<usize>())
            .sum::<usize>()
            + self.inspections.iter().map(|(_, n)| n).sum::<usize>()
    }
}

/// Verifies layouts; build it with [`LayoutVerifier::new`] and the `with_*` methods.
pub struct LayoutVerifier<'a> {
    provider: &'a Provider,
    now: Timestamp,
    links: &'a dyn LinkStore,
    runner: Option<&'a mut dyn InspectionRunner>,
    budget: Budget,
    links_read: usize,
    rule_work: u64,
    threads: usize,
    /// Links of the layout being checked, parsed and signature-checked ahead by
    /// [`LayoutVerifier::with_threads`] workers, by path.
    prefetched: HashMap<String, Prefetched>,
}

/// A link file parsed ahead, with whether the signature of the key its name implies verified.
struct Prefetched {
    meta: Result<Metadata, metadata::Error>,
    /// (key id, whether that key's signature verified).
    signature: Option<(KeyId, bool)>,
}

impl std::fmt::Debug for LayoutVerifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayoutVerifier")
            .field("now", &self.now)
            .field("runner", &self.runner.is_some())
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

fn keyid8(keyid: &str) -> &str {
    keyid.get(..8).unwrap_or(keyid)
}

/// `prefix` joined to `path` with one `/` between them (the path alone when there is no
/// prefix), written into `buf`, which is reused across lookups.
fn join_into<'a>(buf: &'a mut String, prefix: &str, path: &'a str) -> &'a str {
    if prefix.is_empty() {
        return path;
    }
    buf.clear();
    buf.push_str(prefix);
    if !prefix.ends_with('/') {
        buf.push('/');
    }
    buf.push_str(path);
    buf
}

/// Lookups in an artifact map by keys that never decrease: one walk over the map in all.
struct Cursor<'a> {
    it: std::iter::Peekable<std::collections::btree_map::Iter<'a, String, HashObj>>,
}

impl<'a> Cursor<'a> {
    fn new(map: &'a Artifacts) -> Self {
        Self {
            it: map.iter().peekable(),
        }
    }

    /// The hash of `key`, which must not sort before any key asked for earlier.
    fn get(&mut self, key: &str) -> Option<&'a HashObj> {
        while let Some((k, h)) = self.it.peek() {
            match k.as_str().cmp(key) {
                std::cmp::Ordering::Less => {
                    self.it.next();
                }
                std::cmp::Ordering::Equal => return Some(h),
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }
}

/// A link of a step, counted for the threshold.
struct Counted<'m> {
    keyid: KeyId,
    /// Borrowed from the parsed link; owned for a sublayout's summary.
    link: Cow<'m, Link>,
    /// Where the parsed link is kept, to move it out once no longer borrowed.
    src: Src,
}

/// A step's parsed link: in the links loaded by key id, or in those of certificates.
#[derive(Clone, Copy)]
enum Src {
    Key(usize),
    Cert(usize),
}

/// The link of a parsed document, by value (no copy of its artifact maps).
fn take_link(m: Metadata) -> Option<Link> {
    match m.into_payload() {
        Payload::Link(l) => Some(*l),
        Payload::Layout(_) => None,
    }
}

impl<'a> LayoutVerifier<'a> {
    /// A verifier at time `now` reading links from `links`, on the default crypto provider,
    /// without an inspection runner, under the default [`Budget`].
    pub fn new(now: Timestamp, links: &'a dyn LinkStore) -> Self {
        Self {
            provider: &RUSTCRYPTO,
            now,
            links,
            runner: None,
            budget: Budget::default(),
            links_read: 0,
            rule_work: 0,
            threads: 1,
            prefetched: HashMap::new(),
        }
    }

    /// Parses the link files of a layout and checks their signatures on up to `threads`
    /// threads (scoped to each layout's verification; 1, the default, spawns none). The
    /// decisions, their order and the errors are the same as on one thread: workers only
    /// compute ahead what the steps then take in the reference order.
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Uses another crypto provider.
    #[must_use]
    pub fn with_provider(mut self, provider: &'a Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Runs inspections with `runner`.
    #[must_use]
    pub fn with_runner(mut self, runner: &'a mut dyn InspectionRunner) -> Self {
        self.runner = Some(runner);
        self
    }

    /// Uses other budgets.
    #[must_use]
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Verifies `layout` signed by **every** key of `layout_keys`, with its links.
    ///
    /// # Errors
    /// The first failure, in the order of the [module docs](self).
    pub fn verify(
        mut self,
        layout: &Metadata,
        layout_keys: &[SslibKey],
    ) -> Result<VerifiedLayout, Error> {
        let mut keys = Vec::with_capacity(layout_keys.len());
        for k in layout_keys {
            let id = match k.declared_key_id() {
                Some(id) => id.clone(),
                None => k.key_id().map_err(Error::LayoutKey)?,
            };
            keys.push((id, k.clone()));
        }
        self.verify_at(layout, &keys, "", 0, "")
    }

    /// Parses the link files named for `layout`'s step keys under `prefix`, and checks the
    /// signature of the key each name implies, on [`Self::with_threads`] scoped threads.
    fn prefetch(&mut self, layout: &Layout, prefix: &str) {
        let mut jobs: Vec<(String, KeyId, Option<&SslibKey>, &[u8])> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for step in &layout.steps {
            for keyid in &step.pubkeys {
                let path = format!("{prefix}{}.{}.link", step.name, keyid8(keyid));
                if jobs.len() >= self.budget.links || !seen.insert(path.clone()) {
                    continue;
                }
                if let Some(bytes) = self.links.get(&path) {
                    let key = layout.keys.get(keyid.as_str()).map(|k| &k.key);
                    jobs.push((path, KeyId::new(keyid.clone()), key, bytes));
                }
            }
        }
        if jobs.len() < 2 {
            return;
        }
        let provider = self.provider;
        let per = jobs.len().div_ceil(self.threads);
        let done: Vec<(String, Prefetched)> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(per)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|(path, keyid, key, bytes)| {
                                let meta = Metadata::for_verification(bytes);
                                let signature = match (&meta, key) {
                                    (Ok(m), Some(k)) => Some((
                                        keyid.clone(),
                                        m.verify_signature(keyid, k, provider).is_ok(),
                                    )),
                                    _ => None,
                                };
                                (path.clone(), Prefetched { meta, signature })
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            // A worker that panicked leaves its links to the sequential path.
            handles
                .into_iter()
                .filter_map(|h| h.join().ok())
                .flatten()
                .collect()
        });
        self.prefetched.extend(done);
    }

    /// The links of `step` signed by a certificate that chains to the layout's roots and
    /// meets the step's constraints, with the certificate's key; their signatures verified.
    /// Files named for the step's listed keys are left to the key path. The first refusal is
    /// kept in `rejected` for the error when the threshold is not met.
    fn certificate_links(
        &mut self,
        layout: &Layout,
        step: &crate::model::Step,
        prefix: &str,
        authorities: &mut Option<Authorities>,
        rejected: &mut Option<(KeyId, Box<certs::Error>)>,
    ) -> Result<Vec<(KeyId, SslibKey, Metadata)>, Error> {
        let constraints =
            certs::step_constraints(step).map_err(|e| Error::Certificates(Box::new(e)))?;
        if constraints.is_empty() {
            return Ok(Vec::new());
        }
        let cas = match authorities {
            Some(a) => a,
            None => authorities.insert(
                Authorities::from_layout(layout).map_err(|e| Error::Certificates(Box::new(e)))?,
            ),
        };
        if cas.is_empty() {
            return Ok(Vec::new());
        }
        let listed: BTreeSet<&str> = step.pubkeys.iter().map(|k| keyid8(k)).collect();
        let stem = format!("{prefix}{}.", step.name);
        let mut out = Vec::new();
        for path in self.links.paths_with_prefix(&stem) {
            let Some(id8) = path
                .strip_prefix(&stem)
                .and_then(|r| r.strip_suffix(".link"))
            else {
                continue;
            };
            if id8.is_empty() || id8.contains('/') || listed.contains(id8) {
                continue;
            }
            let Some(bytes) = self.links.get(&path) else {
                continue;
            };
            self.links_read += 1;
            if self.links_read > self.budget.links {
                return Err(LimitExceeded::new("in-toto links read", self.budget.links).into());
            }
            let m = Metadata::for_verification(bytes).map_err(|source| Error::InvalidLink {
                path: bounded(&path),
                source,
            })?;
            // Certificates identify link signers only; a sublayout is a key-path affair.
            if m.as_link().is_none_or(|l| l.name != step.name) {
                continue;
            }
            let mut found = None;
            for (keyid, pem) in m.signature_certificates() {
                if !keyid.as_str().starts_with(id8) {
                    continue;
                }
                match cas.authorize(&step.name, pem, &constraints, self.now, self.provider) {
                    Ok((key, _root)) => {
                        if m.verify_signature(keyid, &key, self.provider).is_ok() {
                            found = Some((keyid.clone(), key));
                            break;
                        }
                        rejected.get_or_insert((
                            keyid.clone(),
                            Box::new(certs::Error::SignatureMismatch),
                        ));
                    }
                    Err(e) => {
                        rejected.get_or_insert((keyid.clone(), Box::new(e)));
                    }
                }
            }
            if let Some((keyid, key)) = found {
                out.push((keyid, key, m));
            }
        }
        Ok(out)
    }

    fn verify_at(
        &mut self,
        meta: &Metadata,
        keys: &[(KeyId, SslibKey)],
        prefix: &str,
        depth: usize,
        name: &str,
    ) -> Result<VerifiedLayout, Error> {
        let layout = meta.as_layout().ok_or(Error::NotALayout)?;
        if keys.is_empty() {
            return Err(Error::ConfigNoLayoutKeys);
        }
        // 1. Every layout key signed.
        for (keyid, key) in keys {
            meta.verify_signature(keyid, key, self.provider)
                .map_err(|source| Error::LayoutSignature {
                    keyid: keyid.clone(),
                    source,
                })?;
        }
        // 2. Expiry.
        if layout.expires < self.now {
            return Err(Error::LayoutExpired {
                expires: layout.expires,
                now: self.now,
            });
        }
        if self.threads > 1 {
            self.prefetch(layout, prefix);
        }
        let mut warnings = Vec::new();
        let mut steps = Vec::with_capacity(layout.steps.len());
        let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
        let mut authorities: Option<Authorities> = None;
        for step in &layout.steps {
            // 3. Load the links of the authorized keys.
            let mut loaded: Vec<(KeyId, Metadata)> = Vec::new();
            // Signature verdicts computed ahead, by link path.
            let mut checked: HashMap<String, (KeyId, bool)> = HashMap::new();
            let mut seen = BTreeSet::new();
            for keyid in &step.pubkeys {
                if !seen.insert(keyid.as_str()) {
                    continue;
                }
                let path = format!("{prefix}{}.{}.link", step.name, keyid8(keyid));
                let Some(bytes) = self.links.get(&path) else {
                    continue;
                };
                self.links_read += 1;
                if self.links_read > self.budget.links {
                    return Err(LimitExceeded::new("in-toto links read", self.budget.links).into());
                }
                let ahead = self.prefetched.remove(&path);
                let (m, signature) = match ahead {
                    Some(p) => (p.meta, p.signature),
                    None => (Metadata::for_verification(bytes), None),
                };
                let m = m.map_err(|source| Error::InvalidLink {
                    path: bounded(&path),
                    source,
                })?;
                let keyid = KeyId::new(keyid.clone());
                if let Some((k, ok)) = signature.filter(|(k, _)| *k == keyid) {
                    checked.insert(path.clone(), (k, ok));
                }
                loaded.push((keyid, m));
            }
            // 3b. Links of functionaries identified by certificates (in-toto-golang).
            let mut rejected = None;
            let mut by_cert =
                self.certificate_links(layout, step, prefix, &mut authorities, &mut rejected)?;
            if ((loaded.len() + by_cert.len()) as u64) < step.threshold {
                if let Some((keyid, source)) = rejected {
                    return Err(Error::CertificateNotAuthorized {
                        step: bounded(&step.name),
                        keyid,
                        source,
                    });
                }
                return Err(Error::LinksNotFound {
                    step: bounded(&step.name),
                    required: step.threshold,
                    found: loaded.len(),
                });
            }
            // 4. Signatures, by distinct key material.
            let mut material = BTreeSet::new();
            let mut valid: Vec<(KeyId, &SslibKey, &Metadata, Src)> = Vec::new();
            for (i, (keyid, m)) in loaded.iter().enumerate() {
                let Some(fk) = layout.keys.get(keyid.as_str()) else {
                    continue;
                };
                let names_step = match m.payload() {
                    Payload::Link(l) => l.name == step.name,
                    Payload::Layout(_) => true,
                };
                if !names_step {
                    continue;
                }
                let path = format!("{prefix}{}.{}.link", step.name, keyid8(keyid.as_str()));
                let verified = match checked.get(&path) {
                    Some((k, ok)) if k == keyid => *ok,
                    _ => m.verify_signature(keyid, &fk.key, self.provider).is_ok(),
                };
                if !verified {
                    continue;
                }
                if material.insert(fk.key.public_key().spki_der().to_vec()) {
                    valid.push((keyid.clone(), &fk.key, m, Src::Key(i)));
                }
            }
            for (i, (keyid, key, m)) in by_cert.iter().enumerate() {
                if material.insert(key.public_key().spki_der().to_vec()) {
                    valid.push((keyid.clone(), key, m, Src::Cert(i)));
                }
            }
            if (valid.len() as u64) < step.threshold {
                if let Some((keyid, source)) = rejected {
                    return Err(Error::CertificateNotAuthorized {
                        step: bounded(&step.name),
                        keyid,
                        source,
                    });
                }
                return Err(Error::ThresholdNotMet {
                    step: bounded(&step.name),
                    required: step.threshold,
                    valid: valid.len(),
                });
            }
            // 5. Sublayouts.
            let mut counted = Vec::with_capacity(valid.len());
            let mut sublayouts = Vec::new();
            for (keyid, key, m, src) in valid {
                let link = match m.payload() {
                    Payload::Layout(_) => {
                        if depth + 1 > self.budget.sublayout_depth {
                            return Err(LimitExceeded::new(
                                "sublayout depth",
                                self.budget.sublayout_depth,
                            )
                            .into());
                        }
                        let sub_prefix =
                            format!("{prefix}{}.{}/", step.name, keyid8(keyid.as_str()));
                        let sub = self
                            .verify_at(
                                m,
                                &[(keyid.clone(), key.clone())],
                                &sub_prefix,
                                depth + 1,
                                &step.name,
                            )
                            .map_err(|e| Error::Sublayout {
                                step: bounded(&step.name),
                                keyid: keyid.clone(),
                                source: Box::new(e),
                            })?;
                        let summary = sub.summary.clone();
                        warnings.extend(sub.warnings.iter().cloned());
                        sublayouts.push(sub);
                        Cow::Owned(summary)
                    }
                    Payload::Link(l) => Cow::Borrowed(&**l),
                };
                counted.push(Counted { keyid, link, src });
            }
            // 6. Command alignment (warning only).
            for c in &counted {
                if c.link.command != step.expected_command {
                    warnings.push(Warning::CommandMismatch {
                        step: step.name.clone(),
                        keyid: c.keyid.clone(),
                        expected: step.expected_command.clone(),
                        actual: c.link.command.clone(),
                    });
                }
            }
            // 7. Agreement.
            let Some(first) = counted.first() else {
                return Err(Error::ThresholdNotMet {
                    step: bounded(&step.name),
                    required: step.threshold,
                    valid: 0,
                });
            };
            for c in &counted[1..] {
                if c.link.materials != first.link.materials
                    || c.link.products != first.link.products
                {
                    return Err(Error::LinksDisagree {
                        step: bounded(&step.name),
                        first: first.keyid.clone(),
                        other: c.keyid.clone(),
                    });
                }
            }
            let functionaries = counted.iter().map(|c| c.keyid.clone()).collect();
            // The first link goes on by value: moved out of its parsed document once nothing
            // borrows it (a link's artifact maps are most of the verifier's memory).
            let first = counted.into_iter().next().map(|c| match c.link {
                Cow::Owned(summary) => Ok(summary),
                Cow::Borrowed(_) => Err(c.src),
            });
            let link = match first {
                Some(Ok(summary)) => Some(summary),
                Some(Err(Src::Key(i))) if i < loaded.len() => take_link(loaded.swap_remove(i).1),
                Some(Err(Src::Cert(i))) if i < by_cert.len() => take_link(by_cert.swap_remove(i).2),
                _ => None,
            };
            if let Some(link) = link {
                reduced.insert(step.name.clone(), link);
            }
            steps.push(VerifiedStep {
                name: step.name.clone(),
                functionaries,
                sublayouts,
                rules: 0,
            });
        }
        // Links parsed ahead that no step took (a key not in the layout, a step name that
        // differs) are dropped with this layout.
        self.prefetched.retain(|path, _| !path.starts_with(prefix));
        // 8. Step rules.
        for (vs, step) in steps.iter_mut().zip(&layout.steps) {
            let Some(link) = reduced.get(&step.name) else {
                continue;
            };
            vs.rules = self.item_rules(
                &step.name,
                &step.expected_materials,
                &step.expected_products,
                link,
                &reduced,
                &mut warnings,
            )?;
        }
        // 9. Inspections.
        let mut inspections = Vec::new();
        if !layout.inspect.is_empty() {
            let Some(runner) = self.runner.as_deref_mut() else {
                return Err(Error::InspectionsNotRun {
                    count: layout.inspect.len(),
                    first: layout
                        .inspect
                        .first()
                        .map(|i| bounded(&i.name))
                        .unwrap_or_default(),
                });
            };
            let mut combined = reduced.clone();
            for insp in &layout.inspect {
                let link = runner.run(insp).map_err(|source| Error::InspectionFailed {
                    name: bounded(&insp.name),
                    source,
                })?;
                link.check_limits()?;
                if link.return_value() != Some(0) {
                    return Err(Error::InspectionReturnValue {
                        name: bounded(&insp.name),
                        value: link.return_value(),
                    });
                }
                combined.insert(insp.name.clone(), link);
            }
            // 10. Inspection rules, over steps' and inspections' links.
            for insp in &layout.inspect {
                let Some(link) = combined.get(&insp.name) else {
                    continue;
                };
                let n = self.item_rules(
                    &insp.name,
                    &insp.expected_materials,
                    &insp.expected_products,
                    link,
                    &combined,
                    &mut warnings,
                )?;
                inspections.push((insp.name.clone(), n));
            }
        }
        let mut summary = Link::new(name);
        if let (Some(f), Some(l)) = (layout.steps.first(), layout.steps.last()) {
            if let (Some(fl), Some(ll)) = (reduced.get(&f.name), reduced.get(&l.name)) {
                summary.materials = fl.materials.clone();
                summary.products = ll.products.clone();
                summary.byproducts = ll.byproducts.clone();
                summary.command = ll.command.clone();
            }
        }
        Ok(VerifiedLayout {
            layout: layout.clone(),
            signed_by: keys.iter().map(|(k, _)| k.clone()).collect(),
            steps,
            inspections,
            warnings,
            summary,
        })
    }

    fn item_rules(
        &mut self,
        item: &str,
        material_rules: &[ArtifactRule],
        product_rules: &[ArtifactRule],
        link: &Link,
        links: &BTreeMap<String, Link>,
        warnings: &mut Vec<Warning>,
    ) -> Result<usize, Error> {
        self.side_rules(
            item,
            "materials",
            material_rules,
            &link.materials,
            link,
            links,
            warnings,
        )?;
        self.side_rules(
            item,
            "products",
            product_rules,
            &link.products,
            link,
            links,
            warnings,
        )?;
        Ok(material_rules.len() + product_rules.len())
    }

    #[allow(clippy::too_many_arguments)]
    fn side_rules(
        &mut self,
        item: &str,
        side: &'static str,
        rules: &[ArtifactRule],
        source: &Artifacts,
        link: &Link,
        links: &BTreeMap<String, Link>,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), Error> {
        // The queue: the side's paths (sorted, as the map keeps them) with a flag per path for
        // whether a rule consumed it; cheaper than a set to remove from.
        let on_products = side == "products";
        let other = if on_products {
            &link.materials
        } else {
            &link.products
        };
        let paths: Vec<(&str, &HashObj)> = source.iter().map(|(p, h)| (p.as_str(), h)).collect();
        let mut alive = vec![true; paths.len()];
        let mut remaining = paths.len();
        for rule in rules {
            self.rule_work = self.rule_work.saturating_add(remaining as u64 + 1);
            let queue = paths
                .iter()
                .zip(alive.iter())
                .enumerate()
                .filter(|(_, (_, a))| **a)
                .map(|(i, ((p, h), _))| (i, *p, *h));
            if self.rule_work > self.budget.rule_work {
                return Err(
                    LimitExceeded::new("artifact rule matches", self.budget.rule_work).into(),
                );
            }
            let consumed: Vec<usize> = match rule {
                ArtifactRule::Match {
                    pattern,
                    src_prefix,
                    dest_type,
                    dest_prefix,
                    dest_name,
                } => {
                    let Some(dest) = links.get(dest_name) else {
                        warnings.push(Warning::MatchTargetMissing {
                            item: item.to_owned(),
                            target: dest_name.clone(),
                        });
                        continue;
                    };
                    let dest_artifacts = match dest_type {
                        ArtifactType::Materials => &dest.materials,
                        ArtifactType::Products => &dest.products,
                    };
                    let src = if src_prefix.is_empty() || src_prefix.ends_with('/') {
                        src_prefix.clone()
                    } else {
                        format!("{src_prefix}/")
                    };
                    // Stripping one prefix and adding another keeps the queue's order, so the
                    // destination is walked once alongside it rather than searched per path.
                    let mut dest = Cursor::new(dest_artifacts);
                    let mut target = String::new();
                    queue
                        .filter(|(_, path, hash)| {
                            let rel = if src.is_empty() {
                                *path
                            } else if let Some(rel) = path.strip_prefix(src.as_str()) {
                                rel
                            } else {
                                return false;
                            };
                            fnmatch(pattern, rel)
                                && dest.get(join_into(&mut target, dest_prefix, rel)) == Some(*hash)
                        })
                        .map(|(i, _, _)| i)
                        .collect()
                }
                // The other side of the link, walked alongside the (sorted) queue; this side's
                // own hash is the queue's.
                ArtifactRule::Create(p) => {
                    let mut other = Cursor::new(other);
                    queue
                        .filter(|(_, a, _)| fnmatch(p, a) && on_products && other.get(a).is_none())
                        .map(|(i, _, _)| i)
                        .collect()
                }
                ArtifactRule::Delete(p) => {
                    let mut other = Cursor::new(other);
                    queue
                        .filter(|(_, a, _)| fnmatch(p, a) && !on_products && other.get(a).is_none())
                        .map(|(i, _, _)| i)
                        .collect()
                }
                ArtifactRule::Modify(p) => {
                    let mut other = Cursor::new(other);
                    queue
                        .filter(|(_, a, h)| fnmatch(p, a) && other.get(a).is_some_and(|o| o != *h))
                        .map(|(i, _, _)| i)
                        .collect()
                }
                ArtifactRule::Allow(p) => queue
                    .filter(|(_, a, _)| fnmatch(p, a))
                    .map(|(i, _, _)| i)
                    .collect(),
                ArtifactRule::Disallow(p) => {
                    let hit: Vec<String> = queue
                        .filter(|(_, a, _)| fnmatch(p, a))
                        .take(16)
                        .map(|(_, a, _)| a.to_owned())
                        .collect();
                    if !hit.is_empty() {
                        return Err(Error::Disallowed {
                            item: bounded(item),
                            side,
                            pattern: bounded(p),
                            artifacts: hit,
                        });
                    }
                    Vec::new()
                }
                ArtifactRule::Require(p) => {
                    let present = paths
                        .binary_search_by(|(x, _)| (*x).cmp(p.as_str()))
                        .is_ok_and(|i| alive.get(i).copied().unwrap_or(false));
                    if !present {
                        return Err(Error::Required {
                            item: bounded(item),
                            side,
                            path: bounded(p),
                        });
                    }
                    Vec::new()
                }
            };
            for i in consumed {
                if let Some(a) = alive.get_mut(i) {
                    if *a {
                        *a = false;
                        remaining -= 1;
                    }
                }
            }
        }
        Ok(())
    }
}
