//! supply-sig integration tests, grouped by source: `vectors` (testdata/), `interop`
//! (real peers), `attacks` and `limits`. Every crypto test runs once per provider in
//! `supply_sig::crypto::all_providers()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs
)]

mod cjson;
mod dsse;
#[cfg(feature = "http")]
mod https;
mod interop;
mod keys;
mod module_graph;
mod openssl;
#[cfg(feature = "sigstore")]
mod prehashed;
#[cfg(feature = "sigstore")]
mod referrer;
#[cfg(feature = "sigstore")]
mod revocation;
#[cfg(feature = "sigstore")]
mod sigstore_attacks;
#[cfg(feature = "sigstore")]
mod sigstore_conformance;
#[cfg(feature = "sigstore")]
mod sigstore_vectors;
mod vectors;
