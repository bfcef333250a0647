//! Referrers (distribution-spec v1.1.1 "Listing Referrers" and "Referrers Tag Schema"): the
//! Referrers API where the registry has it, the `<alg>-<hex>` fallback tag where it does not,
//! for reading and for writing.
//!
//! **Reading** ([`Client::referrers`]): `GET /v2/<name>/referrers/<digest>` with `Link` paging
//! (page and count caps); a 404 means the registry has no API (distribution 2.8 answers a
//! `text/plain` 404), and the fallback index under [`referrers_tag`] is read instead (404
//! there: no referrers). Every entry is then checked against its manifest, fetched by digest:
//! its digest, its `subject` (it must be the subject asked about), and its artifact type and
//! annotations, which replace the entry's. Entries are never trusted alone: cosign 3.1.1
//! writes `application/vnd.oci.empty.v1+json` entries for bundles, and anyone who can push a
//! tag can write any entry. The `artifactType` filter is applied here to the verified types,
//! whatever the registry claims in `OCI-Filters-Applied`.
//!
//! **Writing** ([`Client::attach`]): the manifest is pushed by digest; when the registry does
//! not answer `OCI-Subject`, the fallback index is read, the entry appended unless present
//! (its `artifactType` the manifest's, else its config's media type; all its annotations
//! copied), and written back with `If-Match` when the registry offered an `ETag`, retried
//! when another writer got there first. [`Client::detach`] deletes a referrer and removes its
//! entry.

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use supply_sig::digest::Digest;

use super::{header_str, http_error, lock, shown, Client, Error, Pushed};
use crate::auth::ScopeSet;
use crate::descriptor::Descriptor;
use crate::manifest::{Document, ImageIndex, Manifest};
use crate::media_type;
use crate::reference::{referrers_tag, Reference};

/// Referrer manifests fetched at the same time while verifying a listing: 8 (one connection
/// each; oras-go's default concurrency for copies is 3, crane's 4 jobs).
pub const MAX_CONCURRENT_FETCHES: usize = 8;

/// How many times a fallback index update is retried when another writer changed it.
pub const MAX_UPDATE_ATTEMPTS: usize = 4;

/// The referrers of one subject.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Referrers {
    /// The verified referrers: each descriptor is built from the manifest itself (media
    /// type, digest, size, artifact type, annotations), in the order the registry listed them.
    pub referrers: Vec<Descriptor>,
    /// Entries the registry listed that are not referrers of the subject.
    pub skipped: Vec<Skipped>,
    /// Whether they came from the Referrers API (`false`: the fallback tag).
    pub from_api: bool,
}

/// A listed entry that was left out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Skipped {
    /// The entry as listed.
    pub descriptor: Descriptor,
    /// Why.
    pub reason: SkipReason,
}

/// Why a listed entry was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Its manifest is not in the repository (deleted after the index was written).
    Missing,
    /// Its manifest's `subject` is another manifest (or none).
    SubjectMismatch {
        /// The manifest's subject, if any.
        actual: Option<Digest>,
    },
    /// The entry is not a manifest or index media type.
    NotAManifest,
}

fn subject_digest(subject: &Reference) -> Result<Digest, Error> {
    subject.digest().copied().ok_or_else(|| Error::NoDigest {
        reference: subject.to_string(),
    })
}

/// The fallback index entry for `manifest`: its artifact type (else its config's media type)
/// and all its annotations.
pub fn fallback_entry(manifest: &Manifest) -> Descriptor {
    let mut d = Descriptor::new(
        manifest.media_type(),
        manifest.digest(),
        manifest.raw().len() as u64,
    );
    d.artifact_type = match manifest.document() {
        Document::OciManifest(m) | Document::DockerManifest(m) => m
            .artifact_type
            .clone()
            .or_else(|| Some(m.config.media_type.clone())),
        Document::OciIndex(i) | Document::DockerManifestList(i) => i.artifact_type.clone(),
        _ => None,
    };
    d.annotations = manifest.document().annotations().cloned();
    d
}

impl Client {
    fn api_key(repo: &Reference) -> String {
        format!("{}/{}", repo.registry(), repo.repository())
    }

    fn known_api(&self, repo: &Reference) -> Option<bool> {
        lock(&self.referrers_api).get(&Self::api_key(repo)).copied()
    }

    fn set_api(&self, repo: &Reference, on: bool) {
        lock(&self.referrers_api).insert(Self::api_key(repo), on);
    }

    /// The referrers of the manifest `subject` (a reference with a digest), verified as the
    /// module says; only those of `artifact_type` when given.
    ///
    /// # Errors
    /// [`Error::NoDigest`], [`Error::TooManyPages`], [`Error::LimitExceeded`],
    /// [`Error::NotAnIndex`], and the errors of [`Client::fetch_manifest`] for the listing and
    /// each referrer (a referrer whose digest does not match fails the whole call).
    pub async fn referrers(
        &self,
        subject: &Reference,
        artifact_type: Option<&str>,
    ) -> Result<Referrers, Error> {
        Ok(self
            .referrers_with_manifests(subject, artifact_type, 0)
            .await?
            .0)
    }

