//! Manifests and indexes: OCI image manifest and index (image-spec 1.1), Docker schema 2
//! manifest and manifest list, and Docker schema 1 (read only).
//!
//! A [`Manifest`] keeps the bytes it was parsed from beside the parsed [`Document`]; its
//! digest is computed over those bytes, never over a re-serialization. Docker schema 1 signed
//! manifests are the one exception the format defines: their digest covers the JWS payload
//! with the signatures removed.
//!
//! ```
//! use supply_oci::manifest::{Kind, Manifest};
//!
//! // No `mediaType` field (umoci 0.4.7, ggcr): the kind comes from the structure.
//! let raw = br#"{"schemaVersion":2,"manifests":[]}"#;
//! let m = Manifest::parse(raw.to_vec(), None)?;
//! assert_eq!(m.kind(), Kind::OciIndex);
//! assert_eq!(m.raw(), raw);
//! assert_eq!(m.digest(), supply_oci::Algorithm::Sha256.digest(raw));
//! # Ok::<(), supply_oci::manifest::Error>(())
//! ```

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use supply_sig::digest::{Algorithm, Digest};

use crate::descriptor::{Annotations, Descriptor};
use crate::limits::{LimitExceeded, MAX_MANIFEST_LEN};
use crate::{media_type, validate};

/// Errors from parsing a manifest or index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is larger than [`MAX_MANIFEST_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The document breaks the image-spec rules (or is not strict JSON).
    #[error("the document is not a valid {0}")]
    Invalid(Kind, #[source] validate::Error),
    /// The bytes are not strict JSON.
    #[error("the manifest is not valid JSON")]
    Json(#[source] validate::Error),
    /// The document is valid but does not fit the typed model (for example a digest algorithm
    /// this crate does not implement).
    #[error("the {0} does not fit the model")]
    Model(Kind, #[source] serde_json::Error),
    /// The declared media type (HTTP `Content-Type` or a descriptor) is not a manifest type.
    #[error("media type {0:?} is not a manifest or index type")]
    UnsupportedMediaType(String),
    /// The declared media type and the document's own `mediaType` (or structure) disagree.
    #[error("declared as {declared:?} but the content is {content:?}")]
    MediaTypeMismatch {
        /// What the caller (Content-Type, descriptor) said.
        declared: String,
        /// What the document says or is.
        content: String,
    },
    /// The document is not any known manifest kind (no `mediaType`, unknown
    /// `schemaVersion`, or no recognisable structure).
    #[error("the document is not a known manifest kind")]
    UnknownKind,
    /// The `signatures` of a signed schema 1 manifest are malformed, so its digest cannot be
    /// computed.
    #[error("malformed Docker schema 1 signatures: {0}")]
    Schema1Signatures(&'static str),
    /// The bytes do not have the digest or size expected.
    #[error("manifest digest {} (size {}) does not match the expected {} (size {})", .0.actual, .0.actual_size, .0.expected, .0.expected_size)]
    DigestMismatch(Box<Mismatch>),
}

/// What was expected of some content and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The digest expected (from a descriptor or a file name).
    pub expected: Digest,
    /// The digest of the content.
    pub actual: Digest,
    /// The size expected.
    pub expected_size: u64,
    /// The size of the content.
    pub actual_size: u64,
}

/// The kind of a manifest document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// OCI image manifest.
    OciManifest,
    /// OCI image index.
    OciIndex,
    /// Docker image manifest, schema 2.
    DockerManifest,
    /// Docker manifest list.
    DockerManifestList,
    /// Docker schema 1, unsigned.
    DockerSchema1,
    /// Docker schema 1, signed (JWS).
    DockerSchema1Signed,
}

impl Kind {
    /// The media type of this kind.
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::OciManifest => media_type::OCI_MANIFEST,
            Self::OciIndex => media_type::OCI_INDEX,
            Self::DockerManifest => media_type::DOCKER_MANIFEST,
            Self::DockerManifestList => media_type::DOCKER_MANIFEST_LIST,
            Self::DockerSchema1 => media_type::DOCKER_SCHEMA1,
            Self::DockerSchema1Signed => media_type::DOCKER_SCHEMA1_SIGNED,
        }
    }

    /// The kind a media type names (parameters are ignored).
    pub fn from_media_type(mt: &str) -> Option<Self> {
        Some(match media_type::essence(mt).as_str() {
            media_type::OCI_MANIFEST => Self::OciManifest,
            media_type::OCI_INDEX => Self::OciIndex,
            media_type::DOCKER_MANIFEST => Self::DockerManifest,
            media_type::DOCKER_MANIFEST_LIST => Self::DockerManifestList,
            media_type::DOCKER_SCHEMA1 => Self::DockerSchema1,
            media_type::DOCKER_SCHEMA1_SIGNED => Self::DockerSchema1Signed,
            _ => return None,
        })
    }

    /// Whether documents of this kind list other manifests (index, manifest list).
    pub const fn is_index(self) -> bool {
        matches!(self, Self::OciIndex | Self::DockerManifestList)
    }

    const fn family(self) -> u8 {
        match self {
            Self::OciManifest | Self::DockerManifest => 0,
            Self::OciIndex | Self::DockerManifestList => 1,
            Self::DockerSchema1 | Self::DockerSchema1Signed => 2,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::OciManifest => "OCI image manifest",
            Self::OciIndex => "OCI image index",
            Self::DockerManifest => "Docker schema 2 manifest",
            Self::DockerManifestList => "Docker manifest list",
            Self::DockerSchema1 => "Docker schema 1 manifest",
            Self::DockerSchema1Signed => "signed Docker schema 1 manifest",
        })
    }
}

