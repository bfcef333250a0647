//! Named size and count caps for SBOM inputs. Every parser refuses input over these before it
//! does work proportional to it.

pub use supply_sig::limits::LimitExceeded;

/// Longest package URL parsed: 8 KiB. Real purls are under 300 bytes; the longest in the
/// purl-spec suite (an mlflow model with an Azure ML `repository_url`) is about 330.
pub const MAX_PURL_LEN: usize = 8 * 1024;