    /// As [`Client::referrers`], also handing back the manifests fetched to verify the first
    /// `keep` referrers (in the same order as [`Referrers::referrers`]), so a caller that reads
    /// them (the verification engine) does not fetch them again. At most `keep` manifests are
    /// held, each under the manifest size cap.
    ///
    /// # Errors
    /// As [`Client::referrers`].
    pub async fn referrers_with_manifests(
        &self,
        subject: &Reference,
        artifact_type: Option<&str>,
        keep: usize,
    ) -> Result<(Referrers, Vec<Manifest>), Error> {
        let mut manifests = Vec::new();
        let digest = subject_digest(subject)?;
        let (listed, from_api) = match self.list_api(subject, &digest, artifact_type).await? {
            Some(l) => (l, true),
            None => (self.fallback_index(subject, &digest).await?.0, false),
        };
        let mut out = Referrers {
            referrers: Vec::new(),
            skipped: Vec::new(),
            from_api,
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut candidates = Vec::new();
        for entry in listed {
            if !seen.insert(entry.digest) {
                continue;
            }
            if crate::manifest::Kind::from_media_type(&entry.media_type).is_none() {
                out.skipped.push(Skipped {
                    descriptor: entry,
                    reason: SkipReason::NotAManifest,
                });
                continue;
            }
            candidates.push(entry);
        }
        // A few manifests in flight at a time, results in listing order: a subject with many
        // referrers costs round trips / MAX_CONCURRENT_FETCHES, and memory stays bounded.
        use futures_util::StreamExt as _;
        let mut fetched = futures_util::stream::iter(candidates.into_iter().map(|entry| async {
            let m = self
                .fetch_manifest(&subject.with_digest(entry.digest))
                .await;
            (entry, m)
        }))
        .buffered(MAX_CONCURRENT_FETCHES);
        while let Some((entry, fetched)) = fetched.next().await {
            let manifest = match fetched {
                Ok(m) => m,
                Err(e) if e.is_not_found() => {
                    out.skipped.push(Skipped {
                        descriptor: entry,
                        reason: SkipReason::Missing,
                    });
                    continue;
                }
                Err(e) => return Err(e),
            };
            let actual = manifest.document().subject().map(|s| s.digest);
            if actual != Some(digest) {
                out.skipped.push(Skipped {
                    descriptor: entry,
                    reason: SkipReason::SubjectMismatch { actual },
                });
                continue;
            }
            let mut d = Descriptor::new(
                manifest.media_type(),
                entry.digest,
                manifest.raw().len() as u64,
            );
            d.artifact_type = manifest.document().artifact_type().map(str::to_owned);
            d.annotations = manifest.document().annotations().cloned();
            if artifact_type.is_none_or(|t| d.artifact_type.as_deref() == Some(t)) {
                out.referrers.push(d);
                if manifests.len() < keep {
                    manifests.push(manifest);
                }
            }
        }
        Ok((out, manifests))
    }

    /// The Referrers API listing, or `None` when the registry has no API (404).
    async fn list_api(
        &self,
        subject: &Reference,
        digest: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, Error> {
        if self.known_api(subject) == Some(false) {
            return Ok(None);
        }
        let (registry, name) = (subject.registry(), subject.repository());
        let mut url = self.url(registry, &format!("{name}/referrers/{digest}"))?;
        if let Some(t) = artifact_type {
            url.query_pairs_mut().append_pair("artifactType", t);
        }
        let scopes = ScopeSet::pull(name);
        let limits = self.options.limits;
        let mut out = Vec::new();
        let mut pages = 0usize;
        loop {
            pages += 1;
            if pages > limits.max_referrer_pages {
                return Err(Error::TooManyPages {
                    what: "referrers",
                    limit: limits.max_referrer_pages,
                });
            }
            let mut req = Self::req(Method::GET, url.clone(), registry, &scopes);
            req.headers
                .insert(ACCEPT, HeaderValue::from_static(media_type::OCI_INDEX));
            let resp = self.send(req, true).await?;
            if resp.status() == StatusCode::NOT_FOUND && pages == 1 {
                self.set_api(subject, false);
                return Ok(None);
            }
            if !resp.status().is_success() {
                return Err(Self::fail(Method::GET, &url, resp).await);
            }
            let next = super::next_link(&url, resp.headers())?;
            let declared = header_str(resp.headers(), CONTENT_TYPE.as_str()).map(str::to_owned);
            let body = supply_sig::http::read_body(
                resp,
                url.as_str(),
                limits.max_manifest_len,
                "referrers page",
            )
            .await
            .map_err(http_error)?;
            let page =
                Manifest::parse_with_limit(body, declared.as_deref(), limits.max_manifest_len)
                    .map_err(|source| Error::Manifest {
                        url: shown(&url),
                        source,
                    })?;
            let Some(index) = page.document().as_index() else {
                return Err(Error::NotAnIndex {
                    tag: format!("referrers/{digest}"),
                    kind: page.kind(),
                });
            };
            out.extend(index.manifests.iter().cloned());
            if out.len() > limits.max_referrers {
                return Err(Error::LimitExceeded(crate::limits::LimitExceeded::new(
                    "referrers",
                    limits.max_referrers,
                )));
            }
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        self.set_api(subject, true);
        Ok(Some(out))
    }

    /// The fallback index of `digest` in `repo`: its entries, its `ETag`, and whether it exists.
    async fn fallback_index(
        &self,
        repo: &Reference,
        digest: &Digest,
    ) -> Result<(Vec<Descriptor>, Option<String>, bool), Error> {
        let tag = referrers_tag(digest);
        let reference = repo.with_tag(&tag).map_err(|_| Error::NoDigest {
            reference: repo.to_string(),
        })?;
        match self.fetch_manifest_etag(&reference).await {
            Ok((m, etag)) => match m.document().as_index() {
                Some(i) => {
                    if i.manifests.len() > self.options.limits.max_referrers {
                        return Err(Error::LimitExceeded(crate::limits::LimitExceeded::new(
                            "referrers",
                            self.options.limits.max_referrers,
                        )));
                    }
                    Ok((i.manifests.clone(), etag, true))
                }
                None => Err(Error::NotAnIndex {
                    tag,
                    kind: m.kind(),
                }),
            },
            Err(e) if e.is_not_found() => Ok((Vec::new(), None, false)),
            Err(e) => Err(e),
        }
    }

    /// Reads, changes with `edit` (which says whether it changed anything) and writes back
    /// the fallback index of `digest`, with `If-Match` when an `ETag` was offered.
    async fn update_fallback(
        &self,
        repo: &Reference,
        digest: &Digest,
        edit: impl Fn(&mut Vec<Descriptor>) -> bool,
    ) -> Result<(), Error> {
        let tag = referrers_tag(digest);
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let (mut entries, etag, _) = self.fallback_index(repo, digest).await?;
            if !edit(&mut entries) {
                return Ok(());
            }
            let index = Manifest::encode(&Document::OciIndex(ImageIndex::new(entries))).map_err(
                |source| Error::Manifest {
                    url: tag.clone(),
                    source,
                },
            )?;
            match self.put_manifest(repo, &tag, &index, etag.as_deref()).await {
                Ok(_) => return Ok(()),
                Err(e) if e.status() == Some(412) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict {
            tag,
            attempts: MAX_UPDATE_ATTEMPTS,
        })
    }

    /// Pushes `manifest` (which has a `subject`) to `repo` by digest and, when the registry
    /// does not answer `OCI-Subject`, adds it to the subject's fallback index.
    ///
    /// # Errors
    /// [`Error::NoSubject`], [`Error::NotAnIndex`], [`Error::Conflict`], and as
    /// [`Client::push_manifest`].
    pub async fn attach(&self, repo: &Reference, manifest: &Manifest) -> Result<Pushed, Error> {
        let subject = manifest
            .document()
            .subject()
            .map(|s| s.digest)
            .ok_or(Error::NoSubject {
                digest: manifest.digest(),
            })?;
        let pushed = self
            .push_manifest(&repo.with_digest(manifest.digest()), manifest)
            .await?;
        if pushed.oci_subject.is_some() {
            self.set_api(repo, true);
            return Ok(pushed);
        }
        let entry = fallback_entry(manifest);
        self.update_fallback(repo, &subject, |entries| {
            if entries.iter().any(|e| e.digest == entry.digest) {
                false
            } else {
                entries.push(entry.clone());
                true
            }
        })
        .await?;
        Ok(pushed)
    }

    /// Deletes the referrer `digest` from `repo` and, for a registry without the Referrers
    /// API, its entry from the subject's fallback index.
    ///
    /// # Errors
    /// [`Error::NoSubject`], and as [`Client::delete_manifest`] and [`Client::attach`].
    pub async fn detach(&self, repo: &Reference, digest: &Digest) -> Result<(), Error> {
        let manifest = self.fetch_manifest(&repo.with_digest(*digest)).await?;
        let subject = manifest
            .document()
            .subject()
            .map(|s| s.digest)
            .ok_or(Error::NoSubject { digest: *digest })?;
        self.delete_manifest(repo, digest).await?;
        let subject_ref = repo.with_digest(subject);
        let api = match self.known_api(repo) {
            Some(a) => a,
            None => self.list_api(&subject_ref, &subject, None).await?.is_some(),
        };
        if api {
            return Ok(());
        }
        self.update_fallback(repo, &subject, |entries| {
            let before = entries.len();
            entries.retain(|e| e.digest != *digest);
            entries.len() != before
        })
        .await
    }
}