/// An image manifest (OCI, or Docker schema 2, which has the same shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// Always 2.
    pub schema_version: u32,
    /// The document's media type (absent in some real documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The artifact type of an artifact manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The configuration blob.
    pub config: Descriptor,
    /// The layers, base first.
    pub layers: Vec<Descriptor>,
    /// The manifest this one refers to (referrers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Fields this crate does not model, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ImageManifest {
    /// A new OCI manifest with `config` and `layers` (media type set, nothing else).
    pub fn new(config: Descriptor, layers: Vec<Descriptor>) -> Self {
        Self {
            schema_version: 2,
            media_type: Some(media_type::OCI_MANIFEST.to_owned()),
            artifact_type: None,
            config,
            layers,
            subject: None,
            annotations: None,
            extra: BTreeMap::new(),
        }
    }

    /// The artifact type as the Referrers API reports it: `artifactType`, else the config's
    /// media type unless that is the empty type (`image-spec` `manifest.md`).
    pub fn effective_artifact_type(&self) -> Option<&str> {
        match &self.artifact_type {
            Some(t) => Some(t),
            None if self.config.media_type != media_type::OCI_EMPTY => {
                Some(&self.config.media_type)
            }
            None => None,
        }
    }
}

/// An image index (OCI, or Docker manifest list, which has the same shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// Always 2.
    pub schema_version: u32,
    /// The document's media type (absent in some real documents and in layouts' `index.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The artifact type of an artifact index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The manifests listed.
    pub manifests: Vec<Descriptor>,
    /// The manifest this one refers to (referrers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Fields this crate does not model, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ImageIndex {
    /// A new OCI index listing `manifests`.
    pub fn new(manifests: Vec<Descriptor>) -> Self {
        Self {
            schema_version: 2,
            media_type: Some(media_type::OCI_INDEX.to_owned()),
            artifact_type: None,
            manifests,
            subject: None,
            annotations: None,
            extra: BTreeMap::new(),
        }
    }
}

/// One layer of a Docker schema 1 manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FsLayer {
    /// The layer's digest.
    pub blob_sum: Digest,
}

/// A Docker schema 1 manifest (read only; registries still serve it when a client sends no
/// `Accept` header).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema1Manifest {
    /// Always 1.
    pub schema_version: u32,
    /// Repository name.
    #[serde(default)]
    pub name: String,
    /// Tag.
    #[serde(default)]
    pub tag: String,
    /// CPU architecture.
    #[serde(default)]
    pub architecture: String,
    /// Layers, newest first.
    pub fs_layers: Vec<FsLayer>,
    /// The v1 history entries (JSON strings), newest first.
    #[serde(default)]
    pub history: Vec<Value>,
    /// The JWS signatures, when signed (not verified by this crate: libtrust keys are not
    /// anchored anywhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Value>,
    /// Fields this crate does not model, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A parsed document of one of the manifest kinds.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// OCI image manifest.
    OciManifest(ImageManifest),
    /// OCI image index.
    OciIndex(ImageIndex),
    /// Docker schema 2 manifest.
    DockerManifest(ImageManifest),
    /// Docker manifest list.
    DockerManifestList(ImageIndex),
    /// Docker schema 1, signed or not.
    DockerSchema1(Schema1Manifest),
}

impl Document {
    /// The image manifest, for the OCI and Docker schema 2 kinds.
    pub fn as_manifest(&self) -> Option<&ImageManifest> {
        match self {
            Self::OciManifest(m) | Self::DockerManifest(m) => Some(m),
            _ => None,
        }
    }

