//! supply-intoto integration tests: the test data's cases (`vectors`), attacks on layouts and
//! links (`attacks`), link generation and signing (`record`), the python peer (`interop`);
//! statements and predicates (`attestation`), SLSA provenance (`slsa`), GitHub and npm
//! attestations (`github`), verification summary attestations (`vsa`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attacks;
mod attestation;
mod certs;
mod common;
mod gcb;
mod github;
mod interop;
mod record;
mod slsa;
mod vectors;
mod vsa;
