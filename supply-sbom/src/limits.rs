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
