//! # supply-sbom
//!
//! SPDX and CycloneDX documents, package URLs, license policy, blocked packages, OSV
//! vulnerability matching, dependency graphs and SBOM generation.
//!
//! This crate is a placeholder until its own issue lands.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::digest::Digest;
