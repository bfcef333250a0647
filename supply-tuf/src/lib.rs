//! # supply-tuf
//!
//! The Update Framework (TUF 1.0): metadata for root, timestamp, snapshot, targets and delegated
//! targets with the signed bytes kept raw; the client update workflow of the specification (§5) as
//! a transport-free state machine plus an async HTTP updater; and a repository writer.
//!
//! This crate is a placeholder until its own issue lands. Canonical JSON and key handling already
//! live in [`supply_sig::cjson`] and [`supply_sig::key`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::cjson;
