//! # supply-intoto
//!
//! Empty for now: nothing here is usable yet, and nothing is exported.
//!
//! This crate will hold in-toto layouts, links, artifact rules and layout verification; in-toto
//! Statements, SLSA provenance and Verification Summary Attestations carried in DSSE envelopes.
//! Until then, DSSE envelopes live in `supply_sig::dsse`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
