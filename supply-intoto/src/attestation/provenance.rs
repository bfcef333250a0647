//! SLSA provenance predicates: v0.2 (<https://slsa.dev/spec/v0.2/provenance>) and v1
//! (<https://slsa.dev/spec/v1.0/provenance>). The fields the verifier checks are typed;
//! everything else is kept as JSON in the `extra` maps and in the untyped parameter objects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::statement::{DigestSet, ResourceDescriptor};

/// `predicateType` of SLSA provenance v0.2.
pub const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// `predicateType` of SLSA provenance v1.
pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// A builder (`{"id": …}`), v0.2 and v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Builder {
    /// The builder id (a URI, e.g. a reusable workflow `…@refs/tags/v2.1.0`).
    pub id: String,
    /// v1: builder version components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Map<String, Value>>,
    /// v1: the builder's own dependencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builder_dependencies: Vec<ResourceDescriptor>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v0.2 `invocation.configSource`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSource {
    /// The source, `git+https://github.com/org/repo@refs/…`.
    #[serde(default)]
    pub uri: Option<String>,
    /// Its digest (`sha1` commit).
    #[serde(default)]
    pub digest: DigestSet,
    /// The build entry point (the workflow path).
    #[serde(default)]
    pub entry_point: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v0.2 `invocation`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// Where the build configuration came from.
    #[serde(default)]
    pub config_source: ConfigSource,
    /// The build parameters (untyped).
    #[serde(default)]
    pub parameters: Option<Value>,
    /// The build environment (untyped; GitHub builders put `github_*` keys here).
    #[serde(default)]
    pub environment: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A v0.2 material.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Its URI.
    #[serde(default)]
    pub uri: Option<String>,
    /// Its digest.
    #[serde(default)]
    pub digest: DigestSet,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v0.2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceV02 {
    /// The builder.
    pub builder: Builder,
    /// The build type URI.
    pub build_type: String,
    /// How the build was invoked.
    #[serde(default)]
    pub invocation: Invocation,
    /// Untyped `buildConfig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_config: Option<Value>,
    /// Untyped `metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// The materials.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v1 `buildDefinition`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    /// The build type URI.
    pub build_type: String,
    /// The external parameters (untyped; GitHub workflows put `workflow` and `inputs` here).
    pub external_parameters: Value,
    /// The internal parameters (untyped).
    #[serde(default)]
    pub internal_parameters: Option<Value>,
    /// The resolved dependencies; the first is the source for GitHub builders.
    #[serde(default)]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v1 `runDetails.metadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    /// The invocation id (GitHub: the run URL with attempt).
    #[serde(default)]
    pub invocation_id: Option<String>,
    /// When the build started (RFC 3339, as written).
    #[serde(default)]
    pub started_on: Option<String>,
    /// When the build finished (RFC 3339, as written).
    #[serde(default)]
    pub finished_on: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v1 `runDetails`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    /// The builder.
    pub builder: Builder,
    /// Run metadata.
    #[serde(default)]
    pub metadata: Option<BuildMetadata>,
    /// Byproducts.
    #[serde(default)]
    pub byproducts: Vec<ResourceDescriptor>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SLSA provenance v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceV1 {
    /// What was built and how.
    pub build_definition: BuildDefinition,
    /// Who built it.
    pub run_details: RunDetails,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Either provenance version, for the accessors the verifier shares.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Provenance<'a> {
    /// v0.2.
    V02(&'a ProvenanceV02),
    /// v1.
    V1(&'a ProvenanceV1),
}

/// Reads `key` of a JSON object, trying each spelling in order (GitHub builders write
/// `github_event_name`, npm writes `GITHUB_EVENT_NAME`).
fn field<'v>(obj: Option<&'v Value>, keys: &[&str]) -> Option<&'v Value> {
    let o = obj?.as_object()?;
    keys.iter().find_map(|k| o.get(*k))
}

fn field_str<'v>(obj: Option<&'v Value>, keys: &[&str]) -> Option<&'v str> {
    field(obj, keys).and_then(Value::as_str)
}

