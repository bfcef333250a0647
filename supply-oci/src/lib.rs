//! # supply-oci
//!
//! OCI image manifests, indexes and image layouts; an async registry client (token and basic
//! auth, push and pull, the Referrers API and its tag-schema fallback); signature, SBOM and
//! attestation referrers; and the verification engine that walks them and dispatches each
//! artifact to the [`supply_sig`] verifier traits.
//!
//! This crate is a placeholder until its own issue lands: it re-exports the shared vocabulary so
//! that downstream code can already name it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::digest::{Algorithm, Digest};
