//! Content descriptors and platforms (`image-spec` `descriptor.md`, `image-index.md`).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use supply_sig::digest::{Algorithm, Digest};

use crate::media_type;

/// Annotations: string keys to string values, in key order.
pub type Annotations = BTreeMap<String, String>;

/// The annotation that names a tag in an image layout's `index.json`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// The bytes of the empty JSON object `{}` (`application/vnd.oci.empty.v1+json`).
pub const EMPTY_JSON: &[u8] = b"{}";

/// A content descriptor: what a manifest says about a blob or another manifest.
///
/// Fields this crate does not know are kept in [`extra`](Self::extra) and written back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the referenced content.
    pub media_type: String,
    /// The digest of the referenced content.
    pub digest: Digest,
    /// The size of the referenced content in bytes.
    pub size: u64,
    /// Locations the content may also be downloaded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// The content itself, standard base64 with padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The artifact type of the referenced manifest (in indexes and referrer lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The platform of the referenced manifest (in indexes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Fields this crate does not model, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Descriptor {
    /// A descriptor of `bytes` with media type `media_type`, hashed with SHA-256.
    pub fn for_bytes(media_type: &str, bytes: &[u8]) -> Self {
        Self::new(
            media_type,
            Algorithm::Sha256.digest(bytes),
            bytes.len() as u64,
        )
    }

    /// A descriptor with only the three required fields.
    pub fn new(media_type: &str, digest: Digest, size: u64) -> Self {
        Self {
            media_type: media_type.to_owned(),
            digest,
            size,
            urls: None,
            annotations: None,
            data: None,
            artifact_type: None,
            platform: None,
            extra: BTreeMap::new(),
        }
    }

    /// The empty descriptor: `application/vnd.oci.empty.v1+json`, the 2 bytes `{}`, with
    /// `data: "e30="` (`image-spec` `manifest.md`, "Guidance for an Empty Descriptor").
    pub fn empty() -> Self {
        let mut d = Self::for_bytes(media_type::OCI_EMPTY, EMPTY_JSON);
        d.data = Some(base64::engine::general_purpose::STANDARD.encode(EMPTY_JSON));
        d
    }

    /// The value of an annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }

    /// The tag this descriptor carries in an image layout (`org.opencontainers.image.ref.name`).
    pub fn ref_name(&self) -> Option<&str> {
        self.annotation(ANNOTATION_REF_NAME)
    }

    /// Whether `bytes` have this descriptor's size and digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.size && self.digest.algorithm().digest(bytes) == self.digest
    }
}

/// The platform a manifest in an index runs on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// CPU architecture (`amd64`, `arm64`, ...).
    pub architecture: String,
    /// Operating system (`linux`, `windows`, ...).
    pub os: String,
    /// Operating-system version (Windows build).
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    /// Required operating-system features.
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_features: Option<Vec<String>>,
    /// CPU variant (`v7`, `v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Reserved CPU features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// Fields this crate does not model, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn empty_descriptor_is_the_spec_one() {
        let d = Descriptor::empty();
        assert_eq!(
            d.digest.to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(d.size, 2);
        assert_eq!(d.data.as_deref(), Some("e30="));
        assert!(d.matches(b"{}"));
    }
}
