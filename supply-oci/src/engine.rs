//! The verification engine's collecting half: what is attached to an image, read into
//! [`Attachment`]s for [`supply_sig::verify::dispatch`].
//!
//! It finds an image's referrers (by their `subject`) and cosign's derived `.sig`/`.att` tags,
//! reads each manifest and its layers (each checked against its digest, each capped), and hands
//! them over; the verifiers the application registers (cosign, Sigstore bundles, notation,
//! in-toto, SBOM policy) decide. This module decides nothing: a referrer it cannot read is
//! listed in [`Collected::unreadable`] with its error, never silently dropped.

use supply_sig::verify::{Attachment, Source};

use crate::layout::{self, Layout};
use crate::limits::{MAX_ATTACHMENT_BLOBS, MAX_ATTACHMENT_BYTES, MAX_REFERRERS_PER_SUBJECT};
use crate::{Descriptor, Digest, Manifest};

/// Why an attachment could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the layout failed.
    #[error("reading the layout failed")]
    Layout(#[source] Box<layout::Error>),
    /// The attached manifest is an index or has too many layers.
    #[error("the attachment {0} is not a manifest with at most {MAX_ATTACHMENT_BLOBS} layers")]
    Shape(Digest),
    /// The attachment's layers exceed [`MAX_ATTACHMENT_BYTES`] together.
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
    /// A registry request failed.
    #[cfg(feature = "client")]
    #[error("the registry request failed")]
    Registry(#[source] Box<crate::registry::Error>),
    /// The subject reference names no digest (resolve a tag first).
    #[error("the subject {0} names no digest")]
    NoDigest(String),
    /// A listed referrer's manifest is no longer in the repository.
    #[error("the listed referrer {0} is not in the repository")]
    Missing(Digest),
    /// A listed referrer's manifest has another `subject` (or none).
    #[error("the listed referrer {digest} is not a referrer of the subject (its subject: {})",
        .actual.as_ref().map_or_else(|| "none".to_owned(), |d| d.to_string()))]
    NotAReferrer {
        /// The listed manifest.
        digest: Digest,
        /// Its own `subject`, if any.
        actual: Option<Box<Digest>>,
    },
    /// A listed entry does not name a manifest or index media type.
    #[error("the listed referrer {0} is not a manifest")]
    NotAManifest(Digest),
}

#[cfg(feature = "client")]
impl From<crate::registry::Error> for Error {
    fn from(e: crate::registry::Error) -> Self {
        Self::Registry(Box::new(e))
    }
}

impl From<layout::Error> for Error {
    fn from(e: layout::Error) -> Self {
        Self::Layout(Box::new(e))
    }
}

/// What was found attached to a subject.
#[derive(Debug, Default)]
pub struct Collected {
    /// The attachments read, referrers first (by digest), then cosign's tags.
    pub attachments: Vec<Attachment>,
    /// Referrers or tags that were found but could not be read, with why.
    pub unreadable: Vec<(Digest, Error)>,
    /// How many referrers were left unread over [`MAX_REFERRERS_PER_SUBJECT`].
    pub over_limit: usize,
}

/// The layers of `manifest` an attachment reads: refused when it is not an image manifest,
/// has more than [`MAX_ATTACHMENT_BLOBS`] layers, or claims more than [`MAX_ATTACHMENT_BYTES`]
/// together (checked before any blob is read).
fn attachment_layers(manifest: &Manifest) -> Result<&[Descriptor], Error> {
    let digest = manifest.digest();
    let doc = manifest
        .document()
        .as_manifest()
        .ok_or(Error::Shape(digest))?;
    if doc.layers.len() > MAX_ATTACHMENT_BLOBS {
        return Err(Error::Shape(digest));
    }
    let mut total: u64 = 0;
    for layer in &doc.layers {
        total = total.saturating_add(layer.size);
        if total > MAX_ATTACHMENT_BYTES {
            return Err(supply_sig::limits::LimitExceeded::new(
                "attachment layers",
                MAX_ATTACHMENT_BYTES,
            )
            .with_actual(total)
            .into());
        }
    }
    Ok(&doc.layers)
}

/// The attachment of `source` made of `manifest` and its layers' bytes (in layer order, each
/// already checked against its descriptor by whoever read it).
fn build_attachment(manifest: &Manifest, source: Source, blobs: Vec<Vec<u8>>) -> Attachment {
    let layers = manifest
        .document()
        .as_manifest()
        .map(|m| m.layers.as_slice())
        .unwrap_or_default();
    let artifact_type = manifest
        .document()
        .as_manifest()
        .and_then(|m| {
            manifest
                .document()
                .artifact_type()
                .or(Some(m.config.media_type.as_str()))
        })
        .unwrap_or_default()
        .to_owned();
    let mut a = Attachment::new(manifest.digest(), artifact_type, manifest.raw().to_vec())
        .with_source(source);
    if let Some(s) = manifest.document().subject() {
        a = a.with_subject(s.digest);
    }
    if let Some(annotations) = manifest.document().annotations() {
        a = a.with_annotations(annotations.clone());
    }
    for (layer, bytes) in layers.iter().zip(blobs) {
        a = a.with_annotated_blob(
            layer.media_type.clone(),
            layer.annotations.clone().unwrap_or_default(),
            bytes,
        );
    }
    a
}

