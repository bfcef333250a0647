//! OLPC canonical JSON (TUF, in-toto, securesystemslib).

/// Canonicalizes raw JSON text.
///
/// # Errors
/// Always, until implemented.
pub fn canonicalize(_json: &[u8]) -> Result<Vec<u8>, super::Error> {
    Err(super::Error::Unimplemented)
}