    /// The index, for the OCI index and the Docker manifest list.
    pub fn as_index(&self) -> Option<&ImageIndex> {
        match self {
            Self::OciIndex(i) | Self::DockerManifestList(i) => Some(i),
            _ => None,
        }
    }

    /// The `subject` descriptor, if any.
    pub fn subject(&self) -> Option<&Descriptor> {
        match self {
            Self::OciManifest(m) | Self::DockerManifest(m) => m.subject.as_ref(),
            Self::OciIndex(i) | Self::DockerManifestList(i) => i.subject.as_ref(),
            Self::DockerSchema1(_) => None,
        }
    }

    /// The artifact type as the Referrers API reports it (see
    /// [`ImageManifest::effective_artifact_type`]).
    pub fn artifact_type(&self) -> Option<&str> {
        match self {
            Self::OciManifest(m) | Self::DockerManifest(m) => m.effective_artifact_type(),
            Self::OciIndex(i) | Self::DockerManifestList(i) => i.artifact_type.as_deref(),
            Self::DockerSchema1(_) => None,
        }
    }

    /// The document's annotations.
    pub fn annotations(&self) -> Option<&Annotations> {
        match self {
            Self::OciManifest(m) | Self::DockerManifest(m) => m.annotations.as_ref(),
            Self::OciIndex(i) | Self::DockerManifestList(i) => i.annotations.as_ref(),
            Self::DockerSchema1(_) => None,
        }
    }

    /// Every descriptor this document points at: config and layers, or the listed
    /// manifests (not the subject, which points the other way).
    pub fn children(&self) -> Vec<&Descriptor> {
        match self {
            Self::OciManifest(m) | Self::DockerManifest(m) => {
                std::iter::once(&m.config).chain(&m.layers).collect()
            }
            Self::OciIndex(i) | Self::DockerManifestList(i) => i.manifests.iter().collect(),
            Self::DockerSchema1(_) => Vec::new(),
        }
    }
}

/// A manifest or index: the bytes received, the parsed document and its digest.
#[derive(Clone, Debug)]
pub struct Manifest {
    raw: Vec<u8>,
    kind: Kind,
    document: Document,
    /// For signed schema 1: the JWS payload the digest covers.
    payload: Option<Vec<u8>>,
}

/// Media types that say nothing about the kind (schema 1 is often served as `application/json`).
fn is_generic(mt: &str) -> bool {
    matches!(
        mt,
        "" | "application/json" | "text/plain" | "application/octet-stream"
    )
}

fn kind_from_structure(v: &serde_json::Map<String, Value>) -> Result<Kind, Error> {
    match v.get("schemaVersion").and_then(Value::as_u64) {
        Some(1) => Ok(if v.contains_key("signatures") {
            Kind::DockerSchema1Signed
        } else {
            Kind::DockerSchema1
        }),
        Some(2) => {
            if v.contains_key("manifests") {
                Ok(Kind::OciIndex)
            } else if v.contains_key("config") && v.contains_key("layers") {
                let cfg = v
                    .get("config")
                    .and_then(|c| c.get("mediaType"))
                    .and_then(Value::as_str);
                Ok(if cfg == Some(media_type::DOCKER_CONFIG) {
                    Kind::DockerManifest
                } else {
                    Kind::OciManifest
                })
            } else {
                Err(Error::UnknownKind)
            }
        }
        _ => Err(Error::UnknownKind),
    }
}

impl Manifest {
    /// Parses `raw` as a manifest or index.
    ///
    /// `declared` is what the transport said: the HTTP `Content-Type` or the media type of
    /// the descriptor the bytes were found by. The document's own `mediaType` wins when
    /// present (and must agree with a specific `declared`); without one the kind comes from
    /// `declared`, else from the structure (`manifests` → index, `config` + `layers` →
    /// manifest, `schemaVersion: 1` → schema 1).
    ///
    /// # Errors
    /// See [`Error`].
    pub fn parse(raw: Vec<u8>, declared: Option<&str>) -> Result<Self, Error> {
        Self::parse_with_limit(raw, declared, MAX_MANIFEST_LEN)
    }