/// Reads `manifest`'s layers from `read_blob` into an attachment of `source`.
fn attachment(
    manifest: &Manifest,
    source: Source,
    mut read_blob: impl FnMut(&Descriptor) -> Result<Vec<u8>, Error>,
) -> Result<Attachment, Error> {
    let blobs = attachment_layers(manifest)?
        .iter()
        .map(&mut read_blob)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(build_attachment(manifest, source, blobs))
}

/// Collects what is attached to `subject` in an image layout: its referrers (found by scanning
/// manifests' `subject`, as oras stores them) and cosign's `sha256-<hex>.sig`/`.att` tags.
///
/// # Errors
/// [`Error::Layout`] when the layout itself cannot be walked; single unreadable attachments go
/// to [`Collected::unreadable`].
pub fn collect_from_layout(layout: &Layout, subject: &Digest) -> Result<Collected, Error> {
    let mut out = Collected::default();
    let referrers = layout.referrers(subject)?;
    out.over_limit = referrers.len().saturating_sub(MAX_REFERRERS_PER_SUBJECT);
    let read = |desc: &Descriptor| layout.read_blob(desc).map_err(Error::from);
    for desc in referrers.iter().take(MAX_REFERRERS_PER_SUBJECT) {
        let got = layout
            .read_manifest(desc)
            .map_err(Error::from)
            .and_then(|m| attachment(&m, Source::Referrers, read));
        match got {
            Ok(a) => out.attachments.push(a),
            Err(e) => out.unreadable.push((desc.digest, e)),
        }
    }
    #[cfg(feature = "sigstore")]
    for tag in [
        crate::cosign::signature_tag(subject),
        crate::cosign::attestation_tag(subject),
    ] {
        let Ok(desc) = layout.resolve(&tag) else {
            continue;
        };
        let got = layout
            .read_manifest(&desc)
            .map_err(Error::from)
            .and_then(|m| attachment(&m, Source::DerivedTag(tag.clone()), read));
        match got {
            Ok(a) => out.attachments.push(a),
            Err(e) => out.unreadable.push((desc.digest, e)),
        }
    }
    Ok(out)
}

/// Collects what is attached to `subject` (a reference with a digest) in its repository: its
/// referrers through [`Client::referrers`](crate::registry::Client::referrers) (the Referrers
/// API, else the fallback tag; each listed manifest fetched by digest, so its digest is
/// re-verified, and its `subject` checked), and cosign's `sha256-<hex>.sig`/`.att` tags. The
/// same caps as [`collect_from_layout`] apply; each manifest is fetched again by digest and its
/// `subject` checked again here before its layers are read (each checked against its digest).
///
/// # Errors
/// [`Error::NoDigest`], and [`Error::Registry`] when the referrers cannot be listed at all;
/// single unreadable attachments (and listed entries that are not referrers of `subject`) go to
/// [`Collected::unreadable`].
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub async fn collect_from_registry(
    client: &crate::registry::Client,
    subject: &crate::reference::Reference,
) -> Result<Collected, Error> {
    use crate::registry::SkipReason;
    let digest = *subject
        .digest()
        .ok_or_else(|| Error::NoDigest(subject.to_string()))?;
    let mut out = Collected::default();
    // The client fetched and checked each referrer's manifest (digest, subject) to list it;
    // they come back with the listing instead of being fetched a second time.
    let (listed, manifests) = client
        .referrers_with_manifests(subject, None, MAX_REFERRERS_PER_SUBJECT)
        .await?;
    for s in listed.skipped {
        let d = s.descriptor.digest;
        let e = match s.reason {
            SkipReason::Missing => Error::Missing(d),
            SkipReason::SubjectMismatch { actual } => Error::NotAReferrer {
                digest: d,
                actual: actual.map(Box::new),
            },
            SkipReason::NotAManifest => Error::NotAManifest(d),
        };
        out.unreadable.push((d, e));
    }
    out.over_limit = listed
        .referrers
        .len()
        .saturating_sub(MAX_REFERRERS_PER_SUBJECT);
    for (desc, m) in listed.referrers.iter().zip(&manifests) {
        match registry_attachment(client, subject, m, Source::Referrers).await {
            Ok(a) => out.attachments.push(a),
            Err(e) => out.unreadable.push((desc.digest, e)),
        }
    }
    #[cfg(feature = "sigstore")]
    for tag in [
        crate::cosign::signature_tag(&digest),
        crate::cosign::attestation_tag(&digest),
    ] {
        let Ok(reference) = subject.with_tag(&tag) else {
            continue;
        };
        let m = match client.fetch_manifest(&reference).await {
            Ok(m) => m,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                out.unreadable.push((digest, e.into()));
                continue;
            }
        };
        let d = m.digest();
        match registry_attachment(client, subject, &m, Source::DerivedTag(tag)).await {
            Ok(a) => out.attachments.push(a),
            Err(e) => out.unreadable.push((d, e)),
        }
    }
    Ok(out)
}

/// Reads `manifest`'s layers from `repo` (each capped by its descriptor and verified against
/// its digest by the client) into an attachment of `source`.
#[cfg(feature = "client")]
async fn registry_attachment(
    client: &crate::registry::Client,
    repo: &crate::reference::Reference,
    manifest: &Manifest,
    source: Source,
) -> Result<Attachment, Error> {
    let mut blobs = Vec::new();
    for layer in attachment_layers(manifest)? {
        blobs.push(
            client
                .fetch_blob_bytes(repo, layer, MAX_ATTACHMENT_BYTES)
                .await?,
        );
    }
    Ok(build_attachment(manifest, source, blobs))
}
