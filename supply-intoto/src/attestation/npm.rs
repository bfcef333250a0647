//! npm packages as `slsa-verifier verify-npm-package` checks them: the registry's
//! attestations document holds SLSA provenance (signed by the build's Fulcio certificate) and
//! npm's publish attestation (signed by the registry's key); both must name the tarball
//! (SHA-512) as `pkg:npm/<name>@<version>`, the publish attestation must name the package and
//! version, and the provenance must pass [`slsa::verify`].

use serde::Deserialize;
use supply_sig::crypto::Provider;
use supply_sig::digest::Digest;
use supply_sig::key::PublicKey;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Artifact, Policy};

use super::bundle::{NpmAttestations, NPM_PUBLISH_V01};
use super::slsa::{self, VerifiedProvenance};
use super::statement::Statement;
use super::VerifiedAttestation;

/// Errors from verifying an npm package.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document lists no attestation of this predicate type.
    #[error("the npm attestations list no {predicate_type} attestation")]
    Missing {
        /// The predicate type.
        predicate_type: &'static str,
    },
    /// An attestation's signature layer failed.
    #[error("the npm {which} attestation does not verify")]
    Attestation {
        /// `provenance` or `publish`.
        which: &'static str,
        /// Why (boxed: the Sigstore error is large).
        #[source]
        source: Box<super::Error>,
    },
    /// The statement's predicate type is not the one the registry listed.
    #[error("the {which} statement's predicate type is {found:?}")]
    PredicateType {
        /// `provenance` or `publish`.
        which: &'static str,
        /// Found.
        found: String,
    },
    /// A subject is not the package.
    #[error("the {which} attestation's subject is not {expected:?}")]
    Subject {
        /// `provenance` or `publish`.
        which: &'static str,
        /// The purl expected.
        expected: String,
    },
    /// The publish predicate names another package or version.
    #[error("the publish attestation names {found:?}, expected {expected:?}")]
    Package {
        /// `name@version` expected.
        expected: String,
        /// `name@version` found.
        found: String,
    },
    /// The registry keys document is unusable.
    #[error("npm registry keys: {reason}")]
    RegistryKeys {
        /// Why.
        reason: &'static str,
    },
    /// The provenance does not pass the SLSA checks.
    #[error("the npm provenance does not pass the SLSA checks")]
    Slsa(#[source] slsa::Error),
}

/// A package whose provenance and publish attestation verified. Only [`verify_package`]
/// makes one.
#[derive(Clone, Debug)]
pub struct VerifiedNpmPackage {
    provenance: VerifiedProvenance,
    publish: Statement,
}

impl VerifiedNpmPackage {
    /// The verified provenance.
    pub fn provenance(&self) -> &VerifiedProvenance {
        &self.provenance
    }
    /// The verified publish statement.
    pub fn publish(&self) -> &Statement {
        &self.publish
    }
}