    /// [`parse`](Self::parse) with another size cap than [`MAX_MANIFEST_LEN`] (an image
    /// layout's `index.json` is read with
    /// [`MAX_LAYOUT_INDEX_LEN`](crate::limits::MAX_LAYOUT_INDEX_LEN)).
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn parse_with_limit(
        raw: Vec<u8>,
        declared: Option<&str>,
        max_len: usize,
    ) -> Result<Self, Error> {
        let v = validate::parse_strict(&raw, max_len, "manifest JSON").map_err(|e| match e {
            validate::Error::LimitExceeded(l) => Error::LimitExceeded(l),
            other => Error::Json(other),
        })?;
        let kind = detect_value(&v, declared)?;
        let document = match kind {
            Kind::OciManifest | Kind::OciIndex => {
                validate::validate_value(kind.media_type(), &v)
                    .map_err(|e| Error::Invalid(kind, e))?;
                if kind == Kind::OciManifest {
                    Document::OciManifest(
                        serde_json::from_value(v).map_err(|e| Error::Model(kind, e))?,
                    )
                } else {
                    Document::OciIndex(
                        serde_json::from_value(v).map_err(|e| Error::Model(kind, e))?,
                    )
                }
            }
            Kind::DockerManifest => {
                validate::docker_manifest(&v).map_err(|e| Error::Invalid(kind, e))?;
                Document::DockerManifest(
                    serde_json::from_value(v).map_err(|e| Error::Model(kind, e))?,
                )
            }
            Kind::DockerManifestList => {
                validate::validate_value(media_type::OCI_INDEX, &v)
                    .map_err(|e| Error::Invalid(kind, e))?;
                Document::DockerManifestList(
                    serde_json::from_value(v).map_err(|e| Error::Model(kind, e))?,
                )
            }
            Kind::DockerSchema1 | Kind::DockerSchema1Signed => {
                let m: Schema1Manifest =
                    serde_json::from_value(v).map_err(|e| Error::Model(kind, e))?;
                if m.schema_version != 1 {
                    return Err(Error::UnknownKind);
                }
                Document::DockerSchema1(m)
            }
        };
        let payload = match (&document, kind) {
            (Document::DockerSchema1(m), _) if m.signatures.is_some() => {
                Some(schema1_payload(&raw, m.signatures.as_ref())?)
            }
            _ => None,
        };
        let kind = match (kind, &payload) {
            (Kind::DockerSchema1 | Kind::DockerSchema1Signed, Some(_)) => Kind::DockerSchema1Signed,
            (Kind::DockerSchema1 | Kind::DockerSchema1Signed, None) => Kind::DockerSchema1,
            (k, _) => k,
        };
        Ok(Self {
            raw,
            kind,
            document,
            payload,
        })
    }

    /// The kind of `raw` by the rules of [`parse`](Self::parse), without validating the
    /// document: what `GuessMIMEType` of containers/image answers.
    ///
    /// # Errors
    /// [`Error::Json`], [`Error::LimitExceeded`], [`Error::UnknownKind`],
    /// [`Error::UnsupportedMediaType`], [`Error::MediaTypeMismatch`].
    pub fn detect(raw: &[u8], declared: Option<&str>) -> Result<Kind, Error> {
        let v = validate::parse_strict(raw, MAX_MANIFEST_LEN, "manifest JSON").map_err(
            |e| match e {
                validate::Error::LimitExceeded(l) => Error::LimitExceeded(l),
                other => Error::Json(other),
            },
        )?;
        detect_value(&v, declared)
    }

    /// Parses `raw` and checks it against the descriptor it was found by: size, digest and
    /// (through `declared`) media type.
    ///
    /// # Errors
    /// [`Error::DigestMismatch`] and the errors of [`parse`](Self::parse).
    pub fn parse_verified(raw: Vec<u8>, desc: &Descriptor) -> Result<Self, Error> {
        let m = Self::parse(raw, Some(&desc.media_type))?;
        m.verify(&desc.digest, desc.size)?;
        Ok(m)
    }

    /// Serializes `document` (compact JSON) and parses the result, so that the bytes and the
    /// document agree.
    ///
    /// # Errors
    /// As [`parse`](Self::parse), when the document is not valid.
    pub fn encode(document: &Document) -> Result<Self, Error> {
        let (raw, kind) = match document {
            Document::OciManifest(m) => (serde_json::to_vec(m), Kind::OciManifest),
            Document::OciIndex(i) => (serde_json::to_vec(i), Kind::OciIndex),
            Document::DockerManifest(m) => (serde_json::to_vec(m), Kind::DockerManifest),
            Document::DockerManifestList(i) => (serde_json::to_vec(i), Kind::DockerManifestList),
            Document::DockerSchema1(m) => (serde_json::to_vec(m), Kind::DockerSchema1),
        };
        let raw = raw.map_err(|e| Error::Model(kind, e))?;
        Self::parse(raw, Some(kind.media_type()))
    }

