//! # supply-intoto
//!
//! in-toto layouts, links, artifact rules and layout verification; in-toto Statements, SLSA
//! provenance and Verification Summary Attestations carried in DSSE envelopes.
//!
//! This crate is a placeholder until its own issue lands. DSSE envelopes already live in
//! [`supply_sig::dsse`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::dsse;