impl<'a> Provenance<'a> {
    /// `builder.id` (v0.2) or `runDetails.builder.id` (v1).
    pub fn builder_id(&self) -> &'a str {
        match self {
            Self::V02(p) => &p.builder.id,
            Self::V1(p) => &p.run_details.builder.id,
        }
    }

    /// The build type.
    pub fn build_type(&self) -> &'a str {
        match self {
            Self::V02(p) => &p.build_type,
            Self::V1(p) => &p.build_definition.build_type,
        }
    }

    /// The source descriptor GitHub builders record: v0.2 `invocation.configSource` (or the
    /// first material), v1 the first resolved dependency. Returns its URI and digest set.
    pub fn source(&self) -> Option<(&'a str, &'a DigestSet)> {
        match self {
            Self::V02(p) => {
                let cs = &p.invocation.config_source;
                match &cs.uri {
                    Some(u) => Some((u.as_str(), &cs.digest)),
                    None => p
                        .materials
                        .first()
                        .and_then(|m| m.uri.as_deref().map(|u| (u, &m.digest))),
                }
            }
            Self::V1(p) => p
                .build_definition
                .resolved_dependencies
                .first()
                .and_then(|d| d.uri.as_deref().map(|u| (u, &d.digest))),
        }
    }

    /// The GitHub environment: v0.2 `invocation.environment`, v1 `internalParameters` (or
    /// its `github` object, as GitHub's own build type nests it).
    fn environment(&self) -> Option<&'a Value> {
        match self {
            Self::V02(p) => p.invocation.environment.as_ref(),
            Self::V1(p) => {
                let ip = p.build_definition.internal_parameters.as_ref();
                field(ip, &["github"]).or(ip)
            }
        }
    }

    /// The GitHub event that triggered the build, when recorded.
    pub fn event_name(&self) -> Option<&'a str> {
        field_str(
            self.environment(),
            &["github_event_name", "GITHUB_EVENT_NAME", "event_name"],
        )
    }

    /// The base ref of the event (`refs/heads/…`), when recorded and not empty. For a tag
    /// push, GitHub records the branch the tag was pushed from only in the event payload.
    pub fn base_ref(&self) -> Option<&'a str> {
        let env = self.environment();
        let direct = field_str(env, &["github_base_ref", "GITHUB_BASE_REF", "base_ref"]);
        let payload = field(env, &["github_event_payload", "GITHUB_EVENT_PAYLOAD"]);
        let from_payload = field_str(payload, &["base_ref"]);
        [direct, from_payload]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty())
    }

    /// The workflow inputs: v0.2 the event payload's `inputs` (or `parameters.event_inputs`),
    /// v1 `externalParameters.inputs`.
    pub fn workflow_inputs(&self) -> Option<&'a Map<String, Value>> {
        match self {
            Self::V02(p) => {
                let payload = field(
                    p.invocation.environment.as_ref(),
                    &["github_event_payload", "GITHUB_EVENT_PAYLOAD"],
                );
                field(payload, &["inputs"])
                    .or_else(|| field(p.invocation.parameters.as_ref(), &["event_inputs"]))
                    .and_then(Value::as_object)
            }
            Self::V1(p) => field(Some(&p.build_definition.external_parameters), &["inputs"])
                .and_then(Value::as_object),
        }
    }

    /// v1 GitHub workflow build types: `externalParameters.workflow.{repository, ref, path}`.
    pub fn workflow(&self) -> Option<(&'a str, &'a str, &'a str)> {
        let Self::V1(p) = self else { return None };
        let w = field(Some(&p.build_definition.external_parameters), &["workflow"]);
        Some((
            field_str(w, &["repository"])?,
            field_str(w, &["ref"])?,
            field_str(w, &["path"])?,
        ))
    }

    /// v1 `runDetails.metadata.invocationId`.
    pub fn invocation_id(&self) -> Option<&'a str> {
        match self {
            Self::V02(_) => None,
            Self::V1(p) => p
                .run_details
                .metadata
                .as_ref()
                .and_then(|m| m.invocation_id.as_deref()),
        }
    }

    /// The repository id the build recorded (`github_repository_id` / `repository_id`).
    pub fn repository_id(&self) -> Option<&'a str> {
        field_str(
            self.environment(),
            &[
                "github_repository_id",
                "GITHUB_REPOSITORY_ID",
                "repository_id",
            ],
        )
    }

    /// The repository owner id the build recorded.
    pub fn repository_owner_id(&self) -> Option<&'a str> {
        field_str(
            self.environment(),
            &[
                "github_repository_owner_id",
                "GITHUB_REPOSITORY_OWNER_ID",
                "repository_owner_id",
            ],
        )
    }

    /// The runner environment (`github-hosted`, `self-hosted`) when recorded.
    pub fn runner_environment(&self) -> Option<&'a str> {
        field_str(self.environment(), &["runner_environment"])
    }
}
