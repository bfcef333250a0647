//! Canonical JSON, from raw JSON text (never through a typed model, so that signatures cover
//! unknown fields too).
//!
//! - [`olpc`]: the OLPC / securesystemslib flavour used by TUF and in-toto.
//! - [`jcs`]: RFC 8785 JSON Canonicalization Scheme.

pub mod jcs;
pub mod olpc;

/// Errors from parsing or canonicalizing JSON.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder until the parser lands.
    #[error("not implemented")]
    Unimplemented,
}
