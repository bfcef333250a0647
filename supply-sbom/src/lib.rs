//! # supply-sbom
//!
//! Empty for now: nothing here is usable yet, and nothing is exported.
//!
//! This crate will hold SPDX and CycloneDX documents, package URLs, license policy, blocked
//! packages, OSV vulnerability matching, dependency graphs and SBOM generation.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