/// Reads the attestation key (`keyUsage` `npm:attestations`) with this key id (`keyid`,
/// e.g. `SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA`) from npm's registry keys
/// document (`https://registry.npmjs.org/-/npm/v1/keys`, or the `npm-registry-keys.json` of a
/// Sigstore trust directory). With `keyid` `None`, the first attestation key.
///
/// # Errors
/// [`Error::RegistryKeys`] when the document has no such key or it does not parse.
pub fn registry_key(json: &[u8], keyid: Option<&str>) -> Result<PublicKey, Error> {
    use base64::Engine as _;
    #[derive(Deserialize)]
    struct Keys {
        keys: Vec<Key>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Key {
        keyid: Option<String>,
        key_usage: Option<String>,
        public_key: Option<Raw>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        raw_bytes: String,
    }
    let bad = |reason| Error::RegistryKeys { reason };
    let doc: Keys = super::parse_strict(
        json,
        supply_sig::limits::MAX_TRUST_ROOT_LEN,
        "npm registry keys",
    )
    .map_err(|_| bad("not an npm registry keys document"))?;
    let key = doc
        .keys
        .iter()
        .filter(|k| k.key_usage.as_deref() == Some("npm:attestations"))
        .find(|k| keyid.is_none() || k.keyid.as_deref() == keyid)
        .ok_or(bad("no such attestation key"))?;
    let raw = key
        .public_key
        .as_ref()
        .ok_or(bad("the key has no publicKey"))?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(&raw.raw_bytes)
        .map_err(|_| bad("the key is not base64"))?;
    PublicKey::from_spki_der(&der).map_err(|_| bad("the key is not an SPKI public key"))
}

/// The purl npm attestations name a package by (`@scope/name` with `@` as `%40`).
pub fn purl(name: &str, version: &str) -> String {
    format!("pkg:npm/{}@{version}", name.replace('@', "%40"))
}

#[derive(Deserialize)]
struct Publish {
    name: String,
    version: String,
}

/// Verifies the tarball of `name@version`, whose SHA-512 is `digest` (npm names tarballs by
/// SHA-512), against npm's attestations document:
/// the provenance bundle with the Sigstore `root` and [`slsa::verify`] under `opts`, the
/// publish attestation with the registry's attestation key `npm_key`.
///
/// # Errors
/// The first check that fails.
#[allow(clippy::too_many_arguments)]
pub fn verify_package(
    doc: &NpmAttestations,
    digest: &Digest,
    name: &str,
    version: &str,
    opts: &slsa::Options,
    npm_key: &PublicKey,
    root: &TrustedRoot,
    provider: &Provider,
) -> Result<VerifiedNpmPackage, Error> {
    let expected = purl(name, version);
    let names = |st: &Statement| {
        st.subjects()
            .iter()
            .any(|s| s.name.as_deref() == Some(expected.as_str()) && s.digest.contains(digest))
    };
    // Provenance.
    let prov_bundle = doc
        .attestations
        .iter()
        .find(|a| a.predicate_type.starts_with("https://slsa.dev/provenance/"))
        .ok_or(Error::Missing {
            predicate_type: "SLSA provenance",
        })?;
    let policy = Policy::identity_matching(
        supply_sig::sigstore::verify::Matcher::regex("^https://github\\.com/").map_err(|e| {
            Error::Attestation {
                which: "provenance",
                source: Box::new(super::Error::Bundle(e)),
            }
        })?,
        supply_sig::sigstore::verify::Matcher::exact(slsa::GITHUB_ACTIONS_ISSUER),
    );
    let prov = VerifiedAttestation::from_bundle(
        &prov_bundle.bundle,
        Artifact::Digest(digest),
        &policy,
        root,
        provider,
    )
    .map_err(|source| Error::Attestation {
        which: "provenance",
        source: Box::new(source),
    })?;
    if prov.statement().predicate_type() != prov_bundle.predicate_type {
        return Err(Error::PredicateType {
            which: "provenance",
            found: super::truncate(prov.statement().predicate_type()),
        });
    }
    if !names(prov.statement()) {
        return Err(Error::Subject {
            which: "provenance",
            expected,
        });
    }
    let provenance = slsa::verify(&prov, digest, opts).map_err(Error::Slsa)?;
    // Publish attestation.
    let pub_bundle = doc
        .by_predicate_type(NPM_PUBLISH_V01)
        .ok_or(Error::Missing {
            predicate_type: NPM_PUBLISH_V01,
        })?;
    let publish = VerifiedAttestation::from_bundle(
        pub_bundle,
        Artifact::Digest(digest),
        &Policy::public_key(npm_key.clone()),
        root,
        provider,
    )
    .map_err(|source| Error::Attestation {
        which: "publish",
        source: Box::new(source),
    })?
    .into_statement();
    if publish.predicate_type() != NPM_PUBLISH_V01 {
        return Err(Error::PredicateType {
            which: "publish",
            found: super::truncate(publish.predicate_type()),
        });
    }
    if !names(&publish) {
        return Err(Error::Subject {
            which: "publish",
            expected,
        });
    }
    let p: Option<Publish> = publish
        .predicate_json()
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    match p {
        Some(p) if p.name == name && p.version == version => {}
        p => {
            return Err(Error::Package {
                expected: format!("{name}@{version}"),
                found: p
                    .map(|p| format!("{}@{}", p.name, p.version))
                    .unwrap_or_default(),
            })
        }
    }
    Ok(VerifiedNpmPackage {
        provenance,
        publish,
    })
}
