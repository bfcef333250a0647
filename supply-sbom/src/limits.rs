//! Named size and count caps for SBOM inputs. Every parser refuses input over these before it
//! does work proportional to it.

pub use supply_sig::limits::LimitExceeded;

/// Longest package URL parsed: 8 KiB. Real purls are under 300 bytes; the longest in the
/// purl-spec suite (an mlflow model with an Azure ML `repository_url`) is about 330.
pub const MAX_PURL_LEN: usize = 8 * 1024;

/// Longest license expression parsed: 64 KiB. Real expressions are under 1 KiB; ScanCode's
/// longest license-detection results (hundreds of `AND`ed ids) stay well below this.
pub const MAX_LICENSE_EXPR_LEN: usize = 64 * 1024;

/// Deepest parenthesis nesting in a license expression: 32 (real ones nest 2 or 3 deep; the
/// parser recurses once per level).
pub const MAX_LICENSE_EXPR_DEPTH: usize = 32;

/// Largest SBOM document read: 256 MiB. The largest real SBOMs (full container images with
/// every file listed) are tens of MiB; a 50 000-component SPDX JSON is about 60 MiB.
pub const MAX_SBOM_LEN: usize = 256 * 1024 * 1024;

/// Deepest nesting of JSON arrays/objects or XML elements in an SBOM: 128 (as
/// [`supply_sig::limits::MAX_JSON_DEPTH`]; CycloneDX nests components a few levels deep).
pub const MAX_DEPTH: usize = 128;

/// Most XML elements in one CycloneDX XML document: 10 million (a 50 000-component BOM with
/// hashes, licenses and properties has under 2 million).
pub const MAX_ELEMENTS: usize = 10_000_000;

/// Most elements (packages, files, relationships…) of one kind in one document: 1 million.
pub const MAX_ITEMS: usize = 1_000_000;

/// Most issues one validation report holds (the rest are counted out, not stored).
pub const MAX_REPORTED_ISSUES: usize = 10_000;

/// Most paths [`Graph::why`](crate::graph::Graph::why) returns: 1 000 (a package reached by
/// more paths than that is everywhere; the first, shortest ones say why).
pub const MAX_PATHS: usize = 1_000;
