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

/// Reads `manifest`'s layers from `read_blob` into an attachment of `source`.
fn attachment(
    manifest: &Manifest,
    source: Source,
    mut read_blob: impl FnMut(&Descriptor) -> Result<Vec<u8>, Error>,
) -> Result<Attachment, Error> {
    let digest = manifest.digest();
    let doc = manifest
        .document()
        .as_manifest()
        .ok_or(Error::Shape(digest))?;
    if doc.layers.len() > MAX_ATTACHMENT_BLOBS {
        return Err(Error::Shape(digest));
    }
    let artifact_type = manifest
        .document()
        .artifact_type()
        .unwrap_or(&doc.config.media_type)
        .to_owned();
    let mut a = Attachment::new(digest, artifact_type, manifest.raw().to_vec()).with_source(source);
    if let Some(s) = manifest.document().subject() {
        a = a.with_subject(s.digest);
    }
    if let Some(annotations) = manifest.document().annotations() {
        a = a.with_annotations(annotations.clone());
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
        let bytes = read_blob(layer)?;
        a = a.with_annotated_blob(
            layer.media_type.clone(),
            layer.annotations.clone().unwrap_or_default(),
            bytes,
        );
    }
    Ok(a)
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
