//! # supply-oci
//!
//! Empty for now: nothing here is usable yet, and nothing is exported.
//!
//! This crate will hold OCI image manifests, indexes and image layouts; an async registry client
//! (token and basic auth, push and pull, the Referrers API and its tag-schema fallback);
//! signature, SBOM and attestation referrers; and the verification engine that walks them and
//! dispatches each artifact to the `supply_sig` verifier traits. Until then, digests live in
//! `supply_sig::digest`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
