//! The containers attestations travel in: a DSSE envelope, a Sigstore bundle, an attestation
//! bundle (JSON Lines, one envelope or bundle a line,
//! <https://github.com/in-toto/attestation/blob/main/spec/v1/bundle.md>) and npm's
//! attestations document (`{"attestations": [{"predicateType", "bundle"}]}`).

use serde::Deserialize;
use serde_json::value::RawValue;
use supply_sig::dsse::Envelope;
use supply_sig::limits::LimitExceeded;
use supply_sig::sigstore::bundle::Bundle;

use super::Error;
use crate::limits::{MAX_ATTESTATION_BUNDLE_LEN, MAX_ATTESTATION_BUNDLE_LINES};

/// One signed attestation, not yet verified.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Signed {
    /// A bare DSSE envelope, with the exact JSON it was read from (older builders put a
    /// certificate in it, see [`super::danger::insecure_embedded_certificate`]).
    Envelope {
        /// The envelope.
        envelope: Envelope,
        /// Its JSON.
        raw: Vec<u8>,
    },
    /// A Sigstore bundle.
    Bundle(Box<Bundle>),
}

impl Signed {
    /// Reads one JSON document: a Sigstore bundle (it has `mediaType`) or a DSSE envelope.
    ///
    /// # Errors
    /// [`Error::BundleParse`], [`Error::Dsse`], [`Error::InvalidContainer`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(rename = "mediaType")]
            media_type: Option<serde::de::IgnoredAny>,
            #[serde(rename = "payloadType")]
            payload_type: Option<serde::de::IgnoredAny>,
        }
        let p: Probe = serde_json::from_slice(json).map_err(|source| Error::Shape {
            what: "attestation",
            source,
        })?;
        match (p.media_type.is_some(), p.payload_type.is_some()) {
            (true, _) => Bundle::from_json(json)
                .map(|b| Self::Bundle(Box::new(b)))
                .map_err(Error::BundleParse),
            (false, true) => Ok(Self::Envelope {
                envelope: Envelope::from_json(json).map_err(Error::Dsse)?,
                raw: json.to_vec(),
            }),
            (false, false) => Err(Error::InvalidContainer {
                reason: "neither a Sigstore bundle nor a DSSE envelope",
            }),
        }
    }
}

/// Reads an attestation file: one JSON document (bundle or envelope), JSON Lines of them, or
/// an npm attestations document (every bundle of it, in order).
///
/// # Errors
/// [`Error::LimitExceeded`] over [`MAX_ATTESTATION_BUNDLE_LEN`] bytes or
/// [`MAX_ATTESTATION_BUNDLE_LINES`] entries; [`Error::InvalidContainer`] for an empty file;
/// any entry's error.
pub fn read_attestations(bytes: &[u8]) -> Result<Vec<Signed>, Error> {
    if bytes.len() > MAX_ATTESTATION_BUNDLE_LEN {
        return Err(
            LimitExceeded::new("attestation bundle", MAX_ATTESTATION_BUNDLE_LEN)
                .with_actual(bytes.len())
                .into(),
        );
    }
    if let Ok(npm) = NpmAttestations::from_json(bytes) {
        return Ok(npm
            .attestations
            .into_iter()
            .map(|a| Signed::Bundle(Box::new(a.bundle)))
            .collect());
    }
    // JSON Lines, or one (possibly pretty-printed) document: a stream of JSON values.
    let mut out = Vec::new();
    for raw in serde_json::Deserializer::from_slice(bytes).into_iter::<&RawValue>() {
        let raw = raw.map_err(|source| Error::Shape {
            what: "attestation bundle",
            source,
        })?;
        if out.len() == MAX_ATTESTATION_BUNDLE_LINES {
            return Err(LimitExceeded::new(
                "attestation bundle entries",
                MAX_ATTESTATION_BUNDLE_LINES,
            )
            .into());
        }
        out.push(Signed::from_json(raw.get().as_bytes())?);
    }
    if out.is_empty() {
        return Err(Error::InvalidContainer {
            reason: "no attestation in the file",
        });
    }
    Ok(out)
}

/// One entry of an npm attestations document.
#[derive(Clone, Debug)]
pub struct NpmAttestation {
    /// The `predicateType` the registry lists (unsigned; the statement's own is what counts).
    pub predicate_type: String,
    /// The bundle.
    pub bundle: Bundle,
}

/// npm's attestations document (`GET /-/npm/v1/attestations/<pkg>@<version>`).
#[derive(Clone, Debug)]
pub struct NpmAttestations {
    /// The entries.
    pub attestations: Vec<NpmAttestation>,
}

/// `predicateType` of npm's publish attestation.
pub const NPM_PUBLISH_V01: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

impl NpmAttestations {
    /// Reads the document strictly.
    ///
    /// # Errors
    /// [`Error::Json`], [`Error::Shape`], [`Error::BundleParse`], [`Error::InvalidContainer`]
    /// (no entries, or more than [`MAX_ATTESTATION_BUNDLE_LINES`]).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Doc<'a> {
            #[serde(borrow)]
            attestations: Vec<Entry<'a>>,
        }
        #[derive(Deserialize)]
        struct Entry<'a> {
            #[serde(rename = "predicateType")]
            predicate_type: String,
            #[serde(borrow)]
            bundle: &'a RawValue,
        }
        if json.len() > MAX_ATTESTATION_BUNDLE_LEN {
            return Err(
                LimitExceeded::new("npm attestations", MAX_ATTESTATION_BUNDLE_LEN)
                    .with_actual(json.len())
                    .into(),
            );
        }
        super::check_strict(json, MAX_ATTESTATION_BUNDLE_LEN)?;
        let doc: Doc<'_> = serde_json::from_slice(json).map_err(|source| Error::Shape {
            what: "npm attestations",
            source,
        })?;
        if doc.attestations.is_empty() || doc.attestations.len() > MAX_ATTESTATION_BUNDLE_LINES {
            return Err(Error::InvalidContainer {
                reason: "an npm attestations document needs 1 to 1024 entries",
            });
        }
        let attestations = doc
            .attestations
            .into_iter()
            .map(|e| {
                Ok(NpmAttestation {
                    predicate_type: e.predicate_type,
                    bundle: Bundle::from_json(e.bundle.get().as_bytes())
                        .map_err(Error::BundleParse)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Self { attestations })
    }

    /// The first entry listed with this predicate type.
    pub fn by_predicate_type(&self, t: &str) -> Option<&Bundle> {
        self.attestations
            .iter()
            .find(|a| a.predicate_type == t)
            .map(|a| &a.bundle)
    }
}
