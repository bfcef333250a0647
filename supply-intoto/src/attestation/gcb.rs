//! Google Cloud Build provenance, verified as slsa-verifier's `verify-image` does for the
//! builder `https://cloudbuild.googleapis.com/GoogleHostedWorker`.
//!
//! The input is what `gcloud artifacts docker images describe IMAGE --show-provenance
//! --format json` prints ([`GcbDocument`]): an `image_summary` and a `provenance_summary`
//! holding one entry per provenance GCB made, each a DSSE envelope signed by a Cloud KMS key
//! plus an unsigned, human-readable copy of the statement. [`verify`] checks, in
//! slsa-verifier's order:
//! 1. **signature**: the first entry one of whose signatures verifies under a key the caller
//!    trusts ([`GcbKeys`], keyed by the KMS key name the signature's `keyid` gives). Keys named
//!    [`V1_GLOBAL_KEY_ID`] and [`V01_GLOBAL_KEY_ID`] sign the DSSE PAE; regional keys
//!    (`…/locations/REGION/…/builtByGCB/…`) sign the payload itself (GCB's legacy form). The
//!    statement must then be SLSA v1 (under [`V1_GLOBAL_KEY_ID`]) or SLSA v0.1 (the others);
//! 2. **builder**: the provenance's builder id is GCB's for that version
//!    (`GoogleHostedWorker` for v1, `GoogleHostedWorker@v0.2`/`@v0.3` for v0.1), matches the
//!    caller's expected builder id if any, and the build type (recipe type) fits it; v0.1
//!    recipes must be a `google.devtools.cloudbuild.v1.Build`;
//! 3. **subject**: the image digest is a subject (every subject carries a SHA-256);
//! 4. **source**: the repository built is the expected one (v1: `buildConfigSource`; v0.1:
//!    the first material, with v0.2's `/commit/SHA` form);
//! 5. **metadata and summary** (unsigned, but must agree): the entry's `kind` is `BUILD`,
//!    its `resourceUri` and the image summary name the image digest;
//! 6. **text provenance**: the human-readable copy equals the signed statement (v0.1:
//!    `recipe.definedInMaterial` and `metadata.buildInvocationId` aside, as slsa-verifier);
//! 7. the tag or versioned tag (GCB's `TAG_NAME` substitution), and the branch
//!    (`BRANCH_NAME`; for v1 it must agree with `buildConfigSource.ref`; slsa-verifier does
//!    not support branches for GCB).
//!
//! GCB's public keys are not bundled: the caller supplies them (slsa-verifier embeds them in
//! its binary; they are published in its repository under `verifiers/internal/gcb/keys`).
//! Sync, no I/O, no clock.

use serde_json::Value;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::dsse::Envelope;
use supply_sig::sign::Verifier;

use super::provenance::PROVENANCE_V1;
use super::slsa::{self, BuildLevel, BuilderKind, Options, VerifiedProvenance};
use super::statement::{Statement, StatementType, PAYLOAD_TYPE};
use super::truncate;
use crate::limits::{MAX_ATTESTATION_BUNDLE_LEN, MAX_GCB_PROVENANCES};

/// The KMS key that signs GCB's SLSA v1 provenance (DSSE PAE).
pub const V1_GLOBAL_KEY_ID: &str = "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/google-hosted-worker/cryptoKeyVersions/1";
/// The KMS key that signs GCB's SLSA v0.1 provenance in DSSE PAE form.
pub const V01_GLOBAL_KEY_ID: &str = "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/provenanceSigner/cryptoKeyVersions/1";
/// GCB's builder name.
pub const BUILDER: &str = "https://cloudbuild.googleapis.com/GoogleHostedWorker";
/// The builder ids of GCB's SLSA v0.1 provenance.
pub const BUILDERS_V01: [&str; 2] = [
    "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2",
    "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3",
];
/// The build type of GCB's SLSA v1 provenance.
pub const BUILD_TYPE_V1: &str = "https://cloud.google.com/build/gcb-buildtypes/google-worker/v1";
/// The SLSA v0.1 predicate type GCB writes.
pub const PROVENANCE_V01: &str = "https://slsa.dev/provenance/v0.1";
/// The `@type` of a v0.1 recipe's arguments.
pub const RECIPE_ARGUMENTS_TYPE: &str = "type.googleapis.com/google.devtools.cloudbuild.v1.Build";
/// The recipe type prefixes a `@v0.3` builder may record.
pub const RECIPE_TYPES_V03: [&str; 2] = [
    "https://cloudbuild.googleapis.com/CloudBuildYaml@",
    "https://cloudbuild.googleapis.com/CloudBuildSteps@",
];