    /// The bytes exactly as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The media type of the kind.
    pub fn media_type(&self) -> &'static str {
        self.kind.media_type()
    }

    /// The parsed document.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The SHA-256 digest of the bytes received (for signed schema 1, of the JWS payload).
    pub fn digest(&self) -> Digest {
        self.digest_with(Algorithm::Sha256)
    }

    /// The digest with another algorithm.
    pub fn digest_with(&self, algorithm: Algorithm) -> Digest {
        algorithm.digest(self.payload.as_deref().unwrap_or(&self.raw))
    }

    /// A descriptor of this manifest (media type, SHA-256 digest, size; for indexes and
    /// artifacts also the artifact type).
    pub fn descriptor(&self) -> Descriptor {
        let mut d = Descriptor::new(self.media_type(), self.digest(), self.raw.len() as u64);
        d.artifact_type = match &self.document {
            Document::OciManifest(m) => m.artifact_type.clone(),
            Document::OciIndex(i) => i.artifact_type.clone(),
            _ => None,
        };
        d
    }

    /// Checks the bytes against an expected digest (with its algorithm) and size.
    ///
    /// # Errors
    /// [`Error::DigestMismatch`].
    pub fn verify(&self, expected: &Digest, expected_size: u64) -> Result<(), Error> {
        let actual = self.digest_with(expected.algorithm());
        let actual_size = self.raw.len() as u64;
        if actual != *expected || actual_size != expected_size {
            return Err(Error::DigestMismatch(Box::new(Mismatch {
                expected: *expected,
                actual,
                expected_size,
                actual_size,
            })));
        }
        Ok(())
    }
}

/// The kind of a parsed JSON document (see [`Manifest::parse`] for the rules).
fn detect_value(v: &Value, declared: Option<&str>) -> Result<Kind, Error> {
    let obj = v.as_object().ok_or(Error::UnknownKind)?;
    let declared = declared.map(media_type::essence).filter(|d| !is_generic(d));
    let declared_kind = match &declared {
        Some(d) => {
            Some(Kind::from_media_type(d).ok_or_else(|| Error::UnsupportedMediaType(d.clone()))?)
        }
        None => None,
    };
    let own = obj.get("mediaType").and_then(Value::as_str);
    let structural = kind_from_structure(obj);
    let kind = match (own, declared_kind) {
        (Some(own), declared_kind) => {
            let k = Kind::from_media_type(own)
                .ok_or_else(|| Error::UnsupportedMediaType(own.chars().take(128).collect()))?;
            if let Some(d) = declared_kind {
                if d != k {
                    return Err(Error::MediaTypeMismatch {
                        declared: d.media_type().to_owned(),
                        content: own.to_owned(),
                    });
                }
            }
            k
        }
        (None, Some(d)) => {
            let s = structural?;
            // Schema 1 is signed or not by content; the other kinds must agree in family.
            if d.family() != s.family() {
                return Err(Error::MediaTypeMismatch {
                    declared: d.media_type().to_owned(),
                    content: s.media_type().to_owned(),
                });
            }
            if d.family() == 2 {
                s
            } else {
                d
            }
        }
        (None, None) => structural?,
    };
    Ok(kind)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JwsProtected {
    format_length: usize,
    format_tail: String,
}

/// The JWS payload of a signed schema 1 manifest: `raw[..formatLength]` followed by the
/// base64url-decoded `formatTail` of the protected header; every signature must agree.
fn schema1_payload(raw: &[u8], signatures: Option<&Value>) -> Result<Vec<u8>, Error> {
    let sigs = signatures
        .and_then(Value::as_array)
        .ok_or(Error::Schema1Signatures("`signatures` is not an array"))?;
    let mut payload: Option<Vec<u8>> = None;
    for s in sigs {
        let protected =
            s.get("protected")
                .and_then(Value::as_str)
                .ok_or(Error::Schema1Signatures(
                    "a signature has no `protected` header",
                ))?;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(protected.trim_end_matches('='))
            .map_err(|_| Error::Schema1Signatures("the protected header is not base64url"))?;
        let p: JwsProtected = serde_json::from_slice(&header).map_err(|_| {
            Error::Schema1Signatures("the protected header has no formatLength/formatTail")
        })?;
        let tail = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p.format_tail.trim_end_matches('='))
            .map_err(|_| Error::Schema1Signatures("formatTail is not base64url"))?;
        let head = raw.get(..p.format_length).ok_or(Error::Schema1Signatures(
            "formatLength is beyond the document",
        ))?;
        let this = [head, &tail].concat();
        match &payload {
            Some(prev) if *prev != this => {
                return Err(Error::Schema1Signatures(
                    "signatures disagree on the payload",
                ))
            }
            Some(_) => {}
            None => payload = Some(this),
        }
    }
    payload.ok_or(Error::Schema1Signatures("`signatures` is empty"))
}
