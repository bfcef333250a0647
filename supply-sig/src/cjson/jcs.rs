//! RFC 8785 JSON Canonicalization Scheme.

/// Canonicalizes raw JSON text.
///
/// # Errors
/// Always, until implemented.
pub fn canonicalize(_json: &[u8]) -> Result<Vec<u8>, super::Error> {
    Err(super::Error::Unimplemented)
}