const REGIONAL_PREFIX: &str = "projects/verified-builder/locations/";
const REGIONAL_SUFFIX: &str = "/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1";

/// Errors from reading and verifying GCB provenance. Each names what differed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not strict JSON or exceeds its limit.
    #[error("the GCB provenance document does not parse")]
    Parse(#[source] super::Error),
    /// The document lacks a field it must have, or has it with the wrong type.
    #[error("the GCB provenance document has no valid {field}")]
    Shape {
        /// Which field (JSON path).
        field: &'static str,
    },
    /// An entry's envelope does not parse.
    #[error("provenance entry {index}: the DSSE envelope does not parse")]
    Envelope {
        /// Which entry.
        index: usize,
        /// Why.
        #[source]
        source: supply_sig::dsse::Error,
    },
    /// No entry has a signature that verifies under a trusted key, and a statement of the
    /// form that key signs.
    #[error("no provenance entry is signed by a trusted GCB key ({entries} entries, {tried} signatures by a trusted key tried)")]
    NoValidSignature {
        /// How many entries.
        entries: usize,
        /// How many signatures named a trusted key.
        tried: usize,
    },
    /// The builder id is not GCB's for this provenance version.
    #[error("the builder id {found:?} is not Google Cloud Build's for SLSA {version}")]
    UntrustedBuilder {
        /// The builder id.
        found: String,
        /// `v0.1` or `v1`.
        version: &'static str,
    },
    /// The builder is not the one the caller expected.
    #[error("the builder is {found:?}, expected {expected:?}")]
    BuilderMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The build type (recipe type) does not fit the builder.
    #[error("the build type {found:?} does not fit the builder {builder:?}")]
    BuildTypeMismatch {
        /// The builder id.
        builder: String,
        /// The build type found.
        found: String,
    },
    /// A v0.1 recipe's arguments are not a Cloud Build `Build`.
    #[error("the recipe arguments are of type {found:?}, not {RECIPE_ARGUMENTS_TYPE}")]
    RecipeArguments {
        /// The `@type` found.
        found: Option<String>,
    },
    /// A subject has no SHA-256 digest.
    #[error("a subject has no SHA-256 digest")]
    SubjectWithoutSha256,
    /// The image is not a subject.
    #[error("the image digest {digest} is not a subject of the provenance")]
    DigestMismatch {
        /// `sha256:hex`.
        digest: String,
    },
    /// The provenance records no source.
    #[error("the provenance records no source repository")]
    MissingSource,
    /// The source repository is not the expected one.
    #[error("the source repository is {found:?}, expected {expected:?}")]
    SourceMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The entry's unsigned metadata disagrees with the signed statement or the image.
    #[error("the provenance entry's {field} is {found:?}, expected {expected:?}")]
    Metadata {
        /// Which field.
        field: &'static str,
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The human-readable statement differs from the signed one.
    #[error("the provenance's human-readable statement differs from the signed one at {field}")]
    TextMismatch {
        /// Which part.
        field: &'static str,
    },
    /// A tag or branch was asked for, and the provenance records none (or two that disagree).
    #[error("the provenance records no usable {what}")]
    NoRef {
        /// `tag` or `branch`.
        what: &'static str,
    },
    /// The tag, versioned tag or branch differs (slsa-verifier's checks, shared with
    /// [`slsa::verify`]).
    #[error("the source ref does not match")]
    Ref(#[source] slsa::Error),
    /// The digest to verify for is not SHA-256.
    #[error("GCB provenance names images by SHA-256; {algorithm} was given")]
    NotSha256 {
        /// The algorithm given.
        algorithm: &'static str,
    },
    /// Caller mistake: an empty source URI.
    #[error("the expected source URI is empty")]
    ConfigEmptySource,
}

/// How a trusted key's signatures are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyForm {
    /// DSSE PAE; statement SLSA v1.
    PaeV1,
    /// DSSE PAE; statement SLSA v0.1.
    PaeV01,
    /// Over the payload bytes (GCB's legacy regional keys); statement SLSA v0.1.
    LegacyV01,
}

fn key_form(key_id: &str) -> Option<KeyForm> {
    match key_id {
        V1_GLOBAL_KEY_ID => Some(KeyForm::PaeV1),
        V01_GLOBAL_KEY_ID => Some(KeyForm::PaeV01),
        _ => key_id
            .strip_prefix(REGIONAL_PREFIX)
            .and_then(|r| r.strip_suffix(REGIONAL_SUFFIX))
            .filter(|region| !region.is_empty() && !region.contains('/'))
            .map(|_| KeyForm::LegacyV01),
    }
}

/// GCB's public keys the caller trusts, each under its Cloud KMS key name (the signatures'
/// `keyid`).
#[derive(Debug, Default)]
pub struct GcbKeys {
    keys: Vec<(String, KeyForm, Box<dyn Verifier>)>,
}

impl GcbKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `verifier` for signatures whose `keyid` is `kms_key_name`: [`V1_GLOBAL_KEY_ID`],
    /// [`V01_GLOBAL_KEY_ID`] or a regional key
    /// `projects/verified-builder/locations/REGION/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1`.
    /// GCB signs ECDSA P-256 with SHA-256, DER-encoded.
    ///
    /// # Errors
    /// [`Error::Shape`] when the name is none of these (its form decides how signatures are
    /// checked, so an unknown one cannot be used).
    pub fn insert(
        &mut self,
        kms_key_name: impl Into<String>,
        verifier: Box<dyn Verifier>,
    ) -> Result<(), Error> {
        let name = kms_key_name.into();
        let form = key_form(&name).ok_or(Error::Shape {
            field: "GCB KMS key name",
        })?;
        self.keys.push((name, form, verifier));
        Ok(())
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One entry of the provenance summary.
#[derive(Clone, Debug)]
struct Entry {
    kind: Option<String>,
    resource_uri: Option<String>,
    envelope: Envelope,
    /// The human-readable statement: `build.intotoStatement` (v0.1) or
    /// `build.inTotoSlsaProvenanceV1` (v1).
    text_v01: Option<Value>,
    text_v1: Option<Value>,
}

/// A `gcloud … --show-provenance --format json` document, parsed but not verified.
#[derive(Clone, Debug)]
pub struct GcbDocument {
    summary_digest: Option<String>,
    summary_fully_qualified_digest: Option<String>,
    entries: Vec<Entry>,
}

fn str_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl GcbDocument {
    /// Reads the document strictly (duplicate keys refused) under
    /// [`MAX_ATTESTATION_BUNDLE_LEN`] and at most [`MAX_GCB_PROVENANCES`] entries.
    ///
    /// # Errors
    /// [`Error::Parse`], [`Error::Shape`], [`Error::Envelope`].
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let v: Value = super::parse_strict(json, MAX_ATTESTATION_BUNDLE_LEN, "GCB provenance")
            .map_err(Error::Parse)?;
        let list = v
            .get("provenance_summary")
            .and_then(|p| p.get("provenance"))
            .and_then(Value::as_array)
            .ok_or(Error::Shape {
                field: "provenance_summary.provenance",
            })?;
        if list.len() > MAX_GCB_PROVENANCES {
            return Err(Error::Parse(super::Error::LimitExceeded(
                supply_sig::limits::LimitExceeded::new(
                    "GCB provenance entries",
                    MAX_GCB_PROVENANCES,
                )
                .with_actual(list.len()),
            )));
        }
        let mut entries = Vec::with_capacity(list.len());
        for (index, e) in list.iter().enumerate() {
            let env = e.get("envelope").ok_or(Error::Shape {
                field: "provenance_summary.provenance[].envelope",
            })?;
            // The envelope's JSON is not signed (only its decoded payload is), so reading it
            // back from the parsed value loses nothing a signature covers.
            let env_json = serde_json::to_vec(env).map_err(|_| Error::Shape {
                field: "provenance_summary.provenance[].envelope",
            })?;
            let envelope = Envelope::from_json(&env_json)
                .map_err(|source| Error::Envelope { index, source })?;
            let build = e.get("build");
            entries.push(Entry {
                kind: str_at(e, "kind"),
                resource_uri: str_at(e, "resourceUri"),
                envelope,
                text_v01: build.and_then(|b| b.get("intotoStatement")).cloned(),
                text_v1: build.and_then(|b| b.get("inTotoSlsaProvenanceV1")).cloned(),
            });
        }
        let summary = v.get("image_summary");
        Ok(Self {
            summary_digest: summary.and_then(|s| str_at(s, "digest")),
            summary_fully_qualified_digest: summary
                .and_then(|s| str_at(s, "fully_qualified_digest")),
            entries,
        })
    }

    /// How many provenance entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether `json` looks like a GCB provenance document (a `provenance_summary` member at the
/// top): for callers choosing a verifier. Nothing is verified.
pub fn is_gcb_document(json: &[u8]) -> bool {
    /// The top level, skimmed without keeping anything.
    #[derive(serde::Deserialize)]
    struct Top {
        provenance_summary: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Top>(json).is_ok_and(|t| t.provenance_summary.is_some())
}

/// The first entry with a signature by a trusted key, its verified statement and the form of
/// the key (slsa-verifier's `VerifySignature`).
fn verified_entry<'a>(
    doc: &'a GcbDocument,
    keys: &GcbKeys,
) -> Result<(&'a Entry, Statement, KeyForm), Error> {
    let mut tried = 0;
    for entry in &doc.entries {
        let env = &entry.envelope;
        if env.payload_type != PAYLOAD_TYPE {
            continue;
        }
        let pae = env.pae();
        for sig in &env.signatures {
            let Some(kid) = sig.keyid.as_ref() else {
                continue;
            };
            for (name, form, verifier) in &keys.keys {
                if kid.as_str() != name {
                    continue;
                }
                tried += 1;
                let message = match form {
                    KeyForm::PaeV1 | KeyForm::PaeV01 => pae.as_slice(),
                    KeyForm::LegacyV01 => env.payload.as_slice(),
                };
                if verifier.verify(message, &sig.sig).is_err() {
                    continue;
                }
                let Ok(st) = Statement::from_json(&env.payload) else {
                    continue;
                };
                let want = match form {
                    KeyForm::PaeV1 => (StatementType::V1, PROVENANCE_V1),
                    KeyForm::PaeV01 | KeyForm::LegacyV01 => (StatementType::V01, PROVENANCE_V01),
                };
                if (st.statement_type(), st.predicate_type()) == want {
                    return Ok((entry, st, *form));
                }
            }
        }
    }
    Err(Error::NoValidSignature {
        entries: doc.entries.len(),
        tried,
    })
}

/// A JSON value at a path of object keys.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn str_path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The builder id version after `@` (`v0.2`).
fn builder_version(id: &str) -> Option<&str> {
    id.split_once('@').map(|(_, v)| v)
}

/// Removes the fields slsa-verifier leaves out of the v0.1 text comparison (GCB writes
/// `definedInMaterial` as a string in one form and a number in the other).
fn without_v01_ignored(mut p: Value) -> Value {
    if let Some(r) = p.get_mut("recipe").and_then(Value::as_object_mut) {
        r.remove("definedInMaterial");
    }
    if let Some(m) = p.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("buildInvocationId");
    }
    p
}

/// Verifies GCB provenance for the image with digest `image` (SHA-256). `opts` carries the
/// expected source (`github.com/owner/repo`, or a `gs://` source as recorded), builder id,
/// tag, versioned tag and branch; workflow inputs do not apply to GCB and are ignored.
///
/// # Errors
/// The first check that fails (module docs).
pub fn verify(
    doc: &GcbDocument,
    keys: &GcbKeys,
    image: &Digest,
    opts: &Options,
) -> Result<VerifiedProvenance, Error> {
    if image.algorithm() != Algorithm::Sha256 {
        return Err(Error::NotSha256 {
            algorithm: image.algorithm().name(),
        });
    }
    let expected_source = slsa::normalize_repo(opts.source_uri());
    if expected_source.is_empty() {
        return Err(Error::ConfigEmptySource);
    }
    // 1. Signature.
    let (entry, statement, form) = verified_entry(doc, keys)?;
    let signed: Value = serde_json::from_slice(statement.raw()).map_err(|_| Error::Shape {
        field: "signed statement",
    })?;
    let predicate = statement
        .predicate_json()
        .ok_or(Error::Shape { field: "predicate" })?;
    let v1 = form == KeyForm::PaeV1;
    // 2. Builder and build type.
    let builder = if v1 {
        str_path(predicate, &["runDetails", "builder", "id"])
    } else {
        str_path(predicate, &["builder", "id"])
    }
    .unwrap_or_default();
    let known = if v1 {
        builder == BUILDER
    } else {
        BUILDERS_V01.contains(&builder)
    };
    if !known {
        return Err(Error::UntrustedBuilder {
            found: truncate(builder),
            version: if v1 { "v1" } else { "v0.1" },
        });
    }
    if let Some(e) = opts.builder_id() {
        if !slsa::builder_matches(e, builder).map_err(Error::Ref)? {
            return Err(Error::BuilderMismatch {
                expected: e.to_owned(),
                found: builder.to_owned(),
            });
        }
    }
    let build_type = if v1 {
        str_path(predicate, &["buildDefinition", "buildType"])
    } else {
        str_path(predicate, &["recipe", "type"])
    }
    .unwrap_or_default();
    let type_ok = if v1 {
        build_type == BUILD_TYPE_V1
    } else {
        match builder_version(builder) {
            Some("v0.2") => build_type == builder,
            _ => RECIPE_TYPES_V03.iter().any(|p| build_type.starts_with(p)),
        }
    };
    if !type_ok {
        return Err(Error::BuildTypeMismatch {
            builder: builder.to_owned(),
            found: truncate(build_type),
        });
    }
    if !v1 {
        let t = str_path(predicate, &["recipe", "arguments", "@type"]);
        if t != Some(RECIPE_ARGUMENTS_TYPE) {
            return Err(Error::RecipeArguments {
                found: t.map(truncate),
            });
        }
    }
    // 3. The image among the subjects.
    let mut found = false;
    for s in statement.subjects() {
        let h = s.digest.get("sha256").ok_or(Error::SubjectWithoutSha256)?;
        found |= h == image.hex();
    }
    if !found {
        return Err(Error::DigestMismatch {
            digest: format!("sha256:{}", image.hex()),
        });
    }
    // 4. Source.
    let (source, source_ref) = if v1 {
        let repo = str_path(
            predicate,
            &[
                "buildDefinition",
                "externalParameters",
                "buildConfigSource",
                "repository",
            ],
        );
        let r = str_path(
            predicate,
            &[
                "buildDefinition",
                "externalParameters",
                "buildConfigSource",
                "ref",
            ],
        );
        (repo.ok_or(Error::MissingSource)?, r)
    } else {
        let uri = at(predicate, &["materials"])
            .and_then(Value::as_array)
            .and_then(|m| m.first())
            .and_then(|m| str_path(m, &["uri"]))
            .filter(|u| !u.is_empty())
            .ok_or(Error::MissingSource)?;
        (uri, None)
    };
    let found_repo = slsa::normalize_repo(source);
    let source_ok = if v1 {
        found_repo == expected_source
    } else if builder_version(builder) == Some("v0.2") {
        // `https://github.com/o/r/commit/SHA`, or a versioned GCS source `gs://…#generation`.
        found_repo
            .strip_prefix(expected_source)
            .is_some_and(|rest| rest.starts_with("/commit/") || rest.starts_with('#'))
    } else {
        found_repo == expected_source
            || found_repo
                .strip_prefix(expected_source)
                .is_some_and(|rest| rest.starts_with('#'))
    };
    if !source_ok {
        return Err(Error::SourceMismatch {
            expected: expected_source.to_owned(),
            found: truncate(found_repo),
        });
    }
    // 5. The entry's metadata and the image summary.
    let want_uri_suffix = format!("@sha256:{}", image.hex());
    let want_digest = format!("sha256:{}", image.hex());
    if entry.kind.as_deref() != Some("BUILD") {
        return Err(Error::Metadata {
            field: "kind",
            expected: "BUILD".into(),
            found: truncate(entry.kind.as_deref().unwrap_or_default()),
        });
    }
    let uri = entry.resource_uri.as_deref().unwrap_or_default();
    if !uri.ends_with(&want_uri_suffix) {
        return Err(Error::Metadata {
            field: "resourceUri",
            expected: format!("…{want_uri_suffix}"),
            found: truncate(uri),
        });
    }
    let sd = doc.summary_digest.as_deref().unwrap_or_default();
    if sd != want_digest {
        return Err(Error::Metadata {
            field: "image_summary.digest",
            expected: want_digest,
            found: truncate(sd),
        });
    }
    let fq = doc
        .summary_fully_qualified_digest
        .as_deref()
        .unwrap_or_default();
    if !fq.ends_with(&want_digest) {
        return Err(Error::Metadata {
            field: "image_summary.fully_qualified_digest",
            expected: format!("…{want_digest}"),
            found: truncate(fq),
        });
    }
    // 6. The human-readable copy says what was signed.
    let text = if v1 { &entry.text_v1 } else { &entry.text_v01 };
    let text = text
        .as_ref()
        .ok_or(Error::TextMismatch { field: "statement" })?;
    for field in ["_type", "subject", "predicateType"] {
        if text.get(field) != signed.get(field) {
            return Err(Error::TextMismatch { field });
        }
    }
    let same_predicate = if v1 {
        text.get("predicate") == Some(predicate)
    } else {
        text.get("slsaProvenance")
            .map(|t| without_v01_ignored(t.clone()))
            == Some(without_v01_ignored(predicate.clone()))
    };
    if !same_predicate {
        return Err(Error::TextMismatch { field: "predicate" });
    }
    // 7. Tag, versioned tag, branch.
    let substitutions = if v1 {
        at(
            predicate,
            &[
                "buildDefinition",
                "internalParameters",
                "systemSubstitutions",
            ],
        )
    } else {
        at(predicate, &["recipe", "arguments", "substitutions"])
    };
    let substitution = |name: &str| substitutions.and_then(|s| str_path(s, &[name]));
    if opts.expected_tag().is_some() || opts.expected_versioned_tag().is_some() {
        let tag = substitution("TAG_NAME")
            .filter(|t| !t.is_empty())
            .ok_or(Error::NoRef { what: "tag" })?;
        if v1 && source_ref != Some(format!("refs/tags/{tag}").as_str()) {
            return Err(Error::NoRef { what: "tag" });
        }
        slsa::check_tag(tag, opts).map_err(Error::Ref)?;
    }
    if let Some(b) = opts.expected_branch() {
        let branch = substitution("BRANCH_NAME")
            .filter(|t| !t.is_empty())
            .ok_or(Error::NoRef { what: "branch" })?;
        if v1 && source_ref != Some(format!("refs/heads/{branch}").as_str()) {
            return Err(Error::NoRef { what: "branch" });
        }
        let expected = format!("refs/heads/{}", b.strip_prefix("refs/heads/").unwrap_or(b));
        let found = format!("refs/heads/{branch}");
        if found != expected {
            return Err(Error::Ref(slsa::Error::BranchMismatch { expected, found }));
        }
    }
    let source_ref = source_ref.map(str::to_owned).or_else(|| {
        substitution("TAG_NAME")
            .filter(|t| !t.is_empty())
            .map(|t| format!("refs/tags/{t}"))
            .or_else(|| {
                substitution("BRANCH_NAME")
                    .filter(|t| !t.is_empty())
                    .map(|b| format!("refs/heads/{b}"))
            })
    });
    let (builder, found_repo) = (builder.to_owned(), found_repo.to_owned());
    let typed = statement
        .predicate()
        .map_err(|_| Error::Shape { field: "predicate" })?;
    // GCB's own SLSA level claim (`image_summary.slsa_build_level`) is unsigned and not
    // relied upon: signed provenance from a hosted build platform is level 2.
    Ok(VerifiedProvenance::new(
        statement,
        typed,
        builder,
        BuilderKind::GoogleCloudBuild,
        found_repo,
        source_ref,
        BuildLevel::L2,
    ))
}
