//! Integration tests of supply-oci against the data in `testdata/oci/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "client")]
mod auth;
#[cfg(feature = "sigstore")]
mod cosign;
#[cfg(feature = "sigstore")]
mod engine;
#[cfg(all(feature = "client", feature = "sigstore"))]
mod engine_registry;
mod fixtures;
mod layouts;
#[cfg(feature = "notation")]
mod notation;
#[cfg(feature = "client")]
mod registry;
mod spec;
#[cfg(feature = "client")]
mod streaming;
mod write;

use std::path::PathBuf;

/// A path under `testdata/oci/`.
fn oci(rel: &str) -> PathBuf {
    supply_testkit::testdata(&format!("oci/{rel}"))
}

/// The bytes of a file under `testdata/oci/`.
fn read(rel: &str) -> Vec<u8> {
    std::fs::read(oci(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A JSON file under `testdata/oci/`.
fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap()
}
